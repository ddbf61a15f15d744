"""Mergeable states of observed contacts: counts and sums per cell, built in one pass.

A state holds int64 counts (offered, answered, answered within T, abandoned,
abandoned within T, short abandons, handled, missing) and float64 sums (waits,
squared waits, talk, hold, after-contact work, squared handle times). Every metric
is a ratio of these, so states of parts add up to the state of the whole: exactly
for the counts, to floating-point rounding for the sums.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_equal_fields,
)
from cxmetrics._core.state import (
    GroupedState,
    KeyedState,
    group_keys,
    parameter,
    summed,
)
from cxmetrics._core.validation import (
    check_instance,
    check_same_length,
    check_squarable,
    durations_1d,
    flags_1d,
)
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.staffing._contact_result import (
    COUNTS,
    SUMS,
    ContactResult,
    GroupedContactResult,
)
from cxmetrics.staffing._contact_scheme import ContactScheme
from cxmetrics.staffing._durations import Duration, handle_times_1d
from cxmetrics.staffing._keys import contact_cells
from cxmetrics.typing import NanPolicy, ServiceLevelDefinition

__all__ = ["COUNTS", "SUMS", "ContactState", "GroupedContactState", "tally"]


def tally(
    wait: ArrayLike,
    abandoned: ArrayLike,
    scheme: ContactScheme,
    *,
    talk: ArrayLike | None = None,
    hold: ArrayLike | None = None,
    acw: ArrayLike | None = None,
    nan_policy: str = "raise",
    by: ArrayLike | None = None,
    arrived: ArrayLike | None = None,
    interval: Duration | None = None,
    levels: ArrayLike | None = None,
) -> tuple[NDArray[Any] | None, NDArray[np.int64], NDArray[np.float64]]:
    """Validate contacts and count them per cell: (keys, counts (g, 8), sums (g, 7)).

    One ``np.bincount`` per statistic over all rows: no loop over rows or groups.
    """
    check_instance("scheme", scheme, ContactScheme)
    w, missing = durations_1d(wait, "wait", nan_policy=nan_policy)
    check_squarable(w, "wait")
    n = w.shape[0]
    ab = flags_1d(abandoned, "abandoned")
    check_same_length("abandoned", ab, "wait", n)
    cells = contact_cells(n, by, arrived, interval, levels)
    present = np.ones(n, dtype=bool) if missing is None else ~missing
    answered = present & ~ab
    gone = present & ab
    given = [c for c in (talk, hold, acw) if c is not None]
    parts = [
        np.zeros(n)
        if c is None
        else check_squarable(handle_times_1d(c, name, answered), name)
        for c, name in ((talk, "talk"), (hold, "hold"), (acw, "acw"))
    ]
    w0 = np.where(present, w, 0.0)
    handle = parts[0] + parts[1] + parts[2]
    indicators = (
        present,
        answered,
        answered & (w0 <= scheme.threshold),
        gone,
        gone & (w0 <= scheme.threshold),
        gone & (w0 < scheme.short_abandon),
        answered if given else np.zeros(n, dtype=bool),
        ~present,
    )
    weights = (
        np.where(answered, w0, 0.0),
        np.where(answered, w0 * w0, 0.0),
        np.where(gone, w0, 0.0),
        parts[0],
        parts[1],
        parts[2],
        handle * handle,
    )
    if cells is None:
        counts = np.array([[np.count_nonzero(i) for i in indicators]], dtype=np.int64)
        sums = np.array([[float(np.sum(v)) for v in weights]])
        return None, counts, sums
    size = cells.size
    counts = np.stack(
        [np.bincount(cells.codes[i], minlength=size) for i in indicators],
        axis=1,
    ).astype(np.int64)
    sums = np.stack(
        [np.bincount(cells.codes, weights=v, minlength=size) for v in weights], axis=1
    )
    seen = np.bincount(cells.codes, minlength=size) > 0
    if not (cells.explicit or seen.all()):  # keep cells with contacts, or all levels
        keys, counts, sums = cells.keys[seen], counts[seen], sums[seen]
    else:
        keys = cells.keys
    return keys, counts, sums


_SCHEME = parameter(load=lambda _cls, raw: ContactScheme(**raw))
_COUNTS = summed(np.int64, (len(COUNTS),))
_SUMS = summed(np.float64, (len(SUMS),))
_MISMATCH = "cannot merge {cls} with {name} {a!r} and one with {name} {b!r}."


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class ContactState(KeyedState):
    """Counts and sums of a set of contacts: the mergeable state of :func:`contact_metrics`.

    Attributes
    ----------
    scheme : ContactScheme
        Threshold and short-abandon cut-off.
    counts : ndarray of int64, shape (8,)
        ``offered, answered, answered_within, abandoned, abandoned_within,
        short_abandoned, handled, n_missing`` (see ``COUNTS``).
    sums : ndarray of float64, shape (7,)
        ``answered_wait, answered_wait_sq, abandoned_wait, talk, hold, acw,
        handle_sq`` (see ``SUMS``).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.ContactState.from_contacts([5, 30], [False, False])
    >>> b = cx.ContactState.from_contacts([12, 40], [False, True])
    >>> (a + b) == cx.ContactState.from_contacts([5, 30, 12, 40], [False, False, False, True])
    True
    >>> (a + b).compute().value
    0.5
    >>> import json
    >>> cx.ContactState.from_dict(json.loads(json.dumps(a.to_dict()))) == a
    True
    """

    _mismatch = _MISMATCH

    scheme: ContactScheme = attrs.field(metadata=_SCHEME)
    counts: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=_COUNTS
    )
    sums: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq, metadata=_SUMS
    )

    @classmethod
    def empty(cls, scheme: ContactScheme | None = None) -> Self:
        """The identity of ``+``: no contacts."""
        return cls._empty(scheme=ContactScheme() if scheme is None else scheme)

    @classmethod
    def from_contacts(
        cls,
        wait: ArrayLike,
        abandoned: ArrayLike,
        *,
        talk: ArrayLike | None = None,
        hold: ArrayLike | None = None,
        acw: ArrayLike | None = None,
        scheme: ContactScheme | None = None,
        nan_policy: NanPolicy = "raise",
    ) -> Self:
        """Build the state of contacts in one vectorised pass (see :func:`contact_metrics`)."""
        sch = ContactScheme() if scheme is None else scheme
        _, counts, sums = tally(
            wait, abandoned, sch, talk=talk, hold=hold, acw=acw, nan_policy=nan_policy
        )
        return cls(sch, counts[0], sums[0])

    @property
    def n(self) -> int:
        """Contacts offered (missing ones excluded)."""
        return int(self.counts[0])

    def compute(
        self, *, definition: ServiceLevelDefinition = "offered"
    ) -> ContactResult:
        """The :class:`ContactResult` under a service-level ``definition``."""
        return ContactResult.from_state(self.scheme, self.counts, self.sums, definition)


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class GroupedContactState(GroupedState):
    """Counts and sums per group and/or interval; merging aligns the keys.

    Attributes
    ----------
    scheme : ContactScheme
        Threshold and short-abandon cut-off.
    keys : ndarray, shape (g,)
        Group labels; with intervals, a record array with fields ``key`` and/or
        ``interval`` (the interval start).
    counts : ndarray of int64, shape (g, 8)
        As in :class:`ContactState`, per cell.
    sums : ndarray of float64, shape (g, 7)
        As in :class:`ContactState`, per cell.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.GroupedContactState.from_contacts([5, 30, 12], [False, False, True], by=["a", "b", "a"])
    >>> s.compute().value.tolist()
    [0.5, 0.0]
    >>> import json
    >>> cx.GroupedContactState.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    True
    >>> s["b"].counts.tolist()  # the state of one cell
    [1, 1, 0, 0, 0, 0, 0, 0]
    """

    _scalar: ClassVar[type[ContactState]] = ContactState
    _mismatch = _MISMATCH

    scheme: ContactScheme = attrs.field(metadata=_SCHEME)
    keys: NDArray[Any] = attrs.field(
        converter=frozen_keys, eq=array_eq, metadata=group_keys()
    )
    counts: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=_COUNTS
    )
    sums: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq, metadata=_SUMS
    )

    @classmethod
    def empty(cls, scheme: ContactScheme | None = None) -> Self:
        """The identity of ``+``: no groups."""
        return cls._empty(scheme=ContactScheme() if scheme is None else scheme)

    @classmethod
    def from_contacts(
        cls,
        wait: ArrayLike,
        abandoned: ArrayLike,
        *,
        by: ArrayLike | None = None,
        arrived: ArrayLike | None = None,
        interval: Duration | None = None,
        levels: ArrayLike | None = None,
        talk: ArrayLike | None = None,
        hold: ArrayLike | None = None,
        acw: ArrayLike | None = None,
        scheme: ContactScheme | None = None,
        nan_policy: NanPolicy = "raise",
    ) -> Self:
        """Build the per-cell state in one vectorised pass (see :func:`contact_metrics`)."""
        sch = ContactScheme() if scheme is None else scheme
        keys, counts, sums = tally(
            wait,
            abandoned,
            sch,
            talk=talk,
            hold=hold,
            acw=acw,
            nan_policy=nan_policy,
            by=by,
            arrived=arrived,
            interval=interval,
            levels=levels,
        )
        if keys is None:
            msg = "a grouped state needs `by` and/or `interval` (with `arrived`)."
            raise InvalidInputError(msg)
        return cls(sch, keys, counts, sums)

    @property
    def n(self) -> NDArray[np.int64]:
        """Contacts offered per cell."""
        return np.asarray(self.counts[:, 0], dtype=np.int64)

    def compute(
        self, *, definition: ServiceLevelDefinition = "offered"
    ) -> GroupedContactResult:
        """The :class:`GroupedContactResult` under a service-level ``definition``."""
        return GroupedContactResult.from_state(
            self.scheme, self.keys, self.counts, self.sums, definition
        )

    def __getitem__(self, key: object) -> ContactState:
        """The state of one cell (a tuple ``(key, interval)`` for group x interval)."""
        cell: ContactState = super().__getitem__(key)
        return cell
