"""Ticket timings (Zendesk's duration metrics) and grouped duration summaries."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.grouped import GroupedResultMixin, warn_undefined
from cxmetrics._core.validation import (
    check_instance,
    check_option,
    check_same_length,
    durations_1d,
    group_index,
    parameter_array,
    utc_instants_1d,
)
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.support._calendar import BusinessCalendar
from cxmetrics.support._clock import NAT, run_clock
from cxmetrics.support._log import (
    CLOSED,
    HOLD,
    NEW,
    OPEN,
    PENDING,
    SOLVED,
    TicketLog,
    _ticket_keys,
    as_of_ns,
    lookup,
)
from cxmetrics.support._sketch import DurationSketchState
from cxmetrics.support._sla import _final_solve, _instances
from cxmetrics.support._timeline import business_ns
from cxmetrics.typing import DurationMethod, NanPolicy

__all__ = [
    "DurationSummary",
    "NextReplyTimes",
    "TicketTimings",
    "duration_summary",
    "handle_time",
    "next_reply_times",
    "ticket_timings",
]

_STATUS_SETS = {
    "requester_wait": (NEW, OPEN, HOLD),
    "agent_work": (NEW, OPEN),
    "agent_wait": (PENDING,),
    "on_hold": (HOLD,),
}


def _calendar(value: object) -> BusinessCalendar:
    """The ``calendar`` option: a BusinessCalendar, default 24x7 UTC."""
    if value is None:
        return BusinessCalendar.always()
    if not isinstance(value, BusinessCalendar):
        msg = f"`calendar` must be a BusinessCalendar (or None for all hours); got {type(value).__name__}."
        raise InvalidInputTypeError(msg)
    return value


def _seconds(ns: NDArray[np.int64], defined: NDArray[np.bool_]) -> NDArray[np.float64]:
    return np.where(defined, ns / 1e9, np.nan)


@attrs.frozen(eq=False)
class TicketTimings(DisplayMixin):
    """Per-ticket durations in seconds (NaN where a metric is not yet defined).

    Attributes
    ----------
    tickets : ndarray, shape (k,)
        Ticket ids (``log.tickets``).
    first_reply : ndarray of float64
        Creation to the first public agent comment.
    first_resolution, full_resolution : ndarray of float64
        Creation to the first solve, and to the final solve (NaN while unsolved).
    requester_wait, agent_work, agent_wait, on_hold : ndarray of float64
        Time in new/open/on-hold, new/open, pending, on-hold: up to the final
        solve, or up to ``as_of`` for unsolved tickets (NaN without ``as_of``).
    reopens : ndarray of int64
        Solved (or closed) to unsolved transitions.
    replies : ndarray of int64
        Public agent comments.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-08T09:00", "2024-01-08T11:00", "2024-01-08T12:00",
    ...               "2024-01-08T13:00"], dtype="datetime64[s]")
    >>> r = ticket_timings(TicketLog.from_arrays(["T-1"] * 4, t, ["new", "pending", "open", "solved"]))
    >>> r
    TicketTimings(1 ticket(s); median full resolution 1.44e+04 s)
    >>> r.agent_work / 3600, r.agent_wait / 3600
    (array([3.]), array([1.]))
    """

    tickets: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    first_reply: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    first_resolution: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    full_resolution: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    requester_wait: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    agent_work: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    agent_wait: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    on_hold: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    reopens: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    replies: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns as a dict of arrays.

        Returns
        -------
        dict of str to ndarray

        Examples
        --------
        >>> import numpy as np
        >>> t = np.array(["2024-01-08T09:00", "2024-01-08T09:30"], dtype="datetime64[s]")
        >>> r = ticket_timings(TicketLog.from_arrays([7, 7], t, ["open", "solved"]))
        >>> {k: v.tolist() for k, v in r.to_dict().items() if k in ("tickets", "full_resolution", "reopens")}
        {'tickets': [7], 'full_resolution': [1800.0], 'reopens': [0]}
        """
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}

    def __len__(self) -> int:
        return int(self.tickets.shape[0])

    def __repr__(self) -> str:
        with np.errstate(all="ignore"):
            med = (
                np.nanmedian(self.full_resolution)
                if np.isfinite(self.full_resolution).any()
                else np.nan
            )
        return (
            f"TicketTimings({len(self)} ticket(s); median full resolution {med:.4g} s)"
        )


