"""Figure builders: plain functions that return plotly figures (no Streamlit).

Shared conventions, imported by every page and by the exports:

* ``PALETTE``: the Okabe-Ito colour-blind-safe palette (``COLOURS`` names them).
* ``ARM_COLOURS``: treatment blue, control orange.
* ``base_layout(fig, title, subtitle)``: white template, font size >= 14, a title
  that states the finding and a subtitle line (put "Synthetic data" there when
  the data are synthetic).
* Significance is never shown by colour alone: filled vs open markers
  (``SIG_SYMBOL`` / ``NS_SYMBOL``) plus text ("sig" / "ns").
"""
from __future__ import annotations

import html
import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from fd_stats.report.wording import pct_range
from fd_stats.report.safe_text import label, safe_text
from fd_stats.report.safe_text import labels as safe_labels

COLOURS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
PALETTE = list(COLOURS.values())
ARM_COLOURS = {"treatment": COLOURS["blue"], "control": COLOURS["orange"]}
GREY = "#6b6b6b"
LIGHT_GREY = "#e9e9e9"
FONT_SIZE = 16
TITLE_SIZE = FONT_SIZE + 4
SIG_SYMBOL = "circle"
NS_SYMBOL = "circle-open"
# Marker shapes per subgroup level; filled = significant, "-open" = not significant.
LEVEL_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "star", "hexagon", "cross", "x"]
SIG_TEXT = "✔ sig"
NS_TEXT = "— ns"


def base_layout(fig: go.Figure, title: str, subtitle: str | None = None, *,
                height: int | None = None, legend: bool = True) -> go.Figure:
    """Apply the house style: white template, readable fonts, title and subtitle.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    title : str
        States the finding ("Knife crime fell by 40% ...") rather than the chart type.
    subtitle : str, optional
        One line under the title: data source, "Synthetic data", interval level.
    height : int, optional
        Figure height in pixels.
    legend : bool
        Show a horizontal legend above the plot area.
    """
    # plotly never wraps titles: break them so they fit a chart about 800 px wide (a page
    # at 1280 x 720 beside the sidebar) instead of running off its right edge
    title, title_lines = wrap_text(title, TITLE_CHARS)
    subtitle, sub_lines = wrap_text(subtitle or "", SUBTITLE_CHARS)
    # plotly draws a title of several lines about 0.75 em above its "top" anchor, which cut
    # off the first line's top: such a title is anchored that much lower (in pixels, so the
    # same at any figure height)
    shift = round(0.8 * TITLE_SIZE) if title_lines > 1 else 0
    extra = 30 * (title_lines - 1) + 24 * (sub_lines - 1) + shift
    fig.update_layout(
        template="plotly_white",
        font=dict(size=FONT_SIZE, family="Arial, Helvetica, sans-serif", color="#222"),
        title=dict(text=_plotly_lines(title), x=0, xanchor="left", yref="container", y=1,
                   yanchor="top", pad=dict(t=10 + shift), font=dict(size=TITLE_SIZE),
                   subtitle=dict(text=_plotly_lines(subtitle), font=dict(size=FONT_SIZE - 2, color=GREY))),
        margin=dict(t=(110 if subtitle else 80) + extra, l=20, r=20, b=60),
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0,
                    font=dict(size=FONT_SIZE - 1), bgcolor="rgba(0,0,0,0)"),
        hoverlabel=dict(font_size=FONT_SIZE - 1),
    )
    if height:
        fig.update_layout(height=height)
    return fig


def _plotly_lines(text) -> str:
    """Title text made plotly-safe (it quotes the data's labels), keeping the line breaks
    ("<br>") that title wrapping inserts; nothing else in it is markup."""
    return "<br>".join(safe_text(part, "plotly") for part in str(text or "").split("<br>"))


#: Characters per line of a chart title / subtitle (their font sizes on an ~800 px chart).
TITLE_CHARS = 70
SUBTITLE_CHARS = 98


def wrap_text(text: str, width: int) -> tuple[str, int]:
    """``text`` broken into lines of at most ``width`` characters with ``<br>``, and the
    number of lines (existing ``<br>`` kept)."""
    lines = [w for part in str(text).split("<br>")
             for w in (textwrap.wrap(part, width, break_on_hyphens=False) or [""])]
    return "<br>".join(lines), len(lines)


