"""SLA compliance: counts of target (or ticket) statuses per group, mergeable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_array_eq,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.grouped import GroupedResultMixin, warn_undefined
from cxmetrics._core.keys import align_keys, decode_keys, encode_keys, key_family
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.validation import (
    as_1d,
    check_confidence_level,
    check_instance,
    check_option,
    check_same_length,
    group_index,
)
from cxmetrics.exceptions import IncompatibleStateError, InvalidInputError
from cxmetrics.stats import ConfidenceInterval, ConfidenceIntervalArray
from cxmetrics.stats import proportion_interval as _interval
from cxmetrics.support._log import TicketLog
from cxmetrics.support._policy import SLAPolicy
from cxmetrics.support._sla import (
    NOT_APPLICABLE,
    TARGET_STATUSES,
    SLATargets,
    _target_rows,
    ticket_attribute,
)

__all__ = [
    "COMPLIANCE",
    "GroupedSLAComplianceResult",
    "SLAComplianceResult",
    "SLAComplianceState",
    "sla_compliance",
]

_M, _B, _X = 1, 0, -1  # met, breached, left out
#: how each compliance policy counts the target statuses
#: (achieved, breached, active, active_breached, paused, not_applicable)
COMPLIANCE: dict[str, tuple[int, ...]] = {
    "zendesk": (_M, _B, _X, _B, _X, _X),
    "completed_only": (_M, _B, _X, _X, _X, _X),
    "pessimistic": (_M, _B, _B, _B, _B, _X),
    "optimistic": (_M, _B, _M, _B, _M, _X),
}
#: a ticket takes the most severe status of its targets, in this order
_SEVERITY = (4, 0, 2, 1, 3, 5)  # rank of each status code: breached first
_BY_RANK = np.argsort(_SEVERITY)


@attrs.frozen
class SLAComplianceResult(DisplayMixin):
    """SLA compliance: the share of counted targets (or tickets) that were met.

    Attributes
    ----------
    value : float
        ``met / n`` in [0, 1]; NaN when nothing is counted.
    n : int
        Targets (or tickets) counted: ``met + breached``.
    met, breached, excluded : int
        Counted as met, counted as breached, left out by the compliance policy.
    compliance : str
        The compliance policy that decided how open targets count.
    level : str
        ``'target'`` or ``'ticket'``.
    no_target : int
        Of ``excluded``, the targets (or tickets) with no target at all
        ('not_applicable': a key without a target for the metric, or a missing
        per-ticket due date or target).
    confidence_level : float
        The level of ``confidence_interval()`` by default (and of the repr).

    Examples
    --------
    >>> res = SLAComplianceResult(0.75, 4, 3, 1, 2, "zendesk", "target")
    >>> res
    SLA compliance 0.75 (95% CI 0.301 to 0.954; n=4 targets, met=3, breached=1, excluded=2; zendesk)
    >>> SLAComplianceResult(0.75, 4, 3, 1, 2, "zendesk", "target", 1, confidence_level=0.9)
    SLA compliance 0.75 (90% CI 0.36 to 0.94; n=4 targets, met=3, breached=1, excluded=2 (1 without target); zendesk)
    """

    value: float
    n: int
    met: int
    breached: int
    excluded: int
    compliance: str
    level: str
    no_target: int = 0
    confidence_level: float = attrs.field(
        default=0.95, converter=check_confidence_level, kw_only=True
    )

    def confidence_interval(
        self, confidence_level: float | None = None, *, method: str = "wilson"
    ) -> ConfidenceInterval:
        """Interval for the compliance share (Wilson by default).

        Parameters
        ----------
        confidence_level : float, optional
            Default: the result's ``confidence_level`` (that of
            :func:`sla_compliance`, 0.95 unless given there).
        method : str, default 'wilson'
            Any method of :func:`cxmetrics.stats.proportion_interval`.

        Returns
        -------
        ConfidenceInterval

        Examples
        --------
        >>> lo, hi = SLAComplianceResult(0.75, 4, 3, 1, 0, "zendesk", "target").confidence_interval()
        >>> round(lo, 3), round(hi, 3)
        (0.301, 0.954)
        """
        level = self.confidence_level if confidence_level is None else confidence_level
        ci = _interval(self.met, self.n, level, method=method)
        return ConfidenceInterval(float(ci.low), float(ci.high))

    def __repr__(self) -> str:
        lo, hi = self.confidence_interval()
        none = f" ({self.no_target} without target)" if self.no_target else ""
        return (
            f"SLA compliance {self.value:.4g} ({100 * self.confidence_level:g}% CI {lo:.3g} "
            f"to {hi:.3g}; n={self.n} {self.level}s, met={self.met}, breached={self.breached}, "
            f"excluded={self.excluded}{none}; {self.compliance})"
        )


@attrs.frozen(eq=False, repr=False)
class GroupedSLAComplianceResult(GroupedResultMixin):
    """SLA compliance per group (columnar; see :class:`SLAComplianceResult`).

    Examples
    --------
    >>> import numpy as np
    >>> res = GroupedSLAComplianceResult(
    ...     keys=np.array(["a", "b"]), value=np.array([1.0, 0.5]), n=np.array([2, 4]),
    ...     met=np.array([2, 2]), breached=np.array([0, 2]), excluded=np.array([0, 1]),
    ...     compliance="zendesk", level="target")
    >>> res["b"].value
    0.5
    >>> res.value.flags.writeable
    False
    """

    _scalar_result: ClassVar[type] = SLAComplianceResult
    _columns: ClassVar[tuple[str, ...]] = (
        "value",
        "n",
        "met",
        "breached",
        "excluded",
        "no_target",
    )
    _shared: ClassVar[tuple[str, ...]] = ("compliance", "level", "confidence_level")
    _table: ClassVar[tuple[str, ...]] = ("value", "n", "met", "breached", "excluded")

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    value: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    n: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    met: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    breached: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    excluded: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    compliance: str
    level: str
    no_target: NDArray[np.int64] = attrs.field(
        default=attrs.Factory(lambda self: np.zeros_like(self.n), takes_self=True),
        converter=frozen_int,
        eq=array_eq,
    )
    confidence_level: float = attrs.field(
        default=0.95, converter=check_confidence_level, kw_only=True
    )

    def confidence_interval(
        self, confidence_level: float | None = None, *, method: str = "wilson"
    ) -> ConfidenceIntervalArray:
        """Intervals for every group (Wilson by default).

        Parameters
        ----------
        confidence_level : float, optional
            Default: the result's ``confidence_level``.
        method : str, default 'wilson'

        Returns
        -------
        ConfidenceIntervalArray

        Examples
        --------
        >>> import numpy as np
        >>> res = GroupedSLAComplianceResult(np.array([1]), np.array([0.5]), np.array([2]),
        ...     np.array([1]), np.array([1]), np.array([0]), "zendesk", "ticket")
        >>> [round(float(b[0]), 3) for b in res.confidence_interval()]
        [0.095, 0.905]
        """
        level = self.confidence_level if confidence_level is None else confidence_level
        return _interval(self.met, self.n, level, method=method)


def _group_rows(
    code: NDArray[np.int64], status: NDArray[np.int64], n_tickets: int, level: str
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(ticket code, status code) of each counted unit: a target or a ticket."""
    if level == "target":
        return code, status
    rank = np.asarray(_SEVERITY)[status]
    worst = np.full(n_tickets, 5, dtype=np.int64)  # no target: n/a
    np.minimum.at(worst, code, rank)
    return np.arange(n_tickets, dtype=np.int64), _BY_RANK[worst]


