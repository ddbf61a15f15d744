r"""Erlang A (M/M/N+M): Erlang C with callers who abandon after an exponential patience.

Notation (Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn 2007): arrival rate
:math:`\lambda`, service rate :math:`\mu = 1/\mathrm{AHT}`, abandonment rate
:math:`\theta = 1/\mathrm{patience}`, :math:`N` agents, traffic :math:`A = \lambda/\mu`,
and :math:`x = N\mu/\theta`, :math:`y = \lambda/\theta`. With
:math:`t_m = \prod_{k=1}^{m} y/(x+k)` (the stationary weight of :math:`m` callers in
queue relative to :math:`N` busy agents) and :math:`\mathcal A = \sum_m t_m =
P(x, y)/d(x; y)` (regularized incomplete gamma over a Poisson term):

* :math:`P(W>0) = \mathcal A B/(1 + (\mathcal A - 1)B)`, :math:`B` = Erlang B;
* :math:`P(\mathrm{Ab} \mid W>0) = \sum_m m\,t_m / (y\mathcal A)
  = 1 - 1/\rho + 1/(\rho\mathcal A)` with :math:`\rho = A/N`;
* the offered wait :math:`V` of a caller who finds :math:`m` ahead in queue is a sum of
  exponentials of rates :math:`N\mu + k\theta`, :math:`k = 0..m`, so
  :math:`e^{-\theta V} \sim \mathrm{Beta}(x, m+1)`. Summing over :math:`m` gives
  :math:`P(V > t \mid W>0) = P(x, y e^{-\theta t})/P(x, y)` and
  :math:`P(\text{served}, V > t \mid W>0) = \frac{x}{y}P(x+1, y e^{-\theta t})/P(x, y)`;
* :math:`E[W] = P(\mathrm{Ab})/\theta` over all callers, and for answered callers
  :math:`\theta E[V e^{-\theta V} \mid m] = \frac{x}{x+m+1}\sum_{k=1}^{m+1}\frac{1}{x+k}`.

Every sum is evaluated by :func:`cxmetrics._core.incomplete_gamma.kummer_window`,
in log space, so thousands of Erlangs neither overflow nor lose precision.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.incomplete_gamma import kummer_window, log_poisson_pmf

__all__ = ["ErlangAParts", "erlang_a_kernel", "log_inverse_erlang_b"]

Float = NDArray[np.float64]


class ErlangAParts(NamedTuple):
    """Probabilities of an Erlang A queue (arrays over rows)."""

    wait: Float  # P(W > 0)
    abandon: Float  # P(Ab)
    answered_within: Float  # P(answered and W <= T)
    wait_within: Float  # P(W <= T), W = time to answer or to abandon
    abandon_short: Float  # P(abandoned and W < S)
    asa: Float  # E[W | answered], in units of the patience
    mean_wait: Float  # E[W] over all callers, in units of the patience


def log_inverse_erlang_b(traffic: Float, agents: Float) -> Float:
    r""":math:`\log(1/B(N, A)) = \log P(X \le N) - \log P(X = N)`, :math:`X \sim \mathrm{Poisson}(A)`.

    A windowed sum of about :math:`17\sqrt{A}` terms, whatever :math:`N`.
    """
    s = kummer_window(np.zeros(traffic.shape), traffic, agents)
    with np.errstate(invalid="ignore"):
        out = (
            log_poisson_pmf(s.peak, traffic)
            + s.log_rel
            - log_poisson_pmf(agents, traffic)
        )
    # no traffic: B = 1 with no agents, 0 otherwise
    return np.where(traffic > 0, out, np.where(agents > 0, np.inf, 0.0))


def _log_expm1(v: Float) -> Float:
    """log(exp(v) - 1) for v >= 0 (-inf at 0), without overflow."""
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(v > 30.0, v, np.log(np.expm1(np.minimum(v, 30.0))))


def _expit(v: Float) -> Float:
    """1 / (1 + exp(v)) without overflow."""
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(v))
    return np.where(v > 0, e / (1.0 + e), 1.0 / (1.0 + e))


def _tail(x: Float, y: Float, s: Float, log_p_xy: Float) -> tuple[Float, Float]:
    r"""Conditional on waiting: :math:`P(\text{served}, V>t)` and :math:`P(V>t)`, :math:`s=\theta t`.

    Uses :math:`P(x, z) = d(x; z) + P(x+1, z)` with :math:`z = y e^{-s}`.
    """
    z = y * np.exp(-s)
    k = kummer_window(x + 1.0, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p1 = log_poisson_pmf(x + 1.0 + k.peak, z) + k.log_rel - log_p_xy
        served = np.exp(np.log(x) - np.log(y) + log_p1)
        offered = np.exp(log_poisson_pmf(x, z) - log_p_xy) + np.exp(log_p1)
    return np.nan_to_num(served, nan=0.0), np.nan_to_num(offered, nan=0.0)


def erlang_a_kernel(
    traffic: Float,
    agents: Float,
    patience_ratio: Float,
    threshold: Float,
    short_abandon: Float | None = None,
) -> ErlangAParts:
    r"""Probabilities of M/M/N+M for validated 1-D arrays.

    Parameters
    ----------
    traffic, agents : ndarray
        :math:`A \ge 0` Erlangs and whole :math:`N \ge 0`.
    patience_ratio : ndarray
        Mean patience over AHT, :math:`\mu/\theta`, finite and positive.
    threshold : ndarray
        The service-level threshold in units of the patience, :math:`\theta T`
        (``inf`` allowed).
    short_abandon : ndarray, optional
        The short-abandon threshold in units of the patience, :math:`\theta S`.

    Returns
    -------
    ErlangAParts
        ``asa`` and ``mean_wait`` are in units of the mean patience.
    """
    a, n, r = traffic, agents, patience_ratio
    x = n * r
    y = a * r
    busy = a > 0
    k = kummer_window(x, y, moments=True)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_p_xy = log_poisson_pmf(x + k.peak, y) + k.log_rel  # log P(x, y)
        log_inv_a = np.where(busy, log_poisson_pmf(x, y) - log_p_xy, 0.0)
        g = _log_expm1(log_inverse_erlang_b(a, n)) + log_inv_a
        wait = _expit(g)
        # P(Ab | W > 0): a sum of positive terms on both branches
        overloaded = a >= n
        safe_a = np.where(busy, a, 1.0)
        ab_over = (a - n) / safe_a + np.exp(log_inv_a) * (n / safe_a)
        ab_under = k.mean_m / np.where(busy, y, 1.0)
        ab_given_wait = np.where(
            busy, np.where(overloaded, ab_over, ab_under), (n == 0) * 1.0
        )
        abandon = wait * ab_given_wait
        served = 1.0 - abandon
        asa = np.where(
            served > 0, wait * k.mean_w / np.where(served > 0, served, 1.0), np.nan
        )
        mean_wait = abandon

        zero_t = threshold == 0.0
        t = np.where(zero_t, 1.0, threshold)
        served_late, offered_late = _tail(x, y, t, log_p_xy)
        answered_within = np.where(zero_t, 1.0 - wait, served - wait * served_late)
        wait_within = np.where(
            zero_t, 1.0 - wait, 1.0 - wait * np.exp(-t) * offered_late
        )
        if short_abandon is None:
            abandon_short = np.zeros(a.shape)
        else:
            zero_s = short_abandon == 0.0
            s = np.where(zero_s, 1.0, short_abandon)
            s_late, s_offered_late = _tail(x, y, s, log_p_xy)
            abandon_short = np.where(
                zero_s,
                0.0,
                (1.0 - wait * np.exp(-s) * s_offered_late) - (served - wait * s_late),
            )
    # no traffic: nothing waits (with agents) or everything would (without)
    none = ~busy
    answered_within = np.where(none, (n > 0) * 1.0, answered_within)
    wait_within = np.where(none, (n > 0) * 1.0, wait_within)
    return ErlangAParts(
        wait=np.clip(wait, 0.0, 1.0),
        abandon=np.clip(abandon, 0.0, 1.0),
        answered_within=np.clip(answered_within, 0.0, 1.0),
        wait_within=np.clip(wait_within, 0.0, 1.0),
        abandon_short=np.clip(abandon_short, 0.0, 1.0),
        asa=np.where(none & (n > 0), 0.0, asa),
        mean_wait=mean_wait,
    )
