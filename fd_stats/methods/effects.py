"""Effect sizes: percentage change from control, ratio of means, Hedges' g."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scipy import special

from .._checks import as_sample, check_alternative, check_level
from .permutation import (bootstrap_arm_means, bootstrap_means_many,
                          percentile_interval, percentile_intervals)
from .result import NOT_ESTIMABLE
from .ttest import Moments


def z_quantile_pair(confidence_level: float, alternative: str):
    """Normal quantiles (lower, upper) for a Wald interval with the given sidedness.

    Same values as :func:`fd_stats._checks.z_quantile_pair` (``scipy.special.ndtri``
    is what ``scipy.stats.norm.ppf`` evaluates), without its per-call overhead.
    """
    if alternative == "two-sided":
        q = special.ndtri(1 - (1 - confidence_level) / 2)
        return -q, q
    q = special.ndtri(confidence_level)
    return (-np.inf, q) if alternative == "less" else (-q, np.inf)


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


RATIO_METHOD = ("Fieller interval with Welch variances and df (it excludes no change exactly "
                "when the Welch t-test is significant at the same level and sidedness)")


def _fieller_moments(sx: Moments, sy: Moments, alternative, confidence_level):
    """Ratio of means and its Fieller interval.

    The interval holds every ratio r for which the Welch statistic
    (mean_t - r mean_c) / sqrt(v_t + r^2 v_c), v = variance / n, is not
    rejected at the chosen level, using the Welch df of the test itself; so
    the percentage change and the Welch p-value never disagree. An interval
    that cannot be bounded (control mean not clearly above 0) has an
    infinite upper end.
    """
    if sx.n < 2 or sy.n < 2:
        return (NOT_ESTIMABLE,) * 3, "Not estimable: each arm needs at least 2 people."
    mx, my = sx.mean, sy.mean
    if mx < 0 or my <= 0:
        return (NOT_ESTIMABLE,) * 3, (
            "Not estimable: a percentage change needs a positive control mean and a "
            f"non-negative treatment mean (treatment mean {mx:.4g}, control mean {my:.4g}).")
    ratio = mx / my
    vx, vy = sx.var / sx.n, sy.var / sy.n
    lo, hi = (0.0 if alternative == "less" else ratio), (np.inf if alternative == "greater" else ratio)
    if vx + vy == 0:  # no variation: the ratio is known exactly
        return (ratio, lo, hi), ""
    df = (vx + vy) ** 2 / (vx**2 / (sx.n - 1) + vy**2 / (sy.n - 1))
    level = 1 - (1 - confidence_level) / 2 if alternative == "two-sided" else confidence_level
    q2 = special.stdtrit(df, level) ** 2
    # (mx - r my)^2 = q^2 (vx + r^2 vy)  <=>  a r^2 + b r + c = 0
    a, b, c = my**2 - q2 * vy, -2 * mx * my, mx**2 - q2 * vx
    disc = b * b - 4 * a * c
    if a > 0 and disc >= 0:
        r1, r2 = (-b - np.sqrt(disc)) / (2 * a), (-b + np.sqrt(disc)) / (2 * a)
        lo_f, hi_f = max(r1, 0.0), r2
    else:  # the control mean is not clearly above 0: no finite upper limit
        lo_f = max((-b - np.sqrt(disc)) / (2 * a), 0.0) if a < 0 and disc >= 0 else 0.0
        hi_f = np.inf
    if alternative != "less":
        lo = lo_f
    if alternative != "greater":
        hi = hi_f
    note = ""
    if vx == 0 or vy == 0:
        arm = "treatment" if vx == 0 else "control"
        note = (f"Everyone in the {arm} arm had the same value, so the interval treats that "
                "arm's mean as exact; read it with care.")
    return (ratio, lo, hi), note


def _ratio_effect(sx: Moments, sy: Moments, alternative, confidence_level) -> Effect:
    (est, lo, hi), note = _fieller_moments(sx, sy, alternative, confidence_level)
    return Effect("ratio of means", float(est), float(lo), float(hi), confidence_level, alternative,
                  RATIO_METHOD, note)


def ratio_of_means(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Treatment mean divided by control mean, with a Fieller interval.

    The interval has the sidedness of ``alternative`` (0 or infinity for the open bound)
    and agrees with the Welch t-test: it excludes 1 exactly when that test rejects.
    """
    x, y = _samples(treatment, control, alternative, confidence_level)
    return _ratio_effect(Moments.of(x), Moments.of(y), alternative, confidence_level)


