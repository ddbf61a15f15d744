"""The ``report`` command: read the files and write the HTML report."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.table_io import (
    FileTable,
    TableError,
    instants,
    keys,
    numbers,
    read_file,
    wall_clock,
)
from cxmetrics.cli import _journeys
from cxmetrics.cli._clv import _transactions
from cxmetrics.cli._roles import Role, resolve
from cxmetrics.cli._tickets import _as_of, _read_policy, _ticket_inputs

__all__ = ["REPORT_ROLES", "report"]

REPORT_ROLES: tuple[Role, ...] = (
    Role("nps", "nps", "NPS answers 0-10", file="surveys"),
    Role("csat", "csat", "CSAT answers 1-5", file="surveys"),
    Role("ces", "ces", "CES answers 1-7", file="surveys"),
    Role("time", "month", "answer month (YYYY-MM) or date", file="surveys"),
    Role("segment", "segment", "segment to compare", file="surveys"),
    Role("weight", None, "survey weights", file="surveys"),
    Role("arm", "arm", "experiment arm (adds the experiment section)", file="surveys"),
    Role("ticket", "ticket", "ticket id", file="tickets"),
    Role("instant", "instant", "event time (UTC, Z or offset)", file="tickets"),
    Role("status", "status", "ticket status", file="tickets"),
    Role("priority", "priority", "policy key", file="tickets"),
    Role("author", "author", "comment author", file="tickets"),
    Role("due", None, "per-ticket resolution due instant", file="tickets"),
    Role("customer", "customer", "customer id", file="activity"),
    Role("time", "time", "activity date", file="activity"),
    Role("customer", "customer", "customer id", file="transactions"),
    Role("time", "date", "purchase date", file="transactions"),
    Role("amount", "amount", "purchase amount", file="transactions"),
    Role("customer", "customer", "customer id", file="subscriptions"),
    Role("start", "start", "subscription start date", file="subscriptions"),
    Role("end", "end", "subscription end date (empty: running)", file="subscriptions"),
    Role("amount", "mrr", "monthly recurring revenue", file="subscriptions"),
    *_journeys.EVENT_ROLES,
)


def _sub(cols: dict[str, str | None], file: str) -> dict[str, str | None]:
    pre = f"{file}:"
    return {k[len(pre) :]: v for k, v in cols.items() if k.startswith(pre)}


def _months(ft: FileTable, name: str) -> NDArray[Any]:
    raw = np.char.strip(ft.columns[name].astype(str))
    if raw.size and bool((np.char.str_len(raw) == 7).all()):
        instants(
            ft.path, name, np.char.add(raw, "-01"), utc=False, lines=ft.lines
        )  # checks them
        return raw
    return (
        wall_clock(ft.path, name, ft.columns[name], ft.lines)
        .astype("datetime64[M]")
        .astype(str)
    )


def _survey_columns(path: str, cols: dict[str, str | None]) -> dict[str, NDArray[Any]]:
    opt = [
        c
        for c in (
            cols["csat"],
            cols["ces"],
            cols["segment"],
            cols["weight"],
            cols["arm"],
        )
        if c
    ]
    ft = read_file(
        path,
        [
            str(cols["nps"]),
            str(cols["time"]),
            *([cols["weight"]] if cols["weight"] else []),
        ],
        optional=opt,
    )
    out: dict[str, NDArray[Any]] = {"month": _months(ft, str(cols["time"]))}
    for role in ("nps", "csat", "ces", "weight"):
        c = cols[role]
        if c and c in ft.columns:
            out[role] = numbers(ft.path, c, ft.columns[c], ft.lines)
    for role in ("segment", "arm"):
        c = cols[role]
        if c and c in ft.columns:
            out[role] = keys(ft.path, c, ft.columns[c], ft.lines)
    return out


def _subscription_columns(
    path: str, cols: dict[str, str | None]
) -> dict[str, NDArray[Any]]:
    cu, st, en, am = (str(cols[k]) for k in ("customer", "start", "end", "amount"))
    ft = read_file(path, [cu, st, en, am])
    raw_end = np.char.strip(ft.columns[en].astype(str))
    end = np.full(raw_end.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    given = raw_end != ""
    end[given] = instants(ft.path, en, raw_end[given], utc=False, lines=ft.lines[given])
    flag = "--col subscriptions:customer"
    return {
        "customer": keys(ft.path, cu, ft.columns[cu], ft.lines, flag=flag),
        "start": instants(ft.path, st, ft.columns[st], utc=False, lines=ft.lines),
        "end": end,
        "amount": numbers(ft.path, am, ft.columns[am], ft.lines),
    }


def report(args: argparse.Namespace) -> str:
    """Write the HTML report; returns the line to print."""
    # the report layer (and its charts) loads only for the report command
    from cxmetrics import datasets  # noqa: PLC0415
    from cxmetrics.report import write_report  # noqa: PLC0415

    files = [
        f
        for f in (
            "surveys",
            "tickets",
            "comments",
            "policy",
            "activity",
            "transactions",
            "subscriptions",
        )
        if getattr(args, f)
    ]
    if args.sample and files:
        msg = f"--sample reports the bundled data; it cannot be combined with --{files[0]}. Drop --sample to report your files."
        raise TableError(msg)
    if not args.tickets:
        lone = [f for f in ("comments", "policy", "as_of") if getattr(args, f)]
        if lone:
            flag = "--" + lone[0].replace("_", "-")
            msg = f"{flag} belongs to --tickets, which is not given; add --tickets FILE or drop {flag}."
            raise TableError(msg)
    cols = resolve(args, REPORT_ROLES)
    inputs: dict[str, Any] = {"currency": args.currency, "min_n": args.min_n}
    if args.sla_target is not None:
        inputs["targets"] = {"sla": args.sla_target}
    if args.csat_target is not None:
        inputs.setdefault("targets", {})["csat"] = args.csat_target
    if args.sample:
        s = datasets.load_sample_survey()
        inputs |= {
            "surveys": s,
            "tickets": datasets.load_sample_tickets(),
            "policy": datasets.sample_policy(),
            "activity": datasets.load_sample_activity(),
            "transactions": datasets.load_sample_transactions(),
            "as_of": np.datetime64("2026-07-01T00:00:00", "s"),
        }
    else:
        if args.surveys:
            inputs["surveys"] = _survey_columns(args.surveys, _sub(cols, "surveys"))
        if args.tickets:
            if not args.policy or not args.as_of:
                msg = "--tickets needs --policy and --as-of."
                raise TableError(msg)
            inputs["policy"] = _read_policy(args.policy)
            as_of = _as_of(args.as_of)
            tc = _sub(cols, "tickets")
            log, ids, per, _ = _ticket_inputs(args.tickets, args.comments, as_of, tc)
            inputs["tickets"] = {
                "log": log,
                "ids": ids,
                "priority": per["priority"],
                "due": per.get("__due__"),
            }
            inputs["as_of"] = as_of
        if args.transactions:
            tx, _ = _transactions(args.transactions, _sub(cols, "transactions"))
            inputs["transactions"] = tx
        if args.subscriptions:
            inputs["subscriptions"] = _subscription_columns(
                args.subscriptions, _sub(cols, "subscriptions")
            )
            if args.subscriptions_as_of:
                inputs["subscriptions_as_of"] = instants(
                    "--subscriptions-as-of",
                    "as_of",
                    np.array([args.subscriptions_as_of]),
                    utc=False,
                )[0]
            inputs["nrr_horizon"] = args.nrr_horizon
        if args.activity:
            ac = _sub(cols, "activity")
            ft = read_file(args.activity, [str(ac["customer"]), str(ac["time"])])
            inputs["activity"] = {
                "customer": keys(
                    ft.path,
                    str(ac["customer"]),
                    ft.columns[str(ac["customer"])],
                    ft.lines,
                    flag="--activity-customer-col",
                ),
                "time": instants(
                    ft.path,
                    str(ac["time"]),
                    ft.columns[str(ac["time"])],
                    utc=False,
                    lines=ft.lines,
                ),
            }
    if args.events:
        inputs["extra_sections"] = _journeys.report_sections(args)
    if not any(
        k in inputs
        for k in (
            "surveys",
            "tickets",
            "activity",
            "transactions",
            "subscriptions",
            "extra_sections",
        )
    ):
        msg = (
            "nothing to report: give --sample, or at least one of --surveys, --tickets, "
            "--activity, --transactions, --subscriptions, --events."
        )
        raise TableError(msg)
    write_report(args.output, **inputs)
    return f"wrote {args.output}"
