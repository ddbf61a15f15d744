"""Durations: numbers in the data's unit, or time deltas read as seconds."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.checks import check_option
from cxmetrics._core.columns import (
    _describe,
    _first,
    _is_missing_object,
    as_1d,
    numeric_1d,
)
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.typing import NanPolicy

__all__ = ["durations_1d", "timedelta_seconds"]


def _is_timedelta_object(v: object) -> bool:
    # datetime.timedelta, pandas Timedelta (a subclass) and numpy timedelta64 scalars
    return isinstance(v, timedelta | np.timedelta64)


def timedelta_seconds(values: ArrayLike, name: str) -> NDArray[np.float64] | None:
    """Time deltas as float64 seconds (NaT/None as NaN), or ``None`` for other input.

    Recognised: numpy ``timedelta64`` arrays of any unit, pandas ``timedelta64[ns]``
    columns and polars ``Duration`` columns (both reach numpy as ``timedelta64``),
    and lists or object arrays of :class:`datetime.timedelta`, pandas ``Timedelta``
    or ``numpy.timedelta64`` with missing entries (None, NaT). Numbers are not time
    deltas: they return ``None`` and keep the caller's documented unit.
    """
    arr = values if isinstance(values, np.ndarray) else None
    if arr is None:
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError):
            return None
    if arr.dtype.kind == "m":
        # np.asarray: a 0-d array stays an array (a scalar takes no assignment)
        secs = np.asarray(arr.astype("timedelta64[ns]").astype(np.float64) / 1e9)
        secs[np.isnat(arr)] = np.nan
        return secs
    if arr.dtype.kind != "O" or arr.ndim != 1 or not arr.size:
        return None
    items = arr.tolist()
    if not any(_is_timedelta_object(v) for v in items):
        return None
    out = np.empty(len(items), dtype=np.float64)
    for i, v in enumerate(items):
        if _is_missing_object(v) or (isinstance(v, np.timedelta64) and np.isnat(v)):
            out[i] = np.nan
        elif isinstance(v, np.timedelta64):
            out[i] = v.astype("timedelta64[ns]").astype(np.int64) / 1e9
        elif isinstance(v, timedelta):
            out[i] = v.total_seconds()
        else:
            msg = (
                f"`{name}` mixes time deltas with {v!r} of type {type(v).__name__} "
                f"at index {i}; pass all durations as time deltas or all as numbers."
            )
            raise InvalidInputTypeError(msg)
    return out


def durations_1d(
    values: ArrayLike, name: str, *, nan_policy: str = "raise"
) -> tuple[NDArray[np.float64], NDArray[np.bool_] | None]:
    """Validate durations (e.g. seconds waited): 1-D, finite and non-negative.

    Numbers keep the caller's documented unit; time deltas (numpy ``timedelta64``,
    pandas ``Timedelta`` columns, polars ``Duration``, :class:`datetime.timedelta`)
    are converted to seconds by :func:`timedelta_seconds`, NaT counting as missing.
    Returns the float64 array and, when NaN/None entries are present under
    ``nan_policy='omit'``, the mask of missing rows (else ``None``). Under
    ``'raise'`` missing entries raise with their count and first index.
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    td = timedelta_seconds(values, name)
    arr = (
        numeric_1d(values, name).astype(np.float64, copy=False)
        if td is None
        else as_1d(td, name)
    )
    nan = np.isnan(arr)
    missing: NDArray[np.bool_] | None = None
    if nan.any():
        i, count = _first(nan)
        if nan_policy == "raise":
            msg = (
                f"`{name}` contains {count} missing value(s) (NaN/None), the first "
                f"at index {i}; pass nan_policy='omit' to drop and count them."
            )
            raise MissingValueError(msg)
        missing = nan
    inf = np.isinf(arr)
    if inf.any():
        i, count = _first(inf)
        msg = f"`{name}` must be finite; got {_describe(arr[i])} at index {i} ({count} non-finite value(s))."
        raise InvalidInputError(msg)
    neg = arr < 0
    if neg.any():
        i, count = _first(neg)
        msg = f"`{name}` must be non-negative; got {_describe(arr[i])} at index {i} ({count} negative value(s))."
        raise InvalidInputError(msg)
    return arr, missing
