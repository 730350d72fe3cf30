"""The method registry against R: count models, Lin, blocked, stratified permutation,
prevalence and probability of benefit; plus property tests on degenerate data.

Reference values come from tests/r/methods.R (Rscript tests/r/methods.R, R 4.x, MASS,
sandwich, estimatr 1.0) on tests/r/methods_data.csv (written by tests/r/methods_data.py)
and on MASS's epilepsy trial summed per person (tests/r/epil_person.csv, written by the
same R script: aggregate(y ~ subject + trt + base + age, data = MASS::epil, FUN = sum)).
The R calls, by the first word of each key:

* pois:  m <- glm(f, family = poisson, control = glm.control(epsilon = 1e-13, maxit = 100))
         (tight convergence: R's default stops one step early, 3e-6 off in one SE); V <- sandwich::vcovHC(m, type = "HC0");
         rr = exp(coef(m)["t"]), se = sqrt(V["t", "t"]), z = log(rr) / se,
         p = 2 * pnorm(-|z|), pnorm(z), pnorm(z, lower.tail = FALSE);
         ci95 two = exp(log(rr) -/+ qnorm(0.975) se); one-sided bounds exp(log(rr) +/- qnorm(0.95) se)
* nb:    m <- MASS::glm.nb(f, control = glm.control(epsilon = 1e-13, maxit = 100)); se = sqrt(vcov(m)["t", "t"]); exp(confint.default(m)["t", ]);
         the rest as pois
* lin:   estimatr::lm_lin(f, covariates = ~ ..., se_type = "HC2"); tidy(m)[2, ]; one-sided
         p = pt(t, df) / pt(t, df, lower.tail = FALSE), bounds est +/- qt(0.95, df) se
* blocked: estimatr::difference_in_means(f, blocks = s); tidy(m)[1, ]; one-sided as lin
* strat perm: exact enumeration (combn within each stratum) of the blocked difference
* prev:  fisher.test(matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE), alternative = ...);
         Katz: rr * exp(-/+ qnorm(0.975) sqrt(1/a - 1/n1 + 1/c - 1/n2))
* benefit: pnorm(log(k), post_mean, post_sd) with the normal prior N(0, tau^2) on log(rr)
         from the Poisson HC0 fit (tau = Inf: flat; tau = log(2) / qnorm(0.975): sceptical)
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from fd_stats import analyse, Mapping, Settings
from fd_stats.methods.bayes import probability_of_benefit
from fd_stats.methods.registry import LEGACY, METHODS, run_method
from fd_stats.analysis import TESTS

HERE = Path(__file__).parent / "r"
D = pd.read_csv(HERE / "methods_data.csv")
EP = pd.read_csv(HERE / "epil_person.csv")
SUB = pd.read_csv(HERE / "strat_perm_sub.csv")
T_D = (D["arm"] == "treatment").to_numpy()
T_EP = (EP["trt"] == "progabide").to_numpy()
ALTS = ("two-sided", "less", "greater")
REL = 1e-6

# Values printed by Rscript tests/r/methods.R (key = R output label; calls in the docstring).
R = {
    'pois d y~t rr,se,z': (0.755583126551, 0.245783129193, -1.1402958198),
    'pois d y~t p two,less,greater': (0.254163078767, 0.127081539383, 0.872918460617),
    'pois d y~t ci95 two': (0.466735969957, 1.22318805037),
    'pois d y~t ci95 less-upper,greater-lower': (1.13202922513, 0.504320779407),
    'pois d y~t+log1p(b) rr,se,z': (0.762404976754, 0.238755708378, -1.13621324809),
    'pois d y~t+log1p(b) p two,less,greater': (0.255867327304, 0.127933663652, 0.872066336348),
    'pois d y~t+log1p(b) ci95 two': (0.477481440232, 1.21734857023),
    'pois d y~t+log1p(b) ci95 less-upper,greater-lower': (1.12912251308, 0.514790327752),
    'pois d y~t+log1p(b)+x rr,se,z': (0.746796889509, 0.231816865923, -1.25945121056),
    'pois d y~t+log1p(b)+x p two,less,greater': (0.207867402274, 0.103933701137, 0.896066298863),
    'pois d y~t+log1p(b)+x ci95 two': (0.474110557585, 1.17631971121),
    'pois d y~t+log1p(b)+x ci95 less-upper,greater-lower': (1.09345540705, 0.510039632694),
    'pois d y~t+log1p(b)+x+factor(s) rr,se,z': (0.709479439412, 0.238813172266, -1.43720615797),
    'pois d y~t+log1p(b)+x+factor(s) p two,less,greater': (0.150659423775, 0.0753297118876, 0.924670288112),
    'pois d y~t+log1p(b)+x+factor(s) ci95 two': (0.444285023158, 1.13296881216),
    'pois d y~t+log1p(b)+x+factor(s) ci95 less-upper,greater-lower': (1.05083906101, 0.479008721339),
    'pois d z~t rr,se,z': (0.646000732057, 0.274028799964, -1.59455736785),
    'pois d z~t p two,less,greater': (0.110811252453, 0.0554056262265, 0.944594373774),
    'pois d z~t ci95 two': (0.37755417123, 1.10531674027),
    'pois d z~t ci95 less-upper,greater-lower': (1.01387804175, 0.411604678901),
    'pois epil y~t rr,se,z': (0.927662716928, 0.35388394063, -0.212179913316),
    'pois epil y~t p two,less,greater': (0.831966676824, 0.415983338412, 0.584016661588),
    'pois epil y~t ci95 two': (0.46362147692, 1.85616534009),
    'pois epil y~t ci95 less-upper,greater-lower': (1.66030317198, 0.518313842255),
    'pois epil y~t+log1p(base) rr,se,z': (0.901772899274, 0.191611653989, -0.539594346736),
    'pois epil y~t+log1p(base) p two,less,greater': (0.589476816162, 0.294738408081, 0.705261591919),
    'pois epil y~t+log1p(base) ci95 two': (0.619436858708, 1.31279621229),
    'pois epil y~t+log1p(base) ci95 less-upper,greater-lower': (1.23587665303, 0.657989905282),
    'nb d y~t rr,se,z': (0.755583126551, 0.248917865353, -1.12593555468),
    'nb d y~t p two,less,greater': (0.260192798511, 0.130096399255, 0.869903600745),
    'nb d y~t ci95 two': (0.463877149418, 1.23072641505),
    'nb d y~t ci95 less-upper,greater-lower': (1.13788124809, 0.501727102092),
    'nb d y~t theta': (3.52756295323,),
    'nb d y~t confint.default t': (0.463877149418, 1.23072641505),
    'nb d y~t+log1p(b) rr,se,z': (0.76701282271, 0.240530388348, -1.1027785785),
    'nb d y~t+log1p(b) p two,less,greater': (0.270123332932, 0.135061666466, 0.864938333534),
    'nb d y~t+log1p(b) ci95 two': (0.478699293671, 1.22897334084),
    'nb d y~t+log1p(b) ci95 less-upper,greater-lower': (1.13926751127, 0.516392036447),
    'nb d y~t+log1p(b) theta': (4.69939021536,),
    'nb d y~t+log1p(b) confint.default t': (0.478699293671, 1.22897334084),
    'nb d y~t+log1p(b)+x rr,se,z': (0.747806714765, 0.235930079993, -1.23176636539),
    'nb d y~t+log1p(b)+x p two,less,greater': (0.218036370894, 0.109018185447, 0.890981814553),
    'nb d y~t+log1p(b)+x ci95 two': (0.470939710297, 1.1874447417),
    'nb d y~t+log1p(b)+x ci95 less-upper,greater-lower': (1.10236702703, 0.50728556727),
    'nb d y~t+log1p(b)+x theta': (5.82480488545,),
    'nb d y~t+log1p(b)+x confint.default t': (0.470939710297, 1.1874447417),
    'nb d y~t+log1p(b)+x+factor(s) rr,se,z': (0.714096810268, 0.228909778955, -1.47104566157),
    'nb d y~t+log1p(b)+x+factor(s) p two,less,greater': (0.141278768655, 0.0706393843277, 0.929360615672),
    'nb d y~t+log1p(b)+x+factor(s) ci95 two': (0.455941093066, 1.11842135352),
    'nb d y~t+log1p(b)+x+factor(s) ci95 less-upper,greater-lower': (1.04058842137, 0.49004413653),
    'nb d y~t+log1p(b)+x+factor(s) theta': (9.91208926013,),
    'nb d y~t+log1p(b)+x+factor(s) confint.default t': (0.455941093066, 1.11842135352),
    'nb epil y~t rr,se,z': (0.927662716928, 0.251443775203, -0.298623673567),
    'nb epil y~t p two,less,greater': (0.76522720032, 0.38261360016, 0.61738639984),
    'nb epil y~t ci95 two': (0.56670986544, 1.51851620884),
    'nb epil y~t ci95 less-upper,greater-lower': (1.40284335068, 0.613438496866),
    'nb epil y~t theta': (1.11120006273,),
    'nb epil y~t confint.default t': (0.56670986544, 1.51851620884),
    'nb epil y~t+log1p(base) rr,se,z': (0.758681515812, 0.14862766253, -1.85815476882),
    'nb epil y~t+log1p(base) p two,less,greater': (0.06314703909, 0.031573519545, 0.968426480455),
    'nb epil y~t+log1p(base) ci95 two': (0.566953456699, 1.01524672905),
    'nb epil y~t+log1p(base) ci95 less-upper,greater-lower': (0.968794803964, 0.594137829888),
    'nb epil y~t+log1p(base) theta': (3.66249012862,),
    'nb epil y~t+log1p(base) confint.default t': (0.566953456699, 1.01524672905),
    'lin d y~t | b est,se,t,df': (-0.457238278334, 0.390591955011, -1.1706290221, 56),
    'lin d y~t | b p two,less,greater': (0.24670544341, 0.123352721705, 0.876647278295),
    'lin d y~t | b ci95 two': (-1.23968798707, 0.325211430399),
    'lin d y~t | b ci95 less-upper,greater-lower': (0.196035477824, -1.11051203449),
    'lin d y~t | b+x est,se,t,df': (-0.493289682818, 0.38508727626, -1.28098151569, 54),
    'lin d y~t | b+x p two,less,greater': (0.205674364472, 0.102837182236, 0.897162817764),
    'lin d y~t | b+x ci95 two': (-1.26534318714, 0.2787638215),
    'lin d y~t | b+x ci95 less-upper,greater-lower': (0.151178868613, -1.13775823425),
    'lin d z~t | x est,se,t,df': (-12.8052456432, 8.6535491413, -1.47976806212, 56),
    'lin d z~t | x p two,less,greater': (0.144539183307, 0.0722695916536, 0.927730408346),
    'lin d z~t | x ci95 two': (-30.1403876457, 4.52989635916),
    'lin d z~t | x ci95 less-upper,greater-lower': (1.66800829634, -27.2784995828),
    'lin d y~t | b+x+s est,se,t,df': (-0.610028322494, 0.385324515545, -1.58315471216, 50),
    'lin d y~t | b+x+s p two,less,greater': (0.119691723247, 0.0598458616236, 0.940154138376),
    'lin d y~t | b+x+s ci95 two': (-1.38397538931, 0.163918744319),
    'lin d y~t | b+x+s ci95 less-upper,greater-lower': (0.0357389694261, -1.25579561441),
    'lin epil y~t | base est,se,t,df': (-3.60513962692, 6.87100674388, -0.52468870448, 55),
    'lin epil y~t | base p two,less,greater': (0.601908148222, 0.300954074111, 0.699045925889),
    'lin epil y~t | base ci95 two': (-17.374944848, 10.1646655941),
    'lin epil y~t | base ci95 less-upper,greater-lower': (7.89028803133, -15.1005672852),
    'lin d y~t | b+xm(filled)+missing est,se,t,df': (-0.51288262292, 0.388865855519, -1.31891914819, 52),
    'lin d y~t | b+xm(filled)+missing p two,less,greater': (0.192975131762, 0.0964875658809, 0.903512434119),
    'lin d y~t | b+xm(filled)+missing ci95 two': (-1.29319904949, 0.267433803655),
    'lin d y~t | b+xm(filled)+missing ci95 less-upper,greater-lower': (0.138346807572, -1.16411205341),
    'blocked d y~t | s est,se,t,df': (-0.496666666667, 0.3983926803, -1.24667618464, 54),
    'blocked d y~t | s p two,less,greater': (0.217896978006, 0.108948489003, 0.891051510997),
    'blocked d y~t | s ci95 two': (-1.29539589997, 0.302062566633),
    'blocked d y~t | s ci95 less-upper,greater-lower': (0.170069342031, -1.16340267536),
    'blocked d z~t | s est,se,t,df': (-12.8107214286, 8.42567701027, -1.52043822864, 54),
    'blocked d z~t | s p two,less,greater': (0.134235101759, 0.0671175508796, 0.93288244912),
    'blocked d z~t | s ci95 two': (-29.7031867554, 4.08174389828),
    'blocked d z~t | s ci95 less-upper,greater-lower': (1.29019592808, -26.9116387852),
    'strat perm sub treated per stratum': (3, 5),
    'strat perm sub obs,n': (-0.939393939394, 60),
    'strat perm sub p two,less,greater': (0.333333333333, 0.166666666667, 0.883333333333),
    'prev d a,n1,c,n2': (19, 31, 23, 29),
    'prev d fisher p two,less,greater': (0.163906247857, 0.107083167139, 0.965384864445),
    'prev d rr,ci95': (0.772791023843, 0.552316901366, 1.08127411103),
    'prev epil a,n1,c,n2': (30, 31, 28, 28),
    'prev epil fisher p two,less,greater': (1, 0.525423728814, 1),
    'prev epil rr,ci95': (0.967741935484, 0.907501941241, 1.03198066157),
    'benefit epil pois tau=Inf P(RR<1),P(RR<0.9)': (0.705261591919, 0.495902729295),
    'benefit epil pois tau=0.353653 P(RR<1),P(RR<0.9)': (0.682404454493, 0.440006312444),
}


def close(a, b, rel=REL):
    return a == pytest.approx(b, rel=rel, abs=1e-12)


def data(name):
    return (D, T_D) if name == "d" else (EP, T_EP)


# (R key prefix, method, data set, outcome, baseline, covariates, strata)
WALD_CASES = [
    ("pois d y~t", "poisson", "d", "y", None, (), None),
    ("pois d y~t+log1p(b)", "poisson", "d", "y", "b", (), None),
    ("pois d y~t+log1p(b)+x", "poisson", "d", "y", "b", ("x",), None),
    ("pois d y~t+log1p(b)+x+factor(s)", "poisson", "d", "y", "b", ("x",), "s"),
    ("pois d z~t", "poisson", "d", "z", None, (), None),
    ("pois epil y~t", "poisson", "epil", "y", None, (), None),
    ("pois epil y~t+log1p(base)", "poisson", "epil", "y", "base", (), None),
    ("nb d y~t", "negative-binomial", "d", "y", None, (), None),
    ("nb d y~t+log1p(b)", "negative-binomial", "d", "y", "b", (), None),
    ("nb d y~t+log1p(b)+x", "negative-binomial", "d", "y", "b", ("x",), None),
    ("nb d y~t+log1p(b)+x+factor(s)", "negative-binomial", "d", "y", "b", ("x",), "s"),
    ("nb epil y~t", "negative-binomial", "epil", "y", None, (), None),
    ("nb epil y~t+log1p(base)", "negative-binomial", "epil", "y", "base", (), None),
]
T_CASES = [
    ("lin d y~t | b", "lin", "d", "y", "b", (), None),
    ("lin d y~t | b+x", "lin", "d", "y", "b", ("x",), None),
    ("lin d z~t | x", "lin", "d", "z", None, ("x",), None),
    ("lin d y~t | b+x+s", "lin", "d", "y", "b", ("x",), "s"),
    ("lin epil y~t | base", "lin", "epil", "y", "base", (), None),
    # xm has 4 missing values: R gets the mean-filled column and the 0/1 indicator
    ("lin d y~t | b+xm(filled)+missing", "lin", "d", "y", "b", ("xm",), None),
    ("blocked d y~t | s", "blocked", "d", "y", None, (), "s"),
    ("blocked d z~t | s", "blocked", "d", "z", None, (), "s"),
]


def run(case, alternative):
    _, method, ds, outcome, base, cov, strata = case
    df, t = data(ds)
    return run_method(method, df[outcome], t, covariates=df[list(cov)] if cov else None,
                      baseline=None if base is None else df[base], baseline_name=base or "b",
                      strata=None if strata is None else df[strata], alternative=alternative)


@pytest.mark.parametrize("case", WALD_CASES, ids=[c[0] for c in WALD_CASES])
def test_rate_ratios_match_r(case):
    key = case[0]
    rr, se, z = R[f"{key} rr,se,z"]
    for alt, p in zip(ALTS, R[f"{key} p two,less,greater"]):
        res = run(case, alt)
        assert res.scale == "ratio" and res.estimate_label == "rate ratio"
        assert close(res.estimate, rr) and close(res.std_error, se) and close(res.statistic, z)
        assert close(res.p_value, p), alt
        if alt == "two-sided":
            assert close(res.ci_low, R[f"{key} ci95 two"][0])
            assert close(res.ci_high, R[f"{key} ci95 two"][1])
        elif alt == "less":  # treatment lower: the interval is (0, upper]
            assert res.ci_low == 0 and close(res.ci_high, R[f"{key} ci95 less-upper,greater-lower"][0])
        else:
            assert res.ci_high == np.inf
            assert close(res.ci_low, R[f"{key} ci95 less-upper,greater-lower"][1])
    if key.startswith("nb"):
        assert close(res.ci_low, res.ci_low)  # confint.default = the Wald interval above
        theta = R[f"{key} theta"][0]
        assert f"theta = {theta:.3g}" in res.label


@pytest.mark.parametrize("case", T_CASES, ids=[c[0] for c in T_CASES])
def test_lin_and_blocked_match_estimatr(case):
    key = case[0]
    est, se, t, df = R[f"{key} est,se,t,df"]
    for alt, p in zip(ALTS, R[f"{key} p two,less,greater"]):
        res = run(case, alt)
        assert close(res.estimate, est) and close(res.std_error, se) and close(res.statistic, t)
        assert res.df == df and close(res.p_value, p), alt
        lo2, hi2 = R[f"{key} ci95 two"]
        up1, lo1 = R[f"{key} ci95 less-upper,greater-lower"]
        want = {"two-sided": (lo2, hi2), "less": (-np.inf, up1), "greater": (lo1, np.inf)}[alt]
        assert close(res.ci_low, want[0]) and close(res.ci_high, want[1])


def test_missing_covariate_is_filled_counted_and_said():
    res = run(T_CASES[5], "two-sided")
    assert "xm: 4 missing value(s) filled with the mean, with a missing-value indicator" in res.note


@pytest.mark.parametrize("alt,i", [(a, i) for i, a in enumerate(ALTS)])
def test_permutation_within_strata_exact_matches_r_enumeration(alt, i):
    t = (SUB["arm"] == "treatment").to_numpy()
    res = run_method("permutation", SUB["y"], t, strata=SUB["s"], alternative=alt)
    obs, n = R["strat perm sub obs,n"]
    assert res.exact and res.n_resamples == n
    assert close(res.estimate, obs)
    assert close(res.p_value, R["strat perm sub p two,less,greater"][i])
    assert "within 2 strata" in res.label


def test_permutation_within_strata_monte_carlo_agrees_with_exact():
    t = (SUB["arm"] == "treatment").to_numpy()
    from fd_stats.methods.models import stratified_permutation
    res = stratified_permutation(SUB["y"].to_numpy(float), t, strata=SUB["s"].to_numpy(),
                                 permutations=20_000, max_exact=10)
    assert not res.exact
    assert abs(res.p_value - R["strat perm sub p two,less,greater"][0]) < 4 * res.mc_error


@pytest.mark.parametrize("ds", ["d", "epil"])
def test_prevalence_matches_fisher_and_katz(ds):
    df, t = data(ds)
    a, n1, c, n2 = R[f"prev {ds} a,n1,c,n2"]
    for i, alt in enumerate(ALTS):
        rd = run_method("prevalence", df["y"], t, alternative=alt)
        rr = run_method("prevalence-ratio", df["y"], t, alternative=alt)
        assert close(rd.p_value, R[f"prev {ds} fisher p two,less,greater"][i])
        assert close(rd.estimate, a / n1 - c / n2) and rd.scale == "risk difference"
        assert rr.p_value == rd.p_value
    rr = run_method("prevalence-ratio", df["y"], t)
    assert all(close(g, w) for g, w in zip((rr.estimate, rr.ci_low, rr.ci_high),
                                           R[f"prev {ds} rr,ci95"]))
    assert f"{a} of {n1} treatment" in rr.note


def test_probability_of_benefit_matches_r_normal_posterior():
    res = run_method("poisson", EP["y"], T_EP, baseline=EP["base"])
    flat = probability_of_benefit(res.estimate, res.std_error, res.scale, direction="lower",
                                  min_change=0.10)
    want = R["benefit epil pois tau=Inf P(RR<1),P(RR<0.9)"]
    assert close(flat.probability, want[0]) and close(flat.probability_min, want[1])
    # a flat prior gives one minus the one-sided p-value
    assert close(flat.probability, 1 - run_method("poisson", EP["y"], T_EP, baseline=EP["base"],
                                                  alternative="less").p_value)
    sc = probability_of_benefit(res.estimate, res.std_error, res.scale, direction="lower",
                                prior="sceptical")
    want = R["benefit epil pois tau=0.353653 P(RR<1),P(RR<0.9)"]
    assert close(sc.probability, want[0]) and close(sc.probability_min, want[1])
    assert "Bayesian" in sc.label and "sceptical prior" in sc.label
    assert "flat prior" in flat.label


def test_probability_of_benefit_needs_a_direction_and_mirrors_it():
    none = probability_of_benefit(0.8, 0.2, "ratio", direction=None)
    assert np.isnan(none.probability) and "direction" in none.note
    lo = probability_of_benefit(0.8, 0.2, "ratio", direction="lower", min_change=0)
    hi = probability_of_benefit(0.8, 0.2, "ratio", direction="higher", min_change=0)
    assert close(lo.probability + hi.probability, 1.0)
    # a difference uses the control level for the 10% threshold; none given: not estimable
    d = probability_of_benefit(-2.0, 1.0, "difference", direction="lower", reference=10)
    assert d.probability_min < d.probability
    assert np.isnan(probability_of_benefit(-2.0, 1.0, "difference", direction="lower")
                    .probability_min)


@pytest.mark.parametrize("method", LEGACY)
@pytest.mark.parametrize("alt", ALTS)
def test_registry_wraps_the_original_tests_without_changing_them(method, alt):
    x, y = D.loc[T_D, "y"].to_numpy(float), D.loc[~T_D, "y"].to_numpy(float)
    kw = dict(n_resamples=2000, seed=7) if method == "permutation" else {}
    want = TESTS[method](x, y, alternative=alt, **kw)
    got = run_method(method, D["y"], T_D, alternative=alt, permutations=2000, seed=7)
    assert (got.estimate, got.ci_low, got.ci_high, got.p_value) == (
        want.estimate, want.ci_low, want.ci_high, want.p_value)


# ------------------------------------------------------------------ analyse()
MAP = Mapping(outcomes=("y", "z"), covariates=("x",), strata=("s",), baselines=(("y", "b"),))


def test_analyse_primary_rows_unchanged_by_extra_methods():
    base = analyse(D, MAP, Settings())
    more = analyse(D, MAP, Settings(methods=("poisson", "lin", "welch")))
    assert list(more["test"].unique()) == ["welch", "poisson", "lin"]
    prim = more[more["primary"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(base, prim)
    assert len(more) == 3 * len(base)
    # the adjusted outcomes, columns and baseline are not analysed as outcomes themselves
    assert set(analyse(D, Mapping(covariates=("x", "xm"), baselines=(("y", "b"),)))["outcome"]) \
        == {"y", "z", "any"}


def test_analyse_poisson_primary_is_the_registry_result_with_its_scale():
    res = analyse(D, MAP, Settings(test="poisson", alternative="less"))
    row = res[(res["outcome"] == "y") & (res["subgroup"] == "All")].iloc[0]
    want = R["pois d y~t+log1p(b)+x+factor(s) rr,se,z"]
    assert row["test"] == "poisson" and row["scale"] == "ratio" and bool(row["primary"])
    assert close(row["estimate"], want[0]) and close(row["std_error"], want[1])
    assert close(row["p_value"], R["pois d y~t+log1p(b)+x+factor(s) p two,less,greater"][1])
    assert close(row["percent_change"], 100 * (want[0] - 1))
    assert row["estimate_label"] == "rate ratio" and "adjusted for log(1 + b), x, strata" \
        in row["method"]
    assert close(row["mean_treatment"], D.loc[T_D, "y"].mean())  # descriptives kept


def test_analyse_methods_per_subgroup_level_and_family_per_method():
    res = analyse(D, Mapping(outcomes=("y", "z"), subgroup="s"),
                  Settings(methods=("prevalence",), correction="holm"))
    assert len(res) == 2 * 2 * 4  # outcomes x (All + 3 levels) x methods
    sub = res[(res["test"] == "prevalence") & (res["subgroup"] == "b") & (res["outcome"] == "y")]
    d = D[D["s"] == "b"]
    want = run_method("prevalence", d["y"], (d["arm"] == "treatment").to_numpy())
    assert sub["p_value"].iloc[0] == want.p_value
    fam = res[(res["test"] == "prevalence") & (res["subgroup"] == "All")]
    from fd_stats.methods.multiplicity import adjust_pvalues
    assert np.allclose(fam["p_adjusted"], adjust_pvalues(fam["p_value"], "holm"))


def test_unknown_method_and_missing_design_column_are_clear_errors():
    from fd_stats import DataError
    with pytest.raises(DataError, match="method"):
        analyse(D, MAP, Settings(test="logistic"))
    with pytest.raises(DataError, match="'age'"):
        analyse(D, Mapping(outcomes=("y",), covariates=("age",)), Settings(test="lin"))


# ------------------------------------------------------------------ properties
NEW = [m for m in METHODS if m not in ("welch", "student", "mann-whitney")]


def check_effect(res):
    assert res.scale in ("difference", "ratio", "shift", "risk difference", "hazard ratio")
    if np.isfinite(res.p_value):
        assert 0 <= res.p_value <= 1
        assert res.ci_low <= res.estimate + 1e-9 * abs(res.estimate) or np.isnan(res.ci_low)
        assert res.estimate <= res.ci_high + 1e-9 * abs(res.estimate) or np.isnan(res.ci_high)
    else:
        assert res.note, "a result without a p-value must say why"


counts = st.lists(st.integers(0, 6), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(t=counts, c=counts, huge=st.booleans(), cov=st.lists(
    st.one_of(st.none(), st.floats(-5, 5)), min_size=50, max_size=50),
    alt=st.sampled_from(ALTS), method=st.sampled_from(NEW))
def test_methods_never_crash(t, c, huge, cov, alt, method):
    y = np.array(t + c, float) * (10**12 if huge else 1)
    treated = np.array([True] * len(t) + [False] * len(c))
    n = len(y)
    cov = pd.DataFrame({"x": np.array(cov[:n], float)})
    strata = np.array(["a", "b"] * n)[:n]
    res = run_method(method, y, treated, covariates=cov, baseline=np.array(t + c, float),
                     strata=strata, alternative=alt, permutations=200)
    check_effect(res)


@pytest.mark.parametrize("method", NEW)
@pytest.mark.parametrize("case", ["n of 1", "all zeros", "zeros in one arm", "one arm constant",
                                  "constant covariate", "all covariates missing"])
def test_degenerate_inputs_are_not_estimable_with_a_plain_note(method, case):
    y = np.array([0, 1, 3, 0, 2, 5, 1, 0, 0, 4], float)
    treated = np.array([True] * 5 + [False] * 5)
    cov = pd.DataFrame({"x": np.arange(10.0)})
    if case == "n of 1":
        y, treated, cov = y[4:6], treated[4:6], cov.iloc[4:6]
    elif case == "all zeros":
        y = np.zeros(10)
    elif case == "zeros in one arm":
        y[:5] = 0
    elif case == "one arm constant":
        y[:5] = 2
    elif case == "constant covariate":
        cov["x"] = 1.0
    else:
        cov["x"] = np.nan
    res = run_method(method, y, treated, covariates=cov, strata=np.array(list("ab") * 5)[:len(y)])
    check_effect(res)
    counting = method.startswith("prevalence") or method == "permutation"
    if case in ("n of 1", "all zeros") and not counting:
        assert not res.estimable and res.note.startswith("Not estimable")
    if case == "all zeros" and counting and method != "prevalence-ratio":
        # nobody had an event in either arm: no difference, and every re-randomisation agrees
        assert res.estimate == 0 and res.p_value == 1
    if case == "zeros in one arm" and METHODS[method].estimate_label == "rate ratio":
        assert not res.estimable and "nobody in the treatment arm had an event" in res.note
    if case == "constant covariate" and method in ("lin", "poisson", "negative-binomial"):
        assert "x is the same for everyone here" in res.note


def test_value_count_fits_in_analyse_equal_person_level_fits():
    """analyse fits unadjusted count models and prevalence on value counts (frequency
    weights); the numbers equal the registry on one row per person."""
    res = analyse(D, Mapping(outcomes=("y",), subgroup="s"),
                  Settings(test="negative-binomial",
                           methods=("poisson", "prevalence", "prevalence-ratio")))
    for _, row in res.iterrows():
        d = D if row["subgroup"] == "All" else D[D["s"] == row["subgroup"]]
        want = run_method(row["test"], d["y"], (d["arm"] == "treatment").to_numpy())
        # the dispersion search stops within 1e-10 on log(alpha): agreement to 1e-7 or better
        rel = 1e-7 if row["test"] == "negative-binomial" else 1e-12
        for col in ("estimate", "ci_low", "ci_high", "p_value", "std_error"):
            assert row[col] == pytest.approx(getattr(want, col), rel=rel, nan_ok=True), col
        assert (row["n_treatment"], row["n_control"]) == (want.n_treatment, want.n_control)
        assert row["method"] == want.label and row["note"] == want.note


@settings(max_examples=15, deadline=None)
@given(n_t=st.integers(1, 12), n_c=st.integers(1, 12), seed=st.integers(0, 10_000),
       zero=st.booleans(), method=st.sampled_from(list(METHODS)))
def test_analyse_with_every_method_and_design_never_crashes(n_t, n_c, seed, zero, method):
    rng = np.random.default_rng(seed)
    n = n_t + n_c
    df = pd.DataFrame({
        "arm": ["treatment"] * n_t + ["control"] * n_c,
        "y": np.zeros(n, int) if zero else rng.poisson(1.0, n),
        "b": rng.poisson(2.0, n),
        "x": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
        "s": rng.choice(["a", "b"], n),
        "g": rng.choice(["u", "v"], n),
    })
    mapping = Mapping(outcomes=("y",), subgroup="g", covariates=("x",), strata=("s",),
                      baselines=(("y", "b"),))
    res = analyse(df, mapping, Settings(test=method, methods=tuple(METHODS), permutations=200))
    assert len(res) == len(METHODS) * res["subgroup"].nunique()
    assert res["primary"].sum() == res["subgroup"].nunique()
    for _, row in res.iterrows():
        assert np.isfinite(row["p_value"]) or row["note"], row["test"]
