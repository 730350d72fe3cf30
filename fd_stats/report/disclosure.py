"""Disclosure control for tables about people: suppress small counts and the means built on them.

UK public bodies withhold counts about individuals below a threshold (5 or
10 are common; the UK Longitudinal Linkage Collaboration withholds counts
below 10 and means from fewer than 10 people). This module applies that rule
to result tables before they leave the dashboard:

* **Primary suppression**: a count of people from 1 to ``threshold - 1``
  (zero is shown unless ``suppress_zeros``), and a mean or SD computed from
  fewer than ``threshold`` people.
* **Secondary (complementary) suppression**: wherever cells add up to a shown
  total (subgroup levels to "All"; engaged + not engaged = allocated), a
  line must not have exactly one hidden cell, or it could be worked out by
  subtraction. The smallest other cell in the line is hidden too, repeatedly,
  until no line has exactly one hidden cell.
* A hidden mean hides every comparison in its row (difference, percentage
  change, intervals, test statistic, p-values), since mean + difference would
  give it back.

Every function returns the protected table, a boolean mask of hidden cells
and a list of :class:`Suppression` records saying what was hidden and why.
Hidden cells hold NaN in ``table`` and the marker ``"[c]"`` (ONS convention
for "confidential") in :meth:`Protected.marked`.

Limitations: the complementary search is the usual greedy one (hide the
smallest other cell); it guarantees that no single hidden cell can be
recovered by one subtraction, not that its feasible interval is wide.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis import EXTRA_TEST_COLUMNS
from ..errors import DataError

MARKER = "[c]"
DEFAULT_THRESHOLD = 10
ALL = "All"

#: people-count columns of :func:`fd_stats.analyse` results and the group size each belongs to
RESULT_COUNTS = {"n_treatment": None, "n_control": None, "n_missing": None,
                 "any_treatment": "n_treatment", "any_control": "n_control"}
#: per-arm statistics built from the people of one arm
RESULT_ARM_STATS = {"treatment": ("n_treatment", ["mean_treatment", "sd_treatment"]),
                    "control": ("n_control", ["mean_control", "sd_control"])}
#: statistics that compare the arms: hidden when either arm's mean is hidden
RESULT_COMPARISONS = ["difference", "estimate", "ci_low", "ci_high", "percent_change",
                      "percent_change_ci_low", "percent_change_ci_high", "statistic", "df",
                      "p_value", "p_adjusted", "significant", "hedges_g", "hedges_g_ci_low",
                      "hedges_g_ci_high", "mc_error", "std_error", "prob_benefit",
                      "prob_benefit_min",
                      # the other tests' columns (Settings.extra_tests) and the note, which can
                      # quote the means
                      *(c for cols in EXTRA_TEST_COLUMNS.values() for c in cols), "note"]


@dataclass(frozen=True)
class Suppression:
    """One hidden cell: where it is, and why."""

    row: str
    column: str
    kind: str      # "primary", "secondary" or "consequential"
    reason: str

    def text(self) -> str:
        return f"{self.row} — {self.column}: {self.reason}"


@dataclass
class Protected:
    """A table after disclosure control."""

    table: pd.DataFrame
    mask: pd.DataFrame
    suppressed: list[Suppression] = field(default_factory=list)
    threshold: int = DEFAULT_THRESHOLD
    rounding: int = 0
    nonzero_rule: bool = False

    @property
    def any(self) -> bool:
        return bool(self.suppressed)

    def marked(self, marker: str = MARKER) -> pd.DataFrame:
        """The table with hidden cells replaced by ``marker`` (object dtype where needed)."""
        out = self.table.copy()
        for c in out.columns:
            if self.mask[c].any():
                out[c] = out[c].astype(object)
                out.loc[self.mask[c].to_numpy(), c] = marker
        return out

    def is_hidden(self, index, column: str) -> bool:
        return bool(column in self.mask.columns and self.mask.at[index, column])

    def counts_by_kind(self) -> dict:
        out: dict = {}
        for s in self.suppressed:
            out[s.kind] = out.get(s.kind, 0) + 1
        return out

    def note(self, what: str = "table") -> str:
        """One paragraph: the rule applied and what it hid."""
        return (rule_text(self.threshold, self.rounding, self.nonzero_rule) + " "
                + self.summary(what))

    def summary(self, what: str = "table") -> str:
        """What was hidden, in one sentence (without the rule)."""
        if not self.suppressed:
            return f"Nothing in the {what} needed hiding."
        k = self.counts_by_kind()
        text = f"In the {what}, {len(self.suppressed)} cells are hidden: "
        parts = []
        if k.get("primary"):
            parts.append(f"{k['primary']} because they were small")
        if k.get("secondary"):
            parts.append(f"{k['secondary']} so that a small one cannot be worked out from a total")
        if k.get("consequential"):
            parts.append(f"{k['consequential']} that would reveal a hidden value in the same row")
        return text + "; ".join(parts) + "."

    def by_row(self) -> pd.DataFrame:
        """One line per row with hidden cells: the columns hidden and the first-order reasons."""
        out: dict = {}
        for s in self.suppressed:
            d = out.setdefault(s.row, {"row": s.row, "hidden": [], "why": []})
            d["hidden"].append(s.column)
            if s.kind != "consequential" and s.reason not in d["why"]:
                d["why"].append(f"{s.column}: {s.reason}")
        rows = [{"row": d["row"],
                 "hidden": ", ".join([c for c in d["hidden"] if c not in RESULT_COMPARISONS]
                                     + (["the comparison (difference, % change, intervals, "
                                         "p-values)"] if set(d["hidden"]) & set(RESULT_COMPARISONS)
                                        else [])),
                 "why": "; ".join(d["why"]) or "would reveal a hidden value"}
                for d in out.values()]
        return pd.DataFrame(rows, columns=["row", "hidden", "why"])


def rule_text(threshold: int, rounding: int = 0, nonzero_rule: bool = False) -> str:
    """The disclosure rule in one or two sentences."""
    strict = (f" (or with fewer than {threshold} people contributing a non-zero value)"
              if nonzero_rule else "")
    text = (f"Small numbers are protected: counts of 1 to {threshold - 1} people, and means "
            f"from fewer than {threshold} people{strict}, are hidden and shown as {MARKER}; "
            "further cells are hidden where a hidden value could otherwise be worked out "
            "from totals.")
    if rounding:
        text += f" Other counts of people are rounded to the nearest {rounding}."
    return text


def _people(v) -> str:
    v = int(v)
    return f"{v} person" if v == 1 else f"{v} people"


def check_threshold(threshold) -> int:
    try:
        t = int(threshold)
    except (TypeError, ValueError):
        raise DataError(f"The disclosure threshold must be a whole number; got {threshold!r}.") from None
    if t != threshold and not (isinstance(threshold, float) and float(threshold).is_integer()):
        raise DataError(f"The disclosure threshold must be a whole number; got {threshold!r}.")
    if t < 1:
        raise DataError(f"The disclosure threshold must be at least 1; got {t}.")
    return t


def is_small(value, threshold: int, suppress_zeros: bool = False) -> bool:
    """True for a count of people that must be hidden."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return False
    v = float(value)
    return (0 < v < threshold) or (suppress_zeros and v == 0)


