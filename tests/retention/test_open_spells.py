"""Spells still running (no end date) and ``as_of``: churn, revenue and the state.

Every subscription export leaves the end date of current customers empty. These
tests feed such exports (pandas frames with text dates, string ids, plan labels,
polars columns, plain lists) to every function that takes spells, and check that
an open spell is exactly a spell closed at ``as_of``, that a placeholder end far
in the future is clipped to ``as_of``, and that the errors say what to do.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

pd = pytest.importorskip("pandas")

DAY = np.timedelta64(1, "D")
T0 = np.datetime64("2024-01-01", "D")
FAR = np.datetime64("2099-12-31", "D")
NAT = np.datetime64("NaT", "D")

# ------------------------------------------------------------- a real export

EXPORT = """customer_id,plan,started_at,ended_at,mrr
C-001,basic,2024-01-15,2024-03-10,10.00
C-002,pro,2024-01-03,,49.00
C-003,basic,2024-02-20,,10.00
C-001,pro,2024-03-10,,49.00
C-004,pro,2024-02-01,2024-04-05,49.00
C-005,basic,2024-03-28,2099-12-31,10.00
"""


@pytest.fixture
def export():
    """The subscription table as read from a CSV: text dates parsed, empty ends NaT."""
    import io

    frame = pd.read_csv(io.StringIO(EXPORT), dtype={"customer_id": str})
    frame["started_at"] = pd.to_datetime(frame["started_at"])
    frame["ended_at"] = pd.to_datetime(frame["ended_at"])
    return frame


AS_OF = "2024-04-20"


def test_export_churn_by_period_by_hand(export):
    before = export.copy()
    res = cx.churn_by_period(
        export["customer_id"],
        export["started_at"],
        export["ended_at"],
        as_of=AS_OF,
        first="2024-02",
    )
    pd.testing.assert_frame_equal(export, before)  # input untouched
    # merged spells: C-001 upgrades on 03-10 (no churn), C-004 leaves on 04-05,
    # everybody else is still active on 2024-04-20 (C-005's 2099 end is clipped)
    assert res.keys.astype(str).tolist() == ["2024-02", "2024-03", "2024-04"]
    assert res.at_start.tolist() == [2, 4, 5]
    assert res.joined.tolist() == [2, 1, 0]
    assert res.churned.tolist() == [0, 0, 1]
    assert res.at_end.tolist() == [4, 5, 4]
    assert res.value.tolist() == [0.0, 0.0, 0.2]
    # April is observed for 19 of its 30 days: 4 customers all of it, C-004 4 days
    assert res.exposure[-1] == pytest.approx((4 * 19 + 4) / 30)


def test_export_churn_state_of_one_window(export):
    state = cx.ChurnState.from_spells(
        export["customer_id"],
        export["started_at"],
        export["ended_at"],
        window_start="2024-04-01",
        window_end="2024-05-01",
        as_of=AS_OF,
    )
    assert (state.at_start, state.joined, state.churned, state.at_end) == (5, 0, 1, 4)
    assert state.window == ("2024-04-01", "2024-05-01")
    grouped = cx.GroupedChurnState.from_spells(
        export["customer_id"], export["started_at"], export["ended_at"], as_of=AS_OF
    )
    assert attrs.evolve(state, window=None) == grouped["2024-04"]


def test_export_revenue_matrix_by_hand(export):
    m = cx.RevenueMatrix.from_subscriptions(
        export["customer_id"],
        export["started_at"],
        export["ended_at"],
        export["mrr"],
        as_of=AS_OF,
    )
    assert m.periods.astype(str).tolist() == [
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
    ]
    assert m.customers.tolist() == ["C-001", "C-002", "C-003", "C-004", "C-005"]
    # the last column is the MRR in force on 2024-04-20
    assert m.amounts.tolist() == [
        [0, 1000, 1000, 4900, 4900],
        [0, 4900, 4900, 4900, 4900],
        [0, 0, 1000, 1000, 1000],
        [0, 0, 4900, 4900, 0],
        [0, 0, 0, 1000, 1000],
    ]
    mv = cx.mrr_movements(m)
    assert mv.new.tolist() == [5900, 5900, 1000, 0]
    assert mv.expansion.tolist() == [0, 0, 3900, 0]
    assert mv.churned.tolist() == [0, 0, 0, 4900]


def test_export_by_plan_label_partitions_and_merges(export):
    """States of the plans' customers add up to the state of every customer."""
    by_customer = export.groupby("customer_id")["plan"].transform("last")
    parts = [
        cx.GroupedChurnState.from_spells(
            export["customer_id"][mask],
            export["started_at"][mask],
            export["ended_at"][mask],
            as_of=AS_OF,
            first="2024-01",
        )
        for mask in (by_customer == "basic", by_customer == "pro")
    ]
    whole = cx.GroupedChurnState.from_spells(
        export["customer_id"], export["started_at"], export["ended_at"], as_of=AS_OF
    )
    assert parts[0] + parts[1] == whole


