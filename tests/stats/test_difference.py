"""Two-sample comparisons against statsmodels and scipy.

Our sign convention is **b minus a** (positive: b higher), so every oracle is called
with b as the first sample. Oracles:

* ``statsmodels.stats.proportion.proportions_ztest`` (pooled two-proportion z test)
  and ``confint_proportions_2indep(..., compare='diff')`` (methods 'newcomb',
  'wald', 'agresti-caffo');
* ``scipy.stats.ttest_ind(equal_var=False)`` (Welch) and ``ttest_rel`` (paired t),
  with their ``confidence_interval()``;
* ``statsmodels.stats.weightstats`` (z tests on means) and
  ``statsmodels.stats.contingency_tables.mcnemar`` (McNemar without correction).
"""

from __future__ import annotations

import numpy as np
import pytest

sm_proportion = pytest.importorskip("statsmodels.stats.proportion")
sm_weightstats = pytest.importorskip("statsmodels.stats.weightstats")
sm_tables = pytest.importorskip("statsmodels.stats.contingency_tables")
scipy_stats = pytest.importorskip("scipy.stats")

from cxmetrics.stats import (  # noqa: E402
    mean_difference,
    paired_difference,
    proportion_difference,
)

RTOL = 1e-9
ALTERNATIVES = ("two-sided", "less", "greater")
# statsmodels names the one-sided alternatives after the first sample (here b)
SM_ALTERNATIVE = {"two-sided": "two-sided", "less": "smaller", "greater": "larger"}

PROPORTION_CASES = [
    # (count_a, nobs_a, count_b, nobs_b)
    (48, 80, 56, 70),
    (3, 10, 9, 10),
    (9, 10, 3, 10),
    (0, 20, 5, 25),
    (20, 20, 15, 20),
    (120, 1000, 150, 1000),
    (1, 3, 2, 7),
    (5000, 10000, 5100, 10000),
    (12.5, 40.3, 20.25, 44.7),  # effective (weighted) counts
]


def _approx(expected: float) -> object:
    e = float(expected)
    atol = 1e-12 if min(abs(e), abs(1.0 - abs(e))) < 1e-12 else 0.0
    return pytest.approx(e, rel=RTOL, abs=atol)


def _prop(ca, na, cb, nb, alternative="two-sided"):
    return proportion_difference(
        ca, na, cb, nb, n_a=round(na), n_b=round(nb), alternative=alternative
    )


# --------------------------------------------------------------------------------------
# independent proportions


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize(("ca", "na", "cb", "nb"), PROPORTION_CASES)
def test_pooled_z_matches_statsmodels(ca, na, cb, nb, alternative):
    z, p = sm_proportion.proportions_ztest(
        np.array([cb, ca]), np.array([nb, na]), alternative=SM_ALTERNATIVE[alternative]
    )
    res = _prop(ca, na, cb, nb, alternative)
    assert res.statistic == _approx(z)
    assert res.pvalue == _approx(p)
    assert res.value == pytest.approx(cb / nb - ca / na, rel=1e-14, abs=1e-16)
    assert res.estimate_a == ca / na
    assert res.estimate_b == cb / nb
    assert res.test == "pooled_z"
    assert res.kind == "proportion"
    assert not res.paired


def test_sign_is_b_minus_a():
    up = _prop(30, 100, 45, 100)
    down = _prop(45, 100, 30, 100)
    assert up.value > 0
    assert up.statistic > 0
    assert down.value == -up.value
    assert down.statistic == -up.statistic
    assert up.pvalue == down.pvalue
    # one-sided: 'greater' says b is above a
    assert (
        _prop(30, 100, 45, 100, "greater").pvalue
        < 0.05
        < _prop(30, 100, 45, 100, "less").pvalue
    )


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
@pytest.mark.parametrize(("ca", "na", "cb", "nb"), PROPORTION_CASES)
@pytest.mark.parametrize(
    ("method", "sm_method"),
    [("newcombe", "newcomb"), ("wald", "wald"), ("agresti_caffo", "agresti-caffo")],
)
def test_proportion_interval_matches_statsmodels(
    method, sm_method, ca, na, cb, nb, level
):
    exp_low, exp_high = sm_proportion.confint_proportions_2indep(
        cb, nb, ca, na, method=sm_method, compare="diff", alpha=1.0 - level
    )
    low, high = _prop(ca, na, cb, nb).confidence_interval(level, method=method)
    assert low == _approx(exp_low)
    assert high == _approx(exp_high)


