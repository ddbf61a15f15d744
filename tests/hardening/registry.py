"""A registry of public callables and strategies of their valid inputs (issue #20).

Each :class:`Entry` names a public callable, the strategies of its valid
arguments (positional ones in order, then keywords) and, where the callable has
a documented limit, nothing else: the property test in ``test_bad_inputs.py``
replaces one argument by a bad value (a wrong type, NaN, inf, a negative or huge
number, an empty or ragged list, a list of another length) and checks that the
call gives a valid result or a :class:`~cxmetrics.exceptions.CXMetricsError`,
never another exception, never a numpy ``RuntimeWarning`` and never a NaN
without an ``UndefinedMetricWarning``.

A new public function joins by adding one entry here; the completeness test
lists the front doors that have none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from hypothesis import strategies as st

import cxmetrics as cx


@attrs.frozen
class Entry:
    """A callable, its positional argument strategies and its keyword ones."""

    name: str
    func: Callable[..., Any]
    args: tuple[tuple[str, st.SearchStrategy[Any]], ...] = ()
    kwargs: tuple[tuple[str, st.SearchStrategy[Any]], ...] = ()
    #: a building block of ``cx.stats``: NaN in gives NaN out, silently (it is how
    #: an undefined summary travels between blocks; the front doors warn)
    nan_passes: bool = False
    #: bad values of this entry's own, by argument: objects of the wrong kind
    #: (another model or scheme), ragged or nested arrays, malformed frames
    bad: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.args] + [n for n, _ in self.kwargs]

    def bad_values(self, name: str) -> list[Any]:
        """The shared bad values, then this entry's own for argument ``name``."""
        own = [v for n, vs in self.bad if n == name for v in vs]
        return [*BAD_VALUES, *own]

    def draw_bad_call(
        self, data: st.DataObject
    ) -> tuple[list[Any], dict[str, Any], str]:
        """Valid arguments with one of them replaced by a bad value: (args, kwargs, its name)."""
        args = [data.draw(s, label=n) for n, s in self.args]
        kwargs = {n: data.draw(s, label=n) for n, s in self.kwargs}
        target = data.draw(st.sampled_from(self.names), label="bad argument")
        bad = data.draw(st.sampled_from(self.bad_values(target)), label="bad value")
        positional = [n for n, _ in self.args]
        if target in positional:
            args[positional.index(target)] = bad
        else:
            kwargs[target] = bad
        return args, kwargs, target


def _ints(lo: int, hi: int, size: int = 12) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(lo, hi), min_size=1, max_size=size)


