"""The vectorised Efron Cox model (fd_stats.methods.survival.cox) against R survival::coxph.

Values from tests/r/cox_efron.R (Rscript tests/r/cox_efron.R, R survival 3.x); the call is
beside each value. Data: tests/r/cox_ties.csv (follow-up in whole months, heavy ties),
survival::veteran and survival::lung written to CSV by that script.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fd_stats.errors import DataError
from fd_stats.methods.survival import cox

R = Path(__file__).parent / "r"
REL = 1e-6


def check(r, coef, se, z, p, lower, upper, n, nevent):
    assert r.coef == pytest.approx(coef, rel=REL)
    assert r.se == pytest.approx(se, rel=REL)
    assert r.coef / r.se == pytest.approx(z, rel=REL)
    assert r.p_value == pytest.approx(p, rel=REL)
    assert r.hazard_ratio == pytest.approx(np.exp(coef), rel=REL)
    assert (r.ci_low, r.ci_high) == pytest.approx((lower, upper), rel=REL)
    assert (r.n, r.n_events) == (n, nevent)


def check_cov(r, name, coef, p, lower, upper):
    hr, lo, hi, pv = r.covariates[name]
    assert np.log(hr) == pytest.approx(coef, rel=REL)
    assert pv == pytest.approx(p, rel=REL)
    assert (lo, hi) == pytest.approx((lower, upper), rel=REL)


@pytest.fixture(scope="module")
def ties():
    return pd.read_csv(R / "cox_ties.csv")


def test_heavy_ties_arm_only(ties):
    # coxph(Surv(months, event) ~ arm, data = cox_ties, ties = "efron")
    r = cox(ties.months, ties.event, ties.arm)
    check(r, -0.277600037181493, 0.0432265393245406, -6.4219815307744, 1.34511745986851e-10,
          0.696057854769265, 0.824582915932969, 3000, 2158)


def test_heavy_ties_with_baseline(ties):
    # coxph(Surv(months, event) ~ arm + base, data = cox_ties, ties = "efron")
    r = cox(ties.months, ties.event, ties.arm, ties.base, ["base"])
    check(r, -0.284716160618596, 0.0432413264330833, -6.58435307388638, 4.56870263268410e-11,
          0.691102173384103, 0.818759639910079, 3000, 2158)
    check_cov(r, "base", 0.234264777477211, 6.07857518510174e-37, 1.219090437054392,
              1.310520671834954)


def test_veteran():
    d = pd.read_csv(R / "veteran.csv")
    # coxph(Surv(time, status) ~ I(trt == 2), data = veteran, ties = "efron")
    r = cox(d.time, d.status, (d.trt == 2).astype(float))
    check(r, 0.0177425695187366, 0.18066101228769, 0.0982091780294176, 0.921766194684511,
          0.714375526106933, 1.45038878345424, 137, 128)
    # coxph(Surv(time, status) ~ I(trt == 2) + karno, data = veteran, ties = "efron")
    r = cox(d.time, d.status, (d.trt == 2).astype(float), d.karno, ["karno"])
    check(r, 0.177322256692181, 0.18314851832604984, 0.968188322312841, 3.32950325920230e-01,
          0.833899620442535, 1.709646726417615, 137, 128)
    check_cov(r, "karno", -0.033953564351846, 2.40416556391133e-11, 0.957033245335948,
              0.976295492493219)


def test_lung_two_covariates_and_a_missing_value():
    d = pd.read_csv(R / "lung.csv")
    event = d.status - 1                       # lung codes 1 censored, 2 dead
    # coxph(Surv(time, status) ~ I(sex == 2), data = lung, ties = "efron")
    r = cox(d.time, event, (d.sex == 2).astype(float))
    check(r, -0.531023537619508, 0.167178583230754, -3.17638496126351, 0.00149122920488075,
          0.423717830353915, 0.815984813171386, 228, 165)
    # coxph(Surv(time, status) ~ I(sex == 2) + age + ph.ecog, data = lung, ties = "efron"):
    # one person without ph.ecog left out (na.omit), n 227, 164 events
    r = cox(d.time, event, (d.sex == 2).astype(float), d[["age", "ph.ecog"]],
            ["age", "ph.ecog"])
    check(r, -0.5526123957036305, 0.16773905378726353, -3.29447664826157,
          9.86051372138464e-04, 0.414213018549173, 0.799435127387147, 227, 164)
    assert r.n_excluded == 1
    check_cov(r, "age", 0.0110667645600735, 2.32415680999612e-01, 0.992928097169850,
              1.029661962242155)
    check_cov(r, "ph.ecog", 0.4637284753704278, 4.44706665185678e-05, 1.272675177774297,
              1.986423581287591)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_statsmodels_phreg_on_continuous_covariates(seed):
    # a second, independent reference: statsmodels PHReg(ties="efron") on data with ties
    # and a continuous covariate (no rows to collapse)
    from statsmodels.duration.hazard_regression import PHReg

    rng = np.random.default_rng(seed)
    n = 400
    z = (rng.random(n) < 0.5).astype(float)
    x = rng.normal(size=n)
    t = np.ceil(rng.exponential(20 * np.exp(0.4 * z - 0.5 * x)))
    c = rng.integers(5, 60, n)
    time, event = np.minimum(t, c), (t <= c).astype(float)
    fit = PHReg(time, np.column_stack([z, x]), status=event, ties="efron").fit(disp=False)
    r = cox(time, event, z, x, ["x"])
    assert r.coef == pytest.approx(fit.params[0], rel=1e-6)
    assert r.se == pytest.approx(fit.bse[0], rel=1e-6)
    assert np.log(r.covariates["x"][0]) == pytest.approx(fit.params[1], rel=1e-6)


def test_refuses_what_has_no_estimate(ties):
    with pytest.raises(DataError, match="did not converge"):
        cox(ties.months, ties.event, ties.arm, np.ones(len(ties)), ["constant"])
    # a covariate value with every event (monotone likelihood: coefficient infinite)
    sep = (ties.event == 1).astype(float)
    with pytest.raises(DataError, match="may be infinite"):
        cox(ties.months, ties.event, ties.arm, sep, ["separating"])
