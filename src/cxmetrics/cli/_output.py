"""Tables to the terminal (aligned text), or as CSV or JSON for other tools."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

__all__ = ["render"]


def _text(title: str, headers: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(headers)]
    lines = [title, "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines += [
        "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows
    ]
    return "\n".join(lines)


def render(tables: Sequence[tuple[str, list[str], list[list[str]]]], fmt: str) -> str:
    """All tables in ``fmt``: ``table`` (text), ``csv`` (titles as comments) or ``json``."""
    if fmt == "json":
        return json.dumps(
            [{"title": t, "columns": h, "rows": r} for t, h, r in tables], indent=2
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        for title, headers, rows in tables:
            buf.write(f"# {title}\n")
            writer.writerow(headers)
            writer.writerows(rows)
        return buf.getvalue().rstrip("\n")
    return "\n\n".join(_text(*t) for t in tables)
