"""QA scorecards: rubric scores with N/A and auto-fail items."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.voice import james_stein, qa_scores


def _reference(row, top, weights, critical):
    """One evaluation, exactly, with Fractions and plain loops."""
    num = den = Fraction(0)
    for x, m, w, c in zip(row, top, weights, critical, strict=True):
        if x is None:
            continue
        if c and x < m:
            return Fraction(0)
        num += Fraction(w) * Fraction(x) / Fraction(m)
        den += Fraction(w)
    return None if den == 0 else num / den


@settings(max_examples=100)
@given(st.data(), st.integers(1, 6), st.integers(1, 12))
def test_scores_match_an_exact_reference(data, p, n):
    top = data.draw(st.lists(st.integers(1, 10), min_size=p, max_size=p))
    weights = data.draw(st.lists(st.integers(0, 5), min_size=p, max_size=p))
    critical = data.draw(st.lists(st.booleans(), min_size=p, max_size=p))
    rows = [
        [data.draw(st.one_of(st.none(), st.integers(0, m))) for m in top]
        for _ in range(n)
    ]
    expected = [_reference(r, top, weights, critical) for r in rows]
    if all(e is None for e in expected):
        with pytest.warns(UndefinedMetricWarning):
            qa_scores(rows, top, weights=weights, critical=critical)
        return
    res = qa_scores(rows, top, weights=weights, critical=critical)
    for got, want in zip(res.scores.tolist(), expected, strict=True):
        if want is None:
            assert np.isnan(got)
        else:
            assert got == pytest.approx(float(want), rel=1e-12, abs=1e-15)
    assert (
        (res.scores[np.isfinite(res.scores)] >= 0)
        & (res.scores[np.isfinite(res.scores)] <= 1)
    ).all()
    assert res.n + res.n_not_scored == n


def test_export_with_na_text_and_auto_fail():
    # greeting (10), verification (10), resolution (20), compliance (5, critical)
    rows = [
        ["10", "5", "20", "5"],
        ["10", "N/A", "15", "5"],
        ["0", "10", "20", "0"],
        ["n/a", "", "N/A", "-"],
    ]
    res = qa_scores(rows, [10, 10, 20, 5], critical=[False, False, False, True])
    # row 0: 40/45; row 1: 30/35 (verification not applicable); row 2: compliance missed
    assert res.scores[:3].tolist() == pytest.approx([40 / 45, 30 / 35, 0.0])
    assert np.isnan(res.scores[3])
    assert res.auto_failed.tolist() == [False, False, True, False]
    assert res.n == 3
    assert res.n_not_scored == 1
    assert res.value == pytest.approx((40 / 45 + 30 / 35) / 3)
    lo, hi = res.confidence_interval()
    assert 0 <= lo < res.value < hi <= 1


def test_shrink_by_agent_is_james_stein_of_agent_means():
    rows = [[4, 5], [5, 5], [2, 3], [1, 2], [5, 4], [4, 4], [3, 3], [2, 4], [5, 5]]
    agents = ["ana", "ana", "ben", "ben", "cy", "cy", "dee", "dee", "ana"]
    res = qa_scores(rows, [5, 5])
    s = res.shrink(agents)
    scores = res.scores
    means = np.array(
        [
            scores[[0, 1, 8]].mean(),
            scores[[2, 3]].mean(),
            scores[[4, 5]].mean(),
            scores[[6, 7]].mean(),
        ]
    )
    counts = np.array([3, 2, 2, 2])
    resid = np.concatenate(
        [
            scores[[0, 1, 8]] - means[0],
            scores[[2, 3]] - means[1],
            scores[[4, 5]] - means[2],
            scores[[6, 7]] - means[3],
        ]
    )
    within = resid @ resid / (9 - 4)
    expected = james_stein(means, within / counts, keys=["ana", "ben", "cy", "dee"])
    assert s == expected


def test_errors():
    with pytest.raises(
        InvalidInputError, match=r"got 11.0 at evaluation 1, item 0 \(max 10.0"
    ):
        qa_scores([[10, 1], [11, 1]], [10, 1])
    with pytest.raises(InvalidInputError, match="one value per item"):
        qa_scores([[1, 1]], [1])
    with pytest.raises(
        InvalidInputError, match=r"`max_points` must be positive; got 0.0 at item 1"
    ):
        qa_scores([[1, 0]], [1, 0])
    with pytest.raises(InvalidInputError, match="must be 2-D"):
        qa_scores([1, 2], [1, 2])
    with pytest.raises(
        InvalidInputError, match="`weights` must be finite and non-negative"
    ):
        qa_scores([[1, 1]], [1, 1], weights=[1, -1])
    with pytest.raises(TypeError, match="must be numeric"):
        qa_scores([["good", 1]], [1, 1])
    with pytest.warns(
        UndefinedMetricWarning, match="no evaluation has an applicable item"
    ):
        res = qa_scores([[None, None]], [1, 1])
    assert np.isnan(res.value)


def test_single_evaluation_has_no_interval():
    # regression: clipping a NaN bound to [0, 1] returned (0.0, 1.0)
    lo, hi = qa_scores([[1, 0]], [1, 1]).confidence_interval()
    assert np.isnan(lo)
    assert np.isnan(hi)
