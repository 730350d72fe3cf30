# Reference values for tests/test_methods.py (the method registry: count models,
# Lin's estimator, blocked difference in means, stratified permutation, prevalence,
# probability of benefit).  Run from the repository root:
#   Rscript tests/r/methods.R
# Data: tests/r/methods_data.csv (written by tests/r/methods_data.py) and MASS's
# epilepsy trial summed per person (written here to tests/r/epil_person.csv).
# R 4.x, MASS, sandwich, estimatr 1.0.
suppressPackageStartupMessages({library(MASS); library(sandwich); library(estimatr)})
options(digits = 15)
out <- function(name, v) cat(sprintf("%-40s\t%s\n", name, paste(sprintf("%.12g", v), collapse = " ")))

d <- read.csv("tests/r/methods_data.csv")
d$t <- as.integer(d$arm == "treatment")
ep <- aggregate(y ~ subject + trt + base + age, data = epil, FUN = sum)
ep <- ep[order(ep$subject), c("subject", "trt", "base", "age", "y")]
write.csv(ep, "tests/r/epil_person.csv", row.names = FALSE)
ep$t <- as.integer(ep$trt == "progabide")

# Wald summaries of coefficient "t" on the log scale: estimate, se, z, p (3 alternatives),
# two-sided 95% CI and one-sided 95% bounds, all exponentiated where a ratio.
wald <- function(name, est, se) {
  z <- est / se
  out(paste0(name, " rr,se,z"), c(exp(est), se, z))
  out(paste0(name, " p two,less,greater"), c(2 * pnorm(-abs(z)), pnorm(z), pnorm(z, lower.tail = FALSE)))
  out(paste0(name, " ci95 two"), exp(est + c(-1, 1) * qnorm(0.975) * se))
  out(paste0(name, " ci95 less-upper,greater-lower"), exp(est + c(1, -1) * qnorm(0.95) * se))
}
# Tight convergence so the reference is the maximum-likelihood fit itself: with R's default
# epsilon = 1e-8 glm stops one IRLS step early and the HC0 SE of the stratified model is
# off by 3e-6 relative (checked: epsilon 1e-14 agrees with statsmodels to 1e-10).
CTRL <- glm.control(epsilon = 1e-13, maxit = 100)
pois <- function(name, f, data) {
  m <- glm(f, family = poisson, data = data, control = CTRL)
  V <- sandwich::vcovHC(m, type = "HC0")
  wald(name, coef(m)[["t"]], sqrt(V["t", "t"]))
}
nb <- function(name, f, data) {
  m <- MASS::glm.nb(f, data = data, control = CTRL)
  wald(name, coef(m)[["t"]], sqrt(vcov(m)["t", "t"]))
  out(paste0(name, " theta"), m$theta)
  out(paste0(name, " confint.default t"), exp(confint.default(m)["t", ]))
}

# ---- Poisson rate ratio, HC0 sandwich: glm(y ~ t, poisson, control = CTRL) + vcovHC(type = "HC0")
pois("pois d y~t", y ~ t, d)
pois("pois d y~t+log1p(b)", y ~ t + log1p(b), d)
pois("pois d y~t+log1p(b)+x", y ~ t + log1p(b) + x, d)
pois("pois d y~t+log1p(b)+x+factor(s)", y ~ t + log1p(b) + x + factor(s), d)
pois("pois d z~t", z ~ t, d)   # non-integer outcome: quasi-Poisson mean model, warnings expected
pois("pois epil y~t", y ~ t, ep)
pois("pois epil y~t+log1p(base)", y ~ t + log1p(base), ep)
# ---- negative binomial, ML dispersion: MASS::glm.nb, confint.default
nb("nb d y~t", y ~ t, d)
nb("nb d y~t+log1p(b)", y ~ t + log1p(b), d)
nb("nb d y~t+log1p(b)+x", y ~ t + log1p(b) + x, d)
nb("nb d y~t+log1p(b)+x+factor(s)", y ~ t + log1p(b) + x + factor(s), d)
nb("nb epil y~t", y ~ t, ep)
nb("nb epil y~t+log1p(base)", y ~ t + log1p(base), ep)

