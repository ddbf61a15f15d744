"""The state contract, checked for every public state from one registry.

The registry is ``CASES`` of ``tests/test_state_serialisation.py`` (a builder per
public state, fed disjoint slices of six rows), so a new state joins by adding
its builder there; the completeness checks below fail until it does, for every
state declared on the keyed-state skeleton (found from its subclasses) and every
public ``*State``. Each state is checked for: the merge laws (associative,
commutative, the empty state is the identity), ``sum([...]) == a + b + ...``, a
JSON round trip through ``json.dumps``, a repr (and HTML repr where there is
one) that does not crash, and ``from_dict`` refusing a corrupted dict with an
:class:`~cxmetrics.exceptions.InvalidInputError`.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError
from test_state_serialisation import CASES

# the bases as the library's classes see them: pytest's doctest collection may
# import a second copy of cxmetrics._core.state under the same name
_BASES = {c.__name__: c for c in cx.NPSState.__mro__}
KeyedState, Mergeable = _BASES["KeyedState"], _BASES["Mergeable"]
_spec = sys.modules[KeyedState.__module__]._spec

#: three parts of the six rows that split every builder by unit (customer, ticket)
PARTS = (slice(0, 2), slice(2, 3), slice(3, 6))

#: the identity of ``+`` for a state, where ``type(state).empty()`` is not it
EMPTY: dict[str, Callable[[Any], Any]] = {
    "ExperimentState": lambda s: cx.ExperimentState.empty(
        s.kind, covariate=s.covariate
    ),
    "FunnelState": lambda s: cx.FunnelState.empty(
        s.steps, window=s.window, mode=s.mode, entry=s.entry, grouped=s.grouped
    ),
}


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_subclasses(sub)}
    return out


def _parts(name: str) -> list[Any]:
    return [CASES[name](s) for s in PARTS]


def _empty(state: Any) -> Any:
    name = type(state).__name__
    return EMPTY[name](state) if name in EMPTY else type(state).empty()


def _close(a: Any, b: Any) -> bool:
    """Equal, or equal plain dicts up to float rounding (merges of float sums)."""
    if a == b:
        return True
    return type(a) is type(b) and _close_plain(a.to_dict(), b.to_dict())


def _close_plain(x: Any, y: Any) -> bool:
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_close_plain(x[k], y[k]) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(
            _close_plain(u, v) for u, v in zip(x, y, strict=True)
        )
    if isinstance(x, float) or isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) or (
            math.isnan(x) and math.isnan(y)
        )
    return bool(x == y)


def test_every_declared_and_public_state_is_in_the_registry():
    public = {name for name in cx.__all__ if name.endswith("State")}
    declared = {
        c.__name__
        for c in _subclasses(KeyedState)
        if c.__module__.startswith("cxmetrics.") and c.__name__ in cx.__all__
    }
    assert declared <= set(CASES), f"add a builder for {declared - set(CASES)}"
    assert public <= set(CASES), f"add a builder for {public - set(CASES)}"
    assert all(issubclass(getattr(cx, name), Mergeable) for name in CASES)


def test_migrated_states_are_declared():
    for name in (
        "NPSState",
        "GroupedNPSState",
        "CSATState",
        "GroupedCSATState",
        "CESState",
        "GroupedCESState",
        "ContactState",
        "GroupedContactState",
        "ExperimentState",
        "FunnelState",
        "PatienceState",
        "SLAComplianceState",
    ):
        assert issubclass(getattr(cx, name), KeyedState), name


@pytest.mark.parametrize("name", sorted(CASES))
def test_merge_laws(name):
    a, b, c = _parts(name)
    empty = _empty(a)
    assert _close(a + empty, a)
    assert _close(empty + a, a)
    assert _close(a + b, b + a)
    assert _close((a + b) + c, a + (b + c))
    assert sum([a, b, c]) == a + b + c


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_round_trip_repr_and_html(name):
    cls = getattr(cx, name)
    for state in (*_parts(name), _empty(_parts(name)[0])):
        assert cls.from_dict(json.loads(json.dumps(state.to_dict()))) == state
        assert repr(state)
        html = getattr(state, "_repr_html_", None)
        if html is not None:
            assert isinstance(html(), str)


def _numeric_entry(cls: type, d: dict[str, Any]) -> str | None:
    """A top-level entry holding a non-empty list of numbers that may not be NaN."""
    for key, value in d.items():
        if key in ("type", "keys") or key in cls._nan_fields:  # type: ignore[attr-defined]
            continue
        if not isinstance(value, list) or not value:
            continue
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        if arr.size:
            return key
    return None


def _set_first_leaf(value: Any, leaf: Any) -> None:
    while isinstance(value[0], list):
        value = value[0]
    value[0] = leaf


@pytest.mark.parametrize("name", sorted(CASES))
def test_corrupted_dict_is_refused(name):
    cls = getattr(cx, name)
    state = CASES[name](slice(0, 6))
    d = json.loads(json.dumps(state.to_dict()))
    other = "NPSState" if name != "NPSState" else "CSATState"
    with pytest.raises(InvalidInputError, match="not a"):
        cls.from_dict({**d, "type": other})
    key = _numeric_entry(cls, d)
    assert key is not None, f"{name} has no numeric entry to corrupt"
    for leaf in (math.nan, math.inf, -1e30):
        bad = copy.deepcopy(d)
        _set_first_leaf(bad[key], leaf)
        free = (*cls._signed_fields, *cls._ordinal_fields)
        if leaf == -1e30 and key in free:
            continue
        with pytest.raises(InvalidInputError):
            cls.from_dict(bad)


@pytest.mark.parametrize(
    "name", sorted(n for n in CASES if issubclass(getattr(cx, n), KeyedState))
)
def test_declared_state_refuses_a_missing_row(name):
    cls = getattr(cx, name)
    state = CASES[name](slice(0, 6))
    spec = _spec(cls)
    d = json.loads(json.dumps(state.to_dict()))
    for field, role in spec.summed:
        if not (spec.keys and role.per_group) or not d[field]:
            continue
        bad = copy.deepcopy(d)
        bad[field] = bad[field][:-1]
        with pytest.raises(InvalidInputError):
            cls.from_dict(bad)


def test_declared_state_from_an_export_shaped_file_round_trips_and_merges():
    """Two halves of a survey export (text scores, blanks, string ids, date keys)."""
    import json

    import numpy as np

    import cxmetrics as cx

    rows = [
        ("2024-01-31", "9"), ("2024-01-31", "10"), ("2024-02-29", None),
        ("2024-02-29", "3"), ("2024-01-31", "7"), ("2024-02-29", "10"),
    ]  # fmt: skip
    month = np.array([m for m, _ in rows], dtype="datetime64[D]")
    score = np.array([s for _, s in rows], dtype=object)
    whole = cx.GroupedNPSState.from_responses(score, by=month, nan_policy="omit")
    first = cx.GroupedNPSState.from_responses(
        score[:3], by=month[:3], nan_policy="omit"
    )
    second = cx.GroupedNPSState.from_responses(
        score[3:], by=month[3:], nan_policy="omit"
    )
    assert first + second == whole
    assert whole.n_missing.tolist() == [0, 1]
    loaded = cx.GroupedNPSState.from_dict(json.loads(json.dumps(whole.to_dict())))
    assert loaded == whole
    assert loaded.keys.dtype == np.dtype("datetime64[D]")
    assert loaded[np.datetime64("2024-02-29")].counts[10] == 1
