r"""Upper tail of the chi-square distribution with whole degrees of freedom, numpy-only.

Tests with :math:`k - 1` degrees of freedom (the log-rank test of :math:`k` groups)
need :math:`P(\chi^2_\nu > x)` for whole :math:`\nu`. For whole :math:`\nu` the
regularized upper incomplete gamma function :math:`Q(\nu/2, x/2)` has closed forms
(Abramowitz & Stegun 26.4.4 and 26.4.5; DLMF 8.4.10 and 8.4.11), with :math:`y = x/2`:

.. math::

    \nu = 2m:\quad Q = e^{-y}\sum_{i=0}^{m-1}\frac{y^i}{i!},
    \qquad
    \nu = 2m+1:\quad Q = \operatorname{erfc}\sqrt{y}
        + e^{-y}\sum_{i=1}^{m}\frac{y^{i-1/2}}{\Gamma(i+\tfrac12)} .

Every term is positive, so nothing cancels: each term is evaluated as the exponential
of its logarithm (no power or factorial overflows) and the relative accuracy is a few
units of rounding times the log of the largest term (about 1e-13 at :math:`y = 10^3`).
With one degree of freedom this is the two-sided normal p-value of :math:`\sqrt{x}`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._validation import check_positive_int
from cxmetrics.exceptions import InvalidInputError

__all__ = ["chi_square_pvalue"]

_erfc = np.frompyfunc(math.erfc, 1, 1)
_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def chi_square_pvalue(statistic: ArrayLike, df: int) -> NDArray[np.float64]:
    r"""Upper-tail probability :math:`P(\chi^2_{\nu} > x)` for whole ``df``.

    Parameters
    ----------
    statistic : array_like of float
        Non-negative chi-square statistics (NaN gives NaN).
    df : int
        Degrees of freedom, a whole number >= 1.

    Returns
    -------
    ndarray of float64
        P-values in [0, 1], with the shape of ``statistic``.

    Notes
    -----
    Closed forms of the regularized upper incomplete gamma function for
    half-integer shape (DLMF 8.4.10, 8.4.11), summed term by term in log space;
    numpy and the standard library only. Agrees with ``scipy.stats.chi2.sf`` to
    about 1e-13 relative.

    Examples
    --------
    >>> round(float(chi_square_pvalue(3.841458820694124, 1)), 12)
    0.05
    >>> round(float(chi_square_pvalue(10.0, 4)), 6)
    0.040428
    """
    nu = check_positive_int("df", df)
    x = np.asarray(statistic, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        negative = x < 0
    if negative.any():
        i = int(np.argmax(negative.reshape(-1)))
        msg = f"`statistic` must be non-negative; got {float(x.reshape(-1)[i])!r}."
        raise InvalidInputError(msg)
    y = np.where(np.isnan(x), 0.0, x) / 2.0
    flat = y.reshape(-1)
    m = nu // 2
    with np.errstate(divide="ignore", invalid="ignore"):
        log_y = np.log(flat)[:, None]
        if nu % 2 == 0:
            k = np.arange(m, dtype=np.float64)
            log_terms = k * log_y - np.asarray(_lgamma(k + 1.0), dtype=np.float64)
            log_terms[:, 0] = 0.0  # y**0 / 0! == 1, also at y == 0
            head = np.zeros(flat.shape)
        else:
            k = np.arange(1, m + 1, dtype=np.float64)
            log_terms = (k - 0.5) * log_y - np.asarray(
                _lgamma(k + 0.5), dtype=np.float64
            )
            head = np.asarray(_erfc(np.sqrt(flat)), dtype=np.float64)
        tail = np.exp(log_terms - flat[:, None]).sum(axis=1) if m else 0.0
    out = np.clip(head + tail, 0.0, 1.0).reshape(x.shape)
    return np.where(np.isnan(x), np.nan, out)
