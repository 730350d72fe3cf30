"""The Data page's 'Build from a crimes extract' tab: police extract -> one row per person.

A crime trial's outcomes counted from an offence-level extract with ``fd_stats.data.aggregate``;
the result waits on the page to be mapped and checked like an upload.
"""
from __future__ import annotations

import streamlit as st

from dashboard.state import remember
from dashboard.upload import (TABLE_TYPES, example_files, handle_upload, md_escape,
                              read_example)
from fd_stats.data.aggregate import aggregate, aggregate_over_time, person_table
from fd_stats.errors import DataError


def crimes_extract_tab(ss, current, set_pending, fail) -> None:
    """Draw the tab. ``set_pending`` / ``fail`` are the page's own callbacks."""
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
                             max_value=120, step=1, key=remember("data_months", 12))
    with st.expander("Optional: the extract's end date and baseline offending"):
        st.markdown("Give the last day the extract covers to cut each person's follow-up "
                    "there (people randomised late are then not counted as crime-free for "
                    "days nobody looked; `exposure_days` says how many days each was "
                    "observed) and to count crimes **before** randomisation as baselines, "
                    "declared as each outcome's baseline for adjusted analyses. Several "
                    "follow-up windows and times to first offence are on the Over time page.")
        e1, e2 = st.columns(2)
        end_date = e1.date_input("Last day the extract covers", value=None, format="YYYY-MM-DD",
                                 key=remember("data_end_date"))
        baselines = e2.multiselect("Baseline windows (months before randomisation)",
                                   [6, 12, 24, 36], key=remember("data_baselines", [12, 24]))
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
                # the extract's text as categoricals: 2,000,000 rows parse in about a second
                tables = [handle_upload(f.getvalue(), f.name, categorical=k == "crimes").table
                          if f is not None else None for k, f in files.items()]
                label = f"{f_people.name.rsplit('.', 1)[0]} (built from {f_crimes.name})"
            if end_date is None:
                res = aggregate(*tables, months=int(months), names=names)
                table, outcomes = res.table, res.outcomes
                notes = res.notes + [
                    f"{res.summary['crimes_counted']:,} of {res.summary['crime_rows']:,} "
                    f"crime rows counted (within {res.summary['months']} months of "
                    f"randomisation) for {res.summary['people']:,} people."]
            else:
                ot = aggregate_over_time(*tables, end_date=end_date, windows=[int(months)],
                                         baseline_months=sorted(baselines), names=names)
                table, outcomes = person_table(ot, int(months))
                notes = ot.notes + [
                    f"{ot.summary['crimes_in_windows']:,} of {ot.summary['crime_rows']:,} crime "
                    f"rows counted for {ot.summary['people']:,} people: {int(months)} months "
                    f"from randomisation, cut at {ot.end_date}"
                    + (f", and baselines of {', '.join(map(str, ot.baselines))} months before "
                       "it." if ot.baselines else ".")]
            set_pending(table, label, "aggregate", labels={o.column: o for o in outcomes},
                        notes=notes)
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

