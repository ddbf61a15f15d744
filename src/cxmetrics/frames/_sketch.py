"""Duration percentiles on dataframes: the mergeable sketch per group and partition.

:class:`~cxmetrics.support.DurationSketchState` (DDSketch buckets) is built where
the data lives:

- eager in-memory frames (pandas, polars, pyarrow): the columns are handed to the
  numpy build as they are;
- Dask: one numpy sketch per partition, added exactly (no shuffle);
- lazy and remote engines (polars lazy, DuckDB, PySpark): the engine computes each
  duration's bucket, ``ceil(log2(x) * m)``, and counts ``(group, bucket)`` pairs
  in one ``group_by``; only the bucket counts come back.

An engine's ``log2`` may differ from numpy's in the last bit, so a duration lying
within a rounding error of a bucket boundary may fall in the neighbouring bucket;
each quantile is still within the relative accuracy of the order statistic it
targets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.log_buckets import (
    _TINY,
    _ZERO_KEY,
    _check_accuracy,
    _combine,
    _multiplier,
)
from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_option, parameter_array
from cxmetrics.exceptions import (
    CXMetricsError,
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.frames._dask import dask_columns, dask_frame, is_dask
from cxmetrics.frames._histogram import factorise
from cxmetrics.frames._native import (
    collect,
    column_names,
    key_columns,
    narwhals,
    to_frame,
    wrap,
)
from cxmetrics.support import DurationSketchState
from cxmetrics.typing import NanPolicy

__all__ = ["duration_sketch_state", "duration_summary"]

By = str | Sequence[str] | None
_KEY, _N, _SUM = "__cx_key", "__cx_n", "__cx_sum"
_MISSING, _NEG, _INF = "__cx_missing", "__cx_negative", "__cx_infinite"


def _arrays(part: Any, duration: str, by: Sequence[str]) -> tuple[Any, Any]:
    """Numpy columns of a pandas partition or an eager narwhals frame."""
    nw = narwhals()
    if isinstance(part, nw.DataFrame):
        x = part.get_column(duration).to_numpy()
        keys = [part.get_column(c).to_numpy() for c in by]
    else:  # a pandas partition of a Dask frame
        x = np.asarray(part[duration].to_numpy())
        keys = [np.asarray(part[c].to_numpy()) for c in by]
    keys = [k.astype(str) if k.dtype.kind == "O" else k for k in keys]
    group: Any = None if not by else keys[0] if len(keys) == 1 else keys
    return x, group


def _numpy_sketch(
    part: Any, duration: str, by: Sequence[str], a: float, nan_policy: NanPolicy
) -> DurationSketchState:
    x, group = _arrays(part, duration, by)
    return DurationSketchState.from_durations(
        x, by=group, relative_accuracy=a, nan_policy=nan_policy
    )


def _partition_sketch(
    part: Any,
    index: int,
    duration: str,
    by: Sequence[str],
    a: float,
    policy: NanPolicy,
) -> DurationSketchState:
    try:
        return _numpy_sketch(part, duration, by, a, policy)
    except CXMetricsError as err:
        msg = f"in Dask partition {index} (indices within the partition): {err}"
        raise type(err)(msg) from None


def _dask_sketch(
    ddf: Any, duration: str, by: Sequence[str], a: float, nan_policy: NanPolicy
) -> DurationSketchState:
    dask = require("dask", feature="Dask dataframes in cxmetrics.frames")
    parts = ddf[[duration, *by]].to_delayed()
    sketches = [
        dask.delayed(_partition_sketch)(p, i, duration, by, a, nan_policy)
        for i, p in enumerate(parts)
    ]
    if not sketches:
        return DurationSketchState.empty(a)
    return dask.delayed(sum)(sketches[1:], sketches[0]).compute()  # type: ignore[no-any-return]


def _seconds(frame: Any, duration: str) -> Any:
    """The duration column as float seconds, in the engine."""
    nw = narwhals()
    dtype = frame.collect_schema()[duration]
    col = nw.col(duration)
    if dtype == nw.Duration:
        return col.dt.total_microseconds().cast(nw.Float64) / 1e6
    if not dtype.is_numeric() or dtype.is_boolean():
        msg = f"`duration` column {duration!r} must hold numbers or time deltas; it has dtype {dtype}."
        raise InvalidInputTypeError(msg)
    return col.cast(nw.Float64)


def _engine_sketch(
    frame: Any, duration: str, by: list[str], a: float, nan_policy: NanPolicy
) -> DurationSketchState:
    """Bucket counts per group from one ``group_by`` in a lazy or remote engine."""
    nw = narwhals()
    x = _seconds(frame, duration)
    absent = x.is_null() | x.is_nan()
    checks = collect(
        frame.group_by(*by, drop_null_keys=False).agg(
            absent.cast(nw.Int64).sum().alias(_MISSING),
            (x < 0).cast(nw.Int64).sum().alias(_NEG),
            (x.abs() == math.inf).cast(nw.Int64).sum().alias(_INF),
        )
        if by
        else frame.select(
            absent.cast(nw.Int64).sum().alias(_MISSING),
            (x < 0).cast(nw.Int64).sum().alias(_NEG),
            (x.abs() == math.inf).cast(nw.Int64).sum().alias(_INF),
        )
    )
    bad_inf = int(np.sum(checks.get_column(_INF).to_numpy()))
    bad_neg = int(np.sum(checks.get_column(_NEG).to_numpy()))
    missing = checks.get_column(_MISSING).to_numpy().astype(np.int64)
    if bad_inf:
        msg = f"`duration` column {duration!r} must be finite; it holds {bad_inf} non-finite value(s)."
        raise InvalidInputError(msg)
    if bad_neg:
        msg = f"`duration` column {duration!r} must be non-negative; it holds {bad_neg} negative value(s)."
        raise InvalidInputError(msg)
    if nan_policy == "raise" and missing.sum():
        msg = f"`duration` column {duration!r} contains {int(missing.sum())} missing value(s) (NaN/None); pass nan_policy='omit' to drop and count them."
        raise MissingValueError(msg)
    mult = _multiplier(a)
    key = (
        nw.when(x > _TINY)
        .then((x.log(base=2) * mult).ceil())
        .otherwise(float(_ZERO_KEY))
        .cast(nw.Int64)
    )
    table = collect(
        frame.filter(~absent)
        .with_columns(key.alias(_KEY), x.alias(_SUM))
        .group_by(*by, _KEY, drop_null_keys=False)
        .agg(nw.len().alias(_N), nw.col(_SUM).sum())
    )
    if by:
        keys_t, group_t = factorise(table, by)
        keys_c, group_c = factorise(checks, by)
        # groups with only missing durations appear in the checks alone
        keys = np.union1d(keys_t, keys_c)
        group = np.searchsorted(keys, keys_t)[group_t]
        pos = np.searchsorted(keys, keys_c)[group_c]
    else:
        keys = np.array(["all"])
        group = np.zeros(len(table), dtype=np.intp)
        pos = np.zeros(len(checks), dtype=np.intp)
    size = len(keys)
    n = table.get_column(_N).to_numpy().astype(np.int64)
    sums = table.get_column(_SUM).to_numpy().astype(np.float64)
    bucket = table.get_column(_KEY).to_numpy().astype(np.int64)
    zero = bucket == _ZERO_KEY
    group = np.asarray(group, dtype=np.int64)
    zero_count = np.bincount(group[zero], n[zero], minlength=size).astype(np.int64)
    total = np.bincount(group, sums, minlength=size)
    n_missing = np.bincount(pos, missing, minlength=size).astype(np.int64)
    keep = ~zero
    bg, bk, bc = _combine(group[keep], bucket[keep], n[keep])
    return DurationSketchState(keys, a, bg, bk, bc, zero_count, n_missing, total)


def duration_sketch_state(
    df: Any,
    duration: str,
    *,
    by: By = None,
    relative_accuracy: float = 0.01,
    nan_policy: NanPolicy = "omit",
) -> DurationSketchState:
    """The mergeable duration sketch of a dataframe column, per group.

    Parameters
    ----------
    df : dataframe
        pandas, polars (eager or lazy), pyarrow, DuckDB, Dask or PySpark.
    duration : str
        Column of non-negative durations (seconds) or time deltas (read as
        seconds); missing values mark durations not defined yet.
    by : str or list of str, optional
        Grouping column(s) (queue, channel, week...); one group ``'all'`` without.
    relative_accuracy : float, default 0.01
        ``a``: every quantile within ``a`` of the order statistic it targets.
    nan_policy : {'omit', 'raise'}, default 'omit'
        Missing durations are left out and counted per group, or raise.

    Returns
    -------
    DurationSketchState
        Equal to :meth:`DurationSketchState.from_durations` on the same values
        (for lazy engines, up to durations within a rounding error of a bucket
        boundary); sketches of several frames add exactly.

    Examples
    --------
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> df = pl.DataFrame({"wait": [30.0, 60.0, 0.0, 600.0], "queue": ["a", "a", "b", "b"]})
    >>> s = frames.duration_sketch_state(df, "wait", by="queue")
    >>> s.n.tolist(), s.quantile(0.5).round(1).tolist()
    ([2, 2], [30.3, 0.0])
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    a = _check_accuracy(relative_accuracy)
    if is_dask(df):
        cols = dask_columns(df, {"duration": duration, "by": by})
        return _dask_sketch(df, duration, cols["by"], a, nan_policy)
    frame = wrap(df)
    cols = column_names(frame, {"duration": duration, "by": by})
    nw = narwhals()
    if isinstance(frame, nw.DataFrame):
        return _numpy_sketch(frame, duration, cols["by"], a, nan_policy)
    return _engine_sketch(frame, duration, cols["by"], a, nan_policy)


