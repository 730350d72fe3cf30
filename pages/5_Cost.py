import pandas as pd
import streamlit as st

from dashboard.state import show_data_error, sidebar

st.set_page_config(page_title="Cost · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard.figures_programme import (benefit_figure, money, scale_cost_figure,  # noqa: E402
                                         scale_prevented_figure)
from fd_stats import DataError, cost_per_person, cost_per_unit_prevented  # noqa: E402
from fd_stats.benefit import benefit_cost, expected_prevented, scale_up_table  # noqa: E402
from fd_stats.consort import engagement_by_group  # noqa: E402
from fd_stats.wording import SYNTHETIC_LABEL  # noqa: E402

trial, mapping, settings = ctx.trial, ctx.mapping, ctx.settings
level = f"{settings.confidence_level:.0%}"
sided = "two-sided" if settings.alternative == "two-sided" else "one-sided"
synthetic_note = "Synthetic data" if trial.synthetic else ""

st.title("Cost: what it costs per case and per result")
st.markdown("Programme costs are inputs: they start from the trial's figures (source beside "
            "each) and can be changed. Everything per *result* carries the uncertainty of the "
            "effect it divides by.")
if trial.synthetic:
    st.caption("⚠️ " + SYNTHETIC_LABEL + " Costs come from the report, not from the data.")

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
cost_meta = trial.meta.get("cost", {}) or {}


def meta_value(key, fallback):
    item = cost_meta.get(key) or {}
    value = item.get("value", fallback) if isinstance(item, dict) else fallback
    return value, (item.get("source", "") if isinstance(item, dict) else ""), \
        (item.get("note", "") if isinstance(item, dict) else "")


def source_caption(source, note=""):
    text = f"Source: {source}" if source else "Source: none given; enter your own figure"
    st.caption(text + (f" — {note}" if note else ""))


# ---------------------------------------------------------------- inputs
st.header("Programme cost inputs")
funding, f_src, f_note = meta_value("delivery_funding", 0)
workers, w_src, w_note = meta_value("case_workers", 1)
coords, c_src, _ = meta_value("coordinators", 1)
load1, l1_src, _ = meta_value("caseload_11_17", 20)
load2, l2_src, _ = meta_value("caseload_18_25", 25)
c1, c2, c3 = st.columns(3)
with c1:
    total = st.number_input("Total delivery funding (£)", min_value=0.0, value=float(funding),
                            step=5000.0, format="%.0f", key="cost_funding")
    source_caption(f_src, f_note)
    cases = st.number_input("Cases (people offered the programme)", min_value=0,
                            value=n_treated, step=1, key="cost_cases")
    st.caption(f"Source: people allocated to the programme in the data ({n_treated})")
with c2:
    n_workers = st.number_input("Case workers", min_value=0, value=int(workers), step=1,
                                key="cost_workers")
    source_caption(w_src, w_note)
    n_coords = st.number_input("Coordinators", min_value=0, value=int(coords), step=1,
                               key="cost_coordinators")
    source_caption(c_src)
with c3:
    cl1 = st.number_input("Caseload, cohort 11-17 (people per case worker)", min_value=1,
                          value=int(load1), step=1, key="cost_caseload_1")
    source_caption(l1_src)
    cl2 = st.number_input("Caseload, cohort 18-25 (people per case worker)", min_value=1,
                          value=int(load2), step=1, key="cost_caseload_2")
    source_caption(l2_src)

# ---------------------------------------------------------------- per case
st.header("Cost per case")
engaged = None
if mapping.engagement in trial.table.columns:
    try:
        engaged = int(engagement_by_group(trial.table, mapping)["engaged"].iloc[-1])
    except DataError:
        engaged = None
try:
    per_case = cost_per_person(total, cases)
except DataError as exc:
    st.error(f"Cost per case cannot be worked out: {exc}")
    per_case = None
