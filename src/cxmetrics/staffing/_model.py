"""One evaluation of a queueing model on flat arrays: Erlang C or Erlang A.

Shared by :func:`queue_metrics` and :func:`agents_required`, so the numbers a
staffing plan reports are exactly those of the model at that many agents.
"""

from __future__ import annotations

from typing import Any, NamedTuple, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import check_option, parameter_array
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.staffing._erlang import (
    erlang_b_kernel,
    erlang_c_kernel,
)
from cxmetrics.staffing._erlang_a import erlang_a_kernel
from cxmetrics.typing import QueueModel, ServiceLevelDefinition

__all__ = [
    "DEFINITIONS",
    "MODELS",
    "QueueInputs",
    "QueueParts",
    "erlang_c_parts",
    "evaluate",
    "queue_inputs",
]

Float = NDArray[np.float64]

MODELS: tuple[str, ...] = get_args(QueueModel)
DEFINITIONS: tuple[str, ...] = get_args(ServiceLevelDefinition)


class QueueParts(NamedTuple):
    """Model outputs over rows (times in the unit of the AHT)."""

    wait: Float
    service_level: Float
    asa: Float
    mean_wait: Float
    abandon: Float
    occupancy: Float


class QueueInputs(NamedTuple):
    """Validated, broadcast and flattened model inputs."""

    traffic: Float
    aht: Float
    threshold: Float
    patience: Float  # inf: no abandonment (Erlang C)
    short_abandon: Float
    extra: tuple[Float, ...]
    shape: tuple[int, ...]


def _occupancy(carried: Float, agents: Float) -> Float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            agents > 0,
            np.minimum(carried / np.where(agents > 0, agents, 1.0), 1.0),
            np.nan,
        )


