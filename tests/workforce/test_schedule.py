"""Shift patterns and schedule_shifts: published optima, pyworkforce, OR-Tools, properties, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import ConvergenceWarning, CXMetricsError, InvalidInputError

pytest.importorskip("scipy")

# Winston, Operations Research: Applications and Algorithms (4th ed.), §9.2
# Example 4 (post office): 17, 13, 15, 19, 14, 16, 11 full-time employees
# Monday..Sunday, five consecutive days on and two off: the optimum is 23.
POST_OFFICE = [17, 13, 15, 19, 14, 16, 11]

# pyworkforce's own test instance (pyworkforce/scheduling/tests/test_shifts.py), day 1
PW_REQUIRED = [
    9,
    11,
    17,
    9,
    7,
    12,
    5,
    11,
    8,
    9,
    18,
    17,
    8,
    12,
    16,
    8,
    7,
    12,
    11,
    10,
    13,
    19,
    16,
    7,
]
PW_REQUIRED_2 = [
    13,
    13,
    12,
    15,
    18,
    20,
    13,
    16,
    17,
    8,
    13,
    11,
    6,
    19,
    11,
    20,
    19,
    17,
    10,
    13,
    14,
    23,
    16,
    8,
]
PW_COVERAGE = {
    "Morning": [0] * 5 + [1] * 8 + [0] * 11,
    "Afternoon": [0] * 13 + [1] * 8 + [0] * 3,
    "Night": [1] * 5 + [0] * 16 + [1] * 3,
    "Mixed": [0] * 9 + [1] * 8 + [0] * 7,
}

# A cyclic daily call-centre schedule with 8-hour shifts starting at any hour
# (Hanzalek, CTU "Combinatorial Optimization" exercise on ILP; optimum 55).
CYCLIC_DAY = [
    6,
    6,
    6,
    6,
    6,
    8,
    9,
    12,
    18,
    22,
    25,
    21,
    21,
    20,
    18,
    21,
    21,
    24,
    24,
    18,
    18,
    18,
    12,
    8,
]


def test_post_office_winston_optimum_23():
    tours = cx.shift_patterns(0, 1, periods_per_day=1, days=7, days_on=5)
    s = cx.schedule_shifts(POST_OFFICE, tours)
    assert s.headcount == 23
    assert s.optimal
    assert s.method == "milp"
    assert (s.scheduled >= POST_OFFICE).all()
    assert s.value == 23.0
    assert s.n == 7


def test_cyclic_day_optimum_55():
    p = cx.shift_patterns(np.arange(24), 8, periods_per_day=24)
    assert not p.contiguous  # shifts from 17:00 on wrap past midnight
    s = cx.schedule_shifts(CYCLIC_DAY, p)
    assert s.headcount == 55
    assert (s.scheduled >= CYCLIC_DAY).all()


@pytest.mark.parametrize("required", [PW_REQUIRED, PW_REQUIRED_2])
def test_pyworkforce_min_required_resources_equal_objective(required):
    pw = pytest.importorskip("pyworkforce.scheduling")
    ref = pw.MinRequiredResources(
        num_days=1,
        periods=24,
        shifts_coverage=PW_COVERAGE,
        required_resources=[required],
        max_period_concurrency=40,
        max_shift_concurrency=30,
    ).solve()
    assert ref["status"] == "OPTIMAL"
    p = cx.ShiftPatterns.from_coverage(
        list(PW_COVERAGE.values()), names=list(PW_COVERAGE), max_agents=30
    )
    s = cx.schedule_shifts(required, p, max_per_interval=40)
    assert s.headcount == ref["cost"]
    # pyworkforce's cost_dict weights the agents per shift
    costs = {"Morning": 1, "Afternoon": 2, "Night": 3, "Mixed": 1}
    ref = pw.MinRequiredResources(
        num_days=1,
        periods=24,
        shifts_coverage=PW_COVERAGE,
        required_resources=[required],
        max_period_concurrency=40,
        max_shift_concurrency=30,
        cost_dict=costs,
    ).solve()
    p = cx.ShiftPatterns.from_coverage(
        list(PW_COVERAGE.values()),
        names=list(PW_COVERAGE),
        cost=list(costs.values()),
        max_agents=30,
    )
    s = cx.schedule_shifts(required, p, objective="cost", max_per_interval=40)
    assert s.cost == ref["cost"]


@pytest.mark.parametrize("required", [PW_REQUIRED, PW_REQUIRED_2])
def test_pyworkforce_min_abs_difference_equal_objective(required):
    pw = pytest.importorskip("pyworkforce.scheduling")
    ref = pw.MinAbsDifference(
        num_days=1,
        periods=24,
        shifts_coverage=PW_COVERAGE,
        required_resources=[required],
        max_period_concurrency=25,
        max_shift_concurrency=20,
    ).solve()
    assert ref["status"] == "OPTIMAL"
    p = cx.ShiftPatterns.from_coverage(
        list(PW_COVERAGE.values()), names=list(PW_COVERAGE), max_agents=20
    )
    s = cx.schedule_shifts(
        required,
        p,
        objective="deviation",
        under_weight=1,
        over_weight=1,
        max_per_interval=25,
    )
    assert s.objective_value == ref["cost"]
    assert s.understaffed + s.overstaffed == ref["cost"]
    assert (s.scheduled <= 25).all()


def _ortools_min_headcount(required, coverage):
    cp = pytest.importorskip("ortools.sat.python.cp_model")
    m = cp.CpModel()
    x = [m.NewIntVar(0, 1000, f"x{j}") for j in range(len(coverage))]
    for i, r in enumerate(required):
        m.Add(sum(x[j] for j in range(len(coverage)) if coverage[j][i]) >= int(r))
    m.Minimize(sum(x))
    solver = cp.CpSolver()
    solver.parameters.num_search_workers = 1
    solver.parameters.max_time_in_seconds = 30
    assert solver.Solve(m) == cp.OPTIMAL
    return solver.ObjectiveValue()


def test_weekly_tours_with_breaks_match_ortools():
    # a week of hours: 8-hour shifts at 6, 9, 14, 22 with a 1-hour break 3-4 hours in,
    # five consecutive days on; hourly requirement with a daily profile
    day = np.array(
        [1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 5, 5, 6, 6, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    )
    week = np.concatenate([day + (d % 3) for d in range(7)])
    p = cx.shift_patterns(
        [6, 9, 14, 22],
        8,
        periods_per_day=24,
        days=7,
        days_on=5,
        break_window=(3, 4),
        break_length=1,
    )
    s = cx.schedule_shifts(week, p, mip_rel_gap=0.0)
    assert s.optimal
    assert s.headcount == _ortools_min_headcount(week, p.coverage.tolist())
    assert (s.scheduled >= week).all()


def test_lp_on_interval_matrix_and_objectives():
    p = cx.shift_patterns([0, 2, 4], [4, 4, 4], periods_per_day=8, cyclic=False)
    assert p.contiguous
    req = [1, 2, 3, 3, 2, 2, 1, 1]
    s = cx.schedule_shifts(req, p)
    assert s.method == "lp"
    t = cx.schedule_shifts(req, p, method="milp")
    assert t.method == "milp"
    assert s.headcount == t.headcount
    paid = cx.schedule_shifts(req, p, objective="paid_time")
    assert paid.objective_value == paid.paid == 4 * paid.headcount


def test_shift_patterns_layout():
    night = cx.shift_patterns(22, 8, periods_per_day=24, days=7)
    assert night.n_patterns == 7
    assert night.n_intervals == 168
    # Sunday's night shift ends on Monday morning
    assert night.coverage[6, :6].tolist() == [1] * 6
    assert night.coverage[6, 166:].tolist() == [1, 1]
    assert night.paid.tolist() == [8.0] * 7
    tours = cx.shift_patterns(0, 2, periods_per_day=2, days=7, days_on=5, cost=3)
    assert tours.coverage.sum(axis=1).tolist() == [10] * 7
    assert tours.cost.tolist() == [30.0] * 7
    assert tours.names[6] == "0+2 days 6-3"
    b = cx.shift_patterns(8, 9, periods_per_day=24, break_window=(3, 5), break_length=1)
    assert b.n_patterns == 3
    assert b.paid.tolist() == [8.0, 8.0, 8.0]
    assert b.coverage[0, 8:17].tolist() == [1, 1, 1, 0, 1, 1, 1, 1, 1]
    assert not b.coverage.flags.writeable
    assert "break 5" in b.names[2]


def test_string_and_float_inputs():
    # requirements as exported: a CSV column read by pandas, fractional after shrinkage
    pd = pytest.importorskip("pandas")
    import io

    frame = pd.read_csv(
        io.StringIO(
            "interval,required\n08:00,2\n08:30,2\n09:00,3\n09:30,1\n10:00,1\n10:30,1\n11:00,2\n11:30,2\n"
        )
    )
    p = cx.shift_patterns([0, 4], 4, periods_per_day=8, cyclic=False)
    s = cx.schedule_shifts(frame["required"], p)
    assert s.agents.tolist() == [3, 2]
    f = cx.schedule_shifts([1.5, 2, 2, 0.2, 1, 1, 1, 1], p)
    assert f.agents.tolist() == [2, 1]
    assert f.surplus[0] == 0.5


@st.composite
def instances(draw):
    ppd = draw(st.integers(3, 8))
    days = draw(st.integers(1, 3))
    n = ppd * days
    starts = draw(
        st.lists(st.integers(0, ppd - 1), min_size=1, max_size=4, unique=True)
    )
    length = draw(st.integers(1, ppd))
    req = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    return np.array(starts), length, ppd, days, np.array(req)


@settings(max_examples=30)
@given(instances())
def test_property_cover_and_lower_bound(inst):
    starts, length, ppd, days, req = inst
    p = cx.shift_patterns(starts, length, periods_per_day=ppd, days=days)
    uncovered = (req > 0) & (p.coverage.sum(axis=0) == 0)
    if uncovered.any():
        with pytest.raises(InvalidInputError, match="no pattern"):
            cx.schedule_shifts(req, p)
        return
    s = cx.schedule_shifts(req, p)
    assert (s.scheduled >= req).all()
    assert s.headcount >= req.max()
    np.testing.assert_array_equal(s.scheduled, p.coverage.T @ s.agents)
    # the covering schedule is feasible for the deviation objective (no under-staffing)
    d = cx.schedule_shifts(req, p, objective="deviation")
    assert d.objective_value <= s.overstaffed + 1e-9


@settings(max_examples=30)
@given(
    st.integers(4, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.integers(0, 7), min_size=n, max_size=n),
            st.lists(st.integers(1, 4), min_size=1, max_size=5),
            st.sampled_from(["headcount", "deviation", "paid_time"]),
        )
    )
)
def test_property_lp_equals_milp_on_single_blocks(args):
    n, req, lengths, objective = args
    starts = [s for s in range(n) for ln in lengths if s + ln <= n]
    lens = [ln for s in range(n) for ln in lengths if s + ln <= n]
    p = cx.shift_patterns(starts, lens, periods_per_day=n, cyclic=False)
    assert p.contiguous
    lp = cx.schedule_shifts(req, p, objective=objective, method="lp")
    mip = cx.schedule_shifts(req, p, objective=objective, method="milp", mip_rel_gap=0)
    assert lp.method == "lp"
    assert lp.objective_value == pytest.approx(mip.objective_value)


def test_time_limit_reports_gap():
    rng = np.random.default_rng(7)
    req = rng.integers(3, 30, size=7 * 48)
    p = cx.shift_patterns(
        np.repeat(np.arange(0, 48, 2), 2),
        np.tile([16, 18], 24),
        periods_per_day=48,
        days=7,
        days_on=5,
        break_window=(6, 9),
        break_length=1,
    )
    # at a tiny time limit HiGHS either has an incumbent (returned, warned, with
    # its gap) or none yet (a clear error naming the time limit); both are honest
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            s = cx.schedule_shifts(req, p, time_limit=1e-3, mip_rel_gap=0)
        except CXMetricsError as err:
            assert "time_limit" in str(err)
        else:
            assert not s.optimal
            assert s.gap > 0
            assert (s.scheduled >= req).all()
            assert any(issubclass(w.category, ConvergenceWarning) for w in caught)


def test_errors_name_argument_value_and_intervals():
    p = cx.shift_patterns([0], 2, periods_per_day=6, cyclic=False)
    with pytest.raises(InvalidInputError, match=r"interval\(s\) 2, 3, 5 \(3 in all\)"):
        cx.schedule_shifts([1, 1, 1, 1, 0, 2], p)
    with pytest.raises(
        InvalidInputError, match=r"`required` must be >= 0; got -1.0 at index 1"
    ):
        cx.schedule_shifts([1, -1, 0, 0, 0, 0], p)
    with pytest.raises(InvalidInputError, match="one value per interval"):
        cx.schedule_shifts([1, 1], p)
    with pytest.raises(InvalidInputError, match="`objective` must be one of"):
        cx.schedule_shifts([1] * 6, p, objective="agents")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        cx.schedule_shifts([1] * 6, p, method="simplex")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`under_weight` must be > 0"):
        cx.schedule_shifts([1] * 6, p, under_weight=0)
    with pytest.raises(InvalidInputError, match="max_per_interval"):
        cx.schedule_shifts([3, 3, 0, 0, 0, 0], p, max_per_interval=2)
    with pytest.raises(InvalidInputError, match="must be a ShiftPatterns"):
        cx.schedule_shifts([1] * 6, [[1, 1, 0, 0, 0, 0]])  # type: ignore[arg-type]
    cyc = cx.shift_patterns([0], 1, periods_per_day=1, days=7, days_on=5)
    with pytest.raises(InvalidInputError, match="method='lp'"):
        cx.schedule_shifts(POST_OFFICE, cyc, method="lp")
    tight = cx.ShiftPatterns.from_coverage([[1, 1], [0, 1]], max_agents=[5, 5])
    with pytest.raises(CXMetricsError, match=r"found no schedule|infeasible"):
        cx.schedule_shifts([3, 0], tight, max_per_interval=[5, 2])


def test_pattern_errors():
    with pytest.raises(
        InvalidInputError, match=r"`lengths` must be >= 1 interval; got 0 at index 1"
    ):
        cx.shift_patterns([0, 1], [2, 0], periods_per_day=4)
    with pytest.raises(
        InvalidInputError,
        match=r"`starts` must lie in \[0, periods_per_day\) = \[0, 4\); got 4",
    ):
        cx.shift_patterns([4], 2, periods_per_day=4)
    with pytest.raises(InvalidInputError, match="runs past the end of the horizon"):
        cx.shift_patterns([22], 8, periods_per_day=24, cyclic=False)
    with pytest.raises(InvalidInputError, match="`days_on` must be at most `days`"):
        cx.shift_patterns(0, 1, periods_per_day=1, days=7, days_on=8)
    with pytest.raises(InvalidInputError, match="end before it ends"):
        cx.shift_patterns(0, 4, periods_per_day=8, break_window=(2, 3), break_length=1)
    with pytest.raises(InvalidInputError, match="needs `break_window`"):
        cx.shift_patterns(0, 4, periods_per_day=8, break_length=1)
    with pytest.raises(InvalidInputError, match="at most 8 intervals"):
        cx.shift_patterns(0, 9, periods_per_day=8)
    with pytest.raises(InvalidInputError, match=r"work no interval, rows 1"):
        cx.ShiftPatterns.from_coverage([[1, 0], [0, 0]])
    with pytest.raises(
        InvalidInputError, match=r"`coverage` must lie in \[0, 1\]; got 2"
    ):
        cx.ShiftPatterns.from_coverage([[1, 2]])
    with pytest.raises(InvalidInputError, match="2-D"):
        cx.ShiftPatterns.from_coverage([1, 0])


def test_results_are_frozen_and_input_untouched():
    req = np.array([1, 2, 2, 1, 0, 0])
    before = req.copy()
    p = cx.shift_patterns([0, 1], 3, periods_per_day=6, cyclic=False)
    s = cx.schedule_shifts(req, p)
    np.testing.assert_array_equal(req, before)
    with pytest.raises(ValueError, match="read-only"):
        s.agents[0] = 5
    with pytest.raises(AttributeError):
        s.headcount = 1  # type: ignore[misc]
    assert "ShiftSchedule(" in repr(s)
    assert s.patterns()["agents"].sum() == s.headcount
    assert s.to_dict()["surplus"].tolist() == s.surplus.tolist()


@settings(max_examples=60)
@given(
    st.integers(4, 12).flatmap(
        lambda ppd: st.tuples(
            st.just(ppd),
            st.integers(0, ppd - 1),
            st.integers(3, ppd),
            st.integers(1, 7),
            st.integers(1, 7),
            st.booleans(),
        )
    )
)
def test_property_pattern_structure(args):
    ppd, start, length, days, days_on, with_break = args
    days_on = min(days_on, days)
    kw = {"break_window": (1, length - 2), "break_length": 1} if with_break else {}
    p = cx.shift_patterns(
        start, length, periods_per_day=ppd, days=days, days_on=days_on, **kw
    )
    n_break = length - 2 if with_break else 1
    assert p.n_patterns == days * n_break
    worked = days_on * (length - (1 if with_break else 0))
    np.testing.assert_array_equal(p.paid, worked)
    np.testing.assert_array_equal(p.coverage.sum(axis=1), worked)
    # the tour starting on day d is the day-0 tour rotated by d days (a cyclic week)
    first = p.coverage[:n_break]
    for d in range(days):
        np.testing.assert_array_equal(
            p.coverage[d * n_break : (d + 1) * n_break], np.roll(first, d * ppd, axis=1)
        )
