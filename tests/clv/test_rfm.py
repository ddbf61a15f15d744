"""RFM summaries: CDNOW reference, lifetimes, a slow oracle, merge laws, errors."""

from __future__ import annotations

import functools
import operator
import pickle
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from clv.cdnow import sample_log, summary
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
    UndefinedMetricWarning,
)


def test_cdnow_summary_reproduces_the_published_calibration_file(shared_dir):
    # ../shared/data/cdnow/README.md: x exact, t_x, T and zbar within the CSV's
    # 2-decimal rounding (weeks = days / 7, end 1997-09-30)
    customers, dates, values = sample_log(shared_dir)
    s = cx.rfm_summary(
        customers, dates, values, observation_end="1997-09-30", freq_multiplier=7
    )
    ref = summary(shared_dir, with_transactions=True)
    np.testing.assert_array_equal(s.customers, ref["ID"].astype(np.int64))
    np.testing.assert_array_equal(s.frequency, ref["x"])
    np.testing.assert_allclose(s.recency, ref["t_x"], atol=0.005)
    np.testing.assert_allclose(s.T, ref["T"], atol=0.005)
    np.testing.assert_allclose(s.monetary_value, ref["zbar"], atol=0.0051)
    assert s.n == 2357
    assert s.n_after_end == 6919 - int(s.transactions.sum())


# lifetimes' pandas-style codes and the same periods in cxmetrics' one vocabulary
OUR_FREQ = {"D": "day", "W": "week"}


@pytest.mark.parametrize(("freq", "mult"), [("D", 7.0), ("W", 1.0), ("D", 1.0)])
def test_same_output_as_lifetimes(shared_dir, freq, mult):
    pd = pytest.importorskip("pandas")
    utils = pytest.importorskip("lifetimes.utils")
    customers, dates, values = sample_log(shared_dir)
    df = pd.DataFrame({"c": customers, "d": dates, "v": values})
    ref = utils.summary_data_from_transaction_data(
        df,
        "c",
        "d",
        "v",
        observation_period_end="1997-09-30",
        freq=freq,
        freq_multiplier=mult,
    )
    s = cx.rfm_summary(
        customers,
        dates,
        values,
        observation_end="1997-09-30",
        freq=OUR_FREQ[freq],
        freq_multiplier=mult,
    )
    np.testing.assert_array_equal(s.customers, ref.index.to_numpy())
    for col in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(getattr(s, col), ref[col].to_numpy())
    np.testing.assert_allclose(
        s.monetary_value, ref["monetary_value"].to_numpy(), rtol=1e-12
    )


def test_calibration_holdout_matches_lifetimes(shared_dir):
    pd = pytest.importorskip("pandas")
    utils = pytest.importorskip("lifetimes.utils")
    customers, dates, values = sample_log(shared_dir)
    df = pd.DataFrame({"c": customers, "d": dates, "v": values})
    ref = utils.calibration_and_holdout_data(
        df,
        "c",
        "d",
        calibration_period_end="1997-09-30",
        observation_period_end="1998-06-30",
        monetary_value_col="v",
    )
    ch = cx.calibration_holdout(
        customers,
        dates,
        values,
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
    )
    out = ch.to_dict()
    for col in (
        "frequency_cal",
        "recency_cal",
        "T_cal",
        "frequency_holdout",
        "duration_holdout",
    ):
        np.testing.assert_array_equal(out[col], ref[col].to_numpy())
    np.testing.assert_allclose(
        out["monetary_value_cal"], ref["monetary_value_cal"].to_numpy(), rtol=1e-12
    )
    # lifetimes averages the raw holdout transactions; we average the collapsed
    # purchase days, as in the calibration period: check ours by pandas
    hold = df[(df.d > "1997-09-30") & (df.d <= "1998-06-30")]
    by_day = hold.groupby(["c", "d"]).v.sum().groupby("c").mean()
    expected = by_day.reindex(ref.index).fillna(0.0).to_numpy()
    np.testing.assert_allclose(out["monetary_value_holdout"], expected, rtol=1e-12)


