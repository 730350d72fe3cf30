"""Data: choose the bundled trial or bring your own (upload, map columns, validate, use)."""
import uuid

import pandas as pd
import streamlit as st

from dashboard.state import BUNDLED_NAME, add_dataset, datasets, sidebar

st.set_page_config(page_title="Data · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard.upload import (TABLE_TYPES, MAX_UPLOAD_MB, check_size, dataset_name,  # noqa: E402
                              example_files, handle_upload, is_excel,
                              md_escape, outcomes_page, read_example, signature)
from fd_stats.aggregate import aggregate  # noqa: E402
from fd_stats.errors import DataError  # noqa: E402
from fd_stats.workbook_guard import MAX_CELLS  # noqa: E402
from fd_stats.mapping import (KINDS, ColumnMapping, OutcomeSpec, arm_values,  # noqa: E402
                              build_trial, guess_arm_values, guess_kind, guess_label, guess_mapping,
                              guess_unit, mapping_from_json)
from fd_stats.validate import validate  # noqa: E402
from fd_stats.wording import SYNTHETIC_LABEL  # noqa: E402

ss = st.session_state
NONE = "(none)"


def set_pending(table, name, source, labels=None, notes=None, sheets=None, sheet=None):
    """A table waiting to be mapped and checked; the data set in use is not touched."""
    ss["data_pending"] = {"table": table, "name": name, "source": source, "labels": labels or {},
                          "notes": notes or [], "sheets": sheets or [], "sheet": sheet,
                          "token": uuid.uuid4().hex}
    ss["data_map_for"] = None  # re-guess the mapping for the new table
    ss.pop("data_name", None)


def fail(message: str, where: str = "data_upload_error"):
    ss[where] = message
    ss.pop("data_pending", None)


def use_dataset(cmap: ColumnMapping, name: str, synthetic: bool):
    """Button callback (runs before the page, so the sidebar shows the new data set at once)."""
    pending = ss.get("data_pending")
    try:
        if pending is None:
            raise DataError("There is no data set waiting to be used. Upload a file first.")
        report = validate(pending["table"], cmap)
        report.raise_if_blocking()
        trial = build_trial(pending["table"], cmap, (name or "").strip() or "Uploaded data",
                            synthetic=synthetic, source=pending["source"])
        if trial.name == BUNDLED_NAME:
            raise DataError("That name belongs to the bundled data set; choose another name.")
        add_dataset(trial)
        ss["data_flash"] = ("success", trial.name, "pending")
    except DataError as exc:
        ss["data_flash"] = ("error", str(exc), "pending")


def use_bundled():
    ss["cfg_dataset"] = BUNDLED_NAME
    ss["cfg_outcomes"] = None
    ss["cfg_subgroup"] = "__default__"
    ss["data_flash"] = ("success", BUNDLED_NAME, "bundled")


st.title("Data")
current = ctx.trial
st.markdown(f"**Data set in use:** {md_escape(current.name)} — {len(current.table):,} rows, "
            f"{len(current.outcomes or current.mapping.outcomes)} outcomes. "
            "Every page analyses this data set; change it here or in the sidebar.")
if current.synthetic:
    st.caption("⚠️ " + SYNTHETIC_LABEL)

flash = ss.pop("data_flash", None)


def show_flash(where: str) -> None:
    """The outcome of a 'Use ...' button, shown next to the button that was pressed."""
    if not flash or flash[2] != where:
        return
    if flash[0] == "success":
        st.success(f"Now using **{md_escape(flash[1])}** on every page.",
                   icon=":material/check_circle:")
        try:
            st.page_link(outcomes_page() or "", label="Go to the Outcomes page →",
                         icon=":material/bar_chart:")
        except Exception:  # no Outcomes page, or the page runs alone (tests)
            st.markdown("Open **Outcomes** in the page list on the left to see the results.")
    else:
        st.error(f"The data set was not changed: {md_escape(flash[1])}", icon=":material/block:")


st.markdown("Bring your own trial in four steps: **1** upload a file with one row per person "
            "(or build one from a crimes extract), **2** check the preview, **3** say which "
            "column is which, **4** read the checks and press *Use this data set*. Uploaded "
            "data stay in this browser session's memory only: nothing is saved or sent.")

