import numpy as np
import pandas as pd
import streamlit as st

from dashboard.state import remember, sidebar

st.set_page_config(page_title="Published results · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

from dashboard.figures_programme import audit_figure  # noqa: E402
from fd_stats import DataError, audit_published_table, p_from_t  # noqa: E402
from fd_stats.data.io import read_table  # noqa: E402
from fd_stats.analysis import SIDEDNESS  # noqa: E402
from fd_stats.report.safe_text import md, md_cells  # noqa: E402
from fd_stats.data.trial import BUNDLED_TRIAL  # noqa: E402
from fd_stats.report.wording import P_VALUE_MEANING  # noqa: E402

settings = ctx.settings
alpha, alternative = settings.alpha, settings.alternative
BUNDLED = "Appendix B of the Focused Deterrence report (bundled)"
UPLOAD = "Upload another summary table"
NONE = "(none)"

st.title("Published results: do the printed p-values hold up?")
st.markdown("Recompute every p-value of a published results table from its own *t* and degrees "
            "of freedom, find out which p-values are one-sided, check the percentage changes "
            "against the printed means, and re-judge each row at your threshold "
            f"(**alpha = {alpha:g}, {SIDEDNESS[alternative]}**, from the sidebar).")
st.info(P_VALUE_MEANING, icon="ℹ️")

source = st.radio("Table", [BUNDLED, UPLOAD], horizontal=True, key=remember("published_source"))


@st.cache_data(show_spinner=False)
def read_bundled() -> pd.DataFrame:
    # text, so the printed precision (trailing zeros) is kept for the rounding checks
    return pd.read_csv(BUNDLED_TRIAL / "appendix_b.csv", dtype=str, keep_default_na=False)


def read_upload(raw: bytes, name: str) -> pd.DataFrame:
    """Read uploaded bytes as text columns (memory only), printed precision kept."""
    df = read_table(raw, name=name, as_text=True)
    if df.empty or df.shape[1] < 3:
        raise DataError(f"{name} needs a header row and at least the t, df and p-value "
                        "columns.")
    df.columns = [str(c).strip() for c in df.columns]
    return df.fillna("")


def guess(columns, *names):
    low = {c.casefold(): c for c in columns}
    for n in names:
        if n in low:
            return low[n]
    for n in names:
        for c in columns:
            if n in c.casefold():
                return c
    return NONE


bundled = source == BUNDLED
if bundled:
    table = read_bundled()
    name = "appendix_b.csv"
    cols = dict(t="t", df="df", p="p_reported", mt="mean_treatment", mc="mean_control",
                pc="percent_change", like="likelihood_reported")
    label_cols = ["group", "role", "outcome"]
    st.caption("Source: Olphin et al. (2024), Focused Deterrence 12 Month Findings, Appendix B "
               "(R `t.test`, Welch). Transcribed as printed.")
else:
    st.markdown("The file needs **one row per result** with columns for the **t statistic**, "
                "the **degrees of freedom** and the **reported p-value** (any names: you match "
                "them below). Optional: treatment and control means and the printed percentage "
                "change, to check the percentages; a column naming each row.")
    up = st.file_uploader("Summary table (CSV or Excel), one row per result", key="published_file",
                          type=["csv", "txt", "xlsx"])
    st.caption("The file stays in this browser session's memory; nothing is saved or sent.")
    ss = st.session_state
    if up is not None:
        new = up.getvalue()
        sig = (up.name, len(new), hash(new))
        if sig != ss.get("published_sig"):  # a new file: it replaces the table only if it reads
            ss["published_sig"], ss["published_error"] = sig, None
            try:
                read_upload(new, up.name)
                ss["published_upload"] = (up.name, new)
            except DataError as exc:
                ss["published_error"] = str(exc)
    else:  # the file was removed from the uploader: its error goes with it
        ss["published_sig"] = ss["published_error"] = None
    if ss.get("published_error"):
        st.error(md(ss["published_error"]), icon="🚫")
        if "published_upload" in ss:
            st.info(f"Nothing was changed: still showing {md(ss['published_upload'][0])}.")
    if "published_upload" not in ss:
        st.stop()
    name, raw = ss["published_upload"]
    table = read_upload(raw, name)  # read before, so it reads
    columns = list(table.columns)
    st.subheader("Which column holds what")
    opts = [NONE, *columns]
    c = st.columns(4)
    sel = {}
    spec = [("t", "t statistic", ("t", "t value", "t_value", "statistic")),
            ("df", "Degrees of freedom", ("df", "d.f.", "dof")),
            ("p", "Reported p-value", ("p", "p_reported", "p-value", "p value", "pvalue")),
            ("mt", "Treatment mean", ("mean_treatment", "treatment mean", "treatment")),
            ("mc", "Control mean", ("mean_control", "control mean", "control")),
            ("pc", "Printed % change", ("percent_change", "% change", "change")),
            ("like", "Report's wording of p (optional)", ("likelihood_reported", "likelihood"))]
    for i, (key, label, names) in enumerate(spec):
        g = guess(columns, *names)
        sel[key] = c[i % 4].selectbox(label, opts, key=remember(f"published_col_{key}", g, opts,
                                                                scope=name))
    cols = {k: (None if v == NONE else v) for k, v in sel.items()}
    used = {v for v in cols.values() if v}
    free = [c for c in columns if c not in used]
    label_cols = st.multiselect("Columns that name each row", free,
                                key=remember("published_label_cols", free[:3], free, scope=name))
    missing = [lbl for key, lbl, _ in spec[:3] if not cols[key]]
    if missing:
        st.error("Choose the column for: " + ", ".join(missing) + ".", icon="🚫")
        st.stop()

try:
    audit = audit_published_table(
        table, t=cols["t"], df=cols["df"], p=cols["p"],
        mean_treatment=cols.get("mt") or "__none__", mean_control=cols.get("mc") or "__none__",
        percent_change=cols.get("pc") or "__none__", one_sided_direction="either")
    t_num = pd.to_numeric(table[cols["t"]].str.replace("\u2212", "-"), errors="coerce")
    df_num = pd.to_numeric(table[cols["df"]], errors="coerce")
    p_rejudge = np.asarray(p_from_t(t_num.to_numpy(), df_num.to_numpy(), alternative))
except DataError as exc:
    st.error(md(f"{name}: {exc}"), icon="🚫")
    st.stop()


GROUP_NAMES = {"all": "all ages", "under_18": "under 18"}
OUTCOME_NAMES = {"harm": "crime harm", "knife": "knife crime", "violent": "violent crime",
                 "violent_sexual": "violent or sexual crime",
                 "non_police_initiated": "non-police-initiated crime"}


def row_label(r):
    if bundled:
        return (f"{GROUP_NAMES.get(r['group'], r['group'])}: "
                f"{OUTCOME_NAMES.get(r['outcome'], r['outcome'])} as {r['role']}")
    parts = [str(r[c]).replace("_", " ") for c in label_cols if str(r[c]).strip()]
    return " · ".join(parts) or f"row {r.name + 1}"


audit["label"] = audit.apply(row_label, axis=1)
audit["p_reported_num"] = pd.to_numeric(audit[cols["p"]], errors="coerce")
audit["p_rejudge"] = p_rejudge
n = len(audit)
one = audit[audit["sidedness"] == "one-sided"]
incons = audit[audit["sidedness"] == "inconsistent"]
pc_bad = audit[audit["percent_change_consistent"] == False]  # noqa: E712

# ---------------------------------------------------------------- summary
st.header("What we found")
parts = []
if len(one):
    ex = one.loc[one["p_reported_num"].idxmin()]
    ways = one["one_sided_direction"].value_counts()
    way_text = ("treatment lower" if set(ways.index) == {"less"} else
                "treatment higher" if set(ways.index) == {"greater"} else
                f"{ways.get('less', 0)} treatment lower, {ways.get('greater', 0)} treatment higher")
    parts.append(f"**{len(one)} of {n} reported p-values are one-sided ({way_text})** "
                 + ("although the report does not say so" if bundled else
                    "; check whether the source says so")
                 + f"; e.g. {md(ex['label'])} p = {md(ex[cols['p']])} is two-sided "
                   f"p = {ex['p_two_sided']:.3g}.")
else:
    parts.append(f"None of the {n} reported p-values is one-sided: each matches the two-sided "
                 "p recomputed from its t and df." if not len(incons) else "")
if len(incons):
    parts.append(f"{len(incons)} row(s) fit neither a two-sided nor a one-sided p from the printed "
                 "t and df (flagged *inconsistent*).")
if len(pc_bad):
    ex = pc_bad.iloc[0]
    parts.append(f"{len(pc_bad)} printed percentage change(s) differ from the printed means by "
                 f"more than rounding; e.g. {md(ex['label'])}: {md(ex[cols['pc']])}% printed vs "
                 f"{ex['percent_change_recomputed']:.2f}% from the means.")
judged = audit["p_rejudge"] < alpha
rep_sig = audit["p_reported_num"] < alpha
flips = audit[judged != rep_sig]
parts.append(f"At alpha = {alpha:g} with {SIDEDNESS[alternative]} p-values, "
             f"**{int(judged.sum())} of {n}** rows are significant, against {int(rep_sig.sum())} "
             f"judged by the printed p-values"
             + (f"; {len(flips)} row(s) change verdict: "
                + "; ".join(map(md, flips["label"].head(6))) + "." if len(flips) else "."))
for ptext in parts:
    if ptext:
        st.markdown("- " + ptext)

# ---------------------------------------------------------------- table
st.header("Row by row")


def fmt(v, d=4):
    return "" if v is None or not np.isfinite(v) else f"{v:.{d}f}"


def meaning(r):
    side = {"two-sided": "in either direction", "less": "favouring the programme",
            "greater": "against the programme"}[alternative]
    return (f"If the programme had no effect, a difference at least this large {side} would "
            f"occur with probability {r['p_rejudge']:.3g} ({SIDEDNESS[alternative]}).")


def pc_flag(r):
    v = r["percent_change_consistent"]
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return "✔ matches" if v else "✘ differs beyond rounding"


SIDE_TEXT = {"one-sided": "⚠ one-sided", "two-sided": "two-sided",
             "inconsistent": "✘ inconsistent", "ambiguous": "ambiguous"}
view = pd.DataFrame({
    "Row": audit["label"],
    "Printed p": audit[cols["p"]],
    "The printed p is": audit["sidedness"].map(lambda v: SIDE_TEXT.get(v, v)),
    "Two-sided p from t, df": audit["p_two_sided"].map(fmt),
    "One-sided p": audit["p_one_sided"].map(fmt),
    "One-sided direction": audit["one_sided_direction"].map(
        {"less": "treatment lower", "greater": "treatment higher"}),
})
view[f"Your choice: p ({SIDEDNESS[alternative]})"] = audit["p_rejudge"].map(fmt)
view[f"Significant at {alpha:g}?"] = np.where(judged, "✔ yes", "— no")
if cols.get("pc") and cols.get("mt") and cols.get("mc"):
    view["Printed % change"] = audit[cols["pc"]]
    view["% change from printed means"] = audit["percent_change_recomputed"].map(
        lambda v: fmt(v, 2))
    view["% change check"] = audit.apply(pc_flag, axis=1)
if cols.get("like"):
    view["Report's wording ('likelihood of chance')"] = audit[cols["like"]]
view["What the p-value means"] = audit.apply(meaning, axis=1)
# st.table renders Markdown: the file's own text (row names, printed values, wording)
TEXT = ["Row", "Printed p", "Printed % change", "Report's wording ('likelihood of chance')"]
# two tables that fit the page (one wide table cut its last columns off at 1280 px)
first = [c for c in view.columns if c not in ("What the p-value means",) and "%" not in c
         and not c.startswith("Report's wording")]
st.table(md_cells(view[first], TEXT).set_index("Row"))
second = ["Row"] + [c for c in view.columns if c not in first]
st.markdown("**Percentage changes and wording**")
st.table(md_cells(view[second], TEXT).set_index("Row"))
st.caption("Printed figures are taken as rounded to the decimals shown: a printed p counts as "
           "two- or one-sided when it lies within the range of p-values that the printed t and "
           "df allow within their own rounding. 'Ambiguous' fits both; 'inconsistent' fits "
           "neither. " + ("The report's 'likelihood of chance' column reads a p-value as the "
                          "chance the finding is due to chance; that reading is wrong."
                          if bundled else ""))
st.download_button("Download this audit (CSV)", view.to_csv(index=False).encode("utf-8"),
                   file_name="published_results_audit.csv", mime="text/csv",
                   key="published_download")

# ---------------------------------------------------------------- chart
st.header("Printed vs recomputed p-values")
n_one = len(one)
title = (f"{n_one} of {n} printed p-values match the one-sided value, not the two-sided one"
         if n_one else "The printed p-values match the two-sided values recomputed from t and df")
st.plotly_chart(audit_figure(
    audit.assign(p_reported=audit["p_reported_num"]), alpha=alpha, title=title,
    subtitle="Published summary figures (not the synthetic data) · log scale"),
    width="stretch", theme=None, key="published_chart")
