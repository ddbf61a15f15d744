"""Purchase periods: instants to whole periods, and same-period purchases collapsed.

The purchase models count *repeat purchase periods*: several purchases by one
customer in the same period (a day, by default) count as one purchase whose value
is their sum, as in Fader, Hardie & Lee (2005) and lifetimes'
``summary_data_from_transaction_data``.
"""

from __future__ import annotations

from typing import Any, NamedTuple, get_args

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.keys import factorise
from cxmetrics._core.threaded import gather, sort_in_place
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


def _stable_order(
    keys: NDArray[np.int64], bound: int
) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """``argsort(keys, kind="stable")`` and the sorted keys, for keys in [0, bound).

    ``keys`` is overwritten (the caller builds it for this call).

    When the key and the row number fit together in 63 bits, one unstable sort
    of ``key << bits | row`` gives both: ties come out in row order, as with a
    stable sort, so sums over equal keys add in the same order (bit-identical),
    and an unstable sort of plain integers is several times faster than a
    stable argsort (no indirection, SIMD sorting networks). Keys already in order
    (a log exported sorted by customer, then by time) skip the sort.
    """
    n = keys.shape[0]
    row_bits = max(n - 1, 1).bit_length()
    if max(bound - 1, 1).bit_length() + row_bits > 63:
        order = np.argsort(keys, kind="stable")
        return order, keys[order]
    packed = keys  # the caller's scratch array: packed in place
    packed <<= np.int64(row_bits)
    rows = np.arange(n, dtype=np.intp)
    packed |= rows
    if not _in_order(packed):  # a log sorted by customer, then time, needs no sort
        sort_in_place(packed)
    order = np.bitwise_and(packed, (1 << row_bits) - 1, out=rows)  # reused
    packed >>= np.int64(row_bits)
    return order, packed


def collapse(
    keys: NDArray[Any],
    periods: NDArray[Any],
    values: NDArray[np.float64],
    *,
    overwrite_periods: bool = False,
) -> Collapsed:
    """Collapse a log to one row per customer, sorted by customer key.

    One sort by (customer, period), then :func:`numpy.add.reduceat` over the runs
    of equal (customer, period) and of equal customer: no loop over rows.
    ``overwrite_periods=True`` lets it use an int64 ``periods`` the caller has
    just built as a work buffer once the sort keys are packed.
    """
    n = periods.shape[0]
    if n == 0:
        return _empty(keys)
    labels, codes = _codes(keys)
    whole = periods.dtype.kind in "iu"  # integer periods need no check
    lo = float(periods.min())
    span = float(periods.max()) - lo + 1.0
    integral = whole or bool(np.all(periods == np.floor(periods)))
    new_period = np.empty(n, dtype=bool)
    new_period[0] = True
    if integral and span * labels.shape[0] < 2.0**61:
        # one int64 key per row: a single sort and gather; customer and period
        # are recovered from the sorted key (fewer random-access gathers)
        # the period takes the low bits (a power-of-two width: shifts, no division)
        bits = max(int(span) - 1, 1).bit_length()
        # built in the codes' own array (new, see _codes): full-length
        # temporaries cost a page fault per page on first touch
        combined = codes
        combined <<= np.int64(bits)
        if whole:
            np.add(combined, periods, out=combined, casting="unsafe")
            combined -= np.int64(lo)
        else:
            combined += (periods - lo).astype(np.int64)
        order, key = _stable_order(combined, labels.shape[0] << bits)
        np.not_equal(key[1:], key[:-1], out=new_period[1:])
        starts = np.flatnonzero(new_period)
        m = starts.shape[0]
        if overwrite_periods and periods.dtype == np.int64:
            first_keys = np.take(key, starts, out=periods[:m], mode="clip")
        else:
            first_keys = key[starts]
        # the two full-length buffers are reused as they fall free (a fresh
        # array costs a page fault per page on first touch): the sorted keys
        # take the values in sorted order (``order`` is a permutation),
        # ``order`` then takes the period sums and the keys' buffer the customers
        v = key.view(np.float64)
        gather(values, order, v)
        pv = np.add.reduceat(v, starts, out=order.view(np.float64)[:m])
        pc = np.right_shift(first_keys, np.int64(bits), out=key[:m])
        first_keys &= np.int64((1 << bits) - 1)
        # the period offsets become their periods (float64) in place
        pp = np.add(first_keys, lo, out=first_keys.view(np.float64))
    else:
        order = np.lexsort((periods, codes))
        c = codes[order]
        p = periods[order]
        np.not_equal(c[1:], c[:-1], out=new_period[1:])
        new_period[1:] |= p[1:] != p[:-1]
        starts = np.flatnonzero(new_period)
        pc = c[starts]
        pp = p[starts].astype(np.float64, copy=False)
        pv = np.add.reduceat(values[order], starts)
    m = starts.shape[0]
    new_customer = np.empty(m, dtype=bool)
    new_customer[0] = True
    np.not_equal(pc[1:], pc[:-1], out=new_customer[1:])
    cstarts = np.flatnonzero(new_customer)
    periods_per = _run_lengths(cstarts, m)
    # each customer's last period: the run start plus its length, minus one
    ends = np.add(cstarts, periods_per)
    ends -= 1
    last = pp[ends]
    repeat = pv  # not needed after: the first period of each customer zeroed
    repeat[cstarts] = 0.0
    tx = np.take(starts, cstarts, out=ends, mode="clip")  # ends are read: reused
    return Collapsed(
        labels[pc[cstarts]],
        pp[cstarts],
        last,
        periods_per,
        np.add.reduceat(repeat, cstarts),
        _run_lengths(tx, n),
    )


def _run_lengths(starts: NDArray[np.intp], total: int) -> NDArray[np.int64]:
    """Lengths of the runs starting at ``starts`` (increasing, from 0) in ``total`` rows.

    One new array: ``np.diff(np.append(starts, total))`` makes three.
    """
    out = np.empty(starts.shape[0], dtype=np.int64)
    np.subtract(starts[1:], starts[:-1], out=out[:-1])
    out[-1] = total - starts[-1]
    return out
