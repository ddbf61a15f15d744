"""Mergeable duration percentiles: the DDSketch mapping, exact merges, ddsketch agreement."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    UndefinedMetricWarning,
)

Sketch = cx.DurationSketchState
PROBS = [0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0]


def _log(seed, n=20_000):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(5.0, 2.0, n)
    x[rng.random(n) < 0.05] = 0.0  # answered at once
    return x


@pytest.mark.parametrize("alpha", [0.01, 0.02, 0.05])
def test_quantiles_equal_the_ddsketch_package(alpha):
    ddsketch = pytest.importorskip("ddsketch")
    x = _log(3, 5_000)
    ref = ddsketch.DDSketch(relative_accuracy=alpha)
    for v in x:
        ref.add(float(v))
    got = Sketch.from_durations(x, relative_accuracy=alpha).quantile(PROBS)[0]
    want = [ref.get_quantile_value(q) for q in PROBS]
    np.testing.assert_allclose(got, want, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    x=st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1e9)), min_size=1, max_size=200),
    alpha=st.sampled_from([0.005, 0.01, 0.05, 0.2]),
    q=st.floats(0.0, 1.0),
)
def test_every_quantile_is_within_alpha_of_the_lower_order_statistic(x, alpha, q):
    arr = np.asarray(x)
    target = float(np.sort(arr)[math.floor(q * (arr.size - 1))])
    got = float(Sketch.from_durations(arr, relative_accuracy=alpha).quantile(q)[0])
    assert abs(got - target) <= alpha * target * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    x=st.lists(st.floats(0.0, 1e7), min_size=0, max_size=80),
    groups=st.lists(st.sampled_from("abc"), min_size=80, max_size=80),
    cut=st.integers(0, 80),
)
def test_merge_of_a_split_equals_the_whole_exactly(x, groups, cut):
    arr = np.round(np.asarray(x, dtype=float))  # whole seconds: sums are exact
    g = np.asarray(groups[: arr.size])
    cut = min(cut, arr.size)
    if arr.size == 0:
        return
    whole = Sketch.from_durations(arr, by=g)
    parts = [p for p in (slice(0, cut), slice(cut, None)) if arr[p].size]
    merged = sum(Sketch.from_durations(arr[p], by=g[p]) for p in parts)
    assert merged == whole
    assert Sketch.empty() + whole == whole
    back = Sketch.from_dict(json.loads(json.dumps(merged.to_dict())))
    assert back == whole


def test_grouped_equals_each_group_alone_and_quantiles_are_monotone():
    x = _log(5, 3_000)
    g = np.random.default_rng(6).choice(["chat", "mail", "phone"], x.size)
    s = Sketch.from_durations(x, by=g)
    table = s.quantile(PROBS)
    assert table.shape == (3, len(PROBS))
    assert (np.diff(table, axis=1) >= 0).all()
    for i, key in enumerate(s.keys):
        alone = Sketch.from_durations(x[g == key])
        np.testing.assert_array_equal(table[i], alone.quantile(PROBS)[0])
        assert s[key].quantile(0.9)[0] == alone.quantile(0.9)[0]
        assert s.n[i] == (g == key).sum()
    np.testing.assert_allclose(s.mean(), [x[g == k].mean() for k in s.keys], rtol=1e-12)


def test_duration_summary_by_sketch_and_time_deltas():
    pd = pytest.importorskip("pandas")
    waits = pd.Series(pd.to_timedelta([0, 30, 45, 60, 600, None], unit="s"))
    res = cx.duration_summary(waits, by=list("aabbbb"), method="sketch")
    assert res.n.tolist() == [2, 3]
    assert res.n_missing == 1
    assert res.mean.tolist() == [15.0, 235.0]
    # median of [0, 30] is the lower one (0); of [45, 60, 600] it is 60 within 1 %
    assert res.median[0] == 0.0
    assert res.median[1] == pytest.approx(60.0, rel=0.01)
    exact = cx.duration_summary(waits, by=list("aabbbb"))
    assert exact.n.tolist() == res.n.tolist()
    with pytest.raises(InvalidInputError, match="`method`"):
        cx.duration_summary(waits, method="tdigest")


def test_empty_groups_and_bad_input():
    s = Sketch.from_durations([float("nan"), 5.0], by=["a", "b"])
    with pytest.warns(UndefinedMetricWarning):
        q = s.quantile(0.5)
    assert math.isnan(q[0])
    assert q[1] == pytest.approx(5.0, rel=0.01)
    with pytest.raises(InvalidInputError, match="non-negative"):
        Sketch.from_durations([-1.0])
    with pytest.raises(InvalidInputError, match="`relative_accuracy`"):
        Sketch.from_durations([1.0], relative_accuracy=0.0)
    with pytest.raises(InvalidInputError, match="`q`"):
        s.quantile(1.5)
    with pytest.raises(IncompatibleStateError, match="relative accuracy"):
        Sketch.from_durations([1.0]) + Sketch.from_durations(
            [1.0], relative_accuracy=0.02
        )
    bad = Sketch.from_durations([1.0, 2.0]).to_dict()
    bad["bin_count"] = [-3]
    with pytest.raises(InvalidInputError, match="inconsistent"):
        Sketch.from_dict(bad)
    del bad["total"]
    with pytest.raises(InvalidInputError, match="not a DurationSketchState"):
        Sketch.from_dict(bad)
    frozen = Sketch.from_durations([1.0, 2.0])
    with pytest.raises(ValueError, match="read-only"):
        frozen.bin_count[0] = 9


def test_sub_second_durations_merge_and_load():
    # bucket indices are negative under one second: labels, not counts
    a = Sketch.from_durations([0.2, 0.5, 3.0])
    b = Sketch.from_durations([0.01])
    merged = a + b
    assert merged.n.tolist() == [4]
    assert merged.quantile(0.0)[0] == pytest.approx(0.01, rel=0.01)
    assert Sketch.from_dict(json.loads(json.dumps(merged.to_dict()))) == merged


def _reference_buckets(x, groups, size, alpha):
    """The sketch's buckets from the full key array (the plain construction)."""
    from cxmetrics.support import _sketch

    k = _sketch._bucket_keys(
        np.asarray(x, dtype=np.float64), _sketch._multiplier(alpha)
    )
    g = np.zeros(k.size, np.int64) if groups is None else np.asarray(groups, np.int64)
    zero = k == _sketch._ZERO_KEY
    zero_count = np.bincount(g[zero], minlength=size)
    pairs, counts = np.unique(
        np.stack([g[~zero], k[~zero].astype(np.int64)]), axis=1, return_counts=True
    )
    return pairs[0], pairs[1], counts, zero_count


