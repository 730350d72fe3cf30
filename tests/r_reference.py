"""Reference values computed with R (and, for one block, statsmodels).

GENERATED FILE - do not edit by hand.  Regenerate with
    Rscript tests/r_reference.R > tests/r_reference.py

Conventions
  * x = treatment (*_T), y = control (*_C); alternative "less" means
    treatment lower than control.
  * Every case dict has a `call` key with the exact R code that produced
    its values (also repeated in the comment above the dict).
  * Numbers were printed from R with sprintf("%.15g"); infinite interval
    bounds are float("inf") / float("-inf"); R NA is None.
  * `r_warnings` lists the warning messages R emitted (muffled) for a case.
"""

R_VERSION = 'R version 4.2.2 Patched (2022-11-10 r83330)'

# ---------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------
# skewed counts, many ties and zeros
KNIFE_T = [0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 5, 0, 1, 0, 0, 2, 0, 0, 1, 0]  # n = 20
KNIFE_C = [0, 0, 1, 0, 3, 0, 0, 2, 0, 1, 0, 0, 4, 0, 0, 7, 0, 1, 0, 2, 0, 0, 3, 0, 1, 0, 4, 0, 2, 1]  # n = 30
# continuous skewed non-negative, 2 decimals, no ties (within or across groups)
HARM_T = [0.00, 3.25, 12.40, 1.75, 45.60, 8.10, 0.85, 150.30, 22.95, 5.60, 2.15, 67.45]  # n = 12
HARM_C = [4.10, 0.35, 18.75, 95.20, 7.85, 1.10, 310.60, 33.40, 12.05, 2.60, 56.90, 9.35, 0.70, 141.25, 25.15]  # n = 15
# tiny tie-free samples (exact Mann-Whitney)
SMALL_T = [1.3, 2.8, 0.6, 4.1, 3.5]  # n = 5
SMALL_C = [2.2, 5.0, 3.9, 6.3, 4.7, 5.8, 2.5]  # n = 7
# for exact permutation enumeration, choose(9, 4) = 126 arrangements
TINY_T = [2.1, 3.4, 0.5, 4.8]  # n = 4
TINY_C = [1.2, 0.3, 2.7, 0.9, 1.6]  # n = 5


