r"""RFM summaries of a transaction log: frequency, recency, age and mean spend.

For each customer, with purchases collapsed to one per period (see
``_periods``), the purchase models of Fader, Hardie & Lee (2005) need

* ``frequency`` :math:`x`: the number of *repeat* purchase periods (all purchase
  periods but the first);
* ``recency`` :math:`t_x`: the time from the first to the last purchase;
* ``T``: the time from the first purchase to the end of observation;
* ``monetary_value`` :math:`\bar z`: the mean value of the repeat purchases
  (0 when there is none),

all times in units of ``freq_multiplier`` periods. This is the summary of
lifetimes' ``summary_data_from_transaction_data`` (same collapse, same
``observation_period_end`` rule: later purchases are ignored).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    adopt,
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.optional import require
from cxmetrics._core.validation import (
    check_option,
    check_time,
    check_zones,
    datetime_scalar,
    is_real,
)
from cxmetrics.clv._periods import collapse, period_codes, period_index
from cxmetrics.clv._transactions import transaction_log
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    UndefinedMetricWarning,
)
from cxmetrics.typing import FixedFreq, NanPolicy

__all__ = ["RFMState", "RFMSummary", "rfm_summary"]

Float = NDArray[np.float64]


def _end_period(observation_end: object, kind: str, freq: FixedFreq) -> float:
    if kind == "datetime":
        end = datetime_scalar(observation_end, "observation_end")
        return float(period_index(np.asarray([end]), freq)[0])
    if not is_real(observation_end):
        msg = (
            "`observation_end` must be a number when `instants` are numbers; got "
            f"{observation_end!r}."
        )
        raise InvalidInputError(msg)
    number = float(observation_end)
    if not math.isfinite(number):
        msg = f"`observation_end` must be finite; got {observation_end!r}."
        raise InvalidInputError(msg)
    return number


def _unit_label(kind: str, freq: str, multiplier: float) -> str:
    if kind == "number":
        return "1 time unit" if multiplier == 1 else f"{multiplier:g} time units"
    return f"{multiplier:g} {freq}(s)"


@attrs.frozen(field_transformer=nan_equal_fields)
class RFMSummary(DisplayMixin):
    r"""One row per customer: repeat purchases, recency, age and mean repeat spend.

    Arrays are aligned with ``customers`` (sorted keys). Times are in units of
    ``freq_multiplier`` periods of ``freq``.

    Attributes
    ----------
    customers : ndarray
        Customer keys, sorted.
    frequency : ndarray of float64
        Repeat purchase periods :math:`x` (whole numbers >= 0).
    recency : ndarray of float64
        :math:`t_x`, time from the first to the last purchase (0 when x = 0).
    T : ndarray of float64
        Time from the first purchase to the end of observation.
    monetary_value : ndarray of float64
        Mean value of the repeat purchase periods :math:`\bar z`; 0 when x = 0.
    transactions : ndarray of int64
        Raw transactions (rows) of each customer up to the end, before collapsing.
    freq : str
        The period purchases are collapsed to (``"day"``, ``"week"`` ...), or
        ``"number"`` for numeric instants.
    freq_multiplier : float
        Periods per time unit (7 with ``freq="day"`` for weeks).
    n_missing : int
        Rows dropped for a missing instant or value (``nan_policy='omit'``).
    n_after_end : int
        Rows dropped because they fall after the end of observation.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.rfm_summary([1, 1, 1, 2], [0.0, 2.0, 5.0, 3.0], [10, 20, 40, 5],
    ...                    observation_end=6.0)
    >>> s.frequency.tolist(), s.recency.tolist(), s.T.tolist()
    ([2.0, 0.0], [5.0, 0.0], [6.0, 3.0])
    >>> s.monetary_value.tolist()
    [30.0, 0.0]
    """

    customers: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    frequency: Float = attrs.field(converter=frozen_float, eq=array_eq)
    recency: Float = attrs.field(converter=frozen_float, eq=array_eq)
    T: Float = attrs.field(converter=frozen_float, eq=array_eq)
    monetary_value: Float = attrs.field(converter=frozen_float, eq=array_eq)
    transactions: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    freq: str
    freq_multiplier: float
    n_missing: int = 0
    n_after_end: int = 0

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.customers.shape[0])

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns as a dict of arrays (``customers`` first).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> sorted(cx.rfm_summary([1, 2], [0.0, 1.0]).to_dict())
        ['T', 'customers', 'frequency', 'monetary_value', 'recency', 'transactions']
        """
        return {
            "customers": self.customers,
            "frequency": self.frequency,
            "recency": self.recency,
            "T": self.T,
            "monetary_value": self.monetary_value,
            "transactions": self.transactions,
        }

    def to_pandas(self) -> Any:
        """The columns as a pandas DataFrame indexed by customer (needs pandas)."""
        pd = require("pandas", feature="RFMSummary.to_pandas()")
        cols = self.to_dict()
        index = pd.Index(cols.pop("customers"), name="customer")
        return pd.DataFrame(cols, index=index)

    def __repr__(self) -> str:
        return (
            f"RFMSummary(n={self.n} customers, mean frequency "
            f"{float(np.mean(self.frequency)) if self.n else math.nan:.3g}, unit "
            f"{_unit_label('number' if self.freq == 'number' else 'datetime', self.freq, self.freq_multiplier)})"
        )


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class RFMState(Mergeable):
    """Mergeable per-customer statistics of a transaction log, split by customer.

    The state holds, per customer, the first and last purchase period, the
    number of purchase periods and the sum of the repeat-period values; two
    states of logs that share no customer merge by concatenation, so the
    summary of a log equals the merge of the summaries of its parts split by
    customer, exactly. (A log split by *time* cannot be merged from these
    statistics: a period spanning both parts would be counted twice; merging
    states that share a customer raises :class:`IncompatibleStateError`.)

    Attributes
    ----------
    customers : ndarray
        Sorted customer keys.
    first, last : ndarray of float64
        First and last purchase period (periods since the epoch for datetimes).
    periods : ndarray of int64
        Distinct purchase periods.
    repeat_value : ndarray of float64
        Sum of the values of the repeat purchase periods.
    transactions : ndarray of int64
        Raw transactions before collapsing.
    end : float or None
        End of observation, in periods; None only for the empty state.
    freq : str
        Collapse period, ``"number"`` for numeric instants.
    freq_multiplier : float
        Periods per time unit.
    n_missing, n_after_end : int
        Rows dropped (missing; after the end).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.RFMState.from_transactions([1, 1], [0.0, 4.0], observation_end=5.0)
    >>> b = cx.RFMState.from_transactions([2], [1.0], observation_end=5.0)
    >>> (a + b).compute().frequency.tolist()
    [1.0, 0.0]
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = dict.fromkeys(
        ("customers", "first", "last", "periods", "repeat_value", "transactions"),
        ("n",),
    )

    _ordinal_fields: ClassVar[tuple[str, ...]] = ("first", "last", "end")
    _signed_fields: ClassVar[tuple[str, ...]] = ("repeat_value",)

    customers: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    first: Float = attrs.field(converter=frozen_float, eq=array_eq)
    last: Float = attrs.field(converter=frozen_float, eq=array_eq)
    periods: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    repeat_value: Float = attrs.field(converter=frozen_float, eq=array_eq)
    transactions: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    end: float | None
    freq: str
    freq_multiplier: float
    n_missing: int = 0
    n_after_end: int = 0

    @classmethod
    def empty(cls) -> Self:
        """The identity of ``+``: no customer, no observation window.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.RFMState.empty().n
        0
        """
        z = np.zeros(0)
        zi = np.zeros(0, np.int64)
        return cls(z, z, z, zi, z, zi, None, "day", 1.0)

    @classmethod
    def from_transactions(
        cls,
        customers: ArrayLike,
        instants: ArrayLike,
        values: ArrayLike | None = None,
        *,
        observation_end: object = None,
        freq: FixedFreq = "day",
        freq_multiplier: float = 1.0,
        nan_policy: NanPolicy = "raise",
    ) -> Self:
        """Build the state of a transaction log (see :func:`rfm_summary`).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> s = cx.RFMState.from_transactions(["a", "a"], ["2024-01-01", "2024-01-08"],
        ...                                   observation_end="2024-01-15")
        >>> s.periods.tolist(), s.end - float(s.first[0])
        ([2], 14.0)
        """
        check_option("freq", freq, FixedFreq)
        check_option("nan_policy", nan_policy, NanPolicy)
        check_zones({"instants": instants, "observation_end": observation_end})
        log = transaction_log(customers, instants, values, nan_policy=nan_policy)
        kind = "datetime" if log.instants.dtype.kind == "M" else "number"
        if kind == "datetime":
            check_option("freq", freq, FixedFreq)
        mult = check_time("freq_multiplier", freq_multiplier, positive=True)
        # whole periods as int64 for datetimes: collapse needs no check or cast
        periods = period_codes(log.instants, freq)
        if observation_end is None:
            if periods.shape[0] == 0:
                msg = "`observation_end` is needed when the log is empty."
                raise InvalidInputError(msg)
            end = float(periods.max())
        else:
            end = _end_period(observation_end, kind, freq)
        keep = periods <= end
        n_after = int(keep.shape[0] - np.count_nonzero(keep))
        if n_after:
            periods = periods[keep]
            c = collapse(
                log.customers[keep], periods, log.values[keep], overwrite_periods=True
            )
        else:
            # datetime periods are a new array here (numbers may be the caller's)
            c = collapse(
                log.customers, periods, log.values, overwrite_periods=kind == "datetime"
            )
        # the collapse's arrays are new: adopted without the converters' copies
        return adopt(
            cls,
            customers=c.customers,
            first=c.first,
            last=c.last,
            periods=c.periods,
            repeat_value=c.repeat_value,
            transactions=c.transactions,
            end=end,
            freq="number" if kind == "number" else freq,
            freq_multiplier=mult,
            n_missing=log.n_missing,
            n_after_end=n_after,
        )

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.customers.shape[0])

    def merge(self, other: RFMState) -> RFMState:
        """Merge with the state of a log of *other* customers.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> a = cx.RFMState.from_transactions([1], [0.0], observation_end=3.0)
        >>> a.merge(cx.RFMState.empty()).n
        1
        """
        if not isinstance(other, RFMState):
            return NotImplemented
        if other.n == 0 and other.end is None:
            return attrs.evolve(
                self,
                n_missing=self.n_missing + other.n_missing,
                n_after_end=self.n_after_end + other.n_after_end,
            )
        if self.n == 0 and self.end is None:
            return other.merge(self)
        if (self.freq, self.freq_multiplier) != (other.freq, other.freq_multiplier):
            msg = (
                f"cannot merge RFMState with freq={self.freq!r}, freq_multiplier="
                f"{self.freq_multiplier:g} and RFMState with freq={other.freq!r}, "
                f"freq_multiplier={other.freq_multiplier:g}."
            )
            raise IncompatibleStateError(msg)
        if self.end is not None and other.end is not None and self.end != other.end:
            msg = (
                f"cannot merge RFMState observed until period {self.end:g} and "
                f"RFMState observed until period {other.end:g}."
            )
            raise IncompatibleStateError(msg)
        end = self.end if self.end is not None else other.end
        if other.n == 0 or self.n == 0:
            return attrs.evolve(
                self if other.n == 0 else other,
                end=end,
                n_missing=self.n_missing + other.n_missing,
                n_after_end=self.n_after_end + other.n_after_end,
            )
        try:
            keys = np.concatenate([self.customers, other.customers])
            order = np.argsort(keys, kind="stable")
        except TypeError as err:
            msg = f"cannot merge RFMStates whose customer keys differ in type ({err})."
            raise IncompatibleStateError(msg) from None
        sorted_keys = keys[order]
        dup = sorted_keys[1:] == sorted_keys[:-1]
        if np.any(dup):
            key = sorted_keys[1:][np.argmax(dup)].item()
            msg = (
                f"cannot merge RFMStates that share customer {key!r}: states merge "
                "when the log is split by customer, not by time."
            )
            raise IncompatibleStateError(msg)

        def cat(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
            return np.concatenate([a, b])[order]

        return RFMState(
            sorted_keys,
            cat(self.first, other.first),
            cat(self.last, other.last),
            cat(self.periods, other.periods),
            cat(self.repeat_value, other.repeat_value),
            cat(self.transactions, other.transactions),
            end,
            self.freq,
            self.freq_multiplier,
            self.n_missing + other.n_missing,
            self.n_after_end + other.n_after_end,
        )

    def compute(self) -> RFMSummary:
        """The RFM summary (:class:`RFMSummary`).

        Warns
        -----
        UndefinedMetricWarning
            When the state holds no customer.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> s = cx.RFMState.from_transactions([7, 7], [1.0, 3.0], [5.0, 8.0])
        >>> s.compute().monetary_value.tolist()
        [8.0]
        """
        if self.n == 0:
            warnings.warn(
                "the RFM summary of an empty log has no customer.",
                UndefinedMetricWarning,
                stacklevel=2,
            )
        end = self.end if self.end is not None else 0.0
        m = self.freq_multiplier
        # one new array per column, each computed in place (the same values as
        # ``(periods - 1).astype(float)``, ``np.where(x > 0, v / max(x, 1), 0)``)
        x = self.periods.astype(np.float64)
        x -= 1.0
        mv = np.maximum(x, 1.0)
        np.divide(self.repeat_value, mv, out=mv)
        mv[x <= 0.0] = 0.0
        recency = np.subtract(self.last, self.first)
        recency /= m
        age = np.subtract(end, self.first)
        age /= m
        # new arrays and the state's read-only ones: no converter copies
        return adopt(
            RFMSummary,
            customers=self.customers,
            frequency=x,
            recency=recency,
            T=age,
            monetary_value=mv,
            transactions=self.transactions,
            freq=self.freq,
            freq_multiplier=m,
            n_missing=self.n_missing,
            n_after_end=self.n_after_end,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (lists and scalars); inverse of :meth:`from_dict`.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> s = cx.RFMState.from_transactions([1, 2], [0.0, 1.0])
        >>> cx.RFMState.from_dict(s.to_dict()) == s
        True
        """
        return {
            **self._tag(),
            "customers": self.customers.tolist(),
            "first": self.first.tolist(),
            "last": self.last.tolist(),
            "periods": self.periods.tolist(),
            "repeat_value": self.repeat_value.tolist(),
            "transactions": self.transactions.tolist(),
            "end": self.end,
            "freq": self.freq,
            "freq_multiplier": self.freq_multiplier,
            "n_missing": self.n_missing,
            "n_after_end": self.n_after_end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a state from :meth:`to_dict` output.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.RFMState.from_dict(cx.RFMState.empty().to_dict()).n
        0
        """
        cls._check_tag(data)
        return cls(
            np.asarray(data["customers"]),
            data["first"],
            data["last"],
            data["periods"],
            data["repeat_value"],
            data["transactions"],
            None if data["end"] is None else float(data["end"]),
            str(data["freq"]),
            float(data["freq_multiplier"]),
            int(data["n_missing"]),
            int(data["n_after_end"]),
        )


def rfm_summary(
    customers: ArrayLike,
    instants: ArrayLike,
    values: ArrayLike | None = None,
    *,
    observation_end: object = None,
    freq: FixedFreq = "day",
    freq_multiplier: float = 1.0,
    nan_policy: NanPolicy = "raise",
) -> RFMSummary:
    r"""RFM summary (frequency, recency, T, monetary value) of a transaction log.

    Parameters
    ----------
    customers : array_like, shape (n,)
        Customer key of each transaction (integers or strings).
    instants : array_like, shape (n,)
        When each transaction happened: datetime64, datetimes, dates, ISO
        strings, or numbers (already in periods of your choice).
    values : array_like of float, shape (n,), optional
        Monetary value of each transaction; without it ``monetary_value`` is 0.
    observation_end : datetime-like or float, optional
        End of the observation window (inclusive, at the ``freq`` resolution);
        later transactions are ignored and counted in ``n_after_end``. Default:
        the latest transaction.
    freq : {'D', 'W', 'h', 'min', 's'}, default 'D'
        Purchases of a customer in the same period are collapsed into one whose
        value is their sum ('W': weeks Monday to Sunday). Ignored for numeric
        instants, where only equal instants are collapsed.
    freq_multiplier : float, default 1
        Periods per time unit of the output (``freq="day", freq_multiplier=7``
        measures in weeks of days, as in the CDNOW papers).
    nan_policy : {'raise', 'omit'}, default 'raise'
        Rows with a missing instant or value.

    Returns
    -------
    RFMSummary
        One row per customer with a purchase up to ``observation_end``.

    Notes
    -----
    With purchase periods :math:`p_1 < \dots < p_{x+1}` of a customer, end
    period :math:`p_E` and multiplier :math:`m`:
    :math:`x = \#\{p\} - 1`, :math:`t_x = (p_{x+1} - p_1)/m`,
    :math:`T = (p_E - p_1)/m`, :math:`\bar z = \frac{1}{x}\sum_{j \ge 2} v(p_j)`
    (Fader, Hardie & Lee 2005a, section 3; the same summary as lifetimes'
    ``summary_data_from_transaction_data``). Computed with one sort and
    :func:`numpy.add.reduceat`.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your
       customers" the easy way: an alternative to the Pareto/NBD model.
       *Marketing Science* 24(2), 275-284.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.rfm_summary(
    ...     ["a", "a", "a", "b"],
    ...     ["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-10"],
    ...     [10.0, 5.0, 20.0, 7.0],
    ...     observation_end="2024-01-29", freq_multiplier=7,
    ... )
    >>> s.customers.tolist(), s.frequency.tolist(), s.recency.tolist(), s.T.tolist()
    (['a', 'b'], [1.0, 0.0], [2.0, 0.0], [4.0, 2.7142857142857144])
    >>> s.monetary_value.tolist()
    [20.0, 0.0]
    """
    return RFMState.from_transactions(
        customers,
        instants,
        values,
        observation_end=observation_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
        nan_policy=nan_policy,
    ).compute()
