"""Gauss' continued fraction for 2F1(1, b; c; z) and its place in hyp2f1's fallback.

A Pareto/NBD fit drifting towards no heterogeneity (r, alpha or s, beta large)
asks for 2F1(1, b; c; z) with b, c ~ 1e6 and z within 1e-4 of 1: scipy returns
NaN there and the power series needs 1e5+ terms per entry (an 8-customer fit
took 20 s of CPU). The continued fraction converges in a few dozen steps.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics._core import hypergeometric
from cxmetrics._core.hypergeometric import hyp2f1, hyp2f1_series, hyp2f1_unit_cf

mpmath = pytest.importorskip("mpmath")


def _ref(b: float, c: float, z: float) -> float:
    with mpmath.workdps(40):
        return float(mpmath.hyp2f1(1, b, c, z))


# (b, c, z) from a real drifting fit, and classic closed forms
HARD = [
    (2728382.048885021, 2728638.538534683, 0.9997481053878076),
    (2728387.048885021, 2728643.538534683, 0.9997473623038403),
    (1e4, 1e4 + 0.5, 0.9999),
    (100.0, 103.0, 0.9999),
]


@pytest.mark.parametrize(("b", "c", "z"), HARD)
def test_unit_cf_matches_mpmath_where_the_series_is_slow(b, c, z):
    got = float(hyp2f1_unit_cf(b, c, z)[0])
    assert got == pytest.approx(_ref(b, c, z), rel=1e-12)


def test_unit_cf_closed_forms():
    z = np.array([0.1, 0.5, 0.9, 0.999])
    # 2F1(1, 1; 2; z) = -log(1 - z) / z and 2F1(1, b; b; z) = 1 / (1 - z)
    np.testing.assert_allclose(
        hyp2f1_unit_cf(1.0, 2.0, z), -np.log1p(-z) / z, rtol=1e-13
    )
    np.testing.assert_allclose(hyp2f1_unit_cf(3.5, 3.5, z), 1.0 / (1.0 - z), rtol=1e-13)
    assert float(hyp2f1_unit_cf(7.0, 9.0, 0.0)[0]) == 1.0


@settings(max_examples=30, deadline=None)
@given(
    st.floats(0.01, 1e3),
    st.floats(0.01, 500.0),
    st.floats(0.0, 0.999),
)
def test_unit_cf_agrees_with_the_power_series(b, gap, z):
    # the series is an independent algorithm, exact where it converges (z <= 0.999
    # and these b, c need under 1e5 terms); mpmath is slow near integer c - a - b
    c = b + gap  # the Pareto/NBD calls have c > b (c - b = s or r + x, plus 1)
    got = float(hyp2f1_unit_cf(b, c, z)[0])
    want = float(hyp2f1_series(1.0, b, c, z)[0])
    assert got == pytest.approx(want, rel=1e-11)


def test_unit_cf_gives_nan_when_its_budget_runs_out():
    got = hyp2f1_unit_cf([0.3, 1.0], [1.7, 2.0], [0.99999, 0.5], max_terms=30)
    assert np.isnan(got[0])
    assert got[1] == pytest.approx(-np.log(0.5) / 0.5, rel=1e-13)


def test_fallback_takes_the_fraction_for_a_one(monkeypatch):
    pytest.importorskip("scipy")
    b, c, z = (np.array(v) for v in zip(*HARD[:2], strict=True))

    def no_series(*args, **kwargs):
        raise AssertionError("the series was asked for a = 1 entries")

    monkeypatch.setattr(hypergeometric, "hyp2f1_series", no_series)
    got = hyp2f1(1.0, b, c, z)
    np.testing.assert_allclose(got, [_ref(*h) for h in HARD[:2]], rtol=1e-12)


def test_fallback_keeps_the_series_for_other_a():
    pytest.importorskip("scipy")
    # scipy gives a non-finite value here (integer c - a - b near z = 1)
    got = float(hyp2f1(3.0, -0.95, 3.05, 24 / 24.05078125))
    assert got == pytest.approx(0.0206628751319133, rel=1e-10)
    assert got == pytest.approx(
        float(hyp2f1_series(3.0, -0.95, 3.05, 24 / 24.05078125)[0]), rel=1e-14
    )
