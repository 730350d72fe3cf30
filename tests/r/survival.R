# Reference values for tests/test_survival.py (issue #14). Run: Rscript tests/r/survival.R
# R survival (survfit, survdiff, coxph), stats::glm, sandwich::vcovCL.
suppressMessages({library(survival); library(sandwich)})
options(digits = 15)
days  <- c(291, 119, 602, 477, 176, 53, 172, 38, 396, 16, 477, 218, 175, 255, 337, 501, 55, 69, 289, 248, 654, 405, 348, 80, 4, 94, 133, 479, 176, 59, 333, 447, 236, 13, 306, 15, 135, 231, 76, 164, 494, 159, 20, 134, 247, 66, 33, 172, 92, 215, 107, 248, 496, 63, 139, 75, 26, 3, 267, 88)
event <- c(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
arm   <- c(rep(1, 24), rep(0, 36))
base  <- c(2, 4, 2, 0, 2, 1, 2, 3, 1, 0, 1, 0, 5, 1, 2, 0, 0, 2, 5, 0, 1, 2, 2, 3, 1, 2, 0, 1, 0, 3, 2, 1, 1, 3, 1, 2, 1, 2, 1, 0, 1, 2, 1, 0, 2, 2, 2, 3, 2, 1, 2, 0, 0, 1, 2, 3, 0, 0, 1, 2)
during <- c(1, 1, 1, 0, 1, 0, 1, 0, 2, 1, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 3, 3, 6, 0, 0, 0, 1, 1, 1, 6, 9, 2, 2, 4, 0, 3, 0, 3, 2, 5, 0, 2, 2, 2, 2, 2, 10, 0, 0, 3, 4, 3, 5, 0, 1, 2, 0)
after  <- c(0, 0, 3, 0, 1, 0, 3, 0, 2, 0, 4, 0, 0, 1, 0, 0, 0, 3, 5, 0, 1, 2, 3, 2, 2, 1, 0, 2, 0, 3, 3, 0, 1, 5, 0, 0, 1, 0, 1, 0, 0, 0, 2, 0, 2, 2, 0, 1, 3, 6, 0, 1, 0, 2, 1, 4, 0, 0, 0, 2)
exp_after <- c(161, 277, 284, 365, 311, 0, 228, 90, 118, 211, 319, 231, 65, 159, 62, 128, 32, 209, 265, 291, 266, 277, 267, 165, 177, 57, 37, 303, 342, 235, 202, 101, 36, 114, 261, 80, 250, 360, 245, 127, 0, 161, 212, 346, 152, 101, 162, 85, 239, 316, 86, 267, 79, 75, 220, 345, 38, 154, 140, 257)

cat("== survfit(Surv(days, event) ~ arm)  (conf.type = 'log', the default)\n")
fit <- survfit(Surv(days, event) ~ arm)
s <- summary(fit, times = c(50, 100, 200, 300, 400, 500))
print(data.frame(strata = s$strata, time = s$time, n.risk = s$n.risk, surv = s$surv,
                 std.err = s$std.err, lower = s$lower, upper = s$upper))
s1 <- summary(fit, censored = TRUE)
cat("treated arm, every time: n.risk, n.event, surv, lower, upper\n")
k <- s1$strata == "arm=1"
print(cbind(s1$time[k], s1$n.risk[k], s1$n.event[k], s1$surv[k], s1$lower[k], s1$upper[k]))

cat("== survdiff(Surv(days, event) ~ arm)\n")
sd <- survdiff(Surv(days, event) ~ arm)
cat("chisq", sd$chisq, "p", pchisq(sd$chisq, 1, lower.tail = FALSE), "\n")
cat("observed", sd$obs, "expected", sd$exp, "\n")

cat("== coxph(Surv(days, event) ~ arm, ties = 'efron')\n")
cx <- coxph(Surv(days, event) ~ arm, ties = "efron")
print(c(coef = coef(cx), se = sqrt(diag(vcov(cx))), hr = exp(coef(cx)),
        lower = exp(confint(cx)), p = summary(cx)$coefficients[, "Pr(>|z|)"]))
cat("== coxph(Surv(days, event) ~ arm + base, ties = 'efron')\n")
cx2 <- coxph(Surv(days, event) ~ arm + base, ties = "efron")
print(summary(cx2)$coefficients)
print(exp(confint(cx2)))

cat("== Poisson rate ratio per period, offset log(exposure), vcovCL(cluster = ~id)\n")
id <- seq_along(arm)
d1 <- data.frame(id, arm, y = during, e = 365)
g1 <- glm(y ~ arm + offset(log(e)), family = poisson, data = d1)
v1 <- vcovCL(g1, cluster = ~id)
print(c(rr = exp(coef(g1)[2]), se = sqrt(v1[2, 2]), type = attr(v1, "type")))
d2 <- data.frame(id, arm, y = after, e = exp_after)[exp_after > 0, ]
g2 <- glm(y ~ arm + offset(log(e)), family = poisson, data = d2)
v2 <- vcovCL(g2, cluster = ~id)
b <- coef(g2)[2]; se <- sqrt(v2[2, 2])
print(c(rr = exp(b), se = se, lower = exp(b - qnorm(0.975) * se),
        upper = exp(b + qnorm(0.975) * se), p = 2 * pnorm(-abs(b / se))))

cat("== does the effect change after the programme? period x arm, clustered by person\n")
long <- rbind(data.frame(id, arm, after = 0, y = during, e = 365),
              data.frame(id, arm, after = 1, y = after, e = exp_after))
long <- long[long$e > 0, ]
g3 <- glm(y ~ arm * after + offset(log(e)), family = poisson, data = long)
v3 <- vcovCL(g3, cluster = ~id)
b <- coef(g3)["arm:after"]; se <- sqrt(v3["arm:after", "arm:after"])
print(c(ratio = exp(b), se = se, lower = exp(b - qnorm(0.975) * se),
        upper = exp(b + qnorm(0.975) * se), p = 2 * pnorm(-abs(b / se))))
# the rate ratio after, from the same model
L <- c(0, 1, 0, 1)
ba <- sum(L * coef(g3)); sa <- sqrt(drop(t(L) %*% v3 %*% L))
print(c(rr_after = exp(ba), se_after = sa))

cat("== coxph where plain Newton steps overshoot (tests/r/cox_newton_overshoot.csv)\n")
d <- read.csv("tests/r/cox_newton_overshoot.csv")
cx3 <- coxph(Surv(victim_non_police_initiated_days, victim_non_police_initiated_event) ~
             I(arm == "treatment") + victim_non_police_initiated_pre12m, data = d, ties = "efron")
print(summary(cx3)$coefficients)
