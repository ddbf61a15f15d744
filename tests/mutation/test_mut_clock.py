"""A clock that reaches its target exactly when it pauses (issue #21).

Mutant killed here: ``v < query`` turned into ``v <= query`` in
``segment_search(..., side='left')`` (``support/_clock.py``), which looks for the
last event whose clock is *below* the target. With ``<=`` an event whose clock
equals the target (the ticket paused exactly on reaching it) is taken instead,
its clock is stopped, and the deadline is reported as never reached (NaT).
Also ``Clock.at`` and ``Clock.reach`` asked about no ticket and ``reach`` of a
target of 0 or 1 ns, and the clock of a log without events (paths which
``sla_targets`` never takes).
Expected values are hand-computed in comments.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.support import BusinessCalendar, SLAPolicy, TicketLog, sla_targets
from cxmetrics.support._clock import NAT, run_clock, segment_search

H = 3600


def _log(rows, as_of=None):
    ticket, instant, status = zip(*rows, strict=True)
    return TicketLog.from_arrays(
        np.array(ticket),
        np.array(instant, dtype="datetime64[ns]"),
        np.array(status),
        as_of=as_of,
    )


def _row(t, ticket, metric="resolution"):
    i = [k for k in range(len(t)) if t.ticket[k] == ticket and t.metric[k] == metric]
    assert len(i) == 1
    return i[0]


def test_target_reached_exactly_at_the_pause_has_that_deadline():
    # resolution 1 h in calendar hours; pending pauses the clock
    policy = SLAPolicy({"p1": {"resolution": H}}, hours="calendar")
    rows = [
        # T-1: open 09:00, pending at 10:00: the clock stops at exactly 1 h
        ("T-1", "2024-01-08T09:00", "open"),
        ("T-1", "2024-01-08T10:00", "pending"),
        # T-2: open 09:00, pending at 09:59:59: one second short, never reached
        ("T-2", "2024-01-08T09:00", "open"),
        ("T-2", "2024-01-08T09:59:59", "pending"),
        # T-3: open 09:00, pending 09:30, open 11:00, pending 11:30: 30 + 30 min,
        # the target reached at the second pause, 11:30
        ("T-3", "2024-01-08T09:00", "open"),
        ("T-3", "2024-01-08T09:30", "pending"),
        ("T-3", "2024-01-08T11:00", "open"),
        ("T-3", "2024-01-08T11:30", "pending"),
    ]
    as_of = np.datetime64("2024-01-08T15:00", "ns")
    t = sla_targets(_log(rows), policy, priority=["p1"] * 3, as_of=as_of)
    one, two, three = (_row(t, k) for k in ("T-1", "T-2", "T-3"))
    # equal to the target is met, and the clock is paused
    assert t.elapsed[one] == H
    assert t.status[one] == "paused"
    assert t.deadline[one] == np.datetime64("2024-01-08T10:00", "ns")
    assert t.elapsed[two] == H - 1
    assert t.status[two] == "paused"
    assert np.isnat(t.deadline[two])
    assert t.elapsed[three] == H
    assert t.status[three] == "paused"
    assert t.deadline[three] == np.datetime64("2024-01-08T11:30", "ns")


def test_business_hours_target_reached_at_the_pause():
    # 2 business hours (Mon-Fri 09:00-17:00 UTC) reached at 17:00 Friday, when the
    # ticket goes on hold: due Friday 17:00, not "never"
    policy = SLAPolicy({"p1": {"resolution": 2 * H}})
    rows = [
        ("A", "2024-01-12T15:00", "open"),
        ("A", "2024-01-12T17:00", "hold"),
    ]
    t = sla_targets(
        _log(rows), policy, priority=["p1"], as_of=np.datetime64("2024-01-15T12:00")
    )
    assert t.elapsed.tolist() == [2 * H]
    assert t.status.tolist() == ["paused"]
    assert t.deadline.tolist() == [np.datetime64("2024-01-12T17:00", "ns").item()]


def test_segment_search_left_and_right_by_hand():
    # two tickets: levels [0, 10, 10, 20] and [0, 5]
    values = np.array([0, 10, 10, 20, 0, 5], dtype=np.int64)
    first = np.array([0, 4, 6], dtype=np.int64)
    code = np.array([0, 0, 0, 0, 1, 1, 1], dtype=np.int64)
    query = np.array([10, 11, 20, 0, 5, 6, 0], dtype=np.int64)
    left = segment_search(values, first, code, query, side="left")
    right = segment_search(values, first, code, query, side="right")
    assert left.tolist() == [1, 3, 3, 0, 5, 6, 4]
    assert right.tolist() == [3, 3, 4, 1, 6, 6, 5]
    # no tickets at all (first == [0]) and no queries: nothing to search
    none = np.zeros(0, dtype=np.int64)
    for side in ("left", "right"):
        got = segment_search(none, np.zeros(1, dtype=np.int64), none, none, side=side)
        assert got.tolist() == []


@given(
    slices=st.lists(
        st.lists(st.integers(0, 6), min_size=1, max_size=8).map(sorted),
        min_size=1,
        max_size=5,
    ),
    queries=st.lists(st.tuples(st.integers(0, 4), st.integers(-1, 7)), max_size=20),
)
def test_segment_search_is_searchsorted_per_slice(slices, queries):
    values = np.concatenate([np.array(s, dtype=np.int64) for s in slices])
    first = np.concatenate([[0], np.cumsum([len(s) for s in slices])]).astype(np.int64)
    pairs = [(c % len(slices), q) for c, q in queries]
    code = np.array([c for c, _ in pairs], dtype=np.int64)
    query = np.array([q for _, q in pairs], dtype=np.int64)
    for side in ("left", "right"):
        got = segment_search(values, first, code, query, side=side)
        want = [
            int(first[c]) + int(np.searchsorted(slices[c], q, side=side))
            for c, q in pairs
        ]
        assert got.tolist() == want


@pytest.mark.parametrize("minutes", [1, 30, 60, 61, 90])
def test_pause_at_any_level(minutes):
    # open for `minutes`, then pending: the deadline is the pause instant exactly
    # when minutes == 60, NaT below, and creation + 60 min above (reached earlier)
    policy = SLAPolicy({"p1": {"resolution": H}}, hours="calendar")
    start = np.datetime64("2024-01-08T09:00", "ns")
    pause = start + np.timedelta64(minutes, "m")
    rows = [("X", str(start), "open"), ("X", str(pause), "pending")]
    t = sla_targets(
        _log(rows), policy, priority=["p1"], as_of=np.datetime64("2024-01-09T00:00")
    )
    d = t.deadline[0]
    if minutes < 60:
        assert np.isnat(d)
        assert t.status[0] == "paused"
    else:
        assert d == start + np.timedelta64(60, "m")
        assert t.status[0] == ("paused" if minutes == 60 else "active_breached")


def test_clock_lookups_of_no_tickets_are_empty_int64():
    # sla_targets only asks with some ticket, so the empty guards of Clock.at and
    # Clock.reach are checked here: no query gives an empty int64 array (a shape of
    # one or of no dimension, or float64, would break the caller's indexing)
    policy = SLAPolicy({"p1": {"resolution": H}}, hours="calendar")
    log = _log(
        [("A", "2024-01-08T09:00", "open"), ("A", "2024-01-08T10:00", "pending")]
    )
    end = np.array([log.instant.max()], dtype=np.int64)
    clk = run_clock(
        log, BusinessCalendar.always(), policy.running_mask("resolution"), end
    )
    none = np.zeros(0, dtype=np.int64)
    for got in (clk.at(none, none), clk.reach(none, none)):
        assert isinstance(got, np.ndarray)
        assert got.shape == (0,)
        assert got.dtype == np.int64
    # and one ticket asked: the clock ran one hour, reached at 10:00
    one = np.zeros(1, dtype=np.int64)
    assert clk.at(one, end).tolist() == [H * 10**9]
    created = np.datetime64("2024-01-08T09:00", "ns").astype(np.int64)
    assert clk.reach(one, np.array([H * 10**9])).tolist() == [
        np.datetime64("2024-01-08T10:00", "ns").astype(np.int64)
    ]
    # a target of 0 (or below) is due at creation, like one reached at creation
    assert clk.reach(np.zeros(2, dtype=np.int64), np.array([0, -5])).tolist() == [
        created,
        created,
    ]
    # a target of 1 ns is reached 1 ns after creation (the clock runs from 09:00)
    assert clk.reach(one, np.array([1])).tolist() == [created + 1]
    # a target the paused clock never reaches (1 h + 1 ns): never (NaT)
    assert clk.reach(one, np.array([H * 10**9 + 1])).tolist() == [NAT]


def test_clock_of_a_log_without_events_is_empty():
    log = TicketLog.from_arrays(
        np.array([], dtype=str),
        np.array([], dtype="datetime64[ns]"),
        np.array([], dtype=str),
    )
    policy = SLAPolicy({"p1": {"resolution": H}}, hours="calendar")
    clk = run_clock(
        log,
        BusinessCalendar.always(),
        policy.running_mask("resolution"),
        np.zeros(0, dtype=np.int64),
    )
    for arr in (clk.level, clk.seg_end, clk.total, clk.f_start):
        assert arr.shape == (0,)
        assert arr.dtype == np.int64
    assert clk.running.shape == (0,)
