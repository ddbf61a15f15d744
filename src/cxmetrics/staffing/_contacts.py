r"""The front door for observed contact-centre metrics: ``contact_metrics``."""

from __future__ import annotations

from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.options import check_option
from cxmetrics._core.validation import (
    check_levels_need_by,
    check_same_length,
    instants_1d,
)
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.staffing._contact_result import ContactResult, GroupedContactResult
from cxmetrics.staffing._contact_scheme import ContactScheme
from cxmetrics.staffing._contact_state import ContactState, GroupedContactState
from cxmetrics.staffing._durations import Duration
from cxmetrics.typing import NanPolicy, ServiceLevelDefinition

__all__ = ["contact_metrics", "waits_from_instants"]


@overload
def contact_metrics(
    wait: ArrayLike,
    abandoned: ArrayLike,
    *,
    talk: ArrayLike | None = ...,
    hold: ArrayLike | None = ...,
    acw: ArrayLike | None = ...,
    by: None = ...,
    arrived: None = ...,
    interval: None = ...,
    levels: None = ...,
    scheme: ContactScheme = ...,
    definition: ServiceLevelDefinition = ...,
    nan_policy: NanPolicy = ...,
) -> ContactResult: ...
@overload
def contact_metrics(
    wait: ArrayLike,
    abandoned: ArrayLike,
    *,
    talk: ArrayLike | None = ...,
    hold: ArrayLike | None = ...,
    acw: ArrayLike | None = ...,
    by: ArrayLike | None = ...,
    arrived: ArrayLike | None = ...,
    interval: Duration | None = ...,
    levels: ArrayLike | None = ...,
    scheme: ContactScheme = ...,
    definition: ServiceLevelDefinition = ...,
    nan_policy: NanPolicy = ...,
) -> GroupedContactResult: ...
def contact_metrics(
    wait: ArrayLike,
    abandoned: ArrayLike,
    *,
    talk: ArrayLike | None = None,
    hold: ArrayLike | None = None,
    acw: ArrayLike | None = None,
    by: ArrayLike | None = None,
    arrived: ArrayLike | None = None,
    interval: Duration | None = None,
    levels: ArrayLike | None = None,
    scheme: ContactScheme = ContactScheme(),  # noqa: B008  (frozen, immutable)
    definition: ServiceLevelDefinition = "offered",
    nan_policy: NanPolicy = "raise",
) -> ContactResult | GroupedContactResult:
    r"""Service level, abandonment, ASA and AHT of observed contacts (one row each).

    Parameters
    ----------
    wait : array_like of float or time deltas, shape (n,)
        Time each contact waited: until answered, or until it abandoned
        (seconds, say; finite, ``>= 0``; NaN/None/NaT are missing). Time deltas
        (numpy ``timedelta64``, pandas ``Timedelta`` columns, polars
        ``Duration``, :class:`datetime.timedelta`) are converted to seconds.
        :func:`waits_from_instants` derives it from arrival/answer/abandon instants.
    abandoned : array_like of bool, shape (n,)
        True for contacts that hung up before being answered.
    talk, hold, acw : array_like of float or time deltas, shape (n,), optional
        Handle-time components of answered contacts (talk, hold, after-contact
        work); values on abandoned rows are ignored and may be NaN/NaT. Components
        not given count as 0. Time deltas are converted to seconds.
    by : array_like, shape (n,), optional
        Group key per contact (queue, team, channel): a grouped result.
    arrived : array_like, shape (n,), optional
        Arrival instants (numbers, or datetimes) to bin into intervals.
    interval : float or time delta, optional
        Interval length in seconds (or the unit of numeric ``arrived``), e.g. 1800
        or ``timedelta(minutes=30)`` for half hours; intervals start at multiples
        of it from the epoch (0).
    levels : array_like, optional
        With ``by``: every group to report, in order.
    scheme : ContactScheme, default ContactScheme()
        Threshold (default 20) and short-abandon cut-off (default 0), numbers in
        the unit of the waits or time deltas (seconds).
    definition : {'offered', 'answered', 'excluding_short_abandons', 'abandons_met'}, default 'offered'
        Service-level formula (Notes).
    nan_policy : {'raise', 'omit'}, default 'raise'
        Missing waits raise, or are omitted and counted in ``n_missing``.

    Returns
    -------
    ContactResult or GroupedContactResult
        ``value`` is the service level (a fraction in [0, 1]) with ``n`` (its
        denominator) and ``confidence_interval()`` (Wilson); also the abandonment
        rates, ``asa``, ``mean_wait``, ``aht`` and its components, and counts.
        Grouped by ``by`` and/or interval (one row per cell with contacts).

    Raises
    ------
    InvalidInputError
        Negative or infinite waits or handle times, flags other than 0/1, lengths
        that differ, a non-positive interval; a wait or handle time above 1e150
        seconds (its square would overflow the variance: a documented limit).
    MissingValueError
        Missing waits with ``nan_policy='raise'``, missing handle times on answered
        contacts, missing group keys or arrival instants.
    InvalidInputTypeError
        Non-numeric waits.

    Warns
    -----
    UndefinedMetricWarning
        When the service level's denominator is zero (the value is NaN).

    Notes
    -----
    With :math:`T` the threshold and :math:`S` the short-abandon cut-off:

    ============================== ============================================
    ``definition``                 service level
    ============================== ============================================
    ``'offered'`` (default)        answered with wait :math:`\le T` / offered
    ``'answered'``                 answered with wait :math:`\le T` / answered
    ``'excluding_short_abandons'`` answered with wait :math:`\le T` /
                                   (offered - abandoned with wait :math:`< S`)
    ``'abandons_met'``             (answered + abandoned, wait :math:`\le T`) / offered
    ============================== ============================================

    ASA is the mean wait of answered contacts; ``mean_wait`` the mean over all
    offered contacts (abandoned ones counted until they hung up). The abandonment
    rate is abandoned / offered, and without short abandons
    (abandoned - short) / (offered - short). Every count is kept in the state, so
    any definition can be recomputed from a stored state (``state.compute(definition=...)``).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> wait = [4, 18, 25, 60, 2, 45, 3]
    >>> abandoned = [False, False, False, False, True, True, False]
    >>> res = cx.contact_metrics(wait, abandoned)
    >>> res.value, res.met, res.n
    (0.4286, 3, 7)
    >>> round(cx.contact_metrics(wait, abandoned, definition="answered").value, 4)
    0.6

    By queue, in one pass:

    >>> res = cx.contact_metrics(wait, abandoned, by=["a", "a", "b", "b", "a", "b", "a"])
    >>> res.keys.tolist(), res.value.round(3).tolist()
    (['a', 'b'], [0.75, 0.0])

    Durations as time deltas are seconds:

    >>> import numpy as np
    >>> from datetime import timedelta
    >>> res = cx.contact_metrics(np.array(wait, dtype="m8[s]"), abandoned,
    ...                          scheme=cx.ContactScheme(threshold=timedelta(seconds=20)))
    >>> res.value, res.asa
    (0.4286, 22.0)
    """
    check_option("definition", definition, ServiceLevelDefinition)
    check_option("nan_policy", nan_policy, NanPolicy)
    check_levels_need_by(by, levels)
    if by is None and interval is None and arrived is None:
        state = ContactState.from_contacts(
            wait,
            abandoned,
            talk=talk,
            hold=hold,
            acw=acw,
            scheme=scheme,
            nan_policy=nan_policy,
        )
        return state.compute(definition=definition)
    grouped = GroupedContactState.from_contacts(
        wait,
        abandoned,
        by=by,
        arrived=arrived,
        interval=interval,
        levels=levels,
        talk=talk,
        hold=hold,
        acw=acw,
        scheme=scheme,
        nan_policy=nan_policy,
    )
    return grouped.compute(definition=definition)


