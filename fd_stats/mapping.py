"""Column mappings for a user's own trial: guess one from a table, save and load it as JSON.

A :class:`ColumnMapping` says which columns hold the arm, the person id, the
subgroups, engagement and the outcomes (with label, unit, kind and whether
lower is better). :func:`guess_mapping` proposes one from column names and
types; :func:`build_trial` turns a table plus mapping into a
:class:`fd_stats.trial.Trial` the dashboard can analyse.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .analysis import Mapping
from .errors import DataError
from .trial import OutcomeInfo, Trial

FORMAT = "fd_stats-mapping"
VERSION = 1
KINDS = ("count", "continuous")

ARM_NAMES = ("arm", "group", "allocation", "allocated", "treatment", "condition", "assignment",
             "assigned", "randomisation", "randomization", "trial_arm", "study_arm", "cohort_arm")
TREATMENT_VALUES = ("treatment", "treated", "intervention", "experimental", "programme",
                    "program", "fd", "focused deterrence", "t", "1", "yes", "y", "true", "case")
CONTROL_VALUES = ("control", "controls", "bau", "business as usual", "usual care", "comparison",
                  "c", "0", "no", "n", "false", "standard")
ID_NAMES = ("person_id", "personid", "person", "id", "pid", "participant", "participant_id",
            "subject", "subject_id", "nominal", "nominal_id", "urn", "ref", "reference", "case_id",
            "study_id", "pnc", "pnc_id", "individual_id", "ref_no", "ref_number", "reference_no",
            "reference_number", "record_id", "client_id", "young_person_id", "yp_id", "code")
ENGAGEMENT_WORDS = ("engaged", "engagement", "engage", "complied", "compliance", "complier",
                    "took_up", "took_part", "uptake", "participated", "attended", "accepted",
                    "consented")
CONTINUOUS_WORDS = ("harm", "cost", "score", "days", "index", "amount", "value", "rate",
                    "weight", "duration", "time")
MAX_SUBGROUP_LEVELS = 12


@dataclass
class OutcomeSpec:
    """One outcome column: what to call it, its unit, count or continuous, and direction."""

    column: str
    label: str = ""
    unit: str = ""
    lower_is_better: bool = True
    kind: str = "count"

    def __post_init__(self):
        self.label = self.label or self.column


@dataclass
class ColumnMapping:
    """Which columns of a person-level table hold what."""

    arm: str
    treatment: str
    control: str
    outcomes: list[OutcomeSpec] = field(default_factory=list)
    person_id: str | None = None
    subgroups: list[str] = field(default_factory=list)
    engagement: str | None = None

    # ------------------------------------------------------------ conversions
    @property
    def outcome_columns(self) -> list[str]:
        return [o.column for o in self.outcomes]

    def to_mapping(self, subgroup: str | None = "__first__") -> Mapping:
        """The :class:`fd_stats.Mapping` that :func:`fd_stats.analyse` takes."""
        if subgroup == "__first__":
            subgroup = self.subgroups[0] if self.subgroups else None
        return Mapping(arm=self.arm, treatment=str(self.treatment), control=str(self.control),
                       outcomes=tuple(self.outcome_columns), subgroup=subgroup,
                       person_id=self.person_id, engagement=self.engagement,
                       labels=tuple((o.column, o.label) for o in self.outcomes))

    def to_dict(self) -> dict:
        return {
            "format": FORMAT, "version": VERSION,
            "arm": self.arm, "treatment": str(self.treatment), "control": str(self.control),
            "person_id": self.person_id, "subgroups": list(self.subgroups),
            "engagement": self.engagement,
            "outcomes": [{"column": o.column, "label": o.label, "unit": o.unit,
                          "lower_is_better": bool(o.lower_is_better), "kind": o.kind}
                         for o in self.outcomes],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def columns_used(self) -> list[str]:
        cols = [self.arm, self.person_id, self.engagement, *self.subgroups, *self.outcome_columns]
        return [c for c in cols if c]

    def missing_columns(self, table: pd.DataFrame) -> list[str]:
        have = set(map(str, table.columns))
        return [c for c in dict.fromkeys(self.columns_used()) if c not in have]

    def check_columns(self, table: pd.DataFrame, name: str = "The mapping") -> "ColumnMapping":
        """Raise :class:`DataError` if the mapping names columns the table does not have."""
        missing = self.missing_columns(table)
        if missing:
            cols = list(map(str, table.columns))
            shown = ", ".join(repr(c) for c in cols[:15]) + (" ..." if len(cols) > 15 else "")
            raise DataError(f"{name} names column(s) {', '.join(repr(c) for c in missing)} that "
                            f"the data do not have. The data's columns are: {shown}. Correct the "
                            "mapping (or the column names in the file) so they match.")
        return self


# ---------------------------------------------------------------- JSON load/save

def _opt_str(d: dict, key: str, name: str):
    v = d.get(key)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise DataError(f"{name}: '{key}' must be a column name (text) or null; got {v!r}.")
    return v


def mapping_from_dict(d, name: str = "the mapping file") -> ColumnMapping:
    """Check a mapping read from JSON; every problem is a :class:`DataError` naming the key."""
    if not isinstance(d, dict):
        raise DataError(f"{name} must hold one JSON object ({{...}}) with keys arm, treatment, "
                        "control and outcomes.")
    if d.get("format", FORMAT) != FORMAT:
        raise DataError(f"{name} is not a column mapping saved by this dashboard "
                        f"(format is {d.get('format')!r}, expected {FORMAT!r}).")
    if d.get("version", VERSION) != VERSION:
        raise DataError(f"{name} has mapping version {d.get('version')!r}; this dashboard "
                        f"reads version {VERSION}.")
    missing = [k for k in ("arm", "treatment", "control", "outcomes") if k not in d]
    if missing:
        raise DataError(f"{name} lacks the key(s) {', '.join(missing)}. A mapping needs arm, "
                        "treatment, control and outcomes.")
    arm = _opt_str(d, "arm", name)
    if arm is None:
        raise DataError(f"{name}: 'arm' must name the column holding each person's arm.")
    tc = {}
    for key in ("treatment", "control"):
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (str, int, float)) or str(v).strip() == "":
            raise DataError(f"{name}: '{key}' must be the value in the arm column that marks "
                            f"the {key} arm (for example \"{key}\" or 1); got {v!r}.")
        tc[key] = str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v)
    if tc["treatment"].strip().casefold() == tc["control"].strip().casefold():
        raise DataError(f"{name}: treatment and control are both {tc['treatment']!r}; they must "
                        "be two different values of the arm column.")
    subgroups = d.get("subgroups") or []
    if isinstance(subgroups, str):
        subgroups = [subgroups]
    if not isinstance(subgroups, list) or not all(isinstance(s, str) for s in subgroups):
        raise DataError(f"{name}: 'subgroups' must be a list of column names.")
    outs = d["outcomes"]
    if not isinstance(outs, list) or not outs:
        raise DataError(f"{name}: 'outcomes' must be a non-empty list of outcome columns.")
    specs = []
    for i, o in enumerate(outs, 1):
        if isinstance(o, str):
            o = {"column": o}
        if not isinstance(o, dict) or not isinstance(o.get("column"), str) or not o["column"]:
            raise DataError(f"{name}: outcome {i} must be an object with a 'column' (text).")
        lib = o.get("lower_is_better", True)
        if not isinstance(lib, bool):
            raise DataError(f"{name}: outcome {o['column']!r}: 'lower_is_better' must be true or "
                            f"false; got {lib!r}.")
        kind = o.get("kind", "count")
        if kind not in KINDS:
            raise DataError(f"{name}: outcome {o['column']!r}: 'kind' must be one of "
                            f"{', '.join(KINDS)}; got {kind!r}.")
        for key in ("label", "unit"):
            if o.get(key) is not None and not isinstance(o.get(key), str):
                raise DataError(f"{name}: outcome {o['column']!r}: '{key}' must be text.")
        specs.append(OutcomeSpec(o["column"], o.get("label") or o["column"], o.get("unit") or "",
                                 lib, kind))
    cols = [s.column for s in specs]
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise DataError(f"{name}: outcome column(s) listed more than once: {', '.join(dupes)}.")
    m = ColumnMapping(arm, tc["treatment"], tc["control"], specs,
                      _opt_str(d, "person_id", name), list(subgroups),
                      _opt_str(d, "engagement", name))
    clash = {arm, m.person_id} & set(cols)
    if clash - {None}:
        raise DataError(f"{name}: column {sorted(clash - {None})[0]!r} cannot be both an outcome "
                        "and the arm or person id.")
    return m


def mapping_from_json(text, name: str = "the mapping file") -> ColumnMapping:
    """Read a mapping saved with :meth:`ColumnMapping.to_json` (text or bytes)."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > 1_000_000:
            raise DataError(f"{name} is too large to be a column mapping (over 1 MB).")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(f"{name} is not a text (UTF-8) JSON file.") from None
    if not str(text).strip():
        raise DataError(f"{name} is empty.")
    try:
        d = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = f" (line {exc.lineno}: {exc.msg})" if isinstance(exc, json.JSONDecodeError) else ""
        raise DataError(f"{name} is not valid JSON{detail}. Download the mapping again from the "
                        "Data page, or fix the file.") from None
    return mapping_from_dict(d, name)


