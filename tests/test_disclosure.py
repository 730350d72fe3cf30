"""Disclosure control: small counts and means hidden, with complementary suppression."""
import numpy as np
import pandas as pd
import pytest

from fd_stats import Settings, analyse
from fd_stats.analysis import Mapping
from fd_stats.report.disclosure import (MARKER, protect_counts, protect_engagement, protect_lines,
                                 protect_results)
from fd_stats.errors import DataError


def small_trial():
    """A trial with a small subgroup: level 'b' has 4 treated and 5 control people."""
    rng = np.random.default_rng(1)
    rows = []
    for level, n_t, n_c in (("a", 30, 32), ("b", 4, 5), ("c", 15, 20)):
        for arm, n in (("treatment", n_t), ("control", n_c)):
            for k in range(n):
                # y >= 1 for everyone; 'rare' is 1 for the first 2 people of each arm and level
                rows.append({"arm": arm, "grp": level, "y": 1 + rng.poisson(3.0),
                             "rare": int(k < 2)})
    return pd.DataFrame(rows)


def results(threshold_table=None):
    t = small_trial()
    return analyse(t, Mapping(outcomes=("y", "rare"), subgroup="grp"), Settings())


def row(res, outcome, level):
    return res.index[(res["outcome"] == outcome) & (res["subgroup"] == level)][0]


def test_small_group_means_and_counts_hidden():
    res = results()
    p = protect_results(res, 10, nonzero_rule=False)
    b = row(p.table, "y", "b")
    assert p.mask.at[b, "n_treatment"] and p.mask.at[b, "n_control"]   # 4 and 5 people
    assert p.mask.at[b, "mean_treatment"] and p.mask.at[b, "mean_control"]
    assert np.isnan(p.table.at[b, "mean_treatment"])
    # a hidden mean hides the comparison (mean + difference would give it back)
    for col in ("difference", "percent_change", "p_value", "ci_low", "statistic"):
        assert p.mask.at[b, col]
    # big groups keep their numbers
    a = row(p.table, "y", "a")
    assert not p.mask.at[a, "mean_treatment"]
    assert p.table.at[a, "mean_treatment"] == res.at[a, "mean_treatment"]
    assert not p.mask.at[row(p.table, "y", "All"), "percent_change"]


def test_secondary_suppression_protects_against_subtraction():
    """All = a + b + c: with b hidden, another level must be hidden too."""
    res = results()
    p = protect_results(res, 10, nonzero_rule=False)
    for col in ("n_treatment", "n_control", "mean_treatment", "mean_control"):
        for outcome in ("y", "rare"):
            line = [row(p.table, outcome, lv) for lv in ("All", "a", "b", "c")]
            hidden = [p.mask.at[i, col] for i in line]
            assert sum(hidden) != 1, (outcome, col, hidden)
    kinds = {s.kind for s in p.suppressed}
    assert {"primary", "secondary", "consequential"} <= kinds
    # the complement chosen is the smallest other level (c), not the "All" row
    c = row(p.table, "y", "c")
    assert p.mask.at[c, "n_treatment"]
    assert not p.mask.at[row(p.table, "y", "All"), "n_treatment"]
    # the hidden value really cannot be recovered: All minus the shown levels spans >= 2 cells
    secondary = [s for s in p.suppressed if s.kind == "secondary"]
    assert any("cannot be worked out" in s.reason for s in secondary)


def test_counts_of_people_with_any_event_hidden_and_nonzero_rule():
    res = results()
    strict = protect_results(res, 10, nonzero_rule=True)
    loose = protect_results(res, 10, nonzero_rule=False)
    i = row(res, "rare", "All")
    assert res.at[i, "any_treatment"] < 10
    assert strict.mask.at[i, "any_treatment"] and loose.mask.at[i, "any_treatment"]
    # few people with any event: the mean (events / n) would bound them, so it goes too
    assert strict.mask.at[i, "mean_treatment"] and strict.mask.at[i, "percent_change"]
    assert not loose.mask.at[i, "mean_treatment"]


def test_threshold_editable_and_marker():
    res = results()
    p5 = protect_results(res, 5, nonzero_rule=False)
    b = row(res, "y", "b")
    assert p5.mask.at[b, "n_treatment"]          # 4 < 5
    assert not p5.mask.at[b, "n_control"] or p5.suppressed  # 5 is not below 5 (may be secondary)
    assert [s for s in p5.suppressed if s.row.startswith("y") and s.column == "n_control"
            and s.kind == "primary"] == []
    marked = protect_results(res, 10).marked()
    assert (marked == MARKER).to_numpy().any()
    assert "Small numbers are protected" in protect_results(res, 10).note()
    with pytest.raises(DataError):
        protect_results(res, 0)
    with pytest.raises(DataError):
        protect_results(res, "ten")


