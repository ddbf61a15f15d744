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
from cxmetrics.support._policy_file import read_policy
from cxmetrics.support._rates import (
    Backlog,
    GroupedSupportRateResult,
    SupportRateResult,
    backlog,
    first_contact_resolution,
    reopen_rate,
    resolution_rate,
)
from cxmetrics.support._sketch import DurationSketchState
from cxmetrics.support._sla import SLATargets, sla_targets
from cxmetrics.support._timings import (
    DurationSummary,
    NextReplyTimes,
    TicketTimings,
    duration_summary,
    handle_time,
    next_reply_times,
    ticket_timings,
)

__all__ = [
    "Backlog",
    "BusinessCalendar",
    "DurationSketchState",
    "DurationSummary",
    "GroupedSLAComplianceResult",
    "GroupedSupportRateResult",
    "NextReplyTimes",
    "SLAComplianceResult",
    "SLAComplianceState",
    "SLAPolicy",
    "SLATargets",
    "SupportRateResult",
    "TicketLog",
    "TicketTimings",
    "backlog",
    "duration_summary",
    "first_contact_resolution",
    "handle_time",
    "next_reply_times",
    "read_policy",
    "reopen_rate",
    "resolution_rate",
    "sla_compliance",
    "sla_targets",
    "ticket_timings",
]
