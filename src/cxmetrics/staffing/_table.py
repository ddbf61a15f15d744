"""Shared behaviour of array results (one row per broadcast input): rows, columns, tables."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.grouped import to_python
from cxmetrics._core.optional import require

__all__ = ["ArrayResultMixin", "format_number", "is_scalar"]


def is_scalar(*values: Any) -> bool:
    """True when every given value is a plain number (not an array, not a list)."""
    return all(
        v is None or (not isinstance(v, np.ndarray | list | tuple) and np.ndim(v) == 0)
        for v in values
    )


def format_number(v: Any) -> str:
    """Compact text for a table cell."""
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return f"{v:.4g}"
    return str(v)


class ArrayResultMixin(DisplayMixin):
    """Rows, columns and a text table for attrs results whose fields are arrays.

    Subclasses name their array fields in ``_columns`` and the fields every row
    shares in ``_shared``; ``result[i]`` is the scalar result of row ``i`` (an int,
    or a tuple for n-d inputs).
    """

    _scalar_result: ClassVar[type]
    _columns: ClassVar[tuple[str, ...]]
    _shared: ClassVar[tuple[str, ...]]
    _table: ClassVar[tuple[str, ...]]

    @property
    def shape(self) -> tuple[int, ...]:
        """The broadcast shape of the inputs."""
        first: NDArray[Any] = getattr(self, self._columns[0])
        return tuple(first.shape)

    @property
    def size(self) -> int:
        """Number of rows."""
        return math.prod(self.shape)

    def __getitem__(self, index: int | tuple[int, ...]) -> Any:
        """The scalar result of one row."""
        fields = {name: to_python(getattr(self, name)[index]) for name in self._columns}
        fields.update({name: getattr(self, name) for name in self._shared})
        return self._scalar_result(**fields)

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns as a dict of flat arrays (rows in C order)."""
        return {name: np.asarray(getattr(self, name)).ravel() for name in self._columns}

    def to_pandas(self) -> Any:
        """The columns as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def to_polars(self) -> Any:
        """The columns as a :class:`polars.DataFrame` (needs polars)."""
        pl = require("polars", feature="to_polars()")
        return pl.DataFrame(self.to_dict())

    def __repr__(self) -> str:
        cols = self.to_dict()
        names = list(self._table)
        rows = [
            [format_number(to_python(cols[c][i])) for c in names]
            for i in range(min(self.size, 20))
        ]
        widths = [
            max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(names)
        ]
        shared = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._shared)
        lines = [
            f"{type(self).__name__} with {self.size} row(s), shape {self.shape}; {shared}"
        ]
        lines.append("  ".join(h.rjust(w) for h, w in zip(names, widths, strict=True)))
        lines.extend(
            "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows
        )
        if self.size > 20:
            lines.append(f"... {self.size - 20} more")
        return "\n".join(lines)
