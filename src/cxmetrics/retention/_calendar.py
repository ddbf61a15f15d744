"""Retention's calendar periods: the library's one period calendar, day to year.

Retention counts customers per calendar period (a day, an ISO week, a month, a
quarter or a year) of naive datetime64 instants; the calendar itself lives in
:mod:`cxmetrics.periods`, shared with every family.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from cxmetrics._validation import check_option
from cxmetrics.periods import (
    CALENDAR_FREQS,
    period_index,
    period_labels,
    period_starts,
)

__all__ = [
    "FREQS",
    "Freq",
    "check_freq",
    "period_index",
    "period_labels",
    "period_starts",
]

Freq: TypeAlias = Literal["day", "week", "month", "quarter", "year"]
"""Calendar granularity of a retention period."""

FREQS: tuple[str, ...] = CALENDAR_FREQS


def check_freq(freq: str) -> str:
    """Return ``freq`` if it is a known calendar granularity."""
    return check_option("freq", freq, FREQS)
