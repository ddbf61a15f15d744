"""Read-only array fields for frozen attrs classes (states and grouped results)."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "array_eq",
    "frozen_float",
    "frozen_int",
    "frozen_keys",
    "nan_array_eq",
    "nan_equal_fields",
    "optional_float",
]


def _freeze(arr: NDArray[Any]) -> NDArray[Any]:
    arr.setflags(write=False)
    return arr


def frozen_int(x: ArrayLike) -> NDArray[np.int64]:
    """Copy ``x`` to a read-only int64 array."""
    return _freeze(np.array(x, dtype=np.int64))


def frozen_float(x: ArrayLike) -> NDArray[np.float64]:
    """Copy ``x`` to a read-only float64 array."""
    return _freeze(np.array(x, dtype=np.float64))


def optional_float(x: ArrayLike | None) -> NDArray[np.float64] | None:
    """Like :func:`frozen_float`, passing ``None`` through."""
    return None if x is None else frozen_float(x)


def frozen_keys(x: ArrayLike) -> NDArray[Any]:
    """Copy group keys to a read-only array, keeping their dtype."""
    return _freeze(np.array(x))


def _eq(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    x, y = np.asarray(a), np.asarray(b)
    nan_aware = x.dtype.kind in "fcmM" and y.dtype.kind in "fcmM"
    return bool(np.array_equal(x, y, equal_nan=nan_aware))


#: attrs comparison for (optional) array fields: equal shapes and elements (NaN and
#: NaT equal themselves, as in a copy or a round trip).
array_eq = attrs.cmp_using(eq=_eq)


def _eq_nan(a: object, b: object) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


#: attrs comparison for float array fields that may hold NaN (NaN equals NaN).
nan_array_eq = attrs.cmp_using(eq=_eq_nan)


class _NaN:
    """The key a NaN field compares by: equal to itself, so NaN equals NaN."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NaN"


_NAN_KEY = _NaN()


def _nan_key(value: object) -> object:
    """``value``, or one shared sentinel for a float NaN (``np.float64`` included)."""
    if isinstance(value, float) and math.isnan(value):
        return _NAN_KEY
    return value


def nan_equal_fields(
    _cls: type, fields: list[attrs.Attribute[Any]]
) -> list[attrs.Attribute[Any]]:
    """The attrs ``field_transformer``: a NaN in a scalar field equals a NaN.

    Results and models report undefined figures as NaN (with a warning); without
    this, a result would compare unequal to its own copy, pickle or JSON round
    trip (Python's ``==`` on tuples is true for the *same* NaN object only).
    Fields that already compare by a key (array fields, ``cmp_using``) or not at
    all keep their comparison.
    """
    # `eq_key` is set on every Attribute at runtime but missing from attrs' stubs
    return [
        f.evolve(eq_key=_nan_key) if f.eq and getattr(f, "eq_key", None) is None else f
        for f in fields
    ]
