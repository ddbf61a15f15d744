"""Matplotlib access for the charts: imported only when a chart is drawn."""

from __future__ import annotations

from typing import Any

from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_instance

__all__ = ["axes", "colours", "labels"]

#: promoters, passives, detractors; met, breached; a colour-blind-safe set (Okabe-Ito)
colours = {
    "good": "#009E73",
    "neutral": "#E69F00",
    "bad": "#D55E00",
    "line": "#0072B2",
    "band": "#56B4E9",
    "target": "#CC79A7",
}


def axes(ax: Any | None) -> Any:
    """``ax``, or the Axes of a new figure (needs the ``plot`` extra)."""
    plt = require("matplotlib.pyplot", feature="cxmetrics.plot")
    if ax is not None:
        matplotlib_axes = require("matplotlib.axes", feature="cxmetrics.plot")
        check_instance("ax", ax, matplotlib_axes.Axes, optional=True)
        return ax
    _, new = plt.subplots(figsize=(7, 4), layout="constrained")
    return new


def labels(keys: Any) -> list[str]:
    """Group keys as tick labels (records joined with ' / ')."""
    if getattr(keys, "dtype", None) is not None and keys.dtype.names:
        return [" / ".join(str(v) for v in row) for row in keys.tolist()]
    return [str(k) for k in getattr(keys, "tolist", lambda: list(keys))()]
