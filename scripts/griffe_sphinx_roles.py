"""Griffe extension for the documentation site (loaded by mkdocstrings, see mkdocs.yml).

Two things the docstrings rely on that Griffe does not know by itself:

- **Sphinx markup.** The docstrings name objects with Sphinx roles (:func:`nps`)
  and write formulas with :math:`...` and ``.. math::``. Before a docstring is
  parsed, roles become inline code (:class:`~pandas.DataFrame` -> ``DataFrame``)
  and formulas become ``$...$`` / ``$$ ... $$`` for pymdownx.arithmatex; simple
  tables (``=== ===``) become Markdown tables and citations (``.. [1]``,
  ``[1]_``) a list and plain ``[1]``. The source docstrings keep their markup.
- **attrs classes.** attrs writes ``__init__`` at run time, so static analysis
  sees no parameters and the documented ``Parameters`` look unknown. For every
  attrs class without an ``__init__`` of its own, the signature that attrs built
  is read from the imported class and added as ``__init__``.
- **Docstrings set at run time.** A function whose ``__doc__`` is assigned after
  its definition (to share text between functions) has no docstring for static
  analysis; the imported function's docstring is used instead.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import attrs
import griffe

_ROLE = re.compile(
    r":(?:py:)?(?:attr|class|const|data|exc|func|meth|mod|obj):`(~?)([^`]+)`"
)
_INLINE_MATH = re.compile(r":math:`([^`]+)`")
_MATH_DIRECTIVE = re.compile(r"^(\s*)\.\. math::\s*(.*)$")
_TABLE_BORDER = re.compile(r"^\s*=+( +=+)+\s*$")
_CITATION = re.compile(r"^(\s*)\.\. (\[[^\]]+\]) ", re.MULTILINE)
_CITED = re.compile(r"(\[[^\]]+\])_")


def _as_code(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def _math_blocks(text: str) -> str:
    """Rewrite ``.. math::`` directives (same-line or indented body) as $$ blocks."""
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        match = _MATH_DIRECTIVE.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        indent, body = match.group(1), [match.group(2)] if match.group(2) else []
        i += 1
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(indent)
        ):
            body.append(lines[i].strip())
            i += 1
        formula = "\n".join(indent + line for line in body if line)
        out.extend(["", f"{indent}$$", formula, f"{indent}$$", ""])
    return "\n".join(out)


def _tables(text: str) -> str:
    """Rewrite reStructuredText simple tables (one header row) as Markdown tables."""
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        end = i + 2
        if not (
            _TABLE_BORDER.match(lines[i])
            and end < len(lines)
            and lines[end].strip() == lines[i].strip()
        ):
            out.append(lines[i])
            i += 1
            continue
        border = lines[i]
        spans = [m.span() for m in re.finditer(r"=+", border)]
        starts = [a for a, _ in spans]
        bounds = [*starts[1:], None]

        def cells(
            line: str, starts: list[int] = starts, bounds: list = bounds
        ) -> list[str]:
            return [line[a:b].strip() for a, b in zip(starts, bounds, strict=True)]

        rows = [cells(lines[i + 1])]
        i = end + 1
        body: list[list[str]] = []
        while i < len(lines) and lines[i].strip() != border.strip():
            row = cells(lines[i])
            if body and not row[0]:  # a continuation line of the row above
                body[-1] = [
                    f"{a} {b}".strip() for a, b in zip(body[-1], row, strict=True)
                ]
            elif any(row):
                body.append(row)
            i += 1
        i += 1
        indent = border[: len(border) - len(border.lstrip())]
        table = [*rows, ["---"] * len(starts), *body]
        out.extend(["", *(f"{indent}| {' | '.join(r)} |" for r in table), ""])
    return "\n".join(out)


def _markdown(text: str) -> str:
    text = _ROLE.sub(_as_code, text)
    text = _INLINE_MATH.sub(lambda m: f"${m.group(1).strip()}$", text)
    text = _CITATION.sub(r"\1- \2 ", text)
    text = _CITED.sub(r"\1", text)
    return _tables(_math_blocks(text))


def _runtime(obj: griffe.Object) -> Any:
    try:
        return getattr(importlib.import_module(obj.module.path), obj.name)
    except (ImportError, AttributeError):
        return None


def _runtime_docstring(func: griffe.Function) -> None:
    """Use the imported function's docstring when the source defines none."""
    runtime = _runtime(func)
    doc = inspect.getdoc(runtime) if callable(runtime) else None
    if doc:
        func.docstring = griffe.Docstring(_markdown(doc), parent=func)


def _attrs_init(cls: griffe.Class) -> None:
    """Give an attrs class the ``__init__`` signature attrs generated for it."""
    runtime = _runtime(cls)
    if not (inspect.isclass(runtime) and attrs.has(runtime)):
        return
    params = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
    for p in list(inspect.signature(runtime).parameters.values()):
        member = cls.members.get(p.name) or cls.members.get(f"_{p.name}")
        annotation = getattr(member, "annotation", None) or (
            None if p.annotation is p.empty else str(p.annotation)
        )
        default = None
        if p.default is not p.empty:
            # attrs marks a default made by a factory as NOTHING in the signature
            factory = p.default is attrs.NOTHING or isinstance(p.default, attrs.Factory)
            default = "<factory>" if factory else repr(p.default)
        params.append(
            griffe.Parameter(
                p.name,
                annotation=annotation,
                kind=griffe.ParameterKind(p.kind.description),
                default=default,
            )
        )
    init = griffe.Function(
        "__init__",
        parent=cls,
        parameters=griffe.Parameters(*params),
        returns="None",
    )
    cls.set_member("__init__", init)


class SphinxMarkupAndAttrs(griffe.Extension):
    """Sphinx markup as Markdown, and attrs signatures, for every loaded object."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:  # noqa: ARG002
        """Rewrite one object's docstring as it is loaded."""
        if obj.docstring is not None:
            obj.docstring.value = _markdown(obj.docstring.value)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:  # noqa: ARG002
        """Add attrs ``__init__`` signatures once the whole package is loaded."""
        _walk(pkg)


def _walk(obj: griffe.Module | griffe.Class) -> None:
    for member in list(obj.members.values()):
        if member.is_alias:
            continue
        if isinstance(member, griffe.Class):
            if "__init__" not in member.members:
                _attrs_init(member)
            _walk(member)
        elif isinstance(member, griffe.Function) and member.docstring is None:
            if isinstance(obj, griffe.Module):
                _runtime_docstring(member)
        elif isinstance(member, griffe.Module):
            _walk(member)
