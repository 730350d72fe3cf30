"""Performance benchmarks of fd_stats and the app against plain scipy (issue 8).

Run from the repository root::

    .venv/bin/python benchmarks/run.py            # everything (a few minutes)
    .venv/bin/python benchmarks/run.py --only trial,cli --repeats 3
    .venv/bin/python benchmarks/run.py --only dist --dist harm,money --sizes 1M --repeats 3
    .venv/bin/python benchmarks/run.py --only dist --sizes 100k,1M,10M   # 10M: opt-in, slow
    .venv/bin/python benchmarks/run.py --only resampling    # permutation, bootstrap: 10k, 30k
    .venv/bin/python benchmarks/run.py --only dist --sizes 1M --methods none  # default analysis only

Data sets are generated with fixed seeds into a temporary folder (never the
repository). Each measurement is repeated and the median reported; each
ratio is taken between measurements made side by side in the same run.
Wall-clock time is what the targets are about; CPU time (user + system) is
shown too because it is less sensitive to other load on the machine, and each
whole-command row gives the 1-minute load average before and after it: this is a
shared 2-core machine, so wall times depend on what else runs.
The table is printed as Markdown.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import datasets  # noqa: E402

PY = sys.executable
ROWS: list[dict] = []


def timed(fn, repeats: int):
    """Median wall and CPU seconds of ``repeats`` calls, and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


#: Every timed command runs from bytecode, as an installed package does: a sandbox that sets
#: PYTHONDONTWRITEBYTECODE would otherwise compile fd_stats' source again on every run (about
#: 0.07 s CPU; the libraries the naive script uses come with their bytecode). The bytecode
#: goes to the usual ``__pycache__`` folders, which git ignores.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_child(cmd, repeats: int, cwd=ROOT, env=None):
    """Median wall seconds, CPU seconds and peak RSS (MB) of a command, run ``repeats`` times,
    and the slowest run's wall seconds."""
    env = CHILD_ENV if env is None else env
    walls, cpus, rss = [], [], []
    for _ in range(repeats):
        w0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - w0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, cmd))} failed: {err.strip()[-500:]}")
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), statistics.median(cpus), max(rss), max(walls)


def record(name, target, wall, cpu=None, baseline=None, baseline_wall=None, extra="", met=None):
    ratio = baseline_wall / wall if baseline_wall else None
    ROWS.append(dict(name=name, target=target, wall=wall, cpu=cpu, baseline=baseline,
                     baseline_wall=baseline_wall, ratio=ratio, extra=extra, met=met))
    r = f", {ratio:.1f}x faster than {baseline}" if ratio else ""
    print(f"  {name}: {wall:.3f} s wall" + (f", {cpu:.3f} s CPU" if cpu is not None else "")
          + r + (f"; {extra}" if extra else ""), flush=True)


# ------------------------------------------------------------------ 1. the bundled trial

def trial_rows(trial):
    """(x, y) per outcome x level, as analyse() splits them (All, then each subgroup level)."""
    t, m = trial.table, trial.mapping
    arm = t[m.arm].astype(str).str.strip().str.casefold()
    levels = [None] + sorted(t[m.subgroup].dropna().unique())
    out = []
    for level in levels:
        sel = np.ones(len(t), bool) if level is None else (t[m.subgroup] == level).to_numpy()
        for o in m.outcomes:
            v = t[o].to_numpy(float)
            ok = sel & ~np.isnan(v)
            out.append((v[ok & (arm == "treatment").to_numpy()], v[ok & (arm == "control").to_numpy()]))
    return out


def scipy_full(rows, seed=12345):
    """The same work with scipy.stats, row by row."""
    from scipy import stats

    def diff(x, y, axis):
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    def pct(x, y, axis):
        return 100 * (np.mean(x, axis=axis) / np.mean(y, axis=axis) - 1)

    out = []
    for x, y in rows:
        w = stats.ttest_ind(x, y, equal_var=False)
        mw = stats.mannwhitneyu(x, y, alternative="two-sided")
        perm = stats.permutation_test((x, y), diff, n_resamples=10_000, vectorized=True,
                                      permutation_type="independent", random_state=seed)
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degenerate resamples of rare counts
            boot = stats.bootstrap((x, y), pct, n_resamples=2000, method="percentile",
                                   vectorized=True, random_state=seed)
        out.append((w.pvalue, mw.pvalue, perm.pvalue, boot.confidence_interval))
    return out


