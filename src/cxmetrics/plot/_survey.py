"""Survey charts: score trend with interval bands, and the mix of answers."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.plot._axes import axes, colours, labels

__all__ = ["answer_mix", "score_trend"]


def score_trend(
    result: Any,
    *,
    confidence_level: float = 0.95,
    ax: Any | None = None,
    label: str | None = None,
    show_n: bool = True,
) -> Any:
    """A grouped score over ordered groups (e.g. months) with its interval band and n.

    Parameters
    ----------
    result : grouped result
        E.g. ``cx.nps(scores, by=month)``; any grouped result with ``value``,
        ``n`` and ``confidence_interval()``. Groups are drawn in key order.
    confidence_level : float, default 0.95
        Level of the band.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    label : str, optional
        Legend label (default: the result's type, e.g. ``NPS``).
    show_n : bool, default True
        Write each group's n under its point.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> res = cx.nps([10, 9, 3, 7, 10, 6, 9, 9], by=[1, 1, 1, 2, 2, 2, 3, 3])
    >>> ax = plot.score_trend(res)
    >>> len(ax.lines)
    1
    """
    if not hasattr(result, "keys") or not hasattr(result, "confidence_interval"):
        msg = f"`result` must be a grouped result (e.g. cx.nps(..., by=period)); got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    ax = axes(ax)
    x = np.arange(len(result))
    ci = result.confidence_interval(confidence_level)
    name = label or type(result).__name__.removeprefix("Grouped").removesuffix("Result")
    ax.fill_between(
        x,
        ci.low,
        ci.high,
        color=colours["band"],
        alpha=0.3,
        linewidth=0,
        label=f"{confidence_level:.0%} interval",
    )
    ax.plot(x, result.value, marker="o", color=colours["line"], label=name)
    if show_n:
        for xi, yi, ni in zip(x, result.value, result.n, strict=True):
            ax.annotate(
                f"n={ni}",
                (xi, yi),
                textcoords="offset points",
                xytext=(0, -14),
                ha="center",
                fontsize=8,
            )
    ax.set_xticks(x, labels(result.keys))
    ax.set_ylabel(name)
    ax.legend(loc="best", fontsize=8)
    return ax


def answer_mix(result: Any, *, ax: Any | None = None) -> Any:
    """Promoters, passives and detractors of each group as stacked horizontal bars.

    Parameters
    ----------
    result : GroupedNPSResult or NPSResult
        An NPS result (shares are read from it).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> ax = plot.answer_mix(cx.nps([10, 9, 3, 7, 10, 6], by=list("aabbab")))
    >>> len(ax.patches)
    6
    """
    if not hasattr(result, "promoter_share"):
        msg = f"`result` must be an NPS result; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    ax = axes(ax)
    grouped = hasattr(result, "keys")
    names = labels(result.keys) if grouped else ["all"]
    shares = [
        np.atleast_1d(getattr(result, f"{c}_share"))
        for c in ("detractor", "passive", "promoter")
    ]
    y = np.arange(len(names))
    left = np.zeros(len(names))
    for share, colour, label in zip(
        shares,
        ("bad", "neutral", "good"),
        ("detractors", "passives", "promoters"),
        strict=True,
    ):
        ax.barh(y, share * 100, left=left * 100, color=colours[colour], label=label)
        left = left + np.nan_to_num(share)
    n = np.atleast_1d(result.n)
    ax.set_yticks(y, [f"{k} (n={v})" for k, v in zip(names, n, strict=True)])
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of answers (%)")
    ax.legend(loc="lower right", fontsize=8)
    return ax
