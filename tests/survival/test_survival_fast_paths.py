"""Fast paths of the event table and the Kaplan-Meier curve equal the plain ones.

The packed-key tally (one sort of uint64 keys holding the time's bits and the
event bit) must give the table of the two-sort tally; the curve computed on the
reported rows only, without copies, must equal, bit for bit, the textbook
computation over every row of the table; states and results built without the
converters must still be read-only and never alias the caller's arrays.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.survival._event_table import _distinct, _tally, _tally_packed
from cxmetrics.survival._km import kaplan_meier_from_table
from cxmetrics.survival._risk_set import at_risk


def _tally_two_sorts(x, mask):
    """The table of the general path: a sort of all times and one of the masked."""
    values, counts = _distinct(np.sort(x))
    sub_values, sub_counts = _distinct(np.sort(x[mask]))
    sub = np.zeros(values.size, np.int64)
    sub[np.searchsorted(values, sub_values)] = sub_counts
    return values, counts, sub


def _km_every_row(times, entered, events, censored):
    """Kaplan-Meier and Greenwood over every row of the table, then filtered."""
    removed = events + censored
    n_at = at_risk(times, entered, removed)
    d = events.astype(np.float64)
    n = n_at.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(d > 0, (n - d) / n, 1.0)
        increments = np.where(d > 0, d / (n * (n - d)), 0.0)
    survival = np.cumprod(factor)
    greenwood = np.cumsum(increments)
    with np.errstate(invalid="ignore"):
        se = np.where(survival > 0, survival * np.sqrt(greenwood), np.nan)
    rows = removed > 0
    return times[rows], n_at[rows], survival[rows], se[rows], greenwood[rows]


times_st = st.lists(
    st.one_of(
        st.floats(0, 1e6, allow_nan=False),
        st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0, 1e300, 5e-324]),
    ),
    min_size=1,
    max_size=60,
)


@given(times_st, st.data())
def test_packed_tally_equals_two_sorts(values, data):
    x = np.asarray(values, dtype=np.float64)
    mask = np.asarray(
        data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)), bool
    )
    before = x.copy()
    got = _tally_packed(x, mask)
    want = _tally_two_sorts(x, mask)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    assert not np.signbit(got[0]).any()  # -0.0 and 0.0 are one key, +0.0
    np.testing.assert_array_equal(x, before)  # input untouched (also its -0.0)
    assert np.array_equal(np.signbit(x), np.signbit(before))


def test_continuous_tally_takes_the_packed_path_and_whole_numbers_the_bincount():
    x = np.array([0.5, 2.0, 0.5, 3.25])
    mask = np.array([True, False, False, True])
    np.testing.assert_array_equal(_tally(x, mask)[2], [1, 0, 1])
    # whole numbers after 64 non-whole ones still count right (no dense path)
    y = np.concatenate((np.full(64, 0.5), np.arange(10.0)))
    m = np.ones(y.size, bool)
    np.testing.assert_array_equal(_tally(y, m)[1], _tally_two_sorts(y, m)[1])


@st.composite
def tables(draw):
    """A valid event table, with or without late entry and rows without removals."""
    k = draw(st.integers(1, 12))
    times = np.cumsum(draw(st.lists(st.integers(1, 5), min_size=k, max_size=k)))
    times = times.astype(np.float64) - (1.0 if draw(st.booleans()) else 0.0)
    entered = np.zeros(k, np.int64)
    events = np.zeros(k, np.int64)
    censored = np.zeros(k, np.int64)
    entered[0] = draw(st.integers(1, 30))  # someone: zero subjects only warns
    risk = 0
    for j in range(k):
        if j and draw(st.booleans()):
            entered[j] = draw(st.integers(0, 5))
        # entering at the origin: at risk at once; later: only after this time
        now = risk + (int(entered[j]) if times[j] == 0 else 0)
        d = draw(st.integers(0, now))
        c = draw(st.integers(0, now - d))
        events[j], censored[j] = d, c
        risk = now + (int(entered[j]) if times[j] > 0 else 0) - d - c
    return times, entered, events, censored


@given(tables())
def test_curve_on_reported_rows_equals_every_row(table):
    times, entered, events, censored = table
    state = cx.SurvivalState(times, entered, events, censored)  # validated
    res = kaplan_meier_from_table(*table)
    want_t, want_n, want_s, want_se, want_g = _km_every_row(*table)
    np.testing.assert_array_equal(res.time, want_t)
    np.testing.assert_array_equal(res.at_risk, want_n)
    np.testing.assert_array_equal(res.survival, want_s)
    np.testing.assert_array_equal(res.standard_error, want_se)  # NaN == NaN here
    np.testing.assert_array_equal(res.greenwood, want_g)
    assert res == state.compute()
    for arr in (res.time, res.at_risk, res.survival, res.standard_error):
        assert not arr.flags.writeable


def test_states_and_curves_built_without_copies_are_read_only_and_own_their_data():
    d = np.array([3.5, 1.25, 3.5, 8.0])
    e = np.array([True, False, True, True])
    state = cx.SurvivalState.from_durations(d, e)
    res = cx.kaplan_meier(d, e)
    merged = state + cx.SurvivalState.from_durations([0.5], [1])
    every = cx.SurvivalState.merge_all([state, state])
    for s in (state, merged, every):
        for arr in (s.times, s.entered, s.events, s.censored):
            assert not arr.flags.writeable
            assert not np.shares_memory(arr, d)
            assert not np.shares_memory(arr, e)
        assert isinstance(s.n_missing, int)
    for arr in res.to_dict().values():
        assert not np.shares_memory(arr, d)
    assert not res.survival.flags.writeable
    np.testing.assert_array_equal(d, [3.5, 1.25, 3.5, 8.0])
    assert state == cx.SurvivalState(
        [0.0, 1.25, 3.5, 8.0], [4, 0, 0, 0], [0, 0, 2, 1], [0, 1, 0, 0]
    )
    assert merged.n == 5
    assert every == state + state
    np.testing.assert_allclose(res.survival, [1.0, 1 / 3, 0.0])


def test_a_table_given_by_hand_is_not_aliased_by_the_frozen_curve():
    times = np.array([0.0, 2.0, 3.0])
    entered = np.array([3, 0, 0])
    events = np.array([0, 1, 1])
    censored = np.array([0, 0, 1])
    res = kaplan_meier_from_table(times, entered, events, censored)
    for arr, given_ in (
        (res.time, times),
        (res.events, events),
        (res.censored, censored),
    ):
        assert not np.shares_memory(arr, given_)
        assert not arr.flags.writeable
    times[1] = 99.0  # the caller's arrays stay theirs, and writable
    assert res.time.tolist() == [2.0, 3.0]
    assert events.flags.writeable
