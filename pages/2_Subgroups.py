"""Subgroups: effects per level of a subgroup column and whether they differ."""
import streamlit as st

from dashboard.state import sidebar, show_data_error

st.set_page_config(page_title="Subgroups · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from dashboard.figures import forest_plot, interval_key, pct_interval  # noqa: E402
from fd_stats import DataError  # noqa: E402
from fd_stats.analysis import ALL, SIDEDNESS, TEST_LABELS  # noqa: E402
from fd_stats.data.mapping import plain_text  # noqa: E402
from fd_stats.methods.multiplicity import CORRECTIONS  # noqa: E402
from fd_stats.report.safe_text import md, md_cells, md_columns  # noqa: E402
from fd_stats.subgroups import interaction_sentence, interaction_test  # noqa: E402
from fd_stats.report.wording import SYNTHETIC_LABEL, fmt_p  # noqa: E402

trial, s = ctx.trial, ctx.settings
corrected = s.correction != "none"
level = f"{s.confidence_level:.0%}"
side = SIDEDNESS[s.alternative]
synth = "Synthetic data · " if trial.synthetic else ""

st.title("Subgroups: does the effect differ between groups?")
if trial.synthetic:
    st.info(SYNTHETIC_LABEL, icon="⚠️")

if not ctx.subgroup:
    st.warning("No subgroup column is chosen. Choose one under **Subgroup column** in the "
               "sidebar (for the bundled trial, the age group: `age_group` in the list, the 11-17 "
               "and 18-25 cohorts).",
               icon="👈")
    st.stop()

sub_col = ctx.subgroup
sub_name = plain_text(sub_col).replace("_", " ").strip()
sub_name = sub_name[:1].upper() + sub_name[1:]   # "age_group" -> "Age group"
sub_lower = sub_name if any(ch.isupper() for ch in sub_name[1:]) else sub_name.lower()
if ctx.prespecified:
    st.success(f"**Pre-specified** subgroup analysis: {md(sub_name)} was marked as planned before "
               "the data were seen.", icon="📋")
else:
    st.warning(f"**Exploratory.** Subgroup results by {md(sub_lower)} were not pre-specified: treat "
               "them as ideas to test in a new trial, not as findings. With several subgroups and "
               "outcomes, some differences will appear by chance alone.", icon="🔎")
meta_note = next((g.get("note") for g in trial.meta.get("subgroups", [])
                  if g.get("column") == sub_col and g.get("note")), None)
if meta_note:
    st.caption(f"About this subgroup: {md(meta_note)}.")  # trial.toml text

try:
    res = ctx.results
    inter = interaction_test(trial.table, ctx.mapping, s.confidence_level)
except DataError as exc:
    show_data_error(exc)
    st.stop()

levels = [lv for lv in dict.fromkeys(res["subgroup"]) if lv != ALL]
st.markdown(f"Settings: **{TEST_LABELS[s.test]}**, **{side}**, **{CORRECTIONS[s.correction]}**, "
            f"threshold **{s.alpha:g}**, **{level}** intervals. Levels of **{md(sub_lower)}**: "
            + ", ".join(f"**{md(lv)}**" for lv in levels) + ".")
if corrected:
    st.caption("Adjusted p-values treat the outcomes within each subgroup level as one family.")


def _pct(v):
    if not np.isfinite(v):
        return "n/a"
    return f"{v:+.0f}%"


def _num(v):
    if not np.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.2f}"


# ---------------------------------------------------------------- forest plot by subgroup
st.header("Effect in each subgroup")
roles = list(dict.fromkeys(trial.outcome(o).role or "all outcomes" for o in res["outcome"]))
# tab labels render Markdown; a role other than these comes from a trial.toml
tabs = st.tabs([f"As {r}" if r in ("suspect", "victim") else md(r.capitalize()) for r in roles])
for tab, role in zip(tabs, roles):
    part = res[[(trial.outcome(o).role or "all outcomes") == role for o in res["outcome"]]]
    lab = part["label"].str.replace(f" as {role}", "", regex=False) if role in (
        "suspect", "victim") else part["label"]
    part = part.assign(short=lab)
    n_sig = part[part["subgroup"] != ALL].groupby("subgroup")["significant"].sum()
    title = ("Subgroup estimates are less precise than the overall one: wider intervals"
             if not n_sig.any() else
             "; ".join(f"{lv}: {int(k)} of {part['outcome'].nunique()} significant"
                       for lv, k in n_sig.items()) + f" at {s.alpha:g}")
    fig = forest_plot(part, group_col="subgroup", label_col="short",
                      title=title,
                      subtitle=f"{synth}{'Pre-specified' if ctx.prespecified else 'Exploratory'}"
                               f" · {role + ' outcomes' if role in ('suspect', 'victim') else role}"
                               f" · {side}. Filled = significant, open = not significant",
                      height=140 + 75 * part["outcome"].nunique())
    with tab:
        st.plotly_chart(fig, width="stretch", theme=None, key=f"subgroups_forest_{role}")
