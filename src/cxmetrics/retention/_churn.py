r"""Customer (logo) churn and retention rates, from counts or from activity spells.

The sufficient statistic of a period is a handful of counts: customers active at
its start, churn events and joins (sign-ups and comebacks), each split by whether
the customer joined in the same period and whether a churned customer came back
in the same period, plus the customer-time at risk. Every
:class:`~cxmetrics.ChurnConvention` is a function of these counts, so one state
answers every convention, and states of disjoint sets of customers add exactly.

Activity is given as spells ``[start, end)`` per customer (a subscription, or a
run of active periods). Overlapping or touching spells of one customer are merged
first (a plan change is not a churn). A spell starting at instant :math:`s` joins
in the period that holds :math:`s`; a spell ending at :math:`e` churns in the period
that holds :math:`e`; a customer is active at the start of period :math:`k` when
active just before its first instant :math:`b_k` (:math:`s < b_k \le e`), so that
the customers at the end of one period are those at the start of the next.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Self, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_array_eq,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.grouped import GroupedResultMixin
from cxmetrics._core.keys import decode_keys, encode_keys
from cxmetrics._core.mergeable import Mergeable, check_int64_total
from cxmetrics._core.validation import (
    check_option,
    check_positive_int,
    common_unit,
    datetime_scalar,
    datetimes_1d,
    group_index,
    parameter_array,
    parameter_scalar,
)
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    UndefinedMetricWarning,
)
from cxmetrics.retention._calendar import (
    check_freq,
    last_observed_period,
    period_index,
    period_labels,
    period_starts,
)
from cxmetrics.retention._conventions import ChurnConvention, as_convention
from cxmetrics.retention._inputs import spells_1d
from cxmetrics.stats import (
    ConfidenceInterval,
    ConfidenceIntervalArray,
    proportion_interval,
    rate_interval,
)

__all__ = [
    "ChurnResult",
    "ChurnState",
    "GroupedChurnResult",
    "GroupedChurnState",
    "churn_by_period",
    "churn_rate",
    "convert_churn_rate",
    "expected_lifetime",
]

# ------------------------------------------------------------------------ kernel
#
# churn table [period, j, r]: j = the spell that ends began in the same period,
#                             r = the customer comes back later in that period
# join table  [period, c, q]: c = the spell that begins also ends in the period,
#                             q = it is a comeback after a churn in that period


def _merge_spells(
    codes: NDArray[Any], start: NDArray[np.int64], end: NDArray[np.int64]
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]:
    """Merge overlapping or touching spells per customer; sorted by customer, start.

    A sweep over the 2n start/end events, sorted by customer then time with starts
    before ends at equal times: the running count of open spells is exact per
    customer (each customer's +1s and -1s cancel), and a customer is active while
    it is positive.
    """
    n = start.shape[0]
    times = np.concatenate([start, end])
    delta = np.concatenate([np.ones(n, np.int8), np.full(n, -1, np.int8)])
    keys = np.concatenate([codes, codes])
    order = np.lexsort((-delta, times, keys))
    d = delta[order]
    open_spells = np.cumsum(d, dtype=np.int64)
    opens = (d == 1) & (open_spells == 1)
    closes = (d == -1) & (open_spells == 0)
    return keys[order][opens], times[order][opens], times[order][closes]


def _spell_counts(
    codes: NDArray[Any],
    start: NDArray[np.int64],
    end: NDArray[np.int64],
    bounds: NDArray[np.int64],
    censor_at: int | None = None,
) -> dict[str, NDArray[Any]]:
    """Per-period counts of merged spells over periods ``[bounds[k], bounds[k+1])``.

    With ``censor_at`` (the ``as_of`` instant, every end already clipped to it),
    a merged spell ending there is still active when observation stops: it is
    no churn, and it stays active through the period that holds ``as_of``.
    """
    k = bounds.shape[0] - 1
    codes, start, end = _merge_spells(codes, start, end)
    m = start.shape[0]
    ks = np.searchsorted(bounds, start, side="right").astype(np.int64) - 1
    ke = np.searchsorted(bounds, end, side="right").astype(np.int64) - 1
    censored = np.zeros(m, dtype=bool) if censor_at is None else end >= censor_at

    # active at the start of period p: ks < p <= ke
    a = np.clip(ks + 1, 0, k)
    z = np.clip(ke + 1, 0, k)
    at_start = np.cumsum(
        np.bincount(a, minlength=k + 1) - np.bincount(z, minlength=k + 1)
    )[:k]

    same_next = np.zeros(m, dtype=bool)
    same_next[:-1] = codes[1:] == codes[:-1]
    comes_back = np.zeros(m, dtype=bool)
    comes_back[:-1] = same_next[:-1] & (ks[1:] == ke[:-1])
    is_comeback = np.zeros(m, dtype=bool)
    is_comeback[1:] = comes_back[:-1]
    first = np.ones(m, dtype=bool)
    first[1:] = ~same_next[:-1]
    within = (ks == ke) & ~censored

    in_c = (ke >= 0) & (ke < k) & ~censored
    in_j = (ks >= 0) & (ks < k)
    churn = np.bincount(
        ke[in_c] * 4 + within[in_c] * 2 + comes_back[in_c], minlength=4 * k
    ).reshape(k, 2, 2)
    joins = np.bincount(
        ks[in_j] * 4 + within[in_j] * 2 + is_comeback[in_j], minlength=4 * k
    ).reshape(k, 2, 2)
    reactivated = np.bincount(ks[in_j & ~first], minlength=k)

    # exposure: time active inside each period, as a fraction of its length
    lo, hi = bounds[0], bounds[-1]
    s = np.clip(start, lo, hi)
    e = np.clip(end, lo, hi)
    keep = s < e
    s, e = s[keep], e[keep]
    ps = np.searchsorted(bounds, s, side="right") - 1
    pe = np.searchsorted(bounds, e, side="right") - 1  # k when e == hi
    length = np.diff(bounds).astype(np.float64)
    length_ext = np.append(length, 1.0)
    one = ps == pe
    exposure = np.zeros(k + 1)
    exposure += np.bincount(
        ps[one], weights=(e[one] - s[one]) / length_ext[ps[one]], minlength=k + 1
    )
    two = ~one
    ps2, pe2 = ps[two], pe[two]
    exposure += np.bincount(
        ps2, weights=(bounds[ps2 + 1] - s[two]) / length_ext[ps2], minlength=k + 1
    )
    exposure += np.bincount(
        pe2,
        weights=(e[two] - bounds[np.minimum(pe2, k)]) / length_ext[pe2],
        minlength=k + 1,
    )
    full = np.bincount(ps2 + 1, minlength=k + 2) - np.bincount(pe2, minlength=k + 2)
    exposure += np.cumsum(full)[: k + 1]
    return {
        "at_start": at_start.astype(np.int64),
        "churn": churn.astype(np.int64),
        "joins": joins.astype(np.int64),
        "reactivated": reactivated.astype(np.int64),
        "exposure": exposure[:k],
    }


def _codes(customer: ArrayLike, n: int) -> NDArray[np.int64]:
    index = group_index(customer, n, name="customer", like="start")
    return np.asarray(index.source, dtype=np.int64) - index.offset


def _instants(
    start: ArrayLike, end: ArrayLike, as_of: object | None
) -> tuple[NDArray[np.datetime64], NDArray[np.datetime64], np.datetime64 | None]:
    return spells_1d(start, end, as_of=as_of)


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


class _Intervals(DisplayMixin):
    """Interval and derived quantities shared by scalar and grouped results."""

    value: Any
    numerator: Any
    denominator: Any
    convention: ChurnConvention

    def _interval(
        self, confidence_level: float, method: str | None
    ) -> ConfidenceIntervalArray:
        num = np.asarray(self.numerator, dtype=np.float64)
        den = np.asarray(self.denominator, dtype=np.float64)
        if not self.convention.is_proportion:
            return rate_interval(num, den, confidence_level, method=method or "score")
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
        return proportion_interval(
            num, den, confidence_level, method=method or "wilson"
        )

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


@attrs.frozen
class ChurnResult(_Intervals):
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
    convention: ChurnConvention

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

    def confidence_interval(
        self, confidence_level: float = 0.95, *, method: str | None = None
    ) -> ConfidenceInterval:
        """Two-sided confidence interval for the churn rate.

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
        ConfidenceInterval
            In the unit of ``value``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> low, high = cx.churn_rate(10, 200).confidence_interval()
        >>> round(low, 4), round(high, 4)
        (0.0274, 0.0896)
        """
        ci = self._interval(confidence_level, method)
        return ConfidenceInterval(float(ci.low), float(ci.high))

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


@attrs.frozen(repr=False)
class GroupedChurnResult(GroupedResultMixin, _Intervals):
    """Churn per period: the fields of :class:`ChurnResult` as arrays over ``keys``.

    ``keys`` are the period labels (see :func:`churn_by_period`).

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
    """

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    value: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    n: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    numerator: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    denominator: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=nan_array_eq
    )
    at_start: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    at_end: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    joined: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    reactivated: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    churned: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    exposure: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    convention: ChurnConvention
    freq: str

    _scalar_result: ClassVar[type] = ChurnResult
    _columns: ClassVar[tuple[str, ...]] = (
        "value",
        "n",
        "numerator",
        "denominator",
        "at_start",
        "at_end",
        "joined",
        "reactivated",
        "churned",
        "exposure",
    )
    _shared: ClassVar[tuple[str, ...]] = ("convention",)
    _table: ClassVar[tuple[str, ...]] = (
        "value",
        "numerator",
        "denominator",
        "at_start",
        "joined",
        "churned",
        "at_end",
    )

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

    def confidence_interval(
        self, confidence_level: float = 0.95, *, method: str | None = None
    ) -> ConfidenceIntervalArray:
        """Intervals for every period (see :meth:`ChurnResult.confidence_interval`)."""
        return self._interval(confidence_level, method)


# ----------------------------------------------------------------------- states


def _int(name: str, value: object) -> int:
    return check_positive_int(name, value, minimum=0)


def _window(x: Any) -> tuple[str, str] | None:
    if x is None:
        return None
    a, b = x
    return (str(a), str(b))


def _table(x: ArrayLike) -> NDArray[np.int64]:
    return frozen_int(x)


def _check_tables(
    at_start: NDArray[np.int64] | int,
    churn: NDArray[np.int64],
    joins: NDArray[np.int64],
    reactivated: NDArray[np.int64] | int,
) -> None:
    parts = {
        "at_start": np.asarray(at_start),
        "churn_table": churn,
        "join_table": joins,
        "reactivated": np.asarray(reactivated),
    }
    for name, arr in parts.items():
        if (arr < 0).any():
            msg = f"`{name}` must hold non-negative counts; got {arr.tolist()!r}."
            raise InvalidInputError(msg)
    # spells that begin and end in one period are both a join and a churn, and so
    # is every same-period comeback
    if not (
        np.array_equal(churn[..., 1, :].sum(axis=-1), joins[..., 1, :].sum(axis=-1))
        and np.array_equal(churn[..., :, 1].sum(axis=-1), joins[..., :, 1].sum(axis=-1))
    ):
        msg = "`churn_table` and `join_table` disagree on same-period joiners or comebacks."
        raise InvalidInputError(msg)
    if (np.asarray(reactivated) > joins.sum(axis=(-2, -1))).any():
        msg = "`reactivated` cannot exceed the joins of the period."
        raise InvalidInputError(msg)
    if (
        np.asarray(at_start) + joins.sum(axis=(-2, -1)) < churn.sum(axis=(-2, -1))
    ).any():
        msg = "churn events cannot exceed the customers at the start plus the joins."
        raise InvalidInputError(msg)


@attrs.frozen(unsafe_hash=False)
class ChurnState(Mergeable):
    r"""Mergeable counts of one period, from which every churn convention follows.

    States of disjoint sets of customers over the same period add exactly (int64
    counts; the exposure is a float sum, exact up to rounding). States of
    *different periods* must not be added: a customer present in both would be
    counted twice among those at the start. The ``window`` field records the
    period of states built from spells, and merging states of different windows
    raises :class:`~cxmetrics.exceptions.IncompatibleStateError`.

    Attributes
    ----------
    at_start : int
        Customers active at the start of the period.
    churn_table : ndarray of int64, shape (2, 2)
        Churn events by ``[joined in this period][came back later in this period]``.
    join_table : ndarray of int64, shape (2, 2)
        Joins by ``[churned again in this period][comeback after a churn in this
        period]``.
    reactivated : int
        Joins that are comebacks of earlier customers (the rest are new).
    exposure : float or None
        Customer-time at risk in units of the period; ``None`` when unknown.
    window : tuple of str or None
        ``(start, end)`` of the period as ISO strings, for states built from spells.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.ChurnState.from_counts(churned=6, at_start=100, joined=10, joined_churned=1)
    >>> b = cx.ChurnState.from_counts(churned=4, at_start=50)
    >>> total = a + b
    >>> total.churned, total.at_start
    (10, 150)
    >>> total.compute("chartmogul").value
    0.06
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {
        "churn_table": (2, 2),
        "join_table": (2, 2),
    }

    at_start: int = attrs.field(converter=int)
    churn_table: NDArray[np.int64] = attrs.field(converter=_table, eq=array_eq)
    join_table: NDArray[np.int64] = attrs.field(converter=_table, eq=array_eq)
    reactivated: int = attrs.field(default=0, converter=int)
    exposure: float | None = attrs.field(
        default=None, converter=attrs.converters.optional(float)
    )
    window: tuple[str, str] | None = attrs.field(default=None, converter=_window)

    def __attrs_post_init__(self) -> None:
        if self.churn_table.shape != (2, 2) or self.join_table.shape != (2, 2):
            msg = f"`churn_table` and `join_table` must have shape (2, 2); got {self.churn_table.shape} and {self.join_table.shape}."
            raise InvalidInputError(msg)
        _check_tables(
            self.at_start, self.churn_table, self.join_table, self.reactivated
        )
        if self.exposure is not None and not self.exposure >= 0.0:
            msg = f"`exposure` must be non-negative; got {self.exposure!r}."
            raise InvalidInputError(msg)

    @classmethod
    def empty(cls) -> Self:
        """The identity of ``+``: no customers (and zero exposure)."""
        zeros = np.zeros((2, 2), dtype=np.int64)
        return cls(0, zeros, zeros, 0, 0.0)

    @classmethod
    def from_counts(
        cls,
        churned: int,
        at_start: int,
        *,
        joined: int = 0,
        reactivated: int = 0,
        joined_churned: int = 0,
        churned_returned: int = 0,
        exposure: float | None = None,
    ) -> Self:
        """Build the state from period counts.

        Parameters
        ----------
        churned : int
            Churn events in the period (every one, whatever the convention).
        at_start : int
            Customers active at the start of the period.
        joined : int, default 0
            Joins during the period: sign-ups and comebacks.
        reactivated : int, default 0
            How many of the joins are comebacks of earlier customers.
        joined_churned : int, default 0
            Churn events of customers who joined in the same period.
        churned_returned : int, default 0
            Churn events after which the customer came back in the same period
            (each such comeback is also one of the joins). The two categories
            are taken as disjoint.
        exposure : float, optional
            Customer-time at risk in units of the period (e.g. customer-days /
            days in the period), for ``denominator='exposure'``.

        Raises
        ------
        InvalidInputError
            Negative counts, more churn than customers at the start plus joins,
            or categories larger than their totals.
        """
        c = _int("churned", churned)
        s = _int("at_start", at_start)
        j = _int("joined", joined)
        r = _int("reactivated", reactivated)
        jc = _int("joined_churned", joined_churned)
        cr = _int("churned_returned", churned_returned)
        # counts are summed in int64 later: their totals must fit
        check_int64_total("at_start + joined", float(s + j), "the customers counted")
        if c > s + j:
            msg = (
                f"`churned` ({c}) cannot exceed `at_start` + `joined` ({s + j}): only "
                "customers active at the start or joining during the period can churn."
            )
            raise InvalidInputError(msg)
        if jc + cr > c:
            msg = f"`joined_churned` + `churned_returned` ({jc + cr}) cannot exceed `churned` ({c})."
            raise InvalidInputError(msg)
        if jc + cr > j:
            msg = f"`joined_churned` + `churned_returned` ({jc + cr}) cannot exceed `joined` ({j}): each is also a join."
            raise InvalidInputError(msg)
        if r > j:
            msg = f"`reactivated` ({r}) cannot exceed `joined` ({j})."
            raise InvalidInputError(msg)
        expo = None
        if exposure is not None:
            expo = parameter_scalar(exposure, "exposure", low=0.0)
        churn = np.array([[c - jc - cr, cr], [jc, 0]], dtype=np.int64)
        joins = np.array([[j - jc - cr, cr], [jc, 0]], dtype=np.int64)
        return cls(s, churn, joins, r, expo)

    @classmethod
    def from_spells(
        cls,
        customer: ArrayLike,
        start: ArrayLike,
        end: ArrayLike,
        *,
        window_start: object,
        window_end: object,
        as_of: object | None = None,
    ) -> Self:
        """Build the state of the period ``[window_start, window_end)`` from spells.

        Parameters
        ----------
        customer : array_like, shape (n,)
            Customer of each spell (integers or strings).
        start, end : array_like of datetime64, shape (n,)
            Each spell is ``[start, end)``; ``end`` must be after ``start``.
            A missing end (NaT, None, NaN, a pandas or polars null) is a
            customer still active: it needs ``as_of``.
        window_start, window_end : datetime64 or str
            The period.
        as_of : datetime64, datetime or str, optional
            When observation stops (exclusive; e.g. the export date). Open spells
            are active up to it, ends after it are clipped to it, and a spell
            active at ``as_of`` is not a churn. Must be after ``window_start``;
            a window that ends after ``as_of`` is observed up to ``as_of`` only.

        Examples
        --------
        >>> import numpy as np
        >>> import cxmetrics as cx
        >>> s = cx.ChurnState.from_spells(
        ...     ["a", "b", "c"],
        ...     np.array(["2023-01-01", "2024-01-05", "2024-01-10"], dtype="datetime64[D]"),
        ...     np.array(["2024-01-20", "2024-01-25", "2025-01-01"], dtype="datetime64[D]"),
        ...     window_start="2024-01-01",
        ...     window_end="2024-02-01",
        ... )
        >>> s.at_start, s.joined, s.churned, s.joined_churned
        (1, 2, 2, 1)
        """
        t0 = datetime_scalar(window_start, "window_start")
        t1 = datetime_scalar(window_end, "window_end")
        if not t1 > t0:
            msg = f"`window_end` must be after `window_start`; got {t1} and {t0}."
            raise InvalidInputError(msg)
        s, e, stamp = _instants(start, end, as_of)
        codes = _codes(customer, s.shape[0])
        if stamp is not None and not stamp > t0:
            msg = (
                f"`as_of` ({stamp}) must be after `window_start` ({t0}): nothing of "
                "the window is observed before it."
            )
            raise InvalidInputError(msg)
        extra = [] if stamp is None else [np.array([stamp])]
        s, e, t0a, t1a, *asof = common_unit(
            s, e, np.array([t0]), np.array([t1]), *extra
        )
        bounds = np.concatenate([t0a, t1a]).astype(np.int64)
        c = _spell_counts(
            codes,
            s.astype(np.int64),
            e.astype(np.int64),
            bounds,
            None if not asof else int(asof[0].astype(np.int64)[0]),
        )
        return cls(
            int(c["at_start"][0]),
            c["churn"][0],
            c["joins"][0],
            int(c["reactivated"][0]),
            float(c["exposure"][0]),
            (str(t0), str(t1)),
        )

    @property
    def churned(self) -> int:
        """Every churn event of the period."""
        return int(self.churn_table.sum())

    @property
    def joined(self) -> int:
        """Every join of the period (sign-ups and comebacks)."""
        return int(self.join_table.sum())

    @property
    def joined_churned(self) -> int:
        """Churn events of customers who joined in the same period."""
        return int(self.churn_table[1].sum())

    @property
    def churned_returned(self) -> int:
        """Churn events after which the customer came back in the same period."""
        return int(self.churn_table[:, 1].sum())

    @property
    def at_end(self) -> int:
        """Customers active at the end: ``at_start + joined - churned``."""
        return self.at_start + self.joined - self.churned

    @property
    def n(self) -> int:
        """Customers at risk during the period: at the start plus joins."""
        return self.at_start + self.joined

    def merge(self, other: Self) -> Self:
        """Add the counts of another, disjoint set of customers over the same period."""
        if type(other) is not type(self):
            msg = f"cannot merge ChurnState with {type(other).__name__}."
            raise IncompatibleStateError(msg)
        window = self.window or other.window
        if self.window and other.window and self.window != other.window:
            msg = f"cannot merge churn states of different periods ({self.window} and {other.window}); states add over customers, not over time."
            raise IncompatibleStateError(msg)
        exposure = (
            None
            if self.exposure is None or other.exposure is None
            else self.exposure + other.exposure
        )
        return type(self)(
            self.at_start + other.at_start,
            self.churn_table + other.churn_table,
            self.join_table + other.join_table,
            self.reactivated + other.reactivated,
            exposure,
            window,
        )

    def compute(
        self,
        convention: ChurnConvention | str = ChurnConvention(),  # noqa: B008
    ) -> ChurnResult:
        """The :class:`ChurnResult` under ``convention`` (an object or a preset name)."""
        conv = as_convention(convention)
        if conv.denominator == "exposure" and self.exposure is None:
            msg = "denominator='exposure' needs the exposure; pass `exposure` to from_counts() or build the state from spells."
            raise InvalidInputError(msg)
        cols = _columns(
            np.asarray(self.at_start, dtype=np.int64),
            self.churn_table,
            self.join_table,
            np.asarray(self.reactivated, dtype=np.int64),
            np.asarray(np.nan if self.exposure is None else self.exposure),
            conv,
        )
        _warn(cols["value"], conv)
        return ChurnResult(**{k: v.item() for k, v in cols.items()}, convention=conv)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it exactly."""
        return {
            **self._tag(),
            "at_start": self.at_start,
            "churn_table": self.churn_table.tolist(),
            "join_table": self.join_table.tolist(),
            "reactivated": self.reactivated,
            "exposure": self.exposure,
            "window": None if self.window is None else list(self.window),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a state from :meth:`to_dict` output."""
        cls._check_tag(data)
        return cls(
            data["at_start"],
            data["churn_table"],
            data["join_table"],
            data["reactivated"],
            data["exposure"],
            None if data["window"] is None else tuple(data["window"]),
        )


@attrs.frozen(unsafe_hash=False)
class GroupedChurnState(Mergeable):
    """Mergeable churn counts per calendar period (see :class:`ChurnState`).

    ``keys`` are period indices (counted from the period of 1970-01-01); states
    of disjoint sets of customers add exactly, periods aligned by key and a
    period missing from one state counted as empty there. A customer split
    across two states would be counted twice: partition by customer.

    Attributes
    ----------
    freq : str
        ``'day'``, ``'week'``, ``'month'``, ``'quarter'`` or ``'year'``.
    keys : ndarray of int64, shape (k,)
        Period indices, consecutive.
    at_start, reactivated : ndarray of int64, shape (k,)
    churn_table, join_table : ndarray of int64, shape (k, 2, 2)
    exposure : ndarray of float64, shape (k,)

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> start = np.array(["2024-01-01", "2024-01-01", "2024-02-10"], dtype="datetime64[D]")
    >>> end = np.array(["2024-02-15", "2024-04-01", "2024-03-20"], dtype="datetime64[D]")
    >>> a = cx.GroupedChurnState.from_spells([1, 2, 3][:2], start[:2], end[:2])
    >>> b = cx.GroupedChurnState.from_spells([3], start[2:], end[2:])
    >>> (a + b) == cx.GroupedChurnState.from_spells([1, 2, 3], start, end)
    True
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {
        "keys": ("g",),
        "at_start": ("g",),
        "churn_table": ("g", 2, 2),
        "join_table": ("g", 2, 2),
        "reactivated": ("g",),
        "exposure": ("g",),
    }

    freq: str
    keys: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    at_start: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    churn_table: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    join_table: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    reactivated: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    exposure: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)

    def __attrs_post_init__(self) -> None:
        check_freq(self.freq)
        k = self.keys.shape[0]
        shapes = (
            self.at_start.shape,
            self.churn_table.shape,
            self.join_table.shape,
            self.reactivated.shape,
            self.exposure.shape,
        )
        if shapes != ((k,), (k, 2, 2), (k, 2, 2), (k,), (k,)):
            msg = f"grouped churn arrays must have shapes ({k},), ({k}, 2, 2), ({k}, 2, 2), ({k},), ({k},); got {shapes}."
            raise InvalidInputError(msg)
        if k and not np.array_equal(self.keys, self.keys[0] + np.arange(k)):
            msg = "`keys` must be consecutive period indices."
            raise InvalidInputError(msg)
        _check_tables(
            self.at_start, self.churn_table, self.join_table, self.reactivated
        )

    @classmethod
    def empty(cls, freq: str = "month") -> Self:
        """The identity of ``+``: no periods."""
        return cls(
            freq,
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros((0, 2, 2), np.int64),
            np.zeros((0, 2, 2), np.int64),
            np.zeros(0, np.int64),
            np.zeros(0),
        )

    @classmethod
    def from_spells(
        cls,
        customer: ArrayLike,
        start: ArrayLike,
        end: ArrayLike,
        *,
        freq: str = "month",
        first: object | None = None,
        last: object | None = None,
        as_of: object | None = None,
    ) -> Self:
        """Build the per-period state from spells ``[start, end)`` in one pass.

        Parameters
        ----------
        customer : array_like, shape (n,)
            Customer of each spell.
        start, end : array_like of datetime64, shape (n,)
            Spells; ``end`` after ``start``. A missing end (NaT, None, NaN, a
            pandas or polars null) is a customer still active: it needs
            ``as_of``.
        freq : {'day', 'week', 'month', 'quarter', 'year'}, default 'month'
            Calendar periods (weeks start on Monday).
        first, last : datetime64 or str, optional
            The first and last periods reported (the periods holding these
            instants). Default: from the period of the earliest start to the
            period holding the last instant before ``as_of``, or without
            ``as_of`` to the period of the latest end.
        as_of : datetime64, datetime or str, optional
            When observation stops (exclusive; e.g. the export date): see
            :func:`churn_by_period`.
        """
        freq = check_freq(freq)
        s, e, stamp = _instants(start, end, as_of)
        codes = _codes(customer, s.shape[0])
        if s.shape[0] == 0 and (first is None or (last is None and stamp is None)):
            return cls.empty(freq)
        unit = np.result_type(s.dtype, np.dtype("datetime64[D]"))
        s, e = s.astype(unit), e.astype(unit)
        p0 = (
            int(period_index(s, freq).min())
            if first is None
            else int(period_index(np.array([datetime_scalar(first, "first")]), freq)[0])
        )
        p_obs = (
            None if stamp is None else last_observed_period(stamp.astype(unit), freq)
        )
        if last is not None:
            p1 = int(period_index(np.array([datetime_scalar(last, "last")]), freq)[0])
        else:
            p1 = int(period_index(e, freq).max()) if p_obs is None else p_obs
        if p_obs is not None and p1 > p_obs:
            msg = (
                f"`last` ({last}) is in a period after `as_of` ({stamp}), which is "
                "not observed; pass an earlier `last` or leave it out."
            )
            raise InvalidInputError(msg)
        if p1 < p0:
            msg = "`last` must not be before `first`."
            raise InvalidInputError(msg)
        idx = np.arange(p0, p1 + 2, dtype=np.int64)
        bounds = period_starts(idx, freq, unit).astype(np.int64)
        c = _spell_counts(
            codes,
            s.astype(np.int64),
            e.astype(np.int64),
            bounds,
            None if stamp is None else int(stamp.astype(unit).astype(np.int64)),
        )
        return cls(
            freq,
            idx[:-1],
            c["at_start"],
            c["churn"],
            c["joins"],
            c["reactivated"],
            c["exposure"],
        )

    @classmethod
    def from_activity(
        cls,
        customer: ArrayLike,
        time: ArrayLike,
        *,
        freq: str = "month",
    ) -> Self:
        """Build the state from activity instants (active periods).

        A customer is active in a period when it has at least one activity in it.
        Runs of consecutive active periods become spells; a customer inactive for
        a period and active again is a comeback. The periods reported end with
        the last period that has activity (a churn after it is not yet visible).

        Examples
        --------
        >>> import numpy as np
        >>> import cxmetrics as cx
        >>> t = np.array(["2024-01-03", "2024-02-07", "2024-01-09", "2024-03-01"], dtype="datetime64[D]")
        >>> res = cx.GroupedChurnState.from_activity(["a", "a", "b", "b"], t).compute("stripe")
        >>> res.at_start.tolist(), res.churned.tolist(), res.joined.tolist()
        ([0, 2, 1], [0, 1, 1], [2, 0, 1])
        >>> res.value.tolist()
        [0.0, 0.5, 0.5]
        """
        freq = check_freq(freq)
        t = datetimes_1d(time, "time")
        index = group_index(customer, t.shape[0], name="customer", like="time")
        if t.shape[0] == 0:
            return cls.empty(freq)
        codes = np.asarray(index.source, dtype=np.int64) - index.offset
        p = period_index(t, freq)
        p0, p1 = int(p.min()), int(p.max())
        width = p1 - p0 + 1
        key = np.unique(codes * width + (p - p0))
        cust, rel = np.divmod(key, width)
        # a run of consecutive active periods is one spell [period start, next)
        brk = np.ones(key.shape[0], dtype=bool)
        brk[1:] = (cust[1:] != cust[:-1]) | (rel[1:] != rel[:-1] + 1)
        last_of_run = np.ones(key.shape[0], dtype=bool)
        last_of_run[:-1] = brk[1:]
        unit = np.dtype("datetime64[D]")
        idx = np.arange(p0, p1 + 2, dtype=np.int64)
        bounds = period_starts(idx, freq, unit).astype(np.int64)
        c = _spell_counts(
            cust[brk], bounds[rel[brk]], bounds[rel[last_of_run] + 1], bounds
        )
        return cls(
            freq,
            idx[:-1],
            c["at_start"],
            c["churn"],
            c["joins"],
            c["reactivated"],
            c["exposure"],
        )

    @property
    def labels(self) -> NDArray[np.datetime64]:
        """Period labels (first day, month or year of each period)."""
        return period_labels(self.keys, self.freq)

    @property
    def n(self) -> NDArray[np.int64]:
        """Customers at risk per period: at the start plus joins."""
        out: NDArray[np.int64] = self.at_start + self.join_table.sum(axis=(1, 2))
        return out

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def __getitem__(self, key: object) -> ChurnState:
        """The :class:`ChurnState` of one period, by label (e.g. ``'2024-03'``)."""
        labels = self.labels
        try:
            wanted = np.asarray(key, dtype=labels.dtype)
        except (TypeError, ValueError):
            wanted = None
        hits = np.flatnonzero(labels == wanted) if wanted is not None else np.array([])
        if hits.size == 0:
            msg = f"no period {key!r}; the periods are {labels.astype(str).tolist()!r}."
            raise KeyError(msg)
        i = int(hits[0])
        return ChurnState(
            int(self.at_start[i]),
            self.churn_table[i],
            self.join_table[i],
            int(self.reactivated[i]),
            float(self.exposure[i]),
        )

    def merge(self, other: Self) -> Self:
        """Add the per-period counts of another, disjoint set of customers."""
        if type(other) is not type(self):
            msg = f"cannot merge GroupedChurnState with {type(other).__name__}."
            raise IncompatibleStateError(msg)
        if self.freq != other.freq:
            msg = (
                f"cannot merge churn states with freq {self.freq!r} and {other.freq!r}."
            )
            raise IncompatibleStateError(msg)
        if len(other) == 0:
            return self
        if len(self) == 0:
            return other
        p0 = int(min(self.keys[0], other.keys[0]))
        p1 = int(max(self.keys[-1], other.keys[-1]))
        keys = np.arange(p0, p1 + 1, dtype=np.int64)

        for state in (self, other):
            # zeros outside a state's periods are only right if nobody is active
            # at its edges (the default range of from_spells guarantees it)
            ends = (
                state.at_start[-1]
                + state.join_table[-1].sum()
                - state.churn_table[-1].sum()
            )
            if (state.keys[0] > p0 and state.at_start[0]) or (
                state.keys[-1] < p1 and ends
            ):
                msg = (
                    "cannot align churn states over different periods when customers "
                    "are active at the edge of one of them; build both over the same "
                    "`first` and `last`."
                )
                raise IncompatibleStateError(msg)

        def pad(state: GroupedChurnState, name: str) -> NDArray[Any]:
            arr = getattr(state, name)
            out = np.zeros((keys.shape[0], *arr.shape[1:]), dtype=arr.dtype)
            lo = int(state.keys[0]) - p0
            out[lo : lo + arr.shape[0]] = arr
            return out

        names = ("at_start", "churn_table", "join_table", "reactivated", "exposure")
        a = {name: pad(self, name) for name in names}
        b = {name: pad(other, name) for name in names}
        return type(self)(self.freq, keys, *(a[name] + b[name] for name in names))

    def compute(
        self,
        convention: ChurnConvention | str = ChurnConvention(),  # noqa: B008
    ) -> GroupedChurnResult:
        """The :class:`GroupedChurnResult` under ``convention``."""
        conv = as_convention(convention)
        cols = _columns(
            self.at_start,
            self.churn_table,
            self.join_table,
            self.reactivated,
            self.exposure,
            conv,
        )
        if len(self) == 0:
            msg = (
                "churn by period is undefined without any spell; returning no periods."
            )
            warnings.warn(msg, UndefinedMetricWarning, stacklevel=2)
        _warn(cols["value"], conv, self.at_start)
        return GroupedChurnResult(
            keys=self.labels, **cols, convention=conv, freq=self.freq
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it."""
        return {
            **self._tag(),
            "freq": self.freq,
            "keys": encode_keys(self.keys),
            "at_start": self.at_start.tolist(),
            "churn_table": self.churn_table.tolist(),
            "join_table": self.join_table.tolist(),
            "reactivated": self.reactivated.tolist(),
            "exposure": self.exposure.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a state from :meth:`to_dict` output."""
        cls._check_tag(data)
        keys = decode_keys(data["keys"])
        k = len(keys)
        return cls(
            data["freq"],
            keys,
            data["at_start"],
            np.array(data["churn_table"], dtype=np.int64).reshape(k, 2, 2),
            np.array(data["join_table"], dtype=np.int64).reshape(k, 2, 2),
            data["reactivated"],
            np.array(data["exposure"], dtype=np.float64).reshape(k),
        )


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
    freq: str = "month",
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
def convert_churn_rate(rate: float, periods: float, *, form: str = ...) -> float: ...
@overload
def convert_churn_rate(
    rate: NDArray[Any] | Sequence[float], periods: float, *, form: str = ...
) -> NDArray[np.float64]: ...
def convert_churn_rate(
    rate: ArrayLike, periods: float, *, form: str = "probability"
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
    check_option("form", form, ("probability", "hazard"))
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
    with np.errstate(divide="ignore"):
        out = np.where(c > 0, 1.0 / np.where(c > 0, c, 1.0), np.inf)
    return out if np.ndim(out) else float(out)
