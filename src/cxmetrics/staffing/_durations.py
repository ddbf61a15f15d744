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
from numpy.typing import NDArray

from cxmetrics._core.validation import parameter_array, timedelta_seconds

__all__ = ["Duration", "duration_parameter"]

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
