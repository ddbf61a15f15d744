"""Money in minor units: exact integer amounts (cents) from numbers, decimals or text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.checks import check_positive_int
from cxmetrics._core.columns import _describe, _first, _is_missing_object, as_1d
from cxmetrics._core.mergeable import check_int64_total
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

__all__ = ["minor_units_1d"]

#: amounts are exact in float64 below 2**53 minor units
_EXACT_FLOAT = float(2**53)


def _describe_money(v: object) -> str:
    return repr(v.item() if isinstance(v, np.generic) else v)


def _object_minor_units(
    arr: NDArray[Any], name: str, minor_units: int
) -> NDArray[np.int64]:
    """Slow path: Decimal, str, int, float objects converted one by one, exactly."""
    out = np.empty(arr.shape, dtype=np.int64)
    limit = int(np.iinfo(np.int64).max)
    for i, v in enumerate(arr.tolist()):
        if _is_missing_object(v):
            total = int(
                np.count_nonzero(
                    np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
                )
            )
            msg = f"`{name}` contains {total} missing amount(s) (NaN/None), the first at index {i}; every row needs an amount."
            raise MissingValueError(msg)
        if isinstance(v, bool) or not isinstance(
            v, int | float | str | Decimal | np.integer | np.floating
        ):
            msg = f"`{name}` must hold numbers or decimal strings; got {v!r} of type {type(v).__name__} at index {i}."
            raise InvalidInputTypeError(msg)
        try:
            if isinstance(v, Decimal):
                exact = v
            elif isinstance(v, str | float | np.floating):
                exact = Decimal(str(v))
            else:
                exact = Decimal(int(v))
        except InvalidOperation:
            msg = f"`{name}` must hold numbers or decimal strings; got {v!r} at index {i}."
            raise InvalidInputTypeError(msg) from None
        if not exact.is_finite():
            msg = f"`{name}` must be finite; got {v!r} at index {i}."
            raise InvalidInputError(msg)
        scaled = exact * minor_units
        if scaled != scaled.to_integral_value():
            msg = (
                f"`{name}` must be whole multiples of 1/{minor_units} (whole minor units, "
                f"e.g. cents); got {v!r} at index {i}; round the amounts or change `minor_units`."
            )
            raise InvalidInputError(msg)
        if scaled < 0:
            msg = f"`{name}` must be non-negative; got {v!r} at index {i}."
            raise InvalidInputError(msg)
        if scaled > limit:
            msg = (
                f"`{name}` is too large for 64-bit minor units; got {v!r} at index {i}."
            )
            raise InvalidInputError(msg)
        out[i] = int(scaled)
    return out


def minor_units_1d(
    values: ArrayLike, name: str, *, minor_units: int
) -> NDArray[np.int64]:
    """Validate money amounts and convert them exactly to int64 minor units.

    On top of :func:`_minor_units_each`, the total of the amounts must fit in
    int64 minor units, so that every sum of them (cohort revenue, MRR per period,
    revenue retention) is exact: int64 sums wrap around silently otherwise.
    """
    cents = _minor_units_each(values, name, minor_units=minor_units)
    check_int64_total(
        name, float(cents.sum(dtype=np.float64)), "the total in minor units"
    )
    return cents


def _minor_units_each(
    values: ArrayLike, name: str, *, minor_units: int
) -> NDArray[np.int64]:
    """Validate money amounts and convert them exactly to int64 minor units.

    ``minor_units`` is the number of minor units per unit of ``values`` (100 for
    amounts in dollars or euros, 1 for amounts already in cents). Integers are
    multiplied exactly (overflow is refused). A float is accepted only when it is
    the float nearest to a whole number of minor units divided by ``minor_units``
    (19.99 is, 19.995 is not): the check ``rint(x * m) / m == x`` is exact because
    both operands of the division are exact in float64 (below 2**53). Decimal
    objects and decimal strings are converted exactly. Missing, negative,
    non-finite and non-whole amounts are refused with their index.
    """
    m = check_positive_int("minor_units", minor_units)
    arr = as_1d(values, name)
    kind = arr.dtype.kind
    if kind in "OUS":
        return _object_minor_units(arr.astype(object), name, m)
    if kind == "b" or kind not in "iuf":
        msg = f"`{name}` must be numeric amounts; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    if kind in "iu":
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0:
            i, count = _first(arr < 0)
            msg = f"`{name}` must be non-negative; got {_describe_money(arr[i])} at index {i} ({count} negative amount(s))."
            raise InvalidInputError(msg)
        if hi > int(np.iinfo(np.int64).max) // m:
            i, count = _first(arr > np.iinfo(np.int64).max // m)
            msg = f"`{name}` is too large for 64-bit minor units; got {_describe_money(arr[i])} at index {i}."
            raise InvalidInputError(msg)
        return arr.astype(np.int64) * np.int64(m)
    x = arr.astype(np.float64, copy=False)
    nan = np.isnan(x)
    if nan.any():
        i, count = _first(nan)
        msg = f"`{name}` contains {count} missing amount(s) (NaN/None), the first at index {i}; every row needs an amount."
        raise MissingValueError(msg)
    inf = np.isinf(x)
    if inf.any():
        i, count = _first(inf)
        msg = f"`{name}` must be finite; got {_describe(x[i])} at index {i} ({count} non-finite amount(s))."
        raise InvalidInputError(msg)
    neg = x < 0
    if neg.any():
        i, count = _first(neg)
        msg = f"`{name}` must be non-negative; got {_describe(x[i])} at index {i} ({count} negative amount(s))."
        raise InvalidInputError(msg)
    scaled = x * m
    big = scaled >= _EXACT_FLOAT
    if big.any():
        i, count = _first(big)
        msg = f"`{name}` is too large to convert exactly from floats; got {_describe(x[i])} at index {i}; pass integer minor units (and minor_units=1)."
        raise InvalidInputError(msg)
    whole = np.rint(scaled)
    # compared in the caller's float type: a float32 19.99 is 1999 cents too
    inexact = (whole / m).astype(arr.dtype) != arr
    if inexact.any():
        i, count = _first(inexact)
        msg = (
            f"`{name}` must be whole multiples of 1/{m} (whole minor units, e.g. cents); "
            f"got {_describe(x[i])} at index {i} ({count} such amount(s)); round the "
            "amounts or change `minor_units`."
        )
        raise InvalidInputError(msg)
    return whole.astype(np.int64)
