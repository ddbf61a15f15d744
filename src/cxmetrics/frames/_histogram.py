"""Answer histograms per group, computed inside the caller's dataframe engine.

The sufficient statistics of every survey score are the counts (and weight sums) of
each scale point in each group. One ``group_by(by + [score]).agg(len, sum(w),
sum(w**2))`` computes them natively in any engine narwhals speaks; the aggregate has
at most ``groups x scale points`` rows, and only it comes back to numpy, where it is
validated and scattered into the histogram arrays of the grouped state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.validation import check_option, integer_scale, weights_array
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.frames._native import collect, narwhals
from cxmetrics.typing import NanPolicy

__all__ = ["Histogram", "factorise", "histogram"]

_S, _N, _W, _W2, _WBAD, _WMIN, _WMAX = (
    "__cx_score",
    "__cx_n",
    "__cx_w",
    "__cx_w2",
    "__cx_wbad",
    "__cx_wmin",
    "__cx_wmax",
)
_WEIGHT_MAX = 1e150


class Histogram(NamedTuple):
    """Per-group histogram arrays, ready to become a grouped state."""

    keys: NDArray[Any]
    counts: NDArray[np.int64]
    n_missing: NDArray[np.int64]
    weight_sums: NDArray[np.float64] | None
    weight_squares: NDArray[np.float64] | None


def histogram(
    frame: Any,
    score: str,
    by: Sequence[str],
    weights: str | None,
    *,
    low: int,
    high: int,
    nan_policy: str,
) -> Histogram:
    """Count answers per (group, scale point) in the frame's engine; validate the aggregate.

    With no ``by`` columns there is one group, keyed ``0``.
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    nw = narwhals()
    schema = frame.collect_schema()
    _check_numeric(schema[score], "score", score)
    if weights is not None:
        _check_numeric(schema[weights], "weights", weights)

    # integer answers are grouped as they are (no widening copy); floats lose NaN
    s = nw.col(score)
    columns = [(s.fill_nan(None) if schema[score].is_float() else s).alias(_S)]
    aggs = [nw.len().alias(_N)]
    if weights is not None:
        w = nw.col(weights).cast(nw.Float64)
        w = w.fill_nan(None) if schema[weights].is_float() else w
        # row-wise columns first, so that every aggregation is a plain one
        # (pandas and Dask run only those natively)
        columns += [
            w.alias(_W),
            (w * w).alias(_W2),
            w.is_null().cast(nw.Int64).alias(_WBAD),
            w.alias(_WMIN),
            w.alias(_WMAX),
        ]
        aggs += [
            nw.col(_W).sum(),
            nw.col(_W2).sum(),
            nw.col(_WBAD).sum(),
            nw.col(_WMIN).min(),
            nw.col(_WMAX).max(),
        ]
    table = (
        frame.with_columns(*columns).group_by(*by, _S, drop_null_keys=False).agg(*aggs)
    )
    table = collect(table)

    values = table.get_column(_S).to_numpy().astype(np.float64)
    n = table.get_column(_N).to_numpy().astype(np.int64)
    for col in by:
        nulls = int(table.get_column(col).is_null().sum())
        if nulls:
            rows = int(n[table.get_column(col).is_null().to_numpy()].sum())
            msg = f"`by` column {col!r} contains {rows} missing key(s); every row needs a group."
            raise MissingValueError(msg)

    missing = np.isnan(values)
    if nan_policy == "raise" and missing.any():
        _raise_with_index(
            frame, score, (low, high), int(n[missing].sum()), missing=True
        )
    present = ~missing
    bad = present & (
        (values < low) | (values > high) | (values != np.floor(np.nan_to_num(values)))
    )
    if bad.any():
        _raise_with_index(frame, score, (low, high), int(n[bad].sum()), missing=False)
    if weights is not None:
        _check_weights(frame, weights, table)

    keys, group = factorise(table, by)
    g, k = len(keys), high - low + 1
    # missing answers go to an extra column k, dropped into n_missing below
    point = np.where(missing, k, np.nan_to_num(values, nan=low) - low).astype(np.intp)
    cell = group * (k + 1) + point
    counts = np.bincount(cell, weights=n, minlength=g * (k + 1))
    counts = np.rint(counts).astype(np.int64).reshape(g, k + 1)
    wsum: NDArray[np.float64] | None = None
    w2sum: NDArray[np.float64] | None = None
    if weights is not None:
        size = g * (k + 1)
        ws = np.nan_to_num(table.get_column(_W).to_numpy().astype(np.float64))
        w2 = np.nan_to_num(table.get_column(_W2).to_numpy().astype(np.float64))
        wsum = np.bincount(cell, ws, size).astype(np.float64).reshape(g, k + 1)[:, :-1]
        w2sum = np.bincount(cell, w2, size).astype(np.float64).reshape(g, k + 1)[:, :-1]
    return Histogram(keys, counts[:, :-1], counts[:, -1], wsum, w2sum)


