"""Public type aliases that users may annotate with.

Examples
--------
>>> from cxmetrics.typing import NanPolicy
>>> policy: NanPolicy = "omit"
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = [
    "AgreementLevel",
    "Alternative",
    "ControlRules",
    "CumulativeHazardTies",
    "DriverMethod",
    "DriverModel",
    "Freq",
    "KappaWeighting",
    "MeanMethod",
    "NPSMethod",
    "NanPolicy",
    "ProportionMethod",
    "QueueModel",
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
