"""Workforce charts: required vs scheduled agents per interval, with projected service."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.plot._axes import axes, colours
from cxmetrics.workforce import ProjectedService, ShiftSchedule

__all__ = ["schedule_coverage"]


def schedule_coverage(
    result: Any,
    *,
    target_service_level: float | None = None,
    ax: Any | None = None,
) -> Any:
    """Agents required and scheduled per interval; projected service level on a second axis.

    Parameters
    ----------
    result : ShiftSchedule or ProjectedService
        A schedule (required and scheduled agents), or its projection (adds the
        projected service level per interval, right axis).
    target_service_level : float, optional
        Drawn as a dashed line on the service-level axis.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The agents axis (the service-level axis is its twin).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> p = cx.shift_patterns([0, 2, 4], 4, periods_per_day=8, cyclic=False)
    >>> s = cx.schedule_shifts([1, 2, 3, 3, 2, 2, 1, 1], p)
    >>> ax = plot.schedule_coverage(s)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['required', 'scheduled']
    """
    if isinstance(result, ProjectedService):
        scheduled = np.asarray(result.scheduled)
        required = None if result.required is None else np.asarray(result.required)
        service = np.asarray(result.intervals.service_level).ravel()
    elif isinstance(result, ShiftSchedule):
        scheduled = np.asarray(result.scheduled)
        required = np.asarray(result.required)
        service = None
    else:
        msg = f"`result` must be a ShiftSchedule or a ProjectedService; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    ax = axes(ax)
    x = np.arange(scheduled.size)
    if required is not None:
        ax.fill_between(
            x, required, step="post", color=colours["band"], alpha=0.5, label="required"
        )
        short = scheduled < required
        if short.any():
            ax.scatter(
                x[short] + 0.5,
                required[short],
                color=colours["bad"],
                marker="v",
                zorder=3,
                label="deficit",
            )
    ax.step(x, scheduled, where="post", color=colours["line"], label="scheduled")
    ax.set_xlabel("interval")
    ax.set_ylabel("agents")
    ax.set_xlim(0, max(scheduled.size - 1, 1))
    ax.legend(loc="upper left")
    if service is not None:
        twin = ax.twinx()
        twin.plot(x, service, color=colours["good"], marker=".", label="service level")
        if target_service_level is not None:
            twin.axhline(target_service_level, color=colours["target"], linestyle="--")
        twin.set_ylim(0, 1.05)
        twin.set_ylabel("projected service level")
    return ax
