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

from typing import Any, NamedTuple

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
)
from cxmetrics._core.columns import (
    ScaleData,
    _describe,
    _first,
    _is_missing_object,
    _object_to_float,
    as_1d,
    check_same_length,
    flags_1d,
    integer_scale,
    numeric_1d,
    weights_array,
)
from cxmetrics._core.durations import durations_1d, timedelta_seconds
from cxmetrics._core.groups import GroupIndex, group_index
from cxmetrics._core.money import minor_units_1d
from cxmetrics._core.parameters import parameter_array, parameter_scalar
from cxmetrics._core.times import (
    _frame_utc,
    _object_instants,
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
    MissingValueError,
)

__all__ = [
    "GroupIndex",
    "RFMArrays",
    "ScaleData",
    "TransactionLog",
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
    "minor_units_1d",
    "numeric_1d",
    "parameter_array",
    "parameter_scalar",
    "rfm_arrays",
    "seconds_ns_1d",
    "survivor_counts",
    "timedelta_seconds",
    "transaction_log",
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


class TransactionLog(NamedTuple):
    """A validated transaction log (rows with a missing instant or value dropped).

    ``instants`` is float64 for numbers or datetime64 for calendar instants;
    ``values`` is float64 (all zero when no monetary value was given).
    """

    customers: NDArray[Any]
    instants: NDArray[Any]
    values: NDArray[np.float64]
    n_missing: int


def transaction_log(
    customers: ArrayLike,
    instants: ArrayLike,
    values: ArrayLike | None,
    *,
    nan_policy: str = "raise",
) -> TransactionLog:
    """Validate a transaction log: customer keys, instants and monetary values.

    Customer keys follow :func:`group_index` (no missing key); instants are
    numbers or datetimes (:func:`instants_1d`); values are finite numbers (any
    sign). Missing instants or values raise under ``nan_policy='raise'`` with
    their count and first index, or are dropped and counted under ``'omit'``.
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    raw = as_1d(instants, "instants")
    if raw.dtype.kind in "US" or (
        raw.dtype.kind == "O" and raw.size and _object_instants(raw) is not None
    ):
        # ISO strings and dates: parse, keeping missing ones as NaT for nan_policy
        text = raw.astype(str) if raw.dtype.kind != "O" else raw
        missing_text = np.frompyfunc(_is_missing_object, 1, 1)(text).astype(bool)
        missing_text |= np.isin(text, ["", "NaT", "nan", "None"])
        t: NDArray[Any] = np.full(raw.shape, np.datetime64("NaT"), "datetime64[us]")
        if (~missing_text).any():
            parsed = datetimes_1d(raw[~missing_text], "instants")
            t = t.astype(parsed.dtype)
            t[~missing_text] = parsed
    else:
        t = instants_1d(raw, "instants")
    n = int(t.shape[0])
    keys = as_1d(customers, "customers")
    check_same_length("customers", keys, "instants", n)
    # validates key types and missing keys; the codes themselves are not needed
    group_index(keys, n, name="customers", like="instants")
    if keys.dtype.kind == "b":
        keys = keys.view(np.uint8)
    v: NDArray[np.float64]
    if values is None:
        v = np.zeros(n)
    else:
        v = numeric_1d(values, "values").astype(np.float64, copy=False)
        check_same_length("values", v, "instants", n)
        inf = np.isinf(v)
        if inf.any():
            i, count = _first(inf)
            msg = f"`values` must be finite; got {_describe(v[i])} at index {i} ({count} non-finite value(s))."
            raise InvalidInputError(msg)
    missing_t = np.isnat(t) if t.dtype.kind == "M" else np.isnan(t)
    missing = missing_t | np.isnan(v)
    if missing.any():
        i, count = _first(missing)
        if nan_policy == "raise":
            which = "instants" if missing_t[i] else "values"
            msg = (
                f"`{which}` contains missing value(s) (NaN/NaT/None), the first at index "
                f"{i} ({count} row(s) with a missing instant or value); pass "
                "nan_policy='omit' to drop and count them."
            )
            raise MissingValueError(msg)
        keep = ~missing
        return TransactionLog(keys[keep], t[keep], v[keep], count)
    return TransactionLog(keys, t, v, 0)


class RFMArrays(NamedTuple):
    """Validated model input: one row per customer (or per identical pattern)."""

    frequency: NDArray[np.float64]
    recency: NDArray[np.float64]
    T: NDArray[np.float64]
    weights: NDArray[np.float64]


def rfm_arrays(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    discrete: bool = False,
    ids: NDArray[Any] | None = None,
) -> RFMArrays:
    """Validate an RFM summary for the purchase models.

    ``frequency`` whole numbers >= 0; ``recency`` in [0, ``T``], 0 where
    ``frequency`` is 0 and positive where it is not; ``T`` >= 0 (0 for a customer
    first seen at the end of observation); optional ``weights`` (counts of
    identical rows), finite and non-negative. With ``discrete`` (BG/BB) recency
    and T are whole numbers of periods and ``frequency <= recency``. With ``ids``
    (the customers of an RFM summary) errors name the customer, not the index.
    """

    def where(i: int) -> str:
        return f"at index {i}" if ids is None else f"for customer {ids[i].item()!r}"

    x = durations_1d(frequency, "frequency")[0]
    n = x.shape[0]
    tx = durations_1d(recency, "recency")[0]
    check_same_length("recency", tx, "frequency", n)
    big_t = durations_1d(T, "T")[0]
    check_same_length("T", big_t, "frequency", n)
    for arr, name in zip((x, tx, big_t), ("frequency", "recency", "T"), strict=True):
        if name == "frequency" or discrete:
            frac = arr != np.floor(arr)
            if frac.any():
                i, count = _first(frac)
                msg = f"`{name}` must be whole numbers; got {_describe(arr[i])} {where(i)} ({count} non-integer value(s))."
                raise InvalidInputError(msg)
    late = tx > big_t
    if late.any():
        i, count = _first(late)
        msg = (
            f"`recency` must not exceed `T`; got recency={_describe(tx[i])} and "
            f"T={_describe(big_t[i])} {where(i)} ({count} such row(s))."
        )
        raise InvalidInputError(msg)
    orphan = (x == 0) & (tx != 0)
    if orphan.any():
        i, count = _first(orphan)
        msg = (
            f"`recency` must be 0 where `frequency` is 0 (no repeat purchase); got "
            f"{_describe(tx[i])} {where(i)} ({count} such row(s))."
        )
        raise InvalidInputError(msg)
    instant = (x > 0) & (tx == 0)
    if instant.any():
        i, count = _first(instant)
        msg = (
            f"`recency` must be positive where `frequency` > 0 (repeat purchases come "
            f"after the first one); got recency 0 with frequency "
            f"{_describe(x[i])} {where(i)} ({count} such row(s)); check that "
            "purchases were collapsed per period and recency measured from the first."
        )
        raise InvalidInputError(msg)
    if discrete:
        over = x > tx
        if over.any():
            i, count = _first(over)
            msg = (
                f"`frequency` must not exceed `recency` in discrete time; got "
                f"frequency={_describe(x[i])} and recency={_describe(tx[i])} "
                f"{where(i)} ({count} such row(s))."
            )
            raise InvalidInputError(msg)
    w = np.ones(n) if weights is None else weights_array(weights, n, like="frequency")
    return RFMArrays(x, tx, big_t, w)
