"""A funnel chart: one bar per step with its interval and the drop-off between steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics._core.options import check_option
from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.plot._axes import axes, colours
from cxmetrics.typing import ProportionMethod

__all__ = ["funnel_chart"]


def funnel_chart(
    result: Any,
    *,
    confidence_level: float = 0.95,
    method: ProportionMethod = "wilson",
    ax: Any | None = None,
) -> Any:
    """Bars of the share of entrants reaching each step, with intervals and drop-off labels.

    Parameters
    ----------
    result : FunnelResult
        A funnel (for a grouped one, chart each segment: ``result[key]``).
    confidence_level : float, default 0.95
        Level of the error bars (intervals of the conversion from step 1).
    method : str, default 'wilson'
        Interval method, as in :meth:`FunnelResult.conversion_interval`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> res = cx.FunnelResult(("cart", "checkout", "paid"), [0, 40, 30, 30], window=3600.0)
    >>> ax = plot.funnel_chart(res)
    >>> len(ax.patches), [t.get_text() for t in ax.texts if t.get_text().startswith("-")]
    (3, ['-40%', '-50%'])
    """
    check_option("method", method, ProportionMethod)
    if not hasattr(result, "conversion_interval") or not hasattr(result, "steps"):
        msg = f"`result` must be a FunnelResult; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    ax = axes(ax)
    share = np.asarray(result.conversion, dtype=float) * 100.0
    ci = result.conversion_interval(confidence_level, method=method)
    low, high = np.asarray(ci.low) * 100.0, np.asarray(ci.high) * 100.0
    x = np.arange(len(result.steps))
    err = np.vstack([np.nan_to_num(share - low), np.nan_to_num(high - share)])
    ax.bar(
        x,
        np.nan_to_num(share),
        color=colours["line"],
        yerr=err,
        capsize=3,
        ecolor="#333333",
    )
    for xi, reached in zip(x, result.reached.tolist(), strict=True):
        ax.annotate(
            f"n={reached:,}",
            (xi, 0),
            textcoords="offset points",
            xytext=(0, 3),
            ha="center",
            fontsize=8,
            color="white",
        )
    drop = np.asarray(result.drop_off, dtype=float) * 100.0
    for i, d in enumerate(drop.tolist()):
        if np.isfinite(d):
            ax.text(
                i + 0.5,
                max(np.nan_to_num(share[i + 1]), 0) + 5,
                f"-{d:.0f}%",
                ha="center",
                fontsize=9,
                color=colours["bad"],
            )
    ax.set_xticks(x, list(result.steps))
    ax.set_ylabel("% of entrants reaching the step")
    ax.set_ylim(0, 110)
    ax.set_title(
        f"Funnel: {result.n:,} entered, {np.nan_to_num(result.value):.1%} converted"
    )
    return ax