def test_nothing_hidden_when_everything_is_large():
    t = small_trial()
    t = t[t["grp"] == "a"]
    res = analyse(t, Mapping(outcomes=("y",)), Settings())
    p = protect_results(res, 10)
    assert not p.any
    assert "Nothing" in p.summary()
    pd.testing.assert_frame_equal(p.table, res.reset_index(drop=True), check_dtype=False)


def test_rounding_of_shown_counts():
    res = results()
    p = protect_results(res, 10, rounding=5, nonzero_rule=False)
    a = row(res, "y", "a")
    assert p.table.at[a, "n_treatment"] == 30 and p.table.at[a, "n_control"] == 30  # 32 -> 30


def test_engagement_table_two_way_suppression():
    # the trial's own figures: 11-17 17 of 20 engaged (3 not), 18-25 10 of 25
    eng = pd.DataFrame({"group": ["11-17", "18-25", "All"], "allocated": [20, 25, 45],
                        "known": [20, 25, 45], "engaged": [17, 10, 27],
                        "not_engaged": [3, 15, 18], "unknown": [0, 0, 0],
                        "rate": [0.85, 0.4, 0.6], "ci_low": [0.6, 0.2, 0.4],
                        "ci_high": [0.95, 0.6, 0.7], "confidence_level": 0.95})
    p = protect_engagement(eng, 10)
    m = p.mask.set_index(eng["group"])
    assert m.at["11-17", "not_engaged"]                       # 3 people
    assert m.at["11-17", "engaged"]                           # 20 - 17 would give 3
    assert m.at["18-25", "not_engaged"]                       # 18 - 15 would give 3
    assert m.at["18-25", "engaged"]                           # 25 - 10 would give 15
    assert not m.at["All", "engaged"] and not m.at["All", "not_engaged"]
    assert m.at["11-17", "rate"]                              # a rate reveals its count
    # every line (row or column) has 0 or >= 2 hidden cells
    for g in ("11-17", "18-25", "All"):
        assert sum(m.loc[g, ["engaged", "not_engaged", "allocated"]]) != 1
    for c in ("engaged", "not_engaged"):
        assert sum(m[c]) != 1
    p5 = protect_engagement(eng, 3)
    assert not p5.any


def test_reason_counts_hidden_in_groups():
    reasons = pd.DataFrame({"group": ["x", "x", "x"], "reason": ["r1", "r2", "r3"],
                            "count": [12, 3, 20]})
    p = protect_counts(reasons, "count", 10, group_col="group", label_col="reason")
    assert list(p.mask["count"]) == [True, True, False]   # 3 hidden, then the smallest other
    assert [s.kind for s in p.suppressed] == ["primary", "secondary"]


def test_protect_lines_leaves_no_line_with_one_hidden_cell():
    t = pd.DataFrame({"a": [4.0, 30, 34], "b": [25.0, 12, 37], "tot": [29.0, 42, 71]})
    lines = [[(i, "a"), (i, "b"), (i, "tot")] for i in t.index] + \
            [[(0, c), (1, c), (2, c)] for c in t.columns]
    mask, notes = protect_lines(t, lines, 10)
    for line in lines:
        assert sum(mask.at[c] for c in line) != 1
    assert mask.at[0, "a"]


def test_no_hidden_mean_or_missing_count_leaks_through_other_columns():
    """Found in review: the note quoted hidden means, the other tests' columns stayed
    visible, and n_missing could be recovered as (n_t + n_c) of another outcome minus this."""
    from fd_stats.analysis import FULL_ANALYSIS, Mapping, Settings, analyse

    rng = np.random.default_rng(1)
    d = pd.DataFrame({"arm": ["treatment"] * 30 + ["control"] * 30,
                      "site": ["A"] * 4 + ["B"] * 26 + ["A"] * 5 + ["B"] * 25})
    d["y"] = rng.poisson(1.0, 60).astype(float)
    d.loc[(d.site == "A") & (d.arm == "control"), "y"] = 0.0  # control mean 0: a note quotes means
    d["z"] = rng.poisson(2.0, 60).astype(float)
    d.loc[35, "z"] = np.nan
    res = analyse(d, Mapping(outcomes=("y", "z"), subgroup="site"),
                  Settings(extra_tests=FULL_ANALYSIS, permutations=200))
    p = protect_results(res, 10)
    t = p.table.set_index(["outcome", "subgroup"])
    hidden_row = t.loc[("y", "A")]
    assert pd.isna(hidden_row["mean_treatment"]) and pd.isna(hidden_row["note"])
    for col in ("p_welch", "p_mann_whitney", "hodges_lehmann", "p_permutation",
                "percent_change_boot_ci_low"):
        assert pd.isna(hidden_row[col]), col
    z_all = t.loc[("z", "All")]
    assert pd.isna(z_all["n_missing"])
    assert pd.isna(z_all["n_treatment"]) and pd.isna(z_all["n_control"])
