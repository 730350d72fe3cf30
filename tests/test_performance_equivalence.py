"""The optimised paths give the same numbers as the unoptimised reference implementation.

Reference = the scalar functions (welch_t, mann_whitney, permutation_test,
percent_change_bootstrap, hedges_g) called row by row, plus brute-force
versions of the rank statistics written here (ranking every person with
scipy.stats.rankdata, bisection for the Hodges-Lehmann interval). Deterministic
quantities must agree exactly (to float rounding); Monte-Carlo ones to within
Monte-Carlo error. No test here asserts a wall-clock time (see benchmarks/run.py).
"""
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import fd_stats
from fd_stats import DataError, Mapping, Settings, analyse
from fd_stats.methods import permutation, rank
from fd_stats.analysis import EXTRA_TEST_COLUMNS, FULL_ANALYSIS, RESULT_COLUMNS
from fd_stats.methods.effects import hedges_g, percent_change, percent_change_bootstrap
from fd_stats.data.trial import load_trial


@pytest.fixture(scope="module")
def trial():
    return load_trial()


def split_rows(table, mapping):
    """(level, outcome, x, y, n_missing) the plain way: boolean masks, file order."""
    arm = table[mapping.arm].astype(str).str.strip().str.casefold().to_numpy()
    sub = table[mapping.subgroup]
    levels = [("All", np.ones(len(table), bool))] + [
        (str(v), (sub == v).to_numpy()) for v in sorted(sub.dropna().unique())]
    out = []
    for level, sel in levels:
        for o in mapping.outcomes:
            v = table[o].to_numpy(float)
            ok = sel & ~np.isnan(v)
            out.append((level, o, v[ok & (arm == "treatment")], v[ok & (arm == "control")],
                        int((sel & np.isnan(v)).sum())))
    return out


def mc_tol(p, b):
    return 4 * math.sqrt(max(p * (1 - p), 1 / b) / b)


