"""RFM summaries of transaction logs in a dataframe.

The engine collapses the log to one row per customer and purchase period (``freq``),
with the period's summed value and its number of raw transactions. This is the
collapse the RFM summary makes anyway (Fader, Hardie & Lee 2005; lifetimes). The
numpy kernel of :func:`cxmetrics.rfm_summary` then summarises those rows, and the
raw transaction counts are restored from the engine's counts. The result is
identical to the array API on the whole log.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from cxmetrics._core.validation import check_option
from cxmetrics.clv import RFMState, RFMSummary
from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.frames._native import collect, log_frame, narwhals
from cxmetrics.periods import period_index

__all__ = ["rfm_state", "rfm_summary"]

# weeks are collapsed to days in the engine and to weeks by the numpy kernel
_EVERY = {"day": "1d", "week": "1d", "hour": "1h", "minute": "1m", "second": "1s"}
_P, _V, _N = "__cx_period", "__cx_value", "__cx_n"


def rfm_state(
    df: Any,
    customer: str,
    time: str,
    amount: str | None = None,
    *,
    observation_end: object = None,
    freq: str = "day",
    freq_multiplier: float = 1.0,
) -> RFMState:
    """The mergeable RFM state of a transaction log in a dataframe (see :func:`rfm_summary`).

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> log = pl.DataFrame({"customer": ["a", "a", "b"], "time": [dt.date(2024, 1, 1), dt.date(2024, 1, 15), dt.date(2024, 1, 10)]})
    >>> frames.rfm_state(log, "customer", "time", observation_end="2024-01-29").compute().frequency.tolist()
    [1.0, 0.0]
    """
    nw = narwhals()
    check_option("freq", freq, tuple(_EVERY))
    frame = log_frame(df, {"customer": customer, "time": time, "amount": amount}, time)
    period = nw.col(time).cast(nw.Datetime("us")).dt.truncate(_EVERY[freq]).alias(_P)
    columns = [period]
    aggs = [nw.len().alias(_N)]
    if amount:  # cast first: pandas runs only plain aggregations natively
        a = frame.collect_schema()[amount]
        if not a.is_numeric() or a.is_boolean():
            msg = f"`amount` column {amount!r} must be numeric; it has dtype {a}."
            raise InvalidInputTypeError(msg)
        columns.append(nw.col(amount).cast(nw.Float64).alias(_V))
        aggs.append(nw.col(_V).sum())
    table = frame.with_columns(*columns).group_by(customer, _P).agg(*aggs)
    table = collect(table)
    keys = table.get_column(customer).to_numpy()
    if keys.dtype.kind == "O" and all(isinstance(k, str) for k in keys.tolist()):
        keys = keys.astype(str)
    t = table.get_column(_P).to_numpy()
    if t.dtype.kind == "O":
        t = np.array(t.tolist(), dtype="datetime64[us]")
    values = table.get_column(_V).to_numpy().astype(np.float64) if amount else None
    n = table.get_column(_N).to_numpy().astype(np.int64)
    t = t.astype("datetime64[us]")
    state = RFMState.from_transactions(
        keys,
        t,
        values,
        observation_end=observation_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
    )
    if state.end is None:  # empty log
        return state
    # restore the raw transaction counts that the collapse folded into n
    keep = period_index(t, freq) <= state.end
    rows = np.searchsorted(state.customers, keys[keep])
    raw = np.bincount(rows, weights=n[keep], minlength=state.n).astype(np.int64)
    return attrs.evolve(state, transactions=raw, n_after_end=int(n[~keep].sum()))


def rfm_summary(
    df: Any,
    customer: str,
    time: str,
    amount: str | None = None,
    *,
    observation_end: object = None,
    freq: str = "day",
    freq_multiplier: float = 1.0,
) -> RFMSummary:
    """RFM summary of a transaction log in a dataframe (see :func:`cxmetrics.rfm_summary`).

    Parameters
    ----------
    df : dataframe
        pandas, polars (eager or lazy), pyarrow, DuckDB or PySpark.
    customer, time : str
        Customer and purchase-instant columns (naive dates or datetimes).
    amount : str, optional
        Monetary value column.
    observation_end, freq, freq_multiplier
        As in :func:`cxmetrics.rfm_summary`.

    Returns
    -------
    RFMSummary
        Identical to :func:`cxmetrics.rfm_summary` on the same columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics import frames
    >>> log = pd.DataFrame({
    ...     "customer": ["a", "a", "a", "b"],
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-10"]),
    ...     "amount": [10.0, 5.0, 20.0, 7.0],
    ... })
    >>> s = frames.rfm_summary(log, "customer", "time", "amount", observation_end="2024-01-29", freq_multiplier=7)
    >>> s.frequency.tolist(), s.monetary_value.tolist(), s.transactions.tolist()
    ([1.0, 0.0], [20.0, 0.0], [3, 1])
    """
    return rfm_state(
        df,
        customer,
        time,
        amount,
        observation_end=observation_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
    ).compute()
