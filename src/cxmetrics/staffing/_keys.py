"""Group keys of contacts: a group column, a time interval, or both, and their alignment.

A contact's cell is its group (``by``), its interval (``arrived`` floored to a
multiple of ``interval``), or the pair. Cells are numbered by a mixed-radix code so
that one ``np.bincount`` per statistic counts every cell in one pass. Keys of two
states are aligned by value when the states merge.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.keys import align_keys, position
from cxmetrics._core.validation import (
    check_levels_need_by,
    check_same_length,
    group_index,
    instants_1d,
)
from cxmetrics.exceptions import (
    InvalidInputError,
    MissingValueError,
)
from cxmetrics.staffing._durations import Duration, duration_parameter

__all__ = ["Cells", "align_keys", "contact_cells", "key_columns", "position"]


class Cells(NamedTuple):
    """Cell code of every row, the key of every cell, and the number of cells."""

    codes: NDArray[np.intp]
    keys: NDArray[Any]
    size: int
    explicit: bool = False  # keys came from `levels`: report every one


def _plain(labels: NDArray[Any]) -> NDArray[Any]:
    """Object arrays of strings become str arrays (so they can sit in a record)."""
    if labels.dtype.kind == "O" and all(isinstance(v, str) for v in labels.tolist()):
        return np.asarray(labels.tolist(), dtype=str)
    return labels


def _interval_codes(
    arrived: ArrayLike, interval: Duration, n: int
) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """Interval number of every row and a function of the code to the start."""
    length = float(duration_parameter(interval, "interval", positive=True))
    t = instants_1d(arrived, "arrived")
    check_same_length("arrived", t, "wait", n)
    if t.dtype.kind == "M":
        nat = np.isnat(t)
        if nat.any():
            i = int(np.argmax(nat))
            msg = f"`arrived` contains {int(nat.sum())} missing instant(s) (NaT), the first at index {i}; every contact needs an arrival time."
            raise MissingValueError(msg)
        unit = np.datetime_data(t.dtype)[0]
        per_second = float(np.timedelta64(1, "s") / np.timedelta64(1, unit))  # type: ignore[call-overload]
        step = length * per_second
        if step != np.floor(step) or step < 1:
            msg = f"`interval` ({length:g} s) must be a whole number of the arrival times' unit ({unit})."
            raise InvalidInputError(msg)
        ticks = t.view(np.int64)
        codes = np.floor_divide(ticks, int(step))
        return codes, np.asarray([int(step)], dtype=np.int64).view(f"m8[{unit}]")
    nan = np.isnan(t)
    if nan.any():
        i = int(np.argmax(nan))
        msg = f"`arrived` contains {int(nan.sum())} missing value(s) (NaN), the first at index {i}; every contact needs an arrival time."
        raise MissingValueError(msg)
    codes = np.floor(t / length)
    if codes.size and np.abs(codes).max() > 2.0**62:
        msg = "`arrived` / `interval` is too large to number the intervals."
        raise InvalidInputError(msg)
    return codes.astype(np.int64), np.asarray([length])


def contact_cells(
    n: int,
    by: ArrayLike | None,
    arrived: ArrayLike | None,
    interval: Duration | None,
    levels: ArrayLike | None,
) -> Cells | None:
    """Cells of ``n`` contacts; ``None`` when neither ``by`` nor ``interval`` is given."""
    check_levels_need_by(by, levels)
    if interval is None and arrived is not None:
        msg = "`arrived` is used to bin contacts into intervals: give `interval` too (e.g. 1800 for half hours)."
        raise InvalidInputError(msg)
    if interval is not None and arrived is None:
        msg = "`interval` needs `arrived`, the arrival instant of each contact."
        raise InvalidInputError(msg)
    if by is None and interval is None:
        return None
    group = None if by is None else group_index(by, n, levels=levels, like="wait")
    if interval is None:
        assert group is not None  # noqa: S101  (by is not None)
        codes = (np.asarray(group.source) - group.offset).astype(np.intp)
        return Cells(codes, _plain(group.labels), len(group.labels), group.explicit)
    assert arrived is not None  # noqa: S101
    icodes, step = _interval_codes(arrived, interval, n)
    iidx = group_index(icodes, n, name="arrived", like="wait")
    icode = (np.asarray(iidx.source) - iidx.offset).astype(np.intp)
    if step.dtype.kind == "m":
        starts = (iidx.labels.astype(np.int64) * step.view(np.int64)[0]).view(
            np.dtype(f"M8[{np.datetime_data(step.dtype)[0]}]")
        )
    else:
        starts = iidx.labels.astype(np.float64) * float(step[0])
    if group is None:
        keys = np.empty(len(starts), dtype=[("interval", starts.dtype)])
        keys["interval"] = starts
        return Cells(icode, keys, len(starts))
    gcode = (np.asarray(group.source) - group.offset).astype(np.intp)
    glabels = _plain(group.labels)
    size = len(glabels) * len(starts)
    codes = gcode * len(starts) + icode
    dtype = np.dtype([("key", glabels.dtype), ("interval", starts.dtype)])
    keys = np.empty(size, dtype=dtype)
    keys["key"] = np.repeat(glabels, len(starts))
    keys["interval"] = np.tile(starts, len(glabels))
    return Cells(codes, keys, size)


def key_columns(keys: NDArray[Any]) -> dict[str, NDArray[Any]]:
    """Key columns of a result table: ``key`` and/or ``interval``."""
    if keys.dtype.names:
        return {name: keys[name] for name in keys.dtype.names}
    return {"key": keys}
