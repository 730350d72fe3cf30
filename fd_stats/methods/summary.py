"""Tests from summary statistics, and the audit of a published results table."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from .._checks import check_alternative, check_level
from ..errors import DataError
from .result import NOT_ESTIMABLE, TwoSampleResult
from .ttest import p_from_t, t_from_moments

__all__ = ["t_test_from_summary", "p_from_t", "audit_published_table", "AUDIT_COLUMNS"]


def t_test_from_summary(mean_treatment, sd_treatment, n_treatment, mean_control, sd_control,
                        n_control, *, equal_var=False, alternative="two-sided",
                        confidence_level=0.95) -> TwoSampleResult:
    """Welch (default) or Student t-test from means, standard deviations and sizes."""
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    for name, v in (("sd_treatment", sd_treatment), ("sd_control", sd_control)):
        if not np.isfinite(v) or v < 0:
            raise DataError(f"{name} must be a non-negative number; got {v}.")
    for name, v in (("n_treatment", n_treatment), ("n_control", n_control)):
        if int(v) != v or v < 1:
            raise DataError(f"{name} must be a whole number of people, at least 1; got {v}.")
    est, se, t, df, p, lo, hi = t_from_moments(
        float(mean_treatment), float(sd_treatment) ** 2, int(n_treatment), float(mean_control),
        float(sd_control) ** 2, int(n_control), equal_var=equal_var, alternative=alternative,
        confidence_level=confidence_level)
    name = "student" if equal_var else "welch"
    return TwoSampleResult(
        test=name, alternative=alternative, confidence_level=confidence_level,
        n_treatment=int(n_treatment), n_control=int(n_control),
        mean_treatment=float(mean_treatment), mean_control=float(mean_control),
        estimate=float(est), ci_low=float(lo), ci_high=float(hi), statistic=float(t),
        df=float(df), p_value=float(p),
        method=f"{'Student' if equal_var else 'Welch'} t-test from summary statistics",
        ci_method="t interval",
        note="" if np.isfinite(p) else "Not estimable: standard error is zero or undefined.",
    )


# ---------------------------------------------------------------- audit

AUDIT_COLUMNS = [
    "p_two_sided", "p_one_sided", "p_two_sided_min", "p_two_sided_max",
    "p_one_sided_min", "p_one_sided_max", "sidedness", "percent_change_recomputed",
    "percent_change_consistent", "one_sided_direction",
]


def _half_unit(text) -> float:
    """Half a unit in the last printed decimal place of a number as printed."""
    try:
        d = Decimal(str(text).strip().rstrip("%"))
    except InvalidOperation:
        return NOT_ESTIMABLE
    exp = d.as_tuple().exponent
    return 0.5 * 10.0 ** exp if isinstance(exp, int) else NOT_ESTIMABLE


def _number(text, what, row):
    try:
        return float(str(text).strip().rstrip("%").replace("\u2212", "-"))
    except ValueError:
        raise DataError(f"Row {row}: {what} {text!r} is not a number.") from None


def _p_range(t, dt, df, ddf, alternative):
    """Smallest and largest p over the rounding box of the printed t and df."""
    ts = np.array([t - dt, t + dt])
    dfs = np.array([max(df - ddf, 1e-9), df + ddf])
    grid = p_from_t(ts[:, None], dfs[None, :], alternative)
    # the two-sided p jumps at t = 0; include it if the box straddles zero
    if alternative == "two-sided" and ts[0] <= 0 <= ts[1]:
        return float(grid.min()), 1.0
    return float(grid.min()), float(grid.max())


def audit_published_table(table: pd.DataFrame, *, t="t", df="df", p="p_reported",
                          mean_treatment="mean_treatment", mean_control="mean_control",
                          percent_change="percent_change", one_sided_direction="less"):
    """Recompute every p-value of a published table from its t and df.

    Each printed figure is taken to be rounded to the decimals printed (give
    the columns as text to keep trailing zeros; numbers are read at their
    shortest form). A reported p is classed ``two-sided`` or ``one-sided``
    when it lies, within its own rounding, inside the range of p-values that
    t and df allow within theirs; ``inconsistent`` when it fits neither;
    ``ambiguous`` when it fits both. The one-sided p is in the direction
    ``one_sided_direction`` (``less``: treatment lower; ``greater``: treatment higher;
    ``either``: whichever of the two the printed p fits, else the direction of t). The
    column ``one_sided_direction`` says which direction each row's one-sided p is in.

    Returns the table with the columns in ``AUDIT_COLUMNS`` added.
    """
    missing = [c for c in (t, df, p) if c not in table.columns]
    if missing:
        raise DataError("The table has no column named " + ", ".join(repr(c) for c in missing)
                        + ". Map the t, df and reported p-value columns.")
    if one_sided_direction != "either":
        check_alternative(one_sided_direction)
    out = table.copy()
    # When every value printed with 2+ decimals ends in 0 (-53.50, -39.80, ...), they were
    # rounded one place coarser and padded: judge them at that precision.
    padded = False
    if percent_change in table.columns:
        texts = [str(v).strip().rstrip("%") for v in table[percent_change].dropna()]
        long = [s for s in texts if "." in s and len(s.split(".")[1]) >= 2]
        padded = bool(long) and all(s.endswith("0") for s in long)
    rows = []
    for i, row in enumerate(table.itertuples(index=False), start=1):
        r = dict(zip(table.columns, row))
        tv, dfv, pv = (_number(r[c], name, i) for c, name in ((t, "t"), (df, "df"), (p, "p")))
        if dfv <= 0:
            raise DataError(f"Row {i}: df must be positive; got {dfv}.")
        dt, ddf, dp = _half_unit(r[t]), _half_unit(r[df]), _half_unit(r[p])
        two = float(p_from_t(tv, dfv, "two-sided"))
        lo2, hi2 = _p_range(tv, dt, dfv, ddf, "two-sided")
        fits2 = lo2 - dp <= pv <= hi2 + dp
        # either direction: the one the printed p fits, else the direction of t
        directions = ([one_sided_direction] if one_sided_direction != "either" else
                      sorted(("less", "greater"), key=lambda a: (a == "less") != (tv < 0)))
        for way in directions:
            lo1, hi1 = _p_range(tv, dt, dfv, ddf, way)
            fits1 = lo1 - dp <= pv <= hi1 + dp
            if fits1:
                break
        if not fits1:
            way = directions[0]
            lo1, hi1 = _p_range(tv, dt, dfv, ddf, way)
        one = float(p_from_t(tv, dfv, way))
        side = ("ambiguous" if fits1 and fits2 else "two-sided" if fits2
                else "one-sided" if fits1 else "inconsistent")
        pc = pc_ok = NOT_ESTIMABLE
        if mean_treatment in table.columns and mean_control in table.columns:
            mt = _number(r[mean_treatment], "treatment mean", i)
            mc = _number(r[mean_control], "control mean", i)
            if mc != 0:
                pc = 100 * (mt / mc - 1)
                if percent_change in table.columns:
                    # means are rounded too: the printed change must fit their rounding box
                    dmt, dmc = _half_unit(r[mean_treatment]), _half_unit(r[mean_control])
                    corners = [100 * ((mt + a) / (mc + b) - 1) for a in (-dmt, dmt)
                               for b in (-dmc, dmc) if mc + b != 0]
                    printed = _number(r[percent_change], "percentage change", i)
                    text = str(r[percent_change]).strip().rstrip("%")
                    dpc = _half_unit(text) * (10 if padded and "." in text
                                              and len(text.split(".")[1]) >= 2 else 1)
                    pc_ok = float(min(corners) - dpc <= printed <= max(corners) + dpc)
        rows.append((two, one, lo2, hi2, lo1, hi1, side, pc, pc_ok, way))
    extra = pd.DataFrame(rows, columns=AUDIT_COLUMNS, index=out.index)
    extra["percent_change_consistent"] = extra["percent_change_consistent"].map(
        lambda v: None if pd.isna(v) else bool(v))
    return pd.concat([out, extra], axis=1)
