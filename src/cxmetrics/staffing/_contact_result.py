r"""Results of observed contact-centre metrics: service level, abandonment, ASA, AHT.

All metrics are ratios of a state's counts and sums, computed here for one state
(shape ``(8,)``/``(7,)``) or many cells (``(g, 8)``/``(g, 7)``) by the same code.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.grouped import to_python
from cxmetrics._core.result import GroupedResult, grouped_result, shared
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.staffing._contact_scheme import ContactScheme
from cxmetrics.staffing._durations import Duration, duration_parameter
from cxmetrics.stats import (
    CI,
    ConfidenceInterval,
    ConfidenceIntervalArray,
    IntervalMethods,
    critical_value,
    proportion_interval,
)
from cxmetrics.typing import ProportionMethod, ServiceLevelDefinition

__all__ = [
    "COUNTS",
    "SUMS",
    "ContactResult",
    "GroupedContactResult",
    "contact_columns",
]

#: the int64 counts of a contact state, in order
COUNTS = (
    "offered",
    "answered",
    "answered_within",
    "abandoned",
    "abandoned_within",
    "short_abandoned",
    "handled",
    "n_missing",
)
#: the float64 sums of a contact state, in order
SUMS = (
    "answered_wait",
    "answered_wait_sq",
    "abandoned_wait",
    "talk",
    "hold",
    "acw",
    "handle_sq",
)


def _ratio(a: NDArray[Any], b: NDArray[Any]) -> NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _mean_se(
    total: NDArray[Any], squares: NDArray[Any], n: NDArray[Any]
) -> NDArray[np.float64]:
    """Standard error of a mean from its sum and sum of squares (ddof 1)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        nf = n.astype(np.float64)
        var = np.maximum(squares - total * _ratio(total, n), 0.0) / (nf - 1.0)
        return np.where(n > 1, np.sqrt(var / np.where(n > 0, nf, 1.0)), np.nan)


def contact_columns(
    counts: NDArray[np.int64], sums: NDArray[np.float64], definition: str
) -> dict[str, NDArray[Any]]:
    """Every metric of a state (vectorised over cells on the first axis)."""
    check_option("definition", definition, ServiceLevelDefinition)
    c = {name: counts[..., i] for i, name in enumerate(COUNTS)}
    s = {name: sums[..., i] for i, name in enumerate(SUMS)}
    met = c["answered_within"]
    if definition == "offered":
        n = c["offered"]
    elif definition == "answered":
        n = c["answered"]
    elif definition == "excluding_short_abandons":
        n = c["offered"] - c["short_abandoned"]
    else:
        n = c["offered"]
        met = met + c["abandoned_within"]
    value = _ratio(met, n)
    handle = s["talk"] + s["hold"] + s["acw"]
    with np.errstate(invalid="ignore"):
        se = np.sqrt(value * (1.0 - value) / np.where(n > 0, n, 1))
    return {
        "value": value,
        "n": n,
        "met": met,
        **c,
        "abandon_rate": _ratio(c["abandoned"], c["offered"]),
        "abandon_rate_excluding_short": _ratio(
            c["abandoned"] - c["short_abandoned"], c["offered"] - c["short_abandoned"]
        ),
        "asa": _ratio(s["answered_wait"], c["answered"]),
        "mean_wait": _ratio(s["answered_wait"] + s["abandoned_wait"], c["offered"]),
        "aht": _ratio(handle, c["handled"]),
        "talk": _ratio(s["talk"], c["handled"]),
        "hold": _ratio(s["hold"], c["handled"]),
        "acw": _ratio(s["acw"], c["handled"]),
        "standard_error": np.where(n > 0, se, np.nan),
        "asa_standard_error": _mean_se(
            s["answered_wait"], s["answered_wait_sq"], c["answered"]
        ),
        "aht_standard_error": _mean_se(handle, s["handle_sq"], c["handled"]),
    }


def _warn_empty(value: NDArray[np.float64]) -> None:
    empty = int(np.count_nonzero(np.isnan(value)))
    if not empty:
        return
    if np.ndim(value) == 0:
        msg = "the service level is undefined for zero contacts in its denominator; returning NaN."
    else:
        msg = f"the service level is undefined for {empty} group(s) with zero contacts in its denominator; returning NaN for them."
    warnings.warn(msg, UndefinedMetricWarning, stacklevel=4)


