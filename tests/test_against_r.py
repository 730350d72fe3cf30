"""fd_stats against reference values from R (and statsmodels where R base has none).

Every case in r_reference.py carries the R call that produced it; the values
were pasted from R 4.2.2 by tests/r_reference.R. R is not needed to run these.
"""
import math

import numpy as np
import pytest

import r_reference as R
from fd_stats import (adjust_pvalues, compare_proportions, mann_whitney, minimum_detectable_effect,
                      p_from_t, permutation_test, power_t, sample_size, student_t,
                      t_test_from_summary, welch_t, wilson_interval)
from fd_stats.methods.summary import audit_published_table

ALT = {"two.sided": "two-sided", "less": "less", "greater": "greater"}


def close(a, b, tol=1e-9):
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    if math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def ids(cases):
    return [c["call"][:90] for c in cases]


@pytest.mark.parametrize("case", R.T_TEST_WELCH + R.T_TEST_STUDENT,
                         ids=ids(R.T_TEST_WELCH + R.T_TEST_STUDENT))
def test_t_tests_match_r(case):
    fn = student_t if case["var_equal"] else welch_t
    r = fn(case["x"], case["y"], alternative=ALT[case["alternative"]],
           confidence_level=case["conf_level"])
    assert close(r.statistic, case["statistic"])
    assert close(r.df, case["df"])
    assert close(r.p_value, case["p_value"])
    assert close(r.ci_low, case["conf_int"][0])
    assert close(r.ci_high, case["conf_int"][1])
    assert close(r.mean_treatment, case["estimate"][0])
    assert close(r.mean_control, case["estimate"][1])


@pytest.mark.parametrize("case", R.WILCOX_ASYMPTOTIC, ids=ids(R.WILCOX_ASYMPTOTIC))
def test_mann_whitney_asymptotic_matches_r(case):
    r = mann_whitney(case["x"], case["y"], alternative=ALT[case["alternative"]],
                     confidence_level=case["conf_level"], method="asymptotic")
    assert r.statistic == case["statistic"]
    assert close(r.p_value, case["p_value"])
    # R's default uniroot tolerance is 1e-4; the tol.root=1e-12 call pins the interval down.
    assert close(r.ci_low, case["conf_int_tight"][0], 1e-9)
    assert close(r.ci_high, case["conf_int_tight"][1], 1e-9)
    assert close(r.ci_low, case["conf_int"][0], 2e-4)
    assert close(r.ci_high, case["conf_int"][1], 2e-4)
    assert close(r.estimate, case["hl_median"])


@pytest.mark.parametrize("case", R.WILCOX_EXACT, ids=ids(R.WILCOX_EXACT))
def test_mann_whitney_exact_matches_r(case):
    r = mann_whitney(case["x"], case["y"], alternative=ALT[case["alternative"]],
                     confidence_level=case["conf_level"])
    assert r.exact
    assert r.statistic == case["statistic"]
    assert close(r.p_value, case["p_value"])
    assert close(r.ci_low, case["conf_int"][0])
    assert close(r.ci_high, case["conf_int"][1])
    assert close(r.estimate, case["estimate"])


@pytest.mark.parametrize("case", R.P_ADJUST, ids=ids(R.P_ADJUST))
def test_p_adjust_matches_r(case):
    method = {"bonferroni": "bonferroni", "holm": "holm", "BH": "fdr_bh"}[case["method"]]
    p = [np.nan if v is None else v for v in case["p"]]
    got = adjust_pvalues(p, method)
    for g, want in zip(got, case["adjusted"]):
        assert close(None if np.isnan(g) else float(g), want, 1e-12) if want is not None \
            else np.isnan(g)


@pytest.mark.parametrize("case", R.POWER_T_TEST, ids=ids(R.POWER_T_TEST))
def test_power_matches_r_power_t_test(case):
    alt = "two-sided" if case["alternative"] == "two.sided" else "one-sided"
    common = dict(alpha=case["sig_level"], alternative=alt, strict=case["strict"])
    if case["solve_for"] == "n":
        n = sample_size(case["delta"], case["sd"], power=case["power"], **common).n_treatment
        assert close(n, case["n"], 1e-6)
        # and within R's own default tolerance of its default answer
        assert abs(n - case["value_default_tol"]) < 1e-3
    elif case["solve_for"] == "power":
        assert close(power_t(case["delta"], case["sd"], case["n"], **common), case["power"], 1e-9)
    else:
        d = minimum_detectable_effect(case["sd"], case["n"], power=case["power"], **common)
        assert close(d, case["delta"], 1e-6)


@pytest.mark.parametrize("case", R.POWER_UNEQUAL, ids=ids(R.POWER_UNEQUAL))
def test_power_unequal_allocation_matches_r(case):
    alt = "two-sided" if case["alternative"] in ("two.sided", "two-sided") else "one-sided"
    got = power_t(case["delta"], case["sd"], case["n1"], case["n2"], alpha=case["alpha"],
                  alternative=alt, strict=case["strict"])
    assert close(got, case["power"], 1e-9)


