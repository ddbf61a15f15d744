"""Support operations: business calendars, ticket timings and SLA compliance.

Examples
--------
>>> import numpy as np
>>> from cxmetrics import support
>>> cal = support.BusinessCalendar("Europe/Berlin")
>>> a = np.array(["2024-01-05T15:00"], dtype="datetime64[s]")  # Fri 16:00 in Berlin
>>> b = np.array(["2024-01-08T09:00"], dtype="datetime64[s]")  # Mon 10:00
>>> cal.business_seconds(a, b) / 3600
array([2.])
"""

from __future__ import annotations

from cxmetrics.support._calendar import BusinessCalendar
from cxmetrics.support._compliance import (
    GroupedSLAComplianceResult,
    SLAComplianceResult,
    SLAComplianceState,
    sla_compliance,
)
from cxmetrics.support._log import TicketLog
from cxmetrics.support._policy import SLAPolicy
from cxmetrics.support._sla import SLATargets, sla_targets

__all__ = [
    "BusinessCalendar",
    "GroupedSLAComplianceResult",
    "SLAComplianceResult",
    "SLAComplianceState",
    "SLAPolicy",
    "SLATargets",
    "TicketLog",
    "sla_compliance",
    "sla_targets",
]
