"""The bracketed bisection of agents_required (Erlang C) equals the step-by-step scan.

The fast path stores the Erlang B recursion up to a square-root-staffing bracket
and bisects on it; rows whose bracket does not hold the answer (very tight
targets, small ASA bounds) go to the scan. Every field must equal what the scan
alone gives, bit for bit, including rows in small batches of the store.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.staffing import _required, _search

FIELDS = (
    "agents",
    "headcount",
    "service_level",
    "wait_probability",
    "asa",
    "occupancy",
    "binding",
)


def _scan_only(monkeypatch, **kw):
    monkeypatch.setattr(_required, "_bisect_erlang_c", lambda *args: args[2])
    return cx.agents_required(**kw)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.01, 400.0), min_size=1, max_size=30),
    st.floats(0.05, 1.0),
    st.floats(0.0, 120.0),
    st.floats(5.0, 900.0),
    st.one_of(st.none(), st.floats(0.01, 300.0)),
    st.one_of(st.none(), st.floats(0.3, 1.0)),
    st.integers(1, 400),
)
def test_bisection_equals_scan(traffic, target, t, aht, max_asa, max_occ, store):
    kw = {
        "traffic": np.asarray(traffic),
        "aht": aht,
        "target_service_level": target,
        "threshold": t,
        "max_asa": max_asa,
        "max_occupancy": max_occ,
        "shrinkage": 0.2,
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_search, "_STORE", store)  # tiny batches too
        fast = cx.agents_required(**kw)
    with pytest.MonkeyPatch.context() as mp:
        slow = _scan_only(mp, **kw)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), name)


def test_rows_beyond_the_bracket_take_the_scan():
    # a target of 1 and an ASA bound of a millisecond need far more than A + 3 sqrt(A)
    kw = {"aht": 300.0, "threshold": 0.0, "target_service_level": 1.0}
    traffic = np.array([0.5, 20.0, 150.0])
    fast = cx.agents_required(traffic, **kw, max_asa=1e-3)
    with pytest.MonkeyPatch.context() as mp:
        slow = _scan_only(mp, traffic=traffic, **kw, max_asa=1e-3)
    top = _search._bracket_top(traffic, np.ones(3))
    assert (fast.agents > top).all()
    np.testing.assert_array_equal(fast.agents, slow.agents)
    np.testing.assert_array_equal(fast.service_level, slow.service_level)
