"""The shifted-beta-geometric model: published fits, independent cross-checks, errors.

Data: Fader & Hardie (2007), "How to project customer retention", J. Interactive
Marketing 21(1): 1,000 "regular" and 1,000 "high end" customers, survivors at the
start of years 0-12. The models are fitted to years 1-7, as in the paper.

Published estimates (the paper's section on the empirical analysis): regular
alpha = 0.704, beta = 1.182; high end alpha = 0.668, beta = 3.806. We could not
read the paper's PDF here; these numbers, the data and the high-end LL = -1611.2
were checked against two independent secondary sources that quote them (a
PyMC-Marketing example notebook that compares its estimates with the paper's, and
JD Maturen's ``shifted_beta_geometric_py``, whose test fits the high-end data to
0.668 / 3.806 and whose README gives the projections and DERL used below).
"""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import (
    ConvergenceWarning,
    InvalidInputError,
    InvalidInputTypeError,
    MissingDependencyError,
)

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.fixture(scope="module")
def scipy():
    return pytest.importorskip("scipy")


@pytest.mark.parametrize(
    ("data", "alpha", "beta"),
    [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)],
    ids=["regular", "high_end"],
)
def test_reproduces_published_fits(scipy, data, alpha, beta):
    fit = cx.sbg(data[:8])
    assert round(fit.alpha, 3) == alpha
    assert round(fit.beta, 3) == beta
    assert fit.converged
    assert (fit.n, fit.n_cohorts, fit.n_periods) == (1000, 1, 7)


def test_high_end_log_likelihood_and_projections(scipy):
    fit = cx.sbg(HIGH_END[:8])
    # LL = -1611.2 at the estimate (quoted with the paper's estimates)
    assert round(fit.log_likelihood, 1) == -1611.2
    # JD Maturen's README: projected survival for years 8-12
    assert np.round(fit.survival([8, 9, 10, 11, 12]), 3).tolist() == [
        0.460,
        0.436,
        0.414,
        0.395,
        0.378,
    ]
    # ... and the discounted expected residual lifetime after 7 renewals at d = 10%
    assert round(fit.discounted_expected_residual_lifetime(0.1, renewals=7), 3) == 7.530
    # the projections track the held-out years 8-12 within 2 points
    actual = np.array(HIGH_END[8:]) / 1000
    assert np.max(np.abs(fit.survival([8, 9, 10, 11, 12]) - actual)) < 0.02


def test_log_likelihood_at_one_one():
    # JD Maturen's test: LL(1, 1) = -2.115 per customer on the high-end data
    from cxmetrics.retention._sbg_fit import _log_likelihood, _sufficient

    lost, alive = _sufficient([np.array(HIGH_END[:8])])
    ll, _, _ = _log_likelihood(1.0, 1.0, lost, alive, derivatives=False)
    assert ll / 1000 == pytest.approx(-2.115, abs=1e-3)


def _betaln_log_likelihood(special, alpha, beta, cohorts):
    """The likelihood written with beta functions (an independent formulation)."""
    ll = 0.0
    b0 = special.betaln(alpha, beta)
    for c in cohorts:
        for t in range(1, len(c)):
            ll += (c[t - 1] - c[t]) * (special.betaln(alpha + 1, beta + t - 1) - b0)
        ll += c[-1] * (special.betaln(alpha, beta + len(c) - 1) - b0)
    return ll


