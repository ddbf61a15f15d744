"""Workforce management: from a forecast to a schedule and back to service.

Examples
--------
>>> from cxmetrics import workforce
>>> tours = workforce.shift_patterns(0, 1, periods_per_day=1, days=7, days_on=5)
>>> workforce.schedule_shifts([17, 13, 15, 19, 14, 16, 11], tours).headcount
23
"""

from __future__ import annotations

from cxmetrics.workforce._patterns import ShiftPatterns, shift_patterns
from cxmetrics.workforce._schedule import ShiftSchedule, schedule_shifts
from cxmetrics.workforce._service import (
    ProjectedService,
    projected_service,
    staff_requirements,
)

__all__ = [
    "ProjectedService",
    "ShiftPatterns",
    "ShiftSchedule",
    "projected_service",
    "schedule_shifts",
    "shift_patterns",
    "staff_requirements",
]
