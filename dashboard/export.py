"""The board pack: slides, a self-contained HTML report, PNG charts and result tables.

Pure builders (no Streamlit): the Export page and ``python -m dashboard.pack_cli``
call :func:`build_content` once and then the ``*_bytes`` functions. Every
number comes from the ``fd_stats`` results passed in (the same table the
pages show), after optional disclosure control (:mod:`fd_stats.report.disclosure`).

Charts are the shared builders of :mod:`dashboard.figures` and
:mod:`dashboard.figures_programme` with their explicit ``plotly_white``
template, rendered to PNG by kaleido through the system Chromium
(one kaleido server per process, reused; MathJax off so nothing is fetched).
"""
from __future__ import annotations

import concurrent.futures
import datetime as _dt
import html
import io
import math
import os
import shutil
import threading
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fd_stats.analysis import SIDEDNESS, TEST_LABELS, Mapping, Settings
from fd_stats.methods.bayes import PRIORS
from fd_stats.cli.main import FORMULA_START, escape_formula, escape_frame, plain_value
from fd_stats.report.disclosure import (MARKER, Protected, protect_counts, protect_engagement,
                                 protect_results, rule_text)
from fd_stats.errors import DataError
from fd_stats.data.mapping import plain_text
from fd_stats.methods.multiplicity import CORRECTIONS
from fd_stats.report.safe_text import label, safe_text
from fd_stats.data.trial import Trial
from fd_stats.report.wording import (P_VALUE_MEANING, SYNTHETIC_LABEL, count_of, effect_sentence_for,
                              mean_digits, fmt_p, interval_words, p_text, pp_text, summary_for)

from dashboard import figures as F
from dashboard.methods_view import benefit_text

try:  # engagement and cost figures (another module; optional)
    from dashboard import figures_programme as FP
except Exception:  # pragma: no cover
    FP = None

PNG_WIDTH, PNG_HEIGHT = 1600, 900
#: charts are laid out at this size and scaled up to PNG_WIDTH x PNG_HEIGHT,
#: so their 16 px fonts stay readable on a slide
LAYOUT_WIDTH, LAYOUT_HEIGHT = 800, 450
SUPPRESSED_TEXT = "hidden by disclosure control"


class ExportError(Exception):
    """The pack could not be built (e.g. charts could not be rendered)."""


# ---------------------------------------------------------------- options and content

@dataclass(frozen=True)
class PackOptions:
    """Export choices that are not analysis settings."""

    disclosure: bool = True
    threshold: int = 10
    rounding: int = 0
    nonzero_rule: bool = False
    images: bool = True


@dataclass
class Chart:
    key: str          # file-name stem, e.g. "02_knife_related_crimes_as_suspect"
    title: str
    figure: go.Figure
    caption: str = ""


@dataclass
class Finding:
    outcome: str
    label: str
    sentence: str
    row: dict
    chart: str | None   # Chart.key
    hidden: bool = False
    benefit: str = ""   # the Bayesian probability of benefit, with its prior (plain text)


@dataclass
class Pack:
    """Everything the exports show, computed once."""

    trial_name: str
    dataset: str
    synthetic: bool
    settings: Settings
    options: PackOptions
    subgroup: str | None
    prespecified: bool
    generated: str
    results: pd.DataFrame               # as computed (what the pages show)
    table: pd.DataFrame                 # what the pack shows (protected if disclosure is on)
    protected: Protected | None
    findings: list[Finding]
    summary: str
    charts: list[Chart]
    engagement: pd.DataFrame | None = None
    engagement_note: str = ""
    reasons: pd.DataFrame | None = None
    cost_lines: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    limitations: list[str] = field(default_factory=list)
    disclosure_notes: list[str] = field(default_factory=list)
    suppressed: list = field(default_factory=list)
    how_sure: list[str] = field(default_factory=list)  # rating headline, then its reasons
    over_time: tuple | None = None      # (slide title, chart key or None, paragraphs)

    def chart(self, key: str | None) -> Chart | None:
        return next((c for c in self.charts if c.key == key), None)

    @property
    def settings_block(self) -> list[tuple[str, str]]:
        s = self.settings
        return [
            ("Trial", self.trial_name),
            ("Data set", self.dataset),
            ("Synthetic data", "yes: " + SYNTHETIC_LABEL if self.synthetic else "no"),
            ("Test", TEST_LABELS.get(s.test, s.test)),
            ("Sidedness", SIDEDNESS.get(s.alternative, s.alternative)),
            ("Significance threshold (alpha)", f"{s.alpha:g}"),
            ("Multiple-comparison correction", CORRECTIONS.get(s.correction, s.correction)),
            ("Confidence level", f"{s.confidence_level:.0%}"),
            ("Probability of benefit", f"Bayesian, normal approximation, {PRIORS[s.benefit_prior]}; "
                                       f"also at least a {s.benefit_min_change:.0%} change; only "
                                       "for outcomes whose better direction is set"),
            ("Subgroup column", (f"{self.subgroup} ("
                                 + ("pre-specified" if self.prespecified else "exploratory") + ")")
             if self.subgroup else "none"),
            ("Disclosure control", (f"on: threshold {self.options.threshold} people"
                                    + (f", counts rounded to {self.options.rounding}"
                                       if self.options.rounding else "")
                                    + ("; means also hidden when fewer than the threshold had "
                                       "a non-zero value" if self.options.nonzero_rule else ""))
             if self.options.disclosure else "off"),
            ("Generated", self.generated),
        ]


def _slug(text: str) -> str:
    keep = "".join(ch.lower() if ch.isalnum() else "_" for ch in str(text))
    return "_".join(p for p in keep.split("_") if p)[:50] or "chart"


def _finite(v) -> bool:
    try:
        return v is not None and np.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _shown(table: pd.DataFrame, protected: Protected | None, i, col) -> bool:
    return protected is None or not protected.is_hidden(i, col)


def _comparison_shown(protected: Protected | None, i) -> bool:
    return protected is None or not protected.is_hidden(i, "percent_change")


def _unit(trial: Trial, outcome: str) -> str:
    return trial.outcome(outcome).unit or "per person"


def _subtitle(*parts) -> str:
    return " · ".join(p for p in parts if p)


def readable_column(name: str) -> str:
    """A column name for people: "age_group" -> "Age group"."""
    text = plain_text(str(name).replace("_", " ").strip())
    return text[:1].upper() + text[1:]


def chance_words(alpha: float, k: int) -> str:
    """How likely at least one of k outcomes looks significant at alpha if nothing works:
    1 - (1 - alpha)^k (outcomes taken as independent)."""
    prob = 1 - (1 - alpha) ** k
    if prob <= 0:
        return "no chance"
    if prob < 0.2:
        return f"about 1 in {round(1 / prob)}"
    return f"about {prob:.0%}"


def chance_adjective(alpha: float, k: int) -> str:
    prob = 1 - (1 - alpha) ** k
    return "likely" if prob >= 0.5 else "not unlikely" if prob >= 0.05 else "unlikely"


