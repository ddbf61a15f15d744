"""The work of each subcommand: read the files, call the public API, return tables.

Each command declares its column roles (:data:`ROLES`) and returns
:class:`~cxmetrics.cli._output.Table` objects of plain values; printing or
writing them is ``_output``'s job. Input problems raise
:class:`cxmetrics._core.table_io.TableError` (or another cxmetrics error) naming the
file, the column and the file's own line, which ``main`` prints as one line with
exit status 2. Library errors are re-worded on the way: an array index becomes
the file's line, a Python keyword (``nan_policy='omit'``) the command-line flag.
"""

from __future__ import annotations

import argparse
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
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
    wall_clock,
)
from cxmetrics.cli import _journeys
from cxmetrics.cli._output import Table
from cxmetrics.cli._roles import Role, resolve

__all__ = [
    "ROLES",
    "backlog",
    "clv",
    "contacts",
    "report",
    "retention",
    "sla",
    "staffing",
    "survey",
]

ROLES: dict[str, tuple[Role, ...]] = {
    "survey": (
        Role("nps", "nps", "NPS answers, 0-10"),
        Role("csat", "csat", "CSAT answers, 1-5"),
        Role("ces", "ces", "CES answers, 1-7"),
        Role("weight", None, "survey weights", ("--weights", "--weight")),
        Role(
            "time",
            None,
            "answer date or time, for --period (read on the clock as written)",
        ),
    ),
    "sla": (
        Role("ticket", "ticket", "ticket id (status and comment files)"),
        Role("instant", "instant", "event time, UTC with Z or an offset"),
        Role("status", "status", "ticket status"),
        Role("priority", "priority", "policy key of the ticket"),
        Role("author", "author", "comment author: agent or requester"),
        Role("due", None, "per-ticket resolution due instant (empty: no target)"),
    ),
    "retention": (
        Role("customer", "customer", "customer id", ("--customer",)),
        Role("time", "time", "activity date, naive local", ("--time",)),
    ),
    "clv": (
        Role("customer", "customer", "customer id", ("--customer",)),
        Role("time", "date", "purchase date, naive local", ("--time",)),
        Role("amount", "amount", "purchase amount", ("--amount",)),
    ),
    "contacts": (
        Role("queue", None, "queue or skill to group by"),
        Role("arrived", None, "arrival time, for per-interval rows (with --interval)"),
        Role("wait", "wait", "seconds waited (or H:MM:SS) until answer or abandon"),
        Role(
            "abandoned", "abandoned", "1/0, yes/no: the caller hung up before an answer"
        ),
        Role("talk", None, "talk time of answered calls (seconds or H:MM:SS)"),
        Role("hold", None, "hold time"),
        Role("acw", None, "after-call work time"),
    ),
    "staffing": (
        Role("interval", "interval", "interval label or start"),
        Role("volume", "calls", "contacts offered in the interval"),
        Role("aht", None, "average handle time in seconds (or give --aht)"),
        Role("queue", None, "queue or skill"),
    ),
}
ROLES["backlog"] = ROLES["sla"][:4]

_NAN_HINT = (re.compile(r"(pass )?nan_policy='omit'"), "--nan-policy omit")


def _reword(
    text: str, ft: FileTable | None, flagmap: dict[str, str], *, rows: bool = True
) -> str:
    """A library message in command-line words: indices as lines, keywords as flags.

    ``rows`` says the library's arrays were the file's rows in order, so an index
    is a row; otherwise (per-customer or per-ticket arrays) indices are left as they are.
    """
    if ft is not None and rows:
        lines = ft.lines

        def line(m: re.Match[str]) -> str:
            i = int(m.group(1))
            return f"line {int(lines[i])}" if 0 <= i < len(lines) else m.group(0)

        text = re.sub(r"\bindex (\d+)", line, text)
    text = _NAN_HINT[0].sub(
        lambda m: ("use " if m.group(1) else "") + _NAN_HINT[1], text
    )
    for keyword, flag in flagmap.items():
        text = text.replace(f"`{keyword}`", flag)
    return text


@contextmanager
def _located(
    ft: FileTable | None,
    column: str | None = None,
    flagmap: dict[str, str] | None = None,
    *,
    rows: bool = True,
) -> Iterator[None]:
    """Re-raise a library error as one line naming the file, column and line."""
    try:
        yield
    except cx.exceptions.CXMetricsError as err:
        where = (
            ""
            if ft is None
            else f"{ft.path}: " + (f"column {column!r}: " if column else "")
        )
        text = str(err)
        aligned = rows and "comment" not in text  # comment arrays are another file
        msg = where + _reword(text, ft, flagmap or {}, rows=aligned)
        raise TableError(msg) from None


