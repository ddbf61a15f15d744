"""Kaplan-Meier bands, RMST and quantile intervals at several confidence levels (issue #21).

Mutants killed here (``survival/_km.py``): the plain band's half-width
``z * sd * S`` turned into ``z * sd / S``, the restricted-mean interval's ``z * SE``
turned into ``z / SE``, and ``quantile_interval`` ignoring its
``confidence_level``. References: statsmodels' ``SurvfuncRight`` (Greenwood
standard errors of S, test-only dependency), hand computations in comments, and
a re-implementation of the documented rules in numpy below.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx

LEVELS = [0.5, 0.8, 0.9, 0.95, 0.99]

# twelve subscriptions: months until cancellation, 0 = still active (censored)
MONTHS = [3, 5, 5, 8, 10, 12, 15, 2, 6, 9, 11, 4]
CANCELLED = [1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1]


def z_of(level):
    return NormalDist().inv_cdf(0.5 + level / 2)


def _km_by_hand(time, event):
    """Event times, S and the Greenwood sum sum d / (n (n - d)), written out plainly."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=int)
    out_t, out_s, out_g = [], [], []
    s, g = 1.0, 0.0
    for t in np.unique(time[event == 1]):
        n = int((time >= t).sum())
        d = int(((time == t) & (event == 1)).sum())
        s *= 1 - d / n
        g += d / (n * (n - d)) if n > d else math.inf
        out_t.append(t)
        out_s.append(s)
        out_g.append(g)
    return np.array(out_t), np.array(out_s), np.array(out_g)


@pytest.fixture(scope="module")
def fit():
    return cx.kaplan_meier(MONTHS, CANCELLED)


@pytest.mark.parametrize("level", LEVELS)
def test_plain_and_log_bands_match_statsmodels(fit, level):
    survfunc = pytest.importorskip("statsmodels.duration.survfunc")
    sf = survfunc.SurvfuncRight(np.array(MONTHS, float), np.array(CANCELLED, float))
    keep = np.isin(fit.time, sf.surv_times) & (fit.survival > 0)
    s = sf.surv_prob[: keep.sum()]
    se = sf.surv_prob_se[: keep.sum()]
    np.testing.assert_allclose(fit.survival[keep], s, rtol=1e-12)
    z = z_of(level)
    plain = fit.confidence_interval(level, method="plain")
    np.testing.assert_allclose(plain.low[keep], np.maximum(s - z * se, 0), rtol=1e-10)
    np.testing.assert_allclose(plain.high[keep], np.minimum(s + z * se, 1), rtol=1e-10)
    log = fit.confidence_interval(level, method="log")
    np.testing.assert_allclose(log.low[keep], s * np.exp(-z * se / s), rtol=1e-10)
    np.testing.assert_allclose(
        log.high[keep], np.minimum(s * np.exp(z * se / s), 1), rtol=1e-10
    )


def test_plain_band_by_hand():
    # 4 subjects, events at 1, 2, 3 (censored at 4): S(1) = 3/4, Greenwood
    # 1 / (4 * 3) = 1/12, SE = 0.75 * sqrt(1/12) = 0.216506...; at 90 % (z = 1.644854)
    # the plain band is 0.75 -+ 0.356121, clipped to [0, 1]
    fit = cx.kaplan_meier([1, 2, 3, 4], [1, 1, 1, 0])
    low, high = fit.confidence_interval(0.9, method="plain")
    half = 1.6448536269514722 * 0.75 * math.sqrt(1 / 12)
    assert low[0] == pytest.approx(0.75 - half, rel=1e-12)
    assert high[0] == 1.0  # 0.75 + 0.356121 clipped to 1
    # S(2) = 1/2, Greenwood 1/12 + 1/(3*2) = 1/4, SE = 0.25; 90 %: 0.5 -+ 0.411213
    assert low[1] == pytest.approx(0.5 - 1.6448536269514722 * 0.25, rel=1e-12)
    assert high[1] == pytest.approx(0.5 + 1.6448536269514722 * 0.25, rel=1e-12)


@pytest.mark.parametrize("level", LEVELS)
def test_restricted_mean_interval_by_hand(level):
    # the docstring example: durations 2, 4, 4+, 7 to tau = 6:
    # S = 1 on [0, 2), 3/4 on [2, 4), 1/2 on [4, 6): mean 2 + 1.5 + 1 = 4.5
    # Var = A(2)^2 * 1/(4*3) + A(4)^2 * 1/(3*2) with A(2) = 1.5 + 1 = 2.5, A(4) = 1:
    # 6.25/12 + 1/6 = 0.6875, SE = 0.829156...
    res = cx.kaplan_meier([2, 4, 4, 7], [1, 1, 0, 1]).restricted_mean(6)
    assert res.value == pytest.approx(4.5)
    assert res.standard_error == pytest.approx(math.sqrt(0.6875), rel=1e-12)
    z = z_of(level)
    low, high = res.confidence_interval(level)
    assert low == pytest.approx(max(4.5 - z * math.sqrt(0.6875), 0.0), rel=1e-12)
    assert high == pytest.approx(min(4.5 + z * math.sqrt(0.6875), 6.0), rel=1e-12)