m1, m2, m3 = st.columns(3)
if per_case is not None:
    m1.metric("Cost per case", money(per_case),
              help=f"{money(total)} ÷ {cases} cases")
    m1.caption(f"{money(total)} ÷ {cases} cases = **{money(per_case)} per case**")
if engaged:
    per_eng = cost_per_person(total, engaged)
    m2.metric("Cost per person who engaged", money(per_eng))
    m2.caption(f"{money(total)} ÷ {engaged} who engaged = **{money(per_eng)}**")
low, _, _ = meta_value("cost_per_case_low", None)
high, _, h_note = meta_value("cost_per_case_high", None)
if low and high:
    m3.metric("Report's own estimate per case", f"{money(low)}–{money(high)}")
    m3.caption(h_note.capitalize() if h_note else "")
st.caption(f"Staffing: {n_workers} case worker(s) and {n_coords} coordinator(s); caseloads "
           f"{cl1} (11-17) and {cl2} (18-25). The cost per case counts everyone offered the "
           "programme, whether or not they engaged.")

# ---------------------------------------------------------------- per result
st.header("Cost per result, with its uncertainty")
st.markdown(f"Dividing the cost by what the programme prevented among the {cases} people "
            f"offered it. The range comes from the effect's {level} confidence interval "
            f"({sided}, sidebar setting). **When that interval includes no effect, the cost per "
            "result has no upper limit**: the data are consistent with nothing being prevented.")
if MEANS_NOTE:
    st.caption(MEANS_NOTE)


def result_row(col):
    r = allr.loc[col]
    c = cost_per_unit_prevented(total, r["difference"], r["ci_low"], r["ci_high"], cases)
    return r, c


rows = []
errors = []
for col in allr.index:
    try:
        r, c = result_row(col)
    except DataError as exc:
        errors.append(f"{ctx.label(col)}: {exc}")
        continue
    unit = trial.outcome(col).unit or "units"
    rows.append({
        "Outcome": ctx.label(col),
        "Effect per person (programme − control)":
            f"{r['difference']:+.2f} ({level} CI {r['ci_low']:+.2f} to {r['ci_high']:+.2f})",
        f"Prevented among {cases}": f"{c.prevented:,.1f} ({c.prevented_low:,.1f} to "
                                   f"{c.prevented_high:,.1f})",
        "Cost per unit prevented": money(c.cost_per_unit) if c.prevented > 0 else "no reduction",
        "Range": (f"{money(c.cost_low)} to {money(c.cost_high)}" if c.prevented > 0 else "—"),
        "Unit": unit.replace("crimes per person", "per crime").replace("crime harm (days)",
                                                                      "per harm day"),
        "Note": c.note or "interval excludes no effect",
    })
if errors:
    st.error("\n".join(errors))
outcomes = list(allr.index)


def pick(default, key, label, kinds):
    opts = [c for c in outcomes if trial.outcome(c).kind in kinds] or outcomes
    return st.selectbox(label, opts, index=opts.index(default) if default in opts else 0,
                        format_func=ctx.label, key=key)


c1, c2 = st.columns(2)
with c1:
    harm_col = pick("suspect_harm", "cost_harm_outcome", "Harm outcome", ("harm",))
with c2:
    off_col = pick("suspect_knife", "cost_offence_outcome", "Offence outcome", ("count",))


def headline(col, what, units, digits):
    try:
        r, c = result_row(col)
    except DataError as exc:
        st.error(f"{ctx.label(col)}: {exc}")
        return
    if not c.prevented > 0:
        st.warning(f"**{ctx.label(col)}**: the estimate shows no reduction, so there is no cost "
                   f"per {what} prevented.")
        return
    rng = f"{money(c.cost_low)} to {money(c.cost_high)}"
    if c.bounded:
        st.success(f"**{money(c.cost_per_unit)} per {what} prevented** "
                   f"({ctx.label(col).lower()}): about {c.prevented:,.{digits}f} {units} "
                   f"prevented among {cases} people; the {level} interval gives {rng} per {what}.")
    else:
        st.warning(f"**{money(c.cost_per_unit)} per {what} prevented** at the central estimate "
                   f"({ctx.label(col).lower()}: about {c.prevented:,.{digits}f} {units} prevented "
                   f"among {cases} people). The {level} interval runs from {c.prevented_high:,.{digits}f} "
                   f"prevented to {-c.prevented_low:,.{digits}f} *more*, so it includes no effect: the "
                   f"cost per {what} ranges from {money(c.cost_low)} with **no upper limit**.")


