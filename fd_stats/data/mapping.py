"""The trial specification: what every used column of a person-level table is.

A :class:`ColumnMapping` names the person id, the arm column and its two values, the
randomisation design (simple, stratified, cluster; planned allocation ratio), each
outcome (:class:`OutcomeSpec`: label, unit, kind, direction, crime measure, baseline
column), baseline covariates, subgroups (pre-specified or exploratory), the engagement
column and the follow-up period. It is saved and loaded as the mapping JSON (version 2;
version 1 files still load). :func:`guess_mapping` proposes one from a table with a
reason for every guess, from the rule tables below; :func:`build_trial` turns a table plus
specification into a :class:`fd_stats.data.trial.Trial`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..analysis import Mapping
from ..errors import DataError
from ..methods.registry import METHODS
from .trial import DIRECTIONS, KINDS, OutcomeSpec, Trial

__all__ = ["ColumnMapping", "Design", "OutcomeSpec", "KINDS", "DIRECTIONS", "DESIGNS",
           "guess_mapping", "mapping_from_json", "mapping_from_dict", "build_trial",
           "subgroup_eligibility", "Guess"]

FORMAT = "fd_stats-mapping"
VERSION = 2
READS_VERSIONS = (1, 2)
DESIGNS = ("simple", "stratified", "cluster")
MAX_SUBGROUP_LEVELS = 12


@dataclass
class Design:
    """How people were randomised. ``allocation_ratio`` is planned treatment / control
    (1.0 = 1:1); ``strata`` are the columns randomisation was stratified by; ``cluster`` the
    column of the unit randomised when whole groups were (villages, schools)."""

    type: str = "simple"
    strata: list[str] = field(default_factory=list)
    cluster: str | None = None
    allocation_ratio: float = 1.0

    def __post_init__(self):
        if self.type not in DESIGNS:
            raise DataError(f"design type must be one of {', '.join(DESIGNS)}; got {self.type!r}.")
        self.strata = [self.strata] if isinstance(self.strata, str) else list(self.strata or [])
        self.cluster = self.cluster or None
        try:
            ratio = float(self.allocation_ratio)
        except (TypeError, ValueError):
            ratio = float("nan")
        if not np.isfinite(ratio) or ratio <= 0:
            raise DataError("allocation_ratio must be a positive number (treatment / control, "
                            f"1 for 1:1); got {self.allocation_ratio!r}.")
        self.allocation_ratio = ratio

    def to_dict(self) -> dict:
        return {"type": self.type, "strata": list(self.strata), "cluster": self.cluster,
                "allocation_ratio": self.allocation_ratio}


@dataclass
class ColumnMapping:
    """The trial specification: which columns of a person-level table hold what.

    ``subgroups`` lists subgroup columns; those in ``prespecified`` were named before the
    data were seen (the rest are exploratory). ``covariates`` are columns measured before
    randomisation to adjust for; an outcome's own pre-randomisation measure is its
    ``OutcomeSpec.baseline``. ``crime_programme`` says the programme itself is about crime
    (case workers, offences prevented): it governs programme wording, not outcomes'.
    ``method`` is the primary method named before the data were seen (a key of
    :data:`fd_stats.methods.registry.METHODS`; "welch" by default): the analysis the pages open with
    and the exports report first.
    """

    arm: str
    treatment: str
    control: str
    outcomes: list[OutcomeSpec] = field(default_factory=list)
    person_id: str | None = None
    subgroups: list[str] = field(default_factory=list)
    engagement: str | None = None
    covariates: list[str] = field(default_factory=list)
    design: Design = field(default_factory=Design)
    prespecified: list[str] = field(default_factory=list)
    follow_up_months: float | None = None
    crime_programme: bool = False
    method: str = "welch"

    def __post_init__(self):
        self.method = check_primary_method(self.method, self.design.strata)

    # ------------------------------------------------------------ conversions
    @property
    def outcome_columns(self) -> list[str]:
        return [o.column for o in self.outcomes]

    @property
    def baselines(self) -> list[tuple[str, str]]:
        return [(o.column, o.baseline) for o in self.outcomes if o.baseline]

    def subgroup_specs(self) -> list[dict]:
        return [{"column": c, "prespecified": c in self.prespecified} for c in self.subgroups]

    def to_mapping(self, subgroup: str | None = "__first__") -> Mapping:
        """The :class:`fd_stats.Mapping` that :func:`fd_stats.analyse` takes, with the
        covariates, strata and (outcome, baseline) pairs of the specification."""
        if subgroup == "__first__":
            subgroup = self.subgroups[0] if self.subgroups else None
        return Mapping(arm=self.arm, treatment=str(self.treatment), control=str(self.control),
                       outcomes=tuple(self.outcome_columns), subgroup=subgroup,
                       person_id=self.person_id, engagement=self.engagement,
                       labels=tuple((o.column, o.label) for o in self.outcomes),
                       covariates=tuple(self.covariates), strata=tuple(self.design.strata),
                       baselines=tuple(self.baselines),
                       directions=tuple((o.column, o.direction) for o in self.outcomes),
                       kinds=tuple((o.column, o.kind) for o in self.outcomes))

    def to_dict(self) -> dict:
        return {
            "format": FORMAT, "version": VERSION,
            "arm": self.arm, "treatment": str(self.treatment), "control": str(self.control),
            "person_id": self.person_id,
            "design": self.design.to_dict(),
            "covariates": list(self.covariates),
            "subgroups": self.subgroup_specs(),
            "engagement": self.engagement,
            "follow_up_months": self.follow_up_months,
            "crime_programme": bool(self.crime_programme),
            "method": self.method,
            "outcomes": [{"column": o.column, "label": o.label, "unit": o.unit, "kind": o.kind,
                          "direction": o.direction, "crime": bool(o.crime),
                          "baseline": o.baseline} for o in self.outcomes],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def columns_used(self) -> list[str]:
        cols = [self.arm, self.person_id, self.engagement, *self.subgroups, *self.outcome_columns,
                *self.covariates, *self.design.strata, self.design.cluster,
                *(b for _, b in self.baselines)]
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


def check_primary_method(method, strata=()) -> str:
    """The primary method's registry key, or a :class:`DataError` saying what is allowed.

    The blocked difference needs randomisation strata (``design.strata``)."""
    if method is None or method == "":
        return "welch"
    if not isinstance(method, str) or method.strip().casefold() not in METHODS:
        raise DataError(f"'method' (the primary method) must be one of {', '.join(METHODS)}; "
                        f"got {method!r}.")
    method = method.strip().casefold()
    if method == "blocked" and not strata:
        raise DataError("'method' is 'blocked' (the difference within randomisation strata) "
                        "but the design names no strata; add design.strata or choose another "
                        "method.")
    return method


# ---------------------------------------------------------------- JSON load/save

def _opt_str(d: dict, key: str, name: str):
    v = d.get(key)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise DataError(f"{name}: '{key}' must be a column name (text) or null; got {v!r}.")
    return v


def _str_list(d: dict, key: str, name: str) -> list[str]:
    v = d.get(key) or []
    v = [v] if isinstance(v, str) else v
    if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
        raise DataError(f"{name}: '{key}' must be a list of column names.")
    return v


def _subgroups_from(d: dict, name: str) -> tuple[list[str], list[str]]:
    """Version 1 lists column names; version 2 lists {column, prespecified} objects."""
    raw = d.get("subgroups") or []
    raw = [raw] if isinstance(raw, str) else raw
    if not isinstance(raw, list):
        raise DataError(f"{name}: 'subgroups' must be a list.")
    cols, pre = [], []
    for s in raw:
        if isinstance(s, str):
            cols.append(s)
        elif isinstance(s, dict) and isinstance(s.get("column"), str) and s["column"]:
            cols.append(s["column"])
            if not isinstance(s.get("prespecified", False), bool):
                raise DataError(f"{name}: subgroup {s['column']!r}: 'prespecified' must be true "
                                "or false.")
            if s.get("prespecified"):
                pre.append(s["column"])
        else:
            raise DataError(f"{name}: each subgroup must be a column name or an object with a "
                            f"'column'; got {s!r}.")
    return cols, pre


def _outcome_from(o, i: int, name: str, version: int) -> OutcomeSpec:
    if isinstance(o, str):
        o = {"column": o}
    if not isinstance(o, dict) or not isinstance(o.get("column"), str) or not o["column"]:
        raise DataError(f"{name}: outcome {i} must be an object with a 'column' (text).")
    where = f"{name}: outcome {o['column']!r}"
    if "direction" in o:
        direction = o["direction"]
        if direction is not None and direction not in DIRECTIONS:
            raise DataError(f"{where}: 'direction' must be one of {', '.join(DIRECTIONS)} or "
                            f"null (not yet chosen); got {direction!r}.")
    else:  # version 1 said lower_is_better, true by default
        direction = o.get("lower_is_better", True)
        if not isinstance(direction, bool):
            raise DataError(f"{where}: 'lower_is_better' must be true or false; got "
                            f"{direction!r}.")
    kind = o.get("kind", "count")
    kind = "score" if kind == "harm" else kind
    if kind not in KINDS:
        raise DataError(f"{where}: 'kind' must be one of {', '.join(KINDS)}; got {kind!r}.")
    for key in ("label", "unit", "baseline"):
        if o.get(key) is not None and not isinstance(o.get(key), str):
            raise DataError(f"{where}: '{key}' must be text.")
    crime = o.get("crime", False)  # version 1 did not say: never assume a crime measure
    if not isinstance(crime, bool):
        raise DataError(f"{where}: 'crime' must be true or false; got {crime!r}.")
    return OutcomeSpec(o["column"], o.get("label") or o["column"], o.get("unit") or "",
                       direction, kind, crime, o.get("baseline") or None)


def mapping_from_dict(d, name: str = "the mapping file") -> ColumnMapping:
    """Check a mapping read from JSON; every problem is a :class:`DataError` naming the key."""
    if not isinstance(d, dict):
        raise DataError(f"{name} must hold one JSON object ({{...}}) with keys arm, treatment, "
                        "control and outcomes.")
    if d.get("format", FORMAT) != FORMAT:
        raise DataError(f"{name} is not a column mapping saved by this dashboard "
                        f"(format is {d.get('format')!r}, expected {FORMAT!r}).")
    version = d.get("version", 1)
    if version not in READS_VERSIONS or isinstance(version, bool):
        raise DataError(f"{name} has mapping version {version!r}; this dashboard reads "
                        f"versions {', '.join(map(str, READS_VERSIONS))}.")
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
    subgroups, pre = _subgroups_from(d, name)
    outs = d["outcomes"]
    if not isinstance(outs, list) or not outs:
        raise DataError(f"{name}: 'outcomes' must be a non-empty list of outcome columns.")
    specs = [_outcome_from(o, i, name, version) for i, o in enumerate(outs, 1)]
    cols = [s.column for s in specs]
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise DataError(f"{name}: outcome column(s) listed more than once: {', '.join(dupes)}.")
    design = d.get("design") or {}
    if not isinstance(design, dict):
        raise DataError(f"{name}: 'design' must be an object with type, strata, cluster and "
                        "allocation_ratio.")
    try:
        design = Design(design.get("type", "simple"), _str_list(design, "strata", name),
                        _opt_str(design, "cluster", name), design.get("allocation_ratio", 1.0))
    except DataError as exc:
        raise DataError(f"{name}: {exc}") from None
    follow = d.get("follow_up_months")
    if follow is not None and (isinstance(follow, bool) or not isinstance(follow, (int, float))
                               or not follow > 0):
        raise DataError(f"{name}: 'follow_up_months' must be a positive number or null; got "
                        f"{follow!r}.")
    crime_programme = d.get("crime_programme", False)
    if not isinstance(crime_programme, bool):
        raise DataError(f"{name}: 'crime_programme' must be true or false.")
    try:
        method = check_primary_method(d.get("method", "welch"), design.strata)
    except DataError as exc:
        raise DataError(f"{name}: {exc}") from None
    m = ColumnMapping(arm, tc["treatment"], tc["control"], specs,
                      _opt_str(d, "person_id", name), subgroups,
                      _opt_str(d, "engagement", name), _str_list(d, "covariates", name),
                      design, pre, follow, crime_programme, method)
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
# Every guess comes from the rule tables below: (conditions that must all hold, reason).
# A condition is a fact about one column (FACTS); "not_" in front negates it. The first
# rule that matches decides, and its reason is shown to the user beside the guess.

ARM_WORDS = ("arm", "group", "allocation", "allocated", "treatment", "treat", "treated",
             "condition", "assignment", "assigned", "intervention", "randomisation",
             "randomization", "randomised", "randomized", "trial_arm", "study_arm")
TREATMENT_VALUES = ("treatment", "treated", "intervention", "experimental", "programme",
                    "program", "fd", "focused deterrence", "t", "1", "yes", "y", "true", "case")
CONTROL_VALUES = ("control", "controls", "bau", "business as usual", "usual care", "comparison",
                  "c", "0", "no", "n", "false", "standard")
ALLOCATION_VALUES = {"treatment", "treated", "intervention", "control", "bau", "comparison",
                     "business as usual", "usual care", "experimental", "t", "c"}
FLAG_VALUES = ({"0", "1"}, {"yes", "no"}, {"y", "n"}, {"true", "false"}, {"t", "c"})
ID_NAMES = ("person_id", "personid", "person", "id", "pid", "participant", "participant_id",
            "subject", "subject_id", "nominal", "nominal_id", "urn", "ref", "reference", "case_id",
            "study_id", "pnc", "pnc_id", "individual_id", "ref_no", "ref_number", "reference_no",
            "reference_number", "record_id", "client_id", "young_person_id", "yp_id", "code")
ENGAGEMENT_WORDS = ("engaged", "engagement", "engage", "complied", "compliance", "complier",
                    "took_up", "took_part", "uptake", "participated", "attended", "accepted",
                    "consented")
#: The time each person was observed (days of follow-up): what a rate is per, not an outcome
EXPOSURE_WORDS = ("exposure",)
PRE_WORDS = ("baseline", "prior", "pre", "before", "previous", "prev", "past", "bl",
             "pretest", "pre_test", "screening")
POST_WORDS = ("post", "after", "followup", "follow_up", "fu", "outcome", "endline", "posttest")
DEMOGRAPHIC_WORDS = ("age", "sex", "gender", "male", "female", "educ", "education", "school",
                     "ethnicity", "ethnic", "race", "black", "white", "hisp", "hispanic",
                     "married", "nodegree", "degree", "yob", "birth", "born", "religion")
CRIME_WORDS = ("crime", "crimes", "offence", "offences", "offense", "offenses", "offending",
               "arrest", "arrests", "arrested", "reoffend", "reoffended", "reoffending",
               "conviction", "convictions", "convicted", "victim", "victimisation",
               "victimization", "knife", "violent", "violence", "harm", "charge", "charged",
               "suspect", "police")
GROUPING_WORDS = ("village", "vill", "villnum", "school", "cluster", "site", "area", "ward",
                  "clinic", "class", "district", "region", "centre", "center", "block",
                  "stratum", "strata", "practice", "team", "court", "force", "borough")
STRATUM_WORDS = ("stratum", "strata", "block", "stratification")
MONEY_WORDS = ("earnings", "earn", "income", "wage", "wages", "salary", "pay", "cost", "costs",
               "spend", "spending", "gbp", "usd", "eur", "dollars", "pounds", "money")
SCORE_WORDS = ("harm", "score", "index", "scale", "rating")
COUNT_WORDS = ("count", "number", "n", "num", "crimes", "offences", "arrests", "visits",
               "days", "times", "incidents", "episodes")
NOT_SUBGROUP_WORDS = ("reason", "note", "notes", "comment", "comments", "descr",
                      "description", "text")
CURRENCIES = {"gbp": "GBP", "pounds": "GBP", "usd": "USD", "dollars": "USD", "eur": "EUR"}


def _norm(name) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().casefold()).strip("_")


def _tokens(name) -> list[str]:
    """Words of a column name: 'earnings_2019' -> ['earnings', '2019'], 'reTreat' -> ['re', 'treat']."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(name))
    spaced = re.sub(r"([A-Za-z])(\d)", r"\1_\2", spaced)
    return [t for t in _norm(spaced).split("_") if t]


