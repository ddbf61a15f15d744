"""PySpark in local mode: native aggregations through narwhals equal the numpy path."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import cxmetrics as cx

pytest.importorskip("narwhals", reason="the frames extra (narwhals) is not installed")
pytest.importorskip("pyspark", reason="the spark extra (pyspark) is not installed")
if shutil.which("java") is None:
    pytest.skip(
        "Spark needs a Java runtime (17+); none on PATH", allow_module_level=True
    )
from cxmetrics import frames

N = 3_000
RNG = np.random.default_rng(7)
SCORE = RNG.integers(0, 11, N)
REGION = RNG.choice(np.array(["north", "south", "east"]), N)
MONTH = RNG.integers(1, 5, N)
W = RNG.uniform(0.5, 2.0, N)


@pytest.fixture(scope="module")
def spark_df():
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("cxmetrics-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    rows = list(
        zip(
            SCORE.tolist(),
            REGION.tolist(),
            MONTH.tolist(),
            W.tolist(),
            strict=True,
        )
    )
    df = spark.createDataFrame(rows, ["score", "region", "month", "w"]).repartition(3)
    yield df
    spark.stop()


def test_grouped_nps_in_spark_equals_numpy(spark_df):
    got = frames.nps_state(spark_df, "score", by="region", weights="w")
    want = cx.GroupedNPSState.from_responses(SCORE, by=REGION, weights=W)
    np.testing.assert_array_equal(got.counts, want.counts)
    assert got.keys.tolist() == want.keys.tolist()
    np.testing.assert_allclose(got.weight_sums, want.weight_sums, rtol=1e-12)
    np.testing.assert_allclose(got.weight_squares, want.weight_squares, rtol=1e-12)


def test_csat_ces_by_two_columns_in_spark(spark_df):
    csat = frames.csat_state(
        spark_df.filter("score between 1 and 5"), "score", by=["region", "month"]
    )
    mask = (SCORE >= 1) & (SCORE <= 5)
    for region, month in [("north", 1), ("east", 4)]:
        m = mask & (region == REGION) & (month == MONTH)
        assert csat[(region, month)] == cx.CSATState.from_responses(SCORE[m])
    ces = frames.ces_state(spark_df.filter("score between 1 and 7"), "score")
    assert ces == cx.CESState.from_responses(SCORE[(SCORE >= 1) & (SCORE <= 7)])


def test_result_comes_back_as_a_spark_dataframe(spark_df):
    out = frames.nps(spark_df, "score", by="month")
    assert type(out).__module__.startswith("pyspark")
    rows = sorted(out.select("month", "value", "n").collect())
    want = cx.nps(SCORE, by=MONTH)
    assert [r["month"] for r in rows] == want.keys.tolist()
    np.testing.assert_allclose([r["value"] for r in rows], want.value, rtol=1e-12)
    assert [r["n"] for r in rows] == want.n.tolist()


def test_lazy_errors_in_spark(spark_df):
    from pyspark.sql import functions as F  # noqa: N812

    bad = spark_df.withColumn(
        "score", F.when(F.col("score") == 10, 11).otherwise(F.col("score"))
    )
    with pytest.raises(
        cx.exceptions.InvalidInputError, match=r"not whole numbers in \[0, 10\]"
    ):
        frames.nps(bad, "score")


def test_cohort_and_churn_counts_in_spark(spark_df):
    import datetime as dt

    from pyspark.sql import types as T  # noqa: N812

    rng = np.random.default_rng(5)
    t = np.datetime64("2024-01-01T00:00:00", "us") + rng.integers(
        0, 300 * 86_400 * 10**6, 2_000
    ).astype("timedelta64[us]")
    cust = rng.integers(0, 150, 2_000)
    amount = rng.integers(0, 10_000, 2_000) / 100
    schema = T.StructType(
        [
            T.StructField("customer", T.LongType()),
            T.StructField("time", T.TimestampNTZType()),
            T.StructField("amount", T.DoubleType()),
        ]
    )
    rows = [
        (int(c), dt.datetime.fromisoformat(str(x)), float(a))
        for c, x, a in zip(cust, t, amount, strict=True)
    ]
    log = spark_df.sparkSession.createDataFrame(rows, schema)
    assert frames.cohort_state(
        log, "customer", "time", freq="week", amount="amount"
    ) == cx.CohortState.from_activity(cust, t, freq="week", amount=amount)
    assert frames.churn_state(
        log, "customer", "time"
    ) == cx.GroupedChurnState.from_activity(cust, t)


def test_sla_compliance_counts_in_spark(spark_df):
    statuses = np.array(
        [
            "achieved",
            "breached",
            "active",
            "active_breached",
            "paused",
            "not_applicable",
        ]
    )
    status = statuses[SCORE % 6]
    rows = list(zip(status.tolist(), REGION.tolist(), strict=True))
    df = spark_df.sparkSession.createDataFrame(rows, ["status", "region"])
    got = frames.sla_compliance_state(df, "status", by="region")
    for region in ("north", "east"):
        s = status[region == REGION]
        assert got.counts[got.keys.tolist().index(region)].tolist() == [
            int(np.sum(s == v)) for v in statuses
        ]


def test_duration_sketch_in_spark_equals_numpy(spark_df):
    got = frames.duration_sketch_state(spark_df, "w", by="region")
    want = cx.DurationSketchState.from_durations(W, by=REGION)
    assert got.keys.tolist() == want.keys.tolist()
    for name in ("bin_group", "bin_key", "bin_count", "zero_count", "n_missing"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
    np.testing.assert_allclose(got.total, want.total, rtol=1e-12)
