"""The ``contacts`` and ``staffing`` commands: contact-centre KPIs of a call log and agents required per interval."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics._core.table_io import (
    FileTable,
    TableError,
    flags,
    instants,
    keys,
    numbers,
    read_file,
    seconds,
)
from cxmetrics.cli._commands import (
    ROLES,
    _ci,
    _key_columns,
    _listify,
    _located,
)
from cxmetrics.cli._output import Table
from cxmetrics.cli._roles import resolve

__all__ = ["contacts", "staffing"]


def _any_instants(ft: FileTable, name: str) -> NDArray[np.datetime64]:
    """Local times as written, or instants with a zone (Z or an offset) in UTC."""
    try:
        return instants(ft.path, name, ft.columns[name], utc=False, lines=ft.lines)
    except TableError as err:
        if "has a time zone" not in str(err):
            raise
    return instants(ft.path, name, ft.columns[name], utc=True, lines=ft.lines)


_MINUTES = {"15min": 15, "30min": 30, "hour": 60, "day": 1440}


def _interval_start(t: NDArray[np.datetime64], interval: str) -> NDArray[np.str_]:
    """The start of each instant's interval (15 or 30 minutes, hour, day), as ISO text."""
    step = _MINUTES[interval]
    m = t.astype("datetime64[m]").astype(np.int64)
    start = (m - m % step).astype("datetime64[m]")
    return np.datetime_as_string(start, unit="m")


def contacts(args: argparse.Namespace) -> list[Table]:
    """Observed service level, abandonment, ASA and AHT per queue (and interval) from a call log."""
    cols = resolve(args, ROLES["contacts"])
    wait_c, ab_c = str(cols["wait"]), str(cols["abandoned"])
    optional = [
        c for c in (cols[k] for k in ("queue", "arrived", "talk", "hold", "acw")) if c
    ]
    if args.interval and not cols["arrived"]:
        msg = "--interval needs the arrival time column: add --arrived-col HEADER."
        raise TableError(msg)
    ft = read_file(args.file, [wait_c, ab_c, *optional])
    wait = seconds(ft.path, wait_c, ft.columns[wait_c], ft.lines)
    abandoned = flags(ft.path, ab_c, ft.columns[ab_c], ft.lines)
    kw: dict[str, Any] = {}
    for k in ("talk", "hold", "acw"):
        if cols[k]:
            kw[k] = seconds(ft.path, str(cols[k]), ft.columns[str(cols[k])], ft.lines)
    by_names: list[str] = []
    by: list[NDArray[Any]] = []
    if cols["queue"]:
        q = str(cols["queue"])
        by.append(keys(ft.path, q, ft.columns[q], ft.lines, flag="--queue-col"))
        by_names.append(q)
    if args.interval:
        a = str(cols["arrived"])
        t = _any_instants(ft, a)
        by.append(_interval_start(t, args.interval))
        by_names.append("interval")
    by_arg: Any = None if not by else by[0] if len(by) == 1 else by
    scheme = cx.ContactScheme(
        threshold=args.threshold, short_abandon=args.short_abandon
    )
    with _located(ft, None):
        res = cx.contact_metrics(
            wait,
            abandoned,
            by=by_arg,
            scheme=scheme,
            definition=args.definition,
            nan_policy=args.nan_policy,
            **kw,
        )
    lo, hi = _ci(res, args.confidence)
    data: dict[str, Any] = _key_columns(res, by_names)
    data |= {
        "offered": _listify(res.offered),
        "answered": _listify(res.answered),
        "abandoned": _listify(res.abandoned),
        "service_level": _listify(res.service_level),
        "ci_low": _listify(lo),
        "ci_high": _listify(hi),
        "abandon_rate": _listify(res.abandon_rate),
        "asa_seconds": _listify(res.asa),
    }
    if "talk" in kw:
        data["aht_seconds"] = _listify(res.aht)
    kinds = dict.fromkeys(
        ("service_level", "ci_low", "ci_high", "abandon_rate"), "share"
    )
    kinds |= dict.fromkeys(("offered", "answered", "abandoned"), "count")
    title = (
        f"Contacts: service level ({args.definition}, answered within {args.threshold:g} s), abandonment, ASA"
        + (", AHT" if "talk" in kw else "")
        + (f" by {' / '.join(by_names)}" if by_names else "")
    )
    return [Table.from_columns("contacts", title, data, kinds=kinds)]


def staffing(args: argparse.Namespace) -> list[Table]:
    """Agents required per interval from a volume forecast (Erlang C or A)."""
    cols = resolve(args, ROLES["staffing"])
    iv, vol = str(cols["interval"]), str(cols["volume"])
    if cols["aht"] is None and args.aht is None:
        msg = "give the handle time: --aht SECONDS for every interval, or --aht-col HEADER."
        raise TableError(msg)
    if args.model == "erlang_a" and args.patience is None:
        msg = "--model erlang_a needs --patience SECONDS (mean time callers wait before hanging up)."
        raise TableError(msg)
    extra = [c for c in (cols["aht"], cols["queue"]) if c]
    ft = read_file(args.file, [iv, vol, *extra])
    volume = numbers(ft.path, vol, ft.columns[vol], ft.lines)
    aht = (
        numbers(ft.path, str(cols["aht"]), ft.columns[str(cols["aht"])], ft.lines)
        if cols["aht"]
        else np.full(volume.shape, float(args.aht))
    )
    for name, arr in ((vol, volume), (str(cols["aht"] or "--aht"), aht)):
        if np.isnan(arr).any():
            i = int(np.argmax(np.isnan(arr)))
            msg = f"{ft.path}: column {name!r}, line {ft.line(i)}: empty value; every interval needs one."
            raise TableError(msg)
    rate = volume / (args.interval_minutes * 60.0)
    with _located(
        ft, None, {"aht": "--aht", "shrinkage": "--shrinkage", "patience": "--patience"}
    ):
        res = cx.agents_required(
            arrival_rate=rate,
            aht=aht,
            target_service_level=args.target,
            threshold=args.threshold,
            shrinkage=args.shrinkage,
            model=args.model,
            patience=args.patience,
            max_occupancy=args.max_occupancy,
            max_asa=args.max_asa,
        )
    data: dict[str, Any] = {}
    if cols["queue"]:
        data[str(cols["queue"])] = keys(
            ft.path, str(cols["queue"]), ft.columns[str(cols["queue"])], ft.lines
        )
    data |= {
        iv: ft.columns[iv],
        "volume": volume,
        "aht_seconds": aht,
        "traffic_erlangs": _listify(res.traffic),
        "agents": _listify(res.agents),
        "headcount": _listify(res.headcount),
        "service_level": _listify(res.service_level),
        "asa_seconds": _listify(res.asa),
        "occupancy": _listify(res.occupancy),
        "binding": _listify(res.binding),
    }
    kinds = {
        "service_level": "share",
        "occupancy": "share",
        "agents": "count",
        "headcount": "count",
        "volume": "count",
    }
    model = {"erlang_c": "Erlang C", "erlang_a": "Erlang A"}[args.model]
    title = (
        f"Agents required per {args.interval_minutes:g}-minute interval ({model}; {args.target:.0%} answered "
        f"within {args.threshold:g} s; shrinkage {args.shrinkage:.0%})"
    )
    return [Table.from_columns("staffing", title, data, kinds=kinds)]
