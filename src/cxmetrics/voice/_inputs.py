"""Parsing the voice family's own inputs: rating matrices, driver tables, unit resampling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.shapes import as_array
from cxmetrics._core.validation import _is_missing_object, _object_to_float, numeric_1d
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError

__all__ = [
    "GroupedLike",
    "bootstrap_counts",
    "driver_table",
    "rating_codes",
    "resampling_rng",
]


class GroupedLike(Protocol):
    """A grouped result: one ``value`` and ``n`` per key (e.g. ``cx.csat(..., by=week)``)."""

    @property
    def keys(self) -> Any: ...
    @property
    def value(self) -> Any: ...
    @property
    def n(self) -> Any: ...


#: unit counts drawn per block by the bootstraps (rows x resamples held at once)
_BLOCK = 1 << 21


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


_TEMPORAL = (dt.date, dt.time, dt.timedelta, np.datetime64, np.timedelta64)


def _refuse_temporal(arr: NDArray[Any], name: str) -> None:
    """Dates, times and durations are not ratings: refuse them with their place."""
    if arr.dtype.kind in "Mm":
        bad = np.ones(arr.shape, dtype=bool)
    elif arr.dtype.kind == "O":
        bad = np.frompyfunc(lambda v: isinstance(v, _TEMPORAL), 1, 1)(arr).astype(bool)
    else:
        return
    if bad.any():
        i, j = np.argwhere(bad)[0]
        msg = (
            f"`{name}` must hold labels or numbers, not dates, times or durations; "
            f"got {_plain(arr[i, j])!r} at unit {i}, rater {j}."
        )
        raise InvalidInputTypeError(msg)


def _missing_mask(arr: NDArray[Any]) -> NDArray[np.bool_]:
    out: NDArray[np.bool_]
    if arr.dtype.kind == "f":
        out = np.isnan(arr)
        return out
    if arr.dtype.kind == "O":
        miss = np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
        blank = np.frompyfunc(lambda v: isinstance(v, str) and not v.strip(), 1, 1)
        out = miss | blank(arr).astype(bool)
        return out
    if arr.dtype.kind == "U":
        out = np.asarray(np.char.strip(arr) == "", dtype=bool)
        return out
    return np.zeros(arr.shape, dtype=bool)


def rating_codes(
    ratings: ArrayLike,
    name: str,
    *,
    categories: ArrayLike | None = None,
    numeric: bool = False,
) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """Rating matrix (units x raters) as category codes (-1 = missing) and the categories.

    Missing ratings are None, NaN, pandas NA or blank text. Without ``categories``
    the categories are the sorted distinct ratings; with them, their order is the
    order of the scale (for weighted kappa and ordinal alpha) and a rating outside
    them is an error naming its unit and rater. ``numeric`` requires numbers
    (interval and ratio data).
    """
    try:
        arr = np.asarray(ratings)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a 2-D table of ratings; could not convert it ({err})."
        raise InvalidInputTypeError(msg) from None
    if arr.ndim != 2:
        msg = f"`{name}` must be 2-D (one row per unit, one column per rater); got an array of shape {arr.shape}."
        raise InvalidInputError(msg)
    if arr.shape[1] < 2:
        msg = f"`{name}` needs at least 2 raters (columns) to measure agreement; got {arr.shape[1]}."
        raise InvalidInputError(msg)
    _refuse_temporal(arr, name)
    missing = _missing_mask(arr)
    if numeric:
        if arr.dtype.kind == "O":
            arr = _object_to_float(arr.ravel(), name).reshape(arr.shape)
        elif arr.dtype.kind == "b":
            arr = arr.astype(np.float64)
        elif arr.dtype.kind not in "iuf":
            msg = f"`{name}` must be numeric for interval or ratio data; got dtype {arr.dtype}."
            raise InvalidInputTypeError(msg)
        if arr.dtype.kind == "f":
            bad = ~missing & ~np.isfinite(arr)
            if bad.any():
                i, j = np.argwhere(bad)[0]
                msg = f"`{name}` must be finite; got {_plain(arr[i, j])!r} at unit {i}, rater {j}."
                raise InvalidInputError(msg)
    present = arr[~missing]
    if categories is not None:
        cats = as_array(categories, "categories")
        if cats.ndim != 1 or cats.shape[0] < 1:
            msg = f"`categories` must be a non-empty 1-D list; got shape {cats.shape}."
            raise InvalidInputError(msg)
        if numeric:
            cats = numeric_1d(cats, "categories").astype(np.float64)
        uniq = np.unique(cats)
        if uniq.shape[0] != cats.shape[0]:
            msg = "`categories` must not repeat a category."
            raise InvalidInputError(msg)
    else:
        try:
            cats = np.unique(present)
        except TypeError:
            kinds = sorted({type(v).__name__ for v in present.tolist()})
            msg = f"`{name}` mixes kinds of labels ({', '.join(kinds)}); use one kind (all text or all numbers)."
            raise InvalidInputTypeError(msg) from None
    order = np.argsort(cats, kind="stable")
    sorted_cats = cats[order]
    codes = np.full(arr.shape, -1, dtype=np.int64)
    try:
        pos = np.searchsorted(sorted_cats, present)
    except TypeError:
        msg = f"`{name}` and `categories` hold different kinds of labels ({arr.dtype} and {cats.dtype})."
        raise InvalidInputTypeError(msg) from None
    pos = np.minimum(pos, sorted_cats.shape[0] - 1)
    found = sorted_cats[pos] == present
    if not np.all(found):
        where = np.argwhere(~missing)[np.argmax(~found)]
        msg = (
            f"`{name}` holds {_plain(arr[where[0], where[1]])!r} at unit {where[0]}, rater "
            f"{where[1]}, which is not one of `categories` {cats.tolist()!r} "
            f"({int(np.count_nonzero(~found))} such rating(s)); add it to `categories`."
        )
        raise InvalidInputError(msg)
    codes[~missing] = order[pos]
    return codes, cats


def driver_table(
    drivers: Any, n: int, names: list[str] | None
) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """Driver columns (a mapping, a dataframe or a 2-D array) as an (n, p) float matrix."""
    if isinstance(drivers, Mapping):
        cols = list(drivers.values())
        labels = [str(k) for k in drivers]
    elif hasattr(drivers, "columns") and hasattr(drivers, "__getitem__"):
        labels = [str(c) for c in drivers.columns]
        cols = [drivers[c] for c in drivers.columns]
    else:
        arr = as_array(drivers, "drivers")
        if arr.ndim != 2:
            msg = f"`drivers` must be 2-D (one column per driver) or a mapping of name to column; got shape {arr.shape}."
            raise InvalidInputError(msg)
        cols = [arr[:, j] for j in range(arr.shape[1])]
        labels = [f"x{j}" for j in range(arr.shape[1])]
    if names is not None:
        if len(names) != len(cols):
            msg = f"`names` must name each of the {len(cols)} drivers; got {len(names)} name(s)."
            raise InvalidInputError(msg)
        labels = [str(v) for v in names]
    if not cols:
        msg = "`drivers` must hold at least one driver."
        raise InvalidInputError(msg)
    if len(set(labels)) != len(labels):
        msg = f"driver names must be distinct; got {labels!r}."
        raise InvalidInputError(msg)
    out = np.empty((n, len(cols)))
    for j, col in enumerate(cols):
        arr = numeric_1d(col, f"drivers[{labels[j]!r}]")
        if arr.shape[0] != n:
            msg = f"`drivers[{labels[j]!r}]` must have the same length as `outcome` ({n}); got {arr.shape[0]}."
            raise InvalidInputError(msg)
        out[:, j] = arr
    return out, tuple(labels)


def resampling_rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    """A generator from a seed (default 0, so repeated calls agree) or a generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(0 if rng is None else rng)


def bootstrap_counts(
    n_units: int, n_resamples: int, rng: np.random.Generator
) -> Iterator[NDArray[np.float64]]:
    """Blocks of bootstrap resamples: how often each unit is drawn, shape (b, n_units)."""
    block = max(1, _BLOCK // max(n_units, 1))
    p = np.full(n_units, 1.0 / n_units)
    done = 0
    while done < n_resamples:
        b = min(block, n_resamples - done)
        yield rng.multinomial(n_units, p, size=b).astype(np.float64)
        done += b
