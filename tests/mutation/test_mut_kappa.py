"""Cohen's and Fleiss' kappa: front doors, bootstraps and warnings (issue #21).

Each result field is checked on a result with units (not only on the zero-unit
one), the replicates of both bootstraps are recomputed one by one with
statsmodels from the resampled units (the same seeded draws), the Fleiss
bootstrap also over more than one block of resamples, and every warning is
checked for its text and for pointing at the caller.
"""

from __future__ import annotations

import math
import sys
import warnings
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.typing import KappaWeighting
from cxmetrics.voice import cohens_kappa, fleiss_kappa
from cxmetrics.voice._inputs import _BLOCK

inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")


def _at_caller(filename: str) -> bool:
    """A warning points at the caller: this file (under mutmut, whose trampoline
    calls the library in the test's place, that trampoline)."""
    if "mutmut" in sys.modules:
        return filename == __file__ or filename.endswith("trampoline.py")
    return filename == __file__


def _exact_kappa(pairs: list[tuple[int, int]], k: int, power: int | None) -> float:
    """Weighted kappa 1 - q_o/q_e in exact fractions; categories 0..k-1."""
    n = len(pairs)

    def q(i: int, j: int) -> Fraction:
        if power is None:
            return Fraction(int(i != j))
        return Fraction(abs(i - j), k - 1) ** power

    rows = [sum(1 for a, _ in pairs if a == i) for i in range(k)]
    cols = [sum(1 for _, b in pairs if b == j) for j in range(k)]
    q_o = sum((q(a, b) for a, b in pairs), Fraction(0)) / n
    q_e = sum(
        (
            Fraction(rows[i] * cols[j], n * n) * q(i, j)
            for i in range(k)
            for j in range(k)
        ),
        Fraction(0),
    )
    return float(1 - q_o / q_e)


# --- Cohen's kappa: the result's fields, the bootstrap, the warnings -------------

# units 3 and 4 miss a rating; the six complete pairs on the scale low < mid < high
RATER_A: list[Any] = ["low", "mid", "high", None, "mid", "high", "low", "high"]
RATER_B: list[Any] = ["low", "high", "high", "mid", None, "high", "mid", "high"]
SCALE = ["low", "mid", "high"]
PAIRS = [(0, 0), (1, 2), (2, 2), (2, 2), (0, 1), (2, 2)]


@pytest.mark.parametrize(
    ("weighting", "power", "wt"),
    [
        ("unweighted", None, None),
        ("linear", 1, "linear"),
        ("quadratic", 2, "quadratic"),
    ],
)
def test_cohens_kappa_fields_with_omitted_units(
    weighting: KappaWeighting, power: int | None, wt: str | None
) -> None:
    res = cohens_kappa(
        RATER_A,
        RATER_B,
        weighting=weighting,
        categories=SCALE,
        nan_policy="omit",
        n_resamples=50,
        confidence_level=0.9,
        rng=1,
    )
    table = np.zeros((3, 3))
    for i, j in PAIRS:
        table[i, j] += 1
    ref = inter_rater.cohens_kappa(table, wt=wt)
    assert res.value == pytest.approx(_exact_kappa(PAIRS, 3, power), rel=1e-14)
    assert res.value == pytest.approx(ref.kappa, rel=1e-12)
    assert res.standard_error == pytest.approx(ref.std_kappa, rel=1e-10)
    assert res.statistic == "cohens_kappa"
    assert res.level == weighting
    assert (res.n, res.n_raters, res.n_categories, res.n_excluded) == (6, 2, 3, 2)
    assert res.confidence_level == 0.9
    assert res.replicates.shape == (50,)
    assert repr(res).startswith(f"cohens_kappa ({weighting}) ")
    assert "(90% CI " in repr(res)
    assert repr(res).endswith("; n=6 units, 2 raters)")
    # the alphabetical order (high < low < mid) is another scale for weighted kappa
    alpha = cohens_kappa(
        RATER_A,
        RATER_B,
        weighting=weighting,
        nan_policy="omit",
        n_resamples=0,
    )
    relabel = {0: 1, 1: 2, 2: 0}
    moved = [(relabel[a], relabel[b]) for a, b in PAIRS]
    assert alpha.value == pytest.approx(_exact_kappa(moved, 3, power), rel=1e-14)


