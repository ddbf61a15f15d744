"""Shared behaviour of grouped (columnar) results: lookup, columns, tables, frames."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.keys import key_columns, position
from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_option, check_positive_int
from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.typing import SmallGroupPolicy

_R = TypeVar("_R")

__all__ = [
    "GroupedResultMixin",
    "apply_min_n",
    "finish_grouped",
    "finish_scalar",
    "to_python",
    "warn_undefined",
]


def to_python(value: Any) -> Any:
    """Numpy scalar or row to the plain Python value a scalar result holds."""
    if isinstance(value, np.ndarray):
        return value.item() if value.ndim == 0 else tuple(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def warn_undefined(
    metric: str, value: NDArray[np.float64], *, stacklevel: int = 4
) -> None:
    """Warn once when a metric is undefined: no answers, or zero total weight."""
    empty = int(np.count_nonzero(np.isnan(value)))
    if not empty:
        return
    if np.ndim(value) == 0:
        msg = f"{metric} is undefined for zero responses (or zero total weight); returning NaN."
    else:
        msg = f"{metric} is undefined for {empty} group(s) with zero responses (or zero total weight); returning NaN for them."
    warnings.warn(msg, UndefinedMetricWarning, stacklevel=stacklevel)


def apply_min_n(
    columns: dict[str, NDArray[Any]],
    min_n: int,
    small_groups: str,
    blank: tuple[str, ...],
) -> dict[str, NDArray[Any]]:
    """Flag groups with fewer than ``min_n`` answers, and blank them if suppressing.

    Suppressed groups keep ``n`` (so a reader sees why) but lose the estimate,
    its standard error and every count that could reveal individual answers:
    floats become NaN and counts 0.
    """
    check_option("small_groups", small_groups, SmallGroupPolicy)
    min_n = check_positive_int("min_n", min_n, minimum=0)
    flagged = np.asarray(columns["n"]) < min_n
    out = dict(columns)
    out["flagged"] = flagged
    if small_groups == "suppress" and flagged.any():
        for name in blank:
            col = np.array(out[name])
            col[flagged] = np.nan if col.dtype.kind == "f" else 0
            out[name] = col
    return out


def _polars_ready(column: Any) -> NDArray[Any]:
    """A column polars takes: datetime64 in D, ms, us or ns (month labels as days)."""
    arr = np.asarray(column)
    if arr.dtype.kind == "M":
        unit = np.datetime_data(arr.dtype)[0]
        if unit in {"Y", "M", "W"}:
            return arr.astype("datetime64[D]")
        if unit in {"h", "m", "s"}:
            return arr.astype("datetime64[ms]")
    return arr


class GroupedResultMixin(DisplayMixin):
    """Lookup by key, columns, text table and dataframe conversion.

    Subclasses are attrs classes with a ``keys`` array and one array per column
    named in ``_columns`` (and ``_hidden``, kept out of tables); ``_shared`` names
    the scalar fields every row shares and ``_key_field`` the scalar field, if
    any, that holds the group's key.
    """

    keys: NDArray[Any]
    _scalar_result: ClassVar[type]
    _columns: ClassVar[tuple[str, ...]]
    _shared: ClassVar[tuple[str, ...]]
    _table: ClassVar[tuple[str, ...]] = ("value", "n")
    _hidden: ClassVar[tuple[str, ...]] = ()
    _key_field: ClassVar[str | None] = None
    _ci_columns: ClassVar[bool] = False

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def _position(self, key: object) -> int:
        """Row of ``key`` (families with other key types override this)."""
        return position(self.keys, key)

    def __getitem__(self, key: object) -> Any:
        """The scalar result of the group ``key``."""
        i = self._position(key)
        fields = {
            name: to_python(getattr(self, name)[i])
            for name in (*self._columns, *self._hidden)
        }
        fields.update({name: getattr(self, name) for name in self._shared})
        if self._key_field is not None:
            fields[self._key_field] = to_python(self.keys[i])
        return self._scalar_result(**fields)

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns as a dict of arrays: the key first, then one per field.

        Record keys (several ``by`` columns) give one column per key field,
        named after it, instead of one ``key`` column; results with a default
        interval (``_ci_columns``) add it as ``ci_low`` and ``ci_high``.
        """
        out: dict[str, NDArray[Any]] = key_columns(self.keys)
        for name in self._columns:
            col = getattr(self, name)
            if col.ndim == 1:
                out[name] = col
        if self._ci_columns:
            interval: Callable[[], tuple[Any, Any]] = getattr(  # noqa: B009
                self, "confidence_interval"
            )
            out["ci_low"], out["ci_high"] = interval()
        return out

    def to_pandas(self) -> Any:
        """The columns as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def to_polars(self) -> Any:
        """The columns as a :class:`polars.DataFrame` (needs polars)."""
        pl = require("polars", feature="to_polars()")
        return pl.DataFrame({k: _polars_ready(v) for k, v in self.to_dict().items()})

    def __repr__(self) -> str:
        names = ["key", *self._table]
        cols = [self.keys, *(getattr(self, c) for c in self._table)]

        def fmt(v: Any) -> str:
            if isinstance(v, float | np.floating):
                return "nan" if np.isnan(v) else f"{v:.4g}"
            if isinstance(v, np.void) and v.dtype.names:  # a record key
                return "(" + ", ".join(fmt(v[name]) for name in v.dtype.names) + ")"
            if isinstance(v, np.datetime64) and np.datetime_data(v.dtype)[0] in {
                "h",
                "m",
                "s",
                "ms",
                "us",
                "ns",
            }:  # a time stamp: the date alone at midnight, else to the second
                day = v.astype("datetime64[D]")
                return str(day) if day == v else np.datetime_as_string(v, unit="s")
            return str(v)

        rows = [[fmt(c[i]) for c in cols] for i in range(min(len(self), 20))]
        widths = [
            max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(names)
        ]
        lines = [f"{type(self).__name__} with {len(self)} group(s)"]
        lines.append("  ".join(h.rjust(w) for h, w in zip(names, widths, strict=True)))
        lines.extend(
            "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows
        )
        if len(self) > 20:
            lines.append(f"... {len(self) - 20} more")
        return "\n".join(lines)


def finish_scalar(
    result: Callable[..., _R],
    metric: str,
    columns: dict[str, NDArray[Any]],
    blank: tuple[str, ...],
    min_n: int,
    small_groups: str,
    *,
    stacklevel: int = 5,
    **shared: Any,
) -> _R:
    """Warn if undefined, apply ``min_n``, and build a scalar result from 0-d columns."""
    warn_undefined(metric, columns["value"], stacklevel=stacklevel)
    cols = apply_min_n(columns, min_n, small_groups, blank)
    return result(**{k: to_python(v) for k, v in cols.items()}, **shared)


def finish_grouped(
    result: Callable[..., _R],
    metric: str,
    keys: NDArray[Any],
    columns: dict[str, NDArray[Any]],
    blank: tuple[str, ...],
    min_n: int,
    small_groups: str,
    *,
    stacklevel: int = 5,
    **shared: Any,
) -> _R:
    """Warn for undefined groups, apply ``min_n``, and build a grouped result."""
    warn_undefined(metric, columns["value"], stacklevel=stacklevel)
    cols = apply_min_n(columns, min_n, small_groups, blank)
    return result(keys=keys, **cols, **shared)
