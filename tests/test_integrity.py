"""Integrity checks and the evidence rating (fd_stats.integrity).

Reference values come from R (script: tests/r/integrity.R; each value sits beside its call) or,
for Lee (2009) bounds, which base R lacks, from hand computation written out in that script.
Generated trials have a known allocation imbalance, known differential attrition or a known
baseline imbalance, and the tests assert that flags and padlocks move as the rules say.
"""
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fd_stats.analysis import Mapping
from fd_stats.errors import DataError
from fd_stats.integrity import (Cutoffs, TrialFacts, allocation_check, attrition_table,
                                baseline_balance, equivalence_table, equivalence_test,
                                excluded_arm, facts_from_trial, integrity_report, lee_bounds,
                                replication_sizes, rule_out_sentence, smd, threat_drop)
from fd_stats.data.trial import load_trial

MAP = Mapping(outcomes=("y",))
BEST = TrialFacts(allocation_ratio=1.0, covariates=("x",), outcomes_prespecified=True)


@pytest.fixture(scope="module")
def trial():
    return load_trial()


def make_trial(n_t=400, n_c=400, *, shift=0.0, miss_t=0, miss_c=0, extra_rows=()):
    """A trial with an exactly known baseline SMD (``shift``, in SDs) and known missing counts.

    Baseline x: the same normal scores in both arms (treatment moved by ``shift``), so the
    SMD is shift / pooled SD exactly. Outcome y: normal scores, first ``miss_*`` set missing.
    """
    def scores(n):
        z = stats.norm.ppf((np.arange(n) + 0.5) / n)
        return z / z.std(ddof=1)

    yt, yc = scores(n_t) + 0.1, scores(n_c)
    yt[:miss_t] = np.nan
    yc[:miss_c] = np.nan
    rows = pd.DataFrame({"arm": ["treatment"] * n_t + ["control"] * n_c,
                         "x": np.r_[scores(n_t) + shift, scores(n_c)], "y": np.r_[yt, yc]})
    if extra_rows:
        rows = pd.concat([rows, pd.DataFrame({"arm": list(extra_rows), "x": 0.0, "y": 0.0})],
                         ignore_index=True)
    return rows


# ---------------------------------------------------------------- allocation

def test_allocation_bundled_against_r(trial):
    a = allocation_check(trial.table, trial.mapping, allocation_ratio=None)
    assert list(a["n_treatment"]) == [45] and list(a["n_control"]) == [86]
    # binom.test(45, 131, 0.5)$p.value
    assert a["p_value"][0] == pytest.approx(0.000430535738484424, rel=1e-9)
    assert not a["ratio_recorded"][0]
    # a planned 1:2 (treatment/control = 0.5): binom.test(45, 131, 1/3)$p.value
    b = allocation_check(trial.table, trial.mapping, allocation_ratio=0.5)
    assert b["p_value"][0] == pytest.approx(0.853005951003045, rel=1e-9)
    assert b["planned_share"][0] == pytest.approx(1 / 3)


def test_allocation_per_stratum_against_r(trial):
    a = allocation_check(trial.table, trial.mapping, allocation_ratio=1.0, strata=["age_group"])
    by = a.set_index("group")
    assert list(by.index) == ["All", "11-17", "18-25"]
    assert (by.loc["11-17", "n_treatment"], by.loc["11-17", "n_control"]) == (20, 50)
    # binom.test(20, 70, 0.5)$p.value ; binom.test(25, 61, 0.5)$p.value
    assert by.loc["11-17", "p_value"] == pytest.approx(0.000440285006513967, rel=1e-9)
    assert by.loc["18-25", "p_value"] == pytest.approx(0.200031368513103, rel=1e-9)


@pytest.mark.parametrize("n_t, n_c, p_r, level", [
    (70, 130, 2.65287555952684e-05, "high"),     # binom.test(70, 200, 0.5)$p.value
    (92, 108, 0.288820497174766, "low"),         # binom.test(92, 200, 0.5)$p.value
    (40, 60, 0.0568879336409809, "low"),         # binom.test(40, 100, 0.5)$p.value
    (30, 70, 7.85013964559369e-05, "high"),      # binom.test(30, 100, 0.5)$p.value
])
def test_known_allocation_imbalance_moves_the_threat(n_t, n_c, p_r, level):
    rep = integrity_report(make_trial(n_t, n_c), MAP, facts=BEST)
    assert rep.allocation["p_value"][0] == pytest.approx(p_r, rel=1e-9)
    threat = next(t for t in rep.rating.threats if t.name == "Allocation as planned")
    assert threat.level == level


