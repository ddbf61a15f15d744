"""The counting kernel for integer scales: one chunked ``np.bincount`` pass.

No validation happens here (see :mod:`cxmetrics._validation`). The input arrays are
read block by block, so the only temporaries are a block's worth of indices: a
hundred million int8 answers are never widened in full.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._validation import CHUNK, GroupIndex

__all__ = ["scale_histogram"]


def scale_histogram(
    values: NDArray[np.integer[Any]],
    low: int,
    n_bins: int,
    *,
    groups: GroupIndex | None = None,
    n_groups: int = 1,
    weights: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """Count answers per (group, scale point), optionally summing weights.

    Parameters
    ----------
    values : ndarray of int
        Validated answers in ``[low, low + n_bins - 1]``.
    low : int
        Lowest scale value (bin 0).
    n_bins : int
        Number of bins, including any "missing" bin at the top.
    groups : GroupIndex, optional
        Group of each row (code = ``source - offset``).
    n_groups : int
        Number of group codes.
    weights : ndarray of float, optional
        Row weights.

    Returns
    -------
    counts : ndarray of int64, shape (n_groups, n_bins)
    weight_sums, weight_squares : ndarray of float64 or None
        Sums of weights and of squared weights per cell, if ``weights`` is given.
    """
    size = n_groups * n_bins
    counts = np.zeros(size, dtype=np.int64)
    wsum = np.zeros(size) if weights is not None else None
    w2sum = np.zeros(size) if weights is not None else None
    for start in range(0, values.shape[0], CHUNK):
        stop = start + CHUNK
        idx = values[start:stop].astype(np.intp)
        if low:
            idx -= low
        if groups is not None:
            code = groups.source[start:stop].astype(np.intp)
            if groups.offset:
                code -= groups.offset
            code *= n_bins
            idx += code
        counts += np.bincount(idx, minlength=size)
        if weights is not None and wsum is not None and w2sum is not None:
            w = weights[start:stop]
            wsum += np.bincount(idx, weights=w, minlength=size)
            w2sum += np.bincount(idx, weights=w * w, minlength=size)
    shape = (n_groups, n_bins)
    return (
        counts.reshape(shape),
        None if wsum is None else wsum.reshape(shape),
        None if w2sum is None else w2sum.reshape(shape),
    )
