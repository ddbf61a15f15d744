"""Transaction logs for the RFM summaries: customer keys, instants and values."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.times import _object_instants
from cxmetrics._core.validation import (
    _describe,
    _first,
    _is_missing_object,
    as_1d,
    check_option,
    check_same_length,
    datetimes_1d,
    group_index,
    instants_1d,
    numeric_1d,
)
from cxmetrics.exceptions import InvalidInputError, MissingValueError
from cxmetrics.typing import NanPolicy

__all__ = ["TransactionLog", "transaction_log"]


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
    check_option("nan_policy", nan_policy, NanPolicy)
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
