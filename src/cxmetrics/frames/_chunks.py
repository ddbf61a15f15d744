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
        One chunk; pass it to any ``frames.*_state`` function.

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
    pa = require("pyarrow", feature="read_chunks")
    p = Path(path)
    if not p.is_file():
        msg = f"`path`: no file {str(p)!r}."
        raise InvalidInputError(msg)
    fmt = file_format or p.suffix.lstrip(".").lower()
    fmt = check_option("file_format", fmt, FileFormat)
    rows = check_positive_int("chunk_rows", chunk_rows)
    cols = None if columns is None else list(columns)
    return _chunks(pa, p, fmt, rows, cols)


def _chunks(
    pa: Any, p: Path, fmt: str, rows: int, cols: list[str] | None
) -> Iterator[Any]:
    """The chunks of a checked file (a generator: nothing is read until iterated)."""
    if fmt == "parquet":
        pq = require("pyarrow.parquet", feature="read_chunks")
        # pre_buffer=False: pyarrow would otherwise keep the column chunks it has read
        # buffered, and memory would grow with the file instead of the chunk
        with pq.ParquetFile(p, pre_buffer=False) as f:
            batches = f.iter_batches(batch_size=rows, columns=cols)
            yield from _tables(pa, batches, p)
        return
    csv = require("pyarrow.csv", feature="read_chunks")
    # block size in bytes: estimate from the first line's length
    with p.open("rb") as f:
        f.readline()
        line = max(len(f.readline()), 8)
    options = csv.ReadOptions(block_size=max(rows * line, 1 << 12))
    convert = csv.ConvertOptions(include_columns=cols) if cols else None
    try:
        reader = csv.open_csv(p, read_options=options, convert_options=convert)
    except pa.ArrowException as err:
        raise _file_error(p, 0, err) from err
    yield from _tables(pa, reader, p)


def _file_error(path: Path, chunk: int, err: Exception) -> InvalidInputError:
    where = "its header" if chunk == 0 else f"chunk {chunk}"
    msg = (
        f"`path` {str(path)!r} could not be read at {where} ({type(err).__name__}: "
        f"{str(err).strip()[:300]}). Fix the file (quoting, column count, types) or "
        "convert it with another reader first."
    )
    return InvalidInputError(msg)


def _tables(pa: Any, batches: Iterable[Any], path: Path) -> Iterator[Any]:
    """Pyarrow tables of ``batches``; a malformed chunk is a cxmetrics error naming the file."""
    it = iter(batches)
    chunk = 0
    while True:
        chunk += 1
        try:
            batch = next(it)
        except StopIteration:
            return
        except pa.ArrowException as err:
            raise _file_error(path, chunk, err) from err
        yield pa.Table.from_batches([batch])
