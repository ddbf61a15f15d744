r"""Experiment sums from a per-arm summary table (n, mean, standard deviation).

Warehouses and BI tools often export an experiment already aggregated: one row per
arm with the unit count, the KPI's mean and its standard deviation (ddof 1), or
the share for a 0/1 KPI. These are the sums of :class:`ExperimentState` in
another form: :math:`\sum y = n\bar y`, :math:`\sum y^2 = (n-1)s^2 + n\bar y^2`
(for a 0/1 KPI, :math:`\sum y^2 = \sum y`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cxmetrics._core.validation import (
    _describe,
    _first,
    as_1d,
    check_option,
    numeric_1d,
)
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.typing import ExperimentSummaryKind

__all__ = ["summary_sums"]


def _column(
    values: ArrayLike, name: str, g: int
) -> np.ndarray[Any, np.dtype[np.float64]]:
    arr = numeric_1d(values, name).astype(np.float64)
    if arr.shape[0] != g:
        msg = f"`{name}` must have one value per arm ({g}); got {arr.shape[0]}."
        raise InvalidInputError(msg)
    bad = ~np.isfinite(arr)
    if bad.any():
        i, count = _first(bad)
        msg = f"`{name}` must be finite; got {_describe(arr[i])} at index {i} ({count} such value(s))."
        raise InvalidInputError(msg)
    return arr


def summary_sums(
    arm: ArrayLike,
    n: ArrayLike,
    mean: ArrayLike,
    std: ArrayLike | None,
    kind: str,
) -> dict[str, Any]:
    """Constructor fields of an ExperimentState from one summary row per arm."""
    check_option("kind", kind, ExperimentSummaryKind)
    keys = as_1d(arm, "arm")
    g = keys.shape[0]
    try:
        distinct = np.unique(keys).shape[0]
    except TypeError:  # None among labels, or text mixed with numbers
        msg = f"`arm` must hold labels of one kind (text or numbers), no None; got {keys.tolist()!r:.80}."
        raise InvalidInputTypeError(msg) from None
    if distinct != g:
        msg = f"`arm` must name each arm once; got {keys.tolist()!r}."
        raise InvalidInputError(msg)
    count = _column(n, "n", g)
    bad = (count < 0) | (count != np.floor(count))
    if bad.any():
        i, _ = _first(bad)
        msg = f"`n` must be whole numbers of units >= 0; got {_describe(count[i])} at index {i}."
        raise InvalidInputError(msg)
    m = _column(mean, "mean", g)
    if kind == "proportion":
        if std is not None:
            msg = "`std` is not used with kind='proportion': a share's variance is p(1 - p)."
            raise InvalidInputError(msg)
        bad = (m < 0) | (m > 1)
        if bad.any():
            i, _ = _first(bad)
            msg = f"`mean` must be shares in [0, 1] for kind='proportion'; got {_describe(m[i])} at index {i}."
            raise InvalidInputError(msg)
        sums = count * m
        products = sums.copy()
    else:
        if std is None:
            msg = "kind='mean' needs `std`, the standard deviation per arm (ddof 1)."
            raise InvalidInputError(msg)
        s = _column(std, "std", g)
        bad = s < 0
        if bad.any():
            i, _ = _first(bad)
            msg = f"`std` must be non-negative; got {_describe(s[i])} at index {i}."
            raise InvalidInputError(msg)
        sums = count * m
        products = np.maximum(count - 1.0, 0.0) * s * s + count * m * m
    order = np.argsort(keys, kind="stable")
    return {
        "covariate": False,
        "keys": keys[order],
        "count": count[order].astype(np.int64),
        "n_missing": np.zeros(g, np.int64),
        "sums": sums[order][:, None],
        "products": products[order][:, None, None],
    }
