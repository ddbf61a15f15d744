"""Static types of generated grouped results (checked by mypy, never run)."""

from __future__ import annotations

from typing import Any, assert_type

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics.survey import NPSScheme

grouped = cx.nps([10, 3], by=["a", "b"])
assert_type(grouped["a"], cx.NPSResult)
assert_type(grouped.value, NDArray[np.float64])
assert_type(grouped.n, NDArray[np.int64])
assert_type(grouped.promoters, NDArray[Any])
assert_type(grouped.scheme, NPSScheme)
assert_type(grouped.confidence_interval(), cx.ConfidenceIntervalArray)
assert_type(cx.nps([10, 3]).confidence_interval(), cx.ConfidenceInterval)
assert_type(cx.csat([5, 4], by=[1, 2])[1], cx.CSATResult)
assert_type(cx.ces([5, 4], by=[1, 2]).mean_interval(), cx.ConfidenceIntervalArray)
assert_type(cx.ces([5, 4]).share_interval(), cx.ConfidenceInterval)
assert_type(cx.contact_metrics([5], [False], by=["q"])["q"], cx.ContactResult)
assert_type(cx.adherence(["p"], ["p"], by=["a"])["a"], cx.AdherenceResult)
assert_type(
    cx.estimate_patience([5], [True], by=["q"]).method, cx.typing.PatienceMethod
)
experiment = cx.experiment([1.0, 2.0, 3.0, 4.0], list("AABB"), control="A")
assert_type(experiment["B"], cx.LiftResult)
assert_type(experiment.arms, NDArray[Any])
