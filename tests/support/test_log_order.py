"""TicketLog.from_arrays sorts comments by ticket, then time, ties in row order.

Exports come sorted by ticket and time, by time alone, or shuffled; the first two
take shortcuts (no sort; one stable sort by ticket), and all three must give the
order a stable sort by (ticket, time) of the rows as given would give.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx

_T0 = np.datetime64("2024-03-01T00:00:00", "s")


def _log(ids, rows):
    ticket = np.repeat(ids, 2)
    instant = np.tile(np.array([_T0, _T0 + np.timedelta64(50, "s")]), ids.size)
    status = np.tile(np.array(["new", "open"]), ids.size)
    return cx.TicketLog.from_arrays(
        ticket,
        instant,
        status,
        comment_ticket=np.array([r[0] for r in rows], dtype=np.int64),
        comment_instant=np.array([r[1] for r in rows], dtype="datetime64[s]"),
        comment_author=np.array([r[2] for r in rows], dtype=bool),
    )


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 40), st.booleans()), max_size=40
    ),
    st.randoms(use_true_random=False),
    st.sampled_from([1, 10**6, 5 * 10**9]),
)
def test_comments_in_any_order_give_a_stable_sort_by_ticket_and_time(
    comments, rnd, first_id
):
    ids = np.arange(first_id, first_id + 6)
    rows = [(int(ids[k]), _T0 + np.timedelta64(s, "s"), a) for k, s, a in comments]
    by_ticket = sorted(rows, key=lambda r: (r[0], r[1]))
    by_time = sorted(rows, key=lambda r: r[1])
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    for given_rows in (by_ticket, by_time, shuffled, rows):
        log = _log(ids, given_rows)
        want = sorted(given_rows, key=lambda r: (r[0], r[1]))  # Python's is stable
        assert log.comment_code.tolist() == [r[0] - first_id for r in want]
        assert log.comment_instant.tolist() == [
            int(r[1].astype("datetime64[ns]").view(np.int64)) for r in want
        ]
        assert log.comment_agent.tolist() == [r[2] for r in want]
        assert log.tickets.tolist() == ids.tolist()
        assert log.first.tolist() == list(range(0, 13, 2))


@given(
    st.lists(st.integers(-50, 50), min_size=1, max_size=30, unique=True),
    st.lists(st.integers(-60, 60), max_size=30),
    st.sampled_from([0, 10**6, 2**62]),
)
def test_lookup_of_ids_equals_a_binary_search(labels, keys, shift):
    from cxmetrics.exceptions import InvalidInputError
    from cxmetrics.support._log import _sorted_lookup, lookup

    lab = np.array(sorted(labels), dtype=np.int64) + shift
    k = np.array(keys, dtype=np.int64) + shift
    want = _sorted_lookup(lab, k, "ticket")  # -1 where absent
    if (want >= 0).all():
        np.testing.assert_array_equal(lookup(lab, k, "ticket"), want)
    else:
        i = int(np.argmax(want < 0))
        with pytest.raises(InvalidInputError, match=f"at index {i},"):
            lookup(lab, k, "ticket")


@pytest.mark.parametrize(
    ("day", "minutes_after_creation"),
    [
        (30, [60, 20, 90, 10, 45]),  # listed in time order: one stable sort
        # the night the clocks go forward: wall 01:30 + 90 min is 03:00 CEST,
        # 30 real minutes later, so the list is no longer in time order
        (31, [60, 20, 30, 10, 45]),
    ],
)
def test_an_export_with_text_ids_and_zoned_times(day, minutes_after_creation):
    # shaped like a help-desk export: string ids, timezone-aware datetimes, the
    # comments listed by their (wall-clock) time across tickets
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    t0 = datetime(2024, 3, day, 1, 30, tzinfo=berlin)
    ids = ["ZD-0042", "ZD-0007", "ZD-0100"]
    events = [
        (i, t0 + timedelta(minutes=m), s)
        for i in ids
        for m, s in ((0, "new"), (5, "open"))
    ]
    comments = [  # chronological, ticket order mixed
        ("ZD-0100", 10, "agent"),
        ("ZD-0042", 20, "requester"),
        ("ZD-0100", 45, "requester"),
        ("ZD-0007", 60, "agent"),
        ("ZD-0042", 90, "agent"),
    ]
    log = cx.TicketLog.from_arrays(
        [e[0] for e in events],
        [e[1] for e in events],
        [e[2] for e in events],
        comment_ticket=[c[0] for c in comments],
        comment_instant=[t0 + timedelta(minutes=c[1]) for c in comments],
        comment_author=[c[2] for c in comments],
    )
    assert log.tickets.tolist() == ["ZD-0007", "ZD-0042", "ZD-0100"]
    assert log.comment_code.tolist() == [0, 1, 1, 2, 2]
    minutes = (log.comment_instant - log.created[log.comment_code]) // 60_000_000_000
    assert minutes.tolist() == minutes_after_creation
    assert log.comment_agent.tolist() == [True, False, True, True, False]


def test_the_log_shares_no_memory_with_the_callers_arrays():
    # the log adopts the arrays it builds without copying them again; arrays
    # that can be the caller's own (comments already in order, instants
    # already in UTC nanoseconds) are copied: writing the caller's arrays
    # afterwards changes nothing in the log
    ticket = np.array([1, 1, 2, 2], dtype=np.int64)
    instant = np.array(
        [
            "2024-03-01T00:00",
            "2024-03-01T01:00",
            "2024-03-01T00:30",
            "2024-03-01T02:00",
        ],
        dtype="datetime64[ns]",
    )
    status = np.array([0, 1, 0, 4], dtype=np.int64)
    c_ticket = np.array([1, 2], dtype=np.int64)
    c_instant = np.array(
        ["2024-03-01T00:10", "2024-03-01T00:40"], dtype="datetime64[ns]"
    )
    c_agent = np.array([True, False])
    log = cx.TicketLog.from_arrays(
        ticket,
        instant,
        status,
        comment_ticket=c_ticket,
        comment_instant=c_instant,
        comment_author=c_agent,
    )
    before = {f: getattr(log, f).copy() for f in _ARRAY_FIELDS}
    for arr in (ticket, instant, status, c_ticket, c_instant, c_agent):
        for f in _ARRAY_FIELDS:
            assert not np.shares_memory(getattr(log, f), arr), f
    instant[:] = np.datetime64("2030-01-01", "ns")
    c_instant[:] = np.datetime64("2030-01-01", "ns")
    c_agent[:] = False
    status[:] = 5
    for f in _ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(log, f), before[f])
        assert not getattr(log, f).flags.writeable, f


_ARRAY_FIELDS = (
    "tickets",
    "code",
    "instant",
    "status",
    "first",
    "comment_code",
    "comment_instant",
    "comment_agent",
)
