"""The work of each subcommand: read the files, compute, return tables of rows.

Each command returns ``(title, headers, rows)`` tables; printing them is
``_output``'s job. Input problems raise :class:`cxmetrics._table_io.TableError`
(or another cxmetrics error), which ``main`` prints as one line with exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics._display import format_value
from cxmetrics._table_io import TableError, instants, numbers, read_table

__all__ = [
    "Table",
    "report",
    "retention",
    "sla",
    "survey",
    "ticket_inputs",
]

Table = tuple[str, list[str], list[list[str]]]

_SCORES: dict[str, Callable[..., Any]] = {"nps": cx.nps, "csat": cx.csat, "ces": cx.ces}


def _combined_keys(
    columns: dict[str, NDArray[Any]], by: Sequence[str]
) -> NDArray[Any] | None:
    if not by:
        return None
    if len(by) == 1:
        return columns[by[0]]
    out = columns[by[0]].astype(str)
    for name in by[1:]:
        out = np.char.add(np.char.add(out, " / "), columns[name].astype(str))
    return out


def _grouped_rows(res: Any, confidence_level: float) -> list[list[str]]:
    ci = res.confidence_interval(confidence_level)
    if not hasattr(res, "keys"):
        return [
            [
                "all",
                format_value(res.value),
                format_value(res.n),
                format_value(res.n_missing),
                format_value(ci[0]),
                format_value(ci[1]),
            ]
        ]
    return [
        [
            str(k),
            format_value(v),
            format_value(n),
            format_value(m),
            format_value(lo),
            format_value(hi),
        ]
        for k, v, n, m, lo, hi in zip(
            res.keys.tolist(),
            res.value,
            res.n,
            res.n_missing,
            ci.low,
            ci.high,
            strict=True,
        )
    ]


def survey(args: argparse.Namespace) -> list[Table]:
    """NPS / CSAT / CES of a survey file, by group, with n and intervals."""
    metrics = ["nps", "csat", "ces"] if args.metric == "all" else [args.metric]
    scores = args.score or metrics
    if len(scores) != len(metrics):
        msg = f"--score names {len(scores)} column(s) for {len(metrics)} metric(s) ({', '.join(metrics)}); give one per metric."
        raise TableError(msg)
    needed = [*scores, *args.by, *([args.weights] if args.weights else [])]
    cols = read_table(args.file, list(dict.fromkeys(needed)))
    by = _combined_keys(cols, args.by)
    w = (
        None
        if args.weights is None
        else numbers(args.file, args.weights, cols[args.weights])
    )
    tables: list[Table] = []
    for metric, column in zip(metrics, scores, strict=True):
        values = numbers(args.file, column, cols[column])
        try:
            res = _SCORES[metric](
                values, by=by, weights=w, nan_policy=args.nan_policy, min_n=args.min_n
            )
        except cx.exceptions.CXMetricsError as err:
            msg = f"{args.file}: column {column!r}: {err}"
            raise TableError(msg) from None
        title = f"{metric.upper()} from column {column!r}" + (
            f" by {' / '.join(args.by)}" if args.by else ""
        )
        headers = [
            " / ".join(args.by) or "group",
            "value",
            "n",
            "n_missing",
            f"ci_low ({args.confidence:.0%})",
            "ci_high",
        ]
        tables.append((title, headers, _grouped_rows(res, args.confidence)))
    return tables


_PER_TICKET = ("team", "channel", "agent")


def _ticket_columns(path: str, comments: str | None) -> dict[str, NDArray[Any]]:
    """A ticket status file (and its comments file) as the columns TicketLog takes."""
    ev = read_table(
        path, ["ticket", "instant", "status", "priority"], optional=_PER_TICKET
    )
    out = {**ev, "instant": instants(path, "instant", ev["instant"])}
    if comments:
        co = read_table(comments, ["ticket", "instant", "author"])
        out |= {
            "comment_ticket": co["ticket"],
            "comment_instant": instants(comments, "instant", co["instant"]),
            "comment_author": co["author"],
        }
    return out


def ticket_inputs(
    tickets_path: str, comments_path: str | None, as_of: object | None = None
) -> tuple[Any, NDArray[Any], dict[str, NDArray[Any]]]:
    """A TicketLog, the ticket ids, and per-ticket columns (priority, team...) from files."""
    cols = _ticket_columns(tickets_path, comments_path)
    comments = {k: v for k, v in cols.items() if k.startswith("comment_")}
    try:
        log = cx.TicketLog.from_arrays(
            cols["ticket"], cols["instant"], cols["status"], as_of=as_of, **comments
        )
    except cx.exceptions.CXMetricsError as err:
        msg = f"{tickets_path}: {err}"
        raise TableError(msg) from None
    ids, first = np.unique(cols["ticket"], return_index=True)
    per_ticket = {c: cols[c][first] for c in ("priority", *_PER_TICKET) if c in cols}
    return log, ids, per_ticket


def sla(args: argparse.Namespace) -> list[Table]:
    """SLA compliance by priority (and an optional per-ticket column)."""
    policy = cx.support.read_policy(args.policy)
    as_of = (
        None
        if args.as_of is None
        else instants("--as-of", "as_of", np.array([args.as_of]))[0]
    )
    log, ids, per_ticket = ticket_inputs(args.file, args.comments, as_of)
    if args.by and args.by not in per_ticket:
        msg = f"{args.file}: no column {args.by!r} for --by; per-ticket columns are {sorted(per_ticket)}."
        raise TableError(msg)
    priority = per_ticket["priority"]
    by = per_ticket[args.by] if args.by else priority
    try:
        targets = cx.sla_targets(
            log, policy, priority=priority, tickets=ids, as_of=as_of
        )
        state = cx.SLAComplianceState.from_targets(
            targets, by=by, tickets=ids, log=log, level=args.level
        )
    except cx.exceptions.CXMetricsError as err:
        msg = f"{args.file}: {err}"
        raise TableError(msg) from None
    res = state.compute_grouped(args.compliance)
    ci = res.confidence_interval(args.confidence)
    rows = [
        [
            str(k),
            format_value(v),
            format_value(n),
            format_value(m),
            format_value(b),
            format_value(e),
            format_value(lo),
            format_value(hi),
        ]
        for k, v, n, m, b, e, lo, hi in zip(
            res.keys.tolist(),
            res.value,
            res.n,
            res.met,
            res.breached,
            res.excluded,
            ci.low,
            ci.high,
            strict=True,
        )
    ]
    title = (
        f"SLA compliance ({args.level}s, {args.compliance}) by {args.by or 'priority'}"
    )
    headers = [
        args.by or "priority",
        "value",
        "n",
        "met",
        "breached",
        "excluded",
        f"ci_low ({args.confidence:.0%})",
        "ci_high",
    ]
    return [(title, headers, rows)]


def retention(args: argparse.Namespace) -> list[Table]:
    """Churn by period and the cohort matrix of an activity log."""
    cols = read_table(args.file, [args.customer, args.time])
    t = instants(args.file, args.time, cols[args.time], utc=False)
    try:
        churn = cx.GroupedChurnState.from_activity(
            cols[args.customer], t, freq=args.freq
        ).compute(args.convention)
        cohorts = cx.cohort_matrix(cols[args.customer], t, freq=args.freq)
    except cx.exceptions.CXMetricsError as err:
        msg = f"{args.file}: {err}"
        raise TableError(msg) from None
    ci = churn.confidence_interval(args.confidence)
    rows = [
        [
            str(k),
            format_value(v),
            format_value(s),
            format_value(c),
            format_value(lo),
            format_value(hi),
        ]
        for k, v, s, c, lo, hi in zip(
            churn.keys.tolist(),
            churn.value,
            churn.at_start,
            churn.churned,
            ci.low,
            ci.high,
            strict=True,
        )
    ]
    churn_table: Table = (
        f"Churn by {args.freq} ({args.convention} convention)",
        [
            args.freq,
            "churn",
            "at_start",
            "churned",
            f"ci_low ({args.confidence:.0%})",
            "ci_high",
        ],
        rows,
    )
    width = cohorts.value.shape[1] if cohorts.value.ndim == 2 else 0
    crow = [
        [
            str(c),
            format_value(s),
            *("" if m else f"{v:.0%}" for v, m in zip(vals, mask, strict=True)),
        ]
        for c, s, vals, mask in zip(
            cohorts.cohorts.tolist(),
            cohorts.sizes,
            cohorts.value,
            cohorts.mask,
            strict=True,
        )
    ]
    cohort_table: Table = (
        f"Cohort retention by {args.freq} since first activity",
        ["cohort", "size", *(str(k) for k in range(width))],
        crow,
    )
    return [churn_table, cohort_table]


def _survey_columns(path: str) -> dict[str, NDArray[Any]]:
    cols = read_table(path, ["nps", "month"], optional=["segment", "csat", "ces"])
    out: dict[str, NDArray[Any]] = {"month": cols["month"]}
    for name in ("nps", "csat", "ces"):
        if name in cols:
            out[name] = numbers(path, name, cols[name])
    if "segment" in cols:
        out["segment"] = cols["segment"]
    return out


def _transaction_columns(
    path: str, customer: str, time: str, amount: str
) -> dict[str, NDArray[Any]]:
    cols = read_table(path, [customer, time, amount])
    return {
        "customer": cols[customer],
        "date": instants(path, time, cols[time], utc=False),
        "amount": numbers(path, amount, cols[amount]),
    }


def clv(args: argparse.Namespace) -> list[Table]:
    """RFM summary, BG/NBD and Gamma-Gamma fits, and CLV over a horizon, from a purchase log."""
    tx = _transaction_columns(args.file, args.customer, args.time, args.amount)
    end = (
        tx["date"].max()
        if args.end is None
        else instants("--end", "end", np.array([args.end]), utc=False)[0]
    )
    unit = {"days": 1.0, "weeks": 7.0}[args.unit]
    try:
        rfm = cx.rfm_summary(
            tx["customer"],
            tx["date"],
            tx["amount"],
            observation_end=end,
            freq="day",
            freq_multiplier=unit,
        )
        purchases = cx.bgnbd(rfm) if args.model == "bgnbd" else cx.pareto_nbd(rfm)
        spend = cx.gamma_gamma(rfm)
    except cx.exceptions.CXMetricsError as err:
        msg = f"{args.file}: {err}"
        raise TableError(msg) from None
    per_month = (365.25 / 12) / unit
    value = spend.customer_lifetime_value(
        purchases,
        rfm.frequency,
        rfm.recency,
        rfm.T,
        rfm.monetary_value,
        margin=args.margin,
        steps=args.horizon,
        step_length=per_month,
        discount_rate=args.discount,
    )
    alive = purchases.probability_alive(rfm.frequency, rfm.recency, rfm.T)
    z = 1.959963984540054 if args.confidence == 0.95 else None
    rows = []
    for fit in (purchases, spend):
        for name in fit.parameter_names:
            lo, hi = (
                fit.confidence_interval(name, args.confidence)
                if z is None
                else fit.confidence_interval(name)
            )
            rows.append(
                [
                    fit.model_name,
                    name,
                    format_value(fit.params[name]),
                    format_value(fit.standard_errors[name]),
                    format_value(lo),
                    format_value(hi),
                    "yes" if fit.converged else "NO",
                ]
            )
    fits: Table = (
        f"Model fits on {rfm.n:,} customers (time unit: {args.unit}; Gamma-Gamma on {int(spend.n):,} with repeat purchases)",
        [
            "model",
            "parameter",
            "estimate",
            "SE",
            f"ci_low ({args.confidence:.0%})",
            "ci_high",
            "converged",
        ],
        rows,
    )
    q = [0.1, 0.25, 0.5, 0.75, 0.9]
    summary: Table = (
        f"Per customer: {args.horizon}-month CLV (margin {args.margin:g}, {args.discount:.1%} monthly discount) and P(alive)",
        ["statistic", "n", "mean", *(f"p{int(x * 100)}" for x in q)],
        [
            [
                "CLV",
                format_value(value.size),
                format_value(float(np.mean(value))),
                *(format_value(v) for v in np.quantile(value, q)),
            ],
            [
                "P(alive)",
                format_value(alive.size),
                format_value(float(np.mean(alive))),
                *(format_value(v) for v in np.quantile(alive, q)),
            ],
        ],
    )
    return [fits, summary]


def report(args: argparse.Namespace) -> str:
    """Write the HTML report; returns the line to print."""
    from cxmetrics import datasets  # noqa: PLC0415
    from cxmetrics.report import write_report  # noqa: PLC0415

    inputs: dict[str, Any] = {}
    if args.sample:
        inputs = {
            "surveys": datasets.load_sample_survey(),
            "tickets": datasets.load_sample_tickets(),
            "policy": datasets.sample_policy(),
            "activity": datasets.load_sample_activity(),
            "transactions": datasets.load_sample_transactions(),
            "as_of": np.datetime64("2026-07-01T00:00:00", "s"),
        }
    else:
        if args.surveys:
            inputs["surveys"] = _survey_columns(args.surveys)
        if args.tickets:
            if not args.policy or not args.as_of:
                msg = "--tickets needs --policy and --as-of."
                raise TableError(msg)
            inputs["tickets"] = _ticket_columns(args.tickets, args.comments)
            inputs["policy"] = cx.support.read_policy(args.policy)
            inputs["as_of"] = instants("--as-of", "as_of", np.array([args.as_of]))[0]
        if args.transactions:
            inputs["transactions"] = _transaction_columns(
                args.transactions, "customer", "date", "amount"
            )
        if args.activity:
            a = read_table(args.activity, ["customer", "time"])
            inputs["activity"] = {
                "customer": a["customer"],
                "time": instants(args.activity, "time", a["time"], utc=False),
            }
    if getattr(args, "events", None):
        from cxmetrics.cli._journeys import report_sections  # noqa: PLC0415

        inputs["extra_sections"] = report_sections(args)
    if not inputs:
        msg = "nothing to report: give --sample, or at least one of --surveys, --tickets, --activity, --transactions."
        raise TableError(msg)
    write_report(args.output, **inputs)
    return f"wrote {args.output}"
