"""Requirements from forecast volumes and the service a schedule projects."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning


def test_staff_requirements_is_agents_required_on_rates():
    vol = np.array([50, 100, 200, 0])
    r = cx.staff_requirements(
        vol,
        interval_length=1800,
        aht=180,
        target_service_level=0.8,
        threshold=20,
        shrinkage=0.3,
    )
    ref = cx.agents_required(
        arrival_rate=vol / 1800,
        aht=180,
        target_service_level=0.8,
        threshold=20,
        shrinkage=0.3,
    )
    np.testing.assert_array_equal(r.agents, ref.agents)
    np.testing.assert_array_equal(r.headcount, ref.headcount)
    # the classic 100 calls / half hour, 180 s, 80/20 -> 14 agents, 20 at 30% shrinkage
    assert r.agents.tolist() == [8, 14, 24, 0]
    assert r.headcount.tolist() == [12, 20, 35, 0]


def test_projected_service_of_a_schedule_closes_the_loop():
    pytest.importorskip("scipy")  # schedule_shifts solves with HiGHS
    # a day of 8 half hours: requirement -> schedule -> projected service
    vol = np.array([20, 60, 110, 140, 120, 90, 60, 30])
    req = cx.staff_requirements(
        vol,
        interval_length=1800,
        aht=240,
        target_service_level=0.8,
        threshold=20,
        shrinkage=0.25,
    )
    patterns = cx.shift_patterns([0, 1, 2, 3, 4], 4, periods_per_day=8, cyclic=False)
    sched = cx.schedule_shifts(req.headcount, patterns)
    p = cx.projected_service(
        sched, vol, interval_length=1800, aht=240, threshold=20, shrinkage=0.25
    )
    assert p.surplus is not None
    assert (p.surplus >= 0).all()
    # every interval covered after shrinkage meets the 80/20 target
    assert (p.intervals.service_level >= 0.8 - 1e-12).all()
    assert p.service_level >= 0.8
    np.testing.assert_array_equal(p.on_queue, np.floor(sched.scheduled * 0.75 + 1e-9))
    table = p.to_dict()
    assert table["surplus"].tolist() == p.surplus.tolist()
    assert "ProjectedService(" in repr(p)


def test_totals_are_weighted_by_volume_erlang_a():
    vol = np.array([30.0, 90.0])
    p = cx.projected_service(
        [5, 9],
        vol,
        interval_length=1800,
        aht=300,
        threshold=30,
        model="erlang_a",
        patience=120,
    )
    m = p.intervals
    assert p.service_level == pytest.approx((vol * m.service_level).sum() / vol.sum())
    assert p.abandon_probability == pytest.approx(
        (vol * m.abandon_probability).sum() / vol.sum()
    )
    answered = vol * (1 - m.abandon_probability)
    assert p.asa == pytest.approx((answered * m.asa).sum() / answered.sum())
    assert p.occupancy == pytest.approx((m.occupancy * [5, 9]).sum() / 14)
    ans = cx.projected_service(
        [5, 9],
        vol,
        interval_length=1800,
        aht=300,
        threshold=30,
        model="erlang_a",
        patience=120,
        definition="answered",
    )
    a = ans.intervals
    assert ans.service_level == pytest.approx(
        (vol * (1 - a.abandon_probability) * a.service_level).sum()
        / (vol * (1 - a.abandon_probability)).sum()
    )


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.floats(0, 300)), min_size=1, max_size=12),
    st.sampled_from([0.0, 0.2, 0.35]),
)
def test_property_projection_equals_queue_metrics(rows, shrink):
    agents = np.array([r[0] for r in rows])
    vol = np.array([r[1] for r in rows])
    if vol.sum() == 0:
        return
    p = cx.projected_service(
        agents, vol, interval_length=900, aht=200, threshold=15, shrinkage=shrink
    )
    on = np.floor(agents * (1 - shrink) + 1e-9)
    ref = cx.queue_metrics(arrival_rate=vol / 900, agents=on, aht=200, threshold=15)
    np.testing.assert_array_equal(p.intervals.service_level, ref.service_level)
    np.testing.assert_array_equal(p.intervals.asa, ref.asa)
    assert 0.0 <= p.service_level <= 1.0


def test_errors():
    with pytest.raises(InvalidInputError, match="one value per interval of `volumes`"):
        cx.projected_service([1, 2], [10], interval_length=1800, aht=180, threshold=20)
    with pytest.raises(
        InvalidInputError, match=r"`scheduled` must be whole numbers; got 1.5"
    ):
        cx.projected_service([1.5], [10], interval_length=1800, aht=180, threshold=20)
    with pytest.raises(
        InvalidInputError, match=r"`volumes` must be >= 0; got -1.0 at index 0"
    ):
        cx.staff_requirements(
            [-1], interval_length=1800, aht=180, target_service_level=0.8, threshold=20
        )
    with pytest.raises(InvalidInputError, match="`interval_length` must be > 0"):
        cx.staff_requirements(
            [1], interval_length=0, aht=180, target_service_level=0.8, threshold=20
        )
    with pytest.raises(InvalidInputError, match="`model` must be one of"):
        cx.projected_service(
            [1], [1], interval_length=1, aht=1, threshold=1, model="erlang_b"
        )  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`shrinkage` must lie in"):
        cx.projected_service(
            [1], [1], interval_length=1, aht=1, threshold=1, shrinkage=1.0
        )
    with pytest.warns(UndefinedMetricWarning, match="no contacts"):
        p = cx.projected_service([1], [0], interval_length=1, aht=1, threshold=1)
    assert np.isnan(p.service_level)
