"""Effect sizes: percentage change from control, ratio of means, Hedges' g."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._checks import as_sample, check_alternative, check_level, z_quantile_pair
from .twosample import NOT_ESTIMABLE, bootstrap_indices_means, percentile_interval


@dataclass(frozen=True)
class Effect:
    """An effect size with its interval.

    ``estimate``, ``ci_low`` and ``ci_high`` are NaN when not estimable and
    ``note`` says why. ``method`` names how the interval was obtained.
    """

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    alternative: str
    method: str
    note: str = ""


def _samples(treatment, control, alternative, confidence_level):
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    return as_sample(treatment, "treatment"), as_sample(control, "control")


def _log_ratio_interval(x, y, alternative, confidence_level):
    """Ratio of means and its delta-method interval on the log scale."""
    if len(x) < 2 or len(y) < 2:
        return (NOT_ESTIMABLE,) * 3, "Not estimable: each arm needs at least 2 people."
    mx, my = x.mean(), y.mean()
    if mx <= 0 or my <= 0:
        return (NOT_ESTIMABLE,) * 3, (
            "Not estimable: a ratio needs a positive mean in both arms "
            f"(treatment mean {mx:.4g}, control mean {my:.4g}).")
    se = np.sqrt(x.var(ddof=1) / (len(x) * mx**2) + y.var(ddof=1) / (len(y) * my**2))
    lo_q, hi_q = z_quantile_pair(confidence_level, alternative)
    ratio = mx / my
    with np.errstate(over="ignore"):
        return (ratio, ratio * np.exp(lo_q * se), ratio * np.exp(hi_q * se)), ""


def ratio_of_means(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Treatment mean divided by control mean, with a delta-method interval on the log ratio.

    The interval has the sidedness of ``alternative`` (0 or infinity for the open bound).
    """
    x, y = _samples(treatment, control, alternative, confidence_level)
    (est, lo, hi), note = _log_ratio_interval(x, y, alternative, confidence_level)
    return Effect("ratio of means", float(est), float(lo), float(hi), confidence_level, alternative,
                  "delta method on the log ratio of means", note)


def percent_change(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Percentage change from control, 100 * (mean_t / mean_c - 1).

    The interval is the delta-method interval on the log ratio of means,
    transformed back, so it never goes below -100%. Its sidedness follows
    ``alternative`` (``less`` gives an interval from -100% up).
    """
    r = ratio_of_means(treatment, control, alternative=alternative,
                       confidence_level=confidence_level)
    return Effect("percentage change", 100 * (r.estimate - 1), 100 * (r.ci_low - 1),
                  100 * (r.ci_high - 1), confidence_level, alternative, r.method, r.note)


def percent_change_bootstrap(treatment, control, *, alternative="two-sided",
                             confidence_level=0.95, n_resamples=2000, seed=12345):
    """Percentage change with a seeded percentile bootstrap interval (resampling within arms).

    Resamples whose control mean is 0 have no percentage change and are
    dropped; the note says how many.
    """
    x, y = _samples(treatment, control, alternative, confidence_level)
    method = f"percentile bootstrap, {int(n_resamples):,} resamples within arms, seed {seed}"
    if len(x) < 2 or len(y) < 2 or y.mean() <= 0:
        return Effect("percentage change", NOT_ESTIMABLE, NOT_ESTIMABLE, NOT_ESTIMABLE,
                      confidence_level, alternative, method,
                      "Not estimable: needs 2+ people per arm and a positive control mean.")
    rng = np.random.default_rng(seed)
    mx = bootstrap_indices_means(x, int(n_resamples), rng)
    my = bootstrap_indices_means(y, int(n_resamples), rng)
    ok = my > 0
    draws = 100 * (mx[ok] / my[ok] - 1)
    lo, hi = percentile_interval(draws, alternative, confidence_level)
    if alternative == "less":
        lo = -100.0
    note = "" if ok.all() else f"{(~ok).sum()} resamples had a control mean of 0 and were dropped."
    return Effect("percentage change", float(100 * (x.mean() / y.mean() - 1)), lo, hi,
                  confidence_level, alternative, method, note)


def hedges_g(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Hedges' g (standardised mean difference, small-sample corrected) with a normal interval.

    g = J * (mean_t - mean_c) / s_pooled with J = 1 - 3 / (4 (n_t + n_c) - 9);
    standard error sqrt((n_t + n_c) / (n_t n_c) + g^2 / (2 (n_t + n_c)))
    (Hedges and Olkin 1985).
    """
    x, y = _samples(treatment, control, alternative, confidence_level)
    method = "Hedges and Olkin normal approximation"
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        return Effect("Hedges' g", NOT_ESTIMABLE, NOT_ESTIMABLE, NOT_ESTIMABLE, confidence_level,
                      alternative, method, "Not estimable: each arm needs at least 2 people.")
    sp = np.sqrt(((m - 1) * x.var(ddof=1) + (n - 1) * y.var(ddof=1)) / (m + n - 2))
    if not np.isfinite(sp) or sp == 0:
        return Effect("Hedges' g", NOT_ESTIMABLE, NOT_ESTIMABLE, NOT_ESTIMABLE, confidence_level,
                      alternative, method, "Not estimable: no variation within the arms.")
    j = 1 - 3 / (4 * (m + n) - 9)
    g = j * (x.mean() - y.mean()) / sp
    se = np.sqrt((m + n) / (m * n) + g**2 / (2 * (m + n)))
    lo_q, hi_q = z_quantile_pair(confidence_level, alternative)
    return Effect("Hedges' g", float(g), float(g + lo_q * se), float(g + hi_q * se),
                  confidence_level, alternative, method)
