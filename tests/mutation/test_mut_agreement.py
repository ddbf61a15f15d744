"""Weighted kappa's observed and expected agreement, by hand (issue #21).

Kappa itself does not change when every disagreement weight is scaled by one
factor, so a wrong normalisation of the weights (``|i - j| * (k - 1)`` or
``/ (k + 1)`` for ``/ (k - 1)``) leaves ``value`` and the standard error as they
were: only ``observed`` (p_o) and ``expected`` (p_e) show it. Hand-computed for
the docstring's six calls on a 1-3 scale. Also the front door's messages (each
naming its argument) and the result for zero units.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)
from cxmetrics.voice import cohens_kappa, fleiss_kappa

A = [1, 1, 2, 2, 3, 3]
B = [1, 1, 2, 3, 3, 3]


def test_linear_weights_by_hand():
    # cells (1,1) x2, (2,2), (2,3), (3,3) x2 of 6; weights 1 - |i-j|/2 = 1, .5, 0
    # p_o = (2 + 1 + 0.5 + 2)/6 = 11/12; margins (1/3, 1/3, 1/3) and (2, 1, 3)/6;
    # p_e = (1/3)(2/6 * 1.5 + 1/6 * 2 + 3/6 * 1.5) = 9.5/18; kappa = (7/18)/(8.5/18)
    res = cohens_kappa(A, B, weighting="linear", n_resamples=0)
    assert res.observed == pytest.approx(11 / 12, rel=1e-14)
    assert res.expected == pytest.approx(9.5 / 18, rel=1e-14)
    assert res.value == pytest.approx(14 / 17, rel=1e-14)


def test_quadratic_weights_by_hand():
    # weights 1 - (i-j)^2/4 = 1, .75, 0: p_o = 5.75/6; column sums of the weights
    # 1.75, 2.5, 1.75: p_e = (1/3)(2 * 1.75 + 2.5 + 3 * 1.75)/6 = 0.625
    res = cohens_kappa(A, B, weighting="quadratic", n_resamples=0)
    assert res.observed == pytest.approx(5.75 / 6, rel=1e-14)
    assert res.expected == pytest.approx(0.625, rel=1e-14)
    assert res.value == pytest.approx(8 / 9, rel=1e-14)


def test_weighted_kappa_of_a_single_category_is_undefined_without_numpy_warnings():
    # one category: the weights are the 1 x 1 identity (no division by k - 1 = 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.warns(UndefinedMetricWarning):
            res = cohens_kappa(["a", "a"], ["a", "a"], weighting="linear")
    assert np.isnan(res.value)


@pytest.mark.parametrize(
    ("a", "b", "error", "message"),
    [
        (
            [[1, 2]],
            [1, 2],
            InvalidInputError,
            "`rater_a` and `rater_b` must be 1-D; got shapes (1, 2) and (2,).",
        ),
        (
            [1, 2],
            [[1, 2]],
            InvalidInputError,
            "`rater_a` and `rater_b` must be 1-D; got shapes (2,) and (1, 2).",
        ),
        (
            [[1], [1, 2]],
            [1, 2],
            InvalidInputTypeError,
            "`rater_a` must be a number or a rectangular array of numbers; got a ragged or nested sequence ([[1], [1, 2]]).",
        ),
        (
            [1, 2],
            [[1], [1, 2]],
            InvalidInputTypeError,
            "`rater_b` must be a number or a rectangular array of numbers; got a ragged or nested sequence ([[1], [1, 2]]).",
        ),
        (
            [1, 2, 1, 2],
            ["1", "2", "1", "2"],
            InvalidInputTypeError,
            "`rater_a`/`rater_b` mixes kinds of labels (int, str); use one kind (all text or all numbers).",
        ),
        (
            [1, None],
            [1, 1],
            InvalidInputError,
            "`rater_a`/`rater_b` has a missing rating at unit 1, rater 0 (1 unit(s) with missing ratings); pass nan_policy='omit' to leave those units out, or use krippendorff_alpha, which allows missing ratings.",
        ),
    ],
)
def test_cohens_kappa_errors_name_the_argument(a, b, error, message):
    with pytest.raises(error) as err:
        cohens_kappa(a, b)
    assert str(err.value) == message


def test_cohens_kappa_option_and_category_errors():
    with pytest.raises(InvalidInputError) as err:
        cohens_kappa([1], [1], nan_policy="drop")  # type: ignore[arg-type]
    assert (
        str(err.value) == "`nan_policy` must be one of ('raise', 'omit'); got 'drop'."
    )
    with pytest.raises(InvalidInputError) as err:
        cohens_kappa([1, 3], [1, 1], categories=[1, 2])
    assert str(err.value) == (
        "`rater_a`/`rater_b` holds 3 at unit 1, rater 0, which is not one of `categories` "
        "[1, 2] (1 such rating(s)); add it to `categories`."
    )


def test_cohens_kappa_of_zero_units():
    with pytest.warns(UndefinedMetricWarning) as rec:
        res = cohens_kappa(
            [None], [None], nan_policy="omit", weighting="linear", confidence_level=0.9
        )
    assert [str(w.message) for w in rec] == [
        "Cohen's kappa is undefined for zero units; returning NaN."
    ]
    assert Path(rec[0].filename).name != "_kappa.py"
    assert np.isnan(res.value)
    assert (res.n, res.n_raters, res.n_categories, res.n_excluded) == (0, 2, 0, 1)
    assert (res.statistic, res.level, res.confidence_level) == (
        "cohens_kappa",
        "linear",
        0.9,
    )
    assert np.isnan(res.observed)
    assert np.isnan(res.expected)
    assert np.isnan(res.standard_error)
    assert res.replicates.size == 0


def test_default_bootstrap_has_1000_resamples():
    assert cohens_kappa(A, B).replicates.size == 1000
    assert fleiss_kappa([[1, 1], [1, 2], [2, 2]]).replicates.size == 1000


def test_fleiss_kappa_option_error():
    with pytest.raises(InvalidInputError) as err:
        fleiss_kappa([[1, 1], [1, 2]], nan_policy="drop")  # type: ignore[arg-type]
    assert (
        str(err.value) == "`nan_policy` must be one of ('raise', 'omit'); got 'drop'."
    )


def test_labels_longer_in_one_rater_are_not_cut():
    # text columns of different widths are stored together: no label is cut to
    # the other column's width ("excellent" would become "exce")
    scale = ["poor", "good", "excellent"]
    a = ["excellent", "good", "poor", "excellent"]
    b = ["good", "good", "poor", "good"]
    one = cohens_kappa(a, b, categories=scale, n_resamples=0)
    two = cohens_kappa(b, a, categories=scale, n_resamples=0)
    # cells (excellent, good) x2, (good, good), (poor, poor): p_o = 2/4;
    # margins (1, 1, 2)/4 and (1, 3, 0)/4: p_e = (1 + 3)/16; kappa = (1/4)/(3/4)
    assert one.value == pytest.approx(1 / 3, rel=1e-14)
    assert two.value == pytest.approx(1 / 3, rel=1e-14)
    assert one.n_categories == two.n_categories == 3


def test_fleiss_kappa_front_door():
    with pytest.warns(UndefinedMetricWarning) as rec:
        res = fleiss_kappa([[None, None]], nan_policy="omit", confidence_level=0.9)
    assert [str(w.message) for w in rec] == [
        "Fleiss' kappa is undefined for zero units; returning NaN."
    ]
    assert np.isnan(res.value)
    assert (res.n, res.n_raters, res.n_categories, res.n_excluded) == (0, 2, 0, 1)
    assert (res.statistic, res.level, res.confidence_level) == (
        "fleiss_kappa",
        "nominal",
        0.9,
    )
    assert np.isnan(res.observed)
    assert np.isnan(res.expected)
    assert res.replicates.size == 0
    with pytest.warns(UndefinedMetricWarning) as rec:
        fleiss_kappa([[1, 1], [1, 1]])
    assert [str(w.message) for w in rec] == [
        (
            "Fleiss' kappa is undefined when every rating falls in one category "
            "(no chance disagreement); returning NaN."
        )
    ]
    with pytest.raises(InvalidInputError) as err:
        fleiss_kappa([[1, None], [1, 1]])
    assert str(err.value).startswith(
        "`ratings` has a missing rating at unit 0, rater 1"
    )
    with pytest.raises(InvalidInputError) as err:
        fleiss_kappa([[1, 3], [1, 1]], categories=[1, 2])
    assert str(err.value).startswith("`ratings` holds 3 at unit 0, rater 1")
    # a category nobody used still counts
    assert fleiss_kappa([[1, 1], [1, 2]], categories=[1, 2, 3]).n_categories == 3


def test_fleiss_bootstrap_resamples_kappa_with_the_given_rng():
    # systematic disagreement: kappa = (0.2 - 0.52)/0.48 = -2/3; the replicates
    # are kappas (mostly negative), not the observed agreement (never negative)
    data = [[1, 2], [2, 1], [1, 2], [2, 1], [1, 1]]
    one = fleiss_kappa(data, rng=1)
    assert one.value == pytest.approx(-2 / 3, rel=1e-14)
    assert (one.statistic, one.level, one.confidence_level) == (
        "fleiss_kappa",
        "nominal",
        0.95,
    )
    assert (one.n, one.n_raters, one.n_categories, one.n_excluded) == (5, 2, 2, 0)
    assert one.observed == pytest.approx(0.2, rel=1e-14)  # P-bar
    assert one.expected == pytest.approx(0.52, rel=1e-14)  # 0.6^2 + 0.4^2
    assert np.nanmean(one.replicates) < 0
    # the bootstrap standard error
    assert one.standard_error == pytest.approx(
        np.nanstd(one.replicates, ddof=1), rel=1e-12
    )
    two = fleiss_kappa(data, rng=2)
    assert not np.array_equal(one.replicates, two.replicates, equal_nan=True)


def test_cohens_bootstrap_resamples_kappa_and_not_an_undefined_one():
    # systematic disagreement: negative kappa, while p_o is never negative
    a = [1, 2, 1, 2, 1, 2]
    b = [2, 1, 2, 1, 1, 2]
    res = cohens_kappa(a, b, rng=3)
    assert res.value < 0
    assert res.replicates.size == 1000
    assert np.nanmean(res.replicates) < 0
    # every rating in one category: undefined, no bootstrap, NaN standard error
    with pytest.warns(UndefinedMetricWarning):
        one = cohens_kappa([1, 1, 1], [1, 1, 1])
    assert np.isnan(one.value)
    assert np.isnan(one.standard_error)
    assert one.replicates.size == 0
