r"""Student's t distribution, numpy only.

The t tail is a regularized incomplete beta function,
:math:`P(T > t) = \tfrac12 I_{\nu/(\nu+t^2)}(\nu/2, 1/2)` for :math:`t > 0`,
evaluated by :mod:`cxmetrics._core.beta`. Tail probabilities come out of ``exp`` of
an exponent near their logarithm, so their relative error is a few units
of :math:`10^{-16} |\log P|`: below 5e-15 for probabilities above 1e-10, up to about
3e-13 near 1e-300 (against 50-digit mpmath).

Quantiles solve :math:`\log P(T > t) = \log q` (or, near the median, the same
equation for :math:`P(0 < T < t)`, which keeps full relative accuracy there) by
Halley's method in :math:`\log t`, started from the Cornish-Fisher expansion or the
power-law tail and kept inside a bracket of the root, so it always converges.

``df`` may be any positive real (Welch-Satterthwaite degrees of freedom are not
integers) and ``inf``, which gives the standard normal distribution.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.beta import FloatArray as _FloatArray
from cxmetrics._core.beta import beta_pair, log_beta
from cxmetrics._core.beta import floats as _floats

__all__ = ["t_cdf", "t_isf", "t_ppf", "t_sf"]

_SQRT2 = math.sqrt(2.0)
#: From here on t and the standard normal agree to double precision wherever the
#: tail probability is a normal number (the relative gap is about t**4 / (4 df)).
_NORMAL_DF = 1e25
_MAX_HALLEY = 100
_LOG_MAX = math.log(float(np.finfo(np.float64).max))
_QUANTILE_TOL = 1e-11  # on the step in log t; Halley's step leaves about its cube

_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)
_normal_quantile = np.frompyfunc(NormalDist().inv_cdf, 1, 1)


def _t_parts(at: _FloatArray, nu: _FloatArray) -> tuple[_FloatArray, ...]:
    """Tail ``P(T > t)``, body ``P(0 < T < t)``, ``log(nu/(nu+t^2))``, ``t^2/(nu+t^2)``.

    For ``t = at >= 0`` (finite, positive) and finite ``nu > 0``; tail and body are
    each computed with full relative accuracy, without overflow of ``t**2``.
    """
    root = np.sqrt(nu)
    small = at <= root
    q = np.where(small, at / root, root / at) ** 2  # t^2/nu, or nu/t^2 if smaller
    log1pq = np.log1p(q)
    ratio = at / root
    # log(t^2/nu); the difference of logarithms only where t/sqrt(nu) overflows
    log_q = np.where(
        (ratio > 0.0) & (ratio < np.inf),
        2.0 * np.log(ratio),
        2.0 * (np.log(at) - np.log(root)),
    )
    x = np.where(small, 1.0, q) / (1.0 + q)  # nu / (nu + t^2)
    y = np.where(small, q, 1.0) / (1.0 + q)  # t^2 / (nu + t^2)
    log_x = np.where(small, -log1pq, -log_q - log1pq)
    log_y = np.where(small, log_q - log1pq, -log1pq)
    upper, central = beta_pair(x, y, log_x, log_y, 0.5 * nu, np.full_like(nu, 0.5))
    return 0.5 * upper, 0.5 * central, log_x, y


def _t_tail_body(
    t: ArrayLike, df: ArrayLike
) -> tuple[_FloatArray, _FloatArray, _FloatArray, tuple[int, ...]]:
    """Flattened ``t``, ``P(T > |t|)`` and ``P(0 < T < |t|)``, and the broadcast shape."""
    tt, dd = np.broadcast_arrays(_floats(t), _floats(df))
    shape = tt.shape
    tf, nu = tt.ravel(), dd.ravel()
    at = np.abs(tf)
    tail = np.full(tf.shape, np.nan)
    body = np.full(tf.shape, np.nan)
    ok = (nu > 0) & ~np.isnan(at)
    normal = ok & (nu >= _NORMAL_DF)
    with np.errstate(all="ignore"):
        tail[normal] = 0.5 * _floats(_erfc(at[normal] / _SQRT2))
        body[normal] = 0.5 * _floats(_erf(at[normal] / _SQRT2))
        ok &= ~normal
        zero = ok & (at == 0.0)
        tail[zero], body[zero] = 0.5, 0.0
        infinite = ok & (at == np.inf)
        tail[infinite], body[infinite] = 0.0, 0.5
        inner = ok & ~zero & ~infinite
        if inner.any():
            tail[inner], body[inner], _, _ = _t_parts(at[inner], nu[inner])
    return tf, tail, body, shape


def t_sf(t: ArrayLike, df: ArrayLike) -> _FloatArray:
    """Survival function :math:`P(T > t)` of Student's t distribution.

    Parameters
    ----------
    t : array_like of float
        Points.
    df : array_like of float
        Degrees of freedom, positive, not necessarily integer; ``inf`` gives the
        standard normal. Broadcasts with ``t``.

    Returns
    -------
    numpy.ndarray of float
        Upper tail probabilities, with full relative accuracy also far in the tail
        (never computed as ``1 - cdf``); NaN where ``df <= 0`` or an input is NaN.

    See Also
    --------
    t_cdf, t_isf

    Examples
    --------
    >>> round(float(t_sf(2.0, 5)), 10)
    0.0509697394
    >>> float(t_sf(0.0, 3.5))
    0.5
    >>> t_sf([-1.0, 1.0], 1.0)  # Cauchy: 1/2 - atan(t)/pi
    array([0.75, 0.25])
    """
    tf, tail, body, shape = _t_tail_body(t, df)
    out = np.where(tf >= 0, tail, 0.5 + body)
    return np.asarray(out.reshape(shape), dtype=np.float64)


def t_cdf(t: ArrayLike, df: ArrayLike) -> _FloatArray:
    r"""Cumulative distribution function :math:`P(T \le t)` of Student's t.

    Parameters
    ----------
    t : array_like of float
        Points.
    df : array_like of float
        Degrees of freedom, positive, not necessarily integer; ``inf`` gives the
        standard normal. Broadcasts with ``t``.

    Returns
    -------
    numpy.ndarray of float
        Probabilities, with full relative accuracy in the lower tail; NaN where
        ``df <= 0`` or an input is NaN.

    See Also
    --------
    t_sf, t_ppf

    Examples
    --------
    >>> round(float(t_cdf(-2.0, 5)), 10)
    0.0509697394
    >>> t_cdf(1.0, [1.0, 2.0])  # 1/2 + atan(t)/pi and 1/2 + t/(2 sqrt(2 + t^2))
    array([0.75      , 0.78867513])
    """
    tf, tail, body, shape = _t_tail_body(t, df)
    out = np.where(tf >= 0, 0.5 + body, tail)
    return np.asarray(out.reshape(shape), dtype=np.float64)


def _t_log_pdf(log_x: _FloatArray, nu: _FloatArray) -> _FloatArray:
    """``log`` of the t density at ``t``, given ``log_x = log(nu / (nu + t^2))``."""
    return (
        0.5 * (nu + 1.0) * log_x
        - 0.5 * np.log(nu)
        - log_beta(0.5 * nu, np.full_like(nu, 0.5))
    )


def _initial_log_t(
    qq: _FloatArray, nu: _FloatArray, center: NDArray[np.bool_]
) -> _FloatArray:
    """Starting point ``log t`` for ``P(T > t) = qq``, ``0 < qq < 1/2``."""
    z = -_floats(_normal_quantile(qq))
    z2 = z * z
    # Cornish-Fisher expansion of the t quantile in powers of 1/nu
    cornish_fisher = z * (
        1.0
        + (z2 + 1.0) / (4.0 * nu)
        + ((5.0 * z2 + 16.0) * z2 + 3.0) / (96.0 * nu**2)
        + (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / (384.0 * nu**3)
    )
    log_b = log_beta(0.5 * nu, np.full_like(nu, 0.5))
    # power-law tail P(T > t) ~ nu^(nu/2 - 1) t^(-nu) / B(nu/2, 1/2)
    log_tail = 0.5 * np.log(nu) - (np.log(qq) + np.log(nu) + log_b) / nu
    # near the median P(0 < T < t) ~ t * density(0)
    log_center = np.log(0.5 - qq) + 0.5 * np.log(nu) + log_b
    # each where it is self-consistent: the power law needs t^2 >> nu, the
    # linear start t^2 << nu; Cornish-Fisher in between and for large nu
    # (the expansion can turn negative for nu well below 1)
    log_cf = np.log(np.where(cornish_fisher > 0.0, cornish_fisher, z))
    guess = np.where(center & (0.5 - qq < 1e-3), log_center, log_cf)
    guess = np.where(np.exp(2.0 * log_tail) > 4.0 * (nu + 1.0), log_tail, guess)
    return np.where(np.isfinite(guess), guess, 0.0)


def _upper_quantile(qq: _FloatArray, nu: _FloatArray) -> _FloatArray:
    """``t >= 0`` with ``P(T > t) = qq`` for ``0 < qq < 1/2`` and finite ``nu > 0``.

    Halley's method on ``g(s) = +-(log U(e^s) - log target)``, increasing in
    ``s = log t``, where ``U`` is the tail ``P(T > t)`` (for ``qq < 1/4``) or the
    body ``P(0 < T < t) = 1/2 - qq`` (exact target, full accuracy near the median).
    Each evaluation narrows a bracket of the root; a step that leaves it is replaced
    by bisection (or by a growing step while one side is still open).
    """
    center = qq >= 0.25
    log_target = np.where(center, np.log(0.5 - qq), np.log(qq))
    s = _initial_log_t(qq, nu, center)
    lo = np.full_like(s, -np.inf)
    hi = np.full_like(s, np.inf)
    idx = np.arange(s.size)
    for _ in range(_MAX_HALLEY):
        si, ni, ci = s[idx], nu[idx], center[idx]
        tail, body, log_x, y = _t_parts(np.exp(si), ni)
        log_u = np.log(np.where(ci, body, tail))
        sign = np.where(ci, 1.0, -1.0)
        g = sign * (log_u - log_target[idx])
        # g' = t f(t) / U and g'' = g' (1 - (nu + 1) y + sign*(-g')), f the density
        g1 = np.exp(si + _t_log_pdf(log_x, ni) - log_u)
        g2 = g1 * (1.0 - (ni + 1.0) * y - sign * g1)
        below = g < 0.0
        lo[idx] = np.where(below, si, lo[idx])
        hi[idx] = np.where(below, hi[idx], si)
        newton = -g / g1
        factor = 1.0 + 0.5 * newton * g2 / g1
        halley_ok = (factor >= 0.5) & (factor <= 2.0)
        step = np.where(halley_ok, newton / np.where(halley_ok, factor, 1.0), newton)
        s_new = si + step
        # a step below the tolerance is final, even where it rounds onto a bound
        small = np.abs(step) <= _QUANTILE_TOL
        li, hi_ = lo[idx], hi[idx]
        outside = ~small & ~((s_new > li) & (s_new < hi_))  # also NaN steps
        closed = np.isfinite(li) & np.isfinite(hi_)
        # bisect a closed bracket; widen an open one geometrically
        reach = np.maximum(1.0, 0.5 * np.abs(si))
        fallback = np.where(
            closed, 0.5 * (li + hi_), np.where(below, si + reach, si - reach)
        )
        s_new = np.minimum(np.where(outside, fallback, s_new), _LOG_MAX)
        done = small | (hi_ - li <= _QUANTILE_TOL)
        # the quantile overflows: P(T > t) > q still at the largest float
        overflow = below & (si >= _LOG_MAX)
        s[idx] = np.where(overflow, np.inf, s_new)
        done |= overflow
        idx = idx[~done]
        if idx.size == 0:
            break
    s[idx] = np.nan  # did not converge (not observed)
    return np.exp(s)


def t_isf(q: ArrayLike, df: ArrayLike) -> _FloatArray:
    """Inverse survival function: ``t`` with :math:`P(T > t) = q`.

    Parameters
    ----------
    q : array_like of float
        Upper tail probabilities in [0, 1] (0 gives ``inf``, 1 gives ``-inf``).
    df : array_like of float
        Degrees of freedom, positive, not necessarily integer; ``inf`` gives the
        standard normal. Broadcasts with ``q``.

    Returns
    -------
    numpy.ndarray of float
        Quantiles, to about 1e-14 relative; NaN where ``q`` is outside [0, 1],
        ``df <= 0`` or an input is NaN.

    See Also
    --------
    t_ppf, t_sf

    Examples
    --------
    >>> round(float(t_isf(0.025, 10)), 10)  # two-sided 95% critical value
    2.2281388520
    >>> float(t_isf(0.25, 1.0))  # Cauchy quartile: tan(pi/4)
    1.0
    """
    qq_, dd = np.broadcast_arrays(_floats(q), _floats(df))
    shape = qq_.shape
    qf, nu = qq_.ravel(), dd.ravel()
    out = np.full(qf.shape, np.nan)
    ok = (nu > 0) & (qf >= 0.0) & (qf <= 1.0)
    out[ok & (qf == 0.0)] = np.inf
    out[ok & (qf == 1.0)] = -np.inf
    out[ok & (qf == 0.5)] = 0.0
    inner = ok & (qf > 0.0) & (qf < 1.0) & (qf != 0.5)
    upper = qf < 0.5
    # P(T > t) = q > 1/2 means t = -t', P(T > t') = 1 - q (exact for q >= 1/2)
    qq = np.where(upper, qf, 1.0 - qf)
    sign = np.where(upper, 1.0, -1.0)
    with np.errstate(all="ignore"):
        normal = inner & (nu >= _NORMAL_DF)
        out[normal] = -_floats(_normal_quantile(qq[normal])) * sign[normal]
        rest = inner & ~normal
        if rest.any():
            out[rest] = _upper_quantile(qq[rest], nu[rest]) * sign[rest]
    return out.reshape(shape)


def t_ppf(p: ArrayLike, df: ArrayLike) -> _FloatArray:
    r"""Quantile function (inverse of :func:`t_cdf`): ``t`` with :math:`P(T \le t) = p`.

    Parameters
    ----------
    p : array_like of float
        Probabilities in [0, 1] (0 gives ``-inf``, 1 gives ``inf``).
    df : array_like of float
        Degrees of freedom, positive, not necessarily integer; ``inf`` gives the
        standard normal. Broadcasts with ``p``.

    Returns
    -------
    numpy.ndarray of float
        Quantiles, to about 1e-14 relative; NaN where ``p`` is outside [0, 1],
        ``df <= 0`` or an input is NaN.

    See Also
    --------
    t_isf, t_cdf

    Examples
    --------
    >>> round(float(t_ppf(0.975, 10)), 10)
    2.2281388520
    >>> round(float(t_ppf(0.1, 2.0)), 10)  # (2p - 1) / sqrt(2 p (1 - p))
    -1.8856180832
    """
    # P(T <= t) = p  <=>  P(T > -t) = p
    return np.asarray(0.0 - t_isf(p, df), dtype=np.float64)
