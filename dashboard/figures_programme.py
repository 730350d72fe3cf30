"""Figure builders for the programme-view pages (Engagement, Cost, Published results, Planning).

Plain functions returning plotly figures; no Streamlit. House style comes from ``dashboard.figures``.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import (COLOURS, FONT_SIZE, GREY, PALETTE, TITLE_CHARS, base_layout,
                               wrap_text)
from fd_stats.report.safe_text import label as safe_label  # arm labels, cohorts: user text
from fd_stats.report.safe_text import labels as safe_labels
from fd_stats.report.safe_text import safe_text

BLUE, ORANGE, GREEN = COLOURS["blue"], COLOURS["orange"], COLOURS["green"]
VERMILLION = COLOURS["vermillion"]


def _pct(v, digits=0):
    return "n/a" if v is None or not np.isfinite(v) else f"{100 * v:.{digits}f}%"


def money(v: float, digits: int = 0) -> str:
    """'£3,333' / '−£1,200' / 'no upper limit' for an infinite amount."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if np.isinf(v):
        return "no upper limit" if v > 0 else "no lower limit"
    sign = "−" if v < 0 else ""
    return f"{sign}£{abs(v):,.{digits}f}"


# ---------------------------------------------------------------- engagement

def engagement_figure(rates: pd.DataFrame, *, title: str, subtitle: str | None = None,
                      height: int = 330) -> go.Figure:
    """Engagement rate per group with Wilson interval bars and 'x of n' labels.

    ``rates`` has columns group, engaged, known, rate, ci_low, ci_high,
    confidence_level (as :func:`fd_stats.programme.consort.engagement_by_group`).
    """
    r = rates.iloc[::-1].reset_index(drop=True)
    level = f"{r['confidence_level'].iloc[0]:.0%}"
    text = [f"<b>{e} of {n}</b> engaged ({_pct(p)}; {level} CI {_pct(lo)} to {_pct(hi)})"
            for e, n, p, lo, hi in zip(r["engaged"], r["known"], r["rate"], r["ci_low"],
                                       r["ci_high"])]
    colours = [GREY if g == "All" else BLUE for g in r["group"]]
    groups = safe_labels(r["group"])  # cohort values: the data's text
    fig = go.Figure(go.Scatter(
        x=100 * r["rate"], y=groups, mode="markers", name="Share engaged",
        marker=dict(size=16, color=colours, symbol="diamond"),
        error_x=dict(type="data", symmetric=False, array=100 * (r["ci_high"] - r["rate"]),
                     arrayminus=100 * (r["rate"] - r["ci_low"]), thickness=3, width=10,
                     color="#333"),
        hovertemplate="%{y}: %{x:.0f}%<extra></extra>"))
    for y, t in zip(groups, text):
        fig.add_annotation(x=0, y=y, text=t, showarrow=False, xanchor="left", yshift=24,
                           font=dict(size=FONT_SIZE - 1))
    base_layout(fig, title, subtitle, height=height, legend=False)
    fig.update_xaxes(title_text="Share who engaged (%)", range=[0, 100], dtick=10,
                     ticksuffix="%")
    fig.update_yaxes(title_text="Cohort", type="category")
    return fig