def oracle(customers, periods, values, end, mult):
    """Plain-Python RFM: dict of customer -> (x, t_x, T, zbar)."""
    days = defaultdict(lambda: defaultdict(float))
    for c, p, v in zip(
        customers.tolist(), periods.tolist(), values.tolist(), strict=True
    ):
        if p <= end:
            days[c][p] += v
    out = {}
    for c, d in days.items():
        ps = sorted(d)
        x = len(ps) - 1
        zbar = sum(d[p] for p in ps[1:]) / x if x else 0.0
        out[c] = (x, (ps[-1] - ps[0]) / mult, (end - ps[0]) / mult, zbar)
    return out


logs = st.integers(0, 60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 8), min_size=n, max_size=n),
        st.lists(st.integers(0, 30), min_size=n, max_size=n),
        st.lists(st.integers(-50, 500), min_size=n, max_size=n),
    )
)


@given(logs, st.integers(0, 30), st.sampled_from([1.0, 7.0]))
def test_vectorised_equals_oracle(log, end, mult):
    customers, periods, values = (np.asarray(a) for a in log)
    periods = periods.astype(np.float64)
    values = values.astype(np.float64)
    expected = oracle(customers, periods, values, end, mult)
    state = cx.RFMState.from_transactions(
        customers, periods, values, observation_end=float(end), freq_multiplier=mult
    )
    if not expected:
        assert state.n == 0
        return
    s = state.compute()
    assert s.customers.tolist() == sorted(expected)
    for i, c in enumerate(s.customers.tolist()):
        x, tx, big_t, zbar = expected[c]
        assert s.frequency[i] == x
        assert s.recency[i] == pytest.approx(tx)
        assert s.T[i] == pytest.approx(big_t)
        assert s.monetary_value[i] == pytest.approx(zbar, abs=1e-9)
    assert s.recency.min() >= 0
    assert (s.recency <= s.T).all()


@given(logs, st.data())
def test_summary_of_log_is_merge_of_summaries_split_by_customer(log, data):
    customers, periods, values = (np.asarray(a) for a in log)
    periods = periods.astype(np.float64)
    values = values.astype(np.float64)
    part = data.draw(st.lists(st.integers(0, 3), min_size=9, max_size=9))
    where = np.asarray(part)[customers] if customers.size else np.zeros(0, int)
    states = [
        cx.RFMState.from_transactions(
            customers[where == k],
            periods[where == k],
            values[where == k],
            observation_end=30.0,
        )
        for k in range(4)
    ]
    whole = cx.RFMState.from_transactions(
        customers, periods, values, observation_end=30.0
    )
    merged = functools.reduce(operator.add, states, cx.RFMState.empty())
    assert merged == whole
    assert functools.reduce(operator.add, reversed(states)) == whole
    assert whole + cx.RFMState.empty() == whole == cx.RFMState.empty() + whole
    assert cx.RFMState.from_dict(whole.to_dict()) == whole
    assert pickle.loads(pickle.dumps(whole)) == whole


def test_merging_states_that_share_a_customer_is_refused():
    a = cx.RFMState.from_transactions([1, 2], [0.0, 1.0], observation_end=5.0)
    b = cx.RFMState.from_transactions([2], [3.0], observation_end=5.0)
    with pytest.raises(IncompatibleStateError, match="share customer 2"):
        a + b
    c = cx.RFMState.from_transactions([3], [3.0], observation_end=6.0)
    with pytest.raises(IncompatibleStateError, match="observed until"):
        a + c
    d = cx.RFMState.from_transactions(
        [3], [3.0], observation_end=5.0, freq_multiplier=7
    )
    with pytest.raises(IncompatibleStateError, match="freq_multiplier"):
        a + d


def test_same_day_purchases_collapse_and_times_of_day_are_ignored():
    s = cx.rfm_summary(
        ["a", "a", "a"],
        np.array(
            ["2024-03-01T09:00", "2024-03-01T18:00", "2024-03-04T01:00"],
            dtype="datetime64[m]",
        ),
        [1.0, 2.0, 4.0],
        observation_end="2024-03-08",
    )
    assert (s.frequency[0], s.recency[0], s.T[0], s.monetary_value[0]) == (1, 3, 7, 4)
    assert s.transactions.tolist() == [3]


def test_weeks_run_monday_to_sunday():
    # 2024-03-03 is a Sunday, 2024-03-04 a Monday
    s = cx.rfm_summary(
        [1, 1, 2, 2],
        ["2024-03-03", "2024-03-04", "2024-03-04", "2024-03-10"],
        freq="week",
    )
    assert s.frequency.tolist() == [1.0, 0.0]


