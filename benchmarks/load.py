"""Many users at once on one server (issue #18): a bounded load run over loopback only.

Starts the app as ``make run`` does (``python -m dashboard.serve``) on a free local port, drives
it with headless Chromium (one browser context per user, so one Streamlit session each) and
samples the server's resident memory (``/proc/<pid>/status`` VmRSS) every second::

    .venv/bin/python benchmarks/load.py                       # the full run (about 8 minutes)
    .venv/bin/python benchmarks/load.py --sessions 3 --uploads 2 --upload-mb 5 --ttl 4 --after 20
    .venv/bin/python benchmarks/load.py --client protocol --uploads 0 --after 5   # no browsers

Phases:
1. ``--sessions`` users open the Overview at once, then each changes the sidedness and the test
   in the sidebar; the time from each action to the page having finished is recorded.
   ``--client browser`` (the default) does it in Chromium, so the time includes drawing the
   page, with every browser on the server's cores; ``--client protocol`` speaks Streamlit's
   websocket protocol instead (``benchmarks/protocol.py``): the time from the request to the
   run's last message, without drawing, and the client's own CPU is reported.
2. ``--uploads`` users upload a ``--upload-mb`` MB person-level CSV on the Data page at once.
   An upload *lands* when the page shows the preview of that file, *fails visibly* when it
   shows an error, and is *lost* otherwise (no file, no message) within ``--upload-timeout``.
3. Every browser context closes; memory is sampled for ``--after`` seconds more. With
   ``--leftovers`` the server reports what of the closed sessions it still holds (sessions
   holding state, uploaded files, tables of 1 MB or more: ``dashboard.sessions.leftovers``).

Prints one JSON object (all numbers) on the last line; ``--memory-csv`` writes the samples.
Nothing leaves the machine: the server listens on 127.0.0.1 and the browser only visits it.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Streamlit's own signal that a page has finished: the app root's script state ("rerunRequested"
# as soon as a widget changes, then "running", then "notRunning") and its connection state
# (Streamlit 1.67's status widget never says "Running": it shows an icon and "Stop").
SETTLED_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testScriptState === 'notRunning'
        && app.dataset.testConnectionState === 'CONNECTED'
        && !!document.querySelector('[data-testid="stMain"] h1');
}"""


def people_uploader(page):
    """The Data page's person-level file input, chosen by its label. Not the page's first
    uploader: under load (08:05, load average 20-27) the browser mounted the crimes-extract
    uploaders before this one, the file went to the first of them (the rerun said
    ``data_crimes: 1, data_file: 0``), and the upload was counted as lost."""
    return page.locator('[data-testid="stFileUploader"]', has_text="one row per person").locator(
        '[data-testid="stFileUploaderDropzoneInput"]')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used: /proc/<pid>/stat fields 14-15."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)
    except OSError:
        return float("nan")