def reasons_figure(reasons: pd.DataFrame, *, title: str, subtitle: str | None = None,
                   not_recorded: str = "not recorded", height: int | None = None) -> go.Figure:
    """Horizontal bars: people not engaging per group and reason.

    One bar per (group, reason), labelled with both, coloured by group.
    "Not recorded" bars are hatched so a missing reason is never read as a
    reason.
    """
    groups = list(dict.fromkeys(reasons["group"]))
    colour = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    r = reasons.iloc[::-1]
    nr = [x == not_recorded for x in r["reason"]]
    # cohorts and reasons are the data's text
    label = safe_labels([("" if g == "All" else f"{g}: ") + ("reason not recorded" if n else x)
                         for g, x, n in zip(r["group"], r["reason"], nr)], max_len=60)
    fig = go.Figure(go.Bar(
        y=label, x=r["count"], orientation="h",
        marker=dict(color=["#ffffff" if n else colour[g] for g, n in zip(r["group"], nr)],
                    pattern=dict(shape=["/" if n else "" for n in nr],
                                 fgcolor=[colour[g] for g in r["group"]]),
                    line=dict(color=[colour[g] for g in r["group"]], width=2)),
        text=[str(int(c)) for c in r["count"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x}<extra></extra>"))
    base_layout(fig, title, subtitle, height=height or 140 + 42 * len(r), legend=False)
    top = int(reasons["count"].max()) if len(reasons) else 1
    fig.update_xaxes(title_text="People (treatment arm, did not engage)",
                     dtick=1 if top <= 12 else None, range=[0, top * 1.12 + 0.5])
    fig.update_yaxes(title_text="", type="category")
    return fig


def _box(fig, cx, cy, w, h, text, *, colour="#555555", fill="#ffffff", width=1.5,
         align="center"):
    fig.add_shape(type="rect", x0=cx - w / 2, x1=cx + w / 2, y0=cy - h / 2, y1=cy + h / 2,
                  line=dict(color=colour, width=width), fillcolor=fill, layer="below")
    fig.add_annotation(x=cx if align == "center" else cx - w / 2 + 1.2, y=cy, text=text,
                       showarrow=False, align=align,
                       xanchor="center" if align == "center" else "left",
                       font=dict(size=FONT_SIZE - 1, color="#222"))


def _arrow(fig, x0, y0, x1, y1):
    fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                       showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=1.6,
                       arrowcolor="#555555", text="")


def consort_figure(flow, *, treatment_label: str = "the programme",
                   control_label: str = "business as usual", title: str,
                   subtitle: str | None = None) -> go.Figure:
    """CONSORT-style flow drawn with plotly shapes from a :class:`fd_stats.programme.consort.ConsortFlow`.

    Boxes: assessed as eligible ("not reported" when unknown), randomised,
    allocated per arm, engaged / not engaged with reasons (treatment arm,
    and the control arm when engagement is recorded there), analysed per arm.
    """
    t, c = flow.treatment, flow.control
    reasons = list(t.reasons)
    n_lines = 1 + len(reasons) + (1 if t.engagement_unknown and t.engaged is not None else 0)
    mid_h = max(10.0, 3.8 * n_lines + 2)
    y_el, y_ra, y_al = 100.0, 87.0, 73.0
    y_mid = y_al - 10 - mid_h / 2
    y_an = y_mid - mid_h / 2 - 13
    fig = go.Figure()
    xt, xc = 30.0, 78.0
    elig = "not reported" if flow.eligible is None else f"{flow.eligible}"
    _box(fig, 50, y_el, 40, 8, f"Assessed as eligible<br><b>n = {elig}</b>")
    _box(fig, 50, y_ra, 30, 8, f"Randomised<br><b>n = {flow.randomised}</b>", fill="#f0f0f0")
    _arrow(fig, 50, y_el - 4, 50, y_ra + 4)
    _box(fig, xt, y_al, 40, 8, f"Allocated to {safe_label(treatment_label)}<br><b>n = {t.allocated}</b>",
         colour=BLUE, width=3)
    _box(fig, xc, y_al, 40, 8, f"Allocated to {safe_label(control_label)}<br><b>n = {c.allocated}</b>",
         colour=ORANGE, width=3)
    _arrow(fig, 45, y_ra - 4, xt + 6, y_al + 4)
    _arrow(fig, 55, y_ra - 4, xc - 6, y_al + 4)

    def analysed(arm):
        lo, hi = arm.analysed_range()
        n = f"n = {lo}" if lo == hi else f"n = {lo} to {hi} (by outcome)"
        missing = max((m for _, m in arm.missing), default=0)
        extra = f"<br>missing outcome data: up to {missing}" if missing else ""
        return f"Analysed as randomised (ITT)<br><b>{n}</b>{extra}"

    if t.engaged is not None:
        xe, xn = 10.5, 41.0
        _box(fig, xe, y_mid, 19, 10, f"Engaged<br><b>n = {t.engaged}</b>")
        lines = [f"Did not engage: <b>n = {t.not_engaged}</b>"]
        lines += [f"· {r}: {n}" for r, n in reasons]
        if t.engagement_unknown:
            lines.append(f"· engagement not recorded: {t.engagement_unknown}")
        _box(fig, xn, y_mid, 38, mid_h, "<br>".join(lines), fill="#f7f7f7", align="left")
        _arrow(fig, xt - 8, y_al - 4, xe, y_mid + 5)
        _arrow(fig, xt + 4, y_al - 4, xn, y_mid + mid_h / 2)
        _arrow(fig, xe, y_mid - 5, xt - 8, y_an + 5)
        _arrow(fig, xn - 4, y_mid - mid_h / 2, xt + 4, y_an + 5)
    else:
        _arrow(fig, xt, y_al - 4, xt, y_an + 5)
    if c.engaged is not None:
        _box(fig, xc, y_mid, 30, 10, f"Engaged (control arm)<br><b>n = {c.engaged}</b>",
             fill="#fff3d6")
    else:
        _box(fig, xc, y_mid, 30, 10, "Business as usual<br>(programme not offered)",
             fill="#fafafa", colour="#bbbbbb")
    _arrow(fig, xc, y_al - 4, xc, y_mid + 5)
    _arrow(fig, xc, y_mid - 5, xc, y_an + 5)
    _box(fig, xt, y_an, 40, 10, analysed(t), colour=BLUE, width=3)
    _box(fig, xc, y_an, 40, 10, analysed(c), colour=ORANGE, width=3)
    bottom = y_an - 6
    base_layout(fig, title, subtitle, height=int(120 + 5.0 * (105 - bottom)), legend=False)
    fig.update_xaxes(visible=False, range=[0, 100], fixedrange=True)
    fig.update_yaxes(visible=False, range=[bottom, 105], fixedrange=True)
    fig.update_layout(margin=dict(l=10, r=10, b=10))
    return fig


def itt_cace_figure(effect, *, unit: str, title: str, subtitle: str | None = None,
                    height: int = 320) -> go.Figure:
    """ITT effect and CACE side by side with intervals (difference per person)."""
    rows = [("Offered the programme<br>(intention to treat)", effect.itt, effect.itt_ci_low,
             effect.itt_ci_high, BLUE),
            ("Among those who engaged<br>(complier average effect)", effect.cace,
             effect.cace_ci_low, effect.cace_ci_high, GREEN)]
    fig = go.Figure()
    level = f"{effect.confidence_level:.0%}"
    finite = [v for _, e, lo, hi, _ in rows for v in (e, lo, hi) if np.isfinite(v)]
    span = (max(finite) - min(finite)) if finite else 1
    lo_edge = min(finite + [0]) - 0.1 * span
    hi_edge = max(finite + [0]) + 0.1 * span
    def ci(lo, hi):
        if np.isinf(lo) and np.isfinite(hi):
            return f"one-sided {level} bound: at most {hi:+.2f}"
        if np.isinf(hi) and np.isfinite(lo):
            return f"one-sided {level} bound: at least {lo:+.2f}"
        return f"{level} CI {lo:+.2f} to {hi:+.2f}"

    for name, est, lo, hi, colour in rows[::-1]:
        lo_d = lo if np.isfinite(lo) else lo_edge
        hi_d = hi if np.isfinite(hi) else hi_edge
        fig.add_scatter(x=[est], y=[name], mode="markers", marker=dict(size=16, color=colour),
                        error_x=dict(type="data", symmetric=False, array=[hi_d - est],
                                     arrayminus=[est - lo_d], thickness=3, width=10, color=colour),
                        showlegend=False,
                        hovertemplate=f"{est:+.2f} ({ci(lo, hi)})<extra></extra>")
        fig.add_annotation(x=est, y=name, yshift=26, showarrow=False,
                           text=f"<b>{est:+.2f}</b> ({ci(lo, hi)})",
                           font=dict(size=FONT_SIZE - 1))
    fig.add_vline(x=0, line=dict(color="#333", dash="dash"))
    fig.add_annotation(x=0, y=1.0, yref="paper", text="no effect", showarrow=False,
                       yanchor="bottom", font=dict(color=GREY, size=FONT_SIZE - 2))
    base_layout(fig, title, subtitle, height=height, legend=False)
    fig.update_xaxes(title_text="Difference per person, programme minus control "
                                f"({safe_text(unit, 'plotly')})",  # the unit: user text
                     range=[lo_edge, hi_edge], zeroline=False)
    return fig


# ---------------------------------------------------------------- cost

def _cap(values, cap):
    """Infinite interval ends drawn at ``cap`` (an open end is marked in words instead)."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isposinf(v), cap, np.where(np.isneginf(v), -cap, v))


def benefit_figure(rows: pd.DataFrame, *, cost: float, title: str, subtitle: str | None = None,
                   height: int = 380, title_width: int = TITLE_CHARS,
                   what: str = "offences prevented") -> go.Figure:
    """Monetised benefit per outcome with interval bars, against the programme cost.

    ``what`` names what is valued ("offences prevented" for crime counts at Home Office
    unit costs; "improvement" for values the user entered).

    ``rows`` has columns label, benefit, benefit_low, benefit_high. An infinite interval
    end (one-sided test) is drawn to the edge of the plot and labelled 'no upper limit'.
    """
    r = rows.iloc[::-1]
    finite = np.concatenate([r[c].to_numpy(dtype=float) for c in
                             ("benefit", "benefit_low", "benefit_high")] + [np.array([cost])])
    finite = finite[np.isfinite(finite)]
    cap = 1.6 * float(np.max(np.abs(finite))) if finite.size else 1.0
    hi, lo = _cap(r["benefit_high"], cap), _cap(r["benefit_low"], cap)
    fig = go.Figure(go.Scatter(
        x=r["benefit"], y=r["label"], mode="markers", marker=dict(size=15, color=GREEN),
        error_x=dict(type="data", symmetric=False, array=hi - r["benefit"].to_numpy(),
                     arrayminus=r["benefit"].to_numpy() - lo, thickness=3, width=10,
                     color=GREEN),
        name=f"Value of {what} (with interval)",
        hovertemplate="%{y}: £%{x:,.0f}<extra></extra>"))
    for y, h, l in zip(r["label"], r["benefit_high"], r["benefit_low"]):
        if np.isposinf(h):
            fig.add_annotation(x=cap, y=y, text="no upper limit →", showarrow=False,
                               xanchor="right", yshift=18, font=dict(color=GREY))
        if np.isneginf(l):
            fig.add_annotation(x=-cap, y=y, text="← no lower limit", showarrow=False,
                               xanchor="left", yshift=18, font=dict(color=GREY))
    fig.add_vline(x=cost, line=dict(color=VERMILLION, width=3, dash="dot"))
    fig.add_annotation(x=cost, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"programme cost {money(cost)}", font=dict(color=VERMILLION))
    fig.add_vline(x=0, line=dict(color="#333", dash="dash"))
    title = wrap_text(title, title_width)[0]
    height += 28 * title.count("<br>")
    base_layout(fig, title, subtitle, height=height, legend=False)
    fig.update_xaxes(title_text=f"Value of {what} (£"
                     + (", Home Office unit costs of crime)" if what == "offences prevented"
                        else ", at the value entered per unit)"),
                     tickprefix="£", separatethousands=True)
    if finite.size and (np.isinf(r["benefit_high"]).any() or np.isinf(r["benefit_low"]).any()):
        fig.update_xaxes(range=[min(-0.05 * cap, float(np.min(lo)) * 1.05), cap * 1.02])
    return fig


def scale_cost_figure(staff: pd.DataFrame, *, title: str, subtitle: str | None = None,
                      height: int = 380, title_width: int = TITLE_CHARS) -> go.Figure:
    """Annual cost per programme size, with case workers written on the bars."""
    s = staff.drop_duplicates("people")
    fig = go.Figure(go.Bar(
        x=s["people"].astype(str), y=s["annual_cost"], marker_color=BLUE,
        text=[f"{w} case worker{'s' if w != 1 else ''}<br>+ {c} coordinator{'s' if c != 1 else ''}"
              for w, c in zip(s["case_workers"], s["coordinators"])],
        textposition="outside", cliponaxis=False, textfont=dict(size=FONT_SIZE - 2),
        hovertemplate="%{x} young people: £%{y:,.0f} a year<extra></extra>"))
    title = wrap_text(title, title_width)[0]
    height += 28 * title.count("<br>")
    base_layout(fig, title, subtitle, height=height, legend=False)
    fig.update_xaxes(title_text="Young people offered the programme a year", type="category")
    fig.update_yaxes(title_text="Annual staff cost (£)", tickprefix="£", separatethousands=True,
                     range=[0, s["annual_cost"].max() * 1.25])
    return fig


def scale_prevented_figure(table: pd.DataFrame, *, unit: str, title: str,
                           subtitle: str | None = None, level: str = "95%",
                           height: int = 400, title_width: int = 36) -> go.Figure:
    """Expected units prevented per programme size, with the interval as a band.

    An infinite band edge (one-sided test) is drawn to the edge of the plot and labelled
    'no upper limit' / 'no lower limit'.
    """
    t = table.sort_values("people")
    x = t["people"]
    vals = np.concatenate([t[c].to_numpy(dtype=float) for c in
                           ("prevented", "prevented_low", "prevented_high")])
    finite = vals[np.isfinite(vals)]
    cap = 1.5 * float(np.max(np.abs(finite))) if finite.size and np.max(np.abs(finite)) > 0 else 1.0
    hi, lo = _cap(t["prevented_high"], cap), _cap(t["prevented_low"], cap)
    fig = go.Figure()
    fig.add_scatter(x=x, y=hi, mode="lines", line=dict(width=0),
                    showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=x, y=lo, mode="lines", line=dict(width=0),
                    fill="tonexty", fillcolor="rgba(0,158,115,0.2)",
                    name=f"{level} interval", hoverinfo="skip")
    fig.add_scatter(x=x, y=t["prevented"], mode="lines+markers", line=dict(color=GREEN, width=3),
                    name="Expected", hovertemplate="%{x} people: %{y:,.1f}<extra></extra>")
    fig.add_hline(y=0, line=dict(color="#333", dash="dash"))
    fig.add_annotation(x=x.iloc[0], y=0, text="nothing prevented", showarrow=False,
                       xanchor="left", yanchor="top", font=dict(color=GREY, size=FONT_SIZE - 2))
    if np.isposinf(t["prevented_high"].to_numpy(dtype=float)).any():
        fig.add_annotation(x=x.iloc[0], y=cap, text="↑ band has no upper limit (one-sided)",
                           showarrow=False, xanchor="left", yanchor="top",
                           font=dict(color=GREY, size=FONT_SIZE - 2))
    if np.isneginf(t["prevented_low"].to_numpy(dtype=float)).any():
        fig.add_annotation(x=x.iloc[0], y=-cap, text="↓ band has no lower limit (one-sided)",
                           showarrow=False, xanchor="left", yanchor="bottom",
                           font=dict(color=GREY, size=FONT_SIZE - 2))
    title = wrap_text(title, title_width)[0]
    subtitle = wrap_text(subtitle, int(title_width * 1.4))[0] if subtitle else subtitle
    height += 28 * title.count("<br>") + 20 * (subtitle or "").count("<br>")
    base_layout(fig, title, subtitle, height=height)
    fig.update_xaxes(title_text="Young people a year", rangemode="tozero")
    fig.update_yaxes(title_text=unit, separatethousands=True)
    if np.isinf(vals).any():
        fig.update_yaxes(range=[float(np.min(lo)) - 0.05 * cap, float(np.max(hi)) + 0.05 * cap])
    return fig


# ---------------------------------------------------------------- published results

def audit_figure(rows: pd.DataFrame, *, alpha: float, title: str, subtitle: str | None = None,
                 height: int | None = None) -> go.Figure:
    """Reported p beside recomputed two- and one-sided p per row (log scale).

    ``rows`` has columns label, p_reported, p_two_sided, p_one_sided, sidedness.
    """
    r = rows.iloc[::-1]
    names = safe_labels(r["label"], max_len=60)  # row names from the uploaded table
    fig = go.Figure()
    fig.add_scatter(x=r["p_two_sided"], y=names, mode="markers", name="two-sided p from t, df",
                    marker=dict(symbol="circle-open", size=15, color=BLUE, line=dict(width=3)))
    fig.add_scatter(x=r["p_one_sided"], y=names, mode="markers",
                    name="one-sided p (treatment lower)",
                    marker=dict(symbol="square-open", size=13, color=ORANGE, line=dict(width=3)))
    fig.add_scatter(x=r["p_reported"], y=names, mode="markers", name="printed p",
                    marker=dict(symbol="x-thin", size=14, color="#000",
                                line=dict(width=3, color="#000")))
    fig.add_vline(x=alpha, line=dict(color=VERMILLION, dash="dot", width=2))
    fig.add_annotation(x=math.log10(alpha), y=1.0, yref="paper", yanchor="bottom",
                       showarrow=False, text=f"alpha = {alpha:g}",
                       font=dict(color=VERMILLION))
    base_layout(fig, title, subtitle, height=height or 220 + 32 * len(r))
    fig.update_layout(legend=dict(orientation="h", xref="container", yref="container", x=0.01,
                                  y=0.01, xanchor="left", yanchor="bottom"),
                      margin=dict(b=120))
    fig.update_xaxes(type="log", title_text="p-value (log scale)", range=[-3, 0.02],
                     tickvals=[0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1],
                     ticktext=["0.001", "0.01", "0.05", "0.1", "0.2", "0.5", "1"])
    fig.update_yaxes(title_text="")
    return fig


# ---------------------------------------------------------------- planning

def power_curve_figure(curves: pd.DataFrame, *, target: float, title: str,
                       subtitle: str | None = None, height: int = 420) -> go.Figure:
    """Power against people per arm, one line per reduction (columns n, series, power)."""
    fig = go.Figure()
    dashes = ["solid", "dash", "dot", "dashdot", "longdash"]
    for i, (name, part) in enumerate(curves.groupby("series", sort=False)):
        fig.add_scatter(x=part["n"], y=100 * part["power"], mode="lines", name=str(name),
                        line=dict(color=PALETTE[i % len(PALETTE)], width=3,
                                  dash=dashes[i % len(dashes)]),
                        hovertemplate="%{x:.0f} per arm: %{y:.0f}%<extra>" + str(name) + "</extra>")
    fig.add_hline(y=100 * target, line=dict(color="#333", dash="dot"))
    fig.add_annotation(x=1, xref="paper", y=100 * target, text=f"{target:.0%} power",
                       showarrow=False, xanchor="right", yanchor="bottom")
    base_layout(fig, title, subtitle, height=height)
    fig.update_xaxes(title_text="People in the treatment arm")
    fig.update_yaxes(title_text="Power (%)", range=[0, 100], dtick=20)
    return fig


def power_by_reduction_figure(curve: pd.DataFrame, *, target: float, title: str,
                              subtitle: str | None = None, height: int = 400,
                              change: str = "reduction") -> go.Figure:
    """Power against the percentage change at fixed sizes (columns reduction, power);
    ``change`` names it in the outcome's direction ("reduction", "increase", "change")."""
    fig = go.Figure(go.Scatter(x=curve["reduction"], y=100 * curve["power"], mode="lines",
                               line=dict(color=BLUE, width=3), name="Power",
                               hovertemplate="%{x:.0f}% " + change
                               + ": %{y:.0f}%<extra></extra>"))
    fig.add_hline(y=100 * target, line=dict(color="#333", dash="dot"))
    fig.add_annotation(x=0, xref="paper", y=100 * target, text=f"{target:.0%} power",
                       showarrow=False, xanchor="left", yanchor="bottom")
    base_layout(fig, title, subtitle, height=height, legend=False)
    fig.update_xaxes(title_text=f"True {change} in the mean, relative to control (%)",
                     ticksuffix="%", dtick=10)
    fig.update_yaxes(title_text="Power (%)", range=[0, 100], dtick=20)
    return fig
