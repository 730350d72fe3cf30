"""The one entry point: person-level table + column mapping + settings -> tidy results.

The app's pages, the exports and the command line all call :func:`analyse`,
so every number shown anywhere has this one source.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from ._checks import as_sample, check_alternative, check_level
from .methods.effects import (hedges_g_moments, percent_change_bootstrap, percent_change_bootstrap_many,
                      percent_change_moments)
from .methods.bayes import PRIORS, add_probability_of_benefit
from .errors import DataError
from .data.io import rows_text
from .methods.registry import (FREQUENCY_WEIGHTED, LEGACY, METHODS, MethodEffect, run_method,
                               unsuited, worded_for_kind)
from .methods.multiplicity import CORRECTIONS, adjust_pvalues
from .methods.permutation import bootstrap_means_many, permutation_test, permutation_test_many
from .methods.rank import arm_value_counts, mann_whitney, mann_whitney_counts
from .methods.ttest import Moments, student_t, t_test_moments, welch_t

ALL = "All"
#: The four two-sample tests by name (the registry's LEGACY methods, computed in batches here).
TESTS = {
    "welch": welch_t,
    "student": student_t,
    "mann-whitney": mann_whitney,
    "permutation": permutation_test,
}
#: Every method of the registry (fd_stats.methods.registry), short names for menus and captions.
TEST_LABELS = {
    "welch": "Welch t-test",
    "student": "Student t-test",
    "mann-whitney": "Mann-Whitney U",
    "permutation": "Permutation test",
    "poisson": "Poisson rate ratio (robust SE)",
    "negative-binomial": "Negative-binomial rate ratio",
    "lin": "Adjusted difference (Lin)",
    "blocked": "Blocked difference (strata)",
    "prevalence": "Prevalence: risk difference",
    "prevalence-ratio": "Prevalence: risk ratio",
}
METHOD_LABELS = TEST_LABELS
SIDEDNESS = {"two-sided": "two-sided", "less": "one-sided (treatment lower)",
             "greater": "one-sided (treatment higher)"}

RESULT_COLUMNS = [
    "outcome", "label", "subgroup_column", "subgroup", "test", "alternative",
    "confidence_level", "n_treatment", "n_control", "n_missing", "mean_treatment",
    "mean_control", "sd_treatment", "sd_control", "difference", "estimate", "estimate_label",
    "ci_low", "ci_high", "percent_change", "percent_change_ci_low", "percent_change_ci_high",
    "percent_change_method", "statistic", "df", "p_value", "p_adjusted", "correction", "alpha",
    "significant", "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high", "any_treatment",
    "any_control", "n_resamples", "mc_error", "method", "note", "scale", "std_error", "primary",
    "prob_benefit", "prob_benefit_min", "benefit_min_change", "benefit_method",
]

#: Tests that ``Settings.extra_tests`` can add next to the main test, and the
#: columns each adds after ``RESULT_COLUMNS`` (p-values are unadjusted).
EXTRA_TEST_COLUMNS = {
    "welch": ["p_welch"],
    "student": ["p_student"],
    "mann-whitney": ["p_mann_whitney", "hodges_lehmann", "hodges_lehmann_ci_low",
                     "hodges_lehmann_ci_high", "note_mann_whitney"],
    "permutation": ["p_permutation", "mc_error_permutation", "n_resamples_permutation",
                    "method_permutation"],
    "bootstrap": ["percent_change_boot_ci_low", "percent_change_boot_ci_high",
                  "percent_change_boot_method"],
}
#: The full analysis: Welch, Mann-Whitney, permutation test and bootstrap interval for every row.
FULL_ANALYSIS = ("welch", "mann-whitney", "permutation", "bootstrap")
DEFAULT_BOOTSTRAP = 2000


@dataclass(frozen=True)
class Mapping:
    """Which columns hold what.

    ``outcomes`` empty means every numeric column that is not the arm,
    person id, subgroup, engagement, covariate, stratum or baseline column.
    ``labels`` pairs outcome columns with display labels. ``covariates`` are
    pre-randomisation columns the adjusted methods use (missing values are
    mean-filled with an indicator); ``strata`` the randomisation strata
    (several columns are crossed); ``baselines`` pairs an outcome column with
    its baseline column (count models take log(1 + baseline), Lin's estimator
    the baseline itself). Methods that do not adjust ignore all three.
    ``directions`` pairs an outcome column with its better direction ("lower",
    "higher", "neither" or None = not chosen); the probability of benefit is
    given only for outcomes whose direction is "lower" or "higher".
    ``kinds`` pairs an outcome column with its kind (count, binary, continuous, score);
    registry methods not sound for an outcome's kind are not run on it
    (:func:`fd_stats.methods.registry.unsuited` says why). Outcomes without a kind get every
    method asked for.
    """

    arm: str = "arm"
    treatment: str = "treatment"
    control: str = "control"
    outcomes: tuple[str, ...] = ()
    subgroup: str | None = None
    person_id: str | None = None
    engagement: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    covariates: tuple[str, ...] = ()
    strata: tuple[str, ...] = ()
    baselines: tuple[tuple[str, str], ...] = ()
    directions: tuple[tuple[str, str | None], ...] = ()
    kinds: tuple[tuple[str, str], ...] = ()

    def kind(self, outcome: str) -> str | None:
        return dict(self.kinds).get(outcome)

    def label(self, outcome: str) -> str:
        return dict(self.labels).get(outcome, outcome)

    def baseline(self, outcome: str) -> str | None:
        return dict(self.baselines).get(outcome)

    def direction(self, outcome: str) -> str | None:
        return dict(self.directions).get(outcome)

    def design_columns(self) -> list[str]:
        """Covariate, stratum and baseline columns, each once."""
        return list(dict.fromkeys([*self.covariates, *self.strata,
                                   *(b for _, b in self.baselines)]))


@dataclass(frozen=True)
class Settings:
    """Analysis choices. ``bootstrap`` > 0 replaces the Fieller interval for the
    percentage change with a seeded percentile bootstrap of that many resamples.

    ``test`` is the primary method: any key of ``fd_stats.methods.registry.METHODS``
    (``welch``, ``poisson``, ``lin``...). ``methods`` adds rows for other
    methods (``primary`` False) after the primary rows.

    ``benefit_prior`` ("flat" or "sceptical") and ``benefit_min_change`` (a share of
    the control level, 0.1 = a 10% change) set the Bayesian probability of benefit
    (:func:`fd_stats.methods.bayes.probability_of_benefit`).

    ``extra_tests`` adds other tests as extra columns next to the main one (the
    permutation test re-randomises within ``Mapping.strata`` when there are any)
    (see ``EXTRA_TEST_COLUMNS``; ``FULL_ANALYSIS`` asks for all of them); the
    ``RESULT_COLUMNS`` are unchanged. ``"bootstrap"`` uses ``bootstrap``
    resamples, or 2,000 when ``bootstrap`` is 0.
    """

    test: str = "welch"
    alternative: str = "two-sided"
    alpha: float = 0.05
    correction: str = "none"
    confidence_level: float = 0.95
    permutations: int = 10_000
    bootstrap: int = 0
    seed: int = 12345
    extra_tests: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    benefit_prior: str = "flat"
    benefit_min_change: float = 0.10

    def check(self) -> "Settings":
        if self.test not in METHODS:
            raise DataError(f"test (method) must be one of {', '.join(METHODS)}; "
                            f"got {self.test!r}.")
        methods = (self.methods,) if isinstance(self.methods, str) else tuple(self.methods)
        bad = [m for m in methods if m not in METHODS]
        if bad:
            raise DataError(f"methods must be among {', '.join(METHODS)}; "
                            f"got {', '.join(map(repr, bad))}.")
        methods = tuple(m for m in dict.fromkeys(methods) if m != self.test)
        if methods != self.methods:
            return replace(self, methods=methods).check()
        check_alternative(self.alternative)
        check_level(self.alpha, "alpha")
        check_level(self.confidence_level, "confidence level")
        if self.correction not in CORRECTIONS:
            raise DataError(f"correction must be one of {', '.join(CORRECTIONS)}; "
                            f"got {self.correction!r}.")
        if self.benefit_prior not in PRIORS:
            raise DataError(f"benefit_prior must be one of {', '.join(PRIORS)}; "
                            f"got {self.benefit_prior!r}.")
        if not 0 <= self.benefit_min_change < 1:
            raise DataError("benefit_min_change (the smallest change that matters) must be a "
                            f"share from 0 to below 1; got {self.benefit_min_change!r}.")
        if int(self.permutations) < 1 or int(self.bootstrap) < 0:
            raise DataError("permutations must be at least 1 and bootstrap at least 0.")
        extra = (self.extra_tests,) if isinstance(self.extra_tests, str) else self.extra_tests
        extra = tuple(dict.fromkeys(extra))
        unknown = [t for t in extra if t not in EXTRA_TEST_COLUMNS]
        if unknown:
            raise DataError(f"extra tests must be among {', '.join(EXTRA_TEST_COLUMNS)}; "
                            f"got {', '.join(map(repr, unknown))}.")
        if extra != self.extra_tests:
            return replace(self, extra_tests=extra)
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
    outcomes: dict[str, np.ndarray]  # float, or integer for whole-number columns
    subgroup: pd.Series | None
    n_excluded_arm: int
    excluded_arm_values: list = field(default_factory=list)
    design: pd.DataFrame | None = None  # covariate, stratum and baseline columns (kept rows)


def arm_flags(arm: pd.Series, treatment, control):
    """Treatment, control and blank-arm masks, and people per (normalised) arm value.

    Each distinct value is normalised once (case, spaces, 1 vs 1.0), not once per person.
    """
    codes, uniques = pd.factorize(arm)
    norm = [_norm_label(u) for u in uniques]
    t_key, c_key = _norm_label(treatment), _norm_label(control)

    def having(key, missing=False):  # a lookup per distinct value (np.isin: ~15 ms per 1M)
        return np.array([k == key for k in norm] + [missing], bool)[codes]  # code -1: missing

    is_t, is_c, is_blank = having(t_key), having(c_key), having("", missing=True)
    per_value = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts: dict[str, int] = {}
    for k, c in zip(norm, per_value):
        counts[k] = counts.get(k, 0) + int(c)
    counts.pop("", None)
    return is_t, is_c, is_blank, dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def numeric_outcome_columns(data: pd.DataFrame, mapping: Mapping) -> list[str]:
    """Columns to analyse when none are named: numeric ones, and text columns that are
    numbers apart from a few bad cells (so the bad cells are reported, not the column
    silently dropped)."""
    keys = {mapping.arm, mapping.subgroup, mapping.person_id, mapping.engagement,
            *mapping.design_columns()}
    out = []
    for c in data.columns:
        s = data[c]
        if c in keys or pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            out.append(c)
        elif s.notna().sum() >= 4:
            # judge on the distinct values (a sample of 1,000): ids and labels are rejected
            # without converting a million strings
            values = (pd.Series(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype)
                      else s.dropna().drop_duplicates().head(1000))
            if pd.to_numeric(values, errors="coerce").notna().mean() >= 0.8:
                out.append(c)
    return out


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
    is_t, is_c, _, _ = arm_flags(data[mapping.arm], mapping.treatment, mapping.control)
    keep = is_t | is_c
    for key, label in ((is_t, mapping.treatment), (is_c, mapping.control)):
        if not key.any():
            seen = sorted({str(v) for v in data[mapping.arm].dropna().unique()})[:10]
            raise DataError(f"No rows have {label!r} in column {mapping.arm!r}. "
                            f"Values found: {', '.join(seen) or 'none'}.")
    all_kept = bool(keep.all())
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
        v = s.to_numpy()
        if v.dtype.kind not in "iu":  # whole-number columns stay integers (no copy)
            v = s.to_numpy(dtype=float)
            if np.isinf(v).any():
                bad = np.flatnonzero(np.isinf(v))
                raise DataError(f"Column {col!r} has infinite values in rows {rows_text(bad)}. "
                                "Correct them or leave them empty.")
        values[col] = v if all_kept else v[keep]
    sub = None
    if mapping.subgroup:
        if mapping.subgroup not in data.columns:
            raise DataError(f"There is no subgroup column named {mapping.subgroup!r}.")
        sub = data.loc[keep, mapping.subgroup].reset_index(drop=True)
    design = None
    if mapping.design_columns():
        absent = [c for c in mapping.design_columns() if c not in data.columns]
        if absent:
            raise DataError("Covariate, stratum or baseline column(s) not found: "
                            + ", ".join(map(repr, absent)) + ".")
        design = data.loc[keep, mapping.design_columns()].reset_index(drop=True)
    excluded = data.loc[~keep, mapping.arm]
    return Prepared(is_t[keep], values, sub, int((~keep).sum()),
                    sorted({str(v) for v in excluded.dropna().unique()})[:10], design)


def _level_codes(sub: pd.Series):
    """Subgroup level names in sorted order and each person's level index (-1 if missing).

    The column is factorised once, so splitting by level costs integer work
    rather than comparisons of every value.
    """
    codes, uniques = pd.factorize(sub)
    uniq = list(uniques)
    try:
        order = sorted(range(len(uniq)), key=lambda i: uniq[i])
        names = [str(uniq[i]) for i in order]
    except TypeError:  # mixed types: sort and group by their text
        texts = [str(u) for u in uniq]
        names = sorted(set(texts))
        order = [names.index(t) for t in texts]
        lookup = np.array(order, dtype=np.int64)
        return names, np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1)
    if not uniq:  # every value missing: no levels
        return [], codes
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return names, np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)


def _levels(sub: pd.Series | None):
    """("All", None), then (level text, boolean mask) per subgroup level in sorted order."""
    yield ALL, None
    if sub is None:
        return
    names, codes = _level_codes(sub)
    for i, level in enumerate(names):
        yield level, codes == i


#: Whole-number outcomes from 0 up to this are split by counting each value (see _Split).
COUNTED_MAX = 1 << 16


def counted(v: np.ndarray) -> int | None:
    """The largest value if ``v`` holds whole numbers from 0 to below COUNTED_MAX, else None."""
    if v.dtype.kind not in "iu" or not len(v):
        return None
    lo, hi = int(v.min()), int(v.max())
    return hi if lo >= 0 and hi < COUNTED_MAX else None


class _Split:
    """Each outcome's values split by subgroup level and arm.

    People get a group key (level, arm); people with no subgroup value have
    a level of their own, so they count in "All" only. Two ways to split, the
    same values either way:

    * counting (``by_counting=True``, small whole-number outcomes such as
      crime counts, when a count per value and group costs less than the
      people): one count of each value per group, and each group's values
      rebuilt in ascending order (the same values as in file order, so sums
      agree to rounding). No copy of the column is reordered, which on a
      million people is most of the time and memory saved.
    * reordering: people are sorted once by group with a stable sort, so
      every group is a contiguous slice, in file order, of one reordered copy
      per outcome ("All" keeps file order). Resampling (permutation,
      bootstrap) uses this, so its seeded draws do not depend on the column's
      type.
    """

    def __init__(self, prep: Prepared, by_counting: bool = True):
        self.prep = prep
        self.is_t = prep.is_treatment
        self.is_c = ~prep.is_treatment
        self.missing = {o: (np.isnan(v) if v.dtype.kind == "f" else None)
                        for o, v in prep.outcomes.items()}
        self.any_missing = {o: m is not None and bool(m.any()) for o, m in self.missing.items()}
        self.names, self.codes = ([], None) if prep.subgroup is None else _level_codes(prep.subgroup)
        n_levels = len(self.names)
        self.n_groups = 2 * n_levels + 2  # (level, arm); the last pair has no level
        self.top = {}
        for o, v in prep.outcomes.items():
            top = counted(v) if by_counting else None
            # a count per value and group must cost less than the people themselves
            fits = top is not None and (top + 1) * self.n_groups <= max(len(v), 4096)
            self.top[o] = top if fits else None
        self._sorted, self._counts, self._pooled = {}, {}, (None, None)
        # "All": treatment then control, each in file order (one gather per outcome)
        self.arm_order = np.argsort(self.is_c.astype(np.int8), kind="stable")
        self.n_t = int(self.is_t.sum())
        level = (np.zeros(len(self.is_t), np.int64) if self.codes is None
                 else np.where(self.codes >= 0, self.codes, n_levels))
        self.key = (2 * level + self.is_c).astype(np.int16 if self.n_groups < 32_000 else np.int64)
        if self.codes is not None:
            self.order = np.argsort(self.key, kind="stable")
            self.bounds = np.concatenate([[0], np.cumsum(np.bincount(self.key,
                                                                     minlength=self.n_groups))])

    def levels(self):
        yield ALL, -1
        yield from ((name, i) for i, name in enumerate(self.names))

    def pair(self, outcome: str, level: int):
        """(treatment values, control values, number missing) for one outcome and level."""
        if self.top[outcome] is not None:
            return self._counted_pair(outcome, level)
        v = self.prep.outcomes[outcome]
        miss = self.missing[outcome]
        if level < 0:
            if not self.any_missing[outcome]:
                va = v[self.arm_order].astype(float, copy=False)
                return va[:self.n_t], va[self.n_t:], 0
            ok = ~miss
            # np.compress is v[mask], several times faster on a mask that mixes the arms
            return (np.compress(self.is_t & ok, v), np.compress(self.is_c & ok, v),
                    int(miss.sum()))
        if self.any_missing[outcome]:
            mask = self.codes == level
            n_missing = int((mask & miss).sum())
            ok = mask & ~miss
            return np.compress(ok & self.is_t, v), np.compress(ok & self.is_c, v), n_missing
        if outcome not in self._sorted:
            self._sorted[outcome] = v[self.order].astype(float, copy=False)
        vs, b = self._sorted[outcome], self.bounds
        return vs[b[2 * level]:b[2 * level + 1]], vs[b[2 * level + 1]:b[2 * level + 2]], 0

    def arm_counts(self, outcome: str, level: int):
        """(values 0..top, treatment counts, control counts) for a counted outcome."""
        h = self._histogram(outcome)
        t, c = ((h[:, 0::2].sum(axis=1), h[:, 1::2].sum(axis=1)) if level < 0
                else (h[:, 2 * level], h[:, 2 * level + 1]))
        return np.arange(len(h), dtype=float), t, c

    def value_counts(self, outcome: str, level: int):
        """(values, is treatment, people) per distinct value and arm (people with a value).

        Counted outcomes from the split's counts; others by counting both arms
        (:func:`arm_value_counts`), kept for the last outcome and level asked for, which
        the methods of one row share."""
        if self.top[outcome] is not None:
            u, t, c = self.arm_counts(outcome, level)
        elif self._pooled[0] == (outcome, level):
            u, t, c = self._pooled[1]
        else:
            x, y, _ = self.pair(outcome, level)
            u, t, c = arm_value_counts(as_sample(x, "treatment"), as_sample(y, "control"))
            self._pooled = ((outcome, level), (u, t, c))
        vt, vc = np.flatnonzero(t), np.flatnonzero(c)
        return (np.concatenate([u[vt], u[vc]]).astype(float),
                np.concatenate([np.ones(len(vt), bool), np.zeros(len(vc), bool)]),
                np.concatenate([t[vt], c[vc]]).astype(float))

    def _histogram(self, outcome: str):
        if outcome not in self._counts:
            top, g = self.top[outcome], self.n_groups
            v = self.prep.outcomes[outcome].astype(np.int64, copy=False)
            self._counts[outcome] = np.bincount(v * g + self.key,
                                                minlength=g * (top + 1)).reshape(top + 1, g)
        return self._counts[outcome]

    def _counted_pair(self, outcome: str, level: int):
        values, t, c = self.arm_counts(outcome, level)
        return np.repeat(values, t), np.repeat(values, c), 0


#: People from which outcomes are analysed on several threads at once; below it, handing the
#: work to threads costs more than it saves. The rows are the same either way.
PARALLEL_PEOPLE = 50_000
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _map_outcomes(fn, names, people: int) -> list:
    """``[fn(name) for name in names]``, on up to 4 threads for large samples: numpy sorts
    and counts without holding the interpreter lock, so a second core nearly halves the
    rank tests' time (one pool for the process, so sessions of the app share its threads).
    ``fn`` must not share mutable state between names; an exception in it is raised here."""
    global _pool
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if people < PARALLEL_PEOPLE or len(names) < 2 or (cores or 1) < 2:
        return [fn(name) for name in names]
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(min(4, cores), thread_name_prefix="fd_stats")
    return list(_pool.map(fn, names))


def _arm_value_counts(x, y):
    """:func:`arm_value_counts` of one outcome's arms, or None when an arm is empty (then
    the people's Mann-Whitney runs and says why)."""
    if not len(x) or not len(y):
        return None
    return arm_value_counts(as_sample(x, "treatment"), as_sample(y, "control"))


