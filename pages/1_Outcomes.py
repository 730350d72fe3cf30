"""Outcomes: every outcome x role, the forest plot, means by arm, distributions, all tests for one."""
import streamlit as st

from dashboard.state import sidebar, show_data_error

st.set_page_config(page_title="Outcomes · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from dashboard.figures import (forest_plot, harm_plot, means_plot, num_interval,  # noqa: E402
                               pct_interval, share_plot)
from fd_stats import (DataError, mann_whitney, percent_change, percent_change_bootstrap,  # noqa: E402
                      permutation_test, student_t, welch_t)
from fd_stats.analysis import ALL, SIDEDNESS, TEST_LABELS  # noqa: E402
from fd_stats.cli import escape_frame  # noqa: E402
from fd_stats.multiplicity import CORRECTIONS  # noqa: E402
from fd_stats.safe_text import md, md_columns  # noqa: E402
from fd_stats.subgroups import arm_summary, arm_values, count_distribution  # noqa: E402
from fd_stats.wording import SYNTHETIC_LABEL, effect_sentence, fmt_p, p_text  # noqa: E402

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
est_name = _cap(allr["estimate_label"].iloc[0]) if len(allr) else "Difference"
p_raw_col = f"p ({side})"
p_adj_col = (f"{CORRECTIONS[s.correction].split(' (')[0]}-adjusted p" if corrected
             else "Adjusted p (none chosen)")
