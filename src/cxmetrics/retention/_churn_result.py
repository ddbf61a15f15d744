"""Churn results: the value of one convention, its counts and its interval, for one period or per period.

:class:`ChurnResult` (one period) is declared once and :class:`GroupedChurnResult`
(one entry per period) is generated from it (see :mod:`cxmetrics._core.result`);
both share the interval, retention and lifetime rules of ``_ChurnMethods``;
``_columns`` turns the counts of a state into the numerator, denominator and
value of a :class:`~cxmetrics.ChurnConvention`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, cast

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.result import GroupedResult, grouped_result, shared
from cxmetrics.exceptions import (
    InvalidInputError,
    UndefinedMetricWarning,
)
from cxmetrics.retention._conventions import ChurnConvention
from cxmetrics.stats import (
    CI,
    ConfidenceInterval,
    ConfidenceIntervalArray,
    IntervalMethods,
    proportion_interval,
    rate_interval,
)
from cxmetrics.typing import CalendarFreq, ProportionMethod, RateMethod

__all__ = ["ChurnResult", "GroupedChurnResult"]


# --------------------------------------------------------------------- columns


def _columns(
    at_start: NDArray[np.int64],
    churn: NDArray[np.int64],
    joins: NDArray[np.int64],
    reactivated: NDArray[np.int64],
    exposure: NDArray[np.float64],
    convention: ChurnConvention,
) -> dict[str, NDArray[Any]]:
    """Numerator, denominator and value under ``convention`` (leading axes kept)."""
    excl = convention.same_period_joiners == "exclude"
    net = convention.reactivations == "net"
    keep = np.ones((2, 2), dtype=bool)
    if excl:
        keep[1, :] = False
    if net:
        keep[:, 1] = False
    churned = churn.sum(axis=(-2, -1))
    joined = joins.sum(axis=(-2, -1))
    at_end = at_start + joined - churned
    numerator = (churn * keep).sum(axis=(-2, -1))
    if convention.denominator == "start":
        denominator = at_start.astype(np.float64)
    elif convention.denominator == "average":
        denominator = (at_start + at_end) / 2.0
    elif convention.denominator == "start_plus_new":
        denominator = (at_start + (joins * keep).sum(axis=(-2, -1))).astype(np.float64)
    else:
        denominator = np.asarray(exposure, dtype=np.float64)
    defined = denominator > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(
            defined, numerator / np.where(defined, denominator, 1.0), np.nan
        )
    return {
        "value": value,
        "n": at_start + joined,
        "numerator": numerator,
        "denominator": denominator,
        "at_start": at_start,
        "at_end": at_end,
        "joined": joined,
        "reactivated": reactivated,
        "churned": churned,
        "exposure": np.asarray(exposure, dtype=np.float64),
    }


def _warn(
    value: NDArray[np.float64],
    convention: ChurnConvention,
    at_start: NDArray[np.int64] | None = None,
) -> None:
    undefined = int(np.count_nonzero(np.isnan(value)))
    if not undefined:
        return
    hint = ""
    if (
        at_start is not None
        and np.ndim(value)
        and np.isnan(value[0])
        and at_start[0] == 0
    ):
        hint = " The first period has nobody at its start (the data begin in it): pass `first` to report from the next one."
    what = (
        "customer-time at risk"
        if convention.denominator == "exposure"
        else "customers at risk"
    )
    where = "" if np.ndim(value) == 0 else f" in {undefined} period(s)"
    msg = (
        f"churn rate is undefined{where}: no {what} (zero denominator under {convention.denominator!r}); returning NaN."
        + hint
    )
    warnings.warn(msg, UndefinedMetricWarning, stacklevel=4)


class _ChurnMethods(IntervalMethods[CI]):
    """The interval, retention and lifetime rules, written once for both results."""

    __slots__ = ()
    value: Any
    numerator: Any
    denominator: Any
    convention: ChurnConvention

    def confidence_interval(
        self,
        confidence_level: float = 0.95,
        *,
        method: ProportionMethod | RateMethod | None = None,
    ) -> CI:
        """Two-sided confidence interval for the churn rate (per period if grouped).

        Parameters
        ----------
        confidence_level : float, default 0.95
            Coverage in (0, 1).
        method : str, optional
            Proportion conventions: a binomial interval for ``numerator`` out of
            ``denominator``, ``'wilson'`` by default (see
            :func:`cxmetrics.stats.proportion_interval`); it needs
            ``numerator <= denominator``. Exposure: a Poisson rate interval,
            ``'score'`` by default, or ``'wald'``, ``'exact'`` (see
            :func:`cxmetrics.stats.rate_interval`).

        Returns
        -------
        ConfidenceInterval or ConfidenceIntervalArray
            In the unit of ``value``; arrays over the periods of a grouped result.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> low, high = cx.churn_rate(10, 200).confidence_interval()
        >>> round(low, 4), round(high, 4)
        (0.0274, 0.0896)
        """
        num = np.asarray(self.numerator, dtype=np.float64)
        den = np.asarray(self.denominator, dtype=np.float64)
        if not self.convention.is_proportion:
            ci = rate_interval(
                num, den, confidence_level, method=cast("RateMethod", method or "score")
            )
            return self._bounds(ci.low, ci.high)
        over = num > den
        if over.any():
            i = int(np.argmax(over.ravel()))
            msg = (
                f"a binomial interval needs the churned ({num.ravel()[i]:g}) to be at "
                f"most the denominator ({den.ravel()[i]:g}) at index {i}; under "
                f"denominator={self.convention.denominator!r} with same-period joiners "
                "included they need not be. Use denominator='start_plus_new' or "
                "'exposure' for an interval."
            )
            raise InvalidInputError(msg)
        ci = proportion_interval(
            num,
            den,
            confidence_level,
            method=cast("ProportionMethod", method or "wilson"),
        )
        return self._bounds(ci.low, ci.high)

    def _retention(self) -> Any:
        value = np.asarray(self.value, dtype=np.float64)
        if self.convention.is_proportion:
            return 1.0 - value
        return np.exp(-value)

    def _lifetime(self) -> Any:
        value = np.asarray(self.value, dtype=np.float64)
        with np.errstate(divide="ignore"):
            return np.where(np.isnan(value), np.nan, 1.0 / value)


# --------------------------------------------------------------------- results


@attrs.frozen(field_transformer=nan_equal_fields)
class ChurnResult(DisplayMixin, _ChurnMethods[ConfidenceInterval]):
    r"""Customer churn rate of one period, with the counts it rests on.

    Attributes
    ----------
    value : float
        Churn rate under ``convention``: a fraction in [0, 1] for the proportion
        denominators (it can exceed 1 only with ``denominator='start'`` or
        ``'average'`` and same-period joiners included), churn events per
        customer-period for ``'exposure'``. NaN when the denominator is 0.
    n : int
        Customers at risk during the period: at the start plus joins.
    numerator : int
        Churn events the convention counts.
    denominator : float
        What they are divided by (customers, or customer-periods of exposure).
    at_start, at_end : int
        Customers active at the start and at the end of the period.
    joined : int
        Joins during the period (sign-ups and comebacks).
    reactivated : int
        Joins that are comebacks of earlier customers.
    churned : int
        Every churn event, whatever the convention.
    exposure : float
        Customer-time at risk in units of the period (NaN when unknown).
    convention : ChurnConvention
        The counting rules.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.churn_rate(10, 200)
    >>> res.value, res.numerator, res.denominator
    (0.05, 10, 200.0)
    >>> round(res.retention_rate, 4), round(res.expected_lifetime, 1)
    (0.95, 20.0)
    """

    value: float
    n: int
    numerator: int
    denominator: float
    at_start: int
    at_end: int
    joined: int
    reactivated: int
    churned: int
    exposure: float
    convention: ChurnConvention = shared()

    @property
    def retention_rate(self) -> float:
        r"""Retention: ``1 - value``; for ``'exposure'``, ``exp(-value)``.

        Under the exposure convention ``value`` is a hazard rate :math:`\lambda`
        per period, and :math:`e^{-\lambda}` is the probability of staying a
        whole period when the hazard is constant.
        """
        return float(self._retention())

    @property
    def expected_lifetime(self) -> float:
        """Expected lifetime in periods, ``1 / value`` (see :func:`expected_lifetime`)."""
        return float(self._lifetime())

    def __str__(self) -> str:
        label = (
            "churn rate"
            if self.convention.is_proportion
            else "churn per customer-period"
        )
        if math.isnan(self.value):
            return f"{label} undefined (denominator 0; n={self.n})"
        low, high = self.confidence_interval()
        return (
            f"{label} {self.value:.4f} (95% CI {low:.4f} to {high:.4f}; "
            f"{self.numerator} / {self.denominator:g}, denominator={self.convention.denominator!r})"
        )


@grouped_result(
    ChurnResult,
    table=(
        "value",
        "numerator",
        "denominator",
        "at_start",
        "joined",
        "churned",
        "at_end",
    ),
    extra={"freq": attrs.field()},
)
class GroupedChurnResult(
    GroupedResult[ChurnResult], _ChurnMethods[ConfidenceIntervalArray]
):
    """Churn per period: the fields of :class:`ChurnResult` as arrays over ``keys``.

    ``keys`` are the period labels (see :func:`churn_by_period`), ``freq`` their
    calendar period; ``result[period]`` (a label, date or ISO string such as
    ``'2024-03'``) is that period's :class:`ChurnResult`.

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> res = cx.churn_by_period(
    ...     [1, 2, 3],
    ...     np.array(["2024-01-01", "2024-01-01", "2024-02-10"], dtype="datetime64[D]"),
    ...     np.array(["2024-02-15", "2024-04-01", "2024-03-20"], dtype="datetime64[D]"),
    ...     first="2024-02",
    ... )
    >>> res.keys.astype(str).tolist()
    ['2024-02', '2024-03', '2024-04']
    >>> res.at_start.tolist(), res.numerator.tolist(), res.value.tolist()
    ([2, 2, 1], [1, 1, 1], [0.5, 0.5, 1.0])
    >>> res["2024-03"].churned, res.confidence_interval().low.shape
    (1, (3,))
    """

    numerator: NDArray[np.int64]
    denominator: NDArray[np.float64]
    at_start: NDArray[np.int64]
    at_end: NDArray[np.int64]
    joined: NDArray[np.int64]
    reactivated: NDArray[np.int64]
    churned: NDArray[np.int64]
    exposure: NDArray[np.float64]
    convention: ChurnConvention
    freq: CalendarFreq

    def _position(self, key: object) -> int:
        """Row of a period label: a datetime64, a date or an ISO string."""
        try:
            wanted = np.asarray(key).astype(self.keys.dtype)
        except (TypeError, ValueError):
            wanted = None
        hits = (
            np.flatnonzero(self.keys == wanted)
            if wanted is not None
            else np.zeros(0, dtype=np.int64)
        )
        if hits.size == 0:
            msg = f"no period {key!r}; the periods are {self.keys.astype(str).tolist()!r}."
            raise KeyError(msg)
        return int(hits[0])

    @property
    def retention_rate(self) -> NDArray[np.float64]:
        """Retention per period (see :attr:`ChurnResult.retention_rate`)."""
        out: NDArray[np.float64] = self._retention()
        return out

    @property
    def expected_lifetime(self) -> NDArray[np.float64]:
        """Expected lifetime in periods per period's rate, ``1 / value``."""
        out: NDArray[np.float64] = self._lifetime()
        return out
