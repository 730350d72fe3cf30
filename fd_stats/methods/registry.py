"""The method registry: every way the engine can compare treatment with control.

Each method takes one outcome for the people analysed, who is treated, and
optionally covariates, a baseline and randomisation strata, and returns one
:class:`MethodEffect`: an estimate on a stated scale with its interval,
p-value, statistic, degrees of freedom and a plain note. :func:`run_method`
is the one way to call them; :func:`fd_stats.analyse` uses it for every
method other than the four tests it computes in batches (whose numbers the
registry reproduces exactly, since it calls the same functions).

Scales: ``difference`` (treatment minus control, outcome units), ``ratio``
(treatment / control: rate ratio or risk ratio), ``shift`` (Hodges-Lehmann
location shift), ``risk difference`` (share with an event, treatment minus
control) and ``hazard ratio``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .._checks import check_alternative, check_level
from ..errors import DataError

NAN = float("nan")
SCALES = ("difference", "ratio", "shift", "risk difference", "hazard ratio")


@dataclass(frozen=True)
class MethodEffect:
    """One method's effect of the programme on one outcome.

    Attributes
    ----------
    method : str
        Registry key (``poisson``, ``lin``...).
    label : str
        What was done, in words (model, standard errors, adjustment).
    scale : str
        One of ``SCALES``.
    estimate_label : str
        What the estimate is ("rate ratio", "difference in means"...).
    estimate, ci_low, ci_high : float
        Treatment against control on ``scale``; one bound is infinite for a
        one-sided test. NaN when not estimable.
    p_value : float
        Probability of an effect at least this large, in the direction(s) of
        ``alternative``, if the programme had no effect. NaN when not estimable.
    statistic, df : float
        z or t (NaN when the method has none); degrees of freedom (NaN for
        normal-theory and resampling methods).
    std_error : float
        Standard error on the scale the interval is built on: log scale for
        ratios, the estimate's own scale otherwise (used by
        :func:`fd_stats.methods.bayes.probability_of_benefit`).
    note : str
        Why it is not estimable, or what was done to the data (missing
        covariates filled, covariates left out); "" if nothing to say.
    """

    method: str
    label: str
    scale: str
    estimate_label: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    statistic: float
    df: float
    std_error: float
    alternative: str
    confidence_level: float
    n_treatment: int
    n_control: int
    note: str = ""
    n_resamples: int = 0
    mc_error: float = NAN
    exact: bool = False

    @property
    def estimable(self) -> bool:
        return bool(np.isfinite(self.estimate) and np.isfinite(self.p_value))


def not_estimable(method: str, y, treated, alternative, confidence_level, note,
                  estimate=NAN) -> MethodEffect:
    """A result with every number NaN and a plain ``note`` saying why."""
    spec = METHODS[method]
    treated = np.asarray(treated, bool)
    return MethodEffect(method, spec.label, spec.scale, spec.estimate_label, estimate, NAN, NAN,
                        NAN, NAN, NAN, NAN, alternative, confidence_level,
                        int(treated.sum()), int((~treated).sum()), "Not estimable: " + note)


def wald(method, estimate, se, alternative, confidence_level, n_t, n_c, *, log=False,
         label=None, note="") -> MethodEffect:
    """Wald z test and interval; ``log=True`` for a log-scale estimate reported as a ratio."""
    spec = METHODS[method]
    if not (np.isfinite(estimate) and np.isfinite(se) and se > 0):
        return MethodEffect(method, label or spec.label, spec.scale, spec.estimate_label,
                            NAN, NAN, NAN, NAN, NAN, NAN, NAN, alternative, confidence_level,
                            n_t, n_c, ("Not estimable: the standard error is zero or undefined. "
                                       + note).strip())
    from scipy.special import ndtr, ndtri  # not scipy.stats: its import costs seconds

    z = estimate / se
    p = {"less": ndtr(z), "greater": ndtr(-z)}.get(alternative, 2 * ndtr(-abs(z)))
    q = ndtri(1 - (1 - confidence_level) / (2 if alternative == "two-sided" else 1))
    lo_q, hi_q = {"less": (-np.inf, q), "greater": (-q, np.inf)}.get(alternative, (-q, q))
    lo, hi = estimate + lo_q * se, estimate + hi_q * se
    tr = np.exp if log else (lambda v: v)
    return MethodEffect(method, label or spec.label, spec.scale, spec.estimate_label,
                        float(tr(estimate)), float(tr(lo)), float(tr(hi)), float(min(p, 1.0)),
                        float(z), NAN, float(se), alternative, confidence_level, n_t, n_c, note)


@dataclass(frozen=True)
class MethodSpec:
    """A registry entry: what the method reports and what it uses."""

    key: str
    label: str
    scale: str
    estimate_label: str
    uses: tuple[str, ...]     # of "covariates", "baseline", "strata"
    source: str               # the R function it matches


METHODS: dict[str, MethodSpec] = {m.key: m for m in [
    MethodSpec("welch", "Welch two-sample t-test (unequal variances)", "difference",
               "difference in means", (), "t.test(var.equal = FALSE)"),
    MethodSpec("student", "Two-sample t-test, equal variances (Student)", "difference",
               "difference in means", (), "t.test(var.equal = TRUE)"),
    MethodSpec("mann-whitney", "Mann-Whitney U (Wilcoxon rank-sum) with Hodges-Lehmann shift",
               "shift", "Hodges-Lehmann shift", (), "wilcox.test(conf.int = TRUE)"),
    MethodSpec("permutation", "Permutation (randomisation) test of the difference in means",
               "difference", "difference in means", ("strata",), "exact / Monte Carlo"),
    MethodSpec("poisson", "Poisson regression rate ratio, robust (HC0 sandwich) standard error",
               "ratio", "rate ratio", ("covariates", "baseline", "strata"),
               "glm(family = poisson) + sandwich::vcovHC(type = 'HC0')"),
    MethodSpec("negative-binomial",
               "Negative-binomial regression rate ratio (dispersion by maximum likelihood)",
               "ratio", "rate ratio", ("covariates", "baseline", "strata"),
               "MASS::glm.nb + confint.default"),
    MethodSpec("lin", "Covariate-adjusted difference in means (Lin 2013), HC2 standard error",
               "difference", "adjusted difference in means", ("covariates", "baseline", "strata"),
               "estimatr::lm_lin(se_type = 'HC2')"),
    MethodSpec("blocked", "Difference in means within randomisation strata (blocked)",
               "difference", "blocked difference in means", ("strata",),
               "estimatr::difference_in_means(blocks = )"),
    MethodSpec("prevalence", "Prevalence: share with at least one event, risk difference "
               "(Newcombe interval, Fisher's exact test)", "risk difference",
               "difference in prevalence", (), "fisher.test; Newcombe (1998) method 10"),
    MethodSpec("prevalence-ratio", "Prevalence: share with at least one event, risk ratio "
               "(Katz log interval, Fisher's exact test)", "ratio", "prevalence ratio", (),
               "fisher.test; Katz log interval"),
]}
#: The outcome kinds (fd_stats.data.trial.KINDS) a method is sound for; a method not listed
#: suits every kind. A rate ratio compares counts of events: the Poisson model with its robust
#: standard error needs only a mean that is 0 or more, so it also suits scores (a ratio of
#: mean harm); the negative binomial is a likelihood for whole-number counts, whose dispersion
#: (and so its interval) would change with the unit of a score or an amount of money.
#: "At least one" (prevalence) means something for counts, scores and yes/no outcomes, not
#: for amounts. Continuous outcomes (money, measurements) are compared by their means
#: (t-tests, Lin, blocked) and distributions (Mann-Whitney, permutation).
METHOD_KINDS = {
    "poisson": ("count", "score"),
    "negative-binomial": ("count",),
    "prevalence": ("count", "score", "binary"),
    "prevalence-ratio": ("count", "score", "binary"),
}
_KIND_WORDS = {"count": "a count", "binary": "a yes/no outcome",
               "continuous": "a continuous amount (such as money)", "score": "a score"}
_INSTEAD = {"binary": "the prevalence methods give its risk difference and risk ratio",
            "continuous": "compare its means (t-test, Lin's adjusted difference) or its "
                          "distribution (Mann-Whitney)",
            "score": "the Poisson ratio of means suits a score of 0 or more"}


def unsuited(method: str, kind: str | None) -> str:
    """Why ``method`` is not offered for an outcome of ``kind`` ("" if it is, or if the kind
    is not known). The reason is worded for the user, naming what to use instead."""
    kinds = METHOD_KINDS.get(method)
    if kinds is None or kind is None or kind in kinds:
        return ""
    what = _KIND_WORDS.get(kind, kind)
    if method == "negative-binomial" and kind == "binary":
        why = ("the negative binomial is a model for counts of events; a yes/no outcome (0 or "
               "1) has no over-dispersion for it to model")
    elif method == "negative-binomial":
        why = ("the negative binomial is a model for whole-number counts of events; on "
               f"{what} its dispersion, and so its interval, would depend on the unit")
    elif method == "poisson":
        why = f"a rate ratio compares counts of events, and this outcome is {what}"
    else:
        why = f"'at least one event' has no meaning for {what}"
    instead = _INSTEAD.get(kind, "")
    return why + (f"; {instead}" if instead else "") + "."


def worded_for_kind(effect: MethodEffect, kind: str | None) -> MethodEffect:
    """``effect`` named for the outcome's kind: the Poisson model on a score (crime harm days)
    estimates a ratio of means, not a rate of events."""
    if effect.method == "poisson" and kind == "score":
        return replace(effect, label=effect.label.replace("rate ratio", "ratio of means"),
                       estimate_label="ratio of means")
    return effect


def methods_for(kind: str | None, methods=None) -> tuple[list[str], dict[str, str]]:
    """(methods offered for an outcome of ``kind``, {method left out: why}), registry order."""
    methods = list(METHODS) if methods is None else list(methods)
    out = {m: unsuited(m, kind) for m in methods}
    return [m for m in methods if not out[m]], {m: why for m, why in out.items() if why}


#: Methods that fit on value counts directly when given frequency weights.
FREQUENCY_WEIGHTED = ("poisson", "negative-binomial", "prevalence", "prevalence-ratio")
#: The four tests the engine had before the registry (computed in batches by analyse).
LEGACY = ("welch", "student", "mann-whitney", "permutation")


def _two_sample(key, y, treated, alternative, confidence_level, permutations, seed):
    from ..analysis import TESTS

    kw = dict(alternative=alternative, confidence_level=confidence_level)
    if key == "permutation":
        kw.update(n_resamples=permutations, seed=seed)
    r = TESTS[key](y[treated], y[~treated], **kw)
    se = NAN
    if key in ("welch", "student") and np.isfinite(r.statistic) and r.statistic != 0:
        se = r.estimate / r.statistic
    return MethodEffect(key, r.method, METHODS[key].scale, METHODS[key].estimate_label,
                        r.estimate, r.ci_low, r.ci_high, r.p_value, r.statistic, r.df, se,
                        alternative, confidence_level, r.n_treatment, r.n_control, r.note,
                        r.n_resamples, r.mc_error, r.exact)


def _prevalence(key, y, treated, alternative, confidence_level, weights=None):
    from .binary import compare_proportions

    w = np.ones(len(y)) if weights is None else weights
    # np.compress is w[mask], several times faster on a mask that mixes the arms
    nt, nc = int(np.compress(treated, w).sum()), int(np.compress(~treated, w).sum())
    if nt < 1 or nc < 1:
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "each arm needs at least one person.")
    if (y < 0).any():
        return not_estimable(key, y, treated, alternative, confidence_level,
                             "the outcome has negative values, so 'at least one event' "
                             "has no meaning.")
    a, c = (int(np.compress(treated & (y > 0), w).sum()),
            int(np.compress(~treated & (y > 0), w).sum()))
    r = compare_proportions(a, nt, c, nc, alternative=alternative,
                            confidence_level=confidence_level)
    p1, p2 = a / nt, c / nc
    shares = (f"{a} of {nt} treatment ({p1:.0%}) and {c} of {nc} control ({p2:.0%}) had at "
              "least one.")
    if key == "prevalence":
        se = np.sqrt(p1 * (1 - p1) / nt + p2 * (1 - p2) / nc)
        return MethodEffect(key, METHODS[key].label, "risk difference",
                            METHODS[key].estimate_label, r.risk_difference,
                            r.risk_difference_ci_low, r.risk_difference_ci_high, r.p_value, NAN,
                            NAN, float(se) if se > 0 else NAN, alternative, confidence_level,
                            nt, nc, shares)
    se = np.sqrt(1 / a - 1 / nt + 1 / c - 1 / nc) if a and c else NAN
    note = (shares + " " + r.note).strip()
    if not np.isfinite(r.risk_ratio):
        note = "Not estimable: an arm has nobody with an event, so the ratio is 0 or undefined. " \
               + shares
    return MethodEffect(key, METHODS[key].label, "ratio", METHODS[key].estimate_label,
                        r.risk_ratio, r.risk_ratio_ci_low, r.risk_ratio_ci_high,
                        r.p_value if np.isfinite(r.risk_ratio) else NAN, NAN, NAN, float(se),
                        alternative, confidence_level, nt, nc, note)


def run_method(method: str, y, treated, *, covariates: pd.DataFrame | None = None,
               baseline=None, baseline_name: str = "baseline", strata=None,
               alternative: str = "two-sided", confidence_level: float = 0.95,
               permutations: int = 10_000, seed: int = 12345, weights=None) -> MethodEffect:
    """Run one registered method.

    Parameters
    ----------
    method : str
        A key of ``METHODS``.
    y : array (n,)
        The outcome; missing values are dropped with their people (and counted in the note).
    treated : array (n,) of bool
        True for the treatment arm.
    covariates : DataFrame (n rows), optional
        Pre-randomisation covariates (methods that do not adjust ignore them).
    baseline : array (n,), optional
        This outcome's pre-randomisation value (count models: log(1 + b)).
    strata : array (n,), optional
        Randomisation strata.
    weights : array (n,) of whole numbers, optional
        Frequency weights: each row stands for that many people (value counts).
        Only without covariates, baseline and strata.

    Returns
    -------
    MethodEffect
        Never raises for degenerate data (one person, all zeros, a constant
        arm, no convergence): the effect is then not estimable with a note.
        Raises :class:`DataError` for an unknown method or bad arguments.
    """
    if method not in METHODS:
        raise DataError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    check_alternative(alternative)
    check_level(confidence_level, "confidence level")
    y = np.asarray(y, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    if y.shape != treated.shape:
        raise DataError("The outcome and the arm must have one value per person.")
    ok = ~np.isnan(y)
    if np.isinf(y[ok]).any():
        raise DataError("The outcome has an infinite value; correct it or leave it empty.")
    if weights is not None:
        if covariates is not None or baseline is not None or strata is not None:
            raise DataError("Frequency weights cannot be combined with covariates or strata.")
        weights = np.asarray(weights, dtype=float)
        if weights.shape != y.shape or (weights < 0).any():
            raise DataError("Frequency weights must be one count of 0 or more per row.")
        if method not in FREQUENCY_WEIGHTED:  # these methods need one row per person
            y, treated = np.repeat(y, weights.astype(np.int64)), np.repeat(treated, weights.astype(np.int64))
            ok, weights = ~np.isnan(y), None
    dropped = int((~ok).sum())
    if dropped:
        y, treated = y[ok], treated[ok]
        weights = None if weights is None else weights[ok]
        covariates = None if covariates is None else covariates.loc[ok]
        baseline = None if baseline is None else np.asarray(baseline)[ok]
        strata = None if strata is None else np.asarray(strata)[ok]
    spec = METHODS[method]
    kw = dict(alternative=alternative, confidence_level=confidence_level)
    if "strata" not in spec.uses:
        strata = None
    if "covariates" not in spec.uses:
        covariates = None
    if "baseline" not in spec.uses:
        baseline = None
    if method in LEGACY and not (method == "permutation" and strata is not None):
        res = _two_sample(method, y, treated, permutations=permutations, seed=seed, **kw)
    elif method.startswith("prevalence"):
        res = _prevalence(method, y, treated, weights=weights, **kw)
    else:
        from . import models

        try:
            res = models.FITTERS[method](y, treated, covariates=covariates, baseline=baseline,
                                         baseline_name=baseline_name, strata=strata,
                                         permutations=permutations, seed=seed, weights=weights,
                                         **kw)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
            # numerical breakdown on degenerate data is a result, not a crash
            res = not_estimable(method, y, treated, alternative, confidence_level,
                                f"the model could not be fitted ({exc}).")
    if dropped:
        res = replace(res, note=(res.note + f" {dropped} people with no value left out.").strip())
    return res


def method_names() -> list[str]:
    return list(METHODS)
