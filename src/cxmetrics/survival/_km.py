r"""Kaplan-Meier survival curves: Greenwood variance, bands, quantiles and RMST.

Everything here is computed from an event table (see ``_event_table``); the
function :func:`kaplan_meier` validates raw durations, builds the table and calls
:func:`kaplan_meier_from_table`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, get_args, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    adopt,
    array_eq,
    frozen_float,
    frozen_int,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_option, check_probability, check_time
from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.stats import ConfidenceInterval, ConfidenceIntervalArray, critical_value
from cxmetrics.survival._risk_set import at_risk
from cxmetrics.typing import SurvivalBand

__all__ = [
    "BANDS",
    "KaplanMeierResult",
    "RestrictedMeanResult",
    "kaplan_meier_from_table",
    "survival_band",
]

BANDS: tuple[str, ...] = get_args(SurvivalBand)
#: R's quantile.survfit tolerance for a curve lying exactly on a quantile
_TOL = math.sqrt(float(np.finfo(np.float64).eps))

Float = NDArray[np.float64]


def survival_band(
    survival: Float, greenwood: Float, confidence_level: float, method: str
) -> ConfidenceIntervalArray:
    r"""Pointwise confidence band of a Kaplan-Meier curve.

    ``greenwood`` is :math:`\sigma^2 = \sum d/(n(n-d))`, the variance of
    :math:`\log S`. Where :math:`S = 1` (no event yet) the variance is 0 and the
    band is [1, 1]; where :math:`S = 0` (everyone at risk had the event) the
    variance is infinite and the band is [0, 1], the limit of every method.
    """
    check_option("method", method, SurvivalBand)
    z = critical_value(confidence_level)
    s = np.asarray(survival, dtype=np.float64)
    sd = np.sqrt(np.asarray(greenwood, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "log-log":
            theta = z * sd / np.log(s)
            low = s ** np.exp(-theta)
            high = s ** np.exp(theta)
        elif method == "log":
            low = s * np.exp(-z * sd)
            high = np.minimum(s * np.exp(z * sd), 1.0)
        else:
            half = z * sd * s
            low = np.maximum(s - half, 0.0)
            high = np.minimum(s + half, 1.0)
    low = np.where(s >= 1.0, 1.0, np.where(s <= 0.0, 0.0, low))
    high = np.where(s >= 1.0, 1.0, np.where(s <= 0.0, 1.0, high))
    return ConfidenceIntervalArray(low, high)


def _crossing(time: Float, survival: Float, probability: float) -> float:
    """Time at which a curve drops to ``1 - probability`` (R's ``quantile.survfit``).

    The first time the curve is at or below the level; when the curve lies on the
    level (within ``sqrt(eps)``) over a flat stretch, the midpoint of that stretch
    (to the last time when it lasts to the end); ``inf`` when never reached.
    """
    if probability == 0.0:
        return 0.0
    if time.size == 0:
        return math.inf
    cdf = 1.0 - survival
    reached = np.flatnonzero(cdf >= probability - _TOL)
    if reached.size == 0:
        return math.inf
    k1 = int(reached[0])
    beyond = np.flatnonzero(cdf >= probability + _TOL)
    if beyond.size == 0:
        if abs(float(cdf[k1]) - probability) < _TOL:
            return (float(time[k1]) + float(time[-1])) / 2.0
        # cdf == probability - _TOL exactly: reached, but not on the level
        return float(time[k1])
    k2 = int(beyond[0])
    return (float(time[k1]) + float(time[k2])) / 2.0


@attrs.frozen(field_transformer=nan_equal_fields)
class RestrictedMeanResult(DisplayMixin):
    r"""Restricted mean survival time :math:`\mu_\tau = \int_0^\tau S(t)\,dt`.

    Attributes
    ----------
    value : float
        The restricted mean, in the unit of the durations, in [0, ``tau``].
    standard_error : float
        Its standard error (Klein & Moeschberger 2003, eq. 4.5.2; R's
        ``print.survfit(rmean=)``).
    tau : float
        The horizon.
    n : int
        Subjects behind the curve.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.kaplan_meier([2, 4, 4, 7], [1, 1, 0, 1]).restricted_mean(6)
    >>> res.value, round(res.standard_error, 4)
    (4.5, 0.8292)
    """

    value: float
    standard_error: float
    tau: float
    n: int

    def confidence_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Normal (Wald) interval ``value ± z·SE``, clipped to [0, ``tau``].

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.kaplan_meier([2, 4, 4, 7], [1, 1, 0, 1]).restricted_mean(6)
        >>> [round(b, 3) for b in res.confidence_interval()]
        [2.875, 6.0]
        """
        z = critical_value(confidence_level)
        half = z * self.standard_error
        return ConfidenceInterval(
            max(self.value - half, 0.0), min(self.value + half, self.tau)
        )


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class KaplanMeierResult(DisplayMixin):
    r"""A Kaplan-Meier survival curve with its Greenwood variance.

    The curve is reported at every distinct time with an event or a censoring
    (as R's ``survfit``); between these times it is constant, and it is 1 before
    the first. Arrays have one entry per reported time.

    Attributes
    ----------
    time : ndarray of float64
        Distinct event and censoring times, increasing.
    at_risk : ndarray of int64
        Subjects at risk just before each time.
    events, censored : ndarray of int64
        Events and censorings at each time.
    survival : ndarray of float64
        :math:`\hat S(t)`, a fraction in [0, 1], non-increasing.
    standard_error : ndarray of float64
        Greenwood standard error of :math:`\hat S(t)`; NaN once the curve is 0.
    greenwood : ndarray of float64
        :math:`\sum_{t_j \le t} d_j/(n_j(n_j-d_j))`, the variance of
        :math:`\log \hat S(t)`; ``inf`` once the curve is 0.
    n : int
        Subjects.
    n_events : int
        Events.
    n_missing : int
        Rows omitted for a missing value.
    time_unit : str or None
        ``'seconds'`` when the durations were time deltas (converted to
        seconds), else None: times are in the unit of the numbers given.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.kaplan_meier([3, 5, 5, 8, 10], [1, 1, 0, 1, 0])
    >>> res.survival.round(4).tolist()
    [0.8, 0.6, 0.3, 0.3]
    >>> res.at_risk.tolist(), res.median
    ([5, 4, 2, 1], 8.0)
    """

    time: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    at_risk: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    events: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    censored: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    survival: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    standard_error: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    greenwood: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    n: int
    n_events: int
    n_missing: int = 0
    time_unit: str | None = None

    def confidence_interval(
        self, confidence_level: float = 0.95, *, method: SurvivalBand = "log-log"
    ) -> ConfidenceIntervalArray:
        r"""Pointwise confidence band of the curve at each of ``time``.

        Parameters
        ----------
        confidence_level : float, default 0.95
            Coverage in (0, 1).
        method : {'log-log', 'log', 'plain'}, default 'log-log'
            The scale on which the Greenwood interval is symmetric, with
            :math:`\sigma^2` = ``greenwood`` and :math:`z` the normal quantile:

            * ``'log-log'`` (Kalbfleisch & Prentice 1980, "exponential
              Greenwood"): :math:`\hat S^{\exp(\pm z\sigma/\log \hat S)}`. The
              default: it stays inside [0, 1] without clipping and keeps close
              to nominal coverage in small samples (Borgan & Liestøl 1990). It is
              lifelines' only band and the default of SAS and Stata.
            * ``'log'``: :math:`\hat S\,e^{\pm z\sigma}`, upper bound clipped at 1;
              the default of R's ``survfit`` (``conf.type="log"``).
            * ``'plain'``: :math:`\hat S \pm z\sigma\hat S` (Greenwood on the
              survival scale), clipped to [0, 1].

        Returns
        -------
        ConfidenceIntervalArray
            Bounds in [0, 1]; [1, 1] before the first event and [0, 1] once the
            curve is 0 (R gives NA there, lifelines [0, 0]).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.kaplan_meier([3, 5, 5, 8, 10], [1, 1, 0, 1, 0])
        >>> res.confidence_interval().low.round(4).tolist()
        [0.2038, 0.1257, 0.0123, 0.0123]
        """
        return survival_band(self.survival, self.greenwood, confidence_level, method)

    @overload
    def survival_at(self, times: float) -> float: ...
    @overload
    def survival_at(self, times: ArrayLike) -> Float: ...
    def survival_at(self, times: Any) -> Any:
        """The curve at any times: 1 before the first time, the last value after.

        Vectorised (one binary search per time). Beyond the last observed time the
        curve is undefined unless it reached 0; it is carried forward, as lifelines
        and R's ``summary(fit, times, extend=TRUE)`` do.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.kaplan_meier([3, 5, 5, 8, 10], [1, 1, 0, 1, 0])
        >>> res.survival_at([0, 3, 4.5, 9, 100]).tolist()
        [1.0, 0.8, 0.8, 0.3, 0.3]
        >>> res.survival_at(5)
        0.6
        """
        t = np.asarray(times, dtype=np.float64)
        idx = np.searchsorted(self.time, t, side="right") - 1
        values = np.concatenate(([1.0], self.survival))[idx + 1]
        out = np.where(np.isnan(t) | (self.n == 0), np.nan, values)
        if out.ndim == 0:
            return float(out)
        return out

    def quantile(self, probability: float) -> float:
        r"""Time by which a fraction ``probability`` has had the event.

        The first time :math:`\hat S(t) \le 1 - p`; where the curve lies exactly on
        :math:`1 - p` over a stretch, the midpoint of that stretch (R's
        ``quantile.survfit``; without censoring this is the usual sample quantile,
        e.g. the median of an even count is the mean of the middle two). ``inf``
        when the curve never gets that low (R: NA); NaN without subjects.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.kaplan_meier([1, 2, 3, 4]).quantile(0.5)
        2.5
        >>> cx.kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0]).quantile(0.5)
        inf
        """
        p = check_probability("probability", probability)
        if self.n == 0:
            return math.nan
        return _crossing(self.time, self.survival, p)

    @property
    def median(self) -> float:
        """Median survival time: ``quantile(0.5)`` (``inf`` if not reached)."""
        return self.quantile(0.5)

    def quantile_interval(
        self,
        probability: float,
        confidence_level: float = 0.95,
        *,
        method: SurvivalBand = "log-log",
    ) -> ConfidenceInterval:
        """Confidence interval of :meth:`quantile` (Brookmeyer & Crowley 1982).

        The interval holds the times whose pointwise band contains
        :math:`1 - p`: the lower limit is where the lower band reaches
        :math:`1 - p`, the upper limit where the upper band does, with the same
        rule as :meth:`quantile` (as R's ``quantile.survfit``). An upper limit of
        ``inf`` means "not reached" (R: NA).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.kaplan_meier([3, 5, 5, 8, 10, 12, 15], [1, 1, 0, 1, 0, 1, 1])
        >>> res.median, res.quantile_interval(0.5)
        (12.0, ConfidenceInterval(low=3.0, high=inf))
        """
        p = check_probability("probability", probability)
        band = self.confidence_interval(confidence_level, method=method)
        if self.n == 0:
            return ConfidenceInterval(math.nan, math.nan)
        return ConfidenceInterval(
            _crossing(self.time, band.low, p), _crossing(self.time, band.high, p)
        )

    def median_interval(
        self, confidence_level: float = 0.95, *, method: SurvivalBand = "log-log"
    ) -> ConfidenceInterval:
        """Confidence interval of the median (see :meth:`quantile_interval`).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.kaplan_meier([3, 5, 5, 8, 10, 12, 15]).median_interval(method="log")
        ConfidenceInterval(low=5.0, high=inf)
        """
        return self.quantile_interval(0.5, confidence_level, method=method)

    def restricted_mean(self, tau: float) -> RestrictedMeanResult:
        r"""Restricted mean survival time up to ``tau``, with its standard error.

        .. math::

            \hat\mu_\tau = \int_0^\tau \hat S(t)\,dt, \qquad
            \widehat{\operatorname{Var}}(\hat\mu_\tau) =
            \sum_{t_j \le \tau} \Bigl(\int_{t_j}^{\tau} \hat S(t)\,dt\Bigr)^2
            \frac{d_j}{n_j (n_j - d_j)}

        (Klein & Moeschberger 2003, §4.5; the estimator of R's
        ``print.survfit(fit, rmean=tau)``; a term with :math:`n_j = d_j` is 0). Past
        the last time the curve is carried forward. The mean is lifelines'
        ``restricted_mean_survival_time(kmf, t=tau)``; its ``return_variance`` is the
        variance of :math:`\min(T, \tau)`, not of the estimate.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.kaplan_meier([2, 4, 4, 7], [1, 1, 0, 1]).restricted_mean(6)
        >>> res.value
        4.5
        """
        horizon = check_time("tau", tau, positive=True)
        if self.n == 0:
            return RestrictedMeanResult(math.nan, math.nan, horizon, 0)
        keep = self.time <= horizon
        t = self.time[keep]
        s = self.survival[keep]
        edges = np.concatenate(([0.0], t, [horizon]))
        heights = np.concatenate(([1.0], s))
        areas = np.diff(edges) * heights
        value = float(areas.sum())
        # area from each time t_j to tau: areas after it, summed from the end
        tail = np.cumsum(areas[::-1])[::-1][1:]
        d = self.events[keep].astype(np.float64)
        n = self.at_risk[keep].astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where((d > 0) & (n > d), d / (n * (n - d)), 0.0)
        variance = float(np.sum(tail * tail * term))
        return RestrictedMeanResult(value, math.sqrt(variance), horizon, self.n)

    def to_dict(self) -> dict[str, Float | NDArray[np.int64]]:
        """Columns, with the 95% log-log band as ``ci_low`` and ``ci_high``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> sorted(cx.kaplan_meier([3, 5]).to_dict())
        ['at_risk', 'censored', 'ci_high', 'ci_low', 'events', 'standard_error', 'survival', 'time']
        """
        band = self.confidence_interval()
        return {
            "time": self.time,
            "at_risk": self.at_risk,
            "events": self.events,
            "censored": self.censored,
            "survival": self.survival,
            "standard_error": self.standard_error,
            "ci_low": band.low,
            "ci_high": band.high,
        }

    def to_pandas(self) -> Any:
        """The columns of :meth:`to_dict` as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __repr__(self) -> str:
        unit = "" if self.time_unit is None else f", time_unit={self.time_unit!r}"
        return (
            f"KaplanMeierResult(n={self.n}, n_events={self.n_events}, "
            f"times={self.time.size}, median={self.median!r}{unit})"
        )

    def __str__(self) -> str:
        if self.n == 0:
            return "Kaplan-Meier curve undefined (n=0)"
        low, high = self.median_interval()
        unit = "" if self.time_unit is None else f" {self.time_unit}"
        return (
            f"Kaplan-Meier curve: n={self.n}, events={self.n_events}, median "
            f"{self.median:g}{unit} (95% CI {low:g} to {high:g}), {self.time.size} time point(s)"
        )


def kaplan_meier_from_table(
    times: Float,
    entered: NDArray[np.int64],
    events: NDArray[np.int64],
    censored: NDArray[np.int64],
    n_missing: int = 0,
) -> KaplanMeierResult:
    r"""Kaplan-Meier estimate and Greenwood variance from an event table.

    :math:`\hat S(t) = \prod_{t_j \le t} (1 - d_j/n_j)` (Kaplan & Meier 1958) and
    :math:`\widehat{\operatorname{Var}}\,\hat S(t) = \hat S(t)^2 \sum_{t_j\le t}
    d_j/(n_j(n_j-d_j))` (Greenwood 1926).
    """
    removed = events + censored
    n_at_risk = at_risk(times, entered, removed)
    total = int(entered.sum())
    if total == 0:
        warnings.warn(
            "the Kaplan-Meier curve is undefined for zero subjects; returning an empty curve.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
    # the curve is reported where someone leaves; elsewhere d = 0, so the factor
    # is 1 and the increment 0, which leave the product and the sum unchanged:
    # compute on the reported rows only (a slice when only the origin row goes)
    rows = removed > 0
    gaps = np.flatnonzero(~rows)
    keep: slice | NDArray[np.bool_]
    if gaps.size == 0:
        keep = slice(None)
    elif gaps.size == 1 and gaps[0] == 0:
        keep = slice(1, None)
    else:
        keep = rows
    ev = _rows(events, keep)
    at = n_at_risk[keep]
    d = ev.astype(np.float64)
    n = at.astype(np.float64)  # n >= removed > 0 on these rows
    with np.errstate(divide="ignore", invalid="ignore"):
        survival: Float = np.cumprod((n - d) / n, dtype=np.float64)
        greenwood: Float = np.cumsum(d / (n * (n - d)), dtype=np.float64)
        # once S = 0 the Greenwood sum is inf and 0 * inf is NaN, as wanted
        se: Float = np.multiply(survival, np.sqrt(greenwood), dtype=np.float64)
    if survival.size and survival[-1] <= 0.0:
        se[survival <= 0.0] = np.nan
    return _owned_result(
        _rows(times, keep),
        at,
        ev,
        _rows(censored, keep),
        survival,
        se,
        greenwood,
        total,
        int(events.sum()),
        n_missing,
    )


def _rows(x: NDArray[Any], keep: slice | NDArray[np.bool_]) -> NDArray[Any]:
    """The reported rows of a table column: a view of a read-only (state) array.

    A slice of a writable array (a table passed by hand) is copied, so that the
    frozen result never shares memory that someone can still write.
    """
    out = x[keep]
    return out.copy() if isinstance(keep, slice) and x.flags.writeable else out


def _owned_result(
    time: Float,
    n_at_risk: NDArray[np.int64],
    events: NDArray[np.int64],
    censored: NDArray[np.int64],
    survival: Float,
    se: Float,
    greenwood: Float,
    n: int,
    n_events: int,
    n_missing: int,
) -> KaplanMeierResult:
    """A result around arrays just computed from a valid table, without copies.

    The converters would copy seven arrays of the table's length; these are new
    (or read-only views of the state's arrays), so they are only made read-only.
    """
    return adopt(
        KaplanMeierResult,
        time=time,
        at_risk=n_at_risk,
        events=events,
        censored=censored,
        survival=survival,
        standard_error=se,
        greenwood=greenwood,
        n=n,
        n_events=n_events,
        n_missing=int(n_missing),
    )
