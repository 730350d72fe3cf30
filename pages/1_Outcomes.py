"""Outcomes: every outcome x role, the forest plot, means by arm, distributions, all tests for one."""
import streamlit as st

from dashboard.state import remember, sidebar, show_data_error

st.set_page_config(page_title="Outcomes · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from dashboard.figures import (forest_plot, harm_plot, means_plot, num_interval,  # noqa: E402
                               pct_interval, share_plot)
from dataclasses import replace  # noqa: E402

from dashboard.methods_view import (benefit_table, estimate_text, methods_table,  # noqa: E402
                                    ratio_rows)
from dashboard.state import table_key  # noqa: E402
from fd_stats import DataError, analyse, percent_change_bootstrap  # noqa: E402
from fd_stats.analysis import ALL, SIDEDNESS, TEST_LABELS  # noqa: E402
from fd_stats.methods.bayes import PRIORS  # noqa: E402
from fd_stats.methods.registry import METHODS  # noqa: E402
from fd_stats.cli.main import escape_frame  # noqa: E402
from fd_stats.methods.multiplicity import CORRECTIONS  # noqa: E402
from fd_stats.report.safe_text import md, md_cells, md_columns, md_spec  # noqa: E402
from fd_stats.subgroups import arm_summary, arm_values, count_distribution  # noqa: E402
from fd_stats.report.wording import (SYNTHETIC_LABEL, count_of, effect_sentence_for, fmt_p,  # noqa: E402
                              is_binary, pp_estimate, share_text)

trial, s = ctx.trial, ctx.settings
corrected = s.correction != "none"
level = f"{s.confidence_level:.0%}"
side = SIDEDNESS[s.alternative]
synth = "Synthetic data · " if trial.synthetic else ""

roles = {trial.outcome(c).role for c in ctx.mapping.outcomes} - {""}
st.title("Outcomes: every outcome, as suspect and as victim" if roles == {"suspect", "victim"}
         else "Outcomes: every outcome")
if trial.synthetic:
    st.info(SYNTHETIC_LABEL, icon="⚠️")
st.markdown(f"Settings: **{TEST_LABELS[s.test]}**, **{side}**, **{CORRECTIONS[s.correction]}**, "
            f"threshold **{s.alpha:g}**, **{level}** intervals (change them in the sidebar).")

try:
    res = ctx.results
except DataError as exc:
    show_data_error(exc)
    st.stop()
allr = res[res["subgroup"] == ALL].reset_index(drop=True)


def _num(v, digits=2):
    if v is None or not np.isfinite(v):
        return "−∞" if v == -np.inf else ("+∞" if v == np.inf else "n/a")
    text = f"{v:,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def _pct(v):
    if not np.isfinite(v):
        return "no limit" if v == np.inf else "n/a"
    if v <= -99.999:
        return "−100%"
    return f"{v:+.1f}%" if 0 < abs(v) < 0.95 else f"{v:+.0f}%"


def _pct_ci(lo, hi):
    """Interval text: one-sided intervals as '≤ -15%' / '≥ -40%' (no fake -100% end)."""
    return pct_interval(lo, hi, s.alternative, digits=1 if max(
        abs(v) if np.isfinite(v) else 99 for v in (lo, hi)) < 0.95 else 0)


def _cap(text):
    text = str(text)
    return text[:1].upper() + text[1:]


def _digits(row):
    return 0 if max(abs(row["mean_treatment"]), abs(row["mean_control"])) >= 10 else 2


# ---------------------------------------------------------------- results table
st.header("Results table")
# one name per estimate the rows hold (a Poisson model gives a rate ratio for counts and a
# ratio of means for scores)
est_words = " or ".join(dict.fromkeys(allr["estimate_label"])) if len(allr) else "difference"
est_name = _cap(est_words)
p_raw_col = f"p ({side})"
p_adj_col = (f"{CORRECTIONS[s.correction].split(' (')[0]}-adjusted p" if corrected
             else "Adjusted p (none chosen)")
