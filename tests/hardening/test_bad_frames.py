"""Bad frames and column names at the ``frames`` front doors (issue #20, items 14 and 15).

The property of ``test_bad_inputs.py`` on the entries of :mod:`registry_frames`:
a bad frame (a column missing, holding text, dates, booleans or nulls, the
frame empty or not a frame) or a bad column name gives a result or a
:class:`~cxmetrics.exceptions.CXMetricsError` naming the argument at fault,
never another exception, never a modified input, and a NaN ``value`` only with
an :class:`~cxmetrics.exceptions.UndefinedMetricWarning`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("narwhals")
pytest.importorskip("pandas")
pytest.importorskip("polars")

from cxmetrics.exceptions import (
    ConvergenceWarning,
    UndefinedMetricWarning,
)
from hardening.registry import Entry
from hardening.registry_frames import FRAME_ENTRIES
from hardening.test_bad_inputs import _call


def _nan_values(result: Any) -> bool:
    """True when a result frame (any engine) has a NaN in its ``value`` column."""
    if type(result).__module__.startswith("dask"):  # the (small) result
        result = result.compute()
    if hasattr(result, "collect") and hasattr(result, "collect_schema"):  # lazy
        result = result.collect()
    columns = getattr(result, "columns", None)
    if hasattr(result, "column_names"):  # pyarrow
        names = list(result.column_names)
    elif columns is None or callable(columns):  # a state, not a frame
        return False
    else:
        names = [str(c) for c in columns]
    if "value" not in names:
        return False
    values = np.asarray(result["value"].to_numpy(), dtype=np.float64)
    return bool(np.isnan(values).any())


@pytest.mark.parametrize("entry", FRAME_ENTRIES, ids=[e.name for e in FRAME_ENTRIES])
@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(data=st.data())
def test_a_bad_frame_gives_a_result_or_a_cxmetrics_error(
    entry: Entry, data: Any
) -> None:
    args, kwargs, target = entry.draw_bad_call(data)
    # a bad frame is reported through the column argument that meets the fault
    outcome = _call(
        entry, args, kwargs, bad=tuple(entry.names) if target == "df" else target
    )
    if outcome is None:  # a CXMetricsError naming the argument
        return
    result, caught = outcome
    if _nan_values(result):
        assert any(issubclass(w.category, UndefinedMetricWarning) for w in caught), (
            f"{entry.name} returned a NaN value without an UndefinedMetricWarning"
        )


@pytest.mark.parametrize("entry", FRAME_ENTRIES, ids=[e.name for e in FRAME_ENTRIES])
@settings(max_examples=10)
@given(data=st.data())
def test_valid_frames_give_a_result(entry: Entry, data: Any) -> None:
    args = [data.draw(s, label=n) for n, s in entry.args]
    kwargs = {n: data.draw(s, label=n) for n, s in entry.kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = entry.func(*args, **kwargs)
    assert not _nan_values(result)


def test_registry_covers_the_frames_front_doors() -> None:
    import importlib.util

    from cxmetrics import frames

    names = {e.name.split("[")[0] for e in FRAME_ENTRIES}
    doors = {f"frames.{n}" for n in frames.__all__}
    # read_chunks needs pyarrow and map_states dask: where missing, they cannot run
    for door, module in (("read_chunks", "pyarrow"), ("map_states", "dask")):
        if importlib.util.find_spec(module) is None:
            doors.discard(f"frames.{door}")
    assert not doors - names, f"add registry_frames entries for {sorted(doors - names)}"
