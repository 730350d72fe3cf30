"""Today's (before issue 16) Mann-Whitney / Hodges-Lehmann implementation, kept verbatim as
the reference for the equivalence tests of the selection-based one in fd_stats.methods.rank.

It finds the asymptotic interval by binary search / bisection over the rank statistic
(``_root_shift``) and the large-sample estimate by bisection or histogram convolution.
Not used by the package; do not "fix" it: it is what the new code must reproduce.
"""
import numpy as np
from scipy import special

from fd_stats.errors import DataError
from fd_stats.methods.rank import _pwilcox, _qwilcox, _wilcox_counts
from fd_stats.methods.result import NOT_ESTIMABLE, TwoSampleResult, _not_estimable, _prepare


def value_counts(v: np.ndarray):
    """Sorted distinct values of ``v`` and how often each occurs.

    Whole numbers in a modest range are counted with ``bincount`` (no sort),
    which is what makes rank statistics on large count outcomes cheap.
    """
    v = np.asarray(v, float)
    if len(v) >= 256:
        lo, hi = v.min(), v.max()
        if hi - lo <= max(4 * len(v), 1024) and np.array_equal(v, np.floor(v)):
            counts = np.bincount((v - lo).astype(np.int64))
            present = np.flatnonzero(counts)
            return present + lo, counts[present]
    return np.unique(v, return_counts=True)


def _cube_excess(c) -> int:
    """sum(c^3 - c) exactly (Python integers when int64 could overflow)."""
    c = np.asarray(c, np.int64)
    if len(c) and c.max() > 2_000_000:
        return int(sum(int(v) ** 3 - int(v) for v in c))
    return int((c**3 - c).sum())


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

    def w_and_ties(self, shift=0.0):
        """R's W (treatment rank sum minus m(m+1)/2) and sum of t^3 - t over tied groups."""
        xs, cx, ties_x = self.ux - shift, self.cx, self.ties_x
        if shift != 0 and len(xs) > 1 and (xs[1:] == xs[:-1]).any():
            # distinct values can collide after the shift in floating point
            xs, inv = np.unique(xs, return_inverse=True)
            cx = np.bincount(inv, weights=cx).astype(np.int64)
            ties_x = _cube_excess(cx)
        lt = self.cum_y[np.searchsorted(self.uy, xs, side="left")]
        le = self.cum_y[np.searchsorted(self.uy, xs, side="right")]
        twice_w = int((cx * (lt + le)).sum())
        eq = le - lt
        both = eq > 0
        # (a + b)^3 - (a + b) - (a^3 - a) - (b^3 - b) = 3ab(a + b) where x and y values meet
        a, b = cx[both], eq[both]
        cross = (int((3 * a * b * (a + b)).sum()) if len(a) and max(a.max(), b.max()) <= 1_000_000
                 else sum(3 * int(i) * int(j) * (int(i) + int(j)) for i, j in zip(a, b)))
        return twice_w / 2, ties_x + self.ties_y + cross

    def jump_points(self, lo, hi, limit=2_000_000):
        """Sorted distinct treatment-minus-control differences strictly between lo and hi.

        The rank statistic of ``x - d`` only changes where ``d`` crosses one of
        these; None when there are more than ``limit`` pairs of distinct values.
        """
        if len(self.ux) * len(self.uy) > limit:
            return None
        if getattr(self, "_diffs", None) is None:
            self._diffs = np.unique(np.subtract.outer(self.ux, self.uy))
        d = self._diffs
        return d[(d > lo) & (d < hi)]

    def has_ties(self) -> bool:
        if (self.cx > 1).any() or (self.cy > 1).any():
            return True
        return bool(np.isin(self.ux, self.uy).any())

    def z_parts(self, shift, correct_for):
        m, n = self.m, self.n
        w, ties = self.w_and_ties(shift)
        dz = w - m * n / 2
        sigma = np.sqrt((m * n / 12) * ((m + n + 1) - ties / ((m + n) * (m + n - 1))))
        corr = {"two-sided": np.sign(dz) * 0.5, "greater": 0.5, "less": -0.5,
                None: 0.0}[correct_for]
        return dz, sigma, corr


def _rank_sum_z(x, y, shift, correct_for):
    """R's asymptotic standardised W for ``x - shift`` against ``y``, with tie correction."""
    return RankSums(x, y).z_parts(shift, correct_for)


