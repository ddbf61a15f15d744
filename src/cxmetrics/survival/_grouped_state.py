"""Event tables of several groups on one time grid: :class:`GroupedSurvivalState`.

The grouped state behind ``kaplan_meier(..., by=)``, ``nelson_aalen(..., by=)``
and ``logrank_test``: per group, the counts of :class:`SurvivalState` on the union
of the groups' times, so that groups and shards merge exactly.
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
from cxmetrics._core.keys import align_keys, decode_keys, encode_keys
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.threaded import searchsorted
from cxmetrics._core.validation import (
    as_1d,
    check_same_length,
    group_index,
)
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.survival._event_table import (
    Float,
    Int,
    SurvivalState,
    _align,
    _check_table,
    _check_type,
    _owned_table,
    check_table_size,
    event_table,
)
from cxmetrics.survival._inputs import survival_data
from cxmetrics.survival._logrank import LogrankResult, logrank_from_tables
from cxmetrics.typing import NanPolicy

__all__ = ["GroupedSurvivalState"]


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class GroupedSurvivalState(Mergeable):
    """Event tables of several groups on one time grid; merging aligns keys and times.

    The counts are dense arrays of shape ``(groups, times)``: memory grows with the
    number of groups times the number of distinct times, which suits a comparison
    of a few groups (the log-rank test).

    Attributes
    ----------
    keys : ndarray, shape (g,)
        Group labels (sorted, or in the order of ``levels``).
    times : ndarray of float64, shape (k,)
        Distinct times over all groups, increasing.
    entered, events, censored : ndarray of int64, shape (g, k)
        Counts per group and time.
    n_missing : ndarray of int64, shape (g,)
        Rows omitted per group for a missing value.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.GroupedSurvivalState.from_durations([4, 6, 6, 9], ["a", "b", "a", "b"])
    >>> s.keys.tolist(), s["a"].events.tolist()
    (['a', 'b'], [0, 1, 1])
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {
        "keys": ("g",),
        "times": ("t",),
        "entered": ("g", "t"),
        "events": ("g", "t"),
        "censored": ("g", "t"),
        "n_missing": ("g",),
    }

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    times: Float = attrs.field(converter=frozen_float, eq=array_eq)
    entered: Int = attrs.field(converter=frozen_int, eq=array_eq)
    events: Int = attrs.field(converter=frozen_int, eq=array_eq)
    censored: Int = attrs.field(converter=frozen_int, eq=array_eq)
    n_missing: Int = attrs.field(converter=frozen_int, eq=array_eq)

    def __attrs_post_init__(self) -> None:
        g = self.keys.shape[0]
        if self.n_missing.shape != (g,):
            msg = f"`n_missing` must have shape ({g},); got {self.n_missing.shape}."
            raise InvalidInputError(msg)
        _check_table(
            self.times,
            self.entered,
            self.events,
            self.censored,
            (g, self.times.shape[0]),
        )

    @classmethod
    def empty(cls) -> Self:
        """The identity of ``+``: no groups."""
        e = np.zeros((0, 0), np.int64)
        return cls(
            np.array([], dtype=np.int64), np.empty(0), e, e, e, np.zeros(0, np.int64)
        )

    @classmethod
    def from_durations(
        cls,
        durations: ArrayLike,
        by: ArrayLike,
        events: ArrayLike | None = None,
        *,
        entry: ArrayLike | None = None,
        nan_policy: NanPolicy = "raise",
        levels: ArrayLike | None = None,
    ) -> Self:
        """Build the per-group event tables in one vectorised pass over all rows.

        Parameters are those of :meth:`SurvivalState.from_durations`, plus ``by``
        (the group key of each row) and ``levels`` (every group to report, in
        order; groups without rows get empty tables).
        """
        data = survival_data(durations, events, entry, nan_policy=nan_policy)
        n_rows = data.durations.size + data.n_missing
        check_same_length("by", as_1d(by, "by"), "durations", n_rows)
        index = group_index(by, n_rows, levels=levels)
        codes = np.asarray(index.source, dtype=np.int64) - index.offset
        g = len(index.labels)
        missing = np.zeros(g, np.int64)
        if data.missing is not None:
            missing = np.bincount(codes[data.missing], minlength=g).astype(np.int64)
            codes = codes[~data.missing]
        times, _, _, _ = event_table(data)
        k = times.size
        check_table_size(g, k)
        tpos = searchsorted(times, data.durations)
        flat = codes * k + tpos
        removed = np.bincount(flat, minlength=g * k).reshape(g, k)
        if data.events is None:
            ev = removed
        else:
            ev = np.bincount(flat[data.events], minlength=g * k).reshape(g, k)
        if data.entry is None:
            entered = np.zeros((g, k), np.int64)
            if k:
                entered[:, 0] = np.bincount(codes, minlength=g)
        else:
            epos = searchsorted(times, data.entry)
            entered = np.bincount(codes * k + epos, minlength=g * k).reshape(g, k)
        keys = index.labels
        if not index.explicit:
            seen = (entered.sum(axis=1) + missing) > 0
            if not seen.all():
                keys, entered, removed, ev, missing = (
                    keys[seen],
                    entered[seen],
                    removed[seen],
                    ev[seen],
                    missing[seen],
                )
        return cls(keys, times, entered, ev, removed - ev, missing)

    @property
    def n(self) -> Int:
        """Subjects per group."""
        return np.asarray(self.entered.sum(axis=1), dtype=np.int64)

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def __getitem__(self, key: object) -> SurvivalState:
        """The event table of group ``key`` (times where it has no count dropped)."""
        hits = np.flatnonzero(self.keys == key)
        if hits.size == 0:
            msg = f"no group {key!r}; the groups are {self.keys.tolist()!r}."
            raise KeyError(msg)
        return self.row(int(hits[0]))

    def row(self, i: int) -> SurvivalState:
        """The event table of the ``i``-th group (times where it has no count dropped)."""
        e, d, c = self.entered[i], self.events[i], self.censored[i]
        keep = (e + d + c) > 0
        return _owned_table(
            SurvivalState,
            self.times[keep],
            e[keep],
            d[keep],
            c[keep],
            int(self.n_missing[i]),
        )

    def merge(self, other: Self) -> Self:
        """Combine with another grouped state, aligning groups by key and times."""
        _check_type(self, other)
        if len(other) == 0:
            return self
        if len(self) == 0:
            return other
        keys, ka, kb = align_keys(self.keys, other.keys)
        times, ta, tb = _align(self.times, other.times)
        shape = (len(keys), times.size)

        def add(a: Int, b: Int) -> Int:
            out = np.zeros(shape, np.int64)
            np.add.at(out, (ka[:, None], ta[None, :]), a)
            np.add.at(out, (kb[:, None], tb[None, :]), b)
            return out

        missing = np.zeros(len(keys), np.int64)
        np.add.at(missing, ka, self.n_missing)
        np.add.at(missing, kb, other.n_missing)
        return type(self)(
            keys,
            times,
            add(self.entered, other.entered),
            add(self.events, other.events),
            add(self.censored, other.censored),
            missing,
        )

    def logrank_test(self) -> LogrankResult:
        """The log-rank test that all groups share one survival curve (see :func:`logrank_test`)."""
        return logrank_from_tables(
            self.keys, self.times, self.entered, self.events, self.censored
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it."""
        return {
            **self._tag(),
            "keys": encode_keys(self.keys),
            "times": self.times.tolist(),
            "entered": self.entered.tolist(),
            "events": self.events.tolist(),
            "censored": self.censored.tolist(),
            "n_missing": self.n_missing.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a grouped state from :meth:`to_dict` output."""
        cls._check_tag(data)
        times = np.asarray(data["times"], dtype=np.float64)
        keys = decode_keys(data["keys"])
        shape = (len(keys), times.size)  # also for no groups or no times
        return cls(
            keys,
            times,
            np.asarray(data["entered"], dtype=np.int64).reshape(shape),
            np.asarray(data["events"], dtype=np.int64).reshape(shape),
            np.asarray(data["censored"], dtype=np.int64).reshape(shape),
            np.asarray(data["n_missing"], dtype=np.int64),
        )