def ticket_timings(
    log: TicketLog,
    *,
    calendar: BusinessCalendar | None = None,
    as_of: object | None = None,
) -> TicketTimings:
    """Zendesk's ticket duration metrics for every ticket, in one vectorised pass.

    Parameters
    ----------
    log : TicketLog
        Status events (and public comments for ``first_reply``).
    calendar : BusinessCalendar, optional
        Count business time of this calendar; default all hours (24x7, UTC).
    as_of : instant, optional
        Read the status-time metrics of unsolved tickets up to this instant.

    Returns
    -------
    TicketTimings
        Seconds, NaN where undefined.

    Notes
    -----
    Definitions after Zendesk's native duration metrics [1]_: first reply time
    from creation to the first public agent comment; first and full resolution
    time from creation to the first and to the latest solve; requester wait
    time = time in new, open and on-hold; agent work time = new and open; agent
    wait time = pending; on-hold time = on-hold. A ticket's creation is its
    first status event. Zendesk's special cases for tickets created by an agent
    with a public comment (the next agent comment counts) are not applied: pass
    the comments you want counted.

    References
    ----------
    .. [1] Zendesk, "About native Support time duration metrics",
       support.zendesk.com/hc/en-us/articles/4408834848154.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-08T09:00", "2024-01-08T10:00", "2024-01-08T11:30",
    ...               "2024-01-08T12:00"], dtype="datetime64[s]")
    >>> log = TicketLog.from_arrays([5] * 4, t, ["new", "open", "pending", "solved"],
    ...     comment_ticket=[5], comment_instant=t[1:2], comment_author=["agent"])
    >>> r = ticket_timings(log)
    >>> r.first_reply / 3600, r.agent_work / 3600, r.agent_wait / 3600, r.full_resolution / 3600
    (array([1.]), array([2.5]), array([0.5]), array([3.]))
    """
    check_instance("log", log, TicketLog)
    check_instance("calendar", calendar, BusinessCalendar, optional=True)

    cal = _calendar(calendar)
    cut = None if as_of is None else as_of_ns(as_of)
    k = log.n_tickets
    final = _final_solve(log)
    solved_now = final != NAT
    last_event = log.instant[log.first[1:] - 1] if k else np.zeros(0, np.int64)
    if cut is None:
        end = last_event
        live = solved_now
    else:
        if k and int(last_event.max()) > cut:
            msg = "`as_of` must not be before the log's last event; build the log with TicketLog.from_arrays(..., as_of=...)."
            raise InvalidInputError(msg)
        end = np.full(k, cut, dtype=np.int64)
        live = np.ones(k, dtype=bool)
    created = log.created
    status_metrics = {}
    for name, codes in _STATUS_SETS.items():
        mask = np.zeros(6, dtype=bool)
        mask[list(codes)] = True
        clk = run_clock(log, cal, mask, end)
        status_metrics[name] = _seconds(clk.total, live)

    code, _, _, reply = _instances(log, "first_reply", np.full(k, NAT, np.int64))
    has = reply != NAT
    frt = np.full(k, np.nan)
    if has.any():
        frt[has] = business_ns(cal, created[has], reply[has]) / 1e9
    solved = (log.status == SOLVED) | (log.status == CLOSED)
    first_solve = np.full(k, NAT, dtype=np.int64)
    if solved.any():
        u, idx = np.unique(log.code[solved], return_index=True)
        first_solve[u] = log.instant[solved][idx]
    fres = np.full(k, np.nan)
    ok = first_solve != NAT
    if ok.any():
        fres[ok] = business_ns(cal, created[ok], first_solve[ok]) / 1e9
    full = np.full(k, np.nan)
    if solved_now.any():
        full[solved_now] = (
            business_ns(cal, created[solved_now], final[solved_now]) / 1e9
        )
    same = log.code[1:] == log.code[:-1]
    reopen = same & solved[:-1] & ~solved[1:]
    reopens = np.bincount(log.code[1:][reopen], minlength=k)
    replies = np.bincount(log.comment_code[log.comment_agent], minlength=k)
    del code
    return TicketTimings(
        log.tickets,
        frt,
        fres,
        full,
        status_metrics["requester_wait"],
        status_metrics["agent_work"],
        status_metrics["agent_wait"],
        status_metrics["on_hold"],
        reopens,
        replies,
    )


