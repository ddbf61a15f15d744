"""Two-sample comparisons without scipy: published examples and closed forms.

Needs only numpy, attrs, pytest and hypothesis. Sign convention: b minus a.

Published sources:

* Cavo et al. (2012) paired table [[59, 6], [16, 80]] (N = 161) from Fagerland,
  Lydersen & Laake (2017), ch. 8, as asserted in the R package contingencytables
  (tests/testthat/test-ch8.R): McNemar asymptotic test P = 0.033006, Z = -2.132,
  with Z = (n12 - n21)/sqrt(n12 + n21); Wald CI for the paired difference
  (n12 - n21)/N: -0.1184 to -0.0058; Tango score CI: -0.1240 to -0.0054.
  Our sign is "b higher is positive", so the n12 = 6 pairs are the "up" pairs
  (d = b - a = +1) and the n21 = 16 pairs the "down" pairs (d = -1).
* Newcombe (1998), Statistics in Medicine 17, 873-890, method 10 (hybrid score),
  as asserted in the R package propint's tests: 56/70 - 48/80 -> 0.0524 to 0.3339;
  9/10 - 3/10 -> 0.1705 to 0.8090.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.stats import (
    net_score_difference,
    net_score_variance,
    paired_difference,
    proportion_difference,
)

Z95 = 1.9599639845400540054  # R qnorm(0.975)
# Cavo et al. 2012: 59 yes-yes and 80 no-no pairs, 6 up (n12) and 16 down (n21)
BOTH_YES, BOTH_NO, UP, DOWN = 59, 80, 6, 16
TIES = BOTH_YES + BOTH_NO


def _cavo(alternative: str = "two-sided", *, flip: bool = False):
    up, down = (DOWN, UP) if flip else (UP, DOWN)
    values = np.array([-1.0, 0.0, 1.0])
    weight_sums = np.array([down, TIES, up], dtype=float)
    n = UP + DOWN + TIES
    return paired_difference(
        values,
        weight_sums,
        float(n),
        n=n,
        estimate_a=(BOTH_YES + down) / n,
        estimate_b=(BOTH_YES + up) / n,
        kind="proportion",
        test="mcnemar",
        alternative=alternative,
        inputs=(float(up), float(down)),
    )


def test_cavo_mcnemar_published():
    res = _cavo()
    assert round(res.statistic, 3) == -2.132
    assert round(res.pvalue, 6) == 0.033006
    # and exactly the closed form (n12 - n21)/sqrt(n12 + n21)
    assert res.statistic == pytest.approx((UP - DOWN) / math.sqrt(UP + DOWN), rel=1e-14)
    assert res.value == pytest.approx((UP - DOWN) / 161, rel=1e-14)
    assert res.paired
    assert res.n == 161


def test_cavo_mcnemar_sign_flips_with_direction():
    res = _cavo(flip=True)
    assert round(res.statistic, 3) == 2.132
    assert round(res.pvalue, 6) == 0.033006


def test_cavo_one_sided_pvalues():
    # for a normal statistic, the one-sided p-value in the observed direction is half
    # the two-sided one, and the other direction gets one minus that
    two = _cavo().pvalue
    assert _cavo("less").pvalue == pytest.approx(two / 2, rel=1e-12)
    assert _cavo("greater").pvalue == pytest.approx(1 - two / 2, rel=1e-12)


def test_cavo_paired_wald_interval_published():
    low, high = _cavo().confidence_interval(0.95, method="wald")
    assert round(low, 4) == -0.1184
    assert round(high, 4) == -0.0058


def test_cavo_paired_score_interval_published():
    res = _cavo()
    # Tango's score interval is the default for paired proportions
    assert res.confidence_interval() == res.confidence_interval(0.95, method="score")
    low, high = res.confidence_interval()
    assert round(low, 4) == -0.1240
    assert round(high, 4) == -0.0054


@pytest.mark.parametrize(
    ("b", "a", "expected"),
    [((56, 70), (48, 80), (0.0524, 0.3339)), ((9, 10), (3, 10), (0.1705, 0.8090))],
)
def test_newcombe_published(b, a, expected):
    res = proportion_difference(a[0], a[1], b[0], b[1], n_a=a[1], n_b=b[1])
    low, high = res.confidence_interval(0.95, method="newcombe")
    assert round(low, 4) == expected[0]
    assert round(high, 4) == expected[1]
    # reversing the samples mirrors the interval
    rev = proportion_difference(b[0], b[1], a[0], a[1], n_a=b[1], n_b=a[1])
    r_low, r_high = rev.confidence_interval(0.95, method="newcombe")
    assert r_low == pytest.approx(-high, rel=1e-12)
    assert r_high == pytest.approx(-low, rel=1e-12)


@pytest.mark.parametrize(
    ("ca", "na", "cb", "nb"), [(48, 80, 56, 70), (3, 10, 9, 10), (0, 20, 5, 25)]
)
def test_pooled_z_closed_form(ca, na, cb, nb):
    # z = (pb - pa)/sqrt(pbar (1 - pbar)(1/na + 1/nb)), pbar = (ca + cb)/(na + nb)
    pa, pb = Fraction(ca, na), Fraction(cb, nb)
    pbar = Fraction(ca + cb, na + nb)
    z = float(pb - pa) / math.sqrt(
        pbar * (1 - pbar) * (Fraction(1, na) + Fraction(1, nb))
    )
    res = proportion_difference(ca, na, cb, nb, n_a=na, n_b=nb)
    assert res.statistic == pytest.approx(z, rel=1e-13)
    assert res.pvalue == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-12)
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    assert res.standard_error == pytest.approx(se, rel=1e-13)


def test_agresti_caffo_closed_form():
    # Agresti & Caffo (2000): one success and one failure added to each sample
    ca, na, cb, nb = 3, 10, 9, 10
    pa, pb = Fraction(ca + 1, na + 2), Fraction(cb + 1, nb + 2)
    half = Z95 * math.sqrt(pa * (1 - pa) / (na + 2) + pb * (1 - pb) / (nb + 2))
    low, high = proportion_difference(
        ca, na, cb, nb, n_a=na, n_b=nb
    ).confidence_interval(0.95, method="agresti_caffo")
    assert low == pytest.approx(float(pb - pa) - half, rel=1e-13)
    assert high == pytest.approx(float(pb - pa) + half, rel=1e-13)


def test_identical_degenerate_samples_do_not_reject():
    # all answers positive in both samples: no difference and no variance
    res = proportion_difference(20, 20, 30, 30, n_a=20, n_b=30)
    assert res.value == 0.0
    assert res.statistic == 0.0
    assert res.pvalue == 1.0


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_empty_sample_gives_nan_not_significance(alternative):
    # with no answers in a, nothing can be concluded: the statistic and p-value are
    # NaN (before the fix, NaN differences fell through to +inf and p = 0)
    # ... and the NaN says so (issue #20: every NaN result warns)
    with pytest.warns(UndefinedMetricWarning, match="sample a is empty"):
        res = proportion_difference(0, 0, 5, 10, n_a=0, n_b=10, alternative=alternative)
    assert math.isnan(res.value)
    assert math.isnan(res.statistic)
    assert math.isnan(res.pvalue)
    assert all(math.isnan(b) for b in res.confidence_interval())
    for method in ("wald", "adjusted_wald"):
        with pytest.warns(UndefinedMetricWarning, match="sample b is empty"):
            res = net_score_difference(
                5, 2, 10, 0, 0, 0, n_a=10, n_b=0, method=method, alternative=alternative
            )
        assert math.isnan(res.value)
        assert math.isnan(res.statistic)
        assert math.isnan(res.pvalue)


# --------------------------------------------------------------------------------------
# independent net scores (Rocks 2016; MeasuringU): closed forms in fractions


NPS_A = (40, 25, 120)  # promoters, detractors, n
NPS_B = (70, 20, 150)


def _nps_parts(
    pro: int, det: int, n: float, add: Fraction = Fraction(0), add_n: int = 0
):
    pp = (pro + add) / Fraction(n + add_n)
    pn = (det + add) / Fraction(n + add_n)
    return pp - pn, (pp + pn - (pp - pn) ** 2) / (n + add_n)


def test_net_score_difference_wald_closed_form():
    est_a, var_a = _nps_parts(*NPS_A)
    est_b, var_b = _nps_parts(*NPS_B)
    se = math.sqrt(var_a + var_b)
    res = net_score_difference(*NPS_A, *NPS_B, n_a=120, n_b=150, method="wald")
    assert res.value == pytest.approx(100 * float(est_b - est_a), rel=1e-13)
    assert res.standard_error == pytest.approx(100 * se, rel=1e-13)
    assert res.statistic == pytest.approx(float(est_b - est_a) / se, rel=1e-13)
    assert res.pvalue == pytest.approx(
        math.erfc(abs(res.statistic) / math.sqrt(2)), rel=1e-12
    )
    low, high = res.confidence_interval(0.95, method="wald")
    assert low == pytest.approx(100 * (float(est_b - est_a) - Z95 * se), rel=1e-12)
    assert high == pytest.approx(100 * (float(est_b - est_a) + Z95 * se), rel=1e-12)


def test_net_score_difference_adjusted_wald_closed_form():
    # adjusted Wald: 3/4 added to promoters and detractors of each sample, 3 to each n;
    # the z test and the default interval use the adjusted estimates and variances,
    # while `value` stays the raw difference
    q = Fraction(3, 4)
    est_a, var_a = _nps_parts(*NPS_A, add=q, add_n=3)
    est_b, var_b = _nps_parts(*NPS_B, add=q, add_n=3)
    se = math.sqrt(var_a + var_b)
    centre = float(est_b - est_a)
    res = net_score_difference(*NPS_A, *NPS_B, n_a=120, n_b=150)
    raw_a, _ = _nps_parts(*NPS_A)
    raw_b, _ = _nps_parts(*NPS_B)
    assert res.value == pytest.approx(100 * float(raw_b - raw_a), rel=1e-13)
    assert res.statistic == pytest.approx(centre / se, rel=1e-13)
    low, high = res.confidence_interval()
    assert low == pytest.approx(100 * (centre - Z95 * se), rel=1e-12)
    assert high == pytest.approx(100 * (centre + Z95 * se), rel=1e-12)


def test_net_score_variance_matches_scores_variance():
    # the trinomial variance is the population variance of -1/0/+1 scores
    scores = np.repeat([1.0, -1.0, 0.0], [40, 25, 55])
    assert float(net_score_variance(40 / 120, 25 / 120)) == pytest.approx(
        scores.var(), rel=1e-13
    )
