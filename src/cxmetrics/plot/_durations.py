"""Durations against targets: response and resolution times, CLV values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cxmetrics._validation import numeric_1d
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
        Histogram bins.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    xlabel : str, default 'value'
        Axis label (say the unit).
    log : bool, default False
        Logarithmic x axis (for long-tailed durations; values must be positive).

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
    missing = int(np.isnan(x).sum())
    x = x[~np.isnan(x)]
    ax = axes(ax)
    edges = (
        np.geomspace(max(x.min(), 1e-9), x.max(), bins + 1)
        if log and x.size and x.min() > 0
        else bins
    )
    ax.hist(x, bins=edges, color=colours["line"], alpha=0.8)
    if log:
        ax.set_xscale("log")
    for name, target in (targets or {}).items():
        share = float(np.mean(x <= target)) if x.size else float("nan")
        ax.axvline(
            target,
            color=colours["target"],
            linestyle="--",
            label=f"{name}: {share:.0%} within",
        )
    if targets:
        ax.legend(loc="best", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.set_title(f"n={x.size:,}" + (f", {missing:,} missing" if missing else ""))
    return ax