@attrs.frozen(eq=False)
class NextReplyTimes(DisplayMixin):
    """One row per next-reply clock: ticket, start and seconds (NaN if unanswered).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-08T09:00", "2024-01-08T12:00"], dtype="datetime64[s]")
    >>> c = np.array(["2024-01-08T09:05", "2024-01-08T09:20", "2024-01-08T09:50"],
    ...              dtype="datetime64[s]")
    >>> log = TicketLog.from_arrays([1, 1], t, ["open", "solved"], comment_ticket=[1, 1, 1],
    ...     comment_instant=c, comment_author=["agent", "requester", "agent"])
    >>> r = next_reply_times(log)
    >>> r.ticket.tolist(), r.start.astype(str).tolist(), r.seconds.tolist()
    ([1], ['2024-01-08T09:20:00.000000000'], [1800.0])
    """

    ticket: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    start: NDArray[np.datetime64] = attrs.field(converter=frozen_keys, eq=array_eq)
    seconds: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)


def next_reply_times(
    log: TicketLog, *, calendar: BusinessCalendar | None = None
) -> NextReplyTimes:
    """Next reply times: from each requester comment following an agent comment to the next agent comment.

    Parameters
    ----------
    log : TicketLog
        With public comments.
    calendar : BusinessCalendar, optional
        Business time of this calendar; default all hours.

    Returns
    -------
    NextReplyTimes
        Seconds; NaN for requester comments not answered yet.

    Notes
    -----
    Zendesk's next reply time [1]_: the clock starts at the first requester
    comment after an agent's public reply (later requester comments do not
    restart it) and stops at the next public agent comment.

    References
    ----------
    .. [1] Zendesk, "Defining and using SLA policies", support.zendesk.com.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-08T09:00", "2024-01-08T12:00"], dtype="datetime64[s]")
    >>> c = np.array(["2024-01-08T09:10", "2024-01-08T09:30", "2024-01-08T09:40",
    ...               "2024-01-08T10:30"], dtype="datetime64[s]")
    >>> log = TicketLog.from_arrays([1, 1], t, ["new", "solved"], comment_ticket=[1] * 4,
    ...     comment_instant=c, comment_author=["agent", "requester", "requester", "agent"])
    >>> next_reply_times(log).seconds / 60
    array([60.])
    """
    check_instance("log", log, TicketLog)
    check_instance("calendar", calendar, BusinessCalendar, optional=True)

    cal = _calendar(calendar)
    k = log.n_tickets
    code, _, start, done = _instances(log, "next_reply", np.full(k, NAT, np.int64))
    sec = np.full(code.shape, np.nan)
    ok = done != NAT
    if ok.any():
        sec[ok] = business_ns(cal, start[ok], done[ok]) / 1e9
    return NextReplyTimes(log.tickets[code], start.view("datetime64[ns]"), sec)


