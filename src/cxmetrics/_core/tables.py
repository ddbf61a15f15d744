"""Result tables: plain-value rows that the command line and the HTML report both show.

A :class:`Table` holds plain Python values (text, int, float, bool, ``None``);
:func:`human` formats one cell as a person reads it and :func:`render_text` lays
tables out as aligned text. Writing them as CSV, JSON or Parquet is the command
line's business (:mod:`cxmetrics.cli`).

Examples
--------
>>> t = Table.from_columns("demo", "Demo", {"share": [0.834], "n": [16270]}, kinds={"share": "share"})
>>> print(render_text([t]))
Demo
share       n
83.4%  16,270
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Table", "human", "render_text"]


@dataclass(frozen=True)
class Table:
    """One result table: a file-safe ``name``, a readable ``title``, columns and rows.

    ``kinds`` says how the text table shows a column: ``share`` (a fraction,
    shown as a percentage), ``count``, ``number``, ``text``, ``alarm`` (a flag
    whose false value is shown as ``NO``).
    """

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    kinds: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @classmethod
    def from_columns(
        cls,
        name: str,
        title: str,
        data: Mapping[str, Any],
        *,
        kinds: dict[str, str] | None = None,
        notes: Sequence[str] = (),
    ) -> Table:
        """A table from columns (numpy arrays or lists), converted to Python values."""
        arrays = [np.atleast_1d(np.asarray(v)) for v in data.values()]
        size = max((a.shape[0] for a in arrays), default=0)
        cols = [
            (np.broadcast_to(a, (size,)) if a.shape == (1,) else a).tolist()
            for a in arrays
        ]
        rows = [tuple(_plain(x) for x in r) for r in zip(*cols, strict=True)]
        return cls(name, title, tuple(data), rows, dict(kinds or {}), tuple(notes))


def _plain(x: Any) -> Any:
    """A cell as a JSON-able Python value: NaN and NaT are ``None``."""
    if isinstance(x, float) and math.isnan(x):
        return None
    if hasattr(x, "isoformat"):
        return x.isoformat()
    if hasattr(x, "item"):
        return _plain(x.item())
    return x


def human(value: Any, kind: str = "number") -> str:
    """A cell as a person reads it: ``83.4%``, ``16,270``, ``0.0123``; never an exponent."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        if (
            kind == "alarm"
        ):  # a failure that must stand out, e.g. a fit that did not converge
            return "yes" if value else "NO"
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if kind == "share":
            return f"{100 * value:.1f}%"
        if kind == "count" and value.is_integer():
            return f"{value:,.0f}"
        a = abs(value)
        if a >= 1000 or a == 0:
            return f"{value:,.0f}" if a >= 1000 or value.is_integer() else "0"
        digits = 3 - math.floor(math.log10(a))  # 4 significant digits
        return f"{value:,.{min(max(digits, 0), 6)}f}"
    return str(value)


def render_text(tables: Sequence[Table]) -> str:
    """All tables as aligned text, each with its title and notes."""
    blocks = []
    for t in tables:
        cells = [
            [
                human(v, t.kinds.get(c, "number"))
                for c, v in zip(t.columns, r, strict=True)
            ]
            for r in t.rows
        ]
        widths = [
            max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(t.columns)
        ]
        lines = [
            t.title,
            "  ".join(h.rjust(w) for h, w in zip(t.columns, widths, strict=True)),
        ]
        lines += [
            "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells
        ]
        if not t.rows:
            lines.append("(no rows)")
        lines += [f"note: {n}" for n in t.notes]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
