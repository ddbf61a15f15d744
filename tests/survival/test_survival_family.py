"""`cxmetrics.survival` is its own family; its names stay where they were (issue #14)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cxmetrics as cx


@pytest.mark.parametrize("name", cx.survival.__all__)
def test_survival_names_are_the_same_objects_everywhere(name):
    obj = getattr(cx.survival, name)
    assert getattr(cx, name) is obj
    assert getattr(cx.retention, name) is obj
    assert name in cx.__all__
    assert name in cx.retention.__all__
    assert obj.__module__.startswith("cxmetrics.survival.")


def test_survival_imports_no_other_family_and_no_private_module_of_one():
    # the family stands on the core, numpy and the public names of cxmetrics.stats
    package = Path(cx.survival.__file__).parent
    allowed = ("cxmetrics._core.", "cxmetrics.survival.", "cxmetrics.exceptions")
    allowed_exact = {"cxmetrics.stats", "cxmetrics.typing"}
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "cxmetrics"
            ):
                module = node.module or ""
                assert module in allowed_exact or module.startswith(allowed), (
                    f"{path.name} imports {module}"
                )
