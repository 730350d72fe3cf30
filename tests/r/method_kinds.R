# Reference values for tests/test_method_kinds.py (issue 16): the Poisson ratio of means of a
# harm score (non-integer, 60% zeros) with the HC0 sandwich standard error, as the registry
# fits it on both arms' value counts. Run: Rscript tests/r/method_kinds.R
library(sandwich)
d <- read.csv("tests/r/method_kinds_data.csv")
CTRL <- glm.control(epsilon = 1e-12, maxit = 100)
m <- suppressWarnings(glm(harm ~ t, family = poisson, data = d, control = CTRL))
se <- sqrt(vcovHC(m, type = "HC0")[2, 2])
b <- coef(m)[["t"]]
z <- b / se
cat(sprintf("rr,se,z: %.12g, %.12g, %.12g\n", exp(b), se, z))
cat(sprintf("p two,less,greater: %.12g, %.12g, %.12g\n", 2 * pnorm(-abs(z)), pnorm(z), pnorm(-z)))
cat(sprintf("ci95 two: %.12g, %.12g\n", exp(b - qnorm(0.975) * se), exp(b + qnorm(0.975) * se)))
