"""SLA compliance: counts of target (or ticket) statuses per group, mergeable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

import attrs
from numpy.typing import ArrayLike

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.result import GroupedResult, grouped_result, shared
from cxmetrics._core.validation import (
    as_1d,
    check_confidence_level,
    check_instance,
    check_option,
    check_same_length,
)
from cxmetrics.stats import (
    CI,
    ConfidenceInterval,
    ConfidenceIntervalArray,
    IntervalMethods,
)
from cxmetrics.stats import proportion_interval as _interval
from cxmetrics.support._compliance_state import COMPLIANCE, SLAComplianceState
from cxmetrics.support._log import TicketLog
from cxmetrics.support._policy import SLAPolicy
from cxmetrics.support._sla import (
    _target_rows,
)
from cxmetrics.typing import ProportionMethod, SLADefinition, SLALevel

__all__ = [
    "COMPLIANCE",
    "GroupedSLAComplianceResult",
    "SLAComplianceResult",
    "SLAComplianceState",
    "sla_compliance",
]


class _ComplianceMethods(IntervalMethods[CI]):
    """The compliance interval, written once for the scalar and grouped result."""

    __slots__ = ()
    met: Any
    n: Any
    confidence_level: float

    def confidence_interval(
        self,
        confidence_level: float | None = None,
        *,
        method: ProportionMethod = "wilson",
    ) -> CI:
        """Interval for the compliance share (Wilson by default), of each group if grouped.

        Parameters
        ----------
        confidence_level : float, optional
            Default: the result's ``confidence_level`` (that of
            :func:`sla_compliance`, 0.95 unless given there).
        method : str, default 'wilson'
            Any method of :func:`cxmetrics.stats.proportion_interval`.

        Returns
        -------
        ConfidenceInterval or ConfidenceIntervalArray
            Arrays over the groups of a grouped result.

        Examples
        --------
        >>> lo, hi = SLAComplianceResult(0.75, 4, 3, 1, 0, "zendesk", "target").confidence_interval()
        >>> round(lo, 3), round(hi, 3)
        (0.301, 0.954)
        """
        level = self.confidence_level if confidence_level is None else confidence_level
        ci = _interval(self.met, self.n, level, method=method)
        return self._bounds(ci.low, ci.high)


@attrs.frozen(field_transformer=nan_equal_fields)
class SLAComplianceResult(DisplayMixin, _ComplianceMethods[ConfidenceInterval]):
    """SLA compliance: the share of counted targets (or tickets) that were met.

    Attributes
    ----------
    value : float
        ``met / n`` in [0, 1]; NaN when nothing is counted.
    n : int
        Targets (or tickets) counted: ``met + breached``.
    met, breached, excluded : int
        Counted as met, counted as breached, left out by the compliance policy.
    definition : str
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
    definition: SLADefinition = shared()
    level: SLALevel = shared()
    no_target: int = 0
    confidence_level: float = shared(
        default=0.95, converter=check_confidence_level, kw_only=True
    )

    def __repr__(self) -> str:
        lo, hi = self.confidence_interval()
        none = f" ({self.no_target} without target)" if self.no_target else ""
        return (
            f"SLA compliance {self.value:.4g} ({100 * self.confidence_level:g}% CI {lo:.3g} "
            f"to {hi:.3g}; n={self.n} {self.level}s, met={self.met}, breached={self.breached}, "
            f"excluded={self.excluded}{none}; {self.definition})"
        )


@grouped_result(
    SLAComplianceResult, table=("value", "n", "met", "breached", "excluded")
)
class GroupedSLAComplianceResult(
    GroupedResult[SLAComplianceResult], _ComplianceMethods[ConfidenceIntervalArray]
):
    """SLA compliance per group (columnar; see :class:`SLAComplianceResult`).

    Examples
    --------
    >>> import numpy as np
    >>> res = GroupedSLAComplianceResult(
    ...     keys=np.array(["a", "b"]), value=np.array([1.0, 0.5]), n=np.array([2, 4]),
    ...     met=np.array([2, 2]), breached=np.array([0, 2]), excluded=np.array([0, 1]),
    ...     definition="zendesk", level="target")
    >>> res["b"].value
    0.5
    >>> res.value.flags.writeable
    False
    >>> res = GroupedSLAComplianceResult(np.array([1]), np.array([0.5]), np.array([2]),
    ...     np.array([1]), np.array([1]), np.array([0]), "zendesk", "ticket")
    >>> [round(float(b[0]), 3) for b in res.confidence_interval()]
    [0.095, 0.905]
    """

    definition: SLADefinition
    level: SLALevel
    confidence_level: float


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
    definition: SLADefinition = "zendesk",
    level: SLALevel = "target",
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
    definition: SLADefinition = "zendesk",
    level: SLALevel = "target",
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
    definition: SLADefinition = "zendesk",
    level: SLALevel = "target",
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
    definition : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}, default 'zendesk'
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
    check_confidence_level(confidence_level)
    check_option("definition", definition, SLADefinition)
    check_option("level", level, SLALevel)
    check_instance("log", log, TicketLog)
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
        return state.compute(definition, confidence_level=confidence_level)
    return state.compute_grouped(definition, confidence_level=confidence_level)
