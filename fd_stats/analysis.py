"""The one entry point: person-level table + column mapping + settings -> tidy results.

The app's pages, the exports and the command line all call :func:`analyse`,
so every number shown anywhere has this one source.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from ._checks import check_alternative, check_level
from .effects import hedges_g, percent_change, percent_change_bootstrap
from .errors import DataError
from .io import rows_text
from .multiplicity import CORRECTIONS, adjust_pvalues
from .twosample import TESTS

ALL = "All"
TEST_LABELS = {
    "welch": "Welch t-test",
    "student": "Student t-test",
    "mann-whitney": "Mann-Whitney U",
    "permutation": "Permutation test",
}
SIDEDNESS = {"two-sided": "two-sided", "less": "one-sided (treatment lower)",
             "greater": "one-sided (treatment higher)"}

RESULT_COLUMNS = [
    "outcome", "label", "subgroup_column", "subgroup", "test", "alternative",
    "confidence_level", "n_treatment", "n_control", "n_missing", "mean_treatment",
    "mean_control", "sd_treatment", "sd_control", "difference", "estimate", "estimate_label",
    "ci_low", "ci_high", "percent_change", "percent_change_ci_low", "percent_change_ci_high",
    "percent_change_method", "statistic", "df", "p_value", "p_adjusted", "correction", "alpha",
    "significant", "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high", "any_treatment",
    "any_control", "n_resamples", "mc_error", "method", "note",
]


@dataclass(frozen=True)
class Mapping:
    """Which columns hold what.

    ``outcomes`` empty means every numeric column that is not the arm,
    person id, subgroup or engagement column. ``labels`` pairs outcome
    columns with display labels.
    """

    arm: str = "arm"
    treatment: str = "treatment"
    control: str = "control"
    outcomes: tuple[str, ...] = ()
    subgroup: str | None = None
    person_id: str | None = None
    engagement: str | None = None
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, outcome: str) -> str:
        return dict(self.labels).get(outcome, outcome)


@dataclass(frozen=True)
class Settings:
    """Analysis choices. ``bootstrap`` > 0 replaces the delta-method interval for the
    percentage change with a seeded percentile bootstrap of that many resamples."""

    test: str = "welch"
    alternative: str = "two-sided"
    alpha: float = 0.05
    correction: str = "none"
    confidence_level: float = 0.95
    permutations: int = 10_000
    bootstrap: int = 0
    seed: int = 12345

    def check(self) -> "Settings":
        if self.test not in TESTS:
            raise DataError(f"test must be one of {', '.join(TESTS)}; got {self.test!r}.")
        check_alternative(self.alternative)
        check_level(self.alpha, "alpha")
        check_level(self.confidence_level, "confidence level")
        if self.correction not in CORRECTIONS:
            raise DataError(f"correction must be one of {', '.join(CORRECTIONS)}; "
                            f"got {self.correction!r}.")
        if int(self.permutations) < 1 or int(self.bootstrap) < 0:
            raise DataError("permutations must be at least 1 and bootstrap at least 0.")
        return self


def _norm_label(value) -> str:
    """Arm values compared ignoring case, surrounding spaces and 1 vs 1.0."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return str(value).strip().casefold()


@dataclass
class Prepared:
    """The table reduced to what the analysis needs, with what was excluded and why."""

    is_treatment: np.ndarray
    outcomes: dict[str, np.ndarray]
    subgroup: pd.Series | None
    n_excluded_arm: int
    excluded_arm_values: list = field(default_factory=list)


def numeric_outcome_columns(data: pd.DataFrame, mapping: Mapping) -> list[str]:
    keys = {mapping.arm, mapping.subgroup, mapping.person_id, mapping.engagement}
    return [c for c in data.columns if c not in keys
            and pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])]


