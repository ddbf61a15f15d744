"""Business calendars: a brute-force minute oracle, properties, DST, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.support import BusinessCalendar

NS = 10**9
MIN = 60 * NS


def utc(s: str) -> np.datetime64:
    return np.datetime64(s, "ns")


# ---------------------------------------------------------------- minute oracle


def oracle_mask(cal: BusinessCalendar, t0: int, n_minutes: int) -> np.ndarray:
    """Working minutes [t0 + k min, t0 + (k+1) min), by marking every window.

    Independent of the engine: each window of each local date is converted with
    datetime(..., tzinfo=zone).timestamp() (PEP 495 fold=0, the documented rule)
    and its minutes are marked; overlaps need no merging and no search is used.
    """
    zone = ZoneInfo(cal.zone)
    mask = np.zeros(n_minutes, dtype=bool)
    first = datetime.fromtimestamp(t0 / NS, UTC).date() - timedelta(days=2)
    last = datetime.fromtimestamp((t0 + n_minutes * MIN) / NS, UTC).date() + timedelta(
        days=2
    )
    day = first
    while day <= last:
        override = dict(cal.overrides).get(day)
        if override is not None:
            windows = override
        elif day in cal.holidays:
            windows = ()
        else:
            windows = cal.week[day.weekday()]
        for w0, w1 in windows:
            edges = []
            for w in (w0, w1):
                wall = datetime.combine(day, time()) + timedelta(seconds=w)
                edges.append(int(wall.replace(tzinfo=zone).timestamp()) * NS)
            lo = max(0, -(-(edges[0] - t0) // MIN))
            hi = min(n_minutes, (edges[1] - t0) // MIN)
            if hi > lo:
                mask[lo:hi] = True
        day += timedelta(days=1)
    return mask


GRID = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)] + ["24:00"]


@st.composite
def schedules(draw, zone: str):
    week = []
    for _ in range(7):
        k = draw(st.integers(0, 3))
        windows = []
        for _ in range(k):
            a = draw(st.sampled_from(GRID[:-1]))
            b = draw(st.sampled_from(GRID))
            if a != b:
                windows.append((a, b))  # b < a is an overnight window
        week.append(windows)
    base = date(2024, 3, 1)
    holidays = draw(
        st.lists(
            st.integers(0, 300).map(lambda k: base + timedelta(days=k)), max_size=4
        )
    )
    overrides = draw(
        st.dictionaries(
            st.integers(0, 300).map(lambda k: base + timedelta(days=k)),
            st.lists(st.tuples(st.sampled_from(GRID[:-1]), st.sampled_from(GRID[1:]))),
            max_size=3,
        )
    )
    overrides = {d: [w for w in ws if w[0] != w[1]] for d, ws in overrides.items()}
    return BusinessCalendar(zone, week=week, holidays=holidays, overrides=overrides)


ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"]
# spans around the 2024 DST changes of Europe and America (and Lord Howe's 30 min)
ORIGINS = ["2024-03-05", "2024-03-25", "2024-10-20", "2024-10-31", "2024-04-03"]


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_business_time_and_deadline_match_minute_oracle(zone, data):
    cal = data.draw(schedules(zone))
    origin = utc(data.draw(st.sampled_from(ORIGINS))).view(np.int64)
    n_minutes = 21 * 24 * 60
    mask = oracle_mask(cal, int(origin), n_minutes)
    cum = np.concatenate([[0], np.cumsum(mask)])
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    i = rng.integers(0, n_minutes, 200)
    j = rng.integers(0, n_minutes, 200)
    a = (origin + i * MIN).view("datetime64[ns]")
    b = (origin + j * MIN).view("datetime64[ns]")
    expected = (cum[j] - cum[i]) * 60.0  # signed: negative when b < a
    np.testing.assert_array_equal(cal.business_seconds(a, b), expected)

    # deadlines: k working minutes after a -> the end of the k-th working minute
    k = rng.integers(0, 600, 200)
    want = cum[i] + k
    ok = want <= cum[-1]
    due_minute = np.searchsorted(cum, want[ok], side="left")  # first prefix reaching it
    expected_due = np.where(k[ok] == 0, i[ok], due_minute)
    got = cal.deadline(a[ok], k[ok] * 60.0).view(np.int64)
    np.testing.assert_array_equal(got, origin + expected_due * MIN)


def test_oracle_is_not_trivial():
    # the oracle itself on a case worked by hand: Berlin, Mon-Fri 09:00-17:00,
    # from Fri 2024-03-29 (a normal Friday) to Tue 2024-04-02; DST began Sun 31 Mar
    cal = BusinessCalendar("Europe/Berlin")
    t0 = int(utc("2024-03-29T00:00").view(np.int64))
    mask = oracle_mask(cal, t0, 5 * 24 * 60)
    assert mask.sum() == 3 * 8 * 60  # Fri, Mon, Tue
    # Friday 09:00 CET is 08:00 UTC; Monday 09:00 CEST is 07:00 UTC
    assert mask[8 * 60]
    assert not mask[8 * 60 - 1]
    assert mask[(3 * 24 + 7) * 60]
    assert not mask[(3 * 24 + 7) * 60 - 1]


# ---------------------------------------------------------------- properties

instants = st.integers(
    int(utc("2024-01-01").view(np.int64)), int(utc("2025-12-31").view(np.int64))
)
CALENDARS = [
    BusinessCalendar("Europe/Berlin", holidays=["2024-12-25", "2025-01-01"]),
    BusinessCalendar(
        "America/New_York",
        week={
            "mon-thu": [("08:00", "12:00"), ("13:00", "18:30")],
            "fri": [("22:00", "06:00")],
        },
        overrides={"2024-11-29": [("10:00", "14:00")]},
    ),
    BusinessCalendar("Asia/Kolkata", week={"sun-thu": [("00:00", "24:00")]}),
    BusinessCalendar.always("America/New_York"),
]


@pytest.mark.parametrize("cal", CALENDARS, ids=["berlin", "newyork", "kolkata", "24x7"])
@given(st.lists(instants, min_size=3, max_size=3))
def test_additive_bounded_and_deadline_inverts(cal, abc):
    a, b, c = (np.array([v]).view("datetime64[ns]") for v in sorted(abc))

    def e(x, y):
        return int(cal.business_time(x, y).view(np.int64)[0])

    assert e(a, b) + e(b, c) == e(a, c)
    assert 0 <= e(a, b) <= int((b - a).view(np.int64)[0])
    assert e(b, a) == -e(a, b)
    # deadline(a, e(a, b)) is b's business instant: the earliest t >= a on the
    # same business clock as b (b itself, or the end of the last window before b)
    due = cal.deadline(a, np.array([e(a, b)]).view("timedelta64[ns]"))
    assert a[0] <= due[0] <= b[0]
    assert e(a, due) == e(a, b)
    if e(a, b) > 0:
        assert e(a, due - np.timedelta64(1, "ns")) < e(a, b)
    else:
        assert due[0] == a[0]


@given(st.lists(instants, min_size=2, max_size=2))
def test_always_equals_elapsed_time(ab):
    a, b = np.array(ab).view("datetime64[ns]")
    for zone in ("Europe/Berlin", "America/New_York", "UTC"):
        cal = BusinessCalendar.always(zone)
        got = cal.business_time([a], [b]).view(np.int64)[0]
        assert got == int(b.view(np.int64) - a.view(np.int64))
        due = cal.deadline([a], np.array([abs(got)]).view("timedelta64[ns]"))
        assert due.view(np.int64)[0] == a.view(np.int64) + abs(got)


# ---------------------------------------------------------------- worked examples


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        ("2024-03-31", 23),  # Europe/Berlin springs forward
        ("2024-10-27", 25),  # and falls back
        ("2024-06-01", 24),
    ],
)
def test_24x7_local_days_have_23_or_25_hours(day, hours):
    cal = BusinessCalendar.always("Europe/Berlin")
    zone = ZoneInfo("Europe/Berlin")
    d = date.fromisoformat(day)
    a = datetime.combine(d, time(), zone)
    b = datetime.combine(d + timedelta(days=1), time(), zone)
    assert cal.business_seconds([a], [b])[0] == hours * 3600


def test_dst_rules_for_window_edges():
    # Berlin, a Sunday window 02:30-04:00 on 2024-03-31: 02:30 does not exist and
    # moves later by the 1 h gap to 03:30 CEST -> 30 minutes of work
    cal = BusinessCalendar("Europe/Berlin", week={"sun": [("02:30", "04:00")]})
    a, b = utc("2024-03-30T00:00"), utc("2024-04-01T00:00")
    assert cal.business_seconds([a], [b])[0] == 30 * 60
    # on 2024-10-27 02:00-03:00 happens twice; the window 01:30-02:30 ends at the
    # first 02:30 (00:30 UTC), so it lasts 1 h; 02:30-03:30 starts at the first
    # 02:30 and ends at 03:30 CET (02:30 UTC): 2 h
    cal = BusinessCalendar("Europe/Berlin", week={"sun": [("01:30", "02:30")]})
    a, b = utc("2024-10-26T00:00"), utc("2024-10-28T00:00")
    assert cal.business_seconds([a], [b])[0] == 3600
    cal = BusinessCalendar("Europe/Berlin", week={"sun": [("02:30", "03:30")]})
    assert cal.business_seconds([a], [b])[0] == 2 * 3600


def test_overnight_holiday_and_override_rules():
    # Mon-Fri 22:00-06:00 UTC: the window belongs to the date it starts on
    cal = BusinessCalendar(
        week={"mon-fri": [("22:00", "06:00")]}, holidays=["2024-01-02"]
    )
    # Mon 1 Jan 22:00 -> Wed 3 Jan 22:00: Monday's night (8 h) counts, Tuesday's
    # night is a holiday, even though it would end on Wednesday morning
    assert (
        cal.business_seconds([utc("2024-01-01T00:00")], [utc("2024-01-04T00:00")])[0]
        == (8 + 2) * 3600
    )  # + Wednesday 22:00-24:00
    cal = BusinessCalendar(
        overrides={
            date(2024, 1, 5): [("09:00", "11:00")],
            "2024-01-06": [("10:00", "12:00")],
        }
    )
    # Fri 5 Jan shortened to 2 h, Sat 6 Jan opened for 2 h
    assert cal.business_seconds([utc("2024-01-05")], [utc("2024-01-07")])[0] == 4 * 3600
    cal = BusinessCalendar(overrides={"2024-01-05": []}, holidays=[])
    assert cal.business_seconds([utc("2024-01-05")], [utc("2024-01-06")])[0] == 0


def test_subsecond_precision_and_aware_inputs():
    cal = BusinessCalendar("Europe/Berlin")
    zone = ZoneInfo("Europe/Berlin")
    a = datetime(2024, 1, 8, 9, 0, 0, 1, tzinfo=zone)
    b = datetime(2024, 1, 8, 9, 0, 1, 2, tzinfo=zone)
    assert cal.business_time([a], [b]).view(np.int64)[0] == 1_000_001_000
    x = np.array(["2024-01-08T08:00:00.000000001"], dtype="datetime64[ns]")
    assert cal.deadline(x, [1e-9])[0] == np.datetime64("2024-01-08T08:00:00.000000002")


def test_pandas_aware_and_naive_columns():
    pd = pytest.importorskip("pandas")
    cal = BusinessCalendar("America/New_York")
    a = pd.Series(pd.to_datetime(["2024-03-08 16:00"]).tz_localize("America/New_York"))
    b = pd.Series(pd.to_datetime(["2024-03-11 10:00"]).tz_localize("America/New_York"))
    assert cal.business_seconds(a, b)[0] == 2 * 3600
    assert cal.business_seconds(pd.DatetimeIndex(a), pd.DatetimeIndex(b))[0] == 2 * 3600
    with pytest.raises(InvalidInputError, match="`start` holds naive datetimes"):
        cal.business_seconds(a.dt.tz_localize(None), b)


def test_holidays_package_shape_is_accepted():
    # the `holidays` package gives a dict subclass keyed by date: keys are used
    class CountryHolidays(dict):
        """Stands in for holidays.country_holidays(...): a dict keyed by date."""

    h = CountryHolidays(
        {date(2024, 12, 25): "Christmas Day", date(2024, 12, 26): "Boxing Day"}
    )
    cal = BusinessCalendar("Europe/London", holidays=h)
    assert cal.holidays == frozenset(h)
    assert (
        cal.business_seconds([utc("2024-12-24")], [utc("2024-12-28")])[0]
        == 2 * 8 * 3600
    )


def test_real_holidays_package():
    holidays = pytest.importorskip("holidays")
    h = holidays.country_holidays("DE", years=2024)
    cal = BusinessCalendar("Europe/Berlin", holidays=h)
    # 2024-10-03 (German Unity Day) is a Thursday
    assert cal.business_seconds([utc("2024-10-03")], [utc("2024-10-04")])[0] == 0


# ---------------------------------------------------------------- errors


def test_errors_name_argument_value_and_index():
    cal = BusinessCalendar()
    a = np.array(["2024-01-08T10:00", "2024-01-08T10:00"], dtype="datetime64[s]")
    b = np.array(["2024-01-08T11:00", "2024-01-08T09:00"], dtype="datetime64[s]")
    with pytest.raises(
        InvalidInputError, match=r"`end` must not be before `start`.*at index 1"
    ):
        cal.business_seconds(a, b, negative="raise")
    with pytest.raises(InvalidInputError, match="`negative` must be one of"):
        cal.business_seconds(a, b, negative="abs")
    naive = [datetime(2024, 1, 8, 10), datetime(2024, 1, 8, 11)]
    with pytest.raises(
        InvalidInputError, match=r"`end` must hold timezone-aware.*index 0"
    ):
        cal.business_seconds(a, naive)
    with pytest.raises(MissingValueError, match=r"`start` contains 1 missing.*index 1"):
        cal.business_seconds(np.array(["2024-01-08", "NaT"], dtype="datetime64[s]"), b)
    with pytest.raises(InvalidInputTypeError, match="`start` must hold instants"):
        cal.business_seconds([1.0, 2.0], b)
    with pytest.raises(InvalidInputError, match="same length"):
        cal.business_seconds(a, b[:1])
    with pytest.raises(
        InvalidInputError, match=r"`seconds` must be non-negative.*index 0"
    ):
        cal.deadline(a, [-1.0, 2.0])
    with pytest.raises(InvalidInputError, match="no working time"):
        BusinessCalendar(week={}).deadline(a, [1.0, 0.0])
    assert BusinessCalendar(week={}).deadline(a[:1], [0.0])[0] == a[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"zone": "Mars/Olympus"}, InvalidInputError, "IANA"),
        ({"zone": 3}, InvalidInputTypeError, "IANA"),
        ({"week": {"funday": []}}, InvalidInputError, "day names"),
        ({"week": {"mon": [("9am", "17:00")]}}, InvalidInputError, "HH:MM"),
        (
            {"week": {"mon": [("09:00", "25:00")]}},
            InvalidInputError,
            "between 00:00 and 24:00",
        ),
        ({"week": {"mon": [("24:00", "02:00")]}}, InvalidInputError, "starts at 24:00"),
        ({"week": {"mon-fri": [], "fri": []}}, InvalidInputError, "fri twice"),
        ({"week": [[]] * 6}, InvalidInputError, "7 days"),
        (
            {"holidays": [datetime(2024, 1, 1, tzinfo=UTC)]},
            InvalidInputTypeError,
            "not datetimes",
        ),
        ({"holidays": ["Christmas"]}, InvalidInputTypeError, "dates"),
        ({"overrides": {"2024-01-01": "closed"}}, InvalidInputTypeError, "pairs"),
    ],
)
def test_calendar_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        BusinessCalendar(**kwargs)


def test_calendar_is_a_hashable_value():
    a = BusinessCalendar("UTC", week={"mon-fri": [("09:00", "17:00")]})
    b = BusinessCalendar("UTC", week=[[(time(9), time(17))]] * 5 + [[], []])
    assert a == b
    assert hash(a) == hash(b)
    assert a.windows_on(date(2024, 1, 6)) == ()
