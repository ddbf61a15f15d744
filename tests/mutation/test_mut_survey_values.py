"""Grouped weighted and custom-scheme scores, and category counts off a zero-based scale.

Mutants killed here: grouped ``nps(..., weights=w, by=g)`` computed without its
weights or without its scheme (``survey/_nps.py``), and the category slice end
``hi - low + 1`` turned into ``hi + low + 1`` in ``ScaleSummary.share`` and
``ScaleSummary.count`` (``survey/_summary.py``), which only shows on scales whose
lowest answer is not 0. Every expected value is a hand count or a numpy sum over
boolean masks written in the test, never a call to another cxmetrics function.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics as cx
from cxmetrics.survey import CESScheme, CSATScheme, NPSScheme

# a survey export: text ids, a region label, blank scores, design weights
EXPORT = """\
respondent_id,region,score,weight
r-001,north,10,1.5
r-002,north,9,0.5
r-003,north,3,2.0
r-004,north,,1.0
r-005,north,7,1.0
r-006,south,6,0.25
r-007,south,10,3.0
r-008,south,0,1.0
r-009,south,8,0.75
r-010,east,9,1.0
r-011,east,2,4.0
r-012,east,5,0.5
r-013,east,10,0.5
"""


def _read(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    region = np.array([r["region"] for r in rows])
    score = np.array([float(r["score"]) if r["score"] else np.nan for r in rows])
    weight = np.array([float(r["weight"]) for r in rows])
    return region, score, weight


def _weighted_nps(score, weight, promoter_min, detractor_max):
    ok = ~np.isnan(score)
    s, w = score[ok], weight[ok]
    total = w.sum()
    pro = w[s >= promoter_min].sum() / total
    det = w[s <= detractor_max].sum() / total
    n_eff = total**2 / (w * w).sum()
    se = 100 * math.sqrt((pro + det - (pro - det) ** 2) / n_eff)
    return 100 * (pro - det), n_eff, se


def test_grouped_weighted_nps_by_hand():
    region, score, weight = _read(EXPORT)
    res = cx.nps(score, weights=weight, by=region, nan_policy="omit")
    assert res.keys.tolist() == ["east", "north", "south"]
    # by hand: east  W = 6, promoters 1 + 0.5 = 1.5, detractors 4 + 0.5 = 4.5 -> -50
    #          north W = 5 (r-004 blank), promoters 2, detractors 2 -> 0
    #          south W = 5, promoters 3, detractors 1.25 -> 35
    np.testing.assert_allclose(res.value, [-50.0, 0.0, 35.0], rtol=1e-12)
    # Kish n = W^2 / sum w^2: east 36 / 17.5, north 25 / 7.5, south 25 / 10.625
    np.testing.assert_allclose(
        res.effective_n, [36 / 17.5, 25 / 7.5, 25 / 10.625], rtol=1e-12
    )
    assert res.n.tolist() == [4, 4, 4]
    assert res.n_missing.tolist() == [0, 1, 0]
    assert res.promoters.tolist() == [2, 2, 1]  # unweighted counts
    assert res.detractors.tolist() == [2, 1, 2]
    assert res.weighted
    for i, key in enumerate(res.keys):
        sel = region == key
        value, n_eff, se = _weighted_nps(score[sel], weight[sel], 9, 6)
        assert res.value[i] == pytest.approx(value, rel=1e-12)
        assert res.effective_n[i] == pytest.approx(n_eff, rel=1e-12)
        assert res.standard_error[i] == pytest.approx(se, rel=1e-12)
    # the unweighted grouped NPS differs (the weights matter here)
    plain = cx.nps(score, by=region, nan_policy="omit")
    # unweighted: east 2 - 2, north 2 - 1 of 4, south 1 - 2 of 4
    np.testing.assert_allclose(plain.value, [0.0, 25.0, -25.0], rtol=1e-12)
    assert not plain.weighted


def test_grouped_weighted_enps_and_state_by_hand():
    region, score, weight = _read(EXPORT)
    res = cx.enps(score, weights=weight, by=region, nan_policy="omit")
    np.testing.assert_allclose(res.value, [-50.0, 0.0, 35.0], rtol=1e-12)
    state = cx.GroupedNPSState.from_responses(
        score, region, weights=weight, nan_policy="omit"
    )
    # squared weights per (group, answer) cell, by hand for the north group:
    # 10 -> 1.5^2, 9 -> 0.5^2, 3 -> 2^2, 7 -> 1^2
    north = np.zeros(11)
    north[[10, 9, 3, 7]] = [2.25, 0.25, 4.0, 1.0]
    np.testing.assert_allclose(state.weight_squares[1], north, rtol=1e-12)


# custom schemes: a 1-5 "would recommend" scale (5 promoters, 1-3 detractors), a
# 1-10 scale (9-10 / 1-6), and an eNPS variant on 0-10 with promoters 8-10
SCHEMES = [
    NPSScheme(low=1, high=5, promoter_min=5, detractor_max=3),
    NPSScheme(low=1, high=10, promoter_min=9, detractor_max=6),
    NPSScheme(low=0, high=10, promoter_min=8, detractor_max=6),
    NPSScheme(low=-5, high=5, promoter_min=4, detractor_max=0),
]


@pytest.mark.parametrize("scheme", SCHEMES, ids=repr)
def test_grouped_custom_scheme_by_hand(scheme):
    rng = np.random.default_rng(scheme.high - scheme.low)
    teams = np.array(["ops", "hr", "it", "sales"])[rng.integers(0, 4, 300)]
    answers = rng.integers(scheme.low, scheme.high + 1, 300)
    weights = rng.uniform(0.2, 3.0, 300)
    res = cx.enps(answers, by=teams, scheme=scheme)
    wres = cx.nps(answers, weights=weights, by=teams, scheme=scheme)
    assert res.scheme == scheme
    for i, key in enumerate(res.keys):
        a = answers[teams == key]
        w = weights[teams == key]
        pro = a >= scheme.promoter_min
        det = a <= scheme.detractor_max
        assert res.promoters[i] == pro.sum()
        assert res.detractors[i] == det.sum()
        assert res.passives[i] == (~pro & ~det).sum()
        assert res.value[i] == pytest.approx(100 * (pro.mean() - det.mean()), abs=1e-9)
        assert res.counts[i].tolist() == [
            int((a == v).sum()) for v in range(scheme.low, scheme.high + 1)
        ]
        value, n_eff, se = _weighted_nps(a.astype(float), w, *_bounds(scheme))
        assert wres.value[i] == pytest.approx(value, rel=1e-9, abs=1e-9)
        assert wres.effective_n[i] == pytest.approx(n_eff, rel=1e-12)
        assert wres.standard_error[i] == pytest.approx(se, rel=1e-9)
        assert wres.detractor_share[i] == pytest.approx(w[det].sum() / w.sum())
        assert wres.passive_share[i] == pytest.approx(w[~pro & ~det].sum() / w.sum())
        # the scalar front door agrees with the group
        one = cx.nps(a, weights=w, scheme=scheme)
        assert one.value == pytest.approx(wres.value[i], rel=1e-12, abs=1e-12)
        assert one.detractors == wres.detractors[i]


def _bounds(scheme):
    return scheme.promoter_min, scheme.detractor_max


def test_one_to_five_scheme_by_hand_counts():
    # 1-5 scale, promoters 5, passives 4, detractors 1-3
    scheme = NPSScheme(low=1, high=5, promoter_min=5, detractor_max=3)
    res = cx.nps([5, 5, 4, 3, 2, 1, 4, 5, 1], scheme=scheme)
    assert (res.promoters, res.passives, res.detractors) == (3, 2, 4)
    assert res.value == pytest.approx(100 * (3 - 4) / 9)
    assert res.counts == (2, 1, 1, 2, 3)
    grouped = cx.nps([5, 4, 1, 2, 5], by=["a", "a", "a", "b", "b"], scheme=scheme)
    assert grouped.detractors.tolist() == [1, 1]
    assert grouped.passives.tolist() == [1, 0]
    assert grouped.promoters.tolist() == [1, 1]
    np.testing.assert_allclose(grouped.value, [0.0, 0.0])


def test_csat_and_ces_counts_on_scales_starting_at_one():
    # CSAT 1-5, satisfied 4-5: 3 satisfied of 7
    res = cx.csat([1, 2, 3, 4, 5, 3, 4])
    assert res.positive == 3
    assert res.value == pytest.approx(3 / 7)
    # CSAT 1-10 with satisfied 7-10: 4 of 8
    res = cx.csat([1, 6, 7, 10, 2, 9, 8, 5], scheme=CSATScheme(1, 10, 7))
    assert res.positive == 4
    # original CES 1-5, easy = 1-2: 1, 2, 2 -> 3 of 7 (3, 4 and 5 are not easy)
    res = cx.ces([1, 2, 2, 3, 4, 5, 5], scheme=CESScheme.ces1())
    assert res.positive == 3
    assert res.easy_share == pytest.approx(3 / 7)
    # CES 2.0 1-7, easy = 5-7
    res = cx.ces([1, 4, 5, 6, 7, 7])
    assert res.positive == 4
    # a 2-6 CES with easy = 2-3 (lower is easier): 2 of 5
    res = cx.ces([2, 3, 4, 5, 6], scheme=CESScheme(2, 6, 2, 3))
    assert res.easy == 2
    # CSAT on -2..2 with satisfied 1-2: 2 of 5
    res = cx.csat([-2, -1, 0, 1, 2], scheme=CSATScheme(-2, 2, 1))
    assert res.positive == 2
    assert res.positive_share == pytest.approx(2 / 5)


def test_grouped_ces1_weighted_easy_share_by_hand():
    # weighted shares use the same slice as the counts
    answers = np.array([1, 2, 3, 4, 5, 1, 5, 5])
    teams = np.array(["a", "a", "a", "a", "a", "b", "b", "b"])
    weights = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 1.0, 2.0])
    res = cx.ces(answers, weights=weights, by=teams, scheme=CESScheme.ces1())
    assert res.positive.tolist() == [2, 1]
    # a: (1 + 2) / 15 ; b: 1 / 4
    np.testing.assert_allclose(res.positive_share, [3 / 15, 1 / 4], rtol=1e-12)


@st.composite
def scheme_and_answers(draw):
    low = draw(st.integers(-20, 20))
    high = draw(st.integers(low + 1, low + 12))
    detractor_max = draw(st.integers(low, high - 1))
    promoter_min = draw(st.integers(detractor_max + 1, high))
    scheme = NPSScheme(low, high, promoter_min, detractor_max)
    x = draw(hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(low, high)))
    w = draw(hnp.arrays(np.float64, x.shape[0], elements=st.floats(0.1, 10.0)))
    g = draw(hnp.arrays(np.int64, x.shape[0], elements=st.integers(0, 3)))
    return scheme, x, w, g


@given(scheme_and_answers())
def test_category_counts_and_shares_on_any_scale(case):
    scheme, x, w, g = case
    res = cx.nps(x, weights=w, by=g, scheme=scheme)
    for i, key in enumerate(res.keys):
        a, wk = x[g == key], w[g == key]
        pro = a >= scheme.promoter_min
        det = a <= scheme.detractor_max
        assert res.promoters[i] == pro.sum()
        assert res.detractors[i] == det.sum()
        assert res.passives[i] == a.size - pro.sum() - det.sum()
        total = wk.sum()
        assert res.promoter_share[i] == pytest.approx(wk[pro].sum() / total)
        assert res.detractor_share[i] == pytest.approx(wk[det].sum() / total)
    csat_scheme = CSATScheme(scheme.low, scheme.high, scheme.promoter_min)
    if scheme.promoter_min > scheme.low:
        c = cx.csat(x, weights=w, scheme=csat_scheme)
        sat = x >= scheme.promoter_min
        assert c.positive == sat.sum()
        assert c.positive_share == pytest.approx(w[sat].sum() / w.sum())
    ces_scheme = CESScheme(scheme.low, scheme.high, scheme.low, scheme.detractor_max)
    if scheme.detractor_max < scheme.high:
        e = cx.ces(x, weights=w, scheme=ces_scheme)
        easy = x <= scheme.detractor_max
        assert e.positive == easy.sum()
        assert e.positive_share == pytest.approx(w[easy].sum() / w.sum())
