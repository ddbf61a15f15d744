"""Customer churn: conventions, counts, spells, conversions, states and errors."""

from __future__ import annotations

import functools
import json
import math
import operator
import pickle
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
    UndefinedMetricWarning,
)
from cxmetrics.stats import proportion_interval, rate_interval

DAY = np.timedelta64(1, "D")
T0 = np.datetime64("2024-01-01", "D")

# ----------------------------------------------------------------- conventions


def test_presets_are_documented_and_distinct_where_vendors_differ():
    presets = cx.ChurnConvention.presets()
    assert sorted(presets) == [
        "baremetrics",
        "chartmogul",
        "profitwell",
        "recurly",
        "shopify",
        "stripe",
    ]
    assert presets["chartmogul"] == cx.ChurnConvention("start", "exclude", "net")
    assert presets["stripe"] == cx.ChurnConvention("start_plus_new", "include", "count")
    assert presets["shopify"].denominator == "exposure"
    assert not presets["shopify"].is_proportion
    for name, conv in presets.items():
        assert cx.ChurnConvention.preset(name) == conv
        # every preset cites its source in the class docstring
        assert name in (cx.ChurnConvention.__doc__ or "")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"denominator": "end"}, "`denominator` must be one of"),
        ({"same_period_joiners": "yes"}, "`same_period_joiners` must be one of"),
        ({"reactivations": "ignore"}, "`reactivations` must be one of"),
    ],
)
def test_convention_rejects_unknown_options(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        cx.ChurnConvention(**kwargs)


def test_unknown_preset_and_wrong_type():
    with pytest.raises(InvalidInputError, match="`convention` must be one of"):
        cx.churn_rate(1, 10, convention="zuora")
    with pytest.raises(InvalidInputTypeError, match="ChurnConvention or a preset"):
        cx.churn_rate(1, 10, convention=3)  # type: ignore[arg-type]


# ------------------------------------------------------------ counts, by hand

# One scenario for every convention (the docs page shows the same arithmetic):
# 100 customers at the start; 20 joins during the month (2 of them comebacks);
# 12 churn events, of which 2 by customers who joined this month and 1 by a
# customer who came back later in the month; 1,030 customer-months at risk / 10.
SCENARIO = {
    "churned": 12,
    "at_start": 100,
    "joined": 20,
    "reactivated": 2,
    "joined_churned": 2,
    "churned_returned": 1,
    "exposure": 103.0,
}
EXPECTED = {
    # (numerator, denominator): derivation
    "chartmogul": (9, 100.0),  # 12 - 2 joined - 1 came back, over 100
    "baremetrics": (12, 100.0),  # all 12 over 100
    "profitwell": (10, 100.0),  # 12 - 2 joined, over 100
    "stripe": (12, 120.0),  # all 12 over 100 + 20
    "recurly": (12, 100.0),
    "shopify": (12, 103.0),  # 12 per 103 customer-months
}


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_every_preset_on_the_scenario(preset):
    res = cx.churn_rate(**SCENARIO, convention=preset)
    num, den = EXPECTED[preset]
    assert (res.numerator, res.denominator) == (num, den)
    assert res.value == num / den
    assert res.at_end == 100 + 20 - 12
    assert res.n == 120


def test_average_and_start_plus_new_with_exclusions():
    conv = cx.ChurnConvention("average", "exclude", "net")
    res = cx.churn_rate(**SCENARIO, convention=conv)
    assert res.numerator == 9
    assert res.denominator == (100 + 108) / 2
    conv = cx.ChurnConvention("start_plus_new", "exclude", "net")
    res = cx.churn_rate(**SCENARIO, convention=conv)
    # the 2 joiners who left and the comeback after a churn leave the denominator
    assert (res.numerator, res.denominator) == (9, 117.0)


def test_chartmogul_worked_example():
    # ChartMogul's help page: 100 at the start, 12 churned, one reactivated and
    # one joined in the same month -> (12 - 1 - 1) / 100 = 10%
    res = cx.churn_rate(
        12, 100, joined=2, joined_churned=1, churned_returned=1, convention="chartmogul"
    )
    assert res.value == 0.1


def test_default_is_start_denominator_excluding_joiners():
    res = cx.churn_rate(5, 50)
    assert res.convention == cx.ChurnConvention()
    assert (res.value, res.numerator, res.denominator) == (0.1, 5, 50.0)
    assert res.retention_rate == pytest.approx(0.9)
    assert res.expected_lifetime == pytest.approx(10.0)
    assert "churn rate 0.1000" in str(res)


def test_wilson_interval_is_the_shared_one():
    res = cx.churn_rate(7, 40)
    low, high = res.confidence_interval(0.9)
    ref = proportion_interval(7, 40, 0.9)
    assert (low, high) == (float(ref.low), float(ref.high))
    low, high = res.confidence_interval(method="wald")
    ref = proportion_interval(7, 40, method="wald")
    assert (low, high) == (float(ref.low), float(ref.high))


def test_exposure_interval_is_a_poisson_rate_interval():
    res = cx.churn_rate(**SCENARIO, convention="shopify")
    low, high = res.confidence_interval()
    ref = rate_interval(12, 103.0)
    assert (low, high) == (float(ref.low), float(ref.high))
    assert low < res.value < high
    assert res.retention_rate == pytest.approx(math.exp(-12 / 103))


def test_rate_interval_matches_statsmodels():
    rates = pytest.importorskip("statsmodels.stats.rates")
    pytest.importorskip("scipy")
    # expected values from statsmodels.stats.rates.confint_poisson
    for count, exposure in [(0, 20.0), (3, 7.5), (12, 103.0), (250, 1234.0)]:
        for ours, theirs in [
            ("score", "score"),
            ("wald", "wald"),
            ("exact", "exact-c"),
        ]:
            got = rate_interval(count, exposure, method=ours)
            want = rates.confint_poisson(count, exposure, method=theirs)
            np.testing.assert_allclose(
                [float(got.low), float(got.high)], want, rtol=1e-12, atol=1e-15
            )


def test_interval_refused_when_churn_can_exceed_the_denominator():
    res = cx.churn_rate(30, 20, joined=20, joined_churned=15, convention="baremetrics")
    assert res.value == 1.5  # possible under 'start' with joiners included
    with pytest.raises(InvalidInputError, match="binomial interval needs"):
        res.confidence_interval()


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_no_customers_gives_nan():
    res = cx.churn_rate(0, 0)
    assert math.isnan(res.value)
    assert res.n == 0
    assert math.isnan(res.expected_lifetime)
    assert "undefined" in str(res)
    low, high = res.confidence_interval()
    assert math.isnan(low)
    assert math.isnan(high)


def test_no_customers_warns():
    with pytest.warns(UndefinedMetricWarning, match="churn rate is undefined"):
        cx.churn_rate(0, 0)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((-1, 10), {}, InvalidInputError, r"`churned` must be >= 0; got -1"),
        ((1, -10), {}, InvalidInputError, r"`at_start` must be >= 0; got -10"),
        ((11, 10), {}, InvalidInputError, r"`churned` \(11\) cannot exceed"),
        ((1.5, 10), {}, InvalidInputTypeError, r"`churned` must be an integer"),
        (
            (5, 10),
            {"joined": 1, "joined_churned": 2},
            InvalidInputError,
            "cannot exceed `joined`",
        ),
        (
            (1, 10),
            {"joined_churned": 2, "joined": 5},
            InvalidInputError,
            "cannot exceed `churned`",
        ),
        (
            (1, 10),
            {"reactivated": 2, "joined": 1},
            InvalidInputError,
            r"`reactivated` \(2\)",
        ),
        ((1, 10), {"exposure": -1.0}, InvalidInputError, "`exposure` must be >= 0"),
        ((1, 10), {"exposure": float("nan")}, MissingValueError, "`exposure` contains"),
    ],
)
def test_count_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        cx.churn_rate(*args, **kwargs)


