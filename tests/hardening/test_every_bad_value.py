"""Every bad value for every argument of every registered callable, once (issue #20).

The property tests draw 40 (argument, bad value) pairs per entry; this sweep
tries them all, each with one draw of valid values for the other arguments,
with the same checks (:func:`test_bad_inputs._call`): a result or a
:class:`~cxmetrics.exceptions.CXMetricsError` naming the argument, no foreign
warning, no NaN without an ``UndefinedMetricWarning``, no modified input.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardening.registry import ENTRIES, Entry
from hardening.registry_families import FAMILY_ENTRIES
from hardening.registry_models import MODEL_ENTRIES
from hardening.test_bad_inputs import _call

_HAS = {
    m: importlib.util.find_spec(m) is not None
    for m in ("narwhals", "polars", "pandas", "matplotlib")
}


def _optional() -> list[Entry]:
    out: list[Entry] = []
    if _HAS["narwhals"] and _HAS["polars"] and _HAS["pandas"]:
        from hardening.registry_frames import FRAME_ENTRIES

        out += FRAME_ENTRIES
    if _HAS["matplotlib"]:
        import matplotlib as mpl

        mpl.use("Agg")
        from hardening.registry_plots import PLOT_ENTRIES

        out += PLOT_ENTRIES
    return out


ALL = ENTRIES + MODEL_ENTRIES + FAMILY_ENTRIES + _optional()


@pytest.mark.parametrize("entry", ALL, ids=[e.name for e in ALL])
@settings(max_examples=1, suppress_health_check=list(HealthCheck), deadline=None)
@given(data=st.data())
def test_every_bad_value_of_every_argument(entry: Entry, data: Any) -> None:
    args = [data.draw(s, label=n) for n, s in entry.args]
    kwargs = {n: data.draw(s, label=n) for n, s in entry.kwargs}
    positional = [n for n, _ in entry.args]
    for target in entry.names:
        for bad in entry.bad_values(target):
            a, k = list(args), dict(kwargs)
            if target in positional:
                a[positional.index(target)] = bad
            else:
                k[target] = bad
            # a bad frame is reported through the column argument at fault
            named = tuple(entry.names) if target == "df" else target
            try:
                _call(entry, a, k, bad=named)
            finally:
                if _HAS["matplotlib"] and entry.name.startswith("plot."):
                    import matplotlib.pyplot as plt

                    plt.close("all")
