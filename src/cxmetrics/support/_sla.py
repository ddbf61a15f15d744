"""SLA targets per ticket (elapsed, deadline, status) from a ticket log and a policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.keys import factorise
from cxmetrics._core.validation import as_1d, check_instance, check_same_length
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.support._calendar import BusinessCalendar
from cxmetrics.support._clock import NAT, Clock, run_clock
from cxmetrics.support._inputs import (
    DUE_METRICS,
    due_instants,
    per_metric,
    target_durations,
)
from cxmetrics.support._log import CLOSED, SOLVED, TicketLog, as_of_ns, lookup, show
from cxmetrics.support._policy import _SHOW_KEYS, METRICS, SLAPolicy
from cxmetrics.support._timeline import (
    business_ns,
    clock,
    deadline_ns,
    timeline,
)

__all__ = ["TARGET_STATUSES", "SLATargets", "sla_targets", "ticket_attribute"]

#: target statuses; their codes are the positions here
TARGET_STATUSES = (
    "achieved",
    "breached",
    "active",
    "active_breached",
    "paused",
    "not_applicable",
)
ACHIEVED, BREACHED, ACTIVE, ACTIVE_BREACHED, PAUSED, NOT_APPLICABLE = range(6)
#: the clock of per-ticket due instants and targets without a policy:
#: all hours in UTC, no status pauses it
_CLOCKS_ONLY = SLAPolicy({}, BusinessCalendar.always("UTC"), hours="calendar", pause={})


def ticket_attribute(
    log: TicketLog, values: ArrayLike, name: str, tickets: ArrayLike | None
) -> NDArray[Any]:
    """A per-ticket attribute aligned with ``log.tickets``.

    Without ``tickets``, ``values`` must already follow ``log.tickets`` (sorted
    ids); with it, ``tickets[i]`` names the ticket of ``values[i]`` and every
    ticket of the log must appear exactly once.
    """
    arr = as_1d(values, name)
    if tickets is None:
        check_same_length(name, arr, "log.tickets", log.n_tickets)
        return arr
    ids = as_1d(tickets, "tickets")
    check_same_length(name, arr, "tickets", ids.shape[0])
    pos = lookup(log.tickets, ids, "tickets")
    seen = np.bincount(pos, minlength=log.n_tickets)
    if (seen > 1).any():
        j = int(np.argmax(seen > 1))
        idx = np.flatnonzero(pos == j)[:2].tolist()
        msg = f"`tickets` lists ticket {show(log.tickets[j])} twice (indices {idx})."
        raise InvalidInputError(msg)
    if (seen == 0).any():
        j = int(np.argmax(seen == 0))
        msg = f"`tickets` lacks ticket {show(log.tickets[j])}, which has status events; give every ticket its `{name}`."
        raise InvalidInputError(msg)
    out = np.empty_like(arr)
    out[pos] = arr
    return out


@attrs.frozen(field_transformer=nan_equal_fields)
class SLATargets(DisplayMixin):
    """One row per SLA target instance of each ticket (columnar).

    Attributes
    ----------
    ticket : ndarray, shape (r,)
        Ticket id of each row.
    code : ndarray of int64, shape (r,)
        Position of the ticket in ``log.tickets``.
    metric : ndarray of str, shape (r,)
        ``'first_reply'``, ``'next_reply'``, ``'periodic_update'``, ``'resolution'``.
    instance : ndarray of int64, shape (r,)
        0, 1, ... for the successive next-reply and periodic-update clocks.
    key : ndarray, shape (r,)
        The policy key (priority) of the ticket (None without ``priority``).
    start, fulfilled, deadline : ndarray of datetime64[ns], shape (r,)
        When the clock started; when the target was completed (NaT if open);
        when the clock reaches (or reached) the target. For a completed target
        whose clock stopped short, the clock is continued from the completion;
        for an open target paused at ``as_of`` below the target, NaT. For a
        per-ticket due instant, the deadline is that instant (NaT if missing).
    elapsed, target : ndarray of float64, shape (r,)
        Clock time in seconds (to completion, else to ``as_of``); the target in
        seconds (NaN when not applicable; for a due instant, the clock time
        from the start to it).
    status : ndarray of str, shape (r,)
        One of ``TARGET_STATUSES``.

    Examples
    --------
    >>> import numpy as np
    >>> log = TicketLog.from_arrays(
    ...     [1, 1], np.array(["2024-01-08T09:00", "2024-01-08T11:00"], dtype="datetime64[s]"),
    ...     ["open", "solved"])
    >>> policy = SLAPolicy({"p1": {"resolution": 3 * 3600}})
    >>> t = sla_targets(log, policy, priority=["p1"])
    >>> t.status.tolist(), t.elapsed.tolist()
    (['achieved'], [7200.0])
    """

    ticket: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    code: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    metric: NDArray[np.str_] = attrs.field(converter=frozen_keys, eq=array_eq)
    instance: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    key: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    start: NDArray[np.datetime64] = attrs.field(converter=frozen_keys, eq=array_eq)
    fulfilled: NDArray[np.datetime64] = attrs.field(converter=frozen_keys, eq=array_eq)
    deadline: NDArray[np.datetime64] = attrs.field(converter=frozen_keys, eq=array_eq)
    elapsed: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    target: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    status_code: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n_tickets: int = 0

    @property
    def status(self) -> NDArray[np.str_]:
        """Status names of the rows (read-only).

        Examples
        --------
        >>> import numpy as np
        >>> log = TicketLog.from_arrays(
        ...     [1, 1, 2], np.array(["2024-01-08T09:00", "2024-01-08T10:00", "2024-01-08T09:50"],
        ...                         dtype="datetime64[s]"), ["new", "solved", "new"])
        >>> t = sla_targets(log, SLAPolicy({"p": {"resolution": 1800}}, hours="calendar"),
        ...                 priority=["p", "p"], as_of=np.datetime64("2024-01-08T10:10"))
        >>> t.status
        array(['breached', 'active'], dtype='<U15')
        """
        return frozen_keys(np.asarray(TARGET_STATUSES)[self.status_code])

    def __len__(self) -> int:
        return int(self.code.shape[0])

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns as a dict of arrays.

        Returns
        -------
        dict of str to ndarray

        Examples
        --------
        >>> import numpy as np
        >>> log = TicketLog.from_arrays(
        ...     ["x", "x"], np.array(["2024-01-08T09:00", "2024-01-08T09:45"], dtype="datetime64[s]"),
        ...     ["new", "solved"])
        >>> t = sla_targets(log, SLAPolicy({"p": {"resolution": 3600}}, hours="calendar"),
        ...                 priority=["p"])
        >>> row = {k: v[0].item() for k, v in t.to_dict().items()}
        >>> row["ticket"], row["metric"], row["elapsed"], row["target"], row["status"]
        ('x', 'resolution', 2700.0, 3600.0, 'achieved')
        >>> str(t.to_dict()["deadline"][0])
        '2024-01-08T10:00:00.000000000'
        """
        return {
            "ticket": self.ticket,
            "metric": self.metric,
            "instance": self.instance,
            "key": self.key,
            "start": self.start,
            "fulfilled": self.fulfilled,
            "deadline": self.deadline,
            "elapsed": self.elapsed,
            "target": self.target,
            "status": self.status,
        }

    def __repr__(self) -> str:
        counts = np.bincount(self.status_code, minlength=6)
        parts = ", ".join(
            f"{s}={int(c)}" for s, c in zip(TARGET_STATUSES, counts, strict=True) if c
        )
        return (
            f"SLATargets({len(self)} target(s) of {self.n_tickets} ticket(s): {parts})"
        )


