from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
    UndefinedMetricWarning,
)
from reference import kish, nps_reference, weighted_share
from strategies import nps_answers, with_groups, with_weights

# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        # 6 promoters, 3 passives, 1 detractor -> (6 - 1) / 10
        ([9, 9, 9, 10, 10, 10, 7, 8, 8, 3], 50.0),
        # 2 promoters, 2 passives, 2 detractors -> 0
        ([10, 9, 8, 7, 6, 0], 0.0),
        # all detractors
        ([0, 1, 2, 3, 4, 5, 6], -100.0),
        # all promoters
        ([9, 10], 100.0),
        # all passives
        ([7, 8, 7], 0.0),
    ],
)
def test_nps_hand_derived(responses, expected):
    assert cx.nps(responses).value == expected


def test_nps_counts_and_shares():
    res = cx.nps([10, 10, 9, 8, 7, 6, 0, 3])
    assert (res.promoters, res.passives, res.detractors, res.n) == (3, 2, 3, 8)
    assert res.counts == (1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 2)
    assert res.promoter_share == 3 / 8
    assert res.passive_share == 2 / 8
    assert res.detractor_share == 3 / 8
    assert res.n_missing == 0
    assert res.effective_n == 8.0
    assert not res.weighted


def test_standard_error_is_trinomial_wald():
    # Rocks (2016): Var = (p+ + p- - (p+ - p-)^2) / n; pro=6, det=16, n=161 (Cavo et al. 2012)
    x = [10] * 6 + [8] * 139 + [0] * 16
    res = cx.nps(x)
    p, d = 6 / 161, 16 / 161
    assert res.standard_error == pytest.approx(
        100 * math.sqrt((p + d - (p - d) ** 2) / 161), rel=1e-12
    )
    # published 95% Wald interval (Fagerland et al. 2017 via contingencytables): (-0.1184, -0.0058)
    low, high = res.confidence_interval(method="wald")
    assert (round(low / 100, 4), round(high / 100, 4)) == (-0.1184, -0.0058)
    # published Tango score interval: (-0.1240, -0.0054)
    low, high = res.confidence_interval(method="score")
    assert (round(low / 100, 4), round(high / 100, 4)) == (-0.1240, -0.0054)


def test_adjusted_wald_is_default_and_matches_formula():
    x = [10] * 50 + [8] * 30 + [3] * 20
    res = cx.nps(x)
    # add 3/4 to promoters and detractors, 3 to n (Rocks 2016; MeasuringU)
    n = 103.0
    p, d = 50.75 / n, 20.75 / n
    half = 1.959963984540054 * math.sqrt((p + d - (p - d) ** 2) / n)
    low, high = res.confidence_interval()
    assert low == pytest.approx(100 * (p - d - half), rel=1e-12)
    assert high == pytest.approx(100 * (p - d + half), rel=1e-12)


def test_bootstrap_is_seeded_and_reproducible():
    x = np.repeat([10, 8, 2], [500, 300, 200])
    res = cx.nps(x)
    a = res.confidence_interval(method="bootstrap", n_resamples=2000)
    b = res.confidence_interval(method="bootstrap", n_resamples=2000)
    c = res.confidence_interval(method="bootstrap", n_resamples=2000, rng=7)
    assert a == b
    wald = res.confidence_interval(method="wald")
    assert a.low == pytest.approx(wald.low, abs=1.0)
    assert c.high == pytest.approx(wald.high, abs=1.0)


@given(nps_answers)
def test_matches_exact_oracle(x):
    if x.size == 0:
        return
    res = cx.nps(x)
    assert res.value == pytest.approx(float(nps_reference(x.tolist())), abs=1e-12)
    assert res.n == x.size


def test_enps_is_nps():
    x = [9, 10, 6, 8, 3, 10, 9]
    assert cx.enps(x) == cx.nps(x)
    assert cx.enps(x, by=[1, 1, 1, 2, 2, 2, 2]) == cx.nps(x, by=[1, 1, 1, 2, 2, 2, 2])


