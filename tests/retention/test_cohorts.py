"""Cohort retention matrices: oracle, properties, masking, merging, errors."""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
import pickle
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    MissingValueError,
    UndefinedMetricWarning,
)
from cxmetrics.retention import _cohorts

# ------------------------------------------------------------------ oracle


def _period(day: dt.date, freq: str) -> tuple[int, ...]:
    if freq == "day":
        return (day.toordinal(),)
    if freq == "week":
        return (day.toordinal() - day.weekday(),)  # ordinal of its Monday
    return (day.year, day.month)


def _next(p: tuple[int, ...], freq: str, k: int) -> tuple[int, ...]:
    if freq == "day":
        return (p[0] + k,)
    if freq == "week":
        return (p[0] + 7 * k,)
    months = p[0] * 12 + p[1] - 1 + k
    return (months // 12, months % 12 + 1)


def cohort_reference(customers, days, freq, amounts=None):
    """Cohorts with dicts and sets, customer by customer."""
    active = defaultdict(set)
    money = defaultdict(int)
    for i, (c, d) in enumerate(zip(customers, days, strict=True)):
        p = _period(d, freq)
        active[c].add(p)
        if amounts is not None:
            money[c, p] += amounts[i]
    cohorts = defaultdict(list)
    for c, periods in active.items():
        cohorts[min(periods)].append(c)
    width = 0
    last_p = max(p for ps in active.values() for p in ps)
    for p in cohorts:
        k = 0
        while _next(p, freq, k) <= last_p:
            k += 1
        width = max(width, k)
    out = {}
    for p in sorted(cohorts):
        members = cohorts[p]
        classic, unbounded, revenue = [], [], []
        for k in range(width):
            q = _next(p, freq, k)
            classic.append(sum(1 for c in members if q in active[c]))
            unbounded.append(sum(1 for c in members if max(active[c]) >= q))
            revenue.append(sum(money[c, q] for c in members))
        out[p] = (len(members), classic, unbounded, revenue)
    return out


@st.composite
def activity_logs(draw, max_rows=40):
    n = draw(st.integers(1, max_rows))
    customers = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    offsets = draw(st.lists(st.integers(0, 200), min_size=n, max_size=n))
    days = [dt.date(2023, 12, 25) + dt.timedelta(days=o) for o in offsets]
    amounts = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n))
    return customers, days, amounts


@settings(deadline=None)
@given(activity_logs(), st.sampled_from(["day", "week", "month"]))
def test_vectorised_equals_the_oracle(log, freq):
    customers, days, amounts = log
    time = np.array(days, dtype="datetime64[D]")
    res = cx.cohort_matrix(customers, time, freq=freq, amount=amounts, minor_units=1)
    ref = cohort_reference(customers, days, freq, amounts)
    assert len(res.cohorts) == len(ref)
    for i, (size, classic, unbounded, revenue) in enumerate(ref.values()):
        assert res.sizes[i] == size
        w = len(classic)
        assert res.classic.shape[1] == w
        # cells beyond the data are masked (and hold 0); the rest must match
        seen = ~res.mask[i]
        assert res.classic[i][seen].tolist() == np.array(classic)[seen].tolist()
        assert res.unbounded[i][seen].tolist() == np.array(unbounded)[seen].tolist()
        assert res.revenue[i][seen].tolist() == np.array(revenue)[seen].tolist()
    # the labels are the cohorts' first periods
    firsts = sorted(ref)
    if freq == "month":
        assert res.cohorts.astype(str).tolist() == [
            f"{y:04d}-{m:02d}" for y, m in firsts
        ]
    else:
        assert [dt.date.fromisoformat(str(c)).toordinal() for c in res.cohorts] == [
            p[0] for p in firsts
        ]


@settings(deadline=None)
@given(activity_logs(), st.sampled_from(["day", "week", "month", "quarter", "year"]))
def test_properties(log, freq):
    customers, days, _ = log
    time = np.array(days, dtype="datetime64[D]")
    res = cx.cohort_matrix(customers, time, freq=freq, definition="unbounded")
    classic = cx.cohort_matrix(customers, time, freq=freq)
    # unbounded retention >= classic; both in [0, 1]; NaN exactly where masked
    assert (res.unbounded >= res.classic).all()
    np.testing.assert_array_equal(res.unbounded, classic.unbounded)
    for r in (res, classic):
        assert np.array_equal(np.isnan(r.value), r.mask)
        ok = r.value[~r.mask]
        assert ((ok >= 0) & (ok <= 1)).all()
        assert (r.value[:, 0][~r.mask[:, 0]] == 1).all()
    # unbounded counts never increase along a row
    assert (np.diff(res.unbounded, axis=1) <= 0).all()
    assert res.n == len(set(customers))
    # a customer counts in one cohort; every cohort is non-empty
    assert (res.sizes > 0).all()
    # order of rows does not matter
    order = np.argsort(np.array(days, dtype="datetime64[D]"))[::-1]
    again = cx.cohort_matrix(np.array(customers)[order], time[order], freq=freq)
    np.testing.assert_array_equal(again.classic, classic.classic)


