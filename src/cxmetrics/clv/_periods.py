"""Purchase periods: instants to whole periods, and same-period purchases collapsed.

The purchase models count *repeat purchase periods*: several purchases by one
customer in the same period (a day, by default) count as one purchase whose value
is their sum, as in Fader, Hardie & Lee (2005) and lifetimes'
``summary_data_from_transaction_data``.
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast, get_args

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.keys import factorise
from cxmetrics._core.threaded import sort_in_place
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.periods import period_index as calendar_period_index
from cxmetrics.typing import FixedFreq

__all__ = ["FREQS", "Collapsed", "collapse", "period_codes", "period_index"]

#: periods a purchase is collapsed to, in the library's one vocabulary
#: (:data:`cxmetrics.typing.Freq`; weeks run Monday to Sunday, as pandas'
#: ``to_period("W")``)
FREQS: tuple[str, ...] = get_args(FixedFreq)

#: integer customer keys spanning at most this many times the rows are used directly
_DENSE_FACTOR = 4
_DENSE_MIN = 1 << 16


def period_index(instants: NDArray[Any], freq: FixedFreq) -> NDArray[Any]:
    """Whole periods since the epoch (float64) of datetime64 instants; numbers as they are."""
    if instants.dtype.kind != "M":
        return np.asarray(instants, dtype=np.float64)
    return period_codes(instants, freq).astype(np.float64)


def period_codes(instants: NDArray[Any], freq: FixedFreq) -> NDArray[Any]:
    """:func:`period_index` as int64 for datetime64 instants (float64 numbers as they are).

    :func:`collapse` takes either; whole periods as integers spare it a
    conversion and a check that they are whole.
    """
    if instants.dtype.kind != "M":
        return np.asarray(instants, dtype=np.float64)
    check_option("freq", freq, FixedFreq)
    unit, step = np.datetime_data(instants.dtype)
    per_second = _PER_SECOND.get(unit)
    if freq in _SECONDS and per_second is not None and step == 1:
        # a floor division of the ticks: what the datetime cast computes, faster
        ticks = instants.view(np.int64)
        if ticks.size and int(ticks.min()) == np.iinfo(np.int64).min:  # NaT
            return calendar_period_index(instants, freq)
        return np.floor_divide(ticks, _SECONDS[freq] * per_second)
    return calendar_period_index(instants, freq)


#: ticks per second of the datetime64 units, and seconds per fixed-length period
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}


class Collapsed(NamedTuple):
    """Per customer: first and last purchase period, purchase periods, repeat value."""

    customers: NDArray[Any]
    first: NDArray[np.float64]
    last: NDArray[np.float64]
    periods: NDArray[np.int64]
    repeat_value: NDArray[np.float64]
    transactions: NDArray[np.int64]


def _empty(keys: NDArray[Any]) -> Collapsed:
    return Collapsed(
        keys[:0],
        np.zeros(0),
        np.zeros(0),
        np.zeros(0, np.int64),
        np.zeros(0),
        np.zeros(0, np.int64),
    )


def _codes(keys: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Customer codes that sort like the keys, and the key of each code.

    Integer keys in a dense range are their own codes (offset by the minimum):
    no sort. Other keys are factorised (:func:`~cxmetrics._core.keys.factorise`,
    which sorts them). Codes that no row has are harmless: only codes seen in the
    data reach the output. The codes are always a new array, which the caller
    may overwrite.
    """
    n = keys.shape[0]
    if keys.dtype.kind in "iu":
        lo, hi = int(keys.min()), int(keys.max())
        if hi - lo + 1 <= max(_DENSE_MIN, _DENSE_FACTOR * n):
            labels = np.arange(lo, hi + 1, dtype=keys.dtype)
            codes = keys.astype(np.int64)  # a new array: shifted in place
            codes -= np.int64(lo)
            return labels, codes
    try:
        return factorise(keys)
    except TypeError as err:  # pragma: no cover - group_index refused these already
        msg = f"`customers` must hold keys of one comparable type ({err})."
        raise InvalidInputError(msg) from None


def _in_order(keys: NDArray[np.int64]) -> bool:
    """Whether ``keys`` never decrease: a look at the first few first, then all."""
    head = keys[: 1 << 12]
    if bool((head[1:] < head[:-1]).any()):
        return False
    return not bool((keys[1:] < keys[:-1]).any())