#: status of a target by (applicable, completed, over its target, clock runs now)
_STATUS_OF = np.array(
    [NOT_APPLICABLE] * 8
    + [PAUSED, ACTIVE, ACTIVE_BREACHED, ACTIVE_BREACHED]
    + [ACHIEVED, ACHIEVED, BREACHED, BREACHED],
    dtype=np.int64,
)

#: metrics whose one clock per ticket starts at creation
_FROM_CREATION = ("first_reply", "resolution")


def _unpaused(
    log: TicketLog,
    calendar: BusinessCalendar,
    running_status: NDArray[np.bool_],
    end: NDArray[np.int64],
    done: NDArray[np.int64],
    enter: NDArray[np.int64],
    created_clock: dict[Any, Any],
) -> tuple[NDArray[np.int64], NDArray[np.bool_]] | None:
    """Elapsed clocks from creation when no ticket's clock ever pauses, else None.

    Without a stopped status before a ticket's final solve (or before ``end``
    when unsolved), its clock from creation to any instant up to then is the
    calendar's business time ``F(t) - F(created)``: two lookups in the expanded
    calendar per ticket instead of the event-level clock and its per-ticket
    searches. ``enter`` is the first event of each ticket's final solved run
    (:func:`_final_run`); ``created_clock`` keeps, for the next metric,
    ``(timeline, F(created))`` per calendar (the timeline spans every instant
    of the log and ``end``) and the pause check per running mask. Returns ``(elapsed, runs_now)`` (elapsed to ``done``,
    or to ``end`` when not done; whether the clock runs at the last event).
    """
    k = log.n_tickets
    if k == 0 or log.n_events == 0:
        return None
    tail = log.first[1:] - 1
    mask = running_status.tobytes()  # the check is shared by metrics with one mask
    if mask not in created_clock:
        running = running_status[log.status]
        stopped = np.zeros(log.n_events + 1, dtype=np.int64)
        np.cumsum(~running, out=stopped[1:])
        # no stopped event from creation to the final solved run (or to the end)
        unpaused = not (stopped[enter] != stopped[log.first[:-1]]).any()
        created_clock[mask] = (unpaused, running[tail])
    unpaused, runs_now = created_clock[mask]
    if not unpaused:
        return None
    stop = np.where(done != NAT, done, end)
    if calendar not in created_clock:  # shared by the metrics on one calendar
        created = log.created
        lo = int(min(created.min(), stop.min()))
        hi = int(max(log.instant.max(), stop.max(), end.max()))
        if log.comment_instant.size:
            lo = min(lo, int(log.comment_instant.min()))
            hi = max(hi, int(log.comment_instant.max()))
        tl = timeline(calendar, lo, hi)
        created_clock[calendar] = (tl, clock(tl, created))
    tl, f_created = created_clock[calendar]
    # a reply logged before creation reads 0, as the event clock does
    elapsed = np.maximum(clock(tl, stop) - f_created, 0)
    return elapsed, runs_now