def _settings_line(s: Settings) -> str:
    corr = "" if s.correction == "none" else f", {CORRECTIONS[s.correction]} correction"
    return (f"{TEST_LABELS.get(s.test, s.test)}, {SIDEDNESS[s.alternative]}, alpha {s.alpha:g}"
            f"{corr}, {s.confidence_level:.0%} CI")


def finding_title(row, lower_is_better: bool = True, spec=None) -> str:
    """A short chart title that states the estimate (the verdict goes in the subtitle/sentence);
    a yes/no outcome (``spec.kind == "binary"``) in percentage points."""
    if getattr(spec, "kind", "") == "binary":
        diff = row["mean_treatment"] - row["mean_control"]
        if not _finite(diff):
            return f"{row['label']}: difference not estimable"
        return f"{row['label']}: {pp_text(diff)} with the programme"
    pc = row["percent_change"]
    if not _finite(pc):
        return f"{row['label']}: change not estimable"
    if round(abs(pc)) == 0:
        return f"{row['label']}: no change with the programme"
    return f"{row['label']}: {abs(pc):.0f}% {'lower' if pc < 0 else 'higher'} with the programme"


def finding_subtitle(row, synthetic_tag: str = "") -> str:
    adjusted = row["correction"] != "none"
    p = row["p_adjusted"] if adjusted else row["p_value"]
    verdict = ("statistically significant" if row["significant"] else "not statistically significant")
    return _subtitle(interval_words(row["percent_change_ci_low"], row["percent_change_ci_high"],
                                   row["confidence_level"]),
                     p_text(p, row["alternative"], adjusted, row["correction"]), verdict,
                     synthetic_tag)


def build_content(trial: Trial, mapping: Mapping, settings: Settings, results: pd.DataFrame, *,
                  subgroup: str | None = None, prespecified: bool = False,
                  options: PackOptions = PackOptions(), generated: str | None = None) -> Pack:
    """Assemble the pack's content from the results the pages show.

    Parameters
    ----------
    trial : Trial
        Data set (table, outcome labels and units, metadata).
    mapping, settings : the analysis mapping and settings behind ``results``.
    results : DataFrame
        :func:`fd_stats.analyse` output (the page's ``ctx.results``).
    options : PackOptions
        Disclosure control and image choices.
    """
    if results is None or results.empty:
        raise DataError("There are no results to export.")
    res = results.reset_index(drop=True)
    protected = None
    table = res
    notes: list[str] = []
    if options.disclosure:
        protected = protect_results(res, options.threshold, rounding=options.rounding,
                                    nonzero_rule=options.nonzero_rule)
        table = protected.table
        notes.append(rule_text(options.threshold, options.rounding, options.nonzero_rule))
        notes.append(protected.summary("results table"))
    specs = {o.column: o for o in trial.outcomes}
    synthetic_tag = "Synthetic data" if trial.synthetic else ""
    level = settings.confidence_level
    charts: list[Chart] = []

    # overview forest plot of every outcome (All rows whose comparison is shown)
    all_idx = [i for i in table.index if table.at[i, "subgroup"] == "All"]
    shown_all = [i for i in all_idx if _comparison_shown(protected, i)]
    hidden_all = [table.at[i, "label"] for i in all_idx if i not in shown_all]
    if shown_all:
        rows = res.loc[shown_all]
        n_sig = int(rows["significant"].sum())
        title = (f"{n_sig} of {count_of(len(rows), 'outcome')} changed significantly at alpha {settings.alpha:g}"
                 if n_sig else f"No outcome changed significantly at alpha {settings.alpha:g}")
        fig = _fit_forest(F.forest_plot(
            rows, title=title, subtitle=_subtitle(f"Percentage change, programme vs control, "
                                                  f"{level:.0%} CI", SIDEDNESS[settings.alternative],
                                                  synthetic_tag)))
        charts.append(Chart("01_all_outcomes", title, fig,
                            "Filled markers and '✔ sig': significant; open markers and '— ns': not "
                            "significant." + (f" Hidden by disclosure control: {', '.join(hidden_all)}."
                                               if hidden_all else "")))

    # one finding per headline outcome
    findings: list[Finding] = []
    heads = [o for o in trial.headline_outcomes if o in set(res["outcome"])]
    if not heads:
        heads = list(dict.fromkeys(res["outcome"]))[:3]
    for k, outcome in enumerate(heads, start=2):
        i = next((j for j in all_idx if res.at[j, "outcome"] == outcome), None)
        if i is None:
            continue
        row = res.loc[i].to_dict()
        label = row["label"]
        if not _comparison_shown(protected, i):
            findings.append(Finding(outcome, label,
                                    f"{label}: the comparison is {SUPPRESSED_TEXT} (fewer than "
                                    f"{options.threshold} people behind a mean).", row, None, True))
            continue
        sentence = effect_sentence_for(row, trial.outcome(outcome))
        key = f"{k:02d}_{_slug(label)}"
        fig = _finding_figure(trial, res, table, protected, outcome, settings, synthetic_tag)
        title = finding_title(row, spec=trial.outcome(outcome)) + (
            " (statistically significant)" if row["significant"] else " (not statistically significant)")
        charts.append(Chart(key, title, fig, sentence))
        findings.append(Finding(outcome, label, sentence, row, key,
                                benefit=benefit_text(row, trial.outcome(outcome).direction,
                                                     markdown=False)))

    # subgroups (exploratory unless pre-specified)
    sub_idx = [i for i in table.index if table.at[i, "subgroup"] != "All"]
    if subgroup and sub_idx:
        shown = [i for i in sub_idx if _comparison_shown(protected, i)
                 and res.at[i, "outcome"] in heads]
        tag = "pre-specified" if prespecified else "exploratory"
        if shown:
            rows = res.loc[shown]
            title = f"Headline outcomes by {readable_column(subgroup).lower()} ({tag})"
            fig = _fit_forest(F.forest_plot(
                rows, title=title, group_col="subgroup", max_ticks=5,
                subtitle=_subtitle(f"Percentage change, {level:.0%} CI",
                                   "subgroup results are " + tag, synthetic_tag)))
            n_hidden = len([i for i in sub_idx if res.at[i, "outcome"] in heads]) - len(shown)
            charts.append(Chart(f"{len(charts) + 1:02d}_subgroups", title, fig,
                                f"Subgroup results are {tag}: "
                                + ("they were planned before the data were seen."
                                   if prespecified else "treat them as ideas to test, not findings.")
                                + (f" {n_hidden} subgroup comparisons are {SUPPRESSED_TEXT}."
                                   if n_hidden else "")))

    # engagement
    eng, eng_note, reasons = _engagement(trial, mapping, options, level, notes)
    if eng is not None and FP is not None:
        shown = eng[eng["rate"].notna()]
        if len(shown):
            all_row = eng[eng["group"] == "All"]
            if len(all_row) and _finite(all_row["rate"].iloc[0]):
                a = all_row.iloc[0]
                title = f"{int(a['engaged'])} of {int(a['known'])} people offered the programme engaged"
            else:
                title = "Engagement with the programme"
            shown = shown.astype({c: int for c in ("engaged", "known") if c in shown})
            fig = FP.engagement_figure(shown, title=title,
                                       subtitle=_subtitle("Treatment arm only", synthetic_tag))
            charts.append(Chart(f"{len(charts) + 1:02d}_engagement", title, fig, eng_note))

    from dashboard.over_time import pack_over_time  # over time (#14): one slide
    over_time = pack_over_time(trial, level, settings.alpha, options.disclosure)
    over_time_key = None
    if over_time and over_time[1] is not None:
        over_time_key = f"{len(charts) + 1:02d}_over_time"
        charts.append(Chart(over_time_key, over_time[0], over_time[1], " ".join(over_time[2])))
    cost_lines = _cost_lines(trial, res, table, protected, heads, eng)
    n_t = int(res.loc[all_idx, "n_treatment"].max()) if all_idx else 0
    n_c = int(res.loc[all_idx, "n_control"].max()) if all_idx else 0
    methods = _methods(trial, settings, res, n_t, n_c, subgroup, prespecified)
    how_sure, checks = _how_sure(trial, mapping, subgroup, prespecified)
    methods += checks
    limitations = _limitations(trial, settings, res, n_t, n_c, subgroup, prespecified, eng)
    summary_rows = res.loc[shown_all].copy()
    summary_rows["significant"] = summary_rows["significant"].astype(bool)
    summary = summary_for(summary_rows, specs) if len(summary_rows) else "No results to summarise."
    if hidden_all:
        summary += (f" Not included ({SUPPRESSED_TEXT}): {', '.join(hidden_all)}.")
    suppressed = list(protected.suppressed) if protected else []
    return Pack(trial_name=str(trial.meta.get("trial", {}).get("name", trial.name)),
                dataset=trial.name, synthetic=bool(trial.synthetic), settings=settings,
                options=options, subgroup=subgroup, prespecified=prespecified,
                generated=generated or _dt.date.today().isoformat(), results=res, table=table,
                protected=protected, findings=findings, summary=summary, charts=charts,
                engagement=eng, engagement_note=eng_note, reasons=reasons,
                cost_lines=cost_lines, methods=methods, limitations=limitations,
                disclosure_notes=notes, suppressed=suppressed, how_sure=how_sure,
                over_time=(over_time[0], over_time_key, over_time[2]) if over_time else None)