@pytest.mark.parametrize(
    "cohorts",
    [[REGULAR[:8]], [HIGH_END[:8]], [HIGH_END[:8], REGULAR[:5], [400, 250, 180]]],
    ids=["regular", "high_end", "three_cohorts"],
)
def test_against_independent_nelder_mead_and_numerical_hessian(scipy, cohorts):
    from scipy import optimize, special

    fit = cx.sbg(cohorts if len(cohorts) > 1 else cohorts[0])

    def nll(x):
        return -_betaln_log_likelihood(special, math.exp(x[0]), math.exp(x[1]), cohorts)

    ref = optimize.minimize(
        nll, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12}
    )
    assert fit.alpha == pytest.approx(math.exp(ref.x[0]), rel=1e-6)
    assert fit.beta == pytest.approx(math.exp(ref.x[1]), rel=1e-6)
    assert fit.log_likelihood == pytest.approx(-ref.fun, rel=1e-12)
    # observed information by central differences of the beta-function likelihood
    theta = np.array([fit.alpha, fit.beta])
    h = 1e-4 * theta
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):

            def f(di, dj, i=i, j=j):
                p = theta.copy()
                p[i] += di
                p[j] += dj
                return _betaln_log_likelihood(special, p[0], p[1], cohorts)

            hess[i, j] = (
                f(h[i], h[j]) - f(h[i], -h[j]) - f(-h[i], h[j]) + f(-h[i], -h[j])
            ) / (4 * h[i] * h[j])
    np.testing.assert_allclose(fit.covariance, np.linalg.inv(-hess), rtol=1e-4)


def test_multi_cohort_likelihood_is_the_sum_over_cohorts(scipy):
    from cxmetrics.retention._sbg_fit import _log_likelihood, _sufficient

    cohorts = [HIGH_END[:8], HIGH_END[:4], REGULAR[:6]]
    fit = cx.sbg(cohorts)
    assert (fit.n_cohorts, fit.n, fit.n_periods) == (3, 3000, 7)
    parts = 0.0
    for c in cohorts:
        lost, alive = _sufficient([np.asarray(c)])
        parts += _log_likelihood(fit.alpha, fit.beta, lost, alive, derivatives=False)[0]
    assert fit.log_likelihood == pytest.approx(parts, rel=1e-13)
    two_d = cx.sbg(np.array([HIGH_END[:8], REGULAR[:8]]))
    listed = cx.sbg([HIGH_END[:8], REGULAR[:8]])
    assert two_d.alpha == listed.alpha
    assert two_d.beta == listed.beta


def test_projections_against_beta_functions(scipy):
    from scipy import special

    model = cx.SBGModel(alpha=0.704, beta=1.182)
    t = np.arange(0, 30)
    expected = np.exp(special.betaln(0.704, 1.182 + t) - special.betaln(0.704, 1.182))
    np.testing.assert_allclose(model.survival(t), expected, rtol=1e-12)
    p = np.exp(special.betaln(1.704, 1.182 + t[1:] - 1) - special.betaln(0.704, 1.182))
    np.testing.assert_allclose(model.churn_probability(t[1:]), p, rtol=1e-12)
    np.testing.assert_allclose(
        model.retention_rate(t[1:]),
        model.survival(t[1:]) / model.survival(t[:-1]),
        rtol=1e-12,
    )
    assert model.mean_churn_probability == pytest.approx(0.704 / 1.886)


def test_discounted_lifetimes_against_hyp2f1_and_series(scipy):
    from scipy import special

    a, b = 0.668, 3.806
    model = cx.SBGModel(a, b)
    for d in (0.01, 0.1, 0.5):
        x = 1 / (1 + d)
        assert model.discounted_expected_lifetime(d) == pytest.approx(
            special.hyp2f1(1, b, a + b, x), rel=1e-12
        )
        # the defining series, summed directly
        t = np.arange(0, 20000)
        series = np.sum(model.survival(t) * x**t)
        assert model.discounted_expected_lifetime(d) == pytest.approx(series, rel=1e-9)
        for n_minus_1 in (0, 3, 7):
            derl = model.discounted_expected_residual_lifetime(d, renewals=n_minus_1)
            k = np.arange(1, 20000)
            s = model.survival(n_minus_1 + k) / model.survival(n_minus_1)
            assert derl == pytest.approx(np.sum(s * x ** (k - 1)), rel=1e-9)
            n = n_minus_1 + 1
            assert derl == pytest.approx(
                (b + n - 1) / (a + b + n - 1) * special.hyp2f1(1, b + n, a + b + n, x),
                rel=1e-12,
            )


