"""The public statistics building blocks check their inputs like front doors (#20 item 9)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import (
    CXMetricsError,
    InvalidInputError,
    InvalidInputTypeError,
)
from cxmetrics.stats import (
    mean_difference,
    mean_interval,
    net_score_difference,
    net_score_interval,
    proportion_difference,
    proportion_interval,
)


def test_mean_interval_refuses_a_negative_standard_error_and_df():
    with pytest.raises(InvalidInputError, match=r"`standard_error` must be .*-0.5"):
        mean_interval(5.0, -0.5, method="normal")
    with pytest.raises(InvalidInputError, match=r"`df` must be .*-1.0"):
        mean_interval(5.0, 0.5, df=-1.0)
    with pytest.raises(InvalidInputTypeError, match="`standard_error`"):
        mean_interval(5.0, "0.5", method="normal")


def test_mean_interval_at_df_zero_and_nan_is_undefined_not_an_error():
    low, high = mean_interval(5.0, 0.5, df=0.0)
    assert math.isnan(float(low))
    assert math.isnan(float(high))
    low, high = mean_interval(np.nan, np.nan, df=3.0)
    assert math.isnan(float(low))
    # df = inf is the normal interval
    n_low, _ = mean_interval(5.0, 0.5, method="normal")
    t_low, _ = mean_interval(5.0, 0.5, df=math.inf)
    assert float(t_low) == pytest.approx(float(n_low))


def test_net_score_interval_refuses_more_answers_than_n():
    with pytest.raises(
        InvalidInputError, match=r"`positive` \+ `negative` must be at most `nobs`"
    ):
        net_score_interval(50, 20, 60)
    with pytest.raises(
        InvalidInputError,
        match=r"`positive` must lie in \[0, nobs\]; got positive=50.0 with nobs=10.0",
    ):
        net_score_interval(50, 20, 10)
    with pytest.raises(InvalidInputError, match="`negative`"):
        net_score_interval(5, -2, 10)
    with pytest.raises(InvalidInputError, match="index 1"):
        net_score_interval([5, 5], [2, 7], [10, 10])


def test_proportion_blocks_refuse_impossible_counts():
    with pytest.raises(InvalidInputError, match=r"`count_a` must lie in \[0, nobs_a\]"):
        proportion_difference(11, 10, 3, 10, n_a=10, n_b=10)
    with pytest.raises(InvalidInputError, match="`nobs`"):
        proportion_interval(1, -10)
    with pytest.raises(InvalidInputError, match="`count`"):
        proportion_interval(-1, 10)
    with pytest.raises(InvalidInputError, match="`var_b`"):
        mean_difference(1.0, 1.0, 10, 2.0, -1.0, 10, n_a=10, n_b=10)
    with pytest.raises(InvalidInputError, match=r"`pos_b` \+ `neg_b`"):
        net_score_difference(5, 2, 10, 8, 8, 10, n_a=10, n_b=10)


def test_nan_counts_give_nan_bounds():
    # the root of the min_n crash: a suppressed group travels as NaN and must
    # come out as a NaN interval, not an error
    low, high = proportion_interval([np.nan, 3.0], [np.nan, 4.0])
    assert math.isnan(low[0])
    assert math.isnan(high[0])
    assert 0.0 < low[1] < high[1] < 1.0
    low, high = net_score_interval([np.nan, 3.0], [np.nan, 1.0], [5.0, 5.0])
    assert math.isnan(low[0])
    assert -1.0 <= low[1] < high[1] <= 1.0


def test_weighted_counts_may_exceed_their_total_by_rounding_only():
    total = 0.1 + 0.2  # 0.30000000000000004
    proportion_interval(0.3, total)
    proportion_interval(total, 0.3)  # a last-bit excess is rounding, not an error
    with pytest.raises(InvalidInputError):
        proportion_interval(0.31, 0.3)


@given(
    x=st.floats(-1e6, 1e6, allow_nan=False),
    n=st.floats(-1e6, 1e6, allow_nan=False),
)
def test_proportion_interval_is_a_valid_interval_or_a_cxmetrics_error(x, n):
    try:
        low, high = proportion_interval(x, n)
    except CXMetricsError:
        assert x < 0 or n < 0 or x > n * (1 + 1e-9)
        return
    if n > 0:
        assert 0.0 <= float(low) <= min(x / n, 1.0) * (1 + 1e-9)
        assert float(low) <= float(high) <= 1.0
    else:
        assert math.isnan(float(low))
