"""Readers of the CDNOW reference files in ../shared/data/cdnow (see its README)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def sample_log(shared: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CDNOW_sample.txt: sample customer id, date (datetime64[D]) and dollar value."""
    raw = np.loadtxt(
        shared / "data" / "cdnow" / "CDNOW_sample.txt",
        dtype={
            "names": ("m", "c", "d", "n", "v"),
            "formats": ("i8", "i8", "U8", "i8", "f8"),
        },
    )
    dates = np.array(
        [f"{s[:4]}-{s[4:6]}-{s[6:]}" for s in raw["d"]], dtype="datetime64[D]"
    )
    return raw["c"], dates, raw["v"]


def summary(shared: Path, *, with_transactions: bool = False) -> dict[str, np.ndarray]:
    """A CDNOW calibration summary CSV as columns."""
    name = (
        "cdnow_customers_summary_with_transactions.csv"
        if with_transactions
        else "cdnow_customers_summary.csv"
    )
    path = shared / "data" / "cdnow" / name
    data = np.genfromtxt(path, delimiter=",", names=True)
    return {k: np.asarray(data[k], dtype=np.float64) for k in data.dtype.names}