def test_allocation_moderate_band_and_unrecorded_plan():
    # 85 of 200: binom.test(85, 200, 0.5) p ~ 0.0385 (moderate band 0.001-0.05)
    rep = integrity_report(make_trial(85, 115), MAP, facts=BEST)
    assert 0.001 < rep.allocation["p_value"][0] < 0.05
    assert rep.rating.threats[0].level == "moderate"
    unknown = integrity_report(make_trial(85, 115), MAP,
                               facts=TrialFacts(covariates=("x",), outcomes_prespecified=True))
    assert unknown.rating.threats[0].level == "unclear"
    assert "not recorded" in unknown.rating.threats[0].value


def test_allocation_bad_ratio_and_columns(trial):
    with pytest.raises(DataError, match="positive"):
        allocation_check(trial.table, trial.mapping, allocation_ratio=-1)
    with pytest.raises(DataError, match="stratum column"):
        allocation_check(trial.table, trial.mapping, strata=["nope"])


# ---------------------------------------------------------------- balance

def test_smd_against_r(trial):
    # smd(c(2,4,4,5,7,9,1,0,3), c(1,2,2,3,3,4,0,1,2,5,2)) with the pooled SD
    assert smd([2, 4, 4, 5, 7, 9, 1, 0, 3], [1, 2, 2, 3, 3, 4, 0, 1, 2, 5, 2]) == \
        pytest.approx(0.743414485938873, rel=1e-12)
    b = baseline_balance(trial.table, trial.mapping, ["age_group"])
    row = b[b["level"] == "11-17"].iloc[0]
    # smd(age 11-17 indicator, treatment vs control)
    assert row["smd"] == pytest.approx(-0.274792199103563, rel=1e-12)
    assert row["value_treatment"] == pytest.approx(20 / 45)
    assert row["value_control"] == pytest.approx(50 / 86)
    assert row["flag"] == "large" and "adjustment may not remove" in row["meaning"]


@pytest.mark.parametrize("shift, flag, level", [
    (0.0, "balanced", "low"), (0.05, "balanced", "low"), (0.1, "moderate", "moderate"),
    (0.2, "moderate", "moderate"), (0.25, "moderate", "moderate"), (0.3, "large", "high"),
    (-0.4, "large", "high")])
def test_known_baseline_imbalance_moves_flag_and_threat(shift, flag, level):
    t = make_trial(shift=shift)
    rep = integrity_report(t, MAP, facts=BEST)
    row = rep.balance.iloc[0]
    assert row["smd"] == pytest.approx(shift, abs=1e-9)  # equal SDs by construction
    assert row["flag"] == flag
    assert next(x for x in rep.rating.threats if x.name == "Baseline balance").level == level


def test_balance_strata_are_marked_and_left_out_of_the_threat(trial):
    facts = TrialFacts(strata=("age_group",))
    rep = integrity_report(trial.table, trial.mapping, facts=facts)
    assert rep.balance["stratum"].all()
    bal = next(x for x in rep.rating.threats if x.name == "Baseline balance")
    assert bal.level == "unclear" and "no baseline measures" in bal.value


def test_balance_yes_no_column_gives_one_row_and_missing_counted():
    t = make_trial(10, 10)
    t["flag"] = [True] * 6 + [False] * 4 + [True] * 3 + [False] * 7
    t.loc[0, "x"] = np.nan
    b = baseline_balance(t, MAP, ["flag", "x"])
    flag_rows = b[b["column"] == "flag"]
    assert len(flag_rows) == 1 and flag_rows["level"].iloc[0] == "True"
    assert flag_rows["value_treatment"].iloc[0] == pytest.approx(0.6)
    assert b[b["column"] == "x"]["missing_treatment"].iloc[0] == 1
    with pytest.raises(DataError, match="no baseline column"):
        baseline_balance(t, MAP, ["nope"])


# ---------------------------------------------------------------- attrition and Lee bounds

