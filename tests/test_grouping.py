"""Grouping like a dataframe: several keys, datetime keys, and one period calendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)


def _pandas():
    return pytest.importorskip("pandas")


# --------------------------------------------------------------- several keys


def test_two_keys_give_one_group_per_combination_seen():
    scores = [10, 9, 3, 7, 10, 2, 9, 9, 0]
    region = np.array(["n", "n", "s", "s", "n", "s", "n", "s", "n"])
    month = np.array([1, 1, 1, 2, 2, 2, 2, 2, 1])
    res = cx.nps(scores, by=[region, month])
    assert len(res) == 4
    assert res.keys.dtype.names == ("by0", "by1")
    # each group equals the scalar NPS of its rows
    for r, m in [("n", 1), ("n", 2), ("s", 1), ("s", 2)]:
        rows = (region == r) & (month == m)
        expect = cx.nps(np.asarray(scores)[rows])
        got = res[(r, m)]
        assert got.value == pytest.approx(expect.value)
        assert got.n == expect.n == rows.sum()
        assert (got.promoters, got.passives, got.detractors) == (
            expect.promoters,
            expect.passives,
            expect.detractors,
        )


def test_key_fields_are_named_after_series_and_spread_in_tables():
    pd = _pandas()
    frame = pd.DataFrame(
        {
            "score": [5, 4, 3, 5, 1, 2],
            "team": ["A", "A", "B", "B", "A", "B"],
            "day": pd.to_datetime(["2026-01-05"] * 3 + ["2026-01-06"] * 3),
        }
    )
    res = cx.csat(frame["score"], by=[frame["team"], frame["day"]])
    assert res.keys.dtype.names == ("team", "day")
    table = res.to_pandas()
    assert list(table.columns[:2]) == ["team", "day"]
    assert table["team"].tolist() == ["A", "A", "B", "B"]
    assert str(table["day"].dtype).startswith("datetime64")
    assert res[("A", "2026-01-05")].n == 2
    assert "(A, 2026-01-05)" in repr(res)


def test_tuple_of_columns_and_a_single_column_list_work_too():
    scores = np.array([10, 0, 9, 9])
    a = np.array([1, 1, 2, 2])
    assert len(cx.nps(scores, by=(a, a))) == 2
    one = cx.nps(scores, by=[a])
    assert one.keys.dtype.names is None
    assert one.keys.tolist() == [1, 2]
    # a list of scalar keys is still one key column
    assert cx.nps(scores, by=["x", "x", "y", "y"]).keys.tolist() == ["x", "y"]


def test_several_keys_are_checked_like_one():
    scores = [10, 9, 8]
    with pytest.raises(MissingValueError, match=r"`by\[1\]` contains 1 missing key"):
        cx.nps(scores, by=[["a", "b", "c"], [1.0, np.nan, 2.0]])
    with pytest.raises(InvalidInputError, match=r"`by\[0\]` must have the same length"):
        cx.nps(scores, by=[["a", "b"], [1, 2, 3]])
    with pytest.raises(InvalidInputError, match="`levels` works with one key column"):
        cx.nps(scores, by=[["a", "b", "c"], [1, 2, 3]], levels=["a", "b", "c"])


def test_record_keys_round_trip_through_json_and_merge():
    scores = np.array([10, 9, 3, 7, 10, 2, 9, 9])
    seg = np.array(list("aabbabab"))
    day = np.array(["2026-01-01"] * 4 + ["2026-01-02"] * 4, dtype="datetime64[D]")
    whole = cx.GroupedNPSState.from_responses(scores, [seg, day])
    first = cx.GroupedNPSState.from_responses(scores[:5], [seg[:5], day[:5]])
    second = cx.GroupedNPSState.from_responses(scores[5:], [seg[5:], day[5:]])
    loaded = type(whole).from_dict(json.loads(json.dumps(whole.to_dict())))
    merged = first + second
    for state in (loaded, merged):
        assert state.keys.dtype == whole.keys.dtype
        assert np.array_equal(state.keys, whole.keys)
        assert np.array_equal(state.compute().value, whole.compute().value)


# --------------------------------------------------------------- datetime keys


def test_datetime64_keys_group_like_any_other_key():
    scores = [10, 9, 3, 7]
    days = np.array(["2026-01-02", "2026-01-01", "2026-01-02", "2026-01-01"], "M8[D]")
    res = cx.nps(scores, by=days)
    assert res.keys.dtype == np.dtype("M8[D]")
    assert res.keys.tolist() == [
        np.datetime64("2026-01-01").item(),
        np.datetime64("2026-01-02").item(),
    ]
    assert res["2026-01-02"].n == 2
    with pytest.raises(MissingValueError, match="NaT"):
        cx.nps(scores, by=np.array(["2026-01-01", "NaT", "2026-01-01", "NaT"], "M8[D]"))


def test_aware_pandas_keys_are_read_as_utc():
    pd = _pandas()
    t = pd.Series(
        pd.to_datetime(["2026-01-01 10:00", "2026-01-01 10:00", "2026-01-01 12:00"])
    )
    res = cx.nps([10, 0, 9], by=t.dt.tz_localize("Europe/Berlin"))
    assert res.keys.dtype.kind == "M"
    assert str(res.keys[0]).startswith("2026-01-01T09:00")


# --------------------------------------------------------------- period_start


FREQS = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"]
PANDAS_FREQ = {
    "second": "s",
    "minute": "min",
    "hour": "h",
    "day": "D",
    "week": "W-SUN",
    "month": "M",
    "quarter": "Q",
    "year": "Y",
}


def test_period_start_examples():
    t = np.array(["2024-12-30T05:00", "2025-01-01T00:00", "2025-06-30T23:59"], "M8[m]")
    assert cx.period_start(t, "week").tolist() == [
        datetime(2024, 12, 30).date(),
        datetime(2024, 12, 30).date(),
        datetime(2025, 6, 30).date(),
    ]
    assert cx.period_start(t, "quarter").astype(str).tolist() == [
        "2024-10",
        "2025-01",
        "2025-04",
    ]
    assert cx.period_start(t, "year").astype(str).tolist() == ["2024", "2025", "2025"]
    # missing instants stay missing; the input is not modified
    u = np.array(["2026-02-03", "NaT"], "M8[D]")
    before = u.copy()
    assert np.isnat(cx.period_start(u, "month")[1])
    assert np.array_equal(u, before, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(
    seconds=st.lists(st.integers(-(2**31), 2_100_000_000), min_size=1, max_size=30),
    freq=st.sampled_from(FREQS),
    zone=st.sampled_from(
        [
            None,
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
        ]
    ),
)
def test_period_start_matches_pandas(seconds, freq, zone):
    pd = _pandas()
    utc = pd.to_datetime(np.asarray(seconds, dtype=np.int64), unit="s")
    if zone is None:
        series = pd.Series(utc)
        got = cx.period_start(series, freq)
        local = series
    else:
        series = pd.Series(utc).dt.tz_localize("UTC")
        got = cx.period_start(series, freq, tz=zone)
        local = series.dt.tz_convert(zone).dt.tz_localize(None)
    expect = local.dt.to_period(PANDAS_FREQ[freq]).dt.start_time
    assert got.astype("M8[s]").tolist() == expect.to_numpy().astype("M8[s]").tolist()


def test_period_start_aware_datetimes_and_polars():
    late = [datetime(2026, 3, 31, 22, 30, tzinfo=UTC), None]
    out = cx.period_start(late, "day", tz="Europe/Berlin")
    assert str(out[0]) == "2026-04-01"
    assert np.isnat(out[1])
    pl = pytest.importorskip("polars")
    s = pl.Series([datetime(2026, 3, 31, 22, 30)]).dt.replace_time_zone("UTC")
    assert str(cx.period_start(s, "month", tz="Europe/Berlin")[0]) == "2026-04"


def test_period_start_refuses_what_it_cannot_read():
    naive = np.array(["2026-01-01"], "M8[D]")
    with pytest.raises(InvalidInputError, match="`freq`"):
        cx.period_start(naive, "fortnight")
    with pytest.raises(InvalidInputError, match="naive"):
        cx.period_start(naive, "day", tz="Europe/Berlin")
    aware = [datetime(2026, 1, 1, tzinfo=UTC)]
    with pytest.raises(InvalidInputError, match="pass `tz`"):
        cx.period_start(aware, "day")
    with pytest.raises(InvalidInputError, match="not one"):
        cx.period_start(aware, "day", tz="Mars/Olympus")
    with pytest.raises(InvalidInputTypeError, match="IANA"):
        cx.period_start(aware, "day", tz=3)
    mixed = [datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)]
    with pytest.raises(InvalidInputError, match="mixes naive"):
        cx.period_start(mixed, "day", tz="UTC")
    with pytest.raises(InvalidInputTypeError, match="must hold datetimes"):
        cx.period_start([1.5, 2.0], "day")
    with pytest.raises(InvalidInputTypeError, match="index 1"):
        cx.period_start([datetime(2026, 1, 1), "2026-01-02"], "day")


def test_trend_by_segment_and_month_in_one_call():
    rng = np.random.default_rng(7)
    n = 400
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    stamps = [t0 + timedelta(hours=int(h)) for h in rng.integers(0, 24 * 90, n)]
    scores = rng.integers(0, 11, n)
    seg = rng.choice(["web", "phone"], n)
    month = cx.period_start(stamps, "month", tz="America/New_York")
    res = cx.nps(scores, by=[seg, month])
    assert sum(res.n.tolist()) == n
    for key in res.keys:
        rows = (seg == key["by0"]) & (month == key["by1"])
        assert res[(key["by0"], key["by1"])].value == pytest.approx(
            cx.nps(scores[rows]).value
        )


def test_key_dtypes_survive_json_for_every_keyed_state():
    # int8 keys came back as int64 after a JSON round trip (issue #14's finding)
    keys8 = np.array([3, 1, 3, 1], dtype=np.int8)
    states = [
        cx.GroupedNPSState.from_responses([10, 0, 9, 7], keys8),
        cx.GroupedSurvivalState.from_durations(
            [1.0, 2.0, 3.0, 4.0], keys8, [1, 0, 1, 1]
        ),
        cx.GroupedSurvivalState.empty(),
    ]
    for state in states:
        loaded = type(state).from_dict(json.loads(json.dumps(state.to_dict())))
        assert loaded.keys.dtype == state.keys.dtype, type(state).__name__
        assert np.array_equal(loaded.keys, state.keys)
    churn = cx.GroupedChurnState.from_spells(
        [1, 2],
        ["2024-01-03", "2024-02-01"],
        ["2024-03-05", "2024-04-01"],
        freq="month",
        first="2024-02",
    )
    loaded = type(churn).from_dict(json.loads(json.dumps(churn.to_dict())))
    assert loaded.keys.dtype == churn.keys.dtype
    assert np.array_equal(loaded.compute().value, churn.compute().value, equal_nan=True)
