"""Customer Effort Score (CES): state, results and the front door ``ces``."""

from __future__ import annotations

from typing import ClassVar, overload

import attrs
from numpy.typing import ArrayLike

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.result import grouped_result
from cxmetrics.survey._rating import (
    GROUPED_RATING,
    Definition,
    GroupedRatingResult,
    RatingResult,
    RatingState,
)
from cxmetrics.survey._scheme import CESScheme
from cxmetrics.survey._state import GroupedScaleState, ScaleState, score_state
from cxmetrics.typing import NanPolicy, SmallGroupPolicy

__all__ = ["CESResult", "CESState", "GroupedCESResult", "GroupedCESState", "ces"]


@attrs.frozen(field_transformer=nan_equal_fields)
class CESResult(RatingResult):
    """Customer Effort Score of a set of answers (see :class:`RatingResult` fields).

    ``positive`` / ``positive_share`` are the "easy" answers (also ``easy`` /
    ``easy_share``): 5-7 on the CES 2.0 scale, 1-2 on the original 1-5 scale.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.ces([7, 6, 5, 3, 2])
    >>> res.value, res.easy_share
    (4.6, 0.6)
    """

    @property
    def easy(self) -> int:
        """Answers meaning low effort, unweighted."""
        return self.positive

    @property
    def easy_share(self) -> float:
        """(Weighted) share of answers meaning low effort, in [0, 1]."""
        return self.positive_share


@grouped_result(CESResult, **GROUPED_RATING)
class GroupedCESResult(GroupedRatingResult[CESResult]):
    """CES per group: :class:`CESResult` fields as arrays over ``keys``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.ces([7, 5, 1, 3], by=["a", "a", "b", "b"]).value.tolist()
    [6.0, 2.0]
    """


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class CESState(RatingState, ScaleState[CESScheme]):
    """Mergeable state of CES answers (histogram over the scale).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.CESState.from_responses([7, 5]) + cx.CESState.from_responses([3])
    >>> s.compute().value
    5.0
    """

    _default_scheme: ClassVar[type[CESScheme]] = CESScheme
    _metric = "CES"
    _positive = ("easy_min", "easy_max")

    def compute(
        self,
        *,
        definition: Definition = "mean",
        min_n: int = 0,
        small_groups: SmallGroupPolicy = "suppress",
    ) -> CESResult:
        """The :class:`CESResult`; ``definition`` picks mean (default) or share."""
        return self._rate(CESResult, definition, min_n, small_groups)


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class GroupedCESState(RatingState, GroupedScaleState[CESScheme]):
    """Mergeable per-group state of CES answers.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.GroupedCESState.from_responses([7, 1], by=[1, 2]).compute().value.tolist()
    [7.0, 1.0]
    """

    _default_scheme: ClassVar[type[CESScheme]] = CESScheme
    _metric = "CES"
    _positive = ("easy_min", "easy_max")
    _scalar: ClassVar[type[CESState]] = CESState

    def compute(
        self,
        *,
        definition: Definition = "mean",
        min_n: int = 0,
        small_groups: SmallGroupPolicy = "suppress",
    ) -> GroupedCESResult:
        """The :class:`GroupedCESResult`; small groups flagged or suppressed."""
        return self._rate(GroupedCESResult, definition, min_n, small_groups)


@overload
def ces(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = ...,
    by: None = ...,
    levels: None = ...,
    scheme: CESScheme = ...,
    definition: Definition = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> CESResult: ...
@overload
def ces(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = ...,
    by: ArrayLike,
    levels: ArrayLike | None = ...,
    scheme: CESScheme = ...,
    definition: Definition = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> GroupedCESResult: ...
def ces(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    by: ArrayLike | None = None,
    levels: ArrayLike | None = None,
    scheme: CESScheme = CESScheme(),  # noqa: B008  (frozen, immutable)
    definition: Definition = "mean",
    nan_policy: NanPolicy = "raise",
    min_n: int = 0,
    small_groups: SmallGroupPolicy = "suppress",
) -> CESResult | GroupedCESResult:
    r"""Customer Effort Score: mean answer and share of "easy" answers.

    Parameters
    ----------
    responses : array_like of int or str, shape (n,)
        Answers on the scheme's scale; NaN/None are missing.
        Numbers stored as text (``"9"``, ``" 9 "``), ``"10 - Extremely likely"`` style
        answers (the leading number is the scale point) and the scheme's
        ``labels`` are read too, each distinct text once; an unknown text is an
        error listing the unknown texts; ``""`` is missing.
    weights : array_like of float, shape (n,), optional
        Non-negative survey weights (Kish effective n in the intervals).
    by : array_like, shape (n,), optional
        Group key per answer: returns a :class:`GroupedCESResult`.
    levels : array_like, optional
        With ``by``: every group to report, in order.
    scheme : CESScheme, default CESScheme() (CES 2.0)
        CES 2.0: 1-7 agreement with "the company made it easy for me to handle my
        issue"; **higher is better**; 5-7 ("somewhat agree" or more) is easy.
        ``CESScheme.ces1()``: the original 1-5 effort question ("how much effort
        did you personally have to put forth"); **lower is better**; 1-2 is easy.
    definition : {'mean', 'share'}, default 'mean'
        ``'mean'``: mean answer, on the scale. ``'share'``: share of easy answers,
        a fraction in [0, 1].
    nan_policy : {'raise', 'omit'}, default 'raise'
        Missing answers raise, or are omitted and counted in ``n_missing``.
    min_n, small_groups
        Minimum answers per group, as in :func:`nps`.

    Returns
    -------
    CESResult or GroupedCESResult
        ``value``, ``n``, ``mean``, ``easy_share``, ``standard_error``,
        ``confidence_interval()`` (t interval for the mean by default).

    Raises
    ------
    InvalidInputError, MissingValueError, InvalidInputTypeError
        As for :func:`nps`.

    Notes
    -----
    Mean :math:`\bar x = \sum w x / \sum w`, standard error :math:`s/\sqrt{n}` with
    the sample standard deviation :math:`s`; share of easy answers
    :math:`\#\{x \in E\}/n`, standard error :math:`\sqrt{p(1-p)/n}`.

    References
    ----------
    .. [1] Dixon, M., Freeman, K. & Toman, N. (2010). Stop trying to delight your
       customers. *Harvard Business Review* 88(7/8), 116-122. (CES 1.0)
    .. [2] Dixon, M., Toman, N. & DeLisi, R. (2013). *The Effortless Experience*.
       New York: Portfolio/Penguin. (CES 2.0)

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.ces([7, 6, 6, 5, 5, 4, 3, 7, 6, 2])
    >>> res.value, res.easy_share
    (5.1, 0.7)
    >>> cx.ces([1, 2, 2, 4, 5], scheme=cx.CESScheme.ces1(), definition="share").value
    0.6
    """
    state = score_state(
        CESState,
        GroupedCESState,
        responses,
        weights=weights,
        by=by,
        levels=levels,
        scheme=scheme,
        nan_policy=nan_policy,
        min_n=min_n,
        small_groups=small_groups,
        definition=definition,
    )
    return state.compute(definition=definition, min_n=min_n, small_groups=small_groups)
