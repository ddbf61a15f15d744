"""Kaplan-Meier curves and the event-table state: worked examples, oracle, properties, errors."""

from __future__ import annotations

import functools
import json
import math
import operator
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
    UndefinedMetricWarning,
)
from reference import kaplan_meier_reference
from strategies import split_points

# ----------------------------------------------------------------- strategies


@st.composite
def survival_data(draw, *, max_size=40, late_entry=None, whole=None):
    n = draw(st.integers(1, max_size))
    if whole is None:
        whole = draw(st.booleans())
    if whole:
        durations = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    else:
        durations = draw(
            st.lists(
                st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)),
                min_size=n,
                max_size=n,
            )
        )
    d = np.asarray(durations, dtype=np.float64)
    events = np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    if late_entry is None:
        late_entry = draw(st.booleans())
    if not late_entry:
        return d, events, None
    fractions = np.asarray(
        draw(
            st.lists(
                st.sampled_from([0.0, 0.0, 0.25, 0.5, 0.9]), min_size=n, max_size=n
            )
        )
    )
    entry = np.floor(d * fractions * 4) / 4
    entry = np.where(entry >= d, 0.0, entry)
    return d, events, entry


# -------------------------------------------------------------- worked examples


def test_worked_example_by_hand():
    # 10 customers, months to churn; 0 = still active (censored)
    # t=1: 10 at risk, 1 churns -> 9/10; t=3: 9 at risk, 1 churns (1 censored) -> 0.8
    # t=4: 7 at risk, 1 -> 0.8 * 6/7; t=6: 6 at risk, 1 (2 censored) -> * 5/6; t=9: 3, 1
    months = [1, 3, 3, 4, 6, 6, 6, 9, 12, 12]
    churned = [1, 1, 0, 1, 1, 0, 0, 1, 0, 0]
    res = cx.kaplan_meier(months, churned)
    assert res.time.tolist() == [1, 3, 4, 6, 9, 12]
    assert res.at_risk.tolist() == [10, 9, 7, 6, 3, 2]
    assert res.events.tolist() == [1, 1, 1, 1, 1, 0]
    assert res.censored.tolist() == [0, 1, 0, 2, 0, 2]
    expected = [0.9, 0.8, 0.8 * 6 / 7, 0.8 * 6 / 7 * 5 / 6, 0.8 * 6 / 7 * 5 / 6 * 2 / 3]
    np.testing.assert_allclose(res.survival[:5], expected, rtol=1e-15)
    # Greenwood: S^2 * sum d/(n(n-d))
    g = 1 / (10 * 9) + 1 / (9 * 8)
    assert res.standard_error[1] == pytest.approx(0.8 * math.sqrt(g), rel=1e-14)
    assert res.median == 9.0
    assert (res.n, res.n_events, res.n_missing) == (10, 5, 0)


def test_state_api_equals_function():
    d, e = [5, 3, 3, 9, 1], [1, 0, 1, 1, 0]
    state = cx.SurvivalState.from_durations(d, e)
    assert state.compute() == cx.kaplan_meier(d, e)
    assert state.nelson_aalen() == cx.nelson_aalen(d, e)
    assert state.n == 5
    assert state.n_events == 3
    # the table starts at the origin, where everyone enters
    assert state.times.tolist() == [0, 1, 3, 5, 9]
    assert state.at_risk.tolist() == [5, 5, 4, 2, 1]


def test_median_rule_midpoint_on_a_flat():
    # S = .75, .5, .25, 0: the curve lies on 0.5 between 2 and 3 -> 2.5 (R);
    # lifelines reports the first time S <= 0.5, i.e. 2
    res = cx.kaplan_meier([1, 2, 3, 4])
    assert res.median == 2.5
    assert res.quantile(0.25) == 1.5
    assert res.quantile(0.0) == 0.0
    assert res.quantile(1.0) == 4.0
    assert cx.kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0]).median == math.inf


def test_survival_at_is_vectorised_step_function():
    res = cx.kaplan_meier([3, 5, 5, 8, 10], [1, 1, 0, 1, 0])
    np.testing.assert_allclose(
        res.survival_at([0, 3, 4.5, 9, 100, -1]), [1.0, 0.8, 0.8, 0.3, 0.3, 1.0]
    )
    assert res.survival_at(5) == pytest.approx(0.6)
    assert isinstance(res.survival_at(5), float)
    assert np.isnan(res.survival_at([np.nan])).all()
    assert res.survival_at(np.array([[3.0, 8.0]])).shape == (1, 2)


