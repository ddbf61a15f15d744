"""The business-time engine's bucket lookup, before 1970 and on empty input (issue #21).

Mutants killed here (``support/_timeline.py``): the bucket count computed from
``last + origin`` instead of ``last - origin`` (no bucket at all for a timeline
before 1970: an IndexError), the lookup's step count set to 0 when every
interval starts within one bucket (instants past the first start of the bucket
then read the wrong interval), the lookup table left writable (it is cached
and shared by every later call), and the empty results of ``business_ns`` and
``deadline_ns`` (shape (0,), int64). ``_last_start`` is documented as
``searchsorted(starts, t, side="right") - 1``: the property tests check it
against that definition on hand-built interval starts.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import InvalidInputError
from cxmetrics.support import BusinessCalendar
from cxmetrics.support._timeline import (
    _BUCKET_BITS,
    Timeline,
    _buckets,
    _last_start,
    business_ns,
    clock,
    deadline_ns,
    timeline,
)

H = 3600
BUCKET = 1 << _BUCKET_BITS  # 2**46 ns, about 19.5 hours


def _tl(starts: np.ndarray) -> Timeline:
    s = np.asarray(starts, dtype=np.int64)
    e = s + 1
    origin, first, steps = _buckets(s)
    z = np.zeros_like(s)
    return Timeline(s, e, z, z, 2000, 2000, origin, first, steps)


def _expected(starts, t):
    return np.searchsorted(np.asarray(starts), t, side="right") - 1


@given(
    origin=st.integers(-(2**61), 2**61),
    gaps=st.lists(st.integers(1, 3 * BUCKET), min_size=1, max_size=40),
    offsets=st.lists(st.integers(-2 * BUCKET, 60 * BUCKET), min_size=1, max_size=30),
)
def test_last_start_is_the_documented_searchsorted(origin, gaps, offsets):
    starts = origin + np.concatenate([[0], np.cumsum(gaps)])
    t = origin + np.asarray(offsets, dtype=np.int64)
    t = np.concatenate([t, starts, starts - 1])  # on and just before each start
    got = _last_start(_tl(starts), t)
    np.testing.assert_array_equal(got, _expected(starts, t))


def test_several_starts_within_one_bucket():
    # three intervals starting within the first bucket (a span below 2**46 ns):
    # an instant after the third start is in interval 2, not in interval 0
    origin = 10**18
    starts = np.array([origin, origin + 10 * H * 10**9, origin + 15 * H * 10**9])
    tl = _tl(starts)
    assert tl.bucket_steps == 2
    t = np.array([origin + 16 * H * 10**9, origin + 11 * H * 10**9, origin, origin - 1])
    np.testing.assert_array_equal(_last_start(tl, t), [2, 1, 0, -1])


def test_the_bucket_table_of_a_cached_timeline_is_read_only():
    cal = BusinessCalendar(week={"mon-fri": [("09:00", "17:00")]})
    lo = int(np.datetime64("2024-03-04T00:00", "ns").astype(np.int64))
    tl = timeline(cal, lo, lo)
    assert tl.bucket_first is not None
    assert not tl.bucket_first.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        tl.bucket_first[0] = 0


def test_a_new_bucket_table_is_read_only():
    # straight from the builder: a cached timeline may have been built before
    _, first, _ = _buckets(np.array([0, 5, BUCKET * 3], dtype=np.int64))
    assert first is not None
    assert not first.flags.writeable


def test_many_starts_in_one_bucket_give_int64_positions():
    # twelve starts within one bucket: the lookup falls back to a binary search,
    # whose positions must stay int64 (they index the interval arrays)
    starts = np.arange(12, dtype=np.int64) * 1000
    tl = _tl(starts)
    assert tl.bucket_steps > 8
    t = np.array([-1, 0, 999, 1000, 5500, 11_000, 10**9], dtype=np.int64)
    got = _last_start(tl, t)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, [-1, 0, 0, 1, 5, 11, 11])


@pytest.mark.parametrize("year", [1965, 1969, 1900])
def test_business_time_before_1970(year):
    # Mon-Fri 09:00-17:00 UTC; 4 March 1965, 3 March 1969 and 5 March 1900 are
    # Thursday, Monday and Monday. From 10:00 on the first day to 12:00 the
    # next working day: 7 h + 3 h.
    first = {1965: "1965-03-04", 1969: "1969-03-03", 1900: "1900-03-05"}[year]
    nxt = {1965: "1965-03-05", 1969: "1969-03-04", 1900: "1900-03-06"}[year]
    cal = BusinessCalendar(week={"mon-fri": [("09:00", "17:00")]})
    a = np.array([f"{first}T10:00"], dtype="datetime64[s]")
    b = np.array([f"{nxt}T12:00"], dtype="datetime64[s]")
    assert cal.business_seconds(a, b).tolist() == [10.0 * H]
    # and back: 10 h from 10:00 is due at 12:00 the next working day
    np.testing.assert_array_equal(cal.deadline(a, 10 * H), b.astype("datetime64[ns]"))


def test_empty_inputs_give_empty_int64_results():
    cal = BusinessCalendar(week={"mon-fri": [("09:00", "17:00")]})
    empty = np.zeros(0, dtype=np.int64)
    for out in (business_ns(cal, empty, empty), deadline_ns(cal, empty, empty)):
        assert out.shape == (0,)
        assert out.dtype == np.int64


def test_one_nanosecond_past_the_years_last_window_rolls_into_the_next_year():
    # Mon-Fri 09:00-17:00 UTC. Friday 31 December 2027, 18:00: the year's last
    # window is over, so even one nanosecond of work is due just after 09:00 on
    # Monday 3 January 2028, beyond the years the start alone asks for.
    cal = BusinessCalendar(week={"mon-fri": [("09:00", "17:00")]})
    start = np.array([np.datetime64("2027-12-31T18:00", "ns").astype(np.int64)])
    for ns in (1, 2, 10**9):
        due = deadline_ns(cal, start, np.array([ns], dtype=np.int64))
        expected = np.datetime64("2028-01-03T09:00", "ns").astype(np.int64) + ns
        assert due.tolist() == [expected]


def test_a_deadline_at_the_very_end_of_the_last_supported_window():
    # every day 09:00-17:00 UTC. The latest start accepted is 31 December 2261,
    # 00:00, and the timeline of 2261 reaches into 1 January 2262 (a one-day
    # margin). Sixteen hours from then end exactly at the end of the last working
    # window there is: due then, not "after 2261"; one nanosecond more is.
    cal = BusinessCalendar(week={"mon-sun": [("09:00", "17:00")]})
    a = np.array(["2261-12-31T00:00"], dtype="datetime64[ns]")
    due = cal.deadline(a, 16 * H)
    np.testing.assert_array_equal(
        due, np.array(["2262-01-01T17:00"], dtype="datetime64[ns]")
    )
    start = a.view(np.int64)
    with pytest.raises(
        InvalidInputError, match=r"`start`: the deadline falls after 2261; got "
    ):
        deadline_ns(cal, start, np.array([16 * H * 10**9 + 1], dtype=np.int64))


def test_a_calendar_without_working_time():
    # no window on any day: no business time passes, in int64 nanoseconds, and no
    # deadline can be met; the error names the cause and the first such row
    cal = BusinessCalendar(week={})
    a = np.array([np.datetime64("2024-06-04T00:00", "ns").astype(np.int64)] * 2)
    b = a + 3 * 86_400 * 10**9
    got = business_ns(cal, a, b)
    assert got.dtype == np.int64
    assert got.tolist() == [0, 0]
    seconds = np.array([0, 3 * 86_400 * 10**9], dtype=np.int64)
    with pytest.raises(
        InvalidInputError,
        match=r"^`seconds` cannot elapse from `start`: the calendar has no working "
        r"time; got 259200 s at index 1\.$",
    ):
        deadline_ns(cal, a, seconds)


def test_a_round_the_clock_calendar_with_one_holiday_has_two_intervals():
    # 24x7 but for Wednesday 5 June 2024: the year's timeline is two intervals,
    # and an instant after the holiday counts the time before it
    cal = BusinessCalendar(
        week={"mon-sun": [("00:00", "24:00")]}, holidays=["2024-06-05"]
    )
    lo = np.datetime64("2024-06-04T00:00", "ns").astype(np.int64)
    tl = timeline(cal, int(lo), int(lo))
    assert tl.starts.size == 2
    day = 86_400 * 10**9
    t = np.array([lo + day // 2, lo + 3 * day], dtype=np.int64)
    np.testing.assert_array_equal(np.diff(clock(tl, t)), [2 * day + day // 2 - day])
    a = np.array([lo, lo], dtype=np.int64)
    assert business_ns(cal, a, a + np.array([3 * day, day])).tolist() == [2 * day, day]
