"""The examples of docs/metrics/retention.md run and print what the page says."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "metrics" / "retention.md"


def test_retention_page_examples():
    if not PAGE.is_file():  # pragma: no cover  (an installed package without docs)
        pytest.skip(f"{PAGE} is absent")
    pytest.importorskip(
        "pandas", reason="the page reads a subscription export with pandas"
    )
    result = doctest.testfile(
        str(PAGE),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert result.attempted > 40
    assert result.failed == 0
