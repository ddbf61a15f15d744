"""Maximum likelihood for the CLV models: one optimiser, covariance and diagnostics.

Every model is fitted over the logarithms of its (positive) parameters, or of
their distance to a lower bound (the Gamma-Gamma's q > 1), with scipy's
L-BFGS-B, using the model's analytic gradient when it has one and central
differences otherwise. The covariance is the inverse of the observed
information (the negative Hessian of the log-likelihood in the natural
parameters), computed by central differences of the gradient. A fit is
reported as converged only when the optimiser succeeded, the gradient per
customer is ~0, no parameter ran to the box or its lower bound and the
information is positive definite; otherwise a :class:`ConvergenceWarning` says
why.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import ConvergenceWarning
from cxmetrics.stats._distributions import critical_value
from cxmetrics.stats._interval import ConfidenceInterval
from cxmetrics.typing import ParameterInterval

__all__ = ["FitMethods", "MLEFit", "maximise"]

Float = NDArray[np.float64]
#: log-likelihood and (optionally) its gradient in the natural parameters
LogLik = Callable[[Float], tuple[float, Float | None]]

_LOG_BOX = (-25.0, 25.0)
_GRADIENT_TOL = 1e-5
_NEWTON_STEPS = 3
#: a Newton step (in log-parameters) below this keeps the Hessian of its start
_SMALL_STEP = 1e-4
#: a standard error this many times the estimate means the parameter is not identified
_RELATIVE_SE_MAX = 10.0


class MLEFit(NamedTuple):
    """What :func:`maximise` found."""

    params: Float
    covariance: Float
    log_likelihood: float
    converged: bool
    message: str
    iterations: int


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


def _gradient(f: LogLik, theta: Float) -> tuple[float, Float]:
    ll, grad = f(theta)
    if grad is None:
        grad = _numeric_gradient(f, theta)
    return ll, grad


def _hessian(f: LogLik, theta: Float) -> Float:
    """Hessian in the natural parameters by central differences.

    Of the analytic gradient when the model has one (2k gradients); otherwise
    of the log-likelihood itself (2k + 4 k(k-1)/2 evaluations, half the cost of
    differencing a numerical gradient).
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
            h[i] = (_gradient(f, up)[1] - _gradient(f, dn)[1]) / (2 * steps[i])
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


