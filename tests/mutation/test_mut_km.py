"""Kaplan-Meier bands, RMST and quantile intervals at several confidence levels (issue #21).

Mutants killed here (``survival/_km.py``): the plain band's half-width
``z * sd * S`` turned into ``z * sd / S``, the restricted-mean interval's ``z * SE``
turned into ``z / SE``, and ``quantile_interval`` ignoring its
``confidence_level``; then the survivors of the first measurement of the module
in ``survival/`` (see the tests below the ``first measurement`` line): the
quantile rule at the edges of its ``sqrt(eps)`` tolerance and on a level lasting
to the last time, the restricted-mean interval's lower clip, the empty curve's
results and warning, argument names in messages, ``to_dict`` column names, and
floating-point errors leaking to a caller whose numpy error state raises.
References: statsmodels' ``SurvfuncRight`` (Greenwood
standard errors of S, test-only dependency), hand computations in comments, and
a re-implementation of the documented rules in numpy below.
"""

from __future__ import annotations

import math
import sys
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    MissingDependencyError,
    UndefinedMetricWarning,
)
from cxmetrics.survival import _km

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


# ------------------------------------------- first measurement in survival/


def test_tolerance_is_sqrt_eps_a_power_of_two():
    # the edge tests below rely on p -+ sqrt(eps) being exact in binary
    assert _km._TOL == 2.0**-26


def test_quantile_at_the_edges_of_the_tolerance():
    # four events at 1, 2, 3, 4: 1 - S = 0.25, 0.5, 0.75, 1
    fit = cx.kaplan_meier([1, 2, 3, 4])
    # p = 0.5 + sqrt(eps): 1 - S(2) = 0.5 = p - sqrt(eps) counts as reached (>=), and
    # the first time beyond p + sqrt(eps) is 3: the midpoint (2 + 3) / 2
    assert fit.quantile(0.5 + 2.0**-26) == 2.5
    # p = 0.5 - sqrt(eps): 1 - S(2) = 0.5 = p + sqrt(eps) counts as beyond (>=), so
    # the quantile is 2 itself, not a midpoint with 3
    assert fit.quantile(0.5 - 2.0**-26) == 2.0


def test_quantile_on_a_level_lasting_to_the_end():
    # events at 1, 2, censored at 3, 4: S = 3/4, then 1/2 from 2 to the last time 4
    fit = cx.kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0])
    # the curve lies on 1 - p = 0.5 up to the end: the midpoint of 2 and the last time 4
    assert fit.quantile(0.5) == 3.0
    # at exactly sqrt(eps) below the level the curve is reached but not on it (|diff| <
    # sqrt(eps) is strict) and never goes beyond: the first time it is reached, 2
    assert fit.quantile(0.5 + 2.0**-26) == 2.0
    # the band of a curve on the level to the end: the upper band lies above 0.5 and
    # is never reached (inf); the lower band reaches 0.5 first at time 1
    assert fit.quantile_interval(0.5, 0.95) == (1.0, math.inf)


def test_quantile_interval_default_level_is_95_percent(fit):
    assert fit.quantile_interval(0.5) == fit.quantile_interval(0.5, 0.95)
    assert fit.quantile_interval(0.25) == fit.quantile_interval(0.25, 0.95)
    assert fit.quantile_interval(0.5) != fit.quantile_interval(0.5, 0.5)


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_quantile_interval_names_the_probability(fit, bad):
    msg = rf"^`probability` must lie in \[0, 1\]; got {bad}\.$"
    with pytest.raises(InvalidInputError, match=msg):
        fit.quantile_interval(bad)
    with pytest.raises(InvalidInputError, match=msg):
        fit.quantile(bad)


