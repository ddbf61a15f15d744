"""One declaration per metric result: the grouped result is generated from the scalar one.

A metric declares its scalar result once, as a frozen attrs class. Each field is

* a **column** (the default): one value per group. Its annotation says its dtype:
  ``float``, ``int``, ``bool`` or ``tuple[int, ...]`` (a row of counts, a 2-D
  column). :func:`column` marks the hidden ones (kept out of tables and dicts)
  and the one holding the group's key;
* a **shared** parameter (:func:`shared`): one value for every group, such as
  ``confidence_level``, ``method`` or a scheme;
* **scalar only** (:func:`scalar_only`): a field the grouped result does not hold
  (the scalar built from a group takes its default).

:func:`grouped_result` reads these fields and turns a small class body (methods,
docstring) into the grouped result: an attrs class whose fields are ``keys``, then
one read-only array per column and the shared parameters, in the scalar's order
(so positional construction reads like the scalar's). ``grouped[key]`` is built
from the same declaration, so it is exactly the scalar result of that group;
``len``, ``to_dict``, ``to_pandas``/``to_polars``, the text table and
``_repr_html_`` come from :class:`GroupedResult`. Derived properties and interval
methods are written once, on arrays, in a mixin that both classes inherit (see
:class:`cxmetrics.stats._bounds.IntervalMethods`).

Typing. The grouped fields are made at import time, so mypy cannot see them from
the declaration. :class:`GroupedResult` declares what every grouped result holds
(``keys``, ``value`` as float64, ``n`` as int64) and, for type checkers only, a
``__getattr__`` typing every other column as ``NDArray[Any]`` (which it is) and
``__getitem__`` returning the scalar result. A grouped class body must annotate
its shared parameters (``scheme: NPSScheme``) and extra fields, and may annotate
columns more precisely (``promoters: NDArray[np.int64]``); the decorator checks
these annotations against the scalar's declaration when the module is imported,
so the two cannot drift apart. We chose this over a mypy plugin (more machinery
to maintain) and over ``__getattr__`` returning ``Any`` (no useful types).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.grouped import GroupedResultMixin

__all__ = [
    "GroupedResult",
    "column",
    "frozen_bool",
    "grouped_result",
    "scalar_only",
    "shared",
]

_S = TypeVar("_S")
_G = TypeVar("_G", bound="GroupedResult[Any]")
_ROLE = "cxmetrics.role"


def frozen_bool(x: ArrayLike) -> NDArray[np.bool_]:
    """Copy ``x`` to a read-only bool array."""
    arr = np.array(x, dtype=np.bool_)
    arr.setflags(write=False)
    return arr


#: per annotation of a scalar column: the converter and comparison of its array
_KINDS: dict[str, tuple[Callable[[Any], NDArray[Any]], Any]] = {
    "float": (frozen_float, nan_array_eq),
    "int": (frozen_int, array_eq),
    "bool": (frozen_bool, array_eq),
    "tuple[int, ...]": (frozen_int, array_eq),
}


def _kind(annotation: object) -> str:
    """An annotation as text: ``float`` and ``"float"`` (postponed annotations) alike."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation)  # e.g. tuple[int, ...]


def shared(
    *,
    default: Any = attrs.NOTHING,
    converter: Callable[[Any], Any] | None = None,
    kw_only: bool = False,
) -> Any:
    """A parameter every group shares (a scheme, a method, a confidence level)."""
    return attrs.field(
        default=default,
        converter=converter,
        kw_only=kw_only,
        metadata={_ROLE: "shared"},
    )


def scalar_only(*, default: Any) -> Any:
    """A field of the scalar result alone; the grouped result does not hold it."""
    return attrs.field(default=default, metadata={_ROLE: "scalar"})


def column(*, hidden: bool = False, key: bool = False) -> Any:
    """A column kept out of tables and dicts (``hidden``), or the group's ``key``."""
    role = "key" if key else "hidden" if hidden else "column"
    return attrs.field(repr=not hidden, metadata={_ROLE: role})


class GroupedResult(GroupedResultMixin, Generic[_S]):
    """Base of generated grouped results; ``result[key]`` is that group's scalar result.

    Lookup, ``to_dict`` (with ``ci_low``/``ci_high`` when ``_ci_columns``) and the
    tables come from :class:`GroupedResultMixin`; this base adds the typing.
    """

    keys: NDArray[Any]
    value: NDArray[np.float64]
    n: NDArray[np.int64]

    if TYPE_CHECKING:

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

        def __getattr__(self, name: str) -> NDArray[Any]: ...

        def __getitem__(self, key: object) -> _S: ...


