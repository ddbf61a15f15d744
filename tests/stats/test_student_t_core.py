"""Student t and the incomplete beta function without scipy: closed forms, properties.

Needs only numpy, attrs, pytest and hypothesis (the core-only job). Expected values:

* df = 1 (Cauchy): cdf = 1/2 + atan(t)/pi, upper tail atan2(1, t)/pi (no cancellation
  for large t), quantile tan(pi (p - 1/2));
* df = 2: cdf = 1/2 + t/(2 sqrt(2 + t^2)), upper tail 1/(s (s + t)) with
  s = sqrt(2 + t^2), quantile (2p - 1)/sqrt(2 p (1 - p));
* df = inf: the standard normal of :class:`statistics.NormalDist`;
* I_x(a, 1) = x^a, I_x(1, b) = 1 - (1 - x)^b, I_x(2, 3) = 1 - (1-x)^4 - 4x(1-x)^3.
"""

from __future__ import annotations

import math
import sys
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics._core.beta import betainc
from cxmetrics._core.student_t import t_cdf, t_isf, t_ppf, t_sf
from cxmetrics.stats import mean_interval, t_critical_value, t_pvalue

EPS = np.finfo(np.float64).eps
T_GRID = np.concatenate([-np.logspace(-6, 12, 90), [0.0], np.logspace(-6, 12, 90)])
P_GRID = np.concatenate(
    [np.logspace(-300, -13, 12), np.logspace(-12, np.log10(0.49), 40)]
)
P_GRID = np.concatenate([P_GRID, 0.5 - np.logspace(-16, -2, 15), [0.5]])
P_GRID = np.concatenate([P_GRID, 1.0 - P_GRID[P_GRID > 1e-16]])


def _t_log_pdf(t, df):
    return (
        math.lgamma((df + 1) / 2)
        - math.lgamma(df / 2)
        - 0.5 * math.log(df * math.pi)
        - (df + 1) / 2 * math.log1p(t * t / df)
    )


def _log_rtol(expected):
    # values come out of exp(E) with |E| ~ |log value|; a few units in the last place
    # of E are a relative error of about 4e-16 |log value| (1.3e-13 at 1e-300)
    return 1e-14 + 4e-16 * np.abs(np.log(expected))


def _assert_close(actual, expected, rtol=None):
    expected = np.asarray(expected, dtype=np.float64)
    tol = _log_rtol(expected) if rtol is None else rtol
    assert np.all(np.abs(actual - expected) <= tol * expected)


def _assert_quantiles(actual, expected, p):
    # relative error of a quantile = that of its tail probability / (t f(t) / tail),
    # and t f(t) / tail >= min(1, df) / 2 away from the median; df >= 1 here
    tail = np.minimum(p, 1.0 - p)
    tol = 2.0 * _log_rtol(tail)
    assert np.all(np.abs(actual - expected) <= tol * np.abs(expected))


def test_cauchy_closed_form():
    t = T_GRID
    pos = t >= 0
    # each tail from atan2, without cancellation: P(T > t) = atan2(1, t)/pi
    upper = np.arctan2(1.0, t) / np.pi
    _assert_close(t_sf(t, 1.0), upper)
    _assert_close(t_cdf(-t, 1.0), upper)
    _assert_close(t_cdf(t[pos], 1.0), 0.5 + np.arctan(t[pos]) / np.pi, rtol=4e-16)
    # far tail: P(T > t) = 1/(pi t) to double precision
    big = np.array([1e20, 1e100, 1e200, 1e300])
    _assert_close(t_sf(big, 1.0), 1.0 / (np.pi * big))
    p = P_GRID[(P_GRID > 1e-300) & (P_GRID < 1)]
    # tan(pi (p - 1/2)), as -cot(pi p) or cot(pi (1 - p)) in the tails (1 - p exact)
    quantile = np.where(
        p < 0.25,
        -1.0 / np.tan(np.pi * p),
        np.where(p > 0.75, 1.0 / np.tan(np.pi * (1.0 - p)), np.tan(np.pi * (p - 0.5))),
    )
    _assert_quantiles(t_ppf(p, 1.0), quantile, p)