c1, c2 = st.columns(2)
with c1:
    headline(harm_col, "day of crime harm", "days of crime harm", 0)
with c2:
    headline(off_col, "offence", "offences", 1)
hi_meta = trial.meta.get("harm_index", {}) or {}
if hi_meta:
    st.caption(f"Crime harm is measured with the {hi_meta.get('name', 'crime harm index')}: "
               f"each crime counts the {hi_meta.get('unit', 'days')}.")
with st.expander("Every outcome"):
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Outcomes overlap (a knife crime is often also a violent crime), so these costs "
               "are alternatives, not parts of one total.")

# ---------------------------------------------------------------- benefit-cost
st.header("Benefit-cost view (valuing offences prevented)")
uc_meta = trial.meta.get("unit_costs_of_crime", {}) or {}
items = uc_meta.get("items") or [
    {"label": "Violence with injury", "value": 14050},
    {"label": "Robbery", "value": 11320}, {"label": "Rape", "value": 39360},
    {"label": "Other sexual offences", "value": 6520}, {"label": "Homicide", "value": 3200000}]
price_year = uc_meta.get("price_year", "2015/16")
uc_title = uc_meta.get("title", "The Economic and Social Costs of Crime, 2nd edition")
uc_source = (f"{uc_meta.get('publisher', 'Home Office')}, {uc_title} "
             f"({uc_meta.get('year', 2018)}), {price_year} prices")
st.markdown(f"Unit costs of crime default to **{uc_source}**. They are estimates of the "
            "social cost of one offence (victims, health, police and justice), not cash the "
            "partnership would save. Edit them, and choose which cost each outcome is valued "
            "at.")
NOT_COSTED = "(not costed)"
c1, c2 = st.columns([2, 3])
with c1:
    uc = pd.DataFrame({"Crime category": [i["label"] for i in items],
                       "£ each": [float(i["value"]) for i in items],
                       "Note": [("approximate" if i.get("approximate") else "") for i in items]})
    uc = st.data_editor(uc, hide_index=True, width="stretch", key="cost_unit_costs",
                        disabled=["Crime category", "Note"],
                        column_config={"£ each": st.column_config.NumberColumn(
                            min_value=0, format="localized", width="small")})
    st.caption(f"{price_year} prices, not inflated. Source: {uc_meta.get('source', uc_source)}. "
               f"{uc_meta.get('note', '')}")
unit_costs = dict(zip(uc["Crime category"], uc.iloc[:, 1]))
count_cols = [c for c in outcomes if trial.outcome(c).kind == "count"]
defaults = {"suspect_violent": "Violence with injury"}
with c2:
    mp = pd.DataFrame({"Outcome": [ctx.label(c) for c in count_cols],
                       "Valued as": [defaults.get(c, NOT_COSTED) if defaults.get(c) in unit_costs
                                     else NOT_COSTED for c in count_cols]})
    mp = st.data_editor(
        mp, hide_index=True, width="stretch", key="cost_mapping", disabled=["Outcome"],
        column_config={"Valued as": st.column_config.SelectboxColumn(
            "Valued as (Home Office category)", options=[NOT_COSTED, *unit_costs],
            required=True)})
    st.caption("⚠️ The trial's outcome categories do not map one-to-one onto the Home Office "
               "categories. *Violent crimes* include assault **without** injury, which costs far "
               "less than violence with injury, so valuing them all at the with-injury cost "
               "overstates the benefit. *Knife* offences include possession, which is not "
               "costed. Count each offence once: the outcomes overlap.")
