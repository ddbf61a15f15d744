"""The sections of the CX report and their executive-summary tiles.

Each section reads the :class:`ReportInputs`, calls the public API only, and
returns its HTML parts and the tiles it adds to the executive summary. The
list of sections is :data:`SECTIONS` (one place: another family adds its
section there). A chart is drawn only when it has data; otherwise the section
says so in one sentence.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics.cli._output import Table
from cxmetrics.report._html import figure_html, table_html

__all__ = [
    "SECTIONS",
    "ReportInputs",
    "Section",
    "SectionOut",
    "Tile",
    "clv_section",
    "retention_section",
    "revenue_section",
    "survey_section",
    "tickets_section",
]

Columns = dict[str, NDArray[Any]]

# Okabe-Ito: distinct for colour-blind readers, in the order series are drawn
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


@dataclass(frozen=True)
class Tile:
    """One executive-summary tile: a KPI, its interval and n, and its change."""

    label: str
    value: str
    interval: str
    n: str
    change: str = ""
    significance: str = ""  # "significant", "not significant" or "" (not compared)


@dataclass
class SectionOut:
    """What a section gives the page: HTML parts and summary tiles."""

    parts: list[str] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)


@dataclass(frozen=True)
class ReportInputs:
    """Everything the sections read (validated by :func:`cxmetrics.report.build_report`)."""

    surveys: Columns | None = None
    tickets: Mapping[str, Any] | None = None
    policy: Any | None = None
    activity: Columns | None = None
    transactions: Columns | None = None
    subscriptions: Columns | None = None
    as_of: object | None = None
    subscriptions_as_of: object | None = None
    nrr_horizon: int = 12
    currency: str | None = None
    min_n: int = 30
    targets: Mapping[str, float] = field(default_factory=dict)
    confidence_level: float = 0.95


@dataclass(frozen=True)
class Section:
    """A report section: its anchor, heading, the inputs it needs, and its builder."""

    id: str
    heading: str
    needs: tuple[str, ...]
    build: Callable[[ReportInputs], SectionOut]


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _empty(what: str) -> str:
    return f'<p class="empty">{html.escape(what)}</p>'


def _pct(x: float, digits: int = 1) -> str:
    return "-" if not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def _num(x: float, digits: int = 1, *, sign: bool = False) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:+,.{digits}f}" if sign else f"{x:,.{digits}f}"


def _money(x: float, currency: str | None) -> str:
    text = _num(x, 2)
    return f"{text} {currency}" if currency else text


def _distinct(ax: Any) -> Any:
    """Give every vertical target line its own colour (and the legend with it)."""
    lines = [
        ln
        for ln in ax.get_lines()
        if ln.get_label() and not ln.get_label().startswith("_")
    ]
    if len(lines) > 1:
        for ln, colour in zip(lines, PALETTE[1:], strict=False):
            ln.set_color(colour)
        ax.legend(loc="best", fontsize=8)
    return ax


def _dates(ax: Any) -> Any:
    """Readable period labels on a long trend: rotated, and thinned beyond 12."""
    labels = ax.get_xticklabels()
    if len(labels) > 12:
        step = math.ceil(len(labels) / 12)
        for i, lab in enumerate(labels):
            lab.set_visible(i % step == 0)
    ax.tick_params(axis="x", labelrotation=45)
    return ax


def _xlabel(ax: Any, text: str) -> Any:
    """Name the x axis in the reader's unit."""
    ax.set_xlabel(text)
    return ax


def _level(inputs: ReportInputs) -> str:
    return f"{inputs.confidence_level:.0%}"


# --- surveys -------------------------------------------------------------------

_SURVEY: dict[
    str, tuple[str, Callable[..., Any], Callable[..., Any], Callable[[float], str], str]
] = {
    "nps": ("NPS", cx.nps, cx.compare_nps, lambda v: _num(v, 1, sign=True), "points"),
    "csat": ("CSAT", cx.csat, cx.compare_csat, _pct, "share satisfied (4-5 of 5)"),
    "ces": (
        "CES",
        cx.ces,
        cx.compare_ces,
        lambda v: _num(v, 2),
        "mean effort score, 1-7",
    ),
}


