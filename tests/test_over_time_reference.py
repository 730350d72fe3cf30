"""The vectorised over-time aggregation against a slow, obvious one written here.

The reference counts each person's crimes window by window with pandas Timestamps and
``DateOffset(months=)`` (not the module's day arithmetic), on seeded random extracts with
the awkward cases mixed in: randomisation on 29 February and on month ends, crimes on a
window's first and last day, before randomisation, after the extract end, unknown
people, roles and offences, unreadable dates, a person without a randomisation date.
Counts must be equal exactly; harm sums to 1e-12 relative (the order of adding differs).
"""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fd_stats.data.aggregate import (_key_text, add_months, aggregate_over_time, key_of,
                                     month_index)
from fd_stats.data.io import read_table
from fd_stats.errors import DataError
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GROUPS = read_table(ROOT / "data" / "offence_groups_example.csv")
END = pd.Timestamp("2024-06-30")
WINDOWS, BASES, PROG = (6, 12, 18, 24), (12, 24), 12


def extract(seed: int, n_people: int = 60, n_rows: int = 1500):
    rng = np.random.default_rng(seed)
    awkward = pd.to_datetime(["2020-02-29", "2020-01-31", "2020-03-31", "2021-08-31",
                              "2020-12-31", "2021-02-28"])
    start = pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n_people), "D")
    start = start.where(rng.random(n_people) > 0.2, awkward[rng.integers(0, 6, n_people)])
    people = pd.DataFrame({"person_id": [f"P{i}" for i in range(n_people)],
                           "arm": rng.choice(["treatment", "control"], n_people),
                           "randomisation_date": start.strftime("%Y-%m-%d")})
    people.loc[3, "randomisation_date"] = None                      # no date: NaN rows
    person = rng.integers(0, n_people + 3, n_rows)                   # + unknown people
    s = start[np.minimum(person, n_people - 1)]
    day = s + pd.to_timedelta(rng.integers(-800, 800, n_rows), "D")
    # a third of the crimes on a window's first or last day
    edge = rng.random(n_rows) < 0.33
    k = rng.choice([-24, -12, 0, 6, 12, 18, 24], n_rows)
    on = pd.DatetimeIndex([a + pd.DateOffset(months=int(m)) for a, m in zip(s, k)])
    day = day.where(~edge, on - pd.to_timedelta(rng.integers(0, 2, n_rows), "D"))
    codes = list(GROUPS.offence) + ["mystery"]
    crimes = pd.DataFrame({
        "person_id": [f"P{i}" for i in person],
        "date": day.strftime("%Y-%m-%d"),
        "offence": rng.choice(codes, n_rows),
        "role": rng.choice(["suspect", "victim", "witness"], n_rows, p=[0.5, 0.45, 0.05]),
        "police_initiated": rng.choice(["yes", "no", None], n_rows),
        "harm": np.round(rng.gamma(0.8, 100, n_rows), 1),
    })
    crimes.loc[rng.random(n_rows) < 0.01, "date"] = "not a date"
    crimes.loc[rng.random(n_rows) < 0.3, "harm"] = None
    harm = pd.DataFrame({"offence": codes[:-1], "harm_days": np.arange(1.5, len(codes) + 0.5)})
    return crimes, people, harm