def test_known_differential_attrition():
    rep = integrity_report(make_trial(200, 200, miss_t=10, miss_c=50), MAP, facts=BEST)
    a = rep.attrition.iloc[0]
    assert (a["missing_treatment"], a["missing_control"]) == (10, 50)
    assert a["overall"] == pytest.approx(60 / 400)
    assert a["differential"] == pytest.approx(0.05 - 0.25)
    threat = next(x for x in rep.rating.threats if x.name == "Differential missing outcomes")
    assert threat.level == "high"
    att = next(c for c in rep.rating.criteria if c.name.startswith("Attrition"))
    assert att.padlocks == 4  # 15% overall: the 11-20% band
    lee = rep.lee.iloc[0]
    assert lee["trimmed_arm"] == "treatment" and lee["lower"] < lee["estimate"] < lee["upper"]


@pytest.mark.parametrize("miss_t, miss_c, level", [(10, 10, "low"), (10, 20, "moderate"),
                                                   (10, 29, "moderate"), (10, 30, "high")])
def test_differential_attrition_bands(miss_t, miss_c, level):
    rep = integrity_report(make_trial(200, 200, miss_t=miss_t, miss_c=miss_c), MAP, facts=BEST)
    assert next(x for x in rep.rating.threats
                if x.name == "Differential missing outcomes").level == level


def test_lee_bounds_by_hand():
    # treatment 10 of 10 observed, control 4 of 5: trim 20% (2 values) of the treated
    t = np.arange(1, 11, dtype=float)
    c = np.array([2, 4, 6, 8, np.nan])
    b = lee_bounds(t, c)
    assert b.trimmed_arm == "treatment" and b.trim_share == pytest.approx(0.2)
    assert b.lower == pytest.approx(-0.5) and b.upper == pytest.approx(1.5)  # tests/r/integrity.R
    assert b.estimate == pytest.approx(5.5 - 5)
    # fractional cut at a tie: 8 of 8 treated vs 9 of 10 controls, trim 0.8 of one value
    t = np.array([0, 0, 0, 1, 1, 2, 3, 5], float)
    c = np.array([0, 1, 1, 2, 0, 3, 1, 0, 2, np.nan])
    b = lee_bounds(t, c)
    assert b.lower == pytest.approx(0.0, abs=1e-12)
    assert b.upper == pytest.approx(0.555555555555555, rel=1e-12)


def test_lee_bounds_fractional_equals_whole_trimming_on_replicated_data():
    rng = np.random.default_rng(3)
    t = rng.poisson(1.5, 37).astype(float)
    c = np.r_[rng.poisson(2.0, 41).astype(float), [np.nan] * 9]
    b = lee_bounds(t, c)
    # replicate every person k times so the trimmed number is whole
    k = 50
    p = b.trim_share
    big = np.sort(np.repeat(t, k))
    n_cut = round(p * len(big))
    assert abs(p * len(big) - n_cut) < 1e-6
    cm = np.nanmean(c)
    assert b.lower == pytest.approx(big[:len(big) - n_cut].mean() - cm, rel=1e-12)
    assert b.upper == pytest.approx(big[n_cut:].mean() - cm, rel=1e-12)


def test_lee_bounds_swap_arms_and_no_attrition():
    rng = np.random.default_rng(5)
    t = np.r_[rng.normal(1, 1, 30), [np.nan] * 6]
    c = rng.normal(0, 1, 40)
    b, s = lee_bounds(t, c), lee_bounds(c, t)
    assert b.trimmed_arm == "control" and s.trimmed_arm == "treatment"
    assert (b.lower, b.upper) == pytest.approx((-s.upper, -s.lower), rel=1e-12)
    full = lee_bounds(c, c + 1)
    assert full.lower == full.upper == pytest.approx(full.estimate)
    with pytest.raises(DataError):
        lee_bounds([np.nan, np.nan], [1, 2])


def test_excluded_arm_uses_the_engine_rule():
    t = make_trial(10, 10, extra_rows=(" Treatment ", "placebo", "placebo", ""))
    n, vals = excluded_arm(t, MAP)
    assert n == 3 and vals == {"placebo": 2, "(blank)": 1}  # " Treatment " is treatment
    rep = integrity_report(t, MAP, facts=BEST)
    assert rep.excluded == 3 and rep.n_treatment == 11
    threat = next(x for x in rep.rating.threats if x.name.startswith("People left out"))
    assert threat.level == "high"  # 3 of 24 rows >= 5%
    small = integrity_report(make_trial(100, 100, extra_rows=("placebo",)), MAP, facts=BEST)
    assert next(x for x in small.rating.threats
                if x.name.startswith("People left out")).level == "moderate"