def _row(outcome, label, level, x, y, n_missing, settings: Settings, sub_col, res=None,
         pc=None, extra=None):
    """One result row; ``res`` / ``pc`` pass in a main test / percentage change computed in a batch."""
    kwargs = dict(alternative=settings.alternative, confidence_level=settings.confidence_level)
    # each arm is scanned once for its size, mean and variance; t-tests and effect sizes
    # are built from these (the scalar functions use the same code, so they agree exactly)
    sx, sy = Moments.of(x), Moments.of(y)
    if res is None:
        res = _t_or_test(settings.test, x, y, sx, sy, settings)
    if pc is None:
        if settings.bootstrap:
            pc = percent_change_bootstrap(x, y, n_resamples=settings.bootstrap, seed=settings.seed,
                                          **kwargs)
        else:
            pc = percent_change_moments(sx, sy, **kwargs)
    g = hedges_g_moments(sx, sy, **kwargs)
    notes = list(dict.fromkeys(n for n in (res.note, pc.note, g.note) if n))  # once each
    row = {
        "outcome": outcome, "label": label, "subgroup_column": sub_col, "subgroup": level,
        "test": settings.test, "alternative": settings.alternative,
        "confidence_level": settings.confidence_level,
        "n_treatment": len(x), "n_control": len(y), "n_missing": n_missing,
        "mean_treatment": sx.mean if len(x) else np.nan,
        "mean_control": sy.mean if len(y) else np.nan,
        "sd_treatment": np.sqrt(sx.var) if len(x) > 1 else np.nan,
        "sd_control": np.sqrt(sy.var) if len(y) > 1 else np.nan,
        "difference": sx.mean - sy.mean if len(x) and len(y) else np.nan,
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
        "p_by_alternative": res.p_by_alternative,
    }
    if extra is not None:
        row.update(_extra_columns(x, y, settings, res, pc, extra, (sx, sy)))
    return row