def reference(crimes, people, harm):
    """Window by window, person by person, with pandas date offsets."""
    g = GROUPS.set_index("offence")
    names = [c for c in g.columns if c != "description"]
    c = crimes[crimes.date != "not a date"].copy()
    c["day"] = pd.to_datetime(c.date)
    c = c[c.role.isin(["suspect", "victim"]) & (c.day <= END)]
    c["h"] = c.harm.fillna(c.offence.map(dict(zip(harm.offence, harm.harm_days)))).fillna(0.0)
    for name in names:
        member = c.offence.map(g[name].eq("yes")).fillna(False).astype(bool)
        if name == "non_police_initiated":
            member = member.where(c.police_initiated.isna(), c.police_initiated.eq("no"))
        c[name] = member
    periods = {f"pre{b}m": (-b, 0) for b in BASES} | {f"fu{w}m": (0, w) for w in WINDOWS}
    periods |= {"during": (0, PROG), "after": (PROG, max(WINDOWS))}
    stop = END + pd.Timedelta(days=1)
    out = {}
    for pid, date in zip(people.person_id, people.randomisation_date):
        if pd.isna(date):
            continue
        s = pd.Timestamp(date)
        mine = c[c.person_id == pid]
        row = {}
        at = {m: s + pd.DateOffset(months=m) for m in range(-24, 25)}
        for label, (lo, hi) in periods.items():
            w = mine[(mine.day >= at[lo]) & (mine.day < at[hi])]
            for role in ("suspect", "victim"):
                r = w[w.role == role]
                row[f"{role}_harm_{label}"] = r.h.sum()
                for name in names:
                    row[f"{role}_{name}_{label}"] = int(r[name].sum())
            if lo >= 0:
                exp = (min(at[hi], stop) - min(at[lo], stop)).days
                row[f"exposure_days_{label}"] = max(exp, 0)
        follow = max((min(at[24], stop) - s).days, 0)
        row["followup_days"] = follow
        fu = mine[(mine.day >= s) & (mine.day < at[24])]
        for name in names:
            for role in ("suspect", "victim"):
                hit = fu[(fu.role == role) & fu[name]]
                row[f"{role}_{name}_days"] = (hit.day.min() - s).days + 1 if len(hit) else follow
                row[f"{role}_{name}_event"] = float(len(hit) > 0)
        row["months_observed"] = max(m for m in range(0, 25) if m == 0 or at[m] <= stop)
        months = [max(m for m in range(0, 24) if at[m] <= d) for d in fu.day]
        out[pid] = (row, fu.assign(month=[m + 1 for m in months]))
    return out, names


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_column_equals_the_window_by_window_reference(seed):
    crimes, people, harm = extract(seed)
    got = aggregate_over_time(crimes, people, harm, GROUPS, end_date=END.date(),
                              baseline_months=BASES, windows=WINDOWS, programme_months=PROG)
    want, names = reference(crimes, people, harm)
    t = got.table.set_index("person_id")
    assert t.loc["P3"].filter(like="_fu6m").isna().all()        # no randomisation date
    compared = 0
    for pid, (row, _) in want.items():
        for col, v in row.items():
            if "harm" in col:
                assert t.at[pid, col] == pytest.approx(v, rel=1e-12, abs=1e-9), (pid, col)
            else:
                assert t.at[pid, col] == v, (pid, col, t.at[pid, col], v)
            compared += 1
    assert compared > 60 * 100
    # month by month: every follow-up crime in its month, nothing else
    m = got.monthly
    for pid, (_, fu) in want.items():
        mine = m[m.person_id == pid]
        for role in ("suspect", "victim"):
            r = fu[fu.role == role]
            for name in names:
                expect = r.groupby("month")[name].sum()
                expect = expect[expect > 0]
                have = mine[(mine.role == role) & (mine[name] > 0)].set_index("month")[name]
                assert have.sort_index().to_dict() == expect.sort_index().to_dict(), (pid, name)


def test_counts_stay_whole_numbers_and_windows_sum_up():
    crimes, people, harm = extract(7)
    people.loc[3, "randomisation_date"] = "2021-05-05"               # everyone dated: ints
    t = aggregate_over_time(crimes, people, harm, GROUPS, end_date=END.date(),
                            programme_months=PROG).table
    assert t.suspect_knife_fu12m.dtype == np.int64 and t.suspect_harm_fu12m.dtype == float
    assert (t.suspect_violent_during + t.suspect_violent_after == t.suspect_violent_fu24m).all()
    assert (t.victim_knife_fu6m <= t.victim_knife_fu12m).all()


def test_calendar_tables_equal_pandas_offsets_for_many_days():
    """add_months and month_index read a calendar table for large arrays: the same days
    as pandas DateOffset, month ends and 29 February included."""
    rng = np.random.default_rng(5)
    days = rng.integers(np.datetime64("1999-01-01").astype(int),
                        np.datetime64("2031-01-01").astype(int), 5000)
    days[:40] = np.datetime64("2024-02-29").astype(int) + np.arange(-20, 20)
    for k in (-25, -1, 1, 13):
        want = (pd.to_datetime(days, unit="D") + pd.DateOffset(months=k)).to_numpy()
        assert (add_months(days, k) == want.astype("datetime64[D]").astype(int)).all(), k
    start = np.roll(days, 7)
    m = month_index(days, start)
    assert (add_months(start, m) <= days).all() and (days < add_months(start, m + 1)).all()
    small = np.array([month_index(days[i:i + 1], start[i:i + 1])[0] for i in range(0, 5000, 97)])
    assert (small == m[::97]).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(), st.text(alphabet=" \t\x0b\x1c0123aBß"), st.none()),
                max_size=30))
