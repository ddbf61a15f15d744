r"""The event table of time-to-event data: the mergeable state behind survival curves.

For each distinct time :math:`t_j` the table counts the subjects who entered the
study at :math:`t_j` (:math:`e_j`), had the event at :math:`t_j` (:math:`d_j`) and
were censored at :math:`t_j` (:math:`c_j`). A subject is at risk on
:math:`(\text{entry}, \text{duration}]`; those entering at the origin 0 are at risk
from the start, so without late entry every subject enters at 0 and
:math:`n_j = \#\{\text{duration} \ge t_j\}`. In general

.. math::

    n_j = \sum_{k<j} e_k + [t_j = 0]\,e_j - \sum_{k<j} (d_k + c_k),

the risk set of R's ``survfit`` for counting-process data ``Surv(entry, duration,
event)``: a subject entering at :math:`t_j > 0` is not at risk for the events at
:math:`t_j`. Every estimate (Kaplan-Meier, Nelson-Aalen, log-rank) is a function of
the table alone, and tables merge exactly: int64 counts added on the union of the
float64 time keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self, TypeVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    adopt,
    array_eq,
    frozen_float,
    frozen_int,
    nan_equal_fields,
)
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.threaded import sort_in_place
from cxmetrics._core.validation import (
    check_option,
)
from cxmetrics.exceptions import IncompatibleStateError, InvalidInputError
from cxmetrics.survival._inputs import SurvivalData, survival_data
from cxmetrics.survival._km import KaplanMeierResult, kaplan_meier_from_table
from cxmetrics.survival._nelson_aalen import (
    NelsonAalenResult,
    nelson_aalen_from_table,
)
from cxmetrics.survival._risk_set import at_risk
from cxmetrics.typing import CumulativeHazardTies, NanPolicy

__all__ = ["SurvivalState", "event_table"]

Int = NDArray[np.int64]
Float = NDArray[np.float64]
_S = TypeVar("_S", bound="SurvivalState")

# whole-number times up to max(4 n, 2**16) are counted with np.bincount (linear time)
_DENSE_FACTOR = 4
_DENSE_MIN = 1 << 16


def _dense_codes(x: Float) -> Int | None:
    """``x`` as int64 codes when all are whole numbers in a modest range, else None."""
    if x.size == 0:
        return None
    head = x[:64]
    if not np.array_equal(np.floor(head), head):  # continuous: skip the full pass
        return None
    hi = float(x.max())
    if hi > max(_DENSE_FACTOR * x.size, _DENSE_MIN):
        return None
    codes = x.astype(np.int64)
    if not np.array_equal(codes, x):
        return None
    return codes


def _distinct(sorted_x: Float) -> tuple[Float, Int]:
    """Distinct values of a sorted array and how often each occurs."""
    if sorted_x.size == 0:
        return np.empty(0), np.empty(0, np.int64)
    starts = np.flatnonzero(sorted_x[1:] != sorted_x[:-1]) + 1
    starts = np.concatenate(([0], starts))
    counts = np.diff(np.append(starts, sorted_x.size))
    # -0.0 + 0.0 is +0.0: one key for the origin
    return sorted_x[starts] + 0.0, counts.astype(np.int64)


def _tally(
    x: Float, mask: NDArray[np.bool_] | None, lead: int = 0
) -> tuple[Float, Int, Int]:
    """Distinct values of ``x``, their counts, and the counts where ``mask`` holds.

    With ``lead=1`` the three arrays start with one slot the caller fills (the
    origin row of :func:`event_table`), so that no full-length array is copied to
    prepend it.
    """
    codes = _dense_codes(x)
    if codes is not None:
        allc = np.bincount(codes)
        nz = np.flatnonzero(allc)
        sub = allc if mask is None else np.bincount(codes[mask], minlength=allc.size)
        return _lead(
            lead,
            nz.astype(np.float64),
            allc[nz].astype(np.int64),
            sub[nz].astype(np.int64),
        )
    if mask is not None and x.size:
        return _tally_packed(x, mask, lead)
    values, counts = _distinct(np.sort(x))
    if mask is None:
        return _lead(lead, values, counts, counts.copy())
    sub_values, sub_counts = _distinct(np.sort(x[mask]))
    sub = np.zeros(values.size, np.int64)
    sub[np.searchsorted(values, sub_values)] = sub_counts
    return _lead(lead, values, counts, sub)


def _lead(lead: int, times: Float, counts: Int, sub: Int) -> tuple[Float, Int, Int]:
    """``lead`` unset slots in front of each array (see :func:`_tally`)."""
    if not lead:
        return times, counts, sub
    pad_f, pad_i = np.empty(lead), np.empty(lead, np.int64)
    return (
        np.concatenate((pad_f, times)),
        np.concatenate((pad_i, counts)),
        np.concatenate((pad_i, sub)),
    )


def _tally_packed(
    x: Float, mask: NDArray[np.bool_], lead: int = 0
) -> tuple[Float, Int, Int]:
    """:func:`_tally` of continuous times in one sort of packed integer keys.

    The bits of a non-negative float64 sort like the float itself, and their top
    (sign) bit is 0: shifted left once, the freed low bit holds ``mask``. One sort
    of these uint64 keys orders the times, and within a time the masked rows come
    last, so the counts under ``mask`` are sums of the low bit over each run.
    Every full-length array is written once, in place where it can be (each new
    one costs a page fault per page on first touch).
    """
    keys = np.add(x, 0.0).view(np.uint64)  # a new array; -0.0 + 0.0 is +0.0
    keys <<= np.uint64(1)
    keys |= mask
    sort_in_place(keys)
    n = keys.size
    flagged = np.empty(n, dtype=bool)  # the low bits, one byte each
    np.bitwise_and(keys, np.uint64(1), out=flagged, casting="unsafe")
    keys >>= np.uint64(1)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    size = starts.size + lead
    times = np.empty(size)
    # mode="clip" writes straight into ``out`` (mode "raise" buffers a copy);
    # every index is in range
    np.take(keys.view(np.float64), starts, out=times[lead:], mode="clip")
    counts = np.empty(size, np.int64)
    np.subtract(starts[1:], starts[:-1], out=counts[lead:-1])
    counts[-1] = n - starts[-1]
    sub = np.empty(size, np.int64)
    np.add.reduceat(flagged, starts, dtype=np.int64, out=sub[lead:])
    return times, counts, sub


def event_table(data: SurvivalData) -> tuple[Float, Int, Int, Int]:
    """Vectorised kernel: ``(times, entered, events, censored)`` of validated data.

    One sort of the durations (or a bincount for whole-number durations) and one of
    the event durations; no Python loop over rows.
    """
    d, ev, en = data.durations, data.events, data.entry
    n = d.size
    if n == 0:
        empty_i = np.empty(0, np.int64)
        return np.empty(0), empty_i, empty_i, empty_i
    if en is None:
        # everyone enters at the origin: the table starts with a row at time 0,
        # made in the slot the tally leaves in front (or the tally's own row 0)
        times, removed, events = _tally(d, ev, lead=1)
        if times[1] == 0.0:  # a duration of 0: the tally's row 0 is the origin
            times, removed, events = (
                times[1:].copy(),
                removed[1:].copy(),
                events[1:].copy(),
            )
        else:
            times[0], removed[0], events[0] = 0.0, 0, 0
        entered = np.zeros(times.size, np.int64)
        entered[0] = n
        return times, entered, events, np.subtract(removed, events, out=removed)
    times, removed, events = _tally(d, ev)
    censored = removed - events
    entry_times, entry_counts, _ = _tally(en, None)
    all_times = np.union1d(times, entry_times)
    size = all_times.size
    pos = np.searchsorted(all_times, times)
    out_e = np.zeros(size, np.int64)
    out_d = np.zeros(size, np.int64)
    out_c = np.zeros(size, np.int64)
    out_d[pos], out_c[pos] = events, censored
    out_e[np.searchsorted(all_times, entry_times)] = entry_counts
    return all_times, out_e, out_d, out_c


def _check_table(
    times: Float, entered: Int, events: Int, censored: Int, shape: tuple[int, ...]
) -> None:
    if times.ndim != 1:
        msg = f"`times` must be 1-D; got shape {times.shape}."
        raise InvalidInputError(msg)
    for name, arr in (("entered", entered), ("events", events), ("censored", censored)):
        if arr.shape != shape:
            msg = f"`{name}` must have shape {shape}; got {arr.shape}."
            raise InvalidInputError(msg)
        if arr.size and arr.min() < 0:
            msg = f"`{name}` must be non-negative counts."
            raise InvalidInputError(msg)
    if times.size:
        if not np.isfinite(times).all() or times[0] < 0:
            msg = "`times` must be finite and non-negative."
            raise InvalidInputError(msg)
        if (np.diff(times) <= 0).any():
            msg = "`times` must be strictly increasing."
            raise InvalidInputError(msg)
        removed = events + censored
        short = at_risk(times, entered, removed) < removed
        if short.any():
            msg = "the table removes more subjects than are at risk (more events or censorings than entries)."
            raise InvalidInputError(msg)


def _owned_table(
    cls: type[_S],
    times: Float,
    entered: Int,
    events: Int,
    censored: Int,
    n_missing: int,
) -> _S:
    """A state around arrays this module just built from valid data or tables.

    Skips the converters' copies and :func:`_check_table` (whose risk-set pass
    costs as much as building the table): the arrays are new, owned by the state
    and made read-only here, and valid by construction.
    """
    return adopt(
        cls,
        times=times,
        entered=entered,
        events=events,
        censored=censored,
        n_missing=n_missing,
    )


def _check_type(state: object, other: object) -> None:
    if type(other) is not type(state):
        msg = f"cannot merge {type(state).__name__} with {type(other).__name__}."
        raise IncompatibleStateError(msg)


def _align(
    times_a: Float, times_b: Float
) -> tuple[Float, NDArray[np.intp], NDArray[np.intp]]:
    """Union of two increasing time arrays and where each one's times land in it.

    A stable sort of the two concatenated runs is a linear merge (timsort), so
    merging many states costs no more than reading them.
    """
    if times_a.shape == times_b.shape and np.array_equal(times_a, times_b):
        pos = np.arange(times_a.size)
        return times_a, pos, pos
    both = np.concatenate((times_a, times_b))
    order = np.argsort(both, kind="stable")
    ordered = both[order]
    new = np.ones(ordered.size, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    pos = np.empty(both.size, dtype=np.intp)
    pos[order] = np.cumsum(new) - 1
    return ordered[new], pos[: times_a.size], pos[times_a.size :]


#: largest grouped event table (groups x distinct times): each of its tables holds
#: this many int64 counts (80 MB at the limit)
MAX_TABLE_CELLS = 10_000_000


def check_table_size(groups: int, times: int) -> None:
    """Refuse, before allocating, a dense groups x times table past :data:`MAX_TABLE_CELLS`."""
    if groups * times > MAX_TABLE_CELLS:
        msg = (
            f"{groups} groups x {times} distinct times = {groups * times} cells exceed "
            f"the limit of {MAX_TABLE_CELLS} cells of a grouped event table; round the "
            "durations (e.g. to days) or use fewer groups."
        )
        raise InvalidInputError(msg)


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class SurvivalState(Mergeable):
    r"""Mergeable event table of time-to-event data (the state of a survival curve).

    ``kaplan_meier(d, e) == SurvivalState.from_durations(d, e).compute()``. Tables
    of parts add up to the table of the whole, exactly: int64 counts on the union
    of the float64 time keys. Without late entry every subject enters at time 0.

    Attributes
    ----------
    times : ndarray of float64, shape (k,)
        Distinct times (durations and entry times), increasing.
    entered, events, censored : ndarray of int64, shape (k,)
        Subjects entering, having the event, and censored at each time.
    n_missing : int
        Rows omitted for a missing value under ``nan_policy='omit'``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.SurvivalState.from_durations([5, 8, 8], [1, 0, 1])
    >>> b = cx.SurvivalState.from_durations([3, 8], [1, 1])
    >>> (a + b) == cx.SurvivalState.from_durations([5, 8, 8, 3, 8], [1, 0, 1, 1, 1])
    True
    >>> (a + b).times.tolist(), (a + b).events.tolist()
    ([0.0, 3.0, 5.0, 8.0], [0, 1, 1, 2])
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = dict.fromkeys(
        ("times", "entered", "events", "censored"), ("t",)
    )

    times: Float = attrs.field(converter=frozen_float, eq=array_eq)
    entered: Int = attrs.field(converter=frozen_int, eq=array_eq)
    events: Int = attrs.field(converter=frozen_int, eq=array_eq)
    censored: Int = attrs.field(converter=frozen_int, eq=array_eq)
    n_missing: int = attrs.field(default=0, converter=int)

    def __attrs_post_init__(self) -> None:
        _check_table(
            self.times, self.entered, self.events, self.censored, self.times.shape
        )

    @classmethod
    def empty(cls) -> Self:
        """The identity of ``+``: no subjects."""
        e = np.empty(0, np.int64)
        return cls(np.empty(0), e, e, e)

    @classmethod
    def from_durations(
        cls,
        durations: ArrayLike,
        events: ArrayLike | None = None,
        *,
        entry: ArrayLike | None = None,
        nan_policy: NanPolicy = "raise",
    ) -> Self:
        """Build the event table in one vectorised pass (a sort, or a bincount).

        Parameters
        ----------
        durations : array_like of float, shape (n,)
            Time from the origin to the event or to censoring; finite, >= 0.
        events : array_like of {0, 1} or bool, shape (n,), optional
            1 (True) when the event was observed, 0 when the duration is censored.
            Default: every duration is an event.
        entry : array_like of float, shape (n,), optional
            Late entry (left truncation): the time each subject came under
            observation, ``entry < duration`` (or both 0). Default: all at 0.
        nan_policy : {'raise', 'omit'}, default 'raise'
            Rows with a missing value raise, or are omitted and counted.
        """
        data = survival_data(durations, events, entry, nan_policy=nan_policy)
        times, entered, ev, cens = event_table(data)
        return _owned_table(cls, times, entered, ev, cens, data.n_missing)

    @property
    def n(self) -> int:
        """Number of subjects."""
        return int(self.entered.sum())

    @property
    def n_events(self) -> int:
        """Number of events."""
        return int(self.events.sum())

    @property
    def at_risk(self) -> Int:
        """Number at risk at each of ``times``."""
        return at_risk(self.times, self.entered, self.events + self.censored)

    def merge(self, other: Self) -> Self:
        """Combine with the table of other subjects (exact)."""
        _check_type(self, other)
        times, pa, pb = _align(self.times, other.times)

        def add(a: Int, b: Int) -> Int:
            # pa holds distinct positions: a plain scatter, then b added (where
            # the two tables share a time, pb meets pa)
            out = np.zeros(times.size, np.int64)
            out[pa] = a
            out[pb] += b
            return out

        return _owned_table(
            type(self),
            times,
            add(self.entered, other.entered),
            add(self.events, other.events),
            add(self.censored, other.censored),
            self.n_missing + other.n_missing,
        )

    @classmethod
    def merge_all(cls, states: Iterable[SurvivalState]) -> Self:
        """Merge many tables at once (one pass), equal to ``sum(states, empty())``.

        Folding ``+`` over k tables re-aligns the growing union k times; this
        aligns all of them in one stable sort, which matters for many chunks of
        continuous times.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> parts = [cx.SurvivalState.from_durations([d], [1]) for d in (3.5, 1.25, 3.5)]
        >>> cx.SurvivalState.merge_all(parts) == sum(parts)
        True
        """
        items = list(states)
        for item in items:
            _check_type(cls.empty(), item)
        if not items:
            return cls.empty()
        both = np.concatenate([item.times for item in items])
        order = np.argsort(both, kind="stable")
        ordered = both[order]
        new = np.ones(ordered.size, dtype=bool)
        new[1:] = ordered[1:] != ordered[:-1]
        pos = np.empty(both.size, dtype=np.intp)
        pos[order] = np.cumsum(new) - 1
        times = ordered[new]

        def total(name: str) -> Int:
            out = np.zeros(times.size, np.int64)
            np.add.at(out, pos, np.concatenate([getattr(i, name) for i in items]))
            return out

        return _owned_table(
            cls,
            times,
            total("entered"),
            total("events"),
            total("censored"),
            sum(item.n_missing for item in items),
        )

    def compute(self) -> KaplanMeierResult:
        """The Kaplan-Meier curve of this table (see :func:`kaplan_meier`)."""
        return kaplan_meier_from_table(
            self.times, self.entered, self.events, self.censored, self.n_missing
        )

    def nelson_aalen(
        self, *, ties: CumulativeHazardTies = "nelson-aalen"
    ) -> NelsonAalenResult:
        """The Nelson-Aalen cumulative hazard of this table (see :func:`nelson_aalen`)."""
        check_option("ties", ties, CumulativeHazardTies)
        return nelson_aalen_from_table(
            self.times, self.entered, self.events, self.censored, ties, self.n_missing
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it exactly."""
        return {
            **self._tag(),
            "times": self.times.tolist(),
            "entered": self.entered.tolist(),
            "events": self.events.tolist(),
            "censored": self.censored.tolist(),
            "n_missing": self.n_missing,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a state from :meth:`to_dict` output."""
        cls._check_tag(data)
        return cls(
            np.asarray(data["times"], dtype=np.float64),
            np.asarray(data["entered"], dtype=np.int64),
            np.asarray(data["events"], dtype=np.int64),
            np.asarray(data["censored"], dtype=np.int64),
            data["n_missing"],
        )
