"""Validation report and column mapping (guess, JSON save/load, trial building)."""
import json

import numpy as np
import pandas as pd
import pytest

from fd_stats import Mapping, analyse
from fd_stats.errors import DataError
from fd_stats.data.mapping import (ColumnMapping, OutcomeSpec, build_trial, guess_arm_values,
                              guess_mapping, mapping_from_json)
from fd_stats.data.trial import load_trial
from fd_stats.data.validate import BLOCKING, WARNING, validate


def table(**extra):
    base = {"id": [f"p{i}" for i in range(8)],
            "arm": ["treatment"] * 4 + ["control"] * 4,
            "y": [0, 1, 2, 3, 1, 2, 3, 4]}
    base.update(extra)
    return pd.DataFrame(base)


def cmap(outcomes=("y",), kind="count", **kw):
    return ColumnMapping(kw.pop("arm", "arm"), kw.pop("treatment", "treatment"),
                         kw.pop("control", "control"),
                         [OutcomeSpec(o, o, "", True, kind) for o in outcomes],
                         kw.pop("person_id", "id"), **kw)


def checks(report, severity=None):
    return {(p.check, p.column) for p in report.problems
            if severity is None or p.severity == severity}


# ------------------------------------------------------------------ validation

def test_clean_table_has_no_problems():
    r = validate(table(), cmap())
    assert r.ok and not r.problems
    assert r.rows_per_arm.set_index("arm")["people"].to_dict() == \
        {"treatment": 4, "control": 4, "excluded": 0}
    assert r.n_analysed == 8


def test_bundled_trial_validates_cleanly():
    t = load_trial()
    assert validate(t.table, t.mapping).problems == []
    assert validate(t.table, guess_mapping(t.table)).problems == []


def test_excluded_rows_and_why():
    df = table()
    df.loc[1, "arm"] = None
    df.loc[5, "arm"] = "waitlist"
    r = validate(df, cmap())
    assert r.ok
    ex = {p.check: p for p in r.warnings}["excluded rows"]
    assert set(r.excluded["n"]) == {1}
    assert any(p.rows == (2,) for p in r.warnings)       # 1-based row numbers
    assert any(p.rows == (6,) and "waitlist" in p.message for p in r.warnings)
    assert ex.severity == WARNING
    assert r.rows_per_arm.set_index("arm")["people"]["excluded"] == 2


def test_missing_values_per_column():
    df = table(y=[0, np.nan, 2, 3, 1, 2, np.nan, 4])
    r = validate(df, cmap())
    assert r.missing.set_index("column")["missing"]["y"] == 2
    p = [p for p in r.problems if p.check == "missing values"][0]
    # "no crimes recorded, enter 0" is advice for crime counts only (not a missing test result)
    assert p.severity == WARNING and p.rows == (2, 7) and "enter 0" not in p.message
    crime = cmap()
    crime.outcomes[0].crime = True
    p = [p for p in validate(df, crime).problems if p.check == "missing values"][0]
    assert "If no crimes were recorded, enter 0" in p.message
    binary = cmap(kind="binary")
    binary.outcomes[0].crime = True
    p = [p for p in validate(df.assign(y=df.y.clip(0, 1)), binary).problems
         if p.check == "missing values"][0]
    assert "enter 0" not in p.message


def test_duplicate_ids_block():
    df = table(id=["a", "b", "a", "c", "d", "e", "f", "f"])
    r = validate(df, cmap())
    p = [p for p in r.blocking if p.check == "duplicate ids"][0]
    assert p.rows == (1, 3, 7, 8) and "one row per person" in p.message


def test_arm_with_fewer_than_two_people_blocks():
    df = pd.DataFrame({"arm": ["treatment", "control", "control"], "y": [1, 2, 3]})
    r = validate(df, cmap(person_id=None))
    assert ("arm size", "arm") in checks(r, BLOCKING)
    with pytest.raises(DataError, match="at least 2 people"):
        r.raise_if_blocking()


def test_wrong_arm_values_block_and_list_what_was_found():
    r = validate(table(), cmap(treatment="T", control="C"))
    msgs = " ".join(p.message for p in r.blocking)
    assert "'treatment'" in msgs and "Values found" in msgs


