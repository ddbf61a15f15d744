"""Results of an experiment: one lift per treatment arm, and the table of all arms."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.result import GroupedResult, column, grouped_result, shared
from cxmetrics._core.validation import check_confidence_level, check_option
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.experiments._kernel import critical, fieller, sequential_halfwidth
from cxmetrics.experiments._multiple import adjust_pvalues
from cxmetrics.experiments._srm import SRMResult
from cxmetrics.stats import (
    CI,
    ConfidenceInterval,
    ConfidenceIntervalArray,
    IntervalMethods,
)
from cxmetrics.typing import Alternative, ExperimentKind, LiftInterval, PValueAdjustment

__all__ = ["ExperimentResult", "LiftResult"]

_F = NDArray[np.float64]


def _intervals(
    obj: Any, confidence_level: float | None, method: LiftInterval | None
) -> tuple[_F, _F]:
    """Bounds for a LiftResult or ExperimentResult (fields scalar or per arm)."""
    level = (
        obj.confidence_level
        if confidence_level is None
        else check_confidence_level(confidence_level)
    )
    method = obj.interval if method is None else method
    check_option("method", method, LiftInterval)
    if method == "fieller" and not obj.relative:
        msg = "method='fieller' is an interval for a relative lift; pass relative=True."
        raise InvalidInputError(msg)
    value = np.asarray(obj.value, dtype=np.float64) / (
        1.0 if obj.relative else obj.scale
    )
    se = np.asarray(obj.standard_error, dtype=np.float64) / (
        1.0 if obj.relative else obj.scale
    )
    df = np.asarray(obj.df, dtype=np.float64)
    if obj.sequential:
        total = np.asarray(obj.n, dtype=np.float64)
        half = sequential_halfwidth(se * se, total, 1.0 - level, obj.tuning)
        low, high = value - half, value + half
    else:
        crit = critical(level, df, obj.alternative)
        if method == "fieller":
            low, high = fieller(
                np.asarray(obj.difference),
                np.asarray(obj.difference_variance),
                np.asarray(obj.denominator),
                np.asarray(obj.denominator_variance),
                np.asarray(obj.covariance),
                crit,
            )
        else:
            low, high = value - crit * se, value + crit * se
        if obj.alternative == "greater":
            high = np.full(np.shape(value), np.inf)
        elif obj.alternative == "less":
            low = np.full(np.shape(value), -np.inf)
    undefined = np.isnan(value) | np.isnan(se)
    low = np.where(undefined, np.nan, low)
    high = np.where(undefined, np.nan, high)
    factor = 1.0 if obj.relative else obj.scale
    return low * factor, high * factor


class _LiftMethods(IntervalMethods[CI]):
    """The lift's interval, written once for :class:`LiftResult` and the table of arms."""

    __slots__ = ()

    def confidence_interval(
        self,
        confidence_level: float | None = None,
        *,
        method: LiftInterval | None = None,
    ) -> CI:
        """Interval for ``value``: fixed-horizon, or the confidence sequence if sequential.

        Parameters
        ----------
        confidence_level : float, optional
            Coverage in (0, 1); default the level the experiment was run at.
        method : {'delta', 'fieller'}, optional
            ``'fieller'`` (relative lifts only) inverts Fieller's test, which stays
            honest when the control mean is near zero; default ``interval``.

        Returns
        -------
        ConfidenceInterval or ConfidenceIntervalArray
            One per treatment arm for an :class:`ExperimentResult`.
        """
        low, high = _intervals(self, confidence_level, method)
        return self._bounds(low, high)


