"""Customer journeys: funnels, drop-off and time to convert.

An event log (unit, time, event) and an ordered list of steps give each unit
the highest step it reached within a conversion window, with the matching modes
of ClickHouse's ``windowFunnel``; the funnel reports units per step, conversion
and drop-off with intervals, compares segments, and measures the time to
convert with censoring (Kaplan-Meier from the survival family).

Examples
--------
>>> import cxmetrics as cx
>>> res = cx.funnel(
...     ["u1", "u1", "u2", "u2", "u3"], [0, 30, 0, 50, 10],
...     ["cart", "paid", "cart", "paid", "cart"], ["cart", "paid"], window=40,
... )
>>> res.reached.tolist(), round(res.value, 3)
([3, 1], 0.333)
"""

from __future__ import annotations

from cxmetrics.journeys._funnel import (
    FunnelLevels,
    funnel,
    funnel_levels,
    time_to_convert,
)
from cxmetrics.journeys._result import (
    FunnelComparison,
    FunnelResult,
    GroupedFunnelResult,
)
from cxmetrics.journeys._state import FunnelState

__all__ = [
    "FunnelComparison",
    "FunnelLevels",
    "FunnelResult",
    "FunnelState",
    "GroupedFunnelResult",
    "funnel",
    "funnel_levels",
    "time_to_convert",
]