def test_undiscounted_lifetimes():
    assert cx.SBGModel(3.0, 2.0).discounted_expected_lifetime(0) == 2.0
    assert (
        cx.SBGModel(3.0, 2.0).discounted_expected_residual_lifetime(0, renewals=2)
        == 2.0
    )
    assert cx.SBGModel(0.9, 2.0).discounted_expected_lifetime(0) == math.inf
    # the discounted lifetime is the undiscounted one in the limit d -> 0
    model = cx.SBGModel(3.0, 2.0)
    assert model.discounted_expected_lifetime(1e-4) == pytest.approx(2.0, rel=1e-3)


def test_result_methods(scipy):
    fit = cx.sbg(HIGH_END[:8])
    se_a, se_b = fit.standard_errors
    assert se_a > 0
    assert se_b > 0
    low, high = fit.confidence_interval("alpha")
    assert low < fit.alpha < high
    low, high = fit.confidence_interval("beta", 0.9, method="wald")
    assert high - fit.beta == pytest.approx(fit.beta - low)
    assert str(fit).startswith("sBG fit (converged): alpha 0.6681")
    assert isinstance(fit.model, cx.SBGModel)


def test_homogeneous_data_warn_and_flag(scipy):
    # retention exactly 90% every period: no heterogeneity, the MLE is at infinity
    with pytest.warns(ConvergenceWarning, match="grow without bound"):
        fit = cx.sbg([1000, 900, 810, 729, 656, 590])
    assert not fit.converged
    assert "geometric model" in fit.message
    assert fit.mean_churn_probability == pytest.approx(0.1, abs=1e-3)


def test_boundary_fit_warns(scipy):
    # half churn at once, half never: alpha, beta -> 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cx.sbg([10, 5, 5, 5, 5, 5, 5])
    assert not fit.converged
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)


@pytest.mark.parametrize(
    ("survivors", "error", "match"),
    [
        (
            [1000, 1100, 900],
            InvalidInputError,
            r"`survivors` must not increase .*got 1100 after 1000 at index 1",
        ),
        (
            [1000, 869.5, 700],
            InvalidInputError,
            r"`survivors` must be whole numbers of customers; got 869.5 at index 1",
        ),
        ([1000, -3], InvalidInputError, r"must be non-negative; got -3"),
        ([0, 0, 0], InvalidInputError, r"must start with a positive cohort size"),
        (
            [1000],
            InvalidInputError,
            r"must hold the cohort size and at least one later count",
        ),
        ([1000, 600], InvalidInputError, r"at least two periods"),
        ([1000, 1000, 1000], InvalidInputError, r"no customer churned"),
        (
            [1000, 0, 0],
            InvalidInputError,
            r"every customer churned in the first period",
        ),
        (
            [[1000, 900, 800], [500, 600]],
            InvalidInputError,
            r"`survivors\[1\]` must not increase",
        ),
        (["a", "b"], InvalidInputTypeError, r"`survivors` must be numeric"),
        ([1000, np.inf], InvalidInputError, r"must be finite counts"),
    ],
)
def test_fit_errors(scipy, survivors, error, match):
    with pytest.raises(error, match=match):
        cx.sbg(survivors)


def test_model_errors():
    with pytest.raises(
        InvalidInputError, match="`alpha` must be a positive finite number"
    ):
        cx.SBGModel(0.0, 1.0)
    with pytest.raises(InvalidInputTypeError, match="`beta` must be a positive number"):
        cx.SBGModel(1.0, "x")  # type: ignore[arg-type]
    model = cx.SBGModel(1.0, 1.0)
    with pytest.raises(InvalidInputError, match="`t` must be >= 1"):
        model.retention_rate(0)
    with pytest.raises(InvalidInputError, match="`t` must be whole numbers"):
        model.survival(1.5)
    with pytest.raises(
        InvalidInputError, match="`discount_rate` must be a finite number >= 0"
    ):
        model.discounted_expected_lifetime(-0.1)
    with pytest.raises(InvalidInputError, match="`renewals` must be >= 0"):
        model.discounted_expected_residual_lifetime(0.1, renewals=-1)


def test_missing_scipy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    with pytest.raises(
        MissingDependencyError, match=r"pip install 'cxmetrics\[models\]'"
    ):
        cx.sbg(HIGH_END[:8])
    # projections need no scipy
    assert cx.SBGModel(1.0, 1.0).survival(1) == 0.5
