"""Every method side by side for one outcome: the table and the rows for the ratio-scale plot.

Pure functions of :func:`fd_stats.analyse` rows (one per method), so they are
testable without a browser.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures import num_interval, pct_interval
from fd_stats.analysis import METHOD_LABELS
from fd_stats.methods.bayes import probability_of_benefit
from fd_stats.report.wording import p_text

SCALE_WORDS = {
    "difference": "difference (treatment − control, outcome units)",
    "shift": "shift (typical difference, outcome units)",
    "ratio": "ratio (treatment ÷ control)",
    "risk difference": "difference in share (percentage points)",
    "hazard ratio": "hazard ratio",
}


def _num(v, digits):
    if not np.isfinite(v):
        return "n/a"
    text = f"{v:,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def estimate_text(r, digits: int = 2, with_percent: bool = True) -> str:
    """'0.71 (0.44 to 1.13)' on the row's own scale; risk differences in percentage points.

    ``with_percent`` adds a ratio's interval as % change (left out where a % column is beside it).
    """
    est, lo, hi, scale = r["estimate"], r["ci_low"], r["ci_high"], r["scale"]
    if not np.isfinite(est):
        return "not estimable"
    if scale in ("ratio", "hazard ratio"):
        lo_t = "0" if lo == 0 else _num(lo, 2)
        hi_t = "∞" if hi == np.inf else _num(hi, 2)
        if not with_percent:
            return f"{_num(est, 2)} ({lo_t} to {hi_t})"
        return (f"{_num(est, 2)} ({lo_t} to {hi_t}; "
                f"{pct_interval(100 * (lo - 1), 100 * (hi - 1), r['alternative'])})")
    if scale == "risk difference":
        return (f"{100 * est:+.1f} points "
                f"({num_interval(100 * lo, 100 * hi, 1)})")
    return f"{_num(est, digits)} ({num_interval(lo, hi, digits)})"


def methods_table(res: pd.DataFrame, *, alpha: float, digits: int = 2) -> pd.DataFrame:
    """One display row per method: scale, estimate with interval, p with sidedness, details."""
    level = f"{res['confidence_level'].iloc[0]:.0%}"
    rows = []
    for _, r in res.iterrows():
        p = r["p_value"]
        rows.append({
            "Method": METHOD_LABELS.get(r["test"], r["test"]) + (" (primary)" if r["primary"]
                                                                else ""),
            "Scale": SCALE_WORDS.get(r["scale"], r["scale"]),
            f"Estimate ({level} CI)": estimate_text(r, digits),
            "p-value": p_text(p, r["alternative"]) if np.isfinite(p) else "not estimable",
            f"Sig. at {alpha:g}?": ("n/a" if not np.isfinite(p) else
                                   ("✔ Yes" if p < alpha else "— No")),
            "Details": "; ".join(t for t in (str(r["method"]), str(r["note"])) if t),
        })
    return pd.DataFrame(rows).set_index("Method")


def ratio_rows(res: pd.DataFrame) -> pd.DataFrame:
    """Rows for the ratio-scale forest plot: every ratio method plus the ratio of means."""
    out = res[res["scale"] == "ratio"].copy()
    out["name"] = [f"{METHOD_LABELS.get(t, t)}" for t in out["test"]]
    means = res[res["primary"]].iloc[:1].copy()
    if len(means) and means["scale"].iloc[0] != "ratio":
        means["name"] = "Ratio of means (Fieller interval)"
        out = pd.concat([means, out])
    return out.reset_index(drop=True)


def benefit_table(res: pd.DataFrame, *, direction: str | None, min_change: float,
                  prior: str) -> pd.DataFrame:
    """Bayesian probability of benefit per method (normal approximation, stated prior)."""
    rows = []
    for _, r in res.iterrows():
        if r["scale"] == "risk difference":
            ref = (r["any_control"] / r["n_control"]) if r["n_control"] else np.nan
        else:
            ref = r["mean_control"]
        b = probability_of_benefit(r["estimate"], r["std_error"], r["scale"],
                                   direction=direction, min_change=min_change, reference=ref,
                                   prior=prior)
        rows.append({
            "Method": METHOD_LABELS.get(r["test"], r["test"]),
            "Probability the programme helped": (f"{b.probability:.0%}"
                                                 if np.isfinite(b.probability) else "—"),
            f"… by at least {min_change:.0%}": (f"{b.probability_min:.0%}"
                                                if np.isfinite(b.probability_min) else "—"),
            "Note": b.note,
        })
    return pd.DataFrame(rows).set_index("Method")


BENEFIT_MEANING = (
    "Bayesian: the probability, given the data and the prior named, that the programme moved "
    "the outcome in the better direction; the second figure asks for at least the stated "
    "change. From a normal approximation to the estimate and its standard error (log scale for "
    "ratios). With the flat prior it is about one minus the one-sided p-value. It is not a "
    "p-value and not the chance the finding is due to chance.")
#: What "at least x%" is a share of, by scale (for the probability of benefit).
MIN_CHANGE_OF = {"ratio": "", "hazard ratio": "", "difference": " of the control mean",
                 "risk difference": " of the control share"}


def prior_words(row) -> str:
    """The prior named in a result row's ``benefit_method`` ("flat prior (the data alone)")."""
    text = str(row.get("benefit_method", ""))
    text = text.split("normal approximation, ", 1)[-1]
    return text.split(" (Not", 1)[0].split(" (No ", 1)[0]


def benefit_text(row, direction: str | None, markdown: bool = True) -> str:
    """One sentence for a result row's Bayesian probability of benefit, with its prior, e.g.
    "Bayesian, flat prior: 98% probability the programme lowered it; 96% that it lowered it by
    at least 10% of the control mean. Not a p-value."

    ``direction`` is the outcome's better direction from the specification. Empty when the row
    has no probability (no direction chosen, or a rank or permutation test: no standard error).
    """
    p, p_min = row.get("prob_benefit", np.nan), row.get("prob_benefit_min", np.nan)
    if direction not in ("lower", "higher") or not np.isfinite(p):
        return ""
    verb = "lowered" if direction == "lower" else "raised"
    prior = prior_words(row).split(" (", 1)[0]  # "flat prior", "sceptical prior centred on ..."
    prior = prior.split(" centred", 1)[0]
    lead = f"Bayesian, {prior}:"
    text = f"{f'**{lead}**' if markdown else lead} {p:.0%} probability the programme {verb} it"
    change = row.get("benefit_min_change", 0.1)
    if np.isfinite(p_min) and change > 0:
        text += (f"; {p_min:.0%} that it {verb} it by at least {change:.0%}"
                 f"{MIN_CHANGE_OF.get(row['scale'], '')}")
    return text + ". Not a p-value."
