"""Public type aliases that users may annotate with.

Examples
--------
>>> from cxmetrics.typing import NanPolicy
>>> policy: NanPolicy = "omit"
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Literal, TypeAlias

from numpy.typing import ArrayLike, NDArray

__all__ = [
    "AgreementLevel",
    "Alternative",
    "CompareTest",
    "ControlRules",
    "CumulativeHazardTies",
    "DriverMethod",
    "DriverModel",
    "ExperimentKind",
    "ExperimentTest",
    "Freq",
    "FunnelAttribution",
    "FunnelCompare",
    "FunnelEntry",
    "FunnelMode",
    "FunnelStep",
    "KappaWeighting",
    "LiftInterval",
    "MeanMethod",
    "MultipleTesting",
    "NPSCompareMethod",
    "NPSMethod",
    "NanPolicy",
    "PValueAdjustment",
    "PatienceMethod",
    "ProportionMethod",
    "QueueModel",
    "RatingDefinition",
    "ScheduleMethod",
    "ScheduleObjective",
    "ServiceLevelDefinition",
    "SmallGroupPolicy",
    "SurvivalBand",
]

Freq: TypeAlias = Literal[
    "second", "minute", "hour", "day", "week", "month", "quarter", "year"
]
"""Period length, one vocabulary across the library (weeks are ISO weeks)."""

NanPolicy: TypeAlias = Literal["raise", "omit"]
"""What to do with missing answers: raise an error, or omit them and count them."""

ProportionMethod: TypeAlias = Literal[
    "wilson", "agresti_coull", "wald", "jeffreys", "clopper_pearson"
]
"""Confidence-interval methods for a proportion."""

MeanMethod: TypeAlias = Literal["normal", "t"]
"""Confidence-interval methods for a mean."""

NPSMethod: TypeAlias = Literal["wald", "adjusted_wald", "score", "bootstrap"]
"""Confidence-interval methods for a Net Promoter Score."""

Alternative: TypeAlias = Literal["two-sided", "less", "greater"]
"""Alternative hypothesis of a test, as in scipy."""

SmallGroupPolicy: TypeAlias = Literal["flag", "suppress"]
"""What grouped results do with groups under the minimum n."""

SurvivalBand: TypeAlias = Literal["log-log", "log", "plain"]
"""Scale of the pointwise confidence band of a Kaplan-Meier curve."""

CumulativeHazardTies: TypeAlias = Literal["nelson-aalen", "fleming-harrington"]
"""Tie handling of the Nelson-Aalen cumulative hazard (R's ``ctype`` 1 and 2)."""

QueueModel: TypeAlias = Literal["erlang_c", "erlang_a"]
"""Queueing models for staffing: Erlang C (no abandonment) or Erlang A (M/M/N+M)."""

ServiceLevelDefinition: TypeAlias = Literal[
    "offered", "answered", "excluding_short_abandons", "abandons_met"
]
"""Which contacts a service level counts (numerator / denominator).

``'offered'``: answered within T / offered; ``'answered'``: answered within T /
answered; ``'excluding_short_abandons'``: answered within T / (offered - short
abandons); ``'abandons_met'``: (answered within T + abandoned within T) / offered.
"""

RatingDefinition: TypeAlias = Literal["share", "mean"]
"""Headline of a CSAT or CES result: the share of positive answers, or the mean."""

CompareTest: TypeAlias = Literal["t", "z"]
"""Test of a difference of means in the survey comparisons: Student t, or z."""

NPSCompareMethod: TypeAlias = Literal["adjusted_wald", "wald"]
"""Variance of the z test comparing two independent Net Promoter Scores."""

ScheduleObjective: TypeAlias = Literal["headcount", "paid_time", "cost", "deviation"]
"""What shift scheduling minimises: agents, paid intervals, pattern cost, or
weighted under/over-staffing."""

ScheduleMethod: TypeAlias = Literal["auto", "lp", "milp"]
"""Solver of shift scheduling: linear programme (interval matrices), integer
programme, or the first that applies."""

PatienceMethod: TypeAlias = Literal["exponential", "kaplan_meier"]
"""Estimator of customer patience from censored waits."""
ExperimentKind: TypeAlias = Literal["mean", "proportion", "nps", "ratio"]
"""What an experiment's per-unit values are: a mean, a 0/1 flag, an NPS answer, a ratio numerator."""

ExperimentTest: TypeAlias = Literal["auto", "welch", "z"]
"""Test of an experiment's lift: Welch's t, z, or by kind (Welch for means and ratios)."""

LiftInterval: TypeAlias = Literal["delta", "fieller"]
"""Interval of a relative lift: delta method, or Fieller's."""

PValueAdjustment: TypeAlias = Literal["holm", "bonferroni", "benjamini_hochberg"]
"""Multiple-testing adjustments of p-values (family-wise error or false discovery rate)."""
FunnelMode: TypeAlias = Literal[
    "ordered", "strict_order", "strict_deduplication", "strict_increase", "any_order"
]
"""How a funnel's steps must follow each other (ClickHouse ``windowFunnel`` modes and any order)."""

FunnelEntry: TypeAlias = Literal["any", "first"]
"""Which step-1 events may start a funnel chain: any (re-entry) or the unit's first."""

FunnelAttribution: TypeAlias = Literal["first_touch", "last_touch", "first_step"]
"""Which event's segment a unit is counted under: its first or last event, or its first step-1 event."""

FunnelCompare: TypeAlias = Literal["overall", "step"]
"""Funnel conversion compared between segments: from step 1, or from the previous step."""

FunnelStep: TypeAlias = (
    str | int | Collection[Any] | Callable[[NDArray[Any]], ArrayLike]
)
"""A funnel step: one event name (or integer code), a collection of them, or a predicate."""

MultipleTesting: TypeAlias = Literal["holm", "bonferroni", "none"]
"""Adjustment of a family of p-values."""
AgreementLevel: TypeAlias = Literal["nominal", "ordinal", "interval", "ratio"]
"""Metric of Krippendorff's alpha: how far apart two ratings are."""

KappaWeighting: TypeAlias = Literal["unweighted", "linear", "quadratic"]
"""Weighting of Cohen's kappa: partial credit for near misses on an ordered scale."""

ControlRules: TypeAlias = Literal["western_electric", "nelson", "limits"]
"""Run rules of a control chart: Western Electric (4), Nelson (8), or only the 3-sigma limits."""

DriverMethod: TypeAlias = Literal["lmg", "relative_weights"]
"""Key-driver importance: Shapley/LMG decomposition of R², or Johnson's relative weights."""

DriverModel: TypeAlias = Literal["linear", "logistic"]
"""Key-driver model: linear R², or McFadden's pseudo-R² of logistic regressions (0/1 outcomes)."""
