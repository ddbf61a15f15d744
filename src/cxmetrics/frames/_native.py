"""Dataframes in, dataframes out: the narwhals boundary of the ``frames`` extra.

Every frame a caller brings (pandas, polars eager or lazy, pyarrow, DuckDB, Dask,
PySpark) is wrapped once with narwhals; the per-group sums and counts run in the
caller's engine; only the small aggregate comes back to numpy. The result is built
as a frame of the caller's kind: eager in, eager of the same library out; lazy in,
lazy of the same engine out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.optional import require
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

__all__ = [
    "check_column_names",
    "collect",
    "column_names",
    "key_columns",
    "log_frame",
    "narwhals",
    "to_frame",
    "wrap",
]


def narwhals() -> Any:
    """The narwhals module, or an error naming the ``frames`` extra."""
    return require("narwhals", feature="cxmetrics.frames")


def wrap(df: object, name: str = "df") -> Any:
    """``df`` as a narwhals DataFrame or LazyFrame; a clear error for anything else."""
    nw = narwhals()
    if isinstance(df, nw.DataFrame | nw.LazyFrame):
        return df
    try:
        return nw.from_native(df)
    except TypeError:
        msg = (
            f"`{name}` must be a dataframe (pandas, polars, pyarrow, DuckDB, Dask or "
            f"PySpark); got {type(df).__name__}."
        )
        raise InvalidInputTypeError(msg) from None


def collect(frame: Any) -> Any:
    """Run a lazy query (the aggregate is small); an eager frame is returned as it is."""
    nw = narwhals()
    return frame.collect() if isinstance(frame, nw.LazyFrame) else frame


#: column arguments that may be None (not given); every other one names a column
OPTIONAL_COLUMNS = ("by", "weights", "amount")


def column_names(
    frame: Any, columns: Mapping[str, str | Sequence[str] | None]
) -> dict[str, list[str]]:
    """Check that every named column exists; returns argument -> list of columns."""
    return check_column_names(list(frame.collect_schema().names()), columns)


def check_column_names(
    have: list[str], columns: Mapping[str, str | Sequence[str] | None]
) -> dict[str, list[str]]:
    """:func:`column_names` against the column names ``have`` (any engine, Dask too)."""
    out: dict[str, list[str]] = {}
    for arg, cols in columns.items():
        if cols is None and arg in OPTIONAL_COLUMNS:
            out[arg] = []
            continue
        if not isinstance(cols, str | list | tuple):
            msg = f"`{arg}` must name a column (a string){' or a list of them' if arg == 'by' else ''}; got {cols!r:.60}."
            raise InvalidInputTypeError(msg)
        listed: list[object] = [cols] if isinstance(cols, str) else list(cols)
        if not listed:
            msg = f"`{arg}` names no column; pass None (the default) for none."
            raise InvalidInputError(msg)
        for c in listed:
            if not isinstance(c, str):
                msg = f"`{arg}` must name columns by string; got {c!r}."
                raise InvalidInputTypeError(msg)
            if c not in have:
                msg = f"`{arg}`: no column {c!r} in the frame; its columns are {have}."
                raise InvalidInputError(msg)
        dup = sorted({c for c in listed if listed.count(c) > 1}, key=str)
        if dup:
            msg = f"`{arg}` names the column(s) {dup} more than once; name each column once."
            raise InvalidInputError(msg)
        out[arg] = [str(c) for c in listed]
    return out


def key_columns(keys: NDArray[Any], names: Sequence[str]) -> dict[str, NDArray[Any]]:
    """Split a key array (labels, or records with one field per column) into columns."""
    if keys.dtype.names:
        return {name: np.asarray(keys[name]) for name in keys.dtype.names}
    return {names[0]: keys}


def to_frame(columns: Mapping[str, NDArray[Any]], like: Any) -> Any:
    """A native frame of the same kind as ``like`` (a narwhals frame) holding ``columns``."""
    nw = narwhals()
    impl = like.implementation
    data = {k: _plain(v) for k, v in columns.items()}
    if any(np.asarray(v).size == 0 for v in columns.values()):
        data = _typed_empty(data, like)
    if isinstance(like, nw.DataFrame):
        return nw.from_dict(data, backend=impl).to_native()
    # lazy in, lazy out: build eagerly (the result is small), then hand it to the engine
    eager_backend = "polars" if impl is nw.Implementation.POLARS else "pyarrow"
    if eager_backend == "pyarrow" and not _has("pyarrow"):
        eager_backend = "pandas"
    eager = nw.from_dict(data, backend=eager_backend)
    if impl is nw.Implementation.POLARS:
        return eager.lazy().to_native()
    if impl in (nw.Implementation.PYSPARK, nw.Implementation.PYSPARK_CONNECT):
        native = like.to_native()
        return eager.lazy(backend=impl, session=native.sparkSession).to_native()
    if impl is nw.Implementation.DUCKDB:
        return eager.lazy(backend=impl).to_native()
    return eager.to_native()


def _typed_empty(data: dict[str, Any], like: Any) -> dict[str, Any]:
    """Empty key columns take the source column's kind (not an untyped object column)."""
    nw = narwhals()
    schema = like.collect_schema()
    out = dict(data)
    for name, values in data.items():
        arr = np.asarray(values)
        if arr.size or arr.dtype != object or name not in schema:
            continue
        dtype = schema[name]
        if dtype == nw.String:
            out[name] = np.array([], dtype=str)
        elif dtype == nw.Boolean:
            out[name] = np.array([], dtype=bool)
        elif dtype.is_integer():
            out[name] = np.array([], dtype=np.int64)
        elif dtype.is_float():
            out[name] = np.array([], dtype=np.float64)
        elif dtype == nw.Datetime:
            out[name] = np.array([], dtype="datetime64[ns]")
        elif dtype == nw.Date:
            out[name] = np.array([], dtype="datetime64[D]")
    return out