def same(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# ---------------------------------------------------------------- full analysis = per-row loop

@pytest.mark.parametrize("alternative", ["two-sided", "less"])
@pytest.mark.parametrize("with_missing", [False, True])
def test_full_analysis_equals_per_row_reference(trial, alternative, with_missing):
    table = trial.table.copy()
    if with_missing:  # exercises the per-outcome (non-batched) path for these outcomes
        table.loc[[2, 40], "suspect_knife"] = np.nan
        table.loc[5, "victim_harm"] = np.nan
    settings = Settings(alternative=alternative, extra_tests=FULL_ANALYSIS, permutations=3000,
                        seed=7)
    res = analyse(table, trial.mapping, settings)
    rows = split_rows(table, trial.mapping)
    assert len(res) == len(rows) == 30
    kw = dict(alternative=alternative, confidence_level=0.95)
    for (level, outcome, x, y, n_missing), (_, r) in zip(rows, res.iterrows()):
        assert (r.subgroup, r.outcome, r.n_missing) == (level, outcome, n_missing)
        w = fd_stats.welch_t(x, y, **kw)
        mw = fd_stats.mann_whitney(x, y, **kw)
        pc = percent_change(x, y, **kw)
        g = hedges_g(x, y, **kw)
        for got, want in [(r.p_value, w.p_value), (r.p_welch, w.p_value), (r.ci_low, w.ci_low),
                          (r.ci_high, w.ci_high), (r.statistic, w.statistic), (r.df, w.df),
                          (r.mean_treatment, x.mean()), (r.mean_control, y.mean()),
                          (r.sd_treatment, x.std(ddof=1)), (r.sd_control, y.std(ddof=1)),
                          (r.percent_change, pc.estimate), (r.percent_change_ci_low, pc.ci_low),
                          (r.percent_change_ci_high, pc.ci_high), (r.hedges_g, g.estimate),
                          (r.hedges_g_ci_low, g.ci_low), (r.hedges_g_ci_high, g.ci_high),
                          (r.p_mann_whitney, mw.p_value), (r.hodges_lehmann, mw.estimate),
                          (r.hodges_lehmann_ci_low, mw.ci_low),
                          (r.hodges_lehmann_ci_high, mw.ci_high)]:
            assert same(got, want), (level, outcome, got, want)
        # Monte Carlo: the batched draws are the scalar function's draws for the same seed ...
        perm = fd_stats.permutation_test(x, y, n_resamples=3000, seed=7, **kw)
        assert same(r.p_permutation, perm.p_value) and r.method_permutation == perm.method
        boot = percent_change_bootstrap(x, y, n_resamples=2000, seed=7, **kw)
        assert same(r.percent_change_boot_ci_low, boot.ci_low)
        assert same(r.percent_change_boot_ci_high, boot.ci_high)
        # ... and agree with independent draws to Monte-Carlo error
        other = fd_stats.permutation_test(x, y, n_resamples=3000, seed=99, **kw)
        assert abs(r.p_permutation - other.p_value) < math.sqrt(2) * mc_tol(other.p_value, 3000)


@pytest.mark.parametrize("test", ["welch", "student", "mann-whitney"])
@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
def test_counting_split_equals_per_row_reference(trial, test, alternative):
    """Without resampling, whole-number outcomes are split by counting each value; the rows
    equal the scalar functions on plain boolean selections, and the same table with the
    counts stored as floats (which are split by reordering)."""
    table = trial.table.copy()
    table.loc[[0, 7, 50], "age_group"] = None  # people with no subgroup count in "All" only
    counts = [o for o in trial.mapping.outcomes if table[o].dtype.kind == "i"]
    assert len(counts) >= 6
    settings = Settings(test=test, alternative=alternative, extra_tests=("mann-whitney",))
    res = analyse(table, trial.mapping, settings)
    as_float = analyse(table.astype({o: float for o in counts}), trial.mapping, settings)
    pd.testing.assert_frame_equal(res, as_float, check_exact=False, rtol=1e-12, atol=1e-12)
    kw = dict(alternative=alternative, confidence_level=0.95)
    rows = split_rows(table, trial.mapping)
    assert len(res) == len(rows) == 30
    for (level, outcome, x, y, _), (_, r) in zip(rows, res.iterrows()):
        assert (r.subgroup, r.outcome, r.n_treatment, r.n_control) == (level, outcome, len(x),
                                                                        len(y))
        main = fd_stats.TESTS[test](x, y, **kw)
        mw = fd_stats.mann_whitney(x, y, **kw)
        pc, g = percent_change(x, y, **kw), hedges_g(x, y, **kw)
        for got, want in [(r.p_value, main.p_value), (r.estimate, main.estimate),
                          (r.ci_low, main.ci_low), (r.ci_high, main.ci_high),
                          (r.mean_treatment, x.mean()), (r.sd_control, y.std(ddof=1)),
                          (r.percent_change_ci_low, pc.ci_low), (r.hedges_g, g.estimate),
                          (r.p_mann_whitney, mw.p_value), (r.hodges_lehmann_ci_high, mw.ci_high),
                          (r.any_treatment, (x > 0).sum()), (r.any_control, (y > 0).sum())]:
            assert same(got, want), (level, outcome, got, want)


def test_permutation_main_test_batched_equals_scalar(trial):
    s = Settings(test="permutation", permutations=2000, bootstrap=500, seed=3)
    res = analyse(trial.table, trial.mapping, s)
    for (level, outcome, x, y, _), (_, r) in zip(split_rows(trial.table, trial.mapping),
                                                 res.iterrows()):
        p = fd_stats.permutation_test(x, y, n_resamples=2000, seed=3)
        assert same(r.p_value, p.p_value) and same(r.ci_low, p.ci_low) and same(r.ci_high, p.ci_high)
        assert same(r.mc_error, p.mc_error) and r.n_resamples == p.n_resamples
        b = percent_change_bootstrap(x, y, n_resamples=500, seed=3)
        assert same(r.percent_change_ci_low, b.ci_low) and r.percent_change_method == b.method


def test_permutation_p_agrees_with_scipy_to_monte_carlo_error(trial):
    rows = split_rows(trial.table, trial.mapping)
    # one-sided: scipy's two-sided p doubles the smaller tail, ours counts |difference|
    for (_, _, x, y, _), alt in zip(rows[:10], ["less", "greater"] * 5):
        ours = fd_stats.permutation_test(x, y, n_resamples=4000, seed=1, alternative=alt).p_value
        ref = stats.permutation_test((x, y), lambda a, b, axis: a.mean(axis) - b.mean(axis),
                                     permutation_type="independent", n_resamples=4000,
                                     vectorized=True, random_state=2, alternative=alt).pvalue
        assert abs(ours - ref) < math.sqrt(2) * mc_tol(ref, 4000)


def test_extra_tests_add_columns_only(trial):
    base = analyse(trial.table, trial.mapping, Settings())
    full = analyse(trial.table, trial.mapping, Settings(extra_tests=("mann-whitney", "student")))
    assert list(full.columns) == RESULT_COLUMNS + EXTRA_TEST_COLUMNS["mann-whitney"] + ["p_student"]
    pd.testing.assert_frame_equal(base, full[RESULT_COLUMNS], check_exact=True)
    with pytest.raises(DataError):
        analyse(trial.table, trial.mapping, Settings(extra_tests=("bayes",)))


def test_mann_whitney_as_an_extra_test_keeps_its_note(trial):
    res = analyse(trial.table, trial.mapping, Settings(extra_tests=("mann-whitney",)))
    rows = res[res.subgroup == "All"].set_index("outcome")
    assert (rows.loc["suspect_knife", ["hodges_lehmann_ci_low", "hodges_lehmann_ci_high"]]
            == 0).all()
    assert "single value 0" in rows.loc["suspect_knife", "note_mann_whitney"]
    assert rows.loc["suspect_harm", "note_mann_whitney"] == ""


def test_categorical_and_split_paths_equal_plain_selection(trial):
    """Categorical arm/subgroup and shuffled rows give the same results as plain object columns."""
    t = trial.table.sample(frac=1.0, random_state=4).reset_index(drop=True)
    cat = t.astype({"arm": "category", "age_group": "category"})
    a = analyse(t, trial.mapping, Settings(extra_tests=("mann-whitney",)))
    b = analyse(cat, trial.mapping, Settings(extra_tests=("mann-whitney",)))
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for (level, outcome, x, y, _), (_, r) in zip(split_rows(t, trial.mapping), a.iterrows()):
        assert same(r.p_value, fd_stats.welch_t(x, y).p_value)
        assert same(r.sd_treatment, x.std(ddof=1))


# ---------------------------------------------------------------- rank statistics by counting

def rank_reference(x, y, shift=0.0):
    """W and the tie sum by ranking everyone (what R does)."""
    pooled = np.concatenate([x - shift, y])
    ranks = stats.rankdata(pooled)
    _, t = np.unique(pooled, return_counts=True)
    return ranks[: len(x)].sum() - len(x) * (len(x) + 1) / 2, int((t**3 - t).sum())


@pytest.mark.parametrize("seed", range(6))
def test_rank_sums_by_counting_equal_ranking(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 3000, 2)
    if seed % 3 == 0:
        x, y = rng.poisson(1.3, m).astype(float), rng.poisson(1.6, n).astype(float)
    elif seed % 3 == 1:
        x, y = np.round(rng.normal(0, 1, m), 1), np.round(rng.normal(0.2, 1, n), 1)
    else:
        x, y = rng.normal(size=m), rng.normal(size=n)
    rs = rank.RankSums(x, y)
    for shift in (0.0, 1.0, -0.3, 0.1, float(x[0] - y[0])):
        w, ties = rs.w_and_ties(shift)
        w_ref, ties_ref = rank_reference(x, y, shift)
        assert w == w_ref and ties == ties_ref
    assert rs.has_ties() == (len(np.unique(np.concatenate([x, y]))) < m + n)


def bisection_root(x, y, zq, correct_for, lo, hi):
    """The original plain bisection on ranks (reference for the jump-point search)."""
    def wdiff(d):
        w, ties = rank_reference(x, y, d)
        m, n = len(x), len(y)
        dz = w - m * n / 2
        sigma = np.sqrt((m * n / 12) * ((m + n + 1) - ties / ((m + n) * (m + n - 1))))
        corr = {"two-sided": np.sign(dz) * 0.5, "greater": 0.5, "less": -0.5, None: 0.0}[correct_for]
        return (dz - corr) / sigma - zq
    if wdiff(lo) <= 0:
        return lo
    if wdiff(hi) >= 0:
        return hi
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if wdiff(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


@pytest.mark.parametrize("seed", range(8))
def test_hodges_lehmann_interval_search_equals_bisection(seed):
    """The bound picked by counting and selection = plain bisection on ranks (to its precision)."""
    rng = np.random.default_rng(100 + seed)
    m, n = rng.integers(3, 60, 2)
    x = rng.poisson(2, m).astype(float) if seed % 2 else np.round(rng.gamma(1, 50, m), 2)
    y = rng.poisson(2.5, n).astype(float) if seed % 2 else np.round(rng.gamma(1, 60, n), 2)
    lo, hi = x.min() - y.max(), x.max() - y.min()
    ranks = rank.RankSums(x, y)
    pairs = rank.PairwiseDifferences.of(ranks)
    for zq, cf in ((1.96, "two-sided"), (-1.96, "two-sided"), (1.64, "greater"), (-1.64, None)):
        got = rank._interval_bound(ranks, pairs, zq, cf, lo, hi)
        want = bisection_root(x, y, zq, cf, lo, hi)
        scale = max(abs(lo), abs(hi), 1.0)
        assert np.round(got / scale, 12) == np.round(want / scale, 12)


def test_large_integer_mann_whitney_matches_ranking_and_pairs():
    rng = np.random.default_rng(5)
    x, y = rng.poisson(1.0, 2500).astype(float), rng.poisson(1.2, 2000).astype(float)
    r = fd_stats.mann_whitney(x, y)
    sp = stats.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True)
    assert r.statistic == sp.statistic and math.isclose(r.p_value, sp.pvalue, rel_tol=1e-9)
    # histogram Hodges-Lehmann (m * n > 4 million pairs) = median of all pairwise differences
    big_x, big_y = rng.poisson(2, 2100).astype(float), rng.poisson(2.4, 2000).astype(float)
    assert rank.hodges_lehmann(big_x, big_y) == np.median(np.subtract.outer(big_x, big_y))
    assert fd_stats.mann_whitney(big_x, big_y).estimate == np.median(
        np.subtract.outer(big_x, big_y))


# ---------------------------------------------------------------- large-sample resampling

def test_large_sample_resampling_by_counts_matches_people_to_mc_error(monkeypatch):
    """Counts of each distinct value (hypergeometric / multinomial) = shuffling people."""
    rng = np.random.default_rng(11)
    x, y = rng.poisson(0.9, 1500).astype(float), rng.poisson(1.0, 1600).astype(float)
    ref = fd_stats.permutation_test(x, y, n_resamples=4000, seed=1)         # people shuffled
    ref_pc = percent_change_bootstrap(x, y, n_resamples=4000, seed=1)
    monkeypatch.setattr(permutation, "RESAMPLING_WORK", 10_000)
    fast = fd_stats.permutation_test(x, y, n_resamples=4000, seed=2)        # counts drawn
    assert "counts of each distinct value" in fast.method and fast.n_resamples == 4000
    assert abs(fast.p_value - ref.p_value) < math.sqrt(2) * mc_tol(ref.p_value, 4000)
    fast_pc = percent_change_bootstrap(x, y, n_resamples=4000, seed=2)
    assert "counts of each distinct value" in fast_pc.method
    width = ref_pc.ci_high - ref_pc.ci_low
    assert abs(fast_pc.ci_low - ref_pc.ci_low) < 0.1 * width
    assert abs(fast_pc.ci_high - ref_pc.ci_high) < 0.1 * width
    # many distinct values: every re-randomisation asked for, drawn as random sorts of the
    # people (no longer fewer; tests/test_resampling_large.py checks the distribution)
    cont = fd_stats.permutation_test(rng.normal(size=300), rng.normal(size=300), n_resamples=4000)
    assert cont.n_resamples == 4000 and "counts" not in cont.method


def test_resampling_is_seeded_and_deterministic(trial):
    s = Settings(extra_tests=FULL_ANALYSIS, permutations=1000, seed=5)
    a = analyse(trial.table, trial.mapping, s)
    b = analyse(trial.table, trial.mapping, s)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = analyse(trial.table, trial.mapping, Settings(extra_tests=FULL_ANALYSIS, permutations=1000,
                                                     seed=6))
    assert not a.p_permutation.equals(c.p_permutation)


# ---------------------------------------------------------------- reading and the CLI

def test_parquet_categorical_read_gives_the_same_analysis(trial, tmp_path):
    from fd_stats.data.io import read_table

    path = tmp_path / "people.parquet"
    trial.table.to_parquet(path, index=False)
    plain = read_table(path)
    fast = read_table(path, columns=["arm", "age_group", *trial.mapping.outcomes], categorical=True)
    assert isinstance(fast["arm"].dtype, pd.CategoricalDtype)
    m = Mapping(outcomes=trial.mapping.outcomes, subgroup="age_group")
    pd.testing.assert_frame_equal(analyse(plain, m), analyse(fast, m), check_exact=True)


def test_cli_choices_and_extra_columns(trial, tmp_path, capsys):
    from fd_stats.cli import main as cli

    assert cli.TEST_CHOICES == list(fd_stats.TESTS)
    assert set(cli.EXTRA_CHOICES) == set(EXTRA_TEST_COLUMNS)
    path = tmp_path / "people.parquet"
    trial.table.to_parquet(path, index=False)
    assert cli.main(["analyse", str(path), "--subgroup", "age_group", "--format", "csv"]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    want = analyse(trial.table, Mapping(subgroup="age_group"),
                   Settings(extra_tests=("mann-whitney",)))
    assert len(out) == len(want) and "p_mann_whitney" in out.columns
    np.testing.assert_allclose(out.p_mann_whitney, want.p_mann_whitney, rtol=1e-12)
    np.testing.assert_allclose(out.p_value, want.p_value, rtol=1e-12)
    assert cli.main(["analyse", str(path), "--also", "nonsense"]) == 2
    assert "aggregate" in cli.build_parser().format_help()


# ---------------------------------------------------------------- validation by counting

def value_cases():
    rng = np.random.default_rng(11)
    n = 400
    yield "counts", rng.negative_binomial(1, 0.4, n)
    far = rng.poisson(1.0, n)
    far[[3, 99]] = [250, 4000]  # far from the median: flagged as extreme
    yield "two far values", far
    yield "constant", np.full(n, 3)
    one_arm_constant = rng.poisson(2.0, n)
    one_arm_constant[::2] = 1
    yield "one arm constant", one_arm_constant
    yield "mostly zero", (rng.random(n) < 0.01).astype(np.int64)
    yield "uint8", rng.integers(0, 200, n).astype(np.uint8)
    yield "three rows", np.array([0, 5, 5])


def assert_same_summary(a, b):
    for name in ["inf", "huge", "missing", "negative", "fraction", "far"]:
        m1, m2 = getattr(a, name), getattr(b, name)
        assert (m1 is None and m2 is None) or np.array_equal(m1, m2), name
    assert same(a.median, b.median) and same(a.far_example, b.far_example)
    assert same(a.fraction_example, b.fraction_example)
    assert same(a.huge_example, b.huge_example)
    assert a.kept_range == b.kept_range
    for (n1, lo1, hi1), (n2, lo2, hi2) in zip(a.arm_ranges, b.arm_ranges):
        assert n1 == n2 and same(lo1, lo2) and same(hi1, hi2)


@pytest.mark.parametrize("case", [c for c, _ in value_cases()])
@pytest.mark.parametrize("kept", ["all", "some excluded", "none"])
def test_validation_by_counting_equals_direct(case, kept):
    """The counted summary of a whole-number column equals the direct one on the same values
    as floats: same flagged rows, same median, ranges and examples."""
    from fd_stats.data.validate import _describe_direct, _describe_counts, describe_values

    v = dict(value_cases())[case]
    rng = np.random.default_rng(len(v))
    arm = rng.integers(0, 3, len(v))  # 0 excluded, 1 control, 2 treatment
    keep = {"all": arm >= 0, "some excluded": arm > 0, "none": arm < 0}[kept]
    is_t = (arm == 2) & keep
    fast = describe_values(pd.Series(v), keep, is_t)
    assert_same_summary(fast, _describe_counts(v, int(v.max()), keep, is_t))  # both paths agree
    assert_same_summary(fast, _describe_direct(v.astype(float), keep, is_t))
    if case == "two far values":
        assert fast.far is not None and np.flatnonzero(fast.far).tolist() == [3, 99]


def float_cases():
    rng = np.random.default_rng(12)
    n = 400
    money = np.round(rng.lognormal(6, 1.2, n), 2)
    yield "money", money
    harm = money.copy()
    harm[rng.random(n) < 0.7] = 0.0
    harm[[5, 77]] = [1e5, 2e5]  # far from the median
    yield "harm with far values", harm
    yield "negative decimals", rng.normal(0, 3, n)
    yield "whole floats", rng.poisson(2, n).astype(float)
    yield "constant", np.full(n, 2.5)
    yield "three rows", np.array([0.5, -1.0, 7.25])
    yield "above 1e6", np.where(rng.random(n) < 0.02, 3e6, money)
    # a value just beyond 20 trimmed SDs of the median (the largest value: moving it
    # changes neither the median nor the trimmed SD)
    v = np.append(np.round(rng.normal(0, 1, n), 2), 100.0)
    med, lo, hi = np.percentile(v, [50, 1, 99])
    sd = v[(v >= lo) & (v <= hi)].std(ddof=1)
    v[-1] = med + 20.05 * sd
    yield "just beyond 20 SDs", v


@pytest.mark.parametrize("case", [c for c, _ in float_cases()])
@pytest.mark.parametrize("kept", ["all", "some excluded", "none"])
def test_validation_of_usable_floats_equals_the_masked_summary(case, kept):
    """Money and scores with no missing, infinite or huge value skip the masks: the same
    summary as the masked computation (flags, examples, median, ranges)."""
    from fd_stats.data.validate import _describe_direct, _describe_masked, describe_values

    v = dict(float_cases())[case]
    arm = np.random.default_rng(len(v) + 1).integers(0, 3, len(v))
    keep = {"all": arm >= 0, "some excluded": arm > 0, "none": arm < 0}[kept]
    is_t = (arm == 2) & keep
    assert_same_summary(_describe_direct(v, keep, is_t), _describe_masked(v, keep, is_t))
    # whole numbers stored as floats (a CSV's counts) are summarised by counting: the same
    assert_same_summary(describe_values(pd.Series(v), keep, is_t),
                        _describe_masked(v, keep, is_t))
    assert (_describe_direct(v, keep, is_t).far is not None) == (case in (
        "harm with far values", "above 1e6", "just beyond 20 SDs"))


def test_validation_report_same_for_whole_numbers_stored_as_floats(trial):
    from fd_stats.data.validate import validate

    table = trial.table.copy()
    table.loc[3, "arm"] = "waiting list"  # excluded row
    table.loc[10, "victim_knife"] = 900  # an extreme count
    table["victim_violent"] = 2  # no variation
    counts = [o for o in trial.mapping.outcomes if table[o].dtype.kind == "i"]
    a = validate(table, trial.mapping).to_frame()
    b = validate(table.astype({o: float for o in counts}), trial.mapping).to_frame()
    pd.testing.assert_frame_equal(a, b)
    assert {"excluded rows", "extreme values", "no variation"} <= set(a.check)


def test_counting_is_not_used_when_the_counts_would_outgrow_the_people():
    """Many subgroup levels and a large count: a count per value and group would need more
    cells than there are people, so the values are reordered instead (same results)."""
    from fd_stats.analysis import _Split, prepare

    rng = np.random.default_rng(3)
    n = 3000
    table = pd.DataFrame({"arm": rng.choice(["treatment", "control"], n),
                          "district": rng.integers(0, 300, n).astype(str),
                          "days": rng.poisson(3, n), "crimes": rng.poisson(1, n)})
    table.loc[0, "days"] = 5000
    mapping = Mapping(outcomes=("days", "crimes"), subgroup="district")
    split = _Split(prepare(table, mapping))
    assert split.top == {"days": None, "crimes": int(table["crimes"].max())}
    res = analyse(table, mapping)
    as_float = analyse(table.astype({"days": float, "crimes": float}), mapping)
    pd.testing.assert_frame_equal(res, as_float, check_exact=False, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- Hodges-Lehmann by selection
# Issue 16: the estimate and interval come from counting and selecting pairwise differences
# (PairwiseDifferences) instead of root finding over the data. Reference: today's code before
# the change, kept verbatim in tests/reference_mann_whitney.py. Bounds agree to 1e-12 of the
# data's range: the old code rounded each bound to 12 significant digits of that range to drop
# bisection dust; the new one returns the pairwise difference itself.

import reference_mann_whitney as old_mw  # noqa: E402
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st  # noqa: E402

KINDS = ["counts", "zeros_and_decimals", "heavy", "binary", "continuous", "few_values"]


def draw(kind, rng, m, n):
    """Two arms of one outcome shape: ties, zeros, heavy tails, whole numbers, decimals."""
    def one(size, shift):
        if kind == "counts":
            return rng.poisson(rng.gamma(0.5, 2 + shift, size)).astype(float)
        if kind == "zeros_and_decimals":   # harm scores: mostly 0, log-normal tail, 2 decimals
            v = np.round(rng.lognormal(2 + shift, 1.3, size), 2)
            v[rng.random(size) < 0.7] = 0.0
            return v
        if kind == "heavy":                # Cauchy-like tails with 1 decimal
            return np.round(rng.standard_t(1, size) * 10 + shift, 1)
        if kind == "binary":
            return (rng.random(size) < 0.3 + 0.1 * shift).astype(float)
        if kind == "continuous":
            return rng.normal(shift, 1, size)
        return rng.choice([0.0, 1.5, 2.25, 7.0], size) + (shift if size % 2 else 0)
    return one(m, 0.0), one(n, 0.4)


def close(a, b, scale):
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 2e-12 * scale


def assert_same_mann_whitney(x, y, **kw):
    new, old = fd_stats.mann_whitney(x, y, **kw), old_mw.mann_whitney(x, y, **kw)
    scale = max(np.abs(np.concatenate([x, y])).max(initial=0.0) * 2, 1.0)
    assert new.p_value == old.p_value or (math.isnan(new.p_value) and math.isnan(old.p_value))
    assert new.statistic == old.statistic or math.isnan(old.statistic)
    assert (new.method, new.exact) == (old.method, old.exact)
    if new.estimable:
        assert (new.note == "") == (new.ci_low != new.ci_high)
    else:
        assert new.note == old.note
    for f in ("estimate", "ci_low", "ci_high"):
        assert close(getattr(new, f), getattr(old, f), scale), (f, getattr(new, f), getattr(old, f))
    return new


@hyp_settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), m=st.integers(1, 90), n=st.integers(1, 90),
       seed=st.integers(0, 2**32 - 1),
       alternative=st.sampled_from(["two-sided", "less", "greater"]), correct=st.booleans(),
       level=st.sampled_from([0.8, 0.95, 0.99]), method=st.sampled_from(["auto", "asymptotic"]))
def test_mann_whitney_by_selection_equals_todays_implementation(kind, m, n, seed, alternative,
                                                                correct, level, method):
    x, y = draw(kind, np.random.default_rng(seed), m, n)
    assert_same_mann_whitney(x, y, alternative=alternative, correct=correct,
                             confidence_level=level, method=method)


@hyp_settings(max_examples=80, deadline=None)
@given(x=st.lists(st.integers(0, 6), min_size=1, max_size=60),
       y=st.lists(st.integers(0, 6), min_size=1, max_size=60),
       cents=st.booleans(), alternative=st.sampled_from(["two-sided", "less", "greater"]))
def test_mann_whitney_by_selection_equals_todays_on_small_tied_data(x, y, cents, alternative):
    x, y = np.array(x, float), np.array(y, float)
    if cents:  # the same ties on a 0.01 grid (pence, two-decimal scores)
        x, y = x * 0.37, y * 0.37
    assert_same_mann_whitney(x, y, alternative=alternative)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", ["grid", "sampled brackets"])
def test_pairwise_selection_paths_equal_sorting_every_pair(kind, path, monkeypatch):
    """Each selection path (forced on small data) gives exactly the k-th smallest of all m x n
    differences (in whole grid steps for data on a decimal grid)."""
    monkeypatch.setattr(rank, "ALL_PAIRS_LIMIT", 0)
    monkeypatch.setattr(rank, "CONVOLVE_LIMIT", 0)
    if path == "sampled brackets":
        monkeypatch.setattr(rank, "GRID_SCALES", ())
    rng = np.random.default_rng(KINDS.index(kind))
    for m, n in ((1, 1), (1, 40), (37, 2), (300, 250), (700, 20)):
        x, y = draw(kind, rng, m, n)
        pairs = rank.PairwiseDifferences(*rank.value_counts(x), *rank.value_counts(y))
        sx, sy = rank.grid_scale(x), rank.grid_scale(y)
        if sx is None or sy is None:   # x - y in floating point, as R's outer(x, y, "-")
            every = np.sort(np.subtract.outer(x, y).ravel())
        else:                          # whole grid steps: 7.0 - 7.4 = 1.5 - 1.9 = -0.4
            s = max(sx, sy)
            every = np.sort(np.subtract.outer(np.rint(x * s), np.rint(y * s)).ravel()) / s
            assert np.allclose(every, np.sort(np.subtract.outer(x, y).ravel()), rtol=0,
                               atol=1e-12 * max(np.abs(every).max(), 1))
        ks = np.unique(np.r_[1, len(every), (len(every) + 1) // 2, len(every) // 2 + 1,
                            rng.integers(1, len(every) + 1, 12)])
        assert np.array_equal(pairs.select(ks), every[ks - 1])
        assert pairs.median() == np.median(every)
        for t in every[ks - 1]:
            assert pairs.count_le(t) == np.count_nonzero(every <= t)


@pytest.mark.parametrize("kind", ["counts", "zeros_and_decimals", "continuous", "heavy"])
def test_large_mann_whitney_equals_todays_bisection(kind):
    """Beyond 2 million pairs of distinct values the old code bisected over real shifts: the
    bounds agree to its precision; its estimate was the lower of the two middle differences
    (bisection), the new one is their mean, the median as defined (and as np.median)."""
    rng = np.random.default_rng(7)
    x, y = draw(kind, rng, 2600, 2300)
    new = assert_same_mann_whitney(x, y) if kind != "continuous" else fd_stats.mann_whitney(x, y)
    old = old_mw.mann_whitney(x, y)
    every = np.sort(np.subtract.outer(x, y).ravel())
    half = len(every) // 2
    assert new.estimate == pytest.approx(np.median(every), rel=1e-13, abs=1e-13)
    assert every[half - 1] - 1e-9 <= old.estimate <= every[half] + 1e-9
    scale = max(np.abs(every).max(), 1.0)
    assert close(new.ci_low, old.ci_low, scale) and close(new.ci_high, old.ci_high, scale)


@pytest.mark.parametrize("seed", range(4))
def test_value_counts_on_a_grid_equal_sorting(seed):
    """Counting on a decimal grid (with sorted tails either side of the dense window) gives
    np.unique's distinct values and counts exactly; off-grid values fall back to sorting."""
    rng = np.random.default_rng(seed)
    n = 300_000
    cases = [np.round(rng.lognormal(6.9, 1.2, n), 2),                     # pence, long tail
             -np.round(rng.lognormal(6.9, 1.2, n), 2),                    # long lower tail
             np.round(rng.lognormal(2, 1.3, n), 2) * (rng.random(n) < 0.3),  # 70% zeros
             np.r_[np.round(rng.normal(0, 1, n), 3), -1e7, 5e8],          # far outliers both sides
             rng.poisson(3, n).astype(float), np.round(rng.normal(0, 1e4, n), 1),
             rng.normal(size=n), np.r_[np.round(rng.normal(size=n), 2), 0.125 + 1e-9]]
    for v in cases:
        got, want = rank.value_counts(v), np.unique(v, return_counts=True)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert rank.grid_scale(cases[0]) == 100 and rank.grid_scale(cases[4]) == 1
    assert rank.grid_scale(cases[6]) is None and rank.grid_scale(cases[7]) is None


def test_tie_correction_exact_beyond_int64_for_millions_of_people():
    """1.9 million people per arm with a 0/1 outcome: the tie term (sum of t^3 - t over the
    pooled values) is about 1e19, beyond int64. The old code summed part of it in int64 and
    overflowed (p = 0.00081 instead of 0.000055 for the data below); it must be exact."""
    xc, yc = {0: 950_123, 1: 949_877}, {0: 946_001, 1: 953_999}
    x = np.repeat([0.0, 1.0], [xc[0], xc[1]])
    y = np.repeat([0.0, 1.0], [yc[0], yc[1]])
    w, ties = rank.RankSums(x, y).w_and_ties(0.0)
    pooled = [xc[0] + yc[0], xc[1] + yc[1]]
    assert ties == sum(t**3 - t for t in pooled)                 # Python integers: exact
    assert w == xc[1] * yc[0] + 0.5 * (xc[0] * yc[0] + xc[1] * yc[1])
    m, n = len(x), len(y)
    sigma = math.sqrt(m * n / 12 * ((m + n + 1) - ties / ((m + n) * (m + n - 1))))
    z = (abs(w - m * n / 2) - 0.5) / sigma
    assert fd_stats.mann_whitney(x, y).p_value == pytest.approx(math.erfc(z / math.sqrt(2)),
                                                                 rel=1e-9)


def r_selection_data(kind, m=700, n=650):
    """The formula-built samples of tests/r/hodges_lehmann_selection.R (same values in R)."""
    i, j = np.arange(m), np.arange(n)
    if kind == "pence":
        return (np.round(((i * 37) % 101) * 1.37 + ((i % 7) ** 2) * 0.5, 2),
                np.round(((j * 53) % 97) * 1.41 + ((j % 5) ** 2) * 0.75, 2))
    if kind == "wide_counts":
        return ((i * 7919) % 1501).astype(float), (((j * 104729) % 1499) + 20).astype(float)
    return np.sqrt(i + 1) * np.pi, np.sqrt(j + 2) * np.e + 0.3


# Rscript tests/r/hodges_lehmann_selection.R:
# wilcox.test(x, y, conf.int = TRUE, alternative = alt) -> (estimate, conf.int, p.value)
R_SELECTION = {
    ("pence", "two.sided"): (2.940049118, -1.509980112, 7.400013648, 0.19412101095891754),
    ("pence", "less"): (2.940049118, -np.inf, 6.680021568, 0.90296348309828678),
    ("wide_counts", "two.sided"): (-18.99990185, -65.99997194, 28.00004228, 0.43433143954366094),
    ("wide_counts", "less"): (-18.99990185, -np.inf, 20.99998007, 0.21716571977183047),
    ("continuous", "two.sided"): (9.874676327, 7.956807134, 11.72581522, 6.9192965978713157e-21),
    ("continuous", "less"): (9.874676327, -np.inf, 11.43280837, 1),
}


@pytest.mark.parametrize("case", sorted(R_SELECTION))
def test_selection_paths_match_r(case):
    """Samples big enough for each selection path (convolution, grid-step search, sampled
    brackets): R's uniroot answers to its tolerance (tol.root = 1e-4)."""
    kind, alt = case
    x, y = r_selection_data(kind)
    pairs = rank.PairwiseDifferences(*rank.value_counts(x), *rank.value_counts(y))
    assert len(pairs.ux) * len(pairs.uy) > rank.ALL_PAIRS_LIMIT       # not every pair formed
    # whole numbers in a modest range: convolution; pence: grid steps; else sampled brackets
    assert (pairs._small_table() is not None) == (kind == "wide_counts")
    assert (pairs.scale is not None) == (kind != "continuous")
    r = fd_stats.mann_whitney(x, y, alternative={"two.sided": "two-sided"}.get(alt, alt))
    est, lo, hi, p = R_SELECTION[case]
    assert r.p_value == pytest.approx(p, rel=1e-9)
    assert r.estimate == pytest.approx(est, abs=2e-4)
    assert r.ci_low == pytest.approx(lo, abs=2e-4) and r.ci_high == pytest.approx(hi, abs=2e-4)


# ---------------------------------------------------------------- Mann-Whitney from value counts
# Issue 16: analyse passes the value counts its counting split already holds to
# rank.mann_whitney_counts instead of rebuilding every person's value and counting again.

def counts_of(x, y, extra_zero_rows=True):
    """(values, count per value in treatment, in control); values with no one in either arm
    kept when asked (the split's histogram has every whole number from 0 to the maximum)."""
    values = np.unique(np.concatenate([x, y]))
    if extra_zero_rows and len(values):
        values = np.unique(np.concatenate([values, values + 0.5]))
    ct = np.array([(x == v).sum() for v in values])
    cc = np.array([(y == v).sum() for v in values])
    return values, ct, cc


@hyp_settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), m=st.integers(0, 90), n=st.integers(0, 90),
       seed=st.integers(0, 2**32 - 1),
       alternative=st.sampled_from(["two-sided", "less", "greater"]), correct=st.booleans(),
       level=st.sampled_from([0.8, 0.95, 0.99]),
       method=st.sampled_from(["auto", "asymptotic", "exact"]), zero_rows=st.booleans())
