"""Threaded kernels: the same elements as numpy's one-thread calls, whatever the split."""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics._core import threaded
from cxmetrics._core.threaded import PARALLEL_MIN, searchsorted, sort_in_place
from cxmetrics.exceptions import InvalidInputError


@contextlib.contextmanager
def _split_small():
    """Split from 2 elements up, on 3 threads: small examples take the threaded path."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(threaded, "_threads", lambda n: 1 if n < 2 else 3)
        yield


_KEYS = st.lists(st.integers(-(2**63), 2**63 - 1), max_size=200)


@given(_KEYS)
def test_sort_in_place_equals_numpy_sort_on_split_arrays(raw):
    keys = np.array(raw, dtype=np.int64)
    want = np.sort(keys)
    with _split_small():
        sort_in_place(keys)
    np.testing.assert_array_equal(keys, want)


@given(st.lists(st.integers(0, 2**32 - 1), max_size=200))
def test_sort_in_place_sorts_uint32_keys_on_split_arrays(raw):
    # the RFM collapse sorts its packed keys as uint32 where they fit
    keys = np.array(raw, dtype=np.uint32)
    want = np.sort(keys)
    with _split_small():
        sort_in_place(keys)
    assert keys.dtype == np.uint32
    np.testing.assert_array_equal(keys, want)


def test_a_large_array_is_sorted_on_threads_and_equals_numpy(monkeypatch):
    # above the threshold, split in two (whatever the machine's core count)
    monkeypatch.setattr(threaded, "_threads", lambda n: 2 if n >= PARALLEL_MIN else 1)
    seen: set[int] = set()
    monkeypatch.setattr(threaded, "map_parts", _recording_run(seen))
    rng = np.random.default_rng(7)
    keys = rng.integers(-(2**40), 2**40, PARALLEL_MIN + 1001)
    keys[::97] = keys[0]  # ties
    want = np.sort(keys)
    sort_in_place(keys)
    np.testing.assert_array_equal(keys, want)
    # the parts were sorted off the calling thread
    assert seen
    assert threading.get_ident() not in seen


def _recording_run(seen: set[int]):
    real = threaded.map_parts

    def run(n, threads, task):
        def recorded(lo, hi):
            seen.add(threading.get_ident())
            return task(lo, hi)

        return real(n, threads, recorded)

    return run


def test_small_and_non_contiguous_arrays_sort_on_the_calling_thread():
    keys = np.array([3, 1, 2], dtype=np.int64)
    sort_in_place(keys)
    assert keys.tolist() == [1, 2, 3]
    strided = np.arange(PARALLEL_MIN * 2, 0, -1, dtype=np.int64)[::2]
    sort_in_place(strided)
    assert bool(np.all(strided[1:] >= strided[:-1]))


@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), max_size=60),
    st.lists(st.floats(-2e3, 2e3, allow_nan=False), min_size=1, max_size=120),
    st.sampled_from(["left", "right"]),
)
def test_searchsorted_equals_numpy_on_split_queries(sorted_raw, queries, side):
    a = np.sort(np.array(sorted_raw, dtype=np.float64))
    v = np.array(queries, dtype=np.float64)
    hits = min(a.size, v[::3].size)
    v[: 3 * hits : 3] = a[:hits]  # queries equal to sorted values: sides differ
    with _split_small():
        got = searchsorted(a, v, side)
    np.testing.assert_array_equal(got, np.searchsorted(a, v, side=side))
    assert got.dtype == np.intp


def test_the_environment_variable_caps_the_threads(monkeypatch):
    monkeypatch.setenv(threaded.THREADS_ENV, "1")
    assert threaded.max_threads() == 1
    assert threaded._threads(PARALLEL_MIN * 4) == 1
    # one thread: the parts are never handed to a pool
    seen: set[int] = set()
    monkeypatch.setattr(threaded, "map_parts", _recording_run(seen))
    keys = np.arange(PARALLEL_MIN + 10, 0, -1, dtype=np.int64)
    sort_in_place(keys)
    assert keys[0] == 1
    assert keys[-1] == PARALLEL_MIN + 10
    assert not seen
    monkeypatch.setenv(threaded.THREADS_ENV, " 3 ")
    assert threaded.max_threads() == 3
    assert threaded._threads(PARALLEL_MIN) == 3
    monkeypatch.setenv(threaded.THREADS_ENV, "64")
    assert threaded._threads(PARALLEL_MIN) == 4  # at most four parts
    monkeypatch.delenv(threaded.THREADS_ENV)
    assert threaded.max_threads() >= 1


@pytest.mark.parametrize("raw", ["0", "-2", "two", "1.5"])
def test_a_bad_thread_count_is_refused_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv(threaded.THREADS_ENV, raw)
    with pytest.raises(InvalidInputError, match=rf"CXMETRICS_NUM_THREADS.*{raw!r}"):
        threaded.max_threads()


def test_the_one_thread_range_and_count_paths_give_the_same_answers(monkeypatch):
    # integer_range and the survey kernel have their own threaded paths
    import cxmetrics as cx
    from cxmetrics._core import columns
    from cxmetrics.survey import _kernel

    monkeypatch.setattr(_kernel, "PARALLEL_MIN_ROWS", 1000)  # split these 5,000 rows
    rng = np.random.default_rng(3)
    big = rng.integers(-50, 50, columns.RANGE_BLOCKS_MIN + 3)
    scores = rng.integers(0, 11, 5000).astype(np.int8)
    groups = rng.integers(0, 7, 5000)
    both = (columns.integer_range(big), cx.nps(scores, by=groups))
    monkeypatch.setenv(threaded.THREADS_ENV, "1")
    assert columns.integer_range(big) == both[0] == (int(big.min()), int(big.max()))
    assert cx.nps(scores, by=groups) == both[1]


def test_map_parts_covers_the_range_in_order_off_the_calling_thread():
    seen: set[int] = set()

    def part(lo: int, hi: int) -> tuple[int, int]:
        seen.add(threading.get_ident())
        return lo, hi

    assert threaded.map_parts(10, 3, part) == [(0, 3), (3, 6), (6, 10)]
    assert threading.get_ident() not in seen
    assert threaded.map_parts(2, 4, part) == [(0, 0), (0, 1), (1, 1), (1, 2)]