def test_exposure_convention_needs_exposure():
    with pytest.raises(InvalidInputError, match="needs the exposure"):
        cx.churn_rate(1, 10, convention="shopify")


# ---------------------------------------------------- conversions and lifetime


def test_monthly_annual_conversion_reference_values():
    # 1 - 0.95**12 = 0.45963991233736...
    assert cx.convert_churn_rate(0.05, 12) == pytest.approx(1 - 0.95**12, rel=1e-15)
    assert cx.convert_churn_rate(0.4596399123373607, 1 / 12) == pytest.approx(
        0.05, rel=1e-13
    )
    # small rates keep their precision (1 - (1 - m)**12 cancels; expm1 does not)
    tiny = cx.convert_churn_rate(1e-12, 12)
    assert tiny == pytest.approx(12e-12, rel=1e-10)
    assert cx.convert_churn_rate(0.0, 12) == 0.0
    assert cx.convert_churn_rate(1.0, 0.5) == 1.0
    assert cx.convert_churn_rate(0.02, 12, form="hazard") == pytest.approx(0.24)
    out = cx.convert_churn_rate([0.01, 0.05], 12)
    assert isinstance(out, np.ndarray)
    assert out.shape == (2,)


@given(st.floats(0.0, 0.999), st.sampled_from([12.0, 3.0, 52.0, 1 / 12, 0.25]))
def test_conversion_round_trip(rate, periods):
    forward = cx.convert_churn_rate(rate, periods)
    # 1 - (1 - r)**p within a few ulps of 1 cannot be inverted in float64
    assume(forward < 1 - 1e-6)
    back = cx.convert_churn_rate(forward, 1 / periods)
    assert back == pytest.approx(rate, rel=1e-9, abs=1e-15)


