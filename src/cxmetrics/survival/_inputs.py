"""Input parsing of the survival family: durations, event indicators and entry times.

:func:`survival_data` is the one place where the arguments of
:func:`~cxmetrics.kaplan_meier`, :func:`~cxmetrics.nelson_aalen`,
:func:`~cxmetrics.logrank_test` and :meth:`~cxmetrics.SurvivalState.from_durations`
are converted and checked; the event tables and estimators trust what comes out.
It builds on the shared parsers of :mod:`cxmetrics._core.validation`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import (
    _describe,
    _first,
    check_option,
    check_same_length,
    durations_1d,
    numeric_1d,
)
from cxmetrics.exceptions import InvalidInputError, MissingValueError

__all__ = ["SurvivalData", "survival_data"]


class SurvivalData(NamedTuple):
    """Validated time-to-event data (rows with a missing value already dropped).

    ``durations`` and ``entry`` are float64; ``events`` is a boolean mask, or
    ``None`` when every row is an event; ``entry`` is ``None`` without late entry.
    ``missing`` marks the dropped rows of the input (``None`` when none was).
    """

    durations: NDArray[np.float64]
    events: NDArray[np.bool_] | None
    entry: NDArray[np.float64] | None
    n_missing: int
    missing: NDArray[np.bool_] | None = None


def _event_mask(
    values: ArrayLike, n: int, *, nan_policy: str
) -> tuple[NDArray[np.bool_], NDArray[np.bool_] | None]:
    """Event indicators as a boolean mask, plus the mask of missing ones (or None)."""
    arr = numeric_1d(values, "events")
    check_same_length("events", arr, "durations", n)
    missing: NDArray[np.bool_] | None = None
    if arr.dtype.kind == "f":
        nan = np.isnan(arr)
        if nan.any():
            i, count = _first(nan)
            if nan_policy == "raise":
                msg = (
                    f"`events` contains {count} missing value(s) (NaN/None), the first "
                    f"at index {i}; pass nan_policy='omit' to drop and count them."
                )
                raise MissingValueError(msg)
            missing = nan
    with np.errstate(invalid="ignore"):
        bad = (arr != 0) & (arr != 1)
    if missing is not None:
        bad &= ~missing
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`events` must be 0 or 1 (or False/True); got {_describe(arr[i])} at "
            f"index {i} ({count} such value(s))."
        )
        raise InvalidInputError(msg)
    return np.asarray(arr == 1), missing


def survival_data(
    durations: ArrayLike,
    events: ArrayLike | None = None,
    entry: ArrayLike | None = None,
    *,
    nan_policy: str = "raise",
) -> SurvivalData:
    """Validate durations, event indicators and (optional) entry times.

    Rules: numeric 1-D arrays of one length; durations and entry times finite and
    non-negative (:func:`durations_1d`); event indicators 0/1 or booleans; every
    subject at risk for a positive time, ``entry < duration`` (the origin
    ``entry == duration == 0`` is allowed, as when no one enters late). Missing
    values (NaN/None) in any of the three raise with their count and first index
    under ``nan_policy='raise'``; under ``'omit'`` the whole row is dropped and
    counted. Inputs are never modified.
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    d, missing = durations_1d(durations, "durations", nan_policy=nan_policy)
    n = d.shape[0]
    ev: NDArray[np.bool_] | None = None
    if events is not None:
        ev, m = _event_mask(events, n, nan_policy=nan_policy)
        missing = m if missing is None else missing if m is None else missing | m
    en: NDArray[np.float64] | None = None
    if entry is not None:
        en, m = durations_1d(entry, "entry", nan_policy=nan_policy)
        check_same_length("entry", en, "durations", n)
        missing = m if missing is None else missing if m is None else missing | m
        with np.errstate(invalid="ignore"):
            bad = (en >= d) & ~((en == 0) & (d == 0))
        if bad.any():
            i, count = _first(bad)
            msg = (
                f"`entry` must be less than `durations` (a subject is at risk on "
                f"(entry, duration]); got entry {_describe(en[i])} and duration "
                f"{_describe(d[i])} at index {i} ({count} such row(s))."
            )
            raise InvalidInputError(msg)
    if missing is None:
        return SurvivalData(d, ev, en, 0)
    keep = ~missing
    return SurvivalData(
        d[keep],
        None if ev is None else ev[keep],
        None if en is None else en[keep],
        int(np.count_nonzero(missing)),
        missing,
    )
