"""Seeded synthetic data sets for the benchmarks (written to a temporary folder, never the repo)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

OUTCOMES = [f"count_{i}" for i in range(10)]
SUBGROUP_LEVELS = np.array(["11-17", "18-25", "26+"])


def people(n: int, seed: int = 20240601) -> "pyarrow.Table":  # noqa: F821
    """n people: arm, a 3-level age group, a person id and 10 small-count outcomes."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    arm = rng.random(n) < 0.5
    group = rng.choice(3, size=n, p=[0.45, 0.35, 0.20])
    cols = {
        "person_id": pa.array(np.char.add("P", np.arange(n).astype(str))),
        "arm": pa.array(np.where(arm, "treatment", "control")),
        "age_group": pa.array(SUBGROUP_LEVELS[group]),
    }
    for i, name in enumerate(OUTCOMES):
        mean = 0.3 + 0.25 * i
        # over-dispersed counts (negative binomial), treatment about 5% lower
        lam = rng.gamma(1.5, mean / 1.5, size=n) * np.where(arm, 0.95, 1.0)
        cols[name] = pa.array(rng.poisson(lam).astype(np.int64))
    return pa.table(cols)


def write_people(folder: Path, n: int, seed: int = 20240601) -> Path:
    import pyarrow.parquet as pq

    path = Path(folder) / f"people_{n}.parquet"
    if not path.exists():
        pq.write_table(people(n, seed), path)
    return path


def offence_codes() -> list[str]:
    import csv

    path = Path(__file__).resolve().parents[1] / "data" / "offence_groups_example.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return [row["offence"] for row in csv.DictReader(f)]


def crimes_inputs(n_rows: int, n_people: int, seed: int = 20240602):
    """(crimes, people, harm) tables for :func:`fd_stats.aggregate.aggregate`.

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
