"""Offence-level import: a crimes extract + a randomisation list -> one row per person.

Inputs (each a table, read with :func:`fd_stats.data.io.read_table`):

* crimes extract: one row per crime and person involved: person id, date,
  offence code or category, role (suspect or victim), optionally a
  police-initiated flag;
* randomisation list: person id, arm, randomisation date, and any subgroup or
  engagement columns (carried over unchanged);
* harm lookup: offence code or category -> harm (days), supplied by the user
  (the Cambridge Crime Harm Index is licensed and not shipped);
* offence groups (editable): offence code or category -> yes/no columns, one
  per group (knife, violent, violent_sexual, non_police_initiated, ...). The
  bundled definitions are in ``data/offence_groups_example.csv``.

Output: the randomisation list plus ``<role>_harm`` (sum of harm) and
``<role>_<group>`` (count of crimes) for each role and group, counted over the
follow-up window ``[randomisation date, randomisation date + N months)``.
People with no crimes get zeros. Everything is vectorised (factorize +
``numpy.bincount``); there is no Python loop over crime rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import _norm_label
from ..errors import DataError
from .io import rows_text
from .mapping import GROUP_LABELS, OutcomeSpec

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_GROUPS = DATA_DIR / "offence_groups_example.csv"
ROLES = ("suspect", "victim")
ROLE_WORDS = {
    "suspect": ("suspect", "offender", "accused", "perpetrator", "suspect/offender", "s", "o",
                "charged", "arrested"),
    "victim": ("victim", "injured party", "injured_party", "aggrieved", "v"),
}
from ..programme.engagement import FALSE_WORDS, TRUE_WORDS  # noqa: E402  (one list of yes/no words)

CRIME_NAMES = {
    "person_id": ("person_id", "personid", "person", "nominal_id", "nominal", "pid", "id",
                  "participant_id", "subject_id", "urn", "pnc_id", "individual_id"),
    "date": ("date", "offence_date", "crime_date", "committed_date", "committed_on",
             "incident_date", "recorded_date", "date_committed", "date_recorded", "occurred"),
    "offence": ("offence", "offence_code", "offence_category", "offence_group", "offense",
                "offense_code", "ho_code", "home_office_code", "crime_type", "category", "code",
                "crime_category", "classification"),
    "role": ("role", "involvement", "person_role", "involvement_type", "role_type", "party"),
    "police_initiated": ("police_initiated", "police_generated", "proactive",
                         "police_initiated_flag", "police_found"),
    "harm": ("harm", "harm_days", "crime_harm", "harm_score", "chi", "cchi"),
}
PEOPLE_NAMES = {
    "person_id": CRIME_NAMES["person_id"],
    "randomisation_date": ("randomisation_date", "randomization_date", "randomised_on",
                           "randomized_on", "date_randomised", "date_randomized", "rand_date",
                           "allocation_date", "date_allocated", "start_date", "entry_date",
                           "referral_date"),
}
HARM_NAMES = {
    "offence": CRIME_NAMES["offence"],
    "harm": ("harm_days", "harm", "days", "harm_score", "chi", "cchi", "score", "weight",
             "crime_harm", "harm_index"),
}


def _norm_name(name) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().casefold()).strip("_")


def find_column(table: pd.DataFrame, wanted, role: str, file: str, required=True,
                given: str | None = None):
    """The column of ``table`` for ``role``: ``given`` if named, else the first name in ``wanted``."""
    cols = list(map(str, table.columns))
    if given:
        if given not in cols:
            raise DataError(f"{file}: there is no column {given!r} (asked for as the {role}). "
                            f"Columns are: {', '.join(cols[:20])}.")
        return given
    normed = {_norm_name(c): c for c in cols}
    for w in wanted:
        if w in normed:
            return normed[w]
    if required:
        raise DataError(f"{file}: no column for the {role} was found (looked for "
                        f"{', '.join(wanted[:6])} ...). Columns are: {', '.join(cols[:20])}. "
                        f"Rename the column or name it explicitly.")
    return None


def key_of(v) -> str:
    """Normalised text key for an id or offence code: as arm values are compared (case,
    1 vs 1.0), and also inner spaces collapsed and 001 == 1."""
    s = " ".join(_norm_label(v).split())
    if s.isdigit():
        s = s.lstrip("0") or "0"
    return s


# Python's str.split() whitespace within ASCII (RE2's \s leaves out \v and \x1c-\x1f)
_ASCII_SPACE = "[ \t\n\r\x0b\x0c\x1c-\x1f]+"


def _key_text(values) -> np.ndarray:
    """:func:`key_of` for many values (500,000 person ids in well under a second).

    ASCII text, the usual case, is normalised column-wise by pyarrow (for ASCII,
    lower case is case folding and only 0-9 are digits); anything else value by value.
    A pandas Index or Series of text goes to pyarrow whole (no Python object per value).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = None
    if isinstance(values, (pd.Index, pd.Series)):
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            arr = None
        if arr is not None and not (pa.types.is_string(arr.type)
                                    or pa.types.is_large_string(arr.type)):
            arr = None
    if arr is None:
        values = list(values)
        is_text = np.array([type(v) is str and v.isascii() for v in values], dtype=bool)
        arr = pa.array([v for v, t in zip(values, is_text) if t], pa.large_string())
        others = [v for v, t in zip(values, is_text) if not t]
    else:
        is_text = pc.fill_null(pc.string_is_ascii(arr), False).to_numpy(zero_copy_only=False)
        others = list(values[~is_text]) if not is_text.all() else []
        arr = arr.filter(pa.array(is_text)) if not is_text.all() else arr
    keys = np.empty(len(is_text), dtype=object)
    keys[~is_text] = [key_of(v) for v in others]
    if len(arr):
        a = pc.replace_substring_regex(arr.cast(pa.large_string()), _ASCII_SPACE, " ")
        a = pc.ascii_lower(pc.utf8_trim(a, " "))
        digits = pc.ascii_is_decimal(a)
        a = pc.if_else(digits, pc.utf8_ltrim(a, "0"), a)
        a = pc.if_else(pc.and_(digits, pc.equal(a, "")), "0", a)
        keys[is_text] = a.to_numpy(zero_copy_only=False)
    return keys


