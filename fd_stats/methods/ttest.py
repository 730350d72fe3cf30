"""Welch and Student two-sample t-tests, and the t interval shared with the
registry's t-based methods (Lin, blocked).

Conventions follow R: ``x`` is treatment, ``y`` is control, the estimate is
treatment minus control, and ``alternative="less"`` means treatment lower.
Confidence intervals have the same sidedness as the test (as R's ``t.test``):
a one-sided test gives an interval with one infinite bound.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from .._checks import check_alternative
from .result import NOT_ESTIMABLE, TwoSampleResult, _not_estimable, _prepare


def t_from_moments(mean_t, var_t, n_t, mean_c, var_c, n_c, *, equal_var=False,
                   alternative="two-sided", confidence_level=0.95):
    """t statistic, df, p-value and interval from means, variances and sizes.

    Returns ``(estimate, se, t, df, p, ci_low, ci_high)``; NaNs where the
    standard error is zero or undefined. Shared by the raw-data and the
    summary-statistics versions so they cannot disagree.
    """
    est = mean_t - mean_c
    if equal_var:
        df = n_t + n_c - 2
        if df < 1:
            return (est,) + (NOT_ESTIMABLE,) * 6
        pooled = ((n_t - 1) * var_t + (n_c - 1) * var_c) / df
        se = np.sqrt(pooled * (1 / n_t + 1 / n_c))
    else:
        if n_t < 2 or n_c < 2:
            return (est,) + (NOT_ESTIMABLE,) * 6
        a, b = var_t / n_t, var_c / n_c
        se = np.sqrt(a + b)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (a + b) ** 2 / (a**2 / (n_t - 1) + b**2 / (n_c - 1))
    if not np.isfinite(se) or se <= 0 or not np.isfinite(df):
        return (est,) + (NOT_ESTIMABLE,) * 6
    t = est / se
    p = p_from_t(t, df, alternative)
    lo, hi = t_interval(est, se, df, alternative, confidence_level)
    return est, se, t, df, p, lo, hi


def t_interval(est, se, df, alternative, confidence_level):
    """``(ci_low, ci_high)`` of ``est`` with t quantiles on ``df``, open on one side when the
    test is one-sided (as R's ``t.test`` reports it)."""
    if alternative == "two-sided":
        q = special.stdtrit(df, 1 - (1 - confidence_level) / 2)
        return est - q * se, est + q * se
    q = special.stdtrit(df, confidence_level)
    return (-np.inf, est + q * se) if alternative == "less" else (est - q * se, np.inf)


def p_from_t(t, df, alternative="two-sided"):
    """p-value of a t statistic with ``df`` degrees of freedom (R: ``pt``).

    ``less`` is ``pt(t, df)``, ``greater`` is ``pt(t, df, lower=FALSE)``,
    ``two-sided`` is ``2 * pt(-|t|, df)``. Works element-wise on arrays.
    """
    check_alternative(alternative)
    t = np.asarray(t, dtype=float)
    df = np.asarray(df, dtype=float)
    # scipy.special directly: the same values as scipy.stats.t, without its per-call overhead
    if alternative == "less":
        p = special.stdtr(df, t)
    elif alternative == "greater":
        p = special.stdtr(df, -t)
    else:
        p = np.minimum(2 * special.stdtr(df, -np.abs(t)), 1.0)
    return p[()] if p.ndim == 0 else p


def _t_test(treatment, control, equal_var, alternative, confidence_level):
    name = "student" if equal_var else "welch"
    method = ("Two-sample t-test, equal variances (Student)" if equal_var
              else "Welch two-sample t-test (unequal variances)")
    x, y = _prepare(treatment, control, alternative, confidence_level)
    need = 1 if equal_var else 2
    if len(x) < need or len(y) < need or len(x) + len(y) < 3:
        return _not_estimable(name, alternative, confidence_level, x, y, method,
                              "Not estimable: each arm needs at least 2 people with a value.")
    return t_test_moments(Moments.of(x), Moments.of(y), equal_var=equal_var,
                          alternative=alternative, confidence_level=confidence_level)


@dataclass(frozen=True)
class Moments:
    """Size, mean and variance (ddof=1; 0 for one value) of a clean sample, computed once.

    The scalar functions and the batched analysis both build results from these,
    so they give identical numbers while a large sample is only scanned once.
    """

    n: int
    mean: float
    var: float

    @classmethod
    def of(cls, v: np.ndarray) -> "Moments":
        n = len(v)
        return cls(n, v.mean() if n else NOT_ESTIMABLE, v.var(ddof=1) if n > 1 else 0.0)


def t_test_moments(mx: Moments, my: Moments, *, equal_var=False, alternative="two-sided",
                   confidence_level=0.95) -> TwoSampleResult:
    """Welch or Student t-test from :class:`Moments` of each arm (enough people assumed)."""
    name = "student" if equal_var else "welch"
    method = ("Two-sample t-test, equal variances (Student)" if equal_var
              else "Welch two-sample t-test (unequal variances)")
    est, se, t, df, p, lo, hi = t_from_moments(
        mx.mean, mx.var, mx.n, my.mean, my.var, my.n, equal_var=equal_var,
        alternative=alternative, confidence_level=confidence_level)
    note = "" if np.isfinite(p) else "Not estimable: no variation within the arms."
    return TwoSampleResult(
        test=name, alternative=alternative, confidence_level=confidence_level,
        n_treatment=mx.n, n_control=my.n, mean_treatment=float(mx.mean),
        mean_control=float(my.mean), estimate=float(est), ci_low=float(lo), ci_high=float(hi),
        statistic=float(t), df=float(df), p_value=float(p), method=method,
        ci_method="t interval", note=note,
    )


def welch_t(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Welch's unequal-variance t-test; matches R ``t.test(x, y, var.equal=FALSE)``.

    Parameters
    ----------
    treatment, control : array_like
        Outcome values per person; NaN are dropped.
    alternative : {'two-sided', 'less', 'greater'}
        ``less``: treatment mean lower than control.
    confidence_level : float
        Level of the interval for the difference in means.

    Returns
    -------
    TwoSampleResult
    """
    return _t_test(treatment, control, False, alternative, confidence_level)


def student_t(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Student's pooled-variance t-test; matches R ``t.test(x, y, var.equal=TRUE)``."""
    return _t_test(treatment, control, True, alternative, confidence_level)
