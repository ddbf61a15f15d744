"""Every public grouped result against its scalar result, driven by one registry.

Each entry builds a grouped result through a public front door on tiny data,
and, for each of its groups, the scalar result of the same front door on that
group's rows alone. A new grouped result is covered by adding one entry.
"""

from __future__ import annotations

import importlib.util
import math
import warnings
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics._core.display import MAX_ROWS
from cxmetrics._core.grouped import to_python
from cxmetrics._core.keys import key_columns
from cxmetrics._core.result import GroupedResult, grouped_result, shared
from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.support import SLAPolicy, TicketLog

Built = tuple[Any, dict[Any, Any]]

# --------------------------------------------------------------------- data

_SCORES = np.array([10, 9, 3, 8, 10, 0, 6, 7, 9, 10, 2, 5])
_BY = np.array(["n", "n", "n", "s", "s", "s", "s", "w", "w", "w", "w", "w"])
_RATINGS = np.array([5, 4, 1, 2, 5, 3, 3, 4, 5, 1, 2, 4])
_EFFORT = np.array([7, 6, 1, 3, 5, 7, 2, 4, 6, 6, 1, 5])

_TICKET = np.array([1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 6, 6])
_STATUS = np.array(
    [
        "new",
        "solved",
        "open",
        "new",
        "solved",
        "new",
        "pending",
        "solved",
        "new",
        "new",
        "solved",
        "new",
        "solved",
        "closed",
    ]
)
_HOURS = np.array([0, 1, 3, 0, 5, 1, 2, 3, 2, 0, 2, 1, 4, 6])
_T0 = np.datetime64("2024-01-08T09:00", "s")
_INSTANT = _T0 + _HOURS.astype("timedelta64[h]")
_TICKETS = np.arange(1, 7)
_TEAM = np.array(["a", "b", "a", "b", "c", "a"])  # per ticket in _TICKETS
_AS_OF = _T0 + np.timedelta64(12, "h")


def _log(tickets: Any = _TICKETS) -> TicketLog:
    m = np.isin(_TICKET, tickets)
    return TicketLog.from_arrays(_TICKET[m], _INSTANT[m], _STATUS[m])


_WAIT = np.array([5.0, 30, 12, 2, 40, 8, 25, 3, 17, 60])
_ABANDONED = np.array([0, 0, 1, 0, 1, 0, 0, 1, 0, 1], dtype=bool)
_TALK = np.array([100.0, 200, 0, 150, 0, 90, 300, 0, 120, 0])
_QUEUE = np.array(["x", "y", "x", "x", "y", "y", "x", "y", "x", "y"])
_ARRIVED = np.array([0.0, 100, 1900, 2000, 50, 1850, 300, 3700, 3650, 20])

_SCHED = np.array(["phone", "phone", "break", "phone", "off", "phone", "phone", "off"])
_ACTUAL = np.array(["phone", "break", "break", "off", "phone", "phone", "off", "off"])
_AGENT = np.array(["ann", "ann", "ann", "bo", "bo", "cy", "cy", "cy"])


def _per_group(keys: Any, rows: Any, front: Callable[[Any], Any]) -> dict[Any, Any]:
    return {k: front(rows == k) for k in np.unique(keys).tolist()}


# ----------------------------------------------------------------- registry


def _nps() -> Built:
    g = cx.nps(_SCORES, by=_BY)
    return g, _per_group(_BY, _BY, lambda m: cx.nps(_SCORES[m]))


def _enps_min_n() -> Built:
    g = cx.enps(_SCORES, by=_BY, min_n=4, small_groups="suppress")
    return g, _per_group(
        _BY, _BY, lambda m: cx.enps(_SCORES[m], min_n=4, small_groups="suppress")
    )


def _csat() -> Built:
    g = cx.csat(_RATINGS, by=_BY)
    return g, _per_group(_BY, _BY, lambda m: cx.csat(_RATINGS[m]))


