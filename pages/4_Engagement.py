import numpy as np
import pandas as pd
import streamlit as st

from dashboard.state import remember, show_data_error, sidebar

st.set_page_config(page_title="Engagement · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard.figures_programme import (consort_figure, engagement_figure,  # noqa: E402
                                         itt_cace_figure, reasons_figure)
from fd_stats import DataError, complier_average_effect  # noqa: E402
from fd_stats.programme.consort import (NOT_RECORDED, arm_masks, consort_flow,  # noqa: E402
                              engagement_by_group, non_engagement_reasons, parse_flags)
from fd_stats.report.wording import SYNTHETIC_LABEL  # noqa: E402
from fd_stats.report.safe_text import md  # noqa: E402

trial, mapping, settings = ctx.trial, ctx.mapping, ctx.settings
level = f"{settings.confidence_level:.0%}"
sided = "two-sided" if settings.alternative == "two-sided" else "one-sided"
synthetic_note = "Synthetic data" if trial.synthetic else ""

st.title("Engagement: who took part")
st.markdown("Everyone in the treatment arm was **offered** "
            + ("a case worker" if trial.crime_programme else "the programme") + "; not everyone "
            "**engaged**. This page shows how many engaged, why the others did not, how people "
            "flowed through the trial, and what the effect might be among those who engaged.")
if trial.synthetic:
    st.info(SYNTHETIC_LABEL, icon="⚠️")

eng_meta = trial.meta.get("engagement", {}) or {}
eng_col = mapping.engagement if mapping.engagement in trial.table.columns else None
reason_col = eng_meta.get("reason_column")
reason_col = reason_col if reason_col in trial.table.columns else None
if eng_col is None:
    st.info("This data set has no engagement column mapped, so engagement cannot be shown. "
            "Map the column that says whether each treated person engaged on the Data page.")
    st.stop()

# cohorts: the sidebar subgroup if one is chosen, else the trial's declared cohort column
# (engagement is reported by cohort whatever the sidebar says)
declared = next((c for c in ([trial.mapping.subgroup] + trial.subgroup_columns)
                 if c and c in trial.table.columns), None)
group = ctx.subgroup or declared
try:
    rates = engagement_by_group(trial.table, mapping, group,
                                confidence_level=settings.confidence_level)
    reasons = non_engagement_reasons(trial.table, mapping, reason_col, group)
    flow = consort_flow(trial.table, mapping, trial.meta, reason_column=reason_col,
                        labels={o.column: o.label for o in trial.outcomes})
except DataError as exc:
    show_data_error(exc)
    st.stop()

# ---------------------------------------------------------------- rates
st.header("How many engaged")
levels = rates[rates["group"] != "All"]
lines = []
for _, r in rates.iterrows():
    who = "All treated people" if r["group"] == "All" else f"Cohort {md(r['group'])}"
    if r["known"] == 0:
        lines.append(f"- **{who}**: engagement not recorded")
        continue
    lines.append(f"- **{who}**: **{r['engaged']} of {r['known']}** engaged "
                 f"({r['rate']:.0%}; {level} Wilson interval {r['ci_low']:.0%} to "
                 f"{r['ci_high']:.0%})"
                 + (f"; engagement not recorded for {r['unknown']}" if r["unknown"] else ""))
if len(levels) >= 2:
    hi_row = levels.loc[levels["rate"].idxmax()]
    lo_row = levels.loc[levels["rate"].idxmin()]
    who = "aged " if group == "age_group" else f"{group} "
    title = (f"{hi_row['rate']:.0%} engaged {who}{hi_row['group']}, "
             f"{lo_row['rate']:.0%} {who}{lo_row['group']}")
else:
    allr = rates.iloc[-1]
    title = f"{allr['engaged']} of {allr['known']} treated people engaged ({allr['rate']:.0%})"