@given(st.floats(0.0, 10.0), st.floats(0.01, 100.0))
def test_hazard_round_trip_and_probability_link(hazard, periods):
    back = cx.convert_churn_rate(
        cx.convert_churn_rate(hazard, periods, form="hazard"),
        1 / periods,
        form="hazard",
    )
    assert back == pytest.approx(hazard, rel=1e-12, abs=1e-300)
    # a constant hazard lambda gives the probability 1 - exp(-lambda) per period:
    # converting either form over the same span agrees
    p = -math.expm1(-hazard)
    lhs = cx.convert_churn_rate(p, periods)
    rhs = -math.expm1(-cx.convert_churn_rate(hazard, periods, form="hazard"))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("rate", "periods", "form", "match"),
    [
        (1.2, 12, "probability", r"`rate` must lie in \[0, 1\]"),
        (-0.1, 12, "hazard", "`rate` must be >= 0"),
        (0.1, 0, "probability", "`periods` must be > 0"),
        (0.1, 12, "odds", "`form` must be one of"),
    ],
)
def test_conversion_errors(rate, periods, form, match):
    with pytest.raises(InvalidInputError, match=match):
        cx.convert_churn_rate(rate, periods, form=form)


def test_expected_lifetime():
    assert cx.expected_lifetime(0.05) == 20.0
    assert cx.expected_lifetime(0.0) == math.inf
    np.testing.assert_array_equal(cx.expected_lifetime([0.5, 0.25]), [2.0, 4.0])
    with pytest.raises(InvalidInputError, match="`churn` must be >= 0"):
        cx.expected_lifetime(-0.1)


# -------------------------------------------------------------- from spells

MONTHS = np.arange("2023-12", "2025-02", dtype="datetime64[M]")


