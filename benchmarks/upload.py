"""Upload a 1,000,000-row person-level CSV on the Data page and time it to the Overview drawn,
in headless Chromium (issue 16's target: under 10 s). A measurement, not a test.

    .venv/bin/python benchmarks/upload.py                     # 1M people, 3 runs
    .venv/bin/python benchmarks/upload.py --people 100000 --runs 1 --screenshot /tmp/o.png

Each run starts the app as ``make run`` does (``python -m dashboard.serve``) on a free local
port with a fresh browser, so nothing is cached from an earlier run. The CSV is the seeded
synthetic counts data set of ``benchmarks/datasets.py`` (person_id, arm, age_group and 10
count outcomes), written to a temporary folder. Steps timed from the moment the file is
given to the uploader:

1. the upload lands (the page shows "2. Preview" of the file);
2. "Use this data set" clicked (name set, ticked synthetic) until the page says "Now using";
3. "See the results on the Overview" clicked until the Overview has finished drawing (its
   "Headline results", its "In plain English" summary and no script running).

Reports wall seconds per step and in total, the server's CPU seconds over the whole upload
(``/proc/<pid>/stat``: user + system of the server process), and the 1-minute load average
before and after: the machine is shared, so wall times carry others' load.
Nothing leaves the machine: the server listens on 127.0.0.1 and the browser only visits it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
# the browser, its flags, the "page finished" signal and the process helpers are the load
# run's (one definition of when a Streamlit page has finished drawing)
from load import (CHROMIUM, CHROMIUM_ARGS, SETTLED_JS, cpu_s, free_port,  # noqa: E402
                  people_uploader)

TIMEOUT_MS = 600_000


def write_csv(folder: Path, n: int) -> Path:
    import datasets

    path = folder / f"people_{n}.csv"
    datasets.people(n).to_pandas().to_csv(path, index=False)
    return path


def settle(page):
    page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS, polling=100)


def one_run(path: Path, screenshot: str | None):
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "dashboard.serve", "--server.port",
                               str(port), "--server.headless", "true"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            t0 = time.monotonic()
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/Data", timeout=2000)
                    break
                except Exception:  # noqa: BLE001 - the server is still starting
                    if time.monotonic() - t0 > 120:
                        raise
                    time.sleep(0.1)
            settle(page)
            load0, cpu0 = os.getloadavg()[0], cpu_s(server.pid)
            t0 = time.monotonic()
            people_uploader(page).set_input_files(str(path))
            page.get_by_role("heading", name="2. Preview").wait_for(timeout=TIMEOUT_MS)
            settle(page)
            t1 = time.monotonic()
            box = page.get_by_label("Name for this data set (shown in the sidebar)")
            for _ in range(20):
                if box.input_value() == "Benchmark upload (synthetic)":
                    break
                box.fill("Benchmark upload (synthetic)")
                box.press("Enter")
                page.wait_for_timeout(1000)
                settle(page)
            tick = page.get_by_role("checkbox", name="Synthetic (made-up) data")
            for _ in range(20):  # under load a click can land while the page reruns
                if tick.is_checked():
                    break
                tick.locator("xpath=ancestor::label").click()
                page.wait_for_timeout(1000)
                settle(page)
            t_named = time.monotonic()
            page.get_by_role("button", name="Use this data set").click()
            page.get_by_text("Now using").wait_for(timeout=TIMEOUT_MS)
            settle(page)
            t2 = time.monotonic()
            page.get_by_text("See the results on the Overview").click()
            page.get_by_text("Headline results").wait_for(timeout=TIMEOUT_MS)
            page.get_by_text("In plain English").wait_for(timeout=TIMEOUT_MS)
            settle(page)
            t3 = time.monotonic()
            cpu = cpu_s(server.pid) - cpu0
            errors = page.locator('[data-testid="stException"], '
                                  '[data-testid="stAlertContentError"]').count()
            if screenshot:
                page.screenshot(path=screenshot)
            browser.close()
        # naming and ticking the box are the user's typing, not the app's work
        return dict(upload=t1 - t0, use=t2 - t_named, overview=t3 - t2,
                    total=(t1 - t0) + (t2 - t_named) + (t3 - t2), server_cpu=cpu,
                    load=f"{load0:.1f}-{os.getloadavg()[0]:.1f}", errors=errors)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--screenshot", help="save the Overview of the last run (1280x720 PNG)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fd_upload_") as tmp:
        path = write_csv(Path(tmp), args.people)
        mb = path.stat().st_size / 1e6
        print(f"{args.people:,} people, {mb:.0f} MB CSV (synthetic counts, 13 columns)",
              flush=True)
        runs = []
        for i in range(args.runs):
            r = one_run(path, args.screenshot if i == args.runs - 1 else None)
            runs.append(r)
            print("  run {}: upload to preview {upload:.2f} s, use {use:.2f} s, Overview "
                  "{overview:.2f} s, total {total:.2f} s wall; server CPU {server_cpu:.2f} s; "
                  "load {load}; errors shown {errors}".format(i + 1, **r), flush=True)
    med = {k: statistics.median(r[k] for r in runs)
           for k in ("upload", "use", "overview", "total", "server_cpu")}
    print("median of {n} runs: total {total:.2f} s wall (upload {upload:.2f}, use {use:.2f}, "
          "Overview {overview:.2f}); server CPU {server_cpu:.2f} s; target < 10 s: {met}"
          .format(n=len(runs), met="met" if med["total"] < 10 else "NOT met", **med))
    return 0 if all(r["errors"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
