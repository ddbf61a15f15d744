"""The Erlang B recursion advanced a block of agents at a time (staffing._blocks).

Every form (blocks on rows x blocks arrays, the streaming loop for many rows,
single blocks asked for by the search) must give the same values bit for bit,
and agree with the step-by-step recursion to about 1e-14 relative.
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
    block_starts,
    block_table,
    stream_erlang_b,
    stream_starts,
)

traffic = st.floats(1e-3, 1e5, allow_nan=False, allow_infinity=False)


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
    np.testing.assert_allclose(got[big], want[big], rtol=2e-14, atol=0)
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
@given(st.lists(traffic, min_size=1, max_size=12), st.integers(1, 40))
def test_the_forms_of_the_block_recursion_agree(a_list, blocks):
    a = np.array(a_list)
    starts = block_starts(a, blocks)
    # the streaming loop, stopping rows at different blocks
    last = np.sort(np.arange(a.size) % blocks + 1)[::-1]
    streamed = stream_starts(a, last)
    for i in range(a.size):
        np.testing.assert_array_equal(
            streamed[: last[i] + 1, i], starts[: last[i] + 1, i]
        )
    # a block's cells, asked for alone; its last cell is 1 / the next start
    block = np.arange(blocks)[:, None] + np.zeros(a.size, dtype=np.int64)
    table = block_table(a, block, starts[:-1])
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(table[-1], 1.0 / starts[1:])
    # the same block from a later start (the scan's segments)
    half = blocks // 2
    later = block_starts(a, blocks - half, half, starts[half])
    np.testing.assert_array_equal(later, starts[half:])
    # every agent count, streamed row by row
    agents = np.full(a.size, blocks * BLOCK, dtype=np.int64)
    np.testing.assert_array_equal(stream_erlang_b(a, agents), table[-1, -1])


def test_edge_traffic():
    a = np.array([0.0, 1e-300, 1e-10, 1e9, 2e9])
    n = np.array([5.0, 2.0, 40.0, 9_000.0, 10.0])
    got = _erlang.erlang_b_kernel(a, n)
    want = _erlang._step_recursion(a, n)
    assert got[0] == 0.0  # no traffic, agents: nobody is blocked
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=2e-14, atol=1e-300)
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
    """Block ends and cells all at once or bisected, blocks or streaming: one answer."""
    kw = {
        "traffic": np.asarray(traffic_list),
        "aht": 180.0,
        "target_service_level": target,
        "threshold": t,
        "max_asa": max_asa,
    }
    base = cx.agents_required(**kw)
    for name, value in (("_COARSE", 0), ("STREAM_ROWS", 1), ("_ALL_CELLS", 0)):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_search, name, value)
            other = cx.agents_required(**kw)
        for field in ("agents", "service_level", "asa", "binding"):
            np.testing.assert_array_equal(getattr(other, field), getattr(base, field))
    at = cx.queue_metrics(kw["traffic"], base.agents, aht=180.0, threshold=t)
    np.testing.assert_array_equal(at.service_level, base.service_level)
    np.testing.assert_array_equal(at.wait_probability, base.wait_probability)
