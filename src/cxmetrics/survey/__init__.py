"""Survey scores: NPS (and eNPS), CSAT and CES, with intervals, weights and tests.

Examples
--------
>>> from cxmetrics import survey
>>> survey.nps([10, 9, 3]).value.__round__(2)
33.33
"""

from __future__ import annotations

from cxmetrics.survey._ces import (
    CESResult,
    CESState,
    GroupedCESResult,
    GroupedCESState,
    ces,
)
from cxmetrics.survey._compare import compare_ces, compare_csat, compare_nps
from cxmetrics.survey._csat import (
    CSATResult,
    CSATState,
    GroupedCSATResult,
    GroupedCSATState,
    csat,
)
from cxmetrics.survey._nps import (
    GroupedNPSResult,
    GroupedNPSState,
    NPSResult,
    NPSState,
    enps,
    nps,
)
from cxmetrics.survey._rating import GroupedRatingResult, RatingResult
from cxmetrics.survey._sample_size import nps_sample_size
from cxmetrics.survey._scheme import CESScheme, CSATScheme, NPSScheme

__all__ = [
    "CESResult",
    "CESScheme",
    "CESState",
    "CSATResult",
    "CSATScheme",
    "CSATState",
    "GroupedCESResult",
    "GroupedCESState",
    "GroupedCSATResult",
    "GroupedCSATState",
    "GroupedNPSResult",
    "GroupedNPSState",
    "GroupedRatingResult",
    "NPSResult",
    "NPSScheme",
    "NPSState",
    "RatingResult",
    "ces",
    "compare_ces",
    "compare_csat",
    "compare_nps",
    "csat",
    "enps",
    "nps",
    "nps_sample_size",
]
