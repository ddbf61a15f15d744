"""Erlang A (M/M/N+M) and the numpy-only incomplete gamma function behind it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics._core.incomplete_gamma import (
    bd0,
    gamma_p,
    harmonic_difference,
    log_gamma_p,
    log_poisson_cdf,
    stirling_error,
)
from cxmetrics.staffing._erlang_a import erlang_a_kernel


def erlang_a_reference(traffic, agents, ratio, s_t, mp):
    """M/M/N+M from its stationary distribution, summed state by state in 40 digits.

    pi_j ~ A^j/j! for j <= N and pi_{N+m} = pi_N prod_{k<=m} y/(x+k) with
    x = N ratio, y = A ratio (ratio = patience/AHT). A caller finding m in queue has
    exp(-theta V) ~ Beta(x, m+1) (the offered wait V is a sum of exponentials of
    rates N mu + k theta), so the conditional probabilities are incomplete beta
    functions; P(Ab) = E[queue]/y (abandonment rate theta E[Q] over lambda).
    """
    mp.mp.dps = 40
    a = mp.mpf(traffic)
    x = agents * mp.mpf(ratio)
    y = a * mp.mpf(ratio)
    terms = [mp.mpf(1)]
    for j in range(1, agents + 1):
        terms.append(terms[-1] * a / j)
    below = sum(terms[:-1])
    queue = [terms[-1]]
    m = 0
    while True:
        m += 1
        queue.append(queue[-1] * y / (x + m))
        if queue[-1] < mp.mpf(10) ** -45 * sum(queue) and y / (x + m) < 0.5:
            break
    total = below + sum(queue)
    c = mp.e ** (-mp.mpf(s_t))
    served_late = sum(
        q * x / (x + i + 1) * mp.betainc(x + 1, i + 1, 0, c, regularized=True)
        for i, q in enumerate(queue)
    )
    late = sum(
        q * mp.betainc(x, i + 1, 0, c, regularized=True) for i, q in enumerate(queue)
    )
    served_wait = sum(
        q * x / (x + i + 1) * (mp.digamma(x + i + 2) - mp.digamma(x + 1))
        for i, q in enumerate(queue)
    )
    abandon = sum(i * q for i, q in enumerate(queue)) / (y * total)
    served = 1 - abandon
    return {
        "wait": sum(queue) / total,
        "abandon": abandon,
        "answered_within": served - served_late / total,
        "wait_within": 1 - late * c / total,
        "asa": served_wait / total / served,
        "mean_wait": abandon,
    }


CASES = [
    (10.0, 11, 2.0, 20 / 360),
    (10.0, 9, 0.5, 0.2),
    (50.3, 48, 1.0, 0.1),
    (3.0, 1, 3.0, 1.0),
    (100.0, 110, 1.0, 0.05),
    (0.5, 2, 1.0, 0.3),
    (400.0, 300, 0.7, 0.5),
]
#: long queues: too slow for the state-by-state reference, checked in closed form
LARGE = [(200.0, 205, 4.0, 0.01), (30.0, 40, 100.0, 0.001), (2000.0, 2020, 2.0, 0.1)]


@pytest.mark.parametrize(("traffic", "agents", "ratio", "s_t"), CASES)
def test_erlang_a_against_state_by_state_reference(traffic, agents, ratio, s_t):
    mp = pytest.importorskip("mpmath")
    ref = erlang_a_reference(traffic, agents, ratio, s_t, mp)
    got = erlang_a_kernel(
        np.array([traffic]),
        np.array([float(agents)]),
        np.array([ratio]),
        np.array([s_t]),
    )
    for name, expected in ref.items():
        assert float(getattr(got, name)[0]) == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize(("traffic", "agents", "ratio"), [c[:3] for c in CASES + LARGE])
def test_abandonment_closed_form(traffic, agents, ratio):
    # Mandelbaum & Zeltyn (2007): P(Ab | W > 0) = 1/(rho A) + 1 - 1/rho with
    # A = x e^y y^-x gamma(x, y), rho = lambda/(N mu), P(W>0) = A E/(1 + (A-1) E)
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    x = agents * mp.mpf(ratio)
    y = mp.mpf(traffic) * ratio
    big_a = x * mp.e**y * y ** (-x) * mp.gammainc(x, 0, y)
    terms = [mp.mpf(1)]
    for j in range(1, agents + 1):
        terms.append(terms[-1] * mp.mpf(traffic) / j)
    erlang_b = terms[-1] / sum(terms)
    wait = big_a * erlang_b / (1 + (big_a - 1) * erlang_b)
    rho = mp.mpf(traffic) / agents
    abandon = wait * (1 / (rho * big_a) + 1 - 1 / rho)
    m = cx.queue_metrics(
        traffic, agents, aht=1.0, threshold=0.0, model="erlang_a", patience=ratio
    )
    assert m.wait_probability == pytest.approx(float(wait), rel=1e-12)
    assert m.abandon_probability == pytest.approx(float(abandon), rel=1e-11)


def test_erlang_a_tends_to_erlang_c():
    patience = np.array([1e3, 1e5, 1e7, 1e9])
    for traffic, agents in ((10.0, 12), (95.0, 100), (0.5, 1)):
        c = cx.queue_metrics(traffic, agents, aht=180, threshold=20)
        a = cx.queue_metrics(
            traffic, agents, aht=180, threshold=20, model="erlang_a", patience=patience
        )
        err = np.abs(a.service_level - c.service_level)
        assert np.all(np.diff(err) <= 0)
        assert err[-1] < 1e-6
        assert a.wait_probability[-1] == pytest.approx(c.wait_probability, rel=1e-6)
        assert a.asa[-1] == pytest.approx(c.asa, rel=1e-5)
        assert a.abandon_probability[-1] < 1e-6
    inf = cx.queue_metrics(
        10.0, 12, aht=180, threshold=20, model="erlang_a", patience=math.inf
    )
    c = cx.queue_metrics(10.0, 12, aht=180, threshold=20)
    assert inf.service_level == c.service_level
    assert inf.asa == c.asa


@settings(max_examples=30, deadline=None)
@given(
    st.floats(0.5, 60.0),
    st.integers(1, 70),
    st.floats(0.2, 5.0),
)
def test_erlang_a_converges_to_erlang_c_property(traffic, agents, ratio):
    aht = 100.0
    c = cx.queue_metrics(traffic, agents, aht=aht, threshold=20)
    # an overloaded queue with near-infinite patience holds ~(A - N) x patience/AHT
    # callers; keep the patience moderate there (the sum runs over the queue)
    growth = 1e6 if agents > traffic else 1e2
    a = cx.queue_metrics(
        traffic,
        agents,
        aht=aht,
        threshold=20,
        model="erlang_a",
        patience=[ratio * aht, ratio * aht * growth],
    )
    if agents > traffic:
        assert abs(a.service_level[1] - c.service_level) < 1e-3
    assert a.abandon_probability[1] <= a.abandon_probability[0] + 1e-15
    # abandonment keeps every queue stable: a finite ASA
    assert a.wait_probability[0] <= 1.0
    assert np.isfinite(a.asa[0])


def test_short_patience_tends_to_erlang_b():
    # callers who abandon at once: a loss system; answered within T = 1 - B
    m = cx.queue_metrics(
        10.0, 12, aht=180, threshold=20, model="erlang_a", patience=1e-9
    )
    b = cx.erlang_b(10.0, 12)
    assert m.wait_probability == pytest.approx(b, rel=1e-6)
    assert m.service_level == pytest.approx(1 - b, rel=1e-6)
    assert m.abandon_probability == pytest.approx(b, rel=1e-6)


def test_definitions_and_edges():
    kw = {"aht": 180, "threshold": 20, "model": "erlang_a", "patience": 120}
    res = {
        d: cx.queue_metrics(10.0, 10, definition=d, short_abandon=5, **kw)
        for d in ("offered", "answered", "excluding_short_abandons", "abandons_met")
    }
    off = res["offered"]
    served = 1 - off.abandon_probability
    assert res["answered"].service_level == pytest.approx(
        off.service_level / served, rel=1e-14
    )
    assert off.service_level < res["excluding_short_abandons"].service_level
    assert res["excluding_short_abandons"].service_level < res["answered"].service_level
    assert off.service_level < res["abandons_met"].service_level
    # a short-abandon cut-off of 0 removes nobody
    zero = cx.queue_metrics(
        10.0, 10, definition="excluding_short_abandons", short_abandon=0, **kw
    )
    assert zero.service_level == pytest.approx(off.service_level, rel=1e-15)
    # T = 0: answered within 0 means answered without waiting
    t0 = cx.queue_metrics(
        10.0, 10, aht=180, threshold=0, model="erlang_a", patience=120
    )
    assert t0.service_level == pytest.approx(1 - t0.wait_probability, rel=1e-15)
    # T = inf: every answered caller counts
    tinf = cx.queue_metrics(
        10.0, 10, aht=180, threshold=math.inf, model="erlang_a", patience=120
    )
    assert tinf.service_level == pytest.approx(1 - tinf.abandon_probability, rel=1e-14)
    # mean wait over everyone is P(Ab) x patience (Little's law)
    assert off.mean_wait == pytest.approx(off.abandon_probability * 120, rel=1e-14)
    # no agents: everyone abandons; no traffic: nothing waits
    none = cx.queue_metrics(
        10.0, 0, aht=180, threshold=20, model="erlang_a", patience=120
    )
    assert (none.wait_probability, none.abandon_probability, none.service_level) == (
        1.0,
        1.0,
        0.0,
    )
    assert math.isnan(none.asa)
    idle = cx.queue_metrics(
        0.0, 3, aht=180, threshold=20, model="erlang_a", patience=120
    )
    assert (idle.wait_probability, idle.service_level, idle.asa) == (0.0, 1.0, 0.0)


def test_large_traffic_is_stable_and_fast():
    a = np.array([1000.0, 5000.0, 5000.0, 20_000.0])
    n = np.array([1000, 4900, 5100, 20_100])
    with np.errstate(all="raise"):
        m = cx.queue_metrics(a, n, aht=240, threshold=20, model="erlang_a", patience=90)
    for field in (
        "wait_probability",
        "service_level",
        "abandon_probability",
        "occupancy",
    ):
        v = getattr(m, field)
        assert np.all((v >= 0) & (v <= 1)), field
    assert np.all(np.isfinite(m.asa))


# ---- the incomplete gamma machinery ----------------------------------------------


def test_gamma_p_matches_scipy():
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(11)
    a = np.exp(rng.uniform(np.log(1e-3), np.log(1e5), 4000))
    y = a * np.exp(rng.normal(0.0, 0.3, a.size))
    ref = special.gammainc(a, y)
    got = gamma_p(a, y)
    ok = ref > 1e-280
    np.testing.assert_allclose(got[ok], ref[ok], rtol=1e-11)


@pytest.mark.parametrize(
    ("a", "y"),
    [
        (5533.848962929822, 3307.0218466101155),
        (10_000.0, 10_050.0),
        (100.5, 80.0),
        (20.0, 5.0),
    ],
)
def test_log_gamma_p_against_mpmath(a, y):
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    expected = float(mp.log(mp.gammainc(a, 0, y, regularized=True)))
    assert float(log_gamma_p(a, y)) == pytest.approx(expected, rel=1e-14, abs=1e-13)


def test_helpers():
    assert float(stirling_error(1.0)) == pytest.approx(
        1 - 0.5 * math.log(2 * math.pi), rel=1e-14
    )
    n = np.array([0.5, 3.0, 9.5, 10.0, 12.5])
    exact = np.array(
        [
            math.lgamma(v + 1)
            - (v + 0.5) * math.log(v)
            + v
            - 0.5 * math.log(2 * math.pi)
            for v in n
        ]
    )
    np.testing.assert_allclose(stirling_error(n), exact, rtol=1e-12)
    # large n: the leading Stirling terms 1/(12n) - 1/(360 n^3) (lgamma cancels here)
    assert float(stirling_error(250.0)) == pytest.approx(
        1 / 3000 - 1 / (360 * 250.0**3), rel=1e-12
    )
    assert float(bd0(3.0, 3.0)) == 0.0
    assert float(bd0(0.0, 2.5)) == 2.5
    assert float(bd0(1.0, 0.0)) == math.inf
    assert float(bd0(10.0, 9.5)) == pytest.approx(
        10 * math.log(10 / 9.5) - 0.5, rel=1e-13
    )
    assert float(harmonic_difference(3.0, 0)) == pytest.approx(1 / 4)
    big = float(harmonic_difference(2.5, 100))
    assert big == pytest.approx(sum(1 / (2.5 + k) for k in range(1, 102)), rel=1e-14)
    # P(X <= 2) for Poisson(1.5)
    expected = math.exp(-1.5) * (1 + 1.5 + 1.5**2 / 2)
    assert math.exp(float(log_poisson_cdf(2, 1.5))) == pytest.approx(
        expected, rel=1e-14
    )
