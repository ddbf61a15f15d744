"""Experiment chart: each arm's lift on each KPI with its interval (a forest plot)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.plot._axes import axes, colours

__all__ = ["lift_chart"]


def lift_chart(
    results: Any,
    *,
    confidence_level: float | None = None,
    ax: Any | None = None,
) -> Any:
    """Lifts of every treatment arm with their intervals, one row per KPI and arm.

    Parameters
    ----------
    results : ExperimentResult or mapping of name to ExperimentResult
        E.g. ``{"NPS": cx.experiment(..., kind="nps"), "FCR": ...}``. Rows whose
        interval excludes 0 are coloured (green above, orange-red below).
    confidence_level : float, optional
        Level of the intervals (default: each result's own).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> res = cx.experiment([4.0, 6, 5, 7, 8, 9], list("aabbcc"), control="a")
    >>> ax = plot.lift_chart({"handle time": res})
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['handle time: b', 'handle time: c']
    """
    named = results if isinstance(results, Mapping) else {"": results}
    rows: list[tuple[str, float, float, float]] = []
    for name, res in named.items():
        if not hasattr(res, "confidence_interval") or not hasattr(res, "arms"):
            msg = f"`results` must hold ExperimentResult objects; got {type(res).__name__}."
            raise InvalidInputTypeError(msg)
        low, high = res.confidence_interval(confidence_level)
        for i, key in enumerate(res.keys.tolist()):
            label = f"{name}: {key}" if name else str(key)
            rows.append((label, float(res.value[i]), float(low[i]), float(high[i])))
    ax = axes(ax)
    y = np.arange(len(rows))[::-1]
    for yi, (_, value, low, high) in zip(y, rows, strict=True):
        colour = (
            colours["good"]
            if low > 0
            else colours["bad"]
            if high < 0
            else colours["line"]
        )
        ax.plot([low, high], [yi, yi], color=colour, linewidth=2)
        ax.plot([value], [yi], "o", color=colour)
    ax.axvline(0.0, color="grey", linewidth=1, linestyle="--")
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_xlabel("lift over the control (interval)")
    return ax
