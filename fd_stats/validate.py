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

from .analysis import Mapping, _norm_label, arm_flags, numeric_outcome_columns
from .engagement import FALSE_WORDS, MISSING_WORDS, TRUE_WORDS
from .errors import DataError
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


def _rows(mask) -> tuple[int, ...]:
    return tuple(int(i) + 1 for i in np.flatnonzero(np.asarray(mask, bool)))


def _as_column_mapping(data: pd.DataFrame, mapping) -> ColumnMapping:
    if isinstance(mapping, ColumnMapping):
        return mapping
    mapping = mapping or Mapping()
    outs = list(mapping.outcomes) or [c for c in numeric_outcome_columns(data, mapping)]
    labels = dict(mapping.labels)
    specs = [OutcomeSpec(c, labels.get(c, c), "", True,
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
        v = s.to_numpy(dtype=float)
        checked += 1
        inf = np.isinf(v)
        if inf.any():
            add(BLOCKING, "infinite values", c, _rows(inf), f"Column {c!r} has infinite values. "
                "Correct them or leave the cells empty.")
        huge = np.isfinite(v) & (np.abs(v) > HUGE)
        if huge.any():
            add(BLOCKING, "extreme values", c, _rows(huge), f"Column {c!r} has values too large "
                f"to be real (above {HUGE:.0e}, e.g. {v[huge][0]:.3g}). They are probably data "
                "entry or export errors: correct them or leave the cells empty.")
        nan = np.isnan(v) & keep
        if nan.any():
            add(WARNING, "missing values", c, _rows(nan), f"Column {c!r} is empty for "
                f"{int(nan.sum())} analysed row(s); those people are left out of this outcome "
                "only. If no crimes were recorded, enter 0 instead of leaving it empty.")
        ok = np.isfinite(v) & ~huge & keep
        vals = v[ok]
        if len(vals) and np.ptp(vals) == 0:
            add(WARNING, "no variation", c, (), f"Every analysed person has the same value "
                f"({vals[0]:g}) in {c!r}, so the arms cannot be compared on it. Check the column, "
                "or leave it out of the outcomes.")
        elif len(vals):
            varying += 1
            for arm_mask, label in ((is_t, m.treatment), (~is_t, m.control)):
                sel = v[ok & arm_mask]
                if len(sel) >= 2 and np.ptp(sel) == 0 and m.arm in cols:
                    add(WARNING, "no variation", c, (), f"Everyone in the {str(label)!r} arm has "
                        f"the same value ({sel[0]:g}) in {c!r}; the t-test's interval relies on "
                        "the other arm's spread only.")
        if spec.kind == "count":
            neg = np.isfinite(v) & (v < 0)
            if neg.any():
                add(BLOCKING, "negative counts", c, _rows(neg), f"Column {c!r} is a count but has "
                    f"negative values ({int(neg.sum())} rows). Correct them, or if the column is "
                    "not a count set its kind to 'continuous' in the mapping.")
            frac = np.isfinite(v) & ~huge & (v != np.round(v))
            if frac.any():
                add(WARNING, "non-integer counts", c, _rows(frac), f"Column {c!r} is a count but "
                    f"has values with decimals (e.g. {v[frac][0]:g}). Check the column; if it is "
                    "not a count, set its kind to 'continuous' in the mapping.")
        fin = v[np.isfinite(v) & ~huge]
        if len(fin) >= 3:
            med, lo, hi = np.percentile(fin, [50, 1, 99])  # one partition, not two
            core = fin[(fin >= lo) & (fin <= hi)]
            sd = core.std(ddof=1) if len(core) > 1 else 0.0
            far = np.zeros(len(v), bool)
            if sd > 0:
                far = np.isfinite(v) & ~huge & (np.abs(v - med) > FAR_SDS * sd)
            far |= np.isfinite(v) & ~huge & (np.abs(v) > LARGE)
            if far.any():
                add(WARNING, "extreme values", c, _rows(far), f"Column {c!r} has {int(far.sum())} "
                    f"extreme value(s) (largest {v[far][np.argmax(np.abs(v[far]))]:.4g}; median "
                    f"{med:g}). Check they are correct, not typing or export errors: a few extreme "
                    "values can dominate a comparison of means (the Mann-Whitney test in the "
                    "sidebar is less sensitive to them).")
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
