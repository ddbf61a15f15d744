"""Fieller intervals, one-sided z tests and sequential edges of the experiments kernel (issue #21).

Mutants of ``experiments/_kernel.py`` that survived ``tests/experiments`` are killed
here:

* ``fieller``: the discriminant's floor (0, not 1) and the boundedness test
  ``a > 0`` (not ``a > 1``, not ``a >= 0``), checked against the quadratic solved
  by ``numpy.roots`` with scipy's critical value; its ``errstate`` (a control mean
  of exactly 0, and a control mean exactly on the boundary ``D^2 = c^2 V_D``) and
  its NaN handling (one undefined input makes both bounds NaN, float64).
* ``test_pvalue``: one-sided z tests against ``scipy.stats.norm``; a float64 NaN
  where the statistic or its df is undefined, whatever the other one is.
* ``sequential_halfwidth`` / ``sequential_pvalue``: their ``errstate`` on inputs
  that reach the guarded operations (arms without units, a tuning parameter so
  small that rho or rho^2 * statistic overflows), and the p-value's NaN handling.

Every expected value is computed in the test from the data (hand formulas, scipy,
``statistics.NormalDist``), never captured from the code.
"""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.experiments import _kernel
from cxmetrics.experiments._kernel import fieller, sequential_pvalue
from cxmetrics.typing import Alternative

NAN = math.nan
INF = math.inf


def _z(level: float) -> float:
    """Two-sided normal critical value, from the standard library."""
    return -NormalDist().inv_cdf((1.0 - level) / 2.0)


# -- fieller ------------------------------------------------------------------


def _fieller_by_hand(
    n: float, vn: float, d: float, vd: float, c: float, crit: float
) -> tuple[float, float]:
    """Roots of (D^2 - c^2 V_D) r^2 - 2 (N D - c^2 C) r + (N^2 - c^2 V_N) = 0."""
    c2 = crit * crit
    roots = np.roots([d * d - c2 * vd, -2.0 * (n * d - c2 * c), n * n - c2 * vn])
    assert np.all(np.isreal(roots))
    low, high = sorted(float(r) for r in np.real(roots))
    return low, high


@pytest.mark.parametrize(
    ("x_c", "x_t", "n_c", "n_t", "level"),
    [(30, 45, 100, 100, 0.95), (12, 30, 80, 90, 0.9), (55, 48, 120, 110, 0.99)],
)
def test_fieller_interval_of_proportions_solves_the_quadratic(
    x_c: int, x_t: int, n_c: int, n_t: int, level: float
) -> None:
    stats = pytest.importorskip("scipy.stats")
    values = [1] * x_c + [0] * (n_c - x_c) + [1] * x_t + [0] * (n_t - x_t)
    arms = ["c"] * n_c + ["t"] * n_t
    lift = cx.experiment(
        values,
        arms,
        control="c",
        kind="proportion",
        relative=True,
        interval="fieller",
        confidence_level=level,
    )["t"]
    p_c, p_t = x_c / n_c, x_t / n_t
    num, den = p_t - p_c, p_c
    vd = p_c * (1 - p_c) / n_c
    vn = p_t * (1 - p_t) / n_t + vd
    cov = -vd  # Cov(p_t - p_c, p_c)
    crit = float(stats.norm.isf((1 - level) / 2))
    # small scale: 0 < D^2 - c^2 V_D < 1 and a discriminant below 1
    a = den * den - crit**2 * vd
    disc = (num * den - crit**2 * cov) ** 2 - a * (num * num - crit**2 * vn)
    assert 0 < a < 1
    assert 0 < disc < 1
    want_low, want_high = _fieller_by_hand(num, vn, den, vd, cov, crit)
    low, high = lift.confidence_interval()
    assert low == pytest.approx(want_low, rel=1e-9)
    assert high == pytest.approx(want_high, rel=1e-9)
    # both ends are on Fieller's boundary (N - rD)^2 = c^2 (V_N - 2 r C + r^2 V_D)
    for r in (low, high):
        lhs = (num - r * den) ** 2
        rhs = crit**2 * (vn - 2 * r * cov + r * r * vd)
        assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-15)
    assert low < lift.value < high


def test_fieller_interval_of_means_with_welch_df() -> None:
    stats = pytest.importorskip("scipy.stats")
    ctl = np.array([0.09, 0.14, 0.07, 0.11, 0.13, 0.08, 0.12, 0.10])
    trt = np.array([0.15, 0.11, 0.19, 0.14, 0.12, 0.18, 0.16])
    lift = cx.experiment(
        np.r_[ctl, trt],
        ["c"] * ctl.size + ["t"] * trt.size,
        control="c",
        relative=True,
        interval="fieller",
    )["t"]
    vc = ctl.var(ddof=1) / ctl.size
    vt = trt.var(ddof=1) / trt.size
    df = (vc + vt) ** 2 / (vc**2 / (ctl.size - 1) + vt**2 / (trt.size - 1))
    crit = float(stats.t.isf(0.025, df))
    num, den = trt.mean() - ctl.mean(), ctl.mean()
    assert 0 < den * den - crit**2 * vc < 1
    want_low, want_high = _fieller_by_hand(num, vc + vt, den, vc, -vc, crit)
    low, high = lift.confidence_interval()
    assert low == pytest.approx(want_low, rel=1e-9)
    assert high == pytest.approx(want_high, rel=1e-9)