def test_restricted_mean_by_hand():
    # S = 1 on [0, 2), 0.75 on [2, 4), 0.5 on [4, 6]: 2 + 1.5 + 1 = 4.5
    res = cx.kaplan_meier([2, 4, 4, 7], [1, 1, 0, 1])
    rm = res.restricted_mean(6)
    assert rm.value == 4.5
    # areas after t=2: 1.5 + 1 = 2.5, after t=4: 1; terms 1/(4*3), 1/(3*2)
    assert rm.standard_error == pytest.approx(math.sqrt(2.5**2 / 12 + 1 / 6), rel=1e-14)
    assert res.restricted_mean(1).value == 1.0
    assert res.restricted_mean(1).standard_error == 0.0
    # carried past the last time (S = 0 after 7): 4.5 + 0.5 + 0.5 + 0 ...
    assert res.restricted_mean(100).value == pytest.approx(2 + 1.5 + 1.5)
    low, high = rm.confidence_interval()
    assert 0 <= low <= rm.value <= high <= 6


def test_bands_methods_and_edges():
    res = cx.kaplan_meier([1, 1, 2, 3, 3, 4], [0, 1, 1, 1, 0, 1])
    for method in ("log-log", "log", "plain"):
        band = res.confidence_interval(0.9, method=method)
        assert np.all(band.low <= res.survival + 1e-15)
        assert np.all(band.high >= res.survival - 1e-15)
    # S = 0 at the end: the variance is infinite, the band is [0, 1]
    band = res.confidence_interval()
    assert res.survival[-1] == 0
    assert (band.low[-1], band.high[-1]) == (0.0, 1.0)
    assert np.isnan(res.standard_error[-1])
    assert res.greenwood[-1] == math.inf
    # before the first event, S = 1 with zero variance: [1, 1]
    res = cx.kaplan_meier([1, 2, 3], [0, 1, 1])
    band = res.confidence_interval()
    assert (band.low[0], band.high[0]) == (1.0, 1.0)
    wider = res.confidence_interval(0.99)
    assert np.all(wider.low <= band.low)
    assert np.all(wider.high >= band.high)


def test_late_entry_risk_sets():
    # entering at 2 -> not at risk for the event at 2 (R's (start, stop] convention)
    res = cx.kaplan_meier([2, 5, 4], [1, 1, 1], entry=[0, 2, 1])
    assert res.time.tolist() == [2, 4, 5]
    assert res.at_risk.tolist() == [2, 2, 1]
    np.testing.assert_allclose(res.survival, [0.5, 0.25, 0.0])
    # entry all 0 is the same as no entry, also for durations of 0
    d, e = [0, 0, 3, 5], [1, 0, 1, 0]
    assert cx.kaplan_meier(d, e, entry=[0, 0, 0, 0]) == cx.kaplan_meier(d, e)
    assert cx.kaplan_meier(d, e).at_risk.tolist() == [4, 2, 1]


def test_omit_missing_rows():
    res = cx.kaplan_meier([3, np.nan, 5, 6], [1, 1, np.nan, 0], nan_policy="omit")
    assert (res.n, res.n_missing) == (2, 2)
    assert res == cx.kaplan_meier([3, 6], [1, 0]).__class__(
        **{**_fields(cx.kaplan_meier([3, 6], [1, 0])), "n_missing": 2}
    )
    res = cx.kaplan_meier([3, 4], [1, 1], entry=[None, 1], nan_policy="omit")
    assert (res.n, res.n_missing) == (1, 1)


def _fields(res):
    import attrs

    return {f.name: getattr(res, f.name) for f in attrs.fields(type(res))}


def test_inputs_never_mutated_and_types_accepted():
    d = np.array([3.0, 1.0, 2.0])
    e = np.array([1, 0, 1])
    en = np.array([0.0, 0.5, 1.0])
    d0, e0, en0 = d.copy(), e.copy(), en.copy()
    cx.kaplan_meier(d, e, entry=en)
    cx.logrank_test(d, e, by=[1, 2, 2], entry=en)
    np.testing.assert_array_equal(d, d0)
    np.testing.assert_array_equal(e, e0)
    np.testing.assert_array_equal(en, en0)
    as_bool = cx.kaplan_meier([3, 1, 2], [True, False, True])
    assert as_bool == cx.kaplan_meier([3, 1, 2], [1.0, 0.0, 1.0])
    assert as_bool == cx.kaplan_meier(np.array([3, 1, 2], dtype=np.int32), [1, 0, 1])


