"""Tables from CSV (standard library) or Parquet (pyarrow) files, as numpy columns.

Used by the bundled data sets and the command line. Every error names the file, the
column and the line, so the command line can print it as one line. The numeric
and instant conversions are vectorised; only malformed values are looked at one
by one, to name them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._optional import require
from cxmetrics.exceptions import InvalidInputError

__all__ = ["TableError", "instants", "numbers", "read_table"]


class TableError(InvalidInputError):
    """A problem with an input file: the message names the file, column and line."""


def read_table(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    *,
    optional: Sequence[str] = (),
    text: str | None = None,
) -> dict[str, NDArray[np.str_]]:
    """Read ``columns`` (and ``optional`` ones if present) as arrays of strings.

    CSV files are read with the standard library; ``.parquet`` files need pyarrow
    and are read column by column (values converted to strings only for text
    columns, numbers kept as numbers). ``text`` reads CSV text instead of a file.
    """
    p = Path(path)
    if text is None and p.suffix.lower() == ".parquet":
        return _parquet(p, columns, optional)
    if text is None:
        try:
            text = p.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            msg = f"{p}: no such file."
            raise TableError(msg) from None
        except UnicodeDecodeError as err:
            msg = f"{p}: not UTF-8 text ({err.reason} at byte {err.start})."
            raise TableError(msg) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        msg = f"{p}: the file is empty."
        raise TableError(msg) from None
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        msg = f"{p}: no column {missing[0]!r}; the columns are {header}."
        raise TableError(msg)
    rows = list(reader)
    widths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    bad = np.flatnonzero((widths != len(header)) & (widths != 0))
    if bad.size:
        i = int(bad[0])
        msg = (
            f"{p}: line {i + 2} has {widths[i]} field(s), the header has {len(header)}."
        )
        raise TableError(msg)
    rows = [r for r in rows if r]
    wanted = [*columns, *(c for c in optional if c in header)]
    table = np.array(rows, dtype=str).reshape(len(rows), len(header))
    return {c: table[:, header.index(c)] for c in wanted}


def _parquet(
    p: Path, columns: Sequence[str], optional: Sequence[str]
) -> dict[str, NDArray[Any]]:
    pq = require("pyarrow.parquet", feature="reading Parquet files")
    try:
        schema = pq.read_schema(p)
    except FileNotFoundError:
        msg = f"{p}: no such file."
        raise TableError(msg) from None
    except Exception as err:  # noqa: BLE001  (pyarrow raises its own error types)
        msg = f"{p}: not a Parquet file ({err})."
        raise TableError(msg) from None
    names = list(schema.names)
    missing = [c for c in columns if c not in names]
    if missing:
        msg = f"{p}: no column {missing[0]!r}; the columns are {names}."
        raise TableError(msg)
    wanted = [*columns, *(c for c in optional if c in names)]
    table = pq.read_table(p, columns=wanted)
    out: dict[str, NDArray[Any]] = {}
    for c in wanted:
        col = table.column(c).to_numpy(zero_copy_only=False)
        out[c] = col.astype(str) if col.dtype.kind == "O" else col
    return out


def numbers(
    path: str | os.PathLike[str], name: str, values: NDArray[Any]
) -> NDArray[np.float64]:
    """A column as float64; empty cells become NaN; anything else non-numeric is an error."""
    if values.dtype.kind in "iufb":
        return values.astype(np.float64)
    stripped = np.char.strip(values.astype(str))
    out = np.full(stripped.shape, np.nan)
    present = stripped != ""
    try:
        out[present] = stripped[present].astype(np.float64)
    except ValueError:
        for i in np.flatnonzero(present):  # only on the error path: find the culprit
            try:
                float(stripped[i])
            except ValueError:
                msg = f"{path}: column {name!r}, line {i + 2}: {str(stripped[i])!r} is not a number."
                raise TableError(msg) from None
    return out


def instants(
    path: str | os.PathLike[str], name: str, values: NDArray[Any], *, utc: bool = True
) -> NDArray[np.datetime64]:
    """A column of ISO dates or instants as ``datetime64[s]``.

    With ``utc=True`` an instant needs a ``Z`` suffix or an offset such as
    ``+01:00`` (it is converted to UTC); a plain date is midnight UTC. With
    ``utc=False`` values are naive local dates or times, and offsets are refused.
    ``Z`` instants and dates are converted in one vectorised step; values with
    other offsets go through :meth:`datetime.fromisoformat` one by one.
    """
    if values.dtype.kind == "M":
        return values.astype("datetime64[s]")
    s = np.char.strip(values.astype(str))
    empty = s == ""
    if empty.any():
        i = int(np.argmax(empty))
        msg = f"{path}: column {name!r}, line {i + 2}: empty time ({int(empty.sum())} empty)."
        raise TableError(msg)
    is_date = np.char.str_len(s) == 10
    zulu = np.char.endswith(s, "Z")
    other = ~zulu & ~is_date
    if not utc and zulu.any():
        i = int(np.argmax(zulu))
        msg = f"{path}: column {name!r}, line {i + 2}: {str(s[i])!r} has a time zone; this column takes local dates or times."
        raise TableError(msg)
    out = np.empty(s.shape, dtype="datetime64[s]")
    simple = ~other
    out[simple] = _parse(
        path, name, np.char.rstrip(s[simple], "Z"), np.flatnonzero(simple)
    )
    if other.any():
        rows = np.flatnonzero(other)
        parsed = [_aware(path, name, str(s[i]), int(i), utc=utc) for i in rows]
        out[other] = np.array(parsed, dtype="datetime64[s]")
    return out


def _parse(
    path: str | os.PathLike[str], name: str, body: NDArray[Any], rows: NDArray[np.intp]
) -> NDArray[np.datetime64]:
    try:
        return body.astype("datetime64[s]")
    except ValueError:
        for k, i in enumerate(rows):  # only on the error path: find the culprit
            try:
                np.datetime64(str(body[k]), "s")
            except ValueError:
                msg = f"{path}: column {name!r}, line {i + 2}: {str(body[k])!r} is not an ISO date or time."
                raise TableError(msg) from None
        raise


def _aware(
    path: str | os.PathLike[str], name: str, value: str, row: int, *, utc: bool
) -> np.datetime64:
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        msg = f"{path}: column {name!r}, line {row + 2}: {value!r} is not an ISO date or time."
        raise TableError(msg) from None
    if t.tzinfo is None:
        if utc:
            msg = f"{path}: column {name!r}, line {row + 2}: {value!r} has no time zone; write it in UTC with a Z suffix or with an offset like +01:00."
            raise TableError(msg)
        return np.datetime64(t, "s")
    if not utc:
        msg = f"{path}: column {name!r}, line {row + 2}: {value!r} has a time zone; this column takes local dates or times."
        raise TableError(msg)
    return np.datetime64(t.astimezone(dt.UTC).replace(tzinfo=None), "s")
