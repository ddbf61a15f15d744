"""Customer satisfaction (CSAT): state, results and the front door ``csat``."""

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
from cxmetrics.survey._scheme import CSATScheme
from cxmetrics.survey._state import GroupedScaleState, ScaleState, score_state
from cxmetrics.typing import NanPolicy, SmallGroupPolicy

__all__ = ["CSATResult", "CSATState", "GroupedCSATResult", "GroupedCSATState", "csat"]


@attrs.frozen(field_transformer=nan_equal_fields)
class CSATResult(RatingResult):
    """Customer satisfaction of a set of answers (see :class:`RatingResult` fields).

    ``positive`` / ``positive_share`` are the satisfied answers (also available as
    ``satisfied`` / ``satisfied_share``).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.csat([5, 4, 3, 2, 5])
    >>> res.value, res.satisfied, res.n
    (0.6, 3, 5)
    """

    @property
    def satisfied(self) -> int:
        """Satisfied answers (``>= scheme.satisfied_min``), unweighted."""
        return self.positive

    @property
    def satisfied_share(self) -> float:
        """(Weighted) share of satisfied answers, in [0, 1]."""
        return self.positive_share


@grouped_result(CSATResult, **GROUPED_RATING)
class GroupedCSATResult(GroupedRatingResult[CSATResult]):
    """CSAT per group: :class:`CSATResult` fields as arrays over ``keys``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.csat([5, 4, 1, 2], by=["a", "a", "b", "b"])
    >>> res.value.tolist()
    [1.0, 0.0]
    """


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class CSATState(RatingState, ScaleState[CSATScheme]):
    """Mergeable state of CSAT answers (histogram over the scale).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.CSATState.from_responses([5, 4]) + cx.CSATState.from_responses([1])
    >>> round(s.compute().value, 4)
    0.6667
    """

    _default_scheme: ClassVar[type[CSATScheme]] = CSATScheme
    _metric = "CSAT"
    _positive = ("satisfied_min", "high")

    def compute(
        self,
        *,
        definition: Definition = "share",
        min_n: int = 0,
        small_groups: SmallGroupPolicy = "suppress",
    ) -> CSATResult:
        """The :class:`CSATResult`; ``definition`` picks share or mean as ``value``."""
        return self._rate(CSATResult, definition, min_n, small_groups)


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class GroupedCSATState(RatingState, GroupedScaleState[CSATScheme]):
    """Mergeable per-group state of CSAT answers.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.GroupedCSATState.from_responses([5, 1], by=[1, 2]).compute().value.tolist()
    [1.0, 0.0]
    """

    _default_scheme: ClassVar[type[CSATScheme]] = CSATScheme
    _metric = "CSAT"
    _positive = ("satisfied_min", "high")
    _scalar: ClassVar[type[CSATState]] = CSATState

    def compute(
        self,
        *,
        definition: Definition = "share",
        min_n: int = 0,
        small_groups: SmallGroupPolicy = "suppress",
    ) -> GroupedCSATResult:
        """The :class:`GroupedCSATResult`; small groups flagged or suppressed."""
        return self._rate(GroupedCSATResult, definition, min_n, small_groups)


@overload
def csat(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = ...,
    by: None = ...,
    levels: None = ...,
    scheme: CSATScheme = ...,
    definition: Definition = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> CSATResult: ...
@overload
def csat(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = ...,
    by: ArrayLike,
    levels: ArrayLike | None = ...,
    scheme: CSATScheme = ...,
    definition: Definition = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> GroupedCSATResult: ...
def csat(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    by: ArrayLike | None = None,
    levels: ArrayLike | None = None,
    scheme: CSATScheme = CSATScheme(),  # noqa: B008  (frozen, immutable)
    definition: Definition = "share",
    nan_policy: NanPolicy = "raise",
    min_n: int = 0,
    small_groups: SmallGroupPolicy = "suppress",
) -> CSATResult | GroupedCSATResult:
    r"""Customer satisfaction score of ratings on an integer scale.

    Parameters
    ----------
    responses : array_like of int or str, shape (n,)
        Ratings on the scheme's scale (default 1-5, higher is more satisfied);
        NaN/None are missing (unrated).
        Numbers stored as text (``"9"``, ``" 9 "``), ``"10 - Extremely likely"`` style
        answers (the leading number is the scale point) and the scheme's
        ``labels`` are read too, each distinct text once; an unknown text is an
        error listing the unknown texts; ``""`` is missing.
    weights : array_like of float, shape (n,), optional
        Non-negative survey weights (Kish effective n in the intervals).
    by : array_like, shape (n,), optional
        Group key per answer: returns a :class:`GroupedCSATResult`.
    levels : array_like, optional
        With ``by``: every group to report, in order.
    scheme : CSATScheme, default CSATScheme()
        Scale and threshold: 1-5 with satisfied = 4-5. ``CSATScheme.binary()``
        gives the good/bad definition (1 = good, 0 = bad).
    definition : {'share', 'mean'}, default 'share'
        ``'share'``: share of satisfied answers (top-2-box on 1-5), a fraction in
        [0, 1]. ``'mean'``: the mean rating, on the scale.
    nan_policy : {'raise', 'omit'}, default 'raise'
        Missing answers raise, or are omitted and counted in ``n_missing``.
    min_n, small_groups
        Minimum answers per group, as in :func:`nps`.

    Returns
    -------
    CSATResult or GroupedCSATResult
        ``value`` (a fraction for ``'share'``, scale points for ``'mean'``), ``n``,
        ``satisfied``, ``mean``, ``standard_error``, ``confidence_interval()``.

    Raises
    ------
    InvalidInputError, MissingValueError, InvalidInputTypeError
        As for :func:`nps`.

    Notes
    -----
    Definitions in use, each one argument away:

    * share satisfied (default; e.g. Delighted, Gorgias):
      :math:`\mathrm{CSAT} = \#\{x \ge t\}/n`, :math:`t = 4` on a 1-5 scale;
    * mean rating (e.g. Intercom): :math:`\bar x`;
    * good / (good + bad) for binary ratings, unrated excluded (Zendesk):
      ``csat(r, scheme=CSATScheme.binary(), nan_policy='omit')`` with unrated as NaN,
      reported in ``n_missing``.

    Standard errors: :math:`\sqrt{p(1-p)/n}` for the share, :math:`s/\sqrt{n}` for
    the mean, with :math:`n` the (effective) sample size.

    References
    ----------
    .. [1] Delighted. "How is CSAT calculated?" (top-2-box on 1-5).
    .. [2] Zendesk. Customer satisfaction ratings: good / (good + bad).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> ratings = [5] * 42 + [4] * 32 + [3] * 10 + [2] * 9 + [1] * 14
    >>> res = cx.csat(ratings)
    >>> round(100 * res.value, 2)
    69.16
    >>> round(cx.csat(ratings, definition="mean").value, 3)
    3.738
    >>> good_bad = [1, 1, 0, None, 1]
    >>> res = cx.csat(good_bad, scheme=cx.CSATScheme.binary(), nan_policy="omit")
    >>> res.value, res.n, res.n_missing
    (0.75, 4, 1)
    """
    state = score_state(
        CSATState,
        GroupedCSATState,
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
