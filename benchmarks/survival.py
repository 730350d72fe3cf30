"""Benchmarks of the over-time work (issue 14). Run from the repository root:

    nice .venv/bin/python benchmarks/survival.py                 # all three parts
    nice .venv/bin/python benchmarks/survival.py --part survival # one part

Targets from the issues:

- ``survival`` (#14): Kaplan-Meier, log-rank and Cox for 1,000,000 people in under 3 s.
  Measured as a whole fresh process (Python start-up, imports, the three analyses; the
  data are drawn before the clock starts), plus each step inside it, and the Cox model
  adjusted for a baseline count.
- ``upload`` (#18): the offence-level upload of 2,000,000 crime rows (100,000 people) in
  under 5 s and 1 GB: a fresh process parses the CSV bytes as the Data page does
  (``dashboard.upload.handle_upload``, the extract read as categoricals) and counts them (``fd_stats.data.aggregate``); wall,
  CPU and peak memory of that process.
- ``aggregate`` (#14): 10,000,000 crime rows (500,000 people) to all windows, baselines
  and times to first offence (``aggregate_over_time``) in under 5 s, beside the
  single-window ``aggregate`` on the same data as a yardstick for the machine's load.
  Two extracts: ``police_extract`` below (most people with no crimes, a few with
  thousands; dates over six years around randomisations spread over two years; a few
  witness rows; offences as common as their rank says) and the uniform one of
  ``benchmarks/datasets.py`` (every person equally likely; earlier figures used it).

Data are seeded and synthetic; files go to a temporary folder, never the repository. The
machine is shared: each line gives wall and CPU time (user + system: system time is
mostly the kernel handing the process fresh memory, large on this machine) and the load
average, and the best of ``--repeat`` runs.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # benchmarks/datasets.py


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def survival_data(n: int, seed: int = 15):
    """Times in whole days (ties, as an extract gives), censoring at 300-730 days, about
    two thirds with an event; a baseline count that raises the hazard."""
    rng = np.random.default_rng(seed)
    z = (rng.random(n) < 0.5).astype(float)
    base = rng.poisson(1.5, n).astype(float)
    t = np.ceil(rng.exponential(1 / (0.002 * np.exp(-0.3 * z + 0.2 * base)))).clip(1, None)
    c = rng.integers(300, 731, n)
    return np.minimum(t, c), (t <= c).astype(float), z, base


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def in_child(args: list[str], repeat: int):
    """Run this script as a fresh process ``repeat`` times: (wall, CPU, peak RSS MB, stdout)
    of the fastest run."""
    runs = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                             check=True, cwd=HERE.parent).stdout
        wall = time.perf_counter() - w
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        runs.append((wall, cpu, after.ru_maxrss / 1024, out))
    return min(runs, key=lambda r: r[0]), [r[0] for r in runs]


def police_extract(n_rows: int, n_people: int, seed: int = 7):
    """(crimes, people, harm) shaped like a police extract (synthetic).

    60% of people never appear; the others offend at gamma(0.3) rates, so a few have
    thousands of rows. Randomisation over 2022-2023; each crime within three years either
    side of its person's randomisation (clipped to 2019-01 .. 2025-03, so some fall after
    the extract end of 2024-12-31); offence i about 1/i as common as the first; roles
    suspect 60%, victim 37%, witness 3% (not counted); police-initiated flag 30%.
    """
    import pandas as pd
    from datasets import SUBGROUP_LEVELS, offence_codes

    rng = np.random.default_rng(seed)
    codes = offence_codes()
    ids = np.char.add("P", np.arange(n_people).astype(str))
    start = np.datetime64("2022-01-01") + rng.integers(0, 730, n_people).astype("timedelta64[D]")
    people = pd.DataFrame({
        "person_id": ids,
        "arm": np.where(rng.random(n_people) < 0.5, "treatment", "control"),
        "randomisation_date": start.astype("datetime64[ns]"),
        "age_group": SUBGROUP_LEVELS[rng.integers(0, 3, n_people)]})
    rate = rng.gamma(0.3, 1.0, n_people) * (rng.random(n_people) < 0.4)
    person = rng.choice(n_people, size=n_rows, p=rate / rate.sum())
    day = start[person] + rng.integers(-3 * 365, 3 * 365, n_rows).astype("timedelta64[D]")
    day = np.clip(day, np.datetime64("2019-01-01"), np.datetime64("2025-03-31"))
    common = 1 / np.arange(1, len(codes) + 1)
    crimes = pd.DataFrame({
        "person_id": pd.Categorical.from_codes(person, categories=ids),
        "offence_date": day.astype("datetime64[ns]"),
        "offence_code": pd.Categorical.from_codes(
            rng.choice(len(codes), n_rows, p=common / common.sum()), codes),
        "role": pd.Categorical.from_codes(rng.choice(3, n_rows, p=[0.6, 0.37, 0.03]),
                                          ["suspect", "victim", "witness"]),
        "police_initiated": rng.random(n_rows) < 0.3})
    harm = pd.DataFrame({"offence_code": codes,
                         "harm_days": np.round(rng.gamma(0.8, 200.0, len(codes)), 1)})
    return crimes, people, harm


def cpu_times(fn):
    """(wall, user, system) seconds of fn()."""
    before, w = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    fn()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (time.perf_counter() - w, after.ru_utime - before.ru_utime,
            after.ru_stime - before.ru_stime)


# ----------------------------------------------------------------------------- children

def child_survival(path: str) -> None:
    """Fresh process: read the drawn data, run KM + log-rank + Cox, print step times."""
    start = time.perf_counter()
    from fd_stats.methods.survival import cox, kaplan_meier_by_arm, logrank

    d = np.load(path)
    tt, e, z = d["t"], d["e"], d["z"]
    print(f"  start-up + imports + reading the data: {time.perf_counter() - start:.2f} s")
    for name, fn in (("Kaplan-Meier by arm", lambda: kaplan_meier_by_arm(tt, e, z)),
                     ("log-rank", lambda: logrank(tt, e, z)),
                     ("Cox (Efron), arm only", lambda: cox(tt, e, z))):
        w, c, _ = timed(fn)
        print(f"  {name}: {w:.2f} s wall, {c:.2f} s CPU")


def child_upload(folder: str) -> None:
    """Fresh process: the Data page's crimes import on uploaded bytes."""
    from dashboard.upload import handle_upload
    from fd_stats.data.aggregate import aggregate

    def run():
        tables = [handle_upload(Path(folder, f).read_bytes(), f,
                                categorical=f == "crimes.csv").table
                  for f in ("crimes.csv", "people.csv", "harm.csv")]
        return aggregate(*tables)

    w, c, res = timed(run)
    print(f"  parse + aggregate: {w:.2f} s wall, {c:.2f} s CPU; "
          f"{res.summary['crimes_counted']:,} of {res.summary['crime_rows']:,} rows counted")


