r"""The result of every agreement statistic, and the checks they share."""

from __future__ import annotations

import math
import warnings

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import frozen_float, nan_array_eq, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import (
    check_confidence_level,
    check_option,
    check_positive_int,
)
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.stats import ConfidenceInterval, critical_value
from cxmetrics.typing import AgreementLevel, BootstrapInterval, KappaWeighting

__all__ = ["AgreementResult"]


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class AgreementResult(DisplayMixin):
    """Agreement between raters: kappa or alpha, with its uncertainty.

    Attributes
    ----------
    value : float
        Kappa or alpha: 1 for perfect agreement, 0 for agreement at chance level,
        negative below chance; NaN when undefined (a single category used).
    n : int
        Units (interactions, calls, tickets) the value rests on.
    statistic : str
        ``'cohens_kappa'``, ``'fleiss_kappa'`` or ``'krippendorff_alpha'``.
    level : str
        Weighting (``'unweighted'``, ``'linear'``, ``'quadratic'``) or metric
        (``'nominal'``, ``'ordinal'``, ``'interval'``, ``'ratio'``).
    n_raters : int
        Raters (columns) in the data.
    n_categories : int
        Categories (distinct values) on the scale.
    observed, expected : float
        Observed and chance-expected agreement (kappas) or disagreement (alpha).
    n_excluded : int
        Units left out: with a missing rating (kappas, ``nan_policy='omit'``) or
        with fewer than two ratings (alpha: not pairable).
    standard_error : float
        Asymptotic standard error (Cohen's kappa, Fleiss, Cohen & Everitt 1969);
        the bootstrap standard deviation otherwise; NaN without resamples.
    replicates : ndarray
        Bootstrap replicates over units (empty when ``n_resamples=0``).
    confidence_level : float
        Default level of :meth:`confidence_interval` and of the repr.

    Examples
    --------
    >>> from cxmetrics.voice import cohens_kappa
    >>> res = cohens_kappa(["pass", "pass", "fail", "pass"], ["pass", "fail", "fail", "pass"],
    ...                    n_resamples=0)
    >>> res
    cohens_kappa (unweighted) 0.5 (95% CI -0.2 to 1; n=4 units, 2 raters)
    """

    value: float
    n: int
    statistic: str
    level: AgreementLevel | KappaWeighting
    n_raters: int
    n_categories: int
    observed: float
    expected: float
    n_excluded: int = 0
    standard_error: float = math.nan
    replicates: NDArray[np.float64] = attrs.field(
        factory=lambda: np.zeros(0), converter=frozen_float, eq=nan_array_eq
    )
    confidence_level: float = attrs.field(
        default=0.95, converter=check_confidence_level, kw_only=True
    )

    def confidence_interval(
        self,
        confidence_level: float | None = None,
        *,
        method: BootstrapInterval | None = None,
    ) -> ConfidenceInterval:
        """Confidence interval for the agreement, clipped to [-1, 1].

        Parameters
        ----------
        confidence_level : float, optional
            Default: the result's ``confidence_level``.
        method : {'percentile', 'normal'}, optional
            ``'percentile'``: quantiles of the bootstrap replicates (the default
            when there are some); ``'normal'``: ``value ± z * standard_error``.

        Returns
        -------
        ConfidenceInterval

        Examples
        --------
        >>> from cxmetrics.voice import cohens_kappa
        >>> res = cohens_kappa([1, 1, 2, 2, 3, 3], [1, 1, 2, 3, 3, 3], n_resamples=0)
        >>> [round(b, 3) for b in res.confidence_interval(method="normal")]
        [0.324, 1.0]
        """
        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        if method is None:
            method = "percentile" if self.replicates.size else "normal"
        check_option("method", method, BootstrapInterval)
        if method == "percentile":
            reps = self.replicates[np.isfinite(self.replicates)]
            if reps.size == 0:
                msg = "no bootstrap replicates: pass n_resamples > 0, or use method='normal'."
                raise InvalidInputError(msg)
            lo, hi = np.quantile(reps, [(1 - level) / 2, (1 + level) / 2])
            return ConfidenceInterval(float(lo), float(hi))
        z = float(critical_value(level))
        half = z * self.standard_error
        if not math.isfinite(half):  # no standard error: no interval (not [-1, 1])
            return ConfidenceInterval(math.nan, math.nan)
        return ConfidenceInterval(
            max(-1.0, self.value - half), min(1.0, self.value + half)
        )

    def __repr__(self) -> str:
        lo, hi = self.confidence_interval()
        return (
            f"{self.statistic} ({self.level}) {self.value:.4g} "
            f"({100 * self.confidence_level:g}% CI {lo:.3g} to {hi:.3g}; "
            f"n={self.n} units, {self.n_raters} raters)"
        )


def _warn_undefined(what: str) -> None:
    msg = f"{what} is undefined when every rating falls in one category (no chance disagreement); returning NaN."
    warnings.warn(msg, UndefinedMetricWarning, stacklevel=3)


def _complete_units(
    codes: NDArray[np.int64], nan_policy: str, name: str
) -> tuple[NDArray[np.int64], int]:
    missing = codes < 0
    rows = missing.any(axis=1)
    if rows.any() and nan_policy == "raise":
        i, j = np.argwhere(missing)[0]
        msg = (
            f"`{name}` has a missing rating at unit {i}, rater {j} ({int(rows.sum())} "
            "unit(s) with missing ratings); pass nan_policy='omit' to leave those units "
            "out, or use krippendorff_alpha, which allows missing ratings."
        )
        raise InvalidInputError(msg)
    return codes[~rows], int(rows.sum())


def _check_common(n_resamples: int, confidence_level: float) -> tuple[int, float]:
    return (
        check_positive_int("n_resamples", n_resamples, minimum=0),
        check_confidence_level(confidence_level),
    )
