"""Churn and cohort counts from activity logs in dataframes equal the array API's states."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx

pytest.importorskip("narwhals", reason="the frames extra (narwhals) is not installed")
pd = pytest.importorskip("pandas", reason="pandas is not installed")
pl = pytest.importorskip("polars", reason="polars is not installed")
from cxmetrics import frames  # noqa: E402

N = 6_000
RNG = np.random.default_rng(99)
T = np.datetime64("2023-01-01T00:00:00", "us") + RNG.integers(
    0, 500 * 86_400 * 10**6, N
).astype("timedelta64[us]")
CUSTOMER = RNG.choice(np.array([f"c{i:03d}" for i in range(400)]), N)
AMOUNT = RNG.integers(0, 50_000, N) / 100
LOG = {"customer": CUSTOMER, "time": T, "amount": AMOUNT}


def _duckdb(d):
    duckdb = pytest.importorskip("duckdb")
    return duckdb.from_arrow(pl.DataFrame(d).to_arrow())


def _arrow(d):
    pytest.importorskip("pyarrow")
    return pl.DataFrame(d).to_arrow()


BACKENDS = {
    "pandas": pd.DataFrame,
    "polars": pl.DataFrame,
    "polars-lazy": lambda d: pl.DataFrame(d).lazy(),
    "pyarrow": _arrow,
    "duckdb": _duckdb,
}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("freq", ["day", "week", "month", "quarter", "year"])
def test_cohort_and_churn_states_equal_the_array_api(backend, freq):
    df = BACKENDS[backend](LOG)
    assert frames.cohort_state(
        df, "customer", "time", freq=freq
    ) == cx.CohortState.from_activity(CUSTOMER, T, freq=freq)
    assert frames.cohort_state(
        df, "customer", "time", freq=freq, amount="amount"
    ) == cx.CohortState.from_activity(CUSTOMER, T, freq=freq, amount=AMOUNT)
    assert frames.churn_state(
        df, "customer", "time", freq=freq
    ) == cx.GroupedChurnState.from_activity(CUSTOMER, T, freq=freq)


def test_cohort_matrix_and_date_columns():
    days = T.astype("datetime64[D]")
    df = pl.DataFrame({"customer": CUSTOMER, "day": days})
    got = frames.cohort_matrix(
        df, "customer", "day", freq="month", definition="unbounded"
    )
    want = cx.cohort_matrix(CUSTOMER, days, freq="month", definition="unbounded")
    np.testing.assert_array_equal(got.sizes, want.sizes)
    np.testing.assert_array_equal(got.counts, want.counts)
    np.testing.assert_allclose(got.value, want.value, equal_nan=True)


def test_revenue_cohorts_in_other_minor_units():
    yen = (RNG.integers(1, 10_000, N)).astype(np.int64)
    df = pd.DataFrame({"customer": CUSTOMER, "time": T, "yen": yen})
    got = frames.cohort_state(df, "customer", "time", amount="yen", minor_units=1)
    assert got == cx.CohortState.from_activity(CUSTOMER, T, amount=yen, minor_units=1)


def test_errors_name_the_column():
    base = pl.DataFrame(
        {
            "customer": ["a", None],
            "time": [dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1)],
            "amount": [1.0, 2.0],
        }
    )
    with pytest.raises(
        cx.exceptions.MissingValueError,
        match=r"`customer` column 'customer' contains 1 missing",
    ):
        frames.cohort_state(base, "customer", "time")
    with pytest.raises(
        cx.exceptions.MissingValueError,
        match=r"`time` column 'time' contains 1 missing",
    ):
        frames.churn_state(
            base.with_columns(
                pl.Series("time", [dt.datetime(2024, 1, 1), None])
            ).fill_null("a"),
            "customer",
            "time",
        )
    ok = base.fill_null("b")
    with pytest.raises(
        cx.exceptions.InvalidInputError, match=r"'amount' has 1 amount.*1/100"
    ):
        frames.cohort_state(
            ok.with_columns(pl.Series("amount", [19.995, 1.0])),
            "customer",
            "time",
            amount="amount",
        )
    with pytest.raises(cx.exceptions.InvalidInputError, match=r"'amount' has 1 amount"):
        frames.cohort_state(
            ok.with_columns(pl.Series("amount", [-1.0, 1.0])),
            "customer",
            "time",
            amount="amount",
        )
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match=r"time-zone aware"):
        frames.cohort_state(
            ok.with_columns(pl.col("time").dt.replace_time_zone("UTC")),
            "customer",
            "time",
        )
    with pytest.raises(
        cx.exceptions.InvalidInputTypeError, match=r"dates or datetimes"
    ):
        frames.cohort_state(
            ok.with_columns(pl.col("time").cast(pl.String)), "customer", "time"
        )
    with pytest.raises(cx.exceptions.InvalidInputError, match=r"no column 'when'"):
        frames.churn_state(ok, "customer", "when")


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 3 * 365 * 24)),
        min_size=1,
        max_size=80,
    ),
    freq=st.sampled_from(["day", "week", "month"]),
)
def test_polars_log_equals_array_api(rows, freq):
    cust = np.array([c for c, _ in rows])
    t = np.datetime64("2022-12-30T00", "h") + np.array([h for _, h in rows]).astype(
        "timedelta64[h]"
    )
    df = pl.DataFrame({"customer": cust, "time": t.astype("datetime64[us]")})
    assert frames.cohort_state(
        df, "customer", "time", freq=freq
    ) == cx.CohortState.from_activity(cust, t, freq=freq)
    assert frames.churn_state(
        df.lazy(), "customer", "time", freq=freq
    ) == cx.GroupedChurnState.from_activity(cust, t, freq=freq)
