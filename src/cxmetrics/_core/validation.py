"""The one place where user input is converted and checked.

Every public function passes its raw arguments through these helpers exactly once;
kernels, states and ``compute()`` trust what comes out. Messages follow one format:
the argument in backticks, the rule, the offending value and its index.

The checks live in modules of one idea, re-exported here:
:mod:`~cxmetrics._core.checks` (scalar options, flags, levels, whole numbers),
:mod:`~cxmetrics._core.columns` (1-d numbers, flags, scales, weights),
:mod:`~cxmetrics._core.groups` (group keys), :mod:`~cxmetrics._core.parameters`
(model parameters), :mod:`~cxmetrics._core.durations`, :mod:`~cxmetrics._core.times`
(datetimes, zones, UTC instants) and :mod:`~cxmetrics._core.money` (minor units).
What is still defined below (survival data, spells, transaction logs) belongs to
the retention and CLV families and moves there.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.checks import (
    check_confidence_level,
    check_flag,
    check_instance,
    check_levels_need_by,
    check_option,
    check_positive_int,
    check_probability,
    check_rng,
    check_time,
    is_real,
)
from cxmetrics._core.columns import (
    ScaleData,
    _describe,
    _first,
    _is_missing_object,
    _object_to_float,
    as_1d,
    check_same_length,
    check_squarable,
    flags_1d,
    integer_scale,
    numeric_1d,
    weights_array,
)
from cxmetrics._core.durations import durations_1d, timedelta_seconds
from cxmetrics._core.groups import GroupIndex, group_index
from cxmetrics._core.money import minor_units_1d
from cxmetrics._core.parameters import (
    parameter_array,
    parameter_ints,
    parameter_scalar,
)
from cxmetrics._core.times import (
    _frame_utc,
    check_zones,
    common_unit,
    datetime_scalar,
    datetimes_1d,
    instants_1d,
    seconds_ns_1d,
    utc_instants_1d,
)
from cxmetrics.exceptions import (
    InvalidInputError,
)

__all__ = [
    "GroupIndex",
    "ScaleData",
    "_describe",
    "_first",
    "_frame_utc",
    "_is_missing_object",
    "_object_to_float",
    "as_1d",
    "check_confidence_level",
    "check_flag",
    "check_instance",
    "check_levels_need_by",
    "check_option",
    "check_positive_int",
    "check_probability",
    "check_rng",
    "check_same_length",
    "check_squarable",
    "check_time",
    "check_zones",
    "common_unit",
    "datetime_scalar",
    "datetimes_1d",
    "durations_1d",
    "flags_1d",
    "group_index",
    "instants_1d",
    "integer_scale",
    "is_real",
    "minor_units_1d",
    "numeric_1d",
    "parameter_array",
    "parameter_ints",
    "parameter_scalar",
    "seconds_ns_1d",
    "survivor_counts",
    "timedelta_seconds",
    "utc_instants_1d",
    "weights_array",
]


def survivor_counts(values: ArrayLike, name: str = "survivors") -> NDArray[np.int64]:
    """Validate one cohort's survivor counts: whole, non-negative, non-increasing.

    ``values[0]`` is the cohort size at the start (period 0) and must be positive;
    ``values[t]`` the customers still active after ``t`` periods. At least one
    period after the start is required.
    """
    arr = numeric_1d(values, name)
    if arr.shape[0] < 2:
        msg = f"`{name}` must hold the cohort size and at least one later count; got {arr.shape[0]} value(s)."
        raise InvalidInputError(msg)
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            i, count = _first(bad)
            msg = f"`{name}` must be finite counts; got {_describe(arr[i])} at index {i} ({count} such value(s))."
            raise InvalidInputError(msg)
        frac = arr != np.floor(arr)
        if frac.any():
            i, count = _first(frac)
            msg = (
                f"`{name}` must be whole numbers of customers; got {_describe(arr[i])} at "
                f"index {i} ({count} non-integer value(s)); multiply shares by the cohort size."
            )
            raise InvalidInputError(msg)
        if np.abs(arr).max() >= 2.0**62:
            i = int(np.argmax(np.abs(arr)))
            msg = f"`{name}` must be below 2**62; got {_describe(arr[i])} at index {i}."
            raise InvalidInputError(msg)
    out = arr.astype(np.int64)
    neg = out < 0
    if neg.any():
        i, count = _first(neg)
        msg = f"`{name}` must be non-negative; got {_describe(arr[i])} at index {i} ({count} negative value(s))."
        raise InvalidInputError(msg)
    if out[0] == 0:
        msg = f"`{name}` must start with a positive cohort size; got {_describe(arr[0])} at index 0."
        raise InvalidInputError(msg)
    up = np.diff(out) > 0
    if up.any():
        i = int(np.argmax(up)) + 1
        msg = (
            f"`{name}` must not increase (a survivor count cannot grow); got "
            f"{_describe(arr[i])} after {_describe(arr[i - 1])} at index {i}."
        )
        raise InvalidInputError(msg)
    return out