def _hide_complement(values: dict, hidden: set, prefer: list | None = None):
    """Pick the key to hide so that ``hidden`` no longer has exactly one member among ``values``.

    ``values`` maps keys to numbers. The smallest positive, not yet hidden
    value is chosen (least information lost); keys in ``prefer`` go first.
    Returns None when nothing is left to hide.
    """
    candidates = [k for k in values if k not in hidden]
    if not candidates:
        return None
    def key(k):
        v = values[k]
        v = float(v) if v is not None and np.isfinite(float(v)) else np.inf
        return (0 if prefer is None or k in prefer else 1, 0 if v > 0 else 1, v, str(k))
    return min(candidates, key=key)


def protect_lines(table: pd.DataFrame, lines: list[list[tuple]], threshold: int = DEFAULT_THRESHOLD,
                  *, count_cells: list[tuple] | None = None, suppress_zeros: bool = False,
                  row_names=None, interior: set | None = None) -> tuple[pd.DataFrame, list[Suppression]]:
    """Primary + complementary suppression on a table whose cells add up along ``lines``.

    Parameters
    ----------
    table : DataFrame of counts.
    lines : list of lists of (row index, column) cells; each list is one additive
        relation (the parts and their total), so no list may end with exactly
        one hidden cell.
    count_cells : cells tested against the threshold (default: every cell).
    interior : cells preferred as complements (parts rather than totals).

    Returns
    -------
    (mask, suppressions)
    """
    threshold = check_threshold(threshold)
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    names = row_names or (lambda i: str(i))
    notes: list[Suppression] = []
    cells = count_cells if count_cells is not None else [(i, c) for i in table.index
                                                         for c in table.columns]
    for i, c in cells:
        v = table.at[i, c]
        if is_small(v, threshold, suppress_zeros):
            mask.at[i, c] = True
            notes.append(Suppression(names(i), c, "primary",
                                     f"{_people(v)}, fewer than {threshold}"
                                     if float(v) else "zero count"))
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = {cell for cell in line if mask.at[cell]}
            if len(hidden) != 1:
                continue
            (h,) = hidden
            values = {cell: table.at[cell] for cell in line}
            pick = _hide_complement(values, hidden, prefer=list(interior) if interior else None)
            if pick is None:
                continue
            mask.at[pick] = True
            notes.append(Suppression(names(pick[0]), pick[1], "secondary",
                                     f"hidden so that {names(h[0])} — {h[1]} cannot be worked "
                                     "out from the total"))
            changed = True
    return mask, notes


