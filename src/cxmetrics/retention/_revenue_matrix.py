"""The revenue state: :class:`RevenueMatrix`, MRR per customer and period.

Amounts are integer minor units (int64 cents by default); the MRR of a period is
what is in force at its end. The matrix merges exactly however the subscriptions
were split (amounts of the same customer and period add up).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_keys, nan_equal_fields
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.validation import (
    check_positive_int,
    check_same_length,
    datetime_scalar,
    group_index,
    minor_units_1d,
)
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
)
from cxmetrics.retention._calendar import (
    check_freq,
    last_observed_period,
    period_index,
    period_labels,
)
from cxmetrics.retention._inputs import spells_1d
from cxmetrics.retention._mrr_movements import MRRMovements, _movements
from cxmetrics.typing import CalendarFreq

__all__ = ["RevenueMatrix"]


def _frozen_matrix(x: ArrayLike) -> NDArray[np.int64]:
    arr = np.array(x, dtype=np.int64)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 0)
    arr.setflags(write=False)
    return arr


# ------------------------------------------------------------------ the matrix


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class RevenueMatrix(Mergeable):
    r"""MRR per customer and period, in integer minor units: the revenue state.

    Column ``k`` is the MRR in force at the end of period ``first + k``. The
    first column is the opening balance: movements start with the second.

    Attributes
    ----------
    customers : ndarray, shape (n,)
        Customer keys, one per row.
    amounts : ndarray of int64, shape (n, k)
        MRR in minor units (cents when ``minor_units == 100``).
    first : int
        Period index of the first column (see ``freq``).
    minor_units : int
        Minor units per currency unit (100 for cents).
    freq : str or None
        Calendar periods (``'month'`` ...): ``first`` counts periods from the one
        holding 1970-01-01. ``None``: plain numbered periods.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = cx.RevenueMatrix.from_array([[0, 10, 12], [5, 5, 0]], minor_units=1)
    >>> m.amounts.tolist(), m.periods.tolist()
    ([[0, 10, 12], [5, 5, 0]], [0, 1, 2])
    >>> (m + m).amounts.tolist()
    [[0, 20, 24], [10, 10, 0]]
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {
        "customers": ("n",),
        "amounts": ("n", "p"),
    }

    _ordinal_fields: ClassVar[tuple[str, ...]] = ("first",)
    _signed_fields: ClassVar[tuple[str, ...]] = ("amounts",)

    customers: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    amounts: NDArray[np.int64] = attrs.field(converter=_frozen_matrix, eq=array_eq)
    first: int = attrs.field(default=0, converter=int)
    minor_units: int = attrs.field(default=100, converter=int)
    freq: CalendarFreq | None = None

    def __attrs_post_init__(self) -> None:
        if self.amounts.ndim != 2 or self.amounts.shape[0] != self.customers.shape[0]:
            msg = f"`amounts` must have shape (customers, periods) = ({self.customers.shape[0]}, k); got {self.amounts.shape}."
            raise InvalidInputError(msg)
        if self.freq is not None:
            check_freq(self.freq)
        check_positive_int("minor_units", self.minor_units)
        if self.amounts.size and self.amounts.min() < 0:
            msg = "`amounts` must be non-negative."
            raise InvalidInputError(msg)

    # constructors ---------------------------------------------------------

    @classmethod
    def empty(
        cls, *, freq: CalendarFreq | None = "month", minor_units: int = 100
    ) -> Self:
        """The identity of ``+``: no customers, no periods."""
        return cls(
            np.zeros(0, dtype=np.int64),
            np.zeros((0, 0), np.int64),
            0,
            minor_units,
            freq,
        )

    @classmethod
    def from_array(
        cls,
        revenue: ArrayLike,
        *,
        customers: ArrayLike | None = None,
        minor_units: int = 100,
        first: int = 0,
    ) -> Self:
        """Build the matrix from MRR per customer (rows) and period (columns).

        Parameters
        ----------
        revenue : array_like, shape (n, k)
            MRR amounts, non-negative; decimal amounts are converted exactly to
            minor units (see ``minor_units``).
        customers : array_like, shape (n,), optional
            A unique key per row (default ``0 .. n-1``).
        minor_units : int, default 100
            Minor units per unit of ``revenue``: 100 for amounts in dollars (or
            euros), 1 for amounts already in cents. Amounts that are not whole
            minor units are refused.
        first : int, default 0
            Number of the first column's period (periods are numbered, not dated).

        Raises
        ------
        InvalidInputError
            Not 2-D; negative, missing or fractional-cent amounts; duplicate keys.
        """
        try:
            arr = np.asarray(revenue)
        except (TypeError, ValueError) as err:
            msg = f"`revenue` must be a 2-D array of amounts; could not convert it ({err})."
            raise InvalidInputTypeError(msg) from None
        if arr.ndim != 2:
            msg = f"`revenue` must be 2-D (customers x periods); got an array of shape {arr.shape}."
            raise InvalidInputError(msg)
        n, k = arr.shape
        try:
            cents = minor_units_1d(arr.reshape(-1), "revenue", minor_units=minor_units)
        except (InvalidInputError, InvalidInputTypeError) as err:
            msg = str(err)
            if k and " at index " in msg:
                head, tail = msg.split(" at index ", 1)
                flat, rest = tail.split(" ", 1) if " " in tail else (tail, "")
                i = int(flat.rstrip(";,."))
                msg = f"{head} at (row, column) {divmod(i, k)} {rest}".rstrip()
            raise type(err)(msg) from None
        if customers is None:
            keys: NDArray[Any] = np.arange(n, dtype=np.int64)
        else:
            index = group_index(customers, n, name="customers", like="revenue rows")
            keys = np.asarray(customers)
            counts = np.bincount(
                np.asarray(index.source, dtype=np.int64) - index.offset,
                minlength=len(index.labels),
            )
            if (counts > 1).any():
                dup = index.labels[int(np.argmax(counts > 1))]
                msg = f"`customers` must be unique; got {dup!r} more than once."
                raise InvalidInputError(msg)
        return cls(keys, cents.reshape(n, k), first, minor_units, None)

    @classmethod
    def from_subscriptions(
        cls,
        customer: ArrayLike,
        start: ArrayLike,
        end: ArrayLike,
        amount: ArrayLike,
        *,
        freq: CalendarFreq = "month",
        minor_units: int = 100,
        first: object | None = None,
        last: object | None = None,
        as_of: object | None = None,
    ) -> Self:
        r"""Build the matrix from a subscription table (customer, start, end, MRR).

        A subscription ``[start, end)`` with monthly amount :math:`a` adds
        :math:`a` to the MRR of every period it is active at the end of; the
        amounts of one customer's overlapping subscriptions add up.

        Parameters
        ----------
        customer : array_like, shape (n,)
            Customer of each subscription.
        start, end : array_like of datetime64, shape (n,)
            Subscription periods, ``end`` after ``start`` (exclusive: a monthly
            subscription from 2019-01-01 to 2019-04-01 covers January to March).
            A missing end (NaT, None, NaN, a pandas or polars null) is a
            subscription still running: it needs ``as_of``.
        amount : array_like, shape (n,)
            Recurring amount per period (MRR for months), non-negative.
        freq : {'day', 'week', 'month', 'quarter', 'year'}, default 'month'
            Calendar periods.
        minor_units : int, default 100
            Minor units per unit of ``amount`` (100: amounts in dollars or euros
            with cents).
        first, last : datetime64 or str, optional
            First and last periods (columns). Default: the period before the
            first start (an opening column of zeros, so the first customers show
            as new) to the period holding the last instant before ``as_of`` or,
            without ``as_of``, to the period of the latest end (where the last
            churn shows; a placeholder end such as 2099-12-31 then makes columns
            up to 2099: pass ``as_of``).
        as_of : datetime64, datetime or str, optional
            When observation stops, exclusive (e.g. the export date). Open
            subscriptions run up to it and ends after it are clipped to it; a
            subscription in force at ``as_of`` counts in the last column, which
            holds the MRR in force at ``as_of`` when ``as_of`` falls inside its
            period. An open end, an end at ``as_of`` and any later end give the
            same matrix. Start, end and ``as_of`` must be all naive or all
            timezone-aware.

        Examples
        --------
        >>> import numpy as np
        >>> import cxmetrics as cx
        >>> m = cx.RevenueMatrix.from_subscriptions(
        ...     [7, 7, 8],
        ...     np.array(["2024-01-01", "2024-03-01", "2024-02-01"], dtype="datetime64[D]"),
        ...     np.array(["2024-03-01", "2024-05-01", "2024-04-01"], dtype="datetime64[D]"),
        ...     [19.99, 29.99, 5],
        ... )
        >>> m.periods.astype(str).tolist()
        ['2023-12', '2024-01', '2024-02', '2024-03', '2024-04', '2024-05']
        >>> m.amounts.tolist()
        [[0, 1999, 1999, 2999, 2999, 0], [0, 0, 500, 500, 0, 0]]

        A subscription still running (no end), observed up to 15 March: the
        last column is the MRR in force then.

        >>> m = cx.RevenueMatrix.from_subscriptions(
        ...     [7, 8],
        ...     np.array(["2024-01-01", "2024-02-01"], dtype="datetime64[D]"),
        ...     [None, "2024-03-01"],
        ...     [19.99, 5],
        ...     as_of="2024-03-15",
        ... )
        >>> m.periods.astype(str).tolist(), m.amounts.tolist()
        (['2023-12', '2024-01', '2024-02', '2024-03'], [[0, 1999, 1999, 1999], [0, 0, 500, 0]])
        """
        freq = check_freq(freq)
        s, e, stamp = spells_1d(start, end, as_of=as_of)
        n = s.shape[0]
        cents = minor_units_1d(amount, "amount", minor_units=minor_units)
        check_same_length("amount", cents, "start", n)
        index = group_index(customer, n, name="customer", like="start")
        codes = np.asarray(index.source, dtype=np.int64) - index.offset
        used, codes = np.unique(codes, return_inverse=True)
        keys = index.labels[used]
        if n == 0 and (first is None or (last is None and stamp is None)):
            return cls(keys, np.zeros((0, 0), np.int64), 0, minor_units, freq)
        ks, ke = period_index(s, freq), period_index(e, freq)
        p0 = (
            int(ks.min()) - 1
            if first is None
            else int(period_index(np.array([datetime_scalar(first, "first")]), freq)[0])
        )
        p_obs = None
        if stamp is not None:
            p_obs = last_observed_period(stamp, freq)
            # in force at as_of: counted through the period that holds as_of
            ke = np.where(e >= stamp, p_obs + 1, ke)
        if last is not None:
            p1 = int(period_index(np.array([datetime_scalar(last, "last")]), freq)[0])
        else:
            p1 = int(ke.max()) if p_obs is None else p_obs
        if p_obs is not None and p1 > p_obs:
            msg = (
                f"`last` ({last}) is in a period after `as_of` ({stamp}), which is "
                "not observed; pass an earlier `last` or leave it out."
            )
            raise InvalidInputError(msg)
        if p1 < p0:
            msg = "`last` must not be before `first`."
            raise InvalidInputError(msg)
        k = p1 - p0 + 1
        lo = np.clip(ks - p0, 0, k)
        hi = np.clip(ke - p0, 0, k)
        diff = np.zeros(keys.shape[0] * (k + 1), dtype=np.int64)
        rows = codes * (k + 1)
        np.add.at(diff, rows + lo, cents)
        np.add.at(diff, rows + hi, -cents)
        amounts = np.cumsum(diff.reshape(-1, k + 1), axis=1)[:, :k]
        return cls(keys, amounts, p0, minor_units, freq)

    # properties -------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of customers (rows)."""
        return int(self.customers.shape[0])

    @property
    def periods(self) -> NDArray[Any]:
        """Period labels of the columns (datetime64 for calendar periods)."""
        idx = self.first + np.arange(self.amounts.shape[1], dtype=np.int64)
        return idx if self.freq is None else period_labels(idx, self.freq)

    @property
    def total(self) -> NDArray[np.int64]:
        """Total MRR per period, in minor units."""
        out: NDArray[np.int64] = self.amounts.sum(axis=0, dtype=np.int64)
        return out

    # merging --------------------------------------------------------------

    def merge(self, other: Self) -> Self:
        """Add another matrix: rows aligned by customer, columns by period.

        Exact, associative and commutative, whatever way the subscriptions were
        split (by customer, by time or at random): MRR of the same customer and
        period adds up.
        """
        if type(other) is not type(self):
            msg = f"cannot merge RevenueMatrix with {type(other).__name__}."
            raise IncompatibleStateError(msg)
        # the empty matrix (no rows, no columns) holds no amounts: it is the
        # identity of every matrix, whatever its periods or money units
        if other.amounts.size == 0 and other.n == 0:
            return self
        if self.amounts.size == 0 and self.n == 0:
            return other
        if (self.freq, self.minor_units) != (other.freq, other.minor_units):
            msg = (
                f"cannot merge revenue matrices with freq/minor_units {self.freq!r}/"
                f"{self.minor_units} and {other.freq!r}/{other.minor_units}."
            )
            raise IncompatibleStateError(msg)
        try:
            keys = np.union1d(self.customers, other.customers)
        except TypeError as err:
            msg = f"cannot merge revenue matrices whose customer keys have different types ({err})."
            raise IncompatibleStateError(msg) from None
        k_a, k_b = self.amounts.shape[1], other.amounts.shape[1]
        p0 = (
            min(self.first, other.first)
            if k_a and k_b
            else (self.first if k_a else other.first)
        )
        p1 = (
            max(self.first + k_a, other.first + k_b)
            if k_a and k_b
            else p0 + max(k_a, k_b)
        )
        out = np.zeros((keys.shape[0], p1 - p0), dtype=np.int64)
        for part in (self, other):
            rows = np.searchsorted(keys, part.customers)
            c0 = part.first - p0
            out[rows, c0 : c0 + part.amounts.shape[1]] += part.amounts
        return type(self)(keys, out, p0, self.minor_units, self.freq)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it exactly."""
        return {
            **self._tag(),
            "customers": self.customers.tolist(),
            "amounts": self.amounts.tolist(),
            "first": self.first,
            "minor_units": self.minor_units,
            "freq": self.freq,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a matrix from :meth:`to_dict` output."""
        cls._check_tag(data)
        n = len(data["customers"])
        amounts = (
            np.array(data["amounts"], dtype=np.int64).reshape(n, -1)
            if n
            else np.zeros((0, 0), np.int64)
        )
        return cls(
            np.array(data["customers"]),
            amounts,
            data["first"],
            data["minor_units"],
            data["freq"],
        )

    # analyses -------------------------------------------------------------

    def movements(self) -> MRRMovements:
        """MRR movements of every period after the first (see :func:`mrr_movements`)."""
        return _movements(self)

    def column(self, period: object) -> int:
        """Column of a period label (a datetime64, an ISO string or a number)."""
        labels = self.periods
        try:
            wanted = (
                np.asarray(period, dtype=labels.dtype)
                if labels.dtype.kind == "M"
                else np.asarray(period)
            )
            hits = np.flatnonzero(labels == wanted)
        except (TypeError, ValueError):
            hits = np.zeros(0, dtype=np.int64)
        if hits.size == 0:
            shown = labels.astype(str).tolist()
            msg = (
                f"`start` must be one of the periods {shown[0]!r} .. {shown[-1]!r}; got {period!r}."
                if shown
                else "the matrix has no periods."
            )
            raise InvalidInputError(msg)
        return int(hits[0])


def _as_matrix(revenue: RevenueMatrix | ArrayLike, minor_units: int) -> RevenueMatrix:
    if isinstance(revenue, RevenueMatrix):
        return revenue
    return RevenueMatrix.from_array(revenue, minor_units=minor_units)