def _subtitle(parts) -> str:
    return " · ".join(p for p in parts if p)


def level_text(level: float) -> str:
    return f"{level:.0%}".replace(".0%", "%")


# ---------------------------------------------------------------- percentage-change scale

_PCT_TICKS_FINE = [-90, -75, -50, -25, 0, 50, 100, 200, 400, 900]
_PCT_TICKS_COARSE = [-90, -75, -50, 0, 100, 300, 900, 1900]


def _ratio(pct):
    return 1 + np.asarray(pct, dtype=float) / 100


#: Interval ends beyond -90% / +900% (a tenth / ten times the control mean) are drawn to
#: the edge with an arrow: one huge interval from a small group would otherwise squeeze
#: every other row into a sliver and leave only sparse ticks (-75%, 0%, +300%, +1900%).
_PCT_AXIS_CLAMP = (0.1, 10.0)


def _pct_axis_range(lows, highs, ests):
    """Log10 range of the ratio axis covering estimates and finite bounds (bounds within
    ``_PCT_AXIS_CLAMP``; estimates always)."""
    bounds = [v for v in np.concatenate([lows, highs]) if np.isfinite(v) and v > -99.5]
    r = np.clip(_ratio(bounds), *_PCT_AXIS_CLAMP) if bounds else np.array([0.5, 2.0])
    e = _ratio([v for v in ests if np.isfinite(v) and v > -99.5])
    if len(e):
        r = np.concatenate([r, e])
    lo = min(r.min(), 0.8)
    hi = max(r.max(), 1.25)
    return math.log10(lo) - 0.08, math.log10(hi) + 0.08


# ticks in order of preference: the first ones are kept when labels would collide
_PCT_TICK_PRIORITY = [0, -50, 100, -75, 300, -90, 900, -25, 50, 200, 400, 1900]


def _pct_ticks(rng, max_ticks: int = 8):
    """Tick values (ratios) and labels, thinned so that neighbours are at least
    1/max_ticks of the axis apart (their labels do not run into each other)."""
    lo, hi = 10 ** rng[0], 10 ** rng[1]
    ticks = _PCT_TICKS_FINE if rng[1] - rng[0] < 0.8 else _PCT_TICKS_COARSE
    ticks = [p for p in ticks if lo <= 1 + p / 100 <= hi]
    min_gap = (rng[1] - rng[0]) / max(int(max_ticks), 1)
    kept: list[int] = []
    for p in sorted(ticks, key=lambda t: _PCT_TICK_PRIORITY.index(t)
                    if t in _PCT_TICK_PRIORITY else len(_PCT_TICK_PRIORITY)):
        pos = math.log10(1 + p / 100)
        if all(abs(pos - math.log10(1 + q / 100)) >= min_gap - 1e-9 for q in kept):
            kept.append(p)
    kept.sort()
    return [1 + p / 100 for p in kept], [("0%" if p == 0 else f"{p:+d}%") for p in kept]


def _fmt_pct(v) -> str:
    if not np.isfinite(v):
        return "∞" if v > 0 else "n/a"
    if v != 0 and abs(v) < 0.95:
        return f"{v:+.1f}%"
    return f"{v:+.0f}%"


def pct_interval(lo, hi, alternative: str | None = None, digits: int = 0) -> str:
    """Compact interval text for table cells and chart labels.

    One-sided intervals (and open ends) use :func:`fd_stats.report.wording.pct_range`:
    "≤ -15%" / "≥ -40%", never a fake "-100%". For a two-sided interval whose
    lower end really is -100% (the Fieller interval reached a ratio of 0) the
    -100% is kept: "-100% to -22%".
    """
    if (alternative == "two-sided" and lo is not None and hi is not None
            and np.isfinite(hi) and lo <= -100 + 1e-9 and hi > -100 + 1e-9):
        return f"-100% to {hi:+.{digits}f}%".replace("+0%", "0%")
    return pct_range(lo, hi, digits).replace("≤ ", "≤\u00a0").replace("≥ ", "≥\u00a0")