def _t_or_test(name, x, y, sx, sy, settings: Settings):
    """Run test ``name``; t-tests from the arms' moments when there are enough people."""
    kwargs = dict(alternative=settings.alternative, confidence_level=settings.confidence_level)
    if name in ("welch", "student"):
        equal = name == "student"
        need = 1 if equal else 2
        if sx.n >= need and sy.n >= need and sx.n + sy.n >= 3:
            return t_test_moments(sx, sy, equal_var=equal, **kwargs)
    if name == "permutation":
        kwargs.update(n_resamples=settings.permutations, seed=settings.seed)
    return TESTS[name](x, y, **kwargs)


def _extra_columns(x, y, settings: Settings, res, pc, given: dict, moments) -> dict:
    """Columns for ``settings.extra_tests``; reuses the main test where it is the same test."""
    kwargs = dict(alternative=settings.alternative, confidence_level=settings.confidence_level)
    out = {}
    for name in settings.extra_tests:
        if name in ("welch", "student"):
            r = res if settings.test == name else _t_or_test(name, x, y, *moments, settings)
            out[f"p_{name}"] = r.p_value
        elif name == "mann-whitney":
            r = res if settings.test == name else given.get(name)
            if r is None:
                r = TESTS[name](x, y, **kwargs)
            out.update(p_mann_whitney=r.p_value, hodges_lehmann=r.estimate,
                       hodges_lehmann_ci_low=r.ci_low, hodges_lehmann_ci_high=r.ci_high,
                       note_mann_whitney=r.note)
        elif name == "permutation":
            r = res if settings.test == name else given.get("permutation")
            if r is None:
                r = TESTS[name](x, y, n_resamples=settings.permutations, seed=settings.seed,
                                **kwargs)
            out.update(p_permutation=r.p_value, mc_error_permutation=r.mc_error,
                       n_resamples_permutation=r.n_resamples, method_permutation=r.method)
        elif name == "bootstrap":
            b = settings.bootstrap or DEFAULT_BOOTSTRAP
            e = pc if settings.bootstrap else given.get("bootstrap")
            if e is None:
                e = percent_change_bootstrap(x, y, n_resamples=b, seed=settings.seed, **kwargs)
            out.update(percent_change_boot_ci_low=e.ci_low, percent_change_boot_ci_high=e.ci_high,
                       percent_change_boot_method=e.method)
    return out


