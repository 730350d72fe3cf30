"""Adjusting p-values for several outcomes tested at once."""
from __future__ import annotations

import numpy as np

from ..errors import DataError

CORRECTIONS = {
    "none": "no correction",
    "bonferroni": "Bonferroni",
    "holm": "Holm",
    "fdr_bh": "Benjamini-Hochberg (false discovery rate)",
}


def adjust_pvalues(p_values, method="holm"):
    """Adjusted p-values, identical to R ``p.adjust``.

    Parameters
    ----------
    p_values : array_like
        Raw p-values; NaN entries stay NaN and do not count towards the
        number of tests (as R does with ``NA``).
    method : {'none', 'bonferroni', 'holm', 'fdr_bh'}

    Returns
    -------
    numpy.ndarray
    """
    if method not in CORRECTIONS:
        raise DataError(f"correction must be one of {', '.join(CORRECTIONS)}; got {method!r}.")
    p = np.asarray(p_values, dtype=float).copy()
    ok = ~np.isnan(p)
    q = p[ok]
    n = len(q)
    if method == "none" or n == 0:
        return p
    if method == "bonferroni":
        adj = np.minimum(1.0, n * q)
    elif method == "holm":
        order = np.argsort(q, kind="stable")
        steps = (n - np.arange(n)) * q[order]
        adj = np.empty(n)
        adj[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    else:
        order = np.argsort(q, kind="stable")[::-1]
        steps = n / np.arange(n, 0, -1) * q[order]
        adj = np.empty(n)
        adj[order] = np.minimum(1.0, np.minimum.accumulate(steps))
    p[ok] = adj
    return p
