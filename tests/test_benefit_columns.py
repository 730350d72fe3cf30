"""The probability of benefit as columns of analyse()'s results, and the primary method named in
the trial specification.

Reference values: tests/r/benefit.R (R 4.x, sandwich) on data/focused_deterrence/people.csv; the
call and the prior are beside each value. The effects and standard errors there come from R's own
fits (t.test, glm + vcovHC HC0, the unpooled Wald SE of a risk difference), the posterior from
pnorm, so nothing is copied from the engine.
"""
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fd_stats import Settings, analyse
from fd_stats.analysis import Mapping
from fd_stats.errors import DataError
from fd_stats.data.mapping import mapping_from_json
from fd_stats.data.trial import load_trial

TRIAL = load_trial()

# (method, outcome, subgroup level, direction, prior) -> (prob_benefit, prob_benefit_min), R values
R_VALUES = {
    # t.test(suspect_harm ~ arm) Welch; theta = difference, se = $stderr; lower is better
    ("welch", "suspect_harm", "All", "lower", "flat"): (0.982544965226, 0.956868027342),
    ("welch", "suspect_harm", "All", "lower", "sceptical"): (0.932581014503, 0.826273542575),
    # same, 11-17 only, knife crimes as suspect
    ("welch", "suspect_knife", "11-17", "lower", "flat"): (0.971769166406, 0.943608325560),
    ("welch", "suspect_knife", "11-17", "lower", "sceptical"): (0.886853344541, 0.758939635177),
    # victim harm with "higher is better" (direction chosen for this test only)
    ("welch", "victim_harm", "All", "higher", "flat"): (0.400520531888, 0.322434788452),
    ("welch", "victim_harm", "All", "higher", "sceptical"): (0.452829097378, 0.286819865325),
    # glm(suspect_knife ~ arm + log1p(suspect_knife_pre12m), poisson), vcovHC(type = "HC0")
    ("poisson", "suspect_knife", "All", "lower", "flat"): (0.970770258568, 0.937210971619),
    ("poisson", "suspect_knife", "All", "lower", "sceptical"): (0.927655261271, 0.839134233160),
    # risk difference of any violent crime as suspect, unpooled Wald SE
    ("prevalence", "suspect_violent", "All", "lower", "flat"): (0.992413001005, 0.954592938072),
    ("prevalence", "suspect_violent", "All", "lower", "sceptical"): (0.983978599256,
                                                                     0.904740144552),
}


def _mapping(direction_of_victim_harm="lower"):
    m = replace(TRIAL.mapping, subgroup="age_group")
    dirs = dict(m.directions, victim_harm=direction_of_victim_harm)
    return replace(m, directions=tuple(dirs.items()))


@pytest.mark.parametrize("key", list(R_VALUES), ids=lambda k: "-".join(k))
def test_probability_of_benefit_columns_match_r(key):
    method, outcome, level, direction, prior = key
    res = analyse(TRIAL.table, _mapping(direction), Settings(test=method, benefit_prior=prior))
    row = res[(res["outcome"] == outcome) & (res["subgroup"] == level)].iloc[0]
    want, want_min = R_VALUES[key]
    assert row["prob_benefit"] == pytest.approx(want, rel=1e-6)
    assert row["prob_benefit_min"] == pytest.approx(want_min, rel=1e-6)
    assert row["benefit_min_change"] == 0.10
    assert row["benefit_method"].startswith("Bayesian")
    assert ("flat prior" if prior == "flat" else "sceptical prior") in row["benefit_method"]


def test_extra_method_rows_carry_their_own_probability():
    res = analyse(TRIAL.table, TRIAL.mapping, Settings(methods=("poisson",)))
    row = res[(res["test"] == "poisson") & (res["outcome"] == "suspect_knife")
              & (res["subgroup"] == "All")].iloc[0]
    assert row["prob_benefit"] == pytest.approx(0.970770258568, rel=1e-6)  # R, as above