def _group_columns(
    ft: FileTable, by: Sequence[str]
) -> tuple[list[NDArray[Any]], dict[str, NDArray[Any]]]:
    cols = [keys(ft.path, b, ft.columns[b], ft.lines, flag="--by") for b in by]
    return cols, dict(zip(by, cols, strict=True))


def _key_columns(res: Any, by: Sequence[str]) -> dict[str, Any]:
    """The group key columns of a grouped result, one column per ``--by`` header."""
    if not by:
        return {"group": ["all"]}
    k = res.keys
    if k.dtype.names:
        return {b: k[name] for b, name in zip(by, k.dtype.names, strict=True)}
    return {by[0]: k}


def _ci(res: Any, level: float) -> tuple[Any, Any]:
    lo, hi = res.confidence_interval(level)
    return lo, hi


def _listify(x: Any) -> Any:
    return np.atleast_1d(np.asarray(x))


# --- survey ------------------------------------------------------------------

_SCORES: dict[str, Callable[..., Any]] = {"nps": cx.nps, "csat": cx.csat, "ces": cx.ces}
_SURVEY_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def survey(args: argparse.Namespace) -> list[Table]:
    """NPS / CSAT / CES of a survey file, by group, with n, counts and intervals."""
    cols = resolve(args, ROLES["survey"])
    metrics = ["nps", "csat", "ces"] if args.metric == "all" else [args.metric]
    if args.score:
        if len(args.score) != len(metrics):
            msg = f"--score names {len(args.score)} column(s) for {len(metrics)} metric(s) ({', '.join(metrics)}); give one per metric."
            raise TableError(msg)
        for m, c in zip(metrics, args.score, strict=True):
            cols[m] = c
    weight, time = cols["weight"], cols["time"]
    if args.period and not time:
        msg = "--period needs the answer time column: add --time-col HEADER."
        raise TableError(msg)
    required = [
        *args.by,
        *([weight] if weight else []),
        *([time] if args.period else []),
    ]
    if args.metric != "all":
        required.append(str(cols[args.metric]))
    ft = read_file(args.file, required, optional=[str(cols[m]) for m in metrics])
    present = [m for m in metrics if cols[m] in ft.columns]
    skipped = [m for m in metrics if m not in present]
    if not present:
        msg = (
            f"{ft.path}: none of the score columns {[cols[m] for m in metrics]} is in the file; "
            f"the columns are {list(ft.header)}. Map them with --nps-col/--csat-col/--ces-col."
        )
        raise TableError(msg)
    by_cols, _ = _group_columns(ft, args.by)
    by_names = list(args.by)
    if args.period:
        t = wall_clock(ft.path, str(time), ft.columns[str(time)], ft.lines)
        by_cols.append(np.datetime_as_string(cx.period_start(t, args.period)))
        by_names.append(args.period)
    by_arg: Any = None if not by_cols else by_cols[0] if len(by_cols) == 1 else by_cols
    w = (
        None
        if weight is None
        else numbers(ft.path, weight, ft.columns[weight], ft.lines)
    )
    tables: list[Table] = []
    for metric in present:
        column = str(cols[metric])
        values = numbers(ft.path, column, ft.columns[column], ft.lines)
        with _located(ft, column, {"weights": "--weight-col", "min_n": "--min-n"}):
            res = _SCORES[metric](
                values,
                by=by_arg,
                weights=w,
                nan_policy=args.nan_policy,
                min_n=args.min_n,
            )
        tables.append(
            _survey_table(metric, column, res, args, by_names, weighted=w is not None)
        )
    if skipped:
        note = "skipped (no such column): " + ", ".join(
            f"{_SURVEY_NAMES[m]} ({cols[m]!r})" for m in skipped
        )
        tables[0] = Table(**{**tables[0].__dict__, "notes": (*tables[0].notes, note)})
        args.warnings.append(f"--metric all: {note}")
    return tables


def _survey_table(
    metric: str,
    column: str,
    res: Any,
    args: argparse.Namespace,
    by: Sequence[str],
    *,
    weighted: bool,
) -> Table:
    lo, hi = _ci(res, args.confidence)
    data: dict[str, Any] = _key_columns(res, by)
    data |= {
        "value": _listify(res.value),
        "n": _listify(res.n),
        "n_missing": _listify(res.n_missing),
        "ci_low": _listify(lo),
        "ci_high": _listify(hi),
    }
    kinds = {"n": "count", "n_missing": "count"}
    if metric == "nps":
        for c in ("promoters", "passives", "detractors"):
            data[c] = _listify(getattr(res, c))
            kinds[c] = "count"
    elif metric == "csat":  # the value is the share satisfied
        kinds |= {"value": "share", "ci_low": "share", "ci_high": "share"}
    else:
        data["positive_share"] = _listify(res.positive_share)
        kinds["positive_share"] = "share"
    if weighted:
        data["effective_n"] = _listify(res.effective_n)
    flagged = _listify(getattr(res, "flagged", np.zeros(len(data["value"]), bool)))
    data["suppressed"] = flagged
    notes = []
    if args.min_n and flagged.any():
        notes.append(
            f"{int(flagged.sum())} group(s) with fewer than {args.min_n} answers are "
            "suppressed by --min-n (value and interval left empty)."
        )
    if weighted:
        notes.append(
            "weighted by the survey weights; n counts answers, effective_n is Kish's."
        )
    label = _SURVEY_NAMES[metric]
    title = f"{label} from column {column!r}" + (f" by {' / '.join(by)}" if by else "")
    title += f" ({args.confidence:.0%} intervals)"
    return Table.from_columns(metric, title, data, kinds=kinds, notes=notes)


