"""Model-based and design-based methods of the registry (see fd_stats.methods.registry).

* Poisson rate ratio with the HC0 sandwich standard error: R
  ``glm(y ~ arm + ..., family = poisson)`` with ``sandwich::vcovHC(type = "HC0")``.
* Negative-binomial rate ratio, dispersion by maximum likelihood: R
  ``MASS::glm.nb``, Wald interval as ``confint.default``.
* Lin's (2013) covariate-adjusted difference in means (treatment interacted
  with centred covariates, HC2 standard errors, t on n - k df): R
  ``estimatr::lm_lin(se_type = "HC2")``. Lin W. (2013) Ann Appl Stat 7:295-318.
* Blocked difference in means: R ``estimatr::difference_in_means(blocks = )``.
* Permutation test re-randomising within strata (statistic: the blocked difference).

Models are fitted by statsmodels (IRLS). Where no covariate is continuous the
fit uses one row per distinct (outcome, arm, covariates) combination with
frequency weights: the same likelihood, far fewer rows.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from .design import Design, build_design
from .registry import METHODS, NAN, MethodEffect, not_estimable, wald
from .permutation import (MAX_EXACT_ARRANGEMENTS, RESAMPLING_WORK, _arrangements, _exact_sums,
                          _few_values, _permutation_sums, _permutation_sums_counts,
                          permutation_p)
from .ttest import p_from_t, t_interval, welch_t

TOL = 1e-12          # IRLS convergence: tight enough to agree with R to 1e-6 or better
MAX_COEF = 25.0      # |log rate ratio| beyond this means an estimate running off to infinity


def _adjust_text(design: Design) -> str:
    return f"; adjusted for {design.described}" if design.described else ""


def _counts_rows(y, treated, z: np.ndarray):
    """Distinct (y, arm, covariate) rows and how many people each stands for."""
    if z.shape[1] == 0 and y.max() < 1 << 24 and np.array_equal(y, np.floor(y)):
        # whole-number outcome, arm only: one count per (value, arm) by integer binning
        key = y.astype(np.int64) * 2 + treated
        n = np.bincount(key)
        seen = np.flatnonzero(n)
        return ((seen // 2).astype(float), (seen % 2).astype(float)[:, None],
                n[seen].astype(float))
    if z.shape[1] == 0:  # arm only, any values: both arms' value counts (linear in people)
        from .rank import arm_value_counts

        u, c_t, c_c = arm_value_counts(np.compress(treated, y), np.compress(~treated, y))
        i_t, i_c = np.flatnonzero(c_t), np.flatnonzero(c_c)
        return (np.concatenate([u[i_t], u[i_c]]),
                np.concatenate([np.ones(len(i_t)), np.zeros(len(i_c))])[:, None],
                np.concatenate([c_t[i_t], c_c[i_c]]).astype(float))
    frame = pd.DataFrame(np.column_stack([y, treated.astype(float), z]))
    counts = frame.value_counts(sort=False)
    rows = np.array(counts.index.tolist(), dtype=float).reshape(len(counts), -1)
    return rows[:, 0], rows[:, 1:], counts.to_numpy(dtype=float)


def _prepare_count(method, y, treated, covariates, baseline, baseline_name, strata,
                   alternative, confidence_level, weights=None):
    """Checks shared by the count models; returns (problem result or None, X, y, weights, design).

    ``weights`` (frequency weights: rows that are already value counts) only without covariates.
    """
    w0 = np.ones(len(y)) if weights is None else np.asarray(weights, float)
    # np.compress, not w0[treated]: several times faster on a mask that mixes the arms
    nt, nc = np.compress(treated, w0).sum(), np.compress(~treated, w0).sum()
    ne = lambda note: not_estimable(method, y, treated, alternative, confidence_level, note)  # noqa: E731
    if nt < 1 or nc < 1:
        return ne("each arm needs at least one person with a value."), None
    if (y < 0).any():
        return ne("a rate ratio needs counts or other values of 0 or more; the outcome has "
                  "negative values."), None
    for arm, mask in (("treatment", treated), ("control", ~treated)):
        if not (np.compress(mask, w0) * np.compress(mask, y)).any():  # nobody with an event
            return ne(f"nobody in the {arm} arm had an event, so the rate ratio is "
                      f"{'0' if arm == 'treatment' else 'infinite'} and has no interval."), None
    design = build_design(len(y), covariates, baseline, baseline_name, strata, log_baseline=True)
    if design.problem:
        return ne(design.problem + "."), None
    z = design.matrix
    if weights is not None:
        if z.shape[1]:
            raise ValueError("frequency weights are for models without covariates")
        yy, xz, w = y, treated[:, None].astype(float), w0
    elif not design.continuous and len(y) > 50:
        yy, xz, w = _counts_rows(y, treated, z)
    else:
        yy, xz, w = y, np.column_stack([treated.astype(float), z]), np.ones(len(y))
    x = np.column_stack([np.ones(len(yy)), xz])
    # arm only: full rank, both arms having people (no SVD of a million rows)
    if (x.shape[1] > 2 and np.linalg.matrix_rank(x) < x.shape[1]) or w.sum() <= x.shape[1]:
        return ne("the covariates are collinear with the arm or each other, or there are "
                  "fewer people than coefficients."), None
    return None, (x, yy, w, design)


def _arm_only(x, w) -> bool:
    return x.shape[1] == 2


def _dot(a, b) -> float:
    """a @ b; long vectors summed by numpy, not OpenBLAS (whose threads then spin on the
    other core: CPU time for nothing)."""
    return float(a @ b) if len(a) <= 10_000 else float((a * b).sum())


def _arm_means(x, yy, w):
    """Per-arm size and mean from value-count rows (x[:, 1] is the arm)."""
    t = x[:, 1] == 1
    n_t, n_c = w[t].sum(), w[~t].sum()
    return t, n_t, n_c, _dot(w[t], yy[t]) / n_t, _dot(w[~t], yy[~t]) / n_c


def _nb_loglik(yy, mu, w, alpha):
    """Negative-binomial log-likelihood (mean mu, variance mu + alpha mu^2), weighted rows."""
    r = 1.0 / alpha
    ll = (special.gammaln(yy + r) - special.gammaln(r) - special.gammaln(yy + 1)
          + r * np.log(r / (r + mu)) + special.xlogy(yy, mu / (r + mu)))
    return _dot(w, ll)


def _fit_glm(x, y, w, family, start=None, tol=TOL):
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings():
        # no convergence or separation: the caller reports "not estimable"
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            res = sm.GLM(y, x, family=family, freq_weights=w).fit(
                tol=tol, maxiter=200, start_params=start)
        except (ConvergenceWarning, PerfectSeparationWarning):
            return None
    if not np.all(np.isfinite(res.params)):
        return None
    return res


def _separated(params) -> bool:
    return bool(np.max(np.abs(params[1:])) > MAX_COEF)


def poisson_rate_ratio(y, treated, *, covariates=None, baseline=None, baseline_name="baseline",
                       strata=None, alternative="two-sided", confidence_level=0.95,
                       weights=None, **_) -> MethodEffect:
    """Poisson regression rate ratio (treatment / control) with the HC0 sandwich SE.

    Matches R ``glm(y ~ arm + log1p(b) + covariates, family = poisson)`` with
    ``sandwich::vcovHC(fit, type = "HC0")`` and a Wald interval and p-value.
    The sandwich makes the interval valid when the counts are over-dispersed
    (the Poisson variance assumption is not needed), and for non-negative
    non-integer outcomes (a quasi-Poisson mean model).
    """
    key = "poisson"
    bad, fit = _prepare_count(key, y, treated, covariates, baseline, baseline_name, strata,
                              alternative, confidence_level, weights)
    if bad is not None:
        return bad
    x, yy, w, design = fit
    n_t, n_c = int(w[x[:, 1] == 1].sum()), int(w[x[:, 1] == 0].sum())
    label = METHODS[key].label + _adjust_text(design)
    if _arm_only(x, w):
        # arm only: the maximum-likelihood fit is each arm's mean (score equations), and
        # the HC0 sandwich is block-diagonal by arm; no model fit (or statsmodels import)
        # is needed for the same numbers
        t, nt, nc, m_t, m_c = _arm_means(x, yy, w)
        var = _dot(w[t], (yy[t] - m_t) ** 2) / (nt * m_t) ** 2 + \
            _dot(w[~t], (yy[~t] - m_c) ** 2) / (nc * m_c) ** 2
        return wald(key, float(np.log(m_t / m_c)), float(np.sqrt(var)), alternative,
                    confidence_level, n_t, n_c, log=True, label=label,
                    note=" ".join(design.notes + _non_whole(y, "poisson")))
    import statsmodels.api as sm

    res = _fit_glm(x, yy, w, sm.families.Poisson())
    if res is None:
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "the Poisson model did not converge, or a covariate level has no "
                             "events (separation).")
    if _separated(res.params):
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "an estimate runs off to infinity (a covariate level or arm "
                             "with no events: separation).")
    mu = res.fittedvalues
    bread = np.linalg.inv(x.T @ (x * (w * mu)[:, None]))
    meat = x.T @ (x * (w * (yy - mu) ** 2)[:, None])
    se = float(np.sqrt((bread @ meat @ bread)[1, 1]))
    return wald(key, float(res.params[1]), se, alternative, confidence_level, n_t, n_c,
                log=True, label=label, note=" ".join(design.notes + _non_whole(y, "poisson")))


def _non_whole(y, model) -> list[str]:
    if np.array_equal(y, np.floor(y)):
        return []
    if model == "poisson":
        return ["The outcome has non-whole values: the Poisson model is used for its mean only "
                "(the robust standard error does not assume Poisson variation)."]
    return ["The outcome has non-whole values; the negative binomial is a model for counts, "
            "so read this with care."]


def negative_binomial_rate_ratio(y, treated, *, covariates=None, baseline=None,
                                 baseline_name="baseline", strata=None, alternative="two-sided",
                                 confidence_level=0.95, weights=None, **_) -> MethodEffect:
    """Negative-binomial regression rate ratio, dispersion by maximum likelihood.

    Matches R ``MASS::glm.nb(y ~ arm + log1p(b) + covariates)`` and its Wald
    interval ``confint.default`` (model-based covariance at the ML dispersion).
    The dispersion is found by maximising the profile likelihood (scipy's
    bounded Brent search over log alpha, each point an IRLS fit by
    statsmodels); alpha = 1 / theta of R.
    """
    from scipy.optimize import minimize_scalar

    key = "negative-binomial"
    bad, fit = _prepare_count(key, y, treated, covariates, baseline, baseline_name, strata,
                              alternative, confidence_level, weights)
    if bad is not None:
        return bad
    x, yy, w, design = fit
    n_t, n_c = int(w[x[:, 1] == 1].sum()), int(w[x[:, 1] == 0].sum())
    lo_b, hi_b = np.log(1e-8), np.log(1e4)
    notes = list(design.notes)
    if _arm_only(x, w):
        # arm only: whatever the dispersion, the fitted means are the arm means, so the
        # profile likelihood of alpha is the likelihood at those means
        t, nt, nc, m_t, m_c = _arm_means(x, yy, w)
        mu = np.where(t, m_t, m_c)
        opt = minimize_scalar(lambda la: -_nb_loglik(yy, mu, w, np.exp(la)), bounds=(lo_b, hi_b),
                              method="bounded", options={"xatol": 1e-10, "maxiter": 500})
        alpha = float(np.exp(opt.x))
        problem = _dispersion_problem(opt.x, lo_b, hi_b, notes)
        if problem:
            return not_estimable(key, y, treated, alternative, confidence_level, problem)
        # model-based (expected information) variance of log(mean) per arm: (1 + alpha mu) / (n mu)
        se = np.sqrt((1 + alpha * m_t) / (nt * m_t) + (1 + alpha * m_c) / (nc * m_c))
        return wald(key, float(np.log(m_t / m_c)), float(se), alternative, confidence_level,
                    n_t, n_c, log=True, label=METHODS[key].label
                    + f" (theta = {1 / alpha:.3g})" + _adjust_text(design),
                    note=" ".join(notes + _non_whole(y, "nb")))
    import statsmodels.api as sm

    pois = _fit_glm(x, yy, w, sm.families.Poisson())
    if pois is None or _separated(pois.params):
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "the model did not converge or an estimate runs off to infinity "
                             "(separation).")
    start = {"p": pois.params}

    def neg_profile(log_alpha):
        r = _fit_glm(x, yy, w, sm.families.NegativeBinomial(alpha=np.exp(log_alpha)),
                     start=start["p"], tol=1e-10)
        if r is None:
            return np.inf
        start["p"] = r.params
        return -r.llf

    opt = minimize_scalar(neg_profile, bounds=(lo_b, hi_b), method="bounded",
                          options={"xatol": 1e-10, "maxiter": 500})
    if not np.isfinite(opt.fun):
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "the negative-binomial model did not converge.")
    problem = _dispersion_problem(opt.x, lo_b, hi_b, notes)
    if problem:
        return not_estimable(key, y, treated, alternative, confidence_level, problem)
    res = _fit_glm(x, yy, w, sm.families.NegativeBinomial(alpha=np.exp(opt.x)), start=start["p"])
    if res is None or _separated(res.params):
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "the negative-binomial model did not converge.")
    theta = 1 / np.exp(opt.x)
    return wald(key, float(res.params[1]), float(res.bse[1]), alternative, confidence_level,
                n_t, n_c, log=True,
                label=METHODS[key].label + f" (theta = {theta:.3g})" + _adjust_text(design),
                note=" ".join(notes + _non_whole(y, "nb")))


#: Dispersion (alpha = 1 / theta) below which the data show no over-dispersion.
NO_OVERDISPERSION = 1e-5


def _dispersion_problem(log_alpha, lo_b, hi_b, notes) -> str:
    """Why the ML dispersion is unusable (""), adding a note when it is at its lower limit."""
    if log_alpha > hi_b - 0.01:
        return "the dispersion could not be estimated (it grows without limit)."
    # theta above 100,000: the profile likelihood is flat towards the Poisson limit, so the
    # search stops anywhere up there (R's glm.nb reports a huge theta or stops at its limit)
    if log_alpha < np.log(NO_OVERDISPERSION):
        notes.append("No over-dispersion: the dispersion is at its lower limit, so the model "
                     "is the Poisson model (R's glm.nb reports a very large theta or stops at "
                     "its iteration limit).")
    return ""


def _t_effect(key, est, se, df, alternative, confidence_level, n_t, n_c, label, note):
    if not (np.isfinite(se) and se > 0 and np.isfinite(df) and df >= 1):
        return MethodEffect(key, label, METHODS[key].scale, METHODS[key].estimate_label,
                            float(est), NAN, NAN, NAN, NAN, NAN, NAN, alternative,
                            confidence_level, n_t, n_c,
                            ("Not estimable: no variation left to estimate the standard error. "
                             + note).strip())
    t = est / se
    p = float(p_from_t(t, df, alternative))
    lo, hi = t_interval(est, se, df, alternative, confidence_level)
    return MethodEffect(key, label, METHODS[key].scale, METHODS[key].estimate_label, float(est),
                        float(lo), float(hi), p, float(t), float(df), float(se), alternative,
                        confidence_level, n_t, n_c, note)


def lin_difference(y, treated, *, covariates=None, baseline=None, baseline_name="baseline",
                   strata=None, alternative="two-sided", confidence_level=0.95,
                   **_) -> MethodEffect:
    """Lin's (2013) covariate-adjusted difference in means.

    OLS of the outcome on treatment, the covariates centred at their means and
    treatment x centred covariates; the coefficient of treatment is the
    adjusted difference in means, with the HC2 standard error and a t
    reference on n - k df. Matches R ``estimatr::lm_lin(y ~ arm, covariates =
    ~ b + x, se_type = "HC2")`` (strata enter as dummies). Without
    covariates it is the difference in means with an HC2 standard error.
    """
    import statsmodels.api as sm

    key = "lin"
    nt, nc = int(treated.sum()), int((~treated).sum())
    if nt < 2 or nc < 2:
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "each arm needs at least 2 people with a value.")
    design = build_design(len(y), covariates, baseline, baseline_name, strata)
    t = treated.astype(float)
    zc = design.matrix - design.matrix.mean(axis=0)
    x = np.column_stack([np.ones(len(y)), t, zc, zc * t[:, None]])
    n, k = x.shape
    label = (METHODS[key].label + _adjust_text(design) if design.k else
             "Difference in means with an HC2 standard error (Lin's estimator, no covariates "
             "given)")
    if n - k < 1 or np.linalg.matrix_rank(x) < k:
        return not_estimable(key, y, treated, alternative, confidence_level,
                             f"{k} coefficients need more than {n} people, and covariates that "
                             "vary within each arm and are not collinear.")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.OLS(y, x).fit(cov_type="HC2")
    h = res.get_influence().hat_matrix_diag if n <= 200_000 else None
    if h is not None and np.max(h) > 1 - 1e-10:
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "a person's value fixes the fit exactly (a covariate level with "
                             "one person in an arm), so the HC2 standard error is undefined.")
    return _t_effect(key, float(res.params[1]), float(res.bse[1]), n - k, alternative,
                     confidence_level, nt, nc, label, " ".join(design.notes))


def _strata_groups(strata):
    codes, uniques = pd.factorize(pd.Series(strata), sort=True)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(uniques), codes)
        uniques = list(uniques) + ["(missing)"]
    return codes, [str(u) for u in uniques]


def blocked_difference(y, treated, *, strata=None, alternative="two-sided",
                       confidence_level=0.95, **_) -> MethodEffect:
    """Difference in means within randomisation strata, weighted by stratum size.

    estimate = sum_b (N_b / N) (mean_tb - mean_cb); SE = sqrt(sum_b (N_b / N)^2
    (s_tb^2 / n_tb + s_cb^2 / n_cb)); t on N - 2B df. Matches R
    ``estimatr::difference_in_means(y ~ arm, blocks = stratum)``. Without
    strata it is Welch's t-test (what estimatr does without blocks).
    """
    key = "blocked"
    nt, nc = int(treated.sum()), int((~treated).sum())
    if strata is None:
        r = welch_t(y[treated], y[~treated], alternative=alternative,
                    confidence_level=confidence_level)
        se = r.estimate / r.statistic if np.isfinite(r.statistic) and r.statistic else NAN
        return MethodEffect(key, "Difference in means (no strata given: Welch t-test)",
                            "difference", "difference in means", r.estimate, r.ci_low,
                            r.ci_high, r.p_value, r.statistic, r.df, se, alternative,
                            confidence_level, nt, nc, r.note)
    codes, names = _strata_groups(strata)
    n_b = len(names)
    g = codes * 2 + (~treated)
    cnt = np.bincount(g, minlength=2 * n_b).reshape(n_b, 2)
    short = [names[i] for i in range(n_b) if cnt[i].min() < 2]
    if short:
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "each stratum needs at least 2 people in each arm; "
                             f"stratum {', '.join(short[:5])} has fewer.")
    s1 = np.bincount(g, weights=y, minlength=2 * n_b).reshape(n_b, 2)
    mean = s1 / cnt
    dev = (y - mean.ravel()[g]) ** 2
    var = np.bincount(g, weights=dev, minlength=2 * n_b).reshape(n_b, 2) / (cnt - 1)
    wts = cnt.sum(axis=1) / len(y)
    est = float(np.sum(wts * (mean[:, 0] - mean[:, 1])))
    se = float(np.sqrt(np.sum(wts ** 2 * (var[:, 0] / cnt[:, 0] + var[:, 1] / cnt[:, 1]))))
    label = METHODS[key].label + f" ({n_b} strata)"
    return _t_effect(key, est, se, len(y) - 2 * n_b, alternative, confidence_level, nt, nc,
                     label, "")


def stratified_permutation(y, treated, *, strata=None, alternative="two-sided",
                           confidence_level=0.95, permutations=10_000, seed=12345,
                           max_exact=MAX_EXACT_ARRANGEMENTS, **_) -> MethodEffect:
    """Permutation test re-randomising within strata, on the blocked difference in means.

    Every within-stratum re-randomisation is enumerated when there are at most
    ``max_exact`` of them; otherwise ``permutations`` seeded Monte-Carlo draws
    (p = (b + 1) / (B + 1)). The interval is the blocked difference's t interval.
    """
    key = "permutation"
    nt, nc = int(treated.sum()), int((~treated).sum())
    codes, names = _strata_groups(strata)
    blocked = blocked_difference(y, treated, strata=strata, alternative=alternative,
                                 confidence_level=confidence_level)
    if nt < 1 or nc < 1:
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "each arm needs at least one person.")
    parts, total_arr = [], 1
    for b in range(len(names)):
        vb, tb = y[codes == b], treated[codes == b]
        m = int(tb.sum())
        if m == 0 or m == len(vb):
            continue  # a stratum with one arm only cannot be re-randomised and adds nothing
        parts.append((vb, m, len(vb)))
        arr = _arrangements(len(vb), m, max_exact)
        total_arr = None if arr is None or total_arr is None else total_arr * arr
        if total_arr is not None and total_arr > max_exact:
            total_arr = None
    if not parts:
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "no stratum has people in both arms.")
    n_all = sum(p[2] for p in parts)
    label = (f"Permutation test re-randomising within {len(parts)} strata (statistic: the "
             "blocked difference in means)")
    one_arm = len(names) - len(parts)
    left_out = (f" {one_arm} stratum/strata with people in one arm only left out (they carry "
                "no information about the effect)." if one_arm else "")
    rng = np.random.default_rng(seed)
    exact = total_arr is not None
    dist = np.zeros(1) if exact else np.zeros(int(permutations))
    observed = 0.0
    for vb, m, nb in parts:
        wb, s_b = nb / n_all, vb.sum()
        if exact:
            sums, _ = _exact_sums(vb, m)
            dist = (dist[:, None] + wb * (sums / m - (s_b - sums) / (nb - m))[None, :]).ravel()
        else:
            if nb * permutations <= RESAMPLING_WORK or _few_values(vb) is None:
                sums, _ = _permutation_sums(vb, m, int(permutations), rng)
            else:
                # any split of the stratum into m and the rest: the sums' distribution is
                # the same (the second result, treated landing in treatment, is unused)
                sums, _ = _permutation_sums_counts(vb[:m], vb[m:], int(permutations), rng)
            dist = dist + wb * (sums / m - (s_b - sums) / (nb - m))
    for b in range(len(names)):
        vb, tb = y[codes == b], treated[codes == b]
        m = int(tb.sum())
        if 0 < m < len(vb):
            observed += len(vb) / n_all * (vb[tb].mean() - vb[~tb].mean())
    p = permutation_p(dist, observed, alternative, exact)
    mc = NAN if exact else float(np.sqrt(p * (1 - p) / len(dist)))
    how = (f", exact ({len(dist):,} arrangements)" if exact
           else f", Monte Carlo ({len(dist):,} re-randomisations, seed {seed})")
    return MethodEffect(key, label + how, "difference", "blocked difference in means",
                        float(observed), blocked.ci_low, blocked.ci_high, float(p),
                        float(observed), NAN, blocked.std_error, alternative, confidence_level,
                        nt, nc, ("Interval: the blocked difference's t interval." if
                                 np.isfinite(blocked.ci_low) or np.isfinite(blocked.ci_high) else
                                 "No interval: " + blocked.note.removeprefix("Not estimable: "))
                        + left_out, len(dist), mc, exact)


FITTERS = {
    "poisson": poisson_rate_ratio,
    "negative-binomial": negative_binomial_rate_ratio,
    "lin": lin_difference,
    "blocked": blocked_difference,
    "permutation": stratified_permutation,
}
