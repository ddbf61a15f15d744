"""`proportion_interval` without scipy: closed forms, published values, edge cases.

This module needs only numpy, attrs, pytest and hypothesis (the core-only job).
Expected values come from

* the closed formulas, evaluated here in 50-digit decimal arithmetic (Wilson as
  the roots of the score equation, a different route from the library's
  centre/half-width form), with standard normal quantiles from tables;
* published worked examples, each cited where it is used.
"""

from __future__ import annotations

import sys
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import MissingDependencyError
from cxmetrics.stats import mean_interval, proportion_interval, t_pvalue
from cxmetrics.stats._distributions import t_critical_value

# two-sided standard normal critical values z = Phi^-1(1 - alpha/2), from standard
# tables (R's qnorm to 20 digits; Abramowitz & Stegun 26.2 to fewer)
Z = {
    0.8: Decimal("1.2815515655446004669651"),
    0.9: Decimal("1.6448536269514727148638"),
    0.95: Decimal("1.9599639845400540054199"),
    0.99: Decimal("2.5758293035489007596674"),
}
LEVELS = tuple(Z)
CORE_METHODS = ("wilson", "agresti_coull", "wald")

CASES = [
    (0, 1),
    (1, 1),
    (0, 10),
    (10, 10),
    (1, 10),
    (7, 10),
    (4, 5),
    (13, 16),
    (50, 100),
    (1, 1000),
    (999, 1000),
    (0, 10**6),
    (1, 10**6),
    (123_456, 10**6),
    (10**6, 10**6),
]

RTOL = 1e-12


def _clip01(x: Decimal) -> Decimal:
    return min(max(x, Decimal(0)), Decimal(1))


def _wilson_roots(x: float, n: float, z: Decimal) -> tuple[float, float]:
    """Roots in pi of (p - pi)^2 = z^2 pi (1 - pi) / n, the score-test inversion.

    Expanding: (1 + z^2/n) pi^2 - (2p + z^2/n) pi + p^2 = 0 (Wilson 1927).
    """
    with localcontext() as ctx:
        ctx.prec = 50
        p = Decimal(x) / Decimal(n)  # Decimal(float) is exact
        k = z * z / Decimal(n)
        a = 1 + k
        b = -(2 * p + k)
        c = p * p
        root = (b * b - 4 * a * c).sqrt()
        return float((-b - root) / (2 * a)), float((-b + root) / (2 * a))


def _agresti_coull(x: float, n: float, z: Decimal) -> tuple[float, float]:
    """Agresti & Coull (1998): Wald on (x + z^2/2) / (n + z^2) with n + z^2 trials."""
    with localcontext() as ctx:
        ctx.prec = 50
        n_t = Decimal(n) + z * z
        p_t = (Decimal(x) + z * z / 2) / n_t
        half = z * (p_t * (1 - p_t) / n_t).sqrt()
        return float(_clip01(p_t - half)), float(_clip01(p_t + half))


def _wald(x: float, n: float, z: Decimal) -> tuple[float, float]:
    """p +/- z sqrt(p(1-p)/n), clipped to [0, 1]."""
    with localcontext() as ctx:
        ctx.prec = 50
        p = Decimal(x) / Decimal(n)
        half = z * (p * (1 - p) / Decimal(n)).sqrt()
        return float(_clip01(p - half)), float(_clip01(p + half))


ORACLES = {"wilson": _wilson_roots, "agresti_coull": _agresti_coull, "wald": _wald}


def assert_bound(actual: object, expected: float, *, rtol: float = RTOL) -> None:
    """Relative tolerance, plus 1e-12 absolute where the expected bound is 0 or 1."""
    a = float(np.asarray(actual))
    atol = 1e-12 if min(abs(expected), abs(1.0 - expected)) < 1e-12 else 0.0
    assert a == pytest.approx(expected, rel=rtol, abs=atol)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("count", "nobs"), CASES)
@pytest.mark.parametrize("method", CORE_METHODS)
def test_matches_closed_form(method, count, nobs, level):
    low, high = proportion_interval(count, nobs, level, method=method)
    exp_low, exp_high = ORACLES[method](count, nobs, Z[level])
    assert_bound(low, exp_low)
    assert_bound(high, exp_high)


