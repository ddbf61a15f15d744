"""Experiment sums from the survey family's grouped states (keyed by arm).

A grouped survey state holds, per group, the count of answers at each scale point:
exactly what the per-arm sums of a recoded answer need. NPS recodes each point to
+1/0/-1 (``kind='nps'``), CSAT to the satisfied flag (``'proportion'``), CES keeps
the scale value (``'mean'``, the CES mean) or the "easy" flag (``'proportion'``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.survey import GroupedCESState, GroupedCSATState, GroupedNPSState

__all__ = ["survey_sums"]


def survey_sums(state: object, definition: str) -> tuple[str, dict[str, Any]]:
    """``kind`` and the constructor fields of an ExperimentState from a grouped survey state."""
    check_option("definition", definition, ("mean", "share"))
    if not isinstance(state, GroupedNPSState | GroupedCSATState | GroupedCESState):
        msg = (
            "`state` must be a GroupedNPSState, GroupedCSATState or GroupedCESState "
            f"grouped by arm; got {type(state).__name__}."
        )
        raise InvalidInputTypeError(msg)
    if state.weight_sums is not None:
        msg = (
            "`state` is weighted: an experiment compares randomised units, so build "
            "the survey state without weights."
        )
        raise InvalidInputError(msg)
    sch: Any = state.scheme
    points = np.arange(sch.low, sch.high + 1, dtype=np.float64)
    if isinstance(state, GroupedNPSState):
        kind = "nps"
        code = np.where(
            points >= sch.promoter_min,
            1.0,
            np.where(points <= sch.detractor_max, -1.0, 0.0),
        )
    elif isinstance(state, GroupedCSATState):
        kind = "proportion"
        code = (points >= sch.satisfied_min).astype(np.float64)
    elif definition == "share":
        kind = "proportion"
        code = ((points >= sch.easy_min) & (points <= sch.easy_max)).astype(np.float64)
    else:
        kind = "mean"
        code = points
    counts: NDArray[np.float64] = state.counts.astype(np.float64)
    sums = counts @ code
    products = counts @ (code * code)
    return kind, {
        "covariate": False,
        "keys": state.keys,
        "count": state.counts.sum(axis=1),
        "n_missing": state.n_missing,
        "sums": sums[:, None],
        "products": products[:, None, None],
    }
