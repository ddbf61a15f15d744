r"""The smallest number of agents meeting service targets: ``agents_required``."""

from __future__ import annotations

from typing import Any, ClassVar, overload

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
from cxmetrics._core.options import check_option
from cxmetrics._core.validation import parameter_array
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.staffing._erlang import MAX_AGENTS, check_staffing_limits
from cxmetrics.staffing._model import queue_inputs
from cxmetrics.staffing._search import (
    _CONSTRAINTS,
    RTOL,
    _Answer,
    _bisect_erlang_c,
    _scan_erlang_c,
    _search,
    _Targets,
    meets,
)
from cxmetrics.staffing._table import ArrayResultMixin, is_scalar
from cxmetrics.typing import QueueModel, ServiceLevelDefinition

__all__ = ["RTOL", "StaffingResult", "StaffingResultArray", "agents_required", "meets"]

Float = NDArray[np.float64]
Bool = NDArray[np.bool_]

_LABELS = np.asarray(
    [
        "+".join(n for bit, n in enumerate(_CONSTRAINTS) if c >> bit & 1)
        for c in range(8)
    ]
    + ["stability"] * 8
    + ["none"]
)


def _binding_labels(codes: NDArray[np.int64]) -> NDArray[np.str_]:
    """Names of the binding targets joined by '+'; 'stability' or 'none'."""
    return _LABELS[codes]


@attrs.frozen(field_transformer=nan_equal_fields)
class StaffingResult(DisplayMixin):
    r"""Agents needed for one interval or queue, and what they achieve.

    Attributes
    ----------
    traffic : float
        Offered load in Erlangs.
    agents : int
        The smallest number of agents on the queue meeting every target.
    headcount : int
        Agents to schedule after shrinkage: the smallest integer :math:`H` with
        :math:`H(1 - s) \ge N`, i.e. :math:`\lceil N/(1-s)\rceil` (see
        :func:`agents_required` for the rounding rule).
    service_level, wait_probability, asa, mean_wait, abandon_probability, occupancy : float
        The model at ``agents`` (as in :class:`QueueMetrics`).
    binding : str
        The targets that ``agents - 1`` fails: ``'service_level'``, ``'asa'``,
        ``'occupancy'`` joined by ``'+'``; ``'stability'`` when ``agents - 1``
        agents cannot serve the traffic at all (Erlang C with
        :math:`N - 1 \le A`); ``'none'`` when ``agents`` is 0.
    shrinkage : float
        The share of paid time agents are unavailable.
    model, definition : str
        Queueing model and service-level definition.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> r = cx.agents_required(10.0, aht=180, target_service_level=0.8, threshold=20)
    >>> r.agents, r.binding, round(r.service_level, 4)
    (14, 'service_level', 0.8884)
    """

    traffic: float
    agents: int
    headcount: int
    service_level: float
    wait_probability: float
    asa: float
    mean_wait: float
    abandon_probability: float
    occupancy: float
    binding: str
    shrinkage: float
    model: str
    definition: str

    def __str__(self) -> str:
        return (
            f"{self.agents} agents ({self.headcount} scheduled at "
            f"{self.shrinkage:.0%} shrinkage) for {self.traffic:g} Erlangs: service "
            f"level {self.service_level:.3f}, ASA {self.asa:.4g}, occupancy "
            f"{self.occupancy:.3f}; binding: {self.binding}"
        )


