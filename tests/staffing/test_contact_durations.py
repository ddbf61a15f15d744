"""Contact metrics on time deltas (issues #12 and #20).

Waits and handle times, the service-level threshold, the short-abandon cut-off,
the interval length and the agents' available time accept time deltas (numpy
``timedelta64``, pandas ``Timedelta`` columns, polars ``Duration``,
``datetime.timedelta``) as seconds: the result equals the one on the same
durations given as numbers of seconds. An occupancy above 1 (available time in
another unit) is refused.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
    UndefinedMetricWarning,
)

# an ACD export: queue labels, text arrival times, durations as "HH:MM:SS" text
# (pandas reads them as Timedelta), empty handle times on abandoned calls and
# one call whose wait was not recorded
EXPORT = {
    "queue": ["sales", "sales", "support", "support", "sales", "support", "support", "sales"],
    "arrived": ["2026-03-02 09:00:05", "2026-03-02 09:12:40", "2026-03-02 09:29:59",
                "2026-03-02 09:31:10", "2026-03-02 09:47:00", "2026-03-02 10:02:30",
                "2026-03-02 10:15:00", "2026-03-02 10:20:00"],
    "wait": ["00:00:12", "00:00:45", "00:01:30", "00:00:03", None, "00:00:20",
             "00:00:08", "00:02:10"],
    "abandoned": [False, False, True, False, False, False, True, False],
    "talk": ["00:04:10", "00:06:00", None, "00:02:30", "00:03:00", "00:05:15", None,
             "00:07:45"],
    "hold": ["00:00:00", "00:01:00", None, "00:00:00", "00:00:30", "00:00:00", None,
             "00:00:20"],
    "acw": ["00:00:40", "00:01:20", None, "00:00:30", "00:00:45", "00:01:00", None,
            "00:00:50"],
}  # fmt: skip
DURATIONS = ("wait", "talk", "hold", "acw")


def seconds(text):
    if text is None:
        return np.nan
    h, m, s = (int(p) for p in text.split(":"))
    return float(3600 * h + 60 * m + s)


@pytest.fixture
def numbers():
    return {k: np.array([seconds(v) for v in EXPORT[k]]) for k in DURATIONS}


def same_columns(a, b):
    """Grouped results: every column equal (NaN where both are NaN)."""
    da, db = a.to_dict(), b.to_dict()
    assert da.keys() == db.keys()
    for k in da:
        np.testing.assert_array_equal(da[k], db[k], err_msg=k)


def metrics(cols, **kw):
    return cx.contact_metrics(
        cols["wait"],
        EXPORT["abandoned"],
        talk=cols["talk"],
        hold=cols["hold"],
        acw=cols["acw"],
        nan_policy="omit",
        **kw,
    )


def test_pandas_timedelta_columns_equal_seconds(numbers):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(EXPORT)
    for k in DURATIONS:
        df[k] = pd.to_timedelta(df[k])
    assert str(df["wait"].dtype).startswith("timedelta64")
    got = metrics({k: df[k] for k in DURATIONS})
    want = metrics(numbers)
    assert got == want
    assert got.n_missing == 1
    # the call without a recorded wait is omitted with its handle times: five
    # handled calls, talk + hold + acw = 290, 500, 180, 375 and 535 s
    assert (got.handled, got.aht) == (5, 376.0)


def test_polars_duration_columns_equal_seconds(numbers):
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(
        {
            k: [
                None if v is None else dt.timedelta(seconds=seconds(v))
                for v in EXPORT[k]
            ]
            for k in DURATIONS
        }
    )
    assert df.schema["wait"] == pl.Duration("us")
    got = metrics({k: df[k] for k in DURATIONS})
    assert got == metrics(numbers)


def test_numpy_and_datetime_timedeltas_equal_seconds(numbers):
    as_m8 = {
        k: np.array(
            [
                np.timedelta64("NaT")
                if np.isnan(v)
                else np.timedelta64(int(v * 1000), "ms")
                for v in numbers[k]
            ]
        )
        for k in DURATIONS
    }
    as_py = {
        k: [None if np.isnan(v) else dt.timedelta(seconds=float(v)) for v in numbers[k]]
        for k in DURATIONS
    }
    want = metrics(numbers)
    assert metrics(as_m8) == want
    assert metrics(as_py) == want


# the sales 09:30 cell holds only the call without a recorded wait: NaN, warned
@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_grouped_by_queue_and_half_hour_with_timedeltas(numbers):
    pd = pytest.importorskip("pandas")
    arrived = pd.to_datetime(pd.Series(EXPORT["arrived"])).to_numpy()
    cols = {k: pd.to_timedelta(pd.Series(EXPORT[k])) for k in DURATIONS}
    got = metrics(
        cols, by=EXPORT["queue"], arrived=arrived, interval=dt.timedelta(minutes=30)
    )
    want = metrics(numbers, by=EXPORT["queue"], arrived=arrived, interval=1800)
    same_columns(got, want)
    assert got.to_dict()["interval"].astype(str).tolist()[:2] == [
        "2026-03-02T09:00:00.000000000",
        "2026-03-02T09:30:00.000000000",
    ]
    also = metrics(
        numbers, by=EXPORT["queue"], arrived=arrived, interval=np.timedelta64(30, "m")
    )
    same_columns(also, want)


def test_threshold_and_short_abandon_as_timedeltas(numbers):
    pd = pytest.importorskip("pandas")
    a = cx.ContactScheme(
        threshold=dt.timedelta(seconds=20), short_abandon=np.timedelta64(5, "s")
    )
    b = cx.ContactScheme(threshold=20, short_abandon=5)
    assert a == b
    c = cx.ContactScheme(
        threshold=pd.Timedelta(minutes=1), short_abandon=pd.Timedelta(0)
    )
    assert c.threshold == 60.0
    got = metrics(numbers, scheme=c)
    # answered within 60 s: 12, 45, 3, 20 of 7 offered (one wait missing)
    assert (got.met, got.n) == (4, 7)
    # the state stores seconds: merging with a state built with numbers works
    s1 = cx.ContactState.from_contacts([5.0, 30.0], [False, False], scheme=a)
    s2 = cx.ContactState.from_contacts(
        np.array([12, 40], dtype="m8[s]"), [False, True], scheme=b
    )
    assert (s1 + s2).compute().met == 2


@given(
    hnp.arrays(np.int64, st.integers(0, 40), elements=st.integers(0, 10**7)),
    st.data(),
)
def test_timedelta_state_equals_seconds_state(ms, data):
    n = ms.shape[0]
    ab = data.draw(hnp.arrays(np.bool_, n))
    talk = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 10**7)))
    threshold_ms = data.draw(st.integers(0, 10**6))
    with_td = cx.ContactState.from_contacts(
        ms.astype("m8[ms]"),
        ab,
        talk=talk.astype("m8[ms]"),
        scheme=cx.ContactScheme(threshold=np.timedelta64(threshold_ms, "ms")),
    )
    with_numbers = cx.ContactState.from_contacts(
        ms / 1000.0,
        ab,
        talk=talk / 1000.0,
        scheme=cx.ContactScheme(threshold=threshold_ms / 1000.0),
    )
    assert with_td == with_numbers


def test_missing_timedeltas_follow_nan_policy():
    wait = np.array([10, "NaT", 30], dtype="m8[s]")
    with pytest.raises(
        MissingValueError, match=r"`wait` contains 1 missing value.*index 1"
    ):
        cx.contact_metrics(wait, [False, False, False])
    res = cx.contact_metrics(wait, [False, False, False], nan_policy="omit")
    assert (res.n, res.n_missing, res.asa) == (2, 1, 20.0)
    with pytest.raises(MissingValueError, match="`talk` is missing for 1 answered"):
        cx.contact_metrics(
            [5, 8], [False, False], talk=np.array([60, "NaT"], dtype="m8[s]")
        )


def test_bad_timedeltas_are_refused():
    with pytest.raises(
        InvalidInputError, match=r"`wait` must be non-negative; got -5\.0 at index 1"
    ):
        cx.contact_metrics(np.array([5, -5], dtype="m8[s]"), [False, False])
    with pytest.raises(InvalidInputTypeError, match="`talk` mixes time deltas with 30"):
        cx.contact_metrics([5, 8], [False, False], talk=[dt.timedelta(seconds=20), 30])
    with pytest.raises(
        InvalidInputError, match=r"`threshold` must be >= 0; got -10\.0"
    ):
        cx.ContactScheme(threshold=dt.timedelta(seconds=-10))
    with pytest.raises(MissingValueError, match="`short_abandon` contains 1 missing"):
        cx.ContactScheme(short_abandon=np.timedelta64("NaT"))
    with pytest.raises(InvalidInputError, match=r"`interval` must be > 0; got 0\.0"):
        cx.contact_metrics([5], [False], arrived=[0.0], interval=dt.timedelta(0))


# ------------------------------------------------------------------ occupancy


def test_occupancy_accepts_timedeltas_and_refuses_a_share_above_one(numbers):
    res = metrics(numbers)
    handle = res.aht * res.handled
    assert res.occupancy(dt.timedelta(hours=1)) == pytest.approx(handle / 3600)
    assert res.occupancy(np.timedelta64(2, "h")) == res.occupancy(7200)
    # available time in hours against handle times in seconds: refused, not 1800%
    with pytest.raises(
        InvalidInputError,
        match=r"`available_time` must be at least the handle time .*got 0.5 against "
        r"a handle time of 1880 \(occupancy 3760 > 1",
    ):
        res.occupancy(0.5)
    assert res.occupancy(handle) == 1.0


def test_grouped_occupancy_with_a_timedelta_column(numbers):
    pd = pytest.importorskip("pandas")
    res = metrics(numbers, by=EXPORT["queue"])
    handle = res.aht * res.handled
    avail = pd.Series(pd.to_timedelta(["01:00:00", "00:30:00"]))
    np.testing.assert_allclose(res.occupancy(avail), handle / np.array([3600, 1800]))
    with pytest.raises(InvalidInputError, match=r"at index 1 \(occupancy"):
        res.occupancy(pd.Series(pd.to_timedelta(["01:00:00", "00:05:00"])))


def test_occupancy_without_time_or_handling_is_undefined():
    res = cx.contact_metrics([5.0], [True])
    with pytest.warns(UndefinedMetricWarning, match="occupancy is undefined"):
        assert np.isnan(res.occupancy(0))
    assert res.occupancy(dt.timedelta(minutes=5)) == 0.0
