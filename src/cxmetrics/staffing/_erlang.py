r"""Erlang B and Erlang C: blocking and waiting probabilities, vectorised.

Both come from the recursion :math:`B(0) = 1`,
:math:`B(n) = A\,B(n-1)/(n + A\,B(n-1))`, the stable form of
:math:`1/B(n) = 1 + (n/A)/B(n-1)`: a relative error is never amplified, and
nothing overflows. That linear recursion is advanced a block of 16 agents at a
time (:mod:`cxmetrics.staffing._blocks`: products and sums of positive terms,
:math:`p_j = A^{j+1} c_j`, whose coefficients do not depend on the traffic):
a few rows take whole arrays of blocks x rows, about :math:`45 + N/8` array
operations rather than :math:`3N`; many rows one pass over the agents, two
array operations per agent rather than three. There are no factorials, no
powers above :math:`A^{16}`, and no global state. Rows are sorted by
:math:`N` and computed in runs of similar :math:`N`, so little work is spent
above each row's own :math:`N`.
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import parameter_array
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.staffing._blocks import (
    BLOCK,
    BLOCK_TRAFFIC_MAX,
    block_starts,
    block_terms,
    coefficients,
    erlang_b_cells,
    powers,
    row_groups,
    stream_erlang_b,
)
from cxmetrics.staffing._erlang_a import log_inverse_erlang_b

__all__ = [
    "MAX_AGENTS",
    "MAX_TRAFFIC",
    "check_staffing_limits",
    "erlang_b",
    "erlang_b_kernel",
    "erlang_c",
    "erlang_c_kernel",
    "traffic_and_agents",
]

Float = NDArray[np.float64]

#: largest number of agents the Erlang models take or search (the recursions run
#: once per agent on whole arrays: about 1 s per 10**6 agents)
MAX_AGENTS = 1_000_000
#: largest offered load :func:`agents_required` staffs, in Erlangs (its Erlang C
#: search runs the recursion once per agent up to the answer, a little above it)
MAX_TRAFFIC = 200_000.0


def check_staffing_limits(
    traffic: Float | None = None, agents: Float | None = None
) -> None:
    """Refuse, before any work, traffic or agents past the documented limits."""
    for name, arr, top in (
        ("traffic", traffic, MAX_TRAFFIC),
        ("agents", agents, MAX_AGENTS),
    ):
        if arr is None:
            continue
        big = np.asarray(arr) > top
        if big.any():
            i = int(np.argmax(big.ravel()))
            where = "" if np.ndim(arr) == 0 else f" at index {i}"
            msg = (
                f"`{name}` must be at most {top:g}; got {float(np.ravel(arr)[i])!r}{where}. "
                f"The Erlang models here handle up to {MAX_AGENTS} agents (and staff "
                f"up to {MAX_TRAFFIC:g} Erlangs) per queue; split a larger operation "
                "into queues."
            )
            raise InvalidInputError(msg)


#: blocks x rows in one run of the block form (its work arrays hold 16 times
#: as many values: cache-sized)
_CHUNK = 1 << 12
#: from this many rows the streaming form (two array operations per agent on
#: the rows still running) is faster than the block form
STREAM_ROWS = 768

#: rows with more agents than this use the windowed closed form, whose work does
#: not grow with the number of agents (about 17*sqrt(traffic) steps)
_RECURSION_MAX = 10_000


def erlang_b_kernel(traffic: Float, agents: Float) -> Float:
    r"""Erlang B of validated 1-D arrays (agents whole and non-negative).

    Rows with at most ``_RECURSION_MAX`` agents run the recursion a block of
    agents at a time (:mod:`cxmetrics.staffing._blocks`; the step-by-step form
    above :data:`BLOCK_TRAFFIC_MAX` Erlangs); larger ones use
    :math:`B = P(X = N)/P(X \le N)`, :math:`X \sim \mathrm{Poisson}(A)`, summed
    around its largest term (:func:`log_inverse_erlang_b`).
    """
    size = traffic.shape[0]
    out = np.ones(size)
    if size == 0:
        return out
    large = agents > _RECURSION_MAX
    if large.any():
        small = ~large
        out[large] = np.exp(-log_inverse_erlang_b(traffic[large], agents[large]))
        if small.any():
            out[small] = erlang_b_kernel(traffic[small], agents[small])
        return out
    step = traffic > BLOCK_TRAFFIC_MAX
    if step.any():
        out[step] = _step_recursion(traffic[step], agents[step])
    n_int = agents.astype(np.int64)
    rows = np.flatnonzero((n_int > 0) & ~step)
    if rows.size == 0:
        return out
    rows = rows[np.argsort(-n_int[rows], kind="stable")]
    height = n_int[rows]
    if rows.size >= STREAM_ROWS:  # one pass over the agents, on contiguous rows
        out[rows] = stream_erlang_b(traffic[rows], height)
        return out
    coef = coefficients(-(-int(height[0]) // BLOCK))
    for lo, hi in row_groups(height, _CHUNK):  # runs of rows with similar N
        part = rows[lo:hi]
        block, offset = np.divmod(height[lo:hi] - 1, BLOCK)  # N = 16 block + offset + 1
        every = np.arange(part.size)
        p, s = block_terms(powers(traffic[part]), coef[: int(block[0]) + 1])
        inv = block_starts(p[:, :-1], s[:, :-1])  # 1/B at each block's start
        at = (offset, block, every)
        out[part] = erlang_b_cells(p[at], s[at], inv[block, every])
    return out


def _step_recursion(traffic: Float, agents: Float) -> Float:
    """The recursion one agent at a time, rows sorted by agents (work sum of N)."""
    size = traffic.shape[0]
    n_int = agents.astype(np.int64)
    top = int(n_int.max())
    b = np.ones(size)
    if top == 0:
        return b
    order = np.argsort(-n_int, kind="stable")
    a = traffic[order]
    tmp = np.empty(size)
    den = np.empty(size)
    # rows with N >= n are the first `active[n]` of the sorted order
    active = size - np.cumsum(np.bincount(n_int, minlength=top + 1))
    for n in range(1, top + 1):
        k = int(active[n - 1])
        t, d, bb = tmp[:k], den[:k], b[:k]
        np.multiply(a[:k], bb, out=t)
        np.add(t, n, out=d)
        np.divide(t, d, out=bb)
    out = np.empty(size)
    out[order] = b
    return out


def erlang_c_kernel(
    traffic: Float, agents: Float, blocking: Float
) -> tuple[Float, Float]:
    r"""Probability of waiting and its complement from Erlang B.

    For :math:`N > A`, with :math:`\rho = A/N`,
    :math:`C = B/((1-\rho) + \rho B)` and
    :math:`1 - C = (1-\rho)(1-B)/((1-\rho) + \rho B)`: sums of positive terms, so
    neither loses precision. :math:`N \le A` is unstable: :math:`C = 1`.
    """
    stable = agents > traffic
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(stable, traffic / np.where(stable, agents, 1.0), 1.0)
        slack = np.where(
            stable, (agents - traffic) / np.where(stable, agents, 1.0), 0.0
        )
        den = slack + rho * blocking
        c = np.where(stable, blocking / np.where(stable, den, 1.0), 1.0)
        not_c = np.where(
            stable, slack * (1.0 - blocking) / np.where(stable, den, 1.0), 0.0
        )
    return c, not_c


def traffic_and_agents(
    traffic: ArrayLike, agents: ArrayLike
) -> tuple[Float, Float, tuple[int, ...]]:
    """Validate and broadcast traffic and agents; return them flat, with the shape."""
    a = parameter_array(traffic, "traffic", low=0.0)
    n = parameter_array(agents, "agents", low=0.0, whole=True)
    check_staffing_limits(agents=n)
    try:
        a, n = np.broadcast_arrays(a, n)
    except ValueError:
        msg = f"`traffic` and `agents` must broadcast together; got shapes {np.shape(a)} and {np.shape(n)}."
        raise InvalidInputError(msg) from None
    return a.ravel(), n.ravel(), a.shape


def _shaped(values: Float, shape: tuple[int, ...]) -> Float | float:
    out = values.reshape(shape)
    return float(out) if out.ndim == 0 else out


@overload
def erlang_b(traffic: float, agents: int) -> float: ...
@overload
def erlang_b(traffic: ArrayLike, agents: ArrayLike) -> Float: ...
def erlang_b(traffic: ArrayLike, agents: ArrayLike) -> Float | float:
    r"""Erlang B: the probability that a contact finds all agents busy and is lost.

    The M/M/N/N loss model: Poisson arrivals, no queue. Vectorised: ``traffic`` and
    ``agents`` broadcast together.

    Parameters
    ----------
    traffic : float or array_like of float
        Offered load :math:`A = \lambda \times \mathrm{AHT}` in Erlangs, ``>= 0``.
    agents : int or array_like of int
        Number of agents (servers) :math:`N \ge 0`, whole numbers.

    Returns
    -------
    float or ndarray of float
        :math:`B(N, A) \in [0, 1]`: a float for scalar inputs, else an array of the
        broadcast shape. :math:`B(0, A) = 1`; :math:`B(N, 0) = 0` for :math:`N \ge 1`.

    Raises
    ------
    InvalidInputError
        Negative or non-finite traffic, negative or fractional agents, shapes that
        do not broadcast, more than ``MAX_AGENTS`` (1,000,000) agents (checked
        first; rows above 10,000 agents use a closed form whose work grows like
        the square root of the traffic, not with the agents).
    MissingValueError
        NaN or None in either input.

    See Also
    --------
    erlang_c : the probability of waiting when contacts queue.

    Notes
    -----
    .. math:: B(N, A) = \frac{A^N/N!}{\sum_{k=0}^{N} A^k/k!}

    computed by the recursion :math:`B(n) = A B(n-1)/(n + A B(n-1))`, :math:`B(0)=1`
    (Jagerman 1974), which never overflows: ``erlang_b(10_000, 10_100)`` is as easy as
    ``erlang_b(2, 3)``.

    References
    ----------
    .. [1] Erlang, A. K. (1917). Solution of some problems in the theory of
       probabilities of significance in automatic telephone exchanges.
    .. [2] Jagerman, D. L. (1974). Some properties of the Erlang loss function.
       *Bell System Technical Journal* 53(3), 525-551.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> round(cx.erlang_b(2.0, 3), 6)  # (8/6) / (1 + 2 + 2 + 8/6) = 4/19
    0.210526
    >>> cx.erlang_b([10.0, 10.0], [10, 20]).round(6).tolist()
    [0.214582, 0.001869]
    >>> f"{cx.erlang_b(10_000.0, 10_100):.6g}"
    '0.00286236'
    """
    a, n, shape = traffic_and_agents(traffic, agents)
    return _shaped(erlang_b_kernel(a, n), shape)


@overload
def erlang_c(traffic: float, agents: int) -> float: ...
@overload
def erlang_c(traffic: ArrayLike, agents: ArrayLike) -> Float: ...
def erlang_c(traffic: ArrayLike, agents: ArrayLike) -> Float | float:
    r"""Erlang C: the probability that a contact has to wait (M/M/N queue).

    Parameters
    ----------
    traffic : float or array_like of float
        Offered load :math:`A = \lambda \times \mathrm{AHT}` in Erlangs, ``>= 0``.
    agents : int or array_like of int
        Number of agents :math:`N \ge 0`, whole numbers.

    Returns
    -------
    float or ndarray of float
        :math:`C(N, A) \in [0, 1]`. With :math:`N \le A` the queue is unstable (it
        grows without bound) and every contact waits: :math:`C = 1`. With
        :math:`A = 0` and :math:`N \ge 1` nobody waits: :math:`C = 0`.

    Raises
    ------
    InvalidInputError, MissingValueError
        As for :func:`erlang_b`.

    See Also
    --------
    queue_metrics : service level, ASA and occupancy from the same model.
    agents_required : the smallest N meeting service targets.

    Notes
    -----
    For :math:`N > A`, with :math:`B` the Erlang B value and :math:`\rho = A/N`,

    .. math:: C(N, A) = \frac{N B}{N - A(1 - B)} = \frac{B}{(1 - \rho) + \rho B}

    (Cooper 1981, eq. 5.2.16); the second form adds positive terms only.

    References
    ----------
    .. [1] Cooper, R. B. (1981). *Introduction to Queueing Theory*, 2nd ed.
       North Holland, section 5.2.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> round(cx.erlang_c(10.0, 14), 6)  # 100 calls / 30 min, AHT 3 min
    0.174132
    >>> cx.erlang_c(10.0, [9, 10, 11]).round(4).tolist()
    [1.0, 1.0, 0.6821]
    """
    a, n, shape = traffic_and_agents(traffic, agents)
    c, _ = erlang_c_kernel(a, n, erlang_b_kernel(a, n))
    return _shaped(c, shape)