_COLUMNS = (
    "traffic",
    "agents",
    "headcount",
    "service_level",
    "wait_probability",
    "asa",
    "mean_wait",
    "abandon_probability",
    "occupancy",
    "binding",
    "shrinkage",
)


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class StaffingResultArray(ArrayResultMixin):
    """:class:`StaffingResult` for many intervals or queues: fields as arrays.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> r = cx.agents_required(
    ...     arrival_rate=[50 / 1800, 100 / 1800, 200 / 1800],
    ...     aht=180, target_service_level=0.8, threshold=20, shrinkage=0.3)
    >>> r.agents.tolist(), r.headcount.tolist()
    ([8, 14, 24], [12, 20, 35])
    """

    traffic: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    agents: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    headcount: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    service_level: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    wait_probability: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    asa: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    mean_wait: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    abandon_probability: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    occupancy: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    binding: NDArray[np.str_] = attrs.field(converter=frozen_keys, eq=array_eq)
    shrinkage: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    model: str
    definition: str

    _scalar_result: ClassVar[type] = StaffingResult
    _columns: ClassVar[tuple[str, ...]] = _COLUMNS
    _shared: ClassVar[tuple[str, ...]] = ("model", "definition")
    _table: ClassVar[tuple[str, ...]] = (
        "traffic",
        "agents",
        "headcount",
        "service_level",
        "asa",
        "occupancy",
        "binding",
    )


