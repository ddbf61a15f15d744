"""Retention: churn and revenue retention, cohorts, survival curves and the sBG model.

Examples
--------
>>> from cxmetrics import retention
>>> retention.kaplan_meier([2, 3, 5, 8], [1, 0, 1, 1]).median
5.0
"""

from __future__ import annotations

from cxmetrics.retention._churn import (
    ChurnResult,
    ChurnState,
    GroupedChurnResult,
    GroupedChurnState,
    churn_by_period,
    churn_rate,
    convert_churn_rate,
    expected_lifetime,
)
from cxmetrics.retention._cohorts import CohortResult, CohortState, cohort_matrix
from cxmetrics.retention._conventions import ChurnConvention
from cxmetrics.retention._event_table import GroupedSurvivalState, SurvivalState
from cxmetrics.retention._grouped_survival import (
    GroupedKaplanMeierResult,
    GroupedNelsonAalenResult,
)
from cxmetrics.retention._km import KaplanMeierResult, RestrictedMeanResult
from cxmetrics.retention._logrank import LogrankResult
from cxmetrics.retention._nelson_aalen import NelsonAalenResult
from cxmetrics.retention._revenue import (
    MRRMovements,
    RevenueMatrix,
    RevenueRetentionResult,
    gross_revenue_retention,
    mrr_movements,
    net_revenue_retention,
)
from cxmetrics.retention._sbg import SBGModel, SBGResult, sbg
from cxmetrics.retention._survival import kaplan_meier, logrank_test, nelson_aalen

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
