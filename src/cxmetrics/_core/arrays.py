"""Read-only array fields for frozen attrs classes (states and grouped results)."""

from __future__ import annotations

import math
from typing import Any, TypeVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "adopt",
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


#: the dtype each copying converter produces (``None``: any dtype, kept)
_ARRAY_CONVERTERS: dict[Any, np.dtype[Any] | None] = {
    frozen_int: np.dtype(np.int64),
    frozen_float: np.dtype(np.float64),
    optional_float: np.dtype(np.float64),
    frozen_keys: None,
}

_T = TypeVar("_T")


def _keeps(converter: Any, dtype: np.dtype[Any]) -> bool:
    """Whether ``converter`` would copy an array of ``dtype`` without changing it."""
    if converter not in _ARRAY_CONVERTERS:
        return False
    want = _ARRAY_CONVERTERS[converter]
    # not ``dtype in (None, want)``: ``np.dtype(...) == None`` compares to float64
    return want is None or dtype == want


def adopt(cls: type[_T], /, **values: Any) -> _T:
    """An instance of the frozen attrs class ``cls`` around arrays just built.

    The array converters above copy, so that a state or result never shares
    memory its caller can still write; for arrays a kernel has just made,
    that copy only costs time (and, for large ones, a page fault per page on
    first touch). Here an ``ndarray`` given for a field with such a converter,
    already of the converter's dtype, is made read-only and kept as it is;
    every other value goes through its field's converter, and defaults apply.
    Validators and ``__attrs_post_init__`` do not run: the caller vouches that
    the values are valid and that nobody else holds a writable reference to
    the arrays (a read-only view of another frozen object's array is fine).

    Examples
    --------
    >>> import attrs, numpy as np
    >>> @attrs.frozen
    ... class Pair:
    ...     x: np.ndarray = attrs.field(converter=frozen_float)
    ...     n: int = attrs.field(default=0, converter=int)
    >>> a = np.array([1.0, 2.0])
    >>> p = adopt(Pair, x=a)
    >>> p.x is a, a.flags.writeable, p.n
    (True, False, 0)
    >>> adopt(Pair, x=np.array([1, 2]), n=3.0).x.dtype.name  # converted: a copy
    'float64'
    """
    inst = object.__new__(cls)
    for field in attrs.fields(cls):  # type: ignore[arg-type]
        key = field.alias or field.name
        if key in values:
            value = values.pop(key)
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            value = field.default.factory()
        elif field.default is not attrs.NOTHING:
            value = field.default
        else:
            msg = f"adopt({cls.__name__}) misses the field {key!r}"
            raise TypeError(msg)
        conv = field.converter
        if isinstance(value, np.ndarray) and _keeps(conv, value.dtype):
            if value.flags.writeable:
                value.setflags(write=False)
        elif conv is not None:
            value = conv(value)
        object.__setattr__(inst, field.name, value)
    if values:
        msg = f"adopt({cls.__name__}) got unknown fields {sorted(values)}"
        raise TypeError(msg)
    return inst


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
