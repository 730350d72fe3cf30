"""The command line: analyse / audit / power, formats, and one-line errors with exit status 2."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import r_reference as R
from fd_stats.cli.main import main
from fd_stats.data.trial import BUNDLED_TRIAL

PEOPLE = str(BUNDLED_TRIAL / "people.csv")
JSON_FIELDS = {"outcome", "subgroup", "test", "alternative", "n_treatment", "n_control",
               "n_missing", "mean_treatment", "mean_control", "sd_treatment", "sd_control",
               "difference", "ci_low", "ci_high", "percent_change", "percent_change_ci_low",
               "percent_change_ci_high", "statistic", "df", "p_value", "p_adjusted",
               "significant", "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high"}


def run(*args):
    proc = subprocess.run([sys.executable, "-m", "fd_stats", *args], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[1])
    return proc.returncode, proc.stdout, proc.stderr


def test_json_has_every_field_and_one_sided_infinite_bounds(capsys):
    assert main(["analyse", PEOPLE, "--outcome", "suspect_knife", "--outcome",
                 "victim_knife,suspect_harm", "--alternative", "less", "--subgroup",
                 "age_group", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert JSON_FIELDS <= set(rows[0])
    assert [r["outcome"] for r in rows[:3]] == ["suspect_knife", "victim_knife", "suspect_harm"]
    assert {r["subgroup"] for r in rows} == {"All", "11-17", "18-25"}
    assert all(r["ci_low"] == -math.inf for r in rows)
    knife = next(r for r in rows if r["outcome"] == "suspect_knife" and r["subgroup"] == "All")
    assert round(knife["p_value"], 5) == 0.08084  # Appendix B, all ages knife (one-sided)


def test_table_format_reads_like_the_report():
    code, out, err = run("analyse", PEOPLE, "--subgroup", "age_group", "--format", "table")
    assert code == 0, err
    assert "two-sided" in out and "suspect_knife" in out and "11-17" in out


def test_output_is_complete_through_a_pipe():
    """`python -m fd_stats` leaves without the interpreter's teardown (os._exit), so it must
    flush its output first: through a pipe stdout is block-buffered. This sandbox sets
    PYTHONUNBUFFERED, which would hide a missing flush, so the child runs without it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    # one outcome: an output smaller than the buffer (a larger write goes straight through)
    proc = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", PEOPLE, "--subgroup",
                           "age_group", "--outcome", "suspect_knife", "--format", "json"],
                          capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) < 8192
    rows = json.loads(proc.stdout)
    assert [r["subgroup"] for r in rows] == ["All", "11-17", "18-25"]
    assert proc.stderr.startswith("note: from the trial specification")
    bad = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", "no-such-file.csv"],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and bad.stderr.startswith("error: File not found")


def test_csv_escapes_formulas(tmp_path):
    f = tmp_path / "evil.csv"
    f.write_text("arm,=HYPERLINK(1),y\ntreatment,=cmd|' /C calc'!A0,1\ncontrol,+x,2\n"
                 "treatment,a,3\ncontrol,b,5\n")
    code, out, err = run("analyse", str(f), "--outcome", "y", "--subgroup", "=HYPERLINK(1)",
                         "--format", "csv")
    assert code == 0, err
    import csv
    import io
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'=HYPERLINK(1)" in cells
    for c in cells:
        if c[:1] in ("=", "+", "-", "@"):
            float(c)  # only numbers may start like a formula


def test_audit_finds_eight_one_sided_rows(capsys):
    assert main(["audit", str(BUNDLED_TRIAL / "appendix_b.csv"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sum(r["sidedness"] == "one-sided" for r in rows) == 8
    assert sum(r["sidedness"] == "two-sided" for r in rows) == 12


def test_power_matches_r(capsys):
    case = next(c for c in R.POWER_T_TEST if c["solve_for"] == "n" and c["alternative"] == "two.sided"
                and not c["strict"])
    assert main(["power", "--delta", str(case["delta"]), "--sd", str(case["sd"]), "--power",
                 str(case["power"]), "--alpha", str(case["sig_level"]), "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert abs(row["n_per_arm"] - case["n"]) < 1e-4


@pytest.mark.parametrize("args,words", [
    (["analyse", "missing.csv"], "File not found"),
    (["analyse", PEOPLE, "--arm", "nope"], "no column named 'nope'"),
    (["analyse", PEOPLE, "--outcome", "nope"], "not found: nope"),
    (["analyse", PEOPLE, "--alpha", "2"], "alpha"),
    (["analyse", PEOPLE, "--test", "magic"], "invalid choice"),
    (["power", "--sd", "1"], "needs --delta"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_gives_one_error_line_and_status_2(args, words):
    code, out, err = run(*args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0]
    assert "Traceback" not in err


RSS_AFTER_FREE = """
import sys, threading, numpy as np
from fd_stats.cli.main import reuse_freed_memory
print(reuse_freed_memory())
def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
def columns():  # 100 MB columns, as at 12.5 million people
    for _ in range(3):
        a = np.ones(12_500_000)
        del a
before = rss_mb()
worker = threading.Thread(target=columns)  # as the analysis threads do
worker.start()
worker.join()
print(rss_mb() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="Linux only")
@pytest.mark.parametrize("operator_env", [None, "MALLOC_ARENA_MAX"])
def test_the_command_keeps_freed_columns_for_reuse(operator_env):
    """`python -m fd_stats` has glibc keep a freed 100 MB column in the heap for the next one,
    also in a thread (by default glibc returns it and the next is faulted in and zeroed
    again: the system time that grew faster than the people at 10M). An operator's own
    MALLOC_* setting wins."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    if operator_env:
        env[operator_env] = "2"
    out = subprocess.run([sys.executable, "-c", RSS_AFTER_FREE], capture_output=True, text=True,
                         env=env, cwd=Path(__file__).resolve().parents[1], check=True)
    was_set, kept_mb = out.stdout.split()
    assert was_set == ("False" if operator_env else "True")
    if operator_env:
        assert float(kept_mb) < 20     # handed back at once, as glibc does by default
    else:
        assert float(kept_mb) > 90     # kept for the next column


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("misspelt", [["--outcome", "y_typo"], ["--outcome", "y", "--arm", "arms"]])
def test_a_misspelt_column_is_answered_with_every_column_of_the_file(tmp_path, suffix, misspelt):
    """The command reads only the named columns of a file; a name not in it must not make the
    message list just the columns that were read (it said "Columns are: 'arm'")."""
    import pandas as pd

    table = pd.DataFrame({"person_id": range(6), "arm": ["treatment", "control"] * 3,
                          "age": [15, 20] * 3, "y": [1, 2, 0, 3, 1, 4]})
    path = tmp_path / f"people{suffix}"
    table.to_csv(path, index=False) if suffix == ".csv" else table.to_parquet(path)
    code, out, err = run("analyse", str(path), *misspelt)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "Columns are: 'person_id', 'arm', 'age', 'y'." in err


def test_a_profiler_still_gets_its_report():
    """The command skips the interpreter's teardown, except under a profiler or coverage,
    which write their reports at exit."""
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-s", "tottime", "-m", "fd_stats",
                           "analyse", PEOPLE, "--outcome", "suspect_knife"],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    assert "suspect_knife" in proc.stdout and "Ordered by: internal time" in proc.stdout
