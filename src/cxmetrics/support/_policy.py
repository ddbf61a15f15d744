"""SLA policies: targets per key (priority) and metric, hours, pausing statuses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import attrs
import numpy as np

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.support._calendar import BusinessCalendar
from cxmetrics.support._log import _ALIASES, STATUSES, UNSOLVED

__all__ = ["METRICS", "WILDCARD", "SLAPolicy"]

#: the SLA metrics, in the order rows and columns are reported
METRICS = ("first_reply", "next_reply", "periodic_update", "resolution")
#: the key of ``targets`` that gives the default targets of unlisted keys
WILDCARD = "*"
#: at most this many missing keys are named in an error
_SHOW_KEYS = 5


def _metric(name: object, where: str) -> str:
    if name not in METRICS:
        msg = f"{where} must name SLA metrics {METRICS}; got {name!r}."
        raise InvalidInputError(msg)
    return str(name)


def _seconds(value: object, where: str) -> float:
    """A positive target in seconds (numbers are seconds; timedeltas converted)."""
    if isinstance(value, timedelta):
        sec = value.total_seconds()
    elif isinstance(value, np.timedelta64):
        sec = int(value.astype("timedelta64[ns]").astype(np.int64)) / 1e9
    elif isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool
    ):
        sec = float(value)
    else:
        msg = f"{where} must be seconds (a number) or a timedelta; got {value!r}."
        raise InvalidInputTypeError(msg)
    if not 0 < sec <= 9e9:  # also refuses NaN
        msg = (
            f"{where} must be positive and finite (at most 9e9 seconds); got {value!r}."
        )
        raise InvalidInputError(msg)
    return sec


def _per_metric(value: object, where: str) -> dict[str, float]:
    if not isinstance(value, Mapping):
        msg = f"{where} must map metrics to seconds; got {value!r}."
        raise InvalidInputTypeError(msg)
    return {
        _metric(m, where): _seconds(s, f"{where[:-1]}[{m!r}]`")
        for m, s in value.items()
    }


def _targets(value: object) -> dict[Any, dict[str, float]]:
    if not isinstance(value, Mapping):
        msg = "`targets` must map each key (e.g. priority) to {metric: seconds}, e.g. {'urgent': {'first_reply': 3600}}."
        raise InvalidInputTypeError(msg)
    out: dict[Any, dict[str, float]] = {}
    for key, per_metric in value.items():
        out[key] = _per_metric(per_metric, f"`targets[{key!r}]`")
    keys = [k for k in out if k != WILDCARD]  # '*' is the default, not a key
    kinds = {type(k).__name__ for k in keys}
    if len({"str" if isinstance(k, str) else "number" for k in keys}) > 1:
        msg = f"`targets` keys must be of one kind (all strings or all numbers); got {sorted(kinds)}."
        raise InvalidInputTypeError(msg)
    return out


def _default(value: object) -> dict[str, float] | None:
    return None if value is None else _per_metric(value, "`default`")


def _hours(value: object) -> dict[str, str]:
    if isinstance(value, str):
        value = dict.fromkeys(METRICS, value)
    if not isinstance(value, Mapping):
        msg = f"`hours` must be 'business', 'calendar' or a mapping of metric to one of them; got {value!r}."
        raise InvalidInputTypeError(msg)
    out = dict.fromkeys(METRICS, "business")
    for m, h in value.items():
        if h not in {"business", "calendar"}:
            msg = f"`hours[{m!r}]` must be 'business' or 'calendar'; got {h!r}."
            raise InvalidInputError(msg)
        out[_metric(m, "`hours`")] = h
    return out


def _pause(value: object) -> dict[str, frozenset[str]]:
    if not isinstance(value, Mapping):
        msg = f"`pause` must map metrics to statuses, e.g. {{'resolution': ('pending', 'hold')}}; got {value!r}."
        raise InvalidInputTypeError(msg)
    out = {m: frozenset[str]() for m in METRICS}
    for m, statuses in value.items():
        if isinstance(statuses, str) or not isinstance(statuses, Iterable):
            msg = f"`pause[{m!r}]` must be a list of statuses; got {statuses!r}."
            raise InvalidInputTypeError(msg)
        names = set()
        for s in statuses:
            key = _ALIASES.get(str(s).lower(), str(s).lower())
            if key not in UNSOLVED:
                msg = f"`pause[{m!r}]` must hold unsolved statuses {sorted(UNSOLVED)}; got {s!r} (solved and closed always stop the clocks)."
                raise InvalidInputError(msg)
            names.add(key)
        out[_metric(m, "`pause`")] = frozenset(names)
    return out


def _check_calendar(value: object) -> None:
    if not isinstance(value, BusinessCalendar):
        msg = f"`calendar` must be a BusinessCalendar; got {type(value).__name__}."
        raise InvalidInputTypeError(msg)


@attrs.frozen(field_transformer=nan_equal_fields)
class SLAPolicy:
    """Service-level targets per key (priority, tier, ...) and metric.

    Parameters
    ----------
    targets : mapping
        ``{key: {metric: seconds}}``; metrics are ``'first_reply'``,
        ``'next_reply'``, ``'periodic_update'`` and ``'resolution'``; seconds
        may be numbers or time deltas (``datetime.timedelta``, pandas
        ``Timedelta``, ``numpy.timedelta64``). A metric missing for a key has
        no target there (its rows are 'not_applicable'). The key ``'*'`` gives
        the default targets of keys not listed (the same as ``default``). May
        be empty: a policy of clocks only, for per-ticket due dates or targets
        (see :func:`sla_targets`).
    calendar : BusinessCalendar, default Monday-Friday 09:00-17:00 UTC
        The business hours of business-hours targets.
    hours : {'business', 'calendar'} or mapping of metric to it, default 'business'
        Whether a metric's clock counts business hours of ``calendar`` or all
        hours (a 24x7 calendar in the same zone).
    pause : mapping of metric to statuses, default ``{'resolution': ('pending', 'hold')}``
        Unsolved statuses that stop a metric's clock. Solved and closed stop
        every clock (a solved ticket awaits nothing); other metrics run in every
        unsolved status unless listed.
    default : mapping, optional
        ``{metric: seconds}``: the targets of every key not in ``targets``
        (ticket types a policy does not list). Without it (and without a
        ``'*'`` key) a ticket whose key is not in ``targets`` is an error that
        names the first few missing keys and their count.

    Notes
    -----
    The metrics follow Zendesk's SLA metric definitions [1]_: first reply time
    (creation to the first public agent comment), next reply time (from the
    first requester comment after an agent comment to the next agent comment),
    periodic update (from each public agent comment to the next one) and
    resolution (creation to the final solve, with the statuses in ``pause``
    not counted, as Zendesk's requester wait time skips pending and agent work
    time skips pending and on-hold).

    References
    ----------
    .. [1] Zendesk, "Defining and using SLA policies" and "About native Support
       time duration metrics", support.zendesk.com.

    Examples
    --------
    >>> policy = SLAPolicy(
    ...     {"urgent": {"first_reply": 3600, "resolution": 4 * 3600},
    ...      "normal": {"first_reply": 8 * 3600}},
    ...     hours={"first_reply": "calendar", "resolution": "business"},
    ... )
    >>> policy.targets["urgent"]["resolution"]
    14400.0
    >>> policy.target_ns("normal", "resolution") is None
    True

    A default for keys the policy does not list (``'*'`` works the same):

    >>> from datetime import timedelta
    >>> p = SLAPolicy({"urgent": {"resolution": 3600}}, default={"resolution": timedelta(hours=8)})
    >>> p.target_ns("noise complaint", "resolution") / 3.6e12
    8.0
    >>> SLAPolicy({"urgent": {"resolution": 3600}, "*": {"resolution": 7200}}).default
    {'resolution': 7200.0}
    """

    targets: dict[Any, dict[str, float]] = attrs.field(converter=_targets)
    calendar: BusinessCalendar = attrs.field(
        factory=BusinessCalendar,
        validator=lambda _, __, value: _check_calendar(value),
    )
    hours: dict[str, str] = attrs.field(default="business", converter=_hours)
    pause: dict[str, frozenset[str]] = attrs.field(
        factory=lambda: {"resolution": ("pending", "hold")}, converter=_pause
    )
    default: dict[str, float] | None = attrs.field(
        default=None, converter=_default, kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if WILDCARD in self.targets:
            if self.default is not None:
                msg = "give the default targets once: as `default` or as `targets['*']`, not both."
                raise InvalidInputError(msg)
            targets = dict(self.targets)
            object.__setattr__(self, "default", targets.pop(WILDCARD))
            object.__setattr__(self, "targets", targets)

    def has_key(self, key: object) -> bool:
        """Whether ``key`` has targets: it is listed, or the policy has a default.

        Parameters
        ----------
        key : object

        Returns
        -------
        bool

        Examples
        --------
        >>> SLAPolicy({"p1": {"resolution": 60}}).has_key("p2")
        False
        >>> SLAPolicy({"p1": {"resolution": 60}}, default={}).has_key("p2")
        True
        """
        return self.default is not None or key in self.targets

    def target_ns(self, key: object, metric: str) -> int | None:
        """The target of ``metric`` for ``key`` in nanoseconds (None: no target).

        Parameters
        ----------
        key : object
            A key of ``targets`` (any key when the policy has a default).
        metric : str
            One of ``'first_reply'``, ``'next_reply'``, ``'periodic_update'``,
            ``'resolution'``.

        Returns
        -------
        int or None

        Examples
        --------
        >>> SLAPolicy({"p1": {"first_reply": 90}}).target_ns("p1", "first_reply")
        90000000000
        """
        metric = _metric(metric, "`metric`")
        per_metric = self.targets.get(key, self.default)
        if per_metric is None:
            msg = f"`key` {key!r} has no targets in the policy and the policy has no default; its keys are {sorted(map(repr, self.targets))[:_SHOW_KEYS]}."
            raise InvalidInputError(msg)
        sec = per_metric.get(metric)
        return None if sec is None else round(sec * 1e9)

    def clock_calendar(self, metric: str) -> BusinessCalendar:
        """The calendar the clock of ``metric`` counts in.

        Parameters
        ----------
        metric : str

        Returns
        -------
        BusinessCalendar
            ``calendar`` for business-hours metrics, a 24x7 calendar otherwise.

        Examples
        --------
        >>> policy = SLAPolicy({1: {"resolution": 60}}, hours="calendar")
        >>> policy.clock_calendar("resolution") == BusinessCalendar.always("UTC")
        True
        """
        if self.hours[metric] == "business":
            return self.calendar
        return BusinessCalendar.always(self.calendar.zone)

    def running_mask(self, metric: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Over the 6 status codes: does the clock of ``metric`` run there.

        Parameters
        ----------
        metric : str

        Returns
        -------
        ndarray of bool, shape (6,)

        Examples
        --------
        >>> SLAPolicy({1: {"resolution": 60}}).running_mask("resolution").tolist()
        [True, True, False, False, False, False]
        """
        paused = self.pause[metric]
        return np.array([s in UNSOLVED and s not in paused for s in STATUSES])
