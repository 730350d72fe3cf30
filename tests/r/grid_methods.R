# Reference values for the threshold grid's models (tests/test_grid_methods.py), on the bundled
# synthetic trial, all ages: data/focused_deterrence/people.csv. Count models adjust for
# log(1 + the outcome's 12-month baseline), as the engine does when the specification names a
# baseline.   Rscript tests/r/grid_methods.R   (from the repository root)
suppressMessages({library(MASS); library(sandwich)})
d <- read.csv("data/focused_deterrence/people.csv")
d$arm <- relevel(factor(d$arm), ref = "control")
counts <- c("suspect_knife", "suspect_violent", "suspect_violent_sexual",
            "suspect_non_police_initiated", "victim_knife", "victim_violent",
            "victim_violent_sexual", "victim_non_police_initiated")
ctl <- glm.control(epsilon = 1e-13, maxit = 100)
z_p <- function(z) c(two = 2 * pnorm(-abs(z)), less = pnorm(z))
# Poisson, HC0: z = coef / sqrt(vcovHC(fit, type = "HC0")[2, 2])
pois <- sapply(counts, function(y) {
  f <- glm(as.formula(sprintf("%s ~ arm + log1p(%s_pre12m)", y, y)), poisson, d, control = ctl)
  z_p(coef(f)[[2]] / sqrt(vcovHC(f, type = "HC0")[2, 2]))
})
# Negative binomial: MASS::glm.nb, Wald z from the model's covariance (summary)
nb <- sapply(counts, function(y) {
  f <- tryCatch(glm.nb(as.formula(sprintf("%s ~ arm + log1p(%s_pre12m)", y, y)), d,
                       control = ctl), error = function(e) NULL)
  if (is.null(f)) return(c(two = NA, less = NA))  # theta.ml fails (no overdispersion)
  z_p(coef(summary(f))[2, "z value"])
})
# Prevalence: fisher.test on (any event) x arm, treatment first; "less" = treatment share lower
fish <- sapply(counts, function(y) {
  tab <- table(factor(d$arm, c("treatment", "control")), d[[y]] > 0)[, c("TRUE", "FALSE")]
  c(two = fisher.test(tab)$p.value, less = fisher.test(tab, alternative = "less")$p.value)
})
options(digits = 12)
for (m in c("pois", "nb", "fish")) {
  p <- get(m)
  cat(m, "\n"); print(p)
  cat(m, "holm over the 8 count outcomes, two-sided:\n"); print(p.adjust(p["two", ], "holm"))
}