def _period_bounds(freq, first_day, last_day):
    """Period starts (as day numbers) covering [first_day, last_day], slowly."""
    days = np.arange(first_day, last_day + 1, dtype="datetime64[D]")
    if freq == "day":
        starts = days
    elif freq == "week":
        starts = np.array(
            [d for d in days if d.astype(object).weekday() == 0] or [],
            dtype="datetime64[D]",
        )
        monday = days[0] - np.timedelta64(days[0].astype(object).weekday(), "D")
        starts = np.unique(np.concatenate([[monday], starts]))
    else:
        starts = np.unique(days.astype("datetime64[M]")).astype("datetime64[D]")
    nxt = {
        "day": starts[-1] + DAY,
        "week": starts[-1] + 7 * DAY,
        "month": (starts[-1].astype("datetime64[M]") + 1).astype("datetime64[D]"),
    }[freq]
    return np.append(starts, nxt)


def churn_reference(customers, start, end, freq):
    """Per-period counts from a day-by-day timeline of each customer (plain loops)."""
    lo = min(start).astype("datetime64[D]")
    hi = max(end).astype("datetime64[D]")
    bounds = _period_bounds(freq, lo, hi)
    n_periods = len(bounds) - 1
    active = {}
    for c, s, e in zip(customers, start, end, strict=True):
        days = active.setdefault(c, set())
        d = s
        while d < e:
            days.add(d)
            d += DAY

    def period_of(day):
        for k in range(n_periods):
            if bounds[k] <= day < bounds[k + 1]:
                return k
        return None

    out = {
        "at_start": [0] * n_periods,
        "churn": [[[0, 0], [0, 0]] for _ in range(n_periods)],
        "joins": [[[0, 0], [0, 0]] for _ in range(n_periods)],
        "reactivated": [0] * n_periods,
        "exposure": [Fraction(0)] * n_periods,
    }
    for days in active.values():
        # runs of consecutive active days: [run_start, run_end)
        runs = []
        for d in sorted(days):
            if runs and runs[-1][1] == d:
                runs[-1][1] = d + DAY
            else:
                runs.append([d, d + DAY])
        for k in range(n_periods):
            b = bounds[k]
            if (b - DAY) in days:
                out["at_start"][k] += 1
            inside = sum(1 for d in days if bounds[k] <= d < bounds[k + 1])
            length = int((bounds[k + 1] - bounds[k]) / DAY)
            out["exposure"][k] += Fraction(inside, length)
        for i, (s, e) in enumerate(runs):
            ks, ke = period_of(s), period_of(e)
            back = i + 1 < len(runs) and period_of(runs[i + 1][0]) == ke
            comeback = i > 0 and period_of(runs[i - 1][1]) == ks
            if ks is not None:
                out["joins"][ks][int(ks == ke)][int(comeback)] += 1
                if i > 0:
                    out["reactivated"][ks] += 1
            if ke is not None:
                out["churn"][ke][int(ks == ke)][int(back)] += 1
    return bounds, out


@st.composite
def spell_tables(draw, max_customers=6, max_spells=12, horizon=150):
    n = draw(st.integers(1, max_spells))
    customers = draw(
        st.lists(st.integers(0, max_customers - 1), min_size=n, max_size=n)
    )
    offsets = draw(st.lists(st.integers(0, horizon), min_size=n, max_size=n))
    lengths = draw(st.lists(st.integers(1, 70), min_size=n, max_size=n))
    start = T0 + np.array(offsets) * DAY
    end = start + np.array(lengths) * DAY
    return np.array(customers), start, end


