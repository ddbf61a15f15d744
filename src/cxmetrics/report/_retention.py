"""The retention sections of the CX report: cohorts, survival and churn; NRR and GRR."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._core.tables import Table
from cxmetrics.report._html import figure_html, table_html
from cxmetrics.report._sections import (
    Columns,
    ReportInputs,
    SectionOut,
    Tile,
    _change_text,
    _empty,
    _level,
    _note,
    _num,
    _pct,
    _xlabel,
    attrs_replace,
)

__all__ = ["retention_section", "revenue_section"]


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