def test_no_direction_gives_no_probability_and_says_why():
    for direction in (None, "neither"):
        res = analyse(TRIAL.table, _mapping(direction), Settings())
        row = res[(res["outcome"] == "victim_harm") & (res["subgroup"] == "All")].iloc[0]
        assert np.isnan(row["prob_benefit"]) and np.isnan(row["prob_benefit_min"])
        assert "direction has not been chosen" in row["benefit_method"]
    # a Mapping written before directions existed: no probability anywhere, nothing crashes
    old = Mapping(outcomes=("suspect_harm",))
    res = analyse(TRIAL.table, old, Settings())
    assert res["prob_benefit"].isna().all()


def test_rank_tests_have_no_standard_error_so_no_probability():
    res = analyse(TRIAL.table, TRIAL.mapping, Settings(test="mann-whitney"))
    assert res["prob_benefit"].isna().all()
    assert res["benefit_method"].str.contains("Not estimable").all()


def test_bad_benefit_settings_are_named():
    with pytest.raises(DataError, match="benefit_prior"):
        analyse(TRIAL.table, TRIAL.mapping, Settings(benefit_prior="optimistic"))
    with pytest.raises(DataError, match="benefit_min_change"):
        analyse(TRIAL.table, TRIAL.mapping, Settings(benefit_min_change=1.5))


# ------------------------------------------------------------ primary method in the specification

def test_bundled_trial_names_welch_as_its_primary_method():
    assert TRIAL.spec.method == "welch"
    assert "Appendix B" in TRIAL.meta["analysis"]["note"]


def test_primary_method_round_trips_and_bad_values_are_named():
    d = TRIAL.spec.to_dict()
    assert d["method"] == "welch"
    d["method"] = "poisson"
    assert mapping_from_json(json.dumps(d)).method == "poisson"
    assert mapping_from_json(mapping_from_json(json.dumps(d)).to_json()).method == "poisson"
    del d["method"]  # files saved before the key existed
    assert mapping_from_json(json.dumps(d)).method == "welch"
    d["method"] = "t-test"
    with pytest.raises(DataError, match="'method' .*must be one of welch"):
        mapping_from_json(json.dumps(d))
    d["method"] = "blocked"  # needs strata, and the bundled design has none
    with pytest.raises(DataError, match="names no strata"):
        mapping_from_json(json.dumps(d))
    d["design"] = dict(d["design"], type="stratified", strata=["age_group"])
    assert mapping_from_json(json.dumps(d)).method == "blocked"


def test_to_mapping_fills_design_and_directions():
    m = TRIAL.spec.to_mapping()
    assert dict(m.baselines)["suspect_knife"] == "suspect_knife_pre12m"
    assert dict(m.directions)["suspect_knife"] == "lower"
    spec = replace(TRIAL.spec, covariates=["suspect_harm_pre12m"])
    assert spec.to_mapping().covariates == ("suspect_harm_pre12m",)


# ------------------------------------------------------------ pages: sidebar default and Overview

def _app(page="app.py"):
    from pathlib import Path
    from streamlit.testing.v1 import AppTest
    root = Path(__file__).resolve().parents[1]
    return AppTest.from_file(str(root / page), default_timeout=180)


def test_sidebar_opens_with_the_data_sets_primary_method_and_follows_a_switch():
    import copy
    poisson_trial = copy.deepcopy(TRIAL)
    poisson_trial.name = "Same people, Poisson named as primary (synthetic)"
    poisson_trial.spec = replace(TRIAL.spec, method="poisson")
    at = _app()
    at.run()
    assert at.sidebar.selectbox(key="w_test").value == "welch"  # the bundled plan: Welch
    datasets = dict(at.session_state["datasets"])
    datasets[poisson_trial.name] = poisson_trial
    at.session_state["datasets"] = datasets
    at.run()  # the new data set is offered
    assert at.sidebar.selectbox(key="w_test").value == "welch"
    at.sidebar.selectbox(key="w_dataset").set_value(poisson_trial.name).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="w_test").value == "poisson"
    assert any("Poisson rate ratio" in m.value for m in at.markdown)  # "Current settings"
    # a choice made by hand holds while the data set stays
    at.sidebar.selectbox(key="w_test").set_value("student").run()
    at.run()
    assert at.sidebar.selectbox(key="w_test").value == "student"
    # back to the bundled trial: its own primary method again
    at.sidebar.selectbox(key="w_dataset").set_value(next(iter(datasets))).run()
    assert at.sidebar.selectbox(key="w_test").value == "welch"


