"""The one place where user input is converted and checked.

Every public function passes its raw arguments through these helpers exactly once;
kernels, states and ``compute()`` trust what comes out. Messages follow one format:
the argument in backticks, the rule, the offending value and its index.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

__all__ = [
    "CHUNK",
    "GroupIndex",
    "ScaleData",
    "as_1d",
    "check_confidence_level",
    "check_option",
    "check_positive_int",
    "check_same_length",
    "group_index",
    "integer_scale",
    "weights_array",
]

#: Rows handled per block by chunked kernels: small enough for the CPU cache,
#: large enough that the per-block Python overhead is negligible.
CHUNK = 1 << 16

_T = TypeVar("_T")


def check_option(name: str, value: _T, allowed: Collection[_T]) -> _T:
    """Return ``value`` if it is one of ``allowed``, else raise naming ``name``."""
    if value not in allowed:
        msg = f"`{name}` must be one of {tuple(allowed)!r}; got {value!r}."
        raise InvalidInputError(msg)
    return value


def check_confidence_level(confidence_level: float) -> float:
    """Return the level as a float if it lies strictly between 0 and 1."""
    try:
        level = float(confidence_level)
    except (TypeError, ValueError):
        msg = (
            f"`confidence_level` must be a number in (0, 1); got {confidence_level!r}."
        )
        raise InvalidInputTypeError(msg) from None
    if not 0.0 < level < 1.0:
        msg = f"`confidence_level` must lie strictly between 0 and 1; got {confidence_level!r}."
        raise InvalidInputError(msg)
    return level


def check_positive_int(name: str, value: object, *, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is a whole number ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        msg = f"`{name}` must be an integer; got {value!r}."
        raise InvalidInputTypeError(msg)
    if value < minimum:
        msg = f"`{name}` must be >= {minimum}; got {value!r}."
        raise InvalidInputError(msg)
    return int(value)


def _describe(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return repr(value)
    return repr(value)


def as_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    """Convert ``values`` with :func:`numpy.asarray` and require one dimension.

    Scalars and nested lists are rejected with a message naming ``name`` and the
    shape. The input is never copied or modified here.
    """
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a 1-D array of numbers; could not convert it ({err})."
        raise InvalidInputTypeError(msg) from None
    if arr.ndim != 1:
        msg = f"`{name}` must be 1-D; got an array of shape {arr.shape}."
        raise InvalidInputError(msg)
    return arr


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
    return isinstance(v, int | float | np.integer | np.floating | np.bool_)


def _object_to_float(arr: NDArray[Any], name: str) -> NDArray[np.float64]:
    """Convert an object array (lists with None, pandas nullable) to float64.

    This is the slow path (one Python call per element); numeric dtypes never take it.
    """
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


def integer_scale(
    values: ArrayLike, name: str, *, low: int, high: int, nan_policy: str
) -> ScaleData:
    """Validate answers on the integer scale ``[low, high]``.

    Rules: numeric dtype; whole numbers; every value in range (checked before any
    integer cast, so nothing can overflow); missing values (NaN, None) raise with
    their count and first index under ``nan_policy='raise'`` and are encoded as
    ``high + 1`` under ``'omit'``. Integer arrays are returned as they are (no copy,
    no widening); floats are converted block by block into the narrowest integer
    dtype, so temporaries stay small.
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    arr = numeric_1d(values, name)
    if arr.dtype.kind in "iu":
        if arr.size:
            lo, hi = arr.min(), arr.max()
            if lo < low or hi > high:
                _raise_out_of_range(arr, (arr < low) | (arr > high), name, low, high)
        return ScaleData(arr, 0)

    # floating point: NaN, integrality and range, a block at a time
    out = np.empty(arr.shape, dtype=_narrow_int_dtype(low, high + 1))
    n_missing = 0
    for start in range(0, arr.size, CHUNK):
        block = arr[start : start + CHUNK]
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
        dest = out[start : start + CHUNK]
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


class GroupIndex(NamedTuple):
    """Group membership of each row, without widening the caller's key array.

    The group code of row ``i`` is ``source[i] - offset``; ``labels[code]`` is its key.
    ``labels`` may include keys that no row has (a dense integer range or explicit
    ``levels``); the kernels count them as empty groups.
    """

    source: NDArray[np.integer[Any]]
    offset: int
    labels: NDArray[Any]
    explicit: bool  # labels came from `levels`: keep every one, in the given order


