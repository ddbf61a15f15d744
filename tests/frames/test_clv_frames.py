"""RFM summaries of transaction logs in dataframes equal the array API's."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import cxmetrics as cx

pytest.importorskip("narwhals", reason="the frames extra (narwhals) is not installed")
pd = pytest.importorskip("pandas", reason="pandas is not installed")
pl = pytest.importorskip("polars", reason="polars is not installed")
from cxmetrics import frames  # noqa: E402

N = 8_000
RNG = np.random.default_rng(21)
T = np.datetime64("2023-01-01T00:00:00", "us") + RNG.integers(
    0, 400 * 86_400 * 10**6, N
).astype("timedelta64[us]")
CUSTOMER = RNG.choice(np.array([f"k{i:03d}" for i in range(500)]), N)
AMOUNT = RNG.integers(100, 20_000, N) / 100
LOG = {"customer": CUSTOMER, "time": T, "amount": AMOUNT}


def _arrow(d):
    pytest.importorskip("pyarrow")
    return pl.DataFrame(d).to_arrow()


def _duckdb(d):
    duckdb = pytest.importorskip("duckdb")
    return duckdb.from_arrow(pl.DataFrame(d).to_arrow())


BACKENDS = {
    "pandas": pd.DataFrame,
    "polars": pl.DataFrame,
    "polars-lazy": lambda d: pl.DataFrame(d).lazy(),
    "duckdb": _duckdb,
    "pyarrow": _arrow,
}


def _same(a, b):
    for name in ("customers", "first", "last", "periods", "transactions"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    # the engine sums a period's values in its own order: equal to rounding
    np.testing.assert_allclose(a.repeat_value, b.repeat_value, rtol=1e-12, atol=1e-9)
    assert (a.end, a.freq, a.freq_multiplier, a.n_after_end) == (
        b.end,
        b.freq,
        b.freq_multiplier,
        b.n_after_end,
    )


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("freq", ["day", "week", "hour"])
def test_rfm_state_equals_the_array_api(backend, freq):
    got = frames.rfm_state(
        BACKENDS[backend](LOG),
        "customer",
        "time",
        "amount",
        observation_end="2023-11-15",
        freq=freq,
        freq_multiplier=7,
    )
    want = cx.RFMState.from_transactions(
        CUSTOMER, T, AMOUNT, observation_end="2023-11-15", freq=freq, freq_multiplier=7
    )
    _same(got, want)
    assert got.n_after_end > 0


def test_summary_without_amount_and_with_dates():
    days = T.astype("datetime64[D]")
    df = pl.DataFrame({"customer": CUSTOMER, "day": days})
    got = frames.rfm_summary(df, "customer", "day")
    want = cx.rfm_summary(CUSTOMER, days)
    for name in (
        "customers",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "transactions",
    ):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name))


def test_errors():
    df = pl.DataFrame(
        {
            "customer": ["a", None],
            "time": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2)],
        }
    )
    with pytest.raises(
        cx.exceptions.MissingValueError, match="'customer' contains 1 missing"
    ):
        frames.rfm_summary(df, "customer", "time")
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="dates or datetimes"):
        frames.rfm_summary(
            df.with_columns(pl.col("time").cast(pl.String)), "customer", "time"
        )
    with pytest.raises(cx.exceptions.InvalidInputError, match="freq"):
        frames.rfm_summary(df.fill_null("b"), "customer", "time", freq="M")
