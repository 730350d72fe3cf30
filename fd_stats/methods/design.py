"""Covariates for adjusted analyses: numbers, dummies, mean-filled missing values.

Used by the count models and Lin's estimator (fd_stats.methods.models). The rule for
missing covariate values is the standard one for randomised trials (White &
Thompson 2005, Stat Med 24:993; Kayembe et al. 2022): fill with the mean of the
observed values and add a 0/1 indicator of "was missing", so nobody is
dropped and the estimate stays unbiased because the covariates were measured
before randomisation.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Design:
    """Adjustment columns for one outcome on one set of people.

    ``matrix`` is (people, k) float with no missing values (k may be 0);
    ``names`` the k column names; ``notes`` plain sentences on what was done
    (missing values filled, constant columns left out); ``continuous`` is
    True when some column takes many distinct values (then fitting on value
    counts would not save work); ``problem`` is a reason the adjustment
    cannot be made, or "".
    """

    matrix: np.ndarray
    names: list[str]
    notes: list[str] = field(default_factory=list)
    continuous: bool = False
    problem: str = ""
    described: str = ""

    @property
    def k(self) -> int:
        return self.matrix.shape[1]


def build_design(n: int, covariates: pd.DataFrame | None = None,
                 baseline: np.ndarray | None = None, baseline_name: str = "baseline",
                 strata: np.ndarray | None = None, log_baseline: bool = False) -> Design:
    """Adjustment columns from covariates, a baseline and strata.

    Parameters
    ----------
    n : int
        Number of people (rows).
    covariates : DataFrame, optional
        One column per covariate, ``n`` rows. Numeric columns enter as they
        are; text columns as 0/1 dummies (first level left out).
    baseline : array (n,), optional
        The outcome's pre-randomisation value. ``log_baseline`` enters it as
        log(1 + b) (count models); negative baselines then make the design
        unusable (``problem`` says so).
    strata : array (n,), optional
        Randomisation strata, entered as dummies (the analysis follows the design).

    Missing values: mean of the observed values plus a missing indicator,
    counted in ``notes``. Constant columns are left out with a note.
    """
    cols: list[tuple[str, np.ndarray]] = []
    notes: list[str] = []
    problem = ""
    parts: list[str] = []
    if baseline is not None:
        b = np.asarray(baseline, float)
        if log_baseline:
            if np.nanmin(b, initial=0.0) < 0:
                problem = (f"the baseline {baseline_name!r} has negative values, so "
                           "log(1 + baseline) cannot be taken")
            with np.errstate(invalid="ignore"):
                b = np.log1p(np.where(b < 0, np.nan, b))
            cols.append((f"log(1 + {baseline_name})", b))
            parts.append(f"log(1 + {baseline_name})")
        else:
            cols.append((baseline_name, b))
            parts.append(baseline_name)
    if covariates is not None:
        for name in covariates.columns:
            s = covariates[name]
            if pd.api.types.is_bool_dtype(s):
                s = s.astype(float)
            if pd.api.types.is_numeric_dtype(s):
                cols.append((str(name), s.to_numpy(dtype=float, na_value=np.nan)))
            else:
                cols += _dummies(s, str(name), notes)
            parts.append(str(name))
    if strata is not None:
        cols += _dummies(pd.Series(strata), "stratum", notes)
        parts.append("strata")
    names, out = [], []
    continuous = False
    for name, v in cols:
        miss = np.isnan(v)
        if miss.all():
            notes.append(f"{name}: no values, left out.")
            continue
        if miss.any():
            v = np.where(miss, np.nanmean(v), v)
            notes.append(f"{name}: {int(miss.sum())} missing value(s) filled with the mean, "
                         "with a missing-value indicator.")
        if np.ptp(v) == 0:
            notes.append(f"{name} is the same for everyone here, so it cannot adjust anything: "
                         "left out.")
        else:
            names.append(name)
            out.append(v)
            continuous = continuous or len(np.unique(v[:5000])) > 50
        if miss.any() and not miss.all():
            names.append(f"{name} missing")
            out.append(miss.astype(float))
    matrix = np.column_stack(out) if out else np.empty((n, 0))
    return Design(matrix, names, notes, continuous, problem, ", ".join(parts))


def _dummies(s: pd.Series, name: str, notes: list[str]):
    codes, uniques = pd.factorize(s, sort=True)
    if (codes < 0).any():
        notes.append(f"{name}: {int((codes < 0).sum())} missing value(s) form their own level.")
        codes = np.where(codes < 0, len(uniques), codes)
        uniques = list(uniques) + ["(missing)"]
    return [(f"{name}={uniques[j]}", (codes == j).astype(float)) for j in range(1, len(uniques))]
