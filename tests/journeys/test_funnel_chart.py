"""The funnel chart renders, with one bar per step and drop-off labels."""

from __future__ import annotations

import io

import pytest

import cxmetrics as cx

mpl = pytest.importorskip(
    "matplotlib", reason="the plot extra (matplotlib) is not installed"
)
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cxmetrics import plot  # noqa: E402


def test_funnel_chart_renders_bars_and_drop_off():
    res = cx.funnel(
        ["a", "a", "a", "b", "b", "c"],
        [0, 1, 2, 0, 1, 0],
        ["cart", "checkout", "paid", "cart", "checkout", "cart"],
        ["cart", "checkout", "paid"],
        window=10,
    )
    ax = plot.funnel_chart(res)
    heights = [round(p.get_height(), 6) for p in ax.patches]
    assert heights == [100.0, round(200 / 3, 6), round(100 / 3, 6)]
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("-")] == [
        "-33%",
        "-50%",
    ]
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png")
    assert buf.getbuffer().nbytes > 5000
    plt.close("all")


def test_funnel_chart_refuses_other_results():
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="FunnelResult"):
        plot.funnel_chart(cx.nps([10, 9]))
