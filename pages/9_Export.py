"""Export: the board pack (slides, report, charts, tables) with small-number protection."""
import streamlit as st

from dashboard.state import dataset_key, remember, sidebar, show_data_error

st.set_page_config(page_title="Export · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard.export import (FILES, ExportError, PackOptions, build_content,  # noqa: E402
                              build_files, display_table)
from fd_stats.errors import DataError  # noqa: E402
from fd_stats.report.safe_text import md  # noqa: E402
from fd_stats.report.wording import SYNTHETIC_LABEL  # noqa: E402

st.title("Export a board pack")
st.write("Slides, a report that opens offline, the charts as images and the results tables, "
         "all built from the results shown on the other pages with the settings in the sidebar.")
if ctx.trial.synthetic:
    st.warning(SYNTHETIC_LABEL + " The pack says so on every slide and page.", icon="⚠️")

try:
    results = ctx.results
except DataError as exc:
    show_data_error(exc)
    st.stop()

# ---------------------------------------------------------------- settings used
pack_preview = None
left, right = st.columns([3, 2], gap="large")
with right:
    st.subheader("Small numbers")
    disclosure = st.checkbox(
        "Protect small numbers", key=remember("export_disclosure", True),
        help="Recommended before sharing. Hides counts of fewer than the threshold people and means built from fewer than "
             "that many, plus any cell from which a hidden one could be worked out.")
    threshold = st.number_input("Threshold (people)", min_value=2, max_value=100, step=1,
                                key=remember("export_threshold", 10), disabled=not disclosure,
                                help="10 is the UK Longitudinal Linkage Collaboration's rule; "
                                     "5 is also common.")
    rounding = st.selectbox("Round the other counts of people to", [0, 5, 10],
                            format_func=lambda v: "no rounding" if v == 0 else f"nearest {v}",
                            key=remember("export_rounding", 0), disabled=not disclosure)
    nonzero = st.checkbox("Stricter: hide means of rare events",
                          key=remember("export_nonzero", False), disabled=not disclosure,
                          help="Also hide a mean when fewer than the threshold had any event. "
                               "Mean × people = number of events, an upper bound on how many "
                               "people had one. Stricter services ask for this.")
    if not disclosure:
        st.warning("Small counts will be shown. Check with your data protection lead before "
                   "sharing the pack.", icon="🔓")

options = PackOptions(disclosure=bool(disclosure), threshold=int(threshold), rounding=int(rounding),
                      nonzero_rule=bool(nonzero))
try:
    pack_preview = build_content(ctx.trial, ctx.mapping, ctx.settings, results,
                                 subgroup=ctx.subgroup, prespecified=ctx.prespecified,
                                 options=options)
except DataError as exc:
    show_data_error(exc)
    st.stop()

with left:
    st.subheader("Settings the pack will state")
    st.markdown("\n".join(
        f"- **{md(k)}**: {'yes' if k == 'Synthetic data' and pack_preview.synthetic else md(v)}"
        for k, v in pack_preview.settings_block))
    st.caption("Change the analysis settings in the sidebar; the pack follows them.")

with right:
    if disclosure:
        for note in pack_preview.disclosure_notes:
            st.caption(note)
        if pack_preview.protected is not None and pack_preview.protected.any:
            with st.expander(f"What is hidden ({len(pack_preview.suppressed)} cells)"):
                st.dataframe(pack_preview.protected.by_row().rename(
                    columns={"row": "Outcome (group)", "hidden": "Hidden", "why": "Why"}),
                    hide_index=True, width="stretch")

# ---------------------------------------------------------------- preview
st.subheader("Headline sentences in the pack")
for f in pack_preview.findings:
    st.markdown(f"- {md(f.sentence)}")  # sentences quote the data's labels
with st.expander("Results table as it will appear in the pack"):
    st.dataframe(display_table(pack_preview), hide_index=True, width="stretch")

# ---------------------------------------------------------------- build and download
# Everything the pack states: the data set's whole description (name, synthetic flag, labels,
# units, directions, arms, table), the mapping, the settings and the export options.
key = (dataset_key(ctx.trial), ctx.mapping, ctx.settings, ctx.subgroup, ctx.prespecified, options)
built = st.session_state.get("export_files")  # (key, files): this session's own, freed with it

st.subheader("Build the pack")
st.write("Drawing the charts takes a few seconds.")
if st.button("Build the board pack", type="primary", key="export_build"):
    built = st.session_state["export_files"] = None
    try:
        with st.spinner("Building the slides, report, charts and tables…"):
            built = st.session_state["export_files"] = (key, build_files(pack_preview))
    except (ExportError, DataError) as exc:
        st.error(f"The pack could not be built: {md(exc)}", icon="🚫")
files = built[1] if built is not None and built[0] == key else None
if built is not None and files is None:
    st.info("The data set or the settings changed since the last build: build the pack again.")

if files:
    st.success("The pack is ready. Each file states the settings used"
               + (" and what was hidden" if disclosure else "")
               + " (the results CSV is a plain table: its settings file goes beside it).")
    labels = {"pptx": "Slides (.pptx)", "html": "Report (.html)", "zip": "Charts (.zip of PNGs)",
              "csv": "Results (.csv)", "xlsx": "Results (.xlsx)"}
    cols = st.columns(len(labels))
    for col, (fmt, label) in zip(cols, labels.items()):
        name, mime = FILES[fmt]
        col.download_button(label, data=files[fmt], file_name=name, mime=mime,
                            key=f"export_dl_{fmt}", on_click="ignore", width="stretch")
        if fmt == "csv":  # the CSV is a plain table; the settings behind it sit beside it
            col.download_button("Its settings (.csv)", data=files["csv_settings"],
                                file_name=FILES["csv_settings"][0], mime="text/csv",
                                key="export_dl_csv_settings", on_click="ignore", width="stretch")
    st.caption("The report is one file with everything inside it: it opens without internet "
               "and prints to PDF from the browser (landscape).")
