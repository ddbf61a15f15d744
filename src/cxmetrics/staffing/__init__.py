"""Staffing and contact-centre metrics: Erlang B, C and A, agents required.

Examples
--------
>>> from cxmetrics import staffing
>>> round(staffing.erlang_c(10.0, 14), 4)
0.1741
"""

from __future__ import annotations

from cxmetrics.staffing._contact_result import ContactResult, GroupedContactResult
from cxmetrics.staffing._contact_scheme import ContactScheme
from cxmetrics.staffing._contact_state import ContactState, GroupedContactState
from cxmetrics.staffing._contacts import contact_metrics, waits_from_instants
from cxmetrics.staffing._erlang import erlang_b, erlang_c
from cxmetrics.staffing._queue import QueueMetrics, QueueMetricsArray, queue_metrics
from cxmetrics.staffing._required import (
    StaffingResult,
    StaffingResultArray,
    agents_required,
)

__all__ = [
    "ContactResult",
    "ContactScheme",
    "ContactState",
    "GroupedContactResult",
    "GroupedContactState",
    "QueueMetrics",
    "QueueMetricsArray",
    "StaffingResult",
    "StaffingResultArray",
    "agents_required",
    "contact_metrics",
    "erlang_b",
    "erlang_c",
    "queue_metrics",
    "waits_from_instants",
]
