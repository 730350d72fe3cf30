"""Time to first offence and offending over time, for two-arm trials.

Kaplan-Meier survival by arm, the log-rank test, the Cox hazard ratio, rate ratios per
follow-up period from a Poisson model with an exposure offset, the change in the effect
after the programme, and the mean cumulative number of events.

Estimators come from statsmodels (``SurvfuncRight``, ``survdiff``, ``GLM``) except the Cox
model, whose Efron likelihood is vectorised here (statsmodels ``PHReg`` loops over people and
event times in Python: 20 s for 1,000,000 people); this module adds R's conventions on top
and is checked against R ``survival``
(``survfit``, ``survdiff``, ``coxph``), ``glm`` and ``sandwich::vcovCL`` in
``tests/test_survival.py`` (script: ``tests/r/survival.R``). lifelines is not used: it
requires pandas < 3.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError

ARMS = ("treatment", "control")


# ----------------------------------------------------------------------------- helpers

def _arrays(time, event, what="time"):
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    if t.shape != e.shape or t.ndim != 1:
        raise DataError(f"{what} and event must be one-dimensional and the same length.")
    return t, e


def _clean(time, event, treated, covariates=None):
    """Drop people with a missing time, event, arm or covariate; check what is left."""
    t, e = _arrays(time, event)
    z = np.asarray(treated, dtype=float)
    X = None if covariates is None else np.asarray(covariates, dtype=float).reshape(len(t), -1)
    ok = np.isfinite(t) & np.isfinite(e) & np.isfinite(z)
    if X is not None:
        ok &= np.isfinite(X).all(axis=1)
    t, e, z = t[ok], e[ok], z[ok]
    X = None if X is None else X[ok]
    if (t < 0).any():
        raise DataError("Times to event cannot be negative.")
    if not np.isin(e, (0, 1)).all():
        raise DataError("The event column must hold 1 (event seen) or 0 (censored).")
    for arm, name in ((1, "treatment"), (0, "control")):
        if not (z == arm).any():
            raise DataError(f"No one in the {name} arm has a time to event.")
    if e.sum() == 0:
        raise DataError("No events were observed, so there is nothing to compare over time.")
    return t, e, z, X, int((~ok).sum())


def treated_flags(arm: pd.Series, treatment="treatment", control="control") -> np.ndarray:
    """1.0 for the treatment arm, 0.0 for control, NaN otherwise (arm values compared as
    everywhere in the engine: case, spaces, 1 vs 1.0 ignored)."""
    from ..analysis import arm_flags

    is_t, is_c, _, _ = arm_flags(arm, treatment, control)
    return np.where(is_t, 1.0, np.where(is_c, 0.0, np.nan))


def _z(confidence_level: float) -> float:
    if not 0 < confidence_level < 1:
        raise DataError(f"The confidence level must be between 0 and 1; got {confidence_level}.")
    return float(stats.norm.ppf(0.5 + confidence_level / 2))


# ----------------------------------------------------------------------------- Kaplan-Meier

def kaplan_meier(time, event, confidence_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival with R ``survfit``'s default (log) confidence intervals.

    Parameters
    ----------
    time : array_like, shape (n,)
        Time to event or censoring (e.g. days; any unit).
    event : array_like, shape (n,)
        1 if the event was seen at ``time``, 0 if censored there.
    confidence_level : float

    Returns
    -------
    pandas.DataFrame
        One row per distinct time (event or censoring), as
        ``summary(survfit(Surv(time, event)), censored = TRUE)``: ``time``, ``n_risk``,
        ``n_event``, ``n_censor``, ``survival``, ``std_err`` (Greenwood, of the survival),
        ``ci_low``, ``ci_high``. The interval is ``exp(log S +/- z se(log S))`` with
        ``se(log S)`` from Greenwood's formula, the upper end cut at 1 (R
        ``conf.type = "log"``); it is missing once the survival reaches 0.

    Notes
    -----
    The estimate itself comes from ``statsmodels.duration.SurvfuncRight``, whose own
    bands use another transform, so the interval is computed here.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    t, e = _arrays(time, event)
    ok = np.isfinite(t) & np.isfinite(e)
    t, e = t[ok], e[ok]
    z = _z(confidence_level)
    times, inverse = np.unique(t, return_inverse=True)
    n_event = np.bincount(inverse, weights=e, minlength=len(times))
    n_all = np.bincount(inverse, minlength=len(times))
    n_risk = n_all[::-1].cumsum()[::-1]
    surv = np.ones(len(times))
    if e.sum():
        sf = SurvfuncRight(t, e)
        pos = np.searchsorted(sf.surv_times, times, side="right") - 1
        seen = pos >= 0
        surv[seen] = sf.surv_prob[pos[seen]]
    # Greenwood on the log scale: sum d / (n (n - d)) over event times up to t
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
    var_log = np.cumsum(term)
    se_log = np.sqrt(var_log)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.exp(np.log(surv) - z * se_log)
        high = np.minimum(1.0, np.exp(np.log(surv) + z * se_log))
    dead = surv <= 0
    low[dead], high[dead] = np.nan, np.nan
    se_log[dead] = np.nan
    return pd.DataFrame({"time": times, "n_risk": n_risk.astype(np.int64),
                         "n_event": n_event.astype(np.int64),
                         "n_censor": (n_all - n_event).astype(np.int64), "survival": surv,
                         "std_err": surv * se_log, "ci_low": low, "ci_high": high})


def kaplan_meier_by_arm(time, event, treated, confidence_level: float = 0.95) -> pd.DataFrame:
    """:func:`kaplan_meier` per arm, with a leading row at time 0 (survival 1) per arm.

    ``treated`` is 1 for treatment, 0 for control (missing values are left out).
    Returns the columns of :func:`kaplan_meier` plus ``arm`` ("treatment"/"control").
    """
    t, e, z, _, _ = _clean(time, event, treated)
    parts = []
    for flag, arm in ((1, "treatment"), (0, "control")):
        km = kaplan_meier(t[z == flag], e[z == flag], confidence_level)
        first = pd.DataFrame({"time": [0.0], "n_risk": [int((z == flag).sum())], "n_event": [0],
                              "n_censor": [0], "survival": [1.0], "std_err": [0.0],
                              "ci_low": [1.0], "ci_high": [1.0]})
        if len(km) and km.time.iloc[0] == 0:
            first = first.iloc[0:0]
        parts.append(pd.concat([first, km], ignore_index=True).assign(arm=arm))
    return pd.concat(parts, ignore_index=True)


def survival_at(km: pd.DataFrame, times) -> pd.DataFrame:
    """Survival, interval and number at risk at chosen times from one arm's table.

    As ``summary(survfit(...), times = times)``: the survival is the last value at or
    before each time; the number at risk counts people whose time is at least that time.
    Times after the last observed time are left out, as R does.
    """
    times = np.asarray(times, dtype=float)
    times = times[times <= km.time.max()]
    pos = np.searchsorted(km.time.to_numpy(), times, side="right") - 1
    row = km.iloc[pos].reset_index(drop=True)
    # at risk at t: everyone whose time is >= t = risk set of the first time >= t
    nxt = np.searchsorted(km.time.to_numpy(), times, side="left")
    at_risk = km.n_risk.to_numpy()[np.minimum(nxt, len(km) - 1)]
    at_risk = np.where(nxt < len(km), at_risk, 0)
    return pd.DataFrame({"time": times, "n_risk": at_risk.astype(np.int64),
                         "survival": row.survival, "std_err": row.std_err,
                         "ci_low": row.ci_low, "ci_high": row.ci_high})


# ----------------------------------------------------------------------------- tests, models

@dataclass
class LogrankResult:
    """``statistic`` (chi-squared, 1 df), ``p_value`` (two-sided: a difference between the
    curves in either direction), ``observed`` and ``expected`` events (treatment, control)."""

    statistic: float
    p_value: float
    observed: tuple
    expected: tuple
    n: int
    n_excluded: int
    alternative: str = "two-sided"


def logrank(time, event, treated) -> LogrankResult:
    """Log-rank test of equal survival in the two arms (R ``survdiff``).

    Parameters
    ----------
    time, event : array_like, shape (n,)
    treated : array_like, shape (n,)
        1 for treatment, 0 for control; people with a missing value are left out.

    Raises
    ------
    DataError
        An arm with nobody, no events, negative times, events not 0/1.
    """
    from statsmodels.duration.survfunc import survdiff

    t, e, z, _, n_bad = _clean(time, event, treated)
    chisq, p = survdiff(t, e, z)
    # observed and expected events per arm, as survdiff prints them
    times = np.unique(t[e == 1])
    n_all = len(t) - np.searchsorted(np.sort(t), times, side="left")
    d_all = np.bincount(np.searchsorted(times, t[e == 1]), minlength=len(times))
    obs, exp = [], []
    for flag in (1, 0):
        tf, ef = t[z == flag], e[z == flag]
        n_arm = len(tf) - np.searchsorted(np.sort(tf), times, side="left")
        obs.append(float(ef.sum()))
        exp.append(float((d_all * n_arm / n_all).sum()))
    return LogrankResult(float(chisq), float(p), tuple(obs), tuple(exp), len(t), n_bad)


@dataclass
class CoxResult:
    """Cox proportional-hazards model, Efron ties.

    ``hazard_ratio`` (treatment vs control) with its Wald interval and two-sided Wald
    ``p_value``; ``coef`` and ``se`` on the log scale; ``covariates`` maps each adjustment
    covariate to (hazard ratio per unit, ci_low, ci_high, p_value).
    """

    hazard_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    coef: float
    se: float
    n: int
    n_events: int
    n_excluded: int
    covariates: dict
    confidence_level: float = 0.95
    alternative: str = "two-sided"


def cox(time, event, treated, covariates=None, covariate_names=None,
        confidence_level: float = 0.95) -> CoxResult:
    """Hazard ratio of treatment vs control from a Cox model (R ``coxph(ties = "efron")``).

    Parameters
    ----------
    time, event, treated : array_like, shape (n,)
    covariates : array_like, shape (n,) or (n, k), optional
        Adjustment covariates, e.g. the baseline count of the same offences.
    covariate_names : sequence of str, optional
    confidence_level : float

    Returns
    -------
    CoxResult
        Wald interval ``exp(b +/- z se)`` and Wald p-value from the model-based standard
        error (inverse information), as ``summary(coxph(...))`` without ``cluster``.

    Notes
    -----
    Efron's partial likelihood is maximised by Newton-Raphson from 0 with step halving,
    as R's ``coxph.fit`` does, run to full precision (steps below 1e-10 relative). The
    likelihood is computed on distinct (time, event, covariates) rows with their counts,
    so an arm-only model on 1,000,000 people needs a few thousand rows. Checked against
    ``coxph`` on the test data, ``survival::veteran`` and ``survival::lung``.

    Raises
    ------
    DataError
        As :func:`logrank`; also when the model cannot be fitted.
    """
    t, e, z, X, n_bad = _clean(time, event, treated, covariates)
    for arm, name in ((1, "treatment"), (0, "control")):
        if not e[z == arm].any():  # the likelihood has no maximum: HR 0 or infinite
            raise DataError(f"No events in the {name} arm, so the hazard ratio is not "
                            "estimable (it would be 0 or infinite); the log-rank test still "
                            "applies.")
    exog = z[:, None] if X is None else np.column_stack([z, X])
    names = list(covariate_names or [f"covariate_{i + 1}" for i in range(exog.shape[1] - 1)])
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            b, V = _efron_newton(t, e, exog)
    except np.linalg.LinAlgError:
        b = None
    if b is None or not np.isfinite(V).all() or (np.diag(V) <= 0).any():
        raise DataError("The Cox model did not converge: a coefficient may be infinite (an arm "
                        "or covariate value with no events, or a covariate that does not vary); "
                        "its hazard ratio cannot be estimated.")
    se = np.sqrt(np.diag(V))
    q = _z(confidence_level)
    p = 2 * stats.norm.sf(np.abs(b / se))
    lo, hi = np.exp(b - q * se), np.exp(b + q * se)
    cov = {n: (float(np.exp(b[i + 1])), float(lo[i + 1]), float(hi[i + 1]), float(p[i + 1]))
           for i, n in enumerate(names)}
    return CoxResult(float(np.exp(b[0])), float(lo[0]), float(hi[0]), float(p[0]), float(b[0]),
                     float(se[0]), len(t), int(e.sum()), n_bad, cov, confidence_level)


class _Efron:
    """Efron's tied-event partial likelihood of a Cox model, vectorised.

    Rows are distinct (time, event, covariates) with a count of identical people, so a
    two-arm model without covariates works on at most 4 rows per distinct time. Risk-set
    sums are reverse cumulative sums over the sorted distinct times; Efron's correction for
    ``d`` tied events at a time runs over ``l = 0 .. d - 1`` with the tied events' share
    ``l / d`` taken out of the risk set (Efron 1977; Therneau & Grambsch 2000, sec. 3.3),
    laid out as one array over all events.
    """

    def __init__(self, time_index, n_times, event, X, count):
        self.g, self.e, self.c = time_index, event, count
        self.X = X - X.mean(axis=0)            # centring leaves the likelihood unchanged
        self.U = n_times
        k = X.shape[1]
        d = np.bincount(self.g, weights=count * event, minlength=n_times)
        self.d = np.rint(d).astype(np.int64)
        at = np.flatnonzero(self.d)
        self.rep = np.repeat(at, self.d[at])   # one entry per event, its time's index
        start = np.repeat(np.cumsum(self.d[at]) - self.d[at], self.d[at])
        self.frac = (np.arange(len(self.rep)) - start) / self.d[self.rep]
        self.sx_events = (count * event) @ self.X
        self.pairs = [(i, j) for i in range(k) for j in range(i, k)]

    def _per_time(self, weights, reverse):
        s = np.bincount(self.g, weights=weights, minlength=self.U)
        return s[::-1].cumsum()[::-1] if reverse else s

    def evaluate(self, beta):
        """Log partial likelihood, score and information at ``beta``."""
        eta = self.X @ beta
        w = self.c * np.exp(eta)
        we = w * self.e
        f, r = self.frac, self.rep
        den = self._per_time(w, True)[r] - f * self._per_time(we, False)[r]
        loglik = float((self.c * self.e) @ eta - np.log(den).sum())
        k = len(beta)
        m1 = np.empty((len(r), k))
        for i in range(k):
            xw = self.X[:, i] * w
            m1[:, i] = (self._per_time(xw, True)[r]
                        - f * self._per_time(xw * self.e, False)[r]) / den
        score = self.sx_events - m1.sum(axis=0)
        info = np.empty((k, k))
        for i, j in self.pairs:
            xxw = self.X[:, i] * self.X[:, j] * w
            m2 = (self._per_time(xxw, True)[r] - f * self._per_time(xxw * self.e, False)[r]) / den
            info[i, j] = info[j, i] = (m2 - m1[:, i] * m1[:, j]).sum()
        return loglik, score, info


def _collapse(t, e, X):
    """Distinct (time, event, covariates) rows with their counts, and each row's time index."""
    times, g = np.unique(t, return_inverse=True)
    cols = {"g": g, "e": e.astype(np.int8)}
    cols.update({f"x{i}": X[:, i] for i in range(X.shape[1])})
    counts = pd.DataFrame(cols).value_counts(sort=False)
    idx = counts.index.to_frame(index=False)
    return (idx["g"].to_numpy(np.int64), len(times), idx["e"].to_numpy(float),
            idx[[f"x{i}" for i in range(X.shape[1])]].to_numpy(float),
            counts.to_numpy(float))