def interval_key(lows, highs, alternative: str) -> str:
    """What the unusual percentage intervals in a table mean (empty when none appears)."""
    lows, highs = np.asarray(lows, float), np.asarray(highs, float)
    parts = []
    if np.any(np.isinf(lows) & np.isinf(highs)):
        parts.append("“no limits”: the data are consistent with any change, because the "
                     "control mean is too close to zero (too few events) to bound a ratio")
    if alternative == "two-sided" and np.any(np.isfinite(lows) ^ np.isfinite(highs)):
        parts.append("“≥ −91%”: a lower limit but no upper limit (the interval for a ratio "
                     "of means is open when the control mean is uncertain)")
    if alternative == "two-sided" and np.any(np.isfinite(highs) & (lows <= -100 + 1e-9)):
        parts.append("a lower limit of −100% means the data allow the programme to have "
                     "removed the outcome entirely")
    if alternative != "two-sided" and np.any(np.isinf(lows) | np.isinf(highs)):
        parts.append("one-sided intervals are open at one end: “≤ −15%” means a change of "
                     "−15% or lower")
    if not parts:
        return ""
    return ("Intervals: " + "; ".join(parts) + ". Such intervals come from small groups or "
            "rare outcomes: the subgroup cannot tell.")


def num_interval(lo, hi, digits: int = 2) -> str:
    """Interval of a difference: "-256 to -55", or one-sided "≤ -55" / "≥ 0.12"."""
    def one(v):
        text = f"{v:,.{digits}f}"
        return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text

    if lo is None or hi is None or np.isnan(lo) or np.isnan(hi):
        return "not estimable"
    if np.isinf(lo) and np.isinf(hi):
        return "no limits"
    if np.isinf(lo):
        return f"≤\u00a0{one(hi)}"
    if np.isinf(hi):
        return f"≥\u00a0{one(lo)}"
    return f"{one(lo)} to {one(hi)}"


def _interval_label(est, lo, hi, alternative: str | None = None) -> str:
    return f"{_fmt_pct(est)} ({pct_interval(lo, hi, alternative)})"


