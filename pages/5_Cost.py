"""Cost: per case, per unit of each outcome improved (in its own unit), value and scale-up."""
import streamlit as st

from dashboard.state import remember, show_data_error, sidebar

st.set_page_config(page_title="Cost · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard import cost_sections as cs  # noqa: E402
from dashboard.figures_programme import money  # noqa: E402
from fd_stats import DataError, cost_per_person  # noqa: E402
from fd_stats.programme.consort import engagement_by_group  # noqa: E402
from fd_stats.report.wording import SYNTHETIC_LABEL, in_sentence  # noqa: E402
from fd_stats.report.safe_text import md  # noqa: E402

trial, mapping, settings = ctx.trial, ctx.mapping, ctx.settings
st.title("Cost: what it costs per case and per result")
cost_meta = trial.meta.get("cost", {}) or {}
# the report's cost tables exist only for the bundled trial; other data sets start empty
IS_REPORT = trial.meta.get("trial", {}).get("id") == "focused_deterrence" and bool(cost_meta)
STAFFED = trial.crime_programme or IS_REPORT  # case workers and caseloads: that programme's terms
st.markdown(("Programme costs are inputs: they start from the trial's figures (source beside "
             "each) and can be changed. " if IS_REPORT else
             "Programme costs are inputs: this data set carries no costs, so enter the "
             "programme's own figures below. ")
            + "Everything per *result* carries the uncertainty of the effect it divides by.")
if trial.synthetic:
    st.info(SYNTHETIC_LABEL + (" Costs come from the report, not from the data."
                               if IS_REPORT else ""), icon="⚠️")

MEANS_NOTE = ""
try:
    results = ctx.results
    if (results["estimate_label"] != "difference in means").any():
        # costs divide by a difference in means; a rank test's shift is not one
        results = ctx.results_with(test="welch")
        MEANS_NOTE = ("The sidebar test estimates a shift in ranks, not a difference in means, "
                      "so this page uses the Welch t interval for the difference in means.")
except DataError as exc:
    show_data_error(exc)
    st.stop()
allr = results[results["subgroup"] == "All"].set_index("outcome")
if allr.empty:
    st.info("Choose at least one outcome in the sidebar.")
    st.stop()
n_treated = int(allr["n_treatment"].max())
meta_value = cs.meta_reader(cost_meta)

# ---------------------------------------------------------------- inputs
cohort_col = trial.mapping.subgroup if trial.mapping.subgroup in trial.table.columns else None
cohorts = []
if cohort_col and STAFFED:
    is_t = trial.table[mapping.arm].astype(str) == str(mapping.treatment)
    cohorts = sorted(map(str, trial.table.loc[is_t, cohort_col].dropna().unique()))
    cohorts = cohorts if 2 <= len(cohorts) <= 4 else []

st.header("Programme cost inputs")
funding, f_src, f_note = meta_value("delivery_funding", 0)
workers, w_src, w_note = meta_value("case_workers", 1 if IS_REPORT else 0)
coords, c_src, _ = meta_value("coordinators", 1 if IS_REPORT else 0)
c1, c2, c3 = st.columns(3)
with c1:
    total = st.number_input("Total delivery funding (£)", min_value=0.0, step=5000.0,
                            format="%.0f", key=remember("cost_funding", float(funding), scope=trial.name))
    cs.source_caption(f_src, f_note)
    cases = st.number_input("Cases (people offered the programme)", min_value=0, step=1,
                            key=remember("cost_cases", n_treated, scope=trial.name))
    st.caption(f"Source: people allocated to the programme in the data ({n_treated})")
n_workers, n_coords, caseloads = 0, 0, {}
if STAFFED:
    with c2:
        n_workers = st.number_input("Case workers", min_value=0, step=1,
                                    key=remember("cost_workers", int(workers), scope=trial.name))
        cs.source_caption(w_src, w_note)
        n_coords = st.number_input("Coordinators", min_value=0, step=1,
                                   key=remember("cost_coordinators", int(coords), scope=trial.name))
        cs.source_caption(c_src)
    with c3:
        for i, lev in enumerate(cohorts or [None]):
            key = "caseload_" + str(lev).replace("-", "_") if lev else "caseload"
            load, l_src, _ = meta_value(key, 20)
            where = f", {'cohort' if IS_REPORT else md(cohort_col)} {md(lev)}" if lev else ""
            caseloads[lev] = st.number_input(f"Caseload{where} (people per case worker)",
                                             min_value=1, step=1,
                                             key=remember(f"cost_caseload_{i + 1}", int(load),
                                                          scope=trial.name))
            cs.source_caption(l_src)
COSTS_ENTERED = total > 0

# ---------------------------------------------------------------- per case
CASE, CASES = ("case", "cases") if STAFFED else ("person offered", "people offered")
st.header(f"Cost per {CASE}")
engaged = None
if mapping.engagement in trial.table.columns:
    try:
        engaged = int(engagement_by_group(trial.table, mapping)["engaged"].iloc[-1])
    except DataError:
        engaged = None
per_case = None
if not COSTS_ENTERED:
    st.info(cs.ENTER_COSTS)
else:
    try:
        per_case = cost_per_person(total, cases)
    except DataError as exc:
        st.error(f"Cost per case cannot be worked out: {md(exc)}")
m1, m2, m3 = st.columns(3)
if per_case is not None:
    m1.metric(f"Cost per {CASE}", money(per_case), help=f"{money(total)} ÷ {cases} {CASES}")
    m1.caption(f"{money(total)} ÷ {cases} {CASES} = **{money(per_case)} per {CASE}**")
if engaged and COSTS_ENTERED:
    per_eng = cost_per_person(total, engaged)
    m2.metric("Cost per person who engaged", money(per_eng))
    m2.caption(f"{money(total)} ÷ {engaged} who engaged = **{money(per_eng)}**")
low, _, _ = meta_value("cost_per_case_low", None)
high, _, h_note = meta_value("cost_per_case_high", None)
if low and high:
    m3.metric("Report's own estimate per case", f"{money(low)}–{money(high)}")
    m3.caption(md(h_note.capitalize()) if h_note else "")  # trial.toml text
if COSTS_ENTERED and STAFFED:
    loads = ", ".join(f"{v} ({k})" if k else f"{v}" for k, v in caseloads.items())
    st.caption(f"Staffing: {n_workers} case worker(s) and {n_coords} coordinator(s); "
               f"caseload{'s' if len(caseloads) > 1 else ''} {loads}. The cost per case counts "
               "everyone offered the programme, whether or not they engaged.")

# ---------------------------------------------------------------- per result
view = cs.CostView(trial, allr, settings, total, cases, IS_REPORT, ctx.label)
st.header("Cost per result, with its uncertainty")
st.markdown(f"Dividing the cost by how much each outcome improved among the {cases} people "
            f"offered the programme, in the outcome's own unit. The range comes from the "
            f"effect's {view.level} confidence interval ({view.sided}, sidebar setting). **When "
            "that interval includes no effect, the cost per result has no upper limit**: the "
            "data are consistent with no improvement at all."
            + (" A one-sided interval also has **no limit on how large the improvement was**, "
               "so the cost per result has no lower limit either."
               if view.sided == "one-sided" else ""))
if MEANS_NOTE:
    st.caption(MEANS_NOTE)
if not COSTS_ENTERED:
    st.info(cs.ENTER_COSTS)
else:
    picks = cs.headline_picks(view)
    for column, col in zip(st.columns(len(picks)), picks):
        with column:
            cs.result_headline(view, col)
    hi_meta = trial.meta.get("harm_index", {}) or {}
    if hi_meta and any(trial.outcome(c).crime and trial.outcome(c).kind == "score"
                       for c in allr.index):
        st.caption(f"Crime harm is measured with the "
                   f"{md(hi_meta.get('name', 'crime harm index'))}: each crime counts the "
                   f"{md(hi_meta.get('unit', 'days'))}.")
    with st.expander("Every outcome"):
        cs.every_outcome_table(view)

# ---------------------------------------------------------------- benefit-cost
if any(trial.outcome(c).crime and trial.outcome(c).kind == "count" for c in allr.index):
    cs.home_office_benefit(view, COSTS_ENTERED)
else:
    cs.unit_value_benefit(view, COSTS_ENTERED)

# ---------------------------------------------------------------- scale-up
if STAFFED:
    cs.staffed_scale_up(view, n_workers, n_coords, caseloads, per_case, low, high,
                        meta_value("recommended_max_caseload", None)[0])
else:
    cs.simple_scale_up(view)
