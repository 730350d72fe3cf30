#!/usr/bin/env Rscript
# Reference values for the Python statistics engine's test suite.
#
# This script PRINTS the complete Python module tests/r_reference.py on stdout.
# Regenerate / compare with:
#
#     Rscript tests/r_reference.R > /tmp/r_reference.py
#     diff /tmp/r_reference.py tests/r_reference.py
#
# Every R value is produced by eval(parse(text = call)), so the `call` string
# stored in the module is exactly the R code that produced it.  Numbers are
# printed with sprintf("%.15g").  Base R + recommended packages only.
#
# The single non-R block (STATSMODELS_2INDEP) holds values from Python
# statsmodels (R base has no Newcombe / Katz interval for two proportions);
# it is embedded literally below together with the Python code that made it.

options(warn = 1)

# ---------------------------------------------------------------------------
# Data sets (identical to the Python lists emitted at the top of the module)
# ---------------------------------------------------------------------------
KNIFE_T <- c(0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 5, 0, 1, 0, 0, 2, 0, 0, 1, 0)                # n = 20
KNIFE_C <- c(0, 0, 1, 0, 3, 0, 0, 2, 0, 1, 0, 0, 4, 0, 0, 7, 0, 1, 0, 2,
             0, 0, 3, 0, 1, 0, 4, 0, 2, 1)                                             # n = 30
HARM_T  <- c(0.00, 3.25, 12.40, 1.75, 45.60, 8.10, 0.85, 150.30, 22.95, 5.60, 2.15, 67.45)  # n = 12
HARM_C  <- c(4.10, 0.35, 18.75, 95.20, 7.85, 1.10, 310.60, 33.40, 12.05, 2.60, 56.90, 9.35,
             0.70, 141.25, 25.15)                                                      # n = 15
SMALL_T <- c(1.3, 2.8, 0.6, 4.1, 3.5)                                                  # n = 5
SMALL_C <- c(2.2, 5.0, 3.9, 6.3, 4.7, 5.8, 2.5)                                        # n = 7
TINY_T  <- c(2.1, 3.4, 0.5, 4.8)                                                       # n = 4
TINY_C  <- c(1.2, 0.3, 2.7, 0.9, 1.6)                                                  # n = 5

stopifnot(length(KNIFE_T) == 20, length(KNIFE_C) == 30, length(HARM_T) == 12,
          length(HARM_C) == 15, length(SMALL_T) == 5, length(SMALL_C) == 7,
          length(TINY_T) == 4, length(TINY_C) == 5,
          !anyDuplicated(c(HARM_T, HARM_C)), !anyDuplicated(c(SMALL_T, SMALL_C)),
          !anyDuplicated(c(TINY_T, TINY_C)))

ALTS <- c("two.sided", "less", "greater")

# ---------------------------------------------------------------------------
# Python-literal helpers
# ---------------------------------------------------------------------------
num1 <- function(x) {
  if (is.na(x)) return("None")
  if (is.infinite(x)) return(if (x > 0) 'float("inf")' else 'float("-inf")')
  s <- sprintf("%.15g", x)
  if (!grepl("[.eEn]", s)) s <- paste0(s, ".0")   # keep every result a float
  s
}
num  <- function(x) vapply(as.numeric(x), num1, "")
plist <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
pint  <- function(x) as.character(as.integer(x))
pstr  <- function(s) paste0("'", gsub("'", "\\\\'", gsub("\\\\", "\\\\\\\\", s)), "'")
pstrs <- function(v) paste0("[", paste(vapply(v, pstr, ""), collapse = ", "), "]")
pdata <- function(x, fmt) paste0("[", paste(sprintf(fmt, x), collapse = ", "), "]")

out <- function(...) cat(..., "\n", sep = "")

# evaluate a call string, collecting (and muffling) warnings
run <- function(call) {
  w <- character(0)
  val <- withCallingHandlers(eval(parse(text = call), envir = globalenv()),
                             warning = function(cond) {
                               w <<- c(w, conditionMessage(cond))
                               invokeRestart("muffleWarning")
                             })
  list(value = val, warnings = unique(w))
}

