"""Sections of the Cost page, each worded in the outcome's own unit.

Crime words and arithmetic (offences prevented, days of crime harm, Home Office unit costs of
crime, case workers) appear only for crime measures and the programme that is about crime;
any other outcome is priced per unit of improvement in its own unit (an additional person
who learned their result, GBP 1 of extra earnings), and valued only where the user enters a
value per unit. The arithmetic is in ``fd_stats.programme.cost`` and ``fd_stats.programme.benefit``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.figures_programme import (benefit_figure, money, scale_cost_figure,
                                         scale_prevented_figure)
from dashboard.state import remember
from fd_stats import DataError
from fd_stats.programme.benefit import (benefit_cost, count_range, count_text, cost_per_unit_range,
                              expected_prevented, money_range, money_text, ratio_range,
                              scale_up_table)
from fd_stats.programme.cost import cost_per_unit_improved
from fd_stats.report.safe_text import label as chart_label
from fd_stats.report.safe_text import md
from fd_stats.data.trial import Trial
from fd_stats.report.wording import Improvement, direction_words, improvement_terms

ENTER_COSTS = "Enter the programme's costs above to see costs per result."
NO_DIRECTION = ("Which way is better is not set for {label}, so there is no cost per "
                "improvement: set its direction on the Data page.")
HOME_OFFICE = "Home Office, The Economic and Social Costs of Crime, 2nd ed., 2018"
NOT_COSTED = "(not costed)"
UPPER = "Violence with injury"


def meta_reader(cost_meta: dict) -> Callable:
    """value, source, note of one cost figure in trial.toml ([cost.<key>])."""
    def meta_value(key, fallback):
        item = cost_meta.get(key) or {}
        if not isinstance(item, dict):
            return fallback, "", ""
        return item.get("value", fallback), item.get("source", ""), item.get("note", "")
    return meta_value


def source_caption(source, note=""):
    # trial.toml text: a user's own file may hold Markdown, links or maths
    text = f"Source: {md(source)}" if source else "Source: none given; enter your own figure"
    st.caption(text + (f" — {md(note)}" if note else ""))


@dataclass
class CostView:
    """What every section needs: the trial, the 'All' results by outcome and the inputs."""

    trial: Trial
    allr: pd.DataFrame
    settings: object
    total: float
    cases: int
    is_report: bool
    label: Callable

    @property
    def level(self) -> str:
        return f"{self.settings.confidence_level:.0%}"

    @property
    def sided(self) -> str:
        return "two-sided" if self.settings.alternative == "two-sided" else "one-sided"

    @property
    def synthetic_note(self) -> str:
        return "Synthetic data" if self.trial.synthetic else ""

    def spec(self, col):
        return self.trial.outcome(col)

    def effect(self, col) -> tuple[float, float, float]:
        """(difference, ci_low, ci_high) turned so that a positive value is an improvement
        ... times -1: the arithmetic in fd_stats counts a reduction as 'prevented'."""
        r = self.allr.loc[col]
        if improvement_terms(self.spec(col)).sign > 0:
            return -r["difference"], -r["ci_high"], -r["ci_low"]
        return r["difference"], r["ci_low"], r["ci_high"]


def md_terms(spec) -> Improvement:
    """:func:`improvement_terms` for Markdown: they quote the outcome's label and unit,
    which are the data's text."""
    w = improvement_terms(spec)
    return Improvement(md(w.one), md(w.many), md(w.worse), w.sign)


def pounds(v) -> str:
    """Money with pence when it is small (a cost per GBP 1 of earnings is often under £1)."""
    return money(v, 2 if np.isfinite(v) and 0 < abs(v) < 10 else 0)


def cost_range(c, total) -> str:
    small = np.isfinite(c.cost_per_unit) and c.cost_per_unit < 10
    return cost_per_unit_range(c.prevented_low, c.prevented_high, total, 2 if small else 0)


def digits_for(spec) -> int:
    return 0 if spec.kind in ("score", "continuous") else 1


