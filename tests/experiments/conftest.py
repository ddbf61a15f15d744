"""The fixture script runs in gbstats' own virtual environment, never under pytest."""

collect_ignore = ["make_gbstats_fixture.py"]
