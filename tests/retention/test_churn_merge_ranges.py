"""Churn states over different ranges of periods (issue #20, item 16).

Activity logs split by customer give states over different periods (each ends
with its own last active period); they merge exactly into the state of the whole
log. States whose edges were cut by ``first``, ``last`` or ``as_of`` with customers
active there cannot be aligned and are refused.
"""

from __future__ import annotations

import functools
import json
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)

DAY = np.timedelta64(1, "D")
T0 = np.datetime64("2024-01-01", "D")


@st.composite
def activity_logs(draw):
    """(customer, time, chunk) of a log: a few customers, each in one chunk."""
    n_customers = draw(st.integers(1, 8))
    chunks = draw(
        st.lists(st.integers(0, 2), min_size=n_customers, max_size=n_customers)
    )
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, n_customers - 1), st.integers(0, 400)),
            min_size=1,
            max_size=40,
        )
    )
    customer = np.array([c for c, _ in rows])
    time = T0 + np.array([d for _, d in rows]) * DAY
    return customer, time, np.array(chunks)[customer]


@given(activity_logs(), st.sampled_from(["week", "month", "quarter"]))
def test_activity_states_of_customer_chunks_add_up_to_the_whole_log(log, freq):
    customer, time, chunk = log
    whole = cx.GroupedChurnState.from_activity(customer, time, freq=freq)
    parts = [
        cx.GroupedChurnState.from_activity(
            customer[chunk == k], time[chunk == k], freq=freq
        )
        for k in range(3)
    ]
    assert functools.reduce(operator.add, parts) == whole
    assert functools.reduce(operator.add, parts[::-1]) == whole
    assert parts[0] + (parts[1] + parts[2]) == (parts[0] + parts[1]) + parts[2]
    merged = functools.reduce(operator.add, parts)
    assert merged.activity_end == whole.activity_end
    assert (
        cx.GroupedChurnState.from_dict(json.loads(json.dumps(merged.to_dict())))
        == whole
    )


def test_a_customer_active_to_the_end_of_a_shorter_state_churns_in_the_next_period():
    # a: January and February; c: February to May (the audit's case: chunks of a
    # log split by customer end in different months)
    t = np.array(
        ["2024-01-03", "2024-02-07", "2024-02-02", "2024-05-02"], dtype="datetime64[D]"
    )
    a = cx.GroupedChurnState.from_activity(["a", "a"], t[:2])
    c = cx.GroupedChurnState.from_activity(["c", "c"], t[2:])
    assert a.activity_end
    assert len(a) == 2
    assert len(c) == 4
    with pytest.warns(UndefinedMetricWarning, match="1 period"):  # nobody in April
        res = (a + c).compute("stripe")
    assert res.keys.astype(str).tolist() == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
        "2024-05",
    ]
    # c is active February to May but inactive in March and April (spells are runs
    # of active periods): it churns in March and comes back in May
    assert res.at_start.tolist() == [0, 1, 2, 0, 0]
    assert res.churned.tolist() == [0, 0, 2, 0, 0]
    assert res.joined.tolist() == [1, 1, 0, 0, 1]
    assert (a + c) == cx.GroupedChurnState.from_activity(["a", "a", "c", "c"], t)


def test_states_cut_off_with_customers_active_at_the_edge_are_refused():
    # `as_of` censors the customers still active: what they do later is not
    # observed, so the state cannot be extended to later periods
    cut = cx.GroupedChurnState.from_spells(
        ["a"], ["2024-01-10"], [None], as_of="2024-03-15"
    )
    assert not cut.activity_end
    later = cx.GroupedChurnState.from_activity(
        ["b", "b"], np.array(["2024-02-01", "2024-06-01"], dtype="datetime64[D]")
    )
    with pytest.raises(IncompatibleStateError, match="active at the edge"):
        cut + later
    with pytest.raises(IncompatibleStateError, match="active at the edge"):
        later + cut
    # a state built from activity starting later has nobody active at its start,
    # and a window state with nobody active at its end is padded with zeros
    closed = cx.GroupedChurnState.from_spells(["a"], ["2024-01-10"], ["2024-02-20"])
    merged = closed + later
    assert merged.activity_end
    assert merged.churn_table.sum(axis=(1, 2)).tolist() == [0, 1, 1, 0, 0, 0]


def test_a_merge_with_a_cut_state_is_no_longer_extended():
    t = np.array(["2024-01-03", "2024-03-07"], dtype="datetime64[D]")
    act = cx.GroupedChurnState.from_activity(["a", "a"], t)
    cut = cx.GroupedChurnState.from_spells(
        ["b"], ["2024-01-10"], [None], as_of="2024-03-15"
    )
    both = act + cut
    assert not both.activity_end
    later = cx.GroupedChurnState.from_activity(
        ["c"], np.array(["2024-05-01"], dtype="datetime64[D]")
    )
    with pytest.raises(IncompatibleStateError, match="active at the edge"):
        both + later


def test_activity_end_round_trips_and_is_checked():
    t = np.array(["2024-01-03", "2024-02-07"], dtype="datetime64[D]")
    state = cx.GroupedChurnState.from_activity(["a", "a"], t)
    d = json.loads(json.dumps(state.to_dict()))
    assert d["activity_end"] is True
    assert cx.GroupedChurnState.from_dict(d) == state
    # dicts written before the field existed load as states over a window
    del d["activity_end"]
    assert not cx.GroupedChurnState.from_dict(d).activity_end
    d["activity_end"] = "yes"
    with pytest.raises(InvalidInputTypeError, match="`activity_end`"):
        cx.GroupedChurnState.from_dict(d)
