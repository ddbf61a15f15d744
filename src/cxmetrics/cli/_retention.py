"""The ``retention`` command: cohort retention and churn of an activity log."""

from __future__ import annotations

import argparse
import warnings
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics._core.table_io import (
    instants,
    keys,
    read_file,
)
from cxmetrics.cli._commands import (
    ROLES,
    _ci,
    _located,
)
from cxmetrics.cli._output import Table
from cxmetrics.cli._roles import resolve

__all__ = ["retention"]


def _convention(name: str | None) -> Any:
    """The churn convention of a ``--convention`` value; ``None`` is the library's default."""
    if name in (None, "default"):
        return cx.ChurnConvention()
    return cx.ChurnConvention.preset(str(name))


def retention(args: argparse.Namespace) -> list[Table]:
    """Churn by period and the cohort matrix of an activity log."""
    cols = resolve(args, ROLES["retention"])
    cu, tm = str(cols["customer"]), str(cols["time"])
    ft = read_file(args.file, [cu, tm])
    customer = keys(ft.path, cu, ft.columns[cu], ft.lines, flag="--customer-col")
    t = instants(ft.path, tm, ft.columns[tm], utc=False, lines=ft.lines)
    convention = _convention(args.convention)
    with _located(ft, None, {"convention": "--convention"}):
        state = cx.GroupedChurnState.from_activity(customer, t, freq=args.freq)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            churn = state.compute(convention)
            lo, hi = _ci(churn, args.confidence)
        cohorts = cx.cohort_matrix(customer, t, freq=args.freq)
    empty = np.asarray(churn.at_start) == 0
    notes = []
    for w in caught:  # periods with nobody at risk are said once, in the table's words
        if issubclass(w.category, cx.exceptions.UndefinedMetricWarning) and empty.any():
            continue
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if empty.any():
        first = [str(k) for k in np.asarray(churn.keys)[empty].tolist()]
        notes.append(
            f"no churn rate (empty cells) for {', '.join(first)}: no customer was active at "
            "the start (the data begin there)."
        )
    label = args.convention or "default"
    churn_table = Table.from_columns(
        "churn",
        f"Churn by {args.freq} ({label} convention: denominator {convention.denominator}, "
        f"same-period joiners {convention.same_period_joiners}, reactivations {convention.reactivations})",
        {
            args.freq: churn.keys,
            "churn": churn.value,
            "at_start": churn.at_start,
            "churned": churn.churned,
            "ci_low": lo,
            "ci_high": hi,
        },
        kinds={
            "churn": "share",
            "ci_low": "share",
            "ci_high": "share",
            "at_start": "count",
            "churned": "count",
        },
        notes=notes,
    )
    width = cohorts.value.shape[1] if cohorts.value.ndim == 2 else 0
    vals = np.where(cohorts.mask, np.nan, cohorts.value) if width else cohorts.value
    data: dict[str, Any] = {"cohort": cohorts.cohorts, "size": cohorts.sizes}
    for k in range(width):
        data[f"period_{k}"] = vals[:, k]
    cohort_table = Table.from_columns(
        "cohorts",
        f"Cohort retention by {args.freq} since first activity (share still active k periods later)",
        data,
        kinds={"size": "count", **{f"period_{k}": "share" for k in range(width)}},
    )
    return [churn_table, cohort_table]
