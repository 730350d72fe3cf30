# Reference values for tests/test_integrity.py (run: Rscript tests/r/integrity.R from the repo root).
# R 4.x, base stats only. Paste-able output: each value beside the call that produced it.
options(digits = 15)
p <- read.csv("data/focused_deterrence/people.csv", stringsAsFactors = FALSE)
tr <- p$arm == "treatment"; co <- p$arm == "control"
show <- function(label, value) cat(sprintf("%-70s %.15g\n", label, value))

cat("# allocation: exact binomial tests\n")
show("binom.test(45, 131, 0.5)$p.value", binom.test(45, 131, 0.5)$p.value)
show("binom.test(45, 131, 1/3)$p.value", binom.test(45, 131, 1/3)$p.value)
show("binom.test(20, 70, 0.5)$p.value", binom.test(20, 70, 0.5)$p.value)
show("binom.test(25, 61, 0.5)$p.value", binom.test(25, 61, 0.5)$p.value)
show("binom.test(70, 200, 0.5)$p.value", binom.test(70, 200, 0.5)$p.value)
show("binom.test(92, 200, 0.5)$p.value", binom.test(92, 200, 0.5)$p.value)
show("binom.test(40, 100, 0.5)$p.value", binom.test(40, 100, 0.5)$p.value)
show("binom.test(30, 100, 0.5)$p.value", binom.test(30, 100, 0.5)$p.value)

cat("# balance: SMD with the pooled SD (Cohen's d)\n")
smd <- function(x, y) (mean(x) - mean(y)) /
  sqrt(((length(x) - 1) * var(x) + (length(y) - 1) * var(y)) / (length(x) + length(y) - 2))
u18 <- as.numeric(p$age_group == "11-17")
show("smd(age 11-17 indicator, treatment vs control)", smd(u18[tr], u18[co]))
x <- c(2, 4, 4, 5, 7, 9, 1, 0, 3); y <- c(1, 2, 2, 3, 3, 4, 0, 1, 2, 5, 2)
show("smd(c(2,4,4,5,7,9,1,0,3), c(1,2,2,3,3,4,0,1,2,5,2))", smd(x, y))

cat("# equivalence: two one-sided Welch t.test calls, margin 20% of the control mean\n")
for (o in c("suspect_knife", "suspect_harm")) {
  x <- p[[o]][tr]; y <- p[[o]][co]; m <- 0.2 * mean(y)
  lo <- t.test(x, y, alternative = "greater", mu = -m)
  hi <- t.test(x, y, alternative = "less", mu = m)
  ci <- t.test(x, y, conf.level = 0.90)$conf.int
  show(sprintf("%s margin 0.2*mean(control)", o), m)
  show(sprintf("t.test(%s, greater, mu=-m)$statistic", o), lo$statistic)
  show(sprintf("t.test(%s, greater, mu=-m)$p.value", o), lo$p.value)
  show(sprintf("t.test(%s, less, mu=m)$statistic", o), hi$statistic)
  show(sprintf("t.test(%s, less, mu=m)$p.value", o), hi$p.value)
  show(sprintf("t.test(%s, conf.level=0.90)$conf.int[1]", o), ci[1])
  show(sprintf("t.test(%s, conf.level=0.90)$conf.int[2]", o), ci[2])
}
x <- c(10.2, 9.8, 10.5, 10.1, 9.9, 10.0, 10.3); y <- c(10.0, 10.1, 9.7, 10.2, 9.9, 10.4, 10.0, 9.8)
show("t.test(x7, y8, greater, mu=-0.5)$p.value", t.test(x, y, alternative = "greater", mu = -0.5)$p.value)
show("t.test(x7, y8, less, mu=0.5)$p.value", t.test(x, y, alternative = "less", mu = 0.5)$p.value)
show("t.test(x7, y8, greater, mu=-0.5, var.equal=TRUE)$p.value",
     t.test(x, y, alternative = "greater", mu = -0.5, var.equal = TRUE)$p.value)

cat("# MDES in SD units for 45 v 86 (two-sided 0.05, power 0.8; power.t.test's formula with unequal n)\n")
pw <- function(d, n1, n2, a = 0.05) { df <- n1 + n2 - 2
  pt(qt(1 - a / 2, df), df, ncp = d / sqrt(1 / n1 + 1 / n2), lower.tail = FALSE) }
show("uniroot(pw(d, 45, 86) - 0.8)$root", uniroot(function(d) pw(d, 45, 86) - 0.8, c(0.01, 2), tol = 1e-12)$root)
show("uniroot(pw(d, 45, 86) - 0.8) (clusters as units: 9 v 17)", uniroot(function(d) pw(d, 9, 17) - 0.8, c(0.01, 5), tol = 1e-12)$root)
for (d in c(0.2, 0.3, 0.4, 0.5, 0.6))
  show(sprintf("power.t.test(delta=%.1f, sd=1, power=0.8)$n", d), power.t.test(delta = d, sd = 1, power = 0.8)$n)

cat("# Lee (2009) bounds, by hand\n")
# control observed share 0.8 < treatment 1.0: trim 20% of the treated values
t <- c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10); cobs <- c(2, 4, 6, 8)  # control: 5 allocated, 4 observed
pt_ <- (1 - 0.8) / 1
show("lower = mean(t without top 2) - mean(cobs)", mean(sort(t)[1:8]) - mean(cobs))
show("upper = mean(t without bottom 2) - mean(cobs)", mean(sort(t)[3:10]) - mean(cobs))
# fractional cut: treatment 8 of 8 observed, control 9 of 10: trim 10% of 8 = 0.8 of a value
t <- c(0, 0, 0, 1, 1, 2, 3, 5); cobs <- c(0, 1, 1, 2, 0, 3, 1, 0, 2)
show("lower (fractional) = (0+0+0+1+1+2+3 + 0.2*5)/7.2 - mean(cobs)", (7 + 0.2 * 5) / 7.2 - mean(cobs))
show("upper (fractional) = (5+3+2+1+1+0+0 + 0.2*0)/7.2 - mean(cobs)", (12 + 0.2 * 0) / 7.2 - mean(cobs))
