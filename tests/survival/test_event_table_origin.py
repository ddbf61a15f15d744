"""The event table's origin row, written into a slot the tally leaves in front.

Without late entry the table starts at time 0 (everyone enters there). The tally
reserves that row instead of the table being copied to prepend it; a duration of
exactly 0 makes the tally's own first row the origin. Either way the table must
equal a plain count, and every array must be read-only with no writable base.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx

_times = st.one_of(
    st.just(0.0),
    st.floats(0.0, 1e6, allow_nan=False, allow_subnormal=False),
    st.integers(0, 40).map(float),
)


def _plain_table(d: np.ndarray, e: np.ndarray):
    times, removed = np.unique(d, return_counts=True)
    ev_t, ev_n = np.unique(d[e], return_counts=True)
    events = np.zeros(times.size, np.int64)
    events[np.searchsorted(times, ev_t)] = ev_n
    if times[0] != 0.0:
        times = np.concatenate(([0.0], times))
        removed = np.concatenate(([0], removed))
        events = np.concatenate(([0], events))
    entered = np.zeros(times.size, np.int64)
    entered[0] = d.size
    return times, entered, events, removed - events


@given(st.lists(st.tuples(_times, st.booleans()), min_size=1, max_size=80))
def test_table_equals_a_plain_count_and_owns_read_only_arrays(rows):
    d = np.array([r[0] for r in rows])
    e = np.array([r[1] for r in rows])
    state = cx.SurvivalState.from_durations(d, e)
    got = (state.times, state.entered, state.events, state.censored)
    for g, w in zip(got, _plain_table(d, e), strict=True):
        np.testing.assert_array_equal(g, w)
        assert g.dtype == w.dtype
    for arr in got:
        assert not arr.flags.writeable
        assert arr.base is None or not arr.base.flags.writeable
    assert cx.kaplan_meier(d, e) == state.compute()


def test_a_zero_duration_is_the_origin_row_on_the_sorting_path():
    # fractional durations take the packed sort; one of them is exactly 0
    d = np.array([0.0, 2.5, 0.0, 7.25, 2.5])
    e = np.array([True, False, False, True, True])
    state = cx.SurvivalState.from_durations(d, e)
    assert state.times.tolist() == [0.0, 2.5, 7.25]
    assert state.entered.tolist() == [5, 0, 0]
    assert state.events.tolist() == [1, 1, 1]
    assert state.censored.tolist() == [1, 1, 0]
    for arr in (state.times, state.entered, state.events, state.censored):
        assert arr.base is None


def test_an_export_of_timedeltas_with_a_gap_and_a_same_day_churn():
    # shaped like a subscriptions export: tenures as timedelta64 days, one
    # missing (NaT), one customer gone the day they joined (a duration of 0, so
    # the tally's own first row is the origin), large second counts (the sort)
    day = 86_400.0
    tenure = np.array([30, 45, "NaT", 0, 12, 30], dtype="timedelta64[D]")
    churned = np.array([True, False, True, True, False, True])
    state = cx.SurvivalState.from_durations(tenure, churned, nan_policy="omit")
    assert state.n_missing == 1
    assert state.times.tolist() == [0.0, 12 * day, 30 * day, 45 * day]
    assert state.entered.tolist() == [5, 0, 0, 0]
    assert state.events.tolist() == [1, 0, 2, 0]
    assert state.censored.tolist() == [0, 1, 0, 1]
    for arr in (state.times, state.entered, state.events, state.censored):
        assert arr.base is None
    curve = cx.kaplan_meier(tenure, churned, nan_policy="omit")
    # the product of (n - d) / n: at risk 5, 4, 3, 1 with 1, 0, 2, 0 events
    assert curve.at_risk.tolist() == [5, 4, 3, 1]
    want = np.cumprod([(5 - 1) / 5, 4 / 4, (3 - 2) / 3, 1 / 1])
    np.testing.assert_array_equal(curve.survival, want)


def test_a_table_large_enough_for_the_threaded_sort_equals_a_plain_count():
    # from PARALLEL_MIN subjects the packed (time, event) keys are sorted in
    # parts on threads and merged: the same table as a plain count
    from cxmetrics._core.threaded import PARALLEL_MIN

    rng = np.random.default_rng(5)
    n = PARALLEL_MIN + 999
    d = np.round(rng.weibull(0.8, n) * 18.0, 3)  # ties at the millisecond
    e = rng.random(n) < 0.6
    state = cx.SurvivalState.from_durations(d, e)
    got = (state.times, state.entered, state.events, state.censored)
    for g, w in zip(got, _plain_table(d, e), strict=True):
        np.testing.assert_array_equal(g, w)


def test_grouped_tables_large_enough_for_threaded_lookups_equal_each_group():
    # from PARALLEL_MIN rows each duration's place among the times is looked
    # up on threads: every group's table equals the table of its rows alone
    from cxmetrics._core.threaded import PARALLEL_MIN

    rng = np.random.default_rng(9)
    n = PARALLEL_MIN + 777
    d = np.round(rng.weibull(0.8, n) * 18.0, 4)
    e = rng.random(n) < 0.6
    plan = rng.choice(np.array(["basic", "plus", "pro"]), n)
    grouped = cx.GroupedSurvivalState.from_durations(d, plan, e)
    for name in ("basic", "plus", "pro"):
        rows = plan == name
        assert grouped[name] == cx.SurvivalState.from_durations(d[rows], e[rows])
