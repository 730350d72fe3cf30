"""Benefit-cost arithmetic and scale-up scenarios from a per-person effect and its interval.

The effect is the intention-to-treat difference in means per person
(treatment minus control; a reduction is negative) with its confidence
interval, as :func:`fd_stats.analyse` reports it. Everything here is linear
in that effect, so the interval of each derived quantity is the effect's
interval carried through; nothing new is estimated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cost import _non_negative, scale_up
from ..errors import DataError

__all__ = ["Prevented", "expected_prevented", "BenefitCost", "benefit_cost",
           "scale_up_table", "money_text", "money_range", "count_text", "count_range",
           "cost_per_unit_range", "ratio_range"]


def _finite_or_inf(value, name):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be a number; got {value!r}.") from None
    if np.isnan(value):
        raise DataError(f"{name} is not estimable, so nothing can be derived from it.")
    return value


def _times(a: float, b: float) -> float:
    """a * b with 0 * inf = 0 (no people prevent nothing, whatever the bound)."""
    return 0.0 if a == 0 or b == 0 else a * b


@dataclass(frozen=True)
class Prevented:
    """Expected units (offences, harm days) prevented among ``people``, with interval.

    ``low`` and ``high`` come from the effect's interval; a negative value
    means an increase. ``includes_no_effect`` is True when the interval
    reaches zero, so the data are consistent with nothing being prevented.
    """

    people: float
    expected: float
    low: float
    high: float

    @property
    def includes_no_effect(self) -> bool:
        return bool(self.low <= 0 <= self.high)


def expected_prevented(people, difference, ci_low, ci_high) -> Prevented:
    """Units prevented among ``people`` if each has the trial's per-person effect.

    Parameters
    ----------
    people : float
        Number of people offered the programme.
    difference : float
        Per-person effect, treatment minus control (a reduction is negative).
    ci_low, ci_high : float
        Confidence interval of ``difference`` (may be infinite for a
        one-sided interval).

    Returns
    -------
    Prevented
        ``expected = -difference * people``; ``low = -ci_high * people``,
        ``high = -ci_low * people``.

    Examples
    --------
    >>> p = expected_prevented(45, -0.25, -0.60, 0.10)
    >>> round(p.expected, 2), round(p.low, 2), round(p.high, 2)
    (11.25, -4.5, 27.0)
    """
    people = _non_negative(people, "Number of people")
    d = _finite_or_inf(difference, "The effect")
    lo = _finite_or_inf(ci_low, "The lower end of the interval")
    hi = _finite_or_inf(ci_high, "The upper end of the interval")
    if lo > hi:
        raise DataError(f"The interval's lower end ({lo}) is above its upper end ({hi}).")
    return Prevented(people, _times(-d, people), _times(-hi, people), _times(-lo, people))


@dataclass(frozen=True)
class BenefitCost:
    """Monetised benefit of the units prevented, set against the programme cost.

    ``benefit*`` = units prevented x unit cost; ``net*`` = benefit - cost;
    ``ratio*`` = benefit / cost (benefit per pound spent). ``*_low`` and
    ``*_high`` follow the effect's interval.
    """

    cost: float
    unit_cost: float
    benefit: float
    benefit_low: float
    benefit_high: float
    net: float
    net_low: float
    net_high: float
    ratio: float
    ratio_low: float
    ratio_high: float
    includes_no_effect: bool


def benefit_cost(total_cost, prevented: Prevented, unit_cost) -> BenefitCost:
    """Benefit-cost view of units prevented valued at ``unit_cost`` each.

    Parameters
    ----------
    total_cost : float
        Programme cost for the people in ``prevented``.
    prevented : Prevented
        From :func:`expected_prevented`.
    unit_cost : float
        Value of one unit prevented (e.g. a Home Office unit cost of crime).

    Returns
    -------
    BenefitCost

    Examples
    --------
    >>> bc = benefit_cost(150000, expected_prevented(45, -0.5, -1.2, 0.2), 14050)
    >>> round(bc.benefit), round(bc.ratio, 2)
    (316125, 2.11)
    """
    cost = _non_negative(total_cost, "Total cost")
    uc = _non_negative(unit_cost, "Unit cost")
    if cost == 0:
        raise DataError("Total cost must be more than zero for a benefit-cost ratio.")
    b, lo, hi = (_times(v, uc) for v in (prevented.expected, prevented.low, prevented.high))
    return BenefitCost(cost, uc, b, lo, hi, b - cost, lo - cost, hi - cost,
                       b / cost, lo / cost, hi / cost, prevented.includes_no_effect)


def scale_up_table(people_values, effects: dict, *, caseload, case_worker_cost,
                   coordinator_cost, people_per_coordinator=50,
                   other_costs=0.0) -> pd.DataFrame:
    """Staff, annual cost and units prevented for several programme sizes.

    Parameters
    ----------
    people_values : sequence of int
        Numbers of young people offered the programme.
    effects : dict
        ``name -> (difference, ci_low, ci_high)`` per-person effects (e.g.
        knife offences, crime harm days).
    caseload : float
        People per case worker.
    case_worker_cost, coordinator_cost : float
        Annual cost of one case worker and one coordinator.
    people_per_coordinator : float
        People one coordinator oversees.
    other_costs : float
        Fixed annual costs on top of staff.

    Returns
    -------
    pandas.DataFrame
        One row per size and effect: ``people``, ``case_workers``,
        ``coordinators``, ``annual_cost``, ``cost_per_person``, ``effect``,
        ``prevented``, ``prevented_low``, ``prevented_high``,
        ``includes_no_effect``. Without effects, one row per size with the
        staffing columns only.
    """
    rows = []
    for n in people_values:
        s = scale_up(n, caseload, case_worker_cost, coordinator_cost,
                     people_per_coordinator=people_per_coordinator, other_costs=other_costs)
        base = {"people": s.people, "case_workers": s.case_workers,
                "coordinators": s.coordinators, "annual_cost": s.annual_cost,
                "cost_per_person": s.cost_per_person}
        if not effects:
            rows.append(base)
        for name, (d, lo, hi) in effects.items():
            p = expected_prevented(s.people, d, lo, hi)
            rows.append({**base, "effect": name, "prevented": p.expected,
                         "prevented_low": p.low, "prevented_high": p.high,
                         "includes_no_effect": p.includes_no_effect})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- words for open intervals
# A one-sided test gives an interval with one open end (infinite). These helpers say so in
# words ("no upper limit", "at least X") instead of printing "inf", "£0" or "-inf".

def _isinf(v) -> bool:
    try:
        return bool(np.isinf(float(v)))
    except (TypeError, ValueError):
        return False


def money_text(v, digits: int = 0, short: bool = False) -> str:
    """'£3,333', '−£1,200', '£309k', '£1.2M'; an infinite amount is 'no upper/lower limit'."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "n/a"
    v = float(v)
    if np.isinf(v):
        return "no upper limit" if v > 0 else "no lower limit"
    sign = "−" if v < 0 else ""
    a = abs(v)
    if short and a >= 999_500:
        return f"{sign}£{a / 1e6:,.1f}M".replace(".0M", "M")
    if short and a >= 10_000:
        return f"{sign}£{a / 1e3:,.0f}k"
    return f"{sign}£{a:,.{digits}f}"


