"""python -m fd_stats analyse --method / --add-method / --covariate / --baseline / --strata.

Reference values from tests/r/methods.R (calls beside each value)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EPIL = str(ROOT / "tests" / "r" / "epil_person.csv")
DATA = str(ROOT / "tests" / "r" / "methods_data.csv")


def run(*args):
    proc = subprocess.run([sys.executable, "-m", "fd_stats", "analyse", *args],
                          capture_output=True, text=True, cwd=ROOT)
    return proc.returncode, proc.stdout, proc.stderr


def test_negative_binomial_with_baseline_matches_glm_nb_and_rows_carry_the_fields():
    code, out, err = run(EPIL, "--arm", "trt", "--treatment", "progabide", "--control",
                         "placebo", "--outcome", "y", "--baseline", "y=base", "--test",
                         "negative-binomial", "--alternative", "less", "--format", "json")
    assert code == 0, err
    (row,) = json.loads(out)
    # R: glm.nb(y ~ t + log1p(base), control = glm.control(epsilon = 1e-13, maxit = 100))
    #    exp(coef)["t"] -> 0.758681515812; pnorm(z) -> 0.031573519545;
    #    exp(log(rr) + qnorm(0.95) * se) -> 0.968794803964
    assert row["test"] == "negative-binomial" and row["scale"] == "ratio"
    assert row["estimate"] == pytest.approx(0.758681515812, rel=1e-6)
    assert row["p_value"] == pytest.approx(0.031573519545, rel=1e-6)
    assert row["ci_low"] == 0 and row["ci_high"] == pytest.approx(0.968794803964, rel=1e-6)
    assert "adjusted for log(1 + base)" in row["method"] and row["primary"] is True


def test_lin_and_blocked_rows_from_add_method_match_estimatr():
    code, out, err = run(DATA, "--outcome", "y", "--method", "welch", "--add-method",
                         "lin", "--add-method", "blocked", "--covariate", "x",
                         "--baseline", "y=b", "--strata", "s", "--format", "json")
    assert code == 0, err
    rows = {r["test"]: r for r in json.loads(out)}
    assert list(rows) == ["welch", "lin", "blocked"]
    # R: tidy(lm_lin(y ~ t, covariates = ~ b + x + s, se_type = "HC2"))[2, ] -> -0.610028322494,
    #    p 0.119691723247
    assert rows["lin"]["estimate"] == pytest.approx(-0.610028322494, rel=1e-6)
    assert rows["lin"]["p_value"] == pytest.approx(0.119691723247, rel=1e-6)
    # R: tidy(difference_in_means(y ~ t, blocks = s))[1, ] -> -0.496666666667, p 0.217896978006
    assert rows["blocked"]["estimate"] == pytest.approx(-0.496666666667, rel=1e-6)
    assert rows["blocked"]["p_value"] == pytest.approx(0.217896978006, rel=1e-6)
    assert not rows["lin"]["primary"] and rows["welch"]["primary"]


@pytest.mark.parametrize("args,words", [
    (["--method", "logistic"], "invalid choice"),
    (["--baseline", "yb"], "OUTCOME=COLUMN"),
    (["--add-method", "magic"], "--add-method takes"),
    (["--covariate", "age", "--method", "lin"], "'age'"),
])
def test_bad_method_options_are_one_line_errors(args, words):
    code, out, err = run(DATA, "--outcome", "y", *args)
    assert code == 2 and err.startswith("error:") and words in err and "Traceback" not in err


def test_probability_of_benefit_columns_match_r_posterior():
    code, out, err = run(EPIL, "--arm", "trt", "--treatment", "progabide", "--control",
                         "placebo", "--outcome", "y", "--baseline", "y=base", "--method",
                         "poisson", "--benefit", "lower", "--prior", "sceptical", "--format",
                         "json")
    assert code == 0, err
    (row,) = json.loads(out)
    # R (tests/r/methods.R): Poisson HC0 fit, prior N(0, (log(2) / qnorm(0.975))^2) on log(rr):
    #   pnorm(0, post_mean, post_sd) -> 0.682404454493; pnorm(log(0.9), ...) -> 0.440006312444
    assert row["prob_benefit"] == pytest.approx(0.682404454493, rel=1e-6)
    assert row["prob_benefit_min"] == pytest.approx(0.440006312444, rel=1e-6)
    assert row["benefit_method"].startswith("Bayesian") and "sceptical prior" in row["benefit_method"]
