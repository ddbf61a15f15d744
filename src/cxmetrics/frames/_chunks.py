"""Chunked files and streams: read a chunk, build its state, add; memory bounded by the chunk."""

from __future__ import annotations

import functools
import operator
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_option, check_positive_int
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
)
from cxmetrics.typing import FileFormat

__all__ = ["accumulate", "read_chunks"]

S = TypeVar("S")


def _progress_wanted(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    # off by default in non-interactive use (pipelines, CI, logs)
    return sys.stderr.isatty() and "CI" not in os.environ


def accumulate(
    states: Iterable[S], *, progress: bool | None = None, total: int | None = None
) -> S:
    """Add the states of an iterator of chunks, keeping one chunk in memory at a time.

    Parameters
    ----------
    states : iterable of states
        E.g. a generator of ``frames.nps_state(chunk, ...)`` over :func:`read_chunks`,
        or of ``State.from_...(arrays)`` over any chunked source.
    progress : bool, optional
        Show a progress bar (needs ``tqdm``). By default on only in an interactive
        terminal.
    total : int, optional
        Number of chunks, for the progress bar.

    Returns
    -------
    state
        The merged state; equal to the state of all chunks at once (the merge laws).

    Raises
    ------
    InvalidInputError
        When ``states`` is empty (there is no state to return: start from ``zero()``).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import frames
    >>> chunks = ([10, 9, 0], [7, 10], [3])
    >>> s = frames.accumulate(cx.NPSState.from_responses(c) for c in chunks)
    >>> s == cx.NPSState.from_responses([10, 9, 0, 7, 10, 3])
    True
    """
    if isinstance(states, Mergeable):
        msg = "`states` must be an iterable of states; got one state (it is its own total)."
        raise InvalidInputTypeError(msg)
    given: object = states  # typed as an iterable, checked as any object
    if not isinstance(given, Iterable):
        msg = f"`states` must be an iterable of states; got {type(given).__name__}."
        raise InvalidInputTypeError(msg)
    it: Iterable[S] = states
    if _progress_wanted(progress):
        tqdm = require("tqdm", feature="progress=True")
        it = tqdm.tqdm(states, total=total, unit="chunk", desc="cxmetrics")
    checked = map(_checked_state, enumerate(it, 1))
    first = next(checked, None)
    if first is None:
        msg = "`states` is empty: there were no chunks to add."
        raise InvalidInputError(msg)
    try:
        return functools.reduce(operator.add, checked, first)
    except IncompatibleStateError as err:
        raise IncompatibleStateError(f"`states`: {err}") from err


def _checked_state(item: tuple[int, S]) -> S:
    """A chunk's state, or a clear error naming the chunk that is not a state."""
    i, state = item
    if not isinstance(state, Mergeable):
        msg = (
            f"`states` must yield cxmetrics states (e.g. `frames.nps_state(chunk)`); "
            f"chunk {i} is a {type(state).__name__}."
        )
        raise InvalidInputTypeError(msg)
    return state


def read_chunks(
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    chunk_rows: int = 1_000_000,
    file_format: FileFormat | None = None,
) -> Iterator[Any]:
    r"""Read a Parquet or CSV file as a stream of pyarrow tables of about ``chunk_rows`` rows.

    Parquet is read batch by batch from its row groups; CSV with pyarrow's streaming
    reader. Only ``columns`` are read. Needs ``pyarrow``.

    Parameters
    ----------
    path : path-like
        The file.
    columns : list of str, optional
        Columns to read (all by default).
    chunk_rows : int, default 1_000_000
        Rows per chunk (Parquet exactly; CSV approximately, by bytes).
    file_format : {'parquet', 'csv'}, optional
        Taken from the suffix by default.

    Yields
    ------
    pyarrow.Table
        One chunk; pass it to any ``frames.*_state`` function. A file with a
        header and no rows gives one empty table with its columns.

    Raises
    ------
    InvalidInputTypeError
        When ``path`` is not a path, or ``columns`` is not a list of names.
    InvalidInputError
        When there is no such file; ``columns`` is empty, repeats a name or names
        a column the file lacks; the header names a column twice; or the file
        cannot be read (not UTF-8, not Parquet, ragged rows): the error names
        the file and the chunk.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from cxmetrics import frames
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "answers.csv"
    >>> rows = ["score,region", "10,n", "9,n", "3,s", "7,s"]
    >>> _ = path.write_text(chr(10).join(rows))
    >>> s = frames.accumulate(
    ...     frames.nps_state(chunk, "score", by="region")
    ...     for chunk in frames.read_chunks(path, chunk_rows=2)
    ... )
    >>> s.compute().value.tolist()
    [100.0, -50.0]
    """
    if file_format is not None:  # checked on the call, not on the first chunk
        check_option("file_format", file_format, FileFormat)
    given: object = path  # typed as a path, checked as any object
    if isinstance(given, bytes) or not isinstance(given, str | os.PathLike):
        msg = f"`path` must be a str or a path-like object; got {type(given).__name__}."
        raise InvalidInputTypeError(msg)
    cols = _column_list(columns)
    pa = require("pyarrow", feature="read_chunks")
    p = Path(path)
    if not p.is_file():
        msg = f"`path`: no file {str(p)!r}."
        raise InvalidInputError(msg)
    fmt = file_format or p.suffix.lstrip(".").lower()
    fmt = check_option("file_format", fmt, FileFormat)
    rows = check_positive_int("chunk_rows", chunk_rows)
    return _chunks(pa, p, fmt, rows, cols)


def _column_list(columns: object) -> list[str] | None:
    """``columns`` as a list of distinct names, or None for every column."""
    if columns is None:
        return None
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        msg = (
            "`columns` must be a list of column names (e.g. ['score']); "
            f"got {type(columns).__name__} {columns!r}."
        )
        raise InvalidInputTypeError(msg)
    cols = list(columns)
    bad = [c for c in cols if not isinstance(c, str)]
    if bad:
        msg = f"`columns` must hold column names (str); got {bad[0]!r}."
        raise InvalidInputTypeError(msg)
    if not cols:
        msg = "`columns` is empty: name the columns to read, or pass None for all."
        raise InvalidInputError(msg)
    twice = sorted({c for c in cols if cols.count(c) > 1})
    if twice:
        msg = f"`columns` names {twice[0]!r} more than once."
        raise InvalidInputError(msg)
    return cols


#: pyarrow's CSV block size is a signed 32-bit integer
_MAX_BLOCK = 1 << 30

#: what a malformed file raises while pyarrow opens or reads it
_READ_ERRORS = (UnicodeDecodeError, OverflowError, OSError)


def _chunks(
    pa: Any, p: Path, fmt: str, rows: int, cols: list[str] | None
) -> Iterator[Any]:
    """The chunks of a checked file (a generator: nothing is read until iterated)."""
    errors = (pa.ArrowException, *_READ_ERRORS)
    if fmt == "parquet":
        pq = require("pyarrow.parquet", feature="read_chunks")
        # pre_buffer=False: pyarrow would otherwise keep the column chunks it has read
        # buffered, and memory would grow with the file instead of the chunk
        try:
            f = pq.ParquetFile(p, pre_buffer=False)
            schema = f.schema_arrow
        except errors as err:
            raise _file_error(p, 0, err) from err
        with f:
            _check_header(p, list(schema.names), cols)
            if cols is not None:
                schema = pa.schema([schema.field(c) for c in cols])
            batches = f.iter_batches(batch_size=rows, columns=cols)
            yield from _tables(pa, batches, p, schema)
        return
    csv = require("pyarrow.csv", feature="read_chunks")
    # block size in bytes: estimate from the first line's length
    try:
        with p.open("rb") as fh:
            fh.readline()
            line = max(len(fh.readline()), 8)
    except OSError as err:
        raise _file_error(p, 0, err) from err
    block = min(max(rows * line, 1 << 12), _MAX_BLOCK)
    options = csv.ReadOptions(block_size=block)
    convert = csv.ConvertOptions(include_columns=cols) if cols else None
    try:
        reader = csv.open_csv(p, read_options=options, convert_options=convert)
        names = list(reader.schema.names)
    except pa.ArrowKeyError as err:  # a requested column is not in the header
        msg = f"`columns`: {err} (the header of `path` {str(p)!r})."
        raise InvalidInputError(msg) from err
    except errors as err:
        raise _file_error(p, 0, err) from err
    _check_header(p, names, None)
    yield from _tables(pa, reader, p, reader.schema)


def _check_header(path: Path, names: list[str], cols: list[str] | None) -> None:
    """Refuse a header naming a column twice, and requested columns it lacks."""
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        msg = (
            f"`path` {str(path)!r}: the header names column {twice[0]!r} more than "
            "once; which one to read is ambiguous. Rename one of them."
        )
        raise InvalidInputError(msg)
    missing = [c for c in cols or () if c not in names]
    if missing:
        msg = (
            f"`columns`: no column {missing[0]!r} in the header of `path` {str(path)!r} "
            f"(its columns: {names[:20]})."
        )
        raise InvalidInputError(msg)


def _file_error(path: Path, chunk: int, err: Exception) -> InvalidInputError:
    where = "its header" if chunk == 0 else f"chunk {chunk}"
    msg = (
        f"`path` {str(path)!r} could not be read at {where} ({type(err).__name__}: "
        f"{str(err).strip()[:300]}). Fix the file (encoding UTF-8, quoting, column "
        "count, types) or convert it with another reader first."
    )
    return InvalidInputError(msg)


def _tables(pa: Any, batches: Iterable[Any], path: Path, schema: Any) -> Iterator[Any]:
    """Pyarrow tables of ``batches``; a malformed chunk is a cxmetrics error naming the file.

    A file with a header and no rows gives one empty table with its columns (the
    state of no rows is the empty state, not "no chunks").
    """
    it = iter(batches)
    chunk = 0
    while True:
        chunk += 1
        try:
            batch = next(it)
        except StopIteration:
            if chunk == 1:
                yield schema.empty_table()
            return
        except (pa.ArrowException, *_READ_ERRORS) as err:
            raise _file_error(path, chunk, err) from err
        yield pa.Table.from_batches([batch])
