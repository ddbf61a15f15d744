r"""Intervals for a net score: the difference of two proportions of one multinomial.

A net score is :math:`\Delta = p_+ - p_-`, the share of positive answers minus the
share of negative ones among :math:`n` (the Net Promoter Score divided by 100). All
functions work on the [-1, 1] scale and are vectorised over groups; counts may be
fractional (weighted shares times Kish's effective sample size).
"""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import (
    check_confidence_level,
    check_option,
    check_positive_int,
    check_rng,
)
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.stats._checks import check_counts, check_shares, floats
from cxmetrics.stats._distributions import critical_value
from cxmetrics.stats._interval import ConfidenceIntervalArray
from cxmetrics.typing import NPSMethod

__all__ = [
    "NET_SCORE_METHODS",
    "net_score_interval",
    "net_score_variance",
    "restricted_mle",
]

NET_SCORE_METHODS: tuple[str, ...] = get_args(NPSMethod)

# pseudo-counts of the adjusted-Wald interval (Rocks 2016; Sauro & Lewis): 3/4 added
# to the positive and to the negative answers, 3 to n (so 3/2 to the neutral ones)
_ADJ_EACH = 0.75
_ADJ_TOTAL = 3.0
_BISECTION_STEPS = 64
_BOOTSTRAP_BLOCK = 2_000_000  # resampled values held in memory at once


def net_score_variance(p_pos: ArrayLike, p_neg: ArrayLike) -> NDArray[np.float64]:
    r"""Per-answer variance of a net score: :math:`p_+ + p_- - (p_+ - p_-)^2`.

    Divide by :math:`n` for the variance of the estimate (the trinomial Wald variance).

    Examples
    --------
    >>> float(net_score_variance(0.5, 0.2))
    0.61
    """
    return _net_score_variance(
        check_shares("p_pos", p_pos), check_shares("p_neg", p_neg)
    )


def _net_score_variance(
    pp: NDArray[np.float64], pn: NDArray[np.float64]
) -> NDArray[np.float64]:
    """:func:`net_score_variance` of checked shares (the interval methods' kernel)."""
    # d * d, not d ** 2: numpy squares arrays exactly but sends 0-d arrays to
    # pow(), whose last bit can differ, and a scalar result must equal its group's
    d = pp - pn
    return pp + pn - d * d


