import numpy as np
import pandas as pd
import streamlit as st

from dashboard.state import show_data_error, sidebar

st.set_page_config(page_title="Cost · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard.figures_programme import (benefit_figure, money, scale_cost_figure,  # noqa: E402
                                         scale_prevented_figure)
from fd_stats.benefit import (cost_per_unit_range, count_range, count_text,  # noqa: E402
                              money_range, money_text, ratio_range)
from fd_stats import DataError, cost_per_person, cost_per_unit_prevented  # noqa: E402
from fd_stats.benefit import benefit_cost, expected_prevented, scale_up_table  # noqa: E402
from fd_stats.consort import engagement_by_group  # noqa: E402
from fd_stats.wording import SYNTHETIC_LABEL, in_sentence  # noqa: E402
from fd_stats.safe_text import label as chart_label  # noqa: E402
from fd_stats.safe_text import md  # noqa: E402

trial, mapping, settings = ctx.trial, ctx.mapping, ctx.settings
level = f"{settings.confidence_level:.0%}"
sided = "two-sided" if settings.alternative == "two-sided" else "one-sided"
synthetic_note = "Synthetic data" if trial.synthetic else ""

st.title("Cost: what it costs per case and per result")
_from_report = (trial.meta.get("trial", {}).get("id") == "focused_deterrence"
                and bool(trial.meta.get("cost")))
st.markdown(("Programme costs are inputs: they start from the trial's figures (source beside "
             "each) and can be changed. " if _from_report else
             "Programme costs are inputs: this data set carries no costs, so enter the "
             "programme's own figures below. ")
            + "Everything per *result* carries the uncertainty of the effect it divides by.")
if trial.synthetic:
    st.info(SYNTHETIC_LABEL + " Costs come from the report, not from the data.", icon="⚠️")

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
# the report's cost tables exist only for the bundled trial; other data sets start empty
IS_REPORT = (trial.meta.get("trial", {}).get("id") == "focused_deterrence" and bool(cost_meta))
cohort_col = trial.mapping.subgroup if trial.mapping.subgroup in trial.table.columns else None
cohorts = []
if cohort_col:
    is_t = trial.table[mapping.arm].astype(str) == str(mapping.treatment)
    cohorts = sorted(map(str, trial.table.loc[is_t, cohort_col].dropna().unique()))
    cohorts = cohorts if 2 <= len(cohorts) <= 4 else []

st.header("Programme cost inputs")
funding, f_src, f_note = meta_value("delivery_funding", 0)
workers, w_src, w_note = meta_value("case_workers", 1 if IS_REPORT else 0)
coords, c_src, _ = meta_value("coordinators", 1 if IS_REPORT else 0)
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
caseloads = {}
with c3:
    for i, lev in enumerate(cohorts or [None]):
        key = "caseload_" + str(lev).replace("-", "_") if lev else "caseload"
        load, l_src, _ = meta_value(key, 20)
        where = f", {'cohort' if IS_REPORT else md(cohort_col)} {md(lev)}" if lev else ""
        caseloads[lev] = st.number_input(f"Caseload{where} (people per case worker)",
                                         min_value=1, value=int(load), step=1,
                                         key=f"cost_caseload_{i + 1}")
        source_caption(l_src)
COSTS_ENTERED = total > 0
ENTER_COSTS = "Enter the programme's costs above to see costs per result."

# ---------------------------------------------------------------- per case
st.header("Cost per case")
engaged = None
if mapping.engagement in trial.table.columns:
    try:
        engaged = int(engagement_by_group(trial.table, mapping)["engaged"].iloc[-1])
    except DataError:
        engaged = None
per_case = None
if not COSTS_ENTERED:
    st.info(ENTER_COSTS)
else:
    try:
        per_case = cost_per_person(total, cases)
    except DataError as exc:
        st.error(f"Cost per case cannot be worked out: {exc}")
