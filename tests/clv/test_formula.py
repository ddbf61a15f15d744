"""Formula CLV: closed forms against brute-force sums, sBG/KM curves, properties, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError

probs = st.floats(0.0, 0.999)
rates = st.floats(0.0, 0.5)
margins = st.floats(0.0, 1e4)


def brute(m, r, d, periods):
    return sum(m * r**t / (1 + d) ** t for t in range(1, periods + 1))


@given(margins, probs, rates, st.integers(0, 60))
def test_finite_horizon_equals_the_sum(m, r, d, periods):
    got = cx.clv_retention(m, retention=r, discount_rate=d, periods=periods).value
    assert got == pytest.approx(brute(m, r, d, periods), rel=1e-10, abs=1e-9)
    # the same sum from a geometric survival curve
    if periods:
        curve = r ** np.arange(1, periods + 1)
        via_curve = cx.clv_from_survival(m, curve, discount_rate=d).value
        assert via_curve == pytest.approx(got, rel=1e-10, abs=1e-9)


@given(margins, probs, st.floats(0.01, 0.5))
def test_infinite_horizon_is_the_limit(m, r, d):
    # Gupta & Lehmann (2003): m r / (1 + d - r)
    inf = cx.clv_retention(m, retention=r, discount_rate=d).value
    assert inf == pytest.approx(m * r / (1 + d - r))
    assert cx.clv_retention(
        m, retention=r, discount_rate=d, periods=5000
    ).value == pytest.approx(inf, rel=1e-9, abs=1e-9)
    assert cx.clv_retention(m, churn=1 - r, discount_rate=d).value == pytest.approx(inf)


@given(margins, margins, probs, probs, rates, st.one_of(st.none(), st.integers(1, 40)))
def test_monotone_in_retention_and_margin(m1, m2, r1, r2, d, periods):
    if periods is None and d == 0:
        d = 0.01
    lo_m, hi_m = sorted((m1, m2))
    lo_r, hi_r = sorted((r1, r2))

    def value(m, r):
        return cx.clv_retention(m, retention=r, discount_rate=d, periods=periods).value

    assert value(lo_m, lo_r) <= value(hi_m, lo_r) * (1 + 1e-12) + 1e-9
    assert value(lo_m, lo_r) <= value(lo_m, hi_r) * (1 + 1e-12) + 1e-9

    def simple(m):
        return cx.clv_simple(40.0, 2.0, m / 1e4, 3.0).value

    assert simple(lo_m) <= simple(hi_m)


def test_published_style_examples():
    # Gupta & Lehmann (2003): margin 100, retention 80%, discount 12% -> m r/(1+i-r)
    assert cx.clv_retention(
        100.0, retention=0.8, discount_rate=0.12
    ).value == pytest.approx(100 * 0.8 / 0.32)
    res = cx.clv_simple(50.0, 4.0, 0.3, 3.0)
    assert res.value == 180.0
    assert res.inputs == {
        "average_order_value": 50.0,
        "purchase_frequency": 4.0,
        "margin": 0.3,
        "lifetime": 3.0,
    }
    assert "simple" in repr(res)


def test_survival_curves_from_the_retention_family():
    pytest.importorskip("scipy.optimize")  # the sBG fit
    fit = cx.sbg([1000, 869, 743, 653, 593, 551, 517, 491])
    curve = fit.survival(np.arange(1, 3000))
    via = cx.clv_from_survival(1.0, curve, discount_rate=0.1, initial_margin=True)
    assert via.value == pytest.approx(fit.discounted_expected_lifetime(0.1), rel=1e-12)
    km = cx.kaplan_meier([1, 2, 2, 3, 5, 5, 6, 8], [1, 1, 0, 1, 1, 1, 0, 1])
    s = km.survival_at(np.arange(1, 9.0))
    res = cx.clv_from_survival(10.0, s, discount_rate=0.05)
    assert res.value == pytest.approx(sum(10 * s[t - 1] / 1.05**t for t in range(1, 9)))
    # margins that grow with tenure
    res = cx.clv_from_survival([1.0, 2.0, 3.0], [0.9, 0.8, 0.7])
    assert res.value == pytest.approx(0.9 + 1.6 + 2.1)


def test_vectorised_inputs():
    res = cx.clv_retention([100.0, 200.0], retention=[0.5, 0.9], discount_rate=0.1)
    np.testing.assert_allclose(res.value, [100 * 0.5 / 0.6, 200 * 0.9 / 0.2])
    assert res.n == 2


def test_errors():
    with pytest.raises(InvalidInputError, match="`retention` must lie in"):
        cx.clv_retention(1.0, retention=[0.5, 1.2])
    with pytest.raises(InvalidInputError, match="exactly one of"):
        cx.clv_retention(1.0, retention=0.5, churn=0.5)
    with pytest.raises(InvalidInputError, match="infinite"):
        cx.clv_retention(1.0, retention=1.0)
    with pytest.raises(InvalidInputError, match="`margin` must lie in"):
        cx.clv_simple(10.0, 1.0, 1.5, 2.0)
    with pytest.raises(InvalidInputError, match="non-increasing"):
        cx.clv_from_survival(1.0, [0.9, 0.95])
    with pytest.raises(InvalidInputError, match="one value per period"):
        cx.clv_from_survival([1.0, 2.0], [0.9, 0.8, 0.7])
    with pytest.raises(InvalidInputError, match="`discount_rate` must be >= 0"):
        cx.clv_retention(1.0, retention=0.5, discount_rate=-0.1)
