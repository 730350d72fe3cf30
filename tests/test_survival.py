"""Survival and over-time methods against R (script: tests/r/survival.R, R 4.x,
survival 3.x, sandwich 3.x). Each expected value is pasted from that script's output with
the R call beside it; the tests do not need R."""
import numpy as np
import pandas as pd
import pytest

from fd_stats.errors import DataError
from fd_stats.methods.survival import (analyse_survival, cox, effect_change, kaplan_meier,
                               kaplan_meier_by_arm, logrank, mean_cumulative_count, rate_ratio,
                               survival_at, window_effects)

REL = 1e-6
DAYS = np.array([291, 119, 602, 477, 176, 53, 172, 38, 396, 16, 477, 218, 175, 255, 337, 501, 55,
                 69, 289, 248, 654, 405, 348, 80, 4, 94, 133, 479, 176, 59, 333, 447, 236, 13,
                 306, 15, 135, 231, 76, 164, 494, 159, 20, 134, 247, 66, 33, 172, 92, 215, 107,
                 248, 496, 63, 139, 75, 26, 3, 267, 88])
EVENT = np.array([1] * 15 + [0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0] + [1] * 28)
ARM = np.array([1] * 24 + [0] * 36)
BASE = np.array([2, 4, 2, 0, 2, 1, 2, 3, 1, 0, 1, 0, 5, 1, 2, 0, 0, 2, 5, 0, 1, 2, 2, 3, 1, 2, 0,
                 1, 0, 3, 2, 1, 1, 3, 1, 2, 1, 2, 1, 0, 1, 2, 1, 0, 2, 2, 2, 3, 2, 1, 2, 0, 0, 1,
                 2, 3, 0, 0, 1, 2])
DURING = np.array([1, 1, 1, 0, 1, 0, 1, 0, 2, 1, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 3, 3, 6,
                   0, 0, 0, 1, 1, 1, 6, 9, 2, 2, 4, 0, 3, 0, 3, 2, 5, 0, 2, 2, 2, 2, 2, 10, 0, 0,
                   3, 4, 3, 5, 0, 1, 2, 0])
AFTER = np.array([0, 0, 3, 0, 1, 0, 3, 0, 2, 0, 4, 0, 0, 1, 0, 0, 0, 3, 5, 0, 1, 2, 3, 2, 2, 1, 0,
                  2, 0, 3, 3, 0, 1, 5, 0, 0, 1, 0, 1, 0, 0, 0, 2, 0, 2, 2, 0, 1, 3, 6, 0, 1, 0, 2,
                  1, 4, 0, 0, 0, 2])
EXP_AFTER = np.array([161, 277, 284, 365, 311, 0, 228, 90, 118, 211, 319, 231, 65, 159, 62, 128,
                      32, 209, 265, 291, 266, 277, 267, 165, 177, 57, 37, 303, 342, 235, 202, 101,
                      36, 114, 261, 80, 250, 360, 245, 127, 0, 161, 212, 346, 152, 101, 162, 85,
                      239, 316, 86, 267, 79, 75, 220, 345, 38, 154, 140, 257])


def test_data_as_in_the_r_script():
    assert len(DAYS) == len(EVENT) == len(BASE) == 60 and EVENT.sum() == 54


# summary(survfit(Surv(days, event) ~ arm), times = c(50, 100, 200, 300, 400, 500))
R_AT = {  # arm: rows (time, n.risk, surv, std.err, lower, upper)
    0: [(50, 29, 0.805555555555555, 0.0659620687443287, 0.6861131684343725, 0.945791136128718),
        (100, 21, 0.583333333333333, 0.0821677747652724, 0.4426060638936327, 0.768805051571895),
        (200, 12, 0.333333333333333, 0.0785674201318386, 0.2100141792894741, 0.529064806419382),
        (300, 6, 0.166666666666667, 0.0621129993749941, 0.0802831980452307, 0.345997399880957),
        (400, 4, 0.111111111111111, 0.0523782800878924, 0.0441059555026314, 0.279909569391578)],
    1: [(50, 22, 0.916666666666667, 0.0564169333655275, 0.8125004413722201, 1.0),
        (100, 18, 0.75, 0.0883883476483184, 0.5953141419040771, 0.944879283735604),
        (200, 14, 0.583333333333333, 0.1006345607374267, 0.4159782051526574, 0.818018284522626),
        (300, 9, 0.446875, 0.1037898131023438, 0.2834579269729902, 0.704504078462511),
        (400, 6, 0.297916666666667, 0.0985824366564837, 0.1557496334398847, 0.569852643101306),
        (500, 3, 0.148958333333333, 0.0782797656860091, 0.0531797194363502, 0.417237723414498)],
}


