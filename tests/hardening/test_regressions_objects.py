"""Regression tests of issue #20's open items: wrong objects, ragged input, models, frames.

One test per root cause found by the registries of model predictions
(``registry_models.py``) and ``frames`` front doors (``registry_frames.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

BG = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
PN = cx.ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669)
BB = cx.BGBBModel(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
GG = cx.GammaGammaModel(p=6.25, q=3.74, gamma=15.44)
SBG = cx.SBGModel(alpha=0.668, beta=3.806)


# ragged and nested input: one shared conversion names the argument ------------------


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (SBG.survival, "t"),
        (SBG.churn_probability, "t"),
        (SBG.retention_rate, "t"),
        (lambda t: SBG.discounted_expected_residual_lifetime(0.1, t), "renewals"),
        (BB.expected_purchases, "n_periods"),
        (lambda t: BB.conditional_expected_purchases(t, 1, 2, 6), "n_star"),
    ],
)
def test_ragged_periods_are_a_cxmetrics_error_naming_the_argument(call, name):
    pytest.importorskip("scipy", reason="BG/BB predictions need scipy")
    with pytest.raises(InvalidInputTypeError, match=f"`{name}` must be a number or a"):
        call([[1, 2], [3]])


def test_sbg_renewals_must_be_one_number():
    with pytest.raises(InvalidInputError, match="`renewals` must be a single number"):
        SBG.discounted_expected_residual_lifetime(0.1, [1, 2, 3])


# shapes that do not broadcast are named before any numpy error ------------------------


@pytest.mark.parametrize("model", [BG, PN], ids=["bgnbd", "pareto_nbd"])
def test_a_horizon_of_another_shape_is_refused(model):
    pytest.importorskip("scipy", reason="Pareto/NBD predictions need scipy")
    with pytest.raises(InvalidInputError, match=r"`t` and `frequency` must broadcast"):
        model.conditional_expected_purchases([1.0, 2.0, 3.0], [1, 2], [5, 6], [30, 30])


@pytest.mark.parametrize("model", [BG, PN], ids=["bgnbd", "pareto_nbd"])
def test_clv_spend_of_another_shape_is_refused(model):
    pytest.importorskip("scipy", reason="Pareto/NBD predictions need scipy")
    with pytest.raises(InvalidInputError, match="`monetary_value` and `frequency`"):
        model.customer_lifetime_value([1, 2], [5, 6], [30, 30], [10.0, 20.0, 30.0])


def test_bgbb_n_star_of_another_shape_is_refused():
    pytest.importorskip("scipy", reason="BG/BB predictions need scipy")
    with pytest.raises(InvalidInputError, match="`n_star` and `frequency`"):
        BB.conditional_expected_purchases([1, 2, 3], [1, 2], [2, 3], [6, 6])


# errors name the caller's argument ---------------------------------------------------


def test_bgbb_errors_name_n_periods_not_t():
    pytest.importorskip("scipy", reason="BG/BB needs scipy")
    with pytest.raises(
        InvalidInputError, match="`n_periods` must have the same length"
    ):
        cx.bgbb([1, 2, 0], [3, 5, 0], [10, 10])
    with pytest.raises(
        InvalidInputError, match="`recency` must not exceed `n_periods`"
    ):
        BB.probability_alive(1, 5, 3)


def test_bgbb_predictions_have_the_fit_table_limit():
    pytest.importorskip("scipy", reason="BG/BB needs scipy")
    # once numpy's "invalid value in cast" and a table of 1e308 columns
    with pytest.raises(InvalidInputError, match=r"\(`n_periods` - `recency`\)"):
        BB.probability_alive([1, 2], [1, 2], [1e308, 1e308])


def test_calibration_end_errors_name_calibration_end():
    with pytest.raises(MissingValueError, match="`calibration_end`"):
        cx.calibration_holdout(
            ["a", "b"],
            ["2024-01-01", "2024-02-01"],
            calibration_end=None,
            observation_end="2024-06-01",
        )


@pytest.mark.parametrize("compare", [cx.compare_nps, cx.compare_csat, cx.compare_ces])
def test_compare_errors_name_a_and_b(compare):
    with pytest.raises(InvalidInputError, match="`b` contains 1 missing"):
        compare([1, 2, 3], [1, float("nan")])
    with pytest.raises(InvalidInputError, match="`weights_a`"):
        compare([1, 2, 3], [1, 2], weights_a=[1.0, -1.0, 2.0])


def test_compare_refuses_a_result_of_another_metric():
    with pytest.raises(
        InvalidInputTypeError, match="`a` must be answers or a NPSResult"
    ):
        cx.compare_nps(cx.csat([1, 5, 4]), [9, 10])
    with pytest.raises(
        InvalidInputTypeError, match="`b` must be answers or a CSATResult"
    ):
        cx.compare_csat([1, 5, 4], cx.NPSState.from_responses([9]))


# objects of the wrong kind -------------------------------------------------------------


@pytest.mark.parametrize("model", [GG, cx.BGNBDModel], ids=["spend-model", "class"])
def test_gamma_gamma_clv_refuses_a_model_that_only_looks_right(model):
    # both have a customer_lifetime_value method: once a TypeError from inside
    with pytest.raises(
        InvalidInputTypeError, match="`purchase_model` must be a BG/NBD"
    ):
        GG.customer_lifetime_value(model, 2, 30.0, 38.0, 22.0)


@pytest.mark.parametrize("scheme", [cx.NPSScheme(), "20s", SBG])
def test_contact_metrics_refuses_another_scheme(scheme):
    with pytest.raises(InvalidInputTypeError, match="`scheme` must be a ContactScheme"):
        cx.contact_metrics([1.0, 2.0], [False, True], scheme=scheme)


def test_frames_survey_refuses_another_scheme():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("narwhals")
    from cxmetrics import frames

    df = pd.DataFrame({"score": [10, 9, 3]})
    with pytest.raises(InvalidInputTypeError, match="`scheme` must be a CSATScheme"):
        frames.csat(df, "score", scheme=cx.NPSScheme())  # once an AttributeError
    with pytest.raises(InvalidInputTypeError, match="`scheme` must be a NPSScheme"):
        frames.nps(df, "score", scheme=cx.CSATScheme())  # once "must lie in [1, 5]"


# overflow: no numpy warning, no inf --------------------------------------------------


def test_expected_spend_of_huge_counts_is_the_customer_mean():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = GG.conditional_expected_spend([0, 1e308, 10], [5.0, 20.0, 1e14])
    assert out[0] == pytest.approx(GG.mean_spend)
    assert out[1] == pytest.approx(20.0)
    assert out[2] == pytest.approx(
        6.25 * (15.44 + 10 * 1e14) / (6.25 * 10 + 3.74 - 1.0), rel=1e-12
    )
    # the weighted-mean form equals the textbook one on ordinary inputs
    x, z = np.array([1.0, 5.0, 40.0]), np.array([20.0, 0.0, 7.5])
    textbook = 6.25 * (15.44 + x * z) / (6.25 * x + 3.74 - 1.0)
    np.testing.assert_allclose(
        GG.conditional_expected_spend(x, z), textbook, rtol=1e-14
    )


def test_clv_overflow_and_endless_horizons_are_refused():
    pytest.importorskip("scipy")  # BG/NBD predictions use its special functions
    with pytest.raises(InvalidInputError, match="overflows float64"):
        BG.customer_lifetime_value(2, 30.0, 38.0, 25.0, margin=1e308)
    with pytest.raises(InvalidInputError, match="`step_length`"):
        BG.discounted_expected_transactions(2, 30.0, 38.0, step_length=1e308)
    with pytest.raises(InvalidInputError, match="fewer `steps`"):
        BG.discounted_expected_transactions(2, 30.0, 38.0, step_length=1e30)


def test_rate_interval_overflow_is_refused_without_a_numpy_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError, match="`count` / `exposure` overflows"):
            cx.stats.rate_interval(1e308, 0.5)


def test_sbg_discounted_lifetime_refuses_rates_past_its_series_limit():
    # once a "did not converge" error after 10^7 terms, marked unreachable
    with pytest.raises(
        InvalidInputError, match="`discount_rate` must be 0 or at least"
    ):
        SBG.discounted_expected_lifetime(1e-11)
    assert SBG.discounted_expected_lifetime(1e-5) == pytest.approx(281.354166, rel=1e-6)


# frames and journeys ------------------------------------------------------------------


def test_a_window_of_centuries_does_not_wrap_around():
    t = np.array(["2024-01-01", "2024-02-01", "2024-01-05"], dtype="datetime64[ns]")
    units, events = ["a", "a", "b"], ["cart", "paid", "cart"]
    # 8e9 s = 253 years: t + window once overflowed int64 and lost the conversion
    r = cx.funnel(units, t, events, ["cart", "paid"], window=8e9)
    assert r.reached.tolist() == [2, 1]
    r = cx.funnel(units, [0, 30, 5], events, ["cart", "paid"], window=1e30)
    assert r.reached.tolist() == [2, 1]
    r = cx.funnel(units, t, events, ["cart", "paid"], window=60.0, session_gap=1e300)
    assert r.reached.tolist() == [2, 0]


@pytest.mark.parametrize("by", [3, 2.5, object()])
def test_frames_column_arguments_must_be_names(by):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("narwhals")
    from cxmetrics import frames

    df = pd.DataFrame({"score": [10, 9, 3], "team": list("xxy")})
    with pytest.raises(InvalidInputTypeError, match="`by` must name a column"):
        frames.nps(df, "score", by=by)  # once "'int' object is not iterable"
    with pytest.raises(InvalidInputTypeError, match="`score` must name a column"):
        frames.nps(df, None)  # once a KeyError


def test_dask_frames_check_columns_as_every_engine_does():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    from cxmetrics import frames

    ddf = dd.from_pandas(pd.DataFrame({"score": [10, 9, 3], "t": list("xxy")}), 2)
    with pytest.raises(InvalidInputError, match="`by` names no column"):
        frames.nps(ddf, "score", by=[])  # once StopIteration
    with pytest.raises(InvalidInputError, match="more than once"):
        frames.nps(ddf, "score", by=["t", "t"])  # once polars' DuplicateError
    bad = dd.from_pandas(pd.DataFrame({"score": ["x", "9", "3"]}), 1)
    with pytest.raises(InvalidInputError, match="`score` column 'score'"):
        frames.nps(bad, "score")  # once named `responses`


def test_accumulate_refuses_non_iterables_and_names_states():
    from cxmetrics import frames

    with pytest.raises(InvalidInputTypeError, match="`states` must be an iterable"):
        frames.accumulate(3)
    mixed = [cx.NPSState.from_responses([9]), cx.CSATState.from_responses([5])]
    with pytest.raises(IncompatibleStateError, match="`states`: cannot merge"):
        frames.accumulate(mixed)


def test_agents_required_names_target_service_level():
    with pytest.raises(InvalidInputError, match="`target_service_level` \\(0,\\)"):
        cx.agents_required(
            [1.0, 2.0], aht=60.0, target_service_level=[], threshold=20.0
        )


@pytest.mark.parametrize("scheme", [cx.CSATScheme(), "nps"])
def test_experiment_refuses_another_scheme(scheme):
    # a CSAT scheme once gave "`values` must lie in [1, 5]", a string an AttributeError
    with pytest.raises(InvalidInputTypeError, match="`scheme` must be a NPSScheme"):
        cx.experiment(
            [9, 10, 3, 7], ["a", "b"] * 2, control="a", kind="nps", scheme=scheme
        )


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: cx.cohens_kappa([[1], [2, 3]], [1, 2]), "rater_a"),
        (lambda: cx.key_drivers([1.0, 2.0, 3.0], [[1], [2, 3]]), "drivers"),
    ],
)
def test_voice_ragged_input_names_the_argument(call, name):
    with pytest.raises(InvalidInputTypeError, match=f"`{name}` must be"):
        call()


def test_plot_p_alive_matrix_checks_its_arguments():
    pytest.importorskip("matplotlib")
    from cxmetrics import plot

    with pytest.raises(InvalidInputTypeError, match="`model` must be a BG/NBD"):
        plot.p_alive_matrix(BB, 30.0)  # discrete recency: once a confusing error
    with pytest.raises(InvalidInputTypeError, match="`T` must be a number"):
        plot.p_alive_matrix(BG, None)  # once float(None)
    with pytest.raises(InvalidInputError, match="`max_frequency` must be >= 0"):
        plot.p_alive_matrix(BG, 30.0, max_frequency=-3)  # once an IndexError
    with pytest.raises(InvalidInputTypeError, match="`ax` must be a Axes"):
        plot.p_alive_matrix(BG, 30.0, ax="left")  # once an AttributeError


@pytest.mark.parametrize(
    ("inputs", "error", "match"),
    [
        ({"surveys": BG}, InvalidInputTypeError, "`surveys` must be a dict"),
        ({"surveys": {"month": ["2024-01"]}}, InvalidInputError, r"needs the column"),
        (
            {"surveys": {"nps": [[1], [2, 3]], "month": ["a", "b"]}},
            InvalidInputTypeError,
            r"`surveys\['nps'\]` must be",
        ),
        (
            {"surveys": {"nps": [9, 10, 3], "month": ["a"] * 4}},
            InvalidInputError,
            "`surveys` columns must have one length",
        ),
        ({"transactions": {}}, InvalidInputError, "`transactions` needs"),
        (
            {"tickets": {"ticket": [1]}, "policy": "sla.toml", "as_of": "2024-01-01"},
            InvalidInputTypeError,
            "`policy` must be a SLAPolicy",
        ),
    ],
)
def test_report_tables_are_checked_before_any_section(inputs, error, match):
    from cxmetrics.report import build_report

    # once AttributeError, KeyError, IndexError or numpy errors from a section
    with pytest.raises(error, match=match):
        build_report(**inputs)


def test_state_constructors_refuse_objects_of_the_wrong_kind():
    with pytest.raises(InvalidInputTypeError, match="`targets` must be a SLATargets"):
        cx.SLAComplianceState.from_targets(BG)  # once an AttributeError
    with pytest.raises(InvalidInputTypeError, match="`arm` must hold labels"):
        cx.ExperimentState.from_summary(
            [None, None], [10, 20], [0.5, 0.4], kind="proportion"
        )  # once numpy's "'<' not supported"


# experiments, journeys, voice ------------------------------------------------------------


def test_a_control_that_is_not_one_label_is_not_an_arm():
    # once numpy's "operands could not be broadcast" from comparing keys to a list
    with pytest.raises(InvalidInputError, match="`control`"):
        cx.experiment([1.0, 2.0, 3.0, 4.0], ["a", "b"] * 2, control=["a", "b", "c"])


def test_time_to_convert_with_steps_nobody_reaches_is_an_empty_curve():
    with pytest.warns(cx.exceptions.UndefinedMetricWarning):
        km = cx.time_to_convert(  # once an IndexError
            ["a", "a", "b"], [0, 30, 5], ["cart", "paid", "cart"], [1, 2], window=60
        )
    assert km.n == 0


def test_time_to_convert_checks_as_of():
    args = (["a", "a", "b"], [0, 30, 5], ["cart", "paid", "cart"], ["cart", "paid"])
    with pytest.raises(InvalidInputError, match="`as_of` must be finite"):
        cx.time_to_convert(*args, window=60, as_of=float("nan"))  # named `durations`
    km = cx.time_to_convert(*args, window=60, as_of=10**30)  # once an OverflowError
    assert km.n == 2


def test_voice_and_experiment_scalars_are_checked():
    y = [0.4, 0.3, 0.2, 0.25, 0.35]
    with pytest.raises(InvalidInputTypeError, match="`variances`"):
        cx.james_stein(y, "0.01")  # once float('0.01') or a ValueError
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = cx.james_stein(y, 1e308)  # once an overflow warning
    assert np.isfinite(res.value).all()
    with pytest.raises(InvalidInputTypeError, match="`pvalues`"):
        cx.adjust_pvalues(["a", None])  # once numpy's "could not convert"
    with pytest.warns(cx.exceptions.UndefinedMetricWarning):
        srm = cx.sample_ratio_mismatch([])  # once a silent NaN
    assert np.isnan(srm.value)


def test_adding_a_state_to_another_kind_of_object_is_a_clear_error():
    state = cx.NPSState.from_responses([9, 10, 3])
    for other in (cx.BGNBDModel(r=0.24, alpha=4.4, a=0.79, b=2.4), 5, "x", 1.0, True):
        with pytest.raises(InvalidInputTypeError, match="only states of the same type"):
            state + other
        with pytest.raises(InvalidInputTypeError, match="only states of the same type"):
            other + state
    assert sum([state, state]) == state + state
    assert state + 0 == state


def test_build_report_checks_extra_sections_before_any_section():
    pytest.importorskip("matplotlib")  # the report draws its charts
    from cxmetrics.report import build_report

    surveys = {"nps": [9, 10, 3, 7], "month": ["2024-01"] * 4}
    for bad in (
        "<p>x</p>",
        [("id", "heading")],
        [("", "h", ["<p>x</p>"])],
        [("id", "h", "<p>not a list</p>")],
        [("id", "h", [1])],
        {"a": 1},
    ):
        with pytest.raises(InvalidInputTypeError, match="extra_sections"):
            build_report(surveys=surveys, extra_sections=bad)
    html = build_report(
        surveys=surveys, extra_sections=[("more", "More", ["<p>hi</p>"])]
    )
    assert "<p>hi</p>" in html
    assert "More" in html


def test_empty_grouped_frames_result_keeps_the_key_column_kind():
    pl = pytest.importorskip("polars")
    pytest.importorskip("narwhals")
    from cxmetrics import frames

    df = pl.DataFrame(
        {
            "score": pl.Series([], dtype=pl.Int64),
            "region": pl.Series([], dtype=pl.Utf8),
            "when": pl.Series([], dtype=pl.Datetime("us")),
        }
    )
    for frame in (df, df.lazy()):
        out = frames.nps(frame, "score", by=["region", "when"])
        schema = out.collect_schema() if hasattr(out, "collect_schema") else out.schema
        assert schema["region"] == pl.String
        assert schema["when"].base_type() == pl.Datetime
        assert schema["value"] == pl.Float64


def test_bgnbd_expectation_past_float_precision_is_refused_not_inf():
    pytest.importorskip("scipy")  # BG/NBD predictions use its special functions
    m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.5, b=2.426)
    assert np.isfinite(m.expected_purchases(1e15))
    with pytest.raises(InvalidInputError, match=r"`t` = 1e\+19 \(at flat index 1\)"):
        m.expected_purchases([1.0, 1e19])