def prepare(data: pd.DataFrame, mapping: Mapping) -> Prepared:
    """Check the table against the mapping; raise :class:`DataError` for blocking problems."""
    if not isinstance(data, pd.DataFrame) or data.shape[0] == 0:
        raise DataError("The data set has no rows.")
    if mapping.arm not in data.columns:
        raise DataError(f"There is no column named {mapping.arm!r} for the arm. Columns are: "
                        + ", ".join(map(str, data.columns[:20])) + ".")
    t_key, c_key = _norm_label(mapping.treatment), _norm_label(mapping.control)
    if not t_key or not c_key or t_key == c_key:
        raise DataError("Treatment and control must be two different, non-empty arm values.")
    arm = data[mapping.arm].map(_norm_label)
    is_t, is_c = (arm == t_key).to_numpy(), (arm == c_key).to_numpy()
    keep = is_t | is_c
    for key, label in ((is_t, mapping.treatment), (is_c, mapping.control)):
        if not key.any():
            seen = sorted({str(v) for v in data[mapping.arm].dropna().unique()})[:10]
            raise DataError(f"No rows have {label!r} in column {mapping.arm!r}. "
                            f"Values found: {', '.join(seen) or 'none'}.")
    outcomes = list(mapping.outcomes) or numeric_outcome_columns(data, mapping)
    if not outcomes:
        raise DataError("No outcome columns: the table has no numeric columns besides the keys.")
    missing = [c for c in outcomes if c not in data.columns]
    if missing:
        raise DataError("Outcome column(s) not found: " + ", ".join(missing) + ".")
    values = {}
    for col in outcomes:
        s = data[col]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(float)
        if not pd.api.types.is_numeric_dtype(s):
            nums = pd.to_numeric(s, errors="coerce")
            bad = np.flatnonzero(nums.isna().to_numpy() & s.notna().to_numpy())
            if len(bad):
                shown = ", ".join(repr(str(v)) for v in s.iloc[bad[:3]])
                raise DataError(f"Column {col!r} should hold numbers but rows {rows_text(bad)} "
                                f"hold {shown}. Correct those cells or leave them empty.")
            s = nums
        v = s.to_numpy(dtype=float)
        if np.isinf(v).any():
            bad = np.flatnonzero(np.isinf(v))
            raise DataError(f"Column {col!r} has infinite values in rows {rows_text(bad)}. "
                            "Correct them or leave them empty.")
        values[col] = v[keep]
    sub = None
    if mapping.subgroup:
        if mapping.subgroup not in data.columns:
            raise DataError(f"There is no subgroup column named {mapping.subgroup!r}.")
        sub = data.loc[keep, mapping.subgroup].reset_index(drop=True)
    excluded = data.loc[~keep, mapping.arm]
    return Prepared(is_t[keep], values, sub, int((~keep).sum()),
                    sorted({str(v) for v in excluded.dropna().unique()})[:10])


def _levels(sub: pd.Series | None):
    yield ALL, None
    if sub is None:
        return
    present = sub.dropna()
    try:
        levels = sorted(present.unique())
    except TypeError:
        levels = sorted(present.astype(str).unique())
    for level in levels:
        yield str(level), (sub == level).to_numpy()


