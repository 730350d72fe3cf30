"""Offence-level import: crimes extract + randomisation list -> person-level table -> analysis.

The tiny case below is counted by hand (comments give each person's crimes in
and out of the window); the Welch results come from R 4.x:

    f <- function(x, y) { r <- t.test(x, y); c(r$statistic, r$parameter, r$p.value, r$conf.int) }
    f(c(191,20,0), c(522,7,100))   # suspect_harm
    f(c(1,1,0), c(1,0,0))          # suspect_knife
    f(c(2,0,0), c(2,1,1))          # suspect_violent
    f(c(2,0,0), c(3,1,2))          # suspect_violent_sexual
    f(c(2,0,0), c(4,1,2))          # suspect_non_police_initiated
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fd_stats import Mapping, analyse
from fd_stats.data.aggregate import aggregate, parse_dates
from fd_stats.errors import DataError
from fd_stats.data.io import read_table

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"
HARM = read_table(EX / "harm_lookup_example.csv")
GROUPS = read_table(ROOT / "data" / "offence_groups_example.csv")

PEOPLE = pd.DataFrame({
    "person_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
    "arm": ["treatment"] * 3 + ["control"] * 3,
    "randomisation_date": ["2023-01-15", "2023-02-01", "2023-03-10",
                           "2023-01-20", "2023-02-05", "2023-03-01"],
    "age_group": ["11-17", "18-25", "11-17", "18-25", "11-17", "18-25"],
})
CRIMES = pd.DataFrame([
    # P1 window [2023-01-15, 2024-01-15)
    ("P1", "2023-02-01", "violence_with_injury", "suspect", None),        # in: v vs npi, 40
    ("P1", "01/06/2023", "robbery_personal_knife", "Suspect", None),      # in (UK date): k v vs npi, 150
    ("P1", "2023-07-01", "drugs_possession", "suspect", None),            # in: no group, 1
    ("P1", "2024-01-15", "violence_with_injury", "suspect", None),        # out: end is exclusive
    ("P1", "2022-12-01", "theft", "suspect", None),                       # out: before randomisation
    # P2 window [2023-02-01, 2024-02-01)
    ("P2", "2023-02-01", "possession_bladed_article", "suspect", None),   # in (first day): k, 20
    ("P2", "2023-05-05", "violence_without_injury", "victim", None),      # victim: v vs npi, 5
    # P3: no crimes at all -> zeros
    # P4 window [2023-01-20, 2024-01-20)
    ("P4", "2023-02-01", "violence_with_injury", "suspect", None),        # v vs npi, 40
    ("P4", "2023-03-01", "violence_with_injury_knife", "suspect", None),  # k v vs npi, 80
    ("P4", "2023-04-01", "rape", "suspect", None),                        # vs npi, 400
    ("P4", "2024-01-19", "theft", "suspect", None),                       # npi, 2 (last day in)
    ("P4", "2023-06-01", "robbery_personal", "victim", None),             # victim: v vs npi, 100
    # P5 window [2023-02-05, 2024-02-05)
    ("P5", "2023-02-05", "public_order", "suspect", "Y"),                 # police-initiated: 2
    ("P5", "2023-12-31", "violence_without_injury", "suspect", "N"),      # v vs npi, 5
    ("P5", "2024-02-05", "burglary", "suspect", None),                    # out
    # P6 window [2023-03-01, 2024-03-01)
    ("P6", "2023-03-05", "violence_with_injury", "suspect", None),        # v vs npi, 40
    ("P6", "2023-04-05", "other_sexual", "suspect", None),                # vs npi, 60
    ("P9", "2023-04-05", "rape", "suspect", None),                        # not randomised: ignored
    ("P6", "2023-05-05", "theft", "witness", None),                       # not suspect/victim
], columns=["person_id", "date", "offence", "role", "police_initiated"])

# hand-counted suspect outcomes, people P1..P6
EXPECTED = {
    "suspect_harm": [191, 20, 0, 522, 7, 100],
    "suspect_knife": [1, 1, 0, 1, 0, 0],
    "suspect_violent": [2, 0, 0, 2, 1, 1],
    "suspect_violent_sexual": [2, 0, 0, 3, 1, 2],
    "suspect_non_police_initiated": [2, 0, 0, 4, 1, 2],
    "victim_harm": [0, 5, 0, 100, 0, 0],
    "victim_violent": [0, 1, 0, 1, 0, 0],
    "victim_knife": [0] * 6,
}
# R t.test(x, y) (Welch): t, df, p, conf.int
R_WELCH = {
    "suspect_harm": (-0.821283061934, 2.572941554490, 0.480635450301,
                     -733.659657892366, 454.992991225699),
    "suspect_knife": (0.707106781187, 4.0, 0.518518518519, -0.975495440985, 1.642162107652),
    "suspect_violent": (-0.894427191000, 2.941176470588, 0.438193049623,
                        -3.065787688420, 1.732454355086),
    "suspect_violent_sexual": (-1.511857892037, 3.92, 0.206525832158,
                               -3.801761921655, 1.135095254989),
    "suspect_non_police_initiated": (-1.507556722889, 3.723076923077, 0.211298666268,
                                     -4.828313372454, 1.494980039121),
}


@pytest.fixture(scope="module")
def result():
    return aggregate(CRIMES, PEOPLE, HARM, GROUPS, months=12)


def test_hand_counted_table(result):
    t = result.table
    assert list(t["person_id"]) == list(PEOPLE["person_id"])
    for col, want in EXPECTED.items():
        assert t[col].tolist() == want, col
    # people with no crimes get zeros, never missing
    assert not t.filter(regex="^(suspect|victim)_").isna().any().any()
    assert list(t.columns[:4]) == list(PEOPLE.columns)
    assert result.summary["crimes_counted"] == 14
    assert result.summary["unknown_person"] == 1
    notes = " ".join(result.notes)
    assert "not in the randomisation list" in notes and "'witness'" in notes


def test_analysis_matches_r(result):
    res = analyse(result.table, Mapping(outcomes=tuple(R_WELCH)))
    for col, (t, df, p, lo, hi) in R_WELCH.items():
        row = res[res.outcome == col].iloc[0]
        assert row.statistic == pytest.approx(t, abs=1e-9)
        assert row.df == pytest.approx(df, abs=1e-9)
        assert row.p_value == pytest.approx(p, abs=1e-9)
        assert row.ci_low == pytest.approx(lo, abs=1e-7)
        assert row.ci_high == pytest.approx(hi, abs=1e-7)


def test_shorter_window_and_default_groups():
    r = aggregate(CRIMES, PEOPLE, HARM, None, months=1)
    # 1 month: P1 [01-15, 02-15): VWI on 02-01; P2: blade on 02-01; P4 [01-20, 02-20): VWI 02-01;
    # P5 [02-05, 03-05): public order (police-initiated); P6 [03-01, 04-01): VWI 03-05
    assert r.table["suspect_violent"].tolist() == [1, 0, 0, 1, 0, 1]
    assert r.table["suspect_knife"].tolist() == [0, 1, 0, 0, 0, 0]
    assert r.table["suspect_harm"].tolist() == [40, 20, 0, 40, 2, 40]


def test_ids_match_across_number_formats():
    people = PEOPLE.assign(person_id=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    crimes = CRIMES.assign(person_id=CRIMES["person_id"].str.replace("P", "00"))
    r = aggregate(crimes, people, HARM, GROUPS)
    assert r.table["suspect_violent"].tolist() == EXPECTED["suspect_violent"]


def test_missing_randomisation_date_leaves_outcomes_empty():
    people = PEOPLE.copy()
    people.loc[2, "randomisation_date"] = None
    r = aggregate(CRIMES, people, HARM, GROUPS)
    assert r.table.loc[2, "suspect_violent"] != r.table.loc[2, "suspect_violent"]  # NaN
    assert "no readable randomisation date" in " ".join(r.notes)


@pytest.mark.parametrize("change, message", [
    (lambda c, p, h: (c.drop(columns="role"), p, h), "no column for the role"),
    (lambda c, p, h: (c, p.assign(person_id=["P1"] * 6), h), "more than once"),
    (lambda c, p, h: (c, p, h.assign(harm_days="lots")), "should hold numbers"),
    (lambda c, p, h: (c, p, h.assign(harm_days=-1)), "cannot be negative"),
    (lambda c, p, h: (c.assign(date="yesterday"), p, h), "could be read as a date"),
    (lambda c, p, h: (c.iloc[0:0], p, h), "has no rows"),
])
def test_bad_inputs_raise_dataerror(change, message):
    c, p, h = change(CRIMES.copy(), PEOPLE.copy(), HARM.copy())
    with pytest.raises(DataError, match=message):
        aggregate(c, p, h, GROUPS)


def test_bad_months():
    with pytest.raises(DataError, match="between 1 and 120"):
        aggregate(CRIMES, PEOPLE, HARM, GROUPS, months=0)


def test_parse_dates_uk_and_iso():
    d = parse_dates(pd.Series(["2023-02-01", "01/02/2023", None]), "f", "date")
    assert str(d[0])[:10] == "2023-02-01"
    assert np.isnat(d[2])


def test_vectorised_on_a_large_extract():
    """Two hundred thousand crime rows aggregate and match a pandas groupby count."""
    rng = np.random.default_rng(3)
    n_people, n = 2_000, 200_000
    ids = np.array([f"X{i}" for i in range(n_people)], dtype=object)
    people = pd.DataFrame({"person_id": ids, "arm": rng.choice(["treatment", "control"], n_people),
                           "randomisation_date": "2023-01-01"})
    offs = GROUPS["offence"].to_numpy()
    crimes = pd.DataFrame({
        "person_id": ids[rng.integers(0, n_people, n)],
        "date": pd.Timestamp("2022-06-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
        "offence": rng.choice(offs, n), "role": rng.choice(["suspect", "victim"], n)})
    r = aggregate(crimes, people, HARM, GROUPS)
    inwin = crimes[(crimes.date >= "2023-01-01") & (crimes.date < "2024-01-01")]
    violent = set(GROUPS.loc[GROUPS.violent == "yes", "offence"])
    want = (inwin[(inwin.role == "suspect") & inwin.offence.isin(violent)]
            .groupby("person_id").size().reindex(ids, fill_value=0))
    assert r.table["suspect_violent"].tolist() == want.tolist()


def test_cli_aggregate_then_analyse(tmp_path):
    crimes, people = tmp_path / "crimes.csv", tmp_path / "people.csv"
    CRIMES.to_csv(crimes, index=False)
    PEOPLE.to_csv(people, index=False)
    out = tmp_path / "out.csv"
    run = subprocess.run([sys.executable, "-m", "fd_stats", "aggregate", "--crimes", str(crimes),
                          "--people", str(people), "--harm", str(EX / "harm_lookup_example.csv"),
                          "--months", "12", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    table = read_table(out)
    assert table["suspect_violent_sexual"].tolist() == EXPECTED["suspect_violent_sexual"]
    run = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", str(out), "--format",
                          "csv", "--outcome", "suspect_violent_sexual"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    res = pd.read_csv(__import__("io").StringIO(run.stdout))
    assert res.p_value.iloc[0] == pytest.approx(R_WELCH["suspect_violent_sexual"][2], abs=1e-9)


@pytest.mark.parametrize("args", [
    ["--crimes", "nope.csv", "--people", "x.csv", "--harm", "y.csv", "--out", "o.csv"],
    ["--crimes", "c.csv", "--people", "x.csv", "--harm", "y.csv", "--out", "o.txt"],
    ["--people", "x.csv"],
    ["--crimes", "c.csv", "--people", "x.csv", "--harm", "y.csv", "--out", "o.csv",
     "--months", "zero"],
])
def test_cli_aggregate_errors_are_one_line(args, tmp_path):
    run = subprocess.run([sys.executable, "-m", "fd_stats", "aggregate", *args],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), run.stderr
    assert "Traceback" not in run.stderr


def test_python_m_fd_stats_aggregate(tmp_path):
    out = tmp_path / "people.parquet"
    run = subprocess.run([sys.executable, "-m", "fd_stats", "aggregate",
                          "--crimes", str(EX / "crimes_example.csv"),
                          "--people", str(EX / "randomisation_example.csv"),
                          "--harm", str(EX / "harm_lookup_example.csv"), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert len(pd.read_parquet(out)) == 160


def test_dates_with_times_and_time_zones_keep_their_local_day():
    """Found in review: one value with a time zone made every ISO date unreadable."""
    from fd_stats.data.aggregate import parse_dates

    got = parse_dates(pd.Series(["2023-01-30", "2023-03-01T00:30:00+01:00", "28/02/2023",
                                 "2023-02-01 15:00", None]), "crimes.csv", "date")
    assert [str(d)[:10] for d in got] == ["2023-01-30", "2023-03-01", "2023-02-28",
                                          "2023-02-01", "NaT"]
    aware = parse_dates(pd.Series(["2023-03-01T00:30:00+01:00", "2023-03-02T23:30:00+01:00"]),
                        "crimes.csv", "date")
    assert [str(d)[:10] for d in aware] == ["2023-03-01", "2023-03-02"]


@given(st.lists(st.one_of(st.text(), st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1f\x85\xa00123aBß"),
                          st.integers(), st.floats(), st.none()), max_size=40))
def test_keys_for_many_values_equal_the_per_value_rule(values):
    """The column-wise normalisation of ids and offence codes = key_of on each value."""
    from fd_stats.data.aggregate import _key_text, key_of

    assert list(_key_text(values)) == [key_of(v) for v in values]


def test_counted_crimes_with_unknown_offences_are_named():
    extra = pd.DataFrame([("P1", "2023-03-10", "Mystery Offence", "suspect", None),
                          ("P1", "2025-12-01", "Other Unknown", "suspect", None)],  # out of window
                         columns=CRIMES.columns)
    notes = " ".join(aggregate(pd.concat([CRIMES, extra]), PEOPLE, HARM, GROUPS).notes)
    assert "1 counted crime(s) have offences not in the harm lookup ('Mystery Offence')" in notes
    assert "1 counted crime(s) have offences not in the offence groups file ('Mystery Offence')" \
        in notes
    assert "Other Unknown" not in notes


def test_categorical_extract_gives_the_same_table_and_notes(result):
    cat = CRIMES.astype({"person_id": "category", "offence": "category", "role": "category"})
    again = aggregate(cat, PEOPLE, HARM, GROUPS, months=12)
    pd.testing.assert_frame_equal(again.table, result.table)
    assert again.notes == result.notes


def test_month_first_dates_are_detected_not_silently_swapped():
    """02/13/2023 can only be month first, so 03/01/2023 in the same column is 1 March,
    not 3 January; a column with both kinds is refused rather than guessed."""
    notes = []
    got = parse_dates(pd.Series(["02/13/2023", "03/01/2023", "2023-05-06", None]),
                      "crimes.csv", "date", notes)
    assert [str(d)[:10] for d in got] == ["2023-02-13", "2023-03-01", "2023-05-06", "NaT"]
    assert "month first" in notes[0] and "'02/13/2023'" in notes[0]
    uk = []
    got = parse_dates(pd.Series(["13/02/2023", "03/01/2023"]), "crimes.csv", "date", uk)
    assert [str(d)[:10] for d in got] == ["2023-02-13", "2023-01-03"] and uk == []
    with pytest.raises(DataError, match="mixes dates written day first"):
        parse_dates(pd.Series(["13/02/2023", "02/13/2023"]), "crimes.csv", "date")
    # through the import: the note reaches the user, the window uses the right dates
    people = PEOPLE.assign(randomisation_date=["01/15/2023", "02/01/2023", "03/10/2023",
                                               "01/20/2023", "02/05/2023", "03/01/2023"])
    res = aggregate(CRIMES, people, HARM, GROUPS, months=12)
    assert any("month first" in n for n in res.notes)
    for col, want in EXPECTED.items():  # read day first, P5's 02/05/2023 would be 2 May
        assert res.table[col].tolist() == want, col
