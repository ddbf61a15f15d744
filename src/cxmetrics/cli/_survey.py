"""The ``survey`` command: NPS, CSAT and CES of an answers file, overall or by group and period."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics._core.table_io import (
    TableError,
    numbers,
    read_file,
    wall_clock,
)
from cxmetrics.cli._commands import (
    ROLES,
    _ci,
    _group_columns,
    _key_columns,
    _listify,
    _located,
)
from cxmetrics.cli._output import Table
from cxmetrics.cli._roles import resolve

_SCORES: dict[str, Callable[..., Any]] = {"nps": cx.nps, "csat": cx.csat, "ces": cx.ces}
_SURVEY_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}

__all__ = ["survey"]


def survey(args: argparse.Namespace) -> list[Table]:
    """NPS / CSAT / CES of a survey file, by group, with n, counts and intervals."""
    cols = resolve(args, ROLES["survey"])
    metrics = ["nps", "csat", "ces"] if args.metric == "all" else [args.metric]
    if args.score:
        if len(args.score) != len(metrics):
            msg = f"--score names {len(args.score)} column(s) for {len(metrics)} metric(s) ({', '.join(metrics)}); give one per metric."
            raise TableError(msg)
        for m, c in zip(metrics, args.score, strict=True):
            cols[m] = c
    weight, time = cols["weight"], cols["time"]
    if args.period and not time:
        msg = "--period needs the answer time column: add --time-col HEADER."
        raise TableError(msg)
    required = [
        *args.by,
        *([weight] if weight else []),
        *([time] if args.period else []),
    ]
    if args.metric != "all":
        required.append(str(cols[args.metric]))
    ft = read_file(args.file, required, optional=[str(cols[m]) for m in metrics])
    present = [m for m in metrics if cols[m] in ft.columns]
    skipped = [m for m in metrics if m not in present]
    if not present:
        msg = (
            f"{ft.path}: none of the score columns {[cols[m] for m in metrics]} is in the file; "
            f"the columns are {list(ft.header)}. Map them with --nps-col/--csat-col/--ces-col."
        )
        raise TableError(msg)
    by_cols, _ = _group_columns(ft, args.by)
    by_names = list(args.by)
    if args.period:
        t = wall_clock(ft.path, str(time), ft.columns[str(time)], ft.lines)
        by_cols.append(np.datetime_as_string(cx.period_start(t, args.period)))
        by_names.append(args.period)
    by_arg: Any = None if not by_cols else by_cols[0] if len(by_cols) == 1 else by_cols
    w = (
        None
        if weight is None
        else numbers(ft.path, weight, ft.columns[weight], ft.lines)
    )
    tables: list[Table] = []
    for metric in present:
        column = str(cols[metric])
        values = numbers(ft.path, column, ft.columns[column], ft.lines)
        with _located(ft, column, {"weights": "--weight-col", "min_n": "--min-n"}):
            res = _SCORES[metric](
                values,
                by=by_arg,
                weights=w,
                nan_policy=args.nan_policy,
                min_n=args.min_n,
            )
        tables.append(
            _survey_table(metric, column, res, args, by_names, weighted=w is not None)
        )
    if skipped:
        note = "skipped (no such column): " + ", ".join(
            f"{_SURVEY_NAMES[m]} ({cols[m]!r})" for m in skipped
        )
        tables[0] = Table(**{**tables[0].__dict__, "notes": (*tables[0].notes, note)})
        args.warnings.append(f"--metric all: {note}")
    return tables


def _survey_table(
    metric: str,
    column: str,
    res: Any,
    args: argparse.Namespace,
    by: Sequence[str],
    *,
    weighted: bool,
) -> Table:
    lo, hi = _ci(res, args.confidence)
    data: dict[str, Any] = _key_columns(res, by)
    data |= {
        "value": _listify(res.value),
        "n": _listify(res.n),
        "n_missing": _listify(res.n_missing),
        "ci_low": _listify(lo),
        "ci_high": _listify(hi),
    }
    kinds = {"n": "count", "n_missing": "count"}
    if metric == "nps":
        for c in ("promoters", "passives", "detractors"):
            data[c] = _listify(getattr(res, c))
            kinds[c] = "count"
    elif metric == "csat":  # the value is the share satisfied
        kinds |= {"value": "share", "ci_low": "share", "ci_high": "share"}
    else:
        data["positive_share"] = _listify(res.positive_share)
        kinds["positive_share"] = "share"
    if weighted:
        data["effective_n"] = _listify(res.effective_n)
    flagged = _listify(getattr(res, "flagged", np.zeros(len(data["value"]), bool)))
    data["suppressed"] = flagged
    notes = []
    if args.min_n and flagged.any():
        notes.append(
            f"{int(flagged.sum())} group(s) with fewer than {args.min_n} answers are "
            "suppressed by --min-n (value and interval left empty)."
        )
    if weighted:
        notes.append(
            "weighted by the survey weights; n counts answers, effective_n is Kish's."
        )
    label = _SURVEY_NAMES[metric]
    title = f"{label} from column {column!r}" + (f" by {' / '.join(by)}" if by else "")
    title += f" ({args.confidence:.0%} intervals)"
    return Table.from_columns(metric, title, data, kinds=kinds, notes=notes)
