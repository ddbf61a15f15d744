"""Survival by group in one call, and durations given as time deltas.

``kaplan_meier(..., by=...)`` / ``nelson_aalen(..., by=...)`` against lifelines'
``KaplanMeierFitter`` / ``NelsonAalenFitter`` fitted per group and
``multivariate_logrank_test`` (lifelines 0.30, test-only dependency, on its
bundled Waltons and Rossi data), and against the scalar call per group.
"""

from __future__ import annotations

import datetime as dt
import io

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    MissingValueError,
    UndefinedMetricWarning,
)

# -------------------------------------------------------------- lifelines


@pytest.fixture(scope="module")
def lifelines():
    return pytest.importorskip("lifelines")


def _grouped_datasets():
    from lifelines.datasets import load_rossi, load_waltons

    w = load_waltons()
    r = load_rossi()
    return [
        (w["T"], w["E"], w["group"]),
        (r["week"], r["arrest"], r["race"]),
        (r["week"], r["arrest"], r["prio"].clip(upper=4)),
    ]


def test_grouped_kaplan_meier_matches_lifelines_per_group(lifelines):
    from lifelines.statistics import multivariate_logrank_test
    from lifelines.utils import median_survival_times

    for t, e, g in _grouped_datasets():
        res = cx.kaplan_meier(t, e, by=g)
        assert res.keys.tolist() == sorted(set(g))
        for i, key in enumerate(res.keys.tolist()):
            mask = (g == key).to_numpy()
            kmf = lifelines.KaplanMeierFitter().fit(t[mask], e[mask])
            curve = res[key]
            np.testing.assert_allclose(
                curve.survival,
                kmf.survival_function_.loc[curve.time].to_numpy()[:, 0],
                rtol=1e-12,
                atol=1e-15,
            )
            assert res.n[i] == mask.sum()
            assert res.n_events[i] == e[mask].sum()
            assert res.median[i] == kmf.median_survival_time_
            lo, hi = median_survival_times(kmf.confidence_interval_).to_numpy()[0]
            assert (res.median_low[i], res.median_high[i]) == (lo, hi)
        expected = multivariate_logrank_test(t, g, e)
        test = res.logrank()
        assert isinstance(test, cx.LogrankResult)
        assert test.df == expected.degrees_of_freedom
        assert test.statistic == pytest.approx(expected.test_statistic, rel=1e-10)
        assert test.pvalue == pytest.approx(expected.p_value, rel=1e-9)


def test_grouped_nelson_aalen_matches_lifelines_per_group(lifelines):
    for t, e, g in _grouped_datasets():
        res = cx.nelson_aalen(t, e, by=g, ties="fleming-harrington")
        for key in res.keys.tolist():
            mask = (g == key).to_numpy()
            naf = lifelines.NelsonAalenFitter().fit(t[mask], e[mask])
            curve = res[key]
            np.testing.assert_allclose(
                curve.cumulative_hazard,
                naf.cumulative_hazard_.loc[curve.time].to_numpy()[:, 0],
                rtol=1e-12,
            )
        assert res.logrank() == cx.logrank_test(t, e, by=g)


# -------------------------------------------------- a real export, by plan

EXPORT = """customer_id,plan,started_at,ended_at
C-001,basic,2024-01-15,2024-03-10
C-002,pro,2024-01-03,
C-003,basic,2024-02-20,
C-004,pro,2024-02-01,2024-04-05
C-005,basic,2024-03-28,2024-04-02
C-006,pro,2024-03-01,2024-03-31
C-007,basic,2024-01-10,2024-02-10
"""


def test_lifetimes_by_plan_from_an_export():
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(io.StringIO(EXPORT), dtype={"customer_id": str})
    start = pd.to_datetime(frame["started_at"])
    end = pd.to_datetime(frame["ended_at"])
    as_of = pd.Timestamp("2024-04-20")
    lifetime = end.fillna(as_of) - start  # timedelta64[ns], censored at as_of
    churned = end.notna()
    res = cx.kaplan_meier(lifetime, churned, by=frame["plan"])
    assert res.time_unit == "seconds"
    assert res.keys.tolist() == ["basic", "pro"]
    assert res.n.tolist() == [4, 3]
    assert res.n_events.tolist() == [3, 2]
    days = lifetime.dt.days.to_numpy()
    assert days.tolist() == [55, 108, 60, 64, 5, 30, 31]
    ref = cx.kaplan_meier(days * 86400.0, churned, by=frame["plan"])
    assert res == attrs.evolve(ref, time_unit="seconds", curves=res.curves)
    for key in ("basic", "pro"):
        assert res[key] == attrs.evolve(ref[key], time_unit="seconds")
    # basic: lifetimes 5, 31, 55 days churned, 60 censored; the curve is 0.5
    # from day 31 to day 55, and the median is the midpoint (R's rule): 43 days
    assert res.median[0] / 86400 == 43.0
    assert res["pro"].survival_at(64 * 86400.0) == pytest.approx(1 / 3)
    table = res.to_pandas()
    assert table.columns.tolist() == [
        "key",
        "n",
        "n_events",
        "n_missing",
        "median",
        "median_low",
        "median_high",
    ]
    assert "times in seconds" in str(res)


