"""Normal and t quantiles, p-values and mean intervals against scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest

scipy_stats = pytest.importorskip("scipy.stats")

from cxmetrics.stats import (  # noqa: E402
    critical_value,
    mean_interval,
    normal_pvalue,
    t_critical_value,
    t_pvalue,
)

# includes levels near 0 and 1, where 0.5 + level/2 would lose the tail area
LEVELS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1e-6, 1e-12, 1 - 1e-9, 1 - 1e-12)
STATS = np.array(
    [-40.0, -6.0, -2.5, -1.959963984540054, -0.3, 0.0, 0.3, 1.0, 2.132, 6.0, 40.0]
)


@pytest.mark.parametrize("level", LEVELS)
def test_critical_value_matches_scipy(level):
    assert critical_value(level) == pytest.approx(
        scipy_stats.norm.isf((1 - level) / 2), rel=1e-12
    )


@pytest.mark.parametrize("df", [1.0, 2.5, 9.0, 30.0, 1e6])
@pytest.mark.parametrize("level", LEVELS)
def test_t_critical_value_matches_scipy(level, df):
    assert float(t_critical_value(level, df)) == pytest.approx(
        scipy_stats.t.isf((1 - level) / 2, df), rel=1e-12
    )


def test_normal_pvalue_matches_scipy():
    np.testing.assert_allclose(
        normal_pvalue(STATS), 2 * scipy_stats.norm.sf(np.abs(STATS)), rtol=1e-12
    )
    np.testing.assert_allclose(
        normal_pvalue(STATS, "greater"), scipy_stats.norm.sf(STATS), rtol=1e-12
    )
    np.testing.assert_allclose(
        normal_pvalue(STATS, "less"), scipy_stats.norm.cdf(STATS), rtol=1e-12
    )
    assert np.isnan(normal_pvalue(np.nan))


@pytest.mark.parametrize("df", [1.0, 4.0, 29.0, 6.557738733306151])
def test_t_pvalue_matches_scipy(df):
    np.testing.assert_allclose(
        t_pvalue(STATS, df), 2 * scipy_stats.t.sf(np.abs(STATS), df), rtol=1e-12
    )
    np.testing.assert_allclose(
        t_pvalue(STATS, df, "greater"), scipy_stats.t.sf(STATS, df), rtol=1e-12
    )
    np.testing.assert_allclose(
        t_pvalue(STATS, df, "less"), scipy_stats.t.cdf(STATS, df), rtol=1e-12
    )


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_mean_interval_matches_scipy(level):
    rng = np.random.default_rng(3)
    data = rng.normal(4.0, 1.5, 25)
    se = scipy_stats.sem(data)
    low, high = mean_interval(data.mean(), se, level, method="t", df=data.size - 1)
    exp_low, exp_high = scipy_stats.t.interval(
        level, data.size - 1, loc=data.mean(), scale=se
    )
    assert float(low) == pytest.approx(exp_low, rel=1e-12)
    assert float(high) == pytest.approx(exp_high, rel=1e-12)
    low, high = mean_interval(data.mean(), se, level, method="normal")
    exp_low, exp_high = scipy_stats.norm.interval(level, loc=data.mean(), scale=se)
    assert float(low) == pytest.approx(exp_low, rel=1e-12)
    assert float(high) == pytest.approx(exp_high, rel=1e-12)


def test_mean_interval_vectorised_and_undefined_df():
    means = np.array([1.0, 2.0, 3.0])
    ses = np.array([0.1, 0.2, 0.3])
    dfs = np.array([4.0, 0.0, 10.0])  # df 0: fewer than two answers -> NaN, no warning
    low, high = mean_interval(means, ses, 0.9, method="t", df=dfs)
    crit = scipy_stats.t.isf(0.05, [4.0, 10.0])
    np.testing.assert_allclose(
        low[[0, 2]], means[[0, 2]] - crit * ses[[0, 2]], rtol=1e-12
    )
    np.testing.assert_allclose(
        high[[0, 2]], means[[0, 2]] + crit * ses[[0, 2]], rtol=1e-12
    )
    assert np.isnan(low[1])
    assert np.isnan(high[1])