def _check_annotations(cls: type, these: dict[str, Any], scalar: type) -> None:
    """A grouped body's annotations must agree with the scalar's declaration."""
    declared = {f.name: f for f in attrs.fields(scalar)}
    noted = {name for c in cls.__mro__ for name in inspect.get_annotations(c)}
    unnoted = sorted(
        name
        for name in these
        if name not in noted
        and (name not in declared or declared[name].metadata.get(_ROLE) == "shared")
    )
    if unnoted:  # mypy would take them for columns (NDArray) otherwise
        msg = f"{cls.__name__} must annotate its shared and extra fields {unnoted}."
        raise TypeError(msg)
    for name, note in inspect.get_annotations(cls).items():
        text = _kind(note)
        if text.startswith(("ClassVar", "typing.ClassVar")):
            continue
        f = declared.get(name)
        role = f.metadata.get(_ROLE, "column") if f is not None else None
        if name not in these:
            msg = f"{cls.__name__}.{name} is not a field of {scalar.__name__}."
            raise TypeError(msg)
        if role == "shared" and f is not None and text != _kind(f.type):
            msg = f"{cls.__name__}.{name} is annotated {text!r}; {scalar.__name__} declares {f.type!r}."
            raise TypeError(msg)
        if role in {"column", "hidden"} and not text.startswith(("NDArray", "_F")):
            msg = f"{cls.__name__}.{name} is a column: annotate it as an NDArray, not {text!r}."
            raise TypeError(msg)


def _filler(value: Any) -> Any:
    """Default of a column whose scalar field has a default: that value per group."""
    return attrs.Factory(
        lambda self: np.full(self.keys.shape[0], value), takes_self=True
    )


def grouped_result(
    scalar: type[_S],
    *,
    table: tuple[str, ...],
    ci_columns: bool = False,
    extra: dict[str, Any] | None = None,
) -> Callable[[type[_G]], type[_G]]:
    """Make the decorated class the grouped result of ``scalar``.

    Parameters
    ----------
    scalar : type
        The scalar result (a frozen attrs class declared with :func:`shared`,
        :func:`column` and :func:`scalar_only`).
    table : tuple of str
        Columns of the text table (after the key).
    ci_columns : bool, default False
        Add the default interval to ``to_dict`` (``ci_low``, ``ci_high``).
    extra : dict of str to attrs field, optional
        Fields of the grouped result alone, after the generated ones.

    Examples
    --------
    >>> import attrs
    >>> @attrs.frozen
    ... class Rate:
    ...     value: float
    ...     n: int
    ...     metric: str = shared()
    >>> @grouped_result(Rate, table=("value", "n"))
    ... class GroupedRate(GroupedResult[Rate]):
    ...     metric: str
    >>> g = GroupedRate(["a", "b"], [0.5, 1.0], [2, 1], "demo")
    >>> g["b"], len(g), g.value.flags.writeable
    (Rate(value=1.0, n=1, metric='demo'), 2, False)
    """

    def build(cls: type[_G]) -> type[_G]:
        these: dict[str, Any] = {
            "keys": attrs.field(converter=frozen_keys, eq=array_eq)
        }
        roles: dict[str, list[str]] = {"column": [], "hidden": [], "shared": []}
        key_field = None
        for f in attrs.fields(cast("type[Any]", scalar)):
            role = f.metadata.get(_ROLE, "column")
            if role == "key":
                key_field = f.name
            elif role == "shared":
                these[f.name] = attrs.field(
                    default=f.default, converter=f.converter, kw_only=f.kw_only
                )
                roles["shared"].append(f.name)
            elif role != "scalar":
                kind = _kind(f.type)
                if kind not in _KINDS:
                    msg = f"{scalar.__name__}.{f.name}: a column must be float, int, bool or tuple[int, ...]; declare it shared() otherwise (got {f.type!r})."
                    raise TypeError(msg)
                convert, eq = _KINDS[kind]
                default = (
                    attrs.NOTHING if f.default is attrs.NOTHING else _filler(f.default)
                )
                these[f.name] = attrs.field(
                    default=default,
                    converter=convert,
                    eq=eq,
                    kw_only=f.kw_only,
                    repr=role != "hidden",
                )
                roles[role].append(f.name)
        these.update(extra or {})
        _check_annotations(cls, these, scalar)
        cls._scalar_result = scalar
        cls._columns = tuple(roles["column"])
        cls._hidden = tuple(roles["hidden"])
        cls._shared = tuple(roles["shared"])
        cls._key_field = key_field
        cls._table = table
        cls._ci_columns = ci_columns
        missing = set(table) - set(these)
        if missing:
            msg = f"{cls.__name__}: table columns {sorted(missing)} are not fields."
            raise TypeError(msg)
        return attrs.frozen(
            cls, these=these, repr=False, field_transformer=nan_equal_fields
        )

    return build