m1, m2, m3 = st.columns(3)
if per_case is not None:
    m1.metric("Cost per case", money(per_case),
              help=f"{money(total)} ÷ {cases} cases")
    m1.caption(f"{money(total)} ÷ {cases} cases = **{money(per_case)} per case**")
if engaged and COSTS_ENTERED:
    per_eng = cost_per_person(total, engaged)
    m2.metric("Cost per person who engaged", money(per_eng))
    m2.caption(f"{money(total)} ÷ {engaged} who engaged = **{money(per_eng)}**")
low, _, _ = meta_value("cost_per_case_low", None)
high, _, h_note = meta_value("cost_per_case_high", None)
if low and high:
    m3.metric("Report's own estimate per case", f"{money(low)}–{money(high)}")
    m3.caption(h_note.capitalize() if h_note else "")
loads = ", ".join(f"{v} ({k})" if k else f"{v}" for k, v in caseloads.items())
if COSTS_ENTERED:
    st.caption(f"Staffing: {n_workers} case worker(s) and {n_coords} coordinator(s); "
               f"caseload{'s' if len(caseloads) > 1 else ''} {loads}. The cost per case counts "
               "everyone offered the programme, whether or not they engaged.")

# ---------------------------------------------------------------- per result
st.header("Cost per result, with its uncertainty")
st.markdown(f"Dividing the cost by what the programme prevented among the {cases} people "
            f"offered it. The range comes from the effect's {level} confidence interval "
            f"({sided}, sidebar setting). **When that interval includes no effect, the cost per "
            "result has no upper limit**: the data are consistent with nothing being prevented."
            + (" A one-sided interval also has **no limit on how much was prevented**, so the "
               "cost per result has no lower limit either." if sided == "one-sided" else ""))
if MEANS_NOTE:
    st.caption(MEANS_NOTE)


def result_row(col):
    r = allr.loc[col]
    c = cost_per_unit_prevented(total, r["difference"], r["ci_low"], r["ci_high"], cases)
    return r, c


def effect_ci(lo, hi):
    """Interval of the per-person difference, with an open end in words."""
    if np.isinf(lo) and not np.isinf(hi):
        return f"one-sided {level} bound: at most {hi:+.2f}"
    if np.isinf(hi) and not np.isinf(lo):
        return f"one-sided {level} bound: at least {lo:+.2f}"
    return f"{level} CI {lo:+.2f} to {hi:+.2f}"


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
        st.error(f"{md(ctx.label(col))}: {exc}")
        return
    interval = count_range(c.prevented_low, c.prevented_high, digits, "more " + units)
    if not c.prevented > 0:
        st.warning(f"**{md(ctx.label(col))}**: the estimate shows no reduction "
                   f"({count_text(c.prevented, digits, 'more ' + units, units + ' prevented')} "
                   f"among {cases} people; {level} interval {interval}), so there is no cost "
                   f"per {what} prevented.")
        return
    rng = cost_per_unit_range(c.prevented_low, c.prevented_high, total)
    if c.bounded:
        st.success(f"**{money(c.cost_per_unit)} per {what} prevented** "
                   f"({md(in_sentence(ctx.label(col)))}): about {c.prevented:,.{digits}f} {units} "
                   f"prevented among {cases} people ({level} interval {interval}); the cost "
                   f"per {what} is {rng}.")
    else:
        rng = rng.replace("with no upper limit", "with **no upper limit**")
        st.warning(f"**{money(c.cost_per_unit)} per {what} prevented** at the central estimate "
                   f"({md(in_sentence(ctx.label(col)))}: about {c.prevented:,.{digits}f} {units} "
                   f"prevented among {cases} people). The {level} interval runs {interval}, so "
                   f"it includes no effect: the cost per {what} "
                   + (f"is {rng}." if rng.startswith("at least") else
                      "has **no upper limit** (and, with a one-sided interval, no lower limit "
                      "either)."))


