"""Control charts: p, Laney p', u, I-MR and the run rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.voice import i_mr_chart, p_chart, u_chart
from cxmetrics.voice._rules import RULES, run_rules

# Montgomery (2009), Introduction to Statistical Quality Control, 6th ed., Table 7.1:
# nonconforming orange-juice cans in 30 samples of n = 50; p-bar = 0.2313,
# UCL = 0.4102, LCL = 0.0524, samples 15 and 23 above the UCL (also R's qcc
# data(orangejuice), trial samples)
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip
# Montgomery (2009), Example 6.5: weekly cost of processing mortgage loans;
# x-bar = 300.5, MR-bar = 7.79, I chart 279.78 to 321.22, MR chart UCL 25.45
MORTGAGE = [310, 288, 297, 298, 307, 303, 294, 297, 308, 306,
            294, 299, 297, 299, 314, 295, 293, 306, 301, 304]  # fmt: skip


def test_montgomery_orange_juice_p_chart():
    res = p_chart(ORANGE_JUICE, [50] * 30, keys=range(1, 31))
    assert res.center[0] == pytest.approx(347 / 1500)
    assert round(float(res.center[0]), 4) == 0.2313
    assert round(float(res.upper[0]), 4) == 0.4102
    assert round(float(res.lower[0]), 4) == 0.0524
    assert res.keys[res.beyond_limits].tolist() == [15, 23]
    assert res.rule_names == RULES["western_electric"]


def test_montgomery_mortgage_i_mr_chart():
    res = i_mr_chart(MORTGAGE)
    ind, mr = res.individuals, res.moving_range
    assert float(ind.center[0]) == pytest.approx(300.5)
    assert float(mr.center[0]) == pytest.approx(148 / 19)  # 7.79
    # Montgomery rounds MR-bar to 7.79 and uses 2.66 and D4 = 3.267
    assert float(ind.lower[0]) == pytest.approx(279.78, abs=0.02)
    assert float(ind.upper[0]) == pytest.approx(321.22, abs=0.02)
    assert float(mr.upper[0]) == pytest.approx(25.45, abs=0.02)
    assert float(mr.lower[0]) == 0.0
    assert np.isnan(mr.value[0])
    assert not ind.signal.any()
    assert not mr.signal.any()


def test_u_chart_hand_computed():
    # u-bar = 78 / 20800 per order = 3.75 per 1,000; week 5: 3.75 + 3 sqrt(3.75e-3 / 4100) * 1000
    res = u_chart([12, 9, 15, 11, 31], [4000, 3500, 5000, 4200, 4100], per=1000)
    assert float(res.center[0]) == pytest.approx(78 / 20800 * 1000)
    assert float(res.upper[4]) == pytest.approx(
        1000 * (78 / 20800 + 3 * np.sqrt(78 / 20800 / 4100))
    )
    assert float(res.value[4]) == pytest.approx(31 / 4.1)
    assert res.beyond_limits.tolist() == [False, False, False, False, True]
    assert (res.lower >= 0).all()


def test_laney_p_prime_hand_computed():
    x = np.array([520, 480, 610, 450, 530, 500])
    n = np.array([1000, 1000, 1100, 1000, 1000, 1000])
    p = x / n
    pbar = x.sum() / n.sum()
    sp = np.sqrt(pbar * (1 - pbar) / n)
    z = (p - pbar) / sp
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128379167
    res = p_chart(x, n, laney=True)
    assert res.chart == "laney_p"
    assert res.sigma_z == pytest.approx(sigma_z, rel=1e-8)
    assert res.upper == pytest.approx(pbar + 3 * sp * sigma_z, rel=1e-8)
    plain = p_chart(x, n)
    assert plain.beyond_limits.sum() > res.beyond_limits.sum()


def test_run_rules_on_constructed_patterns():
    names = RULES["nelson"]
    never = np.zeros(20, dtype=bool)

    def flags(z, rules="nelson"):
        v = run_rules(np.asarray(z, dtype=float), never[: len(z)], rules)
        return {
            RULES[rules][j]: np.flatnonzero(v[:, j]).tolist() for j in range(v.shape[1])
        }

    # nine above the centre: Nelson 2 at the ninth point; Western Electric 4 at the eighth
    above = [0.5] * 9
    assert flags(above)["9_on_one_side"] == [8]
    assert flags(above, "western_electric")["8_on_one_side"] == [7, 8]
    trend = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0]
    assert flags(trend)["6_trending"] == [5]
    alternating = [0.3, -0.3] * 7
    assert flags(alternating)["14_alternating"] == [13]
    hugging = [0.1, -0.1, 0.2] * 5
    assert flags(hugging)["15_within_1sigma"] == [14]
    two_of_three = [0.0, 2.5, 0.0, 2.1]
    assert flags(two_of_three)["2_of_3_beyond_2sigma"] == [3]
    mixed = [1.5, -1.5] * 4
    assert flags(mixed)["8_outside_1sigma_both_sides"] == [7]
    assert flags([1.5] * 8)["8_outside_1sigma_both_sides"] == []
    assert set(flags(above)) == set(names)


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 50)), min_size=1, max_size=30)
)
def test_p_chart_limits_contain_centre(rows):
    x = np.array([min(a, b) for a, b in rows])
    n = np.array([b for _, b in rows])
    res = p_chart(x, n)
    assert (res.lower <= res.center).all()
    assert (res.center <= res.upper).all()
    assert (res.lower >= 0).all()
    assert (res.upper <= 1).all()
    assert res.violations.shape == (len(rows), 4)


@given(st.floats(0.05, 0.95), st.integers(5, 200), st.integers(2, 10))
def test_p_chart_limits_shrink_as_n_grows(p, n, factor):
    small = p_chart([round(p * n)] * 2, [n] * 2, center=p)
    large = p_chart([round(p * n * factor)] * 2, [n * factor] * 2, center=p)
    assert large.sigma[0] < small.sigma[0]
    assert large.upper[0] - large.lower[0] <= small.upper[0] - small.lower[0] + 1e-15


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=40))
def test_individuals_limits_contain_centre(values):
    res = i_mr_chart(values)
    assert (res.individuals.lower <= res.individuals.center + 1e-9).all()
    assert (res.individuals.center <= res.individuals.upper + 1e-9).all()
    assert (res.moving_range.lower == 0).all()


def test_grouped_result_by_week_is_one_call():
    weeks = np.array(["2026-W01"] * 40 + ["2026-W02"] * 40 + ["2026-W03"] * 40)
    rng = np.random.default_rng(2)
    answers = np.concatenate(
        [rng.integers(3, 6, 40), rng.integers(3, 6, 40), rng.integers(1, 4, 40)]
    )
    grouped = cx.csat(answers, by=weeks)
    res = p_chart(grouped)
    assert res.keys.tolist() == ["2026-W01", "2026-W02", "2026-W03"]
    assert res.n.tolist() == [40, 40, 40]
    assert res.value == pytest.approx(np.asarray(grouped.value))
    nps_weekly = cx.nps(rng.integers(0, 11, 120), by=weeks)
    chart = i_mr_chart(nps_weekly)
    assert chart.individuals.value == pytest.approx(np.asarray(nps_weekly.value))


def test_errors():
    with pytest.raises(
        InvalidInputError, match=r"`n` must be at least 1 .* got 0.0 at index 2"
    ):
        p_chart([1, 2, 0], [10, 10, 0])
    with pytest.raises(
        InvalidInputError, match=r"`counts` must be at most `n`; got 11.0 at index 1"
    ):
        p_chart([1, 11], [10, 10])
    with pytest.raises(
        InvalidInputError, match=r"`counts` must be finite; got nan at index 0"
    ):
        p_chart([np.nan, 1], [10, 10])
    with pytest.raises(InvalidInputError, match=r"`exposure` must be positive"):
        u_chart([1, 2], [10, 0])
    with pytest.raises(InvalidInputError, match="at least 2 points"):
        i_mr_chart([3.0])
    with pytest.raises(InvalidInputError, match="`rules` must be one of"):
        p_chart([1], [2], rules="westgard")
    with pytest.raises(InvalidInputError, match="`keys` must have one key per point"):
        p_chart([1, 2], [5, 5], keys=["a"])
    with pytest.raises(InvalidInputError, match="`center` must be a share"):
        p_chart([1, 2], [5, 5], center=1.5)
    with pytest.raises(InvalidInputError, match="`sigmas` must be a positive"):
        u_chart([1, 2], [5, 5], sigmas=0)
    with pytest.raises(InvalidInputError, match="needs at least 2 periods"):
        p_chart([1], [5], laney=True)


def test_result_is_frozen_and_tabular():
    res = p_chart([1, 2, 9], [10, 10, 10], keys=["a", "b", "c"])
    with pytest.raises(ValueError, match="read-only"):
        res.value[0] = 0.5
    cols = res.to_dict()
    assert cols["key"].tolist() == ["a", "b", "c"]
    assert "<table" in res._repr_html_()
    assert "p chart of 3 points" in repr(res)


def test_results_convert_to_pandas():
    pytest.importorskip("pandas")
    chart = p_chart([1, 2, 9], [10, 10, 10], keys=["a", "b", "c"])
    frame = chart.to_pandas()
    assert frame.shape == (3, 12)
    assert frame["key"].tolist() == ["a", "b", "c"]
    shrunk = cx.james_stein([1.0, 2.0, 3.0, 5.0], 0.5).to_pandas()
    assert list(shrunk.columns) == [
        "key",
        "n",
        "raw",
        "raw_low",
        "raw_high",
        "value",
        "low",
        "high",
        "shrinkage",
        "rank",
    ]
    drivers = cx.key_drivers(
        [1.0, 2.0, 4.0, 3.0, 5.0],
        {"a": [1, 2, 3, 4, 5], "b": [2, 1, 2, 1, 3]},
        n_resamples=0,
    ).to_pandas()
    assert drivers["driver"].tolist() == ["a", "b"]


def test_weekly_csat_from_an_export_with_text_dates_and_zones():
    # survey export: answer time as text with a UTC offset, scores with a blank
    answered = np.array(
        ["2026-03-02T09:15:00+01:00", "2026-03-03T17:40:00+01:00", "2026-03-05T08:05:00+01:00",
         "2026-03-09T10:00:00+01:00", "2026-03-12T15:30:00+01:00", "2026-03-13T12:00:00+01:00",
         "2026-03-16T09:00:00+01:00", "2026-03-18T11:20:00+01:00", "2026-03-20T16:45:00+01:00"]
    )  # fmt: skip
    pd = pytest.importorskip("pandas")
    instants = pd.to_datetime(pd.Series(answered), utc=True)
    scores = pd.Series([5, 4, None, 5, 2, 1, 4, 5, 5], dtype="Int64")
    week = cx.periods.period_start(instants, "week", tz="Europe/Berlin")
    grouped = cx.csat(scores, by=week, nan_policy="omit")
    chart = p_chart(grouped)
    assert chart.keys.dtype.kind == "M"
    assert chart.n.tolist() == [2, 3, 3]
    assert chart.value == pytest.approx([1.0, 1 / 3, 1.0])
    with pytest.raises(InvalidInputError, match="chart it with i_mr_chart"):
        p_chart(cx.nps([10, 9, 3, 0], by=["a", "a", "b", "b"]))
