"""Hostile and broken files: a clear message in Python and on the command line, never a traceback.

Each file goes through fd_stats.data.io.read_table + validate + analyse, and through
``python -m fd_stats analyse FILE`` (exit code 2, one stderr line starting 'error:').
"""
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fd_stats import Mapping, analyse
from fd_stats.errors import DataError
from fd_stats.data.io import read_table
from fd_stats.data.validate import validate

ROOT = Path(__file__).resolve().parents[1]
GOOD = "arm,y,name\ntreatment,1,José\ncontrol,2,Zoë\ntreatment,3,Ana\ncontrol,0,Bo\n"


def _parquet(text: str) -> bytes:
    buf = io.BytesIO()
    pd.read_csv(io.StringIO(text)).to_parquet(buf)
    return buf.getvalue()


def _wide(n: int) -> bytes:
    head = "arm," + ",".join(f"c{i}" for i in range(n))
    rows = [f"{a}," + ",".join(str((i + r) % 7) for i in range(n))
            for r, a in enumerate(("treatment", "control") * 2)]
    return ("\n".join([head, *rows]) + "\n").encode()


def _rows(values, arms=("treatment", "treatment", "control", "control")) -> bytes:
    return ("arm,y\n" + "".join(f"{a},{v}\n" for a, v in zip(arms, values))).encode()


# name -> (file name, bytes)
HOSTILE = {
    "empty": ("empty.csv", b""),
    "whitespace only": ("blank.csv", b"\n \n\t\n"),
    "binary garbage": ("garbage.csv",
                       np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8).tobytes()),
    "truncated parquet": ("cut.parquet", _parquet(GOOD)[:300]),
    "csv renamed parquet": ("fake.parquet", GOOD.encode()),
    "fake excel": ("fake.xlsx", GOOD.encode()),
    "corrupt zip as excel": ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200),
    "old xls": ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
    "ragged rows": ("ragged.csv", b"arm,y,z\ntreatment,1\ncontrol,2,3,4,5\n"),
    "more fields than header": ("extra.csv", b"arm,y\ntreatment,1,5\ncontrol,2,4\n"
                                b"treatment,3,3\ncontrol,0,1\n"),
    "header only": ("header.csv", b"arm,y\n"),
    # thousands of columns are no longer hostile: the limit is in cells (tests/test_sweep.py)
    "column full of text": ("text.csv", _rows(["abc", "def", "ghi", "jkl"])),
    "infinite values": ("inf.csv", _rows(["inf", 1, 2, 3])),
    "1e308": ("huge.csv", _rows(["1e308", 1, 2, "-1e308"])),
    "one person per arm": ("one.csv", _rows([1, 2], ("treatment", "control"))),
    "everyone identical": ("same.csv", _rows([1, 1, 1, 1])),
    "no arm column": ("noarm.csv", b"group,y\na,1\nb,2\na,3\nb,4\n"),
    "duplicate column names": ("dupe.csv", b"arm,y,y\ntreatment,1,2\ncontrol,2,3\n"
                               b"treatment,3,3\ncontrol,0,1\n"),
    "nul bytes in text": ("nul.csv", b"arm,y\ntreat\x00ment,1\ncontrol,2\n"),
}


def _python_path_message(name, raw):
    """The message the Python path gives (read, then validate, then analyse)."""
    try:
        table = read_table(raw, name=name)
        report = validate(table, Mapping())
        report.raise_if_blocking()
        analyse(table, Mapping())
    except DataError as exc:
        return str(exc)
    return None


def _params():
    return [pytest.param(name, raw, id=key) for key, (name, raw) in HOSTILE.items()]


@pytest.mark.parametrize("name, raw", _params())
def test_python_path_gives_a_message(name, raw):
    msg = _python_path_message(name, raw)
    assert msg, f"{name} was accepted"
    assert len(msg) > 10 and "Traceback" not in msg


def test_extra_fields_are_not_silently_shifted():
    with pytest.raises(DataError, match="fields"):
        read_table(b"arm,y\ntreatment,1,5\ncontrol,2,4\n", name="extra.csv")


def test_duplicate_header_names_are_refused():
    with pytest.raises(DataError, match="more than once"):
        read_table(b"arm,y,y\ntreatment,1,2\ncontrol,2,3\n", name="dupe.csv")


@pytest.mark.parametrize("name, raw", _params())
def test_cli_exits_2_with_one_line(name, raw, tmp_path):
    path = tmp_path / name
    path.write_bytes(raw)
    run = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", str(path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 2, run.stdout[:500]
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), run.stderr


def test_cli_missing_file_and_folder(tmp_path):
    for target in (tmp_path / "nope.csv", tmp_path):
        run = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", str(target)],
                             capture_output=True, text=True, cwd=ROOT)
        assert run.returncode == 2 and run.stderr.startswith("error:")


# ---------------------------------------------------------------- encodings read correctly

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
def test_encodings_are_read(encoding):
    t = read_table(GOOD.encode(encoding), name="enc.csv")
    assert list(t.columns) == ["arm", "y", "name"]
    assert t["name"].tolist() == ["José", "Zoë", "Ana", "Bo"]
    res = analyse(t, Mapping(outcomes=("y",)))
    assert res.n_treatment.iloc[0] == 2


def test_utf16_without_bom():
    t = read_table(GOOD.encode("utf-16-le"), name="le.csv")
    assert t["name"].tolist() == ["José", "Zoë", "Ana", "Bo"]


def test_cli_reads_latin1(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes(GOOD.encode("latin-1"))
    run = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", str(p), "--outcome", "y"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


def test_markup_in_names_is_kept_as_text():
    raw = b"arm,<img src=x onerror=alert(1)>,[link](http://example.invalid)\n" \
          b"treatment,1,2\ncontrol,2,3\ntreatment,3,1\ncontrol,0,2\n"
    t = read_table(raw, name="markup.csv")
    assert t.columns[1] == "<img src=x onerror=alert(1)>"
    assert validate(t, Mapping()).ok


def test_many_columns_below_the_limit_still_work():
    t = read_table(_wide(1500), name="wide.csv")
    report = validate(t, Mapping(outcomes=("c1", "c2")))
    assert report.ok
