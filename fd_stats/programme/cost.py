"""Programme cost per case, per engaged person and per offence or harm prevented."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np

from ..errors import DataError


def _non_negative(value, name):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be a number; got {value!r}.") from None
    if not np.isfinite(value) or value < 0:
        raise DataError(f"{name} must be zero or more; got {value}.")
    return value


def cost_per_person(total_cost, people) -> float:
    """Total cost divided by a number of people (cases, or engaged people)."""
    total_cost = _non_negative(total_cost, "Total cost")
    people = _non_negative(people, "Number of people")
    if people == 0:
        raise DataError("Cost per person needs at least one person.")
    return total_cost / people


@dataclass(frozen=True)
class CostPerResult:
    """Cost per unit of outcome prevented, with the range implied by the effect's interval.

    ``prevented`` is the expected number of units (offences, harm days)
    prevented across ``n_treated`` people. When the effect's interval
    reaches no effect (or harm), the cost per unit prevented has no upper
    bound: ``cost_high`` is infinite and ``bounded`` is False.
    """

    prevented: float
    prevented_low: float
    prevented_high: float
    cost_per_unit: float
    cost_low: float
    cost_high: float
    bounded: bool
    note: str


def cost_per_unit_prevented(total_cost, difference, ci_low, ci_high, n_treated) -> CostPerResult:
    """Cost per unit prevented for an effect ``difference`` per person (treatment minus control).

    A reduction is a negative difference. Units prevented = -difference * n_treated.
    """
    total_cost = _non_negative(total_cost, "Total cost")
    n_treated = _non_negative(n_treated, "Number of people treated")
    prevented = -float(difference) * n_treated
    # the largest reduction (most negative bound) prevents the most
    most, least = -float(ci_low) * n_treated, -float(ci_high) * n_treated

    def per_unit(units):
        return total_cost / units if units > 0 else float("inf")

    note = ""
    if not np.isfinite(prevented):
        note = "The effect could not be estimated, so there is no cost per unit prevented."
    elif not prevented > 0:
        note = "The estimate shows no reduction, so there is no cost per unit prevented."
    elif not least > 0:
        note = ("The interval includes no effect, so the cost per unit prevented has no upper "
                "bound: the data are consistent with nothing being prevented.")
    return CostPerResult(prevented, least, most, per_unit(prevented), per_unit(most),
                         per_unit(least), least > 0, note)


def case_workers_needed(cases, caseload) -> int:
    """Case workers needed for ``cases`` people at ``caseload`` people each."""
    cases = _non_negative(cases, "Number of cases")
    caseload = _non_negative(caseload, "Caseload")
    if caseload < 1:
        raise DataError(f"Caseload must be at least 1 person per case worker; got {caseload:g}.")
    return int(ceil(cases / caseload - 1e-12))


@dataclass(frozen=True)
class ScaleUp:
    people: int
    caseload: float
    case_workers: int
    coordinators: int
    annual_cost: float
    cost_per_person: float


def scale_up(people, caseload, case_worker_cost, coordinator_cost, *,
             people_per_coordinator=50, other_costs=0.0) -> ScaleUp:
    """Staff and annual cost to deliver the programme to ``people`` at ``caseload`` each."""
    people = int(_non_negative(people, "Number of young people"))
    workers = case_workers_needed(people, caseload)
    coordinators = case_workers_needed(people, people_per_coordinator) if people else 0
    cost = (workers * _non_negative(case_worker_cost, "Case worker cost")
            + coordinators * _non_negative(coordinator_cost, "Coordinator cost")
            + _non_negative(other_costs, "Other costs"))
    return ScaleUp(people, float(caseload), workers, coordinators, cost,
                   cost / people if people else float("nan"))


def cost_per_unit_improved(total_cost, difference, ci_low, ci_high, n_treated,
                           sign: int = -1) -> CostPerResult:
    """Cost per unit of improvement, whichever way is better.

    ``sign`` is -1 when a reduction is the improvement (offences prevented), +1 when an
    increase is (extra earnings, more people who learned their result). The fields of the
    result keep their names: ``prevented`` is the expected improvement across
    ``n_treated`` people. Raises :class:`DataError` if ``sign`` is 0 (no direction: no
    improvement to price).
    """
    if sign not in (-1, 1):
        raise DataError("Which way is better is not set for this outcome, so there is no cost "
                        "per improvement. Set it on the Data page.")
    if sign == -1:
        return cost_per_unit_prevented(total_cost, difference, ci_low, ci_high, n_treated)
    return cost_per_unit_prevented(total_cost, -float(difference), -float(ci_high),
                                   -float(ci_low), n_treated)