def _ces_share() -> Built:
    g = cx.ces(_EFFORT, by=_BY, definition="share")
    return g, _per_group(_BY, _BY, lambda m: cx.ces(_EFFORT[m], definition="share"))


def _sla() -> Built:
    policy = SLAPolicy({"p": {"resolution": 3 * 3600}}, hours="calendar")
    pri = ["p"] * len(_TICKETS)
    g = cx.sla_compliance(
        _log(), policy, priority=pri, by=_TEAM, tickets=_TICKETS, as_of=_AS_OF
    )

    def one(m: Any) -> Any:
        t = _TICKETS[m]
        return cx.sla_compliance(
            _log(t), policy, priority=["p"] * len(t), tickets=t, as_of=_AS_OF
        )

    return g, _per_group(_TEAM, _TEAM, one)


def _reopen() -> Built:
    g = cx.reopen_rate(_log(), by=_TEAM, tickets=_TICKETS)
    return g, _per_group(_TEAM, _TEAM, lambda m: cx.reopen_rate(_log(_TICKETS[m])))


def _contact() -> Built:
    g = cx.contact_metrics(_WAIT, _ABANDONED, talk=_TALK, by=_QUEUE)
    return g, _per_group(
        _QUEUE,
        _QUEUE,
        lambda m: cx.contact_metrics(_WAIT[m], _ABANDONED[m], talk=_TALK[m]),
    )


def _contact_intervals() -> Built:
    g = cx.contact_metrics(
        _WAIT, _ABANDONED, by=_QUEUE, arrived=_ARRIVED, interval=1800
    )
    start = np.floor(_ARRIVED / 1800) * 1800
    out = {}
    for key in g.keys:
        q, t = to_python(key)
        m = np.equal(_QUEUE, q) & (start == t)
        out[(q, t)] = cx.contact_metrics(_WAIT[m], _ABANDONED[m])
    return g, out


def _adherence() -> Built:
    g = cx.adherence(_SCHED, _ACTUAL, by=_AGENT)
    return g, _per_group(_AGENT, _AGENT, lambda m: cx.adherence(_SCHED[m], _ACTUAL[m]))


def _patience() -> Built:
    g = cx.estimate_patience(_WAIT, _ABANDONED, by=_QUEUE)
    return g, _per_group(
        _QUEUE, _QUEUE, lambda m: cx.estimate_patience(_WAIT[m], _ABANDONED[m])
    )


def _patience_km() -> Built:
    g = cx.estimate_patience(_WAIT, _ABANDONED, by=_QUEUE, method="kaplan_meier")
    return g, _per_group(
        _QUEUE,
        _QUEUE,
        lambda m: cx.estimate_patience(_WAIT[m], _ABANDONED[m], method="kaplan_meier"),
    )


_Y = np.array([4.0, 6.0, 5.0, 7.0, 8.0, 6.5, 3.0, 9.0, 5.5])
_ARM = np.array(list("AAABBBCCC"))


def _experiment() -> Built:
    g = cx.experiment(_Y, _ARM, control="A")

    def one(arm: str) -> Any:
        m = np.isin(_ARM, ["A", arm])
        return cx.experiment(_Y[m], _ARM[m], control="A")[arm]

    return g, {arm: one(arm) for arm in ("B", "C")}


_CUSTOMER = np.array([1, 2, 3, 4, 4, 5])
_SPELL_START = np.array(
    [
        "2024-01-01",
        "2024-01-01",
        "2024-02-10",
        "2024-01-15",
        "2024-03-05",
        "2024-02-01",
    ],
    dtype="datetime64[D]",
)
_SPELL_END = np.array(
    [
        "2024-02-15",
        "2024-04-01",
        "2024-03-20",
        "2024-02-20",
        "2024-04-10",
        "2024-02-25",
    ],
    dtype="datetime64[D]",
)


