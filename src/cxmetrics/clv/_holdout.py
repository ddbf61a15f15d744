"""Calibration / holdout split of a transaction log, for validating purchase models."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.shapes import errors_named
from cxmetrics._core.validation import (
    check_option,
    check_time,
    check_zones,
)
from cxmetrics.clv._periods import collapse, period_index
from cxmetrics.clv._rfm import RFMState, RFMSummary, _end_period
from cxmetrics.clv._transactions import transaction_log
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.typing import FixedFreq, NanPolicy

__all__ = ["CalibrationHoldout", "calibration_holdout"]

Float = NDArray[np.float64]


@attrs.frozen(field_transformer=nan_equal_fields)
class CalibrationHoldout(DisplayMixin):
    """RFM summary of the calibration period and what each customer did afterwards.

    Customers are those with a purchase up to ``calibration_end``; the holdout
    arrays are aligned with ``calibration.customers``.

    Attributes
    ----------
    calibration : RFMSummary
        The summary up to the end of calibration.
    frequency_holdout : ndarray of float64
        Purchase periods in the holdout window (after ``calibration_end``, up to
        ``observation_end``).
    monetary_value_holdout : ndarray of float64
        Mean value of the holdout purchase periods (0 when none).
    duration_holdout : float
        Length of the holdout window in time units.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> ch = cx.calibration_holdout([1, 1, 1, 2], [0.0, 3.0, 7.0, 8.0], [5, 6, 7, 8],
    ...                             calibration_end=5.0, observation_end=10.0)
    >>> ch.calibration.frequency.tolist(), ch.frequency_holdout.tolist()
    ([1.0], [1.0])
    >>> ch.duration_holdout
    5.0
    """

    calibration: RFMSummary
    frequency_holdout: Float = attrs.field(converter=frozen_float, eq=array_eq)
    monetary_value_holdout: Float = attrs.field(converter=frozen_float, eq=array_eq)
    duration_holdout: float

    @property
    def n(self) -> int:
        """Number of customers (acquired in the calibration period)."""
        return self.calibration.n

    def to_dict(self) -> dict[str, Any]:
        """Columns as a dict of arrays, lifetimes' column names.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> ch = cx.calibration_holdout([1], [0.0], calibration_end=1.0, observation_end=2.0)
        >>> list(ch.to_dict())[:3]
        ['customers', 'frequency_cal', 'recency_cal']
        """
        c = self.calibration
        return {
            "customers": c.customers,
            "frequency_cal": c.frequency,
            "recency_cal": c.recency,
            "T_cal": c.T,
            "monetary_value_cal": c.monetary_value,
            "frequency_holdout": self.frequency_holdout,
            "monetary_value_holdout": self.monetary_value_holdout,
            "duration_holdout": np.full(c.n, self.duration_holdout),
        }


def calibration_holdout(
    customers: ArrayLike,
    instants: ArrayLike,
    values: ArrayLike | None = None,
    *,
    calibration_end: object,
    observation_end: object = None,
    freq: FixedFreq = "day",
    freq_multiplier: float = 1.0,
    nan_policy: NanPolicy = "raise",
) -> CalibrationHoldout:
    """Split a log into a calibration summary and holdout purchase counts.

    Parameters
    ----------
    customers, instants, values, freq, freq_multiplier, nan_policy
        As in :func:`rfm_summary`.
    calibration_end : datetime-like or float
        Last instant of the calibration period (inclusive, at the ``freq``
        resolution).
    observation_end : datetime-like or float, optional
        Last instant of the holdout period; default the latest transaction.

    Returns
    -------
    CalibrationHoldout
        The calibration :class:`RFMSummary` and, per customer, the holdout
        purchase periods and their mean value (lifetimes'
        ``calibration_and_holdout_data``).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> ch = cx.calibration_holdout(["a", "a", "b", "b", "b"],
    ...                             [1.0, 2.0, 2.0, 6.0, 6.0], [1, 2, 3, 4, 5],
    ...                             calibration_end=4.0)
    >>> ch.frequency_holdout.tolist(), ch.monetary_value_holdout.tolist()
    ([0.0, 1.0], [0.0, 9.0])
    """
    check_option("freq", freq, FixedFreq)
    check_option("nan_policy", nan_policy, NanPolicy)
    check_zones(
        {
            "instants": instants,
            "calibration_end": calibration_end,
            "observation_end": observation_end,
        }
    )
    log = transaction_log(customers, instants, values, nan_policy=nan_policy)
    kind = "datetime" if log.instants.dtype.kind == "M" else "number"
    if kind == "datetime":
        check_option("freq", freq, FixedFreq)
    mult = check_time("freq_multiplier", freq_multiplier, positive=True)
    periods = period_index(log.instants, freq)
    with errors_named({"observation_end": "calibration_end"}):
        cal_end = _end_period(calibration_end, kind, freq)
    if observation_end is None:
        if periods.shape[0] == 0:
            msg = "`observation_end` is needed when the log is empty."
            raise InvalidInputError(msg)
        obs_end = float(periods.max())
    else:
        obs_end = _end_period(observation_end, kind, freq)
    if obs_end <= cal_end:
        msg = (
            "`observation_end` must be after `calibration_end`; got periods "
            f"{obs_end:g} and {cal_end:g}."
        )
        raise InvalidInputError(msg)
    cal = periods <= cal_end
    state = RFMState.from_transactions(
        log.customers[cal],
        periods[cal],
        log.values[cal],
        observation_end=cal_end,
        freq_multiplier=mult,
    )
    summary = state.compute()
    summary = attrs.evolve(
        summary,
        freq="number" if kind == "number" else freq,
        n_missing=log.n_missing,
        n_after_end=int(np.count_nonzero(periods > obs_end)),
    )
    hold = (periods > cal_end) & (periods <= obs_end)
    h = collapse(log.customers[hold], periods[hold], log.values[hold])
    freq_h = np.zeros(summary.n)
    value_h = np.zeros(summary.n)
    if h.customers.shape[0] and summary.n:
        pos = np.searchsorted(summary.customers, h.customers)
        pos = np.clip(pos, 0, summary.n - 1)
        found = summary.customers[pos] == h.customers
        # holdout value: all holdout periods count (none is a first purchase)
        first_value = _first_period_value(log, periods, hold, h)
        totals = h.repeat_value + first_value
        freq_h[pos[found]] = h.periods[found]
        value_h[pos[found]] = totals[found] / h.periods[found]
    return CalibrationHoldout(summary, freq_h, value_h, (obs_end - cal_end) / mult)


def _first_period_value(
    log: Any, periods: Float, hold: NDArray[np.bool_], h: Any
) -> Float:
    """Value of each customer's first holdout period (``collapse`` leaves it out)."""
    keys = log.customers[hold]
    p = periods[hold]
    v = log.values[hold]
    pos = np.searchsorted(h.customers, keys)
    at_first = p == h.first[pos]
    out: Float = np.bincount(
        pos[at_first], weights=v[at_first], minlength=h.customers.shape[0]
    ).astype(np.float64)
    return out