# --- tickets -----------------------------------------------------------------

_PER_TICKET = ("team", "channel", "agent", "group", "queue")


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


# --- retention ---------------------------------------------------------------


def _convention(name: str | None) -> Any:
    """The churn convention of a ``--convention`` value; ``None`` is the library's default."""
    if name in (None, "default"):
        return cx.ChurnConvention()
    return cx.ChurnConvention.preset(str(name))


def retention(args: argparse.Namespace) -> list[Table]:
    """Churn by period and the cohort matrix of an activity log."""
    cols = resolve(args, ROLES["retention"])
    cu, tm = str(cols["customer"]), str(cols["time"])
    ft = read_file(args.file, [cu, tm])
    customer = keys(ft.path, cu, ft.columns[cu], ft.lines, flag="--customer-col")
    t = instants(ft.path, tm, ft.columns[tm], utc=False, lines=ft.lines)
    convention = _convention(args.convention)
    with _located(ft, None, {"convention": "--convention"}):
        state = cx.GroupedChurnState.from_activity(customer, t, freq=args.freq)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            churn = state.compute(convention)
            lo, hi = _ci(churn, args.confidence)
        cohorts = cx.cohort_matrix(customer, t, freq=args.freq)
    empty = np.asarray(churn.at_start) == 0
    notes = []
    for w in caught:  # periods with nobody at risk are said once, in the table's words
        if issubclass(w.category, cx.exceptions.UndefinedMetricWarning) and empty.any():
            continue
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if empty.any():
        first = [str(k) for k in np.asarray(churn.keys)[empty].tolist()]
        notes.append(
            f"no churn rate (empty cells) for {', '.join(first)}: no customer was active at "
            "the start (the data begin there)."
        )
    label = args.convention or "default"
    churn_table = Table.from_columns(
        "churn",
        f"Churn by {args.freq} ({label} convention: denominator {convention.denominator}, "
        f"same-period joiners {convention.same_period_joiners}, reactivations {convention.reactivations})",
        {
            args.freq: churn.keys,
            "churn": churn.value,
            "at_start": churn.at_start,
            "churned": churn.churned,
            "ci_low": lo,
            "ci_high": hi,
        },
        kinds={
            "churn": "share",
            "ci_low": "share",
            "ci_high": "share",
            "at_start": "count",
            "churned": "count",
        },
        notes=notes,
    )
    width = cohorts.value.shape[1] if cohorts.value.ndim == 2 else 0
    vals = np.where(cohorts.mask, np.nan, cohorts.value) if width else cohorts.value
    data: dict[str, Any] = {"cohort": cohorts.cohorts, "size": cohorts.sizes}
    for k in range(width):
        data[f"period_{k}"] = vals[:, k]
    cohort_table = Table.from_columns(
        "cohorts",
        f"Cohort retention by {args.freq} since first activity (share still active k periods later)",
        data,
        kinds={"size": "count", **{f"period_{k}": "share" for k in range(width)}},
    )
    return [churn_table, cohort_table]


# --- clv -----------------------------------------------------------------------


def _transactions(
    path: str, cols: dict[str, str | None]
) -> tuple[dict[str, NDArray[Any]], FileTable]:
    cu, tm, am = (str(cols[k]) for k in ("customer", "time", "amount"))
    ft = read_file(path, [cu, tm, am])
    return {
        "customer": keys(ft.path, cu, ft.columns[cu], ft.lines, flag="--customer-col"),
        "date": instants(ft.path, tm, ft.columns[tm], utc=False, lines=ft.lines),
        "amount": numbers(ft.path, am, ft.columns[am], ft.lines),
    }, ft


def _end(text: str | None, dates: NDArray[np.datetime64]) -> np.datetime64:
    if text is None:
        return np.datetime64(dates.max(), "s")
    end = instants("--end", "end", np.array([text]), utc=False)[0]
    first = dates.min()
    if end < first:
        msg = (
            f"--end {text} is before every purchase (the first is on {str(first)[:10]}); "
            "give an end on or after the last purchase, or leave --end out."
        )
        raise TableError(msg)
    out: np.datetime64 = end
    return out