def protect_results(results: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, *,
                    rounding: int = 0, suppress_zeros: bool = False,
                    nonzero_rule: bool = False) -> Protected:
    """Disclosure control for the output of :func:`fd_stats.analyse`.

    Parameters
    ----------
    results : DataFrame
        One row per outcome x subgroup level ("All" plus levels).
    threshold : int
        Smallest number of people a count may describe, and a mean may be built from.
    rounding : int
        If > 0, counts of people that remain shown are rounded to this base.
    suppress_zeros : bool
        Also hide zero counts.
    nonzero_rule : bool
        Also hide an arm's mean when fewer than ``threshold`` people in that
        arm had a non-zero value (off by default, stricter): for counts, mean x n
        is the number of events, an upper bound on a hidden count of people. Off
        by default because a mean from enough people is not itself a count of
        people, and the rule would hide most subgroup findings of a small trial.

    Returns
    -------
    Protected
        ``table`` with hidden cells as NaN (``significant`` as NaN too), ``mask``,
        and the list of suppressions.
    """
    threshold = check_threshold(threshold)
    if rounding < 0:
        raise DataError("Rounding base must be zero (none) or more.")
    res = results.reset_index(drop=True)
    mask = pd.DataFrame(False, index=res.index, columns=res.columns)
    notes: list[Suppression] = []

    def name(i):
        r = res.loc[i]
        where = "all people" if r["subgroup"] == ALL else f"{r['subgroup_column']} {r['subgroup']}"
        return f"{r['label']} ({where})"

    def hide(i, col, kind, reason):
        if col in mask.columns and not mask.at[i, col]:
            mask.at[i, col] = True
            notes.append(Suppression(name(i), col, kind, reason))

    # primary: small counts of people (and the complement n - any)
    for col, total in RESULT_COUNTS.items():
        if col not in res.columns:
            continue
        for i in res.index:
            v = res.at[i, col]
            if is_small(v, threshold, suppress_zeros):
                hide(i, col, "primary", f"{_people(v)}, fewer than {threshold}"
                     if float(v) else "zero count")
            elif total and total in res.columns:
                rest = res.at[i, total] - v
                if is_small(rest, threshold, suppress_zeros):
                    hide(i, col, "primary", f"the rest of the arm ({total} minus this) is "
                         f"{_people(rest)}, fewer than {threshold}")
    # a hidden count of missing values could be worked out from the arm sizes of another
    # outcome in the same level (n_treatment + n_control + n_missing is the same for all)
    for i in res.index:
        if "n_missing" in mask.columns and mask.at[i, "n_missing"]:
            for col in ("n_treatment", "n_control"):
                hide(i, col, "secondary", "the arm sizes plus the missing count are the same "
                     "for every outcome, so they would reveal the hidden missing count")
    # primary: means and SDs from few people
    for arm, (n_col, stats) in RESULT_ARM_STATS.items():
        any_col = f"any_{arm}"
        for i in res.index:
            n = res.at[i, n_col]
            few = np.isfinite(n) and n < threshold
            few_nz = (nonzero_rule and any_col in res.columns
                      and 0 < res.at[i, any_col] < threshold)
            if few or few_nz:
                why = (f"built from {int(n)} people, fewer than {threshold}" if few else
                       f"only {_people(res.at[i, any_col])} in the {arm} arm had a non-zero "
                       f"value, fewer than {threshold}")
                for s in stats:
                    hide(i, s, "primary", why)
    # complementary suppression across subgroup levels, per outcome
    count_cols = [c for c in RESULT_COUNTS if c in res.columns]
    mean_cols = [s for _, (_, st) in RESULT_ARM_STATS.items() for s in st if s in res.columns]
    changed = True
    while changed:
        changed = False
        for _, idx in res.groupby("outcome", sort=False).groups.items():
            idx = list(idx)
            if len(idx) < 2:
                continue
            all_rows = [i for i in idx if res.at[i, "subgroup"] == ALL]
            levels = [i for i in idx if res.at[i, "subgroup"] != ALL]
            for col in count_cols + mean_cols:
                line = all_rows + levels
                hidden = [i for i in line if mask.at[i, col]]
                if len(hidden) != 1:
                    continue
                h = hidden[0]
                # hide another level, never the "All" row when a level can be hidden
                size_col = ("n_treatment" if col.endswith("treatment") else
                            "n_control" if col.endswith("control") else col)
                pool = [i for i in levels if i != h] or [i for i in all_rows if i != h]
                if not pool:
                    continue
                pick = min(pool, key=lambda i: (res.at[i, size_col]
                                                if np.isfinite(res.at[i, size_col]) else np.inf,
                                                str(res.at[i, "subgroup"])))
                hide(pick, col, "secondary",
                     f"hidden so that {name(h)} — {col} cannot be worked out from the total")
                changed = True
    # a hidden mean hides the comparisons in its row
    for i in res.index:
        hidden_means = [c for c in mean_cols if mask.at[i, c] and c.startswith("mean_")]
        if hidden_means:
            for c in RESULT_COMPARISONS:
                hide(i, c, "consequential",
                     f"would reveal the hidden {' and '.join(hidden_means)} in this row")
    table = res.copy()
    if rounding:
        for col in count_cols:
            shown = ~mask[col] & res[col].notna()
            table.loc[shown, col] = (np.round(res.loc[shown, col].astype(float) / rounding)
                                     * rounding).astype(res[col].dtype, errors="ignore")
    for c in table.columns:
        if mask[c].any():
            if table[c].dtype == bool:
                table[c] = table[c].astype(object)
            table.loc[mask[c].to_numpy(), c] = np.nan
    table.attrs = dict(results.attrs)
    return Protected(table, mask, notes, threshold, rounding, nonzero_rule)


