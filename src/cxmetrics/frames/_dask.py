"""Dask: map the numpy kernel over partitions (or blocks) and add the states.

A state per partition, merged exactly, costs about what numpy costs on the same rows;
a Dask ``groupby`` shuffles and costs several times more, so partitions are reduced
locally and only the small states travel.
"""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.mergeable import Mergeable
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

    Raises
    ------
    InvalidInputTypeError
        When ``build`` is not callable, cannot take the arrays and keywords given,
        or returns something other than a state; when an array is not a 1-D Dask
        array or its chunks differ from those of ``arrays[0]``.
    CXMetricsError
        Whatever ``build`` raises on a block, with the block's number (indices in
        the message count from the start of that block).

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
    given: object = build  # typed as a callable, checked as any object
    if not callable(given):
        msg = (
            "`build` must be a state constructor such as "
            f"`cxmetrics.NPSState.from_responses`; got {type(given).__name__}."
        )
        raise InvalidInputTypeError(msg)
    blocked = {k: v for k, v in kwargs.items() if isinstance(v, da.Array)}
    plain = {k: v for k, v in kwargs.items() if k not in blocked}
    if not arrays:
        msg = "`arrays`: map_states needs at least one Dask array."
        raise InvalidInputTypeError(msg)
    labelled = [
        *((f"arrays[{i}]", a) for i, a in enumerate(arrays)),
        *blocked.items(),
    ]
    first = arrays[0]
    for label, a in labelled:
        if not isinstance(a, da.Array) or a.ndim != 1:
            shape = f" of shape {a.shape}" if isinstance(a, da.Array) else ""
            msg = (
                f"`{label}` must be a 1-D dask.array.Array; "
                f"got {type(a).__name__}{shape}."
            )
            raise InvalidInputTypeError(msg)
        if a.chunks != first.chunks:
            msg = (
                f"`{label}` has chunks {a.chunks}, not {first.chunks} as `arrays[0]`; "
                "rechunk the arrays alike."
            )
            raise InvalidInputTypeError(msg)
    _check_signature(build, len(arrays), [*plain, *blocked])
    names = list(blocked)
    columns = [a.to_delayed().ravel() for _, a in labelled]

    def one(index: int, *blocks: Any) -> Any:
        pos, named = blocks[: len(arrays)], blocks[len(arrays) :]
        try:
            state = build(*pos, **plain, **dict(zip(names, named, strict=True)))
        except CXMetricsError as err:
            # the message's indices count from the start of this block
            msg = f"in block {index} of `arrays` (indices within the block): {err}"
            raise type(err)(msg) from None
        if not isinstance(state, Mergeable):
            msg = (
                "`build` must return a cxmetrics state (e.g. "
                f"`NPSState.from_responses`); it returned a {type(state).__name__}."
            )
            raise InvalidInputTypeError(msg)
        return state

    blocks = zip(*columns, strict=True)
    states = [dask.delayed(one)(i, *b) for i, b in enumerate(blocks)]
    return dask.delayed(_total)(states).compute()


def _check_signature(
    build: Callable[..., Any], n_positional: int, names: list[str]
) -> None:
    """Refuse up front a ``build`` that cannot take the arrays and keywords given."""
    try:
        signature = inspect.signature(build)
    except (TypeError, ValueError):  # a builtin without a signature: try it as is
        return
    try:
        signature.bind(*range(n_positional), **dict.fromkeys(names))
    except TypeError as err:
        msg = (
            f"`build` ({getattr(build, '__qualname__', build)!r}) cannot take "
            f"{n_positional} array(s) and the keywords {names}: {err}."
        )
        raise InvalidInputTypeError(msg) from None