# ---------------------------------------------------------------- step 1
st.header("1. Choose or upload data")
tab_up, tab_crimes, tab_bundled, tab_layout = st.tabs(
    ["Upload a person-level file", "Build from a crimes extract", "Bundled data",
     "Expected layout and template"])

with tab_up:
    up = st.file_uploader(f"CSV, Excel (.xlsx) or Parquet, one row per person, up to "
                          f"{MAX_UPLOAD_MB} MB", type=TABLE_TYPES, key="data_file")
    # the browser refuses a larger file before it reaches the server, so say it here
    st.caption(f"A file over {MAX_UPLOAD_MB} MB is refused by the uploader (its note appears "
               "under the box) and nothing is loaded: save the data as Parquet, which is often "
               "five to ten times smaller, or keep only the columns and rows you need. Excel "
               f"workbooks are read up to {MAX_CELLS:,} cells; larger ones load as CSV or Parquet.")
    if up is not None:
        try:
            check_size(up.size, up.name)
            raw = up.getvalue()
            sheet = ss.get("data_sheet") if is_excel(up.name) else None
            sig = signature(raw, up.name, sheet)
            if sig != ss.get("data_upload_sig"):
                ss["data_upload_sig"] = sig
                ss["data_upload_error"] = None
                u = handle_upload(raw, up.name, sheet)
                set_pending(u.table, u.name, "upload", notes=u.notes, sheets=u.sheets, sheet=u.sheet)
        except DataError as exc:
            fail(str(exc))
        except Exception as exc:  # never a traceback, whatever the file holds
            fail(f"{up.name} could not be read ({type(exc).__name__}). Check that it is a "
                 "CSV, .xlsx or Parquet file with a header row.")
    else:
        ss["data_upload_sig"] = None
    if ss.get("data_upload_error"):
        st.error(md_escape(ss["data_upload_error"]), icon=":material/block:")
        st.info(f"Nothing was changed: the dashboard still uses {md_escape(current.name)}.")
    pending = ss.get("data_pending")
    if pending and pending["sheets"] and len(pending["sheets"]) > 1:
        if ss.get("data_sheet") not in pending["sheets"]:
            ss["data_sheet"] = pending["sheet"]
        st.selectbox("Worksheet", pending["sheets"], key="data_sheet",
                     help="The workbook has several sheets; choose the one with one row per person.")

