"""Funnels of an event log held in a dataframe.

A funnel's level is a per-unit scan over time (not a sum), so the engine only
selects the four columns; they come back to numpy once and the journeys kernels
(one sort, a search per step) do the rest. The result is identical to
:func:`cxmetrics.funnel` on the same columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args

import numpy as np

from cxmetrics._core.validation import check_option
from cxmetrics.frames._native import collect, column_names, narwhals, wrap
from cxmetrics.journeys import FunnelResult, GroupedFunnelResult
from cxmetrics.journeys import funnel as _funnel
from cxmetrics.typing import (
    FunnelAttribution,
    FunnelEntry,
    FunnelMode,
    FunnelStep,
    NanPolicy,
)

__all__ = ["funnel"]


def _column(frame: Any, name: str) -> Any:
    series = frame.get_column(name)
    native = series.to_native()
    # pandas and polars columns go to the array API as they are (time zones,
    # nulls and text dates are handled there); others through numpy
    if type(native).__module__.startswith(("pandas", "polars")):
        return native
    return np.asarray(series.to_numpy())


def funnel(
    df: Any,
    unit: str,
    time: str,
    event: str,
    steps: Sequence[FunnelStep] | Mapping[str, FunnelStep],
    *,
    window: object,
    by: str | None = None,
    mode: FunnelMode = "ordered",
    entry: FunnelEntry = "any",
    exclude: Sequence[FunnelStep] | None = None,
    attribution: FunnelAttribution = "first_touch",
    session_gap: object = None,
    nan_policy: NanPolicy = "raise",
) -> FunnelResult | GroupedFunnelResult:
    """:func:`cxmetrics.funnel` on the columns of a dataframe (any narwhals frame).

    Parameters
    ----------
    df : dataframe
        pandas, polars (eager or lazy), pyarrow, DuckDB ... holding the log.
    unit, time, event : str
        Column names of the unit key, the event time and the event name.
    steps, window, mode, entry, exclude, attribution, session_gap, nan_policy
        As in :func:`cxmetrics.funnel`.
    by : str, optional
        Column of the segment.

    Returns
    -------
    FunnelResult or GroupedFunnelResult

    Examples
    --------
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> log = pl.DataFrame({"user": ["a", "a", "b"], "t": [0, 30, 5], "event": ["cart", "paid", "cart"]})
    >>> frames.funnel(log, "user", "t", "event", ["cart", "paid"], window=60).reached.tolist()
    [2, 1]
    """
    # every option is checked before the frame is read
    for name, value, allowed in (
        ("mode", mode, FunnelMode),
        ("entry", entry, FunnelEntry),
        ("attribution", attribution, FunnelAttribution),
        ("nan_policy", nan_policy, NanPolicy),
    ):
        check_option(name, value, get_args(allowed))
    narwhals()
    frame = wrap(df)
    column_names(frame, {"unit": unit, "time": time, "event": event, "by": by})
    cols = [unit, time, event] + ([by] if by else [])
    table = collect(frame.select(*dict.fromkeys(cols)))
    return _funnel(
        _column(table, unit),
        _column(table, time),
        _column(table, event),
        steps,
        window=window,
        mode=mode,
        entry=entry,
        exclude=exclude,
        by=None if by is None else _column(table, by),
        attribution=attribution,
        session_gap=session_gap,
        nan_policy=nan_policy,
    )
