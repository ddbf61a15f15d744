"""One self-contained HTML page: inline CSS, charts as embedded PNG, no network."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from cxmetrics._core.display import html_table
from cxmetrics._core.optional import require
from cxmetrics._core.tables import Table, human

__all__ = ["figure_html", "page", "table_html", "tiles_html"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: 0.2rem;
margin-top: 2.5rem; }
.meta { color: #666; font-size: 0.9rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; }
figcaption { color: #555; font-size: 0.85rem; }
table.cxmetrics { border-collapse: collapse; font-size: 0.85rem; margin: 0.8rem 0; display: block;
                 overflow-x: auto; max-width: 100%; }
table.cxmetrics caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
table.cxmetrics th, table.cxmetrics td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem;
text-align: right; }
table.cxmetrics th:first-child, table.cxmetrics td:first-child { text-align: left; }
.note { background: #f4f8fb; border-left: 3px solid #56B4E9; padding: 0.5rem 0.8rem; }
.empty { color: #555; font-style: italic; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 0.8rem;
         margin: 1rem 0 1.5rem; }
.tile { background: #e8f1f8; border-radius: 8px; padding: 0.7rem 0.9rem; }
.tile .label { font-size: 0.85rem; color: #333; font-weight: 600; }
.tile .value { font-size: 1.8rem; font-weight: 700; color: #0b3d62; }
.tile .detail { font-size: 0.8rem; color: #444; }
.tile .sig { font-weight: 600; } .tile .sig.yes { color: #a04000; } .tile .sig.no { color: #555; }
"""


def figure_html(ax: Any, caption: str) -> str:
    """The figure of ``ax`` as an embedded PNG with a caption; the figure is closed."""
    plt = require("matplotlib.pyplot", feature="the HTML report")
    fig = ax.figure
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def table_html(table: Table) -> str:
    """A result table with a readable caption and human formatting (percentages, thousands)."""
    cells = [
        [
            human(v, table.kinds.get(c, "number"))
            for c, v in zip(table.columns, row, strict=True)
        ]
        for row in table.rows
    ]
    out = html_table(list(table.columns), cells, caption=table.title)
    return out + "".join(f'<p class="note">{html.escape(n)}</p>' for n in table.notes)


def tiles_html(tiles: list[Any]) -> str:
    """The executive summary: one tile per KPI with interval, n and change."""
    if not tiles:
        return ""
    parts = []
    for t in tiles:
        sig = ""
        if t.significance:
            cls = "no" if t.significance.startswith("not") else "yes"
            sig = f'<div class="detail sig {cls}">{html.escape(t.significance)}</div>'
        change = (
            f'<div class="detail">{html.escape(t.change)}</div>' if t.change else ""
        )
        parts.append(
            f'<div class="tile"><div class="label">{html.escape(t.label)}</div>'
            f'<div class="value">{html.escape(t.value)}</div>'
            f'<div class="detail">{html.escape(t.interval)}</div>'
            f'<div class="detail">{html.escape(t.n)}</div>{change}{sig}</div>'
        )
    return '<div class="tiles">' + "".join(parts) + "</div>"


def page(title: str, meta: str, sections: list[tuple[str, str, list[str]]]) -> str:
    """The page: a title, a line of metadata, then (id, heading, html parts) sections."""
    toc = "".join(
        f'<li><a href="#{sid}">{html.escape(h)}</a></li>' for sid, h, _ in sections
    )
    body = "".join(
        f'<section id="{sid}"><h2>{html.escape(h)}</h2>{"".join(parts)}</section>'
        for sid, h, parts in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="meta">{html.escape(meta)}</p>'
        f"<nav><ul>{toc}</ul></nav>{body}</body></html>\n"
    )