@overload
def agents_required(
    traffic: float | None = ...,
    *,
    aht: float,
    target_service_level: float,
    threshold: float,
    arrival_rate: float | None = ...,
    max_asa: float | None = ...,
    max_occupancy: float | None = ...,
    shrinkage: float = ...,
    model: QueueModel = ...,
    patience: float | None = ...,
    definition: ServiceLevelDefinition = ...,
    short_abandon: float = ...,
) -> StaffingResult: ...
@overload
def agents_required(
    traffic: ArrayLike | None = ...,
    *,
    aht: ArrayLike,
    target_service_level: ArrayLike,
    threshold: ArrayLike,
    arrival_rate: ArrayLike | None = ...,
    max_asa: ArrayLike | None = ...,
    max_occupancy: ArrayLike | None = ...,
    shrinkage: ArrayLike = ...,
    model: QueueModel = ...,
    patience: ArrayLike | None = ...,
    definition: ServiceLevelDefinition = ...,
    short_abandon: ArrayLike = ...,
) -> StaffingResultArray: ...
def agents_required(
    traffic: ArrayLike | None = None,
    *,
    aht: ArrayLike,
    target_service_level: ArrayLike,
    threshold: ArrayLike,
    arrival_rate: ArrayLike | None = None,
    max_asa: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    shrinkage: ArrayLike = 0.0,
    model: QueueModel = "erlang_c",
    patience: ArrayLike | None = None,
    definition: ServiceLevelDefinition = "offered",
    short_abandon: ArrayLike = 0.0,
) -> StaffingResult | StaffingResultArray:
    r"""The smallest number of agents that meets every service target.

    Vectorised: every numeric argument may be an array, and all broadcast together
    (one row per interval and queue).

    Parameters
    ----------
    traffic : float or array_like, optional
        Offered load in Erlangs; or give ``arrival_rate``.
    aht : float or array_like
        Average handle time ``> 0``; its unit is the unit of ``threshold``,
        ``max_asa``, ``patience`` and ``short_abandon``.
    target_service_level : float or array_like
        Required service level, in (0, 1] (e.g. 0.8 for "80/20").
    threshold : float or array_like
        The service-level threshold :math:`T` (e.g. 20 seconds), ``>= 0``.
    arrival_rate : float or array_like, optional
        Contacts per unit of time; traffic is ``arrival_rate * aht``.
    max_asa : float or array_like, optional
        An upper bound on the average speed of answer (answered contacts).
    max_occupancy : float or array_like, optional
        An upper bound on agent occupancy, in (0, 1].
    shrinkage : float or array_like, default 0
        Share of paid time agents are unavailable (breaks, training), in [0, 1).
    model : {'erlang_c', 'erlang_a'}, default 'erlang_c'
        Queueing model; Erlang A needs ``patience``.
    patience : float or array_like, optional
        Mean patience before abandoning (Erlang A), ``> 0``.
    definition : {'offered', 'answered', 'excluding_short_abandons', 'abandons_met'}, default 'offered'
        Service-level definition (see :func:`queue_metrics`).
    short_abandon : float or array_like, default 0
        Short-abandon threshold for ``'excluding_short_abandons'``.

    Returns
    -------
    StaffingResult or StaffingResultArray
        ``agents`` (on the queue), ``headcount`` (scheduled, after shrinkage), the
        achieved metrics, and ``binding``, the targets one agent fewer would miss.

    Raises
    ------
    InvalidInputError
        Out-of-range inputs (as :func:`queue_metrics`), a target outside (0, 1],
        a maximum occupancy outside (0, 1], a shrinkage outside [0, 1). Limits
        checked before the search: traffic at most ``MAX_TRAFFIC`` (200,000
        Erlangs), traffic / ``max_occupancy`` at most ``MAX_AGENTS`` (1,000,000),
        and for Erlang A traffic x patience / aht at most 1e7; a search that
        passes ``MAX_AGENTS`` agents stops with this error.
    MissingValueError
        NaN in any input.

    See Also
    --------
    queue_metrics : the metrics at a given number of agents.

    Notes
    -----
    **Search.** Erlang C brackets each row's answer between :math:`\lfloor A
    \rfloor` (unstable, so failing) and a square-root staffing with room,
    :math:`\lfloor A\rfloor + 4 + \lceil 3\sqrt{A}\rceil` (at least two above
    :math:`A/\text{max occupancy}`), runs the Erlang B recursion (16 agents at a
    time, as :func:`erlang_b` does) once up to it on all rows, storing its values
    from :math:`\lfloor A\rfloor + 1` up, and bisects on them (every target is
    monotone in the agents of a stable queue): the first stable :math:`n > A` meeting every
    target, which is therefore the minimum. Rows whose bracket does not reach the
    answer (very strict targets) run the recursion :math:`n = 1, 2, \dots` and
    stop at the first :math:`n` meeting every target. Both give the values
    :func:`queue_metrics` gives at the answer, bit for bit.
    Erlang A starts at :math:`N = 0` (with
    abandonment a queue with fewer agents than Erlangs is stable, and under
    ``'abandons_met'`` even zero agents may "meet" a target), gallops upward to a
    meeting staffing, then bisects; the answer always meets every target while
    one agent fewer does not (the service level rises with :math:`N`).

    **Comparisons** use a relative tolerance of :math:`10^{-12}`: a target is met
    when :math:`SL \ge t(1 - 10^{-12})`, :math:`\mathrm{ASA} \le a(1 + 10^{-12})`,
    occupancy :math:`\le o(1 + 10^{-12})`. Decimal inputs are inexact in binary:
    2.1 Erlangs at 70% maximum occupancy need 3 agents, although
    ``2.1 / 3 > 0.7`` in floating point.

    **Rounding of the headcount:** the smallest integer :math:`H` with
    :math:`H(1 - s) \ge N(1 - 10^{-12})`, that is :math:`\lceil N/(1-s)\rceil`
    without the floating-point excess (21 agents at 30% shrinkage give 30, where
    ``math.ceil(21 / (1 - 0.3))`` gives 31).

    **Zero traffic** needs no agents: ``agents = 0``, service level 1, ASA 0,
    occupancy 0, binding ``'none'``.

    Examples
    --------
    The classic example (100 calls per half hour, AHT 180 s, 80% within 20 s):

    >>> import cxmetrics as cx
    >>> r = cx.agents_required(arrival_rate=100 / 1800, aht=180,
    ...                        target_service_level=0.8, threshold=20, shrinkage=0.3)
    >>> r.agents, r.headcount, round(r.service_level, 4), round(r.occupancy, 4)
    (14, 20, 0.8884, 0.7143)

    An occupancy cap can be the binding target:

    >>> cx.agents_required(10.0, aht=180, target_service_level=0.8, threshold=20,
    ...                    max_occupancy=0.65).binding
    'occupancy'

    With abandonment (mean patience 60 s) fewer agents than Erlangs can suffice:

    >>> r = cx.agents_required(10.0, aht=180, target_service_level=0.5, threshold=20,
    ...                        model="erlang_a", patience=60)
    >>> r.agents, round(r.abandon_probability, 3)
    (8, 0.278)
    """
    check_option("model", model, QueueModel)
    check_option("definition", definition, ServiceLevelDefinition)
    scalar = is_scalar(
        traffic,
        aht,
        target_service_level,
        threshold,
        arrival_rate,
        max_asa,
        max_occupancy,
        shrinkage,
        patience,
        short_abandon,
    )
    tgt = parameter_array(
        target_service_level,
        "target_service_level",
        low=0.0,
        high=1.0,
        low_inclusive=False,
    )
    masa = (
        np.array(np.inf)
        if max_asa is None
        else parameter_array(
            max_asa, "max_asa", low=0.0, low_inclusive=False, allow_inf=True
        )
    )
    mocc = (
        np.array(1.0)
        if max_occupancy is None
        else parameter_array(
            max_occupancy, "max_occupancy", low=0.0, high=1.0, low_inclusive=False
        )
    )
    shr = parameter_array(
        shrinkage, "shrinkage", low=0.0, high=1.0, high_inclusive=False
    )
    inputs = queue_inputs(
        model,
        definition,
        traffic,
        arrival_rate,
        aht,
        threshold,
        patience,
        short_abandon,
        {
            "target_service_level": tgt,
            "max_asa": masa,
            "max_occupancy": mocc,
            "shrinkage": shr,
        },
    )
    tg_flat, masa_flat, mocc_flat, shr_flat = inputs.extra
    check_staffing_limits(traffic=inputs.traffic)
    with np.errstate(divide="ignore", over="ignore"):
        floor_agents = inputs.traffic / mocc_flat  # occupancy A/N <= max_occupancy
    if (floor_agents > MAX_AGENTS).any():
        i = int(np.argmax(floor_agents > MAX_AGENTS))
        msg = (
            f"`max_occupancy` {float(mocc_flat[i])!r} with traffic "
            f"{float(inputs.traffic[i])!r} needs more than {MAX_AGENTS} agents "
            f"(traffic / max_occupancy) at index {i}, the documented limit of the "
            "Erlang models; raise `max_occupancy` or split the queue."
        )
        raise InvalidInputError(msg)
    targets = _Targets(tg_flat, masa_flat, mocc_flat)
    size = inputs.traffic.shape[0]
    answer = _Answer(size)
    # zero traffic: no agents, nothing waits
    answer.parts.service_level[:] = 1.0
    rows = np.flatnonzero(inputs.traffic > 0)
    if rows.size:
        if model == "erlang_c":
            rest = _bisect_erlang_c(inputs, targets, rows, answer)
            if rest.size:
                _scan_erlang_c(inputs, targets, rest, answer)
        else:
            _search(model, definition, inputs, targets, rows, answer)
    with np.errstate(divide="ignore", invalid="ignore"):
        head = np.ceil(answer.agents / (1.0 - shr_flat) * (1.0 - RTOL))
    cols: dict[str, Any] = {
        "traffic": inputs.traffic,
        "agents": answer.agents,
        "headcount": head.astype(np.int64),
        "service_level": answer.parts.service_level,
        "wait_probability": answer.parts.wait,
        "asa": answer.parts.asa,
        "mean_wait": answer.parts.mean_wait,
        "abandon_probability": answer.parts.abandon,
        "occupancy": answer.parts.occupancy,
        "binding": _binding_labels(answer.binding),
        "shrinkage": shr_flat,
    }
    if scalar:
        return StaffingResult(
            traffic=float(cols["traffic"][0]),
            agents=int(cols["agents"][0]),
            headcount=int(cols["headcount"][0]),
            service_level=float(cols["service_level"][0]),
            wait_probability=float(cols["wait_probability"][0]),
            asa=float(cols["asa"][0]),
            mean_wait=float(cols["mean_wait"][0]),
            abandon_probability=float(cols["abandon_probability"][0]),
            occupancy=float(cols["occupancy"][0]),
            binding=str(cols["binding"][0]),
            shrinkage=float(cols["shrinkage"][0]),
            model=model,
            definition=definition,
        )
    return StaffingResultArray(
        **{k: np.reshape(v, inputs.shape) for k, v in cols.items()},
        model=model,
        definition=definition,
    )
