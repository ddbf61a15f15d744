"""Survival analysis: customer lifetimes measured one customer at a time.

Kaplan-Meier survival curves (with their restricted mean), Nelson-Aalen
cumulative hazards and the log-rank test, each from durations, event indicators
(1 = the event was seen, 0 = censored) and optional late-entry times, pooled or by
group. Every estimate is computed from a mergeable event table,
:class:`SurvivalState` (or :class:`GroupedSurvivalState` by group), so results
from chunks or shards combine exactly.

Examples
--------
>>> from cxmetrics import survival
>>> survival.kaplan_meier([2, 3, 5, 8], [1, 0, 1, 1]).median
5.0
>>> a = survival.SurvivalState.from_durations([2, 3], [1, 0])
>>> b = survival.SurvivalState.from_durations([5, 8], [1, 1])
>>> (a + b).compute().median
5.0
"""

from __future__ import annotations

from cxmetrics.survival._event_table import SurvivalState
from cxmetrics.survival._grouped_state import GroupedSurvivalState
from cxmetrics.survival._grouped_survival import (
    GroupedKaplanMeierResult,
    GroupedNelsonAalenResult,
)
from cxmetrics.survival._km import KaplanMeierResult, RestrictedMeanResult
from cxmetrics.survival._logrank import LogrankResult
from cxmetrics.survival._nelson_aalen import NelsonAalenResult
from cxmetrics.survival._survival import kaplan_meier, logrank_test, nelson_aalen

__all__ = [
    "GroupedKaplanMeierResult",
    "GroupedNelsonAalenResult",
    "GroupedSurvivalState",
    "KaplanMeierResult",
    "LogrankResult",
    "NelsonAalenResult",
    "RestrictedMeanResult",
    "SurvivalState",
    "kaplan_meier",
    "logrank_test",
    "nelson_aalen",
]
