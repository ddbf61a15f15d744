r"""What every maximum-likelihood result shares: estimates, diagnostics, intervals.

A fitted result *holds* its model (``result.model``) with the covariance,
log-likelihood and :class:`~cxmetrics._core.fit.Convergence` report of the fit
(:func:`cxmetrics._core.fit.maximise`); the families delegate their
predictions to the model explicitly.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.fit import Convergence
from cxmetrics._core.validation import check_option
from cxmetrics.stats._distributions import critical_value
from cxmetrics.stats._interval import ConfidenceInterval
from cxmetrics.typing import ParameterInterval

__all__ = ["FittedModel"]


class FittedModel:
    """Estimates by name, convergence and Wald intervals of a fitted model.

    Subclasses are attrs classes with the fields ``model``, ``covariance``,
    ``log_likelihood`` and ``convergence`` and the class variable
    ``parameter_names`` (the order of ``covariance``).
    """

    parameter_names: ClassVar[tuple[str, ...]]
    model: Any
    covariance: NDArray[np.float64]
    log_likelihood: float
    convergence: Convergence

    @property
    def converged(self) -> bool:
        """Whether the fit converged (else a ConvergenceWarning was issued)."""
        return self.convergence.converged

    @property
    def message(self) -> str:
        """Why the fit is (not) trusted."""
        return self.convergence.message

    @property
    def iterations(self) -> int:
        """Optimiser iterations."""
        return self.convergence.iterations

    @property
    def params(self) -> dict[str, float]:
        """Estimates by name."""
        return {k: float(getattr(self.model, k)) for k in self.parameter_names}

    def _standard_error(self, parameter: str) -> float:
        i = self.parameter_names.index(parameter)
        v = float(self.covariance[i, i])
        return math.sqrt(v) if v >= 0 else math.nan

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
        se = self._standard_error(parameter)
        if method == "wald":
            return ConfidenceInterval(est - z * se, est + z * se)
        factor = math.exp(z * se / est)
        return ConfidenceInterval(est / factor, est * factor)
