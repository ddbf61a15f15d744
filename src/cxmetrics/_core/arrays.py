"""Read-only array fields for frozen attrs classes (states and grouped results)."""

from __future__ import annotations

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
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


#: attrs comparison for (optional) array fields: equal shapes and elements.
array_eq = attrs.cmp_using(eq=_eq)


def _eq_nan(a: object, b: object) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


#: attrs comparison for float array fields that may hold NaN (NaN equals NaN).
nan_array_eq = attrs.cmp_using(eq=_eq_nan)