def _change_text(d: Any, fmt_change: Callable[[float], str]) -> tuple[str, str]:
    p = float(d.pvalue)
    sig = "significant" if p < 0.05 else "not significant"
    return fmt_change(float(d.value)), f"{sig} (p = {p:.3f})"


def _score_tile(key: str, s: Columns, inputs: ReportInputs) -> Tile | None:
    label, fn, compare, fmt, _ = _SURVEY[key]
    values, months, w = s[key], s["month"], s.get("weight")
    answered = ~np.isnan(values)
    periods = np.unique(months[answered])
    if periods.size == 0:
        return None
    last = periods[-1]
    sel = (months == last) & answered
    res = fn(values[sel], weights=None if w is None else w[sel])
    lo, hi = res.confidence_interval(inputs.confidence_level)
    n_text = f"n = {res.n:,}" + (
        f" (effective {res.effective_n:,.0f})" if w is not None else ""
    )
    tile = Tile(
        f"{label}, {last}",
        fmt(float(res.value)),
        f"{_level(inputs)} CI {fmt(float(lo))} to {fmt(float(hi))}",
        n_text,
    )
    if periods.size < 2:
        return attrs_replace(tile, change="no previous period")
    prev = periods[-2]
    psel = (months == prev) & answered
    n_prev, n_last = int(psel.sum()), int(sel.sum())
    if min(n_prev, n_last) < inputs.min_n:
        return attrs_replace(
            tile,
            change=f"not compared with {prev}: n = {n_prev:,} and {n_last:,}, below the minimum of {inputs.min_n}",
        )
    kw = {} if w is None else {"weights_a": w[psel], "weights_b": w[sel]}
    d = compare(values[psel], values[sel], **kw)
    unit = (
        (lambda v: _num(100 * v, 1, sign=True) + " pts")
        if key == "csat"
        else (lambda v: _num(v, 2 if key == "ces" else 1, sign=True))
    )
    change, sig = _change_text(d, unit)
    return attrs_replace(
        tile,
        change=f"{change} vs {prev} (n = {n_prev:,} and {n_last:,})",
        significance=sig,
    )


def attrs_replace(tile: Tile, **kw: str) -> Tile:
    """A copy of ``tile`` with fields replaced."""
    return Tile(**{**tile.__dict__, **kw})


def _grouped_table(
    name: str, title: str, res: Any, group: str, *, share: bool, level: float
) -> Table:
    lo, hi = res.confidence_interval(level)
    data: dict[str, Any] = {group: res.keys, "value": res.value, "n": res.n}
    if hasattr(res, "promoters"):
        data |= {
            "promoters": res.promoters,
            "passives": res.passives,
            "detractors": res.detractors,
        }
    data |= {f"{level:.0%} CI low": lo, "high": hi, "missing": res.n_missing}
    kinds = {
        "n": "count",
        "promoters": "count",
        "passives": "count",
        "detractors": "count",
        "missing": "count",
    }
    if share:
        kinds |= {"value": "share", f"{level:.0%} CI low": "share", "high": "share"}
    return Table.from_columns(name, title, data, kinds=kinds)