def waits_from_instants(
    arrived: ArrayLike,
    answered: ArrayLike | None = None,
    abandoned: ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Waits and abandon flags from arrival, answer and abandon instants.

    Parameters
    ----------
    arrived : array_like, shape (n,)
        Arrival instants: numbers (seconds) or datetimes (numpy datetime64,
        :class:`datetime.datetime`, pandas Timestamps; naive and timezone-aware
        may not be mixed).
    answered, abandoned : array_like, shape (n,), optional
        When each contact was answered, or abandoned; missing (NaN/NaT/None) where
        it did not happen. Every contact must have exactly one of the two.

    Returns
    -------
    wait : ndarray of float
        Seconds (or the unit of numeric instants) from arrival to answer or abandon.
    abandoned : ndarray of bool
        True for abandoned contacts.

    Raises
    ------
    InvalidInputError
        A contact with both or neither instant, an answer or abandon before the
        arrival, lengths that differ.
    InvalidInputTypeError
        Datetimes mixed with numbers.

    Examples
    --------
    >>> import numpy as np
    >>> arrived = np.array(["2024-05-01T09:00:00", "2024-05-01T09:00:10"], dtype="M8[s]")
    >>> answered = np.array(["2024-05-01T09:00:12", "NaT"], dtype="M8[s]")
    >>> abandoned = np.array(["NaT", "2024-05-01T09:01:00"], dtype="M8[s]")
    >>> wait, flags = waits_from_instants(arrived, answered, abandoned)
    >>> wait.tolist(), flags.tolist()
    ([12.0, 50.0], [False, True])
    """
    start = instants_1d(arrived, "arrived")
    n = start.shape[0]
    ends: list[NDArray[Any] | None] = []
    for name, values in (("answered", answered), ("abandoned", abandoned)):
        if values is None:
            ends.append(None)
            continue
        end = instants_1d(values, name)
        check_same_length(name, end, "arrived", n)
        if (end.dtype.kind == "M") != (start.dtype.kind == "M"):
            msg = f"`{name}` and `arrived` must both be datetimes or both be numbers; got {end.dtype} and {start.dtype}."
            raise InvalidInputTypeError(msg)
        ends.append(end)
    present = [
        np.zeros(n, dtype=bool)
        if e is None
        else ~(np.isnat(e) if e.dtype.kind == "M" else np.isnan(e))
        for e in ends
    ]
    both, neither = present[0] & present[1], ~(present[0] | present[1])
    for mask, what in (
        (both, "both an answer and an abandon"),
        (neither, "neither an answer nor an abandon"),
    ):
        if mask.any():
            i = int(np.argmax(mask))
            msg = f"every contact needs exactly one of `answered` and `abandoned`; contact {i} has {what} ({int(mask.sum())} such contact(s))."
            raise InvalidInputError(msg)
    if start.dtype.kind == "M":
        if np.isnat(start).any():
            i = int(np.argmax(np.isnat(start)))
            msg = f"`arrived` is missing (NaT) at index {i}; every contact needs an arrival time."
            raise InvalidInputError(msg)
        wait = np.zeros(n)
        for e, p in zip(ends, present, strict=True):
            if e is not None:
                delta = (e[p] - start[p]) / np.timedelta64(1, "s")
                wait[p] = delta
    else:
        if np.isnan(start).any():
            i = int(np.argmax(np.isnan(start)))
            msg = f"`arrived` is missing (NaN) at index {i}; every contact needs an arrival time."
            raise InvalidInputError(msg)
        wait = np.zeros(n)
        for e, p in zip(ends, present, strict=True):
            if e is not None:
                wait[p] = e[p] - start[p]
    neg = wait < 0
    if neg.any():
        i = int(np.argmax(neg))
        msg = f"a contact ends before it arrives: answered/abandoned {-wait[i]:g} s before `arrived` at index {i} ({int(neg.sum())} such contact(s))."
        raise InvalidInputError(msg)
    return wait, present[1]
