"""Observed contact-centre metrics: definitions, oracle, grouping, merge law, errors."""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
    UndefinedMetricWarning,
)
from strategies import split_points

DEFINITIONS = ["offered", "answered", "excluding_short_abandons", "abandons_met"]

# seven contacts; T = 20, short abandons under 5 s
WAIT = [4, 18, 25, 60, 2, 45, 3]
ABANDONED = [False, False, False, False, True, True, False]


def test_worked_example_all_definitions():
    scheme = cx.ContactScheme(threshold=20, short_abandon=5)
    got = {
        d: cx.contact_metrics(WAIT, ABANDONED, scheme=scheme, definition=d)
        for d in DEFINITIONS
    }
    # answered within 20 s: 4, 18, 3 -> 3 of 7 offered, of 5 answered; one short
    # abandon (2 s): 3 / 6; abandoned within 20 s: the 2 s one -> (3 + 1) / 7
    assert (got["offered"].met, got["offered"].n) == (3, 7)
    assert (got["answered"].met, got["answered"].n) == (3, 5)
    assert (got["excluding_short_abandons"].met, got["excluding_short_abandons"].n) == (
        3,
        6,
    )
    assert (got["abandons_met"].met, got["abandons_met"].n) == (4, 7)
    assert got["offered"].value == 3 / 7
    res = got["offered"]
    assert res.abandon_rate == 2 / 7
    assert res.abandon_rate_excluding_short == 1 / 6
    assert res.asa == (4 + 18 + 25 + 60 + 3) / 5
    assert res.mean_wait == sum(WAIT) / 7
    assert res.service_level == res.value


def contacts_reference(wait, abandoned, threshold, short, definition):
    """Plain-loop oracle in exact rationals."""
    offered = len(wait)
    answered = [w for w, a in zip(wait, abandoned, strict=True) if not a]
    gone = [w for w, a in zip(wait, abandoned, strict=True) if a]
    within = sum(1 for w in answered if w <= threshold)
    short_n = sum(1 for w in gone if w < short)
    met, n = within, offered
    if definition == "answered":
        n = len(answered)
    elif definition == "excluding_short_abandons":
        n = offered - short_n
    elif definition == "abandons_met":
        met = within + sum(1 for w in gone if w <= threshold)
    return {
        "value": Fraction(met, n) if n else None,
        "abandon_rate": Fraction(len(gone), offered) if offered else None,
        "asa": sum(Fraction(w) for w in answered) / len(answered) if answered else None,
        "mean_wait": sum(Fraction(w) for w in wait) / offered if offered else None,
    }


waits = hnp.arrays(
    np.float64,
    st.integers(1, 60),
    elements=st.floats(0, 120).map(lambda v: round(v, 1)),
)


@given(waits, st.data(), st.sampled_from(DEFINITIONS))
def test_oracle(wait, data, definition):
    abandoned = np.array(
        data.draw(st.lists(st.booleans(), min_size=wait.size, max_size=wait.size))
    )
    scheme = cx.ContactScheme(threshold=20, short_abandon=4)
    ref = contacts_reference(wait.tolist(), abandoned.tolist(), 20, 4, definition)
    if ref["value"] is None:
        with pytest.warns(UndefinedMetricWarning, match="zero contacts"):
            res = cx.contact_metrics(
                wait, abandoned, scheme=scheme, definition=definition
            )
        assert math.isnan(res.value)
    else:
        res = cx.contact_metrics(wait, abandoned, scheme=scheme, definition=definition)
        assert res.value == pytest.approx(float(ref["value"]), rel=1e-15)
        low, high = res.confidence_interval()
        assert low <= res.value <= high
    assert res.abandon_rate == pytest.approx(float(ref["abandon_rate"]), rel=1e-15)
    if ref["asa"] is not None:
        assert res.asa == pytest.approx(float(ref["asa"]), rel=1e-12)
    assert res.mean_wait == pytest.approx(float(ref["mean_wait"]), rel=1e-12)


