"""Argument checks shared by the statistical functions."""
from __future__ import annotations

import numpy as np

from .errors import DataError

ALTERNATIVES = ("two-sided", "less", "greater")
# Beyond this, sums of squares overflow double precision; no real outcome is this large.
MAX_MAGNITUDE = 1e100


def check_alternative(alternative: str) -> str:
    if alternative not in ALTERNATIVES:
        raise DataError(
            f"alternative must be one of {', '.join(ALTERNATIVES)}; got {alternative!r}."
        )
    return alternative


def check_level(value: float, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be a number between 0 and 1; got {value!r}.") from None
    if not 0 < value < 1:
        raise DataError(f"{name} must be between 0 and 1 (exclusive); got {value}.")
    return value


def as_sample(values, name: str) -> np.ndarray:
    """A 1-d float array with missing values dropped; infinities are an error."""
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise DataError(f"The {name} values are not all numbers.") from None
    # False for NaN or inf (checked below); max and min, not abs: no copy of the values
    if len(arr) and arr.max() <= MAX_MAGNITUDE and arr.min() >= -MAX_MAGNITUDE:
        return arr  # the usual case
    arr = arr[~np.isnan(arr)]
    if np.isinf(arr).any():
        raise DataError(
            f"The {name} values include an infinite value; remove or correct it before testing."
        )
    if len(arr) and np.abs(arr).max() > MAX_MAGNITUDE:
        raise DataError(
            f"The {name} values include {arr[np.argmax(np.abs(arr))]:.3g}, too large to be a "
            f"count or harm score (limit {MAX_MAGNITUDE:.0e}); correct it before testing."
        )
    return arr


def z_quantile_pair(confidence_level: float, alternative: str):
    """Normal quantiles (lower, upper) used for a Wald-type interval with the given sidedness."""
    from scipy.stats import norm

    if alternative == "two-sided":
        q = norm.ppf(1 - (1 - confidence_level) / 2)
        return -q, q
    q = norm.ppf(confidence_level)
    return (-np.inf, q) if alternative == "less" else (-q, np.inf)
