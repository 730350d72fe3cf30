"""Figure builders in dashboard/figures.py, checked without a browser."""
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard.figures import (ARM_COLOURS, FONT_SIZE, NS_SYMBOL, NS_TEXT, PALETTE, SIG_SYMBOL,
                               SIG_TEXT, base_layout, forest_plot, harm_plot, means_plot,
                               pvalue_chart, share_plot, threshold_grid_figure)
from fd_stats import Settings, analyse
from fd_stats.subgroups import arm_summary, arm_values, count_distribution
from fd_stats.thresholds import alpha_table
from fd_stats.data.trial import load_trial

OKABE_ITO = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"}


@pytest.fixture(scope="module")
def trial():
    return load_trial()


@pytest.fixture(scope="module")
def results(trial):
    return analyse(trial.table, trial.mapping, Settings())


def _marker_traces(fig):
    return [t for t in fig.data if t.mode and "markers" in t.mode and t.x is not None
            and len([v for v in t.x if v is not None])]


def test_palette_and_base_layout():
    assert set(PALETTE) == OKABE_ITO and len(PALETTE) == 8
    assert ARM_COLOURS == {"treatment": "#0072B2", "control": "#E69F00"}
    fig = base_layout(go.Figure(), "A finding", "Synthetic data")
    assert fig.layout.template.layout.paper_bgcolor in ("white", "#ffffff", "rgb(255,255,255)")
    assert fig.layout.font.size >= 14 and FONT_SIZE >= 14
    assert fig.layout.title.text == "A finding"
    assert fig.layout.title.subtitle.text == "Synthetic data"


def test_forest_plot_all_outcomes(results):
    allr = results[results["subgroup"] == "All"]
    fig = forest_plot(allr, title="1 of 10 significant", subtitle="Synthetic data")
    assert fig.layout.title.text == "1 of 10 significant"
    assert "Synthetic" in fig.layout.title.subtitle.text
    assert fig.layout.xaxis.title.text == "% change from control (95% CI), log scale"
    assert fig.layout.xaxis.type == "log"
    markers = _marker_traces(fig)
    assert len(markers) == 1 and len(markers[0].x) == len(allr)
    # significance by marker shape (filled vs open) and by text, not only colour
    symbols = list(markers[0].marker.symbol)
    sig = allr["significant"].to_list()
    assert symbols == [SIG_SYMBOL if s else NS_SYMBOL for s in sig]
    texts = [t for t in fig.data if t.mode == "text"][0].text
    assert [SIG_TEXT in t for t in texts] == sig
    assert [NS_TEXT in t for t in texts] == [not s for s in sig]
    assert list(fig.layout.yaxis.ticktext) == allr["label"].to_list()
    # the x value is the ratio 1 + % / 100
    np.testing.assert_allclose(markers[0].x, 1 + allr["percent_change"] / 100)


def test_forest_plot_interval_level_and_one_sided_bounds(trial):
    res = analyse(trial.table, trial.mapping, Settings(alternative="less", confidence_level=0.9))
    allr = res[res["subgroup"] == "All"]
    fig = forest_plot(allr, title="t")
    assert fig.layout.xaxis.title.text == "% change from control (90% CI), log scale"
    arrows = [a for a in fig.layout.annotations if a.text == "◀"]
    assert len(arrows) == len(allr)  # every one-sided interval is open to the left


def test_forest_plot_by_subgroup(trial):
    res = analyse(trial.table, replace(trial.mapping, subgroup="age_group"), Settings())
    fig = forest_plot(res, title="By age", group_col="subgroup")
    markers = _marker_traces(fig)
    assert [t.name for t in markers] == ["All", "11-17", "18-25"]
    assert all(len(t.x) == 10 for t in markers)
    shapes = {t.name: {s.replace("-open", "") for s in t.marker.symbol} for t in markers}
    assert len({next(iter(v)) for v in shapes.values()}) == 3  # one marker shape per level
    legend = [t for t in fig.data if t.showlegend]
    assert [t.name for t in legend] == ["All", "11-17", "18-25"]


def test_means_plot(trial):
    s = arm_summary(trial.table, trial.mapping)
    s["unit"] = [trial.outcome(o).unit for o in s["outcome"]]
    fig = means_plot(s, title="Lower for 9 of 10", subtitle="Synthetic data")
    markers = _marker_traces(fig)
    assert len(markers) == 4  # treatment and control, in 2 unit panels
    assert {t.marker.color for t in markers} == {"#0072B2", "#E69F00"}
    assert {t.marker.symbol for t in markers} == {"circle", "square"}  # arms differ by shape too
    xtitles = {fig.layout.xaxis.title.text, fig.layout.xaxis2.title.text}
    assert xtitles == {"Mean crime harm (days) per person (95% CI)",
                       "Mean crimes per person (95% CI)"}
    assert sum(len(t.x) for t in markers) == 20


