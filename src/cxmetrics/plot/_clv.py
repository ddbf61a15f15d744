"""CLV charts: probability alive over frequency and recency."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics._core.validation import check_positive_int, check_time
from cxmetrics.clv import BGNBDModel, ParetoNBDModel
from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.plot._axes import axes

__all__ = ["p_alive_matrix"]


def p_alive_matrix(
    model: Any,
    T: float,
    *,
    max_frequency: int = 20,
    ax: Any | None = None,
) -> Any:
    """Probability alive of a customer of age ``T`` by repeat purchases and recency.

    The chart of Fader, Hardie & Lee (2005, fig. 3; lifetimes'
    ``plot_probability_alive_matrix``): customers who bought often but not lately
    are the likeliest to have left.

    Parameters
    ----------
    model : BG/NBD or Pareto/NBD model or fit
        Anything with ``probability_alive(frequency, recency, T)``.
    T : float
        Customer age (time since the first purchase) in the model's time unit.
    max_frequency : int, default 20
        Largest number of repeat purchases drawn (at most 1,000: one row each).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxmetrics as cx
    >>> from cxmetrics import plot
    >>> m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> ax = plot.p_alive_matrix(m, T=39.0)
    >>> len(ax.images)
    1
    """
    # a model, or a fitted result holding one; BG/BB's is discrete
    if not isinstance(getattr(model, "model", model), BGNBDModel | ParetoNBDModel):
        msg = f"`model` must be a BG/NBD or Pareto/NBD model or fit; got {type(model).__name__}."
        raise InvalidInputTypeError(msg)
    big_t = check_time("T", T, positive=True)
    max_frequency = check_positive_int(
        "max_frequency", max_frequency, minimum=0, maximum=1000
    )
    ax = axes(ax)
    recency = np.linspace(0, big_t, 40)
    frequency = np.arange(max_frequency + 1, dtype=float)
    x, tx = np.meshgrid(frequency, recency, indexing="ij")
    # valid histories: no repeat purchase (recency 0), or repeat purchases with recency > 0
    valid = (x > 0) & (tx > 0)
    p = np.full(x.shape, np.nan)
    age = np.full(int(valid.sum()), float(T))
    p[valid] = np.asarray(
        model.probability_alive(x[valid], tx[valid], age), dtype=float
    )
    # a customer with no repeat purchase has one P(alive) whatever the column
    p[0, :] = float(np.asarray(model.probability_alive([0.0], [0.0], [float(T)]))[0])
    image = ax.imshow(
        p,
        origin="lower",
        aspect="auto",
        cmap="RdYlGn",
        vmin=0,
        vmax=1,
        extent=(0, float(T), -0.5, max_frequency + 0.5),
    )
    ax.set_xlabel(f"recency (time of the last purchase, customer age T={T:.3g})")
    ax.set_ylabel("repeat purchases (frequency)")
    ax.figure.colorbar(image, ax=ax, label="probability alive")
    return ax
