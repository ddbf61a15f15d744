"""Ticket timings, rates and SLA clocks against plain per-ticket Python loops."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.support import (
    BusinessCalendar,
    SLAPolicy,
    TicketLog,
    backlog,
    duration_summary,
    first_contact_resolution,
    handle_time,
    next_reply_times,
    reopen_rate,
    resolution_rate,
    sla_targets,
    ticket_timings,
)

MIN = np.timedelta64(1, "m")
T0 = np.datetime64(
    "2024-03-25T06:00", "ns"
)  # Monday; Berlin changes clocks on the 31st
STATUSES = ["new", "open", "pending", "hold", "solved", "closed"]
SOLVED = {"solved", "closed"}
CAL = BusinessCalendar(
    "Europe/Berlin", week={"mon-fri": [("08:00", "12:00"), ("13:00", "18:00")]}
)


@st.composite
def ticket_logs(draw):
    n_tickets = draw(st.integers(1, 6))
    tickets = []
    for k in range(n_tickets):
        created = draw(st.integers(0, 3000))
        steps = draw(
            st.lists(
                st.tuples(st.integers(1, 900), st.sampled_from(STATUSES)), max_size=6
            )
        )
        first = draw(st.sampled_from(["new", "open", "new", "solved"]))
        events = [(created, first)]
        t = created
        for gap, status in steps:
            t += gap
            events.append((t, status))
        comments = []
        for gap, agent in draw(
            st.lists(st.tuples(st.integers(0, 2000), st.booleans()), max_size=5)
        ):
            comments.append((created + gap, agent))
        comments.sort()
        # one comment per instant per ticket keeps the order unambiguous
        seen, uniq = set(), []
        for c in comments:
            if c[0] not in seen:
                seen.add(c[0])
                uniq.append(c)
        tickets.append((k, events, uniq))
    return tickets


def build(tickets, cut=None):
    ev = [(k, T0 + m * MIN, s) for k, events, _ in tickets for m, s in events]
    cm = [
        (k, T0 + m * MIN, "agent" if a else "requester")
        for k, _, cs in tickets
        for m, a in cs
    ]
    if cut is not None:
        ev = [e for e in ev if e[1] <= cut]
        cm = [c for c in cm if c[1] <= cut]
    ev.sort(key=lambda e: e[1])  # tickets interleave; within a ticket, time order
    return TicketLog.from_arrays(
        np.array([e[0] for e in ev]),
        np.array([e[1] for e in ev], dtype="datetime64[ns]"),
        np.array([e[2] for e in ev]),
        comment_ticket=np.array([c[0] for c in cm], dtype=np.int64),
        comment_instant=np.array([c[1] for c in cm], dtype="datetime64[ns]"),
        comment_author=np.array([c[2] for c in cm], dtype=str),
    )


def bsec(a, b, cal=CAL):
    return float(cal.business_seconds(np.array([a]), np.array([b]))[0])


def segments(events, end):
    """(status, start, stop) of each status segment, the last one up to `end`."""
    out = []
    for i, (t, s) in enumerate(events):
        stop = events[i + 1][0] if i + 1 < len(events) else end
        out.append((s, t, stop))
    return out


def oracle_timings(events, comments, end, live):
    ev = [(T0 + m * MIN, s) for m, s in events]
    created = ev[0][0]
    segs = segments(ev, end)

    def in_status(names):
        return sum(bsec(a, b) for s, a, b in segs if s in names) if live else np.nan

    replies = [T0 + m * MIN for m, a in comments if a]
    solves = [t for t, s in ev if s in SOLVED]
    final = None
    if ev[-1][1] in SOLVED:
        i = len(ev) - 1
        while i > 0 and ev[i - 1][1] in SOLVED:
            i -= 1
        final = ev[i][0]
    reopens = sum(
        1 for (a, b) in itertools.pairwise(ev) if a[1] in SOLVED and b[1] not in SOLVED
    )
    return {
        "first_reply": bsec(created, replies[0]) if replies else np.nan,
        "first_resolution": bsec(created, solves[0]) if solves else np.nan,
        "full_resolution": bsec(created, final) if final is not None else np.nan,
        "requester_wait": in_status({"new", "open", "hold"}),
        "agent_work": in_status({"new", "open"}),
        "agent_wait": in_status({"pending"}),
        "on_hold": in_status({"hold"}),
        "reopens": reopens,
        "replies": len(replies),
        "final": final,
    }


@settings(max_examples=40, deadline=None)
@given(ticket_logs(), st.booleans())
def test_ticket_timings_match_loop_oracle(tickets, with_as_of):
    log = build(tickets)
    as_of = T0 + 6000 * MIN if with_as_of else None
    got = ticket_timings(log, calendar=CAL, as_of=as_of)
    for j, (k, events, comments) in enumerate(tickets):
        assert got.tickets[j] == k
        last = T0 + events[-1][0] * MIN
        end = as_of if with_as_of else last
        want = oracle_timings(
            events, comments, end, live=with_as_of or events[-1][1] in SOLVED
        )
        for name in (
            "first_reply",
            "first_resolution",
            "full_resolution",
            "requester_wait",
            "agent_work",
            "agent_wait",
            "on_hold",
        ):
            np.testing.assert_equal(getattr(got, name)[j], want[name], err_msg=name)
        assert got.reopens[j] == want["reopens"]
        assert got.replies[j] == want["replies"]


@settings(max_examples=40, deadline=None)
@given(ticket_logs())
def test_rates_and_backlog_match_loop_oracle(tickets):
    log = build(tickets)
    evs = {k: [(T0 + m * MIN, s) for m, s in events] for k, events, _ in tickets}
    # backlog: unsolved at t = last status at or before t is unsolved
    q = T0 + np.array([0, 500, 1500, 3000, 9000]) * MIN
    want = [
        sum(
            1
            for ev in evs.values()
            if [s for t, s in ev if t <= x]
            and [s for t, s in ev if t <= x][-1] not in SOLVED
        )
        for x in q
    ]
    assert backlog(log, q).counts[0].tolist() == want
    # reopen rate
    ever = [k for k, ev in evs.items() if any(s in SOLVED for _, s in ev)]
    reo = [
        k
        for k in ever
        if any(
            a[1] in SOLVED and b[1] not in SOLVED
            for a, b in zip(evs[k], evs[k][1:], strict=False)
        )
    ]
    if ever:
        r = reopen_rate(log)
        assert (r.count, r.n) == (len(reo), len(ever))
    # cohort resolution rate over [T0, T0 + 1500 min), read at the end
    lo, hi = T0, T0 + 1500 * MIN
    cohort = [k for k, ev in evs.items() if lo <= ev[0][0] < hi]
    done = [k for k in cohort if [s for t, s in evs[k] if t <= hi][-1] in SOLVED]
    if cohort:
        r = resolution_rate(log, start=lo, end=hi)
        assert (r.count, r.n) == (len(done), len(cohort))
        solved_in = [
            k
            for k, ev in evs.items()
            if any(
                lo <= t < hi and s in SOLVED and (i == 0 or ev[i - 1][1] not in SOLVED)
                for i, (t, s) in enumerate(ev)
            )
        ]
        r = resolution_rate(log, start=lo, end=hi, definition="period")
        assert (r.count, r.n) == (len(solved_in), len(cohort))
    # first-contact resolution, one touch: solved now, never reopened, one agent reply
    solved_now = [k for k, ev in evs.items() if ev[-1][1] in SOLVED]
    if solved_now:
        one = [
            k
            for k, _, cs in tickets
            if k in solved_now and k not in reo and sum(a for _, a in cs) == 1
        ]
        r = first_contact_resolution(log)
        assert (r.count, r.n) == (len(one), len(solved_now))


# ---------------------------------------------------------------- SLA oracle

POLICY = SLAPolicy(
    {
        "p": {
            "first_reply": 2 * 3600,
            "next_reply": 3600,
            "periodic_update": 3 * 3600,
            "resolution": 6 * 3600,
        }
    },
    calendar=CAL,
    hours={"first_reply": "calendar"},
    pause={"resolution": ["pending", "hold"], "next_reply": ["hold"]},
)


def oracle_clock(ev, end, start, stop, metric):
    """Business time in running statuses of `metric` between start and stop."""
    cal = POLICY.clock_calendar(metric)
    running = {"new", "open", "pending", "hold"} - POLICY.pause[metric]
    total = 0.0
    for s, a, b in segments(ev, end):
        lo, hi = max(a, start), min(b, stop)
        if s in running and hi > lo:
            total += bsec(lo, hi, cal)
    return total


@settings(max_examples=30, deadline=None)
@given(ticket_logs())
def test_sla_elapsed_status_and_deadline_match_loop_oracle(tickets):
    as_of = T0 + 6000 * MIN
    log = build(tickets)
    got = sla_targets(log, POLICY, priority=["p"] * log.n_tickets, as_of=as_of)
    for i in range(len(got)):
        k = int(got.ticket[i])
        metric = str(got.metric[i])
        ev = [(T0 + m * MIN, s) for m, s in next(e for kk, e, _ in tickets if kk == k)]
        start = got.start[i]
        done = got.fulfilled[i]
        stop = as_of if np.isnat(done) else done
        elapsed = oracle_clock(ev, as_of, start, stop, metric)
        assert got.elapsed[i] == elapsed, (k, metric)
        target = POLICY.targets["p"][metric]
        status = str(got.status[i])
        if not np.isnat(done):
            assert status == ("breached" if elapsed > target else "achieved")
        elif elapsed > target:
            assert status == "active_breached"
        else:
            assert status in {"active", "paused"}
        dl = got.deadline[i]
        if not np.isnat(dl) and (np.isnat(done) or dl <= done) and dl <= as_of:
            # the clock reads exactly the target at the deadline, and less just before
            assert oracle_clock(ev, as_of, start, dl, metric) == target
            assert (
                oracle_clock(ev, as_of, start, dl - np.timedelta64(1, "s"), metric)
                < target
            )
    # instances: one next-reply clock per requester comment right after an agent one
    for k, _, cs in tickets:
        starts = [
            T0 + m * MIN
            for (m, a), (_, pa) in zip(cs[1:], cs, strict=False)
            if not a and pa
        ]
        rows = (got.ticket == k) & (got.metric == "next_reply")
        assert (
            got.start[rows].tolist()
            == np.array(starts, dtype="datetime64[ns]").tolist()
        )


def test_snapshot_log_agrees_with_full_log_for_completed_targets():
    tickets = [
        (0, [(0, "new"), (30, "open"), (400, "solved")], [(20, True)]),
        (1, [(100, "new"), (200, "pending"), (900, "solved")], []),
    ]
    cut = T0 + 500 * MIN
    full = sla_targets(build(tickets), POLICY, priority=["p", "p"])
    snap = sla_targets(build(tickets, cut), POLICY, priority=["p", "p"], as_of=cut)
    t0 = full.ticket == 0
    np.testing.assert_array_equal(full.elapsed[t0], snap.elapsed[snap.ticket == 0])
    # ticket 1 at the cut: no reply for 400 calendar min > 2 h; resolution paused (pending)
    assert snap.status[snap.ticket == 1].tolist() == ["active_breached", "paused"]


# ---------------------------------------------------------------- summaries


@given(
    st.lists(st.floats(0, 1e6), max_size=40),
    st.lists(st.sampled_from("abc"), min_size=40, max_size=40),
)
def test_duration_summary_equals_numpy_per_group(values, groups):
    x = np.array(values)
    g = np.array(groups[: len(values)])
    if len(values) == 0:
        return
    res = duration_summary(x, by=g, quantiles=[0.1, 0.75])
    for key in np.unique(g):
        sel = x[g == key]
        i = res.keys.tolist().index(key)
        assert res.n[i] == sel.size
        np.testing.assert_allclose(res.mean[i], sel.mean(), rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(res.median[i], np.median(sel), rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(
            res.p90[i], np.quantile(sel, 0.9), rtol=1e-12, atol=1e-9
        )
        np.testing.assert_allclose(
            res.quantiles[i], np.quantile(sel, [0.1, 0.75]), rtol=1e-12, atol=1e-9
        )


def test_next_reply_and_handle_time():
    tickets = [
        (
            0,
            [(0, "new"), (500, "solved")],
            [(10, True), (20, False), (25, False), (90, True), (100, False)],
        )
    ]
    r = next_reply_times(build(tickets))
    # requester at 20 -> agent at 90 (the comment at 25 does not restart it); 100 unanswered
    np.testing.assert_array_equal(r.seconds, [70 * 60, np.nan])
    keys, sec = handle_time(
        [1, 2, 1],
        T0 + np.array([0, 0, 60]) * MIN,
        T0 + np.array([10, 5, 70]) * MIN,
        tickets=[1, 2, 3],
    )
    assert keys.tolist() == [1, 2, 3]
    assert sec.tolist() == [1200.0, 300.0, 0.0]


def test_grouped_rates():
    tickets = [
        (0, [(0, "new"), (5, "solved"), (9, "open")], []),
        (1, [(0, "new"), (5, "solved")], []),
        (2, [(1, "new"), (3, "solved")], []),
    ]
    log = build(tickets)
    r = reopen_rate(log, by=["x", "x", "y"])
    assert r.keys.tolist() == ["x", "y"]
    assert r.value.tolist() == [0.5, 0.0]
    with pytest.raises(ValueError, match="ratio"):
        resolution_rate(
            log, start=T0, end=T0 + 10 * MIN, definition="period"
        ).confidence_interval()