def test_share_plot_and_harm_plot(trial):
    dist = count_distribution(trial.table, trial.mapping, "suspect_knife")
    fig = share_plot(dist, title="Most people had none")
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    assert len(bars) == 2 and all(len(b.x) == 6 for b in bars)
    assert list(bars[0].x) == ["0", "1", "2", "3", "4", "5+"]
    assert fig.layout.yaxis.title.text == "Share of people in the arm (%)"
    assert bars[0].text[0] == "76%"  # 34 of 45 treated people had none
    assert bars[1].marker.pattern.shape == "/"  # control differs by pattern, not only colour
    vals = arm_values(trial.table, trial.mapping, "suspect_harm")
    fig = harm_plot(vals, title="Most had none")
    assert len(fig.data) == 2 and fig.layout.yaxis.title.text == "Crime harm per person (days)"
    assert sum(len(t.y) for t in fig.data) == 131


def test_pvalue_chart(results):
    allr = results[results["subgroup"] == "All"]
    fig = pvalue_chart(allr, alpha=0.05, title="1 of 10 below", x_title="p-value, two-sided (log scale)")
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.title.text == "p-value, two-sided (log scale)"
    assert sum(len(t.x) for t in fig.data) == 10
    sig_trace, ns_trace = fig.data
    assert sig_trace.marker.symbol == SIG_SYMBOL and ns_trace.marker.symbol == NS_SYMBOL
    # value labels are annotations on a white box, so the threshold line cannot cross them
    texts = [a.text for a in fig.layout.annotations if "sig" in a.text or "ns" in a.text]
    assert sum(SIG_TEXT in t for t in texts) == len(sig_trace.x)
    assert sum(NS_TEXT in t for t in texts) == len(ns_trace.x)
    assert all(a.bgcolor == "white" for a in fig.layout.annotations if a.text in texts)
    assert len(sig_trace.x) == int((allr["p_value"] < 0.05).sum())
    line = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(line) == 1 and line[0].x0 == 0.05
    assert any("0.05" in a.text for a in fig.layout.annotations)


def test_threshold_grid_figure(trial):
    res = analyse(trial.table, trial.mapping, Settings(alternative="less"))
    tab = alpha_table(res)
    fig = threshold_grid_figure(tab, title="t", current_alpha=0.1)
    hm = fig.data[0]
    assert np.array(hm.text).shape == (10, 8)
    row = list(tab.index).index("Knife-related crimes as suspect")
    # one-sided Welch p = 0.0808 (Appendix B): ns up to 0.075, significant from 0.10
    assert list(hm.text[row]) == [NS_TEXT] * 5 + [SIG_TEXT] * 3
    assert fig.layout.xaxis.title.text == "Significance threshold (alpha)"
    assert len(fig.layout.shapes) == 1  # the chosen threshold is outlined


# ---------------------------------------------------------------- one-sided labels, ticks, margins

def test_pct_interval_one_sided_has_no_fake_minus_100():
    from dashboard.figures import pct_interval
    assert pct_interval(-100.0, -15.0, "less") == "≤\u00a0-15%"
    assert pct_interval(-40.0, np.inf, "greater") == "≥\u00a0-40%"
    assert pct_interval(-78.0, -5.0, "two-sided") == "-78% to -5%"
    # a two-sided Fieller interval whose lower end really reached a ratio of 0 keeps -100%
    assert pct_interval(-100.0, -22.0, "two-sided") == "-100% to -22%"


def test_forest_plot_one_sided_labels_fit(trial):
    res = analyse(trial.table, trial.mapping, Settings(alternative="less"))
    allr = res[res["subgroup"] == "All"]
    fig = forest_plot(allr, title="t", subtitle="s")
    texts = [t for tr in fig.data if tr.mode == "text" for t in tr.text]
    assert texts and not any("100%" in t and "(-100%" in t for t in texts)
    assert all("≤" in t for t in texts)
    text_traces = [tr for tr in fig.data if tr.mode == "text"]
    assert all(tr.cliponaxis is False for tr in text_traces)
    assert fig.layout.margin.r >= 60   # labels may run into the right margin


def test_forest_plot_ticks_do_not_crowd(trial):
    import math
    res = analyse(trial.table, trial.mapping.__class__(**{**trial.mapping.__dict__,
                                                          "subgroup": "age_group"}), Settings())
    rows = res[res["outcome"].isin(["suspect_harm", "suspect_knife", "suspect_violent"])]
    fig = forest_plot(rows, title="t", group_col="subgroup", max_ticks=5)
    ticks = sorted(math.log10(v) for v in fig.layout.xaxis.tickvals)
    span = fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0]
    assert 1.0 in [round(v, 9) for v in fig.layout.xaxis.tickvals]      # 0% always kept
    assert all(b - a >= span / 5 - 1e-9 for a, b in zip(ticks, ticks[1:]))


