"""The report's voice section: control charts of monthly scores and key drivers of NPS."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._core.tables import Table
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.report._html import figure_html, table_html

__all__ = ["voice_section"]

Columns = dict[str, NDArray[Any]]


def _signals(chart: Any) -> str:
    flagged = [str(k) for k in chart.keys[chart.signal].tolist()]
    if not flagged:
        return "no month breaks a Western Electric rule: the changes are within normal variation"
    return "signals (a real change, not noise) in " + ", ".join(flagged)


def voice_section(s: Columns) -> list[str]:
    """Monthly CSAT p chart, monthly NPS individuals chart, key drivers of NPS."""
    parts: list[str] = []
    months = np.unique(np.asarray(s["month"]))
    if months.size < 2:  # a moving range (the NPS chart) needs two points
        note = (
            f"Control charts need at least two months of answers; the survey has "
            f"{months.size}."
        )
        parts.append(f'<p class="note">{html.escape(note)}</p>')
    else:
        parts += _charts(s)
    if "ces" in s:
        parts += _drivers(s)
    return parts


def _charts(s: Columns) -> list[str]:
    """The p chart of monthly CSAT and the individuals chart of monthly NPS."""
    parts: list[str] = []
    csat = cx.p_chart(cx.csat(s["csat"], by=s["month"], nan_policy="omit"))
    parts.append(
        figure_html(
            plot.control_chart(csat),
            "CSAT share by month: p chart with 3-sigma limits for each month's n",
        )
    )
    nps = cx.i_mr_chart(cx.nps(s["nps"], by=s["month"], nan_policy="omit"))
    parts.append(
        figure_html(
            plot.control_chart(nps),
            "NPS by month: individuals chart (limits from the moving range)",
        )
    )
    note = f"CSAT: {_signals(csat)}. NPS: {_signals(nps.individuals)}."
    parts.append(f'<p class="note">{html.escape(note)}</p>')
    return parts


def _drivers(s: Columns) -> list[str]:
    """Key drivers of NPS (CSAT and CES) with bootstrap intervals."""
    parts: list[str] = []
    drivers = {"CSAT": s["csat"], "CES": s["ces"]}
    try:
        res = cx.key_drivers(s["nps"], drivers, nan_policy="omit", n_resamples=200)
    except InvalidInputError as err:
        # valid answers too few or too uniform for a regression (a small or
        # constant survey): the report says so instead of failing as a whole
        note = f"Key drivers of NPS not shown: {err}"
        return [f'<p class="note">{html.escape(note)}</p>']
    parts.append(
        figure_html(
            plot.driver_quadrant(res),
            "What explains NPS: share of R² (LMG) against the mean rating",
        )
    )
    parts.append(
        table_html(
            Table.from_columns(
                "drivers",
                "Key drivers of NPS: share of R² (LMG), rescaled and ranked",
                res.to_dict(),
            )
        )
    )
    lo, hi = np.round(res.low, 3), np.round(res.high, 3)
    ranges = "; ".join(
        f"{name} {a:g} to {b:g}" for name, a, b in zip(res.names, lo, hi, strict=True)
    )
    parts.append(
        f'<p class="note">{html.escape("95% bootstrap intervals of the raw weights: " + ranges)}</p>'
    )
    return parts
