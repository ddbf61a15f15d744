"""Agent shrinkage: beta-binomial empirical Bayes and James-Stein."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.voice import james_stein, shrink_rates

# Efron & Morris (1975), Table 1: 18 players' hits in their first 45 at bats of 1970,
# their batting average over the rest of the season, and the James-Stein estimates
# (grand mean .265, shrinkage factor c = .212)
HITS = [18, 17, 16, 15, 14, 14, 13, 12, 11, 11, 10, 10, 10, 10, 10, 9, 8, 7]
SEASON = [.346, .298, .276, .222, .273, .270, .263, .210, .269, .230,
          .264, .256, .303, .264, .226, .285, .316, .200]  # fmt: skip
JS_PUBLISHED = [.294, .289, .285, .280, .275, .275, .270, .266, .261, .261,
                .256, .256, .256, .256, .256, .252, .247, .242]  # fmt: skip


def test_efron_morris_batting_averages():
    y = np.array(HITS) / 45
    p = y.mean()
    res = james_stein(y, p * (1 - p) / 45)
    assert round(res.prior_mean, 3) == 0.265
    assert round(1 - float(res.shrinkage[0]), 3) == 0.212
    assert res.value.round(3).tolist() == JS_PUBLISHED
    # the point of the paper: about a third of the raw averages' squared error
    raw_error = float(((y - SEASON) ** 2).sum())
    js_error = float(((res.value - SEASON) ** 2).sum())
    assert js_error < raw_error / 3


def test_beta_binomial_matches_an_independent_ml_fit():
    stats = pytest.importorskip("scipy.stats")
    optimize = pytest.importorskip("scipy.optimize")
    x = np.array([3, 45, 80, 12, 30, 2, 55, 7])
    n = np.array([3, 60, 100, 20, 32, 8, 70, 15])

    def nll(t):
        return -stats.betabinom.logpmf(x, n, np.exp(t[0]), np.exp(t[1])).sum()

    ref = optimize.minimize(
        nll,
        [0.0, 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20000},
    )
    a, b = np.exp(ref.x)
    res = shrink_rates(x, n)
    assert res.prior_strength == pytest.approx(a + b, rel=1e-5)
    assert res.prior_mean == pytest.approx(a / (a + b), rel=1e-6)
    assert res.value == pytest.approx((x + a) / (n + a + b), rel=1e-6)
    lo = stats.beta.ppf(0.025, x + a, n - x + b)
    assert res.low == pytest.approx(lo, rel=1e-4)


def test_no_spread_beyond_chance_pools_completely():
    pytest.importorskip("scipy")
    res = shrink_rates([40, 41, 39, 40], [50, 50, 50, 50])
    assert res.pooled
    assert res.value == pytest.approx([0.8] * 4)
    assert res.shrinkage.tolist() == [1.0] * 4
    assert res.prior_strength == np.inf
    # regression: all-zero rates under complete pooling kept an interval above 0
    zero = shrink_rates([0, 0], [1, 1])
    assert zero.pooled
    assert zero.low.tolist() == [0.0, 0.0]
    assert (zero.high > 0).all()


@settings(max_examples=60)  # one likelihood fit per example
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 60)), min_size=2, max_size=12)
)
def test_shrunken_rates_lie_between_raw_and_prior_mean(rows):
    pytest.importorskip("scipy")
    x = np.array([min(a, b) for a, b in rows], dtype=float)
    n = np.array([b for _, b in rows], dtype=float)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cx.exceptions.ConvergenceWarning)
            res = shrink_rates(x, n)
    lo = np.minimum(res.raw, res.prior_mean) - 1e-9
    hi = np.maximum(res.raw, res.prior_mean) + 1e-9
    assert ((res.value >= lo) & (res.value <= hi)).all()
    assert ((res.low <= res.value + 1e-9) & (res.value <= res.high + 1e-9)).all()
    assert ((res.raw_low <= res.raw + 1e-12) & (res.raw <= res.raw_high + 1e-12)).all()
    assert sorted(res.rank.tolist()) == list(range(1, len(rows) + 1))


@given(
    st.lists(st.floats(-100, 100), min_size=4, max_size=30),
    st.floats(0.01, 100),
)
def test_james_stein_lies_between_raw_and_mean(values, variance):
    res = james_stein(values, variance)
    y = np.array(values)
    lo = np.minimum(y, res.prior_mean) - 1e-9
    hi = np.maximum(y, res.prior_mean) + 1e-9
    assert ((res.value >= lo) & (res.value <= hi)).all()
    assert ((res.shrinkage >= 0) & (res.shrinkage <= 1)).all()


def test_james_stein_unequal_variances_reduce_to_the_equal_case():
    y = np.array([3.1, 4.2, 3.8, 4.9, 2.7, 4.0])
    same = james_stein(y, 0.1)
    almost = james_stein(y, [0.1] * 5 + [0.1 + 1e-13])
    assert almost.value == pytest.approx(same.value, rel=1e-9)
    noisy = james_stein(y, [0.1, 0.1, 0.1, 0.1, 0.1, 2.0])
    assert noisy.shrinkage[5] > noisy.shrinkage[0]


def test_grouped_result_by_agent():
    pytest.importorskip("scipy")
    agents = np.array(["a-17"] * 5 + ["b-02"] * 40 + ["c-33"] * 25 + ["d-09"] * 12)
    rng = np.random.default_rng(5)
    answers = rng.integers(2, 6, agents.shape[0])
    grouped = cx.csat(answers, by=agents)
    res = shrink_rates(grouped)
    assert res.keys.tolist() == ["a-17", "b-02", "c-33", "d-09"]
    assert res.n.tolist() == [5, 40, 25, 12]
    assert res.raw == pytest.approx(np.asarray(grouped.value))


def test_errors():
    with pytest.raises(
        InvalidInputError, match=r"`n` must be at least 1 .*got 0.0 at index 1"
    ):
        shrink_rates([1, 0], [4, 0])
    with pytest.raises(
        InvalidInputError, match=r"`successes` must be at most `n`; got 5.0 at index 0"
    ):
        shrink_rates([5, 1], [4, 3])
    with pytest.raises(InvalidInputError, match="at least 2 agents"):
        shrink_rates([1], [4])
    with pytest.raises(InvalidInputError, match="at least 4 agents"):
        james_stein([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(
        InvalidInputError, match=r"`variances` must be positive; got 0.0 at index 2"
    ):
        james_stein([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 0.0, 1.0])
    with pytest.raises(InvalidInputError, match="`keys` must have one key per agent"):
        james_stein([1.0, 2.0, 3.0, 4.0], 1.0, keys=["a"])


def test_result_is_frozen():
    res = james_stein([1.0, 2.0, 3.0, 5.0], 0.5, keys=["w", "x", "y", "z"])
    with pytest.raises(ValueError, match="read-only"):
        res.value[0] = 0.0
    assert list(res.to_dict()) == [
        "key",
        "n",
        "raw",
        "raw_low",
        "raw_high",
        "value",
        "low",
        "high",
        "shrinkage",
        "rank",
    ]
    assert "james_stein shrinkage of 4 agents" in repr(res)


@given(
    st.lists(st.floats(-10, 10), min_size=4, max_size=20),
    st.floats(0.01, 50),
)
def test_equal_variances_take_one_formula(values, variance):
    # regression: with little spread (tau^2 <= 0) the unequal-variance path used
    # (k - 3)/(k - 1) while James-Stein shrinks by min(1, (k - 3) sigma^2 / S)
    y = np.array(values)
    res = james_stein(y, variance)
    s = float(((y - y.mean()) ** 2).sum())
    k = len(values)
    expected = min(1.0, (k - 3) * variance / s) if s > 0 else 1.0
    assert res.shrinkage == pytest.approx(np.full(k, expected), rel=1e-9, abs=1e-12)
    nearly = james_stein(y, [variance] * (k - 1) + [variance * (1 + 1e-12)])
    assert nearly.value == pytest.approx(res.value, rel=1e-6, abs=1e-9)