# a dense integer range of keys is used as is when it is at most this many times the
# number of rows (or this absolute size); otherwise keys are factorised by sorting
_DENSE_FACTOR = 4
_DENSE_MIN = 1 << 16


def _check_levels(levels: ArrayLike) -> NDArray[Any]:
    lv = as_1d(levels, "levels")
    if lv.dtype.kind == "O" and any(_is_missing_object(v) for v in lv.tolist()):
        msg = "`levels` must not contain missing values."
        raise InvalidInputError(msg)
    try:
        uniq, counts = np.unique(lv, return_counts=True)
    except TypeError as err:
        msg = f"`levels` must hold keys of one comparable type ({err})."
        raise InvalidInputTypeError(msg) from None
    if (counts > 1).any():
        msg = f"`levels` must be unique; got {_describe(uniq[np.argmax(counts > 1)])} more than once."
        raise InvalidInputError(msg)
    return lv


def group_index(
    by: ArrayLike, n: int, *, levels: ArrayLike | None = None, name: str = "by"
) -> GroupIndex:
    """Validate group keys (integers, floats, strings or booleans) and index them.

    Integer keys within a dense range are used directly (no copy, no sort); other
    keys are factorised once with :func:`numpy.unique`. Missing keys (None, NaN)
    are an error: a row must belong to a group. With ``levels``, the groups reported
    are exactly ``levels`` in that order; a key outside ``levels`` is an error.
    """
    if isinstance(by, list | tuple) and by:
        # numpy would turn ["a", 1] into strings silently: refuse mixed key types
        kinds = {type(k) for k in by if k is not None}
        if any(issubclass(k, str) for k in kinds) and not all(
            issubclass(k, str) for k in kinds
        ):
            msg = f"`{name}` mixes strings with other key types ({sorted(k.__name__ for k in kinds)}); use one type."
            raise InvalidInputTypeError(msg)
    arr = as_1d(by, name)
    check_same_length(name, arr, "responses", n)
    kind = arr.dtype.kind
    if kind == "f":
        nan = np.isnan(arr)
        if nan.any():
            i, count = _first(nan)
            msg = f"`{name}` contains {count} missing key(s), the first at index {i}; every row needs a group."
            raise MissingValueError(msg)
    if kind == "O":
        missing = np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
        if missing.any():
            i, count = _first(missing)
            msg = f"`{name}` contains {count} missing key(s), the first at index {i}; every row needs a group."
            raise MissingValueError(msg)
    if kind not in "biufUSO":
        msg = f"`{name}` must hold integer, string or boolean keys; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    if kind == "b":
        arr = arr.view(np.uint8)

    lv = None if levels is None else _check_levels(levels)

    if lv is None and arr.dtype.kind in "iu" and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        span = hi - lo + 1
        if span <= max(_DENSE_MIN, _DENSE_FACTOR * n):
            labels = np.arange(lo, hi + 1, dtype=arr.dtype if kind != "b" else np.int64)
            if kind == "b":
                labels = labels.astype(bool)
            return GroupIndex(arr, lo, labels, explicit=False)
    try:
        uniq, inverse = np.unique(arr, return_inverse=True)
    except TypeError as err:
        msg = f"`{name}` must hold keys of one comparable type ({err})."
        raise InvalidInputTypeError(msg) from None
    inverse = inverse.reshape(-1)
    if kind == "b":
        uniq = uniq.astype(bool)
    if lv is None:
        return GroupIndex(inverse, 0, uniq, explicit=False)
    # map observed keys to their position in `levels`
    order = np.argsort(lv, kind="stable")
    sorted_lv = lv[order]
    try:
        pos = np.searchsorted(sorted_lv, uniq)
    except TypeError as err:
        msg = f"`levels` and `{name}` must hold keys of the same type ({err})."
        raise InvalidInputTypeError(msg) from None
    pos = np.clip(pos, 0, max(len(sorted_lv) - 1, 0))
    found = (sorted_lv[pos] == uniq) if len(sorted_lv) else np.zeros(len(uniq), bool)
    if not np.all(found):
        j = int(np.argmax(~found))
        row = int(np.argmax(inverse == j))
        msg = f"`{name}` has key {_describe(uniq[j])} at index {row}, which is not in `levels`."
        raise InvalidInputError(msg)
    codes = order[pos][inverse]
    return GroupIndex(codes, 0, lv, explicit=True)
