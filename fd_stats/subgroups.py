"""Whether the programme's effect differs between subgroup levels, and per-arm descriptives.

The interaction (heterogeneity) test works on the level-specific differences
in means, treatment minus control, each with its Welch standard error
``sqrt(var_t / n_t + var_c / n_c)``:

* any number of levels: Cochran's Q = sum w_i (d_i - d_w)^2 with
  w_i = 1 / se_i^2 and d_w the inverse-variance weighted mean, referred to a
  chi-squared distribution on k - 1 degrees of freedom;
* exactly two levels: also the z-test of the difference of differences,
  z = (d_1 - d_2) / sqrt(se_1^2 + se_2^2), with its normal interval.
  For two levels z^2 = Q, so the two p-values are the same.

Both tests are two-sided: they ask whether the effects differ, in either
direction. They use normal approximations, which are rough with small cells.

The module also gives the per-arm means with t intervals and the share of
people with 0, 1, 2, ... events, which the Outcomes page shows.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_level
from .analysis import ALL, Mapping, _level_codes, prepare
from .errors import DataError

INTERACTION_COLUMNS = [
    "outcome", "label", "subgroup_column", "levels", "k", "q", "df", "p_value", "i_squared",
    "contrast", "difference_of_differences", "se", "z", "ci_low", "ci_high",
    "confidence_level", "method", "note",
]


@dataclass(frozen=True)
class Heterogeneity:
    """Cochran's Q test that k estimates share one true value.

    Attributes
    ----------
    q : float
        Cochran's Q statistic.
    df : int
        k - 1.
    p_value : float
        Upper tail of chi-squared(df) at q (two-sided in the sense that any
        difference between levels counts).
    i_squared : float
        Share of the variation between levels beyond chance, max(0, (Q - df) / Q).
    pooled : float
        Inverse-variance weighted mean of the estimates.
    """

    q: float
    df: int
    p_value: float
    i_squared: float
    pooled: float


def cochran_q(estimates, standard_errors) -> Heterogeneity:
    """Cochran's Q heterogeneity test on estimates with known standard errors.

    Parameters
    ----------
    estimates, standard_errors : array_like
        One estimate and its standard error per level. Levels whose standard
        error is not finite and positive are dropped.

    Returns
    -------
    Heterogeneity
        NaN fields when fewer than two usable levels remain.

    Examples
    --------
    >>> round(cochran_q([1.0, 0.0], [0.5, 0.5]).q, 6)
    2.0
    """
    d = np.asarray(estimates, dtype=float)
    se = np.asarray(standard_errors, dtype=float)
    if d.shape != se.shape:
        raise DataError("estimates and standard errors must have the same length.")
    ok = np.isfinite(d) & np.isfinite(se) & (se > 0)
    d, se = d[ok], se[ok]
    k = len(d)
    if k < 2:
        return Heterogeneity(np.nan, max(k - 1, 0), np.nan, np.nan, np.nan)
    w = 1 / se**2
    pooled = float(np.sum(w * d) / np.sum(w))
    q = float(np.sum(w * (d - pooled) ** 2))
    df = k - 1
    p = float(stats.chi2.sf(q, df))
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return Heterogeneity(q, df, p, i2, pooled)


@dataclass(frozen=True)
class DifferenceTest:
    """z-test of the difference between two independent estimates."""

    difference: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    confidence_level: float


def difference_z(d1: float, se1: float, d2: float, se2: float,
                 confidence_level: float = 0.95) -> DifferenceTest:
    """Two-sided z-test and normal interval for ``d1 - d2`` (independent estimates).

    Parameters
    ----------
    d1, se1, d2, se2 : float
        The two estimates and their standard errors.
    confidence_level : float
        Level of the two-sided interval for the difference.

    Returns
    -------
    DifferenceTest
        ``z = (d1 - d2) / sqrt(se1^2 + se2^2)``, ``p = 2 * (1 - Phi(|z|))``.
    """
    check_level(confidence_level, "confidence level")
    diff = float(d1 - d2)
    se = float(np.sqrt(se1**2 + se2**2))
    if not (np.isfinite(diff) and np.isfinite(se) and se > 0):
        return DifferenceTest(diff, se, np.nan, np.nan, np.nan, np.nan, confidence_level)
    z = diff / se
    p = float(2 * stats.norm.sf(abs(z)))
    q = stats.norm.ppf(1 - (1 - confidence_level) / 2)
    return DifferenceTest(diff, se, float(z), p, diff - q * se, diff + q * se, confidence_level)


def level_differences(data: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """Difference in means (treatment minus control) and its Welch standard error per level.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    mapping : Mapping
        Must name a ``subgroup`` column.

    Returns
    -------
    DataFrame
        One row per outcome x level: ``outcome``, ``label``, ``subgroup``,
        ``n_treatment``, ``n_control``, ``difference``, ``se``. Rows with
        missing subgroup values are left out.
    """
    if not mapping.subgroup:
        raise DataError("Choose a subgroup column to compare subgroups.")
    prep = prepare(data, mapping)
    # the same levels, in the same order, as analyse() (works for nullable dtypes too)
    levels, codes = _level_codes(prep.subgroup)
    rows = []
    for outcome, v in prep.outcomes.items():
        for i, level in enumerate(levels):
            mask = (codes == i) & ~np.isnan(v)
            x, y = v[mask & prep.is_treatment], v[mask & ~prep.is_treatment]
            if len(x) >= 2 and len(y) >= 2:
                d = x.mean() - y.mean()
                se = np.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
            else:
                d = x.mean() - y.mean() if len(x) and len(y) else np.nan
                se = np.nan
            rows.append({"outcome": outcome, "label": mapping.label(outcome),
                         "subgroup": str(level), "n_treatment": len(x), "n_control": len(y),
                         "difference": float(d), "se": float(se)})
    return pd.DataFrame(rows)


def interaction_test(data: pd.DataFrame, mapping: Mapping,
                     confidence_level: float = 0.95) -> pd.DataFrame:
    """Test, for each outcome, whether the effect differs between subgroup levels.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    mapping : Mapping
        Column roles; ``mapping.subgroup`` names the subgroup column.
    confidence_level : float
        Level of the interval for the difference of differences (two levels only).

    Returns
    -------
    DataFrame
        One row per outcome with ``INTERACTION_COLUMNS``: Cochran's Q on the
        level-specific mean differences (``q``, ``df`` = k - 1, ``p_value``,
        ``i_squared``) and, for exactly two levels, the difference of
        differences (first level minus second, in sorted order) with its
        standard error, ``z`` and interval. ``note`` says when a level could
        not be used (fewer than 2 people per arm or no variation).

    Notes
    -----
    The test is two-sided whatever sidedness the main analysis uses. A
    non-significant interaction test does not show that the effect is the
    same in every level; subgroup trials rarely have the power to detect
    differences between levels.
    """
    check_level(confidence_level, "confidence level")
    cells = level_differences(data, mapping)
    rows = []
    for outcome, part in cells.groupby("outcome", sort=False):
        usable = part[np.isfinite(part["se"]) & (part["se"] > 0)]
        dropped = part.loc[~part.index.isin(usable.index), "subgroup"].tolist()
        het = cochran_q(usable["difference"], usable["se"])
        note = ""
        if dropped:
            note = ("Left out (too few people or no variation): " + ", ".join(dropped) + ".")
        if len(usable) < 2:
            note = (note + " " if note else "") + "Fewer than two usable levels: no test."
        row = {
            "outcome": outcome, "label": part["label"].iloc[0],
            "subgroup_column": mapping.subgroup, "levels": ", ".join(usable["subgroup"]),
            "k": len(usable), "q": het.q, "df": het.df, "p_value": het.p_value,
            "i_squared": het.i_squared, "contrast": "", "difference_of_differences": np.nan,
            "se": np.nan, "z": np.nan, "ci_low": np.nan, "ci_high": np.nan,
            "confidence_level": confidence_level,
            "method": ("Cochran's Q on level-specific differences in means (Welch standard "
                       f"errors), chi-squared on {het.df} df"),
            "note": note,
        }
        if len(usable) == 2:
            a, b = usable.iloc[0], usable.iloc[1]
            dz = difference_z(a["difference"], a["se"], b["difference"], b["se"],
                              confidence_level)
            row.update(contrast=f"{a['subgroup']} minus {b['subgroup']}",
                       difference_of_differences=dz.difference, se=dz.se, z=dz.z,
                       ci_low=dz.ci_low, ci_high=dz.ci_high,
                       method=row["method"] + "; z-test of the difference of differences")
        rows.append(row)
    return pd.DataFrame(rows, columns=INTERACTION_COLUMNS)


def interaction_sentence(row, alpha: float = 0.05, unit: str = "") -> str:
    """Plain-English result of :func:`interaction_test` for one outcome."""
    from .report.wording import fmt_p
    label = row["label"]
    if not np.isfinite(row["p_value"]):
        return f"{label}: whether the effect differs between subgroups cannot be tested ({row['note']})"
    p = f"p {fmt_p(row['p_value'])}" if fmt_p(row["p_value"]).startswith("<") \
        else f"p = {fmt_p(row['p_value'])}"
    u = f" {unit}" if unit else ""
    head = (f"{label}: the test of whether the effect differs between subgroups gives "
            f"{p}, two-sided")
    if np.isfinite(row["difference_of_differences"]):
        lvl = f"{row['confidence_level']:.0%}"
        head += (f"; the difference in effect ({row['contrast']}) is "
                 f"{row['difference_of_differences']:+.2f}{u} ({lvl} CI {row['ci_low']:+.2f} to "
                 f"{row['ci_high']:+.2f})")
    if row["p_value"] < alpha:
        return head + f". At {alpha:g} the effect differs between subgroups."
    return (head + f". At {alpha:g} this does not show that the effect differs; it does not show "
            "that the effect is the same either.")


# ---------------------------------------------------------------- per-arm descriptives

def arm_summary(data: pd.DataFrame, mapping: Mapping, confidence_level: float = 0.95,
                by_subgroup: bool = False) -> pd.DataFrame:
    """Mean per arm with its t interval, for every outcome (and subgroup level).

    Parameters
    ----------
    data : DataFrame
    mapping : Mapping
    confidence_level : float
        Two-sided level of the interval mean +/- t(n-1) * sd / sqrt(n).
    by_subgroup : bool
        Also give each level of ``mapping.subgroup``.

    Returns
    -------
    DataFrame
        ``outcome``, ``label``, ``subgroup``, ``arm`` ("treatment"/"control"),
        ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``, ``confidence_level``,
        ``share_zero`` (share of people with a value of 0).
    """
    check_level(confidence_level, "confidence level")
    prep = prepare(data, mapping)
    levels = [(ALL, None)]
    if by_subgroup and prep.subgroup is not None:
        for level in sorted(prep.subgroup.dropna().astype(str).unique()):
            levels.append((level, (prep.subgroup.astype(str) == level).to_numpy()))
    rows = []
    for level, mask in levels:
        for outcome, v in prep.outcomes.items():
            sel = ~np.isnan(v) if mask is None else (mask & ~np.isnan(v))
            for arm, is_arm in (("treatment", prep.is_treatment), ("control", ~prep.is_treatment)):
                x = v[sel & is_arm]
                n = len(x)
                mean = float(x.mean()) if n else np.nan
                sd = float(x.std(ddof=1)) if n > 1 else np.nan
                if n > 1:
                    half = stats.t.ppf(1 - (1 - confidence_level) / 2, n - 1) * sd / np.sqrt(n)
                    lo, hi = mean - half, mean + half
                else:
                    lo = hi = np.nan
                rows.append({"outcome": outcome, "label": mapping.label(outcome),
                             "subgroup": level, "arm": arm, "n": n, "mean": mean, "sd": sd,
                             "ci_low": lo, "ci_high": hi, "confidence_level": confidence_level,
                             "share_zero": float((x == 0).mean()) if n else np.nan})
    return pd.DataFrame(rows)


def count_distribution(data: pd.DataFrame, mapping: Mapping, outcome: str,
                       top: int = 5) -> pd.DataFrame:
    """Share of people per arm with 0, 1, ..., ``top - 1`` and ``top`` or more events.

    Non-integer values are rounded down. Missing values are left out.

    Returns
    -------
    DataFrame
        ``arm``, ``category`` ("0", "1", ..., f"{top}+"), ``people``, ``n``, ``share``.
    """
    if outcome not in data.columns:
        raise DataError(f"There is no outcome column named {outcome!r}.")
    prep = prepare(data, replace(mapping, outcomes=(outcome,)))
    v = prep.outcomes[outcome]
    cats = [str(i) for i in range(top)] + [f"{top}+"]
    rows = []
    for arm, is_arm in (("treatment", prep.is_treatment), ("control", ~prep.is_treatment)):
        x = v[is_arm & ~np.isnan(v)]
        binned = np.minimum(np.floor(np.maximum(x, 0)), top).astype(int)
        counts = np.bincount(binned, minlength=top + 1)
        for cat, c in zip(cats, counts):
            rows.append({"arm": arm, "category": cat, "people": int(c), "n": len(x),
                         "share": c / len(x) if len(x) else np.nan})
    return pd.DataFrame(rows)


def arm_values(data: pd.DataFrame, mapping: Mapping, outcome: str) -> pd.DataFrame:
    """One outcome's values per person with the arm as "treatment" / "control".

    Arm values are matched as :func:`fd_stats.analyse` matches them (case and
    surrounding spaces ignored); people in neither arm and missing values are
    left out.

    Returns
    -------
    DataFrame
        ``arm`` and ``value``.
    """
    if outcome not in data.columns:
        raise DataError(f"There is no outcome column named {outcome!r}.")
    prep = prepare(data, replace(mapping, outcomes=(outcome,), subgroup=None))
    v = prep.outcomes[outcome]
    out = pd.DataFrame({"arm": np.where(prep.is_treatment, "treatment", "control"), "value": v})
    return out[~np.isnan(v)].reset_index(drop=True)
