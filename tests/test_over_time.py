"""Aggregation over time: baselines, follow-up windows, programme periods, time to first
offence and month-by-month counts, counted by hand.

Every expected value below is counted by hand from the crimes listed (the comment on each
crime says where it falls); day differences were checked with a calendar.
Extract end 2025-03-31 (so the exclusive stop is 2025-04-01); windows 6, 12, 18, 24;
baselines 12, 24; programme 12 months.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fd_stats.data.aggregate import add_months, aggregate, aggregate_over_time, month_index
from fd_stats.errors import DataError
from fd_stats.data.io import read_table

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"
HARM = read_table(EX / "harm_lookup_example.csv")
GROUPS = read_table(ROOT / "data" / "offence_groups_example.csv")

PEOPLE = pd.DataFrame({
    "person_id": ["A", "B", "C", "D", "D", "E"],
    "arm": ["treatment", "control", "treatment", "control", "control", "treatment"],
    "randomisation_date": ["2023-01-10", "2024-02-29", "2024-10-01", "2023-01-10",
                           "2023-03-01", "2025-05-01"],
})
CRIMES = pd.DataFrame([
    # A, randomised 2023-01-10
    ("A", "2023-01-10", "possession_bladed_article", "suspect"),  # randomisation day: day 1; k
    ("A", "2023-07-09", "violence_with_injury", "suspect"),  # last day of 6 months: v vs npi, day 181
    ("A", "2023-07-10", "violence_without_injury", "suspect"),  # first day of month 7: v vs npi
    ("A", "2023-01-09", "theft", "suspect"),                  # day before: baseline 12m, npi
    ("A", "2022-01-10", "robbery_personal", "suspect"),       # first day of 12m baseline: v vs npi
    ("A", "2022-01-09", "rape", "suspect"),                   # 24m baseline only: vs npi
    ("A", "2024-02-01", "theft", "suspect"),                  # month 13: after programme, npi
    # B, randomised 29 February 2024: 12 months end (exclusive) on 28 February 2025
    ("B", "2025-02-27", "violence_with_injury_knife", "victim"),  # last day of 12m: k v vs npi
    ("B", "2025-02-28", "violence_without_injury", "victim"),     # month 13: v vs npi
    # C, randomised 2024-10-01; a time zone that would move the day if read in UTC
    ("C", "2024-10-01T23:30:00-05:00", "threaten_with_blade", "suspect"),  # day 1: k npi
    ("C", "2025-04-02", "theft", "suspect"),                  # after the extract end: ignored
    # D randomised twice (same arm): the first, 2023-01-10, counts
    ("D", "2023-02-15", "theft", "victim"),                   # month 2 of D: victim npi, day 37
    # E randomised after the extract end
    ("E", "2025-05-03", "theft", "suspect"),                  # after the end: ignored
], columns=["person_id", "date", "offence", "role"])
END = "2025-03-31"


@pytest.fixture(scope="module")
def res():
    return aggregate_over_time(CRIMES, PEOPLE, HARM, GROUPS, end_date=END, programme_months=12)


def row(res, pid):
    t = res.table
    return t[t.person_id == pid].iloc[0]


def test_person_randomised_twice_keeps_the_first(res):
    assert list(res.table.person_id) == ["A", "B", "C", "D", "E"]
    assert row(res, "D").randomisation_date == "2023-01-10"
    assert any("first randomisation" in n and "(rows 5)" in n for n in res.notes)
    with pytest.raises(DataError, match="different arms"):
        aggregate_over_time(CRIMES, PEOPLE.assign(arm=["treatment", "control", "treatment",
                                                       "control", "treatment", "treatment"]),
                            HARM, GROUPS, end_date=END)


def test_windows_as_far_as_the_data_reach(res):
    # 24 months from A (2023-01-10) end 2025-01-10 <= 2025-04-01: all four windows kept
    assert res.windows == (6, 12, 18, 24)
    short = aggregate_over_time(CRIMES, PEOPLE, HARM, GROUPS, end_date="2024-12-31")
    assert short.windows == (6, 12, 18)       # nobody has 24 complete months by then
    assert any("24 months are left out" in n for n in short.notes)


def test_person_a_counts_by_hand(res):
    a = row(res, "A")
    want = {  # (knife, violent, violent_sexual, non_police_initiated, harm)
        "pre12m": (0, 1, 1, 2, 2 + 100),
        "pre24m": (0, 1, 2, 3, 2 + 100 + 400),
        "fu6m": (1, 1, 1, 1, 20 + 40),
        "fu12m": (1, 2, 2, 2, 20 + 40 + 5),
        "fu18m": (1, 2, 2, 3, 20 + 40 + 5 + 2),
        "fu24m": (1, 2, 2, 3, 67),
        "during": (1, 2, 2, 2, 65),
        "after": (0, 0, 0, 1, 2),
    }
    for suffix, (k, v, vs, npi, h) in want.items():
        got = [a[f"suspect_{g}_{suffix}"] for g in ("knife", "violent", "violent_sexual",
                                                   "non_police_initiated", "harm")]
        assert got == [k, v, vs, npi, h], suffix
        assert a[f"victim_non_police_initiated_{suffix}"] == 0
    # exposure: 6 months = 181 days (Jan 10 -> Jul 10 2023); 12 = 365; 24 = 731
    assert a.exposure_days_fu6m == 181 and a.exposure_days_fu12m == 365
    assert a.exposure_days_fu24m == 731 and a.followup_days == 731
    assert a.exposure_days_during == 365 and a.exposure_days_after == 366  # 2024 is a leap year
    assert (a.suspect_knife_days, a.suspect_knife_event) == (1, 1)      # randomisation day
    assert (a.suspect_violent_days, a.suspect_violent_event) == (181, 1)
    assert (a.suspect_non_police_initiated_days, a.suspect_non_police_initiated_event) == (181, 1)
    assert (a.victim_violent_days, a.victim_violent_event) == (731, 0)  # censored
    assert a.months_observed == 24


def test_29_february(res):
    b = row(res, "B")
    assert b.victim_knife_fu12m == 1 and b.victim_violent_fu12m == 1   # 2025-02-27 in
    assert b.victim_violent_fu18m == 2                                 # 2025-02-28 is month 13
    assert b.exposure_days_fu12m == 365            # 2024-02-29 -> 2025-02-28
    assert b.exposure_days_fu18m == 397            # cut at the extract end: -> 2025-04-01
    assert b.followup_days == 397
    assert (b.victim_knife_days, b.victim_knife_event) == (365, 1)     # 2025-02-27 = day 365
    assert b.months_observed == 13                 # 2024-02-29 + 13 months = 2025-03-29 <= stop


def test_time_zone_extract_end_and_late_randomisation(res):
    c = row(res, "C")
    assert (c.suspect_knife_days, c.suspect_knife_event) == (1, 1)    # local date kept
    assert c.suspect_non_police_initiated_fu6m == 1                   # theft after end ignored
    assert c.exposure_days_fu6m == 182 and c.exposure_days_fu12m == 182
    assert c.followup_days == 182
    assert any("1 crime row(s) are dated after the extract's end" in n for n in res.notes) is False
    assert any("2 crime row(s) are dated after the extract's end" in n for n in res.notes)
    e = row(res, "E")
    assert e.exposure_days_fu6m == 0 and np.isnan(e.suspect_knife_days)
    assert any("randomised after the extract's end" in n for n in res.notes)


def test_twice_randomised_and_crime_free(res):
    d = row(res, "D")
    assert d.victim_non_police_initiated_fu6m == 1
    assert (d.victim_non_police_initiated_days, d.victim_non_police_initiated_event) == (37, 1)
    assert (d.suspect_knife_days, d.suspect_knife_event) == (731, 0)


def test_monthly_counts(res):
    m = res.monthly
    a = m[m.person_id == "A"].sort_values("month")
    assert a[["month", "role", "non_police_initiated", "knife"]].values.tolist() == [
        [1, "suspect", 0, 1], [6, "suspect", 1, 0], [7, "suspect", 1, 0], [13, "suspect", 1, 0]]
    b = m[m.person_id == "B"].sort_values("month")
    assert b[["month", "role", "violent"]].values.tolist() == [[12, "victim", 1], [13, "victim", 1]]
    assert set(m.person_id) == {"A", "B", "C", "D"}


def test_twelve_month_window_equals_the_single_window_import(res):
    one = aggregate(CRIMES, PEOPLE, HARM, GROUPS, months=12).table.set_index("person_id")
    t = res.table.set_index("person_id")
    for c in ("suspect_knife", "suspect_harm", "victim_violent", "victim_non_police_initiated"):
        # the single-window import has no extract end: C and E have crimes after it
        keep = ["A", "B", "D"]
        assert t.loc[keep, f"{c}_fu12m"].tolist() == one.loc[keep, c].tolist(), c


def test_baselines_are_declared_for_their_outcomes(res):
    assert res.baseline_of["suspect_knife_fu12m"] == "suspect_knife_pre12m"


def test_harm_per_crime_column_wins_over_the_lookup():
    crimes = CRIMES.assign(harm=[7.5] + [None] * (len(CRIMES) - 1))
    r = aggregate_over_time(crimes, PEOPLE, HARM, GROUPS, end_date=END)
    assert row(r, "A").suspect_harm_fu6m == 7.5 + 40
    r = aggregate_over_time(crimes.assign(harm=1.0), PEOPLE, None, GROUPS, end_date=END)
    assert row(r, "A").suspect_harm_fu6m == 2


@pytest.mark.parametrize("kwargs, message", [
    ({"end_date": "soon"}, "must be a date"),
    ({"end_date": "2023-02-01"}, "before anyone's shortest"),
    ({"end_date": END, "windows": "6,x"}, "whole numbers"),
    ({"end_date": END, "windows": [0, 6]}, "between 1 and 120"),
    ({"end_date": END, "programme_months": 24}, "no period after it"),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(DataError, match=message):
        aggregate_over_time(CRIMES, PEOPLE, HARM, GROUPS, **kwargs)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=pd.Timestamp("2000-01-01").date(),
                max_value=pd.Timestamp("2040-12-31").date()),
       st.integers(-30, 30), st.integers(-400, 1200))
def test_month_arithmetic_agrees_with_pandas(start, k, offset):
    s = np.array([np.datetime64(start, "D").astype(np.int64)])
    want = pd.Timestamp(start) + pd.DateOffset(months=k)
    assert np.datetime64(int(add_months(s, k)[0]), "D") == np.datetime64(want.date(), "D")
    d = s + offset
    m = int(month_index(d, s)[0])
    assert add_months(s, m)[0] <= d[0] < add_months(s, m + 1)[0]


def test_cli_aggregate_over_time(tmp_path):
    crimes, people = tmp_path / "crimes.csv", tmp_path / "people.csv"
    CRIMES.to_csv(crimes, index=False)
    PEOPLE.to_csv(people, index=False)
    out, monthly = tmp_path / "out.parquet", tmp_path / "monthly.csv"
    run = subprocess.run([sys.executable, "-m", "fd_stats", "aggregate", "--crimes", str(crimes),
                          "--people", str(people), "--harm", str(EX / "harm_lookup_example.csv"),
                          "--end-date", END, "--baseline-months", "12,24",
                          "--windows", "6,12,18,24", "--programme-months", "12",
                          "--out", str(out), "--monthly-out", str(monthly)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    t = pd.read_parquet(out).set_index("person_id")
    assert t.loc["A", "suspect_non_police_initiated_pre24m"] == 3
    assert t.loc["A", "exposure_days_after"] == 366
    assert len(read_table(monthly)) == 8  # A: months 1, 6, 7, 13; B: 12, 13; C: 1; D: 2
    bad = subprocess.run([sys.executable, "-m", "fd_stats", "aggregate", "--crimes", str(crimes),
                          "--people", str(people), "--harm", str(EX / "harm_lookup_example.csv"),
                          "--end-date", "31/02/2024", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.startswith("error: The extract's end date")


def test_extract_start_date_marks_incomplete_baselines():
    r = aggregate_over_time(CRIMES, PEOPLE, HARM, GROUPS, end_date=END, start_date="2022-01-01")
    # 24-month baselines: A and D from 2021-01-10 (before 2022); B, C, E from 2022-02-28 or later
    assert any("baseline of 2 person(s) begins before it" in n for n in r.notes)
    r = aggregate_over_time(CRIMES, PEOPLE, HARM, GROUPS, end_date=END, start_date="2021-01-01")
    assert not any("baseline" in n for n in r.notes)