def test_mann_whitney_from_counts_equals_people(kind, m, n, seed, alternative, correct, level,
                                                method, zero_rows):
    """Every field equal to mann_whitney on the people (empty arms, one value, exact and
    asymptotic, ties); means exactly equal for whole numbers."""
    x, y = draw(kind, np.random.default_rng(seed), m, n)
    if kind == "few_values" and seed % 3 == 0:
        x, y = np.full(m, 2.0), np.full(n, 2.0)     # every value the same: not estimable
    kw = dict(alternative=alternative, correct=correct, confidence_level=level, method=method)
    values, ct, cc = counts_of(x, y, zero_rows)
    got = rank.mann_whitney_counts(values, ct, cc, **kw)
    want = fd_stats.mann_whitney(x, y, **kw)
    whole = kind in ("counts", "binary")
    for f in want.__dataclass_fields__:
        g, w = getattr(got, f), getattr(want, f)
        if f in ("mean_treatment", "mean_control", "estimate") and not whole \
                and not (isinstance(w, float) and math.isnan(w)):
            # the mean from counts (sum of value x count) can differ in the last bits
            assert g == pytest.approx(w, rel=1e-12, abs=1e-12), f
        elif isinstance(w, float) and math.isnan(w):
            assert math.isnan(g), (f, g)
        else:
            assert g == w, (f, g, w)
    if len(x) and len(y):   # and to today's implementation (kept verbatim)
        old = old_mw.mann_whitney(x, y, **kw)
        assert got.p_value == old.p_value or (math.isnan(got.p_value) and math.isnan(old.p_value))


