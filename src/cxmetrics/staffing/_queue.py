r"""Queue performance at a given staffing: ``queue_metrics`` and its results."""

from __future__ import annotations

from typing import Any, ClassVar, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float, frozen_int, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.options import check_option
from cxmetrics._core.validation import parameter_array
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.staffing._erlang import check_staffing_limits
from cxmetrics.staffing._model import evaluate, queue_inputs
from cxmetrics.staffing._table import ArrayResultMixin, is_scalar
from cxmetrics.typing import QueueModel, ServiceLevelDefinition

__all__ = ["QueueMetrics", "QueueMetricsArray", "queue_metrics"]


@attrs.frozen(field_transformer=nan_equal_fields)
class QueueMetrics(DisplayMixin):
    r"""Performance of a queue with a given number of agents (model values, not data).

    Attributes
    ----------
    traffic : float
        Offered load :math:`A` in Erlangs.
    agents : int
        Agents on the queue :math:`N`.
    wait_probability : float
        :math:`P(W > 0)`, in [0, 1] (Erlang C's :math:`C`).
    service_level : float
        The share of contacts meeting the threshold under ``definition``, in [0, 1].
    asa : float
        Average speed of answer: mean wait of *answered* contacts, in the unit of
        the AHT; ``inf`` for an unstable Erlang C queue, NaN with no agents in
        Erlang A.
    mean_wait : float
        Mean wait over *all* offered contacts (answered ones until answer,
        abandoned ones until they hang up); equals ``asa`` in Erlang C.
    abandon_probability : float
        :math:`P(\text{abandon})`, in [0, 1]; 0 in Erlang C.
    occupancy : float
        Share of agent time spent handling contacts, in [0, 1]: :math:`A/N` in a
        stable Erlang C queue, 1 when unstable, :math:`A(1-P(\mathrm{Ab}))/N` in
        Erlang A; NaN with no agents.
    threshold, aht, patience : float
        The inputs (``patience`` is ``inf`` in Erlang C).
    model : {'erlang_c', 'erlang_a'}
        The queueing model.
    definition : str
        The service-level definition (all coincide in Erlang C).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = cx.queue_metrics(10.0, 14, aht=180, threshold=20)
    >>> round(m.service_level, 4), round(m.asa, 2), round(m.occupancy, 4)
    (0.8884, 7.84, 0.7143)
    """

    traffic: float
    agents: int
    wait_probability: float
    service_level: float
    asa: float
    mean_wait: float
    abandon_probability: float
    occupancy: float
    threshold: float
    aht: float
    patience: float
    model: str
    definition: str

    def __str__(self) -> str:
        extra = (
            f", P(abandon) {self.abandon_probability:.3f}"
            if self.model == "erlang_a"
            else ""
        )
        return (
            f"{'Erlang A' if self.model == 'erlang_a' else 'Erlang C'} with "
            f"A={self.traffic:g} Erlangs, N={self.agents}: service level "
            f"{self.service_level:.3f} within {self.threshold:g} ({self.definition}), "
            f"P(wait) {self.wait_probability:.3f}, ASA {self.asa:.4g}{extra}, "
            f"occupancy {self.occupancy:.3f}"
        )


_COLUMNS = (
    "traffic",
    "agents",
    "wait_probability",
    "service_level",
    "asa",
    "mean_wait",
    "abandon_probability",
    "occupancy",
    "threshold",
    "aht",
    "patience",
)


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class QueueMetricsArray(ArrayResultMixin):
    """:class:`QueueMetrics` for many rows: every field an array of the broadcast shape.

    ``result[i]`` is the :class:`QueueMetrics` of row ``i``; ``to_dict()`` and
    ``to_pandas()`` give one column per field.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = cx.queue_metrics(10.0, [12, 13, 14, 15], aht=180, threshold=20)
    >>> m.service_level.round(3).tolist()
    [0.64, 0.796, 0.888, 0.941]
    >>> m[2].agents
    14
    """

    traffic: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    agents: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    wait_probability: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    service_level: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    asa: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    mean_wait: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    abandon_probability: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    occupancy: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    threshold: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    aht: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    patience: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    model: str
    definition: str

    _scalar_result: ClassVar[type] = QueueMetrics
    _columns: ClassVar[tuple[str, ...]] = _COLUMNS
    _shared: ClassVar[tuple[str, ...]] = ("model", "definition")
    _table: ClassVar[tuple[str, ...]] = (
        "traffic",
        "agents",
        "service_level",
        "wait_probability",
        "asa",
        "abandon_probability",
        "occupancy",
    )