# ---------------------------------------------------------------- MDES and replication sizes

def test_mdes_against_r(trial):
    rep = integrity_report(trial.table, trial.mapping, facts=facts_from_trial(trial))
    # uniroot(pw(d, 45, 86) - 0.8)$root with power.t.test's formula for unequal arms
    assert rep.mdes_randomised == pytest.approx(0.519324042519939, rel=1e-8)
    assert np.allclose(rep.mdes["mdes_sd"], 0.519324042519939, rtol=1e-8)
    knife = rep.mdes.set_index("outcome").loc["suspect_knife"]
    assert knife["mdes"] == pytest.approx(knife["mdes_sd"] * knife["pooled_sd"])
    assert knife["mdes_percent"] == pytest.approx(100 * knife["mdes"] / (54 / 86))


def test_replication_sizes_against_power_t_test():
    r = replication_sizes()
    # power.t.test(delta = d, sd = 1, power = 0.8)$n for d = 0.2 ... 0.6
    exact = [393.406656226381, 175.385096555273, 99.0805650087345, 63.7657637142739,
             44.5858957529532]
    assert np.allclose(r["n_exact"], exact, rtol=1e-6)
    assert list(r["n_per_arm"]) == [394, 176, 100, 64, 45]
    assert list(r["padlocks"]) == [5, 4, 3, 2, 1]


def test_cluster_design_without_icc_uses_clusters_as_units():
    t = make_trial(45, 86)
    t["school"] = np.r_[np.arange(45) % 9, 100 + np.arange(86) % 17]
    facts = TrialFacts(design_type="cluster", cluster="school", allocation_ratio=45 / 86)
    rep = integrity_report(t, MAP, facts=facts)
    # uniroot(pw(d, 9, 17) - 0.8)$root
    assert rep.mdes_randomised == pytest.approx(1.2037717682764, rel=1e-8)
    assert any("clusters as the" in n for n in rep.notes)
    with_icc = integrity_report(t, MAP, facts=TrialFacts(design_type="cluster", cluster="school",
                                                         icc=0.0))
    assert with_icc.mdes_randomised == pytest.approx(0.519324042519939, rel=1e-8)


# ---------------------------------------------------------------- equivalence

@pytest.mark.parametrize("outcome, margin, t_lo, p_lo, t_hi, p_hi, ci_lo, ci_hi", [
    ("suspect_knife", 0.125581395348837, -0.700884689573428, 0.757673761925634,
     -2.11428700962607, 0.0182193068042976, -0.544560996672102, 0.0443025987392853),
    ("suspect_harm", 95.514, -1.32148700603092, 0.905652261948356, -2.89731299287251,
     0.00221424718880332, -456.559022438793, -54.8609775612064),
])
def test_equivalence_against_two_r_t_tests(trial, outcome, margin, t_lo, p_lo, t_hi, p_hi,
                                           ci_lo, ci_hi):
    tab = trial.table
    x = tab.loc[tab["arm"] == "treatment", outcome]
    y = tab.loc[tab["arm"] == "control", outcome]
    # t.test(x, y, alternative = "greater", mu = -m) and t.test(x, y, alternative = "less", mu = m)
    e = equivalence_test(x, y, 0.2 * y.mean())
    assert e.margin == pytest.approx(margin, rel=1e-12)
    assert (e.t_lower, e.p_lower) == pytest.approx((t_lo, p_lo), rel=1e-9)
    assert (e.t_upper, e.p_upper) == pytest.approx((t_hi, p_hi), rel=1e-9)
    # t.test(x, y, conf.level = 0.90)$conf.int
    assert (e.ci_low, e.ci_high) == pytest.approx((ci_lo, ci_hi), rel=1e-9)
    assert e.p_value == pytest.approx(p_lo) and not e.equivalent


def test_equivalence_small_samples_and_student():
    x = [10.2, 9.8, 10.5, 10.1, 9.9, 10.0, 10.3]
    y = [10.0, 10.1, 9.7, 10.2, 9.9, 10.4, 10.0, 9.8]
    e = equivalence_test(x, y, 0.5)
    assert e.p_lower == pytest.approx(0.000141819140013322, rel=1e-9)
    assert e.p_upper == pytest.approx(0.00302227940910057, rel=1e-9)
    assert e.equivalent
    s = equivalence_test(x, y, 0.5, equal_var=True)
    assert s.p_lower == pytest.approx(0.000117162837825505, rel=1e-9)
    with pytest.raises(DataError, match="positive"):
        equivalence_test(x, y, 0)