def _occupancy(handle: Any, available_time: Any) -> NDArray[np.float64]:
    """Handle time over available time, refusing a share above 1 (a unit mix-up)."""
    avail = duration_parameter(available_time, "available_time")
    try:
        h, av = np.broadcast_arrays(np.asarray(handle, dtype=np.float64), avail)
    except ValueError:
        msg = f"`available_time` must have one value per group ({np.shape(handle)}); got shape {avail.shape}."
        raise InvalidInputError(msg) from None
    over = h > av * (1.0 + 1e-12)
    if over.any():
        flat_h, flat_av = h.reshape(-1), av.reshape(-1)
        i = int(np.argmax(over.reshape(-1)))
        where = f" at index {i}" if over.ndim else ""
        ratio = flat_h[i] / flat_av[i] if flat_av[i] > 0 else math.inf
        msg = (
            f"`available_time` must be at least the handle time it contains; got "
            f"{flat_av[i]:g} against a handle time of {flat_h[i]:g}{where} "
            f"(occupancy {ratio:.4g} > 1, {int(over.sum())} such value(s)). Give it "
            "in the unit of the handle times (seconds when they are time deltas), "
            "for instance as a time delta: available_time=datetime.timedelta(hours=8)."
        )
        raise InvalidInputError(msg)
    out = _ratio(h, av)
    undefined = int(np.count_nonzero(np.isnan(out)))
    if undefined:
        warnings.warn(
            f"occupancy is undefined for {undefined} value(s) with no available "
            "time and no handle time; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    return out


class _ContactMethods(IntervalMethods[CI]):
    """Intervals written once for :class:`ContactResult` and its grouped result."""

    __slots__ = ()
    met: Any
    n: Any
    abandoned: Any
    offered: Any

    def confidence_interval(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> CI:
        """Confidence interval for the service level (a binomial proportion), per cell if grouped.

        Parameters
        ----------
        confidence_level : float, default 0.95
            Coverage in (0, 1).
        method : str, default 'wilson'
            Any method of :func:`cxmetrics.stats.proportion_interval`.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.contact_metrics([5] * 80 + [30] * 20, [False] * 100)
        >>> [round(b, 4) for b in res.confidence_interval()]
        [0.7112, 0.8666]
        """
        ci = proportion_interval(self.met, self.n, confidence_level, method=method)
        return self._bounds(ci.low, ci.high)

    def abandon_interval(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> CI:
        """Confidence interval for the abandonment rate (abandoned / offered).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.contact_metrics([5] * 100, [True] * 10 + [False] * 90)
        >>> [round(b, 4) for b in res.abandon_interval()]
        [0.0552, 0.1744]
        """
        ci = proportion_interval(
            self.abandoned, self.offered, confidence_level, method=method
        )
        return self._bounds(ci.low, ci.high)


@attrs.frozen(field_transformer=nan_equal_fields)
class ContactResult(DisplayMixin, _ContactMethods[ConfidenceInterval]):
    r"""Observed contact-centre metrics of a set of contacts.

    Attributes
    ----------
    value : float
        Service level under ``definition``, a fraction in [0, 1]: ``met / n``; NaN
        when ``n == 0``.
    n : int
        Contacts in the service-level denominator (offered; answered; offered minus
        short abandons; as ``definition`` says).
    met : int
        Contacts meeting the threshold (answered within T, plus abandoned within T
        for ``'abandons_met'``).
    offered, answered, answered_within, abandoned, abandoned_within, short_abandoned : int
        Counts of contacts (answered/abandoned within T means ``wait <= T``; short
        abandons have ``wait < short_abandon``).
    handled : int
        Answered contacts with handle times (0 when none were given).
    n_missing : int
        Contacts with a missing wait, omitted under ``nan_policy='omit'``.
    abandon_rate : float
        ``abandoned / offered``, in [0, 1].
    abandon_rate_excluding_short : float
        ``(abandoned - short) / (offered - short)``.
    asa : float
        Average speed of answer: mean wait of *answered* contacts.
    mean_wait : float
        Mean wait over *all offered* contacts (abandoned ones until they hung up).
    aht, talk, hold, acw : float
        Average handle time and its components (talk, hold, after-contact work)
        over handled contacts; ``aht == talk + hold + acw``.
    standard_error : float
        :math:`\sqrt{p(1-p)/n}` of ``value``.
    asa_standard_error, aht_standard_error : float
        Standard errors of the means (sample standard deviation over
        :math:`\sqrt{n}`).
    definition : str
        The service-level definition.
    scheme : ContactScheme
        Threshold and short-abandon cut-off.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.contact_metrics([3, 25, 12, 40, 8], [False, False, False, True, True])
    >>> res.value, res.n, res.abandon_rate
    (0.4, 5, 0.4)
    >>> round(res.asa, 3)
    13.333
    """

    value: float
    n: int
    met: int
    offered: int
    answered: int
    answered_within: int
    abandoned: int
    abandoned_within: int
    short_abandoned: int
    handled: int
    n_missing: int
    abandon_rate: float
    abandon_rate_excluding_short: float
    asa: float
    mean_wait: float
    aht: float
    talk: float
    hold: float
    acw: float
    standard_error: float
    asa_standard_error: float
    aht_standard_error: float
    definition: str = shared()
    scheme: ContactScheme = shared()

    @classmethod
    def from_state(
        cls,
        scheme: ContactScheme,
        counts: NDArray[np.int64],
        sums: NDArray[np.float64],
        definition: ServiceLevelDefinition,
    ) -> Self:
        """The result of one state's counts and sums."""
        cols = contact_columns(counts, sums, definition)
        _warn_empty(cols["value"])
        return cls(
            **{k: to_python(v) for k, v in cols.items()},
            definition=definition,
            scheme=scheme,
        )

    @property
    def service_level(self) -> float:
        """The service level (``value``)."""
        return self.value

    def asa_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Normal-approximation interval for the ASA: ``asa +- z * asa_standard_error``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> low, high = cx.contact_metrics([10, 20, 30, 40], [False] * 4).asa_interval()
        >>> round(low, 2), round(high, 2)
        (12.35, 37.65)
        """
        z = critical_value(confidence_level)
        half = z * self.asa_standard_error
        return ConfidenceInterval(self.asa - half, self.asa + half)

    def occupancy(self, available_time: Duration) -> float:
        """Share of agents' available time spent handling: handle time / ``available_time``.

        Contacts carry handle times but not idle time, so the agents' logged-in
        (available plus handling) time of the period must be given: a number in
        the unit of the handle times, or a time delta (seconds, the unit of
        handle times given as time deltas).

        Raises
        ------
        InvalidInputError
            When the handle time exceeds ``available_time`` (an occupancy above
            1, typically ``available_time`` in another unit, e.g. hours against
            seconds).

        Warns
        -----
        UndefinedMetricWarning
            When both are 0 (NaN returned).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.contact_metrics([5, 9], [False, False], talk=[200, 300], acw=[40, 60])
        >>> res.aht, res.occupancy(available_time=1200)
        (300.0, 0.5)
        >>> from datetime import timedelta
        >>> res.occupancy(timedelta(minutes=40))
        0.25
        """
        handle = self.aht * self.handled if self.handled else 0.0
        return float(_occupancy(handle, available_time))

    def __str__(self) -> str:
        if math.isnan(self.value):
            return f"service level undefined (n={self.n})"
        low, high = self.confidence_interval()
        return (
            f"service level {self.value:.3f} (95% CI {low:.3f} to {high:.3f}; "
            f"{self.met}/{self.n}, {self.definition}, T={self.scheme.threshold:g}); "
            f"abandoned {self.abandon_rate:.3f}; ASA {self.asa:.4g}"
        )


@grouped_result(
    ContactResult,
    table=("value", "n", "offered", "abandon_rate", "asa", "aht"),
    ci_columns=True,
)
class GroupedContactResult(
    GroupedResult[ContactResult], _ContactMethods[ConfidenceIntervalArray]
):
    """:class:`ContactResult` per group and/or interval: the fields as arrays over ``keys``.

    ``keys`` holds the group labels; with intervals it is a record array with fields
    ``key`` and/or ``interval`` (interval start), and ``result[("north", t0)]``
    (or ``result[t0]``) gives one cell's :class:`ContactResult`. ``to_dict()``
    adds the 95% Wilson interval of the service level as ``ci_low``/``ci_high``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.contact_metrics([5, 30, 12, 2], [False, False, True, False],
    ...                          arrived=[0, 100, 1900, 2000], interval=1800)
    >>> res.to_dict()["interval"].tolist(), res.value.tolist(), res.n.tolist()
    ([0.0, 1800.0], [0.5, 0.5], [2, 2])
    """

    definition: str
    scheme: ContactScheme

    @classmethod
    def from_state(
        cls,
        scheme: ContactScheme,
        keys: NDArray[Any],
        counts: NDArray[np.int64],
        sums: NDArray[np.float64],
        definition: ServiceLevelDefinition,
    ) -> Self:
        """The result of a grouped state's counts and sums."""
        cols = contact_columns(counts, sums, definition)
        _warn_empty(cols["value"])
        return cls(keys=keys, **cols, definition=definition, scheme=scheme)

    @property
    def service_level(self) -> NDArray[np.float64]:
        """The service level of every cell (``value``)."""
        return self.value

    def occupancy(self, available_time: ArrayLike | Duration) -> NDArray[np.float64]:
        """Handle time over ``available_time`` (one value per cell, or one for all).

        Numbers in the unit of the handle times, or time deltas (seconds; pandas
        ``Timedelta`` and polars ``Duration`` columns too); an occupancy above 1
        is refused as in :meth:`ContactResult.occupancy`.
        """
        handle = np.where(self.handled > 0, self.aht * self.handled, 0.0)
        return _occupancy(handle, available_time)