def test_overview_cards_give_the_probability_of_benefit_with_its_prior():
    at = _app()
    at.run()
    assert not at.exception
    res = analyse(TRIAL.table, TRIAL.mapping, Settings())
    harm = res[(res["outcome"] == "suspect_harm") & (res["subgroup"] == "All")].iloc[0]
    want = (f"**Bayesian, flat prior:** {harm['prob_benefit']:.0%} probability the programme "
            "lowered it")
    texts = [c.value for c in at.caption]
    line = next(t for t in texts if t.startswith(want))
    assert line.endswith("Not a p-value.")
    assert f"{harm['prob_benefit_min']:.0%} that it lowered it by at least 10% of the" in line


# ------------------------------------------------------------ exports

def _pack(**options):
    from dashboard import export as E
    res = analyse(TRIAL.table, TRIAL.mapping, Settings())
    return E, E.build_content(TRIAL, TRIAL.mapping, Settings(), res, generated="2026-01-01",
                              options=E.PackOptions(images=False, **options))


def test_exports_carry_the_probability_of_benefit_with_its_prior():
    import io
    E, pack = _pack()
    res = pack.results
    harm = res[(res["outcome"] == "suspect_harm") & (res["subgroup"] == "All")].iloc[0]
    # CSV: the columns, rounded to 6 significant digits, and the prior named in each row
    csv = pd.read_csv(io.BytesIO(E.csv_bytes(pack)))
    row = csv[csv["outcome"] == "suspect_harm"].iloc[0]
    assert row["prob_benefit"] == pytest.approx(0.982544965226, rel=1e-5)  # R, tests/r/benefit.R
    assert row["benefit_method"].startswith("Bayesian") and "flat prior" in row["benefit_method"]
    # the people's table (HTML report, Excel's second sheet) and the settings say Bayesian
    disp = E.display_table(pack)
    col = next(c for c in disp.columns if c.startswith("Probability of benefit (Bayesian, flat"))
    assert disp[col].iloc[0] == (f"{harm['prob_benefit']:.0%} (at least 10%: "
                                 f"{harm['prob_benefit_min']:.0%})")
    assert dict(pack.settings_block)["Probability of benefit"].startswith("Bayesian")
    # the headline findings (HTML report and slides)
    f = pack.findings[0]
    assert f.benefit.startswith(f"Bayesian, flat prior: {harm['prob_benefit']:.0%} probability")
    html = E.html_bytes(pack).decode()
    assert f.benefit.replace("(", "").split(";")[0][:40] in html.replace("(", "")


def test_disclosure_hides_the_probability_with_the_comparison():
    E, pack = _pack(threshold=1000)  # every mean hidden
    marked = pack.protected.marked()
    assert (marked["prob_benefit"] == E.MARKER).all()
    assert (marked["std_error"] == E.MARKER).all()
    col = next(c for c in E.display_table(pack).columns if c.startswith("Probability of benefit"))
    assert (E.display_table(pack)[col] == E.MARKER).all()
    assert all(not f.benefit for f in pack.findings)


def test_cli_takes_directions_from_the_trial_specification_beside_the_file():
    """`python -m fd_stats analyse data/focused_deterrence/people.csv`: the trial.toml beside it
    says lower is better, so the rows carry the probability of benefit (R value as above)."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "fd_stats", "analyse",
                          "data/focused_deterrence/people.csv", "--also", "none",
                          "--format", "json"], capture_output=True, text=True, check=True,
                         cwd=root)
    rows = json.loads(out.stdout)
    rows = rows["results"] if isinstance(rows, dict) else rows
    harm = next(r for r in rows if r["outcome"] == "suspect_harm" and r["subgroup"] == "All")
    assert harm["prob_benefit"] == pytest.approx(0.982544965226, rel=1e-6)  # tests/r/benefit.R
    assert harm["benefit_method"].startswith("Bayesian")
