"""Duration sketches on dataframes: every backend equals the array API.

Eager frames hand their columns to the numpy build (equal states); Dask adds one
sketch per partition (equal states); lazy engines count buckets in one
``group_by`` (equal buckets and counts on random durations, totals to rounding).
"""

from __future__ import annotations

import numpy as np
import pytest

import cxmetrics as cx

pytest.importorskip("narwhals", reason="the frames extra (narwhals) is not installed")
pd = pytest.importorskip("pandas", reason="pandas is not installed")
pl = pytest.importorskip("polars", reason="polars is not installed")
from cxmetrics import frames  # noqa: E402
from cxmetrics.exceptions import InvalidInputError, MissingValueError  # noqa: E402

N = 4_000
RNG = np.random.default_rng(12)
WAIT = RNG.lognormal(4.0, 2.0, N)
WAIT[::17] = 0.0
WAIT[::23] = np.nan
QUEUE = RNG.choice(np.array(["billing", "tech", "sales"]), N)
WEEK = RNG.integers(1, 4, N)
DATA = {"wait": WAIT, "queue": QUEUE, "week": WEEK}


def _duckdb(d):
    duckdb = pytest.importorskip("duckdb")
    return duckdb.from_arrow(pl.DataFrame(d).to_arrow())


def _arrow(d):
    pytest.importorskip("pyarrow")
    return pl.DataFrame(d).to_arrow()


EAGER = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "pyarrow": _arrow}
LAZY = {"polars-lazy": lambda d: pl.DataFrame(d).lazy(), "duckdb": _duckdb}


def _same_buckets(got, want, exact_total):
    assert got.keys.tolist() == want.keys.tolist()
    for name in ("bin_group", "bin_key", "bin_count", "zero_count", "n_missing"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), name)
    if exact_total:
        np.testing.assert_array_equal(got.total, want.total)
    else:
        np.testing.assert_allclose(got.total, want.total, rtol=1e-12)


@pytest.mark.parametrize("by", [None, "queue", ["queue", "week"]])
@pytest.mark.parametrize("backend", [*EAGER, *LAZY])
def test_sketch_of_a_frame_equals_the_array_api(backend, by):
    df = {**EAGER, **LAZY}[backend](DATA)
    got = frames.duration_sketch_state(df, "wait", by=by)
    groups = None if by is None else QUEUE if by == "queue" else [QUEUE, WEEK]
    want = cx.DurationSketchState.from_durations(WAIT, by=groups)
    _same_buckets(got, want, exact_total=backend in EAGER)


def test_dask_partitions_add_to_the_whole():
    dd = pytest.importorskip("dask.dataframe")
    ddf = dd.from_pandas(pd.DataFrame(DATA), npartitions=4)
    got = frames.duration_sketch_state(ddf, "wait", by="queue")
    want = cx.DurationSketchState.from_durations(WAIT, by=QUEUE)
    _same_buckets(got, want, exact_total=False)
    out = frames.duration_summary(ddf, "wait", by="queue").compute()
    assert out["queue"].tolist() == want.keys.tolist()
    np.testing.assert_allclose(out["p90"], want.quantile(0.9), rtol=1e-12)


def test_time_deltas_are_read_as_seconds():
    td = pd.to_timedelta(np.where(np.isnan(WAIT), 0.0, WAIT).round(3), unit="s")
    want = cx.DurationSketchState.from_durations(td.total_seconds().to_numpy())
    for df in (pd.DataFrame({"wait": td}), pl.DataFrame({"wait": td}).lazy()):
        got = frames.duration_sketch_state(df, "wait")
        np.testing.assert_array_equal(got.bin_count, want.bin_count)
        np.testing.assert_array_equal(got.bin_key, want.bin_key)


@pytest.mark.parametrize("backend", ["polars", "polars-lazy"])
def test_summary_frame_has_p50_p90_per_group(backend):
    df = {**EAGER, **LAZY}[backend](DATA)
    out = frames.duration_summary(df, "wait", by="queue", quantiles=[0.5, 0.9, 0.99])
    if backend == "polars-lazy":
        out = out.collect()
    assert out.columns == ["queue", "n", "n_missing", "mean", "p50", "p90", "p99"]
    want = cx.duration_summary(WAIT, by=QUEUE, method="sketch", quantiles=[0.99])
    np.testing.assert_array_equal(out["n"].to_numpy(), want.n)
    np.testing.assert_allclose(out["p50"].to_numpy(), want.median, rtol=1e-12)
    np.testing.assert_allclose(out["p90"].to_numpy(), want.p90, rtol=1e-12)
    np.testing.assert_allclose(out["mean"].to_numpy(), want.mean, rtol=1e-12)


@pytest.mark.parametrize("backend", ["polars", "polars-lazy"])
def test_bad_durations_raise(backend):
    make = {**EAGER, **LAZY}[backend]
    with pytest.raises(InvalidInputError, match="non-negative"):
        frames.duration_sketch_state(make({"wait": [1.0, -2.0]}), "wait")
    with pytest.raises(MissingValueError, match="missing"):
        frames.duration_sketch_state(
            make({"wait": [1.0, None]}), "wait", nan_policy="raise"
        )
    with pytest.raises(InvalidInputError, match="no column"):
        frames.duration_sketch_state(make({"wait": [1.0]}), "handle")
