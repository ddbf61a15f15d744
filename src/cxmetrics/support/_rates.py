"""Support rates: resolution (period and cohort), reopen, first-contact resolution, backlog."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_int,
    frozen_keys,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.grouped import warn_undefined
from cxmetrics._core.result import GroupedResult, grouped_result, shared
from cxmetrics._core.validation import (
    check_instance,
    check_option,
    check_positive_int,
    group_index,
    seconds_ns_1d,
    utc_instants_1d,
)
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.stats import (
    CI,
    ConfidenceInterval,
    ConfidenceIntervalArray,
    IntervalMethods,
)
from cxmetrics.stats import proportion_interval as _interval
from cxmetrics.support._clock import NAT
from cxmetrics.support._log import CLOSED, SOLVED, TicketLog, as_of_ns
from cxmetrics.support._sla import _final_solve, ticket_attribute
from cxmetrics.typing import FCRDefinition, ProportionMethod, ResolutionDefinition

__all__ = [
    "Backlog",
    "GroupedSupportRateResult",
    "SupportRateResult",
    "backlog",
    "first_contact_resolution",
    "reopen_rate",
    "resolution_rate",
]

_DAY_NS = 86_400 * 10**9


class _RateMethods(IntervalMethods[CI]):
    """The rate's interval, written once for the scalar and grouped result."""

    __slots__ = ()
    count: Any
    n: Any
    metric: str
    proportion: bool

    def confidence_interval(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> CI:
        """Interval for a share (Wilson by default), per group if grouped; refused for ratios.

        Parameters
        ----------
        confidence_level : float, default 0.95
        method : str, default 'wilson'

        Returns
        -------
        ConfidenceInterval or ConfidenceIntervalArray
            Arrays over the groups of a grouped result.

        Examples
        --------
        >>> lo, hi = SupportRateResult(0.5, 2, 1, "reopen_rate").confidence_interval()
        >>> round(lo, 3), round(hi, 3)
        (0.095, 0.905)
        """
        if not self.proportion:
            msg = f"{self.metric} is a ratio, not a share: it has no binomial interval."
            raise InvalidInputError(msg)
        ci = _interval(self.count, self.n, confidence_level, method=method)
        return self._bounds(ci.low, ci.high)


@attrs.frozen(field_transformer=nan_equal_fields)
class SupportRateResult(DisplayMixin, _RateMethods[ConfidenceInterval]):
    """A support rate: ``count / n`` with its counts.

    Attributes
    ----------
    value : float
        ``count / n``; a fraction in [0, 1] for shares (NaN when ``n == 0``).
    n, count : int
        Denominator and numerator.
    metric : str
        Which rate (e.g. ``'resolution_rate (cohort)'``).
    proportion : bool
        Whether ``count`` is a subset of ``n`` (a share with a binomial
        interval); the period resolution rate is a ratio that may exceed 1.

    Examples
    --------
    >>> SupportRateResult(0.8, 10, 8, "reopen_rate", True)
    reopen_rate 0.8 (95% CI 0.49 to 0.943; count=8, n=10)
    """

    value: float
    n: int
    count: int
    metric: str = shared()
    proportion: bool = shared(default=True)

    def __repr__(self) -> str:
        if self.proportion and self.n:
            lo, hi = self.confidence_interval()
            ci = f"95% CI {lo:.3g} to {hi:.3g}; "
        else:
            ci = ""
        return f"{self.metric} {self.value:.4g} ({ci}count={self.count}, n={self.n})"


@grouped_result(SupportRateResult, table=("value", "n", "count"))
class GroupedSupportRateResult(
    GroupedResult[SupportRateResult], _RateMethods[ConfidenceIntervalArray]
):
    """A support rate per group (columnar; see :class:`SupportRateResult`).

    Examples
    --------
    >>> import numpy as np
    >>> r = GroupedSupportRateResult(np.array(["a"]), np.array([0.5]), np.array([4]),
    ...                              np.array([2]), "reopen_rate", True)
    >>> r["a"].count
    2
    >>> r = GroupedSupportRateResult(np.array([1]), np.array([1.0]), np.array([3]),
    ...                              np.array([3]), "reopen_rate")
    >>> float(r.confidence_interval().high[0])
    1.0
    """

    metric: str
    proportion: bool


def _window_ns(value: object) -> int:
    """The ``within_days`` option as ns: whole days, or a time delta."""
    if isinstance(value, timedelta | np.timedelta64):
        return int(seconds_ns_1d(np.array([value]), "within_days")[0])
    return check_positive_int("within_days", value, minimum=0) * _DAY_NS


def _groups(
    log: TicketLog, by: ArrayLike | None, tickets: ArrayLike | None
) -> tuple[NDArray[Any] | None, NDArray[np.int64]]:
    if by is None:
        return None, np.zeros(log.n_tickets, dtype=np.int64)
    per_ticket = ticket_attribute(log, by, "by", tickets)
    gi = group_index(per_ticket, log.n_tickets, like="log.tickets")
    return gi.labels, np.asarray(gi.source, dtype=np.int64) - gi.offset


def _finish(
    keys: NDArray[Any] | None,
    g: NDArray[np.int64],
    num: NDArray[np.bool_],
    den: NDArray[np.bool_],
    metric: str,
    *,
    proportion: bool = True,
) -> SupportRateResult | GroupedSupportRateResult:
    k = 1 if keys is None else len(keys)
    n = np.bincount(g[den], minlength=k)
    count = np.bincount(g[num], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(n > 0, count / np.maximum(n, 1), np.nan)
    warn_undefined(metric, value if keys is not None else value[0], stacklevel=4)
    if keys is None:
        return SupportRateResult(
            float(value[0]), int(n[0]), int(count[0]), metric, proportion
        )
    return GroupedSupportRateResult(keys, value, n, count, metric, proportion)


def _solved_runs(log: TicketLog) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per event: is it solved; does it start a solved run (a solve)."""
    solved = (log.status == SOLVED) | (log.status == CLOSED)
    enters = solved.copy()
    if log.n_events > 1:
        same = log.code[1:] == log.code[:-1]
        enters[1:] &= ~(same & solved[:-1])
    return solved, enters


def resolution_rate(
    log: TicketLog,
    *,
    start: object,
    end: object,
    definition: ResolutionDefinition = "cohort",
    as_of: object | None = None,
    by: ArrayLike | None = None,
    tickets: ArrayLike | None = None,
) -> SupportRateResult | GroupedSupportRateResult:
    """Resolution rate over ``[start, end)``, of a cohort or of a period.

    Parameters
    ----------
    log : TicketLog
    start, end : instant
        The period (UTC ``datetime64`` or timezone-aware datetimes).
    definition : {'cohort', 'period'}, default 'cohort'
        ``'cohort'``: of the tickets created in the period, the share solved
        (or closed) at ``as_of`` (default ``end``): a fraction with a Wilson
        interval. ``'period'``: tickets solved in the period (each once) over
        tickets created in it: a throughput ratio that may exceed 1.
    as_of : instant, optional
        When the cohort's status is read (``definition="cohort"``).
    by, tickets : array_like, optional
        Group of each ticket, aligned with ``log.tickets`` or ``tickets``.

    Returns
    -------
    SupportRateResult or GroupedSupportRateResult

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-20"], dtype="datetime64[s]")
    >>> log = TicketLog.from_arrays([1, 1, 2, 2], t, ["new", "solved", "new", "solved"])
    >>> jan1, jan8, feb1 = np.array(["2024-01-01", "2024-01-08", "2024-02-01"], dtype="datetime64[s]")
    >>> resolution_rate(log, start=jan1, end=jan8).value  # ticket 2 still open on the 8th
    0.5
    >>> resolution_rate(log, start=jan1, end=feb1, definition="period").value
    1.0
    """
    check_option("definition", definition, ResolutionDefinition)
    check_instance("log", log, TicketLog)
    lo, hi = as_of_ns(start, "start"), as_of_ns(end, "end")
    if hi <= lo:
        msg = f"`end` must be after `start`; got start={np.datetime64(lo, 'ns')} and end={np.datetime64(hi, 'ns')}."
        raise InvalidInputError(msg)
    cut = hi if as_of is None else as_of_ns(as_of)
    keys, g = _groups(log, by, tickets)
    created = log.created
    in_period = (created >= lo) & (created < hi)
    if definition == "cohort":
        # status at `cut`: the last event at or before it
        solved, _ = _solved_runs(log)
        at = np.where(log.instant <= cut, np.arange(log.n_events), -1)
        last = np.maximum.reduceat(at, log.first[:-1]) if log.n_events else at
        done = (last >= 0) & solved[np.maximum(last, 0)]
        return _finish(keys, g, in_period & done, in_period, "resolution_rate (cohort)")
    _, enters = _solved_runs(log)
    solve_in = enters & (log.instant >= lo) & (log.instant < hi)
    solved_in = np.zeros(log.n_tickets, dtype=bool)
    solved_in[log.code[solve_in]] = True
    return _finish(
        keys,
        g,
        solved_in,
        in_period,
        "resolution_rate (period)",
        proportion=False,
    )


def reopen_rate(
    log: TicketLog, *, by: ArrayLike | None = None, tickets: ArrayLike | None = None
) -> SupportRateResult | GroupedSupportRateResult:
    """Share of tickets solved at least once that were reopened at least once.

    Parameters
    ----------
    log : TicketLog
    by, tickets : array_like, optional

    Returns
    -------
    SupportRateResult or GroupedSupportRateResult

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(5).astype("datetime64[h]")
    >>> log = TicketLog.from_arrays([1, 1, 1, 2, 2], t, ["new", "solved", "open", "new", "solved"])
    >>> reopen_rate(log).value
    0.5
    """
    check_instance("log", log, TicketLog)

    keys, g = _groups(log, by, tickets)
    solved, enters = _solved_runs(log)
    ever = np.zeros(log.n_tickets, dtype=bool)
    ever[log.code[solved]] = True
    reopened = np.zeros(log.n_tickets, dtype=bool)
    if log.n_events > 1:
        same = log.code[1:] == log.code[:-1]
        back = same & solved[:-1] & ~solved[1:]
        reopened[log.code[1:][back]] = True
    del enters
    return _finish(keys, g, reopened & ever, ever, "reopen_rate")


def first_contact_resolution(
    log: TicketLog,
    *,
    definition: FCRDefinition = "one_touch",
    requester: ArrayLike | None = None,
    within_days: int | timedelta | np.timedelta64 = 7,
    by: ArrayLike | None = None,
    tickets: ArrayLike | None = None,
) -> SupportRateResult | GroupedSupportRateResult:
    """First-contact resolution: the share of solved tickets solved at first contact.

    Parameters
    ----------
    log : TicketLog
        With public comments for the reply-based definitions.
    definition : {'one_touch', 'no_follow_up', 'no_repeat_contact'}, default 'one_touch'
        ``'one_touch'``: solved with exactly one public agent reply and never
        reopened (Zendesk's "one-touch tickets"). ``'no_follow_up'``: never
        reopened and no requester comment after the first agent reply.
        ``'no_repeat_contact'``: never reopened and the same ``requester``
        created no other ticket within ``within_days`` days after this one was
        solved.
    requester : array_like, shape (k,), optional
        Requester of each ticket (aligned like ``by``); needed for
        ``'no_repeat_contact'``.
    within_days : int or time delta, default 7
        Days (a whole number), or a time delta (``datetime.timedelta``,
        pandas ``Timedelta``, ``numpy.timedelta64``) for other windows.
    by, tickets : array_like, optional

    Returns
    -------
    SupportRateResult or GroupedSupportRateResult
        Denominator: tickets solved (or closed) at their last event.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(4).astype("datetime64[h]")
    >>> log = TicketLog.from_arrays([1, 1, 2, 2], t, ["new", "solved", "new", "solved"],
    ...     comment_ticket=[1, 2, 2],
    ...     comment_instant=t[[0, 2, 2]] + np.array([1, 1, 2], dtype="timedelta64[m]"),
    ...     comment_author=["agent", "agent", "requester"])
    >>> first_contact_resolution(log).value
    1.0
    >>> first_contact_resolution(log, definition="no_follow_up").value
    0.5
    """
    check_option("definition", definition, FCRDefinition)
    check_instance("log", log, TicketLog)
    window = _window_ns(within_days)
    if definition == "no_repeat_contact" and requester is None:
        msg = "`requester` is needed with definition='no_repeat_contact'."
        raise InvalidInputError(msg)
    keys, g = _groups(log, by, tickets)
    k = log.n_tickets
    final = _final_solve(log)
    solved_now = final != NAT
    solved, _ = _solved_runs(log)
    reopened = np.zeros(k, dtype=bool)
    if log.n_events > 1:
        same = log.code[1:] == log.code[:-1]
        reopened[log.code[1:][same & solved[:-1] & ~solved[1:]]] = True
    ok = solved_now & ~reopened
    cc, agent = log.comment_code, log.comment_agent
    if definition == "one_touch":
        ok &= np.bincount(cc[agent], minlength=k) == 1
    elif definition == "no_follow_up":
        first_agent = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_agent, cc[agent], log.comment_instant[agent])
        late = ~agent & (log.comment_instant > first_agent[cc])
        ok &= np.bincount(cc[late], minlength=k) == 0
    elif requester is not None:  # checked above: given with 'no_repeat_contact'
        req = ticket_attribute(log, requester, "requester", tickets)
        rg = group_index(req, k, name="requester", like="log.tickets")
        r = np.asarray(rg.source, dtype=np.int64) - rg.offset
        created = log.created
        order = np.lexsort((created, r))
        nxt = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
        same_r = r[order][1:] == r[order][:-1]
        nxt[order[:-1][same_r]] = created[order][1:][same_r]
        repeat = solved_now & (nxt <= final + window)
        ok &= ~repeat
    return _finish(keys, g, ok, solved_now, f"first_contact_resolution ({definition})")


@attrs.frozen(eq=False)
class Backlog(DisplayMixin):
    """Unsolved tickets at given instants, per group.

    Attributes
    ----------
    keys : ndarray, shape (g,)
    instants : ndarray of datetime64[ns], shape (m,)
    counts : ndarray of int64, shape (g, m)

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-01", "2024-01-03", "2024-01-02"], dtype="datetime64[s]")
    >>> log = TicketLog.from_arrays([1, 1, 2], t, ["new", "solved", "new"])
    >>> b = backlog(log, np.array(["2024-01-02T12:00", "2024-01-04"], dtype="datetime64[s]"))
    >>> b.counts
    array([[2, 1]])
    """

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    instants: NDArray[np.datetime64] = attrs.field(converter=frozen_keys, eq=array_eq)
    counts: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns ``key``, ``instant``, ``count`` in long form.

        Returns
        -------
        dict of str to ndarray

        Examples
        --------
        >>> import numpy as np
        >>> b = Backlog(np.array(["t1", "t2"]), np.array(["2024-01-01", "2024-01-02"],
        ...             dtype="datetime64[ns]"), [[3, 1], [0, 2]])
        >>> {k: v.tolist() for k, v in b.to_dict().items() if k != "instant"}
        {'key': ['t1', 't1', 't2', 't2'], 'count': [3, 1, 0, 2]}
        """
        g, m = self.counts.shape
        return {
            "key": np.repeat(self.keys, m),
            "instant": np.tile(self.instants, g),
            "count": self.counts.reshape(-1),
        }


def backlog(
    log: TicketLog,
    instants: ArrayLike,
    *,
    by: ArrayLike | None = None,
    tickets: ArrayLike | None = None,
) -> Backlog:
    """Number of unsolved tickets (new, open, pending, on-hold) at each instant.

    Parameters
    ----------
    log : TicketLog
    instants : array_like of instants, shape (m,)
        A ticket counts at ``t`` when it was created at or before ``t`` and its
        status at ``t`` (the last event at or before ``t``) is unsolved.
    by, tickets : array_like, optional

    Returns
    -------
    Backlog

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-05"], dtype="datetime64[s]")
    >>> log = TicketLog.from_arrays([1, 1, 2, 2], t, ["new", "solved", "new", "solved"])
    >>> q = np.array(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-06"], dtype="datetime64[s]")
    >>> backlog(log, q).counts.tolist()
    [[1, 2, 1, 0]]
    """
    check_instance("log", log, TicketLog)

    q = utc_instants_1d(instants, "instants")
    keys, g = _groups(log, by, tickets)
    k = 1 if keys is None else len(keys)
    solved, _ = _solved_runs(log)
    # +1 when a ticket becomes unsolved (creation or reopen), -1 when solved
    prev = np.ones(log.n_events, dtype=bool)  # before creation: "solved" (absent)
    if log.n_events > 1:
        same = log.code[1:] == log.code[:-1]
        prev[1:] = solved[:-1] | ~same
    delta = np.where(solved, -1, 1) * (solved != prev)
    eg = g[log.code]
    uniq, inv = np.unique(np.concatenate([log.instant, q]), return_inverse=True)
    inv = inv.reshape(-1)
    big = np.int64(uniq.size + 1)
    ekey = eg * big + inv[: log.n_events]
    order = np.argsort(ekey, kind="stable")
    ekey_s = ekey[order]
    cs = np.cumsum(delta[order])
    groups = np.arange(k, dtype=np.int64)
    qkey = groups[:, None] * big + inv[log.n_events :][None, :]
    idx = np.searchsorted(ekey_s, qkey, side="right") - 1
    gstart = np.searchsorted(ekey_s, groups * big, side="left")
    base = np.where(gstart > 0, cs[np.maximum(gstart - 1, 0)], 0)
    valid = idx >= gstart[:, None]
    counts = np.where(valid, cs[np.maximum(idx, 0)] - base[:, None], 0)
    return Backlog(
        np.array(["all"]) if keys is None else keys,
        q.view("datetime64[ns]"),
        counts,
    )
