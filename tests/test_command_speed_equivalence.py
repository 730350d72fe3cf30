"""Issue 16, session 4: the faster paths of the whole command give the same answers as the
code they replace (kept verbatim below) or as sorting every value / every pair.

Each test was checked to fail under a deliberate mutation of the path it guards (see the
session note, /work/notes/s4_i16.md).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fd_stats
from fd_stats.analysis import _norm_label, arm_flags
from fd_stats.methods import rank


def old_arm_flags(arm: pd.Series, treatment, control):
    """fd_stats.analysis.arm_flags before session 4 (np.isin on the codes), verbatim."""
    codes, uniques = pd.factorize(arm)
    norm = [_norm_label(u) for u in uniques]
    t_key, c_key = _norm_label(treatment), _norm_label(control)
    is_t = np.isin(codes, [i for i, k in enumerate(norm) if k == t_key])
    is_c = np.isin(codes, [i for i, k in enumerate(norm) if k == c_key])
    is_blank = (codes < 0) | np.isin(codes, [i for i, k in enumerate(norm) if k == ""])
    per_value = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts: dict[str, int] = {}
    for k, c in zip(norm, per_value):
        counts[k] = counts.get(k, 0) + int(c)
    counts.pop("", None)
    return is_t, is_c, is_blank, dict(sorted(counts.items(), key=lambda kv: -kv[1]))


@pytest.mark.parametrize("treatment,control", [("treatment", "control"), ("", "control"),
                                               (1, "treatment"), ("absent", "also absent"),
                                               (" TREATMENT", 1.0)])
def test_arm_flags_by_lookup_equal_isin(treatment, control):
    """Missing arms, blanks, case and spaces, 1 vs 1.0, an empty or absent arm value."""
    rng = np.random.default_rng(3)
    values = np.array(["treatment", "Control ", "", None, np.nan, "waiting", 1, 1.0,
                       " TREATMENT", "control"], dtype=object)
    for dtype in (object, "category"):
        arm = pd.Series(rng.choice(values, 2000)).astype(dtype) if dtype == "category" \
            else pd.Series(rng.choice(values, 2000))
        got, want = arm_flags(arm, treatment, control), old_arm_flags(arm, treatment, control)
        for g, w in zip(got[:3], want[:3]):
            assert g.dtype == bool and np.array_equal(g, w)
        assert got[3] == want[3]
    empty = pd.Series([None, None], dtype=object)  # every arm missing
    for g, w in zip(arm_flags(empty, "t", "c")[:3], old_arm_flags(empty, "t", "c")[:3]):
        assert np.array_equal(g, w)


def large_arms():
    """(name, x, y) beyond DENSE_SPAN people, where the counting window is narrowed to the
    sample's middle (harm scores) or stays one cell per person (money)."""
    rng = np.random.default_rng(16)
    n = 150_000

    def harm(size, scale=1.0):
        v = np.round(rng.lognormal(2.5, 1.3, size) * scale, 2)
        v[rng.random(size) < 0.7] = 0.0
        v[:5] = [1e5, 2.5e5, 3e5, 4e4, 9e4]  # far beyond the narrowed window
        return v

    yield "harm scores", harm(n), harm(n + 17, 0.95)
    yield "money", np.round(rng.lognormal(6, 1.2, n), 2), np.round(rng.lognormal(6, 1.2, n), 2)
    yield "both tails", np.round(rng.standard_t(2, n) * 50, 1), np.round(rng.standard_t(2, n) * 60, 1)
    yield "one arm beyond the other", harm(n), harm(n) + 5e4
    yield "pounds vs pence", np.round(rng.lognormal(3, 1, n)), np.round(rng.lognormal(3, 1, n), 2)


@pytest.mark.parametrize("case", [c for c, _, _ in large_arms()])
def test_large_arm_value_counts_equal_sorting(case):
    """Counting both arms over one grid (window from a sample, tails sorted) gives each
    arm's distinct values and counts exactly as np.unique does."""
    x, y = next((x, y) for c, x, y in large_arms() if c == case)
    u, cx, cy = rank.arm_value_counts(x, y)
    assert (np.diff(u) > 0).all() and ((cx + cy) > 0).all()
    for counts, arm in ((cx, x), (cy, y)):
        ua, ca = np.unique(arm, return_counts=True)
        assert np.array_equal(u[counts > 0], ua) and np.array_equal(counts[counts > 0], ca)


