"""`--also permutation` (Settings.extra_tests) re-randomises within the strata when the mapping
names randomisation strata, as the trial was randomised.

Reference: tests/r/methods.R, exact enumeration in R (combn within each stratum) of the blocked
difference on tests/r/strat_perm_sub.csv (3 and 5 people treated in its two strata): p two-sided
0.333333333333, less 0.166666666667, greater 0.883333333333 (60 allocations); the same values
test_methods.py checks for the registry's permutation method.
"""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fd_stats import Settings, analyse
from fd_stats.analysis import Mapping

HERE = Path(__file__).resolve().parent
SUB = HERE / "r" / "strat_perm_sub.csv"
R_P = {"two-sided": 0.333333333333, "less": 0.166666666667, "greater": 0.883333333333}


@pytest.mark.parametrize("alt", list(R_P))
def test_extra_permutation_column_is_stratified_when_strata_are_given(alt):
    df = pd.read_csv(SUB)
    res = analyse(df, Mapping(outcomes=("y",), strata=("s",)),
                  Settings(alternative=alt, extra_tests=("permutation",)))
    row = res.iloc[0]
    assert row["test"] == "welch"  # the primary method is unchanged
    assert row["p_permutation"] == pytest.approx(R_P[alt], rel=1e-9)
    assert row["n_resamples_permutation"] == 60  # every allocation within the strata
    assert "within 2 strata" in row["method_permutation"]
    # the primary permutation row (already stratified) and the column agree
    prim = analyse(df, Mapping(outcomes=("y",), strata=("s",)),
                   Settings(test="permutation", alternative=alt, extra_tests=("permutation",)))
    assert prim.iloc[0]["p_value"] == pytest.approx(prim.iloc[0]["p_permutation"], rel=1e-12)


def test_without_strata_the_column_is_the_plain_permutation_test():
    df = pd.read_csv(SUB)
    res = analyse(df, Mapping(outcomes=("y",)), Settings(extra_tests=("permutation",)))
    assert "strata" not in res.iloc[0]["method_permutation"]
    assert res.iloc[0]["p_permutation"] != pytest.approx(R_P["two-sided"], rel=1e-6)


def test_cli_also_permutation_with_strata():
    out = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", str(SUB), "--outcome", "y",
                          "--strata", "s", "--also", "permutation", "--format", "json"],
                         capture_output=True, text=True, check=True, cwd=HERE.parent)
    rows = json.loads(out.stdout)
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert rows[0]["p_permutation"] == pytest.approx(R_P["two-sided"], rel=1e-9)
