"""Large-sample resampling on outcomes with many distinct values (scores, money).

Above ``RESAMPLING_WORK`` (people x resamples) the permutation test draws each
re-randomisation as the m people with the smallest of independent uniform keys
(``permutation._key_assignments``) instead of a shuffle, and the bootstrap keeps
every resample (it used to fall back to a few hundred). The keys use the seed's
random numbers differently from the shuffle, so this file checks the distribution:
exactly m treated per row, every subset equally likely (chi-square on small n),
Monte Carlo p-values against the exact enumeration, and the p-value's distribution
over many seeds against the shuffle. Wall-clock times live in benchmarks/run.py.
"""
import math
from itertools import combinations

import numpy as np
import pytest
from scipy import stats

import fd_stats
from fd_stats.methods import permutation
from fd_stats.methods.effects import percent_change_bootstrap, percent_change_bootstrap_many


def key_rows(n, m, b, seed):
    rows = np.concatenate([a for _, a in permutation._key_assignments(
        n, m, b, np.random.default_rng(seed))])
    assert rows.shape == (b, n) and set(np.unique(rows)) <= {0.0, 1.0}
    return rows


@pytest.mark.parametrize("band", [8, 0.3])
@pytest.mark.parametrize("n, m", [(6, 2), (7, 3), (7, 4), (3, 1), (40, 2)])
def test_every_subset_equally_likely(n, m, band, monkeypatch):
    monkeypatch.setattr(permutation, "_BAND_SDS", band)  # 0.3: rows often redrawn
    b = 400 * math.comb(n, m)
    rows = key_rows(n, m, b, seed=1)
    assert (rows.sum(axis=1) == m).all()
    code = rows @ (2 ** np.arange(n))
    subsets = {sum(2 ** i for i in c) for c in combinations(range(n), m)}
    values, counts = np.unique(code, return_counts=True)
    assert set(values.astype(int)) == subsets
    assert stats.chisquare(counts).pvalue > 1e-3


