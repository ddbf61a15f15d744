"""Rates by group with their intervals: CSAT by team, SLA compliance by priority, churn."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics._core.validation import parameter_scalar
from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.plot._axes import axes, colours, labels

__all__ = ["rate_by_group"]


def rate_by_group(
    result: Any,
    *,
    confidence_level: float = 0.95,
    target: float | None = None,
    ax: Any | None = None,
    percent: bool = True,
    label: str | None = None,
) -> Any:
    """One bar per group with its interval, n, and an optional target line.

    Parameters
    ----------
    result : grouped result
        Any grouped result whose ``value`` is a share (CSAT share, SLA
        compliance, churn rate) with ``confidence_interval()``.
    confidence_level : float, default 0.95
        Level of the error bars.
    target : float, optional
        A target share (e.g. 0.9) drawn as a line.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    percent : bool, default True
        Show shares as percentages.
    label : str, optional
        Axis label (default: the metric's name from the result type).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> ax = plot.rate_by_group(cx.csat([5, 4, 1, 5, 2], by=["a", "a", "b", "b", "b"]), target=0.8)
    >>> len(ax.patches)
    2
    """
    if not hasattr(result, "keys") or not hasattr(result, "confidence_interval"):
        msg = f"`result` must be a grouped result with intervals; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    target = None if target is None else parameter_scalar(target, "target")
    ax = axes(ax)
    scale = 100.0 if percent else 1.0
    value = np.asarray(result.value, dtype=float) * scale
    ci = result.confidence_interval(confidence_level)
    low, high = np.asarray(ci.low) * scale, np.asarray(ci.high) * scale
    x = np.arange(len(result))
    err = np.vstack([np.nan_to_num(value - low), np.nan_to_num(high - value)])
    ax.bar(x, value, color=colours["line"], yerr=err, capsize=3, ecolor="#333333")
    for xi, ni in zip(x, np.asarray(result.n), strict=True):
        ax.annotate(
            f"n={ni}",
            (xi, 0),
            textcoords="offset points",
            xytext=(0, 3),
            ha="center",
            fontsize=8,
            color="white",
        )
    if target is not None:
        ax.axhline(
            target * scale,
            color=colours["target"],
            linestyle="--",
            label=f"target {target * scale:g}{'%' if percent else ''}",
        )
        ax.legend(loc="best", fontsize=8)
    ax.set_xticks(x, labels(result.keys))
    name = label or type(result).__name__.removeprefix("Grouped").removesuffix("Result")
    ax.set_ylabel(f"{name} ({'%' if percent else 'share'})")
    return ax