def _efron_newton(t, e, X, max_iter=50):
    """Maximise Efron's partial likelihood; return (coefficients, their covariance) or
    (None, None) when a coefficient heads to infinity: Newton does not settle, or settles
    where the information is below 1e-8 of its value at 0 (a standard error 10,000 times
    larger than at the start).

    As R ``coxph.fit``: start at 0, Newton steps, a step that lowers the likelihood (or
    overflows) is halved towards the previous point.
    """
    lik = _Efron(*_collapse(t, e, X))
    beta = np.zeros(X.shape[1])
    loglik, score, info = lik.evaluate(beta)
    info0 = np.diag(info).copy()
    for _ in range(max_iter):
        step = np.linalg.solve(info, score)
        new = beta + step
        for _halving in range(30):
            new_loglik, new_score, new_info = lik.evaluate(new)
            if np.isfinite(new_loglik) and new_loglik >= loglik - 1e-12 * abs(loglik):
                break
            new = (new + beta) / 2
        else:
            raise np.linalg.LinAlgError("step halving failed")
        done = np.all(np.abs(new - beta) <= 1e-10 * np.maximum(1, np.abs(new)))
        beta, loglik, score, info = new, new_loglik, new_score, new_info
        if done:
            V = np.linalg.inv(info)
            # monotone likelihood (e.g. every event in one covariate value): Newton
            # settles where the likelihood is flat, the information has all but vanished
            if (np.diag(V) * info0 > 1e8).any():
                return None, None
            return beta, V
    return None, None