def _how_sure(trial, mapping, subgroup, prespecified) -> tuple[list[str], list[str]]:
    """The evidence rating (fd_stats.integrity, default cut-offs) for the 'How sure' slide:
    [headline, reasons..., what would raise it...], and the methods lines stating the checks."""
    from fd_stats.integrity import facts_from_trial, integrity_report

    try:
        rep = integrity_report(trial.table, mapping,
                               facts=facts_from_trial(trial, subgroup, prespecified),
                               labels={o: trial.outcome(o).label for o in mapping.outcomes})
    except DataError as exc:
        return [], [f"Integrity checks could not run: {exc}"]
    r = rep.rating
    lines = [f"{r.headline} (rules modelled on the EEF security rating; details on the "
             "dashboard's 'How sure' page)."]
    lines += [x + "." for x in r.reasons[:3]]
    lines += [f"What would raise it: {x}" for x in r.raise_it[:2]]
    return lines, rep.checks_text()


def _wrap(label: str, width: int = 18) -> str:
    """Break a long axis label over two lines (at the space nearest its middle)."""
    text = str(label)
    if len(text) <= width or " " not in text:
        return text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "<br>" + text[cut + 1:]


def _fit_forest(fig: go.Figure) -> go.Figure:
    """For the small export layout: value labels run into a right margin instead of being cut
    off, and long outcome names wrap so the plot itself keeps room for its tick labels."""
    fig.update_traces(cliponaxis=False, selector=dict(mode="text"))
    fig.update_layout(margin=dict(r=110))
    ticktext = fig.layout.yaxis.ticktext
    if ticktext and len(ticktext) <= 5:  # two-line labels need room: only for few rows
        fig.update_yaxes(ticktext=[_wrap(t) for t in ticktext])
    return fig


def _finding_figure(trial, res, table, protected, outcome, settings, synthetic_tag) -> go.Figure:
    """Mean per person in each arm (all people) with its interval, for one headline outcome."""
    from fd_stats.subgroups import arm_summary
    i0 = next(i for i in res.index if res.at[i, "outcome"] == outcome and res.at[i, "subgroup"] == "All")
    r0 = res.loc[i0]
    mapping = Mapping(arm=trial.mapping.arm, treatment=trial.mapping.treatment,
                      control=trial.mapping.control, outcomes=(outcome,),
                      labels=((outcome, r0["label"]),))
    summ = arm_summary(trial.table, mapping, settings.confidence_level).set_index("arm")
    unit = _unit(trial, outcome)
    level = settings.confidence_level
    fig = go.Figure()
    names = {"treatment": "With the programme", "control": "Without (control)"}
    for arm in ("control", "treatment"):
        n_col, m_col = f"n_{arm}", f"mean_{arm}"
        shown = _shown(table, protected, i0, m_col)
        a = summ.loc[arm]
        n_txt = f"n = {int(table.at[i0, n_col])}" if _shown(table, protected, i0, n_col) else "n hidden"
        y = f"{label(names[arm])}<br>({n_txt})"
        mean = float(a["mean"]) if shown else 0.0
        fig.add_bar(
            x=[mean], y=[y], orientation="h", name=names[arm], width=0.55,
            marker=dict(color=F.ARM_COLOURS[arm],
                        pattern=dict(shape="" if arm == "treatment" else "/", fgcolor="white")),
            error_x=dict(type="data", symmetric=False, array=[max(a["ci_high"] - a["mean"], 0)],
                         arrayminus=[max(a["mean"] - a["ci_low"], 0)], thickness=2.5, width=8,
                         color="#333", visible=shown),
            hoverinfo="skip")
        dg = mean_digits(*summ["mean"])
        fig.add_annotation(
            x=float(a["ci_high"]) if shown else 0.0, y=y, xanchor="left", showarrow=False,
            xshift=8, font=dict(size=F.FONT_SIZE),
            text=(f"<b>{a['mean']:,.{dg}f}</b> ({level:.0%} CI {a['ci_low']:,.{dg}f} to "
                  f"{a['ci_high']:,.{dg}f})" if shown else SUPPRESSED_TEXT))
    top = float(np.nanmax([summ.loc[a, "ci_high"] for a in summ.index])) if len(summ) else 1
    base_layout_title = finding_title(r0, spec=trial.outcome(outcome))
    F.base_layout(fig, base_layout_title, finding_subtitle(r0, synthetic_tag), legend=False)
    fig.update_xaxes(title_text=f"Mean per person: {unit} (bars: {level:.0%} CI of each mean)",
                     range=[0, top * 1.75], gridcolor=F.LIGHT_GREY, rangemode="tozero")
    fig.update_yaxes(tickfont=dict(size=F.FONT_SIZE))
    fig.update_layout(bargap=0.35, margin=dict(l=10, r=30))
    return fig


