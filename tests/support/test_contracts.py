"""Support contracts: read-only results, options before any pass, intervals, time deltas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cxmetrics.exceptions as cx_exc
from cxmetrics import support
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.support import (
    Backlog,
    BusinessCalendar,
    DurationSketchState,
    DurationSummary,
    GroupedSLAComplianceResult,
    GroupedSupportRateResult,
    NextReplyTimes,
    SLAComplianceResult,
    SLAComplianceState,
    SLAPolicy,
    SLATargets,
    SupportRateResult,
    TicketLog,
    TicketTimings,
    backlog,
    duration_summary,
    first_contact_resolution,
    handle_time,
    next_reply_times,
    reopen_rate,
    resolution_rate,
    sla_compliance,
    sla_targets,
    ticket_timings,
)

H = 3600
T = np.array(
    [
        "2024-01-08T09:00",
        "2024-01-08T10:00",
        "2024-01-08T12:00",
        "2024-01-08T09:30",
        "2024-01-08T16:00",
        "2024-01-08T11:00",
    ],
    dtype="datetime64[ns]",
)
LOG = TicketLog.from_arrays(
    ["a", "a", "a", "b", "b", "c"],
    T,
    ["new", "solved", "open", "new", "solved", "new"],
    comment_ticket=["a", "a", "b"],
    comment_instant=T[[0, 1, 3]] + np.timedelta64(5, "m"),
    comment_author=["agent", "requester", "agent"],
)
AS_OF = np.datetime64("2024-01-08T18:00", "ns")
POLICY = SLAPolicy(
    {"p1": {"first_reply": H, "resolution": 4 * H}, "p2": {"resolution": 8 * H}},
    hours="calendar",
)

# the support family is core; these contract tests compare with the frame libraries
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
proportion_confint = pytest.importorskip(
    "statsmodels.stats.proportion"
).proportion_confint
PRIO = ["p1", "p1", "p2"]
TEAM = ["x", "y", "x"]


def every_result():
    """One instance of every support result (and state) class, from the real functions."""
    targets = sla_targets(LOG, POLICY, priority=PRIO, as_of=AS_OF)
    return [
        LOG,
        targets,
        sla_compliance(LOG, POLICY, priority=PRIO, as_of=AS_OF),
        sla_compliance(LOG, POLICY, priority=PRIO, as_of=AS_OF, by=TEAM),
        SLAComplianceState.from_targets(targets, by=TEAM, log=LOG),
        reopen_rate(LOG),
        reopen_rate(LOG, by=TEAM),
        backlog(LOG, T[:2], by=TEAM),
        ticket_timings(LOG, as_of=AS_OF),
        next_reply_times(LOG),
        duration_summary([60.0, 120.0, 30.0], by=["x", "y", "x"]),
        DurationSketchState.from_durations([60.0, 120.0, 0.0], by=["x", "y", "x"]),
    ]


RESULT_CLASSES = {
    Backlog,
    DurationSketchState,
    DurationSummary,
    GroupedSLAComplianceResult,
    GroupedSupportRateResult,
    NextReplyTimes,
    SLAComplianceResult,
    SLAComplianceState,
    SLATargets,
    SupportRateResult,
    TicketLog,
    TicketTimings,
}


def test_registry_covers_every_attrs_class_of_the_family():
    public = {getattr(support, name) for name in support.__all__}
    attrs_classes = {c for c in public if isinstance(c, type) and attrs.has(c)}
    # the schemes are inputs (validated, frozen values without arrays)
    assert attrs_classes - {SLAPolicy, BusinessCalendar} == RESULT_CLASSES
    assert {type(r) for r in every_result()} == RESULT_CLASSES


@pytest.mark.parametrize("res", every_result(), ids=lambda r: type(r).__name__)
def test_every_array_of_every_result_is_read_only(res):
    arrays = 0
    for field in attrs.fields(type(res)):
        value = getattr(res, field.name)
        if isinstance(value, np.ndarray):
            arrays += 1
            assert not value.flags.writeable, field.name
            with pytest.raises(ValueError, match="read-only"):
                value[(0,) * value.ndim] = value[(0,) * value.ndim] if value.size else 0
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(res, field.name, value)
    if type(res) not in {SLAComplianceResult, SupportRateResult}:
        assert arrays, "a columnar result without arrays?"


def test_regression_grouped_results_were_writable():
    res = sla_compliance(LOG, POLICY, priority=PRIO, as_of=AS_OF, by=TEAM)
    before = res.value.copy()
    with pytest.raises(ValueError, match="read-only"):
        res.value[0] = 0.123
    np.testing.assert_array_equal(res.value, before)
    rates = reopen_rate(LOG, by=TEAM)
    with pytest.raises(ValueError, match="read-only"):
        rates.value[0] = 0.123
    with pytest.raises(ValueError, match="read-only"):
        rates.n[0] = 7
    summary = duration_summary([1.0, 2.0])
    with pytest.raises(ValueError, match="read-only"):
        summary.median[0] = 0
    targets = sla_targets(LOG, POLICY, priority=PRIO, as_of=AS_OF)
    with pytest.raises(ValueError, match="read-only"):
        targets.status[0] = "achieved"
    with pytest.raises(ValueError, match="read-only"):
        targets.to_dict()["status"][0] = "achieved"


# ------------------------------------------------------------ options first


@pytest.fixture
def no_pass(monkeypatch):
    """Any pass over the tickets fails loudly: an option error must come first."""

    def boom(*args, **kwargs):
        msg = "a pass over the data ran before the options were checked"
        raise AssertionError(msg)

    from cxmetrics.support import _compliance, _rates, _sla, _timings

    for module in (_sla, _rates, _timings, _compliance):
        for name in (
            "ticket_attribute",
            "_final_solve",
            "run_clock",
            "_instances",
            "durations_1d",
            "utc_instants_1d",
            "sla_targets",
            "_groups",
        ):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, boom)


BAD_PRIORITY = ["unknown"] * 3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: sla_compliance(LOG, POLICY, priority=BAD_PRIORITY, level="ticket!"),
            "`level` must be one of",
        ),
        (
            lambda: sla_compliance(
                LOG, POLICY, priority=BAD_PRIORITY, definition="strict"
            ),
            "`definition` must be one of",
        ),
        (
            lambda: sla_compliance(
                LOG, POLICY, priority=BAD_PRIORITY, confidence_level=95
            ),
            "`confidence_level` must lie strictly between 0 and 1",
        ),
        (
            lambda: sla_targets(LOG, "policy.toml", priority=BAD_PRIORITY),
            "`policy` must be an SLAPolicy",
        ),
        (
            lambda: sla_targets(
                LOG, POLICY, priority=BAD_PRIORITY, due={"periodic_update": []}
            ),
            "`due` must map SLA metrics",
        ),
        (
            lambda: sla_targets(LOG, POLICY, priority=BAD_PRIORITY, as_of="tomorrow"),
            "`as_of` must hold instants",
        ),
        (
            lambda: ticket_timings(LOG, calendar="Europe/Berlin"),
            "`calendar` must be a BusinessCalendar",
        ),
        (lambda: ticket_timings(LOG, as_of=3.5), "`as_of` must hold instants"),
        (
            lambda: next_reply_times(LOG, calendar=object()),
            "`calendar` must be a BusinessCalendar",
        ),
        (
            lambda: handle_time([1], ["bad"], [None], calendar="UTC"),
            "`calendar` must be a BusinessCalendar",
        ),
        (lambda: duration_summary([-1.0], quantiles=[1.5]), "`quantiles`"),
        (
            lambda: duration_summary([-1.0], nan_policy="drop"),
            "`nan_policy` must be one of",
        ),
        (
            lambda: first_contact_resolution(
                LOG, definition="no_repeat_contact", by=[1]
            ),
            "`requester` is needed",
        ),
        (
            lambda: first_contact_resolution(LOG, within_days=-1, by=[1]),
            "`within_days` must be >= 0",
        ),
        (
            lambda: first_contact_resolution(LOG, definition="fcr", by=[1]),
            "`definition` must be one of",
        ),
        (
            lambda: resolution_rate(
                LOG, start=T[0], end=T[1], definition="weekly", by=[1]
            ),
            "`definition` must be one of",
        ),
        (
            lambda: resolution_rate(LOG, start=T[0], end=T[1], as_of="now", by=[1]),
            "`as_of` must hold instants",
        ),
    ],
)
def test_options_are_checked_before_any_pass(no_pass, call, match):
    with pytest.raises((InvalidInputError, InvalidInputTypeError), match=match):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: sla_compliance(LOG, POLICY, priority=PRIO, as_of=AS_OF),
        lambda: sla_targets(LOG, POLICY, priority=PRIO, as_of=AS_OF),
        lambda: ticket_timings(LOG),
        lambda: next_reply_times(LOG),
        lambda: handle_time([1], T[:1], T[1:2]),
        lambda: duration_summary([1.0]),
        lambda: reopen_rate(LOG, by=TEAM),
        lambda: first_contact_resolution(LOG),
        lambda: resolution_rate(LOG, start=T[0], end=T[1]),
    ],
)
def test_the_no_pass_fixture_catches_a_pass(no_pass, call):
    """The check above cannot pass vacuously: valid options reach the patched pass."""
    with pytest.raises(AssertionError, match="a pass over the data ran"):
        call()


def test_options_before_data_errors_without_patching():
    """The same ordering seen from outside: bad data and a bad option, the option wins."""
    with pytest.raises(InvalidInputError, match="`level` must be one of"):
        sla_compliance(LOG, POLICY, priority=BAD_PRIORITY, as_of=AS_OF, level="x")
    with pytest.raises(InvalidInputError, match="`as_of` must be one instant"):
        TicketLog.from_arrays([1, 1], ["bad", "instants"], ["new", "x"], as_of=T[:2])


# ------------------------------------------------------------ confidence level


@pytest.mark.parametrize("level", [0.8, 0.9, 0.99])
def test_confidence_level_is_honoured_against_statsmodels(level):
    res = sla_compliance(
        LOG,
        POLICY,
        priority=PRIO,
        as_of=AS_OF,
        definition="pessimistic",
        confidence_level=level,
    )
    assert res.confidence_level == level
    lo, hi = proportion_confint(res.met, res.n, alpha=1 - level, method="wilson")
    np.testing.assert_allclose(res.confidence_interval(), (lo, hi), rtol=1e-12)
    assert f"{100 * level:g}% CI {lo:.3g} to {hi:.3g}" in repr(res)
    # an explicit level still wins
    lo95, hi95 = proportion_confint(res.met, res.n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(res.confidence_interval(0.95), (lo95, hi95), rtol=1e-12)
    grouped = sla_compliance(
        LOG,
        POLICY,
        priority=PRIO,
        as_of=AS_OF,
        by=TEAM,
        definition="pessimistic",
        confidence_level=level,
    )
    ci = grouped.confidence_interval()
    for i in range(len(grouped)):
        want = proportion_confint(
            grouped.met[i], grouped.n[i], alpha=1 - level, method="wilson"
        )
        np.testing.assert_allclose((ci.low[i], ci.high[i]), want, rtol=1e-12)
    key = grouped.keys[0]
    assert grouped[key].confidence_level == level


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@given(
    st.floats(0.01, 0.999),
    st.lists(st.integers(0, 20), min_size=6, max_size=6).map(lambda c: [c]),
)
def test_any_confidence_level_matches_statsmodels(level, counts):
    res = SLAComplianceState(np.array(["all"]), counts).compute(
        "pessimistic", confidence_level=level
    )
    lo, hi = res.confidence_interval()
    if res.n == 0:
        assert np.isnan(lo)
        assert np.isnan(hi)
        return
    want = proportion_confint(res.met, res.n, alpha=1 - level, method="wilson")
    np.testing.assert_allclose((lo, hi), want, rtol=1e-9, atol=1e-12)


def test_regression_confidence_level_was_ignored():
    a = sla_compliance(
        LOG, POLICY, priority=PRIO, as_of=AS_OF, definition="pessimistic"
    )
    b = sla_compliance(
        LOG,
        POLICY,
        priority=PRIO,
        as_of=AS_OF,
        definition="pessimistic",
        confidence_level=0.5,
    )
    assert b.confidence_interval()[0] > a.confidence_interval()[0]


# ------------------------------------------------------------ time deltas


SECONDS = [60.0, 1800.0, None, 7200.5, 0.0]


def as_timedeltas(kind, seconds):
    if kind == "numpy":
        return np.array(
            ["NaT" if s is None else int(s * 1e9) for s in seconds],
            dtype="timedelta64[ns]",
        )
    if kind == "pandas":
        return pd.Series(pd.to_timedelta(seconds, unit="s"))
    if kind == "polars":
        return pl.Series(
            [None if s is None else timedelta(seconds=s) for s in seconds],
            dtype=pl.Duration("us"),
        )
    return [None if s is None else timedelta(seconds=s) for s in seconds]


@pytest.mark.parametrize("kind", ["numpy", "pandas", "polars", "timedelta"])
def test_duration_summary_accepts_time_deltas(kind):
    want = duration_summary(
        [np.nan if s is None else s for s in SECONDS],
        by=list("aabbb"),
        quantiles=[0.25],
    )
    got = duration_summary(
        as_timedeltas(kind, SECONDS), by=list("aabbb"), quantiles=[0.25]
    )
    for name in ("n", "mean", "median", "p90", "quantiles"):
        np.testing.assert_array_equal(
            getattr(got, name), getattr(want, name), err_msg=name
        )
    assert got.n_missing == want.n_missing == 1


@given(hnp.arrays(np.int64, st.integers(0, 30), elements=st.integers(0, 10**15)))
def test_duration_summary_timedelta_equals_seconds(ns):
    if ns.size == 0:  # issue #20 item 8: nothing to summarise warns with its NaN
        with pytest.warns(cx_exc.UndefinedMetricWarning, match="duration_summary"):
            got = duration_summary(ns.astype("timedelta64[ns]"))
        with pytest.warns(cx_exc.UndefinedMetricWarning, match="duration_summary"):
            want = duration_summary(ns / 1e9)
    else:
        got = duration_summary(ns.astype("timedelta64[ns]"))
        want = duration_summary(ns / 1e9)
    np.testing.assert_array_equal(got.mean, want.mean)
    np.testing.assert_array_equal(got.median, want.median)


@pytest.mark.parametrize("kind", ["numpy", "pandas", "polars", "timedelta"])
def test_calendar_deadline_accepts_time_deltas(kind):
    cal = BusinessCalendar("Europe/Berlin")
    start = np.array(["2024-01-05T15:00"] * 4, dtype="datetime64[s]")
    sec = [3600.0, 7200.0, 1.5, 86400.0]
    want = cal.deadline(start, sec)
    np.testing.assert_array_equal(cal.deadline(start, as_timedeltas(kind, sec)), want)
    # one delta for every start
    np.testing.assert_array_equal(
        cal.deadline(start[:2], timedelta(hours=1)), cal.deadline(start[:2], 3600)
    )


def test_policy_targets_and_windows_accept_time_deltas():
    secs = SLAPolicy({"p": {"first_reply": 5400, "resolution": 8 * H}})
    deltas = SLAPolicy(
        {
            "p": {
                "first_reply": pd.Timedelta(minutes=90),
                "resolution": np.timedelta64(8, "h"),
            }
        }
    )
    assert deltas == secs
    assert SLAPolicy(
        {"p": {"resolution": timedelta(days=1)}},
        default={"first_reply": pd.Timedelta("1h")},
    ).default == {"first_reply": 3600.0}
    with pytest.raises(InvalidInputError, match="must be positive"):
        SLAPolicy({"p": {"resolution": np.timedelta64("NaT")}})
    # first-contact resolution's repeat window
    t = np.array(
        [
            "2024-01-08T09:00",
            "2024-01-08T10:00",
            "2024-01-10T09:00",
            "2024-01-10T10:00",
        ],
        dtype="datetime64[s]",
    )
    log = TicketLog.from_arrays([1, 1, 2, 2], t, ["new", "solved", "new", "solved"])
    args = {"definition": "no_repeat_contact", "requester": ["r", "r"]}
    week = first_contact_resolution(log, within_days=7, **args)
    assert week.count == 1  # ticket 1 was followed by ticket 2 within the week
    assert first_contact_resolution(log, within_days=timedelta(days=7), **args) == week
    assert (
        first_contact_resolution(log, within_days=np.timedelta64(7, "D"), **args)
        == week
    )
    assert (
        first_contact_resolution(log, within_days=timedelta(hours=12), **args).count
        == 2
    )
    with pytest.raises(InvalidInputError, match="`within_days` must be non-negative"):
        first_contact_resolution(log, within_days=timedelta(days=-1), **args)


def test_per_ticket_target_time_deltas_from_an_export():
    """A target column read as text durations ('4:00:00') becomes pandas Timedelta."""
    df = pd.DataFrame({"ticket": ["a", "b", "c"], "sla": ["1:00:00", "", "8:00:00"]})
    td = pd.to_timedelta(df["sla"].replace("", None))
    got = sla_targets(LOG, target=td, tickets=df["ticket"], as_of=AS_OF)
    want = sla_targets(LOG, target=[H, np.nan, 8 * H], as_of=AS_OF)
    # a: reopened at 12:00 and open since (7 h > 1 h); c: 7 h of 8
    assert got.status.tolist() == want.status.tolist()
    assert got.status.tolist() == ["active_breached", "not_applicable", "active"]
    np.testing.assert_array_equal(got.target, want.target)


def test_aware_datetime_objects_for_due():
    due = [datetime(2024, 1, 8, 14, tzinfo=UTC), None, None]
    r = sla_targets(LOG, due=due, as_of=AS_OF)
    # a: solved 10:00, reopened 12:00 and open since: clock time after 14:00
    assert r.status.tolist() == ["active_breached", "not_applicable", "not_applicable"]


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
def test_per_ticket_inputs_are_not_mutated():
    due = np.array(
        ["2024-01-08T14:00", "NaT", "2024-01-09T00:00"], dtype="datetime64[s]"
    )
    target = np.array([3600.0, np.nan, 60.0])
    series = pd.Series(pd.to_datetime(["2024-01-08T14:00Z", None, "2024-01-09T00:00Z"]))
    keep = (due.copy(), target.copy(), series.copy())
    sla_compliance(LOG, due=due, as_of=AS_OF, by=TEAM)
    sla_compliance(LOG, due={"first_reply": series}, target=target, as_of=AS_OF)
    np.testing.assert_array_equal(due, keep[0])
    np.testing.assert_array_equal(target, keep[1])
    pd.testing.assert_series_equal(series, keep[2])