def _codes(series: pd.Series):
    """Factorize a column: (codes with -1 for missing, normalised unique keys).

    A categorical keeps its own small codes (no 8-byte copy per row of a large extract).
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), _key_text(series.cat.categories)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, _key_text(pd.Index(uniques))


def _one_iso_date(text: str):
    try:
        t = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    return t.tz_localize(None) if t.tzinfo is not None else t


_NUMERIC_DATE = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}(?:\s|$)"


def _month_first(text: pd.Series, file: str, column: str, notes: list | None) -> bool:
    """Whether nn/nn/yyyy dates in this column are written month first (US style).

    Day first (UK) unless some value can only be month first (02/13/2023); a column with
    both kinds (13/02/2023 and 02/13/2023) cannot be read safely and is refused.
    """
    parts = text.str.extract(_NUMERIC_DATE).dropna().astype(int)
    if parts.empty:
        return False
    day_first = parts[0] > 12
    month_first = parts[1] > 12
    if not month_first.any():
        return False
    if day_first.any():
        raise DataError(f"{file}: column {column!r} mixes dates written day first "
                        f"({text[day_first[day_first].index[0]]!r}) and month first "
                        f"({text[month_first[month_first].index[0]]!r}), so dates like "
                        "03/04/2023 cannot be read safely. Save the dates in ISO form "
                        "(2023-04-03 for 3 April 2023).")
    if notes is not None:
        notes.append(f"Dates in column {column!r} of {file} are written month first "
                     f"(e.g. {text[month_first[month_first].index[0]]!r}), so all its "
                     "nn/nn/yyyy dates were read as month/day/year.")
    return True


# year-first dates that name a day: 2023-05-04, 2023/5/4 or 20230504 (not 2023 or 2023-05)
_ISO_DAY = r"^[+-]?\d{4}(?:([-/.])\d{1,2}\1\d{1,2}|\d{4})(?!\d)"


def _names_a_day(text: str) -> bool:
    """Whether free-form date text gives a year, a month and a day: read with two
    different defaults, a partial date (May 2023) takes the defaults' different days."""
    from datetime import datetime

    from dateutil import parser

    try:
        a = parser.parse(text, default=datetime(2000, 1, 1))
        b = parser.parse(text, default=datetime(2004, 2, 2))
    except (ValueError, OverflowError):
        return False
    return a.date() == b.date()


NO_DAY = np.iinfo(np.int32).max    # day number of an unreadable date (above every real day)


def parse_dates(series: pd.Series, file: str, column: str, notes: list | None = None) -> np.ndarray:
    """Dates as datetime64[ns] at midnight (NaT where unreadable).

    A year or a month without a day (2023, 2023-05, 05/2023, May 2023) is
    unreadable, like an Excel serial number (44927): it is not a day, and
    reading it as the 1st would count crimes in windows they may lie outside.

    ISO (2023-02-01, with or without a time or time zone) or UK day-first (01/02/2023).
    A column whose nn/nn/yyyy dates can only be month first (02/13/2023) is read month
    first throughout, with a note added to ``notes``; one that mixes both is refused.
    Times are dropped: follow-up windows run in whole days, so a crime on the day of
    randomisation counts whatever time either was recorded at.
    """
    days = parse_days(series, file, column, notes)
    out = days.astype(np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    out[days == NO_DAY] = np.datetime64("NaT")
    return out


def parse_days(series: pd.Series, file: str, column: str, notes: list | None = None) -> np.ndarray:
    """:func:`parse_dates` as day numbers (days since 1970-01-01), int32, ``NO_DAY`` where
    unreadable: 4 bytes a row, and the distinct dates are read once, not every row."""
    if pd.api.types.is_datetime64_any_dtype(series):
        s = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
        d = s.to_numpy().astype("datetime64[D]")   # numpy floors to the day, also before 1970
        days = d.view(np.int64).astype(np.int32)
        days[np.isnat(d)] = NO_DAY
        return days
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).map(lambda v: v if isinstance(v, str) else str(v))
    text = text.str.strip()
    # each distinct value is tried with ISO first, then UK day-first formats (mixed columns
    # OK), or the same month first when the column is written that way
    formats = ["%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y"]
    day_first = True
    if _month_first(text, file, column, notes):
        formats = [f.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m") for f in formats]
        day_first = False
    u = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    for kwargs in ({"format": "ISO8601"}, *({"format": f} for f in formats),
                   {"dayfirst": day_first, "format": "mixed"}):
        todo = np.isnat(u)
        if not todo.any():
            break
        try:
            parsed = pd.to_datetime(text[todo], errors="coerce", **kwargs)
        except (ValueError, TypeError, OverflowError):
            if kwargs.get("format") != "ISO8601":
                continue
            # mixed time zones: read each distinct value on its own, keeping its local date
            parsed = pd.Series([_one_iso_date(v) for v in text[todo]], dtype="datetime64[ns]")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)  # keep the local date
        parsed = parsed.to_numpy(dtype="datetime64[ns]", copy=True)
        # a year (2023) or a month (2023-05, May 2023) is not a day: pandas would
        # silently read it as the 1st, so it stays unreadable like an Excel serial
        if kwargs.get("format") == "ISO8601":
            parsed[~text[todo].str.match(_ISO_DAY).to_numpy(dtype=bool)] = np.datetime64("NaT")
        elif kwargs.get("format") == "mixed":
            parsed[[not _names_a_day(v) for v in text[todo]]] = np.datetime64("NaT")
        u[todo] = parsed
    if len(codes) and np.isnat(u).all():
        shown = ", ".join(repr(str(v)) for v in list(uniques[:3]))
        raise DataError(f"{file}: no value in column {column!r} could be read as a date "
                        f"(e.g. {shown or 'all empty'}). Use dates like 2023-02-01 or 01/02/2023.")
    u_days = np.where(np.isnat(u), NO_DAY, u.astype("datetime64[D]").view(np.int64))
    return np.append(u_days, NO_DAY).astype(np.int32)[codes]   # code -1 (missing): NO_DAY


def _flag(series: pd.Series) -> np.ndarray:
    """Yes/no column -> float array (1, 0, NaN for unknown)."""
    if pd.api.types.is_bool_dtype(series) and not series.hasnans:
        return series.to_numpy(dtype=float)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    keys = _key_text(list(uniques))
    u = np.array([1.0 if k in TRUE_WORDS else 0.0 if k in FALSE_WORDS else np.nan for k in keys]
                 + [np.nan])
    return u[codes]


@dataclass
class AggregateResult:
    """The person-level table and what happened on the way."""

    table: pd.DataFrame
    outcomes: list[OutcomeSpec]
    notes: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)


def read_groups(groups: pd.DataFrame, file: str = "the offence groups file"):
    """(offence keys, group names, bool matrix) from an offence-groups table."""
    key = find_column(groups, CRIME_NAMES["offence"], "offence code or category", file)
    names, mats = [], []
    for c in groups.columns:
        if c == key:
            continue
        flags = _flag(groups[c])
        present = groups[c].notna().to_numpy()
        if present.any() and np.isnan(flags[present]).any():
            continue  # a text column such as a description
        g = _norm_name(c)
        if not g:
            continue
        names.append(g)
        mats.append(np.nan_to_num(flags, nan=0.0) > 0)
    if len(names) > 64:
        raise DataError(f"{file}: {len(names)} group columns; at most 64 offence groups can be "
                        "counted. Keep the groups you will analyse.")
    if not names:
        raise DataError(f"{file}: no group columns found. After the offence column, add one "
                        "column per group (e.g. knife, violent) holding yes/no for each offence.")
    keys = _key_text(groups[key].tolist())
    dup = pd.Series(keys).duplicated(keep=False).to_numpy() & (keys != "")
    if dup.any():
        raise DataError(f"{file}: offence(s) listed more than once in rows "
                        f"{rows_text(np.flatnonzero(dup))}. List each offence once.")
    return keys, names, np.column_stack(mats)


