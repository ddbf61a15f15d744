"""The ``cxmetrics`` command: CX metrics of CSV or Parquet files, and the HTML report.

Also ``python -m cxmetrics``. Subcommands::

    cxmetrics survey answers.csv --metric all --by Country --col nps="Likelihood (0-10)"
    cxmetrics sla tickets.csv --policy policy.toml --as-of 2026-06-30T00:00:00Z --due-col "Resolve by"
    cxmetrics backlog tickets.csv --freq week
    cxmetrics retention activity.csv --customer-col "Account ID" --time-col "Renewed on"
    cxmetrics clv orders.csv --col customer="Customer ID" --customers --format csv --output-dir clv/
    cxmetrics contacts calls.csv --col queue=Queue --interval 30min --arrived-col Start
    cxmetrics staffing forecast.csv --aht 300 --target 0.8 --threshold 20 --shrinkage 0.3
    cxmetrics funnel events.csv --steps cart,checkout,paid --window 3600 --col unit=Visitor
    cxmetrics schedule volumes.csv --periods-per-day 48 --aht 300 --shift-length 16 --days-on 5
    cxmetrics report --surveys answers.csv --activity renewals.csv -o report.html --currency USD

Every command maps its column roles to your headers (``--ROLE-col HEADER`` or
``--col ROLE=HEADER``; ``--help`` lists roles and defaults) and writes aligned
text, CSV, JSON (schema ``cxmetrics-tables/1``) or Parquet. Bad files, missing
columns and wrong values print one line naming the file, column, the file's own
line and the problem, and exit with status 2; nothing is written half-way.

To add a command, append a :class:`Command` to :data:`COMMANDS` (its options,
its roles and a function returning tables); nothing else needs to change.

Examples
--------
>>> from cxmetrics.cli import main
>>> from cxmetrics.datasets import sample_path
>>> main(["survey", str(sample_path("sample_survey.csv")), "--metric", "nps", "--by", "segment",
...       "--nan-policy", "omit"])  # doctest: +ELLIPSIS
NPS from column 'nps' by segment (95% intervals)
...
0
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn

from cxmetrics._core.optional import require
from cxmetrics._core.table_io import TableError
from cxmetrics.cli import (
    _clv,
    _commands,
    _contact_centre,
    _journeys,
    _report,
    _retention,
    _survey,
    _tickets,
    _workforce,
)
from cxmetrics.cli._output import FORMATS, check_destination, write_tables
from cxmetrics.cli._roles import Role, add_roles
from cxmetrics.exceptions import CXMetricsError

__all__ = ["COMMANDS", "Command", "main", "main_exit", "parser"]


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, help, options, column roles and the function that runs it."""

    name: str
    help: str
    options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], object]
    roles: tuple[Role, ...] = ()
    tables: bool = True  # False: the command writes its own file (report)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        help="confidence level of the intervals (default 0.95)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="table (aligned text, the default), csv (one table per file), json "
        "(schema cxmetrics-tables/1) or parquet (needs pyarrow); default: from the "
        "--output suffix, else table",
    )
    p.add_argument(
        "-o", "--output", help="write the result to this file instead of the terminal"
    )
    p.add_argument(
        "--output-dir",
        help="write each table to its own file in this folder (NAME.csv, NAME.parquet)",
    )


def _nan_policy(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--nan-policy",
        choices=("raise", "omit"),
        default="raise",
        help=f"{what}: an error (default) or left out and counted",
    )


def _survey_options(s: argparse.ArgumentParser) -> None:
    s.add_argument("file", help="CSV or Parquet file, one row per response")
    s.add_argument("--metric", choices=("nps", "csat", "ces", "all"), default="nps")
    s.add_argument(
        "--score",
        "--score-col",
        dest="score",
        action="append",
        help="column of answers (default: the metric's role); repeat with --metric all",
    )
    s.add_argument(
        "--by", action="append", default=[], help="grouping column (repeat for several)"
    )
    _nan_policy(s, "empty answers")
    s.add_argument(
        "--period",
        choices=("day", "week", "month", "quarter", "year"),
        help="also group by the period of the answer time (--time-col), on its clock as written",
    )
    s.add_argument(
        "--min-n", type=int, default=0, help="suppress groups with fewer answers"
    )


def _ticket_file(t: argparse.ArgumentParser) -> None:
    t.add_argument(
        "file",
        help="status events: one row per status change (ticket, instant, status, priority)",
    )
    t.add_argument(
        "--as-of",
        help="when the log was exported (ISO instant with Z or offset); needed for open tickets",
    )


