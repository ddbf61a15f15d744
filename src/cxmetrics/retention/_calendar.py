"""Calendar periods of naive datetime64 instants: index, first instant, label.

A period is a half-open interval ``[start, next start)`` of the calendar:
a day, an ISO week (Monday to Sunday), a month, a quarter (starting in January,
April, July, October) or a year. Periods are numbered by an int64 index counted
from the period that holds 1970-01-01, so "the next period" is ``index + 1`` and
every kernel works on integers. Instants are naive: they are read as they are
(in UTC or in local time, whichever the caller chose); no time zone is applied.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

from cxmetrics._validation import check_option

__all__ = [
    "FREQS",
    "Freq",
    "last_observed_period",
    "period_index",
    "period_labels",
    "period_starts",
]

Freq: TypeAlias = Literal["day", "week", "month", "quarter", "year"]
"""Calendar granularity of a period."""

FREQS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")

# 1970-01-01 was a Thursday: day index + 3 counts from Monday 1969-12-29
_MONDAY_SHIFT = 3
#: below this many instants the calendar is computed directly
_LOOKUP_MIN = 4096


def check_freq(freq: str) -> str:
    """Return ``freq`` if it is a known granularity."""
    return check_option("freq", freq, FREQS)


def _calendar_index(days: NDArray[np.int64], freq: str) -> NDArray[np.int64]:
    """Month, quarter or year index of day numbers, through numpy's calendar."""
    as_days = days.astype("datetime64[D]")
    if freq == "year":
        return as_days.astype("datetime64[Y]").astype(np.int64)
    months = as_days.astype("datetime64[M]").astype(np.int64)
    return months if freq == "month" else np.floor_divide(months, 3)


def period_index(instants: NDArray[np.datetime64], freq: str) -> NDArray[np.int64]:
    """Index of the calendar period that holds each instant (floor, also before 1970).

    Months, quarters and years go through day numbers: when the instants span
    fewer days than there are instants, the calendar is computed once per day of
    the span and looked up (numpy's month arithmetic costs far more than a
    gather).
    """
    days = instants.astype("datetime64[D]").astype(np.int64)
    if freq == "day":
        return days
    if freq == "week":
        return np.floor_divide(days + _MONDAY_SHIFT, 7)
    if days.size > _LOOKUP_MIN:
        lo, hi = int(days.min()), int(days.max())
        if hi - lo < days.size:
            table = _calendar_index(np.arange(lo, hi + 1, dtype=np.int64), freq)
            out: NDArray[np.int64] = table[days - lo]
            return out
    return _calendar_index(days, freq)


def period_labels(index: NDArray[np.int64], freq: str) -> NDArray[np.datetime64]:
    """First day (or month, or year) of each period, as a readable datetime64 label.

    Days and weeks are labelled by their first day (``datetime64[D]``, a Monday for
    weeks), months and quarters by their first month (``datetime64[M]``) and
    years by the year (``datetime64[Y]``).
    """
    idx = np.asarray(index, dtype=np.int64)
    if freq == "day":
        return idx.astype("datetime64[D]")
    if freq == "week":
        return (idx * 7 - _MONDAY_SHIFT).astype("datetime64[D]")
    if freq == "month":
        return idx.astype("datetime64[M]")
    if freq == "quarter":
        return (idx * 3).astype("datetime64[M]")
    return idx.astype("datetime64[Y]")


def period_starts(
    index: NDArray[np.int64], freq: str, dtype: np.dtype[Any]
) -> NDArray[np.datetime64]:
    """First instant of each period, in the datetime64 unit ``dtype``."""
    return period_labels(index, freq).astype(dtype)


def last_observed_period(stamp: np.datetime64, freq: str) -> int:
    """Index of the period holding the last instant before ``stamp`` (exclusive end).

    One tick of ``stamp``'s unit earlier: for ``as_of = 2024-07-01`` (a day) the
    last observed day is 2024-06-30, so the last observed month is June.
    """
    arr = np.array([stamp])
    before = (arr.view(np.int64) - 1).view(arr.dtype)
    return int(period_index(before, freq)[0])