bc_rows = []
for col, (_, m) in zip(count_cols, mp.iterrows()):
    cat = m["Valued as"]
    if cat == NOT_COSTED or cat not in unit_costs or pd.isna(unit_costs[cat]):
        continue
    r = allr.loc[col]
    try:
        p = expected_prevented(cases, r["difference"], r["ci_low"], r["ci_high"])
        bc = benefit_cost(total, p, unit_costs[cat])
    except DataError as exc:
        st.error(f"{ctx.label(col)}: {exc}")
        continue
    bc_rows.append({"label": f"{ctx.label(col)}<br>valued as {cat.lower()}", "outcome": col,
                    "category": cat, "prevented": p, "bc": bc,
                    "benefit": bc.benefit, "benefit_low": bc.benefit_low,
                    "benefit_high": bc.benefit_high})
if not bc_rows:
    st.info("No outcome is valued: choose a Home Office category for at least one outcome.")
else:
    first = bc_rows[0]
    bc = first["bc"]
    title = (f"Central estimate: {money(bc.benefit)} of offences prevented for "
             f"{money(total)} spent"
             if len(bc_rows) == 1 else
             f"Value of offences prevented against the {money(total)} cost, per outcome")
    frame = pd.DataFrame(bc_rows)
    st.plotly_chart(benefit_figure(
        frame, cost=total, title=title,
        subtitle=" · ".join(x for x in (
            synthetic_note, f"{level} intervals"
            + (" (include no effect)" if len(bc_rows) == 1 and bc.includes_no_effect else ""),
            f"{price_year} prices, not inflated") if x)),
        width="stretch", theme=None, key="cost_benefit_chart")
    for row in bc_rows:
        b, p = row["bc"], row["prevented"]
        text = (f"**{ctx.label(row['outcome'])}** valued at {money(b.unit_cost)} each "
                f"({row['category'].lower()}): about {p.expected:,.1f} offences prevented "
                f"({level} CI {p.low:,.1f} to {p.high:,.1f}) are worth **{money(b.benefit)}** "
                f"({money(b.benefit_low)} to {money(b.benefit_high)}); "
                f"**{b.ratio:.2f} per £1 spent** ({b.ratio_low:.2f} to {b.ratio_high:.2f}).")
        if b.includes_no_effect:
            text += (" The interval includes no effect, so the data are also consistent "
                     "with no return at all.")
        st.markdown(text)
    st.caption("Do not add rows together: the outcomes overlap.")

# ---------------------------------------------------------------- scale-up
st.header("Scale-up scenario")
st.markdown("What a larger programme would need and might prevent in a year, **if** each young "
            "person offered it had the trial's per-person effect. That assumes a similar "
            "eligible group, similar delivery and engagement, and 12 months of follow-up.")
staff_default = float(total) / max(int(n_workers) + int(n_coords), 1)
c1, c2, c3 = st.columns(3)
with c1:
    people = st.number_input("Young people offered the programme per year", min_value=1,
                             value=200, step=10, key="cost_scale_people")
    caseload = st.number_input("Caseload (people per case worker)", min_value=1,
                               value=int(cl1), step=1, key="cost_scale_caseload")
    st.caption("Report: recommended maximum caseload 20-25")
with c2:
    worker_cost = st.number_input("Annual cost of one case worker (£)", min_value=0.0,
                                  value=staff_default, step=1000.0, format="%.0f",
                                  key="cost_scale_worker_cost")
    coord_cost = st.number_input("Annual cost of one coordinator (£)", min_value=0.0,
                                 value=staff_default, step=1000.0, format="%.0f",
                                 key="cost_scale_coord_cost")
    st.caption(f"Assumption, not from the report: the {money(total)} split equally over the "
               f"{int(n_workers) + int(n_coords)} posts (the report gives no salaries). At "
               f"caseloads {cl1}-{cl2} that is {money(staff_default / max(cl2, 1))}-"
               f"{money(staff_default / max(cl1, 1))} of case-worker cost per case"
               + (f"; the report's own estimate is {money(low)}-{money(high)} per case."
                  if low and high else "."))