def _final_solve(log: TicketLog) -> NDArray[np.int64]:
    """Instant each ticket entered its current solved/closed run (NAT if unsolved)."""
    return _final_run(log)[0]


def _final_run(log: TicketLog) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """:func:`_final_solve`, and the first event of each ticket's final solved run.

    The event index is one past the ticket's last event when it is unsolved.
    """
    solved = (log.status == SOLVED) | (log.status == CLOSED)
    idx = np.arange(log.n_events)
    # last unsolved event of each ticket (or the ticket's first event - 1)
    unsolved_pos = np.where(~solved, idx, -1)
    last_unsolved = np.maximum.accumulate(unsolved_pos) if log.n_events else idx
    tail = log.first[1:] - 1
    heads = log.first[:-1]
    lu = last_unsolved[tail] if log.n_events else tail
    enter = np.maximum(lu + 1, heads)  # the event that starts the final solved run
    currently = solved[tail] if log.n_events else np.zeros(0, bool)
    out = np.full(log.n_tickets, NAT, dtype=np.int64)
    out[currently] = log.instant[enter[currently]]
    return out, enter


def _next_agent(log: TicketLog) -> NDArray[np.int64]:
    """Index of the next agent comment after each comment, same ticket (-1 if none)."""
    c = log.comment_code.shape[0]
    if c == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(c)
    pos = np.where(log.comment_agent, idx, c)
    # strictly after: shift by one, then a reversed running minimum
    after = np.empty(c, dtype=np.int64)
    after[:-1] = pos[1:]
    after[-1] = c
    nxt = np.minimum.accumulate(after[::-1])[::-1]
    ok = nxt < c
    ok[ok] = log.comment_code[nxt[ok]] == log.comment_code[ok]
    return np.where(ok, nxt, -1)


