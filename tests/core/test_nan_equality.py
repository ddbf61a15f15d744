"""A result or model holding NaN equals its own copy, pickle and JSON round trip.

Undefined figures are NaN (with a warning). Python compares ``(nan,) == (nan,)``
as true only for the *same* float object, so without a NaN-aware key a result
would be unequal to its deep copy. Every attrs class of the package with a
generated ``__eq__`` compares its fields by a key (``nan_equal_fields``) or by an
explicit comparison (array fields).
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pickle
import pkgutil

import attrs
import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics.exceptions import UndefinedMetricWarning


def _attrs_classes() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(cx.__path__, "cxmetrics."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            continue
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and attrs.has(obj)
                and obj.__module__ == module.__name__
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


CLASSES = _attrs_classes()


def test_the_walk_finds_the_results() -> None:
    names = {c.__name__ for c in CLASSES}
    assert {"NPSResult", "GroupedNPSResult", "LogrankResult", "BGNBDModel"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_compared_field_is_nan_aware(cls: type) -> None:
    eq = cls.__dict__.get("__eq__")
    if eq is None or "attrs generated" not in eq.__code__.co_filename:
        pytest.skip("no generated field comparison (identity or a hand-written __eq__)")
    plain = [f.name for f in attrs.fields(cls) if f.eq and f.eq_key is None]
    assert plain == [], (
        f"{cls.__name__}: compare with field_transformer=nan_equal_fields"
    )


def test_logrank_nan_result_equals_its_copies() -> None:
    with pytest.warns(UndefinedMetricWarning):
        res = cx.logrank_test([3, 5], [0, 0], by=["a", "b"])
    assert np.isnan(res.statistic)
    assert res == copy.deepcopy(res)
    assert res == pickle.loads(pickle.dumps(res))
    assert hash(res.df) == hash(copy.deepcopy(res).df)


def test_a_nan_differs_from_a_number() -> None:
    @attrs.frozen(field_transformer=nan_equal_fields)
    class Point:
        x: float
        y: float = 0.0

    assert Point(float("nan")) == Point(np.float64("nan"))
    assert Point(float("nan")) != Point(0.0)
    assert Point(1.0) != Point(1.0, float("nan"))
    assert hash(Point(float("nan"))) == hash(Point(float("nan")))


def test_an_undefined_group_equals_its_copies() -> None:
    with pytest.warns(UndefinedMetricWarning):
        res = cx.nps([9, 10, 3], by=["a", "a", "b"], levels=["a", "b", "c"])
    empty = res["c"]
    assert np.isnan(empty.value)
    assert res == copy.deepcopy(res)
    assert empty == pickle.loads(pickle.dumps(empty))
    assert empty != res["a"]


def test_sla_targets_with_unfulfilled_rows_equal_their_copies() -> None:
    log = cx.TicketLog.from_arrays(
        [1, 1, 2],
        np.array(
            ["2024-01-08T09:00", "2024-01-08T11:00", "2024-01-08T10:00"],
            dtype="datetime64[s]",
        ),
        ["open", "solved", "open"],
    )
    policy = cx.SLAPolicy({"p1": {"resolution": 3 * 3600}})
    as_of = np.datetime64("2024-01-08T12:00")
    targets = cx.sla_targets(log, policy, priority=["p1", "p1"], as_of=as_of)
    assert np.isnat(targets.fulfilled).any()
    assert targets == copy.deepcopy(targets)
    assert targets == pickle.loads(pickle.dumps(targets))
    other = cx.sla_targets(
        log,
        cx.SLAPolicy({"p1": {"resolution": 3600}}),
        priority=["p1", "p1"],
        as_of=as_of,
    )
    assert targets != other
