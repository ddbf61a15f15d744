r"""Shift patterns on a cyclic horizon: which intervals each pattern staffs."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float, frozen_keys, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import (
    check_positive_int,
    parameter_array,
    parameter_ints,
)
from cxmetrics.exceptions import InvalidInputError

__all__ = ["ShiftPatterns", "shift_patterns"]


def _frozen_cover(x: ArrayLike) -> NDArray[np.int8]:
    arr = np.array(x, dtype=np.int8)
    arr.setflags(write=False)
    return arr


def _indices(mask: NDArray[np.bool_], limit: int = 10) -> str:
    """First few positions of a mask, as text ('3, 7, 9 (3 in all)')."""
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(int(i)) for i in idx[:limit])
    more = ", ..." if idx.size > limit else ""
    return f"{shown}{more} ({idx.size} in all)"


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class ShiftPatterns(DisplayMixin):
    r"""Shift patterns: which intervals of the horizon each pattern staffs.

    Build them with :func:`shift_patterns` (shifts, tours with days off, break
    windows) or :meth:`from_coverage` (any 0/1 matrix, as in pyworkforce).

    Attributes
    ----------
    coverage : ndarray of int8, shape (n_patterns, n_intervals)
        1 where an agent on the pattern works (is available) in the interval.
    names : ndarray of str, shape (n_patterns,)
        A label per pattern.
    paid : ndarray of float, shape (n_patterns,)
        Paid intervals per agent on the pattern (the worked intervals; an unpaid
        break is not paid).
    cost : ndarray of float, shape (n_patterns,)
        Cost per agent on the pattern (default: its paid intervals).
    max_agents : ndarray of float, shape (n_patterns,)
        Upper bound on agents per pattern (``inf``: none).
    contiguous : bool
        True when every pattern is one block of consecutive intervals that does
        not wrap around the end of the horizon (an *interval matrix*: its linear
        relaxation has integral optima, so a linear programme suffices).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> p = cx.shift_patterns([0, 4], 4, periods_per_day=8)
    >>> p.names.tolist()
    ['0+4 day 0', '4+4 day 0']
    >>> p.coverage.tolist()
    [[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]]
    """

    coverage: NDArray[np.int8] = attrs.field(converter=_frozen_cover, eq=array_eq)
    names: NDArray[np.str_] = attrs.field(converter=frozen_keys, eq=array_eq)
    paid: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    cost: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    max_agents: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)

    @property
    def n_patterns(self) -> int:
        """Number of patterns (columns of the scheduling problem)."""
        return int(self.coverage.shape[0])

    @property
    def n_intervals(self) -> int:
        """Length of the horizon in intervals."""
        return int(self.coverage.shape[1])

    @property
    def contiguous(self) -> bool:
        """Every pattern one block of consecutive intervals, without wrap-around."""
        c = self.coverage.astype(bool)
        if not c.any(axis=1).all():
            return bool(self.n_patterns == 0)
        starts = np.diff(c.astype(np.int8), axis=1, prepend=0) == 1
        return bool((starts.sum(axis=1) == 1).all())

    def __repr__(self) -> str:
        return (
            f"ShiftPatterns({self.n_patterns} pattern(s) over {self.n_intervals} "
            f"interval(s), contiguous={self.contiguous})"
        )

    @classmethod
    def from_coverage(
        cls,
        coverage: ArrayLike,
        *,
        names: ArrayLike | None = None,
        cost: ArrayLike | None = None,
        max_agents: ArrayLike | None = None,
    ) -> ShiftPatterns:
        """Patterns from a 0/1 matrix, one row per pattern and one column per interval.

        Parameters
        ----------
        coverage : array_like of {0, 1}, shape (n_patterns, n_intervals)
            1 where an agent on the pattern works in the interval.
        names : array_like of str, optional
            A label per pattern (default ``'p0'``, ``'p1'``...).
        cost : array_like, optional
            Cost per agent on each pattern, ``>= 0`` (default: paid intervals).
        max_agents : array_like, optional
            Most agents per pattern, whole numbers ``>= 0`` (default: no limit).

        Returns
        -------
        ShiftPatterns

        Raises
        ------
        InvalidInputError
            A matrix that is not 2-D or not 0/1, a pattern that works no
            interval, mismatched lengths.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> p = cx.ShiftPatterns.from_coverage([[1, 1, 0], [0, 1, 1]], names=["am", "pm"])
        >>> p.paid.tolist(), p.contiguous
        ([2.0, 2.0], True)
        """
        cov = parameter_array(coverage, "coverage", low=0.0, high=1.0, whole=True)
        if cov.ndim != 2 or cov.shape[0] == 0 or cov.shape[1] == 0:
            msg = f"`coverage` must be a non-empty 2-D 0/1 matrix (patterns x intervals); got shape {cov.shape}."
            raise InvalidInputError(msg)
        empty = np.asarray(~cov.any(axis=1), dtype=bool)
        if empty.any():
            msg = f"`coverage` has pattern(s) that work no interval, rows {_indices(empty)}; a zero-length shift staffs nothing, drop it."
            raise InvalidInputError(msg)
        k = cov.shape[0]
        paid = cov.sum(axis=1)
        return cls(
            coverage=cov,
            names=_names(names, k, [f"p{i}" for i in range(k)]),
            paid=paid,
            cost=paid if cost is None else _per_pattern(cost, "cost", k),
            max_agents=_max_agents(max_agents, k),
        )


def _per_pattern(values: ArrayLike, name: str, k: int) -> NDArray[np.float64]:
    arr = parameter_array(values, name, low=0.0)
    try:
        return np.broadcast_to(arr, (k,)).astype(np.float64)
    except ValueError:
        msg = f"`{name}` must hold one value per pattern ({k}); got shape {arr.shape}."
        raise InvalidInputError(msg) from None


def _max_agents(values: ArrayLike | None, k: int) -> NDArray[np.float64]:
    if values is None:
        return np.full(k, np.inf)
    arr = parameter_array(values, "max_agents", low=0.0, allow_inf=True, whole=True)
    try:
        return np.broadcast_to(arr, (k,)).astype(np.float64)
    except ValueError:
        msg = f"`max_agents` must hold one value per pattern ({k}); got shape {arr.shape}."
        raise InvalidInputError(msg) from None


def _names(names: ArrayLike | None, k: int, default: list[str]) -> NDArray[np.str_]:
    if names is None:
        return np.asarray(default)
    arr = np.asarray(names).astype(str).reshape(-1)
    if arr.size != k:
        msg = f"`names` must hold one label per pattern ({k}); got {arr.size}."
        raise InvalidInputError(msg)
    return arr


def _whole(values: ArrayLike, name: str, low: float) -> NDArray[np.int64]:
    return parameter_ints(values, name, low=low)


def shift_patterns(
    starts: ArrayLike,
    lengths: ArrayLike,
    *,
    periods_per_day: int,
    days: int = 1,
    days_on: int | None = None,
    cyclic: bool = True,
    break_window: tuple[int, int] | None = None,
    break_length: int = 0,
    names: ArrayLike | None = None,
    cost: ArrayLike | None = None,
    max_agents: ArrayLike | None = None,
) -> ShiftPatterns:
    r"""Shifts (start, length, optional unpaid break) repeated over days, or as weekly tours.

    The horizon is ``days * periods_per_day`` intervals. Each shift ``j`` starts
    at interval ``starts[j]`` of a day and lasts ``lengths[j]`` intervals; a shift
    running past midnight continues into the next day (on a cyclic horizon the
    last day's night shift ends on the first day, as in a repeating week).

    Parameters
    ----------
    starts : int or array_like of int
        Start of each shift, the interval of the day, in ``[0, periods_per_day)``.
    lengths : int or array_like of int
        Length of each shift in intervals, ``>= 1`` and at most the horizon
        (broadcast against ``starts``).
    periods_per_day : int
        Intervals per day (24 hours, 48 half hours, 96 quarter hours).
    days : int, default 1
        Days in the horizon (7 for a week).
    days_on : int, optional
        Weekly tours: each pattern works the shift on ``days_on`` consecutive
        days and is off the other ``days - days_on`` days (5 on, 2 off). One tour
        per shift and first working day. Default: every shift on every day is
        its own pattern (no days-off structure).
    cyclic : bool, default True
        The horizon repeats (a week followed by the same week). With
        ``cyclic=False`` a pattern running past the horizon's end is an error.
    break_window : (int, int), optional
        Earliest and latest start of an unpaid break, in intervals after the
        shift's start; one pattern per break start (the same offset every
        working day of a tour). The break must end before the shift ends.
    break_length : int, default 0
        Length of the break in intervals (needs ``break_window``).
    names : array_like of str, optional
        A name per shift (default ``'start+length'``); pattern names add the day
        (``'day 2'``), the tour (``'days 2-6'``) and the break (``'break 4'``).
    cost : float or array_like, optional
        Cost per agent and *paid interval* of each shift (default 1, so a
        pattern's cost is its paid time).
    max_agents : int or array_like, optional
        Most agents per pattern, per shift (default: no limit).

    Returns
    -------
    ShiftPatterns
        Patterns ordered by shift, then first day, then break start.

    Raises
    ------
    InvalidInputError
        A start outside the day, a zero-length or too long shift, ``days_on``
        outside ``[1, days]``, a break outside its shift, a pattern past the end
        of a non-cyclic horizon.

    Examples
    --------
    The post-office problem (Winston): one "interval" per day, 5 days on, 2 off:

    >>> import cxmetrics as cx
    >>> tours = cx.shift_patterns(0, 1, periods_per_day=1, days=7, days_on=5)
    >>> tours.coverage[0].tolist(), str(tours.names[0])
    ([1, 1, 1, 1, 1, 0, 0], '0+1 days 0-4')

    A 22:00-06:00 shift (hours) on a week covers two days:

    >>> night = cx.shift_patterns(22, 8, periods_per_day=24, days=7)
    >>> night.coverage[6, :6].tolist(), night.coverage[6, 166:].tolist()
    ([1, 1, 1, 1, 1, 1], [1, 1])
    """
    p = check_positive_int("periods_per_day", periods_per_day)
    d = check_positive_int("days", days)
    horizon = p * d
    k_on = d if days_on is None else check_positive_int("days_on", days_on)
    if k_on > d:
        msg = f"`days_on` must be at most `days` ({d}); got {days_on}."
        raise InvalidInputError(msg)
    s = _whole(starts, "starts", 0.0)
    ln = _whole(lengths, "lengths", 0.0)
    for arr, name in ((s, "starts"), (ln, "lengths")):
        if arr.size == 0:
            msg = f"`{name}` is empty: give at least one shift."
            raise InvalidInputError(msg)
    try:
        s, ln = np.broadcast_arrays(s.reshape(-1), ln.reshape(-1))
    except ValueError:
        msg = (
            f"`starts` and `lengths` must broadcast; got {s.size} and {ln.size} values."
        )
        raise InvalidInputError(msg) from None
    if (s >= p).any():
        i = int(np.argmax(s >= p))
        msg = f"`starts` must lie in [0, periods_per_day) = [0, {p}); got {int(s[i])} at index {i}."
        raise InvalidInputError(msg)
    if (ln == 0).any():
        i = int(np.argmax(ln == 0))
        msg = f"`lengths` must be >= 1 interval; got 0 at index {i} (a zero-length shift staffs nothing)."
        raise InvalidInputError(msg)
    if (ln > horizon).any() or (days_on is not None and (ln > p).any()):
        cap = p if days_on is not None else horizon
        i = int(np.argmax(ln > cap))
        msg = f"`lengths` must be at most {cap} intervals ({'a day, for tours' if days_on is not None else 'the horizon'}); got {int(ln[i])} at index {i}."
        raise InvalidInputError(msg)
    n_shift = s.size
    if break_window is None:
        if break_length:
            msg = "`break_length` needs `break_window` (earliest, latest break start)."
            raise InvalidInputError(msg)
        offsets = np.zeros(1, dtype=np.int64)
        blen = 0
    else:
        lo, hi = (int(v) for v in _whole(np.asarray(break_window), "break_window", 1.0))
        blen = check_positive_int("break_length", break_length)
        too_long = hi + blen >= ln
        if hi < lo or too_long.any():
            j = int(np.argmax(too_long)) if too_long.any() else 0
            msg = (
                f"`break_window` {tuple(break_window)!r} with `break_length` {blen} must "
                f"start after the shift starts and end before it ends; shift {j} lasts "
                f"{int(ln[j])} intervals."
            )
            raise InvalidInputError(msg)
        offsets = np.arange(lo, hi + 1, dtype=np.int64)
    first_days = np.arange(d, dtype=np.int64)
    # shape (shift, first day, break, day on, step within the shift)
    step = np.arange(int(ln.max()), dtype=np.int64)
    day_on = np.arange(k_on if days_on is not None else 1, dtype=np.int64)
    t = (
        (first_days[None, :, None, None, None] + day_on[None, None, None, :, None]) * p
        + s[:, None, None, None, None]
        + step[None, None, None, None, :]
    )
    works = step[None, None, None, None, :] < ln[:, None, None, None, None]
    if blen:
        stp = step[None, None, None, None, :]
        off = offsets[None, None, :, None, None]
        in_break = (stp >= off) & (stp < off + blen)
        works = works & ~in_break
    shape = np.broadcast_shapes(works.shape, t.shape)
    works = np.broadcast_to(works, shape)
    t = np.broadcast_to(t, shape)
    if not cyclic:
        past = works & (t >= horizon)
        if past.any():
            j, day = (int(v) for v in np.argwhere(past)[0][:2])
            msg = (
                f"shift {j} (start {int(s[j])}, length {int(ln[j])}) starting on day "
                f"{day} runs past the end of the horizon ({horizon} intervals) and "
                "`cyclic=False`; shorten it, or pass cyclic=True for a repeating week."
            )
            raise InvalidInputError(msg)
    n_break = offsets.size
    n_pat = n_shift * d * n_break
    rows = np.broadcast_to(np.arange(n_pat).reshape(n_shift, d, n_break, 1, 1), shape)
    cov = np.zeros((n_pat, horizon), dtype=np.int8)
    cov[rows[works], t[works] % horizon] = 1
    base = np.asarray(
        [f"{int(a)}+{int(b)}" for a, b in zip(s, ln, strict=True)]
        if names is None
        else _names(names, n_shift, [])
    )
    label = np.char.add(base[:, None, None], _day_labels(d, days_on)[None, :, None])
    if blen:
        label = np.char.add(
            label, np.char.add(" break ", offsets.astype(str))[None, None, :]
        )
    label = np.broadcast_to(label, (n_shift, d, n_break)).reshape(-1)
    paid = cov.sum(axis=1).astype(np.float64)
    per = np.ones(n_shift) if cost is None else _per_shift(cost, "cost", n_shift)
    caps = _max_agents(max_agents, n_shift)
    rep = d * n_break
    return ShiftPatterns(
        coverage=cov,
        names=label,
        paid=paid,
        cost=paid * np.repeat(per, rep),
        max_agents=np.repeat(caps, rep),
    )


def _per_shift(values: ArrayLike, name: str, k: int) -> NDArray[np.float64]:
    arr = parameter_array(values, name, low=0.0)
    try:
        return np.broadcast_to(arr, (k,)).astype(np.float64)
    except ValueError:
        msg = f"`{name}` must hold one value per shift ({k}); got shape {arr.shape}."
        raise InvalidInputError(msg) from None


def _day_labels(days: int, days_on: int | None) -> NDArray[Any]:
    first = np.arange(days)
    if days_on is None:
        return np.char.add(" day ", first.astype(str))
    last = (first + days_on - 1) % days
    return np.char.add(
        np.char.add(" days ", first.astype(str)), np.char.add("-", last.astype(str))
    )
