"""Squared weights across the kernel's chunk and thread boundaries (issue #21).

Mutants killed here: ``w2sum += bincount(w * w)`` turned into ``w2sum = ...`` in the
chunk loop of ``survey/_kernel.py`` (squared weights of the last 65,536-row chunk
only), and ``w2sum += w2`` turned into ``w2sum = w2`` where the threads' partial
histograms are merged (inputs of 4,194,304 rows or more). Every expected value is
a direct ``np.bincount`` over the whole array, written in the test.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.survey import _kernel
from cxmetrics.survey._kernel import CHUNK


def _direct(x, g, w, n_groups, n_bins=11):
    """Counts, weight sums and squared-weight sums per (group, answer), in one bincount each."""
    idx = g.astype(np.int64) * n_bins + x.astype(np.int64)
    size = n_groups * n_bins
    counts = np.bincount(idx, minlength=size).reshape(n_groups, n_bins)
    wsum = np.bincount(idx, weights=w, minlength=size).reshape(n_groups, n_bins)
    w2sum = np.bincount(idx, weights=w * w, minlength=size).reshape(n_groups, n_bins)
    return counts, wsum, w2sum


def _kish_nps(wsum, w2sum):
    """NPS, Kish n and standard error (points) per row of a (g, 11) weight table."""
    total = wsum.sum(axis=-1)
    pro = wsum[..., 9:].sum(axis=-1) / total
    det = wsum[..., :7].sum(axis=-1) / total
    n_eff = total**2 / w2sum.sum(axis=-1)
    se = 100 * np.sqrt((pro + det - (pro - det) ** 2) / n_eff)
    return 100 * (pro - det), n_eff, se


def _export(n, seed, n_groups):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 11, n, dtype=np.int8)
    g = rng.integers(0, n_groups, n, dtype=np.int16)
    # weights that differ strongly between the start and the end of the file, so the
    # last chunk's squared weights are far from those of the whole
    w = np.where(np.arange(n) < n // 2, 0.25, 3.0) * rng.uniform(0.5, 1.5, n)
    return x, g, w


def test_weight_squares_over_many_chunks_match_one_bincount():
    n = 5 * CHUNK + 123  # six chunks, the last one short
    x, g, w = _export(n, 11, 7)
    state = cx.GroupedNPSState.from_responses(x, g, weights=w)
    counts, wsum, w2sum = _direct(x, g, w, 7)
    np.testing.assert_array_equal(state.counts, counts)
    np.testing.assert_allclose(state.weight_sums, wsum, rtol=1e-10)
    np.testing.assert_allclose(state.weight_squares, w2sum, rtol=1e-10)
    # ungrouped: the same totals summed over groups
    scalar = cx.NPSState.from_responses(x, weights=w)
    np.testing.assert_allclose(scalar.weight_squares, w2sum.sum(axis=0), rtol=1e-10)


def test_kish_n_se_and_interval_over_many_chunks():
    n = 3 * CHUNK + 1
    x, g, w = _export(n, 12, 4)
    res = cx.nps(x, weights=w, by=g)
    _, wsum, w2sum = _direct(x, g, w, 4)
    value, n_eff, se = _kish_nps(wsum, w2sum)
    np.testing.assert_allclose(res.value, value, rtol=1e-10)
    np.testing.assert_allclose(res.effective_n, n_eff, rtol=1e-10)
    np.testing.assert_allclose(res.standard_error, se, rtol=1e-10)
    # Wald interval = value +- z * SE, with z from scipy
    z = pytest.importorskip("scipy.stats").norm.ppf(0.975)
    ci = res.confidence_interval(method="wald")
    np.testing.assert_allclose(ci.low, value - z * se, rtol=1e-9)
    np.testing.assert_allclose(ci.high, value + z * se, rtol=1e-9)
    # scalar result: the same Kish n for the whole file
    one = cx.nps(x, weights=w)
    assert one.effective_n == pytest.approx(w.sum() ** 2 / (w * w).sum(), rel=1e-10)


@pytest.mark.parametrize("csat", [True, False])
def test_csat_ces_kish_n_over_many_chunks(csat):
    rng = np.random.default_rng(13)
    n = 2 * CHUNK + 17
    x = rng.integers(1, 6 if csat else 8, n)
    w = np.where(np.arange(n) < CHUNK, 4.0, 0.5)
    res = cx.csat(x, weights=w) if csat else cx.ces(x, weights=w)
    assert res.effective_n == pytest.approx(w.sum() ** 2 / (w * w).sum(), rel=1e-12)


def test_threaded_partial_histograms_add_squared_weights(monkeypatch):
    # the real threshold (4,194,304 rows) split over 4 threads, whatever this machine has
    n = _kernel.PARALLEL_MIN_ROWS + 1001
    x, g, w = _export(n, 14, 3)
    monkeypatch.setenv("CXMETRICS_NUM_THREADS", "4")
    state = cx.GroupedNPSState.from_responses(x, g, weights=w)
    counts, wsum, w2sum = _direct(x, g, w, 3)
    np.testing.assert_array_equal(state.counts, counts)
    np.testing.assert_allclose(state.weight_sums, wsum, rtol=1e-9)
    np.testing.assert_allclose(state.weight_squares, w2sum, rtol=1e-9)
    res = state.compute()
    value, n_eff, se = _kish_nps(wsum, w2sum)
    np.testing.assert_allclose(res.value, value, rtol=1e-9)
    np.testing.assert_allclose(res.effective_n, n_eff, rtol=1e-9)
    np.testing.assert_allclose(res.standard_error, se, rtol=1e-9)


@given(
    n=st.integers(1, 3 * CHUNK),
    threads=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_weight_squares_whatever_the_split(n, threads, seed):
    # small threshold: hypothesis chooses where the chunk and thread edges fall
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 11, n, dtype=np.int8)
    w = rng.exponential(1.0, n)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kernel, "PARALLEL_MIN_ROWS", 2)
        mp.setenv("CXMETRICS_NUM_THREADS", str(threads))
        counts, wsum, w2sum = _kernel.scale_histogram(x, 0, 11, weights=w)
    want = _direct(x, np.zeros(n, dtype=np.int16), w, 1)
    np.testing.assert_array_equal(counts, want[0])
    np.testing.assert_allclose(wsum, want[1], rtol=1e-9)
    np.testing.assert_allclose(w2sum, want[2], rtol=1e-9)


@pytest.mark.parametrize("n", [0, 5, _kernel.PACKED_BLOCK, _kernel.PACKED_BLOCK + 7])
def test_one_byte_counts_are_int64(n):
    # the one-byte path counts in int64 (the states and their JSON hold whole
    # counts), over a full lane block and a short one
    values = (np.arange(n) % 11).astype(np.int8)
    expected = np.bincount(values, minlength=11)
    got = _kernel.unchecked_histogram(values, 0, 10)
    assert got is not None
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got[0], [*expected, 0])
    counts, _, _ = _kernel.scale_histogram(values, 0, 12)
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts[0], [*expected, 0])


def test_grouped_and_wide_counts_are_int64():
    # the general path (groups, or answers wider than one byte) counts in int64 too
    from cxmetrics._core.groups import GroupIndex

    values = np.array([0, 10, 9, 9, 3, 10], dtype=np.int64)
    source = np.array([0, 1, 1, 0, 1, 1], dtype=np.int64)
    groups = GroupIndex(source, 0, np.array(["a", "b"]), explicit=False)
    counts, wsum, w2sum = _kernel.scale_histogram(
        values, 0, 12, groups=groups, n_groups=2
    )
    assert counts.dtype == np.int64
    assert wsum is None
    assert w2sum is None
    expected = np.zeros((2, 12), dtype=np.int64)
    np.add.at(expected, (source, values), 1)
    np.testing.assert_array_equal(counts.reshape(2, 12), expected)
    plain, _, _ = _kernel.scale_histogram(values, 0, 12)
    assert plain.dtype == np.int64
    np.testing.assert_array_equal(plain.reshape(-1), expected.sum(axis=0))


def test_threaded_counts_on_a_scale_not_starting_at_zero(monkeypatch):
    # 1-5 answers (CSAT): every thread shifts its bins by the scale's low end
    rng = np.random.default_rng(5)
    x = rng.integers(1, 6, 10_000).astype(np.int64)
    w = rng.exponential(1.0, x.size)
    monkeypatch.setattr(_kernel, "PARALLEL_MIN_ROWS", 2)
    monkeypatch.setenv("CXMETRICS_NUM_THREADS", "3")
    counts, wsum, w2sum = _kernel.scale_histogram(x, 1, 6, weights=w)
    expected = np.bincount(x - 1, minlength=6)
    np.testing.assert_array_equal(counts.reshape(-1), expected)
    np.testing.assert_allclose(wsum.reshape(-1), np.bincount(x - 1, w, minlength=6))
    np.testing.assert_allclose(
        w2sum.reshape(-1), np.bincount(x - 1, w * w, minlength=6)
    )
    plain, _, _ = _kernel.scale_histogram(x, 1, 6)
    np.testing.assert_array_equal(plain.reshape(-1), expected)
