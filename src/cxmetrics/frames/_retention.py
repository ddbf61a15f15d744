"""Churn and cohort counts from activity logs in a dataframe.

An activity log can have many rows per customer and day. Churn by period and
cohort matrices depend only on which periods each customer was active in. The
first step runs in the frame's engine: one ``group_by(customer, day)`` keeps a row per
customer and active day, with the latest instant of that day and, for revenue
cohorts, the day's amount in integer minor units. Those rows go to the numpy
kernels of :mod:`cxmetrics.retention`. They give exactly the state that the array
API builds from the whole log, with the same periods, the same latest instant
and the same cents.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.options import check_option
from cxmetrics._core.validation import check_positive_int
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
)
from cxmetrics.frames._native import collect, log_frame, narwhals
from cxmetrics.retention import CohortResult, CohortState, GroupedChurnState
from cxmetrics.typing import CalendarFreq, CohortDefinition

__all__ = ["churn_state", "cohort_matrix", "cohort_state"]

_DAY, _T, _CENTS, _BAD = "__cx_day", "__cx_t", "__cx_cents", "__cx_bad"


def _active_days(
    df: Any, customer: str, time: str, amount: str | None, minor_units: int
) -> tuple[NDArray[Any], NDArray[np.datetime64], NDArray[np.int64] | None]:
    """One row per customer and active day: (customer, latest instant, minor units)."""
    nw = narwhals()
    frame = log_frame(df, {"customer": customer, "time": time, "amount": amount}, time)
    schema = frame.collect_schema()
    aggs = [nw.col(time).max().alias(_T)]
    columns = [nw.col(time).dt.truncate("1d").alias(_DAY)]
    if amount is not None:
        a = schema[amount]
        if not a.is_numeric() or a.is_boolean():
            msg = f"`amount` column {amount!r} must be numeric; it has dtype {a}."
            raise InvalidInputTypeError(msg)
        x = nw.col(amount)
        cents = (x * minor_units).round(0) if a.is_float() else x * minor_units
        columns.append(cents.cast(nw.Int64).alias(_CENTS))
        # x must be a whole number of minor units. Engines divide inexactly (x * 0.01),
        # so the array API's test rint(x*m)/m == x becomes: x*m lies within float
        # rounding (1e-6 minor units, or 1e-15 relative) of a whole number
        scaled = x * minor_units
        tol = nw.max_horizontal(scaled.abs() * 1e-15, nw.lit(1e-6))
        exact = ((scaled - cents).abs() <= tol) if a.is_float() else ~x.is_null()
        bad = x.is_null() | (x < 0) | ~exact
        columns.append(bad.fill_null(value=True).cast(nw.Int64).alias(_BAD))
        aggs += [nw.col(_CENTS).sum(), nw.col(_BAD).sum()]
    table = frame.with_columns(*columns).group_by(customer, _DAY).agg(*aggs)
    table = collect(table)
    cents_out = None
    if amount is not None:
        bad = int(np.sum(table.get_column(_BAD).to_numpy()))
        if bad:
            msg = (
                f"`amount` column {amount!r} has {bad} amount(s) that are missing, negative "
                f"or not a whole number of 1/{minor_units} units."
            )
            raise InvalidInputError(msg)
        cents_out = table.get_column(_CENTS).to_numpy().astype(np.int64)
    keys = table.get_column(customer).to_numpy()
    if keys.dtype.kind == "O" and all(isinstance(k, str) for k in keys.tolist()):
        keys = keys.astype(str)
    t = table.get_column(_T).to_numpy()
    if t.dtype.kind == "O":  # dates come back as Python objects from some engines
        t = np.array(t.tolist(), dtype="datetime64[us]")
    return keys, t.astype("datetime64[us]"), cents_out


def churn_state(
    df: Any, customer: str, time: str, *, freq: CalendarFreq = "month"
) -> GroupedChurnState:
    """Churn by period of an activity log in a dataframe (see :meth:`GroupedChurnState.from_activity`).

    Parameters
    ----------
    df : dataframe
        pandas, polars (eager or lazy), pyarrow, DuckDB or PySpark.
    customer : str
        Customer id column.
    time : str
        Activity instant column (naive datetimes or dates).
    freq : {'day', 'week', 'month', 'quarter', 'year'}, default 'month'
        Period granularity.

    Returns
    -------
    GroupedChurnState
        Equal to the state built by the array API from the same columns.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> log = pl.DataFrame({
    ...     "customer": ["a", "a", "b", "b"],
    ...     "time": [dt.datetime(2024, 1, 3), dt.datetime(2024, 2, 7), dt.datetime(2024, 1, 9), dt.datetime(2024, 3, 1)],
    ... })
    >>> res = frames.churn_state(log, "customer", "time").compute("stripe")
    >>> res.churned.tolist(), res.value.tolist()
    ([0, 1, 1], [0.0, 0.5, 0.5])
    """
    check_option("freq", freq, CalendarFreq)
    keys, t, _ = _active_days(df, customer, time, None, 1)
    return GroupedChurnState.from_activity(keys, t, freq=freq)


def cohort_state(
    df: Any,
    customer: str,
    time: str,
    *,
    freq: CalendarFreq = "month",
    amount: str | None = None,
    minor_units: int = 100,
) -> CohortState:
    """Cohort counts of an activity log in a dataframe (see :meth:`CohortState.from_activity`).

    Parameters
    ----------
    df, customer, time, freq
        As in :func:`churn_state`.
    amount : str, optional
        Revenue column, for revenue cohorts (summed exactly in minor units).
    minor_units : int, default 100
        Minor units per unit of ``amount``.

    Returns
    -------
    CohortState
        Equal to the state built by the array API from the same columns.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from cxmetrics import frames
    >>> log = pd.DataFrame({
    ...     "customer": ["x", "x", "y", "y"],
    ...     "time": pd.to_datetime(["2024-01-05", "2024-02-11", "2024-01-20", "2024-03-02"]),
    ... })
    >>> frames.cohort_state(log, "customer", "time").classic.tolist()
    [[2, 1, 1]]
    """
    check_option("freq", freq, CalendarFreq)
    m = check_positive_int("minor_units", minor_units)
    keys, t, cents = _active_days(df, customer, time, amount, m)
    if cents is None:
        return CohortState.from_activity(keys, t, freq=freq)
    # the day's amounts are already whole minor units: build with unit 1, then label
    state = CohortState.from_activity(keys, t, freq=freq, amount=cents, minor_units=1)
    return attrs.evolve(state, minor_units=m)


def cohort_matrix(
    df: Any,
    customer: str,
    time: str,
    *,
    freq: CalendarFreq = "month",
    as_of: object | None = None,
    definition: CohortDefinition = "classic",
    amount: str | None = None,
    minor_units: int = 100,
) -> CohortResult:
    """Cohort retention matrix of an activity log in a dataframe (see :func:`cxmetrics.cohort_matrix`).

    Returns
    -------
    CohortResult
        The matrix (a small result object: ``to_pandas()`` for a table).

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> log = pl.DataFrame({
    ...     "customer": [1, 1, 2, 2, 3],
    ...     "time": [dt.date(2024, 1, 5), dt.date(2024, 2, 1), dt.date(2024, 1, 9), dt.date(2024, 3, 1), dt.date(2024, 2, 2)],
    ... })
    >>> frames.cohort_matrix(log, "customer", "time").sizes.tolist()
    [2, 1]
    """
    check_option("freq", freq, CalendarFreq)
    check_option("definition", definition, CohortDefinition)
    state = cohort_state(
        df, customer, time, freq=freq, amount=amount, minor_units=minor_units
    )
    return state.compute(as_of=as_of, definition=definition)
