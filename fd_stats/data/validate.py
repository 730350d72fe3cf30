"""Validation report for a person-level table and its column mapping, before any analysis.

Each problem has a severity: ``blocking`` problems stop the analysis (the
dashboard will not use the data set, the command line exits with an error);
``warning`` problems let it run. Row numbers are 1-based data rows (row 1 is
the first row after the header).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis import (COUNTED_MAX, Mapping, _norm_label, arm_flags, counted,
                        numeric_outcome_columns)
from ..programme.engagement import FALSE_WORDS, MISSING_WORDS, TRUE_WORDS
from ..errors import DataError
from .io import rows_text
from .mapping import ColumnMapping, OutcomeSpec, guess_kind

BLOCKING = "blocking"
WARNING = "warning"
HUGE = 1e15          # above this a value cannot be a real count or harm score; sums overflow
LARGE = 1e6          # above this a value is flagged for checking
FAR_SDS = 20         # flagged when this many (trimmed) SDs from the median


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data or the mapping, and what to do about it."""

    severity: str
    check: str
    column: str | None
    rows: tuple[int, ...]
    message: str

    @property
    def rows_text(self) -> str:
        if not self.rows:
            return ""
        return rows_text([r - 1 for r in self.rows], limit=8)


@dataclass
class ValidationReport:
    """What :func:`validate` found."""

    n_rows: int
    rows_per_arm: pd.DataFrame
    missing: pd.DataFrame
    excluded: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    n_analysed: int = 0

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == BLOCKING]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.blocking

    def to_frame(self) -> pd.DataFrame:
        """Problems as a table: severity, check, column, rows, message (blocking first)."""
        rows = [{"severity": p.severity, "check": p.check, "column": p.column or "",
                 "rows": p.rows_text, "message": p.message}
                for p in sorted(self.problems, key=lambda p: p.severity != BLOCKING)]
        return pd.DataFrame(rows, columns=["severity", "check", "column", "rows", "message"])

    def raise_if_blocking(self) -> "ValidationReport":
        """Raise :class:`DataError` with the first blocking problem (and how many more)."""
        if self.blocking:
            first = self.blocking[0].message
            more = len(self.blocking) - 1
            raise DataError(first + (f" ({more} more blocking problem(s); run the Data page's "
                                     "validation report to see them all.)" if more else ""))
        return self


@dataclass
class ValueSummary:
    """What the outcome checks need to know about one column's values.

    Masks are None when nothing is flagged. ``kept_range`` is (min, max) over analysed
    rows with usable values (None if there are none); ``arm_ranges`` is (n, min, max)
    for treatment then control.
    """

    inf: np.ndarray | None = None
    huge: np.ndarray | None = None
    huge_example: float = np.nan
    missing: np.ndarray | None = None
    negative: np.ndarray | None = None
    fraction: np.ndarray | None = None
    fraction_example: float = np.nan
    kept_range: tuple[float, float] | None = None
    arm_ranges: tuple = ((0, np.nan, np.nan), (0, np.nan, np.nan))
    median: float = np.nan
    far: np.ndarray | None = None
    far_example: float = np.nan


def _flag(mask):
    return mask if mask.any() else None


def _range(values) -> tuple:
    return (len(values), float(values.min()), float(values.max())) if len(values) \
        else (0, np.nan, np.nan)


def _far(v, median, sd, usable=None) -> tuple:
    """Rows more than FAR_SDS (trimmed) SDs from the median or above LARGE, and the largest."""
    far = np.abs(v) > LARGE
    if sd > 0:
        far |= np.abs(v - median) > FAR_SDS * sd
    if usable is not None:
        far &= usable
    if not far.any():
        return None, np.nan
    vals = v[far]
    return far, float(vals[np.argmax(np.abs(vals))])


