"""One period calendar for every family: instants to numbered periods and back.

A period is a half-open interval ``[start, next start)``: a second, minute,
hour, day, ISO week (Monday to Sunday), month, quarter (starting in January,
April, July, October) or year. Periods are numbered by an int64 index counted
from the period that holds 1970-01-01, so "the next period" is ``index + 1`` and
kernels work on integers. One vocabulary (:data:`cxmetrics.typing.Freq`) serves
trends in every family: retention's periods, CLV's purchase periods and the
public :func:`period_start` helper that buckets timestamps for ``by=``.

Time zones: naive instants are read as they are. Aware instants (timezone-aware
pandas columns, :class:`datetime.datetime` with a zone) are bucketed on the wall
clock of ``tz`` (an IANA name), so "the day" of an order placed at 23:30 in
Berlin is that Berlin day, not the UTC one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import as_1d, check_option
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.typing import CalendarFreq, Freq

__all__ = [
    "CALENDAR_FREQS",
    "FREQS",
    "period_index",
    "period_labels",
    "period_start",
    "period_starts",
]

#: every period length, shortest first (the one vocabulary of ``freq``)
FREQS: tuple[str, ...] = get_args(Freq)
#: the calendar periods (a day or longer)
CALENDAR_FREQS: tuple[str, ...] = get_args(CalendarFreq)

_UNIT = {"second": "s", "minute": "m", "hour": "h", "day": "D"}
# 1970-01-01 was a Thursday: day index + 3 counts from Monday 1969-12-29
_MONDAY_SHIFT = 3
#: below this many instants the calendar is computed directly
_LOOKUP_MIN = 4096


def _calendar_index(days: NDArray[np.int64], freq: str) -> NDArray[np.int64]:
    """Month, quarter or year index of day numbers, through numpy's calendar."""
    as_days = days.astype("datetime64[D]")
    if freq == "year":
        return as_days.astype("datetime64[Y]").astype(np.int64)
    months = as_days.astype("datetime64[M]").astype(np.int64)
    return months if freq == "month" else np.floor_divide(months, 3)


def period_index(instants: NDArray[np.datetime64], freq: Freq) -> NDArray[np.int64]:
    """Index of the period that holds each (naive) instant (floor, also before 1970).

    Months, quarters and years go through day numbers: when the instants span
    fewer days than there are instants, the calendar is computed once per day of
    the span and looked up (numpy's month arithmetic costs far more than a
    gather).
    """
    check_option("freq", freq, Freq)
    if freq in _UNIT:
        return instants.astype(f"datetime64[{_UNIT[freq]}]").astype(np.int64)
    days = instants.astype("datetime64[D]").astype(np.int64)
    if freq == "week":
        return np.floor_divide(days + _MONDAY_SHIFT, 7)
    if days.size > _LOOKUP_MIN:
        lo, hi = int(days.min()), int(days.max())
        if hi - lo < days.size:
            table = _calendar_index(np.arange(lo, hi + 1, dtype=np.int64), freq)
            out: NDArray[np.int64] = table[days - lo]
            return out
    return _calendar_index(days, freq)


def period_labels(index: NDArray[np.int64], freq: Freq) -> NDArray[np.datetime64]:
    """First instant of each period, as a readable datetime64 label.

    Seconds, minutes and hours keep their unit; days and weeks are labelled by
    their first day (``datetime64[D]``, a Monday for weeks), months and quarters
    by their first month (``datetime64[M]``) and years by the year.
    """
    check_option("freq", freq, Freq)
    idx = np.asarray(index, dtype=np.int64)
    if freq in _UNIT:
        return idx.astype(f"datetime64[{_UNIT[freq]}]")
    if freq == "week":
        return (idx * 7 - _MONDAY_SHIFT).astype("datetime64[D]")
    if freq == "month":
        return idx.astype("datetime64[M]")
    if freq == "quarter":
        return (idx * 3).astype("datetime64[M]")
    return idx.astype("datetime64[Y]")