def test_mann_whitney_from_counts_matches_r():
    """The whole-number sample of tests/r/hodges_lehmann_selection.R given as counts."""
    x, y = r_selection_data("wide_counts")
    values, ct, cc = counts_of(x, y, extra_zero_rows=False)
    for alt, r_alt in (("two-sided", "two.sided"), ("less", "less")):
        r = rank.mann_whitney_counts(values, ct, cc, alternative=alt)
        est, lo, hi, p = R_SELECTION[("wide_counts", r_alt)]
        assert r.p_value == pytest.approx(p, rel=1e-9)
        assert r.estimate == pytest.approx(est, abs=2e-4)
        assert r.ci_low == pytest.approx(lo, abs=2e-4) and r.ci_high == pytest.approx(hi, abs=2e-4)


@pytest.mark.parametrize("bad, message", [
    (([0.0, 1.0], [1, 2], [1]), "equal length"),
    (([1.0, 0.0], [1, 2], [1, 1]), "strictly increasing"),
    (([0.0, np.nan], [1, 2], [1, 1]), "strictly increasing"),
    (([0.0, 1.0], [1, -2], [1, 1]), "at least 0"),
    (([0.0, 1.0], [1, 0.5], [1, 1]), "whole numbers"),
])
def test_mann_whitney_from_counts_rejects_bad_counts(bad, message):
    with pytest.raises(DataError, match=message):
        rank.mann_whitney_counts(*bad)


