"""Responses needed for a target margin of error of a proportion.

The NPS planner, :func:`cxmetrics.survey.nps_sample_size`, lives with the survey
family; both round with :mod:`cxmetrics._core.sample_size`.
"""

from __future__ import annotations

import math

from cxmetrics._core.sample_size import check_share, real, rounded_up
from cxmetrics._core.validation import check_option, check_positive_int
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.stats._distributions import critical_value

__all__ = ["proportion_sample_size"]


def proportion_sample_size(
    margin: float,
    *,
    proportion: float = 0.5,
    confidence_level: float = 0.95,
    method: str = "wald",
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
    check_option("method", method, ("wald", "wilson", "agresti_coull"))
    e = real("margin", margin)
    if not 0.0 < e < 1.0:
        msg = f"`margin` must lie in (0, 1) (a fraction, not a percentage); got {margin!r}."
        raise InvalidInputError(msg)
    p = check_share("proportion", proportion)
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
    return rounded_up(n0, population, margin)