def test_proportion_default_interval_is_newcombe():
    res = _prop(48, 80, 56, 70)
    assert res.confidence_interval() == res.confidence_interval(0.95, method="newcombe")


@pytest.mark.parametrize(("ca", "na", "cb", "nb"), PROPORTION_CASES)
def test_proportion_standard_error_is_unpooled(ca, na, cb, nb):
    # the Wald interval of statsmodels is diff -/+ z * unpooled SE
    low, high = sm_proportion.confint_proportions_2indep(
        cb, nb, ca, na, method="wald", compare="diff"
    )
    z = scipy_stats.norm.isf(0.025)
    assert _prop(ca, na, cb, nb).standard_error == _approx((high - low) / (2 * z))


# --------------------------------------------------------------------------------------
# independent means


def _datasets() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20240611)
    return [
        (rng.integers(1, 6, 40).astype(float), rng.integers(2, 6, 55).astype(float)),
        (rng.normal(3.0, 1.0, 5), rng.normal(3.5, 2.5, 12)),
        (rng.normal(0.0, 1.0, 300), rng.normal(0.1, 0.5, 30)),
        (np.array([1.0, 2.0, 3.0, 4.5]), np.array([2.0, 3.0, 5.0, 7.0, 8.0])),
        (rng.integers(1, 8, 200).astype(float), rng.integers(1, 8, 200).astype(float)),
    ]


DATASETS = _datasets()


def _summaries(
    a: np.ndarray, b: np.ndarray, *, test: str, alternative: str = "two-sided"
):
    return mean_difference(
        float(a.mean()),
        float(a.var(ddof=1)),
        a.size,
        float(b.mean()),
        float(b.var(ddof=1)),
        b.size,
        n_a=a.size,
        n_b=b.size,
        test=test,
        alternative=alternative,
    )


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("data", range(len(DATASETS)))
def test_welch_matches_scipy(data, alternative):
    a, b = DATASETS[data]
    expected = scipy_stats.ttest_ind(b, a, equal_var=False, alternative=alternative)
    res = _summaries(a, b, test="welch", alternative=alternative)
    assert res.statistic == _approx(expected.statistic)
    assert res.pvalue == _approx(expected.pvalue)
    assert res.df == _approx(expected.df)
    assert res.value == pytest.approx(b.mean() - a.mean(), rel=1e-14)
    assert res.test == "welch"


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
@pytest.mark.parametrize("data", range(len(DATASETS)))
def test_welch_interval_matches_scipy(data, level):
    a, b = DATASETS[data]
    expected = scipy_stats.ttest_ind(b, a, equal_var=False).confidence_interval(level)
    res = _summaries(a, b, test="welch")
    # the default interval after a t test is the t interval
    for low, high in (
        res.confidence_interval(level),
        res.confidence_interval(level, method="t"),
    ):
        assert low == _approx(expected.low)
        assert high == _approx(expected.high)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("data", range(len(DATASETS)))
def test_mean_z_test_matches_statsmodels(data, alternative):
    a, b = DATASETS[data]
    cm = sm_weightstats.CompareMeans(
        sm_weightstats.DescrStatsW(b), sm_weightstats.DescrStatsW(a)
    )
    z, p = cm.ztest_ind(usevar="unequal", alternative=SM_ALTERNATIVE[alternative])
    res = _summaries(a, b, test="z", alternative=alternative)
    assert res.statistic == _approx(z)
    assert res.pvalue == _approx(p)
    assert res.df == float("inf")
    exp_low, exp_high = cm.zconfint_diff(alpha=0.1, usevar="unequal")
    # after a z test the default interval is the normal one
    for low, high in (
        res.confidence_interval(0.9),
        res.confidence_interval(0.9, method="normal"),
    ):
        assert low == _approx(exp_low)
        assert high == _approx(exp_high)


# --------------------------------------------------------------------------------------
# paired comparisons