def test_empty_input_warns_and_gives_nan():
    with pytest.warns(UndefinedMetricWarning, match="zero subjects"):
        res = cx.kaplan_meier([])
    assert res.n == 0
    assert res.time.size == 0
    assert math.isnan(res.median)
    assert math.isnan(res.survival_at(3.0))
    assert math.isnan(res.restricted_mean(5).value)
    assert all(math.isnan(b) for b in res.median_interval())
    with pytest.warns(UndefinedMetricWarning):
        assert cx.SurvivalState.empty().compute().n == 0
    with pytest.warns(UndefinedMetricWarning):
        assert cx.nelson_aalen([]).n == 0


def test_str_and_repr_are_one_line():
    res = cx.kaplan_meier([3, 5, 5, 8], [1, 1, 0, 1])
    # S = 0.75, then 0.5 from 5 until the next event at 8: the median is 6.5
    assert repr(res) == "KaplanMeierResult(n=4, n_events=3, times=3, median=6.5)"
    assert str(res).startswith("Kaplan-Meier curve: n=4, events=3, median 6.5 (95% CI")
    with pytest.warns(UndefinedMetricWarning):
        assert str(cx.kaplan_meier([])) == "Kaplan-Meier curve undefined (n=0)"


def test_to_dict_and_pandas():
    res = cx.kaplan_meier([3, 5, 5, 8], [1, 1, 0, 1])
    cols = res.to_dict()
    np.testing.assert_array_equal(cols["survival"], res.survival)
    np.testing.assert_array_equal(cols["ci_low"], res.confidence_interval().low)
    pd = pytest.importorskip("pandas")
    frame = res.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["time"]) == [3.0, 5.0, 8.0]


# ------------------------------------------------------------------- oracle


@given(survival_data())
def test_matches_exact_oracle(data):
    d, e, en = data
    res = cx.kaplan_meier(d, e, entry=en)
    ref = kaplan_meier_reference(
        d.tolist(), e.tolist(), None if en is None else en.tolist()
    )
    assert res.time.tolist() == list(ref)
    assert res.at_risk.tolist() == [v[0] for v in ref.values()]
    assert res.events.tolist() == [v[1] for v in ref.values()]
    np.testing.assert_allclose(
        res.survival, [float(v[2]) for v in ref.values()], rtol=1e-12, atol=1e-15
    )


# --------------------------------------------------------------- properties


@given(survival_data())
def test_curve_is_non_increasing_in_unit_interval_and_inside_its_bands(data):
    d, e, en = data
    res = cx.kaplan_meier(d, e, entry=en)
    s = res.survival
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) <= 0)
    for method in ("log-log", "log", "plain"):
        band = res.confidence_interval(method=method)
        assert np.all(band.low <= s * (1 + 1e-12) + 1e-300)
        assert np.all(band.high >= s * (1 - 1e-12))
        assert np.all((band.low >= 0) & (band.high <= 1))


@given(survival_data(late_entry=False))
def test_all_censored_means_survival_one(data):
    d, _, _ = data
    res = cx.kaplan_meier(d, np.zeros(d.size, dtype=bool))
    assert np.all(res.survival == 1.0)
    assert res.median == math.inf


@given(survival_data(late_entry=False))
def test_no_censoring_is_one_minus_ecdf(data):
    d, _, _ = data
    res = cx.kaplan_meier(d)
    ecdf = np.searchsorted(np.sort(d), res.time, side="right") / d.size
    np.testing.assert_allclose(res.survival, 1.0 - ecdf, atol=1e-12)
    # the quantile rule is then the averaged inverted-CDF sample quantile
    for p in (0.25, 0.5, 0.75):
        expected = np.quantile(d, p, method="averaged_inverted_cdf")
        assert res.quantile(p) == pytest.approx(expected, abs=1e-9)
    # and the restricted mean at the largest duration is the sample mean
    if d.max() > 0:
        assert res.restricted_mean(d.max()).value == pytest.approx(d.mean(), rel=1e-12)


