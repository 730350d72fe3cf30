"""Step 3 of the Data page: the trial specification, guessed with reasons, then corrected.

Widgets keep their values in ``st.session_state`` under ``data_*`` keys; the guesses are
made once per uploaded table (``data_map_for`` holds its token) so the user's corrections
survive reruns. Streamlit drops a widget's value when the user opens another page, so the
specification the widgets last described is kept too (``data_kept``, with the table's token)
and put back on return instead of guessing again. The outcome table is built once per set of
chosen outcomes, so a cell edits in one click and the columns keep their widths.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.state import memo
from dashboard.upload import md_escape, signature
from fd_stats.analysis import TEST_LABELS
from fd_stats.data.validate import validate
from fd_stats.errors import DataError
from fd_stats.data.mapping import (DESIGNS, KINDS, ColumnMapping, Design, OutcomeSpec, arm_values,
                              guess_arm_values, guess_kind_reason, guess_label, guess_spec,
                              guess_unit, mapping_from_json, subgroup_eligibility)

NONE = "(none)"
CHOOSE = "choose…"
DIRECTION_LABELS = {"lower": "lower is better", "higher": "higher is better",
                    "neither": "neither", None: CHOOSE}
FROM_LABEL = {v: k for k, v in DIRECTION_LABELS.items()}
DESIGN_LABELS = {"simple": "Simple (individuals randomised)",
                 "stratified": "Stratified (randomised within strata)",
                 "cluster": "Cluster (whole groups randomised)"}


def checks(ss, table: pd.DataFrame, token: str, cmap: ColumnMapping):
    """:func:`fd_stats.data.validate.validate` of the pending table under ``cmap``, once per
    table and specification."""
    return memo(ss, "data_checks", (token, cmap.to_json()), lambda: validate(table, cmap))


def _apply(ss, m: ColumnMapping, reasons=None) -> None:
    """Put a specification into the widgets' state."""
    vals = arm_values(ss["data_table_ref"], m.arm) if m.arm else []
    fold = {x.casefold(): x for x in vals}
    ss.update(data_arm=m.arm, data_treat=fold.get(str(m.treatment).casefold(), m.treatment),
              data_ctrl=fold.get(str(m.control).casefold(), m.control),
              data_pid=m.person_id or NONE, data_eng=m.engagement or NONE,
              data_subgroups=list(m.subgroups), data_prespec=list(m.prespecified),
              data_outcomes=m.outcome_columns, data_specs={o.column: o for o in m.outcomes},
              data_covariates=list(m.covariates), data_design=m.design.type,
              data_strata=list(m.design.strata), data_cluster=m.design.cluster or NONE,
              data_ratio=float(m.design.allocation_ratio),
              data_follow=float(m.follow_up_months or 0.0),
              data_crime_programme=bool(m.crime_programme), data_method=m.method)
    ss.pop("data_base", None)
    if reasons is not None:
        ss["data_reasons"] = reasons


def guess_once(ss, table: pd.DataFrame, pending: dict) -> None:
    """Guess the specification for a newly pending table (not on every rerun)."""
    cols = list(map(str, table.columns))
    if ss.get("data_map_for") == pending["token"]:
        if "data_arm" in ss:
            return
        kept = ss.get("data_kept")
        if kept and kept["token"] == pending["token"]:  # back from another page
            ss["data_table_ref"] = table
            _apply(ss, kept["mapping"])
            ss["data_synthetic"] = kept["synthetic"]
            return
    ss["data_table_ref"] = table
    g, reasons = guess_spec(table, pending["labels"])
    if pending["source"] in ("aggregate", "bundled"):
        # counted from a crimes extract (or the bundled trial): crime measures, lower is better
        for o in g.outcomes:
            o.crime, o.direction = True, o.direction or "lower"
        g.crime_programme = pending["source"] == "bundled"
    if not g.arm:
        g.arm = cols[0]
        g.treatment, g.control = guess_arm_values(arm_values(table, cols[0]))
    _apply(ss, g, reasons)
    ss["data_map_for"] = pending["token"]
    ss["data_mapping_note"] = None if any(r.role == "arm" and r.column for r in reasons) else (
        "No column looked like the arm: choose it below.")
    ss.setdefault("data_synthetic", False)


def load_saved_mapping(ss, table: pd.DataFrame, token: str) -> None:
    m_load = st.file_uploader("Load a saved mapping (JSON) — optional", type=["json"],
                              key="data_mapping_file", max_upload_size=1,  # MB, as read
                              help="A mapping downloaded from this page earlier: fills in every "
                                   "choice below in one go (handy for a monthly refresh).")
    if m_load is not None:
        msig = signature(m_load.getvalue(), m_load.name) + token
        if msig != ss.get("data_mapping_sig"):
            ss["data_mapping_sig"] = msig
            ss["data_mapping_error"] = None
            try:
                loaded = mapping_from_json(m_load.getvalue(), m_load.name)
                loaded.check_columns(table, m_load.name)
                vals = arm_values(table, loaded.arm)
                for v in (loaded.treatment, loaded.control):
                    if v.casefold() not in {x.casefold() for x in vals}:
                        raise DataError(f"{m_load.name}: the arm value {v!r} is not in column "
                                        f"{loaded.arm!r} (values: {', '.join(vals[:8])}).")
                ss["data_table_ref"] = table
                _apply(ss, loaded)
                ss["data_mapping_note"] = f"Mapping loaded from {m_load.name}."
            except DataError as exc:
                ss["data_mapping_note"] = None
                ss["data_mapping_error"] = str(exc)
    else:
        ss["data_mapping_sig"] = None
        ss["data_mapping_error"] = None
    if ss.get("data_mapping_error"):
        st.error(md_escape(ss["data_mapping_error"]) + " The choices below were not changed.",
                 icon=":material/block:")
    if ss.get("data_mapping_note"):
        st.info(md_escape(ss["data_mapping_note"]))


