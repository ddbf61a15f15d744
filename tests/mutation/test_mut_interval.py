"""Mean and proportion intervals at the edges of their parameters (issue #21).

Mutant killed here: ``d > 0`` turned into ``d > 1`` in ``mean_interval``'s t
branch (``stats/_interval.py``), which made every interval with one degree of
freedom (two answers) NaN. Expected values from scipy.stats and statsmodels,
computed in the test (test-only dependencies; skipped where absent).
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.stats import mean_interval, proportion_interval

LEVELS = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]


@pytest.fixture(scope="module")
def stats():
    return pytest.importorskip("scipy.stats")


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("df", [1.0, 0.5, 1.5, 2.0, 3.0, 30.0])
def test_t_interval_matches_scipy_including_one_df(stats, df, level):
    low, high = mean_interval(4.0, 0.5, level, method="t", df=df)
    crit = stats.t.ppf(0.5 + level / 2, df)
    assert float(low) == pytest.approx(4.0 - crit * 0.5, rel=1e-9)
    assert float(high) == pytest.approx(4.0 + crit * 0.5, rel=1e-9)


def test_one_df_by_hand():
    # t with 1 df is Cauchy: the 97.5 % quantile is tan(pi * 0.475) = 12.7062...
    low, high = mean_interval(0.0, 1.0, 0.95, method="t", df=1)
    crit = math.tan(math.pi * (0.975 - 0.5))
    assert float(high) == pytest.approx(crit, rel=1e-9)
    assert float(low) == pytest.approx(-crit, rel=1e-9)
    assert round(float(high), 4) == 12.7062  # the textbook table value


def test_vectorised_df_around_the_edge(stats):
    df = np.array([0.0, 0.25, 1.0, 1.0 + 1e-9, 2.0, np.inf])
    low, high = mean_interval(np.zeros(6), np.ones(6), 0.9, method="t", df=df)
    assert math.isnan(low[0])
    assert math.isnan(high[0])
    want = stats.t.ppf(0.95, df[1:])
    np.testing.assert_allclose(high[1:], want, rtol=1e-9)
    np.testing.assert_allclose(low[1:], -want, rtol=1e-9)


def test_two_answers_give_a_finite_t_interval(stats):
    # a CES of two answers (6, 5): mean 5.5, sd sqrt(0.5), SE 0.5, n - 1 = 1 df;
    # at 50 % the t quantile with 1 df is tan(pi / 4) = 1: [5, 6] by hand
    res = cx.ces([6, 5])
    low, high = res.mean_interval(0.5)
    assert low == pytest.approx(5.0, rel=1e-9)
    assert high == pytest.approx(6.0, rel=1e-9)
    # at 70 %: 5.5 +- 0.5 * t(0.85, 1), from scipy (inside the 1-7 scale)
    low, high = res.mean_interval(0.7)
    crit = stats.t.ppf(0.85, 1)
    assert low == pytest.approx(5.5 - 0.5 * crit, rel=1e-9)
    assert high == pytest.approx(5.5 + 0.5 * crit, rel=1e-9)
    # grouped: the two-answer team (5, 4) gets [4, 5], the one-answer team NaN
    with pytest.warns(cx.exceptions.UndefinedMetricWarning, match="single answer"):
        ci = cx.csat([5, 4, 3], by=["a", "a", "b"]).mean_interval(0.5)
    np.testing.assert_allclose(ci.low, [4.0, np.nan], rtol=1e-9)
    np.testing.assert_allclose(ci.high, [5.0, np.nan], rtol=1e-9)


@pytest.mark.parametrize("level", LEVELS)
def test_normal_mean_interval_levels(stats, level):
    low, high = mean_interval(10.0, 2.0, level, method="normal")
    z = stats.norm.ppf(0.5 + level / 2)
    assert float(low) == pytest.approx(10.0 - 2.0 * z, rel=1e-12)
    assert float(high) == pytest.approx(10.0 + 2.0 * z, rel=1e-12)


@pytest.mark.parametrize("level", [0.8, 0.9, 0.99])
@pytest.mark.parametrize(
    ("method", "sm_method"),
    [
        ("wilson", "wilson"),
        ("agresti_coull", "agresti_coull"),
        ("wald", "normal"),
        ("jeffreys", "jeffreys"),
        ("clopper_pearson", "beta"),
    ],
)
@pytest.mark.parametrize(("count", "nobs"), [(7, 10), (0, 12), (12, 12), (1, 2)])
def test_proportion_interval_levels_match_statsmodels(
    stats, method, sm_method, count, nobs, level
):
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    low, high = proportion_interval(count, nobs, level, method=method)
    want = proportion.proportion_confint(count, nobs, alpha=1 - level, method=sm_method)
    assert float(low) == pytest.approx(want[0], abs=1e-9)
    assert float(high) == pytest.approx(want[1], abs=1e-9)


@given(
    df=st.floats(0.5, 1e4),  # below ~0.5 df the 99.9 % quantile overflows float64
    level=st.floats(0.5, 0.999),
    se=st.floats(1e-3, 1e3),
)
def test_t_interval_is_finite_and_symmetric_for_any_positive_df(df, level, se):
    low, high = mean_interval(1.0, se, level, method="t", df=df)
    assert math.isfinite(float(low))
    assert math.isfinite(float(high))
    assert float(high) - 1.0 == pytest.approx(1.0 - float(low), rel=1e-9)
    # wider than the normal interval (heavier tails), for every df
    n_low, n_high = mean_interval(1.0, se, level, method="normal")
    assert float(high) >= float(n_high) - 1e-9 * se
    assert float(low) <= float(n_low) + 1e-9 * se


def test_t_is_the_default_method():
    # mean_interval(..., df=...) without a method is the t interval; with 1 df and
    # 50 % the critical value is tan(pi / 4) = 1
    low, high = mean_interval(3.0, 0.5, 0.5, df=1)
    assert float(low) == pytest.approx(2.5, rel=1e-12)
    assert float(high) == pytest.approx(3.5, rel=1e-12)
    assert mean_interval(3.0, 0.5, df=4) == mean_interval(3.0, 0.5, method="t", df=4)


def test_t_without_df_is_a_clear_error():
    # a cxmetrics error (also a TypeError) naming the argument and what to do; the
    # whole message is checked (anchored), so a garbled message fails
    whole = (
        r"^`df` is required for method='t'; got None\. Pass the degrees of freedom "
        r"\(n_eff - 1 for a sample mean\) or method='normal'\.$"
    )
    with pytest.raises(InvalidInputTypeError, match=whole):
        mean_interval(3.0, 0.5)
    with pytest.raises(TypeError, match=whole):
        mean_interval(3.0, 0.5, method="t")


def test_decimal_inputs_from_a_database_export():
    # NUMERIC columns arrive as decimal.Decimal: read as floats, same bounds
    low, high = mean_interval(Decimal("4.2"), Decimal("0.3"), 0.9, method="normal")
    want = mean_interval(4.2, 0.3, 0.9, method="normal")
    assert (float(low), float(high)) == (float(want.low), float(want.high))
    t = mean_interval([Decimal("4.2")], [Decimal("0.3")], df=[Decimal(3)])
    assert t.low.dtype == np.float64
    assert float(t.high[0]) == pytest.approx(float(mean_interval(4.2, 0.3, df=3).high))
    p = proportion_interval([Decimal(7)], [Decimal(10)], 0.9)
    q = proportion_interval(7, 10, 0.9)
    assert p.low.dtype == np.float64
    assert (float(p.low[0]), float(p.high[0])) == (float(q.low), float(q.high))


@pytest.mark.parametrize("level", LEVELS)
def test_wilson_is_exactly_zero_and_one_at_the_edges(level):
    # Wilson's bound is 0 at x = 0 and 1 at x = n exactly; the closed form in float64
    # misses both by rounding for many n, so the edges are set, not computed
    n = np.arange(1.0, 400.0)
    low0, high0 = proportion_interval(np.zeros_like(n), n, level)
    lown, highn = proportion_interval(n, n, level)
    assert (low0 == 0.0).all()
    assert (highn == 1.0).all()
    assert (high0 < 1.0).all()
    assert (lown > 0.0).all()


@pytest.mark.parametrize(
    ("count", "nobs", "match"),
    [
        (
            np.inf,
            np.inf,
            r"^`nobs` must be a finite number >= 0 \(or NaN when undefined\); got inf at index 1\.$",
        ),
        (
            3.0,
            np.inf,
            r"^`nobs` must be a finite number >= 0 \(or NaN when undefined\); got inf at index 1\.$",
        ),
    ],
)
def test_infinite_counts_are_refused(count, nobs, match):
    # regression: inf / inf used to give a RuntimeWarning and NaN bounds, and
    # 3 of inf the interval [0, 0]; now a clear error naming the index
    with pytest.raises(InvalidInputError, match=match):
        proportion_interval([1.0, count], [2.0, nobs])


@pytest.mark.parametrize(("count", "nobs"), [(np.nan, 5.0), (2.0, np.nan)])
def test_missing_counts_give_nan_bounds_for_that_row_only(count, nobs):
    # a NaN summary is how an undefined group (suppressed by min_n) travels: its
    # interval is NaN, and the other rows are untouched
    low, high = proportion_interval([1.0, count], [2.0, nobs])
    assert np.isnan(low[1])
    assert np.isnan(high[1])
    ref = proportion_interval(1.0, 2.0)
    assert (float(low[0]), float(high[0])) == (float(ref.low), float(ref.high))
