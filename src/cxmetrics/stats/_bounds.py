"""Interval methods written once for a scalar result and its grouped result.

A metric's interval (and any derived property) is computed on arrays by one
method of a mixin that both results inherit; :meth:`IntervalMethods._bounds`
returns the bounds as a :class:`ConfidenceInterval` of floats for the scalar
result and as a :class:`ConfidenceIntervalArray` for the grouped one. The type
parameter says which, so ``NPSResult.confidence_interval()`` is typed as a
``ConfidenceInterval`` and ``GroupedNPSResult.confidence_interval()`` as a
``ConfidenceIntervalArray``.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike

from cxmetrics._core.grouped import GroupedResultMixin
from cxmetrics.stats._interval import ConfidenceInterval, ConfidenceIntervalArray

__all__ = ["CI", "IntervalMethods"]

CI = TypeVar("CI", ConfidenceInterval, ConfidenceIntervalArray)


class IntervalMethods(Generic[CI]):
    """Base of a metric's methods shared by its scalar and grouped results."""

    __slots__ = ()

    def _bounds(self, low: ArrayLike, high: ArrayLike) -> CI:
        """The interval in the result's shape: floats, or one value per group."""
        if isinstance(self, GroupedResultMixin):
            out: Any = ConfidenceIntervalArray(
                np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
            )
        else:
            out = ConfidenceInterval(float(np.asarray(low)), float(np.asarray(high)))
        return cast("CI", out)