def forest_plot(rows: pd.DataFrame, *, title: str, subtitle: str | None = None,
                group_col: str | None = None, label_col: str = "label",
                show_text: bool = True, height: int | None = None,
                max_ticks: int = 8, text_margin: int = 90) -> go.Figure:
    """Forest plot of percentage change from control with intervals, on a log-ratio scale.

    Parameters
    ----------
    rows : DataFrame
        Rows of :func:`fd_stats.analyse` results (``percent_change``,
        ``percent_change_ci_low/high``, ``significant``, ``confidence_level``,
        ``alpha`` and ``label``). One row per outcome, or per outcome x level
        when ``group_col`` is given (e.g. ``"subgroup"``).
    title, subtitle : str
    group_col : str, optional
        Column whose levels are drawn as separate series (own colour and marker shape).
    show_text : bool
        Write "estimate (interval) · sig/ns" to the right of each row.
    max_ticks : int
        At most about this many x-axis ticks (fewer for narrow plots, so labels don't collide).
    text_margin : int
        Right margin in pixels that the value labels may run into (they are not clipped).

    Notes
    -----
    Significance is shown by a filled marker plus the text "✔ sig", and by an
    open marker plus "— ns". Open interval bounds (one-sided tests) are drawn
    to the edge of the plot and marked with an arrow.
    """
    rows = rows.reset_index(drop=True)
    labels = list(dict.fromkeys(rows[label_col]))
    groups = list(dict.fromkeys(rows[group_col])) if group_col else [None]
    k = len(groups)
    alternative = (str(rows["alternative"].iloc[0])
                   if "alternative" in rows.columns and len(rows) else None)
    rng = _pct_axis_range(rows["percent_change_ci_low"], rows["percent_change_ci_high"],
                          rows["percent_change"])
    lo_edge, hi_edge = 10 ** rng[0], 10 ** rng[1]
    fig = go.Figure()
    # a shaded band for every other outcome helps the eye along rows
    for i, _ in enumerate(labels):
        if i % 2 == 0:
            fig.add_hrect(y0=i - 0.5, y1=i + 0.5, fillcolor="#f4f4f4", line_width=0, layer="below")
    spread = 0.0 if k == 1 else min(0.6 / (k - 1), 0.3)
    annotations = []
    not_estimable: dict = {}  # outcome row -> how many series cannot be drawn there
    for gi, group in enumerate(groups):
        sub = rows if group is None else rows[rows[group_col] == group]
        offset = 0.0 if k == 1 else (gi - (k - 1) / 2) * spread
        ys, xs, lo_err, hi_err, symbols, hover, texts = [], [], [], [], [], [], []
        base_symbol = LEVEL_SYMBOLS[gi % len(LEVEL_SYMBOLS)] if group_col else "circle"
        for _, r in sub.iterrows():
            y = labels.index(r[label_col]) + offset
            est, lo, hi = r["percent_change"], r["percent_change_ci_low"], r["percent_change_ci_high"]
            if not np.isfinite(est):
                not_estimable[labels.index(r[label_col])] = \
                    not_estimable.get(labels.index(r[label_col]), 0) + 1
                continue
            x = float(_ratio(est))
            lo_r = lo_edge if (not np.isfinite(lo) or lo <= -99.999) else float(_ratio(lo))
            hi_r = hi_edge if not np.isfinite(hi) else float(_ratio(hi))
            lo_r, hi_r = max(lo_r, lo_edge), min(hi_r, hi_edge)
            ys.append(y)
            xs.append(x)
            lo_err.append(max(x - lo_r, 0))
            hi_err.append(max(hi_r - x, 0))
            sig = bool(r["significant"])
            symbols.append(base_symbol if sig else f"{base_symbol}-open")
            verdict = SIG_TEXT if sig else NS_TEXT
            texts.append(f"{_interval_label(est, lo, hi, alternative)}  {verdict}")
            hover.append(label(r[label_col]) + (f" · {label(group)}" if group is not None else "")
                         + f"<br>{_interval_label(est, lo, hi, alternative)}<br>{verdict} at {r['alpha']:g}")
            # open ends: an arrow past the end of the bar, in the axis padding (clear of the
            # row labels on the left and the value labels on the right)
            if lo_r <= lo_edge * 1.0001 and (not np.isfinite(lo) or _ratio(lo) < lo_edge):
                annotations.append(dict(x=math.log10(lo_edge), y=y, xref="x", yref="y",
                                        text="◀", showarrow=False, xanchor="right",
                                        font=dict(size=12, color=GREY)))
            if not np.isfinite(hi) or _ratio(hi) > hi_edge:
                annotations.append(dict(x=math.log10(hi_edge), y=y, xref="x", yref="y",
                                        text="▶", showarrow=False, xanchor="left",
                                        font=dict(size=12, color=GREY)))
        colour = PALETTE[gi % len(PALETTE)] if group_col else COLOURS["blue"]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=label(group, 30) if group is not None else "Estimate",
            marker=dict(symbol=symbols, size=13, color=colour, line=dict(width=2, color=colour)),
            error_x=dict(type="data", symmetric=False, array=hi_err, arrayminus=lo_err,
                         thickness=2.5, width=6, color=colour),
            hovertext=hover, hoverinfo="text", showlegend=False,
        ))
        if group_col is not None:  # legend entry with a filled marker, whatever the first row shows
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label(group, 30),
                                     marker=dict(symbol=base_symbol, size=13, color=colour),
                                     showlegend=True, hoverinfo="skip"))
        if show_text:
            fig.add_trace(go.Scatter(
                x=[1.0] * len(ys), y=ys, mode="text", text=texts, xaxis="x2",
                textposition="middle right", textfont=dict(size=FONT_SIZE - 2),
                cliponaxis=False, hoverinfo="skip", showlegend=False, name="values"))
    # one note per outcome row (several subgroups' notes stacked in one row overlapped), at
    # the left edge, clear of the no-change line
    for y, n in not_estimable.items():
        annotations.append(dict(x=rng[0], xref="x", y=y, showarrow=False, xanchor="left",
                                bgcolor="white",
                                font=dict(color=GREY, size=FONT_SIZE - (0 if k == 1 else 2)),
                                text="not estimable" if k == 1 else
                                f"{n} of {k} not estimable"))
    fig.add_vline(x=1.0, line_dash="dash", line_color=GREY, line_width=1.5)
    tv, tt = _pct_ticks(rng, max_ticks)
    level = float(rows["confidence_level"].iloc[0]) if len(rows) else 0.95
    pad = 0.04 * (rng[1] - rng[0])  # room for the open-end arrows
    fig.update_xaxes(type="log", range=[rng[0] - pad, rng[1] + pad], tickvals=tv, ticktext=tt,
                     title_text=f"% change from control ({level_text(level)} CI), log scale",
                     tickangle=0, tickfont=dict(size=FONT_SIZE - 2), showgrid=True,
                     gridcolor=LIGHT_GREY, zeroline=False)
    fig.update_yaxes(tickvals=list(range(len(labels))), ticktext=safe_labels(labels),
                     range=[len(labels) - 0.5, -0.5], showgrid=False, zeroline=False,
                     ticklabelstandoff=8)
    if show_text:
        fig.update_layout(xaxis=dict(domain=[0, 0.68]),
                          xaxis2=dict(domain=[0.69, 1.0], range=[0.98, 1.4], visible=False,
                                      anchor="y"))
    fig.update_layout(annotations=list(fig.layout.annotations) + annotations)
    # the legend sits above the plot and wraps onto more lines with many or long level
    # names: the top margin (and the height, so the plot keeps its size) grows to hold them
    extra = 24 * (legend_rows([label(g, 30) for g in groups]) - 1) if group_col else 0
    base_layout(fig, title, subtitle,
                height=(height or max(300, 120 + 48 * len(labels) * (1 if k == 1 else 1.2)))
                + extra, legend=group_col is not None)
    fig.update_layout(margin=dict(l=10, r=text_margin if show_text else 10,
                                  t=fig.layout.margin.t + extra))
    return fig


