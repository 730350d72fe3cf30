"""Which conclusions survive which analysis choices.

:func:`threshold_grid` judges every outcome under every combination of
significance threshold (alpha), sidedness, multiple-comparison correction and
test. It runs :func:`fd_stats.analyse` once per test and sidedness (once per
t-test: the other sidedness follows from the same t and degrees of freedom; once for
the permutation test: every sidedness's p comes from the same re-randomisations) and
re-judges the p-values with :func:`fd_stats.adjust_pvalues` and each alpha, so
no test is run more than once. :func:`depends_on_choice` then words, for each finding that
is significant under some choices and not others, which choices it needs.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np
import pandas as pd

from .analysis import ALL, SIDEDNESS, Mapping, Settings, analyse
from .errors import DataError
from .methods.multiplicity import CORRECTIONS, adjust_pvalues
from .methods.registry import METHOD_KINDS
from .methods.ttest import p_from_t

GRID_ALPHAS = (0.01, 0.02, 0.025, 0.05, 0.075, 0.10, 0.15, 0.20)
GRID_ALTERNATIVES = ("two-sided", "less")
GRID_CORRECTIONS = ("none", "bonferroni", "holm", "fdr_bh")
GRID_TESTS = ("welch", "student", "mann-whitney", "permutation")
#: Registry methods the grid adds beside the tests, with the outcome kinds each applies to
#: (the registry's METHOD_KINDS: count models for counts and non-negative scores, the
#: negative binomial for counts only, prevalence wherever "at least one" means something).
GRID_METHODS = {m: METHOD_KINDS[m] for m in ("poisson", "negative-binomial", "prevalence")}
#: Tests whose p-value for any sidedness follows from one run's t and df (R: ``pt``).
T_TESTS = ("welch", "student")
#: Tests analysed once whatever the sidedness (the permutation test's results carry the
#: p-value of every sidedness from the same re-randomisations).
ONE_RUN_TESTS = T_TESTS + ("permutation",)
GRID_COLUMNS = ["outcome", "label", "subgroup", "test", "alternative", "correction", "alpha",
                "p_value", "p_adjusted", "significant", "percent_change"]

TEST_WORDS = {
    "welch": "Welch t-test",
    "student": "Student t-test",
    "mann-whitney": "Mann-Whitney U test",
    "permutation": "permutation test",
    "poisson": "Poisson rate ratio",
    "negative-binomial": "negative-binomial rate ratio",
    "prevalence": "prevalence (risk difference)",
    "prevalence-ratio": "prevalence (risk ratio)",
    "lin": "adjusted difference (Lin)",
    "blocked": "blocked difference within strata",
}
CORRECTION_WORDS = {
    "none": "no correction",
    "bonferroni": "the Bonferroni correction",
    "holm": "the Holm correction",
    "fdr_bh": "the Benjamini-Hochberg (false discovery rate) correction",
}


def grid_methods(kinds: dict, mapping: Mapping | None = None) -> dict[str, tuple[str, ...]]:
    """The registry methods the grid adds, each with the outcomes it applies to.

    ``kinds`` maps outcome column -> kind (count, binary, continuous, score). Count models
    and prevalence follow :data:`GRID_METHODS`; Lin's adjusted difference is added for the
    outcomes with a baseline (every outcome when ``mapping`` has covariates), the blocked
    difference for every outcome when ``mapping`` has randomisation strata. Methods that
    apply to no outcome are left out.
    """
    out = {m: tuple(o for o, k in kinds.items() if k in ok) for m, ok in GRID_METHODS.items()}
    if mapping is not None:
        out["lin"] = tuple(o for o in kinds if mapping.covariates or mapping.baseline(o))
        out["blocked"] = tuple(kinds) if mapping.strata else ()
    return {m: outs for m, outs in out.items() if outs}


def threshold_grid(data: pd.DataFrame | None, mapping: Mapping | None = None,
                   settings: Settings | None = None, *,
                   alphas=GRID_ALPHAS, alternatives=GRID_ALTERNATIVES,
                   corrections=GRID_CORRECTIONS, tests=GRID_TESTS, methods=None,
                   analyse_fn: Callable[[Settings], pd.DataFrame] | None = None) -> pd.DataFrame:
    """Conclusion for every outcome under every combination of analysis choices.

    Parameters
    ----------
    data : DataFrame or None
        One row per person (not needed when ``analyse_fn`` is given).
    mapping : Mapping, optional
        Column roles, as for :func:`fd_stats.analyse`.
    settings : Settings, optional
        Base settings (confidence level, permutations, seed); test, sidedness,
        correction and alpha are overridden by the grid.
    alphas, alternatives, corrections, tests : sequences
        The choices to cross. Defaults: alpha in {0.01, 0.02, 0.025, 0.05,
        0.075, 0.10, 0.15, 0.20}, sidedness in {two-sided, less}, correction
        in {none, bonferroni, holm, fdr_bh}, test in {welch, student,
        mann-whitney, permutation}.
    methods : dict, optional
        Registry method -> the outcomes it applies to (:func:`grid_methods`), judged beside
        ``tests`` for those outcomes only; corrections then count those outcomes as the
        family.
    analyse_fn : callable, optional
        ``settings -> results``; defaults to ``analyse(data, mapping, settings)``.
        The app passes its cached analysis here. It is called once per
        (test, sidedness), except that each t-test runs once (the first
        sidedness): its other p-values are ``pt`` of the same t and df; and
        the permutation test runs once when the results carry every
        sidedness's p-value (``attrs["p_value_by_alternative"]``, from the same
        re-randomisations), as :func:`fd_stats.analyse` gives them.

    Returns
    -------
    DataFrame
        Tidy, one row per outcome x subgroup level x test (or method that
        applies to the outcome) x sidedness x correction x alpha, columns
        ``GRID_COLUMNS``. Corrections treat the
        outcomes within one subgroup level as one family, as ``analyse`` does.
    """
    settings = settings or Settings()
    if analyse_fn is None:
        if data is None:
            raise DataError("threshold_grid needs the data or an analyse_fn.")
        def analyse_fn(s):  # noqa: E306
            return analyse(data, mapping, s)
    for c in corrections:
        if c not in CORRECTIONS:
            raise DataError(f"correction must be one of {', '.join(CORRECTIONS)}; got {c!r}.")
    alphas = [float(a) for a in alphas]
    if not alphas or any(not 0 < a < 1 for a in alphas):
        raise DataError("Every alpha must be between 0 and 1.")
    blocks = []
    methods = dict(methods or {})
    for test in [*tests, *(m for m in methods if m not in tests)]:
        t_run = None
        perm_run, p_by_alt = None, None  # the permutation test's run, its p for every sidedness
        for alt in alternatives:
            if test in T_TESTS and t_run is not None:
                # same t and df whatever the sidedness; only the tail changes (as in the engine)
                base = t_run.copy()
                base["p_value"] = p_from_t(t_run["statistic"].to_numpy(float),
                                           t_run["df"].to_numpy(float), alt)
            elif p_by_alt is not None:
                # the permutation test: the same re-randomisations, another tail
                base = perm_run.copy()
                base["p_value"] = np.asarray(p_by_alt[alt], float)
            else:
                res = analyse_fn(replace(settings, test=test, alternative=alt,
                                         correction="none"))
                base = res[["outcome", "label", "subgroup", "p_value", "percent_change",
                            "statistic", "df"]].copy()
                t_run = base if test in T_TESTS else None
                if test == "permutation":
                    perm_run, p_by_alt = base, _p_by_alternative(res)
            if test in methods:  # a model judged only for the outcomes it applies to
                base = base[base["outcome"].isin(methods[test])].reset_index(drop=True)
            for corr in corrections:
                adj = np.full(len(base), np.nan)
                for _, idx in base.groupby("subgroup", sort=False).indices.items():
                    adj[idx] = adjust_pvalues(base["p_value"].to_numpy()[idx], corr)
                for a in alphas:
                    b = base.copy()
                    b["test"], b["alternative"], b["correction"], b["alpha"] = test, alt, corr, a
                    b["p_adjusted"] = adj
                    b["significant"] = adj < a
                    blocks.append(b)
    out = pd.concat(blocks, ignore_index=True)[GRID_COLUMNS]
    return out


def _p_by_alternative(res: pd.DataFrame) -> dict | None:
    """The permutation test's p-value for every sidedness, one per row of ``res``, when
    ``analyse`` gave them (``attrs["p_value_by_alternative"]``) and the rows are still its."""
    by_alt = res.attrs.get("p_value_by_alternative")
    if by_alt is None or any(len(v) != len(res) for v in by_alt.values()):
        return None  # rows changed since analyse: each sidedness is run afresh
    return by_alt


def alpha_table(results: pd.DataFrame, alphas=GRID_ALPHAS, subgroup: str = ALL,
                p_col: str = "p_adjusted") -> pd.DataFrame:
    """Significance of each outcome at each alpha, for one set of results.

    Returns a boolean frame indexed by outcome label with one column per alpha
    (NaN where the p-value is not estimable).
    """
    r = results[results["subgroup"] == subgroup]
    p = r[p_col].to_numpy(dtype=float)
    cols = {a: [bool(v < a) if np.isfinite(v) else np.nan for v in p] for a in alphas}
    return pd.DataFrame(cols, index=r["label"].to_list(), dtype=object)


def flip_summary(grid: pd.DataFrame, subgroup: str = ALL) -> pd.DataFrame:
    """Per outcome: in how many combinations it is significant, and its status.

    Returns
    -------
    DataFrame
        ``outcome``, ``label``, ``n_significant``, ``n_combinations``, ``status``
        ("always", "never" or "depends"), ``min_alpha`` (smallest alpha at which
        it is significant under some choice; NaN if never).
    """
    g = grid[grid["subgroup"] == subgroup]
    rows = []
    for (outcome, label), part in g.groupby(["outcome", "label"], sort=False):
        sig = part["significant"].astype(bool)
        n, k = int(sig.sum()), len(part)
        status = "always" if n == k else ("never" if n == 0 else "depends")
        rows.append({"outcome": outcome, "label": label, "n_significant": n,
                     "n_combinations": k, "status": status,
                     "min_alpha": float(part.loc[sig, "alpha"].min()) if n else np.nan})
    return pd.DataFrame(rows)


def _or_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _conditions(part: pd.DataFrame, grid: pd.DataFrame) -> list[str]:
    """Necessary conditions for significance, each worded as a phrase."""
    sig = part[part["significant"].astype(bool)]
    conds = []
    all_alts = list(dict.fromkeys(grid["alternative"]))
    alts = list(dict.fromkeys(sig["alternative"]))
    if len(alts) < len(all_alts):
        conds.append("with " + _or_list([
            f"a one-sided test ({SIDEDNESS[a].split('(', 1)[1].rstrip(')')})"
            if a != "two-sided" else "a two-sided test" for a in alts]))
    min_alpha = float(sig["alpha"].min())
    if min_alpha > float(grid["alpha"].min()):
        conds.append(f"at alpha ≥ {min_alpha:g}")
    all_tests = list(dict.fromkeys(part["test"]))  # the tests and methods this outcome had
    tests = [t for t in all_tests if t in set(sig["test"])]
    if len(tests) < len(all_tests):
        others = [t for t in all_tests if t not in tests]
        if len(tests) > 2 * len(others):  # shorter to name the few it fails with
            conds.append("with any test or model but the " + _or_list(
                [TEST_WORDS.get(t, t) for t in others]).replace(" or ", " and "))
        else:
            conds.append("with the " + _or_list([TEST_WORDS.get(t, t) for t in tests]))
    all_corr = list(dict.fromkeys(grid["correction"]))
    corrs = [c for c in all_corr if c in set(sig["correction"])]
    if len(corrs) < len(all_corr):
        conds.append("with " + _or_list([CORRECTION_WORDS.get(c, c) for c in corrs]))
    return conds


def _combo_words(row) -> str:
    side = "two-sided" if row["alternative"] == "two-sided" else SIDEDNESS[row["alternative"]]
    return (f"{TEST_WORDS.get(row['test'], row['test'])}, {side}, "
            f"{CORRECTION_WORDS.get(row['correction'], row['correction'])}, "
            f"alpha {row['alpha']:g}")


def depends_on_choice(grid: pd.DataFrame, subgroup: str = ALL) -> list[str]:
    """Sentences naming the findings that are significant under some choices but not others.

    Parameters
    ----------
    grid : DataFrame
        From :func:`threshold_grid`.
    subgroup : str
        Which subgroup level to describe ("All" by default).

    Returns
    -------
    list of str
        One sentence per finding whose conclusion depends on the choices, e.g.
        "Knife-related crimes as suspect is significant only with a one-sided
        test (treatment lower) and at alpha ≥ 0.15 (in 6 of 256 combinations; in
        each, the treatment arm is lower)."
        Each condition named is necessary (no significant combination lacks
        it); together they may not be sufficient.
    """
    g = grid[grid["subgroup"] == subgroup]
    out = []
    for (outcome, label), part in g.groupby(["outcome", "label"], sort=False):
        sig = part["significant"].astype(bool)
        n, k = int(sig.sum()), len(part)
        if n == 0 or n == k:
            continue
        conds = _conditions(part, g)
        if conds:
            body = "only " + (", ".join(conds[:-1]) + " and " + conds[-1] if len(conds) > 1
                              else conds[0])
        else:
            body = "under some combinations of choices but not others"
        # which way: a two-sided finding may be a rise (the sign, never "favourable" here)
        pc = part.loc[sig.to_numpy(), "percent_change"].to_numpy(float)
        pc = pc[np.isfinite(pc)]
        way = ("; in each, the treatment arm is higher" if len(pc) and (pc > 0).all() else
               "; in each, the treatment arm is lower" if len(pc) and (pc < 0).all() else
               "; higher in the treatment arm in some, lower in others" if len(pc) else "")
        text = f"{label} is significant {body} (in {n} of {k} combinations{way})"
        if not conds or len(conds) > 1:
            first = part[sig].sort_values("alpha", kind="stable").iloc[0]
            text += f"; for example {_combo_words(first)}"
        conv = part[(part["test"] == "welch") & (part["alternative"] == "two-sided")
                    & (part["correction"] == "none") & np.isclose(part["alpha"], 0.05)]
        if len(conv):
            verdict = "significant" if bool(conv["significant"].iloc[0]) else "not significant"
            text += (f". With the conventional choice ({_combo_words(conv.iloc[0])}) "
                     f"it is {verdict}")
        out.append(text + ".")
    return out


def choice_summary(grid: pd.DataFrame, subgroup: str = ALL) -> str:
    """One paragraph: which findings are robust, which never significant, which depend on choices."""
    fs = flip_summary(grid, subgroup)
    if fs.empty:
        return "No results to judge."
    ks = sorted(set(fs["n_combinations"].astype(int)))
    k = f"{ks[0]}" if len(ks) == 1 else f"{ks[0]} to {ks[-1]}"
    always = fs.loc[fs["status"] == "always", "label"].tolist()
    never = fs.loc[fs["status"] == "never", "label"].tolist()
    depends = depends_on_choice(grid, subgroup)
    parts = [f"Across {k} combinations of threshold, sidedness, correction and test "
             "(or model, where it applies to the outcome):"]
    if always:
        parts.append("significant under every one: " + "; ".join(always) + ".")
    if depends:
        parts.append(" ".join(depends))
    if never:
        parts.append(f"Never significant ({len(never)} outcome{'s' if len(never) != 1 else ''}): "
                     + "; ".join(l.lower() if i else l for i, l in enumerate(never)) + ".")
    if not depends:
        parts.append("No finding depends on these choices.")
    return " ".join(parts)
