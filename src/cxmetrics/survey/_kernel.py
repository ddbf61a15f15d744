"""The counting kernel for integer scales: chunked ``np.bincount`` passes.

No validation happens here (see :mod:`cxmetrics._core.validation`), except that
:func:`unchecked_histogram` reports whether one-byte answers lie on the scale,
from the range its count reads anyway. The input arrays are read block by block
into a small reusable index buffer, so a hundred million int8 answers are never
widened in full. Ungrouped, unweighted one-byte answers skip ``bincount``: each
cache-sized block is counted by compare-and-count passes on its uint8 view
(:func:`_count_packed`), on one thread: its numpy calls are short (a few
microseconds each, the block staying in L2 cache), and on two threads they queue
for the GIL and share the cache, which measured slower than one thread. Large
grouped or weighted inputs are split into a few contiguous ranges counted on
separate threads (numpy releases the GIL in its inner loops); integer counts are
exact whatever the split, and the split is deterministic.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.threaded import max_threads
from cxmetrics._core.validation import GroupIndex

__all__ = ["CHUNK", "scale_histogram", "unchecked_histogram"]

#: Rows handled per block by chunked kernels: small enough for the CPU cache,
#: large enough that the per-block Python overhead is negligible.
CHUNK = 1 << 16
#: inputs with at least this many rows are counted on several threads
PARALLEL_MIN_ROWS = 1 << 22
_MAX_THREADS = 8

_Tally = tuple[
    NDArray[np.int64], NDArray[np.float64] | None, NDArray[np.float64] | None
]


def _count_range(
    values: NDArray[np.integer[Any]],
    shift: int,
    n_bins: int,
    size: int,
    groups: GroupIndex | None,
    weights: NDArray[np.float64] | None,
    start: int,
    stop: int,
) -> _Tally:
    """Histogram of rows ``start:stop`` (bin = code * n_bins + value + shift)."""
    counts = np.zeros(size, dtype=np.int64)
    wsum = np.zeros(size) if weights is not None else None
    w2sum = np.zeros(size) if weights is not None else None
    buf = np.empty(min(CHUNK, max(stop - start, 0)), dtype=np.intp)
    for lo in range(start, stop, CHUNK):
        hi = min(lo + CHUNK, stop)
        idx = buf[: hi - lo]
        if groups is not None:
            np.multiply(groups.source[lo:hi], n_bins, out=idx, casting="unsafe")
            np.add(idx, values[lo:hi], out=idx, casting="unsafe")
        else:
            np.copyto(idx, values[lo:hi], casting="unsafe")
        if shift:
            idx += shift
        counts += np.bincount(idx, minlength=size)
        if weights is not None and wsum is not None and w2sum is not None:
            w = weights[lo:hi]
            wsum += np.bincount(idx, weights=w, minlength=size)
            w2sum += np.bincount(idx, weights=w * w, minlength=size)
    return counts, wsum, w2sum


#: bytes per block of the one-byte count (the block and its mask stay in L2 cache);
#: a multiple of 8 * _LANES, so a block's mask sums as 64-bit words in byte lanes
PACKED_BLOCK = 8 * 255 * 128
#: words summed per byte lane: at most 255 ones per lane, so no lane overflows
_LANES = 255
#: the largest byte the one-byte count has a bin for
_TOP = 15

_Range = tuple[NDArray[np.int64], int, int]


def _count_packed(values: NDArray[np.integer[Any]], start: int, stop: int) -> _Range:
    """Histogram of one-byte answers in [0, 15], rows ``start:stop``, and their range.

    Read a cache-sized block at a time as uint8: the block's smallest and largest
    byte ``lo, hi`` (two fast reductions), then one compare-and-count pass per
    value in ``[lo, hi)`` (``np.equal`` into a reused mask), and ``hi``'s count is
    the rest of the block. Every value of the block lies in ``[lo, hi]``, so the
    counts are exact. A full block's mask is counted as 64-bit words summed 255 at
    a time (eight byte lanes, each at most 255: no carry between lanes), the
    lanes added once per block; a shorter block uses ``np.count_nonzero``. This
    is several times faster than ``np.bincount``, which widens every byte to an
    index and scatters it. (Taking the two top counts from the block's sum, one
    read instead of a compare and a count, measured no faster: the sum's read
    costs about as much.)

    Returns the 16 counts, the smallest and the largest byte read (``255, 0``
    when there is none). A byte above 15 stops the count at once (the counts are
    then incomplete): the caller reads the range and rejects the answers.
    """
    counts = np.zeros(16, dtype=np.int64)
    raw = values[start:stop].view(np.uint8)
    n = raw.shape[0]
    block = PACKED_BLOCK
    seen_lo, seen_hi = 255, 0
    mask = np.empty(min(block, n), dtype=np.bool_)
    lanes = block % (8 * _LANES) == 0 and n >= block
    if lanes:
        words = mask.view(np.uint64).reshape(-1, _LANES)
        partial = np.empty((16, words.shape[0]), dtype=np.uint64)
    for lo in range(0, n, block):
        chunk = raw[lo : lo + block]
        m = chunk.shape[0]
        first, last = int(np.minimum.reduce(chunk)), int(np.maximum.reduce(chunk))
        seen_lo, seen_hi = min(seen_lo, first), max(seen_hi, last)
        if last > _TOP:
            break
        if lanes and m == block and last > first:
            for v in range(first, last):
                np.equal(chunk, v, out=mask)
                np.add.reduce(words, axis=1, out=partial[v])
            k = np.add.reduce(
                partial[first:last].view(np.uint8).reshape(last - first, -1),
                axis=1,
                dtype=np.int64,
            )
            counts[first:last] += k
            counts[last] += m - int(np.add.reduce(k))
            continue
        seen = 0
        for v in range(first, last):
            if v == 0:
                c = m - int(np.count_nonzero(chunk))
            else:
                np.equal(chunk, v, out=mask[:m])
                c = int(np.count_nonzero(mask[:m]))
            counts[v] += c
            seen += c
        counts[last] += m - seen
    return counts, seen_lo, seen_hi


def _packable(
    values: NDArray[np.integer[Any]],
    low: int,
    n_bins: int,
    groups: GroupIndex | None,
    weights: NDArray[np.float64] | None,
) -> bool:
    """One-byte, contiguous answers with every bin in [0, 15], ungrouped, unweighted."""
    return (
        groups is None
        and weights is None
        and values.dtype.itemsize == 1
        and values.dtype.kind in "iu"
        and values.flags.c_contiguous
        and low >= 0
        and low + n_bins <= 16
    )


def unchecked_histogram(
    values: NDArray[np.integer[Any]], low: int, high: int
) -> NDArray[np.int64] | None:
    """Count integer answers whose range is not checked yet, reading it in the count.

    For the one-byte path (ungrouped, unweighted, contiguous ``int8``/``uint8``
    answers on a scale inside [0, 14]) the block-wise smallest and largest byte
    the count reads anyway validate the answers, so the front door needs no
    separate pass over them.

    Parameters
    ----------
    values : ndarray of int
        Integer answers, not yet checked against the scale.
    low, high : int
        The scale's bounds.

    Returns
    -------
    ndarray of int64, shape (1, high - low + 2), or None
        The counts (the last bin, for missing answers, is 0) when every answer
        lies in ``[low, high]``; None when one does not, or when the answers do
        not take the one-byte path: the caller then validates them as usual
        (which raises for an answer out of the scale) and counts them.

    Examples
    --------
    >>> import numpy as np
    >>> unchecked_histogram(np.array([0, 10, 9, 9], dtype=np.int8), 0, 10)
    array([[1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0]])
    >>> unchecked_histogram(np.array([0, 11], dtype=np.int8), 0, 10) is None
    True
    """
    n_bins = high - low + 2
    if not _packable(values, low, n_bins, None, None):
        return None
    raw, seen_lo, seen_hi = _count_packed(values, 0, values.shape[0])
    if values.shape[0] and (seen_lo < low or seen_hi > high):
        return None
    return raw[low : low + n_bins].reshape(1, n_bins)


def scale_histogram(
    values: NDArray[np.integer[Any]],
    low: int,
    n_bins: int,
    *,
    groups: GroupIndex | None = None,
    n_groups: int = 1,
    weights: NDArray[np.float64] | None = None,
) -> _Tally:
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
    shift = -low - (groups.offset * n_bins if groups is not None else 0)
    n = values.shape[0]
    threads = min(max_threads(), _MAX_THREADS) if n >= PARALLEL_MIN_ROWS else 1
    bounds = [n * i // threads for i in range(threads + 1)]
    if _packable(values, low, n_bins, groups, weights):
        # the 16 raw byte values counted on one thread, then the scheme's bins cut out
        raw = _count_packed(values, 0, n)[0]
        return raw[low : low + n_bins].reshape(1, n_bins), None, None
    if threads == 1:
        parts = [_count_range(values, shift, n_bins, size, groups, weights, 0, n)]
    else:
        with ThreadPoolExecutor(threads) as pool:
            parts = list(
                pool.map(
                    lambda ab: _count_range(
                        values, shift, n_bins, size, groups, weights, ab[0], ab[1]
                    ),
                    itertools.pairwise(bounds),
                )
            )
    counts = parts[0][0]
    wsum, w2sum = parts[0][1], parts[0][2]
    for c, ws, w2 in parts[1:]:  # a few partial histograms, added in a fixed order
        counts += c
        if wsum is not None and ws is not None and w2sum is not None and w2 is not None:
            wsum += ws
            w2sum += w2
    shape = (n_groups, n_bins)
    return (
        counts.reshape(shape),
        None if wsum is None else wsum.reshape(shape),
        None if w2sum is None else w2sum.reshape(shape),
    )