def test_restricted_mean_interval_lower_bound_below_one():
    # the docstring example with every duration divided by 10: mean 0.45, SE
    # sqrt(0.006875) = 0.0829156; 95 %: 0.45 - 1.959964 * 0.0829156 = 0.287488
    res = cx.kaplan_meier([0.2, 0.4, 0.4, 0.7], [1, 1, 0, 1]).restricted_mean(0.6)
    assert res.value == pytest.approx(0.45, rel=1e-12)
    assert res.standard_error == pytest.approx(math.sqrt(0.006875), rel=1e-12)
    low, high = res.confidence_interval(0.95)
    assert low == pytest.approx(0.45 - z_of(0.95) * math.sqrt(0.006875), rel=1e-12)
    assert high == 0.6  # 0.45 + 0.1625 clipped to tau
    # below 0 it is clipped to 0: one event at 0.001 of two, tau = 1: mean
    # 0.001 + 0.5 * 0.999 = 0.5005; Var = 0.4995^2 * 1 / (2 * 1), SE 0.353200;
    # 95 %: 0.5005 - 0.692254 < 0 -> 0, and 0.5005 + 0.692254 > tau -> 1
    res = cx.kaplan_meier([0.001, 5], [1, 0]).restricted_mean(1)
    assert res.value == pytest.approx(0.5005, rel=1e-12)
    assert res.standard_error == pytest.approx(0.4995 * math.sqrt(0.5), rel=1e-12)
    assert tuple(res.confidence_interval(0.95)) == (0.0, 1.0)


def test_restricted_mean_reports_tau_and_n(fit):
    res = fit.restricted_mean(14)
    assert (res.tau, res.n) == (14.0, 12)
    assert type(res.n) is int


def test_empty_curve_results_and_warning():
    with pytest.warns(UndefinedMetricWarning) as rec:
        fit = cx.kaplan_meier([])
    assert len(rec) == 1
    assert str(rec[0].message) == (
        "the Kaplan-Meier curve is undefined for zero subjects; "
        "returning an empty curve."
    )
    # under mutmut a trampoline adds two frames between the caller and the function,
    # so the caller's frame is only checked in an ordinary run
    if not hasattr(_km.kaplan_meier_from_table, "__wrapped__"):
        assert rec[0].filename == __file__
    res = fit.restricted_mean(3)
    assert math.isnan(res.value)
    assert math.isnan(res.standard_error)
    assert res.tau == 3.0
    assert res.n == 0
    assert type(res.n) is int


def test_survival_at_takes_any_real_numbers():
    # S = 3/4 on [1, 2), 1/2 on [2, 3), 1/4 on [3, 4), 0 from 4
    fit = cx.kaplan_meier([1, 2, 3, 4])
    assert fit.survival_at(Fraction(5, 2)) == 0.5
    assert fit.survival_at(Decimal("3.5")) == 0.25
    np.testing.assert_array_equal(
        fit.survival_at([Fraction(1, 2), Decimal("1.5"), 4]), [1.0, 0.75, 0.0]
    )


def test_to_dict_columns_by_name():
    fit = cx.kaplan_meier([3, 5, 5, 8], [1, 1, 0, 1])
    cols = fit.to_dict()
    assert list(cols) == [
        "time",
        "at_risk",
        "events",
        "censored",
        "survival",
        "standard_error",
        "ci_low",
        "ci_high",
    ]
    band = fit.confidence_interval(0.95, method="log-log")
    for name in ("time", "at_risk", "events", "censored", "survival"):
        np.testing.assert_array_equal(cols[name], getattr(fit, name))
    np.testing.assert_array_equal(cols["standard_error"], fit.standard_error)
    np.testing.assert_array_equal(cols["ci_low"], band.low)
    np.testing.assert_array_equal(cols["ci_high"], band.high)
    # by hand: S = 3/4, 1/2, 0 with 4, 3, 1 at risk; 0 censored at 3 and 8, 1 at 5
    assert cols["at_risk"].tolist() == [4, 3, 1]
    assert cols["events"].tolist() == [1, 1, 1]
    assert cols["censored"].tolist() == [0, 1, 0]


