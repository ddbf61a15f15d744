"""The ``clv`` command: RFM summary and fitted customer lifetime value of a purchase log."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics._core.table_io import (
    FileTable,
    TableError,
    instants,
    keys,
    numbers,
    read_file,
)
from cxmetrics.cli._commands import (
    ROLES,
    _located,
)
from cxmetrics.cli._output import Table
from cxmetrics.cli._roles import resolve

__all__ = ["clv"]


def _transactions(
    path: str, cols: dict[str, str | None]
) -> tuple[dict[str, NDArray[Any]], FileTable]:
    cu, tm, am = (str(cols[k]) for k in ("customer", "time", "amount"))
    ft = read_file(path, [cu, tm, am])
    return {
        "customer": keys(ft.path, cu, ft.columns[cu], ft.lines, flag="--customer-col"),
        "date": instants(ft.path, tm, ft.columns[tm], utc=False, lines=ft.lines),
        "amount": numbers(ft.path, am, ft.columns[am], ft.lines),
    }, ft


def _end(text: str | None, dates: NDArray[np.datetime64]) -> np.datetime64:
    if text is None:
        return np.datetime64(dates.max(), "s")
    end = instants("--end", "end", np.array([text]), utc=False)[0]
    first = dates.min()
    if end < first:
        msg = (
            f"--end {text} is before every purchase (the first is on {str(first)[:10]}); "
            "give an end on or after the last purchase, or leave --end out."
        )
        raise TableError(msg)
    out: np.datetime64 = end
    return out


def _mean(x: NDArray[np.float64]) -> float | None:
    return float(np.mean(x)) if x.size else None


def _quantile(x: NDArray[np.float64], q: float) -> float | None:
    return float(np.quantile(x, q)) if x.size else None


def clv(args: argparse.Namespace) -> list[Table]:
    """RFM summary, BG/NBD (or Pareto/NBD) and Gamma-Gamma fits, CLV over a horizon."""
    cols = resolve(args, ROLES["clv"])
    tx, ft = _transactions(args.file, cols)
    end = _end(args.end, tx["date"])
    unit = {"days": 1.0, "weeks": 7.0}[args.unit]
    with _located(ft, None, {"observation_end": "--end"}):
        rfm = cx.rfm_summary(
            tx["customer"],
            tx["date"],
            tx["amount"],
            observation_end=end,
            freq="day",
            freq_multiplier=unit,
        )
    with _located(ft, None, rows=False):  # the fits see one row per customer
        purchases = cx.bgnbd(rfm) if args.model == "bgnbd" else cx.pareto_nbd(rfm)
        spend = cx.gamma_gamma(rfm)
    per_month = (365.25 / 12) / unit
    f, r, T, m = rfm.frequency, rfm.recency, rfm.T, rfm.monetary_value
    value = np.asarray(
        spend.customer_lifetime_value(
            purchases,
            f,
            r,
            T,
            m,
            margin=args.margin,
            steps=args.horizon,
            step_length=per_month,
            discount_rate=args.discount,
        ),
        dtype=float,
    )
    alive = np.asarray(purchases.probability_alive(f, r, T), dtype=float)
    rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "model",
            "parameter",
            "estimate",
            "standard_error",
            "ci_low",
            "ci_high",
            "converged",
        )
    }
    for fit in (purchases, spend):
        for name in fit.parameter_names:
            lo, hi = fit.confidence_interval(name, args.confidence)
            for k, v in zip(
                rows,
                (
                    fit.model_name,
                    name,
                    fit.params[name],
                    fit.standard_errors[name],
                    lo,
                    hi,
                    bool(fit.converged),
                ),
                strict=True,
            ):
                rows[k].append(v)
    fits = Table.from_columns(
        "fits",
        f"Model fits on {rfm.n:,} customers (time unit: {args.unit}; Gamma-Gamma on the {int(spend.n):,} with repeat purchases; {args.confidence:.0%} intervals)",
        rows,
        kinds={"converged": "alarm"},
    )
    q = [0.1, 0.25, 0.5, 0.75, 0.9]
    ok_v, ok_a = value[np.isfinite(value)], alive[np.isfinite(alive)]
    stats: dict[str, list[Any]] = {
        "statistic": ["CLV", "P(alive)"],
        "n": [ok_v.size, ok_a.size],
        "n_missing": [value.size - ok_v.size, alive.size - ok_a.size],
    }
    stats["mean"] = [_mean(ok_v), _mean(ok_a)]
    for x in q:
        stats[f"p{int(x * 100)}"] = [_quantile(ok_v, x), _quantile(ok_a, x)]
    notes = []
    if ok_v.size < value.size:
        notes.append(
            f"{value.size - ok_v.size:,} customer(s) have no finite CLV (the fitted models give none): "
            "left out of these statistics and counted in n_missing."
        )
    currency = f" ({args.currency})" if args.currency else ""
    summary = Table.from_columns(
        "summary",
        f"Per customer: {args.horizon}-month CLV{currency} (margin {args.margin:g}, {args.discount:.1%} monthly discount) and P(alive)",
        stats,
        kinds={"n": "count", "n_missing": "count"},
        notes=notes,
    )
    tables = [fits, summary]
    if args.customers:
        horizon = args.horizon * per_month
        expected = np.asarray(
            purchases.conditional_expected_purchases(horizon, f, r, T), dtype=float
        )
        exp_spend = np.asarray(spend.conditional_expected_spend(f, m), dtype=float)
        tables.append(
            Table.from_columns(
                "customers",
                f"Per customer (one row each): expected purchases and spend over {args.horizon} months, CLV{currency}",
                {
                    "customer": rfm.customers,
                    "frequency": f,
                    "recency": r,
                    "T": T,
                    "monetary_value": m,
                    "p_alive": alive,
                    "expected_purchases": expected,
                    "expected_spend": exp_spend,
                    "clv": value,
                },
                kinds={"p_alive": "share", "frequency": "count"},
            )
        )
    return tables
