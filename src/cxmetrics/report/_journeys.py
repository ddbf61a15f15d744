"""The funnel section of the CX report (when the data has an event log)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._core.display import html_table
from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.report._checks import check_tables
from cxmetrics.report._html import figure_html

__all__ = ["funnel_section"]


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.1%}"


def funnel_section(
    events: Mapping[str, NDArray[Any]],
    steps: Sequence[Any] | Mapping[str, Any],
    *,
    window: object,
) -> list[str]:
    """Funnel chart, step table, the biggest drop-off, time to convert and segments.

    ``events`` holds columns ``unit``, ``time`` and ``event`` (optional
    ``segment``, attributed by first touch).

    Examples
    --------
    >>> from cxmetrics.report._journeys import funnel_section
    >>> parts = funnel_section(
    ...     {"unit": ["a", "a", "b"], "time": [0, 60, 10], "event": ["cart", "paid", "cart"]},
    ...     ["cart", "paid"], window=3600,
    ... )
    >>> "drop-off" in parts[0]
    True
    """
    given: object = events  # typed as columns, checked as any object
    if given is None:  # check_tables reads None as "not given"
        msg = "`events` must be a dict of columns (unit, time, event); got None."
        raise InvalidInputTypeError(msg)
    (events,) = check_tables({"events": events}, None)
    res = cx.funnel(
        events["unit"], events["time"], events["event"], steps, window=window
    )
    parts: list[str] = []
    drops = res.drop_off
    worst = (
        int(drops.argmax()) if drops.size and not math.isnan(float(drops.max())) else -1
    )
    if worst >= 0:
        summary = (
            f"{res.n:,} units entered; {_pct(float(res.value))} reached the last step. The biggest "
            f"drop-off is from {res.steps[worst]!r} to {res.steps[worst + 1]!r}: "
            f"{_pct(float(drops[worst]))} of those who reached {res.steps[worst]!r} left."
        )
    else:
        summary = f"{res.n:,} units entered the funnel."
    parts.append(f'<p class="note">{html.escape(summary)}</p>')
    parts.append(
        figure_html(
            plot.funnel_chart(res),
            "Share of entrants reaching each step, Wilson 95% intervals, drop-off between steps",
        )
    )
    t = res.table()
    rows = [
        [
            str(t["step"][i]),
            f"{int(t['reached'][i]):,}",
            f"{_pct(float(t['conversion'][i]))} ({_pct(float(t['conversion_low'][i]))} to {_pct(float(t['conversion_high'][i]))})",
            "" if i == 0 else _pct(float(t["drop_off"][i])),
        ]
        for i in range(len(res.steps))
    ]
    parts.append(
        html_table(["step", "reached", "conversion (95% CI)", "drop-off"], rows)
    )
    km = cx.time_to_convert(
        events["unit"], events["time"], events["event"], steps, window=window
    )
    unit = " s" if km.time_unit else ""
    lo, hi = km.median_interval()
    parts.append(
        '<p class="note">'
        + html.escape(
            f"Time to convert (Kaplan-Meier, open windows censored): median {km.median:g}{unit} "
            f"(95% CI {lo:g} to {hi:g}); inf means fewer than half of the entrants convert."
        )
        + "</p>"
    )
    if "segment" in events:
        g = cx.funnel(
            events["unit"],
            events["time"],
            events["event"],
            steps,
            window=window,
            by=events["segment"],
        )
        if len(g) > 1:
            cmp = g.compare()
            rows = [
                [
                    str(cmp.segment[i]),
                    str(cmp.step[i]),
                    f"{cmp.difference[i]:+.1%}",
                    f"{cmp.pvalue_adjusted[i]:.3g}",
                ]
                for i in range(len(cmp.segment))
            ]
            parts.append(
                html_table(
                    [
                        f"segment vs {cmp.reference}",
                        "step",
                        "difference in conversion",
                        "p (Holm)",
                    ],
                    rows,
                )
            )
    return parts
