"""What the Over time page shows, computed from an over-time aggregation (no Streamlit).

One function, :func:`over_time_view`, turns an :class:`fd_stats.data.aggregate.OverTimeResult`,
a role and an offence group into every number and figure the page and the board-pack
slide need, so both show the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.figures_time import (at_risk_table, km_figure, mcf_figure,
                                    window_effect_figure)
from fd_stats.data.aggregate import OverTimeResult, aggregate_over_time
from fd_stats.errors import DataError
from fd_stats.data.mapping import GROUP_LABELS
from fd_stats.methods.survival import (cox, effect_change, effect_change_sentence,
                               hazard_ratio_sentence, kaplan_meier_by_arm, logrank,
                               mean_cumulative_count, monthly_matrix, treated_flags,
                               window_effects)

SYNTHETIC_DATES = ("Synthetic dates: the report publishes no dates, so every randomisation "
                   "date, crime date and baseline crime here is invented to illustrate the "
                   "method. The 12-month counts and harm equal the bundled people.csv; the "
                   "months after the programme were generated at each person's own first-year "
                   "rate, so by construction the effect neither fades nor grows.")


def group_words(group: str) -> str:
    return GROUP_LABELS.get(group, group.replace("_", " ") + " crimes").lower()


def load_bundled_extract(folder: Path, meta: dict) -> OverTimeResult:
    """The bundled trial's synthetic extract aggregated with its trial.toml settings."""
    ex = meta.get("extract")
    if not ex:
        raise DataError("This trial has no crimes extract, so there is nothing to show over time.")
    from fd_stats.data.io import read_table

    crimes = read_table(folder / ex["crimes_csv"])
    rand = read_table(folder / ex["randomisation_csv"])
    return aggregate_over_time(crimes, rand, None, end_date=ex["end_date"],
                               baseline_months=ex.get("baseline_months", (12, 24)),
                               windows=ex.get("windows_months", (6, 12, 18, 24)),
                               programme_months=ex.get("programme_months"),
                               start_date=ex.get("start_date"))


