"""SLA compliance on dataframes, given the status of each target (or ticket).

Statuses come from :func:`cxmetrics.sla_targets` or from a help desk's export
(one row per SLA target, or per ticket). One ``group_by(by + [status]).agg(len)``
in the frame's engine counts them; the compliance policies and Wilson intervals
are then applied to the small table, exactly as :func:`cxmetrics.sla_compliance`
does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cxmetrics._core.validation import check_confidence_level, check_option
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from cxmetrics.frames._histogram import factorise
from cxmetrics.frames._native import (
    collect,
    column_names,
    key_columns,
    narwhals,
    to_frame,
    wrap,
)
from cxmetrics.support import SLAComplianceState

__all__ = ["sla_compliance", "sla_compliance_state"]

_N = "__cx_n"


def sla_compliance_state(
    df: Any,
    status: str,
    *,
    by: str | Sequence[str] | None = None,
    level: str = "target",
) -> SLAComplianceState:
    """Counts of SLA statuses per group, computed in the frame's engine.

    Parameters
    ----------
    df : dataframe
        pandas, polars (eager or lazy), pyarrow, DuckDB or PySpark.
    status : str
        Column of statuses: ``achieved``, ``breached``, ``active``,
        ``active_breached``, ``paused`` or ``not_applicable``.
    by : str or list of str, optional
        Grouping column(s) (priority, team, week...). Without it, one group ``'all'``.
    level : {'target', 'ticket'}, default 'target'
        What a row is: one SLA target, or one ticket with its combined status.

    Returns
    -------
    SLAComplianceState
        Mergeable; ``compute(compliance)`` / ``compute_grouped(compliance)``.

    Examples
    --------
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> df = pl.DataFrame({
    ...     "status": ["achieved", "breached", "active", "active_breached", "achieved"],
    ...     "priority": ["high", "high", "low", "low", "low"],
    ... })
    >>> s = frames.sla_compliance_state(df, "status", by="priority")
    >>> s.compute_grouped().value.tolist()  # open and not yet due: left out
    [0.5, 0.5]
    """
    nw = narwhals()
    check_option("level", level, ("target", "ticket"))
    frame = wrap(df)
    cols = column_names(frame, {"status": status, "by": by})
    dtype = frame.collect_schema()[status]
    if dtype != nw.String and dtype != nw.Categorical:  # noqa: PLR1714
        msg = f"`status` column {status!r} must hold status names (text); it has dtype {dtype}."
        raise InvalidInputTypeError(msg)
    table = frame.group_by(*cols["by"], status, drop_null_keys=False).agg(
        nw.len().alias(_N)
    )
    table = collect(table)
    n = table.get_column(_N).to_numpy().astype(np.int64)
    names = np.asarray(table.get_column(status).to_list(), dtype=object)
    missing = np.array([v is None for v in names.tolist()], dtype=bool)
    if missing.any():
        msg = f"`status` column {status!r} contains {int(n[missing].sum())} missing value(s); every row needs a status."
        raise MissingValueError(msg)
    known = {s: i for i, s in enumerate(SLAComplianceState.STATUSES)}
    unknown = sorted({str(v) for v in names.tolist()} - set(known))
    if unknown:
        rows = int(n[np.isin(names.astype(str), unknown)].sum())
        msg = f"`status` column {status!r} holds unknown status(es) {unknown} ({rows} row(s)); expected one of {list(SLAComplianceState.STATUSES)}."
        raise InvalidInputError(msg)
    if cols["by"]:
        keys, group = factorise(table, cols["by"])
    else:
        keys, group = np.array(["all"]), np.zeros(len(table), dtype=np.intp)
    column = np.array([known[str(v)] for v in names.tolist()], dtype=np.intp)
    counts = np.zeros((len(keys), len(SLAComplianceState.STATUSES)), dtype=np.int64)
    np.add.at(counts, (group, column), n)
    return SLAComplianceState(keys, counts, level)


def sla_compliance(
    df: Any,
    status: str,
    *,
    by: str | Sequence[str] | None = None,
    level: str = "target",
    compliance: str = "zendesk",
    confidence_level: float = 0.95,
) -> Any:
    """SLA compliance per group of a dataframe, with n and a Wilson interval.

    Parameters
    ----------
    df, status, by, level
        As in :func:`sla_compliance_state`.
    compliance : {'zendesk', 'completed_only', 'pessimistic', 'optimistic'}
        How open targets count (see :func:`cxmetrics.sla_compliance`).
    confidence_level : float, default 0.95
        Level of ``ci_low`` / ``ci_high``.

    Returns
    -------
    dataframe
        The ``by`` columns (or one row), ``value``, ``n``, ``met``, ``breached``,
        ``excluded``, ``no_target``, ``ci_low``, ``ci_high``, as a frame of the caller's kind.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics import frames
    >>> df = pd.DataFrame({"status": ["achieved", "breached", "active", "achieved"], "team": [1, 1, 2, 2]})
    >>> frames.sla_compliance(df, "status", by="team", compliance="pessimistic")[["team", "value", "n"]]
       team  value  n
    0     1    0.5  2
    1     2    0.5  2
    """
    check_confidence_level(confidence_level)
    state = sla_compliance_state(df, status, by=by, level=level)
    result = state.compute_grouped(compliance)
    columns = result.to_dict()
    keys = result.keys
    for name in keys.dtype.names or ("key",):  # the key column(s) of to_dict()
        del columns[name]
    ci = result.confidence_interval(confidence_level)
    columns["ci_low"], columns["ci_high"] = ci.low, ci.high
    names = [by] if isinstance(by, str) else list(by or [])
    out = key_columns(keys, names) if names else {}
    out.update(columns)
    return to_frame(out, wrap(df))
