"""Benchmark of the over-time analyses (issue #14). Run: .venv/bin/python benchmarks/survival.py

Targets from the issue: 10,000,000 crime rows to all windows, baselines and times to first
offence in under 5 s; Kaplan-Meier, log-rank and Cox for 1,000,000 people in under 3 s.
Data are seeded and shaped like a police extract (categorical ids, offences and roles, dates
over four years); nothing is written to the repository. Times are wall-clock on this machine
and vary with its load; the best of ``--repeat`` runs is reported.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from fd_stats.aggregate import DEFAULT_GROUPS, aggregate_over_time
from fd_stats.io import read_table
from fd_stats.survival import cox, kaplan_meier_by_arm, logrank


def extract(n_rows: int, n_people: int, seed: int = 14):
    rng = np.random.default_rng(seed)
    groups = read_table(DEFAULT_GROUPS)
    ids = pd.Categorical.from_codes(rng.integers(0, n_people, n_rows),
                                    categories=[f"P{i}" for i in range(n_people)])
    offences = pd.Categorical.from_codes(rng.integers(0, len(groups), n_rows),
                                         categories=list(groups["offence"]))
    roles = pd.Categorical.from_codes(rng.integers(0, 2, n_rows), categories=["suspect", "victim"])
    dates = (np.datetime64("2021-01-01") + rng.integers(0, 1500, n_rows).astype("timedelta64[D]"))
    crimes = pd.DataFrame({"person_id": ids, "date": dates.astype("datetime64[ns]"),
                           "offence": offences, "role": roles,
                           "harm": rng.gamma(1.0, 30.0, n_rows).round(2)})
    start = np.datetime64("2023-02-01") + rng.integers(0, 180, n_people).astype("timedelta64[D]")
    people = pd.DataFrame({"person_id": [f"P{i}" for i in range(n_people)],
                           "arm": np.where(rng.random(n_people) < 0.5, "treatment", "control"),
                           "randomisation_date": start.astype("datetime64[ns]")})
    return crimes, people, groups


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
    crimes, people, groups = extract(a.rows, a.people)
    t, runs = best(lambda: aggregate_over_time(crimes, people, None, groups,
                                               end_date="2025-01-31", programme_months=12),
                   a.repeat)
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