def _batched(xs, ys, settings: Settings):
    """Permutation tests and bootstrap intervals for outcomes on the same people, batched.

    ``xs`` / ``ys`` are (people, outcomes) arrays without missing values.
    Returns per-outcome dicts with ``permutation`` and/or ``bootstrap``
    results identical to the per-outcome functions' (same seeded draws).
    """
    k = xs.shape[1]
    out = [dict() for _ in range(k)]
    kwargs = dict(alternative=settings.alternative, confidence_level=settings.confidence_level)
    want_perm = settings.test == "permutation" or "permutation" in settings.extra_tests
    boot = (settings.bootstrap or (DEFAULT_BOOTSTRAP if "bootstrap" in settings.extra_tests
                                   else 0))
    draws = {}

    def means(b):
        if b not in draws:
            draws[b] = bootstrap_means_many(xs, ys, b, settings.seed)
        return draws[b]

    if want_perm:
        res = permutation_test_many(xs, ys, n_resamples=settings.permutations,
                                    seed=settings.seed, **kwargs)
        for d, r in zip(out, res):
            d["permutation"] = r
    if boot:
        res = percent_change_bootstrap_many(xs, ys, n_resamples=boot, seed=settings.seed,
                                            mean_draws=means(boot), **kwargs)
        for d, r in zip(out, res):
            d["bootstrap"] = r
    return out


