"""The sections of the CX report: each takes plain columns and returns HTML parts."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._display import html_table
from cxmetrics.report._html import figure_html

__all__ = ["clv_section", "retention_section", "survey_section", "tickets_section"]

Columns = dict[str, NDArray[Any]]


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def survey_section(s: Columns) -> list[str]:
    """NPS trend with intervals, answer mix, and NPS / CSAT / CES by segment."""
    parts: list[str] = []
    trend = cx.nps(s["nps"], by=s["month"], nan_policy="omit")
    parts.append(
        figure_html(
            plot.score_trend(trend),
            "NPS by month with its 95% interval (adjusted Wald) and n",
        )
    )
    if "segment" in s:
        by_seg = cx.nps(s["nps"], by=s["segment"], nan_policy="omit")
        parts.append(
            figure_html(
                plot.answer_mix(by_seg), "Promoters, passives and detractors by segment"
            )
        )
        parts.append(by_seg._repr_html_())
        if "csat" in s:
            csat = cx.csat(s["csat"], by=s["segment"], nan_policy="omit")
            parts.append(
                figure_html(
                    plot.rate_by_group(csat, target=0.7, label="CSAT"),
                    "CSAT (share satisfied, 4-5 of 5) by segment, Wilson 95% intervals",
                )
            )
            parts.append(csat._repr_html_())
        if "ces" in s:
            parts.append(
                cx.ces(s["ces"], by=s["segment"], nan_policy="omit")._repr_html_()
            )
    first, last = trend.keys[0], trend.keys[-1]
    change = cx.compare_nps(
        s["nps"][(s["month"] == first) & ~np.isnan(s["nps"])],
        s["nps"][(s["month"] == last) & ~np.isnan(s["nps"])],
    )
    parts.append(_note(f"NPS change from {first} to {last}: {change}"))
    return parts


def tickets_section(t: Columns, policy: Any, as_of: object) -> list[str]:
    """SLA compliance by priority, first-reply times against targets, timings by priority."""
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
    priority = t["priority"][first]
    targets = cx.sla_targets(log, policy, priority=priority, tickets=ids, as_of=as_of)
    state = cx.SLAComplianceState.from_targets(
        targets, by=priority, tickets=ids, log=log
    )
    res = state.compute_grouped("zendesk")
    parts = [
        figure_html(
            plot.rate_by_group(res, target=0.95, label="SLA compliance"),
            "SLA compliance by priority (targets met of decided, Zendesk's rule), Wilson 95% intervals",
        ),
        res._repr_html_(),
    ]
    timings = cx.ticket_timings(log, calendar=policy.calendar, as_of=as_of)
    order = np.searchsorted(ids, timings.tickets)
    hours = timings.first_reply / 3600
    goals = {
        f"{k} target": v["first_reply"] / 3600
        for k, v in policy.targets.items()
        if "first_reply" in v
    }
    parts.append(
        figure_html(
            plot.distribution(
                hours,
                targets=goals,
                xlabel="first reply time (business hours)",
                log=True,
                share_within=False,
            ),
            "First reply time of every ticket against the targets of each priority",
        )
    )
    summary = cx.duration_summary(
        timings.full_resolution / 3600, by=priority[order], quantiles=[0.5, 0.9]
    )
    parts.append(summary._repr_html_())
    parts.append(
        _note(
            "Resolution times above are in business hours of the policy's calendar; unsolved tickets are counted as missing."
        )
    )
    return parts


def retention_section(a: Columns) -> list[str]:
    """Cohort heatmap, survival of subscriptions by plan, churn by month."""
    cohorts = cx.cohort_matrix(a["customer"], a["time"], freq="month")
    parts = [
        figure_html(
            plot.cohort_heatmap(cohorts, annotate=False),
            "Share of each monthly cohort still active k months after joining",
        )
    ]
    ids, inverse = np.unique(a["customer"], return_inverse=True)
    months = a["time"].astype("datetime64[M]").astype(np.int64)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    last = np.full(len(ids), np.iinfo(np.int64).min)
    np.minimum.at(first, inverse, months)
    np.maximum.at(last, inverse, months)
    end = int(months.max())
    lifetime = (last - first + 1).astype(float)
    churned = last < end  # still renewing in the last month: censored
    km = cx.kaplan_meier(lifetime, churned)
    parts.append(
        figure_html(
            plot.survival_curve(km, label=f"all plans (n={km.n})"),
            "Months a subscription survives (Kaplan-Meier, 95% band); active customers are censored",
        )
    )
    churn = cx.GroupedChurnState.from_activity(
        a["customer"], a["time"], freq="month"
    ).compute("stripe")
    parts.append(churn._repr_html_())
    return parts


def clv_section(tx: Columns, *, observation_end: object | None = None) -> list[str]:
    """BG/NBD and Gamma-Gamma fits, 12-month CLV per customer, P(alive) matrix."""
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
    value = spend.customer_lifetime_value(
        purchases,
        rfm.frequency,
        rfm.recency,
        rfm.T,
        rfm.monetary_value,
        steps=12,
        step_length=52 / 12,
        discount_rate=0.01,
    )
    alive = purchases.probability_alive(rfm.frequency, rfm.recency, rfm.T)
    rows = []
    for fit in (purchases, spend):
        for name in fit.parameter_names:
            lo, hi = fit.confidence_interval(name)
            rows.append(
                [
                    fit.model_name,
                    name,
                    f"{fit.params[name]:.4g}",
                    f"{fit.standard_errors[name]:.3g}",
                    f"{lo:.4g} to {hi:.4g}",
                ]
            )
    return [
        html_table(
            ["model", "parameter", "estimate", "SE", "95% interval"],
            rows,
            caption=f"Maximum-likelihood fits on {rfm.n:,} customers (time unit: weeks; Gamma-Gamma on the {int(spend.n):,} with repeat purchases)",
        ),
        figure_html(
            plot.distribution(
                value,
                xlabel="12-month CLV (euros, 1% monthly discount)",
                bins=50,
                log=True,
            ),
            "Predicted 12-month customer lifetime value (BG/NBD x Gamma-Gamma)",
        ),
        figure_html(
            plot.p_alive_matrix(purchases, T=float(np.median(rfm.T))),
            "Probability alive by repeat purchases and recency, for a customer of median age",
        ),
        _note(
            f"Customers likely alive (P > 0.5): {np.mean(alive > 0.5):.0%}. Median 12-month CLV "
            f"{np.median(value):.2f}, mean {np.mean(value):.2f}, top decile from {np.quantile(value, 0.9):.2f}."
        ),
    ]
