"""Offence-level import: a crimes extract + a randomisation list -> one row per person.

Inputs (each a table, read with :func:`fd_stats.io.read_table`):

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

from .analysis import _norm_label
from .errors import DataError
from .io import rows_text
from .mapping import GROUP_LABELS, OutcomeSpec

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_GROUPS = DATA_DIR / "offence_groups_example.csv"
ROLES = ("suspect", "victim")
ROLE_WORDS = {
    "suspect": ("suspect", "offender", "accused", "perpetrator", "suspect/offender", "s", "o",
                "charged", "arrested"),
    "victim": ("victim", "injured party", "injured_party", "aggrieved", "v"),
}
from .engagement import FALSE_WORDS, TRUE_WORDS  # noqa: E402  (one list of yes/no words)

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
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = list(values)
    is_text = [type(v) is str and v.isascii() for v in values]
    keys = np.array([None if t else key_of(v) for v, t in zip(values, is_text)], dtype=object)
    text = [v for v, t in zip(values, is_text) if t]
    if text:
        a = pc.replace_substring_regex(pa.array(text, pa.large_string()), _ASCII_SPACE, " ")
        a = pc.ascii_lower(pc.utf8_trim(a, " "))
        digits = pc.ascii_is_decimal(a)
        a = pc.if_else(digits, pc.utf8_ltrim(a, "0"), a)
        a = pc.if_else(pc.and_(digits, pc.equal(a, "")), "0", a)
        keys[np.asarray(is_text, dtype=bool)] = a.to_numpy(zero_copy_only=False)
    return keys


def _codes(series: pd.Series):
    """Factorize a column: (codes with -1 for missing, normalised unique keys).

    A categorical keeps its own small codes (no 8-byte copy per row of a large extract).
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), _key_text(list(series.cat.categories))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, _key_text(list(uniques))


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
    if pd.api.types.is_datetime64_any_dtype(series):
        s = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
        return s.dt.floor("D").to_numpy(dtype="datetime64[ns]")
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
    u = np.append(u.astype("datetime64[D]").astype("datetime64[ns]"), np.datetime64("NaT"))
    out = u[codes]          # code -1 (missing) -> the appended NaT
    if len(out) and np.isnat(out).all():
        shown = ", ".join(repr(str(v)) for v in list(uniques[:3]))
        raise DataError(f"{file}: no value in column {column!r} could be read as a date "
                        f"(e.g. {shown or 'all empty'}). Use dates like 2023-02-01 or 01/02/2023.")
    return out


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