def test_rule_out_wording(trial):
    assert rule_out_sentence(-87.2, 7.1, 0.05).startswith(
        "The data rule out a reduction larger than 88% and an increase larger than 8%")
    whole_reduction = rule_out_sentence(-95.6, -11.5, 0.05)
    assert whole_reduction == ("The data rule out a reduction larger than 96%, and rule out no "
                               "change or an increase: the reduction is at least 11%.")
    assert "the increase is at least 5%; they rule out an increase larger than 40%" in \
        rule_out_sentence(5.2, 40, 0.05)
    eq = equivalence_table(trial.table, trial.mapping, ["suspect_knife"]).iloc[0]
    # 90% CI of the difference / control mean: -0.544560996672102 / (54/86), 0.0443025987392853 / (54/86)
    assert eq["low_percent"] == pytest.approx(-100 * 0.544560996672102 / (54 / 86), rel=1e-9)
    assert eq["high_percent"] == pytest.approx(100 * 0.0443025987392853 / (54 / 86), rel=1e-9)
    # rounded outwards so the claim stays true: 86.7% -> 87%, 7.06% -> 8%
    assert "reduction larger than 87% and an increase larger than 8%" in eq["sentence"]
    assert "larger than 0.4%" in rule_out_sentence(-0.35, 0.2, 0.05)
    # a count cannot fall by more than 100%: no vacuous "reduction larger than 106%"
    assert rule_out_sentence(-105.6, 41.2, nonnegative=True) == (
        "The data cannot rule out any reduction, even to zero; they rule out an increase "
        "larger than 42%.")
    assert "reduction larger than 106%" in rule_out_sentence(-105.6, 41.2)  # e.g. money
    vk = equivalence_table(trial.table, trial.mapping, ["victim_knife"]).iloc[0]
    assert vk["low_percent"] < -100 and vk["sentence"].startswith("The data cannot rule out any")


# ---------------------------------------------------------------- the rating

@pytest.mark.parametrize("n_high, n_mod, drop", [
    (0, 0, 0), (0, 2, 0), (0, 3, 1), (0, 4, 1), (1, 0, 1), (1, 1, 1), (1, 2, 2), (2, 0, 2),
    (3, 0, 2), (0, 5, 2)])
def test_threat_drop_follows_the_published_rule(n_high, n_mod, drop):
    assert threat_drop(n_high, n_mod) == drop


def test_bundled_trial_gets_a_low_rating_whatever_the_facts(trial):
    """45 v 86 with an MDES near 0.5 SD: never more than 1 padlock, even with every threat low."""
    rep = integrity_report(trial.table, trial.mapping, facts=facts_from_trial(trial))
    r = rep.rating
    crit = {c.name.split(" ")[0]: c.padlocks for c in r.criteria}
    assert crit == {"Design": 5, "Minimum": 1, "Attrition": 5}
    assert r.initial == 1 and r.padlocks <= 1 and r.label in ("low security", "very low security")
    assert "0.52 standard deviations" in r.reasons[0]
    assert any("394 people per arm" in x or "394 per arm" in x for x in r.raise_it)
    best = integrity_report(trial.table, trial.mapping, facts=TrialFacts(
        allocation_ratio=45 / 86, strata=("age_group",), outcomes_prespecified=True))
    assert best.rating.initial == 1 and best.rating.padlocks == 1
    assert best.rating.label == "low security"


def test_rating_moves_with_each_known_problem():
    clean = integrity_report(make_trial(), MAP, facts=BEST).rating
    assert (clean.initial, clean.drop, clean.padlocks) == (5, 0, 5)  # MDES 0.198 SD at 400 v 400
    # a large baseline imbalance: one high threat -> one padlock lost
    assert integrity_report(make_trial(shift=0.3), MAP, facts=BEST).rating.padlocks == 4
    # plus an allocation far from plan: two high threats -> two lost
    both = integrity_report(make_trial(470, 330, shift=0.3), MAP, facts=BEST).rating
    assert both.drop == 2
    # plus 15% missing overall, 20 points differential: attrition row caps the start at 4
    worst = integrity_report(make_trial(470, 330, shift=0.3, miss_t=24, miss_c=96), MAP,
                             facts=BEST).rating
    assert worst.initial <= 4 and worst.drop == 2 and worst.padlocks == worst.initial - 2
    # a smaller trial: MDES 0.40 SD at 100 v 100 -> 3 padlocks on size
    assert integrity_report(make_trial(100, 100), MAP, facts=BEST).rating.initial == 3