def test_df2_closed_form():
    t = T_GRID[np.abs(T_GRID) < 1e150]
    pos = t > 0
    s = np.sqrt(2.0 + t * t)
    _assert_close(t_cdf(t[pos], 2.0), 0.5 + t[pos] / (2.0 * s[pos]), rtol=4e-16)
    # upper tail 1/2 - t/(2s) = 1/(s (s + t)) without cancellation
    tail = 1.0 / (s[pos] * (s[pos] + t[pos]))
    _assert_close(t_sf(t[pos], 2.0), tail)
    _assert_close(t_cdf(-t[pos], 2.0), tail)
    p = P_GRID[(P_GRID > 1e-300) & (P_GRID < 1)]
    expected = (2.0 * p - 1.0) / np.sqrt(2.0 * p * (1.0 - p))
    _assert_quantiles(t_ppf(p, 2.0), expected, p)


@pytest.mark.parametrize("df", [np.inf, 1e25, 1e300])
def test_infinite_df_is_the_standard_normal(df):
    normal = NormalDist()
    t = np.concatenate([np.linspace(-37.0, 37.0, 149), [-1e-9, 1e-9]])
    # NormalDist.cdf is 1/2 (1 + erf(t/sqrt 2)), which cancels in the lower tail;
    # the tails are compared with 1/2 erfc(|t|/sqrt 2) instead
    central = np.abs(t) < 1.0
    np.testing.assert_allclose(
        t_cdf(t[central], df), [normal.cdf(v) for v in t[central]], rtol=1e-15
    )
    tails = [0.5 * math.erfc(v / math.sqrt(2.0)) for v in t]
    np.testing.assert_allclose(t_sf(t, df), tails, rtol=1e-15)
    np.testing.assert_allclose(t_cdf(-t, df), tails, rtol=1e-15)
    p = P_GRID[(P_GRID > 0) & (P_GRID < 1)]
    np.testing.assert_allclose(t_ppf(p, df), [normal.inv_cdf(v) for v in p], rtol=1e-15)


def test_large_df_approaches_the_normal():
    # P(T > t) = P(Z > t) + phi(t) (t^3 + t) / (4 df) + O(df^-2)  (A&S 26.7.5)
    normal = NormalDist()
    t = np.array([0.5, 1.0, 3.0, 10.0, 30.0])
    upper = np.array([0.5 * math.erfc(v / math.sqrt(2.0)) for v in t])
    density = np.array([normal.pdf(v) for v in t])
    for df in (1e9, 1e12, 1e15):
        rel = t_sf(t, df) / upper - 1.0
        lead = density * (t**3 + t) / (4 * df) / upper
        # atol: the tail probabilities themselves are good to about 1e-13
        np.testing.assert_allclose(rel, lead, rtol=1e-3, atol=1e-13)


def test_betainc_closed_forms():
    x = np.concatenate([np.logspace(-300, -1, 30), np.linspace(0.1, 0.9, 17)])
    x = np.concatenate([x, 1.0 - np.logspace(-15, -1, 15)])
    for a in (0.3, 1.0, 2.5, 40.0):
        expected = x**a
        keep = expected > 1e-300
        _assert_close(betainc(a, 1.0, x[keep]), expected[keep])
        # 1 - (1 - x)^b, as -expm1(b log1p(-x)) to keep small values exact
        _assert_close(betainc(1.0, a, x), -np.expm1(a * np.log1p(-x)))
    y = 1.0 - x
    mid = (x > 0.01) & (x < 0.99)  # where the polynomial does not cancel
    _assert_close(
        betainc(2.0, 3.0, x[mid]), 1.0 - y[mid] ** 4 - 4.0 * x[mid] * y[mid] ** 3
    )
    assert betainc(2.0, 3.0, 0.0) == 0.0
    assert betainc(2.0, 3.0, 1.0) == 1.0


def test_invalid_and_edge_inputs_give_nan_or_limits():
    nan, inf = np.nan, np.inf
    np.testing.assert_array_equal(
        t_sf([nan, 1.0, 1.0, 1.0, inf, -inf, 0.0, -0.0], [3, nan, 0, -1, 3, 3, 3, 3]),
        [nan, nan, nan, nan, 0.0, 1.0, 0.5, 0.5],
    )
    np.testing.assert_array_equal(
        t_ppf([nan, -0.1, 0.0, 0.5, 1.0, 1.1], 3.0), [nan, nan, -inf, 0.0, inf, nan]
    )
    np.testing.assert_array_equal(t_isf([0.0, 0.5, 1.0], 3.0), [inf, 0.0, -inf])
    np.testing.assert_array_equal(t_ppf(0.9, [nan, 0.0, -2.0]), [nan, nan, nan])
    # quantiles beyond the largest float overflow to inf
    assert t_isf(1e-300, 0.5) == inf
    np.testing.assert_array_equal(
        betainc(
            [0, -1, nan, 1, 1, 1, 1, inf],
            [1, 1, 1, nan, 1, 1, 1, 1],
            [0.5] * 4 + [-0.1, 1.1, nan, 0.5],
        ),
        [nan] * 8,
    )


