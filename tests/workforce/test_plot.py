"""The schedule chart renders required vs scheduled and the projected service level."""

from __future__ import annotations

import io

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputTypeError

mpl = pytest.importorskip("matplotlib", reason="the plot extra is not installed")
pytest.importorskip("scipy")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cxmetrics import plot  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_schedule_and_projection_charts():
    vol = [20, 60, 110, 140, 120, 90, 60, 30]
    req = cx.staff_requirements(
        vol, interval_length=1800, aht=240, target_service_level=0.8, threshold=20
    )
    p = cx.shift_patterns([0, 2, 4], 4, periods_per_day=8, cyclic=False, max_agents=10)
    s = cx.schedule_shifts(req.agents, p, objective="deviation")
    proj = cx.projected_service(s, vol, interval_length=1800, aht=240, threshold=20)
    ax = plot.schedule_coverage(proj, target_service_level=0.8)
    assert ax.get_ylabel() == "agents"
    twin = next(a for a in ax.figure.axes if a is not ax)
    np.testing.assert_allclose(twin.lines[0].get_ydata(), proj.intervals.service_level)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] == "required"
    assert (s.surplus < 0).any()  # max_agents=10 cannot cover the peak
    assert "deficit" in texts
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=60)
    assert buf.tell() > 1000
    with pytest.raises(InvalidInputTypeError, match="ShiftSchedule"):
        plot.schedule_coverage([1, 2, 3])
