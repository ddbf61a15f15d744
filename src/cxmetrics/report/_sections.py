"""What the sections of the CX report share: their inputs, outputs, tiles and formats.

Each section (one module per family: ``_survey``, ``_support``, ``_retention``,
``_clv``, ``_experiments``, ``_voice``, ``_workforce``, ``_journeys``) reads the
:class:`ReportInputs`, calls the public API only, and returns its HTML parts and the
tiles it adds to the executive summary. The list of sections is
:data:`cxmetrics.report.SECTIONS` (one place: another family adds its section there).
A chart is drawn only when it has data; otherwise the section says so in one
sentence.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from numpy.typing import NDArray

__all__ = [
    "PALETTE",
    "ReportInputs",
    "Section",
    "SectionOut",
    "Tile",
    "attrs_replace",
]

Columns = dict[str, NDArray[Any]]

# Okabe-Ito: distinct for colour-blind readers, in the order series are drawn
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


@dataclass(frozen=True)
class Tile:
    """One executive-summary tile: a KPI, its interval and n, and its change."""

    label: str
    value: str
    interval: str
    n: str
    change: str = ""
    significance: str = ""  # "significant", "not significant" or "" (not compared)


@dataclass
class SectionOut:
    """What a section gives the page: HTML parts and summary tiles."""

    parts: list[str] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)


@dataclass(frozen=True)
class ReportInputs:
    """Everything the sections read (validated by :func:`cxmetrics.report.build_report`)."""

    surveys: Columns | None = None
    tickets: Mapping[str, Any] | None = None
    policy: Any | None = None
    activity: Columns | None = None
    transactions: Columns | None = None
    subscriptions: Columns | None = None
    as_of: object | None = None
    subscriptions_as_of: object | None = None
    nrr_horizon: int = 12
    currency: str | None = None
    min_n: int = 30
    targets: Mapping[str, float] = field(default_factory=dict)
    confidence_level: float = 0.95


@dataclass(frozen=True)
class Section:
    """A report section: its anchor, heading, the inputs it needs, and its builder."""

    id: str
    heading: str
    needs: tuple[str, ...]
    build: Callable[[ReportInputs], SectionOut]


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _empty(what: str) -> str:
    return f'<p class="empty">{html.escape(what)}</p>'


def _pct(x: float, digits: int = 1) -> str:
    return "-" if not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def _num(x: float, digits: int = 1, *, sign: bool = False) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:+,.{digits}f}" if sign else f"{x:,.{digits}f}"


def _money(x: float, currency: str | None) -> str:
    text = _num(x, 2)
    return f"{text} {currency}" if currency else text


def _distinct(ax: Any) -> Any:
    """Give every vertical target line its own colour (and the legend with it)."""
    lines = [
        ln
        for ln in ax.get_lines()
        if ln.get_label() and not ln.get_label().startswith("_")
    ]
    if len(lines) > 1:
        for ln, colour in zip(lines, PALETTE[1:], strict=False):
            ln.set_color(colour)
        ax.legend(loc="best", fontsize=8)
    return ax


def _dates(ax: Any) -> Any:
    """Readable period labels on a long trend: rotated, and thinned beyond 12."""
    labels = ax.get_xticklabels()
    if len(labels) > 12:
        step = math.ceil(len(labels) / 12)
        for i, lab in enumerate(labels):
            lab.set_visible(i % step == 0)
    ax.tick_params(axis="x", labelrotation=45)
    return ax


def _xlabel(ax: Any, text: str) -> Any:
    """Name the x axis in the reader's unit."""
    ax.set_xlabel(text)
    return ax


def _level(inputs: ReportInputs) -> str:
    return f"{inputs.confidence_level:.0%}"


def _change_text(d: Any, fmt_change: Callable[[float], str]) -> tuple[str, str]:
    p = float(d.pvalue)
    sig = "significant" if p < 0.05 else "not significant"
    return fmt_change(float(d.value)), f"{sig} (p = {p:.3f})"


def attrs_replace(tile: Tile, **kw: str) -> Tile:
    """A copy of ``tile`` with fields replaced."""
    return Tile(**{**tile.__dict__, **kw})