def _engagement(trial, mapping, options, level, notes):
    from fd_stats.programme.consort import engagement_by_group, non_engagement_reasons
    col = mapping.engagement or trial.mapping.engagement
    if not col or col not in trial.table.columns:
        return None, "", None
    group = next((c for c in trial.subgroup_columns if c in trial.table.columns), None)
    try:
        eng = engagement_by_group(trial.table, mapping, group, engagement=col,
                                  confidence_level=level)
        reason_col = trial.meta.get("engagement", {}).get("reason_column")
        reasons = non_engagement_reasons(trial.table, mapping, reason_col if reason_col in
                                         trial.table.columns else None, group, engagement=col)
    except DataError:
        return None, "", None
    note = ""
    if options.disclosure:
        pe = protect_engagement(eng, options.threshold)
        eng = pe.table
        pr = protect_counts(reasons, "count", options.threshold, group_col="group",
                            label_col="reason")
        reasons = pr.table
        # a group whose non-engagement count is hidden hides all its reasons
        hidden_groups = set(eng.loc[eng["not_engaged"].isna(), "group"].astype(str))
        reasons.loc[reasons["group"].astype(str).isin(hidden_groups), "count"] = np.nan
        notes.append(pe.summary("engagement table"))
        notes.append(pr.summary("table of reasons for not engaging"))
        if pe.any:
            hidden = [g for g in eng.loc[eng["rate"].isna(), "group"]]
            note = (f"Engagement by {group} is {SUPPRESSED_TEXT} for: {', '.join(map(str, hidden))} "
                    f"(a count below {options.threshold} people, or one that would reveal it).")
    return eng, note, reasons


def _money(v) -> str:
    if FP is not None:
        return FP.money(v)
    return "no upper limit" if np.isinf(v) else f"£{v:,.0f}"


def _cost_lines(trial, res, table, protected, heads, eng) -> list[str]:
    from fd_stats.programme.cost import cost_per_person, cost_per_unit_improved
    from fd_stats.report.wording import improvement_terms
    cost = trial.meta.get("cost", {})
    total = cost.get("delivery_funding", {}).get("value")
    if not total:
        return []
    lines = []
    all_rows = res[res["subgroup"] == "All"]
    n_t = int(all_rows["n_treatment"].max())
    lines.append(f"Delivery funding: {_money(total)} (source: "
                 f"{cost.get('delivery_funding', {}).get('source', 'trial metadata')}).")
    lines.append(f"Cost per person offered the programme: {_money(cost_per_person(total, n_t))} "
                 f"({_money(total)} / {n_t} people).")
    if eng is not None:
        a = eng[eng["group"] == "All"]
        if len(a) and _finite(a["engaged"].iloc[0]) and a["engaged"].iloc[0] > 0:
            e = int(a["engaged"].iloc[0])
            lines.append(f"Cost per person who engaged: {_money(cost_per_person(total, e))} "
                         f"({_money(total)} / {e} people).")
    lo, hi = cost.get("cost_per_case_low", {}).get("value"), cost.get("cost_per_case_high", {}).get("value")
    if lo and hi:
        lines.append(f"The report's own estimate: about {_money(lo)}–{_money(hi)} per case plus "
                     "management and coordination, which falls with scale.")
    for outcome in heads:
        i = next((j for j in all_rows.index if res.at[j, "outcome"] == outcome), None)
        if i is None or not _comparison_shown(protected, i):
            continue
        r = res.loc[i]
        if r["estimate_label"] != "difference in means" or not _finite(r["difference"]):
            continue
        words = improvement_terms(trial.outcome(outcome))  # in the outcome's own unit
        if not words.sign:
            lines.append(f"{r['label']}: which way is better is not set, so there is no cost "
                         "per improvement.")
            continue
        c = cost_per_unit_improved(total, r["difference"], r["ci_low"], r["ci_high"], n_t,
                                   words.sign)
        amount = f"{c.prevented:,.0f}" if abs(c.prevented) >= 100 else f"{c.prevented:.1f}"
        if not c.prevented > 0:
            lines.append(f"{r['label']}: the estimate shows no improvement, so there is no cost "
                         f"per {words.one}.")
        elif c.bounded:
            lines.append(f"{r['label']}: about {amount} {words.many} among {n_t} people, "
                         f"{_money(c.cost_per_unit)} per {words.one} "
                         f"({r['confidence_level']:.0%} range {_money(c.cost_low)} to "
                         f"{_money(c.cost_high)}).")
        else:
            lines.append(f"{r['label']}: about {amount} {words.many} among {n_t} people, "
                         f"{_money(c.cost_per_unit)} per {words.one}. The interval includes "
                         f"no effect, so the cost per {words.one} has no upper limit "
                         f"(lowest {_money(c.cost_low)}).")
    return lines


def _methods(trial, s, res, n_t, n_c, subgroup, prespecified) -> list[str]:
    design = trial.meta.get("trial", {}).get("design") or "Two-arm comparison, one row per person"
    outcomes = res["outcome"].nunique()
    corr = ("no correction for testing several outcomes" if s.correction == "none" else
            f"{CORRECTIONS[s.correction]} correction across the {count_of(outcomes, 'outcome')}")
    # every way the rows got their % change (a rate ratio for counts, a ratio of means for scores)
    method = ("; ".join(m for m in dict.fromkeys(res["percent_change_method"].astype(str))
                        if m and m != "nan") if "percent_change_method" in res else "")
    lines = [
        f"Design: {design}.",
        f"Analysis by intention to treat: everyone offered the programme ({n_t} people) is "
        f"compared with everyone not offered it ({n_c} people), whether or not they engaged.",
        f"Test: {TEST_LABELS.get(s.test, s.test)}, {SIDEDNESS[s.alternative]}; "
        f"significance threshold alpha = {s.alpha:g}; {corr}.",
        f"Effects are percentage changes from the control mean with {s.confidence_level:.0%} "
        f"confidence intervals" + (f" ({method})." if method else "."),
        P_VALUE_MEANING,
        "'Not significant' does not mean 'no effect': the interval shows the range of effects "
        "the data are consistent with.",
    ]
    odd = [r["label"] for _, r in res[res["subgroup"] == "All"].iterrows()
           if _finite(r["percent_change_ci_low"]) and _finite(r["percent_change_ci_high"])
           and bool(r["significant"]) == (r["percent_change_ci_low"] <= 0 <= r["percent_change_ci_high"])]
    if odd:
        lines.append("The interval for the percentage change is matched to the Welch t-test; "
                     "with the test chosen here the verdict can differ from it near the "
                     "threshold. This happens for: " + ", ".join(odd) + ".")
    if s.alternative != "two-sided":
        lines.append("One-sided tests look for a change in one direction only and halve the "
                     "p-value; they are valid only if the direction was chosen before seeing the data.")
    if subgroup:
        lines.append(f"Subgroups by {subgroup} are "
                     + ("pre-specified." if prespecified else "exploratory (not pre-specified)."))
    return lines


