"""Every option is checked up front, from the one alias that lists its values (issue #14).

Driven by :mod:`cxmetrics.typing`: for every public callable (the functions and
the public methods of the classes in ``cxmetrics.__all__`` and the families'
``__all__``) and every parameter annotated with a ``Literal`` alias of
:mod:`cxmetrics.typing`,

- a bad value raises :class:`~cxmetrics.exceptions.InvalidInputError` naming the
  parameter, **before the data is touched**: every data argument (and ``self``)
  is a poisoned object that raises on any use, so a front door that reads its
  data, or even looks at it, before checking its options fails here;
- with valid data (the small inputs of ``hardening/registry.py``) the same
  bad value raises the same error;
- no public signature annotates an option as a bare ``str``.
"""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, get_origin

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
import cxmetrics.typing as cxt
from cxmetrics._core.options import check_option, option_values
from cxmetrics.exceptions import CXMetricsError, InvalidInputError
from hardening.registry import ENTRIES

FAMILIES = (
    "cxmetrics",
    "cxmetrics.survey",
    "cxmetrics.support",
    "cxmetrics.staffing",
    "cxmetrics.workforce",
    "cxmetrics.journeys",
    "cxmetrics.experiments",
    "cxmetrics.retention",
    "cxmetrics.clv",
    "cxmetrics.voice",
    "cxmetrics.stats",
    "cxmetrics.frames",
    "cxmetrics.periods",
    "cxmetrics.plot",
    "cxmetrics.report",
)
ALIASES: dict[str, Any] = {
    name: getattr(cxt, name)
    for name in cxt.__all__
    if get_origin(getattr(cxt, name)) is Literal  # the option lists, not FunnelStep
}
_ALIAS_IDS = {id(a): name for name, a in ALIASES.items()}
BAD = "not-an-option"


class PoisonedError(Exception):
    """Raised by any use of a poisoned argument: the data was touched."""


class Poison:
    """Stands for a data argument; any use of it raises :class:`PoisonedError`."""

    def __getattr__(self, name: str) -> Any:
        raise PoisonedError(name)

    def _touch(self, *_: Any, **__: Any) -> Any:
        raise PoisonedError

    __iter__ = __len__ = __getitem__ = __bool__ = __array__ = _touch
    __float__ = __int__ = __index__ = __call__ = __contains__ = _touch
    __add__ = __sub__ = __mul__ = __truediv__ = __lt__ = __gt__ = _touch


def _public() -> Iterator[tuple[str, Callable[..., Any], bool]]:
    """(qualified name, function, needs self) of every public callable, once each."""
    seen: set[int] = set()
    for modname in FAMILIES:
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                for mname, member in inspect.getmembers(obj):
                    if mname.startswith("_") or isinstance(
                        inspect.getattr_static(obj, mname), property
                    ):
                        continue
                    static = inspect.getattr_static(obj, mname)
                    if isinstance(static, classmethod | staticmethod):
                        fn, needs_self = member, False
                    elif inspect.isfunction(member):
                        fn, needs_self = member, True
                    else:
                        continue
                    key = id(inspect.unwrap(getattr(fn, "__func__", fn)))
                    if key not in seen:
                        seen.add(key)
                        yield f"{obj.__name__}.{mname}", fn, needs_self
            elif inspect.isfunction(obj) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{modname}.{name}", obj, False


def _aliases(fn: Callable[..., Any], annotation: object) -> list[str]:
    """Names of the cxmetrics.typing aliases in an annotation (a string here)."""
    if not isinstance(annotation, str):
        return []
    names = getattr(inspect.unwrap(fn), "__globals__", {})
    out = []
    for token in re.findall(r"[A-Za-z_]\w*", annotation):
        obj = names.get(token, ALIASES.get(token))
        if obj is not None and id(obj) in _ALIAS_IDS:
            out.append(_ALIAS_IDS[id(obj)])
    return out