@pytest.mark.parametrize(("count", "nobs"), [(12.5, 40.3), (0.25, 3.5), (99.9, 100.0)])
@pytest.mark.parametrize("method", CORE_METHODS)
def test_fractional_counts_match_closed_form(method, count, nobs):
    # weighted data pass p * n_eff and n_eff, which need not be whole numbers
    low, high = proportion_interval(count, nobs, 0.95, method=method)
    exp_low, exp_high = ORACLES[method](count, nobs, Z[0.95])
    assert_bound(low, exp_low)
    assert_bound(high, exp_high)


def test_published_wilson_13_of_16():
    # Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables,
    # ch. 2 (Ligarden et al. 2010 data), as asserted in the R package
    # contingencytables, tests/testthat/test-ch2.R:
    # Wilson_score_CI_1x2(X = 13, n = 16) -> 95% CI 0.5699 to 0.9341
    low, high = proportion_interval(13, 16, 0.95, method="wilson")
    assert round(float(low), 4) == 0.5699
    assert round(float(high), 4) == 0.9341


def test_published_adjusted_wald_4_of_5():
    # T. Tullis, "Calculating a confidence interval for task completion using the
    # Adjusted Wald method" (measuringux.com/adjustedwald.htm; Sauro & Lewis 2005):
    # 4 of 5 at 95% -> p_adj 0.6696, n_adj 8.8416, CI 0.3596 to 0.9796. The page uses
    # z = 1.96 and rounds p_adj and the half-width (0.3100) to 4 decimals before
    # adding, so the bounds are only good to about 1e-4.
    low, high = proportion_interval(4, 5, 0.95, method="agresti_coull")
    assert float(low) == pytest.approx(0.3596, abs=1.5e-4)
    assert float(high) == pytest.approx(0.9796, abs=1.5e-4)


def test_published_adjusted_wald_7_of_10():
    # Sauro & Lewis, "A new formula for quantitative UX decision making"
    # (MeasuringU, 2012): 7 of 10 at 95%, adjusted-Wald "ranges from about 39% to 90%"
    low, high = proportion_interval(7, 10, 0.95, method="agresti_coull")
    assert round(100 * float(low)) == 39
    assert round(100 * float(high)) == 90


def test_published_wald_1_of_2_is_clipped():
    # contingencytables test-ch2.R: Wald_CI_1x2(1, 2) -> estimate 0.5, 95% CI 0.0000
    # to 1.0000 (0.5 -/+ 0.693, clipped to [0, 1])
    low, high = proportion_interval(1, 2, 0.95, method="wald")
    assert float(low) == 0.0
    assert float(high) == 1.0


@pytest.mark.parametrize("method", CORE_METHODS)
def test_zero_nobs_gives_nan_only_there(method):
    counts = np.array([0, 3, 0, 0])  # 5 of 0 would be invalid input (an error)
    nobs = np.array([0, 10, 7, 0])
    low, high = proportion_interval(counts, nobs, method=method)
    expected_nan = nobs == 0
    np.testing.assert_array_equal(np.isnan(low), expected_nan)
    np.testing.assert_array_equal(np.isnan(high), expected_nan)
    scalar = proportion_interval(0, 0, method=method)
    assert np.isnan(scalar.low)
    assert np.isnan(scalar.high)


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
@pytest.mark.parametrize("method", CORE_METHODS)
def test_vectorised_equals_elementwise(method, level):
    counts = np.array([c for c, _ in CASES], dtype=float)
    nobs = np.array([n for _, n in CASES], dtype=float)
    low, high = proportion_interval(counts, nobs, level, method=method)
    assert low.shape == high.shape == counts.shape
    for i, (c, n) in enumerate(CASES):
        lo_i, hi_i = proportion_interval(c, n, level, method=method)
        np.testing.assert_allclose(low[i], lo_i, rtol=1e-14, atol=0)
        np.testing.assert_allclose(high[i], hi_i, rtol=1e-14, atol=0)


