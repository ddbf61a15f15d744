"""``cxmetrics schedule``: forecast volumes per interval -> requirement -> shifts -> projected service."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics._display import format_value
from cxmetrics._table_io import TableError, numbers, read_table

__all__ = ["add_parser", "schedule"]

Table = tuple[str, list[str], list[list[str]]]


def add_parser(sub: Any, common: Any) -> None:
    """Register the ``schedule`` subcommand on the CLI's subparsers."""
    p = sub.add_parser(
        "schedule",
        help="agents per interval (Erlang C/A), shifts to staff and their projected service (needs scipy)",
    )
    p.add_argument(
        "file",
        help="one row per interval, in time order (whole days), with a volume column",
    )
    p.add_argument(
        "--volume", default="volume", help="contacts column (default: volume)"
    )
    p.add_argument(
        "--periods-per-day",
        type=int,
        required=True,
        help="intervals per day (48: half hours, 96: quarter hours)",
    )
    p.add_argument(
        "--aht", type=float, required=True, help="average handle time, seconds"
    )
    p.add_argument("--threshold", type=float, default=20.0, help="seconds (default 20)")
    p.add_argument(
        "--target", type=float, default=0.8, help="service level (default 0.8)"
    )
    p.add_argument(
        "--shrinkage", type=float, default=0.0, help="share of paid time off the queue"
    )
    p.add_argument(
        "--patience", type=float, help="mean patience, seconds: Erlang A instead of C"
    )
    p.add_argument(
        "--shift-length",
        type=int,
        action="append",
        required=True,
        help="shift length in intervals (repeat for several)",
    )
    p.add_argument(
        "--start-every", type=int, default=1, help="a shift may start every k intervals"
    )
    p.add_argument(
        "--earliest-start", type=int, default=0, help="first start interval of the day"
    )
    p.add_argument("--latest-start", type=int, help="last start interval of the day")
    p.add_argument(
        "--days-on", type=int, help="weekly tours: consecutive working days (e.g. 5)"
    )
    p.add_argument(
        "--objective",
        choices=("headcount", "paid_time", "deviation"),
        default="headcount",
    )
    p.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    common(p)
    p.set_defaults(run=schedule)


def schedule(args: argparse.Namespace) -> list[Table]:
    """Requirement, schedule and projection tables of an interval volume file."""
    cols = read_table(args.file, [args.volume])
    vol = numbers(args.file, args.volume, cols[args.volume])
    ppd = int(args.periods_per_day)
    if ppd < 1 or vol.size % ppd:
        msg = f"{args.file}: {vol.size} rows are not whole days of --periods-per-day {ppd} intervals."
        raise TableError(msg)
    days = vol.size // ppd
    length = 86400.0 / ppd
    latest = ppd - 1 if args.latest_start is None else int(args.latest_start)
    starts = np.arange(int(args.earliest_start), latest + 1, int(args.start_every))
    lengths = np.asarray(args.shift_length, dtype=np.int64)
    erlang: dict[str, Any] = (
        {}
        if args.patience is None
        else {"model": "erlang_a", "patience": args.patience}
    )
    req = cx.staff_requirements(
        vol,
        interval_length=length,
        aht=args.aht,
        target_service_level=args.target,
        threshold=args.threshold,
        shrinkage=args.shrinkage,
        **erlang,
    )
    patterns = cx.shift_patterns(
        np.repeat(starts, lengths.size),
        np.tile(lengths, starts.size),
        periods_per_day=ppd,
        days=days,
        days_on=args.days_on,
    )
    sched = cx.schedule_shifts(
        req.headcount, patterns, objective=args.objective, time_limit=args.time_limit
    )
    proj = cx.projected_service(
        sched,
        vol,
        interval_length=length,
        aht=args.aht,
        threshold=args.threshold,
        shrinkage=args.shrinkage,
        **erlang,
    )
    summary: Table = (
        f"Schedule of {args.file}: {days} day(s) of {ppd} intervals, {patterns.n_patterns} patterns",
        [
            "headcount",
            "objective",
            "value",
            "solver",
            "optimal",
            "gap",
            "service_level",
            "asa",
            "occupancy",
            "short_intervals",
        ],
        [
            [
                format_value(sched.headcount),
                sched.objective,
                format_value(sched.objective_value),
                sched.method,
                "yes" if sched.optimal else "NO",
                format_value(sched.gap),
                format_value(proj.service_level),
                format_value(proj.asa),
                format_value(proj.occupancy),
                format_value(int((sched.surplus < 0).sum())),
            ]
        ],
    )
    used = sched.patterns()
    shifts: Table = (
        "Agents per pattern",
        ["pattern", "agents"],
        [
            [str(n), format_value(int(a))]
            for n, a in zip(used["name"], used["agents"], strict=True)
        ],
    )
    table = proj.to_dict()
    intervals: Table = (
        "Per interval: required (after shrinkage), scheduled, projected service",
        [
            "interval",
            "volume",
            "required",
            "scheduled",
            "surplus",
            "service_level",
            "asa",
        ],
        [
            [
                format_value(int(i)),
                format_value(v),
                format_value(r),
                format_value(int(s)),
                format_value(d),
                format_value(sl),
                format_value(a),
            ]
            for i, v, r, s, d, sl, a in zip(
                table["interval"],
                table["volume"],
                table["required"],
                table["scheduled"],
                table["surplus"],
                table["service_level"],
                table["asa"],
                strict=True,
            )
        ],
    )
    return [summary, shifts, intervals]
