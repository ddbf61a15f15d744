"""The package layout shows the plan (#14): a core knowing no family, families reaching
each other only through public names, no import cycles, files of one idea.

Static checks: the source is read with :mod:`ast`, nothing is imported. That
``import cxmetrics`` loads no ``cxmetrics.frames`` module is checked by a subprocess
test in ``tests/test_public_api.py``.

The allow-lists name what is left to fix, each with its reason; shrink them, never grow
them without one.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "cxmetrics"
MAX_LINES = 600

#: the packages the private core must never import
NOT_CORE = (
    "cli",
    "clv",
    "experiments",
    "frames",
    "journeys",
    "plot",
    "report",
    "retention",
    "staffing",
    "stats",
    "support",
    "survey",
    "voice",
    "workforce",
)


#: (importer, private module of another package) pairs still allowed, with the reason
PRIVATE_REACH_ALLOWED: dict[tuple[str, str], str] = {}

#: cycles (as sorted module sets) still allowed, with the reason
CYCLES_ALLOWED: dict[frozenset[str], str] = {}

#: files over MAX_LINES lines still allowed, with the reason (paths under src/)
LONG_FILES_ALLOWED: dict[str, str] = {
    # not split by this branch (outside its piece); each has a natural seam
    "cxmetrics/support/_sla.py": "SLATargets and the per-ticket target computation",
    "cxmetrics/workforce/_forecast.py": "arrival profiles and baseline forecasts",
}


class Import(NamedTuple):
    """One ``import`` of a cxmetrics module, resolved to the modules it loads."""

    importer: str
    targets: tuple[str, ...]  # the modules named (``from p import m`` gives p.m)
    line: int
    module_level: bool  # False inside a function or under ``if TYPE_CHECKING:``
    in_function: bool
    comment: str  # the comment on the line or just above, if any


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(importer: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(name: str, path: Path) -> list[Import]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    out: list[Import] = []

    def visit(node: ast.AST, *, module_level: bool, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, module_level=False, in_function=True)
            elif isinstance(child, ast.If) and _is_type_checking(child):
                visit(child, module_level=False, in_function=in_function)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                if isinstance(child, ast.Import):
                    targets = [a.name for a in child.names]
                else:
                    base = _resolve(name, path, child)
                    subs = [f"{base}.{a.name}" for a in child.names]
                    targets = [s for s in subs if s in MODULES] or [base]
                targets = [t for t in targets if t.split(".")[0] == "cxmetrics"]
                if targets:
                    # the comment on the import line, or above its block of imports
                    text = lines[child.lineno - 1]
                    comment = text.partition("#")[2] if "#" in text else ""
                    k = child.lineno - 2
                    while k > 0 and lines[k].strip().startswith(("from ", "import ")):
                        k -= 1
                    above = lines[k].strip()
                    if above.startswith("#"):
                        comment = f"{above[1:]} {comment}"
                    out.append(
                        Import(
                            name,
                            tuple(targets),
                            child.lineno,
                            module_level,
                            in_function,
                            comment.strip(),
                        )
                    )
            else:
                visit(child, module_level=module_level, in_function=in_function)

    visit(ast.parse(source), module_level=True, in_function=False)
    return out


IMPORTS = [imp for name, path in MODULES.items() for imp in _imports(name, path)]


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_modules_found():
    assert "cxmetrics._core.validation" in MODULES
    assert len(IMPORTS) > 100


def test_core_imports_no_family():
    bad = [
        f"{imp.importer}:{imp.line} imports {target}"
        for imp in IMPORTS
        if _top(imp.importer) == "_core"
        for target in imp.targets
        if _top(target) in NOT_CORE
    ]
    assert not bad, "cxmetrics._core must know no family:\n" + "\n".join(bad)


def _private_reaches() -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for imp in IMPORTS:
        for target in imp.targets:
            parts = target.split(".")
            top = _top(target)
            if top in {_top(imp.importer), "_core"} or len(parts) < 3:
                continue
            if any(p.startswith("_") for p in parts[2:]):
                found.setdefault((imp.importer, target), imp.line)
    return found


def test_no_private_reach_into_another_package():
    found = _private_reaches()
    bad = [
        f"{a}:{line} imports {b}"
        for (a, b), line in sorted(found.items())
        if (a, b) not in PRIVATE_REACH_ALLOWED
    ]
    assert not bad, (
        "import public names from the package (or move shared private code into "
        "cxmetrics._core):\n" + "\n".join(bad)
    )


def test_private_reach_allow_list_is_current():
    stale = sorted(set(PRIVATE_REACH_ALLOWED) - set(_private_reaches()))
    assert not stale, f"fixed: remove from PRIVATE_REACH_ALLOWED: {stale}"


def _graph() -> dict[str, set[str]]:
    """Module-level import edges, with the packages each import initialises."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for imp in IMPORTS:
        if not imp.module_level:
            continue
        own = imp.importer.split(".")
        for target in imp.targets:
            parts = target.split(".")
            # importing a.b.c runs a.b/__init__ first, unless the importer lives in a.b
            for k in range(2, len(parts) + 1):
                module = ".".join(parts[:k])
                if own[:k] == parts[:k] and module != target:
                    continue
                if module in MODULES and module != imp.importer:
                    graph[imp.importer].add(module)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(frozenset(component))
    return out


def test_no_import_cycle():
    found = _cycles(_graph())
    bad = [sorted(c) for c in found if c not in CYCLES_ALLOWED]
    assert not bad, "module-level import cycles:\n" + "\n".join(map(str, bad))
    stale = [sorted(c) for c in CYCLES_ALLOWED if c not in found]
    assert not stale, f"fixed: remove from CYCLES_ALLOWED: {stale}"


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [frozenset({"a", "b", "c"})]


def test_function_level_imports_say_why():
    # an import inside a function hides a dependency: allowed (to load an optional or
    # heavy layer on first use, or to break a cycle) only with a comment saying why
    bad = [
        f"{imp.importer}:{imp.line} imports {', '.join(imp.targets)}"
        for imp in IMPORTS
        if imp.in_function
        and not imp.comment.replace("noqa: PLC0415", "").strip(" #()")
    ]
    assert not bad, "say why the import is inside the function:\n" + "\n".join(bad)


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=str)
def test_files_hold_one_idea(path):
    key = path.relative_to(SRC).as_posix()
    if key in LONG_FILES_ALLOWED:
        return
    n = _lines(path)
    assert n <= MAX_LINES, f"{key} has {n} lines (> {MAX_LINES}): split it by idea"


def test_long_file_allow_list_is_current():
    stale = [
        key
        for key in LONG_FILES_ALLOWED
        if not (SRC / key).exists() or _lines(SRC / key) <= MAX_LINES
    ]
    assert not stale, f"fixed: remove from LONG_FILES_ALLOWED: {stale}"
