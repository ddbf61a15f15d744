"""Net Promoter Score: state, results and the front doors ``nps`` and ``enps``."""

from __future__ import annotations

import math
from typing import Any, ClassVar, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.result import GroupedResult, grouped_result, shared
from cxmetrics._core.validation import check_levels_need_by
from cxmetrics.stats import (
    CI,
    ConfidenceInterval,
    ConfidenceIntervalArray,
    IntervalMethods,
    net_score_interval,
    net_score_variance,
)
from cxmetrics.survey._options import check_compute_options
from cxmetrics.survey._scheme import NPSScheme
from cxmetrics.survey._state import GroupedScaleState, ScaleState, score_state
from cxmetrics.survey._summary import ScaleSummary
from cxmetrics.typing import NanPolicy, NPSMethod, SmallGroupPolicy

__all__ = [
    "GroupedNPSResult",
    "GroupedNPSState",
    "NPSResult",
    "NPSState",
    "enps",
    "nps",
]

_BLANK = (
    "value",
    "promoters",
    "passives",
    "detractors",
    "promoter_share",
    "passive_share",
    "detractor_share",
    "standard_error",
    "counts",
)


def _columns(
    counts: NDArray[np.int64],
    wsum: NDArray[np.float64] | None,
    w2sum: NDArray[np.float64] | None,
    n_missing: NDArray[np.int64] | int,
    scheme: NPSScheme,
) -> dict[str, NDArray[Any]]:
    s = ScaleSummary(counts, wsum, w2sum, scheme.low)
    pro = s.share(scheme.promoter_min, scheme.high)
    det = s.share(scheme.low, scheme.detractor_max)
    passive = scheme.passive_range
    pas = s.share(*passive) if passive else np.where(s.defined, 0.0, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = 100.0 * np.sqrt(
            np.maximum(net_score_variance(pro, det), 0.0) / s.effective_n
        )
    return {
        "value": 100.0 * (pro - det),
        "n": s.n,
        "promoters": s.count(scheme.promoter_min, scheme.high),
        "passives": s.count(*passive) if passive else np.zeros_like(s.n),
        "detractors": s.count(scheme.low, scheme.detractor_max),
        "n_missing": np.asarray(n_missing, dtype=np.int64),
        "effective_n": s.effective_n,
        "promoter_share": pro,
        "passive_share": pas,
        "detractor_share": det,
        "standard_error": np.where(s.defined, se, np.nan),
        "counts": counts,
    }


def _interval(
    pro: Any,
    det: Any,
    n_eff: Any,
    confidence_level: float,
    method: NPSMethod,
    n_resamples: int,
    rng: int | np.random.Generator | None,
) -> ConfidenceIntervalArray:
    ci = net_score_interval(
        np.asarray(pro) * n_eff,
        np.asarray(det) * n_eff,
        n_eff,
        confidence_level,
        method=method,
        n_resamples=n_resamples,
        rng=rng,
    )
    return ConfidenceIntervalArray(100.0 * ci.low, 100.0 * ci.high)


class _NPSMethods(IntervalMethods[CI]):
    """The NPS interval, written once for :class:`NPSResult` and its grouped result."""

    __slots__ = ()
    promoter_share: Any
    detractor_share: Any
    effective_n: Any

    def confidence_interval(
        self,
        confidence_level: float = 0.95,
        *,
        method: NPSMethod = "adjusted_wald",
        n_resamples: int = 10_000,
        rng: int | np.random.Generator | None = None,
    ) -> CI:
        """Two-sided confidence interval for the NPS, in points.

        Parameters
        ----------
        confidence_level : float, default 0.95
            Coverage in (0, 1).
        method : {'adjusted_wald', 'wald', 'score', 'bootstrap'}, default 'adjusted_wald'
            See :func:`cxmetrics.stats.net_score_interval`. The adjusted Wald
            interval (Rocks 2016) keeps close to nominal coverage at small n and is
            the default; weighted results use the effective sample size.
        n_resamples : int, default 10000
            Resamples for ``'bootstrap'``.
        rng : int or numpy.random.Generator, optional
            Seed for ``'bootstrap'`` (default seed 0: the same interval each call).

        Returns
        -------
        ConfidenceInterval or ConfidenceIntervalArray
            Bounds in [-100, 100] (arrays over the groups of a grouped result);
            NaN when there are no answers.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.nps([10] * 50 + [8] * 30 + [3] * 20)
        >>> low, high = res.confidence_interval(method="wald")
        >>> round(low, 2), round(high, 2)
        (14.69, 45.31)
        """
        ci = _interval(
            self.promoter_share,
            self.detractor_share,
            self.effective_n,
            confidence_level,
            method,
            n_resamples,
            rng,
        )
        return self._bounds(ci.low, ci.high)


@attrs.frozen(field_transformer=nan_equal_fields)
class NPSResult(DisplayMixin, _NPSMethods[ConfidenceInterval]):
    r"""Net Promoter Score of a set of answers.

    Attributes
    ----------
    value : float
        NPS in points, in [-100, 100]: 100 x (share of promoters - share of
        detractors); NaN when there are no answers.
    n : int
        Answers counted (missing ones excluded).
    promoters, passives, detractors : int
        Answers per category (unweighted counts).
    n_missing : int
        Missing answers omitted (``nan_policy='omit'``).
    effective_n : float
        Kish's effective sample size :math:`(\sum w)^2/\sum w^2`; equals ``n``
        without weights.
    promoter_share, passive_share, detractor_share : float
        Shares of the categories (weighted when weights are given), in [0, 1].
    standard_error : float
        Standard error of ``value`` in points:
        :math:`100\sqrt{(p_+ + p_- - (p_+ - p_-)^2)/n_{\mathrm{eff}}}`.
    counts : tuple of int
        Answers per scale point, from ``scheme.low`` to ``scheme.high``.
    scheme : NPSScheme
        The categories used.
    weighted : bool
        Whether survey weights were applied.
    flagged : bool
        Fewer than ``min_n`` answers (the estimate is blanked unless
        ``small_groups='flag'``).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.nps([10, 9, 8, 7, 6, 0])
    >>> res.value, res.n
    (0.0, 6)
    >>> res.promoters, res.passives, res.detractors
    (2, 2, 2)
    """

    value: float
    n: int
    promoters: int
    passives: int
    detractors: int
    n_missing: int
    effective_n: float
    promoter_share: float
    passive_share: float
    detractor_share: float
    standard_error: float
    counts: tuple[int, ...]
    scheme: NPSScheme = shared()
    weighted: bool = shared()
    flagged: bool = False

    def __str__(self) -> str:
        if math.isnan(self.value):
            why = f"fewer than min_n answers (n={self.n})" if self.flagged else "n=0"
            return f"NPS undefined ({why})"
        low, high = self.confidence_interval()
        return (
            f"NPS {self.value:.1f} (95% CI {low:.1f} to {high:.1f}; n={self.n}, "
            f"promoters={self.promoters}, passives={self.passives}, detractors={self.detractors})"
        )


@grouped_result(
    NPSResult,
    table=(
        "value",
        "n",
        "standard_error",
        "promoters",
        "passives",
        "detractors",
        "n_missing",
        "flagged",
    ),
    ci_columns=True,
)
class GroupedNPSResult(GroupedResult[NPSResult], _NPSMethods[ConfidenceIntervalArray]):
    """NPS per group: the fields of :class:`NPSResult` as arrays over ``keys``.

    Documented as :class:`NPSResult`, vectorised over groups; ``counts`` has shape
    ``(g, k)``. ``flagged`` marks groups with fewer than ``min_n`` answers; with
    ``small_groups='suppress'`` their estimates are NaN and their counts 0 (``n``
    is kept). ``result[key]`` gives one group's :class:`NPSResult`;
    ``to_dict()`` adds the 95% adjusted-Wald interval as ``ci_low``/``ci_high``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.nps([10, 9, 3, 8, 10], by=["a", "a", "a", "b", "b"])
    >>> res.keys.tolist(), res.value.round(1).tolist()
    (['a', 'b'], [33.3, 50.0])
    >>> res["b"].n
    2
    >>> res.confidence_interval().low.shape
    (2,)
    """

    scheme: NPSScheme
    weighted: bool


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class NPSState(ScaleState[NPSScheme]):
    """Mergeable state of NPS answers: the histogram over the 0-10 scale.

    ``NPSState.from_responses(x).compute() == nps(x)``. States of parts add up to
    the state of the whole: exactly for unweighted answers (int64 counts), to
    rounding for weighted ones.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.NPSState.from_responses([10, 9, 2])
    >>> b = cx.NPSState.from_responses([7, 10])
    >>> (a + b) == cx.NPSState.from_responses([10, 9, 2, 7, 10])
    True
    >>> (a + b).compute().value
    40.0
    """

    _default_scheme: ClassVar[type[NPSScheme]] = NPSScheme
    _metric = "NPS"

    def compute(
        self, *, min_n: int = 0, small_groups: SmallGroupPolicy = "suppress"
    ) -> NPSResult:
        """The :class:`NPSResult` (NaN and a warning when empty).

        With fewer than ``min_n`` answers the result is flagged and, unless
        ``small_groups='flag'``, its estimate and counts are blanked.
        """
        check_compute_options(min_n, small_groups)
        cols = _columns(*self.histogram, self.scheme)
        return self._finish(NPSResult, cols, _BLANK, min_n, small_groups)


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class GroupedNPSState(GroupedScaleState[NPSScheme]):
    """Mergeable per-group state of NPS answers; merging aligns groups by key.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.GroupedNPSState.from_responses([10, 0, 9], by=["x", "y", "x"])
    >>> s.compute().value.tolist()
    [100.0, -100.0]
    """

    _default_scheme: ClassVar[type[NPSScheme]] = NPSScheme
    _metric = "NPS"
    _scalar: ClassVar[type[NPSState]] = NPSState

    def compute(
        self, *, min_n: int = 0, small_groups: SmallGroupPolicy = "suppress"
    ) -> GroupedNPSResult:
        """The :class:`GroupedNPSResult`; groups under ``min_n`` answers are flagged or suppressed."""
        check_compute_options(min_n, small_groups)
        cols = _columns(*self.histogram, self.scheme)
        return self._finish(GroupedNPSResult, cols, _BLANK, min_n, small_groups)


@overload
def nps(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = ...,
    by: None = ...,
    levels: None = ...,
    scheme: NPSScheme = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> NPSResult: ...
@overload
def nps(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = ...,
    by: ArrayLike,
    levels: ArrayLike | None = ...,
    scheme: NPSScheme = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> GroupedNPSResult: ...
def nps(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    by: ArrayLike | None = None,
    levels: ArrayLike | None = None,
    scheme: NPSScheme = NPSScheme(),  # noqa: B008  (frozen, immutable)
    nan_policy: NanPolicy = "raise",
    min_n: int = 0,
    small_groups: SmallGroupPolicy = "suppress",
) -> NPSResult | GroupedNPSResult:
    r"""Net Promoter Score of 0-10 "likelihood to recommend" answers.

    Parameters
    ----------
    responses : array_like of int or str, shape (n,)
        Answers on the scheme's scale (default 0-10). Integer arrays of any width
        (int8 included) are read without copying; floats must be whole numbers;
        NaN/None are missing.
        Numbers stored as text (``"9"``, ``" 9 "``), ``"10 - Extremely likely"`` style
        answers (the leading number is the scale point) and the scheme's
        ``labels`` are read too, each distinct text once; an unknown text is an
        error listing the unknown texts; ``""`` is missing.
    weights : array_like of float, shape (n,), optional
        Non-negative survey weights. The shares are weighted and the standard
        error and intervals use Kish's effective sample size.
    by : array_like, shape (n,), optional
        Group key per answer (numbers, strings or booleans): returns a
        :class:`GroupedNPSResult` computed in one pass over all rows.
    levels : array_like, optional
        With ``by``: the groups to report, in order; groups without answers get
        ``n == 0`` and NaN. A key outside ``levels`` is an error.
    scheme : NPSScheme, default NPSScheme()
        Scale and category bounds (promoters 9-10, passives 7-8, detractors 0-6).
    nan_policy : {'raise', 'omit'}, default 'raise'
        Missing answers raise, or are omitted and counted in ``n_missing``.
    min_n : int, default 0
        Groups (or, without ``by``, the whole result) with fewer answers are
        flagged (``flagged``) and suppressed unless ``small_groups='flag'``:
        estimate, standard error and counts are blanked, ``n`` is kept. E.g.
        ``min_n=5`` for eNPS anonymity.
    small_groups : {'suppress', 'flag'}, default 'suppress'
        What to do with groups under ``min_n``.

    Returns
    -------
    NPSResult or GroupedNPSResult
        ``value`` in NPS points, in [-100, 100], with ``n``, the category counts,
        ``standard_error`` and ``confidence_interval()``.

    Raises
    ------
    InvalidInputError
        Answers out of the scale or not whole numbers; unknown answer texts;
        lengths that differ; an option not among those listed (checked before the
        answers are read).
    MissingValueError
        Missing answers with ``nan_policy='raise'``, or missing group keys.
    InvalidInputTypeError
        Answers that are neither numbers nor text; a scheme of another kind.

    Warns
    -----
    UndefinedMetricWarning
        When there are no answers (or a group has none); the value is NaN.

    See Also
    --------
    enps : the same computation for employee surveys.
    NPSState : the mergeable state, for chunked and distributed data.
    compare_nps : the difference between two NPS values, with a test.

    Notes
    -----
    With shares :math:`p_+` of promoters and :math:`p_-` of detractors (Reichheld
    2003),

    .. math:: \mathrm{NPS} = 100\,(p_+ - p_-), \qquad
              \mathrm{SE} = 100\sqrt{\frac{p_+ + p_- - (p_+ - p_-)^2}{n}}

    the trinomial variance of Rocks (2016). With weights :math:`w_i`, shares are
    :math:`\sum_{i \in C} w_i / \sum w_i` and :math:`n` is Kish's effective sample
    size :math:`(\sum w_i)^2/\sum w_i^2`.

    References
    ----------
    .. [1] Reichheld, F. F. (2003). The one number you need to grow. *Harvard
       Business Review* 81(12), 46-54.
    .. [2] Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
       *The American Statistician* 70(4), 365-372.
    .. [3] Kish, L. (1965). *Survey Sampling*. New York: Wiley.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.nps([10, 9, 9, 8, 7, 6, 3, 10])
    >>> res.value, res.n
    (25.0, 8)
    >>> low, high = res.confidence_interval()
    >>> round(low, 1), round(high, 1)
    (-29.4, 65.8)
    >>> by_region = cx.nps([10, 9, 3, 6, 10], by=["north", "north", "south", "south", "south"])
    >>> by_region["south"].value.__round__(1)
    -33.3
    """
    state = score_state(
        NPSState,
        GroupedNPSState,
        responses,
        weights=weights,
        by=by,
        levels=levels,
        scheme=scheme,
        nan_policy=nan_policy,
        min_n=min_n,
        small_groups=small_groups,
    )
    return state.compute(min_n=min_n, small_groups=small_groups)


@overload
def enps(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = ...,
    by: None = ...,
    levels: None = ...,
    scheme: NPSScheme = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> NPSResult: ...
@overload
def enps(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = ...,
    by: ArrayLike,
    levels: ArrayLike | None = ...,
    scheme: NPSScheme = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> GroupedNPSResult: ...
def enps(
    responses: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    by: ArrayLike | None = None,
    levels: ArrayLike | None = None,
    scheme: NPSScheme = NPSScheme(),  # noqa: B008  (frozen, immutable)
    nan_policy: NanPolicy = "raise",
    min_n: int = 0,
    small_groups: SmallGroupPolicy = "suppress",
) -> NPSResult | GroupedNPSResult:
    """Employee Net Promoter Score: :func:`nps` of "recommend as a place to work" answers.

    The computation, parameters and results are exactly those of :func:`nps`. Team
    breakdowns usually need anonymity: pass ``min_n`` (commonly 5) so that teams
    with fewer answers are suppressed.

    Parameters
    ----------
    responses, weights, by, levels, scheme, nan_policy, min_n, small_groups
        As in :func:`nps`.

    Returns
    -------
    NPSResult or GroupedNPSResult
        As in :func:`nps`.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.enps([9, 10, 6, 8, 3, 10, 9], by=["ops"] * 4 + ["hr"] * 3, min_n=4)
    >>> res.flagged.tolist(), res.value.tolist()
    ([True, False], [nan, 25.0])
    """
    check_levels_need_by(by, levels)
    if by is None:
        return nps(
            responses,
            weights=weights,
            scheme=scheme,
            nan_policy=nan_policy,
            min_n=min_n,
            small_groups=small_groups,
        )
    return nps(
        responses,
        weights=weights,
        by=by,
        levels=levels,
        scheme=scheme,
        nan_policy=nan_policy,
        min_n=min_n,
        small_groups=small_groups,
    )