def test_cutoffs_are_editable_and_checked(trial):
    loose = Cutoffs(mdes=(0.6, 0.7, 0.8, 0.9, 1.0))
    rep = integrity_report(trial.table, trial.mapping, facts=facts_from_trial(trial), cutoffs=loose)
    assert next(c for c in rep.rating.criteria if c.name.startswith("Minimum")).padlocks == 5
    strict = Cutoffs(smd_moderate=0.3, smd_large=0.5)
    rep = integrity_report(trial.table, trial.mapping, facts=facts_from_trial(trial),
                           cutoffs=strict)
    assert next(t for t in rep.rating.threats if t.name == "Baseline balance").level == "low"
    with pytest.raises(DataError, match="increasing"):
        Cutoffs(mdes=(0.3, 0.2, 0.4, 0.5, 0.6)).check()
    with pytest.raises(DataError, match="SMD"):
        Cutoffs(smd_moderate=0.3, smd_large=0.2).check()


def test_rating_shows_every_rule_value_and_source(trial):
    r = integrity_report(trial.table, trial.mapping, facts=facts_from_trial(trial)).rating
    frame = r.to_frame()
    assert len(frame) == 3 + 5
    assert frame["rule"].str.len().min() > 10 and frame["source"].str.len().min() > 10
    assert not frame.set_index("check").loc["Minimum detectable effect size (MDES)", "confirmed"]
    assert "NOT CONFIRMED" in frame.set_index("check").loc[
        "Minimum detectable effect size (MDES)", "source"]
    assert "EEF" in r.sentence and str(r.padlocks) in r.sentence


def test_facts_from_a_specification():
    class T:
        meta = {"design": {"type": "stratified", "strata": ["cohort"], "allocation_ratio": 0.5},
                "covariates": ["prior"],
                "subgroups": [{"column": "cohort", "prespecified": True}],
                "outcomes": [{"column": "y", "prespecified": True, "baseline": "y0"}]}
        mapping = Mapping()

    f = facts_from_trial(T())
    assert (f.design, f.design_type, f.allocation_ratio) == ("randomised", "stratified", 0.5)
    assert f.strata == ("cohort",) and f.covariates == ("prior",)
    assert f.baselines == (("y", "y0"),) and f.outcomes_prespecified and f.subgroups_prespecified
    assert f.baseline_columns == ("prior", "y0", "cohort")


def test_bad_input_is_a_clear_message():
    with pytest.raises(DataError, match="no rows"):
        integrity_report(pd.DataFrame(), MAP)
    with pytest.raises(DataError, match="No outcomes"):
        integrity_report(make_trial(5, 5), Mapping())
    t = make_trial(5, 5)
    t["arm"] = "treatment"
    with pytest.raises(DataError, match="needs both"):
        integrity_report(t, MAP)
    rep = integrity_report(make_trial(20, 20), MAP, facts=TrialFacts(covariates=("gone",)))
    assert any("gone" in n for n in rep.notes)


# ---------------------------------------------------------------- where it shows

def test_board_pack_has_the_rating_slide_and_the_checks_in_the_methods(trial):
    import io

    from pptx import Presentation

    from dashboard import export as E
    from fd_stats import Settings, analyse

    res = analyse(trial.table, trial.mapping, Settings())
    pack = E.build_content(trial, trial.mapping, Settings(), res, subgroup="age_group",
                           generated="2025-01-31")
    rep = integrity_report(trial.table, trial.mapping,
                           facts=facts_from_trial(trial, "age_group", False))
    assert pack.how_sure[0].startswith(rep.rating.headline)
    prs = Presentation(io.BytesIO(E.pptx_bytes(pack, {})))
    titles = [s.shapes.title.text for s in prs.slides]
    title = f"How sure can we be? {rep.rating.headline}"
    assert title in titles
    slide = list(prs.slides)[titles.index(title)]
    body = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "0.52 standard deviations" in body and "EEF" in body
    assert "394" in body  # a replication size from power.t.test
    methods = list(prs.slides)[titles.index("How the results were worked out")]
    text = " ".join(sh.text_frame.text for sh in methods.shapes if sh.has_text_frame)
    assert "exact binomial" in text and "Lee (2009)" in text and "two one-sided tests" in text
    html = E.html_bytes(pack).decode()
    assert "How sure can we be?" in html and rep.rating.headline in html


