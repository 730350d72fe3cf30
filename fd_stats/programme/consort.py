"""CONSORT-style participant flow and engagement counts from a person-level table.

Everything is counted from the data (one row per person) plus the column
mapping; only the number assessed as eligible comes from trial metadata,
because a trial's people file holds randomised people only. When that number
is not known it stays ``None`` and is shown as "not reported".
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis import Mapping, _norm_label
from .engagement import MISSING_WORDS, engagement_rate, parse_flags
from ..errors import DataError

__all__ = ["NOT_RECORDED", "arm_masks", "ArmFlow", "ConsortFlow", "parse_flags",
           "engagement_by_group", "non_engagement_reasons", "consort_flow"]

NOT_RECORDED = "not recorded"


def arm_masks(table: pd.DataFrame, mapping: Mapping):
    """Boolean arrays marking the treatment and control rows (arm values compared loosely).

    Returns
    -------
    tuple of numpy.ndarray
        ``(is_treatment, is_control)``.
    """
    if mapping.arm not in table.columns:
        raise DataError(f"There is no column named {mapping.arm!r} for the arm.")
    arm = table[mapping.arm].map(_norm_label)
    is_t = (arm == _norm_label(mapping.treatment)).to_numpy()
    is_c = (arm == _norm_label(mapping.control)).to_numpy()
    return is_t, is_c


def _engagement_column(table: pd.DataFrame, mapping: Mapping, column: str | None) -> str:
    col = column or mapping.engagement
    if not col:
        raise DataError("No engagement column is mapped. Map the column that says whether each "
                        "treated person engaged (Data page).")
    if col not in table.columns:
        raise DataError(f"There is no engagement column named {col!r}.")
    return col


def _reason_text(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return NOT_RECORDED
    s = str(v).strip()
    return NOT_RECORDED if s.casefold() in MISSING_WORDS else s


def engagement_by_group(table: pd.DataFrame, mapping: Mapping, group: str | None = None, *,
                        engagement: str | None = None,
                        confidence_level: float = 0.95) -> pd.DataFrame:
    """Engagement rate in the treatment arm, per level of ``group`` and overall.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per person.
    mapping : Mapping
        Arm column and values; ``mapping.engagement`` names the engagement
        column unless ``engagement`` is given.
    group : str, optional
        Column splitting the treatment arm (e.g. ``"age_group"``). ``None``
        gives the overall row only.
    engagement : str, optional
        Engagement column, overriding the mapping.
    confidence_level : float
        Level of the Wilson score intervals (R ``prop.test(correct=FALSE)``).

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``allocated`` (treated people in the level),
        ``known`` (engagement recorded), ``engaged``, ``not_engaged``,
        ``unknown``, ``rate``, ``ci_low``, ``ci_high``, ``confidence_level``.
        The rate and interval use people with a recorded flag; the last row
        is ``"All"``.
    """
    col = _engagement_column(table, mapping, engagement)
    is_t, _ = arm_masks(table, mapping)
    treated = table.loc[is_t]
    if treated.empty:
        raise DataError(f"No rows have {mapping.treatment!r} in column {mapping.arm!r}.")
    flags = parse_flags(treated[col], col)
    parts = []
    if group:
        if group not in table.columns:
            raise DataError(f"There is no column named {group!r} to split engagement by.")
        g = treated[group]
        try:
            levels = sorted(g.dropna().unique())
        except TypeError:
            levels = sorted(g.dropna().astype(str).unique())
        for level in levels:
            parts.append((str(level), (g == level).to_numpy()))
    parts.append(("All", np.ones(len(treated), dtype=bool)))
    rows = []
    for level, mask in parts:
        f = flags[mask]
        yes = int(sum(v is True for v in f))
        no = int(sum(v is False for v in f))
        known = yes + no
        if known:
            r = engagement_rate(yes, known, confidence_level)
            rate, lo, hi = r.rate, r.ci_low, r.ci_high
        else:
            rate = lo = hi = float("nan")
        rows.append({"group": level, "allocated": int(mask.sum()), "known": known,
                     "engaged": yes, "not_engaged": no, "unknown": int(mask.sum()) - known,
                     "rate": rate, "ci_low": lo, "ci_high": hi,
                     "confidence_level": confidence_level})
    return pd.DataFrame(rows)


def non_engagement_reasons(table: pd.DataFrame, mapping: Mapping, reason_column: str | None,
                           group: str | None = None, *,
                           engagement: str | None = None) -> pd.DataFrame:
    """Reasons for non-engagement among treated people who did not engage.

    Blank or missing reasons are counted as ``"not recorded"`` rather than
    dropped, so the counts add up to the number not engaged.

    Parameters
    ----------
    table, mapping : see :func:`engagement_by_group`.
    reason_column : str or None
        Column holding the reason; ``None`` counts every non-engager as
        ``"not recorded"``.
    group : str, optional
        Column splitting the treatment arm.

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` (``"All"`` without a group column), ``reason``,
        ``count``; within each group, reasons by descending count with
        ``"not recorded"`` last.
    """
    col = _engagement_column(table, mapping, engagement)
    if reason_column and reason_column not in table.columns:
        raise DataError(f"There is no reason column named {reason_column!r}.")
    if group and group not in table.columns:
        raise DataError(f"There is no column named {group!r}.")
    is_t, _ = arm_masks(table, mapping)
    treated = table.loc[is_t]
    flags = parse_flags(treated[col], col)
    non = treated.loc[np.array([v is False for v in flags], dtype=bool)]
    reasons = (non[reason_column].map(_reason_text) if reason_column
               else pd.Series(NOT_RECORDED, index=non.index))
    groups = non[group].astype(str) if group else pd.Series("All", index=non.index)
    counts = (pd.DataFrame({"group": groups, "reason": reasons})
              .groupby(["group", "reason"], sort=False).size().rename("count").reset_index())
    counts["_last"] = counts["reason"] == NOT_RECORDED
    counts = counts.sort_values(["group", "_last", "count", "reason"],
                                ascending=[True, True, False, True])
    return counts.drop(columns="_last").reset_index(drop=True)


@dataclass(frozen=True)
class ArmFlow:
    """One arm of the flow diagram.

    ``engaged`` and ``not_engaged`` are ``None`` when the arm has no
    engagement recorded (the usual case for the control arm).
    ``analysed`` and ``missing`` pair each outcome with the number of people
    with / without a value for it.
    """

    arm: str
    label: str
    allocated: int
    engaged: int | None
    not_engaged: int | None
    engagement_unknown: int
    reasons: tuple[tuple[str, int], ...] = ()
    analysed: tuple[tuple[str, int], ...] = ()
    missing: tuple[tuple[str, int], ...] = ()

    def analysed_range(self) -> tuple[int, int]:
        """Smallest and largest number analysed over the outcomes."""
        n = [v for _, v in self.analysed] or [0]
        return min(n), max(n)


@dataclass(frozen=True)
class ConsortFlow:
    """Participant flow: eligible (if known), randomised, allocated, engaged, analysed."""

    eligible: int | None
    eligible_source: str
    randomised: int
    excluded_rows: int
    treatment: ArmFlow
    control: ArmFlow
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """The flow as a table: stage, treatment, control (text cells)."""
        def fmt(v):
            return "not recorded" if v is None else str(v)

        t, c = self.treatment, self.control
        rows = [
            ("Assessed as eligible", "not reported" if self.eligible is None
             else str(self.eligible), ""),
            ("Randomised", str(self.randomised), ""),
            ("Allocated", str(t.allocated), str(c.allocated)),
            ("Engaged with the programme", fmt(t.engaged), fmt(c.engaged)),
            ("Did not engage", fmt(t.not_engaged), fmt(c.not_engaged)),
        ]
        for (name, nt), (_, nc) in zip(t.analysed, c.analysed):
            rows.append((f"Analysed: {name}", str(nt), str(nc)))
        return pd.DataFrame(rows, columns=["stage", "treatment", "control"])


def _eligible_from_meta(meta: dict | None):
    if not meta:
        return None, ""
    flow = meta.get("flow", {}) or {}
    e = flow.get("eligible")
    if isinstance(e, dict):
        return (None if e.get("value") is None else int(e["value"])), str(e.get("source", ""))
    if e is not None:
        return int(e), "trial metadata"
    return None, ""


def consort_flow(table: pd.DataFrame, mapping: Mapping, meta: dict | None = None, *,
                 reason_column: str | None = None, eligible: int | None = None,
                 outcomes: tuple[str, ...] | list[str] | None = None,
                 labels: dict | None = None) -> ConsortFlow:
    """Count the CONSORT flow of a two-arm trial from its person-level table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per randomised person.
    mapping : Mapping
        Arm column and values, outcomes, and the engagement column
        (``mapping.engagement``; may be ``None``).
    meta : dict, optional
        Trial metadata (parsed ``trial.toml``). Used for the reason column
        (``[engagement].reason_column``) and the number eligible
        (``[flow].eligible``) when not given as arguments.
    reason_column : str, optional
        Column holding the reason for non-engagement.
    eligible : int, optional
        People assessed as eligible; ``None`` (and nothing in ``meta``)
        means not reported.
    outcomes : sequence of str, optional
        Outcomes to count as analysed; defaults to ``mapping.outcomes``.
    labels : dict, optional
        Display label per outcome column.

    Returns
    -------
    ConsortFlow

    Notes
    -----
    Randomised = people in either arm; rows with any other arm value are
    counted in ``excluded_rows`` and not in the flow. Engagement is counted
    in each arm from the engagement column; a control arm with no recorded
    engagement gets ``engaged=None``. Analysed per outcome = people in the
    arm with a non-missing value (intention to treat: everyone allocated is
    analysed when nothing is missing).
    """
    is_t, is_c = arm_masks(table, mapping)
    if not is_t.any() or not is_c.any():
        raise DataError(f"Column {mapping.arm!r} needs both {mapping.treatment!r} and "
                        f"{mapping.control!r} rows to draw the flow.")
    meta = meta or {}
    if reason_column is None:
        reason_column = (meta.get("engagement", {}) or {}).get("reason_column")
    if reason_column and reason_column not in table.columns:
        reason_column = None
    source = "given"
    if eligible is None:
        eligible, source = _eligible_from_meta(meta)
    outcomes = list(outcomes if outcomes is not None else mapping.outcomes)
    labels = labels or dict(mapping.labels)
    eng_col = mapping.engagement if mapping.engagement in table.columns else None
    notes = []

    def arm_flow(mask, arm, label):
        part = table.loc[mask]
        yes = no = None
        unknown = int(mask.sum())
        reasons = ()
        if eng_col:
            flags = parse_flags(part[eng_col], eng_col)
            y = int(sum(v is True for v in flags))
            n = int(sum(v is False for v in flags))
            if y + n:
                yes, no = y, n
                unknown = int(mask.sum()) - y - n
        if no and arm == "treatment":
            r = non_engagement_reasons(table, mapping, reason_column, engagement=eng_col)
            reasons = tuple((str(a), int(b)) for a, b in zip(r["reason"], r["count"]))
        analysed, missing = [], []
        for col in outcomes:
            if col not in part.columns:
                raise DataError(f"Outcome column {col!r} not found.")
            v = pd.to_numeric(part[col], errors="coerce")
            analysed.append((labels.get(col, col), int(v.notna().sum())))
            missing.append((labels.get(col, col), int(v.isna().sum())))
        return ArmFlow(arm, label, int(mask.sum()), yes, no, unknown, reasons,
                       tuple(analysed), tuple(missing))

    t = arm_flow(is_t, "treatment", str(mapping.treatment))
    c = arm_flow(is_c, "control", str(mapping.control))
    if c.engaged:
        notes.append(f"{c.engaged} control-arm people are recorded as engaged: the programme "
                     "reached the control arm, which breaks an assumption of the complier "
                     "average causal effect.")
    if eng_col is None:
        notes.append("No engagement column is mapped, so engagement is not shown.")
    excluded = int((~(is_t | is_c)).sum())
    if excluded:
        notes.append(f"{excluded} rows have another value in {mapping.arm!r} and are left out.")
    return ConsortFlow(eligible, source if eligible is not None else "",
                       int(is_t.sum() + is_c.sum()), excluded, t, c, tuple(notes))