def test_every_spell_function_needs_as_of_for_an_open_end(export):
    args = (export["customer_id"], export["started_at"], export["ended_at"])
    match = r"`end` contains 3 missing instant\(s\) \(NaT/None\), the first at index 1: spells still running; pass `as_of`"
    with pytest.raises(MissingValueError, match=match):
        cx.churn_by_period(*args)
    with pytest.raises(MissingValueError, match=match):
        cx.GroupedChurnState.from_spells(*args)
    with pytest.raises(MissingValueError, match=match):
        cx.ChurnState.from_spells(
            *args, window_start="2024-01-01", window_end="2024-02-01"
        )
    with pytest.raises(MissingValueError, match=match):
        cx.RevenueMatrix.from_subscriptions(*args, export["mrr"])


# ------------------------------------------------- every form of a missing end


def _closed():
    start = np.array(["2024-01-05", "2024-02-10", "2024-03-01"], dtype="datetime64[D]")
    end = np.array(["2024-03-15", "2024-05-01", "2024-05-01"], dtype="datetime64[D]")
    return start, end


MISSING_ENDS = {
    "numpy NaT": lambda: np.array(["2024-03-15", "NaT", "NaT"], dtype="datetime64[D]"),
    "None in a list": lambda: ["2024-03-15", None, None],
    "NaN in a list": lambda: ["2024-03-15", float("nan"), np.nan],
    "datetime and None": lambda: [dt.datetime(2024, 3, 15), None, pd.NaT],
    "empty text": lambda: np.array(["2024-03-15", "", ""]),
    "pandas NaT": lambda: pd.to_datetime(pd.Series(["2024-03-15", "", None])),
    "pandas nullable text": lambda: pd.Series(
        ["2024-03-15", pd.NA, pd.NA], dtype="string"
    ),
    "pandas object None": lambda: pd.Series(
        [pd.Timestamp("2024-03-15"), None, None], dtype=object
    ),
}


@pytest.mark.parametrize("form", sorted(MISSING_ENDS))
def test_every_form_of_a_missing_end_is_an_open_spell(form):
    start, closed = _closed()
    end = MISSING_ENDS[form]()
    customers = ["a", "b", "c"]
    kw = {"as_of": "2024-05-01", "first": "2024-02"}
    assert cx.churn_by_period(customers, start, end, **kw) == cx.churn_by_period(
        customers, start, closed, **kw
    )
    assert cx.RevenueMatrix.from_subscriptions(
        customers, start, end, [1, 2, 3], **kw
    ) == cx.RevenueMatrix.from_subscriptions(customers, start, closed, [1, 2, 3], **kw)


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_polars_nulls_and_an_all_missing_end_column():
    pl = pytest.importorskip("polars")
    start, closed = _closed()
    frame = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "start": start.astype("datetime64[us]"),
            "end": pl.Series([dt.datetime(2024, 3, 15), None, None]),
        }
    )
    ref = cx.churn_by_period(["a", "b", "c"], start, closed, as_of="2024-05-01")
    assert (
        cx.churn_by_period(
            frame["id"], frame["start"], frame["end"], as_of="2024-05-01"
        )
        == ref
    )
    everyone = np.array(["2024-05-01"] * 3, dtype="datetime64[D]")
    ref_all = cx.churn_by_period(["a", "b", "c"], start, everyone, as_of="2024-05-01")
    for empty in (
        [None, None, None],
        np.full(3, np.nan),
        pd.Series([np.nan] * 3),
        pl.Series([None, None, None], dtype=pl.Datetime),
    ):
        assert (
            cx.churn_by_period(["a", "b", "c"], start, empty, as_of="2024-05-01")
            == ref_all
        )


