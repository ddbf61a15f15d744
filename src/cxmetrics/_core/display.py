"""How results look to a person: HTML tables in notebooks, plain dicts everywhere.

Every result class inherits :class:`DisplayMixin`. Jupyter calls ``_repr_html_``:
a grouped or array result shows as a table with one row per group (the first 50
rows). A single result shows as a two-column table of its fields, under its
one-line summary. The terminal keeps each class's own ``repr``.
"""

from __future__ import annotations

import html
import math
from typing import Any

import attrs
import numpy as np

__all__ = ["DisplayMixin", "format_value", "html_table"]

MAX_ROWS = 50


def format_value(value: Any) -> str:
    """A cell as a person reads it: 4 significant digits, thousands separated."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "nan"
        return f"{v:.4g}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return format_value(value.item())
        if value.size <= 6:
            return "[" + ", ".join(format_value(v) for v in value.tolist()) + "]"
        return f"array of shape {value.shape}"
    if isinstance(value, np.datetime64):
        return str(value)
    return str(value)


def html_table(
    headers: list[str], rows: list[list[str]], *, caption: str | None = None
) -> str:
    """A small self-contained HTML table (every cell escaped)."""
    out = ['<table class="cxmetrics">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append(
        "<thead><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        + "</tr></thead><tbody>"
    )
    out.extend(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    out.append("</tbody></table>")
    return "".join(out)


def _columns_html(obj: Any) -> str:
    columns: dict[str, Any] = obj.to_dict()
    names = [k for k, v in columns.items() if np.ndim(v) >= 1]
    arrays = [np.asarray(columns[k]) for k in names]
    n = len(arrays[0]) if arrays else 0
    rows = [[format_value(a[i]) for a in arrays] for i in range(min(n, MAX_ROWS))]
    caption = f"{type(obj).__name__}: {n} row(s)"
    if n > MAX_ROWS:
        caption += f", first {MAX_ROWS} shown"
    return html_table(names, rows, caption=caption)


def _fields_html(obj: Any) -> str:
    rows = [
        [f.name, format_value(getattr(obj, f.name))]
        for f in attrs.fields(type(obj))
        if not f.name.startswith("_")
    ]
    summary = str(obj)
    caption = summary if len(summary) < 200 else type(obj).__name__
    return html_table(["field", "value"], rows, caption=caption)


class DisplayMixin:
    """``_repr_html_`` for notebooks; columnar results render as tables."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        if hasattr(self, "keys") or hasattr(type(self), "_columns"):
            return _columns_html(self)
        return _fields_html(self)
