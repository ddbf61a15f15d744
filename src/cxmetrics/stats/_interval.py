"""Confidence intervals for proportions and means, vectorised.

Every function accepts scalars or arrays that broadcast together and returns arrays;
counts may be fractional (``p * n_eff`` for weighted data, where ``n_eff`` is Kish's
effective sample size). Cases with ``n == 0`` give NaN bounds.
"""

from __future__ import annotations

from typing import Any, NamedTuple, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.stats._checks import check_counts, check_nonnegative, floats
from cxmetrics.stats._distributions import critical_value, t_critical_value
from cxmetrics.typing import MeanMethod, ProportionMethod

__all__ = [
    "MEAN_METHODS",
    "PROPORTION_METHODS",
    "ConfidenceInterval",
    "ConfidenceIntervalArray",
    "mean_interval",
    "proportion_interval",
]

PROPORTION_METHODS: tuple[str, ...] = get_args(ProportionMethod)
MEAN_METHODS: tuple[str, ...] = get_args(MeanMethod)


class ConfidenceInterval(NamedTuple):
    """Lower and upper bounds of a confidence interval.

    A tuple, so ``low, high = result.confidence_interval()`` works.

    Examples
    --------
    >>> ci = ConfidenceInterval(0.25, 0.75)
    >>> ci.low, ci.high
    (0.25, 0.75)
    """

    low: float
    high: float


class ConfidenceIntervalArray(NamedTuple):
    """Lower and upper bounds of many confidence intervals (one per group).

    Examples
    --------
    >>> import numpy as np
    >>> ci = ConfidenceIntervalArray(np.array([0.1, 0.2]), np.array([0.3, 0.4]))
    >>> ci.high.tolist()
    [0.3, 0.4]
    """

    low: NDArray[np.float64]
    high: NDArray[np.float64]