with c3:
    per_coord = st.number_input("People per coordinator", min_value=1, value=max(int(cases), 1),
                                step=5, key="cost_scale_per_coord")
    st.caption(f"Default: the trial had one coordinator for {cases} cases. The report expects "
               "coordination cost per case to fall with scale.")
    other = st.number_input("Other annual costs (£)", min_value=0.0, value=0.0, step=1000.0,
                            format="%.0f", key="cost_scale_other")
sizes = sorted({max(1, int(round(people * k))) for k in (0.25, 0.5, 1.0, 1.5, 2.0)})
effects = {}
for col in (off_col, harm_col):
    r = allr.loc[col]
    effects[col] = (r["difference"], r["ci_low"], r["ci_high"])
try:
    table = scale_up_table(sizes, effects, caseload=caseload, case_worker_cost=worker_cost,
                           coordinator_cost=coord_cost, people_per_coordinator=per_coord,
                           other_costs=other)
except DataError as exc:
    show_data_error(exc)
    st.stop()
at_n = table[table["people"] == int(people)]
s = at_n.iloc[0]
off = at_n[at_n["effect"] == off_col].iloc[0]
harm = at_n[at_n["effect"] == harm_col].iloc[0]


def prevented_words(row, unit):
    words = (f"about {row['prevented']:,.0f} {unit} ({level} CI {row['prevented_low']:,.0f} to "
             f"{row['prevented_high']:,.0f})")
    if row["includes_no_effect"]:
        words += " — the interval includes no effect"
    return words


st.info(f"**{int(people)} young people a year** at a caseload of {caseload}: "
        f"**{s['case_workers']} case workers and {s['coordinators']} coordinator(s)**, about "
        f"**{money(s['annual_cost'])} a year** ({money(s['cost_per_person'])} per person). "
        f"{ctx.label(off_col)}: {prevented_words(off, 'offences prevented')}. "
        f"{ctx.label(harm_col)}: {prevented_words(harm, 'days of crime harm prevented')}.")
st.plotly_chart(scale_cost_figure(
    table, title=(f"{int(people)} young people a year need {s['case_workers']} case workers "
                  f"and about {money(s['annual_cost'])}"),
    subtitle=f"caseload {caseload} · one coordinator per {per_coord} people · staff costs only"),
    width="stretch", theme=None, key="cost_scale_cost_chart")


def scale_subtitle(row):
    iv = f"{level} interval {row['prevented_low']:,.0f} to {row['prevented_high']:,.0f}"
    return " · ".join(x for x in (synthetic_note, iv + (" (includes no effect)"
                                                        if row["includes_no_effect"] else ""))
                      if x)


c1, c2 = st.columns(2)
with c1:
    off_t = table[table["effect"] == off_col]
    short = trial.outcome(off_col).label.split(" as ")[0].lower()
    st.plotly_chart(scale_prevented_figure(
        off_t, unit="Offences / year", level=level,
        title=f"About {off['prevented']:,.0f} {short} prevented at {int(people)}",
        subtitle=scale_subtitle(off)),
        width="stretch", theme=None, key="cost_scale_off_chart")
    st.caption(f"{ctx.label(off_col)}; expected offences prevented per year by programme size.")
with c2:
    harm_t = table[table["effect"] == harm_col]
    st.plotly_chart(scale_prevented_figure(
        harm_t, unit="Harm days / year", level=level,
        title=f"About {harm['prevented']:,.0f} harm days prevented at {int(people)}",
        subtitle=scale_subtitle(harm)),
        width="stretch", theme=None, key="cost_scale_harm_chart")
    st.caption(f"{ctx.label(harm_col)}; days of crime harm prevented per year by programme size.")
st.caption("Band = the range implied by the effect's confidence interval. Where the band "
           "crosses zero, the data are consistent with the programme preventing nothing (or "
           "with increases).")
