"""Input checks of the public statistics building blocks.

The blocks take summaries (counts, standard errors, degrees of freedom) that the
library's own front doors compute, but users call them too, so they check like
front doors: an impossible summary (a negative count, more successes than
trials, a negative standard error or degrees of freedom) is an error naming the
argument, the value and its index. NaN stays allowed: it is how an undefined
summary (an empty group) travels, and it comes out as a NaN bound.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)

__all__ = [
    "check_counts",
    "check_nonnegative",
    "check_shares",
    "floats",
    "paired_histogram",
    "positive_df",
    "scalar",
    "warn_empty_sample",
]

#: the smallest degrees of freedom (the smallest normal float64)
_TINY_DF = float(np.finfo(np.float64).tiny)
#: weighted counts are sums of floats: a part may exceed its total by rounding
_REL_TOL = 1e-9


def floats(name: str, values: Any) -> NDArray[np.float64]:
    """``values`` as float64 (any shape), or a clear error for non-numbers."""
    if values is None or isinstance(values, str | bytes | bool | np.bool_):
        msg = f"`{name}` must be a number or an array of numbers; got {values!r}."
        raise InvalidInputTypeError(msg)
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"`{name}` must be a number or an array of numbers; got {values!r}."
        raise InvalidInputTypeError(msg) from None
    return arr


def scalar(name: str, value: Any, *, nonnegative: bool = False) -> float:
    """One finite number (NaN passes: undefined), or a clear error naming ``name``.

    The two-sample blocks compute with Python floats: an array, a list or an
    infinite value would otherwise reach ``math`` and fail with a foreign error.
    """
    arr = floats(name, value)
    if arr.size != 1:
        msg = f"`{name}` must be a single number; got an array of shape {arr.shape}."
        raise InvalidInputTypeError(msg)
    if nonnegative:
        check_nonnegative(name, arr)
    elif np.isinf(arr).any():
        msg = f"`{name}` must be a finite number (or NaN when undefined); got {float(arr.reshape(())):g}."
        raise InvalidInputError(msg)
    return float(arr.reshape(()))


def check_shares(name: str, values: Any, low: float = 0.0) -> NDArray[np.float64]:
    """Shares (probabilities) as float64: each in [low, 1] (NaN passes)."""
    arr = floats(name, values)
    with np.errstate(invalid="ignore"):
        bad = (arr < low - _REL_TOL) | (arr > 1.0 + _REL_TOL) | np.isinf(arr)
    if bad.any():
        msg = f"`{name}` must lie in [{low:g}, 1] (or be NaN when undefined); got {_where(arr, bad)}."
        raise InvalidInputError(msg)
    return arr


def _where(arr: NDArray[Any], mask: NDArray[np.bool_]) -> str:
    i = int(np.argmax(mask.ravel()))
    value = float(arr.ravel()[i])
    return f"{value!r}" if arr.ndim == 0 else f"{value!r} at index {i}"


def check_nonnegative(name: str, arr: NDArray[np.float64]) -> None:
    """Refuse negative or infinite values (NaN passes: undefined)."""
    bad = (arr < 0) | np.isinf(arr)
    if bad.any():
        msg = f"`{name}` must be a finite number >= 0 (or NaN when undefined); got {_where(arr, bad)}."
        raise InvalidInputError(msg)


def positive_df(name: str, values: Any) -> NDArray[np.float64]:
    """Degrees of freedom as float64: each > 0 (``inf`` is the normal limit; NaN passes)."""
    arr = floats(name, values)
    # a subnormal df halves to 0 inside the incomplete beta function
    with np.errstate(invalid="ignore"):
        bad = arr < _TINY_DF
    if bad.any():
        msg = f"`{name}` must be > 0 (degrees of freedom, at least {_TINY_DF:g}; inf for the normal limit); got {_where(arr, bad)}."
        raise InvalidInputError(msg)
    return arr


def check_counts(
    parts: dict[str, NDArray[np.float64]], total_name: str, total: NDArray[np.float64]
) -> None:
    """Counts that are parts of ``total``: each in [0, total], together at most ``total``."""
    check_nonnegative(total_name, total)
    cap = total * (1.0 + _REL_TOL)
    for name, arr in parts.items():
        with np.errstate(invalid="ignore"):
            bad = (arr < 0) | np.isinf(arr) | (arr > cap)
        if bad.any():
            shape = np.broadcast_shapes(bad.shape, total.shape)
            i = int(np.argmax(np.broadcast_to(bad, shape).ravel()))
            got = float(np.broadcast_to(arr, shape).ravel()[i])
            top = float(np.broadcast_to(total, shape).ravel()[i])
            where = "" if not shape else f" at index {i}"
            msg = (
                f"`{name}` must lie in [0, {total_name}]; got {name}={got!r} with "
                f"{total_name}={top!r}{where} (a count cannot exceed its `{total_name}`)."
            )
            raise InvalidInputError(msg)
    if len(parts) < 2:
        return
    together = sum(parts.values(), np.zeros(()))
    with np.errstate(invalid="ignore"):
        over = together > cap
    if over.any():
        shape = over.shape
        names = " + ".join(f"`{n}`" for n in parts)
        i = int(np.argmax(over.ravel()))
        got = float(np.broadcast_to(together, shape).ravel()[i])
        top = float(np.broadcast_to(total, shape).ravel()[i])
        where = "" if not shape else f" at index {i}"
        msg = f"{names} must be at most `{total_name}`; got {got!r} > {top!r}{where}."
        raise InvalidInputError(msg)


#: the largest paired difference (on the internal scale) whose square is finite
_MAX_PAIRED = 1e150


def paired_histogram(
    values: object, weight_sums: object
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The distinct differences and their weights: 1-D, aligned, finite, weights >= 0."""
    v = floats("values", values)
    w = floats("weight_sums", weight_sums)
    if v.ndim != 1 or w.shape != v.shape:
        msg = (
            "`values` and `weight_sums` must be 1-D arrays of the same length; got "
            f"shapes {v.shape} and {w.shape}."
        )
        raise InvalidInputError(msg)
    bad = ~np.isfinite(v) | (np.abs(v) > _MAX_PAIRED)
    if bad.any():
        i = int(np.argmax(bad))
        msg = f"`values` must be finite and at most {_MAX_PAIRED:g} in size; got {v[i]!r} at index {i}."
        raise InvalidInputError(msg)
    w_bad = ~np.isfinite(w) | (w < 0)
    if w_bad.any():
        i = int(np.argmax(w_bad))
        msg = f"`weight_sums` must be finite and >= 0; got {w[i]!r} at index {i}."
        raise InvalidInputError(msg)
    return v, w


def warn_empty_sample(nobs_a: float, nobs_b: float) -> None:
    """Warn when a sample is empty: the difference is NaN although no input was."""
    if nobs_a == 0 or nobs_b == 0:
        msg = (
            "the difference is undefined: sample "
            f"{'a' if nobs_a == 0 else 'b'} is empty (nobs = 0); returning NaN."
        )
        warnings.warn(msg, UndefinedMetricWarning, stacklevel=4)
