"""Per-ticket SLA inputs: due instants and target durations, one per ticket and metric."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import (
    _frame_utc,
    _is_missing_object,
    as_1d,
    durations_1d,
    utc_instants_1d,
)
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.support._clock import NAT
from cxmetrics.support._policy import METRICS

__all__ = ["DUE_METRICS", "due_instants", "per_metric", "target_durations"]

#: metrics with one clock per ticket, so one due instant per ticket
DUE_METRICS = ("first_reply", "resolution")
_PLACEHOLDER = datetime(1970, 1, 1, tzinfo=UTC)


def per_metric(
    value: object, name: str, allowed: tuple[str, ...]
) -> dict[str, tuple[str, Any]]:
    """``{metric: (argument name, column)}`` from a column (resolution) or a mapping.

    Only the keys are checked here (an option check, before any pass over data).
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        return {"resolution": (f"`{name}`", value)}
    out: dict[str, tuple[str, Any]] = {}
    for metric, column in value.items():
        if metric not in allowed:
            why = (
                " (next reply and periodic update have several clocks per ticket: give them per-ticket targets or policy targets)"
                if metric in METRICS
                else ""
            )
            msg = f"`{name}` must map SLA metrics {allowed} to per-ticket columns; got {metric!r}{why}."
            raise InvalidInputError(msg)
        out[str(metric)] = (f"`{name}[{metric!r}]`", column)
    return out


def due_instants(values: ArrayLike, name: str) -> NDArray[np.int64]:
    """Due instants as UTC ns, ``NAT`` where missing (NaT/None: no target).

    Accepted like every instant of the family (numpy ``datetime64`` read as UTC,
    timezone-aware datetimes and pandas columns), plus missing entries.
    """
    fast = _frame_utc(values, name.strip("`"))
    arr = as_1d(values if fast is None else fast, name)
    if arr.dtype.kind in "US":
        msg = (
            f"{name} holds text ({arr[:1].tolist()!r} ...); parse it into "
            "timezone-aware instants first, e.g. pandas.to_datetime(column, utc=True) "
            "or datetime.fromisoformat for text with offsets."
        )
        raise InvalidInputTypeError(msg)
    if arr.dtype.kind == "M":
        missing = np.isnat(arr)
        filled = np.where(missing, np.zeros(1, dtype=arr.dtype), arr)
    elif arr.dtype.kind == "O":
        items = arr.tolist()
        missing = np.array([_is_missing_object(v) for v in items], dtype=bool)
        filled = np.array(
            [_PLACEHOLDER if m else v for v, m in zip(items, missing, strict=True)],
            dtype=object,
        )
    else:
        missing = np.zeros(arr.shape, dtype=bool)
        filled = arr
    ns = utc_instants_1d(filled, name.strip("`"))
    return np.where(missing, NAT, ns)


def target_durations(values: ArrayLike, name: str) -> NDArray[np.int64]:
    """Positive target durations as ns, ``-1`` where missing (NaN/NaT/None).

    Numbers are seconds, as in :class:`SLAPolicy`; time deltas are converted by
    the shared :func:`cxmetrics._core.validation.durations_1d`.
    """
    sec, missing = durations_1d(values, name.strip("`"), nan_policy="omit")
    ok = np.ones(sec.shape, dtype=bool) if missing is None else ~missing
    bad = ok & ((sec <= 0) | (sec > 9e9))
    if bad.any():
        i = int(np.argmax(bad))
        msg = f"{name} must be positive and at most 9e9 seconds (missing values mean no target); got {float(sec[i])!r} seconds at index {i} ({int(bad.sum())} such value(s))."
        raise InvalidInputError(msg)
    ns = np.rint(np.where(ok, sec, 0.0) * 1e9).astype(np.int64)
    return np.where(ok, ns, -1)
