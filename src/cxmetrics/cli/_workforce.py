"""``cxmetrics schedule``: forecast volumes per interval -> requirement -> shifts -> projected service."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics._core.table_io import TableError, numbers, read_file
from cxmetrics.cli._output import Table
from cxmetrics.cli._roles import Role, resolve

__all__ = ["HELP", "ROLES", "options", "schedule"]

HELP = "agents per interval (Erlang C/A), shifts to staff and their projected service (needs scipy)"


ROLES = (Role("volume", "volume", "contacts forecast for the interval"),)
"""Column roles of ``cxmetrics schedule`` (``--volume-col`` or ``--col volume=HEADER``)."""


def options(p: argparse.ArgumentParser) -> None:
    """The options of ``cxmetrics schedule``."""
    p.add_argument(
        "file",
        help="one row per interval, in time order (whole days), with a volume column",
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


def schedule(args: argparse.Namespace) -> list[Table]:
    """Requirement, schedule and projection tables of an interval volume file."""
    volume = str(resolve(args, ROLES)["volume"])
    ft = read_file(args.file, [volume])
    vol = numbers(ft.path, volume, ft.columns[volume], ft.lines)
    if np.isnan(vol).any():
        i = int(np.argmax(np.isnan(vol)))
        msg = f"{ft.path}: column {volume!r}, line {ft.line(i)}: empty value; every interval needs one."
        raise TableError(msg)
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
    summary = Table.from_columns(
        "schedule",
        f"Schedule of {args.file}: {days} day(s) of {ppd} intervals, {patterns.n_patterns} patterns",
        {
            "headcount": sched.headcount,
            "objective": sched.objective,
            "value": sched.objective_value,
            "solver": sched.method,
            "optimal": bool(sched.optimal),
            "gap": sched.gap,
            "service_level": proj.service_level,
            "asa": proj.asa,
            "occupancy": proj.occupancy,
            "short_intervals": int((sched.surplus < 0).sum()),
        },
        kinds={"service_level": "share", "occupancy": "share", "optimal": "alarm"},
    )
    used = sched.patterns()
    shifts = Table.from_columns(
        "patterns",
        "Agents per pattern",
        {"pattern": used["name"], "agents": used["agents"]},
        kinds={"agents": "count"},
    )
    table = proj.to_dict()
    intervals = Table.from_columns(
        "intervals",
        "Per interval: required (after shrinkage), scheduled, projected service",
        {
            name: table[name]
            for name in (
                "interval",
                "volume",
                "required",
                "scheduled",
                "surplus",
                "service_level",
                "asa",
            )
        },
        kinds={"service_level": "share", "scheduled": "count"},
    )
    return [summary, shifts, intervals]
