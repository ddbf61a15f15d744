"""Tables to the terminal (aligned, human-formatted) or as CSV, JSON or Parquet for other tools.

A command returns :class:`Table` objects holding plain Python values (text,
int, float, bool, ``None``); this module decides how they look:

* ``table`` (the default): aligned text, percentages as percentages, thousands
  separated, never an exponent; notes under each table.
* ``csv``: one table per file, a header row, full precision (``repr`` of the
  float), plain unquoted numbers, empty cells for missing values, no comment
  lines. Several tables need ``--output-dir`` (one file each, ``NAME.csv``).
* ``json``: one document, schema ``cxmetrics-tables/1`` (see the CLI reference):
  numbers as numbers, missing values as ``null``.
* ``parquet`` (pyarrow): one file per table, like ``csv``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cxmetrics._core.optional import require
from cxmetrics._core.table_io import TableError

__all__ = [
    "FORMATS",
    "SCHEMA",
    "Table",
    "check_destination",
    "human",
    "render_text",
    "to_csv",
    "to_json",
    "write_tables",
]

SCHEMA = "cxmetrics-tables/1"
FORMATS = ("table", "csv", "json", "parquet")
_EXT = {"table": "txt", "csv": "csv", "json": "json", "parquet": "parquet"}


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


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return v


def to_csv(table: Table) -> str:
    """One table as CSV text: header row, full precision, no comments."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(table.columns)
    w.writerows([_csv_cell(v) for v in r] for r in table.rows)
    return buf.getvalue()


def _json_cell(v: Any) -> Any:
    """JSON has no infinity: a non-finite number is ``null``, like a missing one."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def to_json(
    tables: Sequence[Table], command: str, meta: dict[str, Any] | None = None
) -> str:
    """Every table in one JSON document (schema ``cxmetrics-tables/1``)."""
    doc = {
        "schema": SCHEMA,
        "command": command,
        **(meta or {}),
        "tables": [
            {
                "name": t.name,
                "title": t.title,
                "columns": list(t.columns),
                "rows": [
                    dict(zip(t.columns, map(_json_cell, r), strict=True))
                    for r in t.rows
                ],
                "notes": list(t.notes),
            }
            for t in tables
        ],
    }
    return json.dumps(doc, indent=2, allow_nan=False)


def check_destination(output: str | None, output_dir: str | None) -> None:
    """Refuse, before any work, an output path that cannot be written."""
    if output is not None:
        p = Path(output)
        if p.is_dir():
            msg = f"{p}: is a directory; give a file name for --output (or use --output-dir)."
            raise TableError(msg)
        parent = p.parent if str(p.parent) else Path()
        if not parent.is_dir():
            msg = f"{p}: the folder {str(parent)!r} does not exist; create it or choose another --output."
            raise TableError(msg)
        if not os.access(parent, os.W_OK | os.X_OK) or (
            p.exists() and not os.access(p, os.W_OK)
        ):
            msg = (
                f"{p}: cannot be written (permission denied); choose another --output."
            )
            raise TableError(msg)
    if output_dir is not None:
        d = Path(output_dir)
        if d.exists() and not d.is_dir():
            msg = f"{d}: is a file, not a folder; give a folder for --output-dir."
            raise TableError(msg)
        probe = d if d.exists() else d.parent if str(d.parent) else Path()
        if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
            msg = f"{d}: cannot be written or created; choose another --output-dir."
            raise TableError(msg)


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".cxmetrics-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _parquet_bytes(table: Table) -> bytes:
    pa = require("pyarrow", feature="--format parquet")
    pq = require("pyarrow.parquet", feature="--format parquet")
    cols = {c: [r[j] for r in table.rows] for j, c in enumerate(table.columns)}
    buf = pa.BufferOutputStream()
    pq.write_table(pa.table(cols), buf)
    return bytes(buf.getvalue().to_pybytes())


def _encode(
    tables: Sequence[Table], fmt: str, command: str, meta: dict[str, Any]
) -> bytes:
    if fmt == "json":
        return (to_json(tables, command, meta) + "\n").encode()
    if fmt == "csv":
        return to_csv(tables[0]).encode()
    if fmt == "parquet":
        return _parquet_bytes(tables[0])
    return (render_text(tables) + "\n").encode()


def write_tables(
    tables: Sequence[Table],
    fmt: str,
    *,
    command: str,
    output: str | None = None,
    output_dir: str | None = None,
    meta: dict[str, Any] | None = None,
) -> str | None:
    """Write or return the tables; returns the text for stdout, or ``None`` if written to files."""
    meta = meta or {}
    if output_dir is not None:
        d = Path(output_dir)
        d.mkdir(parents=True, exist_ok=True)
        if fmt in ("json", "table"):
            _atomic_write(
                d / f"{command}.{_EXT[fmt]}", _encode(tables, fmt, command, meta)
            )
        else:
            for t in tables:
                _atomic_write(
                    d / f"{t.name}.{_EXT[fmt]}", _encode([t], fmt, command, meta)
                )
        return None
    if fmt in ("csv", "parquet") and len(tables) > 1:
        names = ", ".join(t.name for t in tables)
        msg = (
            f"this command gives {len(tables)} tables ({names}); --format {fmt} writes one "
            "table per file: add --output-dir DIR to write each to its own file."
        )
        raise TableError(msg)
    if output is not None:
        _atomic_write(Path(output), _encode(tables, fmt, command, meta))
        return None
    if fmt == "parquet":
        msg = "--format parquet writes files: add --output FILE or --output-dir DIR."
        raise TableError(msg)
    return _encode(tables, fmt, command, meta).decode().rstrip("\n")