def _f(x: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(x, dtype=np.float64)


def proportion_interval(
    count: ArrayLike,
    nobs: ArrayLike,
    confidence_level: float = 0.95,
    *,
    method: ProportionMethod = "wilson",
) -> ConfidenceIntervalArray:
    r"""Two-sided confidence interval for a binomial proportion ``count / nobs``.

    Parameters
    ----------
    count, nobs : array_like of float
        Successes and trials; may be fractional (weighted data use
        ``p * n_eff`` and ``n_eff``). Broadcast together.
    confidence_level : float, default 0.95
        Coverage in (0, 1).
    method : {'wilson', 'agresti_coull', 'wald', 'jeffreys', 'clopper_pearson'}
        ``'jeffreys'`` and ``'clopper_pearson'`` need scipy (the ``stats`` extra).

    Returns
    -------
    ConfidenceIntervalArray
        Bounds in [0, 1]; NaN where ``nobs == 0`` or an input is NaN.

    Raises
    ------
    InvalidInputError
        A negative count or ``nobs``, ``count > nobs``, or an infinite ``nobs``.

    Notes
    -----
    With :math:`\hat p = x/n` and :math:`z` the normal critical value:

    * Wilson (1927) score interval:
      :math:`\frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}`.
    * Agresti & Coull (1998): Wald on :math:`\tilde p = (x + z^2/2)/(n + z^2)` with
      :math:`\tilde n = n + z^2`.
    * Wald: :math:`\hat p \pm z\sqrt{\hat p(1-\hat p)/n}`.
    * Jeffreys: equal-tailed quantiles of :math:`\mathrm{Beta}(x+\tfrac12, n-x+\tfrac12)`
      (Brown, Cai & DasGupta 2001).
    * Clopper & Pearson (1934): quantiles of :math:`\mathrm{Beta}(x, n-x+1)` and
      :math:`\mathrm{Beta}(x+1, n-x)`, with 0 at :math:`x=0` and 1 at :math:`x=n`.

    Wilson, Agresti-Coull and Wald bounds are clipped to [0, 1], as statsmodels'
    ``proportion_confint`` does, which these functions match to rounding.

    References
    ----------
    .. [1] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a
       binomial proportion. *Statistical Science* 16(2), 101-133.
    .. [2] Agresti, A. & Coull, B. A. (1998). Approximate is better than "exact" for
       interval estimation of binomial proportions. *The American Statistician* 52(2).

    Examples
    --------
    >>> ci = proportion_interval(7, 10)
    >>> [round(float(b), 4) for b in ci]
    [0.3968, 0.8922]
    """
    check_option("method", method, ProportionMethod)
    x = floats("count", count)
    n = floats("nobs", nobs)
    x, n = np.broadcast_arrays(x, n)
    # NaN (an undefined group, e.g. one suppressed by min_n) passes and gives NaN
    check_counts({"count": x}, "nobs", n)
    valid = n > 0
    safe_n = np.where(valid, n, 1.0)
    p = np.where(valid, x / safe_n, np.nan)
    z = critical_value(confidence_level)
    alpha = 1.0 - confidence_level
    low: NDArray[Any]
    high: NDArray[Any]
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "wald":
            half = z * np.sqrt(p * (1.0 - p) / safe_n)
            low, high = p - half, p + half
        elif method == "agresti_coull":
            n_t = safe_n + z * z
            p_t = (x + z * z / 2.0) / n_t
            half = z * np.sqrt(p_t * (1.0 - p_t) / n_t)
            low, high = p_t - half, p_t + half
        elif method == "wilson":
            z2 = z * z
            # the textbook form times n/n: no overflow for tiny (weighted) n
            denom = safe_n + z2
            centre = (x + z2 / 2.0) / denom
            half = z * np.sqrt(x * (1.0 - p) + z2 / 4.0) / denom
            # exact at the edges: the Wilson bound is 0 at x = 0 and 1 at x = n
            low = np.where(p == 0.0, 0.0, centre - half)
            high = np.where(p == 1.0, 1.0, centre + half)
        else:
            stats = require("scipy.stats", feature=f"method={method!r}")
            if method == "jeffreys":
                low = stats.beta.ppf(alpha / 2.0, x + 0.5, n - x + 0.5)
                high = stats.beta.isf(alpha / 2.0, x + 0.5, n - x + 0.5)
            else:  # clopper_pearson
                low = np.where(x > 0, stats.beta.ppf(alpha / 2.0, x, n - x + 1.0), 0.0)
                high = np.where(x < n, stats.beta.isf(alpha / 2.0, x + 1.0, n - x), 1.0)
        low = np.clip(np.asarray(low, dtype=np.float64), 0.0, 1.0)
        high = np.clip(np.asarray(high, dtype=np.float64), 0.0, 1.0)
    nan = ~valid | np.isnan(p)
    return ConfidenceIntervalArray(
        np.where(nan, np.nan, low), np.where(nan, np.nan, high)
    )


def mean_interval(
    mean: ArrayLike,
    standard_error: ArrayLike,
    confidence_level: float = 0.95,
    *,
    method: MeanMethod = "t",
    df: ArrayLike | None = None,
) -> ConfidenceIntervalArray:
    r"""Confidence interval :math:`\bar x \pm c\,\mathrm{SE}` for a mean.

    Parameters
    ----------
    mean, standard_error : array_like of float
        Estimates and their standard errors.
    confidence_level : float, default 0.95
        Coverage in (0, 1).
    method : {'t', 'normal'}, default 't'
        ``'t'`` uses Student's t with ``df`` degrees of freedom; ``'normal'`` the
        standard normal. Neither needs scipy.
    df : array_like of float, optional
        Degrees of freedom for ``'t'`` (``n_eff - 1`` for a sample mean).

    Returns
    -------
    ConfidenceIntervalArray
        NaN where the standard error is NaN, or ``df == 0`` for ``'t'`` (fewer than
        two answers).

    Raises
    ------
    InvalidInputError
        A negative standard error or ``df``.

    Examples
    --------
    >>> ci = mean_interval(5.0, 0.5, method="normal")
    >>> [round(float(b), 4) for b in ci]
    [4.02, 5.98]
    """
    check_option("method", method, MeanMethod)
    m = floats("mean", mean)
    se = floats("standard_error", standard_error)
    check_nonnegative("standard_error", se)
    if method == "normal":
        crit: NDArray[Any] = np.asarray(critical_value(confidence_level))
    else:
        if df is None:
            msg = (
                "`df` is required for method='t'; got None. Pass the degrees of "
                "freedom (n_eff - 1 for a sample mean) or method='normal'."
            )
            raise InvalidInputTypeError(msg)
        d = floats("df", df)
        check_nonnegative("df", np.where(np.isposinf(d), 0.0, d))
        with np.errstate(invalid="ignore"):
            crit = t_critical_value(confidence_level, np.where(d > 0, d, np.nan))
    with np.errstate(over="ignore", invalid="ignore"):
        half = crit * se
    wide = np.isinf(half) & np.isfinite(se)
    if wide.any():
        i = int(np.argmax(wide.ravel()))
        msg = (
            f"`standard_error` is too large for a float64 interval; got "
            f"{float(np.broadcast_to(se, wide.shape).ravel()[i])!r}"
            f"{'' if not wide.ndim else f' at index {i}'}."
        )
        raise InvalidInputError(msg)
    return ConfidenceIntervalArray(m - half, m + half)