def _edges(alpha, lo, hi):
    """Bucket boundaries gamma^k and their neighbouring doubles."""
    gamma = (1 + alpha) / (1 - alpha)
    b = gamma ** np.arange(lo, hi, dtype=np.float64)
    return np.concatenate([b, np.nextafter(b, 0), np.nextafter(b, np.inf)])


@given(
    st.lists(
        st.one_of(
            st.just(0.0),
            st.floats(1e-300, 1e-290),
            st.floats(1e-6, 1e9),
            st.floats(1e-320, 1e-300),  # subnormal and tiny: the zero bucket
            st.floats(1e290, 1e300),  # huge, the sum still finite
        ),
        min_size=0,
        max_size=120,
    ),
    st.sampled_from([0.01, 0.05, 0.001]),
    st.integers(1, 4),
    st.sampled_from([7, 64, 1 << 16]),
)
def test_blocked_build_equals_the_key_array(values, alpha, n_groups, block):
    from cxmetrics.support import _sketch

    x = np.concatenate([np.asarray(values, dtype=np.float64), _edges(alpha, -40, 40)])
    groups = np.arange(x.size) % n_groups
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_sketch, "_BLOCK", block)
        for by in (None, groups):
            s = cx.DurationSketchState.from_durations(x, by=by, relative_accuracy=alpha)
            size = 1 if by is None else n_groups
            bg, bk, bc, zc = _reference_buckets(x, by, size, alpha)
            np.testing.assert_array_equal(s.bin_group, bg)
            np.testing.assert_array_equal(s.bin_key, bk)
            np.testing.assert_array_equal(s.bin_count, bc)
            np.testing.assert_array_equal(s.zero_count, zc)


def test_many_groups_take_the_sorted_path():
    rng = np.random.default_rng(11)
    x = rng.lognormal(3.0, 4.0, 3_000)
    x[::13] = 0.0
    groups = rng.integers(0, 900, x.size)
    s = cx.DurationSketchState.from_durations(x, by=groups)
    labels = s.keys.astype(np.int64)
    bg, bk, bc, zc = _reference_buckets(x, groups, 900, 0.01)
    np.testing.assert_array_equal(labels[s.bin_group], bg)
    np.testing.assert_array_equal(s.bin_key, bk)
    np.testing.assert_array_equal(s.bin_count, bc)
    np.testing.assert_array_equal(s.zero_count, zc[labels])


def test_merge_adds_counts_above_two_to_the_53_exactly():
    # a float64 sum of the bin counts would round 2**53 + 1 to 2**53
    import attrs

    base = cx.DurationSketchState.from_durations([10.0, 20.0])
    big = np.array([2**53 + 1, 3], dtype=np.int64)
    a = attrs.evolve(base, bin_count=big)
    merged = a + a
    assert merged.bin_count.tolist() == [2**54 + 2, 6]
    assert merged.bin_key.tolist() == base.bin_key.tolist()