def show_reasons(ss) -> None:
    reasons = ss.get("data_reasons") or []
    if reasons:
        with st.expander("Why these guesses (check them: each says what it was based on)"):
            st.dataframe(pd.DataFrame([{"column": r.column or "—", "proposed as": r.role,
                                        "because": r.reason} for r in reasons]),
                         hide_index=True, width="stretch",
                         column_config={"because": st.column_config.TextColumn(width="large")})


def _outcome_table(ss, table: pd.DataFrame, chosen: list[str], baseline_options: list[str],
                   token: str) -> dict:
    specs: dict = ss.setdefault("data_specs", {})
    for c in chosen:
        if c not in specs:
            kind, _ = guess_kind_reason(c, table[c])
            specs[c] = OutcomeSpec(c, guess_label(c), guess_unit(kind, c), None, kind)
    key = f"data_editor_{token}_{abs(hash(tuple(chosen))) % 10**12}"
    if ss.get("data_base_key") != key or "data_base" not in ss:
        # built once per set of outcomes: rebuilding it on every edit would reset the editor
        # (two clicks per cell, lost column widths)
        ss["data_base_key"] = key
        ss["data_base"] = pd.DataFrame([{
            "column": c, "label": specs[c].label,
            "better": DIRECTION_LABELS[specs[c].direction], "kind": specs[c].kind,
            "unit": specs[c].unit, "crime measure": specs[c].crime,
            "baseline": specs[c].baseline or NONE} for c in chosen])
    edited = st.data_editor(
        ss["data_base"], hide_index=True, disabled=["column"], num_rows="fixed", key=key,
        width="stretch",
        column_config={
            "column": st.column_config.TextColumn("column in the file", width=130),
            "label": st.column_config.TextColumn("label", required=True, width=160),
            "unit": st.column_config.TextColumn("unit", width=80,
                                                help="e.g. GBP, days, crimes per person"),
            "kind": st.column_config.SelectboxColumn(
                "kind", options=list(KINDS), required=True, width=90,
                help="count: events per person (0, 1, 2 ...); binary: yes/no as 0/1; "
                     "continuous: an amount such as money; score: a sum of weights such as "
                     "crime harm"),
            "better": st.column_config.SelectboxColumn(
                "which way is better", options=list(DIRECTION_LABELS.values()), required=True,
                width=140, help="Nothing is called favourable until you choose."),
            "crime measure": st.column_config.CheckboxColumn(
                "crime measure", width=95,
                help="Tick for a crime or victimisation measure: only then do pages speak of "
                     "offences prevented and value them at the cost of crime."),
            "baseline": st.column_config.SelectboxColumn(
                "baseline", options=[NONE] + baseline_options, width=125,
                help="The same measure before randomisation, if the file has it."),
        })
    for row in edited.to_dict("records"):
        c = row["column"]
        base = row.get("baseline")
        specs[c] = OutcomeSpec(c, str(row.get("label") or c), str(row.get("unit") or ""),
                               FROM_LABEL.get(row.get("better")),
                               row.get("kind") if row.get("kind") in KINDS else "count",
                               bool(row.get("crime measure")),
                               None if base in (None, NONE) else base)
    return specs