def _same(n: int, elements: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(elements, min_size=n, max_size=n)


N = 6  # fixed length of the paired array arguments below
answers_nps = _same(N, st.integers(0, 10))
answers_5 = _same(N, st.integers(1, 5))
answers_7 = _same(N, st.integers(1, 7))
labels = _same(N, st.sampled_from(["north", "south", "east"]))
positive = st.floats(0.5, 500.0)
share = st.floats(0.01, 0.99)
durations = _same(N, st.floats(0.0, 1e4))
flags = _same(N, st.booleans())
days = _same(
    N,
    st.sampled_from(
        [
            "2024-01-03",
            "2024-02-10",
            "2024-02-11",
            "2024-03-05",
            "2024-03-20",
            "2024-05-01",
        ]
    ),
)
ends = _same(N, st.sampled_from(["2024-06-02", "2024-07-01", None]))

# a small ticket export: three tickets, text ids, ISO instants with a zone
_T = ["T-1", "T-1", "T-1", "T-2", "T-2", "T-3"]
_I = np.array(
    [
        "2024-01-08T09:00",
        "2024-01-08T10:00",
        "2024-01-08T12:00",
        "2024-01-09T09:00",
        "2024-01-09T15:30",
        "2024-01-10T08:00",
    ],
    dtype="datetime64[s]",
)
_S = ["new", "open", "solved", "new", "solved", "new"]
ticket_log = st.just(None).map(lambda _: cx.TicketLog.from_arrays(_T, _I, _S))
calendar = st.just(cx.BusinessCalendar())
policy = st.just(
    cx.SLAPolicy({"high": {"resolution": 4 * 3600}, "low": {"resolution": 86400}})
)
priorities = st.lists(st.sampled_from(["high", "low"]), min_size=3, max_size=3)

# a tiny transaction log for the CLV front doors
_C = ["a", "a", "b", "c", "c", "c", "d"]
_D = [
    "2024-01-01",
    "2024-02-01",
    "2024-01-15",
    "2024-01-02",
    "2024-03-01",
    "2024-04-01",
    "2024-05-01",
]
summary = st.just(None).map(
    lambda _: cx.rfm_summary(
        _C, _D, [10, 20, 5, 7, 8, 9, 30], observation_end="2024-06-01"
    )
)
revenue = st.just(
    np.array(
        [[10, 10, 12, 12], [5, 0, 0, 0], [0, 7, 7, 9], [3, 3, 3, 0]], dtype=np.int64
    )
)


def _block(*args: Any) -> Entry:
    """An entry of a ``cx.stats`` building block (NaN in, NaN out)."""
    return Entry(*args, nan_passes=True)


ENTRIES: list[Entry] = [
    # survey ---------------------------------------------------------------------
    Entry("nps", cx.nps, (("responses", answers_nps),), (("by", labels),)),
    Entry(
        "enps", cx.enps, (("responses", answers_nps),), (("min_n", st.integers(0, 3)),)
    ),
    Entry(
        "csat", cx.csat, (("responses", answers_5),), (("weights", _same(N, positive)),)
    ),
    Entry("ces", cx.ces, (("responses", answers_7),), (("by", labels),)),
    Entry(
        "compare_nps",
        cx.compare_nps,
        (("a", answers_nps), ("b", answers_nps)),
        (("paired", st.booleans()),),
    ),
    Entry("compare_csat", cx.compare_csat, (("a", answers_5), ("b", answers_5))),
    Entry("compare_ces", cx.compare_ces, (("a", answers_7), ("b", answers_7))),
    # support --------------------------------------------------------------------
    Entry(
        "ticket_timings",
        cx.ticket_timings,
        (("log", ticket_log),),
        (("calendar", calendar),),
    ),
    Entry(
        "sla_compliance",
        cx.sla_compliance,
        (("log", ticket_log), ("policy", policy)),
        (
            ("priority", priorities),
            ("as_of", st.just(np.datetime64("2024-02-01T00:00", "s"))),
        ),
    ),
    Entry("reopen_rate", cx.reopen_rate, (("log", ticket_log),)),
    Entry(
        "first_contact_resolution",
        cx.first_contact_resolution,
        (("log", ticket_log),),
        (("within_days", st.integers(1, 30)),),
    ),
    Entry(
        "duration_summary",
        cx.duration_summary,
        (("durations", durations),),
        (("quantiles", st.just((0.5, 0.9))),),
    ),
    Entry("next_reply_times", cx.next_reply_times, (("log", ticket_log),)),
    Entry(
        "ticket_log",
        cx.TicketLog.from_arrays,
        (("ticket", st.just(_T)), ("instant", st.just(_I)), ("status", st.just(_S))),
        (("as_of", st.just(np.datetime64("2024-02-01T00:00", "s"))),),
    ),
    # staffing -------------------------------------------------------------------
    Entry(
        "erlang_b",
        cx.erlang_b,
        (("traffic", positive), ("agents", st.integers(1, 600))),
    ),
    Entry(
        "erlang_c",
        cx.erlang_c,
        (("traffic", positive), ("agents", st.integers(1, 600))),
    ),
    Entry(
        "agents_required",
        cx.agents_required,
        (("traffic", st.floats(0.5, 200.0)),),
        (
            ("aht", st.floats(30.0, 900.0)),
            ("target_service_level", st.floats(0.5, 0.95)),
            ("threshold", st.floats(5.0, 60.0)),
            ("max_occupancy", st.floats(0.5, 0.95)),
        ),
    ),
    Entry(
        "queue_metrics",
        cx.queue_metrics,
        (("traffic", st.floats(0.5, 50.0)), ("agents", st.integers(60, 80))),
        (("aht", st.floats(30.0, 900.0)), ("threshold", st.floats(5.0, 60.0))),
    ),
    Entry(
        "contact_metrics",
        cx.contact_metrics,
        (("wait", durations), ("abandoned", flags)),
        (("talk", durations),),
    ),
    # retention ------------------------------------------------------------------
    Entry(
        "churn_rate",
        cx.churn_rate,
        (("churned", st.integers(0, 10)), ("at_start", st.integers(10, 10**6))),
        (("joined", st.integers(0, 100)),),
    ),
    Entry(
        "convert_churn_rate",
        cx.convert_churn_rate,
        (("rate", share), ("periods", st.floats(0.1, 24.0))),
    ),
    Entry(
        "churn_by_period",
        cx.churn_by_period,
        (
            ("customer", _same(N, st.sampled_from("abcd"))),
            ("start", days),
            ("end", ends),
        ),
        (("as_of", st.just("2024-08-01")),),
    ),
    Entry(
        "cohort_matrix",
        cx.cohort_matrix,
        (("customer", _same(N, st.sampled_from("abcd"))), ("time", days)),
        (("freq", st.sampled_from(["month", "week"])),),
    ),
    Entry(
        "kaplan_meier",
        cx.kaplan_meier,
        (("durations", durations), ("events", flags)),
        (("by", labels),),
    ),
    Entry(
        "nelson_aalen", cx.nelson_aalen, (("durations", durations), ("events", flags))
    ),
    Entry(
        "logrank_test",
        cx.logrank_test,
        (("durations", durations), ("events", flags)),
        (("by", labels),),
    ),
    Entry(
        "sbg",
        cx.sbg,
        (("survivors", st.just([1000, 869, 743, 653, 593, 551, 517, 491])),),
    ),
    Entry("expected_lifetime", cx.expected_lifetime, (("churn", share),)),
    Entry(
        "gross_revenue_retention",
        cx.gross_revenue_retention,
        (("revenue", revenue),),
        (("horizon", st.integers(1, 3)),),
    ),
    Entry(
        "net_revenue_retention",
        cx.net_revenue_retention,
        (("revenue", revenue),),
        (("horizon", st.integers(1, 3)),),
    ),
    Entry("mrr_movements", cx.mrr_movements, (("revenue", revenue),)),
    # clv ------------------------------------------------------------------------
    Entry(
        "clv_simple",
        cx.clv_simple,
        (
            ("average_order_value", positive),
            ("purchase_frequency", positive),
            ("margin", share),
            ("lifetime", positive),
        ),
    ),
    Entry(
        "clv_retention",
        cx.clv_retention,
        (("margin", positive),),
        (
            ("retention", share),
            ("discount_rate", share),
            ("periods", st.integers(1, 50)),
        ),
    ),
    Entry(
        "clv_from_survival",
        cx.clv_from_survival,
        (("margin", positive), ("survival", st.just([0.9, 0.8, 0.5]))),
        (("discount_rate", share), ("initial_margin", st.booleans())),
    ),
    Entry(
        "rfm_summary",
        cx.rfm_summary,
        (("customers", st.just(_C)), ("instants", st.just(_D))),
        (("observation_end", st.just("2024-06-01")),),
    ),
    Entry(
        "rfm_scores",
        cx.rfm_scores,
        (("summary", summary),),
        (("bins", st.integers(2, 5)),),
    ),
    Entry(
        "gamma_gamma",
        cx.gamma_gamma,
        (
            ("frequency", st.just([1, 2, 3, 1, 4])),
            ("monetary_value", st.just([10.0, 12.0, 8.0, 30.0, 9.0])),
        ),
    ),
    Entry(
        "bgnbd",
        cx.bgnbd,
        (
            ("frequency", st.just([0, 1, 2, 5, 0, 3, 1, 0])),
            ("recency", st.just([0.0, 10.0, 20.0, 30.0, 0.0, 25.0, 5.0, 0.0])),
            ("T", st.just([40.0, 40.0, 35.0, 40.0, 30.0, 40.0, 20.0, 10.0])),
        ),
    ),
    Entry(
        "pareto_nbd",
        cx.pareto_nbd,
        (
            ("frequency", st.just([0, 1, 2, 5, 0, 3, 1, 0])),
            ("recency", st.just([0.0, 10.0, 20.0, 30.0, 0.0, 25.0, 5.0, 0.0])),
            ("T", st.just([40.0, 40.0, 35.0, 40.0, 30.0, 40.0, 20.0, 10.0])),
        ),
    ),
    Entry(
        "bgbb",
        cx.bgbb,
        (
            ("frequency", st.just([0, 1, 2, 5, 0, 3, 1, 0])),
            ("recency", st.just([0, 2, 3, 6, 0, 5, 1, 0])),
            ("n_periods", st.just([6, 6, 6, 6, 6, 6, 6, 6])),
        ),
    ),
    Entry(
        "sla_targets",
        cx.sla_targets,
        (("log", ticket_log), ("policy", policy)),
        (
            ("priority", priorities),
            ("as_of", st.just(np.datetime64("2024-02-01T00:00", "s"))),
        ),
    ),
    Entry(
        "backlog",
        cx.backlog,
        (("log", ticket_log), ("instants", st.just(_I[:2]))),
    ),
    Entry(
        "resolution_rate",
        cx.resolution_rate,
        (("log", ticket_log),),
        (
            ("start", st.just(np.datetime64("2024-01-08T00:00", "s"))),
            ("end", st.just(np.datetime64("2024-01-11T00:00", "s"))),
        ),
    ),
    Entry(
        "waits_from_instants",
        cx.waits_from_instants,
        (("arrived", st.just(_I[:3])), ("answered", st.just(_I[1:4]))),
    ),
    Entry(
        "period_start",
        cx.period_start,
        (("instants", days.map(lambda d: np.array(d, dtype="datetime64[D]"))),),
        (("freq", st.sampled_from(["month", "week", "quarter"])),),
    ),
    Entry(
        "calibration_holdout",
        cx.calibration_holdout,
        (("customers", st.just(_C)), ("instants", st.just(_D))),
        (
            ("calibration_end", st.just("2024-03-01")),
            ("observation_end", st.just("2024-06-01")),
        ),
    ),
    # stats ----------------------------------------------------------------------
    _block(
        "proportion_interval",
        cx.stats.proportion_interval,
        (("count", st.integers(0, 50)), ("nobs", st.integers(50, 100))),
        (("method", st.sampled_from(["wilson", "wald", "agresti_coull"])),),
    ),
    _block(
        "rate_interval",
        cx.stats.rate_interval,
        (("count", st.integers(0, 50)), ("exposure", positive)),
    ),
    _block(
        "mean_interval",
        cx.stats.mean_interval,
        (("mean", positive), ("standard_error", positive)),
        (("df", st.integers(1, 50)),),
    ),
    _block(
        "net_score_interval",
        cx.stats.net_score_interval,
        (
            ("positive", st.integers(0, 40)),
            ("negative", st.integers(0, 40)),
            ("nobs", st.integers(80, 100)),
        ),
    ),
    _block(
        "proportion_sample_size",
        cx.stats.proportion_sample_size,
        (("margin", st.floats(0.01, 0.2)),),
        (("proportion", share),),
    ),
    _block(
        "nps_sample_size",
        cx.stats.nps_sample_size,
        (("margin", st.floats(1.0, 20.0)),),
    ),
    _block(
        "chi_square_pvalue",
        cx.stats.chi_square_pvalue,
        (("statistic", positive), ("df", st.integers(1, 30))),
    ),
    _block("critical_value", cx.stats.critical_value, (("confidence_level", share),)),
    _block(
        "t_critical_value",
        cx.stats.t_critical_value,
        (("confidence_level", share), ("df", st.integers(1, 100))),
    ),
    _block(
        "t_pvalue",
        cx.stats.t_pvalue,
        (("t", st.floats(-5, 5)), ("df", st.integers(1, 100))),
    ),
    _block("normal_pvalue", cx.stats.normal_pvalue, (("z", st.floats(-5, 5)),)),
]

#: bad values that replace one argument
BAD_VALUES: list[Any] = [
    None,
    "x",
    "",
    float("nan"),
    float("inf"),
    float("-inf"),
    -1,
    -1.5,
    0,
    1e308,
    10**30,
    True,
    [],
    [float("nan")],
    [1, 2, 3],
    [[1, 2], [3]],
    ["a", None, "b"],
    {"a": 1},
    object(),
    np.array([1.0, np.inf, -1.0]),
    np.array(["2024-01-01"], dtype="datetime64[D]"),
    # ragged, nested and None-filled arrays (issue #20, item 14)
    [None, None],
    [1, [2, 3]],
    [[1, 2, 3]] * 3,
    np.zeros((2, 2, 2)),
    (1.5, "2", None),
    # the second audit's classes: numpy counts timedelta64 as an integer, a
    # subnormal divides to inf, squares of 1e200 overflow a variance, a nullable
    # column becomes an object array holding pandas.NA (a stand-in without pandas)
    np.timedelta64(30, "s"),
    5e-324,
    1e200,
    np.array([1e200, 2.0, 3.0]),
    np.array([np.timedelta64(1, "s"), 2], dtype=object),
]
