"""Per-ticket due dates and targets, policy defaults: a real-shaped export, properties, errors."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)
from cxmetrics.support import (
    BusinessCalendar,
    SLAPolicy,
    TicketLog,
    read_policy,
    sla_compliance,
    sla_targets,
)

# real exports are read with pandas in these tests
pd = pytest.importorskip("pandas")

H = 3600

# A ServiceNow / NYC 311 shaped export: string ids, text timestamps with a UTC
# offset, empty resolved and due dates, categories the policy does not list.
EXPORT = """\
number,opened_at,resolved_at,due_date,category,state
INC0010001,2024-01-08 09:00:00-05:00,2024-01-08 15:30:00-05:00,2024-01-08 17:00:00-05:00,Noise - Residential,Resolved
INC0010002,2024-01-08 10:00:00-05:00,2024-01-09 12:00:00-05:00,2024-01-09 10:00:00-05:00,Heat/Hot Water,Resolved
INC0010003,2024-01-08 11:00:00-05:00,,2024-01-11 11:00:00-05:00,Illegal Parking,In Progress
INC0010004,2024-01-08 12:00:00-05:00,,2024-01-09 12:00:00-05:00,Heat/Hot Water,In Progress
INC0010005,2024-01-08 13:00:00-05:00,2024-01-08 14:00:00-05:00,,Street Condition,Closed
INC0010006,2024-01-08 14:00:00-05:00,,,Illegal Parking,New
INC0010007,2024-01-08 15:00:00-05:00,2024-01-08 23:00:00-05:00,2024-01-08 23:00:00-05:00,Noise - Residential,Resolved
"""
# read at 19:00 New York time on Tuesday 9 January
AS_OF = np.datetime64("2024-01-10T00:00", "ns")
IDS = [f"INC001000{i}" for i in range(1, 8)]


def same(a, b):
    """Two SLATargets hold the same rows (every column)."""
    da, db = a.to_dict(), b.to_dict()
    return len(a) == len(b) and all(
        np.array_equal(da[c], db[c], equal_nan=da[c].dtype.kind in "fmM") for c in da
    )


def read_export():
    """The export as an analyst reads it: pandas, rows in reverse (any order)."""
    df = pd.read_csv(io.StringIO(EXPORT), dtype=str).iloc[::-1]
    for col in ("opened_at", "resolved_at", "due_date"):
        df[col] = pd.to_datetime(df[col], utc=True)
    return df


def export_log(df):
    done = df[df["resolved_at"].notna()]
    return TicketLog.from_arrays(
        np.concatenate([df["number"], done["number"]]),
        pd.concat([df["opened_at"], done["resolved_at"]]),
        ["new"] * len(df) + ["solved"] * len(done),
    )


# hand-checked: 1 solved 15:30 <= due 17:00; 2 solved 12:00 > due 10:00; 3 open,
# due Thursday; 4 open, due 12:00 today (7 h ago); 5, 6 no due date; 7 solved at
# its due instant (equal is met)
DUE_STATUS = [
    "achieved",
    "breached",
    "active",
    "active_breached",
    "not_applicable",
    "not_applicable",
    "achieved",
]


def test_export_due_dates_statuses_and_compliance():
    df = read_export()
    log = export_log(df)
    t = sla_targets(log, due=df["due_date"], tickets=df["number"], as_of=AS_OF)
    assert t.ticket.tolist() == IDS
    assert t.metric.tolist() == ["resolution"] * 7
    assert t.status.tolist() == DUE_STATUS
    # 24x7 clock: the target is the time from opening to the due instant
    assert t.target[:4].tolist() == [8 * H, 24 * H, 72 * H, 24 * H]
    assert np.isnan(t.target[4:6]).all()
    assert t.elapsed.tolist() == [6.5 * H, 26 * H, 32 * H, 31 * H, H, 29 * H, 8 * H]
    assert str(t.deadline[1]) == "2024-01-09T15:00:00.000000000"
    assert np.isnat(t.deadline[4:6]).all()
    res = sla_compliance(log, due=df["due_date"], tickets=df["number"], as_of=AS_OF)
    # zendesk: 2 met, breached + active_breached; active and the 2 without a due
    # date left out, and the latter counted
    assert (res.met, res.breached, res.excluded, res.no_target) == (2, 2, 3, 2)
    assert res.value == 0.5
    assert "(2 without target)" in repr(res)
    pess = sla_compliance(
        log,
        due=df["due_date"],
        tickets=df["number"],
        as_of=AS_OF,
        definition="pessimistic",
    )
    assert (pess.met, pess.n, pess.no_target) == (2, 5, 2)
    with pytest.warns(UndefinedMetricWarning, match="2 group"):  # nothing decided
        grouped = sla_compliance(
            log,
            due=df["due_date"],
            tickets=df["number"],
            by=df["category"],
            as_of=AS_OF,
        )
    assert grouped.keys.tolist() == [
        "Heat/Hot Water",
        "Illegal Parking",
        "Noise - Residential",
        "Street Condition",
    ]
    assert grouped.no_target.tolist() == [0, 1, 0, 1]
    assert grouped["Heat/Hot Water"].breached == 2
    assert grouped["Noise - Residential"].value == 1.0


def test_export_due_dates_as_python_datetimes_and_datetime64():
    """The same column as aware datetimes with None, and as datetime64 with NaT."""
    raw = pd.read_csv(io.StringIO(EXPORT), dtype=str, keep_default_na=False)
    objs = [datetime.fromisoformat(s) if s else None for s in raw["due_date"]]
    log = export_log(read_export())
    a = sla_targets(log, due=objs, as_of=AS_OF)
    assert a.status.tolist() == DUE_STATUS
    d64 = np.array(
        [
            "NaT"
            if v is None
            else np.datetime64(v.astimezone(UTC).replace(tzinfo=None), "ns")
            for v in objs
        ],
        dtype="datetime64[ns]",
    )
    b = sla_targets(log, due=d64, as_of=AS_OF)
    assert same(b, a)
    naive = [v.replace(tzinfo=None) if v else None for v in objs]
    with pytest.raises(
        InvalidInputError, match=r"`due` must hold timezone-aware.*index 0"
    ):
        sla_targets(log, due=naive, as_of=AS_OF)
    with pytest.raises(InvalidInputTypeError, match=r"`due` holds text.*utc=True"):
        sla_targets(log, due=raw["due_date"].to_numpy(str), as_of=AS_OF)


def test_export_policy_with_default_for_unlisted_categories():
    df = read_export()
    log = export_log(df)
    listed = {
        "Noise - Residential": {"resolution": 8 * H},
        "Heat/Hot Water": {"resolution": 24 * H},
    }
    clocks = {
        "calendar": BusinessCalendar.always("America/New_York"),
        "hours": "calendar",
        "pause": {},
    }
    policy = SLAPolicy(listed, default={"resolution": timedelta(hours=72)}, **clocks)
    t = sla_targets(
        log, policy, priority=df["category"], tickets=df["number"], as_of=AS_OF
    )
    # 3 and 6 (parking) and 5 (street) take the 72 h default
    assert t.target.tolist() == [8 * H, 24 * H, 72 * H, 24 * H, 72 * H, 72 * H, 8 * H]
    assert t.status.tolist() == [
        "achieved",
        "breached",
        "active",
        "active_breached",
        "achieved",
        "active",
        "achieved",
    ]
    # the '*' key is the same default
    star = SLAPolicy({**listed, "*": {"resolution": 72 * H}}, **clocks)
    assert star == policy
    assert same(
        sla_targets(
            log, star, priority=df["category"], tickets=df["number"], as_of=AS_OF
        ),
        t,
    )
    # without a default the error names the missing keys and their count
    with pytest.raises(
        InvalidInputError,
        match=r"`priority` has 'Illegal Parking' \(ticket 'INC0010003', index 2\).*"
        r"2 key\(s\) of 3 ticket\(s\) are missing: 'Illegal Parking', 'Street Condition';.*default",
    ):
        sla_targets(
            log,
            SLAPolicy(listed, **clocks),
            priority=df["category"],
            tickets=df["number"],
            as_of=AS_OF,
        )


def test_missing_keys_error_lists_at_most_five():
    t = np.arange(12).astype("datetime64[h]")
    log = TicketLog.from_arrays(np.arange(12), t, ["solved"] * 12)
    prio = [f"type {i}" for i in range(12)]
    with pytest.raises(InvalidInputError) as err:
        sla_targets(log, SLAPolicy({"type 0": {"resolution": 60}}), priority=prio)
    msg = str(err.value)
    assert (
        "11 key(s) of 11 ticket(s) are missing: 'type 1', 'type 10', 'type 11', 'type 2', 'type 3', ...;"
        in msg
    )
    assert "type 4" not in msg


def test_policy_file_default(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(
        'unit = "hours"\n[targets.urgent]\nresolution = 4\n[default]\nresolution = 72\nfirst_reply = 8\n'
    )
    policy = read_policy(path)
    assert policy.default == {"resolution": 72 * H, "first_reply": 8 * H}
    path.write_text(
        '[targets.urgent]\nresolution = 4\n[targets."*"]\nresolution = 72\n'
    )
    assert read_policy(path).default == {"resolution": 72 * H}
    assert read_policy(path).targets == {"urgent": {"resolution": 4 * H}}
    path.write_text("[default]\nresolution = 72\n")  # a default alone is a policy
    assert read_policy(path).targets == {}
    path.write_text(
        '[targets.urgent]\nresolution = 4\n[targets."*"]\nresolution = 7\n[default]\nresolution = 72\n'
    )
    with pytest.raises(
        InvalidInputError, match=r"policy.toml: give the default targets once"
    ):
        read_policy(path)


def test_numeric_keys_with_star_default():
    policy = SLAPolicy(
        {1: {"resolution": 60}, 2: {"resolution": 120}, "*": {"resolution": 600}}
    )
    assert policy.targets == {1: {"resolution": 60.0}, 2: {"resolution": 120.0}}
    assert policy.target_ns(9, "resolution") == 600 * 10**9
    with pytest.raises(
        InvalidInputError,
        match=r"`key` 9 has no targets in the policy and the policy has no default",
    ):
        SLAPolicy({1: {"resolution": 60}}).target_ns(9, "resolution")
    with pytest.raises(
        InvalidInputError, match=r"`default\['resolution'\]` must be positive"
    ):
        SLAPolicy({1: {"resolution": 60}}, default={"resolution": -5})


# ------------------------------------------------------------ per-ticket targets

T0 = np.datetime64(
    "2024-03-25T06:00", "ns"
)  # a Monday; Berlin changes clocks on the 31st
MIN = np.timedelta64(1, "m")
CAL = BusinessCalendar(
    "Europe/Berlin", week={"mon-fri": [("08:00", "12:00"), ("13:00", "18:00")]}
)
STATUSES = ["new", "open", "pending", "hold", "solved", "closed"]
POLICY = SLAPolicy(
    {
        "p1": {"first_reply": 2 * H, "resolution": 6 * H},
        "p2": {"first_reply": 30 * 60, "resolution": 20 * H},
        "p3": {"resolution": 3 * H},  # no first-reply target: not applicable
    },
    calendar=CAL,
    hours={"first_reply": "calendar"},
    pause={"resolution": ["pending", "hold"], "first_reply": ["hold"]},
)
CLOCKS = SLAPolicy({}, POLICY.calendar, hours=POLICY.hours, pause=POLICY.pause)


@st.composite
def logs(draw, *, reopen=True):
    """Ticket logs with comments; without `reopen`, solving is a ticket's last event."""
    n = draw(st.integers(1, 6))
    ev, cm, prio = [], [], []
    for k in range(n):
        t = draw(st.integers(0, 3000))
        statuses = STATUSES if reopen else STATUSES[:4]
        steps = draw(
            st.lists(
                st.tuples(st.integers(1, 900), st.sampled_from(statuses)), max_size=5
            )
        )
        first = draw(
            st.sampled_from(
                ["new", "open"] if not reopen else ["new", "open", "solved"]
            )
        )
        created = t
        ev.append((f"T-{k}", t, first))
        for gap, s in steps:
            t += gap
            ev.append((f"T-{k}", t, s))
        if not reopen and draw(st.booleans()):
            ev.append((f"T-{k}", t + draw(st.integers(1, 900)), "solved"))
        last = max(e[1] for e in ev if e[0] == f"T-{k}")
        seen = set()
        for gap, agent in draw(
            st.lists(st.tuples(st.integers(0, 2000), st.booleans()), max_size=4)
        ):
            at = created + gap
            if not reopen:
                at = min(at, last)  # comments up to the solve
            if at not in seen:
                seen.add(at)
                cm.append((f"T-{k}", at, "agent" if agent else "requester"))
        prio.append(draw(st.sampled_from(["p1", "p2", "p3"])))
    ev.sort(key=lambda e: e[1])
    log = TicketLog.from_arrays(
        [e[0] for e in ev],
        np.array([T0 + e[1] * MIN for e in ev], dtype="datetime64[ns]"),
        [e[2] for e in ev],
        comment_ticket=np.array([c[0] for c in cm], dtype=str),
        comment_instant=np.array([T0 + c[1] * MIN for c in cm], dtype="datetime64[ns]"),
        comment_author=np.array([c[2] for c in cm], dtype=str),
    )
    return log, np.array(prio)