@given(survival_data(), st.floats(0.1, 150))
def test_restricted_mean_between_zero_and_tau(data, tau):
    d, e, en = data
    rm = cx.kaplan_meier(d, e, entry=en).restricted_mean(tau)
    assert 0 <= rm.value <= tau * (1 + 1e-12)
    assert rm.standard_error >= 0


@given(survival_data(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(data, rnd):
    d, e, en = data
    perm = list(range(d.size))
    rnd.shuffle(perm)
    a = cx.SurvivalState.from_durations(d, e, entry=en)
    p = np.asarray(perm)
    b = cx.SurvivalState.from_durations(d[p], e[p], entry=None if en is None else en[p])
    assert a == b


# ----------------------------------------------------------------- merge laws


@given(survival_data(), st.data())
def test_event_table_of_concatenation_is_merged_tables(data, draw):
    d, e, en = data
    cuts = draw.draw(split_points(d.size))
    parts = [
        cx.SurvivalState.from_durations(dc, ec, entry=None if en is None else enc)
        for dc, ec, enc in zip(
            np.split(d, cuts),
            np.split(e, cuts),
            np.split(d if en is None else en, cuts),
            strict=True,
        )
    ]
    merged = functools.reduce(operator.add, parts, cx.SurvivalState.empty())
    whole = cx.SurvivalState.from_durations(d, e, entry=en)
    assert merged == whole
    assert merged.compute() == whole.compute()
    assert sum(parts) == whole
    assert cx.SurvivalState.merge_all(parts) == whole
    assert cx.SurvivalState.merge_all([]) == cx.SurvivalState.empty()


@given(survival_data(), survival_data(), survival_data())
def test_identity_associativity_commutativity(x, y, z):
    a, b, c = (
        cx.SurvivalState.from_durations(d, e, entry=en) for d, e, en in (x, y, z)
    )
    empty = cx.SurvivalState.empty()
    assert a + empty == a == empty + a
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@given(survival_data())
def test_dict_json_pickle_round_trip(data):
    d, e, en = data
    s = cx.SurvivalState.from_durations(d, e, entry=en)
    assert cx.SurvivalState.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    assert pickle.loads(pickle.dumps(s)) == s


def test_state_is_read_only_and_checked():
    s = cx.SurvivalState.from_durations([1, 2], [1, 0])
    with pytest.raises(ValueError, match="read-only"):
        s.events[0] = 5
    with pytest.raises(InvalidInputError, match="more subjects than are at risk"):
        cx.SurvivalState([0.0, 1.0], [1, 0], [0, 2], [0, 0])
    with pytest.raises(InvalidInputError, match="strictly increasing"):
        cx.SurvivalState([1.0, 0.0], [1, 0], [0, 1], [0, 0])
    with pytest.raises(InvalidInputError, match="must have shape"):
        cx.SurvivalState([0.0, 1.0], [1, 0], [0, 1, 0], [0, 0])
    with pytest.raises(InvalidInputError, match="describes a 'NPSState'"):
        cx.SurvivalState.from_dict(cx.NPSState.empty().to_dict())
    with pytest.raises(IncompatibleStateError, match="cannot merge"):
        s.merge(cx.NPSState.empty())  # type: ignore[arg-type]


# ------------------------------------------------------------------- grouped


@given(survival_data(), st.data())
def test_grouped_state_per_group_equals_scalar_state(data, draw):
    d, e, en = data
    g = np.asarray(
        draw.draw(
            st.lists(st.sampled_from(["x", "y", "z"]), min_size=d.size, max_size=d.size)
        )
    )
    grouped = cx.GroupedSurvivalState.from_durations(d, g, e, entry=en)
    for key in grouped.keys:
        m = g == key
        scalar = cx.SurvivalState.from_durations(
            d[m], e[m], entry=None if en is None else en[m]
        )
        assert grouped[key] == scalar
    # merging grouped states of two halves equals the whole
    cut = d.size // 2
    halves = [
        cx.GroupedSurvivalState.from_durations(
            d[sl], g[sl], e[sl], entry=None if en is None else en[sl]
        )
        for sl in (slice(0, cut), slice(cut, None))
        if d[sl].size
    ]
    merged = functools.reduce(operator.add, halves, cx.GroupedSurvivalState.empty())
    assert merged.keys.tolist() == grouped.keys.tolist()
    for key in grouped.keys:
        assert merged[key] == grouped[key]
    back = cx.GroupedSurvivalState.from_dict(json.loads(json.dumps(grouped.to_dict())))
    assert back == grouped


def test_grouped_levels_missing_and_lookup():
    s = cx.GroupedSurvivalState.from_durations(
        [1, 2, np.nan, 4],
        ["a", "b", "b", "a"],
        nan_policy="omit",
        levels=["b", "a", "c"],
    )
    assert s.keys.tolist() == ["b", "a", "c"]
    assert s.n.tolist() == [1, 2, 0]
    assert s.n_missing.tolist() == [1, 0, 0]
    assert len(s) == 3
    with pytest.raises(KeyError, match="no group 'q'"):
        s["q"]
    with pytest.raises(IncompatibleStateError, match="different types"):
        s + cx.GroupedSurvivalState.from_durations([1.0], [5])


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"durations": [1, -2, 3]},
            InvalidInputError,
            r"`durations` must be non-negative; got -2.0 at index 1 \(1 negative",
        ),
        (
            {"durations": [1, np.inf]},
            InvalidInputError,
            r"`durations` must be finite; got inf at index 1",
        ),
        (
            {"durations": [1, np.nan, np.nan]},
            MissingValueError,
            r"`durations` contains 2 missing value\(s\) \(NaN/None\), the first at index 1",
        ),
        (
            {"durations": [1, 2], "events": [1, 2]},
            InvalidInputError,
            r"`events` must be 0 or 1 \(or False/True\); got 2 at index 1",
        ),
        (
            {"durations": [1, 2], "events": [1, None]},
            MissingValueError,
            r"`events` contains 1 missing value",
        ),
        (
            {"durations": [1, 2, 3], "events": [1, 0]},
            InvalidInputError,
            r"`events` must have the same length as `durations` \(3\); got 2",
        ),
        (
            {"durations": [4, 2], "entry": [1, 3]},
            InvalidInputError,
            r"`entry` must be less than `durations` .*got entry 3.0 and duration 2.0 at index 1",
        ),
        (
            {"durations": [4, 2], "entry": [4, 0]},
            InvalidInputError,
            r"got entry 4.0 and duration 4.0 at index 0",
        ),
        (
            {"durations": [4, 2], "entry": [-1, 0]},
            InvalidInputError,
            r"`entry` must be non-negative; got -1.0 at index 0",
        ),
        (
            {"durations": ["a", "b"]},
            InvalidInputTypeError,
            r"`durations` must be numeric",
        ),
        (
            {"durations": [[1, 2]]},
            InvalidInputError,
            r"`durations` must be 1-D",
        ),
        (
            {"durations": [1, 2], "nan_policy": "drop"},
            InvalidInputError,
            r"`nan_policy` must be one of",
        ),
    ],
)
def test_error_messages(kwargs, error, match):
    with pytest.raises(error, match=match):
        cx.kaplan_meier(**kwargs)