def test_to_pandas_without_pandas_names_the_method(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    fit = cx.kaplan_meier([3, 5])
    with pytest.raises(MissingDependencyError, match=r"^to_pandas\(\) needs pandas,"):
        fit.to_pandas()


@pytest.mark.parametrize("method", ["log-log", "log", "plain"])
def test_no_floating_point_error_reaches_a_raising_caller(method):
    # a caller whose numpy raises on divide/invalid/overflow: the curve has an S = 1
    # row (censored at 1 before any event: log S = 0, sd = 0) and ends at S = 0
    # (log S = -inf, Greenwood inf), where every operation would otherwise raise
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        fit = cx.kaplan_meier([1, 2, 2, 3], [0, 1, 1, 1])
        band = fit.confidence_interval(0.95, method=method)
        rmst = fit.restricted_mean(4)
        ci = rmst.confidence_interval(0.95)
    # S = 1, 1/3, 0 at 1, 2, 3; Greenwood 0, 2 / (3 * 1), inf
    np.testing.assert_allclose(fit.survival, [1.0, 1 / 3, 0.0], rtol=1e-15)
    assert fit.greenwood[0] == 0.0
    assert fit.greenwood[1] == pytest.approx(2 / 3, rel=1e-15)
    assert fit.greenwood[2] == math.inf
    assert math.isnan(fit.standard_error[2])
    assert (band.low[0], band.high[0]) == (1.0, 1.0)
    assert (band.low[2], band.high[2]) == (0.0, 1.0)
    assert 0.0 <= band.low[1] < 1 / 3 < band.high[1] <= 1.0
    # RMST to 4: 2 * 1 + 1 * 1/3 = 7/3; the term at 3 (n = d = 1) is 0, the one at 2 has
    # tail 1/3 and d / (n (n - d)) = 2/3: Var = 1/9 * 2/3 = 2/27
    assert rmst.value == pytest.approx(7 / 3, rel=1e-12)
    assert rmst.standard_error == pytest.approx(math.sqrt(2 / 27), rel=1e-12)
    assert ci.low < 7 / 3 < ci.high


def test_standard_error_is_nan_once_the_curve_underflows_to_zero():
    # delayed entry keeps two subjects at risk at each of 1075 events (n = 2, d = 1):
    # S = 2^-k is exact down to 2^-1074 and rounds to 0 at the 1075th halving, the
    # last row (the second subject is censored at that same time). The Greenwood sum
    # stays finite (1075 / 2), so S * sqrt(sum) is 0 there, but the documented
    # standard error once the curve is 0 is NaN
    m = 1075
    k = np.arange(m + 1)
    durations = k + 2.0
    durations[-1] = m + 1
    events = np.ones(m + 1, dtype=int)
    events[-1] = 0
    entry = k + 0.5
    entry[0] = 0.0
    fit = cx.kaplan_meier(durations, events, entry=entry)
    assert fit.time.size == m
    assert fit.at_risk.tolist() == [2] * m
    assert fit.survival[-2] == 2.0**-1074
    assert fit.survival[-1] == 0.0
    assert fit.greenwood[-1] == m / 2
    assert fit.standard_error[-2] == pytest.approx(2.0**-1074 * math.sqrt(537), rel=0.1)
    assert np.isnan(fit.standard_error[-1])
    assert not np.isnan(fit.standard_error[:-1]).any()


def test_curve_of_a_state_is_a_view_of_its_read_only_columns():
    # the state's table starts with an origin row where nobody leaves: the curve is
    # the rest of the table, a slice, taken as a view of the state's read-only
    # columns (no copy); a writable table given by hand is copied (test above in
    # tests/survival/test_survival_fast_paths.py)
    state = cx.SurvivalState.from_durations([3.5, 1.25, 3.5, 8.0], [1, 0, 1, 1])
    assert state.times.tolist() == [0.0, 1.25, 3.5, 8.0]
    res = state.compute()
    assert res.time.tolist() == [1.25, 3.5, 8.0]
    for got, column in (
        (res.time, state.times),
        (res.events, state.events),
        (res.censored, state.censored),
    ):
        assert not column.flags.writeable
        assert np.shares_memory(got, column)
        assert not got.flags.writeable
