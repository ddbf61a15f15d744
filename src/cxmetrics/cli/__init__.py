"""The ``cxmetrics`` command: CX metrics of CSV or Parquet files, and the HTML report.

Subcommands::

    cxmetrics survey responses.csv --metric nps --score nps --by region
    cxmetrics sla tickets.csv --comments comments.csv --policy policy.toml --as-of 2026-06-30T00:00:00Z
    cxmetrics retention activity.csv --customer customer --time time --freq month
    cxmetrics clv purchases.csv --customer customer --time date --amount amount
    cxmetrics funnel events.csv --unit user --time time --event event --steps cart,checkout,paid --window 3600
    cxmetrics report --sample -o report.html
    cxmetrics report --surveys answers.csv --activity renewals.csv -o report.html

Bad files, missing columns and wrong values print one line naming the file,
column, line and problem, and exit with status 2; nothing is written half-way.

Examples
--------
>>> from cxmetrics.cli import main
>>> from cxmetrics.datasets import sample_path
>>> main(["survey", str(sample_path("sample_survey.csv")), "--metric", "nps", "--by", "segment",
...       "--nan-policy", "omit"])  # doctest: +ELLIPSIS
NPS from column 'nps' by segment
...
0
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from cxmetrics.cli import _commands, _journeys
from cxmetrics.cli._output import render
from cxmetrics.exceptions import CXMetricsError, MissingDependencyError

__all__ = ["main", "main_exit", "parser"]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        help="confidence level of the intervals (default 0.95)",
    )
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: an aligned table)",
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and the tests)."""
    top = argparse.ArgumentParser(
        prog="cxmetrics",
        description="Customer-experience metrics with n and confidence intervals, from CSV or Parquet files.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("survey", help="NPS, CSAT or CES of a survey file, by group")
    s.add_argument("file", help="CSV or Parquet file, one row per response")
    s.add_argument("--metric", choices=("nps", "csat", "ces", "all"), default="nps")
    s.add_argument(
        "--score",
        action="append",
        help="column of answers (default: the metric's name); repeat with --metric all",
    )
    s.add_argument(
        "--by", action="append", default=[], help="grouping column (repeat for several)"
    )
    s.add_argument("--weights", help="column of survey weights")
    s.add_argument(
        "--nan-policy",
        choices=("raise", "omit"),
        default="raise",
        help="empty answers: an error (default) or left out and counted",
    )
    s.add_argument(
        "--min-n", type=int, default=0, help="suppress groups with fewer answers"
    )
    _common(s)
    s.set_defaults(run=_commands.survey)

    t = sub.add_parser("sla", help="SLA compliance of a ticket status log")
    t.add_argument(
        "file",
        help="status events: columns ticket, instant (UTC, ...Z), status, priority [, team ...]",
    )
    t.add_argument(
        "--comments",
        help="public comments: columns ticket, instant, author (agent or requester)",
    )
    t.add_argument(
        "--policy",
        required=True,
        help="SLA policy TOML file (see cxmetrics.support.read_policy)",
    )
    t.add_argument(
        "--as-of",
        help="when the log was exported (ISO instant with Z or offset); needed for open tickets",
    )
    t.add_argument("--by", help="per-ticket column to group by (default: priority)")
    t.add_argument(
        "--compliance",
        choices=("zendesk", "completed_only", "pessimistic", "optimistic"),
        default="zendesk",
    )
    t.add_argument("--level", choices=("target", "ticket"), default="target")
    _common(t)
    t.set_defaults(run=_commands.sla)

    r = sub.add_parser(
        "retention", help="churn by period and cohort retention of an activity log"
    )
    r.add_argument("file", help="one row per activity (renewal, login, order)")
    r.add_argument(
        "--customer", default="customer", help="customer column (default: customer)"
    )
    r.add_argument(
        "--time",
        default="time",
        help="date or time column, naive local (default: time)",
    )
    r.add_argument(
        "--freq", choices=("day", "week", "month", "quarter", "year"), default="month"
    )
    r.add_argument(
        "--convention", default="stripe", help="churn convention (default: stripe)"
    )
    _common(r)
    r.set_defaults(run=_commands.retention)

    c = sub.add_parser(
        "clv",
        help="RFM summary, BG/NBD (or Pareto/NBD) and Gamma-Gamma fits, CLV (needs scipy)",
    )
    c.add_argument("file", help="purchases: one row per transaction")
    c.add_argument(
        "--customer", default="customer", help="customer column (default: customer)"
    )
    c.add_argument("--time", default="date", help="date column, naive (default: date)")
    c.add_argument("--amount", default="amount", help="amount column (default: amount)")
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
    _common(c)
    c.set_defaults(run=_commands.clv)

    _journeys.add_parser(sub, _common)

    o = sub.add_parser("report", help="one self-contained HTML report with charts")
    o.add_argument("-o", "--output", required=True, help="the HTML file to write")
    o.add_argument("--sample", action="store_true", help="use the bundled sample data")
    o.add_argument(
        "--surveys", help="survey answers: columns nps, month [, segment, csat, ces]"
    )
    o.add_argument("--tickets", help="ticket status events (as for the sla command)")
    o.add_argument("--comments", help="ticket comments (as for the sla command)")
    o.add_argument("--policy", help="SLA policy TOML file")
    o.add_argument(
        "--as-of", help="when the tickets were exported (ISO instant with Z or offset)"
    )
    o.add_argument("--activity", help="subscription activity: columns customer, time")
    o.add_argument(
        "--transactions", help="purchases: columns customer, date, amount (needs scipy)"
    )
    _journeys.add_report_options(o)
    o.set_defaults(run=_commands.report, format="table")

    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    args = parser().parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = args.run(args)
    except MissingDependencyError as err:
        print(f"cxmetrics: error: {err}", file=sys.stderr)  # noqa: T201
        return 2
    except CXMetricsError as err:
        print(f"cxmetrics: error: {err}", file=sys.stderr)  # noqa: T201
        return 2
    for w in caught:  # undefined metrics, fits that did not converge: one line each
        print(f"cxmetrics: warning: {w.message}", file=sys.stderr)  # noqa: T201
    if isinstance(out, str):
        print(out)  # noqa: T201
    else:
        print(render(out, args.format))  # noqa: T201
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