def test_analyse_takes_mann_whitney_from_the_split_counts(trial, monkeypatch):
    """Count outcomes without resampling: no Mann-Whitney on the people at all (the counts
    are used), and the columns equal mann_whitney on each row's people."""
    counts = [o for o in trial.mapping.outcomes if trial.table[o].dtype.kind == "i"]
    mapping = Mapping(outcomes=tuple(counts), subgroup=trial.mapping.subgroup)
    want = analyse(trial.table, mapping, Settings(extra_tests=("mann-whitney",)))
    monkeypatch.setitem(fd_stats.analysis.TESTS, "mann-whitney",
                        lambda *a, **k: pytest.fail("Mann-Whitney recounted the people"))
    for test in ("welch", "mann-whitney"):
        got = analyse(trial.table, mapping, Settings(test=test, extra_tests=("mann-whitney",)))
        cols = ["p_mann_whitney", "hodges_lehmann", "hodges_lehmann_ci_low",
                "hodges_lehmann_ci_high", "note_mann_whitney"]
        pd.testing.assert_frame_equal(got[cols], want[cols], check_exact=True)
    rows = split_rows(trial.table, mapping)
    for (level, outcome, x, y, _), (_, r) in zip(rows, want.iterrows()):
        mw = fd_stats.mann_whitney(x, y)
        assert (r.p_mann_whitney, r.hodges_lehmann, r.hodges_lehmann_ci_low,
                r.hodges_lehmann_ci_high) == (mw.p_value, mw.estimate, mw.ci_low, mw.ci_high)


