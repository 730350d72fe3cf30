"""The result of a two-sample comparison of treatment against control, shared by
the t-tests (:mod:`fd_stats.methods.ttest`), Mann-Whitney (:mod:`fd_stats.methods.rank`) and the
permutation test (:mod:`fd_stats.methods.permutation`).

Conventions follow R: ``x`` is treatment, ``y`` is control, the estimate is
treatment minus control, and ``alternative="less"`` means treatment lower.
Confidence intervals have the same sidedness as the test (as R's ``t.test``):
a one-sided test gives an interval with one infinite bound.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_sample, check_alternative, check_level

NOT_ESTIMABLE = float("nan")


@dataclass(frozen=True)
class TwoSampleResult:
    """Result of one two-sample comparison.

    Attributes
    ----------
    test : str
        ``welch``, ``student``, ``mann-whitney`` or ``permutation``.
    estimate : float
        Difference in means (t and permutation tests) or the Hodges-Lehmann
        shift (Mann-Whitney), treatment minus control.
    ci_low, ci_high : float
        Confidence interval for ``estimate``; one bound is infinite for a
        one-sided test. NaN when not estimable.
    statistic : float
        t, W (R's Mann-Whitney statistic) or the observed difference in means.
    df : float
        Degrees of freedom (t tests only; NaN otherwise).
    p_value : float
        Probability of a difference at least this large, in the direction(s)
        given by ``alternative``, if the programme had no effect.
    note : str
        Why a value is not estimable, or how it was obtained (empty if nothing to say).
    p_by_alternative : tuple of (str, float)
        Permutation test only: the p-value for every sidedness, ``(("two-sided", p),
        ("less", p), ("greater", p))``, from the same re-randomisations (empty otherwise).
    """

    test: str
    alternative: str
    confidence_level: float
    n_treatment: int
    n_control: int
    mean_treatment: float
    mean_control: float
    estimate: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float
    p_value: float
    method: str
    ci_method: str
    n_resamples: int = 0
    exact: bool = False
    mc_error: float = NOT_ESTIMABLE
    note: str = ""
    p_by_alternative: tuple = ()

    @property
    def estimable(self) -> bool:
        return bool(np.isfinite(self.p_value))


def _prepare(treatment, control, alternative, confidence_level):
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    x = as_sample(treatment, "treatment")
    y = as_sample(control, "control")
    return x, y


def _not_estimable(test, alternative, confidence_level, x, y, method, note, **extra):
    return TwoSampleResult(
        test=test, alternative=alternative, confidence_level=confidence_level,
        n_treatment=len(x), n_control=len(y),
        mean_treatment=float(x.mean()) if len(x) else NOT_ESTIMABLE,
        mean_control=float(y.mean()) if len(y) else NOT_ESTIMABLE,
        estimate=float(x.mean() - y.mean()) if len(x) and len(y) else NOT_ESTIMABLE,
        ci_low=NOT_ESTIMABLE, ci_high=NOT_ESTIMABLE, statistic=NOT_ESTIMABLE,
        df=NOT_ESTIMABLE, p_value=NOT_ESTIMABLE, method=method, ci_method="", note=note,
        **extra,
    )
