"""The one convergence report of a maximum-likelihood fit, and its warning."""

from __future__ import annotations

import warnings
from typing import NamedTuple

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics.exceptions import ConvergenceWarning

__all__ = ["Convergence", "MLEFit", "warn_unconverged"]

Float = NDArray[np.float64]


@attrs.frozen(field_transformer=nan_equal_fields)
class Convergence:
    """How a maximum-likelihood fit ended.

    Attributes
    ----------
    converged : bool
        True when the estimate is an interior maximum the data identify.
    iterations : int
        Optimiser iterations (the Newton polish not counted).
    gradient_norm : float
        Largest absolute gradient of the log-likelihood per unit of weight, in
        the free parameters ``u`` (NaN when the likelihood is not finite).
    message : str
        Why the fit is (not) trusted.

    Examples
    --------
    >>> Convergence(True, 12, 3e-12, "converged").converged
    True
    """

    converged: bool
    iterations: int
    gradient_norm: float
    message: str


class MLEFit(NamedTuple):
    """What :func:`maximise` found."""

    params: Float
    covariance: Float
    log_likelihood: float
    convergence: Convergence


def warn_unconverged(
    label: str, convergence: Convergence, *, stacklevel: int = 3
) -> None:
    """Issue a :class:`ConvergenceWarning` for a fit that did not converge.

    ``stacklevel=3`` points at the caller of the function that called this one
    (the user's call of the fitting function).
    """
    if not convergence.converged:
        warnings.warn(
            f"the {label} fit did not converge: {convergence.message}.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
