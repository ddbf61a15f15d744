"""The mergeable state of SLA compliance: counts of target (or ticket) statuses per group.

Declared on the keyed-state skeleton (:mod:`cxmetrics._core.state`): the
``level`` is a parameter, the status counts a summed field of six per group.
The results it computes live in :mod:`cxmetrics.support._compliance`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys, nan_equal_fields
from cxmetrics._core.grouped import warn_undefined
from cxmetrics._core.keys import key_family
from cxmetrics._core.state import GroupedState, group_keys, parameter, summed
from cxmetrics._core.validation import (
    check_confidence_level,
    check_instance,
    check_option,
    group_index,
)
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.support._log import TicketLog
from cxmetrics.support._sla import (
    NOT_APPLICABLE,
    TARGET_STATUSES,
    SLATargets,
    ticket_attribute,
)
from cxmetrics.typing import SLADefinition, SLALevel

if TYPE_CHECKING:
    from cxmetrics.support._compliance import (
        GroupedSLAComplianceResult,
        SLAComplianceResult,
    )

__all__ = ["COMPLIANCE", "SLAComplianceState"]

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


@attrs.frozen(eq=True, field_transformer=nan_equal_fields)
class SLAComplianceState(GroupedState):
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
        One column per status of :attr:`STATUSES`, in that order.
    level : {'target', 'ticket'}
    STATUSES : tuple of str
        The statuses counted (a class attribute).

    Examples
    --------
    >>> import numpy as np
    >>> a = SLAComplianceState(np.array(["x"]), [[3, 1, 0, 0, 0, 0]], "target")
    >>> b = SLAComplianceState(np.array(["y"]), [[1, 0, 1, 0, 0, 0]], "target")
    >>> (a + b).compute().value  # all groups: 4 met of 5 counted
    0.8
    >>> SLAComplianceState.from_dict((a + b).to_dict()) == a + b
    True
    >>> SLAComplianceState.STATUSES[:2]
    ('achieved', 'breached')
    >>> SLAComplianceState.empty("ticket").to_dict()["level"]
    'ticket'
    >>> (a + b)["y"].counts.tolist()  # the state of one group
    [[1, 0, 1, 0, 0, 0]]
    """

    STATUSES: ClassVar[tuple[str, ...]] = TARGET_STATUSES
    _mismatch = "cannot merge {cls} of {name} {a!r} and {b!r}."

    keys: NDArray[Any] = attrs.field(
        converter=frozen_keys, eq=array_eq, metadata=group_keys()
    )
    counts: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=summed(np.int64, (6,))
    )
    level: SLALevel = attrs.field(default="target", metadata=parameter())

    def __attrs_post_init__(self) -> None:
        check_option("level", self.level, SLALevel)
        super().__attrs_post_init__()

    @classmethod
    def empty(cls, level: SLALevel = "target") -> Self:
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
        return cls._empty(level=level)

    @classmethod
    def from_targets(
        cls,
        targets: SLATargets,
        *,
        by: ArrayLike | None = None,
        tickets: ArrayLike | None = None,
        log: TicketLog | None = None,
        level: SLALevel = "target",
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
        check_option("level", level, SLALevel)
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
        level: SLALevel,
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

    def _dict_extra(self) -> dict[str, Any]:
        return {
            "key_family": str(key_family(self.keys)),
            "statuses": list(TARGET_STATUSES),
        }

    @classmethod
    def _check_dict(cls, data: dict[str, Any]) -> None:
        if list(data["statuses"]) != list(TARGET_STATUSES):
            msg = f"`data` counts statuses {data['statuses']}, not {list(TARGET_STATUSES)}."
            raise InvalidInputError(msg)

    def columns(self, definition: SLADefinition) -> dict[str, NDArray[Any]]:
        """Per-group value, n, met, breached and excluded under ``definition``.

        Parameters
        ----------
        definition : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}

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
        check_option("definition", definition, SLADefinition)
        rule = np.asarray(COMPLIANCE[definition])
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
        self, definition: SLADefinition = "zendesk", *, confidence_level: float = 0.95
    ) -> SLAComplianceResult:
        """Compliance over all groups together.

        Parameters
        ----------
        definition : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}
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
        from cxmetrics.support._compliance import (  # noqa: PLC0415  (cycle)
            SLAComplianceResult,
        )

        check_option("definition", definition, SLADefinition)
        level = check_confidence_level(confidence_level)
        total = type(self)(
            np.array(["all"]), self.counts.sum(axis=0, keepdims=True), self.level
        )
        cols = total.columns(definition)
        warn_undefined("SLA compliance", cols["value"][0], stacklevel=3)
        return SLAComplianceResult(
            float(cols["value"][0]),
            int(cols["n"][0]),
            int(cols["met"][0]),
            int(cols["breached"][0]),
            int(cols["excluded"][0]),
            definition,
            self.level,
            int(cols["no_target"][0]),
            confidence_level=level,
        )

    def compute_grouped(
        self, definition: SLADefinition = "zendesk", *, confidence_level: float = 0.95
    ) -> GroupedSLAComplianceResult:
        """Compliance per group.

        Parameters
        ----------
        definition : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}
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
        from cxmetrics.support._compliance import (  # noqa: PLC0415  (cycle)
            GroupedSLAComplianceResult,
        )

        check_option("definition", definition, SLADefinition)
        level = check_confidence_level(confidence_level)
        cols = self.columns(definition)
        warn_undefined("SLA compliance", cols["value"], stacklevel=3)
        return GroupedSLAComplianceResult(
            keys=self.keys,
            **cols,
            definition=definition,
            level=self.level,
            confidence_level=level,
        )