def period_starts(
    index: NDArray[np.int64], freq: Freq, dtype: np.dtype[Any]
) -> NDArray[np.datetime64]:
    """First instant of each period, in the datetime64 unit ``dtype``."""
    check_option("freq", freq, Freq)
    return period_labels(index, freq).astype(dtype)


def _zone(tz: object) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str):
        msg = (
            f"`tz` must be an IANA time-zone name such as 'Europe/Berlin'; got {tz!r}."
        )
        raise InvalidInputTypeError(msg)
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"`tz` must be an IANA time-zone name such as 'Europe/Berlin'; got {tz!r}, which is not one."
        raise InvalidInputError(msg) from None


def _offset_ns(zone: ZoneInfo, utc_ns: int) -> int:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=utc_ns // 1000)
    off = moment.astimezone(zone).utcoffset()
    return 0 if off is None else int(off.total_seconds()) * 1_000_000_000


def _wall_clock(utc: NDArray[np.datetime64], zone: ZoneInfo) -> NDArray[np.datetime64]:
    """UTC instants as naive wall-clock time in ``zone``, without a loop over rows.

    The zone's offset is probed once per day of the span (a Python call per day,
    not per row); where it changes between two days, the change instant is found
    by bisection to the second; each instant then takes the offset of the last
    change before it.
    """
    ns = utc.astype("datetime64[ns]").view(np.int64)
    ok = ~np.isnat(utc)
    if not ok.any():
        return utc.astype("datetime64[ns]")
    day = 86_400 * 1_000_000_000
    lo = int(ns[ok].min()) // day * day - day
    hi = int(ns[ok].max()) // day * day + 2 * day
    probes = list(range(lo, hi + 1, day))
    offsets = [_offset_ns(zone, t) for t in probes]
    starts, values = [lo], [offsets[0]]
    for a, b, oa, ob in zip(probes, probes[1:], offsets, offsets[1:], strict=False):
        if oa == ob:
            continue
        left, right = a, b  # offset(left) == oa, offset(right) == ob
        while right - left > 1_000_000_000:
            mid = (left + right) // 2 // 1_000_000_000 * 1_000_000_000
            if mid in {left, right}:
                break
            if _offset_ns(zone, mid) == oa:
                left = mid
            else:
                right = mid
        starts.append(right)
        values.append(ob)
    where = np.searchsorted(np.asarray(starts), ns, side="right") - 1
    local = ns + np.asarray(values, dtype=np.int64)[np.clip(where, 0, None)]
    out = local.view("datetime64[ns]").copy()
    out[~ok] = np.datetime64("NaT")
    return out


def _instants(values: Any) -> tuple[NDArray[np.datetime64], bool]:
    """Instants as datetime64 and whether they were timezone-aware (then in UTC)."""
    dtype = getattr(values, "dtype", None)
    tz = getattr(dtype, "tz", None) or getattr(dtype, "time_zone", None)
    module = type(values).__module__
    if tz is not None and module.startswith("pandas"):
        obj = values.dt if hasattr(values, "dt") else values
        return np.asarray(obj.tz_convert(None)), True
    if tz is not None and module.startswith("polars"):
        return np.asarray(
            values.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        ), True
    arr = as_1d(values, "instants")
    if arr.dtype.kind == "M":
        return arr, False
    if arr.dtype.kind == "O":
        items = arr.tolist()
        aware = [
            isinstance(v, datetime)
            and v.tzinfo is not None
            and v.utcoffset() is not None
            for v in items
        ]
        dated = [isinstance(v, datetime) for v in items]
        missing = [
            v is None or type(v).__name__ in {"NaTType", "NAType"} for v in items
        ]
        bad = [not (d or m) for d, m in zip(dated, missing, strict=True)]
        if any(bad):
            i = bad.index(True)
            msg = f"`instants` must hold datetimes; got {items[i]!r} of type {type(items[i]).__name__} at index {i}."
            raise InvalidInputTypeError(msg)
        n_aware = sum(aware)
        n_naive = sum(d and not a for d, a in zip(dated, aware, strict=True))
        if n_aware and n_naive:
            msg = (
                f"`instants` mixes naive and timezone-aware datetimes (naive at index "
                f"{[d and not a for d, a in zip(dated, aware, strict=True)].index(True)}, "
                f"aware at index {aware.index(True)}); use one kind."
            )
            raise InvalidInputError(msg)
        out = np.array(
            [
                np.datetime64("NaT")
                if m
                else np.datetime64(
                    (v.astimezone(UTC).replace(tzinfo=None) if a else v), "us"
                )
                for v, m, a in zip(items, missing, aware, strict=True)
            ],
            dtype="datetime64[us]",
        )
        return out, bool(n_aware)
    if arr.size == 0:
        return np.zeros(0, dtype="datetime64[s]"), False
    msg = (
        "`instants` must hold datetimes (numpy datetime64, datetime objects, pandas "
        f"or polars datetime columns); got dtype {arr.dtype}."
    )
    raise InvalidInputTypeError(msg)


