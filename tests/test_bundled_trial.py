"""The bundled synthetic trial reproduces the report's Appendix B through the app's entry point.

Reference values are the printed Appendix B (data/focused_deterrence/appendix_b.csv,
copied from the report). Sidedness per row is what DOMAIN.md found: one-sided
(treatment lower) for the eight suspect count rows, two-sided otherwise.
"""
import hashlib
import shutil
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest

from fd_stats import Settings, analyse
from fd_stats.data.trial import BUNDLED_TRIAL, load_trial

APPENDIX = pd.read_csv(BUNDLED_TRIAL / "appendix_b.csv", dtype=str)
GROUP_LEVEL = {"all": "All", "under_18": "11-17"}


def printed_round(value: float, printed: str) -> bool:
    """Does ``value`` round to ``printed`` at the printed number of decimals?"""
    exp = -Decimal(printed).as_tuple().exponent
    return round(value, exp) == pytest.approx(float(printed), abs=10 ** -(exp + 3))


def sidedness(row) -> str:
    return "less" if row.role == "suspect" and row.outcome != "harm" else "two-sided"


@pytest.fixture(scope="module")
def trial():
    return load_trial()


@pytest.fixture(scope="module")
def results(trial):
    out = {}
    for alt in ("two-sided", "less"):
        out[alt] = analyse(trial.table, trial.mapping, Settings(alternative=alt)).set_index(
            ["outcome", "subgroup"])
    return out


def test_sizes(trial):
    t = trial.table
    assert len(t) == 131
    counts = t.groupby(["arm", "age_group"]).size().to_dict()
    assert counts == {("control", "11-17"): 50, ("control", "18-25"): 36,
                      ("treatment", "11-17"): 20, ("treatment", "18-25"): 25}


@pytest.mark.parametrize("row", list(APPENDIX.itertuples(index=False)),
                         ids=[f"{r.group}-{r.role}-{r.outcome}" for r in APPENDIX.itertuples()])
def test_appendix_b_row_reproduced(results, row):
    r = results[sidedness(row)].loc[(f"{row.role}_{row.outcome}", GROUP_LEVEL[row.group])]
    assert printed_round(r.mean_treatment, row.mean_treatment)
    assert printed_round(r.mean_control, row.mean_control)
    assert printed_round(r.statistic, row.t)
    assert printed_round(r.df, row.df)
    assert printed_round(r.p_value, row.p_reported)


def test_per_person_rules(trial):
    t = trial.table
    for role in ("suspect", "victim"):
        counts = t[[f"{role}_{o}" for o in ("knife", "violent", "violent_sexual",
                                            "non_police_initiated")]]
        assert (counts >= 0).all().all() and (counts == counts.round()).all().all()
        assert (t[f"{role}_violent_sexual"] >= t[f"{role}_violent"]).all()
        harm = t[f"{role}_harm"]
        assert (harm >= 0).all() and (harm.round(2) == harm).all()
        assert (harm[counts.sum(axis=1) > 0] > 0).all()
        assert (harm[counts.sum(axis=1) == 0] == 0).mean() > 0.5
        assert harm.skew() > 1  # skewed, a few large values


def test_engagement_as_reported(trial):
    t = trial.table[trial.table.arm == "treatment"]
    eng = t.groupby("age_group")["engaged"].agg(["sum", "size"])
    assert eng.loc["11-17"].tolist() == [17, 20]
    assert eng.loc["18-25"].tolist() == [10, 25]
    reasons = t[t.age_group == "18-25"]["non_engagement_reason"].fillna("").value_counts().to_dict()
    assert reasons == {"uncontactable": 7, "": 14, "secure estate": 2,
                       "withdrawn (mental-health suitability)": 1, "wanted by police": 1}
    assert trial.table[trial.table.arm == "control"]["engaged"].isna().all()


def test_csv_and_parquet_hold_the_same_people():
    csv = load_trial().table  # parquet is preferred by load_trial
    from fd_stats import read_table
    other = read_table(BUNDLED_TRIAL / "people.csv")
    cols = [c for c in csv.columns if c not in ("engaged",)]
    pd.testing.assert_frame_equal(csv[cols].reset_index(drop=True),
                                  other[cols].reset_index(drop=True), check_dtype=False)


def test_generator_rebuilds_byte_identical_files(tmp_path):
    for name in ("build.py", "build_extract.py"):
        shutil.copy(BUNDLED_TRIAL / name, tmp_path / name)
    subprocess.run([sys.executable, str(tmp_path / "build.py")], check=True, capture_output=True)
    for name in ("people.csv", "people.parquet", "appendix_b.csv", "trial.toml", "README.md",
                 "crimes.csv", "randomisation.csv"):
        a = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        b = hashlib.sha256((BUNDLED_TRIAL / name).read_bytes()).hexdigest()
        assert a == b, f"{name} differs when rebuilt"


def test_readme_first_line_says_synthetic():
    first = (BUNDLED_TRIAL / "README.md").read_text().splitlines()[0].lower()
    assert "synthetic" in first and "real person" in first
