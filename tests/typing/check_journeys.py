"""Static checks of the journeys API's types (mypy runs this file; it is never executed)."""

from __future__ import annotations

from typing import assert_type

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx

units, times, events = ["a", "a"], [0, 5], ["cart", "paid"]
res = cx.funnel(units, times, events, ["cart", "paid"], window=10)
assert_type(res, cx.FunnelResult)
assert_type(res.value, float)
assert_type(res.reached, NDArray[np.int64])
assert_type(res.confidence_interval(), cx.ConfidenceInterval)
grouped = cx.funnel(units, times, events, ["cart", "paid"], window=10, by=["x", "y"])
assert_type(grouped, cx.GroupedFunnelResult)
assert_type(grouped.compare(adjust="bonferroni"), cx.FunnelComparison)
assert_type(cx.funnel_levels(units, times, events, ["cart"], window=1), cx.FunnelLevels)
state = cx.FunnelState.from_log(units, times, events, ["cart", "paid"], window=10)
assert_type(state + state, cx.FunnelState)
assert_type(
    cx.time_to_convert(units, times, events, ["cart", "paid"], window=10),
    cx.KaplanMeierResult,
)
assert_type(
    cx.time_to_convert(
        units, times, events, ["cart", "paid"], window=10, by=["x", "y"]
    ),
    cx.GroupedKaplanMeierResult,
)
