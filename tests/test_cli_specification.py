"""`python -m fd_stats analyse` without --outcome (issue 14): the trial specification's
outcomes, never its baseline columns.

The bundled people.csv carries synthetic baseline columns (``*_pre12m``) declared in
trial.toml as the baselines of its outcomes; they were analysed as outcomes before.
"""
import json
import shutil

import pandas as pd
import pytest

from fd_stats.cli.main import main
from fd_stats.data.trial import BUNDLED_TRIAL, load_trial

PEOPLE = BUNDLED_TRIAL / "people.csv"


def rows(capsys, *args):
    assert main(["analyse", *map(str, args), "--format", "json", "--also", "none"]) == 0
    out = capsys.readouterr()
    return json.loads(out.out), out.err


@pytest.mark.parametrize("name", ["people.csv", "people.parquet"])
def test_bundled_trial_uses_its_specification(capsys, name):
    got, err = rows(capsys, BUNDLED_TRIAL / name)
    spec = load_trial().spec
    assert [r["outcome"] for r in got] == spec.outcome_columns
    assert not any(r["outcome"].endswith("_pre12m") for r in got)
    assert "trial.toml" in err
    # the same numbers as naming the outcomes
    named, _ = rows(capsys, BUNDLED_TRIAL / name, "--outcome", ",".join(spec.outcome_columns))
    assert pd.DataFrame(got).equals(pd.DataFrame(named))


def test_named_outcomes_ignore_the_specification(capsys):
    got, err = rows(capsys, PEOPLE, "--outcome", "suspect_knife_pre12m")
    assert [r["outcome"] for r in got] == ["suspect_knife_pre12m"] and err == ""


def test_without_a_specification_declared_baselines_are_not_outcomes(tmp_path, capsys):
    shutil.copy(PEOPLE, tmp_path / "people.csv")
    got, _ = rows(capsys, tmp_path / "people.csv")
    outcomes = [r["outcome"] for r in got]
    assert "suspect_knife_pre12m" in outcomes      # undeclared: any numeric column may be one
    got, _ = rows(capsys, tmp_path / "people.csv", "--baseline",
                  "suspect_knife=suspect_knife_pre12m")
    outcomes = [r["outcome"] for r in got]
    assert "suspect_knife" in outcomes and "suspect_knife_pre12m" not in outcomes


def test_a_specification_for_another_file_is_not_used(tmp_path, capsys):
    shutil.copy(PEOPLE, tmp_path / "other.csv")
    shutil.copy(BUNDLED_TRIAL / "trial.toml", tmp_path / "trial.toml")   # names people.csv
    got, err = rows(capsys, tmp_path / "other.csv")
    assert "suspect_knife_pre12m" in [r["outcome"] for r in got] and "trial.toml" not in err


def test_a_broken_specification_is_named(tmp_path, capsys):
    shutil.copy(PEOPLE, tmp_path / "people.csv")
    (tmp_path / "trial.toml").write_text("[data\npeople_csv = 'people.csv'\n")
    assert main(["analyse", str(tmp_path / "people.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "trial.toml" in err and "--outcome" in err