@given(waits, st.data())
def test_grouped_equals_per_group(wait, data):
    n = wait.size
    abandoned = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    by = np.array(
        data.draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        grouped = cx.contact_metrics(wait, abandoned, by=by, definition="answered")
        for key in grouped.keys:
            sel = by == key
            one = cx.contact_metrics(wait[sel], abandoned[sel], definition="answered")
            row = grouped[key]
            for field in ("met", "n", "offered", "answered", "abandoned"):
                assert getattr(row, field) == getattr(one, field)
            for field in ("value", "asa", "mean_wait", "abandon_rate"):
                a, b = getattr(row, field), getattr(one, field)
                assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(
                    b, rel=1e-14
                )


@given(waits, st.data())
def test_merge_law(wait, data):
    n = wait.size
    abandoned = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    talk = np.round(np.linspace(30, 300, n), 1)
    cuts = data.draw(split_points(n))
    scheme = cx.ContactScheme(threshold=15, short_abandon=3)
    parts = [
        cx.ContactState.from_contacts(w, a, talk=t, scheme=scheme)
        for w, a, t in zip(
            np.split(wait, cuts),
            np.split(abandoned, cuts),
            np.split(talk, cuts),
            strict=True,
        )
    ]
    merged = functools.reduce(operator.add, parts, cx.ContactState.empty(scheme))
    whole = cx.ContactState.from_contacts(wait, abandoned, talk=talk, scheme=scheme)
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_allclose(merged.sums, whole.sums, rtol=1e-12)
    a, b = parts[0], parts[-1]
    assert a + b == b + a
    assert a + cx.ContactState.empty(scheme) == a
    assert sum(parts).counts.tolist() == whole.counts.tolist()


@given(waits, st.data())
def test_grouped_merge_law(wait, data):
    n = wait.size
    abandoned = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    by = np.array(
        data.draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n))
    )
    arrived = np.cumsum(np.full(n, 400.0))
    cuts = data.draw(split_points(n))
    parts = [
        cx.GroupedContactState.from_contacts(w, a, by=g, arrived=t, interval=1800)
        for w, a, g, t in zip(
            np.split(wait, cuts),
            np.split(abandoned, cuts),
            np.split(by, cuts),
            np.split(arrived, cuts),
            strict=True,
        )
        if w.size
    ]
    merged = functools.reduce(operator.add, parts, cx.GroupedContactState.empty())
    whole = cx.GroupedContactState.from_contacts(
        wait, abandoned, by=by, arrived=arrived, interval=1800
    )
    assert merged.keys.tolist() == whole.keys.tolist()
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_allclose(merged.sums, whole.sums, rtol=1e-12)


def test_intervals_and_groups():
    t0 = np.datetime64("2024-05-01T09:00:00")
    arrived = t0 + np.array([10, 900, 1810, 1900, 3700, 20], dtype="m8[s]")
    wait = [5, 30, 12, 2, 8, 25]
    ab = [False, False, True, False, False, False]
    team = ["a", "b", "a", "a", "b", "b"]
    by_interval = cx.contact_metrics(wait, ab, arrived=arrived, interval=1800)
    cols = by_interval.to_dict()
    assert cols["interval"].astype(str).tolist() == [
        "2024-05-01T09:00:00",
        "2024-05-01T09:30:00",
        "2024-05-01T10:00:00",
    ]
    assert cols["offered"].tolist() == [3, 2, 1]
    cells = cx.contact_metrics(wait, ab, by=team, arrived=arrived, interval=1800)
    cols = cells.to_dict()
    assert cols["key"].tolist() == ["a", "a", "b", "b"]
    assert cols["offered"].tolist() == [1, 2, 2, 1]
    row = cells[("a", np.datetime64("2024-05-01T09:30:00"))]
    assert (row.offered, row.abandoned, row.value) == (2, 1, 0.5)
    assert by_interval[np.datetime64("2024-05-01T10:00:00")].offered == 1
    with pytest.raises(KeyError, match="no group"):
        cells[("c", t0)]
    # the levels of a group key: every one reported, empty ones with a warning
    with pytest.warns(UndefinedMetricWarning, match="1 group"):
        res = cx.contact_metrics(wait, ab, by=team, levels=["b", "a", "c"])
    assert res.keys.tolist() == ["b", "a", "c"]
    assert res["c"].n == 0


def test_handle_times_and_occupancy():
    res = cx.contact_metrics(
        [5, 9, 30, 4],
        [False, False, True, False],
        talk=[200, 300, np.nan, 250],
        hold=[0, 60, None, 30],
        acw=[40, 60, np.nan, 20],
    )
    assert res.handled == 3
    assert res.aht == pytest.approx((240 + 420 + 300) / 3)
    assert res.aht == pytest.approx(res.talk + res.hold + res.acw)
    handles = np.array([240.0, 420.0, 300.0])
    assert res.aht_standard_error == pytest.approx(
        handles.std(ddof=1) / math.sqrt(3), rel=1e-12
    )
    assert res.occupancy(available_time=1920) == pytest.approx(960 / 1920)
    grouped = cx.contact_metrics([5, 9], [False, False], talk=[100, 300], by=[1, 2])
    np.testing.assert_allclose(grouped.occupancy([200, 600]), [0.5, 0.5])
    with pytest.raises(
        MissingValueError, match=r"`talk` is missing for 1 answered contact"
    ):
        cx.contact_metrics([5, 9], [False, False], talk=[100, np.nan])


def test_intervals_and_missing_policy():
    res = cx.contact_metrics([5, np.nan, 30], [False, False, False], nan_policy="omit")
    assert (res.offered, res.n_missing, res.met) == (2, 1, 1)
    with pytest.raises(
        MissingValueError,
        match=r"`wait` contains 1 missing value\(s\) \(NaN/None\), the first at index 1",
    ):
        cx.contact_metrics([5, np.nan, 30], [False, False, False])


def test_confidence_intervals_reuse_wilson():
    res = cx.contact_metrics([5] * 80 + [30] * 20, [False] * 100)
    ci = cx.stats.proportion_interval(80, 100)
    assert res.confidence_interval() == (float(ci.low), float(ci.high))
    grouped = cx.contact_metrics([5, 30, 5, 5], [False] * 4, by=[1, 1, 2, 2])
    both = grouped.confidence_interval()
    assert both.low.shape == (2,)
    assert "ci_low" in grouped.to_dict()