def percent_change_moments(sx: Moments, sy: Moments, *, alternative="two-sided",
                           confidence_level=0.95) -> Effect:
    """:func:`percent_change` from the arms' :class:`fd_stats.methods.ttest.Moments`."""
    r = _ratio_effect(sx, sy, alternative, confidence_level)
    return Effect("percentage change", 100 * (r.estimate - 1), 100 * (r.ci_low - 1),
                  100 * (r.ci_high - 1), confidence_level, alternative, r.method, r.note)


def percent_change(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Percentage change from control, 100 * (mean_t / mean_c - 1).

    The interval is the Fieller interval for the ratio of means (Welch
    variances and df), transformed to percent, so it never goes below -100%
    and excludes 0% exactly when the Welch t-test is significant. Its
    sidedness follows ``alternative`` (``less`` gives an interval from -100% up).
    """
    x, y = _samples(treatment, control, alternative, confidence_level)
    return percent_change_moments(Moments.of(x), Moments.of(y), alternative=alternative,
                                  confidence_level=confidence_level)


def percent_change_bootstrap(treatment, control, *, alternative="two-sided",
                             confidence_level=0.95, n_resamples=2000, seed=12345):
    """Percentage change with a seeded percentile bootstrap interval (resampling within arms).

    Resamples whose control mean is 0 have no percentage change and are
    dropped; the note says how many. Large samples with few distinct values draw
    counts of each, as :func:`fd_stats.methods.permutation.bootstrap_arm_means`
    explains; ``method`` says so. Every resample asked for is drawn.
    """
    x, y = _samples(treatment, control, alternative, confidence_level)
    if len(x) < 2 or len(y) < 2 or y.mean() <= 0:
        return _pc_boot_effect(x, y, None, None, "", alternative, confidence_level,
                               int(n_resamples), seed)
    mx, my, how = bootstrap_arm_means(x, y, int(n_resamples), np.random.default_rng(seed))
    return _pc_boot_effect(x, y, mx, my, how, alternative, confidence_level, int(n_resamples),
                           seed)


def _pc_boot_effect(x, y, mx, my, how, alternative, confidence_level, n_resamples, seed):
    used = n_resamples if mx is None else len(mx)
    method = f"percentile bootstrap, {used:,} resamples within arms{how}, seed {seed}"
    if mx is None:
        return Effect("percentage change", NOT_ESTIMABLE, NOT_ESTIMABLE, NOT_ESTIMABLE,
                      confidence_level, alternative, method,
                      "Not estimable: needs 2+ people per arm and a positive control mean.")
    ok = my > 0
    draws = 100 * (mx[ok] / my[ok] - 1)
    lo, hi = percentile_interval(draws, alternative, confidence_level)
    if alternative == "less":
        lo = -100.0
    note = "" if ok.all() else f"{(~ok).sum()} resamples had a control mean of 0 and were dropped."
    return Effect("percentage change", float(100 * (x.mean() / y.mean() - 1)), lo, hi,
                  confidence_level, alternative, method, note)


def percent_change_bootstrap_many(treatment, control, *, alternative="two-sided",
                                  confidence_level=0.95, n_resamples=2000, seed=12345,
                                  mean_draws=None):
    """:func:`percent_change_bootstrap` for several outcomes on the same people at once.

    ``treatment`` (m, k) and ``control`` (n, k) hold one outcome per column and
    no missing values. One seeded index matrix per arm serves every column, so
    each column gets the same resamples :func:`percent_change_bootstrap`
    draws for it (equal up to float rounding). ``mean_draws`` optionally passes precomputed
    :func:`fd_stats.methods.permutation.bootstrap_means_many` output. Returns a list of :class:`Effect`.
    """
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    xs, ys = np.asarray(treatment, float), np.asarray(control, float)
    k = xs.shape[1]
    if not (np.isnan(xs).any() or np.isnan(ys).any() or xs.shape[0] < 2 or ys.shape[0] < 2):
        if mean_draws is None:
            mean_draws = bootstrap_means_many(xs, ys, int(n_resamples), seed)
    else:
        mean_draws = None
    if mean_draws is None:  # missing values, tiny arms, or a large sample drawn as counts
        return [percent_change_bootstrap(xs[:, j], ys[:, j], alternative=alternative,
                                         confidence_level=confidence_level,
                                         n_resamples=n_resamples, seed=seed) for j in range(k)]
    mx_all, my_all = mean_draws
    cis = None
    if (my_all > 0).all():  # no resample dropped: all intervals in one vectorised call
        with np.errstate(over="ignore"):
            cis = percentile_intervals(100 * (mx_all / my_all - 1), alternative, confidence_level)
    out = []
    for j in range(k):
        x, y = xs[:, j], ys[:, j]
        if y.mean() <= 0:
            out.append(_pc_boot_effect(x, y, None, None, "", alternative, confidence_level,
                                       int(n_resamples), seed))
        elif cis is not None:
            lo, hi = cis[j]
            out.append(Effect("percentage change", float(100 * (x.mean() / y.mean() - 1)),
                              -100.0 if alternative == "less" else lo, hi, confidence_level,
                              alternative, f"percentile bootstrap, {int(n_resamples):,} resamples "
                              f"within arms, seed {seed}", ""))
        else:
            out.append(_pc_boot_effect(x, y, mean_draws[0][j], mean_draws[1][j], "",
                                       alternative, confidence_level, int(n_resamples), seed))
    return out


def hedges_g(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Hedges' g (standardised mean difference, small-sample corrected) with a normal interval.

    g = J * (mean_t - mean_c) / s_pooled with J = 1 - 3 / (4 (n_t + n_c) - 9);
    standard error sqrt((n_t + n_c) / (n_t n_c) + g^2 / (2 (n_t + n_c)))
    (Hedges and Olkin 1985).
    """
    x, y = _samples(treatment, control, alternative, confidence_level)
    return hedges_g_moments(Moments.of(x), Moments.of(y), alternative=alternative,
                            confidence_level=confidence_level)


def hedges_g_moments(sx: Moments, sy: Moments, *, alternative="two-sided",
                     confidence_level=0.95) -> Effect:
    """:func:`hedges_g` from the arms' :class:`fd_stats.methods.ttest.Moments`."""
    method = "Hedges and Olkin normal approximation"
    m, n = sx.n, sy.n
    if m < 2 or n < 2:
        return Effect("Hedges' g", NOT_ESTIMABLE, NOT_ESTIMABLE, NOT_ESTIMABLE, confidence_level,
                      alternative, method, "Not estimable: each arm needs at least 2 people.")
    sp = np.sqrt(((m - 1) * sx.var + (n - 1) * sy.var) / (m + n - 2))
    if not np.isfinite(sp) or sp == 0:
        return Effect("Hedges' g", NOT_ESTIMABLE, NOT_ESTIMABLE, NOT_ESTIMABLE, confidence_level,
                      alternative, method, "Not estimable: no variation within the arms.")
    j = 1 - 3 / (4 * (m + n) - 9)
    g = j * (sx.mean - sy.mean) / sp
    se = np.sqrt((m + n) / (m * n) + g**2 / (2 * (m + n)))
    lo_q, hi_q = z_quantile_pair(confidence_level, alternative)
    return Effect("Hedges' g", float(g), float(g + lo_q * se), float(g + hi_q * se),
                  confidence_level, alternative, method)
