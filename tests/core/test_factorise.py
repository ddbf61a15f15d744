"""factorise: np.unique's labels and inverse, by counting for dense integer ids."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics._core.keys import factorise

_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint32", "uint64"]


@given(
    st.sampled_from(_DTYPES),
    st.lists(st.integers(-(2**63), 2**64 - 1), min_size=1, max_size=60),
    st.integers(0, 3),
)
def test_equals_numpy_unique(dtype, raw, spread):
    info = np.iinfo(dtype)
    # a dense block of ids around the first one, or ids anywhere in the type
    base = min(max(raw[0], info.min), info.max)
    if spread < 3:
        raw = [
            min(max(base + (v % 50) * (spread + 1), info.min), info.max) for v in raw
        ]
    keys = np.array([min(max(v, info.min), info.max) for v in raw], dtype=dtype)
    labels, codes = factorise(keys)
    want_labels, want_codes = np.unique(keys, return_inverse=True)
    np.testing.assert_array_equal(labels, want_labels)
    assert labels.dtype == keys.dtype
    np.testing.assert_array_equal(codes, want_codes.reshape(-1))
    assert codes.dtype == np.int64


def test_text_and_object_keys_take_the_sort():
    labels, codes = factorise(np.array(["b", "a", "b"]))
    assert labels.tolist() == ["a", "b"]
    assert codes.tolist() == [1, 0, 1]
    with pytest.raises(TypeError):
        factorise(np.array([1, "a"], dtype=object))


def test_ids_near_the_top_of_uint64_take_the_sort():
    keys = np.array([2**64 - 1, 2**64 - 3, 2**64 - 1], dtype=np.uint64)
    labels, codes = factorise(keys)
    assert labels.tolist() == [2**64 - 3, 2**64 - 1]
    assert codes.tolist() == [1, 0, 1]