def test_pages_show_the_rating():
    from streamlit.testing.v1 import AppTest

    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    for page in ("app.py", "pages/11_How_sure.py"):
        at = AppTest.from_file(str(root / page), default_timeout=120).run()
        assert not at.exception, [e.value for e in at.exception]
        text = " ".join(m.value for m in [*at.markdown, *at.caption])
        assert "of 5 padlocks" in text and "EEF" in text, page
    assert "What the data rule out" in " ".join(h.value for h in at.subheader)
    assert any("rule out a reduction larger than" in m.value for m in at.markdown)
    # the user's smallest effect of interest changes the verdict text
    at.number_input(key="hs_sesoi").set_value(90.0).run()
    assert not at.exception
    assert any("Against ±90%" in m.value for m in at.markdown)


def test_cutoffs_edited_on_the_page_change_the_rating_and_bad_ones_are_refused():
    from streamlit.testing.v1 import AppTest

    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "pages" / "11_How_sure.py"), default_timeout=120).run()
    start = next(m.value for m in at.markdown if m.value.startswith("### "))
    at.text_input(key="hs_mdes").set_value("0.6, 0.7, 0.8, 0.9, 1.0")
    at.button[0].click().run()
    assert not at.exception
    table = at.table[0].value
    assert list(table.loc[table["Check"].str.startswith("Minimum"), "Result"]) == ["5 padlocks"]
    assert next(m.value for m in at.markdown if m.value.startswith("### ")) != start
    at.text_input(key="hs_mdes").set_value("0.3, 0.2")
    at.button[0].click().run()
    assert not at.exception
    assert any("Cut-offs not applied" in e.value for e in at.error)
    at.button[1].click().run()  # back to the sourced defaults
    assert next(m.value for m in at.markdown if m.value.startswith("### ")) == start


def test_unusable_columns_are_named_not_fatal_or_silent():
    t = make_trial(20, 20)
    t["postcode"] = [f"MK{i}" for i in range(40)]  # 40 levels: not a baseline category
    rep = integrity_report(t, MAP, facts=TrialFacts(covariates=("postcode", "x")))
    assert list(rep.balance["column"].unique()) == ["x"]
    assert any("'postcode' left out" in n and "40 distinct values" in n for n in rep.notes)
    t["y"] = t["y"].astype(object)
    t.loc[3, "y"] = "n/a"
    with pytest.raises(DataError, match=r"Column 'y' should hold numbers but rows 4 hold 'n/a'"):
        integrity_report(t, MAP)


def test_facts_from_a_spec_object_and_an_achieved_ratio_is_no_plan():
    from types import SimpleNamespace as NS

    spec = NS(design=NS(type="stratified", strata=["cohort"], cluster=None, allocation_ratio=2.0),
              covariates=["prior"], subgroups=["cohort", "sex"], prespecified=["cohort"],
              outcomes=[NS(column="y", baseline="y0"), NS(column="z", baseline=None)])
    f = facts_from_trial(NS(meta={}, mapping=Mapping(), spec=spec))
    assert (f.design_type, f.allocation_ratio, f.strata) == ("stratified", 2.0, ("cohort",))
    assert f.covariates == ("prior",) and f.baselines == (("y", "y0"),)
    assert f.subgroups == ("cohort", "sex") and f.subgroups_prespecified is False
    # a written specification that records the achieved split (as the bundled trial's may):
    meta = {"design": {"type": "simple", "allocation_ratio": {
        "value": 0.5233, "note": "achieved allocation, 45 treatment : 86 control; no planned ratio"}}}
    f = facts_from_trial(NS(meta=meta, mapping=Mapping(), spec=spec))
    assert f.allocation_ratio is None and "achieved split, not a plan" in f.allocation_note
    meta["design"]["allocation_ratio"] = {"value": 0.5, "note": "1:2 planned"}
    assert facts_from_trial(NS(meta=meta, mapping=Mapping())).allocation_ratio == 0.5


