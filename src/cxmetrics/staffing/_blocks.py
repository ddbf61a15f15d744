r"""The Erlang B recursion advanced a block of agents at a time.

The inverse :math:`I(n) = 1/B(n)` obeys the linear recursion
:math:`I(n) = 1 + (n/A)\,I(n-1)`, :math:`I(0) = 1`. Over a block of agents
:math:`m+1, \dots, m+L` it has a closed form: with

.. math:: p_j = A^{j+1} c_j, \quad c_j = \prod_{k=0}^{j} \frac{1}{m + k + 1},
   \qquad s_j = \sum_{k=0}^{j} p_k,

:math:`I(m + j + 1) = (I(m) + s_j) / p_j` (by induction on :math:`j`), so
:math:`B(m + j + 1) = p_j / (I(m) + s_j)`. Every term is positive, so no step
cancels: a relative error is never amplified, as in the step-by-step form
:math:`B(n) = A B(n-1)/(n + A B(n-1))`, and the two agree to about
:math:`10^{-14}` relative (tested on a grid of traffic from :math:`10^{-3}` to
:math:`10^5` Erlangs). The coefficients :math:`c_j` do not depend on the
traffic and the powers :math:`A^{j+1}` not on the block, so a term costs one
multiplication and its sum one addition (the step-by-step form costs three
operations per agent, one of them a division), and only :math:`I` at the block
starts is carried from block to block.

Every form computes each value by the same operations in the same order, so
:func:`erlang_b_kernel <cxmetrics.staffing._erlang.erlang_b_kernel>` (behind
``queue_metrics``) and the search of ``agents_required`` get the same values
bit for bit, whatever the batch: for the kernel, whole blocks at once on
blocks x rows arrays (:func:`block_terms`, a few rows) or one pass over the
agents on the rows still running (:func:`stream_erlang_b`, many rows); for the
search's table, block by block with the 16 offsets at once
(:func:`block_store`, a few hundred rows) or one pass over the agents writing
the values the search reads (:func:`stream_store`, more rows). Powers
:math:`A^{16}` stay inside the float64 range for :math:`A \le`
:data:`BLOCK_TRAFFIC_MAX`; larger traffic takes the step-by-step recursion.
Once :math:`I` overflows (:math:`B` below about :math:`10^{-308}`) :math:`B`
is 0.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BLOCK",
    "BLOCK_TRAFFIC_MAX",
    "block_starts",
    "block_store",
    "block_terms",
    "coefficients",
    "erlang_b_cells",
    "powers",
    "row_groups",
    "stream_erlang_b",
    "stream_store",
]

Float = NDArray[np.float64]
Int = NDArray[np.int64]

#: agents per block (a fixed constant: where the blocks start decides the last
#: bits of every value)
BLOCK = 16
#: traffic above this takes the step-by-step recursion: :math:`A^{16}` must stay
#: far inside the float64 range, and B(n+1) < B(n) must survive the rounding
#: (their ratio is about 1 - 1/A)
BLOCK_TRAFFIC_MAX = 1e9


def coefficients(blocks: int, first: int = 0) -> Float:
    """``c[b, j] = 1 / ((BLOCK b + 1) ... (BLOCK b + j + 1))``, shape ``(blocks, BLOCK)``.

    For blocks ``b = first .. first + blocks - 1``. Each row is a running
    quotient of its own agent counts (in ``np.longdouble``, then rounded once),
    so its values do not depend on ``blocks`` or ``first``: the first
    :data:`_CACHED` blocks are computed once and shared (read-only), as the
    searches ask for them call after call.
    """
    if first == 0 and blocks <= _CACHED:
        return _cached()[:blocks]
    return _coefficients(blocks, first)


#: blocks of coefficients kept (64 KB: up to 8,192 agents)
_CACHED = 512


@functools.cache
def _cached() -> Float:
    return _coefficients(_CACHED, 0)


def _coefficients(blocks: int, first: int) -> Float:
    """:func:`coefficients`, computed (read-only)."""
    start = BLOCK * first + 1
    n = np.arange(start, start + BLOCK * blocks, dtype=np.longdouble)
    head = np.ones((blocks, 1), dtype=np.longdouble)
    both = np.concatenate([head, n.reshape(blocks, BLOCK)], axis=1)
    # in np.longdouble, rounded once (as the powers)
    out = np.divide.accumulate(both, axis=1)[:, 1:].astype(np.float64)
    out.flags.writeable = False
    return out


def powers(traffic: Float) -> Float:
    """``A ** (j + 1)`` for ``j = 0 .. BLOCK - 1``, shape ``(BLOCK, rows)``.

    By repeated multiplication, except :math:`A^{16}`, which carries the
    recursion from block to block (so its error would add up over the blocks of
    a row): four squarings in ``np.longdouble`` (64-bit significands on x86),
    rounded once.
    """
    out = np.empty((BLOCK, traffic.shape[0]))
    out[0] = traffic
    with np.errstate(under="ignore", over="ignore"):
        for j in range(1, BLOCK - 1):
            np.multiply(out[j - 1], traffic, out=out[j])
        top = traffic.astype(np.longdouble)
        for _ in range(4):  # BLOCK = 2 ** 4
            np.multiply(top, top, out=top)
        out[-1] = top
    return out


def block_terms(apow: Float, coef: Float) -> tuple[Float, Float]:
    """The terms of whole blocks: ``coef`` ``(blocks, BLOCK)``, ``apow`` ``(BLOCK, rows)``.

    Returns ``p[j, b, i]`` and ``s[j, b, i]`` (``j`` first, so each offset's
    values are contiguous; the running sums along ``j`` are sequential, as in
    the streaming forms).
    """
    with np.errstate(under="ignore"):
        p = np.multiply(coef.T[:, :, None], apow[:, None, :])
    s = np.empty_like(p)
    s[0] = p[0]
    for j in range(1, BLOCK):
        np.add(s[j - 1], p[j], out=s[j])
    return p, s


def block_starts(p: Float, s: Float) -> Float:
    """:math:`I = 1/B` at the block starts ``BLOCK b``, ``b = 0 .. blocks``, from :func:`block_terms`."""
    blocks, rows = p.shape[1], p.shape[2]
    inv = np.empty((blocks + 1, rows))
    inv[0] = 1.0
    with np.errstate(divide="ignore", over="ignore"):
        for b in range(blocks):
            np.add(inv[b], s[-1, b], out=inv[b + 1])
            np.divide(inv[b + 1], p[-1, b], out=inv[b + 1])
    return inv


def erlang_b_cells(p: Float, s: Float, inv: Float) -> Float:
    """Erlang B from the block terms: :math:`p_j / (I + s_j)`.

    ``inv`` is :math:`I` at the block's start; all broadcast together.
    """
    with np.errstate(under="ignore"):
        x = np.add(inv, s)
        return np.divide(p, x, out=x)


def stream_erlang_b(traffic: Float, agents: Int) -> Float:
    """Erlang B of rows sorted by ``agents`` (descending, ``>= 1``), streaming.

    One pass over the agents on contiguous arrays of the rows still running
    (two array operations per agent), stopping each row at its own agents:
    the values of the block form, bit for bit.
    """
    rows = traffic.shape[0]
    top = int(agents[0])
    blocks = -(-top // BLOCK)
    coef = coefficients(blocks).tolist()
    apow = powers(traffic)
    out = np.empty(rows)
    # rows with at least n agents: the first `count[n]`
    count = np.searchsorted(-agents, -np.arange(top + 2), side="right").tolist()
    p, s, inv = np.empty(rows), np.empty(rows), np.ones(rows)
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        for n in range(1, top + 1):
            k, going = count[n], count[n + 1]
            b, j = divmod(n - 1, BLOCK)
            pk, sk = p[:k], s[:k]
            np.multiply(apow[j, :k], coef[b][j], out=pk)
            if j:
                np.add(sk, pk, out=sk)
            else:
                np.copyto(sk, pk)
            if going < k:  # rows stopping at n
                out[going:k] = erlang_b_cells(p[going:k], s[going:k], inv[going:k])
            if j == BLOCK - 1:
                ik = inv[:going]
                np.add(ik, s[:going], out=ik)
                np.divide(ik, p[:going], out=ik)
    return out


def _band(top: Int, low: Int, height: int) -> tuple[list[int], list[int]]:
    """Rows sorted by ``top`` (descending) that need agent ``n``: ``first[n] .. count[n]``.

    ``count[n]`` rows have ``top >= n`` (a prefix); ``first[n]`` is the first
    row whose ``low`` (or an earlier row's) is below ``n``.
    """
    n_all = np.arange(height + 1)
    count = np.searchsorted(-top, -n_all, side="right")
    floor = np.minimum.accumulate(low)
    first = np.searchsorted(-floor, -n_all, side="right")
    return count.tolist(), first.tolist()


def block_store(traffic: Float, top: Int, low: Int) -> Float:
    """Erlang B of every row at the agents ``low < n <= top``, as a table (block form).

    Rows sorted by ``top`` (descending); ``out[n, i]`` is Erlang B at ``n``
    agents for row ``i``; entries outside ``low < n <= top`` may be unset.
    Block by block on the rows still running: the 16 terms at once (one
    product, one running sum along the block), the cells of the rows needing
    any agent of the block (two operations), and the next start: about six
    array operations per block, the better form for a few hundred rows.
    """
    rows = traffic.shape[0]
    height = int(top[0])
    blocks = -(-height // BLOCK)
    coef = coefficients(max(1, blocks))[:, :, None]
    apow = powers(traffic)
    out = np.empty((blocks * BLOCK + 1, rows))
    count, first = _band(top, low, blocks * BLOCK + 1)
    p, s, x = np.empty((BLOCK, rows)), np.empty((BLOCK, rows)), np.empty((BLOCK, rows))
    inv = np.ones(rows)
    # cells past a row's top are computed (from stale terms) but never read
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        for b in range(blocks):
            base = BLOCK * b
            k = count[base + 1]
            pk, sk = p[:, :k], s[:, :k]
            np.multiply(apow[:, :k], coef[b], out=pk)
            np.add.accumulate(pk, axis=0, out=sk)
            f = first[base + BLOCK]
            if f < k:
                xb = x[:, f:k]
                np.add(inv[f:k], s[:, f:k], out=xb)
                np.divide(p[:, f:k], xb, out=out[base + 1 : base + BLOCK + 1, f:k])
            going = count[base + BLOCK + 1]
            ik = inv[:going]
            np.add(ik, s[-1, :going], out=ik)
            np.divide(ik, p[-1, :going], out=ik)
    return out


def stream_store(traffic: Float, top: Int, low: Int) -> Float:
    """:func:`block_store` streaming (one pass over the agents): the same values.

    Block by block on the rows still running at the block's start (a prefix:
    past a row's top, values are computed but not read), the terms advance
    by two array operations per agent on contiguous arrays, and the cells are
    written for the rows needing an agent of the block (two more): the better
    form from a few hundred rows (the work arrays stay small, and the table's
    pages outside that band are never touched).
    """
    rows = traffic.shape[0]
    height = int(top[0])
    blocks = -(-height // BLOCK)
    coef = coefficients(max(1, blocks)).tolist()
    apow = list(powers(traffic))
    out = np.empty((blocks * BLOCK + 1, rows))
    cells = list(out)
    count, first = _band(top, low, blocks * BLOCK + 1)
    p, s, inv = np.empty(rows), np.empty(rows), np.ones(rows)
    mul, add, div = np.multiply, np.add, np.divide
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        for b in range(blocks):
            cb, base = coef[b], BLOCK * b
            k = count[base + 1]
            f = min(first[base + BLOCK], k)
            pk, sk, ik = p[:k], s[:k], inv[:k]
            pf, sf, jf = p[f:k], s[f:k], inv[f:k]
            for j in range(min(BLOCK, height - base)):
                mul(apow[j][:k], cb[j], pk)
                if j:
                    add(sk, pk, sk)
                else:
                    np.copyto(sk, pk)
                if f < k:
                    cell = cells[base + j + 1][f:k]
                    add(jf, sf, cell)
                    div(pf, cell, cell)
            if base + BLOCK <= height:  # the next block's start
                add(ik, sk, ik)
                div(ik, pk, ik)
    return out


#: values per work array from which a run of rows stops before much lower ones
_RUN = 1 << 14


def row_groups(height: Int, limit: int, run: int = _RUN) -> list[tuple[int, int]]:
    """Split rows sorted by ``height`` (agents, descending) into runs computed together.

    A run's work arrays (blocks x rows) hold at most ``limit`` values (at least
    one row); once they hold ``run`` values (enough to outweigh the fixed cost
    of a run), a run stops before rows needing under three quarters of its
    blocks, so little work is spent above each row's height.
    """
    out: list[tuple[int, int]] = []
    size = height.shape[0]
    start = 0
    while start < size:
        blocks = max(1, -(-int(height[start]) // BLOCK))
        end = min(size, start + max(1, limit // blocks))
        low = (3 * blocks) // 4 * BLOCK  # rows at or below this need < 3/4
        cut = start + int(np.searchsorted(-height[start:end], -low, side="left"))
        if cut > start and (cut - start) * blocks >= min(limit, run):
            end = cut
        out.append((start, end))
        start = end
    return out
