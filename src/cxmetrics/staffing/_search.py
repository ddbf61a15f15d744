r"""How ``agents_required`` searches for the smallest staffing meeting the targets.

The targets and the test of a staffing (:func:`meets`, with the tolerance
:data:`RTOL`), the bookkeeping of the answer, and the three searches: Erlang C's
bracket and bisection on the stored Erlang B recursion (rows whose bracket does
not hold the answer fall back to the step-by-step scan), and Erlang A's gallop
and bisection. Every search evaluates the model exactly as :func:`queue_metrics`
does, so the figures at the answer are the ones it reports.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics.exceptions import InvalidInputError
from cxmetrics.staffing._blocks import (
    BLOCK,
    block_store,
    coefficients,
    erlang_b_cells,
    powers,
    stream_store,
)
from cxmetrics.staffing._erlang import MAX_AGENTS
from cxmetrics.staffing._model import (
    QueueInputs,
    QueueParts,
    erlang_c_parts,
    evaluate,
)

__all__ = ["RTOL", "meets"]

Float = NDArray[np.float64]
Bool = NDArray[np.bool_]

#: Relative tolerance of every target comparison and of the shrinkage rounding:
#: decimal inputs are not exact in binary (2.1 / 3 > 0.7 in floating point), and a
#: plan must not add an agent for a representation error.
RTOL = 1e-12

_CONSTRAINTS = ("service_level", "asa", "occupancy")


def meets(
    parts: QueueParts,
    target: Float,
    max_asa: Float,
    max_occupancy: Float,
) -> tuple[Bool, Bool, Bool]:
    """Which targets each row meets.

    With no agents (Erlang A) nobody is answered and no agent works: an ASA bound
    then cannot be met (the ASA is undefined) unless none was set, while an
    occupancy bound is met (nobody is over-occupied).
    """
    sl_ok = parts.service_level >= target * (1.0 - RTOL)
    asa_ok = (parts.asa <= max_asa * (1.0 + RTOL)) | np.isinf(max_asa)
    occ_ok = (parts.occupancy <= max_occupancy * (1.0 + RTOL)) | np.isnan(
        parts.occupancy
    )
    return sl_ok, asa_ok, occ_ok


_STABILITY = 8
_NONE = 16


def _binding(fails: tuple[Bool, Bool, Bool], unstable: Bool) -> NDArray[np.int64]:
    """Targets failed one agent below the answer, as bits (1 SL, 2 ASA, 4 occupancy)."""
    code = fails[0] * 1 + fails[1] * 2 + fails[2] * 4
    return np.where(unstable, _STABILITY, code).astype(np.int64)


class _Targets:
    """Per-row targets of the rows still being searched."""

    def __init__(self, target: Float, max_asa: Float, max_occupancy: Float) -> None:
        self.target = target
        self.max_asa = max_asa
        self.max_occupancy = max_occupancy

    def take(self, rows: NDArray[np.intp]) -> _Targets:
        return _Targets(self.target[rows], self.max_asa[rows], self.max_occupancy[rows])


def _take(inputs: QueueInputs, rows: NDArray[np.intp]) -> QueueInputs:
    return QueueInputs(
        inputs.traffic[rows],
        inputs.aht[rows],
        inputs.threshold[rows],
        inputs.patience[rows],
        inputs.short_abandon[rows],
        tuple(e[rows] for e in inputs.extra),
        (int(rows.size),),
    )


class _Answer:
    """Agents, the model at the answer, and the targets failed one agent below."""

    def __init__(self, size: int) -> None:
        self.agents = np.zeros(size, dtype=np.int64)
        self.parts = QueueParts(*(np.zeros(size) for _ in QueueParts._fields))
        self.binding = np.full(size, _NONE, dtype=np.int64)

    def record(
        self, rows: NDArray[np.intp], n: Float, parts: QueueParts, binding: Any
    ) -> None:
        self.agents[rows] = n.astype(np.int64)
        for mine, new in zip(self.parts, parts, strict=True):
            mine[rows] = new
        self.binding[rows] = binding


def _too_many(traffic: float) -> None:
    msg = (
        f"no staffing up to {MAX_AGENTS} agents (the documented limit) meets the "
        f"targets for traffic {float(traffic)!r}; relax the targets or split the queue."
    )
    raise InvalidInputError(msg)


def _scan_erlang_c(
    inputs: QueueInputs, targets: _Targets, rows: NDArray[np.intp], answer: _Answer
) -> None:
    """Erlang C: run the Erlang B recursion n = 1, 2, ... and stop each row at its answer.

    The recursion (the streaming form of :mod:`~cxmetrics.staffing._blocks`, the
    values :func:`queue_metrics` uses) visits every n anyway, so checking the
    targets at each n costs a few array operations, and the first n that meets
    them is the minimum. Rows are sorted by traffic, so the stable rows (n > A)
    are a prefix of the working set; only those not yet answered are evaluated,
    and finished rows are dropped from the working set once they are half of it.
    """
    rows = rows[np.argsort(inputs.traffic[rows], kind="stable")]
    a = inputs.traffic[rows]
    aht, t = inputs.aht[rows], inputs.threshold[rows]
    tg = targets.take(rows)
    apow = powers(a)
    p, s, inv = np.empty(rows.size), np.empty(rows.size), np.ones(rows.size)
    coef: list[float] = []
    done = np.zeros(rows.size, dtype=bool)
    fails = [np.ones(rows.size, dtype=bool) for _ in _CONSTRAINTS]
    n = 0
    while rows.size:
        n += 1
        if n > MAX_AGENTS:
            _too_many(inputs.traffic[rows[0]])
        block, j = divmod(n - 1, BLOCK)
        if j == 0:
            coef = coefficients(1, block)[0].tolist()
        with np.errstate(divide="ignore", over="ignore", under="ignore"):
            np.multiply(apow[j], coef[j], out=p)
            if j == 0:
                s[:] = p
            else:
                np.add(s, p, out=s)
            b = erlang_b_cells(p, s, inv)
            if j == BLOCK - 1:
                np.add(inv, s, out=inv)
                np.divide(inv, p, out=inv)
        k = int(np.searchsorted(a, n, side="left"))  # rows with A < n
        live = np.flatnonzero(~done[:k])
        if live.size == 0:
            continue
        nn = np.full(live.size, float(n))
        parts = erlang_c_parts(a[live], nn, b[live], aht[live], t[live])
        ok = meets(parts, tg.target[live], tg.max_asa[live], tg.max_occupancy[live])
        met = ok[0] & ok[1] & ok[2]
        if met.any():
            hit = live[met]
            binding = _binding(
                (fails[0][hit], fails[1][hit], fails[2][hit]), n - 1 <= a[hit]
            )
            answer.record(
                rows[hit], nn[met], QueueParts(*(p[met] for p in parts)), binding
            )
            done[hit] = True
        for f, o in zip(fails, ok, strict=True):
            f[live] = ~o
        if 2 * int(np.count_nonzero(done)) > rows.size:
            keep = ~done
            rows, a, aht, t = rows[keep], a[keep], aht[keep], t[keep]
            apow, p, s, inv = apow[:, keep], p[keep], s[keep], inv[keep]
            tg = _Targets(tg.target[keep], tg.max_asa[keep], tg.max_occupancy[keep])
            fails = [f[keep] for f in fails]
            done = done[keep]


#: the stored Erlang B trajectory of one batch of rows holds at most this many values
_STORE = 1 << 22
#: rows whose bracket reaches beyond this many agents take the step-by-step scan
_BRACKET_MAX = 20_000


def _bracket_top(a: Float, max_occupancy: Float) -> Float:
    """A staffing that meets the usual targets: square-root staffing with room.

    ``floor(A) + 1 + ceil(3 sqrt(A)) + 3`` covers service levels up to about 99%
    at a zero threshold (Halfin-Whitt: ``beta`` about 2.6), and at least two
    agents above the occupancy floor ``A / max_occupancy``. Rows it does not cover
    are found by the scan.
    """
    base = np.floor(a) + 4.0 + np.ceil(3.0 * np.sqrt(a))
    with np.errstate(divide="ignore", over="ignore"):
        occ = np.ceil(a / max_occupancy) + 2.0
    return np.minimum(np.maximum(base, occ), float(MAX_AGENTS))


#: batches of this many rows or more fill the store by the streaming form
_STREAM = 512


def _erlang_b_store(a: Float, top: NDArray[np.int64]) -> Float:
    """Erlang B of every row at every ``floor(A) < n <= top`` (rows sorted by ``top``, descending).

    ``out[n, i]`` is the value :func:`~cxmetrics.staffing._erlang.erlang_b_kernel`
    gives at ``n`` agents (the block recursion of
    :mod:`~cxmetrics.staffing._blocks`: the same operations on the same values,
    so bit-identical), by the block form for small batches and the streaming
    form for large ones; the search reads no other entries.
    """
    low = np.floor(a).astype(np.int64)
    if a.shape[0] >= _STREAM:
        return stream_store(a, top, low)
    return block_store(a, top, low)


def _bisect_erlang_c(
    inputs: QueueInputs, targets: _Targets, rows: NDArray[np.intp], answer: _Answer
) -> NDArray[np.intp]:
    """Erlang C: bracket each row's answer, then bisect on the stored recursion.

    ``lo = floor(A)`` fails (unstable) and :func:`_bracket_top` usually meets; the
    Erlang B recursion runs once up to each row's top, storing its values, and a
    vectorised bisection between ``lo`` and ``top`` (the targets are monotone in
    the agents for a stable queue) finds the first staffing meeting every target,
    evaluated exactly as :func:`queue_metrics` would. Returns the rows whose top
    does not meet the targets, for the scan.
    """
    a_all = inputs.traffic[rows]
    top_all = _bracket_top(a_all, targets.max_occupancy[rows])
    far = top_all > _BRACKET_MAX
    left = [rows[far]]
    rows, top_all = rows[~far], top_all[~far]
    order = np.argsort(-top_all, kind="stable")
    rows, top = rows[order], top_all[order].astype(np.int64)
    start = 0
    while start < rows.size:
        batch = max(1, _STORE // (int(top[start]) + 1))
        sl = slice(start, start + batch)
        left.append(_bisect_batch(inputs, targets, rows[sl], top[sl], answer))
        start += batch
    return np.concatenate(left)


def _stable_parts(a: Float, n: Float, b: Float, aht: Float, ratio: Float) -> QueueParts:
    """:func:`erlang_c_parts` for stable rows (``n > A``), operation for operation.

    The same floating-point operations in the same order on the same values (the
    branches for unstable rows dropped), so every figure is bit-identical to what
    :func:`queue_metrics` reports; ``ratio`` is ``threshold / aht``.
    """
    rho = a / n
    gap = n - a
    slack = gap / n
    den = slack + rho * b
    c = b / den
    not_c = slack * (1.0 - b) / den
    x = gap * ratio
    sl = np.where(c < 0.5, 1.0 - c * np.exp(-x), not_c - c * np.expm1(-x))
    asa = c * aht / gap
    return QueueParts(
        wait=c,
        service_level=np.minimum(np.maximum(sl, 0.0), 1.0),  # np.clip, less overhead
        asa=asa,
        mean_wait=asa,
        abandon=np.zeros(a.shape),
        occupancy=np.minimum(rho, 1.0),
    )


class _Bounds:
    """Per-row limits of a batch, with the tolerance applied once."""

    def __init__(self, tg: _Targets) -> None:
        self.sl = tg.target * (1.0 - RTOL)
        self.asa = np.where(np.isinf(tg.max_asa), np.inf, tg.max_asa * (1.0 + RTOL))
        self.occ = tg.max_occupancy * (1.0 + RTOL)

    def ok(self, parts: QueueParts, idx: NDArray[np.intp]) -> tuple[Bool, Bool, Bool]:
        """:func:`meets` for stable rows (their ASA is finite, occupancy defined)."""
        return (
            parts.service_level >= self.sl[idx],
            parts.asa <= self.asa[idx],
            parts.occupancy <= self.occ[idx],
        )


def _bisect_batch(
    inputs: QueueInputs,
    targets: _Targets,
    rows: NDArray[np.intp],
    top: NDArray[np.int64],
    answer: _Answer,
) -> NDArray[np.intp]:
    """:func:`_bisect_erlang_c` on rows sorted by ``top`` (descending)."""
    a = inputs.traffic[rows]
    aht = inputs.aht[rows]
    # a subnormal aht makes the ratio inf: every answered contact is within the
    # threshold, which the service-level formula then reads exactly
    with np.errstate(over="ignore"):
        ratio = inputs.threshold[rows] / aht
    bounds = _Bounds(targets.take(rows))
    flat = _erlang_b_store(a, top).reshape(-1)
    width = rows.size

    def probe(
        idx: NDArray[np.intp], n: NDArray[np.int64]
    ) -> tuple[QueueParts, tuple[Bool, Bool, Bool]]:
        parts = _stable_parts(
            a[idx], n.astype(np.float64), flat[n * width + idx], aht[idx], ratio[idx]
        )
        return parts, bounds.ok(parts, idx)

    need_asa = bool(np.isfinite(bounds.asa).any())
    need_occ = bool((bounds.occ < 1.0).any())

    def met(n: NDArray[np.int64]) -> Bool:
        """Whether ``n`` agents meet every target (every row), as :func:`probe` decides.

        Computes only what the set targets read, by the same operations, so the
        answer is the same.
        """
        nf = n.astype(np.float64)
        b = flat[n * width + every]
        rho = a / nf
        gap = nf - a
        slack = gap / nf
        den = slack + rho * b
        c = b / den
        x = gap * ratio
        sl = np.where(
            c < 0.5, 1.0 - c * np.exp(-x), slack * (1.0 - b) / den - c * np.expm1(-x)
        )
        ok: Bool = np.minimum(np.maximum(sl, 0.0), 1.0) >= bounds.sl
        if need_asa:
            ok &= c * aht / gap <= bounds.asa
        if need_occ:
            ok &= np.minimum(rho, 1.0) <= bounds.occ
        return ok

    # lo fails (floor(A) agents: unstable, or a staffing found short); hi meets
    # unless no staffing up to top does (checked below). Every row takes each
    # step, midpoints rounded up: always above lo, so stable; a row whose
    # interval has closed probes its hi again, which changes nothing.
    every = np.arange(width)
    lo, hi = np.floor(a).astype(np.int64), top
    for _ in range(int((hi - lo).max() - 1).bit_length()):
        mid = (lo + hi + 1) >> 1
        good = met(mid)
        hi = np.where(good, mid, hi)
        lo = np.where(good, lo, mid)
    # the model at hi and one agent below (where stable), in one evaluation
    stable = hi - 1 > a
    below = every[stable]
    both, ok_both = probe(
        np.concatenate([every, below]), np.concatenate([hi, hi[stable] - 1])
    )
    parts = QueueParts(*(p[:width] for p in both))
    ok = tuple(o[:width] for o in ok_both)
    covered = ok[0] & ok[1] & ok[2]  # False only where hi is a top that fails
    # the targets one agent fewer fails (stability when that is unstable)
    fails = [np.ones(width, dtype=bool) for _ in _CONSTRAINTS]
    for f, o in zip(fails, ok_both, strict=True):
        f[below] = ~o[width:]
    binding = _binding((fails[0], fails[1], fails[2]), ~stable)
    keep = np.flatnonzero(covered)
    answer.record(
        rows[keep],
        hi[keep].astype(np.float64),
        QueueParts(*(p[keep] for p in parts)),
        binding[keep],
    )
    return rows[~covered]


def _search(
    model: str,
    definition: str,
    inputs: QueueInputs,
    targets: _Targets,
    rows: NDArray[np.intp],
    answer: _Answer,
) -> None:
    """Erlang A: gallop up to a staffing that meets the targets, then bisect.

    Evaluates the model at one N per row per step (whole arrays). ``lo`` always
    fails and ``hi`` always meets, so the answer ``hi = lo + 1`` is a staffing that
    meets every target while one agent fewer does not.
    """
    sub = _take(inputs, rows)
    tg = targets.take(rows)

    def check(
        n: Float, idx: NDArray[np.intp]
    ) -> tuple[Bool, QueueParts, tuple[Bool, Bool, Bool]]:
        part_inputs = _take(sub, idx)
        parts = evaluate(model, definition, part_inputs, n)
        ok = meets(parts, tg.target[idx], tg.max_asa[idx], tg.max_occupancy[idx])
        return ok[0] & ok[1] & ok[2], parts, (~ok[0], ~ok[1], ~ok[2])

    size = rows.size
    everyone = np.arange(size)
    lo = np.full(size, -1.0)
    hi = np.full(size, np.inf)
    hi_parts = QueueParts(*(np.zeros(size) for _ in QueueParts._fields))
    lo_fails = [np.zeros(size, dtype=bool) for _ in _CONSTRAINTS]

    def update(idx: NDArray[np.intp], n: Float) -> None:
        met, parts, fails = check(n, idx)
        good, bad = idx[met], idx[~met]
        hi[good] = n[met]
        for mine, new in zip(hi_parts, parts, strict=True):
            mine[good] = new[met]
        lo[bad] = n[~met]
        for flag, fail in zip(lo_fails, fails, strict=True):
            flag[bad] = fail[~met]

    update(everyone, np.zeros(size))
    todo = everyone[np.isinf(hi)]
    if todo.size:
        update(todo, np.maximum(1.0, np.ceil(sub.traffic[todo])))
    step = np.maximum(1.0, np.ceil(np.sqrt(sub.traffic)))
    todo = everyone[np.isinf(hi)]
    while todo.size:  # gallop: lo fails, try lo + step, doubling the step
        if (lo[todo] > MAX_AGENTS).any():
            _too_many(sub.traffic[todo[0]])
        update(todo, lo[todo] + step[todo])
        step[todo] *= 2.0
        todo = everyone[np.isinf(hi)]
    todo = everyone[hi - lo > 1]
    while todo.size:  # bisect between a failing lo and a meeting hi
        update(todo, np.floor((lo[todo] + hi[todo]) / 2.0))
        todo = everyone[hi - lo > 1]
    binding = np.where(
        hi == 0, _NONE, _binding((lo_fails[0], lo_fails[1], lo_fails[2]), hi < 0)
    )
    answer.record(rows, hi, hi_parts, binding)