def awkward_arms():
    """(name, x, y): arms whose pooled counting takes every path of arm_value_counts."""
    rng = np.random.default_rng(21)
    money = lambda n: np.round(rng.lognormal(6, 1.2, n), 2)  # noqa: E731
    yield "money (window and tails)", money(3000), money(2500)
    harm = money(4000)
    harm[rng.random(4000) < 0.7] = 0.0
    harm[:3] = [1e6, 2.5e6, 3e6]  # far above the window
    yield "harm scores", harm[:2100], harm[2100:]
    yield "pounds vs pence (two grids)", np.round(rng.lognormal(3, 1, 900)), money(700)
    yield "negative one decimal", np.round(rng.normal(-5, 30, 800), 1), np.round(
        rng.normal(0, 30, 600), 1)
    yield "no grid (pooled unique)", rng.normal(size=700), rng.normal(0.2, 1, 500)
    yield "few people", money(40), money(30)
    yield "arms do not overlap", money(300), money(300) + 1e5
    yield "one value each", np.full(300, 2.5), np.full(200, 7.25)
    yield "whole floats", rng.poisson(3, 600).astype(float), rng.poisson(3.3, 500).astype(float)


@pytest.mark.parametrize("case", [c for c, _, _ in awkward_arms()])
def test_arm_value_counts_equal_each_arms_value_counts(case):
    """Both arms counted together give each arm's own value counts exactly (the same
    doubles), and the rank sum and ties from them equal the separate counts' search."""
    from fd_stats.methods.rank import RankSums, arm_value_counts, value_counts

    x, y = next((x, y) for c, x, y in awkward_arms() if c == case)
    u, cx, cy = arm_value_counts(x, y)
    assert (np.diff(u) > 0).all() and ((cx + cy) > 0).all()
    for counts, arm in ((cx, x), (cy, y)):
        ua, ca = value_counts(arm)
        assert np.array_equal(u[counts > 0], ua) and np.array_equal(counts[counts > 0], ca)
    aligned, separate = RankSums.of_aligned(u, cx, cy), RankSums(x, y)
    assert aligned.w_and_ties(0.0) == separate.w_and_ties(0.0)
    assert aligned.has_ties() == separate.has_ties()