def describe_values(s: pd.Series, keep: np.ndarray, is_t: np.ndarray) -> ValueSummary:
    """Summarise a numeric column for the outcome checks.

    Small non-negative integer counts (the usual outcome, millions of rows) are
    summarised from one count of each value by arm, not by sorting or masking
    the whole column several times; anything else by the direct computation.
    Both give the same summary (checked by the tests).
    """
    raw = s.to_numpy()
    if raw.dtype.kind == "f" and len(raw) >= 3:  # counts stored as floats (read from CSV)
        lo, hi = raw.min(), raw.max()  # NaN if any value is missing
        if 0 <= lo and hi < COUNTED_MAX and np.array_equal(raw, np.floor(raw)):
            raw = raw.astype(np.int64)
    top = counted(raw)
    if top is not None and len(raw) >= 3:
        return _describe_counts(raw, top, keep, is_t)
    return _describe_direct(s.to_numpy(dtype=float), keep, is_t)


def _describe_direct(v, keep, is_t) -> ValueSummary:
    lo, hi = (v.min(), v.max()) if len(v) else (np.nan, np.nan)  # NaN if any value is
    if abs(lo) <= HUGE and abs(hi) <= HUGE:  # every value usable (money, scores)
        return _describe_usable(v, keep, is_t, lo, hi)
    return _describe_masked(v, keep, is_t)


def _describe_masked(v, keep, is_t) -> ValueSummary:
    d = ValueSummary()
    finite = np.isfinite(v)
    d.inf = _flag(np.isinf(v))
    huge = finite & (np.abs(v) > HUGE)
    d.huge = _flag(huge)
    if d.huge is not None:
        d.huge_example = float(v[huge][0])
    d.missing = _flag(np.isnan(v) & keep)
    usable = finite & ~huge
    ok = usable & keep
    vals = v[ok]
    if len(vals):
        d.kept_range = (float(vals.min()), float(vals.max()))
    d.arm_ranges = (_range(np.compress(ok & is_t, v)), _range(np.compress(ok & ~is_t, v)))
    d.negative = _flag(finite & (v < 0))
    frac = usable & (v != np.round(v))
    d.fraction = _flag(frac)
    if d.fraction is not None:
        d.fraction_example = float(v[frac][0])
    fin = v[usable]
    if len(fin) >= 3:
        med, lo, hi = percentiles(fin, [50, 1, 99])
        core = fin[(fin >= lo) & (fin <= hi)]
        sd = core.std(ddof=1) if len(core) > 1 else 0.0
        d.median = float(med)
        d.far, d.far_example = _far(v, med, sd, usable)
    return d


def _describe_usable(v, keep, is_t, lo, hi) -> ValueSummary:
    """:func:`_describe_direct` when no value is missing, infinite or huge (``lo`` / ``hi``:
    the smallest and largest): the same summary without the masks and copies those need."""
    d = ValueSummary()
    everyone = bool(keep.all())
    if everyone:
        d.kept_range = (float(lo), float(hi))
        # np.compress is v[mask], several times faster on a mask that mixes the arms
        d.arm_ranges = (_range(np.compress(is_t, v)), _range(np.compress(~is_t, v)))
    else:
        vals = v[keep]
        if len(vals):
            d.kept_range = (float(vals.min()), float(vals.max()))
        d.arm_ranges = (_range(np.compress(keep & is_t, v)), _range(np.compress(keep & ~is_t, v)))
    if lo < 0:
        d.negative = _flag(v < 0)
    frac = v != np.round(v)
    d.fraction = _flag(frac)
    if d.fraction is not None:
        d.fraction_example = float(v[np.argmax(frac)])
    if len(v) >= 3:
        med, p1, p99 = percentiles(v, [50, 1, 99])
        core = v[(v >= p1) & (v <= p99)]
        sd = core.std(ddof=1) if len(core) > 1 else 0.0
        d.median = float(med)
        d.far, d.far_example = _far(v, med, sd)
    return d


def _sorted_value(cum, i):
    """The i-th smallest value (0-based) from cumulative counts of values 0, 1, 2, ..."""
    return np.searchsorted(cum, i, side="right")


