r"""Gauss' hypergeometric function: scipy with a series fallback, and the series.

One place for the series the fitted models share: the purchase models (BG/NBD,
Pareto/NBD) call :func:`hyp2f1`; the sBG's discounted lifetimes call
:func:`hyp2f1_series` alone (they need no scipy).

scipy's ``hyp2f1`` is fast and accurate on most of the domain the models use,
but returns NaN or infinities for some arguments with :math:`z` near 1 and an
integer :math:`c - a - b` (e.g. :math:`{}_2F_1(3, -0.95; 3.05; 0.998)`). Those
entries are recomputed from the defining power series
:math:`\sum_k \frac{(a)_k (b)_k}{(c)_k\,k!} z^k` (:math:`0 \le z < 1`), summed in
vectorised blocks until the tail is negligible.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.optional import require

__all__ = ["hyp2f1", "hyp2f1_series"]

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
    :func:`hyp2f1_series`. ``feature`` names what needs scipy in the
    :class:`MissingDependencyError`.
    """
    sp = require("scipy.special", feature=feature)
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (a, b, c, z))
    )
    out = np.asarray(sp.hyp2f1(*arrays), dtype=np.float64)
    bad = ~np.isfinite(out)
    if bad.any():
        flat = [v[bad] for v in arrays]
        fixed = out.copy()
        fixed[bad] = hyp2f1_series(*flat)
        return fixed
    return out
