"""Duration parameters of contact metrics: numbers in the waits' unit, or time deltas.

Waits and handle times given as time deltas (numpy ``timedelta64``, pandas
``Timedelta`` columns, polars ``Duration``, :class:`datetime.timedelta`) become
seconds in :func:`cxmetrics._core.validation.durations_1d`; the thresholds, interval
lengths and available times that are compared with them go through
:func:`duration_parameter`, so a time delta means seconds everywhere and a
number keeps the unit of the other numbers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import (
    _first,
    check_same_length,
    durations_1d,
    parameter_array,
    timedelta_seconds,
)
from cxmetrics.exceptions import MissingValueError

__all__ = ["Duration", "duration_parameter", "handle_times_1d"]

#: a duration parameter: a number (in the unit of the waits) or a time delta (seconds)
Duration = float | timedelta | np.timedelta64


def duration_parameter(
    value: Any, name: str, *, positive: bool = False
) -> NDArray[np.float64]:
    """A scalar or array of durations >= 0 (> 0 with ``positive``), time deltas as seconds.

    Examples
    --------
    >>> from datetime import timedelta
    >>> float(duration_parameter(timedelta(minutes=2), "threshold"))
    120.0
    >>> duration_parameter([30, 45.5], "available_time").tolist()
    [30.0, 45.5]
    """
    if isinstance(value, timedelta | np.timedelta64):
        one = timedelta_seconds(np.array([value], dtype=object), name)
        value = value if one is None else one[0]
    else:
        secs = timedelta_seconds(value, name)
        if secs is not None:
            value = secs
    return parameter_array(value, name, low=0.0, low_inclusive=not positive)


def handle_times_1d(
    values: ArrayLike, name: str, answered: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Validate a handle-time component (talk, hold, after-contact work).

    Finite and non-negative on answered contacts, where a missing value is an
    error; ignored (returned as 0) on the others, where it may be NaN/None.
    """
    arr, missing = durations_1d(values, name, nan_policy="omit")
    check_same_length(name, arr, "wait", answered.shape[0])
    if missing is not None:
        bad = missing & answered
        if bad.any():
            i, count = _first(bad)
            msg = f"`{name}` is missing for {count} answered contact(s), the first at index {i}; answered contacts need every handle-time component."
            raise MissingValueError(msg)
    return np.where(answered, np.nan_to_num(arr, nan=0.0), 0.0)
