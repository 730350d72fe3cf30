"""Figure builders for the Over time page (plain functions returning plotly figures)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import (ARM_COLOURS, GREY, NS_SYMBOL, NS_TEXT, SIG_SYMBOL, SIG_TEXT,
                               base_layout)

DAYS_PER_MONTH = 365.25 / 12
ARM_NAMES = {"treatment": "Offered the programme", "control": "Control"}


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[:2], 16)}, {int(h[2:4], 16)}, {int(h[4:], 16)}, {alpha})"


def km_figure(km: pd.DataFrame, *, title: str, subtitle: str | None = None,
              event: str = "no offence yet", confidence_level: float = 0.95) -> go.Figure:
    """Kaplan-Meier step curves by arm with shaded confidence bands.

    ``km`` is :func:`fd_stats.methods.survival.kaplan_meier_by_arm` output (time in days); the x
    axis is in months (days / 30.44).
    """
    fig = go.Figure()
    for arm in ("control", "treatment"):
        k = km[km.arm == arm]
        if k.empty:
            continue
        x = k.time.to_numpy() / DAYS_PER_MONTH
        colour = ARM_COLOURS[arm]
        lo = k.ci_low.ffill().to_numpy()
        hi = k.ci_high.ffill().to_numpy()
        fig.add_trace(go.Scatter(x=x, y=hi, mode="lines", line=dict(width=0, shape="hv"),
                                 hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=x, y=lo, mode="lines", line=dict(width=0, shape="hv"),
                                 fill="tonexty", fillcolor=_rgba(colour, 0.18), hoverinfo="skip",
                                 name=f"{ARM_NAMES[arm]}: {confidence_level:.0%} interval",
                                 showlegend=False))
        fig.add_trace(go.Scatter(
            x=x, y=k.survival, mode="lines", line=dict(color=colour, width=3, shape="hv",
                                                       dash="solid" if arm == "treatment"
                                                       else "dash"),
            name=ARM_NAMES[arm],
            customdata=np.column_stack([k.time, k.n_risk, k.ci_low, k.ci_high]),
            hovertemplate=("day %{customdata[0]:.0f}: %{y:.0%} " + event
                           + " (interval %{customdata[2]:.0%} to %{customdata[3]:.0%}), "
                           "%{customdata[1]} at risk<extra>%{fullData.name}</extra>")))
        cens = k[k.n_censor > 0]
        fig.add_trace(go.Scatter(x=cens.time / DAYS_PER_MONTH, y=cens.survival, mode="markers",
                                 marker=dict(symbol="line-ns-open", size=8, color=colour),
                                 hoverinfo="skip", showlegend=False))
    # the axis starts below the lowest band (not at 0) so the gap between arms is visible;
    # its title and ticks say so
    lowest = np.nanmin(km.ci_low.to_numpy(dtype=float)) if len(km) else 0.0
    floor = max(0.0, np.floor((lowest - 0.05) * 10) / 10)
    fig.update_yaxes(title=f"Share with {event}", tickformat=".0%", range=[floor, 1.02])
    if floor > 0:
        subtitle = " · ".join(p for p in (subtitle, f"vertical axis starts at {floor:.0%}") if p)
    fig.update_xaxes(title="Months since randomisation", dtick=3, rangemode="tozero")
    return base_layout(fig, title, subtitle, height=480)


def at_risk_table(km: pd.DataFrame, months) -> pd.DataFrame:
    """Numbers at risk per arm at whole months (rows: arms; columns: 'Month m')."""
    from fd_stats.methods.survival import survival_at

    out = {}
    for arm in ("treatment", "control"):
        k = km[km.arm == arm]
        days = np.round(np.asarray(months) * DAYS_PER_MONTH)
        at = survival_at(k, days) if len(k) else pd.DataFrame({"n_risk": []})
        counts = list(at.n_risk) + [0] * (len(days) - len(at))
        out[ARM_NAMES[arm]] = counts
    return pd.DataFrame(out, index=[f"Month {m}" for m in months]).T


def mcf_figure(mcf: pd.DataFrame, *, title: str, subtitle: str | None = None,
               unit: str = "offences per person") -> go.Figure:
    """Mean cumulative number of events per person by month, per arm."""
    fig = go.Figure()
    for arm in ("control", "treatment"):
        m = mcf[mcf.arm == arm]
        fig.add_trace(go.Scatter(
            x=m.month, y=m.mean_cumulative, mode="lines+markers", name=ARM_NAMES[arm],
            line=dict(color=ARM_COLOURS[arm], width=3,
                      dash="solid" if arm == "treatment" else "dash"),
            marker=dict(symbol="circle" if arm == "treatment" else "square", size=7),
            customdata=m.n_observed,
            hovertemplate="month %{x}: %{y:.2f} " + unit
                          + " (%{customdata} people observed)<extra>%{fullData.name}</extra>"))
    fig.update_yaxes(title="Mean per person", rangemode="tozero")
    fig.update_xaxes(title="Months since randomisation", dtick=3)
    return base_layout(fig, title, subtitle, height=430)


def window_effect_figure(effects: pd.DataFrame, *, title: str, subtitle: str | None = None,
                         confidence_level: float = 0.95, alpha: float = 0.05) -> go.Figure:
    """Rate ratio per follow-up period with its interval, on a log axis (1 = no difference).

    Filled markers and "sig" text where the interval excludes 1 at ``alpha`` (two-sided);
    open markers and "ns" otherwise, so significance is not shown by colour alone.
    """
    e = effects.dropna(subset=["rate_ratio"]) if "rate_ratio" in effects else effects.iloc[0:0]
    fig = go.Figure()
    if len(e):
        sig = e.p_value < alpha
        label = [f"{r:.2f} {SIG_TEXT if s else NS_TEXT}" for r, s in zip(e.rate_ratio, sig)]
        fig.add_trace(go.Scatter(
            x=e.period, y=e.rate_ratio, mode="markers+text", text=label,
            textposition="middle right", textfont=dict(size=13),
            marker=dict(size=13, color=ARM_COLOURS["treatment"],
                        symbol=[SIG_SYMBOL if s else NS_SYMBOL for s in sig],
                        line=dict(width=2, color=ARM_COLOURS["treatment"])),
            error_y=dict(type="data", symmetric=False, array=e.ci_high - e.rate_ratio,
                         arrayminus=e.rate_ratio - e.ci_low, color=ARM_COLOURS["treatment"],
                         thickness=2, width=8),
            showlegend=False,
            customdata=np.column_stack([e.ci_low, e.ci_high]),
            hovertemplate=("%{x}: rate ratio %{y:.2f} (" + f"{confidence_level:.0%}"
                           + " CI %{customdata[0]:.2f} to %{customdata[1]:.2f})<extra></extra>")))
        n_windows = int(e.period.str.startswith("months").sum())
        if 0 < n_windows < len(e):  # windows on the left, programme periods on the right
            fig.add_vline(x=n_windows - 0.5, line=dict(color=GREY, width=1))
    fig.add_hline(y=1, line=dict(color=GREY, dash="dot"),
                  annotation_text="1 = same rate in both arms",
                  annotation_position="bottom right")
    ticks = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20]
    fig.update_yaxes(type="log", title="Rate ratio (log scale)", tickvals=ticks,
                     ticktext=[f"{t:g}" for t in ticks], minor=dict(showgrid=False))
    fig.update_xaxes(title="Period of follow-up", range=[-0.5, len(e) - 0.2])
    return base_layout(fig, title, subtitle, height=460, legend=False)