@dataclass
class OverTimeView:
    km: pd.DataFrame
    at_risk: pd.DataFrame
    cox: object
    cox_adjusted: object | None
    logrank: object
    mcf: pd.DataFrame
    windows: pd.DataFrame
    change: object | None
    sentences: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def over_time_view(res: OverTimeResult, role: str, group: str, *, arm: str = "arm",
                   treatment="treatment", control="control", confidence_level: float = 0.95,
                   alpha: float = 0.05, synthetic: bool = False) -> OverTimeView:
    """Kaplan-Meier, hazard ratios, mean cumulative count and effects by period for one
    role x offence group. Raises :class:`DataError` with a readable message when a piece
    cannot be estimated (e.g. no events)."""
    t = res.table
    if arm not in t.columns:
        raise DataError(f"The randomisation list has no arm column {arm!r}.")
    z = treated_flags(t[arm], treatment, control)
    what = f"{group_words(group)} as {role}"
    first = f"a first {group_words(group).rstrip('s')} as {role}"
    time, event = t[f"{role}_{group}_days"], t[f"{role}_{group}_event"]
    km = kaplan_meier_by_arm(time, event, z, confidence_level)
    months = list(range(0, res.windows[-1] + 1, 3))
    change, notes = None, []
    try:
        c = cox(time, event, z, confidence_level=confidence_level)
    except DataError as exc:        # e.g. no events in one arm: the rest still shows
        c = None
        notes.append(f"Hazard ratio: {exc}")
    base_col = f"{role}_{group}_pre{res.baselines[0]}m" if res.baselines else None
    c_adj = None
    if c is not None and base_col in t:
        try:
            c_adj = cox(time, event, z, t[[base_col]].to_numpy(float), [base_col],
                        confidence_level=confidence_level)
        except DataError as exc:
            notes.append(f"Hazard ratio adjusted for the baseline: {exc}")
    lr = logrank(time, event, z)
    mat = monthly_matrix(res.monthly, t[res.columns["person_id"]], res.columns["person_id"],
                         group, role, res.windows[-1])
    mcf = mean_cumulative_count(mat, t["months_observed"], z)
    win = window_effects(t, f"{role}_{group}", z, res.windows, programme=True,
                         confidence_level=confidence_level)
    if res.programme_months:
        try:
            change = effect_change(t[f"{role}_{group}_during"], t["exposure_days_during"],
                                   t[f"{role}_{group}_after"], t["exposure_days_after"], z,
                                   confidence_level)
        except DataError as exc:
            notes.append(f"The change after the programme cannot be estimated: {exc}")
    horizon = f"the {res.windows[-1]} months of follow-up"
    sentences = {"hazard": hazard_ratio_sentence(c, first, horizon) if c else ""}
    if c_adj is not None:
        sentences["hazard_adjusted"] = (
            f"Adjusted for each person's {what} in the {res.baselines[0]} months before "
            f"randomisation: hazard ratio {c_adj.hazard_ratio:.2f} ({confidence_level:.0%} CI "
            f"{c_adj.ci_low:.2f} to {c_adj.ci_high:.2f}), "
            + ("p < 0.001" if c_adj.p_value < 0.001 else f"p = {c_adj.p_value:.3f}")
            + " (two-sided).")
    sentences["logrank"] = (
        f"Log-rank test of equal curves: chi-squared {lr.statistic:.2f} (1 df), "
        + ("p < 0.001" if lr.p_value < 0.001 else f"p = {lr.p_value:.3f}")
        + " (two-sided: a difference between the curves in either direction).")
    if change is not None:
        sentences["change"] = effect_change_sentence(change, what)
    sub = " · ".join(p for p in ("Synthetic data and dates" if synthetic else "",
                                 f"{confidence_level:.0%} intervals", f"Extract to {res.end_date}")
                     if p)
    if c is not None:
        pct = round(abs(c.hazard_ratio - 1) * 100)
        hr_title = (f"Hazard ratio {c.hazard_ratio:.2f} ({confidence_level:.0%} CI "
                    f"{c.ci_low:.2f} to {c.ci_high:.2f}): a first "
                    f"{group_words(group).rstrip('s')} as {role} came at a {pct}% "
                    f"{'lower' if c.hazard_ratio < 1 else 'higher'} rate among people "
                    "offered the programme")
    else:
        hr_title = f"Share of people with no {what} yet, by arm (hazard ratio not estimable)"
    last = mcf.dropna().groupby("arm").last()
    mcf_title = (f"By month {int(last.month.min())}: {last.loc['treatment', 'mean_cumulative']:.2f} "
                 f"{what} per person offered the programme, "
                 f"{last.loc['control', 'mean_cumulative']:.2f} in the control arm")
    if change is not None:
        win_title = (f"Does it fade after support ends? Rate ratio {change.during.rate_ratio:.2f} "
                     f"during the programme, {change.after.rate_ratio:.2f} after it "
                     f"(test of a change: p = {change.p_value:.3f}, two-sided)")
    else:
        win_title = "Rate ratio of offending in each period of follow-up"
    figures = {
        "km": km_figure(km, title=hr_title, subtitle=sub, event="none yet",
                        confidence_level=confidence_level),
        "mcf": mcf_figure(mcf, title=mcf_title, subtitle=sub, unit=f"{what}"),
        "windows": window_effect_figure(win, title=win_title,
                                        subtitle=sub + " · offered the programme / control, "
                                        "with intervals",
                                        confidence_level=confidence_level, alpha=alpha),
    }
    return OverTimeView(km, at_risk_table(km, months), c, c_adj, lr, mcf, win, change,
                        sentences, figures, notes)


def pack_over_time(trial, confidence_level: float = 0.95, alpha: float = 0.05,
                   disclosure: bool = False):
    """(title, figure or None, sentences) for the board pack's Over time slide, or None when
    the trial has no crimes extract. Under disclosure control the Kaplan-Meier chart (whose
    steps are single people) is left out and only the hazard ratio, which holds no counts,
    is given."""
    ex = (trial.meta or {}).get("extract")
    if not ex:
        return None
    from fd_stats.data.trial import BUNDLED_TRIAL

    folder = Path(trial.meta.get("_folder", BUNDLED_TRIAL))
    try:
        res = load_bundled_extract(folder, trial.meta)
        groups = res.summary["groups"]
        group = "knife" if "knife" in groups else groups[0]
        view = over_time_view(res, "suspect", group, confidence_level=confidence_level,
                              alpha=alpha, synthetic=bool(ex.get("synthetic")))
    except (DataError, OSError):
        return None
    fig = None if disclosure else view.figures["km"]
    lines = [view.sentences["hazard"] or " ".join(view.notes)]
    if "change" in view.sentences:
        lines.append(view.sentences["change"])
    if ex.get("synthetic"):
        lines.append(SYNTHETIC_DATES)
    if disclosure:
        lines.append("The survival chart is left out under small-number protection: each "
                     "step of the curve is one person.")
    title = f"Time to a first {group_words(group).rstrip('s')} as suspect"
    return title, fig, lines