roles = [trial.outcome(o).role for o in allr["outcome"]]
has_roles = any(roles)
table = pd.DataFrame({
    "Role": [r.capitalize() or "—" for r in roles],
    "Outcome": [lab.replace(f" as {r}", "") if r else lab for lab, r in zip(allr["label"], roles)],
    "Mean: treatment vs control": [
        f"{_num(r['mean_treatment'], _digits(r))} vs {_num(r['mean_control'], _digits(r))}"
        for _, r in allr.iterrows()],
    f"{est_name} ({level} CI)": [
        f"{_num(r['estimate'], _digits(r))} ({num_interval(r['ci_low'], r['ci_high'], _digits(r))})"
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
st.table(table.set_index(["Role", "Outcome"]) if has_roles
         else table.drop(columns="Role").set_index("Outcome"))
st.caption(f"{synth}n = {int(allr['n_treatment'].max())} treatment, "
           f"{int(allr['n_control'].max())} control (intention to treat). Means are per person"
           + (" over 12 months; harm is in Crime Harm Index days, the rest are counts of crimes. "
              if trial.meta.get("trial", {}).get("follow_up_months") else
              "; units: " + ", ".join(sorted({trial.outcome(c).unit for c in ctx.mapping.outcomes
                                              if trial.outcome(c).unit})) + ". ")
           + ("Significance uses the adjusted p-value. " if corrected else
              f"{len(allr)} outcomes are tested; choose a correction in the sidebar to adjust "
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
st.caption(f"Percentage change in the mean per person, with its {level} interval (Fieller "
           "interval for the ratio of means, matched to the Welch t-test: it excludes 0% exactly "
           "when the Welch test is significant). The scale is logarithmic: −50% and +100% are "
           "the same distance from 0. Arrows mark intervals open at that end (one-sided tests).")

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
if len(zero_all):
    lo_z, hi_z = float(np.nanmin(zero_all.to_numpy())), float(np.nanmax(zero_all.to_numpy()))
    share_words = (f"{lo_z:.0%}" if round(lo_z, 2) == round(hi_z, 2)
                   else f"between {lo_z:.0%} and {hi_z:.0%}")
    st.markdown(f"These outcomes are **skewed**: {share_words} of people had **none** "
                "(depending on the outcome and the arm), a few had many, so a mean can be moved "
                "by a handful of people.")
outcomes = list(allr["outcome"])
dist_outcome = st.selectbox("Outcome to show", outcomes, format_func=ctx.label,
                            key="outcomes_dist_outcome")
info = trial.outcome(dist_outcome)
try:
    values = arm_values(trial.table, ctx.mapping, dist_outcome)
except DataError as exc:
    show_data_error(exc)
    st.stop()
zero = summ[(summ["outcome"] == dist_outcome)].set_index("arm")["share_zero"]
zero_text = (f"{zero.get('treatment', np.nan):.0%} of treatment and "
             f"{zero.get('control', np.nan):.0%} of control had none")
if info.kind == "harm":
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
                     subtitle=f"{synth}Share of each arm with 0, 1, 2, … per person",
                     x_title=f"{info.label} per person (number)")
    st.plotly_chart(fig, width="stretch", theme=None, key="outcomes_share")

# ---------------------------------------------------------------- detail view
st.header("Every test for one outcome")
detail = st.selectbox("Outcome", outcomes, format_func=ctx.label, key="outcomes_detail_outcome")


@st.cache_data(show_spinner="Running every test…", max_entries=32)
def _all_tests(x, y, alternative, confidence_level, permutations, seed):
    kw = dict(alternative=alternative, confidence_level=confidence_level)
    return {
        "welch": welch_t(x, y, **kw),
        "student": student_t(x, y, **kw),
        "mann-whitney": mann_whitney(x, y, **kw),
        "permutation": permutation_test(x, y, n_resamples=permutations, seed=seed, **kw),
        "pc": percent_change(x, y, **kw),
        "pc_boot": percent_change_bootstrap(x, y, n_resamples=2000, seed=seed, **kw),
    }


try:
    v = arm_values(trial.table, ctx.mapping, detail)
except DataError as exc:
    show_data_error(exc)
    st.stop()
x = v.loc[v["arm"] == "treatment", "value"].to_numpy(float)
y = v.loc[v["arm"] == "control", "value"].to_numpy(float)
try:
    tests = _all_tests(x, y, s.alternative, s.confidence_level, s.permutations, s.seed)
except DataError as exc:
    show_data_error(exc)
    st.stop()
d_digits = 0 if max(abs(np.mean(x)), abs(np.mean(y))) >= 10 else 2
rows = []
for key in ("welch", "student", "mann-whitney", "permutation"):
    t = tests[key]
    what = "Hodges-Lehmann shift" if key == "mann-whitney" else "Difference in means"
    extra = []
    if key in ("welch", "student") and np.isfinite(t.df):
        extra.append(f"t = {t.statistic:.3f}, df = {t.df:.1f}")
    if key == "mann-whitney":
        extra.append(f"W = {t.statistic:.1f}" + (", exact" if t.exact else ", normal approximation"))
    if key == "permutation":
        extra.append("exact" if t.exact else
                     f"{t.n_resamples:,} re-randomisations, Monte-Carlo error ±{t.mc_error:.4f}")
    if t.note:
        extra.append(t.note)
    rows.append({
        "Test": TEST_LABELS[key], "Estimate of": what,
        f"Estimate ({level} CI)": (f"{_num(t.estimate, d_digits)} "
                                  f"({num_interval(t.ci_low, t.ci_high, d_digits)})"),
        "p-value": p_text(t.p_value, t.alternative),
        f"Sig. at {s.alpha:g}?": ("n/a" if not np.isfinite(t.p_value) else
                                                     ("✔ Yes" if t.p_value < s.alpha else "— No")),
        "Details": "; ".join(extra),
    })
for key, name in (("pc", "Fieller (ratio of means)"), ("pc_boot", "Percentile bootstrap")):
    e = tests[key]
    rows.append({
        "Test": name, "Estimate of": "% change from control",
        f"Estimate ({level} CI)": f"{_pct(e.estimate)} ({_pct_ci(e.ci_low, e.ci_high)})",
        "p-value": "— (interval only)", f"Sig. at {s.alpha:g}?": "—",
        "Details": e.method + (f"; {e.note}" if e.note else ""),
    })
st.table(pd.DataFrame(rows).set_index("Test"))
row = allr.set_index("outcome").loc[detail].copy()
row["outcome"] = detail
st.markdown(effect_sentence(md_columns(row.to_frame().T).iloc[0],
                            trial.outcome(detail).lower_is_better, md(trial.outcome(detail).unit)))
st.caption(f"{synth}Treatment n = {len(x)}, control n = {len(y)}. Tests and intervals use the "
           f"sidebar's sidedness ({side}) and level ({level}); the p-values here are not adjusted "
           "for multiple outcomes. Mann-Whitney compares the whole distributions (its shift "
           "estimate is often 0 when most people have 0); the t-tests and permutation test "
           "compare means.")