def _sla_options(t: argparse.ArgumentParser) -> None:
    _ticket_file(t)
    t.add_argument(
        "--comments",
        help="public comments: columns ticket, instant, author (agent or requester)",
    )
    t.add_argument(
        "--policy",
        required=True,
        help="SLA policy TOML file (see cxmetrics.support.read_policy)",
    )
    t.add_argument("--by", help="per-ticket column to group by (default: priority)")
    t.add_argument(
        "--compliance",
        choices=("zendesk", "completed_only", "pessimistic", "optimistic"),
        default="zendesk",
    )
    t.add_argument("--level", choices=("target", "ticket"), default="target")


def _backlog_options(b: argparse.ArgumentParser) -> None:
    _ticket_file(b)
    b.add_argument(
        "--freq",
        choices=("day", "week", "month"),
        default="week",
        help="when to count (default week)",
    )


def _retention_options(r: argparse.ArgumentParser) -> None:
    r.add_argument("file", help="one row per activity (renewal, login, order)")
    r.add_argument(
        "--freq", choices=("day", "week", "month", "quarter", "year"), default="month"
    )
    r.add_argument(
        "--convention",
        choices=(
            "default",
            "chartmogul",
            "profitwell",
            "baremetrics",
            "recurly",
            "stripe",
            "shopify",
        ),
        default=None,
        help="churn convention; default: the library's ChurnConvention() (denominator start, "
        "same-period joiners excluded, reactivations counted), as in Python",
    )


def _clv_options(c: argparse.ArgumentParser) -> None:
    c.add_argument("file", help="purchases: one row per transaction")
    c.add_argument(
        "--end", help="end of the observation period (default: the last purchase date)"
    )
    c.add_argument(
        "--unit",
        choices=("days", "weeks"),
        default="weeks",
        help="time unit of the models (default: weeks)",
    )
    c.add_argument("--model", choices=("bgnbd", "pareto_nbd"), default="bgnbd")
    c.add_argument(
        "--horizon", type=int, default=12, help="CLV horizon in months (default 12)"
    )
    c.add_argument(
        "--discount",
        type=float,
        default=0.01,
        help="monthly discount rate (default 0.01)",
    )
    c.add_argument(
        "--margin",
        type=float,
        default=1.0,
        help="profit margin on spend (default 1: revenue)",
    )
    c.add_argument(
        "--currency", help="currency of the amounts, shown in titles (e.g. USD)"
    )
    c.add_argument(
        "--customers",
        action="store_true",
        help="add the per-customer table (id, frequency, recency, T, P(alive), expected purchases and spend, CLV)",
    )


def _contacts_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="call log: one row per offered contact")
    p.add_argument(
        "--threshold",
        type=float,
        default=20.0,
        help="service-level threshold in seconds (default 20)",
    )
    p.add_argument(
        "--short-abandon",
        type=float,
        default=0.0,
        help="short-abandon threshold in seconds (default 0)",
    )
    p.add_argument(
        "--definition",
        choices=("offered", "answered", "excluding_short_abandons", "abandons_met"),
        default="offered",
        help="service-level definition (default offered)",
    )
    p.add_argument(
        "--interval",
        choices=("15min", "30min", "hour", "day"),
        help="rows per interval of the arrival time (UTC when it has a Z)",
    )
    _nan_policy(p, "empty waits or handle times")


def _staffing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="volume forecast: one row per interval (and queue)")
    p.add_argument(
        "--interval-minutes",
        type=float,
        default=30.0,
        help="interval length in minutes (default 30)",
    )
    p.add_argument(
        "--aht", type=float, help="average handle time in seconds, for every interval"
    )
    p.add_argument(
        "--target", type=float, default=0.8, help="service-level target (default 0.8)"
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=20.0,
        help="seconds of the service level (default 20)",
    )
    p.add_argument(
        "--shrinkage",
        type=float,
        default=0.0,
        help="share of paid time unavailable (default 0)",
    )
    p.add_argument("--model", choices=("erlang_c", "erlang_a"), default="erlang_c")
    p.add_argument("--patience", type=float, help="mean patience in seconds (Erlang A)")
    p.add_argument(
        "--max-occupancy", type=float, help="upper bound on occupancy, e.g. 0.85"
    )
    p.add_argument(
        "--max-asa",
        type=float,
        help="upper bound on the average speed of answer, seconds",
    )