rows = []
errors = []
if not COSTS_ENTERED:
    st.info(ENTER_COSTS)
else:
    for col in allr.index:
        try:
            r, c = result_row(col)
        except DataError as exc:
            errors.append(f"{md(ctx.label(col))}: {exc}")
            continue
        unit = trial.outcome(col).unit or "units"
        rows.append({
            "Outcome": ctx.label(col),
            "Effect per person (programme − control)":
                f"{r['difference']:+.2f} ({effect_ci(r['ci_low'], r['ci_high'])})",
            f"Prevented among {cases}": f"{count_text(c.prevented, 1)} ("
                                       f"{count_range(c.prevented_low, c.prevented_high, 1)})",
            "Cost per unit prevented": (money(c.cost_per_unit) if c.prevented > 0
                                        else "no reduction"),
            "Range": (cost_per_unit_range(c.prevented_low, c.prevented_high, total)
                      if c.prevented > 0 else "—"),
            "Unit": unit.replace("crimes per person", "per crime").replace(
                "crime harm (days)", "per harm day"),
            "Note": c.note or "interval excludes no effect",
        })
    if errors:
        st.error("\n".join(errors))
    c1, c2 = st.columns(2)
    with c1:
        headline(harm_col, "day of crime harm", "days of crime harm", 0)
    with c2:
        headline(off_col, "offence", "offences", 1)
    hi_meta = trial.meta.get("harm_index", {}) or {}
    if hi_meta:
        st.caption(f"Crime harm is measured with the "
                   f"{hi_meta.get('name', 'crime harm index')}: each crime counts the "
                   f"{hi_meta.get('unit', 'days')}.")
    with st.expander("Every outcome"):
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption("Outcomes overlap (a knife crime is often also a violent crime), so these "
                   "costs are alternatives, not parts of one total.")

# ---------------------------------------------------------------- benefit-cost
st.header("Benefit-cost view (valuing offences prevented)")
HOME_OFFICE = "Home Office, The Economic and Social Costs of Crime, 2nd ed., 2018"
uc_meta = trial.meta.get("unit_costs_of_crime", {}) or {}
items = uc_meta.get("items") or [
    {"label": "Violence with injury", "value": 14050},
    {"label": "Robbery", "value": 11320}, {"label": "Rape", "value": 39360},
    {"label": "Other sexual offences", "value": 6520},
    {"label": "Homicide", "value": 3200000, "approximate": True}]
price_year = uc_meta.get("price_year", "2015/16")
uc_title = uc_meta.get("title", "The Economic and Social Costs of Crime, 2nd edition")
uc_source = (f"{uc_meta.get('publisher', 'Home Office')}, {uc_title} "
             f"({uc_meta.get('year', 2018)}), {price_year} prices")
if not COSTS_ENTERED:
    st.info(ENTER_COSTS)
else:
    st.markdown(f"Unit costs of crime default to **{uc_source}**. They are estimates of the "
                "social cost of one offence (victims, health, police and justice), not cash "
                "the partnership would save. Edit them, and choose which cost each outcome is "
                "valued at.")