@overload
def queue_metrics(
    traffic: float | None = ...,
    agents: int | None = ...,
    *,
    aht: float,
    threshold: float,
    arrival_rate: float | None = ...,
    model: QueueModel = ...,
    patience: float | None = ...,
    definition: ServiceLevelDefinition = ...,
    short_abandon: float = ...,
) -> QueueMetrics: ...
@overload
def queue_metrics(
    traffic: ArrayLike | None = ...,
    agents: ArrayLike | None = ...,
    *,
    aht: ArrayLike,
    threshold: ArrayLike,
    arrival_rate: ArrayLike | None = ...,
    model: QueueModel = ...,
    patience: ArrayLike | None = ...,
    definition: ServiceLevelDefinition = ...,
    short_abandon: ArrayLike = ...,
) -> QueueMetricsArray: ...
def queue_metrics(
    traffic: ArrayLike | None = None,
    agents: ArrayLike | None = None,
    *,
    aht: ArrayLike,
    threshold: ArrayLike,
    arrival_rate: ArrayLike | None = None,
    model: QueueModel = "erlang_c",
    patience: ArrayLike | None = None,
    definition: ServiceLevelDefinition = "offered",
    short_abandon: ArrayLike = 0.0,
) -> QueueMetrics | QueueMetricsArray:
    r"""Service level, waiting, ASA, abandonment and occupancy of a staffed queue.

    Every numeric argument may be an array; all broadcast together, so a day of
    96 half-hours across many queues is one call.

    Parameters
    ----------
    traffic : float or array_like, optional
        Offered load :math:`A = \lambda \times \mathrm{AHT}` in Erlangs. Give this
        or ``arrival_rate``.
    agents : int or array_like of int
        Agents on the queue, whole numbers ``>= 0`` (required).
    aht : float or array_like
        Average handle time, ``> 0``. Sets the time unit of ``threshold``,
        ``patience``, ``short_abandon`` and of the returned ASA (seconds, say).
    threshold : float or array_like
        The service-level threshold :math:`T` ("answered within 20 seconds"),
        ``>= 0``; ``inf`` allowed.
    arrival_rate : float or array_like, optional
        Contacts per unit of time (the unit of ``aht``): :math:`A = \lambda\,\mathrm{AHT}`.
    model : {'erlang_c', 'erlang_a'}, default 'erlang_c'
        Erlang C (M/M/N: callers wait forever) or Erlang A (M/M/N+M: callers
        abandon after an exponential patience with mean ``patience``).
    patience : float or array_like, optional
        Mean patience for Erlang A, ``> 0`` (``inf`` gives Erlang C).
    definition : {'offered', 'answered', 'excluding_short_abandons', 'abandons_met'}, default 'offered'
        The service-level formula (see Notes). They differ only when callers
        abandon, so in Erlang C all four give the same number.
    short_abandon : float or array_like, default 0
        Abandons within this time are "short" (for
        ``'excluding_short_abandons'``).

    Returns
    -------
    QueueMetrics or QueueMetricsArray
        A :class:`QueueMetrics` when every input is a number, else a
        :class:`QueueMetricsArray` of the broadcast shape.

    Raises
    ------
    InvalidInputError
        Negative traffic, non-positive AHT or patience, fractional agents, shapes
        that do not broadcast, ``patience`` with Erlang C or its absence with
        Erlang A, both or neither of ``traffic`` and ``arrival_rate``.
    MissingValueError
        NaN in any input.

    See Also
    --------
    erlang_c, agents_required, contact_metrics

    Notes
    -----
    **Erlang C** (Cooper 1981): with :math:`C` the waiting probability,

    .. math:: SL(T) = 1 - C\,e^{-(N-A)T/\mathrm{AHT}}, \qquad
              \mathrm{ASA} = \frac{C\,\mathrm{AHT}}{N - A}, \qquad
              \text{occupancy} = A/N.

    With :math:`N \le A` the queue is unstable: :math:`C = 1`, :math:`SL = 0`,
    ASA is infinite and occupancy 1. With no traffic nobody waits (for
    :math:`N \ge 1`): :math:`SL = 1`, ASA 0.

    **Erlang A** (Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn 2007):
    :math:`P(W>0)`, :math:`P(\mathrm{Ab})` and the wait distribution from
    regularized incomplete gamma functions of :math:`x = N\,\mathrm{patience}/\mathrm{AHT}`
    and :math:`y = A\,\mathrm{patience}/\mathrm{AHT}`; see
    :mod:`cxmetrics.staffing._erlang_a` and the staffing docs page. With
    :math:`V` the offered wait and :math:`\tau` the patience, the service-level
    definitions are

    * ``'offered'``: :math:`P(\text{answered}, W \le T)`;
    * ``'answered'``: :math:`P(W \le T \mid \text{answered})`;
    * ``'excluding_short_abandons'``: :math:`P(\text{answered}, W \le T) / (1 - P(\text{abandoned}, W < S))`;
    * ``'abandons_met'``: :math:`P(\min(V, \tau) \le T)`: callers who hang up
      within :math:`T` count as met.

    ``asa`` is :math:`E[W \mid \text{answered}]`; ``mean_wait`` is
    :math:`E[W] = P(\mathrm{Ab})\times\mathrm{patience}` over all callers.

    References
    ----------
    .. [1] Cooper, R. B. (1981). *Introduction to Queueing Theory*, 2nd ed.
    .. [2] Garnett, O., Mandelbaum, A. & Reiman, M. (2002). Designing a call center
       with impatient customers. *Manufacturing & Service Operations Management*
       4(3), 208-227.
    .. [3] Mandelbaum, A. & Zeltyn, S. (2007). Service engineering in action: the
       Palm/Erlang-A queue, with applications to call centers. In *Advances in
       Services Innovations*, Springer, 17-45.

    Examples
    --------
    100 calls in a half hour (1800 s), AHT 180 s, 14 agents, 80/20 target:

    >>> import cxmetrics as cx
    >>> m = cx.queue_metrics(arrival_rate=100 / 1800, agents=14, aht=180, threshold=20)
    >>> round(m.wait_probability, 4), round(m.service_level, 4), round(m.asa, 2)
    (0.1741, 0.8884, 7.84)

    Callers who give up after 2 minutes on average (Erlang A):

    >>> a = cx.queue_metrics(10.0, 12, aht=180, threshold=20, model="erlang_a", patience=120)
    >>> round(a.service_level, 4), round(a.abandon_probability, 4)
    (0.8256, 0.0616)
    """
    check_option("model", model, QueueModel)
    check_option("definition", definition, ServiceLevelDefinition)
    scalar = is_scalar(
        traffic, agents, aht, threshold, arrival_rate, patience, short_abandon
    )
    if agents is None:
        msg = "`agents` is required: the number of agents on the queue."
        raise InvalidInputError(msg)
    n = parameter_array(agents, "agents", low=0.0, whole=True)
    check_staffing_limits(agents=n)
    inputs = queue_inputs(
        model,
        definition,
        traffic,
        arrival_rate,
        aht,
        threshold,
        patience,
        short_abandon,
        {"agents": n},
    )
    agents_flat = inputs.extra[0]
    parts = evaluate(model, definition, inputs, agents_flat)
    cols: dict[str, Any] = {
        "traffic": inputs.traffic,
        "agents": agents_flat,
        "wait_probability": parts.wait,
        "service_level": parts.service_level,
        "asa": parts.asa,
        "mean_wait": parts.mean_wait,
        "abandon_probability": parts.abandon,
        "occupancy": parts.occupancy,
        "threshold": inputs.threshold,
        "aht": inputs.aht,
        "patience": inputs.patience,
    }
    if scalar:
        fields = {k: float(v[0]) for k, v in cols.items() if k != "agents"}
        return QueueMetrics(
            agents=int(agents_flat[0]), **fields, model=model, definition=definition
        )
    shape = inputs.shape
    return QueueMetricsArray(
        **{k: np.reshape(v, shape) for k, v in cols.items()},
        model=model,
        definition=definition,
    )
