# Reference values for the vectorised Efron Cox model (fd_stats.methods.survival.cox), issue #14.
# Run from the repository root: Rscript tests/r/cox_efron.R
# Data: tests/r/cox_ties.csv (3,000 people, follow-up in whole months: heavy ties; written
# once by a seeded numpy script), survival::veteran and survival::lung (written beside this
# script as CSV so the tests do not need R).
suppressMessages(library(survival))
options(digits = 15)
show <- function(fit) {
  s <- summary(fit)
  print(cbind(s$coefficients, s$conf.int[, c("lower .95", "upper .95"), drop = FALSE]))
  cat("n", fit$n, "nevent", fit$nevent, "loglik", fit$loglik, "iter", fit$iter, "\n")
}
write.csv(veteran, "tests/r/veteran.csv", row.names = FALSE)
write.csv(lung, "tests/r/lung.csv", row.names = FALSE)

d <- read.csv("tests/r/cox_ties.csv")
cat("== coxph(Surv(months, event) ~ arm, data = cox_ties, ties = 'efron')\n")
show(coxph(Surv(months, event) ~ arm, data = d, ties = "efron"))
cat("== coxph(Surv(months, event) ~ arm + base, data = cox_ties, ties = 'efron')\n")
show(coxph(Surv(months, event) ~ arm + base, data = d, ties = "efron"))

cat("== coxph(Surv(time, status) ~ I(trt == 2), data = veteran, ties = 'efron')\n")
show(coxph(Surv(time, status) ~ I(trt == 2), data = veteran, ties = "efron"))
cat("== coxph(Surv(time, status) ~ I(trt == 2) + karno, data = veteran, ties = 'efron')\n")
show(coxph(Surv(time, status) ~ I(trt == 2) + karno, data = veteran, ties = "efron"))

cat("== coxph(Surv(time, status) ~ I(sex == 2), data = lung, ties = 'efron')\n")
show(coxph(Surv(time, status) ~ I(sex == 2), data = lung, ties = "efron"))
cat("== coxph(Surv(time, status) ~ I(sex == 2) + age + ph.ecog, data = lung, ties = 'efron')\n")
cat("   (one person with ph.ecog missing is left out, na.action = na.omit)\n")
show(coxph(Surv(time, status) ~ I(sex == 2) + age + ph.ecog, data = lung, ties = "efron"))
