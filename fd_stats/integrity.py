"""How sure can we be? Trial-integrity checks and a rule-based evidence rating.

Checks, each a plain function on the person-level table:

* :func:`allocation_check`: the observed split against the planned allocation ratio, overall
  and per stratum (exact binomial test, R ``binom.test``).
* :func:`baseline_balance`: means or shares of every baseline column by arm with
  standardised mean differences (SMD, pooled standard deviation) and flags at 0.1 and 0.25.
* :func:`attrition_table` and :func:`lee_bounds`: missing outcomes per arm, overall and
  differential, and the bounds on the effect under the worst pattern of missingness that
  fits the data (Lee 2009).
* :func:`excluded_arm`: people left out because their arm value is not recognised.
* :func:`achieved_mdes`: the minimum detectable effect of each outcome for this trial's
  sizes and variability (from :mod:`fd_stats.methods.power`).
* :func:`equivalence_test`: two one-sided tests against a smallest effect of interest
  (two R ``t.test(..., mu=)`` one-sided calls) and what the data rule out.

:func:`security_rating` turns them into padlocks (0-5) with rules modelled on the Education
Endowment Foundation's security classification; every rule, every value for this trial and
the source of every cut-off are part of the result. :func:`integrity_report` runs all of it.

Facts that belong to the trial specification (planned ratio, strata, baseline covariates,
pre-specification) are arguments (:class:`TrialFacts`); :func:`facts_from_trial` reads them
from a loaded trial when its specification records them.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ._checks import check_level
from .analysis import Mapping, arm_flags, crossed
from .errors import DataError

__all__ = ["Cutoffs", "TrialFacts", "LeeBounds", "Equivalence", "Criterion", "Threat", "Rating",
           "IntegrityReport", "allocation_check", "baseline_balance", "attrition_table",
           "lee_bounds", "excluded_arm", "achieved_mdes", "equivalence_test",
           "equivalence_table", "rule_out_sentence", "security_rating", "replication_sizes",
           "facts_from_trial", "integrity_report", "smd", "PADLOCK_LABELS", "EEF_SOURCE",
           "DESIGNS"]

EEF_SOURCE = ("Education Endowment Foundation (2019), 'Classifying the security of EEF "
              "findings' (the padlock security rating)")
DEANERY_SOURCE = ("University of Oxford Education Deanery, 'Assessing Risk of Bias in Education "
                  "Research' (training on the EEF padlocks), sections 'Attrition' and "
                  "'Calculating the final rating'")
#: EEF's words for each rating (confirmed on the EEF help page 'The EEF padlocks security rating').
PADLOCK_LABELS = {5: "very high security", 4: "high security", 3: "moderate to high security",
                  2: "moderate to low security", 1: "low security", 0: "very low security"}
#: Design rows of the EEF table, best first (wording paraphrased from the 2019 table).
DESIGNS = {
    "randomised": (5, "Randomised design"),
    "quasi_unobservables": (4, "Comparison that considers selection on unobservable "
                               "characteristics (e.g. regression discontinuity, "
                               "difference-in-differences)"),
    "quasi_all_observables": (3, "Comparison that considers selection on all relevant "
                                 "observable confounders (e.g. matching or regression)"),
    "quasi_some_observables": (2, "Comparison that considers selection on only some relevant "
                                  "confounders"),
    "quasi_none": (1, "Comparison that does not consider selection on any relevant confounders"),
    "no_comparator": (0, "No comparison group"),
}
SMD_MEANINGS = {
    "balanced": "balanced (|SMD| below {lo:g})",
    "moderate": ("some imbalance (|SMD| {lo:g} to {hi:g}): worth adjusting for in the analysis; "
                 "by chance alone it happens in small trials"),
    "large": ("large imbalance (|SMD| above {hi:g}): adjustment may not remove it; results "
              "could reflect who was in each arm rather than the programme"),
}


# ---------------------------------------------------------------- settings and facts

@dataclass(frozen=True)
class Cutoffs:
    """Every editable cut-off of the checks and the rating. :data:`CUTOFF_SOURCES` says where
    each default comes from and whether it was confirmed.

    ``mdes`` and ``attrition`` are the upper limits for 5, 4, 3, 2 and 1 padlocks (above the
    last: 0). SMDs are absolute values; shares are fractions (0.1 = 10%).
    """

    mdes: tuple[float, ...] = (0.2, 0.3, 0.4, 0.5, 0.6)
    attrition: tuple[float, ...] = (0.10, 0.20, 0.30, 0.40, 0.50)
    smd_moderate: float = 0.10
    smd_large: float = 0.25
    differential_moderate: float = 0.05
    differential_high: float = 0.10
    allocation_p_moderate: float = 0.05
    allocation_p_high: float = 0.001
    excluded_high: float = 0.05
    unclear_is_moderate: bool = True
    power: float = 0.80
    alpha: float = 0.05

    def check(self) -> "Cutoffs":
        for name in ("mdes", "attrition"):
            v = tuple(float(x) for x in getattr(self, name))
            if len(v) != 5 or any(b <= a for a, b in zip(v, v[1:])) or v[0] <= 0:
                raise DataError(f"The {name} cut-offs must be five increasing positive numbers "
                                f"(for 5, 4, 3, 2 and 1 padlocks); got {v}.")
        if not 0 < self.smd_moderate < self.smd_large:
            raise DataError("The SMD cut-offs must satisfy 0 < moderate < large; got "
                            f"{self.smd_moderate} and {self.smd_large}.")
        if not 0 <= self.differential_moderate < self.differential_high <= 1:
            raise DataError("The differential-attrition cut-offs must satisfy "
                            "0 <= moderate < high <= 1.")
        if not 0 < self.allocation_p_high < self.allocation_p_moderate < 1:
            raise DataError("The allocation p-value cut-offs must satisfy 0 < high < moderate < 1.")
        check_level(self.power, "power")
        check_level(self.alpha, "alpha")
        return self


#: key -> (source, confirmed by our own reading of a published page?)
CUTOFF_SOURCES = {
    "scale": ("EEF help page 'The EEF padlocks security rating': 0-5 padlocks, from very low "
              "to very high security", True),
    "design": (EEF_SOURCE + ": design row of the table. Confirmed: a randomised design can "
               "reach 5 padlocks, and self-selected groups with no steps to make them "
               "comparable get 1 (" + DEANERY_SOURCE + ", 'Design'). The wording of rows 4 to 2 "
               "is paraphrased from memory of the 2019 table: NOT CONFIRMED", False),
    "mdes": (EEF_SOURCE + ": MDES row, 0.2 / 0.3 / 0.4 / 0.5 / 0.6 standard deviations for 5 "
             "to 1 padlocks. NOT CONFIRMED: we could not read the published table itself; "
             "the figures are the 2019 table as we recall it. Check before relying on them", False),
    "attrition": (EEF_SOURCE + ": attrition row, 10 / 20 / 30 / 40 / 50% for 5 to 1 padlocks, "
                  "measured on people whatever the unit of randomisation. Confirmed: above 50% "
                  "gives 0 padlocks (" + DEANERY_SOURCE + "). The lower bands are NOT "
                  "CONFIRMED", False),
    "initial": ("EEF (2019): the starting rating is the lowest of design, MDES and attrition. "
                "NOT CONFIRMED in a published page we could read", False),
    "threats": (DEANERY_SOURCE + ": threats can only lower the rating, by at most two "
                "padlocks; no change for up to two moderate threats; one padlock for up to four "
                "moderate, or one high with the rest low; two for one high and two moderate, or "
                "two or more high", True),
    "smd": ("0.1: Austin (2009), Statistics in Medicine 28:3083-3107 (a difference of 0.1 "
            "standard deviations is the usual sign of meaningful imbalance). 0.25: What Works "
            "Clearinghouse Standards Handbook (baseline differences above 0.25 SD are not "
            "accepted even with adjustment). Classing 0.1-0.25 as a moderate threat and above "
            "0.25 as a high threat is this project's rule, not the EEF's. Both figures are "
            "widely cited; we did not re-read the texts for this work (not confirmed here)", False),
    "differential": ("This project's rule (not an EEF figure): a gap in missing outcomes "
                     "between arms of 5 percentage points is a moderate threat, 10 a high one", False),
    "allocation": ("This project's rule: exact binomial test of the split against the planned "
                   "ratio (R binom.test); p below 0.05 a moderate threat, below 0.001 a high one; "
                   "a plan that is not recorded cannot be checked (unclear)", False),
    "excluded": ("This project's rule: anyone left out for an unrecognised arm is a moderate "
                 "threat, 5% or more of the rows a high one", False),
    "prespecified": ("This project's rule after the EEF's 'selective reporting' threat: "
                     "outcomes or subgroups not recorded as pre-specified are a moderate threat "
                     "(unclear when the specification does not say)", False),
    "unclear": ("This project's rule: a threat that cannot be checked counts as moderate (it "
                "cannot be ruled out); the Deanery training rates missing information as a risk "
                "too", False),
}


@dataclass(frozen=True)
class TrialFacts:
    """What the trial specification says about the design (defaults when it says nothing).

    ``allocation_ratio`` is treatment / control as planned (1.0 = 1:1); ``None`` means the plan
    is not recorded (the check then compares with 1:1 for information only).
    ``outcomes_prespecified`` / ``subgroups_prespecified``: ``None`` = not recorded.
    ``icc`` (cluster designs): intra-cluster correlation for the MDES; ``None`` treats clusters
    as the units (the most cautious choice).
    """

    design: str = "randomised"
    design_type: str = "simple"
    allocation_ratio: float | None = None
    strata: tuple[str, ...] = ()
    cluster: str | None = None
    icc: float | None = None
    covariates: tuple[str, ...] = ()
    baselines: tuple[tuple[str, str], ...] = ()
    subgroups: tuple[str, ...] = ()
    outcomes_prespecified: bool | None = None
    subgroups_prespecified: bool | None = None
    primary: str | None = None
    allocation_note: str = ""

    @property
    def baseline_columns(self) -> tuple[str, ...]:
        """Covariates, outcome baselines, strata and subgroup columns (all pre-randomisation)."""
        cols = [*self.covariates, *(b for _, b in self.baselines), *self.strata, *self.subgroups]
        return tuple(dict.fromkeys(c for c in cols if c))


def _get(obj, name, default=None):
    value = getattr(obj, name, None) if obj is not None else None
    return default if value is None else value


def facts_from_trial(trial, subgroup: str | None = None,
                     prespecified: bool = False) -> TrialFacts:
    """Read :class:`TrialFacts` from a loaded trial: its engine ``Mapping`` (``covariates``,
    ``strata``, ``baselines`` when present) and its specification metadata (``design``:
    ``type``, ``strata``, ``cluster``, ``allocation_ratio``; ``covariates``; ``subgroups``
    with ``prespecified``; outcomes with ``prespecified``). Missing facts keep the defaults.

    ``subgroup`` / ``prespecified``: the subgroup column being analysed (e.g. the one chosen in
    the app) and whether the user marked it pre-specified; it joins the baseline columns."""
    facts = _facts_from_trial(trial)
    if subgroup and subgroup not in facts.subgroups and subgroup not in facts.strata:
        facts = replace(facts, subgroups=(*facts.subgroups, subgroup),
                        subgroups_prespecified=bool(prespecified)
                        and facts.subgroups_prespecified is not False)
    elif facts.subgroups and prespecified and subgroup in facts.subgroups:
        facts = replace(facts, subgroups_prespecified=True)
    return facts


def _facts_from_trial(trial) -> TrialFacts:
    meta = getattr(trial, "meta", {}) or {}
    mapping = getattr(trial, "mapping", None)
    spec = getattr(trial, "spec", None)  # the full specification, when the trial carries one
    design = {}
    sd = getattr(spec, "design", None)
    if sd is not None:
        design = {k: getattr(sd, k, None) for k in ("type", "strata", "cluster",
                                                     "allocation_ratio")}
    tdesign = (meta.get("trial") or {}).get("design")
    for d in (tdesign, meta.get("design")):  # the written specification wins (it has notes)
        if isinstance(d, dict):
            design = {**design, **{k: v for k, v in d.items() if v is not None}}
    dtype = str(design.get("type") or "simple")
    ratio, note = design.get("allocation_ratio"), ""
    if isinstance(ratio, dict):
        ratio, note = ratio.get("value"), str(ratio.get("note", ""))
    # a ratio recorded as the split achieved is no plan: testing the split against it is circular
    if ratio is not None and any(w in note.casefold() for w in ("achieved", "no planned")):
        ratio, note = None, f"The specification records the achieved split, not a plan: {note}"
    strata = tuple(_get(mapping, "strata", ()) or design.get("strata") or ())
    covs = tuple(_get(mapping, "covariates", ()) or _get(spec, "covariates", ())
                 or meta.get("covariates") or ())
    if covs and isinstance(covs[0], dict):
        covs = tuple(c.get("column") for c in covs if c.get("column"))
    spec_baselines = tuple((o.column, o.baseline) for o in (_get(spec, "outcomes", ()) or ())
                           if getattr(o, "baseline", None))
    baselines = tuple(_get(mapping, "baselines", ()) or spec_baselines or
                      tuple((o["column"], o["baseline"]) for o in meta.get("outcomes", [])
                            if isinstance(o, dict) and o.get("baseline")))
    subs = [s for s in meta.get("subgroups", []) if isinstance(s, dict) and s.get("column")]
    if not subs and spec is not None:
        pre = set(_get(spec, "prespecified", ()) or ())
        subs = [{"column": c, "prespecified": c in pre} for c in _get(spec, "subgroups", ()) or ()]
    sub_pre = None
    if subs and all("prespecified" in s for s in subs):
        sub_pre = all(bool(s["prespecified"]) for s in subs)
    outs = [o for o in meta.get("outcomes", []) if isinstance(o, dict)]
    out_pre = None
    if outs and all("prespecified" in o for o in outs):
        out_pre = all(bool(o["prespecified"]) for o in outs)
    design_key = "randomised" if dtype in ("simple", "stratified", "cluster") else dtype
    if design_key not in DESIGNS:
        design_key = "randomised"
    return TrialFacts(design=design_key, design_type=dtype,
                      allocation_ratio=None if ratio is None else float(ratio),
                      strata=strata, cluster=design.get("cluster"),
                      icc=design.get("icc"), covariates=covs, baselines=baselines,
                      subgroups=tuple(s["column"] for s in subs),
                      outcomes_prespecified=out_pre, subgroups_prespecified=sub_pre,
                      allocation_note=note)


# ---------------------------------------------------------------- helpers

# Within one integrity_report every check reuses the arm masks and numeric columns (a million
# rows are factorised once, not seven times); outside it nothing is kept.
_MEMO: contextvars.ContextVar = contextvars.ContextVar("integrity_memo", default=None)


def _memo(key, compute):
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _masks(table: pd.DataFrame, mapping: Mapping):
    return _memo(("masks", id(table), mapping.arm, str(mapping.treatment), str(mapping.control)),
                 lambda: _compute_masks(table, mapping))


def _compute_masks(table: pd.DataFrame, mapping: Mapping):
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise DataError("The data set has no rows.")
    if mapping.arm not in table.columns:
        raise DataError(f"There is no column named {mapping.arm!r} for the arm.")
    is_t, is_c, _, _ = arm_flags(table[mapping.arm], mapping.treatment, mapping.control)
    return is_t, is_c


def _numeric(table: pd.DataFrame, column: str) -> np.ndarray:
    return _memo(("numeric", id(table), column), lambda: _compute_numeric(table, column))


def _compute_numeric(table: pd.DataFrame, column: str) -> np.ndarray:
    """The column as floats (missing = nan); text that is not a number is an error, never
    silently missing (it would look like attrition)."""
    from .data.io import rows_text

    if column not in table.columns:
        raise DataError(f"There is no column named {column!r}.")
    s = table[column]
    if pd.api.types.is_bool_dtype(s):
        s = s.astype(float)
    v = pd.to_numeric(s, errors="coerce")
    bad = np.flatnonzero(v.isna().to_numpy() & s.notna().to_numpy())
    if len(bad):
        raise DataError(f"Column {column!r} should hold numbers but rows {rows_text(bad)} hold "
                        f"{', '.join(repr(str(x)) for x in s.iloc[bad[:3]])}.")
    return v.to_numpy(dtype=float)


def _arms(table: pd.DataFrame, mapping: Mapping, column: str):
    """The column's values in the treatment arm and in the control arm (missing as nan): the
    arrays ``v[is_t]`` and ``v[is_c]``, made once per report (np.compress, faster)."""
    return _memo(("arms", id(table), column, mapping.arm, str(mapping.treatment),
                  str(mapping.control)), lambda: tuple(
        np.compress(mask, _numeric(table, column)) for mask in _masks(table, mapping)))


def _observed(table: pd.DataFrame, mapping: Mapping, column: str):
    """:func:`_arms` without the missing values (``v[is_t & ~np.isnan(v)]`` and control's)."""
    return _memo(("observed", id(table), column, mapping.arm, str(mapping.treatment),
                  str(mapping.control)), lambda: tuple(
        a[~np.isnan(a)] for a in _arms(table, mapping, column)))


def _binom_p(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial p-value, R ``binom.test(k, n, p)$p.value``."""
    from scipy.stats import binomtest

    return float(binomtest(int(k), int(n), p).pvalue)


# ---------------------------------------------------------------- allocation

def allocation_check(table: pd.DataFrame, mapping: Mapping, *, allocation_ratio: float | None = 1.0,
                     strata=()) -> pd.DataFrame:
    """Observed split against the planned ratio, overall and within each stratum.

    Parameters
    ----------
    table : DataFrame, one row per randomised person.
    mapping : Mapping (arm column and values).
    allocation_ratio : float or None
        Planned treatment / control ratio (1.0 = 1:1, 0.5 = one treated per two controls).
        ``None``: the plan is not recorded; the split is compared with 1:1 for information.
    strata : sequence of str
        Stratum columns; each combination of levels gets its own row.

    Returns
    -------
    DataFrame
        One row per group (``"All"`` first): ``group, n_treatment, n_control, n,
        planned_share, observed_share, expected_treatment, p_value, ratio_recorded``.
        ``p_value`` is the two-sided exact binomial test of the number treated given the
        group's size (R ``binom.test(n_treatment, n, planned_share)``).

    Raises
    ------
    DataError
        No arm column, a stratum column missing, or a ratio that is not positive.
    """
    recorded = allocation_ratio is not None
    ratio = 1.0 if allocation_ratio is None else float(allocation_ratio)
    if not np.isfinite(ratio) or ratio <= 0:
        raise DataError(f"The planned allocation ratio must be a positive number (treatment / "
                        f"control); got {allocation_ratio!r}.")
    share = ratio / (1 + ratio)
    is_t, is_c = _masks(table, mapping)
    groups = [("All", np.ones(len(table), bool))]
    strata = [s for s in strata if s]
    for s in strata:
        if s not in table.columns:
            raise DataError(f"There is no stratum column named {s!r}.")
    if strata:
        labels, group_of = crossed([table[s].astype("string").fillna("(missing)")
                                    for s in strata])
        groups += [(label, group_of == i) for i, label in enumerate(labels)]
    rows = []
    for name, m in groups:
        nt, nc = int((is_t & m).sum()), int((is_c & m).sum())
        n = nt + nc
        rows.append({"group": name, "n_treatment": nt, "n_control": nc, "n": n,
                     "planned_share": share, "observed_share": nt / n if n else np.nan,
                     "expected_treatment": share * n,
                     "p_value": _binom_p(nt, n, share) if n else np.nan,
                     "ratio_recorded": recorded})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- balance

def smd(treatment, control) -> float:
    """Standardised mean difference: (mean_t - mean_c) / pooled SD, with the pooled SD
    sqrt(((n_t - 1) s_t^2 + (n_c - 1) s_c^2) / (n_t + n_c - 2)) (Cohen's d; the SD behind
    R ``t.test(var.equal = TRUE)``). A 0/1 indicator gives the SMD of a share. Missing values
    are dropped; ``nan`` when either arm has fewer than 2 values or both SDs are 0 with equal
    means; ``±inf`` when the SDs are 0 and the means differ."""
    x = np.asarray(treatment, float)
    y = np.asarray(control, float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if len(x) < 2 or len(y) < 2:
        return np.nan
    d = x.mean() - y.mean()
    pooled = np.sqrt(((len(x) - 1) * x.var(ddof=1) + (len(y) - 1) * y.var(ddof=1))
                     / (len(x) + len(y) - 2))
    if pooled == 0:
        return np.nan if d == 0 else float(np.sign(d) * np.inf)
    return float(d / pooled)


def _smd_flag(value: float, cut: Cutoffs) -> str:
    if not np.isfinite(value) and not np.isinf(value):
        return "not estimable"
    a = round(abs(value), 12)
    return "large" if a > cut.smd_large else "moderate" if a >= cut.smd_moderate else "balanced"


def _level_shares(s: pd.Series, na: np.ndarray):
    """The levels of a categorical column (sorted as text) and ``shares(level, i)``: each
    level as a 0/1 indicator among people with a value (``na``: missing). A column of text
    is factorised once instead of compared with each level (the same groups: text equals
    text exactly when it hashes to the same group)."""
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) == "string":
        codes, uniques = pd.factorize(s)
        order = sorted(range(len(uniques)), key=lambda i: str(uniques[i]))
        return ([uniques[i] for i in order],
                lambda lv, i: np.where(na, np.nan, (codes == order[i]).astype(float)))
    levels = sorted(s.dropna().unique(), key=str)
    return levels, lambda lv, i: np.where(na, np.nan, (s == lv).astype(float))


def baseline_balance(table: pd.DataFrame, mapping: Mapping, columns=(), *, strata=(),
                     cutoffs: Cutoffs = Cutoffs(), max_levels: int = 12) -> pd.DataFrame:
    """Baseline table by arm: means (numeric columns) or shares (each level of a categorical
    column), with the SMD of each row and its flag.

    Returns
    -------
    DataFrame
        ``column, level, kind ('mean' or 'share'), stratum (bool), n_treatment, n_control,
        value_treatment, value_control, sd_treatment, sd_control, smd, flag, meaning,
        missing_treatment, missing_control``. ``flag`` is 'balanced', 'moderate', 'large' or
        'not estimable' at the cut-offs (|SMD| >= ``smd_moderate``; > ``smd_large``).
        Strata are marked: a difference between arms in a stratum column is by design when
        the ratio differs between strata, and is dealt with by analysing within strata.

    Notes
    -----
    No significance tests: in a randomised trial any baseline difference is by chance, so a
    test answers a question nobody asked (CONSORT 2010, item 15 explanation). The SMD says
    whether a difference is large enough to matter.
    """
    is_t, is_c = _masks(table, mapping)
    strata = set(strata)
    rows = []
    for col in dict.fromkeys(columns):
        if col not in table.columns:
            raise DataError(f"There is no baseline column named {col!r}.")
        s = table[col]
        numeric = (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
                   and s.nunique(dropna=True) > 2)
        na = s.isna().to_numpy()
        miss_t, miss_c = int((na & is_t).sum()), int((na & is_c).sum())
        if numeric:
            v = _numeric(table, col)
            items = [(None, "mean", v)]
        else:
            levels, shares = _level_shares(s, na)
            if len(levels) > max_levels:
                raise DataError(f"Baseline column {col!r} has {len(levels)} distinct values; "
                                f"a categorical column can have at most {max_levels}.")
            items = [(lv, "share", shares(lv, i)) for i, lv in enumerate(levels)]
            yes_no = {"0", "1", "0.0", "1.0", "true", "false"}
            if len(levels) == 2 and {str(lv).casefold() for lv in levels} <= yes_no:
                items = items[-1:]  # a yes/no column: one row, the share of 'yes' (1 / True)
        for level, kind, v in items:
            x, y = np.compress(is_t, v), np.compress(is_c, v)  # = v[is_t], faster
            d = smd(x, y)
            flag = _smd_flag(d, cutoffs)
            n_x, n_y = int((~np.isnan(x)).sum()), int((~np.isnan(y)).sum())
            rows.append({
                "column": col, "level": "" if level is None else str(level), "kind": kind,
                "stratum": col in strata, "n_treatment": n_x, "n_control": n_y,
                "value_treatment": float(np.nanmean(x)) if n_x else np.nan,
                "value_control": float(np.nanmean(y)) if n_y else np.nan,
                "sd_treatment": float(np.nanstd(x, ddof=1)) if n_x > 1 else np.nan,
                "sd_control": float(np.nanstd(y, ddof=1)) if n_y > 1 else np.nan,
                "smd": d, "flag": flag,
                "meaning": SMD_MEANINGS.get(flag, "").format(lo=cutoffs.smd_moderate,
                                                           hi=cutoffs.smd_large),
                "missing_treatment": miss_t, "missing_control": miss_c,
            })
    cols = ["column", "level", "kind", "stratum", "n_treatment", "n_control", "value_treatment",
            "value_control", "sd_treatment", "sd_control", "smd", "flag", "meaning",
            "missing_treatment", "missing_control"]
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------- attrition

def attrition_table(table: pd.DataFrame, mapping: Mapping, outcomes=None) -> pd.DataFrame:
    """Missing outcomes per arm.

    Returns
    -------
    DataFrame
        One row per outcome: ``outcome, allocated_treatment, allocated_control,
        missing_treatment, missing_control, share_missing_treatment, share_missing_control,
        overall (share of everyone allocated with no outcome), differential (treatment share
        minus control share, in share points)``.
    """
    is_t, is_c = _masks(table, mapping)
    outcomes = list(outcomes if outcomes is not None else mapping.outcomes)
    nt, nc = int(is_t.sum()), int(is_c.sum())
    rows = []
    for o in outcomes:
        mt, mc = (int(np.isnan(a).sum()) for a in _arms(table, mapping, o))
        st, sc = (mt / nt if nt else np.nan), (mc / nc if nc else np.nan)
        rows.append({"outcome": o, "allocated_treatment": nt, "allocated_control": nc,
                     "missing_treatment": mt, "missing_control": mc,
                     "share_missing_treatment": st, "share_missing_control": sc,
                     "overall": (mt + mc) / (nt + nc) if nt + nc else np.nan,
                     "differential": st - sc})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class LeeBounds:
    """Lee (2009) bounds on the difference in means (treatment minus control).

    ``estimate`` is the complete-case difference; ``lower``/``upper`` the bounds after
    trimming ``trim_share`` of the observed values of ``trimmed_arm`` from the top (lower
    bound) or the bottom (upper bound). With equal observed shares nothing is trimmed and
    the bounds equal the estimate. The bounds carry no sampling uncertainty.
    """

    lower: float
    upper: float
    estimate: float
    trimmed_arm: str
    trim_share: float
    observed_treatment: float
    observed_control: float
    method: str = ("Lee (2009) trimming bounds, Review of Economic Studies 76(3):1071-1102; "
                   "ties at the cut shared out exactly (fractional weight)")


def _trimmed_mean(v: np.ndarray, share: float, drop: str) -> float:
    """Mean after removing exactly ``share`` of the values from the top ('top') or the
    bottom ('bottom'); the value at the cut keeps a fractional weight."""
    v = np.sort(v)
    if drop == "bottom":
        v = v[::-1]
    keep = len(v) * (1 - share)
    whole = int(np.floor(keep + 1e-12))
    frac = keep - whole
    total = v[:whole].sum() + (frac * v[whole] if frac > 1e-12 and whole < len(v) else 0.0)
    return float(total / keep)


def lee_bounds(treatment, control) -> LeeBounds:
    """Lee (2009) bounds on the effect when outcomes are missing.

    Parameters
    ----------
    treatment, control : array-like
        Each arm's outcome for everyone allocated, ``nan`` where the outcome is missing.

    Returns
    -------
    LeeBounds

    Notes
    -----
    Lee, D. S. (2009), "Training, wages, and sample selection: estimating sharp bounds on
    treatment effects", Review of Economic Studies 76(3), 1071-1102. Assumes monotonicity
    (being allocated to the programme moves each person's chance of having an outcome in one
    direction only). The arm with the larger observed share is trimmed by
    (q_larger - q_smaller) / q_larger. R has no base function; the tests check against hand
    computation.

    Raises
    ------
    DataError
        An arm with no observed outcome.
    """
    x = np.asarray(treatment, float)
    y = np.asarray(control, float)
    ox, oy = x[~np.isnan(x)], y[~np.isnan(y)]
    if not len(ox) or not len(oy):
        raise DataError("Lee bounds need at least one observed outcome in each arm.")
    qt, qc = len(ox) / len(x), len(oy) / len(y)
    est = float(ox.mean() - oy.mean())
    if qt >= qc:
        p = (qt - qc) / qt
        lo = _trimmed_mean(ox, p, "top") - oy.mean()
        hi = _trimmed_mean(ox, p, "bottom") - oy.mean()
        arm = "treatment" if p > 0 else "none"
    else:
        p = (qc - qt) / qc
        lo = ox.mean() - _trimmed_mean(oy, p, "bottom")
        hi = ox.mean() - _trimmed_mean(oy, p, "top")
        arm = "control"
    return LeeBounds(float(lo), float(hi), est, arm, float(p), qt, qc)


def excluded_arm(table: pd.DataFrame, mapping: Mapping) -> tuple[int, dict]:
    """People whose arm value is neither the treatment nor the control value (blank
    included), and how many carry each such value (blank as ``"(blank)"``)."""
    is_t, is_c = _masks(table, mapping)
    out = ~(is_t | is_c)
    vals = table.loc[out, mapping.arm]
    counts = vals.astype("string").str.strip().fillna("").replace("", "(blank)").value_counts()
    return int(out.sum()), {str(k): int(v) for k, v in counts.items()}


# ---------------------------------------------------------------- power and equivalence

def _mdes_sd(n_t: float, n_c: float, cut: Cutoffs, alternative: str = "two-sided") -> float:
    from .methods.power import minimum_detectable_effect

    return minimum_detectable_effect(1.0, n_t, n_c, power=cut.power, alpha=cut.alpha,
                                     alternative=alternative)


def achieved_mdes(table: pd.DataFrame, mapping: Mapping, outcomes=None, *,
                  cutoffs: Cutoffs = Cutoffs(), alternative: str = "two-sided",
                  design_effect: float = 1.0) -> pd.DataFrame:
    """Minimum detectable effect of each outcome for the numbers analysed and the pooled SD.

    The MDES is the true difference a t-test would find significant with probability
    ``cutoffs.power`` at ``cutoffs.alpha`` (R ``power.t.test`` logic, unequal arms:
    :func:`fd_stats.methods.power.minimum_detectable_effect`). ``design_effect`` (> 1 for cluster
    designs) divides both arms' sizes.

    Returns
    -------
    DataFrame
        ``outcome, n_treatment, n_control, mean_control, pooled_sd, mdes_sd (standard
        deviations), mdes (outcome units), mdes_percent (of the control mean)``.
    """
    is_t, is_c = _masks(table, mapping)
    rows = []
    for o in list(outcomes if outcomes is not None else mapping.outcomes):
        x, y = _observed(table, mapping, o)
        nt, nc = len(x), len(y)
        if nt < 2 or nc < 2:
            rows.append({"outcome": o, "n_treatment": nt, "n_control": nc, "mean_control": np.nan,
                         "pooled_sd": np.nan, "mdes_sd": np.nan, "mdes": np.nan,
                         "mdes_percent": np.nan})
            continue
        sd = float(np.sqrt(((nt - 1) * x.var(ddof=1) + (nc - 1) * y.var(ddof=1)) / (nt + nc - 2)))
        m_sd = _mdes_sd(nt / design_effect, nc / design_effect, cutoffs, alternative)
        mc = float(y.mean())
        rows.append({"outcome": o, "n_treatment": nt, "n_control": nc, "mean_control": mc,
                     "pooled_sd": sd, "mdes_sd": m_sd, "mdes": m_sd * sd,
                     "mdes_percent": 100 * m_sd * sd / mc if mc else np.nan})
    return pd.DataFrame(rows)


def replication_sizes(cutoffs: Cutoffs = Cutoffs(), alternative: str = "two-sided") -> pd.DataFrame:
    """People per arm (1:1) for a replication whose MDES reaches each padlock cut-off
    (R ``power.t.test(delta = cut, sd = 1, power = , sig.level = )$n``, rounded up)."""
    from .methods.power import sample_size

    sides = "two-sided" if alternative == "two-sided" else "one-sided"
    rows = []
    for k, cut in zip((5, 4, 3, 2, 1), cutoffs.mdes):
        s = sample_size(cut, 1.0, power=cutoffs.power, alpha=cutoffs.alpha, alternative=sides)
        rows.append({"padlocks": k, "mdes_sd": cut, "n_per_arm": s.n_treatment_needed,
                     "n_exact": s.n_treatment})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Equivalence:
    """Two one-sided tests (TOST) of the difference in means against ±``margin``.

    ``p_lower`` tests H0: difference <= -margin (R ``t.test(x, y, alternative = "greater",
    mu = -margin)``); ``p_upper`` tests H0: difference >= margin (``alternative = "less",
    mu = margin``). ``ci_low``/``ci_high``: the (1 - 2 alpha) interval, the margins the data
    rule out at level alpha.
    """

    difference: float
    margin: float
    t_lower: float
    p_lower: float
    t_upper: float
    p_upper: float
    df: float
    ci_low: float
    ci_high: float
    alpha: float
    equal_var: bool

    @property
    def p_value(self) -> float:
        return max(self.p_lower, self.p_upper)

    @property
    def equivalent(self) -> bool:
        return bool(self.p_value < self.alpha)


def equivalence_test(treatment, control, margin: float, *, alpha: float = 0.05,
                     equal_var: bool = False) -> Equivalence:
    """TOST for a difference in means within ±``margin`` (outcome units, > 0).

    Welch by default (``equal_var=False``), as R ``t.test``. Source: Schuirmann (1987),
    J. Pharmacokinetics and Biopharmaceutics 15:657-680; Lakens (2017), Social Psychological
    and Personality Science 8:355-362.
    """
    from scipy import stats

    from ._checks import as_sample

    check_level(alpha, "alpha")
    margin = float(margin)
    if not np.isfinite(margin) or margin <= 0:
        raise DataError(f"The smallest effect of interest must be a positive number; got {margin}.")
    x, y = as_sample(treatment, "treatment"), as_sample(control, "control")
    if len(x) < 2 or len(y) < 2:
        raise DataError("The equivalence test needs at least 2 people with an outcome per arm.")
    # moments once; each one-sided test shifts the treatment mean by the margin (R's mu)
    nx, ny = len(x), len(y)
    mx, my, vx, vy = x.mean(), y.mean(), x.var(ddof=1), y.var(ddof=1)
    if equal_var:
        df = nx + ny - 2
        se = np.sqrt(((nx - 1) * vx + (ny - 1) * vy) / df * (1 / nx + 1 / ny))
    else:
        a, b = vx / nx, vy / ny
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a ** 2 / (nx - 1) + b ** 2 / (ny - 1))
    if not se > 0:
        raise DataError("The equivalence test needs some variation in the outcome.")
    d = float(mx - my)
    t_lo, t_hi = (d + margin) / se, (d - margin) / se
    q = stats.t.ppf(1 - alpha, df)
    return Equivalence(d, margin, float(t_lo), float(stats.t.sf(t_lo, df)), float(t_hi),
                       float(stats.t.cdf(t_hi, df)), float(df), float(d - q * se),
                       float(d + q * se), float(alpha), bool(equal_var))


def rule_out_sentence(low_pct: float, high_pct: float, level: float | None = None, *,
                      nonnegative: bool = False) -> str:
    """'The data rule out a reduction larger than X% and an increase larger than Y%' from the
    ends of the (1 - 2 alpha) interval in % of the control mean (each end ruled out at
    one-sided level alpha; say so beside the sentence). Limits are rounded outwards (inwards
    for 'at least') so the claim stays true."""
    def pct(v, outward=True):
        # round so the claim stays true: an outer limit up, an inner limit down
        a = abs(v)
        step = 1 if a >= 1 else 0.1
        r = (np.ceil(a / step - 1e-9) if outward else np.floor(a / step + 1e-9)) * step
        return f"{r:.0f}%" if step == 1 else f"{r:.1f}%"

    if not (np.isfinite(low_pct) and np.isfinite(high_pct)):
        return "The data cannot rule out any size of effect for this outcome."
    if nonnegative and low_pct <= -100 and high_pct >= 0:  # a count cannot fall by over 100%
        return ("The data cannot rule out any reduction, even to zero; they rule out an "
                f"increase larger than {pct(high_pct)}.")
    if high_pct < 0:  # the whole interval is a reduction
        return (f"The data rule out a reduction larger than {pct(low_pct)}, and rule out no "
                f"change or an increase: the reduction is at least {pct(high_pct, False)}.")
    if low_pct > 0:  # the whole interval is an increase
        return (f"The data rule out no change or a reduction: the increase is at least "
                f"{pct(low_pct, False)}; they rule out an increase larger than {pct(high_pct)}.")
    return (f"The data rule out a reduction larger than {pct(low_pct)} and an increase larger "
            f"than {pct(high_pct)}.")


def equivalence_table(table: pd.DataFrame, mapping: Mapping, outcomes=None, *,
                      sesoi_percent: float = 20.0, alpha: float = 0.05,
                      equal_var: bool = False) -> pd.DataFrame:
    """TOST of each outcome against ± ``sesoi_percent`` % of its control mean.

    Returns
    -------
    DataFrame
        ``outcome, mean_control, difference, margin, sesoi_percent, p_lower, p_upper,
        p_value (the larger), equivalent, ci_low, ci_high (difference, (1 - 2 alpha)
        interval), low_percent, high_percent (the same in % of the control mean), sentence``.
    """
    if not np.isfinite(sesoi_percent) or sesoi_percent <= 0:
        raise DataError(f"The smallest effect of interest must be a positive percentage; "
                        f"got {sesoi_percent}.")
    is_t, is_c = _masks(table, mapping)
    rows = []
    for o in list(outcomes if outcomes is not None else mapping.outcomes):
        v = _numeric(table, o)
        x, y = _observed(table, mapping, o)
        mc = float(y.mean()) if len(y) else np.nan
        if len(x) < 2 or len(y) < 2 or not np.isfinite(mc) or mc == 0:
            rows.append({"outcome": o, "mean_control": mc, "difference": np.nan,
                         "margin": np.nan, "sesoi_percent": sesoi_percent, "p_lower": np.nan,
                         "p_upper": np.nan, "p_value": np.nan, "equivalent": False,
                         "ci_low": np.nan, "ci_high": np.nan, "low_percent": np.nan,
                         "high_percent": np.nan,
                         "sentence": "Not estimable (too few people, or a control mean of 0)."})
            continue
        e = equivalence_test(x, y, abs(mc) * sesoi_percent / 100, alpha=alpha,
                             equal_var=equal_var)
        lo, hi = 100 * e.ci_low / abs(mc), 100 * e.ci_high / abs(mc)
        rows.append({"outcome": o, "mean_control": mc, "difference": e.difference,
                     "margin": e.margin, "sesoi_percent": sesoi_percent, "p_lower": e.p_lower,
                     "p_upper": e.p_upper, "p_value": e.p_value, "equivalent": e.equivalent,
                     "ci_low": e.ci_low, "ci_high": e.ci_high, "low_percent": lo,
                     "high_percent": hi,
                     "sentence": rule_out_sentence(lo, hi, alpha,
                                                   nonnegative=bool(np.nanmin(v) >= 0))})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the rating

@dataclass(frozen=True)
class Criterion:
    """One row of the starting rating: its value for this trial and the padlocks it allows."""

    name: str
    value: str
    number: float
    padlocks: int
    rule: str
    source: str
    confirmed: bool


@dataclass(frozen=True)
class Threat:
    """A threat to validity: 'low', 'moderate', 'high' or 'unclear' (cannot be checked)."""

    name: str
    level: str
    value: str
    rule: str
    source: str
    confirmed: bool
    brief: str = ""
    short: str = ""

    def counts_as(self, cut: Cutoffs) -> str:
        if self.level == "unclear":
            return "moderate" if cut.unclear_is_moderate else "low"
        return self.level


@dataclass(frozen=True)
class Rating:
    """The padlocks, how they were reached, and what would raise them."""

    padlocks: int
    label: str
    initial: int
    drop: int
    criteria: tuple[Criterion, ...]
    threats: tuple[Threat, ...]
    drop_rule: str
    reasons: tuple[str, ...]
    raise_it: tuple[str, ...]
    facts: tuple[str, ...] = ()
    source: str = EEF_SOURCE

    @property
    def headline(self) -> str:
        return f"{self.padlocks} of 5 padlocks: {self.label}"

    @property
    def sentence(self) -> str:
        """One sentence a board member can repeat."""
        why = "; ".join(f[:1].lower() + f[1:] for f in self.facts[:3])
        return (f"Evidence strength {self.padlocks} of 5 padlocks ({self.label}) on rules "
                f"modelled on the EEF security rating, mainly because: {why}.")

    def to_frame(self) -> pd.DataFrame:
        """Every criterion and threat with its value, result, rule and source."""
        rows = [{"part": "starting rating", "check": c.name, "value": c.value,
                 "result": f"{c.padlocks} padlock{'' if c.padlocks == 1 else 's'}",
                 "rule": c.rule, "source": c.source,
                 "confirmed": c.confirmed} for c in self.criteria]
        rows += [{"part": "threat", "check": t.name, "value": t.value, "result": t.level,
                  "rule": t.rule, "source": t.source, "confirmed": t.confirmed}
                 for t in self.threats]
        return pd.DataFrame(rows)


def _padlocks_for(value: float, cuts) -> int:
    for k, cut in zip((5, 4, 3, 2, 1), cuts):
        if value <= cut + 1e-12:
            return k
    return 0


def _band_rule(cuts, unit: str, fmt) -> str:
    parts = [f"{k}: up to {fmt(c)}{unit}" for k, c in zip((5, 4, 3, 2, 1), cuts)]
    return "; ".join(parts) + f"; 0: above {fmt(cuts[-1])}{unit}"


def threat_drop(n_high: int, n_moderate: int) -> int:
    """Padlocks lost to threats (Oxford Education Deanery's statement of the EEF rule; the
    cases it does not name, five or more moderate threats or one high and one moderate,
    are this project's reading: 2 and 1)."""
    if n_high >= 2 or (n_high == 1 and n_moderate >= 2) or n_moderate >= 5:
        return 2
    if n_high == 1 or n_moderate >= 3:
        return 1
    return 0


DROP_RULE = ("Threats can only lower the rating, by at most 2 padlocks: none for up to two "
             "moderate threats; 1 for three or four moderate threats, or one high threat; 2 for "
             "one high and two moderate threats, or two or more high threats (five or more "
             "moderate: 2, this project's reading). Directions of bias are taken as unknown.")


def _n_words(n_t, n_c):
    return f"{n_t} people offered the programme and {n_c} not"


def security_rating(*, facts: TrialFacts, allocation: pd.DataFrame, balance: pd.DataFrame,
                    attrition: pd.DataFrame, excluded: int, n_rows: int,
                    mdes_sd: float, n_treatment: int, n_control: int,
                    cutoffs: Cutoffs = Cutoffs(), labels: dict | None = None) -> Rating:
    """Padlocks (0-5) from design, MDES and attrition, lowered for threats to validity.

    Parameters
    ----------
    facts : TrialFacts
    allocation, balance, attrition : the tables from :func:`allocation_check`,
        :func:`baseline_balance` and :func:`attrition_table`.
    excluded, n_rows : people left out for an unrecognised arm, and all rows.
    mdes_sd : MDES in standard deviations for the numbers randomised.
    n_treatment, n_control : people randomised to each arm.
    cutoffs : Cutoffs (sources in :data:`CUTOFF_SOURCES`).
    labels : outcome column -> label, for the wording.

    Returns
    -------
    Rating

    Notes
    -----
    Modelled on EEF (2019) "Classifying the security of EEF findings": the starting rating is
    the lowest of the design, MDES and attrition ratings; threats to validity can lower it by
    up to two padlocks. This is a transparent approximation for a dashboard, not an EEF
    rating (which two peer reviewers award after reading the whole report).
    """
    cut = cutoffs.check()
    labels = labels or {}
    src = CUTOFF_SOURCES
    # ---- starting criteria
    d_pad, d_text = DESIGNS.get(facts.design, DESIGNS["randomised"])
    design_value = d_text + (f" ({facts.design_type} randomisation)"
                             if facts.design == "randomised" else "")
    crit = [Criterion("Design", design_value, float(d_pad), d_pad,
                      "; ".join(f"{p}: {t}" for p, t in DESIGNS.values()),
                      src["design"][0], src["design"][1])]
    m_pad = _padlocks_for(mdes_sd, cut.mdes) if np.isfinite(mdes_sd) else 0
    crit.append(Criterion(
        "Minimum detectable effect size (MDES)",
        f"{mdes_sd:.2f} standard deviations with {_n_words(n_treatment, n_control)} "
        f"(power {cut.power:.0%}, two-sided alpha {cut.alpha:g})",
        float(mdes_sd), m_pad, _band_rule(cut.mdes, " SD", lambda v: f"{v:g}"),
        src["mdes"][0], src["mdes"][1]))
    if len(attrition):
        if facts.primary and facts.primary in set(attrition["outcome"]):
            a_row = attrition.set_index("outcome").loc[facts.primary]
            a_name, which = facts.primary, "the primary outcome"
        else:
            a_row = attrition.sort_values("overall", ascending=False).iloc[0]
            a_name, which = a_row["outcome"], "the outcome with the most missing values"
        a_val = float(a_row["overall"])
        a_text = (f"{a_val:.0%} of people allocated have no value for "
                  f"{labels.get(a_name, a_name)}, {which}")
        if a_val == 0:
            a_text = "no outcome is missing for anyone allocated (0%)"
    else:
        a_val, a_text = np.nan, "no outcome to measure attrition on"
    a_pad = _padlocks_for(a_val, cut.attrition) if np.isfinite(a_val) else 0
    crit.append(Criterion("Attrition (missing outcomes)", a_text, a_val, a_pad,
                          _band_rule(cut.attrition, "", lambda v: f"{v:.0%}"),
                          src["attrition"][0], src["attrition"][1]))
    initial = min(c.padlocks for c in crit)

    # ---- threats
    threats = []
    al = allocation.iloc[0] if len(allocation) else None
    if al is None:
        threats.append(Threat("Allocation as planned", "unclear", "no allocation data",
                              "", src["allocation"][0], False, "No allocation data"))
    else:
        ratio_txt = f"{al['planned_share']:.0%} treated"
        split = f"{int(al['n_treatment'])} of {int(al['n'])} allocated to the programme"
        if not bool(al["ratio_recorded"]):
            lvl = "unclear"
            val = (f"{split}; the planned ratio is not recorded, so the split cannot be checked "
                   f"(against 1:1 the exact binomial p would be {al['p_value']:.2g})")
            brief = (f"The planned split between the arms is not recorded, so "
                     f"{int(al['n_treatment'])} v {int(al['n_control'])} cannot be checked "
                     "against it")
        else:
            p = float(al["p_value"])
            lvl = ("high" if p < cut.allocation_p_high else
                   "moderate" if p < cut.allocation_p_moderate else "low")
            val = f"{split} against a planned {ratio_txt}: exact binomial p = {p:.2g} (two-sided)"
            brief = (f"The split ({int(al['n_treatment'])} v {int(al['n_control'])}) "
                     + ("matches" if lvl == "low" else "is unlikely under")
                     + f" the planned ratio (exact binomial p = {p:.2g})")
        threats.append(Threat("Allocation as planned", lvl, val,
                              f"moderate if p < {cut.allocation_p_moderate:g}, high if p < "
                              f"{cut.allocation_p_high:g}", src["allocation"][0], False, brief,
                              "Planned split between arms not recorded" if lvl == "unclear"
                              else f"Split {int(al['n_treatment'])} v {int(al['n_control'])}: "
                              + ("as planned" if lvl == "low" else "unlikely under the plan")))
    bal = balance[~balance["stratum"]] if len(balance) else balance
    bal = bal[np.isfinite(bal["smd"].astype(float))] if len(bal) else bal
    if not len(bal):
        lvl, val = "unclear", "no baseline measures recorded besides strata, so balance cannot be shown"
        brief = "No baseline measures are recorded, so balance between the arms cannot be shown"
    else:
        i = bal["smd"].abs().astype(float).idxmax()
        worst = bal.loc[i]
        a = round(abs(float(worst["smd"])), 12)
        lvl = "high" if a > cut.smd_large else "moderate" if a >= cut.smd_moderate else "low"
        vt, vc = float(worst["value_treatment"]), float(worst["value_control"])
        name = str(worst["column"]).replace("_", " ")
        if worst["kind"] == "share":
            what = f"{name} {worst['level']}: {vt:.0%} with the programme vs {vc:.0%} without"
        else:
            what = f"{name}: mean {vt:.3g} with the programme vs {vc:.3g} without"
        flagged = bal.loc[bal["smd"].abs() >= cut.smd_moderate, "column"].nunique()
        val = (f"the arms differ most in {what} (SMD {float(worst['smd']):+.2f}); "
               f"{flagged} of {bal['column'].nunique()} baseline columns differ by "
               f"{cut.smd_moderate:g} or more")
        short_what = (f"{name} {worst['level']}: {vt:.0%} v {vc:.0%}" if worst["kind"] == "share"
                      else f"{name}, SMD {float(worst['smd']):+.2f}")
        brief = ((f"Before the programme the arms differed in {what} "
                  f"(SMD {float(worst['smd']):+.2f})") if lvl != "low" else
                 f"The arms were similar at baseline (largest SMD {float(worst['smd']):+.2f})")
    threats.append(Threat("Baseline balance", lvl, val,
                          f"moderate if the largest |SMD| >= {cut.smd_moderate:g}, high if > "
                          f"{cut.smd_large:g}", src["smd"][0], src["smd"][1], brief,
                          "No baseline measures to check balance" if lvl == "unclear" else
                          "Arms alike at baseline" if lvl == "low" else
                          f"Arms differed at baseline ({short_what})"))
    if len(attrition):
        j = attrition["differential"].abs().astype(float).idxmax()
        dr = attrition.loc[j]
        dv = abs(float(dr["differential"]))
        dv = round(dv, 12)  # 30/200 - 10/200 is 0.0999...: compare shares as printed
        lvl = ("high" if dv >= cut.differential_high else
               "moderate" if dv >= cut.differential_moderate else "low")
        val = (f"largest gap: {labels.get(dr['outcome'], dr['outcome'])}, "
               f"{dr['share_missing_treatment']:.0%} missing with the programme vs "
               f"{dr['share_missing_control']:.0%} without")
        brief = (f"Outcomes are missing for {dr['share_missing_treatment']:.0%} with the "
                 f"programme vs {dr['share_missing_control']:.0%} without")
    else:
        lvl, val, brief = "unclear", "no outcomes", "No outcomes"
    threats.append(Threat("Differential missing outcomes", lvl, val,
                          f"moderate from {cut.differential_moderate:.0%} points, high from "
                          f"{cut.differential_high:.0%} points", src["differential"][0], False,
                          brief, brief.replace("Outcomes are missing for", "Missing outcomes:")))
    share_x = excluded / n_rows if n_rows else 0.0
    lvl = "low" if excluded == 0 else "high" if share_x >= cut.excluded_high else "moderate"
    threats.append(Threat("People left out (unrecognised arm)", lvl,
                          f"{excluded} of {n_rows} rows ({share_x:.1%})",
                          f"moderate if any, high from {cut.excluded_high:.0%}",
                          src["excluded"][0], False,
                          f"{excluded} row{'s' * (excluded != 1)} left out because the arm "
                          "value is not recognised",
                          f"{excluded} row{'s' * (excluded != 1)} with an unrecognised arm"))
    pre = [facts.outcomes_prespecified, facts.subgroups_prespecified if facts.subgroups else True]
    if any(v is False for v in pre):
        lvl = "moderate"
    elif any(v is None for v in pre):
        lvl = "unclear"
    else:
        lvl = "low"
    words = {True: "pre-specified", False: "not pre-specified", None: "not recorded"}
    val = f"outcomes: {words[facts.outcomes_prespecified]}" + (
        f"; subgroups: {words[facts.subgroups_prespecified]}" if facts.subgroups else "")
    brief = ("Outcomes " + words[facts.outcomes_prespecified].replace("not recorded",
                                                                    "not recorded as pre-specified")
             + (f"; subgroups {words[facts.subgroups_prespecified]}" if facts.subgroups else ""))
    threats.append(Threat("Pre-specification (selective reporting)", lvl, val,
                          "moderate if outcomes or subgroups were not pre-specified; unclear if "
                          "not recorded", src["prespecified"][0], False, brief,
                          "Outcomes and subgroups pre-specified" if lvl == "low" else
                          "Subgroups not pre-specified (exploratory)"
                          if facts.subgroups and facts.subgroups_prespecified is False else
                          "Outcomes not pre-specified" if facts.outcomes_prespecified is False
                          else "Pre-specification not recorded"))
    counted = [t.counts_as(cut) for t in threats]
    drop = threat_drop(counted.count("high"), counted.count("moderate"))
    final = max(0, initial - drop)
    reasons, raise_it, short = _reasons(crit, threats, cut, n_treatment, n_control)
    return Rating(final, PADLOCK_LABELS[final], initial, drop, tuple(crit), tuple(threats),
                  DROP_RULE, tuple(reasons), tuple(raise_it), tuple(short))


def _reasons(crit, threats, cut, n_t, n_c):
    """Sentences (weakest first), short facts for small panels, and what would help."""
    reasons, raise_it, facts = [], [], []
    mdes = crit[1]
    for c in sorted(crit, key=lambda c: c.padlocks):
        if c.padlocks >= 5:
            continue
        if c is mdes:
            reasons.append(f"With {n_t} and {n_c} people, only effects of about "
                           f"{c.number:.2f} standard deviations or more could be detected "
                           f"reliably ({c.padlocks} padlock{'s' if c.padlocks != 1 else ''} "
                           f"on size; 5 needs {cut.mdes[0]:g} or less)")
            facts.append(f"Small trial ({n_t} v {n_c}): only large effects ({c.number:.2f} SD "
                         "or more) reliably detectable")
            reps = replication_sizes(cut)
            nxt = reps[reps["padlocks"] > c.padlocks].sort_values("padlocks")
            if len(nxt):
                first = nxt.iloc[0]
                best = reps.iloc[0]
                raise_it.append(
                    f"A replication with {int(first['n_per_arm'])} people per arm (1:1) would "
                    f"reach an MDES of {first['mdes_sd']:g} SD ({int(first['padlocks'])} "
                    f"padlocks on size); {int(best['n_per_arm'])} per arm would reach "
                    f"{best['mdes_sd']:g} SD (5 padlocks).")
        elif c.name.startswith("Attrition"):
            reasons.append(f"{c.value[:1].upper() + c.value[1:]} ({c.padlocks} padlocks on "
                           "attrition)")
            facts.append(f"{c.number:.0%} of outcomes missing")
            raise_it.append("Follow up everyone allocated, so fewer outcomes are missing.")
        else:
            reasons.append(f"The design is '{c.value}' ({c.padlocks} padlocks on design)")
            facts.append("Not randomised")
    order = {"high": 0, "moderate": 1, "unclear": 2, "low": 3}
    fixes = {
        "Allocation as planned": "Record the planned allocation ratio (and strata) in the trial "
                                 "specification, so the split can be checked.",
        "Baseline balance": "Record baseline measures (such as prior offending) for everyone "
                            "randomised, and adjust for or analyse within any that differ.",
        "Differential missing outcomes": "Find out why outcomes are missing more in one arm.",
        "People left out (unrecognised arm)": "Correct the arm values of the rows left out.",
        "Pre-specification (selective reporting)": "Publish the outcomes and subgroups before "
                                                   "the data are seen (a registered protocol).",
    }
    for t in sorted(threats, key=lambda t: order[t.level]):
        if t.level == "low":
            continue
        tag = "cannot be checked" if t.level == "unclear" else f"{t.level} threat"
        reasons.append(f"{t.brief or t.value} ({tag})")
        facts.append(t.short or t.name)
        raise_it.append(fixes.get(t.name, ""))
    for c in crit:  # strengths, after the weaknesses
        if c.padlocks >= 5:
            reasons.append(f"{c.name}: {c.value} ({c.padlocks} padlocks)".replace(
                "Attrition (missing outcomes): no", "No"))
            facts.append("Randomised" if c.name == "Design" else
                         "No outcomes missing" if c.number == 0 else
                         f"Only {c.number:.0%} of outcomes missing" if c.name.startswith("Attr")
                         else c.name)
    return reasons, [r for r in dict.fromkeys(raise_it) if r], facts


# ---------------------------------------------------------------- everything at once

@dataclass
class IntegrityReport:
    """Every check and the rating for one trial."""

    facts: TrialFacts
    cutoffs: Cutoffs
    allocation: pd.DataFrame
    balance: pd.DataFrame
    attrition: pd.DataFrame
    lee: pd.DataFrame
    excluded: int
    excluded_values: dict
    mdes: pd.DataFrame
    mdes_randomised: float
    equivalence: pd.DataFrame
    n_outcomes: int
    rating: Rating
    n_treatment: int
    n_control: int
    notes: list = field(default_factory=list)

    @property
    def chance_any_false_positive(self) -> float:
        """1 - (1 - alpha)^k: chance of at least one 'significant' outcome with no effect,
        taking the k outcomes as independent and uncorrected."""
        return 1 - (1 - self.cutoffs.alpha) ** self.n_outcomes

    def checks_text(self) -> list[str]:
        """The checks in one line each (for the methods slide)."""
        c = self.cutoffs
        return [
            "Integrity checks: the split between arms against the planned ratio (exact binomial "
            "test, overall and per stratum); baseline balance by arm as standardised mean "
            f"differences (flags at {c.smd_moderate:g} and {c.smd_large:g}); missing outcomes "
            "per arm with Lee (2009) bounds; people left out for an unrecognised arm; the "
            f"achieved minimum detectable effect (power {c.power:.0%}, alpha {c.alpha:g}); "
            "equivalence by two one-sided tests against a smallest effect of interest.",
            f"Evidence rating: {self.rating.headline}, on rules modelled on {EEF_SOURCE}; "
            "cut-offs that could not be confirmed against the published table are marked on "
            "the 'How sure' page.",
        ]


def integrity_report(table: pd.DataFrame, mapping: Mapping, *, facts: TrialFacts = TrialFacts(),
                     cutoffs: Cutoffs = Cutoffs(), sesoi_percent: float = 20.0,
                     outcomes=None, labels: dict | None = None) -> IntegrityReport:
    """Run every check and the rating (see the module docstring).

    Raises
    ------
    DataError
        Bad arm column or values, missing columns, bad cut-offs.
    """
    token = _MEMO.set({})
    try:
        return _integrity_report(table, mapping, facts, cutoffs, sesoi_percent, outcomes, labels)
    finally:
        _MEMO.reset(token)


def _integrity_report(table, mapping, facts, cutoffs, sesoi_percent, outcomes, labels):
    cut = cutoffs.check()
    outcomes = list(outcomes if outcomes is not None else mapping.outcomes)
    if not outcomes:
        raise DataError("No outcomes to check: choose at least one outcome.")
    labels = labels or dict(mapping.labels)
    is_t, is_c = _masks(table, mapping)
    n_t, n_c = int(is_t.sum()), int(is_c.sum())
    if not n_t or not n_c:
        raise DataError(f"Column {mapping.arm!r} needs both {mapping.treatment!r} and "
                        f"{mapping.control!r} rows.")
    notes = []
    strata = tuple(s for s in facts.strata if s in table.columns)
    if len(strata) < len(facts.strata):
        notes.append("Stratum column(s) not in the data: "
                     + ", ".join(s for s in facts.strata if s not in table.columns) + ".")
    alloc = allocation_check(table, mapping, allocation_ratio=facts.allocation_ratio,
                             strata=strata)
    base_cols = [c for c in facts.baseline_columns if c in table.columns]
    missing_cols = [c for c in facts.baseline_columns if c not in table.columns]
    if missing_cols:
        notes.append("Baseline column(s) not in the data: " + ", ".join(missing_cols) + ".")
    parts = []
    for col in base_cols:  # one unusable column is noted, not fatal
        try:
            parts.append(baseline_balance(table, mapping, [col], strata=strata, cutoffs=cut))
        except DataError as exc:
            notes.append(f"Baseline column {col!r} left out of the balance table: {exc}")
    balance = (pd.concat(parts, ignore_index=True) if parts else
               baseline_balance(table, mapping, [], cutoffs=cut))
    attr = attrition_table(table, mapping, outcomes)
    lee_rows = []
    for o in outcomes:
        try:
            b = lee_bounds(*_arms(table, mapping, o))
        except DataError:
            continue
        lee_rows.append({"outcome": o, "estimate": b.estimate, "lower": b.lower,
                         "upper": b.upper, "trimmed_arm": b.trimmed_arm,
                         "trim_share": b.trim_share})
    lee = pd.DataFrame(lee_rows, columns=["outcome", "estimate", "lower", "upper",
                                          "trimmed_arm", "trim_share"])
    n_x, x_vals = excluded_arm(table, mapping)
    deff, n_units = 1.0, (n_t, n_c)
    if facts.design_type == "cluster" and facts.cluster and facts.cluster in table.columns:
        cl = table[facts.cluster]
        k_t, k_c = int(cl[is_t].nunique()), int(cl[is_c].nunique())
        if facts.icc is None:
            n_units = (k_t, k_c)  # clusters as the units: the most cautious choice
            notes.append(f"Cluster design: the MDES treats the {k_t} + {k_c} clusters as the "
                         "units (no intra-cluster correlation given).")
        else:
            mbar = (n_t + n_c) / max(k_t + k_c, 1)
            deff = 1 + (mbar - 1) * float(facts.icc)
            n_units = (n_t / deff, n_c / deff)
    mdes_r = _mdes_sd(n_units[0], n_units[1], cut)
    mdes = achieved_mdes(table, mapping, outcomes, cutoffs=cut, design_effect=deff)
    eq = equivalence_table(table, mapping, outcomes, sesoi_percent=sesoi_percent, alpha=cut.alpha)
    rating = security_rating(facts=facts, allocation=alloc, balance=balance, attrition=attr,
                             excluded=n_x, n_rows=len(table), mdes_sd=mdes_r,
                             n_treatment=n_t, n_control=n_c, cutoffs=cut, labels=labels)
    return IntegrityReport(facts, cut, alloc, balance, attr, lee, n_x, x_vals, mdes, mdes_r, eq,
                           len(outcomes), rating, n_t, n_c, notes)
