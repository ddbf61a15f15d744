"""Normal and t quantiles and tail probabilities.

Normal quantities come from the standard library (:class:`statistics.NormalDist`,
:func:`math.erfc`), t quantities from :mod:`cxmetrics._core.student_t`; none of
them needs scipy.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.student_t import t_cdf, t_isf, t_sf
from cxmetrics._core.validation import check_confidence_level, check_option
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.stats._checks import floats, positive_df
from cxmetrics.typing import Alternative

__all__ = ["critical_value", "normal_pvalue", "t_critical_value", "t_pvalue"]

_STANDARD_NORMAL = NormalDist()
_erfc = np.frompyfunc(math.erfc, 1, 1)


def critical_value(confidence_level: float) -> float:
    """Two-sided standard normal critical value ``z`` for ``confidence_level``.

    Examples
    --------
    >>> round(critical_value(0.95), 6)
    1.959964
    """
    level = check_confidence_level(confidence_level)
    # from the tail area (1 - level)/2: 0.5 + level/2 rounds away the tail near level 1
    return -_STANDARD_NORMAL.inv_cdf((1.0 - level) / 2.0)


def t_critical_value(
    confidence_level: float, df: NDArray[np.float64] | float
) -> NDArray[np.float64]:
    """Two-sided Student t critical value for ``confidence_level``.

    ``df`` may be non-integer (Welch-Satterthwaite) or ``inf`` (the normal value).

    Examples
    --------
    >>> round(float(t_critical_value(0.95, 10)), 6)
    2.228139
    """
    level = check_confidence_level(confidence_level)
    d = positive_df("df", df)
    # from the tail area (1 - level)/2, which keeps its accuracy near level 1
    out = t_isf((1.0 - level) / 2.0, d)
    over = np.isinf(out) & np.isfinite(d)
    if np.any(over):
        i = int(np.argmax(np.ravel(over)))
        msg = (
            f"`df` is too small for this `confidence_level`: the t quantile exceeds "
            f"float64 (df={float(np.ravel(d)[i])!r}, level={level!r})."
        )
        raise InvalidInputError(msg)
    return out


def normal_pvalue(
    z: float | NDArray[np.float64], alternative: Alternative = "two-sided"
) -> NDArray[np.float64]:
    """P-value of a standard normal statistic ``z`` for the given alternative.

    ``'greater'`` tests that the true difference is above zero, ``'less'`` below.

    Examples
    --------
    >>> round(float(normal_pvalue(1.959963984540054)), 6)
    0.05
    """
    check_option("alternative", alternative, Alternative)
    zz = floats("z", z)
    if alternative == "two-sided":
        arg: NDArray[Any] = np.abs(zz) / math.sqrt(2.0)
        factor = 1.0
    elif alternative == "greater":
        arg, factor = zz / math.sqrt(2.0), 0.5
    else:
        arg, factor = -zz / math.sqrt(2.0), 0.5
    out = np.asarray(_erfc(arg), dtype=np.float64) * factor
    return np.where(np.isnan(zz), np.nan, out)


def t_pvalue(
    t: float | NDArray[np.float64],
    df: float | NDArray[np.float64],
    alternative: Alternative = "two-sided",
) -> NDArray[np.float64]:
    """P-value of a Student t statistic with ``df`` degrees of freedom.

    ``'greater'`` tests that the true difference is above zero, ``'less'`` below.

    Examples
    --------
    >>> round(float(t_pvalue(2.228138852, 10)), 6)
    0.05
    """
    check_option("alternative", alternative, Alternative)
    tt = floats("t", t)
    df = positive_df("df", df)
    if alternative == "two-sided":
        return 2.0 * t_sf(np.abs(tt), df)
    if alternative == "greater":
        return t_sf(tt, df)
    return t_cdf(tt, df)