def _option_params() -> list[
    tuple[str, Callable[..., Any], bool, str, tuple[Any, ...]]
]:
    rows = []
    for qual, fn, needs_self in _public():
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        for p in sig.parameters.values():
            found = _aliases(fn, p.annotation)
            if found:
                allowed = tuple(v for a in found for v in option_values(ALIASES[a]))
                rows.append((qual, fn, needs_self, p.name, allowed))
    return rows


OPTION_PARAMS = _option_params()
#: front doors: functions, and the class- and static methods that build from data
FRONT_DOORS = [row for row in OPTION_PARAMS if not row[2]]
#: methods of an object (a result's intervals, a state's compute)
METHODS = [row for row in OPTION_PARAMS if row[2]]


#: valid values of required parameters that are neither options nor data
_VALID = {"probability": 0.5}


def _valid_default(fn: Callable[..., Any], p: inspect.Parameter) -> Any:
    """A valid value of a parameter without a default: an option's first value, else poison."""
    found = _aliases(fn, p.annotation)
    if found:
        return option_values(ALIASES[found[0]])[0]
    return _VALID.get(p.name, Poison())


def _poisoned_call(fn: Callable[..., Any], name: str) -> None:
    sig = inspect.signature(fn)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    params = list(sig.parameters.values())
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name == name:
            value: Any = BAD
        elif p.default is not p.empty:
            continue
        else:
            value = _valid_default(fn, p)
        if p.kind == p.POSITIONAL_ONLY:
            args.append(value)
        else:
            kwargs[p.name] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn(*args, **kwargs)


def test_the_walk_finds_the_options() -> None:
    """The walk is not empty: a broken walk would pass every test below."""
    assert len(FRONT_DOORS) > 100
    assert len(METHODS) > 50
    names = {row[3] for row in OPTION_PARAMS}
    assert {"nan_policy", "method", "alternative", "freq", "definition"} <= names


@pytest.mark.parametrize(
    ("qual", "fn", "name"),
    [(row[0], row[1], row[3]) for row in FRONT_DOORS],
    ids=[f"{row[0]}-{row[3]}" for row in FRONT_DOORS],
)
def test_bad_option_is_refused_before_the_data(
    qual: str, fn: Callable[..., Any], name: str
) -> None:
    try:
        _poisoned_call(fn, name)
    except PoisonedError as exc:
        pytest.fail(f"{qual} touched its data ({exc}) before checking `{name}`")
    except InvalidInputError as exc:
        assert f"`{name}`" in str(exc), (qual, str(exc))
        assert BAD in str(exc)
    else:
        pytest.fail(f"{qual} accepted {name}={BAD!r}")


def _registry_cases() -> list[tuple[Any, str]]:
    cases = []
    for entry in ENTRIES:
        try:
            params = inspect.signature(entry.func).parameters
        except (TypeError, ValueError):
            continue
        cases.extend(
            (entry, p.name)
            for p in params.values()
            if _aliases(entry.func, p.annotation) and p.name not in entry.names
        )
    return cases


REGISTRY_CASES = _registry_cases()


@pytest.mark.parametrize(
    ("entry", "name"), REGISTRY_CASES, ids=[f"{e.name}-{n}" for e, n in REGISTRY_CASES]
)
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_bad_option_with_valid_data(entry: Any, name: str, data: st.DataObject) -> None:
    args = [data.draw(s, label=n) for n, s in entry.args]
    kwargs = {n: data.draw(s, label=n) for n, s in entry.kwargs}
    kwargs[name] = BAD
    with pytest.raises(InvalidInputError, match=f"`{name}`"):
        entry.func(*args, **kwargs)


def test_registry_reaches_options() -> None:
    assert len(REGISTRY_CASES) > 40


#: parameters typed ``str`` that are not options: free text, names of things
#: (a column, a model parameter, a bundled file, a zone, a unit label)
_FREE_TEXT = {"parameter", "name", "zone", "tz", "time_unit", "label", "xlabel"}


