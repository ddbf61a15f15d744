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

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.optional import require
from cxmetrics.exceptions import InvalidInputError

__all__ = [
    "FileTable",
    "TableError",
    "flags",
    "instants",
    "keys",
    "numbers",
    "read_file",
    "read_table",
    "seconds",
    "wall_clock",
]


class TableError(InvalidInputError):
    """A problem with an input file: the message names the file, column and line."""


@attrs.frozen(field_transformer=nan_equal_fields)
class FileTable:
    """Columns read from a file, with each row's line in the file (header = line 1)."""

    path: str
    columns: dict[str, NDArray[Any]]
    lines: NDArray[np.int64]
    header: tuple[str, ...]

    def line(self, row: int) -> int:
        """The file's own line number of data row ``row`` (0-based)."""
        return int(self.lines[row])


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
    return read_file(path, columns, optional=optional, text=text).columns


def _read_text(p: Path) -> str:
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        msg = f"{p}: no such file."
        raise TableError(msg) from None
    except IsADirectoryError:
        msg = f"{p}: is a directory; give the path of a CSV or Parquet file."
        raise TableError(msg) from None
    except OSError as err:
        msg = f"{p}: cannot be read ({err.strerror or err})."
        raise TableError(msg) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        msg = (
            f"{p}: line {line}: not UTF-8 text ({err.reason} at byte {err.start}); "
            "save the file as UTF-8 (CSV UTF-8 in Excel) and try again."
        )
        raise TableError(msg) from None


def _delimiter(text: str) -> tuple[str, str, int]:
    """The text to parse, its delimiter and the lines skipped before the header.

    Excel writes a first line ``sep=;`` when asked for a delimiter; in locales
    with a decimal comma it saves "CSV" with semicolons, and some exports use
    tabs. A header with no comma but a semicolon (or a tab) is read with that
    delimiter; any other file is read as comma-separated, as before.
    """
    first, newline, rest = text.partition("\n")
    hint = first.strip()
    if len(hint) == 5 and hint.lower().startswith("sep=") and newline:
        return rest, hint[4], 1
    if "," not in first:
        for candidate in (";", "\t"):
            if candidate in first:
                return text, candidate, 0
    return text, ",", 0


def read_file(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    *,
    optional: Sequence[str] = (),
    text: str | None = None,
    allow_empty: bool = False,
) -> FileTable:
    """Read ``columns`` (and ``optional`` ones if present) with their line numbers.

    Errors (a missing, unreadable or non-UTF-8 file, a directory, a duplicated or
    missing header, a ragged row, a field over the CSV reader's limit, a file with
    a header and no rows unless ``allow_empty``) are :class:`TableError` naming
    the file and the line.
    """
    p = Path(path)
    if text is None and p.suffix.lower() == ".parquet":
        cols = _parquet(p, columns, optional)
        n = len(next(iter(cols.values()))) if cols else 0
        if n == 0 and not allow_empty:
            msg = f"{p}: the file has no rows."
            raise TableError(msg)
        return FileTable(str(p), cols, np.arange(2, n + 2, dtype=np.int64), tuple(cols))
    if text is None:
        text = _read_text(p)
    text, delimiter, skipped = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        msg = f"{p}: the file is empty."
        raise TableError(msg) from None
    except csv.Error as err:
        msg = f"{p}: line 1: not a readable CSV header ({err})."
        raise TableError(msg) from None
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        msg = f"{p}: no column {missing[0]!r}; the columns are {header}."
        raise TableError(msg)
    wanted = list(dict.fromkeys([*columns, *(c for c in optional if c in header)]))
    for c in wanted:
        where = [i + 1 for i, h in enumerate(header) if h == c]
        if len(where) > 1:
            msg = (
                f"{p}: line 1: the header {c!r} appears {len(where)} times "
                f"(columns {', '.join(map(str, where))}); rename one so it is clear which to read."
            )
            raise TableError(msg)
    try:
        rows = list(reader)
    except csv.Error as err:
        limit = csv.field_size_limit()
        reason = (
            f"a field is longer than {limit:,} characters (the CSV reader's limit); "
            "check for an unbalanced quote"
            if "field larger" in str(err)
            else f"not readable as CSV ({err})"
        )
        msg = f"{p}: line {reader.line_num}: {reason}."
        raise TableError(msg) from None
    widths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    if physical == len(rows) + 1:  # no field spans lines: row i is on line i + 2
        all_lines = np.arange(2, len(rows) + 2, dtype=np.int64)
    else:  # quoted line breaks: re-read once to find the line each row starts on
        again = csv.reader(io.StringIO(text), delimiter=delimiter)
        next(again)
        header_end = again.line_num
        ends = np.fromiter(
            (again.line_num for _ in again), dtype=np.int64, count=len(rows)
        )
        all_lines = np.concatenate([[header_end], ends[:-1]]).astype(np.int64) + 1
    all_lines += skipped  # an Excel "sep=" line before the header
    bad = np.flatnonzero((widths != len(header)) & (widths != 0))
    if bad.size:
        i = int(bad[0])
        msg = f"{p}: line {all_lines[i]} has {widths[i]} field(s), the header has {len(header)}."
        raise TableError(msg)
    keep = widths != 0
    rows = [r for r in rows if r]
    if not rows and not allow_empty:
        msg = f"{p}: the file has a header but no data rows."
        raise TableError(msg)
    table = np.array(rows, dtype=str).reshape(len(rows), len(header))
    return FileTable(
        str(p),
        {c: table[:, header.index(c)] for c in wanted},
        all_lines[keep],
        tuple(header),
    )


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
    wanted = list(dict.fromkeys([*columns, *(c for c in optional if c in names)]))
    dup = [c for c in wanted if names.count(c) > 1]
    if dup:
        msg = f"{p}: the column {dup[0]!r} appears {names.count(dup[0])} times; rename one so it is clear which to read."
        raise TableError(msg)
    table = pq.read_table(p, columns=wanted)
    out: dict[str, NDArray[Any]] = {}
    for c in wanted:
        col = table.column(c).to_numpy(zero_copy_only=False)
        out[c] = col.astype(str) if col.dtype.kind == "O" else col
    return out


