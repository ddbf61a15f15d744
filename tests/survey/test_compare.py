from __future__ import annotations

import math

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError

BEFORE = [10, 9, 6, 3, 8, 7, 10, 2]
AFTER = [10, 10, 8, 6, 9, 7, 10, 5]


def test_paired_nps_by_hand():
    # categories before: +1 +1 -1 -1 0 0 +1 -1; after: +1 +1 0 -1 +1 0 +1 -1
    # differences 0 0 1 0 1 0 0 0: mean 1/4, population variance 1/4 - 1/16 = 3/16
    d = cx.compare_nps(BEFORE, AFTER, paired=True)
    assert d.value == 25.0
    se = math.sqrt(3 / 16 / 8)
    assert d.standard_error == pytest.approx(100 * se, rel=1e-12)
    assert d.statistic == pytest.approx(0.25 / se, rel=1e-12)
    assert d.pvalue == pytest.approx(math.erfc(0.25 / se / math.sqrt(2)), rel=1e-12)
    assert (d.estimate_a, d.estimate_b) == (0.0, 25.0)
    assert d.paired
    assert d.n == 8
    low, high = d.confidence_interval()
    assert low == pytest.approx(25 - 1.959963984540054 * 100 * se, rel=1e-12)
    assert high > d.value


def test_sign_is_b_minus_a():
    d = cx.compare_nps(AFTER, BEFORE, paired=True)
    assert d.value == -25.0
    up = cx.compare_nps(BEFORE, AFTER, paired=True, alternative="greater")
    down = cx.compare_nps(BEFORE, AFTER, paired=True, alternative="less")
    assert up.pvalue + down.pvalue == pytest.approx(1.0)
    assert up.pvalue < down.pvalue


def test_independent_nps_by_hand():
    a = [10] * 30 + [8] * 40 + [3] * 30
    b = [10] * 45 + [8] * 35 + [3] * 20
    d = cx.compare_nps(a, b, method="wald")
    va = 0.3 + 0.3 - 0.0
    vb = 0.45 + 0.2 - 0.25**2
    se = math.sqrt(va / 100 + vb / 100)
    assert d.value == pytest.approx(25.0)
    assert d.standard_error == pytest.approx(100 * se, rel=1e-12)
    assert d.statistic == pytest.approx(0.25 / se, rel=1e-12)
    # adjusted Wald: 3/4 to promoters and detractors, 3 to n, in each sample
    adj = cx.compare_nps(a, b)
    pa, da, pb, db = 30.75 / 103, 30.75 / 103, 45.75 / 103, 20.75 / 103
    se_adj = math.sqrt(
        (pa + da - (pa - da) ** 2) / 103 + (pb + db - (pb - db) ** 2) / 103
    )
    assert adj.statistic == pytest.approx(((pb - db) - (pa - da)) / se_adj, rel=1e-12)
    assert adj.value == pytest.approx(25.0)
    # results can be passed instead of answers
    assert cx.compare_nps(cx.nps(a), cx.nps(b)) == adj


def test_paired_csat_is_mcnemar():
    sm = pytest.importorskip("statsmodels.stats.contingency_tables")
    rng = np.random.default_rng(5)
    a = rng.integers(1, 6, 200)
    b = np.clip(a + rng.integers(-1, 3, 200), 1, 5)
    d = cx.compare_csat(a, b, paired=True)
    sa, sb = a >= 4, b >= 4
    table = [[np.sum(sa & sb), np.sum(sa & ~sb)], [np.sum(~sa & sb), np.sum(~sa & ~sb)]]
    ref = sm.mcnemar(table, exact=False, correction=False)
    assert d.statistic**2 == pytest.approx(ref.statistic, rel=1e-12)
    assert d.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    assert d.value == pytest.approx(sb.mean() - sa.mean(), rel=1e-12)
    low, high = d.confidence_interval()  # Tango's score interval
    assert low < d.value < high


def test_paired_ces_is_paired_t():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(6)
    a = rng.integers(1, 8, 50)
    b = np.clip(a + rng.integers(-1, 3, 50), 1, 7)
    d = cx.compare_ces(a, b, paired=True)
    ref = stats.ttest_rel(b, a)
    assert d.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert d.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    assert d.df == 49
    assert d.confidence_interval(0.9) == pytest.approx(
        tuple(ref.confidence_interval(0.9)), rel=1e-10
    )