@settings(deadline=None)
@given(spell_tables(), st.sampled_from(["day", "week", "month"]))
def test_spell_counts_equal_the_day_by_day_oracle(table, freq):
    customers, start, end = table
    state = cx.GroupedChurnState.from_spells(customers, start, end, freq=freq)
    bounds, ref = churn_reference(customers, start, end, freq)
    labels = state.labels.astype("datetime64[D]")
    # the oracle's periods cover every day from the first start to the last end
    assert labels[0] == bounds[0]
    assert len(state) == len(bounds) - 1
    np.testing.assert_array_equal(state.at_start, ref["at_start"])
    np.testing.assert_array_equal(state.churn_table, ref["churn"])
    np.testing.assert_array_equal(state.join_table, ref["joins"])
    np.testing.assert_array_equal(state.reactivated, ref["reactivated"])
    np.testing.assert_allclose(
        state.exposure, [float(f) for f in ref["exposure"]], rtol=1e-12, atol=1e-12
    )


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@settings(deadline=None)
@given(spell_tables(), st.sampled_from(sorted(cx.ChurnConvention.presets())))
def test_spell_properties(table, preset):
    customers, start, end = table
    state = cx.GroupedChurnState.from_spells(customers, start, end)
    # customers at the end of a period are those at the start of the next
    res = state.compute("stripe")
    np.testing.assert_array_equal(res.at_end[:-1], res.at_start[1:])
    assert res.at_end[-1] == 0  # the default range ends with the last end
    # start-plus-new keeps churn in [0, 1]
    ok = ~np.isnan(res.value)
    assert ((res.value[ok] >= 0) & (res.value[ok] <= 1)).all()
    assert (res.numerator <= res.denominator).all()
    other = state.compute(preset)
    assert (other.numerator <= other.churned).all()
    assert (other.value[~np.isnan(other.value)] >= 0).all()


def test_order_and_splitting_of_spells_do_not_matter():
    customers = np.array([1, 1, 2, 3, 3])
    start = np.array(
        ["2024-01-05", "2024-02-01", "2024-01-10", "2024-03-01", "2024-01-15"],
        dtype="datetime64[D]",
    )
    end = np.array(
        ["2024-02-01", "2024-03-10", "2024-05-01", "2024-04-01", "2024-02-01"],
        dtype="datetime64[D]",
    )
    whole = cx.GroupedChurnState.from_spells(customers, start, end)
    order = np.array([4, 2, 0, 3, 1])
    assert (
        cx.GroupedChurnState.from_spells(customers[order], start[order], end[order])
        == whole
    )
    # customer 1's two touching spells are one spell: no churn on 2024-02-01
    assert whole.compute("stripe").churned.tolist() == [0, 1, 1, 1, 1]


def test_window_state_equals_the_calendar_period():
    customers = np.array(["a", "b", "b", "c", "d"])
    start = np.array(
        ["2023-11-03", "2024-01-02", "2024-02-20", "2024-02-11", "2024-02-03"],
        dtype="datetime64[D]",
    )
    end = np.array(
        ["2024-02-15", "2024-02-09", "2024-02-25", "2024-06-01", "2024-02-05"],
        dtype="datetime64[D]",
    )
    grouped = cx.GroupedChurnState.from_spells(customers, start, end)
    window = cx.ChurnState.from_spells(
        customers, start, end, window_start="2024-02-01", window_end="2024-03-01"
    )
    row = grouped["2024-02"]
    assert window.at_start == row.at_start
    np.testing.assert_array_equal(window.churn_table, row.churn_table)
    np.testing.assert_array_equal(window.join_table, row.join_table)
    assert window.exposure == pytest.approx(row.exposure, rel=1e-12)
    # b churned on 02-09 and came back on 02-20: a churn-and-return
    # churn events: a (02-15), b (02-09 and 02-25), d (02-05)
    assert (window.churned, window.churned_returned, window.joined_churned) == (4, 1, 2)
    assert window.compute("chartmogul").numerator == 1  # only a
    assert window.compute("stripe").numerator == 4


def test_datetime_units_and_inputs_are_accepted_and_not_mutated():
    customers = [10, 11, 10]
    start = np.array(
        ["2024-01-01T06:00", "2024-01-15T00:00", "2024-03-01T00:00"],
        dtype="datetime64[m]",
    )
    end = np.array(
        ["2024-02-01T00:00", "2024-04-01T12:00", "2024-05-01T00:00"],
        dtype="datetime64[s]",
    )
    before = (start.copy(), end.copy())
    res = cx.churn_by_period(customers, start, end, convention="stripe")
    np.testing.assert_array_equal(start, before[0])
    np.testing.assert_array_equal(end, before[1])
    as_text = cx.churn_by_period(
        customers,
        start.astype(str).tolist(),
        end.astype(str).tolist(),
        convention="stripe",
    )
    assert as_text == res


