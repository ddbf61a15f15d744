r"""Arrival profiles, baseline forecasts and forecast accuracy (MAPE, WAPE, MASE, bias)."""

from __future__ import annotations

import math
import warnings

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float, frozen_int, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import (
    check_option,
    check_positive_int,
    check_squarable,
    datetime_scalar,
    datetimes_1d,
    numeric_1d,
)
from cxmetrics.exceptions import (
    DataWarning,
    InvalidInputError,
    MissingValueError,
    UndefinedMetricWarning,
)
from cxmetrics.typing import NanPolicy

__all__ = [
    "ArrivalProfile",
    "ForecastAccuracy",
    "arrival_profile",
    "forecast_accuracy",
    "moving_average_forecast",
    "seasonal_naive",
]


def _series(values: ArrayLike, name: str) -> NDArray[np.float64]:
    return numeric_1d(values, name).astype(np.float64)


def _first_missing(mask: NDArray[np.bool_]) -> tuple[int, int]:
    return int(np.argmax(mask)), int(mask.sum())


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class ArrivalProfile(DisplayMixin):
    r"""The intraday arrival pattern: share of each weekday's contacts per interval.

    Attributes
    ----------
    shares : ndarray, shape (days_per_week, periods_per_day)
        Share of a weekday's contacts arriving in each interval; each row sums
        to 1 (NaN for a weekday without contacts).
    counts : ndarray, shape (days_per_week, periods_per_day)
        Contacts summed over the days observed.
    days : ndarray of int, shape (days_per_week,)
        Days observed per weekday (day 0 is ``first_weekday``'s numbering:
        0 = Monday when the data start on a Monday).
    daily_mean : ndarray, shape (days_per_week,)
        Mean contacts per day, by weekday.
    n : float
        Contacts counted.
    n_missing : int
        Left out under ``nan_policy='omit'``: days with a missing count, or
        contacts without a time (:meth:`from_timestamps`).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> p = cx.arrival_profile([10, 30, 20, 40], periods_per_day=2, days_per_week=1)
    >>> p.shares.tolist(), p.daily_mean.tolist()
    ([[0.3, 0.7]], [50.0])
    """

    shares: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    counts: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    days: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    daily_mean: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    n: float
    n_missing: int

    @property
    def value(self) -> NDArray[np.float64]:
        """The shares (the headline table)."""
        return self.shares

    def forecast(
        self, daily_volumes: ArrayLike, *, first_weekday: int = 0
    ) -> NDArray[np.float64]:
        """Spread daily volume forecasts over the intervals by the profile.

        Parameters
        ----------
        daily_volumes : array_like
            Forecast contacts per day, from ``first_weekday`` on.
        first_weekday : int, default 0
            Weekday (row of ``shares``) of the first day.

        Returns
        -------
        ndarray
            Contacts per interval, ``len(daily_volumes) * periods_per_day`` values.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> p = cx.arrival_profile([10, 30, 20, 40], periods_per_day=2, days_per_week=1)
        >>> p.forecast([100, 200]).tolist()
        [30.0, 70.0, 60.0, 140.0]
        """
        d = _series(daily_volumes, "daily_volumes")
        if np.isnan(d).any() or (d < 0).any():
            i = int(np.argmax(np.isnan(d) | (d < 0)))
            msg = f"`daily_volumes` must be numbers >= 0; got {float(d[i])!r} at index {i}."
            raise InvalidInputError(msg)
        week = self.shares.shape[0]
        rows = (int(first_weekday) + np.arange(d.size)) % week
        out = self.shares[rows] * d[:, None]
        return frozen_float(out.reshape(-1))

    @classmethod
    def from_timestamps(
        cls,
        timestamps: ArrayLike,
        *,
        periods_per_day: int,
        start: object | None = None,
        end: object | None = None,
        nan_policy: NanPolicy = "raise",
    ) -> ArrivalProfile:
        """The weekly profile from a contact log: one arrival time per contact.

        Parameters
        ----------
        timestamps : array_like
            Arrival times as **local wall-clock** datetimes (naive ``datetime64``,
            datetime objects or ISO strings); convert zone-aware columns to the
            centre's zone and drop the zone first (zone-aware values are read
            as UTC, which would shift the profile).
        periods_per_day : int
            Intervals per day.
        start, end : date, optional
            First and last day of the log (default: the first and last contact's
            day); days without contacts count as observed days with zero.
        nan_policy : {'raise', 'omit'}, default 'raise'
            A contact without a time raises, or is left out and counted in
            ``n_missing``.

        Returns
        -------
        ArrivalProfile
            Weekday rows Monday (0) to Sunday (6).

        Raises
        ------
        InvalidInputError
            Contacts outside ``[start, end]``.

        Examples
        --------
        A week from Monday 2 March 2026: a contact at 09:00 every day, and one
        more at 14:00 on the Monday.

        >>> import cxmetrics as cx
        >>> import numpy as np
        >>> days = np.arange("2026-03-02", "2026-03-09", dtype="datetime64[D]")
        >>> log = np.concatenate([days + np.timedelta64(9, "h"),
        ...                       days[:1] + np.timedelta64(14, "h")])
        >>> p = cx.ArrivalProfile.from_timestamps(log, periods_per_day=24)
        >>> p.days.tolist(), p.shares[0, [9, 14]].tolist(), p.daily_mean.tolist()
        ([1, 1, 1, 1, 1, 1, 1], [0.5, 0.5], [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
        """
        check_option("nan_policy", nan_policy, NanPolicy)
        p = check_positive_int("periods_per_day", periods_per_day)
        ts = datetimes_1d(timestamps, "timestamps", allow_missing=nan_policy == "omit")
        missing = np.isnat(ts)
        ts = ts[~missing]
        day = ts.astype("datetime64[D]")
        if day.size == 0 and (start is None or end is None):
            msg = "`timestamps` holds no contact; pass `start` and `end` to profile an empty log."
            raise InvalidInputError(msg)
        first = (
            day.min()
            if start is None
            else datetime_scalar(start, "start").astype("datetime64[D]")
        )
        last = (
            day.max()
            if end is None
            else datetime_scalar(end, "end").astype("datetime64[D]")
        )
        outside = (day < first) | (day > last)
        if outside.any():
            i = int(np.argmax(outside))
            msg = f"`timestamps` has {int(outside.sum())} contact(s) outside [{first}, {last}], e.g. {ts[i]}; widen `start`/`end`."
            raise InvalidInputError(msg)
        n_days = int((last - first).astype(np.int64)) + 1
        seconds = (ts - day).astype("timedelta64[ms]").astype(np.int64) / 1000.0
        slot = np.minimum((seconds * p // 86400).astype(np.int64), p - 1)
        cell = (day - first).astype(np.int64) * p + slot
        counts = np.bincount(cell, minlength=n_days * p).astype(np.float64)
        weekday = (int(first.astype(np.int64)) + 3) % 7  # 1970-01-01 was a Thursday
        prof = arrival_profile(
            counts, periods_per_day=p, days_per_week=7, first_weekday=weekday
        )
        return attrs.evolve(prof, n_missing=int(missing.sum()))

    def __repr__(self) -> str:
        return (
            f"ArrivalProfile({self.shares.shape[0]} weekday(s) x "
            f"{self.shares.shape[1]} interval(s), {self.n:g} contacts over "
            f"{int(self.days.sum())} day(s))"
        )


def arrival_profile(
    counts: ArrayLike,
    *,
    periods_per_day: int,
    days_per_week: int = 7,
    first_weekday: int = 0,
    nan_policy: NanPolicy = "raise",
) -> ArrivalProfile:
    r"""The intraday profile by weekday from interval counts.

    Parameters
    ----------
    counts : array_like, shape (n_days * periods_per_day,)
        Contacts per interval, whole days in time order (e.g. a day of 48 half
        hours after another).
    periods_per_day : int
        Intervals per day.
    days_per_week : int, default 7
        Length of the weekly cycle (1: one profile for every day).
    first_weekday : int, default 0
        Weekday of the first day (0 = Monday by convention).
    nan_policy : {'raise', 'omit'}, default 'raise'
        A missing count raises, or its whole day is left out (counted in
        ``n_missing``), so shares stay comparable.

    Returns
    -------
    ArrivalProfile
        ``shares[w, i]``: the share of weekday ``w``'s contacts arriving in
        interval ``i``, :math:`\sum_{d \in w} c_{d,i} / \sum_{d \in w}\sum_j c_{d,j}`
        (pooled over the days, so busy days weigh more); daily means by weekday.

    Raises
    ------
    InvalidInputError
        Negative counts, a length that is not whole days.
    MissingValueError
        NaN under ``nan_policy='raise'``.

    Warns
    -----
    UndefinedMetricWarning
        A weekday without contacts: its shares are NaN.

    Examples
    --------
    Two days of four 6-hour intervals, one profile for every day:

    >>> import cxmetrics as cx
    >>> p = cx.arrival_profile([1, 5, 3, 1, 3, 7, 7, 3], periods_per_day=4,
    ...                        days_per_week=1)
    >>> p.shares.round(3).tolist()
    [[0.133, 0.4, 0.333, 0.133]]
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    p = check_positive_int("periods_per_day", periods_per_day)
    w = check_positive_int("days_per_week", days_per_week)
    first = check_positive_int("first_weekday", first_weekday, minimum=0)
    c = _series(counts, "counts")
    if c.size % p:
        msg = f"`counts` must hold whole days of {p} intervals; got {c.size} values ({c.size % p} left over)."
        raise InvalidInputError(msg)
    nan = np.isnan(c)
    if nan.any() and nan_policy == "raise":
        i, k = _first_missing(nan)
        msg = f"`counts` contains {k} missing value(s) (NaN/None), the first at index {i}; pass nan_policy='omit' to leave out their days."
        raise MissingValueError(msg)
    neg = c < 0
    if neg.any():
        i, k = _first_missing(neg)
        msg = f"`counts` must be >= 0; got {float(c[i])!r} at index {i} ({k} negative value(s))."
        raise InvalidInputError(msg)
    days = c.reshape(-1, p)
    keep = ~np.isnan(days).any(axis=1)
    weekday = (first + np.arange(days.shape[0])) % w
    kept, wd = days[keep], weekday[keep]
    sums = np.zeros((w, p))
    np.add.at(sums, wd, kept)
    n_days = np.bincount(wd, minlength=w)
    totals = sums.sum(axis=1)
    if (totals == 0).any():
        warnings.warn(
            f"weekday(s) {np.flatnonzero(totals == 0).tolist()} have no contacts; their shares are NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = sums / totals[:, None]
        mean = np.where(n_days > 0, totals / np.maximum(n_days, 1), np.nan)
    return ArrivalProfile(
        shares=shares,
        counts=sums,
        days=n_days,
        daily_mean=mean,
        n=float(totals.sum()),
        n_missing=int((~keep).sum()),
    )


def _history(history: ArrayLike, season: int, need: int) -> NDArray[np.float64]:
    y = _series(history, "history")
    if np.isnan(y).any():
        i, k = _first_missing(np.isnan(y))
        msg = f"`history` contains {k} missing value(s) (NaN/None), the first at index {i}; fill or impute them before forecasting."
        raise MissingValueError(msg)
    if y.size < need:
        msg = f"`history` must hold at least {need} values (season {season}); got {y.size}."
        raise InvalidInputError(msg)
    return y


def seasonal_naive(
    history: ArrayLike, *, season: int, horizon: int
) -> NDArray[np.float64]:
    r"""Seasonal naive forecast: each interval repeats the same interval one season ago.

    :math:`\hat y_{T+h} = y_{T+h-m(k+1)}` with :math:`k = \lfloor (h-1)/m \rfloor`
    (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, §5.2).

    Parameters
    ----------
    history : array_like
        Past values, oldest first, at least one season long.
    season : int
        Season length in intervals (``periods_per_day * 7`` for a week).
    horizon : int
        Intervals to forecast.

    Returns
    -------
    ndarray
        ``horizon`` forecasts (read-only).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.seasonal_naive([1, 2, 3, 4, 5, 6], season=3, horizon=4).tolist()
    [4.0, 5.0, 6.0, 4.0]
    """
    m = check_positive_int("season", season)
    h = check_positive_int("horizon", horizon)
    y = _history(history, m, m)
    last = y[-m:]
    return frozen_float(last[np.arange(h) % m])


def moving_average_forecast(
    history: ArrayLike, *, season: int, window: int, horizon: int
) -> NDArray[np.float64]:
    r"""Seasonal moving average: each interval is the mean of the same interval in the last ``window`` seasons.

    With ``season=1`` this is the plain moving average of the last ``window`` values.

    Parameters
    ----------
    history : array_like
        Past values, oldest first, at least ``window * season`` long.
    season : int
        Season length in intervals.
    window : int
        Seasons averaged (4: the same interval of the last four weeks).
    horizon : int
        Intervals to forecast.

    Returns
    -------
    ndarray
        ``horizon`` forecasts (read-only).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.moving_average_forecast([1, 2, 3, 5, 6, 7], season=3, window=2, horizon=3).tolist()
    [3.0, 4.0, 5.0]
    """
    m = check_positive_int("season", season)
    k = check_positive_int("window", window)
    h = check_positive_int("horizon", horizon)
    y = _history(history, m, m * k)
    mean = y[-m * k :].reshape(k, m).mean(axis=0)
    return frozen_float(mean[np.arange(h) % m])


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class ForecastAccuracy(DisplayMixin):
    r"""Accuracy of a forecast against what happened.

    Errors are :math:`e_t = y_t - \hat y_t` (actual minus forecast), as in
    Hyndman & Koehler (2006).

    Attributes
    ----------
    value : float
        WAPE, the headline number (see ``wape``).
    n : int
        Intervals compared.
    n_missing : int
        Intervals left out for a missing actual or forecast (``nan_policy='omit'``).
    mae, rmse : float
        Mean absolute error and root mean squared error, in contacts.
    mape : float
        Mean absolute percentage error :math:`\operatorname{mean}(|e_t|/|y_t|)`,
        a fraction, over intervals with :math:`y_t \ne 0`.
    n_zero_actual : int
        Intervals with a zero actual, left out of MAPE only (where it is
        infinite); a :class:`~cxmetrics.exceptions.DataWarning` says so.
    wape : float
        Weighted absolute percentage error :math:`\sum|e_t| / \sum|y_t|`, a fraction.
    bias : float
        Relative bias :math:`\sum(\hat y_t - y_t) / \sum y_t`; positive means
        over-forecast.
    mean_error : float
        :math:`\operatorname{mean}(\hat y_t - y_t)` in contacts.
    mase : float or None
        Mean absolute scaled error (``None`` without ``insample``).
    scale : float or None
        The MASE denominator: the in-sample mean absolute seasonal-naive error.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.forecast_accuracy([100, 120, 80], [110, 115, 70])
    >>> round(a.wape, 4), round(a.bias, 4)
    (0.0833, -0.0167)
    """

    value: float
    n: int
    n_missing: int
    mae: float
    rmse: float
    mape: float
    n_zero_actual: int
    wape: float
    bias: float
    mean_error: float
    mase: float | None
    scale: float | None

    def __repr__(self) -> str:
        mase = "" if self.mase is None else f", MASE {self.mase:.4g}"
        return (
            f"ForecastAccuracy(n={self.n}: WAPE {self.wape:.4g}, MAPE {self.mape:.4g}, "
            f"bias {self.bias:+.4g}, MAE {self.mae:.4g}, RMSE {self.rmse:.4g}{mase})"
        )


def _pair(
    actual: ArrayLike, forecast: ArrayLike, nan_policy: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    y = check_squarable(_series(actual, "actual"), "actual")
    f = check_squarable(_series(forecast, "forecast"), "forecast")
    if y.size != f.size:
        msg = f"`forecast` must have the length of `actual` ({y.size}); got {f.size}."
        raise InvalidInputError(msg)
    for arr, name in ((y, "actual"), (f, "forecast")):
        inf = np.isinf(arr)
        if inf.any():
            i, k = _first_missing(inf)
            msg = f"`{name}` must be finite; got {float(arr[i])!r} at index {i} ({k} value(s))."
            raise InvalidInputError(msg)
    miss = np.isnan(y) | np.isnan(f)
    if miss.any():
        i, k = _first_missing(miss)
        if nan_policy == "raise":
            which = "actual" if np.isnan(y[i]) else "forecast"
            msg = f"`{which}` has a missing value at index {i} ({k} interval(s) with a missing actual or forecast); pass nan_policy='omit' to leave them out and count them."
            raise MissingValueError(msg)
    return y[~miss], f[~miss], int(miss.sum())


def forecast_accuracy(
    actual: ArrayLike,
    forecast: ArrayLike,
    *,
    insample: ArrayLike | None = None,
    season: int = 1,
    nan_policy: NanPolicy = "raise",
) -> ForecastAccuracy:
    r"""MAPE, WAPE, bias, MAE, RMSE and MASE of any forecast.

    Works for forecasts from anywhere (this library's baselines, statsforecast,
    Prophet) passed as arrays or frame columns.

    Parameters
    ----------
    actual : array_like
        What happened, per interval.
    forecast : array_like
        The forecast for the same intervals.
    insample : array_like, optional
        The training history (before the forecast origin), for MASE's scale.
    season : int, default 1
        Seasonal period :math:`m` of MASE's naive benchmark (1: the random walk;
        ``7 * periods_per_day`` for weekly seasonality of interval data).
    nan_policy : {'raise', 'omit'}, default 'raise'
        Intervals with a missing actual or forecast raise, or are left out and
        counted in ``n_missing``.

    Returns
    -------
    ForecastAccuracy
        All measures at once; ``value`` is the WAPE.

    Raises
    ------
    InvalidInputError
        Lengths that differ, infinite values or values above 1e150 in size (their
        squares would overflow: a documented limit), an in-sample series shorter than
        ``season + 1``, or one whose seasonal differences are all zero.
    MissingValueError
        Missing values under ``nan_policy='raise'``, or in ``insample``.

    Warns
    -----
    DataWarning
        Zero actuals left out of MAPE.
    UndefinedMetricWarning
        No interval left, or actuals summing to 0 (WAPE and bias NaN).

    Notes
    -----
    Hyndman & Koehler (2006), with :math:`e_t = y_t - \hat y_t`:

    .. math:: \mathrm{MASE} = \frac{\operatorname{mean}|e_t|}
              {\frac{1}{T-m}\sum_{t=m+1}^{T}|y_t - y_{t-m}|}

    where the denominator is on the in-sample series :math:`y_1..y_T`. MASE < 1:
    better than the in-sample seasonal naive forecast. WAPE (also called
    MAD/mean ratio) weights errors by volume, which suits contact counts with
    quiet intervals, where MAPE explodes.

    References
    ----------
    .. [1] Hyndman, R. J. & Koehler, A. B. (2006). Another look at measures of
       forecast accuracy. *International Journal of Forecasting* 22(4), 679-688.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.forecast_accuracy([100, 120, 80], [110, 115, 70],
    ...                          insample=[90, 110, 95, 105], season=1)
    >>> round(a.mape, 4), round(a.mase, 4)
    (0.0889, 0.5556)
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    m = check_positive_int("season", season)
    y, f, n_missing = _pair(actual, forecast, nan_policy)
    scale: float | None = None
    if insample is not None:
        ins = _history(insample, m, m + 1)
        scale = float(np.mean(np.abs(ins[m:] - ins[:-m])))
        if scale == 0.0:
            msg = f"`insample` has no seasonal variation (all |y_t - y_t-{m}| are 0); MASE is undefined, compare with WAPE or MAE."
            raise InvalidInputError(msg)
    n = int(y.size)
    if n == 0:
        warnings.warn(
            "forecast accuracy is undefined for zero intervals; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        nan = math.nan
        return ForecastAccuracy(
            nan,
            0,
            n_missing,
            nan,
            nan,
            nan,
            0,
            nan,
            nan,
            nan,
            None if scale is None else nan,
            scale,
        )
    e = y - f
    ae = np.abs(e)
    zero = y == 0
    n_zero = int(zero.sum())
    if n_zero:
        warnings.warn(
            f"{n_zero} interval(s) with a zero actual are left out of MAPE (it is infinite there); WAPE includes them.",
            DataWarning,
            stacklevel=2,
        )
    # an actual near 0 (subnormal) makes a term overflow: MAPE is then inf, as
    # it is for an actual of 0 (those are left out above)
    with np.errstate(over="ignore"):
        mape = float(np.mean(ae[~zero] / np.abs(y[~zero]))) if n_zero < n else math.nan
    if math.isinf(mape):
        warnings.warn(
            "MAPE is infinite: an actual is too close to 0 for its relative error "
            "to be a float; use WAPE.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    total = float(np.abs(y).sum())
    if total == 0.0:
        warnings.warn(
            "WAPE and bias are undefined when the actuals sum to 0; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    wape = float(ae.sum() / total) if total else math.nan
    bias = float(-e.sum() / float(y.sum())) if float(y.sum()) else math.nan
    mae = float(ae.mean())
    return ForecastAccuracy(
        value=wape,
        n=n,
        n_missing=n_missing,
        mae=mae,
        rmse=float(np.sqrt(np.mean(e * e))),
        mape=mape,
        n_zero_actual=n_zero,
        wape=wape,
        bias=bias,
        mean_error=float(-e.mean()),
        mase=None if scale is None else mae / scale,
        scale=scale,
    )
