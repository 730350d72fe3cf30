"""Benchmark of the count models (issue #13): Poisson and negative-binomial rate ratios for
1,000,000 people x 10 outcomes x (All + 3 subgroup levels), whole process from the command
line, against statsmodels called on the person-level rows.

    .venv/bin/python benchmarks/models.py [--people 1000000] [--repeats 3] [--reference-fits 4]

Prints one line per measurement. The engine fits each model on value counts (one row per
distinct outcome value and arm, frequency weights) when no covariate is continuous. The
reference fits statsmodels' GLM on the person rows (Poisson with HC0 covariance; negative
binomial with the same profile search of the dispersion) for ``--reference-fits`` of the
40 outcome x level cells and scales the time to all 40 (said in the output). Times are wall
clock on a shared machine: noisy, never asserted in tests.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import datasets  # noqa: E402


def whole_process(path: Path, method: str, extra: str | None, repeats: int):
    """Wall-clock and CPU (user + system of the child) seconds of the command."""
    import resource

    cmd = [sys.executable, "-m", "fd_stats", "analyse", str(path), "--subgroup", "age_group",
           "--method", method, "--also", "none", "--format", "csv"]
    if extra:
        cmd += ["--add-method", extra]
    times, cpu = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if out.returncode:
            raise SystemExit(out.stderr)
    return times, cpu


def reference(path: Path, cells: int) -> tuple[float, int]:
    """statsmodels on person rows for ``cells`` (outcome, level) cells, both models."""
    import pandas as pd
    import statsmodels.api as sm
    from scipy.optimize import minimize_scalar

    table = pd.read_parquet(path)
    t = (table["arm"] == "treatment").to_numpy(float)
    levels = [None, *sorted(table["age_group"].unique())]
    done = 0
    t0 = time.perf_counter()
    for name in datasets.OUTCOMES:
        for level in levels:
            if done == cells:
                return time.perf_counter() - t0, done
            mask = (slice(None) if level is None
                    else (table["age_group"] == level).to_numpy())
            y = table[name].to_numpy(float)[mask]
            x = np.column_stack([np.ones(len(y)), t[mask]])
            sm.GLM(y, x, family=sm.families.Poisson()).fit(cov_type="HC0")
            nll = lambda la: -sm.GLM(y, x, family=sm.families.NegativeBinomial(  # noqa: E731
                alpha=np.exp(la))).fit().llf
            a = minimize_scalar(nll, bounds=(np.log(1e-8), np.log(1e4)), method="bounded").x
            sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=np.exp(a))).fit()
            done += 1
    return time.perf_counter() - t0, done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--reference-fits", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = datasets.write_people(Path(tmp), args.people)
        cells = len(datasets.OUTCOMES) * (1 + len(datasets.SUBGROUP_LEVELS))
        for method, extra in (("poisson", None), ("negative-binomial", None),
                              ("poisson", "negative-binomial")):
            times, cpu = whole_process(path, method, extra, args.repeats)
            print(f"models: {args.people:,} people x {cells} outcome-level cells, "
                  f"--method {method}{' --add-method ' + extra if extra else ''}: "
                  f"whole process best {min(times):.2f} s wall ({min(cpu):.2f} s CPU), median "
                  f"{np.median(times):.2f} s wall (target < 3 s)")
        if not args.reference_fits:
            return
        spent, done = reference(path, args.reference_fits)
        per_cell = spent / done
        print(f"models: statsmodels on person rows (Poisson HC0 + negative binomial), {done} of "
              f"{cells} cells fitted in {spent:.1f} s; scaled to all cells: "
              f"{per_cell * cells:.0f} s (target: the engine at least 5x faster)")


if __name__ == "__main__":
    main()