# ---------------------------------------------------------------- guessing

def _norm(name) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().casefold()).strip("_")


def _value_text(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def arm_values(table: pd.DataFrame, column: str, limit: int = 50) -> list[str]:
    """Distinct non-missing values of the arm column, as text, most frequent first."""
    if column not in table.columns:
        return []
    counts = table[column].dropna().map(_value_text).value_counts()
    return [v for v in counts.index[:limit] if v != ""]


def guess_arm_values(values: list[str]) -> tuple[str, str]:
    """(treatment, control) among the arm values; falls back to the first two values."""
    folded = {v.casefold(): v for v in values}
    treat = next((folded[t] for t in TREATMENT_VALUES if t in folded), None)
    ctrl = next((folded[c] for c in CONTROL_VALUES if c in folded and folded[c] != treat), None)
    if treat is None:
        treat = next((v for v in values if any(w in v.casefold() for w in
                                               ("treat", "interv", "program"))), None)
    if ctrl is None:
        ctrl = next((v for v in values if v != treat and any(
            w in v.casefold() for w in ("control", "bau", "usual", "compar"))), None)
    rest = [v for v in values if v not in (treat, ctrl)]
    if treat is None and rest:
        treat = rest.pop(0)
    if ctrl is None and rest:
        ctrl = rest.pop(0)
    return treat or "", ctrl or ""


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _two_valued(s: pd.Series) -> bool:
    return s.dropna().map(_value_text).str.casefold().nunique() == 2


def _guess_arm(table: pd.DataFrame) -> str | None:
    names = {c: _norm(c) for c in table.columns}
    for want in ARM_NAMES:
        for c, n in names.items():
            if n == want and _two_or_more(table[c]):
                return c
    for c, n in names.items():
        if any(w in n.split("_") for w in ARM_NAMES) and _two_or_more(table[c]) \
                and table[c].nunique(dropna=True) <= 6:
            return c
    for c in table.columns:  # a column whose values look like arms
        vals = [v.casefold() for v in arm_values(table, c, 10)]
        if 2 <= len(vals) <= 4 and any(v in TREATMENT_VALUES[:8] for v in vals) \
                and any(v in CONTROL_VALUES[:7] for v in vals):
            return c
    return None


def _two_or_more(s: pd.Series) -> bool:
    return s.nunique(dropna=True) >= 2


def _guess_id(table: pd.DataFrame, exclude) -> str | None:
    n = len(table)
    for want in ID_NAMES:
        for c in table.columns:
            if c not in exclude and _norm(c) == want:
                return c
    for c in table.columns:
        nc = _norm(c)
        if c not in exclude and (nc.endswith("_id") or nc.endswith("id")) \
                and table[c].nunique(dropna=True) >= 0.95 * n:
            return c
    for c in table.columns:  # a text column with a different value on every row
        s = table[c]
        if c not in exclude and not _is_numeric(s) and n >= 5 and s.notna().all() \
                and s.nunique() == n:
            return c
    return None


def _guess_engagement(table: pd.DataFrame, exclude) -> str | None:
    for c in table.columns:
        if c in exclude:
            continue
        n = _norm(c)
        if any(w in n for w in ENGAGEMENT_WORDS) and "reason" not in n \
                and table[c].dropna().map(_value_text).str.casefold().nunique() <= 3:
            return c
    return None


def guess_kind(name: str, s: pd.Series) -> str:
    n = _norm(name)
    if any(w in n for w in CONTINUOUS_WORDS):
        return "continuous"
    if pd.api.types.is_integer_dtype(s) and not s.hasnans:  # whole numbers, no rounding check
        if len(s) and s.min() >= 0:
            return "count"
    else:
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        if len(v) and (np.all(v == np.round(v))) and v.min() >= 0:
            return "count"
    return "count" if any(w in n for w in ("count", "number", "crimes", "offences", "n_")) \
        else "continuous"


GROUP_LABELS = {
    "harm": "Total crime harm",
    "knife": "Knife-related crimes",
    "violent": "Violent crimes",
    "violent_sexual": "Violent or sexual crimes",
    "non_police_initiated": "Non-police-initiated crimes",
}


def guess_label(column: str) -> str:
    """A readable label; ``<role>_<group>`` columns get the report's wording."""
    n = _norm(column)
    for role in ("suspect", "victim"):
        if n.startswith(role + "_") and n[len(role) + 1:] in GROUP_LABELS:
            return f"{GROUP_LABELS[n[len(role) + 1:]]} as {role}"
    text = re.sub(r"[_\.]+", " ", str(column)).strip()
    return text[:1].upper() + text[1:] if text else str(column)


def guess_unit(kind: str, column: str) -> str:
    """A cautious unit from the column name; the Data page asks the user to check it.

    Harm stays generic: a column called "harm" need not be the Cambridge index in days.
    """
    n = _norm(column)
    if "harm" in n:
        return "harm score per person"
    if "cost" in n:
        return "GBP"
    return "count per person" if kind == "count" else ""


def guess_mapping(table: pd.DataFrame, labels: dict | None = None,
                  max_outcomes: int = 40) -> ColumnMapping:
    """Propose a mapping from column names and types; the user checks and corrects it.

    Arm: a column named like arm/group/allocation/treatment/condition, or whose
    values look like treatment/control, intervention/BAU, 1/0. Person id: a
    column named like id/person_id. Engagement: a column named like engaged.
    Subgroups: other short categorical columns (2-12 values). Outcomes: the
    remaining numeric columns. ``labels`` may give outcome labels/units/kinds
    ({column: OutcomeSpec}) for columns the caller knows (e.g. after aggregation).
    At most ``max_outcomes`` outcomes are proposed (the first numeric columns).
    """
    if not isinstance(table, pd.DataFrame) or table.shape[1] == 0:
        raise DataError("The table has no columns to map.")
    labels = labels or {}
    arm = _guess_arm(table)
    treat, ctrl = guess_arm_values(arm_values(table, arm)) if arm else ("", "")
    pid = _guess_id(table, {arm})
    eng = _guess_engagement(table, {arm, pid})
    keys = {arm, pid, eng}
    outcomes, subgroups, constant = [], [], []
    for c in table.columns:
        if c in keys:
            continue
        s = table[c]
        nuniq = s.nunique(dropna=True)
        if _is_numeric(s):
            if nuniq <= 1 and not labels.get(c):
                constant.append(c)  # proposed only if nothing else is (validation says why)
                continue
            spec = labels.get(c)
            if spec is None:
                kind = guess_kind(c, s)
                spec = OutcomeSpec(c, guess_label(c), guess_unit(kind, c), True, kind)
            outcomes.append(spec)
        elif 2 <= nuniq <= min(MAX_SUBGROUP_LEVELS, len(table) / 2) \
                and not any(w in _norm(c) for w in ("reason", "note", "comment", "descr")) \
                and s.notna().mean() >= 0.5:
            subgroups.append(c)
    if not outcomes:
        outcomes = [OutcomeSpec(c, guess_label(c), guess_unit(guess_kind(c, table[c]), c), True,
                                guess_kind(c, table[c])) for c in constant]
    return ColumnMapping(arm or "", treat, ctrl, outcomes[:max_outcomes], pid, subgroups, eng)


# ---------------------------------------------------------------- trial

def plain_text(text) -> str:
    """Display text that Markdown cannot turn into a link, an image or a coloured directive.

    Labels and units come from users' column names and are shown with st.markdown on
    every page; brackets are what links ``[..](..)``, images ``![..](..)`` and
    ``:red[..]`` need, so they become parentheses. (HTML is escaped by Streamlit.)
    """
    return str(text).replace("[", "(").replace("]", ")")


def build_trial(table: pd.DataFrame, mapping: ColumnMapping, name: str,
                synthetic: bool = False, source: str = "upload") -> Trial:
    """A :class:`Trial` from a user's table and mapping (checks the columns exist)."""
    mapping.check_columns(table)
    if not mapping.outcomes:
        raise DataError("Choose at least one outcome column.")
    outcomes = [OutcomeInfo(o.column, plain_text(o.label), plain_text(o.unit),
                            bool(o.lower_is_better), "",
                            "harm" if o.kind == "continuous" else "count", i < 3)
                for i, o in enumerate(mapping.outcomes)]
    meta = {
        "trial": {"name": name, "source": source},
        "data": {"synthetic": bool(synthetic), "id_column": mapping.person_id},
        "arms": {"column": mapping.arm, "treatment": {"value": mapping.treatment},
                 "control": {"value": mapping.control}},
        "subgroups": [{"column": c, "prespecified": False} for c in mapping.subgroups],
        "engagement": {"column": mapping.engagement} if mapping.engagement else {},
        "column_mapping": mapping.to_dict(),
    }
    full = name + (" (synthetic data)" if synthetic and "synthetic" not in name.lower() else "")
    plain = mapping.to_mapping()
    plain = replace(plain, labels=tuple((c, plain_text(label)) for c, label in plain.labels))
    return Trial(full, table, plain, outcomes, bool(synthetic), meta,
                 {c: False for c in mapping.subgroups})
