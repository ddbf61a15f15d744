"""How contacts are judged: the service-level threshold and the short-abandon cut-off."""

from __future__ import annotations

from datetime import timedelta

import attrs
import numpy as np

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics.staffing._durations import duration_parameter

__all__ = ["ContactScheme"]


def _threshold(value: float | timedelta | np.timedelta64) -> float:
    return float(duration_parameter(value, "threshold"))


def _short_abandon(value: float | timedelta | np.timedelta64) -> float:
    return float(duration_parameter(value, "short_abandon"))


@attrs.frozen(field_transformer=nan_equal_fields)
class ContactScheme:
    """Threshold and short-abandon cut-off for observed contact-centre metrics.

    Parameters
    ----------
    threshold : float or time delta, default 20
        Service-level threshold :math:`T`: a contact answered after waiting at most
        ``threshold`` (``wait <= T``) is answered "within T". A number is in the
        unit of the waits (seconds, usually); a time delta
        (:class:`datetime.timedelta`, ``numpy.timedelta64``, pandas ``Timedelta``)
        is converted to seconds, the unit of waits given as time deltas. Finite
        and ``>= 0``.
    short_abandon : float or time delta, default 0
        Abandons with ``wait < short_abandon`` are *short* (callers who hung up
        before they could reasonably be answered). The default 0 makes none
        short. Units as ``threshold``.

    Examples
    --------
    >>> ContactScheme()
    ContactScheme(threshold=20.0, short_abandon=0.0)
    >>> ContactScheme(threshold=30, short_abandon=5).short_abandon
    5.0
    >>> from datetime import timedelta
    >>> ContactScheme(threshold=timedelta(minutes=1)).threshold
    60.0
    """

    threshold: float = attrs.field(default=20.0, converter=_threshold)
    short_abandon: float = attrs.field(default=0.0, converter=_short_abandon)
