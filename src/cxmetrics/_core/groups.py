"""Group keys: one or several ``by`` columns factorised to a dense group index."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.columns import (
    _describe,
    _first,
    _is_missing_object,
    as_1d,
    check_same_length,
)
from cxmetrics._core.times import _datetime_objects
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

__all__ = ["GroupIndex", "group_index"]


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


def _is_key_column(v: object) -> bool:
    """True for an array-like that is one key column (not a single scalar key)."""
    return not isinstance(v, str | bytes) and hasattr(v, "__len__")


def _key_name(column: object, i: int, taken: set[str]) -> str:
    """Field name of one key column: its own ``.name`` (pandas/polars), else ``by{i}``."""
    name = getattr(column, "name", None)
    if isinstance(name, str) and name and name not in taken:
        return name
    return f"by{i}"


def _aware_keys(arr: NDArray[Any], name: str) -> NDArray[Any]:
    """Object keys that are datetimes (pandas Timestamps, datetime) as datetime64 (UTC)."""
    sample = next((v for v in arr.tolist() if not _is_missing_object(v)), None)
    if isinstance(sample, datetime):
        return _datetime_objects(arr, name)
    return arr


def _key_column(by: ArrayLike, n: int, name: str, like: str) -> NDArray[Any]:
    """One validated key column: no missing key, a kind numpy can sort."""
    if isinstance(by, list | tuple) and by:
        # numpy would turn ["a", 1] into strings silently: refuse mixed key types
        kinds = {type(k) for k in by if k is not None}
        if any(issubclass(k, str) for k in kinds) and not all(
            issubclass(k, str) for k in kinds
        ):
            msg = f"`{name}` mixes strings with other key types ({sorted(k.__name__ for k in kinds)}); use one type."
            raise InvalidInputTypeError(msg)
    arr = as_1d(by, name)
    check_same_length(name, arr, like, n)
    if arr.dtype.kind == "O":
        arr = _aware_keys(arr, name)
    kind = arr.dtype.kind
    if kind == "f":
        nan = np.isnan(arr)
        if nan.any():
            i, count = _first(nan)
            msg = f"`{name}` contains {count} missing key(s), the first at index {i}; every row needs a group."
            raise MissingValueError(msg)
    if kind in "mM":
        nat = np.isnat(arr)
        if nat.any():
            i, count = _first(nat)
            msg = f"`{name}` contains {count} missing key(s) (NaT), the first at index {i}; every row needs a group."
            raise MissingValueError(msg)
    if kind == "O":
        missing = np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
        if missing.any():
            i, count = _first(missing)
            msg = f"`{name}` contains {count} missing key(s), the first at index {i}; every row needs a group."
            raise MissingValueError(msg)
    if kind not in "biufUSOmM":
        msg = f"`{name}` must hold integer, string, boolean or datetime keys; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    return arr


def _record_keys(
    by: list[Any] | tuple[Any, ...], n: int, name: str, like: str
) -> NDArray[Any]:
    """Several key columns as one record array (fields named after the columns)."""
    cols: list[tuple[str, NDArray[Any]]] = []
    taken: set[str] = set()
    for i, column in enumerate(by):
        arr = _key_column(column, n, f"{name}[{i}]", like)
        if arr.dtype.kind == "O":
            try:
                arr = np.array(arr.tolist())
            except (TypeError, ValueError):  # pragma: no cover - refused above
                arr = arr.astype(str)
            if arr.dtype.kind == "O":
                msg = f"`{name}[{i}]` must hold keys of one type (integers, strings, booleans or datetimes)."
                raise InvalidInputTypeError(msg)
        field = _key_name(column, i, taken)
        taken.add(field)
        cols.append((field, arr))
    rec = np.empty(n, dtype=[(field, arr.dtype) for field, arr in cols])
    for field, arr in cols:
        rec[field] = arr
    return rec


def group_index(
    by: ArrayLike,
    n: int,
    *,
    levels: ArrayLike | None = None,
    name: str = "by",
    like: str = "responses",
) -> GroupIndex:
    """Validate group keys and index them.

    Keys are integers, floats, strings, booleans or datetimes (``datetime64``, or
    datetime objects and timezone-aware pandas values, read as UTC ``datetime64``).
    Several keys at once (a list or tuple of key columns, each as long as the data,
    as in ``by=[df["region"], df["month"]]``) give record keys: one group per
    combination seen, fields named after the columns' ``.name`` (else ``by0``,
    ``by1`` ...), looked up with a tuple (``res[("north", 3)]``).

    Integer keys within a dense range are used directly (no copy, no sort); other
    keys are factorised once with :func:`numpy.unique`. Missing keys (None, NaN,
    NaT) are an error: a row must belong to a group. With ``levels``, the groups
    reported are exactly ``levels`` in that order; a key outside ``levels`` is an
    error.
    """
    several = (
        isinstance(by, list | tuple)
        and len(by) > 0
        and all(_is_key_column(col) for col in by)
    )
    if several and isinstance(by, list | tuple) and len(by) == 1:
        by, several = by[0], False
    if several and isinstance(by, list | tuple):
        if levels is not None:
            msg = f"`levels` works with one key column; `{name}` has {len(by)}. Pass one combined key (e.g. a string) to fix the groups."
            raise InvalidInputError(msg)
        arr = _record_keys(by, n, name, like)
        uniq, inverse = np.unique(arr, return_inverse=True)
        return GroupIndex(inverse.reshape(-1), 0, uniq, explicit=False)
    arr = _key_column(by, n, name, like)
    kind = arr.dtype.kind
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
