"""The support section of the CX report: SLA compliance and response times."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._core.tables import Table
from cxmetrics.report._html import figure_html, table_html
from cxmetrics.report._sections import (
    ReportInputs,
    SectionOut,
    Tile,
    _change_text,
    _distinct,
    _empty,
    _level,
    _note,
    _num,
    _pct,
    attrs_replace,
)

__all__ = ["tickets_section"]


def _ticket_log(
    t: Mapping[str, Any], as_of: object
) -> tuple[Any, NDArray[Any], NDArray[Any], Any]:
    """A TicketLog, ticket ids, their priority and due dates, from columns or a built log."""
    if "log" in t:
        return t["log"], t["ids"], t["priority"], t.get("due")
    log = cx.TicketLog.from_arrays(
        t["ticket"],
        t["instant"],
        t["status"],
        comment_ticket=t.get("comment_ticket"),
        comment_instant=t.get("comment_instant"),
        comment_author=t.get("comment_author"),
        as_of=as_of,
    )
    ids, first = np.unique(t["ticket"], return_index=True)
    return log, ids, t["priority"][first], t.get("due")


def _calendar_text(policy: Any) -> str:
    cal = getattr(policy, "calendar", None)
    if cal is None:
        return "The policy gives no business calendar: times run on a 24x7 UTC clock."
    days = sum(1 for d in cal.week if d)
    return (
        f"Business times use the policy's calendar: {cal.zone}, {days} working day(s) a week, "
        f"{len(cal.holidays)} holiday(s)."
    )


def tickets_section(
    t: Mapping[str, Any], policy: Any, as_of: object, inputs: ReportInputs | None = None
) -> SectionOut:
    """SLA compliance by priority, first-reply times against targets, timings by priority."""
    inputs = inputs or ReportInputs(tickets=t, policy=policy, as_of=as_of)
    level = inputs.confidence_level
    out = SectionOut()
    log, ids, priority, due = _ticket_log(t, as_of)
    targets = cx.sla_targets(
        log, policy, priority=priority, tickets=ids, as_of=as_of, due=due
    )
    state = cx.SLAComplianceState.from_targets(
        targets, by=priority, tickets=ids, log=log
    )
    res = state.compute_grouped("zendesk")
    goal = inputs.targets.get("sla")
    if int(np.sum(res.n)) == 0:
        out.parts.append(
            _empty(
                "No ticket has a decided SLA target yet, so there is no compliance to show."
            )
        )
    else:
        out.parts.append(
            figure_html(
                plot.rate_by_group(
                    res, target=goal, label="SLA compliance", confidence_level=level
                ),
                f"SLA compliance by priority (targets met of decided, Zendesk's rule), {level:.0%} intervals"
                + (f"; target {goal:.0%}" if goal is not None else ""),
            )
        )
        lo, hi = res.confidence_interval(level)
        out.parts.append(
            table_html(
                Table.from_columns(
                    "sla",
                    "SLA compliance by priority",
                    {
                        "priority": res.keys,
                        "compliance": res.value,
                        "decided": res.n,
                        "met": res.met,
                        "breached": res.breached,
                        f"{level:.0%} CI low": lo,
                        "high": hi,
                    },
                    kinds={
                        "compliance": "share",
                        f"{level:.0%} CI low": "share",
                        "high": "share",
                        "decided": "count",
                        "met": "count",
                        "breached": "count",
                    },
                )
            )
        )
        out.tiles.append(_sla_tile(log, ids, targets, inputs))
    if due is not None:
        out.parts.append(
            _note(
                f"Resolution targets come from each ticket's due date ({int(np.sum(~np.isnat(due))):,} of {len(ids):,} tickets have one)."
            )
        )
    timings = cx.ticket_timings(log, calendar=policy.calendar, as_of=as_of)
    order = np.searchsorted(ids, timings.tickets)
    hours = np.asarray(timings.first_reply, dtype=float) / 3600
    replied = hours[~np.isnan(hours)]
    if replied.size == 0:
        out.parts.append(
            _empty(
                "No ticket has a first reply yet, so there are no reply times to draw."
            )
        )
    else:
        summary = cx.duration_summary(replied, quantiles=[0.5, 0.9])
        p50, p90 = (
            float(np.asarray(q).reshape(-1)[0]) for q in (summary.median, summary.p90)
        )
        out.tiles.append(
            Tile(
                "First reply time",
                f"p50 {_num(p50, 1)} h",
                f"p90 {_num(p90, 1)} h (business hours)",
                f"n = {int(np.asarray(summary.n).reshape(-1)[0]):,} replied",
            )
        )
        cap = float(np.quantile(replied, 0.99))
        clipped = np.minimum(replied, cap)
        goals = {
            f"{k} target": v["first_reply"] / 3600
            for k, v in policy.targets.items()
            if "first_reply" in v
        }
        out.parts.append(
            figure_html(
                _distinct(
                    plot.distribution(
                        clipped,
                        targets=goals,
                        xlabel="first reply time (business hours)",
                        log=False,
                        share_within=False,
                    )
                ),
                "First reply time of every replied ticket against the policy's targets per priority; "
                f"times beyond the 99th percentile ({cap:,.1f} h) are drawn at it",
            )
        )
    full = np.asarray(timings.full_resolution, dtype=float) / 3600
    res_summary = cx.duration_summary(
        full, by=priority[order], quantiles=[0.5, 0.9], nan_policy="omit"
    )
    out.parts.append(
        table_html(
            Table.from_columns(
                "resolution",
                "Full resolution time by priority (business hours)",
                {
                    "priority": res_summary.keys,
                    "solved": res_summary.n,
                    "unsolved": res_summary.n_missing,
                    "median": res_summary.median,
                    "p90": res_summary.p90,
                    "mean": res_summary.mean,
                },
                kinds={"solved": "count", "unsolved": "count"},
            )
        )
    )
    queue = _per_ticket(t, ("queue", "team"))
    if queue is not None:
        out.parts.append(
            _queue_percentiles(queue[order], hours, full, _SKETCH_ACCURACY)
        )
    out.parts.append(
        _note(
            _calendar_text(policy) + " Unsolved tickets are counted apart, not as zero."
        )
    )
    return out


#: relative accuracy of the per-queue duration sketches
_SKETCH_ACCURACY = 0.01


def _per_ticket(t: Mapping[str, Any], names: tuple[str, ...]) -> NDArray[Any] | None:
    """The first of ``names`` the tickets give, one value per ticket (sorted ids).

    Given with a built ``log``, the column is per ticket already (aligned with
    ``ids``); given with the event columns, a ticket's value is its first row's.
    """
    name = next((n for n in names if n in t), None)
    if name is None:
        return None
    values = np.asarray(t[name])
    if "log" in t:
        return values
    _, first = np.unique(t["ticket"], return_index=True)
    return values[first]


def _queue_percentiles(
    queue: NDArray[Any], reply: NDArray[Any], full: NDArray[Any], accuracy: float
) -> str:
    """p50/p90 of first reply and full resolution per queue, from duration sketches.

    The sketches (:class:`cxmetrics.DurationSketchState`) are the mergeable form a
    help desk computes per partition, file or day; each percentile is within
    ``accuracy`` of the order statistic it targets.
    """
    sketches = [
        cx.DurationSketchState.from_durations(x, by=queue, relative_accuracy=accuracy)
        for x in (reply, full)
    ]
    probs = np.array([0.5, 0.9])
    (q_reply, q_full) = (s.quantile_table(probs) for s in sketches)
    return table_html(
        Table.from_columns(
            "queue_percentiles",
            "First reply and full resolution per queue: p50 and p90 (business hours)",
            {
                "queue": sketches[0].keys,
                "replied": sketches[0].n,
                "reply p50": q_reply[:, 0],
                "reply p90": q_reply[:, 1],
                "solved": sketches[1].n,
                "resolution p50": q_full[:, 0],
                "resolution p90": q_full[:, 1],
            },
            kinds={"replied": "count", "solved": "count"},
        ),
    ) + _note(
        f"Per-queue percentiles come from mergeable duration sketches (DDSketch): "
        f"each is within {accuracy:.0%} of the order statistic of rank "
        "floor(q (n - 1)), and sketches of separate files or days add exactly."
    )


def _sla_tile(log: Any, ids: NDArray[Any], targets: Any, inputs: ReportInputs) -> Tile:
    level = inputs.confidence_level
    overall = cx.SLAComplianceState.from_targets(targets, tickets=ids, log=log).compute(
        "zendesk"
    )
    lo, hi = overall.confidence_interval(level)
    tile = Tile(
        "SLA compliance",
        _pct(float(overall.value)),
        f"{_level(inputs)} CI {_pct(float(lo))} to {_pct(float(hi))}",
        f"n = {int(overall.n):,} decided targets",
    )
    pos = np.searchsorted(log.tickets, ids)
    month = (
        np.asarray(log.created, dtype="datetime64[ns]")[pos]
        .astype("datetime64[M]")
        .astype(str)
    )
    monthly = cx.SLAComplianceState.from_targets(
        targets, by=month, tickets=ids, log=log
    ).compute_grouped("zendesk")
    keys = monthly.keys.tolist()
    if len(keys) < 2:
        return attrs_replace(tile, change="no previous month")
    n_a, n_b = int(monthly.n[-2]), int(monthly.n[-1])
    if min(n_a, n_b) < inputs.min_n:
        return attrs_replace(
            tile,
            change=f"{keys[-1]} not compared with {keys[-2]}: n = {n_a:,} and {n_b:,}, below the minimum of {inputs.min_n}",
        )
    d = cx.stats.proportion_difference(
        float(monthly.met[-2]), n_a, float(monthly.met[-1]), n_b, n_a=n_a, n_b=n_b
    )
    change, sig = _change_text(d, lambda v: _num(100 * v, 1, sign=True) + " pts")
    return attrs_replace(
        tile,
        change=f"{change}, tickets created in {keys[-1]} vs {keys[-2]} (n = {n_a:,} and {n_b:,})",
        significance=sig,
    )
