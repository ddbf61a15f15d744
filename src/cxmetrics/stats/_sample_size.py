"""Responses needed for a target margin of error."""

from __future__ import annotations

import math

import numpy as np

from cxmetrics._core.validation import check_option, check_positive_int
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.stats._distributions import critical_value
from cxmetrics.typing import NPSSampleSizeMethod, ProportionSampleSizeMethod

__all__ = ["nps_sample_size", "proportion_sample_size"]


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        msg = f"`{name}` must be a number; got {value!r}."
        raise InvalidInputTypeError(msg)
    return float(value)


def _check_share(name: str, value: float) -> float:
    v = _real(name, value)
    if not 0.0 <= v <= 1.0:
        msg = f"`{name}` must lie in [0, 1]; got {value!r}."
        raise InvalidInputError(msg)
    return v


def _finite_population(n0: float, population: int | None) -> float:
    if population is None:
        return n0
    pop = check_positive_int("population", population)
    return n0 / (1.0 + (n0 - 1.0) / pop)


def _rounded_up(n0: float, population: int | None, margin: object) -> int:
    """The size rounded up; a size past float range is refused, not an OverflowError."""
    n = _finite_population(n0, population)
    if not math.isfinite(n):
        msg = (
            f"`margin` {margin!r} is too small: the sample size it needs exceeds "
            "1e308 responses. Use a larger margin."
        )
        raise InvalidInputError(msg)
    return max(1, math.ceil(n - 1e-9))


def proportion_sample_size(
    margin: float,
    *,
    proportion: float = 0.5,
    confidence_level: float = 0.95,
    method: ProportionSampleSizeMethod = "wald",
    population: int | None = None,
) -> int:
    r"""Responses needed so a proportion's interval has half-width ``margin``.

    Parameters
    ----------
    margin : float
        Target half-width (margin of error) as a fraction in (0, 1), e.g. 0.05.
    proportion : float, default 0.5
        Expected proportion; 0.5 is the worst case.
    confidence_level : float, default 0.95
        Coverage in (0, 1).
    method : {'wald', 'wilson', 'agresti_coull'}, default 'wald'
        Interval the margin refers to (Piegorsch 2004, eqs. 5-7).
    population : int, optional
        Finite population size: applies :math:`n = n_0 / (1 + (n_0 - 1)/N)`.

    Returns
    -------
    int
        The sample size, rounded up.

    Notes
    -----
    Wald: :math:`n = z^2 p(1-p)/E^2`. Agresti-Coull: :math:`z^2 p(1-p)/E^2 - z^2`.
    Wilson: :math:`\frac{z^2}{2E^2}\left[p(1-p) - 2E^2 + \sqrt{p^2(1-p)^2 +
    4E^2(p-\tfrac12)^2}\right]`.

    References
    ----------
    .. [1] Piegorsch, W. W. (2004). Sample sizes for improved binomial confidence
       intervals. *Computational Statistics & Data Analysis* 46, 309-316.

    Examples
    --------
    >>> proportion_sample_size(0.05)
    385
    >>> proportion_sample_size(0.05, method="wilson")
    381
    """
    check_option("method", method, ProportionSampleSizeMethod)
    e = _real("margin", margin)
    if not 0.0 < e < 1.0:
        msg = f"`margin` must lie in (0, 1) (a fraction, not a percentage); got {margin!r}."
        raise InvalidInputError(msg)
    p = _check_share("proportion", proportion)
    if population is not None:
        check_positive_int("population", population)
    z = critical_value(confidence_level)
    var = p * (1.0 - p)
    # (z / e)**2 rather than z*z / (e*e): e*e underflows to 0 for tiny margins
    r2 = (z / e) ** 2 if z / e < 1e154 else math.inf
    if method == "wald":
        n0 = r2 * var
    elif method == "agresti_coull":
        n0 = r2 * var - z * z
    else:
        n0 = (
            r2
            / 2
            * (var - 2 * e * e + math.sqrt(var * var + 4 * e * e * (p - 0.5) ** 2))
        )
    return _rounded_up(n0, population, margin)


def nps_sample_size(
    margin: float,
    *,
    promoter_share: float | None = None,
    detractor_share: float | None = None,
    confidence_level: float = 0.95,
    method: NPSSampleSizeMethod = "wald",
    population: int | None = None,
) -> int:
    r"""Responses needed so an NPS interval has half-width ``margin`` NPS points.

    Parameters
    ----------
    margin : float
        Target half-width in NPS points, in (0, 200), e.g. 5 for "plus or minus 5".
    promoter_share, detractor_share : float, optional
        Expected shares. Omit both for the worst case (variance 1, when half the
        answers are promoters and half detractors).
    confidence_level : float, default 0.95
        Coverage in (0, 1).
    method : {'wald', 'adjusted_wald'}, default 'wald'
        ``'adjusted_wald'`` subtracts the 3 pseudo-answers that interval adds.
    population : int, optional
        Finite population size (finite population correction).

    Returns
    -------
    int
        The sample size, rounded up.

    Notes
    -----
    With :math:`V = p_+ + p_- - (p_+ - p_-)^2` (Rocks 2016) and :math:`E` the margin
    on the [-1, 1] scale: :math:`n = z^2 V / E^2` (Wald) or :math:`z^2 V/E^2 - 3`
    (adjusted Wald, inverting its half-width :math:`z\sqrt{V/(n+3)}`).

    Examples
    --------
    >>> nps_sample_size(5)  # worst case, +/- 5 points at 95 %
    1537
    >>> nps_sample_size(5, promoter_share=1/3, detractor_share=1/3)
    1025
    """
    check_option("method", method, NPSSampleSizeMethod)
    e = _real("margin", margin)
    if not 0.0 < e < 200.0:
        msg = f"`margin` must lie in (0, 200) NPS points; got {margin!r}."
        raise InvalidInputError(msg)
    if (promoter_share is None) != (detractor_share is None):
        msg = (
            "give both `promoter_share` and `detractor_share`, or neither (worst case)."
        )
        raise InvalidInputError(msg)
    if promoter_share is None or detractor_share is None:
        var = 1.0
    else:
        pp = _check_share("promoter_share", promoter_share)
        pn = _check_share("detractor_share", detractor_share)
        if pp + pn > 1.0 + 1e-12:
            msg = f"`promoter_share` + `detractor_share` must not exceed 1; got {pp + pn!r}."
            raise InvalidInputError(msg)
        var = pp + pn - (pp - pn) ** 2
    if population is not None:
        check_positive_int("population", population)
    z = critical_value(confidence_level)
    ratio = z * 100.0 / e  # z / (margin as a fraction); never divides by an underflow
    r2 = ratio**2 if ratio < 1e154 else math.inf
    n0 = r2 * var
    if method == "adjusted_wald":
        n0 -= 3.0
    return _rounded_up(n0, population, margin)