# ----------------------------------------------------------------- time zones


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_timezone_aware_columns_with_an_aware_as_of():
    start, _ = _closed()
    end = pd.Series(pd.to_datetime(["2024-03-15", None, None]))
    berlin_start = pd.Series(pd.to_datetime(start)).dt.tz_localize("Europe/Berlin")
    berlin_end = end.dt.tz_localize("Europe/Berlin")
    as_of = pd.Timestamp("2024-05-01", tz="Europe/Berlin")
    res = cx.churn_by_period(
        ["a", "b", "c"], berlin_start, berlin_end, as_of=as_of, freq="day"
    )
    # aware instants are compared in UTC: the same as naive UTC wall clocks
    ref = cx.churn_by_period(
        ["a", "b", "c"],
        berlin_start.dt.tz_convert(None),
        berlin_end.dt.tz_convert(None),
        as_of=as_of.tz_convert(None),
        freq="day",
    )
    assert res == ref
    assert res.keys[-1] == np.datetime64("2024-04-30")
    pl = pytest.importorskip("polars")
    pstart = pl.from_pandas(berlin_start)
    pend = pl.from_pandas(berlin_end)
    assert (
        cx.churn_by_period(["a", "b", "c"], pstart, pend, as_of=as_of, freq="day")
        == ref
    )


@pytest.mark.parametrize(
    ("aware", "match"),
    [
        (
            "start",
            r"`start` holds timezone-aware datetimes but `end` and `as_of` naive",
        ),
        ("end", r"`end` holds timezone-aware datetimes but `start` and `as_of` naive"),
        (
            "as_of",
            r"`as_of` holds timezone-aware datetimes but `start` and `end` naive",
        ),
        (
            "columns",
            r"`start` and `end` hold timezone-aware datetimes but `as_of` naive",
        ),
        ("objects", r"`start` holds timezone-aware datetimes but `end` and `as_of`"),
    ],
)
def test_naive_and_aware_instants_are_not_mixed(aware, match):
    start, closed = _closed()
    s = pd.Series(pd.to_datetime(start))
    e = pd.Series(pd.to_datetime(closed))
    as_of: object = "2024-05-01"
    if aware in {"start", "columns"}:
        s = s.dt.tz_localize("UTC")
    if aware in {"end", "columns"}:
        e = e.dt.tz_localize("UTC")
    if aware == "as_of":
        as_of = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    if aware == "objects":
        s = [d.to_pydatetime().replace(tzinfo=dt.UTC) for d in s]
        e = [d.to_pydatetime() for d in e]
    with pytest.raises(InvalidInputError, match=match) as info:
        cx.churn_by_period(["a", "b", "c"], s, e, as_of=as_of)
    assert "not read as UTC" in str(info.value)
    assert "tz_localize" in str(info.value)
    with pytest.raises(InvalidInputError, match=match):
        cx.RevenueMatrix.from_subscriptions(
            ["a", "b", "c"], s, e, [1, 2, 3], as_of=as_of
        )


# --------------------------------------------------------------------- errors


