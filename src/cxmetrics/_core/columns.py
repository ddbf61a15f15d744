"""One-dimensional columns: numbers, flags, answers on an integer scale and weights.

Also the helpers every column check uses to name a bad value and its index
(:func:`_first`, :func:`_describe`) and to read object columns (missing values,
numbers held as Python objects).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.checks import check_option
from cxmetrics._core.threaded import map_parts, max_threads
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.typing import NanPolicy

__all__ = [
    "ScaleData",
    "as_1d",
    "check_same_length",
    "flags_1d",
    "integer_scale",
    "numeric_1d",
    "weights_array",
]

#: rows handled per block when an integer scale is checked and narrowed
_BLOCK = 1 << 16


def _describe(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return repr(value)
    return repr(value)


def as_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    """Convert ``values`` with :func:`numpy.asarray` and require one dimension.

    Scalars and nested lists are rejected with a message naming ``name`` and the
    shape. The input is never modified here; it is copied only when an object
    array holds ``pandas.NA`` (a nullable pandas column with missing values),
    which becomes None: ``pd.NA == x`` is NA, and any numpy comparison of the
    array (``np.isin``, ``==``) would raise "boolean value of NA is ambiguous".
    """
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a 1-D array of numbers; could not convert it ({err})."
        raise InvalidInputTypeError(msg) from None
    if arr.ndim != 1:
        msg = f"`{name}` must be 1-D; got an array of shape {arr.shape}."
        raise InvalidInputError(msg)
    if arr.dtype.kind == "O" and arr.size:
        na = np.frompyfunc(_is_pandas_na, 1, 1)(arr).astype(bool)
        if na.any():
            arr = arr.copy()
            arr[na] = None
    return arr


def _is_pandas_na(v: object) -> bool:
    return type(v).__name__ == "NAType"


def check_same_length(name: str, arr: NDArray[Any], other: str, n: int) -> None:
    """Raise if ``arr`` does not have ``n`` rows, the length of ``other``."""
    if arr.shape[0] != n:
        msg = f"`{name}` must have the same length as `{other}` ({n}); got {arr.shape[0]}."
        raise InvalidInputError(msg)


def _first(mask: NDArray[np.bool_]) -> tuple[int, int]:
    """Index of the first True and the number of Trues."""
    return int(np.argmax(mask)), int(np.count_nonzero(mask))


def _is_missing_object(v: object) -> bool:
    if v is None or type(v).__name__ in {"NAType", "NaTType"}:
        return True
    return isinstance(v, float | np.floating) and v != v  # noqa: PLR0124  (NaN test)


def _is_number_object(v: object) -> bool:
    if isinstance(v, np.timedelta64):  # numpy makes it an integer type: not here
        return False
    return isinstance(v, int | float | np.integer | np.floating | np.bool_)


def _object_to_float(arr: NDArray[Any], name: str) -> NDArray[np.float64]:
    """Convert an object array (lists with None, pandas nullable) to float64.

    This is the slow path (one Python call per element); numeric dtypes never take it.
    """
    if arr.ndim == 0:  # a scalar None, pandas NA/NaT: frompyfunc returns a bare bool
        return _object_to_float(arr.reshape(1), name).reshape(())
    missing = np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
    numeric = np.frompyfunc(_is_number_object, 1, 1)(arr).astype(bool)
    bad = ~(missing | numeric)
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`{name}` must be numeric; got {arr[i]!r} of type "
            f"{type(arr[i]).__name__} at index {i} ({count} non-numeric value(s))."
        )
        raise InvalidInputTypeError(msg)
    out = np.full(arr.shape, np.nan)
    out[~missing] = arr[~missing].astype(np.float64)
    return out


def numeric_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    """Return a 1-D numeric array (bool, integer or float), without copying numerics."""
    arr = as_1d(values, name)
    kind = arr.dtype.kind
    if kind == "O":
        return _object_to_float(arr, name)
    if kind == "b":
        return arr.view(np.uint8)
    if kind not in "iuf":
        msg = f"`{name}` must be numeric; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    return arr


class ScaleData(NamedTuple):
    """Validated answers on an integer scale.

    ``values`` holds integers in ``[low, high + 1]``; ``high + 1`` marks a missing
    answer (only present when ``n_missing > 0``). Integer input is passed through
    without a copy.
    """

    values: NDArray[np.integer[Any]]
    n_missing: int


def _narrow_int_dtype(low: int, high: int) -> np.dtype[Any]:
    for dt in (np.int8, np.int16, np.int32, np.int64):
        info = np.iinfo(dt)
        if info.min <= low and high <= info.max:
            return np.dtype(dt)
    msg = f"scale [{low}, {high}] does not fit in 64-bit integers."
    raise InvalidInputError(msg)


def _raise_out_of_range(
    arr: NDArray[Any],
    bad: NDArray[np.bool_],
    name: str,
    low: int,
    high: int,
    offset: int = 0,
) -> None:
    i, count = _first(bad)
    msg = (
        f"`{name}` must lie in [{low}, {high}]; got {_describe(arr[i])} at index "
        f"{offset + i} ({count} value(s) out of range)."
    )
    raise InvalidInputError(msg)


#: integer arrays from this many rows have their range read in cached blocks, on threads
RANGE_BLOCKS_MIN = 1 << 22
_RANGE_BLOCK = 1 << 18


def _block_range(
    arr: NDArray[np.integer[Any]], start: int, stop: int
) -> tuple[int, int]:
    """Range of ``arr[start:stop]`` (not empty), a block at a time."""
    first = arr[start : min(start + _RANGE_BLOCK, stop)]
    lo, hi = int(first.min()), int(first.max())
    for i in range(start + _RANGE_BLOCK, stop, _RANGE_BLOCK):
        block = arr[i : min(i + _RANGE_BLOCK, stop)]
        lo = min(lo, int(block.min()))
        hi = max(hi, int(block.max()))  # this read hits the cache
    return lo, hi


def integer_range(arr: NDArray[np.integer[Any]]) -> tuple[int, int]:
    """Smallest and largest value of a non-empty integer array.

    A large contiguous array is read once from memory: its min and max are taken
    a cache-sized block at a time, on two threads (numpy releases the GIL); the
    result is the same whatever the split.
    """
    n = arr.shape[0]
    if n < max(RANGE_BLOCKS_MIN, 2) or not arr.flags.c_contiguous:
        return int(arr.min()), int(arr.max())
    parts = (
        map_parts(n, 2, lambda lo, hi: _block_range(arr, lo, hi))
        if max_threads() >= 2
        else None
    )
    if parts is None:
        return _block_range(arr, 0, n)
    return min(p[0] for p in parts), max(p[1] for p in parts)


def integer_scale(
    values: ArrayLike,
    name: str,
    *,
    low: int,
    high: int,
    nan_policy: str,
    check_range: bool = True,
) -> ScaleData:
    """Validate answers on the integer scale ``[low, high]``.

    Rules: numeric dtype; whole numbers; every value in range (checked before any
    integer cast, so nothing can overflow); missing values (NaN, None) raise with
    their count and first index under ``nan_policy='raise'`` and are encoded as
    ``high + 1`` under ``'omit'``. Integer arrays are returned as they are (no copy,
    no widening); floats are converted block by block into the narrowest integer
    dtype, so temporaries stay small.

    ``check_range=False`` skips the range pass over an *integer* array (floats
    are always checked): for a caller whose count reads the range anyway, and
    which calls this function again, with the default, when that range is off
    the scale (so the error is the same).
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    arr = numeric_1d(values, name)
    if arr.dtype.kind in "iu":
        if arr.size and check_range:
            lo, hi = integer_range(arr)
            if lo < low or hi > high:
                _raise_out_of_range(arr, (arr < low) | (arr > high), name, low, high)
        return ScaleData(arr, 0)

    # floating point: NaN, integrality and range, a block at a time
    out = np.empty(arr.shape, dtype=_narrow_int_dtype(low, high + 1))
    n_missing = 0
    for start in range(0, arr.size, _BLOCK):
        block = arr[start : start + _BLOCK]
        nan = np.isnan(block)
        if nan.any():
            if nan_policy == "raise":
                total = int(np.count_nonzero(np.isnan(arr)))
                i = start + int(np.argmax(nan))
                msg = (
                    f"`{name}` contains {total} missing value(s) (NaN/None), the first "
                    f"at index {i}; pass nan_policy='omit' to drop and count them."
                )
                raise MissingValueError(msg)
            n_missing += int(np.count_nonzero(nan))
        present = ~nan
        with np.errstate(invalid="ignore"):
            bad = present & ((block < low) | (block > high))
        if bad.any():
            _raise_out_of_range(block, bad, name, low, high, start)
        frac = present & (block != np.floor(np.where(present, block, 0.0)))
        if frac.any():
            i, count = _first(frac)
            msg = (
                f"`{name}` must be whole numbers; got {_describe(block[i])} at index "
                f"{start + i} ({count} non-integer value(s))."
            )
            raise InvalidInputError(msg)
        dest = out[start : start + _BLOCK]
        np.copyto(dest, block, casting="unsafe", where=present)
        dest[nan] = high + 1
    return ScaleData(out, n_missing)