@dataclass
class RateRatio:
    """Rate ratio (treatment / control) of events per unit of exposure, with its interval,
    two-sided p-value, and the events and exposure per arm."""

    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    se_log: float
    n: int
    events: tuple
    exposure: tuple
    confidence_level: float = 0.95


def _poisson_cluster(y, X, offset, groups):
    import statsmodels.api as sm

    model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
    # sandwich::vcovCL(fit, cluster = ~id) for a glm: HC0 meat, G / (G - 1) adjustment
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False,
                                                   "df_correction": False})


def _vcov_cl(fit, n_groups):
    return np.asarray(fit.cov_params()) * n_groups / (n_groups - 1)


def rate_ratio(count, exposure, treated, confidence_level: float = 0.95) -> RateRatio:
    """Rate ratio from a Poisson model with a log-exposure offset, robust standard error.

    ``glm(count ~ arm + offset(log(exposure)), family = poisson)`` with
    ``sandwich::vcovCL(fit, cluster = ~id)`` (one row per person, so this is the
    sandwich estimator with the G / (G - 1) small-sample factor). People with zero or
    missing exposure are left out. Exposure is in any unit (days).
    """
    y = np.asarray(count, dtype=float)
    ex = np.asarray(exposure, dtype=float)
    z = np.asarray(treated, dtype=float)
    ok = np.isfinite(y) & np.isfinite(ex) & (ex > 0) & np.isfinite(z)
    y, ex, z = y[ok], ex[ok], z[ok]
    _check_two_arms(z, y)
    X = np.column_stack([np.ones(len(y)), z])
    fit = _poisson_cluster(y, X, np.log(ex), np.arange(len(y)))
    se = float(np.sqrt(_vcov_cl(fit, len(y))[1, 1]))
    return _ratio(float(fit.params[1]), se, confidence_level, len(y),
                  (y[z == 1].sum(), y[z == 0].sum()), (ex[z == 1].sum(), ex[z == 0].sum()))


