"""The documentation site (mkdocs.yml) covers the whole public API.

`make docs` checks that every page and cross-reference resolves; these tests check
that nothing public is left out of it, and run without MkDocs installed.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import cxmetrics as cx

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MKDOCS = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
PUBLIC_MODULES = sorted(
    [n for n in cx.__all__ if inspect.ismodule(getattr(cx, n))] + ["datasets"]
)


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_module_has_a_reference_page_in_the_nav(module):
    page = DOCS / "reference" / f"{module}.md"
    assert page.exists(), f"add docs/reference/{module}.md"
    assert re.search(rf"^::: cxmetrics\.{module}$", page.read_text(), re.MULTILINE)
    assert f"reference/{module}.md" in MKDOCS


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in cx.__all__
        if n != "__version__" and not inspect.ismodule(getattr(cx, n))
    ],
)
def test_every_top_level_name_is_linked_from_the_reference_index(name):
    index = (DOCS / "reference" / "index.md").read_text(encoding="utf-8")
    module = getattr(cx, name).__module__.split(".")[1]
    assert f"[`{name}`][cxmetrics.{module}.{name}]" in index


@pytest.mark.parametrize("page", sorted((DOCS / "metrics").glob("*.md")), ids=str)
def test_every_family_page_is_in_the_nav(page):
    assert f"metrics/{page.name}" in MKDOCS