with tab_crimes:
    st.markdown("Turn a police crimes extract (one row per crime and person involved) into one "
                "row per person: counts of knife, violent, violent-or-sexual and "
                "non-police-initiated crimes, and total crime harm, as suspect and as victim, "
                "over a follow-up window from each person's randomisation date. People with no "
                "crimes get zeros.")
    c1, c2 = st.columns(2)
    f_crimes = c1.file_uploader("Crimes extract: person id, date, offence, role "
                                "(suspect/victim), optional police-initiated flag",
                                type=TABLE_TYPES, key="data_crimes")
    f_people = c2.file_uploader("Randomisation list: person id, arm, randomisation date, "
                                "subgroup and engagement columns", type=TABLE_TYPES,
                                key="data_people")
    f_harm = c1.file_uploader("Harm lookup: offence, harm in days (the Cambridge Crime Harm "
                              "Index is licensed: supply your own)", type=TABLE_TYPES,
                              key="data_harm")
    f_groups = c2.file_uploader("Offence groups (optional; default: the bundled definitions)",
                                type=TABLE_TYPES, key="data_groups")
    months = st.number_input("Follow-up (months from randomisation)", min_value=1,
                             max_value=120, value=12, step=1, key="data_months")
    b1, b2 = st.columns(2)
    go = b1.button("Count crimes per person", key="data_aggregate", type="primary",
                   disabled=not (f_crimes and f_people and f_harm))
    demo = b2.button("Try it with the fictional example files", key="data_demo")
    if go or demo:
        ss["data_aggregate_error"] = None
        try:
            if demo:
                names = {"crimes": "crimes_example.csv", "people": "randomisation_example.csv",
                         "harm": "harm_lookup_example.csv", "groups": "offence_groups_example.csv"}
                tables = [read_example(names["crimes"]), read_example(names["people"]),
                          read_example(names["harm"]), None]
                label = "Fictional example (built from a crimes extract)"
            else:
                files = {"crimes": f_crimes, "people": f_people, "harm": f_harm,
                         "groups": f_groups}
                names = {k: f.name for k, f in files.items() if f is not None}
                tables = [handle_upload(f.getvalue(), f.name).table if f is not None else None
                          for f in files.values()]
                label = f"{f_people.name.rsplit('.', 1)[0]} (built from {f_crimes.name})"
            res = aggregate(*tables, months=int(months), names=names)
            set_pending(res.table, label, "aggregate",
                        labels={o.column: o for o in res.outcomes},
                        notes=res.notes + [
                            f"{res.summary['crimes_counted']:,} of {res.summary['crime_rows']:,} "
                            f"crime rows counted (within {res.summary['months']} months of "
                            f"randomisation) for {res.summary['people']:,} people."])
            ss["data_upload_error"] = None
            ss["data_synthetic"] = bool(demo)  # the example people are made up
        except DataError as exc:
            fail(str(exc), "data_aggregate_error")
        except Exception as exc:
            fail(f"The files could not be combined ({type(exc).__name__}). Check each file's "
                 "columns against the descriptions above.", "data_aggregate_error")
    if ss.get("data_aggregate_error"):
        st.error(md_escape(ss["data_aggregate_error"]), icon=":material/block:")
        st.info(f"Nothing was changed: the dashboard still uses {md_escape(current.name)}.")
    ex = example_files()
    with st.expander("Example files and the offence-group definitions"):
        st.markdown("All example files are **fictional**; the harm values in the example lookup "
                    "are **invented** and are not the Cambridge Crime Harm Index. Edit a copy of "
                    "the offence groups to match your force's offence codes: one row per "
                    "offence, one yes/no column per group.")
        cols = st.columns(4)
        for i, f in enumerate(["crimes_example.csv", "randomisation_example.csv",
                               "harm_lookup_example.csv", "offence_groups_example.csv"]):
            if f in ex:
                cols[i].download_button(f, ex[f], file_name=f, mime="text/csv",
                                        key=f"data_dl_{f}")
        st.markdown("The same step runs from the command line for monthly refreshes: "
                    "`python -m fd_stats aggregate --crimes crimes.csv --people randomised.csv "
                    "--harm harm.csv --months 12 --out people.csv`")

with tab_bundled:
    st.markdown(f"**{md_escape(BUNDLED_NAME)}**: 131 synthetic people rebuilt from the published "
                "tables of the Milton Keynes Focused Deterrence trial report. " + SYNTHETIC_LABEL)
    b1, b2 = st.columns(2)
    b1.button("Use the bundled data", key="data_use_bundled", on_click=use_bundled,
              disabled=current.name == BUNDLED_NAME)
    show_flash("bundled")
    if b2.button("Open it below to see its columns and checks", key="data_open_bundled"):
        b = datasets()[BUNDLED_NAME]
        set_pending(b.table, "Focused Deterrence copy", "bundled",
                    labels={o.column: OutcomeSpec(o.column, o.label, o.unit, o.lower_is_better,
                                                  "continuous" if o.kind == "harm" else "count")
                            for o in b.outcomes})
        ss["data_synthetic"] = True

with tab_layout:
    st.markdown("One row per person; one column for the arm; one column per outcome. Column "
                "names can be anything: you say which is which in step 3.")
    c1, c2 = st.columns(2)
    if "person_level_template.csv" in ex:
        c1.download_button("Download the template (CSV)", ex["person_level_template.csv"],
                           file_name="person_level_template.csv", mime="text/csv",
                           key="data_dl_template")
    if "data_dictionary.md" in ex:
        c2.download_button("Download the data dictionary", ex["data_dictionary.md"],
                           file_name="data_dictionary.md", mime="text/markdown",
                           key="data_dl_dictionary")
        with st.expander("Read the data dictionary"):
            st.markdown(ex["data_dictionary.md"].decode("utf-8"))

pending = ss.get("data_pending")
if pending is None:
    st.info(f"Upload a file above (or build one from a crimes extract) to map and check it. "
            f"If the uploader showed “File must be {MAX_UPLOAD_MB:.1f}MB or smaller”, the file "
            "was not loaded: see the note under the upload box.")
    st.stop()