def test_page_on_a_generated_trial_with_every_problem():
    """Any trial: missing outcomes, an unrecognised arm, a baseline imbalance, no metadata."""
    from streamlit.testing.v1 import AppTest

    from fd_stats.data.trial import Trial

    t = make_trial(60, 90, shift=0.3, miss_t=3, miss_c=20, extra_rows=("placebo",))
    gen = Trial("Generated trial", t, Mapping(outcomes=("y",), subgroup=None), [], meta={})
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "pages" / "11_How_sure.py"), default_timeout=120)
    at.session_state["datasets"] = {"Generated trial": gen}
    at.session_state["cfg_dataset"] = "Generated trial"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    rep = integrity_report(t, MAP)
    assert f"{rep.rating.padlocks} of 5 padlocks" in text
    assert "Lee bounds" in text and "could lie anywhere from" in text
    assert "1 row was left out because its arm value was not recognised" in text


def test_cli_integrity(tmp_path, capsys):
    from fd_stats.cli.main import main

    assert main(["integrity"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 of 5 padlocks: very low security")
    assert "394 per arm" in out and "rule out a reduction larger than 87%" in out
    t = make_trial(60, 90, shift=0.3, miss_t=3, miss_c=20)
    t.to_csv(tmp_path / "t.csv", index=False)
    assert main(["integrity", str(tmp_path / "t.csv"), "--outcome", "y", "--covariate", "x",
                 "--ratio", "1", "--prespecified", "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    rep = integrity_report(t, MAP, facts=TrialFacts(covariates=("x",), allocation_ratio=1.0,
                                                    outcomes_prespecified=True))
    assert got["padlocks"] == rep.rating.padlocks and got["lost"] == rep.rating.drop
    assert got["balance"][0]["smd"] == pytest.approx(0.3, abs=1e-9)
    assert main(["integrity", str(tmp_path / "missing.csv")]) == 2
    assert capsys.readouterr().err.startswith("error: File not found")


def test_cli_integrity_with_a_specification(tmp_path, capsys):
    """--spec FILE (the Data page's mapping JSON) gives the same report as the options."""
    from fd_stats.cli.main import main
    from fd_stats.data.mapping import ColumnMapping, Design
    from fd_stats.data.trial import OutcomeSpec

    t = make_trial(60, 90, shift=0.3, miss_t=3, miss_c=20).rename(columns={"arm": "group"})
    t["group"] = t["group"].map({"treatment": "FD", "control": "BAU"})
    t.to_csv(tmp_path / "t.csv", index=False)
    spec = ColumnMapping("group", "FD", "BAU", [OutcomeSpec("y", "Reoffences", "", "lower")],
                         covariates=["x"], design=Design("simple", allocation_ratio=1.0))
    (tmp_path / "spec.json").write_text(spec.to_json())
    assert main(["integrity", str(tmp_path / "t.csv"), "--spec", str(tmp_path / "spec.json"),
                 "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert main(["integrity", str(tmp_path / "t.csv"), "--arm", "group", "--treatment", "FD",
                 "--control", "BAU", "--outcome", "y", "--covariate", "x", "--ratio", "1",
                 "--format", "json"]) == 0
    named = json.loads(capsys.readouterr().out)
    for k in ("padlocks", "lost", "balance", "attrition", "mdes", "equivalence", "allocation"):
        assert got[k] == named[k], k
    # options given win over the specification, as for analyse: the arms swapped
    assert main(["integrity", str(tmp_path / "t.csv"), "--spec", str(tmp_path / "spec.json"),
                 "--treatment", "BAU", "--control", "FD", "--format", "json"]) == 0
    swapped = json.loads(capsys.readouterr().out)
    assert main(["integrity", str(tmp_path / "t.csv"), "--arm", "group", "--treatment", "BAU",
                 "--control", "FD", "--outcome", "y", "--covariate", "x", "--ratio", "1",
                 "--format", "json"]) == 0
    named_swapped = json.loads(capsys.readouterr().out)
    assert swapped["balance"] == named_swapped["balance"] != got["balance"]
    assert main(["integrity", "--spec", str(tmp_path / "spec.json")]) == 2
    assert "needs the data file" in capsys.readouterr().err
