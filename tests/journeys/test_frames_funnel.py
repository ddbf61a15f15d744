"""frames.funnel equals the array API on the same columns."""

from __future__ import annotations

import numpy as np
import pytest

import cxmetrics as cx

pytest.importorskip("narwhals")


def _log():
    rng = np.random.default_rng(5)
    n = 300
    return {
        "user": rng.choice([f"u{i:02d}" for i in range(40)], n),
        "t": rng.integers(0, 100, n),
        "event": rng.choice(["view", "cart", "checkout", "paid"], n),
        "device": rng.choice(["app", "web"], n),
    }


@pytest.mark.parametrize("lib", ["pandas", "polars", "duckdb"])
def test_frames_funnel_equals_arrays(lib):
    log = _log()
    steps = ["cart", "checkout", "paid"]
    want = cx.funnel(
        log["user"], log["t"], log["event"], steps, window=20, by=log["device"]
    )
    if lib == "pandas":
        pd = pytest.importorskip("pandas")
        df = pd.DataFrame(log)
    elif lib == "polars":
        pl = pytest.importorskip("polars")
        df = pl.DataFrame(log).lazy()
    else:
        duckdb = pytest.importorskip("duckdb")
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(log)  # noqa: F841  (duckdb reads it by name)
        df = duckdb.sql("SELECT * FROM frame")
    got = cx.frames.funnel(df, "user", "t", "event", steps, window=20, by="device")
    assert got == want


def test_frames_funnel_checks_columns_and_options():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(_log())
    with pytest.raises(cx.exceptions.InvalidInputError, match="`mode` must be one of"):
        cx.frames.funnel(df, "user", "t", "event", ["cart"], window=5, mode="nope")
    with pytest.raises(cx.exceptions.CXMetricsError, match="no column 'when'"):
        cx.frames.funnel(df, "user", "when", "event", ["cart"], window=5)
