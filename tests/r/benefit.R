# Reference values for the probability of benefit columns of fd_stats.analyse
# (tests/test_benefit_columns.py). Independent of the engine: effects and standard errors come
# from R's own fits, then the normal posterior is worked out here with pnorm.
#   Rscript tests/r/benefit.R        (run from the repository root)
# Flat prior: posterior N(theta, se^2). Sceptical prior N(0, s0^2), s0 = ln 2 / qnorm(0.975) on
# the log scale for ratios, 0.5 * control level / qnorm(0.975) for differences; posterior
# variance v = 1 / (1/se^2 + 1/s0^2), mean m = v * theta / se^2.
# P(benefit) for "lower is better" = pnorm(-m / sqrt(v)); at least a 10% change:
# pnorm((c - m) / sqrt(v)) with c = log(0.9) (ratio) or -0.1 * control level (difference).
# For "higher is better" the signs flip: pnorm(m / sd), pnorm((m - c) / sd), c = log(1.1) or +0.1 * level.
suppressMessages({library(sandwich)})
options(digits = 15)
d <- read.csv("data/focused_deterrence/people.csv")
d$arm <- relevel(factor(d$arm), ref = "control")
post <- function(theta, se, s0 = Inf) {
  v <- 1 / (1 / se^2 + 1 / s0^2); c(m = v * theta / se^2, sd = sqrt(v))
}
show <- function(name, theta, se, level, ratio, dir = "lower") {
  s0 <- if (ratio) log(2) / qnorm(0.975) else 0.5 * abs(level) / qnorm(0.975)
  sg <- if (dir == "lower") -1 else 1
  cut <- if (ratio) log(1 + sg * 0.1) else sg * 0.1 * abs(level)
  for (prior in c("flat", "sceptical")) {
    p <- post(theta, se, if (prior == "flat") Inf else s0)
    cat(sprintf("%s %s %s: prob_benefit = %.12f, prob_benefit_min = %.12f\n", name, dir, prior,
                pnorm(sg * p[["m"]] / p[["sd"]]), pnorm(sg * (p[["m"]] - cut) / p[["sd"]])))
  }
}
welch <- function(y, g) {
  tt <- t.test(y[g == "treatment"], y[g == "control"])  # Welch
  c(est = unname(diff(rev(tt$estimate))), se = tt$stderr, level = unname(tt$estimate[2]))
}
# 1. Welch, all ages, suspect harm: t.test(treatment, control)$estimate / $stderr
w <- welch(d$suspect_harm, d$arm); show("welch suspect_harm All", w[["est"]], w[["se"]], w[["level"]], FALSE)
# 2. Welch, 11-17, knife crimes as suspect
y <- d[d$age_group == "11-17", ]
w <- welch(y$suspect_knife, y$arm); show("welch suspect_knife 11-17", w[["est"]], w[["se"]], w[["level"]], FALSE)
# 3. Same as 1 on victim harm with "higher is better" (a direction chosen for the test only)
w <- welch(d$victim_harm, d$arm); show("welch victim_harm All", w[["est"]], w[["se"]], w[["level"]], FALSE, "higher")
# 4. Poisson rate ratio adjusted for log(1 + baseline), HC0 sandwich SE:
#    glm(suspect_knife ~ arm + log1p(suspect_knife_pre12m), poisson), sqrt(vcovHC(type = "HC0")[2, 2])
f <- glm(suspect_knife ~ arm + log1p(suspect_knife_pre12m), family = poisson, data = d,
         control = glm.control(epsilon = 1e-13, maxit = 100))
show("poisson suspect_knife All", coef(f)[[2]], sqrt(vcovHC(f, type = "HC0")[2, 2]), NA, TRUE)
# 5. Prevalence of any violent crime as suspect: risk difference, unpooled Wald SE
a <- tapply(d$suspect_violent > 0, d$arm, sum); n <- tapply(d$suspect_violent, d$arm, length)
p1 <- a[["treatment"]] / n[["treatment"]]; p0 <- a[["control"]] / n[["control"]]
show("prevalence suspect_violent All", p1 - p0,
     sqrt(p1 * (1 - p1) / n[["treatment"]] + p0 * (1 - p0) / n[["control"]]), p0, FALSE)