def test_fieller_on_the_boundary_is_unbounded_without_warnings() -> None:
    # control: n = 100, mean 1.5, sd chosen so that D^2 == c^2 V_D holds exactly in
    # floating point; Fieller's set is then a half-line, reported as (-inf, inf).
    # B (mean 3) has N D - c^2 C > 0, C (mean -3) has it < 0.
    state = cx.ExperimentState.from_summary(
        ["A", "B", "C"],
        n=[100, 100, 100],
        mean=[1.5, 3.0, -3.0],
        std=[7.653201853869811, 1.0, 1.0],
    )
    res = state.compute("A", relative=True, test="z", interval="fieller")
    c = _z(0.95)
    den, vd = res.denominator, res.denominator_variance
    np.testing.assert_array_equal(den, [1.5, 1.5])
    np.testing.assert_array_equal(den * den - c * c * vd, [0.0, 0.0])
    b = res.difference * den - c * c * res.covariance
    assert b[0] > 0 > b[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ci = res.confidence_interval()
    np.testing.assert_array_equal(ci.low, [-INF, -INF])
    np.testing.assert_array_equal(ci.high, [INF, INF])
    # the delta-method interval of the same lifts is finite
    delta = res.confidence_interval(method="delta")
    assert np.all(np.isfinite(delta.low))
    assert np.all(np.isfinite(delta.high))


def test_fieller_with_a_zero_control_mean_is_nan_without_runtime_warnings() -> None:
    # control all 0: D = 0 and V_D = 0, so a = b = 0 and the bounds are 0 / 0
    values = [0] * 20 + [1] * 5 + [0] * 15
    arms = ["c"] * 20 + ["t"] * 20
    with pytest.warns(UndefinedMetricWarning, match="control mean is 0"):
        res = cx.experiment(values, arms, control="c", kind="proportion", relative=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        low, high = res["t"].confidence_interval(method="fieller")
    assert math.isnan(low)
    assert math.isnan(high)


def _fieller_args(
    *, bounded: bool, nan_at: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # num, num_var, den, den_var, cov, crit: D^2 - c^2 V_D is 3.8 or -0.16
    vals = [0.5, 0.2, 2.0 if bounded else 0.2, 0.05, -0.01, 2.0]
    if nan_at is not None:
        vals[nan_at] = NAN
    n, vn, d, vd, c, k = (np.array([v]) for v in vals)
    return n, vn, d, vd, c, k


@pytest.mark.parametrize("bounded", [True, False])
@pytest.mark.parametrize("nan_at", range(6))
def test_fieller_is_nan_when_any_input_is_nan(bounded: bool, nan_at: int) -> None:
    low, high = fieller(*_fieller_args(bounded=bounded, nan_at=nan_at))
    assert low.dtype == np.float64
    assert high.dtype == np.float64
    assert np.isnan(low).all()
    assert np.isnan(high).all()


def test_fieller_kernel_without_nan_matches_the_quadratic() -> None:
    for bounded in (True, False):
        args = _fieller_args(bounded=bounded)
        n, vn, d, vd, c, k = (float(x[0]) for x in args)
        low, high = fieller(*args)
        if bounded:
            want = _fieller_by_hand(n, vn, d, vd, c, k)
            assert float(low[0]) == pytest.approx(want[0], rel=1e-12)
            assert float(high[0]) == pytest.approx(want[1], rel=1e-12)
        else:
            assert (float(low[0]), float(high[0])) == (-INF, INF)


# -- test_pvalue --------------------------------------------------------------


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_one_sided_z_test_of_proportions_matches_scipy(
    alternative: Alternative,
) -> None:
    stats = pytest.importorskip("scipy.stats")
    x_c, n_c, x_t, n_t = 40, 200, 58, 210
    values = [1] * x_c + [0] * (n_c - x_c) + [1] * x_t + [0] * (n_t - x_t)
    arms = ["c"] * n_c + ["t"] * n_t
    lift = cx.experiment(
        values, arms, control="c", kind="proportion", alternative=alternative
    )["t"]
    p_c, p_t = x_c / n_c, x_t / n_t
    z = (p_t - p_c) / math.sqrt(p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t)
    want = stats.norm.sf(z) if alternative == "greater" else stats.norm.cdf(z)
    assert lift.df == INF
    assert lift.statistic == pytest.approx(z, rel=1e-12)
    assert lift.pvalue == pytest.approx(want, rel=1e-9)
    # the two-sided p-value is twice the smaller tail, not this one
    assert abs(lift.pvalue - 2 * stats.norm.sf(abs(z))) > 0.01


def test_test_pvalue_is_float64_nan_where_the_statistic_is_undefined() -> None:
    stats = pytest.importorskip("scipy.stats")
    stat = np.array([NAN, 1.5, -0.5, NAN])
    df = np.array([INF, INF, 7.0, 3.0])
    out = _kernel.test_pvalue(stat, df, "two-sided")
    assert out.dtype == np.float64
    assert np.isnan(out[0])
    assert np.isnan(out[3])
    assert out[1] == pytest.approx(2 * stats.norm.sf(1.5), rel=1e-12)
    assert out[2] == pytest.approx(2 * stats.t.sf(0.5, 7.0), rel=1e-12)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_test_pvalue_of_an_undefined_statistic_never_reaches_the_t_test(
    alternative: Alternative,
) -> None:
    # a NaN statistic is NaN whatever its df, even one the t test would refuse (0)
    stats = pytest.importorskip("scipy.stats")
    stat = np.array([NAN, NAN, 2.0, 0.7])
    df = np.array([0.0, 4.0, NAN, 9.0])
    out = _kernel.test_pvalue(stat, df, alternative)
    assert np.isnan(out[:3]).all()
    want = {
        "two-sided": 2 * stats.t.sf(0.7, 9.0),
        "less": stats.t.cdf(0.7, 9.0),
        "greater": stats.t.sf(0.7, 9.0),
    }[alternative]
    assert out[3] == pytest.approx(want, rel=1e-12)


# -- sequential ---------------------------------------------------------------


def test_sequential_interval_of_arms_without_units_is_nan_without_warnings() -> None:
    # two arms with no units: N = 0, so the half-width divides by N rho^2 * N = 0
    state = cx.ExperimentState.from_summary(
        ["A", "B"], n=[0, 0], mean=[1.0, 2.0], std=[1.0, 1.0]
    )
    with pytest.warns(UndefinedMetricWarning, match="standard error is undefined"):
        res = state.compute("A", sequential=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        low, high = res["B"].confidence_interval()
    assert math.isnan(low)
    assert math.isnan(high)


def _rho2(alpha: float, tuning: float) -> float:
    la = math.log(alpha)
    return (-2.0 * la + math.log(1.0 - 2.0 * la)) / tuning


def test_sequential_pvalue_with_a_tiny_tuning_has_no_overflow_warning() -> None:
    # rho^2 ~ 8e300: rho^2 * N * (Delta^2 / Var) overflows inside sequential_pvalue
    state = cx.ExperimentState.from_summary(
        ["A", "B"], n=[10_000, 10_000], mean=[1.0, 2.0], std=[0.5, 0.5]
    )
    tuning = 1e-300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lift = state.compute("A", sequential=True, tuning=tuning)["B"]
    var = 0.25 / 10_000 * 2
    assert lift.value == pytest.approx(1.0, rel=1e-12)
    assert lift.standard_error == pytest.approx(math.sqrt(var), rel=1e-9)
    # log e = (rho^2 N / (N rho^2 + 1)) * Delta^2 / (2 Var) - log(N rho^2 + 1) / 2,
    # with N rho^2 finite; e = exp(about 9650), so p = 1/e is 0 in double precision
    nr2 = 20_000 * _rho2(0.05, tuning)
    log_e = (nr2 / (nr2 + 1.0)) * 1.0 / (2 * var) - 0.5 * math.log(nr2 + 1.0)
    assert log_e > 9000
    assert lift.pvalue == min(1.0, math.exp(-log_e)) == 0.0


def test_sequential_interval_with_an_infinite_rho_has_no_invalid_warning() -> None:
    # tuning 1e-308: rho^2 = 8e308 / ... overflows to inf in Python, so N rho^2 is
    # inf and the half-width is inf / inf (NaN) inside sequential_halfwidth
    assert math.isinf(_rho2(0.05, 1e-308))
    state = cx.ExperimentState.from_summary(
        ["A", "B"], n=[50, 50], mean=[1.0, 2.0], std=[1.0, 1.0]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lift = state.compute("A", sequential=True, tuning=1e-308)["B"]
        low, high = lift.confidence_interval()
    assert lift.value == pytest.approx(1.0, rel=1e-12)
    assert lift.standard_error == pytest.approx(math.sqrt(2 / 50), rel=1e-9)
    # no finite bound may exclude the estimate
    assert not low > lift.value
    assert not high < lift.value


def test_sequential_pvalue_kernel_is_float64_nan_where_an_input_is_nan() -> None:
    estimate = np.array([NAN, NAN, 0.0, 1.0, 0.0, 0.3])
    variance = np.array([0.0, 1.0, NAN, 0.0, 0.0, 0.01])
    total = np.full(6, 100.0)
    p = sequential_pvalue(estimate, variance, total, 0.05, 5000.0)
    assert p.dtype == np.float64
    assert np.isnan(p[:3]).all()
    # no variance: a non-zero difference is certain, a zero one is no evidence
    assert p[3] == 0.0
    assert p[4] == 1.0
    nr2 = 100.0 * _rho2(0.05, 5000.0)
    # rho^2 * (Delta^2 N / Var) / (2 (N rho^2 + 1)) - log(N rho^2 + 1) / 2
    log_e = nr2 * 0.09 / 0.01 / (2.0 * (nr2 + 1.0)) - 0.5 * math.log(nr2 + 1.0)
    assert p[5] == pytest.approx(min(1.0, math.exp(-log_e)), rel=1e-12)
