"""The numpy Student t distribution and incomplete beta function against scipy.

Tolerance: relative 1e-12 wherever the reference value is a normal float (above
1e-300); the largest differences seen are about 3e-13, far in the tails, where
both sides take ``exp`` of an exponent near -690 (one unit in its last place is a
relative 1.1e-13).

scipy is not the reference everywhere:

* its quantiles lose relative accuracy next to the median (``t.ppf(0.5 - 1e-15, 1)``
  is 1% off, ``t.ppf(0.5 + 1e-13, 3)`` 6e-7), so within 0.01 of the median the
  quantile is checked against ``P(|T| < t) = I_y(1/2, df/2)``,
  ``y = t^2 / (df + t^2)``, inverted by ``scipy.special.betaincinv``;
* its ``t.sf(t, 1)`` is 0 beyond ``t`` about 1e154 (the closed form is checked in
  ``test_student_t_core.py``), so tail points stay below 1e150;
* above about 1e15 degrees of freedom its t quantities are the normal ones (a
  relative 1e-11 off at ``df = 1e16``, ``t = 30``); the list here stops at 1e7.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")

from scipy import special, stats

from cxmetrics._core.beta import betainc
from cxmetrics._core.student_t import t_cdf, t_isf, t_ppf, t_sf

RTOL = 1e-12
DFS = [0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 9.7, 30.0, 100.0, 1e3, 1e5, 1e7]
# t from -1e3 to 1e3 (log-spaced magnitudes, 0, and integers)
T_GRID = np.concatenate(
    [
        -np.logspace(-4, 3, 120),
        [0.0],
        np.logspace(-4, 3, 120),
        np.arange(-40.0, 41.0),
    ]
)
# tail probabilities for points far out
TAILS = 10.0 ** -np.array([20.0, 50.0, 100.0, 150.0, 200.0, 250.0, 280.0, 299.0])
# probabilities 1e-12 .. 1 - 1e-12, at least 0.01 away from the median
P_LOW = np.logspace(-12, np.log10(0.49), 80)
P_GRID = np.concatenate([P_LOW, 1.0 - P_LOW])
# next to the median, down to the spacing of floats at 1/2
P_MEDIAN = np.concatenate(
    [0.5 - np.logspace(-16, -2, 30), 0.5 + np.logspace(-16, -2, 30)]
)


def _assert_rel(actual, expected, rtol=RTOL):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    keep = np.abs(expected) > 1e-300
    rtol = np.broadcast_to(rtol, expected.shape)[keep]
    err = np.abs(actual[keep] - expected[keep])
    bad = err > rtol * np.abs(expected[keep])
    assert not bad.any(), (
        f"{bad.sum()} of {bad.size} beyond rtol {rtol}: actual {actual[keep][bad][:5]}, "
        f"expected {expected[keep][bad][:5]}, worst {np.max(err / np.abs(expected[keep])):.3g}"
    )


def _tail_points(df):
    # t with P(T > t) = 1e-20 ... 1e-299, as far as t stays below 1e150
    t = t_isf(TAILS, df)
    return t[np.isfinite(t) & (t < 1e150)]


@pytest.mark.parametrize("df", DFS)
def test_sf_and_cdf_match_scipy(df):
    t = np.concatenate([T_GRID, _tail_points(df), -_tail_points(df)])
    _assert_rel(t_sf(t, df), stats.t.sf(t, df))
    _assert_rel(t_cdf(t, df), stats.t.cdf(t, df))


@pytest.mark.parametrize("df", DFS)
def test_far_tails_reach_1e_300(df):
    t = _tail_points(df)
    expected = TAILS[: t.size]
    # the points come from t_isf; scipy confirms the tail probabilities there
    _assert_rel(stats.t.sf(t, df), expected, rtol=1e-11)
    _assert_rel(t_sf(t, df), stats.t.sf(t, df))
    _assert_rel(t_cdf(-t, df), stats.t.cdf(-t, df))
    if df >= 3:  # heavier tails pass t = 1e150 first
        assert expected.min() < 1e-298


@pytest.mark.parametrize("df", DFS)
def test_ppf_and_isf_match_scipy(df):
    _assert_rel(t_ppf(P_GRID, df), stats.t.ppf(P_GRID, df))
    _assert_rel(t_isf(P_GRID, df), stats.t.isf(P_GRID, df))


@pytest.mark.parametrize("df", DFS)
def test_quantiles_next_to_the_median(df):
    # P(|T| < |t|) = |2p - 1| (exact in floats here) = I_y(1/2, df/2)
    p = P_MEDIAN
    central = np.where(p > 0.5, 2.0 * p - 1.0, 1.0 - 2.0 * p)
    y = special.betaincinv(0.5, df / 2, central)
    expected = np.sign(p - 0.5) * np.sqrt(df * y / (1.0 - y))
    _assert_rel(t_ppf(p, df), expected)
    _assert_rel(t_isf(p, df), -expected)


@pytest.mark.parametrize("df", DFS)
def test_round_trips(df):
    t = np.concatenate([-np.logspace(-2, 3, 60), np.logspace(-2, 3, 60)])
    tail = t_sf(np.abs(t), df)
    ok = tail > 1e-300
    # from the tail probability: t = isf(sf(t)) with no loss beyond rounding
    _assert_rel(t_isf(tail[ok], df), np.abs(t[ok]))
    lower = t[ok & (t < 0)]
    _assert_rel(t_ppf(t_cdf(lower, df), df), lower)


def test_infinite_df_matches_scipy_norm():
    t = np.concatenate([T_GRID[np.abs(T_GRID) < 38], [-37.5, 37.5]])
    _assert_rel(t_sf(t, np.inf), stats.norm.sf(t))
    _assert_rel(t_cdf(t, np.inf), stats.norm.cdf(t))
    _assert_rel(t_ppf(P_GRID, np.inf), stats.norm.ppf(P_GRID))


def test_vectorised_over_df():
    t = np.linspace(-8.0, 8.0, 97)
    df = np.geomspace(0.5, 1e7, 97)
    _assert_rel(t_sf(t, df), stats.t.sf(t, df))
    p = np.linspace(0.001, 0.999, 97)
    _assert_rel(t_ppf(p, df), stats.t.ppf(p, df))
    grid_t, grid_df = np.meshgrid([-3.0, 0.5, 2.0], DFS)
    _assert_rel(t_cdf(grid_t, grid_df), stats.t.cdf(grid_t, grid_df))


@pytest.mark.parametrize("df", DFS)
def test_betainc_matches_scipy_on_t_arguments(df):
    # the t tail I_x(df/2, 1/2) at x = df/(df + t^2), both sides of the switch
    t = np.logspace(-4, 3, 200)
    x = df / (df + t * t)
    _assert_rel(betainc(df / 2, 0.5, x), special.betainc(df / 2, 0.5, x))
    _assert_rel(betainc(0.5, df / 2, 1.0 - x), special.betainc(0.5, df / 2, 1.0 - x))


SHAPES = [0.05, 0.25, 0.5, 1.0, 1.5, 2.5, 7.0, 30.0, 100.0, 1e3, 1e4]


@pytest.mark.parametrize("a", SHAPES)
def test_betainc_matches_scipy_on_a_grid(a):
    rng = np.random.default_rng(20240611)
    rows = []
    for b in SHAPES:
        mean = a / (a + b)
        sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        offsets = np.array([-30, -10, -5, -2, -1, -0.3, 0, 0.3, 1, 2, 5, 10, 30])
        x = np.concatenate(
            [mean + sd * offsets, rng.uniform(0, 1, 6), [1e-10, 1e-3, 0.999]]
        )
        x = x[(x > 0) & (x < 1)]
        rows.append((np.full_like(x, b), x))
    bs = np.concatenate([r[0] for r in rows])
    xs = np.concatenate([r[1] for r in rows])
    expected = special.betainc(a, bs, xs)
    # scipy itself is 1.6e-12 off at I(1e4, 1e4) = 1.5e-202 (50-digit mpmath;
    # ours 1.7e-13 there): 2e-12 for both shapes 1e4 and values below 1e-150
    loose = (a >= 1e4) & (bs >= 1e4) & (expected < 1e-150)
    _assert_rel(betainc(a, bs, xs), expected, rtol=np.where(loose, 2e-12, RTOL))
