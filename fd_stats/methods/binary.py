"""Binary outcomes: the share of people with at least one offence."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._checks import check_alternative, check_level, z_quantile_pair
from ..errors import DataError
from .result import NOT_ESTIMABLE


@dataclass(frozen=True)
class ProportionsResult:
    """Two proportions compared: risk difference, risk ratio and Fisher's exact test.

    Risks are shares (0-1). The risk-difference interval is Newcombe's hybrid
    score interval (from Wilson intervals); the risk-ratio interval is the
    Katz log interval. ``p_value`` is Fisher's exact test (R ``fisher.test``).
    """

    events_treatment: int
    n_treatment: int
    events_control: int
    n_control: int
    risk_treatment: float
    risk_control: float
    risk_difference: float
    risk_difference_ci_low: float
    risk_difference_ci_high: float
    risk_ratio: float
    risk_ratio_ci_low: float
    risk_ratio_ci_high: float
    odds_ratio: float
    p_value: float
    alternative: str
    confidence_level: float
    note: str = ""


def wilson_interval(events, n, confidence_level=0.95):
    """Wilson score interval for a proportion; matches R ``prop.test(x, n, correct=FALSE)``."""
    check_level(confidence_level, "confidence_level")
    events, n = int(events), int(n)
    if n <= 0 or not 0 <= events <= n:
        raise DataError(f"A proportion needs 0 <= events <= n and n > 0; got {events} of {n}.")
    z = stats.norm.ppf(1 - (1 - confidence_level) / 2)
    p = events / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def _check_counts(events, n, arm):
    if int(n) != n or int(events) != events or n < 1 or not 0 <= events <= n:
        raise DataError(f"{arm}: need whole numbers with 0 <= people with an event <= people, "
                        f"and at least 1 person; got {events} of {n}.")
    return int(events), int(n)


def compare_proportions(events_treatment, n_treatment, events_control, n_control, *,
                        alternative="two-sided", confidence_level=0.95):
    """Risk difference, risk ratio and Fisher's exact test for two arms."""
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    a, n1 = _check_counts(events_treatment, n_treatment, "treatment")
    c, n2 = _check_counts(events_control, n_control, "control")
    p1, p2 = a / n1, c / n2
    # Newcombe (1998) method 10: combine the two Wilson intervals.
    if alternative == "two-sided":
        level_each = confidence_level
    else:
        level_each = 1 - 2 * (1 - confidence_level)
    l1, u1 = wilson_interval(a, n1, level_each)
    l2, u2 = wilson_interval(c, n2, level_each)
    rd = p1 - p2
    rd_lo = rd - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    rd_hi = rd + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    if alternative == "less":
        rd_lo = -1.0
    elif alternative == "greater":
        rd_hi = 1.0
    note = ""
    if a == 0 or c == 0:
        rr = rr_lo = rr_hi = NOT_ESTIMABLE
        note = "Risk ratio not estimable: an arm has no events."
    elif a == n1 and c == n2:
        rr, rr_lo, rr_hi = 1.0, NOT_ESTIMABLE, NOT_ESTIMABLE
        note = "Risk ratio interval not estimable: everyone in both arms had an event."
    else:
        rr = p1 / p2
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        lo_q, hi_q = z_quantile_pair(confidence_level, alternative)
        rr_lo, rr_hi = rr * np.exp(lo_q * se), rr * np.exp(hi_q * se)
    table = np.array([[a, n1 - a], [c, n2 - c]])
    odds, p = stats.fisher_exact(table, alternative=alternative)
    return ProportionsResult(a, n1, c, n2, p1, p2, float(rd), float(rd_lo), float(rd_hi),
                             float(rr), float(rr_lo), float(rr_hi), float(odds), float(p),
                             alternative, confidence_level, note)