NOT_COSTED = "(not costed)"
UPPER = "Violence with injury"
if COSTS_ENTERED:
    c1, c2 = st.columns([2, 3])
    with c1:
        uc = pd.DataFrame({"Crime category": [i["label"] for i in items],
                           "£ each": [float(i["value"]) for i in items],
                           "Note": [("approximate" if i.get("approximate") else "")
                                    for i in items]})
        uc = st.data_editor(uc, hide_index=True, width="stretch", key="cost_unit_costs",
                            disabled=["Crime category", "Note"],
                            column_config={"£ each": st.column_config.NumberColumn(
                                min_value=0, format="localized", width="small")})
        st.caption(f"{price_year} prices, not inflated. Source: {HOME_OFFICE}. "
                   f"{uc_meta.get('note', '')}")
    unit_costs = dict(zip(uc["Crime category"], uc.iloc[:, 1]))
    count_cols = [c for c in outcomes if trial.outcome(c).kind == "count"]
    # only the bundled trial has a default valuation, and it is the upper end (see caption)
    defaults = {"suspect_violent": UPPER} if IS_REPORT else {}
    with c2:
        mp = pd.DataFrame({"Outcome": [ctx.label(c) for c in count_cols],
                           "Valued as": [defaults.get(c, NOT_COSTED)
                                         if defaults.get(c) in unit_costs else NOT_COSTED
                                         for c in count_cols]})
        mp = st.data_editor(
            mp, hide_index=True, width="stretch", key="cost_mapping", disabled=["Outcome"],
            column_config={"Valued as": st.column_config.SelectboxColumn(
                "Valued as (Home Office category)", options=[NOT_COSTED, *unit_costs],
                required=True)})
        if IS_REPORT:
            st.caption("⚠️ The trial's outcome categories do not map one-to-one onto the Home "
                       "Office categories. *Violent crimes* include assault **without** injury, "
                       "which costs far less than violence with injury, so valuing them all at "
                       "the with-injury cost (the default here) is an **upper-end valuation** "
                       "that overstates the benefit. *Knife* offences include possession, which "
                       "is not costed. Count each offence once: the outcomes overlap.")
        else:
            st.caption("Choose the Home Office category that best matches each outcome. Where "
                       "an outcome mixes serious and minor offences, valuing all of it at the "
                       "serious cost overstates the benefit. Count each offence once.")
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
        bc_rows.append({"label": f"{chart_label(ctx.label(col))}<br>valued as {cat.lower()}", "outcome": col,
                        "category": cat, "prevented": p, "bc": bc,
                        "benefit": bc.benefit, "benefit_low": bc.benefit_low,
                        "benefit_high": bc.benefit_high})
    if not bc_rows:
        st.info("No outcome is valued: choose a Home Office category for at least one outcome.")
    else:
        first = bc_rows[0]
        bc = first["bc"]

        def end(v):
            if np.isposinf(v):
                return "no upper limit"
            if np.isneginf(v):
                return "no lower limit"
            if v < 0:
                return f"more offences (−{money_text(-v, short=True)})"
            return money_text(v, short=True)

        upper = IS_REPORT and first["category"] == UPPER and first["outcome"] == "suspect_violent"
        if len(bc_rows) == 1:
            iv = (f"the {level} interval runs from {end(bc.benefit_low)} to "
                  f"{end(bc.benefit_high)}")
            title = (("Upper-end valuation: " if upper else "")
                     + f"{money_text(bc.benefit, short=True)} of offences prevented for "
                     f"{money_text(total, short=True)} spent — "
                     + ("but " if bc.includes_no_effect else "") + iv)
        else:
            title = (f"Value of offences prevented against the {money_text(total, short=True)} "
                     "cost, per outcome (do not add them up)")
        frame = pd.DataFrame(bc_rows)
        st.plotly_chart(benefit_figure(
            frame, cost=total, title=title,
            subtitle=" · ".join(x for x in (
                synthetic_note, f"{level} intervals"
                + (" (include no effect)" if len(bc_rows) == 1 and bc.includes_no_effect
                   else ""),
                f"{price_year} prices, not inflated") if x)),
            width="stretch", theme=None, key="cost_benefit_chart")
        for row in bc_rows:
            b, p = row["bc"], row["prevented"]
            text = (f"**{md(ctx.label(row['outcome']))}** valued at {money(b.unit_cost)} each "
                    f"({row['category'].lower()}): about "
                    f"{count_text(p.expected, 1, 'more offences', 'offences prevented')} "
                    f"({level} interval "
                    f"{count_range(p.low, p.high, 1, 'more offences', 'prevented')}) are worth "
                    f"**{money(b.benefit)}** ({money_range(b.benefit_low, b.benefit_high)}); "
                    f"**{b.ratio:.2f} per £1 spent** ({ratio_range(b.ratio_low, b.ratio_high)}).")
            if b.includes_no_effect:
                text += (" The interval includes no effect, so the data are also consistent "
                         "with no return at all.")
            if row["category"] == UPPER and row["outcome"] == "suspect_violent":
                text += " This is an upper-end valuation (see the warning above)."
            st.markdown(text)
        st.caption("Do not add rows together: the outcomes overlap.")