def test_cohens_kappa_unused_category_in_the_scale_matches_statsmodels() -> None:
    # "mid" between "low" and "high" changes linear weights though nobody used it
    a = ["low", "high", "high", "low", "high", "low", "high"]
    b = ["low", "high", "low", "low", "high", "high", "high"]
    res = cohens_kappa(a, b, weighting="linear", categories=SCALE, n_resamples=0)
    table = np.array([[2.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 3.0]])
    ref = inter_rater.cohens_kappa(table, wt="linear")
    assert res.n_categories == 3
    assert res.value == pytest.approx(ref.kappa, rel=1e-12)
    assert res.standard_error == pytest.approx(ref.std_kappa, rel=1e-10)


def _cohen_table(a: list[int], b: list[int], k: int) -> NDArray[np.float64]:
    table = np.zeros((k, k))
    for i, j in zip(a, b, strict=True):
        table[i, j] += 1
    return table


COHEN_A = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0, 1, 2, 2, 0, 1, 1, 0, 2] * 2
COHEN_B = [0, 1, 2, 1, 1, 0, 1, 2, 2, 1, 2, 0, 0, 2, 1, 0, 1, 2, 0, 2] * 2


@pytest.mark.parametrize(
    ("weighting", "wt"), [("unweighted", None), ("quadratic", "quadratic")]
)
def test_cohens_bootstrap_replicates_are_kappas_of_the_seeded_draws(
    weighting: KappaWeighting, wt: str | None
) -> None:
    # the units are resampled as a multinomial draw of the cross table's cells
    table = _cohen_table(COHEN_A, COHEN_B, 3)
    n = int(table.sum())
    res = cohens_kappa(COHEN_A, COHEN_B, weighting=weighting, n_resamples=40, rng=11)
    draws = np.random.default_rng(11).multinomial(n, table.ravel() / n, size=40)
    expected = [
        inter_rater.cohens_kappa(d.reshape(3, 3).astype(float), wt=wt).kappa
        for d in draws
    ]
    assert np.isfinite(expected).all()
    np.testing.assert_allclose(res.replicates, expected, rtol=1e-12)
    # a generator gives the same replicates as its seed; no seed means seed 0
    same = cohens_kappa(
        COHEN_A,
        COHEN_B,
        weighting=weighting,
        n_resamples=40,
        rng=np.random.default_rng(11),
    )
    np.testing.assert_array_equal(same.replicates, res.replicates)
    default = cohens_kappa(COHEN_A, COHEN_B, weighting=weighting, n_resamples=40)
    zero = cohens_kappa(COHEN_A, COHEN_B, weighting=weighting, n_resamples=40, rng=0)
    np.testing.assert_array_equal(default.replicates, zero.replicates)
    # another seed, other replicates (the same point estimate and standard error)
    other = cohens_kappa(COHEN_A, COHEN_B, weighting=weighting, n_resamples=40, rng=12)
    assert not np.array_equal(other.replicates, res.replicates)
    assert (other.value, other.standard_error) == (res.value, res.standard_error)


