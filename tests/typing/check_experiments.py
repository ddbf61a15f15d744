"""Usage of the experiments API that mypy must accept; never executed."""

from __future__ import annotations

from typing import assert_type

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics.stats import ConfidenceInterval, ConfidenceIntervalArray

res = cx.experiment([1.0, 2.0], ["a", "b"], control="a", kind="mean", test="welch")
assert_type(res, cx.ExperimentResult)
assert_type(res.value, NDArray[np.float64])
assert_type(res.confidence_interval(0.9), ConfidenceIntervalArray)
lift = res["b"]
assert_type(lift, cx.LiftResult)
assert_type(lift.value, float)
assert_type(lift.confidence_interval(method="delta"), ConfidenceInterval)
state = cx.ExperimentState.from_units([1.0], ["a"], covariate=[2.0])
assert_type(state + state, cx.ExperimentState)
assert_type(state.compute("a", sequential=True), cx.ExperimentResult)
assert_type(cx.sample_size(0.1, std=1.0), cx.PowerResult)
assert_type(
    cx.minimum_detectable_effect(
        100, kind="nps", promoter_share=0.4, detractor_share=0.2
    ),
    cx.PowerResult,
)
assert_type(cx.sample_ratio_mismatch([10, 12]), cx.SRMResult)
assert_type(
    cx.adjust_pvalues([0.01, 0.2], method="benjamini_hochberg"), NDArray[np.float64]
)
