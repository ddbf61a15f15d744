from __future__ import annotations

import math

import numpy as np
import pytest

from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.stats import chi_square_pvalue, normal_pvalue


@pytest.mark.parametrize("x", [0.0, 0.3, 1.0, 3.841458820694124, 25.0, 400.0])
def test_one_df_is_the_two_sided_normal(x):
    expected = float(normal_pvalue(math.sqrt(x)))
    assert float(chi_square_pvalue(x, 1)) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("x", [0.0, 0.5, 2.0, 10.0, 700.0])
def test_two_df_is_an_exponential(x):
    assert float(chi_square_pvalue(x, 2)) == pytest.approx(math.exp(-x / 2), rel=1e-14)


def test_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    x = np.array([0, 1e-9, 0.1, 1, 2.5, 7, 20, 60, 200, 1000])
    for df in range(1, 41):
        expected = stats.chi2.sf(x, df)
        np.testing.assert_allclose(chi_square_pvalue(x, df), expected, rtol=1e-12)


def test_shapes_nan_and_errors():
    out = chi_square_pvalue(np.array([[1.0, np.nan]]), 3)
    assert out.shape == (1, 2)
    assert np.isnan(out[0, 1])
    with pytest.raises(InvalidInputError, match="`statistic` must be non-negative"):
        chi_square_pvalue(-1.0, 2)
    with pytest.raises(InvalidInputError, match="`df` must be >= 1"):
        chi_square_pvalue(1.0, 0)
    with pytest.raises(InvalidInputTypeError, match="`df` must be an integer"):
        chi_square_pvalue(1.0, 1.5)  # type: ignore[arg-type]
