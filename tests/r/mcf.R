# Reference for fd_stats.methods.survival.mean_cumulative_count (issue 14): Nelson's mean cumulative
# function on a monthly grid equals the Nelson-Aalen cumulative hazard of the recurrent
# events, survfit(Surv(start, stop, event) ~ arm)$cumhaz, when each person is one row per
# whole month observed. A month with c events is split into c + 1 pieces ending in the c
# events and a censoring at the month's end, so every person is at risk for the whole month
# once and each event adds 1 / (people observed that month).
# Run: Rscript tests/r/mcf.R
suppressMessages(library(survival))
options(digits = 15)
counts <- matrix(c(1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 2, 0, 1, 0, 1, 0, 1, 0, 3, 4, 1, 1, 0, 0, 0, 1, 0, 1, 2, 0, 0, 0, 0, 2, 1, 0, 0, 2, 1, 1, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0, 2, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 2, 1, 0, 0, 1, 0, 2, 0, 1, 2, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 2, 1, 1, 2, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 2, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0),
                 nrow = 30, byrow = TRUE)
obs <- c(6, 6, 6, 6, 4, 3, 5, 2, 2, 4, 4, 5, 1, 2, 6, 6, 6, 5, 3, 2, 2, 6, 4, 5, 6, 2, 1, 2, 5, 6)
arm <- c(1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0)
rows <- list()
for (i in seq_along(obs)) for (j in seq_len(obs[i])) {
  cuts <- (j - 1) + seq(0, counts[i, j] + 1) / (counts[i, j] + 1)
  k <- length(cuts) - 1
  rows[[length(rows) + 1]] <- data.frame(id = i, arm = arm[i], start = cuts[-(k + 1)],
                                         stop = cuts[-1], event = c(rep(1, k - 1), 0))
}
long <- do.call(rbind, rows)
fit <- survfit(Surv(start, stop, event) ~ arm, data = long)
s <- summary(fit, times = 1:6)
cat("== summary(survfit(Surv(start, stop, event) ~ arm, data = long), times = 1:6)$cumhaz\n")
print(data.frame(strata = s$strata, time = s$time, cumhaz = s$cumhaz))