def test_holdout_counts_collapsed_periods():
    ch = cx.calibration_holdout(
        [1, 1, 1, 1, 2],
        [0.0, 4.0, 6.0, 6.0, 5.0],
        [1.0, 2.0, 3.0, 4.0, 9.0],
        calibration_end=4.0,
        observation_end=9.0,
    )
    assert ch.calibration.customers.tolist() == [1]  # 2 arrived in the holdout
    assert ch.frequency_holdout.tolist() == [1.0]
    assert ch.monetary_value_holdout.tolist() == [7.0]
    assert ch.duration_holdout == 5.0
    assert ch.n == 1


def test_rfm_scores_are_in_range_and_ordered():
    rng = np.random.default_rng(1)
    c = rng.integers(0, 200, 2000)
    t = rng.uniform(0, 100, 2000).round()
    v = rng.gamma(2.0, 10.0, 2000)
    s = cx.rfm_summary(c, t, v, observation_end=100.0)
    sc = cx.rfm_scores(s)
    for arr in (sc.recency, sc.frequency, sc.monetary):
        assert arr.min() >= 1
        assert arr.max() <= 5
    # a higher frequency never scores lower
    order = np.argsort(s.frequency, kind="stable")
    assert (np.diff(sc.frequency[order]) >= 0).all()
    with pytest.raises(InvalidInputTypeError, match="`summary` must be an RFMSummary"):
        cx.rfm_scores(s.to_dict())


def test_missing_values_raise_or_are_omitted():
    with pytest.raises(MissingValueError, match=r"`instants` .*index 1"):
        cx.rfm_summary([1, 1], [0.0, np.nan])
    with pytest.raises(MissingValueError, match=r"`values` .*index 0"):
        cx.rfm_summary([1, 1], [0.0, 1.0], [np.nan, 2.0])
    s = cx.rfm_summary([1, 1, 2], [0.0, np.nan, 1.0], nan_policy="omit")
    assert s.n_missing == 1
    assert s.frequency.tolist() == [0.0, 0.0]


def test_bad_input_errors():
    with pytest.raises(
        InvalidInputError, match="`customers` must have the same length"
    ):
        cx.rfm_summary([1], [0.0, 1.0])
    with pytest.raises(MissingValueError, match="`customers` contains 1 missing key"):
        cx.rfm_summary([1.0, np.nan], [0.0, 1.0])
    with pytest.raises(InvalidInputError, match="`values` must be finite"):
        cx.rfm_summary([1], [0.0], [np.inf])
    with pytest.raises(InvalidInputError, match="`freq` must be one of"):
        cx.rfm_summary([1], ["2024-01-01"], freq="Q")
    with pytest.raises(InvalidInputError, match="`observation_end` must be a number"):
        cx.rfm_summary([1], [0.0], observation_end="2024-01-01")
    with pytest.raises(InvalidInputError, match="`freq_multiplier` must be a positive"):
        cx.rfm_summary([1], [0.0], freq_multiplier=0)
    with pytest.raises(InvalidInputError, match="`observation_end` is needed"):
        cx.rfm_summary([], [])
    with pytest.raises(InvalidInputError, match="`observation_end` must be after"):
        cx.calibration_holdout([1], [0.0], calibration_end=3.0, observation_end=2.0)


def test_input_arrays_are_not_modified():
    c = np.array([2, 1, 2])
    t = np.array([3.0, 1.0, 0.0])
    v = np.array([1.0, 2.0, 3.0])
    copies = [a.copy() for a in (c, t, v)]
    cx.rfm_summary(c, t, v)
    for a, b in zip((c, t, v), copies, strict=True):
        np.testing.assert_array_equal(a, b)


def test_empty_state_warns():
    with pytest.warns(UndefinedMetricWarning, match="no customer"):
        assert cx.RFMState.empty().compute().n == 0
    with pytest.warns(UndefinedMetricWarning):
        s = cx.rfm_summary([1], [5.0], observation_end=2.0)
    assert (s.n, s.n_after_end) == (0, 1)


def test_to_pandas():
    pytest.importorskip("pandas")
    df = cx.rfm_summary([2, 1, 1], [0.0, 1.0, 4.0], [5.0, 1.0, 3.0]).to_pandas()
    assert df.index.name == "customer"
    assert df.loc[1, "frequency"] == 1.0
    assert df.loc[1, "monetary_value"] == 3.0
    assert list(df.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "transactions",
    ]
