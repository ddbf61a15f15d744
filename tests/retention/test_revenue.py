"""Revenue retention: MRR movements, GRR/NRR, quick ratio, money in minor units."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import operator
import pickle
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
    UndefinedMetricWarning,
)

# ------------------------------------------------------------------ oracles


def movements_reference(matrix, n_periods):
    """Movements customer by customer, period by period, with plain ints and dicts."""
    out = [defaultdict(int) for _ in range(max(n_periods - 1, 0))]
    for row in matrix:
        seen = row[0] > 0
        for k in range(1, n_periods):
            before, now = int(row[k - 1]), int(row[k])
            o = out[k - 1]
            o["opening"] += before
            o["closing"] += now
            if before == 0 and now > 0:
                kind = "reactivation" if seen else "new"
                o[kind] += now
                o[kind + "_customers"] += 1
            elif before > 0 and now == 0:
                o["churned"] += before
                o["churned_customers"] += 1
            elif before > 0 and now > before:
                o["expansion"] += now - before
                o["expansion_customers"] += 1
            elif before > 0 and now < before:
                o["contraction"] += before - now
                o["contraction_customers"] += 1
            seen = seen or now > 0
    return out


def check_identity(mv):
    assert (
        mv.opening
        + mv.new
        + mv.expansion
        - mv.contraction
        - mv.churned
        + mv.reactivation
        == mv.closing
    ).all()
    assert (
        mv.customers_opening
        + mv.new_customers
        + mv.reactivation_customers
        - mv.churned_customers
        == mv.customers_closing
    ).all()


matrices = hnp.arrays(
    np.int64,
    st.tuples(st.integers(0, 8), st.integers(2, 10)),
    elements=st.one_of(st.just(0), st.integers(0, 5), st.integers(0, 10**9)),
)


@given(matrices)
def test_movements_equal_the_oracle_and_add_up(m):
    mv = cx.mrr_movements(m, minor_units=1)
    check_identity(mv)
    ref = movements_reference(m.tolist(), m.shape[1])
    for name in (
        "opening",
        "closing",
        "new",
        "expansion",
        "contraction",
        "churned",
        "reactivation",
        "new_customers",
        "expansion_customers",
        "contraction_customers",
        "churned_customers",
        "reactivation_customers",
    ):
        assert getattr(mv, name).tolist() == [r[name] for r in ref], name


def test_movements_worked_example():
    # customer 1: new 10 -> up 2 -> churn 12 -> back 7; customer 2: 5 -> 5 -> down 2 -> 3 -> 3
    mv = cx.mrr_movements([[0, 10, 12, 0, 7], [5, 5, 3, 3, 3]], minor_units=1)
    assert mv.new.tolist() == [10, 0, 0, 0]
    assert mv.expansion.tolist() == [0, 2, 0, 0]
    assert mv.contraction.tolist() == [0, 2, 0, 0]
    assert mv.churned.tolist() == [0, 0, 12, 0]
    assert mv.reactivation.tolist() == [0, 0, 0, 7]
    assert mv.closing.tolist() == [15, 15, 3, 10]
    assert mv.customers_closing.tolist() == [2, 2, 1, 2]
    assert mv.logo_churn_rate().tolist() == [0.0, 0.0, 0.5, 0.0]
    np.testing.assert_allclose(mv.revenue_churn_rate(), [0, 2 / 15, 12 / 15, 0])
    np.testing.assert_allclose(mv.net_revenue_churn_rate(), [0, 0, 12 / 15, 0])
    assert mv.net_new.tolist() == [10, 0, -12, 7]
    assert mv.value.tolist() == mv.closing.tolist()
    assert "MRRMovements over 4 period(s)" in repr(mv)


def test_quick_ratio():
    mv = cx.mrr_movements([[5, 10, 4, 4], [3, 3, 3, 0], [0, 0, 2, 2]], minor_units=1)
    # period 1: gains 5, losses 0; period 2: gains 2, losses 6; period 3: 0 / 3
    with pytest.warns(UndefinedMetricWarning, match="quick ratio"):
        flat = cx.mrr_movements([[5, 5]], minor_units=1).quick_ratio()
    assert np.isnan(flat).all()
    assert mv.quick_ratio().tolist() == [np.inf, 2 / 6, 0.0]


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_rates_without_opening_are_nan_with_a_warning():
    mv = cx.mrr_movements([[0, 5, 5]], minor_units=1)
    assert np.isnan(mv.revenue_churn_rate()[0])
    assert mv.revenue_churn_rate()[1] == 0.0
    with pytest.warns(
        UndefinedMetricWarning, match="logo churn is undefined in 1 period"
    ):
        mv.logo_churn_rate()


def test_identity_is_enforced_on_construction():
    mv = cx.mrr_movements([[0, 10, 12]], minor_units=1)
    fields = {f: getattr(mv, f) for f in ("periods", *mv._COLUMNS)}
    fields["expansion"] = np.array([0, 3])
    with pytest.raises(
        InvalidInputError, match="MRR movements do not add up in period 2"
    ):
        cx.MRRMovements(**fields, minor_units=1, n=1)


# ------------------------------------------------------- money in minor units


def test_decimal_amounts_convert_exactly():
    m = cx.RevenueMatrix.from_array([[19.99, 0.1, 0.7], [1e6 + 0.01, 0, 2]])
    assert m.amounts.tolist() == [[1999, 10, 70], [100000001, 0, 200]]
    m = cx.RevenueMatrix.from_array(
        np.array([[Decimal("19.99"), "0.10", 3]], dtype=object), minor_units=100
    )
    assert m.amounts.tolist() == [[1999, 10, 300]]
    m = cx.RevenueMatrix.from_array([[1999, 10]], minor_units=1)
    assert m.amounts.tolist() == [[1999, 10]]
    m = cx.RevenueMatrix.from_array([[1.234]], minor_units=1000)
    assert m.amounts.tolist() == [[1234]]
    # float32 amounts are read at float32 precision
    m = cx.RevenueMatrix.from_array(np.array([[19.99, 0.07]], dtype=np.float32))
    assert m.amounts.tolist() == [[1999, 7]]


@given(st.integers(0, 10**13))
def test_every_whole_cent_float_is_accepted_exactly(cents):
    value = cents / 100  # the float nearest to the decimal amount
    m = cx.RevenueMatrix.from_array([[value]])
    assert int(m.amounts[0, 0]) == cents


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        (
            [[19.995]],
            InvalidInputError,
            r"whole multiples of 1/100.*19\.995 at \(row, column\) \(0, 0\)",
        ),
        ([[1, 0.001]], InvalidInputError, r"got 0\.001 at \(row, column\) \(0, 1\)"),
        ([[1, -2]], InvalidInputError, r"must be non-negative; got -2"),
        ([[1, float("nan")]], MissingValueError, r"contains 1 missing amount"),
        ([[1, float("inf")]], InvalidInputError, r"must be finite"),
        ([[1e17]], InvalidInputError, r"too large to convert exactly"),
        ([[2**62]], InvalidInputError, r"too large for 64-bit"),
        ([1, 2], InvalidInputError, r"must be 2-D"),
        ([["a", "1"]], InvalidInputTypeError, r"numbers or decimal strings"),
        (
            np.array([[Decimal("1.001")]], dtype=object),
            InvalidInputError,
            "whole multiples",
        ),
        ([[True, False]], InvalidInputTypeError, "numeric amounts"),
    ],
)
def test_amount_errors(values, error, match):
    with pytest.raises(error, match=match):
        cx.RevenueMatrix.from_array(values)


def test_minor_units_and_customers_validation():
    with pytest.raises(InvalidInputError, match="`minor_units` must be >= 1"):
        cx.RevenueMatrix.from_array([[1]], minor_units=0)
    with pytest.raises(InvalidInputError, match="`customers` must be unique"):
        cx.RevenueMatrix.from_array([[1], [2]], customers=["a", "a"])
    with pytest.raises(InvalidInputError, match="same length"):
        cx.RevenueMatrix.from_array([[1], [2]], customers=["a"])


def test_inputs_are_not_mutated():
    m = np.array([[1.5, 2.25], [0.0, 3.0]])
    before = m.copy()
    cx.mrr_movements(m)
    np.testing.assert_array_equal(m, before)
    res = cx.RevenueMatrix.from_array(m)
    with pytest.raises(ValueError, match="read-only"):
        res.amounts[0, 0] = 5


# ------------------------------------------------------------ subscriptions


def test_subscription_table_worked_example():
    m = cx.RevenueMatrix.from_subscriptions(
        ["a", "a", "b", "c"],
        np.array(
            ["2024-01-01", "2024-02-01", "2024-01-15", "2024-01-20"],
            dtype="datetime64[D]",
        ),
        np.array(
            ["2024-02-01", "2024-04-01", "2024-02-15", "2024-03-10"],
            dtype="datetime64[D]",
        ),
        [10, 12.5, 7, 3],
    )
    # MRR in force at the end of each month; "b" runs mid-January to mid-February
    assert m.periods.astype(str).tolist() == [
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
    ]
    assert m.customers.tolist() == ["a", "b", "c"]
    assert m.amounts.tolist() == [
        [0, 1000, 1250, 1250, 0],
        [0, 700, 0, 0, 0],
        [0, 300, 300, 0, 0],
    ]
    mv = m.movements()
    check_identity(mv)
    assert mv.expansion.tolist() == [0, 250, 0, 0]


def test_subscription_errors():
    with pytest.raises(InvalidInputError, match="`end` must be after `start`"):
        cx.RevenueMatrix.from_subscriptions(["a"], ["2024-02-01"], ["2024-01-01"], [5])
    with pytest.raises(MissingValueError, match="`end` contains 1 missing instant"):
        cx.RevenueMatrix.from_subscriptions(
            ["a"], ["2024-02-01"], [np.datetime64("NaT")], [5]
        )
    with pytest.raises(InvalidInputError, match="`amount` must have the same length"):
        cx.RevenueMatrix.from_subscriptions(
            ["a"], ["2024-01-01"], ["2024-02-01"], [5, 6]
        )
    with pytest.raises(InvalidInputError, match="whole multiples"):
        cx.RevenueMatrix.from_subscriptions(
            ["a"], ["2024-01-01"], ["2024-02-01"], [5.555]
        )


@st.composite
def subscription_tables(draw):
    n = draw(st.integers(1, 15))
    cust = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    start = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    length = draw(st.lists(st.integers(1, 200), min_size=n, max_size=n))
    cents = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))
    s = np.datetime64("2022-12-20", "D") + np.array(start)
    return np.array(cust), s, s + np.array(length), np.array(cents)


@settings(deadline=None)
@given(subscription_tables(), st.data())
def test_matrix_merges_exactly_however_split(table, data):
    cust, s, e, cents = table
    whole = cx.RevenueMatrix.from_subscriptions(cust, s, e, cents, minor_units=1)
    # split subscriptions at random (not by customer): MRR adds up anyway
    part = np.array(
        data.draw(st.lists(st.integers(0, 2), min_size=len(cust), max_size=len(cust)))
    )
    pieces = [
        cx.RevenueMatrix.from_subscriptions(
            cust[part == i], s[part == i], e[part == i], cents[part == i], minor_units=1
        )
        for i in range(3)
        if (part == i).any()
    ]
    merged = functools.reduce(
        operator.add, pieces, cx.RevenueMatrix.empty(minor_units=1)
    )
    assert merged == whole
    if len(pieces) >= 2:
        assert pieces[0] + pieces[1] == pieces[1] + pieces[0]
    if len(pieces) == 3:
        assert (pieces[0] + pieces[1]) + pieces[2] == pieces[0] + (
            pieces[1] + pieces[2]
        )
    assert cx.RevenueMatrix.from_dict(json.loads(json.dumps(whole.to_dict()))) == whole
    assert pickle.loads(pickle.dumps(whole)) == whole
    check_identity(whole.movements())


def test_incompatible_matrices():
    a = cx.RevenueMatrix.from_array([[1, 2]])
    with pytest.raises(IncompatibleStateError, match="freq/minor_units"):
        a + cx.RevenueMatrix.from_array([[1, 2]], minor_units=1)
    with pytest.raises(IncompatibleStateError, match="cannot merge RevenueMatrix"):
        a.merge(cx.CohortState.empty())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="describes"):
        cx.RevenueMatrix.from_dict({"type": "X"})


# ------------------------------------------------------------- GRR and NRR

RETENTION_CASE = [[100, 120, 130], [100, 50, 0], [0, 0, 90], [0, 40, 0]]


@pytest.mark.parametrize(
    ("func", "method", "expected"),
    [
        # snapshot: cohort {1, 2} at t0 (200); at t2: 130 + 0; capped: 100 + 0
        (cx.gross_revenue_retention, "snapshot", (100, 200)),
        (cx.net_revenue_retention, "snapshot", (130, 200)),
        # movements over the window: expansion 30, contraction 50, churned 50 + 40
        (cx.gross_revenue_retention, "movements", (60, 200)),
        (cx.net_revenue_retention, "movements", (90, 200)),
    ],
)
def test_retention_worked_example(func, method, expected):
    res = func(RETENTION_CASE, horizon=2, minor_units=1, method=method)
    assert (res.numerator, res.denominator) == expected
    assert res.value == expected[0] / expected[1]
    assert res.n == 2
    assert (res.start, res.end, res.horizon) == (0, 2, 2)
    assert str(res).startswith(("GRR", "NRR"))


def test_retention_start_and_errors():
    m = cx.RevenueMatrix.from_subscriptions(
        ["a", "b"],
        np.array(["2023-01-01", "2023-03-01"], dtype="datetime64[D]"),
        np.array(["2025-01-01", "2024-02-01"], dtype="datetime64[D]"),
        [10, 20],
    )
    res = cx.net_revenue_retention(m, start="2023-03")
    assert res.start == np.datetime64("2023-03")
    assert res.end == np.datetime64("2024-03")
    assert res.value == 10 / 30
    latest = cx.net_revenue_retention(m)
    assert latest.end == m.periods[-1]
    with pytest.raises(InvalidInputError, match="fewer than `horizon`"):
        cx.net_revenue_retention(m, start="2024-06")
    with pytest.raises(InvalidInputError, match="`start` must be one of the periods"):
        cx.net_revenue_retention(m, start="2031-01")
    with pytest.raises(InvalidInputError, match="needs at least 13 periods"):
        cx.net_revenue_retention([[1, 2, 3]])
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        cx.net_revenue_retention(m, method="cohort")
    with pytest.warns(UndefinedMetricWarning, match="no MRR at the start"):
        res = cx.gross_revenue_retention([[0, 5]], horizon=1)
    assert np.isnan(res.value)


@given(
    hnp.arrays(
        np.int64,
        st.tuples(st.integers(1, 8), st.integers(2, 8)),
        elements=st.integers(0, 1000),
    ),
    st.sampled_from(["snapshot", "movements"]),
)
def test_grr_at_most_one_and_at_most_nrr(m, method):
    m[:, 0] += 1  # some opening MRR
    h = m.shape[1] - 1
    grr = cx.gross_revenue_retention(m, horizon=h, minor_units=1, method=method)
    nrr = cx.net_revenue_retention(m, horizon=h, minor_units=1, method=method)
    assert grr.value <= 1.0
    assert grr.value <= nrr.value
    assert grr.denominator == nrr.denominator == int(m[:, 0].sum())
    if method == "snapshot":
        assert grr.value >= 0.0


# --------------------------------------------- the dbt mrr-playbook fixture


def _month(text):
    return dt.date.fromisoformat(text).replace(day=1)


def _next_month(d):
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@pytest.fixture
def playbook(shared_dir):
    path = shared_dir / "fixtures" / "mrr-playbook" / "subscription_periods.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def mrr_by_month_reference(rows):
    """MRR per customer per month: the amount of every subscription active at the
    end of the month (start <= month start < end, month-aligned), summed."""
    mrr = defaultdict(lambda: defaultdict(int))
    for r in rows:
        month, end = _month(r["start_date"]), dt.date.fromisoformat(r["end_date"])
        while month < end:
            mrr[r["customer_id"]][month] += int(r["monthly_amount"]) * 100
            month = _next_month(month)
    return mrr


def test_playbook_movements(playbook):
    m = cx.RevenueMatrix.from_subscriptions(
        [int(r["customer_id"]) for r in playbook],
        [r["start_date"] for r in playbook],
        [r["end_date"] for r in playbook],
        [int(r["monthly_amount"]) for r in playbook],
    )
    mv = m.movements()
    check_identity(mv)  # every month, exactly
    months = [dt.date.fromisoformat(str(p) + "-01") for p in mv.periods]
    assert months[0] == dt.date(2017, 9, 1)
    assert months[-1] == dt.date(2020, 2, 1)
    assert len(months) == 30
    # an independent slow computation: month by month, customer by customer
    mrr = mrr_by_month_reference(playbook)
    all_months = [_month("2017-08-01"), *months]
    matrix = [[mrr[c][mo] for mo in all_months] for c in sorted(mrr, key=int)]
    ref = movements_reference(matrix, len(all_months))
    for name in (
        "new",
        "expansion",
        "contraction",
        "churned",
        "reactivation",
        "closing",
    ):
        assert getattr(mv, name).tolist() == [r[name] for r in ref], name
    assert m.customers.tolist() == sorted(int(c) for c in mrr)
    assert mv.closing[-1] == 0  # every subscription has ended by February 2020
    assert int(mv.churned.sum()) == int(
        mv.new.sum() + mv.reactivation.sum() + mv.expansion.sum() - mv.contraction.sum()
    )


def playbook_reference(rows):
    """The dbt mrr-playbook models (customer_revenue_by_month, customer_churn_month,
    mrr), transcribed rule for rule into plain Python: a month spine from
    2018-01-01, one row per customer-month between the customer's first start
    month and last end month, MRR from the subscription covering the month start,
    a churn row in the month after the last active month, and change categories
    new (first active month), churn, reactivation, upgrade, downgrade."""
    spine_start = dt.date(2018, 1, 1)
    by_customer = defaultdict(list)
    for r in rows:
        by_customer[r["customer_id"]].append(r)
    changes = defaultdict(lambda: defaultdict(int))
    totals = defaultdict(int)
    for subs in by_customer.values():
        first = min(_month(r["start_date"]) for r in subs)
        last = max(_month(r["end_date"]) for r in subs)
        month = max(first, spine_start)
        rows_c = []
        while month < last:
            amount = 0
            for r in subs:  # no overlaps in this data set: at most one match
                if (
                    dt.date.fromisoformat(r["start_date"])
                    <= month
                    < dt.date.fromisoformat(r["end_date"])
                ):
                    amount = int(r["monthly_amount"])
            rows_c.append([month, amount])
            month = _next_month(month)
        active = [mo for mo, a in rows_c if a > 0]
        if not active:
            continue
        first_active, last_active = min(active), max(active)
        rows_c.append([_next_month(last_active), 0])  # customer_churn_month
        prev_active, prev_mrr = False, 0
        for mo, a in rows_c:
            is_active = a > 0
            change = a - prev_mrr
            if mo == first_active:
                changes[mo]["new"] += change
            elif not is_active and prev_active:
                changes[mo]["churn"] += change
            elif is_active and not prev_active:
                changes[mo]["reactivation"] += change
            elif change > 0:
                changes[mo]["upgrade"] += change
            elif change < 0:
                changes[mo]["downgrade"] += change
            totals[mo] += a
            prev_active, prev_mrr = is_active, a
    return changes, totals


def test_playbook_against_the_dbt_models(playbook):
    mv = cx.mrr_movements(
        cx.RevenueMatrix.from_subscriptions(
            [r["customer_id"] for r in playbook],
            [r["start_date"] for r in playbook],
            [r["end_date"] for r in playbook],
            [r["monthly_amount"] for r in playbook],
            minor_units=1,
        )
    )
    changes, totals = playbook_reference(playbook)
    compared = 0
    for i, period in enumerate(mv.periods):
        month = dt.date.fromisoformat(str(period) + "-01")
        if month < dt.date(2018, 1, 1):
            # the playbook's month spine starts in 2018: its customers of 2017
            # (ids 2, 3, 4, all gone by then) never appear there
            continue
        c = changes[month]
        assert mv.new[i] == c["new"], month
        assert mv.expansion[i] == c["upgrade"], month
        assert mv.contraction[i] == -c["downgrade"], month
        assert mv.churned[i] == -c["churn"], month
        assert mv.reactivation[i] == c["reactivation"], month
        assert mv.closing[i] == totals[month], month
        compared += 1
    assert compared == 26


def test_playbook_retention_and_logo_churn(playbook):
    m = cx.RevenueMatrix.from_subscriptions(
        [r["customer_id"] for r in playbook],
        [r["start_date"] for r in playbook],
        [r["end_date"] for r in playbook],
        [r["monthly_amount"] for r in playbook],
    )
    for method in ("snapshot", "movements"):
        grr = cx.gross_revenue_retention(m, start="2018-12", method=method)
        nrr = cx.net_revenue_retention(m, start="2018-12", method=method)
        assert grr.value <= nrr.value
        assert grr.value <= 1
        assert grr.end == np.datetime64("2019-12")
    # snapshot by hand: customers paying at the end of 2018-12 and a year later
    mrr = mrr_by_month_reference(playbook)
    t0, t1 = dt.date(2018, 12, 1), dt.date(2019, 12, 1)
    base = {c: v[t0] for c, v in mrr.items() if v[t0] > 0}
    later = sum(mrr[c][t1] for c in base)
    capped = sum(min(mrr[c][t1], v) for c, v in base.items())
    nrr = cx.net_revenue_retention(m, start="2018-12")
    grr = cx.gross_revenue_retention(m, start="2018-12")
    assert (nrr.numerator, nrr.denominator) == (later, sum(base.values()))
    assert grr.numerator == capped
    mv = m.movements()
    some = mv.customers_opening > 0
    logo = mv.churned_customers[some] / mv.customers_opening[some]
    with pytest.warns(UndefinedMetricWarning, match="logo churn"):
        np.testing.assert_array_equal(mv.logo_churn_rate()[some], logo)


def test_to_pandas():
    pytest.importorskip("pandas")
    frame = cx.mrr_movements([[0, 1, 2]], minor_units=1).to_pandas()
    assert list(frame.columns)[:3] == ["period", "opening", "new"]
    assert frame["closing"].tolist() == [1, 2]