# ----------------------------------------------------------------------------- parts

def part_survival(n: int, repeat: int) -> None:
    tt, e, z, base = survival_data(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp, "surv.npz"))
        np.savez(path, t=tt, e=e, z=z)
        (wall, cpu, rss, out), runs = in_child(["--child-survival", path], repeat)
    print(f"Whole process, {n:,} people (start-up, imports, Kaplan-Meier + log-rank + Cox): "
          f"best {wall:.2f} s wall, {cpu:.2f} s CPU, peak {rss:.0f} MB "
          f"(runs {', '.join(f'{r:.2f}' for r in runs)}; target < 3 s; {load()})")
    print(out, end="")
    from fd_stats.methods.survival import cox

    w, c, _ = timed(lambda: cox(tt, e, z, base, ["base"]))
    print(f"Cox (Efron) adjusted for a baseline count, in process: {w:.2f} s wall, "
          f"{c:.2f} s CPU ({load()})")


def part_upload(rows: int, people: int, repeat: int) -> None:
    from datasets import crimes_inputs

    crimes, ppl, harm = crimes_inputs(rows, people)
    with tempfile.TemporaryDirectory() as tmp:
        crimes.to_csv(Path(tmp, "crimes.csv"), index=False, date_format="%Y-%m-%d")
        ppl.to_csv(Path(tmp, "people.csv"), index=False, date_format="%Y-%m-%d")
        harm.to_csv(Path(tmp, "harm.csv"), index=False)
        mb = Path(tmp, "crimes.csv").stat().st_size / 1e6
        (wall, cpu, rss, out), runs = in_child(["--child-upload", tmp], repeat)
    print(f"Crimes upload, {rows:,} rows ({mb:.0f} MB CSV), {people:,} people, whole process "
          f"(start-up, imports, parse, count): best {wall:.2f} s wall, {cpu:.2f} s CPU, "
          f"peak {rss:.0f} MB (runs {', '.join(f'{r:.2f}' for r in runs)}; "
          f"target < 5 s and 1 GB; {load()})")
    print(out, end="")


def part_aggregate(rows: int, people: int, repeat: int) -> None:
    from datasets import crimes_inputs

    from fd_stats.data.aggregate import aggregate, aggregate_over_time

    for shape, make, end in (("police-like", police_extract, "2024-12-31"),
                             ("uniform", crimes_inputs, "2023-05-31")):
        crimes, ppl, harm = make(rows, people)
        for name, fn in (
                ("aggregate (one 12-month window, the yardstick)",
                 lambda: aggregate(crimes, ppl, harm)),
                ("aggregate_over_time (baselines 12/24, windows 6/12/18/24, programme 12, "
                 "times to first offence, month table)",
                 lambda: aggregate_over_time(crimes, ppl, harm, end_date=end,
                                             programme_months=12))):
            runs = [cpu_times(fn) for _ in range(repeat)]
            w, u, s = min(runs, key=lambda r: r[1] + r[2])
            print(f"{shape}, {name}: {rows:,} rows, {people:,} people: best {u + s:.2f} s CPU "
                  f"(user {u:.2f} + system {s:.2f}), {w:.2f} s wall (CPU of runs "
                  f"{', '.join(f'{r[1] + r[2]:.2f}' for r in runs)}; walls "
                  f"{', '.join(f'{r[0]:.2f}' for r in runs)}; {load()})")
        del crimes, ppl, harm
    print(f"target for aggregate_over_time: < 5 s; peak memory of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=("survival", "upload", "aggregate", "all"), default="all")
    ap.add_argument("--survival-people", type=int, default=1_000_000)
    ap.add_argument("--upload-rows", type=int, default=2_000_000)
    ap.add_argument("--upload-people", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--people", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child-survival", help=argparse.SUPPRESS)
    ap.add_argument("--child-upload", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child_survival:
        return child_survival(a.child_survival)
    if a.child_upload:
        return child_upload(a.child_upload)
    print(f"Start: {load()} on {os.cpu_count()} cores (shared machine)")
    if a.part in ("survival", "all"):
        part_survival(a.survival_people, a.repeat)
    if a.part in ("upload", "all"):
        part_upload(a.upload_rows, a.upload_people, a.repeat)
    if a.part in ("aggregate", "all"):
        part_aggregate(a.rows, a.people, a.repeat)


if __name__ == "__main__":
    main()
