"""Pausable business clocks over ticket logs, vectorised over tickets.

For a set of running statuses, the clock of a ticket is the business time spent
in those statuses since creation: ``R(t)``. It is known at every event as an
exclusive cumulative sum of segment durations within the ticket; between events
it grows with the calendar only while the status runs. Lookups at arbitrary
(ticket, instant) pairs and the inverse (the instant a ticket's clock reaches a
level) are binary searches within each ticket's slice of events, vectorised
over all queries at once (:func:`segment_search`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from cxmetrics.support._calendar import BusinessCalendar
from cxmetrics.support._log import TicketLog
from cxmetrics.support._timeline import clock, deadline_ns, timeline

__all__ = ["Clock", "run_clock"]

NAT = np.iinfo(np.int64).min


class Clock(NamedTuple):
    """A running clock of every ticket of a log (all values in ns)."""

    log: TicketLog
    calendar: BusinessCalendar
    running: NDArray[np.bool_]  # per event: does the clock run in its segment
    level: NDArray[np.int64]  # R at each event
    seg_end: NDArray[np.int64]  # end instant of each event's segment
    total: NDArray[np.int64]  # R at the end of each ticket's last segment
    f_start: NDArray[np.int64]  # calendar F at each event instant

    def at(self, code: NDArray[np.int64], t: NDArray[np.int64]) -> NDArray[np.int64]:
        """R of ticket ``code`` at instant ``t`` (``t`` at or after creation)."""
        log = self.log
        if code.size == 0:
            return np.zeros(0, dtype=np.int64)
        i = segment_search(log.instant, log.first, code, t, side="right") - 1
        i = np.maximum(i, log.first[code])  # the last event at or before t
        lo, hi = int(t.min()), int(t.max())
        lo = min(lo, int(log.instant.min()))
        tl = timeline(self.calendar, lo, max(hi, int(self.seg_end.max())))
        upto = np.minimum(t, self.seg_end[i])
        grow = clock(tl, upto) - clock(tl, log.instant[i])
        return self.level[i] + np.where(self.running[i], np.maximum(grow, 0), 0)

    def reach(
        self, code: NDArray[np.int64], target: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """Earliest instant ticket ``code``'s clock reaches ``target`` (NAT if never).

        The last segment of a ticket is extended into the future when its clock
        runs (the deadline if nothing changes); a ticket whose clock is paused for
        good below the target gets NAT.
        """
        log = self.log
        if code.size == 0:
            return np.zeros(0, dtype=np.int64)
        # the last event whose clock is below the target
        i = segment_search(self.level, log.first, code, target, side="left") - 1
        ok = i >= log.first[code]
        i = np.maximum(i, log.first[code])
        ok &= self.running[i]
        out = np.full(code.shape, NAT, dtype=np.int64)
        if ok.any():
            remaining = target[ok] - self.level[i[ok]]
            out[ok] = deadline_ns(self.calendar, log.instant[i[ok]], remaining)
        # a target of 0 (or one already reached at creation) is due at creation
        zero = target <= 0
        out[zero] = log.instant[log.first[code[zero]]]
        return out


def segment_search(
    values: NDArray[np.int64],
    first: NDArray[np.int64],
    code: NDArray[np.int64],
    query: NDArray[np.int64],
    *,
    side: str,
) -> NDArray[np.int64]:
    """:func:`numpy.searchsorted` of each query within its ticket's sorted slice.

    ``values[first[j]:first[j + 1]]`` is sorted for every ticket ``j``; returns
    the global insertion index of ``query[i]`` in the slice of ``code[i]``.
    A vectorised bisection: ``log2`` of the longest slice passes over the
    queries, with no sort of the data.
    """
    lo = first[code].copy()
    hi = first[code + 1].copy()
    longest = int((first[1:] - first[:-1]).max()) if first.size > 1 else 0
    for _ in range(max(longest, 1).bit_length()):
        active = lo < hi
        if not active.any():
            break
        mid = (lo + hi) // 2
        v = values[np.minimum(mid, values.size - 1)]
        go_right = (v <= query) if side == "right" else (v < query)
        go_right &= active
        lo = np.where(go_right, mid + 1, lo)
        hi = np.where(active & ~go_right, mid, hi)
    return lo


def run_clock(
    log: TicketLog,
    calendar: BusinessCalendar,
    running_status: NDArray[np.bool_],
    end: NDArray[np.int64],
) -> Clock:
    """The clock running in ``running_status`` (a mask over the 6 status codes).

    ``end`` is, per ticket, where its last segment ends (``as_of``, or the last
    event itself when the log is complete).
    """
    n = log.n_events
    seg_end = np.empty(n, dtype=np.int64)
    if n:
        seg_end[:-1] = log.instant[1:]
        last = log.first[1:] - 1
        seg_end[last] = np.maximum(end, log.instant[last])
        lo = int(log.instant.min())
        hi = int(seg_end.max())
        tl = timeline(calendar, lo, hi)
        f0 = clock(tl, log.instant)
        f1 = clock(tl, seg_end)
    else:
        f0 = f1 = np.zeros(0, dtype=np.int64)
    running = running_status[log.status]
    contrib = np.where(running, f1 - f0, 0)
    cs = np.cumsum(contrib, dtype=np.int64)
    excl = cs - contrib
    heads = log.first[:-1]
    base = excl[heads] if n else np.zeros(0, dtype=np.int64)
    level = excl - np.repeat(base, np.diff(log.first))
    total = (
        cs[log.first[1:] - 1] - base if n else np.zeros(log.n_tickets, dtype=np.int64)
    )
    return Clock(log, calendar, running, level, seg_end, total, f0)