def test_keys_of_a_text_column_equal_the_per_value_rule(values):
    """Person ids given as a pandas column (read by pyarrow whole) = key_of per value."""
    want = [key_of(v) for v in values]
    assert list(_key_text(pd.Series(values, dtype=object))) == want
    assert list(_key_text(pd.Index(values, dtype=object))) == want
    assert list(_key_text(pd.Series(values, dtype="str"))) == [
        key_of(v) for v in pd.Series(values, dtype="str").tolist()]


def test_many_groups_and_a_bool_police_flag():
    crimes, people, harm = extract(11)
    groups = GROUPS.copy()
    for i in range(10):                    # 14 groups: two bytes a crime for the group bits
        groups[f"extra_{i}"] = np.where(np.arange(len(groups)) % (i + 2) == 0, "yes", "no")
    crimes = crimes.assign(police_initiated=crimes.police_initiated.eq("yes"))
    got = aggregate_over_time(crimes, people, harm, groups, end_date=END.date()).table
    got = got.set_index("person_id")
    fu = crimes[crimes.role.eq("suspect") & crimes.date.ne("not a date")].copy()
    fu["day"] = pd.to_datetime(fu.date)
    for i in (0, 9):
        member = fu.offence.map(groups.set_index("offence")[f"extra_{i}"].eq("yes")).fillna(False)
        for pid in ("P1", "P7"):
            s = pd.Timestamp(people.set_index("person_id").at[pid, "randomisation_date"])
            w = fu[(fu.person_id == pid) & (fu.day >= s) & (fu.day < s + pd.DateOffset(months=12))
                   & (fu.day <= END) & member]
            assert got.at[pid, f"suspect_extra_{i}_fu12m"] == len(w)
    npi = fu[~fu.police_initiated & fu.person_id.eq("P1")]
    s = pd.Timestamp(people.set_index("person_id").at["P1", "randomisation_date"])
    npi = npi[(npi.day >= s) & (npi.day < s + pd.DateOffset(months=12)) & (npi.day <= END)]
    assert got.at["P1", "suspect_non_police_initiated_fu12m"] == len(npi)
    groups = groups.assign(**{f"more_{i}": "no" for i in range(60)})
    with pytest.raises(DataError, match="at most 64 offence groups"):
        aggregate_over_time(crimes, people, harm, groups, end_date=END.date())


def test_dates_before_1970_count_like_any_other():
    """Day numbers are negative before 1970; an unreadable date beside them counts nowhere."""
    people = pd.DataFrame({"person_id": ["A"], "arm": ["treatment"],
                           "randomisation_date": ["1968-01-31"]})
    crimes = pd.DataFrame([
        ("A", "1968-01-31", "theft", "suspect"),          # randomisation day: day 1, fu6m
        ("A", "1968-02-29", "theft", "suspect"),          # 1 month on (31 Jan + 1 month): fu6m
        ("A", "1967-12-31", "theft", "suspect"),          # baseline 12 months
        ("A", "not a date", "theft", "suspect"),          # unreadable: counted nowhere
        ("A", "1968-07-31", "theft", "suspect"),          # 31 Jan + 6 months: month 7, fu12m
    ], columns=["person_id", "date", "offence", "role"])
    harm = pd.DataFrame({"offence": ["theft"], "harm_days": [2.0]})
    t = aggregate_over_time(crimes, people, harm, GROUPS, end_date="1969-12-31",
                            windows=(6, 12)).table.iloc[0]
    assert t.suspect_non_police_initiated_fu6m == 2
    assert t.suspect_non_police_initiated_fu12m == 3
    assert t.suspect_non_police_initiated_pre12m == 1 and t.suspect_harm_pre12m == 2.0
    assert (t.suspect_non_police_initiated_days, t.suspect_non_police_initiated_event) == (1, 1)
    assert t.exposure_days_fu6m == 182                  # 1968-01-31 -> 1968-07-31 (leap year)