def headline_picks(view: CostView) -> list[str]:
    """The outcomes shown as headline costs: for the bundled trial the harm and knife
    outcomes (chosen on the page), otherwise the first headline outcome with a direction."""
    outcomes = list(view.allr.index)
    crime = [c for c in outcomes if view.spec(c).crime]
    if crime and view.trial.crime_programme:
        def pick(default, key, label, kinds):
            opts = [c for c in outcomes if view.spec(c).kind in kinds] or outcomes
            return st.selectbox(label, opts, format_func=view.label,
                                key=remember(key, default if default in opts else opts[0], opts))
        c1, c2 = st.columns(2)
        with c1:
            harm = pick("suspect_harm", "cost_harm_outcome", "Harm outcome",
                        ("score", "continuous"))
        with c2:
            off = pick("suspect_knife", "cost_offence_outcome", "Offence outcome", ("count",))
        return list(dict.fromkeys((harm, off)))
    heads = [c for c in view.trial.headline_outcomes if c in outcomes] or outcomes
    return [st.selectbox("Outcome", outcomes, format_func=view.label,
                         key=remember("cost_outcome", heads[0], outcomes))]


def result_headline(view: CostView, col) -> None:
    """One outcome's cost per unit improved, with its range, in the outcome's words."""
    spec, words = view.spec(col), md_terms(view.spec(col))
    name = md(view.label(col))
    if not words.sign:
        st.info(NO_DIRECTION.format(label=f"**{name}**") + f" ({direction_words(spec)}).")
        return
    r = view.allr.loc[col]
    try:
        c = cost_per_unit_improved(view.total, r["difference"], r["ci_low"], r["ci_high"],
                                   view.cases, words.sign)
    except DataError as exc:
        st.error(f"{name}: {md(exc)}")
        return
    dg = digits_for(spec)
    interval = count_range(c.prevented_low, c.prevented_high, dg, words.worse, words.many)
    if not c.prevented > 0:
        st.warning(f"**{name}**: the estimate shows no improvement "
                   f"({count_text(c.prevented, dg, words.worse, words.many)} among "
                   f"{view.cases} people; {view.level} interval {interval}), so there is no "
                   f"cost per {words.one}.")
        return
    rng = cost_range(c, view.total)
    if c.bounded:
        st.success(f"**{pounds(c.cost_per_unit)} per {words.one}**: about "
                   f"{c.prevented:,.{dg}f} {words.many} among {view.cases} people "
                   f"({view.level} interval {interval}); the cost per {words.one} is {rng}.")
    else:
        rng = rng.replace("with no upper limit", "with **no upper limit**")
        st.warning(f"**{pounds(c.cost_per_unit)} per {words.one}** at the central estimate "
                   f"({md(view.label(col).lower())}: about {c.prevented:,.{dg}f} {words.many} among "
                   f"{view.cases} people). The {view.level} interval runs {interval}, so it "
                   f"includes no effect: the cost per {words.one} "
                   + (f"is {rng}." if rng.startswith("at least") else
                      "has **no upper limit** (and, with a one-sided interval, no lower limit "
                      "either)."))


def _effect_ci(lo, hi, level):
    if np.isinf(lo) and not np.isinf(hi):
        return f"one-sided {level} bound: at most {hi:+,.2f}"
    if np.isinf(hi) and not np.isinf(lo):
        return f"one-sided {level} bound: at least {lo:+,.2f}"
    return f"{level} CI {lo:+,.2f} to {hi:+,.2f}"


def every_outcome_table(view: CostView) -> None:
    rows, errors = [], []
    for col in view.allr.index:
        r, spec = view.allr.loc[col], view.spec(col)
        words = improvement_terms(spec)
        row = {"Outcome": view.label(col),
               "Effect per person (programme − control)":
                   f"{r['difference']:+,.2f} ({_effect_ci(r['ci_low'], r['ci_high'], view.level)})"
                   + (" (share of people)" if spec.kind == "binary" else ""),
               "Better": direction_words(spec)}
        if not words.sign:
            rows.append({**row, "Cost per unit improved": "direction not set", "Per": "—"})
            continue
        try:
            c = cost_per_unit_improved(view.total, r["difference"], r["ci_low"], r["ci_high"],
                                       view.cases, words.sign)
        except DataError as exc:
            errors.append(f"{md(view.label(col))}: {md(exc)}")
            continue
        rows.append({**row,
                     f"Improvement among {view.cases}":
                         f"{count_text(c.prevented, 1, words.worse, words.many)} "
                         f"({count_range(c.prevented_low, c.prevented_high, 1, words.worse, 'better')})",
                     "Cost per unit improved": (pounds(c.cost_per_unit) if c.prevented > 0
                                                else "no improvement"),
                     "Range": cost_range(c, view.total) if c.prevented > 0 else "—",
                     "Per": words.one,
                     "Note": c.note.replace("prevented", "improved") or
                     "interval excludes no effect"})
    if errors:
        st.error("\n".join(errors))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Outcomes can overlap, so these costs are alternatives, not parts of one total.")