c1, c2 = st.columns([3, 2])
with c1:
    st.plotly_chart(engagement_figure(
        rates, title=title,
        subtitle=" · ".join(p for p in (synthetic_note, "treatment arm only",
                                        f"{level} Wilson score intervals") if p)),
        width="stretch", theme=None, key="engagement_rates_chart")
with c2:
    st.markdown("\n".join(lines))
    if group and not ctx.subgroup:
        st.caption(f"Split by the trial's cohorts ({md(group)}); the sidebar's subgroup setting "
                   "changes this split.")
    st.caption("The interval shows the range of engagement rates consistent with these counts "
               "(Wilson score interval, as R `prop.test(x, n, correct = FALSE)`). Small cohorts "
               "give wide intervals.")

# ---------------------------------------------------------------- reasons
st.header("Why people did not engage")
n_not = int(reasons["count"].sum())
n_nr = int(reasons.loc[reasons["reason"] == NOT_RECORDED, "count"].sum())
if n_not == 0:
    st.write("Everyone in the treatment arm with a recorded engagement flag engaged.")
else:
    st.plotly_chart(reasons_figure(
        reasons,
        title=(f"{n_not} did not engage; no reason recorded for {n_nr}" if n_nr
               else f"{n_not} treated people did not engage"),
        subtitle=" · ".join(p for p in (synthetic_note, "hatched bars = reason not "
                                        "recorded") if p)),
        width="stretch", theme=None, key="engagement_reasons_chart")
    notes = []
    if n_nr:
        notes.append(f"**'{NOT_RECORDED}'** means the data give no reason for {n_nr} people; "
                     "it is not a reason in itself.")
    if trial.synthetic:
        notes.append("The report explains only some of the 18-25 non-engagers and gives no "
                     "reasons for the 11-17 cohort.")
    st.markdown(" ".join(notes))
    with st.expander("Reasons as a table"):
        table = reasons.rename(columns={"group": "Cohort" if group else "Group",
                                        "reason": "Reason", "count": "People"})
        st.dataframe(table, hide_index=True, width="stretch")

# ---------------------------------------------------------------- flow
st.header("Participant flow (CONSORT-style)")
st.plotly_chart(consort_figure(
    flow, title=(f"{flow.randomised} people randomised; all analysed as randomised, whether or "
                 "not they engaged"
                 if flow.treatment.analysed_range()[0] == flow.treatment.allocated
                 and flow.control.analysed_range()[0] == flow.control.allocated
                 else f"{flow.randomised} people randomised"),
    subtitle=" · ".join(p for p in (synthetic_note, "counts drawn from the data") if p)),
    width="stretch", theme=None, key="engagement_flow_chart")
c1, c2 = st.columns(2)
with c1:
    st.markdown(
        f"- **Eligible**: {'not reported' if flow.eligible is None else flow.eligible}"
        + ((" — the report does not say how many people met the eligibility criteria."
            if trial.synthetic else " — the data hold randomised people only.")
           if flow.eligible is None else "") + "\n"
        f"- **Randomised**: {flow.randomised}\n"
        f"- **Allocated**: {flow.treatment.allocated} to the programme, "
        f"{flow.control.allocated} to business as usual\n"
        + (f"- **Engaged**: {flow.treatment.engaged} of {flow.treatment.allocated} offered\n"
           if flow.treatment.engaged is not None else "")
        + "- **Analysed**: everyone as randomised (intention to treat), including those who "
          "did not engage.")
with c2:
    for note in flow.notes:
        st.warning(md(note))  # a note may quote the arm column's name
    with st.expander("Flow as a table (people analysed per outcome)"):
        st.dataframe(flow.to_frame(), hide_index=True, width="stretch")
    if trial.synthetic:
        st.caption("Counts drawn from the synthetic data set, which reproduces the report's "
                   "published numbers.")