@pytest.mark.parametrize("arm", [0, 1])
def test_kaplan_meier_at_times_matches_survfit(arm):
    km = kaplan_meier(DAYS[ARM == arm], EVENT[ARM == arm])
    got = survival_at(km, [50, 100, 200, 300, 400, 500])
    want = np.array(R_AT[arm], dtype=float)
    assert len(got) == len(want)       # R leaves out 500 for control (last time 494)
    assert got.time.tolist() == want[:, 0].tolist()
    assert got.n_risk.tolist() == want[:, 1].tolist()
    for j, c in enumerate(["survival", "std_err", "ci_low", "ci_high"], start=2):
        np.testing.assert_allclose(got[c], want[:, j], rtol=REL, err_msg=c)


# summary(survfit(...), censored = TRUE), arm = 1: time, n.risk, n.event, surv, lower, upper
R_TREATED = [
    (16, 24, 1, 0.9583333333333334, 0.8816314023314650, 1.0),
    (38, 23, 1, 0.9166666666666667, 0.8125004413722201, 1.0),
    (53, 22, 1, 0.8750000000000001, 0.7522053677270689, 1.0),
    (55, 21, 1, 0.8333333333333334, 0.6968110668593147, 0.996603638306812),
    (69, 20, 1, 0.7916666666666666, 0.6447778146509123, 0.972018727800724),
    (80, 19, 1, 0.7499999999999999, 0.5953141419040771, 0.944879283735604),
    (119, 18, 1, 0.7083333333333333, 0.5479535181569638, 0.915654511716058),
    (172, 17, 1, 0.6666666666666666, 0.5023985541958330, 0.884645150215145),
    (175, 16, 1, 0.6250000000000000, 0.4584513290889169, 0.852053370150091),
    (176, 15, 1, 0.5833333333333334, 0.4159782051526574, 0.818018284522626),
    (218, 14, 1, 0.5416666666666667, 0.3748906699527527, 0.782635582301249),
    (248, 13, 0, 0.5416666666666667, 0.3748906699527527, 0.782635582301249),
    (255, 12, 1, 0.4965277777777778, 0.3309629975315995, 0.744916609843671),
    (289, 11, 0, 0.4965277777777778, 0.3309629975315995, 0.744916609843671),
    (291, 10, 1, 0.4468750000000001, 0.2834579269729902, 0.704504078462511),
    (337, 9, 1, 0.3972222222222223, 0.2384193060861181, 0.661798309949647),
    (348, 8, 1, 0.3475694444444445, 0.1958265641884129, 0.616895461614639),
    (396, 7, 1, 0.2979166666666667, 0.1557496334398847, 0.569852643101306),
    (405, 6, 1, 0.2482638888888889, 0.1183634827080605, 0.520726132047458),
    (477, 5, 2, 0.1489583333333333, 0.0531797194363502, 0.417237723414498),
    (501, 3, 0, 0.1489583333333333, 0.0531797194363502, 0.417237723414498),
    (602, 2, 1, 0.0744791666666667, 0.0132471994386064, 0.418741054897613),
    (654, 1, 0, 0.0744791666666667, 0.0132471994386064, 0.418741054897613),
]