def legend_rows(names, width: int = 500) -> int:
    """Lines a horizontal plotly legend takes for these entry names: plotly gives every
    entry the widest one's width (a marker and gap of about 40 px plus about 7.5 px a
    character at the legend's font size) and fills lines about ``width`` px wide (what a
    chart beside the sidebar at 1280 x 720 leaves it; measured in Chromium)."""
    names = [html.unescape(str(n)) for n in names]
    if not names:
        return 1
    per_line = max(1, int(width // (40 + 7.5 * max(map(len, names)))))
    return -(-len(names) // per_line)


# ---------------------------------------------------------------- means by arm

def _per_person(text: str) -> str:
    return text if text.endswith("per person") else text + " per person"


def means_plot(summary: pd.DataFrame, *, title: str, subtitle: str | None = None,
               unit_col: str = "unit", label_col: str = "label") -> go.Figure:
    """Treatment and control means with their intervals, one panel per unit.

    Parameters
    ----------
    summary : DataFrame
        From :func:`fd_stats.subgroups.arm_summary`: one row per outcome x arm
        with ``arm`` ("treatment"/"control"), ``mean``, ``ci_low``, ``ci_high``,
        ``confidence_level``, ``label`` and a unit column.
    """
    units = list(dict.fromkeys(summary[unit_col]))
    counts = [max(summary.loc[summary[unit_col] == u, label_col].nunique(), 1) for u in units]
    fig = make_subplots(rows=len(units), cols=1, vertical_spacing=0.12 if len(units) > 1 else 0,
                        row_heights=counts,
                        subplot_titles=[_per_person(f"Mean {u}") for u in units])
    level = float(summary["confidence_level"].iloc[0]) if len(summary) else 0.95
    for ri, unit in enumerate(units, start=1):
        part = summary[summary[unit_col] == unit]
        labels = list(dict.fromkeys(part[label_col]))
        for arm in ["treatment", "control"]:
            a = part[part["arm"] == arm].set_index(label_col).reindex(labels)
            y = np.arange(len(labels)) + (-0.17 if arm == "treatment" else 0.17)
            fig.add_trace(go.Scatter(
                x=a["mean"], y=y, mode="markers", name=label(arm.capitalize()),
                legendgroup=arm, showlegend=ri == 1,
                marker=dict(size=12, color=ARM_COLOURS[arm],
                            symbol="circle" if arm == "treatment" else "square"),
                error_x=dict(type="data", symmetric=False,
                             array=(a["ci_high"] - a["mean"]).clip(lower=0),
                             arrayminus=(a["mean"] - a["ci_low"]).clip(lower=0),
                             thickness=2.5, width=5, color=ARM_COLOURS[arm]),
                hovertext=[f"{label(lab)} · {label(arm)}<br>mean {m:,.2f} ({level_text(level)} CI {lo:,.2f} to {hi:,.2f})"
                           for lab, m, lo, hi in zip(labels, a["mean"], a["ci_low"], a["ci_high"])],
                hoverinfo="text"), row=ri, col=1)
        fig.update_yaxes(tickvals=list(range(len(labels))), ticktext=safe_labels(labels),
                         range=[len(labels) - 0.5, -0.5], row=ri, col=1)
        fig.update_xaxes(title_text=_per_person(f"Mean {unit}") + f" ({level_text(level)} CI)",
                         rangemode="tozero", row=ri, col=1, gridcolor=LIGHT_GREY)
    base_layout(fig, title, subtitle, height=int(220 + 60 * sum(counts) + 90 * len(units)))
    fig.update_layout(legend=dict(xanchor="right", x=1.0))
    for ann in fig.layout.annotations:  # subplot titles: left-aligned, readable
        ann.update(x=0, xanchor="left", font=dict(size=FONT_SIZE))
    return fig


# ---------------------------------------------------------------- distributions

def share_plot(dist: pd.DataFrame, *, title: str, subtitle: str | None = None,
               x_title: str = "Number of crimes per person") -> go.Figure:
    """Share of people with 0, 1, 2, ... per arm (grouped bars labelled with their %).

    Parameters
    ----------
    dist : DataFrame
        From :func:`fd_stats.subgroups.count_distribution`: ``arm``,
        ``category`` (str, e.g. "0" ... "5+"), ``people``, ``share`` (0-1), ``n``.
    """
    fig = go.Figure()
    cats = list(dict.fromkeys(dist["category"]))
    for arm in ["treatment", "control"]:
        a = dist[dist["arm"] == arm].set_index("category").reindex(cats)
        n = int(a["n"].max()) if a["n"].notna().any() else 0
        fig.add_trace(go.Bar(
            x=cats, y=100 * a["share"], name=f"{arm.capitalize()} (n = {n})",
            marker=dict(color=ARM_COLOURS[arm],
                        pattern=dict(shape="" if arm == "treatment" else "/")),
            text=[f"{100 * s:.0f}%" for s in a["share"].fillna(0)], textposition="outside",
            cliponaxis=False,
            hovertext=[f"{arm}: {int(p)} of {n} people ({100 * s:.0f}%)"
                       for p, s in zip(a["people"].fillna(0), a["share"].fillna(0))],
            hoverinfo="text"))
    fig.update_xaxes(title_text=x_title, type="category")
    fig.update_yaxes(title_text="Share of people in the arm (%)", rangemode="tozero",
                     range=[0, min(100, float(100 * dist["share"].max()) * 1.2 + 5)],
                     gridcolor=LIGHT_GREY)
    base_layout(fig, title, subtitle, height=420)
    fig.update_layout(barmode="group", bargap=0.25)
    return fig


def harm_plot(values: pd.DataFrame, *, title: str, subtitle: str | None = None,
              value_col: str = "value", arm_col: str = "arm",
              y_title: str = "Crime harm per person (days)") -> go.Figure:
    """Box plot with every person as a point, per arm (for skewed continuous outcomes)."""
    fig = go.Figure()
    for arm in ["treatment", "control"]:
        v = values.loc[values[arm_col] == arm, value_col]
        fig.add_trace(go.Box(
            y=v, name=f"{arm.capitalize()} (n = {v.notna().sum()})", boxpoints="all",
            jitter=0.45, pointpos=0, marker=dict(color=ARM_COLOURS[arm], size=6, opacity=0.6,
                                                 symbol="circle" if arm == "treatment" else "square"),
            line=dict(color=ARM_COLOURS[arm]), fillcolor="rgba(0,0,0,0)", boxmean=True))
    fig.update_yaxes(title_text=y_title, rangemode="tozero", gridcolor=LIGHT_GREY)
    fig.update_xaxes(title_text="Arm")
    base_layout(fig, title, subtitle, height=460, legend=False)
    return fig


# ---------------------------------------------------------------- p-values and thresholds

def pvalue_chart(rows: pd.DataFrame, *, alpha: float, title: str, subtitle: str | None = None,
                 p_col: str = "p_value", label_col: str = "label",
                 x_title: str = "p-value (log scale)") -> go.Figure:
    """One dot per outcome on a log p-value axis with a labelled line at ``alpha``.

    Dots left of the line (p < alpha) are filled and labelled "✔ sig"; the others
    are open and labelled "— ns".
    """
    rows = rows.reset_index(drop=True)
    labels = safe_labels(rows[label_col])  # category names are drawn as given
    p = rows[p_col].astype(float).clip(lower=1e-4)
    sig = rows[p_col].astype(float) < alpha
    fig = go.Figure()
    for flag, name in ((True, f"p < {alpha:g}: significant"), (False, f"p ≥ {alpha:g}: not significant")):
        m = sig == flag
        fig.add_trace(go.Scatter(
            x=p[m], y=[labels[i] for i in np.flatnonzero(m)], mode="markers", name=name,
            marker=dict(size=14, symbol=SIG_SYMBOL if flag else NS_SYMBOL,
                        color=COLOURS["blue"] if flag else GREY,
                        line=dict(width=2, color=COLOURS["blue"] if flag else GREY)),
            cliponaxis=False, hoverinfo="x+y"))
        # labels as annotations on a white box: the threshold line never runs through them
        for i, v in zip(np.flatnonzero(m), rows.loc[m, p_col]):
            fig.add_annotation(
                x=math.log10(p[i]), y=labels[i], xanchor="left", xshift=10, showarrow=False,
                text=(f"{v:.3f}" if v >= 0.001 else "<0.001") + f" {SIG_TEXT if flag else NS_TEXT}",
                bgcolor="white", font=dict(size=FONT_SIZE - 2))
    fig.add_vline(x=alpha, line_color=COLOURS["vermillion"], line_width=2.5, line_dash="dash")
    fig.add_annotation(x=math.log10(alpha), y=1.0, yref="paper", text=f"threshold α = {alpha:g}",
                       showarrow=False, xanchor="center", yanchor="bottom",
                       font=dict(color=COLOURS["vermillion"], size=FONT_SIZE - 1))
    lo = math.log10(max(min(float(p.min()), alpha) / 2, 1e-4))
    fig.update_xaxes(type="log", range=[lo, 0.35], title_text=x_title, gridcolor=LIGHT_GREY,
                     tickvals=[0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1],
                     ticktext=["0.001", "0.01", "0.05", "0.1", "0.2", "0.5", "1"])
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1])
    base_layout(fig, title, subtitle, height=max(320, 200 + 42 * len(labels)))
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0))
    return fig


