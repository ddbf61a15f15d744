"""Front doors of the journeys family: funnel, per-unit levels, time to convert."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics._core.validation import datetime_scalar, is_real
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.journeys._inputs import Step, parse_steps
from cxmetrics.journeys._result import (
    FunnelResult,
    GroupedFunnelResult,
    labels_tuple,
)
from cxmetrics.journeys._state import _levels, check_funnel_options
from cxmetrics.typing import FunnelAttribution, FunnelEntry, FunnelMode, NanPolicy

if TYPE_CHECKING:  # the survival family's results, for the annotations only
    from cxmetrics.survival import GroupedKaplanMeierResult, KaplanMeierResult

__all__ = ["FunnelLevels", "funnel", "funnel_levels", "time_to_convert"]


@overload
def funnel(
    units: ArrayLike,
    times: ArrayLike,
    events: ArrayLike,
    steps: Sequence[Step] | Mapping[str, Step],
    *,
    window: object,
    mode: FunnelMode = ...,
    entry: FunnelEntry = ...,
    exclude: Sequence[Step] | None = ...,
    by: None = ...,
    attribution: FunnelAttribution = ...,
    session_gap: object = ...,
    nan_policy: NanPolicy = ...,
) -> FunnelResult: ...
@overload
def funnel(
    units: ArrayLike,
    times: ArrayLike,
    events: ArrayLike,
    steps: Sequence[Step] | Mapping[str, Step],
    *,
    window: object,
    mode: FunnelMode = ...,
    entry: FunnelEntry = ...,
    exclude: Sequence[Step] | None = ...,
    by: ArrayLike,
    attribution: FunnelAttribution = ...,
    session_gap: object = ...,
    nan_policy: NanPolicy = ...,
) -> GroupedFunnelResult: ...
def funnel(
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
) -> FunnelResult | GroupedFunnelResult:
    r"""Conversion funnel of an event log: units reaching each step within a window.

    Parameters
    ----------
    units : array_like, shape (n,)
        Counting unit of each event: a user, account, order or any key
        (strings, numbers). See ``session_gap`` to count sessions instead.
    times : array_like, shape (n,)
        When each event happened: numpy ``datetime64``, datetimes (all naive or
        all timezone-aware), pandas/polars datetime columns, ISO 8601 text, or
        plain numbers (e.g. epoch seconds). The log need not be sorted: it is
        sorted internally and never modified.
    events : array_like, shape (n,)
        Event name (or code) of each event.
    steps : sequence or mapping
        The funnel's steps in order. Each step is an event name, a collection of
        names (any of them counts), or a predicate ``f(events) -> bool array``.
        A mapping ``{label: step}`` names the steps.
    window : number or time delta
        Conversion window, measured from the chain's first (step-1) event: a
        later step counts only if it happens at most ``window`` after it.
        Seconds (or a ``timedelta``) for datetime times; the times' unit for
        numbers. Must be > 0.
    mode : {'ordered', 'strict_order', 'strict_deduplication', 'strict_increase', 'any_order'}
        ``'ordered'`` (default; ClickHouse's default ``windowFunnel``): steps in
        order, other events allowed between them, equal times may advance.
        ``'strict_order'``: no other event of the log between the steps (the
        scan stops at the first one after step 1, or at a step whose previous
        step was not reached). ``'strict_deduplication'``: a repeated step
        (2..K) already reached stops the scan. ``'strict_increase'``: each step
        strictly later than the previous one (ties do not advance).
        ``'any_order'``: steps 2..K in any order inside the window after a
        step-1 event. The first four match ClickHouse's options of the same
        names.
    entry : {'any', 'first'}, default 'any'
        Which step-1 events start a chain. ``'any'`` (default, as ClickHouse's
        ``windowFunnel``): every one; the unit's level is its best chain
        (the latest start before a later step dominates, so this is also "the
        last step-1 before step 2"). ``'first'``: only the unit's first step-1
        event (a first-attempt count): a later restart is ignored.
    exclude : sequence of steps, optional
        Exclusion events (names, sets or predicates, none of them a step
        event): an exclusion after a chain's start ends that chain; the unit
        keeps the steps reached before it.
    by : array_like, shape (n,), optional
        Segment of each event; each unit is counted in one segment, chosen by
        ``attribution``. Returns a :class:`GroupedFunnelResult`.
    attribution : {'first_touch', 'last_touch', 'first_step'}, default 'first_touch'
        A unit's segment: the one on its first event (first touch), on its
        last event (last touch), or on its first step-1 event, where it
        entered the funnel (first touch for a unit that never did).
    session_gap : number or time delta, optional
        Count sessions instead of units: a unit's events are split where the
        gap between consecutive events exceeds ``session_gap``.
    nan_policy : {'raise', 'omit'}, default 'raise'
        Rows with a missing unit, time or event raise, or are omitted and
        counted in ``n_missing``.

    Returns
    -------
    FunnelResult or GroupedFunnelResult
        Units reaching each step (``reached``), the level histogram
        (``counts``), overall ``value`` (a fraction), conversion and drop-off
        per step with Wilson intervals (``table()``).

    Raises
    ------
    InvalidInputError
        Empty steps, a window <= 0, mismatched lengths, an unknown option.
    MissingValueError
        A missing unit, time or event under ``nan_policy='raise'``.
    InvalidInputTypeError
        Naive and timezone-aware times mixed; a time-delta window for numeric
        times.

    Notes
    -----
    The level of a unit is the highest ``k`` such that some step-1 event at
    time :math:`t_1` is followed by events of steps 2..k, in order, at times
    :math:`t_1 \le t_2 \le \dots \le t_k \le t_1 + w`, as ClickHouse's
    ``windowFunnel`` [1]_ computes it. Conversions are binomial proportions;
    their intervals are Wilson's [2]_.

    References
    ----------
    .. [1] ClickHouse documentation, "windowFunnel" parametric aggregate function.
    .. [2] Wilson, E. B. (1927). Probable inference, the law of succession, and
       statistical inference. *JASA* 22(158), 209-212.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.funnel(
    ...     ["u1", "u1", "u1", "u2", "u2", "u3"],
    ...     ["2026-03-01T10:00", "2026-03-01T10:05", "2026-03-01T10:09",
    ...      "2026-03-01T11:00", "2026-03-01T12:30", "2026-03-01T09:00"],
    ...     ["cart", "checkout", "paid", "cart", "checkout", "cart"],
    ...     ["cart", "checkout", "paid"], window=3600,
    ... )
    >>> res.reached.tolist(), res.drop_off.round(3).tolist()
    ([3, 1, 1], [0.667, 0.0])
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
    return state.compute()


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class FunnelLevels(DisplayMixin):
    """The level each unit reached (what ClickHouse's ``windowFunnel`` returns per unit).

    Attributes
    ----------
    units : ndarray
        Unit keys, sorted.
    level : ndarray of int64
        Highest step reached (0 = never entered).
    steps : tuple of str
        Step labels.
    session : ndarray of int64 or None
        With ``session_gap``: the session's number within its unit (0, 1, ...).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> lv = cx.funnel_levels(["b", "a", "a"], [5, 1, 2], ["cart", "cart", "paid"], ["cart", "paid"], window=10)
    >>> lv.units.tolist(), lv.level.tolist()
    (['a', 'b'], [2, 1])
    """

    units: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    level: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    steps: tuple[str, ...] = attrs.field(converter=labels_tuple)
    session: NDArray[np.int64] | None = attrs.field(default=None, eq=array_eq)

    def to_pandas(self) -> Any:
        """Units and levels as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        cols: dict[str, Any] = {"unit": self.units, "level": self.level}
        if self.session is not None:
            cols["session"] = self.session
        return pd.DataFrame(cols)

    def __repr__(self) -> str:
        return f"FunnelLevels of {len(self.units)} unit(s) over steps {list(self.steps)}: histogram {np.bincount(self.level, minlength=len(self.steps) + 1).tolist()}"


def funnel_levels(
    units: ArrayLike,
    times: ArrayLike,
    events: ArrayLike,
    steps: Sequence[Step] | Mapping[str, Step],
    *,
    window: object,
    mode: FunnelMode = "ordered",
    entry: FunnelEntry = "any",
    exclude: Sequence[Step] | None = None,
    session_gap: object = None,
    nan_policy: NanPolicy = "raise",
) -> FunnelLevels:
    """The level (highest step reached) of every unit; arguments as in :func:`funnel`.

    Returns
    -------
    FunnelLevels
        One row per unit (or session), keys sorted.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> lv = cx.funnel_levels([1, 1, 1, 2], [0, 1, 2, 0], ["A", "B", "C", "B"], ["A", "B", "C"], window=5)
    >>> lv.level.tolist()
    [3, 0]
    """
    state, (log, _, res, _) = _levels(
        units,
        times,
        events,
        steps,
        window=window,
        mode=mode,
        entry=entry,
        exclude=exclude,
        by=None,
        attribution="first_touch",
        session_gap=session_gap,
        nan_policy=nan_policy,
    )
    session = None if log.session is None else frozen_int(log.session)
    return FunnelLevels(log.unit_labels, res.level, state.steps, session)


@overload
def time_to_convert(
    units: ArrayLike,
    times: ArrayLike,
    events: ArrayLike,
    steps: Sequence[Step] | Mapping[str, Step],
    *,
    window: object,
    to_step: int | None = ...,
    as_of: object = ...,
    mode: FunnelMode = ...,
    entry: FunnelEntry = ...,
    exclude: Sequence[Step] | None = ...,
    by: None = ...,
    attribution: FunnelAttribution = ...,
    nan_policy: NanPolicy = ...,
) -> KaplanMeierResult: ...
@overload
def time_to_convert(
    units: ArrayLike,
    times: ArrayLike,
    events: ArrayLike,
    steps: Sequence[Step] | Mapping[str, Step],
    *,
    window: object,
    to_step: int | None = ...,
    as_of: object = ...,
    mode: FunnelMode = ...,
    entry: FunnelEntry = ...,
    exclude: Sequence[Step] | None = ...,
    by: ArrayLike,
    attribution: FunnelAttribution = ...,
    nan_policy: NanPolicy = ...,
) -> GroupedKaplanMeierResult: ...
def time_to_convert(
    units: ArrayLike,
    times: ArrayLike,
    events: ArrayLike,
    steps: Sequence[Step] | Mapping[str, Step],
    *,
    window: object,
    to_step: int | None = None,
    as_of: object = None,
    mode: FunnelMode = "ordered",
    entry: FunnelEntry = "any",
    exclude: Sequence[Step] | None = None,
    by: ArrayLike | None = None,
    attribution: FunnelAttribution = "first_touch",
    nan_policy: NanPolicy = "raise",
) -> KaplanMeierResult | GroupedKaplanMeierResult:
    r"""Time from step 1 to step ``to_step``, censoring units whose window is still open.

    Every unit that reached step 1 contributes one duration. A unit that reached
    ``to_step`` contributes the time from its chain's start to its first
    arrival there (an event). A unit that did not is censored at
    :math:`\min(w, \text{as\_of} - t_{\text{last start}})`: at the window
    ``w`` when its window has closed (it cannot convert later), or at the end of
    the data when its last window is still open (it may yet convert). The
    curve is the Kaplan-Meier estimate of the survival family
    (:func:`cxmetrics.kaplan_meier`), so ``1 - survival`` is the share of
    entrants converted by each time, and quantiles come with intervals.

    Parameters
    ----------
    units, times, events, steps, window, mode, entry, exclude, by, attribution, nan_policy
        As in :func:`funnel`.
    to_step : int, optional
        The step (1-based) to convert to; default the last.
    as_of : datetime or number, optional
        End of observation; default the log's last event. Must not precede it.

    Returns
    -------
    KaplanMeierResult or GroupedKaplanMeierResult
        Survival (not yet converted) by time since the start; times in
        seconds for datetime logs (``time_unit='seconds'``), else the times'
        unit. With ``by``, one curve per segment and ``logrank()``.

    Notes
    -----
    The vendors' "average time to convert" is the mean over converters only:
    it leaves out entrants still inside their window at the end of the data,
    who are converting later or not at all, so on recent data it is biased
    towards short times. Censoring (Kaplan & Meier 1958) keeps them in the risk
    set for as long as they were observed.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> km = cx.time_to_convert(
    ...     ["a", "a", "b", "b", "c", "d", "d"], [0, 3, 0, 8, 0, 10, 12],
    ...     ["cart", "paid", "cart", "paid", "cart", "cart", "paid"],
    ...     ["cart", "paid"], window=10,
    ... )
    >>> km.time.tolist(), km.events.tolist(), km.censored.tolist()
    ([2.0, 3.0, 8.0, 10.0], [1, 1, 1, 0], [0, 0, 0, 1])
    """
    # options first, before any pass over the data
    check_funnel_options(mode, entry, attribution, nan_policy)
    k = len(parse_steps(steps).labels)
    if to_step is None:
        to_step = k
    if isinstance(to_step, bool) or not isinstance(to_step, int | np.integer):
        msg = f"`to_step` must be an integer step number (1..{k}); got {to_step!r}."
        raise InvalidInputTypeError(msg)
    if not 1 <= to_step <= k:
        msg = f"`to_step` must lie in 1..{k} (the number of steps); got {to_step!r}."
        raise InvalidInputError(msg)
    _, (log, ent, res, win_native) = _levels(
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
        session_gap=None,
        nan_policy=nan_policy,
    )
    last: Any = log.time.max() if log.time.size else 0
    end: Any
    if as_of is None:
        end = last
    elif log.datetimes:
        end = datetime_scalar(as_of, "as_of").astype("datetime64[ns]").astype(np.int64)
    else:
        if not is_real(as_of):
            msg = f"`as_of` must be a number like `times`; got {as_of!r}."
            raise InvalidInputTypeError(msg)
        if not math.isfinite(float(as_of)):
            msg = f"`as_of` must be finite; got {as_of!r}."
            raise InvalidInputError(msg)
        # int arithmetic stays exact; past int64 it is a float
        end = as_of if abs(float(as_of)) < 2**62 else float(as_of)
    if log.time.size and end < last:
        msg = f"`as_of` ({as_of!r}) precedes the log's last event; it must be at or after the end of the data."
        raise InvalidInputError(msg)
    entered = res.last_start >= 0
    dur = res.duration[to_step - 1]
    done = entered & ~np.isnan(dur)
    # no event matched a step: nobody entered (an empty curve, not an IndexError)
    starts = ent.time[np.maximum(res.last_start, 0)] if ent.time.size else 0
    open_for = np.asarray(end - starts, dtype=np.float64)
    censor = np.minimum(float(win_native), open_for)
    durations = np.where(done, dur, censor)[entered]
    event = done[entered]
    # the survival family's public API: censoring-aware curves, quantiles, log-rank
    from cxmetrics import kaplan_meier  # noqa: PLC0415  (cxmetrics imports this module)

    if log.datetimes:
        durations_any: Any = np.rint(durations).astype(np.int64).view("timedelta64[ns]")
    else:
        durations_any = durations
    if log.segment is None:
        return kaplan_meier(durations_any, event)
    assert log.segment_labels is not None  # noqa: S101
    labels: NDArray[Any] = log.segment_labels[log.segment[entered]]
    return kaplan_meier(durations_any, event, by=labels)