def _churn() -> Built:
    g = cx.churn_by_period(_CUSTOMER, _SPELL_START, _SPELL_END, convention="stripe")

    def one(month: Any) -> Any:  # the same spells, seen through one period
        state = cx.ChurnState.from_spells(
            _CUSTOMER,
            _SPELL_START,
            _SPELL_END,
            window_start=month,
            window_end=month + np.timedelta64(1, "M"),
        )
        return state.compute("stripe")

    return g, {str(m): one(m) for m in g.keys}


REGISTRY: dict[str, Callable[[], Built]] = {
    "nps": _nps,
    "enps_min_n": _enps_min_n,
    "csat": _csat,
    "ces_share": _ces_share,
    "sla_compliance": _sla,
    "reopen_rate": _reopen,
    "contact_metrics": _contact,
    "contact_metrics_intervals": _contact_intervals,
    "adherence": _adherence,
    "estimate_patience": _patience,
    "estimate_patience_km": _patience_km,
    "experiment": _experiment,
    "churn_by_period": _churn,
}

#: every grouped result class generated from a scalar declaration, by name
GENERATED = {
    "GroupedNPSResult",
    "GroupedCSATResult",
    "GroupedCESResult",
    "GroupedSLAComplianceResult",
    "GroupedSupportRateResult",
    "GroupedContactResult",
    "GroupedAdherenceResult",
    "GroupedPatienceResult",
    "ExperimentResult",
    "GroupedChurnResult",
}


@pytest.fixture(params=sorted(REGISTRY))
def built(request: pytest.FixtureRequest) -> Built:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return REGISTRY[request.param]()


# -------------------------------------------------------------- comparisons


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def _role(f: attrs.Attribute[Any]) -> str:
    return str(f.metadata.get("cxmetrics.role", "column"))


def assert_same_result(got: Any, want: Any) -> None:
    assert type(got) is type(want)
    for f in attrs.fields(type(want)):
        if _role(f) == "scalar":  # not held by the grouped result
            continue
        a, b = getattr(got, f.name), getattr(want, f.name)
        assert _same(a, b), f"{type(want).__name__}.{f.name}: {a!r} != {b!r}"


def _columns(g: Any) -> list[str]:
    return [*g._columns, *g._hidden]


# -------------------------------------------------------------------- tests


def test_registry_covers_every_generated_class() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        seen = {type(build()[0]).__name__ for build in REGISTRY.values()}
    assert seen == GENERATED
    for name in GENERATED:
        assert issubclass(getattr(cx, name), GroupedResult)


def test_grouped_item_is_the_scalar_front_door(built: Built) -> None:
    g, scalars = built
    assert len(g) == len(scalars)
    for key, want in scalars.items():
        assert_same_result(g[key], want)
        i = g._position(key)
        for name in _columns(g):  # the column itself, not only the item
            assert _same(to_python(getattr(g, name)[i]), getattr(want, name))


def test_arrays_read_only(built: Built) -> None:
    g, _ = built
    for name in ("keys", *_columns(g)):
        arr = getattr(g, name)
        assert isinstance(arr, np.ndarray)
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            arr[...] = arr


def test_to_dict_keys_are_the_declared_columns(built: Built) -> None:
    g, _ = built
    want = list(key_columns(g.keys))
    want += [c for c in g._columns if getattr(g, c).ndim == 1]
    if g._ci_columns:
        want += ["ci_low", "ci_high"]
    d = g.to_dict()
    assert list(d) == want
    assert all(len(v) == len(g) for v in d.values())


def test_to_pandas_round(built: Built) -> None:
    pytest.importorskip("pandas")
    g, _ = built
    d = g.to_dict()
    df = g.to_pandas()
    assert df.columns.tolist() == list(d)
    for name, col in d.items():
        np.testing.assert_array_equal(df[name].to_numpy(), col)


def test_to_polars_round(built: Built) -> None:
    pytest.importorskip("polars")
    g, _ = built
    d = g.to_dict()
    df = g.to_polars()
    assert df.columns == list(d)
    for name, col in d.items():
        np.testing.assert_array_equal(df[name].to_numpy(), np.asarray(col))


