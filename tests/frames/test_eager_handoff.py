"""Eager frames hand their columns to the numpy kernels: same state as the engine path.

pandas, polars and pyarrow frames with a numeric score and at most one integer
group column are counted by the array kernels on the columns themselves; the
engine path (a lazy polars frame here, and the histogram of the engine for the
same eager frame) must give the same state, the same result frame and the same
errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx

nw = pytest.importorskip(
    "narwhals", reason="the frames extra (narwhals) is not installed"
)
pd = pytest.importorskip("pandas", reason="pandas is not installed")
pl = pytest.importorskip("polars", reason="polars is not installed")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
from polars.testing import assert_frame_equal  # noqa: E402

from cxmetrics import frames  # noqa: E402
from cxmetrics.frames._survey import _eager_state  # noqa: E402


def _engine_state(df, score, by, weights, nan_policy, grouped=cx.GroupedNPSState):
    """The state through the engine: a lazy polars frame of the same columns."""
    lazy = pl.from_pandas(df).lazy() if isinstance(df, pd.DataFrame) else df.lazy()
    fn = {
        cx.GroupedNPSState: frames.nps_state,
        cx.GroupedCSATState: frames.csat_state,
    }[grouped]
    return fn(lazy, score, by=by, weights=weights, nan_policy=nan_policy)


@st.composite
def survey_frames(draw):
    n = draw(st.integers(0, 40))
    scores = draw(
        st.lists(st.one_of(st.integers(0, 10), st.none()), min_size=n, max_size=n)
    )
    groups = draw(st.lists(st.integers(-3, 4), min_size=n, max_size=n))
    weights = draw(
        st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 5.0)), min_size=n, max_size=n)
    )
    dtype = draw(st.sampled_from([pl.Int8, pl.Int16, pl.Int64, pl.UInt8]))
    if dtype == pl.UInt8:
        groups = [abs(g) for g in groups]
    return pl.DataFrame(
        {
            "score": pl.Series(scores, dtype=pl.Int64),
            "g": pl.Series(groups, dtype=dtype),
            "w": pl.Series(weights, dtype=pl.Float64),
        }
    )


@given(
    survey_frames(),
    st.sampled_from(["polars", "pandas", "pyarrow"]),
    st.booleans(),
    st.booleans(),
)
def test_eager_handoff_equals_engine_path(df, kind, grouped, weighted):
    by = "g" if grouped else None
    weights = "w" if weighted else None
    native = {
        "polars": df,
        "pandas": df.to_pandas(),
        "pyarrow": df.to_arrow(),
    }[kind]
    wrapped = nw.from_native(native, eager_only=True)
    sch = cx.NPSScheme()
    fast = _eager_state(
        cx.GroupedNPSState, wrapped, "score", [by] if by else [], weights, sch, "omit"
    )
    assert fast is not None  # these frames take the hand-off
    slow = _engine_state(df, "score", by, weights, "omit")
    assert type(fast) is type(slow)
    if weighted:
        np.testing.assert_array_equal(fast.counts, slow.counts)
        np.testing.assert_array_equal(fast.n_missing, slow.n_missing)
        np.testing.assert_allclose(fast.weight_sums, slow.weight_sums, rtol=1e-12)
        np.testing.assert_allclose(fast.weight_squares, slow.weight_squares, rtol=1e-12)
    else:
        assert fast == slow
    if grouped:
        np.testing.assert_array_equal(fast.keys, slow.keys)
    # the public function takes the hand-off and equals the array API
    state = frames.nps_state(native, "score", by=by, weights=weights, nan_policy="omit")
    scores = df.get_column("score").to_numpy()
    w = None if weights is None else df.get_column("w").to_numpy()
    if grouped:
        want = cx.GroupedNPSState.from_responses(
            scores, df.get_column("g").to_numpy(), weights=w, nan_policy="omit"
        )
    else:
        want = cx.NPSState.from_responses(scores, weights=w, nan_policy="omit")
    assert state == want


@pytest.mark.parametrize("weighted", [False, True])
def test_result_frame_of_eager_polars_equals_lazy(weighted):
    rng = np.random.default_rng(5)
    df = pl.DataFrame(
        {
            "score": rng.integers(0, 11, 500).astype(np.int8),
            "team": rng.integers(0, 7, 500).astype(np.int16),
            "w": rng.uniform(0.5, 2.0, 500),
        }
    )
    w = "w" if weighted else None
    eager = frames.nps(df, "score", by="team", weights=w)
    lazy = frames.nps(df.lazy(), "score", by="team", weights=w).collect()
    assert_frame_equal(eager, lazy, check_exact=not weighted, rel_tol=1e-12)
    eager1 = frames.csat(df.with_columns(pl.col("score") % 5 + 1), "score", weights=w)
    lazy1 = frames.csat(
        df.with_columns(pl.col("score") % 5 + 1).lazy(), "score", weights=w
    ).collect()
    assert_frame_equal(eager1, lazy1, check_exact=not weighted, rel_tol=1e-12)


def test_text_or_several_keys_and_lazy_frames_take_the_engine_path():
    df = pl.DataFrame({"score": [9, 3], "region": ["n", "s"], "g": [1, 2]})
    wrapped = nw.from_native(df, eager_only=True)
    sch = cx.NPSScheme()
    assert (
        _eager_state(
            cx.GroupedNPSState, wrapped, "score", ["region"], None, sch, "raise"
        )
        is None
    )
    assert (
        _eager_state(
            cx.GroupedNPSState, wrapped, "score", ["g", "region"], None, sch, "raise"
        )
        is None
    )
    lazy = nw.from_native(df.lazy())
    assert (
        _eager_state(cx.GroupedNPSState, lazy, "score", [], None, sch, "raise") is None
    )
    with_null_key = nw.from_native(
        pl.DataFrame({"score": [9, 3], "g": [1, None]}), eager_only=True
    )
    assert (
        _eager_state(
            cx.GroupedNPSState, with_null_key, "score", ["g"], None, sch, "raise"
        )
        is None
    )


@pytest.mark.parametrize(
    ("scores", "policy"),
    [([9, None, 3], "raise"), ([9, 11, 3], "raise"), ([9.5, 1.0, 3.0], "omit")],
)
def test_bad_eager_input_raises_the_engine_path_error(scores, policy):
    df = pl.DataFrame({"score": scores, "g": [1, 1, 2]})
    with pytest.raises(cx.exceptions.CXMetricsError) as eager:
        frames.nps(df, "score", by="g", nan_policy=policy)
    with pytest.raises(cx.exceptions.CXMetricsError) as lazy:
        frames.nps(df.lazy(), "score", by="g", nan_policy=policy)
    assert type(eager.value) is type(lazy.value)
    assert "score column 'score'" in str(eager.value)
    assert "index" in str(eager.value)  # eager frames still name the row
