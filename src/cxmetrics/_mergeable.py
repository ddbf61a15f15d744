"""What every state shares: ``+`` and ``sum()`` over ``merge``, and tagged plain dicts.

Each state class defines ``merge`` (its exact combination of sufficient
statistics) and ``to_dict`` / ``from_dict``. This mixin supplies the rest once:
``a + b`` (states of different types never merge), ``sum(states)`` (which starts
from ``0``), and the ``"type"`` tag that ``from_dict`` checks, so a dict of one
state cannot be read as another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from cxmetrics.exceptions import IncompatibleStateError, InvalidInputError

__all__ = ["Mergeable"]


class Mergeable:
    """``+``, ``sum()`` and the type tag of plain dicts, for classes that define ``merge``."""

    __slots__ = ()

    #: combine with a state of the same type (defined by every state class)
    merge: Callable[[Any], Any]

    def __add__(self, other: object) -> Self:
        if not isinstance(other, Mergeable):
            return NotImplemented
        if type(other) is not type(self):
            msg = f"cannot merge {type(self).__name__} with {type(other).__name__}."
            raise IncompatibleStateError(msg)
        merged: Self = self.merge(other)
        return merged

    def __radd__(self, other: object) -> Self:
        # lets the built-in sum() start from 0
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    def _tag(self) -> dict[str, Any]:
        """The start of :meth:`to_dict`: the state's type."""
        return {"type": type(self).__name__}

    @classmethod
    def _check_tag(cls, data: dict[str, Any]) -> None:
        """Refuse, in :meth:`from_dict`, a dict written by another state type."""
        if data.get("type") != cls.__name__:
            msg = f"`data` describes a {data.get('type')!r}, not a {cls.__name__}."
            raise InvalidInputError(msg)