# print one case dict; `kv` is a named character vector of Python literals
# (name given: a top-level `NAME = {...}` instead of a list element)
emit_case <- function(call, kv, indent = "    ", name = NULL) {
  if (!is.null(name)) indent <- ""
  for (line in strsplit(call, "\n", fixed = TRUE)[[1]]) out(indent, "# R: ", line)
  out(indent, if (is.null(name)) "{" else paste0(name, " = {"))
  out(indent, "    'call': ", pstr(call), ",")
  for (k in names(kv)) out(indent, "    ", pstr(k), ": ", kv[[k]], ",")
  out(indent, if (is.null(name)) "}," else "}")
}

# ---------------------------------------------------------------------------
# Module header and data
# ---------------------------------------------------------------------------
out('"""Reference values computed with R (and, for one block, statsmodels).')
out('')
out('GENERATED FILE - do not edit by hand.  Regenerate with')
out('    Rscript tests/r_reference.R > tests/r_reference.py')
out('')
out('Conventions')
out('  * x = treatment (*_T), y = control (*_C); alternative "less" means')
out('    treatment lower than control.')
out('  * Every case dict has a `call` key with the exact R code that produced')
out('    its values (also repeated in the comment above the dict).')
out('  * Numbers were printed from R with sprintf("%.15g"); infinite interval')
out('    bounds are float("inf") / float("-inf"); R NA is None.')
out('  * `r_warnings` lists the warning messages R emitted (muffled) for a case.')
out('"""')
out('')
out('R_VERSION = ', pstr(R.version.string))
out('')
out('# ---------------------------------------------------------------------------')
out('# Data sets')
out('# ---------------------------------------------------------------------------')
out('# skewed counts, many ties and zeros')
out('KNIFE_T = ', pdata(KNIFE_T, "%d"), '  # n = 20')
out('KNIFE_C = ', pdata(KNIFE_C, "%d"), '  # n = 30')
out('# continuous skewed non-negative, 2 decimals, no ties (within or across groups)')
out('HARM_T = ', pdata(HARM_T, "%.2f"), '  # n = 12')
out('HARM_C = ', pdata(HARM_C, "%.2f"), '  # n = 15')
out('# tiny tie-free samples (exact Mann-Whitney)')
out('SMALL_T = ', pdata(SMALL_T, "%.1f"), '  # n = 5')
out('SMALL_C = ', pdata(SMALL_C, "%.1f"), '  # n = 7')
out('# for exact permutation enumeration, choose(9, 4) = 126 arrangements')
out('TINY_T = ', pdata(TINY_T, "%.1f"), '  # n = 4')
out('TINY_C = ', pdata(TINY_C, "%.1f"), '  # n = 5')
out('')

section <- function(title) {
  out('')
  out('# ---------------------------------------------------------------------------')
  for (l in title) out('# ', l)
  out('# ---------------------------------------------------------------------------')
}

# ---------------------------------------------------------------------------
# 1 & 2. t.test (Welch and Student)
# ---------------------------------------------------------------------------
ttest_cases <- function(var_equal) {
  specs <- list()
  for (d in c("KNIFE", "HARM")) for (a in ALTS)
    specs[[length(specs) + 1]] <- list(d = d, a = a, cl = 0.95)
  if (!var_equal) for (d in c("KNIFE", "HARM"))
    specs[[length(specs) + 1]] <- list(d = d, a = "two.sided", cl = 0.90)
  for (s in specs) {
    xn <- paste0(s$d, "_T"); yn <- paste0(s$d, "_C")
    call <- sprintf('t.test(%s, %s, var.equal=%s, alternative="%s", conf.level=%s)',
                    xn, yn, if (var_equal) "TRUE" else "FALSE", s$a, format(s$cl))
    r <- run(call); v <- r$value
    emit_case(call, c(
      data = pstr(s$d), x = xn, y = yn,
      var_equal = if (var_equal) "True" else "False",
      alternative = pstr(s$a), conf_level = num(s$cl),
      statistic = num(v$statistic), df = num(v$parameter), p_value = num(v$p.value),
      conf_int = plist(v$conf.int), estimate = plist(v$estimate),
      mean_diff = num(v$estimate[1] - v$estimate[2]),
      stderr = num(v$stderr),
      r_warnings = pstrs(r$warnings)))
  }
}