def _limitations(trial, s, res, n_t, n_c, subgroup, prespecified, eng) -> list[str]:
    k = res["outcome"].nunique()
    lines = [
        f"Small sample: {n_t} people offered the programme and {n_c} not, so intervals are wide "
        "and moderate effects can be missed.",
        (f"Multiple outcomes: with {k} outcomes tested at {s.alpha:g} and no correction, a "
         f"chance 'significant' result is {chance_adjective(s.alpha, k)} "
         f"({chance_words(s.alpha, k)}) even if the "
         "programme had no effect (taking the outcomes as independent)."
         if s.correction == "none" and k > 1 else
         f"Multiple outcomes: {k} outcomes were tested, with a "
         f"{CORRECTIONS[s.correction]} correction." if k > 1 else
         "One outcome was tested."),
    ]
    if subgroup:
        lines.append(("Subgroup results were pre-specified, but each subgroup is smaller still."
                      if prespecified else
                      "Subgroup results are exploratory: they were not planned before the data "
                      "were seen; treat them as ideas to test, not findings."))
    else:
        lines.append("Subgroup results (if shown elsewhere) are exploratory unless pre-specified.")
    if eng is not None:
        lines.append("Not everyone offered the programme engaged; intention-to-treat effects "
                     "include those who did not.")
    if trial.synthetic:
        lines.append(SYNTHETIC_LABEL)
    return lines


# ---------------------------------------------------------------- PNG rendering (kaleido)

_KALEIDO_LOCK = threading.Lock()


def chromium_path() -> str:
    """The system Chromium: $BROWSER_PATH, then /usr/bin/chromium, then chromium on PATH."""
    for cand in (os.environ.get("BROWSER_PATH"), "/usr/bin/chromium",
                 shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and os.path.exists(cand):
            return cand
    raise ExportError("No Chromium browser found to draw the charts (set BROWSER_PATH).")


def _ensure_server():
    import kaleido
    from kaleido import _global_server  # the singleton behind start_sync_server
    thread = getattr(_global_server, "_thread", None)
    if _global_server.is_running() and thread is not None and not thread.is_alive():
        _global_server._initialized = False  # the browser died; start afresh
    if not _global_server.is_running():
        kaleido.start_sync_server(path=chromium_path(), mathjax=False, silence_warnings=True)
    return kaleido


def export_figure(fig: go.Figure) -> go.Figure:
    """A copy laid out at the export size with the explicit template (not Streamlit's theme)."""
    out = go.Figure(fig)
    out.update_layout(width=LAYOUT_WIDTH, height=LAYOUT_HEIGHT, template="plotly_white")
    return out


def render_pngs(charts: list[Chart], width: int = PNG_WIDTH, height: int = PNG_HEIGHT,
                timeout: float = 120) -> dict[str, bytes]:
    """PNG bytes per chart key, through one reused kaleido server and the system Chromium."""
    if not charts:
        return {}
    scale = width / LAYOUT_WIDTH
    with _KALEIDO_LOCK:
        k = _ensure_server()
        out = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            for c in charts:
                fig = export_figure(c.figure)
                fig.update_layout(height=round(height / scale))
                fut = pool.submit(k.calc_fig_sync, fig,
                                  opts=dict(format="png", width=LAYOUT_WIDTH,
                                            height=round(height / scale), scale=scale))
                try:
                    out[c.key] = fut.result(timeout=timeout)
                except concurrent.futures.TimeoutError:
                    raise ExportError("Drawing the charts took too long; try again.") from None
                except Exception as exc:
                    raise ExportError(f"The chart '{c.title}' could not be drawn ({exc}).") from None
        return out


def images_zip(pngs: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for key, data in pngs.items():
            z.writestr(f"{key}.png", data)
    return buf.getvalue()


# ---------------------------------------------------------------- tables

def display_table(pack: Pack) -> pd.DataFrame:
    """The results table for people: formatted, with hidden cells marked."""
    res, prot = pack.results, pack.protected
    adjusted = pack.settings.correction != "none"

    def cell(i, col, fmt):
        if prot is not None and prot.is_hidden(i, col):
            return MARKER
        v = pack.table.at[i, col]
        return fmt(v)

    with_benefit = bool(np.isfinite(res["prob_benefit"].to_numpy(float)).any())
    benefit_col = ("Probability of benefit (Bayesian, "
                   f"{PRIORS[pack.settings.benefit_prior]})")
    rows = []
    for i in res.index:
        r = res.loc[i]
        shown = _comparison_shown(prot, i)
        dg = mean_digits(r["mean_treatment"], r["mean_control"])
        pc = (f"{r['percent_change']:+.0f}% ("
              + interval_words(r["percent_change_ci_low"], r["percent_change_ci_high"],
                               r["confidence_level"]).replace(" CI from", " CI") + ")"
              if shown and _finite(r["percent_change"]) else (MARKER if not shown else "not estimable"))
        row = {
            "Outcome": r["label"],
            "Group": ("All" if r["subgroup"] == "All"
                      else f"{readable_column(r['subgroup_column'])} {r['subgroup']}"),
            "n treatment": cell(i, "n_treatment", lambda v: f"{int(v)}"),
            "n control": cell(i, "n_control", lambda v: f"{int(v)}"),
            "Mean treatment": cell(i, "mean_treatment", lambda v: f"{v:,.{dg}f}"),
            "Mean control": cell(i, "mean_control", lambda v: f"{v:,.{dg}f}"),
            "Change (interval)": pc,
            f"p ({SIDEDNESS[r['alternative']]})": cell(i, "p_value", fmt_p),
        }
        if adjusted:
            row[f"{CORRECTIONS[r['correction']]}-adjusted p"] = cell(i, "p_adjusted", fmt_p)
        row[f"Verdict at alpha {pack.settings.alpha:g}"] = (
            MARKER if not shown else ("significant" if r["significant"] else "not significant"))
        if with_benefit:
            row[benefit_col] = cell(i, "prob_benefit", lambda v: _benefit_cell(
                v, pack.table.at[i, "prob_benefit_min"], r["benefit_min_change"]))
        rows.append(row)
    return pd.DataFrame(rows)


def _benefit_cell(p, p_min, change) -> str:
    """'98% (at least 10%: 96%)' or '—' when not given (no direction, no standard error)."""
    if not _finite(p):
        return "—"
    return f"{p:.0%}" + (f" (at least {change:.0%}: {p_min:.0%})" if _finite(p_min) else "")


def export_table(pack: Pack) -> pd.DataFrame:
    """The full results table for CSV/Excel: every result column, hidden cells marked."""
    out = pack.protected.marked() if pack.protected is not None else pack.results.copy()
    return escape_frame(round_significant(out))


def round_significant(frame: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    """Round every finite float to ``digits`` significant digits (for CSV/Excel files)."""
    def one(v):
        if isinstance(v, (float, np.floating)) and np.isfinite(v) and v != 0:
            return float(f"{float(v):.{digits}g}")
        return v

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].map(one).astype(float)
        elif out[col].dtype == object:
            out[col] = out[col].map(one)
    return out


def _notes(pack: Pack) -> list[tuple[str, str]]:
    rows = [("Disclosure note", n) for n in pack.disclosure_notes]
    if pack.synthetic:
        rows.append(("Warning", SYNTHETIC_LABEL))
    return rows


def _header_rows(pack: Pack) -> list[tuple[str, str]]:
    """Settings and notes for a CSV (formula-like text escaped: CSV has no text type)."""
    rows = [(k, v) for k, v in pack.settings_block] + _notes(pack)
    return [(escape_formula(k), escape_formula(v)) for k, v in rows]


def csv_bytes(pack: Pack) -> bytes:
    """The full results table alone (one header row: ``pandas.read_csv`` reads it); the
    settings behind it are in :func:`settings_csv_bytes`, saved beside it."""
    return export_table(pack).to_csv(index=False).encode("utf-8-sig")


def settings_csv_bytes(pack: Pack) -> bytes:
    """The settings, disclosure notes and data warning behind ``results.csv`` (setting, value)."""
    rows = [("File", f"settings behind {FILES['csv'][0]} ({pack.trial_name})"), *_header_rows(pack)]
    return pd.DataFrame(rows, columns=["setting", "value"]).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(pack: Pack) -> bytes:
    """Workbook: 'Results' (the table alone, from A1), 'Settings', 'Readable', 'Hidden cells'.

    Written by XlsxWriter with ``in_memory``: openpyxl (and XlsxWriter by default) would
    write each sheet, holding the labels and results, to a temporary file first. Text is
    always written as text (``write_string``), never as a formula or a link; text that a
    spreadsheet would run as a formula (starting ``= + - @``, tab or return) also carries
    Excel's hidden quote prefix, so editing the cell does not run it and no apostrophe shows.
    """
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "nan_inf_to_errors": False})
    bold, title = {"bold": True}, {"bold": True, "font_size": 14}
    wrap = {"text_wrap": True}
    formats = {}

    def fmt_of(props, quoted):  # one workbook format per combination, made once
        key = (tuple(sorted((props or {}).items())), quoted)
        if key not in formats:
            formats[key] = (wb.add_format({**(props or {}), "quote_prefix": True}) if quoted
                            else wb.add_format(props) if props else None)
        return formats[key]

    def put(ws, i, j, v, props=None):
        if isinstance(v, str):
            ws.write_string(i, j, v, fmt_of(props, v.startswith(FORMULA_START)))
        else:
            ws.write(i, j, v, fmt_of(props, False))

    def clean(v):  # Excel has no infinity or NaN: open interval ends are written as text
        v = plain_value(v)
        if isinstance(v, float) and math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return None if isinstance(v, float) and math.isnan(v) else v

    def rows(ws, records, start=0, props=None):
        for i, rec in enumerate(records, start=start):
            for j, v in enumerate(rec):
                put(ws, i, j, clean(v), props)

    table = round_significant(pack.protected.marked() if pack.protected is not None
                              else pack.results.copy())
    ws = wb.add_worksheet("Results")
    rows(ws, [[str(c) for c in table.columns]], props=bold)
    rows(ws, table.itertuples(index=False), start=1)
    ws.freeze_panes(1, 2)
    ws.set_column(0, 1, 34)
    ws.set_column(2, max(2, len(table.columns) - 1), 16)

    wss = wb.add_worksheet("Settings")
    put(wss, 0, 0, "Board pack results: " + str(pack.trial_name), title)
    for i, (k, v) in enumerate([(k, v) for k, v in pack.settings_block] + _notes(pack), start=1):
        put(wss, i, 0, clean(k), bold)
        put(wss, i, 1, clean(v))
    wss.set_column(0, 0, 30)
    wss.set_column(1, 1, 100)

    ws2 = wb.add_worksheet("Readable")
    disp = display_table(pack)
    rows(ws2, [[str(c) for c in disp.columns]], props=bold)
    ws2.set_column(0, 0, 40)
    ws2.set_column(1, max(1, len(disp.columns) - 1), 22)
    ws2.set_column(6, 6, 44)
    rows(ws2, disp.itertuples(index=False), start=1)

    ws3 = wb.add_worksheet("Hidden cells")
    rows(ws3, [["Row", "Column", "Kind", "Reason"]], props=bold)
    hidden = [[s.row, s.column, s.kind, s.reason] for s in pack.suppressed] or \
        [["(none)", "", "", "disclosure control off" if not pack.options.disclosure
          else "nothing needed hiding"]]
    for i, rec in enumerate(hidden, start=1):
        for j, v in enumerate(rec):
            put(ws3, i, j, clean(v), wrap if j == 3 else None)
    for c, w in enumerate((50, 22, 14, 80)):
        ws3.set_column(c, c, w)
    wb.close()
    return buf.getvalue()