LATER = T0 + 6000 * MIN


def policy_due_dates(t, n_tickets):
    """Per-ticket due instants from the policy's deadlines (one column per metric).

    A paused target below its target has no deadline yet (NaT): any due instant
    after `as_of` gives it the same 'paused' status, so it gets one a day later.
    """
    due = {}
    for metric in ("first_reply", "resolution"):
        rows = t.metric == metric
        if not rows.any():  # no key has a target: the policy gives no rows
            continue
        d = np.full(n_tickets, np.datetime64("NaT"), dtype="datetime64[ns]")
        d[t.code[rows]] = t.deadline[rows]
        waiting = np.zeros(n_tickets, dtype=bool)
        waiting[t.code[rows & (t.status != "not_applicable")]] = True
        d[waiting & np.isnat(d)] = LATER + np.timedelta64(1, "D")
        due[metric] = d
    return due


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@settings(max_examples=60, deadline=None)
@given(logs())
def test_due_equal_to_policy_deadline_gives_policy_statuses(case):
    log, prio = case
    want = sla_targets(log, POLICY, priority=prio, as_of=LATER)
    due = policy_due_dates(want, log.n_tickets)
    got = sla_targets(log, CLOCKS, due=due, as_of=LATER)
    assert got.ticket.tolist() == want.ticket.tolist()
    assert got.metric.tolist() == want.metric.tolist()
    assert got.status.tolist() == want.status.tolist()
    assert got.elapsed.tolist() == want.elapsed.tolist()
    known = ~np.isnat(want.deadline)
    assert (got.deadline[known] == want.deadline[known]).all()
    # the clock time the due instant allows is the policy's target, up to the
    # completion (past it the due form continues with the calendar, while the
    # policy's deadline may follow the ticket's later statuses)
    upto = known & (np.isnat(want.fulfilled) | (want.deadline <= want.fulfilled))
    np.testing.assert_array_equal(got.target[upto], want.target[upto])
    for level in ("target", "ticket"):
        for compliance in ("zendesk", "completed_only", "pessimistic", "optimistic"):
            a = sla_compliance(
                log,
                POLICY,
                priority=prio,
                as_of=LATER,
                definition=compliance,
                level=level,
                by=prio,
            )
            b = sla_compliance(
                log,
                CLOCKS,
                due=due,
                as_of=LATER,
                definition=compliance,
                level=level,
                by=prio,
            )
            assert (
                a.met.tolist(),
                a.breached.tolist(),
                a.excluded.tolist(),
                a.no_target.tolist(),
            ) == (
                b.met.tolist(),
                b.breached.tolist(),
                b.excluded.tolist(),
                b.no_target.tolist(),
            )


