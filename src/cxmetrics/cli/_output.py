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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cxmetrics._core.optional import require
from cxmetrics._core.table_io import TableError
from cxmetrics._core.tables import Table, human, render_text

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
