import math

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.state import remember, show_data_error, sidebar

st.set_page_config(page_title="Planning · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard.figures_programme import power_by_reduction_figure, power_curve_figure  # noqa: E402
from fd_stats import (DataError, minimum_detectable_effect, power_t,  # noqa: E402
                      sample_size)
from fd_stats.report.wording import SYNTHETIC_LABEL, in_sentence  # noqa: E402
from fd_stats.report.safe_text import md, md_cells  # noqa: E402


def sig3(v: float) -> str:
    """3 significant digits with thousands separators, as everywhere else (6349 -> 6,350)."""
    return f"{float(f'{v:.3g}'):,.10g}"


trial, settings = ctx.trial, ctx.settings
alpha = settings.alpha
sides = "two-sided" if settings.alternative == "two-sided" else "one-sided"
side_words = "two-sided" if sides == "two-sided" else "one-sided"
synthetic_note = "Synthetic data" if trial.synthetic else ""

st.title("Planning a replication: how many people are needed?")
st.markdown("Power is the chance that a trial finds a real effect of a given size to be "
            "statistically significant. This page uses the variability seen in this trial (or "
            f"figures you type) with the sidebar's **alpha = {alpha:g}, {side_words}** test.")
# published context about focused deterrence applies only to the bundled trial
IS_FD = trial.meta.get("trial", {}).get("id") == "focused_deterrence"
if trial.synthetic:
    st.info(SYNTHETIC_LABEL + (" Their means, t and df reproduce the report's Appendix B."
                               if IS_FD else ""), icon="⚠️")
if settings.alternative == "greater":
    st.warning("The sidebar is set to one-sided 'treatment higher'. Power here is for a "
               "one-sided test in the direction of the effect you plan to detect.")

try:
    results = ctx.results
except DataError as exc:
    show_data_error(exc)
    st.stop()
allr = results[results["subgroup"] == "All"].set_index("outcome")
if allr.empty:
    st.info("Choose at least one outcome in the sidebar.")
    st.stop()


def pooled_sd(r):
    nt, nc = r["n_treatment"], r["n_control"]
    return math.sqrt(((nt - 1) * r["sd_treatment"] ** 2 + (nc - 1) * r["sd_control"] ** 2)
                     / (nt + nc - 2))


# ---------------------------------------------------------------- inputs
st.header("What to detect")
outcomes = list(allr.index)
default = "suspect_knife" if "suspect_knife" in outcomes else outcomes[0]
c1, c2, c3 = st.columns(3)
with c1:
    outcome = st.selectbox("Outcome", outcomes, format_func=ctx.label,
                           key=remember("planning_outcome", default, outcomes))
    src = st.radio("Mean and standard deviation", ["Observed in this trial", "Type values"],
                   key=remember("planning_source"))
r = allr.loc[outcome]
spec = trial.outcome(outcome)
unit = spec.unit or "per person"
# the change to detect, in the outcome's favourable direction (a reduction only if lower is better)
CHANGE = {"lower": "reduction", "higher": "increase"}.get(spec.direction, "change")
with c2:
    if src == "Observed in this trial":
        sd_kind = st.radio("Standard deviation", ["Pooled over both arms", "Control arm only"],
                           key=remember("planning_sd_kind"),
                           help="The t-test power calculation assumes one common SD.")
        mean_c = float(r["mean_control"])
        sd = pooled_sd(r) if sd_kind.startswith("Pooled") else float(r["sd_control"])
        st.markdown(f"Control mean **{sig3(mean_c)}** {md(unit)}; SD **{sig3(sd)}** "
                    f"(treatment SD {r['sd_treatment']:.3g}, control SD {r['sd_control']:.3g}; "
                    f"n = {int(r['n_treatment'])} and {int(r['n_control'])}).")
    else:
        mean_c = st.number_input(f"Control-group mean ({md(unit)})", min_value=0.0,
                                 step=0.01, format="%.3f",
                                 key=remember("planning_mean", round(float(r["mean_control"]), 3),
                                              scope=(trial.name, outcome)))
        sd = st.number_input(f"Standard deviation ({md(unit)})", min_value=0.0,
                             step=0.01, format="%.3f",
                             key=remember("planning_sd", round(pooled_sd(r), 3),
                                          scope=(trial.name, outcome)))
with c3:
    reduction = st.number_input(f"{CHANGE.capitalize()} to detect (% of the control mean)",
                                min_value=1.0,
                                max_value=100.0, step=5.0, format="%.0f",
                                key=remember("planning_reduction", 40.0))
    power = st.select_slider("Power", options=[0.7, 0.75, 0.8, 0.85, 0.9, 0.95],
                             format_func=lambda v: f"{v:.0%}", key=remember("planning_power", 0.8))
    ratio = st.number_input("Allocation ratio (control people per treated person)",
                            min_value=0.25, max_value=10.0, step=0.25,
                            key=remember("planning_ratio", 1.0),
                            help=f"1 = equal arms. This trial had {int(r['n_control'])} "
                                 f"control to {int(r['n_treatment'])} treated (about "
                                 f"{r['n_control'] / max(r['n_treatment'], 1):.1f}).")

delta = mean_c * reduction / 100
label = ctx.label(outcome)
try:
    ss = sample_size(delta, sd, power=power, alpha=alpha, alternative=sides,
                     allocation_ratio=ratio)
except DataError as exc:
    st.error(f"The sample size cannot be worked out: {md(exc)}", icon="🚫")
    st.stop()

st.header("People needed")
arms = (f"about **{ss.n_treatment_needed} per arm ({ss.total_needed} in all)**" if ratio == 1
        else f"about **{ss.n_treatment_needed} in the treatment arm and {ss.n_control_needed} in "
             f"control ({ss.total_needed} in all)**")
target = mean_c + delta if CHANGE == "increase" else mean_c - delta
st.success(f"To detect a **{reduction:.0f}% {CHANGE}** in {md(in_sentence(label))} (from {sig3(mean_c)} to "
           f"{sig3(target)} {md(unit)}, SD {sig3(sd)}) with **{power:.0%} power** at "
           f"**{side_words} {alpha:.0%}**, a replication needs {arms}.")
m1, m2, m3 = st.columns(3)
m1.metric("Treatment arm", f"{ss.n_treatment_needed:,}")
m2.metric("Control arm", f"{ss.n_control_needed:,}")
m3.metric("In all", f"{ss.total_needed:,}")
st.caption(f"Two-sample t-test power (as R `power.t.test`, unrounded n = {ss.n_treatment:.2f} "
           f"treated). This trial had {int(r['n_treatment'])} treated and "
           f"{int(r['n_control'])} control. The calculation treats the SD as known"
           + ("; skewed counts make the t-test approximate" if spec.kind in ("count", "score")
              and r["sd_control"] > r["mean_control"] > 0 else "")
           + ("; the SD from a small trial is itself uncertain" if r["n_treatment"]
              + r["n_control"] < 300 else "") + ", so allow a margin.")

# ---------------------------------------------------------------- curves
st.header("Power curves")
reds = sorted({20.0, 30.0, 40.0, 50.0, float(reduction)})
n_max = int(min(max(2 * ss.n_treatment_needed, 200), 3000))
grid = np.unique(np.linspace(5, n_max, 60).round().astype(int))
rows = []
for red in reds:
    d = mean_c * red / 100
    if d <= 0:
        continue
    for n in grid:
        rows.append({"series": f"{red:.0f}% {CHANGE}", "n": n,
                     "power": power_t(d, sd, n, n * ratio, alpha=alpha, alternative=sides)})
curves = pd.DataFrame(rows)
if len(curves):
    st.plotly_chart(power_curve_figure(
        curves, target=power,
        title=f"{reduction:.0f}% {CHANGE}: {power:.0%} power at about "
              f"{ss.n_treatment_needed} treated people",
        subtitle=" · ".join(x for x in (label, f"SD {sd:.3g}", f"{side_words} alpha {alpha:g}",
                                        f"control:treatment {ratio:g}:1") if x)),
        width="stretch", theme=None, key="planning_curve_n")
st.subheader("Power at fixed arm sizes")
cc = st.columns(3)
n_t = cc[0].number_input("Treatment arm size", min_value=2, step=5,
                         key=remember("planning_fixed_nt", int(r["n_treatment"]),
                                      scope=trial.name))
n_c = cc[1].number_input("Control arm size", min_value=2, step=5,
                         key=remember("planning_fixed_nc", int(r["n_control"]),
                                      scope=trial.name))
try:
    mde = minimum_detectable_effect(sd, n_t, n_c, power=power, alpha=alpha,
                                    alternative=sides)
except DataError as exc:
    st.error(md(exc))
    mde = float("nan")
reds_fine = np.arange(0, 101, 2)
curve = pd.DataFrame({"reduction": reds_fine,
                      "power": [power_t(mean_c * x / 100, sd, n_t, n_c, alpha=alpha,
                                        alternative=sides) for x in reds_fine]})
mde_pct = 100 * mde / mean_c if mean_c > 0 else float("nan")
title = (f"With {n_t} + {n_c} people, only {CHANGE}s above {mde_pct:.0f}% have "
         f"{power:.0%} power" if np.isfinite(mde_pct) and mde_pct <= 100 else
         f"With {n_t} + {n_c} people, no {CHANGE} up to 100% reaches {power:.0%} power")
st.plotly_chart(power_by_reduction_figure(
    curve, target=power, title=title, change=CHANGE,
    subtitle=" · ".join(x for x in (label, f"SD {sd:.3g}", f"{side_words} alpha {alpha:g}")
                        if x)),
    width="stretch", theme=None, key="planning_curve_reduction")
st.caption(f"Minimum detectable effect at these sizes: {mde:.3g} {md(unit)} "
           f"({mde_pct:.0f}% of the control mean {sig3(mean_c)}).")

# ---------------------------------------------------------------- achieved power
st.header("How much power did this trial have?")
st.markdown("For each outcome, the chance that this trial's sizes and observed SDs gave of "
            f"finding a true 20%, 30% or 40% change in the mean significant ({side_words}, "
            f"alpha {alpha:g}).")
ach = []
for col, row in allr.iterrows():
    nt, nc, m = int(row["n_treatment"]), int(row["n_control"]), float(row["mean_control"])
    try:
        s = pooled_sd(row)
        pw = [power_t(m * x, s, nt, nc, alpha=alpha, alternative=sides) if m > 0 else np.nan
              for x in (0.2, 0.3, 0.4)]
        mde_o = minimum_detectable_effect(s, nt, nc, power=0.8, alpha=alpha, alternative=sides)
    except DataError:
        continue
    ach.append({"Outcome": ctx.label(col), "n (treated + control)": f"{nt} + {nc}",
                "Control mean": sig3(m), "SD (pooled)": sig3(s),
                "20% cut": pw[0], "30% cut": pw[1], "40% cut": pw[2],
                "80% power from": (
                    "n/a" if m <= 0 else f"{100 * mde_o / m:.0f}%" if mde_o <= m
                    else "over 100% (none)")})
ach = pd.DataFrame(ach)
if len(ach):
    best = ach.loc[ach["30% cut"].idxmax()]
    st.markdown(f"**At best {best['30% cut']:.0%} power** to detect a true 30% change "
                f"({md(in_sentence(best['Outcome']))})."
                + ((" A trial this size would more often than not miss a real effect of the "
                    "size reviews report" if IS_FD else
                    " A trial this size would more often than not miss a real 30% change")
                   + ", so its non-significant results cannot show that the programme has no "
                   "effect." if best["30% cut"] < 0.5 else ""))
    shown = ach.copy()
    if shown["n (treated + control)"].nunique() == 1:
        st.caption(f"Every outcome: {shown['n (treated + control)'].iloc[0]} people (treated + "
                   "control).")
        shown = shown.drop(columns="n (treated + control)")
    for k in ("20% cut", "30% cut", "40% cut"):
        shown[k] = shown[k].map(lambda v: "n/a" if not np.isfinite(v) else f"{v:.0%}")
    shown = shown.rename(columns={"20% cut": "Power: 20% cut", "30% cut": "Power: 30% cut",
                                  "40% cut": "Power: 40% cut"})
    st.table(md_cells(shown, ["Outcome"]).set_index("Outcome"))  # wraps, so the last column is never cut off
st.caption("We do not show 'post-hoc power at the observed effect': it is a fixed function of "
           "the p-value (a non-significant result always has low observed power), so it adds "
           "nothing. Power for effect sizes that matter in practice says what the trial could have "
           "detected"
           + ("; reviews of focused deterrence report average reductions of roughly 16% "
              "(randomised trials) to 33%. " if IS_FD else ". ")
           + ("SDs come from the synthetic data, which were built to reproduce the report's "
              "means, t and df." if trial.synthetic else ""))
