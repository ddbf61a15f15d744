"""Arrival profiles, baseline forecasts and forecast accuracy."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics as cx
from cxmetrics.exceptions import (
    DataWarning,
    InvalidInputError,
    MissingValueError,
    UndefinedMetricWarning,
)


def test_forecast_accuracy_hand_computed():
    # actual 100, 120, 80; forecast 110, 115, 70: errors y - f = -10, 5, 10
    a = cx.forecast_accuracy(
        [100, 120, 80], [110, 115, 70], insample=[90, 110, 95, 105]
    )
    assert a.n == 3
    assert a.mae == pytest.approx(25 / 3)
    assert a.rmse == pytest.approx(np.sqrt((100 + 25 + 100) / 3))
    assert a.mape == pytest.approx((10 / 100 + 5 / 120 + 10 / 80) / 3)
    assert a.wape == pytest.approx(25 / 300)
    assert a.value == a.wape
    assert a.bias == pytest.approx(-5 / 300)  # under-forecast by 5 contacts in 300
    assert a.mean_error == pytest.approx(-5 / 3)
    # in-sample naive errors |110-90|, |95-110|, |105-95| = 20, 15, 10 -> scale 15
    assert a.scale == pytest.approx(15.0)
    assert a.mase == pytest.approx((25 / 3) / 15)


def test_mase_seasonal_hyndman_koehler_definition():
    # Hyndman & Koehler (2006) eq. for seasonal data: scale = mean |y_t - y_{t-m}|
    ins = np.array([10, 20, 30, 12, 24, 33, 11, 21, 35], dtype=float)
    a = cx.forecast_accuracy([12, 22, 30], [11, 21, 35], insample=ins, season=3)
    scale = np.mean([2, 4, 3, 1, 3, 2])
    assert a.scale == pytest.approx(scale)
    assert a.mase == pytest.approx(np.mean([1, 1, 5]) / scale)


def test_against_utilsforecast():
    pd = pytest.importorskip("pandas")
    losses = pytest.importorskip("utilsforecast.losses")
    rng = np.random.default_rng(3)
    train = rng.poisson(50, size=48).astype(float)
    actual = rng.poisson(50, size=12).astype(float)
    fc = actual + rng.normal(0, 5, size=12)
    df = pd.DataFrame(
        {"unique_id": "q1", "ds": np.arange(48, 60), "y": actual, "m": fc}
    )
    tr = pd.DataFrame({"unique_id": "q1", "ds": np.arange(48), "y": train})
    a = cx.forecast_accuracy(actual, fc, insample=train, season=12)
    assert a.mase == pytest.approx(float(losses.mase(df, ["m"], 12, tr)["m"].iloc[0]))
    assert a.mape == pytest.approx(float(losses.mape(df, ["m"])["m"].iloc[0]))
    assert a.mae == pytest.approx(float(losses.mae(df, ["m"])["m"].iloc[0]))
    assert a.rmse == pytest.approx(float(losses.rmse(df, ["m"])["m"].iloc[0]))


def test_zero_actuals_and_missing_values_are_counted():
    with pytest.warns(DataWarning, match="1 interval"):
        a = cx.forecast_accuracy([0, 10, 20], [1, 12, 18])
    assert a.n_zero_actual == 1
    assert a.mape == pytest.approx((0.2 + 0.1) / 2)
    assert a.wape == pytest.approx(5 / 30)
    with pytest.raises(
        MissingValueError, match="`forecast` has a missing value at index 1"
    ):
        cx.forecast_accuracy([5, 10, 20], [5, None, 18])
    b = cx.forecast_accuracy([5, 10, None], [5, None, 18], nan_policy="omit")
    assert b.n == 1
    assert b.n_missing == 2
    with pytest.warns(UndefinedMetricWarning):
        c = cx.forecast_accuracy([None], [1.0], nan_policy="omit")
    assert np.isnan(c.value)


def test_frame_columns_from_a_csv_export():
    pd = pytest.importorskip("pandas")
    csv = "interval,actual,forecast\n2026-03-02 08:00,12,10\n2026-03-02 08:30,,14\n2026-03-02 09:00,20,22\n"
    df = pd.read_csv(io.StringIO(csv))
    a = cx.forecast_accuracy(df["actual"], df["forecast"], nan_policy="omit")
    assert (a.n, a.n_missing) == (2, 1)
    assert a.wape == pytest.approx(4 / 32)


def test_forecast_errors():
    with pytest.raises(InvalidInputError, match="length of `actual`"):
        cx.forecast_accuracy([1, 2], [1])
    with pytest.raises(InvalidInputError, match="`nan_policy` must be one of"):
        cx.forecast_accuracy([1], [1], nan_policy="drop")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="no seasonal variation"):
        cx.forecast_accuracy([1], [1], insample=[3, 3, 3])
    with pytest.raises(InvalidInputError, match="at least 8 values"):
        cx.forecast_accuracy([1], [1], insample=[3, 4, 5], season=7)
    with pytest.raises(
        InvalidInputError, match=r"`forecast` must be finite; got inf at index 0"
    ):
        cx.forecast_accuracy([1], [np.inf])


@settings(max_examples=50)
@given(
    hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(1, 1e4)),
    st.floats(0.5, 2.0),
)
def test_property_scaling(actual, k):
    a = cx.forecast_accuracy(actual, actual * k)
    # a forecast k times the actual: every percentage error is |1 - k|
    assert a.mape == pytest.approx(abs(1 - k), rel=1e-9, abs=1e-12)
    assert a.wape == pytest.approx(abs(1 - k), rel=1e-9, abs=1e-12)
    assert a.bias == pytest.approx(k - 1, rel=1e-9, abs=1e-12)
    perfect = cx.forecast_accuracy(actual, actual)
    assert perfect.mae == 0.0
    assert perfect.wape == 0.0


def test_seasonal_naive_and_moving_average():
    y = np.arange(1, 15, dtype=float)  # two weeks of one value a day
    assert cx.seasonal_naive(y, season=7, horizon=9).tolist() == [
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        8,
        9,
    ]
    ma = cx.moving_average_forecast(y, season=7, window=2, horizon=7)
    assert ma.tolist() == [4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5]
    assert cx.moving_average_forecast(
        [1, 2, 3, 4], season=1, window=3, horizon=2
    ).tolist() == [3.0, 3.0]
    assert not ma.flags.writeable
    with pytest.raises(InvalidInputError, match="at least 14 values"):
        cx.moving_average_forecast(y[:10], season=7, window=2, horizon=1)
    with pytest.raises(MissingValueError, match="index 2"):
        cx.seasonal_naive([1, 2, None, 4], season=2, horizon=1)


@settings(max_examples=50)
@given(
    st.integers(1, 6).flatmap(
        lambda m: st.tuples(
            st.just(m),
            hnp.arrays(np.float64, st.integers(m, 5 * m), elements=st.floats(0, 1e3)),
        )
    )
)
def test_property_naive_forecast_of_a_periodic_series_is_exact(args):
    m, y = args
    periodic = np.resize(y[:m], 3 * m)
    f = cx.seasonal_naive(periodic[: 2 * m], season=m, horizon=m)
    np.testing.assert_array_equal(f, periodic[2 * m :])
    g = cx.moving_average_forecast(periodic[: 2 * m], season=m, window=2, horizon=m)
    np.testing.assert_allclose(g, periodic[2 * m :])


def test_arrival_profile_by_weekday():
    # two weeks of 2 intervals a day starting on a Monday; Sundays are closed
    rng = np.random.default_rng(1)
    counts = rng.integers(1, 50, size=(14, 2)).astype(float)
    counts[[6, 13]] = 0
    with pytest.warns(UndefinedMetricWarning, match=r"weekday\(s\) \[6\]"):
        p = cx.arrival_profile(counts.ravel(), periods_per_day=2)
    monday = counts[[0, 7]].sum(axis=0)
    np.testing.assert_allclose(p.shares[0], monday / monday.sum())
    assert p.days.tolist() == [2] * 7
    assert p.daily_mean[0] == pytest.approx(monday.sum() / 2)
    assert np.isnan(p.shares[6]).all()
    np.testing.assert_allclose(np.nansum(p.shares, axis=1)[:6], 1.0)
    assert p.n == counts.sum()
    f = p.forecast([100, 200], first_weekday=0)
    np.testing.assert_allclose(f[:2], 100 * p.shares[0])
    np.testing.assert_allclose(f[2:], 200 * p.shares[1])


def test_arrival_profile_missing_days_and_errors():
    counts = [10, 30, 20, np.nan, 20, 20]
    with pytest.raises(MissingValueError, match="index 3"):
        cx.arrival_profile(counts, periods_per_day=2, days_per_week=1)
    p = cx.arrival_profile(
        counts, periods_per_day=2, days_per_week=1, nan_policy="omit"
    )
    assert p.n_missing == 1
    assert p.shares.tolist() == [[0.375, 0.625]]
    with pytest.raises(InvalidInputError, match="whole days of 2 intervals"):
        cx.arrival_profile([1, 2, 3], periods_per_day=2)
    with pytest.raises(
        InvalidInputError, match=r"`counts` must be >= 0; got -1.0 at index 1"
    ):
        cx.arrival_profile([1, -1], periods_per_day=2)


def test_profile_from_a_contact_log_matches_interval_counts():
    pd = pytest.importorskip("pandas")
    # an export with zone-aware text times, converted to the centre's local clock
    rng = np.random.default_rng(11)
    start = pd.Timestamp("2026-03-02 00:00", tz="Europe/Paris")  # a Monday
    offsets = pd.to_timedelta(rng.integers(0, 14 * 24 * 60, 500), unit="min")
    local = (start + offsets).tz_localize(None)
    text = pd.Series(local.strftime("%Y-%m-%dT%H:%M:%S"))
    text[3] = None
    with pytest.raises(MissingValueError, match="index 3"):
        cx.ArrivalProfile.from_timestamps(text, periods_per_day=48)
    p = cx.ArrivalProfile.from_timestamps(
        text,
        periods_per_day=48,
        start="2026-03-02",
        end="2026-03-15",
        nan_policy="omit",
    )
    assert p.n_missing == 1
    assert p.days.tolist() == [2] * 7
    kept = pd.to_datetime(text.dropna())
    minutes = (kept - pd.Timestamp("2026-03-02")).dt.total_seconds() // 1800
    counts = np.bincount(minutes.astype(int), minlength=14 * 48)
    ref = cx.arrival_profile(counts, periods_per_day=48)
    np.testing.assert_allclose(p.shares, ref.shares)
    assert p.n == 499
    with pytest.raises(InvalidInputError, match="outside"):
        cx.ArrivalProfile.from_timestamps(
            text.dropna(), periods_per_day=48, end="2026-03-10"
        )
