"""Bad input to any registered public callable gives a result or a CXMetricsError (issue #20).

For every entry of :mod:`registry`, hypothesis draws valid arguments and replaces
one of them by a bad value. The call must then

- return, or raise a :class:`~cxmetrics.exceptions.CXMetricsError` (never a
  foreign ``TypeError``, ``KeyError``, ``ZeroDivisionError``, numpy error...)
  whose message names the bad argument in backticks (```t``` or ```t[0]```);
- leave its arguments as they were (no input is mutated);
- not let a numpy ``RuntimeWarning`` (overflow, invalid value) escape;
- warn with :class:`~cxmetrics.exceptions.UndefinedMetricWarning` whenever its
  headline value is NaN;
- finish: a call that runs past a generous alarm is reported as a hang.
"""

from __future__ import annotations

import math
import signal
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    ConvergenceWarning,
    CXMetricsError,
    DataWarning,
    MissingDependencyError,
    UndefinedMetricWarning,
)
from hardening.registry import ENTRIES, Entry
from hardening.registry_families import FAMILY_ENTRIES
from hardening.registry_models import MODEL_ENTRIES

OURS = (UndefinedMetricWarning, ConvergenceWarning, DataWarning)
ALL = ENTRIES + MODEL_ENTRIES + FAMILY_ENTRIES


class _HangError(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _HangError


def _headline(result: Any) -> float | None:
    """The scalar headline number of a result, if it has one."""
    value = getattr(result, "value", result)
    if isinstance(value, float | np.floating):
        return float(value)
    return None


def _has_nan(values: list[Any]) -> bool:
    for v in values:
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        if np.isnan(arr).any():
            return True
    return False


def _snapshot(value: Any) -> Any:
    """A copy of an argument to compare with after the call (arrays, lists, frames)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list | tuple):
        return type(value)(_snapshot(v) for v in value)
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if hasattr(value, "clone"):  # a polars frame
        return value.clone()
    if hasattr(value, "copy") and hasattr(value, "equals"):  # a pandas frame
        return value.copy(deep=True)
    return value


def _unchanged(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and bool(
            np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
        )
    if isinstance(before, list | tuple):
        return len(before) == len(after) and all(
            _unchanged(b, a) for b, a in zip(before, after, strict=True)
        )
    if isinstance(before, dict):
        return before.keys() == after.keys() and all(
            _unchanged(before[k], after[k]) for k in before
        )
    if hasattr(before, "equals"):  # a frame: same values, same dtypes
        return bool(before.equals(after))
    return True


def _call(
    entry: Entry,
    args: list[Any],
    kwargs: dict[str, Any],
    bad: str | tuple[str, ...] | None = None,
) -> tuple[Any, list[warnings.WarningMessage]] | None:
    """Call ``entry``; check the outcome.

    ``bad`` names the argument made bad: its error must name it (or one of
    them: a bad frame's error names the column argument at fault).
    """
    named = (bad,) if isinstance(bad, str) else bad
    old = signal.signal(signal.SIGALRM, _alarm)
    before = _snapshot([args, kwargs])
    signal.alarm(20)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = entry.func(*args, **kwargs)
            except MissingDependencyError:  # the core-only job: no scipy
                return None
            except CXMetricsError as err:
                assert named is None or any(f"`{n}" in str(err) for n in named), (
                    f"{entry.name}: the error for a bad `{bad}` does not name it: {err}"
                )
                return None
            finally:
                assert _unchanged(before, [args, kwargs]), (
                    f"{entry.name} modified its input"
                )
    except _HangError:
        pytest.fail(f"{entry.name}({args!r}, {kwargs!r}) did not finish")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    foreign = [w for w in caught if not issubclass(w.category, OURS)]
    assert not foreign, f"{entry.name} leaked {[str(w.message) for w in foreign]}"
    value = _headline(result)
    if entry.nan_passes and _has_nan([*args, *kwargs.values()]):
        return result, caught
    if value is not None and math.isnan(value):
        assert any(issubclass(w.category, UndefinedMetricWarning) for w in caught), (
            f"{entry.name} returned NaN without an UndefinedMetricWarning"
        )
    return result, caught


@pytest.mark.parametrize("entry", ALL, ids=[e.name for e in ALL])
@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(data=st.data())
def test_bad_input_gives_a_result_or_a_cxmetrics_error(entry: Entry, data: Any) -> None:
    args, kwargs, target = entry.draw_bad_call(data)
    _call(entry, args, kwargs, bad=target)


@pytest.mark.parametrize("entry", ALL, ids=[e.name for e in ALL])
@settings(max_examples=10)
@given(data=st.data())
def test_valid_input_gives_a_result(entry: Entry, data: Any) -> None:
    # the strategies themselves are valid: a call on them returns
    args = [data.draw(s, label=n) for n, s in entry.args]
    kwargs = {n: data.draw(s, label=n) for n, s in entry.kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            entry.func(*args, **kwargs)
        except MissingDependencyError as err:  # the core-only job: no scipy
            pytest.skip(f"{entry.name} needs an extra here: {err}")


FRONT_DOORS = {
    "survey": [
        "nps",
        "enps",
        "csat",
        "ces",
        "compare_nps",
        "compare_csat",
        "compare_ces",
    ],
    "staffing": [
        "erlang_b",
        "erlang_c",
        "agents_required",
        "queue_metrics",
        "contact_metrics",
    ],
    "stats": [
        n
        for n in cx.stats.__all__
        if n[0].islower()
        and n
        not in (
            "paired_difference",
            "restricted_mle",
            "mean_difference",
            "proportion_difference",
            "net_score_difference",
            "net_score_variance",
        )
    ],
}


def test_registry_covers_the_front_doors() -> None:
    names = {e.name for e in ENTRIES}
    missing = {f for fs in FRONT_DOORS.values() for f in fs} - names
    assert not missing, f"add registry entries for {sorted(missing)}"


def test_registry_covers_every_model_method() -> None:
    # a model class's public methods are predictions a user calls after a fit
    import inspect

    names = {e.name for e in MODEL_ENTRIES}
    missing = []
    for cls in (
        cx.BGNBDModel,
        cx.ParetoNBDModel,
        cx.BGBBModel,
        cx.GammaGammaModel,
        cx.SBGModel,
    ):
        if cls.__name__ not in names:
            missing.append(cls.__name__)
        for method, value in inspect.getmembers(cls):
            static = inspect.getattr_static(cls, method)
            if method.startswith("_") or isinstance(static, property):
                continue
            if callable(value) and f"{cls.__name__}.{method}" not in names:
                missing.append(f"{cls.__name__}.{method}")
    assert not missing, f"add registry_models entries for {missing}"
