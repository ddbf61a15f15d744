"""The report's staffing section: requirement, schedule and projected service."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._core.display import format_value, html_table
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.report._html import figure_html

__all__ = ["workforce_section"]

_REQUIRED = ("volume", "periods_per_day", "aht", "shift_length")


def workforce_section(w: dict[str, Any]) -> list[str]:
    """Required vs scheduled agents with projected service level, and a summary table.

    ``w`` holds ``volume`` (contacts per interval, whole days), ``periods_per_day``,
    ``aht`` (seconds) and ``shift_length`` (intervals); optional ``threshold``
    (20 s), ``target`` (0.8), ``shrinkage`` (0), ``days_on`` (weekly tours),
    ``start_every`` (1 interval).
    """
    missing = [k for k in _REQUIRED if k not in w]
    if missing:
        msg = f"`workforce` needs the keys {list(_REQUIRED)}; missing {missing}."
        raise InvalidInputError(msg)
    vol = np.asarray(w["volume"], dtype=np.float64)
    ppd = int(w["periods_per_day"])
    length = 86400.0 / ppd
    target = float(w.get("target", 0.8))
    threshold = float(w.get("threshold", 20.0))
    shrinkage = float(w.get("shrinkage", 0.0))
    req = cx.staff_requirements(
        vol,
        interval_length=length,
        aht=w["aht"],
        target_service_level=target,
        threshold=threshold,
        shrinkage=shrinkage,
    )
    patterns = cx.shift_patterns(
        np.arange(0, ppd, int(w.get("start_every", 1))),
        int(w["shift_length"]),
        periods_per_day=ppd,
        days=max(vol.size // ppd, 1),
        days_on=w.get("days_on"),
    )
    sched = cx.schedule_shifts(req.headcount, patterns)
    proj = cx.projected_service(
        sched,
        vol,
        interval_length=length,
        aht=w["aht"],
        threshold=threshold,
        shrinkage=shrinkage,
    )
    parts = [
        figure_html(
            plot.schedule_coverage(proj, target_service_level=target),
            f"Agents required (Erlang C, {target:.0%} within {threshold:g} s, "
            f"{shrinkage:.0%} shrinkage) and scheduled per interval; projected service level",
        )
    ]
    parts.append(
        html_table(
            [
                "headcount",
                "solver",
                "optimal",
                "service level",
                "ASA (s)",
                "occupancy",
                "short intervals",
            ],
            [
                [
                    format_value(sched.headcount),
                    sched.method,
                    "yes" if sched.optimal else "no",
                    format_value(proj.service_level),
                    format_value(proj.asa),
                    format_value(proj.occupancy),
                    format_value(int((sched.surplus < 0).sum())),
                ]
            ],
            caption="Schedule and projected service over the horizon",
        )
    )
    note = (
        f"{patterns.n_patterns} shift patterns; the schedule covers the requirement "
        "of every interval with the fewest agents (HiGHS)."
    )
    parts.append(f'<p class="note">{html.escape(note)}</p>')
    return parts
