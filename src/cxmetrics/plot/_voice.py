"""Charts of the voice family: control charts, funnel plots, driver quadrants."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics._core.validation import check_flag, parameter_array
from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.plot._axes import axes, colours, labels

__all__ = ["control_chart", "driver_quadrant", "funnel_plot"]


def control_chart(result: Any, *, ax: Any | None = None) -> Any:
    """A control chart: points, centre line, limits (stepped when n varies), signals.

    Parameters
    ----------
    result : ControlChartResult or IMRChartResult
        From :func:`cxmetrics.p_chart`, :func:`cxmetrics.u_chart` or
        :func:`cxmetrics.i_mr_chart` (the individuals chart is drawn).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        Points breaking a run rule are drawn as red diamonds.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> ax = plot.control_chart(cx.p_chart([5, 6, 4, 20], [50, 50, 50, 50]))
    >>> ax.get_title()
    'p chart: 1 signal(s)'
    """
    chart = getattr(result, "individuals", result)
    if not hasattr(chart, "violations"):
        msg = f"`result` must be a control chart result; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    ax = axes(ax)
    x = np.arange(len(chart))
    ax.step(
        x,
        chart.upper,
        where="mid",
        color=colours["bad"],
        linestyle="--",
        label="control limits",
    )
    ax.step(x, chart.lower, where="mid", color=colours["bad"], linestyle="--")
    ax.step(
        x, chart.center, where="mid", color="#333333", linewidth=1, label="centre line"
    )
    ax.plot(x, chart.value, marker="o", color=colours["line"], label=chart.chart)
    signal = chart.signal
    ax.plot(
        x[signal],
        chart.value[signal],
        linestyle="none",
        marker="D",
        markersize=9,
        color=colours["bad"],
        label="signal",
    )
    names = labels(chart.keys)
    step = max(1, len(names) // 15)
    ax.set_xticks(x[::step], names[::step])
    ax.set_title(
        f"{chart.chart.replace('_', ' ')} chart: {int(signal.sum())} signal(s)"
    )
    ax.legend(loc="best", fontsize=8)
    return ax


def funnel_plot(
    result: Any,
    *,
    sigmas: tuple[float, ...] = (2.0, 3.0),
    shrunk: bool = True,
    ax: Any | None = None,
) -> Any:
    r"""Funnel plot of agents' rates against their number of answers.

    Parameters
    ----------
    result : ShrinkageResult
        From :func:`cxmetrics.shrink_rates` (rates in [0, 1]).
    sigmas : tuple of float, default (2.0, 3.0)
        Control limits drawn around the pooled rate:
        :math:`\bar p \pm z\sqrt{\bar p(1 - \bar p)/n}` (Spiegelhalter 2005).
    shrunk : bool, default True
        Also draw each agent's shrunken rate, linked to its raw rate.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> res = cx.james_stein([0.7, 0.8, 0.9, 0.75], 0.01)
    >>> plot.funnel_plot(res).get_xlabel()
    'answers per agent (n)'
    """
    if not hasattr(result, "shrinkage"):
        msg = f"`result` must be a ShrinkageResult; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    shrunk = check_flag("shrunk", shrunk)
    sigmas = tuple(
        parameter_array(sigmas, "sigmas", low=0.0, low_inclusive=False).reshape(-1)
    )
    ax = axes(ax)
    n = np.asarray(result.n, dtype=float)
    centre = float(result.prior_mean)
    grid = np.linspace(max(1.0, float(n.min()) * 0.8), float(n.max()) * 1.1, 200)
    ax.axhline(centre, color="#333333", linewidth=1, label=f"centre {centre:.3g}")
    if result.method == "beta_binomial":
        sd = np.sqrt(centre * (1 - centre) / grid)
        for z in sigmas:
            ax.plot(
                grid,
                np.clip(centre + z * sd, 0, 1),
                color=colours["bad"],
                linestyle="--",
                linewidth=0.8,
            )
            ax.plot(
                grid,
                np.clip(centre - z * sd, 0, 1),
                color=colours["bad"],
                linestyle="--",
                linewidth=0.8,
            )
    ax.scatter(n, result.raw, color=colours["line"], label="raw", zorder=3)
    if shrunk:
        ax.scatter(
            n, result.value, color=colours["good"], marker="s", label="shrunk", zorder=3
        )
        for ni, r, s in zip(n, result.raw, result.value, strict=True):
            ax.plot([ni, ni], [r, s], color="#999999", linewidth=0.6)
    ax.set_xlabel("answers per agent (n)")
    ax.set_ylabel("rate" if result.method == "beta_binomial" else "score")
    ax.legend(loc="best", fontsize=8)
    return ax


def driver_quadrant(result: Any, *, ax: Any | None = None) -> Any:
    """Importance-performance quadrant: each driver's share of R² against its mean rating.

    Parameters
    ----------
    result : KeyDriverResult
        From :func:`cxmetrics.key_drivers`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Lines at the mean importance and mean performance split the four
        quadrants; high importance with low performance (bottom right) comes first.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> res = cx.key_drivers([1.0, 3.0, 2.0, 5.0, 4.0, 6.0],
    ...                      {"speed": [1, 2, 2, 4, 3, 5], "courtesy": [2, 1, 3, 3, 5, 4]},
    ...                      n_resamples=0)
    >>> len(plot.driver_quadrant(res).texts)
    2
    """
    if not hasattr(result, "rescaled"):
        msg = f"`result` must be a KeyDriverResult; got {type(result).__name__}."
        raise InvalidInputTypeError(msg)
    ax = axes(ax)
    imp = np.asarray(result.rescaled, dtype=float)
    perf = np.asarray(result.performance, dtype=float)
    ax.scatter(imp, perf, color=colours["line"], zorder=3)
    for name, xi, yi in zip(result.names, imp, perf, strict=True):
        ax.annotate(
            name, (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=8
        )
    ax.axvline(float(imp.mean()), color="#999999", linewidth=0.8)
    ax.axhline(float(perf.mean()), color="#999999", linewidth=0.8)
    ax.set_xlabel("importance (share of R²)")
    ax.set_ylabel("performance (mean rating)")
    ax.set_title(f"key drivers ({result.method}), R² = {result.value:.2f}")
    return ax
