"""The one-byte count of answers equals the plain bincount kernel.

Cache-sized blocks counted by compare-and-count passes on their uint8 view
between the block's smallest and largest byte: the histogram must be exact for
any length, any split over threads, any block size (blocks holding one value,
values with gaps, no zero) and every scale that fits in a nibble, including the
missing-answer bin at the top. Unchecked one-byte answers have their range read
by the count itself: an answer off the scale is seen there and raises the error
the separate check raises.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics._core.validation import integer_scale
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.survey import _kernel
from cxmetrics.survey._kernel import (
    _count_range,
    _packable,
    scale_histogram,
    unchecked_histogram,
)


def _plain(values, low, n_bins):
    return _count_range(values, -low, n_bins, n_bins, None, None, 0, values.size)[0]


@given(
    st.sampled_from([(0, 12), (1, 6), (1, 8), (0, 16), (3, 13)]),
    st.integers(0, 300),
    st.sampled_from([np.int8, np.uint8]),
    st.integers(0, 2**32 - 1),
    st.integers(1, 5),
)
def test_packed_histogram_equals_bincount(scale, n, dtype, seed, threads):
    low, n_bins = scale
    rng = np.random.default_rng(seed)
    values = rng.integers(low, low + n_bins, n).astype(dtype)
    assert _packable(values, low, n_bins, None, None)
    want = _plain(values, low, n_bins)
    bounds = [n * i // threads for i in range(threads + 1)]
    got = sum(
        _kernel._count_packed(values, a, b)[0] for a, b in itertools.pairwise(bounds)
    )
    np.testing.assert_array_equal(np.asarray(got)[low : low + n_bins], want)
    counts, wsum, w2sum = scale_histogram(values, low, n_bins)
    np.testing.assert_array_equal(counts[0], want)
    assert wsum is None
    assert w2sum is None


def test_packed_path_across_blocks_and_with_missing_answers(monkeypatch):
    # (the one-byte count runs on one thread; PARALLEL_MIN_ROWS still splits the others)
    monkeypatch.setattr(_kernel, "PARALLEL_MIN_ROWS", 1000)
    monkeypatch.setattr(_kernel, "PACKED_BLOCK", 64)
    rng = np.random.default_rng(3)
    answers = rng.integers(0, 11, 10_003).astype(np.int8)
    state = cx.NPSState.from_responses(answers)
    np.testing.assert_array_equal(state.counts, np.bincount(answers, minlength=11))
    with_missing = answers.astype(np.float64)
    with_missing[::7] = np.nan
    s2 = cx.NPSState.from_responses(with_missing, nan_policy="omit")
    assert s2.n_missing == len(range(0, 10_003, 7))
    kept = with_missing[~np.isnan(with_missing)].astype(np.int64)
    np.testing.assert_array_equal(s2.counts, np.bincount(kept, minlength=11))


@pytest.mark.parametrize(
    ("values", "low", "n_bins", "groups"),
    [
        (np.zeros(8, np.int16), 0, 12, None),  # two-byte answers
        (np.zeros(16, np.int8)[::2], 0, 12, None),  # strided
        (np.zeros(8, np.int8), 0, 17, None),  # a bin beyond a nibble
        (np.zeros(8, np.int8), -1, 6, None),  # negative answers
    ],
)
def test_other_inputs_keep_the_plain_kernel(values, low, n_bins, groups):
    assert not _packable(values, low, n_bins, groups, None)
    counts, _, _ = scale_histogram(
        values - low if low < 0 else values, max(low, 0), n_bins
    )
    assert counts.sum() == values.size


@given(
    st.lists(st.integers(0, 15), min_size=0, max_size=200),
    st.integers(1, 40),
    st.integers(1, 4),
)
def test_blocks_of_any_size_count_exactly(answers, block, threads):
    values = np.asarray(answers, dtype=np.uint8)
    n = values.size
    want = np.bincount(values, minlength=16)
    bounds = [n * i // threads for i in range(threads + 1)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kernel, "PACKED_BLOCK", block)
        got = sum(
            _kernel._count_packed(values, a, b)[0]
            for a, b in itertools.pairwise(bounds)
        )
    np.testing.assert_array_equal(got, want)


@given(
    st.lists(st.integers(-128, 127), min_size=1, max_size=300),
    st.integers(1, 50),
)
def test_integer_range_in_blocks_on_threads(answers, block):
    from cxmetrics._core import columns as validation

    values = np.asarray(answers, dtype=np.int8)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(validation, "RANGE_BLOCKS_MIN", 1)
        mp.setattr(validation, "_RANGE_BLOCK", block)
        got = validation.integer_range(values)
    assert got == (int(values.min()), int(values.max()))


def test_full_blocks_count_in_byte_lanes(monkeypatch):
    # blocks of 2,040 bytes take the lane sum; the short tail takes count_nonzero
    monkeypatch.setattr(_kernel, "PACKED_BLOCK", 8 * 255)
    rng = np.random.default_rng(9)
    for low, high in ((0, 11), (1, 7), (3, 4), (0, 16)):
        values = rng.integers(low, high, 5 * 2040 + 17).astype(np.uint8)
        values[:2040] = low  # a block holding one value
        counts, _, _ = _kernel._count_packed(values, 0, values.size)
        np.testing.assert_array_equal(counts, np.bincount(values, minlength=16))
        parts = sum(
            _kernel._count_packed(values, a, b)[0]
            for a, b in itertools.pairwise([0, 3000, 7000, values.size])
        )
        np.testing.assert_array_equal(parts, np.bincount(values, minlength=16))


# --- the range read in the count (issue #19): no separate validation pass ---------

#: scales that take the one-byte path: (low, high), both ends inside [0, 14]
_SCALES = [(0, 10), (1, 5), (1, 7), (0, 14), (3, 12), (0, 1)]
#: lane-sized blocks (masks summed as 64-bit words) and an odd block size
_BLOCKS = [8 * 255, 2 * 8 * 255, 37]


@st.composite
def _answers(draw, low, high, dtype):
    """Answers in [low, high] as runs of narrow ranges (one value, two, gaps, the ends)."""
    runs = draw(
        st.lists(
            st.tuples(st.integers(0, 2 * 2040 + 7), st.integers(low, high)),
            max_size=5,
        )
    )
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    parts = []
    for length, a in runs:
        b = draw(st.integers(a, min(high, a + draw(st.sampled_from([0, 1, 2, 15])))))
        parts.append(rng.integers(a, b + 1, length))
    joined = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    # a view that starts off an 8-byte boundary: the 64-bit word views are unaligned
    skip = draw(st.integers(0, min(7, joined.size)))
    return joined.astype(dtype)[skip:]


@given(
    st.sampled_from(_SCALES),
    st.sampled_from([np.int8, np.uint8]),
    st.sampled_from(_BLOCKS),
    st.data(),
)
def test_unchecked_histogram_equals_bincount(scale, dtype, block, data):
    low, high = scale
    values = data.draw(_answers(low, high, dtype))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kernel, "PACKED_BLOCK", block)
        got = unchecked_histogram(values, low, high)
    want = np.bincount(values.astype(np.int64) - low, minlength=high - low + 2)
    assert got is not None
    np.testing.assert_array_equal(got, want.reshape(1, -1))


@given(
    st.sampled_from(_SCALES),
    st.sampled_from([np.int8, np.uint8]),
    st.sampled_from(_BLOCKS),
    st.data(),
)
def test_an_answer_off_the_scale_is_seen_by_the_count(scale, dtype, block, data):
    low, high = scale
    values = data.draw(_answers(low, high, dtype))
    info = np.iinfo(dtype)
    outside = [
        v
        for v in (low - 1, high + 1, 15, 16, info.min, info.max)
        if v < low or v > high
    ]
    bad = data.draw(st.sampled_from([v for v in outside if info.min <= v <= info.max]))
    at = data.draw(st.integers(0, values.size))
    values = np.insert(values, at, np.asarray(bad).astype(dtype))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kernel, "PACKED_BLOCK", block)
        assert unchecked_histogram(values, low, high) is None
        # the front door raises what the separate check raises: same index, count, value
        with pytest.raises(InvalidInputError) as want:
            integer_scale(values, "responses", low=low, high=high, nan_policy="raise")
        scheme = cx.CSATScheme(low=low, high=high, satisfied_min=high)
        with pytest.raises(InvalidInputError) as got:
            cx.csat(values, scheme=scheme)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize(
    "values",
    [
        (np.arange(22, dtype=np.int8) % 11)[::2],  # strided
        np.arange(11, dtype=np.int16),  # two bytes
        np.arange(11, dtype=np.int64),
    ],
)
def test_other_integer_answers_are_checked_and_counted_as_before(values):
    assert unchecked_histogram(values, 0, 10) is None
    state = cx.NPSState.from_responses(values)
    np.testing.assert_array_equal(
        state.counts, np.bincount(values.astype(np.int64), minlength=11)
    )
    with pytest.raises(InvalidInputError, match=r"got 11 at index 3 \(1 value"):
        cx.nps(np.insert(values, 3, 11))


def test_one_byte_answers_need_no_separate_range_pass(monkeypatch):
    from cxmetrics._core import columns

    def no_pass(arr):
        raise AssertionError("the range was read before the count")

    monkeypatch.setattr(columns, "integer_range", no_pass)
    monkeypatch.setattr(_kernel, "PACKED_BLOCK", 8 * 255)
    rng = np.random.default_rng(19)
    answers = rng.integers(0, 11, 3 * 2040 + 5).astype(np.int8)
    res = cx.nps(answers)
    want = np.bincount(answers, minlength=11)
    assert res.n == answers.size
    assert res.value == pytest.approx(
        100 * (want[9:].sum() - want[:7].sum()) / answers.size
    )
    np.testing.assert_array_equal(cx.NPSState.from_responses(answers).counts, want)
    # grouped or weighted answers are still checked before they are counted
    with pytest.raises(AssertionError, match="range was read"):
        cx.nps(answers, weights=np.ones(answers.size))
    with pytest.raises(AssertionError, match="range was read"):
        cx.nps(answers, by=np.zeros(answers.size, dtype=np.int8))


def test_integer_scale_can_leave_the_range_to_the_caller():
    ints = np.array([0, 99], dtype=np.int8)
    assert (
        integer_scale(
            ints, "r", low=0, high=10, nan_policy="raise", check_range=False
        ).values
        is ints
    )
    with pytest.raises(InvalidInputError, match="got 99 at index 1"):
        integer_scale(ints, "r", low=0, high=10, nan_policy="raise")
    # floats are always checked
    with pytest.raises(InvalidInputError, match="got 99"):
        integer_scale(
            ints.astype(float),
            "r",
            low=0,
            high=10,
            nan_policy="raise",
            check_range=False,
        )
