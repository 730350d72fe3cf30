"""Engagement: how many treated people took part, and the effect among those who did."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import as_sample, check_alternative, check_level, z_quantile_pair
from ..errors import DataError
from ..methods.result import NOT_ESTIMABLE

__all__ = ["EngagementRate", "engagement_rate", "ComplierEffect", "complier_average_effect",
           "parse_flags", "engagement_flags"]


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
    from ..methods.binary import wilson_interval  # scipy.stats: imported only when needed (CLI start-up)

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
    method: str = ("ITT: Welch t interval; CACE = ITT / engagement share, delta-method normal "
                   "interval including the covariance of the two")
    note: str = ""


def complier_average_effect(treatment, control, engaged, *, alternative="two-sided",
                            confidence_level=0.95) -> ComplierEffect:
    """ITT difference in means and the CACE with intervals.

    Parameters
    ----------
    treatment, control : array_like
        Outcome per person in each arm (NaN dropped).
    engaged : array_like of bool
        Engagement flag for each treated person, aligned with ``treatment``; missing
        flags (None/NaN) count in the ITT but not in the engagement share.

    Notes
    -----
    The ITT interval is the Welch t interval (as on the Outcomes page). The CACE
    interval is a delta-method normal interval with
    Var(CACE) = [Var(ITT) - 2 CACE Cov(mean outcome, share) + CACE^2 Var(share)] / share^2,
    where the covariance is estimated from the treated people (both means use them).
    """
    from ..methods.ttest import welch_t

    check_alternative(alternative)
    check_level(confidence_level, "confidence_level")
    t_raw = np.asarray(treatment, dtype=float)
    e_raw = np.asarray(engaged, dtype=object)
    if len(e_raw) != len(t_raw):
        raise DataError("The engagement flags must line up with the treatment arm's outcomes.")
    has_outcome = ~np.isnan(t_raw)
    known = has_outcome & np.array([v is not None and v == v for v in e_raw], dtype=bool)
    x = as_sample(t_raw[has_outcome], "treatment")
    y = as_sample(control, "control")
    nan = NOT_ESTIMABLE
    if len(x) < 2 or len(y) < 2:
        return ComplierEffect(nan, nan, nan, nan, nan, nan, nan, alternative, confidence_level,
                              note="Not estimable: each arm needs at least 2 people.")
    itt_test = welch_t(x, y, alternative=alternative, confidence_level=confidence_level)
    itt, itt_lo, itt_hi = itt_test.estimate, itt_test.ci_low, itt_test.ci_high
    var_itt = x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y)
    unknown = int(has_outcome.sum() - known.sum())
    note = (f"{unknown} treated {'person has' if unknown == 1 else 'people have'} no engagement "
            "record: counted in the ITT effect, not in the engagement share. ") if unknown else ""
    e = np.array([bool(v) for v in e_raw[known]], dtype=float)
    if len(e) == 0 or e.mean() == 0:
        return ComplierEffect(itt, itt_lo, itt_hi, float(e.mean()) if len(e) else nan, nan, nan,
                              nan, alternative, confidence_level,
                              note=note + "Not estimable: nobody in the treatment arm engaged.")
    c = e.mean()
    cace = itt / c
    var_c = c * (1 - c) / len(e)
    cov = np.cov(t_raw[known], e, ddof=1)[0, 1] / len(x) if len(e) > 1 else 0.0
    var_cace = max((var_itt - 2 * cace * cov + cace**2 * var_c) / c**2, 0.0)
    lo_q, hi_q = z_quantile_pair(confidence_level, alternative)
    se = np.sqrt(var_cace)
    return ComplierEffect(float(itt), float(itt_lo), float(itt_hi), float(c), float(cace),
                          float(cace + lo_q * se) if np.isfinite(lo_q) else -np.inf,
                          float(cace + hi_q * se) if np.isfinite(hi_q) else np.inf,
                          alternative, confidence_level, note=note.strip())


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
    from ..data.io import rows_text

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
