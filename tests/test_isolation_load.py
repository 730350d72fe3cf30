"""A short load run in real Chromium (issue #18; the long run is ``benchmarks/load.py``).

Three sessions open the Overview and change settings while two more upload a 5 MB file at the
same time; then every browser closes. No wall-clock time is asserted (the machine is shared):
only that nothing fails, every upload lands, and the server gives back a good part of the
memory the sessions took once their reconnect window (4 s here, 120 s by default) has passed.
Measured on this machine: 33-50% of the growth given back with the session reaper, 8% without
it (main before #18); the rest is heap the allocator keeps (see BENCHMARKS.md).
"""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
pytestmark = pytest.mark.browser


def test_short_load_run_loses_nothing_and_releases_memory():
    import load

    r = load.main(["--sessions", "3", "--uploads", "2", "--upload-mb", "5", "--ttl", "4",
                   "--after", "25"])
    assert r["errors"] == []
    assert r["uploads_lost"] == 0, r["upload_outcomes"]
    assert r["uploads_landed"] == 2, r["upload_outcomes"]
    grew = r["rss_peak_mb"] - r["rss_start_mb"]
    assert grew > 20, r  # the uploads did take memory (else the check below means nothing)
    given_back = r["rss_after_uploads_mb"] - r["rss_end_mb"]
    assert given_back > 0.25 * grew, r
