"""What the subcommands share: their column roles and the re-wording of library errors.

Each command (one module per family: ``_survey``, ``_tickets``, ``_retention``,
``_clv``, ``_contact_centre``, ``_workforce``, ``_journeys``, ``_report``) declares its
column roles (:data:`ROLES`) and returns :class:`~cxmetrics._core.tables.Table`
objects of plain values; printing or writing them is ``_output``'s job. Input
problems raise :class:`cxmetrics._core.table_io.TableError` (or another cxmetrics
error) naming the file, the column and the file's own line, which ``main`` prints as
one line with exit status 2. Library errors are re-worded on the way: an array index
becomes the file's line, a Python keyword (``nan_policy='omit'``) the command-line
flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics._core.table_io import (
    FileTable,
    TableError,
    keys,
)
from cxmetrics.cli._roles import Role

__all__ = ["ROLES"]

ROLES: dict[str, tuple[Role, ...]] = {
    "survey": (
        Role("nps", "nps", "NPS answers, 0-10"),
        Role("csat", "csat", "CSAT answers, 1-5"),
        Role("ces", "ces", "CES answers, 1-7"),
        Role("weight", None, "survey weights", ("--weights", "--weight")),
        Role(
            "time",
            None,
            "answer date or time, for --period (read on the clock as written)",
        ),
    ),
    "sla": (
        Role("ticket", "ticket", "ticket id (status and comment files)"),
        Role("instant", "instant", "event time, UTC with Z or an offset"),
        Role("status", "status", "ticket status"),
        Role("priority", "priority", "policy key of the ticket"),
        Role("author", "author", "comment author: agent or requester"),
        Role("due", None, "per-ticket resolution due instant (empty: no target)"),
    ),
    "retention": (
        Role("customer", "customer", "customer id", ("--customer",)),
        Role("time", "time", "activity date, naive local", ("--time",)),
    ),
    "clv": (
        Role("customer", "customer", "customer id", ("--customer",)),
        Role("time", "date", "purchase date, naive local", ("--time",)),
        Role("amount", "amount", "purchase amount", ("--amount",)),
    ),
    "contacts": (
        Role("queue", None, "queue or skill to group by"),
        Role("arrived", None, "arrival time, for per-interval rows (with --interval)"),
        Role("wait", "wait", "seconds waited (or H:MM:SS) until answer or abandon"),
        Role(
            "abandoned", "abandoned", "1/0, yes/no: the caller hung up before an answer"
        ),
        Role("talk", None, "talk time of answered calls (seconds or H:MM:SS)"),
        Role("hold", None, "hold time"),
        Role("acw", None, "after-call work time"),
    ),
    "staffing": (
        Role("interval", "interval", "interval label or start"),
        Role("volume", "calls", "contacts offered in the interval"),
        Role("aht", None, "average handle time in seconds (or give --aht)"),
        Role("queue", None, "queue or skill"),
    ),
}
ROLES["backlog"] = ROLES["sla"][:4]

_NAN_HINT = (re.compile(r"(pass )?nan_policy='omit'"), "--nan-policy omit")


def _reword(
    text: str, ft: FileTable | None, flagmap: dict[str, str], *, rows: bool = True
) -> str:
    """A library message in command-line words: indices as lines, keywords as flags.

    ``rows`` says the library's arrays were the file's rows in order, so an index
    is a row; otherwise (per-customer or per-ticket arrays) indices are left as they are.
    """
    if ft is not None and rows:
        lines = ft.lines

        def line(m: re.Match[str]) -> str:
            i = int(m.group(1))
            return f"line {int(lines[i])}" if 0 <= i < len(lines) else m.group(0)

        text = re.sub(r"\bindex (\d+)", line, text)
    text = _NAN_HINT[0].sub(
        lambda m: ("use " if m.group(1) else "") + _NAN_HINT[1], text
    )
    for keyword, flag in flagmap.items():
        text = text.replace(f"`{keyword}`", flag)
    return text


@contextmanager
def _located(
    ft: FileTable | None,
    column: str | None = None,
    flagmap: dict[str, str] | None = None,
    *,
    rows: bool = True,
) -> Iterator[None]:
    """Re-raise a library error as one line naming the file, column and line."""
    try:
        yield
    except cx.exceptions.CXMetricsError as err:
        where = (
            ""
            if ft is None
            else f"{ft.path}: " + (f"column {column!r}: " if column else "")
        )
        text = str(err)
        aligned = rows and "comment" not in text  # comment arrays are another file
        msg = where + _reword(text, ft, flagmap or {}, rows=aligned)
        raise TableError(msg) from None


def _group_columns(
    ft: FileTable, by: Sequence[str]
) -> tuple[list[NDArray[Any]], dict[str, NDArray[Any]]]:
    cols = [keys(ft.path, b, ft.columns[b], ft.lines, flag="--by") for b in by]
    return cols, dict(zip(by, cols, strict=True))


def _key_columns(res: Any, by: Sequence[str]) -> dict[str, Any]:
    """The group key columns of a grouped result, one column per ``--by`` header."""
    if not by:
        return {"group": ["all"]}
    k = res.keys
    if k.dtype.names:
        return {b: k[name] for b, name in zip(by, k.dtype.names, strict=True)}
    return {by[0]: k}


def _ci(res: Any, level: float) -> tuple[Any, Any]:
    lo, hi = res.confidence_interval(level)
    return lo, hi


def _listify(x: Any) -> Any:
    return np.atleast_1d(np.asarray(x))
