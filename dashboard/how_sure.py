"""'How sure can we be?': the integrity report for the current data set, cached, plus the
small pieces the Overview panel and the details page share (padlocks, assumptions).

The user's assumptions (planned ratio when the specification lacks it, smallest effect of
interest, cut-offs) live in ``st.session_state`` under ``hs_*`` keys, so the Overview panel
shows the same rating as the details page.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard.state import Context, table_key
from fd_stats.report.safe_text import md
from fd_stats.integrity import (Cutoffs, IntegrityReport, TrialFacts, facts_from_trial,
                                integrity_report)

PAGE = "pages/11_How_sure.py"
DEFAULT_SESOI = 20.0
NOT_RECORDED = "not recorded"


def assumptions(ctx: Context) -> tuple[TrialFacts, Cutoffs, float]:
    """Facts from the trial specification, with the user's overrides from the details page."""
    facts = facts_from_trial(ctx.trial, ctx.subgroup, ctx.prespecified)
    ss = st.session_state
    ratio = ss.get("hs_ratio")
    if facts.allocation_ratio is None and isinstance(ratio, (int, float)):
        facts = replace(facts, allocation_ratio=float(ratio))
    primary = ss.get("hs_primary")
    if primary in ctx.mapping.outcomes:
        facts = replace(facts, primary=primary)
    cut = ss.get("hs_cutoffs") or Cutoffs()
    cut = replace(cut, alpha=0.05)  # MDES convention: two-sided 0.05, whatever the sidebar says
    return facts, cut, float(ss.get("hs_sesoi", DEFAULT_SESOI))


@st.cache_data(show_spinner="Checking the trial…", max_entries=32)
def _report(_table, key: str, mapping, facts, cutoffs, sesoi, labels) -> IntegrityReport:
    return integrity_report(_table, mapping, facts=facts, cutoffs=cutoffs, sesoi_percent=sesoi,
                            labels=dict(labels))


def report_for(ctx: Context) -> IntegrityReport:
    """The integrity report for the page's data set, outcomes and assumptions (cached)."""
    facts, cut, sesoi = assumptions(ctx)
    key = table_key(ctx.trial)
    labels = tuple((o, ctx.label(o)) for o in ctx.mapping.outcomes)
    return _report(ctx.trial.table, key, ctx.mapping, facts, cut, sesoi, labels)


_LOCK = ("<svg width='{w}' height='{h}' viewBox='0 0 20 24' aria-hidden='true' "
         "style='margin-right:3px;vertical-align:middle'>"
         "<path d='M5 11V7a5 5 0 0 1 10 0v4' fill='none' stroke='{c}' stroke-width='2.4'/>"
         "<rect x='1.5' y='10.5' width='17' height='12.5' rx='2' fill='{f}' stroke='{c}' "
         "stroke-width='1.6'/></svg>")


def padlocks_html(k: int, size: int = 30) -> str:
    """k filled padlocks then 5 - k outlined ones (inline SVG: no emoji font needed), labelled
    with the count for screen readers; the count is printed beside it too (never colour alone)."""
    w, h = size * 20 // 24, size
    on = _LOCK.format(w=w, h=h, c="#1f3a5f", f="#1f3a5f") * k
    off = _LOCK.format(w=w, h=h, c="#9aa5b1", f="none") * (5 - k)
    return f"<div role='img' aria-label='{k} of 5 padlocks'>{on}{off}</div>"


def overview_panel(ctx: Context) -> None:
    """The Overview's 'How sure can we be?' box: rating, three facts, link."""
    try:
        rep = report_for(ctx)
    except Exception as exc:  # the panel must never break the Overview
        st.caption(f"The integrity checks could not run: {md(exc)}")
        return
    r = rep.rating
    with st.container(border=True):
        st.markdown("#### How sure can we be?")
        st.markdown(padlocks_html(r.padlocks), unsafe_allow_html=True)
        st.markdown(f"**{r.padlocks} of 5 padlocks: {r.label}**")
        st.markdown("\n".join(f"- {md(f)}" for f in r.facts[:3]))  # they quote the data
        st.caption("Rules modelled on the EEF's security rating for trials.")
        try:
            st.page_link(PAGE, label="Why? See the details", icon=":material/arrow_forward:")
        except Exception:  # a page run on its own (tests) cannot link to its siblings
            st.caption("Details: the 'How sure' page.")