def test_kaplan_meier_every_time_matches_survfit():
    km = kaplan_meier(DAYS[ARM == 1], EVENT[ARM == 1])
    want = np.array(R_TREATED, dtype=float)
    assert km.time.tolist() == want[:, 0].tolist()
    assert km.n_risk.tolist() == want[:, 1].tolist()
    assert km.n_event.tolist() == want[:, 2].tolist()
    for j, c in enumerate(["survival", "ci_low", "ci_high"], start=3):
        np.testing.assert_allclose(km[c], want[:, j], rtol=REL, err_msg=c)


def test_kaplan_meier_by_arm_starts_at_one_and_counts_people():
    km = kaplan_meier_by_arm(DAYS, EVENT, ARM)
    first = km.groupby("arm").first()
    assert first.loc["treatment", "n_risk"] == 24 and first.loc["control", "n_risk"] == 36
    assert (first.survival == 1).all() and (first.time == 0).all()
    assert km.groupby("arm").survival.apply(lambda s: s.is_monotonic_decreasing).all()


def test_survival_zero_has_no_interval():
    km = kaplan_meier([1, 2, 3], [1, 1, 1])
    assert km.survival.iloc[-1] == 0 and np.isnan(km.ci_low.iloc[-1])


def test_logrank_matches_survdiff():
    # survdiff(Surv(days, event) ~ arm): chisq 5.39631829310801, p 0.0201792762406772,
    # observed 34 (control) 20 (treated), expected 25.7192772216802 28.2807227783198
    r = logrank(DAYS, EVENT, ARM)
    assert r.statistic == pytest.approx(5.39631829310801, rel=REL)
    assert r.p_value == pytest.approx(0.0201792762406772, rel=REL)
    assert r.observed == (20, 34)
    assert r.expected == pytest.approx((28.2807227783198, 25.7192772216802), rel=REL)


def test_cox_matches_coxph_efron():
    # coxph(Surv(days, event) ~ arm, ties = "efron"): coef -0.6581438689967731,
    # se 0.2910270474446361, HR 0.5178115691626949, CI 0.2927177629708539 0.9159977803787401,
    # p 0.0237312455947507
    r = cox(DAYS, EVENT, ARM)
    assert r.coef == pytest.approx(-0.6581438689967731, rel=REL)
    assert r.se == pytest.approx(0.2910270474446361, rel=REL)
    assert r.hazard_ratio == pytest.approx(0.5178115691626949, rel=REL)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.2927177629708539, 0.9159977803787401),
                                                  rel=REL)
    assert r.p_value == pytest.approx(0.0237312455947507, rel=REL)
    assert (r.n, r.n_events) == (60, 54)


def test_cox_adjusted_for_baseline_matches_coxph():
    # coxph(Surv(days, event) ~ arm + base, ties = "efron")
    r = cox(DAYS, EVENT, ARM, BASE, ["base"])
    assert r.coef == pytest.approx(-0.803042125254372, rel=REL)
    assert r.se == pytest.approx(0.307615692774634, rel=REL)
    assert r.p_value == pytest.approx(0.00904002116087973, rel=REL)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.245132155375160, 0.818627234118405), rel=REL)
    hr, lo, hi, p = r.covariates["base"]
    assert (hr, lo, hi, p) == pytest.approx((1.264133569151424, 0.985598741686323,
                                             1.621383645357888, 0.06493091369050429), rel=REL)


def test_rate_ratio_matches_glm_with_vcovcl():
    # glm(y ~ arm + offset(log(e)), poisson); sqrt(vcovCL(g1, cluster = ~id)[2, 2])
    r = rate_ratio(DURING, np.full(60, 365), ARM)
    assert r.rate_ratio == pytest.approx(0.279069768173105, rel=REL)
    assert r.se_log == pytest.approx(0.326040198980152, rel=REL)
    # after period, people with exposure 0 left out
    r = rate_ratio(AFTER, EXP_AFTER, ARM)
    assert r.rate_ratio == pytest.approx(0.887122637817827, rel=REL)
    assert r.se_log == pytest.approx(0.300877398330954, rel=REL)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.491899471606572, 1.599893108155851), rel=REL)
    assert r.p_value == pytest.approx(0.690574229371625, rel=REL)
    assert r.n == 58


