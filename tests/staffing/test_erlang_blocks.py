"""The Erlang B recursion advanced a block of agents at a time (staffing._blocks).

Every form (whole blocks on blocks x rows arrays and the streaming loop for
many rows behind erlang_b; block by block and streaming for the table
agents_required bisects on) must give the same values bit for bit, and agree
with the step-by-step recursion to about 1e-14 relative.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.staffing import _blocks, _erlang, _search
from cxmetrics.staffing._blocks import (
    BLOCK,
    block_store,
    coefficients,
    stream_erlang_b,
    stream_store,
)

traffic = st.floats(1e-3, 1e5, allow_nan=False, allow_infinity=False)
#: agreement with the step recursion: A**16 is squared in np.longdouble, which has
#: a 64-bit significand on x86 (measured within 1.3e-14); where it is plain
#: float64 (e.g. arm64 macOS, Windows) the carried power drifts more (4.4e-14 seen)
RTOL = 2e-14 if np.finfo(np.longdouble).nmant > 52 else 1e-13


def _step(a, n):
    """The step-by-step recursion B(n) = A B(n-1) / (n + A B(n-1)), one row."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(traffic, st.integers(0, 3000)), min_size=1, max_size=20))
def test_agrees_with_the_step_recursion(rows):
    a = np.array([r[0] for r in rows])
    n = np.array([float(r[1]) for r in rows])
    got = _erlang.erlang_b_kernel(a, n)
    want = _erlang._step_recursion(a, n)
    big = want > 1e-290  # below, both are denormal or 0
    np.testing.assert_allclose(got[big], want[big], rtol=RTOL, atol=0)
    assert np.all(np.abs(got[~big] - want[~big]) <= 1e-300)


@pytest.mark.parametrize("a", [1e-3, 0.5, 7.3, 49.5, 200.0, 3000.0, 1e5])
def test_step_recursion_reference_matches_the_loop(a):
    # the vectorised reference used above is the textbook recursion
    n = np.array([0.0, 1.0, 17.0, 250.0])
    ref = np.array([_step(a, int(k)) for k in n])
    np.testing.assert_array_equal(_erlang._step_recursion(np.full(4, a), n), ref)


@settings(max_examples=40, deadline=None)
@given(traffic, st.integers(0, 600))
def test_decreasing_in_agents(a, n):
    b = cx.erlang_b(a, [n, n + 1, n + BLOCK])
    assert 1.0 >= b[0] >= b[1] >= b[2] >= 0.0
    assert b[1] < b[0] or b[0] == 0.0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(traffic, st.integers(0, 900)), min_size=1, max_size=40))
def test_batch_equals_single_rows_and_streaming_equals_blocks(rows):
    a = np.array([r[0] for r in rows])
    n = np.array([float(r[1]) for r in rows])
    batch = _erlang.erlang_b_kernel(a, n)
    single = [
        _erlang.erlang_b_kernel(a[i : i + 1], n[i : i + 1])[0] for i in range(a.size)
    ]
    np.testing.assert_array_equal(batch, single)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_erlang, "STREAM_ROWS", 1)  # the streaming form on any batch
        np.testing.assert_array_equal(_erlang.erlang_b_kernel(a, n), batch)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_erlang, "_CHUNK", 1)  # one row per run of blocks
        np.testing.assert_array_equal(_erlang.erlang_b_kernel(a, n), batch)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(traffic, st.integers(1, 700)), min_size=1, max_size=12))
def test_the_forms_of_the_block_recursion_agree(rows):
    a = np.array([r[0] for r in rows])
    n = np.array([r[1] for r in rows], dtype=np.int64)
    order = np.argsort(-n, kind="stable")
    a, n = a[order], n[order]
    # every agent count 1 .. n_i of every row, by the kernel's block form
    idx = np.concatenate([np.full(k, i) for i, k in enumerate(n)])
    ks = np.concatenate([np.arange(1, k + 1) for k in n])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_erlang, "STREAM_ROWS", 10**9)
        want = _erlang.erlang_b_kernel(a[idx], ks.astype(np.float64))
    # the kernel's streaming form, stopping each row at its own n
    np.testing.assert_array_equal(stream_erlang_b(a, n), want[np.cumsum(n) - 1])
    # the tables of agents_required's search, block by block and streaming
    for low in (np.zeros_like(n), n // 2):
        need = ks > low[idx]
        for store in (block_store(a, n, low), stream_store(a, n, low)):
            np.testing.assert_array_equal(store[ks, idx][need], want[need])


def test_coefficients_do_not_depend_on_the_range():
    whole = coefficients(40)
    np.testing.assert_array_equal(coefficients(10, 30), whole[30:])
    np.testing.assert_array_equal(coefficients(1, 7)[0], whole[7])
    # c[b, j] = 1 / ((16 b + 1) ... (16 b + j + 1))
    np.testing.assert_allclose(whole[2, 3], 1.0 / (33 * 34 * 35 * 36), rtol=1e-15)


def test_edge_traffic():
    a = np.array([0.0, 1e-300, 1e-10, 1e9, 2e9])
    n = np.array([5.0, 2.0, 40.0, 9_000.0, 10.0])
    got = _erlang.erlang_b_kernel(a, n)
    want = _erlang._step_recursion(a, n)
    assert got[0] == 0.0  # no traffic, agents: nobody is blocked
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-300)
    # above BLOCK_TRAFFIC_MAX the step-by-step form is used
    assert a[4] > _blocks.BLOCK_TRAFFIC_MAX
    assert got[4] == want[4]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0.01, 400.0), min_size=1, max_size=30),
    st.floats(0.05, 0.99),
    st.floats(0.0, 120.0),
    st.one_of(st.none(), st.floats(0.5, 60.0)),
)
def test_search_forms_agree(traffic_list, target, t, max_asa):
    """Every form of the store: one answer, with queue_metrics' figures."""
    kw = {
        "traffic": np.asarray(traffic_list),
        "aht": 180.0,
        "target_service_level": target,
        "threshold": t,
        "max_asa": max_asa,
    }
    base = cx.agents_required(**kw)
    for value in (1, 10**9):  # the store streaming, or block by block
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_search, "_STREAM", value)
            other = cx.agents_required(**kw)
        for field in ("agents", "service_level", "asa", "binding"):
            np.testing.assert_array_equal(getattr(other, field), getattr(base, field))
    at = cx.queue_metrics(kw["traffic"], base.agents, aht=180.0, threshold=t)
    np.testing.assert_array_equal(at.service_level, base.service_level)
    np.testing.assert_array_equal(at.wait_probability, base.wait_probability)