def weights_array(
    weights: ArrayLike, n: int, *, name: str = "weights", like: str = "responses"
) -> NDArray[np.float64]:
    """Validate survey weights: 1-D, length ``n``, finite and non-negative.

    Missing weights are always an error: a weight cannot be guessed. Returns a
    float64 array (a new array when the input was not float64; never modified).
    """
    arr = numeric_1d(weights, name)
    check_same_length(name, arr, like, n)
    arr = arr.astype(np.float64, copy=False)
    bad = ~np.isfinite(arr)
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`{name}` must be finite; got {_describe(arr[i])} at index {i} "
            f"({count} non-finite weight(s))."
        )
        raise InvalidInputError(msg)
    neg = arr < 0
    if not neg.any():
        # squares of the weights are summed (Kish's effective n): keep them representable
        odd = (arr != 0) & ((arr < _WEIGHT_MIN) | (arr > _WEIGHT_MAX))
        if odd.any():
            i, count = _first(odd)
            msg = (
                f"`weights` must be 0 or lie in [{_WEIGHT_MIN:g}, {_WEIGHT_MAX:g}] so their "
                f"squares stay finite; got {_describe(arr[i])} at index {i} ({count} "
                "such weight(s)); rescale the weights."
            )
            raise InvalidInputError(msg)
    if neg.any():
        i, count = _first(neg)
        msg = (
            f"`{name}` must be non-negative; got {_describe(arr[i])} at index {i} "
            f"({count} negative weight(s))."
        )
        raise InvalidInputError(msg)
    return arr


