"""The net-score bootstrap: many groups, its quantile level and its generator (issue #21).

Mutants killed here (``stats/_net_score.py``): the block loop over groups cut to
its first block (groups past the first ``2_000_000 // n_resamples`` got no
resamples), the percentile ``alpha / 2`` turned into ``alpha * 2`` (a 95 %
interval becomes an 80 % one) and a user's ``rng`` dropped for the default seed.

Expected values: the resampling re-implemented here with the same generator (one
group), and the exact distribution of the net score of ``m`` multinomial answers,
computed below from the trinomial probability mass function (many groups).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.stats import net_score_interval


def _log_factorial(k):
    # log k! for an integer array, exact enough for a pmf (no scipy needed)
    return np.array([math.lgamma(v + 1.0) for v in np.ravel(k)]).reshape(np.shape(k))


def _exact_net_cdf(m, p_pos, p_neg):
    """Atoms (a - b) / m and their CDF for (a, b, m - a - b) ~ Multinomial(m, p)."""
    a = np.arange(m + 1)[:, None]
    b = np.arange(m + 1)[None, :]
    ok = a + b <= m
    c = np.where(ok, m - a - b, 0)
    logp = (
        _log_factorial(np.array([m]))[0]
        - _log_factorial(a)
        - _log_factorial(b)
        - _log_factorial(c)
        + a * math.log(p_pos)
        + b * math.log(p_neg)
        + c * math.log(1.0 - p_pos - p_neg)
    )
    pmf = np.bincount(
        (a - b + m).ravel(), weights=np.where(ok, np.exp(logp), 0.0).ravel()
    )
    return np.arange(-m, m + 1) / m, np.cumsum(pmf)


def _exact_quantile(atoms, cdf, q):
    return float(atoms[np.searchsorted(cdf, q)])


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
@pytest.mark.parametrize(("xp", "xn", "n"), [(90, 50, 200), (30, 75, 150), (7, 1, 9)])
def test_one_group_equals_the_documented_resampling(xp, xn, n, level):
    # "percentile interval of the net score over multinomial resamples of n answers
    # with the observed shares", drawn from the given generator
    seed = 2024
    low, high = net_score_interval(
        xp, xn, n, level, method="bootstrap", n_resamples=4000, rng=seed
    )
    gen = np.random.default_rng(seed)
    shares = np.array([xp, xn, n - xp - xn]) / n
    draws = gen.multinomial(n, shares, size=4000)
    net = (draws[:, 0] - draws[:, 1]) / n
    alpha = 1 - level
    want = np.quantile(net, [alpha / 2, 1 - alpha / 2])
    assert float(low) == pytest.approx(want[0], abs=1e-12)
    assert float(high) == pytest.approx(want[1], abs=1e-12)


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_more_groups_than_one_block_match_the_exact_quantiles(level):
    # 2 kinds of group alternating, 503 groups with answers and one empty group: with
    # the default 10,000 resamples a block holds 200 groups, so three blocks
    kinds = [(200, 0.45, 0.25), (150, 0.2, 0.5)]
    g = 504
    m = np.array([kinds[i % 2][0] for i in range(g)], dtype=float)
    pp = np.array([kinds[i % 2][1] for i in range(g)])
    pn = np.array([kinds[i % 2][2] for i in range(g)])
    m[301] = 0.0  # an empty group in the second block
    low, high = net_score_interval(
        pp * m, pn * m, m, level, method="bootstrap", rng=np.random.default_rng(5)
    )
    assert np.isnan(low[301])
    assert np.isnan(high[301])
    rest = np.arange(g) != 301
    assert np.isfinite(low[rest]).all()
    assert np.isfinite(high[rest]).all()
    alpha = 1 - level
    for k, (mk, ppk, pnk) in enumerate(kinds):
        atoms, cdf = _exact_net_cdf(mk, ppk, pnk)
        exact_low = _exact_quantile(atoms, cdf, alpha / 2)
        exact_high = _exact_quantile(atoms, cdf, 1 - alpha / 2)
        sel = rest & (np.arange(g) % 2 == k)
        atom = 1.0 / mk
        # each group: within 3 atoms of the exact quantile (resampling noise) ...
        assert np.abs(low[sel] - exact_low).max() <= 3 * atom + 1e-12
        assert np.abs(high[sel] - exact_high).max() <= 3 * atom + 1e-12
        # ... and on average within half an atom, in every block
        for block in (sel & (np.arange(g) < 200), sel & (np.arange(g) >= 400)):
            assert abs(low[block].mean() - exact_low) <= 0.5 * atom
            assert abs(high[block].mean() - exact_high) <= 0.5 * atom


def test_grouped_nps_bootstrap_over_many_groups():
    # an export of 600 teams (ids as text), 40 answers each: every team gets an
    # interval, the front door gives net_score_interval's bounds in points
    rng = np.random.default_rng(3)
    teams = np.repeat([f"team-{i:03d}" for i in range(600)], 40)
    answers = rng.integers(0, 11, teams.size)
    res = cx.nps(answers, by=teams)
    ci = res.confidence_interval(method="bootstrap", n_resamples=5000, rng=9)
    assert np.isfinite(ci.low).all()
    assert np.isfinite(ci.high).all()
    assert (ci.low <= res.value).all()
    assert (res.value <= ci.high).all()
    direct = net_score_interval(
        res.promoter_share * res.effective_n,
        res.detractor_share * res.effective_n,
        res.effective_n,
        method="bootstrap",
        n_resamples=5000,
        rng=9,
    )
    np.testing.assert_allclose(ci.low, 100 * direct.low, rtol=1e-12)
    np.testing.assert_allclose(ci.high, 100 * direct.high, rtol=1e-12)
    # the last team against the exact quantiles of its own trinomial distribution
    atoms, cdf = _exact_net_cdf(40, res.promoter_share[-1], res.detractor_share[-1])
    assert abs(ci.low[-1] / 100 - _exact_quantile(atoms, cdf, 0.025)) <= 3 / 40
    assert abs(ci.high[-1] / 100 - _exact_quantile(atoms, cdf, 0.975)) <= 3 / 40


def test_the_generator_is_used():
    args = (900, 500, 2000, 0.95)
    kw = {"method": "bootstrap", "n_resamples": 500}
    by_seed = {s: net_score_interval(*args, **kw, rng=s) for s in (1, 2, 3)}
    bounds = {(float(c.low), float(c.high)) for c in by_seed.values()}
    assert len(bounds) == 3  # three seeds, three intervals
    assert net_score_interval(*args, **kw, rng=np.random.default_rng(2)) == by_seed[2]
    # a generator is consumed: a second call continues its stream
    gen = np.random.default_rng(1)
    first = net_score_interval(*args, **kw, rng=gen)
    second = net_score_interval(*args, **kw, rng=gen)
    assert first == by_seed[1]
    assert second != first
    # the default is seed 0
    assert net_score_interval(*args, **kw) == net_score_interval(*args, **kw, rng=0)


def test_nps_result_passes_its_rng_on():
    res = cx.nps([10] * 30 + [8] * 40 + [3] * 30)
    a = res.confidence_interval(method="bootstrap", n_resamples=500, rng=1)
    b = res.confidence_interval(method="bootstrap", n_resamples=500, rng=2)
    assert a != b
    assert a == res.confidence_interval(method="bootstrap", n_resamples=500, rng=1)
    direct = net_score_interval(30, 30, 100, method="bootstrap", n_resamples=500, rng=2)
    assert b.low == pytest.approx(100 * float(direct.low), abs=1e-9)
    assert b.high == pytest.approx(100 * float(direct.high), abs=1e-9)


@given(
    xp=st.integers(0, 60),
    xn=st.integers(0, 60),
    extra=st.integers(0, 60),
    level=st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]),
    seed=st.integers(0, 2**32 - 1),
)
def test_bootstrap_bounds_are_the_percentiles_of_the_resamples(
    xp, xn, extra, level, seed
):
    n = xp + xn + extra
    if n == 0:
        return
    low, high = net_score_interval(
        xp, xn, n, level, method="bootstrap", n_resamples=300, rng=seed
    )
    draws = np.random.default_rng(seed).multinomial(
        n, np.array([xp, xn, extra]) / n, size=300
    )
    net = (draws[:, 0] - draws[:, 1]) / n
    alpha = 1 - level
    # percentile bounds (numpy's linear interpolation between order statistics):
    # at most alpha / 2 of the resamples, plus one, lie beyond each bound
    assert np.mean(net < float(low) - 1e-12) <= alpha / 2 + 1 / 300 + 1e-9
    assert np.mean(net > float(high) + 1e-12) <= alpha / 2 + 1 / 300 + 1e-9
    assert float(low) == pytest.approx(np.quantile(net, alpha / 2), abs=1e-12)
    assert float(high) == pytest.approx(np.quantile(net, 1 - alpha / 2), abs=1e-12)


# --- second measurement (541 mutants): argument names, restricted shares, defaults ---

from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError  # noqa: E402
from cxmetrics.stats import net_score_variance, restricted_mle  # noqa: E402


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: net_score_variance(1.5, 0.1), "p_pos"),
        (lambda: net_score_variance(0.1, -0.1), "p_neg"),
        (lambda: restricted_mle(-1, 1, 3, 0.1), "positive"),
        (lambda: restricted_mle(1, -1, 3, 0.1), "negative"),
        (lambda: restricted_mle(1, 1, -3, 0.1), "nobs"),
        (lambda: restricted_mle(1, 1, 3, -1.5), "delta"),
    ],
)
def test_public_blocks_name_the_bad_argument(call, name):
    with pytest.raises(InvalidInputError, match=f"^`{name}` must"):
        call()


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("a", 1, 3, 0.1), "positive"),
        ((1, "a", 3, 0.1), "negative"),
        ((1, 1, "x", 0.1), "nobs"),
    ],
)
def test_restricted_mle_names_a_non_number(args, name):
    with pytest.raises(InvalidInputTypeError, match=f"^`{name}` must be a number"):
        restricted_mle(*args)


def test_restricted_mle_accepts_the_whole_delta_range():
    # delta = -1 (every answer negative) is a valid constraint, -1.01 is not
    p_pos, p_neg = restricted_mle(0, 10, 10, -1.0)
    assert (float(p_pos), float(p_neg)) == (0.0, 1.0)
    with pytest.raises(InvalidInputError, match=r"^`delta` must lie in \[-1, 1\]"):
        restricted_mle(0, 10, 10, -1.01)


def test_restricted_mle_without_answers_is_nan_without_a_warning():
    # 0 / 0 shares: NaN, and no floating-point warning escapes
    with np.errstate(all="raise"):
        p_pos, p_neg = restricted_mle(0, 0, 0, 0.3)
    assert np.isnan(p_pos)
    assert np.isnan(p_neg)


# inputs where the quadratic's root, computed in floating point, falls one rounding
# error outside the feasible shares (found by a search over random counts)
_BELOW_ZERO = [(0, 9, 74, -0.23175970032922022), (0, 8, 123, -0.91)]
_ABOVE_ONE = [
    (3, 6, 9, -0.2520948792671103),
    (142, 1, 143, -0.98),
    (6, 17, 23, -0.461169778794571),
]


@pytest.mark.parametrize(("xp", "xn", "n", "delta"), _BELOW_ZERO + _ABOVE_ONE)
def test_restricted_shares_are_a_probability_vector(xp, xn, n, delta):
    p_pos, p_neg = (float(v) for v in restricted_mle(xp, xn, n, delta))
    assert p_pos >= 0.0
    assert p_neg >= 0.0
    assert p_pos + p_neg <= 1.0
    # and they meet the constraint, to rounding
    assert p_pos - p_neg == pytest.approx(delta, abs=1e-15)


@pytest.mark.parametrize(("xp", "xn", "n", "delta"), _BELOW_ZERO)
def test_no_positive_answers_at_a_negative_delta_gives_no_positive_share(
    xp, xn, n, delta
):
    # with x+ = 0 the likelihood is maximal at p+ = 0, i.e. p- = -delta, exactly
    p_pos, p_neg = restricted_mle(xp, xn, n, delta)
    assert float(p_pos) == 0.0
    assert float(p_neg) == -delta


def test_bootstrap_takes_shares_summing_to_one_plus_a_rounding_error():
    # 0.1 / 4.6 + 4.5 / 4.6 = 1 + 2.2e-16 in floating point: the passive share is 0,
    # not a tiny negative probability that numpy's multinomial refuses
    ci = net_score_interval(0.1, 4.5, 4.6, method="bootstrap", n_resamples=200)
    assert -1.0 <= float(ci.low) <= float(ci.high) <= 1.0


def test_bootstrap_default_draws_ten_thousand_resamples():
    # many answers, so the resampled net scores are nearly all distinct
    counts = (37_000, 21_000, 97_000)
    default = net_score_interval(*counts, method="bootstrap", rng=5)
    explicit = net_score_interval(
        *counts, method="bootstrap", n_resamples=10_000, rng=5
    )
    assert (float(default.low), float(default.high)) == (
        float(explicit.low),
        float(explicit.high),
    )
    other = net_score_interval(*counts, method="bootstrap", n_resamples=10_001, rng=5)
    # one more resample moves the percentiles of this sample (checked, not assumed)
    assert (float(other.low), float(other.high)) != (
        float(explicit.low),
        float(explicit.high),
    )


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("a", 1, 3), "positive"),
        ((1, "a", 3), "negative"),
        ((1, 1, "x"), "nobs"),
        ((None, 1, 3), "positive"),
    ],
)
def test_net_score_interval_names_a_non_number(args, name):
    with pytest.raises(InvalidInputTypeError, match=f"^`{name}` must be a number"):
        net_score_interval(*args)


def test_bootstrap_refuses_more_answers_than_int64_counts_hold():
    # the resamples are int64 counts: 1e300 answers cannot be drawn (numpy said
    # "n < 0" after an overflowing cast); the other methods take them
    with pytest.raises(
        InvalidInputError,
        match=r"^`nobs` must be below 2\*\*63 .* got 1e\+300 at index 1\.$",
    ):
        net_score_interval(
            [1, 1], [1, 1], [10, 1e300], method="bootstrap", n_resamples=5
        )
    for n in (2.0**63, 1e19):  # the limit itself, and between 2**63 and 2**64
        with pytest.raises(InvalidInputError, match=r"^`nobs` must be below 2\*\*63"):
            net_score_interval([1], [1], [n], method="bootstrap", n_resamples=5)
    wald = net_score_interval([1], [1], [1e300], method="wald")
    assert wald.low[0] == pytest.approx(0.0, abs=1e-100)
    # below the limit, and rows without answers, the bootstrap runs
    ok = net_score_interval(
        [1, 0], [1, 0], [2.0**62, 0], method="bootstrap", n_resamples=5
    )
    assert np.isfinite(ok.low[0])
    assert math.isnan(ok.low[1])
