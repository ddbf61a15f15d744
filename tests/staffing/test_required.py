"""agents_required: minimality, binding targets, rounding, and pyworkforce."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError, MissingValueError
from cxmetrics.staffing._required import RTOL


def meets(m, target, max_asa=math.inf, max_occupancy=1.0):
    """The documented rule, on a queue_metrics result."""
    return (
        m.service_level >= target * (1 - RTOL)
        and (m.asa <= max_asa * (1 + RTOL) or math.isinf(max_asa))
        and (m.occupancy <= max_occupancy * (1 + RTOL) or math.isnan(m.occupancy))
    )


@settings(deadline=None)
@given(
    st.floats(0.05, 150.0),
    st.floats(0.05, 0.99),
    st.floats(0.0, 120.0),
    st.floats(10.0, 900.0),
    st.one_of(st.none(), st.floats(1.0, 200.0)),
    st.one_of(st.none(), st.floats(0.5, 1.0)),
)
def test_erlang_c_answer_is_minimal(traffic, target, t, aht, max_asa, max_occ):
    r = cx.agents_required(
        traffic,
        aht=aht,
        target_service_level=target,
        threshold=t,
        max_asa=max_asa,
        max_occupancy=max_occ,
    )
    kw = {"aht": aht, "threshold": t}
    lim = {
        "max_asa": math.inf if max_asa is None else max_asa,
        "max_occupancy": 1.0 if max_occ is None else max_occ,
    }
    at = cx.queue_metrics(traffic, r.agents, **kw)
    below = cx.queue_metrics(traffic, r.agents - 1, **kw)
    assert meets(at, target, **lim)
    assert not meets(below, target, **lim) or r.agents - 1 <= traffic
    assert r.agents > traffic
    assert r.service_level == at.service_level
    assert r.asa == at.asa


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.2, 60.0),
    st.floats(0.05, 0.95),
    st.floats(0.0, 60.0),
    st.floats(10.0, 600.0),
    st.floats(0.1, 5.0),
    st.sampled_from(
        ["offered", "answered", "excluding_short_abandons", "abandons_met"]
    ),
)
def test_erlang_a_answer_is_minimal(traffic, target, t, aht, ratio, definition):
    kw = {
        "aht": aht,
        "threshold": t,
        "model": "erlang_a",
        "patience": ratio * aht,
        "definition": definition,
        "short_abandon": 3.0,
    }
    r = cx.agents_required(traffic, target_service_level=target, **kw)
    at = cx.queue_metrics(traffic, r.agents, **kw)
    assert meets(at, target)
    if r.agents > 0:
        below = cx.queue_metrics(traffic, r.agents - 1, **kw)
        assert not meets(below, target)


@settings(max_examples=25, deadline=None)
@given(
    st.floats(0.5, 60.0),
    st.integers(0, 80),
    st.floats(0.0, 60.0),
    st.floats(0.1, 5.0),
)
def test_erlang_a_service_level_increases_in_agents(traffic, agents, t, ratio):
    m = cx.queue_metrics(
        traffic,
        [agents, agents + 1],
        aht=100,
        threshold=t,
        model="erlang_a",
        patience=100 * ratio,
    )
    assert m.service_level[1] >= m.service_level[0] - 1e-15
    assert m.asa[1] <= m.asa[0] + 1e-12 or np.isnan(m.asa[0])
    assert m.abandon_probability[1] <= m.abandon_probability[0] + 1e-15


def test_vectorised_equals_row_by_row():
    rng = np.random.default_rng(5)
    traffic = rng.uniform(0.5, 80, 60)
    t = rng.uniform(5, 40, 60)
    target = rng.uniform(0.5, 0.95, 60)
    for model, extra in (("erlang_c", {}), ("erlang_a", {"patience": 150.0})):
        many = cx.agents_required(
            traffic,
            aht=200,
            target_service_level=target,
            threshold=t,
            model=model,
            **extra,
        )
        for i in range(0, 60, 7):
            one = cx.agents_required(
                float(traffic[i]),
                aht=200,
                target_service_level=float(target[i]),
                threshold=float(t[i]),
                model=model,
                **extra,
            )
            assert many[i] == one


def test_binding_targets():
    base = {"aht": 180, "threshold": 20}
    assert (
        cx.agents_required(10.0, target_service_level=0.8, **base).binding
        == "service_level"
    )
    assert (
        cx.agents_required(10.0, target_service_level=0.8, max_asa=5, **base).binding
        == "asa"
    )
    r = cx.agents_required(10.0, target_service_level=0.8, max_occupancy=0.65, **base)
    assert (r.agents, r.binding) == (16, "occupancy")
    # a lax target: the first stable staffing meets it
    r = cx.agents_required(10.0, target_service_level=0.01, **base)
    assert (r.agents, r.binding) == (11, "stability")
    both = cx.agents_required(10.0, target_service_level=0.9, max_asa=6.0, **base)
    assert both.binding == "service_level+asa"


def test_zero_traffic_needs_no_agents():
    r = cx.agents_required([0.0, 10.0], aht=180, target_service_level=0.8, threshold=20)
    assert r.agents.tolist() == [0, 14]
    assert r[0].binding == "none"
    assert (r[0].service_level, r[0].asa, r[0].occupancy) == (1.0, 0.0, 0.0)
    ra = cx.agents_required(
        0.0,
        aht=180,
        target_service_level=0.8,
        threshold=20,
        model="erlang_a",
        patience=60,
    )
    assert ra.agents == 0


def test_erlang_a_can_staff_below_the_traffic():
    r = cx.agents_required(
        10.0,
        aht=180,
        target_service_level=0.5,
        threshold=20,
        model="erlang_a",
        patience=60,
    )
    assert r.agents < 10
    assert 0 < r.abandon_probability < 1
    c = cx.agents_required(10.0, aht=180, target_service_level=0.5, threshold=20)
    assert c.agents > 10


def test_abandons_met_can_need_no_agents():
    # callers who all hang up within T "meet" the target under 'abandons_met'
    r = cx.agents_required(
        5.0,
        aht=300,
        target_service_level=0.8,
        threshold=60,
        model="erlang_a",
        patience=10,
        definition="abandons_met",
    )
    assert (r.agents, r.binding) == (0, "none")


def test_rounding_rules():
    # 4.9 Erlangs at a 70% occupancy cap: 7 agents (4.9 / 7 = 0.7), though
    # 4.9 / 0.7 = 7.000000000000001 in floating point
    r = cx.agents_required(
        4.9, aht=180, target_service_level=0.01, threshold=20, max_occupancy=0.7
    )
    assert (r.agents, r.binding) == (7, "occupancy")
    # headcount = smallest H with H (1 - s) >= N: 21 agents at 30% shrinkage -> 30
    r = cx.agents_required(
        16.5, aht=180, target_service_level=0.8, threshold=20, shrinkage=0.3
    )
    assert r.agents == 21
    assert math.ceil(21 / (1 - 0.3)) == 31  # the naive rule adds an agent
    assert r.headcount == 30
    r = cx.agents_required(
        10.0, aht=180, target_service_level=0.8, threshold=20, shrinkage=0.25
    )
    assert r.headcount == math.ceil(14 / 0.75)


def test_result_objects():
    r = cx.agents_required(
        arrival_rate=[50 / 1800, 100 / 1800],
        aht=180,
        target_service_level=0.8,
        threshold=20,
    )
    assert isinstance(r, cx.StaffingResultArray)
    assert isinstance(r[1], cx.StaffingResult)
    assert r.to_dict()["agents"].tolist() == [8, 14]
    assert "StaffingResultArray with 2 row(s)" in repr(r)
    assert "14 agents (14 scheduled at 0% shrinkage)" in str(r[1])
    grid = cx.agents_required(
        np.array([5.0, 10.0])[:, None],
        aht=180,
        target_service_level=np.array([0.7, 0.8, 0.9])[None, :],
        threshold=20,
    )
    assert grid.shape == (2, 3)
    assert grid[1, 1].agents == 14


def test_errors():
    base = {"aht": 180, "threshold": 20}
    with pytest.raises(
        InvalidInputError,
        match=r"`target_service_level` must lie in \(0, 1\]; got 0\.0\.",
    ):
        cx.agents_required(10.0, target_service_level=0.0, **base)
    with pytest.raises(
        InvalidInputError,
        match=r"`target_service_level` must lie in \(0, 1\]; got 80\.0\.",
    ):
        cx.agents_required(10.0, target_service_level=80, **base)
    with pytest.raises(
        InvalidInputError, match=r"`shrinkage` must lie in \[0, 1\); got 1\.0\."
    ):
        cx.agents_required(10.0, target_service_level=0.8, shrinkage=1.0, **base)
    with pytest.raises(
        InvalidInputError, match=r"`max_occupancy` must lie in \(0, 1\]"
    ):
        cx.agents_required(10.0, target_service_level=0.8, max_occupancy=1.5, **base)
    with pytest.raises(InvalidInputError, match=r"`max_asa` must be > 0"):
        cx.agents_required(10.0, target_service_level=0.8, max_asa=0, **base)
    with pytest.raises(
        InvalidInputError,
        match=r"`traffic` must be >= 0; got -2\.0 at index 1 \(1 value\(s\) out of range\)",
    ):
        cx.agents_required([1.0, -2.0], target_service_level=0.8, **base)
    with pytest.raises(InvalidInputError, match=r"`aht` must be > 0"):
        cx.agents_required(10.0, aht=-1, target_service_level=0.8, threshold=20)
    with pytest.raises(InvalidInputError, match=r"`patience` must be > 0"):
        cx.agents_required(
            10.0, target_service_level=0.8, model="erlang_a", patience=0, **base
        )


# ---- pyworkforce ---------------------------------------------------------------------


def _pyworkforce():
    return pytest.importorskip("pyworkforce.queuing")


def test_matches_pyworkforce_where_it_is_right():
    pw = _pyworkforce()
    rng = np.random.default_rng(2)
    for _ in range(60):
        calls = float(rng.uniform(5, 400))
        aht = float(rng.uniform(2, 8))  # minutes, as pyworkforce takes them
        t = float(rng.uniform(0.1, 1.0))
        target = float(rng.uniform(0.6, 0.95))
        e = pw.ErlangC(transactions=calls, aht=aht, asa=t, interval=30)
        a = e.intensity
        ours = cx.agents_required(a, aht=aht, target_service_level=target, threshold=t)
        for n in (math.floor(a) + 1, ours.agents, ours.agents + 3):
            m = cx.queue_metrics(a, n, aht=aht, threshold=t)
            assert m.wait_probability == pytest.approx(
                e.waiting_probability(n), rel=1e-12
            )
            assert m.service_level == pytest.approx(e.service_level(n), rel=1e-12)
            assert m.occupancy == pytest.approx(e.achieved_occupancy(n), rel=1e-15)
        theirs = e.required_positions(service_level=target)
        if a % 1 < 0.5:  # pyworkforce starts at round(A + 1); see the next test
            assert theirs["raw_positions"] == ours.agents


def test_pyworkforce_defects():
    pw = _pyworkforce()
    # 1. it starts its search at round(A + 1): with A = 10.6 it never tries 11
    e = pw.ErlangC(transactions=106, aht=3, asa=60, interval=30)
    assert e.required_positions(service_level=0.5)["raw_positions"] == 12
    r = cx.agents_required(10.6, aht=3, threshold=60, target_service_level=0.5)
    assert r.agents == 11
    assert e.service_level(11) >= 0.5  # by its own formula 11 agents suffice
    # 2. float ceil of A / max_occupancy: 4.9 Erlangs at 70% -> 8 instead of 7
    e = pw.ErlangC(transactions=49, aht=3, asa=20 / 60, interval=30)
    assert (
        e.required_positions(service_level=0.01, max_occupancy=0.7)["raw_positions"]
        == 8
    )
    # 3. float ceil of N / (1 - shrinkage): 21 agents at 30% -> 31 instead of 30
    e = pw.ErlangC(transactions=165, aht=3, asa=20 / 60, interval=30, shrinkage=0.3)
    out = e.required_positions(service_level=0.8)
    assert (out["raw_positions"], out["positions"]) == (21, 31)
    # 4. the waiting probability exceeds 1 below the traffic (it should be 1)
    e = pw.ErlangC(transactions=2000, aht=3, asa=20, interval=30)  # A = 200
    assert e.waiting_probability(50) > 100
    assert cx.erlang_c(200.0, 50) == 1.0
    # 5. ... and the service level there overflows math.exp
    with pytest.raises(OverflowError):
        e.service_level(50)
    assert cx.queue_metrics(200.0, 50, aht=3, threshold=20).service_level == 0.0


def test_an_interval_plan_shaped_like_an_export():
    # a WFM export: traffic per half hour and queue as Python objects (ints,
    # floats), one interval left blank, AHT per queue as a column sliced out of
    # a wider table (not contiguous), the target a scalar
    with pytest.raises(MissingValueError, match=r"`traffic`.*first at index 1"):
        cx.agents_required(
            [10, None, 12.5], aht=180, target_service_level=0.8, threshold=20
        )
    traffic = np.array(
        [[4, 10.5, 0], [22, 7.25, 150]], dtype=object
    )  # interval x queue
    table = np.array([[180.0, 1.0], [240.0, 2.0], [300.0, 3.0]])
    aht = table[:, 0]  # one per queue, strided
    before = aht.copy()
    grid = cx.agents_required(
        traffic, aht=aht, target_service_level=0.8, threshold=20.0, shrinkage=0.3
    )
    assert grid.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            one = cx.agents_required(
                float(traffic[i, j]),
                aht=float(aht[j]),
                target_service_level=0.8,
                threshold=20.0,
                shrinkage=0.3,
            )
            cell = grid[i, j]
            assert (cell.agents, cell.headcount) == (one.agents, one.headcount)
            assert cell.service_level == one.service_level
    assert grid[0, 2].agents == 0  # no traffic, no agents
    np.testing.assert_array_equal(aht, before)  # the caller's column is untouched
    assert table.flags.writeable
