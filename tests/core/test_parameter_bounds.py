"""The two-reduction check of model parameters agrees with the value-by-value rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics._core.parameters import _inside, parameter_array
from cxmetrics.exceptions import InvalidInputError, MissingValueError

_VALUES = st.lists(
    st.one_of(
        st.floats(-10.0, 10.0),
        st.sampled_from([math.nan, math.inf, -math.inf, 0.0, 1.0, -0.0]),
    ),
    max_size=12,
)
_BOUND = st.one_of(st.none(), st.sampled_from([-1.0, 0.0, 0.5, 1.0]))


def _obeys(v: float, low, high, low_inclusive, high_inclusive, allow_inf) -> bool:
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        return False
    if low is not None and not (v >= low if low_inclusive else v > low):
        return False
    return high is None or (v <= high if high_inclusive else v < high)


@given(_VALUES, _BOUND, _BOUND, st.booleans(), st.booleans(), st.booleans())
def test_inside_is_every_value_obeying_the_rules(values, low, high, li, hi, inf):
    flat = np.array(values, dtype=np.float64)
    want = all(_obeys(v, low, high, li, hi, inf) for v in values)
    assert _inside(flat, low, high, li, hi, inf) == want


@given(_VALUES, _BOUND, _BOUND, st.booleans(), st.booleans(), st.booleans())
def test_parameter_array_accepts_exactly_the_obeying_arrays(
    values, low, high, li, hi, inf
):
    arr = np.array(values, dtype=np.float64)
    kw = {
        "low": low,
        "high": high,
        "low_inclusive": li,
        "high_inclusive": hi,
        "allow_inf": inf,
    }
    if all(_obeys(v, low, high, li, hi, inf) for v in values):
        out = parameter_array(arr, "x", **kw)
        assert out.tobytes() == arr.tobytes()
        return
    err = MissingValueError if np.isnan(arr).any() else InvalidInputError
    with pytest.raises(err, match="`x`"):
        parameter_array(arr, "x", **kw)