@settings(max_examples=40, deadline=None)
@given(logs(), st.sampled_from(["seconds", "timedelta64", "pandas", "timedelta"]))
def test_target_durations_equal_to_policy_targets_give_the_policy_rows(case, kind):
    log, prio = case
    want = sla_targets(log, POLICY, priority=prio, as_of=LATER)
    target = {}
    for metric in ("first_reply", "resolution"):
        sec = np.array([POLICY.targets[p].get(metric, np.nan) for p in prio])
        if kind == "timedelta64":
            col = np.where(
                np.isnan(sec),
                np.timedelta64("NaT"),
                (np.nan_to_num(sec) * 1e9).astype("timedelta64[ns]"),
            )
        elif kind == "pandas":
            col = pd.to_timedelta(pd.Series(sec), unit="s")
        elif kind == "timedelta":
            col = [None if np.isnan(s) else timedelta(seconds=float(s)) for s in sec]
        else:
            col = sec
        target[metric] = col
    got = sla_targets(log, CLOCKS, target=target, as_of=LATER)
    for name in (
        "ticket",
        "metric",
        "instance",
        "start",
        "fulfilled",
        "deadline",
        "elapsed",
        "status",
    ):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
    np.testing.assert_array_equal(got.target, want.target)


@settings(max_examples=60, deadline=None)
@given(logs(reopen=False), st.data())
def test_default_clock_due_dates_compare_instants(case, data):
    """Without a policy (24x7, nothing pauses): met iff completed at or before due."""
    log, _ = case
    k = log.n_tickets
    offsets = data.draw(
        st.lists(st.one_of(st.none(), st.integers(0, 4000)), min_size=k, max_size=k)
    )
    due = np.array(
        [
            "NaT" if o is None else log.created[j] + o * 60 * 10**9
            for j, o in enumerate(offsets)
        ],
        dtype="datetime64[ns]",
    )
    got = sla_targets(log, due={"first_reply": due, "resolution": due}, as_of=LATER)
    for i in range(len(got)):
        d = due[got.code[i]]
        done = got.fulfilled[i]
        if np.isnat(d):
            want = "not_applicable"
        elif not np.isnat(done):
            want = "achieved" if done <= d else "breached"
        else:
            want = "active_breached" if d < LATER else "active"
        assert got.status[i] == want, (i, d, done)