section(c("1. Welch t test: t.test(x, y, var.equal=FALSE, ...)",
          "keys: call, data, x, y, var_equal, alternative, conf_level, statistic (t),",
          "      df, p_value, conf_int [lo, hi] (for mean(x)-mean(y)),",
          "      estimate [mean(x), mean(y)], mean_diff, stderr, r_warnings"))
out('T_TEST_WELCH = [')
ttest_cases(FALSE)
out(']')

section(c("2. Student (pooled-variance) t test: t.test(x, y, var.equal=TRUE, ...)",
          "keys: same as T_TEST_WELCH"))
out('T_TEST_STUDENT = [')
ttest_cases(TRUE)
out(']')

# ---------------------------------------------------------------------------
# 3 & 4. wilcox.test
# ---------------------------------------------------------------------------
wilcox_emit <- function(d, a, exact_txt) {
  xn <- paste0(d, "_T"); yn <- paste0(d, "_C")
  call <- if (exact_txt == "asymptotic")
    sprintf('wilcox.test(%s, %s, exact=FALSE, correct=TRUE, conf.int=TRUE, alternative="%s")', xn, yn, a)
  else
    sprintf('wilcox.test(%s, %s, conf.int=TRUE, alternative="%s")', xn, yn, a)
  r <- run(call); v <- r$value
  hl_call <- sprintf('median(outer(%s, %s, "-"))', xn, yn)
  kv <- c(
    data = pstr(d), x = xn, y = yn, alternative = pstr(a),
    exact = if (exact_txt == "asymptotic") "False" else "True",
    correct = "True", conf_level = num(0.95),
    statistic = num(v$statistic), p_value = num(v$p.value),
    conf_int = plist(v$conf.int), estimate = num(v$estimate),
    method = pstr(v$method))
  if (exact_txt == "asymptotic") {
    call_tight <- sub(")$", ", tol.root=1e-12)", call)
    rt <- run(call_tight); vt <- rt$value
    stopifnot(vt$statistic == v$statistic, vt$p.value == v$p.value)
    kv <- c(kv, call_tight = pstr(call_tight), conf_int_tight = plist(vt$conf.int),
            estimate_tight = num(vt$estimate))
  }
  kv <- c(kv, hl_median_call = pstr(hl_call), hl_median = num(run(hl_call)$value),
          r_warnings = pstrs(r$warnings))
  emit_case(call, kv)
}

section(c("3. Wilcoxon-Mann-Whitney, normal approximation with continuity correction",
          "   (ties present for KNIFE; R's warnings recorded in r_warnings)",
          "keys: call, data, x, y, alternative, exact, correct, conf_level,",
          "      statistic (W = U of x), p_value, conf_int [lo, hi], estimate, method,",
          "      call_tight, conf_int_tight, estimate_tight, hl_median_call, hl_median,",
          "      r_warnings",
          "NOTE: with exact=FALSE R finds conf_int AND estimate with uniroot at its",
          "default tol.root=1e-4, so conf_int/estimate are only good to ~1e-4.",
          "The *_tight keys repeat the call with tol.root=1e-12: the interval ends are",
          "then (to ~1e-12) pairwise differences x_i - y_j.  R's asymptotic",
          "'difference in location' is *a* root of the UNcorrected standardized",
          "W(d) = 0; W is a step function, so when it is 0 on a flat stretch the",
          "point uniroot returns is arbitrary inside that stretch (HARM: -2.582...",
          "for every tolerance).  hl_median = median of all x_i - y_j (classic",
          "Hodges-Lehmann; what R reports in the exact case) is the stable target."))
