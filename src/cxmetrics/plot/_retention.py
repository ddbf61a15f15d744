"""Retention charts: the cohort heatmap and the survival curve."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.plot._axes import axes, colours

__all__ = ["cohort_heatmap", "survival_curve"]


def cohort_heatmap(result: Any, *, ax: Any | None = None, annotate: bool = True) -> Any:
    """Retention of each cohort (rows) by periods since the first (columns).

    Parameters
    ----------
    result : CohortResult
        From :func:`cxmetrics.cohort_matrix`. Masked cells (not yet observable)
        stay blank.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    annotate : bool, default True
        Write the percentage in each cell.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> t = np.array(["2024-01-05", "2024-02-11", "2024-01-20", "2024-03-02"], dtype="datetime64[D]")
    >>> ax = plot.cohort_heatmap(cx.cohort_matrix(["x", "x", "y", "y"], t))
    >>> len(ax.images)
    1
    """
    if not hasattr(result, "sizes") or not hasattr(result, "mask"):
        msg = f"`result` must be a CohortResult; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    ax = axes(ax)
    value = np.where(
        np.asarray(result.mask), np.nan, np.asarray(result.value, dtype=float)
    )
    image = ax.imshow(value * 100, cmap="Blues", vmin=0, vmax=100, aspect="auto")
    if annotate and value.size <= 400:
        for (i, j), v in np.ndenumerate(value):
            if not np.isnan(v):
                ax.text(
                    j,
                    i,
                    f"{v:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if v > 0.6 else "black",
                )
    rows = [
        f"{c} (n={s})"
        for c, s in zip(
            np.asarray(result.cohorts).tolist(),
            np.asarray(result.sizes).tolist(),
            strict=True,
        )
    ]
    ax.set_yticks(np.arange(len(rows)), rows)
    ax.set_xlabel(f"{result.freq}s since first activity")
    ax.figure.colorbar(image, ax=ax, label="retained (%)")
    return ax


def survival_curve(
    result: Any,
    *,
    confidence_level: float = 0.95,
    ax: Any | None = None,
    label: str | None = None,
) -> Any:
    """A Kaplan-Meier curve as a step function with its confidence band.

    Parameters
    ----------
    result : KaplanMeierResult
        From :func:`cxmetrics.kaplan_meier`.
    confidence_level : float, default 0.95
        Level of the band (the result's default interval method).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    label : str, optional
        Legend label.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> ax = plot.survival_curve(cx.kaplan_meier([2, 3, 5, 8, 9], [1, 0, 1, 1, 0]))
    >>> bool(ax.get_ylim()[1] >= 1)
    True
    """
    if not hasattr(result, "survival") or not hasattr(result, "greenwood"):
        msg = f"`result` must be a KaplanMeierResult; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    ax = axes(ax)
    t = np.concatenate([[0.0], np.asarray(result.time, dtype=float)])
    s = np.concatenate([[1.0], np.asarray(result.survival, dtype=float)])
    ci = result.confidence_interval(confidence_level)
    low = np.concatenate([[1.0], np.asarray(ci.low, dtype=float)])
    high = np.concatenate([[1.0], np.asarray(ci.high, dtype=float)])
    ax.fill_between(
        t,
        low,
        high,
        step="post",
        color=colours["band"],
        alpha=0.3,
        linewidth=0,
        label=f"{confidence_level:.0%} interval",
    )
    ax.step(
        t,
        s,
        where="post",
        color=colours["line"],
        label=label or f"Kaplan-Meier (n={result.n})",
    )
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("time")
    ax.set_ylabel("share surviving")
    ax.legend(loc="best", fontsize=8)
    return ax