st.caption(f"Percentage change from control with its {level} interval, for everyone (All) and "
           f"each level of {md(sub_lower)}. Smaller groups give wider intervals. The scale is "
           "logarithmic (−50% and +100% are equally far from 0%); an arrow marks an interval "
           "that runs past the edge of the chart (beyond −90% or +900%, or with no limit)."
           + (" One-sided intervals are open at one end: “≤ −15%” means a change of −15% or "
              "lower." if s.alternative != "two-sided" else ""))

# ---------------------------------------------------------------- table
st.header("Table of subgroup effects")
rows = res[res["subgroup"] != ALL].sort_values("outcome", kind="stable",
                                              key=lambda c: c.map(list(dict.fromkeys(res["outcome"])).index))
table = pd.DataFrame({
    "Outcome": rows["label"],
    sub_name: rows["subgroup"].map(plain_text),
    "n (treatment / control)": [f"{a} / {b}" for a, b in zip(rows["n_treatment"], rows["n_control"])],
    "Treatment mean": [_num(v) for v in rows["mean_treatment"]],
    "Control mean": [_num(v) for v in rows["mean_control"]],
    f"% change ({level} CI)": [f"{_pct(r['percent_change'])} "
                               f"({pct_interval(r['percent_change_ci_low'], r['percent_change_ci_high'], s.alternative)})"
                               for _, r in rows.iterrows()],
    f"p ({side})": [fmt_p(p) for p in rows["p_value"]],
    (f"{CORRECTIONS[s.correction].split(' (')[0]}-adjusted p" if corrected else "Adjusted p (none chosen)"):
        [fmt_p(p) if corrected else "—" for p in rows["p_adjusted"]],
    f"Significant at {s.alpha:g}?": ["n/a" if not np.isfinite(p) else ("✔ Yes" if g else "— No")
                                     for p, g in zip(rows["p_adjusted"], rows["significant"])],
})
if not corrected:
    table = table.drop(columns=[c for c in table.columns if c.startswith("Adjusted p")])
st.table(md_cells(table, ["Outcome", sub_name]).rename(columns={sub_name: md(sub_name)})
         .set_index(["Outcome", md(sub_name)]))
st.caption(interval_key(rows["percent_change_ci_low"], rows["percent_change_ci_high"],
                        s.alternative))
st.caption(f"{synth}A p-value is the probability of a difference at least this large if the "
           "programme had no effect. A subgroup being significant and another not does not show "
           "that the effect differs between them: that needs the test below.")

# ---------------------------------------------------------------- interaction test
st.header("Does the effect differ between subgroups?")
n_levels = int(inter["k"].max()) if len(inter) else 0
st.markdown(
    "For each outcome, this asks **whether the effect of the programme differs between "
    f"subgroups**: is the gap between treatment and control bigger in one {md(sub_lower)} "
    "than in another? The test is two-sided whatever the sidebar's sidedness, and judged at "
    f"{s.alpha:g} without correction.")
n_diff = int((inter["p_value"] < s.alpha).sum())
if n_diff:
    st.markdown(f"**{n_diff} of {len(inter)} outcomes** show evidence at {s.alpha:g} that the "
                "effect differs between subgroups.")
else:
    st.markdown(f"**No outcome** shows evidence at {s.alpha:g} that the effect differs between "
                "subgroups. That does not show that the effects are the same: these tests have "
                "little power with groups this small.")
itable = pd.DataFrame({
    "Outcome": inter["label"],
    "Compared": inter["contrast"].where(inter["contrast"] != "", inter["levels"]).map(plain_text),
    f"Difference in effect ({level} CI)": [
        (f"{_num(r['difference_of_differences'])} ({_num(r['ci_low'])} to {_num(r['ci_high'])})"
         if np.isfinite(r["difference_of_differences"]) else "—") for _, r in inter.iterrows()],
    "Test statistic": [(f"z = {r['z']:.2f}" if np.isfinite(r["z"]) else
                        (f"Q = {r['q']:.2f} on {r['df']} df" if np.isfinite(r["q"]) else "n/a"))
                       for _, r in inter.iterrows()],
    "p (two-sided)": [fmt_p(p) for p in inter["p_value"]],
    f"Differs at {s.alpha:g}?": ["n/a" if not np.isfinite(p) else ("✔ Yes" if p < s.alpha else "— No")
                                 for p in inter["p_value"]],
})
st.table(md_cells(itable, ["Outcome", "Compared"]).set_index("Outcome"))  # levels: data text
with st.expander("Technical details of the test"):
    st.markdown(
        ("An interaction test: the z-test of the difference between the two subgroups' "
         "differences in means" if n_levels == 2 else
         "An interaction test: Cochran's Q test on the subgroups' differences in means")
        + ", with Welch standard errors and a normal approximation. "
        + (inter["method"].iloc[0] + "." if len(inter) else ""))
with st.expander("In words, outcome by outcome"):
    for _, r in inter.iterrows():
        unit = trial.outcome(r["outcome"]).unit
        st.markdown("- " + interaction_sentence(md_columns(r.to_frame().T).iloc[0], s.alpha,
                                                md(unit)))
st.caption(f"{synth}Difference in effect = (treatment minus control in the first subgroup) minus "
           "(treatment minus control in the second), in the outcome's units per person.")