out('WILCOX_ASYMPTOTIC = [')
for (d in c("KNIFE", "HARM")) for (a in ALTS) wilcox_emit(d, a, "asymptotic")
out(']')

section(c("4. Wilcoxon-Mann-Whitney, exact (tie-free, small samples)",
          "keys: as WILCOX_ASYMPTOTIC minus call_tight, conf_int_tight, estimate_tight",
          "      (exact: conf_int ends are order statistics of x_i - y_j and",
          "      estimate == hl_median exactly; `correct` is irrelevant here)"))
out('WILCOX_EXACT = [')
for (a in ALTS) wilcox_emit("SMALL", a, "exact")
out(']')

# ---------------------------------------------------------------------------
# 5. p.adjust
# ---------------------------------------------------------------------------
section(c("5. p.adjust (NA is None; R drops NA from n by default)",
          "keys: call, p (input, None = NA), method, adjusted, r_warnings"))
P1 <- c(0.01, 0.04, 0.03, 0.005, 0.20, 0.5, 0.049, 0.0001)
P2 <- c(0.02, NA, 0.01, 0.3, 0.04, NA, 0.001)
out('P_ADJUST = [')
for (pv in list(P1, P2)) for (m in c("bonferroni", "holm", "BH")) {
  ptxt <- paste0("c(", paste(ifelse(is.na(pv), "NA", format(pv, scientific = FALSE, drop0trailing = TRUE, trim = TRUE)), collapse = ", "), ")")
  call <- sprintf('p.adjust(%s, method="%s")', ptxt, m)
  r <- run(call)
  stopifnot(all.equal(eval(parse(text = ptxt)), pv))
  emit_case(call, c(p = plist(pv), method = pstr(m), adjusted = plist(r$value),
                    r_warnings = pstrs(r$warnings)))
}
out(']')

# ---------------------------------------------------------------------------
# 6. power.t.test
# ---------------------------------------------------------------------------
section(c("6. power.t.test (type='two.sample')",
          "Solving for n or delta uses uniroot; R's default tol is",
          ".Machine$double.eps^0.25 (~1.2e-4), so each such case is given twice:",
          "`call` uses tol=1e-12 (precise root; assert tightly against this) and",
          "`call_default_tol` / `*_default_tol` record what plain R returns.",
          "keys: call, solve_for ('n' | 'power' | 'delta'), n, delta, sd, sig_level,",
          "      power, alternative ('two.sided' | 'one.sided'), strict,",
          "      call_default_tol, value_default_tol (solved quantity, default tol, or",
          "      None when nothing is solved by uniroot), r_warnings"))