@pytest.mark.parametrize("band", [8, 0.3])      # 0.3: the band misses often (redrawn)
@pytest.mark.parametrize("n, m", [(5_000, 1_200), (20_001, 10_000), (4_000, 3_999)])
def test_large_rows_have_m_treated_each_person_equally_often(n, m, band, monkeypatch):
    monkeypatch.setattr(permutation, "_BAND_SDS", band)  # 0.3: rows often redrawn
    rows = key_rows(n, m, 400, seed=2)
    assert (rows.sum(axis=1) == m).all()
    share = rows.mean(axis=0)            # each person's share of resamples in treatment
    p = m / n
    z = (share.mean() - p) / math.sqrt(p * (1 - p) / (400 * n))
    assert abs(z) < 5
    # the first and last people are not favoured (a sorting bias would show here)
    for part in (share[: n // 10], share[-(n // 10):]):
        assert abs(part.mean() - p) < 5 * math.sqrt(p * (1 - p) / (400 * len(part)))


class _TiedKeys:
    """A generator whose raw bits are all equal: every key ties, so every row is redrawn."""

    def __init__(self, seed):
        self.real = np.random.default_rng(seed)
        self.bit_generator = self

    def random_raw(self, size):
        return np.zeros(size, np.uint64)

    def permutation(self, n):
        return self.real.permutation(n)


def test_tied_keys_are_redrawn_exactly_m():
    rows = np.concatenate([a for _, a in permutation._key_assignments(50, 20, 300, _TiedKeys(3))])
    assert (rows.sum(axis=1) == 20).all()
    assert len({r.tobytes() for r in rows}) > 250     # redrawn at random, not one fixed subset


@pytest.fixture
def keys_path(monkeypatch):
    """Every Monte Carlo permutation test and bootstrap takes the large-sample path."""
    monkeypatch.setattr(permutation, "RESAMPLING_WORK", 1)


def test_monte_carlo_p_and_interval_match_exact_enumeration(keys_path):
    rng = np.random.default_rng(4)
    x, y = rng.lognormal(0.4, 1, 8), rng.lognormal(0, 1, 8)   # 12,870 arrangements
    exact = fd_stats.permutation_test(x, y)
    assert exact.exact
    for alt in ("two-sided", "less", "greater"):
        ex = fd_stats.permutation_test(x, y, alternative=alt)
        mc = fd_stats.permutation_test(x, y, alternative=alt, n_resamples=40_000, max_exact=0)
        assert not mc.exact and mc.n_resamples == 40_000 and "counts" not in mc.method
        assert abs(mc.p_value - ex.p_value) < 4 * math.sqrt(
            max(ex.p_value * (1 - ex.p_value), 1e-4) / 40_000)
    mc = fd_stats.permutation_test(x, y, n_resamples=40_000, max_exact=0)
    width = exact.ci_high - exact.ci_low
    assert abs(mc.ci_low - exact.ci_low) < 0.05 * width
    assert abs(mc.ci_high - exact.ci_high) < 0.05 * width


def test_p_value_distribution_over_seeds_matches_the_shuffle(monkeypatch):
    """200 seeds each way on money-like data (500 people, 1,000 re-randomisations):
    the random-sort p-values and the shuffle's have the same distribution."""
    rng = np.random.default_rng(5)
    x, y = rng.lognormal(3.1, 1, 240).round(2), rng.lognormal(3, 1, 260).round(2)

    def ps():
        return np.array([fd_stats.permutation_test(x, y, n_resamples=1000, seed=s).p_value
                         for s in range(200)])

    shuffle = ps()
    monkeypatch.setattr(permutation, "RESAMPLING_WORK", 1)
    keys = ps()
    assert not np.array_equal(shuffle, keys)          # other random numbers...
    assert stats.ks_2samp(shuffle, keys).pvalue > 1e-3  # ...same distribution
    # the spread is Monte Carlo error around one p-value: compare mean and variance too
    se = shuffle.std() / math.sqrt(200)
    assert abs(shuffle.mean() - keys.mean()) < 5 * se
    assert 0.6 < keys.var() / shuffle.var() < 1.6


def test_many_outcomes_share_the_draws_of_one(keys_path):
    rng = np.random.default_rng(6)
    m, n = 700, 650
    cols = lambda k: np.column_stack([rng.lognormal(size=k), rng.normal(size=k),  # noqa: E731
                                      np.where(rng.random(k) < .7, 0, rng.lognormal(2, 1, k)
                                               ).round(2), rng.poisson(1, k)])
    xs, ys = cols(m), cols(n)
    many = permutation.permutation_test_many(xs, ys, n_resamples=3000, seed=9)
    for j, r in enumerate(many):
        one = fd_stats.permutation_test(xs[:, j], ys[:, j], n_resamples=3000, seed=9)
        assert r.p_value == one.p_value and r.method == one.method
        assert r.ci_low == pytest.approx(one.ci_low, rel=1e-9, abs=1e-12)
        assert r.ci_high == pytest.approx(one.ci_high, rel=1e-9, abs=1e-12)
    assert "counts of each distinct value" in many[3].method       # the whole-number column
    assert all("counts" not in r.method for r in many[:3])


def test_bootstrap_keeps_every_resample_and_the_small_sample_draws(monkeypatch):
    rng = np.random.default_rng(7)
    xs = np.column_stack([rng.lognormal(1.1, 1, 900), rng.gamma(2, 10, 900)])
    ys = np.column_stack([rng.lognormal(1.0, 1, 800), rng.gamma(2, 11, 800)])
    small = [percent_change_bootstrap(xs[:, j], ys[:, j], n_resamples=1500, seed=3)
             for j in range(2)]
    monkeypatch.setattr(permutation, "RESAMPLING_WORK", 1)
    large = [percent_change_bootstrap(xs[:, j], ys[:, j], n_resamples=1500, seed=3)
             for j in range(2)]
    many = percent_change_bootstrap_many(xs, ys, n_resamples=1500, seed=3)
    for s, big, mn in zip(small, large, many):
        assert (big.ci_low, big.ci_high, big.method) == (s.ci_low, s.ci_high, s.method)
        assert "1,500 resamples" in big.method and "reduced" not in big.method
        assert mn.ci_low == pytest.approx(s.ci_low, rel=1e-12)
        assert mn.ci_high == pytest.approx(s.ci_high, rel=1e-12)


def test_columns_drawn_as_counts_draw_no_shared_re_randomisations(keys_path, monkeypatch):
    """Whole-number columns of a large sample are drawn as counts, column by column: no
    shared random sorts are drawn for them (that would cost seconds at 100,000 people)."""
    def refuse(*a, **k):
        raise AssertionError("random sorts drawn for columns that are all drawn as counts")

    monkeypatch.setattr(permutation, "_key_assignments", refuse)
    rng = np.random.default_rng(8)
    xs, ys = rng.poisson(1, (600, 3)).astype(float), rng.poisson(1.1, (500, 3)).astype(float)
    many = permutation.permutation_test_many(xs, ys, n_resamples=2000, seed=4)
    assert all("counts of each distinct value" in r.method for r in many)
