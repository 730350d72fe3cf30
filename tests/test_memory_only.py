"""Uploaded data never reach a disk: the running server is watched while it works.

The app is started as the README starts it (``python -m dashboard.serve``, what ``make run``
runs) under ``strace -f``, which logs every file the server and its children (Chromium
drawing the charts) open. A 5 MB CSV whose ids, text and a column name carry a marker is
uploaded in Chromium, used, analysed on the Outcomes and Subgroups pages and exported
(every download of the Export page). While that happens the server's open files
(/proc/PID/fd) are sampled too. Then:

- no file was opened for writing, or created unnamed (O_TMPFILE), on disk-backed storage,
  apart from files that hold no uploaded content and still exist to prove it (Python's
  bytecode caches, Chromium's settings); memory-backed places (/dev/shm, /dev, /proc) are
  fine;
- no open file of the server was a deleted file on disk (Starlette's spooled upload was one);
- before the fix this test failed on Starlette's ``openat("/tmp", O_TMPFILE)`` for the
  upload and openpyxl's three named temporary files for the Excel export.

A smaller check runs the export builders alone under strace (no browser).
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from test_browser import (CHROMIUM, CHROMIUM_ARGS, _free_port, assert_healthy, open_page,
                          people_uploader, settle)

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
STRACE = shutil.which("strace")
MEMORY = ("/dev/", "/proc/", "/sys/", "/run/user/", "/memfd:")
WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TMPFILE")
OPEN_CALL = re.compile(r'^(\d+)\s+(?:openat|open|creat)\((?:AT_FDCWD|\d+(?:<[^>]*>)?), "([^"]*)", ([A-Z_|]+)')
pytestmark = pytest.mark.skipif(STRACE is None, reason="strace missing")  # installed by `make system`


def marked_csv(marker: str, target_bytes: int = 5 * 1024 * 1024) -> bytes:
    """A person-level CSV of about ``target_bytes`` with the marker in ids, text and a name."""
    rng = np.random.default_rng(19)
    n = target_bytes // 90
    df = pd.DataFrame({
        "person_id": [f"{marker}{i:07d}" for i in range(n)],
        "arm": np.where(np.arange(n) % 2 == 0, "treatment", "control"),
        "area": np.where(rng.random(n) < 0.5, f"{marker}north", f"{marker}south"),
        f"{marker}_count": rng.poisson(1.5, n),
        "harm": rng.gamma(0.5, 50, n).round(2),
        "note": [f"{marker} free text {i}" for i in range(n)],
    })
    return df.to_csv(index=False).encode()


def disk_writes(log: Path) -> list[tuple[str, str]]:
    """(path, flags) of every open for writing outside memory-backed places, from an strace log."""
    out = []
    for line in log.read_text(errors="replace").splitlines():
        m = OPEN_CALL.match(line)
        if not m or not WRITE_FLAGS.search(m.group(3)):
            continue
        path, flags = m.group(2), m.group(3)
        if path.startswith(MEMORY) or "= -1" in line:
            continue
        out.append((path, flags))
    return out


def offending(writes, marker: bytes) -> list[str]:
    """Writes that could hold uploaded data: unnamed files, files gone, or files holding it."""
    bad = []
    for path, flags in writes:
        p = Path(path)
        if "O_TMPFILE" in flags:
            bad.append(f"unnamed temporary file in {path}")
        elif path.endswith(".pyc") or "__pycache__" in path:
            continue  # bytecode of our own modules
        elif not p.exists():
            bad.append(f"{path} (written, then removed: its content cannot be checked)")
        elif p.is_file():
            try:
                data = p.read_bytes()
            except OSError:
                bad.append(f"{path} (unreadable)")
                continue
            if marker in data or marker.decode().encode("utf-16-le") in data:
                bad.append(f"{path} holds uploaded content")
    return sorted(set(bad))


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
                todo.extend(int(k) for k in kids)
        except OSError:
            continue
    return out


def watch_fds(pid: int, stop: threading.Event, seen: set):
    """Sample the open files of the server's process tree: deleted files on disk are noted."""
    while not stop.is_set():
        for p in _tree(pid):
            try:
                fds = os.listdir(f"/proc/{p}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink(f"/proc/{p}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("/") and not target.startswith(MEMORY) \
                        and target.endswith("(deleted)"):
                    seen.add(target)
        time.sleep(0.05)


def test_export_builders_open_no_file_for_writing(tmp_path):
    """pptx, html, zip, csv and xlsx built in a fresh process under strace: no disk write."""
    script = tmp_path / "build.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from fd_stats.analysis import Settings\n"
        "from fd_stats.data.trial import load_trial\n"
        "from fd_stats import analyse\n"
        "import dashboard.export as E\n"
        "t = load_trial()\n"
        "res = analyse(t.table, t.mapping, Settings())\n"
        "res['label'] = 'MARKER19' + res['label'].astype(str)\n"
        "pack = E.build_content(t, t.mapping, Settings(), res)\n"
        "print('START', flush=True)\n"
        "files = E.build_files(pack, formats=('csv', 'xlsx'))\n"
        "files['pptx'] = E.pptx_bytes(pack, {})\n"
        "files['html'] = E.html_bytes(pack, {})\n"
        "assert all(files.values())\n")
    log = tmp_path / "strace.log"
    # pyc writes of a first import are not data; run once to warm the caches
    subprocess.run([PY, str(script)], check=True, cwd=tmp_path, capture_output=True)
    subprocess.run([STRACE, "-f", "-qq", "-e", "trace=open,openat,creat", "-e", "signal=none",
                    "-o", str(log), PY, str(script)], check=True, cwd=tmp_path,
                   capture_output=True)
    writes = disk_writes(log)
    bad = [w for w in writes if not w[0].endswith(".pyc")]
    assert bad == [], bad