# ---------------------------------------------------------------- slides

def pptx_bytes(pack: Pack, pngs: dict[str, bytes]) -> bytes:
    """16:9 deck: title, overview, one slide per headline finding, subgroups, engagement,
    cost, methods, limitations, disclosure note."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    W, H = prs.slide_width, prs.slide_height
    DARK, GREY_ = RGBColor(0x22, 0x22, 0x22), RGBColor(0x55, 0x55, 0x55)
    WARN = RGBColor(0xA0, 0x3C, 0x00)

    def footer(slide):
        parts = [pack.dataset, _settings_line(pack.settings)]
        if pack.options.disclosure:
            parts.append(f"small numbers hidden (< {pack.options.threshold})")
        tb = slide.shapes.add_textbox(Inches(0.5), H - Inches(0.45), W - Inches(1.0), Inches(0.35))
        p = tb.text_frame.paragraphs[0]
        p.text = safe_text(" · ".join(parts), "pptx", 220)
        p.runs[0].font.size = Pt(11)
        p.runs[0].font.color.rgb = WARN if pack.synthetic else GREY_
        tb.text_frame.word_wrap = True

    def titled(title: str):
        slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
        t = slide.shapes.title
        t.left, t.top, t.width, t.height = Inches(0.5), Inches(0.25), W - Inches(1.0), Inches(0.95)
        title = safe_text(title, "pptx", 140)  # user labels: no bidi overrides, fits the slide
        t.text = title
        tf = t.text_frame
        tf.word_wrap = True
        for p in tf.paragraphs:
            p.alignment = 1  # left
            for r in p.runs:
                r.font.size = Pt(28 if len(title) < 70 else 24)
                r.font.bold = True
                r.font.color.rgb = DARK
        footer(slide)
        return slide

    def text_box(slide, left, top, width, height, paragraphs, size=18, bullets=False):
        tb = slide.shapes.add_textbox(left, top, width, height)
        tf = tb.text_frame
        tf.word_wrap = True
        for n, text in enumerate(paragraphs):
            p = tf.paragraphs[0] if n == 0 else tf.add_paragraph()
            p.text = ("• " if bullets else "") + safe_text(text, "pptx", 1200)
            p.space_after = Pt(8)
            for r in p.runs:
                r.font.size = Pt(size)
                r.font.color.rgb = DARK
        return tb

    def picture(slide, key, left, top, width):
        data = pngs.get(key)
        if data:
            slide.shapes.add_picture(io.BytesIO(data), left, top, width=width)
        else:
            text_box(slide, left, top, width, Inches(1), ["(chart not drawn)"], 16)

    # 1. title slide
    s = prs.slides.add_slide(prs.slide_layouts[0])
    s.shapes.title.text = safe_text(pack.trial_name, "pptx", 140)
    s.shapes.title.left, s.shapes.title.top = Inches(0.8), Inches(1.6)
    s.shapes.title.width, s.shapes.title.height = W - Inches(1.6), Inches(1.6)
    for p in s.shapes.title.text_frame.paragraphs:
        for r in p.runs:
            r.font.size, r.font.bold = Pt(40), True
    sub = s.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.4), W - Inches(1.6), Inches(2.8)
    lines = ["Results for the board", f"Data set: {pack.dataset}",
             f"{_settings_line(pack.settings)} · generated {pack.generated}"]
    if pack.synthetic:
        lines.append("SYNTHETIC DATA: " + SYNTHETIC_LABEL.split(": ", 1)[-1])
    sub.text_frame.text = lines[0]
    for ln in lines[1:]:
        sub.text_frame.add_paragraph().text = ln
    for n, p in enumerate(sub.text_frame.paragraphs):
        for r in p.runs:
            r.font.size = Pt(24 if n == 0 else 18)
            if pack.synthetic and n == len(lines) - 1:
                r.font.color.rgb, r.font.bold = WARN, True

    # 2. overview
    ov = pack.chart("01_all_outcomes")
    s = titled("What the trial found")
    if ov:
        picture(s, ov.key, Inches(0.4), Inches(1.3), Inches(8.0))
        text_box(s, Inches(8.6), Inches(1.35), Inches(4.35), Inches(5.5),
                 [pack.summary], 15)
    else:
        text_box(s, Inches(0.6), Inches(1.4), W - Inches(1.2), Inches(5), [pack.summary], 20)

    # 3. one slide per headline finding
    for f in pack.findings:
        c = pack.chart(f.chart)
        s = titled(c.title if c else f.label)
        if c:
            picture(s, c.key, Inches(0.4), Inches(1.3), Inches(8.0))
        text_box(s, Inches(8.6), Inches(1.35), Inches(4.35), Inches(5.5),
                 [f.sentence] + ([f.benefit] if f.benefit else []), 16 if f.benefit else 18)

    # how sure can we be (evidence rating)
    if pack.how_sure:
        s = titled("How sure can we be? " + pack.how_sure[0].split(" (")[0])
        text_box(s, Inches(0.6), Inches(1.35), W - Inches(1.2), Inches(5.5), pack.how_sure, 18,
                 True)

    # subgroups
    sg = next((c for c in pack.charts if c.key.endswith("_subgroups")), None)
    if sg:
        s = titled(sg.title)
        picture(s, sg.key, Inches(0.4), Inches(1.3), Inches(8.0))
        text_box(s, Inches(8.6), Inches(1.35), Inches(4.35), Inches(5.5), [sg.caption], 18)

    # engagement
    if pack.engagement is not None:
        ec = next((c for c in pack.charts if c.key.endswith("_engagement")), None)
        s = titled(ec.title if ec else "Engagement with the programme")
        paras = _engagement_paragraphs(pack)
        if ec:
            picture(s, ec.key, Inches(0.4), Inches(1.3), Inches(8.0))
            text_box(s, Inches(8.6), Inches(1.35), Inches(4.35), Inches(5.5), paras, 16)
        else:
            text_box(s, Inches(0.6), Inches(1.4), W - Inches(1.2), Inches(5), paras, 18, True)

    # over time (#14)
    if pack.over_time:
        title, chart_key, paras = pack.over_time
        s = titled(title)
        if chart_key:
            picture(s, chart_key, Inches(0.4), Inches(1.3), Inches(8.0))
            text_box(s, Inches(8.6), Inches(1.35), Inches(4.35), Inches(5.5), paras, 14)
        else:
            text_box(s, Inches(0.6), Inches(1.4), W - Inches(1.2), Inches(5), paras, 18)

    # cost
    if pack.cost_lines:
        s = titled("What it cost")
        text_box(s, Inches(0.6), Inches(1.4), W - Inches(1.2), Inches(5.4), pack.cost_lines, 18, True)

    s = titled("How the results were worked out")
    text_box(s, Inches(0.6), Inches(1.35), W - Inches(1.2), Inches(5.5), pack.methods, 17, True)
    s = titled("What the results cannot tell us")
    text_box(s, Inches(0.6), Inches(1.35), W - Inches(1.2), Inches(5.5), pack.limitations, 18, True)
    if pack.options.disclosure:
        s = titled("Small numbers are protected")
        paras = list(pack.disclosure_notes)
        paras.append("The full list of hidden cells is in the report and the Excel file "
                     "('Hidden cells' sheet).")
        text_box(s, Inches(0.6), Inches(1.35), W - Inches(1.2), Inches(5.5), paras, 16, True)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _engagement_paragraphs(pack: Pack) -> list[str]:
    eng = pack.engagement
    out = []
    for _, r in eng.iterrows():
        who = "Everyone offered the programme" if r["group"] == "All" else f"Cohort {r['group']}"
        if _finite(r.get("rate")):
            out.append(f"{who}: {int(r['engaged'])} of {int(r['known'])} engaged "
                       f"({r['rate']:.0%}; {r['confidence_level']:.0%} CI {r['ci_low']:.0%} to "
                       f"{r['ci_high']:.0%}).")
        else:
            alloc = f" (allocated {int(r['allocated'])})" if _finite(r.get("allocated")) else ""
            out.append(f"{who}: {SUPPRESSED_TEXT}{alloc}.")
    if pack.reasons is not None and len(pack.reasons):
        shown = pack.reasons[pack.reasons["count"].notna()]
        if len(shown):
            out.append("Reasons for not engaging: " + "; ".join(
                f"{r['reason']} ({int(r['count'])}, {r['group']})" for _, r in shown.iterrows()) + ".")
        else:
            out.append(f"Reasons for not engaging: every count is below "
                       f"{pack.options.threshold} people, so they are {SUPPRESSED_TEXT}.")
    if pack.engagement_note:
        out.append(pack.engagement_note)
    return out


# ---------------------------------------------------------------- HTML report

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;color:#222;max-width:1100px;margin:24px auto;
 padding:0 16px;line-height:1.45;font-size:16px}
h1{font-size:30px;margin-bottom:4px} h2{font-size:23px;margin-top:32px;border-bottom:2px solid #0072B2;
 padding-bottom:4px;break-after:avoid;page-break-after:avoid}
.banner{background:#fff4e5;border-left:6px solid #D55E00;padding:10px 14px;margin:12px 0;font-weight:bold}
.settings{border-collapse:collapse;margin:8px 0 16px} .settings td{padding:3px 10px;border-bottom:1px solid #ddd;
 vertical-align:top} .settings td:first-child{font-weight:bold;white-space:nowrap}
.figure{break-inside:avoid;page-break-inside:avoid;margin:18px 0 26px}
.figure .sentence{font-size:17px;margin:6px 0 0} .caption{color:#555;font-size:14px}
table.results{border-collapse:collapse;font-size:13px;width:100%} table.results th,table.results td{
 border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
table.results th{background:#f0f4f8} table.results tr{break-inside:avoid;page-break-inside:avoid}
ul li{margin-bottom:6px} .small{font-size:13px;color:#555}
.plot{width:100%;height:560px}
nav a{margin-right:14px}
@page{size:A4 landscape;margin:12mm}
@media print{body{max-width:none;margin:0;font-size:13px} nav,.modebar-container{display:none!important}
 h2{break-before:auto} .figure{break-inside:avoid;page-break-inside:avoid}
 .pagebreak{break-before:page;page-break-before:always}}
"""


