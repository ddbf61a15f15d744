"""Properties of funnels, and the vectorised kernel against a plain-loop oracle.

The oracle below walks each unit's events one by one, as ClickHouse's
``windowFunnel`` does (``AggregateFunctionWindowFunnel.cpp``), with this
library's extensions (entry rule, exclusions, any order) written the obvious
way. The kernel must agree with it on every generated log.
"""

from __future__ import annotations

import functools
import operator

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx

STEPS = [{"A", "Q"}, {"B", "Q"}, {"C"}, {"D"}]
MODES = [
    "ordered",
    "strict_order",
    "strict_deduplication",
    "strict_increase",
    "any_order",
]


def oracle_level(entries, k, window, mode, entry, excl):
    """One unit: ``entries`` is a list of (time, code) sorted by (time, code), code 0 = other."""
    if entry == "first":
        ones = [i for i, (_, c) in enumerate(entries) if c == 1]
        entries = (
            [x for i, x in enumerate(entries) if x[1] != 1 or i == ones[0]]
            if ones
            else entries
        )
        # a dropped restart leaves no trace at all
    if mode == "any_order":
        best = 0
        for i, (t0, c) in enumerate(entries):
            if c != 1:
                continue
            cut = min(
                [t for (t, cc) in entries[i + 1 :] if cc == 0 and excl] or [np.inf]
            )
            lvl = 1
            for step in range(2, k + 1):
                if any(
                    cc == step and t0 <= t <= t0 + window and t < cut
                    for (t, cc) in entries
                ):
                    lvl += 1
                else:
                    break
            best = max(best, lvl)
        return best
    state = [None] * k  # (first_time, last_time, exclusions seen at the start)
    first_event = False
    seen = 0
    for t, c in entries:
        idx = c - 1
        if c == 0:
            if mode == "strict_order" and first_event:
                break
            seen += 1 if excl else 0
            continue
        if idx == 0:
            state[0] = (t, t, seen)
            first_event = True
        elif (mode == "strict_deduplication" and state[idx] is not None) or (
            mode == "strict_order" and first_event and state[idx - 1] is None
        ):
            break
        elif state[idx - 1] is not None:
            f, last, s0 = state[idx - 1]
            ok = t <= f + window
            if mode == "strict_increase":
                ok = ok and last < t
            if excl:
                ok = ok and seen == s0
            if ok:
                state[idx] = (f, t, s0)
                if idx + 1 == k:
                    return k
    return max([i + 1 for i in range(k) if state[i] is not None], default=0)


def oracle_levels(units, times, events, steps, window, mode, entry, exclude):
    out = {}
    for u in sorted(set(units)):
        ent = []
        for uu, t, e in zip(units, times, events, strict=True):
            if uu != u:
                continue
            codes = [i + 1 for i, s in enumerate(steps) if e in s]
            ent.extend((t, c) for c in codes)
            if not codes and (mode == "strict_order" or (exclude and e in exclude)):
                ent.append((t, 0))
        ent.sort()
        excl = bool(exclude)
        if mode == "strict_order" and exclude:
            # every other event already breaks a strict chain
            excl = False
        out[u] = oracle_level(ent, len(steps), window, mode, entry, excl)
    return out


logs = st.integers(0, 30).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
        st.lists(st.integers(0, 20), min_size=n, max_size=n),
        st.lists(st.sampled_from(list("ABCDQXY")), min_size=n, max_size=n),
    )
)


@given(
    logs,
    st.integers(1, 12),
    st.sampled_from(MODES),
    st.sampled_from(["any", "first"]),
    st.booleans(),
    st.integers(1, 4),
)
def test_kernel_equals_loop_oracle(log, window, mode, entry, use_exclude, n_steps):
    units, times, events = log
    if n_steps % 2:
        # float times take the three-key sort, integer times the packed one
        times = [t / 4 for t in times]
        window = window / 4
    steps = STEPS[:n_steps]
    exclude = ["X"] if use_exclude else None
    lv = cx.funnel_levels(
        units,
        times,
        events,
        steps,
        window=window,
        mode=mode,
        entry=entry,
        exclude=exclude,
    )
    expected = oracle_levels(units, times, events, steps, window, mode, entry, exclude)
    assert dict(zip(lv.units.tolist(), lv.level.tolist(), strict=True)) == expected


@given(logs, st.integers(1, 12), st.sampled_from(MODES))
def test_levels_never_exceed_steps_and_strict_never_exceed_default(log, window, mode):
    units, times, events = log
    lv = cx.funnel_levels(units, times, events, STEPS, window=window, mode=mode)
    base = cx.funnel_levels(units, times, events, STEPS, window=window)
    assert ((lv.level >= 0) & (lv.level <= len(STEPS))).all()
    if mode.startswith("strict"):
        assert (lv.level <= base.level).all()