# ---------------------------------------------------------------- benefit-cost
def _benefit_rows(view: CostView, valued: dict) -> list[dict]:
    """valued: outcome -> (category or description, value of one unit improved)."""
    out = []
    for col, (cat, value) in valued.items():
        if value is None or not np.isfinite(value) or value <= 0:
            continue
        try:
            p = expected_prevented(view.cases, *view.effect(col))
            bc = benefit_cost(view.total, p, value)
        except DataError as exc:
            st.error(f"{md(view.label(col))}: {md(exc)}")
            continue
        out.append({"label": f"{chart_label(view.label(col))}<br>valued as {chart_label(cat.lower())}", "outcome": col,
                    "category": cat, "prevented": p, "bc": bc, "benefit": bc.benefit,
                    "benefit_low": bc.benefit_low, "benefit_high": bc.benefit_high})
    return out


def _end(v):
    if np.isposinf(v):
        return "no upper limit"
    if np.isneginf(v):
        return "no lower limit"
    if v < 0:
        return f"a loss (−{money_text(-v, short=True)})"
    return money_text(v, short=True)


def _benefit_chart(view: CostView, rows: list[dict], what: str, upper: bool, extra: str = ""):
    bc = rows[0]["bc"]
    if len(rows) == 1:
        iv = f"the {view.level} interval runs from {_end(bc.benefit_low)} to {_end(bc.benefit_high)}"
        title = (("Upper-end valuation: " if upper else "")
                 + f"{money_text(bc.benefit, short=True)} of {what} for "
                 f"{money_text(view.total, short=True)} spent — "
                 + ("but " if bc.includes_no_effect else "") + iv)
    else:
        title = (f"Value of {what} against the {money_text(view.total, short=True)} cost, per "
                 "outcome (do not add them up)")
    st.plotly_chart(benefit_figure(
        pd.DataFrame(rows), cost=view.total, title=title, what=what,
        subtitle=" · ".join(x for x in (
            view.synthetic_note, f"{view.level} intervals"
            + (" (include no effect)" if len(rows) == 1 and bc.includes_no_effect else ""),
            extra) if x)),
        width="stretch", theme=None, key="cost_benefit_chart")


def _benefit_lines(view: CostView, rows: list[dict], note_upper: bool = False):
    for row in rows:
        b, p = row["bc"], row["prevented"]
        words = md_terms(view.spec(row["outcome"]))
        dg = digits_for(view.spec(row["outcome"]))
        text = (f"**{md(view.label(row['outcome']))}** valued at {money(b.unit_cost)} per "
                f"{words.one} ({md(row['category'].lower())}): about "
                f"{count_text(p.expected, dg, words.worse, words.many)} ({view.level} interval "
                f"{count_range(p.low, p.high, dg, words.worse, 'better')}) are worth "
                f"**{money(b.benefit)}** ({money_range(b.benefit_low, b.benefit_high)}); "
                f"**{b.ratio:.2f} per £1 spent** ({ratio_range(b.ratio_low, b.ratio_high)}).")
        if b.includes_no_effect:
            text += (" The interval includes no effect, so the data are also consistent "
                     "with no return at all.")
        if note_upper and row["category"] == UPPER and row["outcome"] == "suspect_violent":
            text += " This is an upper-end valuation (see the warning above)."
        st.markdown(text)
    st.caption("Do not add rows together: the outcomes can overlap.")


def unit_value_benefit(view: CostView, costs_entered: bool) -> None:
    """Benefit-cost for outcomes that are not crime counts: only where a value per unit of
    improvement is entered (nothing is assumed)."""
    cols = [c for c in view.allr.index if improvement_terms(view.spec(c)).sign]
    if not cols:
        return
    st.header("Benefit-cost view (only where you enter a value)")
    if not costs_entered:
        st.info(ENTER_COSTS)
        return
    st.markdown("A benefit-cost ratio needs the value of one unit of improvement (for example "
                "what an extra person who completes the course is worth to the funder). "
                "Enter it for the outcomes you can value; the others are left out.")
    frame = pd.DataFrame({"Outcome": [view.label(c) for c in cols],
                          "Value of one unit improved (£)": [0.0] * len(cols),
                          "Unit": [improvement_terms(view.spec(c)).one for c in cols]})
    edited = st.data_editor(frame, hide_index=True, width="stretch", key="cost_unit_values",
                            disabled=["Outcome", "Unit"],
                            column_config={"Value of one unit improved (£)":
                                           st.column_config.NumberColumn(min_value=0,
                                                                         format="localized")})
    values = dict(zip(cols, edited.iloc[:, 1]))
    rows = _benefit_rows(view, {c: ("the value entered", float(values[c] or 0)) for c in cols})
    if not rows:
        st.caption("No value entered, so no benefit-cost ratio is shown.")
        return
    _benefit_chart(view, rows, "improvement", False)
    _benefit_lines(view, rows)