def maximise(
    loglik: LogLik,
    start: Float,
    *,
    scale: float,
    model: str,
    names: tuple[str, ...],
    lower: Float | None = None,
) -> MLEFit:
    """Maximise ``loglik`` over parameters above ``lower`` (default 0) from ``start``.

    Each parameter is ``lower + exp(u)`` with ``u`` free (in a wide box), so the
    estimate always lies strictly above its bound; one that runs to the bound
    is reported as not converged. ``scale`` (the number of customers)
    normalises the objective so tolerances mean the same for 100 and 10^6
    customers.
    """
    optimize = require("scipy.optimize", feature=f"fitting the {model} model")
    lo, hi = _LOG_BOX
    base = (
        np.zeros(len(names)) if lower is None else np.asarray(lower, dtype=np.float64)
    )

    def natural(x: Float) -> Float:
        return np.asarray(base + np.exp(np.clip(x, lo, hi)), dtype=np.float64)

    def objective(x: Float) -> tuple[float, Float]:
        theta = natural(x)
        ll, grad = _gradient(loglik, theta)
        if not math.isfinite(ll):
            return math.inf, np.zeros_like(x)
        return -ll / scale, -grad * (theta - base) / scale

    x0 = np.log(np.asarray(start, dtype=np.float64) - base)
    try:
        with np.errstate(all="ignore"):
            res = optimize.minimize(
                objective,
                x0,
                jac=True,
                method="L-BFGS-B",
                bounds=[_LOG_BOX] * x0.shape[0],
                options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8},
            )
        x_hat, why, iterations, ok = (
            res.x,
            str(res.message),
            int(res.nit),
            bool(res.success),
        )
    except (ValueError, FloatingPointError) as err:
        x_hat, why, iterations, ok = x0, f"the optimiser failed ({err})", 0, False
    theta = natural(x_hat)
    with np.errstate(all="ignore"):
        ll, grad = _gradient(loglik, theta)
        hess = _hessian(loglik, theta)
        # polish with Newton steps in the log-parameters: L-BFGS-B stops on the
        # relative change of the objective, a few digits short on flat ridges
        for _ in range(_NEWTON_STEPS):
            e = theta - base
            g_u = grad * e
            h_u = hess * np.outer(e, e) + np.diag(g_u)
            if not np.all(np.isfinite(h_u)) or np.any(np.linalg.eigvalsh(h_u) >= 0):
                break
            u_new = np.clip(np.log(e) - np.linalg.solve(h_u, g_u), lo, hi)
            theta_new = natural(u_new)
            ll_new, grad_new = _gradient(loglik, theta_new)
            if not (math.isfinite(ll_new) and ll_new >= ll):
                break
            size = float(np.max(np.abs(u_new - np.log(e))))
            theta, ll, grad = theta_new, ll_new, grad_new
            if size < _SMALL_STEP:
                # the curvature barely moves over so small a step: keep it
                break
            hess = _hessian(loglik, theta)
    step = float(np.max(np.abs(grad * (theta - base)))) / scale
    info = -hess
    positive = bool(np.all(np.isfinite(info)) and np.all(np.linalg.eigvalsh(info) > 0))
    covariance: Float = (
        np.linalg.inv(info) if positive else np.full(info.shape, np.nan)
    ).astype(np.float64)
    at_box = np.abs(x_hat) >= hi - 1e-6
    # a bound above 0 is a model constraint (Gamma-Gamma: q > 1): the likelihood
    # still rising towards it means the unconstrained maximum lies beyond it
    at_bound = np.zeros(len(names), dtype=bool)
    if lower is not None:
        for i in np.flatnonzero(base > 0):
            edge = theta.copy()
            edge[i] = base[i] + (theta[i] - base[i]) * 1e-6
            with np.errstate(all="ignore"):
                ll_edge = loglik(edge)[0]
            at_bound[i] = math.isfinite(ll_edge) and ll_edge >= ll - 1e-9 * scale
    converged = math.isfinite(ll) and step < _GRADIENT_TOL and positive
    with np.errstate(invalid="ignore"):
        rel_se = np.sqrt(np.abs(np.diag(covariance))) / theta
    loose = rel_se > _RELATIVE_SE_MAX
    if at_bound.any():
        converged = False
        which = ", ".join(
            f"{n} > {v:g}" for n, v, b in zip(names, base, at_bound, strict=True) if b
        )
        message = (
            f"the likelihood rises towards the constraint {which} "
            f"({theta.round(6).tolist()}): the maximum lies on or beyond it, where "
            "the model's predictions are undefined"
        )
    elif at_box.any():
        converged = False
        which = ", ".join(n for n, b in zip(names, at_box, strict=True) if b)
        message = (
            f"{which} ran to the edge of the parameter box ({theta.round(6).tolist()}): "
            "the maximum is on the boundary, the model is not identified by these data"
        )
    elif converged and loose.any():
        converged = False
        which = ", ".join(
            f"{n} = {v:.4g} (relative SE {e:.3g})"
            for n, v, e, b in zip(names, theta, rel_se, loose, strict=True)
            if b
        )
        message = (
            f"{which} not identified: the likelihood is flat in that direction, "
            "typically a parameter running off to infinity because the data show "
            "no heterogeneity there"
        )
    elif converged:
        message = f"converged: gradient {step:.2g} per customer, information positive definite"
    elif not math.isfinite(ll):
        message = "the log-likelihood is not finite at the estimate"
    elif not positive:
        message = "the observed information is not positive definite at the estimate"
    else:
        message = (
            f"the gradient is not zero at the estimate ({step:.3g} per customer): {why}"
        )
    if not ok and converged:
        # L-BFGS-B may stop on a line search at float precision with a zero gradient
        message += f" (optimiser: {why})"
    if not converged:
        warnings.warn(
            f"the {model} fit did not converge: {message}.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return MLEFit(theta, covariance, ll, converged, message, iterations)


class FitMethods:
    """Standard errors, intervals and a readable summary shared by fitted models."""

    parameter_names: ClassVar[tuple[str, ...]]
    model_name: ClassVar[str]
    covariance: Float
    log_likelihood: float
    converged: bool
    message: str
    n: float

    @property
    def params(self) -> dict[str, float]:
        """Estimates by name."""
        return {k: float(getattr(self, k)) for k in self.parameter_names}

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors by name, from the observed information (NaN if singular)."""
        var = np.diag(self.covariance)
        return {
            k: float(math.sqrt(v)) if v >= 0 else math.nan
            for k, v in zip(self.parameter_names, var, strict=True)
        }

    def confidence_interval(
        self,
        parameter: str,
        confidence_level: float = 0.95,
        *,
        method: ParameterInterval = "log",
    ) -> ConfidenceInterval:
        r"""Wald interval for one parameter, on the log scale by default.

        ``method='log'``: :math:`\hat\theta \exp(\pm z\,\mathrm{SE}/\hat\theta)`,
        which stays positive; ``'wald'``: :math:`\hat\theta \pm z\,\mathrm{SE}`.
        """
        check_option("method", method, ParameterInterval)
        check_option("parameter", parameter, self.parameter_names)
        z = critical_value(confidence_level)
        est = self.params[parameter]
        se = self.standard_errors[parameter]
        if method == "wald":
            return ConfidenceInterval(est - z * se, est + z * se)
        factor = math.exp(z * se / est)
        return ConfidenceInterval(est / factor, est * factor)

    def to_dict(self) -> dict[str, Any]:
        """Estimates, standard errors and diagnostics as a flat dict."""
        out: dict[str, Any] = dict(self.params)
        out.update({f"se_{k}": v for k, v in self.standard_errors.items()})
        out.update(
            log_likelihood=self.log_likelihood,
            n=self.n,
            converged=self.converged,
            message=self.message,
        )
        return out

    def __str__(self) -> str:
        status = "converged" if self.converged else f"NOT converged ({self.message})"
        se = self.standard_errors
        parts = ", ".join(
            f"{k} {v:.4g} (SE {se[k]:.3g})" for k, v in self.params.items()
        )
        return (
            f"{self.model_name} fit ({status}): {parts}; log-likelihood "
            f"{self.log_likelihood:.6g}; n={self.n}"
        )
