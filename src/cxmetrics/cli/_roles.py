"""Column roles: which header of the user's file plays which part.

Every command declares its roles once (name, default header, help). The parser
gets one ``--ROLE-col HEADER`` flag per role (plus older short aliases such as
``--customer``) and the shared ``--col ROLE=HEADER`` form; ``--help`` lists the
roles with their default headers. :func:`resolve` turns the parsed flags into
``{role: header}``; a role without a default and without a flag is ``None``
(an optional column left out).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from cxmetrics._core.table_io import TableError

__all__ = ["Role", "add_roles", "resolve"]


@dataclass(frozen=True)
class Role:
    """One column role of a command."""

    name: str
    default: str | None
    help: str
    aliases: tuple[str, ...] = ()
    file: str = ""  # for commands reading several files (report): the file's option


def _dest(role: Role) -> str:
    return f"col_{role.file}_{role.name}".replace("-", "_")


def _flag(role: Role) -> str:
    return f"--{role.file}-{role.name}-col" if role.file else f"--{role.name}-col"


def _key(role: Role) -> str:
    return f"{role.file}:{role.name}" if role.file else role.name


def add_roles(p: argparse.ArgumentParser, roles: Sequence[Role]) -> None:
    """Add ``--col ROLE=HEADER`` and one ``--ROLE-col`` flag per role to ``p``."""
    listing = ", ".join(f"{_key(r)} ({r.default or 'none'})" for r in roles)
    g = p.add_argument_group(
        "columns",
        "Map each role to a header of your file with --ROLE-col HEADER or --col ROLE=HEADER "
        f"(repeatable). Roles (default header): {listing}.",
    )
    g.add_argument(
        "--col",
        action="append",
        default=[],
        metavar="ROLE=HEADER",
        help="the column playing ROLE (e.g. --col customer='Account ID')",
    )
    for r in roles:
        default = f"default: {r.default}" if r.default else "optional"
        g.add_argument(
            _flag(r),
            *r.aliases,
            dest=_dest(r),
            default=None,
            metavar="HEADER",
            help=f"{r.help} ({default})",
        )


def resolve(args: argparse.Namespace, roles: Sequence[Role]) -> dict[str, str | None]:
    """``{ROLE: header}`` from the defaults, ``--col`` and the per-role flags.

    Keys are ``role`` (or ``file:role`` for the report). A role named twice
    with different headers is an error, as is an unknown role.
    """
    out: dict[str, str | None] = {_key(r): r.default for r in roles}
    by_role: dict[str, list[str]] = {}
    for r in roles:
        by_role.setdefault(r.name, []).append(_key(r))
    given: dict[str, str] = {}
    for item in args.col:
        role, sep, header = item.partition("=")
        role, header = role.strip(), header.strip()
        if not sep or not role or not header:
            msg = f"--col {item!r}: write it as ROLE=HEADER, e.g. --col customer='Account ID'."
            raise TableError(msg)
        targets = [role] if role in out else by_role.get(role, [])
        if not targets:
            msg = f"--col {item!r}: no role {role!r} in this command; the roles are {', '.join(out)}."
            raise TableError(msg)
        for key in targets:
            if key in given and given[key] != header:
                msg = f"--col: role {key!r} is given twice ({given[key]!r} and {header!r}); give it once."
                raise TableError(msg)
            given[key] = header
    for r in roles:
        flag = getattr(args, _dest(r), None)
        if flag is not None:
            key = _key(r)
            if key in given and given[key] != flag and key == r.name:
                msg = f"{_flag(r)} {flag!r} and --col {key}={given[key]!r} disagree; give the column once."
                raise TableError(msg)
            given[key] = flag
    out.update(given)
    return out