def test_pandas_and_polars_inputs():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "customer": ["a", "b", "a"],
            "start": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-03-02"]),
            "end": pd.to_datetime(["2024-02-01", "2024-03-15", "2024-04-01"]),
        }
    )
    res = cx.churn_by_period(
        frame["customer"], frame["start"], frame["end"], convention="stripe"
    )
    ref = cx.churn_by_period(
        np.array(["a", "b", "a"]),
        frame["start"].to_numpy(),
        frame["end"].to_numpy(),
        convention="stripe",
    )
    assert res == ref
    pl = pytest.importorskip("polars")
    pframe = pl.from_pandas(frame)
    assert (
        cx.churn_by_period(
            pframe["customer"], pframe["start"], pframe["end"], convention="stripe"
        )
        == ref
    )


@pytest.mark.parametrize(
    ("start", "end", "error", "match"),
    [
        (
            ["2024-01-01", "NaT"],
            ["2024-02-01", "2024-03-01"],
            MissingValueError,
            r"`start` contains 1 missing instant\(s\) \(NaT/None\), the first at index 1",
        ),
        (
            ["2024-01-01", "2024-01-05"],
            ["2024-02-01", None],
            MissingValueError,
            r"`end` contains 1 missing",
        ),
        (
            ["2024-01-01", "2024-03-05"],
            ["2024-02-01", "2024-03-01"],
            InvalidInputError,
            r"`end` must be after `start`; got end=2024-03-01 and start=2024-03-05 at index 1",
        ),
        (
            ["2024-01-01", "2024-03-05"],
            ["2024-02-01", "2024-03-05"],
            InvalidInputError,
            r"`end` must be after `start`",
        ),
        (
            ["2024-01-01", "2024-01-05"],
            ["2024-02-01"],
            InvalidInputError,
            r"`end` must have the same length as `start` \(2\); got 1",
        ),
        (
            [1.0, 2.0],
            [3.0, 4.0],
            InvalidInputTypeError,
            r"`start` must hold dates or datetimes",
        ),
        (
            ["2024-01-01", "tomorrow"],
            ["2024-02-01", "2024-03-01"],
            InvalidInputTypeError,
            r"`start` must hold ISO 8601 dates",
        ),
    ],
)
def test_spell_errors(start, end, error, match):
    with pytest.raises(error, match=match):
        cx.churn_by_period(["a", "b"][: len(start)], start, end)


def test_mismatched_customers_and_bad_freq():
    with pytest.raises(
        InvalidInputError, match=r"`customer` must have the same length as `start`"
    ):
        cx.churn_by_period(
            ["a"], ["2024-01-01", "2024-01-02"], ["2024-02-01", "2024-02-02"]
        )
    with pytest.raises(InvalidInputError, match="`freq` must be one of"):
        cx.churn_by_period(["a"], ["2024-01-01"], ["2024-02-01"], freq="fortnight")
    with pytest.raises(MissingValueError, match="`customer` contains 1 missing key"):
        cx.churn_by_period([None], ["2024-01-01"], ["2024-02-01"])
    with pytest.raises(InvalidInputError, match="`window_end` must be after"):
        cx.ChurnState.from_spells(
            ["a"],
            ["2024-01-01"],
            ["2024-02-01"],
            window_start="2024-02-01",
            window_end="2024-01-01",
        )


def test_no_spells_warns():
    empty = np.array([], dtype="datetime64[D]")
    with pytest.warns(UndefinedMetricWarning, match="without any spell"):
        res = cx.churn_by_period([], empty, empty)
    assert len(res) == 0


