"""Per-unit experiment data to validated columns: the metric, its denominator, the covariate.

Every KPI becomes a number per unit before anything is summed:

- ``'mean'``: the value itself (numbers, or time deltas read as seconds);
- ``'proportion'``: a 0/1 (or boolean) flag, e.g. first-contact resolution;
- ``'nps'``: the answer recoded to +1 (promoter), 0 (passive), -1 (detractor) by an
  :class:`~cxmetrics.NPSScheme`, so the mean of the column is NPS / 100;
- ``'ratio'``: a numerator per unit (e.g. contacts) beside a ``denominator`` per unit
  (e.g. sessions); the metric is ``sum(numerator) / sum(denominator)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import (
    _describe,
    _first,
    check_instance,
    check_option,
    check_same_length,
    check_squarable,
    group_index,
    integer_scale,
    numeric_1d,
    timedelta_seconds,
)
from cxmetrics.exceptions import InvalidInputError, MissingValueError
from cxmetrics.survey import NPSScheme
from cxmetrics.typing import ExperimentKind, NanPolicy

__all__ = ["KINDS", "UnitData", "unit_data"]

KINDS: tuple[str, ...] = get_args(ExperimentKind)


class UnitData(NamedTuple):
    """Validated rows: arm code per row, the variables as columns, missing rows."""

    codes: NDArray[np.intp]
    labels: NDArray[Any]
    columns: tuple[NDArray[np.float64], ...]  # y, then d (ratio), then x (covariate)
    missing: NDArray[np.bool_] | None


def _numbers(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Numbers (or time deltas, as seconds) as float64; NaN marks a missing value."""
    secs = timedelta_seconds(values, name)
    if secs is not None:
        if secs.ndim != 1:
            msg = f"`{name}` must be 1-D; got an array of shape {secs.shape}."
            raise InvalidInputError(msg)
        return secs
    arr = numeric_1d(values, name).astype(np.float64, copy=False)
    inf = np.isinf(arr)
    if inf.any():
        i, count = _first(inf)
        msg = f"`{name}` must be finite; got {_describe(arr[i])} at index {i} ({count} non-finite value(s))."
        raise InvalidInputError(msg)
    return check_squarable(arr, name)


def _flags(values: ArrayLike, name: str) -> NDArray[np.float64]:
    arr = _numbers(values, name)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(arr) & (arr != 0) & (arr != 1)
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`{name}` must be 0/1 flags (or booleans) for kind='proportion'; got "
            f"{_describe(arr[i])} at index {i} ({count} other value(s)). Pass "
            "kind='mean' for other numbers."
        )
        raise InvalidInputError(msg)
    return arr


def _nps(values: ArrayLike, name: str, scheme: NPSScheme) -> NDArray[np.float64]:
    data = integer_scale(
        values, name, low=scheme.low, high=scheme.high, nan_policy="omit"
    )
    codes = np.asarray(data.values)
    lookup = np.zeros(scheme.high - scheme.low + 2, dtype=np.float64)
    lookup[scheme.promoter_min - scheme.low : scheme.high - scheme.low + 1] = 1.0
    lookup[: scheme.detractor_max - scheme.low + 1] = -1.0
    lookup[-1] = np.nan  # the missing-answer code high + 1
    return lookup[codes.astype(np.intp) - scheme.low]


def unit_data(
    values: ArrayLike,
    arm: ArrayLike,
    *,
    kind: str,
    denominator: ArrayLike | None,
    covariate: ArrayLike | None,
    scheme: NPSScheme | None,
    nan_policy: str,
    levels: ArrayLike | None = None,
) -> UnitData:
    """Validate the per-unit columns; options must be checked by the caller first."""
    if kind == "ratio" and denominator is None:
        msg = "kind='ratio' needs `denominator` (e.g. sessions per unit)."
        raise InvalidInputError(msg)
    if kind != "ratio" and denominator is not None:
        msg = f"`denominator` is only used with kind='ratio'; got kind={kind!r}."
        raise InvalidInputError(msg)
    check_instance("scheme", scheme, NPSScheme, optional=True)
    if kind == "nps":
        y = _nps(values, "values", NPSScheme() if scheme is None else scheme)
    elif kind == "proportion":
        y = _flags(values, "values")
    else:
        y = _numbers(values, "values")
    n = y.shape[0]
    columns = [y]
    named = ["values"]
    if denominator is not None:
        d = _numbers(denominator, "denominator")
        check_same_length("denominator", d, "values", n)
        columns.append(d)
        named.append("denominator")
    if covariate is not None:
        x = _numbers(covariate, "covariate")
        check_same_length("covariate", x, "values", n)
        columns.append(x)
        named.append("covariate")
    index = group_index(arm, n, levels=levels, name="arm", like="values")
    codes = (np.asarray(index.source) - index.offset).astype(np.intp, copy=False)
    missing: NDArray[np.bool_] | None = None
    for col, name in zip(columns, named, strict=True):
        nan = np.isnan(col)
        if nan.any():
            if nan_policy == "raise":
                i, count = _first(nan)
                msg = (
                    f"`{name}` contains {count} missing value(s) (NaN/None/NaT), the first "
                    f"at index {i}; pass nan_policy='omit' to drop and count them."
                )
                raise MissingValueError(msg)
            missing = nan if missing is None else missing | nan
    check_option("nan_policy", nan_policy, NanPolicy)
    return UnitData(codes, index.labels, tuple(columns), missing)