def collapse(
    keys: NDArray[Any],
    periods: NDArray[Any],
    values: NDArray[np.float64],
    *,
    overwrite_periods: bool = False,
) -> Collapsed:
    """Collapse a log to one row per customer, sorted by customer key.

    One sort of the (customer, period) keys finds each customer's first and last
    period and counts the distinct periods; the repeat value (purchases after
    the customer's first period) is one weighted count in row order
    (:func:`numpy.bincount`), so its floating-point sum does not depend on the
    sort. No loop over rows. ``overwrite_periods=True`` lets it use an int64
    ``periods`` the caller has just built as a work buffer.
    """
    n = periods.shape[0]
    if n == 0:
        return _empty(keys)
    labels, codes = _codes(keys)
    whole = periods.dtype.kind in "iu"  # integer periods need no check
    lo = float(periods.min())
    span = float(periods.max()) - lo + 1.0
    integral = whole or bool(np.all(periods == np.floor(periods)))
    if integral and span * labels.shape[0] < 2.0**61:
        return _collapse_packed(
            labels, codes, periods, values, lo, span, overwrite_periods
        )
    return _collapse_lexsort(labels, codes, periods, values)


def _collapse_packed(
    labels: NDArray[Any],
    codes: NDArray[np.int64],
    periods: NDArray[Any],
    values: NDArray[np.float64],
    lo: float,
    span: float,
    overwrite_periods: bool,
) -> Collapsed:
    """:func:`collapse` of whole periods: one integer key per row, sorted.

    The key packs the customer's code above the period's offset (a power-of-two
    width: shifts, no division). Only the keys are sorted, and no row order is
    needed: the values are never reordered.
    """
    n = periods.shape[0]
    bits = max(int(span) - 1, 1).bit_length()
    mask = np.int64((1 << bits) - 1)
    # built in the codes' own array (new, see _codes): full-length temporaries
    # cost a page fault per page on first touch
    packed = codes
    packed <<= np.int64(bits)
    if periods.dtype.kind in "iu":
        np.add(packed, periods, out=packed, casting="unsafe")
        packed -= np.int64(lo)
    else:
        packed += (periods - lo).astype(np.int64)
    # one work buffer of n int64 (the caller's periods when it may be
    # overwritten): the sorted keys, as uint32 where they fit (numpy sorts
    # 32-bit integers about 1.5 times as fast as 64-bit ones here) in its first
    # half, then the customer of each row
    own = overwrite_periods and periods.dtype == np.int64
    work = periods if own else np.empty(n, dtype=np.int64)
    if labels.shape[0] << bits <= 1 << 32 and n < 1 << 32:
        ordered: NDArray[Any] = work.view(np.uint32)[:n]
        spare: NDArray[Any] = work.view(np.uint32)[n:]
    else:
        ordered, spare = work, np.empty(n, dtype=np.int64)
    np.copyto(ordered, packed, casting="unsafe")
    if not _in_order(packed):  # a log sorted by customer, then time, needs no sort
        sort_in_place(ordered)
    # where the key changes (a new period) and where the customer changes,
    # on the sorted keys: no array per distinct key
    new_key = _changes(ordered)
    shifted = np.right_shift(ordered, ordered.dtype.type(bits), out=spare)
    cstarts, tx, ends = _runs(shifted)
    first_key = ordered[cstarts]
    last = _period_of(ordered[ends], mask, lo)
    # the distinct periods of each customer: the new keys in its run (its first
    # row is one), counted by a running count in the spare half
    counts = np.cumsum(new_key, dtype=spare.dtype, out=spare)
    periods_per = counts[ends].astype(np.int64)
    periods_per -= counts[cstarts]
    periods_per += 1
    present = np.right_shift(first_key, first_key.dtype.type(bits)).astype(np.intp)
    # the repeat purchases, in row order: a row is a repeat purchase when its
    # key is not its customer's first key (the first period's keys are equal)
    firsts = np.empty(labels.shape[0], dtype=np.int64)
    firsts[present] = first_key
    # the sorted keys are read: the work buffer takes each row's customer
    row_customer = np.right_shift(packed, np.int64(bits), out=work)
    weights = _repeat_weights(packed, row_customer, firsts, values)
    sums = np.bincount(row_customer, weights=weights, minlength=labels.shape[0])
    first = _period_of(first_key, mask, lo)
    return Collapsed(labels[present], first, last, periods_per, sums[present], tx)


