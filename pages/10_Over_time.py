"""Over time: time to first offence, offending month by month, and whether the effect lasts."""
import streamlit as st

from dashboard.state import remember, sidebar, show_data_error

st.set_page_config(page_title="Over time · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402

from dashboard.over_time import (SYNTHETIC_DATES, group_words, load_bundled_extract,  # noqa: E402
                                 over_time_view)
from dashboard.upload import TABLE_TYPES, check_size, handle_upload, md_escape  # noqa: E402
from dashboard.sessions import keep_uploads  # noqa: E402
from fd_stats import DataError  # noqa: E402
from fd_stats.data.aggregate import aggregate_over_time  # noqa: E402
from fd_stats.data.trial import BUNDLED_TRIAL, load_trial  # noqa: E402

ss = st.session_state
s = ctx.settings
st.title("Over time: when do people reoffend, and does the effect last?")
st.markdown("From an offence-level extract (one row per crime and person, with dates): how "
            "soon people were first suspected of (or fell victim to) an offence, how offences "
            "accumulated month by month, and the effect in each period of follow-up, during "
            "and after the programme.")


@st.cache_data(show_spinner="Counting the bundled extract…", max_entries=2)
def _bundled():
    return load_bundled_extract(BUNDLED_TRIAL, load_trial().meta)


SOURCES = ["Bundled trial (synthetic dates)", "Upload a crimes extract"]
if not ctx.trial.crime_programme:
    # never show the bundled knife-crime trial under another trial's name in the sidebar
    st.info(f"The data set in use, {md_escape(ctx.trial.name)}, is not a crime "
            "trial, so this page has nothing of its own to show: it counts offences from a "
            "police records extract. Upload such an extract below, or choose the bundled "
            "trial on the Data page.", icon=":material/info:")
    SOURCES = SOURCES[1:]
source = st.radio("Data", SOURCES, horizontal=True, key=remember("ot_source", options=SOURCES))
bundled = source.startswith("Bundled")
if bundled:
    st.warning(SYNTHETIC_DATES, icon="⚠️")
    res, arm, treatment, control = _bundled(), "arm", "treatment", "control"
else:
    st.caption("Files stay in this browser session's memory; nothing is written to disk.")
    c1, c2 = st.columns(2)
    f_crimes = c1.file_uploader("Crimes extract: person id, date, offence, role "
                                "(suspect/victim); optional police-initiated flag and harm",
                                type=TABLE_TYPES, key="ot_crimes")
    f_people = c2.file_uploader("Randomisation list: person id, arm, randomisation date",
                                type=TABLE_TYPES, key="ot_people")
    f_harm = c1.file_uploader("Harm lookup (optional when the extract has a harm column)",
                              type=TABLE_TYPES, key="ot_harm")
    f_groups = c2.file_uploader("Offence groups (optional; default: the bundled definitions)",
                                type=TABLE_TYPES, key="ot_groups")
    keep_uploads("ot_crimes", "ot_people", "ot_harm", "ot_groups")  # lands after a reconnect
    c1, c2, c3, c4, c5 = st.columns(5)
    end = c1.date_input("Last day the extract covers", format="YYYY-MM-DD",
                        key=remember("ot_end", dt.date(2024, 12, 31)))
    prog = c2.number_input("Programme length (months, 0 = none)", 0, 60,
                           key=remember("ot_prog", 12))
    arm = c3.text_input("Arm column", key=remember("ot_arm", "arm"))
    treatment = c4.text_input("Treatment value", key=remember("ot_t", "treatment"))
    control = c5.text_input("Control value", key=remember("ot_c", "control"))
    if st.button("Count crimes over time", type="primary", disabled=not (f_crimes and f_people),
                 key="ot_go"):
        try:
            files = {"crimes": f_crimes, "people": f_people, "harm": f_harm, "groups": f_groups}
            for f in files.values():
                if f is not None:
                    check_size(f.size, f.name)
            tables = {k: handle_upload(f.getvalue(), f.name).table if f else None
                      for k, f in files.items()}
            ss["ot_result"] = aggregate_over_time(
                tables["crimes"], tables["people"], tables["harm"], tables["groups"],
                end_date=end.isoformat(), programme_months=int(prog) or None, arm=arm,
                names={k: f.name for k, f in files.items() if f})
            ss["ot_arms"] = (arm, treatment, control)
            ss["ot_error"] = None
        except DataError as exc:
            ss["ot_error"] = str(exc)
        except Exception as exc:  # never a traceback: name what failed
            ss["ot_error"] = (f"The files could not be combined ({type(exc).__name__}). Check "
                              "each file's columns against the descriptions above.")
    if ss.get("ot_error"):
        st.error(md_escape(ss["ot_error"]), icon=":material/block:")
        if ss.get("ot_result") is not None:
            st.info("Nothing was changed: the page still shows the extract counted before.")
    if ss.get("ot_result") is None:
        st.info("Upload a crimes extract and a randomisation list, say the last day the extract "
                "covers, then press **Count crimes over time**.")
        st.stop()
    res = ss["ot_result"]
    arm, treatment, control = ss["ot_arms"]

for note in res.notes:
    st.caption(f"Note: {md_escape(note)}")

groups = res.summary["groups"]
c1, c2 = st.columns(2)
role = c1.selectbox("Role", ["suspect", "victim"], key=remember("ot_role"),
                    format_func=lambda r: f"as {r}")
group = c2.selectbox("Offence group", groups,
                     key=remember("ot_group", "knife" if "knife" in groups else groups[0], groups),
                     format_func=lambda g: group_words(g).capitalize())
what = f"{group_words(group)} as {role}"
try:
    view = over_time_view(res, role, group, arm=arm, treatment=treatment, control=control,
                          confidence_level=s.confidence_level, alpha=s.alpha,
                          synthetic=bundled)
except DataError as exc:
    show_data_error(exc)
    st.stop()

st.caption(f"Follow-up to {res.end_date} (the extract's last day); windows of "
           f"{', '.join(map(str, res.windows))} months"
           + (f"; programme {res.programme_months} months" if res.programme_months else "")
           + ". Each person is followed only as far as the extract reaches, so people "
             "randomised late are not counted as offence-free for days nobody looked.")

# ---------------------------------------------------------------- time to first offence
st.header(md_escape(f"Time to the first {group_words(group).rstrip('s')} as {role}"))
st.plotly_chart(view.figures["km"], width="stretch", theme=None, key="ot_km")
st.markdown("**Number still at risk** (no such offence yet and still followed):")
st.dataframe(view.at_risk, width="stretch")
for note in view.notes:
    if note.startswith("Hazard ratio"):
        st.warning(md_escape(note))
# the sentences name the offence group (the user's offence-groups file) and hold no Markdown
if view.sentences["hazard"]:
    st.markdown(md_escape(view.sentences["hazard"]))
if "hazard_adjusted" in view.sentences:
    st.markdown(md_escape(view.sentences["hazard_adjusted"]))
st.markdown(md_escape(view.sentences["logrank"]))
st.caption("Kaplan-Meier curves with pointwise "
           f"{s.confidence_level:.0%} intervals (log scale, as R's survfit); "
           "ticks mark people whose follow-up ended without the offence. The hazard ratio "
           "is from a Cox model (Efron ties, as R's coxph); it compares the rate of a first "
           "offence at any moment among people without one so far, not the share who ever "
           "offend.")

# ---------------------------------------------------------------- month by month
st.header("Offences accumulating month by month")
st.plotly_chart(view.figures["mcf"], width="stretch", theme=None, key="ot_mcf")
st.caption("Mean cumulative number of offences per person: in each month, the offences of "
           "the people observed for the whole month divided by their number, added up month "
           "by month (repeat offences count, unlike the curves above).")

# ---------------------------------------------------------------- does it fade?
st.header("Does the effect fade after support ends?")
st.plotly_chart(view.figures["windows"], width="stretch", theme=None, key="ot_windows")
if "change" in view.sentences:
    st.markdown(md_escape(view.sentences["change"]))
for note in view.notes:
    if not note.startswith("Hazard ratio"):
        st.warning(md_escape(note))
table = view.windows.copy()
show = pd.DataFrame({
    "Period": table["period"],
    "Rate ratio": table.get("rate_ratio"),
    f"{s.confidence_level:.0%} CI": [f"{a:.2f} to {b:.2f}" if pd.notna(a) else "not estimable"
                                     for a, b in zip(table.get("ci_low", [None] * len(table)),
                                                     table.get("ci_high", [None] * len(table)))],
    "p (two-sided)": table.get("p_value"),
    "Offences, offered": table.get("events_treatment"),
    "Offences, control": table.get("events_control"),
    "Person-years, offered": table.get("exposure_days_treatment", 0) / 365.25,
    "Person-years, control": table.get("exposure_days_control", 0) / 365.25,
    "Note": table.get("note"),
})
st.dataframe(show.round(3), width="stretch", hide_index=True)
st.caption("Rate ratio = offences per person-year among people offered the programme divided "
           "by the same in the control arm, from a Poisson model with each person's days "
           "observed as exposure and robust standard errors (R: glm with "
           "sandwich::vcovCL). The change after the programme compares the two periods in one "
           "model with a period x arm interaction, standard errors clustered by person. "
           f"Below 1: fewer {what} among people offered the programme.")
