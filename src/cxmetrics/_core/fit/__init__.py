"""One maximum-likelihood engine for every fitted model (see :mod:`.engine`).

The engine takes a log-likelihood and a :class:`ParameterSpec`, never a model
name: parameter transform and the one positivity check (:mod:`.parameters`),
derivatives by central differences (:mod:`.derivatives`), the optimiser, Newton
polish and delta-method covariance (:mod:`.engine`), and the one convergence
report (:mod:`.report`). scipy is imported when a fit is asked for.
"""

from __future__ import annotations

from cxmetrics._core.fit.derivatives import LogLik, hessian
from cxmetrics._core.fit.engine import GRADIENT_TOL, RELATIVE_SE_MAX, maximise
from cxmetrics._core.fit.parameters import LOG_BOX, ParameterSpec, check_positive
from cxmetrics._core.fit.report import Convergence, MLEFit, warn_unconverged

__all__ = [
    "GRADIENT_TOL",
    "LOG_BOX",
    "RELATIVE_SE_MAX",
    "Convergence",
    "LogLik",
    "MLEFit",
    "ParameterSpec",
    "check_positive",
    "hessian",
    "maximise",
    "warn_unconverged",
]
