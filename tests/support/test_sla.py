"""SLA targets and compliance: a hand-checked fixture, properties and errors."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    UndefinedMetricWarning,
)
from cxmetrics.support import (
    SLAComplianceState,
    SLAPolicy,
    TicketLog,
    sla_compliance,
    sla_targets,
)

H = 3600


def ts(s: str) -> np.datetime64:
    return np.datetime64(s, "ns")


# Monday 8 and Tuesday 9 January 2024, UTC. Business hours: Mon-Fri 09:00-17:00 UTC.
# Policy: urgent = first reply 1 h, next reply 30 min, periodic update 2 h (all
# calendar hours) and resolution 4 business hours (pending and on-hold pause it);
# low = resolution 8 business hours only.
POLICY = SLAPolicy(
    {
        "urgent": {
            "first_reply": H,
            "next_reply": H / 2,
            "periodic_update": 2 * H,
            "resolution": 4 * H,
        },
        "low": {"resolution": 8 * H},
    },
    hours={
        "first_reply": "calendar",
        "next_reply": "calendar",
        "periodic_update": "calendar",
    },
)
AS_OF = ts("2024-01-09T12:30")

EVENTS = [
    # A: replied in 30 min, follow-up answered in 45 min, solved at 11:00
    ("A", "2024-01-08T09:00", "new"),
    ("A", "2024-01-08T09:30", "open"),
    ("A", "2024-01-08T11:00", "solved"),
    # B: pending overnight, solved Tuesday 12:30, never a public reply
    ("B", "2024-01-08T16:00", "new"),
    ("B", "2024-01-08T16:30", "pending"),
    ("B", "2024-01-09T10:00", "open"),
    ("B", "2024-01-09T12:30", "solved"),
    # C: created open, one reply, on hold since 09:20
    ("C", "2024-01-08T09:00", "open"),
    ("C", "2024-01-08T09:20", "hold"),
    # D: new since Monday 14:00, untouched
    ("D", "2024-01-08T14:00", "new"),
    # E (low): solved, reopened, solved again after hours
    ("E", "2024-01-08T10:00", "new"),
    ("E", "2024-01-08T12:00", "solved"),
    ("E", "2024-01-08T13:00", "open"),
    ("E", "2024-01-08T20:00", "solved"),
    # F: new since Tuesday 12:00
    ("F", "2024-01-09T12:00", "new"),
    # G: new at 11:30, first reply exactly one hour later
    ("G", "2024-01-09T11:30", "new"),
]
COMMENTS = [
    ("A", "2024-01-08T09:30", "agent"),
    ("A", "2024-01-08T10:00", "requester"),
    ("A", "2024-01-08T10:45", "agent"),
    ("C", "2024-01-08T09:10", "agent"),
    ("G", "2024-01-09T12:30", "agent"),
]
PRIORITY = {
    "A": "urgent",
    "B": "urgent",
    "C": "urgent",
    "D": "urgent",
    "E": "low",
    "F": "urgent",
    "G": "urgent",
}
TEAM = {"A": "t1", "B": "t1", "C": "t1", "D": "t2", "E": "t2", "F": "t2", "G": "t2"}


def make_log(as_of=None):
    t, i, s = zip(*EVENTS, strict=True)
    ct, ci, ca = zip(*COMMENTS, strict=True)
    return TicketLog.from_arrays(
        np.array(t),
        np.array(i, dtype="datetime64[ns]"),
        np.array(s),
        comment_ticket=np.array(ct),
        comment_instant=np.array(ci, dtype="datetime64[ns]"),
        comment_author=np.array(ca),
        as_of=as_of,
    )


LOG = make_log()
TICKETS = np.array(list(PRIORITY))

# (ticket, metric, instance) -> (status, elapsed seconds, deadline or None)
EXPECTED = {
    # A first reply: 09:00 -> 09:30 = 30 min <= 1 h; due 10:00
    ("A", "first_reply", 0): ("achieved", 1800, "2024-01-08T10:00"),
    # A next reply: requester 10:00 -> agent 10:45 = 45 min > 30 min; due 10:30
    ("A", "next_reply", 0): ("breached", 2700, "2024-01-08T10:30"),
    # A periodic update: agent 09:30 -> agent 10:45 = 75 min <= 2 h; due 11:30
    ("A", "periodic_update", 0): ("achieved", 4500, "2024-01-08T11:30"),
    # then agent 10:45 -> solved 11:00 = 15 min (solving completes it); due 12:45
    ("A", "periodic_update", 1): ("achieved", 900, "2024-01-08T12:45"),
    # A resolution: new+open 09:00 -> 11:00 = 2 business h <= 4; due 13:00
    ("A", "resolution", 0): ("achieved", 7200, "2024-01-08T13:00"),
    # B first reply: never replied, completed by the solve: Mon 16:00 -> Tue 12:30
    # in calendar hours = 20.5 h > 1 h; due Mon 17:00
    ("B", "first_reply", 0): ("breached", 73800, "2024-01-08T17:00"),
    # B resolution: new 16:00-16:30 (0.5 h) + pending paused + open Tue 10:00-12:30
    # (2.5 h) = 3 h <= 4; due: 0.5 h by 16:30, 3.5 h more from Tue 10:00 -> 13:30
    ("B", "resolution", 0): ("achieved", 10800, "2024-01-09T13:30"),
    # C first reply: 09:00 -> 09:10 = 10 min; due 10:00
    ("C", "first_reply", 0): ("achieved", 600, "2024-01-08T10:00"),
    # C periodic update: agent Mon 09:10 -> as_of Tue 12:30 = 27 h 20 min > 2 h,
    # still open (on-hold does not pause it); due Mon 11:10
    ("C", "periodic_update", 0): ("active_breached", 98400, "2024-01-08T11:10"),
    # C resolution: open 09:00-09:20 = 20 min, then on hold (paused) until as_of;
    # a paused clock never reaches the target: no deadline
    ("C", "resolution", 0): ("paused", 1200, None),
    # D first reply: Mon 14:00 -> as_of Tue 12:30 = 22.5 h > 1 h; due Mon 15:00
    ("D", "first_reply", 0): ("active_breached", 81000, "2024-01-08T15:00"),
    # D resolution: Mon 14-17 (3 h) + Tue 09:00-12:30 (3.5 h) = 6.5 h > 4;
    # due: 3 h on Monday, 1 h on Tuesday -> Tue 10:00
    ("D", "resolution", 0): ("active_breached", 23400, "2024-01-09T10:00"),
    # E has no first-reply target (low priority); solved at Mon 20:00, its calendar
    # clock ran 10-12 and 13-20: 9 h
    ("E", "first_reply", 0): ("not_applicable", 32400, None),
    # E resolution: new 10-12 (2 h) + open 13:00-20:00 within hours (13-17, 4 h)
    # = 6 h <= 8; due: 2 h by 12:00, 4 h more by 17:00, 2 h on Tuesday -> 11:00
    ("E", "resolution", 0): ("achieved", 21600, "2024-01-09T11:00"),
    # F: new since Tue 12:00, as_of 12:30: 30 min of both clocks
    ("F", "first_reply", 0): ("active", 1800, "2024-01-09T13:00"),
    ("F", "resolution", 0): ("active", 1800, "2024-01-09T16:00"),
    # G first reply: exactly 1 h = the target: met (breached only if strictly more)
    ("G", "first_reply", 0): ("achieved", 3600, "2024-01-09T12:30"),
    # G periodic update: agent 12:30 = as_of: 0 elapsed, due 14:30
    ("G", "periodic_update", 0): ("active", 0, "2024-01-09T14:30"),
    # G resolution: 11:30 -> 12:30 = 1 business h; due 15:30
    ("G", "resolution", 0): ("active", 3600, "2024-01-09T15:30"),
}


def test_fixture_every_status_elapsed_and_deadline():
    t = sla_targets(
        LOG, POLICY, priority=[PRIORITY[k] for k in LOG.tickets], as_of=AS_OF
    )
    got = {}
    for i in range(len(t)):
        d = t.deadline[i]
        got[(str(t.ticket[i]), str(t.metric[i]), int(t.instance[i]))] = (
            str(t.status[i]),
            float(t.elapsed[i]),
            None if np.isnat(d) else str(d.astype("datetime64[m]")),
        )
    assert got == EXPECTED
    assert set(t.status.tolist()) == {
        "achieved",
        "breached",
        "active",
        "active_breached",
        "paused",
        "not_applicable",
    }
    assert "SLATargets(19 target(s) of 7 ticket(s)" in repr(t)


# counts by status (target level): achieved 8 (A x4, B res, C fr, E res, G fr),
# breached 2 (A nr, B fr), active 4 (F fr, F res, G pu, G res),
# active_breached 3 (C pu, D fr, D res), paused 1 (C res), not_applicable 1 (E fr)
@pytest.mark.parametrize(
    ("compliance", "met", "breached"),
    [
        ("zendesk", 8, 2 + 3),  # open not yet due left out; past due = breached
        ("completed_only", 8, 2),  # achieved and breached only
        ("pessimistic", 8, 2 + 4 + 3 + 1),  # every open target breached
        ("optimistic", 8 + 4 + 1, 2 + 3),  # open not yet due met
    ],
)
def test_fixture_target_compliance(compliance, met, breached):
    res = sla_compliance(
        LOG,
        POLICY,
        priority=[PRIORITY[k] for k in LOG.tickets],
        as_of=AS_OF,
        definition=compliance,
    )
    assert (res.met, res.breached, res.n) == (met, breached, met + breached)
    assert res.value == met / (met + breached)
    assert res.met + res.breached + res.excluded == 19


# ticket level: a ticket takes its most severe status: A breached (next reply),
# B breached (first reply), C and D active_breached, E achieved, F and G active
@pytest.mark.parametrize(
    ("compliance", "met", "breached"),
    [
        ("zendesk", 1, 4),
        ("completed_only", 1, 2),
        ("pessimistic", 1, 6),
        ("optimistic", 3, 4),
    ],
)
def test_fixture_ticket_compliance(compliance, met, breached):
    res = sla_compliance(
        LOG,
        POLICY,
        priority=[PRIORITY[k] for k in TICKETS],
        tickets=TICKETS,
        as_of=AS_OF,
        definition=compliance,
        level="ticket",
    )
    assert (res.met, res.breached) == (met, breached)


def test_fixture_grouped_by_team_with_wilson():
    res = sla_compliance(
        LOG,
        POLICY,
        priority=[PRIORITY[k] for k in TICKETS],
        by=[TEAM[k] for k in TICKETS],
        tickets=TICKETS,
        as_of=AS_OF,
    )
    # t1 = A, B, C: met 4 + 1 + 1, breached 1 + 1 + 1 (C's periodic update past due)
    # t2 = D, E, F, G: met E res + G fr = 2, breached D fr + D res = 2
    assert res.keys.tolist() == ["t1", "t2"]
    assert res.met.tolist() == [6, 2]
    assert res.n.tolist() == [9, 4]
    lo, hi = res.confidence_interval()
    # Wilson 95% for 6/9 (statsmodels proportion_confint(6, 9, method="wilson"))
    assert lo[0] == pytest.approx(0.3542021355803961, rel=1e-12)
    assert hi[0] == pytest.approx(0.879416181613089, rel=1e-12)
    assert res["t2"].value == 0.5


def test_grouped_equals_per_group_scalar():
    kw = {"as_of": AS_OF}
    grouped = sla_compliance(
        LOG,
        POLICY,
        priority=[PRIORITY[k] for k in TICKETS],
        by=[TEAM[k] for k in TICKETS],
        tickets=TICKETS,
        **kw,
    )
    for team in ("t1", "t2"):
        members = [k for k in TICKETS if TEAM[k] == team]
        ev = [e for e in EVENTS if e[0] in members]
        cm = [c for c in COMMENTS if c[0] in members]
        t, i, s = zip(*ev, strict=True)
        log = TicketLog.from_arrays(
            np.array(t),
            np.array(i, dtype="datetime64[ns]"),
            np.array(s),
            comment_ticket=np.array([c[0] for c in cm], dtype=str),
            comment_instant=np.array([c[1] for c in cm], dtype="datetime64[ns]"),
            comment_author=np.array([c[2] for c in cm], dtype=str),
        )
        one = sla_compliance(
            log, POLICY, priority=[PRIORITY[k] for k in log.tickets], **kw
        )
        assert (one.met, one.breached) == (grouped[team].met, grouped[team].breached)


def test_state_merge_laws_and_json():
    prio = [PRIORITY[k] for k in TICKETS]
    team = [TEAM[k] for k in TICKETS]
    targets = sla_targets(LOG, POLICY, priority=prio, tickets=TICKETS, as_of=AS_OF)
    whole = SLAComplianceState.from_targets(targets, by=team, tickets=TICKETS, log=LOG)
    parts = []
    for team_name in ("t1", "t2"):
        keep = np.array([TEAM[k] == team_name for k in targets.ticket])
        counts = np.bincount(targets.status_code[keep], minlength=6)
        parts.append(SLAComplianceState(np.array([team_name]), [counts]))
    a, b = parts
    empty = SLAComplianceState.empty()
    assert a + b == whole
    assert b + a == whole
    assert a + empty == a == empty + a
    assert (a + b) + a == a + (b + a)
    back = SLAComplianceState.from_dict(json.loads(json.dumps(whole.to_dict())))
    assert back == whole
    with pytest.raises(IncompatibleStateError, match="level"):
        a + SLAComplianceState.empty("ticket")
    with pytest.raises(IncompatibleStateError):
        a + SLAComplianceState(np.array([1]), [[1, 0, 0, 0, 0, 0]])


@given(
    st.lists(
        st.lists(st.integers(0, 50), min_size=6, max_size=6), min_size=1, max_size=5
    )
)
def test_compliance_policies_order(rows):
    counts = np.array(rows)
    s = SLAComplianceState(np.arange(len(rows)), counts)
    vals = {}
    for c in ("zendesk", "completed_only", "pessimistic", "optimistic"):
        tot = counts.sum(axis=0)
        if c in {"pessimistic", "optimistic"} and tot[:5].sum() == 0:
            continue
        if c == "zendesk" and tot[[0, 1, 3]].sum() == 0:
            continue
        if c == "completed_only" and tot[[0, 1]].sum() == 0:
            continue
        vals[c] = s.compute(c).value
        assert 0.0 <= vals[c] <= 1.0
    if "pessimistic" in vals and "optimistic" in vals:
        assert vals["pessimistic"] <= vals["optimistic"]
        if "zendesk" in vals:
            assert vals["pessimistic"] <= vals["zendesk"] <= vals["optimistic"]


def test_empty_state_warns():
    with pytest.warns(UndefinedMetricWarning, match="SLA compliance is undefined"):
        res = SLAComplianceState.empty().compute()
    assert np.isnan(res.value)
    assert res.n == 0


def test_calendar_hours_policy_equals_business_policy_on_24x7():
    from cxmetrics.support import BusinessCalendar

    prio = [PRIORITY[k] for k in LOG.tickets]
    a = sla_targets(
        LOG, SLAPolicy(POLICY.targets, hours="calendar"), priority=prio, as_of=AS_OF
    )
    b = sla_targets(
        LOG,
        SLAPolicy(POLICY.targets, calendar=BusinessCalendar.always(), hours="business"),
        priority=prio,
        as_of=AS_OF,
    )
    np.testing.assert_array_equal(a.elapsed, b.elapsed)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.deadline, b.deadline)


# ---------------------------------------------------------------- errors


def test_open_tickets_need_as_of():
    with pytest.raises(
        InvalidInputError, match=r"ticket 'C' \(index 2\) is unsolved.*as_of"
    ):
        sla_targets(LOG, POLICY, priority=[PRIORITY[k] for k in LOG.tickets])


def test_as_of_before_last_event():
    with pytest.raises(InvalidInputError, match="`as_of` must not be before"):
        sla_targets(
            LOG,
            POLICY,
            priority=[PRIORITY[k] for k in LOG.tickets],
            as_of=ts("2024-01-08T12:00"),
        )
    # a snapshot log is the way to read an earlier state
    early = make_log(as_of=ts("2024-01-08T12:00"))
    t = sla_targets(
        early,
        POLICY,
        priority=[PRIORITY[k] for k in early.tickets],
        as_of=ts("2024-01-08T12:00"),
    )
    assert "F" not in t.ticket.tolist()


def test_unknown_priority():
    prio = [PRIORITY[k] for k in LOG.tickets]
    prio[3] = "critical"
    with pytest.raises(
        InvalidInputError, match=r"`priority` has 'critical' \(ticket 'D', index 3\)"
    ):
        sla_targets(LOG, POLICY, priority=prio, as_of=AS_OF)


def test_event_order_and_duplicates():
    t = np.array(["2024-01-08T10:00", "2024-01-08T09:00"], dtype="datetime64[s]")
    with pytest.raises(
        InvalidInputError, match=r"ticket 1 has .* at index 1 after .* at index 0"
    ):
        TicketLog.from_arrays([1, 1], t, ["new", "solved"])
    t = np.array(
        ["2024-01-08T10:00", "2024-01-08T11:00", "2024-01-08T10:00"],
        dtype="datetime64[s]",
    )
    with pytest.raises(
        InvalidInputError, match=r"duplicate events: ticket 'x'.*indices 0 and 2"
    ):
        TicketLog.from_arrays(["x", "y", "x"], t, ["new", "new", "open"])
    # interleaved tickets are fine
    log = TicketLog.from_arrays(["x", "y", "x"], t[[0, 1, 1]], ["new", "new", "solved"])
    assert log.first.tolist() == [0, 2, 3]


def test_bad_statuses_authors_and_naive_datetimes():
    t = np.array(["2024-01-08T10:00", "2024-01-08T11:00"], dtype="datetime64[s]")
    with pytest.raises(
        InvalidInputError, match=r"`status` must hold one of .* got 'done' at index 1"
    ):
        TicketLog.from_arrays([1, 1], t, ["new", "done"])
    with pytest.raises(
        InvalidInputError,
        match=r"`comment_author` must be 'agent' or 'requester'.*index 0",
    ):
        TicketLog.from_arrays(
            [1, 1],
            t,
            ["new", "solved"],
            comment_ticket=[1],
            comment_instant=t[:1],
            comment_author=["bot"],
        )
    with pytest.raises(
        InvalidInputError, match="`comment_ticket` has ticket 2 at index 0"
    ):
        TicketLog.from_arrays(
            [1, 1],
            t,
            ["new", "solved"],
            comment_ticket=[2],
            comment_instant=t[:1],
            comment_author=["agent"],
        )
    with pytest.raises(InvalidInputError, match="before the ticket's creation"):
        TicketLog.from_arrays(
            [1, 1],
            t,
            ["new", "solved"],
            comment_ticket=[1],
            comment_instant=t[:1] - np.timedelta64(1, "h"),
            comment_author=["agent"],
        )
    naive = [datetime(2024, 1, 8, 10), datetime(2024, 1, 8, 11)]
    with pytest.raises(
        InvalidInputError,
        match=r"`instant` must hold timezone-aware datetimes.*index 0",
    ):
        TicketLog.from_arrays([1, 1], naive, ["new", "solved"])


def test_policy_errors():
    with pytest.raises(InvalidInputError, match="must name SLA metrics"):
        SLAPolicy({"p1": {"first_response": 60}})
    with pytest.raises(InvalidInputError, match="must be positive and finite"):
        SLAPolicy({"p1": {"first_reply": 0}})
    with pytest.raises(InvalidInputError, match="unsolved statuses"):
        SLAPolicy({"p1": {"resolution": 60}}, pause={"resolution": ["solved"]})
    with pytest.raises(InvalidInputError, match="'business' or 'calendar'"):
        SLAPolicy({"p1": {"resolution": 60}}, hours={"resolution": "office"})
    with pytest.raises(InvalidInputError, match="`definition` must be one of"):
        sla_compliance(
            LOG,
            POLICY,
            priority=[PRIORITY[k] for k in LOG.tickets],
            as_of=AS_OF,
            definition="strict",
        )