@given(
    logs,
    st.integers(1, 12),
    st.integers(0, 5),
    st.integers(0, 20),
    st.sampled_from(list("ABCDQX")),
)
def test_adding_an_event_never_lowers_a_level(log, window, u, t, e):
    units, times, events = log
    before = cx.funnel_levels(units, times, events, STEPS, window=window)
    after = cx.funnel_levels(
        [*units, u], [*times, t], [*events, e], STEPS, window=window
    )
    old = dict(zip(before.units.tolist(), before.level.tolist(), strict=True))
    for unit, level in zip(after.units.tolist(), after.level.tolist(), strict=True):
        assert level >= old.get(unit, 0)


@given(
    logs,
    st.integers(1, 12),
    st.integers(0, 10),
    st.sampled_from(["ordered", "any_order", "strict_increase"]),
)
def test_a_wider_window_never_lowers_a_level(log, window, extra, mode):
    units, times, events = log
    a = cx.funnel_levels(units, times, events, STEPS, window=window, mode=mode)
    b = cx.funnel_levels(units, times, events, STEPS, window=window + extra, mode=mode)
    assert (b.level >= a.level).all()


@given(logs, st.integers(1, 12), st.randoms(use_true_random=False))
def test_row_order_does_not_matter_and_input_is_not_mutated(log, window, rnd):
    units, times, events = (np.array(x) for x in log)
    perm = np.arange(units.size)
    rnd.shuffle(perm)
    copies = [units.copy(), times.copy(), events.copy()]
    a = cx.funnel_levels(units, times, events, STEPS, window=window)
    b = cx.funnel_levels(units[perm], times[perm], events[perm], STEPS, window=window)
    assert a == b
    for arr, copy in zip((units, times, events), copies, strict=True):
        np.testing.assert_array_equal(arr, copy)


@given(logs, st.integers(1, 12), st.sampled_from(MODES), st.data())
def test_states_of_unit_partitions_merge_to_the_whole(log, window, mode, data):
    units, times, events = (np.array(x) for x in log)
    parts = data.draw(st.lists(st.integers(0, 2), min_size=6, max_size=6))
    part_of_unit = np.array(parts)[units] if units.size else units
    seg = np.where(np.isin(events, ["A", "B"]), "web", "app")
    whole = cx.FunnelState.from_log(
        units, times, events, STEPS, window=window, mode=mode, by=seg
    )
    pieces = [
        cx.FunnelState.from_log(
            units[part_of_unit == p],
            times[part_of_unit == p],
            events[part_of_unit == p],
            STEPS,
            window=window,
            mode=mode,
            by=seg[part_of_unit == p],
        )
        for p in range(3)
    ]
    merged = functools.reduce(operator.add, pieces)
    assert merged == whole
    assert sum(pieces) == whole
    empty = cx.FunnelState.empty(
        [" | ".join(sorted(s)) for s in STEPS],
        window=window,
        mode=mode,
        grouped=True,
    )
    assert whole + empty == whole == empty + whole
    a, b, c = pieces
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@given(logs, st.integers(1, 12))
def test_grouped_equals_per_segment_funnels(log, window):
    units, times, events = (np.array(x) for x in log)
    seg_of_unit = np.array(list("xyxyzx"))
    seg = seg_of_unit[units] if units.size else units.astype(str)
    g = cx.FunnelState.from_log(
        units, times, events, STEPS, window=window, by=seg
    ).counts
    keys = cx.FunnelState.from_log(
        units, times, events, STEPS, window=window, by=seg
    ).keys
    for i, key in enumerate(keys.tolist()):
        m = seg == key
        s = cx.FunnelState.from_log(units[m], times[m], events[m], STEPS, window=window)
        np.testing.assert_array_equal(g[i], s.counts[0])


@given(logs, st.integers(1, 12))
def test_intervals_contain_the_estimates(log, window):
    units, times, events = log
    s = cx.FunnelState.from_log(units, times, events, STEPS, window=window)
    if s.counts[0, 1:].sum() == 0:
        return
    res = s.compute()
    ci = res.conversion_interval()
    conv = res.conversion
    assert ((ci.low <= conv + 1e-12) & (conv <= ci.high + 1e-12)).all()
    step = res.step_interval()
    ok = ~np.isnan(res.step_conversion)
    assert (
        (step.low[ok] <= res.step_conversion[ok] + 1e-12)
        & (res.step_conversion[ok] <= step.high[ok] + 1e-12)
    ).all()
    assert res.reached.tolist() == sorted(res.reached.tolist(), reverse=True)


