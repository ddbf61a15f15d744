"""The ``cxmetrics funnel`` command: a conversion funnel of an event log file."""

from __future__ import annotations

import argparse
from typing import Any

import cxmetrics as cx
from cxmetrics._core.table_io import TableError, instants, keys, read_file
from cxmetrics.cli._output import Table
from cxmetrics.cli._roles import Role, resolve

__all__ = [
    "EVENT_ROLES",
    "HELP",
    "ROLES",
    "add_report_options",
    "funnel",
    "options",
    "report_sections",
]

HELP = "conversion funnel of an event log: reached, drop-off"

ROLES = (
    Role("unit", "user", "unit id (user, session owner, account)"),
    Role("time", "time", "event instant, ISO with Z or an offset"),
    Role("event", "event", "event name"),
    Role("segment", None, "segment to compare (first touch)"),
)
"""Column roles of ``cxmetrics funnel``."""

EVENT_ROLES = (
    Role("unit", "user", "unit id", file="events"),
    Role("time", "time", "event instant (ISO with Z or offset)", file="events"),
    Role("event", "event", "event name", file="events"),
    Role("segment", "segment", "segment (first touch)", file="events"),
)
"""Column roles of the report's ``--events`` file."""


def options(f: argparse.ArgumentParser) -> None:
    """The options of ``cxmetrics funnel``."""
    f.add_argument("file", help="events: one row per event (unit, time, event)")
    f.add_argument(
        "--steps",
        required=True,
        help="comma-separated event names, in order; a|b for either",
    )
    f.add_argument(
        "--window", type=float, required=True, help="conversion window in seconds"
    )
    f.add_argument(
        "--mode",
        choices=(
            "ordered",
            "strict_order",
            "strict_deduplication",
            "strict_increase",
            "any_order",
        ),
        default="ordered",
    )
    f.add_argument("--entry", choices=("any", "first"), default="any")
    f.add_argument(
        "--session-gap",
        type=float,
        help="count sessions split by gaps over this many seconds",
    )


def _steps(text: str) -> dict[str, set[str]]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    return {s: {p.strip() for p in s.split("|")} for s in names}


def _table(res: cx.FunnelResult, confidence: float) -> dict[str, Any]:
    t = res.table(confidence)
    return {
        "step": [str(x) for x in t["step"]],
        "reached": t["reached"],
        "conversion": t["conversion"],
        "ci_low": t["conversion_low"],
        "ci_high": t["conversion_high"],
        "drop_off": t["drop_off"],
    }


_KINDS = {
    "reached": "count",
    "conversion": "share",
    "ci_low": "share",
    "ci_high": "share",
    "drop_off": "share",
}


def funnel(args: argparse.Namespace) -> list[Table]:
    """Units reaching each step with conversion, its interval and drop-off."""
    cols = resolve(args, ROLES)
    unit, time, event = (str(cols[k]) for k in ("unit", "time", "event"))
    seg = cols["segment"]
    ft = read_file(args.file, [unit, time, event, *([seg] if seg else [])])
    t = instants(ft.path, time, ft.columns[time], lines=ft.lines)
    units = keys(ft.path, unit, ft.columns[unit], ft.lines, flag="--unit-col")
    steps = _steps(args.steps)
    if not steps:
        msg = "--steps names no step; give event names separated by commas."
        raise TableError(msg)
    by = None if not seg else keys(ft.path, seg, ft.columns[seg], ft.lines)
    try:
        res = cx.funnel(
            units,
            t,
            ft.columns[event],
            steps,
            window=args.window,
            mode=args.mode,
            entry=args.entry,
            by=by,
            session_gap=args.session_gap,
        )
    except cx.exceptions.CXMetricsError as err:
        msg = f"{ft.path}: {err}"
        raise TableError(msg) from None
    what = f"Funnel of {event!r} by {unit!r} ({args.mode}, window {args.window:g} s)"
    if isinstance(res, cx.GroupedFunnelResult):
        parts = [(str(k), _table(res[k], args.confidence)) for k in res.keys.tolist()]
        data: dict[str, Any] = {
            str(seg): [k for k, d in parts for _ in d["step"]],
            **{col: [v for _, d in parts for v in list(d[col])] for col in parts[0][1]},
        }
        return [Table.from_columns("funnel", f"{what} by {seg}", data, kinds=_KINDS)]
    return [
        Table.from_columns(
            "funnel",
            f"{what}: {res.n} entered",
            _table(res, args.confidence),
            kinds=_KINDS,
        )
    ]


def add_report_options(o: Any) -> None:
    """The report's funnel inputs: an event log, its steps and window."""
    o.add_argument(
        "--events", help="event log: columns user, time (ISO with Z), event [, segment]"
    )
    o.add_argument(
        "--funnel-steps", help="with --events: comma-separated steps, in order"
    )
    o.add_argument(
        "--funnel-window",
        type=float,
        default=86400.0,
        help="with --events: window in seconds (default 1 day)",
    )


def report_sections(args: argparse.Namespace) -> list[tuple[str, str, list[str]]]:
    """The report's funnel section from ``--events``."""
    # the report layer (and its charts) loads only for the report command
    from cxmetrics.report import funnel_section  # noqa: PLC0415

    if not args.funnel_steps:
        msg = "--events needs --funnel-steps (the funnel's event names, in order)."
        raise TableError(msg)
    roles = resolve(args, EVENT_ROLES)
    unit, time, event, seg = (
        str(roles[f"events:{k}"]) for k in ("unit", "time", "event", "segment")
    )
    ft = read_file(args.events, [unit, time, event], optional=[seg])
    events = {
        "unit": keys(ft.path, unit, ft.columns[unit], ft.lines),
        "time": instants(ft.path, time, ft.columns[time], lines=ft.lines),
        "event": ft.columns[event],
    }
    if seg in ft.columns:
        events["segment"] = keys(ft.path, seg, ft.columns[seg], ft.lines)
    try:
        parts = funnel_section(
            events, _steps(args.funnel_steps), window=args.funnel_window
        )
    except cx.exceptions.CXMetricsError as err:
        msg = f"{args.events}: {err}"
        raise TableError(msg) from None
    return [("funnel", "Journeys: funnel, drop-off and time to convert", parts)]
