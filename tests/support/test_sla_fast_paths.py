"""The no-pause fast path and the counts-only path of SLA compliance equal the general path.

Logs without a stopped status before the final solve take the calendar's business
time from creation (no event-level clock); ``sla_compliance`` counts statuses
without building the targets' table. On random logs (with and without pauses,
reopened tickets, replies before and after the solve, open tickets read at
``as_of``), both must give exactly what the general path gives.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.support import (
    BusinessCalendar,
    SLAComplianceState,
    SLAPolicy,
    TicketLog,
    _sla,
    sla_compliance,
    sla_targets,
)

H = 3600
BASE = np.datetime64("2024-01-05T07:00", "s")  # a Friday: weekends in range
TARGETS = {
    0: {"first_reply": H, "resolution": 8 * H},
    1: {"first_reply": 4 * H, "resolution": 30 * H, "periodic_update": 2 * H},
}
POLICIES = [
    SLAPolicy(TARGETS, hours="calendar", pause={}),
    SLAPolicy(TARGETS, hours="calendar"),  # pending and hold pause
    SLAPolicy(TARGETS, calendar=BusinessCalendar(), hours="business"),
    SLAPolicy(
        TARGETS,
        calendar=BusinessCalendar(zone="America/New_York"),
        hours="business",
        pause={},
    ),
]


@st.composite
def logs(draw, *, pauses):
    k = draw(st.integers(1, 8))
    statuses = (
        ["open", "pending", "hold", "solved", "closed"]
        if pauses
        else [
            "open",
            "solved",
            "closed",
        ]
    )
    ticket, instant, status = [], [], []
    c_ticket, c_instant, c_author = [], [], []
    for j in range(k):
        t = draw(st.integers(0, 6 * 86_400))
        created = t
        ticket.append(f"T{j}")
        instant.append(t)
        status.append("new")
        for s in draw(st.lists(st.sampled_from(statuses), max_size=4)):
            t += draw(st.integers(1, 2 * 86_400))
            ticket.append(f"T{j}")
            instant.append(t)
            status.append(s)
        for _ in range(draw(st.integers(0, 3))):
            c_ticket.append(f"T{j}")
            c_instant.append(created + draw(st.integers(0, 3 * 86_400)))
            c_author.append(draw(st.sampled_from(["agent", "requester"])))
    latest = max(instant + c_instant)
    as_of = BASE + np.timedelta64(latest + draw(st.integers(0, 86_400)), "s")
    log = TicketLog.from_arrays(
        ticket,
        BASE + np.asarray(instant).astype("timedelta64[s]"),
        status,
        comment_ticket=c_ticket or None,
        comment_instant=(BASE + np.asarray(c_instant).astype("timedelta64[s]"))
        if c_instant
        else None,
        comment_author=c_author or None,
    )
    priority = draw(st.lists(st.integers(0, 1), min_size=k, max_size=k))
    return log, priority, as_of


def _general(monkeypatch, fn):
    with monkeypatch.context() as m:
        m.setattr(_sla, "_unpaused", lambda *_: None)
        return fn()


@pytest.mark.parametrize("policy", POLICIES)
@given(data=st.data())
def test_no_pause_fast_path_equals_the_event_clock(policy, data):
    log, priority, as_of = data.draw(logs(pauses=data.draw(st.booleans())))
    mp = pytest.MonkeyPatch()
    try:
        fast = sla_targets(log, policy, priority=priority, as_of=as_of)
        general = _general(
            mp, lambda: sla_targets(log, policy, priority=priority, as_of=as_of)
        )
    finally:
        mp.undo()
    for name, a in fast.to_dict().items():
        np.testing.assert_array_equal(a, general.to_dict()[name], err_msg=name)
    assert fast == general  # NaT (never fulfilled) equals NaT
    np.testing.assert_array_equal(fast.code, general.code)
    np.testing.assert_array_equal(fast.status_code, general.status_code)
    assert fast.n_tickets == general.n_tickets


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("level", ["target", "ticket"])
@given(data=st.data())
def test_counts_only_path_equals_counting_the_targets_table(policy, level, data):
    log, priority, as_of = data.draw(logs(pauses=data.draw(st.booleans())))
    teams = np.array(["a", "b", "c"])[np.arange(log.n_tickets) % 3]
    code, status = _sla._target_rows(  # what sla_compliance counts
        log, policy, priority, None, None, None, as_of, detail=False
    )
    got = SLAComplianceState._from_rows(
        code, status, log.n_tickets, by=teams, tickets=None, log=log, level=level
    )
    table = sla_targets(log, policy, priority=priority, as_of=as_of)
    want = SLAComplianceState.from_targets(table, by=teams, log=log, level=level)
    assert got == want
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # empty groups
        res = sla_compliance(
            log, policy, priority=priority, as_of=as_of, by=teams, level=level
        )
        np.testing.assert_array_equal(res.n, want.compute_grouped("zendesk").n)


def test_fast_path_is_taken_only_without_pauses():
    t = np.array(
        ["2024-01-08T09:00", "2024-01-08T10:00", "2024-01-08T11:00"],
        dtype="datetime64[s]",
    )
    paused = TicketLog.from_arrays(["x"] * 3, t, ["new", "pending", "solved"])
    plain = TicketLog.from_arrays(["x"] * 3, t, ["new", "open", "solved"])
    policy = SLAPolicy({"p": {"resolution": 90 * 60}}, hours="calendar")
    calls = []
    real = _sla._unpaused

    def spy(*args):
        out = real(*args)
        calls.append(out is not None)
        return out

    mp = pytest.MonkeyPatch()
    mp.setattr(_sla, "_unpaused", spy)
    try:
        a = sla_targets(paused, policy, priority=["p"])
        b = sla_targets(plain, policy, priority=["p"])
    finally:
        mp.undo()
    assert calls == [False, True]
    assert a.elapsed.tolist() == [3600.0]  # pending paused the last hour
    assert a.status.tolist() == ["achieved"]
    assert b.elapsed.tolist() == [7200.0]
    assert b.status.tolist() == ["breached"]
    assert str(b.deadline[0]) == "2024-01-08T10:30:00.000000000"


@given(
    st.lists(st.integers(-(10**12), 10**13), min_size=1, max_size=30),
    st.integers(0, 10**12),
    st.integers(1, 10**12),
)
def test_one_interval_clock_equals_the_searched_clock(instants, s0, length):
    from cxmetrics.support._timeline import Timeline, clock

    t = np.asarray(instants, dtype=np.int64)
    s, e = np.array([s0]), np.array([s0 + length])
    tl = Timeline(s, e, np.array([0]), np.array([length]), 1970, 1970)
    # the general formula: the last interval starting at or before t
    i = np.searchsorted(s, t, side="right") - 1
    want = np.where(i >= 0, np.minimum(t, e[0]) - s[0], 0)
    got = clock(tl, t)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)


def test_a_24x7_calendar_is_one_interval():
    from cxmetrics.support._timeline import timeline

    pol = SLAPolicy(TARGETS, hours="calendar")
    tl = timeline(pol.clock_calendar("resolution"), 0, 10**18)
    assert tl.starts.size == 1


CALENDARS = [
    BusinessCalendar(),
    BusinessCalendar(zone="America/New_York"),
    BusinessCalendar(
        zone="Asia/Kolkata",
        week={
            "mon-fri": [("09:00", "12:30"), ("13:30", "17:00")],
            "sat": [("22:00", "23:59")],
        },
    ),
]


@pytest.mark.parametrize("calendar", CALENDARS)
@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=40), st.data())
def test_bucket_lookup_equals_a_binary_search(calendar, instants, data):
    from cxmetrics.support._timeline import _last_start, timeline

    lo = int(np.datetime64("2023-03-01", "ns").astype(np.int64))
    tl = timeline(calendar, lo, lo + 500 * 86_400 * 10**9)
    near = data.draw(
        st.lists(
            st.sampled_from(np.concatenate((tl.starts, tl.ends)).tolist()), max_size=10
        )
    )
    shift = data.draw(st.sampled_from([-1, 0, 1]))
    t = np.asarray(instants + [v + shift for v in near], dtype=np.int64)
    want = np.searchsorted(tl.starts, t, side="right") - 1
    np.testing.assert_array_equal(_last_start(tl, t), want)
