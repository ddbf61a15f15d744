"""The state contract (identity, associativity, commutativity, homomorphism) for every State."""

from __future__ import annotations

import functools
import itertools
import json
import operator
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import IncompatibleStateError
from strategies import ces_answers, csat_answers, nps_answers, split_points

SCALAR = [
    (cx.NPSState, nps_answers, cx.NPSScheme(promoter_min=8)),
    (cx.CSATState, csat_answers, cx.CSATScheme(satisfied_min=5)),
    (cx.CESState, ces_answers, cx.CESScheme.ces1()),
]
GROUPED = [
    (cx.GroupedNPSState, nps_answers),
    (cx.GroupedCSATState, csat_answers),
    (cx.GroupedCESState, ces_answers),
]
IDS = ["nps", "csat", "ces"]


def _assert_close(a, b):
    assert type(a) is type(b)
    assert a.scheme == b.scheme
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.n_missing, b.n_missing)
    if a.weight_sums is None:
        assert b.weight_sums is None
    else:
        np.testing.assert_allclose(a.weight_sums, b.weight_sums, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            a.weight_squares, b.weight_squares, rtol=1e-12, atol=1e-12
        )


@pytest.mark.parametrize(("state", "answers", "_"), SCALAR, ids=IDS)
@given(data=st.data())
def test_scalar_laws(state, answers, _, data):
    a, b, c = (state.from_responses(data.draw(answers)) for _ in range(3))
    empty = state.empty()
    assert a + empty == a == empty + a
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@pytest.mark.parametrize(("state", "answers", "_"), SCALAR, ids=IDS)
@given(data=st.data())
def test_scalar_homomorphism(state, answers, _, data):
    x = data.draw(answers)
    cuts = data.draw(split_points(x.size))
    chunks = np.split(x, cuts)
    merged = functools.reduce(
        operator.add, (state.from_responses(c) for c in chunks), state.empty()
    )
    assert merged == state.from_responses(x)


@pytest.mark.parametrize(("state", "answers", "_"), SCALAR, ids=IDS)
@given(data=st.data())
def test_weighted_homomorphism(state, answers, _, data):
    x = data.draw(answers)
    w = np.random.default_rng(x.size).uniform(0.1, 5.0, x.size)
    cuts = data.draw(split_points(x.size))
    parts = [
        state.from_responses(xc, weights=wc)
        for xc, wc in zip(np.split(x, cuts), np.split(w, cuts), strict=True)
    ]
    merged = functools.reduce(operator.add, parts, state.empty())
    _assert_close(merged, state.from_responses(x, weights=w))


@pytest.mark.parametrize(("state", "answers", "_"), SCALAR, ids=IDS)
@given(data=st.data())
def test_unweighted_plus_unit_weighted(state, answers, _, data):
    x, y = data.draw(answers), data.draw(answers)
    mixed = state.from_responses(x) + state.from_responses(y, weights=np.ones(y.size))
    _assert_close(
        mixed,
        state.from_responses(np.concatenate([x, y]), weights=np.ones(x.size + y.size)),
    )


@pytest.mark.parametrize(("state", "answers"), GROUPED, ids=IDS)
@given(data=st.data())
def test_grouped_homomorphism_and_laws(state, answers, data):
    x = data.draw(answers)
    g = np.array(
        data.draw(
            st.lists(
                st.sampled_from(["a", "b", "c", "d"]), min_size=x.size, max_size=x.size
            )
        ),
        dtype=str,
    )
    cuts = data.draw(split_points(x.size))
    parts = [
        state.from_responses(xc, gc)
        for xc, gc in zip(np.split(x, cuts), np.split(g, cuts), strict=True)
        if xc.size
    ]
    merged = functools.reduce(operator.add, parts, state.empty())
    whole = state.from_responses(x, g) if x.size else state.empty()
    assert merged.keys.tolist() == whole.keys.tolist()
    np.testing.assert_array_equal(merged.counts, whole.counts)
    if len(parts) >= 2:
        assert parts[0] + parts[1] == parts[1] + parts[0]
    if len(parts) >= 3:
        assert (parts[0] + parts[1]) + parts[2] == parts[0] + (parts[1] + parts[2])


@pytest.mark.parametrize(("state", "answers", "scheme"), SCALAR, ids=IDS)
def test_incompatible_schemes(state, answers, scheme):
    with pytest.raises(IncompatibleStateError, match="cannot merge"):
        state.empty() + state.empty(scheme)


def test_different_state_types_do_not_merge():
    with pytest.raises(IncompatibleStateError, match="cannot merge"):
        cx.CSATState.empty().merge(
            cx.CESState.empty(cx.CESScheme(low=1, high=5, easy_min=4, easy_max=5))
        )  # type: ignore[arg-type]


@pytest.mark.parametrize(("state", "answers", "_"), SCALAR, ids=IDS)
@given(data=st.data())
def test_dict_json_and_pickle_round_trip(state, answers, _, data):
    x = data.draw(answers)
    for s in (
        state.from_responses(x),
        state.from_responses(x, weights=np.linspace(0.5, 2, x.size)),
    ):
        back = state.from_dict(json.loads(json.dumps(s.to_dict())))
        assert back == s
        assert pickle.loads(pickle.dumps(s)) == s
        assert back + s == s + s


def test_grouped_round_trip_and_lookup():
    s = cx.GroupedNPSState.from_responses(
        [10, 0, 9, 5], ["x", "y", "x", "z"], weights=[1, 2, 3, 4]
    )
    back = cx.GroupedNPSState.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s
    assert s["x"] == cx.NPSState.from_responses([10, 9], weights=[1, 3])
    assert len(s) == 3
    with pytest.raises(KeyError):
        s["q"]


