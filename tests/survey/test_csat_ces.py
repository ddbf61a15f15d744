from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from reference import (
    mean_reference,
    same_result,
    sample_variance_reference,
    share_reference,
)
from strategies import ces_answers, csat_answers, with_groups, with_weights

DELIGHTED = [5] * 42 + [4] * 32 + [3] * 10 + [2] * 9 + [1] * 14


def test_csat_delighted_example():
    # Delighted, "How is CSAT calculated?": 42/32/10/9/14 answers at 5..1 -> 69.16 %
    res = cx.csat(DELIGHTED)
    assert round(100 * res.value, 2) == 69.16
    assert (res.satisfied, res.n) == (74, 107)
    assert res.counts == (14, 9, 10, 32, 42)


def test_csat_definitions():
    res = cx.csat(DELIGHTED, definition="mean")
    assert res.value == pytest.approx(float(mean_reference(DELIGHTED)), rel=1e-15)
    assert res.definition == "mean"
    assert res.satisfied_share == pytest.approx(74 / 107)
    # binary good/bad, unrated excluded (Zendesk): 90 good, 10 bad, 50 unrated -> 90 %
    ratings = [1] * 90 + [0] * 10 + [None] * 50
    res = cx.csat(ratings, scheme=cx.CSATScheme.binary(), nan_policy="omit")
    assert (res.value, res.n, res.n_missing) == (0.9, 100, 50)
    assert cx.csat(
        [True, False, True], scheme=cx.CSATScheme.binary()
    ).value == pytest.approx(2 / 3)
    res = cx.csat([7, 6, 5, 1, 3], scheme=cx.CSATScheme(low=1, high=7, satisfied_min=6))
    assert res.value == 0.4


def test_csat_standard_errors_and_intervals():
    res = cx.csat(DELIGHTED)
    p = 74 / 107
    assert res.standard_error == pytest.approx(math.sqrt(p * (1 - p) / 107), rel=1e-12)
    # Wilson interval in closed form
    z = 1.959963984540054
    centre = (p + z * z / (2 * 107)) / (1 + z * z / 107)
    half = z * math.sqrt(p * (1 - p) / 107 + z * z / (4 * 107**2)) / (1 + z * z / 107)
    low, high = res.confidence_interval()
    assert low == pytest.approx(centre - half, rel=1e-12)
    assert high == pytest.approx(centre + half, rel=1e-12)
    mean_res = cx.csat(DELIGHTED, definition="mean")
    s = math.sqrt(float(sample_variance_reference(DELIGHTED)))
    assert mean_res.std == pytest.approx(s, rel=1e-12)
    assert mean_res.standard_error == pytest.approx(s / math.sqrt(107), rel=1e-12)
    low, high = mean_res.confidence_interval(method="normal")
    assert (low + high) / 2 == pytest.approx(mean_res.mean)
    assert high - low == pytest.approx(2 * z * s / math.sqrt(107), rel=1e-12)
    assert mean_res.share_interval() == res.confidence_interval()


def test_mean_t_interval_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    x = np.array(DELIGHTED, dtype=float)
    res = cx.csat(x, definition="mean")
    expected = stats.t.interval(0.9, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert res.confidence_interval(0.9) == pytest.approx(expected, rel=1e-12)


def test_weighted_mean_matches_statsmodels():
    sm = pytest.importorskip("statsmodels.stats.weightstats")
    rng = np.random.default_rng(3)
    x = rng.integers(1, 8, 300)
    w = rng.uniform(0.2, 3.0, 300)
    res = cx.ces(x, weights=w)
    d = sm.DescrStatsW(x, weights=w)
    assert res.mean == pytest.approx(d.mean, rel=1e-12)
    # with Kish's effective n as the sample size, the variance is the weighted
    # population variance times n_eff / (n_eff - 1)
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert res.effective_n == pytest.approx(n_eff, rel=1e-12)
    assert res.std**2 == pytest.approx(d.var * n_eff / (n_eff - 1), rel=1e-10)


def test_ces_default_is_ces2_mean():
    # Simplesat-style: 8 of 10 answers at 5-7 -> 80 % easy
    x = [7, 7, 6, 6, 5, 5, 5, 7, 2, 3]
    res = cx.ces(x)
    assert res.value == pytest.approx(float(mean_reference(x)))
    assert res.easy_share == 0.8
    assert res.easy == 8
    assert res.scheme.higher_is_easier
    assert cx.ces(x, definition="share").value == 0.8


def test_ces1_direction():
    x = [1, 2, 2, 4, 5]
    res = cx.ces(x, scheme=cx.CESScheme.ces1())
    assert not res.scheme.higher_is_easier
    assert res.easy_share == 0.6
    with pytest.raises(InvalidInputError, match=r"must lie in \[1, 5\]; got 7"):
        cx.ces([7], scheme=cx.CESScheme.ces1())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"easy_min": 1, "easy_max": 7},
        {"easy_min": 3, "easy_max": 5},
        {"easy_min": 6, "easy_max": 8},
    ],
)
def test_bad_ces_scheme(kwargs):
    with pytest.raises(InvalidInputError, match="CESScheme"):
        cx.CESScheme(**kwargs)


