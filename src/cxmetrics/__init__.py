"""cxmetrics: customer-experience KPIs with honest uncertainty and mergeable states.

Examples
--------
>>> import cxmetrics as cx
>>> res = cx.nps([10, 9, 8, 6, 10, 3])
>>> round(res.value, 1), res.n
(16.7, 6)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from cxmetrics import exceptions, stats, survey, typing
from cxmetrics.stats import (
    ConfidenceInterval,
    ConfidenceIntervalArray,
    DifferenceResult,
    nps_sample_size,
    proportion_sample_size,
)
from cxmetrics.survey import (
    CESResult,
    CESScheme,
    CESState,
    CSATResult,
    CSATScheme,
    CSATState,
    GroupedCESResult,
    GroupedCESState,
    GroupedCSATResult,
    GroupedCSATState,
    GroupedNPSResult,
    GroupedNPSState,
    NPSResult,
    NPSScheme,
    NPSState,
    ces,
    compare_ces,
    compare_csat,
    compare_nps,
    csat,
    enps,
    nps,
)

try:
    __version__ = version("cxmetrics")
except PackageNotFoundError:  # pragma: no cover  (running from a source tree)
    __version__ = "0+unknown"

__all__ = [
    "CESResult",
    "CESScheme",
    "CESState",
    "CSATResult",
    "CSATScheme",
    "CSATState",
    "ConfidenceInterval",
    "ConfidenceIntervalArray",
    "DifferenceResult",
    "GroupedCESResult",
    "GroupedCESState",
    "GroupedCSATResult",
    "GroupedCSATState",
    "GroupedNPSResult",
    "GroupedNPSState",
    "NPSResult",
    "NPSScheme",
    "NPSState",
    "__version__",
    "ces",
    "compare_ces",
    "compare_csat",
    "compare_nps",
    "csat",
    "enps",
    "exceptions",
    "nps",
    "nps_sample_size",
    "proportion_sample_size",
    "stats",
    "survey",
    "typing",
]
