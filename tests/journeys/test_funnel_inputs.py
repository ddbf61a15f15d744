"""Funnels on real-shaped exports, and clear errors for bad input."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import (
    CXMetricsError,
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
    UndefinedMetricWarning,
)

# a checkout export: string ids, text times (unsorted), a null time, a label column
EXPORT = {
    "customer": [
        "c-01",
        "c-02",
        "c-01",
        "c-03",
        "c-02",
        "c-01",
        "c-03",
        "c-04",
        "c-02",
    ],
    "ts": [
        "2026-03-01 10:05:00",
        "2026-03-01 11:00:00",
        "2026-03-01 10:00:00",
        "2026-03-02 09:00:00",
        "2026-03-01 11:20:00",
        "2026-03-01 10:30:00",
        None,
        "2026-03-03 08:00:00",
        "2026-03-02 12:00:00",
    ],
    "event": [
        "checkout",
        "add_to_cart",
        "add_to_cart",
        "add_to_cart",
        "checkout",
        "purchase",
        "checkout",
        "page_view",
        "purchase",
    ],
    "channel": ["web", "app", "web", "web", "app", "web", "web", "app", "app"],
}
STEPS = {"cart": "add_to_cart", "checkout": "checkout", "paid": "purchase"}


def test_pandas_export_with_text_times_and_a_null():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(EXPORT)
    ts = pd.to_datetime(df["ts"])
    with pytest.raises(
        MissingValueError, match=r"`times` contains 1 missing value.*index 6"
    ):
        cx.funnel(df["customer"], ts, df["event"], STEPS, window=dt.timedelta(hours=2))
    res = cx.funnel(
        df["customer"],
        ts,
        df["event"],
        STEPS,
        window=dt.timedelta(hours=2),
        nan_policy="omit",
    )
    # c-01: cart 10:00, checkout 10:05, paid 10:30 -> 3; c-02: cart 11:00, checkout
    # 11:20, purchase next day (outside 2 h) -> 2; c-03: cart (checkout has no time) -> 1;
    # c-04: never carted -> 0
    assert res.counts.tolist() == [1, 1, 1, 1]
    assert res.n_missing == 1
    assert res.reached.tolist() == [3, 2, 1]
    assert res.n == 3
    assert res.n_units == 4
    assert df["ts"].isna().sum() == 1  # the input is untouched


def test_polars_columns_and_tz_aware_times():
    pl = pytest.importorskip("polars")
    df = (
        pl.DataFrame(EXPORT)
        .drop_nulls("ts")
        .with_columns(
            pl.col("ts").str.to_datetime().dt.replace_time_zone("Europe/Berlin")
        )
    )
    res = cx.funnel(df["customer"], df["ts"], df["event"], STEPS, window=7200)
    assert res.reached.tolist() == [3, 2, 1]
    pytest.importorskip("pandas")
    pdf = df.to_pandas()
    same = cx.funnel(pdf["customer"], pdf["ts"], pdf["event"], STEPS, window=7200)
    assert same.counts.tolist() == res.counts.tolist()


def test_sessions_count_sessions_not_users():
    times = np.array([0, 60, 5000, 5060, 0], dtype=np.int64)
    res = cx.funnel(
        ["u", "u", "u", "u", "v"],
        times,
        ["cart", "paid", "cart", "paid", "cart"],
        ["cart", "paid"],
        window=600,
        session_gap=1800,
    )
    # u has two sessions (a gap of 4940 s > 1800 s), each converting; v one session
    assert res.counts.tolist() == [0, 1, 2]
    lv = cx.funnel_levels(
        ["u", "u", "u", "u", "v"],
        times,
        ["cart", "paid", "cart", "paid", "cart"],
        ["cart", "paid"],
        window=600,
        session_gap=1800,
    )
    assert lv.units.tolist() == ["u", "u", "v"]
    assert lv.session is not None
    assert lv.session.tolist() == [0, 1, 0]


def test_segments_first_and_last_touch_and_comparison():
    units = ["a", "a", "b", "b", "c"]
    ev = ["cart", "paid", "cart", "paid", "cart"]
    chan = ["ad", "email", "ad", "ad", "email"]
    first = cx.funnel(units, [0, 1, 0, 1, 0], ev, ["cart", "paid"], window=5, by=chan)
    last = cx.funnel(
        units,
        [0, 1, 0, 1, 0],
        ev,
        ["cart", "paid"],
        window=5,
        by=chan,
        attribution="last_touch",
    )
    assert first.keys.tolist() == ["ad", "email"]
    assert first.reached.tolist() == [[2, 2], [1, 0]]
    assert last.reached.tolist() == [[1, 1], [2, 1]]
    # a's first step-1 event is on "ad"; a unit without step 1 falls back to first touch
    with pytest.warns(UndefinedMetricWarning, match="1 segment"):
        entry = cx.funnel(
            ["a", "a", "a", "d"],
            [0, 1, 2, 0],
            ["view", "cart", "paid", "view"],
            ["cart", "paid"],
            window=5,
            by=["email", "ad", "web", "web"],
            attribution="first_step",
        )
    assert entry.keys.tolist() == ["ad", "web"]
    assert entry.counts.tolist() == [[0, 0, 1], [1, 0, 0]]
    cmp = first.compare(adjust="bonferroni")
    assert cmp.segment.tolist() == ["email"]
    assert cmp.difference.tolist() == [-1.0]
    assert first["email"].value == 0.0


def test_holm_matches_statsmodels():
    sm = pytest.importorskip("statsmodels.stats.multitest")
    from cxmetrics.journeys._result import adjust_pvalues

    p = np.array([0.01, 0.04, 0.03, 0.2, 0.005])
    for method, name in (("holm", "holm"), ("bonferroni", "bonferroni")):
        np.testing.assert_allclose(
            adjust_pvalues(p, method), sm.multipletests(p, method=name)[1]
        )


def test_wilson_and_jeffreys_match_statsmodels():
    prop = pytest.importorskip("statsmodels.stats.proportion")
    res = cx.FunnelResult(("visit", "cart", "buy"), [3, 50, 30, 20], window=60.0)
    for method in ("wilson", "jeffreys"):
        lo, hi = res.step_interval(method=method)
        ref = prop.proportion_confint(
            [50, 20], [100, 50], method="beta" if method == "cp" else method
        )
        np.testing.assert_allclose(lo, ref[0], rtol=1e-10)
        np.testing.assert_allclose(hi, ref[1], rtol=1e-10)


def test_options_are_checked_before_the_data():
    with pytest.raises(InvalidInputError, match="`mode` must be one of"):
        cx.funnel([1], [object()], ["a"], ["a"], window=1, mode="strict")
    with pytest.raises(InvalidInputError, match="`entry` must be one of"):
        cx.funnel([1], [object()], ["a"], ["a"], window=1, entry="last_touch")
    with pytest.raises(InvalidInputError, match="`attribution`"):
        cx.funnel([1], [1], ["a"], ["a"], window=1, attribution="linear")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": []}, InvalidInputError, "at least one step"),
        ({"steps": ["cart", set()]}, InvalidInputError, r"`steps\[1\]` is empty"),
        ({"steps": ["cart", 3.5]}, InvalidInputTypeError, r"`steps\[1\]` must be"),
        ({"steps": ["cart", "cart"]}, InvalidInputError, "repeated labels"),
        ({"window": 0}, InvalidInputError, "window > 0"),
        ({"window": -5}, InvalidInputError, "positive, finite"),
        ({"window": math.inf}, InvalidInputError, "positive, finite"),
        ({"window": "1h"}, InvalidInputTypeError, "`window` must be"),
        ({"window": dt.timedelta(minutes=5)}, InvalidInputTypeError, "time delta"),
        ({"exclude": ["paid"]}, InvalidInputError, "cannot also be a step"),
        ({"steps": ["cart", lambda e: e == "paid"]}, None, None),
        (
            {"steps": ["cart", lambda _e: [True]]},
            InvalidInputError,
            "one boolean per event",
        ),
        ({"by": ["x"]}, InvalidInputError, r"`by` must have the same length"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    args = {"steps": ["cart", "paid"], "window": 10}
    args.update(kwargs)
    steps = args.pop("steps")

    def call():
        return cx.funnel(
            ["u", "u", "v"], [0, 3, 1], ["cart", "paid", "cart"], steps, **args
        )

    if error is None:
        assert call().reached.tolist() == [2, 1]
        return
    with pytest.raises(error, match=match):
        call()


def test_missing_values_name_the_column_and_index():
    with pytest.raises(MissingValueError, match=r"`units` contains 1 missing.*index 1"):
        cx.funnel(
            ["u", None, "v"],
            [0, 3, 1],
            ["cart", "paid", "cart"],
            ["cart", "paid"],
            window=10,
        )
    with pytest.raises(
        MissingValueError, match=r"`events` contains 1 missing.*index 2"
    ):
        cx.funnel(
            ["u", "u", "v"],
            [0, 3, 1],
            ["cart", "paid", None],
            ["cart", "paid"],
            window=10,
        )
    with pytest.raises(MissingValueError, match=r"`times` contains 1 missing.*index 0"):
        cx.funnel(
            ["u", "u"], [np.nan, 3.0], ["cart", "paid"], ["cart", "paid"], window=10
        )
    res = cx.funnel(
        ["u", "u", "v"],
        [np.nan, 3.0, 1.0],
        ["cart", "paid", "cart"],
        ["cart", "paid"],
        window=10,
        nan_policy="omit",
    )
    assert res.n_missing == 1
    assert res.counts.tolist() == [1, 1, 0]  # u's cart had no time: u never entered


def test_naive_and_aware_times_mixed_are_refused():
    naive = dt.datetime(2026, 3, 1, 10, 0)
    aware = dt.datetime(2026, 3, 1, 10, 5, tzinfo=dt.UTC)
    with pytest.raises(CXMetricsError, match="mixes naive and timezone-aware"):
        cx.funnel(
            ["u", "u"], [naive, aware], ["cart", "paid"], ["cart", "paid"], window=600
        )


def test_unsorted_log_is_sorted_not_mutated():
    units = np.array(["b", "a", "a", "b"])
    times = np.array([9, 5, 1, 2])
    events = np.array(["paid", "paid", "cart", "cart"])
    before = times.copy()
    res = cx.funnel(units, times, events, ["cart", "paid"], window=10)
    assert res.counts.tolist() == [0, 0, 2]
    np.testing.assert_array_equal(times, before)


def test_lengths_and_infinite_times():
    with pytest.raises(InvalidInputError, match="`times` must have the same length"):
        cx.funnel(["u", "u"], [0], ["cart", "paid"], ["cart", "paid"], window=10)
    with pytest.raises(InvalidInputError, match="`times` must be finite"):
        cx.funnel(
            ["u", "u"], [0, np.inf], ["cart", "paid"], ["cart", "paid"], window=10
        )


def test_empty_log_warns_and_returns_nan():
    with pytest.warns(UndefinedMetricWarning, match="no unit reached step 1"):
        res = cx.funnel(
            np.array([], dtype=str),
            np.array([], dtype=np.int64),
            np.array([], dtype=str),
            ["cart", "paid"],
            window=10,
        )
    assert math.isnan(res.value)
    assert res.n == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lo, _ = cx.FunnelResult(("a", "b"), [1, 0, 0], window=1.0).conversion_interval()
    assert np.isnan(lo).all()


def test_states_refuse_different_parameters_and_are_read_only():
    a = cx.FunnelState.from_log(["u"], [0], ["cart"], ["cart", "paid"], window=10)
    b = cx.FunnelState.from_log(["u"], [0], ["cart"], ["cart", "paid"], window=20)
    with pytest.raises(IncompatibleStateError, match="different window"):
        a + b
    c = cx.FunnelState.from_log(
        ["u"], [0], ["cart"], ["cart", "paid"], window=10, mode="strict_order"
    )
    with pytest.raises(IncompatibleStateError, match="different mode"):
        a + c
    with pytest.raises(ValueError, match="read-only"):
        a.counts[0, 0] = 5
    with pytest.raises(IncompatibleStateError, match="shape"):
        cx.FunnelState(("a", "b"), 1.0, counts=[[1, 2]])


def test_integer_event_codes_of_any_dtype_match_like_names():
    # event codes as small integers (int8 with negative codes, uint16), as
    # exported by a tracking plan; the table lookup must agree with names
    codes = np.array([-128, 3, 127, 3, -128, 5], dtype=np.int8)
    names = np.array(["a", "b", "c", "b", "a", "d"])
    units = [1, 1, 1, 2, 2, 2]
    times = [0, 1, 2, 0, 1, 2]
    by_code = cx.funnel_levels(units, times, codes, [-128, 3, 127], window=5)
    by_name = cx.funnel_levels(units, times, names, ["a", "b", "c"], window=5)
    np.testing.assert_array_equal(by_code.level, by_name.level)
    assert by_code.level.tolist() == [3, 1]
    wide = cx.funnel_levels(
        units, times, codes.astype(np.uint16) + 200, [72, 203, 327], window=5
    )
    assert wide.level.tolist() == [3, 1]
