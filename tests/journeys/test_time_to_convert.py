"""Time to convert: Kaplan-Meier with open windows censored."""

from __future__ import annotations

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError

UNITS = ["a", "a", "b", "b", "c", "d", "d", "e"]
TIMES = [0, 3, 0, 8, 0, 10, 12, 15]
EVENTS = ["cart", "paid", "cart", "paid", "cart", "cart", "paid", "cart"]


def test_durations_and_censoring_by_hand():
    km = cx.time_to_convert(UNITS, TIMES, EVENTS, ["cart", "paid"], window=10)
    # converted: a after 3, b after 8, d after 2; c's window (0..10) closed without
    # paying: censored at the window, 10; e started at 15, the data end at 15: its
    # window is open, censored at 0
    assert km.n == 5
    assert km.time.tolist() == [0.0, 2.0, 3.0, 8.0, 10.0]
    assert km.events.tolist() == [0, 1, 1, 1, 0]
    assert km.censored.tolist() == [1, 0, 0, 0, 1]
    # S(2) = 3/4, S(3) = 3/4 * 2/3, S(8) = 1/2 * 1/2
    np.testing.assert_allclose(km.survival, [1.0, 0.75, 0.5, 0.25, 0.25])


def _oracle_durations(units, times, events, window, as_of):
    """Loop oracle for two steps: first payment after a cart within the window."""
    out = []
    for u in sorted(set(units.tolist())):
        rows = sorted(
            (t, 0 if e == "cart" else 1)
            for uu, t, e in zip(units, times, events, strict=True)
            if uu == u and e in ("cart", "paid")
        )
        carts = [t for t, c in rows if c == 0]
        if not carts:
            continue
        latest = None
        for t, c in rows:
            if c == 0:
                latest = t
            elif latest is not None and t <= latest + window:
                out.append((t - latest, 1))
                break
        else:
            out.append((min(window, as_of - carts[-1]), 0))
    return np.array(out, dtype=float)


def test_matches_lifelines_on_oracle_durations():
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(7)
    n = 400
    units = rng.integers(0, 80, n)
    times = rng.integers(0, 200, n)
    events = rng.choice(["cart", "paid", "view"], n)
    km = cx.time_to_convert(
        units, times, events, ["cart", "paid"], window=30, as_of=210
    )
    ref = _oracle_durations(units, times, events, 30, 210)
    assert km.n == len(ref)
    assert km.n_events == int(ref[:, 1].sum())
    fit = lifelines.KaplanMeierFitter().fit(ref[:, 0], ref[:, 1])
    np.testing.assert_allclose(
        km.survival, fit.survival_function_at_times(km.time).to_numpy()
    )
    assert km.median == fit.median_survival_time_ or np.isnan(km.median)


def test_datetime_logs_give_seconds_and_mean_over_converters_is_biased():
    start = np.datetime64("2026-03-01T00:00", "s")
    rng = np.random.default_rng(3)
    n_units = 300
    entered = start + rng.integers(0, 20 * 86400, n_units).astype("timedelta64[s]")
    delay = (
        rng.exponential(3 * 86400, n_units).astype(np.int64).astype("timedelta64[s]")
    )
    paid = entered + delay
    end = start + np.timedelta64(20 * 86400, "s")
    seen = paid <= end
    units = np.r_[np.arange(n_units), np.arange(n_units)[seen]]
    times = np.r_[entered, paid[seen]]
    events = np.r_[["cart"] * n_units, ["paid"] * int(seen.sum())]
    km = cx.time_to_convert(
        units,
        times,
        events,
        ["cart", "paid"],
        window=np.timedelta64(30, "D"),
        as_of=end,
    )
    assert km.time_unit == "seconds"
    naive_mean = float(np.mean(delay[seen].astype(np.float64)))
    true_median = 3 * 86400 * np.log(2)
    # the converters-only mean is pulled down by the open windows; KM's median is close
    assert naive_mean < 3 * 86400
    lo, hi = km.median_interval()
    assert lo <= true_median <= hi


def test_by_segment_gives_grouped_curves_and_logrank():
    km = cx.time_to_convert(
        UNITS,
        TIMES,
        EVENTS,
        ["cart", "paid"],
        window=10,
        by=["x", "x", "y", "y", "x", "y", "y", "x"],
    )
    assert km["x"].n == 3
    assert km["y"].n == 2
    assert 0.0 <= km.logrank().pvalue <= 1.0


def test_bad_to_step_and_as_of():
    with pytest.raises(InvalidInputError, match=r"`to_step` must lie in 1..2"):
        cx.time_to_convert(UNITS, TIMES, EVENTS, ["cart", "paid"], window=10, to_step=3)
    with pytest.raises(InvalidInputError, match=r"`to_step` must lie in 1..2"):
        # checked before the data are read (the times here are not even valid)
        cx.time_to_convert(
            UNITS, [object()] * 8, EVENTS, ["cart", "paid"], window=10, to_step=0
        )
    with pytest.raises(InvalidInputTypeError, match="`to_step` must be an integer"):
        cx.time_to_convert(
            UNITS, TIMES, EVENTS, ["cart", "paid"], window=10, to_step=1.5
        )
    with pytest.raises(InvalidInputError, match=r"`as_of`.*precedes"):
        cx.time_to_convert(UNITS, TIMES, EVENTS, ["cart", "paid"], window=10, as_of=3)
