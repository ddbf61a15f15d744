"""Usage that mypy must accept; checked by mypy, never executed."""

from __future__ import annotations

from typing import assert_type

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx

res = cx.nps([10, 9, 3])
assert_type(res, cx.NPSResult)
assert_type(res.value, float)
lo, hi = res.confidence_interval(0.9, method="score")
assert_type(lo, float)
grouped = cx.nps([10, 9, 3], by=["a", "b", "a"])
assert_type(grouped, cx.GroupedNPSResult)
assert_type(grouped.value, NDArray[np.float64])
total = cx.NPSState.empty() + cx.NPSState.from_responses([10, 0])
assert_type(total.compute(), cx.NPSResult)
assert_type(cx.csat([5, 4]), cx.CSATResult)
assert_type(cx.ces([5, 4], by=[1, 2]), cx.GroupedCESResult)
assert_type(cx.compare_nps([10], [9]), cx.DifferenceResult)
assert_type(cx.nps_sample_size(5), int)