@pytest.mark.parametrize("method", CORE_METHODS)
def test_broadcasting_keeps_shape(method):
    counts = np.arange(12, dtype=float).reshape(3, 4)
    low, high = proportion_interval(counts, 20, method=method)
    assert low.shape == high.shape == (3, 4)
    for idx in np.ndindex(3, 4):
        lo_i, hi_i = proportion_interval(counts[idx], 20, method=method)
        np.testing.assert_allclose(low[idx], lo_i, rtol=1e-14, atol=0)
        np.testing.assert_allclose(high[idx], hi_i, rtol=1e-14, atol=0)


counts_and_nobs = st.integers(1, 5000).flatmap(
    lambda n: st.tuples(st.integers(0, n), st.just(n))
)


@given(cn=counts_and_nobs, method=st.sampled_from(CORE_METHODS))
def test_bounds_ordered_within_unit_interval(cn, method):
    count, nobs = cn
    low, high = (float(b) for b in proportion_interval(count, nobs, method=method))
    assert 0.0 <= low <= high <= 1.0


@given(cn=counts_and_nobs, method=st.sampled_from(("wilson", "wald")))
def test_wilson_and_wald_contain_the_estimate(cn, method):
    # both are centred on (Wald) or built around (Wilson: the score test accepts p-hat)
    # the sample proportion
    count, nobs = cn
    low, high = (float(b) for b in proportion_interval(count, nobs, method=method))
    p = count / nobs
    assert low <= p + 1e-12
    assert p - 1e-12 <= high


@given(
    cn=counts_and_nobs,
    levels=st.tuples(st.floats(0.5, 0.999), st.floats(0.5, 0.999)).map(sorted),
    method=st.sampled_from(("wilson", "wald")),
)
def test_wilson_and_wald_widen_with_level(cn, levels, method):
    count, nobs = cn
    lo_small, hi_small = proportion_interval(count, nobs, levels[0], method=method)
    lo_big, hi_big = proportion_interval(count, nobs, levels[1], method=method)
    assert float(lo_big) <= float(lo_small) + 1e-12
    assert float(hi_big) >= float(hi_small) - 1e-12


@pytest.fixture
def no_scipy(monkeypatch):
    # cxmetrics._core.optional.require calls importlib.import_module("scipy.stats"); a None
    # entry in sys.modules makes that import raise ModuleNotFoundError, as if scipy
    # were not installed (and it is not, in the core-only job)
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.stats", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)


@pytest.mark.parametrize("method", ["jeffreys", "clopper_pearson"])
@pytest.mark.usefixtures("no_scipy")
def test_exact_methods_need_scipy(method):
    with pytest.raises(
        MissingDependencyError, match=rf"method='{method}'.*scipy"
    ) as info:
        proportion_interval(3, 10, method=method)
    # the message names the extra to install
    assert "cxmetrics[stats]" in str(info.value)
    # and it is still an ImportError for code that catches that
    assert isinstance(info.value, ImportError)


@pytest.mark.usefixtures("no_scipy")
def test_core_methods_work_without_scipy():
    for method in CORE_METHODS:
        low, high = proportion_interval(3, 10, method=method)
        assert 0.0 < float(low) < 0.3 < float(high) < 1.0


@pytest.mark.usefixtures("no_scipy")
def test_t_quantities_work_without_scipy():
    # df = 2 has closed forms: the quantile at p is (2p - 1)/sqrt(2 p (1 - p))
    crit = (2 * 0.975 - 1) / (2 * 0.975 * 0.025) ** 0.5
    low, high = mean_interval(5.0, 0.5, method="t", df=2)
    assert float(low) == pytest.approx(5.0 - crit * 0.5, rel=1e-14)
    assert float(high) == pytest.approx(5.0 + crit * 0.5, rel=1e-14)
    assert float(t_critical_value(0.95, 2.0)) == pytest.approx(crit, rel=1e-14)
    assert float(t_pvalue(crit, 2.0)) == pytest.approx(0.05, rel=1e-14)
    # the normal interval: 5 +/- 1.959964 * 0.5
    low, high = mean_interval(5.0, 0.5, method="normal")
    assert float(low) == pytest.approx(5.0 - float(Z[0.95]) * 0.5, rel=1e-14)
    assert float(high) == pytest.approx(5.0 + float(Z[0.95]) * 0.5, rel=1e-14)
