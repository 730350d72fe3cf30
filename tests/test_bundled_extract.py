"""The bundled trial's SYNTHETIC crimes extract (dates invented) is consistent with
people.csv: its 12-month aggregation reproduces every count and harm exactly, its baseline
columns are the extract's 12 months before randomisation, and every person meets the
eligibility rule (DOMAIN.md)."""
import numpy as np
import pandas as pd
import pytest

from fd_stats.data.aggregate import DEFAULT_GROUPS, aggregate, aggregate_over_time
from fd_stats.data.io import read_table
from fd_stats.data.trial import BUNDLED_TRIAL

OUTCOMES = [f"{r}_{o}" for r in ("suspect", "victim")
            for o in ("harm", "knife", "violent", "violent_sexual", "non_police_initiated")]


@pytest.fixture(scope="module")
def files():
    return (read_table(BUNDLED_TRIAL / "crimes.csv"), read_table(BUNDLED_TRIAL / "randomisation.csv"),
            read_table(BUNDLED_TRIAL / "people.csv").set_index("person_id"))


@pytest.fixture(scope="module")
def over_time(files):
    crimes, rand, _ = files
    return aggregate_over_time(crimes, rand, None, end_date="2025-03-31", programme_months=12)


def test_twelve_month_aggregation_reproduces_people_csv(files, over_time):
    crimes, rand, people = files
    t = over_time.table.set_index("person_id").loc[people.index]
    one = aggregate(crimes, rand, None, months=12).table.set_index("person_id").loc[people.index]
    for c in OUTCOMES:
        want = people[c].to_numpy()
        if c.endswith("_harm"):
            assert np.round(t[f"{c}_fu12m"].to_numpy(), 2).tolist() == want.tolist(), c
            assert np.round(one[c].to_numpy(), 2).tolist() == want.tolist(), c
        else:
            assert t[f"{c}_fu12m"].tolist() == want.tolist(), c
            assert one[c].tolist() == want.tolist(), c


def test_baseline_columns_are_the_extracts_twelve_months_before(files, over_time):
    _, _, people = files
    t = over_time.table.set_index("person_id").loc[people.index]
    for c in OUTCOMES:
        got = np.round(t[f"{c}_pre12m"].to_numpy(float), 2)
        assert got.tolist() == people[f"{c}_pre12m"].astype(float).tolist(), c


def test_everyone_meets_the_eligibility_rule(files):
    crimes, rand, _ = files
    groups = read_table(DEFAULT_GROUPS)
    groups["knife_violent_sexual"] = np.where((groups.knife == "yes")
                                              | (groups.violent_sexual == "yes"), "yes", "no")
    r = aggregate_over_time(crimes, rand, None, groups, end_date="2025-03-31").table
    assert (r.suspect_knife_pre12m >= 1).all()          # a knife offence in the past 12 months
    assert (r.suspect_knife_violent_sexual_pre24m >= 2).all()  # and one more in the past 24


def test_randomisation_staggered_from_february_2023(files):
    _, rand, people = files
    d = pd.to_datetime(rand.randomisation_date)
    assert d.min() >= pd.Timestamp("2023-02-01") and d.max() <= pd.Timestamp("2023-07-31")
    assert d.dt.month.nunique() == 6 and (d.dt.day_of_week < 5).all()
    assert rand.set_index("person_id").arm.loc[people.index].tolist() == people.arm.tolist()


def test_follow_up_reaches_as_far_as_the_extract(over_time):
    assert over_time.windows == (6, 12, 18, 24)
    t = over_time.table
    assert (t.exposure_days_fu18m > 540).all()            # everyone has 18 months
    assert (t.exposure_days_fu24m < 731).any()            # later people are cut at the end
    assert not over_time.notes or all("after the extract" not in n for n in over_time.notes)


def test_readme_says_the_dates_are_synthetic():
    text = (BUNDLED_TRIAL / "README.md").read_text()
    assert "`crimes.csv` | **SYNTHETIC, dates invented**" in text
    assert "SYNTHETIC baseline, not from the Report" in text