def erlang_c_parts(
    traffic: Float, agents: Float, blocking: Float, aht: Float, threshold: Float
) -> QueueParts:
    r"""Erlang C outputs given Erlang B: every service-level definition coincides.

    :math:`SL = 1 - C e^{-(N-A)T/\mathrm{AHT}}`, written as
    :math:`(1 - C) - C\,\mathrm{expm1}(-(N-A)T/\mathrm{AHT})` (two non-negative
    terms), and :math:`\mathrm{ASA} = C\,\mathrm{AHT}/(N - A)`; unstable rows
    (:math:`N \le A`) have :math:`SL = 0` and an infinite ASA.
    """
    c, not_c = erlang_c_kernel(traffic, agents, blocking)
    stable = agents > traffic
    gap = np.where(stable, agents - traffic, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        x = gap * (threshold / aht)
        # 1 - C e^-x directly when C is small (no cancellation), else as a sum
        sl = np.where(c < 0.5, 1.0 - c * np.exp(-x), not_c - c * np.expm1(-x))
        sl = np.where(stable, sl, 0.0)
        asa = np.where(stable, c * aht / gap, np.inf)
    return QueueParts(
        wait=c,
        service_level=np.clip(sl, 0.0, 1.0),
        asa=asa,
        mean_wait=asa,
        abandon=np.zeros(traffic.shape),
        occupancy=_occupancy(traffic, agents),
    )


def evaluate(
    model: str, definition: str, inputs: QueueInputs, agents: Float
) -> QueueParts:
    """The model at ``agents`` (whole numbers, one per row)."""
    a, aht, t, pat = inputs.traffic, inputs.aht, inputs.threshold, inputs.patience
    if model == "erlang_c":
        return erlang_c_parts(a, agents, erlang_b_kernel(a, agents), aht, t)
    finite = np.isfinite(pat)
    if not finite.all():
        parts_c = erlang_c_parts(a, agents, erlang_b_kernel(a, agents), aht, t)
        if not finite.any():
            return parts_c
    safe = np.where(finite, pat, 1.0)
    _check_patience_load(a, aht, pat, agents)
    with np.errstate(invalid="ignore"):
        k = erlang_a_kernel(
            a,
            agents,
            safe / aht,
            t / safe,
            inputs.short_abandon / safe
            if definition == "excluding_short_abandons"
            else None,
        )
    served = 1.0 - k.abandon
    with np.errstate(divide="ignore", invalid="ignore"):
        if definition == "offered":
            sl = k.answered_within
        elif definition == "answered":
            sl = np.where(served > 0, k.answered_within / served, np.nan)
        elif definition == "excluding_short_abandons":
            sl = k.answered_within / (1.0 - k.abandon_short)
        else:
            sl = k.wait_within
    parts = QueueParts(
        wait=k.wait,
        service_level=np.clip(sl, 0.0, 1.0),
        asa=k.asa * safe,
        mean_wait=k.mean_wait * safe,
        abandon=k.abandon,
        occupancy=_occupancy(a * served, agents),
    )
    if finite.all():
        return parts
    return QueueParts(
        *(np.where(finite, pa, pc) for pa, pc in zip(parts, parts_c, strict=True))
    )


#: largest traffic x patience / AHT of Erlang A: its sums take about
#: 17*sqrt(load) vectorised steps (54,000 at the limit)
MAX_PATIENCE_LOAD = 1e7


def _check_patience_load(
    traffic: Float, aht: Float, patience: Float, agents: Float
) -> None:
    """Refuse rows whose Erlang A sums would be long.

    That is fewer agents than Erlangs (the sums then centre far from their start)
    with traffic x patience / aht past :data:`MAX_PATIENCE_LOAD`. With more agents
    than Erlangs they are short at any patience.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        load = np.where(np.isfinite(patience), traffic * patience / aht, 0.0)
    big = (load > MAX_PATIENCE_LOAD) & (agents < traffic)
    if big.any():
        i = int(np.argmax(big))
        msg = (
            f"Erlang A with traffic {float(traffic[i])!r} and `patience` "
            f"{float(patience[i])!r} (aht {float(aht[i])!r}) at index {i}: traffic x "
            f"patience / aht must be at most {MAX_PATIENCE_LOAD:g}. Callers that patient "
            "almost never abandon: use model='erlang_c' (or patience=inf)."
        )
        raise InvalidInputError(msg)


def queue_inputs(
    model: str,
    definition: str,
    traffic: ArrayLike | None,
    arrival_rate: ArrayLike | None,
    aht: ArrayLike,
    threshold: ArrayLike,
    patience: ArrayLike | None,
    short_abandon: ArrayLike,
    extra: dict[str, ArrayLike],
) -> QueueInputs:
    """Validate the shared inputs (and ``extra`` arrays, already validated) and broadcast.

    Exactly one of ``traffic`` (Erlangs) and ``arrival_rate`` (contacts per unit
    of time of the AHT) is given; ``patience`` is required by Erlang A only.
    """
    check_option("model", model, QueueModel)
    check_option("definition", definition, ServiceLevelDefinition)
    if (traffic is None) == (arrival_rate is None):
        msg = "give exactly one of `traffic` (Erlangs) and `arrival_rate` (with `aht`)."
        raise InvalidInputError(msg)
    h = parameter_array(aht, "aht", low=0.0, low_inclusive=False)
    if traffic is not None:
        a = parameter_array(traffic, "traffic", low=0.0)
    else:
        assert arrival_rate is not None  # noqa: S101  (exactly one is given)
        lam = parameter_array(arrival_rate, "arrival_rate", low=0.0)
        try:
            a = lam * h
        except ValueError:
            msg = f"`arrival_rate` and `aht` must broadcast together; got shapes {lam.shape} and {h.shape}."
            raise InvalidInputError(msg) from None
        if not np.isfinite(a).all():
            msg = "`arrival_rate` x `aht` (the traffic) overflows; rescale the units."
            raise InvalidInputError(msg)

    t = parameter_array(threshold, "threshold", low=0.0, allow_inf=True)
    if model == "erlang_a":
        if patience is None:
            msg = "model='erlang_a' needs `patience`, the mean time callers wait before abandoning."
            raise InvalidInputError(msg)
        pat = parameter_array(
            patience, "patience", low=0.0, low_inclusive=False, allow_inf=True
        )
    else:
        if patience is not None:
            msg = "`patience` applies to model='erlang_a'; Erlang C has no abandonment."
            raise InvalidInputError(msg)
        pat = np.array(np.inf)
    s = parameter_array(short_abandon, "short_abandon", low=0.0)
    arrays = [
        a,
        h,
        t,
        pat,
        s,
        *(np.asarray(v, dtype=np.float64) for v in extra.values()),
    ]
    names = ["traffic", "aht", "threshold", "patience", "short_abandon", *extra]
    try:
        shape = np.broadcast(*arrays).shape
    except ValueError:
        shapes = ", ".join(
            f"`{k}` {v.shape}" for k, v in zip(names, arrays, strict=True)
        )
        msg = f"the inputs must broadcast together; got shapes {shapes}."
        raise InvalidInputError(msg) from None
    size = int(np.prod(shape, dtype=np.int64))
    flat = [_flat(v, shape, size) for v in arrays]
    return QueueInputs(
        flat[0], flat[1], flat[2], flat[3], flat[4], tuple(flat[5:]), shape
    )


def _flat(values: NDArray[Any], shape: tuple[int, ...], size: int) -> Float:
    """``values`` broadcast to ``shape``, as a contiguous flat float64 array.

    What ``np.broadcast_arrays`` then a contiguous copy give, in fewer steps: an
    array of the full shape is only made contiguous (a view when it is), a
    scalar fills a new array.
    """
    if values.shape == shape:
        return np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if values.ndim == 0:
        out = np.empty(size)
        out.fill(values)
        return out
    full = np.broadcast_to(values, shape)
    return np.ascontiguousarray(full, dtype=np.float64).reshape(-1)