# ----------------------------------------------------------------- shapes


def test_grouped_result_lookup_table_and_errors():
    res = cx.kaplan_meier([3, 5, 5, 8, 10, 2], [1, 1, 0, 1, 0, 1], by=list("aaabbb"))
    assert res["a"] == cx.kaplan_meier([3, 5, 5], [1, 1, 0])
    assert len(res) == 2
    with pytest.raises(KeyError, match=r"no group 'c'; the groups are \['a', 'b'\]"):
        res["c"]
    assert res.survival_at(4).tolist() == [2 / 3, 2 / 3]
    assert res.survival_at([1, 4]).shape == (2, 2)
    assert res.quantile(0.25).tolist() == [3.0, 2.0]
    assert "GroupedKaplanMeierResult with 2 group(s)" in repr(res)
    assert "<table" in res._repr_html_()
    assert list(res.to_dict()) == [
        "key",
        "n",
        "n_events",
        "n_missing",
        "median",
        "median_low",
        "median_high",
    ]
    with pytest.raises(InvalidInputError, match="`levels` lists the groups of `by`"):
        cx.kaplan_meier([1, 2], levels=["a"])
    with pytest.raises(InvalidInputError, match="`levels` lists the groups of `by`"):
        cx.nelson_aalen([1, 2], levels=["a"])
    with pytest.raises(
        InvalidInputError, match=r"`by` must have the same length as `durations` \(2\)"
    ):
        cx.kaplan_meier([1, 2], by=["a"])
    with pytest.raises(MissingValueError, match="`by` contains 1 missing key"):
        cx.kaplan_meier([1, 2], by=["a", None])
    with pytest.raises(InvalidInputError, match="`nan_policy` must be one of"):
        cx.kaplan_meier([1, 2], by=["a", "b"], nan_policy="drop")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`ties` must be one of"):
        cx.nelson_aalen([1, 2], by=["a", "b"], ties="breslow")  # type: ignore[arg-type]


def test_levels_report_an_empty_group_with_a_warning():
    with pytest.warns(UndefinedMetricWarning, match="zero subjects"):
        res = cx.kaplan_meier(
            [3, 5, 8], [1, 0, 1], by=["a", "a", "b"], levels=["b", "z", "a"]
        )
    assert res.keys.tolist() == ["b", "z", "a"]
    assert res.n.tolist() == [1, 0, 2]
    assert np.isnan(res.median[1])
    assert res.logrank().df == 1  # the empty group has no expected events


# ------------------------------------------------------------- properties

durations = hnp.arrays(
    np.float64,
    st.integers(0, 30),
    elements=st.one_of(
        st.integers(0, 12).map(float), st.just(np.nan), st.floats(0, 12, width=16)
    ),
)


@st.composite
def grouped_survival(draw):
    d = draw(durations)
    n = d.size
    events = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    groups = np.array(
        draw(
            st.lists(st.sampled_from(["trial", "pro", "basic"]), min_size=n, max_size=n)
        ),
        dtype=object,
    )
    return d, events, groups


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@given(grouped_survival())
def test_grouped_equals_the_scalar_call_per_group(data):
    d, e, g = data
    res = cx.kaplan_meier(d, e, by=g, nan_policy="omit")
    hazards = cx.nelson_aalen(d, e, by=g, nan_policy="omit")
    assert res.keys.tolist() == sorted(set(g.tolist()))
    for i, key in enumerate(res.keys.tolist()):
        mask = g == key
        scalar = cx.kaplan_meier(d[mask], e[mask], nan_policy="omit")
        assert res[key] == scalar
        assert res.n[i] == scalar.n
        assert res.n_missing[i] == np.isnan(d[mask]).sum()
        assert res.median[i] == scalar.median or (
            np.isnan(res.median[i]) and np.isnan(scalar.median)
        )
        low, high = scalar.median_interval()
        assert np.array_equal(
            [res.median_low[i], res.median_high[i]], [low, high], equal_nan=True
        )
        assert hazards[key] == cx.nelson_aalen(d[mask], e[mask], nan_policy="omit")
    if len(res) >= 2:
        _assert_same_test(res.logrank(), cx.logrank_test(d, e, by=g, nan_policy="omit"))