class Sampler(threading.Thread):
    """Server memory every second, with the phase it was taken in."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.phase, self.samples, self.stop = pid, "start", [], threading.Event()
        self.t0 = time.monotonic()

    def run(self):
        while not self.stop.is_set():
            try:
                self.samples.append((round(time.monotonic() - self.t0, 1), self.phase,
                                     round(rss_mb(self.pid), 1)))
            except OSError:
                return
            self.stop.wait(1.0)


def start_server(port: int, ttl: int, log, extra=(), env=None):
    # the server's output goes to a file: an unread pipe would fill and stall the server
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.serve", "--server.port", str(port),
                             "--server.address", "127.0.0.1",
                             "--server.disconnectedSessionTTL", str(ttl), *extra],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, env={**os.environ, **(env or {})})
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGTERM)
    raise RuntimeError("the server did not start within 90 s")


async def settle(page, timeout=300_000):
    await page.wait_for_function(SETTLED_JS, timeout=timeout)


def write_upload(folder: Path, mb: float) -> Path:
    """A person-level CSV of about ``mb`` megabytes (the benchmarks' seeded people)."""
    import datasets
    import pyarrow.csv as pacsv

    n = max(200, int(mb * 1024 * 1024 / 52))  # ~52 bytes a row
    path = folder / f"people_{mb:g}MB.csv"
    pacsv.write_csv(datasets.people(n), path)
    return path


async def overview_session(browser, url, timings, errors):
    """Open the Overview, switch the sidedness there and back, choose another test."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    ctx.set_default_timeout(300_000)  # a busy server is slow, not an error
    try:
        page = await ctx.new_page()
        t = time.monotonic()
        await page.goto(url)
        await settle(page)
        timings["overview"].append(time.monotonic() - t)
        # the sidedness labels go on to name the outcomes' terms: match their start only
        for label in (r"^One-sided: treatment lower", r"^Two-sided"):
            t = time.monotonic()
            await page.get_by_text(re.compile(label)).first.click()
            await settle(page)
            timings["setting"].append(time.monotonic() - t)
        label = page.locator('[data-testid="stWidgetLabel"]',
                             has_text=re.compile(r"^\s*(Method|Test)\s*$"))
        box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]',
                           has=label).locator("input")
        t = time.monotonic()
        await box.click()
        await box.fill("Mann")
        await box.press("Enter")
        await settle(page)
        timings["setting"].append(time.monotonic() - t)
        if await page.locator('[data-testid="stException"]').count():
            errors.append("exception on the Overview")
    except Exception as exc:  # noqa: BLE001 - counted, not raised
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    return ctx


async def overview_protocol_session(url, timings, errors):
    """The same user as :func:`overview_session`, spoken over Streamlit's websocket protocol
    (``benchmarks/protocol.py``): no browser draws the pages."""
    from protocol import ProtocolSession

    session = ProtocolSession(url)
    try:
        timings["overview"].append(await session.open())
        for option in ("One-sided: treatment lower", "Two-sided"):
            timings["setting"].append(await session.choose(r"Sidedness", option))
        timings["setting"].append(await session.choose(r"^(Method|Test)$", "Mann"))
        if session.exceptions:
            errors.append(f"exception on the Overview: {session.exceptions[0]}")
    except Exception as exc:  # noqa: BLE001 - counted, not raised
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    return session


def record_frames(ws, t0: float, frames: list) -> None:
    """Note what a page's websocket carries, decoded with Streamlit's protobufs: every message the
    browser sends (a rerun says which uploaders hold how many files, and whether it is a
    fragment's), and what the server sends but the elements (an uploader's delta path, whose
    change would remount it in the browser, and each run's end). For the record of a lost
    upload (``--frames``)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    def note(direction, text):
        frames.append(f"{time.monotonic() - t0:7.2f} {direction} {text}")

    def sent(payload):
        msg = BackMsg()
        msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        kind = msg.WhichOneof("type")
        if kind == "rerun_script":
            run = msg.rerun_script
            files = {w.id.rsplit("-", 1)[-1]: len(w.file_uploader_state_value.uploaded_file_info)
                     for w in run.widget_states.widgets if w.HasField("file_uploader_state_value")}
            kind += f" fragment={run.fragment_id[:8]!r} uploaders={files}"
        note("sent", kind)

    def received(payload):
        msg = ForwardMsg()
        msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        kind = msg.WhichOneof("type")
        if kind == "delta":
            element = msg.delta.new_element if msg.delta.WhichOneof("type") == "new_element" \
                else None
            if element is not None and element.WhichOneof("type") == "file_uploader":
                note("recv", f"file_uploader {element.file_uploader.id.rsplit('-', 1)[-1]} "
                             f"at {list(msg.metadata.delta_path)}")
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            note("recv", f"script_finished {status}")
        elif kind != "page_info_changed":
            note("recv", kind)

    ws.on("framesent", sent)
    ws.on("framereceived", received)


async def upload_session(browser, url, path: Path, timeout_s: float, outcome: list,
                         frames_to: Path | None = None):
    """Upload on the Data page; the outcome is landed, error shown, or lost (neither)."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    ctx.set_default_timeout(300_000)
    try:
        page = await ctx.new_page()
        puts: list = []  # the uploader's PUT requests and their answers, for the record

        async def on_response(resp):
            if "/_stcore/upload_file/" in resp.url and resp.request.method == "PUT":
                puts.append(resp.status)

        page.on("response", on_response)
        # websocket closes and the uploader's life in the browser, for the record: a lost upload
        # with a 204 answer must be explained by what the page did meanwhile
        t0 = time.monotonic()
        events: list = []

        def on_ws(ws):
            events.append((round(time.monotonic() - t0, 1), "ws open"))
            ws.on("close", lambda _ws: events.append((round(time.monotonic() - t0, 1),
                                                      "ws close")))

        page.on("websocket", on_ws)
        frames: list = []
        if frames_to is not None:
            page.on("websocket", lambda ws: record_frames(ws, t0, frames))
        page.on("console", lambda m: events.append((round(time.monotonic() - t0, 1),
                                                    f"console {m.type}: {m.text[:120]}"))
                if m.type in ("error", "warning") else None)
        page.on("requestfailed", lambda req: puts.append("failed: " + str(req.failure))
                if "/_stcore/upload_file/" in req.url else None)
        await page.goto(url + "/Data")
        await settle(page)
        t = time.monotonic()
        await people_uploader(page).set_input_files(str(path))
        deadline = time.monotonic() + timeout_s
        result = "lost"
        while time.monotonic() < deadline:
            body = await page.inner_text('[data-testid="stMain"]')
            if "2. Preview" in body and path.stem in body:
                result = "landed"
                break
            if await page.locator('[data-testid="stAlertContentError"], '
                                  '[data-testid="stException"]').count():
                result = "error shown: " + (await page.locator(
                    '[data-testid="stAlertContentError"], [data-testid="stException"]'
                ).first.inner_text())[:200]
                break
            await page.wait_for_timeout(500)
        if result == "lost":  # still working, or idle with nothing to show?
            app = page.locator('[data-testid="stApp"]')
            state = (await app.get_attribute("data-test-script-state"),
                     await app.get_attribute("data-test-connection-state"))
            if state != ("notRunning", "CONNECTED"):
                result = f"still running at the timeout ({state})"
            else:
                widget = await page.locator('[data-testid="stFileUploader"]',
                                            has_text="one row per person").inner_text()
                result += ": uploader shows " + " ".join(widget.split())[:160]
        result += f" (upload requests answered: {puts or 'none sent'})"
        if events:
            result += f" (browser events: {events[:12]})"
        outcome.append((result, round(time.monotonic() - t, 1)))
        if frames_to is not None:
            frames_to.mkdir(parents=True, exist_ok=True)
            (frames_to / f"upload_{len(outcome)}_{result.split()[0].strip(':')}.txt").write_text(
                result + "\n" + "\n".join(frames) + "\n")
    except Exception as exc:  # noqa: BLE001
        outcome.append((f"driver error: {type(exc).__name__}: {str(exc)[:120]}", float("nan")))
    return ctx


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    report = {"sessions": args.sessions, "uploads": args.uploads, "upload_mb": args.upload_mb,
              "ttl_s": args.ttl, "cpus": os.cpu_count(),
              "load_before": [round(x, 2) for x in os.getloadavg()]}
    server_log = open(args.server_log, "w+") if args.server_log else tempfile.TemporaryFile("w+")
    proc = start_server(port, args.ttl, server_log,
                        ("--logger.level", "debug") if args.server_log else (),
                        {"FD_DEBUG_SESSIONS": "1"} if args.leftovers else None)
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            upload = write_upload(Path(tmp), args.upload_mb)
            report["upload_bytes"] = upload.stat().st_size
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # warm the server as a first user would: the Overview, then a small upload on
                # the Data page (imports, thread pools and caches that stay for the server's
                # life are then part of the starting memory, not counted as kept by sessions)
                ctx = await browser.new_context()
                page = await ctx.new_page()
                await page.goto(url)
                await settle(page)
                small = write_upload(Path(tmp), 0.5)
                outcome: list = []
                await (await upload_session(browser, url, small, args.upload_timeout,
                                            outcome)).close()
                report["warm_up_upload"] = outcome[0][0]
                _say("warm-up done")
                await ctx.close()
                await asyncio.sleep(2)
                report["rss_start_mb"] = rss_mb(proc.pid)
                cpu0 = cpu_s(proc.pid)

                sampler.phase = "overview"
                _say(f"{args.sessions} sessions on the Overview ({args.client})…")
                timings, errors = {"overview": [], "setting": []}, []
                client0 = _own_cpu_s()
                if args.client == "protocol":
                    contexts = list(await asyncio.gather(*(
                        overview_protocol_session(url, timings, errors)
                        for _ in range(args.sessions))))
                    # this process's CPU: the protocol clients share the server's cores
                    report["client_cpu_overview_s"] = round(_own_cpu_s() - client0, 1)
                else:
                    contexts = list(await asyncio.gather(*(
                        overview_session(browser, url, timings, errors)
                        for _ in range(args.sessions))))
                report.update(client=args.client, overview_median_s=_med(timings["overview"]),
                              overview_max_s=_max(timings["overview"]),
                              setting_median_s=_med(timings["setting"]),
                              setting_max_s=_max(timings["setting"]), errors=errors,
                              rss_after_overview_mb=rss_mb(proc.pid),
                              server_cpu_overview_s=round(cpu_s(proc.pid) - cpu0, 1))

                sampler.phase = "uploads"
                _say(f"{args.uploads} uploads of {report['upload_bytes'] / 1e6:.0f} MB at once…")
                outcome: list = []
                contexts += await asyncio.gather(*(
                    upload_session(browser, url, upload, args.upload_timeout, outcome,
                                   args.frames)
                    for _ in range(args.uploads)))
                report.update(upload_outcomes=outcome,
                              uploads_lost=sum(1 for r, _ in outcome if r.startswith("lost")),
                              uploads_landed=sum(1 for r, _ in outcome
                                                 if r.startswith("landed")),
                              uploads_failed_visibly=sum(1 for r, _ in outcome
                                                         if r.startswith("error shown")),
                              rss_peak_mb=max(s[2] for s in sampler.samples),
                              rss_after_uploads_mb=rss_mb(proc.pid))
                sampler.phase = "closed"
                _say(f"closing every session; sampling memory for {args.after:g} s…")
                for c in contexts:
                    await c.close()
                await browser.close()
            closed_at, log_at_close = time.monotonic(), _log_size(server_log)
            while time.monotonic() - closed_at < args.after:
                await asyncio.sleep(1)
            if args.leftovers:  # a closing script's thread can outlast --after on a busy machine
                while (not _nothing_left(_leftovers(server_log, log_at_close))
                       and time.monotonic() - closed_at < args.after + args.leftovers_wait):
                    await asyncio.sleep(1)
                report["leftovers_checked_s"] = round(time.monotonic() - closed_at, 1)
            report["rss_end_mb"] = rss_mb(proc.pid)
            report["rss_end_vs_start"] = round(report["rss_end_mb"] / report["rss_start_mb"], 2)
    finally:
        sampler.stop.set()
        report["server_cpu_s"] = cpu_s(proc.pid)  # user + system, the server's own threads
        report["load_after"] = [round(x, 2) for x in os.getloadavg()]
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    lines = _log_text(server_log).splitlines()
    report["server_log_errors"] = [x[:200] for x in lines
                                   if any(w in x for w in ("Error", "error", "Exception"))][:20]
    # the reaper's last count of what closed sessions left behind (--leftovers)
    report["server_leftovers"] = _leftovers(server_log)
    report["memory"] = sampler.samples
    return report


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--client", choices=("browser", "protocol"), default="browser",
                    help="how the Overview sessions reach the server: headless Chromium, or "
                         "Streamlit's websocket protocol with no browser (benchmarks/protocol.py)")
    ap.add_argument("--uploads", type=int, default=5)
    ap.add_argument("--upload-mb", type=float, default=50)
    ap.add_argument("--upload-timeout", type=float, default=300)
    ap.add_argument("--ttl", type=int, default=120, help="server.disconnectedSessionTTL (s)")
    ap.add_argument("--after", type=float, default=180, help="seconds sampled after closing")
    ap.add_argument("--memory-csv", type=Path)
    ap.add_argument("--server-log", type=Path, help="keep the server's debug log here")
    ap.add_argument("--frames", type=Path,
                    help="write each upload page's websocket messages (decoded) to this folder")
    ap.add_argument("--leftovers", action="store_true",
                    help="have the server count, after each reap, the closed sessions' objects "
                         "still alive (walks every object: for tests, not timing runs)")
    ap.add_argument("--leftovers-wait", type=float, default=90,
                    help="with --leftovers: after --after, wait up to this long more for the "
                         "count to reach zero (a closed session's script may still be ending)")
    args = ap.parse_args(argv)
    report = asyncio.run(run(args))
    samples = report.pop("memory")
    if args.memory_csv:
        args.memory_csv.write_text("seconds,phase,rss_mb\n" + "".join(
            f"{t},{ph},{mb}\n" for t, ph, mb in samples))
    report["memory_samples"] = len(samples)
    print(json.dumps(report, default=str), flush=True)
    return report


def _say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _log_size(log) -> int:
    return os.fstat(log.fileno()).st_size


def _log_text(log, start: int = 0) -> str:
    """The server's output so far, read without moving the offset the server writes at."""
    return os.pread(log.fileno(), max(0, _log_size(log) - start), start).decode(errors="replace")


def _leftovers(log, start: int = 0):
    """The reaper's last count (``--leftovers``) written after byte ``start`` of the log."""
    checks = [x.split("leftovers ", 1)[1] for x in _log_text(log, start).splitlines()
              if "session-reaper leftovers " in x]
    return json.loads(checks[-1]) if checks else None


def _nothing_left(left) -> bool:
    return left is not None and not any(n for what, n in left.items() if what != "sessions")


def _own_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _med(v):
    return round(statistics.median(v), 2) if v else None


def _max(v):
    return round(max(v), 2) if v else None


if __name__ == "__main__":
    main()
