"""The log-bucket mapping of DDSketch (Masson, Rim and Lee 2019), family-agnostic.

A positive value ``x`` falls in bucket ``ceil(log2(x) * multiplier)``, where the
multiplier ``1 / log2(gamma)`` with ``gamma = (1 + a) / (1 - a)`` makes every
bucket's midpoint within relative error ``a`` of any value in it. Values at or
below :data:`_TINY` go to the zero bucket, keyed :data:`_ZERO_KEY`. Sketches
(``cxmetrics.DurationSketchState``) and the engine-side builds of the frames
layer share these definitions, so both give the same buckets.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.parameters import parameter_scalar
from cxmetrics.exceptions import InvalidInputError

__all__ = ["_TINY", "_ZERO_KEY", "_check_accuracy", "_combine", "_multiplier"]

#: durations at or below this are counted in the zero bucket (ddsketch's
#: ``min_possible`` for the default accuracy is about 2.3e-308)
_TINY = 1e-300


#: the key given to zero durations: below every real key (|key| < 3.5e8 for any
#: float above _TINY at accuracies >= 1e-6), and far enough from the int32 limit
#: that shifting keys by the lowest one cannot overflow
_ZERO_KEY = -(2**30)


def _multiplier(relative_accuracy: float) -> float:
    """``1 / log2(gamma)`` as the ``ddsketch`` package computes it (same keys)."""
    gamma_mantissa = 2.0 * relative_accuracy / (1.0 - relative_accuracy)
    return math.log(2.0) / math.log1p(gamma_mantissa)


def _check_accuracy(relative_accuracy: Any) -> float:
    a = parameter_scalar(
        relative_accuracy,
        "relative_accuracy",
        low=0.0,
        high=0.5,
        low_inclusive=False,
    )
    if a < 1e-6:
        msg = f"`relative_accuracy` must be at least 1e-6 (buckets grow as 1/a); got {a!r}."
        raise InvalidInputError(msg)
    return a


def _combine(
    groups: NDArray[np.int64], bins: NDArray[np.int64], counts: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Sum the counts of equal (group, bin) pairs; sorted by group, then bin.

    One int64 code per pair; exact integer sums over the dense code range when
    it is small (sketches: a few hundred buckets per group), else one sort.
    """
    if groups.size == 0:
        return groups, bins, counts
    lo = int(bins.min())
    width = int(bins.max()) - lo + 1
    code = groups * width + (bins - lo)
    size = (int(groups.max()) + 1) * width
    if size <= 4 * code.size + (1 << 16):
        # integer sums (a bincount would add the counts as float64: inexact
        # above 2**53, and slower)
        cells = np.zeros(size, dtype=np.int64)
        np.add.at(cells, code, counts)
        nz = np.flatnonzero(cells)
        return nz // width, nz % width + lo, cells[nz]
    order = np.argsort(code, kind="stable")
    c, v = code[order], counts[order]
    start = np.empty(c.size, dtype=bool)
    start[0] = True
    start[1:] = c[1:] != c[:-1]
    idx = np.flatnonzero(start)
    return c[idx] // width, c[idx] % width + lo, np.add.reduceat(v, idx)
