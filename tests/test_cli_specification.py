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
    assert [r["outcome"] for r in got] == ["suspect_knife_pre12m"]
    assert "the outcomes" not in err  # the arm and directions still come from trial.toml


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


# --spec: an analyst's own trial, not the bundled one. Its arm column and values, outcomes,
# baselines, covariates, strata and primary method come from the specification saved on the
# Data page (or a trial.toml); the results must equal naming each of them as options.
BENEFIT = ["prob_benefit", "prob_benefit_min", "benefit_method"]  # need a direction


def _own_trial(tmp_path):
    import numpy as np

    from fd_stats.data.mapping import ColumnMapping, Design
    from fd_stats.data.trial import OutcomeSpec

    rng = np.random.default_rng(5)
    n = 120
    table = pd.DataFrame({"group": np.where(np.arange(n) % 2, "Intervention", "BAU"),
                          "site": rng.choice(["north", "south"], n),
                          "age": rng.integers(14, 19, n),
                          "days_absent_before": rng.poisson(6, n),
                          "days_absent": rng.poisson(5, n), "passed": rng.integers(0, 2, n)})
    table.to_csv(tmp_path / "school.csv", index=False)
    spec = ColumnMapping(
        "group", "Intervention", "BAU",
        [OutcomeSpec("days_absent", "Days absent", "days", "lower", "count",
                     baseline="days_absent_before"),
         OutcomeSpec("passed", "Passed the test", "", "higher", "binary")],
        covariates=["age"], design=Design("stratified", ["site"]), method="lin")
    (tmp_path / "school_mapping.json").write_text(spec.to_json())
    return tmp_path / "school.csv", tmp_path / "school_mapping.json"


def test_spec_gives_the_arm_outcomes_design_and_method(tmp_path, capsys):
    data, mapping = _own_trial(tmp_path)
    got, err = rows(capsys, data, "--spec", mapping)
    named, _ = rows(capsys, data, "--arm", "group", "--treatment", "Intervention",
                    "--control", "BAU", "--outcome", "days_absent,passed", "--method", "lin",
                    "--baseline", "days_absent=days_absent_before", "--covariate", "age",
                    "--strata", "site")
    assert [r["outcome"] for r in got] == ["days_absent", "passed"]
    got, named = pd.DataFrame(got), pd.DataFrame(named)
    assert set(got["test"]) == set(named["test"]) == {"lin"}
    assert got.drop(columns=BENEFIT).equals(named.drop(columns=BENEFIT))
    assert "school_mapping.json" in err and "the primary method" in err
    # which way is better comes from the specification: fewer days absent, more passes
    for outcome, better in (("days_absent", "lower"), ("passed", "higher")):
        one, _ = rows(capsys, data, "--spec", mapping, "--outcome", outcome, "--benefit", better)
        assert one[0]["prob_benefit"] == got.set_index("outcome").loc[outcome, "prob_benefit"]
    # without the specification the arm column is not found: the defaults are 'arm' etc.
    assert main(["analyse", str(data), "--outcome", "passed"]) == 2


def test_options_given_win_over_the_spec(tmp_path, capsys):
    data, mapping = _own_trial(tmp_path)
    got, err = rows(capsys, data, "--spec", mapping, "--method", "welch", "--outcome", "passed",
                    "--treatment", "BAU", "--control", "Intervention")
    plain, _ = rows(capsys, data, "--arm", "group", "--treatment", "BAU", "--control",
                    "Intervention", "--outcome", "passed", "--covariate", "age", "--strata",
                    "site")
    assert [r["outcome"] for r in got] == ["passed"]
    assert pd.DataFrame(got).drop(columns=BENEFIT).equals(pd.DataFrame(plain).drop(columns=BENEFIT))
    assert "the primary method" not in err and "the arm column" in err


def test_a_toml_spec_and_bad_spec_files(tmp_path, capsys):
    data = BUNDLED_TRIAL / "people.csv"
    got, _ = rows(capsys, data, "--spec", BUNDLED_TRIAL / "trial.toml")
    assert [r["outcome"] for r in got] == load_trial().spec.outcome_columns
    for name, text in (("nope.json", None), ("bad.json", "{not json"), ("spec.txt", "x"),
                       ("bad.toml", "[data\n")):
        if text is not None:
            (tmp_path / name).write_text(text)
        assert main(["analyse", str(data), "--spec", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and name in err and "Traceback" not in err