def oracle_durations(entries, n_steps, k, window, mode, entry, as_of):
    """One unit: (duration, converted) to step ``k`` of ``n_steps``, or None if it never entered."""
    if entry == "first":
        ones = [i for i, (_, c) in enumerate(entries) if c == 1]
        entries = (
            [x for i, x in enumerate(entries) if x[1] != 1 or i == ones[0]]
            if ones
            else entries
        )
    starts = [t for t, c in entries if c == 1]
    if mode == "any_order":
        if not starts:
            return None
        for t0 in starts:
            finish, ok = t0, True
            for step in range(2, k + 1):
                times = [t for t, c in entries if c == step and t >= t0]
                if not times or min(times) > t0 + window:
                    ok = False
                    break
                finish = max(finish, min(times))
            if ok:
                return (finish - t0, 1)
        return (min(window, as_of - starts[-1]), 0)
    state = [None] * n_steps
    first_event = False
    last_start = None
    reached = None
    for t, c in entries:
        idx = c - 1
        if c == 0:
            if mode == "strict_order" and first_event:
                break
            continue
        if idx == 0:
            state[0] = (t, t)
            first_event = True
            last_start = t
            if k == 1 and reached is None:
                reached = (0, 1)
        elif (mode == "strict_deduplication" and state[idx] is not None) or (
            mode == "strict_order" and first_event and state[idx - 1] is None
        ):
            break
        elif state[idx - 1] is not None:
            f, last = state[idx - 1]
            ok = t <= f + window and (mode != "strict_increase" or last < t)
            if ok:
                state[idx] = (f, t)
                if idx + 1 == k and reached is None:
                    reached = (t - f, 1)
                if idx + 1 == n_steps:
                    break
    if reached is not None:
        return reached
    if last_start is None:
        return None
    return (min(window, as_of - last_start), 0)


@given(
    logs,
    st.integers(1, 12),
    st.sampled_from(MODES),
    st.sampled_from(["any", "first"]),
    st.integers(1, 4),
    st.integers(0, 10),
)
def test_time_to_convert_durations_equal_the_oracle(
    log, window, mode, entry, to_step, extra
):
    units, times, events = log
    if not any(e in ("A", "Q") for e in events):
        return  # nobody enters: an empty curve
    as_of = max(times) + extra
    km = cx.time_to_convert(
        units,
        times,
        events,
        STEPS,
        window=window,
        to_step=to_step,
        as_of=as_of,
        mode=mode,
        entry=entry,
    )
    rows = []
    for u in sorted(set(units)):
        ent = []
        for uu, t, e in zip(units, times, events, strict=True):
            if uu != u:
                continue
            codes = [i + 1 for i, s in enumerate(STEPS) if e in s]
            ent.extend((t, c) for c in codes)
            if not codes and mode == "strict_order":
                ent.append((t, 0))
        ent.sort()
        d = oracle_durations(ent, len(STEPS), to_step, window, mode, entry, as_of)
        if d is not None:
            rows.append(d)
    durations = np.array([r[0] for r in rows], dtype=float)
    converted = np.array([r[1] for r in rows], dtype=int)
    assert km.n == len(rows)
    assert km.n_events == int(converted.sum())
    times_u = np.unique(durations)
    np.testing.assert_array_equal(km.time, times_u)
    np.testing.assert_array_equal(
        km.events, [int(converted[durations == t].sum()) for t in times_u]
    )


@given(logs, st.integers(1, 12), st.integers(1, 6), st.sampled_from(MODES))
def test_sessions_equal_funnels_of_hand_made_session_keys(log, window, gap, mode):
    units, times, events = log
    order = sorted(range(len(units)), key=lambda i: (units[i], times[i]))
    key = [""] * len(units)
    session, prev = 0, None
    for i in order:
        if prev is None or units[i] != units[prev] or times[i] - times[prev] > gap:
            session = 0 if prev is None or units[i] != units[prev] else session + 1
        key[i] = f"{units[i]}/{session:03d}"
        prev = i
    a = cx.funnel_levels(
        units, times, events, STEPS, window=window, mode=mode, session_gap=gap
    )
    b = cx.funnel_levels(key, times, events, STEPS, window=window, mode=mode)
    np.testing.assert_array_equal(a.level, b.level)
    if len(units):
        assert a.session is not None
        assert [
            f"{u}/{s:03d}"
            for u, s in zip(a.units.tolist(), a.session.tolist(), strict=True)
        ] == b.units.tolist()