def test_option_errors():
    res = cx.kaplan_meier([1, 2, 3])
    with pytest.raises(InvalidInputError, match=r"`probability` must lie in \[0, 1\]"):
        res.quantile(1.5)
    with pytest.raises(InvalidInputTypeError, match="`probability` must be a number"):
        res.quantile("half")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError, match="`tau` must be a positive finite number"
    ):
        res.restricted_mean(0)
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        res.confidence_interval(method="arcsin")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`confidence_level` must lie strictly"):
        res.confidence_interval(1.0)
    with pytest.raises(InvalidInputError, match="`ties` must be one of"):
        cx.nelson_aalen([1, 2], ties="breslow")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError, match="`by` must have the same length as `durations`"
    ):
        cx.logrank_test([1, 2, 3], by=[1, 2])


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@given(
    st.lists(st.one_of(st.integers(-3, 10), st.floats(allow_nan=True)), max_size=15),
    st.lists(st.one_of(st.integers(-1, 2), st.floats(allow_nan=True)), max_size=15),
    st.sampled_from(["raise", "omit"]),
)
def test_arbitrary_input_gives_result_or_value_error(durations, events, nan_policy):
    events = events[: len(durations)] + [1] * (len(durations) - len(events))
    try:
        res = cx.kaplan_meier(
            np.asarray(durations, dtype=np.float64),
            np.asarray(events, dtype=np.float64),
            nan_policy=nan_policy,
        )
    except ValueError:
        return
    assert res.n + res.n_missing == len(durations)
