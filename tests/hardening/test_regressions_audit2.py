"""Regressions of the second audit (issue #20: "rerun on cases you have not seen").

One test per root cause found by feeding every registered callable input classes
the first registry did not draw: numpy timedelta64 and pandas nullable values,
subnormal and huge magnitudes, lists where the two-sample blocks take numbers,
unreadable files, and the callables the first registry missed.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics import stats
from cxmetrics.exceptions import (
    CXMetricsError,
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)

# numpy counts timedelta64 as an integer: it passed the number checks -------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda v: cx.SBGModel(v, 1.0),  # _core.fit.parameters
        cx.proportion_sample_size,  # _core.sample_size
        lambda v: cx.p_chart([1, 2], [10, 10], sigmas=v),
        lambda v: cx.sample_ratio_mismatch([50, 50], threshold=v),  # check_probability
        lambda v: cx.churn_rate(v, 100),  # check_positive_int
        lambda v: cx.stats.chi_square_pvalue(3.0, v),
    ],
)
def test_a_timedelta64_is_not_a_number(call):
    with pytest.raises(CXMetricsError):
        call(np.timedelta64(30, "s"))


def test_a_timedelta64_scalar_where_durations_go_is_named():
    with pytest.raises(CXMetricsError, match="`durations`"):
        cx.kaplan_meier(np.timedelta64(30, "s"), [True])
    with pytest.raises(CXMetricsError, match="`values`"):
        cx.experiment(np.timedelta64(30, "s"), ["a"], control="a")


# pandas.NA in an object array broke numpy comparisons ----------------------------------


def test_nullable_text_columns_with_na_are_missing_values_not_type_errors():
    pd = pytest.importorskip("pandas")
    sched = pd.array([None, "phone", "break"], dtype="string")
    with pytest.raises(CXMetricsError, match="`scheduled` has a missing value"):
        cx.adherence(sched, ["phone", "phone", "break"])
    res = cx.adherence(sched, ["phone", "phone", "break"], nan_policy="omit")
    assert res.n_missing == 1
    days = pd.array([None, "2024-02-01", "2024-03-01"], dtype="string")
    with pytest.raises(CXMetricsError, match="`instants`"):
        cx.rfm_summary(["a", "a", "b"], days, observation_end="2024-06-01")


# values whose squares overflow a variance; subnormal divisors ---------------------------


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: cx.forecast_accuracy([1e200, 2, 3], [1, 2, 3]), "actual"),
        (lambda: cx.james_stein([1e200, 0.5, 0.4, 0.3], 0.01), "estimates"),
        (lambda: cx.contact_metrics([1e200, 2, 3], [False, False, True]), "wait"),
        (lambda: cx.experiment([1e200, 2, 3, 4], list("abab"), control="a"), "values"),
    ],
)
def test_values_whose_squares_overflow_are_refused_up_front(call, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow warning leaks
        with pytest.raises(InvalidInputError, match=f"`{name}` must be at most 1e"):
            call()


def test_subnormal_divisors_give_a_value_or_a_named_error_not_a_crash():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert cx.expected_lifetime(5e-324) == math.inf  # as churn 0 gives
        with pytest.raises(InvalidInputError, match="`discount_rate`"):
            cx.SBGModel(1.0, 1.0).discounted_expected_lifetime(discount_rate=5e-324)
        with pytest.raises(InvalidInputError, match=r"`effect`.*too small"):
            cx.sample_size(5e-324, kind="proportion", baseline=0.3)
        res = cx.agents_required(
            5.0, aht=5e-324, target_service_level=0.8, threshold=20
        )
        assert res.agents >= 1
        with pytest.raises(InvalidInputError, match="`df`"):
            cx.stats.t_critical_value(0.95, 5e-324)
        with pytest.raises(InvalidInputError, match="`df` is too small"):
            cx.stats.t_critical_value(0.95, 1e-3)  # the quantile was inf, silently
    with pytest.warns(UndefinedMetricWarning, match="MAPE is infinite"):
        acc = cx.forecast_accuracy([5e-324, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert acc.mape == math.inf


# BG/NBD predictions at large a, b were -inf, silently ------------------------------------


def test_bgnbd_predictions_with_large_a_and_b_are_finite_and_continuous():
    pytest.importorskip("scipy")  # the hypergeometric function of the purchase models
    f, r, t = [0, 1, 2, 5], [0.0, 10.0, 20.0, 30.0], [40.0, 40.0, 35.0, 40.0]
    values = []
    for k in (1e3, 1e6):  # 1e6: the transformed 2F1 overflowed to -inf
        m = cx.BGNBDModel(2.299, 44.94, 1.661 * k, 15.34 * k)
        values.append(np.asarray(m.conditional_expected_purchases(10, f, r, t)))
        e = np.asarray(m.expected_purchases([1, 10, 100]))
        assert np.all(np.isfinite(e))
        assert np.all(e > 0)
    assert np.all(np.isfinite(values[1]))
    np.testing.assert_allclose(values[1], values[0], rtol=1e-3)


# the two-sample stats blocks took lists, arrays and inf --------------------------------


def test_two_sample_blocks_check_their_summaries():
    with pytest.raises(InvalidInputTypeError, match="`mean_a` must be a single"):
        stats.mean_difference([1, 2], 1, 10, 2, 1, 10, n_a=10, n_b=10)
    with pytest.raises(InvalidInputError, match="`mean_b` must be a finite"):
        stats.mean_difference(1, 1, 10, math.inf, 1, 10, n_a=10, n_b=10)
    with pytest.raises(InvalidInputError, match="overflows a float"):
        stats.mean_difference(1, 1e308, 1, 2, 1e308, 1, n_a=1, n_b=1)
    with pytest.raises(InvalidInputTypeError, match="`nobs_a`"):
        stats.proportion_difference(1, [10, 20], 2, 10, n_a=10, n_b=10)
    with pytest.raises(InvalidInputTypeError, match="`pos_b`"):
        stats.net_score_difference(1, 1, 10, "2", 1, 10, n_a=10, n_b=10)
    with pytest.raises(InvalidInputError, match="`p_pos` must lie in"):
        stats.net_score_variance(math.inf, 0.2)
    with pytest.raises(InvalidInputError, match="`delta` must lie in"):
        stats.restricted_mle(5, 2, 10, 3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        pp, pn = stats.restricted_mle(5e307, 2e307, 1e308, 0.3)  # 2n overflowed
    np.testing.assert_allclose([float(pp), float(pn)], [0.5, 0.2], rtol=1e-12)
    with pytest.raises(InvalidInputError, match="`weight_sums` must be finite"):
        stats.paired_difference(
            np.array([-1.0, 1.0]),
            np.array([1.0, -2.0]),
            5.0,
            n=3,
            estimate_a=0.5,
            estimate_b=0.4,
            kind="proportion",
            test="z",
        )


def test_the_welch_df_does_not_overflow_with_large_variances():
    # (va + vb)^2 overflowed although the degrees of freedom are moderate
    big = stats.mean_difference(0, 1e160, 10, 1, 1e160, 10, n_a=10, n_b=10)
    small = stats.mean_difference(0, 1.0, 10, 1e-80, 1.0, 10, n_a=10, n_b=10)
    assert big.df == pytest.approx(small.df, rel=1e-12)
    assert big.df == pytest.approx(18.0, rel=1e-12)


# scalar options checked as numbers, once ------------------------------------------------


def test_scalar_options_are_single_numbers():
    with pytest.raises(InvalidInputError, match="`per` must be a single number"):
        cx.u_chart([1, 2], [10.0, 10.0], per=[1, 2])
    with pytest.raises(InvalidInputError, match="`interval_length` must be a single"):
        cx.staff_requirements(
            [10, 20],
            interval_length=[1, 2],
            aht=60,
            target_service_level=0.8,
            threshold=20,
        )
    with pytest.raises(
        InvalidInputError, match=r"`starts` must lie in \[0, 9.0072e\+15\]"
    ):
        cx.shift_patterns(1e300, 8, periods_per_day=24)  # cast to int64 leaked
    with pytest.raises(InvalidInputError, match="`starts` is empty"):
        cx.shift_patterns([], [], periods_per_day=24)


def test_errors_name_the_arguments_a_derived_quantity_comes_from():
    with pytest.raises(InvalidInputError, match="`volumes` x `aht`"):
        cx.staff_requirements(
            [10], interval_length=1800, aht=1e30, target_service_level=0.8, threshold=20
        )
    with pytest.raises(InvalidInputError, match=r"`effect`.*`baseline`"):
        cx.sample_size(-1.0, kind="proportion", baseline=0.3)
    with pytest.raises(InvalidInputError, match="`rater_a`/`rater_b`"):
        cx.cohens_kappa([1, None, 2], [1, 2, 2])
    with pytest.raises(InvalidInputError, match="`std`"):
        cx.minimum_detectable_effect(100, std=1e300)
    with pytest.raises(InvalidInputError, match="`ratio`"):
        cx.minimum_detectable_effect(100, std=1.0, ratio=1e300)


def test_handle_time_and_qa_scores_check_their_tables():
    t = np.array(["2024-01-08T09:00", "2024-01-08T13:00"], dtype="datetime64[s]")
    with pytest.raises(CXMetricsError, match="`ticket`"):
        cx.handle_time(None, t, t)
    with pytest.raises(CXMetricsError, match="`ticket`"):
        cx.handle_time(["a", None], t, t)
    with pytest.raises(InvalidInputError, match="`scores` must be a table"):
        cx.qa_scores([[1, 2], [3]], [5, 5])


def test_read_policy_names_the_path_for_every_unreadable_file(tmp_path):
    from cxmetrics.support import read_policy

    with pytest.raises(InvalidInputTypeError, match="`path` must be a str"):
        read_policy(None)
    (tmp_path / "folder.toml").mkdir()
    latin = tmp_path / "latin.toml"
    latin.write_bytes("[targets.h\xe9]\nresolution = 1\n".encode("latin-1"))
    for path, what in ((tmp_path / "folder.toml", "cannot be read"), (latin, "UTF-8")):
        with pytest.raises(InvalidInputError, match=f"`path` .*{what}"):
            read_policy(path)


# results that failed as a whole on valid data -------------------------------------------


def test_a_grouped_rating_interval_with_an_empty_group_is_nan_not_an_error():
    with pytest.warns(UndefinedMetricWarning):
        res = cx.ces([np.nan, np.nan, 3, 4], by=["a", "a", "b", "b"], nan_policy="omit")
    ci = res.confidence_interval()  # df = n - 1 = -1 was refused by mean_interval
    assert math.isnan(ci.low[0])
    assert np.isfinite(ci.low[1])


def test_the_report_of_one_month_or_few_answers_says_so_instead_of_failing():
    pytest.importorskip("matplotlib")
    from cxmetrics import report
    from cxmetrics.datasets import load_sample_survey

    s = load_sample_survey()
    first = s["month"] == np.sort(s["month"])[0]
    one_month = {k: v[first][:40] for k, v in s.items()}
    page = report.build_report(surveys=one_month)
    assert "Control charts need at least two months" in page
    few = {k: v[:2] for k, v in s.items()}
    assert "Key drivers of NPS not shown" in report.build_report(surveys=few)
    with pytest.raises(InvalidInputTypeError, match="`events`"):
        report.funnel_section(None, ["a"], window=10)


def test_plot_funnel_plot_checks_its_options():
    pytest.importorskip("matplotlib")
    from cxmetrics import plot

    res = cx.james_stein([0.7, 0.8, 0.9, 0.75], 0.01)
    with pytest.raises(InvalidInputError, match="`sigmas`"):
        plot.funnel_plot(res, sigmas=(-1.0,))
    with pytest.raises(CXMetricsError, match="`shrunk`"):
        plot.funnel_plot(res, shrunk=np.array([1.0, 2.0]))
