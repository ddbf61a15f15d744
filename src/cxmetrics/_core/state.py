"""Declarative mergeable states: each field declared once with its role; the rest generated.

A state is a frozen attrs class whose fields carry a role in their metadata:
:func:`parameter` (equal in two states that merge: a survey scheme, funnel
steps; written to plain dicts by a declared (de)serialiser), :func:`summed` (a
sufficient statistic that adds up, int64 exactly or float64, its shape declared
without the group axis; optional ones are ``None`` for an implicit value that a
declared ``fill`` computes when the other side of a merge has one) and
:func:`group_keys`. From the roles, :class:`KeyedState` generates ``merge``
(elementwise sums; grouped: align keys and scatter-add, keys of either side
kept), ``to_dict``/``from_dict`` (type tag, dtype-preserving keys, arrays
reshaped per declared shape), ``_empty``, the shape checks, and the
``_shapes``/``_signed_fields``/``_nan_fields``/``_ordinal_fields`` that
:func:`~cxmetrics._core.mergeable.check_state` applies; :class:`GroupedState`
adds ``len()`` and ``state[key]``. ``+`` and ``sum()`` come from
:class:`~cxmetrics._core.mergeable.Mergeable`, like its checks of loaded and
merged states.

The scalar state is the one-group case: the same roles without keys, merged
elementwise; ``grouped[key]`` builds it from one row of every per-group field.
Shape letters (``"k"``) are shared between fields, or fixed by the parameters
through the class's ``_dims``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, Self

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.keys import align_keys, decode_keys, encode_keys, position
from cxmetrics._core.mergeable import Mergeable
from cxmetrics.exceptions import (
    CXMetricsError,
    IncompatibleStateError,
    InvalidInputError,
)

__all__ = [
    "GroupedState",
    "KeyedState",
    "Role",
    "group_keys",
    "parameter",
    "summed",
]

_ROLE = "cxmetrics.state.role"
Shape = tuple[int | str, ...]


@attrs.frozen(field_transformer=nan_equal_fields)
class Role:
    """What a field is to the state machinery (stored in the field's metadata)."""

    kind: Literal["parameter", "summed", "keys"]
    dtype: type[np.generic] | None = None
    shape: Shape = ()
    per_group: bool = True
    optional: bool = False
    fill: Callable[[Any], Any] | None = None
    signed: bool = False
    nan: bool = False
    ordinal: bool = False
    dump: Callable[[Any], Any] | None = None
    load: Callable[[type, Any], Any] | None = None


def parameter(
    *,
    dump: Callable[[Any], Any] | None = None,
    load: Callable[[type, Any], Any] | None = None,
    ordinal: bool = False,
) -> dict[str, Role]:
    """Metadata of a parameter: equal in two states that merge.

    ``dump`` turns the value into plain Python for :meth:`KeyedState.to_dict`
    (default: attrs classes as dicts, tuples as lists); ``load(cls, raw)`` reads
    it back (default: the raw value, left to the field's converter).
    """
    return {_ROLE: Role("parameter", dump=dump, load=load, ordinal=ordinal)}


def summed(
    dtype: type[np.generic],
    shape: Shape = (),
    *,
    optional: bool = False,
    fill: Callable[[Any], Any] | None = None,
    per_group: bool = True,
    signed: bool = False,
    nan: bool = False,
) -> dict[str, Role]:
    """Metadata of a summed field of ``dtype`` (``np.int64`` exact, or ``np.float64``).

    ``shape`` excludes the group axis. An ``optional`` field may be ``None``
    (implicit); ``fill(state)`` gives its value when the other side of a merge
    has one. ``signed`` fields may be negative, ``nan`` ones may hold NaN.
    """
    if optional and fill is None:
        msg = "an optional summed field needs `fill`."
        raise TypeError(msg)
    role = Role("summed", dtype, shape, per_group, optional, fill, signed, nan)
    return {_ROLE: role}


def group_keys(*, optional: bool = False) -> dict[str, Role]:
    """Metadata of the group keys (``optional``: ``None`` for one unnamed row)."""
    return {_ROLE: Role("keys", optional=optional)}


@attrs.frozen(field_transformer=nan_equal_fields)
class _Spec:
    params: tuple[str, ...]
    keys: str | None
    summed: tuple[tuple[str, Role], ...]
    roles: dict[str, Role]

    def shape(self, role: Role) -> Shape:
        grouped = self.keys is not None and role.per_group
        return ("g", *role.shape) if grouped else role.shape


_SPECS: dict[type, _Spec] = {}


def _spec(cls: type) -> _Spec:
    """The declaration of an attrs state class (read once per class)."""
    if cls not in _SPECS:
        roles = {
            f.name: f.metadata[_ROLE] for f in attrs.fields(cls) if _ROLE in f.metadata
        }
        keys = [name for name, r in roles.items() if r.kind == "keys"]
        _SPECS[cls] = _Spec(
            params=tuple(n for n, r in roles.items() if r.kind == "parameter"),
            keys=keys[0] if keys else None,
            summed=tuple((n, r) for n, r in roles.items() if r.kind == "summed"),
            roles=roles,
        )
    return _SPECS[cls]


def _resolve(
    shape: Shape, sizes: Mapping[str, int], unknown: int = -1
) -> tuple[int, ...]:
    """A declared shape in numbers (``unknown`` for a letter of unknown size)."""
    return tuple(d if isinstance(d, int) else sizes.get(d, unknown) for d in shape)


class _Derived:
    """A class attribute computed from the declaration (``cls._shapes`` etc.)."""

    def __init__(self, compute: Callable[[_Spec], Any]) -> None:
        self.compute = compute
        self.values: dict[type, Any] = {}

    def __get__(self, obj: object, owner: type) -> Any:
        if not attrs.has(owner):  # the base classes, or a class attrs is still building
            return self.compute(_Spec((), None, (), {}))
        if owner not in self.values:
            self.values[owner] = self.compute(_spec(owner))
        return self.values[owner]


def _flagged(flag: str) -> _Derived:
    return _Derived(lambda s: tuple(n for n, r in s.roles.items() if getattr(r, flag)))


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return attrs.asdict(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


class KeyedState(Mergeable):
    """Base of declared states: merge, plain dicts and shape checks from field roles.

    Subclasses are ``@attrs.frozen`` classes whose fields carry the metadata of
    :func:`parameter`, :func:`summed` or :func:`group_keys`, and may define
    ``_dims`` (sizes of shape letters from the parameters) and ``_scalar`` (the
    state class of one group).

    Examples
    --------
    >>> import attrs, numpy as np
    >>> from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys
    >>> @attrs.frozen(unsafe_hash=False)
    ... class Visits(GroupedState):
    ...     site: str = attrs.field(metadata=parameter())
    ...     keys: np.ndarray = attrs.field(
    ...         converter=frozen_keys, eq=array_eq, metadata=group_keys()
    ...     )
    ...     pages: np.ndarray = attrs.field(
    ...         converter=frozen_int, eq=array_eq, metadata=summed(np.int64, (2,))
    ...     )
    >>> a = Visits("shop", ["mon"], [[3, 1]])
    >>> b = Visits("shop", ["tue", "mon"], [[5, 0], [1, 1]])
    >>> (a + b).keys.tolist(), (a + b).pages.tolist()
    (['mon', 'tue'], [[4, 2], [5, 0]])
    >>> (a + b).to_dict()
    {'type': 'Visits', 'site': 'shop', 'keys': {'dtype': '<U3', 'values': ['mon', 'tue']}, 'pages': [[4, 2], [5, 0]]}
    >>> Visits.from_dict((a + b).to_dict()) == a + b
    True
    >>> (a + b)["tue"].pages.tolist(), len(a + b)
    ([[5, 0]], 2)
    >>> a + Visits("blog", ["mon"], [[1, 0]])
    Traceback (most recent call last):
      ...
    cxmetrics.exceptions.IncompatibleStateError: cannot merge Visits states with different site: 'shop' and 'blog'.
    """

    __slots__ = ()

    _shapes = _Derived(
        lambda s: {
            **({s.keys: ("g",)} if s.keys else {}),
            **{n: s.shape(r) for n, r in s.summed},
        }
    )
    _signed_fields = _flagged("signed")
    _nan_fields = _flagged("nan")
    _ordinal_fields = _flagged("ordinal")
    #: the error a constructor raises for arrays of the wrong shape
    _shape_error: ClassVar[type[CXMetricsError]] = InvalidInputError
    #: the message of a merge refused for a parameter (``cls``, ``name``, ``a``, ``b``)
    _mismatch: ClassVar[str] = (
        "cannot merge {cls} states with different {name}: {a!r} and {b!r}."
    )

    @classmethod
    def _dims(cls, params: Mapping[str, Any]) -> dict[str, int]:  # noqa: ARG003
        """Sizes of the shape letters that the parameters fix (e.g. ``{"k": 11}``)."""
        return {}

    # -- declaration helpers ---------------------------------------------------

    def _params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _spec(type(self)).params}

    def _keys(self) -> NDArray[Any] | None:
        name = _spec(type(self)).keys
        return None if name is None else getattr(self, name)

    def _rows(self) -> int:
        """Number of groups (rows of every per-group field)."""
        spec = _spec(type(self))
        keys = self._keys()
        if keys is not None:
            return int(keys.shape[0])
        for name, role in spec.summed:
            value = getattr(self, name)
            if role.per_group and value is not None:
                return int(np.shape(value)[0]) if np.ndim(value) else 1
        return 1

    def __attrs_post_init__(self) -> None:
        self._check_declared()

    def _check_declared(self) -> None:
        """Shapes as declared (letters consistent); exact counts non-negative."""
        cls = type(self)
        spec = _spec(cls)
        sizes = dict(cls._dims(self._params()))
        keys = self._keys()
        if keys is not None:
            if keys.ndim != 1:
                msg = f"`{spec.keys}` of a {cls.__name__} must be 1-D; got shape {keys.shape}."
                raise cls._shape_error(msg)
            sizes["g"] = int(keys.shape[0])
        for name, role in spec.summed:
            value = getattr(self, name)
            if value is None:
                continue
            want, got = spec.shape(role), np.shape(value)
            ok = len(got) == len(want)
            for dim, letter in zip(got, want, strict=False):
                size = (
                    letter if isinstance(letter, int) else sizes.setdefault(letter, dim)
                )
                ok = ok and dim == size
            if not ok:
                expect = _resolve(want, sizes)
                msg = f"`{name}` of a {cls.__name__} must have shape {want} = {expect}; got {got}."
                raise cls._shape_error(msg)
            if role.dtype is np.int64 and not role.signed and np.any(value < 0):
                bad = np.ravel(value)[np.ravel(value) < 0][0]
                msg = f"`{name}` of a {cls.__name__} must be non-negative; got {bad}."
                raise InvalidInputError(msg)

    # -- generated methods -----------------------------------------------------

    @classmethod
    def _empty(cls, keys: Any = None, **params: Any) -> Self:
        """The state without data for ``params`` (no groups unless ``keys`` are given)."""
        spec = _spec(cls)
        sizes = {**cls._dims(params), "g": 0 if keys is None else len(keys)}
        fields: dict[str, Any] = dict(params)
        if spec.keys is not None:
            optional = spec.roles[spec.keys].optional
            fields[spec.keys] = (
                np.zeros(0, np.int64) if keys is None and not optional else keys
            )
        for name, role in spec.summed:
            shape = _resolve(spec.shape(role), sizes)
            fields[name] = None if role.optional else np.zeros(shape, role.dtype)
        return cls(**fields)

    def merge(self, other: Self) -> Self:
        """Combine with another state of the same type and parameters.

        Summed fields add; a grouped state aligns groups by key (keys present in
        one state only are kept; when the key arrays differ the merged keys are
        sorted).
        """
        cls = type(self)
        if type(other) is not cls:
            msg = f"cannot merge {cls.__name__} with {type(other).__name__}."
            raise IncompatibleStateError(msg)
        for name in _spec(cls).params:
            a, b = getattr(self, name), getattr(other, name)
            if a != b:
                msg = cls._mismatch.format(cls=cls.__name__, name=name, a=a, b=b)
                raise IncompatibleStateError(msg)
        keys, rows, where = self._align(other)
        fields: dict[str, Any] = self._params()
        spec = _spec(cls)
        if spec.keys is not None:
            fields[spec.keys] = keys
        for name, role in spec.summed:
            a, b = getattr(self, name), getattr(other, name)
            if a is None and b is None:
                fields[name] = None
                continue
            a, b = _filled(role, self, a), _filled(role, other, b)
            if where is None or not role.per_group or where[0] is where[1]:
                fields[name] = a + b  # elementwise, or the same keys in the same order
                continue
            out = np.zeros((rows, *np.shape(a)[1:]), dtype=role.dtype)
            np.add.at(out, where[0], a)
            np.add.at(out, where[1], b)
            fields[name] = out
        return cls(**fields)

    def _align(self, other: Self) -> tuple[Any, int, tuple[Any, Any] | None]:
        """Merged keys, their number, and the rows of each side in them.

        ``None`` rows: the two sides add elementwise (scalar or ungrouped states).
        """
        if _spec(type(self)).keys is None:
            return None, 1, None
        ka, kb = self._keys(), other._keys()
        ra, rb = self._rows(), other._rows()
        if rb == 0 or ra == 0:  # an empty side: the other side (self when both are)
            mine = ra > 0 or (rb == 0 and (ka is not None or kb is None))
            n = ra if mine else rb
            rows, none = np.arange(n), np.zeros(0, np.intp)
            return (ka, n, (rows, none)) if mine else (kb, n, (none, rows))
        if ka is None and kb is None:
            return None, ra, None
        if ka is None or kb is None:
            msg = (
                f"cannot merge a grouped {type(self).__name__} with an ungrouped one; "
                "build both with or without `by`."
            )
            raise IncompatibleStateError(msg)
        keys, pa, pb = align_keys(ka, kb)
        return keys, len(keys), (pa, pb)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready, keys with their dtype); :meth:`from_dict` reverses it."""
        spec = _spec(type(self))
        out = self._tag()
        for name, role in spec.roles.items():
            value = getattr(self, name)
            if value is None:
                out[name] = None
            elif role.kind == "parameter":
                out[name] = (role.dump or _plain)(value)
            elif role.kind == "keys":
                out[name] = encode_keys(value)
            else:
                out[name] = np.asarray(value).tolist()
        return {**out, **self._dict_extra()}

    def _dict_extra(self) -> dict[str, Any]:
        """Entries that :meth:`to_dict` adds after the fields (for readers; default none)."""
        return {}

    @classmethod
    def _check_dict(cls, data: dict[str, Any]) -> None:
        """Checks of :meth:`from_dict` beyond the fields (default none)."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a state from :meth:`to_dict` output."""
        cls._check_tag(data)
        cls._check_dict(data)
        spec = _spec(cls)
        fields: dict[str, Any] = {}
        for name in spec.params:
            load = spec.roles[name].load
            fields[name] = data[name] if load is None else load(cls, data[name])
        sizes = dict(cls._dims(fields))
        if spec.keys is not None:
            raw = data[spec.keys]
            fields[spec.keys] = None if raw is None else decode_keys(raw)
            if raw is not None:
                sizes["g"] = len(fields[spec.keys])
        for name, role in spec.summed:
            raw = data[name]
            if raw is None and role.optional:
                fields[name] = None
                continue
            arr = np.array(raw, dtype=role.dtype)
            shape = _resolve(spec.shape(role), sizes)
            # one unknown size is inferred; more are left to the constructor's check
            fields[name] = arr.reshape(shape) if shape.count(-1) < 2 else arr
        return cls(**fields)


def _filled(role: Role, state: KeyedState, value: Any) -> Any:
    """``value``, or the implicit value that an optional field's ``None`` stands for."""
    if value is not None or role.fill is None:
        return value
    return role.fill(state)


class GroupedState(KeyedState):
    """A keyed state with group keys: ``len()`` and ``state[key]``."""

    __slots__ = ()

    #: the state of one group, built by ``state[key]`` (``None``: this class, one row)
    _scalar: ClassVar[type[KeyedState] | None] = None

    def __len__(self) -> int:
        return self._rows()

    def __getitem__(self, key: object) -> Any:
        """The state of the group ``key`` (a tuple for record keys)."""
        keys = self._keys()
        if keys is None:
            msg = f"an ungrouped {type(self).__name__} has no group {key!r}."
            raise KeyError(msg)
        i = position(keys, key)
        spec = _spec(type(self))
        fields = self._params()
        for name, role in spec.summed:
            value = getattr(self, name)
            if value is not None and role.per_group:
                value = value[i] if self._scalar is not None else value[i : i + 1]
            fields[name] = value
        if self._scalar is not None:
            return self._scalar(**fields)
        fields[spec.keys] = keys[i : i + 1]  # type: ignore[index]
        return type(self)(**fields)
