"""Scalar arguments: options, flags, levels, whole numbers, probabilities, times.

Also confidence levels and random generators. Messages follow the core's one
format: the argument in backticks, the rule and the offending value.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

import numpy as np

from cxmetrics._core.mergeable import INT64_LIMIT
from cxmetrics._core.options import check_option
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
)

__all__ = [
    "check_confidence_level",
    "check_flag",
    "check_instance",
    "check_levels_need_by",
    "check_option",
    "check_positive_int",
    "check_probability",
    "check_rng",
    "check_time",
    "is_real",
]


def check_confidence_level(confidence_level: float) -> float:
    """Return the level as a float if it lies strictly between 0 and 1.

    The one check of every ``confidence_level``: a real number (a Python or
    numpy int or float, not a string or a bool), so text such as ``"0.9"`` is
    refused by every path alike instead of being read by some and crashing others.
    """
    text = isinstance(confidence_level, str | bytes | bool | np.bool_)
    try:
        level = math.nan if text else float(confidence_level)
    except (TypeError, ValueError):
        text = True
    if text:
        msg = (
            f"`confidence_level` must be a number in (0, 1); got {confidence_level!r}."
        )
        raise InvalidInputTypeError(msg) from None
    if not 0.0 < level < 1.0:
        msg = f"`confidence_level` must lie strictly between 0 and 1; got {confidence_level!r}."
        raise InvalidInputError(msg)
    return level


def check_flag(name: str, value: object) -> bool:
    """Return ``value`` if it is a bool (Python or numpy), else raise naming ``name``.

    Flags are not read by truthiness: ``'no'`` and ``'false'`` are true strings,
    so a text flag is refused rather than silently taken as ``True``.
    """
    if not isinstance(value, bool | np.bool_):
        msg = f"`{name}` must be True or False; got {value!r}."
        raise InvalidInputTypeError(msg)
    return bool(value)


def check_levels_need_by(by: object, levels: object) -> None:
    """Refuse ``levels`` given without ``by``: it lists the groups of ``by`` and would be ignored."""
    if by is None and levels is not None:
        msg = "`levels` lists the groups of `by`; pass `by` too, or leave `levels` out."
        raise InvalidInputError(msg)


def check_instance(
    name: str, value: object, kind: type | tuple[type, ...], *, optional: bool = False
) -> None:
    """Refuse an object of the wrong class (a string for a calendar, a scheme of another kind)."""
    if optional and value is None:
        return
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        want = " or ".join(k.__name__ for k in kinds)
        msg = f"`{name}` must be a {want}{' or None' if optional else ''}; got {type(value).__name__} {value!r:.80}."
        raise InvalidInputTypeError(msg)


def check_rng(rng: object, name: str = "rng") -> np.random.Generator:
    """A numpy Generator from ``None``, a non-negative int seed or a Generator."""
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool | np.bool_):
        if rng < 0:
            msg = f"`{name}` must be a non-negative seed; got {rng!r}."
            raise InvalidInputError(msg)
        return np.random.default_rng(int(rng))
    msg = f"`{name}` must be None, a non-negative int seed or a numpy.random.Generator; got {rng!r}."
    raise InvalidInputTypeError(msg)


def check_positive_int(
    name: str, value: object, *, minimum: int = 1, maximum: int = INT64_LIMIT
) -> int:
    """Return ``value`` as an int if it is a whole number in ``[minimum, maximum]``.

    The default ``maximum`` is the int64 limit: counts beyond it cannot be held
    by the int64 arrays of states (a Python int of 10**30 would otherwise fail
    later with an OverflowError).
    """
    # numpy makes timedelta64 an integer type: it is not a count
    if isinstance(value, bool | np.timedelta64) or not isinstance(
        value, int | np.integer
    ):
        msg = f"`{name}` must be an integer; got {value!r}."
        raise InvalidInputTypeError(msg)
    if value < minimum:
        msg = f"`{name}` must be >= {minimum}; got {value!r}."
        raise InvalidInputError(msg)
    if value > maximum:
        msg = f"`{name}` must be <= {maximum}; got {value!r}."
        raise InvalidInputError(msg)
    return int(value)


def is_real(
    value: object,
) -> TypeGuard[int | float | np.integer[Any] | np.floating[Any]]:
    """A real number: an int, a float or a numpy number.

    Not a bool, and not a ``numpy.timedelta64``: numpy makes it a subclass of
    ``np.integer``, so a plain ``isinstance`` check let it through to ``float()``,
    which then failed with a foreign ``TypeError``.
    """
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_ | np.timedelta64
    )


def check_probability(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a number in [0, 1]."""
    if not is_real(value):
        msg = f"`{name}` must be a number in [0, 1]; got {value!r}."
        raise InvalidInputTypeError(msg)
    p = float(value)
    if not 0.0 <= p <= 1.0:
        msg = f"`{name}` must lie in [0, 1]; got {value!r}."
        raise InvalidInputError(msg)
    return p


def check_time(name: str, value: object, *, positive: bool = False) -> float:
    """Return ``value`` as a float if it is a finite time ``>= 0`` (``> 0`` if ``positive``)."""
    if not is_real(value):
        msg = f"`{name}` must be a number; got {value!r}."
        raise InvalidInputTypeError(msg)
    t = float(value)
    if not math.isfinite(t) or t < 0 or (positive and t == 0):
        rule = "a positive finite number" if positive else "a finite number >= 0"
        msg = f"`{name}` must be {rule}; got {value!r}."
        raise InvalidInputError(msg)
    return t
