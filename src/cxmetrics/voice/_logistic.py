r"""Logistic key drivers: McFadden's pseudo-R² of every subset of drivers, and Shapley values.

For a top-box or promoter-vs-not outcome the linear :math:`R^2` is replaced by
McFadden's :math:`R^2_{\mathrm{McF}}(S) = 1 - \ell(S)/\ell(\varnothing)`, with
:math:`\ell(S)` the maximised (weighted) log-likelihood of the logistic regression
on the drivers in :math:`S`. Each of the :math:`2^p` models is fitted by Newton's
method (iteratively reweighted least squares), vectorised over rows.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import NDArray

from cxmetrics.exceptions import ConvergenceWarning

__all__ = ["logistic_subset_r2", "shapley"]

_MAX_ITER = 100
_TOL = 1e-10
#: a coefficient this large (on standardised drivers) means the classes are separated
_SEPARATED = 30.0


def shapley(r2: NDArray[np.float64], p: int) -> NDArray[np.float64]:
    """Shapley value of each of ``p`` players from the worth of every coalition (bitmask)."""
    masks = np.arange(1 << p)
    sizes = ((masks[:, None] >> np.arange(p)) & 1).sum(axis=1)
    # weight of a coalition of size s: s! (p - s - 1)! / p!
    weight = np.array(
        [
            math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
            for s in range(p)
        ]
    )
    out = np.empty(p)
    for j in range(p):
        without = masks[((masks >> j) & 1) == 0]
        out[j] = (weight[sizes[without]] * (r2[without | (1 << j)] - r2[without])).sum()
    return out


def _loglik(
    x: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[float, bool]:
    """Maximised weighted log-likelihood of a logistic regression with intercept."""
    design = np.column_stack([np.ones(y.shape[0]), x])
    beta = np.zeros(design.shape[1])
    ybar = float(w @ y / w.sum())
    beta[0] = math.log(ybar / (1.0 - ybar))
    converged = False
    for _ in range(_MAX_ITER):
        eta = design @ beta
        prob = 0.5 * (1.0 + np.tanh(eta / 2.0))  # the logistic function, overflow-free
        grad = design.T @ (w * (y - prob))
        hess = (design * (w * prob * (1.0 - prob))[:, None]).T @ design
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if float(np.max(np.abs(step))) < _TOL * max(1.0, float(np.max(np.abs(beta)))):
            converged = True
            break
        if float(np.max(np.abs(beta))) > _SEPARATED:
            break
    eta = design @ beta
    ll = float(w @ (y * eta - np.logaddexp(0.0, eta)))
    return ll, converged


def logistic_subset_r2(
    x: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64]
) -> NDArray[np.float64]:
    """McFadden's R² of the logistic regression on every subset of columns (by bitmask).

    Drivers are standardised first (the likelihood does not change), so the
    convergence test means the same for every scale. Warns
    :class:`ConvergenceWarning` when a model does not converge (typically
    complete separation: a driver predicts the outcome perfectly).
    """
    p = x.shape[1]
    total = w.sum()
    mean = (w @ x) / total
    sd = np.sqrt((w @ (x - mean) ** 2) / total)
    xs = (x - mean) / sd
    ybar = float(w @ y / total)
    ll0 = float(total * (ybar * math.log(ybar) + (1.0 - ybar) * math.log(1.0 - ybar)))
    r2 = np.zeros(1 << p)
    failed = []
    for mask in range(1, 1 << p):  # one model per subset (2**p of them), not per row
        cols = [j for j in range(p) if mask >> j & 1]
        ll, ok = _loglik(xs[:, cols], y, w)
        if not ok:
            failed.append(mask)
        r2[mask] = 1.0 - ll / ll0
    if failed:
        msg = (
            f"{len(failed)} of the {(1 << p) - 1} logistic models did not converge "
            "(a driver, or a combination, separates the outcome almost perfectly); "
            "their pseudo-R² is that of the last iterate."
        )
        warnings.warn(msg, ConvergenceWarning, stacklevel=3)
    return r2
