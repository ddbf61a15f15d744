r"""Cohort retention matrices from activity logs (customer, instant[, amount]).

A customer's cohort is the calendar period of its first activity. Cell
:math:`(c, k)` of the matrix counts the customers of cohort :math:`c` who are

* **classic**: active in period :math:`c + k`;
* **unbounded**: active in period :math:`c + k` or any later one.

Rates divide by the cohort size. A cell is *observable* when its period ended
at or before ``as_of``; cells that are not are masked explicitly: ``mask`` is
True there, counts are 0 and rates NaN, and NaN appears nowhere else.

The kernel is vectorised: one pass to index periods, a dense (or sorted) key per
(customer, period) to drop duplicate activity, and ``bincount`` for the cells;
no Python loop runs over rows or customers.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, nan_equal_fields
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.validation import (
    check_option,
    check_same_length,
    check_zones,
    datetime_scalar,
    datetimes_1d,
    group_index,
    minor_units_1d,
)
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    UndefinedMetricWarning,
)
from cxmetrics.retention._calendar import (
    check_freq,
    period_index,
    period_labels,
    period_starts,
)
from cxmetrics.retention._cohort_result import CohortResult
from cxmetrics.typing import CalendarFreq, CohortDefinition

__all__ = ["CohortResult", "CohortState", "cohort_matrix"]

#: a boolean bitmap of (customer, period) is used below this many cells
_BITMAP_CELLS = 1 << 28
#: float64 sums of int64 amounts are exact below this total
_EXACT_SUM = 2**53


def _matrix(x: ArrayLike) -> NDArray[np.int64]:
    arr = np.array(x, dtype=np.int64)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 0)
    arr.setflags(write=False)
    return arr


def _instant(x: Any) -> np.datetime64:
    return np.datetime64(x)


def _same_instant(a: np.datetime64, b: np.datetime64) -> bool:
    return bool((np.isnat(a) and np.isnat(b)) or a == b)


def _optional_matrix(x: ArrayLike | None) -> NDArray[np.int64] | None:
    return None if x is None else _matrix(x)


def _cohort_kernel(
    codes: NDArray[np.int64],
    n_customers: int,
    period: NDArray[np.int64],
    amount: NDArray[np.int64] | None,
) -> dict[str, Any]:
    """Cohort counts from customer codes and period indices (validated, non-empty).

    The distinct (customer, period) pairs come sorted by customer then period
    (from a boolean bitmap when it fits in memory, else from a sort), so each
    customer's first and last periods are the ends of its run of pairs.
    """
    p0 = int(period.min())
    rel = period - p0
    width = int(rel.max()) + 1
    key = codes * width + rel
    if n_customers * width <= _BITMAP_CELLS:
        bitmap = np.zeros(n_customers * width, dtype=bool)
        bitmap[key] = True
        pair = np.flatnonzero(bitmap)
    else:
        pair = np.unique(key)
    cust, prd = np.divmod(pair, width)
    new_cust = np.ones(pair.shape[0], dtype=bool)
    new_cust[1:] = cust[1:] != cust[:-1]
    starts = np.flatnonzero(new_cust)
    ends = np.append(starts[1:], pair.shape[0]) - 1
    member = np.cumsum(new_cust) - 1  # customer number (0..m-1) of each pair
    first, last = prd[starts], prd[ends]
    cohorts_rel, cohort_of = np.unique(first, return_inverse=True)
    c = cohorts_rel.shape[0]
    row = cohort_of[member]
    classic = np.bincount(
        row * width + (prd - first[member]), minlength=c * width
    ).reshape(c, width)
    last_hist = np.bincount(
        cohort_of * width + (last - first), minlength=c * width
    ).reshape(c, width)
    revenue = None
    if amount is not None:
        # cohort row and first period of every customer code
        code_row = np.zeros(n_customers, dtype=np.int64)
        code_first = np.zeros(n_customers, dtype=np.int64)
        code_row[cust[starts]] = cohort_of
        code_first[cust[starts]] = first
        cell = code_row[codes] * width + (rel - code_first[codes])
        if int(amount.sum(dtype=np.int64)) < _EXACT_SUM:
            revenue = np.rint(
                np.bincount(cell, weights=amount, minlength=c * width)
            ).astype(np.int64)
        else:  # pragma: no cover  (totals beyond 2**53 minor units)
            revenue = np.zeros(c * width, dtype=np.int64)
            np.add.at(revenue, cell, amount)
        revenue = revenue.reshape(c, width)
    # columns up to the largest offset seen, so that states merge to the same shape
    w = int((last - first).max()) + 1
    return {
        "cohorts": cohorts_rel + p0,
        "sizes": np.bincount(cohort_of, minlength=c).astype(np.int64),
        "classic": classic[:, :w].astype(np.int64),
        "last_active": last_hist[:, :w].astype(np.int64),
        "revenue": None if revenue is None else revenue[:, :w],
    }


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class CohortState(Mergeable):
    r"""Mergeable cohort counts: the sufficient statistic of a cohort matrix.

    States of **disjoint sets of customers** add exactly (cohorts aligned by
    period, columns by offset). States that split one customer's activity (e.g.
    one file per month) must not be added: the customer's cohort and its
    "active later" status depend on all of its activity, so partition activity
    logs by customer (e.g. by a hash of the customer id) before building states.

    Attributes
    ----------
    freq : str
        Period granularity.
    cohorts : ndarray of int64, shape (c,)
        Period index of each cohort (first activity), increasing.
    sizes : ndarray of int64, shape (c,)
        Customers per cohort.
    classic : ndarray of int64, shape (c, w)
        Customers of cohort ``i`` active ``k`` periods after their first.
    last_active : ndarray of int64, shape (c, w)
        Customers of cohort ``i`` whose last active period is ``k`` after their
        first (the unbounded counts are its reversed cumulative sums).
    revenue : ndarray of int64, shape (c, w), or None
        Sum of amounts per cell, in minor units.
    latest : numpy.datetime64
        The latest activity instant (NaT when empty).
    minor_units : int
        Minor units per unit of amount.

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> t = np.array(["2024-01-05", "2024-02-11", "2024-01-20", "2024-03-02"], dtype="datetime64[D]")
    >>> a = cx.CohortState.from_activity(["x", "x"], t[:2])
    >>> b = cx.CohortState.from_activity(["y", "y"], t[2:])
    >>> (a + b).classic.tolist()
    [[2, 1, 1]]
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {
        "cohorts": ("c",),
        "sizes": ("c",),
        "classic": ("c", "m"),
        "last_active": ("c", "m"),
        "revenue": ("c", "m"),
    }

    _ordinal_fields: ClassVar[tuple[str, ...]] = ("cohorts",)
    _signed_fields: ClassVar[tuple[str, ...]] = ("revenue",)

    freq: CalendarFreq
    cohorts: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    sizes: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    classic: NDArray[np.int64] = attrs.field(converter=_matrix, eq=array_eq)
    last_active: NDArray[np.int64] = attrs.field(converter=_matrix, eq=array_eq)
    revenue: NDArray[np.int64] | None = attrs.field(
        default=None, converter=_optional_matrix, eq=array_eq
    )
    latest: np.datetime64 = attrs.field(
        default=np.datetime64("NaT"),
        converter=_instant,
        eq=attrs.cmp_using(eq=_same_instant),
    )
    minor_units: int = 100

    def __attrs_post_init__(self) -> None:
        check_freq(self.freq)
        c = self.cohorts.shape[0]
        w = self.classic.shape[1] if self.classic.ndim == 2 else -1
        ok = (
            self.sizes.shape == (c,)
            and self.classic.shape == (c, max(w, 0))
            and self.last_active.shape == self.classic.shape
            and (self.revenue is None or self.revenue.shape == self.classic.shape)
        )
        if not ok:
            msg = "cohort arrays must have shapes (c,), (c, w), (c, w) and (c, w)."
            raise InvalidInputError(msg)
        if c and not (np.diff(self.cohorts) > 0).all():
            msg = "`cohorts` must be increasing period indices."
            raise InvalidInputError(msg)

    @classmethod
    def empty(cls, freq: CalendarFreq = "month", *, minor_units: int = 100) -> Self:
        """The identity of ``+``: no customers."""
        z = np.zeros((0, 0), dtype=np.int64)
        return cls(
            freq,
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            z,
            z,
            None,
            np.datetime64("NaT"),
            minor_units,
        )

    @classmethod
    def from_activity(
        cls,
        customer: ArrayLike,
        time: ArrayLike,
        *,
        freq: CalendarFreq = "month",
        amount: ArrayLike | None = None,
        minor_units: int = 100,
    ) -> Self:
        """Build the state from an activity log in one vectorised pass.

        Parameters
        ----------
        customer : array_like, shape (n,)
            Customer of each activity (integers or strings).
        time : array_like of datetime64, shape (n,)
            Instant of each activity (naive; no NaT).
        freq : {'day', 'week', 'month', 'quarter', 'year'}, default 'month'
            Period granularity (ISO weeks, Monday first).
        amount : array_like, shape (n,), optional
            Revenue of each activity, for revenue cohorts; converted exactly to
            minor units.
        minor_units : int, default 100
            Minor units per unit of ``amount``.
        """
        freq = check_freq(freq)
        t = datetimes_1d(time, "time")
        n = t.shape[0]
        index = group_index(customer, n, name="customer", like="time")
        cents = None
        if amount is not None:
            cents = minor_units_1d(amount, "amount", minor_units=minor_units)
            check_same_length("amount", cents, "time", n)
        if n == 0:
            out = cls.empty(freq, minor_units=minor_units)
            if cents is not None:
                return attrs.evolve(out, revenue=np.zeros((0, 0), np.int64))
            return out
        codes = np.asarray(index.source, dtype=np.int64) - index.offset
        k = _cohort_kernel(codes, len(index.labels), period_index(t, freq), cents)
        return cls(
            freq,
            k["cohorts"],
            k["sizes"],
            k["classic"],
            k["last_active"],
            k["revenue"],
            t.max(),
            minor_units,
        )

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.sizes.sum())

    @property
    def unbounded(self) -> NDArray[np.int64]:
        """Customers of each cohort active ``k`` or more periods after their first."""
        out: NDArray[np.int64] = np.cumsum(self.last_active[:, ::-1], axis=1)[:, ::-1]
        return out

    def merge(self, other: Self) -> Self:
        """Add the counts of another, disjoint set of customers."""
        if type(other) is not type(self):
            msg = f"cannot merge CohortState with {type(other).__name__}."
            raise IncompatibleStateError(msg)
        if (self.freq, self.minor_units) != (other.freq, other.minor_units):
            msg = f"cannot merge cohort states with freq/minor_units {self.freq!r}/{self.minor_units} and {other.freq!r}/{other.minor_units}."
            raise IncompatibleStateError(msg)
        if (self.revenue is None) != (other.revenue is None) and self.n and other.n:
            msg = "cannot merge a cohort state with revenue and one without."
            raise IncompatibleStateError(msg)
        if other.n == 0 and other.revenue is None:
            return self
        if self.n == 0 and self.revenue is None:
            return other
        cohorts = np.union1d(self.cohorts, other.cohorts)
        w = max(self.classic.shape[1], other.classic.shape[1])

        def scatter(a: CohortState, b: CohortState, name: str) -> NDArray[np.int64]:
            out = np.zeros((cohorts.shape[0], w), dtype=np.int64)
            for part in (a, b):
                arr = getattr(part, name)
                if arr is None:
                    continue
                rows = np.searchsorted(cohorts, part.cohorts)
                out[rows, : arr.shape[1]] += arr
            return out

        sizes = np.zeros(cohorts.shape[0], dtype=np.int64)
        for part in (self, other):
            sizes[np.searchsorted(cohorts, part.cohorts)] += part.sizes
        revenue = None
        if self.revenue is not None or other.revenue is not None:
            revenue = scatter(self, other, "revenue")
        latest = (
            self.latest
            if np.isnat(other.latest)
            else other.latest
            if np.isnat(self.latest)
            else max(self.latest, other.latest)
        )
        return type(self)(
            self.freq,
            cohorts,
            sizes,
            scatter(self, other, "classic"),
            scatter(self, other, "last_active"),
            revenue,
            latest,
            self.minor_units,
        )

    def compute(
        self, *, as_of: object | None = None, definition: CohortDefinition = "classic"
    ) -> CohortResult:
        """The :class:`CohortResult`, with cells after ``as_of`` masked.

        Parameters
        ----------
        as_of : datetime64 or str, optional
            Activity is complete up to this instant (exclusive): a cell is
            observable when its period ends at or before it. Default: the end of
            the period of the latest activity (every period with data counts as
            complete).
        definition : {'classic', 'unbounded'}, default 'classic'
            Which counts ``value`` (the rates) and ``counts`` show.
        """
        check_option("definition", definition, CohortDefinition)
        c, w = self.classic.shape if self.classic.ndim == 2 else (0, 0)
        if c == 0:
            msg = "a cohort matrix is undefined without any activity; returning an empty one."
            warnings.warn(msg, UndefinedMetricWarning, stacklevel=2)
        width = w
        stamp = None
        if as_of is None:
            # every period up to the one of the latest activity is complete
            complete_through = (
                int(period_index(np.array([self.latest]), self.freq)[0]) if c else 0
            )
            if c:
                width = max(w, complete_through - int(self.cohorts[0]) + 1)
        else:
            stamp = datetime_scalar(as_of, "as_of")
            if not np.isnat(self.latest) and self.latest >= stamp:
                msg = f"`as_of` ({stamp}) must be after the latest activity ({self.latest})."
                raise InvalidInputError(msg)
            # period p is complete when it ends (period p + 1 starts) by as_of
            unit = np.result_type(stamp.dtype, np.dtype("datetime64[D]"))
            at = np.array([stamp]).astype(unit)
            p = int(period_index(at, self.freq)[0])
            complete_through = p - 1
            started = period_starts(np.array([p]), self.freq, unit)[0] < at[0]
            if c:
                last_column = p if started else p - 1
                width = max(w, last_column - int(self.cohorts[0]) + 1)
        pad = width - w
        classic = np.pad(self.classic, ((0, 0), (0, pad)))
        unbounded = np.pad(self.unbounded, ((0, 0), (0, pad)))
        revenue = (
            None if self.revenue is None else np.pad(self.revenue, ((0, 0), (0, pad)))
        )
        mask = (self.cohorts[:, None] + np.arange(width)[None, :]) > complete_through
        # a period in progress at as_of holds partial data: not a count
        classic = np.where(mask, 0, classic)
        unbounded = np.where(mask, 0, unbounded)
        if revenue is not None:
            revenue = np.where(mask, 0, revenue)
        counts = classic if definition == "classic" else unbounded
        sizes = self.sizes.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = np.where(mask, np.nan, counts / sizes[:, None])
        return CohortResult(
            cohorts=period_labels(self.cohorts, self.freq),
            sizes=self.sizes,
            value=rates,
            counts=counts,
            mask=mask,
            classic=classic,
            unbounded=unbounded,
            revenue=revenue,
            definition=definition,
            freq=self.freq,
            minor_units=self.minor_units,
            as_of=stamp,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it exactly."""
        return {
            **self._tag(),
            "freq": self.freq,
            "cohorts": self.cohorts.tolist(),
            "sizes": self.sizes.tolist(),
            "classic": self.classic.tolist(),
            "last_active": self.last_active.tolist(),
            "revenue": None if self.revenue is None else self.revenue.tolist(),
            "latest": None if np.isnat(self.latest) else str(self.latest),
            "latest_unit": str(self.latest.dtype),
            "minor_units": self.minor_units,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a state from :meth:`to_dict` output."""
        cls._check_tag(data)
        c = len(data["cohorts"])

        def mat(x: Any) -> NDArray[np.int64]:
            return (
                np.array(x, dtype=np.int64).reshape(c, -1)
                if c
                else np.zeros((0, 0), np.int64)
            )

        latest = (
            np.datetime64("NaT")
            if data["latest"] is None
            else np.datetime64(data["latest"])
        )
        return cls(
            data["freq"],
            data["cohorts"],
            data["sizes"],
            mat(data["classic"]),
            mat(data["last_active"]),
            None if data["revenue"] is None else mat(data["revenue"]),
            latest.astype(data.get("latest_unit", latest.dtype)),
            data["minor_units"],
        )


def cohort_matrix(
    customer: ArrayLike,
    time: ArrayLike,
    *,
    freq: CalendarFreq = "month",
    as_of: object | None = None,
    definition: CohortDefinition = "classic",
    amount: ArrayLike | None = None,
    minor_units: int = 100,
) -> CohortResult:
    r"""Cohort retention matrix of an activity log.

    Parameters
    ----------
    customer : array_like, shape (n,)
        Customer of each activity row (integers or strings).
    time : array_like of datetime64, shape (n,)
        Instant of each activity (naive datetime64, datetimes, dates or ISO
        strings; no NaT).
    freq : {'day', 'week', 'month', 'quarter', 'year'}, default 'month'
        Period granularity; weeks are ISO weeks (Monday first).
    as_of : datetime64 or str, optional
        Data are complete up to this instant (exclusive); cells of periods that
        end after it are masked. Default: every period up to the one of the
        latest activity is complete.
    definition : {'classic', 'unbounded'}, default 'classic'
        ``value`` shows classic retention (active in period ``k``) or unbounded
        retention (active in ``k`` or later); both counts are always returned.
    amount : array_like, shape (n,), optional
        Revenue per activity row, for revenue cohorts (summed per cell, exactly,
        in minor units).
    minor_units : int, default 100
        Minor units per unit of ``amount``.

    Returns
    -------
    CohortResult
        Rates in [0, 1] with NaN only in masked cells, the explicit ``mask``,
        the classic and unbounded counts, and the revenue sums.

    Raises
    ------
    InvalidInputError
        Lengths that differ; ``as_of`` not after the latest activity; amounts
        that are negative or not whole minor units; naive and timezone-aware
        datetimes mixed across ``time`` and ``as_of``.
    MissingValueError
        NaT or missing customers.

    Notes
    -----
    Unbounded retention is at least classic retention in every cell, and is
    non-increasing along a row. The first column is 1 for every observable
    cohort.

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> customer = ["a", "a", "b", "b", "c", "a", "d"]
    >>> time = np.array(
    ...     ["2024-01-03", "2024-01-20", "2024-01-09", "2024-03-01", "2024-02-14",
    ...      "2024-03-30", "2024-03-05"], dtype="datetime64[D]")
    >>> res = cx.cohort_matrix(customer, time, as_of="2024-04-01")
    >>> res.cohorts.astype(str).tolist(), res.sizes.tolist()
    (['2024-01', '2024-02', '2024-03'], [2, 1, 1])
    >>> res.classic.tolist()
    [[2, 0, 2], [1, 0, 0], [1, 0, 0]]
    >>> res.mask.tolist()
    [[False, False, False], [False, False, True], [False, True, True]]
    >>> res.value.tolist()
    [[1.0, 0.0, 1.0], [1.0, 0.0, nan], [1.0, nan, nan]]
    """
    check_option("freq", freq, CalendarFreq)
    check_option("definition", definition, CohortDefinition)
    check_zones({"time": time, "as_of": as_of})
    state = CohortState.from_activity(
        customer, time, freq=freq, amount=amount, minor_units=minor_units
    )
    return state.compute(as_of=as_of, definition=definition)