@attrs.frozen(field_transformer=nan_equal_fields)
class LiftResult(DisplayMixin, _LiftMethods[ConfidenceInterval]):
    r"""Effect of one treatment arm against the control.

    Attributes
    ----------
    value : float
        The lift: ``estimate_arm - estimate_control`` (absolute, in the KPI's unit:
        NPS points for NPS, a fraction for proportions), or that difference divided
        by ``mean_control`` (relative, a fraction: 0.05 is +5 %).
    standard_error : float
        Standard error of ``value`` (delta method for relative lifts and ratios).
    statistic : float
        ``value / standard_error``: the Welch t or z statistic of "no difference",
        on the reported scale (as gbstats), so the p-value and the delta-method
        interval agree.
    pvalue : float
        P-value of that test; always valid (sequential) when ``sequential`` is True.
    df : float
        Welch-Satterthwaite degrees of freedom (``inf`` for a z test).
    estimate_control, estimate_arm : float
        The KPI per arm (CUPED-adjusted when a covariate was given).
    mean_control : float
        The unadjusted control KPI, the denominator of a relative lift.
    n_control, n_arm, n : int
        Units in the control, in this arm, and both.
    variance_reduction : float
        ``1 - Var(adjusted difference) / Var(unadjusted difference)``; 0 without CUPED.
    control, arm : object
        Labels of the two arms.
    kind, relative, test, interval, sequential, tuning, confidence_level, alternative, theta, scale
        The method and its options (``theta`` is CUPED's pooled slope, 0 without it;
        ``scale`` is 100 for NPS points, else 1).
    difference, difference_variance, denominator, denominator_variance, covariance
        On the internal scale (NPS on [-1, 1]; hidden from the repr): the adjusted
        difference and its variance, the unadjusted control mean and its variance,
        and their covariance, from which the relative lift and Fieller's interval
        are built.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.experiment([4.0, 6.0, 5.0, 7.0], ["A", "A", "B", "B"], control="A")
    >>> lift = res["B"]
    >>> lift.value
    1.0
    >>> lo, hi = lift.confidence_interval()
    >>> round(lo, 3), round(hi, 3)
    (-5.085, 7.085)
    """

    value: float
    standard_error: float
    statistic: float
    pvalue: float
    df: float
    estimate_control: float
    estimate_arm: float
    mean_control: float
    n_control: int
    n_arm: int
    n: int
    variance_reduction: float
    control: Any = shared()
    arm: Any = column(key=True)
    kind: ExperimentKind = shared()
    relative: bool = shared()
    test: str = shared()
    interval: LiftInterval = shared()
    sequential: bool = shared()
    tuning: float = shared()
    confidence_level: float = shared()
    alternative: Alternative = shared()
    theta: float = shared()
    scale: float = shared()
    # on the internal scale (NPS on [-1, 1]): the difference, its variance, the
    # relative lift's denominator (the unadjusted control mean), its variance and
    # their covariance; Fieller's interval needs them
    difference: float = column(hidden=True)
    difference_variance: float = column(hidden=True)
    denominator: float = column(hidden=True)
    denominator_variance: float = column(hidden=True)
    covariance: float = column(hidden=True)

    def __str__(self) -> str:
        low, high = self.confidence_interval()
        unit = "relative lift" if self.relative else "lift"
        how = "sequential " if self.sequential else ""
        return (
            f"{self.arm!s} vs {self.control!s}: {unit} {self.value:+.4g} "
            f"({how}{self.confidence_level:.0%} CI {low:.4g} to {high:.4g}), "
            f"p = {self.pvalue:.4g}; n = {self.n_arm} vs {self.n_control}"
        )


@grouped_result(
    LiftResult,
    table=("value", "standard_error", "pvalue", "n"),
    extra={
        "arms": attrs.field(converter=frozen_keys, eq=array_eq),
        "arm_count": attrs.field(converter=frozen_int, eq=array_eq),
        "arm_missing": attrs.field(converter=frozen_int, eq=array_eq),
        "srm": attrs.field(),
    },
)
class ExperimentResult(
    GroupedResult[LiftResult], _LiftMethods[ConfidenceIntervalArray]
):
    """Every treatment arm against the control, one row per treatment arm.

    Columns (arrays, one entry per treatment arm in ``keys``) are the fields of
    :class:`LiftResult`; ``result[arm]`` is that arm's :class:`LiftResult`.

    Attributes
    ----------
    keys : ndarray
        Treatment arm labels.
    arms, arm_count, arm_missing : ndarray
        Every arm (control included), its units used and its omitted missing units.
    srm : SRMResult
        Sample-ratio-mismatch test of the assigned units against ``expected_split``.
        A failing test (``srm.pvalue < srm.threshold``) also warns with
        :class:`~cxmetrics.exceptions.DataWarning` when the result is computed.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.experiment(
    ...     [1, 0, 1, 1, 0, 1, 1, 1, 0], list("AAABBBCCC"), control="A", kind="proportion"
    ... )
    >>> res.keys.tolist(), res.value.tolist()
    (['B', 'C'], [0.0, 0.0])
    """

    control: Any
    kind: ExperimentKind
    relative: bool
    test: str
    interval: LiftInterval
    sequential: bool
    tuning: float
    confidence_level: float
    alternative: Alternative
    theta: float
    scale: float
    arms: NDArray[Any]
    arm_count: NDArray[np.int64]
    arm_missing: NDArray[np.int64]
    srm: SRMResult

    def adjusted_pvalues(self, method: PValueAdjustment = "holm") -> _F:
        """P-values adjusted for the several arms (see :func:`adjust_pvalues`)."""
        return adjust_pvalues(self.pvalue, method=method)

    def __str__(self) -> str:
        rows = [str(self[k]) for k in self.keys.tolist()]
        srm = "SRM check failed" if self.srm.failed else "SRM check passed"
        return "\n".join([*rows, f"{srm} (p = {self.srm.pvalue:.3g})"])
