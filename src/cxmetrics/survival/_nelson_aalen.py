r"""Nelson-Aalen cumulative hazard, with the handling of tied event times named.

Two estimators, as R's ``survfit(ctype=)``:

* ``'nelson-aalen'`` (R ``ctype=1``, the default; lifelines with
  ``nelson_aalen_smoothing=False``): :math:`\hat H(t) = \sum_{t_j \le t} d_j/n_j`
  (Nelson 1972; Aalen 1978), variance :math:`\sum d_j/n_j^2` (Aalen's, as R; Klein &
  Moeschberger 2003, eq. 4.2.4).
* ``'fleming-harrington'`` (R ``ctype=2``; lifelines' default
  ``nelson_aalen_smoothing=True``): tied events are taken one after another,
  :math:`\hat H(t) = \sum_{t_j\le t}\sum_{k=0}^{d_j-1} 1/(n_j-k)` (Fleming &
  Harrington 1984), variance :math:`\sum_j\sum_k 1/(n_j-k)^2`.

Without ties the two agree.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.stats import ConfidenceIntervalArray, critical_value
from cxmetrics.survival._risk_set import at_risk
from cxmetrics.typing import CumulativeHazardTies, HazardBand

__all__ = ["NelsonAalenResult", "nelson_aalen_from_table"]

Float = NDArray[np.float64]


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class NelsonAalenResult(DisplayMixin):
    r"""A Nelson-Aalen cumulative hazard curve.

    Attributes
    ----------
    time : ndarray of float64
        Distinct event and censoring times, increasing.
    at_risk, events : ndarray of int64
        Subjects at risk just before each time, and events at it.
    cumulative_hazard : ndarray of float64
        :math:`\hat H(t)`, non-decreasing, >= 0 (events per subject at risk).
    variance : ndarray of float64
        Estimated variance of :math:`\hat H(t)`.
    ties : {'nelson-aalen', 'fleming-harrington'}
        How tied events were counted (see the module notes).
    n : int
        Subjects.
    n_missing : int
        Rows omitted for a missing value.
    time_unit : str or None
        ``'seconds'`` when the durations were time deltas (converted to
        seconds), else None: times are in the unit of the numbers given.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.nelson_aalen([2, 2, 3, 5], [1, 1, 1, 0])
    >>> res.cumulative_hazard.tolist()
    [0.5, 1.0, 1.0]
    >>> cx.nelson_aalen([2, 2, 3, 5], [1, 1, 1, 0], ties="fleming-harrington").cumulative_hazard.round(4).tolist()
    [0.5833, 1.0833, 1.0833]
    """

    time: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    at_risk: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    events: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    cumulative_hazard: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    variance: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    ties: CumulativeHazardTies
    n: int
    n_missing: int = 0
    time_unit: str | None = None

    @property
    def standard_error(self) -> Float:
        """Standard error of the cumulative hazard at each time."""
        return np.sqrt(self.variance)

    def confidence_interval(
        self, confidence_level: float = 0.95, *, method: HazardBand = "log"
    ) -> ConfidenceIntervalArray:
        r"""Pointwise confidence band of the cumulative hazard.

        Parameters
        ----------
        confidence_level : float, default 0.95
            Coverage in (0, 1).
        method : {'log', 'plain'}, default 'log'
            ``'log'``: :math:`\hat H \exp(\pm z\sigma/\hat H)`, symmetric on the log
            scale and never negative (as lifelines' ``NelsonAalenFitter``);
            ``'plain'``: :math:`\hat H \pm z\sigma`, lower bound clipped at 0.

        Returns
        -------
        ConfidenceIntervalArray
            [0, 0] before the first event.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> ci = cx.nelson_aalen([2, 2, 3, 5], [1, 1, 1, 0]).confidence_interval()
        >>> ci.low.round(4).tolist()
        [0.125, 0.3011, 0.3011]
        """
        check_option("method", method, HazardBand)
        z = critical_value(confidence_level)
        h = self.cumulative_hazard
        sd = np.sqrt(self.variance)
        if method == "plain":
            return ConfidenceIntervalArray(np.maximum(h - z * sd, 0.0), h + z * sd)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.exp(z * sd / np.where(h > 0, h, 1.0))
        return ConfidenceIntervalArray(h / factor, h * factor)

    @overload
    def cumulative_hazard_at(self, times: float) -> float: ...
    @overload
    def cumulative_hazard_at(self, times: ArrayLike) -> Float: ...
    def cumulative_hazard_at(self, times: Any) -> Any:
        """The cumulative hazard at any times (0 before the first, carried forward).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.nelson_aalen([2, 2, 3, 5], [1, 1, 1, 0]).cumulative_hazard_at([1, 2.5, 9]).tolist()
        [0.0, 0.5, 1.0]
        """
        t = np.asarray(times, dtype=np.float64)
        idx = np.searchsorted(self.time, t, side="right") - 1
        values = np.concatenate(([0.0], self.cumulative_hazard))[idx + 1]
        out = np.where(np.isnan(t), np.nan, values)
        if out.ndim == 0:
            return float(out)
        return out

    def to_dict(self) -> dict[str, Float | NDArray[np.int64]]:
        """Columns, with the 95% log band as ``ci_low`` and ``ci_high``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> list(cx.nelson_aalen([1, 2]).to_dict())[:3]
        ['time', 'at_risk', 'events']
        """
        band = self.confidence_interval()
        return {
            "time": self.time,
            "at_risk": self.at_risk,
            "events": self.events,
            "cumulative_hazard": self.cumulative_hazard,
            "standard_error": self.standard_error,
            "ci_low": band.low,
            "ci_high": band.high,
        }

    def __repr__(self) -> str:
        last = float(self.cumulative_hazard[-1]) if self.time.size else math.nan
        unit = "" if self.time_unit is None else f", time_unit={self.time_unit!r}"
        return (
            f"NelsonAalenResult(n={self.n}, times={self.time.size}, ties={self.ties!r}, "
            f"final_cumulative_hazard={last!r}{unit})"
        )


def _tie_sums(n: Float, d: NDArray[np.int64], power: int) -> Float:
    r""":math:`\sum_{k=0}^{d_j-1} (n_j - k)^{-p}` per row, vectorised over all events."""
    out = np.zeros(n.size)
    rows = np.flatnonzero(d > 0)
    if rows.size == 0:
        return out
    counts = d[rows]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    k = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    terms = (np.repeat(n[rows], counts) - k) ** (-float(power))
    out[rows] = np.add.reduceat(terms, starts)
    return out


def nelson_aalen_from_table(
    times: Float,
    entered: NDArray[np.int64],
    events: NDArray[np.int64],
    censored: NDArray[np.int64],
    ties: CumulativeHazardTies = "nelson-aalen",
    n_missing: int = 0,
) -> NelsonAalenResult:
    """Nelson-Aalen cumulative hazard and its variance from an event table."""
    removed = events + censored
    n_at_risk = at_risk(times, entered, removed)
    n = n_at_risk.astype(np.float64)
    d = events.astype(np.float64)
    if ties == "nelson-aalen":
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(d > 0, d / n, 0.0)
            step_var = np.where(d > 0, d / (n * n), 0.0)
    else:
        step = _tie_sums(n, events, 1)
        step_var = _tie_sums(n, events, 2)
    rows = removed > 0
    total = int(entered.sum())
    if total == 0:
        warnings.warn(
            "the cumulative hazard is undefined for zero subjects; returning an empty curve.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
    return NelsonAalenResult(
        times[rows],
        n_at_risk[rows],
        events[rows],
        np.cumsum(step)[rows],
        np.cumsum(step_var)[rows],
        ties,
        total,
        n_missing,
    )
