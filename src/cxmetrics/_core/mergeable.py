"""What every state shares: ``+`` and ``sum()`` over ``merge``, and tagged plain dicts.

Each state class defines ``merge`` (its exact combination of sufficient
statistics) and ``to_dict`` / ``from_dict``. This mixin supplies the rest once:
``a + b`` (states of different types never merge), ``sum(states)`` (which starts
from ``0``), and the ``"type"`` tag that ``from_dict`` checks, so a dict of one
state cannot be read as another.

It also guards every state class's ``from_dict`` and ``merge`` in one place
(:meth:`Mergeable.__init_subclass__` wraps them), so no state re-implements the
checks:

- ``from_dict`` takes a dict; a missing key or a value of the wrong kind is an
  :class:`~cxmetrics.exceptions.InvalidInputError` naming ``data``, never a
  ``KeyError`` or ``AttributeError``; no number in it may be NaN or infinite, and
  no integer field may be read from a fractional number;
- every loaded or merged state obeys :func:`check_state`: counts are
  non-negative, float sums finite (and non-negative unless signed), and every
  exactly-summed int64 field totals less than ``2**63`` in absolute value, so
  its sums (``n``, merged counts, cohort revenue) cannot overflow;
- ``merge`` refuses, before adding, two states whose int64 totals together would
  pass ``2**63 - 1`` (numpy's int64 sums wrap around silently).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

import attrs
import numpy as np

from cxmetrics.exceptions import (
    CXMetricsError,
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
)

__all__ = ["INT64_LIMIT", "Mergeable", "check_int64_total", "check_state"]

#: the largest total an int64 field can hold exactly
INT64_LIMIT = 2**63 - 1
# float sums carry relative rounding of about n * 2**-53; refuse a little early
_SAFE_TOTAL = float(INT64_LIMIT) * (1.0 - 1e-6)


class Mergeable:
    """``+``, ``sum()`` and the type tag of plain dicts, for classes that define ``merge``."""

    __slots__ = ()

    #: int fields that are labels or positions (period numbers), not counts:
    #: they may be negative and are not summed
    _ordinal_fields: ClassVar[tuple[str, ...]] = ()
    #: numeric fields that may be negative (money) but are summed exactly
    _signed_fields: ClassVar[tuple[str, ...]] = ()
    #: float fields that may hold NaN (a documented "undefined" entry)
    _nan_fields: ClassVar[tuple[str, ...]] = ()
    #: shapes of array fields: an int is a fixed length, a letter a length
    #: shared by every field that names it (e.g. ``{"keys": ("g",), "counts": ("g", "k")}``)
    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "from_dict" in own:
            guarded = classmethod(_guard_from_dict(own["from_dict"].__func__))
            setattr(cls, "from_dict", guarded)  # noqa: B010  (mypy: no method assignment)
        if "merge" in own:
            setattr(cls, "merge", _guard_merge(own["merge"]))  # noqa: B010

    #: combine with a state of the same type (defined by every state class)
    merge: Callable[[Any], Any]

    def __add__(self, other: object) -> Self:
        if not isinstance(other, Mergeable):
            if isinstance(other, int) and not isinstance(other, bool) and other == 0:
                return self  # sum() and a running total that starts at 0
            msg = (
                f"cannot add a {type(other).__name__} to a {type(self).__name__}: "
                "only states of the same type merge."
            )
            raise InvalidInputTypeError(msg)
        if type(other) is not type(self):
            msg = f"cannot merge {type(self).__name__} with {type(other).__name__}."
            raise IncompatibleStateError(msg)
        merged: Self = self.merge(other)
        return merged

    def __radd__(self, other: object) -> Self:
        # lets the built-in sum() start from 0
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        msg = (
            f"cannot add a {type(self).__name__} to a {type(other).__name__}: "
            "only states of the same type merge."
        )
        raise InvalidInputTypeError(msg)

    def _tag(self) -> dict[str, Any]:
        """The start of :meth:`to_dict`: the state's type."""
        return {"type": type(self).__name__}

    @classmethod
    def _check_tag(cls, data: dict[str, Any]) -> None:
        """Refuse, in :meth:`from_dict`, a dict written by another state type."""
        if data.get("type") != cls.__name__:
            msg = f"`data` describes a {data.get('type')!r}, not a {cls.__name__}."
            raise InvalidInputError(msg)


def _numeric_fields(state: Any) -> list[tuple[str, Any]]:
    """(name, value) of the int and float fields of an attrs state (keys excluded)."""
    out = []
    for field in attrs.fields(type(state)):
        if field.name in ("keys", "customers"):
            continue
        value = getattr(state, field.name)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float, np.integer, np.floating)) or (
            isinstance(value, np.ndarray) and value.dtype.kind in "iuf"
        ):
            out.append((field.name, value))
    return out


def _total(value: Any) -> float:
    arr = np.asarray(value)
    if arr.size == 0:
        return 0.0
    return float(np.abs(arr.astype(np.float64)).sum())


def _bound(value: Any) -> float:
    """An upper bound of :func:`_total`: the largest absolute value times the size.

    Two reductions and no copy; the exact total (a float64 copy of the array) is
    only needed when this bound could pass the limit.
    """
    arr = np.asarray(value)
    if arr.size == 0:
        return 0.0
    return max(abs(float(arr.max())), abs(float(arr.min()))) * arr.size


def check_int64_total(name: str, total: float, what: str = "the sum") -> None:
    """Refuse an exact int64 total that could pass ``2**63 - 1``."""
    if not total <= _SAFE_TOTAL:
        msg = (
            f"`{name}`: {what} would reach {total:.4g}, past the int64 limit "
            f"{INT64_LIMIT} of exact sums; int64 arithmetic would wrap around silently. "
            "Split the data so that each total fits, or use larger units (e.g. for money)."
        )
        raise InvalidInputError(msg)