def test_worked_example_and_mask():
    customer = ["a", "a", "b", "b", "c", "a", "d"]
    time = np.array(
        [
            "2024-01-03",
            "2024-01-20",
            "2024-01-09",
            "2024-03-01",
            "2024-02-14",
            "2024-03-30",
            "2024-03-05",
        ],
        dtype="datetime64[D]",
    )
    res = cx.cohort_matrix(customer, time, as_of="2024-04-01")
    assert res.sizes.tolist() == [2, 1, 1]
    assert res.classic.tolist() == [[2, 0, 2], [1, 0, 0], [1, 0, 0]]
    assert res.unbounded.tolist() == [[2, 2, 2], [1, 0, 0], [1, 0, 0]]
    assert res.mask.tolist() == [
        [False, False, False],
        [False, False, True],
        [False, True, True],
    ]
    assert "'.' = not yet observable" in repr(res)
    # as of mid-March, March is not complete: its cells are masked and hold 0
    mid = cx.cohort_matrix(customer, time, as_of="2024-03-31T12:00")
    assert mid.mask.tolist() == [
        [False, False, True],
        [False, True, True],
        [True, True, True],
    ]
    assert mid.classic.tolist() == [[2, 0, 0], [1, 0, 0], [0, 0, 0]]
    assert np.isnan(mid.value[2]).all()
    # as of 2024-06-01 two more (empty, masked) months appear
    later = cx.cohort_matrix(customer, time, as_of="2024-06-01")
    assert later.mask.shape == (3, 5)
    assert later.mask[0].tolist() == [False] * 5
    assert later.classic[0].tolist() == [2, 0, 2, 0, 0]


def test_weeks_start_on_monday():
    # 2024-01-07 is a Sunday, 2024-01-08 a Monday
    time = np.array(["2024-01-07", "2024-01-08", "2024-01-14"], dtype="datetime64[D]")
    res = cx.cohort_matrix([1, 1, 2], time, freq="week")
    assert res.cohorts.astype(str).tolist() == ["2024-01-01", "2024-01-08"]
    assert res.classic.tolist() == [[1, 1], [1, 0]]


def test_revenue_cohorts():
    time = np.array(
        ["2024-01-05", "2024-02-11", "2024-01-20", "2024-01-21"], dtype="datetime64[D]"
    )
    res = cx.cohort_matrix(["x", "x", "y", "y"], time, amount=[10.5, 12, 3.25, 1])
    assert res.revenue.tolist() == [[1475, 1200]]
    np.testing.assert_allclose(res.revenue_rates(), [[1.0, 1200 / 1475]])
    with pytest.raises(InvalidInputError, match="no revenue"):
        cx.cohort_matrix(["x"], time[:1]).revenue_rates()
    free = cx.cohort_matrix(["x", "x"], time[:2], amount=[0, 5])
    with pytest.warns(UndefinedMetricWarning, match="no revenue in their first period"):
        rates = free.revenue_rates()
    assert np.isnan(rates).all()


def test_confidence_interval():
    time = np.array(["2024-01-05", "2024-02-11", "2024-01-20"], dtype="datetime64[D]")
    res = cx.cohort_matrix([1, 1, 2], time, as_of="2024-03-15")
    ci = res.confidence_interval()
    assert np.array_equal(np.isnan(ci.low), res.mask)
    ref = cx.stats.proportion_interval(1, 2)
    assert ci.low[0, 1] == ref.low


def test_to_pandas():
    pd = pytest.importorskip("pandas")
    time = np.array(["2024-01-05", "2024-02-11", "2024-01-20"], dtype="datetime64[D]")
    res = cx.cohort_matrix([1, 1, 2], time, as_of="2024-03-15")
    frame = res.to_pandas()
    assert frame.index.tolist() == ["2024-01"]
    assert frame.columns.tolist() == [0, 1, 2]
    assert pd.isna(frame.iloc[0, 2])
    counts = res.to_pandas("counts")
    assert counts.iloc[0, :2].tolist() == [2, 1]
    with pytest.raises(InvalidInputError, match="`what` must be one of"):
        res.to_pandas("sizes")


def test_inputs_not_mutated_and_other_input_types():
    customers = np.array(["b", "a", "b"])
    time = np.array(["2024-01-05", "2024-02-11", "2024-03-20"], dtype="datetime64[s]")
    before = (customers.copy(), time.copy())
    res = cx.cohort_matrix(customers, time)
    np.testing.assert_array_equal(customers, before[0])
    np.testing.assert_array_equal(time, before[1])
    as_dates = cx.cohort_matrix(
        customers.tolist(),
        [dt.date(2024, 1, 5), dt.date(2024, 2, 11), dt.date(2024, 3, 20)],
    )
    np.testing.assert_array_equal(as_dates.classic, res.classic)
    as_text = cx.cohort_matrix(customers, ["2024-01-05", "2024-02-11", "2024-03-20"])
    np.testing.assert_array_equal(as_text.classic, res.classic)


