"""The mergeable churn counts of one period (:class:`ChurnState`) and their checks."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_int,
    nan_equal_fields,
)
from cxmetrics._core.mergeable import Mergeable, check_int64_total
from cxmetrics._core.validation import (
    check_positive_int,
    common_unit,
    datetime_scalar,
    parameter_scalar,
)
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
)
from cxmetrics.retention._churn_result import (
    ChurnResult,
    _columns,
    _warn,
)
from cxmetrics.retention._churn_spells import (
    _codes,
    _instants,
    _spell_counts,
)
from cxmetrics.retention._conventions import ChurnConvention, as_convention

__all__ = ["ChurnState"]


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


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
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
