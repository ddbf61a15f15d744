"""The examples of docs/metrics/survival.md are real output: run them."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "metrics" / "survival.md"


def test_survival_page_examples_run():
    pytest.importorskip("scipy.optimize")  # the sBG examples fit a model
    if not PAGE.is_file():
        pytest.skip(f"{PAGE} is absent")
    text = PAGE.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, PAGE.name, str(PAGE), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 20
    assert result.failed == 0
