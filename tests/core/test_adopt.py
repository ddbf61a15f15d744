"""adopt: frozen instances around new arrays without the converters' copies."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics._core.arrays import (
    adopt,
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    optional_float,
)
from cxmetrics.survival._event_table import SurvivalState


@attrs.frozen
class _Holder:
    keys: np.ndarray = attrs.field(converter=frozen_keys, eq=array_eq)
    x: np.ndarray = attrs.field(converter=frozen_float, eq=array_eq)
    k: np.ndarray = attrs.field(converter=frozen_int, eq=array_eq)
    maybe: np.ndarray | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq
    )
    n: int = attrs.field(default=0, converter=int)
    tags: list[str] = attrs.field(factory=list)


def test_new_arrays_of_the_field_dtype_are_kept_and_made_read_only():
    keys, x, k = np.array(["a", "b"]), np.array([1.5, 2.5]), np.array([3, 4])
    h = adopt(_Holder, keys=keys, x=x, k=k, maybe=np.array([0.5]), n=2.0)
    assert h.keys is keys
    assert h.x is x
    assert h.k is k
    for arr in (h.keys, h.x, h.k, h.maybe):
        assert not arr.flags.writeable
    assert h.n == 2
    assert type(h.n) is int  # scalars still go through their converter
    assert h.tags == []  # defaults and factories apply
    # the instance equals the one the constructor builds (with its copies)
    assert h == _Holder(keys, x, k, np.array([0.5]), 2)


def test_other_dtypes_and_non_arrays_are_converted_as_the_constructor_would():
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    h = adopt(_Holder, keys=["a"], x=x32, k=np.array([1], dtype=np.int32))
    assert h.x is not x32
    assert h.x.dtype == np.float64
    assert h.k.dtype == np.int64
    assert x32.flags.writeable  # the caller's array is left as it was
    assert h.keys.tolist() == ["a"]
    assert not h.keys.flags.writeable


def test_missing_and_unknown_fields_are_refused():
    with pytest.raises(TypeError, match="misses the field 'k'"):
        adopt(_Holder, keys=["a"], x=[1.0])
    with pytest.raises(TypeError, match=r"unknown fields \['z'\]"):
        adopt(_Holder, keys=["a"], x=[1.0], k=[1], z=3)


def test_library_states_and_results_are_read_only_and_own_their_arrays():
    # the RFM path adopts the collapse's arrays: nothing the caller holds is shared
    customers = np.array([3, 3, 1])
    values = np.array([5.0, 7.0, 2.0])
    s = cx.RFMState.from_transactions(customers, [0.0, 2.0, 1.0], values)
    summary = s.compute()
    for arr in (s.customers, s.first, s.repeat_value, summary.frequency, summary.T):
        assert not arr.flags.writeable
        assert not np.shares_memory(arr, customers)
        assert not np.shares_memory(arr, values)
    assert summary.customers.tolist() == [1, 3]
    assert summary.monetary_value.tolist() == [0.0, 7.0]
    with pytest.raises(ValueError, match="read-only"):
        summary.frequency[0] = 9.0


def test_the_public_constructor_still_copies_a_callers_array():
    times = np.array([0.0, 1.0, 2.0])
    state = SurvivalState(times, [2, 0, 0], [0, 1, 1], [0, 0, 0])
    assert state.times is not times
    times[1] = 5.0
    assert state.times.tolist() == [0.0, 1.0, 2.0]
    assert times.flags.writeable
