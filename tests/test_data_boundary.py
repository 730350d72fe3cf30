"""The data boundary: uploaded data stay in memory; nothing is written to disk or sent.

A marker string is put in an uploaded file (a column name, ids and text values).
The file system under the repository, /tmp and the home folder is snapshotted
(path, mtime, size) before and after the upload -> mapping -> validation ->
analysis path (plain functions and the real pages through AppTest); no new or
changed file may contain the marker.
"""
import os
import tomllib
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

import dashboard.upload as upload
from fd_stats import analyse
from fd_stats.data.mapping import build_trial, guess_mapping
from fd_stats.data.validate import validate

ROOT = Path(__file__).resolve().parents[1]
WATCH = [ROOT, Path("/tmp"), Path.home()]
SKIP_DIRS = {".git", ".venv", "proc", "sys", "dev"}
MAX_READ = 64 * 1024 * 1024


def snapshot() -> dict:
    seen = {}
    for top in WATCH:
        if not top.exists():
            continue
        stack = [str(top)]
        while stack:
            d = stack.pop()
            try:
                with os.scandir(d) as it:
                    for e in it:
                        try:
                            if e.is_dir(follow_symlinks=False):
                                if e.name not in SKIP_DIRS:
                                    stack.append(e.path)
                            elif e.is_file(follow_symlinks=False):
                                st = e.stat(follow_symlinks=False)
                                seen[e.path] = (st.st_mtime_ns, st.st_size)
                        except OSError:
                            continue
            except OSError:
                continue
    return seen


def files_with(marker: bytes, before: dict, after: dict) -> list[str]:
    hits = []
    for path, sig in after.items():
        if before.get(path) == sig or sig[1] > MAX_READ:
            continue
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        if marker in data or marker.decode().encode("utf-16-le") in data:
            hits.append(path)
    return hits


def marked_csv(marker: str) -> bytes:
    rng = np.random.default_rng(5)
    n = 30
    return pd.DataFrame({
        "person_id": [f"{marker}-{i}" for i in range(n)],
        "arm": ["treatment", "control"] * (n // 2),
        "area": [f"{marker}-north", f"{marker}-south"] * (n // 2),
        f"{marker}_count": rng.poisson(1.5, n),
        "harm": rng.gamma(0.5, 50, n).round(2),
    }).to_csv(index=False).encode()


def test_upload_and_analysis_write_nothing_containing_the_data():
    marker = f"LEAKMARK{uuid.uuid4().hex}"
    raw = marked_csv(marker)
    before = snapshot()

    # plain functions: upload -> mapping -> validation -> trial -> analysis
    u = upload.handle_upload(raw, f"{marker}.csv")
    m = guess_mapping(u.table)
    assert validate(u.table, m).ok
    trial = build_trial(u.table, m, marker)
    res = analyse(trial.table, trial.mapping)
    assert len(res) >= 2

    # the real pages: upload through the file uploader, use it, open the Outcomes page
    at = AppTest.from_file(str(ROOT / "pages" / "8_Data.py"), default_timeout=120).run()
    at.file_uploader(key="data_file").set_value((f"{marker}.csv", raw, "text/csv")).run()
    at.button(key="data_use").click().run()
    assert not at.exception
    name = at.session_state["cfg_dataset"]
    assert marker in name
    for page in sorted((ROOT / "pages").glob("*_Outcomes.py")):
        out = AppTest.from_file(str(page), default_timeout=120)
        out.session_state["datasets"] = at.session_state["datasets"]
        out.session_state["cfg_dataset"] = name
        out.run()
        assert not out.exception

    after = snapshot()
    leaked = files_with(marker.encode(), before, after)
    assert leaked == [], f"uploaded data found on disk in: {leaked}"


def test_usage_statistics_off_and_upload_limit_consistent():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["server"]["maxUploadSize"] == upload.MAX_UPLOAD_MB
    # Streamlit must not persist cached results to disk
    for f in [*(ROOT / "dashboard").glob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        text = f.read_text().replace(" ", "")
        assert 'persist="disk"' not in text and "persist='disk'" not in text, f


def test_data_package_has_no_disk_writes():
    """The upload and mapping code never opens files for writing."""
    for f in ("dashboard/upload.py", "fd_stats/data/mapping.py", "fd_stats/data/validate.py",
              "fd_stats/data/aggregate.py", "pages/8_Data.py"):
        text = (ROOT / f).read_text()
        for bad in ("open(", ".write_bytes(", ".write_text(", "to_csv(path", "tempfile",
                    "NamedTemporaryFile"):
            assert bad not in text, (f, bad)