def crossed(texts: list[pd.Series]) -> tuple[list[str], np.ndarray]:
    """Each person's values of several text columns joined with " / " ("11-17 / north").

    Returns the distinct labels, sorted, and each person's index into them (int array,
    shape (n,)). Each column is numbered once and the combinations counted, never joined
    person by person (a row-wise join took 35 s for a million people); values containing
    " / " whose joins are the same text make one label, as a join would.
    """
    codes, names = [], []
    for t in texts:
        c, u = pd.factorize(t, use_na_sentinel=False)
        codes.append(c)
        names.append(np.asarray(u, object))
    combined = np.zeros(len(codes[0]) if codes else 0, np.int64)
    for c, u in zip(codes, names):  # renumbered at each step, so it stays below people^2
        combined = pd.factorize(combined * len(u) + c)[0]
    _, first, combination = np.unique(combined, return_index=True, return_inverse=True)
    labels = [" / ".join(str(u[c[i]]) for c, u in zip(codes, names)) for i in first]
    order = sorted(set(labels))
    index = {label: i for i, label in enumerate(order)}
    return order, np.array([index[label] for label in labels], np.int64)[combination.ravel()]


def _strata_key(design: pd.DataFrame, strata: tuple[str, ...]):
    """One stratum label per person (several stratum columns are crossed); None where a
    stratum value is missing (the methods then give those people a level of their own and
    say so, as for one stratum column)."""
    if not strata:
        return None
    if len(strata) == 1:
        return design[strata[0]].to_numpy(dtype=object)
    labels, index = crossed([design[s].astype(str).fillna("") for s in strata])
    key = np.array(labels, object)[index]
    key[design[list(strata)].isna().to_numpy().any(axis=1)] = None
    return key