def duration_summary(
    df: Any,
    duration: str,
    *,
    by: By = None,
    quantiles: Sequence[float] = (0.5, 0.9),
    relative_accuracy: float = 0.01,
    nan_policy: NanPolicy = "omit",
) -> Any:
    """Duration percentiles per group of a dataframe, from the mergeable sketch.

    The frames counterpart of :func:`cxmetrics.duration_summary` with
    ``method='sketch'``: n and mean exact, each quantile within
    ``relative_accuracy`` of the order statistic of rank ``floor(q (n - 1))``.

    Parameters
    ----------
    df, duration, by, relative_accuracy, nan_policy
        As in :func:`duration_sketch_state`.
    quantiles : sequence of float, default (0.5, 0.9)
        Probabilities in [0, 1]; one column ``p<100 q>`` each (``p50``, ``p90``).

    Returns
    -------
    dataframe
        The ``by`` columns (or one row), ``n``, ``n_missing``, ``mean`` and the
        quantile columns, as a frame of the caller's kind. Empty groups give NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics import frames
    >>> df = pd.DataFrame({"handle": [120.0, 300.0, 240.0, 60.0], "queue": [1, 1, 2, 2]})
    >>> frames.duration_summary(df, "handle", by="queue").round(1)
       queue  n  n_missing   mean    p50    p90
    0      1  2          0  210.0  120.3  120.3
    1      2  2          0  150.0   59.7   59.7
    """
    probs = parameter_array(quantiles, "quantiles", low=0.0, high=1.0).reshape(-1)
    state = duration_sketch_state(
        df, duration, by=by, relative_accuracy=relative_accuracy, nan_policy=nan_policy
    )
    table = state.quantile_table(probs)
    n = state.n
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, state.total / np.maximum(n, 1), np.nan)
    names = [by] if isinstance(by, str) else list(by or [])
    out: dict[str, NDArray[Any]] = key_columns(state.keys, names) if names else {}
    out.update({"n": n, "n_missing": state.n_missing, "mean": mean})
    for j, p in enumerate(probs.tolist()):
        out[f"p{100 * p:g}"] = table[:, j]
    return dask_frame(out) if is_dask(df) else to_frame(out, wrap(df))