def test_text_and_html_show_every_group(built: Built) -> None:
    g, _ = built
    text, page = repr(g), g._repr_html_()
    assert text.splitlines()[0] == f"{type(g).__name__} with {len(g)} group(s)"
    assert len(text.splitlines()) == 2 + min(len(g), 20) + (len(g) > 20)
    for name in g._table:
        assert name in text.splitlines()[1]
    assert page.count("<tr>") == 1 + min(len(g), MAX_ROWS)
    first = key_columns(g.keys)[next(iter(key_columns(g.keys)))][:20]
    # period labels (datetime64[M]) are shown as numpy writes them, not as dates
    for key in first if first.dtype.kind == "M" else first.tolist():
        shown = f"{key:.4g}" if isinstance(key, float) else str(key)
        assert shown in text
        assert str(key) in page or shown in page


def test_many_groups_are_cut_at_the_limits() -> None:
    by = np.arange(60).repeat(2)
    g = cx.nps(np.tile([10, 0], 60), by=by)
    text = repr(g)
    assert text.splitlines()[-1] == "... 40 more"
    assert g._repr_html_().count("<tr>") == 1 + MAX_ROWS


# ----------------------------------------------------- grouped == scalar laws


@given(
    st.lists(
        st.tuples(st.integers(0, 10), st.sampled_from("abc")), min_size=1, max_size=40
    ),
    st.integers(0, 4),
)
def test_survey_grouped_equals_scalar(rows: list[tuple[int, str]], min_n: int) -> None:
    scores = np.array([r[0] for r in rows])
    by = np.array([r[1] for r in rows])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for front in (cx.nps, cx.csat, cx.ces):
            if front is not cx.nps:  # CSAT 1-5 and CES 1-7 scales
                s = np.clip(scores, 1, 5 if front is cx.csat else 7)
            else:
                s = scores
            g = front(s, by=by, min_n=min_n, small_groups="flag")
            for key in np.unique(by).tolist():
                m = by == key
                assert_same_result(
                    g[key], front(s[m], min_n=min_n, small_groups="flag")
                )
                np.testing.assert_array_equal(g.value[g._position(key)], g[key].value)


_STEPS = st.sampled_from(["open", "pending", "solved", "closed"])