def _check_two_arms(z, y):
    for arm, name in ((1, "treatment"), (0, "control")):
        if not (z == arm).any():
            raise DataError(f"No one in the {name} arm was followed in this period.")
    if y[z == 0].sum() == 0 or y[z == 1].sum() == 0:
        raise DataError("An arm has no events in this period, so the rate ratio is 0 or "
                        "infinite and has no interval.")


def _ratio(b, se, level, n, events, exposure):
    q = _z(level)
    p = float(2 * stats.norm.sf(abs(b / se)))
    return RateRatio(float(np.exp(b)), float(np.exp(b - q * se)), float(np.exp(b + q * se)), p,
                     se, n, tuple(map(float, events)), tuple(map(float, exposure)), level)


@dataclass
class EffectChange:
    """Whether the effect after the programme differs from the effect during it.

    ``ratio`` = (rate ratio after) / (rate ratio during), from the period x arm interaction
    of one Poisson model, with its interval and two-sided ``p_value``. ``during`` and
    ``after`` are the rate ratios of each period from the same model.
    """

    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    during: RateRatio
    after: RateRatio
    n_people: int


def effect_change(count_during, exposure_during, count_after, exposure_after, treated,
                  confidence_level: float = 0.95) -> EffectChange:
    """Test whether the rate ratio after the programme differs from the one during it.

    ``glm(y ~ arm * after + offset(log(exposure)), family = poisson)`` on two rows per
    person (during, after; rows with no exposure left out), robust standard errors
    clustered by person (``sandwich::vcovCL(fit, cluster = ~id)``), so a person's two
    periods are not treated as independent.
    """
    z = np.asarray(treated, dtype=float)
    n = len(z)
    y = np.concatenate([np.asarray(count_during, float), np.asarray(count_after, float)])
    ex = np.concatenate([np.asarray(exposure_during, float), np.asarray(exposure_after, float)])
    zz = np.concatenate([z, z])
    after = np.repeat([0.0, 1.0], n)
    pid = np.concatenate([np.arange(n), np.arange(n)])
    ok = np.isfinite(y) & np.isfinite(ex) & (ex > 0) & np.isfinite(zz)
    y, ex, zz, after, pid = y[ok], ex[ok], zz[ok], after[ok], pid[ok]
    for period, name in ((0, "during"), (1, "after")):
        m = after == period
        if not m.any():
            raise DataError(f"No one was followed {name} the programme.")
        _check_two_arms(zz[m], y[m])
    X = np.column_stack([np.ones(len(y)), zz, after, zz * after])
    fit = _poisson_cluster(y, X, np.log(ex), pid)
    groups = len(np.unique(pid))
    V = _vcov_cl(fit, groups)
    b = np.asarray(fit.params)

    def contrast(L, events, expo):
        L = np.asarray(L, float)
        return _ratio(float(L @ b), float(np.sqrt(L @ V @ L)), confidence_level, groups,
                      events, expo)

    d, a = after == 0, after == 1
    during = contrast([0, 1, 0, 0], (y[d & (zz == 1)].sum(), y[d & (zz == 0)].sum()),
                      (ex[d & (zz == 1)].sum(), ex[d & (zz == 0)].sum()))
    aft = contrast([0, 1, 0, 1], (y[a & (zz == 1)].sum(), y[a & (zz == 0)].sum()),
                   (ex[a & (zz == 1)].sum(), ex[a & (zz == 0)].sum()))
    inter = contrast([0, 0, 0, 1], (np.nan, np.nan), (np.nan, np.nan))
    return EffectChange(inter.rate_ratio, inter.ci_low, inter.ci_high, inter.p_value, during,
                        aft, groups)