def _has(module: str) -> bool:
    import importlib.util  # noqa: PLC0415

    return importlib.util.find_spec(module) is not None


def _plain(values: NDArray[Any]) -> NDArray[Any] | list[Any]:
    """Arrays every backend accepts: text keys as Python strings."""
    arr = np.asarray(values)
    if arr.dtype.kind in "US":
        return arr.astype(object)
    return arr


def log_frame(df: Any, columns: Mapping[str, str | None], time: str) -> Any:
    """An event log (customer, naive time, optional value) checked in the engine.

    ``columns`` maps argument names to column names (``None``: not given). The
    time column must hold naive dates or datetimes, and no named column may hold
    a missing value (one aggregation counts them). Returns the narwhals frame.
    """
    nw = narwhals()
    frame = wrap(df)
    column_names(frame, columns)
    dtype = frame.collect_schema()[time]
    if dtype not in (nw.Datetime, nw.Date):
        msg = f"`time` column {time!r} must hold dates or datetimes; it has dtype {dtype}."
        raise InvalidInputTypeError(msg)
    if dtype == nw.Datetime and getattr(dtype, "time_zone", None):
        msg = f"`time` column {time!r} is time-zone aware ({dtype}); convert it to naive local times first."
        raise InvalidInputTypeError(msg)
    named = {arg: col for arg, col in columns.items() if col is not None}
    # booleans cast before summing: Spark does not sum booleans
    counts = frame.select(
        *(
            nw.col(col).is_null().cast(nw.Int64).sum().alias(arg)
            for arg, col in named.items()
        )
    )
    counts = collect(counts)
    for arg, col in named.items():
        missing = int(counts.get_column(arg).to_list()[0])
        if missing:
            msg = f"`{arg}` column {col!r} contains {missing} missing value(s); every row of the log needs one."
            raise MissingValueError(msg)
    return frame