@attrs.frozen(eq=True)
class SLAComplianceState(Mergeable):
    """Mergeable SLA compliance counts: targets (or tickets) per status per group.

    The sufficient statistic is the count of each target status (achieved,
    breached, active, active_breached, paused, not_applicable) per group, so
    any compliance policy can be computed from it and states of disjoint sets
    of tickets merge exactly (keys aligned).

    Attributes
    ----------
    keys : ndarray, shape (g,)
        Group keys (``['all']`` without grouping).
    counts : ndarray of int64, shape (g, 6)
    level : {'target', 'ticket'}

    Examples
    --------
    >>> import numpy as np
    >>> a = SLAComplianceState(np.array(["x"]), [[3, 1, 0, 0, 0, 0]], "target")
    >>> b = SLAComplianceState(np.array(["y"]), [[1, 0, 1, 0, 0, 0]], "target")
    >>> (a + b).compute().value  # all groups: 4 met of 5 counted
    0.8
    >>> SLAComplianceState.from_dict((a + b).to_dict()) == a + b
    True
    """

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {
        "keys": ("g",),
        "counts": ("g", "s"),
    }

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    counts: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    level: str = "target"

    def __attrs_post_init__(self) -> None:
        check_option("level", self.level, ("target", "ticket"))
        if self.counts.shape != (self.keys.shape[0], 6):
            msg = f"`counts` must have shape ({self.keys.shape[0]}, 6); got {self.counts.shape}."
            raise InvalidInputError(msg)
        if (self.counts < 0).any():
            msg = "`counts` must be non-negative."
            raise InvalidInputError(msg)

    @classmethod
    def empty(cls, level: str = "target") -> Self:
        """The identity of ``+``: no groups.

        Parameters
        ----------
        level : {'target', 'ticket'}

        Returns
        -------
        SLAComplianceState

        Examples
        --------
        >>> SLAComplianceState.empty().counts.shape
        (0, 6)
        """
        return cls(np.zeros(0, dtype=np.int64), np.zeros((0, 6), np.int64), level)

    @classmethod
    def from_targets(
        cls,
        targets: SLATargets,
        *,
        by: ArrayLike | None = None,
        tickets: ArrayLike | None = None,
        log: TicketLog | None = None,
        level: str = "target",
    ) -> Self:
        """Count target (or ticket) statuses per group in one pass.

        Parameters
        ----------
        targets : SLATargets
        by : array_like, shape (k,), optional
            Group of each ticket (aligned like ``priority`` in
            :func:`sla_targets`; ``log`` is needed to align it).
        tickets : array_like, optional
            Ticket ids of ``by`` (any order).
        log : TicketLog, optional
            The log ``targets`` came from (needed with ``by``).
        level : {'target', 'ticket'}, default 'target'
            Count targets, or tickets (a ticket takes its most severe target
            status: breached, active_breached, active, paused, achieved).

        Returns
        -------
        SLAComplianceState

        Examples
        --------
        >>> import numpy as np
        >>> from cxmetrics.support import SLAPolicy, TicketLog, sla_targets
        >>> t = np.array(["2024-01-08T09:00", "2024-01-08T09:30", "2024-01-08T09:00",
        ...               "2024-01-08T13:00"], dtype="datetime64[s]")
        >>> log = TicketLog.from_arrays(["a", "a", "b", "b"], t, ["new", "solved", "new", "solved"])
        >>> targets = sla_targets(log, SLAPolicy({"p1": {"resolution": 3600}}, hours="calendar"),
        ...                       priority=["p1", "p1"])
        >>> s = SLAComplianceState.from_targets(targets, by=["web", "phone"], log=log)
        >>> s.keys.tolist(), s.counts.tolist()  # counts per status, per group
        (['phone', 'web'], [[0, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]])
        """
        check_option("level", level, ("target", "ticket"))
        check_instance("targets", targets, SLATargets)
        check_instance("log", log, TicketLog, optional=True)
        return cls._from_rows(
            targets.code,
            targets.status_code,
            targets.n_tickets,
            by=by,
            tickets=tickets,
            log=log,
            level=level,
        )

    @classmethod
    def _from_rows(
        cls,
        target_code: NDArray[np.int64],
        target_status: NDArray[np.int64],
        n_tickets: int,
        *,
        by: ArrayLike | None,
        tickets: ArrayLike | None,
        log: TicketLog | None,
        level: str,
    ) -> Self:
        """:meth:`from_targets` from the ticket and status of each target (any order)."""
        code, status = _group_rows(target_code, target_status, n_tickets, level)
        if by is None:
            keys: NDArray[Any] = np.array(["all"])
            g = np.zeros(code.shape, dtype=np.int64)
        else:
            if log is None:
                msg = "`log` is needed with `by`, to align the groups with the tickets."
                raise InvalidInputError(msg)
            per_ticket = ticket_attribute(log, by, "by", tickets)
            gi = group_index(per_ticket, log.n_tickets, like="log.tickets")
            keys = gi.labels
            g = (np.asarray(gi.source, dtype=np.int64) - gi.offset)[code]
        flat = np.bincount(g * 6 + status, minlength=len(keys) * 6)
        return cls(keys, flat.reshape(len(keys), 6), level)

    def merge(self, other: SLAComplianceState) -> Self:
        """Combine with the counts of other tickets (levels must agree); also ``self + other``.

        Parameters
        ----------
        other : SLAComplianceState

        Returns
        -------
        SLAComplianceState

        Examples
        --------
        >>> s = SLAComplianceState.empty()
        >>> s.merge(s) == s
        True
        """
        if self.level != other.level:
            msg = f"cannot merge SLAComplianceState of level {self.level!r} and {other.level!r}."
            raise IncompatibleStateError(msg)
        if len(self.keys) == 0:
            return type(self)(other.keys, other.counts, self.level)
        if len(other.keys) == 0:
            return self
        keys, pa, pb = align_keys(self.keys, other.keys)
        counts = np.zeros((len(keys), 6), dtype=np.int64)
        np.add.at(counts, pa, self.counts)
        np.add.at(counts, pb, other.counts)
        return type(self)(keys, counts, self.level)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``from_dict`` reads it back).

        Returns
        -------
        dict

        Examples
        --------
        >>> SLAComplianceState.empty("ticket").to_dict()["level"]
        'ticket'
        """
        return {
            **self._tag(),
            "keys": encode_keys(self.keys),
            "key_family": str(key_family(self.keys)),
            "counts": self.counts.tolist(),
            "statuses": list(TARGET_STATUSES),
            "level": self.level,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a state from :meth:`to_dict`.

        Parameters
        ----------
        data : dict

        Returns
        -------
        SLAComplianceState

        Examples
        --------
        >>> s = SLAComplianceState.empty()
        >>> SLAComplianceState.from_dict(s.to_dict()) == s
        True
        """
        cls._check_tag(data)
        if list(data["statuses"]) != list(TARGET_STATUSES):
            msg = f"`data` counts statuses {data['statuses']}, not {list(TARGET_STATUSES)}."
            raise InvalidInputError(msg)
        counts = np.asarray(data["counts"], dtype=np.int64).reshape(-1, 6)
        return cls(decode_keys(data["keys"]), counts, data["level"])

    def columns(self, compliance: str) -> dict[str, NDArray[Any]]:
        """Per-group value, n, met, breached and excluded under ``compliance``.

        Parameters
        ----------
        compliance : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}

        Returns
        -------
        dict of str to ndarray

        Examples
        --------
        >>> import numpy as np
        >>> s = SLAComplianceState(np.array(["a"]), [[1, 1, 2, 0, 0, 0]])
        >>> s.columns("optimistic")["met"].tolist()
        [3]
        """
        check_option("compliance", compliance, tuple(COMPLIANCE))
        rule = np.asarray(COMPLIANCE[compliance])
        c = self.counts
        met = c[:, rule == _M].sum(axis=1)
        breached = c[:, rule == _B].sum(axis=1)
        excluded = c[:, rule == _X].sum(axis=1)
        n = met + breached
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(n > 0, met / np.maximum(n, 1), np.nan)
        return {
            "value": value,
            "n": n,
            "met": met,
            "breached": breached,
            "excluded": excluded,
            "no_target": c[:, NOT_APPLICABLE],
        }

    def compute(
        self, compliance: str = "zendesk", *, confidence_level: float = 0.95
    ) -> SLAComplianceResult:
        """Compliance over all groups together.

        Parameters
        ----------
        compliance : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}
            How open targets count (see :func:`sla_compliance`).
        confidence_level : float, default 0.95
            The result's default interval level.

        Returns
        -------
        SLAComplianceResult

        Examples
        --------
        >>> import numpy as np
        >>> s = SLAComplianceState(np.array([0]), [[2, 1, 1, 0, 0, 0]])
        >>> s.compute().n, s.compute("pessimistic").n
        (3, 4)
        """
        check_option("compliance", compliance, tuple(COMPLIANCE))
        level = check_confidence_level(confidence_level)
        total = type(self)(
            np.array(["all"]), self.counts.sum(axis=0, keepdims=True), self.level
        )
        cols = total.columns(compliance)
        warn_undefined("SLA compliance", cols["value"][0], stacklevel=3)
        return SLAComplianceResult(
            float(cols["value"][0]),
            int(cols["n"][0]),
            int(cols["met"][0]),
            int(cols["breached"][0]),
            int(cols["excluded"][0]),
            compliance,
            self.level,
            int(cols["no_target"][0]),
            confidence_level=level,
        )

    def compute_grouped(
        self, compliance: str = "zendesk", *, confidence_level: float = 0.95
    ) -> GroupedSLAComplianceResult:
        """Compliance per group.

        Parameters
        ----------
        compliance : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}
        confidence_level : float, default 0.95
            The result's default interval level.

        Returns
        -------
        GroupedSLAComplianceResult

        Examples
        --------
        >>> import numpy as np
        >>> s = SLAComplianceState(np.array(["a", "b"]), [[1, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0]])
        >>> s.compute_grouped().value.tolist()
        [1.0, 0.5]
        """
        check_option("compliance", compliance, tuple(COMPLIANCE))
        level = check_confidence_level(confidence_level)
        cols = self.columns(compliance)
        warn_undefined("SLA compliance", cols["value"], stacklevel=3)
        return GroupedSLAComplianceResult(
            keys=self.keys,
            **cols,
            compliance=compliance,
            level=self.level,
            confidence_level=level,
        )


