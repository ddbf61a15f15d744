"""Customer lifetime value: RFM summaries, purchase and spend models, formula CLV.

Examples
--------
>>> from cxmetrics import clv
>>> clv.rfm_summary([1, 1, 2], [0.0, 3.0, 1.0], observation_end=4.0).T.tolist()
[4.0, 3.0]
"""

from __future__ import annotations

from cxmetrics.clv._bgbb import BGBBModel, BGBBResult, bgbb
from cxmetrics.clv._bgnbd import BGNBDModel, BGNBDResult, bgnbd
from cxmetrics.clv._formula import (
    CLVResult,
    clv_from_survival,
    clv_retention,
    clv_simple,
)
from cxmetrics.clv._gamma_gamma import GammaGammaModel, GammaGammaResult, gamma_gamma
from cxmetrics.clv._holdout import CalibrationHoldout, calibration_holdout
from cxmetrics.clv._pareto_nbd import ParetoNBDModel, ParetoNBDResult, pareto_nbd
from cxmetrics.clv._rfm import RFMState, RFMSummary, rfm_summary
from cxmetrics.clv._segments import RFMScores, rfm_scores

__all__ = [
    "BGBBModel",
    "BGBBResult",
    "BGNBDModel",
    "BGNBDResult",
    "CLVResult",
    "CalibrationHoldout",
    "GammaGammaModel",
    "GammaGammaResult",
    "ParetoNBDModel",
    "ParetoNBDResult",
    "RFMScores",
    "RFMState",
    "RFMSummary",
    "bgbb",
    "bgnbd",
    "calibration_holdout",
    "clv_from_survival",
    "clv_retention",
    "clv_simple",
    "gamma_gamma",
    "pareto_nbd",
    "rfm_scores",
    "rfm_summary",
]