# ----------------------------------------------------------------------------- over time

def mean_cumulative_count(monthly_counts: np.ndarray, months_observed, treated) -> pd.DataFrame:
    """Mean cumulative number of events per person by month, per arm.

    Nelson's estimator on a monthly grid: in each month, the events of the people
    observed for the whole month divided by their number, summed over months; a person
    stops counting after their last whole month observed (Nelson, W. B. (2003) *Recurrent
    Events Data Analysis for Product Repairs, Disease Recurrences, and Other Applications*,
    SIAM: the mean cumulative function). It equals the Nelson-Aalen cumulative hazard of
    the recurrent events with one row per person-month, R ``survfit(Surv(start, stop,
    event) ~ arm)$cumhaz``; checked against it in the tests (``tests/r/mcf.R``).

    Parameters
    ----------
    monthly_counts : array_like, shape (n, m)
        Events of person i in follow-up month j + 1.
    months_observed : array_like, shape (n,)
        Whole months each person was observed.
    treated : array_like, shape (n,)

    Returns
    -------
    pandas.DataFrame
        ``arm``, ``month`` (0..m), ``n_observed``, ``events``, ``mean_cumulative``.
    """
    c = np.asarray(monthly_counts, dtype=float)
    obs = np.asarray(months_observed, dtype=float)
    z = np.asarray(treated, dtype=float)
    months = np.arange(1, c.shape[1] + 1)
    rows = []
    for flag, arm in ((1, "treatment"), (0, "control")):
        m = (z == flag) & np.isfinite(obs)
        at = obs[m][:, None] >= months[None, :]           # observed for the whole month
        n_obs = at.sum(axis=0)
        ev = np.where(at, c[m], 0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            inc = np.where(n_obs > 0, ev / n_obs, np.nan)
        mcf = np.cumsum(np.nan_to_num(inc))
        mcf[n_obs == 0] = np.nan
        rows.append(pd.DataFrame({"arm": arm, "month": np.r_[0, months],
                                  "n_observed": np.r_[int(m.sum()), n_obs],
                                  "events": np.r_[0, ev], "mean_cumulative": np.r_[0.0, mcf]}))
    return pd.concat(rows, ignore_index=True)


def monthly_matrix(monthly: pd.DataFrame, people_ids, id_column: str, column: str,
                   role: str, months: int) -> np.ndarray:
    """The sparse month-by-month table of :func:`fd_stats.data.aggregate.aggregate_over_time`
    as a (people, months) matrix of one role's ``column`` counts."""
    m = monthly[monthly["role"] == role]
    idx = pd.Index(pd.Series(people_ids).astype(str)).get_indexer(m[id_column].astype(str))
    keep = (idx >= 0) & (m["month"].to_numpy() <= months)
    out = np.zeros((len(people_ids), months))
    np.add.at(out, (idx[keep], m["month"].to_numpy()[keep] - 1), m[column].to_numpy()[keep])
    return out


def window_effects(table: pd.DataFrame, outcome: str, treated, windows, programme: bool = True,
                   confidence_level: float = 0.95) -> pd.DataFrame:
    """Rate ratio in each follow-up period, from the columns of ``aggregate_over_time``.

    Periods are disjoint: 0 to the first window, then between consecutive windows (counts
    and exposures are differences of the cumulative window columns), then during and after
    the programme when those columns exist. Each row: ``period``, ``start_month``,
    ``end_month``, ``rate_ratio``, ``ci_low``, ``ci_high``, ``p_value`` (two-sided),
    events and exposure (days) per arm, ``n``, and ``note`` when the period could not be
    estimated.
    """
    z = np.asarray(treated, dtype=float)
    rows = []
    prev_c, prev_e, prev_w = 0.0, 0.0, 0
    specs = []
    for w in windows:
        c = table[f"{outcome}_fu{w}m"].to_numpy(dtype=float)
        e = table[f"exposure_days_fu{w}m"].to_numpy(dtype=float)
        specs.append((f"months {prev_w}-{w}", prev_w, w, c - prev_c, e - prev_e))
        prev_c, prev_e, prev_w = c, e, w
    if programme and f"{outcome}_during" in table:
        for name in ("during", "after"):
            specs.append((f"{name} the programme", np.nan, np.nan,
                          table[f"{outcome}_{name}"].to_numpy(float),
                          table[f"exposure_days_{name}"].to_numpy(float)))
    for name, lo, hi, c, e in specs:
        base = {"period": name, "start_month": lo, "end_month": hi}
        try:
            r = rate_ratio(c, e, z, confidence_level)
        except DataError as exc:
            rows.append({**base, "note": str(exc)})
            continue
        rows.append({**base, "rate_ratio": r.rate_ratio, "ci_low": r.ci_low,
                     "ci_high": r.ci_high, "p_value": r.p_value, "n": r.n,
                     "events_treatment": r.events[0], "events_control": r.events[1],
                     "exposure_days_treatment": r.exposure[0],
                     "exposure_days_control": r.exposure[1], "note": ""})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- engine hook

RESULT_FIELDS = ("method", "scale", "estimate", "ci_low", "ci_high", "p_value", "alternative",
                 "n", "n_events", "n_excluded", "time", "event", "covariates")


def analyse_survival(data: pd.DataFrame, method: str, time: str, event: str, arm: str = "arm",
                     treatment="treatment", control="control", covariates=(),
                     confidence_level: float = 0.95) -> pd.DataFrame:
    """One-row result for ``python -m fd_stats analyse --method cox|logrank``.

    Columns ``RESULT_FIELDS``: for ``cox`` the hazard ratio (scale "hazard ratio") with its
    Wald interval and p; for ``logrank`` the chi-squared statistic (scale "chi-squared,
    1 df", no interval) and its p. Both p-values are two-sided.
    """
    for col in (time, event, arm, *covariates):
        if col not in data.columns:
            raise DataError(f"There is no column {col!r}. Columns are: "
                            f"{', '.join(map(str, data.columns[:20]))}.")
    treated = treated_flags(data[arm], treatment, control)
    t = pd.to_numeric(data[time], errors="coerce").to_numpy(float)
    e = pd.to_numeric(data[event], errors="coerce").to_numpy(float)
    base = {"time": time, "event": event, "covariates": ",".join(covariates),
            "alternative": "two-sided"}
    if method == "cox":
        X = data[list(covariates)].apply(pd.to_numeric, errors="coerce").to_numpy(float) \
            if covariates else None
        r = cox(t, e, treated, X, list(covariates), confidence_level)
        row = {"method": "cox" + (" (adjusted)" if covariates else ""),
               "scale": "hazard ratio", "estimate": r.hazard_ratio, "ci_low": r.ci_low,
               "ci_high": r.ci_high, "p_value": r.p_value, "n": r.n, "n_events": r.n_events,
               "n_excluded": r.n_excluded}
    elif method == "logrank":
        if covariates:
            raise DataError("The log-rank test takes no covariates; use --method cox to adjust.")
        r = logrank(t, e, treated)
        row = {"method": "logrank", "scale": "chi-squared, 1 df", "estimate": r.statistic,
               "ci_low": np.nan, "ci_high": np.nan, "p_value": r.p_value, "n": r.n,
               "n_events": int(sum(r.observed)), "n_excluded": r.n_excluded}
    else:
        raise DataError(f"Survival method must be 'cox' or 'logrank'; got {method!r}.")
    return pd.DataFrame([{**row, **base}])[list(RESULT_FIELDS)]


# ----------------------------------------------------------------------------- wording

def _p_words(p: float) -> str:
    if not np.isfinite(p):
        return "p not estimable"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _pct_words(ratio: float) -> tuple[int, str]:
    pct = round(abs(ratio - 1) * 100)
    return pct, ("lower" if ratio < 1 else "higher")


def hazard_ratio_sentence(r: CoxResult, event: str, follow_up: str = "follow-up") -> str:
    """The hazard ratio in words, with its interval, p-value and sidedness.

    ``event`` names the first event ("a first knife-related crime as suspect"). A hazard
    ratio compares the rate of a first event at any moment among people still without one;
    it is not a difference in the share of people who ever offend, so it is worded as a rate.
    """
    lvl = f"{r.confidence_level:.0%}"
    pct, word = _pct_words(r.hazard_ratio)
    lo_pct, lo_word = _pct_words(r.ci_low)
    hi_pct, hi_word = _pct_words(r.ci_high)
    if round(r.hazard_ratio, 2) == 1:
        head = (f"At any point in {follow_up}, people offered the programme had about the same "
                f"rate of {event} as the control arm")
    else:
        head = (f"At any point in {follow_up}, the rate of {event} among people offered the "
                f"programme was {pct}% {word} than in the control arm")
    rng = (f"the data are compatible with anything from a {lo_pct}% {lo_word} to a "
           f"{hi_pct}% {hi_word} rate")
    return (f"{head}: hazard ratio {r.hazard_ratio:.2f} ({lvl} CI {r.ci_low:.2f} to "
            f"{r.ci_high:.2f}; {rng}). {_p_words(r.p_value)} (two-sided): the probability of a "
            "difference at least this large if the programme had no effect.")


def effect_change_sentence(r: EffectChange, outcome: str) -> str:
    """Whether the rate ratio after the programme differs from the one during it, in words."""
    lvl = f"{r.during.confidence_level:.0%}"
    d, a = r.during, r.after
    return (f"Rate ratio of {outcome} (offered the programme / control): during the programme "
            f"{d.rate_ratio:.2f} ({lvl} CI {d.ci_low:.2f} to {d.ci_high:.2f}), after it "
            f"{a.rate_ratio:.2f} ({lvl} CI {a.ci_low:.2f} to {a.ci_high:.2f}). The after/during "
            f"ratio is {r.ratio:.2f} ({lvl} CI {r.ci_low:.2f} to {r.ci_high:.2f}; "
            f"{_p_words(r.p_value)}, two-sided): "
            + ("the data show a change in the effect once support ended (a ratio above 1 "
               "means the gap between the arms narrowed)." if r.p_value < 0.05 else
               "the data do not show a clear change in the effect once support ended; that is "
               "not proof that it lasted, as the interval shows."))
