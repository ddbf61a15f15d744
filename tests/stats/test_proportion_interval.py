"""`proportion_interval` against statsmodels and scipy, and published exact intervals.

Oracles: ``statsmodels.stats.proportion.proportion_confint`` (methods wilson,
agresti_coull, normal = our 'wald', jeffreys, beta = our 'clopper_pearson') and
``scipy.stats.binomtest(k, n).proportion_ci`` (methods 'wilson' and 'exact' =
Clopper-Pearson). Published values: Fagerland, Lydersen & Laake (2017) via the R
package contingencytables (tests/testthat/test-ch2.R and test-ch8.R).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

sm_proportion = pytest.importorskip("statsmodels.stats.proportion")
scipy_stats = pytest.importorskip("scipy.stats")

from cxmetrics.stats import proportion_interval  # noqa: E402

STATSMODELS_NAME = {
    "wilson": "wilson",
    "agresti_coull": "agresti_coull",
    "wald": "normal",
    "jeffreys": "jeffreys",
    "clopper_pearson": "beta",
}
METHODS = tuple(STATSMODELS_NAME)
LEVELS = (0.8, 0.9, 0.95, 0.99)

CASES = [
    (0, 1),
    (1, 1),
    (0, 2),
    (1, 2),
    (0, 10),
    (10, 10),
    (1, 10),
    (3, 7),
    (7, 10),
    (13, 16),
    (50, 100),
    (1, 1000),
    (999, 1000),
    (0, 10**6),
    (1, 10**6),
    (123_456, 10**6),
    (500_000, 10**6),
    (999_999, 10**6),
    (10**6, 10**6),
]

RTOL = 1e-9


def assert_bound(actual: object, expected: float, *, atol: float = 0.0) -> None:
    """rtol 1e-9, plus 1e-12 absolute where the expected bound is 0 or 1."""
    a = float(np.asarray(actual))
    e = float(expected)
    if min(abs(e), abs(1.0 - e)) < 1e-12:
        atol = max(atol, 1e-12)
    assert a == pytest.approx(e, rel=RTOL, abs=atol)


# scipy's exact (Clopper-Pearson) bounds are roots found by brentq with its default
# absolute tolerance xtol=2e-12 (scipy.stats._binomtest._findp), so they are only
# good to about that much in absolute terms: for 0 of 10**6 at 80% scipy is off by
# 3.4e-13 (1.5e-7 relative) from the closed form 1 - 0.1**(1e-6). Allow 2 * xtol;
# test_clopper_pearson_edges_are_exact checks those cases to 1e-12 relative.
SCIPY_EXACT_ATOL = 4e-12


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("count", "nobs"), CASES)
@pytest.mark.parametrize("method", METHODS)
def test_matches_statsmodels(method, count, nobs, level):
    exp_low, exp_high = sm_proportion.proportion_confint(
        count, nobs, alpha=1.0 - level, method=STATSMODELS_NAME[method]
    )
    low, high = proportion_interval(count, nobs, level, method=method)
    assert_bound(low, exp_low)
    assert_bound(high, exp_high)


@pytest.mark.parametrize(("count", "nobs"), [(12.5, 40.3), (0.25, 3.5), (99.9, 100.0)])
@pytest.mark.parametrize("method", METHODS)
def test_fractional_counts_match_statsmodels(method, count, nobs):
    # weighted data: p * n_eff successes of n_eff trials
    exp_low, exp_high = sm_proportion.proportion_confint(
        count, nobs, alpha=0.1, method=STATSMODELS_NAME[method]
    )
    low, high = proportion_interval(count, nobs, 0.9, method=method)
    assert_bound(low, exp_low)
    assert_bound(high, exp_high)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("count", "nobs"), CASES)
@pytest.mark.parametrize(
    ("method", "scipy_method"), [("wilson", "wilson"), ("clopper_pearson", "exact")]
)
def test_matches_scipy_binomtest(method, scipy_method, count, nobs, level):
    expected = scipy_stats.binomtest(count, nobs).proportion_ci(
        confidence_level=level, method=scipy_method
    )
    low, high = proportion_interval(count, nobs, level, method=method)
    atol = SCIPY_EXACT_ATOL if scipy_method == "exact" else 0.0
    assert_bound(low, expected.low, atol=atol)
    assert_bound(high, expected.high, atol=atol)


@pytest.mark.parametrize(
    ("method", "count", "nobs", "expected"),
    [
        # contingencytables test-ch2.R (Ligarden et al. 2010 data, X = 13, n = 16)
        ("clopper_pearson", 13, 16, (0.5435, 0.9595)),
        ("jeffreys", 13, 16, (0.5792, 0.9442)),
        ("wilson", 13, 16, (0.5699, 0.9341)),
        # contingencytables test-ch8.R: ClopperPearson_exact_CI_1x2_beta_version
        ("clopper_pearson", 10, 10, (0.6915, 1.0)),
        ("clopper_pearson", 0, 10, (0.0, 0.3085)),
    ],
)
def test_published_values(method, count, nobs, expected):
    low, high = proportion_interval(count, nobs, 0.95, method=method)
    assert round(float(low), 4) == expected[0]
    assert round(float(high), 4) == expected[1]


@pytest.mark.parametrize("nobs", [1, 5, 16, 10**6])
@pytest.mark.parametrize("level", LEVELS)
def test_clopper_pearson_edges_are_exact(nobs, level):
    # Clopper & Pearson (1934) in closed form at the edges, with a = (1 - level)/2:
    # x = 0: (0, 1 - a^(1/n));  x = n: (a^(1/n), 1);
    # x = 1: lower 1 - (1 - a)^(1/n) (Beta(1, n) quantile);
    # x = n - 1: upper (1 - a)^(1/n).  expm1/log1p keep full precision for n = 10**6.
    a = (1.0 - level) / 2.0
    n = nobs
    root_a = math.exp(math.log(a) / n)
    one_minus_root_a = -math.expm1(math.log(a) / n)
    one_minus_root_1a = -math.expm1(math.log1p(-a) / n)
    low, high = proportion_interval(
        np.array([0, n, 1, n - 1]), n, level, method="clopper_pearson"
    )
    assert low[0] == 0.0
    assert high[0] == pytest.approx(one_minus_root_a, rel=1e-12)
    assert low[1] == pytest.approx(root_a, rel=1e-12)
    assert high[1] == 1.0
    if n > 1:
        assert low[2] == pytest.approx(one_minus_root_1a, rel=1e-12)
        assert high[3] == pytest.approx(1.0 - one_minus_root_1a, rel=1e-12)


@pytest.mark.parametrize("method", ["jeffreys", "clopper_pearson"])
def test_exact_methods_zero_nobs_gives_nan(method):
    counts = np.array([0, 3, 0, 0])  # 5 of 0 would be invalid input (an error)
    nobs = np.array([0, 10, 7, 0])
    low, high = proportion_interval(counts, nobs, method=method)
    np.testing.assert_array_equal(np.isnan(low), nobs == 0)
    np.testing.assert_array_equal(np.isnan(high), nobs == 0)


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
@pytest.mark.parametrize("method", METHODS)
def test_vectorised_equals_elementwise(method, level):
    counts = np.array([c for c, _ in CASES], dtype=float)
    nobs = np.array([n for _, n in CASES], dtype=float)
    low, high = proportion_interval(counts, nobs, level, method=method)
    exp_low, exp_high = sm_proportion.proportion_confint(
        counts, nobs, alpha=1 - level, method=STATSMODELS_NAME[method]
    )
    for i, (c, n) in enumerate(CASES):
        lo_i, hi_i = proportion_interval(c, n, level, method=method)
        np.testing.assert_allclose(low[i], lo_i, rtol=1e-14, atol=0)
        np.testing.assert_allclose(high[i], hi_i, rtol=1e-14, atol=0)
        assert_bound(low[i], exp_low[i])
        assert_bound(high[i], exp_high[i])
