"""Seeded synthetic data sets for the benchmarks (written to a temporary folder, never the repo).

Every data set here is synthetic. ``DISTRIBUTIONS`` names the outcome shapes the
whole-command benchmark covers (issue 16): the shapes real extracts have, not
only friendly small counts.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

OUTCOMES = [f"count_{i}" for i in range(10)]
SUBGROUP_LEVELS = np.array(["11-17", "18-25", "26+"])
KEYS = ("person_id", "arm", "age_group")


def _counts(rng, n, arm, i):
    """Small over-dispersed counts (negative binomial, gamma shape 1.5), treatment ~5% lower."""
    mean = 0.3 + 0.25 * i
    lam = rng.gamma(1.5, mean / 1.5, size=n) * np.where(arm, 0.95, 1.0)
    return rng.poisson(lam).astype(np.int64)


def _heavy(rng, n, arm, i):
    """Heavy-tailed counts: Poisson with gamma(shape 0.5) heterogeneity (maxima in the tens)."""
    mean = 0.3 + 0.25 * i
    lam = rng.gamma(0.5, mean / 0.5, size=n) * np.where(arm, 0.95, 1.0)
    return rng.poisson(lam).astype(np.int64)


def _harm(rng, n, arm, i):
    """Crime-harm-like scores: 70% zeros, a log-normal tail with two decimals, and a few
    values 100x the median of the non-zero scores."""
    v = np.round(rng.lognormal(2.0 + 0.2 * i, 1.3, size=n) * np.where(arm, 0.95, 1.0), 2)
    v[rng.random(n) < 0.7] = 0.0
    nz = np.flatnonzero(v)
    huge = rng.choice(nz, size=max(1, n // 20_000), replace=False)
    v[huge] = np.round(100 * np.median(v[nz]) * rng.uniform(1, 3, len(huge)), 2)
    return v


def _binary(rng, n, arm, i):
    """0/1 outcomes (prevalence 5%-50%), treatment ~5% lower."""
    p = (0.05 + 0.05 * i) * np.where(arm, 0.95, 1.0)
    return (rng.random(n) < p).astype(np.int64)


def _money(rng, n, arm, i):
    """Money (pounds and pence): log-normal, many distinct values."""
    return np.round(rng.lognormal(6.0 + 0.1 * i, 1.2, size=n) * np.where(arm, 0.97, 1.0), 2)


DISTRIBUTIONS = {
    "counts": ("small over-dispersed counts", "count", _counts),
    "heavy": ("heavy-tailed counts, Poisson-gamma(0.5)", "heavy", _heavy),
    "harm": ("harm scores, 70% zeros, log-normal tail, 2 decimals", "harm", _harm),
    "binary": ("0/1 outcomes", "binary", _binary),
    "money": ("money, log-normal, many distinct values", "money", _money),
}


def people(n: int, seed: int = 20240601, distribution: str = "counts") -> "pyarrow.Table":  # noqa: F821
    """n people: arm, a 3-level age group, a person id and 10 outcomes of one distribution."""
    import pyarrow as pa

    _, prefix, draw = DISTRIBUTIONS[distribution]
    rng = np.random.default_rng(seed)
    arm = rng.random(n) < 0.5
    group = rng.choice(3, size=n, p=[0.45, 0.35, 0.20])
    cols = {
        "person_id": pa.array(np.char.add("P", np.arange(n).astype(str))),
        "arm": pa.array(np.where(arm, "treatment", "control")),
        "age_group": pa.array(SUBGROUP_LEVELS[group]),
    }
    for i in range(10):
        cols[f"{prefix}_{i}"] = pa.array(draw(rng, n, arm, i))
    return pa.table(cols)


def write_people(folder: Path, n: int, seed: int = 20240601, distribution: str = "counts") -> Path:
    import pyarrow.parquet as pq

    name = "people" if distribution == "counts" else f"people_{distribution}"
    path = Path(folder) / f"{name}_{n}.parquet"
    if not path.exists():
        pq.write_table(people(n, seed, distribution), path)
    return path
def offence_codes() -> list[str]:
    import csv

    path = Path(__file__).resolve().parents[1] / "data" / "offence_groups_example.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return [row["offence"] for row in csv.DictReader(f)]


def crimes_inputs(n_rows: int, n_people: int, seed: int = 20240602):
    """(crimes, people, harm) tables for :func:`fd_stats.data.aggregate.aggregate`.

    crimes: one row per crime and person (person id, offence date, offence code,
    role, police-initiated flag); people: randomisation list; harm: offence -> days.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    codes = offence_codes()
    ids = np.char.add("P", np.arange(n_people).astype(str))
    start = np.datetime64("2021-01-01") + rng.integers(0, 365, n_people).astype("timedelta64[D]")
    people = pd.DataFrame({
        "person_id": ids,
        "arm": np.where(rng.random(n_people) < 0.5, "treatment", "control"),
        "randomisation_date": start.astype("datetime64[ns]"),
        "age_group": SUBGROUP_LEVELS[rng.integers(0, 3, n_people)],
    })
    crimes = pd.DataFrame({
        "person_id": pd.Categorical.from_codes(rng.integers(0, n_people, n_rows), categories=ids),
        "offence_date": (np.datetime64("2020-06-01")
                         + rng.integers(0, 3 * 365, n_rows).astype("timedelta64[D]")
                         ).astype("datetime64[ns]"),
        "offence_code": pd.Categorical.from_codes(rng.integers(0, len(codes), n_rows), codes),
        "role": pd.Categorical.from_codes(rng.integers(0, 2, n_rows), ["suspect", "victim"]),
        "police_initiated": rng.random(n_rows) < 0.3,
    })
    harm = pd.DataFrame({"offence_code": codes,
                         "harm_days": np.round(rng.gamma(0.8, 200.0, len(codes)), 1)})
    return crimes, people, harm