@pytest.mark.parametrize("row", R.APPENDIX_B_T_TO_P, ids=lambda r: f"{r['group']}-{r['role']}-{r['outcome']}")
def test_p_from_t_matches_r(row):
    assert close(p_from_t(row["t"], row["df"], "two-sided"), row["p_two_sided"], 1e-10)
    assert close(p_from_t(row["t"], row["df"], "less"), row["p_less"], 1e-10)


def test_audit_finds_the_eight_one_sided_rows():
    import pandas as pd

    table = pd.DataFrame(R.APPENDIX_B_T_TO_P).astype({"t": str, "df": str, "reported_p": str})
    audit = audit_published_table(table, p="reported_p", mean_treatment="mean_t",
                                  mean_control="mean_c")
    one = audit[audit.sidedness == "one-sided"]
    assert len(one) == 8
    assert set(one.role) == {"suspect"} and "harm" not in set(one.outcome)
    assert (audit.sidedness[audit.sidedness != "one-sided"] == "two-sided").all()


@pytest.mark.parametrize("case,equal_var", [(R.WELCH_SUMMARY, False), (R.STUDENT_SUMMARY, True)])
def test_t_from_summary_matches_r(case, equal_var):
    for alt, key in (("two-sided", "p_two_sided"), ("less", "p_less"), ("greater", "p_greater")):
        r = t_test_from_summary(case["m1"], case["s1"], case["n1"], case["m2"], case["s2"],
                                case["n2"], equal_var=equal_var, alternative=alt,
                                confidence_level=case["conf_level"])
        assert close(r.p_value, case[key])
    assert close(r.statistic, case["statistic"])
    assert close(r.df, case["df"])
    r2 = t_test_from_summary(case["m1"], case["s1"], case["n1"], case["m2"], case["s2"], case["n2"],
                             equal_var=equal_var, confidence_level=case["conf_level"])
    assert close(r2.ci_low, case["conf_int"][0]) and close(r2.ci_high, case["conf_int"][1])


@pytest.mark.parametrize("case", R.WILSON, ids=ids(R.WILSON))
def test_wilson_matches_prop_test(case):
    lo, hi = wilson_interval(case["x"], case["n"], case["conf_level"])
    assert close(lo, case["conf_int"][0]) and close(hi, case["conf_int"][1])


@pytest.mark.parametrize("case", R.FISHER, ids=ids(R.FISHER))
def test_fisher_matches_r(case):
    t = case["table"]
    r = compare_proportions(t["a"], t["a"] + t["b"], t["c"], t["c"] + t["d"],
                            alternative=ALT[case["alternative"]])
    assert close(r.p_value, case["p_value"], 1e-9)


def test_risk_difference_and_ratio_match_statsmodels():
    by = {(c["compare"], c["method"]): c for c in R.STATSMODELS_2INDEP}
    c = by[("diff", "newcomb")]
    r = compare_proportions(c["count1"], c["nobs1"], c["count2"], c["nobs2"],
                            confidence_level=1 - c["alpha"])
    assert close(r.risk_difference, c["estimate"])
    assert close(r.risk_difference_ci_low, c["conf_int"][0])
    assert close(r.risk_difference_ci_high, c["conf_int"][1])
    c = by[("ratio", "log")]
    assert close(r.risk_ratio, c["estimate"])
    assert close(r.risk_ratio_ci_low, c["conf_int"][0])
    assert close(r.risk_ratio_ci_high, c["conf_int"][1])


@pytest.mark.parametrize("alt,key", [("two-sided", "p_two_sided"), ("less", "p_less"),
                                     ("greater", "p_greater")])
def test_exact_permutation_matches_r_enumeration(alt, key):
    c = R.PERMUTATION_EXACT
    r = permutation_test(c["x"], c["y"], alternative=alt)
    assert r.exact and r.n_resamples == c["n_perm"]
    assert close(r.statistic, c["d_obs"])
    assert close(r.p_value, c[key], 1e-12)


def test_mann_whitney_zero_width_interval_matches_r_and_is_explained():
    """Mostly-zero counts: R's interval collapses to the single shift 0 too; we say why."""
    x = np.array([0] * 40 + [1] * 3 + [2])
    y = np.array([0] * 45 + [1] * 2 + [3])
    # R 4.2.2: wilcox.test(x, y, exact=FALSE, correct=TRUE, conf.int=TRUE, tol.root=1e-12)
    #   W = 1085, p-value = 0.627864094101856,
    #   conf.int = -9.07039491888021e-13 4.36852134607397e-13 (zero width to uniroot tolerance)
    r = mann_whitney(x, y, method="asymptotic")
    assert r.statistic == 1085
    assert close(r.p_value, 0.627864094101856)
    assert abs(r.ci_low) < 1e-9 and abs(r.ci_high) < 1e-9
    assert "single value 0" in r.note and "does not mean there is no effect" in r.note
    assert mann_whitney(x + np.arange(len(x)) % 5, y, method="asymptotic").note == ""