def test_cohens_bootstrap_undefined_resamples_are_nan_without_numpy_warnings() -> None:
    # 2 units agreeing on "a" of 3: a draw of only (a, a) cells is undefined (0/0)
    a = ["a", "a", "b"]
    b = ["a", "a", "b"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = cohens_kappa(a, b, n_resamples=200, rng=5)
    assert np.isnan(res.replicates).any()
    finite = res.replicates[np.isfinite(res.replicates)]
    # every defined resample still has perfect agreement
    np.testing.assert_allclose(finite, 1.0, rtol=1e-14)


def test_cohens_kappa_warnings_point_at_the_caller() -> None:
    with pytest.warns(UndefinedMetricWarning) as rec:
        zero = cohens_kappa(
            np.array([None, 1], dtype=object),
            np.array([2, None], dtype=object),
            nan_policy="omit",
        )
    assert [str(w.message) for w in rec] == [
        "Cohen's kappa is undefined for zero units; returning NaN."
    ]
    assert _at_caller(rec[0].filename)
    assert zero.n_excluded == 2
    with pytest.warns(UndefinedMetricWarning) as rec:
        one = cohens_kappa(
            np.array(["ok", "ok", None], dtype=object),
            ["ok", "ok", "ok"],
            nan_policy="omit",
        )
    assert [str(w.message) for w in rec] == [
        (
            "Cohen's kappa is undefined when every rating falls in one category "
            "(no chance disagreement); returning NaN."
        )
    ]
    assert _at_caller(rec[0].filename)
    assert math.isnan(one.value)
    assert (one.n, one.n_excluded, one.statistic) == (2, 1, "cohens_kappa")


@pytest.mark.parametrize(
    ("a", "b", "categories", "message"),
    [
        (
            ["a", "b"],
            ["b", "b"],
            [1, 2],
            (
                "`rater_a`/`rater_b` holds 'a' at unit 0, rater 0, which is not one of "
                "`categories` [1, 2] (4 such rating(s)); add it to `categories`."
            ),
        ),
        (
            [2, 1],
            [1, 1],
            ["a", "b"],
            (
                "`rater_a`/`rater_b` holds 2 at unit 0, rater 0, which is not one of "
                "`categories` ['a', 'b'] (4 such rating(s)); add it to `categories`."
            ),
        ),
    ],
)
def test_cohens_kappa_labels_of_another_kind_than_the_categories(
    a: list[Any], b: list[Any], categories: list[Any], message: str
) -> None:
    with pytest.raises(InvalidInputError) as err:
        cohens_kappa(a, b, categories=categories)
    assert type(err.value) is InvalidInputError
    assert str(err.value) == message


# --- Fleiss' kappa ---------------------------------------------------------------

FLEISS_DATA: list[list[Any]] = [
    ["billing", "billing", "tech"],
    ["tech", "tech", "tech"],
    ["other", "tech", "other"],
    ["billing", "billing", "billing"],
    ["tech", "other", "billing"],
    ["other", "other", "other"],
    ["billing", "tech", "tech"],
    ["tech", "tech", "billing"],
]


def _resampled_fleiss(
    table: NDArray[np.int64], draws: NDArray[np.int64]
) -> list[float]:
    """statsmodels' Fleiss kappa of each resample (units repeated as drawn)."""
    out = []
    for d in draws:
        sample = np.repeat(table, d, axis=0)
        if (sample.sum(axis=0) > 0).sum() < 2:
            out.append(math.nan)
        else:
            out.append(float(inter_rater.fleiss_kappa(sample)))
    return out


def test_fleiss_fields_and_bootstrap_replicates_of_the_seeded_draws() -> None:
    data: list[list[Any]] = [*FLEISS_DATA, ["tech", None, "tech"]]
    res = fleiss_kappa(
        data, nan_policy="omit", n_resamples=60, confidence_level=0.8, rng=3
    )
    table, _ = inter_rater.aggregate_raters(np.array(FLEISS_DATA))
    assert res.value == pytest.approx(inter_rater.fleiss_kappa(table), rel=1e-12)
    assert res.statistic == "fleiss_kappa"
    assert res.level == "nominal"
    assert (res.n, res.n_raters, res.n_categories, res.n_excluded) == (8, 3, 3, 1)
    assert res.confidence_level == 0.8
    assert "(80% CI " in repr(res)
    # each replicate is Fleiss' kappa of a resample of the 8 units
    n = len(FLEISS_DATA)
    draws = np.random.default_rng(3).multinomial(n, np.full(n, 1 / n), size=60)
    expected = _resampled_fleiss(table, draws)
    np.testing.assert_allclose(res.replicates, expected, rtol=1e-12)
    assert res.standard_error == pytest.approx(np.nanstd(expected, ddof=1), rel=1e-12)
    other = fleiss_kappa(data, nan_policy="omit", n_resamples=60, rng=4)
    assert not np.array_equal(other.replicates, res.replicates, equal_nan=True)
    with pytest.raises(ValueError, match="read-only"):
        res.replicates[0] = 0.0
    with pytest.raises(AttributeError):
        res.standard_error = 0.0  # type: ignore[misc]


def test_fleiss_bootstrap_over_several_blocks() -> None:
    # 2100 units x 1000 resamples is more unit counts than one block holds
    n_units, n_resamples = 2100, 1000
    assert n_units * n_resamples > _BLOCK
    labels = np.arange(n_units) % 3
    # identical raters: every resample (three categories in it) has kappa 1
    same = fleiss_kappa(np.column_stack([labels] * 3), n_resamples=n_resamples, rng=4)
    assert same.replicates.shape == (n_resamples,)
    np.testing.assert_allclose(same.replicates, 1.0, rtol=1e-12)
    assert same.standard_error == pytest.approx(0.0, abs=1e-12)
    # a third rater who always says the next category: the replicates scatter
    # around kappa = (1/3 - 1/3)/(2/3) = 0, the last block's as the first's
    noisy = np.column_stack([labels, labels, (labels + 1) % 3])
    res = fleiss_kappa(noisy, n_resamples=n_resamples, rng=4)
    assert res.value == pytest.approx(0.0, abs=1e-12)
    assert res.replicates.shape == (n_resamples,)
    assert np.isfinite(res.replicates).all()
    assert np.unique(res.replicates).size > n_resamples // 2
    assert abs(float(np.mean(res.replicates[-2:]))) < 5 * res.standard_error
    assert 0.0 < res.standard_error < 0.05


def test_fleiss_standard_error_needs_two_defined_replicates() -> None:
    # every unit has both categories: every resample is defined
    data = [[1, 1, 2], [1, 2, 2], [1, 2, 1], [2, 2, 1], [2, 1, 2], [1, 1, 2]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one = fleiss_kappa(data, n_resamples=1, rng=8)
    assert one.replicates.shape == (1,)
    assert np.isfinite(one.replicates).all()
    assert math.isnan(one.standard_error)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        two = fleiss_kappa(data, n_resamples=2, rng=8)
    r1, r2 = two.replicates
    assert r1 != r2
    assert two.standard_error == pytest.approx(abs(r1 - r2) / math.sqrt(2), rel=1e-12)
    # P_i = 1/3 for each unit; a resample with d units of counts (2, 1) and
    # 6 - d of (1, 2) has p_1 = (6 + d)/18, so kappa = (1/3 - p_e)/(1 - p_e)
    table, _ = inter_rater.aggregate_raters(np.array(data))
    draws = np.random.default_rng(8).multinomial(6, np.full(6, 1 / 6), size=2)
    np.testing.assert_allclose(
        two.replicates, _resampled_fleiss(table, draws), rtol=1e-12
    )


def test_fleiss_standard_error_is_nan_with_one_defined_replicate() -> None:
    # 4 units, 3 agreeing on "a": some resamples hold only "a" (undefined)
    data = [["a", "a"], ["a", "a"], ["a", "a"], ["b", "b"]]
    table, _ = inter_rater.aggregate_raters(np.array(data))
    seed = next(
        s
        for s in range(1000)
        if np.isfinite(
            _resampled_fleiss(
                table, np.random.default_rng(s).multinomial(4, np.full(4, 0.25), size=2)
            )
        ).sum()
        == 1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fleiss_kappa(data, n_resamples=2, rng=seed)
    assert np.isfinite(res.replicates).sum() == 1
    assert math.isnan(res.standard_error)


def test_fleiss_kappa_warnings_point_at_the_caller() -> None:
    with pytest.warns(UndefinedMetricWarning) as rec:
        zero = fleiss_kappa(
            np.array([[None, "a"], ["b", None]], dtype=object), nan_policy="omit"
        )
    assert [str(w.message) for w in rec] == [
        "Fleiss' kappa is undefined for zero units; returning NaN."
    ]
    assert _at_caller(rec[0].filename)
    assert (zero.n, zero.n_excluded) == (0, 2)
    with pytest.warns(UndefinedMetricWarning) as rec:
        one = fleiss_kappa([["a", "a"], ["a", "a"]])
    assert [str(w.message) for w in rec] == [
        (
            "Fleiss' kappa is undefined when every rating falls in one category "
            "(no chance disagreement); returning NaN."
        )
    ]
    assert _at_caller(rec[0].filename)
    assert math.isnan(one.value)
    assert math.isnan(one.standard_error)
    assert one.replicates.size == 0
