"""The report's table inputs checked before any section is built (issue #20, item 14).

Each table is a dict of columns. A table of the wrong kind, a missing column, a
ragged or 2-D column, or columns of different lengths are named here, as
``surveys['nps']``, instead of surfacing as a ``KeyError`` or a numpy error from
deep inside a section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from cxmetrics._core.shapes import as_array
from cxmetrics._core.validation import check_instance
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.support import SLAPolicy, TicketLog

__all__ = ["check_extra_sections", "check_tables"]

#: the columns each table needs (equal lengths); optional ones are checked when given
_NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "surveys": (("nps", "month"), ("segment", "csat", "ces", "weight", "arm")),
    "activity": (("customer", "time"), ()),
    "transactions": (("customer", "date", "amount"), ()),
    "subscriptions": (("customer", "start", "end", "amount"), ()),
    "tickets": (("ticket", "instant", "status", "priority"), ()),
    "events": (("unit", "time", "event"), ("segment",)),
}


def _table(name: str, table: object) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        msg = f"`{name}` must be a dict of columns; got {type(table).__name__}."
        raise InvalidInputTypeError(msg)
    return table


def _columns(name: str, table: Mapping[str, Any], needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in table]
    if missing:
        msg = (
            f"`{name}` needs the column(s) {missing}; it has {sorted(map(str, table))}."
        )
        raise InvalidInputError(msg)


def _same_length(name: str, table: Mapping[str, Any], columns: tuple[str, ...]) -> None:
    lengths: dict[str, int] = {}
    for c in columns:
        if c not in table:
            continue
        arr = as_array(table[c], f"{name}['{c}']")
        if arr.ndim != 1:
            msg = f"`{name}['{c}']` must be a 1-D column; got shape {arr.shape}."
            raise InvalidInputError(msg)
        lengths[c] = arr.shape[0]
    if len(set(lengths.values())) > 1:
        msg = f"`{name}` columns must have one length; got {lengths}."
        raise InvalidInputError(msg)


def check_tables(tables: Mapping[str, object], policy: object) -> list[Any]:
    """Check every given table (``None``: not given) and the tickets' ``policy``.

    Returns the tables in the given order, with list and tuple columns as arrays
    (the sections index them with masks); a built ``TicketLog`` stays as it is.
    """
    for name, given in tables.items():
        if given is None:
            continue
        table = _table(name, given)
        needed, optional = _NEEDS[name]
        if name == "tickets":
            check_instance("policy", policy, SLAPolicy)
            if (
                "log" in table
            ):  # a log built already, with one id and priority per ticket
                _columns(name, table, ("log", "ids", "priority"))
                check_instance("tickets['log']", table["log"], TicketLog)
                _same_length(name, table, ("ids", "priority"))
                continue
        _columns(name, table, needed)
        _same_length(name, table, needed + optional)
    return [
        None
        if given is None
        else {
            k: np.asarray(v) if isinstance(v, list | tuple) else v
            for k, v in _table(name, given).items()
        }
        for name, given in tables.items()
    ]


def check_extra_sections(sections: object) -> list[tuple[str, str, list[str]]]:
    """``extra_sections``: a list of ``(id, heading, html parts)`` with text everywhere."""
    if sections is None:
        return []
    if isinstance(sections, str | bytes | Mapping) or not isinstance(
        sections, list | tuple
    ):
        msg = (
            "`extra_sections` must be a list of (id, heading, html parts) tuples; "
            f"got {type(sections).__name__}."
        )
        raise InvalidInputTypeError(msg)
    out: list[tuple[str, str, list[str]]] = []
    for i, item in enumerate(sections):
        ok = isinstance(item, list | tuple) and len(item) == 3
        if ok:
            sid, heading, parts = item
            ok = (
                isinstance(sid, str)
                and bool(sid)
                and isinstance(heading, str)
                and isinstance(parts, list | tuple)
                and all(isinstance(part, str) for part in parts)
            )
        if not ok:
            msg = (
                f"`extra_sections[{i}]` must be (id, heading, html parts): a non-empty "
                f"id, a heading and a list of HTML strings; got {item!r:.80}."
            )
            raise InvalidInputTypeError(msg)
        out.append((sid, heading, list(parts)))
    return out
