"""Erlang B and C: references, properties, edge cases and errors."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError, MissingValueError


def erlang_b_exact(traffic, agents):
    """B(N, A) = (A^N/N!) / sum_k A^k/k!, exact in rationals (the float A taken exactly)."""
    a = Fraction(traffic)
    term = Fraction(1)
    total = Fraction(1)
    for k in range(1, agents + 1):
        term = term * a / k
        total += term
    return term / total


def erlang_b_decimal(traffic, agents, prec=60):
    """The same definition in 60-digit decimals (a local context; no global state)."""
    with localcontext() as ctx:
        ctx.prec = prec
        a = Decimal(traffic)
        term = Decimal(1)
        total = Decimal(1)
        for k in range(1, agents + 1):
            term = term * a / k
            total += term
        return term / total


def erlang_c_decimal(traffic, agents, prec=60):
    """C = (A^N/N! * N/(N-A)) / (sum_{k<N} A^k/k! + A^N/N! * N/(N-A)), directly."""
    with localcontext() as ctx:
        ctx.prec = prec
        a = Decimal(traffic)
        term = Decimal(1)
        below = Decimal(0)
        for k in range(1, agents + 1):
            below += term
            term = term * a / k
        top = term * agents / (agents - a)
        return top / (below + top)


@pytest.mark.parametrize(
    ("traffic", "agents"),
    [(2.0, 3), (0.5, 1), (10.0, 10), (10.0, 20), (7.3, 12), (0.01, 5), (30.0, 1)],
)
def test_erlang_b_exact_rational(traffic, agents):
    expected = float(erlang_b_exact(traffic, agents))
    assert cx.erlang_b(traffic, agents) == pytest.approx(expected, rel=1e-13)


def test_erlang_b_textbook_value():
    # (8/6) / (1 + 2 + 2 + 8/6) = 4/19 for A = 2 Erlangs, N = 3 lines
    assert cx.erlang_b(2.0, 3) == pytest.approx(4 / 19, rel=1e-15)


@pytest.mark.parametrize(
    ("traffic", "agents"),
    [
        (100.0, 100),
        (1000.0, 1000),
        (1000.5, 1100),
        (2500.25, 2400),
        (5000.0, 5000),
        (10_000.0, 10_100),
        (10_000.0, 9_000),
    ],
)
def test_erlang_b_large_traffic_decimal(traffic, agents):
    expected = float(erlang_b_decimal(traffic, agents))
    assert cx.erlang_b(traffic, agents) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("traffic", "agents"),
    [
        (2.0, 3),
        (10.0, 11),
        (10.0, 14),
        (10.0, 30),
        (49.5, 55),
        (1000.0, 1001),
        (1000.0, 1050),
        (5000.5, 5100),
        (10_000.0, 10_100),
    ],
)
def test_erlang_c_decimal(traffic, agents):
    expected = float(erlang_c_decimal(traffic, agents))
    assert cx.erlang_c(traffic, agents) == pytest.approx(expected, rel=1e-12)


def test_vectorised_equals_scalar():
    rng = np.random.default_rng(7)
    a = rng.uniform(0, 60, 300)
    n = rng.integers(0, 80, 300)
    b = cx.erlang_b(a, n)
    c = cx.erlang_c(a, n)
    for i in range(0, 300, 37):
        assert b[i] == cx.erlang_b(float(a[i]), int(n[i]))
        assert c[i] == cx.erlang_c(float(a[i]), int(n[i]))


def test_broadcasting_grid():
    a = np.array([5.0, 10.0, 20.0])[:, None]
    n = np.arange(1, 31)[None, :]
    grid = cx.erlang_c(a, n)
    assert grid.shape == (3, 30)
    assert grid[1, 13] == cx.erlang_c(10.0, 14)


def test_published_example():
    # 100 calls per 30 min, AHT 3 min (A = 10 Erlangs), 14 agents, 20 s target: the
    # example of the pyworkforce README and of R's ErlangC package documentation
    # (P(wait) 0.1741319, service level 0.88835, ASA 7.8359 s, occupancy 0.7142857)
    m = cx.queue_metrics(arrival_rate=100 / 1800, agents=14, aht=180, threshold=20)
    assert m.traffic == pytest.approx(10.0, rel=1e-15)
    assert m.wait_probability == pytest.approx(0.1741319335950498, rel=1e-13)
    assert m.service_level == pytest.approx(0.8883500191794669, rel=1e-13)
    assert m.asa == pytest.approx(7.83593701177724, rel=1e-12)
    assert m.occupancy == pytest.approx(0.7142857142857143, rel=1e-15)
    r = cx.agents_required(
        arrival_rate=100 / 1800,
        aht=180,
        target_service_level=0.8,
        threshold=20,
        shrinkage=0.3,
    )
    assert (r.agents, r.headcount) == (14, 20)


@pytest.mark.parametrize(
    ("traffic", "agents", "t", "aht"),
    [(10.0, 14, 20.0, 180.0), (100.0, 110, 15.0, 300.0), (1000.0, 1030, 30.0, 240.0)],
)
def test_service_level_and_asa_decimal(traffic, agents, t, aht):
    c = erlang_c_decimal(traffic, agents)
    with localcontext() as ctx:
        ctx.prec = 60
        gap = agents - Decimal(traffic)
        sl = 1 - c * (-gap * Decimal(t) / Decimal(aht)).exp()
        asa = c * Decimal(aht) / gap
    m = cx.queue_metrics(traffic, agents, aht=aht, threshold=t)
    assert m.service_level == pytest.approx(float(sl), rel=1e-12)
    assert m.asa == pytest.approx(float(asa), rel=1e-12)
    assert m.occupancy == pytest.approx(traffic / agents, rel=1e-15)
    assert m.mean_wait == m.asa
    assert m.abandon_probability == 0.0


def test_edge_cases():
    # zero traffic: nothing is blocked or waits once there is an agent
    assert cx.erlang_b(0.0, 3) == 0.0
    assert cx.erlang_c(0.0, 3) == 0.0
    m = cx.queue_metrics(0.0, 3, aht=180, threshold=20)
    assert (m.service_level, m.asa, m.occupancy) == (1.0, 0.0, 0.0)
    # no agents: everything is blocked / waits
    assert cx.erlang_b(5.0, 0) == 1.0
    assert cx.erlang_c(5.0, 0) == 1.0
    # N <= A is unstable for Erlang C
    for n in (9, 10):
        m = cx.queue_metrics(10.0, n, aht=180, threshold=20)
        assert m.wait_probability == 1.0
        assert m.service_level == 0.0
        assert math.isinf(m.asa)
        assert m.occupancy == 1.0
    # T = 0: the service level is the probability of not waiting
    m = cx.queue_metrics(10.0, 14, aht=180, threshold=0)
    assert m.service_level == pytest.approx(1 - m.wait_probability, rel=1e-15)
    # an infinite threshold: everyone is answered eventually
    assert cx.queue_metrics(10.0, 11, aht=180, threshold=math.inf).service_level == 1.0
    # tiny and huge AHT (the traffic fixed): the threshold is many or few handle times
    assert cx.queue_metrics(10.0, 11, aht=1e-9, threshold=20).service_level == 1.0
    huge = cx.queue_metrics(10.0, 11, aht=1e12, threshold=20)
    assert huge.service_level == pytest.approx(1 - huge.wait_probability, rel=1e-9)
    assert huge.asa == pytest.approx(huge.wait_probability * 1e12, rel=1e-12)


def test_no_overflow_at_huge_traffic():
    a = np.array([1e5, 1e5, 3e5])
    n = np.array([100_500, 99_000, 300_800])
    with np.errstate(all="raise"):
        c = cx.erlang_c(a, n)
    assert np.all((c > 0) & (c <= 1))
    assert c[1] == 1.0


@given(
    st.floats(0.01, 200.0, allow_nan=False),
    st.integers(0, 250),
)
def test_erlang_b_in_unit_interval_and_decreasing(traffic, agents):
    b = cx.erlang_b(traffic, [agents, agents + 1])
    assert 0.0 <= b[0] <= 1.0
    # B > 0 in exact arithmetic; it underflows to 0 only below the float64 range
    # (log B <= N log A - log N!)
    if b[0] == 0.0:
        assert agents * math.log(traffic) - math.lgamma(agents + 1) < -700
    assert b[1] <= b[0]
    assert b[1] < b[0] or b[0] == 0.0


@given(st.floats(0.0, 200.0, allow_nan=False), st.integers(0, 250))
def test_erlang_c_at_least_erlang_b(traffic, agents):
    assert cx.erlang_c(traffic, agents) >= cx.erlang_b(traffic, agents)


@given(
    st.floats(0.1, 100.0, allow_nan=False),
    st.integers(1, 150),
    st.floats(0.0, 120.0, allow_nan=False),
    st.floats(1.0, 600.0, allow_nan=False),
)
def test_service_level_increases_in_agents_and_threshold(traffic, agents, t, aht):
    ulp = 4e-16  # rounding of values next to 1
    more_n = cx.queue_metrics(traffic, [agents, agents + 1], aht=aht, threshold=t)
    assert more_n.service_level[1] >= more_n.service_level[0] - ulp
    more_t = cx.queue_metrics(traffic, agents, aht=aht, threshold=[t, t + 5.0])
    assert more_t.service_level[1] >= more_t.service_level[0] - ulp
    assert np.all((more_n.service_level >= 0) & (more_n.service_level <= 1))


ERRORS = [
    ((-1.0, 3), InvalidInputError, r"`traffic` must be >= 0; got -1\.0\."),
    (([1.0, np.nan], 3), MissingValueError, r"`traffic` contains 1 missing value"),
    ((np.inf, 3), InvalidInputError, r"`traffic` must be finite; got inf"),
    ((5.0, 2.5), InvalidInputError, r"`agents` must be whole numbers; got 2\.5"),
    ((5.0, [3, -1]), InvalidInputError, r"`agents` must be >= 0; got -1\.0 at index 1"),
    (([1.0, 2.0], [1, 2, 3]), InvalidInputError, r"must broadcast together"),
    (("ten", 3), TypeError, r"`traffic` must be numeric"),
]


@pytest.mark.parametrize(("args", "error", "match"), ERRORS)
@pytest.mark.parametrize("fn", [cx.erlang_b, cx.erlang_c])
def test_errors(fn, args, error, match):
    with pytest.raises(error, match=match):
        fn(*args)


def test_queue_metrics_errors():
    with pytest.raises(InvalidInputError, match=r"`aht` must be > 0; got -3\.0\."):
        cx.queue_metrics(10.0, 12, aht=-3, threshold=20)
    with pytest.raises(InvalidInputError, match=r"`aht` must be > 0; got 0\.0\."):
        cx.queue_metrics(10.0, 12, aht=0, threshold=20)
    with pytest.raises(InvalidInputError, match=r"`threshold` must be >= 0"):
        cx.queue_metrics(10.0, 12, aht=180, threshold=-1)
    with pytest.raises(InvalidInputError, match="exactly one of `traffic`"):
        cx.queue_metrics(10.0, 12, aht=180, threshold=20, arrival_rate=0.1)
    with pytest.raises(InvalidInputError, match="exactly one of `traffic`"):
        cx.queue_metrics(agents=12, aht=180, threshold=20)
    with pytest.raises(InvalidInputError, match="`agents` is required"):
        cx.queue_metrics(10.0, aht=180, threshold=20)
    with pytest.raises(InvalidInputError, match="needs `patience`"):
        cx.queue_metrics(10.0, 12, aht=180, threshold=20, model="erlang_a")
    with pytest.raises(InvalidInputError, match="`patience` applies to"):
        cx.queue_metrics(10.0, 12, aht=180, threshold=20, patience=60)
    with pytest.raises(InvalidInputError, match=r"`model` must be one of"):
        cx.queue_metrics(10.0, 12, aht=180, threshold=20, model="erlang_x")  # type: ignore[call-overload]
    with pytest.raises(InvalidInputError, match=r"`definition` must be one of"):
        cx.queue_metrics(10.0, 12, aht=180, threshold=20, definition="all")  # type: ignore[call-overload]
    with pytest.raises(MissingValueError, match=r"`aht` contains 1 missing"):
        cx.queue_metrics(10.0, 12, aht=[180, np.nan], threshold=20)
    with pytest.raises(InvalidInputError, match=r"the inputs must broadcast together"):
        cx.queue_metrics([10.0, 11.0], 12, aht=[180, 200, 300], threshold=20)


def test_array_result_rows_and_frames():
    m = cx.queue_metrics(10.0, [12, 13, 14], aht=180, threshold=20)
    assert isinstance(m, cx.QueueMetricsArray)
    assert m.shape == (3,)
    row = m[2]
    assert isinstance(row, cx.QueueMetrics)
    assert row == cx.queue_metrics(10.0, 14, aht=180, threshold=20)
    cols = m.to_dict()
    assert cols["agents"].tolist() == [12, 13, 14]
    assert "QueueMetricsArray with 3 row(s)" in repr(m)
    assert "Erlang C with A=10 Erlangs, N=14" in str(row)
    with pytest.raises(ValueError, match="read-only"):
        m.service_level[0] = 1.0
