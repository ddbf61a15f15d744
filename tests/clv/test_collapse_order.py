"""The collapse of a log against a plain reference, bit for bit.

The collapse sorts packed (customer, period) keys only; each customer's repeat
value (purchases after the first period) is summed in the order of the log,
whatever the sort. Values whose float sum depends on the order (1e16, 1, -1e16)
would show any other order.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.clv._periods import collapse, period_codes
from cxmetrics.exceptions import InvalidInputError


def _collapse_stable(keys, periods, values):
    """The plain collapse: a stable sort of (customer, period), repeat values in log order."""
    labels, codes = np.unique(keys, return_inverse=True)
    order = np.lexsort((periods, codes))  # lexsort is stable
    c, p = codes[order], periods[order]
    new = np.ones(c.size, bool)
    new[1:] = (c[1:] != c[:-1]) | (p[1:] != p[:-1])
    starts = np.flatnonzero(new)
    pc, pp = c[starts], p[starts]
    first = np.ones(starts.size, bool)
    first[1:] = pc[1:] != pc[:-1]
    cstarts = np.flatnonzero(first)
    ends = np.append(cstarts[1:], starts.size) - 1
    # each customer's purchases after its first period, added up row by row
    first_period = dict(zip(pc[cstarts].tolist(), pp[cstarts].tolist(), strict=True))
    repeat = dict.fromkeys(first_period, 0.0)
    for code, period, value in zip(
        codes.tolist(), periods.tolist(), values.tolist(), strict=True
    ):
        if period != first_period[code]:
            repeat[code] += value
    return (
        labels[pc[cstarts]],
        pp[cstarts],
        pp[ends],
        np.diff(np.append(cstarts, starts.size)),
        np.array([repeat[k] for k in pc[cstarts].tolist()]),
        np.diff(np.append(starts[cstarts], c.size)),
    )


def _assert_same(got, want):
    """Every column equal, and the repeat values equal bit for bit."""
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    assert got.repeat_value.tobytes() == want[4].tobytes()


#: (customer, period, value) rows; the values' float sum depends on their order
_ROWS = st.lists(
    st.tuples(
        st.integers(0, 6),
        st.integers(-3, 40),
        st.sampled_from([1e16, 1.0, -1e16, 0.1, 2.5, 0.0]),
    ),
    min_size=1,
    max_size=80,
)


@given(_ROWS, st.booleans())
def test_collapse_equals_a_stable_sort_bit_for_bit(rows, text_keys):
    c = np.array([r[0] for r in rows])
    keys = np.array([f"c{k}" for k in c]) if text_keys else c * 1000 + 7
    periods = np.array([r[1] for r in rows], dtype=np.float64)
    values = np.array([r[2] for r in rows])
    got = collapse(keys, periods, values)
    want = _collapse_stable(keys, periods, values)
    _assert_same(got, want)
    assert [a.dtype for a in got[1:]] == [np.float64] * 2 + [np.int64] + [
        np.float64,
        np.int64,
    ]
    # whole periods given as integers (datetime logs) collapse the same
    as_int = collapse(keys, periods.astype(np.int64), values)
    for g, w in zip(as_int, got, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    # and the same again when the collapse may use the periods as a work buffer
    scratch = periods.astype(np.int64)
    reused = collapse(keys, scratch, values, overwrite_periods=True)
    for g, w in zip(reused, got, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    assert reused.repeat_value.tobytes() == want[4].tobytes()


@given(_ROWS, st.sampled_from(["wide", "fractional"]))
def test_wide_and_fractional_periods_collapse_like_the_reference(rows, kind):
    # keys wider than 32 bits are sorted as int64; periods that are not whole
    # take the two-key lexsort: the same definition of every column
    keys = np.array([r[0] * 1000 + 7 for r in rows])
    periods = np.array([r[1] for r in rows], dtype=np.float64)
    periods = periods * 2.0**24 if kind == "wide" else periods / 4.0
    values = np.array([r[2] for r in rows])
    got = collapse(keys, periods, values)
    want = _collapse_stable(keys, periods, values)
    _assert_same(got, want)


@pytest.mark.parametrize(
    ("customers", "top"),
    [
        (3, 2**30),  # keys just past 32 bits: sorted as int64, not uint32
        (16, 2**50),  # keys past 2**53: compared as integers, not floats
        (4, 2**60),  # customers x span past 2**61: the two-key lexsort
    ],
)
def test_keys_of_every_width_collapse_like_the_reference(customers, top):
    rng = np.random.default_rng(customers)
    n = 400
    keys = np.array([f"k{i}" for i in rng.integers(0, customers, n)])
    # odd periods: keys past 2**53 would not survive a float64
    periods = rng.integers(0, 6, n) * (top // 5) + 1
    periods[:customers] = 0  # the full span, from 0
    periods[-1] = top
    values = rng.choice([1e16, 1.0, -1e16, 0.1, 2.5], n)
    want = _collapse_stable(keys, periods, values)
    for scratch in (False, True):
        got = collapse(keys, periods.copy(), values, overwrite_periods=scratch)
        _assert_same(got, want)


def test_rfm_summary_of_same_day_values_keeps_row_order():
    # regression guard for the unstable sort: the day's sum is (1e16 + 1) - 1e16 = 0
    # in row order, but 1 in another order
    res = cx.rfm_summary(
        [5, 5, 5, 5],
        ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-02"],
        [3.0, 1e16, 1.0, -1e16],
        observation_end="2024-01-10",
    )
    assert res.frequency.tolist() == [1]
    assert res.monetary_value.tolist() == [0.0]


@given(
    st.lists(st.integers(-(10**17), 10**17), min_size=1, max_size=40),
    st.sampled_from(["s", "ms", "us", "ns"]),
    st.sampled_from(["second", "minute", "hour", "day", "week"]),
)
def test_period_codes_equal_the_calendar_index(ticks, unit, freq):
    from cxmetrics.periods import period_index as calendar_period_index

    scale = {"s": 10**-9, "ms": 10**-6, "us": 10**-3, "ns": 1}[unit]
    instants = np.array([int(t * scale) for t in ticks], dtype=np.int64).view(
        f"datetime64[{unit}]"
    )
    got = period_codes(instants, freq)
    want = calendar_period_index(instants, freq)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)
    with_nat = np.concatenate((instants, np.array(["NaT"], dtype=instants.dtype)))
    np.testing.assert_array_equal(
        period_codes(with_nat, freq), calendar_period_index(with_nat, freq)
    )


@given(_ROWS)
def test_a_log_sorted_by_customer_and_time_collapses_the_same(rows):
    # exports often come sorted by customer, then time: the packed keys are
    # then in order already and the sort is skipped; ties keep row order
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    keys = np.array([r[0] * 1000 + 7 for r in rows])
    periods = np.array([r[1] for r in rows], dtype=np.int64)
    values = np.array([r[2] for r in rows])
    got = collapse(keys, periods, values)
    want = _collapse_stable(keys, periods.astype(np.float64), values)
    _assert_same(got, want)


def test_in_order_looks_past_the_first_block():
    from cxmetrics.clv._periods import _in_order

    keys = np.arange(10_000, dtype=np.int64)
    assert _in_order(keys)
    keys[9_000] = -1  # out of order after the first 4,096 keys
    assert not _in_order(keys)
    keys[9_000] = 9_000
    keys[10] = 5  # out of order inside the first block
    assert not _in_order(keys)
    assert _in_order(keys[:1])
    assert _in_order(keys[:0])


def test_an_export_sorted_by_customer_with_text_ids_dates_and_a_gap():
    # shaped like a shop export: string ids, ISO dates as text, one missing
    # date, rows sorted by customer then date (the sort is skipped), and the
    # same rows shuffled (the sort runs): one summary
    customers = ["C-001", "C-001", "C-001", "C-017", "C-017", "C-230", "C-230"]
    dates = ["2024-01-03", "2024-01-03", "2024-02-10", "2024-01-20", None,
             "2024-01-05", "2024-03-01"]  # fmt: skip
    values = [10.0, 5.0, 20.0, 7.5, 3.0, 1e16, -1e16]
    kw = {"observation_end": "2024-03-31", "nan_policy": "omit"}
    in_order = cx.rfm_summary(customers, dates, values, **kw)
    shuffle = [4, 6, 0, 3, 5, 2, 1]
    shuffled = cx.rfm_summary(
        [customers[i] for i in shuffle],
        [dates[i] for i in shuffle],
        [values[i] for i in shuffle],
        **kw,
    )
    assert in_order == shuffled
    assert in_order.customers.tolist() == ["C-001", "C-017", "C-230"]
    assert in_order.frequency.tolist() == [1.0, 0.0, 1.0]
    assert in_order.recency.tolist() == [38.0, 0.0, 56.0]
    assert in_order.monetary_value.tolist() == [20.0, 0.0, -1e16]
    assert in_order.transactions.tolist() == [3, 1, 2]
    assert in_order.n_missing == 1


def test_a_log_large_enough_for_the_threaded_sort_collapses_the_same():
    # from PARALLEL_MIN rows the packed keys are sorted in parts on threads and
    # merged, and the values gathered on threads: same sums, bit for bit
    from cxmetrics._core.threaded import PARALLEL_MIN

    rng = np.random.default_rng(11)
    n = PARALLEL_MIN + 4321
    keys = rng.integers(0, n // 3, n)
    periods = rng.integers(0, 400, n)
    values = rng.choice([1e16, 1.0, -1e16, 0.1, 2.5], n)
    got = collapse(keys, periods.copy(), values, overwrite_periods=True)
    want = _collapse_stable(keys, periods.astype(np.float64), values)
    _assert_same(got, want)


def test_a_large_export_with_text_ids_iso_times_and_gaps_matches_plain_python():
    # a shop export past the threaded-sort threshold: string ids, ISO
    # timestamps as text (several purchases a day), missing times omitted,
    # purchases after the observation end counted apart; checked against a
    # dictionary-by-dictionary count in plain Python
    from cxmetrics._core.threaded import PARALLEL_MIN

    rng = np.random.default_rng(23)
    n = PARALLEL_MIN + 1234
    ids = np.char.add("C-", rng.integers(0, 20_000, n).astype("U6"))
    start = np.datetime64("2023-01-01T00:00:00", "s")
    stamps = start + rng.integers(0, 400 * 86_400, n).astype("timedelta64[s]")
    times = np.datetime_as_string(stamps).astype(object)
    times[rng.random(n) < 0.01] = None
    values = np.round(rng.gamma(2.0, 20.0, n), 2)
    end = "2023-12-31"
    res = cx.rfm_summary(ids, times, values, observation_end=end, nan_policy="omit")

    days: dict[str, dict[str, float]] = {}
    after = 0
    for c, t, v in zip(ids.tolist(), times.tolist(), values.tolist(), strict=True):
        if t is None:
            continue
        day = t[:10]
        if day > end:
            after += 1
            continue
        per = days.setdefault(c, {})
        per[day] = per.get(day, 0.0) + v  # row order within the day, as the log
    want_ids = sorted(days)
    assert res.customers.tolist() == want_ids
    assert res.n_missing == int(sum(t is None for t in times))
    assert res.n_after_end == after
    freq = [len(days[c]) - 1 for c in want_ids]
    assert res.frequency.tolist() == freq
    first = [np.datetime64(min(days[c])) for c in want_ids]
    last = [np.datetime64(max(days[c])) for c in want_ids]
    recency = [float((b - a).astype(int)) for a, b in zip(first, last, strict=True)]
    assert res.recency.tolist() == recency
    age = [float((np.datetime64(end) - a).astype(int)) for a in first]
    assert res.T.tolist() == age
    repeat = [
        sum(v for d, v in sorted(days[c].items())[1:]) / f if f else 0.0
        for c, f in zip(want_ids, freq, strict=True)
    ]
    np.testing.assert_allclose(res.monetary_value, repeat, rtol=1e-12)


def test_in_order_finds_a_swap_past_the_first_block_above_the_first_key():
    from cxmetrics.clv._periods import _in_order

    keys = np.arange(10_000, dtype=np.int64)
    keys[[9_000, 9_001]] = keys[[9_001, 9_000]]  # both above the first key
    assert not _in_order(keys)


def test_period_helpers_on_datetimes_numbers_and_odd_units():
    from cxmetrics.clv._periods import period_index

    days = np.array(["2024-01-01T12", "2024-01-03T00", "2023-12-31T23"], "M8[h]")
    assert period_index(days, "day").dtype == np.float64
    np.testing.assert_array_equal(
        period_index(days, "day"), period_codes(days, "day").astype(np.float64)
    )
    assert period_codes(days, "day").tolist() == [19723, 19725, 19722]
    # numbers are periods already, as float64
    for numbers in (np.array([3, 1]), np.array([2.5, 0.0])):
        assert period_codes(numbers, "day").dtype == np.float64
        assert period_index(numbers, "day").dtype == np.float64
    # a unit of two seconds: ticks are not seconds, the calendar path counts
    two = np.array([0, 43_200, 43_201], dtype=np.int64).view("M8[2s]")
    assert period_codes(two, "day").tolist() == [0, 1, 1]
    # no instants: no periods (and no minimum to look for NaT in)
    assert period_codes(days[:0], "day").shape == (0,)
    assert period_codes(np.array([], "M8[s]"), "day").shape == (0,)
    with pytest.raises(InvalidInputError, match="`freq`"):
        period_codes(days, "fortnight")


def test_the_collapse_keeps_the_key_dtype_and_integer_counts():
    keys = np.array([7, 9, 7], dtype=np.int32)
    got = collapse(keys, np.array([1, 2, 3], dtype=np.int64), np.ones(3))
    assert got.customers.dtype == np.int32
    assert got.customers.tolist() == [7, 9]
    empty = collapse(keys[:0], np.zeros(0, dtype=np.int64), np.zeros(0))
    assert [a.dtype for a in empty] == [
        np.int32,
        np.float64,
        np.float64,
        np.int64,
        np.float64,
        np.int64,
    ]
