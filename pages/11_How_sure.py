"""How sure can we be? Integrity checks and the evidence rating, plain English first."""
import streamlit as st

from dashboard.state import remember, show_data_error, sidebar

st.set_page_config(page_title="How sure · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()


from dashboard.how_sure import DEFAULT_SESOI, padlocks_html, report_for  # noqa: E402
from fd_stats import DataError  # noqa: E402
from fd_stats.integrity import (CUTOFF_SOURCES, EEF_SOURCE, Cutoffs,  # noqa: E402
                                facts_from_trial, replication_sizes)
from fd_stats.report.safe_text import md, md_cells  # noqa: E402
from fd_stats.report.wording import SYNTHETIC_LABEL  # noqa: E402

trial = ctx.trial
st.title("How sure can we be?")
st.markdown("Can the board trust the results? This page checks how the trial was run and how "
            "big it was, and gives a rating modelled on the padlocks that the Education "
            "Endowment Foundation (EEF) puts on every trial it funds: 0 to 5, from very low to "
            "very high security.")
if trial.synthetic:
    st.info(SYNTHETIC_LABEL, icon="⚠️")
if not ctx.mapping.outcomes:
    st.info("Choose at least one outcome in the sidebar.")
    st.stop()

spec = facts_from_trial(trial)
ss = st.session_state
remember("hs_sesoi", DEFAULT_SESOI)  # read before the widget is drawn
remember("hs_ratio_choice")
RATIOS = {"1:1": 1.0, "1:2": 0.5, "2:1": 2.0, "1:1.5": 1 / 1.5}
ss["hs_ratio"] = RATIOS.get(ss.get("hs_ratio_choice"))  # read before the report is built
try:
    rep = report_for(ctx)
except DataError as exc:
    show_data_error(exc)
    st.stop()
r, cut = rep.rating, rep.cutoffs
facts = rep.facts


def label(col):
    """An outcome's label for Markdown (it is the data's text: escaped)."""
    return md(ctx.label(col))


# ---------------------------------------------------------------- the answer
with st.container(border=True):
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.markdown(padlocks_html(r.padlocks, 40), unsafe_allow_html=True)
        st.markdown(f"### {r.padlocks} of 5 padlocks: {r.label}")
        st.caption(f"Started at {r.initial} (the lowest of design, size and attrition); "
                   f"{r.drop} lost to threats to validity.")
    with right:
        # the report quotes the data (labels, category values): escaped for Markdown
        st.markdown(f"**In one sentence.** {md(r.sentence)}")
        st.markdown("**Why, in more detail**")
        st.markdown("\n".join(f"- {md(x)}" for x in r.reasons[:3]))

st.subheader("What would raise the rating")
st.markdown("\n".join(f"- {md(x)}" for x in r.raise_it) or "- Nothing in these rules: the rating is "
            "already the highest.")

# ---------------------------------------------------------------- plain English
st.header("Each check in plain English")
al = rep.allocation.iloc[0]
st.markdown("**Who got the programme.** "
            f"{rep.n_treatment} people were allocated to the programme and {rep.n_control} to "
            "the comparison group. "
            + (f"The plan was {facts.allocation_ratio:g} treated per control; a split at least "
               f"this far from it would happen with probability {al['p_value']:.2g} if "
               "allocation followed the plan (exact binomial test, two-sided)."
               if facts.allocation_ratio is not None else
               "The trial specification does not record the planned split, so it cannot be "
               f"checked. If the plan was 1:1, a split this uneven would happen with probability "
               f"{al['p_value']:.2g}"
               + (": either the plan was not 1:1 or allocation did not follow it."
                  if al["p_value"] < 0.05 else ", which is unremarkable.")))
if facts.allocation_note:
    st.caption(md(facts.allocation_note))  # trial.toml text
bal = rep.balance
if len(bal):
    worst = bal.loc[bal["smd"].abs().idxmax()]
    n_cols = bal["column"].nunique()
    st.markdown(f"**Were the groups alike before the programme?** {n_cols} baseline "
                f"column{'s' if n_cols != 1 else ''} compared. "
                + md(next(t.brief for t in r.threats if t.name == "Baseline balance")) + ". "
                "A standardised mean difference (SMD) below "
                f"{cut.smd_moderate:g} is usually read as balanced; above {cut.smd_large:g} "
                "adjustment may not remove the difference. With groups this small, chance alone "
                "produces differences like these, which is why randomised trials adjust for "
                "strong predictors such as prior offending.")
else:
    st.markdown("**Were the groups alike before the programme?** No baseline measures are "
                "recorded, so this cannot be shown. Prior offending, the strongest predictor of "
                "reoffending, would be the one to record.")
att = rep.attrition
worst_att = att.loc[att["overall"].idxmax()]
st.markdown("**Missing outcomes.** "
            + ("No outcome is missing for anyone allocated, so missing data cannot bias these "
               "results." if worst_att["overall"] == 0 else
               f"Up to {worst_att['overall']:.0%} of people have no value "
               f"({label(worst_att['outcome'])}). If the people lost were the most extreme "
               "allowed by the data (Lee bounds), the difference in means "
               + "; ".join(f"for {label(b.outcome).lower()} could lie anywhere from "
                           f"{b.lower:.3g} to {b.upper:.3g} (estimate {b.estimate:.3g})"
                           for b in rep.lee.itertuples() if b.trim_share > 0)
               + ".")
            + ((" 1 row was left out" if rep.excluded == 1 else f" {rep.excluded} rows were left out")
               + " because its arm value was not recognised." * (rep.excluded == 1)
               + " because their arm values were not recognised." * (rep.excluded != 1)
               if rep.excluded else " Nobody was left out for an unrecognised arm."))
heads = [o for o in trial.headline_outcomes if o in set(rep.mdes["outcome"])] or \
    list(rep.mdes["outcome"][:3])
m0 = rep.mdes.set_index("outcome").loc[heads[0]]
unit = md(trial.outcome(heads[0]).unit or "units")  # the data's text, in a sentence
size_word = ("large" if rep.mdes_randomised >= 0.5 else "moderate" if rep.mdes_randomised >= 0.3
             else "small")
st.markdown(f"**Was the trial big enough?** With these numbers the trial had an "
            f"{cut.power:.0%} chance of detecting (two-sided, alpha {cut.alpha:g}) a true effect "
            f"of {rep.mdes_randomised:.2f} standard deviations, a {size_word} effect: for "
            f"{label(heads[0]).lower()} that is a difference of {m0['mdes']:.3g} {unit} "
            f"per person, {m0['mdes_percent']:.0f}% of the comparison group's mean. Smaller real "
            "effects could easily be missed.")
st.markdown(f"**How many outcomes were tested.** {rep.n_outcomes}. If the programme did "
            f"nothing and none were corrected, the chance of at least one 'significant' result "
            f"at alpha {cut.alpha:g} would be about {rep.chance_any_false_positive:.0%} "
            "(treating them as independent).")

st.subheader("What the data rule out")
sesoi = st.number_input("Smallest effect that would matter (% of the comparison group's mean)",
                        min_value=1.0, max_value=100.0, step=5.0, key="hs_sesoi",
                        help="Set by you, before looking: the smallest change the board would "
                             "care about. For context, reviews of focused deterrence report "
                             "about 33% (YEF) and 16% for randomised trials (Braga et al. update).")
eq = rep.equivalence.set_index("outcome")
for o in heads:
    e = eq.loc[o]
    open_ends = [w for w, p in (("a reduction", e["p_lower"]), ("an increase", e["p_upper"]))
                 if not p < cut.alpha]
    verdict = (f"the change is shown to be within ±{sesoi:g}%" if e["equivalent"] else
               f"{' or '.join(open_ends)} of {sesoi:g}% or more is not ruled out")
    st.markdown(f"- **{label(o)}:** {md(e['sentence'])} Against ±{sesoi:g}%: {verdict} "
                f"(TOST p = {e['p_value']:.3f}).")
st.caption("Two one-sided tests (TOST, Welch t-tests): each limit is ruled out at one-sided "
           f"level {cut.alpha:g}, the ends of the {1 - 2 * cut.alpha:.0%} confidence interval. "
           "Percentages are of the comparison group's mean.")

# ---------------------------------------------------------------- the rules
st.header("The rating, rule by rule")
st.markdown(f"Modelled on {EEF_SOURCE}. EEF ratings are awarded by two peer reviewers who read "
            "the whole report; this is a transparent approximation from the data and the trial "
            "specification. Cut-offs marked **not confirmed** could not be checked against the "
            "published table.")
frame = r.to_frame()
st.table(md_cells(frame, ["check", "value", "result"])[["part", "check", "value", "result"]].rename(columns={
    "part": "Part", "check": "Check", "value": "This trial", "result": "Result"}))
with st.expander("The rule and the source of every row"):
    st.markdown("\n".join(
        f"- **{row.check}.** Rule: {row.rule}. Source: {row.source}"
        + ("" if row.confirmed else " **(not confirmed)**") for row in frame.itertuples()))
st.markdown(f"**Starting rating** = lowest of the three rows = **{r.initial}**. {r.drop_rule} "
            f"Counted here: {sum(t.counts_as(cut) == 'high' for t in r.threats)} high, "
            f"{sum(t.counts_as(cut) == 'moderate' for t in r.threats)} moderate "
            f"(unclear counts as moderate) → **{r.drop}** lost → **{r.padlocks} of 5**.")

# ---------------------------------------------------------------- the numbers
st.header("The numbers")
tabs = st.tabs(["Allocation", "Baseline balance", "Missing outcomes", "Size (MDES)",
                "Equivalence", "Replication sizes"])
with tabs[0]:
    st.dataframe(rep.allocation.drop(columns="ratio_recorded"), hide_index=True, width="stretch")
    st.caption("p_value: exact binomial test of the number treated against the planned share, "
               "two-sided (R binom.test)." + ("" if facts.allocation_ratio is not None else
                                             " No plan recorded: compared with 1:1 for "
                                             "information only."))
with tabs[1]:
    if len(bal):
        st.dataframe(bal, hide_index=True, width="stretch")
    st.caption("SMD = (treatment mean - comparison mean) / pooled standard deviation; a share "
               "is the mean of a 0/1 indicator. No significance tests: in a randomised trial "
               "any baseline difference is chance (CONSORT 2010). " + CUTOFF_SOURCES["smd"][0])
with tabs[2]:
    st.dataframe(rep.attrition.assign(outcome=rep.attrition["outcome"].map(ctx.label)),
                 hide_index=True, width="stretch")
    st.dataframe(rep.lee.assign(outcome=rep.lee["outcome"].map(ctx.label)), hide_index=True,
                 width="stretch")
    st.caption("Lee (2009) bounds on the difference in means: the arm with more outcomes "
               "observed is trimmed by the difference in shares, from the top (lower bound) or "
               "bottom (upper bound). With no differential missingness they equal the estimate.")
with tabs[3]:
    st.dataframe(rep.mdes.assign(outcome=rep.mdes["outcome"].map(ctx.label)), hide_index=True,
                 width="stretch")
    st.caption(f"Power {cut.power:.0%}, two-sided alpha {cut.alpha:g}, t-test with this trial's "
               "pooled standard deviation (R power.t.test logic for unequal arms).")
with tabs[4]:
    st.dataframe(rep.equivalence.assign(outcome=rep.equivalence["outcome"].map(ctx.label)),
                 hide_index=True, width="stretch")
with tabs[5]:
    st.dataframe(replication_sizes(cut), hide_index=True)
    st.caption("People per arm (1:1) for the MDES to reach each padlock cut-off "
               "(R `power.t.test(delta, sd = 1, power)$n`, rounded up).")

# ---------------------------------------------------------------- assumptions
with st.expander("Change the assumptions and cut-offs"):
    if spec.allocation_ratio is None:
        choice = st.selectbox("Planned allocation ratio (treatment : control)",
                              ["not recorded", "1:1", "1:2", "2:1", "1:1.5"],
                              key="hs_ratio_choice",
                              help="Not in the trial specification. Choose it only if you know it.")
        _ = choice  # read at the top of the page, before the report is built
    else:
        st.markdown(f"Planned allocation ratio (from the specification): "
                    f"{spec.allocation_ratio:g} treated per control.")
    st.selectbox("Primary outcome (for attrition)", ["(the outcome with most missing)",
                                                     *ctx.mapping.outcomes],
                 format_func=lambda c: c if c.startswith("(") else ctx.label(c), key=remember("hs_primary", options=["(the outcome with most missing)", *ctx.mapping.outcomes]))
    c1, c2 = st.columns(2)
    mdes = c1.text_input("MDES cut-offs for 5, 4, 3, 2, 1 padlocks (SD)",
                         ", ".join(f"{v:g}" for v in cut.mdes), key="hs_mdes")
    attr = c2.text_input("Attrition cut-offs for 5, 4, 3, 2, 1 padlocks (%)",
                         ", ".join(f"{100 * v:g}" for v in cut.attrition), key="hs_attr")
    smd_lo = c1.number_input("SMD: moderate from", 0.01, 1.0, cut.smd_moderate, 0.01, key="hs_smd_lo")
    smd_hi = c2.number_input("SMD: large above", 0.02, 2.0, cut.smd_large, 0.01, key="hs_smd_hi")
    power = c1.select_slider("Power for the MDES", [0.7, 0.8, 0.85, 0.9], cut.power, key="hs_power")
    if st.button("Apply"):
        try:
            new = Cutoffs(mdes=tuple(float(v) for v in mdes.split(",")),
                          attrition=tuple(float(v) / 100 for v in attr.split(",")),
                          smd_moderate=smd_lo, smd_large=smd_hi, power=power).check()
        except (ValueError, DataError) as exc:
            st.error(f"Cut-offs not applied: {md(exc)}")
        else:
            ss["hs_cutoffs"] = new
            st.rerun()
    if st.button("Back to the sourced defaults"):
        ss["hs_cutoffs"] = Cutoffs()
        st.rerun()
    st.caption("Sources of the defaults: " + " | ".join(
        f"{k}: {v[0]}" + ("" if v[1] else " (not confirmed)") for k, v in CUTOFF_SOURCES.items()))
for note in rep.notes:
    st.caption(md(note))  # notes name columns (the data's or trial.toml's text)
