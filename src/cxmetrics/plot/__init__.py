"""Charts of cxmetrics results (needs the ``plot`` extra: matplotlib).

Each function draws one chart and returns its matplotlib ``Axes``; pass ``ax=`` to
draw into a figure of your own. Importing :mod:`cxmetrics` does not import this
module's dependency; matplotlib is imported when the first chart is drawn.

Examples
--------
>>> import cxmetrics as cx
>>> from cxmetrics import plot
>>> ax = plot.score_trend(cx.nps([10, 9, 3, 7, 10, 6], by=[1, 1, 2, 2, 3, 3]))
>>> ax.get_ylabel()
'NPS'
"""

from __future__ import annotations

from cxmetrics.plot._clv import p_alive_matrix
from cxmetrics.plot._durations import distribution
from cxmetrics.plot._experiments import lift_chart
from cxmetrics.plot._groups import rate_by_group
from cxmetrics.plot._journeys import funnel_chart
from cxmetrics.plot._retention import cohort_heatmap, survival_curve
from cxmetrics.plot._survey import answer_mix, score_trend
from cxmetrics.plot._voice import control_chart, driver_quadrant, funnel_plot
from cxmetrics.plot._workforce import schedule_coverage

__all__ = [
    "answer_mix",
    "cohort_heatmap",
    "control_chart",
    "distribution",
    "driver_quadrant",
    "funnel_chart",
    "funnel_plot",
    "lift_chart",
    "p_alive_matrix",
    "rate_by_group",
    "schedule_coverage",
    "score_trend",
    "survival_curve",
]