@pytest.mark.parametrize("level", LEVELS)
def test_restricted_mean_interval_against_greenwood_sum(fit, level):
    tau = 14.0
    t, s, _ = _km_by_hand(MONTHS, CANCELLED)
    edges = np.concatenate(([0.0], t[t <= tau], [tau]))
    heights = np.concatenate(([1.0], s[t <= tau]))
    areas = np.diff(edges) * heights
    value = areas.sum()
    var = 0.0
    months = np.array(MONTHS)
    cancelled = np.array(CANCELLED)
    for j, tj in enumerate(t[t <= tau]):
        n = (months >= tj).sum()
        d = ((months == tj) & (cancelled == 1)).sum()
        tail = areas[j + 1 :].sum()
        var += tail**2 * d / (n * (n - d)) if n > d else 0.0
    res = fit.restricted_mean(tau)
    assert res.value == pytest.approx(value, rel=1e-12)
    assert res.standard_error == pytest.approx(math.sqrt(var), rel=1e-12)
    z = z_of(level)
    low, high = res.confidence_interval(level)
    assert low == pytest.approx(max(value - z * math.sqrt(var), 0.0), rel=1e-12)
    assert high == pytest.approx(min(value + z * math.sqrt(var), tau), rel=1e-12)


def _band(s, g, level, method):
    z = z_of(level)
    sd = np.sqrt(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "log-log":
            theta = z * sd / np.log(s)
            low, high = s ** np.exp(-theta), s ** np.exp(theta)
        elif method == "log":
            low, high = s * np.exp(-z * sd), np.minimum(s * np.exp(z * sd), 1)
        else:
            low, high = np.maximum(s - z * sd * s, 0), np.minimum(s + z * sd * s, 1)
    return np.where(s <= 0, 0.0, low), np.where(s <= 0, 1.0, high)


def _first_at_or_below(t, curve, level):
    hit = np.flatnonzero(curve <= level)
    return float(t[hit[0]]) if hit.size else math.inf


@pytest.mark.parametrize("method", ["log-log", "log", "plain"])
@pytest.mark.parametrize("p", [0.25, 0.5, 0.75])
def test_quantile_interval_follows_its_confidence_level(fit, method, p):
    # Brookmeyer-Crowley: the first times the lower and the upper band reach 1 - p,
    # with the band at the requested level (no flat stretch lies on 1 - p here)
    t, s, g = _km_by_hand(MONTHS, CANCELLED)
    seen = set()
    for level in LEVELS:
        low_band, high_band = _band(s, g, level, method)
        want = (
            _first_at_or_below(t, low_band, 1 - p),
            _first_at_or_below(t, high_band, 1 - p),
        )
        got = fit.quantile_interval(p, level, method=method)
        assert tuple(got) == want
        seen.add(want)
    # the levels give different intervals, so the level is read
    assert len(seen) >= 2


def test_median_interval_levels_by_hand(fit):
    # log-log at 50 %, 95 %: different intervals around the median 9
    assert fit.median == 9.0
    narrow = fit.median_interval(0.5)
    wide = fit.median_interval(0.95)
    assert narrow.low >= wide.low
    assert narrow.high <= wide.high
    assert narrow != wide
    assert wide == fit.quantile_interval(0.5, 0.95)


@given(
    data=st.lists(
        st.tuples(st.integers(1, 30), st.booleans()), min_size=2, max_size=40
    ),
    level=st.sampled_from(LEVELS),
    method=st.sampled_from(["log-log", "log", "plain"]),
)
def test_band_equals_the_formula_on_greenwood(data, level, method):
    t = np.array([d for d, _ in data], dtype=float)
    e = np.array([int(x) for _, x in data])
    fit = cx.kaplan_meier(t, e)
    ev = fit.events > 0
    times, s, g = _km_by_hand(t, e)
    np.testing.assert_array_equal(fit.time[ev], times)
    np.testing.assert_allclose(fit.survival[ev], s, rtol=1e-12)
    np.testing.assert_allclose(fit.greenwood[ev], g, rtol=1e-12)
    band = fit.confidence_interval(level, method=method)
    low, high = _band(s, g, level, method)
    defined = s < 1  # where S == 1 the band is [1, 1]
    np.testing.assert_allclose(
        band.low[ev][defined], low[defined], rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(
        band.high[ev][defined], high[defined], rtol=1e-9, atol=1e-12
    )