def _method_effect(method: str, prep: Prepared, mapping: Mapping, settings: Settings,
                   outcome: str, mask, split: "_Split | None" = None,
                   level_index: int = -1) -> MethodEffect:
    """One registry method on one outcome for the people in ``mask`` (None: everyone).

    Count models and prevalence without adjustment are fitted on the value counts the
    split already holds for small whole-number outcomes (the same likelihood, no copy
    of a million people).
    """
    kw = dict(alternative=settings.alternative, confidence_level=settings.confidence_level,
              permutations=settings.permutations, seed=settings.seed)
    uses = METHODS[method].uses
    unadjusted = not (("covariates" in uses and mapping.covariates)
                      or ("baseline" in uses and mapping.baseline(outcome))
                      or ("strata" in uses and mapping.strata))
    if split is not None and unadjusted and method in FREQUENCY_WEIGHTED:
        y, treated, people = split.value_counts(outcome, level_index)
        return worded_for_kind(run_method(method, y, treated, weights=people, **kw),
                               mapping.kind(outcome))
    # np.compress is [mask], several times faster on a mask that mixes the arms
    y = prep.outcomes[outcome] if mask is None else np.compress(mask, prep.outcomes[outcome])
    treated = prep.is_treatment if mask is None else np.compress(mask, prep.is_treatment)
    cov = base = strata = None
    name = mapping.baseline(outcome)
    if prep.design is not None:
        d = prep.design if mask is None else prep.design.loc[mask]
        if mapping.covariates:
            cov = d[list(mapping.covariates)]
        if name:
            base = pd.to_numeric(d[name], errors="coerce").to_numpy(dtype=float)
        strata = _strata_key(d, mapping.strata)
    return worded_for_kind(run_method(method, y, treated, covariates=cov, baseline=base,
                                      baseline_name=name or "baseline", strata=strata, **kw),
                           mapping.kind(outcome))


