"""Engagement: how many treated people took part, and the effect among those who did."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import as_sample, check_alternative, check_level, z_quantile_pair
from .binary import wilson_interval
from .errors import DataError
from .twosample import NOT_ESTIMABLE

__all__ = ["EngagementRate", "engagement_rate", "ComplierEffect", "complier_average_effect",
           "wilson_interval"]


@dataclass(frozen=True)
class EngagementRate:
    engaged: int
    n: int
    rate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    method: str = "Wilson score interval"


def engagement_rate(engaged, n, confidence_level=0.95) -> EngagementRate:
    """Share engaged with a Wilson interval (R ``prop.test(engaged, n, correct=FALSE)``)."""
    lo, hi = wilson_interval(engaged, n, confidence_level)
    return EngagementRate(int(engaged), int(n), engaged / n, lo, hi, confidence_level)


@dataclass(frozen=True)
class ComplierEffect:
    """Intention-to-treat effect and the complier average causal effect (CACE).

    The CACE is the ITT difference in means divided by the share of the
    treatment arm who engaged (no control-arm person can receive the
    programme). It assumes that being offered the programme changes nothing
    for people who would not engage (exclusion restriction) and that
    randomisation balanced would-be engagers across arms. Its interval is a
    delta-method normal interval that carries the uncertainty of both the
    ITT effect and the engagement share.
    """

    itt: float
    itt_ci_low: float
    itt_ci_high: float
    engagement_share: float
    cace: float
    cace_ci_low: float
    cace_ci_high: float
    alternative: str
    confidence_level: float
    method: str = "ITT / engagement share; delta-method normal interval"
    note: str = ""


def complier_average_effect(treatment, control, engaged, *, alternative="two-sided",
                            confidence_level=0.95) -> ComplierEffect:
    """ITT difference in means and the CACE with intervals.

    Parameters
    ----------
    treatment, control : array_like
        Outcome per person in each arm (NaN dropped, with the matching engagement flag).
    engaged : array_like of bool
        Engagement flag for each treated person, aligned with ``treatment``.
    """
    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    t_raw = np.asarray(treatment, dtype=float)
    e = np.asarray(engaged, dtype=object)
    if len(e) != len(t_raw):
        raise DataError("The engagement flags must line up with the treatment arm's outcomes.")
    keep = ~np.isnan(t_raw) & np.array([v is not None and v == v for v in e], dtype=bool)
    x = as_sample(t_raw[keep], "treatment")
    e = np.array([bool(v) for v in e[keep]])
    y = as_sample(control, "control")
    lo_q, hi_q = z_quantile_pair(confidence_level, alternative)
    if len(x) < 2 or len(y) < 2:
        nan = NOT_ESTIMABLE
        return ComplierEffect(nan, nan, nan, nan, nan, nan, nan, alternative, confidence_level,
                              note="Not estimable: each arm needs at least 2 people.")
    itt = x.mean() - y.mean()
    se_itt = np.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
    c = e.mean()
    if c == 0:
        return ComplierEffect(itt, itt + lo_q * se_itt, itt + hi_q * se_itt, 0.0, NOT_ESTIMABLE,
                              NOT_ESTIMABLE, NOT_ESTIMABLE, alternative, confidence_level,
                              note="Not estimable: nobody in the treatment arm engaged.")
    cace = itt / c
    se_c = np.sqrt(c * (1 - c) / len(x))
    se_cace = np.sqrt(se_itt**2 / c**2 + itt**2 * se_c**2 / c**4)
    return ComplierEffect(float(itt), float(itt + lo_q * se_itt), float(itt + hi_q * se_itt),
                          float(c), float(cace), float(cace + lo_q * se_cace),
                          float(cace + hi_q * se_cace), alternative, confidence_level)


TRUE_WORDS = {"true", "t", "yes", "y", "1", "engaged"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "not engaged"}
MISSING_WORDS = {"", "na", "n/a", "nan", "none", "null", "-", "."}


def parse_flags(values, name: str = "engagement") -> np.ndarray:
    """Read a yes/no column as an object array of True, False or None (missing).

    The one reader of yes/no columns (engagement, police-initiated flags).
    Accepts booleans, 1/0 and the words true/false, yes/no, y/n, engaged/not
    engaged (any case); empty and "NA"-like cells are missing. Anything else
    raises :class:`DataError` naming the column and rows.
    """
    from .io import rows_text

    out, bad = [], []
    for i, v in enumerate(list(values)):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            out.append(None)
        elif isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
        elif isinstance(v, (int, float, np.integer, np.floating)) and float(v) in (0.0, 1.0):
            out.append(bool(v))
        else:
            word = str(v).strip().casefold()
            if word in TRUE_WORDS:
                out.append(True)
            elif word in FALSE_WORDS:
                out.append(False)
            else:
                out.append(None)
                if word not in MISSING_WORDS:
                    bad.append(i)
    if bad:
        raise DataError(f"Column {name!r} should hold yes/no values but rows {rows_text(bad)} "
                        "hold something else. Use true/false, yes/no or 1/0, or leave the cell "
                        "empty when it is not known.")
    return np.array(out, dtype=object)


def engagement_flags(values, column: str = "engaged"):
    """:func:`parse_flags` as a pandas nullable-boolean Series (index kept)."""
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(parse_flags(values, column), index=index).astype("boolean")
