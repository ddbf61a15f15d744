"""numpy kernels on large arrays split over the machine's cores.

numpy releases the GIL in its inner loops, so contiguous parts of one large
array can be handled on separate threads; each function here gives the same
result, element for element, whatever the split and the number of threads.

**Sorts.** numpy's sort runs on one core and, where its SIMD sorting networks are not
dispatched, costs 50-70 ns per element at a million int64 keys, much of it in
cache and TLB misses. Sorting a few contiguous parts on separate threads (numpy
releases the GIL while it sorts) and merging the sorted runs with one stable
sort (numpy's timsort finds the runs and merges them in sequential passes) gave
45 ms instead of 70 ms for 10^6 int64 keys on a two-core machine.

How many threads: the usable cores, at most four, or fewer if the
environment variable ``CXMETRICS_NUM_THREADS`` says so (:func:`max_threads`).

The result is the sorted array, element for element: for keys whose equal
elements cannot be told apart (integers, and the packed integer keys the
kernels sort), it does not depend on the split or on the number of threads.

**Lookups.** A million ``np.searchsorted`` lookups into a million sorted
times wait on cache and TLB misses: 327 ms here, and 153 ms on two threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from cxmetrics.exceptions import InvalidInputError

__all__ = [
    "PARALLEL_MIN",
    "THREADS_ENV",
    "map_parts",
    "max_threads",
    "searchsorted",
    "sort_in_place",
]

#: arrays from this many elements are handled in parts on several threads
PARALLEL_MIN = 1 << 17
_MAX_THREADS = 4
_R = TypeVar("_R")


#: environment variable capping the threads of every cxmetrics kernel (as
#: ``OMP_NUM_THREADS`` does for BLAS): ``1`` runs everything on the calling thread
THREADS_ENV = "CXMETRICS_NUM_THREADS"


def max_threads() -> int:
    """Threads a kernel may use: ``CXMETRICS_NUM_THREADS``, or the usable cores.

    Read at each call, so a pipeline can set it at any time (a Dask or Spark
    worker that runs one task per core sets it to 1).

    Raises
    ------
    InvalidInputError
        The variable is set to something other than a whole number >= 1.

    Examples
    --------
    >>> import os
    >>> os.environ["CXMETRICS_NUM_THREADS"] = "1"
    >>> max_threads()
    1
    >>> del os.environ["CXMETRICS_NUM_THREADS"]
    """
    raw = os.environ.get(THREADS_ENV, "").strip()
    if raw:
        try:
            cap = int(raw)
        except ValueError:
            cap = 0
        if cap < 1:
            msg = (
                f"the environment variable {THREADS_ENV} must be a whole number "
                f">= 1 (the most threads a kernel uses); got {raw!r}."
            )
            raise InvalidInputError(msg)
        return cap
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _threads(n: int) -> int:
    if n < PARALLEL_MIN:
        return 1
    return min(max_threads(), _MAX_THREADS)


def map_parts(n: int, threads: int, task: Callable[[int, int], _R]) -> list[_R] | None:
    """``task(lo, hi)`` for ``threads`` contiguous parts of ``range(n)``, on threads.

    The parts' results in order, or None where no thread can start (the
    caller then does the work on its own thread; a part may have run).

    Examples
    --------
    >>> map_parts(10, 2, lambda lo, hi: (lo, hi))
    [(0, 5), (5, 10)]
    """
    bounds = [n * i // threads for i in range(threads + 1)]
    try:
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(task, bounds[:-1], bounds[1:]))
    except RuntimeError:  # pragma: no cover - no threads (e.g. WebAssembly)
        return None


def searchsorted(
    a: NDArray[Any], v: NDArray[Any], side: Literal["left", "right"] = "left"
) -> NDArray[np.intp]:
    """``np.searchsorted(a, v, side)`` for a sorted 1-D ``a`` and a 1-D ``v``.

    Examples
    --------
    >>> import numpy as np
    >>> searchsorted(np.array([1.0, 2.0, 4.0]), np.array([4.0, 0.5, 2.0])).tolist()
    [2, 0, 1]
    """
    n = v.shape[0]
    threads = _threads(n)
    if threads > 1:
        out = np.empty(n, dtype=np.intp)

        def part(lo: int, hi: int) -> None:
            out[lo:hi] = np.searchsorted(a, v[lo:hi], side=side)

        if map_parts(n, threads, part) is not None:
            return out
    return np.searchsorted(a, v, side=side)


def sort_in_place(keys: NDArray[Any]) -> None:
    """Sort a contiguous 1-D integer array in place (ascending).

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array([5, 3, 9, 1], dtype=np.int64)
    >>> sort_in_place(keys)
    >>> keys.tolist()
    [1, 3, 5, 9]
    """
    n = keys.shape[0]
    threads = _threads(n)
    if threads == 1 or not keys.flags.c_contiguous:
        keys.sort()
        return
    if map_parts(n, threads, lambda lo, hi: keys[lo:hi].sort()) is not None:
        keys.sort(kind="stable")  # merges the sorted runs
    else:  # pragma: no cover - no threads
        keys.sort()