def home_office_benefit(view: CostView, costs_entered: bool) -> None:
    """Crime counts valued at the Home Office unit costs of crime (editable)."""
    st.header("Benefit-cost view (valuing offences prevented)")
    uc_meta = view.trial.meta.get("unit_costs_of_crime", {}) or {}
    items = uc_meta.get("items") or [
        {"label": "Violence with injury", "value": 14050},
        {"label": "Robbery", "value": 11320}, {"label": "Rape", "value": 39360},
        {"label": "Other sexual offences", "value": 6520},
        {"label": "Homicide", "value": 3200000, "approximate": True}]
    price_year = uc_meta.get("price_year", "2015/16")
    uc_title = uc_meta.get("title", "The Economic and Social Costs of Crime, 2nd edition")
    uc_source = md(f"{uc_meta.get('publisher', 'Home Office')}, {uc_title} "
                   f"({uc_meta.get('year', 2018)}), {price_year} prices")  # trial.toml text
    if not costs_entered:
        st.info(ENTER_COSTS)
        return
    st.markdown(f"Unit costs of crime default to **{uc_source}**. They are estimates of the "
                "social cost of one offence (victims, health, police and justice), not cash "
                "the partnership would save. Edit them, and choose which cost each outcome is "
                "valued at.")
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
        st.caption(f"{md(price_year)} prices, not inflated. Source: {HOME_OFFICE}. "
                   f"{md(uc_meta.get('note', ''))}")
    unit_costs = dict(zip(uc["Crime category"], uc.iloc[:, 1]))
    count_cols = [c for c in view.allr.index
                  if view.spec(c).crime and view.spec(c).kind == "count"
                  and improvement_terms(view.spec(c)).sign]
    # only the bundled trial has a default valuation, and it is the upper end (see caption)
    defaults = {"suspect_violent": UPPER} if view.is_report else {}
    with c2:
        mp = pd.DataFrame({"Outcome": [view.label(c) for c in count_cols],
                           "Valued as": [defaults.get(c, NOT_COSTED)
                                         if defaults.get(c) in unit_costs else NOT_COSTED
                                         for c in count_cols]})
        mp = st.data_editor(
            mp, hide_index=True, width="stretch", key="cost_mapping", disabled=["Outcome"],
            column_config={"Valued as": st.column_config.SelectboxColumn(
                "Valued as (Home Office category)", options=[NOT_COSTED, *unit_costs],
                required=True)})
        if view.is_report:
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
    valued = {col: (m["Valued as"], unit_costs.get(m["Valued as"]))
              for col, (_, m) in zip(count_cols, mp.iterrows())
              if m["Valued as"] != NOT_COSTED and not pd.isna(unit_costs.get(m["Valued as"]))}
    rows = _benefit_rows(view, valued)
    if not rows:
        st.info("No outcome is valued: choose a Home Office category for at least one outcome.")
        return
    first = rows[0]
    upper = view.is_report and first["category"] == UPPER and first["outcome"] == "suspect_violent"
    _benefit_chart(view, rows, "offences prevented", upper, f"{price_year} prices, not inflated")
    _benefit_lines(view, rows, note_upper=True)