def handle_time(
    ticket: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    *,
    calendar: BusinessCalendar | None = None,
    tickets: ArrayLike | None = None,
) -> tuple[NDArray[Any], NDArray[np.float64]]:
    """Handle time per ticket: the sum of its work segments ``[start, end)``.

    Parameters
    ----------
    ticket : array_like, shape (s,)
        Ticket of each work segment (agent time tracking, calls, chats).
    start, end : array_like of instants, shape (s,)
        The segments; ``end`` must not be before ``start``.
    calendar : BusinessCalendar, optional
        Count only business time of this calendar; default all of it.
    tickets : array_like, optional
        Report these tickets (0 for those without segments); default the
        sorted ids seen in ``ticket``.

    Returns
    -------
    tickets, seconds : ndarray, ndarray of float64

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array(["2024-01-08T09:00", "2024-01-08T13:00"], dtype="datetime64[s]")
    >>> e = np.array(["2024-01-08T09:20", "2024-01-08T13:05"], dtype="datetime64[s]")
    >>> handle_time([3, 3], s, e)
    (array([3]), array([1500.]))
    """
    check_instance("calendar", calendar, BusinessCalendar, optional=True)

    cal = _calendar(calendar)
    keys = _ticket_keys(ticket, "ticket")
    s = utc_instants_1d(start, "start")
    e = utc_instants_1d(end, "end")
    check_same_length("start", s, "ticket", keys.shape[0])
    check_same_length("end", e, "ticket", keys.shape[0])
    bad = e < s
    if bad.any():
        i = int(np.argmax(bad))
        msg = f"`end` must not be before `start`; got end={e[i].view('datetime64[ns]')} and start={s[i].view('datetime64[ns]')} at index {i}."
        raise InvalidInputError(msg)
    labels = (
        np.unique(keys)
        if tickets is None
        else np.sort(_ticket_keys(tickets, "tickets"))
    )
    pos = lookup(labels, keys, "ticket")
    ns = business_ns(cal, s, e)
    total = np.zeros(len(labels), dtype=np.int64)
    np.add.at(total, pos, ns)
    return labels, total / 1e9


@attrs.frozen(eq=False, repr=False)
class DurationSummary(GroupedResultMixin):
    """n, mean, median, p90 and any quantiles of durations per group.

    Attributes
    ----------
    keys : ndarray, shape (g,)
    n : ndarray of int64
    value, mean : ndarray of float64
        ``value`` is the mean (the headline number).
    median, p90 : ndarray of float64
    quantiles : ndarray of float64, shape (g, q)
        At ``probabilities``.
    probabilities : tuple of float
    n_missing : int

    Examples
    --------
    >>> res = duration_summary([60, 120, 600, 30], by=["a", "a", "b", "b"])
    >>> res["a"].median
    90.0
    """

    _scalar_result: ClassVar[type] = dict
    _columns: ClassVar[tuple[str, ...]] = ("value", "n", "mean", "median", "p90")
    _shared: ClassVar[tuple[str, ...]] = ()
    _table: ClassVar[tuple[str, ...]] = ("n", "mean", "median", "p90")

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    value: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    n: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    mean: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    median: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    p90: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    quantiles: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=nan_array_eq
    )
    probabilities: tuple[float, ...]
    n_missing: int = 0

    def __getitem__(self, key: object) -> Any:
        """The row of group ``key`` (attributes value, n, mean, median, p90)."""
        i = self._position(key)
        return _Row(
            float(self.value[i]),
            int(self.n[i]),
            float(self.mean[i]),
            float(self.median[i]),
            float(self.p90[i]),
        )


@attrs.frozen(field_transformer=nan_equal_fields)
class _Row:
    value: float
    n: int
    mean: float
    median: float
    p90: float


