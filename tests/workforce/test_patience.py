"""Patience estimation from censored waits: hand-computed MLE and Kaplan-Meier."""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    MissingValueError,
    UndefinedMetricWarning,
)


def test_hand_computed_censored_example():
    # calls: abandoned after 10, 20, 30 s; answered after 60, 100 s (censored)
    # exposure = 10+20+30+60+100 = 220 s, d = 3 -> theta = 220/3, rate = 3/220
    waits = [30, 60, 10, 100, 20]
    ab = [True, False, True, False, True]
    p = cx.estimate_patience(waits, ab)
    assert p.mean == pytest.approx(220 / 3)
    assert p.value == p.mean
    assert p.rate == pytest.approx(3 / 220)
    assert (p.abandons, p.answered, p.n, p.exposure) == (3, 2, 5, 220.0)
    assert p.median == pytest.approx(220 / 3 * math.log(2))
    # log-scale interval: theta * exp(+-1.959964/sqrt(3))
    lo, hi = p.confidence_interval()
    assert lo == pytest.approx(220 / 3 * math.exp(-1.959963984540054 / math.sqrt(3)))
    assert hi == pytest.approx(220 / 3 * math.exp(1.959963984540054 / math.sqrt(3)))
    # Kaplan-Meier by hand: at 10 s 5 at risk, 1 event -> 4/5; at 20 s 4 at risk -> 3/5;
    # at 30 s 3 at risk -> 2/5; 60 and 100 s are censored
    km = cx.estimate_patience(waits, ab, method="kaplan_meier")
    assert km.curve is not None
    np.testing.assert_allclose(km.curve.survival, [0.8, 0.6, 0.4, 0.4, 0.4])
    assert km.value == km.median == 30.0
    assert km.mean == p.mean


def test_mle_maximises_the_censored_likelihood():
    rng = np.random.default_rng(5)
    patience = rng.exponential(90, size=400)
    offered = rng.exponential(40, size=400)
    waits = np.minimum(patience, offered)
    ab = patience < offered
    p = cx.estimate_patience(waits, ab)

    def loglik(theta):
        return -ab.sum() * np.log(theta) - waits.sum() / theta

    for theta in (p.mean * 0.9, p.mean * 1.1):
        assert loglik(theta) < loglik(p.mean)
    # consistent with the simulated mean patience (90 s) within its interval
    lo, hi = p.confidence_interval(0.999)
    assert lo < 90 < hi


def test_grouped_by_queue_and_interval_matches_scalar():
    csv = (
        "queue,interval,wait,outcome\n"
        "sales,08:00,12,abandoned\nsales,08:00,40,answered\nsales,08:30,5,abandoned\n"
        "care,08:00,30,answered\ncare,08:00,22,abandoned\ncare,08:30,,answered\n"
        "care,08:30,80,abandoned\nsales,08:30,15,answered\n"
    )
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(io.StringIO(csv))
    ab = df["outcome"] == "abandoned"
    with pytest.raises(MissingValueError, match="index 5"):
        cx.estimate_patience(df["wait"], ab, by=df["queue"])
    g = cx.estimate_patience(
        df["wait"], ab, by=[df["queue"], df["interval"]], nan_policy="omit"
    )
    assert len(g) == 4
    one = g[("care", "08:30")]
    assert (one.n, one.n_missing, one.abandons, one.mean) == (1, 1, 1, 80.0)
    for queue in ("sales", "care"):
        rows = (df["queue"] == queue).to_numpy() & df["wait"].notna().to_numpy()
        s = cx.estimate_patience(df["wait"][rows], ab[rows])
        q = cx.estimate_patience(df["wait"], ab, by=df["queue"], nan_policy="omit")[
            queue
        ]
        assert q.mean == pytest.approx(s.mean)
        assert q.abandons == s.abandons
    low, high = g.confidence_interval()
    assert low.shape == high.shape == (4,)
    assert (low < g.mean).all()
    assert "GroupedPatienceResult" in repr(g)


def test_time_deltas_are_seconds():
    p = cx.estimate_patience(
        [dt.timedelta(seconds=30), dt.timedelta(minutes=1), None],
        [True, False, True],
        nan_policy="omit",
    )
    assert p.time_unit == "seconds"
    assert p.mean == 90.0
    assert p.n_missing == 1


