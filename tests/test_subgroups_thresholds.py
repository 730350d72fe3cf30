"""fd_stats.subgroups (interaction test, arm descriptives) and fd_stats.thresholds (grid of
conclusions). Reference values come from R 4.x on data/focused_deterrence/people.csv or from
the published report (Appendix B, DOMAIN.md); the R calls are pasted next to the numbers."""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fd_stats import DataError, Settings, analyse
from fd_stats.subgroups import (arm_summary, arm_values, cochran_q, count_distribution,
                                difference_z, interaction_sentence, interaction_test,
                                level_differences)
from fd_stats.thresholds import (GRID_ALPHAS, alpha_table, choice_summary, depends_on_choice,
                                 flip_summary, threshold_grid)
from fd_stats.data.trial import load_trial

TOL = 1e-8


@pytest.fixture(scope="module")
def trial():
    return load_trial()


@pytest.fixture(scope="module")
def by_age(trial):
    return replace(trial.mapping, subgroup="age_group")


# R:
# d <- read.csv("data/focused_deterrence/people.csv")
# f <- function(a, o) { s <- d[d$age_group == a, ]
#   tt <- t.test(s[s$arm == "treatment", o], s[s$arm == "control", o])
#   c(unname(tt$estimate[1] - tt$estimate[2]), tt$stderr) }
# a <- f("11-17", o); b <- f("18-25", o); se <- sqrt(a[2]^2 + b[2]^2); z <- (a[1] - b[1]) / se
# p <- 2 * pnorm(-abs(z)); ci <- a[1] - b[1] + c(-1, 1) * qnorm(0.975) * se
# w <- 1 / c(a[2], b[2])^2; dd <- c(a[1], b[1]); Q <- sum(w * (dd - sum(w * dd) / sum(w))^2)
R_INTERACTION = {
    "suspect_harm": dict(d1=-418.6900000000, se1=168.6905721120, d2=-56.4848888889,
                         se2=161.2095513870, z=-1.5522992918, p=0.1205906273,
                         lo=-819.5324941458, hi=95.1222719236, q=2.4096330912),
    "suspect_knife": dict(d1=-0.5100000000, se1=0.2673719415, d2=0.0944444444,
                          se2=0.1936263971, z=-1.8309863516, p=0.0671025802,
                          lo=-1.2514669308, hi=0.0425780419, q=3.3525110199),
    "victim_knife": dict(d1=-0.1500000000, se1=0.0950295335, d2=0.0488888889,
                         se2=0.1000458449, z=-1.4413834153, p=0.1494763930,
                         lo=-0.4693339731, hi=0.0715561953, q=2.0775861499),
}


@pytest.mark.parametrize("outcome", sorted(R_INTERACTION))
def test_two_level_interaction_matches_r(trial, by_age, outcome):
    ref = R_INTERACTION[outcome]
    cells = level_differences(trial.table, by_age)
    c = cells[cells["outcome"] == outcome].set_index("subgroup")
    assert c.loc["11-17", "difference"] == pytest.approx(ref["d1"], abs=TOL)
    assert c.loc["11-17", "se"] == pytest.approx(ref["se1"], abs=TOL)
    assert c.loc["18-25", "difference"] == pytest.approx(ref["d2"], abs=TOL)
    assert c.loc["18-25", "se"] == pytest.approx(ref["se2"], abs=TOL)
    row = interaction_test(trial.table, by_age).set_index("outcome").loc[outcome]
    assert row["contrast"] == "11-17 minus 18-25"
    assert row["z"] == pytest.approx(ref["z"], abs=1e-8)
    assert row["p_value"] == pytest.approx(ref["p"], abs=1e-9)
    assert row["ci_low"] == pytest.approx(ref["lo"], abs=1e-7)
    assert row["ci_high"] == pytest.approx(ref["hi"], abs=1e-7)
    assert row["q"] == pytest.approx(ref["q"], abs=1e-8)
    assert row["df"] == 1
    # For two levels Cochran's Q is z squared, so the two tests agree.
    assert row["q"] == pytest.approx(row["z"] ** 2, rel=1e-12)


def test_three_level_cochran_q_matches_r(trial):
    # R: d$g3 <- ifelse(d$age_group == "11-17", "a",
    #        ifelse(as.integer(substr(d$person_id, 3, 6)) %% 2 == 0, "b", "c"))
    #    same f() as above on "suspect_violent" per level a, b, c; Q as above, pchisq(Q, 2, lower=FALSE)
    #    -> Q = 2.6157766295, p = 0.2703904334
    t = trial.table.copy()
    num = t["person_id"].str[2:6].astype(int)
    t["g3"] = np.where(t["age_group"] == "11-17", "a", np.where(num % 2 == 0, "b", "c"))
    m = replace(trial.mapping, subgroup="g3", outcomes=("suspect_violent",))
    row = interaction_test(t, m).iloc[0]
    assert row["k"] == 3 and row["df"] == 2
    assert row["q"] == pytest.approx(2.6157766295, abs=1e-8)
    assert row["p_value"] == pytest.approx(0.2703904334, abs=1e-9)
    assert np.isnan(row["z"])  # no single contrast for three levels