def test_analyse_mann_whitney_of_money_and_scores_equals_the_peoples():
    """Outcomes that are not small counts (money, scores with decimals, negative values,
    missing values, an excluded arm value) take Mann-Whitney from both arms' pooled
    counts: every column equal to mann_whitney on each row's people."""
    rng = np.random.default_rng(5)
    n = 3000
    table = pd.DataFrame({
        "arm": rng.choice(["treatment", "control", "waiting list"], n, p=[0.45, 0.45, 0.1]),
        "age_group": rng.choice(["11-17", "18-25", "26+"], n),
        "cost": np.round(rng.lognormal(6, 1.2, n), 2),
        "harm": np.where(rng.random(n) < 0.7, 0.0, np.round(rng.lognormal(2, 1.3, n), 2)),
        "change": np.round(rng.normal(0, 10, n), 1),
        "score": rng.normal(size=n),
    })
    table.loc[rng.random(n) < 0.05, "cost"] = np.nan
    table.loc[:40, "age_group"] = None
    mapping = Mapping(outcomes=("cost", "harm", "change", "score"), subgroup="age_group")
    got = analyse(table, mapping, Settings(extra_tests=("mann-whitney",)))
    kept = table[table.arm != "waiting list"]
    for (level, outcome, x, y, _), (_, r) in zip(split_rows(kept, mapping), got.iterrows()):
        assert (r.subgroup, r.outcome) == (level, outcome)
        mw = fd_stats.mann_whitney(x, y)
        assert (r.p_mann_whitney, r.hodges_lehmann, r.hodges_lehmann_ci_low,
                r.hodges_lehmann_ci_high, r.note_mann_whitney) == (
            mw.p_value, mw.estimate, mw.ci_low, mw.ci_high, mw.note), (level, outcome)
    primary = analyse(table, mapping, Settings(test="mann-whitney"))
    pd.testing.assert_series_equal(primary.p_value, got.p_mann_whitney, check_names=False)


