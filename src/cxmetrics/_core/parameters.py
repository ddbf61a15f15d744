"""Model parameters: numbers or arrays of numbers checked against their bounds."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.columns import _describe, _first, _object_to_float
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

__all__ = ["MAX_EXACT_INT", "parameter_array", "parameter_ints", "parameter_scalar"]

#: the largest whole number a float64 holds exactly (2**53)
MAX_EXACT_INT = float(2**53)


def _at(index: int, shape: tuple[int, ...]) -> str:
    """' at index i' (or a tuple index for n-d arrays); nothing for a scalar."""
    if not shape:
        return ""
    if len(shape) == 1:
        return f" at index {index}"
    return f" at index {tuple(int(i) for i in np.unravel_index(index, shape))}"


def _count(count: int, what: str, shape: tuple[int, ...]) -> str:
    """' (3 negative value(s))' for arrays; nothing for a scalar."""
    return f" ({count} {what})" if shape else ""


def _numeric_any(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Any-shape numeric input as float64; booleans and text are refused."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a number or an array of numbers; could not convert it ({err})."
        raise InvalidInputTypeError(msg) from None
    if arr.dtype.kind == "O":
        return _object_to_float(arr, name)
    if arr.dtype.kind not in "iuf":
        msg = f"`{name}` must be numeric; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    return arr.astype(np.float64, copy=False)


def parameter_scalar(values: object, name: str, **rules: Any) -> float:
    """:func:`parameter_array` of one number: a list or an array of several is refused."""
    arr = parameter_array(values, name, **rules)  # type: ignore[arg-type]
    if arr.size != 1:
        msg = f"`{name}` must be a single number; got an array of shape {arr.shape}."
        raise InvalidInputError(msg)
    return float(arr.reshape(()))


def _inside(
    flat: NDArray[np.float64],
    low: float | None,
    high: float | None,
    low_inclusive: bool,
    high_inclusive: bool,
    allow_inf: bool,
) -> bool:
    """Whether every value obeys the rules, from the smallest and the largest.

    Two reductions decide the common case; a NaN makes both NaN, which fails
    every comparison, so the caller's checks then find and name it.
    """
    if flat.shape[0] == 0:
        return True
    lo = float(np.minimum.reduce(flat))
    hi = float(np.maximum.reduce(flat))
    if not (allow_inf or (math.isfinite(lo) and math.isfinite(hi))):
        return False
    if low is not None and not (lo >= low if low_inclusive else lo > low):
        return False
    if high is not None and not (hi <= high if high_inclusive else hi < high):
        return False
    return not (math.isnan(lo) or math.isnan(hi))


def parameter_array(
    values: ArrayLike,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    allow_inf: bool = False,
    whole: bool = False,
) -> NDArray[np.float64]:
    """Validate a model parameter (a scalar or an array of any shape) as float64.

    Rules, checked in this order so every message names the first offending
    value: numeric dtype; no NaN/None; finite unless ``allow_inf``; inside the
    bounds (``low``/``high``, inclusive or not); whole numbers if ``whole``.
    Scalars are reported without an index; arrays with the (flat or n-d) index.
    """
    arr = _numeric_any(values, name)
    flat = arr.reshape(-1)
    if not whole and _inside(flat, low, high, low_inclusive, high_inclusive, allow_inf):
        return arr
    nan = np.isnan(flat)
    if nan.any():
        i, count = _first(nan)
        where = _at(i, arr.shape).replace(" at index", ", the first at index")
        msg = f"`{name}` contains {count} missing value(s) (NaN/None){where}."
        raise MissingValueError(msg)
    if not allow_inf:
        bad = np.isinf(flat)
        if bad.any():
            i, count = _first(bad)
            msg = f"`{name}` must be finite; got {_describe(flat[i])}{_at(i, arr.shape)}{_count(count, 'non-finite value(s)', arr.shape)}."
            raise InvalidInputError(msg)
    below = np.zeros(flat.shape, dtype=bool)
    if low is not None:
        below = flat < low if low_inclusive else flat <= low
    above = np.zeros(flat.shape, dtype=bool)
    if high is not None:
        above = flat > high if high_inclusive else flat >= high
    out = below | above
    if out.any():
        i, count = _first(out)
        if low is not None and high is not None:
            rule = (
                f"lie in {'[' if low_inclusive else '('}{low:g}, "
                f"{high:g}{']' if high_inclusive else ')'}"
            )
        elif low is not None:
            rule = f"be {'>=' if low_inclusive else '>'} {low:g}"
        else:
            rule = f"be {'<=' if high_inclusive else '<'} {high:g}"
        msg = f"`{name}` must {rule}; got {_describe(flat[i])}{_at(i, arr.shape)}{_count(count, 'value(s) out of range', arr.shape)}."
        raise InvalidInputError(msg)
    if whole:
        with np.errstate(invalid="ignore"):
            frac = np.isfinite(flat) & (flat != np.floor(flat))
        if frac.any():
            i, count = _first(frac)
            msg = f"`{name}` must be whole numbers; got {_describe(flat[i])}{_at(i, arr.shape)}{_count(count, 'non-integer value(s)', arr.shape)}."
            raise InvalidInputError(msg)
    return arr


def parameter_ints(
    values: ArrayLike, name: str, *, low: float | None = None
) -> NDArray[np.int64]:
    """Whole numbers (any shape) as int64: :func:`parameter_array` with ``whole=True``.

    Values beyond 2**53 are refused: a float64 no longer holds every whole number
    there, and a value beyond 2**63 would not fit int64 (the cast gave garbage and
    a numpy RuntimeWarning).
    """
    arr = parameter_array(values, name, low=low, high=MAX_EXACT_INT, whole=True)
    return arr.astype(np.int64)