@overload
def sla_compliance(
    log: TicketLog,
    policy: SLAPolicy | None = None,
    *,
    priority: ArrayLike | None = None,
    due: ArrayLike | Mapping[str, ArrayLike] | None = None,
    target: ArrayLike | Mapping[str, ArrayLike] | None = None,
    by: None = None,
    tickets: ArrayLike | None = None,
    as_of: object | None = None,
    compliance: str = "zendesk",
    level: str = "target",
    confidence_level: float = 0.95,
) -> SLAComplianceResult: ...


@overload
def sla_compliance(
    log: TicketLog,
    policy: SLAPolicy | None = None,
    *,
    priority: ArrayLike | None = None,
    due: ArrayLike | Mapping[str, ArrayLike] | None = None,
    target: ArrayLike | Mapping[str, ArrayLike] | None = None,
    by: ArrayLike,
    tickets: ArrayLike | None = None,
    as_of: object | None = None,
    compliance: str = "zendesk",
    level: str = "target",
    confidence_level: float = 0.95,
) -> GroupedSLAComplianceResult: ...


def sla_compliance(
    log: TicketLog,
    policy: SLAPolicy | None = None,
    *,
    priority: ArrayLike | None = None,
    due: ArrayLike | Mapping[str, ArrayLike] | None = None,
    target: ArrayLike | Mapping[str, ArrayLike] | None = None,
    by: ArrayLike | None = None,
    tickets: ArrayLike | None = None,
    as_of: object | None = None,
    compliance: str = "zendesk",
    level: str = "target",
    confidence_level: float = 0.95,
) -> SLAComplianceResult | GroupedSLAComplianceResult:
    """SLA compliance of tickets: the share of targets (or tickets) met.

    Parameters
    ----------
    log : TicketLog
        Status events and public comments.
    policy : SLAPolicy, optional
        Targets per key (priority) and metric, and the clocks (calendar, hours,
        pausing statuses); see :func:`sla_targets` (default: a 24x7 UTC clock).
    priority : array_like, shape (k,), optional
        Policy key of each ticket (aligned with ``log.tickets``, or ``tickets``).
    due, target : array_like or mapping, optional
        Per-ticket due instants or target durations instead of the policy's
        targets (see :func:`sla_targets`); missing ones mean no target and are
        counted in ``no_target``.
    by : array_like, shape (k,), optional
        Group of each ticket (team, agent, channel, week ...): one vectorised
        pass gives every group with its ``n`` and a Wilson interval.
    tickets : array_like, shape (k,), optional
        Ticket ids of ``priority``, ``due``, ``target`` and ``by``, in any order.
    as_of : instant, optional
        When open targets are read; required when any ticket is unsolved.
    compliance : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}, default 'zendesk'
        How open targets count. ``'zendesk'`` follows Zendesk Explore's SLA
        achievement: open targets not yet past their target are left out and
        open targets already past it count as breached. ``'completed_only'``
        counts completed targets only; ``'pessimistic'`` counts every open
        target as breached; ``'optimistic'`` counts open targets not yet past
        their target as met. Achieved and breached targets count the same
        everywhere; 'not_applicable' targets never count.
    level : {'target', 'ticket'}, default 'target'
        Count targets, or tickets (a ticket complies when all its targets are
        met: it takes its most severe status).
    confidence_level : float, default 0.95
        The level of the result's Wilson intervals (``confidence_interval()``
        without an argument, the repr).

    Returns
    -------
    SLAComplianceResult or GroupedSLAComplianceResult
        ``value`` = met / (met + breached), a fraction in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array(["2024-01-08T09:00", "2024-01-08T09:30", "2024-01-08T09:00",
    ...               "2024-01-08T13:00"], dtype="datetime64[s]")
    >>> log = TicketLog.from_arrays([1, 1, 2, 2], t, ["new", "solved", "new", "solved"])
    >>> policy = SLAPolicy({"high": {"resolution": 3600}})
    >>> sla_compliance(log, policy, priority=["high", "high"])
    SLA compliance 0.5 (95% CI 0.0945 to 0.905; n=2 targets, met=1, breached=1, excluded=0; zendesk)
    >>> sla_compliance(log, policy, priority=["high", "high"], confidence_level=0.8)
    SLA compliance 0.5 (80% CI 0.164 to 0.836; n=2 targets, met=1, breached=1, excluded=0; zendesk)
    """
    check_instance("log", log, TicketLog)

    check_confidence_level(confidence_level)
    check_option("compliance", compliance, tuple(COMPLIANCE))
    check_option("level", level, ("target", "ticket"))
    if by is not None and tickets is None:
        check_same_length("by", as_1d(by, "by"), "log.tickets", log.n_tickets)
    # only each target's ticket and status are counted: no deadlines, no table
    rows = _target_rows(
        log, policy, priority, due, target, tickets, as_of, detail=False
    )
    assert isinstance(rows, tuple)  # noqa: S101  (detail=False)
    state = SLAComplianceState._from_rows(  # noqa: SLF001
        rows[0], rows[1], log.n_tickets, by=by, tickets=tickets, log=log, level=level
    )
    if by is None:
        return state.compute(compliance, confidence_level=confidence_level)
    return state.compute_grouped(compliance, confidence_level=confidence_level)
