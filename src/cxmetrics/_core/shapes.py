"""Shapes of array arguments: ragged input, broadcasting, and errors named after the caller's argument.

Three root causes of foreign exceptions found by the hardening registry (issue
#20, item 14), fixed once here:

- ``np.asarray`` on a ragged list (``[[1, 2], [3]]``) raises numpy's own
  ``ValueError``: :func:`as_array` turns it into an error naming the argument;
- arguments that are broadcast together late (after each was checked alone)
  raise numpy's "operands could not be broadcast": :func:`broadcast_shape`
  checks them up front, naming each argument and its shape;
- a front door that validates its argument through another public function
  (``compare_nps(a, b)`` calling ``nps(a)``) reports the inner name
  (``responses``): :func:`errors_named` renames it to the caller's (``a``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics.exceptions import (
    CXMetricsError,
    InvalidInputError,
    InvalidInputTypeError,
)

__all__ = ["as_array", "broadcast_shape", "errors_named"]


def as_array(values: ArrayLike, name: str) -> NDArray[Any]:
    """``np.asarray(values)`` of any shape; ragged or unconvertible input names ``name``.

    Examples
    --------
    >>> as_array([[1, 2], [3]], "t")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidInputTypeError: `t` must be a number or a rectangular array of numbers; got a ragged or nested sequence ([[1, 2], [3]]).
    """
    try:
        return np.asarray(values)
    except (TypeError, ValueError):
        msg = (
            f"`{name}` must be a number or a rectangular array of numbers; got a "
            f"ragged or nested sequence ({values!r:.60})."
        )
        raise InvalidInputTypeError(msg) from None


def broadcast_shape(named: Mapping[str, object]) -> tuple[int, ...]:
    """The common shape of array arguments, or an error naming each one and its shape.

    Examples
    --------
    >>> broadcast_shape({"t": 3.0, "frequency": [1, 2]})
    (2,)
    >>> broadcast_shape({"t": [1.0, 2.0, 3.0], "frequency": [1, 2]})
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidInputError: `t` and `frequency` must broadcast to one shape; got shapes `t` (3,) and `frequency` (2,).
    """
    shapes = {k: np.shape(as_array(v, k)) for k, v in named.items()}  # type: ignore[arg-type]
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        names = list(shapes)
        listed = ", ".join(f"`{k}`" for k in names[:-1]) + f" and `{names[-1]}`"
        got = ", ".join(f"`{k}` {s}" for k, s in list(shapes.items())[:-1])
        got += f" and `{names[-1]}` {shapes[names[-1]]}"
        msg = f"{listed} must broadcast to one shape; got shapes {got}."
        raise InvalidInputError(msg) from None


@contextmanager
def errors_named(
    names: Mapping[str, str], *, derived: Mapping[str, str] | None = None
) -> Iterator[None]:
    """Rename arguments in the cxmetrics errors raised inside: ``{"responses": "a"}``.

    Only the backticked name is replaced (```responses``` -> ```a```), so the rest
    of the message is untouched. ``derived`` explains arguments the caller computed
    from its own (``{"traffic": "`volumes` x `aht` / `interval_length`"}``): an
    error naming one gets "(here `traffic` = ...)" appended.

    Examples
    --------
    >>> with errors_named({"responses": "a"}):
    ...     raise InvalidInputError("`responses` must be 1-D; got an array of shape ().")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidInputError: `a` must be 1-D; got an array of shape ().
    """
    try:
        yield
    except CXMetricsError as err:
        text = str(err)
        renamed = text
        for inner, outer in names.items():
            renamed = renamed.replace(f"`{inner}`", f"`{outer}`")
            renamed = renamed.replace(f"`{inner}[", f"`{outer}[")
        notes = [
            f"`{name}` = {how}"
            for name, how in (derived or {}).items()
            if f"`{name}`" in text or f"`{name}[" in text
        ]
        if notes:
            renamed = f"{renamed} (here {' and '.join(notes)})"
        if renamed == text:
            raise
        raise type(err)(renamed) from err