def check_state(state: Any) -> None:
    """The invariants every state holds, whether built from data, loaded or merged.

    Counts (int fields other than ordinals) are non-negative; float fields are
    finite (NaN only where declared) and non-negative unless signed; the
    absolute total of every summed int field stays below ``2**63``.
    """
    cls = type(state)
    name = cls.__name__
    _check_shapes(state)
    for field, value in _numeric_fields(state):
        arr = np.asarray(value)
        if arr.size == 0:
            continue
        ordinal = field in cls._ordinal_fields
        signed = ordinal or field in cls._signed_fields
        if arr.dtype.kind == "f":
            bad = ~np.isfinite(arr)
            if field in cls._nan_fields:
                bad &= ~np.isnan(arr)
            if bad.any():
                i = int(np.flatnonzero(bad.ravel())[0])
                msg = (
                    f"`{field}` of a {name} must be finite; got {arr.ravel()[i]} at "
                    f"flat index {i}. The state is corrupted; rebuild it from the data."
                )
                raise InvalidInputError(msg)
        if not signed:
            neg = arr < 0
            if neg.any():
                i = int(np.flatnonzero(neg.ravel())[0])
                msg = (
                    f"`{field}` of a {name} must be non-negative; got {arr.ravel()[i]} "
                    f"at flat index {i}. The state is corrupted; rebuild it from the data."
                )
                raise InvalidInputError(msg)
        if arr.dtype.kind in "iu" and not ordinal and _bound(arr) > _SAFE_TOTAL:
            check_int64_total(f"{name}.{field}", _total(arr), "the total")


def _check_shapes(state: Any) -> None:
    cls = type(state)
    sizes: dict[str, tuple[int, str]] = {}
    for field, spec in cls._shapes.items():
        value = getattr(state, field)
        if value is None:
            continue
        shape = np.shape(value)
        ok = len(shape) == len(spec)
        for dim, want in zip(shape, spec, strict=False):
            if not ok:
                break
            if isinstance(want, int):
                ok = dim == want
            elif want in sizes:
                ok = dim == sizes[want][0]
            else:
                sizes[want] = (dim, field)
        if not ok:
            seen = ", ".join(f"{k}={v[0]} (from `{v[1]}`)" for k, v in sizes.items())
            msg = (
                f"`{field}` of a {cls.__name__} must have shape {spec}"
                f"{' with ' + seen if seen else ''}; got {shape}. "
                "The state is corrupted; rebuild it from the data."
            )
            raise InvalidInputError(msg)


def _check_loaded_numbers(cls: type, data: Mapping[str, Any], state: Any) -> None:
    """No NaN/inf anywhere in ``data``; no int field read from a fractional number."""
    nan_ok = set(cls._nan_fields)  # type: ignore[attr-defined]
    for key, raw in data.items():
        if key in nan_ok or raw is None or isinstance(raw, (str, bool)):
            continue
        try:
            arr = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            continue  # nested or textual: left to the state's own checks
        if not np.isfinite(arr).all():
            msg = (
                f"`data[{key!r}]` of a {cls.__name__} holds NaN or infinite values; "
                "a stored state has finite numbers only. Rebuild it from the data."
            )
            raise InvalidInputError(msg)
        field = getattr(state, key, None)
        if (
            isinstance(field, (np.ndarray, int, np.integer))
            and not isinstance(field, bool)
            and np.asarray(field).dtype.kind in "iu"
            and arr.size
            and (arr != np.floor(arr)).any()
        ):
            msg = (
                f"`data[{key!r}]` of a {cls.__name__} must hold whole numbers; got "
                f"{arr.ravel()[np.flatnonzero(arr.ravel() != np.floor(arr.ravel()))[0]]}."
            )
            raise InvalidInputError(msg)


def _guard_from_dict(load: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(load)
    def from_dict(cls: type, data: object) -> Any:
        if not isinstance(data, Mapping):
            msg = (
                f"`data` must be a dict written by {cls.__name__}.to_dict(); "
                f"got {type(data).__name__}."
            )
            raise InvalidInputTypeError(msg)
        try:
            state = load(cls, dict(data))
        except CXMetricsError:
            raise
        except KeyError as err:
            msg = f"`data` is not a {cls.__name__} dict: it has no key {err}. Use the output of to_dict()."
            raise InvalidInputError(msg) from err
        except (
            TypeError,
            ValueError,
            AttributeError,
            IndexError,
            OverflowError,
        ) as err:
            msg = f"`data` is not a valid {cls.__name__} dict ({type(err).__name__}: {err}). Use the output of to_dict()."
            raise InvalidInputError(msg) from err
        _check_loaded_numbers(cls, data, state)
        check_state(state)
        return state

    return from_dict


def _guard_merge(merge: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    @functools.wraps(merge)
    def guarded(self: Any, other: Any) -> Any:
        if type(other) is type(self):
            mine = dict(_numeric_fields(self))
            cls = type(self)
            for field, value in _numeric_fields(other):
                if field in cls._ordinal_fields or field not in mine:
                    continue
                if np.asarray(value).dtype.kind not in "iu":
                    continue
                if _bound(mine[field]) + _bound(value) <= _SAFE_TOTAL:
                    continue  # the exact totals are smaller still
                check_int64_total(
                    f"{cls.__name__}.{field}",
                    _total(mine[field]) + _total(value),
                    "the merged total",
                )
        return merge(self, other)

    return guarded
