"""Schedule adherence and conformance."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    MissingValueError,
    UndefinedMetricWarning,
)

STATES = ["phone", "email", "break", "off"]


def test_hand_computed_day():
    # 30-minute slices 09:00-11:30; scheduled 2 hours of work, 1.5 worked in place
    sched = ["phone", "phone", "break", "phone", "off"]
    actual = ["off", "break", "phone", "phone", "phone"]
    a = cx.adherence(sched, actual, durations=[30] * 5)
    assert a.scheduled == 120.0
    assert a.in_adherence == 30.0  # only 10:30-11:00 on the phone as planned
    assert a.worked == 120.0  # late start made up by staying on
    assert a.adherence == a.value == 0.25
    assert a.conformance == 1.0


def test_state_log_export_with_agents_and_missing_rows():
    pd = pytest.importorskip("pandas")
    csv = (
        "agent_id,start,minutes,scheduled,actual\n"
        "007,2026-03-02T09:00:00+01:00,15,phone,phone\n"
        "007,2026-03-02T09:15:00+01:00,15,phone,email\n"
        "007,2026-03-02T09:30:00+01:00,15,break,break\n"
        "012,2026-03-02T09:00:00+01:00,15,phone,\n"
        "012,2026-03-02T09:15:00+01:00,15,phone,phone\n"
        "012,2026-03-02T09:30:00+01:00,15,off,phone\n"
    )
    df = pd.read_csv(io.StringIO(csv), dtype={"agent_id": str})
    with pytest.raises(
        MissingValueError, match="`actual` has a missing value at index 3"
    ):
        cx.adherence(df["scheduled"], df["actual"], by=df["agent_id"])
    g = cx.adherence(
        df["scheduled"],
        df["actual"],
        durations=df["minutes"],
        by=df["agent_id"],
        nan_policy="omit",
    )
    assert g.keys.tolist() == ["007", "012"]
    assert g["007"].adherence == pytest.approx(30 / 45)
    assert g["007"].conformance == 1.0
    assert g["012"].n_missing == 1
    assert g["012"].scheduled == 15.0
    assert g["012"].conformance == 2.0  # worked 09:30 unscheduled
    timed = cx.adherence(
        df["scheduled"],
        df["actual"],
        durations=pd.to_timedelta(df["minutes"], unit="min"),
        nan_policy="omit",
    )
    assert timed.scheduled == 60 * 60.0  # seconds


def test_errors_and_undefined():
    with pytest.raises(InvalidInputError, match="actual"):
        cx.adherence(["phone"], ["phone", "off"])
    with pytest.raises(InvalidInputError, match="`nan_policy` must be one of"):
        cx.adherence(["phone"], ["phone"], nan_policy="drop")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError,
        match=r"`durations` must be non-negative; got -5.0 at index 0",
    ):
        cx.adherence(["phone"], ["phone"], durations=[-5])
    with pytest.warns(UndefinedMetricWarning, match="no scheduled working time"):
        a = cx.adherence(["off"], ["phone"])
    assert np.isnan(a.adherence)
    with pytest.warns(UndefinedMetricWarning, match="1 group"):
        g = cx.adherence(["off", "phone"], ["off", "phone"], by=["a", "b"])
    assert np.isnan(g["a"].adherence)
    assert g["b"].adherence == 1.0


@settings(max_examples=80)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(STATES),
            st.sampled_from(STATES),
            st.integers(1, 60),
            st.sampled_from(["a", "b", "c"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_property_bounds_and_grouped_equals_scalar(rows):
    s, a, t, agent = (np.array(c) for c in zip(*rows, strict=True))
    if not (s != "off").any():
        return
    r = cx.adherence(s, a, durations=t)
    assert 0.0 <= r.adherence <= 1.0
    assert r.in_adherence <= min(r.scheduled, r.worked)
    # identical schedule and actual: perfect adherence and conformance
    same = cx.adherence(s, s, durations=t)
    assert same.adherence == 1.0
    assert same.conformance == 1.0
    # grouped sums equal the whole
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        g = cx.adherence(s, a, durations=t, by=agent)
    assert g.scheduled.sum() == pytest.approx(r.scheduled)
    assert g.in_adherence.sum() == pytest.approx(r.in_adherence)
    for k in g.keys.tolist():
        rows_k = agent == k
        if (s[rows_k] != "off").any():
            one = cx.adherence(s[rows_k], a[rows_k], durations=t[rows_k])
            assert g[k].adherence == pytest.approx(one.adherence)
