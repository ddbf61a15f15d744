"""Real-shaped exports, missing values, and clear errors for bad input."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    CXMetricsError,
    DataWarning,
    IncompatibleStateError,
    InvalidInputError,
    MissingValueError,
    UndefinedMetricWarning,
)


def _export():
    pd = pytest.importorskip("pandas")
    # an export as it arrives: string ids, text arms, durations, nulls, text dates
    return pd.DataFrame(
        {
            "customer_id": [
                "C-001",
                "C-002",
                "C-003",
                "C-004",
                "C-005",
                "C-006",
                "C-007",
                "C-008",
            ],
            "variant": [
                "control",
                "ivr_v2",
                "control",
                "ivr_v2",
                "control",
                "ivr_v2",
                "control",
                "ivr_v2",
            ],
            "assigned_at": ["2026-11-02T09:15:00Z"] * 8,
            "handle_time": pd.to_timedelta(
                ["5m 10s", "4m 02s", None, "3m 55s", "6m", "4m 30s", "5m 40s", "4m 10s"]
            ),
            "resolved": [True, True, False, True, None, True, False, True],
            "nps": [9, 10, 6, None, 3, 9, 8, 10],
            "contacts_before": [2.0, 1.0, 4.0, 0.0, 3.0, 2.0, 5.0, 1.0],
        }
    )


def test_pandas_export_with_timedeltas_and_nulls():
    df = _export()
    with pytest.raises(
        MissingValueError,
        match=r"`values` contains 1 missing value.*index 2.*nan_policy='omit'",
    ):
        cx.experiment(df["handle_time"], df["variant"], control="control")
    res = cx.experiment(
        df["handle_time"], df["variant"], control="control", nan_policy="omit"
    )
    lift = res["ivr_v2"]
    # seconds: control 310, 360, 340; ivr_v2 242, 235, 270, 250
    assert lift.estimate_control == pytest.approx((310 + 360 + 340) / 3)
    assert lift.estimate_arm == pytest.approx((242 + 235 + 270 + 250) / 4)
    assert res.arm_missing.tolist() == [1, 0]
    assert res.arm_count.tolist() == [3, 4]
    assert res.srm.observed.tolist() == [4, 4]  # missing units were still assigned


def test_object_flags_with_none_and_nps_with_nulls():
    df = _export()
    fcr = cx.experiment(
        df["resolved"].to_numpy(object),
        df["variant"],
        control="control",
        kind="proportion",
        nan_policy="omit",
    )["ivr_v2"]
    assert (fcr.estimate_control, fcr.estimate_arm) == pytest.approx((1 / 3, 1.0))
    nps = cx.experiment(
        df["nps"], df["variant"], control="control", kind="nps", nan_policy="omit"
    )["ivr_v2"]
    # control 9, 6, 3, 8 -> (1 - 2)/4 = -25; ivr_v2 10, 9, 10 -> 100
    assert (nps.estimate_control, nps.estimate_arm) == pytest.approx((-25.0, 100.0))
    assert nps.value == pytest.approx(125.0)


def test_polars_columns_and_python_timedeltas():
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(
        {
            "arm": ["a", "b", "a", "b", "a", "b"],
            "wait": [dt.timedelta(minutes=m) for m in (3, 2, 4, 1, 5, 2)],
        }
    )
    lift = cx.experiment(df["wait"], df["arm"], control="a")["b"]
    assert lift.value == pytest.approx(-140.0)  # 4 min vs 5/3 min, in seconds
    lists = cx.experiment(df["wait"].to_list(), df["arm"].to_list(), control="a")["b"]
    assert lists.value == lift.value


def test_integer_and_boolean_arms():
    res = cx.experiment([1.0, 2.0, 3.0, 4.0], [False, True, False, True], control=False)
    assert res.keys.tolist() == [True]
    res = cx.experiment([1.0, 2.0, 3.0, 4.0, 5, 6], [0, 1, 2, 0, 1, 2], control=0)
    assert res.keys.tolist() == [1, 2]
    assert res[2].arm == 2
    assert res[2].control == 0


def test_results_are_frozen_and_inputs_untouched():
    y = np.array([3.0, 4.0, 5.0, 6.0])
    arms = np.array(["a", "a", "b", "b"])
    res = cx.experiment(y, arms, control="a", covariate=np.array([1.0, 2.0, 1.5, 2.5]))
    assert y.tolist() == [3.0, 4.0, 5.0, 6.0]
    with pytest.raises(ValueError, match="read-only"):
        res.value[0] = 1.0
    with pytest.raises(AttributeError):
        res.control = "b"  # type: ignore[misc]
    state = cx.ExperimentState.from_units(y, arms)
    with pytest.raises(ValueError, match="read-only"):
        state.sums[0, 0] = 0
    assert "lift" in str(res)
    assert "<table" in res._repr_html_()
    assert "<table" in res["b"]._repr_html_()
    assert "ExperimentResult with 1 group" in repr(res)
    assert res.to_dict()["value"].tolist() == res.value.tolist()


def test_state_round_trip_and_incompatible_merges():
    s = cx.ExperimentState.from_units(
        [1.0, 2, 3, 4], list("abab"), covariate=[1.0, 1, 2, 2]
    )
    assert cx.ExperimentState.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    with pytest.raises(IncompatibleStateError, match="covariate"):
        s + cx.ExperimentState.from_units([1.0], ["a"])
    with pytest.raises(IncompatibleStateError, match="kind"):
        cx.ExperimentState.from_units([1.0], ["a"]) + cx.ExperimentState.from_units(
            [1], ["a"], kind="proportion"
        )
    with pytest.raises(IncompatibleStateError, match="different types"):
        cx.ExperimentState.from_units([1.0], ["a"]) + cx.ExperimentState.from_units(
            [1.0], [1]
        )
    with pytest.raises(InvalidInputError, match="not a ExperimentState"):
        cx.ExperimentState.from_dict(cx.NPSState.empty().to_dict())
    with pytest.raises(InvalidInputError, match="shape"):
        cx.ExperimentState(
            "mean",
            covariate=False,
            keys=["a"],
            count=[1],
            n_missing=[0],
            sums=[[1.0, 2.0]],
            products=[[[1.0]]],
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kind": "median"}, InvalidInputError, r"`kind` must be one of"),
        ({"test": "student"}, InvalidInputError, r"`test` must be one of"),
        ({"interval": "bootstrap"}, InvalidInputError, r"`interval` must be one of"),
        (
            {"alternative": "two_sided"},
            InvalidInputError,
            r"`alternative` must be one of",
        ),
        (
            {"confidence_level": 95},
            InvalidInputError,
            r"`confidence_level` must lie strictly between 0 and 1; got 95",
        ),
        ({"confidence_level": 0.0}, InvalidInputError, r"strictly between 0 and 1"),
        ({"confidence_level": 1.0}, InvalidInputError, r"strictly between 0 and 1"),
        ({"nan_policy": "drop"}, InvalidInputError, r"`nan_policy` must be one of"),
        ({"tuning": 0}, InvalidInputError, r"`tuning` must be a positive"),
        ({"tuning": "5000"}, TypeError, r"`tuning` must be a positive number"),
        (
            {"srm_threshold": 2},
            InvalidInputError,
            r"`srm_threshold` must lie in \[0, 1\]",
        ),
        ({"interval": "fieller"}, InvalidInputError, r"pass relative=True"),
        (
            {"sequential": True, "alternative": "greater"},
            InvalidInputError,
            r"two-sided",
        ),
        ({"relative": "yes"}, TypeError, r"`relative` must be True or False"),
        (
            {"denominator": [1, 2, 3, 4]},
            InvalidInputError,
            r"only used with kind='ratio'",
        ),
        ({"kind": "ratio"}, InvalidInputError, r"needs `denominator`"),
    ],
)
def test_bad_options_are_named_before_any_pass_over_the_data(kwargs, error, match):
    # the values are not even numbers: options are checked first
    with pytest.raises(error, match=match):
        cx.experiment(
            kwargs.pop("values", ["x", "y"])
            if "denominator" not in kwargs and kwargs.get("kind") != "ratio"
            else [1.0, 2, 3, 4],
            ["a", "b"]
            if "denominator" not in kwargs and kwargs.get("kind") != "ratio"
            else list("abab"),
            control="a",
            **kwargs,
        )


@pytest.mark.parametrize(
    ("values", "arms", "kwargs", "match"),
    [
        (
            [1.0, 2.0, 3.0],
            ["a", "b"],
            {},
            r"`arm` must have the same length as `values` \(3\); got 2",
        ),
        (
            [1.0, 2.0],
            ["a", "b"],
            {"covariate": [1.0]},
            r"`covariate` must have the same length as `values` \(2\); got 1",
        ),
        ([1.0, np.inf], ["a", "b"], {}, r"`values` must be finite; got inf at index 1"),
        (
            [1, 0, 2],
            ["a", "b", "a"],
            {"kind": "proportion"},
            r"0/1 flags.*got 2.0 at index 2",
        ),
        ([10, 11], ["a", "b"], {"kind": "nps"}, r"`values`.*11.*index 1"),
        ([1.0, 2.0], ["a", None], {}, r"`arm`.*missing.*index 1"),
        (
            [1.0, 2.0],
            ["a", "b"],
            {"control": "c"},
            r"`control` 'c' is not an arm; the arms are \['a', 'b'\]",
        ),
        ([1.0, 2.0], ["a", "a"], {}, r"at least one other arm"),
        (
            [1.0, 2.0],
            ["a", "b"],
            {"covariate": [1.0, None]},
            r"`covariate` contains 1 missing value.*index 1",
        ),
        (
            [1.0, 2.0],
            ["a", "b"],
            {"expected_split": [1, 2, 3]},
            r"one weight per arm \(2",
        ),
        (
            [1.0, 2.0],
            ["a", "b"],
            {"expected_split": {"a": 1}},
            r"no weight for arm 'b'",
        ),
        (
            [1.0, 2.0],
            ["a", "b"],
            {"expected_split": {"a": 1, "b": 1, "z": 1}},
            r"names arm 'z'",
        ),
        (
            [1.0, 2.0],
            ["a", "b"],
            {"expected_split": [1, -1]},
            r"positive and finite; got -1.0 for arm 'b' \(index 1\)",
        ),
    ],
)
def test_bad_data_errors_name_argument_value_and_index(values, arms, kwargs, match):
    kwargs = {"control": "a", **kwargs}
    with pytest.raises(CXMetricsError, match=match):
        cx.experiment(values, arms, **kwargs)


def test_empty_control_and_zero_control_mean():
    # an arm with no units at all cannot be named as control (it is not an arm)
    with pytest.raises(InvalidInputError, match="not an arm"):
        cx.experiment([1.0, 2.0], ["b", "c"], control="a")
    with pytest.warns(UndefinedMetricWarning, match="control mean is 0"):
        lift = cx.experiment(
            [0, 0, 0, 1, 0, 1],
            list("aaabbb"),
            control="a",
            kind="proportion",
            relative=True,
        )["b"]
    assert np.isnan(lift.value)
    assert np.isnan(lift.pvalue)
    assert all(np.isnan(lift.confidence_interval()))
    # the absolute lift is defined
    assert cx.experiment(
        [0, 0, 0, 1, 0, 1], list("aaabbb"), control="a", kind="proportion"
    )["b"].value == pytest.approx(2 / 3)


def test_constant_covariate_warns_and_falls_back_to_unadjusted():
    y = [3.0, 4.0, 6.0, 5.0, 7.0, 9.0]
    arms = list("aaabbb")
    with pytest.warns(DataWarning, match="covariate is constant"):
        adj = cx.experiment(y, arms, control="a", covariate=[2.0] * 6)["b"]
    plain = cx.experiment(y, arms, control="a")["b"]
    assert adj.theta == 0.0
    assert adj.value == plain.value
    assert adj.standard_error == plain.standard_error


def test_srm_failure_warns_on_the_result():
    y = np.r_[np.ones(600), np.ones(400)]
    arms = np.repeat(["a", "b"], [600, 400])
    with pytest.warns(DataWarning, match=r"sample ratio mismatch.*\[600, 400\]"):
        res = cx.experiment(y, arms, control="a")
    assert res.srm.failed
    ok = cx.experiment(y, arms, control="a", expected_split={"a": 0.6, "b": 0.4})
    assert not ok.srm.failed
    assert ok.srm.pvalue == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cx.sample_size(0, std=1.0), r"`effect` must be non-zero"),
        (lambda: cx.sample_size(1.0), r"needs `std`"),
        (lambda: cx.sample_size(0.1, kind="proportion"), r"needs `baseline`"),
        (
            lambda: cx.sample_size(0.5, kind="proportion", baseline=0.7),
            r"treated share.*outside \[0, 1\]",
        ),
        (
            lambda: cx.sample_size(
                5, kind="nps", promoter_share=0.7, detractor_share=0.5
            ),
            r"must not exceed 1",
        ),
        (lambda: cx.sample_size(5, kind="nps"), r"needs `promoter_share`"),
        (
            lambda: cx.sample_size(0.1, std=1.0, power=1.2),
            r"`power` must lie in \(0, 1\); got 1.2",
        ),
        (
            lambda: cx.sample_size(0.1, std=1.0, confidence_level=1.5),
            r"`confidence_level`",
        ),
        (
            lambda: cx.sample_size(0.1, std=1.0, covariate_correlation=1.0),
            r"`covariate_correlation` must lie in \(-1, 1\)",
        ),
        (lambda: cx.sample_size(0.1, std=1.0, relative=True), r"non-zero `baseline`"),
        (lambda: cx.sample_size(0.1, std=1.0, arms=1), r"`arms` must be >= 2"),
        (lambda: cx.sample_size(0.1, std=1.0, kind="mode"), r"`kind` must be one of"),
        (lambda: cx.minimum_detectable_effect(1, std=1.0), r"`n_control` must be >= 2"),
        (
            lambda: cx.adjust_pvalues([0.1, 1.2]),
            r"`pvalues` must lie in \[0, 1\]; got 1.2 at index 1",
        ),
        (lambda: cx.adjust_pvalues([0.1], method="fdr"), r"`method` must be one of"),
        (
            lambda: cx.sample_ratio_mismatch([10, -1]),
            r"`counts` must be non-negative; got -1 at index 1",
        ),
        (lambda: cx.sample_ratio_mismatch([10.5, 3]), r"whole numbers"),
        (
            lambda: cx.sample_ratio_mismatch([10, 3], threshold=5),
            r"`threshold` must lie in \[0, 1\]",
        ),
    ],
)
def test_planning_errors(call, match):
    with pytest.raises(CXMetricsError, match=match):
        call()


def test_power_results_behave():
    plan = cx.sample_size(
        0.05,
        kind="mean",
        std=1.0,
        relative=True,
        baseline=2.0,
        arms=3,
        daily_units=1000,
    )
    assert plan.effect == pytest.approx(0.1)
    assert plan.n_total == plan.n_control + 2 * plan.n_treatment
    assert plan.days == np.ceil(plan.n_total / 1000)
    assert "per treatment arm" in str(plan)
    mde = cx.minimum_detectable_effect(
        plan.n_control, kind="mean", std=1.0, baseline=2.0
    )
    assert mde.effect <= 0.1 + 1e-12
    assert mde.relative_effect == pytest.approx(mde.effect / 2)
    down = cx.minimum_detectable_effect(500, std=1.0, alternative="less")
    assert down.effect < 0
    ratio = cx.sample_size(0.01, kind="ratio", std=0.3)
    assert ratio.n_control == cx.sample_size(0.01, kind="mean", std=0.3).n_control


@given(st.data())
def test_survey_states_give_the_same_experiment_as_units(data):
    n = data.draw(st.integers(2, 40))
    arm = np.array(
        data.draw(st.lists(st.sampled_from(["ctl", "b"]), min_size=n, max_size=n))
    )
    nps_scores = np.array(
        data.draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    )
    csat_scores = np.array(
        data.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    )
    ces_scores = np.array(
        data.draw(st.lists(st.integers(1, 7), min_size=n, max_size=n))
    )
    scheme = cx.NPSScheme(promoter_min=8)
    assert cx.ExperimentState.from_survey(
        cx.GroupedNPSState.from_responses(nps_scores, by=arm, scheme=scheme)
    ) == cx.ExperimentState.from_units(nps_scores, arm, kind="nps", scheme=scheme)
    assert cx.ExperimentState.from_survey(
        cx.GroupedCSATState.from_responses(csat_scores, by=arm)
    ) == cx.ExperimentState.from_units(
        (csat_scores >= 4).astype(int), arm, kind="proportion"
    )
    ces = cx.GroupedCESState.from_responses(ces_scores, by=arm)
    assert cx.ExperimentState.from_survey(ces) == cx.ExperimentState.from_units(
        ces_scores.astype(float), arm
    )
    easy = (ces_scores >= 5).astype(int)
    assert cx.ExperimentState.from_survey(
        ces, definition="share"
    ) == cx.ExperimentState.from_units(easy, arm, kind="proportion")


def test_survey_state_errors():
    weighted = cx.GroupedNPSState.from_responses(
        [9, 3], by=["a", "b"], weights=[1.0, 2.0]
    )
    with pytest.raises(InvalidInputError, match="weighted"):
        cx.ExperimentState.from_survey(weighted)
    with pytest.raises(
        TypeError, match="GroupedNPSState, GroupedCSATState or GroupedCESState"
    ):
        cx.ExperimentState.from_survey(cx.NPSState.from_responses([9, 3]))
    with pytest.raises(InvalidInputError, match="`definition` must be one of"):
        cx.ExperimentState.from_survey(
            cx.GroupedCESState.from_responses([5], by=["a"]), definition="median"
        )


def test_experiment_takes_states_and_grouped_survey_states():
    scores = [9, 10, 6, 3, 8, 10, 9, 7, 10, 9, 10, 4]
    who = ["control"] * 6 + ["callback"] * 6
    direct = cx.experiment(scores, who, control="control", kind="nps")
    grouped = cx.GroupedNPSState.from_responses(scores, by=who)
    assert cx.experiment(grouped, control="control") == direct
    state = cx.ExperimentState.from_units(scores, who, kind="nps")
    assert cx.experiment(state, control="control", relative=True) == state.compute(
        "control", relative=True
    )
    with pytest.raises(
        InvalidInputError,
        match=r"already holds the sums per arm; do not pass `arm`, `covariate`",
    ):
        cx.experiment(state, who, control="control", covariate=scores)
    with pytest.raises(InvalidInputError, match="`arm` is required"):
        cx.experiment(scores, control="control")


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((["a", "a"], [1, 2], [1.0, 2.0], [1.0, 1.0]), {}, r"each arm once"),
        (
            (["a", "b"], [1, 2.5], [1.0, 2.0], [1.0, 1.0]),
            {},
            r"`n` must be whole.*2.5 at index 1",
        ),
        (
            (["a", "b"], [1, 2], [1.0], [1.0, 1.0]),
            {},
            r"`mean` must have one value per arm \(2\); got 1",
        ),
        (
            (["a", "b"], [1, 2], [1.0, np.nan], [1.0, 1.0]),
            {},
            r"`mean` must be finite; got nan at index 1",
        ),
        ((["a", "b"], [1, 2], [1.0, 2.0]), {}, r"needs `std`"),
        (
            (["a", "b"], [1, 2], [1.0, 2.0], [1.0, -1.0]),
            {},
            r"`std` must be non-negative; got -1.0 at index 1",
        ),
        (
            (["a", "b"], [1, 2], [0.5, 1.5]),
            {"kind": "proportion"},
            r"shares in \[0, 1\].*1.5 at index 1",
        ),
        (
            (["a", "b"], [1, 2], [0.5, 0.5], [1.0, 1.0]),
            {"kind": "proportion"},
            r"`std` is not used",
        ),
        (
            (["a", "b"], [1, 2], [0.5, 0.5]),
            {"kind": "nps"},
            r"`kind` must be one of \('mean', 'proportion'\)",
        ),
    ],
)
def test_summary_errors(args, kwargs, match):
    with pytest.raises(CXMetricsError, match=match):
        cx.ExperimentState.from_summary(*args, **kwargs)


@pytest.mark.parametrize("sequential", [False, True])
def test_no_variance_gives_p_one_or_zero_not_nan(sequential):
    # regression: Welch df was 0/0 and the p-value NaN when both arms were constant
    same = cx.experiment(
        [4.0, 4, 4, 4], list("aabb"), control="a", sequential=sequential
    )["b"]
    assert same.pvalue == 1.0
    assert same.confidence_interval() == (0.0, 0.0)
    apart = cx.experiment(
        [4.0, 4, 5, 5], list("aabb"), control="a", sequential=sequential
    )["b"]
    assert apart.pvalue == 0.0
    assert apart.value == 1.0


def test_an_arm_whose_units_are_all_missing_is_nan_and_warns():
    with pytest.warns(UndefinedMetricWarning, match=r"\['b'\].*fewer than 2 units"):
        res = cx.experiment(
            [1.0, 2.0, None, None, 3.0, 4.0],
            ["a", "a", "b", "b", "c", "c"],
            control="a",
            nan_policy="omit",
            expected_split=[1, 1, 1],
        )
    assert res.n_arm.tolist() == [0, 2]
    assert np.isnan(res["b"].value)
    assert res["c"].value == pytest.approx(2.0)
    assert res.srm.observed.tolist() == [2, 2, 2]


def test_ratio_arm_with_zero_denominator_is_nan_not_inf():
    with pytest.warns(UndefinedMetricWarning, match="denominator sums to 0"):
        lift = cx.experiment(
            [1.0, 2, 3, 4],
            list("aabb"),
            control="a",
            kind="ratio",
            denominator=[1.0, 1, 0, 0],
        )["b"]
    assert np.isnan(lift.value)
    assert np.isnan(lift.pvalue)