def test_effect_change_matches_glm_interaction_clustered():
    # glm(y ~ arm * after + offset(log(e)), poisson) on the long data, vcovCL(cluster = ~id)
    r = effect_change(DURING, np.full(60, 365), AFTER, EXP_AFTER, ARM)
    assert r.ratio == pytest.approx(3.178856110517698674, rel=REL)
    assert (r.ci_low, r.ci_high) == pytest.approx((1.640729121941604918, 6.158924124792465982),
                                                  rel=REL)
    assert r.p_value == pytest.approx(0.000609648133126317, rel=REL)
    assert r.after.rate_ratio == pytest.approx(0.887122637817825, rel=REL)
    assert r.after.se_log == pytest.approx(0.300789461050595, rel=REL)
    assert r.during.rate_ratio == pytest.approx(0.279069768173105, rel=REL)


def test_analyse_survival_rows():
    data = pd.DataFrame({"arm": np.where(ARM == 1, "Treatment", "control"), "t": DAYS,
                         "e": EVENT, "base": BASE})
    row = analyse_survival(data, "cox", "t", "e").iloc[0]
    assert row.scale == "hazard ratio" and row.estimate == pytest.approx(0.5178115691626949,
                                                                         rel=REL)
    row = analyse_survival(data, "cox", "t", "e", covariates=("base",)).iloc[0]
    assert row.estimate == pytest.approx(0.447964126184509, rel=REL)
    row = analyse_survival(data, "logrank", "t", "e").iloc[0]
    assert row.p_value == pytest.approx(0.0201792762406772, rel=REL) and np.isnan(row.ci_low)
    with pytest.raises(DataError, match="no column 'when'"):
        analyse_survival(data, "cox", "when", "e")
    with pytest.raises(DataError, match="1 \\(event seen\\) or 0"):
        analyse_survival(data.assign(e=2), "cox", "t", "e")
    with pytest.raises(DataError, match="No one in the treatment arm"):
        analyse_survival(data.assign(arm="control"), "logrank", "t", "e")


def test_mean_cumulative_count_by_hand():
    # three treated people observed 3, 2 and 1 whole months; one control person, 3 months
    counts = np.array([[1, 0, 2], [0, 1, 5], [3, 9, 9], [0, 0, 1]])
    m = mean_cumulative_count(counts, [3, 2, 1, 3], [1, 1, 1, 0])
    t = m[m.arm == "treatment"].mean_cumulative.tolist()
    # month 1: (1 + 0 + 3) / 3; month 2: (0 + 1) / 2; month 3: 2 / 1
    assert t == pytest.approx([0, 4 / 3, 4 / 3 + 1 / 2, 4 / 3 + 1 / 2 + 2])
    assert m[m.arm == "control"].mean_cumulative.tolist() == [0, 0, 0, 1]


def test_window_effects_uses_differences_of_cumulative_windows():
    table = pd.DataFrame({"x_fu6m": DURING, "exposure_days_fu6m": np.full(60, 365.0),
                          "x_fu12m": DURING + AFTER, "exposure_days_fu12m": 365.0 + EXP_AFTER})
    w = window_effects(table, "x", ARM, [6, 12])
    assert w.period.tolist() == ["months 0-6", "months 6-12"]
    assert w.rate_ratio.tolist() == pytest.approx([0.279069768173105, 0.887122637817827], rel=REL)


