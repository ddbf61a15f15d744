"""Funnel kernels: one sort by (unit, time), then a search per step.

No validation here (``_inputs`` did it) and no Python loop over units or events:
the loops below run over the few funnel steps only.

The ordered modes follow ClickHouse's ``windowFunnel`` state machine exactly. Its
state keeps, per level ``k``, the *last* event that reached ``k`` and the start of
that event's chain. Chain starts never decrease along the sorted log, so the last
event to reach a level also carries the latest (best) start, and "the state just
before entry ``e``" is found by a binary search among the entries that reached
level ``k - 1``. An entry of step ``k`` advances when that state exists in its
unit, lies inside the window of the chain's start and (``strict_increase``) has an
earlier time. ``strict_order`` and ``strict_deduplication`` stop a unit's scan at
its first offending entry: the level is the highest one reached before it, so the
breaking entries are found on the unbroken scan and only its prefix is kept.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.threaded import sort_in_place

__all__ = ["Entries", "FunnelScan", "build_entries", "scan"]

_I = NDArray[np.intp]


class Entries(NamedTuple):
    """A log as sorted (unit, time, step) entries: one per (row, matched step)."""

    unit: NDArray[np.int64]  # unit code of each entry
    time: NDArray[Any]  # int64 nanoseconds or float numbers
    code: NDArray[np.int64]  # step 1..K, 0 for a row matching no step
    unit_first: _I  # position of the unit's first entry
    n_units: int


class FunnelScan(NamedTuple):
    """Per unit: the level reached, and the time from start to each level."""

    level: NDArray[np.int64]  # (n_units,)
    # (K, n_units): time from the chain's start to the first event reaching level
    # k + 1 (in the log's time unit), NaN if the level was not reached
    duration: NDArray[np.float64]
    last_start: _I  # (n_units,): the unit's last eligible step-1 entry, -1 if none


def build_entries(
    unit: NDArray[np.int64],
    time: NDArray[Any],
    matches: NDArray[np.bool_],
    n_units: int,
    *,
    keep: NDArray[np.bool_] | None,
) -> Entries:
    """Expand rows into (row, step) entries and sort them by (unit, time, step).

    ``matches`` has shape (K, n): row ``i`` matches step ``k + 1``. Rows matching
    no step are kept with code 0 where ``keep`` is true (strict order keeps them
    all; otherwise only exclusion events, so code 0 marks them). This is ClickHouse's
    order: a stable sort of (time, step) pairs per unit, so at equal times a
    lower step comes first and one row matching steps 1 and 2 advances from one
    to the other, as ``windowFunnel`` does.
    """
    hit = matches.any(axis=0)
    if (matches.sum(axis=0) <= 1).all():
        # the common case: each row is at most one step, and entries are rows
        code = np.zeros(matches.shape[1], dtype=np.int64)
        for k in range(matches.shape[0]):
            code[matches[k]] = k + 1
        row = np.flatnonzero(hit if keep is None else hit | keep)
        code = code[row]
    else:
        steps, rows = np.nonzero(matches)
        code = (steps + 1).astype(np.int64)
        row = rows
        if keep is not None:
            other = np.flatnonzero(~hit & keep)
            row = np.concatenate([row, other])
            code = np.concatenate([code, np.zeros(other.size, np.int64)])
    u, t, code = _sorted(unit[row], time[row], code, n_units, matches.shape[0])
    m = u.size
    new = np.ones(m, dtype=bool)
    new[1:] = u[1:] != u[:-1]
    unit_first = np.maximum.accumulate(np.where(new, np.arange(m), 0))
    return Entries(u, t, code, unit_first.astype(np.intp), n_units)


def _bits(n: int) -> int:
    return max(int(n).bit_length(), 1)


def _sorted(
    u: NDArray[np.int64],
    t: NDArray[Any],
    code: NDArray[np.int64],
    n_units: int,
    k: int,
) -> tuple[NDArray[np.int64], NDArray[Any], NDArray[np.int64]]:
    """Entries sorted by (unit, time, step): one int64 key when the three fit in 63 bits.

    Integer times are shifted to start at 0 (and divided by their common step,
    e.g. whole seconds in nanoseconds, if needed to fit) and packed with the
    unit and step into one key; one sort of the keys (no argsort: entries with
    equal keys are interchangeable) gives all three columns back by shifts and
    masks. Otherwise (float times, or
    ranges too wide) a three-key lexsort.
    """
    if t.dtype.kind in "iu" and t.size:
        lo = t.min()
        span = (t - lo).astype(np.int64)
        step = 1
        tb, cb, ub = _bits(int(span.max())), _bits(k), _bits(n_units)
        if ub + tb + cb > 63:
            step = max(int(np.gcd.reduce(span)), 1)
            tb = _bits(int(span.max()) // step)
        if ub + tb + cb <= 63:
            if step > 1:
                span //= step
            key = (u.astype(np.int64) << (tb + cb)) | (span << cb) | code
            sort_in_place(key)
            su = key >> (tb + cb)
            st = ((key >> cb) & ((1 << tb) - 1)) * step + lo
            return su, st.astype(t.dtype, copy=False), key & ((1 << cb) - 1)
    order = np.lexsort((code, t, u))
    return u[order], t[order], code[order]


def _last_before(valid: _I, idx: _I) -> _I:
    """For each entry in ``idx``, the index in ``valid`` (sorted) of the last one before it, else -1."""
    return (np.searchsorted(valid, idx, side="left") - 1).astype(np.intp)


def _first_per_unit(pos: _I, unit: NDArray[np.int64], n_units: int) -> _I:
    """First (smallest) position per unit among sorted ``pos``; the maximum intp if none."""
    out = np.full(n_units, np.iinfo(np.intp).max, dtype=np.intp)
    out[unit[pos[::-1]]] = pos[::-1]  # the last write (smallest position) wins
    return out


def _span(time: NDArray[Any], later: _I, earlier: _I) -> NDArray[np.float64]:
    """``time[later] - time[earlier]`` as float, differenced before the cast (exact ns)."""
    return np.asarray(time[later] - time[earlier], dtype=np.float64)


def scan(
    e: Entries,
    n_steps: int,
    window: float,
    *,
    mode: str,
    entry: str,
    exclusions: bool = False,
) -> FunnelScan:
    """Levels per unit for the ordered modes and ``any_order``.

    With ``exclusions``, entries of code 0 are exclusion events: an exclusion
    after a chain's start and before an entry stops that entry from extending
    the chain. (In strict order every code-0 entry already stops the scan.)
    """
    big = np.iinfo(np.intp).max
    starts = np.flatnonzero(e.code == 1).astype(np.intp)
    if entry == "first" and starts.size:
        keep = np.ones(starts.size, dtype=bool)
        keep[1:] = e.unit[starts[1:]] != e.unit[starts[:-1]]
        starts = starts[keep]
    last_start = np.full(e.n_units, -1, dtype=np.intp)
    last_start[e.unit[starts]] = starts  # the last write (largest position) wins
    if mode == "any_order":
        return _scan_any_order(e, n_steps, window, starts, last_start, exclusions)
    # exclusion events seen so far along the sorted log (a running count)
    seen = np.cumsum(e.code == 0) if exclusions else None
    valid: list[_I] = [starts]
    chain: list[_I] = [starts]  # start entry of each valid entry's chain
    for k in range(2, n_steps + 1):
        idx = np.flatnonzero(e.code == k).astype(np.intp)
        j = _last_before(valid[-1], idx)
        safe_j = np.maximum(j, 0)
        prev = valid[-1][safe_j] if valid[-1].size else np.zeros(idx.size, np.intp)
        ok = (j >= 0) & (prev >= e.unit_first[idx])
        s = chain[-1][safe_j] if chain[-1].size else np.zeros(idx.size, np.intp)
        ok &= e.time[idx] <= e.time[s] + window
        if mode == "strict_increase":
            ok &= e.time[prev] < e.time[idx]
        if seen is not None:
            ok &= seen[idx] == seen[s]
        valid.append(idx[ok])
        chain.append(s[ok])
    brk = np.full(e.n_units, big, dtype=np.intp)
    if mode == "strict_deduplication":
        for k in range(2, n_steps + 1):
            idx = np.flatnonzero(e.code == k).astype(np.intp)
            first_valid = _first_per_unit(valid[k - 1], e.unit, e.n_units)
            hit = idx[first_valid[e.unit[idx]] < idx]
            brk = np.minimum(brk, _first_per_unit(hit, e.unit, e.n_units))
    elif mode == "strict_order":
        ones = np.flatnonzero(e.code == 1).astype(np.intp)
        first_one = _first_per_unit(ones, e.unit, e.n_units)
        other = np.flatnonzero(e.code == 0).astype(np.intp)
        hit = other[first_one[e.unit[other]] < other]
        brk = np.minimum(brk, _first_per_unit(hit, e.unit, e.n_units))
        for k in range(2, n_steps + 1):
            idx = np.flatnonzero(e.code == k).astype(np.intp)
            j = _last_before(valid[k - 2], idx)
            reached = (j >= 0) & (
                (valid[k - 2][np.maximum(j, 0)] if valid[k - 2].size else -1)
                >= e.unit_first[idx]
            )
            hit = idx[(first_one[e.unit[idx]] < idx) & ~reached]
            brk = np.minimum(brk, _first_per_unit(hit, e.unit, e.n_units))
    level = np.zeros(e.n_units, dtype=np.int64)
    duration = np.full((n_steps, e.n_units), np.nan)
    for k in range(n_steps):
        v, s = valid[k], chain[k]
        keep = v < brk[e.unit[v]]
        v, s = v[keep], s[keep]
        if not v.size:
            continue
        level[e.unit[v]] = k + 1
        # the first reaching entry per unit: write in reverse so the smallest wins
        duration[k, e.unit[v[::-1]]] = _span(e.time, v[::-1], s[::-1])
    if brk.min(initial=big) < big and starts.size:
        # a broken unit's last start is its last one before the break
        cut = np.flatnonzero(brk < big)
        j = _last_before(starts, brk[cut])
        before = starts[np.maximum(j, 0)]
        last_start[cut] = np.where((j >= 0) & (e.unit[before] == cut), before, -1)
    return FunnelScan(level, duration, last_start)


def _scan_any_order(
    e: Entries,
    n_steps: int,
    window: float,
    starts: _I,
    last_start: _I,
    exclusions: bool,
) -> FunnelScan:
    """Any order: steps 2..K anywhere in ``[t_start, t_start + window]``.

    The level of a start is 1 plus the number of leading steps 2, 3, ... that all
    occur in its window (at or after the start's time, in any order); a unit's
    level is the best over its starts. An exclusion event after the start ends
    its window: events at or after the exclusion's time do not count.
    """
    m = e.code.size
    # first entry of each (unit, time) tie group: steps at the start's time count
    tie_new = np.ones(m, dtype=bool)
    tie_new[1:] = (e.unit[1:] != e.unit[:-1]) | (e.time[1:] != e.time[:-1])
    group_first = np.maximum.accumulate(np.where(tie_new, np.arange(m), 0))
    lo = group_first[starts]
    t0 = e.time[starts]
    end_ok = np.ones(starts.size, dtype=bool)
    cut_time = None
    if exclusions:
        ex = np.flatnonzero(e.code == 0)
        j = np.searchsorted(ex, starts, side="right")
        nxt = ex[np.minimum(j, ex.size - 1)] if ex.size else starts
        has = (j < ex.size) & (e.unit[nxt] == e.unit[starts]) if ex.size else ~end_ok
        cut_time = (has, e.time[nxt])
    level_s = np.ones(starts.size, dtype=np.int64)
    alive = np.ones(starts.size, dtype=bool)
    finish = starts.copy()  # the entry that completes each level so far
    spans = [np.zeros(starts.size)]
    for k in range(2, n_steps + 1):
        idx = np.flatnonzero(e.code == k).astype(np.intp)
        if not idx.size:
            alive[:] = False
            spans.append(np.full(starts.size, np.nan))
            continue
        j = np.searchsorted(idx, lo)
        nxt = idx[np.minimum(j, idx.size - 1)]
        ok = (j < idx.size) & (e.unit[nxt] == e.unit[starts])
        ok &= e.time[nxt] <= t0 + window
        if cut_time is not None:
            has, when = cut_time
            ok &= ~has | (e.time[nxt] < when)
        alive &= ok
        level_s += alive
        finish = np.where(alive & (e.time[nxt] > e.time[finish]), nxt, finish)
        spans.append(np.where(alive, _span(e.time, finish, starts), np.nan))
    level = np.zeros(e.n_units, dtype=np.int64)
    order = np.argsort(level_s, kind="stable")
    level[e.unit[starts[order]]] = level_s[order]  # the highest level wins
    duration = np.full((n_steps, e.n_units), np.nan)
    # time to each level from the first start (in the log) that reached it
    for k in range(n_steps):
        got = np.flatnonzero(level_s >= k + 1)[::-1]
        duration[k, e.unit[starts[got]]] = spans[k][got]
    return FunnelScan(level, duration, last_start)