# ---------------------------------------------------------------------------
# 1. Welch t test: t.test(x, y, var.equal=FALSE, ...)
# keys: call, data, x, y, var_equal, alternative, conf_level, statistic (t),
#       df, p_value, conf_int [lo, hi] (for mean(x)-mean(y)),
#       estimate [mean(x), mean(y)], mean_diff, stderr, r_warnings
# ---------------------------------------------------------------------------
T_TEST_WELCH = [
    # R: t.test(KNIFE_T, KNIFE_C, var.equal=FALSE, alternative="two.sided", conf.level=0.95)
    {
        'call': 't.test(KNIFE_T, KNIFE_C, var.equal=FALSE, alternative="two.sided", conf.level=0.95)',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'var_equal': False,
        'alternative': 'two.sided',
        'conf_level': 0.95,
        'statistic': -1.01285796263655,
        'df': 47.5396101186464,
        'p_value': 0.316255477712256,
        'conf_int': [-1.24400293801827, 0.410669604684934],
        'estimate': [0.65, 1.06666666666667],
        'mean_diff': -0.416666666666667,
        'stderr': 0.411377194075712,
        'r_warnings': [],
    },
    # R: t.test(KNIFE_T, KNIFE_C, var.equal=FALSE, alternative="less", conf.level=0.95)
    {
        'call': 't.test(KNIFE_T, KNIFE_C, var.equal=FALSE, alternative="less", conf.level=0.95)',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'var_equal': False,
        'alternative': 'less',
        'conf_level': 0.95,
        'statistic': -1.01285796263655,
        'df': 47.5396101186464,
        'p_value': 0.158127738856128,
        'conf_int': [float("-inf"), 0.273436631018878],
        'estimate': [0.65, 1.06666666666667],
        'mean_diff': -0.416666666666667,
        'stderr': 0.411377194075712,
        'r_warnings': [],
    },
    # R: t.test(KNIFE_T, KNIFE_C, var.equal=FALSE, alternative="greater", conf.level=0.95)
    {
        'call': 't.test(KNIFE_T, KNIFE_C, var.equal=FALSE, alternative="greater", conf.level=0.95)',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'var_equal': False,
        'alternative': 'greater',
        'conf_level': 0.95,
        'statistic': -1.01285796263655,
        'df': 47.5396101186464,
        'p_value': 0.841872261143872,
        'conf_int': [-1.10676996435221, float("inf")],
        'estimate': [0.65, 1.06666666666667],
        'mean_diff': -0.416666666666667,
        'stderr': 0.411377194075712,
        'r_warnings': [],
    },
    # R: t.test(HARM_T, HARM_C, var.equal=FALSE, alternative="two.sided", conf.level=0.95)
    {
        'call': 't.test(HARM_T, HARM_C, var.equal=FALSE, alternative="two.sided", conf.level=0.95)',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'var_equal': False,
        'alternative': 'two.sided',
        'conf_level': 0.95,
        'statistic': -0.851766407033624,
        'df': 22.1245399562622,
        'p_value': 0.403469603623613,
        'conf_int': [-72.9953183780104, 30.481985044677],
        'estimate': [26.7, 47.9566666666667],
        'mean_diff': -21.2566666666667,
        'stderr': 24.9559814652652,
        'r_warnings': [],
    },
    # R: t.test(HARM_T, HARM_C, var.equal=FALSE, alternative="less", conf.level=0.95)
    {
        'call': 't.test(HARM_T, HARM_C, var.equal=FALSE, alternative="less", conf.level=0.95)',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'var_equal': False,
        'alternative': 'less',
        'conf_level': 0.95,
        'statistic': -0.851766407033624,
        'df': 22.1245399562622,
        'p_value': 0.201734801811806,
        'conf_int': [float("-inf"), 21.5857648369096],
        'estimate': [26.7, 47.9566666666667],
        'mean_diff': -21.2566666666667,
        'stderr': 24.9559814652652,
        'r_warnings': [],
    },
    # R: t.test(HARM_T, HARM_C, var.equal=FALSE, alternative="greater", conf.level=0.95)
    {
        'call': 't.test(HARM_T, HARM_C, var.equal=FALSE, alternative="greater", conf.level=0.95)',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'var_equal': False,
        'alternative': 'greater',
        'conf_level': 0.95,
        'statistic': -0.851766407033624,
        'df': 22.1245399562622,
        'p_value': 0.798265198188194,
        'conf_int': [-64.099098170243, float("inf")],
        'estimate': [26.7, 47.9566666666667],
        'mean_diff': -21.2566666666667,
        'stderr': 24.9559814652652,
        'r_warnings': [],
    },
    # R: t.test(KNIFE_T, KNIFE_C, var.equal=FALSE, alternative="two.sided", conf.level=0.9)
    {
        'call': 't.test(KNIFE_T, KNIFE_C, var.equal=FALSE, alternative="two.sided", conf.level=0.9)',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'var_equal': False,
        'alternative': 'two.sided',
        'conf_level': 0.9,
        'statistic': -1.01285796263655,
        'df': 47.5396101186464,
        'p_value': 0.316255477712256,
        'conf_int': [-1.10676996435221, 0.273436631018878],
        'estimate': [0.65, 1.06666666666667],
        'mean_diff': -0.416666666666667,
        'stderr': 0.411377194075712,
        'r_warnings': [],
    },
    # R: t.test(HARM_T, HARM_C, var.equal=FALSE, alternative="two.sided", conf.level=0.9)
    {
        'call': 't.test(HARM_T, HARM_C, var.equal=FALSE, alternative="two.sided", conf.level=0.9)',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'var_equal': False,
        'alternative': 'two.sided',
        'conf_level': 0.9,
        'statistic': -0.851766407033624,
        'df': 22.1245399562622,
        'p_value': 0.403469603623613,
        'conf_int': [-64.099098170243, 21.5857648369096],
        'estimate': [26.7, 47.9566666666667],
        'mean_diff': -21.2566666666667,
        'stderr': 24.9559814652652,
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 2. Student (pooled-variance) t test: t.test(x, y, var.equal=TRUE, ...)
# keys: same as T_TEST_WELCH
# ---------------------------------------------------------------------------
T_TEST_STUDENT = [
    # R: t.test(KNIFE_T, KNIFE_C, var.equal=TRUE, alternative="two.sided", conf.level=0.95)
    {
        'call': 't.test(KNIFE_T, KNIFE_C, var.equal=TRUE, alternative="two.sided", conf.level=0.95)',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'var_equal': True,
        'alternative': 'two.sided',
        'conf_level': 0.95,
        'statistic': -0.951661902861773,
        'df': 48.0,
        'p_value': 0.346036145742686,
        'conf_int': [-1.29698401448122, 0.46365068114789],
        'estimate': [0.65, 1.06666666666667],
        'mean_diff': -0.416666666666667,
        'stderr': 0.437830562948559,
        'r_warnings': [],
    },
    # R: t.test(KNIFE_T, KNIFE_C, var.equal=TRUE, alternative="less", conf.level=0.95)
    {
        'call': 't.test(KNIFE_T, KNIFE_C, var.equal=TRUE, alternative="less", conf.level=0.95)',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'var_equal': True,
        'alternative': 'less',
        'conf_level': 0.95,
        'statistic': -0.951661902861773,
        'df': 48.0,
        'p_value': 0.173018072871343,
        'conf_int': [float("-inf"), 0.317673347313397],
        'estimate': [0.65, 1.06666666666667],
        'mean_diff': -0.416666666666667,
        'stderr': 0.437830562948559,
        'r_warnings': [],
    },
    # R: t.test(KNIFE_T, KNIFE_C, var.equal=TRUE, alternative="greater", conf.level=0.95)
    {
        'call': 't.test(KNIFE_T, KNIFE_C, var.equal=TRUE, alternative="greater", conf.level=0.95)',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'var_equal': True,
        'alternative': 'greater',
        'conf_level': 0.95,
        'statistic': -0.951661902861773,
        'df': 48.0,
        'p_value': 0.826981927128657,
        'conf_int': [-1.15100668064673, float("inf")],
        'estimate': [0.65, 1.06666666666667],
        'mean_diff': -0.416666666666667,
        'stderr': 0.437830562948559,
        'r_warnings': [],
    },
    # R: t.test(HARM_T, HARM_C, var.equal=TRUE, alternative="two.sided", conf.level=0.95)
    {
        'call': 't.test(HARM_T, HARM_C, var.equal=TRUE, alternative="two.sided", conf.level=0.95)',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'var_equal': True,
        'alternative': 'two.sided',
        'conf_level': 0.95,
        'statistic': -0.798512821415477,
        'df': 25.0,
        'p_value': 0.432093652330267,
        'conf_int': [-76.0822415715525, 33.5689082382191],
        'estimate': [26.7, 47.9566666666667],
        'mean_diff': -21.2566666666667,
        'stderr': 26.6203197952241,
        'r_warnings': [],
    },
    # R: t.test(HARM_T, HARM_C, var.equal=TRUE, alternative="less", conf.level=0.95)
    {
        'call': 't.test(HARM_T, HARM_C, var.equal=TRUE, alternative="less", conf.level=0.95)',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'var_equal': True,
        'alternative': 'less',
        'conf_level': 0.95,
        'statistic': -0.798512821415477,
        'df': 25.0,
        'p_value': 0.216046826165134,
        'conf_int': [float("-inf"), 24.2145866531164],
        'estimate': [26.7, 47.9566666666667],
        'mean_diff': -21.2566666666667,
        'stderr': 26.6203197952241,
        'r_warnings': [],
    },
    # R: t.test(HARM_T, HARM_C, var.equal=TRUE, alternative="greater", conf.level=0.95)
    {
        'call': 't.test(HARM_T, HARM_C, var.equal=TRUE, alternative="greater", conf.level=0.95)',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'var_equal': True,
        'alternative': 'greater',
        'conf_level': 0.95,
        'statistic': -0.798512821415477,
        'df': 25.0,
        'p_value': 0.783953173834866,
        'conf_int': [-66.7279199864498, float("inf")],
        'estimate': [26.7, 47.9566666666667],
        'mean_diff': -21.2566666666667,
        'stderr': 26.6203197952241,
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 3. Wilcoxon-Mann-Whitney, normal approximation with continuity correction
#    (ties present for KNIFE; R's warnings recorded in r_warnings)
# keys: call, data, x, y, alternative, exact, correct, conf_level,
#       statistic (W = U of x), p_value, conf_int [lo, hi], estimate, method,
#       call_tight, conf_int_tight, estimate_tight, hl_median_call, hl_median,
#       r_warnings
# NOTE: with exact=FALSE R finds conf_int AND estimate with uniroot at its
# default tol.root=1e-4, so conf_int/estimate are only good to ~1e-4.
# The *_tight keys repeat the call with tol.root=1e-12: the interval ends are
# then (to ~1e-12) pairwise differences x_i - y_j.  R's asymptotic
# 'difference in location' is *a* root of the UNcorrected standardized
# W(d) = 0; W is a step function, so when it is 0 on a flat stretch the
# point uniroot returns is arbitrary inside that stretch (HARM: -2.582...
# for every tolerance).  hl_median = median of all x_i - y_j (classic
# Hodges-Lehmann; what R reports in the exact case) is the stable target.
# ---------------------------------------------------------------------------
WILCOX_ASYMPTOTIC = [
    # R: wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="two.sided")
    {
        'call': 'wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="two.sided")',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'alternative': 'two.sided',
        'exact': False,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 264.5,
        'p_value': 0.431791869731478,
        'conf_int': [-0.999951290435247, 2.43756039904673e-05],
        'estimate': -5.50727283267708e-05,
        'method': 'Wilcoxon rank sum test with continuity correction',
        'call_tight': 'wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="two.sided", tol.root=1e-12)',
        'conf_int_tight': [-0.999999999999909, 3.97204102898698e-13],
        'estimate_tight': -1.26509656732934e-13,
        'hl_median_call': 'median(outer(KNIFE_T, KNIFE_C, "-"))',
        'hl_median': 0.0,
        'r_warnings': [],
    },
    # R: wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="less")
    {
        'call': 'wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="less")',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'alternative': 'less',
        'exact': False,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 264.5,
        'p_value': 0.215895934865739,
        'conf_int': [float("-inf"), 6.43837818150922e-05],
        'estimate': -5.50727283267708e-05,
        'method': 'Wilcoxon rank sum test with continuity correction',
        'call_tight': 'wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="less", tol.root=1e-12)',
        'conf_int_tight': [float("-inf"), 3.46387027697335e-13],
        'estimate_tight': -1.26509656732934e-13,
        'hl_median_call': 'median(outer(KNIFE_T, KNIFE_C, "-"))',
        'hl_median': 0.0,
        'r_warnings': [],
    },
    # R: wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="greater")
    {
        'call': 'wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="greater")',
        'data': 'KNIFE',
        'x': KNIFE_T,
        'y': KNIFE_C,
        'alternative': 'greater',
        'exact': False,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 264.5,
        'p_value': 0.79062446477904,
        'conf_int': [-6.55028993692444e-05, float("inf")],
        'estimate': -5.50727283267708e-05,
        'method': 'Wilcoxon rank sum test with continuity correction',
        'call_tight': 'wilcox.test(KNIFE_T, KNIFE_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="greater", tol.root=1e-12)',
        'conf_int_tight': [-5.46240241977688e-13, float("inf")],
        'estimate_tight': -1.26509656732934e-13,
        'hl_median_call': 'median(outer(KNIFE_T, KNIFE_C, "-"))',
        'hl_median': 0.0,
        'r_warnings': [],
    },
    # R: wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="two.sided")
    {
        'call': 'wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="two.sided")',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'alternative': 'two.sided',
        'exact': False,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 77.0,
        'p_value': 0.541903179987058,
        'conf_int': [-25.300026340787, 8.30000713296512],
        'estimate': -2.58202343478925,
        'method': 'Wilcoxon rank sum test with continuity correction',
        'call_tight': 'wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="two.sided", tol.root=1e-12)',
        'conf_int_tight': [-25.3000000000004, 8.30000000000024],
        'estimate_tight': -2.58202343478925,
        'hl_median_call': 'median(outer(HARM_T, HARM_C, "-"))',
        'hl_median': -2.475,
        'r_warnings': [],
    },
    # R: wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="less")
    {
        'call': 'wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="less")',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'alternative': 'less',
        'exact': False,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 77.0,
        'p_value': 0.270951589993529,
        'conf_int': [float("-inf"), 4.89999828777618],
        'estimate': -2.58202343478925,
        'method': 'Wilcoxon rank sum test with continuity correction',
        'call_tight': 'wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="less", tol.root=1e-12)',
        'conf_int_tight': [float("-inf"), 4.89999999999984],
        'estimate_tight': -2.58202343478925,
        'hl_median_call': 'median(outer(HARM_T, HARM_C, "-"))',
        'hl_median': -2.475,
        'r_warnings': [],
    },
    # R: wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="greater")
    {
        'call': 'wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="greater")',
        'data': 'HARM',
        'x': HARM_T,
        'y': HARM_C,
        'alternative': 'greater',
        'exact': False,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 77.0,
        'p_value': 0.744966236221233,
        'conf_int': [-20.9999577845789, float("inf")],
        'estimate': -2.58202343478925,
        'method': 'Wilcoxon rank sum test with continuity correction',
        'call_tight': 'wilcox.test(HARM_T, HARM_C, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="greater", tol.root=1e-12)',
        'conf_int_tight': [-20.9999999999996, float("inf")],
        'estimate_tight': -2.58202343478925,
        'hl_median_call': 'median(outer(HARM_T, HARM_C, "-"))',
        'hl_median': -2.475,
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 4. Wilcoxon-Mann-Whitney, exact (tie-free, small samples)
# keys: as WILCOX_ASYMPTOTIC minus call_tight, conf_int_tight, estimate_tight
#       (exact: conf_int ends are order statistics of x_i - y_j and
#       estimate == hl_median exactly; `correct` is irrelevant here)
# ---------------------------------------------------------------------------
WILCOX_EXACT = [
    # R: wilcox.test(SMALL_T, SMALL_C, conf.int=TRUE, alternative="two.sided")
    {
        'call': 'wilcox.test(SMALL_T, SMALL_C, conf.int=TRUE, alternative="two.sided")',
        'data': 'SMALL',
        'x': SMALL_T,
        'y': SMALL_C,
        'alternative': 'two.sided',
        'exact': True,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 7.0,
        'p_value': 0.106060606060606,
        'conf_int': [-4.1, 0.3],
        'estimate': -1.9,
        'method': 'Wilcoxon rank sum exact test',
        'hl_median_call': 'median(outer(SMALL_T, SMALL_C, "-"))',
        'hl_median': -1.9,
        'r_warnings': [],
    },
    # R: wilcox.test(SMALL_T, SMALL_C, conf.int=TRUE, alternative="less")
    {
        'call': 'wilcox.test(SMALL_T, SMALL_C, conf.int=TRUE, alternative="less")',
        'data': 'SMALL',
        'x': SMALL_T,
        'y': SMALL_C,
        'alternative': 'less',
        'exact': True,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 7.0,
        'p_value': 0.053030303030303,
        'conf_int': [float("-inf"), 0.2],
        'estimate': -1.9,
        'method': 'Wilcoxon rank sum exact test',
        'hl_median_call': 'median(outer(SMALL_T, SMALL_C, "-"))',
        'hl_median': -1.9,
        'r_warnings': [],
    },
    # R: wilcox.test(SMALL_T, SMALL_C, conf.int=TRUE, alternative="greater")
    {
        'call': 'wilcox.test(SMALL_T, SMALL_C, conf.int=TRUE, alternative="greater")',
        'data': 'SMALL',
        'x': SMALL_T,
        'y': SMALL_C,
        'alternative': 'greater',
        'exact': True,
        'correct': True,
        'conf_level': 0.95,
        'statistic': 7.0,
        'p_value': 0.963383838383838,
        'conf_int': [-3.7, float("inf")],
        'estimate': -1.9,
        'method': 'Wilcoxon rank sum exact test',
        'hl_median_call': 'median(outer(SMALL_T, SMALL_C, "-"))',
        'hl_median': -1.9,
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 5. p.adjust (NA is None; R drops NA from n by default)
# keys: call, p (input, None = NA), method, adjusted, r_warnings
# ---------------------------------------------------------------------------
P_ADJUST = [
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001), method="bonferroni")
    {
        'call': 'p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001), method="bonferroni")',
        'p': [0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001],
        'method': 'bonferroni',
        'adjusted': [0.08, 0.32, 0.24, 0.04, 1.0, 1.0, 0.392, 0.0008],
        'r_warnings': [],
    },
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001), method="holm")
    {
        'call': 'p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001), method="holm")',
        'p': [0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001],
        'method': 'holm',
        'adjusted': [0.06, 0.16, 0.15, 0.035, 0.4, 0.5, 0.16, 0.0008],
        'r_warnings': [],
    },
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001), method="BH")
    {
        'call': 'p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001), method="BH")',
        'p': [0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001],
        'method': 'BH',
        'adjusted': [0.0266666666666667, 0.064, 0.06, 0.02, 0.228571428571429, 0.5, 0.0653333333333333, 0.0008],
        'r_warnings': [],
    },
    # R: p.adjust(c(0.02, NA, 0.01, 0.3, 0.04, NA, 0.001), method="bonferroni")
    {
        'call': 'p.adjust(c(0.02, NA, 0.01, 0.3, 0.04, NA, 0.001), method="bonferroni")',
        'p': [0.02, None, 0.01, 0.3, 0.04, None, 0.001],
        'method': 'bonferroni',
        'adjusted': [0.1, None, 0.05, 1.0, 0.2, None, 0.005],
        'r_warnings': [],
    },
    # R: p.adjust(c(0.02, NA, 0.01, 0.3, 0.04, NA, 0.001), method="holm")
    {
        'call': 'p.adjust(c(0.02, NA, 0.01, 0.3, 0.04, NA, 0.001), method="holm")',
        'p': [0.02, None, 0.01, 0.3, 0.04, None, 0.001],
        'method': 'holm',
        'adjusted': [0.06, None, 0.04, 0.3, 0.08, None, 0.005],
        'r_warnings': [],
    },
    # R: p.adjust(c(0.02, NA, 0.01, 0.3, 0.04, NA, 0.001), method="BH")
    {
        'call': 'p.adjust(c(0.02, NA, 0.01, 0.3, 0.04, NA, 0.001), method="BH")',
        'p': [0.02, None, 0.01, 0.3, 0.04, None, 0.001],
        'method': 'BH',
        'adjusted': [0.0333333333333333, None, 0.025, 0.3, 0.05, None, 0.005],
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 6. power.t.test (type='two.sample')
# Solving for n or delta uses uniroot; R's default tol is
# .Machine$double.eps^0.25 (~1.2e-4), so each such case is given twice:
# `call` uses tol=1e-12 (precise root; assert tightly against this) and
# `call_default_tol` / `*_default_tol` record what plain R returns.
# keys: call, solve_for ('n' | 'power' | 'delta'), n, delta, sd, sig_level,
#       power, alternative ('two.sided' | 'one.sided'), strict,
#       call_default_tol, value_default_tol (solved quantity, default tol, or
#       None when nothing is solved by uniroot), r_warnings
# ---------------------------------------------------------------------------
POWER_T_TEST = [
    # R: power.t.test(delta=0.25, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided", tol=1e-12)
    {
        'call': 'power.t.test(delta=0.25, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided", tol=1e-12)',
        'solve_for': 'n',
        'n': 277.872107438156,
        'delta': 0.25,
        'sd': 1.05,
        'sig_level': 0.05,
        'power': 0.8,
        'alternative': 'two.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(delta=0.25, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided")',
        'value_default_tol': 277.8721074668,
        'r_warnings': [],
    },
    # R: power.t.test(delta=0.25, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="one.sided", tol=1e-12)
    {
        'call': 'power.t.test(delta=0.25, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="one.sided", tol=1e-12)',
        'solve_for': 'n',
        'n': 218.80015548,
        'delta': 0.25,
        'sd': 1.05,
        'sig_level': 0.05,
        'power': 0.8,
        'alternative': 'one.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(delta=0.25, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="one.sided")',
        'value_default_tol': 218.800155488008,
        'r_warnings': [],
    },
    # R: power.t.test(delta=0.5, sd=1, sig.level=0.05, power=0.9, type="two.sample", alternative="two.sided", tol=1e-12)
    {
        'call': 'power.t.test(delta=0.5, sd=1, sig.level=0.05, power=0.9, type="two.sample", alternative="two.sided", tol=1e-12)',
        'solve_for': 'n',
        'n': 85.0313133114998,
        'delta': 0.5,
        'sd': 1.0,
        'sig_level': 0.05,
        'power': 0.9,
        'alternative': 'two.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(delta=0.5, sd=1, sig.level=0.05, power=0.9, type="two.sample", alternative="two.sided")',
        'value_default_tol': 85.0312893853756,
        'r_warnings': [],
    },
    # R: power.t.test(delta=0.5, sd=1, sig.level=0.05, power=0.9, type="two.sample", alternative="one.sided", tol=1e-12)
    {
        'call': 'power.t.test(delta=0.5, sd=1, sig.level=0.05, power=0.9, type="two.sample", alternative="one.sided", tol=1e-12)',
        'solve_for': 'n',
        'n': 69.1978218448856,
        'delta': 0.5,
        'sd': 1.0,
        'sig_level': 0.05,
        'power': 0.9,
        'alternative': 'one.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(delta=0.5, sd=1, sig.level=0.05, power=0.9, type="two.sample", alternative="one.sided")',
        'value_default_tol': 69.197819339444,
        'r_warnings': [],
    },
    # R: power.t.test(delta=0.25, sd=1.05, sig.level=0.1, power=0.8, type="two.sample", alternative="two.sided", tol=1e-12)
    {
        'call': 'power.t.test(delta=0.25, sd=1.05, sig.level=0.1, power=0.8, type="two.sample", alternative="two.sided", tol=1e-12)',
        'solve_for': 'n',
        'n': 218.80015548,
        'delta': 0.25,
        'sd': 1.05,
        'sig_level': 0.1,
        'power': 0.8,
        'alternative': 'two.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(delta=0.25, sd=1.05, sig.level=0.1, power=0.8, type="two.sample", alternative="two.sided")',
        'value_default_tol': 218.800155488008,
        'r_warnings': [],
    },
    # R: power.t.test(delta=0.3, sd=1.1, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided", strict=TRUE, tol=1e-12)
    {
        'call': 'power.t.test(delta=0.3, sd=1.1, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided", strict=TRUE, tol=1e-12)',
        'solve_for': 'n',
        'n': 212.011786699666,
        'delta': 0.3,
        'sd': 1.1,
        'sig_level': 0.05,
        'power': 0.8,
        'alternative': 'two.sided',
        'strict': True,
        'call_default_tol': 'power.t.test(delta=0.3, sd=1.1, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided", strict=TRUE)',
        'value_default_tol': 212.011788631559,
        'r_warnings': [],
    },
    # R: power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="two.sided")
    {
        'call': 'power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="two.sided")',
        'solve_for': 'power',
        'n': 45.0,
        'delta': 0.25,
        'sd': 1.2,
        'sig_level': 0.05,
        'power': 0.162924827479162,
        'alternative': 'two.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="two.sided")',
        'value_default_tol': None,
        'r_warnings': [],
    },
    # R: power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="two.sided", strict=TRUE)
    {
        'call': 'power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="two.sided", strict=TRUE)',
        'solve_for': 'power',
        'n': 45.0,
        'delta': 0.25,
        'sd': 1.2,
        'sig_level': 0.05,
        'power': 0.164579187541196,
        'alternative': 'two.sided',
        'strict': True,
        'call_default_tol': 'power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="two.sided", strict=TRUE)',
        'value_default_tol': None,
        'r_warnings': [],
    },
    # R: power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="one.sided")
    {
        'call': 'power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="one.sided")',
        'solve_for': 'power',
        'n': 45.0,
        'delta': 0.25,
        'sd': 1.2,
        'sig_level': 0.05,
        'power': 0.253270509918331,
        'alternative': 'one.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(n=45, delta=0.25, sd=1.2, sig.level=0.05, type="two.sample", alternative="one.sided")',
        'value_default_tol': None,
        'r_warnings': [],
    },
    # R: power.t.test(n=100, delta=0.1, sd=1, sig.level=0.05, type="two.sample", alternative="two.sided", strict=TRUE)
    {
        'call': 'power.t.test(n=100, delta=0.1, sd=1, sig.level=0.05, type="two.sample", alternative="two.sided", strict=TRUE)',
        'solve_for': 'power',
        'n': 100.0,
        'delta': 0.1,
        'sd': 1.0,
        'sig_level': 0.05,
        'power': 0.108371840272233,
        'alternative': 'two.sided',
        'strict': True,
        'call_default_tol': 'power.t.test(n=100, delta=0.1, sd=1, sig.level=0.05, type="two.sample", alternative="two.sided", strict=TRUE)',
        'value_default_tol': None,
        'r_warnings': [],
    },
    # R: power.t.test(n=100, delta=0.1, sd=1, sig.level=0.05, type="two.sample", alternative="two.sided")
    {
        'call': 'power.t.test(n=100, delta=0.1, sd=1, sig.level=0.05, type="two.sample", alternative="two.sided")',
        'solve_for': 'power',
        'n': 100.0,
        'delta': 0.1,
        'sd': 1.0,
        'sig_level': 0.05,
        'power': 0.104506996231973,
        'alternative': 'two.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(n=100, delta=0.1, sd=1, sig.level=0.05, type="two.sample", alternative="two.sided")',
        'value_default_tol': None,
        'r_warnings': [],
    },
    # R: power.t.test(n=100, sd=1, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided", tol=1e-12)
    {
        'call': 'power.t.test(n=100, sd=1, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided", tol=1e-12)',
        'solve_for': 'delta',
        'n': 100.0,
        'delta': 0.398138624874291,
        'sd': 1.0,
        'sig_level': 0.05,
        'power': 0.8,
        'alternative': 'two.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(n=100, sd=1, sig.level=0.05, power=0.8, type="two.sample", alternative="two.sided")',
        'value_default_tol': 0.398140044981864,
        'r_warnings': [],
    },
    # R: power.t.test(n=100, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="one.sided", tol=1e-12)
    {
        'call': 'power.t.test(n=100, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="one.sided", tol=1e-12)',
        'solve_for': 'delta',
        'n': 100.0,
        'delta': 0.370490655162636,
        'sd': 1.05,
        'sig_level': 0.05,
        'power': 0.8,
        'alternative': 'one.sided',
        'strict': False,
        'call_default_tol': 'power.t.test(n=100, sd=1.05, sig.level=0.05, power=0.8, type="two.sample", alternative="one.sided")',
        'value_default_tol': 0.370492466600164,
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 6b. Power with unequal allocation via the noncentral t (no base R function)
# keys: call, n1, n2, delta, sd, alpha, df, ncp, crit (qt upper), alternative,
#       strict, power, r_warnings
# ---------------------------------------------------------------------------
POWER_UNEQUAL = [
    # R: n1 <- 45; n2 <- 86; delta <- 0.3; sd <- 1.1; alpha <- 0.05; df <- n1+n2-2; ncp <- delta/(sd*sqrt(1/n1+1/n2)); qu <- qt(alpha/2, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE) + pt(-qu, df, ncp)
    {
        'call': 'n1 <- 45; n2 <- 86; delta <- 0.3; sd <- 1.1; alpha <- 0.05; df <- n1+n2-2; ncp <- delta/(sd*sqrt(1/n1+1/n2)); qu <- qt(alpha/2, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE) + pt(-qu, df, ncp)',
        'n1': 45,
        'n2': 86,
        'delta': 0.3,
        'sd': 1.1,
        'alpha': 0.05,
        'df': 129.0,
        'ncp': 1.48234196709132,
        'crit': 1.97852449147925,
        'alternative': 'two.sided',
        'strict': True,
        'power': 0.31284454576368,
        'r_warnings': [],
    },
    # R: n1 <- 45; n2 <- 86; delta <- 0.3; sd <- 1.1; alpha <- 0.05; df <- n1+n2-2; ncp <- delta/(sd*sqrt(1/n1+1/n2)); qu <- qt(alpha/2, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE)
    {
        'call': 'n1 <- 45; n2 <- 86; delta <- 0.3; sd <- 1.1; alpha <- 0.05; df <- n1+n2-2; ncp <- delta/(sd*sqrt(1/n1+1/n2)); qu <- qt(alpha/2, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE)',
        'n1': 45,
        'n2': 86,
        'delta': 0.3,
        'sd': 1.1,
        'alpha': 0.05,
        'df': 129.0,
        'ncp': 1.48234196709132,
        'crit': 1.97852449147925,
        'alternative': 'two.sided',
        'strict': False,
        'power': 0.312544262955684,
        'r_warnings': [],
    },
    # R: n1 <- 45; n2 <- 86; delta <- 0.3; sd <- 1.1; alpha <- 0.05; df <- n1+n2-2; ncp <- delta/(sd*sqrt(1/n1+1/n2)); qu <- qt(alpha, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE)
    {
        'call': 'n1 <- 45; n2 <- 86; delta <- 0.3; sd <- 1.1; alpha <- 0.05; df <- n1+n2-2; ncp <- delta/(sd*sqrt(1/n1+1/n2)); qu <- qt(alpha, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE)',
        'n1': 45,
        'n2': 86,
        'delta': 0.3,
        'sd': 1.1,
        'alpha': 0.05,
        'df': 129.0,
        'ncp': 1.48234196709132,
        'crit': 1.6567515939817,
        'alternative': 'one.sided',
        'strict': False,
        'power': 0.432391291054886,
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 7. Appendix B of the focused-deterrence 12-month report: p from (t, df)
#    (t and df as printed in the report; reported_p = the p-value printed there)
# keys (per row): call, group ('all' | 'under_18'), role ('suspect' | 'victim'),
#       outcome ('harm' | 'knife' | 'violent' | 'violent_sexual' |
#       'non_police_initiated'), mean_t, mean_c, t, df, reported_p,
#       p_two_sided = 2*pt(-abs(t), df), p_less = pt(t, df)
# ---------------------------------------------------------------------------
# R: p_two_sided <- 2*pt(-abs(t), df); p_less <- pt(t, df)
APPENDIX_B_CALL = 'p_two_sided <- 2*pt(-abs(t), df); p_less <- pt(t, df)'
APPENDIX_B_T_TO_P = [
    # R: c(2*pt(-abs(-2.1094), 128.04), pt(-2.1094, 128.04))
    {'call': 'c(2*pt(-abs(-2.1094), 128.04), pt(-2.1094, 128.04))',
     'group': 'all', 'role': 'suspect', 'outcome': 'harm',
     'mean_t': 221.86, 'mean_c': 477.57, 't': -2.1094, 'df': 128.04, 'reported_p': 0.03686,
     'p_two_sided': 0.0368571301112086, 'p_less': 0.0184285650556043},
    # R: c(2*pt(-abs(-1.4076), 127.47), pt(-1.4076, 127.47))
    {'call': 'c(2*pt(-abs(-1.4076), 127.47), pt(-1.4076, 127.47))',
     'group': 'all', 'role': 'suspect', 'outcome': 'knife',
     'mean_t': 0.38, 'mean_c': 0.63, 't': -1.4076, 'df': 127.47, 'reported_p': 0.08084,
     'p_two_sided': 0.161683461476925, 'p_less': 0.0808417307384624},
    # R: c(2*pt(-abs(-1.2439), 106.57), pt(-1.2439, 106.57))
    {'call': 'c(2*pt(-abs(-1.2439), 106.57), pt(-1.2439, 106.57))',
     'group': 'all', 'role': 'suspect', 'outcome': 'violent',
     'mean_t': 1.24, 'mean_c': 1.73, 't': -1.2439, 'df': 106.57, 'reported_p': 0.1081,
     'p_two_sided': 0.216265502776475, 'p_less': 0.108132751388238},
    # R: c(2*pt(-abs(-1.2498), 104.21), pt(-1.2498, 104.21))
    {'call': 'c(2*pt(-abs(-1.2498), 104.21), pt(-1.2498, 104.21))',
     'group': 'all', 'role': 'suspect', 'outcome': 'violent_sexual',
     'mean_t': 1.29, 'mean_c': 1.8, 't': -1.2498, 'df': 104.21, 'reported_p': 0.1071,
     'p_two_sided': 0.214172166475986, 'p_less': 0.107086083237993},
    # R: c(2*pt(-abs(-0.94324), 95.391), pt(-0.94324, 95.391))
    {'call': 'c(2*pt(-abs(-0.94324), 95.391), pt(-0.94324, 95.391))',
     'group': 'all', 'role': 'suspect', 'outcome': 'non_police_initiated',
     'mean_t': 2.47, 'mean_c': 3.14, 't': -0.94324, 'df': 95.391, 'reported_p': 0.174,
     'p_two_sided': 0.347941004775487, 'p_less': 0.173970502387743},
    # R: c(2*pt(-abs(-0.252), 89.244), pt(-0.252, 89.244))
    {'call': 'c(2*pt(-abs(-0.252), 89.244), pt(-0.252, 89.244))',
     'group': 'all', 'role': 'victim', 'outcome': 'harm',
     'mean_t': 236.26, 'mean_c': 268.67, 't': -0.252, 'df': 89.244, 'reported_p': 0.8016,
     'p_two_sided': 0.801620498758735, 'p_less': 0.400810249379367},
    # R: c(2*pt(-abs(-0.71556), 124.58), pt(-0.71556, 124.58))
    {'call': 'c(2*pt(-abs(-0.71556), 124.58), pt(-0.71556, 124.58))',
     'group': 'all', 'role': 'victim', 'outcome': 'knife',
     'mean_t': 0.11, 'mean_c': 0.16, 't': -0.71556, 'df': 124.58, 'reported_p': 0.4756,
     'p_two_sided': 0.475602069294389, 'p_less': 0.237801034647194},
    # R: c(2*pt(-abs(-1.0878), 109.94), pt(-1.0878, 109.94))
    {'call': 'c(2*pt(-abs(-1.0878), 109.94), pt(-1.0878, 109.94))',
     'group': 'all', 'role': 'victim', 'outcome': 'violent',
     'mean_t': 0.4, 'mean_c': 0.63, 't': -1.0878, 'df': 109.94, 'reported_p': 0.2791,
     'p_two_sided': 0.279062426967936, 'p_less': 0.139531213483968},
    # R: c(2*pt(-abs(-0.79202), 110.21), pt(-0.79202, 110.21))
    {'call': 'c(2*pt(-abs(-0.79202), 110.21), pt(-0.79202, 110.21))',
     'group': 'all', 'role': 'victim', 'outcome': 'violent_sexual',
     'mean_t': 0.49, 'mean_c': 0.66, 't': -0.79202, 'df': 110.21, 'reported_p': 0.43,
     'p_two_sided': 0.430050468259544, 'p_less': 0.215025234129772},
    # R: c(2*pt(-abs(0.4363), 78.277), pt(0.4363, 78.277))
    {'call': 'c(2*pt(-abs(0.4363), 78.277), pt(0.4363, 78.277))',
     'group': 'all', 'role': 'victim', 'outcome': 'non_police_initiated',
     'mean_t': 0.98, 'mean_c': 0.85, 't': 0.4363, 'df': 78.277, 'reported_p': 0.6638,
     'p_two_sided': 0.663820101294015, 'p_less': 0.668089949352992},
    # R: c(2*pt(-abs(-2.482), 67.702), pt(-2.482, 67.702))
    {'call': 'c(2*pt(-abs(-2.482), 67.702), pt(-2.482, 67.702))',
     'group': 'under_18', 'role': 'suspect', 'outcome': 'harm',
     'mean_t': 175.78, 'mean_c': 594.47, 't': -2.482, 'df': 67.702, 'reported_p': 0.01555,
     'p_two_sided': 0.0155513264634105, 'p_less': 0.00777566323170527},
    # R: c(2*pt(-abs(-1.9075), 67.581), pt(-1.9075, 67.581))
    {'call': 'c(2*pt(-abs(-1.9075), 67.581), pt(-1.9075, 67.581))',
     'group': 'under_18', 'role': 'suspect', 'outcome': 'knife',
     'mean_t': 0.35, 'mean_c': 0.86, 't': -1.9075, 'df': 67.581, 'reported_p': 0.03036,
     'p_two_sided': 0.0607064643569348, 'p_less': 0.0303532321784674},
    # R: c(2*pt(-abs(-0.47355), 43.838), pt(-0.47355, 43.838))
    {'call': 'c(2*pt(-abs(-0.47355), 43.838), pt(-0.47355, 43.838))',
     'group': 'under_18', 'role': 'suspect', 'outcome': 'violent',
     'mean_t': 1.75, 'mean_c': 2.06, 't': -0.47355, 'df': 43.838, 'reported_p': 0.3191,
     'p_two_sided': 0.638170694333481, 'p_less': 0.31908534716674},
    # R: c(2*pt(-abs(-0.52804), 43.305), pt(-0.52804, 43.305))
    {'call': 'c(2*pt(-abs(-0.52804), 43.305), pt(-0.52804, 43.305))',
     'group': 'under_18', 'role': 'suspect', 'outcome': 'violent_sexual',
     'mean_t': 1.8, 'mean_c': 2.16, 't': -0.52804, 'df': 43.305, 'reported_p': 0.3001,
     'p_two_sided': 0.600167141589346, 'p_less': 0.300083570794673},
    # R: c(2*pt(-abs(-0.15573), 37.878), pt(-0.15573, 37.878))
    {'call': 'c(2*pt(-abs(-0.15573), 37.878), pt(-0.15573, 37.878))',
     'group': 'under_18', 'role': 'suspect', 'outcome': 'non_police_initiated',
     'mean_t': 3.5, 'mean_c': 3.68, 't': -0.15573, 'df': 37.878, 'reported_p': 0.4385,
     'p_two_sided': 0.877072837613417, 'p_less': 0.438536418806708},
    # R: c(2*pt(-abs(0.40867), 27.952), pt(0.40867, 27.952))
    {'call': 'c(2*pt(-abs(0.40867), 27.952), pt(0.40867, 27.952))',
     'group': 'under_18', 'role': 'victim', 'outcome': 'harm',
     'mean_t': 398.23, 'mean_c': 299.87, 't': 0.40867, 'df': 27.952, 'reported_p': 0.6859,
     'p_two_sided': 0.685896005525562, 'p_less': 0.657051997237219},
    # R: c(2*pt(-abs(-1.5785), 67.998), pt(-1.5785, 67.998))
    {'call': 'c(2*pt(-abs(-1.5785), 67.998), pt(-1.5785, 67.998))',
     'group': 'under_18', 'role': 'victim', 'outcome': 'knife',
     'mean_t': 0.05, 'mean_c': 0.2, 't': -1.5785, 'df': 67.998, 'reported_p': 0.1191,
     'p_two_sided': 0.119091901819899, 'p_less': 0.0595459509099494},
    # R: c(2*pt(-abs(-0.59794), 36.005), pt(-0.59794, 36.005))
    {'call': 'c(2*pt(-abs(-0.59794), 36.005), pt(-0.59794, 36.005))',
     'group': 'under_18', 'role': 'victim', 'outcome': 'violent',
     'mean_t': 0.55, 'mean_c': 0.74, 't': -0.59794, 'df': 36.005, 'reported_p': 0.5536,
     'p_two_sided': 0.553622729447739, 'p_less': 0.27681136472387},
    # R: c(2*pt(-abs(-0.08868), 37.5), pt(-0.08868, 37.5))
    {'call': 'c(2*pt(-abs(-0.08868), 37.5), pt(-0.08868, 37.5))',
     'group': 'under_18', 'role': 'victim', 'outcome': 'violent_sexual',
     'mean_t': 0.75, 'mean_c': 0.78, 't': -0.08868, 'df': 37.5, 'reported_p': 0.9298,
     'p_two_sided': 0.929808142001436, 'p_less': 0.464904071000718},
    # R: c(2*pt(-abs(0.67598), 33.642), pt(0.67598, 33.642))
    {'call': 'c(2*pt(-abs(0.67598), 33.642), pt(0.67598, 33.642))',
     'group': 'under_18', 'role': 'victim', 'outcome': 'non_police_initiated',
     'mean_t': 1.2, 'mean_c': 0.94, 't': 0.67598, 'df': 33.642, 'reported_p': 0.5037,
     'p_two_sided': 0.503674182239956, 'p_less': 0.748162908880022},
]

# ---------------------------------------------------------------------------
# 8. Two-sample t from summary statistics (formula in R; no base function)
# keys: call, m1, s1, n1, m2, s2, n2, conf_level, mean_diff (m1-m2), se,
#       statistic (t), df, p_two_sided, p_less, p_greater, conf_int [lo, hi]
#       (+ pooled_sd for the Student version)
# ---------------------------------------------------------------------------
# R: m1 <- 0.38; s1 <- 0.84; n1 <- 45; m2 <- 0.63; s2 <- 1.21; n2 <- 86; se <- sqrt(s1^2/n1 + s2^2/n2); t <- (m1-m2)/se; df <- se^4/((s1^2/n1)^2/(n1-1) + (s2^2/n2)^2/(n2-1)); p <- 2*pt(-abs(t), df); p_less <- pt(t, df); p_greater <- pt(t, df, lower=FALSE); ci <- (m1-m2) + c(-1, 1)*qt(0.975, df)*se
WELCH_SUMMARY = {
    'call': 'm1 <- 0.38; s1 <- 0.84; n1 <- 45; m2 <- 0.63; s2 <- 1.21; n2 <- 86; se <- sqrt(s1^2/n1 + s2^2/n2); t <- (m1-m2)/se; df <- se^4/((s1^2/n1)^2/(n1-1) + (s2^2/n2)^2/(n2-1)); p <- 2*pt(-abs(t), df); p_less <- pt(t, df); p_greater <- pt(t, df, lower=FALSE); ci <- (m1-m2) + c(-1, 1)*qt(0.975, df)*se',
    'm1': 0.38,
    's1': 0.84,
    'n1': 45,
    'm2': 0.63,
    's2': 1.21,
    'n2': 86,
    'conf_level': 0.95,
    'mean_diff': -0.25,
    'se': 0.180843630257334,
    'statistic': -1.38240976275614,
    'df': 118.874388065182,
    'p_two_sided': 0.169437691593373,
    'p_less': 0.0847188457966867,
    'p_greater': 0.915281154203313,
    'conf_int': [-0.608092336481031, 0.108092336481031],
}
# R: m1 <- 0.38; s1 <- 0.84; n1 <- 45; m2 <- 0.63; s2 <- 1.21; n2 <- 86; sp <- sqrt(((n1-1)*s1^2 + (n2-1)*s2^2)/(n1+n2-2)); se <- sp*sqrt(1/n1 + 1/n2); t <- (m1-m2)/se; df <- n1+n2-2; p <- 2*pt(-abs(t), df); p_less <- pt(t, df); p_greater <- pt(t, df, lower=FALSE); ci <- (m1-m2) + c(-1, 1)*qt(0.975, df)*se
STUDENT_SUMMARY = {
    'call': 'm1 <- 0.38; s1 <- 0.84; n1 <- 45; m2 <- 0.63; s2 <- 1.21; n2 <- 86; sp <- sqrt(((n1-1)*s1^2 + (n2-1)*s2^2)/(n1+n2-2)); se <- sp*sqrt(1/n1 + 1/n2); t <- (m1-m2)/se; df <- n1+n2-2; p <- 2*pt(-abs(t), df); p_less <- pt(t, df); p_greater <- pt(t, df, lower=FALSE); ci <- (m1-m2) + c(-1, 1)*qt(0.975, df)*se',
    'm1': 0.38,
    's1': 0.84,
    'n1': 45,
    'm2': 0.63,
    's2': 1.21,
    'n2': 86,
    'conf_level': 0.95,
    'mean_diff': -0.25,
    'se': 0.201996286226901,
    'statistic': -1.23764651652643,
    'df': 129.0,
    'p_two_sided': 0.218095108967326,
    'p_less': 0.109047554483663,
    'p_greater': 0.890952445516337,
    'conf_int': [-0.649654599487776, 0.149654599487776],
    'pooled_sd': 1.097901098326,
}

# ---------------------------------------------------------------------------
# 9. Wilson score interval: prop.test(x, n, correct=FALSE)
# keys: call, x, n, conf_level, estimate (x/n), conf_int [lo, hi], r_warnings
# ---------------------------------------------------------------------------
WILSON = [
    # R: prop.test(17, 20, correct=FALSE, conf.level=0.95)
    {
        'call': 'prop.test(17, 20, correct=FALSE, conf.level=0.95)',
        'x': 17,
        'n': 20,
        'conf_level': 0.95,
        'estimate': 0.85,
        'conf_int': [0.639581135259243, 0.947631254103783],
        'r_warnings': [],
    },
    # R: prop.test(10, 25, correct=FALSE, conf.level=0.95)
    {
        'call': 'prop.test(10, 25, correct=FALSE, conf.level=0.95)',
        'x': 10,
        'n': 25,
        'conf_level': 0.95,
        'estimate': 0.4,
        'conf_int': [0.23403302377748, 0.59260542641033],
        'r_warnings': [],
    },
    # R: prop.test(27, 45, correct=FALSE, conf.level=0.95)
    {
        'call': 'prop.test(27, 45, correct=FALSE, conf.level=0.95)',
        'x': 27,
        'n': 45,
        'conf_level': 0.95,
        'estimate': 0.6,
        'conf_int': [0.454518545903514, 0.729751134349908],
        'r_warnings': [],
    },
    # R: prop.test(17, 20, correct=FALSE, conf.level=0.9)
    {
        'call': 'prop.test(17, 20, correct=FALSE, conf.level=0.9)',
        'x': 17,
        'n': 20,
        'conf_level': 0.9,
        'estimate': 0.85,
        'conf_int': [0.678171924324693, 0.938417589522632],
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 10. Fisher exact test, 2x2. matrix(c(a, c, b, d), 2) fills column-wise:
#     rows = arm (treatment, control), columns = event (yes, no).
#     treatment 9 of 45 with any knife offence, control 30 of 86.
#     estimate = conditional MLE odds ratio (treatment odds / control odds).
# keys: call, table {'a','b','c','d'} (a = T yes, b = T no, c = C yes, d = C no),
#       alternative, conf_level, p_value, estimate, conf_int [lo, hi], r_warnings
# ---------------------------------------------------------------------------
FISHER = [
    # R: fisher.test(matrix(c(9, 30, 36, 56), nrow=2, dimnames=list(arm=c("treatment", "control"), event=c("yes", "no"))), alternative="two.sided")
    {
        'call': 'fisher.test(matrix(c(9, 30, 36, 56), nrow=2, dimnames=list(arm=c("treatment", "control"), event=c("yes", "no"))), alternative="two.sided")',
        'table': {'a': 9, 'b': 36, 'c': 30, 'd': 56},
        'alternative': 'two.sided',
        'conf_level': 0.95,
        'p_value': 0.106990829648546,
        'estimate': 0.469267927386174,
        'conf_int': [0.17484381409915, 1.16330255902644],
        'r_warnings': [],
    },
    # R: fisher.test(matrix(c(9, 30, 36, 56), nrow=2, dimnames=list(arm=c("treatment", "control"), event=c("yes", "no"))), alternative="less")
    {
        'call': 'fisher.test(matrix(c(9, 30, 36, 56), nrow=2, dimnames=list(arm=c("treatment", "control"), event=c("yes", "no"))), alternative="less")',
        'table': {'a': 9, 'b': 36, 'c': 30, 'd': 56},
        'alternative': 'less',
        'conf_level': 0.95,
        'p_value': 0.0565370256893551,
        'estimate': 0.469267927386174,
        'conf_int': [0.0, 1.02468448022759],
        'r_warnings': [],
    },
    # R: fisher.test(matrix(c(9, 30, 36, 56), nrow=2, dimnames=list(arm=c("treatment", "control"), event=c("yes", "no"))), alternative="greater")
    {
        'call': 'fisher.test(matrix(c(9, 30, 36, 56), nrow=2, dimnames=list(arm=c("treatment", "control"), event=c("yes", "no"))), alternative="greater")',
        'table': {'a': 9, 'b': 36, 'c': 30, 'd': 56},
        'alternative': 'greater',
        'conf_level': 0.95,
        'p_value': 0.977556494896453,
        'estimate': 0.469267927386174,
        'conf_int': [0.203680735229649, float("inf")],
        'r_warnings': [],
    },
]

# ---------------------------------------------------------------------------
# 11. NOT FROM R: statsmodels confint_proportions_2indep, same table as FISHER
#     (count1=9, nobs1=45 treatment; count2=30, nobs2=86 control; alpha=0.05).
#     Produced in a scratch venv with:
#       from statsmodels.stats.proportion import confint_proportions_2indep
#       lo, hi = confint_proportions_2indep(9, 45, 30, 86, method=..., compare=...)
#       print('%.15g %.15g' % (lo, hi))
#     estimate (p1-p2 or p1/p2) printed from R.
# keys: call, count1, nobs1, count2, nobs2, compare, method, alpha, estimate,
#       conf_int [lo, hi]
# ---------------------------------------------------------------------------
STATSMODELS_VERSION = '0.15.0'
STATSMODELS_2INDEP = [
    # statsmodels 0.15.0: statsmodels.stats.proportion.confint_proportions_2indep(9, 45, 30, 86, method='newcomb', compare='diff', alpha=0.05)
    {
        'call': 'statsmodels.stats.proportion.confint_proportions_2indep(9, 45, 30, 86, method=\'newcomb\', compare=\'diff\', alpha=0.05)',
        'count1': 9, 'nobs1': 45, 'count2': 30, 'nobs2': 86,
        'compare': 'diff', 'method': 'newcomb', 'alpha': 0.05,
        'estimate': -0.148837209302326,
        'conf_int': [-0.287980406059626, 0.0173759265392934],
    },
    # statsmodels 0.15.0: statsmodels.stats.proportion.confint_proportions_2indep(9, 45, 30, 86, method='wald', compare='diff', alpha=0.05)
    {
        'call': 'statsmodels.stats.proportion.confint_proportions_2indep(9, 45, 30, 86, method=\'wald\', compare=\'diff\', alpha=0.05)',
        'count1': 9, 'nobs1': 45, 'count2': 30, 'nobs2': 86,
        'compare': 'diff', 'method': 'wald', 'alpha': 0.05,
        'estimate': -0.148837209302326,
        'conf_int': [-0.30312549977355, 0.0054510811688987],
    },
    # statsmodels 0.15.0: statsmodels.stats.proportion.confint_proportions_2indep(9, 45, 30, 86, method='log', compare='ratio', alpha=0.05)
    {
        'call': 'statsmodels.stats.proportion.confint_proportions_2indep(9, 45, 30, 86, method=\'log\', compare=\'ratio\', alpha=0.05)',
        'count1': 9, 'nobs1': 45, 'count2': 30, 'nobs2': 86,
        'compare': 'ratio', 'method': 'log', 'alpha': 0.05,
        'estimate': 0.573333333333333,
        'conf_int': [0.298767917306255, 1.1002222530278],
    },
]

# ---------------------------------------------------------------------------
# 12. Exact permutation test of mean(x) - mean(y) on TINY, all choose(9, 4) = 126
#     assignments of the pooled data to treatment.
# keys: call, x, y, n_perm, d_obs, count_two_sided, count_less, count_greater,
#       p_two_sided, p_less, p_greater
# ---------------------------------------------------------------------------
# R: z <- c(TINY_T, TINY_C); idx <- combn(9, 4); d <- apply(idx, 2, function(i) mean(z[i]) - mean(z[-i])); d_obs <- mean(TINY_T) - mean(TINY_C); p_two <- mean(abs(d) >= abs(d_obs) - 1e-12); p_less <- mean(d <= d_obs + 1e-12); p_greater <- mean(d >= d_obs - 1e-12)
PERMUTATION_EXACT = {
    'call': 'z <- c(TINY_T, TINY_C); idx <- combn(9, 4); d <- apply(idx, 2, function(i) mean(z[i]) - mean(z[-i])); d_obs <- mean(TINY_T) - mean(TINY_C); p_two <- mean(abs(d) >= abs(d_obs) - 1e-12); p_less <- mean(d <= d_obs + 1e-12); p_greater <- mean(d >= d_obs - 1e-12)',
    'x': TINY_T,
    'y': TINY_C,
    'n_perm': 126,
    'd_obs': 1.36,
    'count_two_sided': 25,
    'count_less': 115,
    'count_greater': 13,
    'p_two_sided': 0.198412698412698,
    'p_less': 0.912698412698413,
    'p_greater': 0.103174603174603,
}