roles = [trial.outcome(o).role for o in allr["outcome"]]
has_roles = any(roles)
table = pd.DataFrame({
    "Role": [r.capitalize() or "—" for r in roles],
    "Outcome": [lab.replace(f" as {r}", "") if r else lab for lab, r in zip(allr["label"], roles)],
    "Mean: treatment vs control": [
        (f"{share_text(r['mean_treatment'])} vs {share_text(r['mean_control'])} of people"
         if is_binary(trial.outcome(r["outcome"])) else
         f"{_num(r['mean_treatment'], _digits(r))} vs {_num(r['mean_control'], _digits(r))}")
        for _, r in allr.iterrows()],
    f"{est_name} ({level} CI)": [
        (pp_estimate(r) if is_binary(trial.outcome(r["outcome"])) and r["scale"] == "difference"
         else f"{_num(r['estimate'], _digits(r))} ({num_interval(r['ci_low'], r['ci_high'], _digits(r))})"
         if r["scale"] in ("difference", "shift") else estimate_text(r, with_percent=False))  # ratio, share: own format
        for _, r in allr.iterrows()],
    f"% change ({level} CI)": [
        f"{_pct(r['percent_change'])} ({_pct_ci(r['percent_change_ci_low'], r['percent_change_ci_high'])})"
        for _, r in allr.iterrows()],
    p_raw_col: [fmt_p(p) for p in allr["p_value"]],
    p_adj_col: [fmt_p(p) if corrected else "—" for p in allr["p_adjusted"]],
    f"Significant at {s.alpha:g}?": [
        ("n/a" if not np.isfinite(p) else ("✔ Yes" if sig else "— No"))
        for p, sig in zip(allr["p_adjusted"], allr["significant"])],
})
# st.table renders Markdown; labels are the data's, roles trial.toml's
table = md_cells(table, ["Outcome", "Role"])
st.table(table.set_index(["Role", "Outcome"]) if has_roles
         else table.drop(columns="Role").set_index("Outcome"))
st.caption(f"{synth}n = {int(allr['n_treatment'].max())} treatment, "
           f"{int(allr['n_control'].max())} control (intention to treat). Means are per person"
           + (" over 12 months; harm is in Crime Harm Index days, the rest are counts of crimes. "
              if trial.crime_programme and trial.any_crime_outcome else
              "; units: " + ", ".join(sorted({md(trial.outcome(c).unit) for c in ctx.mapping.outcomes
                                              if trial.outcome(c).unit})) + ". ")
           + ("Significance uses the adjusted p-value. " if corrected else
              f"{count_of(len(allr), 'outcome')} {'is' if len(allr) == 1 else 'are'} tested; choose a correction in the sidebar to adjust "
              "for that. ")
           + "A p-value is the probability of a difference at least this large if the programme "
           "had no effect.")
csv = escape_frame(res).to_csv(index=False).encode("utf-8")
st.download_button("Download the full results (CSV)", csv, file_name="outcomes_results.csv",
                   mime="text/csv", key="outcomes_download")

# ---------------------------------------------------------------- forest plot
st.header("Percentage change, every outcome")
n_sig = int(allr["significant"].sum())
n_lower = int((allr["percent_change"] < 0).sum())
title = (f"{n_lower} of {len(allr)} outcomes were lower with the programme; "
         f"{n_sig} significant at {s.alpha:g}")
fig = forest_plot(allr, title=title,
                  subtitle=f"{synth}{TEST_LABELS[s.test]}, {side}, {CORRECTIONS[s.correction]}. "
                           "Filled marker = significant, open = not")
st.plotly_chart(fig, width="stretch", theme=None, key="outcomes_forest")
ratio_primary = len(allr) and allr["scale"].iloc[0] == "ratio"
st.caption((f"Percentage change from each outcome's {est_words} "
            f"({TEST_LABELS[s.test]}), with its {level} interval. " if ratio_primary else
            f"Percentage change in the mean per person, with its {level} interval (Fieller "
            "interval for the ratio of means, matched to the Welch t-test: it excludes 0% exactly "
            "when the Welch test is significant). ")
           + "The scale is logarithmic (a ratio scale): −50% and +100% are the same distance "
           "from 0. Arrows mark intervals open at that end (one-sided tests).")

# ---------------------------------------------------------------- means by arm
st.header("Treatment and control means")
try:
    summ = arm_summary(trial.table, ctx.mapping, s.confidence_level)
