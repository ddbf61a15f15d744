"""The declarative keyed state (``cxmetrics._core.state``) on a toy state declared here.

The toy has what the real states have: a parameter (``unit``), a parameter that
fixes a shape letter (``size`` -> ``k``), an exact int64 histogram, a float total,
a signed float sum, and optional weight sums that default to the counts. The
scalar ``Toy`` is the one-group case of ``GroupedToy``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    optional_float,
)
from cxmetrics._core.state import (
    GroupedState,
    KeyedState,
    group_keys,
    parameter,
    summed,
)
from cxmetrics.exceptions import IncompatibleStateError, InvalidInputError


def _unit_weights(state: Any) -> Any:
    return np.asarray(state.counts, dtype=np.float64)


UNIT = parameter()
SIZE = parameter(load=lambda _cls, raw: int(raw))
COUNTS = summed(np.int64, ("k",))
WEIGHTS = summed(np.float64, ("k",), optional=True, fill=_unit_weights)
BALANCE = summed(np.float64, signed=True)


class _Dims(KeyedState):
    __slots__ = ()

    @classmethod
    def _dims(cls, params: Mapping[str, Any]) -> dict[str, int]:
        return {"k": params["size"]}


@attrs.frozen(unsafe_hash=False)
class Toy(_Dims):
    unit: str = attrs.field(metadata=UNIT)
    size: int = attrs.field(metadata=SIZE)
    counts: Any = attrs.field(converter=frozen_int, eq=array_eq, metadata=COUNTS)
    balance: float = attrs.field(default=0.0, converter=float, metadata=BALANCE)
    weights: Any = attrs.field(
        default=None, converter=optional_float, eq=array_eq, metadata=WEIGHTS
    )


@attrs.frozen(unsafe_hash=False)
class GroupedToy(_Dims, GroupedState):
    _scalar: ClassVar[type[Toy]] = Toy

    unit: str = attrs.field(metadata=UNIT)
    size: int = attrs.field(metadata=SIZE)
    keys: Any = attrs.field(converter=frozen_keys, eq=array_eq, metadata=group_keys())
    counts: Any = attrs.field(converter=frozen_int, eq=array_eq, metadata=COUNTS)
    balance: Any = attrs.field(converter=frozen_float, eq=array_eq, metadata=BALANCE)
    weights: Any = attrs.field(
        default=None, converter=optional_float, eq=array_eq, metadata=WEIGHTS
    )


SIZE_K = 3


def toy(cats: Any, bal: Any = None, w: Any = None, unit: str = "s") -> Toy:
    """The scalar state of rows: a category in 0..2, a signed amount, a weight."""
    cats = np.asarray(cats, dtype=np.int64)
    bal = np.zeros(cats.size) if bal is None else np.asarray(bal, dtype=np.float64)
    counts = np.bincount(cats, minlength=SIZE_K)
    weights = None if w is None else np.bincount(cats, weights=w, minlength=SIZE_K)
    return Toy(unit, SIZE_K, counts, float(bal.sum()), weights)


def grouped(keys: Any, cats: Any, bal: Any = None, w: Any = None) -> GroupedToy:
    """The grouped state of rows (vectorised: one bincount per field)."""
    labels, code = np.unique(np.asarray(keys), return_inverse=True)
    cats = np.asarray(cats, dtype=np.int64)
    g = labels.size
    bal = np.zeros(cats.size) if bal is None else np.asarray(bal, dtype=np.float64)
    cell = code * SIZE_K + cats
    counts = np.bincount(cell, minlength=g * SIZE_K).reshape(g, SIZE_K)
    weights = (
        None
        if w is None
        else np.bincount(cell, weights=w, minlength=g * SIZE_K).reshape(g, SIZE_K)
    )
    balance = np.bincount(code, weights=bal, minlength=g)
    return GroupedToy("s", SIZE_K, labels, counts, balance, weights)


# -- unit tests ------------------------------------------------------------------


def test_roles_give_the_guard_its_declarations():
    assert GroupedToy._shapes == {
        "keys": ("g",),
        "counts": ("g", "k"),
        "balance": ("g",),
        "weights": ("g", "k"),
    }
    assert Toy._shapes == {"counts": ("k",), "balance": (), "weights": ("k",)}
    assert Toy._signed_fields == ("balance",)
    assert Toy._nan_fields == ()
    assert Toy._ordinal_fields == ()


def test_empty_merge_and_one_group_case():
    a = toy([0, 1, 1], [2.0, -5.0, 1.0])
    b = toy([2, 2], [0.5, 0.5])
    assert a + b == toy([0, 1, 1, 2, 2], [2.0, -5.0, 1.0, 0.5, 0.5])
    assert Toy._empty(unit="s", size=3) + a == a
    g = grouped(["x", "y", "x"], [0, 1, 2], [1.0, 2.0, 3.0])
    assert g["x"] == toy([0, 2], [1.0, 3.0])
    assert g["y"] == toy([1], [2.0])
    assert len(g) == 2
    assert len(GroupedToy._empty(unit="s", size=3)) == 0
    with pytest.raises(KeyError, match="no group 'z'"):
        g["z"]


def test_grouped_merge_aligns_keys_and_keeps_either_side():
    a = grouped(["b", "a"], [0, 1])
    b = grouped(["c", "a"], [2, 2])
    m = a + b
    assert m.keys.tolist() == ["a", "b", "c"]
    assert m.counts.tolist() == [[0, 1, 1], [1, 0, 0], [0, 0, 1]]
    # an empty side keeps the other's keys (and their order, and dtype)
    levels = GroupedToy("s", 3, ["z", "a"], [[1, 0, 0], [0, 1, 0]], [0.0, 0.0])
    empty = GroupedToy._empty(unit="s", size=3)
    assert (levels + empty).keys.tolist() == ["z", "a"]
    assert (empty + levels).keys.tolist() == ["z", "a"]


def test_optional_field_is_filled_from_its_declaration():
    plain = toy([0, 1])
    weighted = toy([1, 2], w=[2.0, 0.5])
    merged = plain + weighted
    assert merged.weights.tolist() == [1.0, 3.0, 0.5]
    assert (weighted + plain) == merged
    assert (plain + plain).weights is None


def test_mismatched_parameter_is_refused_naming_both_values():
    with pytest.raises(IncompatibleStateError, match="different unit: 's' and 'ms'"):
        toy([0]) + toy([0], unit="ms")
    with pytest.raises(
        IncompatibleStateError, match="cannot merge Toy with GroupedToy"
    ):
        toy([0]).merge(grouped(["a"], [0]))  # type: ignore[arg-type]
    with pytest.raises(IncompatibleStateError, match="different types"):
        grouped(["a"], [0]) + grouped([1], [0])


def test_declared_shapes_are_checked_at_construction():
    with pytest.raises(InvalidInputError, match=r"`counts` of a Toy must have shape"):
        Toy("s", 3, [1, 2])
    with pytest.raises(InvalidInputError, match=r"`balance` of a GroupedToy"):
        GroupedToy("s", 3, ["a"], [[1, 0, 0]], [1.0, 2.0])
    with pytest.raises(InvalidInputError, match="1-D"):
        GroupedToy("s", 3, [["a"]], [[1, 0, 0]], [1.0])


@pytest.mark.parametrize(
    "keys",
    [
        np.array([3, -1], dtype=np.int8),
        np.array(["north", "south"]),
        np.array([True, False]),
        np.array(["2026-01-02", "2026-03-01"], dtype="datetime64[D]"),
        np.array(["2026-01-02T10:00", "2026-01-02T11:00"], dtype="datetime64[s]"),
    ],
    ids=["int8", "str", "bool", "date", "datetime"],
)
def test_json_round_trip_keeps_key_dtype(keys):
    state = grouped(keys, [0, 2], [1.5, -2.0], [1.0, 2.0])
    back = GroupedToy.from_dict(json.loads(json.dumps(state.to_dict())))
    assert back == state
    assert back.keys.dtype == state.keys.dtype
    assert back[keys[0]] == state[keys[0]]
    scalar = toy([0, 1], [1.0, -1.0])
    assert Toy.from_dict(json.loads(json.dumps(scalar.to_dict()))) == scalar


def test_to_dict_layout():
    d = grouped(["a"], [1], [2.0]).to_dict()
    assert d == {
        "type": "GroupedToy",
        "unit": "s",
        "size": 3,
        "keys": {"dtype": "<U1", "values": ["a"]},
        "counts": [[0, 1, 0]],
        "balance": [2.0],
        "weights": None,
    }


def _corrupt(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(d))
    out[key] = value
    return out


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("type", "Toy", "not a GroupedToy"),
        ("counts", [[0, -1, 0]], "non-negative"),
        ("counts", [[0, 1]], "GroupedToy"),
        ("counts", [[0, 0.5, 0]], "whole numbers"),
        ("counts", "x", "GroupedToy"),
        ("balance", [math.nan], "NaN"),
        ("weights", [[1.0, -1.0, 0.0]], "non-negative"),
        ("keys", {"dtype": "<U1", "values": ["a", "b"]}, "GroupedToy"),
        ("size", 4, "GroupedToy"),
    ],
)
def test_corrupted_dict_is_refused(key, value, match):
    d = grouped(["a"], [1], [2.0], [1.0]).to_dict()
    with pytest.raises(InvalidInputError, match=match):
        GroupedToy.from_dict(_corrupt(d, key, value))


def test_missing_key_is_named():
    d = toy([1]).to_dict()
    del d["counts"]
    with pytest.raises(InvalidInputError, match="no key 'counts'"):
        Toy.from_dict(d)


@attrs.frozen(unsafe_hash=False)
class Calls(GroupedState):
    """Optional keys: ``None`` for an ungrouped state of one unnamed row."""

    keys: Any = attrs.field(
        default=None,
        converter=lambda k: None if k is None else frozen_keys(k),
        eq=array_eq,
        metadata=group_keys(optional=True),
    )
    n: Any = attrs.field(
        factory=lambda: np.zeros(0, np.int64),
        converter=frozen_int,
        eq=array_eq,
        metadata=summed(np.int64),
    )


def test_optional_keys_ungrouped_and_grouped_do_not_mix():
    empty = Calls._empty()
    assert empty.keys is None
    assert len(empty) == 0
    one = Calls(None, [2])
    assert one + Calls(None, [3]) == Calls(None, [5])
    assert empty + one == one == one + empty
    assert Calls(["a"], [1]) + empty == Calls(["a"], [1])
    with pytest.raises(IncompatibleStateError, match="grouped Calls with an ungrouped"):
        one + Calls(["a"], [1])
    assert Calls.from_dict(json.loads(json.dumps(one.to_dict()))) == one
    with pytest.raises(KeyError):
        one["a"]


# -- properties ------------------------------------------------------------------

KEY_SETS = {
    "int8": np.array([-3, 0, 7], dtype=np.int8),
    "str": np.array(["east", "north", "south"]),
    "bool": np.array([False, True]),
    "date": np.array(["2026-01-01", "2026-02-01", "2026-03-01"], dtype="datetime64[D]"),
}


@st.composite
def rows(draw: Any, kind: str) -> tuple[Any, Any, Any, Any]:
    labels = KEY_SETS[kind]
    n = draw(st.integers(0, 8))
    pick = draw(st.lists(st.integers(0, labels.size - 1), min_size=n, max_size=n))
    cats = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    # integer-valued amounts: float sums are exact, so the laws hold with ==
    bal = draw(st.lists(st.integers(-50, 50), min_size=n, max_size=n))
    weighted = draw(st.booleans())
    w = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)) if weighted else None
    return (
        labels[np.asarray(pick, dtype=np.intp)],
        np.asarray(cats, dtype=np.int64),
        np.asarray(bal, dtype=np.float64),
        None if w is None else np.asarray(w, dtype=np.float64),
    )


def _cat(*parts: Any) -> Any:
    keys = np.concatenate([p[0] for p in parts])
    cats = np.concatenate([p[1] for p in parts])
    bal = np.concatenate([p[2] for p in parts])
    if all(p[3] is None for p in parts):
        return keys, cats, bal, None
    w = np.concatenate([np.ones(p[1].size) if p[3] is None else p[3] for p in parts])
    return keys, cats, bal, w


@pytest.mark.parametrize("kind", sorted(KEY_SETS))
@given(data=st.data())
def test_merge_laws_and_homomorphism(kind, data):
    a, b, c = (data.draw(rows(kind)) for _ in range(3))
    sa, sb, sc = grouped(*a), grouped(*b), grouped(*c)
    empty = GroupedToy._empty(unit="s", size=3)
    assert sa + empty == sa == empty + sa
    assert sa + sb == sb + sa
    assert (sa + sb) + sc == sa + (sb + sc)
    assert sum([sa, sb, sc]) == sa + sb + sc
    whole = grouped(*_cat(a, b, c))
    merged = sa + sb + sc
    if whole.keys.size:
        assert merged == whole
    else:
        assert len(merged) == 0


@pytest.mark.parametrize("kind", sorted(KEY_SETS))
@given(data=st.data())
def test_grouped_is_per_key_scalar(kind, data):
    keys, cats, bal, w = data.draw(rows(kind))
    state = grouped(keys, cats, bal, w)
    for key in state.keys:
        mine = keys == key
        assert state[key] == toy(cats[mine], bal[mine], None if w is None else w[mine])
    back = GroupedToy.from_dict(json.loads(json.dumps(state.to_dict())))
    assert back == state
    assert back.keys.dtype == state.keys.dtype


@given(
    st.lists(st.integers(0, 2), max_size=6),
    st.lists(st.integers(0, 2), max_size=6),
    st.lists(st.integers(0, 2), max_size=6),
)
def test_scalar_laws(x, y, z):
    a, b, c = toy(x), toy(y, w=np.ones(len(y))), toy(z)
    empty = Toy._empty(unit="s", size=3)
    assert a + empty == a == empty + a
    assert a + b == b + a
    assert (a + b) + c == a + (b + c)
    assert sum([a, b, c]) == a + b + c == toy(x + y + z, w=np.ones(len(x + y + z)))
