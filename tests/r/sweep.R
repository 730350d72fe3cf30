# Reference values for tests/test_sweep.py (issue 17). Run: Rscript tests/r/sweep.R
options(digits = 10)
show <- function(label, tt) cat(sprintf("%s: means %.10g %.10g t=%.10g df=%.10g p=%.10g\n", label,
  tt$estimate[1], tt$estimate[2], tt$statistic, tt$parameter, tt$p.value))

# 1. thousands dots with decimal commas (read.csv2 reads them once the dots are dropped)
txt1 <- "arm;harm
treatment;1.250,50
treatment;3.300,00
treatment;1.000,00
treatment;2.100,75
treatment;1.045,50
control;3.400,25
control;1.999,50
control;1.800,00
control;2.500,00
control;1.200,50
control;1.950,00"
d1 <- read.csv2(text = txt1, colClasses = "character")
d1$harm <- as.numeric(gsub(",", ".", gsub(".", "", d1$harm, fixed = TRUE), fixed = TRUE))
show("item1", t.test(harm ~ factor(arm, levels = c("treatment", "control")), data = d1))
# neighbour: the same numbers in a tab-separated file, millions with two thousands dots
x <- c(1250.5, 3300, 1000, 2100.75, 1045.5) * 1000
y <- c(3400.25, 1999.5, 1800, 2500, 1200.5, 1950) * 1000
show("item1_millions", t.test(x, y))

# 2. decimal commas first appearing after line 50
d2 <- read.csv2(text = paste(c("arm;harm", rep(c("treatment;0", "control;0"), 30),
  "treatment;12,5", "control;30,25", "treatment;7,5", "control;45,75", "control;18,5",
  "treatment;3,25"), collapse = "\n"))
show("item2", t.test(harm ~ factor(arm, levels = c("treatment", "control")), data = d2))
# neighbour: a second column whose only decimal comma is on the last line
show("item2_last_line", t.test(c(rep(1, 40), 2.5), c(rep(2, 40))))

# 5. the audit: the p range a printed t allows
cat(sprintf("item5 t=3 (2.5..3.5), df 10: p %.10g .. %.10g\n", 2 * pt(-3.5, 10), 2 * pt(-2.5, 10)))
cat(sprintf("item5 t=2.0000 (1.99995..2.00005), df 40: p %.10g .. %.10g\n",
  2 * pt(-2.00005, 40), 2 * pt(-1.99995, 40)))
cat(sprintf("item5 neighbour t=2.0, df 40 (1.95..2.05): p %.10g .. %.10g\n",
  2 * pt(-2.05, 40), 2 * pt(-1.95, 40)))

# 6. power at the smallest sample
cat(sprintf("item6 power n=2 one-sided: %.10g\n",
  power.t.test(n = 2, delta = 0.5, sd = 1, alternative = "one.sided")$power))
cat(sprintf("item6 power n=2 two-sided: %.10g\n",
  power.t.test(n = 2, delta = 0.5, sd = 1)$power))
r <- try(power.t.test(delta = 0.5, sd = 1, power = 0.04, alternative = "one.sided"), silent = TRUE)
cat("item6 R power.t.test(power=0.04, one.sided):", if (inherits(r, "try-error")) conditionMessage(attr(r, "condition")) else r$n, "\n")
cat(sprintf("item6 n for power 0.8 one-sided: %.10g\n",
  power.t.test(delta = 0.5, sd = 1, power = 0.8, alternative = "one.sided")$n))

# 7. the permutation test inverted: shifts d not rejected by the exact test of x - d v y
perm_p <- function(x, y, alt) {
  z <- c(x, y); m <- length(x); obs <- mean(x) - mean(y)
  cmb <- combn(length(z), m)
  d <- apply(cmb, 2, function(i) mean(z[i]) - mean(z[-i]))
  tol <- 1e-9 * max(1, abs(obs))
  switch(alt, greater = mean(d >= obs - tol), less = mean(d <= obs + tol),
         two.sided = mean(abs(d) >= abs(obs) - tol))
}
limits <- function(x, y, alt, alpha, grid) {
  keep <- sapply(grid, function(s) perm_p(x - s, y, alt) > alpha)
  range(grid[keep])
}
x <- c(10, 11, 12); y <- c(1, 2, 3)
cat("item7 3v3 two-sided p:", perm_p(x, y, "two.sided"), " greater p:", perm_p(x, y, "greater"), "\n")
x <- c(10, 11, 12, 14); y <- c(1, 2, 3, 5, 4)
g <- seq(-5, 25, by = 0.001)
cat("item7 4v5 two-sided p:", perm_p(x, y, "two.sided"), "\n")
cat("item7 4v5 95% shifts not rejected (grid 0.001):", limits(x, y, "two.sided", 0.05, g), "\n")
cat("item7 4v5 greater 95% lower limit (grid 0.001):", limits(x, y, "greater", 0.05, g)[1], "\n")
x <- c(3.1, 0.4, 2.2, 5.0, 1.7, 2.9); y <- c(1.2, 0.3, 2.5, 0.9, 1.1, 0.2, 1.4)
g <- seq(-4, 6, by = 0.0005)
cat("item7 6v7 two-sided p:", perm_p(x, y, "two.sided"), "\n")
cat("item7 6v7 95% shifts not rejected (grid 0.0005):", limits(x, y, "two.sided", 0.05, g), "\n")
g <- seq(2.2, 2.5, by = 0.0005)  # a narrow grid: the full one takes many minutes
cat("item7 6v7 less 90% upper limit (grid 0.0005 on 2.2..2.5):", limits(x, y, "less", 0.10, g)[2], "\n")
# -> 2.3665 (the step point is 2.36667: the test of shift d keeps p > 0.10 up to it)

# 5 (with df rounding too: a printed df of 10 means 9.5 to 10.5)
cat(sprintf("item5 t=3 df=10 box: p %.10g .. %.10g\n", 2 * pt(-3.5, 10.5), 2 * pt(-2.5, 9.5)))
cat(sprintf("item5 t=2.0000 df=40 box: p %.10g .. %.10g\n", 2 * pt(-2.00005, 40.5), 2 * pt(-1.99995, 39.5)))