def money_range(lo, hi, digits: int = 0, short: bool = False) -> str:
    """'−£103,057 to £800,123'; 'at least −£103,057 (no upper limit)'; 'at most £800,123
    (no lower limit)'; 'no limit either way'."""
    lo_open, hi_open = _isinf(lo) and float(lo) < 0, _isinf(hi) and float(hi) > 0
    if lo_open and hi_open:
        return "no limit either way"
    if hi_open:
        return f"at least {money_text(lo, digits, short)}, with no upper limit"
    if lo_open:
        return f"at most {money_text(hi, digits, short)}, with no lower limit"
    return f"{money_text(lo, digits, short)} to {money_text(hi, digits, short)}"


def count_text(v, digits: int = 0, more: str = "more", fewer: str = "prevented") -> str:
    """A number prevented in words: '30 prevented', '442 more' (an increase), 'none'."""
    v = float(v)
    if np.isinf(v):
        return f"no limit to the number {fewer}" if v > 0 else f"no limit to the number {more}"
    if round(v, digits) == 0:
        return f"none {fewer}" if fewer == "prevented" else "no change"
    return f"{abs(v):,.{digits}f} {fewer if v > 0 else more}"


def count_range(lo, hi, digits: int = 0, more: str = "more",
                fewer: str = "prevented") -> str:
    """Interval of units prevented in words, e.g. 'from 9 more to 86 prevented',
    'at least 11 prevented (no upper limit)', 'from 9 more to no upper limit'."""
    lo, hi = float(lo), float(hi)
    lo_open, hi_open = np.isinf(lo) and lo < 0, np.isinf(hi) and hi > 0
    if lo_open and hi_open:
        return "no limit either way"
    if hi_open:
        if lo > 0:
            return f"at least {count_text(lo, digits, more, fewer)}, with no upper limit"
        return f"from {count_text(lo, digits, more, fewer)} to no upper limit"
    if lo_open:
        if hi < 0:
            return f"at least {count_text(hi, digits, more, fewer)}, with no limit to the increase"
        return f"at most {count_text(hi, digits, more, fewer)}, with no limit to the increase"
    if lo > 0 and round(lo, digits) > 0:      # both ends prevented: say the word once
        return f"from {lo:,.{digits}f} to {count_text(hi, digits, more, fewer)}"
    return f"from {count_text(lo, digits, more, fewer)} to {count_text(hi, digits, more, fewer)}"


def cost_per_unit_range(prevented_low, prevented_high, total_cost, digits: int = 0) -> str:
    """Range of the cost per unit prevented implied by the interval of units prevented.

    Fewest prevented gives the highest cost per unit; when that end is zero or an increase
    there is no upper limit. When the most prevented is unlimited (a one-sided interval)
    there is no lower limit above £0, so it is not printed as '£0'.
    """
    lo, hi = float(prevented_low), float(prevented_high)
    cheapest = None if np.isinf(hi) else (total_cost / hi if hi > 0 else None)
    dearest = total_cost / lo if lo > 0 and np.isfinite(lo) else None
    if cheapest is None and dearest is None:
        return "no limit either way (the interval allows anything from nothing prevented to " \
               "an unlimited number)"
    if cheapest is None:
        return f"at most {money_text(dearest, digits)}"
    if dearest is None:
        return f"at least {money_text(cheapest, digits)}, with no upper limit"
    return f"{money_text(cheapest, digits)} to {money_text(dearest, digits)}"


def ratio_range(lo, hi, digits: int = 2) -> str:
    """Benefit per £1 interval: '−0.69 to 4.20', 'at least −0.69, with no upper limit'."""
    lo, hi = float(lo), float(hi)
    if np.isinf(lo) and np.isinf(hi):
        return "no limit either way"
    def f(v):
        return f"{v:.{digits}f}".replace("-", "−")

    if np.isinf(hi):
        return f"at least {f(lo)}, with no upper limit"
    if np.isinf(lo):
        return f"at most {f(hi)}, with no lower limit"
    return f"{f(lo)} to {f(hi)}"
