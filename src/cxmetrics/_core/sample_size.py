"""Sample-size arithmetic shared by the planners (a proportion's, NPS's).

Each planner computes the unrounded size :math:`n_0` of its interval; these helpers
check the numbers it is given and round :math:`n_0` up, with the finite population
correction :math:`n = n_0 / (1 + (n_0 - 1)/N)`.

Examples
--------
>>> rounded_up(384.1, None, 0.05)
385
>>> rounded_up(384.1, 1000, 0.05)
278
"""

from __future__ import annotations

import math

from cxmetrics._core.checks import check_positive_int, is_real
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError

__all__ = ["check_share", "real", "rounded_up"]


def real(name: str, value: object) -> float:
    """``value`` as a float; a bool or a non-number is refused, naming ``name``."""
    if not is_real(value):
        msg = f"`{name}` must be a number; got {value!r}."
        raise InvalidInputTypeError(msg)
    return float(value)


def check_share(name: str, value: float) -> float:
    """``value`` as a float share in [0, 1], else refused naming ``name``."""
    v = real(name, value)
    if not 0.0 <= v <= 1.0:
        msg = f"`{name}` must lie in [0, 1]; got {value!r}."
        raise InvalidInputError(msg)
    return v


def _finite_population(n0: float, population: int | None) -> float:
    if population is None:
        return n0
    pop = check_positive_int("population", population)
    return n0 / (1.0 + (n0 - 1.0) / pop)


def rounded_up(n0: float, population: int | None, margin: object) -> int:
    """The size rounded up; a size past float range is refused, not an OverflowError."""
    n = _finite_population(n0, population)
    if not math.isfinite(n):
        msg = (
            f"`margin` {margin!r} is too small: the sample size it needs exceeds "
            "1e308 responses. Use a larger margin."
        )
        raise InvalidInputError(msg)
    return max(1, math.ceil(n - 1e-9))