def test_first_period_without_customers_warns_with_a_hint():
    start = np.array(["2024-01-05", "2024-01-09"], dtype="datetime64[D]")
    end = np.array(["2024-03-01", "2024-04-11"], dtype="datetime64[D]")
    with pytest.warns(UndefinedMetricWarning, match="pass `first`"):
        res = cx.churn_by_period([1, 2], start, end)
    assert math.isnan(res.value[0])
    assert not np.isnan(res.value[1:]).any()
    later = cx.churn_by_period([1, 2], start, end, first="2024-02-01")
    np.testing.assert_array_equal(later.value, res.value[1:])
    assert later.keys.astype(str).tolist() == ["2024-02", "2024-03", "2024-04"]


def test_grouped_result_lookup_and_intervals():
    start = np.array(["2024-01-05", "2024-01-09", "2024-02-02"], dtype="datetime64[D]")
    end = np.array(["2024-03-01", "2024-04-11", "2024-02-20"], dtype="datetime64[D]")
    res = cx.churn_by_period([1, 2, 3], start, end, convention="stripe")
    row = res[np.datetime64("2024-02")]
    assert row == res["2024-02"] == res["2024-02-01"]
    with pytest.raises(KeyError, match="no period '2030-01'"):
        res["2030-01"]
    assert isinstance(row, cx.ChurnResult)
    assert (row.numerator, row.denominator) == (1, 3.0)
    ci = res.confidence_interval()
    assert ci.low.shape == (4,)
    np.testing.assert_array_equal(res.retention_rate, 1 - res.value)
    cols = res.to_dict()
    assert cols["key"].shape == (4,)
    shopify = cx.churn_by_period([1, 2, 3], start, end, convention="shopify")
    assert (shopify.denominator == shopify.exposure).all()
    np.testing.assert_allclose(shopify.retention_rate, np.exp(-shopify.value))


# ------------------------------------------------------------- from activity


def test_from_activity_equals_spells_of_active_periods():
    customer = np.array(["a", "a", "a", "b", "b", "c"])
    time = np.array(
        [
            "2024-01-03",
            "2024-01-30",
            "2024-03-09",
            "2024-02-01",
            "2024-03-31",
            "2024-03-04",
        ],
        dtype="datetime64[D]",
    )
    state = cx.GroupedChurnState.from_activity(customer, time)
    # a: Jan, Mar (gap in Feb: a churn and a comeback); b: Feb-Mar; c: Mar
    spells = cx.GroupedChurnState.from_spells(
        ["a", "a", "b", "c"],
        np.array(
            ["2024-01-01", "2024-03-01", "2024-02-01", "2024-03-01"],
            dtype="datetime64[D]",
        ),
        np.array(
            ["2024-02-01", "2024-04-01", "2024-04-01", "2024-04-01"],
            dtype="datetime64[D]",
        ),
        last="2024-03-31",
    )
    assert state == spells
    res = state.compute("stripe")
    assert res.reactivated.tolist() == [0, 0, 1]
    assert res.churned.tolist() == [0, 1, 0]  # the March churns are not visible yet


# --------------------------------------------------------------- merge laws


@st.composite
def count_states(draw):
    s = draw(st.integers(0, 50))
    j = draw(st.integers(0, 50))
    jc = draw(st.integers(0, j))
    cr = draw(st.integers(0, j - jc))
    c = draw(st.integers(jc + cr, min(s + j, max(jc + cr, s + j))))
    r = draw(st.integers(0, j))
    expo = draw(st.one_of(st.none(), st.integers(0, 10_000).map(lambda x: x / 8)))
    return cx.ChurnState.from_counts(
        c,
        s,
        joined=j,
        reactivated=r,
        joined_churned=jc,
        churned_returned=cr,
        exposure=expo,
    )


