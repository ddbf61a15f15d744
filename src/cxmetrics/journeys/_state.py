"""The funnel's mergeable state: a level histogram per segment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys, nan_equal_fields
from cxmetrics._core.state import GroupedState, group_keys, parameter, summed
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import IncompatibleStateError, UndefinedMetricWarning
from cxmetrics.journeys._inputs import Step, parse_steps, parse_window, read_log
from cxmetrics.journeys._kernel import build_entries, scan
from cxmetrics.journeys._result import (
    FunnelResult,
    GroupedFunnelResult,
    labels_tuple,
)
from cxmetrics.typing import FunnelAttribution, FunnelEntry, FunnelMode, NanPolicy

__all__ = ["FunnelState", "check_funnel_options"]

MODES: tuple[str, ...] = get_args(FunnelMode)
ENTRIES: tuple[str, ...] = get_args(FunnelEntry)


def check_funnel_options(
    mode: str, entry: str, attribution: str, nan_policy: str
) -> None:
    """Check every option before any pass over the data."""
    check_option("mode", mode, FunnelMode)
    check_option("entry", entry, FunnelEntry)
    check_option("attribution", attribution, FunnelAttribution)
    check_option("nan_policy", nan_policy, NanPolicy)


def _keys_or_default(keys: ArrayLike | None) -> NDArray[Any]:
    return frozen_keys(np.array(["all"]) if keys is None else keys)


@attrs.frozen(eq=True, field_transformer=nan_equal_fields)
class FunnelState(GroupedState):
    """Level histogram of a funnel per segment: the funnel's sufficient statistic.

    ``counts[g, k]`` is the number of units of segment ``g`` whose highest step
    is ``k`` (0 = never entered). Funnel steps, window, mode and entry rule are
    parameters: states merge (``+``, ``sum()``) only when they are equal. Merging
    is exact when the log is **partitioned by unit**: a unit whose events are
    split across partitions must be brought together first (a shuffle by unit),
    since its level is not the sum of its partial levels.

    Attributes
    ----------
    steps : tuple of str
        Step labels.
    window : float
        Conversion window (seconds for datetime logs, else the times' unit).
    mode, entry : str
        Matching mode and entry rule.
    keys : ndarray
        Segment keys (one key ``'all'`` when not grouped).
    counts : ndarray of int64, shape (G, K + 1)
        Level histogram per segment.
    n_missing : int
        Log rows omitted for a missing value.
    grouped : bool
        Whether the state was built with ``by`` (then :meth:`compute` returns a
        :class:`GroupedFunnelResult`).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> part1 = cx.FunnelState.from_log(["a", "a"], [0, 5], ["cart", "paid"], ["cart", "paid"], window=10)
    >>> part2 = cx.FunnelState.from_log(["b"], [3], ["cart"], ["cart", "paid"], window=10)
    >>> (part1 + part2).compute().reached.tolist()
    [2, 1]
    >>> import json
    >>> cx.FunnelState.from_dict(json.loads(json.dumps(part1.to_dict()))) == part1
    True
    """

    _shape_error = IncompatibleStateError
    _mismatch = "cannot merge funnel states with different {name}: {a!r} and {b!r}."

    steps: tuple[str, ...] = attrs.field(converter=labels_tuple, metadata=parameter())
    window: float = attrs.field(converter=float, metadata=parameter())
    mode: str = attrs.field(default="ordered", metadata=parameter())
    entry: str = attrs.field(default="any", metadata=parameter())
    keys: NDArray[Any] = attrs.field(
        factory=lambda: np.array(["all"]),
        converter=_keys_or_default,
        eq=array_eq,
        metadata=group_keys(),
    )
    counts: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=summed(np.int64, ("k",))
    )
    n_missing: int = attrs.field(
        default=0, converter=int, metadata=summed(np.int64, per_group=False)
    )
    grouped: bool = attrs.field(
        default=False, metadata=parameter(load=lambda _cls, raw: bool(raw))
    )

    @counts.default
    def _no_counts(self) -> NDArray[np.int64]:
        return np.zeros((len(self.keys), len(self.steps) + 1), dtype=np.int64)

    @classmethod
    def _dims(cls, params: Mapping[str, Any]) -> dict[str, int]:
        return {"k": len(params["steps"]) + 1}

    @classmethod
    def empty(
        cls,
        steps: Sequence[str],
        *,
        window: float,
        mode: FunnelMode = "ordered",
        entry: FunnelEntry = "any",
        grouped: bool = False,
    ) -> FunnelState:
        """The state of an empty log (the identity of ``+``).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.FunnelState.empty(["cart", "paid"], window=60).counts.tolist()
        [[0, 0, 0]]
        """
        check_option("mode", mode, FunnelMode)
        check_option("entry", entry, FunnelEntry)
        keys = np.array([], dtype="<U1") if grouped else np.array(["all"])
        return cls._empty(
            keys,
            steps=tuple(steps),
            window=window,
            mode=mode,
            entry=entry,
            grouped=grouped,
        )

    @classmethod
    def from_log(
        cls,
        units: ArrayLike,
        times: ArrayLike,
        events: ArrayLike,
        steps: Sequence[Step] | Mapping[str, Step],
        *,
        window: object,
        mode: FunnelMode = "ordered",
        entry: FunnelEntry = "any",
        exclude: Sequence[Step] | None = None,
        by: ArrayLike | None = None,
        attribution: FunnelAttribution = "first_touch",
        session_gap: object = None,
        nan_policy: NanPolicy = "raise",
    ) -> FunnelState:
        """Build the state from an event log (arguments as in :func:`funnel`).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> s = cx.FunnelState.from_log([1, 1, 2], [0, 4, 1], ["cart", "paid", "cart"], ["cart", "paid"], window=10)
        >>> s.counts.tolist()
        [[0, 1, 1]]
        """
        state, _ = _levels(
            units,
            times,
            events,
            steps,
            window=window,
            mode=mode,
            entry=entry,
            exclude=exclude,
            by=by,
            attribution=attribution,
            session_gap=session_gap,
            nan_policy=nan_policy,
        )
        return state

    def compute(self) -> FunnelResult | GroupedFunnelResult:
        """The funnel result (grouped when built with ``by``).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.FunnelState(("cart", "paid"), 60, counts=[[0, 4, 1]]).compute().value
        0.2
        """
        if self.grouped:
            res_g = GroupedFunnelResult(
                self.keys,
                self.steps,
                self.counts,
                self.window,
                self.mode,
                self.entry,
                self.n_missing,
            )
            _warn_empty(res_g.n)
            return res_g
        res = FunnelResult(
            self.steps,
            self.counts[0],
            self.window,
            self.mode,
            self.entry,
            self.n_missing,
        )
        _warn_empty(np.array([res.n]))
        return res


def native_window(win: float, datetimes: bool, time: NDArray[Any]) -> Any:
    """The window in the log's own time unit, exact: int64 ns for datetimes.

    An integer window is capped at the int64 headroom above the log's last time,
    so that ``t + window`` cannot overflow (a window of 253 years in ns, or 1e30
    integer time units, once wrapped around silently); a window that long
    already reaches every later event of a log spanning less than the headroom.
    """
    if not datetimes and not (time.dtype.kind in "iu" and float(win).is_integer()):
        return win
    top = np.iinfo(np.int64).max
    known = time[time != np.iinfo(np.int64).min] if datetimes else time
    headroom = top - max(int(known.max()), 0) if known.size else top
    native = min(win * 1e9 if datetimes else win, 2.0**63 - 1024.0)
    return np.int64(min(round(native), headroom))


def _warn_empty(entered: NDArray[np.int64]) -> None:
    import warnings  # noqa: PLC0415

    empty = int(np.count_nonzero(np.asarray(entered) == 0))
    if empty:
        msg = (
            f"funnel conversion is undefined for {empty} segment(s) where no unit "
            "reached step 1; returning NaN for them."
        )
        warnings.warn(msg, UndefinedMetricWarning, stacklevel=4)


def _levels(
    units: ArrayLike,
    times: ArrayLike,
    events: ArrayLike,
    steps: Sequence[Step] | Mapping[str, Step],
    *,
    window: object,
    mode: str,
    entry: str,
    exclude: Sequence[Step] | None,
    by: ArrayLike | None,
    attribution: str,
    session_gap: object,
    nan_policy: str,
) -> tuple[FunnelState, Any]:
    """The state and the per-unit scan (shared by every front door)."""
    check_funnel_options(mode, entry, attribution, nan_policy)
    parsed = parse_steps(steps)
    excl = None if exclude is None else parse_steps(exclude, "exclude")
    win = parse_window(window, datetimes=None)
    gap = (
        None
        if session_gap is None
        else parse_window(session_gap, datetimes=None, name="session_gap")
    )
    log = read_log(
        units,
        times,
        events,
        parsed,
        exclude=excl,
        by=by,
        attribution=attribution,
        session_gap=gap,
        nan_policy=nan_policy,
    )
    # a time-delta window needs datetime times (checked now that the times are read)
    parse_window(window, datetimes=log.datetimes)
    if session_gap is not None:
        parse_window(session_gap, datetimes=log.datetimes, name="session_gap")
    k = len(parsed.labels)
    win_native = native_window(win, log.datetimes, log.time)
    keep = np.ones(log.time.shape[0], bool) if mode == "strict_order" else log.excluded
    ent = build_entries(log.unit, log.time, log.matches, log.n_units, keep=keep)
    res = scan(
        ent,
        k,
        win_native,
        mode=mode,
        entry=entry,
        exclusions=log.excluded is not None and mode != "strict_order",
    )
    if log.segment is None:
        counts = np.bincount(res.level, minlength=k + 1).reshape(1, k + 1)
        keys = np.array(["all"])
    else:
        assert log.segment_labels is not None  # noqa: S101
        g = len(log.segment_labels)
        counts = np.bincount(
            log.segment * (k + 1) + res.level, minlength=g * (k + 1)
        ).reshape(g, k + 1)
        keys = log.segment_labels
    state = FunnelState(
        parsed.labels,
        win,
        mode,
        entry,
        keys,
        counts,
        log.n_missing,
        log.segment is not None,
    )
    return state, (log, ent, res, win_native)