def test_per_ticket_forms_and_precedence():
    t = np.array(
        ["2024-01-08T09:00", "2024-01-08T10:00", "2024-01-08T09:00"],
        dtype="datetime64[ns]",
    )
    log = TicketLog.from_arrays(
        ["b", "b", "a"],
        t,
        ["new", "solved", "new"],
        comment_ticket=["b"],
        comment_instant=t[:1] + np.timedelta64(20, "m"),
        comment_author=["agent"],
    )
    as_of = np.datetime64("2024-01-08T12:00", "ns")
    policy = SLAPolicy(
        {"p": {"first_reply": 1800, "resolution": 7200}}, hours="calendar"
    )
    # the per-ticket resolution target replaces the policy's; first reply stays
    r = sla_targets(log, policy, priority=["p", "p"], target=[H, np.nan], as_of=as_of)
    assert r.metric.tolist() == ["first_reply", "resolution"] * 2
    assert r.target.tolist()[:3] == [1800.0, 3600.0, 1800.0]
    assert np.isnan(r.target[3])
    assert r.status.tolist() == [
        "active_breached",
        "active_breached",
        "achieved",
        "not_applicable",
    ]
    # aligned through `tickets`, any order
    r2 = sla_targets(
        log,
        policy,
        priority=["p", "p"],
        target=[np.nan, H],
        tickets=["b", "a"],
        as_of=as_of,
    )
    assert same(r2, r)
    # a due date for first reply, a duration for resolution, no policy targets
    r3 = sla_targets(
        log,
        due={
            "first_reply": np.array(["2024-01-08T09:10", "NaT"], dtype="datetime64[s]")
        },
        target={"resolution": [timedelta(hours=5), timedelta(minutes=30)]},
        as_of=as_of,
    )
    # a: no reply for 3 h (due 09:10), open 3 h of 5; b: no due date for the
    # first reply, solved after 1 h (30 min allowed)
    assert r3.status.tolist() == [
        "active_breached",
        "active",
        "not_applicable",
        "breached",
    ]
    assert r3.key.tolist() == [None] * 4


