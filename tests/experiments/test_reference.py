"""Reference tests: gbstats (recorded fixture), scipy, statsmodels and tea-tasting."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import DataWarning

FIXTURE = json.loads(Path(__file__).with_name("gbstats_fixture.json").read_text())
CASES = FIXTURE["cases"]
IDS = [
    f"{c['kind']}{'-cuped' if c['cuped'] else ''}-{c['control']['n']}" for c in CASES
]


def _state(case):
    a, b = case["control"], case["treatment"]
    return cx.ExperimentState(
        case["kind"],
        case["cuped"],
        np.array(["control", "treatment"]),
        [a["n"], b["n"]],
        [0, 0],
        [a["sums"], b["sums"]],
        [a["products"], b["products"]],
    )


def _lift(case, **options):
    with warnings.catch_warnings():
        # the recorded designs are unbalanced on purpose: the SRM check fires
        warnings.simplefilter("ignore", DataWarning)
        return _state(case).compute("control", test="welch", **options)["treatment"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("difference", ["absolute", "relative"])
def test_fixed_horizon_matches_gbstats(case, difference):
    """gbstats 0.8.0 TwoSidedTTest (Welch t; p(1-p) for proportions; delta-method ratios)."""
    ref = case[difference]
    lift = _lift(case, relative=difference == "relative")
    assert lift.value == pytest.approx(ref["estimate"], rel=1e-10, abs=1e-12)
    assert lift.df == pytest.approx(ref["dof"], rel=1e-10)
    if case["cuped"]:
        assert lift.theta == pytest.approx(ref["theta"], rel=1e-10)
    if case["cuped"] and difference == "relative":
        # gbstats' relative variance omits Cov(adjusted difference, control mean);
        # ours keeps it (see the docs): the two differ by well under 1 %.
        assert lift.standard_error == pytest.approx(ref["stddev"], rel=0.01)
        assert lift.standard_error != pytest.approx(ref["stddev"], rel=1e-6)
        return
    assert lift.standard_error == pytest.approx(ref["stddev"], rel=1e-10)
    assert lift.pvalue == pytest.approx(ref["p_value"], rel=1e-8, abs=1e-14)
    np.testing.assert_allclose(
        lift.confidence_interval(), ref["ci"], rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("difference", ["absolute", "relative"])
@pytest.mark.parametrize(("tuning", "alpha"), [(5000.0, 0.05), (500.0, 0.1)])
def test_sequential_matches_gbstats(case, difference, tuning, alpha):
    """gbstats SequentialTwoSidedTTest: Waudby-Smith et al. (2023) eqs. 9, 155, 161."""
    ref = case[difference][f"sequential_{tuning:g}_{alpha:g}"]
    lift = _lift(
        case,
        relative=difference == "relative",
        sequential=True,
        tuning=tuning,
        confidence_level=1 - alpha,
    )
    if case["cuped"] and difference == "relative":
        assert lift.value == pytest.approx(ref["estimate"], rel=1e-10)
        return  # the variance differs as above
    np.testing.assert_allclose(
        lift.confidence_interval(), ref["ci"], rtol=1e-9, atol=1e-12
    )
    assert lift.pvalue == pytest.approx(ref["p_value"], rel=1e-8, abs=1e-14)


def test_fixed_horizon_significant_but_not_sequentially():
    """The docs' worked case: p = 0.0499 at a single look, not significant sequentially."""
    case = CASES[0]
    fixed = _lift(case)
    seq = _lift(case, sequential=True)
    assert fixed.pvalue < 0.05 < seq.pvalue
    lo, hi = fixed.confidence_interval()
    slo, shi = seq.confidence_interval()
    assert lo > 0
    assert slo < 0 < shi
    assert slo < lo
    assert shi > hi


def test_welch_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(7)
    a = rng.normal(300, 60, 37)
    b = rng.normal(280, 90, 52)
    arm = np.array(["a"] * 37 + ["b"] * 52)
    res = cx.experiment(
        np.concatenate([a, b]), arm, control="a", expected_split=[37, 52]
    )
    lift = res["b"]
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert lift.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert lift.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    assert lift.df == pytest.approx(ref.df, rel=1e-10)
    ci = ref.confidence_interval(0.9)
    np.testing.assert_allclose(
        lift.confidence_interval(0.9), (ci.low, ci.high), rtol=1e-9
    )
    one = cx.experiment(
        np.concatenate([a, b]),
        arm,
        control="a",
        alternative="less",
        expected_split=[37, 52],
    )["b"]
    ref1 = stats.ttest_ind(b, a, equal_var=False, alternative="less")
    assert one.pvalue == pytest.approx(ref1.pvalue, rel=1e-8)
    assert one.confidence_interval()[1] == pytest.approx(
        ref1.confidence_interval().high, rel=1e-9
    )
    assert one.confidence_interval()[0] == -math.inf