def percentiles(v: np.ndarray, q) -> np.ndarray:
    """``np.percentile(v, q)`` (its default, linear method) for a 1-D float array without
    NaN, with the same arithmetic, from the order statistics it needs
    (:func:`order_statistics`) instead of partitioning a copy of every value."""
    n = len(v)
    index = (n - 1) * np.true_divide(np.asarray(q, float), 100)  # as numpy: (n - 1) * q
    below = np.floor(index)
    t = index - below
    k_lo = below.astype(np.intp)
    k_hi = np.minimum(k_lo + 1, n - 1)
    ks = np.unique(np.concatenate([k_lo, k_hi]))
    found = dict(zip(ks.tolist(), order_statistics(v, ks)))
    a = np.array([found[k] for k in k_lo.tolist()])
    b = np.array([found[k] for k in k_hi.tolist()])
    return np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t)  # numpy's _lerp


def order_statistics(v: np.ndarray, ks) -> np.ndarray:
    """The ``k``-th smallest values of ``v`` (0-based ``ks``, increasing), exactly.

    A sorted sample of about 4,096 values brackets each ``k`` (three standard errors of
    the sample quantile either side); counting the values below a bracket and keeping
    those inside it (a few per cent) leaves a small partition. A bracket that misses
    (the count shows it) falls back to partitioning every value (Floyd and Rivest 1975).
    """
    n = len(v)
    ks = np.asarray(ks, np.intp)
    if n <= 8192:
        return np.partition(v, ks)[ks]
    sample = np.sort(v[:: n // 4096])
    s = len(sample)
    out = np.empty(len(ks))
    done = np.zeros(len(ks), bool)
    for i, k in enumerate(ks):
        if done[i]:
            continue
        f = k / (n - 1)
        spread = 3 * np.sqrt(s * f * (1 - f)) + 2
        a = sample[max(int(np.floor(f * (s - 1) - spread)), 0)]
        b = sample[min(int(np.ceil(f * (s - 1) + spread)), s - 1)]
        below = np.count_nonzero(v < a)
        mine = ~done & (ks >= below)  # the ranks this bracket can answer
        if a == b:  # a value many people share (0 for most harm scores)
            inside = np.count_nonzero(v == a)
            mine &= ks < below + inside
            out[mine] = a
        else:
            inside = v[(v >= a) & (v <= b)]
            mine &= ks < below + len(inside)
            if mine.any():
                out[mine] = np.partition(inside, ks[mine] - below)[ks[mine] - below]
        done |= mine
        if not done[i]:  # the sample misled the bracket: partition every value
            rest = ~done
            out[rest] = np.partition(v, ks[rest])[ks[rest]]
            break
    return out


def _describe_counts(v, top, keep, is_t) -> ValueSummary:
    d = ValueSummary()
    arm = keep.astype(np.int64) + (is_t & keep)  # 0 not analysed, 1 control, 2 treatment
    h = np.bincount(v.astype(np.int64, copy=False) * 3 + arm,
                    minlength=3 * (top + 1)).reshape(top + 1, 3)
    x = np.arange(top + 1, dtype=float)
    kept = np.flatnonzero(h[:, 1] + h[:, 2])
    if len(kept):
        d.kept_range = (x[kept[0]], x[kept[-1]])
    ranges = []
    for col in (2, 1):
        present = np.flatnonzero(h[:, col])
        ranges.append((int(h[:, col].sum()), x[present[0]], x[present[-1]]) if len(present)
                      else (0, np.nan, np.nan))
    d.arm_ranges = tuple(ranges)
    total = h.sum(axis=1)
    n = int(total.sum())
    cum = np.cumsum(total)
    # np.percentile's default (linear) method on the sorted values, from the counts
    index = (n - 1) * (np.array([50.0, 1.0, 99.0]) / 100)
    below = np.floor(index)
    t = index - below
    a = _sorted_value(cum, below).astype(float)
    b = _sorted_value(cum, np.minimum(below + 1, n - 1)).astype(float)
    med, lo, hi = np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t)
    w = np.where((x >= lo) & (x <= hi), total, 0)
    n_core = int(w.sum())
    sd = 0.0
    if n_core > 1:
        mean = (w * x).sum() / n_core
        sd = float(np.sqrt((w * (x - mean) ** 2).sum() / (n_core - 1)))
    d.median = float(med)
    present = total > 0
    if sd > 0 and (present & (np.abs(x - med) > FAR_SDS * sd)).any():
        d.far, d.far_example = _far(v.astype(float), med, sd)
    return d


def _rows(mask) -> tuple[int, ...]:
    return tuple(int(i) + 1 for i in np.flatnonzero(np.asarray(mask, bool)))


def _as_column_mapping(data: pd.DataFrame, mapping) -> ColumnMapping:
    if isinstance(mapping, ColumnMapping):
        return mapping
    mapping = mapping or Mapping()
    outs = list(mapping.outcomes) or [c for c in numeric_outcome_columns(data, mapping)]
    labels = dict(mapping.labels)
    specs = [OutcomeSpec(c, labels.get(c, c), "", None,
                         guess_kind(c, data[c]) if c in data.columns else "count") for c in outs]
    return ColumnMapping(mapping.arm, str(mapping.treatment), str(mapping.control), specs,
                         mapping.person_id, [mapping.subgroup] if mapping.subgroup else [],
                         mapping.engagement)


def validate(data: pd.DataFrame, mapping: ColumnMapping | Mapping | None = None) -> ValidationReport:
    """Check a person-level table against its mapping; never raises for bad data.

    Checks: mapped columns exist; the arm values; rows per arm; rows excluded
    (arm missing or neither treatment nor control) and why; missing values per
    column; duplicate person ids; arms with fewer than 2 people; outcomes that
    are not numbers, infinite, with no variation; negative or non-integer
    values in count outcomes; extreme values (above 1e6, or more than 20
    standard deviations from the median); subgroup columns with too many levels.
    """
    problems: list[Problem] = []
    add = lambda *a: problems.append(Problem(*a))  # noqa: E731
    empty = pd.DataFrame()
    if not isinstance(data, pd.DataFrame) or data.shape[0] == 0:
        add(BLOCKING, "no rows", None, (), "The data set has no rows. Upload a file with one "
            "row per person.")
        return ValidationReport(0, empty, empty, empty, problems)
    m = _as_column_mapping(data, mapping)
    n = len(data)
    cols = list(map(str, data.columns))
    missing_tab = pd.DataFrame({
        "column": cols,
        "missing": [int(data[c].isna().sum()) for c in data.columns],
    })
    missing_tab["percent missing"] = (100 * missing_tab["missing"] / n).round(1)

    # ---- the mapping itself
    if not m.arm:
        add(BLOCKING, "mapping", None, (), "No arm column is chosen. Choose the column that "
            "says whether each person was in the treatment or the control group.")
    absent = m.missing_columns(data) if m.arm else [c for c in m.columns_used() if c not in cols]
    shown = ", ".join(repr(c) for c in cols[:20]) + (" ..." if len(cols) > 20 else "")
    for c in absent:
        if c in m.outcome_columns:
            continue
        what = "for the arm" if c == m.arm else "chosen in the mapping"
        add(BLOCKING, "mapping", c, (), f"There is no column named {c!r} {what}. Columns are: "
            f"{shown}. Choose an existing column or correct the file's header.")
    lost = [c for c in m.outcome_columns if c in absent]
    if lost:
        add(BLOCKING, "mapping", lost[0], (), "Outcome column(s) not found: " + ", ".join(lost)
            + f". Columns are: {shown}.")
    if not m.outcomes:
        add(BLOCKING, "mapping", None, (), "No outcome columns are chosen. Choose at least one "
            "numeric column to compare between the arms.")
    dup_roles = [c for c in m.outcome_columns if c in (m.arm, m.person_id)]
    for c in dup_roles:
        add(BLOCKING, "mapping", c, (), f"Column {c!r} is chosen both as an outcome and as the "
            "arm or person id. Remove it from the outcomes.")

    rows_per_arm = empty
    excluded = pd.DataFrame(columns=["reason", "rows", "n"])
    keep = np.ones(n, bool)
    is_t = np.zeros(n, bool)
    if m.arm and m.arm in cols:
        t_key, c_key = _norm_label(m.treatment), _norm_label(m.control)
        is_t, is_c, arm_na, seen = arm_flags(data[m.arm], m.treatment, m.control)
        keep = is_t | is_c
        shown = ", ".join(f"{v!r} ({k})" for v, k in list(seen.items())[:10]) or "none"
        if not t_key or not c_key or t_key == c_key:
            add(BLOCKING, "arm values", m.arm, (), "Treatment and control must be two different "
                f"values of column {m.arm!r}. Values found: {shown}.")
        counts = []
        for label, key in ((m.treatment, is_t), (m.control, is_c)):
            k = int(key.sum())
            counts.append({"arm": str(label), "people": k})
            if k == 0 and t_key and c_key and t_key != c_key:
                add(BLOCKING, "arm values", m.arm, (), f"No rows have {str(label)!r} in column "
                    f"{m.arm!r}. Values found: {shown}. Choose the value that marks this arm.")
            elif k < 2:
                add(BLOCKING, "arm size", m.arm, _rows(key), f"The {str(label)!r} arm has only "
                    f"{k} person. Each arm needs at least 2 people to estimate variability; "
                    "check the arm values or add the missing people.")
        other = ~keep & ~arm_na
        counts.append({"arm": "excluded", "people": int((~keep).sum())})
        rows_per_arm = pd.DataFrame(counts)
        ex = []
        if arm_na.any():
            ex.append({"reason": f"arm ({m.arm}) is missing", "rows": rows_text(
                np.flatnonzero(arm_na), 8), "n": int(arm_na.sum())})
            add(WARNING, "excluded rows", m.arm, _rows(arm_na), f"{int(arm_na.sum())} row(s) "
                f"have no value in column {m.arm!r} and are left out of the analysis. Fill in "
                "their arm if they were randomised.")
        if other.any():
            vals = sorted({str(v) for v in data.loc[other, m.arm].unique()})[:5]
            ex.append({"reason": f"arm is neither {m.treatment!r} nor {m.control!r}",
                       "rows": rows_text(np.flatnonzero(other), 8), "n": int(other.sum())})
            add(WARNING, "excluded rows", m.arm, _rows(other), f"{int(other.sum())} row(s) have "
                f"arm values {', '.join(map(repr, vals))}, neither {m.treatment!r} nor "
                f"{m.control!r}; they are left out. If they belong to an arm, recode them.")
        excluded = pd.DataFrame(ex, columns=["reason", "rows", "n"])

    # ---- person ids
    if m.person_id and m.person_id in cols:
        ids = data[m.person_id]
        na = ids.isna().to_numpy()
        if na.any():
            add(WARNING, "person id", m.person_id, _rows(na), f"{int(na.sum())} row(s) have no "
                f"person id in column {m.person_id!r}. Each person should have an id.")
        dup = ids.duplicated(keep=False).to_numpy() & ~na
        if dup.any():
            examples = ", ".join(repr(str(v)) for v in ids[dup].unique()[:3])
            add(BLOCKING, "duplicate ids", m.person_id, _rows(dup), f"Person ids appear more "
                f"than once ({examples}; {int(dup.sum())} rows). The table must have one row "
                "per person: remove or merge the duplicate rows.")

    # ---- outcomes
    varying = 0
    checked = 0
    for spec in m.outcomes:
        c = spec.column
        if c not in cols:
            continue
        s = data[c]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(float)
        if not pd.api.types.is_numeric_dtype(s):
            nums = pd.to_numeric(s, errors="coerce")
            bad = nums.isna().to_numpy() & s.notna().to_numpy()
            if bad.any():
                shown = ", ".join(repr(str(v))[:40] for v in s[bad].unique()[:3])
                add(BLOCKING, "not numbers", c, _rows(bad), f"Column {c!r} should hold numbers "
                    f"but {int(bad.sum())} row(s) hold text such as {shown} (rows "
                    f"{rows_text(np.flatnonzero(bad))}). Correct those cells, "
                    "leave them empty, or do not use this column as an outcome.")
                continue
            s = nums
        checked += 1
        d = describe_values(s, keep, is_t)
        if d.inf is not None:
            add(BLOCKING, "infinite values", c, _rows(d.inf), f"Column {c!r} has infinite values. "
                "Correct them or leave the cells empty.")
        if d.huge is not None:
            add(BLOCKING, "extreme values", c, _rows(d.huge), f"Column {c!r} has values too large "
                f"to be real (above {HUGE:.0e}, e.g. {d.huge_example:.3g}). They are probably "
                "data entry or export errors: correct them or leave the cells empty.")
        if d.missing is not None:
            add(WARNING, "missing values", c, _rows(d.missing), f"Column {c!r} is empty for "
                f"{int(d.missing.sum())} analysed row(s); those people are left out of this "
                "outcome only." + (" If no crimes were recorded, enter 0 instead of leaving "
                                   "it empty." if spec.crime and spec.kind == "count" else ""))
        if d.kept_range is not None and d.kept_range[0] == d.kept_range[1]:
            add(WARNING, "no variation", c, (), f"Every analysed person has the same value "
                f"({d.kept_range[0]:g}) in {c!r}, so the arms cannot be compared on it. Check the "
                "column, or leave it out of the outcomes.")
        elif d.kept_range is not None:
            varying += 1
            for (n_arm, lo, hi), label in zip(d.arm_ranges, (m.treatment, m.control)):
                if n_arm >= 2 and lo == hi and m.arm in cols:
                    add(WARNING, "no variation", c, (), f"Everyone in the {str(label)!r} arm has "
                        f"the same value ({lo:g}) in {c!r}; the t-test's interval relies on "
                        "the other arm's spread only.")
        if spec.kind == "count":
            if d.negative is not None:
                add(BLOCKING, "negative counts", c, _rows(d.negative), f"Column {c!r} is a count "
                    f"but has negative values ({int(d.negative.sum())} rows). Correct them, or if "
                    "the column is not a count set its kind to 'continuous' in the mapping.")
            if d.fraction is not None:
                add(WARNING, "non-integer counts", c, _rows(d.fraction), f"Column {c!r} is a count "
                    f"but has values with decimals (e.g. {d.fraction_example:g}). Check the "
                    "column; if it is not a count, set its kind to 'continuous' in the mapping.")
        if d.far is not None:
            add(WARNING, "extreme values", c, _rows(d.far), f"Column {c!r} has "
                f"{int(d.far.sum())} extreme value(s) (largest {d.far_example:.4g}; median "
                f"{d.median:g}). Check they are correct, not typing or export errors: a few "
                "extreme values can dominate a comparison of means (the Mann-Whitney test in "
                "the sidebar is less sensitive to them).")
    if checked and not varying and m.outcomes:
        add(BLOCKING, "no variation", None, (), "No outcome varies: every person has the same "
            "value in every outcome, so there is nothing to compare. Check that the right file "
            "and columns were chosen.")

    # ---- subgroups and engagement
    for c in m.subgroups:
        if c not in cols:
            continue
        k = data[c].nunique(dropna=True)
        if k > 12:
            add(WARNING, "subgroup levels", c, (), f"Subgroup column {c!r} has {k} different "
                "values; results per level will be very uncertain. Group them into a few bands.")
        elif k < 2:
            add(WARNING, "subgroup levels", c, (), f"Subgroup column {c!r} has fewer than 2 "
                "different values, so it does not split people into subgroups.")
    if m.engagement and m.engagement in cols:
        vals = {_norm_label(v) for v in data[m.engagement].dropna().unique()}
        known = TRUE_WORDS | FALSE_WORDS | MISSING_WORDS
        if vals - known:
            odd = sorted(vals - known)[:3]
            add(WARNING, "engagement values", m.engagement, (), f"Engagement column "
                f"{m.engagement!r} has values other than yes/no or true/false ({', '.join(odd)}). "
                "Engagement figures need yes/no values.")
    return ValidationReport(n, rows_per_arm, missing_tab, excluded, problems, int(keep.sum()))