def test_no_variation():
    r = validate(table(z=[1] * 8), cmap(outcomes=("y", "z")))
    assert ("no variation", "z") in checks(r, WARNING) and r.ok
    r = validate(table(y=[1] * 8), cmap())
    assert ("no variation", None) in checks(r, BLOCKING)


def test_negative_and_non_integer_counts():
    r = validate(table(y=[0, -1, 2, 3, 1, 2.5, 3, 4]), cmap())
    assert [p.rows for p in r.blocking if p.check == "negative counts"] == [(2,)]
    assert [p.rows for p in r.warnings if p.check == "non-integer counts"] == [(6,)]
    # the same values are fine in a continuous outcome
    assert validate(table(y=[0, -1, 2, 3, 1, 2.5, 3, 4]), cmap(kind="continuous")).ok


def test_extreme_values():
    r = validate(table(y=[0, 1, 2, 3, 1, 2, 3, 2e6]), cmap(kind="continuous"))
    assert [p.rows for p in r.warnings if p.check == "extreme values"] == [(8,)]
    r = validate(table(y=[0, 1, 2, 3, 1, 2, 3, 1e308]), cmap(kind="continuous"))
    assert [p.rows for p in r.blocking if p.check == "extreme values"] == [(8,)]
    # far from the median in SD terms (large n)
    y = np.r_[np.tile([0, 1, 2, 3], 250), 500.0]
    df = pd.DataFrame({"arm": np.tile(["treatment", "control"], 501)[:1001], "y": y})
    r = validate(df, cmap(person_id=None))
    assert [p.rows for p in r.warnings if p.check == "extreme values"] == [(1001,)]


def test_infinite_and_text_values_block():
    r = validate(table(y=[0, np.inf, 2, 3, 1, 2, 3, 4]), cmap())
    assert ("infinite values", "y") in checks(r, BLOCKING)
    r = validate(table(y=["0", "x", "2", "3", "1", "2", "3", "4"]), cmap())
    p = [p for p in r.blocking if p.check == "not numbers"][0]
    assert p.rows == (2,) and "'x'" in p.message


def test_mapping_names_missing_columns():
    r = validate(table(), cmap(outcomes=("nope",)))
    assert ("mapping", "nope") in checks(r, BLOCKING)
    r = validate(table(), cmap(outcomes=()))
    assert not r.ok


def test_empty_table():
    assert not validate(pd.DataFrame(), cmap()).ok


def test_accepts_plain_mapping():
    r = validate(table(), Mapping(outcomes=("y",), person_id="id"))
    assert r.ok


def test_report_frame_lists_blocking_first():
    df = table(y=[0, 1.5, 2, 3, 1, 2, 3, -4], id=["a"] * 8)
    f = validate(df, cmap()).to_frame()
    assert list(f.columns) == ["severity", "check", "column", "rows", "message"]
    assert f.severity.iloc[0] == BLOCKING and f.severity.iloc[-1] == WARNING


# ------------------------------------------------------------------ mapping guess

def test_guess_unfamiliar_names():
    df = pd.DataFrame({
        "Ref No": [f"R{i}" for i in range(6)],
        "Group Allocated": ["Intervention", "BAU"] * 3,
        "Sex": ["F", "M", "F", "M", "F", "M"],
        "Arrests 12m": [0, 1, 2, 0, 1, 3],
        "Harm score": [0.5, 1, 2, 0, 1, 3],
        "Took part": ["Yes", "", "No", "", "Yes", ""],
        "notes": [f"free text {i}" for i in range(6)],
    })
    g = guess_mapping(df)
    assert (g.arm, g.treatment, g.control) == ("Group Allocated", "Intervention", "BAU")
    assert g.person_id == "Ref No"
    assert g.engagement == "Took part"
    assert g.subgroups == ["Sex"]
    assert g.outcome_columns == ["Arrests 12m", "Harm score"]
    kinds = {o.column: o.kind for o in g.outcomes}
    assert kinds == {"Arrests 12m": "count", "Harm score": "score"}  # kinds of version 2


