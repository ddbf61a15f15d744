r"""Gauss' hypergeometric function: scipy with a series fallback, and the series.

One place for the series the fitted models share: the purchase models (BG/NBD,
Pareto/NBD) call :func:`hyp2f1`; the sBG's discounted lifetimes call
:func:`hyp2f1_series` alone (they need no scipy).

scipy's ``hyp2f1`` is fast and accurate on most of the domain the models use,
but returns NaN or infinities for some arguments with :math:`z` near 1 and an
integer :math:`c - a - b` (e.g. :math:`{}_2F_1(3, -0.95; 3.05; 0.998)`). Those
entries are recomputed from the defining power series
:math:`\sum_k \frac{(a)_k (b)_k}{(c)_k\,k!} z^k` (:math:`0 \le z < 1`), summed in
vectorised blocks until the tail is negligible. Where :math:`a = 1` (every call
of the Pareto/NBD likelihood), Gauss' continued fraction comes first
(:func:`hyp2f1_unit_cf`): with large :math:`b, c` and :math:`z` near 1 the series
needs :math:`10^5` terms and more, the fraction a few dozen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.optional import require

__all__ = ["hyp2f1", "hyp2f1_series", "hyp2f1_unit_cf"]

Float = NDArray[np.float64]

_BLOCK = 2048
#: the series is a fallback for a few entries; past this many terms (z within
#: about 1e-4 of 1) it is abandoned and the entry is NaN, so a fit on such data
#: stops with a ConvergenceWarning instead of running for minutes
_MAX_TERMS = 100_000
_TOL = 1e-16


def hyp2f1_series(
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike,
    z: ArrayLike,
    *,
    max_terms: int = _MAX_TERMS,
    tol: float = _TOL,
) -> Float:
    r"""Power series of :math:`{}_2F_1(a, b; c; z)` for :math:`0 \le z < 1`, elementwise.

    Summed in vectorised blocks until the next term is below ``tol`` times the
    sum; an entry still short of that after ``max_terms`` terms is NaN.

    Examples
    --------
    >>> round(float(hyp2f1_series(1.0, 1.0, 2.0, 0.5)[0]), 12)  # -log(1 - z) / z
    1.386294361120
    """
    a, b, c, z = (
        np.asarray(v, dtype=np.float64).reshape(-1)
        for v in np.broadcast_arrays(*(np.asarray(v) for v in (a, b, c, z)))
    )
    total = np.zeros(z.shape[0])
    term = np.ones(z.shape[0])
    active = np.ones(z.shape[0], dtype=bool)
    k0 = 0
    while active.any() and k0 < max_terms:
        idx = np.flatnonzero(active)
        k = np.arange(k0, k0 + _BLOCK, dtype=np.float64)[None, :]
        ai, bi, ci, zi = (v[idx, None] for v in (a, b, c, z))
        ratios = (ai + k) * (bi + k) / ((ci + k) * (k + 1.0)) * zi
        terms = term[idx, None] * np.cumprod(
            np.concatenate([np.ones((idx.shape[0], 1)), ratios[:, :-1]], axis=1), axis=1
        )
        total[idx] += terms.sum(axis=1)
        term[idx] = terms[:, -1] * ratios[:, -1]
        done = np.abs(term[idx]) <= tol * np.abs(total[idx])
        active[idx[done]] = False
        k0 += _BLOCK
    total[active] = np.nan  # not converged within max_terms
    return total


#: the continued fraction's default budget of steps
_CF_MAX = 20_000
#: its budget inside :func:`hyp2f1`: it converges in a few dozen steps where the
#: series is slow (large b and c); where it is slow itself (small b, c and z near
#: 1) the series is fast, so entries still open after this many steps go to the
#: series (measured: an 8-customer Pareto/NBD fit drifting to r ~ 1e6 takes 0.5 s
#: of CPU, against 20.7 s with the series alone)
_CF_IN_FALLBACK = 60
_TINY = 1e-300


def hyp2f1_unit_cf(
    b: ArrayLike, c: ArrayLike, z: ArrayLike, *, max_terms: int = _CF_MAX
) -> Float:
    r""":math:`{}_2F_1(1, b; c; z)` for :math:`0 \le z < 1`, by Gauss' continued fraction.

    With :math:`a = 0` and :math:`c \to c - 1` in Gauss' fraction for
    :math:`{}_2F_1(a+1, b; c+1; z) / {}_2F_1(a, b; c; z)` (DLMF 15.7.5; Cuyt et
    al. 2008, *Handbook of Continued Fractions for Special Functions*, 15.3.7),
    the denominator is 1 and

    .. math::

        {}_2F_1(1, b; c; z) = 1 \Big/ \left(1 + \cfrac{k_1 z}{1 + \cfrac{k_2 z}{1 + \dotsb}}\right),
        \quad k_{2m+1} = \frac{-(c'+m)(b+m)}{(c'+2m)(c'+2m+1)},
        \quad k_{2m} = \frac{(b-c'-m)\,m}{(c'+2m-1)(c'+2m)},

    with :math:`c' = c - 1`, evaluated by the modified Lentz algorithm, all
    entries at once, until each factor is within ``1e-16`` of 1. Where
    :math:`b` and :math:`c` are large and :math:`z` is near 1 (a Pareto/NBD fit
    drifting towards no heterogeneity), it converges in a few dozen steps where
    the power series needs :math:`10^5` terms. Entries still open after
    ``max_terms`` steps are NaN.

    Examples
    --------
    >>> round(float(hyp2f1_unit_cf(1.0, 2.0, 0.5)[0]), 12)  # -log(1 - z) / z
    1.386294361120
    """
    b, c, z = (
        np.asarray(v, dtype=np.float64).reshape(-1)
        for v in np.broadcast_arrays(*(np.asarray(v) for v in (b, c, z)))
    )
    cp = c - 1.0
    f = np.ones(z.shape[0])
    big_c = np.ones(z.shape[0])
    big_d = np.zeros(z.shape[0])
    idx = np.arange(z.shape[0])  # entries still open
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for j in range(1, max_terms + 1):
            if not idx.size:
                break
            bi, ci, zi = b[idx], cp[idx], z[idx]
            m = j // 2
            if j % 2:
                k = -(ci + m) * (bi + m) / ((ci + 2 * m) * (ci + 2 * m + 1))
            else:
                k = (bi - ci - m) * m / ((ci + 2 * m - 1) * (ci + 2 * m))
            term = k * zi
            d = 1.0 + term * big_d[idx]
            d = np.where(d == 0.0, _TINY, d)
            cc = 1.0 + term / big_c[idx]
            cc = np.where(cc == 0.0, _TINY, cc)
            big_d[idx] = 1.0 / d
            big_c[idx] = cc
            delta = cc / d
            f[idx] *= delta
            broken = ~np.isfinite(delta)
            f[idx[broken]] = np.nan
            idx = idx[~(broken | (np.abs(delta - 1.0) < 1e-16))]
    f[idx] = np.nan  # not converged within max_terms
    return np.asarray(1.0 / f, dtype=np.float64)


def hyp2f1(
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike,
    z: ArrayLike,
    *,
    feature: str = "the purchase models",
) -> Any:
    r""":math:`{}_2F_1(a, b; c; z)` for :math:`0 \le z < 1`, broadcast elementwise.

    scipy's value, with entries it returns as NaN or infinite recomputed by
    :func:`hyp2f1_unit_cf` where :math:`a = 1`, and by :func:`hyp2f1_series`
    where that is not finite either. ``feature`` names what needs scipy in the
    :class:`MissingDependencyError`.
    """
    sp = require("scipy.special", feature=feature)
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (a, b, c, z))
    )
    out = np.asarray(sp.hyp2f1(*arrays), dtype=np.float64)
    bad = ~np.isfinite(out)
    if not bad.any():
        return out
    fixed = out.copy()
    unit = bad & (arrays[0] == 1.0)
    if unit.any():
        fixed[unit] = hyp2f1_unit_cf(
            arrays[1][unit], arrays[2][unit], arrays[3][unit], max_terms=_CF_IN_FALLBACK
        )
    bad = ~np.isfinite(fixed)
    if bad.any():
        fixed[bad] = hyp2f1_series(*(v[bad] for v in arrays))
    return fixed