def _root_shift(x, y, zq, correct_for, lo, hi, ranks: RankSums | None = None):
    """Shift d where R's ``wdiff(d, zq)`` crosses zero (bisection; wdiff is non-increasing).

    Each step evaluates the rank statistic from value counts (:class:`RankSums`),
    not by re-ranking every person.
    """
    ranks = ranks or RankSums(x, y)

    def wdiff(d):
        dz, sigma, corr = ranks.z_parts(d, correct_for)
        if sigma == 0:
            return np.nan
        return (dz - corr) / sigma - zq

    f_lo, f_hi = wdiff(lo), wdiff(hi)
    if not np.isfinite(f_lo) or not np.isfinite(f_hi):
        return np.nan
    if f_lo <= 0:
        return lo
    if f_hi >= 0:
        return hi
    jumps = ranks.jump_points(lo, hi)
    if jumps is not None:
        # wdiff is a non-increasing step function that only changes at these points, so
        # its crossing is the first point after which it is <= 0: binary search over the
        # constant stretches between them (about log2(pairs) evaluations, not ~150
        # bisection steps). Bisection converges to the same point.
        pts = np.concatenate([[lo], jumps, [hi]])
        a, b = 0, len(pts) - 1  # answer index; len(pts) - 1 means hi
        while a < b:
            i = (a + b) // 2
            if wdiff((pts[i] + pts[i + 1]) / 2) <= 0:
                b = i
            else:
                a = i + 1
        return float(pts[a])
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if wdiff(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def hodges_lehmann(treatment, control) -> float:
    """Hodges-Lehmann shift: the median of all treatment-minus-control differences.

    R's ``wilcox.test`` reports this in the exact case; in the asymptotic case
    it reports a root of the rank statistic that lies in the same flat region
    (the median solves the same equation), so the two agree where R's is
    unique. Large samples of whole numbers use a histogram convolution
    instead of forming every pair.
    """
    return _hodges_lehmann(np.asarray(treatment, float), np.asarray(control, float))


def _hodges_lehmann(x, y, ranks: "RankSums | None" = None) -> float:
    """:func:`hodges_lehmann`, reusing the value counts of :class:`RankSums` when given."""
    if len(x) == 0 or len(y) == 0:
        return NOT_ESTIMABLE
    if len(x) * len(y) <= 4_000_000:
        return float(np.median(np.subtract.outer(x, y)))
    if ranks is not None:
        lo = min(ranks.ux[0], ranks.uy[0])
        whole = (np.array_equal(ranks.ux, np.round(ranks.ux))
                 and np.array_equal(ranks.uy, np.round(ranks.uy))
                 and max(ranks.ux[-1], ranks.uy[-1]) - lo <= 10_000)
    else:
        lo = min(x.min(), y.min())
        whole = (np.all(x == np.round(x)) and np.all(y == np.round(y))
                 and max(x.max(), y.max()) - lo <= 10_000)
    if whole:
        if ranks is not None:  # histograms from the distinct values and their counts
            hx = np.zeros(int(ranks.ux[-1] - lo) + 1, np.int64)
            hx[(ranks.ux - lo).astype(np.int64)] = ranks.cx
            hy = np.zeros(int(ranks.uy[-1] - lo) + 1, np.int64)
            hy[(ranks.uy - lo).astype(np.int64)] = ranks.cy
        else:
            hx = np.bincount((x - lo).astype(np.int64))
            hy = np.bincount((y - lo).astype(np.int64))
        # counts of d = x - y for d from -(len(hy)-1) upwards
        hd = np.convolve(hx, hy[::-1])
        cum = np.cumsum(hd)
        total = cum[-1]
        lower = np.searchsorted(cum, (total + 1) // 2, side="left")
        upper = np.searchsorted(cum, total // 2 + 1, side="left")
        offset = -(len(hy) - 1)
        return float((lower + upper) / 2 + offset)
    # general large case: bisection on the number of pairs with x - y > d; ends
    # between the two middle differences (not their exact average), which is
    # within float precision of the median at this size
    ys = np.sort(y)
    total = len(x) * len(y)

    def below(d):
        return np.searchsorted(ys, x - d, side="left").sum()

    a, b = x.min() - y.max(), x.max() - y.min()
    for _ in range(100):
        mid = (a + b) / 2
        if below(mid) > total / 2:
            a = mid
        else:
            b = mid
    return float((a + b) / 2)


def mann_whitney(treatment, control, *, alternative="two-sided", confidence_level=0.95,
                 method="auto", correct=True):
    """Mann-Whitney U (Wilcoxon rank-sum) test with the Hodges-Lehmann shift.

    Matches R ``wilcox.test(x, y, conf.int=TRUE, correct=correct)``: the exact
    null distribution when both arms have fewer than 50 people and there are
    no ties (``method="auto"``), otherwise the normal approximation with tie
    and continuity corrections. The statistic is R's W (rank sum of treatment
    minus n_t(n_t+1)/2).

    In the asymptotic case R finds the shift and interval with ``uniroot``
    (tolerance 1e-4); this function solves the same equations by bisection to
    machine precision, so results agree with R to about 1e-4.
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
        diffs = np.sort(np.subtract.outer(x, y).ravel())
        qu = _qwilcox(alpha / 2 if alternative == "two-sided" else alpha, counts)
        qu = max(qu, 1)
        ql = m * n - qu
        lo = diffs[qu - 1] if alternative != "less" else -np.inf
        hi = diffs[ql] if alternative != "greater" else np.inf
        est = _hodges_lehmann(x, y, ranks)
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
        if alternative == "two-sided":
            lo = _root_shift(x, y, special.ndtri(1 - alpha / 2), cf, mumin, mumax, ranks)
            hi = _root_shift(x, y, special.ndtri(alpha / 2), cf, mumin, mumax, ranks)
        elif alternative == "greater":
            lo, hi = _root_shift(x, y, special.ndtri(1 - alpha), cf, mumin, mumax, ranks), np.inf
        else:
            lo, hi = -np.inf, _root_shift(x, y, special.ndtri(alpha), cf, mumin, mumax, ranks)
        # Bisection ends on a float next to a jump of a step function; drop the float dust.
        scale = max(abs(mumin), abs(mumax), 1.0)
        lo, hi = (float(np.round(v / scale, 12) * scale) if np.isfinite(v) else v
                  for v in (lo, hi))
        est = _hodges_lehmann(x, y, ranks)
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