@given(count_states(), count_states(), count_states())
def test_churn_state_laws(a, b, c):
    e = cx.ChurnState.empty()
    assert a + e == a == e + a
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert sum([a, b]) == a + b
    total = a + b
    assert total.churned == a.churned + b.churned
    assert total.at_end == a.at_end + b.at_end


@given(count_states())
def test_churn_state_round_trips(s):
    assert cx.ChurnState.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    assert pickle.loads(pickle.dumps(s)) == s


@settings(deadline=None)
@given(spell_tables(max_customers=8), st.data())
def test_grouped_state_homomorphism_over_customer_partitions(table, data):
    customers, start, end = table
    n_parts = data.draw(st.integers(1, 3))
    part = np.array([hash(int(c)) % n_parts for c in customers])
    pieces = [
        cx.GroupedChurnState.from_spells(
            customers[part == i], start[part == i], end[part == i]
        )
        for i in range(n_parts)
    ]
    merged = functools.reduce(operator.add, pieces, cx.GroupedChurnState.empty())
    whole = cx.GroupedChurnState.from_spells(customers, start, end)
    np.testing.assert_array_equal(merged.keys, whole.keys)
    np.testing.assert_array_equal(merged.at_start, whole.at_start)
    np.testing.assert_array_equal(merged.churn_table, whole.churn_table)
    np.testing.assert_array_equal(merged.join_table, whole.join_table)
    np.testing.assert_allclose(merged.exposure, whole.exposure, rtol=1e-12, atol=1e-12)
    assert (
        cx.GroupedChurnState.from_dict(json.loads(json.dumps(whole.to_dict()))) == whole
    )


def test_incompatible_merges():
    a = cx.ChurnState.from_spells(
        ["a"],
        ["2024-01-01"],
        ["2024-03-01"],
        window_start="2024-01-01",
        window_end="2024-02-01",
    )
    b = cx.ChurnState.from_spells(
        ["b"],
        ["2024-01-01"],
        ["2024-03-01"],
        window_start="2024-02-01",
        window_end="2024-03-01",
    )
    with pytest.raises(IncompatibleStateError, match="different periods"):
        a + b
    m = cx.GroupedChurnState.from_spells(["a"], ["2024-01-01"], ["2024-03-01"])
    w = cx.GroupedChurnState.from_spells(
        ["a"], ["2024-01-01"], ["2024-03-01"], freq="week"
    )
    with pytest.raises(IncompatibleStateError, match="freq"):
        m + w
    # truncated ranges with customers active at the edge cannot be aligned
    t1 = cx.GroupedChurnState.from_spells(
        ["a"], ["2024-01-01"], ["2024-09-01"], last="2024-03-01"
    )
    t2 = cx.GroupedChurnState.from_spells(
        ["b"], ["2024-01-01"], ["2024-09-01"], last="2024-05-01"
    )
    with pytest.raises(IncompatibleStateError, match="active at the edge"):
        t1 + t2
    with pytest.raises(IncompatibleStateError, match="cannot merge ChurnState"):
        a.merge(m)  # type: ignore[arg-type]


def test_state_lookup_errors_and_validation():
    state = cx.GroupedChurnState.from_spells(["a"], ["2024-01-01"], ["2024-03-01"])
    with pytest.raises(KeyError, match="no period"):
        state["2030-01"]
    with pytest.raises(InvalidInputError, match="disagree"):
        cx.ChurnState(1, [[1, 0], [1, 0]], [[0, 0], [0, 0]])
    with pytest.raises(InvalidInputError, match="shape"):
        cx.ChurnState(1, [1, 0], [[0, 0], [0, 0]])
    with pytest.raises(InvalidInputError, match="consecutive"):
        cx.GroupedChurnState(
            "month",
            [1, 3],
            [0, 0],
            np.zeros((2, 2, 2)),
            np.zeros((2, 2, 2)),
            [0, 0],
            [0.0, 0.0],
        )
    with pytest.raises(InvalidInputError, match="describes"):
        cx.ChurnState.from_dict(state.to_dict())
