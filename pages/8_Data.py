"""Data: choose the bundled trial or bring your own (upload, map columns, validate, use)."""
import threading
import uuid

import pandas as pd
import streamlit as st

from dashboard.state import BUNDLED_NAME, add_dataset, datasets, sidebar

st.set_page_config(page_title="Data · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard.upload import (TABLE_TYPES, MAX_UPLOAD_MB, check_size, dataset_name,  # noqa: E402
                              example_files, handle_upload, is_excel,
                              md_escape, outcomes_page, signature)
from dashboard.data_crimes import crimes_extract_tab  # noqa: E402
from dashboard.sessions import keep_uploads  # noqa: E402
from fd_stats.errors import DataError  # noqa: E402
from fd_stats.report.safe_text import safe_text  # noqa: E402
from fd_stats.data.workbook_guard import MAX_CELLS  # noqa: E402
from dashboard.data_mapping import checks, mapping_step  # noqa: E402
from fd_stats.data.mapping import ColumnMapping, build_trial  # noqa: E402
from fd_stats.report.wording import SYNTHETIC_LABEL  # noqa: E402

ss = st.session_state


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
        checks(ss, pending["table"], pending["token"], cmap).raise_if_blocking()
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
            st.page_link("app.py", label="See the results on the Overview →",
                         icon=":material/insights:")
            st.page_link(outcomes_page() or "", label="Every outcome in detail (Outcomes) →",
                         icon=":material/bar_chart:")
        except Exception:  # no Outcomes page, or the page runs alone (tests)
            st.markdown("Open **Overview** in the page list on the left to see the results.")
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
        # A rerun (a click, a reconnect) starts a new run while this one may still be parsing:
        # the lock makes the new run wait, and the signature is recorded only together with
        # the table or its error, so no run finds the file "done" with nothing to show.
        with ss.setdefault("data_upload_lock", threading.Lock()):
            sig = None
            try:
                check_size(up.size, up.name)
                raw = up.getvalue()
                sheet = ss.get("data_sheet") if is_excel(up.name) else None
                sig = signature(raw, up.name, sheet)
                if sig != ss.get("data_upload_sig"):
                    ss["data_upload_error"] = None
                    u = handle_upload(raw, up.name, sheet)
                    set_pending(u.table, u.name, "upload", notes=u.notes, sheets=u.sheets,
                                sheet=u.sheet)
                    ss["data_upload_sig"] = sig
            except DataError as exc:
                fail(str(exc))
                ss["data_upload_sig"] = sig
            except Exception as exc:  # never a traceback, whatever the file holds
                fail(f"{up.name} could not be read ({type(exc).__name__}). Check that it is a "
                     "CSV, .xlsx or Parquet file with a header row.")
                ss["data_upload_sig"] = sig
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
    crimes_extract_tab(ss, current, set_pending, fail)
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
                    labels={o.column: o for o in b.outcomes})
        ss["data_synthetic"] = True

ex = example_files()
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

# a finished upload whose rerun message the browser dropped (websocket down) still lands
keep_uploads("data_file", "data_crimes", "data_people", "data_harm", "data_groups")

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
cmap = mapping_step(ss, table, pending)
st.download_button("Download this mapping (JSON) for next time", cmap.to_json(),
                   file_name="column_mapping.json", mime="application/json",
                   key="data_dl_mapping")

# ---------------------------------------------------------------- step 4
st.header("4. Checks")
report = checks(ss, table, pending["token"], cmap)
if not report.rows_per_arm.empty:
    r = report.rows_per_arm.set_index("arm")["people"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Rows", f"{report.n_rows:,}")
    # metric labels render Markdown, and the arm values are the file's text (cut, then escaped)
    m2.metric(f"Treatment ({safe_text(cmap.treatment, 'markdown', 28)})", f"{int(r.iloc[0]):,}")
    m3.metric(f"Control ({safe_text(cmap.control, 'markdown', 30)})", f"{int(r.iloc[1]):,}")
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

if "data_name" not in ss:  # a new table, or back from another page (Streamlit dropped it)
    kept = ss.get("data_kept_name")
    ss["data_name"] = kept[1] if kept and kept[0] == pending["token"] else \
        dataset_name(pending["name"])
c1, c2 = st.columns([2, 1])
name = c1.text_input("Name for this data set (shown in the sidebar)", key="data_name",
                     max_chars=80)
synthetic = c2.checkbox("Synthetic (made-up) data", key="data_synthetic",
                        help="Tick if no row describes a real person: every page will then "
                             "label the results as synthetic.")
ss["data_kept_name"] = (pending["token"], name)
st.button("Use this data set", type="primary", key="data_use", disabled=not report.ok,
          on_click=use_dataset, args=(cmap, name, synthetic),
          help=("Fix the blocking problems first." if not report.ok else
                "Every page will analyse this data set; the earlier one stays in the sidebar."))
if not report.ok:
    st.caption("The button is off until the blocking problems above are fixed.")
show_flash("pending")
