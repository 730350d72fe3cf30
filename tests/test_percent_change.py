"""Percentage change: the Fieller interval, checked against R and against the Welch test."""
import numpy as np
import pytest

from fd_stats import Settings, analyse, percent_change
from fd_stats.data.trial import load_trial


@pytest.fixture(scope="module")
def trial():
    return load_trial()


def test_fieller_interval_matches_r_root_finding(trial):
    # R 4.2.2, independent of the closed form used here: the ratios r where the Welch
    # statistic (mean(x) - r*mean(y)) / sqrt(var(x)/nx + r^2*var(y)/ny) equals -+qt(., df):
    #   d <- read.csv("data/focused_deterrence/people.csv")
    #   x <- d$suspect_knife[d$arm=="treatment"]; y <- d$suspect_knife[d$arm=="control"]
    #   f <- function(r) (mean(x) - r*mean(y))/sqrt(var(x)/length(x) + r^2*var(y)/length(y))
    #   df <- t.test(x, y)$parameter; q <- qt(0.975, df)
    #   lo <- uniroot(function(r) f(r) - q, c(0, mean(x)/mean(y)), tol=1e-14)$root
    #   hi <- uniroot(function(r) f(r) + q, c(mean(x)/mean(y), 10), tol=1e-14)$root
    #   100*(c(lo, hi) - 1)  # -76.421470868090  25.035249845598
    #   hi1 <- uniroot(function(r) f(r) + qt(0.95, df), c(mean(x)/mean(y), 10), tol=1e-14)$root
    #   100*(hi1 - 1)        # 9.934968210929
    t = trial.table
    x = t.loc[t.arm == "treatment", "suspect_knife"]
    y = t.loc[t.arm == "control", "suspect_knife"]
    two = percent_change(x, y)
    assert two.ci_low == pytest.approx(-76.421470868090, abs=1e-8)
    assert two.ci_high == pytest.approx(25.035249845598, abs=1e-8)
    one = percent_change(x, y, alternative="less")
    assert one.ci_low == -100 and one.ci_high == pytest.approx(9.934968210929, abs=1e-8)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.10, 0.20])
def test_interval_and_welch_verdict_never_disagree(trial, alternative, alpha):
    res = analyse(trial.table, trial.mapping,
                  Settings(alternative=alternative, alpha=alpha, confidence_level=1 - alpha))
    excludes_no_change = (res.percent_change_ci_high < 0) | (res.percent_change_ci_low > 0)
    assert (excludes_no_change == res.significant).all()


def test_interval_is_unbounded_when_the_control_mean_is_not_clearly_positive():
    e = percent_change([0, 1, 0, 2], [0, 0, 0, 3])  # control mean 0.75 with sd 1.5, n = 4
    assert np.isinf(e.ci_high) and e.ci_low >= -100
    e = percent_change([0, 0, 0], [1, 2, 0])
    assert e.estimate == -100 and e.ci_low == -100
