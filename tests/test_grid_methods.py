"""The threshold grid gains the models (count models, prevalence, Lin) where they apply to the
outcome's kind, so a reader sees which conclusions depend on the model.

Reference values: tests/r/grid_methods.R (R 4.x, MASS, sandwich) on the bundled synthetic
trial, all ages, count models adjusted for log(1 + the 12-month baseline):
  Poisson  glm(y ~ arm + log1p(y_pre12m), poisson), z from sqrt(vcovHC(type = "HC0")[2, 2])
  NB       MASS::glm.nb(y ~ arm + log1p(y_pre12m)), z from summary()
  Fisher   fisher.test(table(arm, y > 0)), alternative "two.sided" / "less"
  Holm     p.adjust(p, "holm") over the 8 count outcomes
"""
from dataclasses import replace

import numpy as np
import pytest

from fd_stats.thresholds import (GRID_TESTS, choice_summary, depends_on_choice, flip_summary,
                                 grid_methods, threshold_grid)
from fd_stats.data.trial import load_trial

TRIAL = load_trial()
KINDS = {o.column: o.kind for o in TRIAL.outcomes}
COUNTS = [c for c, k in KINDS.items() if k == "count"]

R_P = {  # (method, outcome) -> (two-sided p, one-sided "less" p)
    ("poisson", "suspect_knife"): (0.0584594828631, 0.0292297414315),
    ("poisson", "victim_violent"): (0.0646231081844, 0.0323115540922),
    ("poisson", "victim_non_police_initiated"): (0.144961716654, 0.927519141673),
    ("negative-binomial", "suspect_violent"): (0.0470518501865, 0.0235259250932),
    ("negative-binomial", "suspect_non_police_initiated"): (0.0259345023085, 0.0129672511542),
    ("prevalence", "suspect_violent"): (0.0243756282791, 0.0132432045876),
    ("prevalence", "victim_knife"): (1.0, 0.588106994057),
}
# p.adjust(fisher two-sided p of the 8 count outcomes, "holm")
R_HOLM_PREVALENCE = {"suspect_knife": 1.0, "suspect_violent": 0.170629397954,
                     "suspect_violent_sexual": 0.170629397954,
                     "suspect_non_police_initiated": 0.132378566191, "victim_knife": 1.0}


@pytest.fixture(scope="module")
def grid():
    return threshold_grid(TRIAL.table, TRIAL.mapping,
                          methods=grid_methods(KINDS, TRIAL.mapping))


def test_methods_follow_the_outcomes_kind_baseline_and_strata():
    m = grid_methods(KINDS, TRIAL.mapping)
    scores = [c for c, k in KINDS.items() if k == "score"]
    assert set(m["negative-binomial"]) == set(COUNTS)  # not for crime harm (not whole numbers)
    assert set(m["poisson"]) == set(m["prevalence"]) == set(COUNTS + scores)
    assert set(m["lin"]) == set(KINDS)  # every outcome has a (synthetic) baseline
    assert "blocked" not in m  # no strata in the bundled design
    assert grid_methods({"spend": "continuous"}) == {}
    assert grid_methods({"reoffended": "binary"}) == {"prevalence": ("reoffended",)}
    strat = replace(TRIAL.mapping, strata=("age_group",), baselines=())
    m = grid_methods({"spend": "continuous"}, strat)
    assert m == {"blocked": ("spend",)}


@pytest.mark.parametrize("key", list(R_P), ids=lambda k: "-".join(k))
def test_model_p_values_in_the_grid_match_r(grid, key):
    method, outcome = key
    g = grid[(grid["test"] == method) & (grid["outcome"] == outcome) & (grid["subgroup"] == "All")
             & (grid["correction"] == "none")]
    for alt, want in zip(("two-sided", "less"), R_P[key]):
        got = g.loc[g["alternative"] == alt, "p_value"].unique()
        assert len(got) == 1 and got[0] == pytest.approx(want, rel=1e-6)


def test_a_model_is_judged_only_for_the_outcomes_it_applies_to(grid):
    per = grid[grid["subgroup"] == "All"].groupby("outcome")["test"].unique()
    assert "negative-binomial" not in per["suspect_harm"]
    assert set(per["suspect_knife"]) == {*GRID_TESTS, "poisson", "negative-binomial",
                                         "prevalence", "lin"}
    fs = flip_summary(grid).set_index("outcome")
    assert fs.loc["suspect_knife", "n_combinations"] == 8 * 64  # 8 tests and models
    assert fs.loc["suspect_harm", "n_combinations"] == 7 * 64


def test_corrections_count_the_outcomes_a_model_was_run_on():
    kinds = {c: ("continuous" if k == "score" else k) for c, k in KINDS.items()}
    g = threshold_grid(TRIAL.table, TRIAL.mapping, tests=(), corrections=("holm",),
                       alternatives=("two-sided",), alphas=(0.05,),
                       methods={"prevalence": grid_methods(kinds)["prevalence"]})
    g = g[g["subgroup"] == "All"].set_index("outcome")
    assert set(g.index) == set(COUNTS)
    for outcome, want in R_HOLM_PREVALENCE.items():
        assert g.loc[outcome, "p_adjusted"] == pytest.approx(want, rel=1e-6)


def test_sentences_name_the_models_a_finding_needs(grid):
    text = " ".join(depends_on_choice(grid))
    # victim violent-or-sexual crimes: significant only with the models, not with any test
    line = next(s for s in depends_on_choice(grid)
                if s.startswith("Violent or sexual crimes as victim"))
    assert "Poisson rate ratio" in line and "Welch" not in line.split("; for example")[0]
    assert "combinations" in text
    assert choice_summary(grid).startswith("Across 448 to 512 combinations")
    # without the models the same outcome is never significant: the model decides
    plain = threshold_grid(TRIAL.table, TRIAL.mapping)
    fs = flip_summary(plain).set_index("outcome")
    assert fs.loc["victim_violent_sexual", "status"] == "never"
    assert np.isnan(fs.loc["victim_violent_sexual", "min_alpha"])


def test_negative_binomial_without_over_dispersion_says_so():
    """victim_knife (adjusted): R's glm.nb stops at its iteration limit (theta.ml, NaN SE;
    tests/r/grid_methods.R prints NA); the engine's dispersion runs to the Poisson limit and
    the row says so. Its estimate is then the Poisson one (R: the Poisson fit above)."""
    from fd_stats import Settings, analyse
    res = analyse(TRIAL.table, TRIAL.mapping, Settings(test="negative-binomial",
                                                       methods=("poisson",)))
    row = res[(res["outcome"] == "victim_knife") & (res["subgroup"] == "All")]
    nb, pois = row.iloc[0], row.iloc[1]
    assert "No over-dispersion" in nb["note"]
    assert nb["estimate"] == pytest.approx(pois["estimate"], rel=1e-4)
    knife = res[(res["outcome"] == "suspect_knife") & (res["subgroup"] == "All")].iloc[0]
    assert "over-dispersion" not in knife["note"]  # theta = 2.5 there
