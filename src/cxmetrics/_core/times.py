"""Instants: calendar datetimes (naive or zone-aware), time zones, UTC nanoseconds.

Calendar instants are read for cohorts, funnels and schedules; UTC nanoseconds for
event logs (tickets).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.columns import (
    _describe,
    _first,
    _is_missing_object,
    _is_number_object,
    as_1d,
    numeric_1d,
)
from cxmetrics._core.durations import durations_1d
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

__all__ = [
    "check_zones",
    "common_unit",
    "datetime_scalar",
    "datetimes_1d",
    "instants_1d",
    "seconds_ns_1d",
    "utc_instants_1d",
]


def _datetime_objects(arr: NDArray[Any], name: str) -> NDArray[np.datetime64]:
    """Object array of datetimes (None/NaT for missing) to datetime64[us].

    All must be naive, or all timezone-aware (converted to UTC): mixing the two
    is refused. This is the slow path (one Python call per element).
    """
    naive = aware = 0
    first_naive = first_aware = -1
    out = np.empty(arr.shape, dtype="datetime64[us]")
    for i, v in enumerate(arr.tolist()):
        if _is_missing_object(v):
            out[i] = np.datetime64("NaT")
            continue
        if not isinstance(v, datetime):
            msg = f"`{name}` must hold datetimes or numbers; got {v!r} of type {type(v).__name__} at index {i}."
            raise InvalidInputTypeError(msg)
        if v.tzinfo is not None and v.utcoffset() is not None:
            aware += 1
            first_aware = i if first_aware < 0 else first_aware
            out[i] = np.datetime64(v.astimezone(UTC).replace(tzinfo=None), "us")
        else:
            naive += 1
            first_naive = i if first_naive < 0 else first_naive
            out[i] = np.datetime64(v, "us")
    if naive and aware:
        msg = (
            f"`{name}` mixes naive and timezone-aware datetimes (naive at index "
            f"{first_naive}, aware at index {first_aware}); use one kind."
        )
        raise InvalidInputError(msg)
    return out


def instants_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    """Validate instants: numbers (e.g. seconds) or datetimes; missing kept as NaN/NaT.

    Returns float64 for numbers and datetime64 for datetimes (object arrays of
    :class:`datetime.datetime` or pandas Timestamps become datetime64[us], aware
    ones in UTC). Infinite numbers are refused.
    """
    arr = as_1d(values, name)
    if arr.dtype.kind == "M":
        return arr
    if arr.dtype.kind == "O":
        sample = next((v for v in arr.tolist() if not _is_missing_object(v)), None)
        if sample is not None and not _is_number_object(sample):
            return _datetime_objects(arr, name)
    num = numeric_1d(arr, name).astype(np.float64, copy=False)
    inf = np.isinf(num)
    if inf.any():
        i, count = _first(inf)
        msg = f"`{name}` must be finite; got {_describe(num[i])} at index {i} ({count} non-finite value(s))."
        raise InvalidInputError(msg)
    return num


def _object_instants(arr: NDArray[Any]) -> str | None:
    """Kind of an object array of instants: 'date', 'str' or None (anything else).

    'date' when it holds only plain dates (not datetimes), 'str' when only
    strings, missing values aside.
    """
    kinds = {"missing" if _is_missing_object(v) else type(v) for v in arr.tolist()}
    kinds.discard("missing")
    if not kinds or not all(isinstance(k, type) for k in kinds):
        return None
    types = [k for k in kinds if isinstance(k, type)]
    if all(issubclass(k, date) and not issubclass(k, datetime) for k in types):
        return "date"
    if all(issubclass(k, str) for k in types):
        return "str"
    return None


#: text that stands for a missing date (numpy writes NaN and None this way)
_MISSING_TEXT = ("", "nan", "nat", "none", "null")


def datetimes_1d(
    values: ArrayLike, name: str, *, allow_missing: bool = False
) -> NDArray[np.datetime64]:
    """Validate calendar instants: 1-D, every one present, returned as datetime64.

    Accepts numpy ``datetime64`` (returned as is, no copy), :class:`datetime.datetime`
    or pandas Timestamps (naive, or all timezone-aware: converted to UTC, see
    :func:`instants_1d`), :class:`datetime.date` objects and ISO 8601 strings.
    Numbers are refused (a period calendar needs dates), and so are missing
    instants (NaT/None), with their count and first index, unless
    ``allow_missing`` (then they are NaT, and an all-missing column of any
    dtype is all NaT).
    """
    aware_utc = _frame_aware_utc(values)
    arr = as_1d(values if aware_utc is None else aware_utc, name)
    kind = arr.dtype.kind
    if kind in "US":
        if arr.size:
            # numpy writes NaN and None in a list of strings as text
            blank = np.isin(np.char.lower(arr.astype(str)), _MISSING_TEXT)
            if blank.any():
                arr = np.where(blank, "NaT", arr)
        try:
            arr = arr.astype("datetime64")
        except ValueError as err:
            msg = f"`{name}` must hold ISO 8601 dates or datetimes; could not parse it ({err})."
            raise InvalidInputTypeError(msg) from None
    elif kind == "O" and arr.size and (what := _object_instants(arr)) is not None:
        missing = np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
        if what == "date":
            out = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
            out[~missing] = arr[~missing].astype("datetime64[D]")
            arr = out
        else:
            return datetimes_1d(
                np.where(missing, "NaT", arr).astype(str),
                name,
                allow_missing=allow_missing,
            )
    elif kind != "M":
        arr = instants_1d(arr, name)
    if arr.dtype.kind != "M":
        if arr.size == 0:
            return np.zeros(0, dtype="datetime64[s]")
        present = ~np.isnan(arr)
        if present.any():
            i = int(np.argmax(present))
            msg = (
                f"`{name}` must hold dates or datetimes (numpy datetime64, datetime, "
                f"date or ISO 8601 strings); got dtype {np.asarray(values).dtype}, e.g. "
                f"{_describe(arr[i])} at index {i}; parse text dates first (e.g. with "
                "`pandas.to_datetime`)."
            )
            raise InvalidInputTypeError(msg)
        # nothing but missing values (NaN/None): no dates, every one missing
        arr = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    nat = np.isnat(arr)
    if nat.any() and not allow_missing:
        i, count = _first(nat)
        msg = f"`{name}` contains {count} missing instant(s) (NaT/None), the first at index {i}; every row needs a date."
        raise MissingValueError(msg)
    return arr


def datetime_scalar(value: object, name: str) -> np.datetime64:
    """Validate one calendar instant (a ``datetime64``, datetime, date or ISO string)."""
    values: Any = value.reshape(-1) if isinstance(value, np.ndarray) else [value]
    arr = datetimes_1d(values, name)
    if arr.shape != (1,):
        msg = f"`{name}` must be one date or datetime; got {arr.shape[0]} values."
        raise InvalidInputError(msg)
    return np.datetime64(arr[0])


def common_unit(*arrays: NDArray[np.datetime64]) -> list[NDArray[np.datetime64]]:
    """Cast datetime64 arrays to their finest common unit (no copy when already there)."""
    dtype = np.result_type(*(a.dtype for a in arrays))
    return [a.astype(dtype, copy=False) for a in arrays]


def _frame_aware_utc(values: Any) -> NDArray[Any] | None:
    """A timezone-aware pandas column as naive UTC datetime64 (vectorised), else None.

    Duck-typed: pandas is never imported. Other input returns None (and takes the
    general path, where aware datetime objects are converted one by one).
    """
    if not type(values).__module__.startswith("pandas"):
        return None
    if getattr(getattr(values, "dtype", None), "tz", None) is None:
        return None
    obj = values.dt if hasattr(values, "dt") else values
    return np.asarray(obj.tz_convert(None))


def _zone_aware(values: Any) -> bool | None:
    """Whether instants carry a time zone: True, False (naive), None (no datetimes).

    pandas and polars columns are read from their dtype; numpy ``datetime64``,
    dates and ISO strings are naive; object arrays and scalars by their first
    datetime. Cheap: no conversion of the data.
    """
    dtype = getattr(values, "dtype", None)
    if type(values).__module__.startswith(("pandas", "polars")) and dtype is not None:
        if (
            getattr(dtype, "tz", None) or getattr(dtype, "time_zone", None)
        ) is not None:
            return True
        if getattr(dtype, "kind", None) == "M" or str(dtype).startswith(
            ("Datetime", "Date")
        ):
            # a column of nothing but nulls (an end date nobody has yet) holds
            # no instant, so no zone either
            return None if np.isnat(np.asarray(values)).all() else False
    if isinstance(values, datetime):
        return values.tzinfo is not None and values.utcoffset() is not None
    if isinstance(values, np.datetime64 | date | str):
        return False
    if isinstance(values, np.ndarray | list | tuple) or dtype is not None:
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError):
            return None
        if arr.dtype.kind == "M":
            return None if np.isnat(arr).all() else False
        if arr.dtype.kind in "US":
            return False
        if arr.dtype.kind == "O":
            for v in arr.reshape(-1).tolist():
                if isinstance(v, datetime):
                    return v.tzinfo is not None and v.utcoffset() is not None
                if isinstance(v, date | str):
                    return False
    return None


def check_zones(named: dict[str, object]) -> None:
    """Refuse naive and timezone-aware instants mixed across arguments (None skipped).

    Cheap (dtypes, a NaT check, the first datetime of an object array). A naive
    instant is never read as UTC: the message says how to make them agree.
    """
    zones = {
        label: z
        for label, v in named.items()
        if v is not None and (z := _zone_aware(v)) is not None
    }
    if len(set(zones.values())) > 1:
        aware = [f"`{k}`" for k, z in zones.items() if z]
        naive = [f"`{k}`" for k, z in zones.items() if not z]
        msg = (
            f"{' and '.join(aware)} {'holds' if len(aware) == 1 else 'hold'} "
            "timezone-aware datetimes but "
            f"{' and '.join(naive)} naive ones; a naive datetime is not read as UTC. "
            "Use one kind: localise the naive ones (e.g. `.dt.tz_localize('UTC')`, "
            "`pd.Timestamp('2024-07-01', tz='UTC')`) or drop the zone of the aware "
            "ones (e.g. `.dt.tz_localize(None)`)."
        )
        raise InvalidInputError(msg)


#: int64 nanoseconds cover 1678-2262; instants are checked to lie in this range
_NS_MIN = np.datetime64("1678-01-01", "ns")


_NS_MAX = np.datetime64("2261-12-31", "ns")


def _frame_utc(values: Any, name: str) -> NDArray[Any] | None:
    """Fast path for pandas columns: tz-aware ones to UTC, naive ones refused.

    Duck-typed (pandas is never imported): a Series/Index whose dtype carries a
    ``tz`` is converted with ``tz_convert(None)`` (UTC, tz dropped).
    """
    dtype = getattr(values, "dtype", None)
    module = type(values).__module__
    if not module.startswith(("pandas", "polars")) or dtype is None:
        return None
    tz = getattr(dtype, "tz", None) or getattr(dtype, "time_zone", None)
    if tz is not None and module.startswith("pandas"):
        obj = values.dt if hasattr(values, "dt") else values
        return np.asarray(obj.tz_convert(None))
    if tz is None and getattr(dtype, "kind", None) == "M":
        msg = (
            f"`{name}` holds naive datetimes (no time zone); localise them first, e.g. "
            "`.dt.tz_localize('Europe/Berlin')`, or pass numpy datetime64 values, "
            "which are read as UTC."
        )
        raise InvalidInputError(msg)
    return None


def utc_instants_1d(values: ArrayLike, name: str) -> NDArray[np.int64]:
    """Validate instants as int64 nanoseconds since the epoch (UTC).

    Accepted: numpy ``datetime64`` arrays (read as UTC instants), timezone-aware
    :class:`datetime.datetime` objects or pandas Timestamps, and timezone-aware
    pandas columns. Refused, with the index: naive datetime objects and naive
    pandas columns (the wall clock of an unknown zone), numbers, strings, missing
    instants (NaT/None) and instants outside 1678-2261 (the range of int64
    nanoseconds). The input is never modified.
    """
    fast = _frame_utc(values, name)
    arr = as_1d(values if fast is None else fast, name)
    if arr.dtype.kind == "O":
        for i, v in enumerate(arr.tolist()):
            if isinstance(v, datetime) and (v.tzinfo is None or v.utcoffset() is None):
                msg = (
                    f"`{name}` must hold timezone-aware datetimes; got the naive "
                    f"{v!r} at index {i}; attach a zone (e.g. "
                    "`dt.replace(tzinfo=ZoneInfo('Europe/Berlin'))`) or pass numpy "
                    "datetime64 values, which are read as UTC."
                )
                raise InvalidInputError(msg)
        arr = _datetime_objects(arr, name)
    if arr.dtype.kind != "M":
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        msg = (
            f"`{name}` must hold instants: numpy datetime64 (UTC) or timezone-aware "
            f"datetimes; got dtype {arr.dtype}."
        )
        raise InvalidInputTypeError(msg)
    nat = np.isnat(arr)
    if nat.any():
        i, count = _first(nat)
        msg = f"`{name}` contains {count} missing instant(s) (NaT/None), the first at index {i}."
        raise MissingValueError(msg)
    if arr.size:
        unit_max = _NS_MAX.astype(arr.dtype)
        unit_min = _NS_MIN.astype(arr.dtype)
        bad = (arr < unit_min) | (arr > unit_max)
        if bad.any():
            i, count = _first(bad)
            msg = f"`{name}` must lie between 1678 and 2261 (int64 nanoseconds); got {arr[i]} at index {i} ({count} such instant(s))."
            raise InvalidInputError(msg)
    return arr.astype("datetime64[ns]").view(np.int64)


def seconds_ns_1d(values: ArrayLike, name: str) -> NDArray[np.int64]:
    """Validate non-negative durations as int64 nanoseconds.

    Numbers are seconds (rounded to the nearest nanosecond); ``timedelta64``
    arrays and :class:`datetime.timedelta` objects are exact. Missing, infinite
    and negative durations are refused with their index.
    """
    arr = as_1d(values, name)
    if (
        arr.dtype.kind == "O"
        and arr.size
        and all(isinstance(v, timedelta) for v in arr.tolist())
    ):
        arr = arr.astype("timedelta64[us]")
    if arr.dtype.kind == "m":
        nat = np.isnat(arr)
        if nat.any():
            i, count = _first(nat)
            msg = f"`{name}` contains {count} missing duration(s) (NaT), the first at index {i}."
            raise MissingValueError(msg)
        ns = arr.astype("timedelta64[ns]").view(np.int64)
    else:
        sec, _ = durations_1d(arr, name)
        big = sec > 9.0e9
        if big.any():
            i, count = _first(big)
            msg = f"`{name}` must be below 9e9 seconds; got {_describe(sec[i])} at index {i}."
            raise InvalidInputError(msg)
        ns = np.rint(sec * 1e9).astype(np.int64)
    neg = ns < 0
    if neg.any():
        i, count = _first(neg)
        msg = f"`{name}` must be non-negative; got {arr[i]} at index {i} ({count} negative duration(s))."
        raise InvalidInputError(msg)
    return ns