# ---------------------------------------------------------------- scale-up
st.header("Scale-up scenario")
st.markdown("What a larger programme would need and might prevent in a year, **if** each young "
            "person offered it had the trial's per-person effect. That assumes a similar "
            "eligible group, similar delivery and engagement, and 12 months of follow-up.")
posts = int(n_workers) + int(n_coords)
staff_default = float(total) / posts if posts else 0.0
# the trial's effective caseload: people offered the programme per case worker
eff_caseload = (float(cases) / int(n_workers) if int(n_workers) and cases
                else float(sum(caseloads.values())) / max(len(caseloads), 1))
rec_max, _, _ = meta_value("recommended_max_caseload", None)
c1, c2, c3 = st.columns(3)
with c1:
    people = st.number_input("Young people offered the programme per year", min_value=1,
                             value=200, step=10, key="cost_scale_people")
    caseload = st.number_input("Caseload (people per case worker)", min_value=1.0,
                               value=round(eff_caseload, 1), step=0.5, format="%.1f",
                               key="cost_scale_caseload")
    st.caption(f"Default: the trial's effective caseload, {cases} cases ÷ {int(n_workers)} "
               f"case workers = {eff_caseload:.1f}."
               if int(n_workers) else "Default: the caseload entered above.")
    if IS_REPORT and isinstance(rec_max, list) and len(rec_max) == 2:
        st.caption(f"Report: recommended maximum caseload {rec_max[0]}-{rec_max[1]}.")
with c2:
    worker_cost = st.number_input("Annual cost of one case worker (£)", min_value=0.0,
                                  value=staff_default, step=1000.0, format="%.0f",
                                  key="cost_scale_worker_cost")
    coord_cost = st.number_input("Annual cost of one coordinator (£)", min_value=0.0,
                                 value=staff_default, step=1000.0, format="%.0f",
                                 key="cost_scale_coord_cost")
    if IS_REPORT:
        lo_load, hi_load = min(caseloads.values()), max(caseloads.values())
        st.caption(f"Assumption, not from the report: the {money(total)} split equally over the "
                   f"{posts} posts (the report gives no salaries). At caseloads "
                   f"{lo_load}-{hi_load} that is {money(staff_default / max(hi_load, 1))}-"
                   f"{money(staff_default / max(lo_load, 1))} of case-worker cost per case"
                   + (f"; the report's own estimate is {money(low)}-{money(high)} per case."
                      if low and high else "."))
    elif staff_default:
        st.caption(f"Default: the {money(total)} entered above split equally over the {posts} "
                   "posts. Enter real salaries if you have them.")
    else:
        st.caption("Enter the annual cost of each post.")
with c3:
    coord_default = max(int(round(cases / int(n_coords))) if int(n_coords) else int(cases), 1)
    per_coord = st.number_input("People per coordinator", min_value=1, value=coord_default,
                                step=5, key="cost_scale_per_coord")
    st.caption((f"Default: the trial had {int(n_coords)} coordinator(s) for {cases} cases."
                if int(n_coords) else
                f"Default: one coordinator for the {cases} people offered the programme in "
                "the data.")
               + (" The report expects coordination cost per case to fall with scale; raise "
                  "this number to reflect that." if IS_REPORT else ""))
    other = st.number_input("Other annual costs (£)", min_value=0.0, value=0.0, step=1000.0,
                            format="%.0f", key="cost_scale_other")
