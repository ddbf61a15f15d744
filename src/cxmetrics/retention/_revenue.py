r"""Revenue retention: MRR movements, gross and net revenue retention, quick ratio.

Money is held in integer minor units (int64 cents by default), so every sum is
exact and the roll-forward identity

.. math::

    \mathrm{MRR}_{\text{end}} = \mathrm{MRR}_{\text{start}} + \text{new} +
    \text{expansion} - \text{contraction} - \text{churned} + \text{reactivation}

holds to the cent in every period; it is checked whenever movements are built.

The state is a :class:`RevenueMatrix`: MRR per customer and period, where the
MRR of a period is what is in force at its end. It merges exactly however the
subscriptions were split (amounts of the same customer and period add up).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.optional import require
from cxmetrics._core.validation import (
    check_option,
    check_positive_int,
    check_same_length,
    datetime_scalar,
    group_index,
    minor_units_1d,
    spells_1d,
)
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)
from cxmetrics.retention._calendar import (
    check_freq,
    last_observed_period,
    period_index,
    period_labels,
)

__all__ = [
    "MRRMovements",
    "RevenueMatrix",
    "RevenueRetentionResult",
    "gross_revenue_retention",
    "mrr_movements",
    "net_revenue_retention",
]

#: cells handled per block by the movement kernel
_BLOCK_CELLS = 1 << 20


def _frozen_matrix(x: ArrayLike) -> NDArray[np.int64]:
    arr = np.array(x, dtype=np.int64)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 0)
    arr.setflags(write=False)
    return arr


# ------------------------------------------------------------------ the matrix


@attrs.frozen(unsafe_hash=False)
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
    freq: str | None = None

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
    def empty(cls, *, freq: str | None = "month", minor_units: int = 100) -> Self:
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
        freq: str = "month",
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


# -------------------------------------------------------------- the movements

_MOVES = ("new", "expansion", "contraction", "churned", "reactivation")


def _movement_block(a: NDArray[np.int64]) -> dict[str, NDArray[np.int64]]:
    """Sums and customer counts of each movement, per column transition."""
    prev, cur = a[:, :-1], a[:, 1:]
    was, now = prev > 0, cur > 0
    ever = np.logical_or.accumulate(a > 0, axis=1)[:, :-1]
    diff = cur - prev
    both = was & now
    masks = {
        "new": now & ~ever,
        "reactivation": now & ~was & ever,
        "churned": was & ~now,
        "expansion": both & (diff > 0),
        "contraction": both & (diff < 0),
    }
    size = {
        "new": cur,
        "reactivation": cur,
        "churned": prev,
        "expansion": diff,
        "contraction": -diff,
    }
    out: dict[str, NDArray[np.int64]] = {}
    for name, mask in masks.items():
        out[name] = np.where(mask, size[name], 0).sum(axis=0, dtype=np.int64)
        out[name + "_customers"] = np.count_nonzero(mask, axis=0).astype(np.int64)
    out["opening"] = prev.sum(axis=0, dtype=np.int64)
    out["closing"] = cur.sum(axis=0, dtype=np.int64)
    out["customers_opening"] = np.count_nonzero(was, axis=0).astype(np.int64)
    out["customers_closing"] = np.count_nonzero(now, axis=0).astype(np.int64)
    return out


def _movements(matrix: RevenueMatrix) -> MRRMovements:
    a = matrix.amounts
    n, k = a.shape
    periods = matrix.periods[1:] if k else matrix.periods
    sums: dict[str, NDArray[np.int64]] = {}
    if k >= 2:
        rows = max(1, _BLOCK_CELLS // k)
        for lo in range(0, max(n, 1), rows):
            part = _movement_block(a[lo : lo + rows])
            for name, v in part.items():
                sums[name] = sums[name] + v if name in sums else v
    width = max(k - 1, 0)
    zero = np.zeros(width, dtype=np.int64)
    return MRRMovements(
        periods=periods,
        opening=sums.get("opening", zero),
        new=sums.get("new", zero),
        expansion=sums.get("expansion", zero),
        contraction=sums.get("contraction", zero),
        churned=sums.get("churned", zero),
        reactivation=sums.get("reactivation", zero),
        closing=sums.get("closing", zero),
        customers_opening=sums.get("customers_opening", zero),
        new_customers=sums.get("new_customers", zero),
        expansion_customers=sums.get("expansion_customers", zero),
        contraction_customers=sums.get("contraction_customers", zero),
        churned_customers=sums.get("churned_customers", zero),
        reactivation_customers=sums.get("reactivation_customers", zero),
        customers_closing=sums.get("customers_closing", zero),
        minor_units=matrix.minor_units,
        n=matrix.n,
    )


def _ratio(
    num: NDArray[Any], den: NDArray[Any], what: str, *, zero: str = "no opening MRR"
) -> NDArray[np.float64]:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    undefined = int(np.count_nonzero(np.isnan(out)))
    if undefined:
        msg = f"{what} is undefined in {undefined} period(s) with {zero}; returning NaN there."
        warnings.warn(msg, UndefinedMetricWarning, stacklevel=3)
    return out


@attrs.frozen(repr=False)
class MRRMovements(DisplayMixin):
    r"""MRR movements of each period, in integer minor units.

    For each customer and period, with :math:`m_0` its MRR at the end of the
    previous period and :math:`m_1` at the end of this one:

    * **new**: :math:`m_0 = 0 < m_1` and no MRR in any earlier period: :math:`m_1`;
    * **reactivation**: :math:`m_0 = 0 < m_1` after MRR in some earlier period
      (revenue returning after at least one period at zero): :math:`m_1`;
    * **expansion** / **contraction**: both positive, :math:`m_1 - m_0` when
      up / :math:`m_0 - m_1` when down;
    * **churned**: :math:`m_0 > 0 = m_1`: :math:`m_0` (dated in the first
      period at zero).

    Attributes
    ----------
    periods : ndarray, shape (k,)
        Period labels (every column of the matrix but the first).
    opening, closing : ndarray of int64, shape (k,)
        Total MRR at the end of the previous period and of this one.
    new, expansion, contraction, churned, reactivation : ndarray of int64
        Movement amounts, all non-negative.
    customers_opening, customers_closing : ndarray of int64
        Paying customers (logos) at the end of the previous period and of this one.
    new_customers, expansion_customers, contraction_customers, churned_customers, reactivation_customers : ndarray of int64
        Customers behind each movement.
    minor_units : int
        Minor units per currency unit.
    n : int
        Customers in the matrix.

    Raises
    ------
    InvalidInputError
        When built with movements that do not satisfy
        ``opening + new + expansion - contraction - churned + reactivation == closing``
        (and the same for customer counts) in every period.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> mv = cx.mrr_movements([[0, 10, 12, 0, 7], [5, 5, 3, 3, 3]], minor_units=1)
    >>> mv.new.tolist(), mv.expansion.tolist(), mv.contraction.tolist()
    ([10, 0, 0, 0], [0, 2, 0, 0], [0, 2, 0, 0])
    >>> mv.churned.tolist(), mv.reactivation.tolist(), mv.closing.tolist()
    ([0, 0, 12, 0], [0, 0, 0, 7], [15, 15, 3, 10])
    """

    periods: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    opening: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    new: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    expansion: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    contraction: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    churned: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    reactivation: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    closing: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    customers_opening: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    new_customers: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    expansion_customers: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    contraction_customers: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    churned_customers: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    reactivation_customers: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    customers_closing: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    minor_units: int = 100
    n: int = 0

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "opening",
        "new",
        "expansion",
        "contraction",
        "churned",
        "reactivation",
        "closing",
        "customers_opening",
        "new_customers",
        "expansion_customers",
        "contraction_customers",
        "churned_customers",
        "reactivation_customers",
        "customers_closing",
    )

    def __attrs_post_init__(self) -> None:
        k = self.periods.shape[0]
        for name in self._COLUMNS:
            arr = getattr(self, name)
            if arr.shape != (k,):
                msg = f"`{name}` must have shape ({k},); got {arr.shape}."
                raise InvalidInputError(msg)
            if (arr < 0).any():
                msg = f"`{name}` must be non-negative."
                raise InvalidInputError(msg)
        rolled = (
            self.opening
            + self.new
            + self.expansion
            - self.contraction
            - self.churned
            + self.reactivation
        )
        logos = (
            self.customers_opening
            + self.new_customers
            + self.reactivation_customers
            - self.churned_customers
        )
        for got, want, what in (
            (rolled, self.closing, "MRR"),
            (logos, self.customers_closing, "customers"),
        ):
            bad = got != want
            if bad.any():
                i = int(np.argmax(bad))
                msg = (
                    f"{what} movements do not add up in period {self.periods[i]}: "
                    f"opening plus movements is {int(got[i])}, closing is {int(want[i])}."
                )
                raise InvalidInputError(msg)
        if not (self.opening[1:] == self.closing[:-1]).all():
            msg = "each period's `opening` must equal the previous period's `closing`."
            raise InvalidInputError(msg)

    @property
    def value(self) -> NDArray[np.int64]:
        """MRR at the end of each period (``closing``), in minor units."""
        return self.closing

    @property
    def net_new(self) -> NDArray[np.int64]:
        """Net new MRR: ``closing - opening``."""
        out: NDArray[np.int64] = self.closing - self.opening
        return out

    def quick_ratio(self) -> NDArray[np.float64]:
        r"""SaaS quick ratio per period: gains over losses.

        .. math:: \frac{\text{new} + \text{expansion} + \text{reactivation}}{\text{contraction} + \text{churned}}

        ``inf`` when there are gains but no losses; NaN (with a warning) when
        there are neither.

        References
        ----------
        .. [1] Baremetrics changelog, "New Quick Ratio Metric":
           (new + expansion) / (contraction + churned). Reactivation counts as a
           gain here (it is revenue coming in).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> mv = cx.mrr_movements([[5, 10, 4], [3, 3, 3], [0, 0, 2]], minor_units=1)
        >>> mv.quick_ratio().tolist()
        [inf, 0.3333333333333333]
        """
        gains = (self.new + self.expansion + self.reactivation).astype(np.float64)
        losses = (self.contraction + self.churned).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(
                losses > 0,
                gains / np.where(losses > 0, losses, 1.0),
                np.where(gains > 0, np.inf, np.nan),
            )
        undefined = int(np.count_nonzero(np.isnan(out)))
        if undefined:
            msg = f"the quick ratio is undefined in {undefined} period(s) with no gains and no losses; returning NaN there."
            warnings.warn(msg, UndefinedMetricWarning, stacklevel=2)
        return out

    def revenue_churn_rate(self) -> NDArray[np.float64]:
        """Gross MRR churn per period: ``(churned + contraction) / opening``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.mrr_movements([[10, 8], [10, 0]], minor_units=1).revenue_churn_rate().tolist()
        [0.6]
        """
        return _ratio(self.churned + self.contraction, self.opening, "revenue churn")

    def net_revenue_churn_rate(self) -> NDArray[np.float64]:
        """Net MRR churn per period: ``(churned + contraction - expansion) / opening``.

        Negative when expansion outweighs the losses ("negative churn").
        """
        return _ratio(
            self.churned + self.contraction - self.expansion,
            self.opening,
            "net revenue churn",
        )

    def logo_churn_rate(self) -> NDArray[np.float64]:
        """Customer (logo) churn per period: ``churned_customers / customers_opening``.

        At the matrix's granularity a customer who joins and leaves between two
        period ends is never seen, so this is the "customers at the start,
        same-period joiners excluded" convention.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.mrr_movements([[10, 8], [10, 0]], minor_units=1).logo_churn_rate().tolist()
        [0.5]
        """
        return _ratio(
            self.churned_customers,
            self.customers_opening,
            "logo churn",
            zero="no customers at the start",
        )

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns as a dict of arrays: ``period`` first, amounts in minor units."""
        return {"period": self.periods, **{c: getattr(self, c) for c in self._COLUMNS}}

    def to_pandas(self) -> Any:
        """The columns as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __len__(self) -> int:
        return int(self.periods.shape[0])

    def __repr__(self) -> str:
        names = [
            "period",
            "opening",
            "new",
            "expansion",
            "contraction",
            "churned",
            "reactivation",
            "closing",
        ]
        scale = self.minor_units
        rows = []
        for i in range(min(len(self), 24)):
            cells = [str(self.periods[i])]
            for name in names[1:]:
                v = int(getattr(self, name)[i])
                cells.append(f"{v / scale:,.2f}" if scale != 1 else f"{v:,}")
            rows.append(cells)
        widths = [
            max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(names)
        ]
        lines = [f"MRRMovements over {len(self)} period(s) (amounts / {scale})"]
        lines.append("  ".join(h.rjust(w) for h, w in zip(names, widths, strict=True)))
        lines.extend(
            "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows
        )
        if len(self) > 24:
            lines.append(f"... {len(self) - 24} more")
        return "\n".join(lines)


def mrr_movements(
    revenue: RevenueMatrix | ArrayLike, *, minor_units: int = 100
) -> MRRMovements:
    r"""MRR movements (new, expansion, contraction, churned, reactivation) per period.

    Parameters
    ----------
    revenue : RevenueMatrix or array_like, shape (n, k)
        MRR per customer (rows) and period (columns), the first column being the
        opening balance; or a :class:`RevenueMatrix` (e.g. from
        :meth:`RevenueMatrix.from_subscriptions`).
    minor_units : int, default 100
        For an array: minor units per unit of ``revenue`` (100 for dollars with
        cents, 1 for amounts already in cents).

    Returns
    -------
    MRRMovements
        One row per period after the first, in minor units; the roll-forward
        identity holds exactly in every period.

    Notes
    -----
    A customer whose MRR goes to zero churns in the first period at zero, and
    one whose MRR comes back after a period at zero is a reactivation, as in the
    dbt MRR playbook [1]_ (``change_category``: new, upgrade, downgrade, churn,
    reactivation). The playbook also reports customers' revenue in months before
    2018 as of January 2018 (its month spine starts there) and does not add up
    overlapping subscriptions of one customer (they fan out into several rows);
    cxmetrics adds them.

    References
    ----------
    .. [1] dbt Labs, "mrr-playbook", models/mrr.sql,
       https://github.com/dbt-labs/mrr-playbook

    Examples
    --------
    >>> import cxmetrics as cx
    >>> mv = cx.mrr_movements([[0, 50.00, 75.00, 0], [20.00, 20.00, 10.00, 10.00]])
    >>> mv.new.tolist(), mv.expansion.tolist(), mv.contraction.tolist(), mv.churned.tolist()
    ([5000, 0, 0], [0, 2500, 0], [0, 1000, 0], [0, 0, 7500])
    """
    return _as_matrix(revenue, minor_units).movements()


# ------------------------------------------------------------------ retention


@attrs.frozen
class RevenueRetentionResult(DisplayMixin):
    r"""Gross or net revenue retention over a window.

    Attributes
    ----------
    value : float
        Retention as a fraction (NRR can exceed 1; GRR is at most 1, and can be
        below 0 with the movements method). NaN without opening MRR.
    n : int
        Paying customers at the start of the window.
    numerator, denominator : int
        MRR in minor units: retained (or, for the movements method, opening
        plus the counted movements) and opening MRR.
    kind : {'gross', 'net'}
    method : {'snapshot', 'movements'}
    start, end : object
        Period labels of the opening and closing snapshots.
    horizon : int
        Periods between them.
    minor_units : int

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = [[100, 120, 130], [100, 50, 0], [0, 0, 90]]
    >>> res = cx.net_revenue_retention(m, horizon=2, minor_units=1)
    >>> res.value, res.numerator, res.denominator, res.n
    (0.65, 130, 200, 2)
    """

    value: float
    n: int
    numerator: int
    denominator: int
    kind: str
    method: str
    start: Any
    end: Any
    horizon: int
    minor_units: int

    def __str__(self) -> str:
        what = "GRR" if self.kind == "gross" else "NRR"
        return (
            f"{what} {self.value:.4f} ({self.method}, {self.start} -> {self.end}; "
            f"{self.numerator} / {self.denominator} minor units; n={self.n})"
        )


def _retention(
    revenue: RevenueMatrix | ArrayLike,
    kind: str,
    method: str,
    start: object | None,
    horizon: int,
    minor_units: int,
) -> RevenueRetentionResult:
    check_option("method", method, ("snapshot", "movements"))
    h = check_positive_int("horizon", horizon)
    m = _as_matrix(revenue, minor_units)
    k = m.amounts.shape[1]
    if k < h + 1:
        msg = f"`horizon` ({h}) needs at least {h + 1} periods; the `revenue` matrix has {k}."
        raise InvalidInputError(msg)
    t0 = k - 1 - h if start is None else m.column(start)
    if t0 + h > k - 1:
        msg = f"`start` {m.periods[t0]} leaves fewer than `horizon` ({h}) periods after it."
        raise InvalidInputError(msg)
    base = m.amounts[:, t0]
    cohort = base > 0
    opening = int(base.sum(dtype=np.int64))
    if method == "snapshot":
        later = m.amounts[cohort, t0 + h]
        kept = base[cohort]
        numerator = int(
            (np.minimum(later, kept) if kind == "gross" else later).sum(dtype=np.int64)
        )
    else:
        window = RevenueMatrix(
            m.customers, m.amounts[:, t0 : t0 + h + 1], 0, m.minor_units, None
        )
        mv = window.movements()
        lost = int(mv.contraction.sum()) + int(mv.churned.sum())
        gained = int(mv.expansion.sum()) if kind == "net" else 0
        numerator = opening - lost + gained
    value = numerator / opening if opening > 0 else float("nan")
    if opening == 0:
        msg = f"{'gross' if kind == 'gross' else 'net'} revenue retention is undefined with no MRR at the start of the window; returning NaN."
        warnings.warn(msg, UndefinedMetricWarning, stacklevel=3)
    labels = m.periods
    return RevenueRetentionResult(
        value=value,
        n=int(np.count_nonzero(cohort)),
        numerator=numerator,
        denominator=opening,
        kind=kind,
        method=method,
        start=labels[t0],
        end=labels[t0 + h],
        horizon=h,
        minor_units=m.minor_units,
    )


_RETENTION_DOC = r"""
    Parameters
    ----------
    revenue : RevenueMatrix or array_like, shape (n, k)
        MRR per customer and period (see :func:`mrr_movements`).
    method : {'snapshot', 'movements'}, default 'snapshot'
        ``'snapshot'`` (cohort method): the customers paying at the end of
        ``start``, their MRR ``horizon`` periods later over their MRR then.
        ``'movements'`` (movement-sum method): opening MRR plus the window's
        movements (expansion for NRR, minus contraction and churn), over the
        opening MRR. The movement sums include customers who joined during the
        window, so this GRR can even fall below 0; the snapshot method follows
        one fixed cohort.
    start : period label, optional
        The opening snapshot (default: the latest one with ``horizon`` periods
        after it).
    horizon : int, default 12
        Periods from the opening to the closing snapshot (12 months: annual).
    minor_units : int, default 100
        For an array ``revenue``: minor units per unit of amount.

    Returns
    -------
    RevenueRetentionResult
        ``value`` as a fraction, with its integer numerator and denominator.

    Warns
    -----
    UndefinedMetricWarning
        When there is no MRR at the start (``value`` is NaN).