def test_no_abandons_and_errors():
    with pytest.warns(UndefinedMetricWarning, match="no abandons"):
        p = cx.estimate_patience([10, 20], [False, False])
    assert p.mean == math.inf
    assert all(math.isnan(v) for v in p.confidence_interval())
    with pytest.raises(
        InvalidInputError, match=r"`waits` must be non-negative; got -3.0 at index 1"
    ):
        cx.estimate_patience([1, -3], [0, 1])
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        cx.estimate_patience([1], [1], method="weibull")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="abandoned"):
        cx.estimate_patience([1, 2], [1])
    with pytest.raises(InvalidInputError, match="abandoned"):
        cx.estimate_patience([1, 2], [1, 2])


@settings(max_examples=50)
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, n, elements=st.floats(0, 1e4)),
            hnp.arrays(np.bool_, n),
            st.integers(0, n),
        )
    )
)
def test_property_split_additivity_and_definition(args):
    w, ab, cut = args
    if not ab.any():
        return
    p = cx.estimate_patience(w, ab)
    assert p.mean == pytest.approx(w.sum() / ab.sum())
    # events and exposure add across any split (the sufficient statistic)
    labels = np.where(np.arange(w.size) < cut, "a", "b")
    g = (
        cx.estimate_patience(w, ab, by=labels)
        if ab[:cut].any() and ab[cut:].any()
        else None
    )
    if g is not None:
        assert int(g.abandons.sum()) == p.abandons
        assert float(g.exposure.sum()) == pytest.approx(p.exposure)


# --- PatienceState: the mergeable sufficient statistic --------------------------

calls = st.integers(0, 30).flatmap(
    lambda n: st.tuples(
        hnp.arrays(np.float64, n, elements=st.integers(0, 600).map(float)),
        hnp.arrays(np.bool_, n),
        hnp.arrays(np.int64, n, elements=st.integers(0, 3)),
    )
)


@settings(max_examples=60)
@given(calls, st.data())
def test_state_merge_laws_and_homomorphism(call, data):
    w, ab, q = call
    S = cx.PatienceState
    cuts = sorted(data.draw(st.lists(st.integers(0, w.size), max_size=3)))
    parts = np.split(np.arange(w.size), cuts)
    for by in (None, q.astype(str)):
        pieces = [
            S.from_waits(w[i], ab[i], by=None if by is None else by[i]) for i in parts
        ]
        whole = S.from_waits(w, ab, by=by)
        merged = sum(pieces, S.empty())
        assert merged == whole  # integer-valued waits: exact sums
        a, b = pieces[0], pieces[-1]
        assert a + S.empty() == a == S.empty() + a
        assert a + b == b + a
        c = S.from_waits(w[:1], ab[:1], by=None if by is None else by[:1])
        assert (a + b) + c == a + (b + c)


def test_state_compute_equals_function_and_round_trips():
    import json

    w = [30.0, 60.0, 10.0, 100.0, 20.0]
    ab = [True, False, True, False, True]
    days = np.array(
        ["2026-03-02", "2026-03-02", "2026-03-03", "2026-03-03", "2026-03-03"],
        dtype="datetime64[D]",
    )
    for by in (None, ["a", "a", "b", "b", "b"], [7, 7, 9, 9, 9], days):
        s = cx.PatienceState.from_waits(w, ab, by=by)
        back = cx.PatienceState.from_dict(json.loads(json.dumps(s.to_dict())))
        assert back == s
        if by is not None:
            assert back.keys.dtype == s.keys.dtype
        direct = cx.estimate_patience(w, ab, by=by)
        res = s.compute()
        np.testing.assert_array_equal(np.asarray(res.mean), np.asarray(direct.mean))
    # no empty groups from a dense integer key range
    assert cx.PatienceState.from_waits([1.0, 2.0], [1, 1], by=[1, 3]).keys.tolist() == [
        1,
        3,
    ]


def test_state_errors_and_read_only():
    from cxmetrics.exceptions import IncompatibleStateError

    s = cx.PatienceState.from_waits([1.0], [1])
    g = cx.PatienceState.from_waits([1.0], [1], by=["x"])
    with pytest.raises(IncompatibleStateError, match="grouped"):
        s + g
    with pytest.raises(InvalidInputError, match="not a PatienceState"):
        cx.PatienceState.from_dict(cx.NPSState.from_responses([9]).to_dict())
    with pytest.raises(ValueError, match="read-only"):
        s.exposure[0] = 2.0
    with pytest.warns(UndefinedMetricWarning, match="zero calls"):
        assert math.isnan(cx.PatienceState.empty().compute().mean)
    assert "PatienceState(" in repr(g)
