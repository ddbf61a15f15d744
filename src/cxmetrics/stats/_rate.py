"""Confidence intervals for a Poisson rate: events per unit of exposure, vectorised."""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_confidence_level, check_option
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.stats._checks import floats
from cxmetrics.stats._distributions import critical_value
from cxmetrics.stats._interval import ConfidenceIntervalArray
from cxmetrics.typing import RateMethod

__all__ = ["RATE_METHODS", "rate_interval"]

RATE_METHODS: tuple[str, ...] = get_args(RateMethod)


def rate_interval(
    count: ArrayLike,
    exposure: ArrayLike,
    confidence_level: float = 0.95,
    *,
    method: RateMethod = "score",
) -> ConfidenceIntervalArray:
    r"""Two-sided confidence interval for a Poisson rate ``count / exposure``.

    Parameters
    ----------
    count : array_like of float
        Events observed (whole numbers for ``'exact'``), ``>= 0``.
    exposure : array_like of float
        Time at risk (e.g. customer-months), ``>= 0``. Broadcast with ``count``.
    confidence_level : float, default 0.95
        Coverage in (0, 1).
    method : {'score', 'wald', 'exact'}, default 'score'
        ``'exact'`` needs scipy (the ``stats`` extra).

    Returns
    -------
    ConfidenceIntervalArray
        Bounds in events per unit of exposure; NaN where ``exposure == 0``.

    Notes
    -----
    With :math:`x` events in exposure :math:`T` and :math:`z` the normal critical
    value:

    * score (the Poisson analogue of Wilson's interval, from inverting the score
      test :math:`|x - \lambda T| \le z\sqrt{\lambda T}`):
      :math:`\bigl(x + z^2/2 \pm z\sqrt{x + z^2/4}\bigr)/T`;
    * Wald: :math:`(x \pm z\sqrt{x})/T`, clipped at 0;
    * exact (Garwood 1936): :math:`\chi^2_{\alpha/2}(2x)/2T` and
      :math:`\chi^2_{1-\alpha/2}(2x+2)/2T`, with 0 as the lower bound at
      :math:`x = 0`.

    These match statsmodels' ``confint_poisson`` methods ``'score'``, ``'wald'``
    and ``'exact-c'``.

    References
    ----------
    .. [1] Garwood, F. (1936). Fiducial limits for the Poisson distribution.
       *Biometrika* 28, 437-442.
    .. [2] Barker, L. (2002). A comparison of nine confidence intervals for a
       Poisson parameter when the expected number of events is <= 5.
       *The American Statistician* 56(2), 85-89.

    Examples
    --------
    >>> ci = rate_interval(10, 200.0)
    >>> [round(float(b), 5) for b in ci]
    [0.02716, 0.09205]
    """
    check_option("method", method, RateMethod)
    level = check_confidence_level(confidence_level)
    x, t = np.broadcast_arrays(floats("count", count), floats("exposure", exposure))
    bad = ~((x >= 0) & (t >= 0) & np.isfinite(x) & np.isfinite(t))  # also NaN
    if bad.any():
        i = int(np.argmax(bad.ravel()))
        msg = (
            f"`count` and `exposure` must be finite and non-negative; got count="
            f"{float(x.ravel()[i])!r} and exposure={float(t.ravel()[i])!r} at index {i}."
        )
        raise InvalidInputError(msg)
    valid = t > 0
    safe_t = np.where(valid, t, 1.0)
    z = critical_value(level)
    with np.errstate(over="ignore"):  # every bound is below 2 (x + z^2 + 1) / T
        huge = valid & ~np.isfinite(2.0 * (x + z * z + 1.0) / safe_t)
    if huge.any():
        i = int(np.argmax(huge.ravel()))
        msg = (
            f"`count` / `exposure` overflows float64 at index {i}; rescale `exposure`."
        )
        raise InvalidInputError(msg)
    low: NDArray[Any]
    high: NDArray[Any]
    if method == "score":
        centre = x + z * z / 2.0
        half = z * np.sqrt(x + z * z / 4.0)
        low, high = (centre - half) / safe_t, (centre + half) / safe_t
        low = np.where(x == 0, 0.0, low)
    elif method == "wald":
        half = z * np.sqrt(x)
        low, high = np.maximum(x - half, 0.0) / safe_t, (x + half) / safe_t
    else:
        stats = require("scipy.stats", feature="method='exact'")
        alpha = 1.0 - level
        with np.errstate(invalid="ignore"):
            low = (
                np.where(x > 0, stats.chi2.ppf(alpha / 2.0, 2.0 * x) / 2.0, 0.0)
                / safe_t
            )
            high = stats.chi2.isf(alpha / 2.0, 2.0 * x + 2.0) / 2.0 / safe_t
    return ConfidenceIntervalArray(
        np.where(valid, np.asarray(low, dtype=np.float64), np.nan),
        np.where(valid, np.asarray(high, dtype=np.float64), np.nan),
    )
