"""Gradients and Hessians of a log-likelihood by central differences."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["LogLik", "gradient", "hessian"]

Float = NDArray[np.float64]
#: log-likelihood and (optionally) its gradient in the natural parameters
LogLik = Callable[[Float], tuple[float, Float | None]]


def _numeric_gradient(f: LogLik, theta: Float) -> Float:
    """Central differences of the log-likelihood in log-parameters, as d/dtheta."""
    g = np.empty(theta.shape[0])
    for i in range(theta.shape[0]):
        h = 1e-5
        up = theta.copy()
        dn = theta.copy()
        up[i] *= math.exp(h)
        dn[i] *= math.exp(-h)
        g[i] = (f(up)[0] - f(dn)[0]) / (2 * h) / theta[i]
    return g


def gradient(f: LogLik, theta: Float) -> tuple[float, Float]:
    """``f(theta)`` with its gradient, by central differences if ``f`` gives none."""
    ll, grad = f(theta)
    if grad is None:
        grad = _numeric_gradient(f, theta)
    return ll, grad


def hessian(f: LogLik, theta: Float) -> Float:
    """Hessian of ``f`` in the natural parameters by central differences.

    Of the analytic gradient when ``f`` returns one (2k gradients); otherwise
    of the log-likelihood itself (2k + 4 k(k-1)/2 evaluations, half the cost of
    differencing a numerical gradient).

    Examples
    --------
    >>> f = lambda th: (float(-(th[0] - 1.0) ** 2), None)
    >>> round(float(hessian(f, np.array([2.0]))[0, 0]), 6)
    -2.0
    """
    k = theta.shape[0]
    steps = 1e-4 * theta
    h = np.empty((k, k))
    if f(theta)[1] is not None:
        for i in range(k):
            up = theta.copy()
            dn = theta.copy()
            up[i] += steps[i]
            dn[i] -= steps[i]
            h[i] = (gradient(f, up)[1] - gradient(f, dn)[1]) / (2 * steps[i])
        return np.asarray((h + h.T) / 2.0, dtype=np.float64)

    def at(*shifts: tuple[int, float]) -> float:
        x = theta.copy()
        for i, sign in shifts:
            x[i] += sign * steps[i]
        return f(x)[0]

    f0 = f(theta)[0]
    for i in range(k):
        h[i, i] = (at((i, 1.0)) - 2.0 * f0 + at((i, -1.0))) / steps[i] ** 2
        for j in range(i):
            h[i, j] = h[j, i] = (
                at((i, 1.0), (j, 1.0))
                - at((i, 1.0), (j, -1.0))
                - at((i, -1.0), (j, 1.0))
                + at((i, -1.0), (j, -1.0))
            ) / (4.0 * steps[i] * steps[j])
    return h
