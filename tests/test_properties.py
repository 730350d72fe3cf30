"""Property-based tests: random and degenerate input never crashes a public function.

Each function either returns a result (possibly marked not estimable, NaN) or raises
fd_stats.DataError with a message; no other exception escapes.
"""
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import fd_stats
from fd_stats import DataError

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-5, max_value=50).map(float),
    st.sampled_from([0.0, 1.0, 1e308, -1e308, 1e-300, np.nan, np.inf]),
)
samples = st.lists(values, min_size=0, max_size=12)
alternatives = st.sampled_from(["two-sided", "less", "greater"])
SETTINGS = settings()  # the "ci" profile loaded in conftest.py


def calls_cleanly(fn, *args, **kwargs):
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    except DataError as exc:
        assert str(exc)
        return None


@SETTINGS
@given(samples, samples, alternatives)
def test_two_sample_tests_never_crash(x, y, alt):
    for fn in (fd_stats.welch_t, fd_stats.student_t, fd_stats.mann_whitney):
        r = calls_cleanly(fn, x, y, alternative=alt)
        if r is not None:
            assert math.isnan(r.p_value) or 0 <= r.p_value <= 1
    r = calls_cleanly(fd_stats.permutation_test, x, y, alternative=alt, n_resamples=200)
    if r is not None:
        assert math.isnan(r.p_value) or 0 < r.p_value <= 1


@SETTINGS
@given(samples, samples, alternatives)
def test_effect_sizes_never_crash(x, y, alt):
    for fn in (fd_stats.percent_change, fd_stats.hedges_g, fd_stats.ratio_of_means):
        r = calls_cleanly(fn, x, y, alternative=alt)
        if r is not None and not math.isnan(r.estimate):
            assert math.isnan(r.ci_low) or r.ci_low <= r.ci_high
    calls_cleanly(fd_stats.percent_change_bootstrap, x, y, alternative=alt, n_resamples=100)


@SETTINGS
@given(st.lists(st.one_of(st.floats(0, 1), st.just(np.nan)), max_size=20),
       st.sampled_from(["none", "bonferroni", "holm", "fdr_bh"]))
def test_adjusted_p_values_stay_valid(p, method):
    adj = fd_stats.adjust_pvalues(p, method)
    p = np.asarray(p, float)
    assert np.array_equal(np.isnan(adj), np.isnan(p))
    ok = ~np.isnan(p)
    assert (adj[ok] >= p[ok] - 1e-15).all() and (adj[ok] <= 1).all()


@SETTINGS
@given(st.integers(-3, 60), st.integers(-3, 60), st.integers(-3, 60), st.integers(-3, 60),
       alternatives)
def test_proportions_never_crash(a, n1, c, n2, alt):
    r = calls_cleanly(fd_stats.compare_proportions, a, n1, c, n2, alternative=alt)
    if r is not None:
        assert 0 <= r.p_value <= 1 + 1e-12


@SETTINGS
@given(st.floats(-10, 10), st.floats(-1, 10), st.floats(-5, 500), st.floats(-5, 500),
       st.sampled_from(["two-sided", "one-sided"]))
def test_power_never_crashes(delta, sd, n1, n2, alt):
    p = calls_cleanly(fd_stats.power_t, delta, sd, n1, n2, alternative=alt)
    if p is not None:
        assert 0 <= p <= 1
    calls_cleanly(fd_stats.minimum_detectable_effect, sd, n1, n2, alternative=alt)
    if abs(delta) > 0.05 and sd > 0.05:
        calls_cleanly(fd_stats.sample_size, delta, sd, alternative=alt)


@SETTINGS
@given(st.floats(-1e6, 1e6), st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.floats(0, 200))
def test_cost_functions_never_crash(cost, diff, half, n):
    calls_cleanly(fd_stats.cost_per_unit_prevented, cost, diff, diff - abs(half),
                  diff + abs(half), n)
    calls_cleanly(fd_stats.cost_per_person, cost, n)
    calls_cleanly(fd_stats.case_workers_needed, n, half)


@SETTINGS
@given(samples, samples, st.lists(st.sampled_from([True, False, None]), max_size=12), alternatives)
def test_complier_effect_never_crashes(x, y, engaged, alt):
    engaged = (engaged + [True] * len(x))[: len(x)]
    calls_cleanly(fd_stats.complier_average_effect, x, y, engaged, alternative=alt)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["treatment", "control", "Treatment ", None, "other"]),
                          values, st.sampled_from(["a", "b", None])), min_size=0, max_size=15),
       st.sampled_from(["welch", "student", "mann-whitney", "permutation"]), alternatives,
       st.sampled_from(["none", "holm", "fdr_bh"]))
def test_analyse_never_crashes(rows, test, alt, correction):
    df = pd.DataFrame(rows, columns=["arm", "y", "g"])
    settings_ = fd_stats.Settings(test=test, alternative=alt, correction=correction,
                                  permutations=200)
    res = calls_cleanly(fd_stats.analyse, df, fd_stats.Mapping(outcomes=("y",), subgroup="g"),
                        settings_)
    if res is not None:
        assert (res["subgroup"].iloc[0]) == "All"
        assert res["n_missing"].ge(0).all()


def test_degenerate_inputs_are_marked_not_estimable():
    r = fd_stats.welch_t([1.0], [2.0, 3.0])
    assert math.isnan(r.p_value) and "Not estimable" in r.note
    r = fd_stats.welch_t([2.0, 2.0, 2.0], [2.0, 2.0])
    assert math.isnan(r.p_value) and "no variation" in r.note
    r = fd_stats.percent_change([1.0, 2.0], [0.0, 0.0])
    assert math.isnan(r.estimate) and "positive control mean" in r.note
    r = fd_stats.mann_whitney([3.0, 3.0], [3.0, 3.0])
    assert math.isnan(r.p_value)