# ---- Lin (2013): estimatr::lm_lin(se_type = "HC2"), t on n - k df
# estimatr 1.0 has no `alternative`: one-sided p from pt(t, df) and one-sided bounds
# from qt(0.95, df), as t.test does.
tsum <- function(name, s) {
  out(paste0(name, " est,se,t,df"), c(s$estimate, s$std.error, s$statistic, s$df))
  out(paste0(name, " p two,less,greater"),
      c(s$p.value, pt(s$statistic, s$df), pt(s$statistic, s$df, lower.tail = FALSE)))
  out(paste0(name, " ci95 two"), c(s$conf.low, s$conf.high))
  out(paste0(name, " ci95 less-upper,greater-lower"),
      s$estimate + c(1, -1) * qt(0.95, s$df) * s$std.error)
}
lin <- function(name, f, cov, data) {
  m <- lm_lin(f, covariates = cov, data = data, se_type = "HC2")
  tsum(name, tidy(m)[2, ])
}
lin("lin d y~t | b", y ~ t, ~ b, d)
lin("lin d y~t | b+x", y ~ t, ~ b + x, d)
lin("lin d z~t | x", z ~ t, ~ x, d)
lin("lin d y~t | b+x+s", y ~ t, ~ b + x + s, d)
lin("lin epil y~t | base", y ~ t, ~ base, ep)
# missing covariate xm: mean-filled (mean of the observed values) plus a 0/1 missing indicator
d$xm_filled <- ifelse(is.na(d$xm), mean(d$xm, na.rm = TRUE), d$xm)
d$xm_missing <- as.integer(is.na(d$xm))
lin("lin d y~t | b+xm(filled)+missing", y ~ t, ~ b + xm_filled + xm_missing, d)

# ---- blocked difference in means: estimatr::difference_in_means(blocks = s)
blk <- function(name, f, data) {
  m <- difference_in_means(f, blocks = s, data = data)
  tsum(name, tidy(m)[1, ])
}
blk("blocked d y~t | s", y ~ t, d)
blk("blocked d z~t | s", z ~ t, d)

# ---- permutation within strata, exact: every within-stratum re-randomisation of the
# first 5 people of stratum a and the first 6 of stratum b (statistic: blocked difference)
sub <- rbind(head(d[d$s == "a", ], 5), head(d[d$s == "b", ], 6))
out("strat perm sub treated per stratum", tapply(sub$t, sub$s, sum))
blocked_diff <- function(y, t, s) {
  w <- tapply(y, s, length) / length(y)
  sum(w * (tapply(y * t, s, sum) / tapply(t, s, sum) - tapply(y * (1 - t), s, sum) / tapply(1 - t, s, sum)))
}
obs <- blocked_diff(sub$y, sub$t, sub$s)
ia <- which(sub$s == "a"); ib <- which(sub$s == "b")
ca <- combn(ia, sum(sub$t[ia])); cb <- combn(ib, sum(sub$t[ib]))
stats <- c()
for (i in seq_len(ncol(ca))) for (j in seq_len(ncol(cb))) {
  tt <- integer(nrow(sub)); tt[c(ca[, i], cb[, j])] <- 1L
  stats <- c(stats, blocked_diff(sub$y, tt, sub$s))
}
tol <- 1e-9 * max(1, abs(obs))
out("strat perm sub obs,n", c(obs, length(stats)))
out("strat perm sub p two,less,greater",
    c(mean(abs(stats) >= abs(obs) - tol), mean(stats <= obs + tol), mean(stats >= obs - tol)))
write.csv(sub[, c("arm", "y", "s")], "tests/r/strat_perm_sub.csv", row.names = FALSE)

# ---- prevalence (share with at least one event): fisher.test and the Katz log risk ratio
for (name in c("d", "epil")) {
  dd <- if (name == "d") d else ep
  a <- sum(dd$y[dd$t == 1] > 0); n1 <- sum(dd$t == 1)
  c_ <- sum(dd$y[dd$t == 0] > 0); n2 <- sum(dd$t == 0)
  tab <- matrix(c(a, n1 - a, c_, n2 - c_), 2, byrow = TRUE)
  out(paste("prev", name, "a,n1,c,n2"), c(a, n1, c_, n2))
  out(paste("prev", name, "fisher p two,less,greater"),
      sapply(c("two.sided", "less", "greater"), function(alt) fisher.test(tab, alternative = alt)$p.value))
  rr <- (a / n1) / (c_ / n2); se <- sqrt(1 / a - 1 / n1 + 1 / c_ - 1 / n2)
  out(paste("prev", name, "rr,ci95"), c(rr, rr * exp(c(-1, 1) * qnorm(0.975) * se)))
}

# ---- probability of benefit: normal likelihood N(est, se^2) x normal prior N(0, tau^2)
# (flat prior: tau = Inf).  Poisson epil y~t+log1p(base): benefit = rate ratio < 1.
m <- glm(y ~ t + log1p(base), family = poisson, data = ep, control = CTRL)
est <- coef(m)[["t"]]; se <- sqrt(sandwich::vcovHC(m, type = "HC0")["t", "t"])
post <- function(tau) {
  if (is.infinite(tau)) return(c(est, se))
  v <- 1 / (1 / se^2 + 1 / tau^2); c(v * est / se^2, sqrt(v))
}
for (tau in c(Inf, log(2) / qnorm(0.975))) {
  p <- post(tau)
  out(sprintf("benefit epil pois tau=%g P(RR<1),P(RR<0.9)", tau),
      c(pnorm(0, p[1], p[2]), pnorm(log(0.9), p[1], p[2])))
}