@pytest.mark.parametrize("values, want", [
    (["treatment", "control"], ("treatment", "control")),
    (["BAU", "Intervention"], ("Intervention", "BAU")),
    (["0", "1"], ("1", "0")),
    (["FD", "Comparison"], ("FD", "Comparison")),
    (["A", "B"], ("A", "B")),
])
def test_guess_arm_values(values, want):
    assert guess_arm_values(values) == want


def test_guess_numeric_arm_and_report_labels():
    df = pd.DataFrame({"group": [1.0, 0.0] * 3, "suspect_knife": [0, 1, 0, 2, 0, 1]})
    g = guess_mapping(df)
    assert (g.arm, g.treatment, g.control) == ("group", "1", "0")
    assert g.outcomes[0].label == "Knife-related crimes as suspect"
    res = analyse(df, g.to_mapping())
    assert res.n_treatment.iloc[0] == 3


# ------------------------------------------------------------------ JSON

def test_json_round_trip():
    m = cmap(outcomes=("y",), subgroups=["sex"], engagement="eng")
    m.outcomes[0].label = "Arrests <b>bold</b>"
    again = mapping_from_json(m.to_json())
    assert again == m
    assert json.loads(m.to_json())["format"] == "fd_stats-mapping"


@pytest.mark.parametrize("text, message", [
    (b"", "is empty"),
    (b"\xff\xfe\x00garbage", "not a text"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "one JSON object"),
    ('{"arm": "arm"}', "lacks the key"),
    ('{"arm": "a", "treatment": "t", "control": "t", "outcomes": ["y"]}', "both"),
    ('{"arm": "a", "treatment": "t", "control": "c", "outcomes": []}', "non-empty list"),
    ('{"arm": "a", "treatment": "t", "control": "c", "outcomes": [{"column": "y", '
     '"lower_is_better": "yes"}]}', "true or false"),
    ('{"arm": "a", "treatment": "t", "control": "c", "outcomes": [{"column": "y", '
     '"kind": "ratio"}]}', "kind"),
    ('{"arm": "a", "treatment": "t", "control": "c", "outcomes": ["y", "y"]}', "more than once"),
    ('{"arm": 3, "treatment": "t", "control": "c", "outcomes": ["y"]}', "column name"),
    ('{"format": "other", "arm": "a", "treatment": "t", "control": "c", "outcomes": ["y"]}',
     "not a column mapping"),
    ("[" * 100000, "not valid JSON"),
])
def test_bad_mapping_files(text, message):
    with pytest.raises(DataError, match=message):
        mapping_from_json(text, "map.json")


def test_mapping_columns_checked_against_data():
    m = mapping_from_json('{"arm": "arm", "treatment": "treatment", "control": "control", '
                          '"outcomes": ["y", "z"]}')
    with pytest.raises(DataError, match="'z'"):
        m.check_columns(table(), "map.json")


def test_numeric_arm_values_in_json():
    m = mapping_from_json('{"arm": "g", "treatment": 1, "control": 0.0, "outcomes": ["y"]}')
    assert (m.treatment, m.control) == ("1", "0")


def test_build_trial_and_analyse():
    m = cmap(subgroups=["sex"])
    df = table(sex=["F", "M"] * 4)
    trial = build_trial(df, m, "My trial", synthetic=True)
    assert trial.synthetic and "synthetic" in trial.name
    assert trial.subgroup_columns == ["sex"]
    assert trial.mapping.subgroup == "sex"
    assert trial.outcome("y").label == "y"
    res = analyse(trial.table, trial.mapping)
    assert list(res.subgroup) == ["All", "F", "M"]
    with pytest.raises(DataError):
        build_trial(df, cmap(outcomes=("nope",)), "x")


def test_labels_from_column_names_cannot_become_markdown_links_or_images():
    from fd_stats.data.mapping import build_trial, guess_mapping

    table = pd.DataFrame({"arm": ["treatment", "control"] * 3,
                          "![x](http://127.0.0.1:9/leak.png)": [0, 1, 2, 0, 1, 3],
                          "[click](http://127.0.0.1:9/)": [1, 0, 0, 2, 1, 1]})
    trial = build_trial(table, guess_mapping(table), "upload")
    for o in trial.outcomes:
        assert "[" not in o.label and "]" not in o.label
    assert all("[" not in label for _, label in trial.mapping.labels)
