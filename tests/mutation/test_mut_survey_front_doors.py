"""Every survey front-door argument changes the values it should (issue #21).

For ``nps``, ``enps``, ``csat`` and ``ces``, scalar and grouped, each of
``weights``, ``scheme`` and (for ratings) ``definition`` is passed with a value
whose effect is computed by hand here, so a front door that drops or swaps an
argument fails. Fixture: ten answers of two teams with design weights.
"""

from __future__ import annotations

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.survey import CESScheme, CSATScheme, NPSScheme

TEAM = np.array(["ops"] * 5 + ["hr"] * 5)
NPS_ANSWERS = np.array([10, 9, 2, 8, 0, 10, 6, 9, 9, 7])
RATINGS = np.array([5, 4, 1, 2, 3, 5, 5, 2, 1, 4])
WEIGHTS = np.array([2.0, 1.0, 4.0, 1.0, 2.0, 0.5, 1.5, 1.0, 1.0, 1.0])


def _wshare(mask, w):
    return w[mask].sum() / w.sum()


@pytest.mark.parametrize("front_door", [cx.nps, cx.enps])
def test_nps_and_enps_weights_and_scheme(front_door):
    # scalar, weighted: promoters 10, 9, 10, 9, 9 -> weights 2 + 1 + 0.5 + 1 + 1 = 5.5;
    # detractors 2, 0, 6 -> 4 + 2 + 1.5 = 7.5; W = 15 -> 100 * (5.5 - 7.5) / 15
    res = front_door(NPS_ANSWERS, weights=WEIGHTS)
    assert res.value == pytest.approx(100 * (5.5 - 7.5) / 15)
    assert res.weighted
    assert res.effective_n == pytest.approx(15**2 / (WEIGHTS**2).sum())
    # unweighted: 5 promoters, 3 detractors of 10
    assert front_door(NPS_ANSWERS).value == pytest.approx(20.0)
    # a scheme with promoters 8-10 and detractors 0-5: 6 promoters, 2 detractors
    scheme = NPSScheme(promoter_min=8, detractor_max=5)
    assert front_door(NPS_ANSWERS, scheme=scheme).value == pytest.approx(40.0)
    # grouped, weighted and with the scheme, against the same masks per team
    grouped = front_door(NPS_ANSWERS, weights=WEIGHTS, by=TEAM, scheme=scheme)
    for i, key in enumerate(grouped.keys):
        sel = np.asarray(key == TEAM)
        a, w = NPS_ANSWERS[sel], WEIGHTS[sel]
        want = 100 * (_wshare(a >= 8, w) - _wshare(a <= 5, w))
        assert grouped.value[i] == pytest.approx(want)
        assert grouped.detractors[i] == (a <= 5).sum()


@pytest.mark.parametrize(
    ("front_door", "scheme", "positive"),
    [
        (cx.csat, CSATScheme(1, 5, 5), lambda r: r >= 5),
        (cx.ces, CESScheme(1, 5, 1, 2), lambda r: r <= 2),
    ],
)
def test_ratings_weights_scheme_and_definition(front_door, scheme, positive):
    mask = positive(RATINGS)
    # scalar share, weighted and not
    res = front_door(RATINGS, weights=WEIGHTS, scheme=scheme, definition="share")
    assert res.value == pytest.approx(_wshare(mask, WEIGHTS))
    assert res.positive_share == pytest.approx(_wshare(mask, WEIGHTS))
    assert res.positive == mask.sum()
    plain = front_door(RATINGS, scheme=scheme, definition="share")
    assert plain.value == pytest.approx(mask.mean())
    # the mean definition, weighted: sum w r / sum w
    mean = front_door(RATINGS, weights=WEIGHTS, scheme=scheme, definition="mean")
    assert mean.value == pytest.approx((WEIGHTS * RATINGS).sum() / WEIGHTS.sum())
    assert mean.definition == "mean"
    # grouped: weights, scheme and definition per team
    grouped = front_door(
        RATINGS, weights=WEIGHTS, by=TEAM, scheme=scheme, definition="share"
    )
    g_mean = front_door(
        RATINGS, weights=WEIGHTS, by=TEAM, scheme=scheme, definition="mean"
    )
    for i, key in enumerate(grouped.keys):
        sel = np.asarray(key == TEAM)
        r, w = RATINGS[sel], WEIGHTS[sel]
        assert grouped.value[i] == pytest.approx(_wshare(positive(r), w))
        assert grouped.positive[i] == positive(r).sum()
        assert g_mean.value[i] == pytest.approx((w * r).sum() / w.sum())


def test_default_schemes_differ_from_the_custom_ones():
    # guards the fixture: each custom scheme above changes the unweighted share
    # (csat's default definition is the share, ces's the mean)
    assert cx.csat(RATINGS).value == pytest.approx(0.5)  # 4-5: 5, 4, 5, 5, 4
    assert cx.csat(RATINGS, scheme=CSATScheme(1, 5, 5)).value == pytest.approx(0.3)
    # CES 1-5 with easy 1-2: 1, 2, 2, 1; the default CES is 1-7 with easy 5-7: 5, 5, 5
    assert cx.ces(RATINGS, scheme=CESScheme(1, 5, 1, 2)).positive_share == 0.4
    assert cx.ces(RATINGS).positive_share == pytest.approx(0.3)
    assert cx.ces(RATINGS).value == pytest.approx(RATINGS.mean())
    assert (
        cx.nps(NPS_ANSWERS).value
        != cx.nps(NPS_ANSWERS, scheme=NPSScheme(promoter_min=8, detractor_max=5)).value
    )