"""


def gross_revenue_retention(
    revenue: RevenueMatrix | ArrayLike,
    *,
    method: str = "snapshot",
    start: object | None = None,
    horizon: int = 12,
    minor_units: int = 100,
) -> RevenueRetentionResult:
    return _retention(revenue, "gross", method, start, horizon, minor_units)


def net_revenue_retention(
    revenue: RevenueMatrix | ArrayLike,
    *,
    method: str = "snapshot",
    start: object | None = None,
    horizon: int = 12,
    minor_units: int = 100,
) -> RevenueRetentionResult:
    return _retention(revenue, "net", method, start, horizon, minor_units)


gross_revenue_retention.__doc__ = (
    r"""Gross revenue retention (GRR): revenue kept from existing customers, no expansion.

    Snapshot: :math:`\sum_{i \in C} \min(m_{i,t+h}, m_{i,t}) / \sum_{i \in C} m_{i,t}`
    with :math:`C` the customers paying at :math:`t`; each customer counts at
    most what they paid at the start. Movements: :math:`(M_t - \text{contraction}
    - \text{churned}) / M_t` over the window. Always :math:`\le 1` and
    :math:`\le` the NRR of the same window and method.
"""
    + _RETENTION_DOC
    + r"""
    References
    ----------
    .. [1] ChartMogul, "Net MRR churn rate" and "Gross MRR churn rate" in
       "Churn rate formulas" (the movement-sum form),
       https://help.chartmogul.com/hc/en-us/articles/207340419-Churn-rate-formulas

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = [[100, 120, 130], [100, 50, 0], [0, 0, 90], [0, 40, 0]]
    >>> cx.gross_revenue_retention(m, horizon=2, minor_units=1).value
    0.5
    >>> cx.gross_revenue_retention(m, horizon=2, minor_units=1, method="movements").value
    0.3
    """
)

net_revenue_retention.__doc__ = (
    r"""Net revenue retention (NRR): revenue kept from existing customers, with expansion.

    Snapshot: :math:`\sum_{i \in C} m_{i,t+h} / \sum_{i \in C} m_{i,t}` with
    :math:`C` the customers paying at :math:`t` (their comebacks count; new
    customers do not). Movements: :math:`(M_t + \text{expansion} -
    \text{contraction} - \text{churned}) / M_t` over the window (new and
    reactivation MRR left out).
"""
    + _RETENTION_DOC
    + r"""
    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = [[100, 120, 130], [100, 50, 0], [0, 0, 90], [0, 40, 0]]
    >>> cx.net_revenue_retention(m, horizon=2, minor_units=1).value
    0.65
    >>> cx.net_revenue_retention(m, horizon=2, minor_units=1, method="movements").value
    0.45
    """
)
