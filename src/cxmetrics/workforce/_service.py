r"""From forecast volumes to agents needed, and from a schedule back to service.

Both directions go through the staffing family's public API (``agents_required``
and ``queue_metrics``), so requirement and projection use one Erlang model.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    nan_equal_fields,
    optional_float,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics._core.shapes import errors_named
from cxmetrics._core.validation import check_option, parameter_array, parameter_scalar
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.staffing import (
    QueueMetricsArray,
    StaffingResultArray,
    agents_required,
    queue_metrics,
)
from cxmetrics.typing import QueueModel, ServiceLevelDefinition
from cxmetrics.workforce._schedule import ShiftSchedule

__all__ = ["ProjectedService", "projected_service", "staff_requirements"]


#: arguments the functions below derive before calling the queue models, and how
_DERIVED_TRAFFIC = {
    "traffic": "`volumes` x `aht` / `interval_length`",
    "arrival_rate": "`volumes` / `interval_length`",
}
_DERIVED_QUEUE = {
    "arrival_rate": "`volumes` / `interval_length`",
    "agents": "`scheduled` x (1 - `shrinkage`)",
}


def _volumes(volumes: ArrayLike) -> NDArray[np.float64]:
    arr = parameter_array(volumes, "volumes", low=0.0)
    if arr.ndim != 1 or arr.size == 0:
        msg = f"`volumes` must be a non-empty 1-D array (one value per interval); got shape {arr.shape}."
        raise InvalidInputError(msg)
    return arr


def staff_requirements(
    volumes: ArrayLike,
    *,
    interval_length: float,
    aht: ArrayLike,
    target_service_level: ArrayLike,
    threshold: ArrayLike,
    shrinkage: ArrayLike = 0.0,
    max_asa: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    model: QueueModel = "erlang_c",
    patience: ArrayLike | None = None,
    definition: ServiceLevelDefinition = "offered",
) -> StaffingResultArray:
    r"""Agents needed per interval from forecast contact volumes (Erlang C or A).

    Each interval's arrival rate is ``volumes / interval_length`` and
    :func:`~cxmetrics.agents_required` finds the fewest agents on the queue
    meeting every target. **Shrinkage is applied here**, before scheduling (the
    usual way): ``headcount`` is the agents to *schedule*,
    :math:`\lceil N/(1-s)\rceil`, and is what :func:`schedule_shifts` should cover.

    Parameters
    ----------
    volumes : array_like, shape (n_intervals,)
        Forecast contacts offered per interval, ``>= 0``.
    interval_length : float
        Length of an interval in the unit of ``aht`` (1800 for half hours in
        seconds), ``> 0``.
    aht, target_service_level, threshold, shrinkage, max_asa, max_occupancy, model, patience, definition
        As in :func:`~cxmetrics.agents_required` (scalars or one per interval).

    Returns
    -------
    StaffingResultArray
        One row per interval: ``agents`` on the queue, ``headcount`` to
        schedule, and the service the requirement achieves.

    Raises
    ------
    InvalidInputError
        Negative or missing volumes, a non-positive interval length, or any
        error of :func:`~cxmetrics.agents_required`.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> r = cx.staff_requirements([50, 100, 200], interval_length=1800, aht=180,
    ...                           target_service_level=0.8, threshold=20, shrinkage=0.3)
    >>> r.agents.tolist(), r.headcount.tolist()
    ([8, 14, 24], [12, 20, 35])
    """
    check_option("model", model, QueueModel)
    check_option("definition", definition, ServiceLevelDefinition)
    length = parameter_scalar(
        interval_length, "interval_length", low=0.0, low_inclusive=False
    )
    vol = _volumes(volumes)
    # the traffic is derived here: errors about it name the arguments it comes from
    with errors_named({}, derived=_DERIVED_TRAFFIC):
        return agents_required(
            arrival_rate=vol / length,
            aht=aht,
            target_service_level=target_service_level,
            threshold=threshold,
            shrinkage=shrinkage,
            max_asa=max_asa,
            max_occupancy=max_occupancy,
            model=model,
            patience=patience,
            definition=definition,
        )


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class ProjectedService(DisplayMixin):
    r"""The service a schedule gives: per interval and for the whole horizon.

    Attributes
    ----------
    intervals : QueueMetricsArray
        The queue model per interval at the agents on the queue.
    scheduled : ndarray of int
        Agents scheduled per interval.
    on_queue : ndarray of int
        Agents available after shrinkage, :math:`\lfloor S(1-s)\rfloor`.
    volumes : ndarray of float
        Contacts offered per interval.
    required : ndarray of float or None
        The requirement scheduled against, when known.
    surplus : ndarray of float or None
        ``scheduled - required`` (negative: deficit).
    service_level : float
        Volume-weighted service level over the horizon, in [0, 1].
    asa : float
        Average speed of answer over answered contacts (``inf`` if any interval
        with contacts is unstable in Erlang C).
    abandon_probability : float
        Share of offered contacts abandoning, in [0, 1].
    occupancy : float
        Busy agent time over available agent time, in [0, 1].
    offered : float
        Contacts offered over the horizon.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> p = cx.projected_service([14, 14], [100, 100], interval_length=1800,
    ...                          aht=180, threshold=20)
    >>> round(p.service_level, 4), round(p.occupancy, 4)
    (0.8884, 0.7143)
    """

    intervals: QueueMetricsArray
    scheduled: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    on_queue: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    volumes: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    required: NDArray[np.float64] | None = attrs.field(
        converter=optional_float, eq=array_eq
    )
    surplus: NDArray[np.float64] | None = attrs.field(
        converter=optional_float, eq=array_eq
    )
    service_level: float
    asa: float
    abandon_probability: float
    occupancy: float
    offered: float

    @property
    def value(self) -> float:
        """The horizon's service level (the headline number)."""
        return self.service_level

    @property
    def n(self) -> int:
        """Number of intervals."""
        return int(self.scheduled.size)

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """One row per interval: volumes, required, scheduled, surplus, on queue and the model."""
        out: dict[str, NDArray[Any]] = {
            "interval": np.arange(self.n),
            "volume": np.asarray(self.volumes),
        }
        if self.required is not None and self.surplus is not None:
            out["required"] = np.asarray(self.required)
            out["surplus"] = np.asarray(self.surplus)
        out["scheduled"] = np.asarray(self.scheduled)
        out["on_queue"] = np.asarray(self.on_queue)
        for name in ("service_level", "asa", "abandon_probability", "occupancy"):
            out[name] = np.asarray(getattr(self.intervals, name)).ravel()
        return out

    def to_pandas(self) -> Any:
        """The interval table as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __repr__(self) -> str:
        deficit = (
            ""
            if self.surplus is None
            else f", {int((self.surplus < 0).sum())} interval(s) short"
        )
        return (
            f"ProjectedService({self.n} intervals, {self.offered:g} contacts: service "
            f"level {self.service_level:.3f}, ASA {self.asa:.4g}, abandon "
            f"{self.abandon_probability:.3f}, occupancy {self.occupancy:.3f}{deficit})"
        )


def _weighted(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    total = float(weights.sum())
    if total == 0.0:
        return math.nan
    used = weights > 0
    return float((values[used] * weights[used]).sum() / total)


def projected_service(
    scheduled: ShiftSchedule | ArrayLike,
    volumes: ArrayLike,
    *,
    interval_length: float,
    aht: ArrayLike,
    threshold: ArrayLike,
    shrinkage: float = 0.0,
    model: QueueModel = "erlang_c",
    patience: ArrayLike | None = None,
    definition: ServiceLevelDefinition = "offered",
    short_abandon: ArrayLike = 0.0,
    required: ArrayLike | None = None,
) -> ProjectedService:
    r"""Service level, ASA, abandonment and occupancy a schedule will give.

    The agents on the queue in each interval, :math:`N_i = \lfloor S_i(1-s)\rfloor`
    (scheduled :math:`S_i`, shrinkage :math:`s`), go through
    :func:`~cxmetrics.queue_metrics` with the interval's arrival rate
    ``volumes / interval_length``.

    Parameters
    ----------
    scheduled : ShiftSchedule or array_like of int
        A schedule (its ``scheduled`` agents and ``required``) or the agents
        scheduled per interval.
    volumes : array_like
        Contacts offered per interval (forecast or actual), ``>= 0``.
    interval_length : float
        Interval length in the unit of ``aht``, ``> 0``.
    aht, threshold, model, patience, definition, short_abandon
        As in :func:`~cxmetrics.queue_metrics`.
    shrinkage : float, default 0
        Share of scheduled time not on the queue, in [0, 1); use the value the
        requirement was computed with.
    required : array_like, optional
        The requirement (default: the schedule's), for the surplus per interval.

    Returns
    -------
    ProjectedService
        Per interval (``intervals``, a :class:`~cxmetrics.QueueMetricsArray`;
        ``surplus``) and for the horizon (``service_level`` and
        ``abandon_probability`` weighted by offered contacts, ``asa`` by answered
        contacts, ``occupancy`` by available agents).

    Raises
    ------
    InvalidInputError
        Lengths that differ, negative or fractional agents, negative volumes, a
        shrinkage outside [0, 1), or any error of :func:`~cxmetrics.queue_metrics`.

    Warns
    -----
    UndefinedMetricWarning
        No contacts offered: the horizon's service level is NaN.

    Notes
    -----
    Horizon totals, with :math:`v_i` contacts offered, :math:`P_i` the
    abandonment probability: service level :math:`\sum v_i SL_i / \sum v_i`
    (for ``definition='answered'`` weighted by answered contacts
    :math:`v_i(1-P_i)`; for ``'excluding_short_abandons'`` by offered contacts,
    an approximation of the pooled ratio); ASA
    :math:`\sum v_i(1-P_i)\mathrm{ASA}_i / \sum v_i(1-P_i)`; abandonment
    :math:`\sum v_i P_i / \sum v_i`; occupancy
    :math:`\sum \mathrm{occ}_i N_i / \sum N_i`.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> req = cx.staff_requirements([50, 100, 200], interval_length=1800, aht=180,
    ...                             target_service_level=0.8, threshold=20)
    >>> p = cx.projected_service(req.agents, [50, 100, 200], interval_length=1800,
    ...                          aht=180, threshold=20)
    >>> p.intervals.service_level.round(3).tolist(), round(p.service_level, 3)
    ([0.88, 0.888, 0.809], 0.842)
    """
    check_option("model", model, QueueModel)
    check_option("definition", definition, ServiceLevelDefinition)
    length = parameter_scalar(
        interval_length, "interval_length", low=0.0, low_inclusive=False
    )
    shr = parameter_scalar(
        shrinkage, "shrinkage", low=0.0, high=1.0, high_inclusive=False
    )
    req_in: ArrayLike | None = required
    if isinstance(scheduled, ShiftSchedule):
        sched = np.asarray(scheduled.scheduled, dtype=np.float64)
        if req_in is None:
            req_in = scheduled.required
    else:
        sched = parameter_array(scheduled, "scheduled", low=0.0, whole=True)
    vol = _volumes(volumes)
    if sched.ndim != 1 or sched.size != vol.size:
        msg = f"`scheduled` must hold one value per interval of `volumes` ({vol.size}); got shape {sched.shape}."
        raise InvalidInputError(msg)
    req = None
    if req_in is not None:
        req = parameter_array(req_in, "required", low=0.0)
        if req.shape != vol.shape:
            msg = f"`required` must hold one value per interval ({vol.size}); got shape {req.shape}."
            raise InvalidInputError(msg)
    on_queue = np.floor(sched * (1.0 - shr) + 1e-9)
    # the arrival rate and the agents are derived here: errors name their sources
    with errors_named({}, derived=_DERIVED_QUEUE):
        m = queue_metrics(
            arrival_rate=vol / length,
            agents=on_queue,
            aht=aht,
            threshold=threshold,
            model=model,
            patience=patience,
            definition=definition,
            short_abandon=short_abandon,
        )
    answered = vol * (1.0 - m.abandon_probability)
    sl_weights = answered if definition == "answered" else vol
    offered = float(vol.sum())
    if offered == 0.0:
        warnings.warn(
            "the projected service level is undefined with no contacts offered; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    occ = np.where(on_queue > 0, m.occupancy, 0.0)
    return ProjectedService(
        intervals=m,
        scheduled=sched.astype(np.int64),
        on_queue=on_queue.astype(np.int64),
        volumes=vol,
        required=req,
        surplus=None if req is None else sched - req,
        service_level=_weighted(m.service_level, sl_weights),
        asa=_weighted(m.asa, answered),
        abandon_probability=_weighted(m.abandon_probability, vol),
        occupancy=float((occ * on_queue).sum() / on_queue.sum())
        if on_queue.sum()
        else math.nan,
        offered=offered,
    )