def _period_of(keys: NDArray[Any], mask: np.int64, lo: float) -> NDArray[np.float64]:
    """The periods (float64) of packed keys: their low bits plus ``lo``, in one new array."""
    offsets: NDArray[np.int64] = np.bitwise_and(keys, mask)  # the new array
    periods: NDArray[np.float64] = offsets.view(np.float64)
    np.add(offsets, lo, out=periods)
    return periods


#: rows per block of :func:`_repeat_weights` (its work arrays stay in cache)
_BLOCK = 1 << 15


def _repeat_weights(
    packed: NDArray[np.int64],
    row_customer: NDArray[np.int64],
    firsts: NDArray[np.int64],
    values: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Each row's value where its key is not its customer's first key, else 0.

    Written over ``packed`` (read block by block before it is overwritten): a
    block's lookup and comparison stay in cache, with no full-length temporary.
    """
    out = packed.view(np.float64)
    seen = np.empty(min(_BLOCK, packed.shape[0]), dtype=np.int64)
    repeat = np.empty(seen.shape[0], dtype=bool)
    for start in range(0, packed.shape[0], _BLOCK):
        rows = slice(start, start + _BLOCK)
        size = packed[rows].shape[0]
        np.take(firsts, row_customer[rows], out=seen[:size], mode="clip")
        np.not_equal(packed[rows], seen[:size], out=repeat[:size])
        np.multiply(values[rows], repeat[:size], out=out[rows])
    return out


def _collapse_lexsort(
    labels: NDArray[Any],
    codes: NDArray[np.int64],
    periods: NDArray[Any],
    values: NDArray[np.float64],
) -> Collapsed:
    """:func:`collapse` of fractional periods, or keys too wide to pack: a lexsort."""
    n = periods.shape[0]
    order = np.lexsort((periods, codes))
    c = codes[order]
    p = periods[order]
    new_key = _changes(c)
    new_key[1:] |= p[1:] != p[:-1]
    starts = np.flatnonzero(new_key)
    pc = c[starts]
    pp = p[starts].astype(np.float64, copy=False)
    cstarts, periods_per, ends = _runs(pc)
    present = pc[cstarts]
    firsts = np.empty(labels.shape[0], dtype=np.float64)
    firsts[present] = pp[cstarts]
    weights = np.multiply(values, periods != firsts[codes])
    # float64 with weights (the stubs give the count overload's type)
    sums = cast(
        "NDArray[np.float64]",
        np.bincount(codes, weights=weights, minlength=labels.shape[0]),
    )
    return Collapsed(
        labels[present],
        pp[cstarts],
        pp[ends],
        periods_per,
        sums[present],
        _run_lengths(starts[cstarts], n),
    )


def _changes(values: NDArray[Any]) -> NDArray[np.bool_]:
    """Where a sorted (non-empty) array starts a new run of equal values."""
    out = np.empty(values.shape[0], dtype=bool)
    out[0] = True
    np.not_equal(values[1:], values[:-1], out=out[1:])
    return out


def _runs(
    values: NDArray[Any],
) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.int64]]:
    """The runs of equal values of a sorted (non-empty) array: first index, length, last index."""
    starts = np.flatnonzero(_changes(values))
    lengths = _run_lengths(starts, values.shape[0])
    # each run's last index: its start plus its length, minus one
    ends = np.add(starts, lengths)
    ends -= 1
    return starts, lengths, ends


def _run_lengths(starts: NDArray[np.intp], total: int) -> NDArray[np.int64]:
    """Lengths of the runs starting at ``starts`` (increasing, from 0) in ``total`` rows.

    One new array: ``np.diff(np.append(starts, total))`` makes three.
    """
    out = np.empty(starts.shape[0], dtype=np.int64)
    np.subtract(starts[1:], starts[:-1], out=out[:-1])
    out[-1] = total - starts[-1]
    return out
