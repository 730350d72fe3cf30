"""Probability of benefit: a Bayesian reading of an estimate and its standard error.

The likelihood is approximated by a normal distribution centred on the
estimate with its standard error (on the log scale for ratios), combined with
a normal prior for the effect (conjugate, so the posterior is normal too).

Priors (Spiegelhalter, Abrams & Myles 2004, *Bayesian approaches to clinical
trials and health-care evaluation*, ch. 5, recommend showing a reference prior
beside a sceptical one):

* ``"flat"`` (the default): no prior information. Justification: the
  partnership has no agreed pre-trial evidence on the size of the effect, and
  a flat prior adds no assumption beyond the estimate and its interval: the
  probability that the effect lies on the favourable side of "no effect" is
  then one minus the one-sided p-value of the Wald test, so nothing here can
  contradict the frequentist result shown beside it.
* ``"sceptical"``: centred on no effect, with a 5% prior probability of an
  effect beyond a halving or a doubling of the outcome (ratios: sd = ln 2 /
  1.96 on the log scale; differences: sd = half the control mean (or share) /
  1.96). It pulls the estimate towards no effect, asking how convincing the
  data are to someone who doubts the programme works.

Always reported as Bayesian, with its prior.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from ..errors import DataError

PRIORS = {
    "flat": "flat prior (the data alone)",
    "sceptical": ("sceptical prior centred on no effect, 5% prior probability of an effect "
                  "beyond a halving or doubling"),
}
RATIO_SCALES = ("ratio", "hazard ratio")
HALVING_Z = 1.959963984540054  # the 97.5% normal quantile


@dataclass(frozen=True)
class Benefit:
    """Posterior probabilities that the programme helped.

    ``probability`` that the effect lies in the favourable direction;
    ``probability_min`` that it is at least ``min_change`` (a share, 0.1 = a
    10% reduction for "lower is better") in that direction; ``label`` names
    the method (Bayesian) and the prior. NaN with a ``note`` when not
    estimable (no standard error, direction not chosen, no control level).
    """

    probability: float
    probability_min: float
    min_change: float
    prior: str
    label: str
    note: str = ""


def probability_of_benefit(estimate: float, std_error: float, scale: str, *,
                           direction: str | None, min_change: float = 0.10,
                           reference: float | None = None, prior: str = "flat") -> Benefit:
    """Probability that the effect is favourable, and that it is at least ``min_change``.

    Parameters
    ----------
    estimate : float
        The effect on its reporting scale (a ratio for ratio scales).
    std_error : float
        Its standard error on the analysis scale (log scale for ratios), as
        :class:`fd_stats.methods.registry.MethodEffect` reports it.
    scale : str
        The method's scale (``ratio``, ``difference``, ...).
    direction : {"lower", "higher"} or None
        Which way is better for this outcome. None or "neither": not estimable.
    min_change : float
        Smallest change that matters, as a share of the control level (0.1 = 10%).
    reference : float, optional
        The control arm's mean (or share) for difference scales: turns
        ``min_change`` into outcome units and sets the sceptical prior's spread.
    prior : {"flat", "sceptical"}
        See the module docstring.
    """
    if prior not in PRIORS:
        raise DataError(f"prior must be one of {', '.join(PRIORS)}; got {prior!r}.")
    if not 0 <= min_change < 1:
        raise DataError(f"The smallest change that matters must be a share from 0 to below 1; "
                        f"got {min_change}.")
    label = f"Bayesian probability, normal approximation, {PRIORS[prior]}"
    nan = float("nan")
    if direction not in ("lower", "higher"):
        return Benefit(nan, nan, min_change, prior, label,
                       "Not given: the outcome's better direction has not been chosen.")
    ratio = scale in RATIO_SCALES
    if not (np.isfinite(estimate) and np.isfinite(std_error) and std_error > 0) or (
            ratio and estimate <= 0):
        return Benefit(nan, nan, min_change, prior, label,
                       "Not estimable: the method gives no standard error (rank or permutation).")
    theta = float(np.log(estimate)) if ratio else float(estimate)
    sign = -1.0 if direction == "lower" else 1.0
    if ratio:
        threshold = float(np.log1p(sign * min_change))
        spread = np.log(2) / HALVING_Z
    elif reference is not None and np.isfinite(reference) and reference != 0:
        threshold = sign * min_change * abs(reference)
        spread = 0.5 * abs(reference) / HALVING_Z
    else:
        threshold = spread = nan
    mean, sd = theta, float(std_error)
    if prior == "sceptical":
        if not np.isfinite(spread):
            return Benefit(nan, nan, min_change, prior, label,
                           "Not estimable: a sceptical prior needs the control level.")
        var = 1 / (1 / sd**2 + 1 / spread**2)
        mean, sd = var * theta / sd**2, np.sqrt(var)
    # P(effect beyond c in the favourable direction) = P(sign * (effect - c) > 0)
    prob = float(ndtr(sign * mean / sd))
    prob_min = float(ndtr(sign * (mean - threshold) / sd)) if np.isfinite(threshold) else nan
    note = "" if np.isfinite(prob_min) else "No control level to express the smallest change."
    return Benefit(prob, prob_min, min_change, prior, label, note)


def add_probability_of_benefit(results, directions, *, min_change: float = 0.10,
                               prior: str = "flat"):
    """:func:`fd_stats.analyse` rows with the probability of benefit added.

    ``directions`` is "lower" / "higher" for every outcome, or a dict outcome ->
    direction (missing or None: not given). Adds ``prob_benefit``,
    ``prob_benefit_min`` (at least ``min_change`` of the control level),
    ``benefit_min_change`` and ``benefit_method`` (Bayesian, with the prior).
    The control level is the control mean, or the control share with an event
    for a risk difference.
    """
    out = results.copy()
    probs, probs_min, labels = [], [], []
    for _, r in out.iterrows():
        d = directions.get(r["outcome"]) if isinstance(directions, dict) else directions
        ref = ((r["any_control"] / r["n_control"]) if r["scale"] == "risk difference"
               and r["n_control"] else r["mean_control"])
        b = probability_of_benefit(r["estimate"], r["std_error"], r["scale"], direction=d,
                                   min_change=min_change, reference=ref, prior=prior)
        probs.append(b.probability)
        probs_min.append(b.probability_min)
        labels.append(b.label + (f" ({b.note})" if b.note else ""))
    out["prob_benefit"], out["prob_benefit_min"] = probs, probs_min
    out["benefit_min_change"], out["benefit_method"] = min_change, labels
    return out
