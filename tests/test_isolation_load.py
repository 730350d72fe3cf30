"""A short load run in real Chromium (issue #18; the long run is ``benchmarks/load.py``).

Three sessions open the Overview and change settings while two more upload a 5 MB file at the
same time; then every browser closes. No wall-clock time is asserted (the machine is shared):
only that nothing fails, every upload lands, and, once the reconnect window (4 s here, 120 s by
default) has passed, that the server holds nothing of the closed sessions: the reaper (in
``dashboard/sessions.py``) counts, with ``--leftovers``, the shut-down sessions still holding
state, the uploaded files and the tables of 1 MB or more still alive. That count is exact, where
resident memory depends on the allocator and on what else the machine is doing. It is the
reaper's last report after the closing: on a busy machine a closed session's script thread can
end after the 25 s given, so the run waits up to 90 s more for the count to reach zero (a leak
never does, and fails).

Before the fix of session 3 the count failed this way: one closed session stayed whole (the
runtime's message loop keeps the last session it flushed in a loop variable), with its two
UploadedFile objects, its bytes and its 42 MB table (2 x 20 MB uploads; BENCHMARKS.md, #18).
"""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
pytestmark = pytest.mark.browser


def test_short_load_run_loses_nothing_and_keeps_nothing_of_closed_sessions():
    import load

    r = load.main(["--sessions", "3", "--uploads", "2", "--upload-mb", "5", "--ttl", "4",
                   "--after", "25", "--leftovers"])
    assert r["errors"] == []
    assert r["uploads_lost"] == 0, r["upload_outcomes"]
    assert r["uploads_landed"] == 2, r["upload_outcomes"]
    left = r["server_leftovers"]
    assert left is not None, "the reaper never reported (did it run?)"
    assert left["shut_down_holding_state"] == 0, left
    assert left["upload_manager_files"] == 0, left
    assert left["uploaded_files"] == 0, left
    assert left["tables_1mb"] == 0, left
    grew = r["rss_peak_mb"] - r["rss_start_mb"]
    assert grew > 20, r  # the uploads did take memory (else the check below means nothing)
    # a loose check on the process as a whole (the exact one is above): most of the growth
    # comes back (session 3 measured 73% at load average 4-6; 8% on main before #18). What is
    # kept is measured from the start, not from the memory at the uploads' end: uploads that
    # end at different times free their working memory before the last one lands (1 + 5 x 49 MB
    # in session 3: 2,973 and 2,769 MB at the end against peaks of 3,834 and 3,880 MB), which
    # made "given back since the uploads' end" small whatever stayed afterwards.
    kept = r["rss_end_mb"] - r["rss_start_mb"]
    assert kept < 0.5 * grew, r