@pytest.mark.browser
def test_upload_analysis_and_every_export_leave_nothing_on_disk(tmp_path):
    from playwright.sync_api import sync_playwright

    marker = f"MRK{uuid.uuid4().hex[:10]}"
    csv = tmp_path / "upload" / "children_extract.csv"
    csv.parent.mkdir()
    csv.write_bytes(marked_csv(marker))
    assert csv.stat().st_size > 5 * 1024 * 1024 * 0.95
    log = tmp_path / "strace.log"
    port = _free_port()
    proc = subprocess.Popen(
        [STRACE, "-f", "-qq", "-e", "trace=open,openat,creat", "-e", "signal=none",
         "-o", str(log), PY, "-m", "dashboard.serve", "--server.port", str(port),
         "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    stop, deleted = threading.Event(), set()
    watcher = None
    try:
        deadline = time.time() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.time() < deadline, "the app did not start within 120 s"
                time.sleep(0.5)
        watcher = threading.Thread(target=watch_fds, args=(proc.pid, stop, deleted), daemon=True)
        watcher.start()
        url = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 720},
                                       accept_downloads=True).new_page()
            page.goto(f"{url}/Data")
            settle(page, timeout=120_000)
            people_uploader(page).set_input_files(str(csv))
            # the run that reads the file starts only once it is on the server
            page.get_by_role("heading", name="2. Preview").wait_for(timeout=180_000)
            settle(page, timeout=180_000)
            page.get_by_role("button", name="Use this data set").click()
            settle(page, timeout=180_000)
            assert_healthy(page, "Data after the upload")
            for name in ("Outcomes", "Subgroups"):
                open_page(page, name)
                assert_healthy(page, name)
                assert marker in page.inner_text("body") or name == "Subgroups"
            open_page(page, "Export")
            page.get_by_role("button", name="Build the board pack").click()
            page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=300_000)
            got = 0
            for label in ("Slides (.pptx)", "Report (.html)", "Charts (.zip of PNGs)",
                          "Results (.csv)", "Results (.xlsx)"):
                with page.expect_download(timeout=120_000) as dl:
                    page.get_by_role("button", name=label).click()
                got += len(Path(dl.value.path()).read_bytes())
            assert got > 0
            browser.close()
    finally:
        stop.set()
        if watcher is not None:
            watcher.join(timeout=5)
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
    writes = disk_writes(log)
    # the upload was seen by strace at all: the log holds the server's own opens
    assert any("site-packages" in line for line in log.read_text(errors="replace").splitlines()[:5000])
    assert deleted == set(), f"deleted files on disk held open by the server: {deleted}"
    bad = offending(writes, marker.encode())
    assert bad == [], bad