def restricted_mle(
    positive: ArrayLike, negative: ArrayLike, nobs: ArrayLike, delta: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Maximum-likelihood shares :math:`(p_+, p_-)` under :math:`p_+ - p_- = \Delta`.

    The constrained trinomial likelihood has a closed-form maximum, the positive
    root of :math:`A q^2 + B q + C = 0` for :math:`q = p_-`, with :math:`A = 2n`,
    :math:`B = -x_+ - x_- + (2n - x_+ + x_-)\Delta` and
    :math:`C = -x_-\Delta(1 - \Delta)`; this is Tango's (1998) restricted estimate for
    paired proportions with the discordant cells taken as the positive and the
    negative answers.

    Examples
    --------
    >>> p_pos, p_neg = restricted_mle(50, 20, 100, 0.3)  # the unconstrained MLE
    >>> round(float(p_pos), 12), round(float(p_neg), 12)
    (0.5, 0.2)
    """
    xp = floats("positive", positive)
    xn = floats("negative", negative)
    n = floats("nobs", nobs)
    check_counts({"positive": xp, "negative": xn}, "nobs", n)
    d = check_shares("delta", delta, low=-1.0)
    return _restricted_mle(xp, xn, n, d)


def _restricted_mle(
    xp: NDArray[np.float64],
    xn: NDArray[np.float64],
    n: NDArray[np.float64],
    d: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """:func:`restricted_mle` on checked float arrays (the score bisection's kernel)."""
    # the quadratic divided by n (A = 2): the same root, and no product of n with
    # itself, so counts near the float limit do not overflow
    with np.errstate(invalid="ignore", divide="ignore"):
        sp, sn = xp / n, xn / n
        b = -sp - sn + (2.0 - sp + sn) * d
        c = -sn * d * (1.0 - d)
        disc = np.maximum(b * b - 8.0 * c, 0.0)
        q = (-b + np.sqrt(disc)) / 4.0
    q = np.clip(q, np.maximum(0.0, -d), (1.0 - d) / 2.0)
    return q + d, q


def _score_bound(
    xp: NDArray[np.float64],
    xn: NDArray[np.float64],
    n: NDArray[np.float64],
    z: float,
    *,
    upper: bool,
) -> NDArray[np.float64]:
    """Bisect for the end of the score acceptance region on one side of the estimate."""
    est = (xp - xn) / n
    lo = est.copy() if upper else np.full_like(est, -1.0)
    hi = np.ones_like(est) if upper else est.copy()
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        pp, pn = _restricted_mle(xp, xn, n, mid)
        var = np.maximum(pp + pn - mid * mid, 0.0)
        rejected = (est - mid) ** 2 > z * z * var / n
        if upper:
            hi = np.where(rejected, mid, hi)
            lo = np.where(rejected, lo, mid)
        else:
            lo = np.where(rejected, mid, lo)
            hi = np.where(rejected, hi, mid)
    return hi if upper else lo


def _bootstrap(
    p_pos: NDArray[np.float64],
    p_neg: NDArray[np.float64],
    n: NDArray[np.float64],
    confidence_level: float,
    n_resamples: int,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    alpha = 1.0 - confidence_level
    shape = p_pos.shape
    flat_pos, flat_neg, flat_n = p_pos.ravel(), p_neg.ravel(), n.ravel()
    low = np.full(flat_pos.shape, np.nan)
    high = np.full(flat_pos.shape, np.nan)
    ok = np.flatnonzero((flat_n >= 1) & np.isfinite(flat_pos) & np.isfinite(flat_neg))
    block = max(1, _BOOTSTRAP_BLOCK // n_resamples)
    for start in range(0, ok.size, block):  # blocks of groups bound the memory used
        idx = ok[start : start + block]
        m = np.rint(flat_n[idx]).astype(np.int64)
        pv = np.stack([flat_pos[idx], flat_neg[idx]], axis=-1)
        pv = np.concatenate(
            [pv, np.clip(1.0 - pv.sum(axis=-1, keepdims=True), 0.0, 1.0)], axis=-1
        )
        pv /= pv.sum(axis=-1, keepdims=True)
        draws = rng.multinomial(m, pv, size=(n_resamples, idx.size))
        net = (draws[..., 0] - draws[..., 1]) / m
        q = np.quantile(net, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
        low[idx], high[idx] = q[0], q[1]
    return low.reshape(shape), high.reshape(shape)


def net_score_interval(
    positive: ArrayLike,
    negative: ArrayLike,
    nobs: ArrayLike,
    confidence_level: float = 0.95,
    *,
    method: NPSMethod = "adjusted_wald",
    n_resamples: int = 10_000,
    rng: int | np.random.Generator | None = None,
) -> ConfidenceIntervalArray:
    r"""Confidence interval for a net score :math:`p_+ - p_-` on [-1, 1].

    Parameters
    ----------
    positive, negative, nobs : array_like of float
        Counts of positive and negative answers and the number of answers
        (weighted data: shares times the effective sample size). Broadcast together.
    confidence_level : float, default 0.95
        Coverage in (0, 1).
    method : {'adjusted_wald', 'wald', 'score', 'bootstrap'}, default 'adjusted_wald'
        See Notes.
    n_resamples : int, default 10000
        Bootstrap resamples.
    rng : int or numpy.random.Generator, optional
        Seed or generator for the bootstrap; the default seed is 0, so repeated calls
        give the same interval.

    Returns
    -------
    ConfidenceIntervalArray
        Bounds in [-1, 1]; NaN where ``nobs == 0`` or an input is NaN.

    Raises
    ------
    InvalidInputError
        Negative counts, ``positive + negative > nobs``, or for the bootstrap a
        ``nobs`` of 2**63 or more (its resamples are int64 counts).

    Notes
    -----
    * ``'wald'``: :math:`\hat\Delta \pm z\sqrt{(\hat p_+ + \hat p_- - \hat\Delta^2)/n}`,
      the trinomial variance of Rocks (2016), eq. (2).
    * ``'adjusted_wald'``: the Wald interval after adding 3/4 to the positive and
      negative counts and 3 to :math:`n` (Rocks 2016, the "Adjusted Wald" with the
      pseudo-counts recommended there; Sauro & Lewis, MeasuringU 2021), centred on
      the adjusted estimate. Clipped to [-1, 1].
    * ``'score'``: the set of :math:`\Delta` not rejected by the score test
      :math:`|\hat\Delta - \Delta| \le z\sqrt{\tilde V(\Delta)/n}`, with the variance
      at the restricted MLE (:func:`restricted_mle`), found by bisection; Rocks'
      iterative score interval, identical to Tango's (1998) interval for paired
      proportions.
    * ``'bootstrap'``: percentile interval of the net score over multinomial
      resamples of :math:`n` answers with the observed shares; for categorical data
      this is exactly the nonparametric bootstrap of the rows. For weighted data,
      :math:`n` is the rounded effective sample size (an approximation).

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
       *The American Statistician* 70(4), 365-372. arXiv:1601.07235.
    .. [2] Tango, T. (1998). Equivalence test and confidence interval for the
       difference in proportions for the paired-sample design. *Statistics in
       Medicine* 17, 891-908.

    Examples
    --------
    >>> ci = net_score_interval(50, 20, 100, method="wald")
    >>> [round(float(b), 4) for b in ci]
    [0.1469, 0.4531]
    """
    check_option("method", method, NPSMethod)
    check_confidence_level(confidence_level)
    if method == "bootstrap":
        check_positive_int("n_resamples", n_resamples)
        gen = check_rng(rng)
    xp, xn, n = np.broadcast_arrays(
        floats("positive", positive), floats("negative", negative), floats("nobs", nobs)
    )
    check_counts({"positive": xp, "negative": xn}, "nobs", n)
    valid = n > 0
    if method == "bootstrap":
        # the resamples are int64 counts: a larger nobs cannot be drawn
        big = valid & (n >= 2.0**63)
        if big.any():
            i = int(np.flatnonzero(big.ravel())[0])
            msg = (
                f"`nobs` must be below 2**63 for the bootstrap (its resamples are "
                f"integer counts); got {n.ravel()[i]:g} at index {i}."
            )
            raise InvalidInputError(msg)
    safe_n = np.where(valid, n, 1.0)
    # rows without answers (nobs 0 or NaN) are NaN at the end; their counts are
    # zeroed so the arithmetic on the placeholder n stays a valid share
    xp, xn = np.where(valid, xp, 0.0), np.where(valid, xn, 0.0)
    z = critical_value(confidence_level)
    low: NDArray[Any]
    high: NDArray[Any]
    with np.errstate(invalid="ignore", divide="ignore"):
        if method in ("wald", "adjusted_wald"):
            if method == "adjusted_wald":
                xp, xn, safe_n = xp + _ADJ_EACH, xn + _ADJ_EACH, safe_n + _ADJ_TOTAL
            pp, pn = xp / safe_n, xn / safe_n
            est = pp - pn
            half = z * np.sqrt(np.maximum(_net_score_variance(pp, pn), 0.0) / safe_n)
            low, high = est - half, est + half
        elif method == "score":
            low = _score_bound(xp, xn, safe_n, z, upper=False)
            high = _score_bound(xp, xn, safe_n, z, upper=True)
        else:
            low, high = _bootstrap(
                xp / safe_n,
                xn / safe_n,
                np.where(valid, n, 0.0),
                confidence_level,
                n_resamples,
                gen,
            )
    low = np.clip(low, -1.0, 1.0)
    high = np.clip(high, -1.0, 1.0)
    return ConfidenceIntervalArray(
        np.where(valid, low, np.nan), np.where(valid, high, np.nan)
    )
