"""Durations against targets: response and resolution times, CLV values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cxmetrics._core.validation import check_positive_int, numeric_1d
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.plot._axes import axes, colours

__all__ = ["distribution"]


def distribution(
    values: ArrayLike,
    *,
    targets: Mapping[str, float] | None = None,
    bins: int = 40,
    ax: Any | None = None,
    xlabel: str = "value",
    log: bool = False,
    share_within: bool = True,
) -> Any:
    """Histogram of values (response times, CLV) with target lines and the share within each.

    Parameters
    ----------
    values : array_like of float
        E.g. first-reply times in hours, or predicted CLV per customer. NaN
        values are left out and counted in the title.
    targets : mapping of str to float, optional
        Named targets (e.g. ``{"P1 target": 4}``), each drawn with the share of
        values at or below it.
    bins : int, default 40
        Histogram bins (at most 10,000).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    xlabel : str, default 'value'
        Axis label (say the unit).
    log : bool, default False
        Logarithmic x axis for long-tailed durations. Values of 0 or less cannot
        be drawn on it; they are counted in the title.
    share_within : bool, default True
        Label each target with the share of all values at or below it (turn off
        when the targets apply to different subsets, e.g. per priority).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from cxmetrics import plot
    >>> ax = plot.distribution([0.5, 1, 2, 3, 8, 30], targets={"target": 4}, xlabel="hours")
    >>> ax.get_title()
    'n=6'
    """
    x = numeric_1d(values, "values").astype(float)
    bins = check_positive_int("bins", bins, maximum=10_000)
    missing = int(np.isnan(x).sum())
    x = x[~np.isnan(x)]
    if np.isinf(x).any():
        msg = f"`values` must be finite (or NaN for missing); got {x[np.isinf(x)][0]}."
        raise InvalidInputError(msg)
    ax = axes(ax)
    drawn, hidden = x, 0
    if log:
        drawn = x[x > 0]
        hidden = x.size - drawn.size
    if log and drawn.size:
        edges: Any = np.geomspace(drawn.min(), drawn.max() * (1 + 1e-9), bins + 1)
        ax.hist(drawn, bins=edges, color=colours["line"], alpha=0.8)
        ax.set_xscale("log")
    else:
        ax.hist(drawn, bins=bins, color=colours["line"], alpha=0.8)
    for name, target in (targets or {}).items():
        share = float(np.mean(x <= target)) if x.size else float("nan")
        label = f"{name}: {share:.0%} within" if share_within else name
        ax.axvline(target, color=colours["target"], linestyle="--", label=label)
    if targets:
        ax.legend(loc="best", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    title = f"n={x.size:,}"
    if hidden:
        title += f", {hidden:,} at 0 (not on the log axis)"
    if missing:
        title += f", {missing:,} missing"
    ax.set_title(title)
    return ax