table: pd.DataFrame = pending["table"]
cols = list(map(str, table.columns))

# ---------------------------------------------------------------- step 2
st.header("2. Preview")
st.markdown(f"**{md_escape(pending['name'])}**: {len(table):,} rows × {len(cols):,} columns. "
            "First 10 rows:")
st.dataframe(table.head(10), hide_index=True)
for note in pending["notes"]:
    st.info(md_escape(note))

# ---------------------------------------------------------------- step 3
st.header("3. Which column is which?")
token = pending["token"]
if ss.get("data_map_for") != token or "data_arm" not in ss:
    g = guess_mapping(table, pending["labels"])
    ss["data_map_for"] = token
    ss["data_arm"] = g.arm if g.arm in cols else cols[0]
    vals = arm_values(table, ss["data_arm"])
    ss["data_treat"], ss["data_ctrl"] = (g.treatment, g.control) if g.arm else \
        guess_arm_values(vals)
    ss["data_pid"] = g.person_id or NONE
    ss["data_eng"] = g.engagement or NONE
    ss["data_subgroups"] = g.subgroups
    ss["data_outcomes"] = g.outcome_columns
    ss["data_specs"] = {o.column: o for o in g.outcomes}
    ss["data_mapping_note"] = None if g.arm else (
        "No column looked like the arm: choose it below.")
    ss.setdefault("data_synthetic", False)

