"""``python -m cxmetrics``: the same as the ``cxmetrics`` command."""

from __future__ import annotations

from cxmetrics.cli import main_exit

if __name__ == "__main__":
    main_exit()
