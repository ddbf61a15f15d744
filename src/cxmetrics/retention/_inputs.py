"""Input parsing of the retention family: subscription spells ``[start, end)``.

:func:`spells_1d` checks the start and end instants of
:func:`~cxmetrics.churn_rate`, :func:`~cxmetrics.churn_by_period` and
:meth:`~cxmetrics.RevenueMatrix.from_spells` (a missing end is a spell still
running at ``as_of``). It builds on the shared instant parsers of
:mod:`cxmetrics._core.validation`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import (
    _first,
    check_same_length,
    check_zones,
    common_unit,
    datetime_scalar,
    datetimes_1d,
)
from cxmetrics.exceptions import InvalidInputError, MissingValueError

__all__ = ["spells_1d"]


def spells_1d(
    start: ArrayLike,
    end: ArrayLike,
    *,
    as_of: object | None = None,
    names: tuple[str, str] = ("start", "end"),
) -> tuple[NDArray[np.datetime64], NDArray[np.datetime64], np.datetime64 | None]:
    """Validate spells ``[start, end)`` observed up to ``as_of`` (exclusive).

    A missing ``end`` (NaT, None, NaN, pandas/polars nulls) is a spell still
    running: it needs ``as_of`` and is closed there; with ``as_of`` every end
    after it is clipped to it, so an end equal to ``as_of`` means "still active
    when observation stopped". Start, end and ``as_of`` must all be naive or all
    timezone-aware (aware ones are compared in UTC). Returns ``(start, end,
    as_of)`` in their finest common datetime64 unit (``as_of`` None when not
    given); the input is never modified. Refused with the index and the count:
    a missing start, an end not after its start, and (with ``as_of``) a start on
    or after ``as_of``.
    """
    check_zones({names[0]: start, names[1]: end, "as_of": as_of})
    t = None if as_of is None else datetime_scalar(as_of, "as_of")
    s = datetimes_1d(start, names[0])
    e = datetimes_1d(end, names[1], allow_missing=True)
    check_same_length(names[1], e, names[0], s.shape[0])
    s, e, *rest = common_unit(s, e, *([] if t is None else [np.array([t])]))
    bad = e <= s
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`{names[1]}` must be after `{names[0]}`; got {names[1]}={e[i]} and "
            f"{names[0]}={s[i]} at index {i} ({count} such row(s)); correct or drop "
            f"these rows (`{names[1]}` is the first instant without the spell; leave "
            "it empty for one still running)."
        )
        raise InvalidInputError(msg)
    open_ = np.isnat(e)
    if t is None:
        if open_.any():
            i, count = _first(open_)
            msg = (
                f"`{names[1]}` contains {count} missing instant(s) (NaT/None), the "
                f"first at index {i}: spells still running; pass `as_of` (the date "
                "the data were exported) to count them as active up to it."
            )
            raise MissingValueError(msg)
        return s, e, None
    stamp = rest[0][0]
    late = s >= stamp
    if late.any():
        i, count = _first(late)
        msg = (
            f"`{names[0]}` must be before `as_of` ({stamp}); got {s[i]} at index {i} "
            f"({count} such row(s)): those spells are not observed by then; drop "
            "them or pass a later `as_of`."
        )
        raise InvalidInputError(msg)
    return s, np.where(open_ | (e > stamp), stamp, e), stamp