out('POWER_T_TEST = [')
pspecs <- list(
  list(solve = "n", args = 'delta=0.25, sd=1.05, sig.level=0.05, power=0.8', alt = "two.sided", strict = FALSE),
  list(solve = "n", args = 'delta=0.25, sd=1.05, sig.level=0.05, power=0.8', alt = "one.sided", strict = FALSE),
  list(solve = "n", args = 'delta=0.5, sd=1, sig.level=0.05, power=0.9',     alt = "two.sided", strict = FALSE),
  list(solve = "n", args = 'delta=0.5, sd=1, sig.level=0.05, power=0.9',     alt = "one.sided", strict = FALSE),
  list(solve = "n", args = 'delta=0.25, sd=1.05, sig.level=0.1, power=0.8',  alt = "two.sided", strict = FALSE),
  list(solve = "n", args = 'delta=0.3, sd=1.1, sig.level=0.05, power=0.8',   alt = "two.sided", strict = TRUE),
  list(solve = "power", args = 'n=45, delta=0.25, sd=1.2, sig.level=0.05',   alt = "two.sided", strict = FALSE),
  list(solve = "power", args = 'n=45, delta=0.25, sd=1.2, sig.level=0.05',   alt = "two.sided", strict = TRUE),
  list(solve = "power", args = 'n=45, delta=0.25, sd=1.2, sig.level=0.05',   alt = "one.sided", strict = FALSE),
  list(solve = "power", args = 'n=100, delta=0.1, sd=1, sig.level=0.05',     alt = "two.sided", strict = TRUE),
  list(solve = "power", args = 'n=100, delta=0.1, sd=1, sig.level=0.05',     alt = "two.sided", strict = FALSE),
  list(solve = "delta", args = 'n=100, sd=1, sig.level=0.05, power=0.8',     alt = "two.sided", strict = FALSE),
  list(solve = "delta", args = 'n=100, sd=1.05, sig.level=0.05, power=0.8',  alt = "one.sided", strict = FALSE)
)
for (s in pspecs) {
  base <- sprintf('power.t.test(%s, type="two.sample", alternative="%s"%s', s$args, s$alt,
                  if (s$strict) ", strict=TRUE" else "")
  call_def <- paste0(base, ")")
  call <- if (s$solve == "power") call_def else paste0(base, ", tol=1e-12)")
  r <- run(call); v <- r$value
  rd <- run(call_def)
  emit_case(call, c(
    solve_for = pstr(s$solve), n = num(v$n), delta = num(v$delta), sd = num(v$sd),
    sig_level = num(v$sig.level), power = num(v$power), alternative = pstr(s$alt),
    strict = if (s$strict) "True" else "False",
    call_default_tol = pstr(call_def),
    value_default_tol = if (s$solve == "power") "None" else num(rd$value[[s$solve]]),
    r_warnings = pstrs(unique(c(r$warnings, rd$warnings)))))
}
out(']')

section(c("6b. Power with unequal allocation via the noncentral t (no base R function)",
          "keys: call, n1, n2, delta, sd, alpha, df, ncp, crit (qt upper), alternative,",
          "      strict, power, r_warnings"))
out('POWER_UNEQUAL = [')
pre <- 'n1 <- 45; n2 <- 86; delta <- 0.3; sd <- 1.1; alpha <- 0.05; df <- n1+n2-2; ncp <- delta/(sd*sqrt(1/n1+1/n2)); '
uspecs <- list(
  list(alt = "two.sided", strict = TRUE,  code = 'qu <- qt(alpha/2, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE) + pt(-qu, df, ncp)'),
  list(alt = "two.sided", strict = FALSE, code = 'qu <- qt(alpha/2, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE)'),
  list(alt = "one.sided", strict = FALSE, code = 'qu <- qt(alpha, df, lower=FALSE); pt(qu, df, ncp, lower=FALSE)')
)
for (s in uspecs) {
  call <- paste0(pre, s$code)
  r <- run(call)
  emit_case(call, c(
    n1 = pint(n1), n2 = pint(n2), delta = num(delta), sd = num(sd), alpha = num(alpha),
    df = num(df), ncp = num(ncp), crit = num(qu), alternative = pstr(s$alt),
    strict = if (s$strict) "True" else "False", power = num(r$value),
    r_warnings = pstrs(r$warnings)))
}
out(']')

# ---------------------------------------------------------------------------
# 7. Appendix B: p from (t, df)
# ---------------------------------------------------------------------------
section(c("7. Appendix B of the focused-deterrence 12-month report: p from (t, df)",
          "   (t and df as printed in the report; reported_p = the p-value printed there)",
          "keys (per row): call, group ('all' | 'under_18'), role ('suspect' | 'victim'),",
          "      outcome ('harm' | 'knife' | 'violent' | 'violent_sexual' |",
          "      'non_police_initiated'), mean_t, mean_c, t, df, reported_p,",
          "      p_two_sided = 2*pt(-abs(t), df), p_less = pt(t, df)"))