def test_cochran_q_and_difference_z_primitives():
    # R: w <- 1/c(.5,.5)^2; sum(w*(c(1,0)-.5)^2) -> 2; pchisq(2, 1, lower=FALSE) -> 0.1572992071
    h = cochran_q([1.0, 0.0], [0.5, 0.5])
    assert h.q == pytest.approx(2.0) and h.p_value == pytest.approx(0.1572992071, abs=1e-9)
    assert h.i_squared == pytest.approx(0.5)
    # R: z <- (1-0)/sqrt(.5^2+.5^2); 2*pnorm(-abs(z)) -> 0.1572992071
    dz = difference_z(1.0, 0.5, 0.0, 0.5)
    assert dz.p_value == pytest.approx(0.1572992071, abs=1e-9)
    assert cochran_q([1.0], [0.5]).p_value != cochran_q([1.0], [0.5]).p_value  # NaN: one level
    with pytest.raises(DataError):
        cochran_q([1.0, 2.0], [0.5])


def test_interaction_needs_subgroup_and_handles_tiny_levels(trial):
    with pytest.raises(DataError, match="subgroup"):
        interaction_test(trial.table, replace(trial.mapping, subgroup=None))
    t = trial.table.copy()
    t["tiny"] = "big"
    t.loc[t.index[:1], "tiny"] = "one"  # a level with one person: left out, with a note
    row = interaction_test(t, replace(trial.mapping, subgroup="tiny")).iloc[0]
    assert np.isnan(row["p_value"]) and "Fewer than two usable levels" in row["note"]


def test_interaction_sentence_words_it_correctly(trial, by_age):
    row = interaction_test(trial.table, by_age).set_index("outcome").loc["suspect_knife"]
    row["outcome"] = "suspect_knife"
    text = interaction_sentence(row, 0.05, "crimes per person")
    assert "whether the effect differs between subgroups" in text
    assert "two-sided" in text and "p = 0.067" in text
    assert "does not show that the effect is the same" in text


def test_arm_summary_and_distribution_match_r(trial):
    m = trial.mapping
    s = arm_summary(trial.table, m, 0.95).set_index(["outcome", "arm"])
    # R: x <- d$suspect_knife[d$arm == "treatment"]; mean(x); t.test(x)$conf.int
    #    -> 0.3777777778, 0.1532381604 0.6023173952
    r = s.loc[("suspect_knife", "treatment")]
    assert r["mean"] == pytest.approx(0.3777777778, abs=1e-9)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.1532381604, 0.6023173952), abs=1e-9)
    # R: t.test(d$suspect_knife[d$arm == "control"], conf.level = 0.9)$conf.int
    #    -> 0.3976906079 0.8581233456
    s90 = arm_summary(trial.table, m, 0.90).set_index(["outcome", "arm"])
    r = s90.loc[("suspect_knife", "control")]
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.3976906079, 0.8581233456), abs=1e-9)
    # R: table(pmin(y, 5)) for control knife counts -> 61 14 2 3 4 2
    dist = count_distribution(trial.table, m, "suspect_knife")
    ctrl = dist[dist["arm"] == "control"]
    assert ctrl["people"].tolist() == [61, 14, 2, 3, 4, 2]
    assert ctrl["category"].tolist() == ["0", "1", "2", "3", "4", "5+"]
    assert ctrl["share"].sum() == pytest.approx(1.0)
    v = arm_values(trial.table, m, "suspect_knife")
    assert (v["arm"] == "treatment").sum() == 45 and (v["arm"] == "control").sum() == 86


# ---------------------------------------------------------------- thresholds


@pytest.fixture(scope="module")
def flat(trial):
    return replace(trial.mapping, subgroup=None)


@pytest.fixture(scope="module")
def grid(trial, flat):
    calls = []

    def counted(settings):
        calls.append((settings.test, settings.alternative))
        return analyse(trial.table, flat, settings)

    g = threshold_grid(None, settings=Settings(permutations=2000), analyse_fn=counted)
    g.attrs["calls"] = calls
    return g


def test_grid_shape_and_one_analysis_per_test_and_side(trial, grid):
    n_out = len(trial.mapping.outcomes)
    assert len(grid) == n_out * 8 * 2 * 4 * 4
    calls = grid.attrs["calls"]
    # analyse once per (test, sidedness), but once per t-test: its one-sided p is pt() of the
    # same t and df (the Welch values below are checked against R for both sidednesses); and
    # once for the permutation test: every sidedness from the same re-randomisations
    assert len(calls) == 5 and len(set(calls)) == 5
    assert set(grid["alpha"]) == set(GRID_ALPHAS)


