"""Model inputs: an RFM summary or the three arrays, and model parameters."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.fit import check_positive
from cxmetrics._core.validation import (
    _describe,
    _first,
    check_same_length,
    durations_1d,
    parameter_array,
    weights_array,
)
from cxmetrics.clv._rfm import RFMSummary
from cxmetrics.exceptions import InvalidInputError

__all__ = [
    "RFMArrays",
    "check_fit_data",
    "compress",
    "positive",
    "positive_a",
    "positive_alpha",
    "positive_b",
    "positive_beta",
    "positive_delta",
    "positive_gamma",
    "positive_p",
    "positive_q",
    "positive_r",
    "positive_s",
    "prediction_data",
    "purchase_data",
    "rfm_arrays",
    "scalar_or_array",
    "times",
]

Float = NDArray[np.float64]


class RFMArrays(NamedTuple):
    """Validated model input: one row per customer (or per identical pattern)."""

    frequency: NDArray[np.float64]
    recency: NDArray[np.float64]
    T: NDArray[np.float64]
    weights: NDArray[np.float64]


def rfm_arrays(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    discrete: bool = False,
    ids: NDArray[Any] | None = None,
) -> RFMArrays:
    """Validate an RFM summary for the purchase models.

    ``frequency`` whole numbers >= 0; ``recency`` in [0, ``T``], 0 where
    ``frequency`` is 0 and positive where it is not; ``T`` >= 0 (0 for a customer
    first seen at the end of observation); optional ``weights`` (counts of
    identical rows), finite and non-negative. With ``discrete`` (BG/BB) recency
    and T are whole numbers of periods and ``frequency <= recency``. With ``ids``
    (the customers of an RFM summary) errors name the customer, not the index.
    """

    def where(i: int) -> str:
        return f"at index {i}" if ids is None else f"for customer {ids[i].item()!r}"

    x = durations_1d(frequency, "frequency")[0]
    n = x.shape[0]
    tx = durations_1d(recency, "recency")[0]
    check_same_length("recency", tx, "frequency", n)
    big_t = durations_1d(T, "T")[0]
    check_same_length("T", big_t, "frequency", n)
    for arr, name in zip((x, tx, big_t), ("frequency", "recency", "T"), strict=True):
        if name == "frequency" or discrete:
            frac = arr != np.floor(arr)
            if frac.any():
                i, count = _first(frac)
                msg = f"`{name}` must be whole numbers; got {_describe(arr[i])} {where(i)} ({count} non-integer value(s))."
                raise InvalidInputError(msg)
    late = tx > big_t
    if late.any():
        i, count = _first(late)
        msg = (
            f"`recency` must not exceed `T`; got recency={_describe(tx[i])} and "
            f"T={_describe(big_t[i])} {where(i)} ({count} such row(s))."
        )
        raise InvalidInputError(msg)
    orphan = (x == 0) & (tx != 0)
    if orphan.any():
        i, count = _first(orphan)
        msg = (
            f"`recency` must be 0 where `frequency` is 0 (no repeat purchase); got "
            f"{_describe(tx[i])} {where(i)} ({count} such row(s))."
        )
        raise InvalidInputError(msg)
    instant = (x > 0) & (tx == 0)
    if instant.any():
        i, count = _first(instant)
        msg = (
            f"`recency` must be positive where `frequency` > 0 (repeat purchases come "
            f"after the first one); got recency 0 with frequency "
            f"{_describe(x[i])} {where(i)} ({count} such row(s)); check that "
            "purchases were collapsed per period and recency measured from the first."
        )
        raise InvalidInputError(msg)
    if discrete:
        over = x > tx
        if over.any():
            i, count = _first(over)
            msg = (
                f"`frequency` must not exceed `recency` in discrete time; got "
                f"frequency={_describe(x[i])} and recency={_describe(tx[i])} "
                f"{where(i)} ({count} such row(s))."
            )
            raise InvalidInputError(msg)
    w = np.ones(n) if weights is None else weights_array(weights, n, like="frequency")
    return RFMArrays(x, tx, big_t, w)


def purchase_data(
    frequency: ArrayLike | RFMSummary,
    recency: ArrayLike | None,
    T: ArrayLike | None,
    weights: ArrayLike | None,
    *,
    discrete: bool = False,
) -> RFMArrays:
    """Validated (x, t_x, T, weights) from an :class:`RFMSummary` or three arrays."""
    if isinstance(frequency, RFMSummary):
        if recency is not None or T is not None:
            msg = (
                "pass either an RFMSummary or `frequency`, `recency` and `T`, not both."
            )
            raise InvalidInputError(msg)
        return rfm_arrays(
            frequency.frequency,
            frequency.recency,
            frequency.T,
            weights,
            discrete=discrete,
            ids=frequency.customers,
        )
    if recency is None or T is None:
        msg = "`recency` and `T` are needed with `frequency` (or pass an RFMSummary)."
        raise InvalidInputError(msg)
    return rfm_arrays(frequency, recency, T, weights, discrete=discrete)


def check_fit_data(d: RFMArrays, model: str) -> None:
    """Refuse a summary that carries no information for a fit, with the reason.

    A customer first seen at the end of observation (``T == 0``) had no time at
    risk: her likelihood term is 1 whatever the parameters, so she is kept (and
    counted in ``n``) but cannot identify them on her own.
    """
    w = d.weights
    if not w.shape[0]:
        msg = f"the {model} fit needs at least one customer; got an empty summary."
        raise InvalidInputError(msg)
    total = float(w.sum())
    if total <= 0:
        msg = (
            f"the {model} fit needs a positive total weight; all {w.shape[0]} "
            "`weights` are 0."
        )
        raise InvalidInputError(msg)
    at_risk = float(w[d.T > 0].sum())
    if at_risk <= 0:
        msg = (
            f"the {model} fit needs a customer observed for some time (T > 0); all "
            f"{w.shape[0]} row(s) have T = 0 (first purchase at the end of "
            "observation) or weight 0: nothing to fit."
        )
        raise InvalidInputError(msg)


def prediction_data(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, *, discrete: bool = False
) -> tuple[Float, Float, Float, tuple[int, ...]]:
    """Validated x, t_x, T broadcast to one shape (scalars allowed), and that shape."""
    try:
        arrays = np.broadcast_arrays(
            np.asarray(frequency), np.asarray(recency), np.asarray(T)
        )
    except ValueError as err:
        msg = f"`frequency`, `recency` and `T` must broadcast to one shape ({err})."
        raise InvalidInputError(msg) from None
    shape = arrays[0].shape
    d = rfm_arrays(*(a.reshape(-1) for a in arrays), discrete=discrete)
    return (
        d.frequency.reshape(shape),
        d.recency.reshape(shape),
        d.T.reshape(shape),
        shape,
    )


def positive(name: str, value: object) -> float:
    """A model parameter: a positive finite number (the core's one check)."""
    return check_positive(name, value)


# named converters (the attrs mypy plugin needs named functions)


def positive_r(value: object) -> float:
    """Converter: ``r`` must be a positive finite number."""
    return positive("r", value)


def positive_alpha(value: object) -> float:
    """Converter: ``alpha`` must be a positive finite number."""
    return positive("alpha", value)


def positive_a(value: object) -> float:
    """Converter: ``a`` must be a positive finite number."""
    return positive("a", value)


def positive_b(value: object) -> float:
    """Converter: ``b`` must be a positive finite number."""
    return positive("b", value)


def positive_s(value: object) -> float:
    """Converter: ``s`` must be a positive finite number."""
    return positive("s", value)


def positive_beta(value: object) -> float:
    """Converter: ``beta`` must be a positive finite number."""
    return positive("beta", value)


def positive_p(value: object) -> float:
    """Converter: ``p`` must be a positive finite number."""
    return positive("p", value)


def positive_q(value: object) -> float:
    """Converter: ``q`` must be a positive finite number."""
    return positive("q", value)


def positive_gamma(value: object) -> float:
    """Converter: ``gamma`` must be a positive finite number."""
    return positive("gamma", value)


def positive_delta(value: object) -> float:
    """Converter: ``delta`` must be a positive finite number."""
    return positive("delta", value)


def times(t: ArrayLike, name: str = "t") -> Float:
    """A horizon (scalar or array) of finite times >= 0, as float64."""
    return parameter_array(t, name, low=0.0)


def scalar_or_array(out: Float) -> Any:
    """A float for 0-d results, the array otherwise."""
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


def compress(
    x: Float, tx: Float, big_t: Float, w: Float
) -> tuple[Float, Float, Float, Float]:
    """Merge identical (x, t_x, T) rows, summing their weights (exact for the likelihood).

    One lexsort and a run-length pass; real summaries often have many repeats
    (every one-off buyer of a cohort shares x = 0, t_x = 0 and T).
    """
    n = x.shape[0]
    if n < 2:
        return x, tx, big_t, w
    order = np.lexsort((big_t, tx, x))
    xs, ts, bs = x[order], tx[order], big_t[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = (xs[1:] != xs[:-1]) | (ts[1:] != ts[:-1]) | (bs[1:] != bs[:-1])
    starts = np.flatnonzero(new)
    if starts.shape[0] > 0.8 * n:
        return x, tx, big_t, w
    return xs[starts], ts[starts], bs[starts], np.add.reduceat(w[order], starts)