def _report_options(o: argparse.ArgumentParser) -> None:
    o.add_argument("-o", "--output", required=True, help="the HTML file to write")
    _journeys.add_report_options(o)
    o.add_argument(
        "--sample", action="store_true", help="use the bundled sample data (alone)"
    )
    o.add_argument(
        "--surveys", help="survey answers: nps, month [, segment, csat, ces, weight]"
    )
    o.add_argument("--tickets", help="ticket status events (as for the sla command)")
    o.add_argument("--comments", help="ticket comments (as for the sla command)")
    o.add_argument("--policy", help="SLA policy TOML file (its calendar and targets)")
    o.add_argument(
        "--as-of", help="when the tickets were exported (ISO instant with Z or offset)"
    )
    o.add_argument("--activity", help="subscription activity: customer, time")
    o.add_argument(
        "--transactions", help="purchases: customer, date, amount (needs scipy)"
    )
    o.add_argument(
        "--subscriptions",
        help="subscriptions: customer, start, end (empty: running), mrr; for NRR and GRR",
    )
    o.add_argument(
        "--subscriptions-as-of",
        help="date of the subscription export (needed when some have no end)",
    )
    o.add_argument(
        "--nrr-horizon", type=int, default=12, help="months of NRR and GRR (default 12)"
    )
    o.add_argument(
        "--currency", help="currency of the amounts, e.g. USD (default: none shown)"
    )
    o.add_argument(
        "--min-n",
        type=int,
        default=30,
        help="smallest n for a headline comparison (default 30)",
    )
    o.add_argument(
        "--sla-target",
        type=float,
        help="SLA compliance target line, e.g. 0.9 (default: none)",
    )
    o.add_argument(
        "--csat-target", type=float, help="CSAT target line, e.g. 0.8 (default: none)"
    )