def test_grid_welch_knife_matches_report(grid):
    # Report, Appendix B (all ages, knife as suspect): p = 0.08084, which is one-sided;
    # DOMAIN.md: two-sided p = 0.1617. R: t.test(x, y)$p.value -> 0.1616877256,
    # t.test(x, y, alternative = "less")$p.value -> 0.0808438628.
    k = grid[(grid["outcome"] == "suspect_knife") & (grid["test"] == "welch")
             & (grid["correction"] == "none")]
    two = k[k["alternative"] == "two-sided"]
    less = k[k["alternative"] == "less"]
    assert two["p_value"].iloc[0] == pytest.approx(0.1616877256, abs=1e-9)
    assert less["p_value"].iloc[0] == pytest.approx(0.0808438628, abs=1e-9)
    assert two.set_index("alpha")["significant"].to_dict() == {a: a > 0.1617 for a in GRID_ALPHAS}
    assert less.set_index("alpha")["significant"].to_dict() == {a: a > 0.0809 for a in GRID_ALPHAS}


@pytest.mark.parametrize("test,alt,corr", [("welch", "less", "holm"),
                                           ("student", "two-sided", "fdr_bh"),
                                           ("mann-whitney", "less", "bonferroni")])
def test_grid_agrees_with_running_analyse_with_those_settings(trial, flat, grid, test, alt, corr):
    direct = analyse(trial.table, flat,
                     Settings(test=test, alternative=alt, correction=corr, alpha=0.1))
    g = grid[(grid["test"] == test) & (grid["alternative"] == alt) & (grid["correction"] == corr)
             & np.isclose(grid["alpha"], 0.1)].set_index("outcome")
    d = direct.set_index("outcome")
    np.testing.assert_allclose(g.loc[d.index, "p_adjusted"], d["p_adjusted"], rtol=1e-12)
    assert (g.loc[d.index, "significant"] == d["significant"]).all()


def test_depends_on_choice_names_knife(grid):
    sentences = depends_on_choice(grid)
    knife = [t for t in sentences if t.startswith("Knife-related crimes as suspect")]
    assert len(knife) == 1
    # From the published p-values above: significant with Welch only from alpha 0.10 (one-sided)
    # and never after a correction for 10 outcomes (0.0808 * 10 > 0.2).
    assert "at alpha ≥ 0.1" in knife[0]
    assert "with no correction" in knife[0]
    assert "not significant" in knife[0]  # at the conventional Welch, two-sided, 0.05
    fs = flip_summary(grid).set_index("outcome")
    assert fs.loc["suspect_knife", "status"] == "depends"
    assert fs.loc["suspect_knife", "min_alpha"] == pytest.approx(0.1)
    summary = choice_summary(grid)
    assert "Knife-related crimes as suspect" in summary and "Never significant" in summary


def test_depends_on_choice_says_which_way(grid):
    # a finding that depends on the choices says whether the treatment arm was higher or lower
    # where it is significant (a two-sided finding can be a rise); knife: 0.38 v 0.63 per person
    def knife(g):
        return next(t for t in depends_on_choice(g) if t.startswith("Knife-related"))
    assert "in each, the treatment arm is lower" in knife(grid)
    rise = grid.copy()
    rise["percent_change"] = -rise["percent_change"]
    assert "in each, the treatment arm is higher" in knife(rise)
    mixed = grid.copy()
    sig = mixed.index[(mixed["outcome"] == "suspect_knife") & mixed["significant"].astype(bool)]
    mixed.loc[sig[: len(sig) // 2], "percent_change"] = 5.0
    assert "higher in the treatment arm in some, lower in others" in knife(mixed)
    unknown = grid.copy()
    unknown["percent_change"] = np.nan
    assert "treatment arm" not in knife(unknown)


def test_alpha_table_and_errors(trial):
    res = analyse(trial.table, trial.mapping, Settings(alternative="less"))
    tab = alpha_table(res)  # the "All" rows by default
    assert list(tab.columns) == list(GRID_ALPHAS)
    assert tab.loc["Knife-related crimes as suspect", 0.1] is True
    assert tab.loc["Knife-related crimes as suspect", 0.075] is False
    with pytest.raises(DataError):
        threshold_grid(None)
    with pytest.raises(DataError):
        threshold_grid(trial.table, trial.mapping, corrections=("sidak",))
    with pytest.raises(DataError):
        threshold_grid(trial.table, trial.mapping, alphas=(0.0,))


def test_grid_with_one_alpha_and_test_is_cheap(trial, flat):
    g = threshold_grid(trial.table, flat, alphas=(0.05,), tests=("welch",),
                       alternatives=("two-sided",), corrections=("none",))
    assert len(g) == len(trial.mapping.outcomes)
    assert isinstance(g, pd.DataFrame)
    assert depends_on_choice(g) == []


def test_interaction_test_takes_nullable_subgroup_columns():
    """Found in review: a pandas 'string' or 'Int64' subgroup column with missing values crashed."""
    from fd_stats.data.trial import load_trial

    trial = load_trial()
    t = trial.table.copy()
    base = interaction_test(t, replace(trial.mapping, subgroup="age_group"))
    t["age_group"] = t["age_group"].astype("string")
    t.loc[t.index[:3], "age_group"] = pd.NA
    got = interaction_test(t, replace(trial.mapping, subgroup="age_group"))
    assert len(got) == len(base) and got["p_value"].notna().all()