def _unsuited_effect(method: str, row: dict, why: str, settings: Settings) -> MethodEffect:
    """The primary method on an outcome it does not suit: not estimable, saying why."""
    spec = METHODS[method]
    return MethodEffect(method, spec.label, spec.scale, spec.estimate_label, np.nan, np.nan,
                        np.nan, np.nan, np.nan, np.nan, np.nan, settings.alternative,
                        settings.confidence_level, row["n_treatment"], row["n_control"],
                        "Not used: " + why)


def _with_effect(row: dict, eff: MethodEffect, primary: bool) -> dict:
    """``row`` (one outcome and level) describing method ``eff``; descriptive columns kept."""
    out = dict(row)
    out.update(test=eff.method, estimate=eff.estimate, estimate_label=eff.estimate_label,
               ci_low=eff.ci_low, ci_high=eff.ci_high, statistic=eff.statistic, df=eff.df,
               p_value=eff.p_value, n_resamples=eff.n_resamples, mc_error=eff.mc_error,
               method=eff.label, note=eff.note, scale=eff.scale, std_error=eff.std_error,
               primary=primary)
    if eff.scale == "ratio":  # the percentage change follows from the ratio itself
        out.update(percent_change=100 * (eff.estimate - 1),
                   percent_change_ci_low=100 * (eff.ci_low - 1),
                   percent_change_ci_high=100 * (eff.ci_high - 1),
                   percent_change_method=f"from the {eff.estimate_label} and its interval")
    elif not primary:  # the % change of the means belongs to the primary row only
        out.update(percent_change=np.nan, percent_change_ci_low=np.nan,
                   percent_change_ci_high=np.nan, percent_change_method="")
    return out