def _grouped_quantiles(
    x: NDArray[np.float64], g: NDArray[np.int64], k: int, probs: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    order = np.lexsort((x, g))
    xs, gs = x[order], g[order]
    n = np.bincount(gs, minlength=k)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    sums = np.bincount(gs, weights=xs, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, sums / np.maximum(n, 1), np.nan)
    # linear interpolation between order statistics (numpy's default, H&F type 7)
    h = (np.maximum(n, 1)[:, None] - 1) * probs[None, :]
    lo = np.floor(h).astype(np.int64)
    frac = h - lo
    hi = np.minimum(lo + 1, np.maximum(n, 1)[:, None] - 1)
    if xs.size:
        a = xs[np.minimum(start[:, None] + lo, xs.size - 1)]
        b = xs[np.minimum(start[:, None] + hi, xs.size - 1)]
        q = a + frac * (b - a)
    else:
        q = np.full((k, probs.size), np.nan)
    q = np.where(n[:, None] > 0, q, np.nan)
    return n, mean, q


def duration_summary(
    durations: ArrayLike,
    *,
    by: ArrayLike | None = None,
    quantiles: ArrayLike = (0.5, 0.9),
    nan_policy: NanPolicy = "omit",
    method: DurationMethod = "exact",
    relative_accuracy: float = 0.01,
) -> DurationSummary:
    """Summarise durations (e.g. a :class:`TicketTimings` column) per group.

    Parameters
    ----------
    durations : array_like of float, shape (n,)
        Non-negative durations; NaN marks a duration not defined yet.
    by : array_like, shape (n,), optional
        Group of each duration; one group ``'all'`` by default.
    quantiles : array_like of float, default (0.5, 0.9)
        Probabilities in [0, 1] of the extra quantiles reported.
    nan_policy : {'omit', 'raise'}, default 'omit'
        Undefined durations (unanswered, unsolved) are left out and counted in
        ``n_missing``, or raise.
    method : {'exact', 'sketch'}, default 'exact'
        ``'exact'``: numpy's linear interpolation between order statistics.
        ``'sketch'``: the quantiles of a :class:`DurationSketchState` (DDSketch),
        each within ``relative_accuracy`` of the order statistic of rank
        ``floor(q (n - 1))``; the sketch of a split log merges exactly, so this is
        the summary to compute per partition, file or day. n and mean are exact.
    relative_accuracy : float, default 0.01
        Relative accuracy of ``method='sketch'``.

    Returns
    -------
    DurationSummary
        Per group: n, mean, median, p90 and ``quantiles`` (numpy's linear
        interpolation between order statistics, Hyndman & Fan's type 7).
        Empty groups give NaN.

    Examples
    --------
    >>> res = duration_summary([10.0, 20.0, 30.0, 40.0, float("nan")], quantiles=[0.25])
    >>> res.n.tolist(), res.median.tolist(), res.quantiles.tolist(), res.n_missing
    ([4], [25.0], [[17.5]], 1)
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    check_option("method", method, DurationMethod)
    probs = parameter_array(quantiles, "quantiles", low=0.0, high=1.0).reshape(-1)
    if method == "sketch":
        sketch = DurationSketchState.from_durations(
            durations, by=by, relative_accuracy=relative_accuracy, nan_policy=nan_policy
        )
        q = sketch.quantile_table(np.concatenate([[0.5, 0.9], probs]))
        n_s = sketch.n
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_s = np.where(n_s > 0, sketch.total / np.maximum(n_s, 1), np.nan)
        return DurationSummary(
            keys=sketch.keys,
            value=mean_s,
            n=n_s,
            mean=mean_s,
            median=q[:, 0],
            p90=q[:, 1],
            quantiles=q[:, 2:],
            probabilities=tuple(float(p) for p in probs),
            n_missing=int(sketch.n_missing.sum()),
        )
    x, missing = durations_1d(durations, "durations", nan_policy=nan_policy)
    all_probs = np.concatenate([[0.5, 0.9], probs])
    if by is None:
        keys: NDArray[Any] = np.array(["all"])
        g = np.zeros(x.shape[0], dtype=np.int64)
    else:
        gi = group_index(by, x.shape[0], like="durations")
        keys = gi.labels
        g = np.asarray(gi.source, dtype=np.int64) - gi.offset
    n_missing = 0
    if missing is not None:
        n_missing = int(np.count_nonzero(missing))
        x, g = x[~missing], g[~missing]
    n, mean, q = _grouped_quantiles(x, g, len(keys), all_probs)
    warn_undefined(
        "duration_summary", mean if by is not None else mean[0], stacklevel=3
    )
    return DurationSummary(
        keys=keys,
        value=mean,
        n=n,
        mean=mean,
        median=q[:, 0],
        p90=q[:, 1],
        quantiles=q[:, 2:],
        probabilities=tuple(float(p) for p in probs),
        n_missing=n_missing,
    )