def period_start(
    instants: ArrayLike, freq: Freq = "month", *, tz: str | None = None
) -> NDArray[np.datetime64]:
    """First instant of the period (day, ISO week, month ...) that holds each instant.

    Buckets timestamps for trends: the result is a ``datetime64`` key array for any
    family's ``by=`` (alone, or beside other keys: ``by=[segment, period_start(t)]``).

    Parameters
    ----------
    instants : array_like
        Datetimes: numpy ``datetime64``, :class:`datetime.datetime` objects, pandas
        or polars datetime columns, naive or timezone-aware (never mixed). Missing
        instants (None, NaT) stay NaT (a grouped metric then refuses them, naming
        the row).
    freq : {'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'}
        Period length. Weeks are ISO weeks, Monday to Sunday, labelled by their
        Monday; quarters start in January, April, July and October.
    tz : str, optional
        IANA zone whose wall clock defines the periods of timezone-aware instants
        (required for them: a day in Berlin is not a day in UTC). Naive instants
        are read as they are, and ``tz`` must then be omitted.

    Returns
    -------
    numpy.ndarray
        ``datetime64`` period starts: ``[s]``, ``[m]`` or ``[h]`` for the clock
        periods, ``[D]`` for days and weeks, ``[M]`` for months and quarters and
        ``[Y]`` for years. The input is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> t = np.array(["2026-03-31T23:30", "2026-04-01T08:00"], dtype="datetime64[m]")
    >>> cx.period_start(t, "month")
    array(['2026-03', '2026-04'], dtype='datetime64[M]')
    >>> cx.period_start(t, "week")
    array(['2026-03-30', '2026-03-30'], dtype='datetime64[D]')

    Aware instants are bucketed on the wall clock of ``tz``:

    >>> from datetime import datetime, timezone
    >>> late = [datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc)]  # 00:30 in Berlin
    >>> cx.period_start(late, "day", tz="Europe/Berlin")
    array(['2026-04-01'], dtype='datetime64[D]')
    """
    check_option("freq", freq, Freq)
    zone = None if tz is None else _zone(tz)
    arr, aware = _instants(instants)
    if aware and zone is None:
        msg = (
            "`instants` are timezone-aware: pass `tz` (an IANA name such as "
            "'Europe/Berlin') to say whose days, weeks and months bucket them."
        )
        raise InvalidInputError(msg)
    if not aware and zone is not None:
        msg = (
            f"`tz`={tz!r} was given but `instants` are naive (no zone): localise "
            "them first, or omit `tz` to read them as they are."
        )
        raise InvalidInputError(msg)
    if zone is not None:
        arr = _wall_clock(arr, zone)
    nat = np.isnat(arr)
    index = period_index(np.where(nat, np.datetime64(0, "s"), arr), freq)
    labels = period_labels(index, freq)
    if nat.any():
        labels[nat] = np.datetime64("NaT")
    return labels
