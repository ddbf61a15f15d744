"""Krippendorff's alpha against exact fractions, its bootstrap and its edge results (issue #21).

The reference here is the pairwise definition (Krippendorff 2011), in exact
fractions: D_o sums, over each pairable unit, the squared differences of its
ordered pairs of values over m_u - 1; D_e sums them over every ordered pair of
pairable values, over n(n - 1). The code builds a coincidence matrix instead.
Bootstrap replicates are checked to be the alpha of some resample of the units
(every multiset of the units is enumerated), so no check depends on the stream
of the generator. Also: the result with no pairable unit and with one value
only (every field, the warning's text and the line it points at), the standard
error with one and two replicates, and differences so small that D_e underflows.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
import warnings
from collections.abc import Hashable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.typing import AgreementLevel
from cxmetrics.voice import krippendorff_alpha


def _at_caller(filename: str) -> bool:
    """A warning points at the caller: this file (under mutmut, whose trampoline
    calls the library in the test's place, that trampoline)."""
    if "mutmut" in sys.modules:
        return filename == __file__ or filename.endswith("trampoline.py")
    return filename == __file__


NAN = math.nan
LEVELS: list[AgreementLevel] = ["nominal", "ordinal", "interval", "ratio"]
# units x raters with missing ratings; a 0 for the ratio metric, unit 5 not pairable
DATA: list[list[float]] = [
    [1.0, 1.0, NAN, 2.0],
    [0.0, 2.0, 2.0, 2.0],
    [2.5, 2.5, 4.0, NAN],
    [4.0, 4.0, 4.0, 1.0],
    [NAN, 0.0, 0.0, NAN],
    [NAN, NAN, 2.5, NAN],
    [1.0, 2.5, 0.0, 4.0],
]


def _present(row: Sequence[Any]) -> list[Any]:
    return [
        v for v in row if v is not None and not (isinstance(v, float) and math.isnan(v))
    ]


def _reference(
    rows: Sequence[Sequence[Any]], level: str, scale: Sequence[Hashable] | None = None
) -> tuple[Fraction, Fraction, int]:
    """Exact (D_o, D_e, units left out) from the pairwise definition."""
    units = [_present(row) for row in rows]
    pairable = [u for u in units if len(u) >= 2]
    values = [v for u in pairable for v in u]
    n = len(values)
    order = sorted(set(values)) if scale is None else list(scale)
    margin = {c: values.count(c) for c in order}

    def delta(a: Any, b: Any) -> Fraction:
        if level == "nominal":
            return Fraction(int(a != b))
        if level == "ordinal":
            i, j = sorted((order.index(a), order.index(b)))
            run = sum(margin[g] for g in order[i : j + 1])
            return (run - Fraction(margin[a] + margin[b], 2)) ** 2
        fa, fb = Fraction(a), Fraction(b)
        if level == "interval":
            return (fa - fb) ** 2
        return ((fa - fb) / (fa + fb)) ** 2 if fa + fb else Fraction(0)

    d_o = (
        sum(
            (
                Fraction(
                    sum(
                        delta(a, b)
                        for i, a in enumerate(u)
                        for j, b in enumerate(u)
                        if i != j
                    ),
                    len(u) - 1,
                )
                for u in pairable
            ),
            Fraction(0),
        )
        / n
    )
    d_e = sum(
        (
            delta(a, b)
            for i, a in enumerate(values)
            for j, b in enumerate(values)
            if i != j
        ),
        Fraction(0),
    ) / (n * (n - 1))
    return d_o, d_e, len(units) - len(pairable)


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_against_exact_fractions_and_the_package(
    level: AgreementLevel,
) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    d_o, d_e, excluded = _reference(DATA, level)
    res = krippendorff_alpha(DATA, level=level, n_resamples=0, confidence_level=0.9)
    assert res.value == pytest.approx(float(1 - d_o / d_e), rel=1e-12)
    assert res.observed == pytest.approx(float(d_o), rel=1e-12)
    assert res.expected == pytest.approx(float(d_e), rel=1e-12)
    package = krippendorff.alpha(
        reliability_data=np.array(DATA).T, level_of_measurement=level
    )
    assert res.value == pytest.approx(package, rel=1e-12)
    assert excluded == 1
    assert (res.n, res.n_excluded, res.n_raters, res.n_categories) == (6, 1, 4, 5)
    assert res.statistic == "krippendorff_alpha"
    assert res.level == level
    assert res.confidence_level == 0.9
    # no resamples: no replicates, no standard error, a normal interval of NaN
    assert res.replicates.shape == (0,)
    assert math.isnan(res.standard_error)
    assert all(math.isnan(b) for b in res.confidence_interval())


def test_ordinal_scale_order_comes_from_categories() -> None:
    krippendorff = pytest.importorskip("krippendorff")
    labels = ["poor", "fair", "good"]
    codes: list[list[float]] = [
        [0, 0, 1],
        [1, 2, 2],
        [2, 2, NAN],
        [0, 1, 2],
        [0, 0, 0],
        [1, NAN, 1],
    ]
    text = np.array(
        [[None if math.isnan(v) else labels[int(v)] for v in row] for row in codes],
        dtype=object,
    )
    d_o, d_e, _ = _reference(codes, "ordinal")
    want = float(1 - d_o / d_e)
    package = krippendorff.alpha(
        reliability_data=np.array(codes, dtype=float).T, level_of_measurement="ordinal"
    )
    assert want == pytest.approx(package, rel=1e-12)
    # an unused top category changes no margin between used ones: same alpha, 4 categories
    res = krippendorff_alpha(
        text, level="ordinal", categories=[*labels, "excellent"], n_resamples=0
    )
    assert res.value == pytest.approx(want, rel=1e-12)
    assert res.n_categories == 4
    # alphabetical order (fair < good < poor) is another scale, with another alpha
    d_o_abc, d_e_abc, _ = _reference(text.tolist(), "ordinal")
    alphabetical = krippendorff_alpha(text, level="ordinal", n_resamples=0)
    assert alphabetical.value == pytest.approx(float(1 - d_o_abc / d_e_abc), rel=1e-12)
    assert alphabetical.value != pytest.approx(want, abs=1e-3)


def test_no_pairable_unit_gives_an_empty_result_and_warns_at_the_caller() -> None:
    rows = [[1, NAN], [NAN, 2], [NAN, NAN]]
    message = (
        "Krippendorff's alpha is undefined without a unit rated by two raters or more; "
        "returning NaN."
    )
    with pytest.warns(UndefinedMetricWarning, match=re.escape(message)) as record:
        res = krippendorff_alpha(
            rows, level="interval", n_resamples=50, confidence_level=0.8
        )
    assert [str(w.message) for w in record] == [message]
    assert _at_caller(record[0].filename)
    assert math.isnan(res.value)
    assert res.n == 0
    assert isinstance(res.n, int)
    assert res.statistic == "krippendorff_alpha"
    assert res.level == "interval"
    assert (res.n_raters, res.n_categories, res.n_excluded) == (2, 2, 3)
    assert math.isnan(res.observed)
    assert math.isnan(res.expected)
    assert math.isnan(res.standard_error)
    assert res.replicates.shape == (0,)
    assert res.confidence_level == 0.8


def test_one_value_only_is_undefined_with_zero_disagreements() -> None:
    # two pairable units, all "ok": D_o = D_e = 0 (not the no-pairable-unit result)
    rows = np.array([["ok", "ok"], ["ok", "ok"], ["ok", None]], dtype=object)
    message = (
        "Krippendorff's alpha is undefined when every rating falls in one category "
        "(no chance disagreement); returning NaN."
    )
    with pytest.warns(UndefinedMetricWarning, match=re.escape(message)) as record:
        res = krippendorff_alpha(rows, n_resamples=20)
    assert [str(w.message) for w in record] == [message]
    assert _at_caller(record[0].filename)
    assert math.isnan(res.value)
    assert (res.n, res.n_excluded, res.n_raters, res.n_categories) == (2, 1, 2, 1)
    assert res.observed == 0.0
    assert res.expected == 0.0
    assert res.replicates.shape == (0,)
    assert math.isnan(res.standard_error)


def _multiset_alphas(rows: Sequence[Sequence[float]], level: str) -> list[float]:
    """Alpha of every resample (multiset of the units, as many as there are units)."""
    out = []
    for pick in itertools.combinations_with_replacement(range(len(rows)), len(rows)):
        d_o, d_e, _ = _reference([rows[i] for i in pick], level)
        out.append(float(1 - d_o / d_e) if d_e else NAN)
    return out


# four pairable units, each with a disagreement, so every resample has an alpha
BOOT: list[list[float]] = [
    [1.0, 2.0, 2.0],
    [1.0, 1.0, 4.0],
    [2.0, NAN, 3.0],
    [3.0, 4.0, 4.0],
]


@pytest.mark.parametrize("level", LEVELS)
def test_replicates_are_alphas_of_resampled_units(level: AgreementLevel) -> None:
    possible = np.array(_multiset_alphas(BOOT, level))
    assert np.isfinite(possible).all()
    res = krippendorff_alpha(BOOT, level=level, n_resamples=300, rng=11)
    reps = res.replicates
    assert reps.shape == (300,)
    gap = np.abs(reps[:, None] - possible[None, :]).min(axis=1)
    assert gap.max() < 1e-12
    assert np.unique(np.round(reps, 10)).size > 5
    assert res.standard_error == pytest.approx(float(np.std(reps, ddof=1)), rel=1e-12)
    lo, hi = res.confidence_interval(0.8)
    assert (lo, hi) == pytest.approx(tuple(np.quantile(reps, [0.1, 0.9])), rel=1e-12)


def test_standard_error_skips_resamples_without_an_alpha() -> None:
    # unit 0 alone is one value: a resample of it only has no alpha (NaN replicate)
    rows = [[1.0, 1.0], [1.0, 2.0], [2.0, 3.0]]
    possible = np.array(_multiset_alphas(rows, "interval"))
    res = krippendorff_alpha(rows, level="interval", n_resamples=400, rng=5)
    finite = res.replicates[np.isfinite(res.replicates)]
    assert 0 < np.isnan(res.replicates).sum() < 400
    gap = np.abs(finite[:, None] - possible[np.isfinite(possible)][None, :]).min(axis=1)
    assert gap.max() < 1e-12
    assert res.standard_error == pytest.approx(float(np.std(finite, ddof=1)), rel=1e-12)


def test_standard_error_needs_two_replicates_and_warns_about_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one = krippendorff_alpha(BOOT, level="interval", n_resamples=1, rng=2)
        two = krippendorff_alpha(BOOT, level="interval", n_resamples=2, rng=2)
    assert one.replicates.shape == (1,)
    assert np.isfinite(one.replicates).all()
    assert math.isnan(one.standard_error)
    r0, r1 = two.replicates
    assert math.isfinite(r0)
    assert math.isfinite(r1)
    assert two.standard_error == pytest.approx(abs(r0 - r1) / math.sqrt(2), rel=1e-12)


def test_default_resamples_and_the_generator() -> None:
    default = krippendorff_alpha(BOOT)
    assert default.replicates.shape == (1000,)
    assert not default.replicates.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        default.replicates[0] = 0.0
    a = krippendorff_alpha(BOOT, n_resamples=40, rng=1)
    b = krippendorff_alpha(BOOT, n_resamples=40, rng=2)
    assert not np.array_equal(a.replicates, b.replicates)
    same = krippendorff_alpha(BOOT, n_resamples=40, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(same.replicates, a.replicates)
    again = krippendorff_alpha(BOOT, n_resamples=40)
    np.testing.assert_array_equal(
        again.replicates, krippendorff_alpha(BOOT, n_resamples=40).replicates
    )


def test_bootstrap_over_more_units_than_one_block() -> None:
    # 20 000 units: the resample counts come in blocks of 2**21 // 20 000 = 104
    gen = np.random.default_rng(4)
    truth = gen.integers(0, 3, 20_000)
    other = np.where(gen.random(20_000) < 0.8, truth, gen.integers(0, 3, 20_000))
    res = krippendorff_alpha(np.column_stack([truth, other]), n_resamples=250, rng=3)
    reps = res.replicates
    assert reps.shape == (250,)
    assert np.isfinite(reps).all()
    assert np.unique(reps).size == 250
    # the replicates scatter around the estimate with a spread of order 1/sqrt(n)
    assert abs(float(np.mean(reps)) - res.value) < 0.005
    assert 0.001 < res.standard_error < 0.02


def test_interval_differences_too_small_to_square() -> None:
    # (x - 0)**2 is the smallest subnormal number: D_o is that, D_e underflows to 0.
    # At scale 1 the same table has alpha = 1 - (8/9)(3/2)(2/2) = -1/3; here the
    # value may be undefined (NaN), never -inf, and numpy must not warn.
    x = math.sqrt(5e-324)
    rows = [[0.0, x, x]] * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        res = krippendorff_alpha(rows, level="interval", n_resamples=0)
    assert math.isnan(res.value) or res.value == pytest.approx(-1 / 3)
    d_o, d_e, _ = _reference([[0, 1, 1]] * 3, "interval")
    assert 1 - d_o / d_e == Fraction(-1, 3)


def test_ratio_data_must_not_be_negative() -> None:
    msg = "ratio data must be non-negative; got -1.5."
    with pytest.raises(InvalidInputError, match=re.escape(msg)):
        krippendorff_alpha([[2.0, -1.5], [NAN, 2.0]], level="ratio")
    # the same data is fine on an interval scale
    res = krippendorff_alpha([[2.0, -1.5], [3.0, 2.0]], level="interval", n_resamples=0)
    d_o, d_e, _ = _reference([[2.0, -1.5], [3.0, 2.0]], "interval")
    assert res.value == pytest.approx(float(1 - d_o / d_e), rel=1e-12)


def test_interval_alpha_scales_back_without_floating_point_errors() -> None:
    # ratings near 1e-300 and 1e300: alpha is the unit-free -9/35; the observed and
    # expected disagreements in the ratings' units underflow to 0 or overflow to
    # inf quietly, even for a caller who makes numpy raise on both
    data = np.array([[0.0, 1, 1]] * 3 + [[0.0, 0, 1]])
    with np.errstate(under="raise", over="raise"):
        tiny = krippendorff_alpha(data * 1e-300, level="interval", n_resamples=0)
        huge = krippendorff_alpha(data * 1e300, level="interval", n_resamples=0)
    for res in (tiny, huge):
        assert res.value == pytest.approx(-9 / 35, rel=1e-12)
    assert tiny.observed == 0.0
    assert tiny.expected == 0.0
    assert huge.observed == math.inf
    assert huge.expected == math.inf