except DataError as exc:
    show_data_error(exc)
    st.stop()
summ["unit"] = [trial.outcome(o).unit or "value" for o in summ["outcome"]]
wide = summ.pivot_table(index="outcome", columns="arm", values="mean")
n_lower_means = int((wide["treatment"] < wide["control"]).sum())
fig = means_plot(summ, title=(f"The treatment mean was lower for {n_lower_means} of {len(wide)} "
                              "outcomes"),
                 subtitle=f"{synth}Two-sided {level} t-interval for each arm's mean")
st.plotly_chart(fig, width="stretch", theme=None, key="outcomes_means")
st.caption("Each arm's mean with its own interval. Overlapping intervals do not by themselves "
           "mean the difference is not significant: for that, read the difference and its "
           "interval in the results table.")

# ---------------------------------------------------------------- distributions
st.header("Per-person distributions")
zero_all = summ.pivot_table(index="outcome", columns="arm", values="share_zero")
if len(zero_all) and any(trial.outcome(o).kind in ("count", "score") for o in zero_all.index):
    lo_z, hi_z = float(np.nanmin(zero_all.to_numpy())), float(np.nanmax(zero_all.to_numpy()))
    share_words = (f"{lo_z:.0%}" if round(lo_z, 2) == round(hi_z, 2)
                   else f"between {lo_z:.0%} and {hi_z:.0%}")
    st.markdown(f"These outcomes are **skewed**: {share_words} of people had **none** "
                "(depending on the outcome and the arm), a few had many, so a mean can be moved "
                "by a handful of people.")
outcomes = list(allr["outcome"])
dist_outcome = st.selectbox("Outcome to show", outcomes, format_func=ctx.label,
                            key=remember("outcomes_dist_outcome", options=outcomes))
info = trial.outcome(dist_outcome)
try:
    values = arm_values(trial.table, ctx.mapping, dist_outcome)
except DataError as exc:
    show_data_error(exc)
    st.stop()
zero = summ[(summ["outcome"] == dist_outcome)].set_index("arm")["share_zero"]
zero_text = (f"{zero.get('treatment', np.nan):.0%} of treatment and "
             f"{zero.get('control', np.nan):.0%} of control had none")
if info.kind in ("score", "continuous"):
    fig = harm_plot(values, title=f"{info.label}: {zero_text}",
                    subtitle=f"{synth}A few people had very high scores. Each dot is a person; "
                             "box = quartiles, "
                             "dashed line = mean",
                    y_title=f"{info.label.split(' as ')[0]} per person"
                            + (" (days)" if "days" in (info.unit or "") else ""))
    st.plotly_chart(fig, width="stretch", theme=None, key="outcomes_harm")
else:
    try:
        dist = count_distribution(trial.table, ctx.mapping, dist_outcome)
    except DataError as exc:
        show_data_error(exc)
        st.stop()
    fig = share_plot(dist, title=f"{info.label}: {zero_text}",
                     subtitle=(f"{synth}Share of each arm with no (0) and yes (1)"
                               if info.kind == "binary" else
                               f"{synth}Share of each arm with 0, 1, 2, … per person"),
                     x_title=f"{info.label} per person"
                     + (" (0 = no, 1 = yes)" if info.kind == "binary" else " (number)"))
    st.plotly_chart(fig, width="stretch", theme=None, key="outcomes_share")

# ---------------------------------------------------------------- detail view
st.header("Every method for one outcome")
detail = st.selectbox("Outcome", outcomes, format_func=ctx.label, key=remember("outcomes_detail_outcome", options=outcomes))


@st.cache_data(show_spinner="Running every method…", max_entries=32)
def _all_methods(_table, key, mapping, settings):
    return analyse(_table, mapping, settings)


@st.cache_data(show_spinner=False, max_entries=32)
def _boot(x, y, alternative, confidence_level, seed):
    return percent_change_bootstrap(x, y, n_resamples=2000, seed=seed, alternative=alternative,
                                    confidence_level=confidence_level)


