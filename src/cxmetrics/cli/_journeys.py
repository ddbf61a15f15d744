"""The ``cxmetrics funnel`` command: a conversion funnel of an event log file."""

from __future__ import annotations

import argparse
from typing import Any

import cxmetrics as cx
from cxmetrics._display import format_value
from cxmetrics._table_io import TableError, instants, read_table

__all__ = ["add_parser", "add_report_options", "funnel", "report_sections"]

Table = tuple[str, list[str], list[list[str]]]


def add_parser(sub: Any, common: Any) -> None:
    """Register ``funnel`` on the subcommand parsers."""
    f = sub.add_parser(
        "funnel", help="conversion funnel of an event log: reached, drop-off"
    )
    f.add_argument("file", help="events: one row per event (unit, time, event)")
    f.add_argument("--unit", default="user", help="unit column (default: user)")
    f.add_argument(
        "--time",
        default="time",
        help="time column, ISO instants with Z or offset (default: time)",
    )
    f.add_argument(
        "--event", default="event", help="event name column (default: event)"
    )
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
    f.add_argument("--by", help="segment column (first touch)")
    f.add_argument(
        "--session-gap",
        type=float,
        help="count sessions split by gaps over this many seconds",
    )
    common(f)
    f.set_defaults(run=funnel)


def _steps(text: str) -> dict[str, set[str]]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    return {s: {p.strip() for p in s.split("|")} for s in names}


def _rows(res: cx.FunnelResult, confidence: float, key: str | None) -> list[list[str]]:
    t = res.table(confidence)
    lead = [] if key is None else [key]
    return [
        [
            *lead,
            str(t["step"][i]),
            format_value(int(t["reached"][i])),
            format_value(float(t["conversion"][i])),
            format_value(float(t["conversion_low"][i])),
            format_value(float(t["conversion_high"][i])),
            format_value(float(t["drop_off"][i])) if i else "",
        ]
        for i in range(len(res.steps))
    ]


def funnel(args: argparse.Namespace) -> list[Table]:
    r"""Units reaching each step with conversion, its interval and drop-off.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cxmetrics.cli import main
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text(
    ...     "user,time,event\n"
    ...     "a,2026-03-01T10:00:00Z,cart\na,2026-03-01T10:05:00Z,paid\nb,2026-03-01T11:00:00Z,cart\n"
    ... )
    >>> main(["funnel", str(path), "--steps", "cart,paid", "--window", "3600"])  # doctest: +NORMALIZE_WHITESPACE
    Funnel of 'event' by 'user' (ordered, window 3600 s): 2 entered
    step  reached  conversion  ci_low (95%)  ci_high  drop_off
    cart        2           1        0.3424        1
    paid        1         0.5       0.09453   0.9055       0.5
    0
    """
    cols = read_table(
        args.file,
        [args.unit, args.time, args.event],
        optional=[args.by] if args.by else [],
    )
    if args.by and args.by not in cols:
        msg = f"{args.file}: no column {args.by!r} (--by)."
        raise TableError(msg)
    t = instants(args.file, args.time, cols[args.time])
    steps = _steps(args.steps)
    if not steps:
        msg = "--steps names no step; give event names separated by commas."
        raise TableError(msg)
    try:
        res = cx.funnel(
            cols[args.unit],
            t,
            cols[args.event],
            steps,
            window=args.window,
            mode=args.mode,
            entry=args.entry,
            by=None if not args.by else cols[args.by],
            session_gap=args.session_gap,
        )
    except cx.exceptions.CXMetricsError as err:
        msg = f"{args.file}: {err}"
        raise TableError(msg) from None
    level = f"ci_low ({args.confidence:.0%})"
    what = f"Funnel of {args.event!r} by {args.unit!r} ({args.mode}, window {args.window:g} s)"
    if isinstance(res, cx.GroupedFunnelResult):
        rows = [
            r for k in res.keys.tolist() for r in _rows(res[k], args.confidence, str(k))
        ]
        head = [args.by, "step", "reached", "conversion", level, "ci_high", "drop_off"]
        return [(f"{what} by {args.by}", head, rows)]
    head = ["step", "reached", "conversion", level, "ci_high", "drop_off"]
    return [(f"{what}: {res.n} entered", head, _rows(res, args.confidence, None))]


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
    from cxmetrics.report._journeys import funnel_section  # noqa: PLC0415

    if not args.funnel_steps:
        msg = "--events needs --funnel-steps (the funnel's event names, in order)."
        raise TableError(msg)
    cols = read_table(args.events, ["user", "time", "event"], optional=["segment"])
    events = {
        "unit": cols["user"],
        "time": instants(args.events, "time", cols["time"]),
        "event": cols["event"],
    }
    if "segment" in cols:
        events["segment"] = cols["segment"]
    try:
        parts = funnel_section(
            events, _steps(args.funnel_steps), window=args.funnel_window
        )
    except cx.exceptions.CXMetricsError as err:
        msg = f"{args.events}: {err}"
        raise TableError(msg) from None
    return [("funnel", "Journeys: funnel, drop-off and time to convert", parts)]
