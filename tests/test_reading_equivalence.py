"""The upload path's faster CSV checks and number readings (issue 16) give what the previous
code gave, kept verbatim in tests/reference_io.py: the ragged-row check without the csv module
when nothing is quoted, the number formats and numbers decided on each column's distinct
values (European formats, thousands separators, ids, missing tokens, stray spaces)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import reference_io as old
from fd_stats.data import io as new
from fd_stats.errors import DataError

CELLS = ["1", "2.5", "1.250,50", "1,250.50", "12,5", "1.000", "1,000", "-3", "+4", " 7 ",
         "0,5", ",5", ".5", "1.000.000", "NA", "", "n/a", "P12", "x", "1e3", "½", "٣",
         "1_000", "inf", "NaN", "  ", "2,", "3.", "Ünïcödé", "a b"]


def outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except DataError as exc:
        return ("error", str(exc))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(st.sampled_from(["a", "1", "2,5", " x ", "", "ü"]),
                              min_size=0, max_size=5), min_size=0, max_size=12),
       header=st.lists(st.sampled_from(["id", "arm", "y", "y", " z", ""]), min_size=0,
                       max_size=4),
       delim=st.sampled_from([",", ";", "\t", "|"]), blank=st.booleans(), end=st.booleans())
def test_ragged_check_without_quotes_equals_the_csv_module(rows, header, delim, blank, end):
    lines = [delim.join(header)] + [delim.join(r) for r in rows]
    if blank:
        lines.insert(len(lines) // 2, "")
    text = "\n".join(lines) + ("\n" if end else "")
    assert outcome(new._check_ragged, text, delim, "f.csv") == \
        outcome(old._check_ragged, text, delim, "f.csv")


@pytest.mark.parametrize("text", ['a,b\n"1,2",3\n', "a,b\r\n1,2\r\n3\r\n", 'a,b\n1,"x\ny"\n'])
def test_ragged_check_with_quotes_or_carriage_returns_uses_the_csv_module(text):
    assert outcome(new._check_ragged, text, ",", "f.csv") == \
        outcome(old._check_ragged, text, ",", "f.csv")


def same_readings(col):
    a, b = new._number_readings(col), old._number_readings(col)
    assert (a is None) == (b is None), (list(col[:5]), a, b)
    if a is not None:
        assert a == b, (list(col[:5]), a, b)
    return a


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.sampled_from(CELLS), min_size=1, max_size=30),
       dtype=st.sampled_from([object, "string", "category"]))
def test_number_readings_and_numbers_equal_the_previous_code(values, dtype):
    col = pd.Series(values, dtype=dtype, name="c")
    r = same_readings(col)
    if r is not None:
        for fmt in r[0]:
            got, want = new._to_numbers(col, fmt), old._to_numbers(col, fmt)
            pd.testing.assert_series_equal(got, want, check_dtype=True)


@pytest.mark.parametrize("kind", ["ids", "money", "european", "counts with gaps"])
def test_number_readings_on_a_long_column_equal_the_previous_code(kind):
    rng = np.random.default_rng(1)
    n = 5000
    values = {
        "ids": np.char.add("P", np.arange(n).astype(str)),
        "money": np.round(rng.lognormal(6, 1, n), 2).astype(str),
        "european": np.char.replace(np.round(rng.lognormal(6, 1, n), 2).astype(str), ".", ","),
        "counts with gaps": np.where(rng.random(n) < 0.1, "NA", rng.poisson(2, n).astype(str)),
    }[kind]
    col = pd.Series(values, dtype="str", name=kind)
    r = same_readings(col)
    assert (r is None) == (kind == "ids")
    for fmt in (r[0] if r else ()):
        pd.testing.assert_series_equal(new._to_numbers(col, fmt), old._to_numbers(col, fmt))