def _line(lines: NDArray[np.int64] | None, row: int | np.integer[Any]) -> int:
    return int(row) + 2 if lines is None else int(lines[int(row)])


def numbers(
    path: str | os.PathLike[str],
    name: str,
    values: NDArray[Any],
    lines: NDArray[np.int64] | None = None,
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
                msg = f"{path}: column {name!r}, line {_line(lines, i)}: {str(stripped[i])!r} is not a number."
                raise TableError(msg) from None
    return out


def instants(
    path: str | os.PathLike[str],
    name: str,
    values: NDArray[Any],
    *,
    utc: bool = True,
    lines: NDArray[np.int64] | None = None,
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
        msg = f"{path}: column {name!r}, line {_line(lines, i)}: empty time ({int(empty.sum())} empty)."
        raise TableError(msg)
    is_date = np.char.str_len(s) == 10
    zulu = np.char.endswith(s, "Z")
    other = ~zulu & ~is_date
    if not utc and zulu.any():
        i = int(np.argmax(zulu))
        msg = f"{path}: column {name!r}, line {_line(lines, i)}: {str(s[i])!r} has a time zone; this column takes local dates or times."
        raise TableError(msg)
    out = np.empty(s.shape, dtype="datetime64[s]")
    simple = ~other
    out[simple] = _parse(
        path, name, np.char.rstrip(s[simple], "Z"), np.flatnonzero(simple), lines
    )
    if other.any():
        rows = np.flatnonzero(other)
        parsed = [
            _aware(path, name, str(s[i]), int(i), utc=utc, lines=lines) for i in rows
        ]
        out[other] = np.array(parsed, dtype="datetime64[s]")
    return out


def _parse(
    path: str | os.PathLike[str],
    name: str,
    body: NDArray[Any],
    rows: NDArray[np.intp],
    lines: NDArray[np.int64] | None,
) -> NDArray[np.datetime64]:
    try:
        return body.astype("datetime64[s]")
    except ValueError:
        for k, i in enumerate(rows):  # only on the error path: find the culprit
            try:
                np.datetime64(str(body[k]), "s")
            except ValueError:
                msg = f"{path}: column {name!r}, line {_line(lines, i)}: {str(body[k])!r} is not an ISO date or time."
                raise TableError(msg) from None
        raise


def _aware(
    path: str | os.PathLike[str],
    name: str,
    value: str,
    row: int,
    *,
    utc: bool,
    lines: NDArray[np.int64] | None,
) -> np.datetime64:
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        msg = f"{path}: column {name!r}, line {_line(lines, row)}: {value!r} is not an ISO date or time."
        raise TableError(msg) from None
    if t.tzinfo is None:
        if utc:
            msg = f"{path}: column {name!r}, line {_line(lines, row)}: {value!r} has no time zone; write it in UTC with a Z suffix or with an offset like +01:00."
            raise TableError(msg)
        return np.datetime64(t, "s")
    if not utc:
        msg = f"{path}: column {name!r}, line {_line(lines, row)}: {value!r} has a time zone; this column takes local dates or times."
        raise TableError(msg)
    return np.datetime64(t.astimezone(dt.UTC).replace(tzinfo=None), "s")


def keys(
    path: str | os.PathLike[str],
    name: str,
    values: NDArray[Any],
    lines: NDArray[np.int64] | None = None,
    *,
    flag: str = "",
) -> NDArray[Any]:
    """An id or group column: an empty cell is an error naming its line (never a key ``''``)."""
    if values.dtype.kind not in "US":
        if values.dtype.kind == "f" and np.isnan(values).any():
            i = int(np.argmax(np.isnan(values)))
            msg = f"{path}: column {name!r}, line {_line(lines, i)}: empty id or group ({int(np.isnan(values).sum())} empty); fill it in or remove the row."
            raise TableError(msg)
        return values
    stripped = np.char.strip(values.astype(str))
    empty = stripped == ""
    if empty.any():
        i = int(np.argmax(empty))
        hint = f" ({flag})" if flag else ""
        msg = (
            f"{path}: column {name!r}{hint}, line {_line(lines, i)}: empty id or group "
            f"({int(empty.sum())} empty); fill it in or remove the row."
        )
        raise TableError(msg)
    return stripped


_TRUE = ("1", "true", "t", "yes", "y")
_FALSE = ("0", "false", "f", "no", "n")


def flags(
    path: str | os.PathLike[str],
    name: str,
    values: NDArray[Any],
    lines: NDArray[np.int64] | None = None,
) -> NDArray[np.bool_]:
    """A yes/no column (1/0, true/false, yes/no, y/n, t/f; any case) as booleans."""
    if values.dtype.kind == "b":
        return values.astype(bool)
    if values.dtype.kind in "iuf":
        ok = np.isin(values, (0, 1))
        if not ok.all():
            i = int(np.argmin(ok))
            msg = f"{path}: column {name!r}, line {_line(lines, i)}: {values[i]!r} is not 0 or 1."
            raise TableError(msg)
        return np.asarray(values == 1, dtype=np.bool_)
    s = np.char.lower(np.char.strip(values.astype(str)))
    yes = np.isin(s, _TRUE)
    no = np.isin(s, _FALSE)
    bad = ~(yes | no)
    if bad.any():
        i = int(np.argmax(bad))
        msg = (
            f"{path}: column {name!r}, line {_line(lines, i)}: {str(s[i])!r} is not a yes/no "
            "value (1/0, true/false, yes/no)."
        )
        raise TableError(msg)
    return np.asarray(yes, dtype=np.bool_)


def seconds(
    path: str | os.PathLike[str],
    name: str,
    values: NDArray[Any],
    lines: NDArray[np.int64] | None = None,
) -> NDArray[np.float64]:
    """Durations as float seconds: numbers of seconds or ``[H:]MM:SS`` text; empty is NaN."""
    if values.dtype.kind == "m":
        out = values.astype("timedelta64[ns]").astype(np.float64) / 1e9
        out[np.isnat(values)] = np.nan
        return out
    if values.dtype.kind in "iufb":
        return values.astype(np.float64)
    s = np.char.strip(values.astype(str))
    clock = np.char.find(s, ":") >= 0
    if not clock.any():
        return numbers(path, name, s, lines)
    out = numbers(path, name, np.where(clock, "", s), lines)
    parts = np.char.rpartition(s[clock], ":")  # [..., "", "", "SS"]
    head = np.char.rpartition(parts[:, 0], ":")
    rows = np.flatnonzero(clock)
    try:
        secs = parts[:, 2].astype(np.float64)
        mins = head[:, 2].astype(np.float64)
        hours = np.where(head[:, 0] == "", "0", head[:, 0]).astype(np.float64)
    except ValueError:
        bad = rows[0]
        for k, i in enumerate(rows):  # only on the error path: find the culprit
            try:
                float(parts[k, 2])
                float(head[k, 2])
                float(head[k, 0] or "0")
            except ValueError:
                bad = i
                break
        msg = f"{path}: column {name!r}, line {_line(lines, bad)}: {str(s[bad])!r} is not a duration (seconds or H:MM:SS)."
        raise TableError(msg) from None
    out[clock] = hours * 3600 + mins * 60 + secs
    return out


def wall_clock(
    path: str | os.PathLike[str],
    name: str,
    values: NDArray[Any],
    lines: NDArray[np.int64] | None = None,
) -> NDArray[np.datetime64]:
    """Dates or times as written on the local clock: a ``Z`` or ``+02:00`` suffix is dropped.

    For periods a person reads (an answer given at 23:30 on 31 May in Madrid
    belongs to May), not for durations. Vectorised: the zone can only follow the
    time part, so everything after a ``+`` or ``-`` in it is the offset.
    """
    if values.dtype.kind == "M":
        return values.astype("datetime64[s]")
    s = np.char.rstrip(np.char.strip(values.astype(str)), "Z")
    parts = np.char.partition(s, "T")
    clock = np.char.partition(np.char.partition(parts[:, 2], "+")[:, 0], "-")[:, 0]
    local = np.char.add(np.char.add(parts[:, 0], parts[:, 1]), clock)
    return instants(path, name, local, utc=False, lines=lines)
