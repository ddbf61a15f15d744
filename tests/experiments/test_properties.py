"""Hypothesis properties and seeded simulations of the experiments family."""

from __future__ import annotations

import itertools
import os
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import DataWarning, UndefinedMetricWarning
from strategies import split_points

SLOW = pytest.mark.skipif(
    not os.environ.get("CXMETRICS_SLOW"), reason="slow: set CXMETRICS_SLOW=1"
)


@st.composite
def unit_data(draw, kinds=("mean", "proportion", "nps", "ratio")):
    kind = draw(st.sampled_from(kinds))
    n = draw(st.integers(6, 60))
    arms = draw(
        st.lists(st.sampled_from(["ctl", "b", "c"]), min_size=n, max_size=n).filter(
            lambda a: a.count("ctl") >= 2 and len(set(a)) >= 2
        )
    )
    if kind == "proportion":
        values = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    elif kind == "nps":
        values = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    else:
        values = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    den = (
        draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
        if kind == "ratio"
        else None
    )
    cov = draw(st.none() | st.lists(st.integers(0, 50), min_size=n, max_size=n))
    return kind, np.array(values, float), np.array(arms), den, cov


def _build(kind, values, arms, den, cov, rows=slice(None)):
    return cx.ExperimentState.from_units(
        values[rows],
        arms[rows],
        kind=kind,
        denominator=None if den is None else np.asarray(den, float)[rows],
        covariate=None if cov is None else np.asarray(cov, float)[rows],
    )


@given(unit_data(), st.data())
def test_states_split_and_merged_give_the_same_result(case, data):
    kind, values, _, _, cov = case
    n = len(values)
    cuts = data.draw(split_points(n))
    bounds = [0, *cuts, n]
    parts = [_build(*case, rows=slice(a, b)) for a, b in itertools.pairwise(bounds)]
    whole = _build(*case)
    merged = sum(parts, cx.ExperimentState.empty(kind, covariate=cov is not None))
    # integer data: the sums are exact, so the merge is too
    assert merged == whole
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # z keeps hypothesis fast (the numpy t quantiles are slow); Welch is
        # covered by the reference tests
        a = whole.compute("ctl", test="z")
        b = merged.compute("ctl", test="z")
    np.testing.assert_array_equal(a.value, b.value)
    np.testing.assert_array_equal(a.pvalue, b.pvalue)


@given(unit_data(kinds=("mean", "proportion", "ratio")), st.booleans())
def test_relative_and_absolute_agree_on_the_sign(case, sequential):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        state = _build(*case)
        absolute = state.compute("ctl", sequential=sequential, test="z")
        relative = state.compute("ctl", relative=True, sequential=sequential, test="z")
    assume(np.all(absolute.mean_control > 0))
    np.testing.assert_array_equal(np.sign(absolute.value), np.sign(relative.value))
    ok = ~np.isnan(relative.statistic) & ~np.isnan(absolute.statistic)
    np.testing.assert_array_equal(
        np.sign(absolute.statistic[ok]), np.sign(relative.statistic[ok])
    )


@given(unit_data(kinds=("mean", "nps")))
def test_grouped_nps_and_means_match_the_survey_functions(case):
    kind, values, arms, _, _ = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cx.experiment(values, arms, control="ctl", kind=kind, test="z")
    for arm in res.keys.tolist():
        lift = res[arm]
        mask = arms == arm
        if kind == "nps":
            expect = cx.nps(values[mask].astype(int)).value
        else:
            expect = values[mask].mean()
        assert lift.estimate_arm == pytest.approx(expect, rel=1e-12, abs=1e-12)
        assert lift.n_arm == mask.sum()


