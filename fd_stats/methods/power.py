"""Power, sample size and minimum detectable effect for a two-arm replication.

Follows R ``power.t.test(type="two.sample")``: power is the probability that
the t statistic passes the critical value in the intended direction
(``strict=False``, R's default, ignores the far tail of a two-sided test).
Unequal arms use df = n_t + n_c - 2 and ncp = delta / (sd * sqrt(1/n_t + 1/n_c)).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from .._checks import check_level
from ..errors import DataError

SIDES = {"two-sided": 2, "one-sided": 1, "less": 1, "greater": 1}


def _sides(alternative):
    if alternative not in SIDES:
        raise DataError(f"alternative must be two-sided or one-sided; got {alternative!r}.")
    return SIDES[alternative]


def _positive(value, name):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be a number; got {value!r}.") from None
    if not np.isfinite(value) or value <= 1e-150:  # tinier values only underflow
        raise DataError(f"{name} must be a positive number; got {value}.")
    return value


def power_t(delta, sd, n_treatment, n_control=None, *, alpha=0.05, alternative="two-sided",
            strict=False):
    """Power of a two-sample t-test to detect a difference ``delta`` in means.

    Parameters
    ----------
    delta : float
        The true difference to detect (its sign is ignored: the one-sided
        test is taken to look in the direction of ``delta``).
    sd : float
        Common standard deviation of the outcome.
    n_treatment, n_control : float
        People per arm; ``n_control`` defaults to ``n_treatment``.
    alpha : float
        Significance level.
    alternative : {'two-sided', 'one-sided'}
    strict : bool
        Count both tails of a two-sided test (R ``strict=TRUE``).
    """
    sides = _sides(alternative)
    check_level(alpha, "alpha")
    delta = abs(float(delta))
    sd = _positive(sd, "sd")
    n1 = _positive(n_treatment, "n_treatment")
    n2 = n1 if n_control is None else _positive(n_control, "n_control")
    nu = n1 + n2 - 2
    if n1 < 1 or n2 < 1 or nu <= 0:
        raise DataError("Power needs at least 1 person per arm and more than 2 people in all; "
                        f"got {n1:g} and {n2:g}.")
    ncp = delta / (sd * np.sqrt(1 / n1 + 1 / n2))
    qu = stats.t.isf(alpha / sides, nu)
    if not ncp < 1e4:  # an effect hundreds of standard errors wide is detected for sure
        return 1.0
    power = stats.nct.sf(qu, nu, ncp)
    if strict and sides == 2:
        power += stats.nct.cdf(-qu, nu, ncp)
    return float(power)


@dataclass(frozen=True)
class SampleSize:
    """People needed per arm (fractional, as R reports, and rounded up)."""

    n_treatment: float
    n_control: float
    n_treatment_needed: int
    n_control_needed: int
    power: float
    alpha: float
    alternative: str

    @property
    def total_needed(self) -> int:
        return self.n_treatment_needed + self.n_control_needed


def _check_power_above_alpha(power, alpha):
    """Power at or below alpha is not a goal any sample size serves: with no effect at
    all the test already rejects with probability alpha (R ``power.t.test`` returns a
    meaningless n of about 1 instead)."""
    if power <= alpha:
        raise DataError(f"The power asked for ({power:g}) is not above alpha ({alpha:g}): a test "
                        "rejects with probability alpha even when there is no effect, so no "
                        "sample size is needed for it. Ask for a power above alpha (usually "
                        "0.8 or 0.9).")


def sample_size(delta, sd, *, power=0.8, alpha=0.05, alternative="two-sided",
                allocation_ratio=1.0, strict=False) -> SampleSize:
    """People per arm to reach ``power``; ``allocation_ratio`` is n_control / n_treatment.

    With equal allocation this agrees with R ``power.t.test(delta=, sd=, power=)$n``.
    When 2 per arm already give at least ``power`` the answer is 2 (the smallest
    sample a t-test can use; R then returns values below 2).

    Raises
    ------
    DataError
        ``power`` at or below ``alpha``, or an effect too small to detect.
    """
    check_level(power, "power")
    check_level(alpha, "alpha")
    _check_power_above_alpha(power, alpha)
    ratio = _positive(allocation_ratio, "allocation_ratio")
    delta = _positive(abs(float(delta)), "delta (the difference to detect)")

    def gap(n):
        return power_t(delta, sd, n, n * ratio, alpha=alpha, alternative=alternative,
                       strict=strict) - power

    lo = max(2.0 / ratio, 2.0) if ratio < 1 else 2.0
    if gap(lo) >= 0:
        n = lo
    else:
        hi = lo * 2
        while gap(hi) < 0:
            hi *= 2
            if hi > 1e12:
                raise DataError("The difference is too small to detect with any realistic sample.")
        n = optimize.brentq(gap, lo, hi, xtol=1e-10, rtol=1e-14)
    return SampleSize(n, n * ratio, int(np.ceil(n - 1e-9)), int(np.ceil(n * ratio - 1e-9)),
                      power, alpha, alternative)


def minimum_detectable_effect(sd, n_treatment, n_control=None, *, power=0.8, alpha=0.05,
                              alternative="two-sided", strict=False) -> float:
    """Smallest difference in means detectable with ``power`` (R ``power.t.test(n=, power=)$delta``)."""
    check_level(power, "power")
    check_level(alpha, "alpha")
    _check_power_above_alpha(power, alpha)
    sd = _positive(sd, "sd")

    def gap(d):
        return power_t(d, sd, n_treatment, n_control, alpha=alpha, alternative=alternative,
                       strict=strict) - power

    hi = sd
    while gap(hi) < 0:
        hi *= 2
    try:
        return float(optimize.brentq(gap, 1e-12 * sd, hi, xtol=max(1e-12 * sd, 1e-300),
                                     rtol=1e-14))
    except (ValueError, RuntimeError):
        raise DataError("The minimum detectable effect could not be found for these inputs; "
                        "check the standard deviation and the numbers of people.") from None