def test_no_option_is_a_bare_str() -> None:
    """A parameter named like an option, or defaulting to an option's value, is typed by its alias."""
    option_names = {row[3] for row in OPTION_PARAMS}
    option_values_ = {v for a in ALIASES.values() for v in option_values(a)}
    offenders = []
    for qual, fn, _ in _public():
        cls = getattr(fn, "__qualname__", "").split(".")[0]
        owner = getattr(inspect.getmodule(fn), cls, None)
        if fn.__name__ == "__init__" and attrs.has(owner):
            continue  # records: hold what a front door checked
        for p in inspect.signature(fn).parameters.values():
            ann = p.annotation
            if ann not in ("str", "str | None") or p.name in _FREE_TEXT:
                continue
            if p.name in option_names or p.default in option_values_:
                offenders.append(f"{qual}({p.name}: {ann} = {p.default!r})")
    assert not offenders, offenders


def test_every_alias_is_a_literal_of_distinct_values() -> None:
    for name, alias in ALIASES.items():
        values = option_values(alias)
        assert values, name
        assert len(set(values)) == len(values), name


def test_freq_subsets_share_the_one_vocabulary() -> None:
    every = set(option_values(cxt.Freq))
    assert set(option_values(cxt.CalendarFreq)) <= every
    assert set(option_values(cxt.FixedFreq)) <= every
    assert option_values(cxt.Freq) == cx.periods.FREQS
    assert option_values(cxt.CalendarFreq) == cx.periods.CALENDAR_FREQS


def test_sla_definitions_match_the_table() -> None:
    from cxmetrics.support._compliance import COMPLIANCE

    assert tuple(COMPLIANCE) == option_values(cxt.SLADefinition)


def test_near_miss_suggests_the_value() -> None:
    with pytest.raises(InvalidInputError, match="Did you mean 'two-sided'"):
        cx.compare_nps([10, 9], [9, 7], alternative="two_sided")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="Did you mean 'omit'"):
        cx.nps([10, 9], nan_policy="Omit")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="Did you mean 'benjamini_hochberg'"):
        cx.adjust_pvalues([0.1], method="benjamini-hochberg")  # type: ignore[arg-type]


def test_far_miss_lists_the_values_without_a_guess() -> None:
    with pytest.raises(InvalidInputError) as info:
        check_option("method", "zzz", cxt.ProportionMethod)
    message = str(info.value)
    assert "Did you mean" not in message
    assert "'wilson'" in message
    assert "'zzz'" in message


@pytest.mark.parametrize("value", [["raise"], True, 1, None, b"omit"])
def test_non_string_values_are_refused(value: object) -> None:
    with pytest.raises(InvalidInputError, match="`nan_policy`"):
        check_option("nan_policy", value, cxt.NanPolicy)


def test_errors_are_cxmetrics_errors() -> None:
    with pytest.raises(CXMetricsError):
        check_option("x", "y", cxt.Alternative)


