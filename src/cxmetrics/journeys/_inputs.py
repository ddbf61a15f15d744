"""Parsing of a funnel's inputs: steps, window and the event log.

Steps and options are checked before any pass over the data; the log is then
validated once (lengths, missing values under ``nan_policy``, one kind of time).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import timedelta
from typing import Any, NamedTuple

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.validation import (
    _first,
    _is_missing_object,
    as_1d,
    check_same_length,
    datetimes_1d,
    group_index,
    is_real,
)
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.typing import FunnelStep

__all__ = ["EventLog", "FunnelSteps", "parse_steps", "parse_window", "read_log"]

#: a step: one event name (or integer code), a collection of them, or a predicate
Step = FunnelStep


@attrs.frozen(field_transformer=nan_equal_fields)
class FunnelSteps:
    """Validated steps: a label and a matcher (names or a predicate) per step."""

    labels: tuple[str, ...]
    matchers: tuple[frozenset[Any] | Callable[[NDArray[Any]], ArrayLike], ...]


def _label(step: Any) -> str:
    if isinstance(step, str | int | np.integer):
        return str(step)
    if callable(step):
        return str(getattr(step, "__name__", repr(step)))
    return " | ".join(sorted(str(s) for s in step))


def _matcher(
    step: Any, where: str
) -> frozenset[Any] | Callable[[NDArray[Any]], ArrayLike]:
    if isinstance(step, str) or (
        isinstance(step, int | np.integer) and not isinstance(step, bool)
    ):
        return frozenset([step])
    if callable(step):
        predicate: Callable[[NDArray[Any]], ArrayLike] = step
        return predicate
    if isinstance(step, Collection) and not isinstance(step, bytes | Mapping):
        names = frozenset(step)
        if not names:
            msg = f"{where} is empty; give each step at least one event name (or a predicate)."
            raise InvalidInputError(msg)
        return names
    msg = f"{where} must be an event name, a collection of names or a predicate; got {step!r}."
    raise InvalidInputTypeError(msg)


def parse_steps(
    steps: Sequence[Step] | Mapping[str, Step], name: str = "steps"
) -> FunnelSteps:
    """Steps as labels and matchers; a mapping gives the labels explicitly."""
    items: list[tuple[str | None, Any]]
    if isinstance(steps, Mapping):
        items = [(str(k), v) for k, v in steps.items()]
    elif isinstance(steps, Sequence) and not isinstance(steps, str):  # type: ignore[redundant-expr]
        items = [(None, v) for v in steps]
    else:
        msg = f"`{name}` must be a list of steps (event names, sets of names or predicates); got {steps!r}."
        raise InvalidInputTypeError(msg)
    if not items:
        msg = f"`{name}` is empty; a funnel needs at least one step."
        raise InvalidInputError(msg)
    labels, matchers = [], []
    for i, (label, step) in enumerate(items):
        matchers.append(_matcher(step, f"`{name}[{i}]`"))
        labels.append(label if label is not None else _label(step))
    if len(set(labels)) != len(labels):
        msg = f"`{name}` has repeated labels {labels!r}; pass a mapping {{label: step}} to name them apart."
        raise InvalidInputError(msg)
    return FunnelSteps(tuple(labels), tuple(matchers))


def _is_timedelta(value: object) -> bool:
    return isinstance(value, timedelta | np.timedelta64)


def parse_window(
    window: object, *, datetimes: bool | None, name: str = "window"
) -> float:
    """The window as a positive float: seconds for datetime logs, else the times' unit.

    A time delta (numpy, :class:`datetime.timedelta`, pandas ``Timedelta``) is
    read as seconds and needs datetime times; ``datetimes=None`` (not known yet)
    accepts both.
    """
    if _is_timedelta(window):
        if datetimes is False:
            msg = f"`{name}` is a time delta ({window!r}) but `times` are numbers; give the window in the times' unit."
            raise InvalidInputTypeError(msg)
        if isinstance(window, np.timedelta64):
            if np.isnat(window):
                msg = f"`{name}` must be a positive duration; got {window!r}."
                raise InvalidInputError(msg)
            value = float(window.astype("timedelta64[ns]").astype(np.int64)) / 1e9
        else:
            assert isinstance(window, timedelta)  # noqa: S101  (narrowing for mypy)
            value = window.total_seconds()
    elif not is_real(window):
        msg = f"`{name}` must be a positive number (seconds for datetime times) or a time delta; got {window!r}."
        raise InvalidInputTypeError(msg)
    else:
        value = float(window)
    if not (math.isfinite(value) and value > 0):
        msg = f"`{name}` must be a positive, finite duration; got {window!r}. Give a {name} > 0."
        raise InvalidInputError(msg)
    return value


class EventLog(NamedTuple):
    """A validated log: unit codes, times, step matches, segments."""

    unit: NDArray[np.int64]
    n_units: int
    time: NDArray[Any]  # int64 ns (datetimes) or int64/float64 numbers
    datetimes: bool
    matches: NDArray[np.bool_]  # (K, n)
    excluded: NDArray[np.bool_] | None
    segment: NDArray[np.int64] | None  # per unit
    segment_labels: NDArray[Any] | None
    n_missing: int
    unit_labels: NDArray[Any]  # the unit key of each counting unit
    session: NDArray[np.int64] | None  # session number within its unit (session_gap)


def _missing(arr: NDArray[Any]) -> NDArray[np.bool_]:
    out: NDArray[np.bool_]
    if arr.dtype.kind == "f":
        out = np.isnan(arr)
    elif arr.dtype.kind in "mM":
        out = np.isnat(arr)
    elif arr.dtype.kind == "O":
        out = np.asarray(np.frompyfunc(_is_missing_object, 1, 1)(arr), dtype=bool)
    else:
        out = np.zeros(arr.shape, dtype=bool)
    return out


def _times(times: ArrayLike, n: int) -> tuple[NDArray[Any], bool]:
    """Times as int64 ns (datetimes, strings) or numbers; NaT/NaN kept for the caller."""
    raw = times
    arr = as_1d(times, "times")
    check_same_length("times", arr, "units", n)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False), False
    if arr.dtype.kind == "f":
        return arr.astype(np.float64, copy=False), False
    if arr.dtype.kind == "b":
        msg = "`times` must be datetimes or numbers; got booleans."
        raise InvalidInputTypeError(msg)
    if arr.dtype.kind == "O":
        items = [v for v in arr.tolist()[:64] if not _is_missing_object(v)]
        if items and all(
            isinstance(v, int | float | np.integer | np.floating)
            and not isinstance(v, bool)
            for v in items
        ):
            num = np.array(
                [np.nan if _is_missing_object(v) else v for v in arr.tolist()],
                dtype=np.float64,
            )
            return num, False
    dt = datetimes_1d(raw, "times", allow_missing=True)
    ns = dt.astype("datetime64[ns]")
    out = ns.view(np.int64).copy()
    return np.where(np.isnat(ns), np.iinfo(np.int64).min, out), True


def _codes(keys: ArrayLike, name: str) -> tuple[NDArray[np.int64], int, NDArray[Any]]:
    """Codes 0..g-1 of the keys present (no empty group from a dense integer range)."""
    arr = as_1d(keys, name)
    m = arr.shape[0]
    if not m:
        return np.zeros(0, np.int64), 0, arr[:0]
    gi = group_index(arr, m, name=name, like="times")
    code = np.asarray(gi.source, dtype=np.int64) - gi.offset
    used = np.bincount(code, minlength=len(gi.labels)) > 0
    if used.all():
        return code, len(gi.labels), gi.labels
    remap = np.cumsum(used) - 1
    return remap[code], int(used.sum()), gi.labels[used]


def _integer_lookup(
    names: frozenset[Any], events: NDArray[Any]
) -> NDArray[np.bool_] | None:
    """Membership of small integer event codes by table lookup (no sort), else None."""
    if events.dtype.kind not in "iu" or not events.size:
        return None
    if not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in names
    ):
        return None
    lo, hi = int(events.min()), int(events.max())
    if hi - lo > 1 << 20:
        return None
    table = np.zeros(hi - lo + 1, dtype=bool)
    for v in names:
        if lo <= int(v) <= hi:
            table[int(v) - lo] = True
    out: NDArray[np.bool_] = table[events.astype(np.intp, copy=False) - lo]
    return out


def _match(matcher: Any, events: NDArray[Any], what: str) -> NDArray[np.bool_]:
    if callable(matcher) and not isinstance(matcher, frozenset):
        mask = np.asarray(matcher(events))
        if mask.shape != events.shape or mask.dtype.kind != "b":
            msg = f"{what} is a predicate that must return one boolean per event ({events.shape[0]}); got {mask.dtype} of shape {mask.shape}."
            raise InvalidInputError(msg)
        return mask
    fast = _integer_lookup(matcher, events)
    if fast is not None:
        return fast
    return np.isin(
        events,
        np.array(sorted(matcher, key=repr), dtype=object)
        if events.dtype.kind == "O"
        else list(matcher),
    )


def read_log(
    units: ArrayLike,
    times: ArrayLike,
    events: ArrayLike,
    steps: FunnelSteps,
    *,
    exclude: FunnelSteps | None,
    by: ArrayLike | None,
    attribution: str,
    session_gap: float | None,
    nan_policy: str,
) -> EventLog:
    """Validate the log once and encode it for the kernels (the input is never modified)."""
    u = as_1d(units, "units")
    n = u.shape[0]
    t, datetimes = _times(times, n)
    ev = as_1d(events, "events")
    check_same_length("events", ev, "units", n)
    seg_rows = None if by is None else as_1d(by, "by")
    if seg_rows is not None:
        check_same_length("by", seg_rows, "units", n)
    missing = {
        "units": _missing(u),
        "times": (t == np.iinfo(np.int64).min) if datetimes else _missing(t),
        "events": _missing(ev),
    }
    bad = np.zeros(n, dtype=bool)
    for name, mask in missing.items():
        if mask.any():
            if nan_policy == "raise":
                i, count = _first(mask)
                msg = f"`{name}` contains {count} missing value(s) (NaN/NaT/None), the first at index {i}; pass nan_policy='omit' to drop and count those rows."
                raise MissingValueError(msg)
            bad |= mask
    if datetimes is False and t.dtype.kind == "f":
        inf = np.isinf(t) & ~bad
        if inf.any():
            i, count = _first(inf)
            msg = f"`times` must be finite; got {t[i]!r} at index {i} ({count} such value(s))."
            raise InvalidInputError(msg)
    n_missing = int(bad.sum())
    keep = ~bad if n_missing else None
    if keep is not None:
        t, ev = t[keep], ev[keep]
        u = u[keep]
        if seg_rows is not None:
            seg_rows = seg_rows[keep]
    m = t.shape[0]
    unit, n_units, unit_labels = _codes(u, "units")
    session_no = None
    matches = (
        np.stack(
            [_match(mt, ev, f"`steps[{i}]`") for i, mt in enumerate(steps.matchers)]
        )
        if m
        else np.zeros((len(steps.labels), 0), bool)
    )
    excluded = None
    if exclude is not None:
        excluded = np.zeros(m, dtype=bool)
        for i, mt in enumerate(exclude.matchers):
            excluded |= _match(mt, ev, f"`exclude[{i}]`")
        both = excluded & matches.any(axis=0)
        if both.any():
            i, count = _first(both)
            msg = f"`exclude` matches the step event {ev[i]!r} at index {i}; an exclusion event cannot also be a step."
            raise InvalidInputError(msg)
    order = None
    if session_gap is not None or by is not None:
        order = np.lexsort((t, unit))
    if session_gap is not None and m:
        assert order is not None  # noqa: S101
        su, st = unit[order], t[order]
        # capped below 2^63 ns (292 years): any longer gap splits nothing either
        cap = 2.0**63 - 1024.0
        gap = np.int64(round(min(session_gap * 1e9, cap))) if datetimes else session_gap
        new = np.ones(m, dtype=bool)
        new[1:] = (su[1:] != su[:-1]) | ((st[1:] - st[:-1]) > gap)
        sid = np.cumsum(new) - 1
        session = np.empty(m, dtype=np.int64)
        session[order] = sid
        starts = np.flatnonzero(new)
        owner = su[starts]
        unit_labels = unit_labels[owner]
        # number sessions 0, 1, ... within each unit
        first_of_unit = np.maximum.accumulate(
            np.where(np.r_[True, owner[1:] != owner[:-1]], np.arange(starts.size), 0)
        )
        session_no = np.arange(starts.size) - first_of_unit
        unit = session
        n_units = int(new.sum())
    segment = labels = None
    if seg_rows is not None:
        assert order is not None  # noqa: S101
        codes, _, labels = _codes(seg_rows, "by")
        su = unit[order]
        if attribution == "first_touch":
            pick = np.ones(m, dtype=bool)
            pick[1:] = su[1:] != su[:-1]
        else:  # last_touch
            pick = np.ones(m, dtype=bool)
            pick[:-1] = su[1:] != su[:-1]
        segment = np.zeros(n_units, dtype=np.int64)
        segment[su[pick]] = codes[order[pick]]
        if attribution == "first_step":
            # the segment on the unit's first step-1 event; first touch without one
            # step-1 rows in reverse order: the last write, the unit's first, wins
            rows = np.flatnonzero(matches[0][order])[::-1]
            segment[su[rows]] = codes[order[rows]]
        # report only the segments some unit is counted in
        used = np.bincount(segment, minlength=len(labels)) > 0
        if not used.all():
            segment = (np.cumsum(used) - 1)[segment]
            labels = labels[used]
    return EventLog(
        unit,
        n_units,
        t,
        datetimes,
        matches,
        excluded,
        segment,
        labels,
        n_missing,
        unit_labels,
        session_no,
    )
