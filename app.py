"""Overview: what the trial found, in one screen."""
import streamlit as st

from dashboard.state import sidebar, show_data_error

st.set_page_config(page_title="Overview · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

import numpy as np  # noqa: E402

from dashboard.figures import forest_plot, num_interval  # noqa: E402
from dashboard.how_sure import overview_panel  # noqa: E402
from fd_stats import DataError  # noqa: E402
from dashboard.methods_view import BENEFIT_MEANING, benefit_text, estimate_text  # noqa: E402
from fd_stats.analysis import ALL, SIDEDNESS, TEST_LABELS  # noqa: E402
from fd_stats.methods.multiplicity import CORRECTIONS  # noqa: E402
from fd_stats.report.safe_text import md, md_columns, md_spec  # noqa: E402
from fd_stats.report.wording import (P_VALUE_MEANING, SYNTHETIC_LABEL, count_of,  # noqa: E402
                              headline_figure, is_binary, means_text, p_text, pp_estimate,
                              summary_for)

trial = ctx.trial
s = ctx.settings
trial_name = trial.meta.get("trial", {}).get("name") or trial.name
st.title(f"{md(trial_name)}: what the trial found")
design = trial.meta.get("trial", {}).get("design")
if design:
    # trial.toml text: a user's own file may hold Markdown, links or maths
    st.caption(md(design) + ". " + md(trial.meta.get("trial", {}).get("citation", {}).get("text", "")))
if trial.synthetic:
    st.info(SYNTHETIC_LABEL, icon="⚠️")

corrected = s.correction != "none"
level = f"{s.confidence_level:.0%}"
settings_text = (f"**Current settings:** {TEST_LABELS[s.test]}, {SIDEDNESS[s.alternative]}, "
                 f"{CORRECTIONS[s.correction]}, significance threshold {s.alpha:g}, "
                 f"{level} confidence intervals. Change them in the sidebar.")
st.markdown(settings_text)

try:
    res = ctx.results
except DataError as exc:
    show_data_error(exc)
    st.stop()



def _ci(lo, hi, lvl, digits=2):
    return f"{lvl:.0%} CI {num_interval(lo, hi, digits)}"


allr = res[res["subgroup"] == ALL].set_index("outcome", drop=False)
heads = [c for c in trial.headline_outcomes if c in allr.index] or list(allr.index[:3])

st.subheader("Headline results")
cols = st.columns(len(heads) + 1)
with cols[-1]:  # "can we trust it?" beside "did it work?"
    overview_panel(ctx)
for col, outcome in zip(cols, heads):
    r = allr.loc[outcome]
    info = trial.outcome(outcome)
    p_shown = r["p_adjusted"] if corrected else r["p_value"]
    with col.container(border=True):
        st.markdown(f"#### {md(r['label'])}")
        big, words = headline_figure(r, info)  # '+45 pts' for yes/no outcomes, else '-40%'
        if big != "n/a":
            st.markdown(f"<div style='font-size:2.4rem;font-weight:700;line-height:1.1'>"
                        f"{big}</div>", unsafe_allow_html=True)
        st.markdown(words)
        st.markdown(p_text(p_shown, r["alternative"], corrected, r["correction"]),
                    help=P_VALUE_MEANING)
        if not np.isfinite(r["p_adjusted"]):
            st.markdown(":gray-badge[Not estimable]")
        elif r["significant"]:
            st.markdown(f":green-badge[:material/check_circle: Significant at {s.alpha:g}]")
        else:
            st.markdown(f":gray-badge[:material/remove: Not significant at {s.alpha:g}]")
        if corrected:
            st.caption(f"Unadjusted {p_text(r['p_value'], r['alternative'])}. "
                       f"Significance is judged on the {CORRECTIONS[r['correction']]}-adjusted "
                       f"p-value ({count_of(len(allr), 'outcome')} tested).")
        dg = 0 if max(abs(r["mean_treatment"]), abs(r["mean_control"])) >= 10 else 2
        st.markdown(means_text(r, md_spec(info)))
        if r["test"] == "mann-whitney":
            # the Hodges-Lehmann shift (often 0 for skewed counts) stays on the Outcomes page
            st.caption("The % change compares means; the Mann-Whitney test compares the whole "
                       "distributions.")
        elif np.isfinite(r["estimate"]):
            est_label = str(r["estimate_label"])
            if is_binary(info) and r["scale"] == "difference":
                # a mean of 0/1 values is a share: its difference is in percentage points
                est_label = est_label.replace("difference in means", "difference in shares")
                est_text = pp_estimate(r)
            else:
                est_text = (f"{r['estimate']:+,.{dg}f} "
                            f"({_ci(r['ci_low'], r['ci_high'], r['confidence_level'], dg)})"
                            if r["scale"] in ("difference", "shift")
                            else estimate_text(r))  # a ratio or a share keeps its own format
            st.caption(f"{est_label[:1].upper() + est_label[1:]}: {est_text}, "
                       f"{TEST_LABELS[r['test']]}.")
        bayes = benefit_text(r, info.direction)  # after the estimate it reads
        if bayes:
            st.caption(bayes, help=BENEFIT_MEANING)
        pc_excludes = (r["percent_change_ci_high"] < 0) or (r["percent_change_ci_low"] > 0)
        if np.isfinite(r["p_adjusted"]) and bool(r["significant"]) != bool(pc_excludes):
            # e.g. another test, a correction, or a threshold that is not 1 - confidence level
            st.caption("Why the percentage interval and the verdict seem to disagree: the "
                       f"percentage interval is the {level} interval matched to the unadjusted "
                       f"Welch t-test, while the verdict comes from the {TEST_LABELS[r['test']]} "
                       f"at threshold {s.alpha:g}"
                       + (f", on the {CORRECTIONS[r['correction']]}-adjusted p-value"
                          if corrected else "") + ".")

if corrected:
    st.caption("Adjusted p-values are capped at 1.")

st.subheader("In plain English")
st.markdown(summary_for(md_columns(res), ctx.specs()))
if s.alternative != "two-sided":
    st.caption("One-sided intervals are open at one end. In the chart, “≤ −15%” means the data "
               "are consistent with a change of −15% or lower (a reduction of at least 15%), "
               "with no limit on the other side; “≥” reads the same way upwards.")

st.subheader("All outcomes at a glance")
n_sig = int(allr["significant"].sum())
subtitle = (f"{'Synthetic data · ' if trial.synthetic else ''}{TEST_LABELS[s.test]}, "
            f"{SIDEDNESS[s.alternative]}, {CORRECTIONS[s.correction]}, alpha {s.alpha:g}. "
            "Filled = significant; open = not significant")
n_incl = int(((allr["percent_change_ci_low"] <= 0) & (allr["percent_change_ci_high"] >= 0)).sum())
title = (f"{n_sig} of {count_of(len(allr), 'outcome')} significant at {s.alpha:g}; "
         f"{count_of(n_incl, 'interval')} include{'s' if n_incl == 1 else ''} no change")
if n_sig == 0:
    title = f"No outcome significant at {s.alpha:g}; the intervals are wide"
fig = forest_plot(allr, title=title, subtitle=subtitle)
st.plotly_chart(fig, width="stretch", theme=None, key="overview_forest")
st.caption("Each row: percentage change in the mean per person, treatment vs control, with its "
           f"{level} confidence interval. Left of the dashed line = lower with the programme. "
           "The scale is logarithmic: −50% (halving) and +100% (doubling) are equally far from "
           "0%. An arrow marks an interval with no limit on that side. "
           "See the Outcomes page for the full table."
           + (f" The intervals are matched to the Welch t-test; with the {TEST_LABELS[s.test]} "
              "a verdict (sig/ns) can disagree with its interval." if s.test != "welch" else ""))

st.subheader("How to read this")
APPENDIX_B = ("""- **The report's Appendix B** mixes the two without saying so: its suspect count rows are
  one-sided, its harm and victim rows two-sided (see the Published results page). Its column
  “Likelihood of chance” is a misreading of the p-value: a p-value is not the chance that the
  finding is due to chance.
""" if trial.meta.get("trial", {}).get("id") == "focused_deterrence" else "")
st.markdown(
    f"""
- **p-value.** {P_VALUE_MEANING}
- **Confidence interval.** The range of effects compatible with the data at the chosen level
  ({level}). If it spans both reductions and increases, the data cannot tell them apart.
  *Not significant* is not *no effect*: read the interval to see which effects the data allow.
- **One- or two-sided.** A two-sided test asks whether the programme changed the outcome in
  either direction; a one-sided test looks in one chosen direction only and gives half the
  p-value.
  It must be chosen before seeing the data. Every p-value here says which one it is.
- **Probability of benefit (Bayesian).** The chance, given the data and a stated prior, that
  the programme moved the outcome in the better direction (and by at least
  {s.benefit_min_change:.0%}). It uses a normal approximation to the estimate and its standard
  error with a flat prior (the data alone), so it is about one minus the one-sided p-value;
  the Outcomes page also offers a sceptical prior. It is not a p-value, and it is given only
  for outcomes whose better direction is set.
{APPENDIX_B}- **Significance** is judged at the threshold alpha = {s.alpha:g}
  {'on p-values adjusted for testing ' + count_of(len(allr), 'outcome') + ' (' + CORRECTIONS[s.correction] + ')' if corrected else 'with no adjustment for testing ' + count_of(len(allr), 'outcome')}.
  The Thresholds page shows which findings change with other choices.
"""
)