def threshold_grid_figure(table: pd.DataFrame, *, title: str, subtitle: str | None = None,
                          x_title: str = "Significance threshold (alpha)",
                          current_alpha: float | None = None) -> go.Figure:
    """Grid of conclusions: rows = outcomes, columns = thresholds, cells "✔ sig" / "— ns".

    Parameters
    ----------
    table : DataFrame
        Boolean (or NaN) frame indexed by outcome label, columns are alpha values.
    current_alpha : float, optional
        Column to outline (the threshold currently chosen).
    """
    z = table.astype(float).to_numpy()
    text = np.where(np.isnan(z), "n/a", np.where(z > 0.5, SIG_TEXT, NS_TEXT))
    cols = [f"{a:g}" for a in table.columns]
    fig = go.Figure(go.Heatmap(
        z=np.nan_to_num(z, nan=0.5), x=cols, y=safe_labels(table.index), text=text,
        texttemplate="%{text}", textfont=dict(size=FONT_SIZE - 1),
        colorscale=[[0, "#f2f2f2"], [0.5, "#ffffff"], [1, "#7fb8da"]], zmin=0, zmax=1,
        showscale=False, xgap=3, ygap=3, hovertemplate="%{y}<br>alpha %{x}: %{text}<extra></extra>"))
    if current_alpha is not None and f"{current_alpha:g}" in cols:
        i = cols.index(f"{current_alpha:g}")
        fig.add_shape(type="rect", x0=i - 0.5, x1=i + 0.5, y0=-0.5, y1=len(table) - 0.5,
                      line=dict(color=COLOURS["black"], width=3))
    fig.update_xaxes(title_text=x_title, side="top", type="category")
    fig.update_yaxes(autorange="reversed", type="category")
    base_layout(fig, title, subtitle, height=max(300, 170 + 44 * len(table)), legend=False)
    fig.update_layout(margin=dict(t=150 if subtitle else 120))
    return fig
