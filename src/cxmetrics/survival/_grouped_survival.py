r"""Survival curves of several groups in one call: ``kaplan_meier(..., by=...)``.

A grouped result is built from one :class:`~cxmetrics.GroupedSurvivalState` (the
event tables of every group on one time grid, one vectorised pass over the rows):
each group's curve is the curve of its own table, so ``res[key] ==
kaplan_meier(durations[by == key], events[by == key])``, and the log-rank test
comes from the same tables (``res.logrank()``). The summary columns (``n``,
events, median and its interval) follow the generated grouped form of the other
families (:class:`~cxmetrics._core.grouped.GroupedResultMixin`): lookup by key, a text
table, ``to_dict``, ``to_pandas`` and ``to_polars``; lookup returns the group's
whole curve rather than a summary row.
"""

from __future__ import annotations

from typing import Any, ClassVar, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.grouped import GroupedResultMixin
from cxmetrics._core.options import check_option
from cxmetrics.stats import ConfidenceIntervalArray
from cxmetrics.survival._grouped_state import GroupedSurvivalState
from cxmetrics.survival._km import KaplanMeierResult
from cxmetrics.survival._logrank import LogrankResult
from cxmetrics.survival._nelson_aalen import NelsonAalenResult
from cxmetrics.typing import CumulativeHazardTies, SurvivalBand

__all__ = ["GroupedKaplanMeierResult", "GroupedNelsonAalenResult"]

Float = NDArray[np.float64]


def _curves(x: Any) -> tuple[Any, ...]:
    return tuple(x)


