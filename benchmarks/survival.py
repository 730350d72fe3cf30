"""Benchmark of the over-time analyses (issue #14). Run: .venv/bin/python benchmarks/survival.py

Targets from the issue: 10,000,000 crime rows to all windows, baselines and times to first
offence in under 5 s; Kaplan-Meier, log-rank and Cox for 1,000,000 people in under 3 s.
Data are seeded and shaped like a police extract (categorical ids, offences and roles, dates
over four years); nothing is written to the repository. Times are wall-clock on this machine
and vary with its load; the best of ``--repeat`` runs is reported.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fd_stats.aggregate import aggregate, aggregate_over_time

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/datasets.py
from fd_stats.survival import cox, kaplan_meier_by_arm, logrank


def extract(n_rows: int, n_people: int):
    """The offence-level benchmark's data (benchmarks/datasets.py, as BENCHMARKS.md uses):
    categorical ids, offences and roles, dates over three years from June 2020,
    randomisation during 2021."""
    from datasets import crimes_inputs

    return crimes_inputs(n_rows, n_people)


def survival_data(n: int, seed: int = 15):
    rng = np.random.default_rng(seed)
    z = (rng.random(n) < 0.5).astype(float)
    base = rng.poisson(1.5, n).astype(float)
    t = np.ceil(rng.exponential(1 / (0.002 * np.exp(-0.3 * z + 0.2 * base)))).clip(1, None)
    c = rng.integers(300, 731, n)
    return np.minimum(t, c), (t <= c).astype(float), z, base


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--people", type=int, default=500_000)
    ap.add_argument("--survival-people", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    crimes, people, harm = extract(a.rows, a.people)
    # the single-window import on the same data, as a yardstick for this machine's load
    t1, runs1 = best(lambda: aggregate(crimes, people, harm), a.repeat)
    print(f"aggregate (one 12-month window, the existing import): best {t1:.2f} s "
          f"(runs {', '.join(f'{r:.2f}' for r in runs1)}; BENCHMARKS.md: 1.7 s on a quiet machine)")
    t, runs = best(lambda: aggregate_over_time(crimes, people, harm, end_date="2023-05-31",
                                               programme_months=12), a.repeat)
    print(f"aggregate_over_time: {a.rows:,} crime rows, {a.people:,} people, baselines 12/24, "
          f"windows 6/12/18/24, programme 12, times to first offence: best {t:.2f} s "
          f"(runs {', '.join(f'{r:.2f}' for r in runs)}; target < 5 s)")
    tt, e, z, base = survival_data(a.survival_people)
    for name, fn in (("Kaplan-Meier by arm", lambda: kaplan_meier_by_arm(tt, e, z)),
                     ("log-rank", lambda: logrank(tt, e, z)),
                     ("Cox (Efron)", lambda: cox(tt, e, z)),
                     ("Cox (Efron) + baseline", lambda: cox(tt, e, z, base, ["base"]))):
        t, runs = best(fn, a.repeat)
        print(f"{name}: {a.survival_people:,} people: best {t:.2f} s "
              f"(runs {', '.join(f'{r:.2f}' for r in runs)})")
    t, _ = best(lambda: (kaplan_meier_by_arm(tt, e, z), logrank(tt, e, z), cox(tt, e, z)), 1)
    print(f"Kaplan-Meier + log-rank + Cox together: {t:.2f} s (target < 3 s)")


if __name__ == "__main__":
    main()