def _row(outcome, label, level, x, y, n_missing, settings: Settings, sub_col):
    test = TESTS[settings.test]
    kwargs = dict(alternative=settings.alternative, confidence_level=settings.confidence_level)
    if settings.test == "permutation":
        kwargs.update(n_resamples=settings.permutations, seed=settings.seed)
    res = test(x, y, **kwargs)
    if settings.bootstrap:
        pc = percent_change_bootstrap(x, y, n_resamples=settings.bootstrap, seed=settings.seed,
                                      **kwargs_no_extra(kwargs))
    else:
        pc = percent_change(x, y, **kwargs_no_extra(kwargs))
    g = hedges_g(x, y, **kwargs_no_extra(kwargs))
    notes = [n for n in (res.note, pc.note, g.note) if n]
    return {
        "outcome": outcome, "label": label, "subgroup_column": sub_col, "subgroup": level,
        "test": settings.test, "alternative": settings.alternative,
        "confidence_level": settings.confidence_level,
        "n_treatment": len(x), "n_control": len(y), "n_missing": n_missing,
        "mean_treatment": x.mean() if len(x) else np.nan,
        "mean_control": y.mean() if len(y) else np.nan,
        "sd_treatment": x.std(ddof=1) if len(x) > 1 else np.nan,
        "sd_control": y.std(ddof=1) if len(y) > 1 else np.nan,
        "difference": x.mean() - y.mean() if len(x) and len(y) else np.nan,
        "estimate": res.estimate,
        "estimate_label": ("Hodges-Lehmann shift" if settings.test == "mann-whitney"
                           else "difference in means"),
        "ci_low": res.ci_low, "ci_high": res.ci_high,
        "percent_change": pc.estimate, "percent_change_ci_low": pc.ci_low,
        "percent_change_ci_high": pc.ci_high, "percent_change_method": pc.method,
        "statistic": res.statistic, "df": res.df, "p_value": res.p_value,
        "hedges_g": g.estimate, "hedges_g_ci_low": g.ci_low, "hedges_g_ci_high": g.ci_high,
        "any_treatment": int((x > 0).sum()), "any_control": int((y > 0).sum()),
        "n_resamples": res.n_resamples, "mc_error": res.mc_error, "method": res.method,
        "note": " ".join(notes),
    }


def kwargs_no_extra(kwargs):
    return {k: kwargs[k] for k in ("alternative", "confidence_level")}


def analyse(data: pd.DataFrame, mapping: Mapping | None = None,
            settings: Settings | None = None) -> pd.DataFrame:
    """Compare treatment with control for every outcome, overall and per subgroup level.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person.
    mapping : Mapping
        Column roles; defaults to ``arm`` / ``treatment`` / ``control`` and all numeric columns.
    settings : Settings
        Test, sidedness, alpha, correction, confidence level, resampling.

    Returns
    -------
    pandas.DataFrame
        One row per outcome x subgroup level ("All" first), columns
        ``RESULT_COLUMNS``. People with a missing or unrecognised arm are
        excluded (``attrs["n_excluded_arm"]``); missing outcome values are
        excluded per outcome and counted in ``n_missing``. Adjusted p-values
        treat the outcomes within one subgroup level as one family.
    """
    mapping = mapping or Mapping()
    settings = (settings or Settings()).check()
    prep = prepare(data, mapping)
    rows = []
    sub_col = mapping.subgroup or ""
    for level, mask in _levels(prep.subgroup):
        for outcome, v in prep.outcomes.items():
            sel = np.ones(len(v), bool) if mask is None else mask
            ok = sel & ~np.isnan(v)
            x = v[ok & prep.is_treatment]
            y = v[ok & ~prep.is_treatment]
            rows.append(_row(outcome, mapping.label(outcome), level, x, y,
                             int((sel & np.isnan(v)).sum()), settings, sub_col))
    out = pd.DataFrame(rows)
    out["p_adjusted"] = np.nan
    for level, idx in out.groupby("subgroup", sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = adjust_pvalues(out.loc[idx, "p_value"], settings.correction)
    out["correction"] = settings.correction
    out["alpha"] = settings.alpha
    out["significant"] = out["p_adjusted"] < settings.alpha
    out = out[RESULT_COLUMNS]
    out.attrs.update(n_excluded_arm=prep.n_excluded_arm,
                     excluded_arm_values=prep.excluded_arm_values, settings=asdict(settings),
                     mapping=asdict(mapping))
    return out


def with_alpha(results: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Re-judge significance at another alpha without recomputing any test."""
    check_level(alpha, "alpha")
    out = results.copy()
    out["alpha"] = alpha
    out["significant"] = out["p_adjusted"] < alpha
    out.attrs = dict(results.attrs, settings=dict(results.attrs.get("settings", {}), alpha=alpha))
    return out


def describe_p(p: float, alternative: str) -> str:
    """A p-value worded with its sidedness, e.g. 'p = 0.037 (two-sided)'."""
    if not np.isfinite(p):
        return "p not estimable"
    text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    return f"{text} ({SIDEDNESS[alternative]})"
