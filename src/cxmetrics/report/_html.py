"""One self-contained HTML page: inline CSS, charts as embedded PNG, no network."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from cxmetrics._optional import require

__all__ = ["figure_html", "page"]

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
