r"""One maximum-likelihood engine for every fitted model: :func:`maximise`.

A model hands over its log-likelihood (and, if it has them, the analytic
gradient and Hessian) in its natural parameters, with a
:class:`ParameterSpec` naming them and their lower bounds; the engine knows no
model. Each parameter is fitted as ``u = log(theta - lower)`` (log for a
positive parameter), so every estimate lies strictly above its bound:

1. scipy's L-BFGS-B (imported when a fit is asked for: ``import cxmetrics``
   never imports scipy) over ``u`` in a wide box, on the log-likelihood per
   unit of weight so that tolerances mean the same for 100 and 10^6 customers;
2. a Newton polish in ``u`` with the observed information (analytic, or central
   differences of the gradient or of the log-likelihood): L-BFGS-B stops on the
   relative change of the objective, a few digits short on flat ridges, and
   the polish brings the gradient to rounding level, so a weighted fit and the
   same fit on repeated rows agree to ~1e-9;
3. one convergence report, :class:`Convergence`: converged only when the
   gradient per unit of weight is ~0, the information is positive definite, no
   parameter ran to the box or rises towards its bound, and (optionally) every
   parameter is identified (relative standard error below a limit);
4. one standard-error path: the observed information in ``u``,
   :math:`J I J` with :math:`J = \mathrm{diag}(\theta - \text{lower})`, inverted
   and mapped back by the delta method, :math:`\mathrm{Cov}(\theta) = J
   (J I J)^{-1} J` (the inverse observed information, computed from a
   better-conditioned matrix).

:func:`check_positive` is the one parameter check (positive and finite, the
error naming the parameter and value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.fit.derivatives import LogLik, gradient, hessian
from cxmetrics._core.fit.parameters import LOG_BOX, ParameterSpec
from cxmetrics._core.fit.report import Convergence, MLEFit
from cxmetrics._core.optional import require

__all__ = ["GRADIENT_TOL", "RELATIVE_SE_MAX", "maximise"]

Float = NDArray[np.float64]
#: Hessian of the log-likelihood in the natural parameters
HessianFn = Callable[[Float], Float]

#: largest gradient of the log-likelihood per unit of weight, in u, at a maximum
GRADIENT_TOL = 1e-5
#: a standard error this many times the estimate means the parameter is not identified
RELATIVE_SE_MAX = 10.0
_NEWTON_STEPS = 4
#: a Newton step (in u) below this keeps the Hessian of its start
_SMALL_STEP = 1e-4
#: a Newton step may lose this much log-likelihood (relative) to rounding and
#: still be taken when it shrinks the gradient: sums over many rows round
#: differently a few ulps from the maximum
_ROUNDING = 1e-12


class _Point(NamedTuple):
    """The log-likelihood, gradient and Hessian (natural parameters) at theta."""

    theta: Float
    ll: float
    grad: Float
    hess: Float


class _Problem:
    """A log-likelihood with its parameter transform, evaluated on demand."""

    def __init__(
        self, loglik: LogLik, spec: ParameterSpec, hess: HessianFn | None
    ) -> None:
        self.loglik = loglik
        self.spec = spec
        self.hess = hess

    def at(self, theta: Float, *, curvature: bool = True) -> _Point:
        ll, grad = gradient(self.loglik, theta)
        if not curvature:
            return _Point(theta, ll, grad, np.full((theta.size, theta.size), np.nan))
        h = self.hess(theta) if self.hess is not None else hessian(self.loglik, theta)
        return _Point(theta, ll, grad, np.asarray(h, dtype=np.float64))

    def freegradient(self, p: _Point) -> Float:
        """Gradient in u: d ll / du = grad * (theta - lower)."""
        return np.asarray(p.grad * (p.theta - self.spec.base), dtype=np.float64)

    def free_hessian(self, p: _Point) -> Float:
        """Hessian in u: J H J + diag(d ll / du)."""
        e = p.theta - self.spec.base
        return np.asarray(
            p.hess * np.outer(e, e) + np.diag(self.freegradient(p)), dtype=np.float64
        )


def _optimise(
    problem: _Problem, start: Float, scale: float, feature: str
) -> tuple[Float, str, int, bool]:
    """L-BFGS-B over u; returns (u, optimiser message, iterations, success)."""
    optimize = require("scipy.optimize", feature=feature)

    def objective(u: Float) -> tuple[float, Float]:
        theta = problem.spec.to_natural(u)
        ll, grad = gradient(problem.loglik, theta)
        if not math.isfinite(ll):
            return math.inf, np.zeros_like(u)
        return -ll / scale, -grad * (theta - problem.spec.base) / scale

    u0 = problem.spec.to_free(start)
    try:
        with np.errstate(all="ignore"):
            res = optimize.minimize(
                objective,
                u0,
                jac=True,
                method="L-BFGS-B",
                bounds=[LOG_BOX] * u0.shape[0],
                options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8},
            )
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as err:
        return u0, f"the optimiser failed ({err})", 0, False
    return (
        np.asarray(res.x, dtype=np.float64),
        str(res.message),
        int(res.nit),
        bool(res.success),
    )


def _polish(problem: _Problem, p: _Point, scale: float) -> _Point:
    """Newton steps in u from ``p`` while they help (see the module docstring)."""
    lo, hi = LOG_BOX
    slack = _ROUNDING * max(abs(p.ll), scale) if math.isfinite(p.ll) else 0.0
    for _ in range(_NEWTON_STEPS):
        g_u = problem.freegradient(p)
        h_u = problem.free_hessian(p)
        if not np.all(np.isfinite(h_u)) or np.any(np.linalg.eigvalsh(h_u) >= 0):
            break
        u = problem.spec.to_free(p.theta)
        u_new = np.clip(u - np.linalg.solve(h_u, g_u), lo, hi)
        new = problem.at(problem.spec.to_natural(u_new), curvature=False)
        g_new = problem.freegradient(new)
        better = new.ll > p.ll or (
            new.ll >= p.ll - slack
            and float(np.max(np.abs(g_new))) < float(np.max(np.abs(g_u)))
        )
        if not (math.isfinite(new.ll) and better):
            break
        size = float(np.max(np.abs(u_new - u)))
        if size < _SMALL_STEP:
            # the curvature barely moves over so small a step: keep it
            p = _Point(new.theta, new.ll, new.grad, p.hess)
            if float(np.max(np.abs(g_new))) / scale < 1e-12:
                break
            continue
        p = problem.at(new.theta)
    return p


def _covariance(problem: _Problem, p: _Point) -> tuple[Float, bool]:
    """Inverse observed information by the delta method through u (NaN if singular)."""
    e = p.theta - problem.spec.base
    info_u = -p.hess * np.outer(e, e)
    k = e.shape[0]
    if not np.all(np.isfinite(info_u)) or not np.all(np.linalg.eigvalsh(info_u) > 0):
        return np.full((k, k), np.nan), False
    cov = np.linalg.inv(info_u) * np.outer(e, e)
    return np.asarray((cov + cov.T) / 2.0, dtype=np.float64), True


def _at_bound(problem: _Problem, p: _Point, scale: float) -> NDArray[np.bool_]:
    """Parameters with a bound above 0 whose likelihood still rises towards it."""
    base = problem.spec.base
    out = np.zeros(base.shape[0], dtype=bool)
    for i in np.flatnonzero(base > 0):
        edge = p.theta.copy()
        edge[i] = base[i] + (p.theta[i] - base[i]) * 1e-6
        with np.errstate(all="ignore"):
            ll_edge = problem.loglik(edge)[0]
        out[i] = math.isfinite(ll_edge) and ll_edge >= p.ll - 1e-9 * scale
    return out


def _verdict(
    problem: _Problem,
    p: _Point,
    *,
    u_hat: Float,
    why: str,
    ok: bool,
    scale: float,
    positive: bool,
    covariance: Float,
    gradient_tol: float,
    max_relative_se: float | None,
) -> tuple[bool, float, str]:
    """(converged, gradient norm, message) of a finished fit."""
    names = problem.spec.names
    theta = p.theta
    step = float(np.max(np.abs(problem.freegradient(p)))) / scale
    if not math.isfinite(step):
        step = math.nan
    converged = math.isfinite(p.ll) and step < gradient_tol and positive
    at_bound = _at_bound(problem, p, scale)
    at_box = np.abs(u_hat) >= LOG_BOX[1] - 1e-6
    with np.errstate(invalid="ignore", divide="ignore"):
        rel_se = np.sqrt(np.abs(np.diag(covariance))) / theta
    loose = (
        rel_se > max_relative_se
        if max_relative_se is not None
        else np.zeros(theta.shape[0], dtype=bool)
    )
    shown = theta.round(6).tolist()
    if at_bound.any():
        converged = False
        which = ", ".join(
            f"{n} > {v:g}"
            for n, v, b in zip(names, problem.spec.lower, at_bound, strict=True)
            if b
        )
        message = (
            f"the likelihood rises towards the constraint {which} ({shown}): the "
            "maximum lies on or beyond it, where the model's predictions are undefined"
        )
    elif at_box.any():
        converged = False
        which = ", ".join(n for n, b in zip(names, at_box, strict=True) if b)
        message = (
            f"{which} ran to the edge of the parameter box ({shown}): the maximum "
            "is on the boundary, the model is not identified by these data"
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
    elif not math.isfinite(p.ll):
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
    return converged, step, message


def maximise(
    loglik: LogLik,
    start: ArrayLike,
    spec: ParameterSpec,
    *,
    scale: float,
    feature: str = "this fit",
    hessian_fn: HessianFn | None = None,
    gradient_tol: float = GRADIENT_TOL,
    max_relative_se: float | None = RELATIVE_SE_MAX,
) -> MLEFit:
    """Maximise ``loglik`` over parameters above ``spec.lower`` from ``start``.

    Parameters
    ----------
    loglik : callable
        ``theta -> (log-likelihood, gradient or None)`` in the natural parameters.
    start : array_like
        Starting values, strictly above the bounds.
    spec : ParameterSpec
        Parameter names (for messages) and lower bounds.
    scale : float
        Total weight (customers): the objective is the log-likelihood per unit
        of weight, so the tolerances do not depend on the sample size.
    feature : str
        What needs scipy, for the :class:`MissingDependencyError`.
    hessian_fn : callable, optional
        Analytic Hessian in the natural parameters (central differences otherwise).
    gradient_tol : float
        Largest gradient per unit of weight (in u) of a converged fit.
    max_relative_se : float or None
        A standard error above this multiple of its estimate makes the fit not
        converged (the parameter is not identified); None turns the check off.

    Returns
    -------
    MLEFit
        Estimates, covariance (NaN when the information is singular),
        log-likelihood and the :class:`Convergence` report. Nothing is
        warned: pass the report to :func:`warn_unconverged`.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1.0, 2.0, 4.0])  # exponential data: the MLE of the rate is 3/7
    >>> def loglik(th):
    ...     return float(y.size * np.log(th[0]) - th[0] * y.sum()), np.array(
    ...         [y.size / th[0] - y.sum()])
    >>> fit = maximise(loglik, [1.0], ParameterSpec(("rate",)), scale=3.0)
    >>> round(float(fit.params[0]), 6), fit.convergence.converged
    (0.428571, True)
    """
    problem = _Problem(loglik, spec, hessian_fn)
    start_arr = np.asarray(start, dtype=np.float64)
    u_hat, why, iterations, ok = _optimise(problem, start_arr, scale, feature)
    with np.errstate(all="ignore"):
        p = problem.at(spec.to_natural(u_hat))
        p = _polish(problem, p, scale)
        if hessian_fn is not None:
            # an analytic Hessian is cheap: take it at the final point itself
            p = problem.at(p.theta)
        covariance, positive = _covariance(problem, p)
        converged, step, message = _verdict(
            problem,
            p,
            u_hat=u_hat,
            why=why,
            ok=ok,
            scale=scale,
            positive=positive,
            covariance=covariance,
            gradient_tol=gradient_tol,
            max_relative_se=max_relative_se,
        )
    report = Convergence(converged, iterations, step, message)
    return MLEFit(p.theta, covariance, float(p.ll), report)