def test_proportion_z_matches_statsmodels():
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    fcr = np.r_[np.ones(412), np.zeros(188), np.ones(455), np.zeros(145)]
    arm = np.repeat(["control", "chatbot"], 600)
    lift = cx.experiment(fcr, arm, control="control", kind="proportion")["chatbot"]
    ref = proportion.test_proportions_2indep(
        455, 600, 412, 600, method="wald", compare="diff", correction=False
    )
    assert lift.value == pytest.approx(ref.diff, rel=1e-12)
    assert lift.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert lift.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    low, high = proportion.confint_proportions_2indep(
        455, 600, 412, 600, method="wald", compare="diff"
    )
    np.testing.assert_allclose(lift.confidence_interval(), (low, high), rtol=1e-10)


def test_nps_matches_compare_nps_wald():
    """NPS lifts are the trinomial (Wald) comparison of compare_nps, in NPS points."""
    a = [10] * 30 + [8] * 40 + [3] * 30
    b = [10] * 45 + [8] * 35 + [3] * 20 + [None] * 3
    ref = cx.compare_nps(a, [v for v in b if v is not None], method="wald")
    res = cx.experiment(
        a + b, ["a"] * 100 + ["b"] * 103, control="a", kind="nps", nan_policy="omit"
    )
    lift = res["b"]
    assert lift.value == pytest.approx(ref.value, rel=1e-12)
    assert lift.standard_error == pytest.approx(ref.standard_error, rel=1e-12)
    assert lift.pvalue == pytest.approx(ref.pvalue, rel=1e-10)
    assert (lift.estimate_control, lift.estimate_arm) == pytest.approx((0.0, 25.0))
    np.testing.assert_allclose(
        lift.confidence_interval(), ref.confidence_interval(method="wald"), rtol=1e-10
    )
    assert res.arm_missing.tolist() == [0, 3]
    assert lift.n_arm == 100


def _tea_data(kind, rng, n=3000):
    pd = pytest.importorskip("pandas")
    arm = rng.integers(0, 2, n)
    pre = rng.gamma(2.0, 2.0, n)
    sessions = rng.poisson(3.0, n) + 1
    contacts = rng.poisson(sessions * (0.4 + 0.05 * arm) + 0.05 * pre)
    spend = 50 + 8 * pre + rng.normal(0, 20, n) + 3 * arm
    return pd.DataFrame(
        {
            "variant": arm,
            "contacts": contacts.astype(float),
            "sessions": sessions.astype(float),
            "spend": spend,
            "pre_spend": 50 + 8 * pre,
            "pre_contacts": contacts * 0 + np.round(pre),
        }
    )


def test_cuped_and_ratio_match_tea_tasting():
    tt = pytest.importorskip("tea_tasting")
    rng = np.random.default_rng(11)
    df = _tea_data("mean", rng)
    exp = tt.Experiment(
        spend=tt.Mean("spend", covariate="pre_spend"),
        contacts_per_session=tt.RatioOfMeans("contacts", "sessions"),
        cuped_ratio=tt.RatioOfMeans("contacts", "sessions", "pre_contacts"),
    )
    ref = exp.analyze(df, control=0)
    spend = cx.experiment(
        df["spend"], df["variant"], control=0, covariate=df["pre_spend"]
    )[1]
    r = ref["spend"]
    assert spend.value == pytest.approx(r.effect_size, rel=1e-9)
    np.testing.assert_allclose(
        spend.confidence_interval(),
        (r.effect_size_ci_lower, r.effect_size_ci_upper),
        rtol=1e-8,
    )
    assert spend.pvalue == pytest.approx(r.pvalue, rel=1e-6)
    assert spend.estimate_arm - spend.estimate_control == pytest.approx(
        r.treatment - r.control, rel=1e-9
    )
    assert spend.variance_reduction > 0.5
    ratio = cx.experiment(
        df["contacts"],
        df["variant"],
        control=0,
        kind="ratio",
        denominator=df["sessions"],
    )[1]
    r = ref["contacts_per_session"]
    assert (ratio.estimate_control, ratio.estimate_arm) == pytest.approx(
        (r.control, r.treatment), rel=1e-12
    )
    np.testing.assert_allclose(
        ratio.confidence_interval(),
        (r.effect_size_ci_lower, r.effect_size_ci_upper),
        rtol=1e-8,
    )
    assert ratio.pvalue == pytest.approx(r.pvalue, rel=1e-6)
    both = cx.experiment(
        df["contacts"],
        df["variant"],
        control=0,
        kind="ratio",
        denominator=df["sessions"],
        covariate=df["pre_contacts"],
    )[1]
    r = ref["cuped_ratio"]
    np.testing.assert_allclose(
        both.confidence_interval(),
        (r.effect_size_ci_lower, r.effect_size_ci_upper),
        rtol=1e-8,
    )
    assert both.pvalue == pytest.approx(r.pvalue, rel=1e-6)
    assert both.standard_error < ratio.standard_error


