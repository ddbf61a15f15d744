"""NPS, CSAT and CES on dataframes: states from the engine, results as frames."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from cxmetrics._core.validation import (
    check_confidence_level,
    check_instance,
    check_option,
    check_positive_int,
)
from cxmetrics.exceptions import CXMetricsError, UndefinedMetricWarning
from cxmetrics.frames._dask import dask_columns, dask_frame, dask_state, is_dask
from cxmetrics.frames._histogram import histogram
from cxmetrics.frames._native import (
    column_names,
    key_columns,
    narwhals,
    to_frame,
    wrap,
)
from cxmetrics.survey import (
    CESScheme,
    CESState,
    CSATScheme,
    CSATState,
    GroupedCESState,
    GroupedCSATState,
    GroupedNPSState,
    NPSScheme,
    NPSState,
)
from cxmetrics.typing import (
    MeanMethod,
    NanPolicy,
    NPSMethod,
    ProportionMethod,
    RatingDefinition,
    SmallGroupPolicy,
)

__all__ = ["ces", "ces_state", "csat", "csat_state", "nps", "nps_state"]

By = str | Sequence[str] | None
_SCALAR = {
    GroupedNPSState: NPSState,
    GroupedCSATState: CSATState,
    GroupedCESState: CESState,
}


def _state(
    grouped: type[Any],
    df: Any,
    score: str,
    by: By,
    weights: str | None,
    scheme: Any,
    nan_policy: NanPolicy,
) -> Any:
    check_option("nan_policy", nan_policy, NanPolicy)  # before the engine reads
    sch = grouped._default_scheme() if scheme is None else scheme  # noqa: SLF001
    check_instance("scheme", sch, grouped._default_scheme)  # noqa: SLF001
    if is_dask(df):
        # Dask: numpy states per partition, added (no shuffle, no narwhals)
        cols = dask_columns(df, {"score": score, "by": by, "weights": weights})
        state = dask_state(grouped, df, score, cols["by"], weights, sch, nan_policy)
    else:
        frame = wrap(df)
        cols = column_names(frame, {"score": score, "by": by, "weights": weights})
        eager = _eager_state(
            grouped, frame, score, cols["by"], weights, sch, nan_policy
        )
        if eager is not None:
            return eager
        keys, counts, missing, wsum, w2sum = histogram(
            frame,
            score,
            cols["by"],
            weights,
            low=sch.low,
            high=sch.high,
            nan_policy=nan_policy,
        )
        state = grouped(sch, keys, counts, missing, wsum, w2sum)
    if by is not None:
        return state
    scalar: Any = _SCALAR[grouped]
    if len(state) == 0:
        return scalar.empty(sch) if weights is None else _weighted_empty(scalar, sch)
    return scalar(
        sch,
        state.counts[0],
        state.n_missing[0],
        None if state.weight_sums is None else state.weight_sums[0],
        None if state.weight_squares is None else state.weight_squares[0],
    )


def _eager_state(
    grouped: type[Any],
    frame: Any,
    score: str,
    by: list[str],
    weights: str | None,
    scheme: Any,
    nan_policy: str,
) -> Any:
    """The state of an eager in-memory frame from its columns, by the array kernels.

    pandas, polars and pyarrow frames hold their numeric columns as arrays: these
    are handed to the numpy kernels as they are (a view, no copy, when the column
    has no nulls), which count faster than an engine ``group_by`` over the groups
    and scale points. The state is the one the array API builds from the same
    values. Lazy and remote engines (DuckDB, Spark, polars lazy), text or
    several group keys, and any input the kernels refuse (whose error the engine
    path reports, naming the column) return None: the engine path runs instead.
    """
    nw = narwhals()
    if not isinstance(frame, nw.DataFrame) or len(by) > 1:
        return None
    schema = frame.collect_schema()
    for name in (score, weights):
        if name is not None and (
            not schema[name].is_numeric() or schema[name].is_boolean()
        ):
            return None
    if by and not schema[by[0]].is_integer():
        return None
    try:
        columns = [frame.get_column(c) for c in (score, *by)]
        if by and columns[1].null_count():
            return None
        values = [c.to_numpy() for c in columns]
        w = None if weights is None else frame.get_column(weights).to_numpy()
        if any(v.dtype.kind not in "iuf" for v in values) or (
            w is not None and w.dtype.kind not in "iuf"
        ):
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            if by:
                return grouped.from_responses(
                    values[0],
                    values[1],
                    weights=w,
                    scheme=scheme,
                    nan_policy=nan_policy,
                )
            scalar: Any = _SCALAR[grouped]
            return scalar.from_responses(
                values[0], weights=w, scheme=scheme, nan_policy=nan_policy
            )
    except CXMetricsError:
        return None


def _weighted_empty(scalar: type[Any], scheme: Any) -> Any:
    k = scheme.high - scheme.low + 1
    return scalar(scheme, np.zeros(k, np.int64), 0, np.zeros(k), np.zeros(k))


def _frame(
    state: Any,
    df: Any,
    by: By,
    compute: dict[str, Any],
    confidence_level: float,
    method: str | None,
) -> Any:
    """The result as a frame of the caller's kind: key columns, then the result's columns."""
    check_confidence_level(confidence_level)
    names = [by] if isinstance(by, str) else list(by or [])
    if not names:
        k = state.counts.shape[0]
        state = _grouped_of(state)(
            state.scheme,
            np.zeros(1, np.int64),
            state.counts.reshape(1, k),
            [state.n_missing],
            None if state.weight_sums is None else state.weight_sums.reshape(1, k),
            None
            if state.weight_squares is None
            else state.weight_squares.reshape(1, k),
        )
    result = state.compute(**compute)
    columns = result.to_dict()
    keys = result.keys
    for name in keys.dtype.names or ("key",):  # the key column(s) of to_dict()
        del columns[name]
    ci = (
        result.confidence_interval(confidence_level)
        if method is None
        else result.confidence_interval(confidence_level, method=method)
    )
    columns["ci_low"], columns["ci_high"] = ci.low, ci.high
    out = key_columns(keys, names) if names else {}
    out.update(columns)
    return dask_frame(out) if is_dask(df) else to_frame(out, wrap(df))


def _check_options(
    min_n: object,
    small_groups: object,
    confidence_level: float,
    method: object,
    definition: object = None,
) -> None:
    """The options of a result frame, checked before the engine reads the data."""
    check_positive_int("min_n", min_n, minimum=0)
    check_option("small_groups", small_groups, SmallGroupPolicy)
    if definition is not None:
        check_option("definition", definition, RatingDefinition)
    check_confidence_level(confidence_level)
    if method is not None:
        allowed = (
            NPSMethod
            if definition is None
            else ProportionMethod
            if definition == "share"
            else MeanMethod
        )
        check_option("method", method, allowed)


def _grouped_of(state: Any) -> type[Any]:
    return next(g for g, s in _SCALAR.items() if isinstance(state, s))


def nps_state(
    df: Any,
    score: str,
    *,
    by: By = None,
    weights: str | None = None,
    scheme: NPSScheme | None = None,
    nan_policy: NanPolicy = "raise",
) -> Any:
    """The mergeable NPS state of a dataframe column, computed in the frame's engine.

    Parameters
    ----------
    df : dataframe
        pandas, polars (eager or lazy), pyarrow, DuckDB, Dask or PySpark.
    score : str
        Column of answers on the scheme's scale.
    by : str or list of str, optional
        Grouping column(s). Several columns give record keys, one field per column.
    weights : str, optional
        Column of non-negative survey weights.
    scheme : NPSScheme, optional
        The scale and categories (0-10, promoters 9-10, detractors 0-6 by default).
    nan_policy : {'raise', 'omit'}, default 'raise'
        Missing answers raise, or are omitted and counted per group.

    Returns
    -------
    NPSState or GroupedNPSState
        Equal to the state the array API builds from the same values.

    Examples
    --------
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> df = pl.DataFrame({"score": [10, 9, 3, 7], "region": ["n", "n", "s", "s"]})
    >>> frames.nps_state(df, "score", by="region").compute().value.tolist()
    [100.0, -50.0]
    """
    return _state(GroupedNPSState, df, score, by, weights, scheme, nan_policy)


def nps(
    df: Any,
    score: str,
    *,
    by: By = None,
    weights: str | None = None,
    scheme: NPSScheme | None = None,
    nan_policy: NanPolicy = "raise",
    min_n: int = 0,
    small_groups: SmallGroupPolicy = "suppress",
    confidence_level: float = 0.95,
    method: NPSMethod | None = None,
) -> Any:
    """Net Promoter Score per group of a dataframe, as a dataframe of the caller's kind.

    The per-group counts run in the frame's engine (one ``group_by`` over the groups
    and scale points); intervals are computed on the small aggregate, exactly as
    :func:`cxmetrics.nps` computes them.

    Parameters
    ----------
    df, score, by, weights, scheme, nan_policy
        As in :func:`nps_state`.
    min_n, small_groups
        Flag or suppress groups with fewer answers, as in :func:`cxmetrics.nps`.
    confidence_level : float, default 0.95
        Level of the ``ci_low`` / ``ci_high`` columns.
    method : str, optional
        Interval method (see :meth:`cxmetrics.NPSResult.confidence_interval`).

    Returns
    -------
    dataframe
        One row per group: the ``by`` columns, ``value``, ``n``, the counts and shares,
        ``n_missing``, ``effective_n``, ``standard_error``, ``flagged``, ``ci_low``,
        ``ci_high``. pandas in, pandas out; polars in, polars out; lazy in, lazy out.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics import frames
    >>> df = pd.DataFrame({"score": [10, 9, 3, 7, 10], "region": list("nnssn")})
    >>> out = frames.nps(df, "score", by="region")
    >>> out[["region", "value", "n"]]
      region  value  n
    0      n  100.0  3
    1      s  -50.0  2
    """
    _check_options(min_n, small_groups, confidence_level, method)
    state = nps_state(
        df, score, by=by, weights=weights, scheme=scheme, nan_policy=nan_policy
    )
    compute = {"min_n": min_n, "small_groups": small_groups}
    return _frame(state, df, by, compute, confidence_level, method)


def csat_state(
    df: Any,
    score: str,
    *,
    by: By = None,
    weights: str | None = None,
    scheme: CSATScheme | None = None,
    nan_policy: NanPolicy = "raise",
) -> Any:
    """The mergeable CSAT state of a dataframe column (see :func:`nps_state`).

    Examples
    --------
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> df = pl.DataFrame({"score": [5, 4, 2, 5]})
    >>> frames.csat_state(df, "score").compute().value
    0.75
    """
    return _state(GroupedCSATState, df, score, by, weights, scheme, nan_policy)


def csat(
    df: Any,
    score: str,
    *,
    by: By = None,
    weights: str | None = None,
    scheme: CSATScheme | None = None,
    definition: RatingDefinition = "share",
    nan_policy: NanPolicy = "raise",
    min_n: int = 0,
    small_groups: SmallGroupPolicy = "suppress",
    confidence_level: float = 0.95,
    method: ProportionMethod | MeanMethod | None = None,
) -> Any:
    """CSAT per group of a dataframe, as a dataframe of the caller's kind.

    Arguments as in :func:`nps` and :func:`cxmetrics.csat` (``definition``).

    Examples
    --------
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> df = pl.DataFrame({"score": [5, 4, 2, 5, 1], "team": [1, 1, 1, 2, 2]})
    >>> frames.csat(df, "score", by="team").select("team", "value", "n")
    shape: (2, 3)
    ┌──────┬──────────┬─────┐
    │ team ┆ value    ┆ n   │
    │ ---  ┆ ---      ┆ --- │
    │ i64  ┆ f64      ┆ i64 │
    ╞══════╪══════════╪═════╡
    │ 1    ┆ 0.666667 ┆ 3   │
    │ 2    ┆ 0.5      ┆ 2   │
    └──────┴──────────┴─────┘
    """
    _check_options(min_n, small_groups, confidence_level, method, definition)
    state = csat_state(
        df, score, by=by, weights=weights, scheme=scheme, nan_policy=nan_policy
    )
    compute = {"definition": definition, "min_n": min_n, "small_groups": small_groups}
    return _frame(state, df, by, compute, confidence_level, method)


def ces_state(
    df: Any,
    score: str,
    *,
    by: By = None,
    weights: str | None = None,
    scheme: CESScheme | None = None,
    nan_policy: NanPolicy = "raise",
) -> Any:
    """The mergeable CES state of a dataframe column (see :func:`nps_state`).

    Examples
    --------
    >>> import polars as pl
    >>> from cxmetrics import frames
    >>> df = pl.DataFrame({"score": [7, 6, 2, 5]})
    >>> frames.ces_state(df, "score").compute().value
    5.0
    """
    return _state(GroupedCESState, df, score, by, weights, scheme, nan_policy)


def ces(
    df: Any,
    score: str,
    *,
    by: By = None,
    weights: str | None = None,
    scheme: CESScheme | None = None,
    definition: RatingDefinition = "mean",
    nan_policy: NanPolicy = "raise",
    min_n: int = 0,
    small_groups: SmallGroupPolicy = "suppress",
    confidence_level: float = 0.95,
    method: ProportionMethod | MeanMethod | None = None,
) -> Any:
    """CES per group of a dataframe, as a dataframe of the caller's kind.

    Arguments as in :func:`nps` and :func:`cxmetrics.ces` (``definition``).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics import frames
    >>> df = pd.DataFrame({"score": [7, 6, 2, 5], "channel": ["chat", "chat", "mail", "mail"]})
    >>> frames.ces(df, "score", by="channel")[["channel", "value", "n"]]
      channel  value  n
    0    chat    6.5  2
    1    mail    3.5  2
    """
    _check_options(min_n, small_groups, confidence_level, method, definition)
    state = ces_state(
        df, score, by=by, weights=weights, scheme=scheme, nan_policy=nan_policy
    )
    compute = {"definition": definition, "min_n": min_n, "small_groups": small_groups}
    return _frame(state, df, by, compute, confidence_level, method)
