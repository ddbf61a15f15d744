"""Responses needed for a target margin of error of NPS, in NPS points."""

from __future__ import annotations

import math

from cxmetrics._core.sample_size import check_share, real, rounded_up
from cxmetrics._core.validation import check_option, check_positive_int
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.stats import critical_value

__all__ = ["nps_sample_size"]


def nps_sample_size(
    margin: float,
    *,
    promoter_share: float | None = None,
    detractor_share: float | None = None,
    confidence_level: float = 0.95,
    method: str = "wald",
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
    check_option("method", method, ("wald", "adjusted_wald"))
    e = real("margin", margin)
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
        pp = check_share("promoter_share", promoter_share)
        pn = check_share("detractor_share", detractor_share)
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
    return rounded_up(n0, population, margin)
