r"""Adjusting p-values for many metrics, segments or arms.

Bonferroni and Holm (1979) control the family-wise error rate; Benjamini and
Hochberg (1995) the false discovery rate. Same results as statsmodels'
``multipletests(method='bonferroni' | 'holm' | 'fdr_bh')``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import frozen_float
from cxmetrics._core.validation import _describe, check_option, numeric_1d
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.typing import PValueAdjustment

__all__ = ["ADJUSTMENTS", "adjust_pvalues"]

ADJUSTMENTS: tuple[str, ...] = get_args(PValueAdjustment)


def _pvalues(pvalues: object) -> NDArray[np.float64]:
    if isinstance(pvalues, Iterable) and not isinstance(pvalues, np.ndarray | str):
        items = list(pvalues)
        if items and all(hasattr(r, "pvalue") for r in items):
            parts = [
                np.atleast_1d(np.asarray(r.pvalue, dtype=np.float64)) for r in items
            ]
            return np.concatenate(parts)
        pvalues = items
    arr = numeric_1d(cast("ArrayLike", pvalues), "pvalues")  # text: a clear error
    return arr.astype(np.float64)


def adjust_pvalues(
    pvalues: ArrayLike | Iterable[Any], *, method: PValueAdjustment = "holm"
) -> NDArray[np.float64]:
    r"""Adjust a family of p-values for multiple comparisons.

    Parameters
    ----------
    pvalues : array_like of float, or results
        P-values in [0, 1], or results with a ``pvalue`` (e.g. several
        :class:`ExperimentResult` objects: their arms are concatenated in order).
    method : {'holm', 'bonferroni', 'benjamini_hochberg', 'none'}, default 'holm'
        Holm's step-down (family-wise error), Bonferroni, Benjamini-Hochberg's
        step-up (false discovery rate), or none (the p-values, checked).

    Returns
    -------
    ndarray of float64
        Adjusted p-values (read-only), in the input order. Reject at level
        :math:`\alpha` where the adjusted p-value is at most :math:`\alpha`.

    Notes
    -----
    With the :math:`m` p-values sorted, :math:`p_{(1)} \le \dots \le p_{(m)}`:
    Holm :math:`\tilde p_{(i)} = \max_{j \le i} \min(1, (m - j + 1) p_{(j)})`;
    Benjamini-Hochberg :math:`\tilde p_{(i)} = \min_{j \ge i} \min(1, m p_{(j)}/j)`.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.adjust_pvalues([0.01, 0.04, 0.03, 0.005]).tolist()
    [0.03, 0.06, 0.06, 0.02]
    >>> cx.adjust_pvalues([0.01, 0.04, 0.03, 0.005], method="benjamini_hochberg").tolist()
    [0.02, 0.04, 0.04, 0.02]
    """
    check_option("method", method, PValueAdjustment)
    p = _pvalues(pvalues)
    with np.errstate(invalid="ignore"):
        bad = np.isnan(p) | (p < 0) | (p > 1)
    if bad.any():
        i = int(np.argmax(bad))
        msg = f"`pvalues` must lie in [0, 1]; got {_describe(p[i])} at index {i}."
        raise InvalidInputError(msg)
    m = p.shape[0]
    if m == 0 or method == "none":
        return frozen_float(p)
    if method == "bonferroni":
        return frozen_float(np.minimum(1.0, p * m))
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    rank = np.arange(1, m + 1, dtype=np.float64)
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - rank + 1.0) * ranked))
    else:
        adj = np.minimum.accumulate((m * ranked / rank)[::-1])[::-1]
        adj = np.minimum(1.0, adj)
    out = np.empty(m)
    out[order] = adj
    return frozen_float(out)
