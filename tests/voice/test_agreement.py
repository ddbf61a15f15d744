"""Inter-rater agreement: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.exceptions import (
    CXMetricsError,
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)
from cxmetrics.voice import cohens_kappa, fleiss_kappa, krippendorff_alpha

NAN = math.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C:
# 4 observers (columns here, rows there) x 12 units, values 1-5, missing entries
KRIPPENDORFF_2011 = [
    [1, 1, NAN, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [NAN, 5, 5, 5],
    [NAN, NAN, 1, 1],
    [NAN, NAN, 3, NAN],
]
# the published values: nominal .743, ordinal .815, interval .849, ratio .797
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}

# Fleiss' kappa worked example (Wikipedia, "Fleiss' kappa"): 10 subjects, 14 raters,
# counts per category 1-5; kappa = 0.210
FLEISS_COUNTS = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)


def _expand(counts: np.ndarray) -> np.ndarray:
    """Counts per category -> one rating per rater (labels 1..k)."""
    return np.array(
        [np.repeat(np.arange(1, counts.shape[1] + 1), row) for row in counts]
    )


@pytest.mark.parametrize(("level", "expected"), PUBLISHED.items())
def test_krippendorff_published_example(level, expected):
    res = krippendorff_alpha(KRIPPENDORFF_2011, level=level, n_resamples=0)
    assert round(res.value, 3) == expected
    assert res.n == 11  # unit 12 has a single value: not pairable
    assert res.n_excluded == 1
    assert res.n_raters == 4


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_krippendorff_matches_the_krippendorff_package(level):
    krippendorff = pytest.importorskip("krippendorff")
    data = np.array(KRIPPENDORFF_2011, dtype=float)
    expected = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
    got = krippendorff_alpha(data, level=level, n_resamples=0).value
    assert got == pytest.approx(expected, rel=1e-12)


@given(
    st.integers(2, 5),
    st.integers(2, 12),
    st.integers(0, 2**32 - 1),
    st.sampled_from(list(PUBLISHED)),
)
def test_krippendorff_random_data_with_missing_matches_package(m, n, seed, level):
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 5, size=(n, m)).astype(float)
    data[rng.random((n, m)) < 0.25] = np.nan
    pairable = (np.isfinite(data).sum(axis=1) >= 2).sum()
    values = np.unique(data[np.isfinite(data)])
    if pairable == 0 or values.size < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the package's own 0/0
        expected = krippendorff.alpha(
            reliability_data=data.T, level_of_measurement=level
        )
    if not np.isfinite(expected):
        with pytest.warns(UndefinedMetricWarning):
            got = krippendorff_alpha(data, level=level, n_resamples=0).value
        assert np.isnan(got)
    else:
        got = krippendorff_alpha(data, level=level, n_resamples=0).value
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_cohens_kappa_matches_statsmodels_with_standard_error():
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    rng = np.random.default_rng(7)
    a = rng.integers(0, 4, 80)
    b = np.where(rng.random(80) < 0.6, a, rng.integers(0, 4, 80))
    table = np.zeros((4, 4))
    np.add.at(table, (a, b), 1)
    for weights, wt in (
        ("unweighted", None),
        ("linear", "linear"),
        ("quadratic", "quadratic"),
    ):
        ref = inter_rater.cohens_kappa(table, wt=wt)
        res = cohens_kappa(a, b, weighting=weights, n_resamples=0)
        assert res.value == pytest.approx(ref.kappa, rel=1e-12)
        assert res.standard_error == pytest.approx(ref.std_kappa, rel=1e-10)


def test_cohens_kappa_hand_computed():
    # table [[20, 5], [10, 15]]: p_o = 35/50 = 0.7; margins (25, 25) and (30, 20):
    # p_e = (25*30 + 25*20) / 2500 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    res = cohens_kappa(a, b, n_resamples=0)
    assert res.value == pytest.approx(0.4, abs=1e-15)
    assert res.observed == pytest.approx(0.7)
    assert res.expected == pytest.approx(0.5)


def test_weighted_kappa_uses_the_given_category_order():
    # alphabetical order would put "fair" < "good" < "poor"; the scale is poor < fair < good
    a = ["poor", "fair", "good", "good", "fair", "poor"]
    b = ["fair", "fair", "good", "fair", "poor", "poor"]
    order = ["poor", "fair", "good"]
    ordered = cohens_kappa(a, b, weighting="linear", categories=order, n_resamples=0)
    numeric = cohens_kappa(
        [order.index(v) for v in a],
        [order.index(v) for v in b],
        weighting="linear",
        n_resamples=0,
    )
    assert ordered.value == pytest.approx(numeric.value, rel=1e-14)
    alphabetical = cohens_kappa(a, b, weighting="linear", n_resamples=0)
    assert alphabetical.value != pytest.approx(numeric.value)


def test_fleiss_published_example():
    res = fleiss_kappa(_expand(FLEISS_COUNTS), n_resamples=0)
    assert round(res.value, 3) == 0.210
    assert res.n == 10
    assert res.n_raters == 14


def test_fleiss_worked_example_matches_statsmodels():
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    res = fleiss_kappa(_expand(FLEISS_COUNTS), n_resamples=0)
    assert res.value == pytest.approx(
        inter_rater.fleiss_kappa(FLEISS_COUNTS), rel=1e-12
    )


@given(st.integers(2, 6), st.integers(2, 15), st.integers(0, 2**32 - 1))
def test_fleiss_random_matches_statsmodels(m, n, seed):
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    rng = np.random.default_rng(seed)
    ratings = rng.integers(0, 3, size=(n, m))
    table, _ = inter_rater.aggregate_raters(ratings)
    if np.unique(ratings).size < 2:
        return
    expected = inter_rater.fleiss_kappa(table)
    assert fleiss_kappa(ratings, n_resamples=0).value == pytest.approx(
        expected, rel=1e-9
    )


@given(
    st.lists(st.integers(0, 4), min_size=2, max_size=30).filter(
        lambda v: len(set(v)) > 1
    ),
    st.integers(2, 4),
)
def test_identical_raters_agree_perfectly(labels, m):
    ratings = np.column_stack([labels] * m)
    assert fleiss_kappa(ratings, n_resamples=0).value == pytest.approx(1.0)
    for level in PUBLISHED:
        assert krippendorff_alpha(
            ratings, level=level, n_resamples=0
        ).value == pytest.approx(1.0)
    assert cohens_kappa(labels, labels, n_resamples=0).value == pytest.approx(1.0)


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
        min_size=3,
        max_size=25,
    ),
    st.permutations(["a", "b", "c", "d"]),
)
def test_nominal_agreement_is_invariant_to_relabelling(rows, names):
    ratings = np.array(rows)
    if np.unique(ratings).size < 2:
        return
    relabelled = np.array(names)[ratings]
    for fn in (
        lambda r: fleiss_kappa(r, n_resamples=0).value,
        lambda r: krippendorff_alpha(r, n_resamples=0).value,
        lambda r: cohens_kappa(r[:, 0], r[:, 1], n_resamples=0).value,
    ):
        try:
            x = fn(ratings)
        except UndefinedMetricWarning:
            continue
        y = fn(relabelled)
        assert (np.isnan(x) and np.isnan(y)) or x == pytest.approx(
            y, rel=1e-12, abs=1e-12
        )


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=30)
)
def test_kappa_and_alpha_are_at_most_one(rows):
    r = np.array(rows)
    for v in (
        cohens_kappa(r[:, 0], r[:, 1], n_resamples=0).value,
        fleiss_kappa(r, n_resamples=0).value,
        krippendorff_alpha(r, n_resamples=0).value,
    ):
        assert np.isnan(v) or v <= 1 + 1e-12


def test_bootstrap_interval_is_reproducible_and_brackets_the_estimate():
    rng = np.random.default_rng(3)
    truth = rng.integers(1, 6, 60)
    ratings = np.column_stack(
        [np.clip(truth + rng.integers(-1, 2, 60), 1, 5) for _ in range(3)]
    ).astype(float)
    ratings[rng.random(ratings.shape) < 0.1] = np.nan
    a = krippendorff_alpha(ratings, level="interval", n_resamples=500, rng=1)
    b = krippendorff_alpha(ratings, level="interval", n_resamples=500, rng=1)
    assert a == b
    lo, hi = a.confidence_interval()
    assert lo < a.value < hi
    assert a.replicates.shape == (500,)
    assert not a.replicates.flags.writeable
    assert a.standard_error > 0
    lo90, hi90 = a.confidence_interval(0.9)
    assert lo <= lo90 <= hi90 <= hi


def test_real_shaped_export_with_blank_and_none():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "reviewer_1": ["Pass", "Fail", "Pass", None, "Pass", "Fail"],
            "reviewer_2": ["Pass", "Fail", "Fail", "Pass", "", "Fail"],
            "reviewer_3": ["Pass", "Pass", "Fail", "Pass", "Pass", pd.NA],
        },
        index=["call-001", "call-002", "call-003", "call-004", "call-005", "call-006"],
    )
    res = krippendorff_alpha(frame, n_resamples=0)
    codes = frame.replace({"": None}).map(
        lambda v: {"Pass": 1.0, "Fail": 0.0}.get(v, np.nan)
    )
    numeric = krippendorff_alpha(codes.to_numpy(dtype=float), n_resamples=0)
    assert res.value == pytest.approx(numeric.value)
    assert res.n == 6
    with pytest.raises(InvalidInputError, match=r"missing rating at unit 3, rater 0"):
        fleiss_kappa(frame)
    omitted = fleiss_kappa(frame, nan_policy="omit", n_resamples=0)
    assert omitted.n == 3
    assert omitted.n_excluded == 3


def test_errors_name_argument_value_and_place():
    with pytest.raises(InvalidInputError, match="at least 2 raters"):
        krippendorff_alpha([[1], [2]])
    with pytest.raises(InvalidInputError, match="must be 2-D"):
        fleiss_kappa([1, 2, 3])
    with pytest.raises(InvalidInputError, match=r"holds 'meh' at unit 1, rater 0"):
        cohens_kappa(["good", "meh"], ["good", "bad"], categories=["bad", "good"])
    with pytest.raises(InvalidInputTypeError, match="mixes kinds of labels"):
        fleiss_kappa(np.array([["a", 1], [2, "b"]], dtype=object))
    with pytest.raises(InvalidInputError, match="same length"):
        cohens_kappa([1, 2], [1, 2, 3])
    with pytest.raises(InvalidInputError, match="`level` must be one of"):
        krippendorff_alpha([[1, 2]], level="nominal ")
    with pytest.raises(InvalidInputError, match="`weighting` must be one of"):
        cohens_kappa([1, 2], [1, 2], weighting="square")
    with pytest.raises(InvalidInputTypeError, match="must be numeric for interval"):
        krippendorff_alpha([["a", "b"], ["b", "b"]], level="interval")
    with pytest.raises(InvalidInputError, match="ratio data must be non-negative"):
        krippendorff_alpha([[-1, 2], [2, 2]], level="ratio")
    with pytest.raises(InvalidInputError, match="n_resamples"):
        fleiss_kappa([[1, 2], [2, 2]], n_resamples=-1)
    with pytest.raises(InvalidInputError, match="no bootstrap replicates"):
        cohens_kappa([1, 2, 1], [1, 2, 2], n_resamples=0).confidence_interval(
            method="percentile"
        )


def test_undefined_agreement_warns_and_returns_nan():
    with pytest.warns(UndefinedMetricWarning, match="one category"):
        res = fleiss_kappa([["ok", "ok"], ["ok", "ok"]])
    assert math.isnan(res.value)
    with pytest.warns(UndefinedMetricWarning, match="one category"):
        assert math.isnan(cohens_kappa([1, 1], [1, 1]).value)
    with pytest.warns(UndefinedMetricWarning, match="two raters or more"):
        res = krippendorff_alpha([[1, NAN], [NAN, 2], [NAN, NAN]])
    assert math.isnan(res.value)
    assert res.n_excluded == 3


def test_result_is_frozen():
    res = cohens_kappa([1, 2, 1], [1, 2, 2], n_resamples=10)
    with pytest.raises(AttributeError):
        res.value = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        res.replicates[0] = 0.0


_cell = st.one_of(
    st.none(),
    st.integers(-3, 6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["pass", "fail", "", " ", "N/A"]),
)


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@settings(max_examples=100)
@given(
    st.lists(st.lists(_cell, min_size=1, max_size=4), min_size=1, max_size=8).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    ),
    st.sampled_from(list(PUBLISHED)),
)
def test_arbitrary_ratings_give_a_result_or_a_cxmetrics_error(rows, level):
    data = np.array(rows, dtype=object)
    for fn in (
        lambda: krippendorff_alpha(data, level=level, n_resamples=5),
        lambda: fleiss_kappa(data, nan_policy="omit", n_resamples=5),
        lambda: cohens_kappa(data[:, 0], data[:, -1], nan_policy="omit", n_resamples=5),
    ):
        try:
            res = fn()
        except CXMetricsError:
            continue
        assert np.isnan(res.value) or -1 - 1e-9 <= res.value <= 1 + 1e-9


def test_normal_interval_without_standard_error_is_nan_not_the_whole_range():
    # regression: max(-1, nan) gave the interval [-1, 1]
    res = fleiss_kappa([[1, 2], [2, 2], [1, 1]], n_resamples=0)
    assert math.isnan(res.standard_error)
    lo, hi = res.confidence_interval()
    assert math.isnan(lo)
    assert math.isnan(hi)


def test_kappa_near_total_agreement_on_a_wide_scale_is_a_number_not_nan():
    # 1001 ordered categories, quadratic weights, 2,000,000 units: rater A always
    # says 0 and rater B too except once (1). The chance disagreement is
    # 1 * (1/2e6) * (1/1000)^2 = 5e-13 and so is the observed one: kappa is 0 and
    # defined; a cut-off of 1 - p_e at 1e-12 would report NaN with a warning that
    # every rating falls in one category, which is false.
    n = 2_000_000
    a = np.zeros(n, dtype=np.int64)
    b = a.copy()
    b[123] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = cohens_kappa(
            a, b, categories=range(1001), weighting="quadratic", n_resamples=0
        )
    assert res.value == pytest.approx(0.0, abs=1e-12)
    assert res.n == n
    # the same agreement with a single disagreement on the unweighted scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = cohens_kappa(a, b, n_resamples=0)
    assert plain.value == pytest.approx(0.0, abs=1e-12)


def test_kappa_near_total_agreement_matches_statsmodels_and_exact_fractions():
    from fractions import Fraction

    # 10,000 units on a 5-point scale, all 3 but for a handful of 2s, 4s and a 1:
    # p_e is within 2e-3 of 1; kappa in exact rational arithmetic is 1 - q_o/q_e
    a = np.full(10_000, 3)
    b = a.copy()
    a[:5], a[5:10] = 2, 4
    b[:3], b[10:14], b[20] = 2, 4, 1
    table = np.zeros((5, 5), dtype=np.int64)
    np.add.at(table, (a - 1, b - 1), 1)
    n = int(table.sum())
    rows, cols = table.sum(axis=1).tolist(), table.sum(axis=0).tolist()
    for weighting, power in (("linear", 1), ("quadratic", 2)):
        q = [[Fraction(abs(i - j), 4) ** power for j in range(5)] for i in range(5)]
        q_o = sum(
            Fraction(int(table[i, j]), n) * q[i][j] for i in range(5) for j in range(5)
        )
        q_e = sum(
            Fraction(rows[i] * cols[j], n * n) * q[i][j]
            for i in range(5)
            for j in range(5)
        )
        res = cohens_kappa(
            a, b, categories=[1, 2, 3, 4, 5], weighting=weighting, n_resamples=0
        )
        assert res.value == pytest.approx(float(1 - q_o / q_e), rel=1e-14)
        inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
        ref = inter_rater.cohens_kappa(table.astype(float), wt=weighting)
        assert res.value == pytest.approx(ref.kappa, rel=1e-12)
        assert res.standard_error == pytest.approx(ref.std_kappa, rel=1e-9)


@pytest.mark.parametrize(
    "stamp",
    [
        np.datetime64("2026-03-02"),
        np.timedelta64(5, "m"),
    ],
)
def test_dates_and_durations_are_not_ratings(stamp):
    import datetime as dt

    typed = np.array([stamp, stamp, stamp])
    # typed arrays, and the same values as Python objects (an object column)
    objects = np.array(
        [dt.date(2026, 3, 2), dt.datetime(2026, 3, 2, 9, 30), dt.timedelta(minutes=5)],
        dtype=object,
    )
    with pytest.raises(
        InvalidInputTypeError, match=r"`rater_a`/`rater_b` must hold labels"
    ):
        cohens_kappa(typed, typed)
    with pytest.raises(
        InvalidInputTypeError,
        match=r"got datetime\.date\(2026, 3, 2\) at unit 0, rater 0",
    ):
        cohens_kappa(objects, objects)
    with pytest.raises(InvalidInputTypeError, match=r"at unit 2, rater 1"):
        cohens_kappa(
            ["a", "b", "c"], np.array(["a", "b", dt.timedelta(1)], dtype=object)
        )
    with pytest.raises(InvalidInputTypeError, match=r"`ratings` must hold labels"):
        fleiss_kappa(np.stack([objects, objects], axis=1))
    with pytest.raises(InvalidInputTypeError, match=r"`ratings` must hold labels"):
        krippendorff_alpha(np.stack([typed, typed], axis=1))


@given(
    rows=st.lists(
        st.lists(st.one_of(st.integers(-9, 9), st.just(NAN)), min_size=3, max_size=3),
        min_size=2,
        max_size=10,
    ),
    power=st.integers(-300, 300),
)
@settings(max_examples=60)
def test_interval_alpha_does_not_depend_on_the_unit(rows, power):
    # alpha on an interval scale is unit-free: values times 10**power give the
    # same alpha (squared differences would overflow or underflow unscaled)
    data = np.asarray(rows, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        base = krippendorff_alpha(data, level="interval", n_resamples=0).value
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow, no underflow
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        scaled = krippendorff_alpha(data * 10.0**power, level="interval", n_resamples=0)
    if math.isnan(base):
        assert math.isnan(scaled.value)
    else:
        assert scaled.value == pytest.approx(base, rel=1e-12, abs=1e-12)