# ---------------------------------------------------------------- ITT vs CACE
st.header("Effect of the offer vs effect among those who engaged")
outcomes = list(mapping.outcomes)
default = "suspect_knife" if "suspect_knife" in outcomes else outcomes[0]
outcome = st.selectbox("Outcome", outcomes, format_func=ctx.label,
                       key=remember("engagement_outcome", default, outcomes))
info = trial.outcome(outcome)
unit = info.unit or "per person"
try:
    is_t, is_c = arm_masks(trial.table, mapping)
    y_t = pd.to_numeric(trial.table.loc[is_t, outcome], errors="coerce").to_numpy(dtype=float)
    y_c = pd.to_numeric(trial.table.loc[is_c, outcome], errors="coerce").to_numpy(dtype=float)
    flags = parse_flags(trial.table.loc[is_t, eng_col], eng_col)
    eff = complier_average_effect(y_t, y_c, flags, alternative=settings.alternative,
                                  confidence_level=settings.confidence_level)
except DataError as exc:
    show_data_error(exc)
    st.stop()

if eff.note:
    st.warning(eff.note)
else:
    def spans_zero(lo, hi):
        return lo <= 0 <= hi

    both = spans_zero(eff.itt_ci_low, eff.itt_ci_high) and spans_zero(eff.cace_ci_low,
                                                                        eff.cace_ci_high)
    title = (f"Offered: {eff.itt:+.2f} per person; engaged: {eff.cace:+.2f} per person"
             + (" (both intervals include 0)" if both else ""))
    st.plotly_chart(itt_cace_figure(
        eff, unit=unit, title=title,
        subtitle=" · ".join(p for p in (ctx.label(outcome), synthetic_note, f"{level} intervals "
                                        f"({sided})") if p)),
        width="stretch", theme=None, key="engagement_cace_chart")
    c1, c2 = st.columns(2)
    with c1:
        def iv(lo, hi):
            f = (lambda v: "no limit" if np.isinf(v) else f"{v:+.2f}")
            return f"{level} CI {f(lo)} to {f(hi)}"

        st.markdown(
            f"**Intention to treat (ITT): {eff.itt:+.2f} {md(unit)}** "
            f"({iv(eff.itt_ci_low, eff.itt_ci_high)}). "
            "This compares everyone *offered* the programme with everyone not offered it, "
            "whether or not they engaged. Randomisation makes this comparison fair; it is the "
            "trial's main result and what a partnership can expect from *offering* the "
            "programme.\n\n"
            f"**Complier average causal effect (CACE): {eff.cace:+.2f} {md(unit)}** "
            f"({iv(eff.cace_ci_low, eff.cace_ci_high)}). This estimates the effect among the "
            f"kind of people who engage when offered ({eff.engagement_share:.0%} of the "
            "treatment arm here). It is the ITT divided by the share who engaged, so it is "
            "larger and less certain.")
    with c2:
        st.markdown(
            "**The CACE is only valid if:**\n"
            "1. *Exclusion restriction*: being offered the programme makes no difference to "
            "people who do not engage.\n"
            "2. *No engagement in the control arm*: nobody offered business as usual received "
            "the programme.\n"
            "3. *Monotonicity*: nobody engages *because* they were not offered it (no "
            "'defiers').\n\n"
            "Randomisation is what lets the engagers in the treatment arm be compared with "
            "their unseen counterparts in the control arm.")
        if both:
            st.caption("Both intervals include no difference: the data are consistent with no "
                       "effect, and also with effects larger than the estimates.")
    note = eng_meta.get("note")
    if trial.synthetic:
        st.warning("**Illustration only.** The report gives no outcomes by engagement, so in "
                   "this synthetic data set engagement was assigned at random within each "
                   "cohort, independent of outcomes. The CACE here shows how the method works, "
                   "not what the programme did for those who engaged.", icon="⚠️")
        if note:
            st.caption(f"Note on the data: {md(note)}")  # trial.toml text
    st.caption(f"How the intervals are worked out: {eff.method}."
               + (f" {eff.note}" if eff.note else ""))