_WEIGHT_MIN = 1e-150


_WEIGHT_MAX = 1e150


def flags_1d(values: ArrayLike, name: str) -> NDArray[np.bool_]:
    """Validate yes/no flags: booleans, or numbers that are all 0 or 1."""
    arr = as_1d(values, name)
    if arr.dtype.kind == "b":
        return arr
    num = numeric_1d(arr, name)
    if num.dtype.kind == "f":
        nan = np.isnan(num)
        if nan.any():
            i, count = _first(nan)
            msg = f"`{name}` contains {count} missing value(s) (NaN/None), the first at index {i}; every row needs a flag."
            raise MissingValueError(msg)
    bad = (num != 0) & (num != 1)
    if bad.any():
        i, count = _first(bad)
        msg = f"`{name}` must be booleans (or 0/1); got {_describe(num[i])} at index {i} ({count} other value(s))."
        raise InvalidInputError(msg)
    flags: NDArray[np.bool_] = np.asarray(num != 0, dtype=bool)
    return flags


#: the largest magnitude whose square stays a finite float64 with room for a sum
MAX_SQUARABLE = 1e150


def check_squarable(arr: NDArray[Any], name: str) -> NDArray[Any]:
    """Refuse values whose squares (summed into a variance) would overflow float64.

    A documented limit of the functions that estimate a spread: 1e150 in size
    (durations, money and scores are far below it; rescale otherwise).
    """
    # infinite values are left to the caller's own finiteness check and message
    with np.errstate(invalid="ignore"):
        big = np.isfinite(arr) & (np.abs(arr) > MAX_SQUARABLE)
    if big.any():
        i, count = _first(big)
        msg = (
            f"`{name}` must be at most {MAX_SQUARABLE:g} in size (its squares enter a "
            f"variance and would overflow float64); got {_describe(arr[i])} at index "
            f"{i} ({count} such value(s)). Rescale it (e.g. to thousands)."
        )
        raise InvalidInputError(msg)
    return arr
