"""Permutation test of the difference in means (exact or seeded Monte Carlo), and the
bootstrap of arm means that shares its resampling machinery.

Conventions follow R: ``x`` is treatment, ``y`` is control, the estimate is
treatment minus control, and ``alternative="less"`` means treatment lower.
Confidence intervals have the same sidedness as the test (as R's ``t.test``):
a one-sided test gives an interval with one infinite bound.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_alternative, check_level
from ..errors import DataError
from .rank import value_counts
from .result import NOT_ESTIMABLE, TwoSampleResult, _not_estimable, _prepare


MAX_EXACT_ARRANGEMENTS = 200_000
#: Half-width, in standard deviations of the count of keys below a point, of the band of
#: 8-bit key buckets searched for the m-th smallest key (:func:`_key_assignments`); a row
#: where it misses is redrawn.
_BAND_SDS = 8
#: Resampling budget (resamples x people) above which large samples switch to
#: drawing counts of each distinct value (exact same distribution, cost independent
#: of the number of people) or, for samples with many distinct values, to drawing
#: re-randomisations as random sorts of the people (:func:`_key_assignments`).
RESAMPLING_WORK = 40_000_000


def _arrangements(total: int, m: int, limit: int):
    """comb(total, m) if it is at most ``limit``, else None (without forming huge integers)."""
    k = min(m, total - m)
    c = 1
    for i in range(1, k + 1):
        c = c * (total - k + i) // i
        if c > limit:
            return None
    return c


def _few_values(v: np.ndarray):
    """(distinct values, counts) when ``v`` has few distinct values relative to its size.

    Drawing counts costs ~100 ns per distinct value and resample (numpy's
    hypergeometric and binomial draws); drawing people ~5-10 ns per person, so
    counts pay when there are fewer than ~1/32 as many distinct values as people
    (whole-number outcomes: always, at these sizes; harm scores and money: no).
    """
    u, c = value_counts(v)
    return (u, c) if len(u) <= min(5_000, max(1, len(v) // 32)) else None


def _assignments(n: int, m: int, n_resamples: int, rng):
    """Yield ``(start, A, is_treatment)``: random re-randomisations as 0/1 matrices.

    ``A`` (resamples x people) marks a uniformly random subset of the smaller
    arm's size in each row (a vectorised partial Fisher-Yates shuffle: one
    step per member of the smaller arm, across all resamples at once);
    ``is_treatment`` says whether that subset is the treatment arm (else it
    is control and treatment is the rest). The assignment does not depend on
    the values, so one draw serves every outcome measured on the same people
    (see :func:`permutation_test_many`).
    """
    size = min(m, n - m)
    chunk = max(1, min(n_resamples, 4_000_000 // max(n, 1)))
    for start in range(0, n_resamples, chunk):
        k = min(chunk, n_resamples - start)
        row0 = np.arange(k) * n                     # flat offset of each resample's row
        perm = np.tile(np.arange(n, dtype=np.int16 if n < 32_000 else np.int32), k)
        for i in range(size):                       # swap position i with a random j >= i
            j = rng.integers(i, n, size=k) + row0
            picked = perm[j]
            perm[j] = perm[row0 + i]
            perm[row0 + i] = picked
        assign = np.zeros((k, n))
        np.put_along_axis(assign, perm.reshape(k, n)[:, :size].astype(np.intp), 1.0, axis=1)
        yield start, assign, size == m


def _key_assignments(n: int, m: int, n_resamples: int, rng):
    """Yield ``(start, A)``: random re-randomisations as 0/1 matrices (resamples x people),
    ``A`` marking treatment.

    Each row marks the ``m`` people with the smallest of ``n`` independent uniform
    64-bit keys (the seed's raw random bits): a uniformly random subset of size
    ``m`` (random sorting; Knuth, TAOCP vol. 2, 3.4.2), the same distribution as
    :func:`_assignments`' shuffle from different random numbers, at a few ns per
    person and resample. Only a key's first 8 bits are drawn for everyone; the
    other 56 only for the people in the few 8-bit buckets around ``m / n`` where the
    ``m``-th key lies (``_BAND_SDS`` standard deviations of the count below a
    bucket each side). A row where the ``m``-th key falls outside those buckets, or
    ties another key, is redrawn as a shuffle (``rng.permutation``): both events
    depend only on the keys' values, not on who holds them, so every row stays
    exactly uniform.
    """
    chunk = max(1, min(n_resamples, 128, 2_000_000 // max(n, 1)))
    p = m / n
    width = int(np.ceil(_BAND_SDS * np.sqrt(n * p * (1 - p)) / (n / 256))) + 1
    lo = max(int(p * 256) - width, 0)
    hi = min(int(p * 256) + width + 1, 256)           # band: first bits in [lo, hi)
    raw = rng.bit_generator
    for start in range(0, n_resamples, chunk):
        k = min(chunk, n_resamples - start)
        first = raw.random_raw(-(-k * n // 8)).view(np.uint8)[:k * n].reshape(k, n)
        chosen = first < lo
        band = np.ones((k, n), bool) if hi - lo >= 256 else (first - np.uint8(lo)) < hi - lo
        where = np.flatnonzero(band)                  # row by row
        ends = np.searchsorted(where, np.arange(1, k + 1) * n)
        keys = (first.ravel()[where].astype(np.uint64) << np.uint64(56)) | (
            raw.random_raw(len(where)) >> np.uint64(8))
        cols = where - np.repeat(np.arange(k) * n, np.diff(ends, prepend=0))
        for r in range(k):
            j = m - 1 - np.count_nonzero(chosen[r])   # rank of the m-th key within the band
            seg = slice(ends[r - 1] if r else 0, ends[r])
            row = keys[seg]
            thr = np.partition(row, j)[j] if 0 <= j < len(row) else None
            if thr is None or np.count_nonzero(row == thr) > 1:
                chosen[r] = False                     # outside the band, or tied: redraw
                chosen[r, rng.permutation(n)[:m]] = True
            else:
                chosen[r, cols[seg][row <= thr]] = True
        yield start, chosen.astype(float)


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` in row blocks small enough for OpenBLAS to stay on one thread.

    These products are small; waking BLAS threads for them costs more than the
    arithmetic (several times slower on a busy 2-core machine).
    """
    inner = a.shape[1] * (b.shape[1] if b.ndim > 1 else 1)
    rows = max(1, 200_000 // max(inner, 1))
    if a.shape[0] <= rows:
        return a @ b
    return np.concatenate([a[i:i + rows] @ b for i in range(0, a.shape[0], rows)])


def _matmul_people(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a short, wide ``a`` (resamples x people) and a narrow ``b``
    (people x columns), summed over blocks of people: each product stays small
    enough for one BLAS thread and its block of ``b`` stays in cache (row blocks,
    as :func:`_matmul`, would read all of ``b`` once per resample)."""
    step = max(512, 1_000_000 // max(a.shape[0] * (b.shape[1] if b.ndim > 1 else 1), 1))
    out = a[:, :step] @ b[:step]
    for j in range(step, a.shape[1], step):
        out += a[:, j:j + step] @ b[j:j + step]
    return out


def _subset_sums(assign, is_treatment, values, total):
    """Treatment-arm sums from an assignment chunk (values: (n,) or (n, outcomes))."""
    sums = _matmul(assign, values)
    return sums if is_treatment else total - sums


def _with_arm(values: np.ndarray, m: int) -> np.ndarray:
    """Values (n,) or (n, k) with a last column marking the first ``m`` (treated) people:
    its re-randomised sum counts the treated who land in treatment, which the
    interval needs (:func:`_shift_interval`)."""
    v = np.asarray(values, float).reshape(len(values), -1)
    arm = (np.arange(len(v)) < m).astype(float)[:, None]
    return np.hstack([v, arm])


def _permutation_sums(values: np.ndarray, m: int, n_resamples: int, rng):
    """Treatment-arm sums under ``n_resamples`` random re-randomisations, and how many
    of the treated (the first ``m`` values) land in treatment in each.

    The difference in means is a linear function of the treatment sum, so only
    sums are needed. Chunked so memory stays bounded on large files. Above
    ``RESAMPLING_WORK`` (people x resamples) the re-randomisations are random
    sorts (:func:`_key_assignments`), below it shuffles (:func:`_assignments`).
    """
    values = _with_arm(values, m)
    out = _re_randomised_sums(values, m, n_resamples, rng)
    return out[:, 0], np.rint(out[:, 1])


def _re_randomised_sums(values: np.ndarray, m: int, n_resamples: int, rng) -> np.ndarray:
    """Treatment sums (resamples x columns) of ``values`` (people x columns) under
    seeded re-randomisations that put ``m`` people in treatment."""
    n = len(values)
    out = np.empty((n_resamples, values.shape[1]))
    if n * n_resamples > RESAMPLING_WORK:
        for start, assign in _key_assignments(n, m, n_resamples, rng):
            out[start:start + len(assign)] = _matmul_people(assign, values)
        return out
    total = values.sum(axis=0)
    for start, assign, is_t in _assignments(n, m, n_resamples, rng):
        out[start:start + len(assign)] = _subset_sums(assign, is_t, values, total)
    return out


def _permutation_sums_counts(x: np.ndarray, y: np.ndarray, n_resamples: int, rng):
    """Treatment-arm sums drawn as how many people with each value, from each arm,
    land in treatment; and how many of the treated land there.

    Under re-randomisation those counts are multivariate hypergeometric, so this
    is the same distribution as shuffling people, at a cost that does not grow
    with the number of people.
    """
    (ux, cx), (uy, cy) = value_counts(x), value_counts(y)
    u, c = np.concatenate([ux, uy]), np.concatenate([cx, cy]).astype(np.int64)
    out, ks = np.empty(n_resamples), np.empty(n_resamples)
    chunk = max(1, 4_000_000 // max(len(u), 1))
    for start in range(0, n_resamples, chunk):
        k = min(chunk, n_resamples - start)
        draws = rng.multivariate_hypergeometric(c, len(x), size=k, method="marginals")
        out[start:start + k] = _matmul(draws, u)
        ks[start:start + k] = draws[:, :len(ux)].sum(axis=1)
    return out, ks


def _exact_sums(values: np.ndarray, m: int):
    """Treatment sums of every re-randomisation, and how many of the treated (the
    first ``m`` values) each puts in treatment."""
    from itertools import combinations

    idx = np.array(list(combinations(range(len(values)), m)), dtype=np.intp)
    return values[idx].sum(axis=1), (idx < m).sum(axis=1)


def _shift_p(diffs, arm_share, observed, shift, alternative, exact, tol):
    """p-value of the permutation test of a shift ``d``: the test applied to the
    treated values minus ``d`` (vectorised over the re-randomisations).

    Subtracting ``d`` from the treated moves re-randomisation ``a``'s difference
    in means by ``-d * arm_share[a]`` (``arm_share = k/m - (m-k)/n`` with ``k``
    treated placed in treatment) and the observed one by ``-d``.
    """
    moved, obs = diffs - shift * arm_share, observed - shift
    if alternative == "less":
        b = np.count_nonzero(moved <= obs + tol)
    elif alternative == "greater":
        b = np.count_nonzero(moved >= obs - tol)
    else:
        b = np.count_nonzero(np.abs(moved) >= abs(obs) - tol)
    return b / len(diffs) if exact else (b + 1) / (len(diffs) + 1)


def _shift_interval(diffs, ks, m, n, observed, alternative, confidence_level, exact):
    """The shifts the permutation test does not reject (p >= 1 - confidence_level).

    The test of shift ``d`` changes p only where a re-randomised difference crosses
    the observed one, at ``d = (observed -+ diff) / (1 -+ arm_share)``; the limits
    are found among those points by bisection (p grows towards the estimate), using
    the same re-randomisations as the test, so a difference of 0 lies inside the
    interval exactly when the test's p is at least 1 - confidence_level.
    Method: inversion of the randomisation test (Lehmann 1963; Ernst 2004, Statist.
    Sci. 19:676, section 3.3), for an additive effect.
    """
    alpha = 1 - confidence_level
    tol = 1e-9 * max(1.0, abs(observed))
    share = ks / m - (m - ks) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        points = np.concatenate([(observed - diffs) / (1 - share),
                                 (observed + diffs) / (1 + share)])
    points = np.unique(points[np.isfinite(points)])

    def kept(d):
        return _shift_p(diffs, share, observed, d, alternative, exact, tol) >= alpha - 1e-12

    def limit(side):  # the outermost step point on one side still kept
        beyond = points[points < observed][::-1] if side < 0 else points[points > observed]
        seq = np.concatenate([[observed], beyond])
        if kept(seq[-1] + side * (1 + abs(seq[-1]))):  # p is constant past the last point
            return side * np.inf
        lo, hi = 0, len(seq)                # seq[lo] kept; seq[hi] (or past the end) not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if kept(seq[mid]):
                lo = mid
            else:
                hi = mid
        return float(seq[lo])

    low = -np.inf if alternative == "less" else limit(-1)
    high = np.inf if alternative == "greater" else limit(1)
    return low, high


def permutation_p(diffs: np.ndarray, observed: float, alternative: str, exact: bool):
    """p-value from a re-randomisation distribution of differences in means.

    Monte-Carlo p-values count the observed assignment as one of the
    arrangements ((b + 1) / (B + 1)), so they are never zero.
    """
    tol = 1e-9 * max(1.0, abs(observed))
    if alternative == "less":
        b = np.count_nonzero(diffs <= observed + tol)
    elif alternative == "greater":
        b = np.count_nonzero(diffs >= observed - tol)
    else:
        b = np.count_nonzero(np.abs(diffs) >= abs(observed) - tol)
    big_b = len(diffs)
    return b / big_b if exact else (b + 1) / (big_b + 1)


def _permutation_result(x, y, alternative, confidence_level, n_resamples, seed, sums, ks,
                        exact, arrangements, how):
    """Assemble a permutation TwoSampleResult from re-randomised treatment sums and the
    number of treated people each re-randomisation puts in treatment."""
    m, n = len(x), len(y)
    total = np.concatenate([x, y]).sum()
    observed = x.mean() - y.mean()
    diffs = sums / m - (total - sums) / n
    # every sidedness from the same re-randomisations (the threshold grid needs both)
    p_all = tuple((a, float(permutation_p(diffs, observed, a, exact)))
                  for a in ("two-sided", "less", "greater"))
    p = dict(p_all)[alternative]
    mc_error = NOT_ESTIMABLE if exact else float(np.sqrt(p * (1 - p) / len(diffs)))
    lo, hi = _shift_interval(diffs, np.asarray(ks, float), m, n, observed, alternative,
                             confidence_level, exact)
    label = "Permutation (randomisation) test of the difference in means"
    return TwoSampleResult(
        test="permutation", alternative=alternative, confidence_level=confidence_level,
        n_treatment=m, n_control=n, mean_treatment=float(x.mean()), mean_control=float(y.mean()),
        estimate=float(observed), ci_low=lo, ci_high=hi, statistic=float(observed),
        df=NOT_ESTIMABLE, p_value=float(p),
        method=label + (f", exact ({arrangements:,} arrangements)" if exact
                        else f", Monte Carlo ({len(diffs):,} re-randomisations{how}, seed {seed})")
        + "; interval: the differences the test does not reject",
        ci_method=("shifts of the treated values the permutation test does not reject "
                   "(inverted test, same re-randomisations; infinite when even the most "
                   "extreme re-randomisation is not rare enough)"),
        n_resamples=int(len(diffs)), exact=exact, mc_error=mc_error, p_by_alternative=p_all,
    )


def _check_resamples(n_resamples) -> int:
    n_resamples = int(n_resamples)
    if n_resamples < 1:
        raise DataError(f"The number of permutations must be at least 1; got {n_resamples}.")
    return n_resamples


def permutation_test(treatment, control, *, alternative="two-sided", confidence_level=0.95,
                     n_resamples=10_000, seed=12345, max_exact=MAX_EXACT_ARRANGEMENTS):
    """Randomisation test of the difference in means.

    Enumerates every re-randomisation when there are at most ``max_exact``
    of them; otherwise draws ``n_resamples`` seeded random re-randomisations
    and reports the Monte-Carlo standard error of the p-value. The interval
    inverts the test (:func:`_shift_interval`): the additive effects the test
    does not reject, from the same re-randomisations, with the test's
    sidedness. So it contains 0 exactly when p >= 1 - confidence_level, and
    it is unbounded when too few arrangements exist for any shift to be
    rejected (3 v 3 people: 20 arrangements, smallest two-sided p 0.1).

    Large samples (people x resamples above ``RESAMPLING_WORK``) draw how many
    people with each distinct value land in treatment (the same distribution,
    at a cost independent of the number of people) when the outcome has few
    distinct values (``method`` says so), and otherwise draw each
    re-randomisation as the ``m`` people with the smallest of independent
    uniform keys (:func:`_key_assignments`; linear in people). Both are the
    same distribution as shuffling people but use the seed's random numbers
    differently, so a seed gives other (equally valid) re-randomisations than
    it would on the shuffle used for smaller samples.
    """
    x, y = _prepare(treatment, control, alternative, confidence_level)
    m, n = len(x), len(y)
    label = "Permutation (randomisation) test of the difference in means"
    if m < 1 or n < 1 or m + n < 3:
        return _not_estimable("permutation", alternative, confidence_level, x, y, label,
                              "Not estimable: too few people for a re-randomisation test.")
    n_resamples = _check_resamples(n_resamples)
    values = np.concatenate([x, y])
    arrangements = _arrangements(m + n, m, max_exact)
    exact = arrangements is not None
    how = ""
    if exact:
        sums, ks = _exact_sums(values, m)
    elif (m + n) * n_resamples > RESAMPLING_WORK and _few_values(values) is not None:
        sums, ks = _permutation_sums_counts(x, y, n_resamples, np.random.default_rng(seed))
        how = " drawn as counts of each distinct value"
    else:
        sums, ks = _permutation_sums(values, m, n_resamples, np.random.default_rng(seed))
    return _permutation_result(x, y, alternative, confidence_level, n_resamples, seed, sums,
                               ks, exact, arrangements, how)


def _shared_index_plan(m: int, n: int, max_exact=MAX_EXACT_ARRANGEMENTS):
    """True when many outcomes on the same m + n people can share one re-randomisation matrix."""
    return m >= 1 and n >= 1 and m + n >= 3 and _arrangements(m + n, m, max_exact) is None


def permutation_test_many(treatment, control, *, alternative="two-sided", confidence_level=0.95,
                          n_resamples=10_000, seed=12345):
    """:func:`permutation_test` for several outcomes measured on the same people, at once.

    ``treatment`` is an (m, k) and ``control`` an (n, k) array without missing
    values, one column per outcome. The re-randomisations do not depend on
    the values, so one seeded m + n assignment matrix is drawn and multiplied
    by the value matrix: every column gets exactly the re-randomisations
    :func:`permutation_test` would draw for it, so the results are the same
    (sums equal up to float rounding). Large samples' columns with few distinct
    values are tested one by one (:func:`permutation_test` draws counts for them).
    Returns a list of :class:`TwoSampleResult`, one per column.
    """
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    xs, ys = np.asarray(treatment, float), np.asarray(control, float)
    m, n = xs.shape[0], ys.shape[0]
    n_resamples = _check_resamples(n_resamples)
    k = xs.shape[1]
    def one(j):
        return permutation_test(xs[:, j], ys[:, j], alternative=alternative,
                                confidence_level=confidence_level, n_resamples=n_resamples,
                                seed=seed)

    if (k == 0 or not _shared_index_plan(m, n)
            or np.isnan(xs).any() or np.isnan(ys).any()):
        return [one(j) for j in range(k)]
    if np.isinf(xs).any() or np.isinf(ys).any():
        raise DataError("The values include an infinite value; remove or correct it before testing.")
    large = (m + n) * n_resamples > RESAMPLING_WORK
    both = np.concatenate([xs, ys])
    shared = [j for j in range(k) if not large or _few_values(both[:, j]) is None]
    if not shared:  # every column is drawn as counts, one by one
        return [one(j) for j in range(k)]
    values = _with_arm(both[:, shared], m)   # (m + n, shared + 1): outcomes, then arm
    sums = _re_randomised_sums(values, m, n_resamples, np.random.default_rng(seed))
    ks = np.rint(sums[:, -1])
    out = {j: _permutation_result(xs[:, j], ys[:, j], alternative, confidence_level,
                                  n_resamples, seed, sums[:, i], ks, False, None, "")
           for i, j in enumerate(shared)}
    return [out[j] if j in out else one(j) for j in range(k)]


def _bootstrap_index_chunks(size: int, n_resamples: int, rng):
    chunk = max(1, min(n_resamples, 4_000_000 // max(size, 1)))
    for start in range(0, n_resamples, chunk):
        k = min(chunk, n_resamples - start)
        yield start, rng.integers(0, size, size=(k, size))


def bootstrap_indices_means(v: np.ndarray, n_resamples: int, rng) -> np.ndarray:
    """Means of ``n_resamples`` bootstrap resamples of ``v`` (vectorised, chunked)."""
    out = np.empty(n_resamples)
    for start, idx in _bootstrap_index_chunks(len(v), n_resamples, rng):
        out[start:start + len(idx)] = v[idx].mean(axis=1)
    return out


def _multinomial_means(u, c, n_resamples, rng):
    size = int(c.sum())
    return _matmul(rng.multinomial(size, c / size, size=n_resamples), u) / size


def bootstrap_arm_means(x: np.ndarray, y: np.ndarray, n_resamples: int, rng):
    """Bootstrap means of both arms (treatment first, then control, from one ``rng``).

    Returns ``(means_x, means_y, how)``. Samples resample people by index.
    Large samples (people x resamples above ``RESAMPLING_WORK``) draw
    multinomial counts of each distinct value for an arm with few distinct
    values (the same distribution, other random numbers); ``how`` then says so
    for the method text ("" otherwise).
    """
    n_resamples = int(n_resamples)
    large = (len(x) + len(y)) * n_resamples > RESAMPLING_WORK
    few = [_few_values(v) if large else None for v in (x, y)]
    means = [(_multinomial_means(*f, n_resamples, rng) if f is not None
              else bootstrap_indices_means(v, n_resamples, rng)) for v, f in zip((x, y), few)]
    how = " drawn as counts of each distinct value" if any(f is not None for f in few) else ""
    return means[0], means[1], how


def bootstrap_means_many(treatment, control, n_resamples: int, seed: int):
    """Bootstrap arm means for several outcomes on the same people: (k, B) arrays.

    One seeded index matrix per arm serves all outcome columns: the same
    resamples :func:`bootstrap_arm_means` draws for each column with
    ``np.random.default_rng(seed)`` (means equal up to float rounding of the
    sums; exactly for whole numbers). Returns None when an arm of a large sample
    (people x resamples above ``RESAMPLING_WORK``) has few distinct values in
    some column: that column's resamples are drawn as counts, per outcome.
    """
    xs, ys = np.asarray(treatment, float), np.asarray(control, float)
    m, n, k = xs.shape[0], ys.shape[0], xs.shape[1]
    n_resamples = int(n_resamples)
    if m == 0 or n == 0 or ((m + n) * n_resamples > RESAMPLING_WORK and any(
            _few_values(arm[:, j]) is not None for arm in (xs, ys) for j in range(k))):
        return None
    rng = np.random.default_rng(seed)
    product = _matmul_people if (m + n) * n_resamples > RESAMPLING_WORK else _matmul
    out = []
    for arm in (xs, ys):
        size = arm.shape[0]
        means = np.empty((k, n_resamples))
        for start, idx in _bootstrap_index_chunks(size, n_resamples, rng):
            # how often each person is drawn in each resample, times the value matrix:
            # the same resamples as the scalar version (sums equal up to float rounding)
            rows = len(idx)
            counts = np.bincount((idx + (np.arange(rows) * size)[:, None]).ravel(),
                                 minlength=rows * size).reshape(rows, size)
            means[:, start:start + rows] = product(counts, arm).T / size
        out.append(means)
    return out[0], out[1]


def percentile_interval(draws: np.ndarray, alternative: str, confidence_level: float):
    """Percentile interval of bootstrap draws with the given sidedness."""
    draws = draws[np.isfinite(draws)]
    if len(draws) == 0:
        return NOT_ESTIMABLE, NOT_ESTIMABLE
    a = 1 - confidence_level
    if alternative == "two-sided":
        lo, hi = np.quantile(draws, [a / 2, 1 - a / 2])
    elif alternative == "less":
        lo, hi = -np.inf, np.quantile(draws, 1 - a)
    else:
        lo, hi = np.quantile(draws, a), np.inf
    return float(lo), float(hi)


def percentile_intervals(draws: np.ndarray, alternative: str, confidence_level: float):
    """:func:`percentile_interval` for each row of a (k, B) array of finite draws, at once."""
    k = draws.shape[0]
    if draws.shape[1] == 0 or not np.isfinite(draws).all():
        return [percentile_interval(d, alternative, confidence_level) for d in draws]
    a = 1 - confidence_level
    if alternative == "two-sided":
        q = np.quantile(draws, [a / 2, 1 - a / 2], axis=1)
        return [(float(q[0, j]), float(q[1, j])) for j in range(k)]
    if alternative == "less":
        q = np.quantile(draws, 1 - a, axis=1)
        return [(-np.inf, float(q[j])) for j in range(k)]
    q = np.quantile(draws, a, axis=1)
    return [(float(q[j]), np.inf) for j in range(k)]


def _bootstrap_mean_difference(x, y, alternative, confidence_level, n_resamples, seed):
    if len(x) < 2 or len(y) < 2:
        return NOT_ESTIMABLE, NOT_ESTIMABLE, ""
    mx, my, how = bootstrap_arm_means(x, y, n_resamples, np.random.default_rng(seed))
    lo, hi = percentile_interval(mx - my, alternative, confidence_level)
    return lo, hi, (f", {len(mx):,} resamples{how}" if how else "")


def bootstrap_mean_difference_ci(treatment, control, *, alternative="two-sided",
                                 confidence_level=0.95, n_resamples=2000, seed=12345):
    """Seeded percentile bootstrap interval for the difference in means (resampling within arms)."""
    x, y = np.asarray(treatment, float), np.asarray(control, float)
    lo, hi, _ = _bootstrap_mean_difference(x, y, alternative, confidence_level, n_resamples, seed)
    return lo, hi