def test_srm_matches_scipy_chisquare():
    stats = pytest.importorskip("scipy.stats")
    counts = [821, 1020, 990]
    srm = cx.sample_ratio_mismatch(counts, [1, 1, 2])
    ref = stats.chisquare(counts, np.array([1, 1, 2]) / 4 * sum(counts))
    assert srm.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert srm.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    assert srm.failed


@pytest.mark.parametrize(
    ("method", "sm"),
    [("holm", "holm"), ("bonferroni", "bonferroni"), ("benjamini_hochberg", "fdr_bh")],
)
def test_adjustments_match_statsmodels(method, sm):
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = np.random.default_rng(3).uniform(0, 0.2, 17)
    p[4] = p[9]  # a tie
    ours = cx.adjust_pvalues(p, method=method)
    _, ref, _, _ = multitest.multipletests(p, method=sm)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


@pytest.mark.parametrize("ratio", [1.0, 2.0, 0.5])
@pytest.mark.parametrize("alternative", ["two-sided", "larger"])
def test_mean_sample_size_matches_normal_ind_power(ratio, alternative):
    power = pytest.importorskip("statsmodels.stats.power")
    ours = cx.sample_size(
        10.0,
        std=60.0,
        ratio=ratio,
        alternative="greater" if alternative == "larger" else "two-sided",
    )
    n1 = power.NormalIndPower().solve_power(
        effect_size=10 / 60, power=0.8, alpha=0.05, ratio=ratio, alternative=alternative
    )
    # statsmodels adds the far tail of the two-sided test (~1e-6 of power)
    assert ours.n_control == math.ceil(n1 - 1e-6) or ours.n_control == math.ceil(n1)
    mde = cx.minimum_detectable_effect(
        1000,
        std=60.0,
        ratio=ratio,
        alternative="greater" if alternative == "larger" else "two-sided",
    )
    d = power.NormalIndPower().solve_power(
        nobs1=1000, power=0.8, alpha=0.05, ratio=ratio, alternative=alternative
    )
    # statsmodels solves numerically (root-finder tolerance ~1e-5 relative)
    assert mde.effect == pytest.approx(60 * d, rel=1e-4)


def test_proportion_sample_size_matches_statsmodels_unpooled():
    power = pytest.importorskip("statsmodels.stats.power")
    p0, p1 = 0.70, 0.72
    std = math.sqrt(p0 * (1 - p0) + p1 * (1 - p1))
    n = power.normal_sample_size_one_tail(
        0.02, 0.8, 0.025, std_null=std, std_alternative=std
    )
    plan = cx.sample_size(0.02, kind="proportion", baseline=0.70)
    assert plan.n_control == math.ceil(n)
    rel = cx.sample_size(0.02 / 0.7, kind="proportion", baseline=0.70, relative=True)
    assert rel.n_control == plan.n_control
    mde = cx.minimum_detectable_effect(plan.n_control, kind="proportion", baseline=0.7)
    assert mde.effect == pytest.approx(0.02, rel=1e-3)
    assert mde.effect <= 0.02


def test_sample_size_published_example():
    """Evan Miller's calculator / Kohavi et al. (2020) rule of thumb n = 16 sigma^2 / delta^2.

    With power 0.8 and alpha 0.05 the exact factor is (1.95996 + 0.84162)^2 * 2 = 15.70.
    """
    plan = cx.sample_size(0.05, kind="mean", std=1.0)
    assert plan.n_control == math.ceil(15.6978 / 0.0025 * 1.0) or plan.n_control == 6280
    assert 15.6 * 400 < plan.n_control < 16 * 400


def test_summary_rows_match_scipy_ttest_ind_from_stats():
    stats = pytest.importorskip("scipy.stats")
    state = cx.ExperimentState.from_summary(
        ["new", "control"], n=[1180, 1200], mean=[301.5, 312.0], std=[84.0, 88.0]
    )
    lift = state.compute("control")["new"]
    ref = stats.ttest_ind_from_stats(
        301.5, 84.0, 1180, 312.0, 88.0, 1200, equal_var=False
    )
    assert lift.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert lift.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    assert state.keys.tolist() == ["control", "new"]


def test_summary_rows_equal_unit_data():
    rng = np.random.default_rng(5)
    y = rng.normal(50, 9, 300)
    arms = np.repeat(["a", "b"], 150)
    units = cx.ExperimentState.from_units(y, arms)
    summary = cx.ExperimentState.from_summary(
        ["a", "b"],
        [150, 150],
        [y[:150].mean(), y[150:].mean()],
        [y[:150].std(ddof=1), y[150:].std(ddof=1)],
    )
    np.testing.assert_allclose(summary.sums, units.sums, rtol=1e-12)
    np.testing.assert_allclose(summary.products, units.products, rtol=1e-12)
    flags = (y > 50).astype(int)
    shares = cx.ExperimentState.from_summary(
        ["a", "b"],
        [150, 150],
        [flags[:150].mean(), flags[150:].mean()],
        kind="proportion",
    )
    assert shares == cx.ExperimentState.from_units(flags, arms, kind="proportion")
