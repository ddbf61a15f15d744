"""The surveys section of the CX report: NPS, CSAT and CES tiles, trends and segments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics import plot
from cxmetrics._core.tables import Table
from cxmetrics.report._html import figure_html, table_html
from cxmetrics.report._sections import (
    Columns,
    ReportInputs,
    SectionOut,
    Tile,
    _change_text,
    _dates,
    _empty,
    _level,
    _note,
    _num,
    _pct,
    attrs_replace,
)

__all__ = ["survey_section"]

_SURVEY: dict[
    str, tuple[str, Callable[..., Any], Callable[..., Any], Callable[[float], str], str]
] = {
    "nps": ("NPS", cx.nps, cx.compare_nps, lambda v: _num(v, 1, sign=True), "points"),
    "csat": ("CSAT", cx.csat, cx.compare_csat, _pct, "share satisfied (4-5 of 5)"),
    "ces": (
        "CES",
        cx.ces,
        cx.compare_ces,
        lambda v: _num(v, 2),
        "mean effort score, 1-7",
    ),
}


def _score_tile(key: str, s: Columns, inputs: ReportInputs) -> Tile | None:
    label, fn, compare, fmt, _ = _SURVEY[key]
    values, months, w = s[key], s["month"], s.get("weight")
    answered = ~np.isnan(values)
    periods = np.unique(months[answered])
    if periods.size == 0:
        return None
    last = periods[-1]
    sel = (months == last) & answered
    res = fn(values[sel], weights=None if w is None else w[sel])
    lo, hi = res.confidence_interval(inputs.confidence_level)
    n_text = f"n = {res.n:,}" + (
        f" (effective {res.effective_n:,.0f})" if w is not None else ""
    )
    tile = Tile(
        f"{label}, {last}",
        fmt(float(res.value)),
        f"{_level(inputs)} CI {fmt(float(lo))} to {fmt(float(hi))}",
        n_text,
    )
    if periods.size < 2:
        return attrs_replace(tile, change="no previous period")
    prev = periods[-2]
    psel = (months == prev) & answered
    n_prev, n_last = int(psel.sum()), int(sel.sum())
    if min(n_prev, n_last) < inputs.min_n:
        return attrs_replace(
            tile,
            change=f"not compared with {prev}: n = {n_prev:,} and {n_last:,}, below the minimum of {inputs.min_n}",
        )
    kw = {} if w is None else {"weights_a": w[psel], "weights_b": w[sel]}
    d = compare(values[psel], values[sel], **kw)
    unit = (
        (lambda v: _num(100 * v, 1, sign=True) + " pts")
        if key == "csat"
        else (lambda v: _num(v, 2 if key == "ces" else 1, sign=True))
    )
    change, sig = _change_text(d, unit)
    return attrs_replace(
        tile,
        change=f"{change} vs {prev} (n = {n_prev:,} and {n_last:,})",
        significance=sig,
    )


def _grouped_table(
    name: str, title: str, res: Any, group: str, *, share: bool, level: float
) -> Table:
    lo, hi = res.confidence_interval(level)
    data: dict[str, Any] = {group: res.keys, "value": res.value, "n": res.n}
    if hasattr(res, "promoters"):
        data |= {
            "promoters": res.promoters,
            "passives": res.passives,
            "detractors": res.detractors,
        }
    data |= {f"{level:.0%} CI low": lo, "high": hi, "missing": res.n_missing}
    kinds = {
        "n": "count",
        "promoters": "count",
        "passives": "count",
        "detractors": "count",
        "missing": "count",
    }
    if share:
        kinds |= {"value": "share", f"{level:.0%} CI low": "share", "high": "share"}
    return Table.from_columns(name, title, data, kinds=kinds)


def survey_section(s: Columns, inputs: ReportInputs | None = None) -> SectionOut:
    """NPS trend with intervals, answer mix, NPS / CSAT / CES by segment, and tiles."""
    inputs = inputs or ReportInputs(surveys=s)
    level = inputs.confidence_level
    out = SectionOut()
    w = s.get("weight")
    if w is not None:
        out.parts.append(
            _note(
                "Weighted by the survey weights: every score and interval below uses them; "
                "n counts answers and the effective n (Kish) the information they carry."
            )
        )
    for key in ("nps", "csat", "ces"):
        if key in s:
            tile = _score_tile(key, s, inputs)
            if tile is not None:
                out.tiles.append(tile)
    if not bool(np.any(~np.isnan(s["nps"]))):
        out.parts.append(
            _empty("No NPS answers in the survey file, so there is no trend to draw.")
        )
        return out
    trend = cx.nps(s["nps"], by=s["month"], weights=w, nan_policy="omit")
    out.parts.append(
        figure_html(
            _dates(plot.score_trend(trend, confidence_level=level)),
            f"NPS by month with its {level:.0%} interval and n",
        )
    )
    if "segment" in s:
        by_seg = cx.nps(s["nps"], by=s["segment"], weights=w, nan_policy="omit")
        out.parts.append(
            figure_html(
                plot.answer_mix(by_seg), "Promoters, passives and detractors by segment"
            )
        )
        out.parts.append(
            table_html(
                _grouped_table(
                    "nps",
                    "NPS by segment (points, -100 to 100)",
                    by_seg,
                    "segment",
                    share=False,
                    level=level,
                )
            )
        )
        if "csat" in s:
            csat = cx.csat(s["csat"], by=s["segment"], weights=w, nan_policy="omit")
            target = inputs.targets.get("csat")
            out.parts.append(
                figure_html(
                    plot.rate_by_group(
                        csat, target=target, label="CSAT", confidence_level=level
                    ),
                    f"CSAT (share satisfied, 4-5 of 5) by segment, {level:.0%} intervals"
                    + (f"; target {target:.0%}" if target is not None else ""),
                )
            )
            out.parts.append(
                table_html(
                    _grouped_table(
                        "csat",
                        "CSAT by segment (share satisfied)",
                        csat,
                        "segment",
                        share=True,
                        level=level,
                    )
                )
            )
        if "ces" in s:
            ces = cx.ces(s["ces"], by=s["segment"], weights=w, nan_policy="omit")
            out.parts.append(
                table_html(
                    _grouped_table(
                        "ces",
                        "CES by segment (mean, 1-7, higher is easier)",
                        ces,
                        "segment",
                        share=False,
                        level=level,
                    )
                )
            )
    return out
