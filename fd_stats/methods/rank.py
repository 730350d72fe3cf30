"""Mann-Whitney (Wilcoxon rank-sum) test with the Hodges-Lehmann shift and its interval,
by counting value frequencies and selecting order statistics of the pairwise
differences (never forming the pairs).

Conventions follow R: ``x`` is treatment, ``y`` is control, the estimate is
treatment minus control, and ``alternative="less"`` means treatment lower.
Confidence intervals have the same sidedness as the test (as R's ``t.test``):
a one-sided test gives an interval with one infinite bound.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from .._checks import check_alternative, check_level
from ..errors import DataError
from .result import NOT_ESTIMABLE, TwoSampleResult, _not_estimable, _prepare


def _wilcox_counts(m: int, n: int) -> np.ndarray:
    """Frequencies of W = 0..m*n for the exact Mann-Whitney null (no ties).

    Coefficients of the Gaussian binomial coefficient [m+n choose m]_q.
    """
    poly = np.zeros(m * n + 1)
    poly[0] = 1.0
    # prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i), multiplied then divided term by term.
    for i in range(1, m + 1):
        k = n + i
        shifted = np.zeros_like(poly)
        shifted[k:] = poly[:-k]
        poly = poly - shifted
        # divide by (1 - q^i): cumulative sum with stride i
        for start in range(i):
            poly[start::i] = np.cumsum(poly[start::i])
    return np.round(poly)


def _pwilcox(q, counts):
    """P(W <= q) (R ``pwilcox``)."""
    q = int(np.floor(q))
    if q < 0:
        return 0.0
    total = counts.sum()
    return float(counts[: q + 1].sum() / total)


def _qwilcox(p, counts):
    """Smallest q with P(W <= q) >= p (R ``qwilcox``)."""
    cdf = np.cumsum(counts) / counts.sum()
    return int(np.searchsorted(cdf, p - 1e-12 * max(p, 1e-300), side="left"))


#: Decimal places tried when looking for a whole-number grid under the values (pence, 0.01 points).
GRID_SCALES = (1, 10, 100, 1000, 10_000)
#: Dense counting covers at most this many grid steps (or one per value); values beyond are sorted.
DENSE_SPAN = 1 << 16


def _on_grid(v: np.ndarray, increasing: bool = False):
    """``(s, v * s as whole-number floats, their smallest, their largest)`` for the smallest
    grid of ``GRID_SCALES``, or None. ``increasing``: ``v`` is sorted (its extremes are its
    ends; no pass over it to find them)."""
    if not len(v):
        return None
    lo, hi = (v[0], v[-1]) if increasing else (v.min(), v.max())
    top = float(max(hi, -lo))
    head = v[:64]
    for s in GRID_SCALES:
        if top * s >= 2.0**50:
            return None
        if not np.array_equal(np.rint(head * s) / s, head):
            continue
        w = np.multiply(v, s)
        np.rint(w, out=w)
        back = np.divide(w, s) if s > 1 else w
        if (back == v).all():
            # rint(v * s) is non-decreasing in v: its extremes are those of v, scaled
            return s, w, float(np.rint(lo * s)), float(np.rint(hi * s))
    return None


def grid_scale(v: np.ndarray):
    """Smallest s in ``GRID_SCALES`` with every ``v * s`` a whole number that maps back to ``v``.

    Money in pounds and pence, scores with two decimals and counts all lie on
    such a grid; their differences are then whole numbers of grid steps, which
    can be counted exactly. None when there is no such grid (or the values are
    too large for exact integer arithmetic).
    """
    found = _on_grid(np.asarray(v, float))
    return None if found is None else found[0]


def value_counts(v: np.ndarray):
    """Sorted distinct values of ``v`` and how often each occurs.

    Values on a whole-number grid (counts, pounds and pence, scores with a
    few decimals) are counted with ``bincount`` over the grid (no sort); a
    tail beyond ``DENSE_SPAN`` (or one per person) grid steps from the middle
    is sorted on its own. This is what makes rank statistics on large
    samples cheap.
    """
    v = np.asarray(v, float)
    found = _on_grid(v) if len(v) >= 256 else None
    if found is None:
        return np.unique(v, return_counts=True)
    s, w, lo, hi = found
    span = max(len(v), DENSE_SPAN)
    lo = smallest = int(lo)
    hi = int(hi)
    if hi - lo < span:
        counts = np.bincount((w - lo).astype(np.intp))
        present = np.flatnonzero(counts)
        return (present + lo) / s, counts[present]
    # a window around the middle of the values; the tails sorted
    mid = int(np.median(w[:: max(1, len(w) // 4096)]))
    lo = min(max(lo, mid - span // 2), hi - span + 1)
    off = (w - lo).astype(np.intp)
    below = off < 0 if lo > smallest else np.zeros(len(off), bool)
    above = off >= span
    counts = np.bincount(off[~(below | above)], minlength=span)
    present = np.flatnonzero(counts)
    lu, lc = np.unique(w[below], return_counts=True)
    up, uc = np.unique(w[above], return_counts=True)
    return (np.concatenate([lu, present + lo, up]) / s,
            np.concatenate([lc, counts[present], uc]))


def arm_value_counts(x: np.ndarray, y: np.ndarray):
    """Sorted distinct values of both arms pooled and how many people of each arm have each.

    Parameters
    ----------
    x, y : numpy.ndarray, shape (m,) and (n,)
        Treatment and control values (finite floats).

    Returns
    -------
    values : numpy.ndarray of float, shape (k,)
    count_x, count_y : numpy.ndarray of int64, shape (k,)
        ``values[count_x > 0]`` and ``count_x[count_x > 0]`` are exactly
        ``value_counts(x)`` (the same doubles), and likewise for ``y``.

    Both arms are counted over a shared grid (see :func:`value_counts`), so the rank
    sum at shift 0 needs no search (:meth:`RankSums.of_aligned`).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    m = len(x)
    gx = _on_grid(x) if m + len(y) >= 256 else None
    gy = _on_grid(y) if gx is not None else None
    if gx is None or gy is None or gx[0] != gy[0]:  # pooled: one grid, or none
        v = np.concatenate([x, y])
        found = _on_grid(v) if len(v) >= 256 else None
        if found is None:
            u, inv = np.unique(v, return_inverse=True)
            return (u, np.bincount(inv[:m], minlength=len(u)),
                    np.bincount(inv[m:], minlength=len(u)))
        gx, gy = (found[0], found[1][:m], found[2], found[3]), (found[0], found[1][m:])
        lo, hi = int(found[2]), int(found[3])
    else:
        lo, hi = int(min(gx[2], gy[2])), int(max(gx[3], gy[3]))
    s, wx, wy = gx[0], gx[1], gy[1]
    span = max(m + len(y), DENSE_SPAN)
    if hi - lo < span:
        span = hi - lo + 1
    else:  # a window around the middle of the values (as value_counts); the tails sorted
        step = max(1, (m + len(y)) // 4096)
        sample = np.sort(np.concatenate([wx[::step], wy[::step]]))
        mid = int(np.median(sample))
        # no wider than twice the sample's middle 99.8%: beyond that values are so rare that
        # sorting them costs less than scanning empty cells (harm scores: most are 0)
        k = len(sample) // 1000
        span = max(DENSE_SPAN, min(span, 2 * int(sample[-1 - k] - sample[k]) + 1))
        lo = min(max(lo, mid - span // 2), hi - span + 1)

    def window(w):  # counts of lo .. lo + span - 1; cell 0 below, cell span + 1 above
        off = w.astype(np.intp)  # whole numbers: exact
        off -= lo - 1
        np.clip(off, 0, span + 1, out=off)
        return np.bincount(off, minlength=span + 2)

    cx, cy = window(wx), window(wy)
    present = np.flatnonzero(cx[1:-1] + cy[1:-1])
    values, count_x, count_y = present + lo, cx[1:-1][present], cy[1:-1][present]
    if cx[0] + cx[-1] + cy[0] + cy[-1]:  # values outside the window
        tails = [w[(w < lo) | (w >= lo + span)] for w in (wx, wy)]
        tu, tinv = np.unique(np.concatenate(tails), return_inverse=True)
        tx = np.bincount(tinv[:len(tails[0])], minlength=len(tu))
        ty = np.bincount(tinv[len(tails[0]):], minlength=len(tu))
        low = int(np.searchsorted(tu, lo))  # tail values below the window come first
        values = np.concatenate([tu[:low], values, tu[low:]])
        count_x = np.concatenate([tx[:low], count_x, tx[low:]])
        count_y = np.concatenate([ty[:low], count_y, ty[low:]])
    return values / s, count_x, count_y


def _exact_sum(terms_float, exact_int64, exact_python) -> int:
    """A sum of non-negative whole numbers: int64 when it cannot overflow, else Python ints."""
    if float(np.sum(terms_float)) < 2.0**62:
        return int(exact_int64().sum())
    return int(sum(exact_python()))


def _cube_excess(c) -> int:
    """sum(c^3 - c) exactly (Python integers for the large counts when int64 could overflow:
    a million people sharing one value already give 1e18)."""
    c = np.asarray(c, np.int64)
    if not len(c):
        return 0
    if c.max() <= 100_000:
        return int((c * c * c - c).sum())
    big = c > 100_000   # at most (people / 100,000) of these
    small = c[~big]
    return int((small * small * small - small).sum()) + sum(int(v) ** 3 - int(v) for v in c[big])


class RankSums:
    """Rank-sum statistics of ``x - shift`` against ``y`` from value counts.

    Equivalent to ranking the pooled sample with mid-ranks (R's ``rank``),
    but works on the distinct values, so each evaluation costs
    O(distinct values) instead of a sort of every person. W and the tie
    term are whole numbers held exactly, so the results are bit-identical to
    ranking.
    """

    def __init__(self, x, y):
        self._set(*value_counts(x), *value_counts(y))

    @classmethod
    def of_counts(cls, ux, cx, uy, cy) -> "RankSums":
        """From each arm's sorted distinct values and their (positive) counts."""
        ranks = cls.__new__(cls)
        ranks._set(ux, cx, uy, cy)
        return ranks

    @classmethod
    def of_aligned(cls, values, count_x, count_y) -> "RankSums":
        """From distinct values in increasing order and each arm's counts (0 allowed), as
        :func:`arm_value_counts` gives them. At shift 0 the arms are already merged, so W
        and the tie term come from one cumulative sum instead of a search."""
        it, iy = count_x > 0, count_y > 0
        # np.compress: the same as values[it], several times faster on a mixed mask
        ranks = cls.of_counts(np.compress(it, values), np.compress(it, count_x),
                              np.compress(iy, values), np.compress(iy, count_y))
        below = np.cumsum(count_y) - count_y        # control people below each value
        twice_w = int(count_x @ (2 * below + count_y))
        both = it & iy
        a, b = np.compress(both, count_x), np.compress(both, count_y)
        af, bf = a.astype(float), b.astype(float)
        cross = _exact_sum(3 * af * bf * (af + bf), lambda: 3 * a * b * (a + b),
                           lambda: (3 * int(i) * int(j) * (int(i) + int(j)) for i, j in zip(a, b)))
        ranks._cache[0.0] = (twice_w / 2, ranks.ties_x + ranks.ties_y + cross, bool(len(a)))
        return ranks

    def _set(self, ux, cx, uy, cy):
        self.ux, self.cx, self.uy, self.cy = ux, cx, uy, cy
        self.m, self.n = int(cx.sum()), int(cy.sum())
        self.cum_y = np.concatenate([[0], np.cumsum(self.cy)])
        self.ties_x = _cube_excess(self.cx)
        self.ties_y = _cube_excess(self.cy)
        self._cache = {}

    def w_and_ties(self, shift=0.0):
        """R's W (treatment rank sum minus m(m+1)/2) and sum of t^3 - t over tied groups."""
        key = float(shift)
        if key not in self._cache:
            self._cache[key] = self._w_and_ties(key)
        return self._cache[key][:2]

    def _w_and_ties(self, shift):
        xs, cx, ties_x = self.ux - shift, self.cx, self.ties_x
        if shift != 0 and len(xs) > 1 and (xs[1:] == xs[:-1]).any():
            # distinct values can collide after the shift in floating point
            xs, inv = np.unique(xs, return_inverse=True)
            cx = np.bincount(inv, weights=cx).astype(np.int64)
            ties_x = _cube_excess(cx)
        # only values inside the control range need a search (all of them at shift 0, few
        # at the ends of the interval search, where the arms barely overlap)
        i0 = int(np.searchsorted(xs, self.uy[0], side="left"))
        i1 = int(np.searchsorted(xs, self.uy[-1], side="right"))
        mid = xs[i0:i1]
        q = np.searchsorted(self.uy, mid, side="left")
        lt = self.cum_y[q]
        hit = q < len(self.uy)
        hit[hit] = self.uy[q[hit]] == mid[hit]
        eq = np.where(hit, self.cy[np.minimum(q, len(self.uy) - 1)], 0)  # control values equal
        le = lt + eq
        cx_mid = cx[i0:i1]
        twice_w = int((cx_mid * (lt + le)).sum()) + 2 * self.n * int(cx[i1:].sum())
        both = eq > 0
        # (a + b)^3 - (a + b) - (a^3 - a) - (b^3 - b) = 3ab(a + b) where x and y values meet
        a, b = cx_mid[both], eq[both]
        af, bf = a.astype(float), b.astype(float)
        cross = _exact_sum(3 * af * bf * (af + bf), lambda: 3 * a * b * (a + b),
                           lambda: (3 * int(i) * int(j) * (int(i) + int(j)) for i, j in zip(a, b)))
        return twice_w / 2, ties_x + self.ties_y + cross, bool(len(a))

    def has_ties(self) -> bool:
        if (self.cx > 1).any() or (self.cy > 1).any():
            return True
        self.w_and_ties(0.0)
        return self._cache[0.0][2]  # a treatment value equals a control value

    def z_parts(self, shift, correct_for):
        m, n = self.m, self.n
        w, ties = self.w_and_ties(shift)
        dz = w - m * n / 2
        sigma = _sigma(m, n, ties)
        corr = {"two-sided": np.sign(dz) * 0.5, "greater": 0.5, "less": -0.5,
                None: 0.0}[correct_for]
        return dz, sigma, corr


#: Pairs of distinct values up to which the differences are simply all formed and sorted.
ALL_PAIRS_LIMIT = 1 << 18
#: Histogram cells (range of x times range of y) up to which whole numbers are convolved.
CONVOLVE_LIMIT = 1 << 22


class PairwiseDifferences:
    """Order statistics of the m x n treatment-minus-control differences ``x_i - y_j``.

    Built from each arm's distinct values and counts (as :class:`RankSums`),
    never from the m x n pairs themselves (Johnson and Mizoguchi 1978, Monahan
    1984: selection in a sorted X + Y matrix):

    * few distinct values: every pair of distinct values, sorted, with its count;
    * whole numbers in a modest range: the histogram of differences is the
      convolution of the arms' value histograms (exact integer arithmetic);
    * otherwise: the k-th smallest difference is bracketed by pivots drawn
      from a seeded weighted sample of pairs, each bracket checked by an exact
      count of the differences below it (one sorted search over the distinct
      values, O(distinct values x log)), until the pairs left inside the
      bracket are few enough to sort. The answer is exact whatever the draws;
      they only decide how fast it is reached.

    Values on a decimal grid (counts, pence, two-decimal scores; see
    :func:`grid_scale`) are differenced in whole grid steps, so 7.0 - 7.4 and
    1.5 - 1.9 are the same difference, -0.4, as on paper; other values give
    the floating-point ``x_i - y_j``, as R's ``outer(x, y, "-")``.
    """

    def __init__(self, ux, cx, uy, cy):
        ux, uy = np.asarray(ux, float), np.asarray(uy, float)
        # each arm's grid (as grid_scale) and its values in whole steps of that grid
        gx, gy = _on_grid(ux, increasing=True), _on_grid(uy, increasing=True)
        self.scale = max(gx[0], gy[0]) if gx is not None and gy is not None else None
        if self.scale is not None:  # whole grid steps (exact in float64 below 2^50)
            ux, uy = (g[1] if g[0] == self.scale else np.rint(u * self.scale)
                      for g, u in ((gx, ux), (gy, uy)))
        self.ux, self.uy = ux, uy
        self.cx, self.cy = np.asarray(cx, np.int64), np.asarray(cy, np.int64)
        self.n = int(self.cy.sum())
        self.total = int(self.cx.sum()) * self.n
        self.cum_y = np.concatenate([[0], np.cumsum(self.cy)])
        self._table = None
        self._grid = None

    @classmethod
    def of(cls, ranks: "RankSums") -> "PairwiseDifferences":
        return cls(ranks.ux, ranks.cx, ranks.uy, ranks.cy)

    # -- counting: for each distinct x, the first distinct y with x - y <= t
    def _first(self, t):
        ux, uy = self.ux, self.uy
        q = np.searchsorted(uy, ux - t, side="left")
        k = len(uy)
        # the search compares y with x - t; the definition compares x - y with t, and the
        # two can differ by rounding: step to the exact boundary (rarely more than one step)
        while True:
            back = q > 0
            back[back] = (ux[back] - uy[q[back] - 1]) <= t
            fwd = q < k
            fwd[fwd] = (ux[fwd] - uy[q[fwd]]) > t
            if not back.any() and not fwd.any():
                return q
            q = q - back + fwd

    def count_le(self, t) -> int:
        """Number of pairs (people) with ``x_i - y_j <= t``."""
        if self.scale is not None:  # in grid steps; t within float dust of a step counts as it
            t = float(np.floor(t * self.scale + 1e-6))
        q = self._first(t)
        return self.total - int(self.cx @ self.cum_y[q])

    def select(self, ks) -> np.ndarray:
        """The ``k``-th smallest difference (1-based) for each ``k`` in ``ks``."""
        out = self._select(ks)
        return out if self.scale is None else out / self.scale

    def _select(self, ks) -> np.ndarray:
        ks = np.asarray(ks, np.int64)
        if len(ks) and (ks.min() < 1 or ks.max() > self.total):
            raise ValueError("rank out of range")
        table = self._small_table()
        if table is not None:
            d, cum = table
            return d[np.searchsorted(cum, ks, side="left")]
        grid = self._grid_counter()
        if grid is not None:
            return grid.select(ks)
        out, done = np.empty(len(ks)), None
        for i in np.argsort(ks):  # a rank inside the last sorted bracket needs no new search
            k = int(ks[i])
            if done is None or not done[0] < k <= done[0] + done[2][-1]:
                done = self._select_bracket(k)
            below, d, cum = done
            out[i] = d[np.searchsorted(cum, k - below, side="left")]
        return out

    def _grid_counter(self):
        if self._grid is None:
            self._grid = self.scale is not None and _GridDifferences(
                self.ux.astype(np.int64), self.cx, self.uy.astype(np.int64), self.cy)
        return self._grid or None

    def median(self) -> float:
        """Median of all differences (mean of the two middle ones), as ``np.median``."""
        n = self.total
        if n == 0:
            return NOT_ESTIMABLE
        a, b = self._select([(n + 1) // 2, n // 2 + 1])
        return float((a + b) / 2 / (self.scale or 1))

    def _small_table(self):
        """(sorted distinct differences, cumulative counts) when cheap to form, else None."""
        if self._table is not None:
            return self._table
        ux, uy, cx, cy = self.ux, self.uy, self.cx, self.cy
        if len(ux) * len(uy) <= ALL_PAIRS_LIMIT:
            d = np.subtract.outer(ux, uy).ravel()
            w = np.multiply.outer(cx, cy).ravel()
            order = np.argsort(d, kind="stable")
            self._table = d[order], np.cumsum(w[order])
            return self._table
        whole = (ux[-1] - ux[0] + 1) * (uy[-1] - uy[0] + 1) <= CONVOLVE_LIMIT and \
            np.array_equal(ux, np.round(ux)) and np.array_equal(uy, np.round(uy))
        if whole:
            hx = np.zeros(int(ux[-1] - ux[0]) + 1, np.int64)
            hx[(ux - ux[0]).astype(np.int64)] = cx
            hy = np.zeros(int(uy[-1] - uy[0]) + 1, np.int64)
            hy[(uy - uy[0]).astype(np.int64)] = cy
            # counts of d = x - y for d = ux[0] - uy[-1], ... (integer convolution: exact)
            hd = np.convolve(hx, hy[::-1])
            present = np.flatnonzero(hd)
            self._table = present + (ux[0] - uy[-1]), np.cumsum(hd[present])
            return self._table
        return None

    def _select_bracket(self, k: int):
        ux, uy, cx, cy, cum_y = self.ux, self.uy, self.cx, self.cy, self.cum_y
        rng = np.random.default_rng(k)  # seeded: the same work for the same data
        # bracket [a, b] with fewer than k differences below a and at least k up to b;
        # per distinct x, the y's with a <= x - y <= b are uy[q_b[i]:q_a[i]]
        q_a = np.full(len(ux), len(uy))
        q_b = np.zeros(len(ux), np.int64)
        below_a, upto_b = 0, self.total
        limit = max(4 * (len(ux) + len(uy)), 1 << 16)
        for _ in range(64):
            cells = int((q_a - q_b).sum())
            if cells <= limit:
                break
            # a weighted sample of the pairs inside the bracket
            row_w = cx * (cum_y[q_a] - cum_y[q_b])
            cum_w = np.cumsum(row_w)
            s = 20_000
            u = rng.integers(0, cum_w[-1], size=s)
            row = np.searchsorted(cum_w, u, side="right")
            within = (u - (cum_w[row] - row_w[row])) // cx[row]
            col = np.searchsorted(cum_y, cum_y[q_b[row]] + within, side="right") - 1
            sample = np.sort(ux[row] - uy[col])
            f = (k - below_a) / (upto_b - below_a)
            spread = 2.5 * np.sqrt(s * f * (1 - f)) + 2
            lo_i, hi_i = int(np.floor(f * s - spread)), int(np.ceil(f * s + spread))
            for i in (lo_i, hi_i):
                if not 0 <= i < s:
                    continue
                t = sample[i]
                if i == lo_i:   # try to raise a to t: count the differences below t
                    q = self._first(np.nextafter(t, -np.inf))
                    c = self.total - int(cx @ cum_y[q])
                    if c < k:
                        q_a, below_a = q, c
                    else:       # the answer is below t
                        q_b, upto_b = q, c
                else:           # try to lower b to t: count the differences up to t
                    q = self._first(t)
                    c = self.total - int(cx @ cum_y[q])
                    if c >= k:
                        q_b, upto_b = q, c
                    else:
                        q_a, below_a = q, c
        # the pairs inside the bracket, sorted with their counts
        lens = q_a - q_b
        rows = np.repeat(np.arange(len(ux)), lens)
        starts = np.cumsum(lens) - lens
        cols = np.arange(int(lens.sum())) - np.repeat(starts - q_b, lens)
        d = ux[rows] - uy[cols]
        order = np.argsort(d, kind="stable")
        # (differences below the bracket, the sorted differences inside it, cumulative counts)
        return below_a, d[order], np.cumsum(cx[rows][order] * cy[cols][order])


class _GridDifferences:
    """Order statistics of ``x_i - y_j`` for whole numbers (values in grid steps).

    The differences are whole numbers of steps, so the k-th smallest is the
    smallest whole number d with at least k differences <= d: found by
    false-position search (Illinois variant) over whole numbers, each step an
    exact count. A count reads, for each distinct x, how many control values
    lie at or above x - d from a dense cumulative count of the control arm
    (O(distinct x), no search); control values far out in a tail are counted
    by a sorted search of the few concerned.
    """

    def __init__(self, ix, cx, iy, cy):
        self.ix, self.cx, self.iy, self.cy = ix, cx, iy, cy
        self.n = int(cy.sum())
        self.total = int(cx.sum()) * self.n
        span = max(4 * len(iy), DENSE_SPAN)
        self.lo = int(iy[0])
        self.span = min(int(iy[-1]) - self.lo + 1, span)
        inside = iy - self.lo < self.span
        below = np.zeros(self.span + 1, np.int64)   # below[v]: control values < lo + v
        below[iy[inside] - self.lo + 1] = cy[inside]
        np.cumsum(below, out=below)
        self.below = below
        self.tail, self.tail_cum = iy[~inside], np.concatenate([[0], np.cumsum(cy[~inside])])
        self.x_off = ix - self.lo
        self._idx = np.empty_like(self.x_off)  # reused by every count
        self.known = {}
        self._sample = None

    def count_le(self, d: int) -> int:
        """Number of pairs with x - y <= d (d in grid steps)."""
        c = self.known.get(d)
        if c is None:
            idx = np.subtract(self.x_off, d, out=self._idx)  # y >= x - d <=> x - y <= d
            # control values below x - d; mode="clip" reads indexes beyond 0 .. span as
            # those ends (all control values are below, or none)
            lt = np.take(self.below, idx, mode="clip")
            if len(self.tail):  # control values in the upper tail below x - d: few x reach them
                i = int(np.searchsorted(self.ix, self.tail[0] + d, side="right"))
                lt[i:] += self.tail_cum[np.searchsorted(self.tail, self.ix[i:] - d, side="left")]
            c = self.total - int(self.cx @ lt)
            self.known[d] = c
        return c

    def select(self, ks) -> np.ndarray:
        lo_d = int(self.ix[0] - self.iy[-1])
        hi_d = int(self.ix[-1] - self.iy[0])
        self.known.setdefault(lo_d - 1, 0)
        self.known.setdefault(hi_d, self.total)
        out = np.empty(len(ks))
        for i, k in enumerate(ks):
            out[i] = self._smallest_with(int(k))
        return out

    def _sample_quantiles(self, k, s=4096):
        """Guesses around rank ``k`` from a seeded sample of people pairs (speed only)."""
        if self._sample is None:
            rng = np.random.default_rng(len(self.ix) * 7919 + len(self.iy))
            cum_x, cum_y = np.cumsum(self.cx), np.cumsum(self.cy)
            rx = np.searchsorted(cum_x, rng.integers(0, cum_x[-1], s), side="right")
            ry = np.searchsorted(cum_y, rng.integers(0, cum_y[-1], s), side="right")
            self._sample = np.sort(self.ix[rx] - self.iy[ry])
        d = self._sample
        f = k / self.total
        spread = 3 * np.sqrt(s * f * (1 - f)) + 1
        return [int(d[int(np.clip(i, 0, s - 1))]) for i in (f * s - spread, f * s + spread)]

    def _secant(self, k: int, a: int, b: int):
        """A guess strictly inside (a, b) by the line through the two counted differences
        whose counts are nearest ``k`` (speed only), or None when fewer than two are known
        besides the ends of the range."""
        inner = sorted((abs(c - k), d, c) for d, c in self.known.items() if 0 < c < self.total)
        if len(inner) < 2 or inner[0][2] == inner[1][2]:
            return None
        (_, d1, c1), (_, d2, c2) = inner[:2]
        t = d1 + (k - c1) * (d2 - d1) / (c2 - c1)
        return int(min(max(np.floor(t), a + 1), b - 1))

    def _smallest_with(self, k: int) -> int:
        """The smallest d with count_le(d) >= k. Which differences are counted decides only
        the speed: the answer is the bracket [a, b] with count(a) < k <= count(b), b = a + 1.
        Guesses: first from a sample of pairs, then (the interval's bounds lie close to the
        median, so the counts made for one serve the next) by secant steps from the nearest
        counts; then false position on the bracket, which always closes."""
        known = self.known
        a = max((d for d, c in known.items() if c < k))          # count(a) < k
        b = min((d for d, c in known.items() if c >= k))         # count(b) >= k
        if self._secant(k, a, b) is None:
            for g in self._sample_quantiles(k):
                if a < g < b:
                    if self.count_le(g) < k:
                        a = g
                    else:
                        b = g
            if b - a > 1 and self._secant(k, a, b) is None:
                # the guesses met at one value (many pairs differ by exactly that, as when
                # most people have 0): it is often the answer itself
                if self.count_le(b - 1) < k:
                    a = b - 1
                else:
                    b = b - 1
        for _ in range(4):
            g = self._secant(k, a, b) if b - a > 1 else None
            if g is None:
                break
            if self.count_le(g) < k:
                a = g
            else:
                b = g
        fa, fb, side = known[a] - k, known[b] - k, 0
        while b - a > 1:
            width = b - a
            t = b - fb * (b - a) / (fb - fa)  # false position on the count
            t = int(min(max(np.floor(t) if side >= 0 else np.ceil(t), a + 1), b - 1))
            c = self.count_le(t) - k
            if c < 0:
                a, fa = t, c
                if side < 0:
                    fb /= 2          # Illinois: the other end has stayed twice
                side = -1
            else:
                b, fb = t, c
                if side > 0:
                    fa /= 2
                side = 1
            if b - a > width // 2 and b - a > 2:   # slow progress: one bisection step too
                t = (a + b) // 2
                c = self.count_le(t) - k
                if c < 0:
                    a, fa = t, c
                else:
                    b, fb = t, c
        return b


def _wdiff_open(u: int, m: int, n: int, sigma, correct_for, zq):
    """R's ``wdiff`` where no shifted treatment value equals a control value: W = u."""
    dz = float(u) - m * n / 2
    corr = {"two-sided": np.sign(dz) * 0.5, "greater": 0.5, "less": -0.5,
            None: 0.0}[correct_for]
    return (dz - corr) / sigma - zq


def _interval_bound(ranks: RankSums, pairs: PairwiseDifferences, zq, correct_for,
                    lo, hi) -> float:
    """Shift d where R's ``wdiff(d, zq)`` (the corrected, standardised W of ``x - d``) crosses 0.

    R finds it with ``uniroot`` between ``lo`` = min(x) - max(y) and ``hi`` =
    max(x) - min(y). ``wdiff`` is a non-increasing step function that only
    changes where ``d`` crosses a difference ``x_i - y_j``. Between two
    neighbouring differences no shifted treatment value ties with a control
    value, so W is the number u of pairs with ``x_i - y_j > d`` and the tie
    term is the within-arm one: ``wdiff`` is a non-decreasing function of u.
    The crossing is the first difference after which ``wdiff <= 0``, i.e.
    after which at most u* pairs lie above, where u* is the largest u with
    ``wdiff <= 0``: the (m n - u*)-th smallest difference. u* is found by
    binary search over whole numbers (no data touched), the difference by
    selection (:class:`PairwiseDifferences`). At ``lo`` and ``hi`` themselves
    (where values tie) ``wdiff`` is evaluated exactly as R does.
    """
    f_lo = _wdiff_at(ranks, lo, correct_for, zq)
    f_hi = _wdiff_at(ranks, hi, correct_for, zq)
    if not np.isfinite(f_lo) or not np.isfinite(f_hi):
        return np.nan
    if f_lo <= 0:
        return lo
    if f_hi >= 0:
        return hi
    m, n = ranks.m, ranks.n
    total = m * n
    sigma = _sigma(m, n, ranks.ties_x + ranks.ties_y)
    a, b = -1, total           # wdiff_open(a) <= 0 unknown for a = -1 (treated as true)
    while a < b:               # largest u in [0, total] with wdiff_open(u) <= 0, or -1
        u = (a + b + 1) // 2
        if _wdiff_open(u, m, n, sigma, correct_for, zq) <= 0:
            a = u
        else:
            b = u - 1
    k = min(max(total - a, 1), total)
    return float(pairs.select([k])[0])


def _sigma(m, n, ties):
    return np.sqrt((m * n / 12) * ((m + n + 1) - ties / ((m + n) * (m + n - 1))))


def _wdiff_at(ranks: RankSums, d, correct_for, zq):
    dz, sigma, corr = ranks.z_parts(d, correct_for)
    if sigma == 0:
        return np.nan
    return (dz - corr) / sigma - zq


def hodges_lehmann(treatment, control) -> float:
    """Hodges-Lehmann shift: the median of all treatment-minus-control differences.

    R's ``wilcox.test`` reports this in the exact case; in the asymptotic case
    it reports a root of the rank statistic that lies in the same flat region
    (the median solves the same equation), so the two agree where R's is
    unique. The median is selected from the arms' value counts
    (:class:`PairwiseDifferences`), never by forming every pair.
    """
    x, y = np.asarray(treatment, float), np.asarray(control, float)
    if len(x) == 0 or len(y) == 0:
        return NOT_ESTIMABLE
    return PairwiseDifferences(*value_counts(x), *value_counts(y)).median()


_LABEL = "Mann-Whitney U (Wilcoxon rank-sum)"


def _check_method(method):
    if method not in ("auto", "exact", "asymptotic"):
        raise DataError(f"method must be auto, exact or asymptotic; got {method!r}.")


def mann_whitney(treatment, control, *, alternative="two-sided", confidence_level=0.95,
                 method="auto", correct=True):
    """Mann-Whitney U (Wilcoxon rank-sum) test with the Hodges-Lehmann shift.

    Matches R ``wilcox.test(x, y, conf.int=TRUE, correct=correct)``: the exact
    null distribution when both arms have fewer than 50 people and there are
    no ties (``method="auto"``), otherwise the normal approximation with tie
    and continuity corrections. The statistic is R's W (rank sum of treatment
    minus n_t(n_t+1)/2).

    In the asymptotic case R finds the shift and interval with ``uniroot``
    (tolerance 1e-4) on its corrected, standardised W. That W is a step
    function of the shift, so each bound is exactly one of the pairwise
    differences: this function finds which from the rank statistic's whole-number
    values and selects it from the arms' value counts
    (:class:`PairwiseDifferences`; no root finding over the data, no m x n
    pairs formed), so results agree with R to about 1e-4 (R's tolerance).
    The estimate is the median of the pairwise differences, which lies in
    the flat region of W's root that R's ``uniroot`` lands in.
    """
    x, y = _prepare(treatment, control, alternative, confidence_level)
    _check_method(method)
    if len(x) < 1 or len(y) < 1:
        return _not_estimable("mann-whitney", alternative, confidence_level, x, y, _LABEL,
                              "Not estimable: each arm needs at least 1 person with a value.")
    # counts of distinct values, shared by p, estimate and interval
    r = _mann_whitney(RankSums(x, y), float(x.mean()), float(y.mean()), alternative,
                      confidence_level, method, correct)
    if r is None:
        return _not_estimable("mann-whitney", alternative, confidence_level, x, y, _LABEL,
                              "Not estimable: every value is the same.")
    return r


def mann_whitney_counts(values, count_treatment, count_control, *, alternative="two-sided",
                        confidence_level=0.95, method="auto", correct=True):
    """:func:`mann_whitney` from value counts instead of one value per person.

    Parameters
    ----------
    values : array_like, shape (k,)
        Distinct outcome values in increasing order (finite).
    count_treatment, count_control : array_like of int, shape (k,)
        How many people in each arm have each value (0 allowed).
    alternative, confidence_level, method, correct
        As for :func:`mann_whitney`.

    Returns
    -------
    TwoSampleResult
        The same as ``mann_whitney(np.repeat(values, count_treatment),
        np.repeat(values, count_control), ...)``; the arms' means are taken from
        the counts (equal to the people's means up to float rounding, exactly for
        whole numbers). Used by :func:`fd_stats.analyse` for count outcomes, whose
        value counts it already holds, so the people are not counted again.

    Raises
    ------
    DataError
        If the values are not finite and increasing, the three arrays differ in
        length, or a count is negative or fractional.
    """
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    _check_method(method)
    v = np.asarray(values, float)
    ct, cc = np.asarray(count_treatment), np.asarray(count_control)
    if v.ndim != 1 or ct.shape != v.shape or cc.shape != v.shape:
        raise DataError("values, count_treatment and count_control must be 1-D and of equal "
                        f"length; got shapes {v.shape}, {ct.shape} and {cc.shape}.")
    # strictly increasing (a NaN fails every comparison), so only the ends can be infinite
    if len(v) and not ((np.diff(v) > 0).all() and np.isfinite(v[0]) and np.isfinite(v[-1])):
        raise DataError("values must be finite and strictly increasing.")
    for c in (ct, cc):  # integer counts cannot be fractional: only their sign is checked
        whole = c.dtype.kind in "iu" or (c == np.rint(c)).all()
        if not whole or (len(c) and c.min() < 0):
            raise DataError("Counts must be whole numbers of at least 0.")
    ct, cc = ct.astype(np.int64, copy=False), cc.astype(np.int64, copy=False)
    m, n = int(ct.sum()), int(cc.sum())
    if m < 1 or n < 1:  # one arm empty: nothing to count, the people's version says why
        return mann_whitney(np.repeat(v, ct), np.repeat(v, cc), alternative=alternative,
                            confidence_level=confidence_level, method=method, correct=correct)
    # (v * c).sum(), not v @ c: a long float dot product goes to OpenBLAS, whose threads then
    # spin on the other core for a while (CPU time for nothing, per call)
    r = _mann_whitney(RankSums.of_aligned(v, ct, cc),
                      float((v * ct).sum()) / m, float((v * cc).sum()) / n, alternative,
                      confidence_level, method, correct)
    if r is None:
        return mann_whitney(np.repeat(v, ct), np.repeat(v, cc), alternative=alternative,
                            confidence_level=confidence_level, method=method, correct=correct)
    return r


def _mann_whitney(ranks: RankSums, mean_t, mean_c, alternative, confidence_level, method,
                  correct):
    """The test from the arms' value counts; None when every value is the same."""
    m, n = ranks.m, ranks.n
    label = _LABEL
    pairs = PairwiseDifferences.of(ranks)
    w = float(ranks.w_and_ties(0.0)[0])
    has_ties = ranks.has_ties()
    exact = (method == "exact" or (method == "auto" and m < 50 and n < 50)) and not has_ties
    alpha = 1 - confidence_level
    if exact:
        counts = _wilcox_counts(m, n)
        if alternative == "two-sided":
            p = (1 - _pwilcox(w - 1, counts)) if w > m * n / 2 else _pwilcox(w, counts)
            p = min(2 * p, 1.0)
        elif alternative == "greater":
            p = 1 - _pwilcox(w - 1, counts)
        else:
            p = _pwilcox(w, counts)
        qu = _qwilcox(alpha / 2 if alternative == "two-sided" else alpha, counts)
        qu = max(qu, 1)
        ql = m * n - qu
        # R: diffs <- sort(outer(x, y, "-")); c(diffs[qu], diffs[ql + 1])
        d_lo, d_hi = pairs.select([qu, ql + 1])
        lo = d_lo if alternative != "less" else -np.inf
        hi = d_hi if alternative != "greater" else np.inf
        est = pairs.median()
        label += ", exact"
    else:
        dz, sigma, corr = ranks.z_parts(0.0, alternative if correct else None)
        if sigma == 0:
            return None
        z = (dz - corr) / sigma
        if alternative == "less":
            p = special.ndtr(z)
        elif alternative == "greater":
            p = special.ndtr(-z)
        else:
            p = min(2 * min(special.ndtr(z), special.ndtr(-z)), 1.0)
        # the sorted distinct values: the same extremes as the people's
        mumin, mumax = ranks.ux[0] - ranks.uy[-1], ranks.ux[-1] - ranks.uy[0]
        cf = alternative if correct else None

        def bound(zq):
            return _interval_bound(ranks, pairs, zq, cf, mumin, mumax)

        est = pairs.median()  # first: the bounds' searches start from the counts it made
        if alternative == "two-sided":
            lo, hi = bound(special.ndtri(1 - alpha / 2)), bound(special.ndtri(alpha / 2))
        elif alternative == "greater":
            lo, hi = bound(special.ndtri(1 - alpha)), np.inf
        else:
            lo, hi = -np.inf, bound(special.ndtri(alpha))
        label += ", normal approximation" + (" with continuity correction" if correct else "")
    return TwoSampleResult(
        test="mann-whitney", alternative=alternative, confidence_level=confidence_level,
        n_treatment=m, n_control=n, mean_treatment=mean_t, mean_control=mean_c,
        estimate=float(est), ci_low=float(lo), ci_high=float(hi), statistic=w,
        df=NOT_ESTIMABLE, p_value=float(p), method=label,
        ci_method="Hodges-Lehmann shift, interval by inverting the rank-sum test", exact=exact,
        note=(f"This interval is the single value {lo + 0.0:g}: most people in both arms share a "
              "few whole-number values (often 0), so the typical difference between a person "
              "in one arm and a person in the other is a whole number. The interval does not "
              "show how large the effect is, and a value of 0 does not mean there is no effect; "
              "use the p-value and the difference in means with its interval."
              if lo == hi else ""),
    )
