from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# shared strategies and oracles live beside this file (tests/strategies.py, reference.py)
sys.path.insert(0, str(Path(__file__).resolve().parent))

settings.register_profile("dev", max_examples=100)
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=5_000, deadline=None)
settings.load_profile(os.environ.get("CXMETRICS_HYPOTHESIS_PROFILE", "dev"))

#: ../shared beside the repository holds public reference data (not copied here)
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"reference data folder {SHARED} is absent")
    return SHARED


# tests/typing/ is checked by mypy, never executed (--doctest-modules would import it)
collect_ignore_glob = ["typing/*"]


@pytest.fixture(autouse=True, scope="session")
def _fresh_caches() -> None:
    """Start every test session with empty library caches.

    mutmut forks each mutant's session from a process that has already run the
    tests once: a business-time timeline cached there would hide a mutant in the
    code that builds it.
    """
    from cxmetrics.support._timeline import _expand

    _expand.cache_clear()