m_load = st.file_uploader("Load a saved mapping (JSON) — optional", type=["json"],
                          key="data_mapping_file",
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
            fold = {x.casefold(): x for x in vals}
            ss.update(data_arm=loaded.arm, data_treat=fold[loaded.treatment.casefold()],
                      data_ctrl=fold[loaded.control.casefold()],
                      data_pid=loaded.person_id or NONE, data_eng=loaded.engagement or NONE,
                      data_subgroups=loaded.subgroups, data_outcomes=loaded.outcome_columns,
                      data_specs={o.column: o for o in loaded.outcomes})
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

c1, c2, c3 = st.columns(3)
arm = c1.selectbox("Arm column (who was randomised to what)", cols, key="data_arm")
vals = arm_values(table, arm) or ["(no values)"]
if ss.get("data_treat") not in vals or ss.get("data_ctrl") not in vals:
    ss["data_treat"], ss["data_ctrl"] = guess_arm_values(vals)
    ss["data_treat"] = ss["data_treat"] or vals[0]
    ss["data_ctrl"] = ss["data_ctrl"] or vals[-1]
treat = c2.selectbox("Value meaning treatment", vals, key="data_treat")
ctrl = c3.selectbox("Value meaning control", vals, key="data_ctrl")
others = [c for c in cols if c != arm]
c1, c2, c3 = st.columns(3)
for k in ("data_pid", "data_eng"):
    if ss.get(k) not in [NONE] + others:
        ss[k] = NONE
pid = c1.selectbox("Person id column", [NONE] + others, key="data_pid")
eng = c2.selectbox("Engagement column (treatment arm, yes/no)", [NONE] + others, key="data_eng")
ss["data_subgroups"] = [c for c in ss.get("data_subgroups", []) if c in others]
subs = c3.multiselect("Subgroup columns (e.g. age group)", others, key="data_subgroups")
keys = {arm, pid, eng}
outcome_options = [c for c in cols if c not in keys]
ss["data_outcomes"] = [c for c in ss.get("data_outcomes", []) if c in outcome_options]
chosen = st.multiselect("Outcome columns (numbers compared between the arms)", outcome_options,
                        key="data_outcomes")
specs: dict = ss.setdefault("data_specs", {})
for c in chosen:
    if c not in specs:
        kind = guess_kind(c, table[c])
        specs[c] = OutcomeSpec(c, guess_label(c), guess_unit(kind, c), True, kind)
if chosen:
    st.caption("Check each outcome's label (shown on every page), unit, kind and direction: "
               "labels and units are guessed from the column names and appear on every chart "
               "and in the board pack. Click a cell to edit it.")
    base = pd.DataFrame([{"column": c, "label": specs[c].label, "unit": specs[c].unit,
                          "kind": specs[c].kind, "lower is better": specs[c].lower_is_better}
                         for c in chosen])
    edited = st.data_editor(
        base, hide_index=True, disabled=["column"], num_rows="fixed",
        key=f"data_editor_{token}_{abs(hash(tuple(chosen))) % 10**12}",
        column_config={
            "column": st.column_config.TextColumn("column in the file"),
            "label": st.column_config.TextColumn("label", required=True),
            "kind": st.column_config.SelectboxColumn("kind", options=list(KINDS), required=True,
                                                     help="count: whole numbers >= 0; "
                                                          "continuous: any number, e.g. harm"),
            "lower is better": st.column_config.CheckboxColumn("lower is better"),
        })
    for row in edited.to_dict("records"):
        c = row["column"]
        specs[c] = OutcomeSpec(c, str(row.get("label") or c), str(row.get("unit") or ""),
                               bool(row.get("lower is better", True)),
                               row.get("kind") if row.get("kind") in KINDS else "count")

cmap = ColumnMapping(arm, str(treat), str(ctrl), [specs[c] for c in chosen],
                     None if pid == NONE else pid, list(subs), None if eng == NONE else eng)
st.download_button("Download this mapping (JSON) for next time", cmap.to_json(),
                   file_name="column_mapping.json", mime="application/json",
                   key="data_dl_mapping")

# ---------------------------------------------------------------- step 4
st.header("4. Checks")
report = validate(table, cmap)
if not report.rows_per_arm.empty:
    r = report.rows_per_arm.set_index("arm")["people"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Rows", f"{report.n_rows:,}")
    m2.metric(f"Treatment ({treat})"[:40], f"{int(r.iloc[0]):,}")
    m3.metric(f"Control ({ctrl})"[:40], f"{int(r.iloc[1]):,}")
    m4.metric("Left out (arm missing or other)", f"{int(r.iloc[2]):,}")
if report.blocking:
    st.error(f"**{len(report.blocking)} blocking problem(s)**: this data set cannot be analysed "
             "until they are fixed, in the file or in the choices above. The dashboard still "
             f"uses {md_escape(current.name)}.", icon=":material/block:")
elif report.warnings:
    st.warning(f"**{len(report.warnings)} warning(s)**: the data set can be used, but read "
               "them first.", icon=":material/warning:")
else:
    st.success("No problems found.", icon=":material/check_circle:")
for p in sorted(report.problems, key=lambda p: p.severity != "blocking")[:12]:
    where = " · ".join(x for x in (f"column {md_escape(p.column)}" if p.column else "",
                                   f"row{'s' if len(p.rows) > 1 else ''} {p.rows_text}"
                                   if p.rows else "") if x)
    text = f"**{p.severity.capitalize()}** ({md_escape(p.check)}{'; ' + where if where else ''}): " \
           f"{md_escape(p.message)}"
    (st.error if p.severity == "blocking" else st.warning)(text)
if len(report.problems) > 12:
    st.caption(f"{len(report.problems) - 12} more problem(s) in the table below.")
with st.expander("Full report: problems, missing values, rows left out"):
    if report.problems:
        st.dataframe(report.to_frame(), hide_index=True)
    miss = report.missing[report.missing["missing"] > 0]
    st.markdown("**Missing values per column**")
    if miss.empty:
        st.text("No missing values.")
    else:
        st.dataframe(miss, hide_index=True)
    st.markdown("**Rows left out of the analysis, and why**")
    if report.excluded.empty:
        st.text("None.")
    else:
        st.dataframe(report.excluded, hide_index=True)

if "data_name" not in ss:
    ss["data_name"] = dataset_name(pending["name"])
c1, c2 = st.columns([2, 1])
name = c1.text_input("Name for this data set (shown in the sidebar)", key="data_name",
                     max_chars=80)
synthetic = c2.checkbox("Synthetic (made-up) data", key="data_synthetic",
                        help="Tick if no row describes a real person: every page will then "
                             "label the results as synthetic.")
st.button("Use this data set", type="primary", key="data_use", disabled=not report.ok,
          on_click=use_dataset, args=(cmap, name, synthetic),
          help=("Fix the blocking problems first." if not report.ok else
                "Every page will analyse this data set; the earlier one stays in the sidebar."))
if not report.ok:
    st.caption("The button is off until the blocking problems above are fixed.")
show_flash("pending")
