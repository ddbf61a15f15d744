"""Dask: map the numpy kernel over partitions (or blocks) and add the states.

A state per partition, merged exactly, costs about what numpy costs on the same rows;
a Dask ``groupby`` shuffles and costs several times more, so partitions are reduced
locally and only the small states travel.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.optional import require
from cxmetrics.exceptions import (
    CXMetricsError,
    InvalidInputTypeError,
)
from cxmetrics.frames._histogram import histogram
from cxmetrics.frames._native import check_column_names, wrap

__all__ = ["dask_columns", "dask_frame", "dask_state", "is_dask", "map_states"]


def is_dask(df: object) -> bool:
    """Whether ``df`` is a Dask dataframe (checked without importing Dask)."""
    return type(df).__module__.startswith("dask.") and hasattr(df, "to_delayed")


def dask_columns(
    ddf: Any, columns: Mapping[str, str | Sequence[str] | None]
) -> dict[str, list[str]]:
    """Check that every named column exists in a Dask dataframe (as for any frame)."""
    return check_column_names([str(c) for c in ddf.columns], columns)


def dask_frame(columns: Mapping[str, NDArray[Any]]) -> Any:
    """A one-partition Dask dataframe of the (small) result columns."""
    pd = require("pandas", feature="Dask results")
    dd = require("dask.dataframe", feature="Dask results")
    return dd.from_pandas(pd.DataFrame(dict(columns)), npartitions=1)


def _numpy_column(part: Any, column: str) -> NDArray[Any]:
    """A pandas column as numpy; nullable dtypes with NA become float with NaN."""
    series = part[column]
    if isinstance(series.dtype, np.dtype):
        return np.asarray(series.to_numpy())
    if series.dtype.kind in "iuf":
        return np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.asarray(series.to_numpy())


def _partition_state(
    part: Any,
    index: int,
    grouped: type[Any],
    score: str,
    by: Sequence[str],
    weights: str | None,
    scheme: Any,
    nan_policy: str,
) -> Any:
    try:
        if len(by) > 1:
            h = histogram(
                wrap(part),
                score,
                by,
                weights,
                low=scheme.low,
                high=scheme.high,
                nan_policy=nan_policy,
            )
            return grouped(scheme, *h)
        responses = _numpy_column(part, score)
        w = None if weights is None else _numpy_column(part, weights)
        if not by:
            s = grouped._scalar.from_responses(  # noqa: SLF001
                responses, weights=w, scheme=scheme, nan_policy=nan_policy
            )
            k = s.counts.shape[0]
            return grouped(
                scheme,
                np.zeros(1, np.int64),
                s.counts.reshape(1, k),
                [s.n_missing],
                None if s.weight_sums is None else s.weight_sums.reshape(1, k),
                None if s.weight_squares is None else s.weight_squares.reshape(1, k),
            )
        keys = _numpy_column(part, by[0])
        if keys.dtype.kind == "O" and keys.size and isinstance(keys[0], str):
            keys = keys.astype(str)
        return grouped.from_responses(
            responses, by=keys, weights=w, scheme=scheme, nan_policy=nan_policy
        )
    except CXMetricsError as err:
        # indices in the message count from the start of this partition; the
        # arrays are the columns the caller named
        text = str(err).replace("`responses`", f"`score` column {score!r}")
        msg = f"in Dask partition {index} (indices within the partition): {text}"
        raise type(err)(msg) from None


def _total(states: Sequence[Any]) -> Any:
    return functools.reduce(operator.add, states)


def dask_state(
    grouped: type[Any],
    ddf: Any,
    score: str,
    by: Sequence[str],
    weights: str | None,
    scheme: Any,
    nan_policy: str,
) -> Any:
    """The grouped state of a Dask dataframe: one numpy state per partition, added."""
    dask = require("dask", feature="Dask dataframes in cxmetrics.frames")
    columns = [score, *by, *([weights] if weights else [])]
    parts = ddf[columns].to_delayed()
    states = [
        dask.delayed(_partition_state)(
            p, i, grouped, score, by, weights, scheme, nan_policy
        )
        for i, p in enumerate(parts)
    ]
    if not states:
        return grouped.empty(scheme)
    return dask.delayed(_total)(states).compute()


def map_states(build: Callable[..., Any], *arrays: Any, **kwargs: Any) -> Any:
    """Build a state per block of aligned Dask arrays and add them.

    Works for any state constructor of any family: ``build(*blocks, **kwargs)``
    is called once per block, and the states are merged exactly (``+``).

    Parameters
    ----------
    build : callable
        A state constructor, e.g. ``cxmetrics.GroupedNPSState.from_responses``.
    *arrays : dask.array.Array
        1-D arrays with the same chunks (e.g. answers and group keys).
    **kwargs
        Passed to ``build`` (``weights`` may also be a Dask array with the same chunks).

    Returns
    -------
    state
        The merged state; equal to ``build`` on the whole (computed) arrays.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> from cxmetrics import frames
    >>> x = da.from_array(np.array([10, 9, 0, 7, 10, 3]), chunks=2)
    >>> s = frames.map_states(cx.NPSState.from_responses, x)
    >>> s == cx.NPSState.from_responses([10, 9, 0, 7, 10, 3])
    True
    """
    dask = require("dask", feature="cxmetrics.frames.map_states")
    da = require("dask.array", feature="cxmetrics.frames.map_states")
    blocked = {k: v for k, v in kwargs.items() if isinstance(v, da.Array)}
    plain = {k: v for k, v in kwargs.items() if k not in blocked}
    all_arrays = [*arrays, *blocked.values()]
    if not all_arrays:
        msg = "map_states needs at least one Dask array."
        raise InvalidInputTypeError(msg)
    for i, a in enumerate(all_arrays):
        if not isinstance(a, da.Array) or a.ndim != 1:
            msg = f"argument {i} of map_states must be a 1-D dask.array.Array; got {type(a).__name__}."
            raise InvalidInputTypeError(msg)
        if a.chunks != all_arrays[0].chunks:
            msg = f"argument {i} of map_states has chunks {a.chunks}, not {all_arrays[0].chunks}; rechunk the arrays alike."
            raise InvalidInputTypeError(msg)
    names = list(blocked)
    columns = [a.to_delayed().ravel() for a in all_arrays]

    def one(*blocks: Any) -> Any:
        pos, named = blocks[: len(arrays)], blocks[len(arrays) :]
        return build(*pos, **plain, **dict(zip(names, named, strict=True)))

    states = [dask.delayed(one)(*blocks) for blocks in zip(*columns, strict=True)]
    return dask.delayed(_total)(states).compute()