class _GroupedCurves(GroupedResultMixin):
    """Lookup of a group's curve, and the log-rank test of the groups."""

    keys: NDArray[Any]
    curves: tuple[Any, ...]
    state: GroupedSurvivalState

    def __getitem__(self, key: object) -> Any:
        """The curve of the group ``key``."""
        return self.curves[self._position(key)]

    def logrank(self) -> LogrankResult:
        """Log-rank test that every group shares one survival curve.

        The test of :func:`~cxmetrics.logrank_test` on the same event tables
        (``statistic``, ``df``, ``pvalue``; observed and expected events per
        group). Groups without subjects are left out of the degrees of freedom.
        """
        return self.state.logrank_test()


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class GroupedKaplanMeierResult(_GroupedCurves):
    """Kaplan-Meier curves per group, with a summary table and the log-rank test.

    Returned by :func:`kaplan_meier` with ``by=``. Columns are documented as
    scalars of :class:`KaplanMeierResult`, vectorised over ``keys``.

    Attributes
    ----------
    keys : ndarray, shape (g,)
        Group labels (sorted, or in the order of ``levels``).
    curves : tuple of KaplanMeierResult
        The curve of each group; ``res[key]`` looks one up.
    n, n_events, n_missing : ndarray of int64, shape (g,)
        Subjects, events and rows omitted for a missing value, per group.
    median : ndarray of float64, shape (g,)
        Median survival time per group, in the unit of the durations (seconds
        for time deltas); ``inf`` where the curve stays above 0.5, NaN for a
        group without subjects.
    median_low, median_high : ndarray of float64, shape (g,)
        95% interval of the median (Brookmeyer-Crowley, log-log band); see
        :meth:`median_interval` for other levels and bands.
    time_unit : str or None
        ``'seconds'`` when the durations were time deltas, else None (the unit
        of the numbers given).
    state : GroupedSurvivalState
        The event tables behind the curves.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.kaplan_meier([2, 3, 4, 8, 9, 12, 14, 20], [1, 1, 1, 1, 0, 1, 1, 0],
    ...                       by=["trial", "trial", "trial", "paid", "trial", "paid", "paid", "paid"])
    >>> res.keys.tolist(), res.n.tolist(), res.median.tolist()
    (['paid', 'trial'], [4, 4], [13.0, 3.5])
    >>> res["trial"].survival.round(3).tolist()
    [0.75, 0.5, 0.25, 0.25]
    >>> round(res.logrank().pvalue, 4)
    0.1005
    """

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    curves: tuple[KaplanMeierResult, ...] = attrs.field(converter=_curves)
    n: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n_events: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n_missing: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    median: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    median_low: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    median_high: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    time_unit: str | None
    state: GroupedSurvivalState

    _scalar_result: ClassVar[type] = KaplanMeierResult
    _columns: ClassVar[tuple[str, ...]] = (
        "n",
        "n_events",
        "n_missing",
        "median",
        "median_low",
        "median_high",
    )
    _shared: ClassVar[tuple[str, ...]] = ()
    _table: ClassVar[tuple[str, ...]] = (
        "n",
        "n_events",
        "median",
        "median_low",
        "median_high",
    )

    @classmethod
    def from_state(
        cls, state: GroupedSurvivalState, *, time_unit: str | None = None
    ) -> GroupedKaplanMeierResult:
        """Curves and summary of every group of ``state``."""
        curves = [
            attrs.evolve(state.row(i).compute(), time_unit=time_unit)
            for i in range(len(state))
        ]
        intervals = [c.median_interval() for c in curves]
        return cls(
            keys=state.keys,
            curves=curves,
            n=[c.n for c in curves],
            n_events=[c.n_events for c in curves],
            n_missing=state.n_missing,
            median=[c.median for c in curves],
            median_low=[ci.low for ci in intervals],
            median_high=[ci.high for ci in intervals],
            time_unit=time_unit,
            state=state,
        )

    def median_interval(
        self, confidence_level: float = 0.95, *, method: SurvivalBand = "log-log"
    ) -> ConfidenceIntervalArray:
        """Interval of each group's median (see :meth:`KaplanMeierResult.median_interval`).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.kaplan_meier([1, 2, 3, 4, 5, 6], by=[0, 0, 0, 1, 1, 1])
        >>> res.median_interval(0.9, method="log").low.tolist()
        [1.0, 4.0]
        """
        intervals = [
            c.median_interval(confidence_level, method=method) for c in self.curves
        ]
        return ConfidenceIntervalArray(
            np.array([ci.low for ci in intervals], dtype=np.float64),
            np.array([ci.high for ci in intervals], dtype=np.float64),
        )

    def quantile(self, probability: float) -> Float:
        """Each group's :meth:`KaplanMeierResult.quantile`, as an array over ``keys``."""
        return np.array([c.quantile(probability) for c in self.curves], np.float64)

    @overload
    def survival_at(self, times: float) -> Float: ...
    @overload
    def survival_at(self, times: ArrayLike) -> Float: ...
    def survival_at(self, times: Any) -> Float:
        """Each group's curve at ``times``: shape ``(g,)`` for one time, ``(g, m)`` for m.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.kaplan_meier([1, 2, 3, 4, 5, 6], by=["a", "a", "a", "b", "b", "b"])
        >>> res.survival_at([2, 5]).round(3).tolist()
        [[0.333, 0.0], [1.0, 0.333]]
        """
        rows = [np.asarray(c.survival_at(times), dtype=np.float64) for c in self.curves]
        shape = np.shape(times)
        if not rows:
            return np.zeros((0, *shape))
        return np.stack(rows)

    def __str__(self) -> str:
        unit = f" (times in {self.time_unit})" if self.time_unit else ""
        return f"Kaplan-Meier curves of {len(self)} group(s){unit}\n" + repr(self)


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class GroupedNelsonAalenResult(_GroupedCurves):
    """Nelson-Aalen cumulative hazards per group, with the log-rank test.

    Returned by :func:`nelson_aalen` with ``by=``.

    Attributes
    ----------
    keys : ndarray, shape (g,)
        Group labels.
    curves : tuple of NelsonAalenResult
        The curve of each group; ``res[key]`` looks one up.
    n, n_events, n_missing : ndarray of int64, shape (g,)
        Subjects, events and omitted rows per group.
    cumulative_hazard : ndarray of float64, shape (g,)
        Cumulative hazard at each group's last time (0 without events).
    time_unit : str or None
        ``'seconds'`` when the durations were time deltas, else None.
    state : GroupedSurvivalState
        The event tables behind the curves.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.nelson_aalen([2, 2, 3, 5, 1, 4], [1, 1, 1, 0, 1, 1], by=list("aaaabb"))
    >>> res.n.tolist(), res.cumulative_hazard.tolist()
    ([4, 2], [1.0, 1.5])
    >>> res["a"].cumulative_hazard.tolist()
    [0.5, 1.0, 1.0]
    """

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    curves: tuple[NelsonAalenResult, ...] = attrs.field(converter=_curves)
    n: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n_events: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n_missing: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    cumulative_hazard: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    time_unit: str | None
    state: GroupedSurvivalState

    _scalar_result: ClassVar[type] = NelsonAalenResult
    _columns: ClassVar[tuple[str, ...]] = (
        "n",
        "n_events",
        "n_missing",
        "cumulative_hazard",
    )
    _shared: ClassVar[tuple[str, ...]] = ()
    _table: ClassVar[tuple[str, ...]] = ("n", "n_events", "cumulative_hazard")

    @classmethod
    def from_state(
        cls,
        state: GroupedSurvivalState,
        *,
        ties: CumulativeHazardTies = "nelson-aalen",
        time_unit: str | None = None,
    ) -> GroupedNelsonAalenResult:
        """Cumulative hazards and summary of every group of ``state``."""
        check_option("ties", ties, CumulativeHazardTies)
        curves = [
            attrs.evolve(state.row(i).nelson_aalen(ties=ties), time_unit=time_unit)
            for i in range(len(state))
        ]
        return cls(
            keys=state.keys,
            curves=curves,
            n=[c.n for c in curves],
            n_events=state.events.sum(axis=1) if len(state) else [],
            n_missing=state.n_missing,
            cumulative_hazard=[
                float(c.cumulative_hazard[-1]) if c.time.size else 0.0 for c in curves
            ],
            time_unit=time_unit,
            state=state,
        )

    def cumulative_hazard_at(self, times: Any) -> Float:
        """Each group's cumulative hazard at ``times``: shape ``(g,)`` or ``(g, m)``."""
        rows = [
            np.asarray(c.cumulative_hazard_at(times), dtype=np.float64)
            for c in self.curves
        ]
        if not rows:
            return np.zeros((0, *np.shape(times)))
        return np.stack(rows)
