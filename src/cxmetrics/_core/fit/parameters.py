"""Parameters of a fitted model: the one positivity check and the log transform."""

from __future__ import annotations

import math

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.checks import is_real
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError

__all__ = ["LOG_BOX", "ParameterSpec", "check_positive"]

Float = NDArray[np.float64]

#: the free parameters u = log(theta - lower) are kept in this box (exp finite)
LOG_BOX = (-25.0, 25.0)


def check_positive(name: str, value: object) -> float:
    """A model parameter: a positive finite real number, as float.

    Raises
    ------
    InvalidInputTypeError
        When ``value`` is not a real number (``bool`` included).
    InvalidInputError
        When it is not positive and finite; both messages name the parameter
        and the value.

    Examples
    --------
    >>> check_positive("alpha", 2)
    2.0
    """
    if not is_real(value):
        msg = f"`{name}` must be a positive number; got {value!r}."
        raise InvalidInputTypeError(msg)
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        msg = f"`{name}` must be a positive finite number; got {value!r}."
        raise InvalidInputError(msg)
    return v


@attrs.frozen(field_transformer=nan_equal_fields)
class ParameterSpec:
    """Names of a model's parameters and the lower bound of each (default 0).

    Examples
    --------
    >>> spec = ParameterSpec(("p", "q"), lower=(0.0, 1.0))
    >>> spec.to_free(np.array([1.0, 3.0])).round(4).tolist()
    [0.0, 0.6931]
    """

    names: tuple[str, ...]
    lower: tuple[float, ...] = attrs.field()

    @lower.default
    def _zeros(self) -> tuple[float, ...]:
        return (0.0,) * len(self.names)

    @property
    def base(self) -> Float:
        """The lower bounds as an array."""
        return np.asarray(self.lower, dtype=np.float64)

    def to_free(self, theta: ArrayLike) -> Float:
        """``u = log(theta - lower)``."""
        return np.asarray(
            np.log(np.asarray(theta, dtype=np.float64) - self.base), dtype=np.float64
        )

    def to_natural(self, u: Float) -> Float:
        """``theta = lower + exp(u)``, ``u`` clipped to the box."""
        lo, hi = LOG_BOX
        return np.asarray(self.base + np.exp(np.clip(u, lo, hi)), dtype=np.float64)
