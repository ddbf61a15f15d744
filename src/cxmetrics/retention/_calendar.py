"""Retention's calendar periods: the library's one period calendar, day to year.

Retention counts customers per calendar period (a day, an ISO week, a month, a
quarter or a year) of naive datetime64 instants; the calendar itself lives in
:mod:`cxmetrics.periods`, shared with every family.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from cxmetrics._core.validation import check_option
from cxmetrics.periods import (
    CALENDAR_FREQS,
    period_index,
    period_labels,
    period_starts,
)
from cxmetrics.typing import CalendarFreq

__all__ = [
    "FREQS",
    "check_freq",
    "last_observed_period",
    "period_index",
    "period_labels",
    "period_starts",
]

FREQS: tuple[str, ...] = CALENDAR_FREQS  # get_args(cxmetrics.typing.CalendarFreq)


def check_freq(freq: object) -> CalendarFreq:
    """Return ``freq`` if it is a known calendar granularity."""
    return cast("CalendarFreq", check_option("freq", freq, CalendarFreq))


def last_observed_period(stamp: np.datetime64, freq: CalendarFreq) -> int:
    """Index of the period holding the last instant before ``stamp`` (exclusive end).

    One tick of ``stamp``'s unit earlier: for ``as_of = 2024-07-01`` (a day) the
    last observed day is 2024-06-30, so the last observed month is June.
    """
    arr = np.array([stamp])
    before = (arr.view(np.int64) - 1).view(arr.dtype)
    return int(period_index(before, freq)[0])