# ---------------------------------------------------------------- scale-up
def simple_scale_up(view: CostView) -> None:
    """For programmes without case workers: the improvement expected at other sizes."""
    cols = [c for c in view.allr.index if improvement_terms(view.spec(c)).sign]
    if not cols:
        return
    st.header("Scale-up scenario")
    st.markdown("What a larger programme might achieve in a year, **if** each person offered "
                "it had the trial's per-person effect (a similar group, similar delivery and "
                "take-up).")
    c1, c2 = st.columns(2)
    people = c1.number_input("People offered the programme per year", min_value=1, step=10,
                             key=remember("cost_scale_people", 200))
    col = c2.selectbox("Outcome", cols, format_func=view.label,
                      key=remember("cost_scale_outcome", options=cols))
    spec, words = view.spec(col), md_terms(view.spec(col))
    dg = digits_for(spec)
    p = expected_prevented(int(people), *view.effect(col))
    per_person = view.total / view.cases if view.total and view.cases else None
    st.info(f"**{int(people)} people a year**: about "
            f"{count_text(p.expected, dg, words.worse, words.many)} ({view.level} interval "
            f"{count_range(p.low, p.high, dg, words.worse, 'better')})"
            + (f", for about **{money(per_person * int(people))} a year** at the trial's "
               f"{money(per_person)} per person." if per_person else ".")
            + (" The interval includes no effect." if p.includes_no_effect else ""))


