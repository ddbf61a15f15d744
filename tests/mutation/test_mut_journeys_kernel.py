"""Funnel kernels against hand-computed levels and durations (issue #21).

Mutants of ``journeys/_kernel.py`` that survived ``tests/journeys`` are killed
here: small event logs whose levels, durations and last starts are worked out by
hand in the comments, in every mode, with windows, exclusions and entry rules,
and the ``any_order`` scan against a brute-force oracle (per start: the leading
steps found in its window and before the next exclusion).

Logs are ``(unit, time, event)`` rows; events ``A``-``D`` are steps 1-4, ``Q``
matches steps 1 and 2 at once, ``X`` is an exclusion event, ``O`` any other event.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.journeys._kernel import _sorted, build_entries, scan

NAN = math.nan
STEP_OF = {"A": {1}, "B": {2}, "C": {3}, "D": {4}, "Q": {1, 2}, "X": set(), "O": set()}


def kernel(log, n_steps, window, *, mode="ordered", entry="any", exclude=False):
    """Entries and scan of a log of (unit, time, event) rows; units are 0, 1, ..."""
    unit = np.array([u for u, _, _ in log], dtype=np.int64)
    time = np.array([t for _, t, _ in log])
    matches = np.array(
        [[k + 1 in STEP_OF[e] for _, _, e in log] for k in range(n_steps)], dtype=bool
    ).reshape(n_steps, len(log))
    if mode == "strict_order":
        keep = np.ones(len(log), dtype=bool)
    elif exclude:
        keep = np.array([e == "X" for _, _, e in log], dtype=bool)
    else:
        keep = None
    n_units = int(unit.max()) + 1 if unit.size else 0
    ent = build_entries(unit, time, matches, n_units, keep=keep)
    res = scan(
        ent,
        n_steps,
        window,
        mode=mode,
        entry=entry,
        exclusions=exclude and mode != "strict_order",
    )
    return ent, res


def durations(res):
    """Per unit, the duration to each level (NaN where not reached)."""
    return res.duration.T.tolist()


def start_times(ent, res):
    """Per unit, the time of its last eligible start (None for none)."""
    return [None if i < 0 else ent.time[i].item() for i in res.last_start.tolist()]


def assert_durations(res, expected):
    np.testing.assert_array_equal(np.asarray(durations(res)), np.asarray(expected))


# ---------------------------------------------------------------- any order


def test_any_order_levels_durations_and_starts_by_hand():
    log = [
        # unit 0: B at 7 and C at 4 are both inside [0, 10]: level 3; level 2 at
        # B (7), level 3 when both are in, max(7, 4) = 7
        (0, 0, "A"), (0, 4, "C"), (0, 7, "B"),
        # unit 1: C at 11 is past 0 + 10: level 2 (B at 3)
        (1, 0, "A"), (1, 3, "B"), (1, 11, "C"),
        # unit 2: B at the start's own time counts, C exactly at 5 + 10 too
        (2, 5, "A"), (2, 5, "B"), (2, 15, "C"),
        # unit 3: B before the start does not count; C alone is no level
        (3, 1, "B"), (3, 2, "A"), (3, 3, "C"),
        # unit 4: start 0 finds B only at 30 (> 10): level 1; start 25 has B at 30
        # and C at 26: level 3 in 5; level 1 is timed from the first start (0)
        (4, 0, "A"), (4, 1, "C"), (4, 30, "B"), (4, 25, "A"), (4, 26, "C"),
        # unit 5: never starts
        (5, 0, "B"), (5, 1, "C"),
        # unit 6: the first start reaches 2 (B at 1), the later one only 1: the
        # best start counts, not the last
        (6, 0, "A"), (6, 1, "B"), (6, 5, "A"),
    ]  # fmt: skip
    ent, res = kernel(log, 3, 10, mode="any_order")
    assert res.level.dtype == np.int64
    assert res.level.tolist() == [3, 2, 3, 1, 3, 0, 2]
    assert_durations(
        res,
        [
            [0, 7, 7],
            [0, 3, NAN],
            [0, 0, 10],
            [0, NAN, NAN],
            [0, 5, 5],
            [NAN, NAN, NAN],
            [0, 1, NAN],
        ],
    )
    assert start_times(ent, res) == [0, 0, 5, 2, 25, None, 5]
    assert res.last_start[5] == -1  # the kernel's "no start"


def test_any_order_steps_of_other_units_and_earlier_times_do_not_count():
    # unit 1 starts at 5, the time of unit 0's B: that B is another unit's, and
    # unit 1's own B at 0 is before its start; unit 2's B at 7 counts
    log = [
        (0, 5, "B"),
        (1, 0, "B"), (1, 5, "A"),
        (2, 5, "A"), (2, 7, "B"),
    ]  # fmt: skip
    _, res = kernel(log, 2, 10, mode="any_order")
    assert res.level.tolist() == [0, 1, 2]
    assert_durations(res, [[NAN, NAN], [0, NAN], [0, 2]])
    # the same with unit 0 at the log's first time, and unit 1 ending on a B
    log = [(0, 0, "A"), (0, 5, "B"), (1, 5, "A"), (1, 6, "B"), (2, 0, "B")]
    _, res = kernel(log, 2, 10, mode="any_order")
    assert res.level.tolist() == [2, 2, 0]
    assert_durations(res, [[0, 5], [0, 1], [NAN, NAN]])
    # the log's last B is unit 1's, before its start: nothing after it counts
    log = [(0, 0, "A"), (0, 1, "B"), (1, 0, "B"), (1, 1, "A")]
    _, res = kernel(log, 2, 10, mode="any_order")
    assert res.level.tolist() == [2, 1]


def test_any_order_first_entry_ignores_restarts():
    # entry='first': only A at 0 starts; B at 30 is past 0 + 10, so level 1,
    # although the restart at 25 would reach 2
    log = [(0, 0, "A"), (0, 25, "A"), (0, 30, "B"), (1, 3, "A"), (1, 4, "B")]
    ent, res = kernel(log, 2, 10, mode="any_order", entry="first")
    assert res.level.tolist() == [1, 2]
    assert_durations(res, [[0, NAN], [0, 1]])
    assert start_times(ent, res) == [0, 3]
    _, res = kernel(log, 2, 10, mode="any_order", entry="any")
    assert res.level.tolist() == [2, 2]
    assert_durations(res, [[0, 5], [0, 1]])


def test_any_order_exclusions_cut_the_window():
    log = [
        # unit 0: X at 3 ends the window of A at 0: B at 2 counts, C at 4 not
        (0, 0, "A"), (0, 2, "B"), (0, 3, "X"), (0, 4, "C"),
        # unit 1: B at the exclusion's own time (3) does not count
        (1, 0, "A"), (1, 1, "C"), (1, 3, "X"), (1, 3, "B"),
        # unit 2: an exclusion before the start ends nothing
        (2, 0, "X"), (2, 1, "A"), (2, 2, "B"), (2, 3, "C"),
        # unit 3: no exclusion of its own; the next one in the log (unit 4's, at
        # time 0) belongs to another unit and ends nothing here
        (3, 0, "A"), (3, 1, "B"), (3, 5, "C"),
        (4, 0, "X"), (4, 1, "A"), (4, 2, "X"), (4, 3, "B"),
        # unit 5: a restart after the exclusion is not cut: level 2, timed from
        # that restart (the first start to reach 2)
        (5, 0, "A"), (5, 1, "X"), (5, 2, "A"), (5, 3, "B"),
        # unit 6: an exclusion at the start's time sorts before it: not after it
        (6, 5, "X"), (6, 5, "A"), (6, 6, "B"),
        # unit 7, the last: no exclusion after any start in the log
        (7, 0, "A"), (7, 1, "B"), (7, 2, "C"),
    ]  # fmt: skip
    ent, res = kernel(log, 3, 10, mode="any_order", exclude=True)
    assert res.level.tolist() == [2, 1, 3, 3, 1, 2, 2, 3]
    assert_durations(
        res,
        [
            [0, 2, NAN],
            [0, NAN, NAN],
            [0, 1, 2],
            [0, 1, 5],
            [0, NAN, NAN],
            [0, 1, NAN],
            [0, 1, NAN],
            [0, 1, 2],
        ],
    )
    assert start_times(ent, res) == [0, 0, 1, 0, 1, 2, 5, 0]


def test_any_order_exclude_with_no_exclusion_event_cuts_nothing():
    # exclusions on, but no X in the log: nothing ends a window
    log = [(0, 0, "A"), (0, 1, "B"), (0, 2, "C"), (1, 4, "A"), (1, 9, "C")]
    _, res = kernel(log, 3, 10, mode="any_order", exclude=True)
    assert res.level.tolist() == [3, 1]
    assert_durations(res, [[0, 1, 2], [0, NAN, NAN]])


def test_any_order_a_step_nobody_did_stops_every_start():
    # no C at all: level 2 at most, and D (after C) does not count
    log = [(0, 0, "A"), (0, 1, "B"), (0, 2, "D"), (1, 0, "A")]
    _, res = kernel(log, 4, 10, mode="any_order")
    assert res.level.tolist() == [2, 1]
    assert_durations(res, [[0, 1, NAN, NAN], [0, NAN, NAN, NAN]])


def test_any_order_duration_is_timed_from_the_first_start_reaching_the_level():
    # starts at 0, 2 and 4 all reach level 2 (B at 5): level 2 is timed from the
    # first of them, 5 - 0 = 5, not from the last (1) or the middle one (3)
    log = [(0, 0, "A"), (0, 2, "A"), (0, 4, "A"), (0, 5, "B"), (1, 1, "A")]
    ent, res = kernel(log, 2, 10, mode="any_order")
    assert res.level.tolist() == [2, 1]
    assert_durations(res, [[0, 5], [0, NAN]])
    assert start_times(ent, res) == [4, 1]


def oracle_any_order(log, n_steps, window, entry, exclude):
    """Brute force: per unit, level, durations and last start time (any order)."""
    out = {}
    for u in sorted({r[0] for r in log}):
        rows = sorted(
            [(t, c) for uu, t, e in log if uu == u for c in STEP_OF[e]]
            + [(t, 0) for uu, t, e in log if uu == u and e == "X" and exclude]
        )
        starts = [i for i, (_, c) in enumerate(rows) if c == 1]
        if entry == "first":
            starts = starts[:1]
        level, dur = 0, [NAN] * n_steps
        for i in starts:
            t0 = rows[i][0]
            cut = min([t for t, c in rows[i + 1 :] if c == 0], default=math.inf)
            reached, finish = 1, t0
            if math.isnan(dur[0]):
                dur[0] = 0.0
            for step in range(2, n_steps + 1):
                found = [t for t, c in rows if c == step and t0 <= t <= t0 + window]
                if not found or min(found) >= cut:
                    break
                reached, finish = step, max(finish, min(found))
                if math.isnan(dur[step - 1]):
                    dur[step - 1] = float(finish - t0)
            level = max(level, reached)
        last = rows[starts[-1]][0] if starts else None
        out[u] = (level, dur, last)
    return out


any_logs = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 12), st.sampled_from("AABBCCDQXO")),
    max_size=25,
)


@given(
    any_logs,
    st.integers(1, 8),
    st.sampled_from(["any", "first"]),
    st.booleans(),
    st.integers(1, 4),
    st.booleans(),
)
def test_any_order_equals_brute_force(log, window, entry, exclude, n_steps, floats):
    if floats:
        # float times take the three-key sort
        log = [(u, t / 4, e) for u, t, e in log]
        window = window / 4
    if not log:
        return
    ent, res = kernel(
        log, n_steps, window, mode="any_order", entry=entry, exclude=exclude
    )
    expected = oracle_any_order(log, n_steps, window, entry, exclude)
    units = sorted(expected)
    assert res.level[units].tolist() == [expected[u][0] for u in units]
    np.testing.assert_array_equal(
        res.duration[:, units].T, np.array([expected[u][1] for u in units])
    )
    assert [start_times(ent, res)[u] for u in units] == [expected[u][2] for u in units]


# ---------------------------------------------------------------- ordered modes


def test_strict_deduplication_by_hand():
    log = [
        # unit 0: B again at 2 after level 2 was reached stops the scan: level 2;
        # the restart at 3 comes after the stop, so the last start is A at 0
        (0, 0, "A"), (0, 1, "B"), (0, 2, "B"), (0, 3, "A"), (0, 4, "B"), (0, 5, "C"),
        # unit 1: no repeat: level 3 in 1 and 2
        (1, 0, "A"), (1, 1, "B"), (1, 2, "C"),
        # unit 2: a repeated step 1 is no break; level 2 timed from A at 1
        (2, 0, "A"), (2, 1, "A"), (2, 2, "B"),
        # unit 3: a B before any start is not a repeat of a reached step
        (3, 0, "B"), (3, 1, "A"), (3, 2, "B"), (3, 3, "C"),
    ]  # fmt: skip
    ent, res = kernel(log, 3, 10, mode="strict_deduplication")
    assert res.level.dtype == np.int64
    assert res.level.tolist() == [2, 3, 2, 3]
    assert_durations(res, [[0, 1, NAN], [0, 1, 2], [0, 1, NAN], [0, 1, 2]])
    assert start_times(ent, res) == [0, 0, 1, 1]


def test_strict_order_by_hand():
    log = [
        # unit 0: O at 2 stops the scan at level 2; the restart at 3 is after it
        (0, 0, "A"), (0, 1, "B"), (0, 2, "O"), (0, 3, "A"), (0, 4, "B"), (0, 5, "C"),
        # unit 1: an other event before the first start breaks nothing
        (1, 0, "O"), (1, 1, "A"), (1, 2, "B"), (1, 3, "C"),
        # unit 2: C before B was reached stops the scan at level 1
        (2, 0, "A"), (2, 1, "C"), (2, 2, "B"),
        # unit 3: a second A is no break; C extends the chain of A at 0 (level 2
        # reached at 1): level 3 in 3; the last start is A at 2
        (3, 0, "A"), (3, 1, "B"), (3, 2, "A"), (3, 3, "C"),
        # unit 4: O right after the start: level 1
        (4, 0, "A"), (4, 1, "O"), (4, 2, "B"),
    ]  # fmt: skip
    ent, res = kernel(log, 3, 10, mode="strict_order")
    assert res.level.dtype == np.int64
    assert res.level.tolist() == [2, 3, 1, 3, 1]
    assert_durations(
        res,
        [
            [0, 1, NAN],
            [0, 1, 2],
            [0, NAN, NAN],
            [0, 1, 3],
            [0, NAN, NAN],
        ],
    )
    assert start_times(ent, res) == [0, 1, 0, 2, 0]


def test_ordered_exclusions_and_durations_by_hand():
    log = [
        # unit 0: X at 2 comes between the chain's start and C: level 2
        (0, 0, "A"), (0, 1, "B"), (0, 2, "X"), (0, 3, "C"),
        # unit 1: the chain restarts after the exclusion: level 3 in 1 and 2 from
        # A at 2; level 1 is timed from A at 0 (0)
        (1, 0, "A"), (1, 1, "X"), (1, 2, "A"), (1, 3, "B"), (1, 4, "C"),
        # unit 2: strictly later steps; B at the start's time advances (ordered)
        (2, 0, "A"), (2, 0, "B"), (2, 7, "C"),
        # unit 3: B exactly at 0 + 10 is inside the window, C at 11 is not
        (3, 0, "A"), (3, 10, "B"), (3, 11, "C"),
    ]  # fmt: skip
    ent, res = kernel(log, 3, 10, mode="ordered", exclude=True)
    assert res.level.tolist() == [2, 3, 3, 2]
    assert_durations(res, [[0, 1, NAN], [0, 1, 2], [0, 0, 7], [0, 10, NAN]])
    assert start_times(ent, res) == [0, 2, 0, 0]
    # strict_increase: B at the start's own time does not advance
    _, res = kernel(log, 3, 10, mode="strict_increase", exclude=True)
    assert res.level.tolist() == [2, 3, 1, 2]


@pytest.mark.parametrize(
    "mode", ["ordered", "strict_increase", "strict_deduplication", "strict_order"]
)
def test_steps_after_a_level_nobody_reached(mode):
    # nobody starts in the first log; in the second, nobody reaches B, so C has
    # no level 2 to extend
    _, res = kernel([(0, 0, "B"), (0, 1, "C"), (1, 2, "C")], 3, 10, mode=mode)
    assert res.level.tolist() == [0, 0]
    assert res.last_start.tolist() == [-1, -1]
    log = [(0, 0, "A"), (0, 1, "C"), (1, 2, "A"), (1, 3, "C"), (1, 4, "C")]
    ent, res = kernel(log, 3, 10, mode=mode)
    assert res.level.tolist() == [1, 1]
    assert_durations(res, [[0, NAN, NAN], [0, NAN, NAN]])
    assert start_times(ent, res) == [0, 2]


@pytest.mark.parametrize("mode", ["ordered", "strict_order", "any_order"])
def test_empty_log(mode):
    ent, res = kernel([], 2, 10, mode=mode)
    assert ent.n_units == 0
    assert res.level.tolist() == []
    assert res.duration.shape == (2, 0)
    assert res.last_start.tolist() == []


def test_rows_matching_two_steps_with_exclusions_and_other_events():
    # Q is steps 1 and 2 at once: one row advances from 1 to 2
    log = [
        # unit 0: X after Q ends the chain before C: level 2
        (0, 0, "Q"), (0, 1, "X"), (0, 2, "C"),
        # unit 1: O is no exclusion: level 3
        (1, 0, "Q"), (1, 1, "O"), (1, 2, "C"),
    ]  # fmt: skip
    _, res = kernel(log, 3, 10, mode="ordered", exclude=True)
    assert res.level.tolist() == [2, 3]
    assert_durations(res, [[0, 0, NAN], [0, 0, 2]])
    # strict order: O after the start stops unit 1 at 2; X is just another event
    _, res = kernel(log, 3, 10, mode="strict_order")
    assert res.level.tolist() == [2, 2]
    _, res = kernel([(0, 0, "Q"), (0, 1, "C")], 3, 10, mode="strict_order")
    assert res.level.tolist() == [3]


def test_fewer_rows_than_steps():
    # 3 rows, 4 steps: the step codes (up to 4) need 3 bits whatever the rows
    log = [(0, 0, "Q"), (0, 1, "C"), (0, 2, "D")]
    for mode in ("ordered", "any_order", "strict_order"):
        _, res = kernel(log, 4, 10, mode=mode)
        assert res.level.tolist() == [4], mode
        assert_durations(res, [[0, 0, 1, 2]])


# ---------------------------------------------------------------- sorting


def reference_sort(u, t, code):
    order = np.lexsort((code, t, u))
    return u[order], t[order], code[order]


@pytest.mark.parametrize(
    ("times", "n_units", "k"),
    [
        # small integers: one packed key
        (np.array([5, 3, 3, 9, 0, 3], dtype=np.int64), 3, 2),
        # nanoseconds over 200 years in whole seconds: too wide to pack, packed
        # again once divided by the common step (1 s)
        (
            np.array(
                ["1800-01-01", "2000-06-01T00:00:01", "1800-01-01", "1999-01-01"],
                dtype="datetime64[ns]",
            ).astype(np.int64),
            5,
            3,
        ),
        # as wide with a one-nanosecond step: the three-key sort
        (
            np.array(
                ["1800-01-01", "2000-06-01T00:00:00.000000001", "1800-01-01", "1999"],
                dtype="datetime64[ns]",
            ).astype(np.int64),
            5,
            3,
        ),
        # 2 units, 3 steps (2 bits each) and 63 bits of nanoseconds: the three-key
        # sort, not a 67-bit key
        (
            np.array(
                ["1800-01-01", "2000-06-01T00:00:00.000000001", "1800-01-01", "1999"],
                dtype="datetime64[ns]",
            ).astype(np.int64),
            2,
            3,
        ),
        # 3 units (2 bits), 1 step (1 bit), a 61-bit span with no common step:
        # 64 bits, one too many for the key (unit 2 would set the sign bit)
        (np.array([0, 2**60 + 1, 5, 2**60, 2**60 + 1, 7], dtype=np.int64), 3, 1),
        # the same with a common step of 2: packed once halved (60 + 2 + 1 bits)
        (np.array([0, 2**61 - 2, 6, 2**60, 2**61 - 2, 8], dtype=np.int64), 3, 1),
        # floats: the three-key sort
        (np.array([0.5, 0.25, 0.25, 3.0]), 2, 1),
    ],
)
def test_sorted_equals_a_three_key_sort(times, n_units, k):
    rng = np.random.default_rng(4)
    n = times.size
    u = rng.integers(0, n_units, n).astype(np.int64)
    code = rng.integers(0, k + 1, n).astype(np.int64)
    # every permutation of unit and code over the same times, ties included
    for _ in range(20):
        p = rng.permutation(n)
        got = _sorted(u[p], times[p], code[p], n_units, k)
        want = reference_sort(u[p], times[p], code[p])
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)
            assert g.dtype == w.dtype


def test_wide_datetime_log_converts_across_two_centuries():
    # two centuries of nanoseconds do not fit the packed key with the units and
    # steps: a unit converting in 1 s (window 2 s) and one whose step 2 comes 3 s late
    t = np.array(
        [
            "1800-01-01T00:00:00",
            "2000-01-01T00:00:00",
            "2000-01-01T00:00:01",
            "1800-01-01T00:00:03",
        ],
        dtype="datetime64[ns]",
    )
    lv = cx.funnel_levels(
        ["old", "new", "new", "old"], t, ["A", "A", "B", "B"], ["A", "B"], window=2
    )
    assert lv.units.tolist() == ["new", "old"]
    assert lv.level.tolist() == [2, 1]