def test_empty_input_warns():
    with pytest.warns(UndefinedMetricWarning, match="zero contacts"):
        res = cx.contact_metrics([], [])
    assert res.n == 0
    assert math.isnan(res.value)


def test_waits_from_instants():
    arrived = np.array(["2024-05-01T09:00:00", "2024-05-01T09:00:10"], dtype="M8[s]")
    answered = np.array(["2024-05-01T09:00:12", "NaT"], dtype="M8[s]")
    abandoned = np.array(["NaT", "2024-05-01T09:01:00"], dtype="M8[s]")
    wait, flags = cx.waits_from_instants(arrived, answered, abandoned)
    assert wait.tolist() == [12.0, 50.0]
    assert flags.tolist() == [False, True]
    wait, flags = cx.waits_from_instants([0.0, 5.0], [3.0, None], [None, 9.5])
    assert wait.tolist() == [3.0, 4.5]
    utc = dt.UTC
    aware = [
        dt.datetime(2024, 5, 1, 9, 0, tzinfo=utc),
        dt.datetime(2024, 5, 1, 9, 1, tzinfo=utc),
    ]
    wait, _ = cx.waits_from_instants(
        aware,
        [aware[0] + dt.timedelta(seconds=7), None],
        [None, aware[1] + dt.timedelta(seconds=2)],
    )
    assert wait.tolist() == [7.0, 2.0]
    with pytest.raises(
        InvalidInputError, match="contact 0 has both an answer and an abandon"
    ):
        cx.waits_from_instants([0.0], [1.0], [2.0])
    with pytest.raises(InvalidInputError, match="contact 1 has neither"):
        cx.waits_from_instants([0.0, 1.0], [1.0, None])
    with pytest.raises(
        InvalidInputError,
        match=r"a contact ends before it arrives: answered/abandoned 2 s before `arrived` at index 0",
    ):
        cx.waits_from_instants([5.0], [3.0])
    with pytest.raises(
        InvalidInputTypeError, match="both be datetimes or both be numbers"
    ):
        cx.waits_from_instants(arrived, [1.0, None], [None, 2.0])
    naive = dt.datetime(2024, 5, 1, 9, 0)
    with pytest.raises(
        InvalidInputError, match="mixes naive and timezone-aware datetimes"
    ):
        cx.waits_from_instants(np.array([naive, aware[0]], dtype=object), [3.0, None])


def test_errors():
    with pytest.raises(
        InvalidInputError,
        match=r"`wait` must be non-negative; got -3\.0 at index 1 \(1 negative value\(s\)\)",
    ):
        cx.contact_metrics([5, -3], [False, False])
    with pytest.raises(
        InvalidInputError,
        match=r"`abandoned` must have the same length as `wait` \(2\); got 3",
    ):
        cx.contact_metrics([5, 3], [False, False, True])
    with pytest.raises(
        InvalidInputError,
        match=r"`abandoned` must be booleans \(or 0/1\); got 2 at index 1",
    ):
        cx.contact_metrics([5, 3], [0, 2])
    with pytest.raises(InvalidInputError, match=r"`wait` must be finite; got inf"):
        cx.contact_metrics([5, np.inf], [False, False])
    with pytest.raises(
        InvalidInputError, match=r"`by` must have the same length as `wait`"
    ):
        cx.contact_metrics([5, 3], [False, False], by=["a"])
    with pytest.raises(InvalidInputError, match="give `interval` too"):
        cx.contact_metrics([5, 3], [False, False], arrived=[0, 1])
    with pytest.raises(InvalidInputError, match="`interval` needs `arrived`"):
        cx.contact_metrics([5, 3], [False, False], interval=1800)
    with pytest.raises(InvalidInputError, match=r"`interval` must be > 0"):
        cx.contact_metrics([5, 3], [False, False], arrived=[0, 1], interval=0)
    with pytest.raises(InvalidInputError, match=r"`threshold` must be >= 0"):
        cx.ContactScheme(threshold=-1)
    with pytest.raises(InvalidInputTypeError, match="`wait` must be numeric"):
        cx.contact_metrics(["a", "b"], [False, False])
    with pytest.raises(IncompatibleStateError, match="cannot merge"):
        cx.ContactState.empty() + cx.ContactState.empty(cx.ContactScheme(threshold=30))
    a = cx.GroupedContactState.from_contacts([5], [False], by=["a"])
    b = cx.GroupedContactState.from_contacts([5], [False], by=[1])
    with pytest.raises(IncompatibleStateError, match="different types"):
        a + b


def test_state_round_trip_and_lookup():
    s = cx.GroupedContactState.from_contacts(
        [5, 30, 12], [False, False, True], by=["a", "b", "a"]
    )
    assert s["a"] == cx.ContactState.from_contacts([5, 12], [False, True])
    assert len(s) == 2
    assert s.n.tolist() == [2, 1]
    assert s.compute(definition="answered").value.tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="read-only"):
        s.counts[0, 0] = 9
