r"""Net sentiment of written feedback, computed as a three-category net score like NPS.

Sentiment labels (or scores cut at two thresholds) are mapped onto the NPS
scale's three categories (positive -> promoter, neutral -> passive, negative ->
detractor) and handed to :func:`cxmetrics.nps`, so net sentiment gets the same
weights, groups, intervals, comparisons (:func:`cxmetrics.compare_nps`) and
trends as NPS, and the two can never disagree on the arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, get_args, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics._core.validation import (
    _is_missing_object,
    as_1d,
    check_option,
    integer_scale,
)
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.survey import GroupedNPSResult, NPSResult, nps
from cxmetrics.typing import (
    NanPolicy,
    SentimentLabel,
    SentimentScorer,
    SmallGroupPolicy,
)

__all__ = [
    "SentimentCrosstab",
    "net_sentiment",
    "sentiment_crosstab",
    "sentiment_scores",
]

#: NPS answer standing for each sentiment category (promoter, passive, detractor)
_AS_NPS = {"positive": 10.0, "neutral": 8.0, "negative": 0.0}
_DEFAULT_LABELS = {
    "positive": "positive",
    "pos": "positive",
    "neutral": "neutral",
    "neu": "neutral",
    "negative": "negative",
    "neg": "negative",
}
_CATEGORIES: tuple[str, ...] = get_args(SentimentLabel)


def _check_thresholds(thresholds: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(t) for t in thresholds)
    except (TypeError, ValueError):
        msg = f"`thresholds` must be two numbers (negative_below, positive_above); got {thresholds!r}."
        raise InvalidInputTypeError(msg) from None
    if not low <= high:
        msg = f"`thresholds` must be ordered (low <= high); got {thresholds!r}."
        raise InvalidInputError(msg)
    return low, high


def _label_map(labels: Mapping[Any, str] | None) -> dict[str, str]:
    if labels is None:
        return dict(_DEFAULT_LABELS)
    out = {}
    for key, cat in labels.items():
        check_option(f"labels[{key!r}]", cat, SentimentLabel)
        out[str(key).strip().lower()] = cat
    return out


def _as_nps_answers(
    sentiment: ArrayLike,
    thresholds: tuple[float, float],
    labels: Mapping[Any, str] | None,
) -> NDArray[np.float64]:
    """Each answer as 10 (positive), 8 (neutral), 0 (negative) or NaN (missing)."""
    low, high = _check_thresholds(thresholds)
    mapping = _label_map(labels)
    arr = as_1d(sentiment, "sentiment")
    if arr.dtype.kind in "biuf":
        x = arr.astype(np.float64)
        cut = np.where(x >= high, 10.0, np.where(x <= low, 0.0, 8.0))
        return np.where(np.isnan(x), np.nan, cut)
    if arr.dtype.kind not in "OU":
        msg = f"`sentiment` must be labels or scores; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    obj = arr.astype(object)
    missing = np.frompyfunc(
        lambda v: _is_missing_object(v) or (isinstance(v, str) and not v.strip()), 1, 1
    )(obj).astype(bool)
    text = np.frompyfunc(lambda v: isinstance(v, str), 1, 1)(obj).astype(bool)
    numbers = ~text & ~missing
    if numbers.any() and text.any():
        i = int(np.argmax(numbers))
        msg = (
            f"`sentiment` mixes labels and scores: {obj[i]!r} at index {i}; pass "
            "labels only or scores only."
        )
        raise InvalidInputTypeError(msg)
    if numbers.any():
        return _as_nps_answers(
            np.where(missing, np.nan, obj).astype(np.float64), thresholds, labels
        )
    keys = np.frompyfunc(
        lambda v: v.strip().lower() if isinstance(v, str) else "", 1, 1
    )(obj)
    known = np.array(list(mapping), dtype=object)
    found = np.isin(keys, known) | missing
    if not found.all():
        i = int(np.argmax(~found))
        msg = (
            f"`sentiment` holds the label {obj[i]!r} at index {i} "
            f"({int((~found).sum())} unknown label(s)); map it with "
            "labels={...: 'positive' | 'neutral' | 'negative'}."
        )
        raise InvalidInputError(msg)
    table = {k: _AS_NPS[c] for k, c in mapping.items()}
    out: NDArray[np.float64] = np.asarray(
        np.frompyfunc(lambda k: table.get(k, np.nan), 1, 1)(keys), dtype=np.float64
    )
    out[missing] = np.nan
    return out


@overload
def net_sentiment(
    sentiment: ArrayLike,
    *,
    thresholds: tuple[float, float] = ...,
    labels: Mapping[Any, str] | None = ...,
    weights: ArrayLike | None = ...,
    by: None = ...,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> NPSResult: ...
@overload
def net_sentiment(
    sentiment: ArrayLike,
    *,
    thresholds: tuple[float, float] = ...,
    labels: Mapping[Any, str] | None = ...,
    weights: ArrayLike | None = ...,
    by: ArrayLike,
    nan_policy: NanPolicy = ...,
    min_n: int = ...,
    small_groups: SmallGroupPolicy = ...,
) -> GroupedNPSResult: ...
def net_sentiment(
    sentiment: ArrayLike,
    *,
    thresholds: tuple[float, float] = (-0.05, 0.05),
    labels: Mapping[Any, str] | None = None,
    weights: ArrayLike | None = None,
    by: ArrayLike | None = None,
    nan_policy: NanPolicy = "raise",
    min_n: int = 0,
    small_groups: SmallGroupPolicy = "suppress",
) -> NPSResult | GroupedNPSResult:
    r"""Net sentiment: share of positive minus share of negative comments, in points.

    Parameters
    ----------
    sentiment : array_like, shape (n,)
        Labels (``'positive'``, ``'neutral'``, ``'negative'``, or ``'pos'``,
        ``'neu'``, ``'neg'``; any case), or scores (e.g. VADER's compound score
        in [-1, 1], or the output of :func:`sentiment_scores`). None, NaN or blank
        is a missing answer.
    thresholds : (float, float), default (-0.05, 0.05)
        Scores at or below the first are negative, at or above the second
        positive, in between neutral (VADER's published cut-offs).
    labels : mapping, optional
        Your own labels, each mapped to ``'positive'``, ``'neutral'`` or
        ``'negative'`` (e.g. ``{"positivo": "positive", ...}`` for Spanish labels).
    weights : array_like, shape (n,), optional
        Survey weights.
    by : array_like, or list of array_like, optional
        Group keys (segment, week): one result per group.
    nan_policy : {'raise', 'omit'}, default 'raise'
    min_n : int, default 0
    small_groups : {'suppress', 'flag'}, default 'suppress'
        As in :func:`cxmetrics.nps`.

    Returns
    -------
    NPSResult or GroupedNPSResult
        The NPS result types: ``value`` in [-100, 100]; ``promoters`` counts
        positive comments, ``passives`` neutral ones and ``detractors`` negative
        ones; ``confidence_interval()`` and :func:`cxmetrics.compare_nps` work as
        for NPS.

    Raises
    ------
    InvalidInputError
        An unknown label (with its index), labels mixed with scores, thresholds
        out of order, a missing answer under ``nan_policy='raise'``.

    Notes
    -----
    $$ \mathrm{NS} = 100\,(n_+ - n_-)/n, $$
    the net score of Reichheld's NPS applied to the three sentiment categories;
    its variance is the trinomial one, :math:`(p_+ + p_- - (p_+ - p_-)^2)/n` (Rocks
    2016), and the default interval is the adjusted Wald one. Score thresholds
    follow Hutto & Gilbert (2014).

    References
    ----------
    .. [1] Hutto, C. J., Gilbert, E. (2014). VADER: a parsimonious rule-based model for
       sentiment analysis of social media text. *ICWSM-14*.
    .. [2] Rocks, B. (2016). Interval estimation for the "net promoter score".
       *The American Statistician* 70(4), 365-372.

    Examples
    --------
    >>> res = net_sentiment(["positive", "Negative", "neutral", "positive", "pos"])
    >>> res.value, res.promoters, res.detractors
    (40.0, 3, 1)
    >>> net_sentiment([0.8, -0.6, 0.02, 0.4]).value
    25.0
    >>> net_sentiment(["positivo", "negativo", "neutro", "positivo"],
    ...               labels={"positivo": "positive", "neutro": "neutral",
    ...                       "negativo": "negative"}).value
    25.0
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    check_option("small_groups", small_groups, SmallGroupPolicy)
    answers = _as_nps_answers(sentiment, thresholds, labels)
    if np.isnan(answers).any() and nan_policy == "raise":
        miss = np.isnan(answers)
        i = int(np.argmax(miss))
        msg = (
            f"`sentiment` contains {int(miss.sum())} missing value(s) (the first at index "
            f"{i}); pass nan_policy='omit' to leave them out."
        )
        raise MissingValueError(msg)
    if by is None:
        return nps(
            answers,
            weights=weights,
            nan_policy=nan_policy,
            min_n=min_n,
            small_groups=small_groups,
        )
    return nps(
        answers,
        weights=weights,
        by=by,
        nan_policy=nan_policy,
        min_n=min_n,
        small_groups=small_groups,
    )


def sentiment_scores(
    texts: ArrayLike, scorer: str | Callable[[list[str]], ArrayLike] = "vader"
) -> NDArray[np.float64]:
    """Score texts with a pluggable scorer: any callable from texts to numbers.

    Parameters
    ----------
    texts : array_like of str, shape (n,)
        Comments; None or blank gives NaN.
    scorer : 'vader' or callable, default 'vader'
        ``'vader'``: the English lexicon scorer vaderSentiment (the ``sentiment``
        extra), its compound score in [-1, 1]. A callable gets the list of
        non-blank texts and returns one number per text (bring your own model;
        for Spanish, bring your own labels or scorer).

    Returns
    -------
    ndarray of float, shape (n,)
        Scores (NaN for missing texts), to pass to :func:`net_sentiment`.

    Raises
    ------
    InvalidInputError
        The scorer returned the wrong number of scores or a non-finite score.
    MissingDependencyError
        ``scorer='vader'`` without vaderSentiment installed.

    Examples
    --------
    >>> sentiment_scores(["great help", None, "slow"], lambda t: [len(s) for s in t]).tolist()
    [10.0, nan, 4.0]
    """
    if isinstance(scorer, str):
        check_option("scorer", scorer, SentimentScorer)
    elif not callable(scorer):
        msg = f"`scorer` must be 'vader' or a callable; got {scorer!r}."  # type: ignore[unreachable]
        raise InvalidInputTypeError(msg)
    arr = as_1d(texts, "texts").astype(object)
    missing = np.frompyfunc(
        lambda v: _is_missing_object(v) or (isinstance(v, str) and not v.strip()), 1, 1
    )(arr).astype(bool)
    bad = ~missing & ~np.frompyfunc(lambda v: isinstance(v, str), 1, 1)(arr).astype(
        bool
    )
    if bad.any():
        i = int(np.argmax(bad))
        msg = f"`texts` must be text; got {arr[i]!r} at index {i}."
        raise InvalidInputTypeError(msg)
    present = [str(t) for t in arr[~missing]]
    if isinstance(scorer, str):
        vader = require("vaderSentiment.vaderSentiment", feature="scorer='vader'")
        analyzer = vader.SentimentIntensityAnalyzer()
        scores = np.array(
            [analyzer.polarity_scores(t)["compound"] for t in present], dtype=np.float64
        )
    else:
        scores = np.asarray(scorer(present), dtype=np.float64).reshape(-1)
    if scores.shape[0] != len(present):
        msg = f"the scorer must return one score per text ({len(present)}); got {scores.shape[0]}."
        raise InvalidInputError(msg)
    if not np.isfinite(scores).all():
        i = int(np.argmax(~np.isfinite(scores)))
        msg = f"the scorer returned a non-finite score {float(scores[i])!r} for text {present[i]!r}."
        raise InvalidInputError(msg)
    out = np.full(arr.shape[0], np.nan)
    out[~missing] = scores
    return out


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class SentimentCrosstab(DisplayMixin):
    """Counts of NPS category by sentiment category (e.g. detractors who write positively).

    Attributes
    ----------
    counts : ndarray of int, shape (3, 3)
        Rows detractor, passive, promoter; columns negative, neutral, positive.
    n : int
        Answers with both an NPS answer and a sentiment.
    rows, columns : tuple of str

    Examples
    --------
    >>> tab = sentiment_crosstab(["positive", "negative", "positive"], [3, 10, 9])
    >>> tab.counts.tolist()
    [[0, 0, 1], [0, 0, 0], [1, 0, 1]]
    >>> tab["detractor", "positive"]
    1
    """

    counts: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n: int
    rows: tuple[str, ...] = ("detractor", "passive", "promoter")
    columns: tuple[str, ...] = _CATEGORIES

    def __getitem__(self, key: tuple[str, str]) -> int:
        row, col = key
        return int(self.counts[self.rows.index(row), self.columns.index(col)])

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """One row per NPS category: ``nps_category`` and a column per sentiment.

        Examples
        --------
        >>> list(sentiment_crosstab(["neutral"], [8]).to_dict())
        ['nps_category', 'negative', 'neutral', 'positive']
        """
        out: dict[str, NDArray[Any]] = {"nps_category": np.array(self.rows)}
        for j, col in enumerate(self.columns):
            out[col] = self.counts[:, j]
        return out

    def __repr__(self) -> str:
        lines = [
            f"sentiment by NPS category (n={self.n})",
            "             negative  neutral  positive",
        ]
        lines += [
            f"  {row:<10}" + "".join(f"{c:>9}" for c in self.counts[i].tolist())
            for i, row in enumerate(self.rows)
        ]
        return "\n".join(lines)


def sentiment_crosstab(
    sentiment: ArrayLike,
    responses: ArrayLike,
    *,
    thresholds: tuple[float, float] = (-0.05, 0.05),
    labels: Mapping[Any, str] | None = None,
) -> SentimentCrosstab:
    """Cross-tabulate NPS categories (0-10 answers) against comment sentiment.

    Parameters
    ----------
    sentiment : array_like, shape (n,)
        Labels or scores, as in :func:`net_sentiment`.
    responses : array_like of int, shape (n,)
        The same respondents' 0-10 answers.
    thresholds, labels
        As in :func:`net_sentiment`.

    Returns
    -------
    SentimentCrosstab
        Rows with a missing answer or sentiment are left out (``n`` counts the rest).

    Raises
    ------
    InvalidInputError
        Lengths that differ, answers outside 0-10, unknown labels.

    Examples
    --------
    >>> tab = sentiment_crosstab([0.7, -0.4, 0.1, None], [2, 9, 10, 7])
    >>> tab["detractor", "positive"], tab.n
    (1, 3)
    """
    sent = _as_nps_answers(sentiment, thresholds, labels)
    answers = integer_scale(responses, "responses", low=0, high=10, nan_policy="omit")
    values = np.asarray(answers.values)
    if values.shape[0] != sent.shape[0]:
        msg = f"`responses` must have the same length as `sentiment` ({sent.shape[0]}); got {values.shape[0]}."
        raise InvalidInputError(msg)
    ok = (values <= 10) & ~np.isnan(sent)
    v = values[ok].astype(np.int64)
    row = np.where(v >= 9, 2, np.where(v >= 7, 1, 0))
    col = np.where(sent[ok] == 10.0, 2, np.where(sent[ok] == 8.0, 1, 0))
    counts = np.bincount(row * 3 + col, minlength=9).reshape(3, 3)
    return SentimentCrosstab(counts, int(ok.sum()))
