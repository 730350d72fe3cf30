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
from .errors import DataError

__all__ = ["Prevented", "expected_prevented", "BenefitCost", "benefit_cost",
           "scale_up_table"]


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
