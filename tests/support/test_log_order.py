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
