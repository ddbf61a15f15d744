"""Every loaded state is validated as strictly as one built from data (issue #20, items 3 and 4).

One shared path (``Mergeable.__init_subclass__`` guarding each state's
``from_dict`` and ``merge``) checks them all, so the property runs over every
public state class: a corrupted dict gives either a valid state or a
:class:`~cxmetrics.exceptions.CXMetricsError`, never a foreign exception and
never a state with negative counts or NaN sums.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics._core.mergeable import check_state
from cxmetrics.exceptions import CXMetricsError, InvalidInputError
from test_state_serialisation import ALL, CASES

DICTS = {name: build(ALL).to_dict() for name, build in CASES.items()}
BAD_LEAVES = [
    -5,
    -1.0,
    math.nan,
    math.inf,
    -math.inf,
    0.5,
    "x",
    None,
    [],
    [[1]],
    {},
    2**70,
]


def _paths(obj, prefix=()):
    """Paths to every leaf and list of a nested dict/list."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _set(obj, path, value):
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = value


def _drop(obj, path):
    for p in path[:-1]:
        obj = obj[p]
    if isinstance(obj, dict):
        del obj[path[-1]]
    else:
        del obj[path[-1]]


def _valid(state) -> None:
    check_state(state)
    for name in ("n", "n_missing"):
        value = getattr(state, name, None)
        if isinstance(value, (int, np.integer)):
            assert value >= 0


@pytest.mark.parametrize("name", sorted(DICTS))
@given(data=st.data())
def test_a_corrupted_dict_is_refused_or_valid(name, data):
    cls = getattr(cx, name)
    d = copy.deepcopy(DICTS[name])
    paths = [p for p in _paths(d) if p != ("type",)]
    path = data.draw(st.sampled_from(paths))
    if data.draw(st.booleans()):
        _set(d, path, data.draw(st.sampled_from(BAD_LEAVES)))
    else:
        _drop(d, path)
    try:
        state = cls.from_dict(d)
    except CXMetricsError:
        return
    _valid(state)


@pytest.mark.parametrize("name", sorted(DICTS))
def test_not_a_dict_is_a_cxmetrics_error(name):
    cls = getattr(cx, name)
    for bad in ("x", None, 3, [1, 2]):
        with pytest.raises(CXMetricsError, match="`data`"):
            cls.from_dict(bad)


#: keys added after a state's first release: older dicts without them still load
OPTIONAL_KEYS = {
    ("CohortState", "latest_unit"),
    ("GroupedChurnState", "activity_end"),
    ("SLAComplianceState", "key_family"),
}


@pytest.mark.parametrize("name", sorted(DICTS))
def test_every_missing_key_is_named(name):
    cls = getattr(cx, name)
    for key in DICTS[name]:
        if key == "type" or (name, key) in OPTIONAL_KEYS:
            continue
        d = dict(DICTS[name])
        del d[key]
        with pytest.raises(CXMetricsError, match="`data`"):
            cls.from_dict(d)


def test_negative_counts_are_refused():
    # the audit's case: a loaded NPS state with a negative count computed n = -5
    d = cx.NPSState.from_responses([10, 9, 3]).to_dict()
    d["counts"] = [-8, *d["counts"][1:]]
    with pytest.raises(InvalidInputError, match=r"`counts`.*non-negative.*-8"):
        cx.NPSState.from_dict(d)


def test_nan_sums_are_refused():
    d = cx.ContactState.from_contacts([5, 30], [False, True]).to_dict()
    d["sums"] = [math.nan, *d["sums"][1:]]
    with pytest.raises(InvalidInputError, match="NaN"):
        cx.ContactState.from_dict(json.loads(json.dumps(d)))


def test_fractional_counts_are_not_truncated():
    d = cx.CSATState.from_responses([5, 4, 1]).to_dict()
    d["counts"] = [0.5, *d["counts"][1:]]
    with pytest.raises(InvalidInputError, match="whole numbers"):
        cx.CSATState.from_dict(d)


def test_wrong_shape_is_refused():
    d = cx.GroupedNPSState.from_responses([10, 9, 3], by=["a", "b", "a"]).to_dict()
    d["counts"] = d["counts"][:1]
    with pytest.raises(CXMetricsError):
        cx.GroupedNPSState.from_dict(d)


# item 3: int64 sums never wrap around --------------------------------------------


def test_merged_survey_counts_that_would_overflow_are_refused():
    big = cx.NPSState.from_responses([10]).to_dict()
    big["counts"] = [0] * 10 + [2**62]
    a = cx.NPSState.from_dict(big)
    assert a.n == 2**62
    with pytest.raises(InvalidInputError, match="int64"):
        a + a
    with pytest.raises(InvalidInputError, match="int64"):
        a.merge(a)


def test_a_loaded_state_whose_total_overflows_is_refused():
    d = cx.NPSState.from_responses([10]).to_dict()
    d["counts"] = [2**62] * 3 + [0] * 8
    with pytest.raises(InvalidInputError, match="int64"):
        cx.NPSState.from_dict(d)


@given(st.integers(0, 2**62), st.integers(0, 2**62))
def test_merge_is_exact_or_refused(x, y):
    d = cx.CSATState.from_responses([5]).to_dict()
    a = cx.CSATState.from_dict({**d, "counts": [x, 0, 0, 0, 0]})
    b = cx.CSATState.from_dict({**d, "counts": [0, 0, 0, 0, y]})
    try:
        merged = a + b
    except InvalidInputError:
        assert x + y > 2**63 - 2**44
        return
    assert int(merged.counts.sum()) == x + y