def test_states_are_read_only_and_hash_errors_are_clear():
    s = cx.NPSState.from_responses([10, 3])
    with pytest.raises(ValueError, match="read-only"):
        s.counts[0] = 5
    with pytest.raises(TypeError, match="unhashable type: 'NPSState'"):
        hash(s)


def test_from_dict_checks_type():
    with pytest.raises(ValueError, match="describes a 'CSATState', not a NPSState"):
        cx.NPSState.from_dict(cx.CSATState.empty().to_dict())


def test_grouped_merge_disjoint_keys():
    a = cx.GroupedCSATState.from_responses([5, 1], [1, 2])
    b = cx.GroupedCSATState.from_responses([4], [7])
    merged = a + b
    assert merged.keys.tolist() == [1, 2, 7]
    assert merged.compute().value.tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(IncompatibleStateError, match="different types"):
        a + cx.GroupedCSATState.from_responses([4], ["q"])


# ---------------------------------------------------------------- RFM (clv family)

rfm_logs = st.integers(0, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 12), min_size=n, max_size=n),
        st.lists(st.integers(0, 20), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 100.0), min_size=n, max_size=n),
    )
)


@given(rfm_logs, st.data())
def test_rfm_state_laws_for_logs_split_by_customer(log, data):
    customers, days, values = (np.asarray(a) for a in log)
    days = days.astype(np.float64)
    values = values.astype(np.float64)
    owner = np.asarray(data.draw(st.lists(st.integers(0, 2), min_size=13, max_size=13)))
    where = owner[customers] if customers.size else np.zeros(0, int)
    a, b, c = (
        cx.RFMState.from_transactions(
            customers[where == k],
            days[where == k],
            values[where == k],
            observation_end=20.0,
        )
        for k in range(3)
    )
    empty = cx.RFMState.empty()
    assert a + empty == a == empty + a
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    whole = cx.RFMState.from_transactions(customers, days, values, observation_end=20.0)
    assert a + b + c == whole
    back = cx.RFMState.from_dict(json.loads(json.dumps(whole.to_dict())))
    assert back == whole
    assert pickle.loads(pickle.dumps(whole)) == whole


def test_rfm_state_parameters_must_match():
    a = cx.RFMState.from_transactions([1], [0.0], observation_end=5.0)
    with pytest.raises(IncompatibleStateError, match="observed until"):
        a + cx.RFMState.from_transactions([2], [0.0], observation_end=6.0)
    with pytest.raises(ValueError, match="describes a 'NPSState', not a RFMState"):
        cx.RFMState.from_dict(cx.NPSState.empty().to_dict())


# ---------------------------------------------------------------- experiments

experiment_units = st.integers(0, 30).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(-50, 500), min_size=n, max_size=n),
        st.lists(st.sampled_from(["control", "b", "c"]), min_size=n, max_size=n),
        st.lists(st.integers(1, 9), min_size=n, max_size=n),
        st.lists(st.integers(0, 20), min_size=n, max_size=n),
    )
)


@pytest.mark.parametrize("kind", ["mean", "ratio"])
@given(units=experiment_units, data=st.data())
def test_experiment_state_laws(kind, units, data):
    values, arms, den, cov = (np.asarray(u) for u in units)
    values = values.astype(np.float64)

    def build(rows):
        return cx.ExperimentState.from_units(
            values[rows],
            arms[rows],
            kind=kind,
            denominator=den[rows].astype(float) if kind == "ratio" else None,
            covariate=cov[rows].astype(float),
        )

    cuts = data.draw(split_points(values.size))
    bounds = [0, *cuts, values.size]
    parts = [build(slice(a, b)) for a, b in itertools.pairwise(bounds)]
    empty = cx.ExperimentState.empty(kind, covariate=True)
    whole = build(slice(None))
    # integer data: sums are exact, so every law holds with ==
    assert sum(parts, empty) == whole
    a, b, c = (build(slice(i, None, 3)) for i in range(3))
    assert a + empty == a == empty + a
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    back = cx.ExperimentState.from_dict(json.loads(json.dumps(whole.to_dict())))
    assert back == whole
    assert pickle.loads(pickle.dumps(whole)) == whole


def test_experiment_states_of_different_designs_do_not_merge():
    a = cx.ExperimentState.from_units([1.0], ["a"])
    with pytest.raises(IncompatibleStateError, match="kind"):
        a + cx.ExperimentState.from_units([1.0], ["a"], kind="ratio", denominator=[1.0])


@given(
    st.lists(
        st.tuples(
            st.integers(0, 6), st.integers(0, 30), st.sampled_from(["v", "c", "p"])
        ),
        max_size=30,
    ),
    st.data(),
)
def test_funnel_state_laws_for_logs_split_by_unit(log, data):
    units = np.array([r[0] for r in log], dtype=np.int64)
    times = np.array([r[1] for r in log], dtype=np.int64)
    events = np.array([r[2] for r in log], dtype=object)
    part = np.array(data.draw(st.lists(st.integers(0, 2), min_size=7, max_size=7)))
    where = part[units] if units.size else units

    def state(m):
        return cx.FunnelState.from_log(
            units[m], times[m], events[m], ["v", "c", "p"], window=8
        )

    a, b, c = (state(where == p) for p in range(3))
    empty = cx.FunnelState.empty(["v", "c", "p"], window=8)
    assert a + empty == a == empty + a
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a + b + c == state(np.ones(units.size, dtype=bool))
    back = cx.FunnelState.from_dict(json.loads(json.dumps(a.to_dict())))
    assert back == a
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(IncompatibleStateError):
        a + cx.FunnelState.empty(["v", "c"], window=8)
