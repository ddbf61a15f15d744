"""Every refusal of a business calendar, message in full, and the edges of its inputs.

Mutants killed here (``support/_calendar.py``): message texts altered, and the
bounds of clock times (``'24:00'`` and 86400 accepted, one second more refused,
minutes and seconds up to 59), day numbers, zone objects and date forms. The
messages name the argument and the value (the project's rule for errors), so they
are checked whole, written out by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.support import BusinessCalendar

H = 3600
BAD = [
    (
        {"week": {"mon": [(time(9, tzinfo=UTC), "10:00")]}},
        InvalidInputError,
        (
            "the start of `week` mon window (datetime.time(9, 0, tzinfo=datetime.timezone."
            "utc), '10:00') must be a wall-clock time without a zone; got datetime.time(9, "
            "0, tzinfo=datetime.timezone.utc)."
        ),
    ),
    (
        {"week": {"mon": [("9am", "10:00")]}},
        InvalidInputError,
        (
            "the start of `week` mon window ('9am', '10:00') must be 'HH:MM' or "
            "'HH:MM:SS'; got '9am'."
        ),
    ),
    (
        {"week": {"mon": [("09:60", "10:00")]}},
        InvalidInputError,
        (
            "the start of `week` mon window ('09:60', '10:00') must be a time of day "
            "between 00:00 and 24:00; got '09:60'."
        ),
    ),
    (
        {"week": {"mon": [("09:00:60", "10:00")]}},
        InvalidInputError,
        (
            "the start of `week` mon window ('09:00:60', '10:00') must be a time of day "
            "between 00:00 and 24:00; got '09:00:60'."
        ),
    ),
    (
        {"week": {"mon": [("09:00", "24:00:01")]}},
        InvalidInputError,
        (
            "the end of `week` mon window ('09:00', '24:00:01') must be a time of day "
            "between 00:00 and 24:00; got '24:00:01'."
        ),
    ),
    (
        {"week": {"mon": [("09:00", "24:01")]}},
        InvalidInputError,
        (
            "the end of `week` mon window ('09:00', '24:01') must be a time of day "
            "between 00:00 and 24:00; got '24:01'."
        ),
    ),
    (
        {"week": {"mon": [(86401, 3600)]}},
        InvalidInputError,
        (
            "the start of `week` mon window (86401, 3600) must lie in [0, 86400] seconds "
            "after midnight; got 86401."
        ),
    ),
    (
        {"week": {"tue": [(0, -1)]}},
        InvalidInputError,
        (
            "the end of `week` tue window (0, -1) must lie in [0, 86400] seconds "
            "after midnight; got -1."
        ),
    ),
    (
        {"week": {"mon": [(9.5, 3600)]}},
        InvalidInputTypeError,
        (
            "the start of `week` mon window (9.5, 3600) must be 'HH:MM', a datetime.time "
            "or whole seconds; got 9.5."
        ),
    ),
    (
        {"week": {"mon": [(True, 3600)]}},
        InvalidInputTypeError,
        (
            "the start of `week` mon window (True, 3600) must be 'HH:MM', a datetime.time "
            "or whole seconds; got True."
        ),
    ),
    (
        {"week": {"mon": "09:00-17:00"}},
        InvalidInputTypeError,
        (
            "`week` mon must be a list of (start, end) pairs such as [('09:00', "
            "'17:00')]; got '09:00-17:00'."
        ),
    ),
    (
        {"week": {"mon": 5}},
        InvalidInputTypeError,
        (
            "`week` mon must be a list of (start, end) pairs such as [('09:00', "
            "'17:00')]; got 5."
        ),
    ),
    (
        {"week": {"mon": ["09:00"]}},
        InvalidInputTypeError,
        "`week` mon must hold (start, end) pairs; got '09:00'.",
    ),
    (
        {"week": {"mon": [3600]}},
        InvalidInputTypeError,
        "`week` mon must hold (start, end) pairs; got 3600.",
    ),
    (
        {"week": {"mon": [("09:00", "10:00", "11:00")]}},
        InvalidInputError,
        "`week` mon must hold (start, end) pairs; got ('09:00', '10:00', '11:00').",
    ),
    (
        {"week": {"mon": [(86400, 3600)]}},
        InvalidInputError,
        (
            "`week` mon window (86400, 3600) starts at 24:00; start it at 00:00 of the "
            "next day."
        ),
    ),
    (
        {"week": {7: []}},
        InvalidInputError,
        "`week` day numbers must lie in [0, 6] (Monday = 0); got 7.",
    ),
    (
        {"week": {True: []}},
        InvalidInputError,
        "`week` keys must be day names ('mon', 'mon-fri') or numbers 0-6; got True.",
    ),
    (
        {"week": {"mon-tue-wed": []}},
        InvalidInputError,
        (
            "`week` keys must be day names ('mon', 'mon-fri') or numbers 0-6; got "
            "'mon-tue-wed'."
        ),
    ),
    (
        {"week": {"mo": []}},
        InvalidInputError,
        "`week` keys must be day names ('mon', 'mon-fri') or numbers 0-6; got 'mo'.",
    ),
    (
        {"week": {"mon-fri": [], "fri": []}},
        InvalidInputError,
        "`week` gives fri twice (key 'fri').",
    ),
    (
        {"week": "mon-fri"},
        InvalidInputTypeError,
        (
            "`week` must be a mapping such as {'mon-fri': [('09:00', '17:00')]} or 7 "
            "lists of windows; got 'mon-fri'."
        ),
    ),
    (
        {"week": 5},
        InvalidInputTypeError,
        (
            "`week` must be a mapping such as {'mon-fri': [('09:00', '17:00')]} or 7 "
            "lists of windows; got 5."
        ),
    ),
    (
        {"week": [[]] * 6},
        InvalidInputError,
        "`week` must hold 7 days of windows (Monday first); got 6.",
    ),
    (
        {"week": [[]] * 6 + [[("9", "10:00")]]},
        InvalidInputError,
        (
            "the start of `week` sun window ('9', '10:00') must be 'HH:MM' or "
            "'HH:MM:SS'; got '9'."
        ),
    ),
    (
        {"holidays": [datetime(2024, 1, 1)]},
        InvalidInputTypeError,
        (
            "`holidays` must be dates, not datetimes; got datetime.datetime(2024, 1, 1, "
            "0, 0)."
        ),
    ),
    (
        {"holidays": ["Christmas"]},
        InvalidInputTypeError,
        (
            "`holidays` must be dates (datetime.date, numpy datetime64 or 'YYYY-MM-DD'); "
            "got 'Christmas'."
        ),
    ),
    (
        {"holidays": [np.datetime64("NaT")]},
        InvalidInputTypeError,
        (
            "`holidays` must be dates (datetime.date, numpy datetime64 or 'YYYY-MM-DD'); "
            f"got {np.datetime64('NaT')!r}."
        ),
    ),
    (
        {"overrides": {np.datetime64("10000-01-01"): []}},
        InvalidInputTypeError,
        (
            "`overrides` keys must be dates (datetime.date, numpy datetime64 or "
            f"'YYYY-MM-DD'); got {np.datetime64('10000-01-01')!r}."
        ),
    ),
    (
        {"holidays": "2024-01-01"},
        InvalidInputTypeError,
        "`holidays` must be an iterable of dates; got '2024-01-01'.",
    ),
    (
        {"holidays": 5},
        InvalidInputTypeError,
        "`holidays` must be an iterable of dates; got 5.",
    ),
    (
        {"overrides": "x"},
        InvalidInputTypeError,
        "`overrides` must map dates to lists of windows; got 'x'.",
    ),
    (
        {"overrides": 5},
        InvalidInputTypeError,
        "`overrides` must map dates to lists of windows; got 5.",
    ),
    (
        {"overrides": {"2024-01-01": [], date(2024, 1, 1): []}},
        InvalidInputError,
        "`overrides` gives 2024-01-01 twice.",
    ),
    (
        {"overrides": [("2024-01-01", []), ("2024-01-01", [])]},
        InvalidInputError,
        "`overrides` gives 2024-01-01 twice.",
    ),
    (
        {"overrides": {"2024-13-01": []}},
        InvalidInputTypeError,
        (
            "`overrides` keys must be dates (datetime.date, numpy datetime64 or "
            "'YYYY-MM-DD'); got '2024-13-01'."
        ),
    ),
    (
        {"overrides": {"2024-01-02": [("08:00", "7pm")]}},
        InvalidInputError,
        (
            "the end of `overrides` 2024-01-02 window ('08:00', '7pm') must be 'HH:MM' "
            "or 'HH:MM:SS'; got '7pm'."
        ),
    ),
    (
        {"zone": "Mars/Olympus"},
        InvalidInputError,
        (
            "`zone` must be an IANA time zone name such as 'Europe/Berlin'; got "
            "'Mars/Olympus'."
        ),
    ),
    (
        {"zone": 3},
        InvalidInputTypeError,
        "`zone` must be an IANA time zone name such as 'Europe/Berlin'; got 3.",
    ),
    (
        {"zone": ""},
        InvalidInputError,
        "`zone` must be an IANA time zone name such as 'Europe/Berlin'; got ''.",
    ),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), BAD)
def test_calendar_refusals_in_full(kwargs, error, message):
    with pytest.raises(error) as info:
        BusinessCalendar(**kwargs)
    assert type(info.value) is error
    assert str(info.value) == message


def test_length_and_order_messages_in_full():
    cal = BusinessCalendar()
    a = np.array(["2024-01-08T10:00", "2024-01-08T10:00"], dtype="datetime64[s]")
    with pytest.raises(InvalidInputError) as info:
        cal.business_seconds(a, a[:1])
    assert str(info.value) == "`end` must have the same length as `start` (2); got 1."
    with pytest.raises(InvalidInputError) as info:
        cal.deadline(a, [1.0])
    assert str(info.value) == (
        "`seconds` must have the same length as `start` (2); got 1."
    )
    early = a - np.array([0, 5], dtype="timedelta64[s]")
    with pytest.raises(InvalidInputError) as info:
        cal.business_time(a, early, negative="raise")
    assert str(info.value) == (
        "`end` must not be before `start`; got end=2024-01-08T09:59:55.000000000 and "
        "start=2024-01-08T10:00:00.000000000 at index 1 (1 such row(s)); pass "
        "negative='signed' for negative durations."
    )
    with pytest.raises(MissingValueError) as info:
        cal.deadline(np.array(["NaT"], dtype="datetime64[s]"), 1.0)
    assert str(info.value) == (
        "`start` contains 1 missing instant(s) (NaT/None), the first at index 0."
    )
    with pytest.raises(InvalidInputTypeError) as info:
        cal.deadline([1.0], 1.0)
    assert str(info.value) == (
        "`start` must hold instants: numpy datetime64 (UTC) or timezone-aware "
        "datetimes; got dtype float64."
    )
    # two such rows, the first named
    with pytest.raises(InvalidInputError, match=r"at index 0 \(2 such row\(s\)\)"):
        cal.business_time(a, a - np.timedelta64(1, "s"), negative="raise")


def test_clock_edges_by_hand():
    # '24:00', 86400 and time.max-like 23:59:59 are accepted ends; 0 a start
    cal = BusinessCalendar(
        week={
            "mon": [("23:00", "24:00")],
            "tue": [(0, 86400)],
            "wed": [("00:00:00", "23:59:59")],
            "thu": [(" 9:05 ", time(9, 6, 1))],
            "fri": [(np.int64(60), np.int32(120))],
        }
    )
    assert cal.week[:5] == (
        ((23 * H, 24 * H),),
        ((0, 24 * H),),
        ((0, 24 * H - 1),),
        ((9 * H + 300, 9 * H + 361),),
        ((60, 120),),
    )
    assert all(type(x) is int for day in cal.week for w in day for x in w)
    # 23:59 is a valid minute, 00:59:59 a valid second
    late = BusinessCalendar(week={0: [("23:59", "00:59:59")]})
    # overnight: the end is on the next day, 24 h + 59 min 59 s
    assert late.week[0] == ((23 * H + 59 * 60, 24 * H + 59 * 60 + 59),)


def test_zone_object_and_date_forms():
    cal = BusinessCalendar(ZoneInfo("Europe/Berlin"))
    assert cal.zone == "Europe/Berlin"
    assert cal == BusinessCalendar("Europe/Berlin")
    days = [date(2024, 1, 1), np.datetime64("2024-01-02"), "2024-01-03"]
    hol = BusinessCalendar(holidays=days)
    assert hol.holidays == frozenset(
        {date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)}
    )
    # a datetime64 at a finer unit still names its date
    assert BusinessCalendar(holidays=[np.datetime64("2024-01-04T13:00")]).holidays == {
        date(2024, 1, 4)
    }
    # overrides as a mapping and as pairs, sorted by date
    ov = BusinessCalendar(
        overrides=[("2024-01-05", [("10:00", "11:00")]), (date(2024, 1, 4), [])]
    )
    assert ov.overrides == (
        (date(2024, 1, 4), ()),
        (date(2024, 1, 5), ((10 * H, 11 * H),)),
    )
    assert ov.windows_on(date(2024, 1, 4)) == ()
    assert ov.windows_on(date(2024, 1, 5)) == ((10 * H, 11 * H),)
    assert ov.windows_on(date(2024, 1, 3)) == ((9 * H, 17 * H),)


def test_always_keeps_its_zone_and_business_time_is_a_duration():
    cal = BusinessCalendar.always("Europe/Berlin")
    assert cal.zone == "Europe/Berlin"
    assert cal.week == (((0, 24 * H),),) * 7
    a = np.array(["2024-01-08T10:00"], dtype="datetime64[s]")
    out = cal.business_time(a, a + np.timedelta64(90, "s"))
    assert out.dtype == np.dtype("timedelta64[ns]")
    assert out.tolist() == [np.timedelta64(90, "s").astype("timedelta64[ns]").item()]
