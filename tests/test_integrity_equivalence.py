"""The integrity report's faster baseline table (issue 16, session 4: levels of a text column
factorised once, arms selected with np.compress) gives what the code before it gave, kept
verbatim below, on text, mixed, categorical, 0/1, yes/no and numeric baseline columns; the
arms of each outcome, shared by attrition, Lee bounds, MDES and equivalence within a report,
are the arrays those checks selected for themselves before."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fd_stats.analysis import Mapping
from fd_stats.errors import DataError
from fd_stats.integrity import (_MEMO, SMD_MEANINGS, Cutoffs, _arms, _masks, _numeric,
                                _observed, _smd_flag, achieved_mdes, attrition_table,
                                baseline_balance, equivalence_table, integrity_report,
                                lee_bounds, smd)


# ---- fd_stats.integrity.baseline_balance before session 4, verbatim (docstring left out)
def old_baseline_balance(table: pd.DataFrame, mapping: Mapping, columns=(), *, strata=(),
                     cutoffs: Cutoffs = Cutoffs(), max_levels: int = 12) -> pd.DataFrame:
    is_t, is_c = _masks(table, mapping)
    strata = set(strata)
    rows = []
    for col in dict.fromkeys(columns):
        if col not in table.columns:
            raise DataError(f"There is no baseline column named {col!r}.")
        s = table[col]
        numeric = (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
                   and s.nunique(dropna=True) > 2)
        miss_t, miss_c = int(s[is_t].isna().sum()), int(s[is_c].isna().sum())
        if numeric:
            v = _numeric(table, col)
            items = [(None, "mean", v)]
        else:
            levels = sorted(s.dropna().unique(), key=str)
            if len(levels) > max_levels:
                raise DataError(f"Baseline column {col!r} has {len(levels)} distinct values; "
                                f"a categorical column can have at most {max_levels}.")
            # each level as a 0/1 indicator among people with a value
            items = [(lv, "share", np.where(s.isna(), np.nan, (s == lv).astype(float)))
                     for lv in levels]
            yes_no = {"0", "1", "0.0", "1.0", "true", "false"}
            if len(levels) == 2 and {str(lv).casefold() for lv in levels} <= yes_no:
                items = items[-1:]  # a yes/no column: one row, the share of 'yes' (1 / True)
        for level, kind, v in items:
            x, y = v[is_t], v[is_c]
            d = smd(x, y)
            flag = _smd_flag(d, cutoffs)
            rows.append({
                "column": col, "level": "" if level is None else str(level), "kind": kind,
                "stratum": col in strata,
                "n_treatment": int((~np.isnan(x)).sum()), "n_control": int((~np.isnan(y)).sum()),
                "value_treatment": float(np.nanmean(x)) if (~np.isnan(x)).any() else np.nan,
                "value_control": float(np.nanmean(y)) if (~np.isnan(y)).any() else np.nan,
                "sd_treatment": float(np.nanstd(x, ddof=1)) if (~np.isnan(x)).sum() > 1 else np.nan,
                "sd_control": float(np.nanstd(y, ddof=1)) if (~np.isnan(y)).sum() > 1 else np.nan,
                "smd": d, "flag": flag,
                "meaning": SMD_MEANINGS.get(flag, "").format(lo=cutoffs.smd_moderate,
                                                           hi=cutoffs.smd_large),
                "missing_treatment": miss_t, "missing_control": miss_c,
            })
    cols = ["column", "level", "kind", "stratum", "n_treatment", "n_control", "value_treatment",
            "value_control", "sd_treatment", "sd_control", "smd", "flag", "meaning",
            "missing_treatment", "missing_control"]
    return pd.DataFrame(rows, columns=cols)


def table():
    rng = np.random.default_rng(5)
    n = 3000
    arm = np.where(rng.random(n) < 0.5, "T", "C")
    text = rng.choice(["18-20", "21-24", "25+"], n).astype(object)
    text[rng.random(n) < 0.05] = None
    mixed = rng.choice(["a", "b"], n).astype(object)
    mixed[::7], mixed[::11] = 1, np.nan
    return pd.DataFrame({
        "arm": arm, "age": text,
        "sex": pd.Series(rng.choice(["F", "M", "F "], n), dtype=object),
        "site": pd.Categorical(rng.choice(["x", "y", "z"], n)),
        "flag": rng.integers(0, 2, n).astype(float), "yes": rng.choice(["yes", "no"], n),
        "prior": rng.poisson(2, n).astype(float), "mixed": mixed,
        "str_dtype": pd.Series(rng.choice(["p", "q"], n), dtype="str"),
        "one_arm": pd.Series(np.where(arm == "T", "t", None), dtype=object),
        "many": pd.Series([f"v{i % 20}" for i in range(n)], dtype=object),
        "reversed": pd.Series(["z", "y", "x"] + list(rng.choice(["x", "y", "z"], n - 3)),
                              dtype=object),  # first seen in the reverse of sorted order
    })


@pytest.mark.parametrize("column", ["age", "sex", "site", "flag", "yes", "prior", "mixed",
                                    "str_dtype", "one_arm", "many", "reversed"])
def test_baseline_table_equals_the_previous_code(column):
    t = table()
    m = Mapping(arm="arm", treatment="T", control="C", outcomes=("prior",))
    for strata in ((), (column,)):
        try:
            want = old_baseline_balance(t, m, [column], strata=strata)
        except DataError as exc:
            with pytest.raises(DataError, match=str(exc)[:40]):
                baseline_balance(t, m, [column], strata=strata)
            continue
        got = baseline_balance(t, m, [column], strata=strata)
        pd.testing.assert_frame_equal(got, want, check_exact=True)


@pytest.mark.parametrize("inside_a_report", [False, True])
def test_shared_arms_are_the_arrays_each_check_selected_before(inside_a_report):
    rng = np.random.default_rng(9)
    n = 4000
    t = pd.DataFrame({"arm": rng.choice(["T", "C", "other", None], n, p=[.45, .45, .05, .05]),
                      "y": rng.poisson(2, n).astype(float),
                      "z": np.round(rng.lognormal(0, 1, n), 2)})
    t.loc[rng.random(n) < 0.1, "y"] = np.nan  # more missing in one arm: Lee trims
    t.loc[(t["arm"] == "T") & (rng.random(n) < 0.2), "z"] = np.nan
    m = Mapping(arm="arm", treatment="T", control="C", outcomes=("y", "z"))
    token = _MEMO.set({}) if inside_a_report else None
    try:
        is_t, is_c = _masks(t, m)
        for o in ("y", "z"):
            v = _numeric(t, o)
            for got, want in zip(_arms(t, m, o), (v[is_t], v[is_c])):
                np.testing.assert_array_equal(got, want)
            for got, want in zip(_observed(t, m, o),
                                 (v[is_t & ~np.isnan(v)], v[is_c & ~np.isnan(v)])):
                np.testing.assert_array_equal(got, want)
            assert lee_bounds(*_arms(t, m, o)) == lee_bounds(v[is_t], v[is_c])
        a = attrition_table(t, m)
        assert list(a["missing_treatment"]) == [int((np.isnan(_numeric(t, o)) & is_t).sum())
                                                for o in ("y", "z")]
        assert list(a["missing_control"]) == [int((np.isnan(_numeric(t, o)) & is_c).sum())
                                              for o in ("y", "z")]
    finally:
        if token is not None:
            _MEMO.reset(token)
    # the same tables outside and inside a report (where the arrays are shared)
    outside = (achieved_mdes(t, m), equivalence_table(t, m))
    rep = integrity_report(t, m)
    pd.testing.assert_frame_equal(rep.mdes, outside[0], check_exact=True)
    pd.testing.assert_frame_equal(rep.equivalence, outside[1], check_exact=True)


# ---- the strata of fd_stats.integrity.allocation_check and of the registry methods
# (fd_stats.analysis._strata_key) before session 5, verbatim
def old_stratum_groups(table, strata):
    keys = table[strata].astype("string").fillna("(missing)").agg(" / ".join, axis=1)
    return [(str(level), (keys == level).to_numpy()) for level in sorted(keys.unique())]


def old_strata_key(design, strata):
    if not strata:
        return None
    if len(strata) == 1:
        return design[strata[0]].to_numpy(dtype=object)
    return design[list(strata)].astype(str).agg(" / ".join, axis=1).to_numpy(dtype=object)


def strata_table(seed, n=400):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "arm": rng.choice(["treatment", "control"], n),
        "text": rng.choice(np.array(["x", "y / z", "x / y", None], object), n),
        "decimal": rng.choice([1.5, 2.0, np.nan], n),
        "category": pd.Categorical(rng.choice(["z", "y", "é"], n)),
        "whole": rng.integers(0, 3, n),
        "slash": rng.choice(["z", "y / z"], n),
    })


STRATA = [["text"], ["text", "decimal"], ["decimal", "category", "whole"], ["text", "slash"],
          ["whole"], ["category", "text", "slash"]]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("strata", STRATA)
def test_allocation_strata_equal_the_row_by_row_join(seed, strata):
    """Labels and groups as the row-by-row join made them: missing values, numbers as text,
    categoricals, accents, and texts containing " / " whose joins collide ("x / y" + "z" and
    "x" + "y / z" are one group, as their shared label says)."""
    from fd_stats.integrity import allocation_check

    table = strata_table(seed)
    old = old_stratum_groups(table, strata)
    checked = allocation_check(table, Mapping(), strata=strata)
    assert list(checked["group"]) == ["All"] + [label for label, _ in old]
    assert list(checked["n"][1:]) == [int(m.sum()) for _, m in old]
    assert list(checked["n_treatment"][1:]) == [
        int((m & (table["arm"] == "treatment").to_numpy()).sum()) for _, m in old]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("strata", STRATA + [[]])
def test_method_strata_labels_equal_the_row_by_row_join(seed, strata):
    """Without missing values (the old join raised a TypeError on one: see the next test)."""
    from fd_stats.analysis import _strata_key

    table = strata_table(seed).dropna().reset_index(drop=True)
    old, new = old_strata_key(table, tuple(strata)), _strata_key(table, tuple(strata))
    if old is None:
        assert new is None
    else:
        assert new.dtype == object and list(new) == list(old)


def test_a_missing_value_in_one_of_several_strata_is_a_level_of_its_own():
    """Crossed strata with a missing value crashed ("sequence item 1: expected str instance,
    float found"); those people now form a level of their own, with the note one stratum
    column already gave."""
    from fd_stats.analysis import Settings, _strata_key, analyse

    rng = np.random.default_rng(3)
    n = 120
    table = pd.DataFrame({"arm": ["treatment", "control"] * (n // 2),
                          "a": rng.choice(["x", "y"], n), "b": rng.choice([1.0, 2.0], n),
                          "y": rng.poisson(2.0, n)})
    table.loc[[4, 5, 6, 7], "b"] = np.nan
    key = _strata_key(table, ("a", "b"))
    assert all(key[i] is None for i in (4, 5, 6, 7))
    assert set(np.delete(key, [4, 5, 6, 7])) <= {"x / 1.0", "x / 2.0", "y / 1.0", "y / 2.0"}
    res = analyse(table, Mapping(outcomes=("y",), strata=("a", "b")),
                  Settings(methods=("lin",)))
    lin = res[res["test"] == "lin"].iloc[0]
    assert np.isfinite(lin["estimate"])
    assert "stratum: 4 missing value(s) form their own level." in lin["note"]
