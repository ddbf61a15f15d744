"""The business-time engine: a calendar expanded into UTC working intervals.

A calendar is expanded, over the local dates the data spans, into sorted disjoint
working intervals ``[s_i, e_i)`` in UTC nanoseconds with the cumulative business
time before each. Business time up to an instant is then

    F(t) = C_i + min(t, e_i) - s_i,   i = the last interval with s_i <= t,

found with :func:`numpy.searchsorted` (``O(log m)`` per row); business time from
``a`` to ``b`` is ``F(b) - F(a)`` (so it is additive by construction), and a
deadline inverts ``F`` with a second search on the cumulative ends. Only the loop
over the local dates of the span runs in Python; rows are never looped over.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from cxmetrics.exceptions import InvalidInputError

if TYPE_CHECKING:  # the calendar calls this module: it is a type here, nothing more
    from cxmetrics.support._calendar import BusinessCalendar

__all__ = ["Timeline", "business_ns", "deadline_ns", "timeline"]

_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001  (naive on purpose: UTC wall clock)
_NS = 1_000_000_000
_FIRST_YEAR, _LAST_YEAR = 1678, 2261


class Timeline(NamedTuple):
    """Disjoint sorted working intervals (UTC ns) and the business time before each."""

    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    before: NDArray[np.int64]  # business ns before interval i
    through: NDArray[np.int64]  # business ns up to the end of interval i
    first_year: int
    last_year: int
    #: for instants ``origin + (b << _BUCKET_BITS) ...``: the last interval
    #: starting at or before the bucket's start (see :func:`_buckets`)
    bucket_origin: int = 0
    bucket_first: NDArray[np.int64] | None = None
    bucket_steps: int = 0


@functools.lru_cache(maxsize=64)
def _expand(calendar: BusinessCalendar, first_year: int, last_year: int) -> Timeline:
    """Working intervals of the local dates of ``first_year..last_year``.

    Two days before and one after are included: a margin for zone offsets and
    for overnight windows that start the evening before.
    """
    first = date(first_year, 1, 1) - timedelta(days=2)
    last = date(last_year, 12, 31) + timedelta(days=1)
    zone = calendar.tzinfo
    starts: list[int] = []
    ends: list[int] = []
    # one Python step per local date (and window), never per row
    day = first
    one = timedelta(days=1)
    while day <= last:
        windows = calendar.windows_on(day)
        if windows:
            midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001
            for w0, w1 in windows:
                for edge, out in ((w0, starts), (w1, ends)):
                    # wall clock -> UTC with fold=0 (PEP 495): the first of two
                    # occurrences; a time in a spring gap moves later by the gap
                    local = midnight + timedelta(seconds=edge)
                    offset = zone.utcoffset(local) or timedelta(0)
                    delta = local - offset - _EPOCH
                    out.append((delta.days * 86_400 + delta.seconds) * _NS)
        day += one
    s = np.asarray(starts, dtype=np.int64)
    e = np.asarray(ends, dtype=np.int64)
    keep = e > s  # a window emptied by a DST gap is dropped
    s, e = s[keep], e[keep]
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    if s.size:
        # merge overlapping or touching windows into disjoint intervals
        reach = np.maximum.accumulate(e)
        new = np.ones(s.shape, dtype=bool)
        new[1:] = s[1:] > reach[:-1]
        heads = np.flatnonzero(new)
        s = s[heads]
        e = np.maximum.reduceat(e, heads)
    length = e - s
    through = np.cumsum(length, dtype=np.int64)
    before = through - length
    for arr in (s, e, before, through):
        arr.setflags(write=False)
    origin, lookup, steps = _buckets(s)
    return Timeline(s, e, before, through, first_year, last_year, origin, lookup, steps)


#: instants are bucketed by 2**46 ns (19.5 hours): a shift, not a division
_BUCKET_BITS = 46


def _buckets(starts: NDArray[np.int64]) -> tuple[int, NDArray[np.int64] | None, int]:
    """Bucket lookup for :func:`_last_start`: origin, first index per bucket, steps.

    ``first[b]`` is the last interval starting at or before the start of
    bucket ``b``; an instant in bucket ``b`` is at most ``steps`` intervals
    further (the most interval starts in one bucket).
    """
    if starts.size == 0:
        return 0, None, 0
    origin = int(starts[0])
    nb = ((int(starts[-1]) - origin) >> _BUCKET_BITS) + 2
    edges = origin + (np.arange(nb, dtype=np.int64) << _BUCKET_BITS)
    first = (np.searchsorted(starts, edges, side="right") - 1).astype(np.int64)
    steps = int(np.diff(first).max()) if nb > 1 else 0
    first.setflags(write=False)
    return origin, first, steps


def _last_start(tl: Timeline, t: NDArray[np.int64]) -> NDArray[np.int64]:
    """``searchsorted(tl.starts, t, side="right") - 1``, by bucket lookup.

    A shift gives each instant's bucket, a gather the last interval starting
    before the bucket, and ``bucket_steps`` (1 or 2 for daily windows) vectorised
    steps the rest: a few passes instead of a binary search per instant.
    """
    first = tl.bucket_first
    if first is None or tl.bucket_steps > 8:
        return np.searchsorted(tl.starts, t, side="right").astype(np.int64) - 1
    m = tl.starts.size
    origin = tl.bucket_origin
    # clipped first: no overflow, and instants past the last bucket use it
    b = np.clip(t, origin, origin + ((first.size - 1) << _BUCKET_BITS))
    b -= origin
    b >>= _BUCKET_BITS
    i = first[b]
    # the steps reuse four buffers (``b`` takes the next interval's start): a
    # new full-length array per operation costs more than the operation here
    nxt = np.empty_like(i)
    step, below_last = np.empty(t.shape, bool), np.empty(t.shape, bool)
    for _ in range(tl.bucket_steps):
        np.less(i, m - 1, out=below_last)  # i + 1 < m
        np.add(i, 1, out=nxt)
        np.minimum(nxt, m - 1, out=nxt)
        np.take(tl.starts, nxt, out=b, mode="clip")  # every index in range
        np.less_equal(b, t, out=step)
        step &= below_last
        i += step
    # before the first interval's start none has started
    i[t < origin] = -1
    return i


def _year(ns: int) -> int:
    return int(str(np.datetime64(int(ns), "ns").astype("datetime64[Y]")))


def timeline(calendar: BusinessCalendar, lo: int, hi: int) -> Timeline:
    """The expanded calendar covering the UTC instants ``lo..hi`` (ns), whole years."""
    return _expand(calendar, _year(lo), _year(hi))


def clock(tl: Timeline, t: NDArray[np.int64]) -> NDArray[np.int64]:
    """F(t): business ns from the start of the timeline to each instant."""
    if tl.starts.size == 0:
        return np.zeros(t.shape, dtype=np.int64)
    if tl.starts.size == 1:  # one interval (a 24x7 clock): no search
        s0 = tl.starts[0]
        return np.asarray(np.clip(t, s0, tl.ends[0]) - s0, dtype=np.int64)
    i = _last_start(tl, t)
    outside = i < 0
    np.maximum(i, 0, out=i)
    # before + min(t, end) - start of each instant's interval, in two buffers
    # (integers: the order of the sum does not change it); mode="clip" gathers
    # straight into them, every index being in range
    f = np.take(tl.ends, i, mode="clip")
    np.minimum(f, t, out=f)
    g = np.take(tl.starts, i, mode="clip")
    f -= g
    np.take(tl.before, i, out=g, mode="clip")
    f += g
    f[outside] = 0
    return f


def business_ns(
    calendar: BusinessCalendar, start: NDArray[np.int64], end: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Business ns from ``start`` to ``end`` (negative when ``end < start``)."""
    if start.size == 0:
        return np.zeros(0, dtype=np.int64)
    lo = int(min(start.min(), end.min()))
    hi = int(max(start.max(), end.max()))
    tl = timeline(calendar, lo, hi)
    return clock(tl, end) - clock(tl, start)


def deadline_ns(
    calendar: BusinessCalendar, start: NDArray[np.int64], seconds: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Earliest instant ``t >= start`` with business ns ``seconds`` from ``start``."""
    if start.size == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = int(start.min()), int(start.max())
    first, last = _year(lo), _year(hi)
    span = 1
    positive = seconds > 0
    while True:
        tl = _expand(calendar, first, last)
        target = clock(tl, start) + seconds
        available = int(tl.through[-1]) if tl.through.size else 0
        short = positive & (target > available)
        if not short.any():
            break
        if last >= _LAST_YEAR:
            why = (
                "the calendar has no working time"
                if available == 0
                else "the deadline falls after 2261"
            )
            i = int(np.argmax(short))
            msg = f"`seconds` cannot elapse from `start`: {why}; got {seconds[i] / _NS:g} s at index {i}."
            raise InvalidInputError(msg)
        last = min(_LAST_YEAR, last + span)
        span *= 2
    if tl.through.size == 0:
        return start.copy()
    j = np.searchsorted(tl.through, target, side="left")
    j = np.minimum(j, tl.through.size - 1)
    due = tl.starts[j] + (target - tl.before[j])
    return np.where(seconds == 0, start, due)