def test_custom_scheme():
    scheme = cx.NPSScheme(promoter_min=8, detractor_max=5)
    res = cx.nps([8, 7, 6, 5, 10], scheme=scheme)
    assert (res.promoters, res.passives, res.detractors) == (2, 2, 1)
    res = cx.nps(
        [1, 3, 5], scheme=cx.NPSScheme(low=1, high=5, promoter_min=5, detractor_max=3)
    )
    assert res.value == pytest.approx(-100 / 3)


def test_scheme_without_passives():
    res = cx.nps([8, 7, 9], scheme=cx.NPSScheme(promoter_min=8, detractor_max=7))
    assert res.passives == 0
    assert res.passive_share == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"promoter_min": 6, "detractor_max": 6},
        {"promoter_min": 11},
        {"low": 5, "high": 5},
        {"detractor_max": -1},
    ],
)
def test_bad_scheme(kwargs):
    with pytest.raises(InvalidInputError, match=r"NPSScheme|high"):
        cx.NPSScheme(**kwargs)


def test_scheme_type_error():
    with pytest.raises(
        InvalidInputTypeError, match="`promoter_min` must be an integer"
    ):
        cx.NPSScheme(promoter_min=8.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties


@given(nps_answers)
def test_range_and_interval_contains_estimate(x):
    if x.size == 0:
        return
    res = cx.nps(x)
    assert -100 <= res.value <= 100
    for method in ("wald", "score"):
        low, high = res.confidence_interval(method=method)
        assert -100 <= low <= res.value + 1e-9
        assert res.value - 1e-9 <= high <= 100
    low, high = res.confidence_interval()
    assert -100 <= low <= high <= 100


@given(nps_answers, st.randoms(use_true_random=False))
def test_permutation_invariance(x, rnd):
    y = x.copy()
    rnd.shuffle(y)
    assert cx.nps(y) == cx.nps(x) if x.size else True


@given(nps_answers)
def test_duplicating_answers_keeps_value(x):
    if x.size == 0:
        return
    assert cx.nps(np.concatenate([x, x])).value == pytest.approx(
        cx.nps(x).value, abs=1e-12
    )


@given(nps_answers, st.data())
def test_promoting_a_detractor_never_lowers_nps(x, data):
    detractors = np.flatnonzero(x <= 6)
    if detractors.size == 0:
        return
    i = data.draw(st.sampled_from(detractors.tolist()))
    new = data.draw(st.integers(7, 10))
    y = x.copy()
    y[i] = new
    assert cx.nps(y).value > cx.nps(x).value


@given(with_weights(nps_answers))
def test_weighted_value_and_kish(xw):
    x, w = xw
    if w.sum() == 0:
        return
    res = cx.nps(x, weights=w)
    pro = weighted_share(x.tolist(), w.tolist(), 9, 10)
    det = weighted_share(x.tolist(), w.tolist(), 0, 6)
    assert res.value == pytest.approx(float(100 * (pro - det)), abs=1e-9)
    assert res.effective_n == pytest.approx(float(kish(w.tolist())), rel=1e-12)
    assert res.n == x.size
    assert res.weighted


@given(nps_answers)
def test_unit_weights_reproduce_unweighted_exactly(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        plain = cx.nps(x)
        unit = cx.nps(x, weights=np.ones(x.size))
    for field in (
        "value",
        "standard_error",
        "effective_n",
        "promoter_share",
        "detractor_share",
    ):
        a, b = getattr(plain, field), getattr(unit, field)
        assert (math.isnan(a) and math.isnan(b)) or a == b
    if x.size:
        for method in ("adjusted_wald", "wald", "score"):
            assert plain.confidence_interval(method=method) == unit.confidence_interval(
                method=method
            )


def test_weights_change_the_interval_through_effective_n():
    x = np.array([10, 10, 0, 0, 8])
    w = np.array([1.0, 3.0, 1.0, 1.0, 2.0])
    res = cx.nps(x, weights=w)
    assert res.effective_n == pytest.approx(64 / 16)
    p, d = 4 / 8, 2 / 8
    assert res.standard_error == pytest.approx(
        100 * math.sqrt((p + d - (p - d) ** 2) / 4.0)
    )


# --------------------------------------------------------------------------- grouped


@given(with_groups(nps_answers))
def test_grouped_equals_per_group_scalar(xg):
    x, g = xg
    res = cx.nps(x, by=g)
    keys = np.unique(
        np.asarray(g, dtype=str) if np.asarray(g).dtype.kind in "OU" else g
    )
    assert len(res) == keys.size
    for i, key in enumerate(res.keys):
        scalar = cx.nps(x[np.asarray(g) == key])
        assert res[key] == scalar
        assert res.value[i] == scalar.value
        assert res.n[i] == scalar.n


def test_grouped_keys_sorted_and_levels_order():
    x = [10, 0, 9, 7]
    g = ["b", "a", "b", "c"]
    res = cx.nps(x, by=g)
    assert res.keys.tolist() == ["a", "b", "c"]
    with pytest.warns(UndefinedMetricWarning, match="1 group"):
        res = cx.nps(x, by=g, levels=["c", "b", "a", "z"])
    assert res.keys.tolist() == ["c", "b", "a", "z"]
    assert res.n.tolist() == [1, 2, 1, 0]
    assert math.isnan(res.value[3])
    assert res.value[:3].tolist() == [0.0, 100.0, -100.0]


def test_key_outside_levels_is_an_error():
    with pytest.raises(
        InvalidInputError,
        match=r"`by` has key 'q' at index 2, which is not in `levels`",
    ):
        cx.nps([1, 2, 3], by=["a", "a", "q"], levels=["a"])


def test_sparse_integer_keys():
    res = cx.nps([10, 0, 9], by=[10**12, -(10**12), 10**12])
    assert res.keys.tolist() == [-(10**12), 10**12]
    assert res.value.tolist() == [-100.0, 100.0]


def test_boolean_keys():
    res = cx.nps([10, 0, 9], by=[True, False, True])
    assert res.keys.tolist() == [False, True]


def test_empty_group_from_missing_answers():
    with pytest.warns(UndefinedMetricWarning):
        res = cx.nps([np.nan, 10, np.nan], by=["a", "b", "a"], nan_policy="omit")
    assert res.n.tolist() == [0, 1]
    assert res.n_missing.tolist() == [2, 0]
    assert math.isnan(res.value[0])


def test_min_n_suppress_and_flag():
    x = [9, 10, 6, 8, 3, 10, 9]
    g = ["ops"] * 4 + ["hr"] * 3
    res = cx.nps(x, by=g, min_n=4)
    assert res.flagged.tolist() == [True, False]
    assert math.isnan(res.value[0])
    assert res.promoters[0] == 0
    assert res.counts[0].sum() == 0
    assert res.n[0] == 3
    assert math.isnan(res.confidence_interval().low[0])
    flagged = cx.nps(x, by=g, min_n=4, small_groups="flag")
    assert flagged.flagged.tolist() == [True, False]
    assert flagged.value[0] == pytest.approx(100 / 3)
    with pytest.raises(InvalidInputError, match="small_groups"):
        cx.nps(x, by=g, min_n=4, small_groups="hide")  # type: ignore[call-overload]


def test_grouped_columns_and_frames():
    res = cx.nps([10, 9, 3, 8, 10, 10], by=[1, 1, 1, 2, 2, 2])
    cols = res.to_dict()
    assert cols["key"].tolist() == [1, 2]
    assert {"value", "n", "standard_error", "ci_low", "ci_high", "flagged"} <= set(cols)
    ci = res.confidence_interval()
    assert cols["ci_low"].tolist() == ci.low.tolist()
    assert "GroupedNPSResult with 2 group(s)" in repr(res)
    pd = pytest.importorskip("pandas")
    df = res.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert df["n"].tolist() == [3, 3]


def test_grouped_to_polars():
    pl = pytest.importorskip("polars")
    df = cx.nps([10, 0], by=["x", "y"]).to_polars()
    assert isinstance(df, pl.DataFrame)
    assert df["key"].to_list() == ["x", "y"]


def test_missing_group_lookup():
    res = cx.nps([10], by=["a"])
    with pytest.raises(KeyError, match="no group 'b'"):
        res["b"]


# --------------------------------------------------------------------------- missing and bad input


def test_nan_policy_raise_and_omit():
    x = [10, np.nan, 3, None]
    with pytest.raises(
        MissingValueError,
        match=r"2 missing value\(s\) \(NaN/None\), the first at index 1",
    ):
        cx.nps(x)
    res = cx.nps(x, nan_policy="omit")
    assert (res.n, res.n_missing, res.value) == (2, 2, 0.0)


def test_pandas_nullable_input():
    pd = pytest.importorskip("pandas")
    s = pd.Series([10, None, 3], dtype="Int64")
    res = cx.nps(s, nan_policy="omit")
    assert (res.n, res.n_missing) == (2, 1)
    f = pd.Series([10.0, float("nan"), 3.0])
    assert cx.nps(f, nan_policy="omit") == res


def test_polars_input():
    pl = pytest.importorskip("polars")
    res = cx.nps(pl.Series([10, None, 3], dtype=pl.Int8), nan_policy="omit")
    assert (res.n, res.n_missing) == (2, 1)


@pytest.mark.parametrize(
    ("x", "error", "pattern"),
    [
        (
            [10, 11, 3],
            InvalidInputError,
            r"`responses` must lie in \[0, 10\]; got 11 at index 1 \(1 value\(s\) out of range\)",
        ),
        (
            [1.0, -2.0, 3.0, -1.0],
            InvalidInputError,
            r"got -2.0 at index 1 \(2 value\(s\) out of range\)",
        ),
        (
            [3.5, 2],
            InvalidInputError,
            r"`responses` must be whole numbers; got 3.5 at index 0",
        ),
        ([1, np.inf], InvalidInputError, r"must lie in \[0, 10\]; got inf at index 1"),
        ([9.223372036854776e18], InvalidInputError, "must lie in"),
        (
            np.array(["2024-01-01"], dtype="datetime64[D]"),
            InvalidInputTypeError,
            r"`responses` must be numeric; got dtype datetime64\[D\]",
        ),
        # text answers are read (numbers as text, labels); unknown text is an error
        ([1, "a"], InvalidInputError, r"'a' \(1\); the first at index 1"),
        (
            np.array([1, "a", None], dtype=object),
            InvalidInputError,
            r"1 answer\(s\) that are neither numbers nor labels.*'a' \(1\); the first at index 1",
        ),
        (
            np.array([1, b"x"], dtype=object),
            InvalidInputTypeError,
            r"must hold numbers or text answers; got b'x' of type bytes at index 1",
        ),
        (
            [[1, 2]],
            InvalidInputError,
            r"`responses` must be 1-D; got an array of shape \(1, 2\)",
        ),
        (5, InvalidInputError, "must be 1-D"),
        ([1 + 2j], InvalidInputTypeError, "must be numeric"),
    ],
)
def test_bad_responses(x, error, pattern):
    with pytest.raises(error, match=pattern):
        cx.nps(x)


def test_bad_weights():
    with pytest.raises(
        InvalidInputError,
        match=r"`weights` must have the same length as `responses` \(2\); got 3",
    ):
        cx.nps([1, 2], weights=[1, 1, 1])
    with pytest.raises(
        InvalidInputError, match=r"`weights` must be non-negative; got -1.0 at index 1"
    ):
        cx.nps([1, 2], weights=[1, -1])
    with pytest.raises(
        InvalidInputError, match=r"`weights` must be finite; got nan at index 0"
    ):
        cx.nps([1, 2], weights=[np.nan, 1])
    with pytest.raises(
        InvalidInputError, match=r"squares stay finite; got 1e-300 at index 1"
    ):
        cx.nps([1, 2], weights=[1, 1e-300])
    with pytest.raises(InvalidInputError, match="rescale"):
        cx.nps([1, 2], weights=[1e200, 1])
    with pytest.raises(InvalidInputTypeError, match="`weights` must be numeric"):
        cx.nps([1, 2], weights=["a", "b"])


def test_bad_groups():
    with pytest.raises(
        InvalidInputError,
        match=r"`by` must have the same length as `responses` \(2\); got 1",
    ):
        cx.nps([1, 2], by=["a"])
    with pytest.raises(
        MissingValueError,
        match=r"`by` contains 1 missing key\(s\), the first at index 1",
    ):
        cx.nps([1, 2], by=["a", None])
    with pytest.raises(MissingValueError, match="missing key"):
        cx.nps([1, 2], by=[1.0, np.nan])
    with pytest.raises(InvalidInputTypeError, match="one comparable type"):
        cx.nps([1, 2], by=np.array(["a", 1], dtype=object))
    with pytest.raises(InvalidInputError, match="`levels` must be unique"):
        cx.nps([1, 2], by=["a", "b"], levels=["a", "a", "b"])


def test_bad_option():
    with pytest.raises(
        InvalidInputError,
        match=r"`nan_policy` must be one of \('raise', 'omit'\); got 'drop'",
    ):
        cx.nps([1], nan_policy="drop")  # type: ignore[call-overload]
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        cx.nps([1]).confidence_interval(method="exact")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError, match="`confidence_level` must lie strictly between 0 and 1"
    ):
        cx.nps([1]).confidence_interval(1.0)


def test_empty_input_warns_and_gives_nan():
    with pytest.warns(
        UndefinedMetricWarning, match="NPS is undefined for zero responses"
    ):
        res = cx.nps([])
    assert math.isnan(res.value)
    assert res.n == 0
    assert math.isnan(res.standard_error)
    low, high = res.confidence_interval()
    assert math.isnan(low)
    assert math.isnan(high)
    with pytest.warns(UndefinedMetricWarning):
        res = cx.nps([1, 2], weights=[0.0, 0.0])
    assert math.isnan(res.value)


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_input_never_mutated():
    x = np.array([10.0, np.nan, 3.0])
    w = np.array([1.0, 2.0, 3.0])
    g = np.array(["a", "b", "a"])
    copies = (x.copy(), w.copy(), g.copy())
    cx.nps(x, weights=w, by=g, nan_policy="omit")
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(w, copies[1])
    np.testing.assert_array_equal(g, copies[2])


def test_int8_input_is_not_widened():
    # the validated array handed to the kernel is the caller's int8 array itself
    from cxmetrics._core.validation import integer_scale

    x = np.random.default_rng(0).integers(0, 11, 1000, dtype=np.int8)
    data = integer_scale(x, "responses", low=0, high=10, nan_policy="raise")
    assert data.values is x


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@given(
    st.lists(
        st.one_of(st.integers(-5, 15), st.floats(allow_nan=True), st.none()),
        max_size=20,
    ),
    st.sampled_from(["raise", "omit"]),
)
def test_arbitrary_input_gives_result_or_clear_error(values, nan_policy):
    arr = np.asarray(values, dtype=object)
    try:
        res = cx.nps(arr, nan_policy=nan_policy)
    except (ValueError, TypeError) as err:
        assert type(err).__module__ == "cxmetrics.exceptions"
        return
    assert res.n + res.n_missing == len(values)


@given(
    hnp.arrays(
        np.float64,
        st.integers(0, 30),
        elements=st.floats(allow_nan=True, allow_infinity=True),
    )
)
def test_arbitrary_floats(values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        try:
            res = cx.nps(values, nan_policy="omit")
        except ValueError as err:
            assert type(err).__module__ == "cxmetrics.exceptions"
            return
    assert res.n + res.n_missing == values.size


def test_large_int8_input_is_never_widened_in_full():
    # 4 MB of int8 answers and 8 MB of int16 keys: a full int64 copy of either would
    # take 32 MB; the chunked kernel keeps the extra memory to a few blocks
    import tracemalloc

    rng = np.random.default_rng(1)
    x = rng.integers(0, 11, 4_000_000, dtype=np.int8)
    g = rng.integers(0, 1000, 4_000_000, dtype=np.int16)
    tracemalloc.start()
    try:
        res = cx.nps(x, by=g)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.n.sum() == x.size
    assert peak < x.nbytes  # far below one int64 copy (8 x x.nbytes)


def test_min_n_applies_without_groups():
    res = cx.enps([9, 10, 3], min_n=5)
    assert res.flagged
    assert math.isnan(res.value)
    assert res.promoters == 0
    assert res.n == 3
    assert "fewer than min_n" in str(res)
    kept = cx.enps([9, 10, 3], min_n=5, small_groups="flag")
    assert kept.flagged
    assert kept.value == pytest.approx(100 / 3)
    assert not cx.nps([9, 10, 3], min_n=3).flagged


def test_mixed_key_types_are_refused():
    with pytest.raises(
        InvalidInputTypeError, match="mixes strings with other key types"
    ):
        cx.nps([1, 2], by=["a", 1])


def test_sum_of_states():
    parts = [cx.NPSState.from_responses(c) for c in ([10, 3], [9], [0, 7])]
    assert sum(parts) == cx.NPSState.from_responses([10, 3, 9, 0, 7])
    grouped = [
        cx.GroupedNPSState.from_responses([10, 3], ["a", "b"]),
        cx.GroupedNPSState.from_responses([9], ["a"]),
    ]
    assert sum(grouped) == cx.GroupedNPSState.from_responses(
        [10, 3, 9], ["a", "b", "a"]
    )


def test_bool_and_int_keys_do_not_merge():
    from cxmetrics.exceptions import IncompatibleStateError

    a = cx.GroupedNPSState.from_responses([10], [True])
    b = cx.GroupedNPSState.from_responses([10], [1])
    with pytest.raises(IncompatibleStateError):
        a + b


def test_empty_nps_str():
    with pytest.warns(UndefinedMetricWarning):
        assert str(cx.nps([])) == "NPS undefined (n=0)"


def test_threaded_kernel_equals_single_pass(monkeypatch):
    # large inputs are split across threads: the counts must not depend on the split
    from cxmetrics.survey import _kernel

    rng = np.random.default_rng(2)
    x = rng.integers(0, 11, 300_001, dtype=np.int8)
    g = rng.integers(0, 50, x.size, dtype=np.int16)
    w = rng.uniform(0.5, 2.0, x.size)
    single = cx.GroupedNPSState.from_responses(x, g, weights=w)
    monkeypatch.setattr(_kernel, "PARALLEL_MIN_ROWS", 1000)
    monkeypatch.setenv("CXMETRICS_NUM_THREADS", "3")  # three parts, whatever the cores
    split = cx.GroupedNPSState.from_responses(x, g, weights=w)
    np.testing.assert_array_equal(split.counts, single.counts)
    np.testing.assert_allclose(split.weight_sums, single.weight_sums, rtol=1e-12)
    assert cx.NPSState.from_responses(x) == cx.NPSState.from_responses(x)


def test_group_lookup_keeps_the_flag():
    res = cx.enps([9, 10, 3, 9, 9, 8, 7, 10], by=["hr"] * 3 + ["it"] * 5, min_n=5)
    assert res["hr"].flagged
    assert not res["it"].flagged
    assert str(res["hr"]) == "NPS undefined (fewer than min_n answers (n=3))"
