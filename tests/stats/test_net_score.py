"""Net score (NPS / 100) intervals: published values, independent checks, properties.

Needs only numpy, attrs, pytest and hypothesis. Sources of expected values:

* Cavo et al. (2012) paired 2x2 table [[59, 6], [16, 80]] from Fagerland, Lydersen
  & Laake (2017), Statistical Analysis of Contingency Tables, ch. 8, as asserted in
  the R package contingencytables (tests/testthat/test-ch8.R). Read as NPS data
  (research notes, section 1d): promoters = n12 = 6, passives = 59 + 80 = 139,
  detractors = n21 = 16, n = 161; the paired difference (n12 - n21)/N is the NPS.
* Closed forms evaluated here: the trinomial Wald variance (Rocks 2016), the
  adjusted Wald (+3/4, +3/2, +3/4; Rocks 2016, MeasuringU), Tango's (1998) score
  statistic and restricted MLE (A, B, C as in PropCIs::scoreci.mp and
  contingencytables::Tango_asymptotic_score_CI_paired_2x2), brute-force
  maximisation of the trinomial likelihood, and the reductions of the score
  interval to Wilson's when there are no passives.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.stats import net_score_interval, net_score_variance, restricted_mle

# two-sided 95% standard normal critical value (R qnorm(0.975), 20 digits)
Z95 = 1.9599639845400540054
Z95_DEC = Decimal("1.9599639845400540054199")

PRO, DET, N = 6, 16, 161  # Cavo et al. 2012 as NPS data
METHODS = ("wald", "adjusted_wald", "score", "bootstrap")


def _ci(*args: float, **kwargs: object) -> tuple[float, float]:
    low, high = net_score_interval(*args, **kwargs)
    return float(low), float(high)


# --------------------------------------------------------------------------------------
# published values (Cavo et al. 2012 via contingencytables)


def test_cavo_wald_published():
    # Wald_CI_diff_paired_2x2(cavo_2012): estimate -0.0621 (95% CI -0.1184 to -0.0058)
    low, high = _ci(PRO, DET, N, 0.95, method="wald")
    assert round(low, 4) == -0.1184
    assert round(high, 4) == -0.0058


def test_cavo_score_published():
    # Tango_asymptotic_score_CI_paired_2x2(cavo_2012): -0.0621 (95% CI -0.1240 to -0.0054)
    low, high = _ci(PRO, DET, N, 0.95, method="score")
    assert round(low, 4) == -0.1240
    assert round(high, 4) == -0.0054
    assert low < (PRO - DET) / N < high


def test_cavo_agresti_min_published_via_fractional_wald():
    # Wald_CI_AgrestiMin_paired_2x2(cavo_2012): -0.0621 (95% CI -0.1182 to -0.0045).
    # Agresti & Min (2005) add 1/2 to each cell of the 2x2 table, i.e. the Wald
    # interval on 6.5 promoters, 16.5 detractors and n = 163: this also checks that
    # fractional (weighted) counts are accepted.
    low, high = _ci(PRO + 0.5, DET + 0.5, N + 2, 0.95, method="wald")
    assert round(low, 4) == -0.1182
    assert round(high, 4) == -0.0045


# --------------------------------------------------------------------------------------
# closed forms computed independently here


def test_cavo_wald_closed_form():
    # Rocks (2016) eq. 2: V = p+ + p- - (p+ - p-)^2, exact in fractions
    pp, pn = Fraction(PRO, N), Fraction(DET, N)
    est = pp - pn
    var = pp + pn - est**2
    half = Z95 * math.sqrt(var / N)
    low, high = _ci(PRO, DET, N, 0.95, method="wald")
    assert low == pytest.approx(float(est) - half, rel=1e-13)
    assert high == pytest.approx(float(est) + half, rel=1e-13)
    # research notes, "For tests" 1: SE = 0.028719
    assert math.sqrt(var / N) == pytest.approx(0.028719, abs=5e-7)


def test_cavo_adjusted_wald_closed_form():
    # adjusted Wald (Rocks 2016; Lewis & Sauro, MeasuringU 2021): add 3/4 to the
    # promoters and to the detractors (so 3/2 to the passives) and 3 to n, then Wald
    # centred on the adjusted estimate.
    n_adj = N + 3
    pp = Fraction(4 * PRO + 3, 4 * n_adj)
    pn = Fraction(4 * DET + 3, 4 * n_adj)
    centre = pp - pn
    var = pp + pn - centre**2
    se = math.sqrt(var / n_adj)
    low, high = _ci(PRO, DET, N, 0.95, method="adjusted_wald")
    assert low == pytest.approx(float(centre) - Z95 * se, rel=1e-13)
    assert high == pytest.approx(float(centre) + Z95 * se, rel=1e-13)
    # research notes, "For tests" 5 (computed there with scipy): centre -0.060976,
    # SE 0.029173, CI (-0.11815, -0.00380)
    assert float(centre) == pytest.approx(-0.060976, abs=5e-7)
    assert se == pytest.approx(0.029173, abs=5e-7)
    assert low == pytest.approx(-0.11815, abs=5e-6)
    assert high == pytest.approx(-0.00380, abs=5e-6)


def test_adjusted_wald_is_wald_on_adjusted_counts():
    # the definition, restated through the public Wald method with fractional counts
    for pro, det, n in [(6, 16, 161), (0, 0, 5), (30, 2, 40), (1, 1, 2)]:
        adj = _ci(pro, det, n, 0.9, method="adjusted_wald")
        wald = _ci(pro + 0.75, det + 0.75, n + 3, 0.9, method="wald")
        assert adj == pytest.approx(wald, rel=1e-14, abs=1e-15)


def test_net_score_variance_whuber():
    # whuber (Cross Validated a/18609): shares det 1/6, pas 1/3, pro 1/2 give NPS 1/3
    # and, from his formula sum p_k (s_k - NPS)^2, V = 5/9
    assert float(net_score_variance(0.5, 1 / 6)) == pytest.approx(5 / 9, rel=1e-15)
    # CYBAEA (Engelhardt 2016): p = d = 1/3 gives V = 2/3
    assert float(net_score_variance(1 / 3, 1 / 3)) == pytest.approx(2 / 3, rel=1e-15)


# --------------------------------------------------------------------------------------
# Tango's score interval and the restricted MLE


def _tango_q(xp: float, xn: float, n: float, d: float) -> float:
    """Restricted MLE of p- under p+ - p- = d (research notes 1c; PropCIs scoreci.mp).

    Positive root of A q^2 + B q + C with A = 2n, B = -b - c + (2n - c + b) d,
    C = -b d (1 - d), b = detractors, c = promoters.
    """
    a = 2.0 * n
    b = -xp - xn + (2.0 * n - xp + xn) * d
    c = -xn * d * (1.0 - d)
    return (-b + math.sqrt(max(b * b - 4.0 * a * c, 0.0))) / (2.0 * a)


def _tango_t(xp: float, xn: float, n: float, d: float) -> float:
    """Score statistic T(d) = (c - b - n d) / sqrt(n (2 q + d (1 - d)))."""
    q = _tango_q(xp, xn, n, d)
    return (xp - xn - n * d) / math.sqrt(n * (2.0 * q + d * (1.0 - d)))


def _loglik(
    q: np.ndarray, xp: float, xn: float, n: float, d: float, xm: float | None = None
) -> np.ndarray:
    """Trinomial log-likelihood at p- = q, p+ = q + d, with 0 log 0 = 0.

    ``xm`` (passives) defaults to ``n - xp - xn``.
    """
    if xm is None:
        xm = n - xp - xn
    q = np.asarray(q, dtype=float)
    out = np.zeros_like(q)
    with np.errstate(divide="ignore", invalid="ignore"):
        for count, share in ((xn, q), (xp, q + d), (xm, 1.0 - 2.0 * q - d)):
            if count > 0:
                out = out + count * np.log(np.clip(share, 0.0, None))
    return out


def _brute_restricted_mle(xp: float, xn: float, n: float, d: float) -> float:
    """Maximise the constrained log-likelihood over a fine grid, then golden-section.

    The feasible set is q in [max(0, -d), (1 - d)/2]; the log-likelihood is concave
    there (a sum of logs of affine functions), so the grid maximum brackets it.
    """
    lo, hi = max(0.0, -d), (1.0 - d) / 2.0
    grid = np.linspace(lo, hi, 20_001)
    values = _loglik(grid, xp, xn, n, d)
    i = int(np.argmax(values))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    invphi = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(200):
        c = b - invphi * (b - a)
        e = a + invphi * (b - a)
        if (
            _loglik(np.array([c]), xp, xn, n, d)[0]
            >= _loglik(np.array([e]), xp, xn, n, d)[0]
        ):
            b = e
        else:
            a = c
    return 0.5 * (a + b)


RESTRICTED_CASES = [
    # (promoters, detractors, n, delta)
    (50, 20, 100, 0.3),
    (50, 20, 100, -0.2),
    (50, 20, 100, 0.75),
    (PRO, DET, N, -0.1),
    (PRO, DET, N, 0.05),
    (PRO, DET, N, -0.9),
    (20, 40, 160, -0.21806),
    (0, 10, 30, 0.2),
    (10, 0, 30, -0.5),
    (0, 0, 10, 0.3),
    (0, 0, 10, -0.3),
    (3, 3, 6, 0.9),  # no passives
    (40, 40, 100, -0.99),
    (12.5, 7.25, 40.3, 0.1),  # weighted (fractional) counts
    (1, 7, 21, -0.5),
]


@pytest.mark.parametrize(("xp", "xn", "n", "d"), RESTRICTED_CASES)
def test_restricted_mle_maximises_constrained_likelihood(xp, xn, n, d):
    p_pos, p_neg = (float(v) for v in restricted_mle(xp, xn, n, d))
    # feasible: the constraint holds and the three shares are probabilities
    assert p_pos - p_neg == pytest.approx(d, abs=1e-12)
    assert p_neg >= 0.0
    assert p_pos >= 0.0
    assert p_pos + p_neg <= 1.0 + 1e-12
    q_brute = _brute_restricted_mle(xp, xn, n, d)
    assert p_neg == pytest.approx(q_brute, abs=1e-7)
    ll_lib = _loglik(np.array([p_neg]), xp, xn, n, d)[0]
    ll_brute = _loglik(np.array([q_brute]), xp, xn, n, d)[0]
    assert ll_lib >= ll_brute - 1e-9


def test_restricted_mle_at_zero_is_mean_of_discordant_shares():
    # research notes 1c: at delta = 0, q = (b + c)/(2n); Cavo: 22/322 = 0.068323
    p_pos, p_neg = restricted_mle(PRO, DET, N, 0.0)
    assert float(p_neg) == pytest.approx(22 / 322, rel=1e-14)
    assert float(p_pos) == pytest.approx(22 / 322, rel=1e-14)
    # T(0) is McNemar's z: (c - b)/sqrt(b + c) = -10/sqrt(22) = -2.132 (contingencytables)
    assert _tango_t(PRO, DET, N, 0.0) == pytest.approx(-10 / math.sqrt(22), rel=1e-14)
    assert round(_tango_t(PRO, DET, N, 0.0), 3) == -2.132


def test_restricted_mle_vectorised():
    xp = np.array([c[0] for c in RESTRICTED_CASES], dtype=float)
    xn = np.array([c[1] for c in RESTRICTED_CASES], dtype=float)
    n = np.array([c[2] for c in RESTRICTED_CASES], dtype=float)
    d = np.array([c[3] for c in RESTRICTED_CASES], dtype=float)
    p_pos, p_neg = restricted_mle(xp, xn, n, d)
    for i, case in enumerate(RESTRICTED_CASES):
        s_pos, s_neg = restricted_mle(*case)
        assert p_pos[i] == pytest.approx(float(s_pos), rel=1e-14, abs=1e-16)
        assert p_neg[i] == pytest.approx(float(s_neg), rel=1e-14, abs=1e-16)


SCORE_CASES = [
    (PRO, DET, N),
    (20, 40, 160),  # PropCIs scoreci.mp example input: b = 40, c = 20, n = 160
    (1, 7, 21),  # Bentur et al. 2009, table [[1, 1], [7, 12]]
    (50, 20, 100),
    (0, 3, 10),
    (3, 0, 50),
    (0, 0, 20),
    (200, 150, 1000),
    (12.5, 7.25, 40.3),
]


@pytest.mark.parametrize(("xp", "xn", "n"), SCORE_CASES)
@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_score_endpoints_solve_the_score_equation(xp, xn, n, level):
    # Tango (1998): the limits solve T(L) = +z and T(U) = -z; T decreases in delta
    z = {0.8: 1.2815515655446004, 0.95: Z95, 0.99: 2.5758293035489007}[level]
    low, high = _ci(xp, xn, n, level, method="score")
    est = (xp - xn) / n
    assert -1.0 <= low <= est <= high <= 1.0
    if low > -1.0:
        assert _tango_t(xp, xn, n, low) == pytest.approx(z, abs=1e-7)
        # just inside the interval the test does not reject, just outside it does
        assert abs(_tango_t(xp, xn, n, low + 1e-6)) < z
        assert abs(_tango_t(xp, xn, n, low - 1e-6)) > z
    if high < 1.0:
        assert _tango_t(xp, xn, n, high) == pytest.approx(-z, abs=1e-7)
        assert abs(_tango_t(xp, xn, n, high - 1e-6)) < z
        assert abs(_tango_t(xp, xn, n, high + 1e-6)) > z


def test_score_propcis_and_bentur_examples():
    # research notes, "For tests" 6: values computed there with Tango's formula (not
    # printed in the PropCIs docs, which show only the call scoreci.mp(b = 40, c = 20,
    # n = 160)); the endpoint equation is checked independently above.
    low, high = _ci(20, 40, 160, 0.95, method="score")
    assert round(low, 5) == -0.21806
    assert round(high, 5) == -0.03086
    low, high = _ci(1, 7, 21, 0.95, method="score")
    assert round(low, 5) == -0.51723
    assert round(high, 5) == -0.02600


def _wilson_decimal(x: int, n: int, z: Decimal) -> tuple[Decimal, Decimal]:
    """Wilson (1927) bounds as roots of (1 + z^2/n) t^2 - (2p + z^2/n) t + p^2 = 0."""
    p = Decimal(x) / Decimal(n)
    k = z * z / Decimal(n)
    a, b, c = 1 + k, -(2 * p + k), p * p
    root = (b * b - 4 * a * c).sqrt()
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize(
    ("pro", "n"), [(0, 1), (1, 1), (0, 7), (7, 7), (3, 7), (13, 16), (120, 200)]
)
def test_score_without_passives_is_twice_wilson_minus_one(pro, n):
    # With no passives the trinomial is a binomial (promoter vs detractor) with
    # delta = 2 pi - 1. The restricted MLE then puts no mass on the passives
    # (q = (1 - delta)/2 is a root of the quadratic when x_pas = 0), so the variance
    # is 1 - delta^2 = 4 pi (1 - pi) and T(delta) = (x - n pi)/sqrt(n pi (1 - pi)),
    # the binomial score statistic: Tango's interval is 2 * Wilson - 1.
    det = n - pro
    with localcontext() as ctx:
        ctx.prec = 50
        w_low, w_high = _wilson_decimal(pro, n, Z95_DEC)
        exp_low, exp_high = float(2 * w_low - 1), float(2 * w_high - 1)
    low, high = _ci(pro, det, n, 0.95, method="score")
    assert low == pytest.approx(exp_low, rel=1e-12, abs=1e-12)
    assert high == pytest.approx(exp_high, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("n", [1, 2, 10, 161, 10_000])
def test_score_all_passives_closed_form(n):
    # no promoters or detractors: for delta > 0 the restricted MLE is p- = 0, p+ =
    # delta, so the test rejects when delta^2 > z^2 delta (1 - delta)/n, i.e. for
    # delta > z^2/(n + z^2); by symmetry the interval is -/+ z^2/(n + z^2)
    bound = Z95**2 / (n + Z95**2)
    low, high = _ci(0, 0, n, 0.95, method="score")
    assert low == pytest.approx(-bound, rel=1e-12)
    assert high == pytest.approx(bound, rel=1e-12)


# --------------------------------------------------------------------------------------
# edge cases


EDGE_CASES = [
    (25, 0, 25),  # all promoters
    (0, 25, 25),  # all detractors
    (0, 0, 25),  # all passives
    (1, 0, 1),
    (0, 1, 1),
    (0, 0, 1),
]


@pytest.mark.parametrize(("xp", "xn", "n"), EDGE_CASES)
@pytest.mark.parametrize("method", METHODS)
def test_edge_cases_finite_and_in_range(method, xp, xn, n):
    # filterwarnings = error (pyproject) also turns any RuntimeWarning into a failure
    low, high = _ci(xp, xn, n, 0.95, method=method, n_resamples=500)
    assert math.isfinite(low)
    assert math.isfinite(high)
    assert -1.0 <= low <= high <= 1.0


def test_edge_cases_score_exact_limits():
    # research notes 1c: L = -1 if every answer is a detractor, U = +1 if every answer
    # is a promoter; the other limit is 2 * Wilson - 1 (checked above) = (n - z^2)/(n + z^2)
    n = 25
    low, high = _ci(n, 0, n, 0.95, method="score")
    assert high == 1.0
    assert low == pytest.approx((n - Z95**2) / (n + Z95**2), rel=1e-12)
    low, high = _ci(0, n, n, 0.95, method="score")
    assert low == -1.0
    assert high == pytest.approx(-(n - Z95**2) / (n + Z95**2), rel=1e-12)


def test_edge_cases_wald_degenerate():
    # the Wald variance is 0 when every answer is the same category
    assert _ci(25, 0, 25, method="wald") == (1.0, 1.0)
    assert _ci(0, 25, 25, method="wald") == (-1.0, -1.0)
    assert _ci(0, 0, 25, method="wald") == (0.0, 0.0)


@pytest.mark.parametrize("method", METHODS)
def test_zero_nobs_gives_nan(method):
    low, high = net_score_interval(
        np.array([0, 5, 0]),
        np.array([0, 2, 0]),
        np.array([0, 10, 4]),
        method=method,
        n_resamples=200,
    )
    np.testing.assert_array_equal(np.isnan(low), [True, False, False])
    np.testing.assert_array_equal(np.isnan(high), [True, False, False])


# --------------------------------------------------------------------------------------
# bootstrap


def test_bootstrap_reproducible_with_seed():
    args = (900, 500, 2000, 0.95)
    first = _ci(*args, method="bootstrap", rng=12345)
    again = _ci(*args, method="bootstrap", rng=12345)
    generator = _ci(*args, method="bootstrap", rng=np.random.default_rng(12345))
    assert first == again == generator
    # the default seed is fixed too
    assert _ci(*args, method="bootstrap") == _ci(*args, method="bootstrap")


@pytest.mark.parametrize("level", [0.9, 0.95])
@pytest.mark.parametrize(("xp", "xn"), [(900, 500), (300, 700), (1000, 1000), (40, 20)])
def test_bootstrap_close_to_wald_for_large_n(xp, xn, level):
    # percentile bootstrap of a mean of -1/0/+1 scores: for n = 2000 its limits are
    # within 0.02 of the normal-theory (Wald) limits
    n = 2000
    b_low, b_high = _ci(xp, xn, n, level, method="bootstrap", rng=7)
    w_low, w_high = _ci(xp, xn, n, level, method="wald")
    assert b_low == pytest.approx(w_low, abs=0.02)
    assert b_high == pytest.approx(w_high, abs=0.02)
    assert b_low <= (xp - xn) / n <= b_high


def test_bootstrap_vectorised_shape():
    low, high = net_score_interval(
        np.array([[900, 300], [40, 0]]),
        np.array([[500, 700], [20, 0]]),
        2000,
        method="bootstrap",
        n_resamples=2000,
    )
    assert low.shape == high.shape == (2, 2)
    w_low, w_high = net_score_interval(
        np.array([[900, 300], [40, 0]]),
        np.array([[500, 700], [20, 0]]),
        2000,
        method="wald",
    )
    np.testing.assert_allclose(low, w_low, atol=0.02)
    np.testing.assert_allclose(high, w_high, atol=0.02)


# --------------------------------------------------------------------------------------
# vectorisation


VECTOR_CASES = [*SCORE_CASES, *EDGE_CASES, (6.5, 16.5, 163)]


@pytest.mark.parametrize("level", [0.8, 0.95])
@pytest.mark.parametrize("method", ["wald", "adjusted_wald", "score"])
def test_vectorised_equals_scalar(method, level):
    xp = np.array([c[0] for c in VECTOR_CASES], dtype=float)
    xn = np.array([c[1] for c in VECTOR_CASES], dtype=float)
    n = np.array([c[2] for c in VECTOR_CASES], dtype=float)
    low, high = net_score_interval(xp, xn, n, level, method=method)
    assert low.shape == high.shape == xp.shape
    for i, case in enumerate(VECTOR_CASES):
        s_low, s_high = _ci(*case, level, method=method)
        assert low[i] == pytest.approx(s_low, rel=1e-14, abs=1e-15)
        assert high[i] == pytest.approx(s_high, rel=1e-14, abs=1e-15)


def test_broadcasting_scalar_nobs():
    low, high = net_score_interval(np.arange(6).reshape(2, 3), 2, 10, method="score")
    assert low.shape == high.shape == (2, 3)
    assert float(low[1, 2]) == _ci(5, 2, 10, method="score")[0]


# --------------------------------------------------------------------------------------
# properties (hypothesis)


@st.composite
def trinomial_counts(draw: st.DrawFn) -> tuple[int, int, int]:
    pro = draw(st.integers(0, 400))
    det = draw(st.integers(0, 400))
    pas = draw(st.integers(0 if pro + det > 0 else 1, 400))
    return pro, det, pro + det + pas


levels_pair = st.tuples(st.floats(0.5, 0.999), st.floats(0.5, 0.999)).map(sorted)


@given(
    counts=trinomial_counts(),
    level=st.floats(0.5, 0.999),
    method=st.sampled_from(["wald", "score"]),
)
def test_wald_and_score_contain_estimate(counts, level, method):
    xp, xn, n = counts
    low, high = _ci(xp, xn, n, level, method=method)
    est = (xp - xn) / n
    assert low <= est + 1e-12
    assert est - 1e-12 <= high


@given(
    counts=trinomial_counts(),
    level=st.floats(0.5, 0.999),
    method=st.sampled_from(METHODS),
)
def test_every_method_within_unit_range(counts, level, method):
    xp, xn, n = counts
    low, high = _ci(xp, xn, n, level, method=method, n_resamples=200)
    assert -1.0 <= low <= high <= 1.0


@given(counts=trinomial_counts(), levels=levels_pair, method=st.sampled_from(METHODS))
def test_monotone_in_confidence_level(counts, levels, method):
    # the bootstrap uses the same default seed for both levels, so the same resamples
    xp, xn, n = counts
    lo_small, hi_small = _ci(xp, xn, n, levels[0], method=method, n_resamples=200)
    lo_big, hi_big = _ci(xp, xn, n, levels[1], method=method, n_resamples=200)
    assert lo_big <= lo_small + 1e-12
    assert hi_big >= hi_small - 1e-12


# counts with up to 3 decimals (weighted data), avoiding subnormal noise
weighted_count = st.floats(0, 500).map(lambda v: round(v, 3))


@given(
    xp=weighted_count,
    xn=weighted_count,
    extra=weighted_count,
    d=st.floats(-0.999, 0.999),
)
def test_restricted_mle_feasible_and_optimal(xp, xn, extra, d):
    n = xp + xn + extra
    if n == 0:
        extra = n = 1.0  # one passive answer
    p_pos, p_neg = (float(v) for v in restricted_mle(xp, xn, n, d))
    assert p_pos - p_neg == pytest.approx(d, abs=1e-12)
    assert -1e-15 <= p_neg <= (1.0 - d) / 2.0 + 1e-15
    # no feasible point on a grid does better than the returned one
    lo, hi = max(0.0, -d), (1.0 - d) / 2.0
    grid = np.linspace(lo, hi, 257)
    # passives passed exactly: n - xp - xn could leave rounding noise (4e-16 passives)
    best = _loglik(np.array([p_neg]), xp, xn, n, d, xm=extra)[0]
    assert np.isfinite(best)
    assert np.all(
        _loglik(grid, xp, xn, n, d, xm=extra) <= best + 1e-7 * max(1.0, abs(best))
    )