# ---------------------------------------------------------------- issue 17: what pages draw
from dashboard.figures import SUBTITLE_CHARS, interval_key, wrap_text  # noqa: E402


def test_long_titles_and_subtitles_wrap_instead_of_running_off():
    long = ("Synthetic data · Welch t-test, two-sided, Benjamini-Hochberg (false discovery rate), "
            "alpha 0.1. Filled = significant; open = not significant")
    fig = base_layout(go.Figure(), "A finding", long)
    lines = fig.layout.title.subtitle.text.split("<br>")
    assert len(lines) == 2 and all(len(x) <= SUBTITLE_CHARS for x in lines)
    assert " ".join(lines) == long
    short = base_layout(go.Figure(), "A finding", "Synthetic data")
    assert fig.layout.margin.t > short.layout.margin.t       # room for the second line
    assert wrap_text("a<br>b", 10) == ("a<br>b", 2)


def test_forest_axis_says_log_and_open_ends_sit_outside_the_bars(results):
    rows = analyse(load_trial().table, load_trial().mapping, Settings(alternative="less"))
    allr = rows[rows["subgroup"] == "All"].assign(label=lambda d: d["outcome"])
    fig = forest_plot(allr, title="t")
    assert fig.layout.xaxis.title.text.endswith("log scale")
    arrows = [a for a in fig.layout.annotations if a.text == "◀"]
    assert len(arrows) == len(allr)
    lo, hi = fig.layout.xaxis.range
    # each arrow points outward from the end of its bar, inside the padded axis
    assert all(a.xanchor == "right" and lo < a.x for a in arrows)


def test_not_estimable_is_clear_of_the_no_change_line(results):
    allr = results[results["subgroup"] == "All"].copy()
    allr.loc[allr.index[0], ["percent_change", "percent_change_ci_low",
                             "percent_change_ci_high"]] = np.nan
    fig = forest_plot(allr, title="t")
    (ann,) = [a for a in fig.layout.annotations if a.text == "not estimable"]
    assert ann.x < 0 and ann.xanchor == "left" and ann.bgcolor == "white"   # log10(ratio) < 0


def test_huge_intervals_do_not_stretch_the_axis(results):
    allr = results[results["subgroup"] == "All"].copy()
    allr.loc[allr.index[0], "percent_change_ci_high"] = 2167.0
    fig = forest_plot(allr, title="t")
    assert 10 ** fig.layout.xaxis.range[1] < 16      # capped at +900% plus padding, not +2167%
    ticks = list(fig.layout.xaxis.ticktext)
    assert {"-50%", "0%", "+100%"} <= set(ticks)
    assert any(a.text == "▶" for a in fig.layout.annotations)       # the bar runs past the edge


def test_interval_key_explains_open_intervals():
    inf = np.inf
    text = interval_key([-inf, -91, -100], [inf, inf, 2167], "two-sided")
    assert "“no limits”" in text and "no upper limit" in text and "−100%" in text
    assert interval_key([-50], [20], "two-sided") == ""
    assert "open at one end" in interval_key([-inf], [20], "less")


def test_many_subgroup_levels_keep_the_legend_clear_and_one_note_a_row(results):
    # 9 levels with long names: the legend wraps onto more lines above the plot (the top margin
    # grows with it, so it no longer covers the subtitle), and levels that cannot be estimated
    # share one note per outcome row instead of stacking notes over each other
    import pandas as pd

    from dashboard.figures import legend_rows

    allr = results[results["subgroup"] == "All"]
    parts = [allr]
    for i in range(8):
        lv = allr.assign(subgroup=f"level {i} " + "x" * 22)
        lv[["percent_change", "percent_change_ci_low", "percent_change_ci_high"]] = np.nan
        parts.append(lv)
    rows = pd.concat(parts, ignore_index=True)
    few = forest_plot(allr.assign(subgroup="All"), title="t", subtitle="s", group_col="subgroup")
    many = forest_plot(rows, title="t", subtitle="s", group_col="subgroup")
    assert legend_rows(["All", "11-17", "18-25"]) == 1
    assert legend_rows([f"level {i} " + "x" * 22 for i in range(8)] + ["All"]) == 9
    assert many.layout.margin.t - few.layout.margin.t == 24 * 8
    notes = [a.text for a in many.layout.annotations if "not estimable" in a.text]
    assert notes == ["8 of 9 not estimable"] * len(allr)