# ---------------------------------------------------------------- the permutation test once per grid

@pytest.mark.parametrize("alternatives", [("two-sided", "greater"), ("less", "two-sided"),
                                          ("greater", "less", "two-sided")])
def test_threshold_grid_permutation_once_equals_each_sidedness_afresh(alternatives):
    """The grid's permutation p-values for every sidedness come from one run (the same
    re-randomisations) and equal running the test afresh for each sidedness: Monte Carlo
    (80 people), exact (a 3-person level), per-outcome (missing values) and batched paths."""
    from fd_stats.thresholds import threshold_grid
    rng = np.random.default_rng(11)
    n = 80
    arm = np.where(rng.random(n) < 0.5, "treatment", "control")
    group = rng.choice(["a", "b"], size=n)
    group[:3], arm[:3] = "tiny", ["treatment", "control", "control"]
    skewed = rng.negative_binomial(1, 0.3, size=n).astype(float)
    skewed[rng.random(n) < 0.1] = np.nan
    table = pd.DataFrame({"arm": arm, "group": group, "skewed": skewed,
                          "shifted": rng.poisson(2, n) + (arm == "control"),
                          "money": np.round(rng.lognormal(3, 1, n), 2)})
    mapping = Mapping(outcomes=("skewed", "shifted", "money"), subgroup="group")
    base = Settings(permutations=700, seed=5)
    calls = []

    def counted(s):
        calls.append(s.alternative)
        return analyse(table, mapping, s)

    grid = threshold_grid(None, settings=base, analyse_fn=counted, alternatives=alternatives,
                          tests=("permutation",))
    assert calls == [alternatives[0]]
    for alt in alternatives:
        fresh = analyse(table, mapping, replace(base, test="permutation", alternative=alt))
        got = grid[(grid["alternative"] == alt) & (grid["correction"] == "none")
                   & (grid["alpha"] == 0.05)]
        np.testing.assert_array_equal(got["p_value"].to_numpy(), fresh["p_value"].to_numpy())
    # rows no longer as analyse gave them (some dropped): each sidedness is run afresh
    calls.clear()
    threshold_grid(None, settings=base, alternatives=alternatives, tests=("permutation",),
                   analyse_fn=lambda s: counted(s).iloc[:-1])
    assert calls == list(alternatives)


# ---------------------------------------------------------------- the kind guess on distinct values

def test_column_facts_from_distinct_values_equal_every_persons_text():
    """mapping.Facts counts distinct texts from each distinct value (numbers: distinct values
    when more than 12), not a Python call per person: the same counts and value lists as the
    texts of every person's value, on awkward columns."""
    from fd_stats.data.mapping import (FACTS, KIND_RULES, Facts, _first, _value_text,
                                       guess_kind_reason)
    rng = np.random.default_rng(0)
    n = 5000
    table = pd.DataFrame({
        "decimals": np.round(rng.lognormal(0, 2, n), 3),
        "ints": rng.integers(-50, 50, n),
        "whole_floats": rng.integers(0, 40, n).astype(float),
        "extremes": rng.choice([1e20, 1e300, -0.0, 0.0, 2.5, np.inf, -np.inf], n),
        "nullable": pd.array(rng.integers(0, 30, n), dtype="Int64"),
        "few": rng.choice([0.0, 1.0, 2.5], n),
        "float32": rng.normal(size=n).astype(np.float32),
        "text": rng.choice(["Treatment", "treatment ", "CONTROL", "control", " "], n),
        "flags": rng.random(n) < 0.3,
        # few values among the first 4,096, many after (the quick look must not decide)
        "late_variety": np.where(np.arange(n) < 4500, 0.0, np.round(rng.normal(size=n), 2)),
        "two_values_late": np.where(np.arange(n) < 4500, 0, 1),
        "thirteen": np.arange(n) % 13,
    })
    table.loc[::7, "whole_floats"] = np.nan
    table.loc[::5, "nullable"] = pd.NA
    table = pd.concat([table, table.rename(columns=lambda c: f"{c}_score")], axis=1)
    for column in table.columns:
        f = Facts(table, column, {})
        texts = table[column].dropna().map(_value_text).str.casefold()
        texts = texts[texts != ""]
        # what every rule sees when the distinct values are counted in full
        ref = Facts(table, column, {})
        ref.many, ref.nunique = False, int(texts.nunique())
        ref.values = sorted(texts.unique()) if ref.nunique <= 12 else []
        for fact in FACTS:
            assert f.has(fact) == ref.has(fact), (column, fact)
        assert f.nunique == texts.nunique(), column
        assert f.values == ref.values, column
        assert guess_kind_reason(column, table[column]) == _first(KIND_RULES, ref), column


def test_arm_values_from_distinct_values_equal_every_persons_text():
    """mapping.arm_values counts each distinct value's text (not each person's): the same
    texts in the same order as value_counts of every person's text, ties included."""
    from fd_stats.data.mapping import _texts, _value_text, arm_values
    rng = np.random.default_rng(4)
    n = 3000
    table = pd.DataFrame({
        "mixed": rng.choice(np.array([1, 1.0, 2, "1", " a", "a", "A", "b "], dtype=object), n),
        "ties": np.repeat(["x", "y", "z", "w"], n // 4),
        "floats": rng.choice([0.0, 1.0, 2.5, np.nan, -0.0], n),
        "ints": rng.integers(0, 3, n),
        "category": pd.Categorical(rng.choice(["Treatment", "control", " control"], n)),
        "strings": pd.array(rng.choice(["T", "C ", None], n), dtype="string"),
        "ids": np.char.add(" P", np.arange(n).astype(str)),
    })
    for c in table.columns:
        want = table[c].dropna().map(_value_text).value_counts()
        assert arm_values(table, c) == [v for v in want.index[:50] if v != ""], c
        distinct = table[c].dropna().drop_duplicates()
        assert list(_texts(distinct)) == list(distinct.map(_value_text)), c