def _assert_same_test(a, b):
    """Log-rank results equal, NaN statistics (no events to compare) included."""
    assert a.df == b.df
    np.testing.assert_array_equal([a.statistic, a.pvalue], [b.statistic, b.pvalue])
    assert attrs.evolve(a, statistic=0.0, pvalue=0.0) == attrs.evolve(
        b, statistic=0.0, pvalue=0.0
    )


# ------------------------------------------------------------ time deltas

SECONDS = np.array([90.0, 3600.0, 86400.0, 86400.0, 1.5, 7 * 86400.0])
EVENTS = np.array([1, 0, 1, 1, 0, 1])


def _assert_same_in_seconds(res, ref):
    assert res.time_unit == "seconds"
    assert ref.time_unit is None
    assert res == attrs.evolve(ref, time_unit="seconds")


def test_numpy_and_python_time_deltas_are_seconds():
    td = (SECONDS * 1000).astype("timedelta64[ms]")
    ref = cx.kaplan_meier(SECONDS, EVENTS)
    _assert_same_in_seconds(cx.kaplan_meier(td, EVENTS), ref)
    objects = [dt.timedelta(seconds=float(s)) for s in SECONDS]
    _assert_same_in_seconds(cx.kaplan_meier(objects, EVENTS), ref)
    _assert_same_in_seconds(
        cx.nelson_aalen(td, EVENTS), cx.nelson_aalen(SECONDS, EVENTS)
    )
    assert cx.SurvivalState.from_durations(td, EVENTS) == (
        cx.SurvivalState.from_durations(SECONDS, EVENTS)
    )
    assert "time_unit='seconds'" in repr(cx.kaplan_meier(td, EVENTS))
    assert "median 86400 seconds" in str(cx.kaplan_meier(td, EVENTS))


def test_pandas_timedelta_column_is_seconds_and_nat_is_missing():
    pd = pytest.importorskip("pandas")
    col = pd.Series(pd.to_timedelta(SECONDS, unit="s"))
    assert col.dtype == "timedelta64[ns]"
    _assert_same_in_seconds(
        cx.kaplan_meier(col, EVENTS), cx.kaplan_meier(SECONDS, EVENTS)
    )
    with_nat = pd.concat([col, pd.Series([pd.NaT])], ignore_index=True)
    events = np.append(EVENTS, 1)
    with pytest.raises(MissingValueError, match="`durations` contains 1 missing value"):
        cx.kaplan_meier(with_nat, events)
    res = cx.kaplan_meier(with_nat, events, nan_policy="omit")
    assert res.n_missing == 1
    _assert_same_in_seconds(
        res, cx.kaplan_meier(np.append(SECONDS, np.nan), events, nan_policy="omit")
    )
    grouped = cx.kaplan_meier(col, EVENTS, by=list("aabbab"))
    assert grouped.time_unit == "seconds"
    assert grouped["a"] == attrs.evolve(
        cx.kaplan_meier(SECONDS[[0, 1, 4]], EVENTS[[0, 1, 4]]), time_unit="seconds"
    )


def test_polars_duration_column_is_seconds():
    pl = pytest.importorskip("polars")
    col = pl.Series("lifetime", (SECONDS * 1000).astype(np.int64)).cast(
        pl.Duration("ms")
    )
    _assert_same_in_seconds(
        cx.kaplan_meier(col, EVENTS), cx.kaplan_meier(SECONDS, EVENTS)
    )
    _assert_same_in_seconds(
        cx.nelson_aalen(col, EVENTS, ties="fleming-harrington"),
        cx.nelson_aalen(SECONDS, EVENTS, ties="fleming-harrington"),
    )
    with_null = pl.Series("lifetime", [1000, None], dtype=pl.Int64).cast(
        pl.Duration("ms")
    )
    res = cx.kaplan_meier(with_null, [1, 1], nan_policy="omit")
    assert (res.n, res.n_missing, res.time.tolist()) == (1, 1, [1.0])


@given(
    hnp.arrays(np.int64, st.integers(1, 25), elements=st.integers(0, 10**9)),
    st.sampled_from(["s", "ms", "us", "ns"]),
)
def test_time_deltas_equal_their_seconds(values, unit):
    td = values.astype(f"timedelta64[{unit}]")
    seconds = td.astype("timedelta64[ns]").astype(np.float64) / 1e9
    events = values % 3 != 0
    res = cx.kaplan_meier(td, events)
    _assert_same_in_seconds(res, cx.kaplan_meier(seconds, events))