#: the option methods of each class, by the name of the class defining them
METHODS_BY_CLASS: dict[str, list[tuple[str, str]]] = {}
for _, _fn, _, _name, _ in METHODS:  # keyed by the class that defines the method
    _cls, _method = _fn.__qualname__.rsplit(".", 1)
    METHODS_BY_CLASS.setdefault(_cls, []).append((_method, _name))


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_bad_option_of_a_result_method(entry: Any, data: st.DataObject) -> None:
    """The option methods of what a front door returns (intervals, tables) refuse a bad value."""
    args = [data.draw(s, label=n) for n, s in entry.args]
    kwargs = {n: data.draw(s, label=n) for n, s in entry.kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = entry.func(*args, **kwargs)
        except CXMetricsError:
            return  # no result to ask (a fit that needs scipy, a degenerate draw)
        _check_methods(result)


def _check_methods(obj: Any) -> int:
    """Call every option method of ``obj`` with a bad value; the number of calls."""
    calls = 0
    methods = {
        m for c in type(obj).__mro__ for m in METHODS_BY_CLASS.get(c.__name__, [])
    }
    for method, name in sorted(methods):
        bound = getattr(obj, method)
        call: dict[str, Any] = {name: BAD}
        for p in inspect.signature(bound).parameters.values():
            if p.name != name and p.default is p.empty and p.kind != p.VAR_KEYWORD:
                call[p.name] = _valid_default(bound, p)
        with pytest.raises(InvalidInputError, match=f"`{name}`"):
            bound(**call)
        calls += 1
    return calls


_ARMS = ["a"] * 6 + ["b"] * 6
_LOG = (
    ["u1", "u1", "u2", "u2", "u3"],
    [0, 30, 0, 50, 10],
    ["cart", "paid", "cart", "paid", "cart"],
    ["cart", "paid"],
)
#: objects with option methods that no registry entry returns
OBJECTS: dict[str, Callable[[], Any]] = {
    "NPSState": lambda: cx.NPSState.from_responses([10, 9, 3]),
    "GroupedNPSState": lambda: cx.GroupedNPSState.from_responses([10, 9], ["x", "y"]),
    "CSATState": lambda: cx.CSATState.from_responses([5, 4, 2]),
    "GroupedCSATState": lambda: cx.GroupedCSATState.from_responses([5, 1], ["x", "y"]),
    "CESState": lambda: cx.CESState.from_responses([7, 4, 2]),
    "GroupedCESState": lambda: cx.GroupedCESState.from_responses([7, 1], ["x", "y"]),
    "CSATResult": lambda: cx.csat([5, 4, 2]),
    "CESResult": lambda: cx.ces([7, 4, 2]),
    "GroupedCSATResult": lambda: cx.csat([5, 4, 2, 1], by=["x", "x", "y", "y"]),
    "ContactState": lambda: cx.ContactState.from_contacts([5, 30], [False, True]),
    "GroupedContactState": lambda: cx.GroupedContactState.from_contacts(
        [5, 30], [False, True], by=["x", "y"]
    ),
    "GroupedContactResult": lambda: cx.contact_metrics(
        [5, 30], [False, True], by=["x", "y"]
    ),
    "ExperimentState": lambda: cx.ExperimentState.from_units([1, 0] * 6, _ARMS),
    "ExperimentResult": lambda: cx.experiment([1, 0, 1] * 4, _ARMS, control="a"),
    "LiftResult": lambda: cx.experiment([1, 0, 1] * 4, _ARMS, control="a")["b"],
    "FunnelResult": lambda: cx.funnel(*_LOG, window=40),
    "GroupedFunnelResult": lambda: cx.funnel(
        *_LOG, window=40, by=["x", "x", "y", "y", "y"]
    ),
    "KaplanMeierResult": lambda: cx.kaplan_meier([3.0, 5.0, 8.0], [True, False, True]),
    "SurvivalState": lambda: cx.SurvivalState.from_durations([3.0, 5.0], [True, False]),
    "AgreementResult": lambda: cx.cohens_kappa([1, 1, 2, 2], [1, 1, 2, 1]),
    "QAScoreResult": lambda: cx.qa_scores([[1, 1], [1, 0], [0, 1]], [1, 1]),
    "BusinessCalendar": cx.BusinessCalendar,
    "CohortState": lambda: cx.CohortState.from_activity(
        ["a", "b"], ["2024-01-03", "2024-02-10"]
    ),
    "SLAComplianceState": cx.SLAComplianceState.empty,
}


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_bad_option_of_an_object_method(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = OBJECTS[name]()
        assert type(obj).__name__ == name
        assert _check_methods(obj) > 0


def test_result_methods_are_many() -> None:
    assert len(METHODS_BY_CLASS) > 30


def test_every_alias_is_on_the_vocabulary_page() -> None:
    page = (Path(__file__).parents[1] / "docs" / "concepts" / "options.md").read_text()
    missing = [name for name in ALIASES if f"`{name}`" not in page]
    assert not missing, missing