sizes = sorted({max(1, int(round(people * k))) for k in (0.25, 0.5, 1.0, 1.5, 2.0)})
effects = {}
for col in dict.fromkeys((off_col, harm_col)):
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
SCALE_COSTED = s["annual_cost"] > 0


def prevented_words(row, unit, digits=0):
    words = (f"about {count_text(row['prevented'], digits, 'more ' + unit, unit + ' prevented')} "
             f"({level} interval "
             f"{count_range(row['prevented_low'], row['prevented_high'], digits, 'more ' + unit, 'prevented')})")
    if row["includes_no_effect"]:
        words += " — the interval includes no effect"
    return words


staff = (f"**{s['case_workers']} case workers and {s['coordinators']} coordinator(s)**")
st.info(f"**{int(people)} young people a year** at a caseload of {caseload:g}: {staff}"
        + (f", about **{money(s['annual_cost'])} a year** ({money(s['cost_per_person'])} per "
           "person). " if SCALE_COSTED else
           ". Enter the annual cost of a case worker and a coordinator above to see the cost. ")
        + f"{md(ctx.label(off_col))}: {prevented_words(off, 'offences')}. "
        + f"{md(ctx.label(harm_col))}: {prevented_words(harm, 'days of crime harm')}.")
if SCALE_COSTED:
    if per_case is not None:
        trial_pp = f"the trial's {money(per_case)} per person"
    else:
        trial_pp = "the trial's cost per person"
    st.caption(
        f"Why the cost per person changes with scale: staff come in whole posts. {int(people)} "
        f"people at a caseload of {caseload:g} is {int(people) / caseload:.1f} case workers' "
        f"worth of work, rounded up to {s['case_workers']}, and {int(people) / per_coord:.1f} "
        f"coordinators' worth, rounded up to {s['coordinators']}; part-filled posts push the "
        f"cost per person above {trial_pp}, full posts bring it back down.")
    st.plotly_chart(scale_cost_figure(
        table, title=(f"{int(people)} young people a year need {s['case_workers']} case "
                      f"workers and {s['coordinators']} coordinator(s): about "
                      f"{money_text(s['annual_cost'], short=True)} a year"),
        subtitle=(f"caseload {caseload:g} · one coordinator per {per_coord} people · "
                  "staff costs only")),
        width="stretch", theme=None, key="cost_scale_cost_chart")


def scale_subtitle(row, digits=0):
    iv = f"{level} interval: {count_range(row['prevented_low'], row['prevented_high'], digits)}"
    return " · ".join(x for x in (synthetic_note, iv + (" (includes no effect)"
                                                        if row["includes_no_effect"] else ""))
                      if x)


def scale_title(row, unit):
    return (f"{int(people)} people a year: about "
            f"{count_text(row['prevented'], 0, 'more ' + unit, unit + ' prevented')}")


c1, c2 = st.columns(2)
with c1:
    off_t = table[table["effect"] == off_col]
    st.plotly_chart(scale_prevented_figure(
        off_t, unit="Offences / year", level=level,
        title=scale_title(off, "offences"), subtitle=scale_subtitle(off)),
        width="stretch", theme=None, key="cost_scale_off_chart")
    st.caption(f"{md(ctx.label(off_col))}; expected offences prevented per year by programme size.")
with c2:
    harm_t = table[table["effect"] == harm_col]
    st.plotly_chart(scale_prevented_figure(
        harm_t, unit="Harm days / year", level=level,
        title=scale_title(harm, "harm days"), subtitle=scale_subtitle(harm)),
        width="stretch", theme=None, key="cost_scale_harm_chart")
    st.caption(f"{md(ctx.label(harm_col))}; days of crime harm prevented per year by programme size.")
st.caption("Band = the range implied by the effect's confidence interval. Where the band "
           "crosses zero, the data are consistent with the programme preventing nothing (or "
           "with increases)."
           + (" A one-sided interval has one open end, drawn to the edge of the chart."
              if sided == "one-sided" else ""))