def mapping_step(ss, table: pd.DataFrame, pending: dict) -> ColumnMapping:
    """Draw step 3 and return the specification the widgets describe."""
    cols = list(map(str, table.columns))
    token = pending["token"]
    guess_once(ss, table, pending)
    load_saved_mapping(ss, table, token)
    show_reasons(ss)
    if ss.get("data_arm") not in cols:
        ss["data_arm"] = cols[0]
    c1, c2, c3 = st.columns(3)
    arm = c1.selectbox("Arm column (who was randomised to what)", cols, key="data_arm")
    vals = memo(ss, "data_arm_values", (token, arm), lambda: arm_values(table, arm)) \
        or ["(no values)"]
    if ss.get("data_treat") not in vals or ss.get("data_ctrl") not in vals:
        ss["data_treat"], ss["data_ctrl"] = guess_arm_values(vals)
        ss["data_treat"] = ss["data_treat"] or vals[0]
        ss["data_ctrl"] = ss["data_ctrl"] or vals[-1]
    treat = c2.selectbox("Value meaning treatment", vals, key="data_treat")
    ctrl = c3.selectbox("Value meaning control", vals, key="data_ctrl")
    others = [c for c in cols if c != arm]
    for k in ("data_pid", "data_eng", "data_cluster"):
        if ss.get(k) not in [NONE] + others:
            ss[k] = NONE
    c1, c2, c3 = st.columns(3)
    pid = c1.selectbox("Person id column", [NONE] + others, key="data_pid")
    eng = c2.selectbox("Engagement column (treatment arm, yes/no)", [NONE] + others,
                       key="data_eng")
    keys = {arm, pid, eng}
    outcome_options = [c for c in cols if c not in keys]
    ss["data_outcomes"] = [c for c in ss.get("data_outcomes", []) if c in outcome_options]
    chosen = st.multiselect("Outcome columns (numbers compared between the arms)",
                            outcome_options, key="data_outcomes")
    # subgroups: only columns measured before randomisation, present in both arms
    excluded = keys | set(chosen)
    why_not = memo(ss, "data_subgroup_check", (token, arm, treat, ctrl, tuple(sorted(excluded))),
                   lambda: subgroup_eligibility(table, arm, treat, ctrl, excluded))
    sub_ok = [c for c in others if why_not.get(c) == ""]
    ss["data_subgroups"] = [c for c in ss.get("data_subgroups", []) if c in sub_ok]
    with c3:
        subs = st.multiselect("Subgroup columns (measured before randomisation)", sub_ok,
                              key="data_subgroups")
        ss["data_prespec"] = [c for c in ss.get("data_prespec", []) if c in subs]
        pre = st.multiselect("Of these, pre-specified (planned before seeing the data)", subs,
                             key="data_prespec", help="The others are labelled exploratory.")
    not_offered = {c: r for c, r in why_not.items() if r and c not in chosen}
    if not_offered:
        with st.expander(f"{len(not_offered)} column(s) not offered as subgroups, and why"):
            st.dataframe(pd.DataFrame({"column": list(not_offered),
                                       "why not": list(not_offered.values())}),
                         hide_index=True, width="stretch")
    specs = {}
    if chosen:
        st.caption("Check each outcome: its label and unit appear on every page and in the "
                   "board pack; **which way is better** must be chosen (nothing is called "
                   "favourable until it is). Click a cell to edit it.")
        specs = _outcome_table(ss, table, chosen,
                               [c for c in cols if c not in keys and c not in chosen], token)
        unset = [specs[c].label for c in chosen if specs[c].direction is None]
        if unset:
            st.warning(f"Choose **which way is better** for {len(unset)} outcome(s) in the "
                       "table above. Until then no result for them is called favourable or "
                       "unfavourable.", icon=":material/help:")
    st.subheader("Design and baseline covariates")
    cov_options = [c for c in cols if c not in keys and c not in chosen]
    ss["data_covariates"] = [c for c in ss.get("data_covariates", []) if c in cov_options]
    ss["data_strata"] = [c for c in ss.get("data_strata", []) if c in others]
    d1, d2, d3 = st.columns(3)
    covs = d1.multiselect("Baseline covariates (measured before randomisation)", cov_options,
                          key="data_covariates")
    design = d2.selectbox("Randomisation", list(DESIGNS), format_func=DESIGN_LABELS.get,
                          key="data_design")
    strata = d2.multiselect("Strata columns", others, key="data_strata",
                            disabled=design != "stratified")
    cluster = d2.selectbox("Cluster column", [NONE] + others, key="data_cluster",
                           disabled=design != "cluster")
    ratio = d3.number_input("Planned allocation ratio (treatment ÷ control; 1 = 1:1)",
                            min_value=0.05, max_value=20.0, step=0.25, key="data_ratio")
    follow = d3.number_input("Follow-up (months; 0 = not stated)", min_value=0.0,
                             max_value=600.0, step=1.0, key="data_follow")
    # the primary method, named before the data are seen; blocked needs strata
    methods = [k for k in TEST_LABELS if k != "blocked" or (design == "stratified" and strata)]
    if ss.get("data_method") not in methods:
        ss["data_method"] = "welch"
    method = d3.selectbox("Primary method (named in the trial's analysis plan)", methods,
                          format_func=TEST_LABELS.get, key="data_method",
                          help="The analysis the pages open with and the board pack reports "
                               "first; every other method is shown beside it on the Outcomes "
                               "page. Choose it before looking at the results.")
    crime_prog = d1.checkbox("Crime programme with case workers", key="data_crime_programme",
                             help="Tick if the programme is case work about crime: the Cost and "
                                  "Engagement pages then speak of case workers and caseloads.")
    mapping = ColumnMapping(
        arm, str(treat), str(ctrl), [specs[c] for c in chosen],
        None if pid == NONE else pid, list(subs), None if eng == NONE else eng, list(covs),
        Design(design, strata if design == "stratified" else [],
               None if design != "cluster" or cluster == NONE else cluster, ratio),
        list(pre), follow or None, bool(crime_prog), method)
    ss["data_kept"] = {"token": token, "mapping": mapping,
                       "synthetic": bool(ss.get("data_synthetic"))}
    return mapping
