"""The mergeable churn counts per calendar period (:class:`GroupedChurnState`)."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    nan_equal_fields,
)
from cxmetrics._core.keys import decode_keys, encode_keys
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.validation import (
    check_flag,
    datetime_scalar,
    datetimes_1d,
    group_index,
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
from cxmetrics.retention._churn_result import (
    GroupedChurnResult,
    _columns,
    _warn,
)
from cxmetrics.retention._churn_spells import (
    _codes,
    _instants,
    _spell_counts,
)
from cxmetrics.retention._churn_state import (
    ChurnState,
    _check_tables,
)
from cxmetrics.retention._conventions import ChurnConvention, as_convention
from cxmetrics.typing import CalendarFreq

__all__ = ["GroupedChurnState"]


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class GroupedChurnState(Mergeable):
    """Mergeable churn counts per calendar period (see :class:`ChurnState`).

    ``keys`` are period indices (counted from the period of 1970-01-01); states
    of disjoint sets of customers add exactly, periods aligned by key. A
    customer split across two states would be counted twice: partition by
    customer.

    States over different ranges of periods merge when the periods one of them
    lacks are known: before its first period nobody of its customers is active
    when nobody is at the start of it; after its last period, nobody is when
    nobody is active at its end. A state built from activity
    (:meth:`from_activity`, ``activity_end=True``) ends with the last period
    that has activity, so its customers active then have no later activity:
    merged with a state over later periods, they churn in the period after its
    last one, exactly as :meth:`from_activity` counts them on the union of the
    two logs. Any other state with customers active at an edge (a ``first``,
    ``last`` or ``as_of`` cut them off) is refused with
    :class:`~cxmetrics.exceptions.IncompatibleStateError`: build both over the
    same ``first`` and ``last``.

    Attributes
    ----------
    freq : str
        ``'day'``, ``'week'``, ``'month'``, ``'quarter'`` or ``'year'``.
    keys : ndarray of int64, shape (k,)
        Period indices, consecutive.
    at_start, reactivated : ndarray of int64, shape (k,)
    churn_table, join_table : ndarray of int64, shape (k, 2, 2)
    exposure : ndarray of float64, shape (k,)
    activity_end : bool
        True when the state was built from activity: its customers active in
        its last period have no activity after it (see above). It says how
        the state extends and is not compared by ``==``.

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

    Activity logs split by customer merge over different ranges of periods:

    >>> t = np.array(["2024-01-03", "2024-02-07", "2024-02-02", "2024-04-02"], dtype="datetime64[D]")
    >>> x = cx.GroupedChurnState.from_activity(["a", "a"], t[:2])
    >>> y = cx.GroupedChurnState.from_activity(["c", "c"], t[2:])
    >>> (x + y) == cx.GroupedChurnState.from_activity(["a", "a", "c", "c"], t)
    True
    >>> (x + y).compute("stripe").churned.tolist()
    [0, 0, 2, 0]
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {
        "keys": ("g",),
        "at_start": ("g",),
        "churn_table": ("g", 2, 2),
        "join_table": ("g", 2, 2),
        "reactivated": ("g",),
        "exposure": ("g",),
    }

    freq: CalendarFreq
    keys: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    at_start: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    churn_table: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    join_table: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    reactivated: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    exposure: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    activity_end: bool = attrs.field(default=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_freq(self.freq)
        check_flag("activity_end", self.activity_end)
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
    def empty(cls, freq: CalendarFreq = "month") -> Self:
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
        freq: CalendarFreq = "month",
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
        freq: CalendarFreq = "month",
    ) -> Self:
        """Build the state from activity instants (active periods).

        A customer is active in a period when it has at least one activity in it.
        Runs of consecutive active periods become spells; a customer inactive for
        a period and active again is a comeback. The periods reported end with
        the last period that has activity (a churn after it is not yet visible);
        merged with the state of other customers over later periods, those
        active in it churn in the next period (``activity_end``), so logs split
        by customer can be summarised chunk by chunk.

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
            activity_end=True,
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
        names = ("at_start", "churn_table", "join_table", "reactivated", "exposure")
        a = _padded(self, p0, p1, names)
        b = _padded(other, p0, p1, names)
        at_start, churn, joins, reactivated, exposure = (a[n] + b[n] for n in names)
        return type(self)(
            self.freq,
            keys,
            at_start,
            churn,
            joins,
            reactivated,
            exposure,
            activity_end=(self.activity_end or other.activity_end)
            and _end_is_activity(self, p1)
            and _end_is_activity(other, p1),
        )

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
            "activity_end": self.activity_end,
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
            activity_end=data.get("activity_end", False),
        )


def _active_at_end(state: GroupedChurnState) -> int:
    """Customers active at the end of the last period of ``state``."""
    return int(
        state.at_start[-1] + state.join_table[-1].sum() - state.churn_table[-1].sum()
    )


def _end_is_activity(state: GroupedChurnState, p1: int) -> bool:
    """Whether the customers of ``state`` active at ``p1`` have no later activity.

    True for a state built from activity, and when none of its customers is
    active at ``p1`` (it ends before ``p1``: it was extended to it, or nobody is
    active at its end). A merge is built from activity (``activity_end``) when
    one of its states is and this holds for both.
    """
    return state.activity_end or state.keys[-1] < p1 or _active_at_end(state) == 0


def _padded(
    state: GroupedChurnState, p0: int, p1: int, names: tuple[str, ...]
) -> dict[str, NDArray[Any]]:
    """The counts of ``state`` over periods ``p0 .. p1``, or a refusal.

    Before its first period nobody of its customers is active when nobody is at
    its start. After its last one, nobody is when nobody is active at its end;
    for a state built from activity those active at its end churn in the next
    period (their log has no later activity): at the start of that period, a
    churn that neither joined nor comes back in it, and no time at risk.
    """
    lo = int(state.keys[0]) - p0
    k = state.keys.shape[0]
    ends = _active_at_end(state)
    cut_start = lo > 0 and state.at_start[0] > 0
    cut_end = int(state.keys[-1]) < p1 and ends > 0 and not state.activity_end
    if cut_start or cut_end:
        msg = (
            "cannot align churn states over different periods when customers "
            "are active at the edge of one of them (a `first`, `last` or `as_of` "
            "cut them off); build both over the same `first` and `last`."
        )
        raise IncompatibleStateError(msg)
    out: dict[str, NDArray[Any]] = {}
    for name in names:
        arr = getattr(state, name)
        full = np.zeros((p1 - p0 + 1, *arr.shape[1:]), dtype=arr.dtype)
        full[lo : lo + k] = arr
        out[name] = full
    if int(state.keys[-1]) < p1 and ends:
        nxt = lo + k
        out["at_start"][nxt] = ends
        out["churn_table"][nxt, 0, 0] = ends
    return out
