"""How contacts are judged: the service-level threshold and the short-abandon cut-off."""

from __future__ import annotations

import attrs

from cxmetrics._validation import parameter_array

__all__ = ["ContactScheme"]


def _threshold(value: float) -> float:
    return float(parameter_array(value, "threshold", low=0.0))


def _short_abandon(value: float) -> float:
    return float(parameter_array(value, "short_abandon", low=0.0))


@attrs.frozen
class ContactScheme:
    """Threshold and short-abandon cut-off for observed contact-centre metrics.

    Parameters
    ----------
    threshold : float, default 20
        Service-level threshold :math:`T`: a contact answered after waiting at most
        ``threshold`` (``wait <= T``) is answered "within T". Same unit as the waits
        (seconds, usually); finite and ``>= 0``.
    short_abandon : float, default 0
        Abandons with ``wait < short_abandon`` are *short* (callers who hung up
        before they could reasonably be answered). The default 0 makes none short.

    Examples
    --------
    >>> ContactScheme()
    ContactScheme(threshold=20.0, short_abandon=0.0)
    >>> ContactScheme(threshold=30, short_abandon=5).short_abandon
    5.0
    """

    threshold: float = attrs.field(default=20.0, converter=_threshold)
    short_abandon: float = attrs.field(default=0.0, converter=_short_abandon)
