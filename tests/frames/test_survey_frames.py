"""Survey scores on dataframes: every backend equals the numpy path on the same data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx

nw = pytest.importorskip(
    "narwhals", reason="the frames extra (narwhals) is not installed"
)
pd = pytest.importorskip("pandas", reason="pandas is not installed")
pl = pytest.importorskip("polars", reason="polars is not installed")
from cxmetrics import frames  # noqa: E402

N = 997
RNG = np.random.default_rng(20261123)
DATA = {
    "score": RNG.integers(0, 11, N),
    "csat": RNG.integers(1, 6, N),
    "ces": RNG.integers(1, 8, N),
    "region": RNG.choice(np.array(["north", "south", "east", "west-long-name"]), N),
    "month": RNG.integers(1, 7, N),
    "vip": RNG.random(N) < 0.3,
    "w": RNG.uniform(0.2, 3.0, N),
}


def _pandas(d):
    return pd.DataFrame(d)


def _polars(d):
    return pl.DataFrame(d)


def _lazy(d):
    return pl.DataFrame(d).lazy()


def _arrow(d):
    pa = pytest.importorskip("pyarrow")
    return pa.table(d)


def _duckdb(d):
    duckdb = pytest.importorskip("duckdb")
    return duckdb.from_arrow(_arrow(d))


def _dask(d):
    dd = pytest.importorskip("dask.dataframe")
    return dd.from_pandas(pd.DataFrame(d), npartitions=3)


BACKENDS = {
    "pandas": _pandas,
    "polars": _polars,
    "polars-lazy": _lazy,
    "pyarrow": _arrow,
    "duckdb": _duckdb,
    "dask": _dask,
}
METRICS = [
    ("score", frames.nps_state, cx.GroupedNPSState, cx.NPSState),
    ("csat", frames.csat_state, cx.GroupedCSATState, cx.CSATState),
    ("ces", frames.ces_state, cx.GroupedCESState, cx.CESState),
]


def _numpy_state(grouped, scalar, column, by, weights):
    w = None if weights is None else DATA[weights]
    if by is None:
        return scalar.from_responses(DATA[column], weights=w)
    if isinstance(by, str):
        return grouped.from_responses(DATA[column], by=DATA[by], weights=w)
    # several columns: compare group by group against the numpy path on the subset
    return None


def _same_state(a, b, *, exact_weights=False):
    assert type(a) is type(b)
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.n_missing, b.n_missing)
    if hasattr(a, "keys"):
        assert a.keys.tolist() == b.keys.tolist()
    if b.weight_sums is None:
        assert a.weight_sums is None
    elif exact_weights:
        np.testing.assert_array_equal(a.weight_sums, b.weight_sums)
    else:
        np.testing.assert_allclose(a.weight_sums, b.weight_sums, rtol=1e-12, atol=0)
        np.testing.assert_allclose(
            a.weight_squares, b.weight_squares, rtol=1e-12, atol=0
        )


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize(
    ("column", "build", "grouped", "scalar"), METRICS, ids=["nps", "csat", "ces"]
)
@pytest.mark.parametrize("by", [None, "region", "month", "vip"])
@pytest.mark.parametrize("weights", [None, "w"])
def test_state_equals_numpy_path(backend, column, build, grouped, scalar, by, weights):
    df = BACKENDS[backend](DATA)
    got = build(df, column, by=by, weights=weights)
    _same_state(got, _numpy_state(grouped, scalar, column, by, weights))


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_several_by_columns_give_record_keys(backend):
    df = BACKENDS[backend](DATA)
    got = frames.nps_state(df, "score", by=["region", "month"], weights="w")
    assert got.keys.dtype.names == ("region", "month")
    pairs = {
        (r, m)
        for r, m in zip(DATA["region"].tolist(), DATA["month"].tolist(), strict=True)
    }
    assert len(got) == len(pairs)
    for region, month in sorted(pairs)[:: max(1, len(pairs) // 5)]:
        mask = (DATA["region"] == region) & (DATA["month"] == month)
        want = cx.NPSState.from_responses(DATA["score"][mask], weights=DATA["w"][mask])
        _same_state(got[(region, month)], want)


def _native_kind(df, out):
    name = type(df).__module__.split(".")[0]
    return name, type(out).__module__.split(".")[0]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_result_frame_is_of_the_callers_kind_and_matches(backend):
    df = BACKENDS[backend](DATA)
    out = frames.nps(
        df, "score", by=["region", "vip"], confidence_level=0.9, method="wald"
    )
    kind_in, kind_out = _native_kind(df, out)
    assert kind_in == kind_out
    if backend == "dask":
        table = out.compute()
    else:
        table = nw.from_native(out)
        table = table.collect() if isinstance(table, nw.LazyFrame) else table
        table = table.to_pandas()
    want = cx.nps(
        DATA["score"],
        by=[f"{r}|{v}" for r, v in zip(DATA["region"], DATA["vip"], strict=True)],
    )
    keys = [f"{r}|{v}" for r, v in zip(table["region"], table["vip"], strict=True)]
    assert keys == want.keys.tolist()
    np.testing.assert_allclose(table["value"], want.value, rtol=1e-12)
    np.testing.assert_array_equal(table["n"], want.n)
    ci = want.confidence_interval(0.9, method="wald")
    np.testing.assert_allclose(table["ci_low"], ci.low, rtol=1e-12)
    np.testing.assert_allclose(table["ci_high"], ci.high, rtol=1e-12)
    assert {"standard_error", "n_missing", "effective_n", "flagged"} <= set(
        table.columns
    )


@pytest.mark.parametrize("backend", ["pandas", "polars", "duckdb"])
def test_ungrouped_result_is_one_row(backend):
    df = BACKENDS[backend](DATA)
    out = frames.csat(df, "csat", definition="mean")
    table = nw.from_native(out)
    table = table.collect() if isinstance(table, nw.LazyFrame) else table
    want = cx.csat(DATA["csat"], definition="mean")
    assert len(table) == 1
    assert table.get_column("value").to_list()[0] == pytest.approx(
        want.value, rel=1e-12
    )
    assert "region" not in table.columns


@pytest.mark.parametrize(
    "backend", ["pandas", "polars", "polars-lazy", "duckdb", "dask"]
)
def test_missing_answers_are_counted_per_group_or_raise(backend):
    score = DATA["score"].astype(float)
    score[[3, 10, 11]] = np.nan
    d = {**DATA, "score": score}
    df = BACKENDS[backend](d)
    got = frames.nps_state(df, "score", by="region", nan_policy="omit")
    want = cx.GroupedNPSState.from_responses(
        score, by=DATA["region"], nan_policy="omit"
    )
    _same_state(got, want)
    assert got.n_missing.sum() == 3
    with pytest.raises(cx.exceptions.MissingValueError, match="3 missing"):
        frames.nps_state(BACKENDS[backend](d), "score", by="region")


def test_eager_errors_name_the_column_the_value_and_the_row():
    d = {**DATA, "score": DATA["score"].copy()}
    d["score"][7] = 11
    for make in (_pandas, _polars):
        with pytest.raises(
            cx.exceptions.InvalidInputError, match=r"'score'.*11.*index 7"
        ):
            frames.nps(make(d), "score")
    with pytest.raises(cx.exceptions.InvalidInputError, match=r"'score'.*1 value"):
        frames.nps(_lazy(d), "score")


def test_fractional_scores_are_refused():
    df = pl.DataFrame({"score": [9.0, 7.5, 10.0]})
    with pytest.raises(
        cx.exceptions.InvalidInputError, match=r"whole numbers.*7.5.*index 1"
    ):
        frames.nps(df, "score")


def test_bad_columns_and_types():
    df = pl.DataFrame({"score": [9, 7], "region": ["a", "b"], "text": ["x", "y"]})
    with pytest.raises(
        cx.exceptions.InvalidInputError, match=r"`by`: no column 'team'"
    ):
        frames.nps(df, "score", by="team")
    with pytest.raises(
        cx.exceptions.InvalidInputError, match=r"`score`: no column 'answer'"
    ):
        frames.nps(df, "answer")
    with pytest.raises(
        cx.exceptions.InvalidInputTypeError, match=r"'text' must be numeric"
    ):
        frames.nps(df, "text")
    with pytest.raises(
        cx.exceptions.InvalidInputTypeError, match="must be a dataframe"
    ):
        frames.nps([1, 2, 3], "score")


def test_missing_group_keys_and_bad_weights():
    df = pl.DataFrame(
        {"score": [9, 7, 3], "region": ["a", None, "b"], "w": [1.0, -2.0, 1.0]}
    )
    with pytest.raises(
        cx.exceptions.MissingValueError, match=r"'region' contains 1 missing"
    ):
        frames.nps(df, "score", by="region")
    with pytest.raises(
        cx.exceptions.InvalidInputError, match=r"non-negative.*-2.*index 1"
    ):
        frames.nps(df, "score", weights="w")
    with pytest.raises(cx.exceptions.InvalidInputError, match=r"negative weight"):
        frames.nps(df.lazy(), "score", weights="w")
    df2 = pl.DataFrame({"score": [9, 7], "w": [1.0, None]})
    with pytest.raises(cx.exceptions.InvalidInputError, match=r"index 1"):
        frames.nps(df2, "score", weights="w")


def test_inputs_are_not_modified():
    pdf = pd.DataFrame({k: v.copy() for k, v in DATA.items()})
    before = pdf.copy()
    frames.nps(pdf, "score", by="region", weights="w")
    pd.testing.assert_frame_equal(pdf, before)


def test_min_n_suppresses_small_groups():
    df = pl.DataFrame({"score": [10, 9, 3, 7, 10], "g": ["a", "a", "a", "b", "b"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.exceptions.UndefinedMetricWarning)
        out = frames.nps(df, "score", by="g", min_n=3)
    assert out.get_column("flagged").to_list() == [False, True]
    assert np.isnan(out.get_column("value").to_list()[1])


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.one_of(st.none(), st.integers(0, 10)), max_size=60),
    keys=st.data(),
)
def test_polars_path_equals_numpy_path(scores, keys):
    groups = keys.draw(
        st.lists(
            st.sampled_from(["a", "b", "c"]), min_size=len(scores), max_size=len(scores)
        )
    )
    df = pl.DataFrame(
        {"score": scores, "g": groups}, schema={"score": pl.Int64, "g": pl.String}
    )
    got = frames.nps_state(df, "score", by="g", nan_policy="omit")
    arr = np.array([np.nan if s is None else s for s in scores], dtype=float)
    want = cx.GroupedNPSState.from_responses(
        arr, by=np.array(groups, dtype=str), nan_policy="omit"
    )
    _same_state(got, want)