def _check_numeric(dtype: Any, arg: str, column: str) -> None:
    if not dtype.is_numeric() or dtype.is_boolean():
        msg = f"`{arg}` column {column!r} must be numeric; it has dtype {dtype}."
        raise InvalidInputTypeError(msg)


def factorise(table: Any, by: Sequence[str]) -> tuple[NDArray[Any], NDArray[np.intp]]:
    """Sorted unique group keys (records for several columns) and each row's group."""
    if not by:
        return np.zeros(1, dtype=np.int64), np.zeros(len(table), dtype=np.intp)
    cols = [_key_array(table.get_column(c).to_numpy(), c) for c in by]
    if len(cols) == 1:
        keys, inverse = np.unique(cols[0], return_inverse=True)
    else:
        rec = np.empty(
            len(table), dtype=[(c, a.dtype) for c, a in zip(by, cols, strict=True)]
        )
        for c, a in zip(by, cols, strict=True):
            rec[c] = a
        keys, inverse = np.unique(rec, return_inverse=True)
    return keys, inverse.reshape(-1).astype(np.intp)


def _key_array(values: NDArray[Any], column: str = "") -> NDArray[Any]:
    """Keys as numpy labels: text as unicode, numbers and booleans as they are."""
    if values.dtype.kind == "O":
        items = values.tolist()
        if all(isinstance(v, str) for v in items):
            return np.array(items, dtype=str)
        if all(isinstance(v, bool) for v in items):
            return np.array(items, dtype=bool)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            return np.array(items, dtype=np.int64)
        kinds = sorted({type(v).__name__ for v in items})
        msg = (
            f"`by` column {column!r}: group keys must be of one type (integers, "
            f"strings or booleans), with no missing key; got {kinds}."
        )
        raise InvalidInputTypeError(msg)
    if values.dtype.kind == "f":
        whole = np.isfinite(values) & (values == np.floor(values))
        if whole.all():
            return values.astype(np.int64)
    return values


def _raise_with_index(
    frame: Any, score: str, scale: tuple[int, int], rows: int, *, missing: bool
) -> None:
    """Re-run the array validation on the column to name the first bad row.

    Only on the error path, and only for eager frames (lazy frames have no row order).
    """
    nw = narwhals()
    low, high = scale
    name = f"score column {score!r}"
    if isinstance(frame, nw.DataFrame):
        column = frame.get_column(score).to_numpy()
        policy = "raise" if missing else "omit"
        integer_scale(column, name, low=low, high=high, nan_policy=policy)
    # lazy frames have no row order: the aggregate tells what and how many, not where
    if missing:
        msg = (
            f"`{name}` contains {rows} missing value(s) (NaN/None); pass "
            "nan_policy='omit' to drop and count them."
        )
        raise MissingValueError(msg)
    msg = f"`{name}` has {rows} value(s) that are not whole numbers in [{low}, {high}]."
    raise InvalidInputError(msg)


def _check_weights(frame: Any, weights: str, table: Any) -> None:
    nw = narwhals()
    nulls = int(np.nansum(table.get_column(_WBAD).to_numpy().astype(np.float64)))
    wmin = np.nanmin(table.get_column(_WMIN).to_numpy().astype(np.float64), initial=0.0)
    wmax = np.nanmax(table.get_column(_WMAX).to_numpy().astype(np.float64), initial=0.0)
    if not nulls and wmin >= 0 and wmax <= _WEIGHT_MAX:
        return
    name = f"weights column {weights!r}"
    if isinstance(frame, nw.DataFrame):
        column = frame.get_column(weights).to_numpy()
        weights_array(column, len(column), name=name, like="score")
    what = (
        f"{nulls} missing value(s)"
        if nulls
        else f"a negative weight ({wmin})"
        if wmin < 0
        else f"a weight too large to square ({wmax})"
    )
    msg = f"`{name}` has {what}; weights must be finite non-negative numbers."
    raise InvalidInputError(msg)