def test_errors_name_the_argument_the_index_and_what_to_do():
    start, closed = _closed()
    with pytest.raises(
        InvalidInputError,
        match=r"`start` must be before `as_of` \(2024-03-01\); got 2024-03-01 at index 2 \(1 such row\(s\)\): those spells are not observed by then; drop them or pass a later `as_of`",
    ):
        cx.churn_by_period(["a", "b", "c"], start, closed, as_of="2024-03-01")
    bad = closed.copy()
    bad[1] = np.datetime64("2024-02-01")
    with pytest.raises(
        InvalidInputError,
        match=r"`end` must be after `start`; got end=2024-02-01 and start=2024-02-10 at index 1 \(1 such row\(s\)\); correct or drop these rows",
    ):
        cx.churn_by_period(["a", "b", "c"], start, bad, as_of="2024-05-01")
    with pytest.raises(
        InvalidInputTypeError,
        match=r"`end` must hold dates or datetimes .* got dtype float64, e.g. 3.5 at index 1; parse text dates first",
    ):
        cx.churn_by_period(
            ["a", "b", "c"], start, [np.nan, 3.5, 4.0], as_of="2024-05-01"
        )
    with pytest.raises(
        InvalidInputError, match=r"`last` \(2024-06\) is in a period after `as_of`"
    ):
        cx.churn_by_period(
            ["a", "b", "c"], start, closed, as_of="2024-05-01", last="2024-06"
        )
    with pytest.raises(
        InvalidInputError, match=r"`last` \(2024-06\) is in a period after `as_of`"
    ):
        cx.RevenueMatrix.from_subscriptions(
            ["a", "b", "c"],
            start,
            closed,
            [1, 2, 3],
            as_of="2024-05-01",
            last="2024-06",
        )
    with pytest.raises(
        InvalidInputError, match=r"`as_of` \(2024-01-01\) must be after `window_start`"
    ):
        cx.ChurnState.from_spells(
            ["a"],
            ["2023-06-01"],
            [None],
            window_start="2024-01-01",
            window_end="2024-02-01",
            as_of="2024-01-01",
        )
    with pytest.raises(MissingValueError, match=r"`as_of` contains 1 missing instant"):
        cx.churn_by_period(["a", "b", "c"], start, closed, as_of=pd.NaT)
    with pytest.raises(
        InvalidInputTypeError, match=r"`as_of` must hold ISO 8601 dates"
    ):
        cx.churn_by_period(["a", "b", "c"], start, closed, as_of="yesterday")


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_without_as_of_a_placeholder_end_builds_periods_up_to_it():
    """Documented: without ``as_of`` the ends are taken as given."""
    start, closed = _closed()
    placeholder = closed.copy()
    placeholder[2] = np.datetime64("2030-12-31")
    res = cx.churn_by_period(["a", "b", "c"], start, placeholder)
    assert str(res.keys[-1]) == "2030-12"
    clipped = cx.churn_by_period(
        ["a", "b", "c"], start, placeholder, as_of="2024-05-01"
    )
    assert str(clipped.keys[-1]) == "2024-04"
    m = cx.RevenueMatrix.from_subscriptions(
        ["a", "b", "c"], start, placeholder, [1, 2, 3]
    )
    assert str(m.periods[-1]) == "2030-12"


# ----------------------------------------------------------------- properties


@st.composite
def open_spell_tables(draw, max_customers=5, max_spells=10):
    n = draw(st.integers(1, max_spells))
    customers = np.array(
        draw(st.lists(st.integers(0, max_customers - 1), min_size=n, max_size=n))
    )
    offsets = np.array(draw(st.lists(st.integers(0, 120), min_size=n, max_size=n)))
    lengths = np.array(draw(st.lists(st.integers(1, 90), min_size=n, max_size=n)))
    is_open = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    start = T0 + offsets * DAY
    end = start + lengths * DAY
    as_of = T0 + draw(st.integers(int(offsets.max()) + 1, 240)) * DAY
    return customers, start, end, is_open, as_of


def _all_spell_results(customers, start, end, as_of, freq="month"):
    return (
        cx.GroupedChurnState.from_spells(customers, start, end, freq=freq, as_of=as_of),
        cx.ChurnState.from_spells(
            customers,
            start,
            end,
            window_start=T0,
            window_end=T0 + 75 * DAY,
            as_of=as_of,
        ),
        cx.RevenueMatrix.from_subscriptions(
            customers,
            start,
            end,
            np.arange(1, customers.size + 1),
            freq=freq,
            as_of=as_of,
        ),
    )


@given(open_spell_tables(), st.sampled_from(["week", "month"]))
def test_open_spell_equals_the_spell_closed_at_as_of(table, freq):
    customers, start, end, is_open, as_of = table
    open_end = np.where(is_open, NAT, end)
    closed_end = np.where(is_open, as_of, end)
    assert _all_spell_results(customers, start, open_end, as_of, freq) == (
        _all_spell_results(customers, start, closed_end, as_of, freq)
    )


@given(open_spell_tables(), st.sampled_from(["week", "month"]))
def test_far_future_end_equals_an_end_at_as_of(table, freq):
    customers, start, end, is_open, as_of = table
    far = np.where(is_open, FAR, end)
    at = np.where(is_open | (end > as_of), as_of, end)
    assert _all_spell_results(customers, start, far, as_of, freq) == (
        _all_spell_results(customers, start, at, as_of, freq)
    )