def test_bitmap_and_sort_paths_agree(monkeypatch):
    rng = np.random.default_rng(7)
    customers = rng.integers(0, 300, 5000)
    time = np.datetime64("2023-01-01") + rng.integers(0, 700, 5000).astype(
        "timedelta64[D]"
    )
    dense = cx.cohort_matrix(customers, time, freq="week")
    monkeypatch.setattr(_cohorts, "_BITMAP_CELLS", 0)
    sparse = cx.cohort_matrix(customers, time, freq="week")
    np.testing.assert_array_equal(dense.classic, sparse.classic)
    np.testing.assert_array_equal(dense.unbounded, sparse.unbounded)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"as_of": "2024-02-11"},
            InvalidInputError,
            r"`as_of` \(2024-02-11\) must be after the latest activity",
        ),
        ({"freq": "hour"}, InvalidInputError, "`freq` must be one of"),
        ({"definition": "rolling"}, InvalidInputError, "`definition` must be one of"),
        (
            {"amount": [1, 2]},
            InvalidInputError,
            "`amount` must have the same length as `time`",
        ),
        ({"amount": [1, 2, 0.001]}, InvalidInputError, "whole multiples of 1/100"),
    ],
)
def test_errors(kwargs, error, match):
    time = np.array(["2024-01-05", "2024-02-11", "2024-01-20"], dtype="datetime64[D]")
    with pytest.raises(error, match=match):
        cx.cohort_matrix([1, 1, 2], time, **kwargs)


def test_missing_values_are_errors():
    with pytest.raises(MissingValueError, match=r"`time` contains 1 missing instant"):
        cx.cohort_matrix([1, 2], np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"))
    with pytest.raises(MissingValueError, match=r"`customer` contains 1 missing key"):
        cx.cohort_matrix([1.0, float("nan")], ["2024-01-01", "2024-01-02"])
    with pytest.raises(
        InvalidInputError, match=r"`customer` must have the same length as `time`"
    ):
        cx.cohort_matrix([1], ["2024-01-01", "2024-01-02"])


def test_empty_log():
    with pytest.warns(UndefinedMetricWarning, match="without any activity"):
        res = cx.cohort_matrix([], np.array([], dtype="datetime64[D]"))
    assert res.n == 0
    assert res.value.shape == (0, 0)


# --------------------------------------------------------------- merge laws


@settings(deadline=None)
@given(activity_logs(), st.data())
def test_states_of_customer_partitions_merge_exactly(log, data):
    customers, days, amounts = log
    customers = np.array(customers)
    time = np.array(days, dtype="datetime64[D]")
    amounts = np.array(amounts)
    k = data.draw(st.integers(1, 3))
    part = customers % k
    pieces = [
        cx.CohortState.from_activity(
            customers[part == i], time[part == i], amount=amounts[part == i]
        )
        for i in range(k)
    ]
    whole = cx.CohortState.from_activity(customers, time, amount=amounts)
    merged = functools.reduce(operator.add, pieces, cx.CohortState.empty())
    assert merged == whole
    assert pieces[0] + whole == whole + pieces[0]
    if k == 3:
        assert (pieces[0] + pieces[1]) + pieces[2] == pieces[0] + (
            pieces[1] + pieces[2]
        )
    assert cx.CohortState.from_dict(json.loads(json.dumps(whole.to_dict()))) == whole
    assert pickle.loads(pickle.dumps(whole)) == whole


def test_splitting_one_customer_across_states_is_not_the_same():
    # documented: states must partition customers, not time
    time = np.array(["2024-01-05", "2024-02-11"], dtype="datetime64[D]")
    whole = cx.CohortState.from_activity(["x", "x"], time)
    by_time = cx.CohortState.from_activity(
        ["x"], time[:1]
    ) + cx.CohortState.from_activity(["x"], time[1:])
    assert by_time.n == 2
    assert whole.n == 1


def test_incompatible_cohort_states():
    a = cx.CohortState.from_activity([1], ["2024-01-01"])
    with pytest.raises(IncompatibleStateError, match="freq/minor_units"):
        a + cx.CohortState.from_activity([1], ["2024-01-01"], freq="week")
    with pytest.raises(IncompatibleStateError, match="with revenue and one without"):
        a + cx.CohortState.from_activity([2], ["2024-01-01"], amount=[1])
    with pytest.raises(InvalidInputError, match="describes"):
        cx.CohortState.from_dict({"type": "RevenueMatrix"})