def protect_engagement(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, *,
                       group_col: str = "group", count_cols=("engaged", "not_engaged"),
                       total_col: str = "allocated", suppress_zeros: bool = False) -> Protected:
    """Disclosure control for an engagement table (rows = cohorts plus an "All" row).

    Lines: within each row, the counts add up to ``total_col``; within each
    count column, the cohorts add up to the "All" row. Rates and intervals in
    the table are hidden with their count.
    """
    threshold = check_threshold(threshold)
    t = table.reset_index(drop=True)
    cols = [c for c in count_cols if c in t.columns]
    if "unknown" in t.columns and (t["unknown"] > 0).any():
        cols = cols + ["unknown"]
    counts = t[cols + [total_col]].astype(float)
    all_rows = [i for i in t.index if t.at[i, group_col] == ALL]
    parts = [i for i in t.index if t.at[i, group_col] != ALL]
    lines = [[(i, c) for c in cols + [total_col]] for i in t.index]
    for c in cols + [total_col]:
        if parts:
            lines.append([(i, c) for i in parts + all_rows])
    interior = {(i, c) for i in parts for c in cols}
    names = lambda i: f"{t.at[i, group_col]}"  # noqa: E731
    mask_c, notes = protect_lines(counts, lines, threshold, suppress_zeros=suppress_zeros,
                                  row_names=names, interior=interior)
    mask = pd.DataFrame(False, index=t.index, columns=t.columns)
    for c in mask_c.columns:
        mask[c] = mask_c[c]
    rate_cols = [c for c in ("rate", "ci_low", "ci_high") if c in t.columns]
    for i in t.index:
        if mask.loc[i, cols].any() or mask.at[i, total_col]:
            for c in rate_cols:
                if not mask.at[i, c]:
                    mask.at[i, c] = True
                    notes.append(Suppression(names(i), c, "consequential",
                                             "would reveal a hidden count in this row"))
    out = t.copy()
    for c in out.columns:
        if mask[c].any():
            out[c] = out[c].astype(float)
            out.loc[mask[c].to_numpy(), c] = np.nan
    return Protected(out, mask, notes, threshold)


def protect_counts(table: pd.DataFrame, count_col: str, threshold: int = DEFAULT_THRESHOLD, *,
                   group_col: str | None = None, total: float | None = None,
                   label_col: str | None = None, suppress_zeros: bool = False) -> Protected:
    """Disclosure control for a long table of counts (e.g. reasons for non-engagement).

    The counts within each ``group_col`` level (or the whole table) add up to
    a total that is published elsewhere, so one hidden count per group also
    hides the smallest other count of that group.
    """
    threshold = check_threshold(threshold)
    t = table.reset_index(drop=True)
    counts = t[[count_col]].astype(float)
    groups = t.groupby(group_col, sort=False).groups.values() if group_col else [t.index]
    lines = [[(i, count_col) for i in idx] for idx in groups]
    names = (lambda i: str(t.at[i, label_col])) if label_col else (lambda i: f"row {i + 1}")
    if group_col and label_col:
        names = lambda i: f"{t.at[i, group_col]}: {t.at[i, label_col]}"  # noqa: E731
    mask_c, notes = protect_lines(counts, lines, threshold, suppress_zeros=suppress_zeros,
                                  row_names=names)
    mask = pd.DataFrame(False, index=t.index, columns=t.columns)
    mask[count_col] = mask_c[count_col]
    out = t.copy()
    if mask[count_col].any():
        out[count_col] = out[count_col].astype(float)
        out.loc[mask[count_col].to_numpy(), count_col] = np.nan
    return Protected(out, mask, notes, threshold)
