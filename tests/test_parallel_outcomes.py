"""Large samples: outcomes analysed on several threads give exactly the rows of one thread.

``fd_stats.analysis`` hands each outcome's rows to a thread pool from ``PARALLEL_PEOPLE``
people (numpy sorts and counts without the interpreter lock). Nothing a row computes may
depend on which thread ran it or in what order: the same frame, bit for bit, in the same
order.
"""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from fd_stats import analysis
from fd_stats.analysis import Mapping, Settings, analyse


def trial(n: int = 60_000, seed: int = 7) -> pd.DataFrame:
    """Synthetic: every kind of outcome the split treats differently."""
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 0.5, "treatment", "control")
    money = np.round(rng.lognormal(6, 1.2, n), 2)
    money[rng.random(n) < 0.03] = np.nan                   # missing values: compressed copies
    harm = np.round(rng.lognormal(2, 1.3, n), 2)
    harm[rng.random(n) < 0.7] = 0.0                        # a point mass at 0
    age = rng.choice(np.array(["11-17", "18-25", "26+"], object), n, p=[0.45, 0.35, 0.2])
    age[rng.random(n) < 0.01] = None                       # in "All" only
    return pd.DataFrame({
        "arm": arm, "age": age, "money": money, "harm": harm,
        "crimes": rng.poisson(rng.gamma(0.5, 2.0, n)),       # counted from value counts
        "big_counts": rng.integers(0, 200_000, n),           # whole numbers, too many to count
        "score": rng.normal(40, 9, n),                       # no grid: floats as they are
        "yes_no": (rng.random(n) < 0.3).astype(int),
    })


@pytest.mark.parametrize("settings", [
    Settings(extra_tests=("mann-whitney",)),                 # the command line's default
    Settings(test="mann-whitney", alternative="less"),
    Settings(test="student", confidence_level=0.9),
], ids=["welch+mw", "mw-primary", "student"])
def test_threads_give_the_rows_of_one_thread(monkeypatch, settings):
    data = trial()
    mapping = Mapping(subgroup="age")
    assert len(data) >= analysis.PARALLEL_PEOPLE

    threads = set()
    row = analysis._row

    def recording_row(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return row(*args, **kwargs)

    monkeypatch.setattr(analysis, "_row", recording_row)
    parallel = analyse(data, mapping, settings)
    assert any(name.startswith("fd_stats") for name in threads), threads  # the pool ran rows

    threads.clear()
    monkeypatch.setattr(analysis, "PARALLEL_PEOPLE", len(data) + 1)
    serial = analyse(data, mapping, settings)
    assert threads == {threading.current_thread().name}

    pd.testing.assert_frame_equal(parallel, serial, check_exact=True)
    assert parallel.attrs == serial.attrs
    # level by level, outcomes in the mapping's order within each level
    outcomes = ["money", "harm", "crimes", "big_counts", "score", "yes_no"]
    assert list(parallel["outcome"]) == outcomes * 4
    assert list(parallel["subgroup"]) == [s for s in ("All", "11-17", "18-25", "26+")
                                          for _ in outcomes]


def test_an_error_in_a_thread_reaches_the_caller(monkeypatch):
    def failing(*args, **kwargs):
        raise MemoryError("out of memory in a worker")

    monkeypatch.setattr(analysis, "_row", failing)
    with pytest.raises(MemoryError, match="in a worker"):
        analyse(trial(), Mapping(subgroup="age"))