def _mean(x: NDArray[np.float64]) -> float | None:
    return float(np.mean(x)) if x.size else None


def _quantile(x: NDArray[np.float64], q: float) -> float | None:
    return float(np.quantile(x, q)) if x.size else None


def clv(args: argparse.Namespace) -> list[Table]:
    """RFM summary, BG/NBD (or Pareto/NBD) and Gamma-Gamma fits, CLV over a horizon."""
    cols = resolve(args, ROLES["clv"])
    tx, ft = _transactions(args.file, cols)
    end = _end(args.end, tx["date"])
    unit = {"days": 1.0, "weeks": 7.0}[args.unit]
    with _located(ft, None, {"observation_end": "--end"}):
        rfm = cx.rfm_summary(
            tx["customer"],
            tx["date"],
            tx["amount"],
            observation_end=end,
            freq="day",
            freq_multiplier=unit,
        )
    with _located(ft, None, rows=False):  # the fits see one row per customer
        purchases = cx.bgnbd(rfm) if args.model == "bgnbd" else cx.pareto_nbd(rfm)
        spend = cx.gamma_gamma(rfm)
    per_month = (365.25 / 12) / unit
    f, r, T, m = rfm.frequency, rfm.recency, rfm.T, rfm.monetary_value
    value = np.asarray(
        spend.customer_lifetime_value(
            purchases,
            f,
            r,
            T,
            m,
            margin=args.margin,
            steps=args.horizon,
            step_length=per_month,
            discount_rate=args.discount,
        ),
        dtype=float,
    )
    alive = np.asarray(purchases.probability_alive(f, r, T), dtype=float)
    rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "model",
            "parameter",
            "estimate",
            "standard_error",
            "ci_low",
            "ci_high",
            "converged",
        )
    }
    for fit in (purchases, spend):
        for name in fit.parameter_names:
            lo, hi = fit.confidence_interval(name, args.confidence)
            for k, v in zip(
                rows,
                (
                    fit.model_name,
                    name,
                    fit.params[name],
                    fit.standard_errors[name],
                    lo,
                    hi,
                    bool(fit.converged),
                ),
                strict=True,
            ):
                rows[k].append(v)
    fits = Table.from_columns(
        "fits",
        f"Model fits on {rfm.n:,} customers (time unit: {args.unit}; Gamma-Gamma on the {int(spend.n):,} with repeat purchases; {args.confidence:.0%} intervals)",
        rows,
        kinds={"converged": "alarm"},
    )
    q = [0.1, 0.25, 0.5, 0.75, 0.9]
    ok_v, ok_a = value[np.isfinite(value)], alive[np.isfinite(alive)]
    stats: dict[str, list[Any]] = {
        "statistic": ["CLV", "P(alive)"],
        "n": [ok_v.size, ok_a.size],
        "n_missing": [value.size - ok_v.size, alive.size - ok_a.size],
    }
    stats["mean"] = [_mean(ok_v), _mean(ok_a)]
    for x in q:
        stats[f"p{int(x * 100)}"] = [_quantile(ok_v, x), _quantile(ok_a, x)]
    notes = []
    if ok_v.size < value.size:
        notes.append(
            f"{value.size - ok_v.size:,} customer(s) have no finite CLV (the fitted models give none): "
            "left out of these statistics and counted in n_missing."
        )
    currency = f" ({args.currency})" if args.currency else ""
    summary = Table.from_columns(
        "summary",
        f"Per customer: {args.horizon}-month CLV{currency} (margin {args.margin:g}, {args.discount:.1%} monthly discount) and P(alive)",
        stats,
        kinds={"n": "count", "n_missing": "count"},
        notes=notes,
    )
    tables = [fits, summary]
    if args.customers:
        horizon = args.horizon * per_month
        expected = np.asarray(
            purchases.conditional_expected_purchases(horizon, f, r, T), dtype=float
        )
        exp_spend = np.asarray(spend.conditional_expected_spend(f, m), dtype=float)
        tables.append(
            Table.from_columns(
                "customers",
                f"Per customer (one row each): expected purchases and spend over {args.horizon} months, CLV{currency}",
                {
                    "customer": rfm.customers,
                    "frequency": f,
                    "recency": r,
                    "T": T,
                    "monetary_value": m,
                    "p_alive": alive,
                    "expected_purchases": expected,
                    "expected_spend": exp_spend,
                    "clv": value,
                },
                kinds={"p_alive": "share", "frequency": "count"},
            )
        )
    return tables


# --- contact centre --------------------------------------------------------------


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


# --- report --------------------------------------------------------------------

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