@given(st.integers(4, 40), st.integers(0, 2**32 - 1))
def test_cuped_equals_unadjusted_when_the_covariate_is_balanced(m, seed):
    """A covariate with the same mean in every arm adjusts nothing (Deng et al. 2013)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 20, m).astype(float)
    covariate = np.r_[x, rng.permutation(x)]
    y = rng.normal(10, 3, 2 * m) + covariate
    arms = np.repeat(["ctl", "b"], m)
    plain = cx.experiment(y, arms, control="ctl")["b"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # a constant covariate
        adjusted = cx.experiment(y, arms, control="ctl", covariate=covariate)["b"]
    assert adjusted.value == pytest.approx(plain.value, rel=1e-9, abs=1e-9)
    assert (
        adjusted.standard_error <= plain.standard_error * (1 + 1e-9) or np.var(x) == 0
    )


def test_cuped_never_increases_variance_in_expectation():
    """Seeded: an independent covariate reduces nothing on average; a correlated one ~rho^2."""
    rng = np.random.default_rng(2026)
    independent, correlated = [], []
    for _ in range(200):
        x = rng.normal(0, 1, 400)
        noise = rng.normal(0, 1, 400)
        arms = np.repeat(["ctl", "b"], 200)
        y_ind = 5 + noise
        y_cor = 5 + 0.6 * x + 0.8 * noise  # correlation 0.6
        independent.append(
            cx.experiment(y_ind, arms, control="ctl", covariate=x)[
                "b"
            ].variance_reduction
        )
        correlated.append(
            cx.experiment(y_cor, arms, control="ctl", covariate=x)[
                "b"
            ].variance_reduction
        )
    # an in-sample slope costs about 1/n of variance: nothing to speak of
    assert abs(np.mean(independent)) < 0.01
    assert np.mean(correlated) == pytest.approx(0.36, abs=0.02)


def _aa_coverage(n_experiments, n_units, seed, kind):
    rng = np.random.default_rng(seed)
    covered = 0
    arms = np.repeat(["ctl", "b"], n_units)
    for _ in range(n_experiments):
        if kind == "proportion":
            y = (rng.random(2 * n_units) < 0.7).astype(float)
        elif kind == "nps":
            y = rng.choice(
                11, 2 * n_units, p=[0.04] * 5 + [0.05, 0.1, 0.12, 0.13, 0.2, 0.2]
            ).astype(float)
        else:
            y = rng.lognormal(5, 0.6, 2 * n_units)  # skewed handle times
        # the interval covers 0 exactly when the test does not reject (same t or z,
        # same standard error): p-values are cheaper than t quantiles
        p = cx.experiment(y, arms, control="ctl", kind=kind).pvalue[0]
        covered += int(p >= 0.05)
    return covered / n_experiments


@pytest.mark.parametrize("kind", ["mean", "proportion", "nps"])
def test_aa_coverage_near_nominal(kind):
    """Seeded small version: 400 A/A experiments, 95 % intervals cover 0 about 95 % of the time."""
    coverage = _aa_coverage(400, 150, 15, kind)
    lo, hi = cx.experiment(
        np.arange(6.0), list("aaabbb"), control="a"
    ).confidence_interval()
    assert (lo[0] <= 0 <= hi[0]) == (
        cx.experiment(np.arange(6.0), list("aaabbb"), control="a").pvalue[0] >= 0.05
    )
    # binomial sd at 400 draws is 1.1 points
    assert 0.92 <= coverage <= 0.98


@pytest.mark.slow
@SLOW
@pytest.mark.parametrize("kind", ["mean", "proportion", "nps"])
def test_aa_coverage_near_nominal_large(kind):
    coverage = _aa_coverage(5000, 300, 16, kind)
    assert 0.94 <= coverage <= 0.96


def _peeking(n_experiments, looks, per_day, seed):
    """False positives of daily looks, fixed-horizon vs sequential, via merged daily states."""
    rng = np.random.default_rng(seed)
    fixed_hits = seq_hits = 0
    for _ in range(n_experiments):
        total = cx.ExperimentState.empty()
        fixed = seq = False
        for _day in range(looks):
            arms = rng.integers(0, 2, per_day)
            y = rng.normal(100, 30, per_day)
            total = total + cx.ExperimentState.from_units(y, arms)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)
                fixed |= bool(total.compute(0, test="z").pvalue[0] < 0.05)
                seq |= bool(total.compute(0, sequential=True).pvalue[0] < 0.05)
        fixed_hits += fixed
        seq_hits += seq
    return fixed_hits / n_experiments, seq_hits / n_experiments


def test_sequential_stays_valid_under_daily_peeking():
    """Seeded: 200 A/A experiments looked at 20 times; peeking inflates the fixed test."""
    fixed, seq = _peeking(150, 15, 100, 4)
    assert fixed > 0.12  # daily peeking at a fixed-horizon test: ~4x the nominal 5 %
    assert seq <= 0.05


@pytest.mark.slow
@SLOW
def test_sequential_stays_valid_under_daily_peeking_large():
    fixed, seq = _peeking(2000, 30, 200, 5)
    assert fixed > 0.15
    assert seq <= 0.055


def test_several_arms_equal_pairwise_experiments():
    rng = np.random.default_rng(8)
    y = rng.normal(50, 10, 300)
    arms = rng.choice(["ctl", "b", "c"], 300)
    res = cx.experiment(y, arms, control="ctl")
    for arm in ("b", "c"):
        pair = (arms == arm) | (arms == "ctl")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            alone = cx.experiment(y[pair], arms[pair], control="ctl")[arm]
        lift = res[arm]
        assert lift.value == pytest.approx(alone.value, rel=1e-12)
        assert lift.pvalue == pytest.approx(alone.pvalue, rel=1e-10)


@given(unit_data(kinds=("mean",)), st.floats(0.5, 0.99))
def test_fieller_contains_the_estimate_and_nests_by_level(case, level):
    kind, values, arms, den, cov = case
    values = values + 50.0  # a control mean away from 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _build(kind, values, arms, den, cov).compute(
            "ctl", relative=True, interval="fieller", test="z"
        )
    for key in res.keys.tolist():
        lift = res[key]
        if np.isnan(lift.standard_error) or lift.standard_error == 0:
            continue
        lo, hi = lift.confidence_interval(level)
        assert lo <= lift.value <= hi
        lo2, hi2 = lift.confidence_interval(min(0.999, level + 0.005))
        assert lo2 <= lo + 1e-12
        assert hi2 >= hi - 1e-12


def test_fieller_is_unbounded_when_the_control_mean_is_not_distinguishable_from_zero():
    y = np.r_[[-3.0, 4.0, -1.0, 0.5, 1.0], [2.0, 3.0, 2.5, 4.0, 3.5]]
    arms = np.repeat(["ctl", "b"], 5)
    lift = cx.experiment(y, arms, control="ctl", relative=True, interval="fieller")["b"]
    assert lift.confidence_interval() == (-np.inf, np.inf)
    delta = lift.confidence_interval(method="delta")
    assert np.isfinite(delta).all()


def test_fieller_approaches_the_delta_method_for_large_samples():
    rng = np.random.default_rng(1)
    y = rng.normal(100, 20, 20000) + np.repeat([0.0, 2.0], 10000)
    arms = np.repeat(["ctl", "b"], 10000)
    lift = cx.experiment(y, arms, control="ctl", relative=True, interval="fieller")["b"]
    np.testing.assert_allclose(
        lift.confidence_interval(), lift.confidence_interval(method="delta"), rtol=2e-3
    )


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_adjusted_pvalues_properties(p):
    p = np.array(p)
    holm = cx.adjust_pvalues(p)
    bonf = cx.adjust_pvalues(p, method="bonferroni")
    bh = cx.adjust_pvalues(p, method="benjamini_hochberg")
    for adj in (holm, bonf, bh):
        assert np.all(adj >= p - 1e-15)
        assert np.all(adj <= 1)
        order = np.argsort(p, kind="stable")
        assert np.all(np.diff(adj[order]) >= -1e-15)  # monotone in p
        assert not adj.flags.writeable
    assert np.all(holm <= bonf + 1e-15)
    assert np.all(bh <= holm + 1e-15)


def test_adjusting_results_concatenates_their_arms():
    rng = np.random.default_rng(2)
    arms = rng.choice(["ctl", "b", "c"], 600)
    a = cx.experiment(rng.normal(size=600), arms, control="ctl")
    b = cx.experiment(rng.integers(0, 2, 600), arms, control="ctl", kind="proportion")
    both = cx.adjust_pvalues([a, b], method="benjamini_hochberg")
    np.testing.assert_array_equal(
        both, cx.adjust_pvalues(np.r_[a.pvalue, b.pvalue], method="benjamini_hochberg")
    )
    np.testing.assert_array_equal(a.adjusted_pvalues(), cx.adjust_pvalues(a.pvalue))


def test_an_arm_of_one_unit_gives_nan_and_warns():
    with pytest.warns(UndefinedMetricWarning, match="fewer than 2 units"):
        res = cx.experiment(
            [1.0, 2.0, 3.0, 7.0], ["ctl", "ctl", "ctl", "b"], control="ctl"
        )
    lift = res["b"]
    assert lift.value == pytest.approx(5.0)
    assert np.isnan(lift.standard_error)
    assert np.isnan(lift.pvalue)
    assert all(np.isnan(lift.confidence_interval()))


@given(
    x=st.lists(st.integers(1, 99), min_size=3, max_size=12),
    y=st.lists(st.integers(1, 99), min_size=3, max_size=12),
    power=st.integers(-140, 140),
)
def test_welch_df_and_pvalue_do_not_depend_on_the_scale_of_the_values(x, y, power):
    # Welch's df is a ratio of variances: scaling every value by 10**power changes
    # neither it nor the p-value (squared variances would overflow or underflow)
    assume(len(set(x)) > 1 or len(set(y)) > 1)
    arms = ["c"] * len(x) + ["t"] * len(y)
    plain = np.asarray(x + y, dtype=np.float64)
    base = cx.experiment(plain, arms, control="c")
    scipy_stats = pytest.importorskip("scipy.stats")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy: a constant arm
        ref = scipy_stats.ttest_ind(y, x, equal_var=False)
    assert base.df[0] == pytest.approx(ref.df, rel=1e-9)
    assert base.pvalue[0] == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = cx.experiment(plain * 10.0**power, arms, control="c")
    assert scaled.df[0] == pytest.approx(base.df[0], rel=1e-9)
    assert scaled.pvalue[0] == pytest.approx(base.pvalue[0], rel=1e-6, abs=1e-300)
