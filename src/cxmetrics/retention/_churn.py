"""Front doors of churn, and conversions between period lengths and lifetimes.

``churn_rate`` takes the counts of one period, ``churn_by_period`` activity
spells; ``convert_churn_rate`` and ``expected_lifetime`` convert a rate.

The counts and the state behind them are described in ``_churn_spells``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import (
    check_option,
    parameter_array,
    parameter_scalar,
)
from cxmetrics.retention._churn_grouped_state import GroupedChurnState
from cxmetrics.retention._churn_result import (
    ChurnResult,
    GroupedChurnResult,
)
from cxmetrics.retention._churn_state import ChurnState
from cxmetrics.retention._conventions import ChurnConvention, as_convention
from cxmetrics.typing import CalendarFreq, ChurnRateForm

__all__ = ["churn_by_period", "churn_rate", "convert_churn_rate", "expected_lifetime"]


# ------------------------------------------------------------------ front doors


def churn_rate(
    churned: int,
    at_start: int,
    *,
    joined: int = 0,
    reactivated: int = 0,
    joined_churned: int = 0,
    churned_returned: int = 0,
    exposure: float | None = None,
    convention: ChurnConvention | str = ChurnConvention(),  # noqa: B008
) -> ChurnResult:
    r"""Customer (logo) churn rate of one period, from counts.

    Parameters
    ----------
    churned : int
        Churn events in the period.
    at_start : int
        Customers active at the start of the period.
    joined : int, default 0
        Joins during the period (sign-ups and comebacks).
    reactivated : int, default 0
        Joins that are comebacks of earlier customers.
    joined_churned : int, default 0
        Churn events of customers who joined in the same period.
    churned_returned : int, default 0
        Churn events after which the customer came back in the same period.
    exposure : float, optional
        Customer-time at risk in units of the period, for
        ``denominator='exposure'``.
    convention : ChurnConvention or str, default ChurnConvention()
        The counting rules, or a preset name (``'chartmogul'``, ``'baremetrics'``,
        ``'profitwell'``, ``'stripe'``, ``'recurly'``, ``'shopify'``). The
        default divides the churned customers who were there at the start by the
        customers at the start.

    Returns
    -------
    ChurnResult
        ``value`` (a fraction in [0, 1], or churn events per customer-period for
        exposure), ``numerator``, ``denominator``, ``convention``, ``n`` and
        ``confidence_interval()``.

    Raises
    ------
    InvalidInputError
        Negative counts; ``churned > at_start + joined``; sub-counts larger than
        their totals.
    InvalidInputTypeError
        Counts that are not integers.

    Warns
    -----
    UndefinedMetricWarning
        When the denominator is 0 (``value`` is NaN).

    See Also
    --------
    ChurnConvention : the rules and the vendor presets, with sources.
    churn_by_period : the same from spells, for every period.

    Notes
    -----
    The retention rate is ``1 - value`` (``result.retention_rate``).

    Examples
    --------
    ChartMogul's worked example: 100 customers at the start, 12 churned, one of
    whom came back and one of whom had joined that month:

    >>> import cxmetrics as cx
    >>> kw = dict(joined=3, joined_churned=1, churned_returned=1)
    >>> cx.churn_rate(12, 100, **kw, convention="chartmogul").value
    0.1
    >>> round(cx.churn_rate(12, 100, **kw, convention="stripe").value, 4)
    0.1165
    """
    state = ChurnState.from_counts(
        churned,
        at_start,
        joined=joined,
        reactivated=reactivated,
        joined_churned=joined_churned,
        churned_returned=churned_returned,
        exposure=exposure,
    )
    return state.compute(convention)


def churn_by_period(
    customer: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    *,
    freq: CalendarFreq = "month",
    first: object | None = None,
    last: object | None = None,
    as_of: object | None = None,
    convention: ChurnConvention | str = ChurnConvention(),  # noqa: B008
) -> GroupedChurnResult:
    r"""Customer churn rate of every calendar period, from spells of activity.

    Parameters
    ----------
    customer : array_like, shape (n,)
        Customer of each spell (integers or strings). A customer may have many
        spells; overlapping or touching spells are merged.
    start, end : array_like of datetime64, shape (n,)
        Spells ``[start, end)`` (e.g. subscription periods), as numpy
        ``datetime64``, datetimes, dates, ISO strings or pandas/polars columns;
        ``end`` must be after ``start``. A missing ``end`` (NaT, None, NaN, a
        pandas or polars null: the empty end date of a current customer) is a
        customer still active, which needs ``as_of``.
    freq : {'day', 'week', 'month', 'quarter', 'year'}, default 'month'
        Calendar periods (ISO weeks, Monday first).
    first, last : datetime64 or str, optional
        First and last periods reported. Default: from the earliest start to
        the period holding the last instant before ``as_of`` or, without
        ``as_of``, to the period of the latest end (then a placeholder end such
        as 2099-12-31 makes periods up to 2099: pass ``as_of``).
    as_of : datetime64, datetime or str, optional
        When observation stops, exclusive (e.g. the export date). Open spells
        are active up to it, ends after it are clipped to it, and a customer
        active at ``as_of`` is not a churn: an open end, an end at ``as_of`` and
        any later end give the same result. The last period is partial when
        ``as_of`` falls inside it. Start, end and ``as_of`` must be all naive
        or all timezone-aware.
    convention : ChurnConvention or str, default ChurnConvention()
        Counting rules or a preset name.

    Returns
    -------
    GroupedChurnResult
        One row per period (``keys`` are period labels), with the counts, the
        numerator and denominator, and the customer-time at risk.

    Raises
    ------
    InvalidInputError
        ``end`` not after ``start``, lengths that differ, ``last`` before
        ``first`` or after ``as_of``, a ``start`` on or after ``as_of``, naive
        and timezone-aware datetimes mixed.
    MissingValueError
        NaT (or None) in ``start``, or in ``end`` without ``as_of``.

    Notes
    -----
    A spell joins in the period holding its start and churns in the period
    holding its end; a customer is at the start of a period when active just
    before its first instant. Customer-time at risk is measured exactly (in the
    instants' unit) and expressed in units of each period's own length, so a
    31-day month and a 28-day month both count as one customer-month.

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> start = np.array(["2024-01-01", "2024-01-01", "2024-02-10"], dtype="datetime64[D]")
    >>> end = np.array(["2024-02-15", "2024-04-01", "2024-03-20"], dtype="datetime64[D]")
    >>> res = cx.churn_by_period([1, 2, 3], start, end, convention="stripe")
    >>> res.value.round(3).tolist()
    [0.0, 0.333, 0.5, 1.0]

    Customer 2 still active (no end) and customer 3 with a placeholder end,
    observed up to 15 April:

    >>> open_end = np.array(["2024-02-15", "NaT", "2099-12-31"], dtype="datetime64[D]")
    >>> res = cx.churn_by_period([1, 2, 3], start, open_end, as_of="2024-04-15",
    ...                          convention="stripe")
    >>> res.keys.astype(str).tolist(), res.churned.tolist(), res.at_end.tolist()
    (['2024-01', '2024-02', '2024-03', '2024-04'], [0, 1, 0, 0], [2, 2, 2, 2])
    """
    conv = as_convention(convention)  # options first, before any pass
    state = GroupedChurnState.from_spells(
        customer, start, end, freq=freq, first=first, last=last, as_of=as_of
    )
    return state.compute(conv)


# ------------------------------------------------------- conversions, lifetime


@overload
def convert_churn_rate(
    rate: float, periods: float, *, form: ChurnRateForm = ...
) -> float: ...
@overload
def convert_churn_rate(
    rate: NDArray[Any] | Sequence[float], periods: float, *, form: ChurnRateForm = ...
) -> NDArray[np.float64]: ...
def convert_churn_rate(
    rate: ArrayLike, periods: float, *, form: ChurnRateForm = "probability"
) -> Any:
    r"""Convert a churn rate to a period ``periods`` times as long.

    Parameters
    ----------
    rate : float or array_like
        Churn per source period: a probability in [0, 1] (``form='probability'``)
        or a hazard rate >= 0 (``form='hazard'``, e.g. from
        ``denominator='exposure'``).
    periods : float
        Length of the target period in source periods: 12 for monthly to
        annual, ``1/12`` for annual to monthly, 3 for monthly to quarterly.
    form : {'probability', 'hazard'}, default 'probability'
        ``'probability'``: :math:`1 - (1 - r)^{p}`, computed as
        ``-expm1(p * log1p(-r))`` so small rates keep full precision and the
        round trip is exact to rounding. ``'hazard'``: :math:`r\,p` (hazards add
        up over time).

    Returns
    -------
    float or ndarray
        The churn rate per target period, in the same form.

    Notes
    -----
    Both forms assume a constant churn rate over the target period. A hazard
    :math:`\lambda` and a probability :math:`q` over the same period relate by
    :math:`q = 1 - e^{-\lambda}`.

    Examples
    --------
    >>> round(float(convert_churn_rate(0.05, 12)), 6)
    0.459640
    >>> round(float(convert_churn_rate(0.459640, 1 / 12)), 6)
    0.05
    >>> float(convert_churn_rate(0.02, 12, form="hazard"))
    0.24
    """
    check_option("form", form, ChurnRateForm)
    p = parameter_scalar(periods, "periods", low=0.0, low_inclusive=False)
    if form == "probability":
        r = parameter_array(rate, "rate", low=0.0, high=1.0)
        with np.errstate(divide="ignore"):
            out = -np.expm1(p * np.log1p(-r))
    else:
        r = parameter_array(rate, "rate", low=0.0, allow_inf=False)
        out = r * p
    return out if np.ndim(out) else float(out)


@overload
def expected_lifetime(churn: float) -> float: ...
@overload
def expected_lifetime(churn: NDArray[Any] | Sequence[float]) -> NDArray[np.float64]: ...
def expected_lifetime(churn: ArrayLike) -> Any:
    r"""Expected customer lifetime in periods, ``1 / churn``.

    Parameters
    ----------
    churn : float or array_like
        Churn rate per period, > 0 (a probability, or a hazard rate).

    Returns
    -------
    float or ndarray
        Expected number of periods a customer stays, counting the period in
        which they leave; ``inf`` for a churn of 0.

    Notes
    -----
    This holds only when every customer churns with the **same constant**
    probability :math:`c` each period: the lifetime is then geometric,
    :math:`P(T = t) = (1-c)^{t-1} c`, with mean :math:`1/c` (for a constant
    hazard :math:`\lambda`, exponential with mean :math:`1/\lambda`). Real
    cohorts are heterogeneous: the customers who stay churn less, the churn
    of the whole base falls over time, and ``1/churn`` then understates the
    expected lifetime (Fader & Hardie 2007, who model it with the shifted
    beta-geometric distribution).

    References
    ----------
    .. [1] Fader, P. S. & Hardie, B. G. S. (2007). How to project customer
       retention. *Journal of Interactive Marketing* 21(1), 76-90.

    Examples
    --------
    >>> expected_lifetime(0.05)
    20.0
    """
    c = parameter_array(churn, "churn", low=0.0)
    # a subnormal churn rounds 1/churn to inf, as churn 0 gives: no warning leaks
    with np.errstate(divide="ignore", over="ignore"):
        out = np.where(c > 0, 1.0 / np.where(c > 0, c, 1.0), np.inf)
    return out if np.ndim(out) else float(out)