AB <- read.table(header = TRUE, stringsAsFactors = FALSE, text = "
group    role    outcome              mean_t mean_c t        df     reported_p
all      suspect harm                 221.86 477.57 -2.1094  128.04 0.03686
all      suspect knife                0.38   0.63   -1.4076  127.47 0.08084
all      suspect violent              1.24   1.73   -1.2439  106.57 0.1081
all      suspect violent_sexual       1.29   1.8    -1.2498  104.21 0.1071
all      suspect non_police_initiated 2.47   3.14   -0.94324 95.391 0.174
all      victim  harm                 236.26 268.67 -0.252   89.244 0.8016
all      victim  knife                0.11   0.16   -0.71556 124.58 0.4756
all      victim  violent              0.4    0.63   -1.0878  109.94 0.2791
all      victim  violent_sexual       0.49   0.66   -0.79202 110.21 0.43
all      victim  non_police_initiated 0.98   0.85   0.4363   78.277 0.6638
under_18 suspect harm                 175.78 594.47 -2.482   67.702 0.01555
under_18 suspect knife                0.35   0.86   -1.9075  67.581 0.03036
under_18 suspect violent              1.75   2.06   -0.47355 43.838 0.3191
under_18 suspect violent_sexual       1.8    2.16   -0.52804 43.305 0.3001
under_18 suspect non_police_initiated 3.5    3.68   -0.15573 37.878 0.4385
under_18 victim  harm                 398.23 299.87 0.40867  27.952 0.6859
under_18 victim  knife                0.05   0.2    -1.5785  67.998 0.1191
under_18 victim  violent              0.55   0.74   -0.59794 36.005 0.5536
under_18 victim  violent_sexual       0.75   0.78   -0.08868 37.5   0.9298
under_18 victim  non_police_initiated 1.2    0.94   0.67598  33.642 0.5037
")
stopifnot(nrow(AB) == 20)
out('# R: p_two_sided <- 2*pt(-abs(t), df); p_less <- pt(t, df)')
out('APPENDIX_B_CALL = ', pstr('p_two_sided <- 2*pt(-abs(t), df); p_less <- pt(t, df)'))
out('APPENDIX_B_T_TO_P = [')
for (i in seq_len(nrow(AB))) {
  t <- AB$t[i]; df <- AB$df[i]
  call <- sprintf("c(2*pt(-abs(%s), %s), pt(%s, %s))", format(t), format(df), format(t), format(df))
  pp <- run(call)$value; p2 <- pp[1]; pl <- pp[2]
  stopifnot(p2 == 2*pt(-abs(t), df), pl == pt(t, df))
  out("    # R: ", call)
  out("    {'call': ", pstr(call), ",")
  out("     'group': ", pstr(AB$group[i]), ", 'role': ", pstr(AB$role[i]),
      ", 'outcome': ", pstr(AB$outcome[i]), ",")
  out("     'mean_t': ", num(AB$mean_t[i]), ", 'mean_c': ", num(AB$mean_c[i]),
      ", 't': ", num(t), ", 'df': ", num(df), ", 'reported_p': ", num(AB$reported_p[i]), ",")
  out("     'p_two_sided': ", num(p2), ", 'p_less': ", num(pl), "},")
}
out(']')

# ---------------------------------------------------------------------------
# 8. t test from summary statistics
# ---------------------------------------------------------------------------
section(c("8. Two-sample t from summary statistics (formula in R; no base function)",
          "keys: call, m1, s1, n1, m2, s2, n2, conf_level, mean_diff (m1-m2), se,",
          "      statistic (t), df, p_two_sided, p_less, p_greater, conf_int [lo, hi]",
          "      (+ pooled_sd for the Student version)"))
sumpre <- 'm1 <- 0.38; s1 <- 0.84; n1 <- 45; m2 <- 0.63; s2 <- 1.21; n2 <- 86; '
welch_code <- paste0(sumpre,
  'se <- sqrt(s1^2/n1 + s2^2/n2); t <- (m1-m2)/se; ',
  'df <- se^4/((s1^2/n1)^2/(n1-1) + (s2^2/n2)^2/(n2-1)); ',
  'p <- 2*pt(-abs(t), df); p_less <- pt(t, df); p_greater <- pt(t, df, lower=FALSE); ',
  'ci <- (m1-m2) + c(-1, 1)*qt(0.975, df)*se')
student_code <- paste0(sumpre,
  'sp <- sqrt(((n1-1)*s1^2 + (n2-1)*s2^2)/(n1+n2-2)); se <- sp*sqrt(1/n1 + 1/n2); ',
  't <- (m1-m2)/se; df <- n1+n2-2; ',
  'p <- 2*pt(-abs(t), df); p_less <- pt(t, df); p_greater <- pt(t, df, lower=FALSE); ',
  'ci <- (m1-m2) + c(-1, 1)*qt(0.975, df)*se')
for (nm in c("WELCH_SUMMARY", "STUDENT_SUMMARY")) {
  code <- if (nm == "WELCH_SUMMARY") welch_code else student_code
  run(code)
  kv <- c(m1 = num(m1), s1 = num(s1), n1 = pint(n1), m2 = num(m2), s2 = num(s2), n2 = pint(n2),
          conf_level = num(0.95), mean_diff = num(m1 - m2), se = num(se),
          statistic = num(t), df = num(df), p_two_sided = num(p), p_less = num(p_less),
          p_greater = num(p_greater), conf_int = plist(ci))
  if (nm == "STUDENT_SUMMARY") kv <- c(kv, pooled_sd = num(sp))
  emit_case(code, kv, name = nm)
}

# ---------------------------------------------------------------------------
# 9. Wilson score interval
# ---------------------------------------------------------------------------
section(c("9. Wilson score interval: prop.test(x, n, correct=FALSE)",
          "keys: call, x, n, conf_level, estimate (x/n), conf_int [lo, hi], r_warnings"))
out('WILSON = [')
for (s in list(c(17, 20, 0.95), c(10, 25, 0.95), c(27, 45, 0.95), c(17, 20, 0.90))) {
  call <- sprintf('prop.test(%d, %d, correct=FALSE, conf.level=%s)', s[1], s[2], format(s[3]))
  r <- run(call); v <- r$value
  emit_case(call, c(x = pint(s[1]), n = pint(s[2]), conf_level = num(s[3]),
                    estimate = num(v$estimate), conf_int = plist(v$conf.int),
                    r_warnings = pstrs(r$warnings)))
}
out(']')

# ---------------------------------------------------------------------------
# 10. Fisher exact test
# ---------------------------------------------------------------------------
section(c("10. Fisher exact test, 2x2. matrix(c(a, c, b, d), 2) fills column-wise:",
          "    rows = arm (treatment, control), columns = event (yes, no).",
          "    treatment 9 of 45 with any knife offence, control 30 of 86.",
          "    estimate = conditional MLE odds ratio (treatment odds / control odds).",
          "keys: call, table {'a','b','c','d'} (a = T yes, b = T no, c = C yes, d = C no),",
          "      alternative, conf_level, p_value, estimate, conf_int [lo, hi], r_warnings"))
out('FISHER = [')
for (a in ALTS) {
  call <- sprintf('fisher.test(matrix(c(9, 30, 36, 56), nrow=2, dimnames=list(arm=c("treatment", "control"), event=c("yes", "no"))), alternative="%s")', a)
  r <- run(call); v <- r$value
  emit_case(call, c(table = "{'a': 9, 'b': 36, 'c': 30, 'd': 56}",
                    alternative = pstr(a), conf_level = num(0.95),
                    p_value = num(v$p.value), estimate = num(v$estimate),
                    conf_int = plist(v$conf.int), r_warnings = pstrs(r$warnings)))
}
out(']')

# ---------------------------------------------------------------------------
# 11. statsmodels (NOT R) - embedded literally
# ---------------------------------------------------------------------------
section(c("11. NOT FROM R: statsmodels confint_proportions_2indep, same table as FISHER",
          "    (count1=9, nobs1=45 treatment; count2=30, nobs2=86 control; alpha=0.05).",
          "    Produced in a scratch venv with:",
          "      from statsmodels.stats.proportion import confint_proportions_2indep",
          "      lo, hi = confint_proportions_2indep(9, 45, 30, 86, method=..., compare=...)",
          "      print('%.15g %.15g' % (lo, hi))",
          "    estimate (p1-p2 or p1/p2) printed from R.",
          "keys: call, count1, nobs1, count2, nobs2, compare, method, alpha, estimate,",
          "      conf_int [lo, hi]"))
out('STATSMODELS_VERSION = ', pstr("0.15.0"))
out('STATSMODELS_2INDEP = [')
SM <- list(
  list(method = "newcomb", compare = "diff",  ci = "[-0.287980406059626, 0.0173759265392934]"),
  list(method = "wald",    compare = "diff",  ci = "[-0.30312549977355, 0.0054510811688987]"),
  list(method = "log",     compare = "ratio", ci = "[0.298767917306255, 1.1002222530278]")
)
for (s in SM) {
  call <- sprintf("statsmodels.stats.proportion.confint_proportions_2indep(9, 45, 30, 86, method='%s', compare='%s', alpha=0.05)",
                  s$method, s$compare)
  est <- if (s$compare == "diff") 9/45 - 30/86 else (9/45) / (30/86)
  out("    # statsmodels 0.15.0: ", call)
  out("    {")
  out("        'call': ", pstr(call), ",")
  out("        'count1': 9, 'nobs1': 45, 'count2': 30, 'nobs2': 86,")
  out("        'compare': ", pstr(s$compare), ", 'method': ", pstr(s$method), ", 'alpha': 0.05,")
  out("        'estimate': ", num(est), ",")
  out("        'conf_int': ", s$ci, ",")
  out("    },")
}
out(']')

# ---------------------------------------------------------------------------
# 12. Exact permutation test (difference in means)
# ---------------------------------------------------------------------------
section(c("12. Exact permutation test of mean(x) - mean(y) on TINY, all choose(9, 4) = 126",
          "    assignments of the pooled data to treatment.",
          "keys: call, x, y, n_perm, d_obs, count_two_sided, count_less, count_greater,",
          "      p_two_sided, p_less, p_greater"))
perm_code <- paste0(
  'z <- c(TINY_T, TINY_C); idx <- combn(9, 4); ',
  'd <- apply(idx, 2, function(i) mean(z[i]) - mean(z[-i])); ',
  'd_obs <- mean(TINY_T) - mean(TINY_C); ',
  'p_two <- mean(abs(d) >= abs(d_obs) - 1e-12); ',
  'p_less <- mean(d <= d_obs + 1e-12); ',
  'p_greater <- mean(d >= d_obs - 1e-12)')
invisible(run(perm_code))
emit_case(perm_code, c(
  x = "TINY_T", y = "TINY_C", n_perm = pint(ncol(idx)), d_obs = num(d_obs),
  count_two_sided = pint(sum(abs(d) >= abs(d_obs) - 1e-12)),
  count_less = pint(sum(d <= d_obs + 1e-12)),
  count_greater = pint(sum(d >= d_obs - 1e-12)),
  p_two_sided = num(p_two), p_less = num(p_less), p_greater = num(p_greater)), name = "PERMUTATION_EXACT")

# ---------------------------------------------------------------------------
# Round-trip check (goes to stderr so the module on stdout stays clean)
# ---------------------------------------------------------------------------
chk <- t.test(HARM_T, HARM_C, var.equal = FALSE)
message("round-trip check: Welch HARM two.sided p = ", sprintf("%.15g", chk$p.value),
        "; parsed back equals R double: ",
        as.numeric(sprintf("%.15g", chk$p.value)) == chk$p.value,
        " (rel diff ", sprintf("%.3g", abs(as.numeric(sprintf("%.15g", chk$p.value)) / chk$p.value - 1)), ")")
message("round-trip check: Appendix B all/suspect/knife one-sided p = ",
        sprintf("%.15g", pt(-1.4076, 127.47)), " (report: 0.08084)")