def test_bad_csat_scheme():
    with pytest.raises(InvalidInputError, match="CSATScheme"):
        cx.CSATScheme(satisfied_min=1)


@given(csat_answers)
def test_csat_matches_oracle_and_range(x):
    if x.size == 0:
        return
    res = cx.csat(x)
    assert res.value == pytest.approx(
        float(share_reference(x.tolist(), 4, 5)), abs=1e-15
    )
    assert 0.0 <= res.value <= 1.0
    low, high = res.confidence_interval()
    assert low <= res.value <= high
    m = cx.csat(x, definition="mean")
    assert 1.0 <= m.value <= 5.0
    assert m.value == pytest.approx(float(mean_reference(x.tolist())), rel=1e-12)


@given(ces_answers)
def test_ces_oracle(x):
    if x.size < 2:
        return
    res = cx.ces(x)
    assert res.value == pytest.approx(float(mean_reference(x.tolist())), rel=1e-12)
    var = sample_variance_reference(x.tolist())
    assert res.std**2 == pytest.approx(float(var), rel=1e-9, abs=1e-12)
    low, high = res.confidence_interval(method="normal")
    assert low <= res.value + 1e-12
    assert res.value - 1e-12 <= high


@given(with_groups(csat_answers))
def test_grouped_csat_equals_scalar(xg):
    x, g = xg
    for definition in ("share", "mean"):
        res = cx.csat(x, by=g, definition=definition)
        for key in res.keys:
            assert same_result(
                res[key], cx.csat(x[np.asarray(g) == key], definition=definition)
            )


@given(with_groups(ces_answers))
def test_grouped_ces_equals_scalar(xg):
    x, g = xg
    res = cx.ces(x, by=g)
    for key in res.keys:
        assert same_result(res[key], cx.ces(x[np.asarray(g) == key]))


@given(with_weights(csat_answers))
def test_unit_weights_reproduce_unweighted(xw):
    x, _ = xw
    if x.size == 0:
        return
    for fn in (cx.csat, cx.ces):
        plain = fn(x)
        unit = fn(x, weights=np.ones(x.size))
        assert plain.value == unit.value
        assert plain.std == unit.std or (math.isnan(plain.std) and math.isnan(unit.std))
        assert plain.effective_n == unit.effective_n


@given(with_weights(csat_answers))
def test_weighted_share(xw):
    x, w = xw
    if w.sum() == 0:
        return
    res = cx.csat(x, weights=w)
    total = sum(Fraction(v) for v in w.tolist())
    part = sum(
        Fraction(v) for v, r in zip(w.tolist(), x.tolist(), strict=True) if r >= 4
    )
    assert res.value == pytest.approx(float(part / total), abs=1e-12)


def test_grouped_min_n_blanks_rating_fields():
    res = cx.csat([5, 4, 1, 2, 3, 5], by=["a", "a", "b", "b", "b", "b"], min_n=3)
    assert res.flagged.tolist() == [True, False]
    assert math.isnan(res.value[0])
    assert math.isnan(res.mean[0])
    assert res.positive[0] == 0
    assert res["a"].n == 2
    assert math.isnan(res["a"].value)


def test_empty_warns():
    with pytest.warns(UndefinedMetricWarning, match="CSAT is undefined"):
        res = cx.csat([])
    assert math.isnan(res.value)
    assert "undefined" in str(res)
    with pytest.warns(UndefinedMetricWarning, match="CES is undefined"):
        res = cx.ces([np.nan], nan_policy="omit")
    assert (res.n, res.n_missing) == (0, 1)


def test_single_answer_mean_has_nan_spread():
    res = cx.ces([5])
    assert res.value == 5.0
    assert math.isnan(res.std)
    assert math.isnan(res.standard_error)
    # issue #20 item 8: the NaN interval comes with an UndefinedMetricWarning
    with pytest.warns(cx.exceptions.UndefinedMetricWarning, match="single answer"):
        low, high = res.confidence_interval(method="normal")
    assert math.isnan(low)
    assert math.isnan(high)


def test_grouped_rating_intervals_and_frames():
    res = cx.ces([7, 5, 1, 3, 6, 6], by=["a", "a", "b", "b", "c", "c"])
    ci = res.confidence_interval(method="normal")
    assert ci.low.shape == (3,)
    assert res.share_interval().high.shape == (3,)
    cols = res.to_dict()
    assert cols["key"].tolist() == ["a", "b", "c"]
    assert "GroupedCESResult" in repr(res)
    assert res.mean_interval(method="normal").low[0] == pytest.approx(ci.low[0])


def test_mean_interval_clipped_to_scale():
    res = cx.ces([7, 5, 2])
    low, high = res.confidence_interval(method="normal")
    assert low >= 1.0
    assert high == 7.0
