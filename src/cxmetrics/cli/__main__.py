"""``python -m cxmetrics.cli``: the same as the ``cxmetrics`` command."""

from __future__ import annotations

from cxmetrics.cli import main_exit

main_exit()
