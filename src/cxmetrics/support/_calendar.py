"""Business calendars: a time zone, weekly working windows, holidays, overrides."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.validation import check_option, seconds_ns_1d, utc_instants_1d
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.support._timeline import business_ns, deadline_ns
from cxmetrics.typing import NegativeDurations

__all__ = ["DAY", "BusinessCalendar", "Window"]

#: seconds in a (wall-clock) day
DAY = 86_400

#: a working window in local wall-clock seconds after midnight, ``0 <= start < end``;
#: ``end`` may exceed one day (an overnight window that ends the next day)
Window = tuple[int, int]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _clock(value: object, what: str) -> int:
    """A wall-clock time ('09:30', '24:00', time(9, 30), or seconds) in seconds."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            msg = f"{what} must be a wall-clock time without a zone; got {value!r}."
            raise InvalidInputError(msg)
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if m is None:
            msg = f"{what} must be 'HH:MM' or 'HH:MM:SS'; got {value!r}."
            raise InvalidInputError(msg)
        h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
        if mi > 59 or s > 59 or h * 3600 + mi * 60 + s > DAY:
            msg = (
                f"{what} must be a time of day between 00:00 and 24:00; got {value!r}."
            )
            raise InvalidInputError(msg)
        return h * 3600 + mi * 60 + s
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        if not 0 <= int(value) <= DAY:
            msg = (
                f"{what} must lie in [0, 86400] seconds after midnight; got {value!r}."
            )
            raise InvalidInputError(msg)
        return int(value)
    msg = f"{what} must be 'HH:MM', a datetime.time or whole seconds; got {value!r}."
    raise InvalidInputTypeError(msg)