def staffed_scale_up(view: CostView, n_workers, n_coords, caseloads, per_case, low, high,
                     rec_max) -> None:
    """Case workers, coordinators and offences/harm prevented at other programme sizes."""
    st.header("Scale-up scenario")
    st.markdown("What a larger programme would need and might prevent in a year, **if** each "
                "young person offered it had the trial's per-person effect. That assumes a "
                "similar eligible group, similar delivery and engagement, and 12 months of "
                "follow-up.")
    total, cases = view.total, view.cases
    posts = int(n_workers) + int(n_coords)
    staff_default = float(total) / posts if posts else 0.0
    eff_caseload = (float(cases) / int(n_workers) if int(n_workers) and cases
                    else float(sum(caseloads.values())) / max(len(caseloads), 1))
    c1, c2, c3 = st.columns(3)
    with c1:
        people = st.number_input("Young people offered the programme per year", min_value=1,
                                 step=10, key=remember("cost_scale_people", 200))
        caseload = st.number_input("Caseload (people per case worker)", min_value=1.0,
                                   step=0.5, format="%.1f",
                                   key=remember("cost_scale_caseload", round(eff_caseload, 1),
                                                scope=(view.trial.name, eff_caseload)))
        st.caption(f"Default: the trial's effective caseload, {cases} cases ÷ {int(n_workers)} "
                   f"case workers = {eff_caseload:.1f}."
                   if int(n_workers) else "Default: the caseload entered above.")
        if view.is_report and isinstance(rec_max, list) and len(rec_max) == 2:
            st.caption(f"Report: recommended maximum caseload {rec_max[0]}-{rec_max[1]}.")
    with c2:
        worker_cost = st.number_input("Annual cost of one case worker (£)", min_value=0.0,
                                      step=1000.0, format="%.0f",
                                      key=remember("cost_scale_worker_cost", staff_default,
                                                   scope=(view.trial.name, staff_default)))
        coord_cost = st.number_input("Annual cost of one coordinator (£)", min_value=0.0,
                                     step=1000.0, format="%.0f",
                                     key=remember("cost_scale_coord_cost", staff_default,
                                                  scope=(view.trial.name, staff_default)))
        if view.is_report:
            lo_load, hi_load = min(caseloads.values()), max(caseloads.values())
            st.caption(f"Assumption, not from the report: the {money(total)} split equally over "
                       f"the {posts} posts (the report gives no salaries). At caseloads "
                       f"{lo_load}-{hi_load} that is {money(staff_default / max(hi_load, 1))}-"
                       f"{money(staff_default / max(lo_load, 1))} of case-worker cost per case"
                       + (f"; the report's own estimate is {money(low)}-{money(high)} per case."
                          if low and high else "."))
        elif staff_default:
            st.caption(f"Default: the {money(total)} entered above split equally over the "
                       f"{posts} posts. Enter real salaries if you have them.")
        else:
            st.caption("Enter the annual cost of each post.")
    with c3:
        coord_default = max(int(round(cases / int(n_coords))) if int(n_coords) else int(cases), 1)
        per_coord = st.number_input("People per coordinator", min_value=1, step=5,
                                    key=remember("cost_scale_per_coord", coord_default,
                                                 scope=(view.trial.name, coord_default)))
        st.caption((f"Default: the trial had {int(n_coords)} coordinator(s) for {cases} cases."
                    if int(n_coords) else
                    f"Default: one coordinator for the {cases} people offered the programme in "
                    "the data.")
                   + (" The report expects coordination cost per case to fall with scale; raise "
                      "this number to reflect that." if view.is_report else ""))
        other = st.number_input("Other annual costs (£)", min_value=0.0, step=1000.0,
                                format="%.0f", key=remember("cost_scale_other", 0.0))
    sizes = sorted({max(1, int(round(people * k))) for k in (0.25, 0.5, 1.0, 1.5, 2.0)})
    # offence and harm scale-up only for crime measures with a direction
    crime = [c for c in view.allr.index if view.spec(c).crime
             and improvement_terms(view.spec(c)).sign]
    shown = [c for c in (st.session_state.get("cost_offence_outcome"),
                         st.session_state.get("cost_harm_outcome")) if c in crime] or crime[:2]
    effects = {c: view.effect(c) for c in dict.fromkeys(shown)}
    try:
        table = scale_up_table(sizes, effects, caseload=caseload, case_worker_cost=worker_cost,
                               coordinator_cost=coord_cost, people_per_coordinator=per_coord,
                               other_costs=other)
    except DataError as exc:
        st.error(f"The scale-up cannot be worked out: {md(exc)}")
        return
    at_n = table[table["people"] == int(people)]
    s = at_n.iloc[0]
    scale_costed = s["annual_cost"] > 0

    def prevented_words(row, words, digits=0):
        text = (f"about {count_text(row['prevented'], digits, words.worse, words.many)} "
                f"({view.level} interval "
                f"{count_range(row['prevented_low'], row['prevented_high'], digits, words.worse, 'prevented')})")
        return text + (" — the interval includes no effect" if row["includes_no_effect"] else "")

    staff = f"**{s['case_workers']} case workers and {s['coordinators']} coordinator(s)**"
    lines = [f"{md(view.label(c))}: {prevented_words(at_n[at_n['effect'] == c].iloc[0], md_terms(view.spec(c)))}."
             for c in effects]
    st.info(f"**{int(people)} young people a year** at a caseload of {caseload:g}: {staff}"
            + (f", about **{money(s['annual_cost'])} a year** ({money(s['cost_per_person'])} per "
               "person). " if scale_costed else
               ". Enter the annual cost of a case worker and a coordinator above to see the "
               "cost. ") + " ".join(lines))
    if scale_costed:
        trial_pp = (f"the trial's {money(per_case)} per person" if per_case is not None
                    else "the trial's cost per person")
        st.caption(
            f"Why the cost per person changes with scale: staff come in whole posts. "
            f"{int(people)} people at a caseload of {caseload:g} is {int(people) / caseload:.1f} "
            f"case workers' worth of work, rounded up to {s['case_workers']}, and "
            f"{int(people) / per_coord:.1f} coordinators' worth, rounded up to "
            f"{s['coordinators']}; part-filled posts push the cost per person above {trial_pp}, "
            "full posts bring it back down.")
        st.plotly_chart(scale_cost_figure(
            table, title=(f"{int(people)} young people a year need {s['case_workers']} case "
                          f"workers and {s['coordinators']} coordinator(s): about "
                          f"{money_text(s['annual_cost'], short=True)} a year"),
            subtitle=(f"caseload {caseload:g} · one coordinator per {per_coord} people · "
                      "staff costs only")),
            width="stretch", theme=None, key="cost_scale_cost_chart")
    for i, (column, c) in enumerate(zip(st.columns(max(len(effects), 1)), effects)):
        row = at_n[at_n["effect"] == c].iloc[0]
        words = improvement_terms(view.spec(c))
        harm = view.spec(c).kind != "count"
        iv = (f"{view.level} interval: "
              f"{count_range(row['prevented_low'], row['prevented_high'], 0)}")
        with column:
            st.plotly_chart(scale_prevented_figure(
                table[table["effect"] == c],
                unit="Harm days / year" if harm else "Offences / year", level=view.level,
                title=(f"{int(people)} people a year: about "
                       f"{count_text(row['prevented'], 0, words.worse, words.many)}"),
                subtitle=" · ".join(x for x in (view.synthetic_note, iv + (
                    " (includes no effect)" if row["includes_no_effect"] else "")) if x)),
                width="stretch", theme=None,
                # by position: two outcomes of one kind (two counts) must not share a key
                key=f"cost_scale_{'harm' if harm else 'off'}_chart_{i}")
            st.caption(f"{md(view.label(c))}; expected {md(words.many)} per year by programme size.")
    st.caption("Band = the range implied by the effect's confidence interval. Where the band "
               "crosses zero, the data are consistent with the programme preventing nothing (or "
               "with increases)."
               + (" A one-sided interval has one open end, drawn to the edge of the chart."
                  if view.sided == "one-sided" else ""))
