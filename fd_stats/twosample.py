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
    if alternative == "two-sided":
        q = special.stdtrit(df, 1 - (1 - confidence_level) / 2)
        lo, hi = est - q * se, est + q * se
    elif alternative == "less":
        lo, hi = -np.inf, est + special.stdtrit(df, confidence_level) * se
    else:
        lo, hi = est - special.stdtrit(df, confidence_level) * se, np.inf
    return est, se, t, df, p, lo, hi


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