def _paired(
    a: np.ndarray,
    b: np.ndarray,
    *,
    kind: str,
    test: str,
    ddof: int,
    alternative="two-sided",
    inputs=(),
):
    """Unweighted pairs, summarised as paired_difference expects (histogram of b - a)."""
    d = b - a
    values, counts = np.unique(d, return_counts=True)
    return paired_difference(
        values.astype(float),
        counts.astype(float),
        float(d.size),
        n=d.size,
        estimate_a=float(a.mean()),
        estimate_b=float(b.mean()),
        kind=kind,
        test=test,
        alternative=alternative,
        ddof=ddof,
        inputs=inputs,
    )


def _paired_datasets() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    a1 = rng.integers(1, 6, 60)
    b1 = np.clip(a1 + rng.integers(-1, 3, 60), 1, 5)
    a2 = rng.integers(1, 8, 15)
    b2 = np.clip(a2 + rng.integers(-3, 3, 15), 1, 7)
    return [
        (a1.astype(float), b1.astype(float)),
        (a2.astype(float), b2.astype(float)),
        (np.array([4.0, 5, 3, 2, 5, 4]), np.array([5.0, 5, 4, 4, 3, 5])),
    ]


PAIRED = _paired_datasets()


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("data", range(len(PAIRED)))
def test_paired_t_matches_scipy(data, alternative):
    a, b = PAIRED[data]
    expected = scipy_stats.ttest_rel(b, a, alternative=alternative)
    res = _paired(a, b, kind="mean", test="paired_t", ddof=1, alternative=alternative)
    assert res.statistic == _approx(expected.statistic)
    assert res.pvalue == _approx(expected.pvalue)
    assert res.df == _approx(expected.df)
    assert res.value == pytest.approx(float((b - a).mean()), rel=1e-13)
    assert res.paired
    assert res.n == a.size


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
@pytest.mark.parametrize("data", range(len(PAIRED)))
def test_paired_t_interval_matches_scipy(data, level):
    a, b = PAIRED[data]
    expected = scipy_stats.ttest_rel(b, a).confidence_interval(level)
    low, high = _paired(a, b, kind="mean", test="paired_t", ddof=1).confidence_interval(
        level
    )
    assert low == _approx(expected.low)
    assert high == _approx(expected.high)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("data", range(len(PAIRED)))
def test_paired_z_matches_statsmodels(data, alternative):
    a, b = PAIRED[data]
    # DescrStatsW.ztest_mean uses the standard error sd(ddof=1)/sqrt(n)
    z, p = sm_weightstats.DescrStatsW(b - a).ztest_mean(
        0.0, alternative=SM_ALTERNATIVE[alternative]
    )
    res = _paired(a, b, kind="mean", test="z", ddof=1, alternative=alternative)
    assert res.statistic == _approx(z)
    assert res.pvalue == _approx(p)


@pytest.mark.parametrize(
    ("up", "down", "ties"),
    [(6, 16, 139), (16, 6, 139), (40, 20, 100), (1, 7, 13), (3, 3, 10)],
)
def test_mcnemar_matches_statsmodels(up, down, ties):
    # pairs with b - a = +1 (up), -1 (down) and 0 (ties); McNemar's chi-square without
    # continuity correction is z^2
    a = np.repeat([0.0, 1.0, 0.0], [up, down, ties])
    b = np.repeat([1.0, 0.0, 0.0], [up, down, ties])
    table = np.array([[ties, up], [down, 0]])
    expected = sm_tables.mcnemar(table, exact=False, correction=False)
    res = _paired(a, b, kind="proportion", test="mcnemar", ddof=0, inputs=(up, down))
    assert res.statistic**2 == _approx(expected.statistic)
    assert np.sign(res.statistic) == np.sign(up - down)
    assert res.pvalue == _approx(expected.pvalue)


@pytest.mark.parametrize("alternative", ["less", "greater"])
def test_mcnemar_one_sided_is_normal_tail(alternative):
    # z = (up - down)/sqrt(up + down); 'greater': P(Z > z), 'less': P(Z < z)
    up, down = 6, 16
    a = np.repeat([0.0, 1.0, 0.0], [up, down, 139])
    b = np.repeat([1.0, 0.0, 0.0], [up, down, 139])
    res = _paired(
        a,
        b,
        kind="proportion",
        test="mcnemar",
        ddof=0,
        alternative=alternative,
        inputs=(up, down),
    )
    z = (up - down) / np.sqrt(up + down)
    expected = (
        scipy_stats.norm.sf(z) if alternative == "greater" else scipy_stats.norm.cdf(z)
    )
    assert res.pvalue == _approx(expected)
