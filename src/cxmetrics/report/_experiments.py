"""The report's experiment section: survey KPIs compared across an assignment column."""

from __future__ import annotations

import html
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._core.display import html_table
from cxmetrics.exceptions import DataWarning, UndefinedMetricWarning
from cxmetrics.report._html import figure_html
from cxmetrics.typing import ExperimentKind

__all__ = ["experiment_section"]

Columns = dict[str, NDArray[Any]]

_KPIS: tuple[tuple[str, str, ExperimentKind], ...] = (
    ("nps", "NPS (points)", "nps"),
    ("csat", "CSAT share satisfied (4-5)", "proportion"),
    ("ces", "CES mean", "mean"),
)


def _control(arms: NDArray[Any]) -> object:
    labels = arms.tolist()
    if "control" in labels:
        return "control"
    try:
        return min(labels)
    except TypeError:  # mixed or missing labels: experiment() names the problem
        return labels[0]


def experiment_section(s: Columns, *, arm: str = "arm") -> list[str]:
    """Each survey KPI per arm against the control, with intervals, SRM and Holm p-values.

    The control is the arm labelled ``"control"``, else the first label in sorted
    order. Missing answers are omitted per KPI (and counted); the sample-ratio
    check uses every respondent.
    """
    arms = np.asarray(s[arm])
    control = _control(arms)
    results: dict[str, Any] = {}
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        warnings.simplefilter("always", UndefinedMetricWarning)
        for column, name, kind in _KPIS:
            if column not in s:
                continue
            values = np.asarray(s[column], dtype=np.float64)
            if kind == "proportion":
                values = np.where(np.isnan(values), np.nan, (values >= 4).astype(float))
            results[name] = cx.experiment(
                values, arms, control=control, kind=kind, nan_policy="omit"
            )
    notes.extend(str(w.message) for w in caught)
    if not results:
        return ['<p class="note">No survey KPI to compare across arms.</p>']
    adjusted = cx.adjust_pvalues(list(results.values()), method="holm")
    rows: list[list[str]] = []
    i = 0
    for name, res in results.items():
        low, high = res.confidence_interval()
        for j, key in enumerate(res.keys.tolist()):
            rows.append(
                [
                    name,
                    f"{key} vs {control}",
                    f"{res.value[j]:+.3g}",
                    f"{low[j]:.3g} to {high[j]:.3g}",
                    f"{res.pvalue[j]:.3g}",
                    f"{adjusted[i]:.3g}",
                    f"{res.n_arm[j]} / {res.n_control[j]}",
                ]
            )
            i += 1
    first = next(iter(results.values()))
    parts = [
        figure_html(
            plot.lift_chart(results),
            f"Lift of each arm over '{control}' with its 95% interval",
        ),
        html_table(
            ["KPI", "arms", "lift", "95% interval", "p", "p (Holm)", "n arm / control"],
            rows,
        ),
        f'<p class="note">{html.escape(str(first.srm))}</p>',
    ]
    parts.extend(f'<p class="note">{html.escape(n)}</p>' for n in dict.fromkeys(notes))
    return parts
