"""Empty groups, weights of Kish size between one and two, and scheme validation.

Mutants killed here (``survey/_summary.py``): the Kish size of an empty group (no
answers, or zero total weight) set to 1 instead of 0; an empty group counted as
defined (its passive share then 0 instead of NaN on a scheme without passives); the
variance's ``n_e / (n_e - 1)`` correction skipped for ``1 < n_e <= 2`` (two answers
of unequal weight). Every expected value is computed by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.survey import CESScheme, CSATScheme, NPSScheme


def test_empty_group_has_kish_size_zero_and_no_passive_share():
    # promoters 7-10, detractors 0-6: no passives, so the passive share of a group
    # is 0 where the group has answers and NaN where it has none
    scheme = NPSScheme(promoter_min=7)
    with pytest.warns(UndefinedMetricWarning, match="1 group"):
        res = cx.nps(
            [np.nan, 9, 3], by=["a", "b", "b"], nan_policy="omit", scheme=scheme
        )
    assert res.n.tolist() == [0, 2]
    assert res.effective_n.tolist() == [0.0, 2.0]
    assert math.isnan(res.passive_share[0])
    assert res.passive_share[1] == 0.0
    assert math.isnan(res.standard_error[0])
    # b: one promoter, one detractor of 2: SE = 100 sqrt((1/2 + 1/2 - 0) / 2)
    assert res.standard_error[1] == pytest.approx(100 * math.sqrt(0.5), rel=1e-12)


def test_zero_total_weight_group_has_kish_size_zero():
    # group a has two answers, both of weight 0: no total weight, no Kish size
    with pytest.warns(UndefinedMetricWarning):
        res = cx.csat(
            [4, 5, 2, 5], weights=[0.0, 0.0, 1.0, 3.0], by=["a", "a", "b", "b"]
        )
    assert res.n.tolist() == [2, 2]
    assert res.effective_n[0] == 0.0
    # b: W = 4, sum w^2 = 10 -> 16 / 10
    assert res.effective_n[1] == pytest.approx(1.6, rel=1e-12)
    assert math.isnan(res.value[0])
    assert math.isnan(res.standard_error[0])
    assert res.value[1] == pytest.approx(0.75, rel=1e-12)


def test_weighted_variance_with_kish_size_between_one_and_two():
    # answers 1 and 3 with weights 1 and 2: W = 3, mean 7/3, Kish n = 9/5;
    # population variance (1 (4/3)^2 + 2 (2/3)^2) / 3 = 8/9; sample variance
    # 8/9 * (9/5) / (9/5 - 1) = 2
    res = cx.csat([1, 3], weights=[1.0, 2.0])
    assert res.mean == pytest.approx(7 / 3, rel=1e-12)
    assert res.effective_n == pytest.approx(1.8, rel=1e-12)
    assert res.std == pytest.approx(math.sqrt(2.0), rel=1e-12)
    # the grouped path: the same pair next to an unweighted pair (1, 5): variance 8
    g = cx.ces(
        [1, 3, 1, 5],
        weights=[1.0, 2.0, 1.0, 1.0],
        by=["x", "x", "y", "y"],
        definition="mean",
    )
    np.testing.assert_allclose(g.std, [math.sqrt(2.0), math.sqrt(8.0)], rtol=1e-12)
    # SE of the mean = std / sqrt(n_e): sqrt(2 / 1.8) and sqrt(8 / 2)
    np.testing.assert_allclose(g.standard_error, [math.sqrt(2 / 1.8), 2.0], rtol=1e-12)


def test_single_answer_has_no_variance():
    # n_e = 1: the sample variance is undefined (NaN), not infinite
    res = cx.csat([4])
    assert math.isnan(res.std)
    assert res.mean == 4.0
    # a tiny second weight leaves W^2 / sum w^2 at exactly 1 in float64
    res = cx.csat([1, 5], weights=[1.0, 1e-140])
    assert res.effective_n == 1.0
    assert math.isnan(res.std)


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (
            NPSScheme,
            {"low": 0, "high": 10, "promoter_min": 5, "detractor_max": 5},
            (
                "NPSScheme needs low <= detractor_max < promoter_min <= high; got "
                "low=0, detractor_max=5, promoter_min=5, high=10."
            ),
        ),
        (
            CSATScheme,
            {"low": 1, "high": 5, "satisfied_min": 1},
            (
                "CSATScheme needs low < satisfied_min <= high; got "
                "low=1, satisfied_min=1, high=5."
            ),
        ),
        (
            CESScheme,
            {"low": 1, "high": 7, "easy_min": 1, "easy_max": 7},
            (
                "CESScheme needs an `easy` range inside the scale that touches exactly "
                "one end of it; got easy=[1, 7] on [1, 7]."
            ),
        ),
    ],
)
def test_scheme_messages_in_full(cls, kwargs, message):
    with pytest.raises(cx.exceptions.InvalidInputError) as info:
        cls(**kwargs)
    assert str(info.value) == message


def _message(cls, *args, **kwargs):
    with pytest.raises(
        (cx.exceptions.InvalidInputError, cx.exceptions.InvalidInputTypeError)
    ) as info:
        cls(*args, **kwargs)
    return str(info.value)


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (NPSScheme, "low"),
        (NPSScheme, "high"),
        (NPSScheme, "promoter_min"),
        (NPSScheme, "detractor_max"),
        (CSATScheme, "low"),
        (CSATScheme, "high"),
        (CSATScheme, "satisfied_min"),
        (CESScheme, "low"),
        (CESScheme, "high"),
        (CESScheme, "easy_min"),
        (CESScheme, "easy_max"),
    ],
)
def test_scheme_names_the_argument_that_is_not_an_integer(cls, name):
    for bad in (2.5, True):
        message = _message(cls, **{name: bad})
        assert message == f"`{name}` must be an integer; got {bad!r}."


def test_scale_bounds_by_hand():
    assert _message(NPSScheme, low=3, high=3, promoter_min=3, detractor_max=3) == (
        "`high` must be greater than `low`; got low=3, high=3."
    )
    # at most 1001 points: 0..1000 and -500..500 are fine, 0..1001 and -1000..5 not
    assert NPSScheme(0, 1000, 1000, 0).high == 1000
    assert CSATScheme(-500, 500, 0).low == -500
    assert CESScheme(100, 1000, 100, 200).high == 1000
    for low, high in [(0, 1001), (-1000, 5)]:
        assert _message(CSATScheme, low, high, high) == (
            f"a scale has at most 1001 points (states hold one count per point); "
            f"got low={low}, high={high}. Rescale the answers."
        )


def test_named_schemes_by_hand():
    assert CSATScheme.binary() == CSATScheme(low=0, high=1, satisfied_min=1)
    assert (CSATScheme.binary().low, CSATScheme.binary().high) == (0, 1)
    assert CESScheme.ces1() == CESScheme(low=1, high=5, easy_min=1, easy_max=2)
    assert CESScheme.ces2() == CESScheme(low=1, high=7, easy_min=5, easy_max=7)


def test_from_labels_with_a_low_and_its_messages():
    s = CSATScheme.from_labels(["bad", "ok", "good"], low=0, satisfied_min=2)
    assert (s.low, s.high, s.satisfied_min) == (0, 2, 2)
    assert dict(s.labels) == {"bad": 0, "ok": 1, "good": 2}
    s = NPSScheme.from_labels(
        [str(i) for i in range(5)], low=-2, promoter_min=2, detractor_max=0
    )
    assert (s.low, s.high) == (-2, 2)
    assert s.labels[0] == ("0", -2)
    with pytest.raises(cx.exceptions.InvalidInputTypeError) as info:
        CSATScheme.from_labels(["a", "b"], low=1.5)
    assert str(info.value) == "`low` must be an integer; got 1.5."
    with pytest.raises(cx.exceptions.InvalidInputError) as info:
        CSATScheme.from_labels()
    assert str(info.value) == (
        "from_labels needs at least one list of labels, lowest point first."
    )
    with pytest.raises(cx.exceptions.InvalidInputTypeError) as info:
        CESScheme.from_labels("abc")
    assert str(info.value) == (
        "from_labels takes lists of labels, lowest point first; for a mapping "
        "{label: point} use CESScheme(labels=...)."
    )
    with pytest.raises(cx.exceptions.InvalidInputError) as info:
        CSATScheme.from_labels(["a", "b", "c"], ["x", "y"])
    assert str(info.value) == (
        "from_labels takes lists of labels of equal length (one per language), "
        "lowest point first; got lengths [2, 3]."
    )


def test_label_outside_the_scale_message():
    with pytest.raises(cx.exceptions.InvalidInputError) as info:
        CSATScheme(labels={"Great": 6})
    assert str(info.value) == (
        "`labels` maps 'Great' to 6, outside the scale [1, 5]; give each label a "
        "point on the scale (or widen it with `low`/`high`)."
    )
