r"""Run rules of control charts: Western Electric (1956) and Nelson (1984), vectorised.

Every rule is a sliding-window count over the standardised points
:math:`z_i = (x_i - \mathrm{CL}_i) / \sigma_i`; a point is flagged when it
completes a window that breaks the rule (as R's qcc marks the last point of a run).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

__all__ = ["RULES", "run_rules"]

#: rule names of each rule set, in the order of the violations' columns
RULES: dict[str, tuple[str, ...]] = {
    "limits": ("beyond_limits",),
    "western_electric": (
        "beyond_limits",
        "2_of_3_beyond_2sigma",
        "4_of_5_beyond_1sigma",
        "8_on_one_side",
    ),
    "nelson": (
        "beyond_limits",
        "9_on_one_side",
        "6_trending",
        "14_alternating",
        "2_of_3_beyond_2sigma",
        "4_of_5_beyond_1sigma",
        "15_within_1sigma",
        "8_outside_1sigma_both_sides",
    ),
}


def _window(mask: NDArray[np.bool_], width: int, need: int) -> NDArray[np.bool_]:
    """True at i when at least ``need`` of the ``width`` points ending at i are True."""
    out = np.zeros(mask.shape[0], dtype=bool)
    if mask.shape[0] >= width:
        out[width - 1 :] = sliding_window_view(mask, width).sum(axis=1) >= need
    return out


def _same_side(
    z: NDArray[np.float64], width: int, need: int, bound: float
) -> NDArray[np.bool_]:
    return _window(z > bound, width, need) | _window(z < -bound, width, need)


def _run(mask: NDArray[np.bool_], width: int) -> NDArray[np.bool_]:
    return _window(mask, width, width)


def _diff_run(ok: NDArray[np.bool_], points: int) -> NDArray[np.bool_]:
    """Flag the last of ``points`` points whose ``points - 1`` consecutive steps are ok."""
    out = np.zeros(ok.shape[0] + 1, dtype=bool)
    out[1:] = _run(ok, points - 1)
    return out


def run_rules(
    z: NDArray[np.float64], beyond: NDArray[np.bool_], rules: str
) -> NDArray[np.bool_]:
    """Violations, shape (n_points, n_rules), of the rule set ``rules``.

    ``beyond`` marks points outside the control limits (rule 1), taken from the
    limits themselves so clipped limits (a p chart's 0) count correctly.
    """
    n = z.shape[0]
    cols: list[NDArray[np.bool_]] = [beyond]
    if rules == "western_electric":
        cols += [
            _same_side(z, 3, 2, 2.0),
            _same_side(z, 5, 4, 1.0),
            _run(z > 0, 8) | _run(z < 0, 8),
        ]
    elif rules == "nelson":
        step = np.diff(z)
        up, down = step > 0, step < 0
        if n >= 2:
            alternate = (step[1:] * step[:-1]) < 0
            alt = np.zeros(n, dtype=bool)
            alt[2:] = _run(alternate, 12)  # 14 points: 13 steps, 12 sign changes
        else:
            alt = np.zeros(n, dtype=bool)
        cols += [
            _run(z > 0, 9) | _run(z < 0, 9),
            _diff_run(up, 6) | _diff_run(down, 6)
            if n >= 2
            else np.zeros(n, dtype=bool),
            alt,
            _same_side(z, 3, 2, 2.0),
            _same_side(z, 5, 4, 1.0),
            _run(np.abs(z) < 1.0, 15),
            _run(np.abs(z) > 1.0, 8) & _window(z > 1.0, 8, 1) & _window(z < -1.0, 8, 1),
        ]
    return np.column_stack(cols) if n else np.zeros((0, len(cols)), dtype=bool)