def _windows(value: object, what: str) -> tuple[Window, ...]:
    """Normalise one day's windows: a sequence of (start, end) pairs, sorted."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"{what} must be a list of (start, end) pairs such as [('09:00', '17:00')]; got {value!r}."
        raise InvalidInputTypeError(msg)
    out = []
    for pair in value:
        if isinstance(pair, str) or not isinstance(pair, Iterable):
            msg = f"{what} must hold (start, end) pairs; got {pair!r}."
            raise InvalidInputTypeError(msg)
        parts = tuple(pair)
        if len(parts) != 2:
            msg = f"{what} must hold (start, end) pairs; got {pair!r}."
            raise InvalidInputError(msg)
        start = _clock(parts[0], f"the start of {what} window {pair!r}")
        end = _clock(parts[1], f"the end of {what} window {pair!r}")
        if start == DAY:
            msg = f"{what} window {pair!r} starts at 24:00; start it at 00:00 of the next day."
            raise InvalidInputError(msg)
        if end <= start:  # overnight: ends on the next day (equal: 24 hours)
            end += DAY
        out.append((start, end))
    return tuple(sorted(out))


def _day_numbers(key: object) -> list[int]:
    """'mon', 'mon-fri', 'sat-sun', 0..6 (Monday = 0) -> weekday numbers."""
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        if not 0 <= int(key) <= 6:
            msg = f"`week` day numbers must lie in [0, 6] (Monday = 0); got {key!r}."
            raise InvalidInputError(msg)
        return [int(key)]
    if isinstance(key, str):
        parts = key.strip().lower().split("-")
        names = [p[:3] for p in parts]
        if all(n in _DAYS for n in names) and len(names) in {1, 2}:
            first, last = _DAYS.index(names[0]), _DAYS.index(names[-1])
            return [(first + k) % 7 for k in range((last - first) % 7 + 1)]
    msg = (
        f"`week` keys must be day names ('mon', 'mon-fri') or numbers 0-6; got {key!r}."
    )
    raise InvalidInputError(msg)


def _week(value: object) -> tuple[tuple[Window, ...], ...]:
    if isinstance(value, Mapping):
        days: list[tuple[Window, ...]] = [() for _ in range(7)]
        seen: set[int] = set()
        for key, windows in value.items():
            for d in _day_numbers(key):
                if d in seen:
                    msg = f"`week` gives {_DAYS[d]} twice (key {key!r})."
                    raise InvalidInputError(msg)
                seen.add(d)
                days[d] = _windows(windows, f"`week` {_DAYS[d]}")
        return tuple(days)
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"`week` must be a mapping such as {{'mon-fri': [('09:00', '17:00')]}} or 7 lists of windows; got {value!r}."
        raise InvalidInputTypeError(msg)
    seq = list(value)
    if len(seq) != 7:
        msg = f"`week` must hold 7 days of windows (Monday first); got {len(seq)}."
        raise InvalidInputError(msg)
    return tuple(_windows(w, f"`week` {_DAYS[i]}") for i, w in enumerate(seq))


def _date(value: object, what: str) -> date:
    if isinstance(value, datetime):
        msg = f"{what} must be dates, not datetimes; got {value!r}."
        raise InvalidInputTypeError(msg)
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        # NaT gives None and a date past year 9999 an int: refused below, as given
        day = value.astype("datetime64[D]").item()
        if isinstance(day, date):
            return day
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    msg = f"{what} must be dates (datetime.date, numpy datetime64 or 'YYYY-MM-DD'); got {value!r}."
    raise InvalidInputTypeError(msg)


def _holidays(value: object) -> frozenset[date]:
    """Any iterable of dates; a mapping (e.g. the ``holidays`` package) gives its keys."""
    if value is None:
        return frozenset()
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"`holidays` must be an iterable of dates; got {value!r}."
        raise InvalidInputTypeError(msg)
    return frozenset(_date(v, "`holidays`") for v in value)


def _overrides(value: object) -> tuple[tuple[date, tuple[Window, ...]], ...]:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    if isinstance(items, str) or not isinstance(items, Iterable):
        msg = f"`overrides` must map dates to lists of windows; got {value!r}."
        raise InvalidInputTypeError(msg)
    out: dict[date, tuple[Window, ...]] = {}
    for item in items:
        d, windows = item
        day = _date(d, "`overrides` keys")
        if day in out:
            msg = f"`overrides` gives {day} twice."
            raise InvalidInputError(msg)
        out[day] = _windows(windows, f"`overrides` {day}")
    return tuple(sorted(out.items()))


def _zone(value: object) -> str:
    if isinstance(value, ZoneInfo):
        value = value.key
    if not isinstance(value, str):
        msg = f"`zone` must be an IANA time zone name such as 'Europe/Berlin'; got {value!r}."
        raise InvalidInputTypeError(msg)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"`zone` must be an IANA time zone name such as 'Europe/Berlin'; got {value!r}."
        raise InvalidInputError(msg) from None
    return value


_NINE_TO_FIVE = {"mon-fri": [("09:00", "17:00")]}


@attrs.frozen(field_transformer=nan_equal_fields)
class BusinessCalendar:
    """Working time: a time zone, weekly windows, holidays and per-date overrides.

    Parameters
    ----------
    zone : str, default 'UTC'
        IANA time zone of the wall clock the windows are written in
        (:mod:`zoneinfo`), e.g. ``'Europe/Berlin'``.
    week : mapping or sequence of 7, default Monday-Friday 09:00-17:00
        Working windows per weekday: ``{'mon-fri': [('09:00', '12:30'),
        ('13:30', '17:00')], 'sat': [('10:00', '14:00')]}``, or seven lists
        (Monday first). A window is a ``(start, end)`` pair of ``'HH:MM[:SS]'``
        strings, :class:`datetime.time` objects or seconds after midnight. A
        window whose end is not after its start runs overnight into the next day
        (``('22:00', '06:00')``); ``('00:00', '24:00')`` is the whole day. Days
        not given are closed.
    holidays : iterable of dates, optional
        Closed dates (``datetime.date``, ``datetime64`` or ``'YYYY-MM-DD'``). A
        mapping keyed by date, such as a ``holidays.country_holidays(...)``
        object, works as is (its keys are used); cxmetrics does not depend on it.
    overrides : mapping of date to windows, optional
        Windows for particular dates, replacing the weekday's windows (and a
        holiday on that date): ``{'2024-12-24': [('09:00', '13:00')]}``; an
        empty list closes the date.

    Notes
    -----
    A window belongs to the local date it starts on: a holiday or an override
    on a date removes or replaces the windows starting that date, including an
    overnight window reaching into the next morning, but not the previous
    evening's overnight window reaching into it. Overlapping windows are merged.

    Local window edges are converted to UTC with :mod:`zoneinfo`. Around
    daylight-saving changes the rule is the one of PEP 495's ``fold=0`` (and of
    Java's ``ZonedDateTime``): an edge at a wall-clock time that occurs twice
    (autumn) is its first occurrence; an edge at a time that does not exist
    (spring) is moved later by the length of the gap (02:30 becomes 03:30 in
    Berlin). A window that becomes empty this way is dropped. A 24x7 calendar
    (:meth:`always`) therefore measures real elapsed time: 23 hours on the
    spring day and 25 on the autumn day.

    Examples
    --------
    >>> import numpy as np
    >>> cal = BusinessCalendar("Europe/Berlin", week={"mon-fri": [("09:00", "17:00")]},
    ...                        holidays=["2024-12-25"])
    >>> start = np.array(["2024-12-24T15:00"], dtype="datetime64[s]")  # 16:00 in Berlin
    >>> end = np.array(["2024-12-26T09:00"], dtype="datetime64[s]")    # 10:00 in Berlin
    >>> cal.business_seconds(start, end) / 3600  # 1 h on the 24th, 1 h on the 26th
    array([2.])
    >>> cal.deadline(start, [3 * 3600])  # 1 h left on the 24th, then 2 h on the 26th
    array(['2024-12-26T10:00:00.000000000'], dtype='datetime64[ns]')
    """

    zone: str = attrs.field(default="UTC", converter=_zone)
    week: tuple[tuple[Window, ...], ...] = attrs.field(
        default=_NINE_TO_FIVE, converter=_week
    )
    holidays: frozenset[date] = attrs.field(factory=frozenset, converter=_holidays)
    overrides: tuple[tuple[date, tuple[Window, ...]], ...] = attrs.field(
        default=None, converter=_overrides
    )

    @classmethod
    def always(cls, zone: str = "UTC") -> BusinessCalendar:
        """A 24x7 calendar: business time equals real elapsed time.

        Parameters
        ----------
        zone : str, default 'UTC'
            Only used to interpret holidays and overrides, which this calendar
            has none of; business time of a 24x7 calendar is elapsed time in
            every zone.

        Returns
        -------
        BusinessCalendar

        Examples
        --------
        >>> import numpy as np
        >>> cal = BusinessCalendar.always("Europe/Berlin")
        >>> a = np.array(["2024-03-30T23:00"], dtype="datetime64[s]")  # local midnight
        >>> b = np.array(["2024-03-31T22:00"], dtype="datetime64[s]")  # next local midnight
        >>> cal.business_seconds(a, b) / 3600  # the spring-forward day has 23 hours
        array([23.])
        """
        return cls(zone, week=[[(0, DAY)]] * 7)

    @property
    def tzinfo(self) -> ZoneInfo:
        """The :class:`zoneinfo.ZoneInfo` of ``zone``.

        Examples
        --------
        >>> BusinessCalendar("America/New_York").tzinfo.key
        'America/New_York'
        """
        return ZoneInfo(self.zone)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The working windows starting on the local date ``day``.

        Parameters
        ----------
        day : datetime.date

        Returns
        -------
        tuple of (int, int)
            ``(start, end)`` in seconds after local midnight; ``end`` may exceed
            86400 for an overnight window.

        Examples
        --------
        >>> from datetime import date
        >>> BusinessCalendar(week={"mon-fri": [("22:00", "06:00")]}).windows_on(date(2024, 1, 1))
        ((79200, 108000),)
        """
        for d, windows in self.overrides:
            if d == day:
                return windows
        if day in self.holidays:
            return ()
        return self.week[day.weekday()]

    def business_time(
        self,
        start: ArrayLike,
        end: ArrayLike,
        *,
        negative: NegativeDurations = "signed",
    ) -> NDArray[np.timedelta64]:
        """Business time between instants, exact to the nanosecond.

        Parameters
        ----------
        start, end : array_like of instants, shape (n,)
            numpy ``datetime64`` (read as UTC) or timezone-aware datetimes.
        negative : {'signed', 'raise'}, default 'signed'
            When ``end`` is before ``start``: the business time from ``end`` to
            ``start`` with a minus sign, or an error naming the first such row.

        Returns
        -------
        ndarray of timedelta64[ns], shape (n,)

        Examples
        --------
        >>> import numpy as np
        >>> cal = BusinessCalendar()
        >>> a = np.array(["2024-01-05T16:30:00.25"], dtype="datetime64[ms]")  # a Friday
        >>> b = np.array(["2024-01-08T09:00:00.5"], dtype="datetime64[ms]")   # the Monday
        >>> cal.business_time(a, b)
        array([1800250000000], dtype='timedelta64[ns]')
        """
        check_option("negative", negative, NegativeDurations)
        s = utc_instants_1d(start, "start")
        e = utc_instants_1d(end, "end")
        if e.shape != s.shape:
            msg = f"`end` must have the same length as `start` ({s.shape[0]}); got {e.shape[0]}."
            raise InvalidInputError(msg)
        if negative == "raise":
            bad = e < s
            if bad.any():
                i = int(np.argmax(bad))
                msg = (
                    f"`end` must not be before `start`; got end={e.view('datetime64[ns]')[i]} "
                    f"and start={s.view('datetime64[ns]')[i]} at index {i} "
                    f"({int(np.count_nonzero(bad))} such row(s)); pass negative='signed' "
                    "for negative durations."
                )
                raise InvalidInputError(msg)
        return business_ns(self, s, e).view("timedelta64[ns]")

    def business_seconds(
        self,
        start: ArrayLike,
        end: ArrayLike,
        *,
        negative: NegativeDurations = "signed",
    ) -> NDArray[np.float64]:
        """Business seconds between instants (see :meth:`business_time`).

        Parameters
        ----------
        start, end : array_like of instants, shape (n,)
            numpy ``datetime64`` (read as UTC) or timezone-aware datetimes.
        negative : {'signed', 'raise'}, default 'signed'
            When ``end`` is before ``start``: a negative number, or an error.

        Returns
        -------
        ndarray of float64, shape (n,)
            Seconds (fractions kept); exact to the nanosecond for spans below
            about 104 days of business time, and to float64 rounding above.

        Examples
        --------
        >>> import numpy as np
        >>> cal = BusinessCalendar(week={"mon-fri": [("09:00", "12:00"), ("13:00", "17:00")]})
        >>> a = np.array(["2024-01-08T11:00", "2024-01-08T18:00"], dtype="datetime64[s]")
        >>> b = np.array(["2024-01-08T14:00", "2024-01-08T11:00"], dtype="datetime64[s]")
        >>> cal.business_seconds(a, b) / 3600  # 1 h + 1 h; then 11:00 back from 18:00
        array([ 2., -5.])
        """
        ns = self.business_time(start, end, negative=negative).view(np.int64)
        return ns / 1e9

    def deadline(self, start: ArrayLike, seconds: ArrayLike) -> NDArray[np.datetime64]:
        """The instant when ``seconds`` of business time have elapsed from ``start``.

        Parameters
        ----------
        start : array_like of instants, shape (n,)
            numpy ``datetime64`` (read as UTC) or timezone-aware datetimes.
        seconds : array_like, shape (n,) or scalar
            Non-negative business durations: numbers of seconds (fractions
            kept to the nanosecond) or ``timedelta64`` values.

        Returns
        -------
        ndarray of datetime64[ns], shape (n,)
            UTC instants. The deadline is the earliest instant ``t >= start``
            with ``business_time(start, t) == seconds``: a target that runs out
            at 17:00 is due at 17:00, not at the next opening. A zero duration
            is due at ``start``.

        Raises
        ------
        InvalidInputError
            Negative durations, or a calendar without working time before 2262.

        Examples
        --------
        >>> import numpy as np
        >>> cal = BusinessCalendar("America/New_York")
        >>> a = np.array(["2024-03-08T21:00"], dtype="datetime64[s]")  # Fri 16:00 EST
        >>> cal.deadline(a, 2 * 3600)  # 1 h on Friday, 1 h on Monday (now EDT)
        array(['2024-03-11T14:00:00.000000000'], dtype='datetime64[ns]')
        """
        s = utc_instants_1d(start, "start")
        sec: Any = seconds
        if np.ndim(sec) == 0:
            sec = np.full(s.shape[0], seconds)
        d = seconds_ns_1d(sec, "seconds")
        if d.shape != s.shape:
            msg = f"`seconds` must have the same length as `start` ({s.shape[0]}); got {d.shape[0]}."
            raise InvalidInputError(msg)
        return deadline_ns(self, s, d).view("datetime64[ns]")
