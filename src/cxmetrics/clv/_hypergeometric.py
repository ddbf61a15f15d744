r"""Gauss' hypergeometric function for the purchase models, with a fallback.

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

__all__ = ["hyp2f1"]

Float = NDArray[np.float64]

_BLOCK = 2048
#: the series is a fallback for a few entries; past this many terms (z within
#: about 1e-4 of 1) it is abandoned and the entry is NaN, so a fit on such data
#: stops with a ConvergenceWarning instead of running for minutes
_MAX_TERMS = 100_000
_TOL = 1e-16


def _series(a: Float, b: Float, c: Float, z: Float) -> Float:
    """Power series of 2F1 for 0 <= z < 1, elementwise (1-D arrays)."""
    total = np.zeros(z.shape[0])
    term = np.ones(z.shape[0])
    active = np.ones(z.shape[0], dtype=bool)
    k0 = 0
    while active.any() and k0 < _MAX_TERMS:
        idx = np.flatnonzero(active)
        k = np.arange(k0, k0 + _BLOCK, dtype=np.float64)[None, :]
        ai, bi, ci, zi = (v[idx, None] for v in (a, b, c, z))
        ratios = (ai + k) * (bi + k) / ((ci + k) * (k + 1.0)) * zi
        terms = term[idx, None] * np.cumprod(
            np.concatenate([np.ones((idx.shape[0], 1)), ratios[:, :-1]], axis=1), axis=1
        )
        total[idx] += terms.sum(axis=1)
        term[idx] = terms[:, -1] * ratios[:, -1]
        done = np.abs(term[idx]) <= _TOL * np.abs(total[idx])
        active[idx[done]] = False
        k0 += _BLOCK
    total[active] = np.nan  # not converged within _MAX_TERMS
    return total


def hyp2f1(a: ArrayLike, b: ArrayLike, c: ArrayLike, z: ArrayLike) -> Any:
    r""":math:`{}_2F_1(a, b; c; z)` for :math:`0 \le z < 1`, broadcast elementwise."""
    sp = require("scipy.special", feature="the purchase models")
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (a, b, c, z))
    )
    out = np.asarray(sp.hyp2f1(*arrays), dtype=np.float64)
    bad = ~np.isfinite(out)
    if bad.any():
        flat = [v[bad] for v in arrays]
        fixed = out.copy()
        fixed[bad] = _series(*flat)
        return fixed
    return out
