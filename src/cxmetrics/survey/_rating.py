r"""What CSAT and CES share: a rating scale summarised by a share or a mean.

Both report the share of "positive" answers (satisfied for CSAT, easy for CES)
and the mean answer; ``definition`` picks which is the headline ``value``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, ClassVar, Protocol, TypeAlias, TypeVar, cast

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.result import GroupedResult, grouped_result, shared
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.stats import (
    CI,
    ConfidenceInterval,
    ConfidenceIntervalArray,
    IntervalMethods,
    mean_interval,
    proportion_interval,
)
from cxmetrics.survey._options import check_compute_options
from cxmetrics.survey._summary import ScaleSummary
from cxmetrics.typing import MeanMethod, ProportionMethod, RatingDefinition

__all__ = [
    "GROUPED_RATING",
    "RATING_BLANK",
    "Definition",
    "GroupedRatingResult",
    "RatingResult",
    "RatingState",
    "rating_columns",
]

Definition: TypeAlias = RatingDefinition
_T = TypeVar("_T")

RATING_BLANK = (
    "value",
    "positive",
    "positive_share",
    "mean",
    "std",
    "standard_error",
    "counts",
)


def rating_columns(
    counts: NDArray[np.int64],
    wsum: NDArray[np.float64] | None,
    w2sum: NDArray[np.float64] | None,
    n_missing: NDArray[np.int64] | int,
    low: int,
    positive: tuple[int, int],
    definition: str,
) -> dict[str, NDArray[Any]]:
    """Columns of a rating result (vectorised over groups)."""
    check_option("definition", definition, RatingDefinition)
    s = ScaleSummary(counts, wsum, w2sum, low)
    share = s.share(*positive)
    mean = s.mean()
    var = s.variance()
    with np.errstate(invalid="ignore", divide="ignore"):
        se_share = np.sqrt(share * (1.0 - share) / s.effective_n)
        se_mean = np.sqrt(var / s.effective_n)
    return {
        "value": share if definition == "share" else mean,
        "n": s.n,
        "positive": s.count(*positive),
        "n_missing": np.asarray(n_missing, dtype=np.int64),
        "effective_n": s.effective_n,
        "positive_share": share,
        "mean": mean,
        "std": np.sqrt(var),
        "standard_error": np.where(
            s.defined, se_share if definition == "share" else se_mean, np.nan
        ),
        "counts": counts,
    }


class _Rated(Protocol):
    """What :class:`RatingState` needs from the survey state it is mixed into."""

    @property
    def histogram(self) -> tuple[Any, Any, Any, Any]: ...  # pragma: no cover

    @property
    def scheme(self) -> Any: ...  # pragma: no cover

    _positive: ClassVar[tuple[str, str]]

    def _finish(
        self, result: Callable[..., _T], *args: Any, **kwargs: Any
    ) -> _T: ...  # pragma: no cover


class RatingState:
    """``compute`` of the CSAT and CES states (scalar and grouped), written once.

    A state names its "positive" answers by the scheme fields of their bounds
    (``_positive``, e.g. ``("satisfied_min", "high")``); each ``compute`` keeps
    its own signature (the default ``definition`` differs) and calls ``_rate``.
    """

    __slots__ = ()

    _positive: ClassVar[tuple[str, str]]

    def _rate(
        self: _Rated,
        result: Callable[..., _T],
        definition: str,
        min_n: int,
        small_groups: str,
    ) -> _T:
        check_compute_options(min_n, small_groups, definition)
        counts, wsum, w2sum, n_missing = self.histogram
        low, high = (getattr(self.scheme, name) for name in self._positive)
        cols = rating_columns(
            counts, wsum, w2sum, n_missing, self.scheme.low, (low, high), definition
        )
        return self._finish(
            result,
            cols,
            RATING_BLANK,
            min_n,
            small_groups,
            definition=definition,
            depth=1,
        )


class _RatingMethods(IntervalMethods[CI]):
    """The intervals of a rating result, written once for the scalar and grouped result."""

    __slots__ = ()
    definition: str
    scheme: Any
    positive_share: Any
    mean: Any
    std: Any
    effective_n: Any

    def _share_ci(
        self, confidence_level: float, method: ProportionMethod
    ) -> ConfidenceIntervalArray:
        check_option("method", method, ProportionMethod)
        share = np.asarray(self.positive_share, dtype=np.float64)
        # a suppressed (or empty) group has no share: its interval is NaN
        ne = np.where(np.isnan(share), 0.0, np.asarray(self.effective_n, np.float64))
        return proportion_interval(
            np.where(ne > 0, share * ne, 0.0), ne, confidence_level, method=method
        )

    def _mean_ci(
        self, confidence_level: float, method: MeanMethod
    ) -> ConfidenceIntervalArray:
        check_option("method", method, MeanMethod)
        ne = np.asarray(self.effective_n, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.asarray(self.std) / np.sqrt(ne)
        # a group with no answers has no degrees of freedom (NaN, not -1: the
        # building block refuses a negative df)
        df = np.where(ne > 0, ne - 1.0, np.nan)
        ci = mean_interval(self.mean, se, confidence_level, method=method, df=df)
        lone = np.isfinite(np.asarray(self.mean, dtype=np.float64)) & np.isnan(ci.low)
        if lone.any():
            # a mean of one answer has no spread to estimate: say why it is NaN
            warnings.warn(
                f"the interval of the mean is undefined for {int(np.count_nonzero(lone))} "
                "result(s) resting on a single answer (no variance to estimate); "
                "returning NaN.",
                UndefinedMetricWarning,
                stacklevel=4,
            )
        # a mean of answers cannot leave the answer scale
        low, high = float(self.scheme.low), float(self.scheme.high)
        return ConfidenceIntervalArray(
            np.clip(ci.low, low, high), np.clip(ci.high, low, high)
        )

    def confidence_interval(
        self,
        confidence_level: float = 0.95,
        *,
        method: ProportionMethod | MeanMethod | None = None,
    ) -> CI:
        """Two-sided confidence interval for ``value``.

        Parameters
        ----------
        confidence_level : float, default 0.95
            Coverage in (0, 1).
        method : str, optional
            For ``definition='share'``: ``'wilson'`` (default), ``'agresti_coull'``,
            ``'wald'``, ``'jeffreys'``, ``'clopper_pearson'`` (the last two need
            scipy). For ``'mean'``: ``'t'`` (default) or ``'normal'``; mean
            intervals are clipped to the answer scale.

        Returns
        -------
        ConfidenceInterval or ConfidenceIntervalArray
            In the unit of ``value`` (arrays over the groups of a grouped
            result); weighted results use the effective n.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> low, high = cx.csat([5, 4, 4, 2, 5, 3, 5, 4, 1, 5]).confidence_interval()
        >>> round(low, 4), round(high, 4)
        (0.3968, 0.8922)
        """
        if self.definition == "share":
            ci = self._share_ci(
                confidence_level, cast("ProportionMethod", method or "wilson")
            )
        else:
            ci = self._mean_ci(confidence_level, cast("MeanMethod", method or "t"))
        return self._bounds(ci.low, ci.high)

    def share_interval(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> CI:
        """Confidence interval for ``positive_share``, whatever the definition.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> low, high = cx.ces([7, 6, 2, 5]).share_interval(method="wald")
        >>> round(low, 4), round(high, 4)
        (0.3257, 1.0)
        """
        return self._bounds(*self._share_ci(confidence_level, method))

    def mean_interval(
        self, confidence_level: float = 0.95, *, method: MeanMethod = "t"
    ) -> CI:
        """Confidence interval for ``mean``, whatever the definition.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> low, high = cx.ces([7, 6, 2, 5]).mean_interval(method="normal")
        >>> round(low, 3), round(high, 3)
        (2.883, 7.0)
        """
        return self._bounds(*self._mean_ci(confidence_level, method))


@attrs.frozen(field_transformer=nan_equal_fields)
class RatingResult(DisplayMixin, _RatingMethods[ConfidenceInterval]):
    r"""Base of :class:`CSATResult` and :class:`CESResult`.

    Attributes
    ----------
    value : float
        The headline: ``positive_share`` (a fraction in [0, 1]) when
        ``definition == 'share'``, ``mean`` (on the answer scale) when ``'mean'``.
        NaN without answers.
    n : int
        Answers counted.
    positive : int
        Answers in the positive range (unweighted count).
    n_missing : int
        Missing answers omitted.
    effective_n : float
        Kish's effective sample size (``n`` without weights).
    positive_share : float
        (Weighted) share of positive answers, in [0, 1].
    mean : float
        (Weighted) mean answer.
    std : float
        Sample standard deviation of the answers (ddof 1 on the effective n).
    standard_error : float
        Standard error of ``value``.
    counts : tuple of int
        Answers per scale point.
    definition : {'share', 'mean'}
        Which statistic ``value`` is.
    scheme : scheme
        The scale used.
    weighted : bool
        Whether survey weights were applied.
    """

    value: float
    n: int
    positive: int
    n_missing: int
    effective_n: float
    positive_share: float
    mean: float
    std: float
    standard_error: float
    counts: tuple[int, ...]
    definition: RatingDefinition = shared()
    scheme: Any = shared()
    weighted: bool = shared()
    flagged: bool = False

    def _label(self) -> str:
        return type(self).__name__.removesuffix("Result")

    def __str__(self) -> str:
        what = "mean" if self.definition == "mean" else "share"
        if math.isnan(self.value):
            why = (
                f"fewer than min_n answers (n={self.n})"
                if self.flagged
                else f"n={self.n}"
            )
            return f"{self._label()} {what} undefined ({why})"
        low, high = self.confidence_interval()
        return f"{self._label()} {what} {self.value:.3f} (95% CI {low:.3f} to {high:.3f}; n={self.n})"


_R = TypeVar("_R", bound=RatingResult)

#: how a grouped rating result is generated from its scalar result (CSAT, CES)
GROUPED_RATING: dict[str, Any] = {
    "table": (
        "value",
        "n",
        "standard_error",
        "positive_share",
        "mean",
        "n_missing",
        "flagged",
    ),
    "ci_columns": True,
}


@grouped_result(RatingResult, **GROUPED_RATING)
class GroupedRatingResult(GroupedResult[_R], _RatingMethods[ConfidenceIntervalArray]):
    """Base of the grouped CSAT and CES results: arrays over ``keys``.

    Each is generated from its scalar result by
    ``grouped_result(CSATResult, **GROUPED_RATING)``.
    """

    definition: RatingDefinition
    scheme: Any
    weighted: bool
