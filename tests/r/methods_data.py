"""Writes tests/r/methods_data.csv, the small trial that tests/r/methods.R and
tests/test_methods.py both read (run once; the CSV is committed).

60 people, 2 arms (31 treatment, 29 control), an over-dispersed count outcome
`y` with a baseline count `b`, a continuous covariate `x`, the same covariate
with 4 values missing (`xm`), 3 strata with unequal allocation (`s`), a
non-negative continuous outcome `z` (money-like), and a 0/1 outcome `any`.
"""
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261129)
n = 60
s = np.repeat(["a", "b", "c"], [18, 24, 18])
arm = np.zeros(n, int)
for lev, k in (("a", 8), ("b", 14), ("c", 9)):  # treated per stratum: unequal shares
    idx = np.flatnonzero(s == lev)
    arm[rng.choice(idx, k, replace=False)] = 1
b = rng.negative_binomial(1.2, 0.3, n)
x = np.round(rng.normal(30, 8, n), 1)
mu = np.exp(0.2 + 0.5 * np.log1p(b) - 0.35 * arm + 0.01 * (x - 30) + 0.3 * (s == "c"))
y = rng.negative_binomial(1.5, 1.5 / (1.5 + mu))
xm = x.copy()
xm[[3, 17, 40, 55]] = np.nan
z = np.round(rng.gamma(1.3, 40 * np.exp(-0.3 * arm)) * (rng.random(n) < 0.7), 2)
pd.DataFrame({"arm": np.where(arm == 1, "treatment", "control"), "y": y, "b": b, "x": x,
              "xm": xm, "s": s, "z": z, "any": (y > 0).astype(int)}).to_csv(
    Path(__file__).with_name("methods_data.csv"), index=False)