def test_shapes_broadcast_and_scalars_give_0d_arrays():
    assert t_sf([[1.0], [2.0]], [1.0, 2.0, 3.0]).shape == (2, 3)
    assert t_ppf(np.zeros((0,)), [3.0]).shape == (0,)
    assert t_cdf(np.zeros((2, 0)), 3.0).shape == (2, 0)
    out = t_sf(1, 3)
    assert isinstance(out, np.ndarray)
    assert out.shape == ()
    assert out.dtype == np.float64


def test_t_quantities_need_no_scipy(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.stats", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    # df = 2: the 95% critical value is the quantile (2p - 1)/sqrt(2 p (1 - p)) at
    # p = 0.975
    crit = (2 * 0.975 - 1) / math.sqrt(2 * 0.975 * 0.025)
    assert float(t_critical_value(0.95, 2.0)) == pytest.approx(crit, rel=1e-14)
    assert float(t_pvalue(crit, 2.0)) == pytest.approx(0.05, rel=1e-14)
    low, high = mean_interval(5.0, 0.5, method="t", df=2)
    assert float(low) == pytest.approx(5.0 - crit * 0.5, rel=1e-14)
    assert float(high) == pytest.approx(5.0 + crit * 0.5, rel=1e-14)


# ---- properties ---------------------------------------------------------------

DF = st.one_of(
    st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 9.7, 30.0, 1e3, 1e5, 1e7, np.inf]),
    st.floats(0.05, 1e9),
)
T = st.floats(-1e3, 1e3)


@settings(deadline=None)
@given(T, T, DF)
def test_cdf_monotone_in_t(t1, t2, df):
    lo, hi = min(t1, t2), max(t1, t2)
    # up to rounding (about 1e-13 relative far in the tails)
    assert float(t_cdf(lo, df)) <= float(t_cdf(hi, df)) * (1 + 1e-12)
    assert float(t_sf(lo, df)) * (1 + 1e-12) >= float(t_sf(hi, df))


@settings(deadline=None)
@given(T, DF)
def test_symmetric_and_complementary(t, df):
    sf, cdf = float(t_sf(t, df)), float(t_cdf(t, df))
    assert sf == float(t_cdf(-t, df))
    assert cdf == float(t_sf(-t, df))
    assert abs(sf + cdf - 1.0) <= 1e-15
    assert 0.0 <= sf <= 1.0


@settings(deadline=None)
@given(st.floats(1e-3, 1e3), DF)
def test_quantile_round_trips(t, df):
    # upper tail: isf(sf(t)) = t, and lower tail: ppf(cdf(-t)) = -t, both computed
    # from tail probabilities, so the only loss is the conditioning (below 1e-12 here)
    upper = t_sf(t, df)
    if upper < 1e-300:  # subnormal tail probabilities have lost digits
        return
    assert float(t_isf(upper, df)) == pytest.approx(t, rel=1e-12)
    assert float(t_ppf(t_cdf(-t, df), df)) == pytest.approx(-t, rel=1e-12)


@settings(deadline=None)
@given(st.floats(-50.0, 50.0), st.floats(0.3, 1e6))
def test_ppf_of_cdf_within_its_condition_number(t, df):
    # p = cdf(t) is rounded to a float; the quantile of that p is t up to
    # eps p / (|t| density(t)) relative (large near the median, where p ~ 1/2)
    p = float(t_cdf(t, df))
    if not 1e-300 < p < 1.0:  # subnormal probabilities have lost digits
        return
    back = float(t_ppf(p, df))
    if t == 0.0:
        assert back == 0.0
        return
    if abs(t) < 1e-300:
        return
    cond = p / (abs(t) * math.exp(_t_log_pdf(t, df)))
    assert back == pytest.approx(t, rel=1e-12 + 4 * EPS * cond)


@settings(deadline=None)
@given(st.floats(0.05, 1e4), st.floats(0.05, 1e4), st.floats(0.0, 1.0))
def test_betainc_reflection(a, b, x):
    # I_x(a, b) + I_{1-x}(b, a) = 1; y = 1 - x is not exact for x < 1/2, so compare
    # at the float y and its complement. (With a and b both near 1e5 the continued
    # fraction's rounding reaches about 2e-13 at x = 1/2.)
    y = 1.0 - x
    xb = 1.0 - y  # exact complement of y
    total = float(betainc(a, b, xb)) + float(betainc(b, a, y))
    assert total == pytest.approx(1.0, abs=1e-13)