def test_cli_analyse_cox_and_logrank_json(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "people.csv"
    pd.DataFrame({"arm": np.where(ARM == 1, "treatment", "control"), "t": DAYS, "e": EVENT,
                  "base": BASE}).to_csv(path, index=False)
    root = Path(__file__).resolve().parents[1]

    def run(*args):
        return subprocess.run([sys.executable, "-m", "fd_stats", "analyse", str(path), *args],
                              capture_output=True, text=True, cwd=root)

    r = run("--method", "cox", "--time", "t", "--event", "e", "--covariate", "base",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    assert {"method", "scale", "estimate", "ci_low", "ci_high", "p_value"} <= set(row)
    assert row["scale"] == "hazard ratio"
    assert row["estimate"] == pytest.approx(0.447964126184509, rel=REL)
    assert row["ci_high"] == pytest.approx(0.818627234118405, rel=REL)
    r = run("--method", "logrank", "--time", "t", "--event", "e", "--format", "json")
    assert json.loads(r.stdout)[0]["p_value"] == pytest.approx(0.0201792762406772, rel=REL)
    r = run("--method", "cox", "--time", "t")
    assert r.returncode == 2 and r.stderr.startswith("error: --method cox needs --time and --event")


def test_cox_converges_where_plain_newton_overshoots():
    # coxph(Surv(days, event) ~ I(arm == "treatment") + baseline, ties = "efron") on
    # tests/r/cox_newton_overshoot.csv (bundled synthetic trial, victim non-police-initiated):
    # coef 0.0762202601979024 se 0.2924422409057182 p 0.794375112421006;
    # baseline coef 0.4351951513885613 p 1.25350588521489e-08
    from pathlib import Path
    d = pd.read_csv(Path(__file__).parent / "r" / "cox_newton_overshoot.csv")
    r = cox(d.victim_non_police_initiated_days, d.victim_non_police_initiated_event,
            (d.arm == "treatment").astype(float), d.victim_non_police_initiated_pre12m, ["base"])
    assert r.coef == pytest.approx(0.0762202601979024, rel=REL)
    assert r.se == pytest.approx(0.2924422409057182, rel=REL)
    assert r.p_value == pytest.approx(0.794375112421006, rel=REL)
    assert np.log(r.covariates["base"][0]) == pytest.approx(0.4351951513885613, rel=REL)
    assert r.covariates["base"][3] == pytest.approx(1.25350588521489e-08, rel=REL)


def test_cox_refuses_an_arm_without_events():
    with pytest.raises(DataError, match="No events in the treatment arm"):
        cox(DAYS, np.where(ARM == 1, 0, EVENT), ARM)
    assert logrank(DAYS, np.where(ARM == 1, 0, EVENT), ARM).p_value < 1e-6


def test_mean_cumulative_count_matches_survfit_nelson_aalen():
    # tests/r/mcf.R: one row per person-month, a month with c events split into c + 1
    # pieces; summary(survfit(Surv(start, stop, event) ~ arm, data = long), times = 1:6)$cumhaz
    counts = np.array([1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 2, 0, 1, 0, 1, 0, 1, 0, 3, 4, 1, 1, 0,
                       0, 0, 1, 0, 1, 2, 0, 0, 0, 0, 2, 1, 0, 0, 2, 1, 1, 0, 0, 1, 0, 2, 0, 0,
                       0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0,
                       0, 0, 0, 0, 1, 0, 2, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0,
                       0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 2, 1, 0, 0, 1, 0, 2, 0, 1,
                       2, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 2, 1, 1, 2, 0, 1, 1, 0, 1, 0, 1,
                       0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 2, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1,
                       1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]).reshape(30, 6)
    obs = [6, 6, 6, 6, 4, 3, 5, 2, 2, 4, 4, 5, 1, 2, 6, 6, 6, 5, 3, 2, 2, 6, 4, 5, 6, 2, 1, 2,
           5, 6]
    # months in the data beyond a person's observed months must not count
    counts = counts + (np.arange(1, 7)[None, :] > np.array(obs)[:, None]) * 7
    m = mean_cumulative_count(counts, obs, np.tile([1, 0], 15))
    control = [0.533333333333333, 1.2, 1.7, 2.366666666666667, 2.616666666666667,
               3.016666666666667]
    treated = [0.4, 1.092307692307692, 1.819580419580419, 2.219580419580419,
               2.505294705294705, 2.905294705294705]
    assert m[m.arm == "control"].mean_cumulative.tolist()[1:] == pytest.approx(control, rel=REL)
    assert m[m.arm == "treatment"].mean_cumulative.tolist()[1:] == pytest.approx(treated,
                                                                                 rel=REL)