def survey_section(s: Columns, inputs: ReportInputs | None = None) -> SectionOut:
    """NPS trend with intervals, answer mix, NPS / CSAT / CES by segment, and tiles."""
    inputs = inputs or ReportInputs(surveys=s)
    level = inputs.confidence_level
    out = SectionOut()
    w = s.get("weight")
    if w is not None:
        out.parts.append(
            _note(
                "Weighted by the survey weights: every score and interval below uses them; "
                "n counts answers and the effective n (Kish) the information they carry."
            )
        )
    for key in ("nps", "csat", "ces"):
        if key in s:
            tile = _score_tile(key, s, inputs)
            if tile is not None:
                out.tiles.append(tile)
    if not bool(np.any(~np.isnan(s["nps"]))):
        out.parts.append(
            _empty("No NPS answers in the survey file, so there is no trend to draw.")
        )
        return out
    trend = cx.nps(s["nps"], by=s["month"], weights=w, nan_policy="omit")
    out.parts.append(
        figure_html(
            _dates(plot.score_trend(trend, confidence_level=level)),
            f"NPS by month with its {level:.0%} interval and n",
        )
    )
    if "segment" in s:
        by_seg = cx.nps(s["nps"], by=s["segment"], weights=w, nan_policy="omit")
        out.parts.append(
            figure_html(
                plot.answer_mix(by_seg), "Promoters, passives and detractors by segment"
            )
        )
        out.parts.append(
            table_html(
                _grouped_table(
                    "nps",
                    "NPS by segment (points, -100 to 100)",
                    by_seg,
                    "segment",
                    share=False,
                    level=level,
                )
            )
        )
        if "csat" in s:
            csat = cx.csat(s["csat"], by=s["segment"], weights=w, nan_policy="omit")
            target = inputs.targets.get("csat")
            out.parts.append(
                figure_html(
                    plot.rate_by_group(
                        csat, target=target, label="CSAT", confidence_level=level
                    ),
                    f"CSAT (share satisfied, 4-5 of 5) by segment, {level:.0%} intervals"
                    + (f"; target {target:.0%}" if target is not None else ""),
                )
            )
            out.parts.append(
                table_html(
                    _grouped_table(
                        "csat",
                        "CSAT by segment (share satisfied)",
                        csat,
                        "segment",
                        share=True,
                        level=level,
                    )
                )
            )
        if "ces" in s:
            ces = cx.ces(s["ces"], by=s["segment"], weights=w, nan_policy="omit")
            out.parts.append(
                table_html(
                    _grouped_table(
                        "ces",
                        "CES by segment (mean, 1-7, higher is easier)",
                        ces,
                        "segment",
                        share=False,
                        level=level,
                    )
                )
            )
    return out


# --- support -------------------------------------------------------------------


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


# --- retention -----------------------------------------------------------------


