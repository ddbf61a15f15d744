"""Usage of churn, revenue and cohort APIs that mypy must accept; never executed."""

from __future__ import annotations

from typing import assert_type

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx

res = cx.churn_rate(10, 200, convention="stripe")
assert_type(res, cx.ChurnResult)
assert_type(res.value, float)
assert_type(res.numerator, int)
lo, hi = res.confidence_interval(0.9)
assert_type(lo, float)
state = cx.ChurnState.from_counts(3, 40) + cx.ChurnState.empty()
assert_type(state.compute(cx.ChurnConvention.chartmogul()), cx.ChurnResult)
start = np.array(["2024-01-01"], dtype="datetime64[D]")
end = np.array(["2024-03-01"], dtype="datetime64[D]")
series = cx.churn_by_period(["a"], start, end, first="2024-02")
assert_type(series, cx.GroupedChurnResult)
assert_type(series.value, NDArray[np.float64])
assert_type(series.numerator, NDArray[np.int64])
assert_type(series.confidence_interval(), cx.ConfidenceIntervalArray)
assert_type(series.retention_rate, NDArray[np.float64])
assert_type(series["2024-02"], cx.ChurnResult)
assert_type(res.confidence_interval(), cx.ConfidenceInterval)
grouped = cx.GroupedChurnState.from_spells(["a"], start, end)
assert_type(grouped + grouped, cx.GroupedChurnState)

matrix = cx.RevenueMatrix.from_subscriptions(["a"], start, end, [9.99])
assert_type(matrix + matrix, cx.RevenueMatrix)
moves = cx.mrr_movements(matrix)
assert_type(moves, cx.MRRMovements)
assert_type(
    cx.mrr_movements([[1, 2]], minor_units=1).quick_ratio(), NDArray[np.float64]
)
assert_type(cx.net_revenue_retention(matrix, horizon=1), cx.RevenueRetentionResult)
assert_type(cx.gross_revenue_retention([[1, 2]], horizon=1).value, float)

cohorts = cx.cohort_matrix(["a"], start)
assert_type(cohorts, cx.CohortResult)
assert_type(cohorts.mask, NDArray[np.bool_])
assert_type(cx.CohortState.from_activity(["a"], start).compute(), cx.CohortResult)
assert_type(cx.expected_lifetime(0.05), float)
assert_type(cx.convert_churn_rate([0.01, 0.02], 12), NDArray[np.float64])
