"""Workforce management: from a forecast to a schedule and back to service.

Examples
--------
>>> from cxmetrics import workforce
>>> tours = workforce.shift_patterns(0, 1, periods_per_day=1, days=7, days_on=5)
>>> workforce.schedule_shifts([17, 13, 15, 19, 14, 16, 11], tours).headcount
23
"""

from __future__ import annotations

from cxmetrics.workforce._adherence import (
    AdherenceResult,
    GroupedAdherenceResult,
    adherence,
)
from cxmetrics.workforce._forecast import (
    ArrivalProfile,
    ForecastAccuracy,
    arrival_profile,
    forecast_accuracy,
    moving_average_forecast,
    seasonal_naive,
)
from cxmetrics.workforce._patience import (
    GroupedPatienceResult,
    PatienceResult,
    estimate_patience,
)
from cxmetrics.workforce._patience_state import PatienceState
from cxmetrics.workforce._patterns import ShiftPatterns, shift_patterns
from cxmetrics.workforce._schedule import ShiftSchedule, schedule_shifts
from cxmetrics.workforce._service import (
    ProjectedService,
    projected_service,
    staff_requirements,
)

__all__ = [
    "AdherenceResult",
    "ArrivalProfile",
    "ForecastAccuracy",
    "GroupedAdherenceResult",
    "GroupedPatienceResult",
    "PatienceResult",
    "PatienceState",
    "ProjectedService",
    "ShiftPatterns",
    "ShiftSchedule",
    "adherence",
    "arrival_profile",
    "estimate_patience",
    "forecast_accuracy",
    "moving_average_forecast",
    "projected_service",
    "schedule_shifts",
    "seasonal_naive",
    "shift_patterns",
    "staff_requirements",
]