@given(
    st.lists(
        st.tuples(
            st.lists(_STEPS, max_size=4), st.sampled_from("xyz"), st.integers(1, 9)
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["zendesk", "pessimistic", "optimistic", "completed_only"]),
    st.sampled_from(["target", "ticket"]),
)
def test_support_grouped_equals_scalar(
    tickets: list[tuple[list[str], str, int]], compliance: str, level: str
) -> None:
    ids, instants, statuses = [], [], []
    for i, (steps, _, _) in enumerate(tickets):
        for j, status in enumerate(["new", *steps]):
            ids.append(i)
            instants.append(_T0 + np.timedelta64(j, "h"))
            statuses.append(status)
    ids_a, inst_a, stat_a = np.array(ids), np.array(instants), np.array(statuses)
    team = np.array([t[1] for t in tickets])
    due = np.array([_T0 + np.timedelta64(t[2], "h") for t in tickets])
    every = np.arange(len(tickets))
    as_of = _T0 + np.timedelta64(5, "h")

    def log(which: Any) -> TicketLog:
        m = np.isin(ids_a, which)
        return TicketLog.from_arrays(ids_a[m], inst_a[m], stat_a[m], as_of=as_of)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        whole = log(every)
        rates = cx.reopen_rate(whole, by=team, tickets=every)
        sla = cx.sla_compliance(
            whole,
            due=due,
            by=team,
            tickets=every,
            as_of=as_of,
            definition=compliance,
            level=level,
        )
        for key in np.unique(team).tolist():
            mine = every[team == key]
            part = log(mine)
            assert_same_result(rates[key], cx.reopen_rate(part))
            want = cx.sla_compliance(
                part,
                due=due[mine],
                tickets=mine,
                as_of=as_of,
                definition=compliance,
                level=level,
            )
            assert_same_result(sla[key], want)


# ------------------------------------------- hand-written: the funnel by segment

_UNIT = np.array(["u1", "u1", "u1", "u2", "u2", "u3", "u4", "u4", "u5", "u5"])
_TIME = np.array([1, 3, 9, 2, 40, 4, 1, 2, 5, 6])
_EVENT = np.array(
    ["view", "cart", "paid", "view", "cart", "view", "view", "cart", "view", "paid"]
)
_SEGMENT = np.array(
    ["web", "web", "web", "app", "app", "web", "app", "app", "web", "web"]
)
_FUNNEL_STEPS = ["view", "cart", "paid"]


def test_grouped_funnel_item_is_the_scalar_front_door() -> None:
    """GroupedFunnelResult stays hand-written (long tables); the same laws hold."""
    g = cx.funnel(_UNIT, _TIME, _EVENT, _FUNNEL_STEPS, window=10, by=_SEGMENT)
    assert not isinstance(g, GroupedResult)
    assert len(g) == 2
    k = len(_FUNNEL_STEPS)
    for i, key in enumerate(g.keys.tolist()):
        m = np.equal(_SEGMENT, key)
        want = cx.funnel(_UNIT[m], _TIME[m], _EVENT[m], _FUNNEL_STEPS, window=10)
        assert g[key] == want
        assert _same(float(g.value[i]), want.value)
        assert int(g.n[i]) == want.n
        np.testing.assert_array_equal(g.reached[i], want.reached)
    for arr in (g.keys, g.counts):
        assert not arr.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            arr[...] = arr
    d = g.to_dict()  # one row per (segment, step)
    assert list(d)[:2] == ["key", "step"]
    assert all(len(v) == len(g) * k for v in d.values())
    assert d["reached"].tolist() == g.reached.ravel().tolist()
    text, page = repr(g), g._repr_html_()
    assert text.splitlines()[0].startswith(
        f"GroupedFunnelResult with {len(g)} segment(s)"
    )
    assert len(text.splitlines()) == 1 + len(g)
    assert page.count("<tr>") == 1 + len(g) * k
    if importlib.util.find_spec("pandas") is not None:
        df = g.to_pandas()
        assert df.columns.tolist() == list(d)
        for name, col in d.items():
            np.testing.assert_array_equal(df[name].to_numpy(), col)


# ------------------------------------------------- the declaration is checked


@attrs.frozen
class _Demo:
    value: float
    n: int
    label: str = shared()


def test_declaration_mistakes_fail_at_import() -> None:
    with pytest.raises(TypeError, match="must annotate its shared"):

        @grouped_result(_Demo, table=("value",))
        class NoNote(GroupedResult[_Demo]):
            pass

    with pytest.raises(TypeError, match="declares 'str'"):

        @grouped_result(_Demo, table=("value",))
        class WrongNote(GroupedResult[_Demo]):
            label: int

    with pytest.raises(TypeError, match="annotate it as an NDArray"):

        @grouped_result(_Demo, table=("value",))
        class ScalarNote(GroupedResult[_Demo]):
            label: str
            n: int

    @attrs.frozen
    class Odd:
        value: float
        scheme: object

    with pytest.raises(TypeError, match="declare it shared"):
        grouped_result(Odd, table=("value",))(GroupedResult)

    with pytest.raises(TypeError, match="table columns"):

        @grouped_result(_Demo, table=("value", "nope"))
        class BadTable(GroupedResult[_Demo]):
            label: str


def test_column_defaults_fill_every_group() -> None:
    @attrs.frozen
    class Flagged:
        value: float
        n: int
        flagged: bool = False

    @grouped_result(Flagged, table=("value", "n"))
    class GroupedFlagged(GroupedResult[Flagged]):
        pass

    g = GroupedFlagged(["a", "b"], [1.0, float("nan")], [3, 0])
    assert g.flagged.tolist() == [False, False]
    assert g["b"].flagged is False
    assert g == GroupedFlagged(["a", "b"], [1.0, float("nan")], [3, 0])  # NaN == NaN
