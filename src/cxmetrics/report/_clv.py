"""The CLV section of the CX report: BG/NBD and Gamma-Gamma."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._core.tables import Table
from cxmetrics.report._html import figure_html, table_html
from cxmetrics.report._sections import (
    Columns,
    ReportInputs,
    SectionOut,
    Tile,
    _empty,
    _level,
    _money,
    _note,
)

__all__ = ["clv_section"]


def _median_interval(x: NDArray[np.float64], level: float) -> tuple[float, float]:
    """Distribution-free interval of the median from order statistics (binomial, normal approximation)."""
    s = np.sort(x)
    n = s.size
    z = float(cx.stats.critical_value(level))
    half = z * math.sqrt(n) / 2
    lo_i = max(math.floor(n / 2 - half), 0)
    hi_i = min(math.ceil(n / 2 + half), n - 1)
    return float(s[lo_i]), float(s[hi_i])


def clv_section(
    tx: Columns,
    *,
    observation_end: object | None = None,
    inputs: ReportInputs | None = None,
) -> SectionOut:
    """BG/NBD and Gamma-Gamma fits, 12-month CLV per customer, P(alive) matrix, median-CLV tile."""
    inputs = inputs or ReportInputs(transactions=tx)
    level = inputs.confidence_level
    cur = inputs.currency
    out = SectionOut()
    end = observation_end if observation_end is not None else tx["date"].max()
    rfm = cx.rfm_summary(
        tx["customer"],
        tx["date"],
        tx["amount"],
        observation_end=end,
        freq="day",
        freq_multiplier=7,
    )
    purchases = cx.bgnbd(rfm)
    spend = cx.gamma_gamma(rfm)
    value = np.asarray(
        spend.customer_lifetime_value(
            purchases,
            rfm.frequency,
            rfm.recency,
            rfm.T,
            rfm.monetary_value,
            steps=12,
            step_length=52 / 12,
            discount_rate=0.01,
        ),
        dtype=float,
    )
    alive = np.asarray(
        purchases.probability_alive(rfm.frequency, rfm.recency, rfm.T), dtype=float
    )
    fit_rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "model",
            "parameter",
            "estimate",
            "standard error",
            f"{level:.0%} CI low",
            "high",
            "converged",
        )
    }
    for fit in (purchases, spend):
        for name in fit.parameter_names:
            lo, hi = fit.confidence_interval(name, level)
            for k, v in zip(
                fit_rows,
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
                fit_rows[k].append(v)
    out.parts.append(
        table_html(
            Table.from_columns(
                "fits",
                f"Model fits on {rfm.n:,} customers (time unit: weeks; Gamma-Gamma on the {int(spend.n):,} with repeat purchases)",
                fit_rows,
                kinds={"converged": "alarm"},
            )
        )
    )
    money = f" ({cur})" if cur else ""
    missing = int(np.sum(~np.isfinite(value)))
    if missing:
        out.parts.append(
            _note(
                f"{missing:,} customer(s) have no finite CLV from the fitted models; they are left out below."
            )
        )
        value = value[np.isfinite(value)]
        alive = alive[np.isfinite(alive)]
    if value.size:
        cap = float(np.quantile(value, 0.99))
        drawn = np.clip(value, None, cap)
        first_edge = float(drawn.min() + (drawn.max() - drawn.min()) / 50)
        first_bar = float(np.mean(drawn <= first_edge))
        out.parts.append(
            figure_html(
                plot.distribution(
                    drawn,
                    xlabel=f"12-month CLV{money}, 1% monthly discount",
                    bins=50,
                    log=False,
                ),
                f"Predicted 12-month customer lifetime value (BG/NBD x Gamma-Gamma), linear axis; {first_bar:.0%} of customers "
                f"are in the first bar (up to {_money(first_edge, cur)}); values beyond the 99th percentile ({_money(cap, cur)}) are drawn at it",
            )
        )
        lo, hi = _median_interval(value, level)
        out.tiles.append(
            Tile(
                "Median 12-month CLV",
                _money(float(np.median(value)), cur),
                f"{_level(inputs)} CI {_money(lo, cur)} to {_money(hi, cur)} (order statistics)",
                f"n = {value.size:,} customers",
            )
        )
        out.parts.append(
            figure_html(
                plot.p_alive_matrix(purchases, T=float(np.median(rfm.T))),
                "Probability alive by repeat purchases and recency, for a customer of median age",
            )
        )
        out.parts.append(
            _note(
                f"Customers likely alive (P > 0.5): {np.mean(alive > 0.5):.0%}. Median 12-month CLV "
                f"{_money(float(np.median(value)), cur)}, mean {_money(float(np.mean(value)), cur)}, "
                f"top decile from {_money(float(np.quantile(value, 0.9)), cur)}."
            )
        )
    else:
        out.parts.append(
            _empty("No customer in the purchase log, so there is no CLV to show.")
        )
    return out
