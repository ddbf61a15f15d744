"""The ``sla`` and ``backlog`` commands: SLA compliance and the open backlog of a ticket log."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics._core.table_io import (
    FileTable,
    TableError,
    instants,
    keys,
    read_file,
)
from cxmetrics.cli._commands import (
    ROLES,
    _ci,
    _located,
)
from cxmetrics.cli._output import Table
from cxmetrics.cli._roles import resolve

_PER_TICKET = ("team", "channel", "agent", "group", "queue")

__all__ = ["backlog", "sla"]


def _ticket_inputs(
    path: str,
    comments: str | None,
    as_of: object,
    cols: dict[str, str | None],
    extra: Sequence[str] = (),
) -> tuple[Any, NDArray[Any], dict[str, NDArray[Any]], FileTable]:
    """A TicketLog, the sorted ticket ids, per-ticket columns, and the status file."""
    tk, ins, st, pr = (
        str(cols[k]) for k in ("ticket", "instant", "status", "priority")
    )
    due = cols.get("due")
    ft = read_file(
        path, [tk, ins, st, pr, *extra, *([due] if due else [])], optional=_PER_TICKET
    )
    ticket = keys(ft.path, tk, ft.columns[tk], ft.lines, flag="--ticket-col")
    t = instants(ft.path, ins, ft.columns[ins], lines=ft.lines)
    kw: dict[str, Any] = {}
    if comments:
        author = str(cols.get("author") or "author")
        cf = read_file(comments, [tk, ins, author], allow_empty=True)
        kw = {
            "comment_ticket": keys(
                cf.path, tk, cf.columns[tk], cf.lines, flag="--ticket-col"
            ),
            "comment_instant": instants(cf.path, ins, cf.columns[ins], lines=cf.lines),
            "comment_author": cf.columns[author],
        }
    with _located(ft, None):
        log = cx.TicketLog.from_arrays(ticket, t, ft.columns[st], as_of=as_of, **kw)
    ids, first = np.unique(ticket, return_index=True)
    per = {c: ft.columns[c][first] for c in (pr, *_PER_TICKET) if c in ft.columns}
    for c in extra:  # grouping columns: an empty cell is refused on its own line
        per[c] = keys(ft.path, c, ft.columns[c], ft.lines, flag="--by")[first]
    per["priority"] = keys(
        ft.path, pr, ft.columns[pr], ft.lines, flag="--priority-col"
    )[first]
    if due:
        raw = np.char.strip(ft.columns[due].astype(str))[first]
        d = np.full(raw.shape, np.datetime64("NaT"), dtype="datetime64[s]")
        given = raw != ""
        d[given] = instants(ft.path, due, raw[given], lines=ft.lines[first][given])
        per["__due__"] = d
    return log, ids, per, ft


def _read_policy(path: str) -> Any:
    """The SLA policy file, with file problems as one-line errors naming the file and line."""
    p = Path(path)
    if p.is_dir():
        msg = f"{p}: is a directory; give the path of the SLA policy TOML file (--policy)."
        raise TableError(msg)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        msg = f"{p}: no such file (--policy)."
        raise TableError(msg) from None
    except OSError as err:
        msg = f"{p}: cannot be read ({err.strerror or err}) (--policy)."
        raise TableError(msg) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        msg = f"{p}: line {line}: not UTF-8 text ({err.reason} at byte {err.start}); save the policy file as UTF-8 (--policy)."
        raise TableError(msg) from None
    return cx.support.read_policy(p)


def _as_of(text: str | None) -> np.datetime64 | None:
    if text is None:
        return None
    out: np.datetime64 = instants("--as-of", "as_of", np.array([text]))[0]
    return out


def sla(args: argparse.Namespace) -> list[Table]:
    """SLA compliance by priority (or a per-ticket column)."""
    cols = resolve(args, ROLES["sla"])
    policy = _read_policy(args.policy)
    as_of = _as_of(args.as_of)
    log, ids, per, ft = _ticket_inputs(
        args.file, args.comments, as_of, cols, [args.by] if args.by else []
    )
    by = per[args.by] if args.by else per["priority"]
    with _located(ft, None, {"as_of": "--as-of"}, rows=False):
        targets = cx.sla_targets(
            log,
            policy,
            priority=per["priority"],
            tickets=ids,
            as_of=as_of,
            due=per.get("__due__"),
        )
        state = cx.SLAComplianceState.from_targets(
            targets, by=by, tickets=ids, log=log, level=args.level
        )
    res = state.compute_grouped(args.compliance)
    lo, hi = _ci(res, args.confidence)
    name = args.by or "priority"
    data = {
        name: res.keys,
        "value": res.value,
        "n": res.n,
        "met": res.met,
        "breached": res.breached,
        "excluded": res.excluded,
        "ci_low": lo,
        "ci_high": hi,
    }
    kinds = {"value": "share", "ci_low": "share", "ci_high": "share"}
    title = f"SLA compliance ({args.level}s, {args.compliance}) by {name} ({args.confidence:.0%} intervals)"
    return [Table.from_columns("sla", title, data, kinds=kinds)]


def backlog(args: argparse.Namespace) -> list[Table]:
    """Open tickets at the start of each day, week or month, by priority."""
    cols = resolve(args, ROLES["backlog"])
    as_of = _as_of(args.as_of)
    log, ids, per, ft = _ticket_inputs(args.file, None, as_of, cols)
    t = instants(
        ft.path, str(cols["instant"]), ft.columns[str(cols["instant"])], lines=ft.lines
    )
    with _located(ft, None, rows=False):
        starts = np.unique(cx.period_start(t, args.freq))
        res = cx.backlog(log, starts, by=per["priority"], tickets=ids)
    counts = np.asarray(res.counts)
    labels = [str(k) for k in np.asarray(res.keys).tolist()]
    counts = (
        counts.reshape(len(starts), -1)
        if counts.ndim == 2 and counts.shape[0] == len(starts)
        else counts.reshape(-1, len(starts)).T
    )
    data: dict[str, Any] = {
        "instant": np.datetime_as_string(np.asarray(res.instants), unit="s")
    }
    for j, k in enumerate(labels):
        data[k] = counts[:, j]
    data["total"] = counts.sum(axis=1)
    title = f"Open tickets at the start of each {args.freq} by priority (UTC)"
    return [
        Table.from_columns("backlog", title, data, kinds=dict.fromkeys(data, "count"))
    ]
