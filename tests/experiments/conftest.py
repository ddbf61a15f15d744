"""The fixture script runs in gbstats' own virtual environment, never under pytest."""

from __future__ import annotations

collect_ignore = ["make_gbstats_fixture.py"]
