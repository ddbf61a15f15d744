"""Retention: churn and revenue retention, cohorts and the sBG model.

The survival curves (Kaplan-Meier, Nelson-Aalen, the log-rank test) live in
:mod:`cxmetrics.survival`; their names are re-exported here as well.

Examples
--------
>>> from cxmetrics import retention
>>> retention.churn_rate(5, 100).value
0.05
>>> retention.kaplan_meier([2, 3, 5, 8], [1, 0, 1, 1]).median
5.0
"""

from __future__ import annotations

from cxmetrics.retention._churn import (
    churn_by_period,
    churn_rate,
    convert_churn_rate,
    expected_lifetime,
)
from cxmetrics.retention._churn_grouped_state import GroupedChurnState
from cxmetrics.retention._churn_result import ChurnResult, GroupedChurnResult
from cxmetrics.retention._churn_state import ChurnState
from cxmetrics.retention._cohort_result import CohortResult
from cxmetrics.retention._cohorts import CohortState, cohort_matrix
from cxmetrics.retention._conventions import ChurnConvention
from cxmetrics.retention._mrr_movements import MRRMovements
from cxmetrics.retention._revenue import (
    RevenueRetentionResult,
    gross_revenue_retention,
    mrr_movements,
    net_revenue_retention,
)
from cxmetrics.retention._revenue_matrix import RevenueMatrix
from cxmetrics.retention._sbg import SBGModel
from cxmetrics.retention._sbg_fit import SBGResult, sbg
from cxmetrics.survival import (
    GroupedKaplanMeierResult,
    GroupedNelsonAalenResult,
    GroupedSurvivalState,
    KaplanMeierResult,
    LogrankResult,
    NelsonAalenResult,
    RestrictedMeanResult,
    SurvivalState,
    kaplan_meier,
    logrank_test,
    nelson_aalen,
)

__all__ = [
    "ChurnConvention",
    "ChurnResult",
    "ChurnState",
    "CohortResult",
    "CohortState",
    "GroupedChurnResult",
    "GroupedChurnState",
    "GroupedKaplanMeierResult",
    "GroupedNelsonAalenResult",
    "GroupedSurvivalState",
    "KaplanMeierResult",
    "LogrankResult",
    "MRRMovements",
    "NelsonAalenResult",
    "RestrictedMeanResult",
    "RevenueMatrix",
    "RevenueRetentionResult",
    "SBGModel",
    "SBGResult",
    "SurvivalState",
    "churn_by_period",
    "churn_rate",
    "cohort_matrix",
    "convert_churn_rate",
    "expected_lifetime",
    "gross_revenue_retention",
    "kaplan_meier",
    "logrank_test",
    "mrr_movements",
    "nelson_aalen",
    "net_revenue_retention",
    "sbg",
]