def aggregate(crimes: pd.DataFrame, people: pd.DataFrame, harm: pd.DataFrame,
              groups: pd.DataFrame | None = None, months: int = 12, *,
              columns: dict | None = None, names: dict | None = None) -> AggregateResult:
    """Person-level outcomes from a crimes extract over a follow-up window.

    Parameters
    ----------
    crimes, people, harm, groups : pandas.DataFrame
        See the module docstring. ``groups`` None uses the bundled definitions.
    months : int
        Follow-up window length from each person's randomisation date.
    columns : dict, optional
        Explicit column names: ``crime_person_id``, ``date``, ``offence``,
        ``role``, ``police_initiated``, ``person_id``, ``randomisation_date``,
        ``harm_offence``, ``harm``. Unnamed ones are found by their usual names.
    names : dict, optional
        File names for messages: ``crimes``, ``people``, ``harm``, ``groups``.

    Returns
    -------
    AggregateResult
    """
    cols = dict(columns or {})
    fn = {"crimes": "the crimes extract", "people": "the randomisation list",
          "harm": "the harm lookup", "groups": "the offence groups file", **(names or {})}
    try:
        months = int(months)
    except (TypeError, ValueError):
        raise DataError(f"The follow-up must be a whole number of months; got {months!r}.") from None
    if not 1 <= months <= 120:
        raise DataError(f"The follow-up must be between 1 and 120 months; got {months}.")
    for t, k in ((crimes, "crimes"), (people, "people"), (harm, "harm")):
        if not isinstance(t, pd.DataFrame) or t.shape[0] == 0:
            raise DataError(f"{fn[k]} has no rows.")
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
    p_pid = find_column(people, PEOPLE_NAMES["person_id"], "person id", fn["people"],
                        given=cols.get("person_id"))
    p_date = find_column(people, PEOPLE_NAMES["randomisation_date"], "randomisation date",
                         fn["people"], given=cols.get("randomisation_date"))
    notes: list[str] = []

    # ---- lookups
    harm_of = read_harm(harm, fn["harm"], cols.get("harm_offence"), cols.get("harm"))
    g_keys, g_names, g_mat = read_groups(groups, fn["groups"])
    g_index = {k: i for i, k in enumerate(g_keys)}

    # ---- people
    n_people = len(people)
    p_keys = _key_text(people[p_pid].tolist())
    empty_id = p_keys == ""
    if empty_id.any():
        raise DataError(f"{fn['people']}: rows {rows_text(np.flatnonzero(empty_id))} have no "
                        f"person id in column {p_pid!r}. Every randomised person needs an id.")
    dup = pd.Series(p_keys).duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataError(f"{fn['people']}: person ids appear more than once (rows "
                        f"{rows_text(np.flatnonzero(dup))}). List each randomised person once.")
    start = parse_dates(people[p_date], fn["people"], p_date, notes)
    no_start = np.isnat(start)
    if no_start.any():
        notes.append(f"{int(no_start.sum())} person(s) in {fn['people']} have no readable "
                     f"randomisation date (rows {rows_text(np.flatnonzero(no_start))}); their "
                     "outcomes are left empty. Fill in the dates to count their crimes.")
    safe_start = np.where(no_start, np.datetime64("1970-01-01", "ns"), start)
    end = (pd.DatetimeIndex(safe_start) + pd.DateOffset(months=months)).to_numpy("datetime64[ns]")
    start_i = safe_start.astype("int64")
    end_i = end.astype("int64")

    # ---- crimes, factorized (loops below run over distinct values, never over rows)
    n_crimes = len(crimes)
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
    dates = parse_dates(crimes[c_date], fn["crimes"], c_date, notes)
    d_i = dates.astype("int64")
    bad_date = np.isnat(dates)

    # ---- what is counted
    in_list = person >= 0
    p_safe = np.where(in_list, person, 0)
    has_start = in_list & ~no_start[p_safe]
    in_window = has_start & ~bad_date & (d_i >= start_i[p_safe]) & (d_i < end_i[p_safe])
    use = in_window & (role >= 0)

    n_unknown_person = int((~in_list).sum())
    if n_unknown_person:
        ex = ", ".join(repr(str(v)) for v in pd.unique(crimes[c_pid][~in_list])[:3])
        notes.append(f"{n_unknown_person:,} crime row(s) belong to people not in "
                     f"{fn['people']} (e.g. {ex}) and were ignored.")
    if (bad_date & in_list).any():
        r = np.flatnonzero(bad_date & in_list)
        notes.append(f"{len(r):,} crime row(s) have no readable date in column {c_date!r} "
                     f"(rows {rows_text(r)}) and were ignored.")
    bad_role = in_window & (role < 0)
    if bad_role.any():
        vals = ", ".join(repr(str(v)) for v in pd.unique(crimes[c_role][bad_role])[:4])
        notes.append(f"{int(bad_role.sum()):,} crime row(s) in the window have a role other than "
                     f"suspect or victim ({vals}) and were ignored.")
    # from here on, only the counted rows
    rows = np.flatnonzero(use)
    offence = oc[rows]
    unknown_harm = np.isnan(u_harm[offence])
    if unknown_harm.any():
        vals = ", ".join(repr(str(v)) for v in
                         pd.unique(crimes[c_off].iloc[rows[unknown_harm]])[:5])
        notes.append(f"{int(unknown_harm.sum()):,} counted crime(s) have offences not in "
                     f"{fn['harm']} ({vals}); they add 0 to harm. Add them to the lookup.")
    unknown_grp = ~u_known[offence]
    if unknown_grp.any():
        vals = ", ".join(repr(str(v)) for v in
                         pd.unique(crimes[c_off].iloc[rows[unknown_grp]])[:5])
        notes.append(f"{int(unknown_grp.sum()):,} counted crime(s) have offences not in "
                     f"{fn['groups']} ({vals}); they are in no offence group. Add them to the "
                     "groups file.")

    # ---- counts: one bincount per group over key = person * n_roles + role
    n_roles = len(ROLES)
    key = p_safe[rows].astype(np.int64) * n_roles + role[rows]
    size = n_people * n_roles
    out = {}
    crime_grp = u_grp[offence]  # (counted crimes, n_groups) bool
    if c_pi is not None and "non_police_initiated" in g_names:
        flag = _flag(crimes[c_pi])
        j = g_names.index("non_police_initiated")
        known = ~np.isnan(flag)
        counted_flag = flag[rows]
        counted_known = known[rows]
        crime_grp[counted_known, j] = counted_flag[counted_known] == 0
        notes.append(f"Non-police-initiated crimes taken from column {c_pi!r} where it is filled "
                     f"in ({int(known.sum()):,} rows), otherwise from {fn['groups']}.")
    harm_w = np.nan_to_num(u_harm[offence], nan=0.0)
    harm_sum = np.bincount(key, weights=harm_w, minlength=size).reshape(n_people, n_roles)
    for r, rname in enumerate(ROLES):
        out[f"{rname}_harm"] = harm_sum[:, r]
    for g, gname in enumerate(g_names):
        cnt = np.bincount(key[crime_grp[:, g]], minlength=size).reshape(n_people, n_roles)
        for r, rname in enumerate(ROLES):
            out[f"{rname}_{gname}"] = cnt[:, r].astype(np.int64)
    order = [f"{r}_harm" for r in ROLES[:1]] + [f"{ROLES[0]}_{g}" for g in g_names] + \
            [f"{r}_harm" for r in ROLES[1:]] + [f"{ROLES[1]}_{g}" for g in g_names]
    clash = [c for c in order if c in map(str, people.columns)]
    if clash:
        raise DataError(f"{fn['people']} already has column(s) {', '.join(clash)}, which the "
                        "aggregation creates. Rename or remove them from the randomisation list.")
    new = pd.DataFrame({c: out[c] for c in order}, index=people.index)
    if no_start.any():
        new = new.astype(float)
        new.loc[no_start, :] = np.nan
    table = pd.concat([people.reset_index(drop=True), new.reset_index(drop=True)], axis=1)

    # ---- follow-up completeness
    latest = d_i[~bad_date].max() if (~bad_date).any() else None
    if latest is not None:
        short = ~no_start & (end_i > latest + 86_400_000_000_000)
        if short.any():
            notes.append(f"The latest crime in {fn['crimes']} is on "
                         f"{pd.Timestamp(latest).date()}, but {int(short.sum())} person(s)' "
                         f"{months}-month follow-up ends after that: their counts may be "
                         "incomplete if the extract stops before their window ends.")
    outcomes = [OutcomeSpec(c, _label(c), "crime harm (days)" if c.endswith("_harm")
                            else "crimes per person", True,
                            "continuous" if c.endswith("_harm") else "count") for c in order]
    summary = {"people": n_people, "crime_rows": n_crimes, "crimes_counted": int(use.sum()),
               "outside_window": int((has_start & ~bad_date & ~in_window).sum()),
               "unknown_person": n_unknown_person, "months": months, "groups": g_names}
    used = {"crime_person_id": c_pid, "date": c_date, "offence": c_off, "role": c_role,
            "police_initiated": c_pi, "person_id": p_pid, "randomisation_date": p_date}
    return AggregateResult(table, outcomes, notes, summary, used)


def _label(column: str) -> str:
    role, _, group = column.partition("_")
    base = GROUP_LABELS.get(group, group.replace("_", " ").capitalize() + " crimes")
    return f"{base} as {role}"