@given(open_spell_tables(), st.integers(1, 5))
def test_as_of_on_a_month_boundary_equals_periods_up_to_it_with_late_ends(table, gap):
    """A customer active at ``as_of`` is one still active after the last period.

    With ``as_of`` on the first day of a month, the periods up to the month
    before equal the result without ``as_of`` where every spell running at
    ``as_of`` gets an end far after ``last`` (the behaviour before ``as_of``).
    """
    customers, start, end, is_open, _ = table
    last_month = start.max().astype("datetime64[M]") + gap - 1
    as_of = (last_month + 1).astype("datetime64[D]")
    running = is_open | (end > as_of)
    new = cx.GroupedChurnState.from_spells(
        customers, start, np.where(is_open, NAT, end), as_of=as_of
    )
    old = cx.GroupedChurnState.from_spells(
        customers, start, np.where(running, FAR, end), last=last_month
    )
    assert new == old
    amounts = np.arange(1, customers.size + 1)
    assert cx.RevenueMatrix.from_subscriptions(
        customers, start, np.where(is_open, NAT, end), amounts, as_of=as_of
    ) == cx.RevenueMatrix.from_subscriptions(
        customers, start, np.where(running, FAR, end), amounts, last=last_month
    )


# ---------------------------------------------------------------- regressions


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_grouped_churn_results_with_an_undefined_period_compare_equal():
    """Regression: NaN in ``value`` made two identical results unequal."""
    start, closed = _closed()
    a = cx.churn_by_period(["a", "b", "c"], start, closed)
    b = cx.churn_by_period(["a", "b", "c"], start.astype(str), closed.astype(str))
    assert np.isnan(a.value[0])
    assert a == b


def test_window_states_from_pandas_and_numpy_merge():
    """Regression: the window was recorded in the data's unit (ns for pandas),
    so states of the same window from pandas and numpy refused to merge."""
    start, closed = _closed()
    window = {"window_start": "2024-03-01", "window_end": "2024-04-01"}
    a = cx.ChurnState.from_spells(["a"], start[:1], closed[:1], **window)
    b = cx.ChurnState.from_spells(
        ["b", "c"],
        pd.Series(pd.to_datetime(start[1:])),
        pd.Series(pd.to_datetime(closed[1:])),
        **window,
    )
    whole = cx.ChurnState.from_spells(["a", "b", "c"], start, closed, **window)
    assert a.window == b.window == ("2024-03-01", "2024-04-01")
    assert a + b == whole


def test_cohort_matrix_refuses_naive_as_of_with_aware_times():
    time = pd.Series(pd.to_datetime(["2024-01-03", "2024-02-07"])).dt.tz_localize("UTC")
    with pytest.raises(
        InvalidInputError,
        match=r"`time` holds timezone-aware datetimes but `as_of` naive ones",
    ):
        cx.cohort_matrix(["a", "a"], time, as_of="2024-03-01")
    aware = cx.cohort_matrix(
        ["a", "a"], time, as_of=pd.Timestamp("2024-03-01", tz="UTC")
    )
    naive = cx.cohort_matrix(["a", "a"], time.dt.tz_convert(None), as_of="2024-03-01")
    assert aware.classic.tolist() == naive.classic.tolist() == [[1, 1]]


def test_an_end_column_with_no_date_at_all_has_no_zone():
    """Every customer still active: the parsed end column is all NaT, naive by
    dtype, and goes with timezone-aware starts and ``as_of``."""
    start, _ = _closed()
    aware = pd.Series(pd.to_datetime(start)).dt.tz_localize("UTC")
    no_end = pd.to_datetime(pd.Series(["", "", ""]))
    as_of = pd.Timestamp("2024-05-01", tz="UTC")
    res = cx.churn_by_period(
        ["a", "b", "c"], aware, no_end, as_of=as_of, first="2024-02"
    )
    ref = cx.churn_by_period(
        ["a", "b", "c"], start, [None] * 3, as_of="2024-05-01", first="2024-02"
    )
    assert res == ref


def test_options_are_checked_before_the_spells():
    with pytest.raises(InvalidInputError, match="`freq` must be one of"):
        cx.churn_by_period(["a"], ["2024-01-01"], ["not a date"], freq="fortnight")
    with pytest.raises(InvalidInputError, match="convention"):
        cx.churn_by_period(["a"], ["2024-01-01"], ["not a date"], convention="nope")
    with pytest.raises(InvalidInputTypeError, match="`as_of` must hold ISO 8601"):
        cx.churn_by_period(["a"], ["2024-01-01"], ["not a date"], as_of="nope")
