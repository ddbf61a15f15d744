"""Bad results and options for the ``plot`` charts (issue #20, item 14).

The property of ``test_bad_inputs.py`` on :mod:`registry_plots`: a chart given a
model, a scheme, a state or another metric's result where its result is
expected, or a bad option, draws or raises a
:class:`~cxmetrics.exceptions.CXMetricsError` naming the argument.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from hardening.registry import Entry  # noqa: E402
from hardening.registry_plots import PLOT_ENTRIES  # noqa: E402
from hardening.test_bad_inputs import _call  # noqa: E402


@pytest.mark.parametrize("entry", PLOT_ENTRIES, ids=[e.name for e in PLOT_ENTRIES])
@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=30)
@given(data=st.data())
def test_a_bad_chart_input_gives_a_chart_or_a_cxmetrics_error(
    entry: Entry, data: Any
) -> None:
    args, kwargs, target = entry.draw_bad_call(data)
    try:
        _call(entry, args, kwargs, bad=target)
    finally:
        plt.close("all")


@pytest.mark.parametrize("entry", PLOT_ENTRIES, ids=[e.name for e in PLOT_ENTRIES])
@settings(max_examples=5)
@given(data=st.data())
def test_valid_chart_inputs_draw(entry: Entry, data: Any) -> None:
    args = [data.draw(s, label=n) for n, s in entry.args]
    kwargs = {n: data.draw(s, label=n) for n, s in entry.kwargs}
    try:
        assert entry.func(*args, **kwargs) is not None
    finally:
        plt.close("all")
