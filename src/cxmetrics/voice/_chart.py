"""Control-chart results: points, centre line, limits and the run rules they break."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_keys,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics.typing import ControlRules

__all__ = ["ControlChartResult", "IMRChartResult"]


def _names(x: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in x)


def _frozen_bool(x: ArrayLike) -> NDArray[np.bool_]:
    arr = np.array(x, dtype=bool)
    arr.setflags(write=False)
    return arr


@attrs.frozen(eq=True, repr=False, field_transformer=nan_equal_fields)
class ControlChartResult(DisplayMixin):
    r"""A control chart: points, centre line, limits and the run rules they break.

    Attributes
    ----------
    chart : str
        ``'p'``, ``'laney_p'``, ``'u'``, ``'individuals'`` or ``'moving_range'``.
    keys : ndarray, shape (m,)
        Period (or sample) of each point.
    value : ndarray of float, shape (m,)
        The plotted statistic: a share (p charts, in [0, 1]), a rate per
        ``per`` units (u charts), a value (individuals) or a moving range.
    n : ndarray of float, shape (m,)
        Sample size (p), exposure (u); 1 for individuals charts.
    center, lower, upper : ndarray of float, shape (m,)
        Centre line and control limits of each point (limits are clipped to the
        statistic's range, e.g. 0 for a share).
    sigma : ndarray of float, shape (m,)
        Standard deviation of each point about the centre line (after
        Laney's adjustment for ``'laney_p'``).
    rules : str
        The rule set applied.
    rule_names : tuple of str
        Names of the columns of ``violations``.
    violations : ndarray of bool, shape (m, n_rules)
        Which rule each point breaks (flagged on the point that completes a run).
    sigma_z : float
        Laney's :math:`\sigma_z` (1 for the other charts).

    Examples
    --------
    >>> from cxmetrics.voice import p_chart
    >>> res = p_chart([5, 6, 4, 20], [50, 50, 50, 50], keys=["w1", "w2", "w3", "w4"])
    >>> res.signal.tolist()
    [False, False, False, True]
    >>> round(float(res.center[0]), 4)
    0.175
    """

    chart: str
    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    value: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    n: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    center: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    lower: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    upper: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    sigma: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    rules: ControlRules
    rule_names: tuple[str, ...] = attrs.field(converter=_names)
    violations: NDArray[np.bool_] = attrs.field(converter=_frozen_bool, eq=array_eq)
    sigma_z: float = 1.0

    @property
    def signal(self) -> NDArray[np.bool_]:
        """Points that break any rule, shape (m,).

        Examples
        --------
        >>> from cxmetrics.voice import p_chart
        >>> p_chart([1, 1, 9], [10, 10, 10]).signal.tolist()
        [False, False, True]
        """
        out: NDArray[np.bool_] = np.asarray(self.violations.any(axis=1), dtype=bool)
        return out

    @property
    def beyond_limits(self) -> NDArray[np.bool_]:
        """Points outside the control limits (rule 1), shape (m,).

        Examples
        --------
        >>> from cxmetrics.voice import u_chart
        >>> u_chart([2, 3, 2, 12], [100, 100, 100, 100]).beyond_limits.tolist()
        [False, False, False, True]
        """
        out: NDArray[np.bool_] = self.violations[:, 0]
        return out

    def __len__(self) -> int:
        return int(self.value.shape[0])

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns: key, value, n, centre, limits, sigma, signal and one per rule.

        Examples
        --------
        >>> from cxmetrics.voice import p_chart
        >>> list(p_chart([1, 2], [10, 10], rules="limits").to_dict())
        ['key', 'value', 'n', 'center', 'lower', 'upper', 'sigma', 'signal', 'beyond_limits']
        """
        out: dict[str, NDArray[Any]] = {
            "key": self.keys,
            "value": self.value,
            "n": self.n,
            "center": self.center,
            "lower": self.lower,
            "upper": self.upper,
            "sigma": self.sigma,
            "signal": self.signal,
        }
        for j, name in enumerate(self.rule_names):
            out[name] = self.violations[:, j]
        return out

    def to_pandas(self) -> Any:
        """The columns of :meth:`to_dict` as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __repr__(self) -> str:
        flagged = np.flatnonzero(self.signal)
        shown = ", ".join(str(k) for k in self.keys[flagged][:10].tolist())
        more = f" ... {flagged.size - 10} more" if flagged.size > 10 else ""
        lo, hi = (
            float(np.min(self.lower, initial=np.inf)),
            float(np.max(self.upper, initial=-np.inf)),
        )
        return (
            f"{self.chart} chart of {len(self)} points: centre "
            f"{float(np.mean(self.center)) if len(self) else math.nan:.4g}, limits "
            f"{lo:.4g} to {hi:.4g}; {flagged.size} signal(s) ({self.rules})"
            + (f": {shown}{more}" if flagged.size else "")
        )


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class IMRChartResult(DisplayMixin):
    """Individuals and moving-range charts of one series.

    Attributes
    ----------
    individuals : ControlChartResult
    moving_range : ControlChartResult

    Examples
    --------
    >>> from cxmetrics.voice import i_mr_chart
    >>> res = i_mr_chart([10.0, 12.0, 11.0, 13.0])
    >>> round(float(res.individuals.center[0]), 2), round(float(res.moving_range.center[0]), 3)
    (11.5, 1.667)
    """

    individuals: ControlChartResult
    moving_range: ControlChartResult

    def __repr__(self) -> str:
        return f"{self.individuals!r}\n{self.moving_range!r}"