def test_per_ticket_errors_come_before_any_pass():
    t = np.array(["2024-01-08T09:00"], dtype="datetime64[ns]")
    log = TicketLog.from_arrays([1], t, ["new"])
    with pytest.raises(
        InvalidInputError,
        match=r"`due` must map SLA metrics \('first_reply', 'resolution'\).*'next_reply'.*several clocks",
    ):
        sla_targets(log, due={"next_reply": t}, as_of=t[0])
    with pytest.raises(
        InvalidInputError, match=r"'resolution' has both `due` and `target`"
    ):
        sla_targets(log, due=t, target=[60], as_of=t[0])
    with pytest.raises(
        InvalidInputError,
        match=r"`priority` is needed to read the policy's per-key targets",
    ):
        sla_targets(log, SLAPolicy({"p": {"resolution": 60}}), due=t, as_of=t[0])
    with pytest.raises(InvalidInputError, match="nothing gives targets"):
        sla_targets(log, as_of=t[0])
    with pytest.raises(InvalidInputTypeError, match="`policy` must be an SLAPolicy"):
        sla_targets(log, {"p": {"resolution": 60}}, priority=["p"], as_of=t[0])
    with pytest.raises(
        InvalidInputError,
        match=r"`target` must be positive.*got 0.0 seconds at index 0",
    ):
        sla_targets(log, target=[0], as_of=t[0])
    with pytest.raises(
        InvalidInputError,
        match=r"`due` must have the same length as `log.tickets` \(1\); got 2",
    ):
        sla_targets(
            log, due=np.array(["NaT", "NaT"], dtype="datetime64[s]"), as_of=t[0]
        )
    with pytest.raises(
        InvalidInputError,
        match=r"`target\['first_reply'\]` must be non-negative; got -60.0 at index 0",
    ):
        sla_targets(log, target={"first_reply": [-60]}, as_of=t[0])


