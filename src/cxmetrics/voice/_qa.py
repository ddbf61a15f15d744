r"""QA scorecards: weighted rubric scores with not-applicable items and auto-fail items.

A quality-assurance evaluation scores each item of a rubric (greeting,
verification, resolution, tone...). Items that do not apply to the interaction
leave both the numerator and the denominator; a missed critical item
(compliance, data protection) fails the whole evaluation, as QA tools compute
an internal quality score.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import (
    _object_to_float,
    check_confidence_level,
    flags_1d,
    group_index,
    numeric_1d,
)
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)
from cxmetrics.stats import ConfidenceInterval, mean_interval
from cxmetrics.typing import MeanMethod
from cxmetrics.voice._shrinkage import ShrinkageResult, james_stein

__all__ = ["QAScoreResult", "qa_scores"]

#: text that means "not applicable" in QA exports (compared in lower case)
_NOT_APPLICABLE = frozenset({"", "n/a", "na", "not applicable", "-"})


def _frozen_bool(x: ArrayLike) -> NDArray[np.bool_]:
    arr = np.array(x, dtype=bool)
    arr.setflags(write=False)
    return arr


@attrs.frozen(eq=True, repr=False, field_transformer=nan_equal_fields)
class QAScoreResult(DisplayMixin):
    r"""QA scores of evaluations and their mean.

    Attributes
    ----------
    value : float
        Mean score of the scored evaluations, in [0, 1]; NaN if none was scored.
    n : int
        Evaluations with a score (at least one applicable item).
    scores : ndarray of float, shape (n_evaluations,)
        Score of each evaluation in [0, 1] (0 when auto-failed, NaN when every
        item was not applicable).
    auto_failed : ndarray of bool, shape (n_evaluations,)
        Evaluations failed by a critical item.
    n_auto_failed : int
    n_not_scored : int
        Evaluations with every item not applicable (left out of ``value``).
    standard_error : float
        Standard error of ``value`` (sample standard deviation over :math:`\sqrt n`).
    confidence_level : float

    Examples
    --------
    >>> res = qa_scores([[2, 1, 1], [2, None, 0], [1, 1, 1]], [2, 1, 1],
    ...                 critical=[False, False, True])
    >>> res.scores.round(3).tolist(), res.auto_failed.tolist()
    ([1.0, 0.0, 0.75], [False, True, False])
    """

    value: float
    n: int
    scores: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    auto_failed: NDArray[np.bool_] = attrs.field(converter=_frozen_bool, eq=array_eq)
    n_auto_failed: int
    n_not_scored: int
    standard_error: float
    confidence_level: float = attrs.field(
        default=0.95, converter=check_confidence_level, kw_only=True
    )

    def confidence_interval(
        self, confidence_level: float | None = None, *, method: MeanMethod = "t"
    ) -> ConfidenceInterval:
        """Interval for the mean score (Student t by default), clipped to [0, 1].

        Parameters
        ----------
        confidence_level : float, optional
            Default: the result's ``confidence_level``.
        method : {'t', 'normal'}, default 't'

        Returns
        -------
        ConfidenceInterval

        Examples
        --------
        >>> res = qa_scores([[1, 1], [1, 0], [0, 1], [1, 1]], [1, 1])
        >>> [round(b, 3) for b in res.confidence_interval()]
        [0.291, 1.0]
        """
        level = self.confidence_level if confidence_level is None else confidence_level
        ci = mean_interval(
            self.value, self.standard_error, level, method=method, df=max(self.n - 1, 0)
        )
        low, high = float(ci.low), float(ci.high)
        if math.isnan(low) or math.isnan(high):  # fewer than two scores: no interval
            return ConfidenceInterval(math.nan, math.nan)
        return ConfidenceInterval(max(0.0, low), min(1.0, high))

    def shrink(
        self, agents: ArrayLike, *, confidence_level: float | None = None
    ) -> ShrinkageResult:
        """James-Stein shrinkage of each agent's mean QA score (at least 4 agents).

        Each agent's variance is the pooled within-agent variance of the scores
        over its number of scored evaluations (see :func:`james_stein`).

        Parameters
        ----------
        agents : array_like, shape (n_evaluations,)
            Agent of each evaluation.
        confidence_level : float, optional
            Default: the result's ``confidence_level``.

        Returns
        -------
        ShrinkageResult

        Examples
        --------
        >>> rows = [[4, 5], [5, 5], [2, 3], [1, 2], [5, 4], [4, 4], [3, 3], [2, 4], [5, 5]]
        >>> res = qa_scores(rows, [5, 5])
        >>> s = res.shrink(["ana", "ana", "ben", "ben", "cy", "cy", "dee", "dee", "ana"])
        >>> s.keys.tolist(), s.raw.round(3).tolist()
        (['ana', 'ben', 'cy', 'dee'], [0.967, 0.4, 0.85, 0.6])
        >>> s.value.round(3).tolist()
        [0.964, 0.405, 0.848, 0.602]
        """
        level = self.confidence_level if confidence_level is None else confidence_level
        scored = np.isfinite(self.scores)
        idx = group_index(agents, self.scores.shape[0], name="agents", like="scores")
        codes = (np.asarray(idx.source) - idx.offset)[scored]
        x = self.scores[scored]
        g = idx.labels.shape[0]
        count = np.bincount(codes, minlength=g).astype(float)
        present = count > 0
        total = np.bincount(codes, weights=x, minlength=g)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count
        resid = x - mean[codes]
        dof = x.shape[0] - int(present.sum())
        if dof < 1:
            msg = "`agents` must have at least one agent with two scored evaluations to estimate the within-agent variance."
            raise InvalidInputError(msg)
        within = float(resid @ resid) / dof
        if within <= 0:
            msg = "every agent's scores are constant: there is no within-agent variance to shrink against."
            raise InvalidInputError(msg)
        return james_stein(
            mean[present],
            within / count[present],
            keys=idx.labels[present],
            confidence_level=level,
        )

    def __repr__(self) -> str:
        lo, hi = self.confidence_interval()
        return (
            f"QA score {self.value:.4g} ({100 * self.confidence_level:g}% CI {lo:.3g} to "
            f"{hi:.3g}; n={self.n} evaluations, {self.n_auto_failed} auto-failed, "
            f"{self.n_not_scored} not scored)"
        )


def _item_scores(scores: ArrayLike) -> NDArray[np.float64]:
    """Points per evaluation x item, NaN where not applicable."""
    try:
        arr = np.asarray(scores)
    except ValueError as err:  # ragged rows
        msg = f"`scores` must be a table with the same items in every row ({err})."
        raise InvalidInputError(msg) from None
    if arr.ndim != 2:
        msg = f"`scores` must be 2-D (one row per evaluation, one column per item); got shape {arr.shape}."
        raise InvalidInputError(msg)
    if arr.dtype.kind in "OU":
        obj = arr.astype(object)
        na = np.frompyfunc(
            lambda v: isinstance(v, str) and v.strip().lower() in _NOT_APPLICABLE, 1, 1
        )(obj).astype(bool)
        obj[na] = None

        def _number(v: Any) -> Any:
            if isinstance(v, str):
                try:
                    return float(v)
                except ValueError:
                    return v
            return v

        obj = np.frompyfunc(_number, 1, 1)(obj)
        return _object_to_float(obj.ravel(), "scores").reshape(arr.shape)
    if arr.dtype.kind not in "biuf":
        msg = f"`scores` must be numbers (or 'N/A'); got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    return arr.astype(np.float64)


def qa_scores(
    scores: ArrayLike,
    max_points: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    critical: ArrayLike | None = None,
    confidence_level: float = 0.95,
) -> QAScoreResult:
    r"""Rubric (QA scorecard) scores with not-applicable items and auto-fail items.

    Parameters
    ----------
    scores : array_like, shape (n_evaluations, n_items)
        Points awarded per item; None, NaN, blank or ``'N/A'`` where the item
        does not apply (left out of numerator and denominator).
    max_points : array_like of float, shape (n_items,)
        Points available per item (positive).
    weights : array_like of float, shape (n_items,), optional
        Weight of each item; default ``max_points`` (the score is points earned
        over points available).
    critical : array_like of bool, shape (n_items,), optional
        Critical (auto-fail) items: an applicable critical item scored below its
        maximum sets the evaluation's score to 0.
    confidence_level : float, default 0.95

    Returns
    -------
    QAScoreResult
        Scores in [0, 1].

    Raises
    ------
    InvalidInputError
        Points outside ``[0, max_points]`` (with evaluation and item), lengths
        that differ, non-positive ``max_points``, negative weights.

    Warns
    -----
    UndefinedMetricWarning
        No evaluation has an applicable item: NaN.

    Notes
    -----
    Evaluation :math:`e` with applicable items :math:`A_e` scores

    $$ s_e = \frac{\sum_{j \in A_e} w_j\, x_{ej} / m_j}{\sum_{j \in A_e} w_j} $$

    (:math:`m_j` the item's maximum), or 0 when a critical item in :math:`A_e`
    has :math:`x_{ej} < m_j`. With the default :math:`w_j = m_j` this is points
    earned over points available, the internal quality score of QA tools.

    Examples
    --------
    Four items worth 10, 10, 20 and 5 points; "compliance" (the last) is critical:

    >>> rows = [[10, 5, 20, 5], [10, "N/A", 15, 5], [0, 10, 20, 0]]
    >>> res = qa_scores(rows, [10, 10, 20, 5], critical=[False, False, False, True])
    >>> res.scores.round(3).tolist()
    [0.889, 0.857, 0.0]
    >>> round(res.value, 3), res.n_auto_failed
    (0.582, 1)
    """
    level = check_confidence_level(confidence_level)
    x = _item_scores(scores)
    n_eval, p = x.shape
    top = numeric_1d(max_points, "max_points").astype(np.float64)
    if top.shape[0] != p:
        msg = f"`max_points` must have one value per item of `scores` ({p}); got {top.shape[0]}."
        raise InvalidInputError(msg)
    bad = ~(top > 0) | ~np.isfinite(top)
    if bad.any():
        j = int(np.argmax(bad))
        msg = f"`max_points` must be positive; got {float(top[j])!r} at item {j}."
        raise InvalidInputError(msg)
    if weights is None:
        w = top
    else:
        w = numeric_1d(weights, "weights").astype(np.float64)
        if w.shape[0] != p:
            msg = f"`weights` must have one value per item of `scores` ({p}); got {w.shape[0]}."
            raise InvalidInputError(msg)
        badw = ~(w >= 0) | ~np.isfinite(w)
        if badw.any():
            j = int(np.argmax(badw))
            msg = f"`weights` must be finite and non-negative; got {float(w[j])!r} at item {j}."
            raise InvalidInputError(msg)
    crit = (
        np.zeros(p, dtype=bool) if critical is None else flags_1d(critical, "critical")
    )
    if crit.shape[0] != p:
        msg = f"`critical` must have one flag per item of `scores` ({p}); got {crit.shape[0]}."
        raise InvalidInputError(msg)
    applicable = np.isfinite(x)
    out = applicable & ((x < 0) | (x > top))
    if out.any():
        e, j = np.argwhere(out)[0]
        msg = (
            f"`scores` must lie in [0, max_points]; got {float(x[e, j])!r} at evaluation "
            f"{e}, item {j} (max {float(top[j])!r}; {int(out.sum())} such score(s))."
        )
        raise InvalidInputError(msg)
    filled = np.where(applicable, x / top, 0.0)
    num = filled @ w
    den = applicable.astype(float) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(den > 0, num / den, np.nan)
    failed = (applicable & crit & (np.where(applicable, x, top) < top)).any(axis=1)
    per = np.where(failed, 0.0, per)
    scored = np.isfinite(per)
    n = int(scored.sum())
    if n == 0:
        warnings.warn(
            "QA score is undefined: no evaluation has an applicable item; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        value, se = math.nan, math.nan
    else:
        value = float(per[scored].mean())
        se = float(per[scored].std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return QAScoreResult(
        value,
        n,
        per,
        failed,
        int(failed.sum()),
        n_eval - n,
        se,
        confidence_level=level,
    )
