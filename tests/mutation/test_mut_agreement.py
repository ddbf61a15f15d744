"""Weighted kappa's observed and expected agreement, by hand (issue #21).

Kappa itself does not change when every disagreement weight is scaled by one
factor, so a wrong normalisation of the weights (``|i - j| * (k - 1)`` or
``/ (k + 1)`` for ``/ (k - 1)``) leaves ``value`` and the standard error as they
were: only ``observed`` (p_o) and ``expected`` (p_e) show it. Hand-computed for
the docstring's six calls on a 1-3 scale.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.voice import cohens_kappa

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