def _min_nat(a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.int64]:
    """Elementwise earliest of two instants, NAT meaning 'never'."""
    big = np.iinfo(np.int64).max
    m = np.minimum(np.where(a == NAT, big, a), np.where(b == NAT, big, b))
    return np.where(m == big, NAT, m)


def _instances(
    log: TicketLog, metric: str, final: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """(ticket code, instance number, start, fulfilled-or-NAT) of every clock."""
    k = log.n_tickets
    codes = np.arange(k, dtype=np.int64)
    cc, ct, agent = log.comment_code, log.comment_instant, log.comment_agent
    if metric == "resolution":
        return codes, np.zeros(k, np.int64), log.created, final
    if metric == "first_reply":
        reply = np.full(k, NAT, dtype=np.int64)
        if agent.any():
            ac, at = cc[agent], ct[agent]  # sorted by ticket, then instant
            head = np.ones(ac.shape, dtype=bool)
            head[1:] = ac[1:] != ac[:-1]
            reply[ac[head]] = at[head]
        return codes, np.zeros(k, np.int64), log.created, _min_nat(reply, final)
    nxt = _next_agent(log)
    c = cc.shape[0]
    if metric == "next_reply":
        prev_agent = np.zeros(c, dtype=bool)
        if c > 1:
            prev_agent[1:] = agent[:-1] & (cc[1:] == cc[:-1])
        starts = ~agent & prev_agent
    else:  # periodic_update
        starts = agent.copy()
    rows = np.flatnonzero(starts)
    code = cc[rows]
    start = ct[rows]
    done = np.where(nxt[rows] >= 0, ct[np.maximum(nxt[rows], 0)], NAT)
    fin = final[code]
    fin = np.where((fin != NAT) & (fin >= start), fin, NAT)
    # instance numbers: position among the ticket's clocks of this metric
    number = np.arange(rows.size) - np.searchsorted(code, code, side="left")
    return code, number.astype(np.int64), start, _min_nat(done, fin)


def _check_policy(policy: object) -> SLAPolicy:
    if policy is None:
        return _CLOCKS_ONLY
    if not isinstance(policy, SLAPolicy):
        msg = f"`policy` must be an SLAPolicy (or None for a 24x7 UTC clock); got {type(policy).__name__}."
        raise InvalidInputTypeError(msg)
    return policy


def _sources(
    policy: SLAPolicy, priority: ArrayLike | None, due: object, target: object
) -> tuple[dict[str, tuple[str, Any]], dict[str, tuple[str, Any]]]:
    """Check which source gives each metric's targets (before any pass over data)."""
    due_cols = per_metric(due, "due", DUE_METRICS)
    target_cols = per_metric(target, "target", METRICS)
    both = sorted(set(due_cols) & set(target_cols))
    if both:
        msg = f"give each metric one per-ticket source: {both[0]!r} has both `due` and `target`."
        raise InvalidInputError(msg)
    if priority is None and policy.targets:
        msg = "`priority` is needed to read the policy's per-key targets; pass it, or use a policy without `targets` with `due`/`target`."
        raise InvalidInputError(msg)
    if priority is None and not (due_cols or target_cols or policy.default):
        msg = "nothing gives targets: pass `priority` (the policy key of each ticket), `due` (due instants) or `target` (target durations)."
        raise InvalidInputError(msg)
    return due_cols, target_cols


def _check_keys(
    log: TicketLog, policy: SLAPolicy, ukeys: NDArray[Any], kinv: NDArray[np.intp]
) -> None:
    """Every key needs targets in the policy (or the policy a default)."""
    missing = [j for j, u in enumerate(ukeys.tolist()) if not policy.has_key(u)]
    if not missing:
        return
    # the missing key of the first ticket that has one
    bad = np.isin(kinv, missing)
    i = int(np.argmax(bad))
    u = ukeys[kinv[i]]
    shown = [show(ukeys[j]) for j in missing[:_SHOW_KEYS]]
    more = "" if len(missing) <= _SHOW_KEYS else ", ..."
    listed = sorted(map(repr, policy.targets))
    lists = ", ".join(listed[:_SHOW_KEYS]) + (
        ", ..." if len(listed) > _SHOW_KEYS else ""
    )
    msg = (
        f"`priority` has {show(u)} (ticket {show(log.tickets[i])}, index {i}), which has no "
        f"targets in `policy`; {len(missing)} key(s) of {int(bad.sum())} ticket(s) are "
        f"missing: {', '.join(shown)}{more}; `policy` lists {lists or 'no keys'}. Add "
        "them, or give the policy a default (SLAPolicy(..., default={...}) or a '*' key)."
    )
    raise InvalidInputError(msg)


def _due_target(
    clk: Clock,
    code: NDArray[np.int64],
    r0: NDArray[np.int64],
    stop: NDArray[np.int64],
    elapsed: NDArray[np.int64],
    due: NDArray[np.int64],
) -> NDArray[np.int64]:
    """The clock time a due instant allows: the ticket's clock from the start to it.

    Up to ``stop`` (the completion, or the end of an open clock) it is the
    ticket's own clock (before creation it reads 0); beyond ``stop`` the clock
    is continued with the calendar as if it kept running: the inverse of the
    policy's deadlines (:meth:`Clock.reach` and the completed-short rule).
    """
    log = clk.log
    out = np.empty(code.shape, dtype=np.int64)
    before = due <= stop
    if before.any():
        c = code[before]
        at = np.maximum(due[before], log.instant[log.first[:-1][c]])
        out[before] = clk.at(c, at) - r0[before]
    after = ~before
    if after.any():
        out[after] = elapsed[after] + business_ns(clk.calendar, stop[after], due[after])
    return out


def _policy_sets(policy: SLAPolicy, metric: str) -> bool:
    """Whether the policy has a target for ``metric`` under any key (or its default)."""
    tables = [*policy.targets.values(), policy.default or {}]
    return any(metric in table for table in tables)


def sla_targets(
    log: TicketLog,
    policy: SLAPolicy | None = None,
    *,
    priority: ArrayLike | None = None,
    due: ArrayLike | Mapping[str, ArrayLike] | None = None,
    target: ArrayLike | Mapping[str, ArrayLike] | None = None,
    tickets: ArrayLike | None = None,
    as_of: object | None = None,
) -> SLATargets:
    """Every SLA target of every ticket: elapsed clock, deadline and status.

    Targets come from the policy by key (``priority``), or per ticket: a due
    instant (``due``, as ServiceNow task SLAs, Jira Service Management and
    city 311 exports store them) or a target duration (``target``).

    Parameters
    ----------
    log : TicketLog
        Status events and public comments (:meth:`TicketLog.from_arrays`).
    policy : SLAPolicy, optional
        Targets per key and metric, hours and pausing statuses. Default: a
        24x7 UTC clock that no status pauses (for ``due`` / ``target`` alone).
    priority : array_like, shape (k,), optional
        The policy key of each ticket: aligned with ``log.tickets`` (sorted
        ids), or with ``tickets`` when given. Keys the policy does not list
        take its ``default``; without one they are an error.
    due : array_like of instants, shape (k,), or mapping, optional
        Due instant of each ticket (numpy ``datetime64`` read as UTC, or
        timezone-aware datetimes / pandas columns): a column for
        ``'resolution'``, or ``{'first_reply': ..., 'resolution': ...}``.
        NaT/None means no target for that ticket (status 'not_applicable',
        counted as ``no_target`` by :func:`sla_compliance`).
    target : array_like of durations, shape (k,), or mapping, optional
        Target of each ticket: seconds (numbers, as in :class:`SLAPolicy`) or
        time deltas; a column for ``'resolution'`` or ``{metric: column}``
        (any metric). NaN/NaT/None means no target for that ticket. A metric
        given per ticket ignores the policy's targets for that metric.
    tickets : array_like, shape (k,), optional
        Ticket ids of ``priority``, ``due`` and ``target``, in any order (each
        ticket once).
    as_of : instant, optional
        When the state is read. Required when any ticket is still unsolved at
        its last event (its clocks are still running); must not be before the
        last event or comment.

    Returns
    -------
    SLATargets
        One row per ticket for first reply and resolution, one per clock for
        next reply (each requester comment following an agent comment) and
        periodic update (each agent comment); metrics without a target for
        any key (and not given per ticket) are left out.

    Notes
    -----
    A target is breached when its elapsed clock time is strictly greater than
    the target; equal is met. Statuses: ``achieved`` / ``breached`` for a
    completed target; for an open one (at ``as_of``) ``active_breached`` once
    past the target (whether its clock runs or is paused), else ``active``
    when its clock runs at ``as_of`` and ``paused`` when it is stopped;
    ``not_applicable`` when the ticket has no target for the metric.
    Solving a ticket completes its open reply targets (it no longer awaits a
    reply); a reopened ticket's resolution clock resumes (full resolution).
    Zendesk's statuses [1]_ are the same ones under other names (closed,
    closed-breached, active, active-breached, paused).

    A due instant ``d`` is read on the same clock: the target is the clock
    time from the start to ``d`` (past the completion, or past ``as_of`` for
    an open target, the clock is continued with the calendar, as deadlines
    are), so a target is breached when clock time runs after ``d`` before it
    is completed. Completion after ``d`` with the clock stopped in between
    (outside business hours, paused, or solved) is met, exactly as for the
    policy's own deadline: a due instant equal to the deadline the policy
    gives yields the policy's statuses. With the default clock
    (24x7, no pause) a target is met when completed at or before ``d``
    unless the ticket sat solved from ``d`` on.

    References
    ----------
    .. [1] Zendesk, "Viewing and understanding SLA targets", support.zendesk.com.

    Examples
    --------
    >>> import numpy as np
    >>> log = TicketLog.from_arrays(
    ...     ["a", "a"], np.array(["2024-01-08T09:00", "2024-01-08T10:00"], dtype="datetime64[s]"),
    ...     ["new", "pending"])
    >>> policy = SLAPolicy({"high": {"resolution": 1800}}, hours="calendar")
    >>> t = sla_targets(log, policy, priority=["high"], as_of=np.datetime64("2024-01-08T12:00"))
    >>> t.status.tolist(), t.elapsed.tolist()  # 1 h open, then pending pauses it
    (['active_breached'], [3600.0])
    >>> t.deadline  # 30 min after creation
    array(['2024-01-08T09:30:00.000000000'], dtype='datetime64[ns]')

    Due instants per ticket (an empty one: no target), on a 24x7 clock:

    >>> t = np.array(["2024-01-08T09:00", "2024-01-08T15:00", "2024-01-08T09:00",
    ...               "2024-01-08T11:00", "2024-01-08T10:00"], dtype="datetime64[s]")
    >>> log = TicketLog.from_arrays(["311-1", "311-1", "311-2", "311-2", "311-3"], t,
    ...                             ["open", "closed", "open", "closed", "open"])
    >>> due = np.array(["2024-01-08T12:00", "2024-01-08T12:00", "NaT"], dtype="datetime64[s]")
    >>> r = sla_targets(log, due=due, as_of=np.datetime64("2024-01-08T16:00"))
    >>> r.status.tolist()
    ['breached', 'achieved', 'not_applicable']
    """
    check_instance("log", log, TicketLog)
    rows = _target_rows(log, policy, priority, due, target, tickets, as_of, detail=True)
    assert isinstance(rows, SLATargets)  # noqa: S101  (detail=True)
    return rows


def _target_rows(
    log: TicketLog,
    policy: SLAPolicy | None,
    priority: ArrayLike | None,
    due: ArrayLike | Mapping[str, ArrayLike] | None,
    target: ArrayLike | Mapping[str, ArrayLike] | None,
    tickets: ArrayLike | None,
    as_of: object | None,
    *,
    detail: bool,
) -> SLATargets | tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The body of :func:`sla_targets`; with ``detail=False`` only what counts need.

    Counts of statuses need each target's ticket and status, in any order: no
    deadlines for policy targets (the status compares the elapsed clock with the
    target), no sort and no table, just ``(code, status)``.
    """
    pol = _check_policy(policy)
    due_cols, target_cols = _sources(pol, priority, due, target)
    cut = None if as_of is None else as_of_ns(as_of)
    k = log.n_tickets
    if priority is None:
        key: NDArray[Any] = np.full(k, None, dtype=object)
        ukeys: NDArray[Any] = np.array([None], dtype=object)
        kinv = np.zeros(k, dtype=np.intp)
    else:
        key = ticket_attribute(log, priority, "priority", tickets)
        # policy rows of each ticket (a loop over the few distinct keys)
        try:
            ukeys, kinv = factorise(key)
        except TypeError as err:
            msg = f"`priority` must hold keys of one comparable type ({err})."
            raise InvalidInputError(msg) from None
        if set(METRICS) - set(due_cols) - set(target_cols):
            _check_keys(log, pol, ukeys, kinv)
    dues = {
        m: ticket_attribute(log, due_instants(col, name), name.strip("`"), tickets)
        for m, (name, col) in due_cols.items()
    }
    goals = {
        m: ticket_attribute(log, target_durations(col, name), name.strip("`"), tickets)
        for m, (name, col) in target_cols.items()
    }

    last_event = log.instant[log.first[1:] - 1] if k else np.zeros(0, np.int64)
    final, enter = _final_run(log)
    if cut is None:
        open_ = final == NAT
        if open_.any():
            i = int(np.argmax(open_))
            msg = (
                f"ticket {show(log.tickets[i])} (index {i}) is unsolved at its last event; "
                "its clocks are still running, so pass `as_of` (the instant to read them at)."
            )
            raise InvalidInputError(msg)
        end = last_event
    else:
        latest = max(
            int(last_event.max()) if k else cut,
            int(log.comment_instant.max()) if log.comment_instant.size else cut,
        )
        if latest > cut:
            msg = (
                f"`as_of` must not be before the log's last event or comment "
                f"({np.datetime64(latest, 'ns')}); got {np.datetime64(cut, 'ns')}; build the "
                "log with TicketLog.from_arrays(..., as_of=...) to read an earlier state."
            )
            raise InvalidInputError(msg)
        end = np.full(k, cut, dtype=np.int64)

    parts: list[tuple[NDArray[Any], ...]] = []
    created: dict[Any, Any] = {}  # per calendar: F(created); per mask: no pause?
    for m_idx, metric in enumerate(METRICS):
        if metric in goals:
            per_ticket = goals[metric]
        elif metric not in dues:
            per_key = np.array(
                [
                    (pol.target_ns(u, metric) if pol.has_key(u) else None) or -1
                    for u in ukeys.tolist()
                ],
                dtype=np.int64,
            )
            # a metric the policy sets for no key is not reported; one it sets for
            # other keys gives these tickets 'not_applicable' rows, counted, as a
            # missing per-ticket target does
            if not _policy_sets(pol, metric):
                continue
            per_ticket = per_key[kinv]
        code, number, start, done = _instances(log, metric, final)
        completed = done != NAT
        calendar = pol.clock_calendar(metric)
        fast = None
        if metric not in dues and metric in _FROM_CREATION:
            fast = _unpaused(
                log, calendar, pol.running_mask(metric), end, done, enter, created
            )
        if fast is not None:
            # no pause before the final solve: the clock is the calendar's
            elapsed, runs_now = fast
        else:
            clk = run_clock(log, calendar, pol.running_mask(metric), end)
            r0 = clk.at(code, start)
            r1 = np.where(completed, clk.at(code, np.where(completed, done, start)), 0)
            r1 = np.where(completed, r1, clk.total[code])
            elapsed = r1 - r0
            runs_now = clk.running[log.first[1:][code] - 1] if code.size else completed
        if metric in dues:
            deadline = dues[metric][code]
            applicable = deadline != NAT
            target_ns = np.full(code.shape, -1, dtype=np.int64)
            if applicable.any():
                a = applicable
                stop = np.where(completed, done, end[code])[a]
                target_ns[a] = _due_target(
                    clk, code[a], r0[a], stop, elapsed[a], deadline[a]
                )
        else:
            target_ns = per_ticket[code]
            applicable = target_ns > 0
            deadline = np.full(code.shape, NAT, dtype=np.int64)
            if not detail:
                pass  # statuses need no deadline
            elif fast is not None:
                # the clock runs from creation (r0 = 0) as the calendar does
                deadline[applicable] = deadline_ns(
                    calendar, start[applicable], target_ns[applicable]
                )
            elif applicable.any():
                deadline[applicable] = clk.reach(
                    code[applicable], r0[applicable] + target_ns[applicable]
                )
        if metric not in dues and detail and fast is None:
            # a completed target whose clock stopped short: the clock is continued
            # from the completion as if it kept running (the deadline it had)
            short = applicable & completed & (deadline == NAT)
            if short.any():
                deadline[short] = deadline_ns(
                    pol.clock_calendar(metric),
                    done[short],
                    target_ns[short] - elapsed[short],
                )
        over = elapsed > target_ns
        # one lookup of (applicable, completed, over, runs now) in a 16-row table
        row = applicable.astype(np.intp) << 3
        row |= completed.astype(np.intp) << 2
        row |= over.astype(np.intp) << 1
        row |= np.asarray(runs_now, dtype=bool)
        status = _STATUS_OF[row]
        if not detail:
            parts.append((code, status))
            continue
        parts.append(
            (
                code,
                np.full(code.shape, m_idx),
                number,
                start,
                done,
                deadline,
                elapsed,
                np.where(applicable, target_ns, -1),
                status,
            )
        )
    if not detail:
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
        )
    if parts:
        cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    else:
        cols = [np.zeros(0, np.int64) for _ in range(9)]
    code, metric_idx, number, start, done, deadline, elapsed, tgt_ns, status = cols
    order = np.lexsort((number, metric_idx, code))
    code, metric_idx, number = code[order], metric_idx[order], number[order]

    def instants(x: NDArray[np.int64]) -> NDArray[np.datetime64]:
        return x[order].view("datetime64[ns]")

    tgt = tgt_ns[order].astype(np.float64) / 1e9
    return SLATargets(
        ticket=log.tickets[code],
        code=code,
        metric=np.asarray(METRICS)[metric_idx],
        instance=number,
        key=key[code],
        start=instants(start),
        fulfilled=instants(done),
        deadline=instants(deadline),
        elapsed=elapsed[order].astype(np.float64) / 1e9,
        target=np.where(tgt < 0, np.nan, tgt),
        status_code=status[order],
        n_tickets=k,
    )