@pytest.mark.parametrize("case", [c for c, _, _ in large_arms()])
def test_large_mann_whitney_from_counts_equal_bisection_over_pairs(case):
    """The estimate and interval from the arms' counts (median first, then each bound by
    secant steps from the counts already made) are exactly the pairwise differences a
    plain search over the counts of pairs finds: each bound is the k-th smallest difference
    for the k the rank statistic gives, found here by bisection over whole grid steps."""
    x, y = next((x, y) for c, x, y in large_arms() if c == case)
    got = rank.mann_whitney_counts(*rank.arm_value_counts(x, y))
    ux, cx = np.unique(x, return_counts=True)
    uy, cy = np.unique(y, return_counts=True)
    s = max(rank.grid_scale(x), rank.grid_scale(y))
    ix, iy = np.rint(ux * s).astype(np.int64), np.rint(uy * s).astype(np.int64)
    total = int(cx.sum()) * int(cy.sum())
    cum_y = np.concatenate([[0], np.cumsum(cy)])

    def count_le(d):  # pairs with x - y <= d, i.e. y >= x - d
        return total - int(cx @ cum_y[np.searchsorted(iy, ix - d, side="left")])

    def kth(k):  # smallest d with count_le(d) >= k, by bisection
        a, b = int(ix[0] - iy[-1]) - 1, int(ix[-1] - iy[0])
        while b - a > 1:
            t = (a + b) // 2
            a, b = (t, b) if count_le(t) < k else (a, t)
        return b

    median = (kth((total + 1) // 2) + kth(total // 2 + 1)) / 2 / s
    assert got.estimate == median
    ranks = rank.RankSums.of_aligned(*rank.arm_value_counts(x, y))
    m, n = ranks.m, ranks.n
    sigma = rank._sigma(m, n, ranks.ties_x + ranks.ties_y)
    from scipy.special import ndtri

    for zq, bound in ((ndtri(0.975), got.ci_low), (ndtri(0.025), got.ci_high)):
        lo_d, hi_d = ranks.ux[0] - ranks.uy[-1], ranks.ux[-1] - ranks.uy[0]
        if bound in (lo_d, hi_d):
            continue  # at an end of the range R's uniroot starts from: checked elsewhere
        # the largest u with wdiff_open(u) <= 0, as _interval_bound; then the (mn - u)-th
        a, b = -1, total
        while a < b:
            u = (a + b + 1) // 2
            if rank._wdiff_open(u, m, n, sigma, "two-sided", zq) <= 0:
                a = u
            else:
                b = u - 1
        assert bound == kth(min(max(total - a, 1), total)) / s, (case, zq)


def percentile_cases():
    rng = np.random.default_rng(4)
    for n in (3, 4, 10, 8192, 8193, 10_001, 120_000, 400_003):
        yield f"normal {n}", rng.normal(size=n)
        yield f"pence {n}", np.round(rng.lognormal(6, 1.2, n), 2)
        yield f"harm {n}", np.where(rng.random(n) < 0.7, 0.0, np.round(rng.lognormal(2, 1.3, n), 2))
        yield f"rare counts {n}", rng.poisson(0.3, n).astype(float)
        yield f"one value {n}", np.full(n, 2.5)
        yield f"sorted {n}", np.sort(rng.normal(size=n))
        yield f"descending {n}", -np.sort(rng.normal(size=n))
    n = 400_000  # a period equal to the sample's stride: the sample sees only zeros
    yield "sample misled", (np.arange(n) % (n // 4096)).astype(float)
    yield "sample misled, shuffled tail", np.r_[(np.arange(n) % (n // 4096)).astype(float),
                                                rng.normal(size=5000)]


@pytest.mark.parametrize("q", [[50, 1, 99], [0, 100, 50], [25, 75, 99.9]])
def test_validation_percentiles_equal_numpy(q):
    """The validation's percentiles (order statistics from sample brackets, falling back to
    a full partition when a bracket misses) equal np.percentile exactly."""
    from fd_stats.data.validate import percentiles

    for name, v in percentile_cases():
        got, want = percentiles(v, q), np.percentile(v, q)
        assert np.array_equal(got, want), (name, got, want)


# -- session 4, second round: cheaper checks of counts and of the kind guess's facts --------

@pytest.mark.parametrize("values, ct, cc", [
    ([0.0, np.nan, 2.0], [1, 1, 1], [1, 1, 1]),           # NaN inside
    ([-np.inf, 1.0, 2.0], [1, 1, 1], [1, 1, 1]),          # infinite at the low end
    ([0.0, 1.0, np.inf], [1, 1, 1], [1, 1, 1]),           # infinite at the high end
    ([np.nan], [1], [1]),                                  # one value, missing
    ([0.0, 1.0, 1.0], [1, 1, 1], [1, 1, 1]),              # repeated
    ([0.0, 2.0, 1.0], [1, 1, 1], [1, 1, 1]),              # decreasing
    ([0.0, 1.0, 2.0], [1, -1, 1], [1, 1, 1]),             # negative integer count
    ([0.0, 1.0, 2.0], [1, 1, 1], [1, 0.5, 1]),            # fractional count
    ([0.0, 1.0, 2.0], [1, 1, 1], [1, np.nan, 1]),         # missing count
])
def test_mann_whitney_counts_refuses_bad_counts(values, ct, cc):
    """Values must be finite and strictly increasing, counts whole and >= 0 (checked in
    one pass: increasing values can be infinite only at their ends)."""
    with pytest.raises(fd_stats.DataError):
        rank.mann_whitney_counts(np.array(values, float), np.array(ct), np.array(cc))


def test_mann_whitney_counts_whole_float_counts_equal_integer_counts():
    v = np.array([0.0, 0.5, 1.25, 3.0, 7.5])
    ct, cc = np.array([3, 0, 2, 5, 1]), np.array([1, 4, 0, 2, 6])
    a = rank.mann_whitney_counts(v, ct, cc)
    b = rank.mann_whitney_counts(v, ct.astype(float), cc.astype(float))
    c = rank.mann_whitney(np.repeat(v, ct), np.repeat(v, cc))
    for r in (b, c):
        assert (a.estimate, a.ci_low, a.ci_high, a.p_value, a.statistic) == \
               (r.estimate, r.ci_low, r.ci_high, r.p_value, r.statistic)


def facts_columns():
    rng = np.random.default_rng(164)
    n = 20_000
    money = np.round(rng.lognormal(5, 1, n), 2)
    late = np.round(rng.lognormal(5, 1, n))
    late[10_000] += 0.5                     # the only fraction, long after the first 4,096
    gaps = late.copy()
    gaps[[3, 50, 9_000]] = [np.nan, np.inf, -np.inf]
    neg = np.round(rng.lognormal(5, 1, n))
    neg[-1] = -1.0                          # negative only at the end
    yield "money", pd.Series(money)
    yield "late fraction", pd.Series(late)
    yield "whole with gaps", pd.Series(np.round(gaps))
    yield "fraction with gaps", pd.Series(gaps)
    yield "negative at the end", pd.Series(neg)
    yield "all missing", pd.Series([np.nan] * 10)
    yield "only infinite", pd.Series([np.inf, -np.inf, np.nan])
    yield "few values with missing", pd.Series([0.0, 1.0, np.nan, 2.0, 1.0])
    yield "nullable integers", pd.Series([1, None, 3, 3], dtype="Int64")
    yield "yes/no", pd.Series([True, False, True])
    yield "text", pd.Series(["a", None, "b", "a"])


@pytest.mark.parametrize("case", [c for c, _ in facts_columns()])
def test_kind_facts_equal_direct_computation(case):
    """The kind guess's facts (whole numbers, none negative, distinct values) without
    copying a complete column equal the same facts computed from the values directly."""
    from fd_stats.data.mapping import Facts

    s = next(s for c, s in facts_columns() if c == case)
    f = Facts(pd.DataFrame({"x": s}), "x", {})
    nonmiss = s.dropna()
    if f.numeric:
        v = pd.to_numeric(nonmiss).to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        assert f.whole == (len(v) > 0 and bool(np.all(v == np.floor(v))))
        assert f.non_negative == (len(v) > 0 and bool(v.min() >= 0))
    else:
        assert not f.whole and not f.non_negative
    assert f.nunique == nonmiss.nunique()


def test_grid_count_of_pairs_equals_every_pair_at_every_difference():
    """The grid counter's count of pairs with x - y <= d (indexes beyond the control
    range read as its ends) equals counting every pair, for every d from below the
    smallest difference to above the largest, with a control tail beyond the dense span."""
    rng = np.random.default_rng(1604)
    x = np.unique(rng.integers(-300, 300, 120))
    y = np.unique(np.concatenate([rng.integers(-200, 250, 90), [400_000, 500_000]]))
    cx, cy = rng.integers(1, 5, len(x)), rng.integers(1, 5, len(y))
    grid = rank._GridDifferences(x, cx, y, cy)
    assert len(grid.tail) == 2  # the far control values are counted by search
    diff = (x[:, None] - y[None, :]).ravel()
    weight = (cx[:, None] * cy[None, :]).ravel()
    for d in range(int(diff.min()) - 3, int(x.max() - y[:-2].min()) + 3):
        assert grid.count_le(d) == int(weight[diff <= d].sum()), d
    for d in (int(diff.max()), int(diff.max()) + 1, -10**7):
        assert grid.count_le(d) == int(weight[diff <= d].sum()), d