def test_all_due_dates_missing_are_counted_not_dropped():
    t = np.array(["2024-01-08T09:00", "2024-01-08T09:30"], dtype="datetime64[ns]")
    log = TicketLog.from_arrays([1, 2], t, ["solved", "new"])
    due = [None, None]
    r = sla_targets(log, due=due, as_of=t[1])
    assert r.status.tolist() == ["not_applicable"] * 2
    with pytest.warns(UndefinedMetricWarning, match="undefined"):
        res = sla_compliance(log, due=due, as_of=t[1])
    assert (res.n, res.excluded, res.no_target) == (0, 2, 2)


@settings(max_examples=40, deadline=None)
@given(logs(), st.sampled_from(["default", "star", "no priority"]))
def test_default_targets_equal_listing_every_key(case, form):
    """A default for unlisted keys gives the rows of a policy listing them all."""
    log, prio = case
    p3 = {"resolution": 3 * H, "first_reply": 45 * 60}
    listed = SLAPolicy(
        {"p1": POLICY.targets["p1"], "p2": p3, "p3": p3},
        calendar=CAL,
        hours=POLICY.hours,
        pause=POLICY.pause,
    )
    clocks = {"calendar": CAL, "hours": POLICY.hours, "pause": POLICY.pause}
    if form == "default":
        policy = SLAPolicy({"p1": POLICY.targets["p1"]}, default=p3, **clocks)
    elif form == "star":
        policy = SLAPolicy({"p1": POLICY.targets["p1"], "*": p3}, **clocks)
    else:  # no keys at all: the default is every ticket's target
        policy = SLAPolicy({}, default=p3, **clocks)
        prio = np.array(["p3"] * log.n_tickets)
    want = sla_targets(log, listed, priority=prio, as_of=LATER)
    got = sla_targets(
        log,
        policy,
        priority=None if form == "no priority" else prio,
        as_of=LATER,
    )
    for name in ("ticket", "metric", "instance", "deadline", "elapsed", "status"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
    np.testing.assert_array_equal(got.target, want.target)


def test_a_metric_the_policy_sets_for_other_keys_is_not_applicable_not_dropped():
    # found by the property above: a log whose only ticket has key p3 (no first-reply
    # target in the policy) gave no first-reply row from the policy, but a
    # 'not_applicable' row from an all-missing per-ticket target
    t = np.array(["2024-03-25T06:00"], dtype="datetime64[ns]")
    log = TicketLog.from_arrays(["T-0"], t, ["new"])
    later = np.datetime64("2024-03-26T00:00", "ns")
    want = sla_targets(log, POLICY, priority=["p3"], as_of=later)
    got = sla_targets(
        log,
        CLOCKS,
        target={"first_reply": [np.nan], "resolution": [3 * H]},
        as_of=later,
    )
    assert want.metric.tolist() == got.metric.tolist() == ["first_reply", "resolution"]
    assert want.status.tolist() == got.status.tolist()
    assert want.status.tolist()[0] == "not_applicable"