def _level_masks(prep: Prepared):
    """(level name, mask of people) for "All" (mask None) and each subgroup level."""
    yield ALL, None
    if prep.subgroup is not None:
        names, codes = _level_codes(prep.subgroup)
        for i, name in enumerate(names):
            yield name, codes == i


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
        One row per outcome x subgroup level ("All" first) for the primary
        method (``settings.test``; ``primary`` True), then the same for each
        of ``settings.methods``; columns ``RESULT_COLUMNS``. ``test`` names
        the method, ``method`` says what was done, ``scale`` is the effect's
        scale (difference, ratio, shift, risk difference) and ``estimate`` /
        ``ci_low`` / ``ci_high`` are on that scale. Descriptive columns (means,
        SDs, Hedges' g) are the same on every method's row. People with a missing or unrecognised arm are
        excluded (``attrs["n_excluded_arm"]``); missing outcome values are
        excluded per outcome and counted in ``n_missing``. Adjusted p-values
        treat the outcomes within one subgroup level as one family.
        ``prob_benefit`` / ``prob_benefit_min`` are the Bayesian posterior
        probabilities (normal approximation, ``settings.benefit_prior``) that
        the row's effect is favourable / at least ``benefit_min_change`` of the
        control level in the favourable direction, for outcomes whose
        ``mapping.directions`` say "lower" or "higher" (NaN otherwise, and for
        methods without a standard error); ``benefit_method`` names the prior
        and says why a value is missing.

    Notes
    -----
    From ``PARALLEL_PEOPLE`` people on, the outcomes' rows (without resampling) are
    computed on up to 4 threads; the rows are the same, in the same order.
    """
    mapping = mapping or Mapping()
    settings = (settings or Settings()).check()
    prep = prepare(data, mapping)
    # the four original tests are computed in batches below; any other primary method
    # (or a permutation within strata) starts from the Welch row and replaces its effect
    batched = settings.test in LEGACY and not (settings.test == "permutation" and mapping.strata)
    requested = settings
    if not batched:
        settings = replace(settings, test="welch")
    rows = []
    sub_col = mapping.subgroup or ""
    names = list(prep.outcomes)
    resampling = (settings.test == "permutation" or settings.bootstrap
                  or {"permutation", "bootstrap"} & set(settings.extra_tests))
    split = _Split(prep, by_counting=not resampling)
    rank_test = "mann-whitney" in (settings.test, *settings.extra_tests)

    def row_of(outcome, level, index, x, y, n_missing, g):
        if rank_test:
            # from value counts: those the split already holds for small whole numbers,
            # else both arms counted together (the rank sum then needs no search)
            counts = (split.arm_counts(outcome, index) if split.top[outcome] is not None
                      else _arm_value_counts(x, y))
            if counts is not None:
                g = {**g, "mann-whitney": mann_whitney_counts(
                    *counts, alternative=settings.alternative,
                    confidence_level=settings.confidence_level)}
        return _row(outcome, mapping.label(outcome), level, x, y, n_missing, settings, sub_col,
                    res=g.get(settings.test), pc=g.get("bootstrap") if settings.bootstrap else None,
                    extra=g if settings.extra_tests else None)

    if resampling:
        for level, index in split.levels():
            pairs = {o: split.pair(o, index) for o in names}
            # outcomes with no missing value here share the people, so resampling is batched
            complete = [o for o in names if pairs[o][2] == 0]
            given = {}
            if complete:
                xs = np.column_stack([pairs[o][0] for o in complete])
                ys = np.column_stack([pairs[o][1] for o in complete])
                given = dict(zip(complete, _batched(xs, ys, settings)))
            rows += [row_of(o, level, index, *pairs[o], given.get(o, {})) for o in names]
    else:
        def outcome_rows(outcome):  # one outcome's values at a time are held (per thread)
            return [row_of(outcome, level, index, *split.pair(outcome, index), {})
                    for level, index in split.levels()]

        by_outcome = _map_outcomes(outcome_rows, names, len(prep.is_treatment))
        rows = [r for level_rows in zip(*by_outcome) for r in level_rows]  # level by level
    for row in rows:
        t_test = row["test"] in ("welch", "student") and row["statistic"]
        row.update(scale=METHODS[row["test"]].scale, primary=True,
                   std_error=row["estimate"] / row["statistic"] if t_test else np.nan)
    settings = requested
    stratified_extra = "permutation" in settings.extra_tests and bool(mapping.strata)
    if stratified_extra or not batched or settings.methods:  # masks only when a method needs them
        level_mask = dict(_level_masks(prep))
        index = {name: i for name, i in split.levels()}
    if stratified_extra:
        # re-randomise within the strata, as the trial was randomised (the registry's
        # stratified permutation test; the batched one above ignores strata)
        for row in rows:
            eff = _method_effect("permutation", prep, mapping, settings, row["outcome"],
                                 level_mask[row["subgroup"]], split, index[row["subgroup"]])
            row.update(p_permutation=eff.p_value, mc_error_permutation=eff.mc_error,
                       n_resamples_permutation=eff.n_resamples, method_permutation=eff.label)
    left_out = {}  # (method, why) -> outcomes it was not run on
    if not batched or settings.methods:

        def effect(method, r):
            return _method_effect(method, prep, mapping, settings, r["outcome"],
                                  level_mask[r["subgroup"]], split, index[r["subgroup"]])

        def why_not(method, r):
            return unsuited(method, mapping.kind(r["outcome"]))

        primary_rows = rows
        if not batched:  # asked for as the primary method: a row saying why, not a fit
            primary_rows = [_with_effect(r, _unsuited_effect(settings.test, r, why_not(
                settings.test, r), settings) if why_not(settings.test, r)
                else effect(settings.test, r), True) for r in rows]
        # row by row, so a row's methods share its value counts; then method by method
        effects = {(m, i): effect(m, r) for i, r in enumerate(primary_rows)
                   for m in settings.methods if not why_not(m, r)}
        rows = primary_rows + [_with_effect(r, effects[m, i], False)
                               for m in settings.methods for i, r in enumerate(primary_rows)
                               if (m, i) in effects]
        for m in dict.fromkeys((settings.test, *settings.methods)):
            for o in names:
                why = unsuited(m, mapping.kind(o))
                if why:
                    left_out.setdefault((m, why), []).append(o)
    out = pd.DataFrame(rows)
    out["p_adjusted"] = np.nan
    # the family: the outcomes within one subgroup level, for one method
    for _, idx in out.groupby(["subgroup", "test"], sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = adjust_pvalues(out.loc[idx, "p_value"], settings.correction)
    out["correction"] = settings.correction
    out["alpha"] = settings.alpha
    out["significant"] = out["p_adjusted"] < settings.alpha
    out = add_probability_of_benefit(out, {o: mapping.direction(o) for o in names},
                                     min_change=settings.benefit_min_change,
                                     prior=settings.benefit_prior)
    out = out[RESULT_COLUMNS + [c for t in settings.extra_tests for c in EXTRA_TEST_COLUMNS[t]]]
    # (method, outcomes, why) for registry methods not run on outcomes of the wrong kind
    out.attrs["methods_left_out"] = [(m, tuple(o), why) for (m, why), o in left_out.items()]
    out.attrs.update(n_excluded_arm=prep.n_excluded_arm,
                     excluded_arm_values=prep.excluded_arm_values, settings=asdict(settings),
                     mapping=asdict(mapping))
    if settings.test == "permutation" and batched and not settings.methods:
        # every sidedness's p from the same re-randomisations, in row order (threshold grid)
        by_alt = [dict(r["p_by_alternative"]) for r in rows]
        out.attrs["p_value_by_alternative"] = {
            a: [d.get(a, np.nan) for d in by_alt] for a in ("two-sided", "less", "greater")}
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