def _plain_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells without bidi overrides or invisible characters (to_html escapes the rest)."""
    return frame.map(lambda v: safe_text(v, "plain") if isinstance(v, str) else v)


def html_bytes(pack: Pack, pngs: dict[str, bytes] | None = None) -> bytes:
    """One self-contained HTML file: plotly.js embedded once, no external files, no MathJax."""
    def esc(text) -> str:  # user text: escaped, bidi overrides removed
        return safe_text(text, "html")
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{esc(pack.trial_name)} · board report</title><style>{_CSS}</style></head><body>"]
    parts.append(f"<h1>{esc(pack.trial_name)}</h1><p class='small'>Board report · data set: "
                 f"{esc(pack.dataset)} · generated {esc(pack.generated)}</p>")
    if pack.synthetic:
        parts.append(f"<div class='banner'>{esc(SYNTHETIC_LABEL)}</div>")
    has_eng, has_cost = pack.engagement is not None, bool(pack.cost_lines)
    eng_title = ("Engagement and cost" if has_eng and has_cost else
                 "Engagement" if has_eng else "Cost" if has_cost else "")
    parts.append("<nav><a href='#summary'>Summary</a><a href='#findings'>Findings</a>"
                 + (f"<a href='#engagement'>{eng_title}</a>" if eng_title else "")
                 + "<a href='#methods'>Methods</a>"
                 "<a href='#limitations'>Limitations</a><a href='#table'>Results table</a>"
                 "<a href='#disclosure'>Small numbers</a></nav>")
    parts.append("<h2 id='summary'>Summary</h2><table class='settings'>")
    for k, v in pack.settings_block:
        parts.append(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>")
    parts.append(f"</table><p>{esc(pack.summary)}</p>")
    first = [True]

    def fig_html(chart: Chart) -> str:
        fig = go.Figure(chart.figure)
        fig.update_layout(template="plotly_white", autosize=True, width=None)
        out = fig.to_html(full_html=False, include_plotlyjs=bool(first[0]), include_mathjax=False,
                          div_id=f"fig-{chart.key}", default_width="100%",
                          default_height=f"{int(fig.layout.height or 520)}px",
                          config={"displaylogo": False, "responsive": True,
                                  "modeBarButtonsToRemove": ["sendDataToCloud"]})
        first[0] = False
        return out

    ov = pack.chart("01_all_outcomes")
    if ov:
        parts.append(f"<div class='figure'>{fig_html(ov)}<p class='caption'>{esc(ov.caption)}</p></div>")
    parts.append("<h2 id='findings'>Headline findings</h2>")
    for f in pack.findings:
        c = pack.chart(f.chart)
        parts.append("<div class='figure'>")
        if c:
            parts.append(fig_html(c))
        parts.append(f"<p class='sentence'>{esc(f.sentence)}</p>"
                     + (f"<p class='small'>{esc(f.benefit)}</p>" if f.benefit else "") + "</div>")
    if pack.how_sure:
        parts.append("<h2>How sure can we be?</h2><ul>"
                     + "".join(f"<li>{esc(x)}</li>" for x in pack.how_sure) + "</ul>")
    sg = next((c for c in pack.charts if c.key.endswith("_subgroups")), None)
    if sg:
        parts.append(f"<h2>Subgroups</h2><div class='figure'>{fig_html(sg)}"
                     f"<p class='sentence'>{esc(sg.caption)}</p></div>")
    if eng_title:
        parts.append(f"<h2 id='engagement'>{eng_title}</h2>")
    if has_eng:
        ec = next((c for c in pack.charts if c.key.endswith("_engagement")), None)
        parts.append("<div class='figure'>" + (fig_html(ec) if ec else "") + "<ul>"
                     + "".join(f"<li>{esc(p)}</li>" for p in _engagement_paragraphs(pack))
                     + "</ul></div>")
    if has_cost:
        parts.append(("<h3>Cost</h3>" if has_eng else "") + "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in pack.cost_lines)
                     + "</ul>")
    parts.append("<h2 id='methods'>How the results were worked out</h2><ul>"
                 + "".join(f"<li>{esc(x)}</li>" for x in pack.methods) + "</ul>")
    parts.append("<h2 id='limitations'>What the results cannot tell us</h2><ul>"
                 + "".join(f"<li>{esc(x)}</li>" for x in pack.limitations) + "</ul>")
    parts.append("<h2 id='table' class='pagebreak'>Full results table</h2>")
    disp = _plain_cells(display_table(pack))
    parts.append(disp.to_html(index=False, classes="results", border=0, escape=True))
    parts.append(f"<p class='small'>{esc(MARKER)} = hidden by disclosure control. "
                 f"{esc(P_VALUE_MEANING)}</p>")
    parts.append("<h2 id='disclosure'>Small numbers</h2>")
    if pack.options.disclosure:
        parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in pack.disclosure_notes) + "</ul>")
        if pack.suppressed:
            rows = pack.protected.by_row().rename(columns={"row": "Outcome (group)",
                                                           "hidden": "Hidden columns",
                                                           "why": "Why"})
            parts.append("<p>Rows of the results table with hidden cells:</p>")
            parts.append(_plain_cells(rows).to_html(index=False, classes="results", border=0,
                                                    escape=True))
    else:
        parts.append("<p>Disclosure control was switched off for this report: small counts are "
                     "shown. Check before publishing.</p>")
    parts.append("</body></html>")
    return "".join(parts).encode("utf-8")


# ---------------------------------------------------------------- everything

FILES = {
    "pptx": ("board_pack.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "html": ("board_report.html", "text/html"),
    "zip": ("board_charts.zip", "application/zip"),
    "csv": ("results.csv", "text/csv"),
    "csv_settings": ("results_settings.csv", "text/csv"),
    "xlsx": ("results.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def build_files(pack: Pack, formats=("pptx", "html", "zip", "csv", "xlsx")) -> dict[str, bytes]:
    """Bytes per format key of :data:`FILES` (charts drawn once and shared)."""
    need_png = bool({"pptx", "zip"} & set(formats)) and pack.options.images
    pngs = render_pngs(pack.charts) if need_png else {}
    out = {}
    if "pptx" in formats:
        out["pptx"] = pptx_bytes(pack, pngs)
    if "html" in formats:
        out["html"] = html_bytes(pack)
    if "zip" in formats:
        out["zip"] = images_zip(pngs)
    if "csv" in formats:  # the plain table and, beside it, the settings behind it
        out["csv"] = csv_bytes(pack)
        out["csv_settings"] = settings_csv_bytes(pack)
    if "xlsx" in formats:
        out["xlsx"] = xlsx_bytes(pack)
    return out