one = replace(ctx.mapping, outcomes=(detail,), subgroup=None)
every = replace(s, methods=tuple(m for m in METHODS if m != s.test))
try:
    by_method = _all_methods(trial.table, table_key(trial), one, every)
    v = arm_values(trial.table, ctx.mapping, detail)
    pc = _boot(v.loc[v["arm"] == "treatment", "value"].to_numpy(float),
               v.loc[v["arm"] == "control", "value"].to_numpy(float), s.alternative,
               s.confidence_level, s.seed)
except DataError as exc:
    show_data_error(exc)
    st.stop()
first = by_method.iloc[0]
d_digits = 0 if max(abs(first["mean_treatment"]), abs(first["mean_control"])) >= 10 else 2
# st.table renders Markdown; Details name the covariates and baseline (the data's columns)
st.table(md_cells(methods_table(by_method, alpha=s.alpha, digits=d_digits), ["Details"]))
left_out = by_method.attrs.get("methods_left_out", [])
if left_out:  # methods the registry does not offer for this kind of outcome, and why
    st.caption(f"Not offered for a {md(trial.outcome(detail).kind)} outcome such as this: "
               + " ".join(f"{TEST_LABELS.get(m, m)}: {why}" for m, _, why in left_out))
row = allr.set_index("outcome").loc[detail].copy()
row["outcome"] = detail
st.markdown(effect_sentence_for(md_columns(row.to_frame().T).iloc[0],
                                md_spec(trial.outcome(detail))))
adjusted = [w for w in (ctx.mapping.covariates + ctx.mapping.strata) if w]
base = ctx.mapping.baseline(detail)
st.caption(
    f"{synth}Treatment n = {int(first['n_treatment'])}, control n = {int(first['n_control'])}. "
    f"Each effect is on its own scale, with its {level} interval and the sidebar's sidedness "
    f"({side}); p-values here are not adjusted for multiple outcomes. "
    + (f"Adjusted methods use {', '.join(map(md, adjusted + ([base] if base else [])))}. "
       if adjusted or base
       else "This data set names no baseline, covariates or strata, so the count models and Lin's "
            "estimator are unadjusted here and the blocked difference is the Welch t-test. ")
    + f"The % change of the means: Fieller {_pct(first['percent_change'])} "
      f"({_pct_ci(first['percent_change_ci_low'], first['percent_change_ci_high'])}); percentile "
      f"bootstrap {_pct_ci(pc.ci_low, pc.ci_high)}. Mann-Whitney compares whole distributions "
      "(its shift is often 0 when most people have 0).")
ratios = ratio_rows(by_method)
if len(ratios):
    st.plotly_chart(forest_plot(ratios, label_col="name",
                                title=f"{info.label if detail == dist_outcome else ctx.label(detail)}:"
                                      " the same effect as a ratio, by method",
                                subtitle=f"{synth}Treatment ÷ control (log scale) as % change. "
                                         f"Filled = significant at {s.alpha:g}, open = not"),
                    width="stretch", theme=None, key="outcomes_methods_forest")
with st.expander("Probability that the programme helped (Bayesian)"):
    info_d = trial.outcome(detail)
    # the specification's direction (None: not chosen, so nothing is called a benefit);
    # older specifications only say whether lower is better
    direction = (info_d.direction if hasattr(info_d, "direction")
                 else "lower" if info_d.lower_is_better else "higher")
    c1, c2 = st.columns(2)
    prior = c1.radio("Prior", list(PRIORS), format_func=lambda k: PRIORS[k].capitalize(),
                     key=remember("outcomes_prior"))
    min_change = c2.slider("Smallest change that matters", 0, 50, step=5, format="%d%%",
                           key=remember("outcomes_min_change", 10)) / 100
    st.table(benefit_table(by_method, direction=direction, min_change=min_change, prior=prior))
    st.caption("Bayesian probabilities from a normal approximation to each method's likelihood "
               f"with a {PRIORS[prior]}; "
               + (f"{direction} values count as better for this outcome. "
                  if direction in ("lower", "higher") else
                  "no better direction is set for this outcome, so no probability of benefit. ")
               + "With the flat prior the probability that the programme helped is about one "
               "minus the one-sided p-value; the sceptical prior asks how convincing the data are "
               "to someone who doubts the programme works. These are not p-values.")
