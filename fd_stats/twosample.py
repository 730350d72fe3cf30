"""Two-sample comparisons of treatment against control.

Conventions follow R: ``x`` is treatment, ``y`` is control, the estimate is
treatment minus control, and ``alternative="less"`` means treatment lower.
Confidence intervals have the same sidedness as the test (as R's ``t.test``):
a one-sided test gives an interval with one infinite bound.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from ._checks import as_sample, check_alternative, check_level
from .errors import DataError

NOT_ESTIMABLE = float("nan")


@dataclass(frozen=True)
class TwoSampleResult:
    """Result of one two-sample comparison.

    Attributes
    ----------
    test : str
        ``welch``, ``student``, ``mann-whitney`` or ``permutation``.
    estimate : float
        Difference in means (t and permutation tests) or the Hodges-Lehmann
        shift (Mann-Whitney), treatment minus control.
    ci_low, ci_high : float
        Confidence interval for ``estimate``; one bound is infinite for a
        one-sided test. NaN when not estimable.
    statistic : float
        t, W (R's Mann-Whitney statistic) or the observed difference in means.
    df : float
        Degrees of freedom (t tests only; NaN otherwise).
    p_value : float
        Probability of a difference at least this large, in the direction(s)
        given by ``alternative``, if the programme had no effect.
    note : str
        Why a value is not estimable, or how it was obtained (empty if nothing to say).
    """

    test: str
    alternative: str
    confidence_level: float
    n_treatment: int
    n_control: int
    mean_treatment: float
    mean_control: float
    estimate: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float
    p_value: float
    method: str
    ci_method: str
    n_resamples: int = 0
    exact: bool = False
    mc_error: float = NOT_ESTIMABLE
    note: str = ""

    @property
    def estimable(self) -> bool:
        return bool(np.isfinite(self.p_value))


def _prepare(treatment, control, alternative, confidence_level):
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    x = as_sample(treatment, "treatment")
    y = as_sample(control, "control")
    return x, y


def _not_estimable(test, alternative, confidence_level, x, y, method, note, **extra):
    return TwoSampleResult(
        test=test, alternative=alternative, confidence_level=confidence_level,
        n_treatment=len(x), n_control=len(y),
        mean_treatment=float(x.mean()) if len(x) else NOT_ESTIMABLE,
        mean_control=float(y.mean()) if len(y) else NOT_ESTIMABLE,
        estimate=float(x.mean() - y.mean()) if len(x) and len(y) else NOT_ESTIMABLE,
        ci_low=NOT_ESTIMABLE, ci_high=NOT_ESTIMABLE, statistic=NOT_ESTIMABLE,
        df=NOT_ESTIMABLE, p_value=NOT_ESTIMABLE, method=method, ci_method="", note=note,
        **extra,
    )


def t_from_moments(mean_t, var_t, n_t, mean_c, var_c, n_c, *, equal_var=False,
                   alternative="two-sided", confidence_level=0.95):
    """t statistic, df, p-value and interval from means, variances and sizes.

    Returns ``(estimate, se, t, df, p, ci_low, ci_high)``; NaNs where the
    standard error is zero or undefined. Shared by the raw-data and the
    summary-statistics versions so they cannot disagree.
    """
    est = mean_t - mean_c
    if equal_var:
        df = n_t + n_c - 2
        if df < 1:
            return (est,) + (NOT_ESTIMABLE,) * 6
        pooled = ((n_t - 1) * var_t + (n_c - 1) * var_c) / df
        se = np.sqrt(pooled * (1 / n_t + 1 / n_c))
    else:
        if n_t < 2 or n_c < 2:
            return (est,) + (NOT_ESTIMABLE,) * 6
        a, b = var_t / n_t, var_c / n_c
        se = np.sqrt(a + b)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (a + b) ** 2 / (a**2 / (n_t - 1) + b**2 / (n_c - 1))
    if not np.isfinite(se) or se <= 0 or not np.isfinite(df):
        return (est,) + (NOT_ESTIMABLE,) * 6
    t = est / se
    p = p_from_t(t, df, alternative)
    lo, hi = t_interval(est, se, df, alternative, confidence_level)
    return est, se, t, df, p, lo, hi


def t_interval(est, se, df, alternative, confidence_level):
    """``(ci_low, ci_high)`` of ``est`` with t quantiles on ``df``, open on one side when the
    test is one-sided (as R's ``t.test`` reports it)."""
    if alternative == "two-sided":
        q = special.stdtrit(df, 1 - (1 - confidence_level) / 2)
        return est - q * se, est + q * se
    q = special.stdtrit(df, confidence_level)
    return (-np.inf, est + q * se) if alternative == "less" else (est - q * se, np.inf)


def p_from_t(t, df, alternative="two-sided"):
    """p-value of a t statistic with ``df`` degrees of freedom (R: ``pt``).

    ``less`` is ``pt(t, df)``, ``greater`` is ``pt(t, df, lower=FALSE)``,
    ``two-sided`` is ``2 * pt(-|t|, df)``. Works element-wise on arrays.
    """
    check_alternative(alternative)
    t = np.asarray(t, dtype=float)
    df = np.asarray(df, dtype=float)
    # scipy.special directly: the same values as scipy.stats.t, without its per-call overhead
    if alternative == "less":
        p = special.stdtr(df, t)
    elif alternative == "greater":
        p = special.stdtr(df, -t)
    else:
        p = np.minimum(2 * special.stdtr(df, -np.abs(t)), 1.0)
    return p[()] if p.ndim == 0 else p


def _t_test(treatment, control, equal_var, alternative, confidence_level):
    name = "student" if equal_var else "welch"
    method = ("Two-sample t-test, equal variances (Student)" if equal_var
              else "Welch two-sample t-test (unequal variances)")
    x, y = _prepare(treatment, control, alternative, confidence_level)
    need = 1 if equal_var else 2
    if len(x) < need or len(y) < need or len(x) + len(y) < 3:
        return _not_estimable(name, alternative, confidence_level, x, y, method,
                              "Not estimable: each arm needs at least 2 people with a value.")
    return t_test_moments(Moments.of(x), Moments.of(y), equal_var=equal_var,
                          alternative=alternative, confidence_level=confidence_level)


@dataclass(frozen=True)
class Moments:
    """Size, mean and variance (ddof=1; 0 for one value) of a clean sample, computed once.

    The scalar functions and the batched analysis both build results from these,
    so they give identical numbers while a large sample is only scanned once.
    """

    n: int
    mean: float
    var: float

    @classmethod
    def of(cls, v: np.ndarray) -> "Moments":
        n = len(v)
        return cls(n, v.mean() if n else NOT_ESTIMABLE, v.var(ddof=1) if n > 1 else 0.0)


def t_test_moments(mx: Moments, my: Moments, *, equal_var=False, alternative="two-sided",
                   confidence_level=0.95) -> TwoSampleResult:
    """Welch or Student t-test from :class:`Moments` of each arm (enough people assumed)."""
    name = "student" if equal_var else "welch"
    method = ("Two-sample t-test, equal variances (Student)" if equal_var
              else "Welch two-sample t-test (unequal variances)")
    est, se, t, df, p, lo, hi = t_from_moments(
        mx.mean, mx.var, mx.n, my.mean, my.var, my.n, equal_var=equal_var,
        alternative=alternative, confidence_level=confidence_level)
    note = "" if np.isfinite(p) else "Not estimable: no variation within the arms."
    return TwoSampleResult(
        test=name, alternative=alternative, confidence_level=confidence_level,
        n_treatment=mx.n, n_control=my.n, mean_treatment=float(mx.mean),
        mean_control=float(my.mean), estimate=float(est), ci_low=float(lo), ci_high=float(hi),
        statistic=float(t), df=float(df), p_value=float(p), method=method,
        ci_method="t interval", note=note,
    )


def welch_t(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Welch's unequal-variance t-test; matches R ``t.test(x, y, var.equal=FALSE)``.

    Parameters
    ----------
    treatment, control : array_like
        Outcome values per person; NaN are dropped.
    alternative : {'two-sided', 'less', 'greater'}
        ``less``: treatment mean lower than control.
    confidence_level : float
        Level of the interval for the difference in means.

    Returns
    -------
    TwoSampleResult
    """
    return _t_test(treatment, control, False, alternative, confidence_level)


def student_t(treatment, control, *, alternative="two-sided", confidence_level=0.95):
    """Student's pooled-variance t-test; matches R ``t.test(x, y, var.equal=TRUE)``."""
    return _t_test(treatment, control, True, alternative, confidence_level)


# ---------------------------------------------------------------- Mann-Whitney

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


def _on_grid(v: np.ndarray):
    """``(s, v * s as whole-number floats)`` for the smallest grid of ``GRID_SCALES``, or None."""
    if not len(v):
        return None
    top = float(max(v.max(), -v.min()))
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
            return s, w
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
    s, w = found
    span = max(len(v), DENSE_SPAN)
    lo, hi = int(w.min()), int(w.max())
    if hi - lo < span:
        counts = np.bincount((w - lo).astype(np.intp))
        present = np.flatnonzero(counts)
        return (present + lo) / s, counts[present]
    # a window around the middle of the values; the tails sorted
    mid = int(np.median(w[:: max(1, len(w) // 4096)]))
    lo = min(max(lo, mid - span // 2), hi - span + 1)
    off = (w - lo).astype(np.intp)
    below = off < 0 if lo > int(w.min()) else np.zeros(len(off), bool)
    above = off >= span
    counts = np.bincount(off[~(below | above)], minlength=span)
    present = np.flatnonzero(counts)
    lu, lc = np.unique(w[below], return_counts=True)
    up, uc = np.unique(w[above], return_counts=True)
    return (np.concatenate([lu, present + lo, up]) / s,
            np.concatenate([lc, counts[present], uc]))


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
    big = c > 100_000   # at most (people / 100,000) of these
    small = c[~big]
    return int((small**3 - small).sum()) + sum(int(v) ** 3 - int(v) for v in c[big])


class RankSums:
    """Rank-sum statistics of ``x - shift`` against ``y`` from value counts.

    Equivalent to ranking the pooled sample with mid-ranks (R's ``rank``),
    but works on the distinct values, so each evaluation costs
    O(distinct values) instead of a sort of every person. W and the tie
    term are whole numbers held exactly, so the results are bit-identical to
    ranking.
    """

    def __init__(self, x, y):
        self.m, self.n = len(x), len(y)
        self.ux, self.cx = value_counts(x)
        self.uy, self.cy = value_counts(y)
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
        sx, sy = grid_scale(ux), grid_scale(uy)
        self.scale = max(sx, sy) if sx is not None and sy is not None else None
        if self.scale is not None:  # whole grid steps (exact in float64 below 2^50)
            ux, uy = np.rint(ux * self.scale), np.rint(uy * self.scale)
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
        self.known = {}
        self._sample = None

    def count_le(self, d: int) -> int:
        """Number of pairs with x - y <= d (d in grid steps)."""
        c = self.known.get(d)
        if c is None:
            idx = self.x_off - d                    # y >= x - d <=> x - y <= d
            np.clip(idx, 0, self.span, out=idx)
            lt = self.below[idx]                    # control values below x - d
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
        guesses = self._sample_quantiles(ks)
        out = np.empty(len(ks))
        for i, k in enumerate(ks):
            out[i] = self._smallest_with(int(k), guesses[i])
        return out

    def _sample_quantiles(self, ks, s=4096):
        """Guesses around each rank from a seeded sample of people pairs (speed only)."""
        if self._sample is None:
            rng = np.random.default_rng(len(self.ix) * 7919 + len(self.iy))
            cum_x, cum_y = np.cumsum(self.cx), np.cumsum(self.cy)
            rx = np.searchsorted(cum_x, rng.integers(0, cum_x[-1], s), side="right")
            ry = np.searchsorted(cum_y, rng.integers(0, cum_y[-1], s), side="right")
            self._sample = np.sort(self.ix[rx] - self.iy[ry])
        d = self._sample
        out = []
        for k in ks:
            f = k / self.total
            spread = 3 * np.sqrt(s * f * (1 - f)) + 1
            out.append([int(d[int(np.clip(i, 0, s - 1))]) for i in (f * s - spread, f * s + spread)])
        return out

    def _smallest_with(self, k: int, guesses) -> int:
        known = self.known
        a = max((d for d, c in known.items() if c < k))          # count(a) < k
        b = min((d for d, c in known.items() if c >= k))         # count(b) >= k
        for g in guesses:
            if a < g < b:
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
    if method not in ("auto", "exact", "asymptotic"):
        raise DataError(f"method must be auto, exact or asymptotic; got {method!r}.")
    m, n = len(x), len(y)
    label = "Mann-Whitney U (Wilcoxon rank-sum)"
    if m < 1 or n < 1:
        return _not_estimable("mann-whitney", alternative, confidence_level, x, y, label,
                              "Not estimable: each arm needs at least 1 person with a value.")
    ranks = RankSums(x, y)  # counts of distinct values, shared by p, estimate and interval
    pairs = PairwiseDifferences.of(ranks)
    w = float(ranks.w_and_ties(0.0)[0])
    has_ties = ranks.has_ties()
    exact = (method == "exact" or (method == "auto" and m < 50 and n < 50)) and not has_ties
    mean_t, mean_c = float(x.mean()), float(y.mean())
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
            return _not_estimable("mann-whitney", alternative, confidence_level, x, y, label,
                                  "Not estimable: every value is the same.")
        z = (dz - corr) / sigma
        if alternative == "less":
            p = special.ndtr(z)
        elif alternative == "greater":
            p = special.ndtr(-z)
        else:
            p = min(2 * min(special.ndtr(z), special.ndtr(-z)), 1.0)
        mumin, mumax = x.min() - y.max(), x.max() - y.min()
        cf = alternative if correct else None

        def bound(zq):
            return _interval_bound(ranks, pairs, zq, cf, mumin, mumax)

        if alternative == "two-sided":
            lo, hi = bound(special.ndtri(1 - alpha / 2)), bound(special.ndtri(alpha / 2))
        elif alternative == "greater":
            lo, hi = bound(special.ndtri(1 - alpha)), np.inf
        else:
            lo, hi = -np.inf, bound(special.ndtri(alpha))
        est = pairs.median()
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


# ---------------------------------------------------------------- permutation

MAX_EXACT_ARRANGEMENTS = 200_000
#: Resampling budget (resamples x people) above which large samples switch to
#: drawing counts of each distinct value (exact same distribution, cost independent
#: of the number of people) or, for samples with many distinct values, fewer resamples.
RESAMPLING_WORK = 40_000_000
MIN_REDUCED_RESAMPLES = 100


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
    """(distinct values, counts) when ``v`` has few distinct values relative to its size."""
    u, c = value_counts(v)
    return (u, c) if len(u) <= min(5_000, max(1, len(v) // 4)) else None


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
    sums are needed. Chunked so memory stays bounded on large files.
    """
    values = _with_arm(values, m)
    out = np.empty((n_resamples, 2))
    total = values.sum(axis=0)
    for start, assign, is_t in _assignments(len(values), m, n_resamples, rng):
        out[start:start + len(assign)] = _subset_sums(assign, is_t, values, total)
    return out[:, 0], np.rint(out[:, 1])


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
    p = permutation_p(diffs, observed, alternative, exact)
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
        n_resamples=int(len(diffs)), exact=exact, mc_error=mc_error,
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
    distinct values, and otherwise use fewer re-randomisations (at least
    ``MIN_REDUCED_RESAMPLES``); ``method`` says which and how many.
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
    elif (m + n) * n_resamples <= RESAMPLING_WORK:
        sums, ks = _permutation_sums(values, m, n_resamples, np.random.default_rng(seed))
    else:
        if _few_values(values) is not None:
            sums, ks = _permutation_sums_counts(x, y, n_resamples, np.random.default_rng(seed))
            how = " drawn as counts of each distinct value"
        else:
            used = max(MIN_REDUCED_RESAMPLES, min(n_resamples, RESAMPLING_WORK // (m + n)))
            sums, ks = _permutation_sums(values, m, used, np.random.default_rng(seed))
            if used < n_resamples:
                how = (f", reduced from {n_resamples:,} to keep the analysis responsive "
                       f"with {m + n:,} people")
    return _permutation_result(x, y, alternative, confidence_level, n_resamples, seed, sums,
                               ks, exact, arrangements, how)


def _shared_index_plan(m: int, n: int, n_resamples: int, max_exact=MAX_EXACT_ARRANGEMENTS):
    """True when many outcomes on the same m + n people can share one re-randomisation matrix."""
    return (m >= 1 and n >= 1 and m + n >= 3 and (m + n) * n_resamples <= RESAMPLING_WORK
            and _arrangements(m + n, m, max_exact) is None)


def permutation_test_many(treatment, control, *, alternative="two-sided", confidence_level=0.95,
                          n_resamples=10_000, seed=12345):
    """:func:`permutation_test` for several outcomes measured on the same people, at once.

    ``treatment`` is an (m, k) and ``control`` an (n, k) array without missing
    values, one column per outcome. The re-randomisations do not depend on
    the values, so one seeded m + n assignment matrix is drawn and multiplied
    by the value matrix: every column gets exactly the re-randomisations
    :func:`permutation_test` would draw for it, so the results are the same.
    Returns a list of :class:`TwoSampleResult`, one per column.
    """
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    xs, ys = np.asarray(treatment, float), np.asarray(control, float)
    m, n = xs.shape[0], ys.shape[0]
    n_resamples = _check_resamples(n_resamples)
    k = xs.shape[1]
    if (k == 0 or not _shared_index_plan(m, n, n_resamples)
            or np.isnan(xs).any() or np.isnan(ys).any()):
        return [permutation_test(xs[:, j], ys[:, j], alternative=alternative,
                                 confidence_level=confidence_level, n_resamples=n_resamples,
                                 seed=seed) for j in range(k)]
    if np.isinf(xs).any() or np.isinf(ys).any():
        raise DataError("The values include an infinite value; remove or correct it before testing.")
    values = _with_arm(np.concatenate([xs, ys]), m)   # (m + n, k + 1): outcomes, then arm
    sums = np.empty((n_resamples, k + 1))
    total = values.sum(axis=0)
    for start, assign, is_t in _assignments(m + n, m, n_resamples, np.random.default_rng(seed)):
        sums[start:start + len(assign)] = _subset_sums(assign, is_t, values, total)
    ks = np.rint(sums[:, k])
    return [_permutation_result(xs[:, j], ys[:, j], alternative, confidence_level, n_resamples,
                                seed, sums[:, j], ks, False, None, "")
            for j in range(k)]


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

    Returns ``(means_x, means_y, how)``. Small samples resample people by
    index. Large samples (people x resamples above ``RESAMPLING_WORK``) draw
    multinomial counts of each distinct value when an arm has few distinct
    values (the same distribution) and otherwise use fewer resamples; ``how``
    describes any such choice for the method text ("" when none).
    """
    n_resamples = int(n_resamples)
    if (len(x) + len(y)) * n_resamples <= RESAMPLING_WORK:
        return (bootstrap_indices_means(x, n_resamples, rng),
                bootstrap_indices_means(y, n_resamples, rng), "")
    few = [_few_values(v) for v in (x, y)]
    used = n_resamples
    if any(f is None for f in few):
        used = max(MIN_REDUCED_RESAMPLES,
                   min(n_resamples, RESAMPLING_WORK // (len(x) + len(y))))
    means = [(_multinomial_means(*f, used, rng) if f is not None
              else bootstrap_indices_means(v, used, rng)) for v, f in zip((x, y), few)]
    how = (" drawn as counts of each distinct value" if used == n_resamples else
           f" (reduced from {n_resamples:,} to keep the analysis responsive with "
           f"{len(x) + len(y):,} people)")
    return means[0], means[1], how


def bootstrap_means_many(treatment, control, n_resamples: int, seed: int):
    """Bootstrap arm means for several outcomes on the same people: (k, B) arrays.

    Small samples share one seeded index matrix per arm across all outcome
    columns: the same resamples :func:`bootstrap_arm_means` draws for each
    column with ``np.random.default_rng(seed)`` (means equal up to float
    rounding of the sums; exactly for whole numbers). Returns None for large samples
    (people x resamples above ``RESAMPLING_WORK``), which are resampled per outcome.
    """
    xs, ys = np.asarray(treatment, float), np.asarray(control, float)
    m, n, k = xs.shape[0], ys.shape[0], xs.shape[1]
    n_resamples = int(n_resamples)
    if (m + n) * n_resamples > RESAMPLING_WORK or m == 0 or n == 0:
        return None  # large samples: the per-outcome functions choose how to resample
    rng = np.random.default_rng(seed)
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
            means[:, start:start + rows] = _matmul(counts, arm).T / size
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


TESTS = {
    "welch": welch_t,
    "student": student_t,
    "mann-whitney": mann_whitney,
    "permutation": permutation_test,
}