def test_independent_ces_is_welch():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(7)
    a = rng.integers(1, 8, 40)
    b = rng.integers(2, 8, 55)
    d = cx.compare_ces(a, b)
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert d.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert d.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    assert d.df == pytest.approx(ref.df, rel=1e-10)
    assert d.confidence_interval() == pytest.approx(
        tuple(ref.confidence_interval()), rel=1e-10
    )


def test_independent_csat_pooled_z():
    sm = pytest.importorskip("statsmodels.stats.proportion")
    a = [5, 4, 2, 1, 3, 5] * 7
    b = [5, 5, 4, 4, 2, 5] * 6
    d = cx.compare_csat(a, b)
    stat, p = sm.proportions_ztest([30, 21], [36, 42])
    assert d.statistic == pytest.approx(stat, rel=1e-12)
    assert d.pvalue == pytest.approx(p, rel=1e-9)
    low, high = d.confidence_interval()
    ref = sm.confint_proportions_2indep(
        30, 36, 21, 42, method="newcomb", compare="diff"
    )
    assert (low, high) == pytest.approx(ref, rel=1e-9)


def test_weighted_paired_unit_weights_equal_unweighted():
    d1 = cx.compare_nps(BEFORE, AFTER, paired=True)
    d2 = cx.compare_nps(BEFORE, AFTER, paired=True, weights=np.ones(8))
    assert d1.value == d2.value
    assert d1.standard_error == pytest.approx(d2.standard_error, rel=1e-15)


def test_paired_missing_pairs_are_dropped_and_counted():
    a = [10, np.nan, 3, 8]
    b = [10, 9, np.nan, 6]
    d = cx.compare_nps(a, b, paired=True, nan_policy="omit")
    assert d.n == 2


def test_compare_errors():
    with pytest.raises(InvalidInputError, match="same length"):
        cx.compare_nps([1, 2], [1], paired=True)
    with pytest.raises(InvalidInputError, match="paired=True give one weight per pair"):
        cx.compare_nps([1], [2], paired=True, weights_a=[1])
    with pytest.raises(InvalidInputError, match="`weights_a` and `weights_b`"):
        cx.compare_nps([1], [2], weights=[1])
    with pytest.raises(InvalidInputError, match="needs the answers themselves"):
        cx.compare_nps(cx.nps([1]), [2], paired=True)
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        cx.compare_nps([1], [2]).confidence_interval(method="newcombe")


def test_planning_round_trip():
    # the planned n gives a Wald half-width no larger than the target
    n = cx.nps_sample_size(5, promoter_share=0.4, detractor_share=0.2)
    v = 0.4 + 0.2 - 0.2**2
    assert 1.959963984540054 * math.sqrt(v / n) <= 0.05
    assert 1.959963984540054 * math.sqrt(v / (n - 1)) > 0.05
    m = cx.proportion_sample_size(0.03, proportion=0.7)
    assert 1.959963984540054 * math.sqrt(0.21 / m) <= 0.03


def test_nps_comparison_default_interval_follows_method():
    a = [10] * 30 + [8] * 40 + [3] * 30
    b = [10] * 45 + [8] * 35 + [3] * 20
    wald = cx.compare_nps(a, b, method="wald")
    assert wald.confidence_interval() == wald.confidence_interval(method="wald")
    adj = cx.compare_nps(a, b)
    assert adj.confidence_interval() == adj.confidence_interval(method="adjusted_wald")
    assert wald.confidence_interval() != adj.confidence_interval()
    assert "difference (b - a) +25" in str(wald)


def test_paired_rating_comparison_needs_answers():
    with pytest.raises(InvalidInputError, match="needs the answers themselves"):
        cx.compare_csat(cx.csat([5, 4]), [5, 3], paired=True)
    with pytest.raises(InvalidInputError, match="needs the answers themselves"):
        cx.compare_ces([5, 4], cx.ces([5, 3]), paired=True)
