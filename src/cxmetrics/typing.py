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
    "BootstrapInterval",
    "CalendarFreq",
    "ChurnDenominator",
    "ChurnJoiners",
    "ChurnPreset",
    "ChurnRateForm",
    "ChurnReactivations",
    "CohortDefinition",
    "CohortTable",
    "CompareTest",
    "ControlRules",
    "CumulativeHazardTies",
    "DifferenceInterval",
    "DifferenceKind",
    "DriverMethod",
    "DriverModel",
    "DurationMethod",
    "ExperimentKind",
    "ExperimentSummaryKind",
    "ExperimentTest",
    "FCRDefinition",
    "FileFormat",
    "FixedFreq",
    "Freq",
    "FunnelAttribution",
    "FunnelCompare",
    "FunnelEntry",
    "FunnelMode",
    "FunnelStep",
    "HazardBand",
    "KappaWeighting",
    "LiftInterval",
    "MeanMethod",
    "MeanTest",
    "NPSCompareMethod",
    "NPSMethod",
    "NPSSampleSizeMethod",
    "NanPolicy",
    "NegativeDurations",
    "PValueAdjustment",
    "PairedTest",
    "ParameterInterval",
    "PatienceMethod",
    "ProportionMethod",
    "ProportionSampleSizeMethod",
    "QueueModel",
    "RateMethod",
    "RatingDefinition",
    "ResolutionDefinition",
    "RevenueRetentionMethod",
    "SLADefinition",
    "SLALevel",
    "ScheduleMethod",
    "ScheduleObjective",
    "SentimentLabel",
    "SentimentScorer",
    "ServiceLevelDefinition",
    "SmallGroupPolicy",
    "SurvivalBand",
]

Freq: TypeAlias = Literal[
    "second", "minute", "hour", "day", "week", "month", "quarter", "year"
]
"""Period length, one vocabulary across the library (weeks are ISO weeks)."""

CalendarFreq: TypeAlias = Literal["day", "week", "month", "quarter", "year"]
"""The calendar periods of :data:`Freq` (retention's periods: cohorts, churn, revenue)."""

FixedFreq: TypeAlias = Literal["second", "minute", "hour", "day", "week"]
"""The fixed-length periods of :data:`Freq` (CLV's purchase periods: the model's time unit)."""

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

ExperimentSummaryKind: TypeAlias = Literal["mean", "proportion"]
"""The kinds of experiment an arm summary (n, mean, sd or successes) can describe."""

LiftInterval: TypeAlias = Literal["delta", "fieller"]
"""Interval of a relative lift: delta method, or Fieller's."""

PValueAdjustment: TypeAlias = Literal[
    "holm", "bonferroni", "benjamini_hochberg", "none"
]
"""Multiple-testing adjustment of a family of p-values: family-wise error (Holm,
Bonferroni), false discovery rate (Benjamini-Hochberg), or none (as in statsmodels'
``multipletests`` ``method``)."""
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

# --- added with the one option mechanism (issue #14) --------------------------

ChurnDenominator: TypeAlias = Literal["start", "average", "start_plus_new", "exposure"]
"""What a churn count is divided by (:class:`~cxmetrics.ChurnConvention`)."""

ChurnJoiners: TypeAlias = Literal["include", "exclude"]
"""Whether churn of customers who joined in the same period counts."""

ChurnReactivations: TypeAlias = Literal["count", "net"]
"""Whether a churn followed by a comeback in the same period counts."""

ChurnPreset: TypeAlias = Literal[
    "baremetrics", "chartmogul", "profitwell", "recurly", "shopify", "stripe"
]
"""Named churn conventions of billing tools (:meth:`~cxmetrics.ChurnConvention.preset`)."""

ChurnRateForm: TypeAlias = Literal["probability", "hazard"]
"""Form of a churn rate: a per-period probability, or a constant hazard."""

CohortDefinition: TypeAlias = Literal["classic", "unbounded"]
"""Cohort retention: active in period k (classic), or in period k or later (unbounded)."""

CohortTable: TypeAlias = Literal["rates", "counts", "revenue"]
"""Which table of a cohort matrix to export."""

RevenueRetentionMethod: TypeAlias = Literal["snapshot", "movements"]
"""Revenue retention from two revenue snapshots, or from the movements between them."""

HazardBand: TypeAlias = Literal["log", "plain"]
"""Scale of the pointwise confidence band of a Nelson-Aalen cumulative hazard."""

ParameterInterval: TypeAlias = Literal["log", "wald"]
"""Interval of a fitted model's positive parameter: Wald on the log scale, or plain Wald."""

BootstrapInterval: TypeAlias = Literal["percentile", "normal"]
"""Interval from bootstrap replicates: percentiles, or normal with the bootstrap SE."""

RateMethod: TypeAlias = Literal["score", "wald", "exact"]
"""Confidence-interval methods for a Poisson rate (count over exposure)."""

DifferenceInterval: TypeAlias = Literal[
    "newcombe", "agresti_caffo", "score", "wald", "adjusted_wald", "normal", "t"
]
"""Interval methods of a difference (which apply depends on what is compared)."""

MeanTest: TypeAlias = Literal["welch", "z"]
"""Test of a difference of two means from summaries: Welch's t, or z."""

PairedTest: TypeAlias = Literal["z", "mcnemar", "paired_t"]
"""Test of paired answers: z, McNemar's (z form), or the paired t test."""

DifferenceKind: TypeAlias = Literal["proportion", "mean", "net_score"]
"""What a difference compares: shares, means, or net scores."""

ProportionSampleSizeMethod: TypeAlias = Literal["wald", "wilson", "agresti_coull"]
"""Interval whose margin a proportion's sample size is planned for."""

NPSSampleSizeMethod: TypeAlias = Literal["wald", "adjusted_wald"]
"""Interval whose margin a Net Promoter Score's sample size is planned for."""

SLADefinition: TypeAlias = Literal[
    "zendesk", "completed_only", "pessimistic", "optimistic"
]
"""How SLA compliance counts targets still running or paused (Zendesk's rule, or a bound)."""

SLALevel: TypeAlias = Literal["target", "ticket"]
"""What SLA compliance counts: each target, or each ticket (its worst target)."""

ResolutionDefinition: TypeAlias = Literal["cohort", "period"]
"""Resolution rate of the tickets created in the window (cohort), or resolved over created in it (period)."""

FCRDefinition: TypeAlias = Literal["one_touch", "no_follow_up", "no_repeat_contact"]
"""Which tickets count as resolved at first contact."""

DurationMethod: TypeAlias = Literal["exact", "sketch"]
"""Quantiles of durations: exact (sorting), or from a mergeable sketch."""

NegativeDurations: TypeAlias = Literal["signed", "raise"]
"""What a business-time difference does with an end before its start."""

SentimentLabel: TypeAlias = Literal["negative", "neutral", "positive"]
"""Category of a sentiment label."""

SentimentScorer: TypeAlias = Literal["vader"]
"""Built-in sentiment scorers (a callable is accepted too)."""

FileFormat: TypeAlias = Literal["parquet", "csv"]
"""Format of the files read in chunks."""