def retention_section(a: Columns, inputs: ReportInputs | None = None) -> SectionOut:
    """Cohort heatmap, survival of subscriptions, churn by month (the library's default convention)."""
    inputs = inputs or ReportInputs(activity=a)
    level = inputs.confidence_level
    out = SectionOut()
    cohorts = cx.cohort_matrix(a["customer"], a["time"], freq="month")
    if cohorts.value.size:
        out.parts.append(
            figure_html(
                plot.cohort_heatmap(cohorts, annotate=False),
                "Share of each monthly cohort still active k months after joining",
            )
        )
    ids, inverse = np.unique(a["customer"], return_inverse=True)
    months = a["time"].astype("datetime64[M]").astype(np.int64)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    last = np.full(len(ids), np.iinfo(np.int64).min)
    np.minimum.at(first, inverse, months)
    np.maximum.at(last, inverse, months)
    end = int(months.max())
    lifetime = (last - first + 1).astype(float)
    km = cx.kaplan_meier(
        lifetime, last < end
    )  # still active in the last month: censored
    out.parts.append(
        figure_html(
            _xlabel(
                plot.survival_curve(
                    km, label=f"all customers (n={km.n:,})", confidence_level=level
                ),
                "months since first activity",
            ),
            f"Months a subscription survives (Kaplan-Meier, {level:.0%} band); active customers are censored",
        )
    )
    convention = cx.ChurnConvention()
    state = cx.GroupedChurnState.from_activity(a["customer"], a["time"], freq="month")
    with (
        warnings.catch_warnings()
    ):  # months with nobody at their start are left out below, and said so
        warnings.simplefilter("ignore", cx.exceptions.UndefinedMetricWarning)
        churn = state.compute(convention)
        lo, hi = churn.confidence_interval(level)
    at_risk = np.asarray(churn.at_start) > 0
    skipped = [str(k) for k in np.asarray(churn.keys)[~at_risk].tolist()]
    out.parts.append(
        table_html(
            Table.from_columns(
                "churn",
                "Customer churn by month",
                {
                    "month": np.asarray(churn.keys)[at_risk],
                    "churn": np.asarray(churn.value)[at_risk],
                    "at start": np.asarray(churn.at_start)[at_risk],
                    "churned": np.asarray(churn.churned)[at_risk],
                    f"{level:.0%} CI low": np.asarray(lo)[at_risk],
                    "high": np.asarray(hi)[at_risk],
                },
                kinds={
                    "churn": "share",
                    f"{level:.0%} CI low": "share",
                    "high": "share",
                    "at start": "count",
                    "churned": "count",
                },
            )
        )
    )
    out.parts.append(
        _note(
            "Churn uses the library's default convention (the same as the command line's): customers active at the "
            "start of the month, joiners of the same month left out, each churn counted."
            + (
                f" Left out, with no customer at their start: {', '.join(skipped)}."
                if skipped
                else ""
            )
        )
    )
    ok = np.flatnonzero(np.asarray(churn.at_start) > 0)
    if ok.size:
        i = int(ok[-1])
        tile = Tile(
            f"Churn, {churn.keys[i]}",
            _pct(float(churn.value[i])),
            f"{_level(inputs)} CI {_pct(float(lo[i]))} to {_pct(float(hi[i]))}",
            f"n = {int(churn.at_start[i]):,} at start",
        )
        if ok.size < 2:
            tile = attrs_replace(tile, change="no previous month")
        else:
            j = int(ok[-2])
            n_a, n_b = int(churn.at_start[j]), int(churn.at_start[i])
            if min(n_a, n_b) < inputs.min_n:
                tile = attrs_replace(
                    tile,
                    change=f"not compared with {churn.keys[j]}: n = {n_a:,} and {n_b:,}, below the minimum of {inputs.min_n}",
                )
            else:
                d = cx.stats.proportion_difference(
                    float(churn.churned[j]),
                    n_a,
                    float(churn.churned[i]),
                    n_b,
                    n_a=n_a,
                    n_b=n_b,
                )
                change, sig = _change_text(
                    d, lambda v: _num(100 * v, 1, sign=True) + " pts"
                )
                tile = attrs_replace(
                    tile,
                    change=f"{change} vs {churn.keys[j]} (n = {n_a:,} and {n_b:,})",
                    significance=sig,
                )
        out.tiles.append(tile)
    return out


# --- CLV -------------------------------------------------------------------------


def _median_interval(x: NDArray[np.float64], level: float) -> tuple[float, float]:
    """Distribution-free interval of the median from order statistics (binomial, normal approximation)."""
    s = np.sort(x)
    n = s.size
    z = float(cx.stats.critical_value(level))
    half = z * math.sqrt(n) / 2
    lo_i = max(math.floor(n / 2 - half), 0)
    hi_i = min(math.ceil(n / 2 + half), n - 1)
    return float(s[lo_i]), float(s[hi_i])