def _value_text(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def _texts(values: pd.Series) -> pd.Series:
    """``values.map(_value_text)``; Python strings by pandas' string methods (the same
    str.strip, called from C: a million ids take a fraction of the time)."""
    obj = values.astype(object)
    if pd.api.types.infer_dtype(obj, skipna=False) == "string":
        return obj.str.strip()
    return values.map(_value_text)


#: what Python's str.strip() removes from an ASCII text
_ASCII_SPACE = " \t\n\v\f\r\x1c\x1d\x1e\x1f"


def _ascii_texts(values: pd.Series):
    """``_texts(values).str.casefold()`` without the empty texts, as an Arrow array, for a
    column of ASCII str (None otherwise): for ASCII, casefold is lower-casing A-Z and strip
    removes :data:`_ASCII_SPACE`, done here in Arrow (a million ids: no Python call each)."""
    if not len(values) or values.dtype != object or \
            pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    try:
        a = pa.array(values.to_numpy(), type=pa.large_string(), from_pandas=False)
    except (pa.ArrowException, UnicodeError):
        return None
    if not pc.all(pc.string_is_ascii(a)).as_py():
        return None
    t = pc.ascii_lower(pc.ascii_trim(a, _ASCII_SPACE))
    return t.filter(pc.not_equal(t, ""))


def arm_values(table: pd.DataFrame, column: str, limit: int = 50) -> list[str]:
    """Distinct non-missing values of the arm column, as text, most frequent first."""
    if column not in table.columns:
        return []
    # each distinct value's text once (not each person's), counted as value_counts would:
    # texts in order of first appearance, then sorted by how many people have each
    raw = table[column].value_counts(sort=False, dropna=True)
    counts = (pd.Series(raw.to_numpy(), index=raw.index.map(_value_text))
              .groupby(level=0, sort=False).sum().sort_values(ascending=False))
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


def _word(tokens, words) -> str | None:
    """The first of ``words`` among a column name's words (or the whole name)."""
    joined = f"_{'_'.join(tokens)}_"
    return next((w for w in words if w in tokens or ("_" in w and f"_{w}_" in joined)), None)


class Facts:
    """What the rules need to know about one column, computed once."""

    def __init__(self, table: pd.DataFrame, column, later: dict):
        s = table[column]
        self.column, self.s, self.n = column, s, len(s)
        self.tokens = _tokens(column)
        self.name = "_".join(self.tokens)
        nonmiss = s.dropna() if s.hasnans else s  # no copy of a complete column
        self._nonmiss = nonmiss
        self.numeric = _is_numeric(s) or pd.api.types.is_bool_dtype(s)
        # the text of each distinct value, not of every person (the same set of texts; a
        # Python call per person took seconds per column on a million people). Distinct
        # numbers have distinct, non-empty texts, so numbers need texts only when few; more
        # than 12 among the first values settles that without hashing a million (money).
        # Their exact number (nunique) is then counted only if a rule asks for it. Many
        # texts (ids, names) of ASCII are made and counted in Arrow.
        many_first = len(nonmiss.iloc[:4096].drop_duplicates()) > 12
        self.many = _is_numeric(s) and many_first
        if self.many:
            self.values = []
        elif many_first and not self.numeric and (texts := _ascii_texts(nonmiss)) is not None:
            u = pc.unique(texts)
            self.nunique = len(u)
            self.values = sorted(u.to_pylist()) if self.nunique <= 12 else []
        else:
            distinct = nonmiss.drop_duplicates()
            if _is_numeric(s) and len(distinct) > 12:
                self.many, self.nunique, self.values = True, len(distinct), []
            else:
                texts = (_texts(distinct).str.casefold() if len(distinct)
                         else pd.Series([], dtype=str))
                texts = texts[texts != ""]
                self.nunique = int(texts.nunique())
                self.values = sorted(texts.unique()) if self.nunique <= 12 else []
        v = pd.to_numeric(nonmiss, errors="coerce").to_numpy(dtype=float) if self.numeric \
            else np.array([])
        finite = np.isfinite(v)
        if not finite.all():
            v = v[finite]
        # a fraction among the first values settles it without rounding a million (money)
        self.whole = (bool(len(v)) and bool(np.all(v[:4096] == np.round(v[:4096])))
                      and bool(np.all(v == np.round(v))))
        self.non_negative = bool(len(v)) and bool(v.min() >= 0)
        self.later = later.get(column)  # the later measure this column is an earlier year of
        self.matched = {}  # word that made a name rule match, for the reason text

    @cached_property
    def present(self) -> np.ndarray:
        """Which rows have a value (bool per row)."""
        return self.s.notna().to_numpy()

    @cached_property
    def nunique(self) -> int:
        """Distinct non-missing values (set in __init__ unless more than 12 numbers)."""
        return len(self._nonmiss.drop_duplicates())

    def few(self, k: int) -> bool:
        """At most ``k`` (<= 12) distinct values, without counting a column with many."""
        return not self.many and self.nunique <= k

    def has(self, fact: str) -> bool:
        if fact.startswith("not_"):
            return not self.has(fact[4:])
        return bool(FACTS[fact](self))


def _named(words, key):
    def test(f: Facts):
        w = _word(f.tokens, words)
        if w:
            f.matched[key] = w
        return w is not None
    return test


FACTS = {
    "two_valued": lambda f: f.few(2) and f.nunique == 2,
    "unique_per_row": lambda f: f.n >= 5 and f.present.all() and f.nunique == f.n,
    "mostly_unique": lambda f: f.n >= 5 and f.nunique >= 0.95 * f.n,
    "numeric": lambda f: f.numeric,
    "text": lambda f: not f.numeric,
    "whole": lambda f: f.whole,
    "non_negative": lambda f: f.non_negative,
    "zero_one": lambda f: f.numeric and set(f.values) <= {"0", "1", "true", "false"}
    and f.few(2) and f.nunique == 2,
    "constant": lambda f: f.few(1),
    "few_levels": lambda f: f.few(MAX_SUBGROUP_LEVELS)
    and 2 <= f.nunique <= min(MAX_SUBGROUP_LEVELS, max(f.n / 2, 2)),
    "mostly_present": lambda f: f.present.mean() >= 0.5,
    "arm_exact": lambda f: f.name in ARM_WORDS or _norm(f.column) in ARM_WORDS,
    "arm_name": _named(ARM_WORDS, "arm"),
    "arm_values": lambda f: set(f.values) & ALLOCATION_VALUES and len(set(f.values)) == 2,
    "flag_values": lambda f: any(set(f.values) == s for s in FLAG_VALUES),
    "id_name": lambda f: f.name in ID_NAMES or _norm(f.column) in ID_NAMES,
    "id_suffix": lambda f: f.name.endswith("id") or f.name.endswith("_no"),
    "engagement_name": _named(ENGAGEMENT_WORDS, "engagement"),
    "few_values": lambda f: f.few(3),
    "pre_name": _named(PRE_WORDS, "pre"),
    "exposure_name": _named(EXPOSURE_WORDS, "exposure"),
    "earlier_year": lambda f: f.later is not None,
    "demographic": _named(DEMOGRAPHIC_WORDS, "demographic"),
    "note_name": _named(NOT_SUBGROUP_WORDS, "note"),
    "crime_name": _named(CRIME_WORDS, "crime"),
    "grouping_name": _named(GROUPING_WORDS, "grouping"),
    "stratum_name": _named(STRATUM_WORDS, "stratum"),
    "money_name": _named(MONEY_WORDS, "money"),
    "score_name": _named(SCORE_WORDS, "score"),
    "count_name": _named(COUNT_WORDS, "count"),
}

#: The arm: the best-scoring column; ties go to the earlier column. Never a column with a
#: different value on every row (it must have exactly two values).
ARM_RULES = (
    (4, ("two_valued", "arm_exact"), "has two values and is named {column!r}"),
    (3, ("two_valued", "arm_name", "not_demographic", "not_engagement_name"),
     "has two values and its name reads as allocation ('{arm}')"),
    (2, ("two_valued", "arm_values", "not_engagement_name"),
     "has two values that read as treatment and control ({values})"),
    (1, ("two_valued", "flag_values", "not_demographic", "not_pre_name", "not_crime_name",
         "not_engagement_name", "not_money_name", "not_score_name"),
     "has two values ({values}) as an allocation flag would, though its name does not say "
     "so: check it"),
)
ID_RULES = (
    (3, ("unique_per_row", "id_name"), "a different value on every row, named like an id"),
    (2, ("mostly_unique", "id_name"), "named like an id (some values repeat: see the checks)"),
    (2, ("unique_per_row", "id_suffix"), "a different value on every row, named like an id"),
    (1, ("unique_per_row", "text"), "a different text value on every row"),
)
ENGAGEMENT_RULES = (
    (1, ("engagement_name", "few_values", "not_note_name"),
     "named like engagement ('{engagement}') with yes/no values"),
)
#: Every other column: what it is proposed as. First match wins.
ROLE_RULES = (
    ("not used", ("constant",), "has a single value"),
    ("not used", ("numeric", "exposure_name"),
     "the time each person was observed ('{exposure}'): what a rate is counted per, not an "
     "outcome"),
    ("stratum", ("stratum_name", "few_levels"),
     "named like a randomisation stratum ('{stratum}'): the design is taken as stratified by it"),
    ("subgroup", ("grouping_name", "few_levels", "mostly_present"),
     "a grouping of people ('{grouping}', {nunique} values): a subgroup, not an outcome"),
    ("not used", ("grouping_name",),
     "a grouping of people ('{grouping}', {nunique} values), such as the unit randomised in a "
     "cluster trial: not an outcome (set it as the cluster column if whole groups were "
     "randomised)"),
    ("covariate", ("numeric", "earlier_year"),
     "an earlier measurement of {later} (the same measure before it): a baseline covariate, "
     "not an outcome"),
    ("covariate", ("numeric", "pre_name"),
     "named as measured before randomisation ('{pre}'): a baseline covariate, not an outcome"),
    ("covariate+subgroup", ("numeric", "demographic", "few_levels"),
     "a demographic ('{demographic}'): describes who people are, so a covariate or subgroup, "
     "not an outcome"),
    ("covariate", ("numeric", "demographic"),
     "a demographic ('{demographic}'): describes who people are, so a covariate, not an "
     "outcome (band it in the file to use it as a subgroup)"),
    ("subgroup", ("text", "few_levels", "mostly_present", "not_note_name"),
     "a short categorical column ({nunique} values)"),
    ("outcome", ("numeric",), "a number compared between the arms"),
    ("not used", (), "text with too many different values to be a subgroup"),
)
#: The kind of a proposed outcome. First match wins.
KIND_RULES = (
    ("binary", ("zero_one",), "only the values 0 and 1: yes/no per person"),
    ("score", ("score_name",), "named like a score ('{score}')"),
    ("continuous", ("money_name",),
     "named like an amount of money ('{money}'): enter its currency as the unit"),
    ("count", ("whole", "non_negative", "count_name"),
     "whole numbers, 0 or more, named like a count ('{count}')"),
    ("count", ("whole", "non_negative", "crime_name"),
     "whole numbers, 0 or more, named like a crime count ('{crime}')"),
    ("count", ("whole", "non_negative", "not_two_valued"), "whole numbers, 0 or more"),
    ("continuous", (), "an amount: values with decimals, below 0, or two values other than 0/1"),
)


@dataclass(frozen=True)
class Guess:
    """One guess and why: shown beside the mapping on the Data page."""

    column: str
    role: str
    reason: str


def _reason(template: str, f: Facts) -> str:
    later = f"'{f.later}'" if f.later else ""
    nunique = f.nunique if "{nunique}" in template else ""  # counted only when shown
    return template.format(column=f.column, values="/".join(f.values[:4]), nunique=nunique,
                           later=later, **{k: f.matched.get(k, "")
                                           for k in ("arm", "engagement", "pre", "demographic",
                                                     "crime", "money", "score", "count",
                                                     "grouping", "stratum", "exposure")})


def _best(rules, facts: list[Facts], exclude=()) -> tuple[Facts | None, str]:
    best, why, top = None, "", 0
    for f in facts:
        if f.column in exclude:
            continue
        for score, conds, reason in rules:
            if score > top and all(f.has(c) for c in conds):
                best, why, top = f, _reason(reason, f), score
                break
    return best, why


def _first(rules, f: Facts) -> tuple[str, str]:
    for result, conds, reason in rules:
        if all(f.has(c) for c in conds):
            return result, _reason(reason, f)
    return "", ""


def _earlier_years(columns) -> dict:
    """{earlier column: later column} for measures repeated by year: re74, re75 -> re78;
    earnings_2019 -> earnings_2021. Only names that differ in the year alone."""
    groups: dict = {}
    for c in columns:
        m = re.fullmatch(r"(.*?[a-z_])_?((?:19|20)\d{2}|\d{2})", _norm(c))
        if m:
            groups.setdefault(m.group(1).rstrip("_"), []).append((int(m.group(2)), c))
    out = {}
    for items in groups.values():
        if len(items) >= 2:
            items.sort()
            for _, c in items[:-1]:
                out[c] = items[-1][1]
    return out


def _baseline_of(outcome: str, candidates) -> str | None:
    """The column measuring ``outcome`` before randomisation: same name apart from a
    pre/baseline word (or a post word on the outcome), or an earlier year of it."""
    def core(c):
        return [t for t in _tokens(c) if t not in PRE_WORDS and t not in POST_WORDS]

    mine = core(outcome)
    for c in candidates:
        if c != outcome and mine and core(c) == mine and _word(_tokens(c), PRE_WORDS):
            return c
    return None


def guess_kind(name: str, s: pd.Series) -> str:
    """count, binary, continuous or score, from the values and the name (KIND_RULES)."""
    return guess_kind_reason(name, s)[0]


def guess_kind_reason(name: str, s: pd.Series) -> tuple[str, str]:
    f = Facts(pd.DataFrame({name: s}), name, {})
    return _first(KIND_RULES, f)


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
    Money gets a currency only when the name says which.
    """
    tokens = _tokens(column)
    if "harm" in tokens:
        return "harm score per person"
    currency = next((CURRENCIES[t] for t in tokens if t in CURRENCIES), "")
    if currency:
        return currency
    if kind == "binary":
        return "people"
    return "count per person" if kind == "count" else ""


def _outcome_spec(table, c, labels, f: Facts | None = None) -> tuple[OutcomeSpec, str]:
    f = f or Facts(table, c, {})  # the kind rules read no fact that depends on ``later``
    kind, why = _first(KIND_RULES, f)
    crime = f.has("crime_name")
    if crime:
        why += f"; named like a crime measure ('{f.matched['crime']}')"
    return OutcomeSpec(c, guess_label(c), guess_unit(kind, c), None, kind, crime), why


def subgroup_eligibility(table: pd.DataFrame, arm: str, treatment, control,
                         exclude=(), facts: dict | None = None) -> dict:
    """{column: reason it cannot be a subgroup, or '' if it can}.

    A subgroup must be measured before randomisation, so it must be recorded in both arms:
    a column missing for every control (engagement, reason for not engaging) was made
    after randomisation and splitting by it is not a subgroup analysis. It also needs 2 to
    12 values. ``exclude`` (arm, id, outcomes) are not offered. ``facts`` ({column:
    Facts} of this table) saves looking at each column again.
    """
    out = {}
    if arm not in table.columns:
        return out
    from ..analysis import arm_flags
    try:
        is_t, is_c = arm_flags(table[arm], treatment, control)[:2]
    except DataError:
        return out
    any_t, any_c = bool(is_t.any()), bool(is_c.any())
    for c in table.columns:
        if c == arm or c in exclude:
            continue
        f = (facts or {}).get(c) or Facts(table, c, {})
        present = f.present
        if present.all():  # recorded in an arm if the arm has anyone
            in_t, in_c = any_t, any_c
        else:
            in_t, in_c = bool((present & is_t).any()), bool((present & is_c).any())
        if not (in_t and in_c):
            which = "control" if in_t else "treatment"
            out[c] = (f"recorded only for one arm (empty for every {which} row), so measured "
                      "after randomisation: splitting by it is not a subgroup analysis")
        elif f.has("engagement_name"):
            out[c] = "engagement happens after randomisation: not a subgroup"
        elif f.has("note_name") and not f.numeric:
            out[c] = "free text or notes"
        elif f.nunique < 2:
            out[c] = "has a single value"
        elif f.nunique > MAX_SUBGROUP_LEVELS:
            out[c] = (f"has {f.nunique} different values; make bands (e.g. age groups) in the "
                      "file to use it as a subgroup")
        else:
            out[c] = ""
    return out


def guess_spec(table: pd.DataFrame, labels: dict | None = None,
               max_outcomes: int = 40) -> tuple[ColumnMapping, list[Guess]]:
    """Propose a trial specification, with the reason for every guess (rule tables above).

    Arm: a column with exactly two values whose name or values read as allocation. Person
    id: a column with a different value on every row. Engagement: named like engaged.
    Pre-period columns (baseline, prior, pre, before, an earlier year of the same measure)
    and demographics become covariates (and short ones subgroups), never outcomes; the
    remaining numeric columns are outcomes, two-valued 0/1 ones binary. Directions are left
    unchosen (None): only the user knows which way is better. ``labels`` gives
    :class:`OutcomeSpec` for columns the caller knows (e.g. after aggregation).
    """
    if not isinstance(table, pd.DataFrame) or table.shape[1] == 0:
        raise DataError("The table has no columns to map.")
    labels = labels or {}
    later = _earlier_years(table.columns)
    facts = [Facts(table, c, later) for c in table.columns]
    guesses: list[Guess] = []
    arm_f, why = _best(ARM_RULES, facts)
    arm = arm_f.column if arm_f else ""
    if arm_f:
        guesses.append(Guess(arm, "arm", why))
    id_f, why = _best(ID_RULES, facts, {arm})
    pid = id_f.column if id_f else None
    if id_f:
        guesses.append(Guess(pid, "person id", why))
    eng_f, why = _best(ENGAGEMENT_RULES, facts, {arm, pid})
    eng = eng_f.column if eng_f else None
    if eng_f:
        guesses.append(Guess(eng, "engagement", why))
    treat, ctrl = guess_arm_values(arm_values(table, arm)) if arm else ("", "")
    eligible = subgroup_eligibility(table, arm, treat, ctrl, facts={f.column: f for f in facts}) \
        if arm else {}
    keys = {arm, pid, eng}
    outcomes, subgroups, covariates, constant, strata = [], [], [], [], []
    for f in facts:
        c = f.column
        if c in keys:
            continue
        if c in labels:
            outcomes.append(labels[c])
            guesses.append(Guess(c, "outcome", "described by the data set's own definitions"))
            continue
        if eligible.get(c, "").startswith("recorded only for one arm"):
            guesses.append(Guess(c, "not used", eligible[c]))
            continue
        role, why = _first(ROLE_RULES, f)
        if role == "not used" and f.numeric and f.nunique == 1:
            constant.append(c)
        if "covariate" in role:
            covariates.append(c)
        if role == "stratum":
            strata.append(c)
        if "subgroup" in role or role == "stratum":
            if eligible.get(c, "") == "":
                subgroups.append(c)
            else:
                why += f"; not offered as a subgroup: {eligible[c]}"
        if role == "outcome":
            spec, kind_why = _outcome_spec(table, c, labels, f)
            outcomes.append(spec)
            why = f"{why}; kind {spec.kind}: {kind_why}"
        guesses.append(Guess(c, role, why))
    if not outcomes:  # only constant numbers: propose them so validation says why
        outcomes = [_outcome_spec(table, c, labels)[0] for c in constant]
    outcomes = outcomes[:max_outcomes]
    for o in outcomes:
        if o.baseline is None:
            earlier = [e for e, l in later.items() if l == o.column]  # in year order
            o.baseline = earlier[-1] if earlier else _baseline_of(o.column, covariates)
    if not arm:
        guesses.insert(0, Guess("", "arm", "no column has exactly two values named or "
                                           "valued like an allocation: choose it"))
    design = Design("stratified", strata) if strata else Design()
    spec = ColumnMapping(arm, treat, ctrl, outcomes, pid, subgroups, eng, covariates, design)
    return spec, guesses


def guess_mapping(table: pd.DataFrame, labels: dict | None = None,
                  max_outcomes: int = 40) -> ColumnMapping:
    """The proposed specification of :func:`guess_spec`, without the reasons."""
    return guess_spec(table, labels, max_outcomes)[0]


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
    """A :class:`Trial` from a user's table and specification (checks the columns exist)."""
    mapping.check_columns(table)
    if not mapping.outcomes:
        raise DataError("Choose at least one outcome column.")
    outcomes = [replace(o, label=plain_text(o.label), unit=plain_text(o.unit), headline=i < 3)
                for i, o in enumerate(mapping.outcomes)]
    spec = replace(mapping, outcomes=outcomes)
    meta = {
        "trial": {"name": name, "source": source},
        "data": {"synthetic": bool(synthetic), "id_column": mapping.person_id},
        "arms": {"column": mapping.arm, "treatment": {"value": mapping.treatment},
                 "control": {"value": mapping.control}},
        "subgroups": mapping.subgroup_specs(),
        "engagement": {"column": mapping.engagement} if mapping.engagement else {},
        "column_mapping": mapping.to_dict(),
    }
    full = name + (" (synthetic data)" if synthetic and "synthetic" not in name.lower() else "")
    return Trial(full, table, spec.to_mapping(), outcomes, bool(synthetic), meta,
                 {c: c in mapping.prespecified for c in mapping.subgroups}, spec)