def reference_full(rows, seed=12345):
    """The unoptimised reference path: the scalar fd_stats functions, row by row."""
    from fd_stats import (mann_whitney, percent_change_bootstrap, permutation_test, welch_t)

    return [(welch_t(x, y).p_value, mann_whitney(x, y).p_value,
             permutation_test(x, y, n_resamples=10_000, seed=seed).p_value,
             percent_change_bootstrap(x, y, n_resamples=2000, seed=seed).ci_low)
            for x, y in rows]


def bench_trial(repeats):
    print("1. Bundled trial: full analysis (Welch, Mann-Whitney, 10,000 permutations, "
          "2,000 bootstrap resamples; 10 outcomes x 3 levels)", flush=True)
    import fd_stats
    from fd_stats.analysis import FULL_ANALYSIS
    from fd_stats.data.trial import load_trial

    trial = load_trial()
    settings = fd_stats.Settings(extra_tests=FULL_ANALYSIS, permutations=10_000)
    fd_stats.analyse(trial.table, trial.mapping, settings)  # warm caches
    rows = trial_rows(trial)
    w_fast, c_fast, res = timed(lambda: fd_stats.analyse(trial.table, trial.mapping, settings),
                                max(repeats, 7))
    assert len(res) == len(rows) == 30
    w_ref, c_ref, _ = timed(lambda: reference_full(rows), max(1, repeats // 2))
    w_sp, c_sp, _ = timed(lambda: scipy_full(rows), max(1, repeats // 2))
    record("Trial full analysis, fd_stats.analyse (in process)", "< 0.3 s and >= 10x scipy",
           w_fast, c_fast, "scipy row by row", w_sp,
           met=w_fast < 0.3 and w_sp / w_fast >= 10)
    record("  same work, scipy permutation_test + bootstrap per row", "baseline", w_sp, c_sp)
    record("  same work, fd_stats scalar functions per row (reference)", "reference", w_ref, c_ref,
           extra=f"optimised path is {w_ref / w_fast:.1f}x faster")


# ------------------------------------------------------------------ 2. 1M people via the CLI

# the naive yardstick for every shape: pandas + scipy, one test call per outcome and level
NAIVE_SCRIPT = """
import sys
import numpy as np
import pandas as pd
from scipy import stats

df = pd.read_parquet(sys.argv[1])
outcomes = [c for c in df.columns if c not in ("person_id", "arm", "age_group")]
t = (df["arm"] == "treatment").to_numpy()
out = []
for level in [None] + sorted(df["age_group"].dropna().unique()):
    sel = np.ones(len(df), bool) if level is None else (df["age_group"] == level).to_numpy()
    for o in outcomes:
        v = df[o].to_numpy(float)
        x, y = v[sel & t], v[sel & ~t]
        out.append((o, level, stats.ttest_ind(x, y, equal_var=False).pvalue,
                    stats.mannwhitneyu(x, y, alternative="two-sided").pvalue))
print(pd.DataFrame(out).to_string())
"""


def bench_cli(repeats, folder: Path, n=1_000_000):
    print(f"2. {n:,} people x 10 count outcomes x 3-level subgroup from Parquet, whole command",
          flush=True)
    path = datasets.write_people(folder, n)
    script = folder / "scipy_baseline.py"
    script.write_text(textwrap.dedent(NAIVE_SCRIPT))
    cmd = [PY, "-m", "fd_stats", "analyse", str(path), "--subgroup", "age_group"]
    run_child(cmd, 1)  # warm the file cache
    w, c, rss, slowest = run_child(cmd, repeats)
    wb, cb, rssb, _ = run_child([PY, str(script), str(path)], repeats)
    record(f"{n // 1_000_000}M people: python -m fd_stats analyse FILE --subgroup age_group",
           "< 2 s, < 1 GB, >= 1.5x scipy", w, c, "pandas + scipy script", wb,
           extra=f"peak RSS {rss:.0f} MB; slowest of {repeats} runs {slowest:.2f} s",
           met=w < 2 and rss < 1024 and wb / w >= 1.5)
    record("  pandas + scipy ttest_ind / mannwhitneyu per row", "baseline", wb, cb,
           extra=f"peak RSS {rssb:.0f} MB")
    w0, c0, _, _ = run_child([PY, "-c", "import fd_stats.cli.main"], repeats)
    record("  of which: Python start-up + import fd_stats", "(info)", w0, c0)


# ------------------------------------------------------------------ 2b. every outcome shape


SIZES = {"10k": 10_000, "30k": 30_000, "100k": 100_000, "1M": 1_000_000,
         "10M": 10_000_000}
#: The registry's other methods (the t-test with equal variances, the prevalence ratio, Lin's
#: adjusted difference and the blocked difference, both within the age-group strata): a third
#: command per shape at sizes up to 1M (their fits use every person; seconds at 1M).
OTHER_METHODS = "student,prevalence-ratio,lin,blocked"


def write_people_in_child(folder: Path, n: int, dist: str) -> Path:
    """Generate a data set in a child process: a forked child's peak RSS counts the parent's
    memory, so the parent must not grow by holding the generated tables."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import datasets; "
            "print(datasets.write_people(sys.argv[2], int(sys.argv[3]), distribution=sys.argv[4]))")
    out = subprocess.run([PY, "-c", code, str(Path(__file__).resolve().parent), str(folder),
                          str(n), dist], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip().splitlines()[-1])


def bench_distributions(repeats, folder: Path, dists, sizes, naive=True, methods="",
                        other=OTHER_METHODS, outcomes=0, checks=True):
    """Whole command on every outcome shape and size, beside the naive script in the same run;
    then the same command with the registry's ``methods`` added as extra rows (issue 13's
    count models and prevalence: their target is the whole command under 3 s at 1M), the
    ``other`` methods within strata, and the integrity checks (``python -m fd_stats
    integrity``, issue 15) once per shape up to 1M people."""
    script = folder / "naive_baseline.py"
    script.write_text(textwrap.dedent(NAIVE_SCRIPT))
    growth = {}
    for dist in dists:
        label = datasets.DISTRIBUTIONS[dist][0]
        for size in sizes:
            n = SIZES[size]
            print(f"2b. {dist} ({label}), {n:,} people x 10 outcomes x 3 levels", flush=True)
            path = write_people_in_child(folder, n, dist)
            cmd = [PY, "-m", "fd_stats", "analyse", str(path), "--subgroup", "age_group"]
            if outcomes:  # the first few outcomes only (the reader takes at most 50M cells)
                prefix = datasets.DISTRIBUTIONS[dist][1]
                cmd += ["--outcome", ",".join(f"{prefix}_{i}" for i in range(outcomes))]
            with_naive = naive and n <= 1_000_000  # the naive script up to the target's size
            run_child(cmd, 1)  # warm the file cache
            load = os.getloadavg()[0]
            w, c, rss, slowest = run_child(cmd, repeats)
            load = f"{load:.1f}-{os.getloadavg()[0]:.1f}"
            wb = rssb = cb = None
            if with_naive:
                wb, cb, rssb, _ = run_child([PY, str(script), str(path)], repeats)
            target = n == 1_000_000
            shown = f" --outcome <first {outcomes}>" if outcomes else ""
            target = target and not outcomes
            record(f"{dist} {size}: python -m fd_stats analyse FILE --subgroup age_group{shown}",
                   "< 2 s, < 1 GB, >= 2x naive" if target else "(info)", w, c,
                   "naive pandas + scipy" if with_naive else None, wb,
                   extra=f"peak RSS {rss:.0f} MB; slowest of {repeats} {slowest:.2f} s"
                   + (f"; naive {rssb:.0f} MB, CPU {cb:.2f} s = {cb / c:.1f}x ours" if with_naive
                      else "") + f"; load {load}",
                   met=(w < 2 and rss < 1024 and (wb is None or wb / w >= 2)) if target else None)
            growth.setdefault((dist, ""), []).append((n, w, c, cmd[5:]))
            if methods:
                load = os.getloadavg()[0]
                wm, cm, rssm, slowm = run_child(cmd + ["--add-method", methods], repeats)
                record(f"{dist} {size}: the same with --add-method {methods}",
                       "< 3 s, < 1 GB (issue 13)" if target else "(info)", wm, cm,
                       extra=f"peak RSS {rssm:.0f} MB; slowest of {repeats} {slowm:.2f} s; "
                             f"CPU {cm - c:.2f} s more than the default analysis; "
                             f"load {load:.1f}-{os.getloadavg()[0]:.1f}",
                       met=(wm < 3 and rssm < 1024) if target else None)
                growth.setdefault((dist, " with methods"), []).append(
                    (n, wm, cm, cmd[5:] + ["--add-method", methods]))
            if other and n <= 1_000_000:
                load = os.getloadavg()[0]
                extra = ["--add-method", other, "--strata", "age_group"]
                wo, co, rsso, slowo = run_child(cmd + extra, 1)
                record(f"{dist} {size}: the same with {' '.join(extra)}", "(info)", wo, co,
                       extra=f"peak RSS {rsso:.0f} MB; one run; CPU {co - c:.2f} s more than "
                             f"the default analysis; load {load:.1f}-{os.getloadavg()[0]:.1f}")
                growth.setdefault((dist, f" with {other}"), []).append(
                    (n, wo, co, cmd[5:] + extra))
            if checks and n <= 1_000_000:  # the integrity checks ("How sure can we be?")
                load = os.getloadavg()[0]
                prefix = datasets.DISTRIBUTIONS[dist][1]
                names = ",".join(f"{prefix}_{i}" for i in range(outcomes or 10))
                wi, ci, rssi, _ = run_child([PY, "-m", "fd_stats", "integrity", str(path),
                                             "--strata", "age_group", "--outcome", names], 1)
                record(f"{dist} {size}: python -m fd_stats integrity FILE --strata age_group",
                       "(info)", wi, ci, extra=f"peak RSS {rssi:.0f} MB; one run; load "
                                               f"{load:.1f}-{os.getloadavg()[0]:.1f}")
    # growth of the work beyond the command's fixed cost, on CPU time: steadier than wall
    # time on a shared machine; x10 per x10 people is linear
    for (dist, what), points in growth.items():
        if len(points) > 1:
            start = fixed_cost(folder, dist, points[0][3], repeats)
            steps = ", ".join(
                f"from {a[0]:,} to {b[0]:,} people: wall x{b[1] / a[1]:.1f}, CPU beyond "
                f"the fixed cost ({start:.2f} s) {max(a[2] - start, 0):.2f} -> "
                f"{max(b[2] - start, 0):.2f} s (x{max(b[2] - start, 1e-3) / max(a[2] - start, 1e-3):.1f})"
                for a, b in zip(points, points[1:]))
            print(f"  growth, {dist}{what}: {steps}", flush=True)
            GROWTH.append(f"{dist}{what}: {steps}")


def fixed_cost(folder: Path, dist: str, args: list, repeats: int) -> float:
    """Median CPU seconds of the command on 1,000 people of the same shape: what does not grow
    with people (interpreter, imports, set-up, output, exit), measured the way the command
    runs, so the growth beyond it is the work on the people."""
    path = write_people_in_child(folder, 1_000, dist)
    return run_child([PY, "-m", "fd_stats", "analyse", str(path), *args], repeats)[1]


GROWTH: list[str] = []


def bench_resampling(folder: Path, dists, sizes=("10k", "30k", "100k")):
    """The permutation test (10,000 re-randomisations) and the bootstrap interval (2,000
    resamples) as extra columns: work proportional to people x resamples (one run each),
    for the growth with size. 100k: harm and money took 2-3 minutes before session 4b's
    random sorts (issue 16), ~15 s after; whole-number outcomes ~2 s (drawn as counts)."""
    also = ["--subgroup", "age_group", "--also", "mann-whitney,permutation,bootstrap"]
    for dist in dists:
        start = fixed_cost(folder, dist, also, 3)
        points = []
        for size in sizes:
            n = SIZES[size]
            path = write_people_in_child(folder, n, dist)
            cmd = [PY, "-m", "fd_stats", "analyse", str(path), *also]
            if not points:
                run_child(cmd, 1)  # warm the file cache and the bytecode of the methods
            load = os.getloadavg()[0]
            w, c, rss, _ = run_child(cmd, 1)
            record(f"{dist} {size}: --also mann-whitney,permutation,bootstrap", "(info)", w, c,
                   extra=f"peak RSS {rss:.0f} MB; one run; load {load:.1f}-"
                         f"{os.getloadavg()[0]:.1f}")
            points.append((n, w, c))
        steps = ", ".join(f"from {a[0]:,} to {b[0]:,} people: CPU beyond the fixed cost "
                          f"({start:.2f} s) {a[2] - start:.2f} -> {b[2] - start:.2f} s "
                          f"(x{(b[2] - start) / max(a[2] - start, 1e-3):.1f})"
                          for a, b in zip(points, points[1:]))
        print(f"  growth, {dist} with permutation and bootstrap: {steps}", flush=True)
        GROWTH.append(f"{dist} with permutation and bootstrap: {steps}")


# ------------------------------------------------------------------ 3. crimes aggregation

def bench_aggregate(repeats, n_rows=10_000_000, n_people=500_000):
    print(f"3. {n_rows:,} crime rows -> person-level outcomes ({n_people:,} people)", flush=True)
    try:
        from fd_stats.data.aggregate import aggregate
    except ImportError as exc:
        print(f"  skipped: fd_stats.data.aggregate not available ({exc})")
        return
    crimes, people, harm = datasets.crimes_inputs(n_rows, n_people)
    first, _, _ = timed(lambda: aggregate(crimes, people, harm), 1)  # what one upload costs
    w, c, res = timed(lambda: aggregate(crimes, people, harm), repeats)
    record(f"{n_rows // 1_000_000}M crime rows aggregated, fd_stats.data.aggregate.aggregate (in process)",
           "< 5 s", w, c, extra=f"{res.summary['crimes_counted']:,} crimes counted; first call "
           f"in the process {first:.2f} s", met=w < 5 and first < 5)


# ------------------------------------------------------------------ 4. the app

APPTEST_SCRIPT = """
import statistics, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[2], default_timeout=120).run()
assert not at.exception, at.exception
at.run()
times = []
for i in range(int(sys.argv[1])):
    value = 0.1 if i % 2 == 0 else 0.05
    t0 = time.perf_counter()
    at.sidebar.select_slider(key="w_alpha").set_value(value).run()
    times.append(time.perf_counter() - t0)
    assert not at.exception, at.exception
print(statistics.median(times))
"""

BROWSER_SCRIPT = """
import subprocess, sys, time
from playwright.sync_api import sync_playwright
port = sys.argv[1]
args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
with sync_playwright() as p:
    # a new browser each time: a first-ever visit, nothing in the browser's cache
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    t0 = time.perf_counter()
    # what `make run` runs
    server = subprocess.Popen([sys.executable, "-m", "dashboard.serve", "--server.port", port,
                               "--server.headless", "true"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                page.goto(f"http://localhost:{port}", timeout=2000)
                break
            except Exception:
                if time.perf_counter() - t0 > 60:
                    raise
                time.sleep(0.05)
        # the first screen at 1280x720: title, the three headline results' cards, the
        # sidebar's settings, and no "running" indicator (the page's script has finished)
        page.wait_for_selector("h1", timeout=60000)
        page.locator("h4").nth(2).wait_for(timeout=60000)
        page.wait_for_selector("[data-testid=stSidebar] [data-testid=stSelectbox]", timeout=60000)
        page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=60000)
        first = time.perf_counter() - t0
        # the rest of the page: the forest plot further down, drawn
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60000)
        print(first, time.perf_counter() - t0)
    finally:
        server.terminate()
        server.wait(timeout=20)
        browser.close()
"""


def bench_app(repeats, folder: Path):
    print("4. App on the bundled trial", flush=True)
    script = folder / "apptest_alpha.py"
    script.write_text(textwrap.dedent(APPTEST_SCRIPT))
    out = subprocess.run([PY, str(script), str(max(repeats, 5)), str(ROOT / "app.py")], cwd=ROOT,
                         capture_output=True,
                         text=True, timeout=600)
    if out.returncode:
        print("  alpha re-render failed:", out.stderr.strip()[-800:])
    else:
        t = float(out.stdout.strip().splitlines()[-1])
        record("App: change alpha on the Overview, server-side re-run (AppTest, warm)",
               "< 0.3 s", t, met=t < 0.3)
    if not Path("/usr/bin/chromium").exists():
        print("  browser timing skipped: /usr/bin/chromium not found")
        return
    script = folder / "browser_first_page.py"
    script.write_text(textwrap.dedent(BROWSER_SCRIPT))
    firsts, pages = [], []
    for _ in range(max(3, repeats)):
        out = subprocess.run([PY, str(script), "8614"], cwd=ROOT, capture_output=True,
                             text=True, timeout=300)
        if out.returncode:
            print("  browser timing failed:", out.stderr.strip()[-800:])
            return
        first, whole = map(float, out.stdout.strip().splitlines()[-1].split())
        firsts.append(first)
        pages.append(whole)
    t, w = statistics.median(firsts), statistics.median(pages)
    record("App: server start (make run) to the Overview's first screen drawn in Chromium",
           "< 5 s", t, extra=f"slowest of {len(firsts)} runs {max(firsts):.2f} s", met=t < 5)
    record("App: server start (make run) to the whole Overview drawn (forest plot below the "
           "first screen included)", "(info)", w,
           extra=f"slowest of {len(pages)} runs {max(pages):.2f} s")


# ------------------------------------------------------------------ report

def markdown_table() -> str:
    lines = ["| Measurement | Target | Median wall (s) | Median CPU (s) | Baseline wall (s) | "
             "Speed-up | Notes | Met |", "|---|---|---|---|---|---|---|---|"]
    for r in ROWS:
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append("| {name} | {target} | {wall:.3f} | {cpu} | {bw} | {ratio} | {extra} | {met} |"
                     .format(name=r["name"].strip(), target=r["target"], wall=r["wall"],
                             cpu="" if r["cpu"] is None else f"{r['cpu']:.3f}",
                             bw="" if r["baseline_wall"] is None else f"{r['baseline_wall']:.3f}",
                             ratio="" if r["ratio"] is None else f"{r['ratio']:.1f}x",
                             extra=r["extra"], met=met))
    return "\n".join(lines)


def machine() -> str:
    import platform

    import numpy
    import pandas
    import scipy

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    mem = next((int(l.split()[1]) / 1024**2 for l in open("/proc/meminfo")
                if l.startswith("MemTotal")), float("nan"))
    load = os.getloadavg()
    return (f"{cpu}, {os.cpu_count()} CPUs, {mem:.0f} GB RAM; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, scipy {scipy.__version__}, pandas {pandas.__version__}; "
            f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
            f"(1 / 5 / 15 minutes; the machine is shared, so wall times carry others' load)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5, help="runs per measurement (median)")
    ap.add_argument("--only", default="trial,cli,dist,aggregate,app",
                    help="comma-separated sections: trial, cli, dist, resampling, aggregate, "
                         "app (resampling: permutation and bootstrap at 10k and 30k people, "
                         "minutes; not in the default)")
    ap.add_argument("--dist", default=",".join(datasets.DISTRIBUTIONS),
                    help="outcome shapes for 'dist': " + ", ".join(datasets.DISTRIBUTIONS))
    ap.add_argument("--sizes", default="100k,1M",
                    help="people for 'dist': 100k, 1M, 10M (10M is opt-in: minutes, GBs)")
    ap.add_argument("--outcomes", type=int, default=0,
                    help="analyse only the first N outcomes in 'dist' (10M people x 10 "
                         "outcomes is more than the reader's 50M cells; 3 fit)")
    ap.add_argument("--no-naive", action="store_true",
                    help="skip the naive pandas + scipy script in 'dist' (no ratios)")
    ap.add_argument("--methods", default="poisson,negative-binomial,prevalence",
                    help="registry methods added (--add-method) in a second 'dist' command "
                         "per shape and size; 'none' to skip")
    ap.add_argument("--no-checks", action="store_true",
                    help="skip the integrity checks command in 'dist' (one run per shape)")
    ap.add_argument("--other-methods", default=OTHER_METHODS,
                    help="registry methods added with --strata age_group in a third 'dist' "
                         "command per shape, up to 1M people; 'none' to skip")
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",")}
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp:
        folder = Path(tmp)
        if "trial" in only:
            bench_trial(args.repeats)
        if "cli" in only:
            bench_cli(args.repeats, folder)
        if "dist" in only:
            bench_distributions(args.repeats, folder, [d.strip() for d in args.dist.split(",")],
                                [z.strip() for z in args.sizes.split(",")],
                                naive=not args.no_naive,
                                methods="" if args.methods == "none" else args.methods,
                                other="" if args.other_methods == "none" else args.other_methods,
                                outcomes=args.outcomes, checks=not args.no_checks)
        if "resampling" in only:
            bench_resampling(folder, [d.strip() for d in args.dist.split(",")])
        if "aggregate" in only:
            bench_aggregate(max(1, min(args.repeats, 3)))
        if "app" in only:
            bench_app(args.repeats, folder)
    print()
    print(markdown_table())
    for line in GROWTH:
        print("Growth with size,", line)
    print()
    print("Machine:", machine())
    return 0 if all(r["met"] is not False for r in ROWS) else 1


if __name__ == "__main__":
    sys.exit(main())