def clv_section(
    tx: Columns,
    *,
    observation_end: object | None = None,
    inputs: ReportInputs | None = None,
) -> SectionOut:
    """BG/NBD and Gamma-Gamma fits, 12-month CLV per customer, P(alive) matrix, median-CLV tile."""
    inputs = inputs or ReportInputs(transactions=tx)
    level = inputs.confidence_level
    cur = inputs.currency
    out = SectionOut()
    end = observation_end if observation_end is not None else tx["date"].max()
    rfm = cx.rfm_summary(
        tx["customer"],
        tx["date"],
        tx["amount"],
        observation_end=end,
        freq="day",
        freq_multiplier=7,
    )
    purchases = cx.bgnbd(rfm)
    spend = cx.gamma_gamma(rfm)
    value = np.asarray(
        spend.customer_lifetime_value(
            purchases,
            rfm.frequency,
            rfm.recency,
            rfm.T,
            rfm.monetary_value,
            steps=12,
            step_length=52 / 12,
            discount_rate=0.01,
        ),
        dtype=float,
    )
    alive = np.asarray(
        purchases.probability_alive(rfm.frequency, rfm.recency, rfm.T), dtype=float
    )
    fit_rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "model",
            "parameter",
            "estimate",
            "standard error",
            f"{level:.0%} CI low",
            "high",
            "converged",
        )
    }
    for fit in (purchases, spend):
        for name in fit.parameter_names:
            lo, hi = fit.confidence_interval(name, level)
            for k, v in zip(
                fit_rows,
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
                fit_rows[k].append(v)
    out.parts.append(
        table_html(
            Table.from_columns(
                "fits",
                f"Model fits on {rfm.n:,} customers (time unit: weeks; Gamma-Gamma on the {int(spend.n):,} with repeat purchases)",
                fit_rows,
                kinds={"converged": "alarm"},
            )
        )
    )
    money = f" ({cur})" if cur else ""
    missing = int(np.sum(~np.isfinite(value)))
    if missing:
        out.parts.append(
            _note(
                f"{missing:,} customer(s) have no finite CLV from the fitted models; they are left out below."
            )
        )
        value = value[np.isfinite(value)]
        alive = alive[np.isfinite(alive)]
    if value.size:
        cap = float(np.quantile(value, 0.99))
        drawn = np.clip(value, None, cap)
        first_edge = float(drawn.min() + (drawn.max() - drawn.min()) / 50)
        first_bar = float(np.mean(drawn <= first_edge))
        out.parts.append(
            figure_html(
                plot.distribution(
                    drawn,
                    xlabel=f"12-month CLV{money}, 1% monthly discount",
                    bins=50,
                    log=False,
                ),
                f"Predicted 12-month customer lifetime value (BG/NBD x Gamma-Gamma), linear axis; {first_bar:.0%} of customers "
                f"are in the first bar (up to {_money(first_edge, cur)}); values beyond the 99th percentile ({_money(cap, cur)}) are drawn at it",
            )
        )
        lo, hi = _median_interval(value, level)
        out.tiles.append(
            Tile(
                "Median 12-month CLV",
                _money(float(np.median(value)), cur),
                f"{_level(inputs)} CI {_money(lo, cur)} to {_money(hi, cur)} (order statistics)",
                f"n = {value.size:,} customers",
            )
        )
        out.parts.append(
            figure_html(
                plot.p_alive_matrix(purchases, T=float(np.median(rfm.T))),
                "Probability alive by repeat purchases and recency, for a customer of median age",
            )
        )
        out.parts.append(
            _note(
                f"Customers likely alive (P > 0.5): {np.mean(alive > 0.5):.0%}. Median 12-month CLV "
                f"{_money(float(np.median(value)), cur)}, mean {_money(float(np.mean(value)), cur)}, "
                f"top decile from {_money(float(np.quantile(value, 0.9)), cur)}."
            )
        )
    else:
        out.parts.append(
            _empty("No customer in the purchase log, so there is no CLV to show.")
        )
    return out


def revenue_section(sub: Columns, inputs: ReportInputs | None = None) -> SectionOut:
    """Net and gross revenue retention (snapshot method) from a subscription table."""
    inputs = inputs or ReportInputs(subscriptions=sub)
    cur = inputs.currency
    h = inputs.nrr_horizon
    out = SectionOut()
    matrix = cx.RevenueMatrix.from_subscriptions(
        sub["customer"],
        sub["start"],
        sub["end"],
        sub["amount"],
        as_of=inputs.subscriptions_as_of,
    )
    periods = [str(p) for p in np.asarray(matrix.periods).tolist()]
    if len(periods) <= h:
        out.parts.append(
            _empty(
                f"The subscriptions cover {len(periods)} month(s); net revenue retention over "
                f"{h} months needs at least {h + 1}, so there is none to show."
            )
        )
        return out
    starts = periods[: len(periods) - h]
    rows: dict[str, list[Any]] = {
        k: []
        for k in ("from", "to", "customers", "NRR", "GRR", "MRR at start", "MRR at end")
    }
    for start in starts:  # one row per opening month (a few dozen), not per customer
        nrr = cx.net_revenue_retention(matrix, horizon=h, start=start)
        grr = cx.gross_revenue_retention(matrix, horizon=h, start=start)
        for k, v in zip(
            rows,
            (
                nrr.start,
                nrr.end,
                nrr.n,
                nrr.value,
                grr.value,
                nrr.denominator / matrix.minor_units,
                nrr.numerator / matrix.minor_units,
            ),
            strict=True,
        ):
            rows[k].append(v)
    money = f" ({cur})" if cur else ""
    out.parts.append(
        table_html(
            Table.from_columns(
                "revenue",
                f"Revenue retention over {h} months by opening month (snapshot method){money}",
                rows,
                kinds={"NRR": "share", "GRR": "share", "customers": "count"},
            )
        )
    )
    out.parts.append(
        _note(
            "NRR: the MRR of the customers paying in the opening month, h months later, over their MRR then "
            "(expansion counts, new customers do not); GRR caps each customer at their opening MRR. "
            "A ratio of revenue sums has no interval here."
        )
    )
    last, prev = -1, -2
    tile = Tile(
        f"NRR, {rows['from'][last]} to {rows['to'][last]}",
        _pct(float(rows["NRR"][last])),
        f"GRR {_pct(float(rows['GRR'][last]))}; no interval (a ratio of revenue sums)",
        f"n = {int(rows['customers'][last]):,} customers",
    )
    if len(starts) > 1:
        d = float(rows["NRR"][last]) - float(rows["NRR"][prev])
        tile = attrs_replace(
            tile,
            change=f"{_num(100 * d, 1, sign=True)} pts vs the cohort from {rows['from'][prev]} "
            f"(n = {int(rows['customers'][prev]):,} and {int(rows['customers'][last]):,}); not tested",
        )
    out.tiles.append(tile)
    return out


def _subscriptions(i: ReportInputs) -> SectionOut:
    assert i.subscriptions is not None  # noqa: S101
    return revenue_section(i.subscriptions, i)


def _surveys(i: ReportInputs) -> SectionOut:
    assert i.surveys is not None  # noqa: S101
    return survey_section(i.surveys, i)


def _tickets(i: ReportInputs) -> SectionOut:
    assert i.tickets is not None  # noqa: S101
    return tickets_section(i.tickets, i.policy, i.as_of, i)


def _activity(i: ReportInputs) -> SectionOut:
    assert i.activity is not None  # noqa: S101
    return retention_section(i.activity, i)


def _transactions(i: ReportInputs) -> SectionOut:
    assert i.transactions is not None  # noqa: S101
    return clv_section(i.transactions, inputs=i)


SECTIONS: tuple[Section, ...] = (
    Section("surveys", "Surveys: NPS, CSAT and CES", ("surveys",), _surveys),
    Section(
        "support", "Support: SLA compliance and response times", ("tickets",), _tickets
    ),
    Section(
        "retention", "Retention: cohorts, survival and churn", ("activity",), _activity
    ),
    Section(
        "revenue",
        "Revenue retention: NRR and GRR",
        ("subscriptions",),
        _subscriptions,
    ),
    Section(
        "clv",
        "Customer lifetime value: BG/NBD and Gamma-Gamma",
        ("transactions",),
        _transactions,
    ),
)
"""The report's sections, in page order: add a section here (one place)."""