def read_harm(harm: pd.DataFrame, file: str = "the harm lookup", offence: str | None = None,
              column: str | None = None) -> dict:
    """{offence key: harm days} from a harm lookup table."""
    key = find_column(harm, HARM_NAMES["offence"], "offence code or category", file,
                      given=offence)
    hcol = find_column(harm, HARM_NAMES["harm"], "harm value (days)", file, given=column)
    vals = pd.to_numeric(harm[hcol], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(vals) & harm[hcol].notna().to_numpy()
    if bad.any():
        raise DataError(f"{file}: column {hcol!r} should hold numbers (harm in days) but rows "
                        f"{rows_text(np.flatnonzero(bad))} do not. Correct those cells.")
    if (vals < 0).any():
        raise DataError(f"{file}: harm values cannot be negative (rows "
                        f"{rows_text(np.flatnonzero(vals < 0))}).")
    keys = _key_text(harm[key].tolist())
    table = pd.DataFrame({"k": keys, "v": vals}).dropna()
    clash = table.groupby("k")["v"].nunique()
    if (clash > 1).any():
        raise DataError(f"{file}: offence {clash[clash > 1].index[0]!r} has more than one "
                        "different harm value. Keep one value per offence.")
    return dict(zip(table["k"], table["v"]))


@dataclass
class _Extract:
    """The inputs read once, shared by :func:`aggregate` and :func:`aggregate_over_time`."""

    people: pd.DataFrame          # the randomisation list, a person randomised twice kept once
    start: np.ndarray             # randomisation date per person, datetime64[ns] (NaT unknown)
    person: np.ndarray            # per crime row: index into people, -1 if not counted anywhere
    role: np.ndarray              # per crime row: index into ROLES, -1 if neither
    days: np.ndarray              # per crime row: day number, int32 (NO_DAY unreadable)
    group_bits: np.ndarray        # per crime row: bit g set if in group g (one small int a row)
    harm: np.ndarray              # per crime row: harm days (NaN where unknown)
    g_names: list
    notes: list
    used: dict
    fn: dict
    n_unknown_person: int
    crimes: pd.DataFrame
    offence: np.ndarray           # per crime row: offence code (index into in_groups_file)
    in_groups_file: np.ndarray    # per offence code (+1 for missing): listed in the groups file

    def in_group(self, bits: np.ndarray, g: int) -> np.ndarray:
        """Which of the crimes with these ``group_bits`` are in group ``g`` (bool)."""
        return (bits & bits.dtype.type(1 << g)) != 0

    def harm_of(self, rows: np.ndarray) -> np.ndarray:
        """Harm days of crime ``rows``, 0 where the offence has no harm value."""
        h = self.harm[rows]
        h[np.isnan(h)] = 0.0
        return h

    def note_unknown_offences(self, rows: np.ndarray) -> None:
        """Name offences missing from the lookups among the counted crime ``rows``."""
        off = self.crimes[self.used["offence"]]
        for miss, file, what in ((np.isnan(self.harm[rows]), self.fn["harm"],
                                  "they add 0 to harm. Add them to the lookup."),
                                 (~self.in_groups_file[self.offence[rows]], self.fn["groups"],
                                  "they are in no offence group. Add them to the groups file.")):
            r = rows[miss]
            if len(r):
                vals = ", ".join(repr(str(v)) for v in pd.unique(off.iloc[r])[:5])
                self.notes.append(f"{len(r):,} counted crime(s) have offences not in {file} "
                                  f"({vals}); {what}")


def _keep_first_randomisation(people: pd.DataFrame, keys: np.ndarray, start: np.ndarray,
                              arm: str | None, file: str, notes: list):
    """A person randomised twice: the first randomisation (earliest date) is the one analysed
    (intention to treat). Refused when the rows disagree on the arm, because the id may then
    belong to two people or the re-randomisation needs the trial team's decision."""
    dup = pd.Series(keys).duplicated(keep=False).to_numpy()
    if not dup.any():
        return people, keys, start
    rows = np.flatnonzero(dup)
    if arm is not None:
        arms = pd.Series(_key_text(people[arm].tolist()))[dup]
        if (arms.groupby(keys[dup]).nunique() > 1).any():
            raise DataError(f"{file}: person ids appear more than once with different arms (rows "
                            f"{rows_text(rows)}). List each randomised person once, or decide "
                            "which allocation stands.")
    order = np.lexsort((np.arange(len(keys)), np.where(np.isnat(start), np.iinfo(np.int64).max,
                                                       start.astype("int64")), keys))
    first = np.zeros(len(keys), bool)
    k_sorted = keys[order]
    first[order[np.r_[True, k_sorted[1:] != k_sorted[:-1]]]] = True
    notes.append(f"{int((~first).sum())} row(s) of {file} repeat a person already randomised "
                 f"(rows {rows_text(np.flatnonzero(~first))}); each person's first "
                 "randomisation (earliest date) is analysed and the later row(s) are ignored.")
    return people[first].reset_index(drop=True), keys[first], start[first]


def _read_inputs(crimes, people, harm, groups, cols, fn, arm_column="arm") -> _Extract:
    for t, k in ((crimes, "crimes"), (people, "people")):
        if not isinstance(t, pd.DataFrame) or t.shape[0] == 0:
            raise DataError(f"{fn[k]} has no rows.")
    if harm is not None and (not isinstance(harm, pd.DataFrame) or harm.shape[0] == 0):
        raise DataError(f"{fn['harm']} has no rows.")
    if groups is None:
        from .io import read_table
        groups = read_table(DEFAULT_GROUPS)

    # ---- columns
    c_pid = find_column(crimes, CRIME_NAMES["person_id"], "person id", fn["crimes"],
                        given=cols.get("crime_person_id"))
    c_date = find_column(crimes, CRIME_NAMES["date"], "crime date", fn["crimes"],
                         given=cols.get("date"))
    c_off = find_column(crimes, CRIME_NAMES["offence"], "offence code or category", fn["crimes"],
                        given=cols.get("offence"))
    c_role = find_column(crimes, CRIME_NAMES["role"], "role (suspect or victim)", fn["crimes"],
                         given=cols.get("role"))
    c_pi = find_column(crimes, CRIME_NAMES["police_initiated"], "police-initiated flag",
                       fn["crimes"], required=False, given=cols.get("police_initiated"))
    c_harm = find_column(crimes, CRIME_NAMES["harm"], "harm per crime", fn["crimes"],
                         required=False, given=cols.get("crime_harm"))
    if harm is None and c_harm is None:
        raise DataError(f"Give a harm lookup (offence -> days), or a harm column in "
                        f"{fn['crimes']} (e.g. 'harm').")
    p_pid = find_column(people, PEOPLE_NAMES["person_id"], "person id", fn["people"],
                        given=cols.get("person_id"))
    p_date = find_column(people, PEOPLE_NAMES["randomisation_date"], "randomisation date",
                         fn["people"], given=cols.get("randomisation_date"))
    notes: list[str] = []

    # ---- lookups
    harm_of = ({} if harm is None else
               read_harm(harm, fn["harm"], cols.get("harm_offence"), cols.get("harm")))
    g_keys, g_names, g_mat = read_groups(groups, fn["groups"])
    g_index = {k: i for i, k in enumerate(g_keys)}

    # ---- people
    p_keys = _key_text(people[p_pid])
    empty_id = p_keys == ""
    if empty_id.any():
        raise DataError(f"{fn['people']}: rows {rows_text(np.flatnonzero(empty_id))} have no "
                        f"person id in column {p_pid!r}. Every randomised person needs an id.")
    start = parse_dates(people[p_date], fn["people"], p_date, notes)
    arm = arm_column if arm_column in map(str, people.columns) else None
    people, p_keys, start = _keep_first_randomisation(people, p_keys, start, arm, fn["people"],
                                                      notes)
    no_start = np.isnat(start)
    if no_start.any():
        notes.append(f"{int(no_start.sum())} person(s) in {fn['people']} have no readable "
                     f"randomisation date (rows {rows_text(np.flatnonzero(no_start))}); their "
                     "outcomes are left empty. Fill in the dates to count their crimes.")

    # ---- crimes, factorized (loops below run over distinct values, never over rows)
    pc, pu = _codes(crimes[c_pid])
    # 4-byte person and 1-byte role per row: less memory to touch on a large extract
    u_person = np.append(pd.Index(p_keys).get_indexer(pu), -1).astype(np.int32)  # ids unique
    person = u_person[pc]
    oc, ou = _codes(crimes[c_off])
    u_harm = np.array([harm_of.get(k, np.nan) for k in ou] + [np.nan])
    u_grp = np.zeros((len(ou) + 1, len(g_names)), bool)
    u_known = np.zeros(len(ou) + 1, bool)
    for j, k in enumerate(ou):
        i = g_index.get(k)
        if i is not None:
            u_grp[j] = g_mat[i]
            u_known[j] = True
    rc, ru = _codes(crimes[c_role])
    role_of = {w: r for r, words in enumerate(ROLE_WORDS.values()) for w in words}
    u_role = np.array([role_of.get(k, -1) for k in ru] + [-1], dtype=np.int8)
    role = u_role[rc]
    days = parse_days(crimes[c_date], fn["crimes"], c_date, notes)
    bad_date = days == NO_DAY
    in_list = person >= 0

    n_unknown_person = int((~in_list).sum())
    if n_unknown_person:
        ex = ", ".join(repr(str(v)) for v in pd.unique(crimes[c_pid][~in_list])[:3])
        notes.append(f"{n_unknown_person:,} crime row(s) belong to people not in "
                     f"{fn['people']} (e.g. {ex}) and were ignored.")
    if (bad_date & in_list).any():
        r = np.flatnonzero(bad_date & in_list)
        notes.append(f"{len(r):,} crime row(s) have no readable date in column {c_date!r} "
                     f"(rows {rows_text(r)}) and were ignored.")
    bad_role = in_list & ~bad_date & (role < 0)
    if bad_role.any():
        vals = ", ".join(repr(str(v)) for v in pd.unique(crimes[c_role][bad_role])[:4])
        notes.append(f"{int(bad_role.sum()):,} crime row(s) have a role other than "
                     f"suspect or victim ({vals}) and were ignored.")
    # unusable rows are marked once here: person -1 means "not counted anywhere"
    person[bad_date | (role < 0)] = -1
    crime_harm = u_harm[oc]
    if c_harm is not None:  # a harm score per crime (e.g. in the police extract) comes first
        given = pd.to_numeric(crimes[c_harm], errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(given) & crimes[c_harm].notna().to_numpy()
        if bad.any():
            raise DataError(f"{fn['crimes']}: column {c_harm!r} should hold harm in days but "
                            f"rows {rows_text(np.flatnonzero(bad))} do not. Correct those cells.")
        if (given < 0).any():
            raise DataError(f"{fn['crimes']}: harm cannot be negative (rows "
                            f"{rows_text(np.flatnonzero(given < 0))}).")
        crime_harm = np.where(np.isnan(given), crime_harm, given)
    # each crime's groups as the bits of one small integer: a group's crimes are then one
    # bitwise and, not a gather of a (rows x groups) table
    bits = np.uint8 if len(g_names) <= 8 else np.uint16 if len(g_names) <= 16 else (
        np.uint32 if len(g_names) <= 32 else np.uint64)
    u_bits = (u_grp.astype(np.uint64) << np.arange(len(g_names), dtype=np.uint64)).sum(axis=1)
    group_bits = u_bits.astype(bits)[oc]
    if c_pi is not None and "non_police_initiated" in g_names:
        pi = crimes[c_pi]
        if pd.api.types.is_bool_dtype(pi) and not pi.hasnans:  # 1 byte a row, not 8
            yes = pi.to_numpy(dtype=bool)
            no = ~yes
        else:
            flag = _flag(pi)
            yes, no = flag == 1, flag == 0
        j = bits(1 << g_names.index("non_police_initiated"))
        group_bits[no] |= j
        group_bits[yes] &= ~j
        notes.append(f"Non-police-initiated crimes taken from column {c_pi!r} where it is filled "
                     f"in ({np.count_nonzero(yes) + np.count_nonzero(no):,} rows), otherwise "
                     f"from {fn['groups']}.")
    used = {"crime_person_id": c_pid, "date": c_date, "offence": c_off, "role": c_role,
            "police_initiated": c_pi, "crime_harm": c_harm, "person_id": p_pid,
            "randomisation_date": p_date}
    return _Extract(people, start, person, role, days, group_bits, crime_harm, g_names, notes,
                    used, fn, n_unknown_person, crimes, oc, u_known)


def _file_names(names):
    return {"crimes": "the crimes extract", "people": "the randomisation list",
            "harm": "the harm lookup", "groups": "the offence groups file", **(names or {})}


def _check_clash(people: pd.DataFrame, new_columns, file: str):
    clash = [c for c in new_columns if c in map(str, people.columns)]
    if clash:
        raise DataError(f"{file} already has column(s) {', '.join(clash[:8])}, which the "
                        "aggregation creates. Rename or remove them from the randomisation list.")


def _outcome_order(g_names, suffix=""):
    return ([f"{ROLES[0]}_harm{suffix}"] + [f"{ROLES[0]}_{g}{suffix}" for g in g_names]
            + [f"{ROLES[1]}_harm{suffix}"] + [f"{ROLES[1]}_{g}{suffix}" for g in g_names])


def aggregate(crimes: pd.DataFrame, people: pd.DataFrame, harm: pd.DataFrame | None,
              groups: pd.DataFrame | None = None, months: int = 12, *,
              columns: dict | None = None, names: dict | None = None) -> AggregateResult:
    """Person-level outcomes from a crimes extract over a follow-up window.

    Parameters
    ----------
    crimes, people, harm, groups : pandas.DataFrame
        See the module docstring. ``groups`` None uses the bundled definitions.
        ``harm`` may be None when the crimes carry a harm column (``harm``,
        ``harm_days``, ...); a filled harm cell of a crime wins over the lookup.
    months : int
        Follow-up window length from each person's randomisation date.
    columns : dict, optional
        Explicit column names: ``crime_person_id``, ``date``, ``offence``,
        ``role``, ``police_initiated``, ``crime_harm``, ``person_id``,
        ``randomisation_date``, ``harm_offence``, ``harm``. Unnamed ones are found
        by their usual names.
    names : dict, optional
        File names for messages: ``crimes``, ``people``, ``harm``, ``groups``.

    Returns
    -------
    AggregateResult

    Raises
    ------
    DataError
        Missing columns, unreadable dates in a whole column, a person listed twice with
        different arms, bad harm values. A person listed twice with the same arm keeps
        the first randomisation (earliest date), with a note.
    """
    cols = dict(columns or {})
    fn = _file_names(names)
    try:
        months = int(months)
    except (TypeError, ValueError):
        raise DataError(f"The follow-up must be a whole number of months; got {months!r}.") from None
    if not 1 <= months <= 120:
        raise DataError(f"The follow-up must be between 1 and 120 months; got {months}.")
    x = _read_inputs(crimes, people, harm, groups, cols, fn)
    people, notes, g_names = x.people, x.notes, x.g_names
    n_people = len(people)
    no_start = np.isnat(x.start)
    start_i = np.where(no_start, 0, x.start.astype("datetime64[D]").view(np.int64))
    end_i = add_months(start_i, months)        # exclusive, as pandas DateOffset(months=)
    d_i = x.days

    # ---- what is counted
    in_list = x.person >= 0
    p_safe = np.where(in_list, x.person, 0)
    has_start = in_list & ~no_start[p_safe]
    use = has_start & (d_i >= start_i[p_safe]) & (d_i < end_i[p_safe])
    rows = np.flatnonzero(use)
    x.note_unknown_offences(rows)

    # ---- counts: one bincount per group over key = person * n_roles + role
    n_roles = len(ROLES)
    key = p_safe[rows].astype(np.int64) * n_roles + x.role[rows]
    size = n_people * n_roles
    out = {}
    bits = x.group_bits[rows]
    harm_sum = np.bincount(key, weights=x.harm_of(rows), minlength=size).reshape(n_people, n_roles)
    for r, rname in enumerate(ROLES):
        out[f"{rname}_harm"] = harm_sum[:, r]
    for g, gname in enumerate(g_names):
        cnt = np.bincount(key[x.in_group(bits, g)], minlength=size).reshape(n_people, n_roles)
        for r, rname in enumerate(ROLES):
            out[f"{rname}_{gname}"] = cnt[:, r].astype(np.int64)
    order = _outcome_order(g_names)
    _check_clash(people, order, fn["people"])
    new = pd.DataFrame({c: out[c] for c in order}, index=people.index)
    if no_start.any():
        new = new.astype(float)
        new.loc[no_start, :] = np.nan
    table = pd.concat([people.reset_index(drop=True), new.reset_index(drop=True)], axis=1)

    # ---- follow-up completeness
    ok_date = d_i != NO_DAY
    latest = int(d_i[ok_date].max()) if ok_date.any() else None
    if latest is not None:
        short = ~no_start & (end_i > latest + 1)
        if short.any():
            notes.append(f"The latest crime in {fn['crimes']} is on "
                         f"{pd.Timestamp(latest, unit='D').date()}, but {int(short.sum())} person(s)' "
                         f"{months}-month follow-up ends after that: their counts may be "
                         "incomplete if the extract stops before their window ends.")
    outcomes = [OutcomeSpec(c, _label(c), "crime harm (days)" if c.endswith("_harm")
                            else "crimes per person", True,
                            "continuous" if c.endswith("_harm") else "count") for c in order]
    summary = {"people": n_people, "crime_rows": len(crimes), "crimes_counted": int(use.sum()),
               "outside_window": int((has_start & ~use).sum()),
               "unknown_person": x.n_unknown_person, "months": months,
               "groups": g_names}
    return AggregateResult(table, outcomes, notes, summary, x.used)


def _label(column: str) -> str:
    role, _, group = column.partition("_")
    base = GROUP_LABELS.get(group, group.replace("_", " ").capitalize() + " crimes")
    return f"{base} as {role}"


# ---------------------------------------------------------------------------------------------
# Over time: baselines, follow-up windows, programme periods, time to first offence, months


def add_months(days: np.ndarray, k) -> np.ndarray:
    """Day numbers (days since 1970-01-01) ``k`` calendar months later (k may be negative).

    The same day of the month, clamped to the month's last day (31 January + 1 month =
    28 or 29 February; 29 February 2024 + 12 months = 28 February 2025), as pandas
    ``DateOffset(months=k)`` and lubridate's ``%m+%``.
    """
    month, dom, _ = _calendar(days)
    return _shift(month, dom, k)


def _shift(month: np.ndarray, dom: np.ndarray, k) -> np.ndarray:
    """:func:`add_months` from the months and days of month of :func:`_calendar`."""
    target = month.astype(np.int64) + np.asarray(k, dtype=np.int64)
    if not target.size:
        return target
    lo = int(target.min())
    firsts = np.arange(lo, int(target.max()) + 2).astype("datetime64[M]").astype(
        "datetime64[D]").view(np.int64)     # first day of each month spanned, and the next
    i = target - lo
    return firsts[i] + np.minimum(dom, firsts[i + 1] - firsts[i] - 1)


def _calendar(days) -> tuple:
    """(months since 1970-01, 0-based day of month, days in that month) of day numbers.

    Looked up in a table over the days spanned (about 1,100 years at most), so many
    values cost a few integer gathers, not date arithmetic each.
    """
    days = np.asarray(days, dtype=np.int64)
    if days.size > 1000:
        lo, hi = int(days.min()), int(days.max())
        if hi - lo + 1 < min(400_000, days.size):  # a table smaller than the values
            month, dom, length = _calendar(np.arange(lo, hi + 1))
            i = days - lo
            return month[i], dom[i], length[i]
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    return month.astype(np.int64), (d - first).astype(np.int64), length


def _month_code(days, last_as_31: bool) -> np.ndarray:
    """month * 32 + 0-based day of month, with a month's last day as 31 when ``last_as_31``.

    ``(_month_code(day, True) - _month_code(start, False)) >> 5`` is :func:`month_index`:
    the difference is 32 x (months apart) + (day of month - start's day of month), the
    second term in -30..31, so the shift (floor division by 32) gives the months apart,
    one less when the day of month is before the start's. A month's last day counts as
    on or after any start day (30 January + 1 month ends on 28 February: clamped), which
    coding it as 31 does.
    """
    month, dom, length = _calendar(days)
    if last_as_31:
        dom = np.where(dom == length - 1, 31, dom)
    return month * 32 + dom


def month_index(day: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Whole calendar months from ``start`` to ``day`` (both day numbers): k with
    add_months(start, k) <= day < add_months(start, k + 1); negative before ``start``.
    """
    return (_month_code(day, True) - _month_code(start, False)) >> 5


def _month_list(values, what: str, default) -> tuple[int, ...]:
    if values is None:
        values = default
    if isinstance(values, str):
        values = [v for v in values.replace(" ", "").split(",") if v]
    try:
        out = tuple(sorted({int(v) for v in values}))
    except (TypeError, ValueError):
        raise DataError(f"{what} must be whole numbers of months, e.g. 6,12; got {values!r}.") from None
    if not out or out[0] < 1 or out[-1] > 120:
        raise DataError(f"{what} must be between 1 and 120 months; got {values!r}.")
    return out


def _day_number(value, what: str) -> int:
    try:
        t = pd.Timestamp(value)
    except (ValueError, TypeError):
        t = pd.NaT
    if pd.isna(t):
        raise DataError(f"{what} must be a date like 2024-12-31; got {value!r}.")
    return int(np.datetime64(t.date(), "D").astype(np.int64))


def _unique_labels(ids: pd.Series) -> pd.Index:
    """Person ids as category labels (ids are unique after normalisation; raw values that
    still clash, e.g. 7 and "7", are shown as text with their row number)."""
    idx = pd.Index(ids)
    if idx.is_unique:
        return idx
    return pd.Index([f"{v} (row {i + 1})" for i, v in enumerate(ids.astype(str))])


class _Columns:
    """New columns written straight into one int64 and one float64 block.

    ``spec``: (name, kind) in table order, kind True for float64, False for int64, or a
    pandas ExtensionArray (a Categorical) taken as it is. ``cols[name]`` is a numeric
    column's row of its block, to fill in place; :meth:`frame` wraps the blocks in a
    DataFrame without the copy ``pd.DataFrame(dict)`` makes (about 1 s for 100 columns of
    500,000 people on this machine, most of it the kernel handing over fresh memory).
    """

    def __init__(self, spec, n: int):
        self.n = n
        self.names = [name for name, _ in spec]
        kinds = [kind for _, kind in spec]
        self.where = [np.array([j for j, f in enumerate(kinds) if f is True], dtype=np.intp),
                      np.array([j for j, f in enumerate(kinds) if f is False], dtype=np.intp)]
        self.blocks = [np.empty((len(self.where[0]), n)),
                       np.empty((len(self.where[1]), n), dtype=np.int64)]
        self.extension = [(f, np.array([j], dtype=np.intp)) for j, f in enumerate(kinds)
                          if not isinstance(f, bool)]
        self.rows = {}
        for block, where in zip(self.blocks, self.where):
            for i, j in enumerate(where):
                self.rows[self.names[j]] = block[i]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.rows[name]

    def frame(self) -> pd.DataFrame:
        from pandas.api.internals import create_dataframe_from_blocks

        blocks = [(b, w) for b, w in zip(self.blocks, self.where) if len(w)] + self.extension
        return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(self.n),
                                            columns=pd.Index(self.names))


@dataclass
class OverTimeResult:
    """Person-level columns over time, the month-by-month counts, and what was decided.

    ``table``: the randomisation list plus, for each role x offence group and harm
    (``<role>_<group>``, ``<role>_harm``):

    * ``<outcome>_pre<B>m``: baseline, crimes in the B months before randomisation;
    * ``<outcome>_fu<W>m`` and ``exposure_days_fu<W>m``: follow-up window of W months
      from randomisation, cut at the extract end (exposure = days observed);
    * ``<outcome>_during`` / ``_after`` and ``exposure_days_during`` / ``_after`` when a
      programme length P is given: [0, P) and [P, longest window) months;
    * ``<role>_<group>_days`` and ``<role>_<group>_event``: time to the first offence in
      days (the randomisation day is day 1), censored at ``followup_days`` (the
      longest window cut at the extract end), event 1 if an offence was seen;
    * ``months_observed``: whole months of follow-up observed (for the mean cumulative count).

    ``monthly``: one row per person, follow-up month (1 = the first month) and role with
    at least one crime; ``<group>`` counts and ``harm``. Months not listed had none.
    """

    table: pd.DataFrame
    monthly: pd.DataFrame
    windows: tuple
    baselines: tuple
    programme_months: int | None
    end_date: str
    notes: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    baseline_of: dict = field(default_factory=dict)


def aggregate_over_time(crimes: pd.DataFrame, people: pd.DataFrame,
                        harm: pd.DataFrame | None = None, groups: pd.DataFrame | None = None, *,
                        end_date, baseline_months=(12, 24), windows=(6, 12, 18, 24),
                        programme_months: int | None = None, start_date=None,
                        columns: dict | None = None, names: dict | None = None,
                        arm: str = "arm") -> OverTimeResult:
    """Baselines, follow-up windows, programme periods and times to first offence.

    Parameters
    ----------
    crimes, people, harm, groups : pandas.DataFrame
        As for :func:`aggregate`.
    end_date : str or date
        The last day the extract covers. Each person's exposure runs from the
        randomisation day to the earlier of the window end and this day, so people
        randomised late are not counted as crime-free for days nobody looked.
    baseline_months : sequence of int
        Baseline windows before randomisation (default 12 and 24 months).
    windows : sequence of int
        Follow-up windows from randomisation (default 6, 12, 18, 24). Windows that end
        after the extract for every person are left out, with a note ("as far as the
        data reach").
    programme_months : int, optional
        The programme's length: adds the periods during it and after it (to the end
        of the longest window).
    start_date : str or date, optional
        The first day the extract covers; baseline windows reaching before it are noted as
        incomplete (without it, the earliest crime's date is used as a hint).
    arm : str
        The arm column, used only to refuse a person randomised twice into different arms.

    Returns
    -------
    OverTimeResult

    Raises
    ------
    DataError
        Bad window lists, an unreadable end date, no window the data reach, and
        everything :func:`aggregate` raises.

    Notes
    -----
    Rules (each tested with hand counts in ``tests/test_over_time.py``):
    windows run in whole days ``[randomisation day, same day N months later)`` (the end
    clamped to the month's last day, so from 29 February 2024 twelve months end on 28
    February 2025, exclusive); a crime on the randomisation day is follow-up (day 1);
    a crime before it is baseline; a crime after the extract end is ignored with a note;
    times and time zones are dropped, keeping the local date; a person randomised twice
    keeps the first randomisation.
    """
    cols = dict(columns or {})
    fn = _file_names(names)
    end = _day_number(end_date, "The extract's end date")
    bases = _month_list(baseline_months, "Baseline windows", (12, 24)) if baseline_months else ()
    wins = _month_list(windows, "Follow-up windows", (6, 12, 18, 24))
    prog = None
    if programme_months not in (None, "", 0):
        prog = _month_list([programme_months], "The programme length", ())[0]
    x = _read_inputs(crimes, people, harm, groups, cols, fn, arm_column=arm)
    people, notes, g_names = x.people, x.notes, x.g_names
    n, n_roles = len(people), len(ROLES)
    no_start = np.isnat(x.start)
    start = np.where(no_start, end, x.start.astype("datetime64[D]").view(np.int64))
    late = ~no_start & (start > end)
    if late.any():
        notes.append(f"{int(late.sum())} person(s) were randomised after the extract's end "
                     f"({pd.Timestamp(end, unit='D').date()}); they have no follow-up "
                     "(exposure 0) and are left out of the time-to-event analyses.")
    stop = end + 1  # exclusive
    ok = ~no_start
    s_month, s_dom, _ = _calendar(start)
    shifted = {}

    def months_on(m):  # each person's day m months from randomisation (computed once per m)
        if m not in shifted:
            shifted[m] = _shift(s_month, s_dom, m)
        return shifted[m]

    reach = [w for w in wins if ok.any() and months_on(w)[ok].min() <= stop]
    dropped = [w for w in wins if w not in reach]
    if not reach:
        raise DataError(f"The extract ends on {pd.Timestamp(end, unit='D').date()}, before "
                        f"anyone's shortest follow-up window ({wins[0]} months) is complete. "
                        "Check the end date or choose shorter windows.")
    if dropped:
        notes.append(f"Windows of {', '.join(map(str, dropped))} months are left out: the "
                     "extract ends before they are complete for anyone.")
    if prog is not None and prog >= reach[-1]:
        raise DataError(f"The programme lasts {prog} months, so there is no period after it "
                        f"within the longest window the data reach ({reach[-1]} months). "
                        "Add a longer window or check the programme length.")
    horizon = reach[-1]
    edges = sorted({-b for b in bases} | {0, *reach} | ({prog} if prog else set()))
    lowest, n_bins = edges[0], len(edges) - 1

    # ---- each crime row's month from its person's randomisation: month_index as a
    # difference of two codes (see _month_code), from a table over the days that can count
    # and a table over people; rows that cannot count get codes far outside every window.
    far = 1 << 29
    lo = min(int(months_on(lowest)[ok].min()), end) if ok.any() else end
    day_code = np.full(end - lo + 3, -far, dtype=np.int32)  # first/last: before lo, after end
    day_code[1:-1] = _month_code(np.arange(lo, end + 1), True)
    person_code = np.append(np.where(no_start, far, _month_code(start, False)), far)  # [-1]: none
    idx = x.days - np.int32(lo - 1)   # NO_DAY may wrap below 0: clipped to a slot counted nowhere
    np.clip(idx, 0, end - lo + 2, out=idx)
    k = day_code[idx]
    k -= person_code.astype(np.int32)[x.person]
    k >>= 5
    after_end = np.flatnonzero(x.days > end)   # unreadable days (NO_DAY) have person -1
    after_end = int(np.count_nonzero(person_code[x.person[after_end]] != far))
    if after_end:
        notes.append(f"{after_end:,} crime row(s) are dated after the extract's end "
                     f"({pd.Timestamp(end, unit='D').date()}) and were ignored: check the end "
                     "date.")
    rows = np.flatnonzero((k >= lowest) & (k < horizon))   # one compaction of the extract
    del idx
    x.note_unknown_offences(rows)
    p = x.person[rows]
    r = x.role[rows]
    k = k[rows]
    d = x.days[rows]
    bits = x.group_bits[rows]
    hw = x.harm_of(rows)

    # ---- counts per role x period x person: one bincount per group; a bin's n people are
    # contiguous, so a window's column is a sum of a few contiguous rows
    bin_of = (np.searchsorted(edges, np.arange(lowest, horizon), side="right") - 1)
    key = r.astype(np.int64) * n_bins
    key += bin_of[k - lowest]
    key *= n
    key += p
    size = n_roles * n_bins * n
    cube = {"harm": np.bincount(key, weights=hw, minlength=size).reshape(n_roles, n_bins, n)}
    for g, gname in enumerate(g_names):
        cube[gname] = np.bincount(key[x.in_group(bits, g)],
                                  minlength=size).reshape(n_roles, n_bins, n)
    del key

    parts = [(f"_pre{bm}m", -bm, 0) for bm in bases] + [(f"_fu{w}m", 0, w) for w in reach]
    if prog:
        parts += [("_during", 0, prog), ("_after", prog, horizon)]
    counts_float = bool(no_start.any())   # NaN for people without a randomisation date
    spec = [(f"{rname}_{gname}{suffix}", gname == "harm" or counts_float)
            for suffix, _, _ in parts for rname in ROLES for gname in ["harm", *g_names]]
    spec += [(f"exposure_days_fu{w}m", True) for w in reach]
    if prog:
        spec += [("exposure_days_during", True), ("exposure_days_after", True)]
    spec.append(("followup_days", True))
    spec += [(f"{rname}_{gname}_{what}", True) for gname in g_names for rname in ROLES
             for what in ("days", "event")]
    spec.append(("months_observed", True))
    _check_clash(people, [c for c, _ in spec], fn["people"])
    new = _Columns(spec, n)

    for suffix, a, z in parts:
        a, z = edges.index(a), edges.index(z)
        for ri, rname in enumerate(ROLES):
            for gname, c in cube.items():
                v = new[f"{rname}_{gname}{suffix}"]
                np.sum(c[ri, a:z], axis=0, out=v)
                if counts_float:
                    v[no_start] = np.nan
    del cube

    def exposure(v, lo_m, hi_m):  # days observed in months [lo_m, hi_m) of follow-up
        v[:] = np.maximum(np.minimum(months_on(hi_m), stop) - np.minimum(months_on(lo_m), stop), 0)
        v[no_start] = np.nan

    for w in reach:
        exposure(new[f"exposure_days_fu{w}m"], 0, w)
    if prog:
        exposure(new["exposure_days_during"], 0, prog)
        exposure(new["exposure_days_after"], prog, horizon)
    baseline_of: dict[str, str] = {}
    if bases:
        for c in _outcome_order(g_names):
            for w in reach:
                baseline_of[f"{c}_fu{w}m"] = f"{c}_pre{bases[0]}m"

    # ---- time to first offence: day number of the first follow-up crime, censored at the
    # end of the longest window or of the extract
    followup = new["followup_days"]
    exposure(followup, 0, horizon)
    fu = np.flatnonzero(k >= 0)
    p_fu = p[fu]
    t = d[fu] - start[p_fu] + 1      # int64 as first: ufunc.at is slow when it must cast
    key_pr = p_fu.astype(np.int64) * n_roles + r[fu]
    bits_fu = bits[fu]
    never = np.iinfo(np.int64).max
    unknown = no_start | late
    for g, gname in enumerate(g_names):
        first = np.full(n * n_roles, never, dtype=np.int64)
        m = x.in_group(bits_fu, g)
        np.minimum.at(first, key_pr[m], t[m])
        first = first.reshape(n, n_roles)
        for ri, rname in enumerate(ROLES):
            seen = first[:, ri] != never
            days, ev = new[f"{rname}_{gname}_days"], new[f"{rname}_{gname}_event"]
            days[:] = np.where(seen, first[:, ri], followup)
            ev[:] = seen
            days[unknown], ev[unknown] = np.nan, np.nan
    # whole months observed (the last, partly observed month is not counted)
    months_obs = new["months_observed"]
    months_obs[:] = np.clip((_month_code(np.array([stop]), True) - person_code[:-1]) >> 5,
                            0, horizon)
    months_obs[no_start] = np.nan
    table = pd.concat([people.reset_index(drop=True), new.frame()], axis=1)

    # ---- month by month (sparse: only person-months with a crime)
    mk = key_pr * horizon + k[fu]
    space = n * n_roles * horizon
    if space <= 16 * len(mk) + 1_000_000:  # dense key space: mark and rank, no sort
        present = np.zeros(space, dtype=bool)
        present[mk] = True
        uniq = np.flatnonzero(present)
        rank = np.empty(space, dtype=np.int32)
        rank[uniq] = np.arange(len(uniq), dtype=np.int32)
        inv = rank[mk]
    else:
        uniq, inv = np.unique(mk, return_inverse=True)
    pid_col = x.used["person_id"]
    who = np.empty(len(uniq), dtype=np.int32)
    np.floor_divide(uniq, n_roles * horizon, out=who, casting="unsafe")
    monthly = _Columns([
        (pid_col, pd.Categorical.from_codes(who, categories=_unique_labels(people[pid_col]))),
        ("month", False),
        ("role", pd.Categorical.from_codes(((uniq // horizon) % n_roles).astype(np.int8),
                                           categories=ROLES)),
        ("harm", True), *((gname, False) for gname in g_names)], len(uniq))
    month = monthly["month"]
    np.remainder(uniq, horizon, out=month)
    month += 1
    monthly["harm"][:] = np.bincount(inv, weights=hw[fu], minlength=len(uniq))
    for g, gname in enumerate(g_names):
        monthly[gname][:] = np.bincount(inv[x.in_group(bits_fu, g)], minlength=len(uniq))
    monthly = monthly.frame()

    earliest = int(x.days.min()) if len(x.days) else None    # NO_DAY (unreadable) is above all
    earliest = None if earliest == NO_DAY else earliest
    if bases and start_date is not None and ok.any():
        first = _day_number(start_date, "The extract's first day")
        short = ok & (months_on(-bases[-1]) < first)
        if short.any():
            notes.append(f"The extract starts on {pd.Timestamp(first, unit='D').date()}, so the "
                         f"{bases[-1]}-month baseline of {int(short.sum())} person(s) begins "
                         "before it: their baseline counts are incomplete.")
    elif bases and earliest is not None and ok.any():
        first_base = months_on(-bases[-1])[ok].min()
        if earliest > first_base:
            notes.append(f"The earliest crime in {fn['crimes']} is on "
                         f"{pd.Timestamp(earliest, unit='D').date()}, but the {bases[-1]}-month "
                         "baseline of the earliest-randomised person starts on "
                         f"{pd.Timestamp(first_base, unit='D').date()}: baseline counts may be "
                         "incomplete if the extract starts later.")
    summary = {"people": n, "crime_rows": len(crimes), "crimes_in_windows": int(len(rows)),
               "windows": reach, "windows_left_out": dropped, "baselines": bases,
               "programme_months": prog, "end_date": str(pd.Timestamp(end, unit="D").date()),
               "groups": g_names, "randomised_after_end": int(late.sum())}
    return OverTimeResult(table, monthly, tuple(reach), bases, prog,
                          summary["end_date"], notes, summary, x.used, baseline_of)


def person_table(result: OverTimeResult, window: int) -> tuple[pd.DataFrame, list[OutcomeSpec]]:
    """One follow-up window of :func:`aggregate_over_time` as a person-level trial table.

    The randomisation list's columns, the window's counts and harm under the outcome names
    :func:`aggregate` uses (``suspect_knife``...), ``exposure_days`` (days observed in the
    window, cut at the extract's end) and the baseline columns (``<outcome>_pre<B>m``),
    each outcome's baseline declared as the first (shortest) baseline window. Times to
    first offence and the other windows are left to the Over time page.

    Raises
    ------
    DataError
        The window is not one the result holds (the extract ends before it for everyone).
    """
    if window not in result.windows:
        raise DataError(f"The extract ends before any {window}-month follow-up is complete: "
                        "choose a shorter follow-up or a later end date.")
    t = result.table
    suffix = f"_fu{window}m"
    outcome_cols = [c for c in t.columns if c.endswith(suffix) and not c.startswith("exposure")]
    base_cols = [c for c in t.columns if re.fullmatch(r".+_pre\d+m", str(c))]
    keep = [c for c in t.columns if not re.search(
        r"(_fu\d+m|_pre\d+m|_during|_after|_days|_event)$|^exposure_days|^followup_days|"
        r"^months_observed$", str(c))]
    out = t[keep].copy()
    first = f"_pre{result.baselines[0]}m" if result.baselines else None
    specs = []
    for c in outcome_cols:
        name = c[:-len(suffix)]
        out[name] = t[c]
        harm = name.endswith("_harm")
        specs.append(OutcomeSpec(name, _label(name), "crime harm (days)" if harm
                                 else "crimes per person", True,
                                 "continuous" if harm else "count",
                                 baseline=f"{name}{first}" if first and f"{name}{first}" in t
                                 else None))
    out["exposure_days"] = t[f"exposure_days{suffix}"]
    for c in base_cols:
        out[c] = t[c]
    return out, specs
