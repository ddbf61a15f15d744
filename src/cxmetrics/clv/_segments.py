"""RFM segment scores: quantile bins of recency, frequency and monetary value."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import check_positive_int
from cxmetrics.clv._rfm import RFMSummary
from cxmetrics.exceptions import InvalidInputTypeError

__all__ = ["RFMScores", "rfm_scores"]


@attrs.frozen(field_transformer=nan_equal_fields)
class RFMScores(DisplayMixin):
    """Quantile scores 1..``bins`` per customer (higher is better on each axis).

    Attributes
    ----------
    customers : ndarray
        Customer keys, as in the summary.
    recency, frequency, monetary : ndarray of int64
        Scores; recency scores the time since the last purchase (``T -
        recency``), so a recent buyer scores high.
    bins : int
        Number of quantile bins.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.rfm_summary([1, 1, 2, 3, 3, 3], [0.0, 9.0, 1.0, 2.0, 5.0, 8.0],
    ...                    [1, 9, 1, 2, 5, 8], observation_end=10.0)
    >>> cx.rfm_scores(s, bins=3).code.tolist()
    [323, 111, 232]
    """

    customers: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    recency: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    frequency: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    monetary: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    bins: int

    @property
    def code(self) -> NDArray[np.int64]:
        """The usual three-digit segment code, e.g. 545 (for at most 9 bins)."""
        return self.recency * 100 + self.frequency * 10 + self.monetary

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.customers.shape[0])


def _score(values: NDArray[np.float64], bins: int) -> NDArray[np.int64]:
    """Rank-based quantile bin 1..bins; ties share the bin of their mean rank."""
    n = values.shape[0]
    if n == 0:
        return np.zeros(0, np.int64)
    _uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    # mid-rank of each distinct value, as a fraction in (0, 1)
    upper = np.cumsum(counts)
    mid = (upper - (counts - 1) / 2.0 - 0.5) / n
    scores: NDArray[np.int64] = np.floor(mid * bins).astype(np.int64) + 1
    return scores[inverse.reshape(-1)]


def rfm_scores(summary: RFMSummary, *, bins: int = 5) -> RFMScores:
    """RFM segment scores by quantile bins of an :class:`RFMSummary`.

    Each customer gets a score 1..``bins`` on recency (time since the last
    purchase, ``T - recency``: lower scores lower), frequency and monetary
    value, by the mid-rank of her value among all customers (ties share a
    score, so bins may be unequal). A convenience for segment tables (Hughes
    1994's RFM cells), not a model.

    Parameters
    ----------
    summary : RFMSummary
        From :func:`rfm_summary`.
    bins : int, default 5
        Number of quantile bins (quintiles by default).

    Returns
    -------
    RFMScores
        Integer scores per customer and the combined ``code``.

    References
    ----------
    .. [1] Hughes, A. M. (1994). *Strategic Database Marketing*. Probus.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> s = cx.rfm_summary([1, 2, 2], [0.0, 0.0, 5.0], [3.0, 1.0, 4.0])
    >>> sc = cx.rfm_scores(s, bins=2)
    >>> sc.recency.tolist(), sc.frequency.tolist(), sc.monetary.tolist()
    ([1, 2], [1, 2], [1, 2])
    """
    if not isinstance(summary, RFMSummary):
        msg = f"`summary` must be an RFMSummary (from rfm_summary); got {type(summary).__name__}."  # type: ignore[unreachable]
        raise InvalidInputTypeError(msg)
    k = check_positive_int("bins", bins)
    return RFMScores(
        summary.customers,
        _score(-(summary.T - summary.recency), k),
        _score(summary.frequency, k),
        _score(summary.monetary_value, k),
        k,
    )
