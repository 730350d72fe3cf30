"""Which registry methods suit which outcome kinds (issue 16): no rate ratio of money.

A rate ratio (Poisson, negative binomial) compares counts of events. The Poisson model with
its robust standard error needs only a mean of 0 or more, so it also suits scores (a ratio of
mean harm); the negative binomial is a likelihood for whole-number counts whose dispersion,
and so its interval, would change with a score's or an amount's unit. Prevalence ("at least
one") suits counts, scores and yes/no outcomes. The decision lives in the registry
(``METHOD_KINDS``, ``unsuited``); analyse skips unsuited (method, outcome) pairs and says so.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fd_stats import Mapping, Settings, analyse
from fd_stats.methods.registry import METHODS, methods_for, run_method, unsuited

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind, offered, left_out", [
    ("count", ["poisson", "negative-binomial", "prevalence", "prevalence-ratio"], []),
    ("score", ["poisson", "prevalence", "prevalence-ratio"], ["negative-binomial"]),
    ("binary", ["prevalence", "prevalence-ratio"], ["poisson", "negative-binomial"]),
    ("continuous", [], ["poisson", "negative-binomial", "prevalence", "prevalence-ratio"]),
])
def test_registry_offers_count_models_by_outcome_kind(kind, offered, left_out):
    models = ["poisson", "negative-binomial", "prevalence", "prevalence-ratio"]
    kept, why = methods_for(kind, models)
    assert kept == offered and sorted(why) == sorted(left_out)
    # the means and ranks methods suit every kind
    assert methods_for(kind)[0] == [m for m in METHODS if m not in left_out]
    for m in left_out:
        assert why[m].endswith(".") and len(why[m]) > 40
    if kind == "continuous":
        assert "rate ratio compares counts of events" in why["poisson"]
        assert "depend on the unit" in why["negative-binomial"]
        assert "Mann-Whitney" in why["poisson"]
    if kind == "binary":
        assert "risk difference and risk ratio" in why["poisson"]
        assert "over-dispersion" in why["negative-binomial"]
    assert unsuited("poisson", None) == ""  # kind unknown: every method, as asked


def table(n=600, seed=3):
    rng = np.random.default_rng(seed)
    arm = rng.choice(["treatment", "control"], n)
    return pd.DataFrame({
        "arm": arm,
        "area": rng.choice(["north", "south"], n),
        "crimes": rng.poisson(np.where(arm == "treatment", 0.8, 1.0)),
        "harm": np.where(rng.random(n) < 0.6, 0.0, np.round(rng.lognormal(2, 1.3, n), 2)),
        "cost": np.round(rng.lognormal(6, 1, n), 2),
        "reoffended": (rng.random(n) < 0.3).astype(int),
    })


KINDS = (("crimes", "count"), ("harm", "score"), ("cost", "continuous"),
         ("reoffended", "binary"))


def test_analyse_runs_each_method_only_on_outcomes_it_suits_and_says_why():
    t = table()
    mapping = Mapping(outcomes=tuple(o for o, _ in KINDS), subgroup="area", kinds=KINDS)
    res = analyse(t, mapping, Settings(methods=("poisson", "negative-binomial", "prevalence")))
    ran = {(m, o) for m, o in zip(res["test"], res["outcome"])}
    assert {o for m, o in ran if m == "poisson"} == {"crimes", "harm"}
    assert {o for m, o in ran if m == "negative-binomial"} == {"crimes"}
    assert {o for m, o in ran if m == "prevalence"} == {"crimes", "harm", "reoffended"}
    assert {o for m, o in ran if m == "welch"} == {"crimes", "harm", "cost", "reoffended"}
    assert len(res) == 3 * (4 + 2 + 1 + 3)  # All and two areas
    # a Poisson model of harm days estimates a ratio of mean harm, not a rate of events
    poisson = res[res.test == "poisson"].set_index("outcome")
    assert set(poisson.loc["harm", "estimate_label"]) == {"ratio of means"}
    assert set(poisson.loc["crimes", "estimate_label"]) == {"rate ratio"}
    assert all("ratio of means" in m and "rate ratio" not in m
               for m in poisson.loc["harm", "method"])
    left = {(m, o): why for m, outs, why in res.attrs["methods_left_out"] for o in outs}
    assert set(left) == {("poisson", "cost"), ("poisson", "reoffended"),
                         ("negative-binomial", "harm"), ("negative-binomial", "cost"),
                         ("negative-binomial", "reoffended"), ("prevalence", "cost")}
    assert left["negative-binomial", "harm"] == unsuited("negative-binomial", "score")
    # the rows that did run are the same as without kinds (nothing else changes)
    plain = analyse(t, replace_kinds(mapping, ()), Settings(
        methods=("poisson", "negative-binomial", "prevalence")))
    assert plain.attrs["methods_left_out"] == [] and len(plain) == 3 * 4 * 4
    key = ["test", "outcome", "subgroup"]
    merged = res.merge(plain, on=key, suffixes=("", "_plain"))
    assert len(merged) == len(res)
    for c in ("estimate", "ci_low", "ci_high", "p_value", "p_adjusted"):
        np.testing.assert_array_equal(merged[c], merged[c + "_plain"], err_msg=c)


def replace_kinds(mapping, kinds):
    from dataclasses import replace
    return replace(mapping, kinds=kinds)


def test_primary_method_on_an_outcome_it_does_not_suit_is_a_row_saying_why():
    t = table()
    mapping = Mapping(outcomes=("crimes", "cost"), kinds=KINDS)
    res = analyse(t, mapping, Settings(test="negative-binomial")).set_index("outcome")
    assert np.isfinite(res.loc["crimes", "estimate"])
    cost = res.loc["cost"]
    assert np.isnan(cost["estimate"]) and np.isnan(cost["p_value"])
    assert cost["note"] == "Not used: " + unsuited("negative-binomial", "continuous")
    assert cost["mean_treatment"] > 0  # the descriptive columns are still there
    assert res.attrs["methods_left_out"] == [
        ("negative-binomial", ("cost",), unsuited("negative-binomial", "continuous"))]


def test_specification_kinds_reach_analyse():
    from fd_stats.data.mapping import guess_spec

    spec, _ = guess_spec(table())
    kinds = dict(spec.to_mapping().kinds)
    assert kinds["crimes"] == "count" and kinds["reoffended"] == "binary"
    assert kinds["cost"] == "continuous" and kinds["harm"] == "score"


# R: tests/r/method_kinds.R, glm(harm ~ t, family = poisson) + sandwich::vcovHC(type = "HC0")
# on tests/r/method_kinds_data.csv (400 people, harm with two decimals, 60% zeros)
R_HARM = {"rr,se,z": (1.11643664419, 0.338596267098, 0.325290194763),
          "p two,less,greater": (0.744961451146, 0.627519274427, 0.372480725573),
          "ci95 two": (0.574937210579, 2.16794244232)}


def test_poisson_ratio_of_mean_harm_from_value_counts_matches_r():
    """More than 50 people with non-integer values: the fit uses both arms' value counts
    (frequency weights, linear in people), and equals R on one row per person."""
    d = pd.read_csv(ROOT / "tests" / "r" / "method_kinds_data.csv")
    t = d["t"].to_numpy() == 1
    rr, se, z = R_HARM["rr,se,z"]
    for alt, p in zip(("two-sided", "less", "greater"), R_HARM["p two,less,greater"]):
        res = run_method("poisson", d["harm"].to_numpy(), t, alternative=alt)
        assert res.estimate == pytest.approx(rr, rel=1e-9)
        assert res.std_error == pytest.approx(se, rel=1e-9)
        assert res.statistic == pytest.approx(z, rel=1e-9)
        assert res.p_value == pytest.approx(p, rel=1e-9)
        assert "non-whole values" in res.note
    res = run_method("poisson", d["harm"].to_numpy(), t)
    assert (res.ci_low, res.ci_high) == pytest.approx(R_HARM["ci95 two"], rel=1e-9)


def test_cli_notes_the_methods_left_out(tmp_path):
    path = tmp_path / "people.parquet"
    table(400).to_parquet(path, index=False)
    out = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", str(path),
                          "--add-method", "poisson,negative-binomial", "--format", "csv"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    res = pd.read_csv(pd.io.common.StringIO(out.stdout))
    # kinds guessed from values and names: crimes count, harm score, cost continuous (money
    # word), reoffended binary
    assert set(res.loc[res.test == "negative-binomial", "outcome"]) == {"crimes"}
    assert set(res.loc[res.test == "poisson", "outcome"]) == {"crimes", "harm"}
    notes = [line for line in out.stderr.splitlines() if line.startswith("note:")]
    # one line per method and reason, naming the outcomes
    assert f"note: negative-binomial not run on harm: {unsuited('negative-binomial', 'score')}" \
        in notes, out.stderr
    assert f"note: poisson not run on cost: {unsuited('poisson', 'continuous')}" in notes
    assert f"note: poisson not run on reoffended: {unsuited('poisson', 'binary')}" in notes
    assert len(notes) == 5


def test_outcomes_page_says_which_methods_a_score_does_not_get():
    """Every method for one outcome: a harm score (the bundled trial's kind 'score') gets no
    negative-binomial row, and the page says why (the registry's words), not silence."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "1_Outcomes.py"), default_timeout=120).run()
    at.selectbox(key="outcomes_detail_outcome").set_value("suspect_harm").run()
    assert not at.exception, [e.value for e in at.exception]
    detail = at.table[1].value
    assert "Negative-binomial rate ratio" not in detail.index
    assert "Poisson rate ratio (robust SE)" in detail.index
    why = unsuited("negative-binomial", "score")
    assert any(c.value.startswith("Not offered for a score outcome such as this:")
               and why in c.value for c in at.caption)
    at.selectbox(key="outcomes_detail_outcome").set_value("suspect_knife").run()
    assert not any(c.value.startswith("Not offered") for c in at.caption)  # a count: all