COMMANDS: tuple[Command, ...] = (
    Command(
        "survey",
        "NPS, CSAT or CES of a survey file, by group",
        _survey_options,
        _survey.survey,
        _commands.ROLES["survey"],
    ),
    Command(
        "sla",
        "SLA compliance of a ticket status log",
        _sla_options,
        _tickets.sla,
        _commands.ROLES["sla"],
    ),
    Command(
        "backlog",
        "open tickets at the start of each day, week or month",
        _backlog_options,
        _tickets.backlog,
        _commands.ROLES["backlog"],
    ),
    Command(
        "retention",
        "churn by period and cohort retention of an activity log",
        _retention_options,
        _retention.retention,
        _commands.ROLES["retention"],
    ),
    Command(
        "clv",
        "RFM summary, BG/NBD (or Pareto/NBD) and Gamma-Gamma fits, CLV (needs scipy)",
        _clv_options,
        _clv.clv,
        _commands.ROLES["clv"],
    ),
    Command(
        "contacts",
        "service level, abandonment, ASA and AHT of a call log, by queue and interval",
        _contacts_options,
        _contact_centre.contacts,
        _commands.ROLES["contacts"],
    ),
    Command(
        "staffing",
        "agents required per interval from a volume forecast (Erlang C or A)",
        _staffing_options,
        _contact_centre.staffing,
        _commands.ROLES["staffing"],
    ),
    Command(
        "funnel",
        _journeys.HELP,
        _journeys.options,
        _journeys.funnel,
        _journeys.ROLES,
    ),
    Command(
        "schedule",
        _workforce.HELP,
        _workforce.options,
        _workforce.schedule,
        _workforce.ROLES,
    ),
    Command(
        "report",
        "one self-contained HTML report with an executive summary and charts",
        _report_options,
        _report.report,
        _report.REPORT_ROLES,
        tables=False,
    ),
)
"""The subcommands, in ``--help`` order: add a command here (one place)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (and exit status 2) like every other error."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        self.exit(2, f"cxmetrics: error: {text} (see `{self.prog} --help`)\n")


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and the tests)."""
    top = _Parser(
        prog="cxmetrics",
        description="Customer-experience metrics with n and confidence intervals, from CSV or Parquet files.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for cmd in COMMANDS:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        cmd.options(p)
        if cmd.tables:
            _common(p)
        if cmd.roles:
            add_roles(p, cmd.roles)
        p.set_defaults(command_spec=cmd)
    return top


def _format(args: argparse.Namespace) -> str:
    if args.format is not None:
        return str(args.format)
    suffix = (args.output or "").rsplit(".", 1)[-1].lower() if args.output else ""
    return suffix if suffix in ("csv", "json", "parquet") else "table"


_RANGES: dict[str, tuple[float, float, bool, bool, str]] = {
    # option: (low, high, low included, high included, what it is)
    "confidence": (0.0, 1.0, False, False, "a confidence level such as 0.95"),
    "target": (0.0, 1.0, False, True, "a service-level target such as 0.8"),
    "shrinkage": (0.0, 1.0, True, False, "a share of paid time such as 0.3"),
    "max_occupancy": (0.0, 1.0, False, True, "a share such as 0.85"),
    "sla_target": (0.0, 1.0, False, True, "a share such as 0.9"),
    "csat_target": (0.0, 1.0, False, True, "a share such as 0.8"),
    "threshold": (0.0, float("inf"), True, False, "seconds, 0 or more"),
    "short_abandon": (0.0, float("inf"), True, False, "seconds, 0 or more"),
    "interval_minutes": (0.0, float("inf"), False, False, "minutes, more than 0"),
    "aht": (0.0, float("inf"), False, False, "seconds, more than 0"),
    "patience": (0.0, float("inf"), False, False, "seconds, more than 0"),
    "max_asa": (0.0, float("inf"), False, False, "seconds, more than 0"),
    "discount": (0.0, 1.0, True, False, "a monthly rate such as 0.01"),
    "margin": (0.0, float("inf"), False, False, "a share of spend such as 0.3"),
    "horizon": (1.0, 1200.0, True, True, "whole months, 1 to 1200"),
    "min_n": (0.0, float("inf"), True, False, "a whole number, 0 or more"),
    "nrr_horizon": (1.0, 600.0, True, True, "whole months, 1 to 600"),
}


def _check_options(args: argparse.Namespace) -> None:
    """Every numeric option in its range, before any file is read."""
    for name, (lo, hi, lo_in, hi_in, what) in _RANGES.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        ok = (value > lo or (lo_in and value == lo)) and (
            value < hi or (hi_in and value == hi)
        )
        if not ok or math.isnan(value):
            flag = "--" + name.replace("_", "-")
            msg = f"{flag} {value!r}: must be {what}."
            raise TableError(msg)
    if getattr(args, "command", None) == "report" and args.min_n < 1:
        msg = f"--min-n {args.min_n!r}: must be a whole number, 1 or more."
        raise TableError(msg)


def _run(args: argparse.Namespace) -> str | None:
    cmd: Command = args.command_spec
    args.warnings = []
    _check_options(args)
    if not cmd.tables:
        check_destination(args.output, None)
        return str(cmd.run(args))
    fmt = _format(args)
    if args.output and args.output_dir:
        msg = "give --output FILE or --output-dir DIR, not both."
        raise TableError(msg)
    check_destination(args.output, args.output_dir)
    if fmt == "parquet":
        require("pyarrow", feature="--format parquet")
    tables = cmd.run(args)
    assert isinstance(tables, list)  # noqa: S101
    return write_tables(
        tables,
        fmt,
        command=cmd.name,
        output=args.output,
        output_dir=args.output_dir,
        meta={"confidence_level": args.confidence},
    )


def _say(kind: str, text: object) -> None:
    """One line on stderr, whatever the message held."""
    print(f"cxmetrics: {kind}: {' '.join(str(text).split())}", file=sys.stderr)  # noqa: T201


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 a bug of ours)."""
    args = parser().parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = _run(args)
    except CXMetricsError as err:
        _say("error", err)
        return 2
    except OSError as err:  # writing the output failed after the checks (disk full...)
        _say(
            "error",
            f"{err.filename or ''}: {err.strerror or err}; nothing was written.",
        )
        return 2
    except Exception as err:  # noqa: BLE001  (a bug of ours: still one line, never a traceback)
        _say(
            "internal error (please report it with the command you ran)",
            f"{type(err).__name__}: {err}",
        )
        return 1
    seen: dict[str, int] = {}
    for w in caught:  # undefined metrics, fits that did not converge: one line each
        seen[str(w.message)] = seen.get(str(w.message), 0) + 1
    for text, count in seen.items():
        _say("warning", text + (f" ({count} times)" if count > 1 else ""))
    for text in args.warnings:
        _say("warning", text)
    if out is not None:
        print(out)  # noqa: T201
    return 0


def main_exit() -> None:
    """Console-script entry point: :func:`main` with its status as the exit code."""
    try:
        status = main()
        sys.stdout.flush()
    except (
        BrokenPipeError
    ):  # e.g. `cxmetrics ... | head`: the reader left, not an error
        sys.stderr.close()
        status = 0
    sys.exit(status)
