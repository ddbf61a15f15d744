"""Business-calendar parsing against hand-written expectations (issue #21).

The calendar's property tests compare it with an oracle built on the calendar's
own parsed week, so a parsing error cancels out there. Here every expected value
is written by hand (the arithmetic in a comment beside it). Mutants killed: day
ranges not starting on Monday (``'sun-thu'``, ``'sat-sun'``, ``'fri-mon'``) parsed
wrongly, window edges with minutes (``time(9, 30)``) read as whole hours, numeric
day keys 0 and 6 refused or shifted, a 24-hour ``('09:00', '09:00')`` window read
as empty, and ``negative='raise'`` refusing ``start == end``.

Dates: January 2024 in UTC unless said; Monday 8 January, so Thursday 11, Friday 12,
Saturday 13, Sunday 14, Monday 15.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import InvalidInputError
from cxmetrics.support import BusinessCalendar

H = 3600


def secs(cal, a, b, **kw):
    start = np.array(a if isinstance(a, list) else [a], dtype="datetime64[s]")
    end = np.array(b if isinstance(b, list) else [b], dtype="datetime64[s]")
    return cal.business_seconds(start, end, **kw).tolist()


def open_days(cal):
    """Weekday numbers (Monday 0) with windows, read through windows_on (8-14 Jan)."""
    return [d for d in range(7) if cal.windows_on(date(2024, 1, 8 + d))]


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("sun-thu", [0, 1, 2, 3, 6]),
        ("sat-sun", [5, 6]),
        ("fri-mon", [0, 4, 5, 6]),
        ("Sunday-Tuesday", [0, 1, 6]),
        ("thu-sat", [3, 4, 5]),
        ("sun", [6]),
        ("mon-sun", [0, 1, 2, 3, 4, 5, 6]),
        ("tue-mon", [0, 1, 2, 3, 4, 5, 6]),
        (0, [0]),
        (6, [6]),
        (5, [5]),
    ],
)
def test_day_keys_open_the_right_days(key, days):
    cal = BusinessCalendar(week={key: [("08:00", "16:00")]})
    assert open_days(cal) == days
    for d in days:
        assert cal.week[d] == ((8 * H, 16 * H),)


def test_sun_thu_business_seconds_by_hand():
    # a Middle-East week: Sunday to Thursday 08:00-16:00
    cal = BusinessCalendar(week={"sun-thu": [("08:00", "16:00")]})
    # Thu 11 15:00 -> Sun 14 09:00: Thursday 15-16 (1 h), Friday and Saturday closed,
    # Sunday 08-09 (1 h) = 2 h
    assert secs(cal, "2024-01-11T15:00", "2024-01-14T09:00") == [2 * H]
    # Fri 12 10:00 -> Sat 13 23:00: the weekend, 0
    assert secs(cal, "2024-01-12T10:00", "2024-01-13T23:00") == [0.0]
    # Sun 7 00:00 -> Sun 14 00:00: five days of 8 h = 40 h
    assert secs(cal, "2024-01-07T00:00", "2024-01-14T00:00") == [40 * H]


def test_weekend_only_calendar_by_hand():
    cal = BusinessCalendar(week={"sat-sun": [("10:00", "14:00")]})
    # Fri 12 12:00 -> Mon 15 12:00: Saturday 4 h + Sunday 4 h = 8 h
    assert secs(cal, "2024-01-12T12:00", "2024-01-15T12:00") == [8 * H]
    # Sat 13 13:00 -> Sun 14 11:00: 1 h + 1 h
    assert secs(cal, "2024-01-13T13:00", "2024-01-14T11:00") == [2 * H]
    # a deadline of 5 business hours from Fri 12 09:00: 4 h Saturday, 1 h Sunday -> Sun 11:00
    due = cal.deadline(np.array(["2024-01-12T09:00"], dtype="datetime64[s]"), 5 * H)
    assert due.tolist() == [np.datetime64("2024-01-14T11:00", "ns").item()]


def test_window_edges_with_minutes_by_hand():
    cal = BusinessCalendar(week={"mon-fri": [(time(9, 30), time(17, 45))]})
    assert cal.week[0] == ((9 * H + 30 * 60, 17 * H + 45 * 60),)
    # Mon 8 09:00 -> 10:00: open from 09:30, 30 min
    assert secs(cal, "2024-01-08T09:00", "2024-01-08T10:00") == [1800.0]
    # Mon 8 17:00 -> 18:00: open until 17:45, 45 min
    assert secs(cal, "2024-01-08T17:00", "2024-01-08T18:00") == [2700.0]
    # a whole Monday: 09:30-17:45 = 8 h 15 min
    assert secs(cal, "2024-01-08T00:00", "2024-01-09T00:00") == [8 * H + 900]
    # the same window as text, with seconds, and as seconds after midnight
    for window in [("09:30", "17:45"), ("09:30:00", "17:45:00"), (34200, 63900)]:
        other = BusinessCalendar(week={"mon-fri": [window]})
        assert other.week == cal.week
    # seconds on the clock: 09:00:30 -> 10:00 is 59 min 30 s
    sec = BusinessCalendar(week={"mon": [(time(9, 0, 30), time(10))]})
    assert secs(sec, "2024-01-08T08:00", "2024-01-08T12:00") == [3570.0]


def test_minutes_in_a_time_zone_by_hand():
    # Berlin in January is UTC+1: 09:30-17:00 local is 08:30-16:00 UTC
    cal = BusinessCalendar(
        "Europe/Berlin", week={"mon-fri": [(time(9, 30), time(17, 0))]}
    )
    # 08:00 -> 09:00 UTC: 08:30-09:00 UTC, 30 min
    assert secs(cal, "2024-01-08T08:00", "2024-01-08T09:00") == [1800.0]
    # 15:30 -> 17:00 UTC: 15:30-16:00 UTC, 30 min
    assert secs(cal, "2024-01-08T15:30", "2024-01-08T17:00") == [1800.0]


def test_numeric_day_keys_zero_and_six_by_hand():
    cal = BusinessCalendar(week={0: [("09:00", "11:00")], 6: [("12:00", "13:00")]})
    assert open_days(cal) == [0, 6]
    # Sun 7 00:00 -> Tue 9 00:00: Sunday 1 h + Monday 2 h
    assert secs(cal, "2024-01-07T00:00", "2024-01-09T00:00") == [3 * H]
    # the same calendar by name
    named = BusinessCalendar(
        week={"mon": [("09:00", "11:00")], "sun": [("12:00", "13:00")]}
    )
    assert named == cal
    # numpy integers too
    assert BusinessCalendar(week={np.int64(6): [("12:00", "13:00")]}).week[6] == (
        (12 * H, 13 * H),
    )
    with pytest.raises(InvalidInputError, match=r"\[0, 6\].*got 7"):
        BusinessCalendar(week={7: [("09:00", "10:00")]})
    with pytest.raises(InvalidInputError, match=r"\[0, 6\].*got -1"):
        BusinessCalendar(week={-1: [("09:00", "10:00")]})


def test_24_hour_window_by_hand():
    # Monday 09:00 to Tuesday 09:00: one 24-hour window
    cal = BusinessCalendar(week={"mon": [("09:00", "09:00")]})
    assert cal.week[0] == ((9 * H, 33 * H),)
    # Mon 8 09:00 -> Tue 9 09:00: 24 h
    assert secs(cal, "2024-01-08T09:00", "2024-01-09T09:00") == [24 * H]
    # Mon 8 08:00 -> 10:00: 1 h
    assert secs(cal, "2024-01-08T08:00", "2024-01-08T10:00") == [H]
    # Tue 9 08:00 -> 10:00: the Monday window still runs until 09:00, 1 h
    assert secs(cal, "2024-01-09T08:00", "2024-01-09T10:00") == [H]
    # whole week Mon 8 00:00 -> Mon 15 00:00: 24 h
    assert secs(cal, "2024-01-08T00:00", "2024-01-15T00:00") == [24 * H]
    # written with time objects and with seconds
    assert BusinessCalendar(week={0: [(time(9), time(9))]}).week == cal.week
    assert BusinessCalendar(week={0: [(32400, 32400)]}).week == cal.week
    # 00:00-24:00 is the whole day, and 00:00-00:00 too
    whole = BusinessCalendar(week={"mon": [("00:00", "24:00")]})
    same = BusinessCalendar(week={"mon": [("00:00", "00:00")]})
    assert whole.week == same.week == (((0, 24 * H),),) + ((),) * 6


def test_overnight_sun_thu_week_by_hand():
    # night shift starting Sunday to Thursday 22:00, ending 06:00 the next day
    cal = BusinessCalendar(week={"sun-thu": [("22:00", "06:00")]})
    # Thu 11 21:00 -> Sat 13 12:00: Thursday 22:00 -> Friday 06:00 = 8 h, then nothing
    assert secs(cal, "2024-01-11T21:00", "2024-01-13T12:00") == [8 * H]
    # Sat 13 12:00 -> Mon 15 07:00: Sunday 22:00 -> Monday 06:00 = 8 h
    assert secs(cal, "2024-01-13T12:00", "2024-01-15T07:00") == [8 * H]


def test_negative_raise_accepts_equal_instants():
    cal = BusinessCalendar()
    same = "2024-01-08T10:00"
    assert secs(cal, same, same, negative="raise") == [0.0]
    assert secs(
        cal, [same, "2024-01-08T09:00"], [same, "2024-01-08T12:00"], negative="raise"
    ) == [0.0, 3 * H]
    aware = datetime(2024, 1, 8, 10, tzinfo=UTC)
    out = cal.business_time([aware], [aware], negative="raise")
    assert out.view(np.int64).tolist() == [0]
    # one second backwards is refused, naming the row
    with pytest.raises(InvalidInputError, match="at index 1"):
        secs(cal, [same, "2024-01-08T10:00:01"], [same, same], negative="raise")
    # and signed gives minus one (business) second
    assert secs(cal, "2024-01-08T10:00:01", same) == [-1.0]


def test_seven_lists_in_order_by_hand():
    # Monday first: Monday 1 h, Wednesday 2 h, Sunday 3 h
    week = [
        [("09:00", "10:00")],
        [],
        [("09:00", "11:00")],
        [],
        [],
        [],
        [("09:00", "12:00")],
    ]
    cal = BusinessCalendar(week=week)
    assert open_days(cal) == [0, 2, 6]
    # Mon 8 00:00 -> Mon 15 00:00: 1 + 2 + 3 = 6 h
    assert secs(cal, "2024-01-08T00:00", "2024-01-15T00:00") == [6 * H]


DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@given(first=st.integers(0, 6), length=st.integers(1, 7))
def test_any_day_range_opens_length_days_from_first(first, length):
    # hand rule: 'x-y' opens x, the day after x, ... up to y (wrapping past Sunday)
    last = (first + length - 1) % 7
    cal = BusinessCalendar(week={f"{DAYS[first]}-{DAYS[last]}": [("10:00", "11:00")]})
    want = sorted((first + k) % 7 for k in range(length))
    assert open_days(cal) == want
    # a week Monday 8 00:00 -> Monday 15 00:00 holds one hour per open day
    assert secs(cal, "2024-01-08T00:00", "2024-01-15T00:00") == [len(want) * H]


@given(h=st.integers(0, 23), m=st.integers(0, 59), length=st.integers(1, 600))
def test_window_start_minutes_are_kept(h, m, length):
    start = h * H + m * 60
    end = start + length * 60
    end = min(end, 24 * H)
    cal = BusinessCalendar(
        week={
            "mon": [
                (time(h, m), "24:00" if end == 24 * H else time(*divmod(end // 60, 60)))
            ]
        }
    )
    # Monday 8 00:00 -> Tuesday 9 00:00: exactly the window's length
    assert secs(cal, "2024-01-08T00:00", "2024-01-09T00:00") == [float(end - start)]
