"""Customer lifetime value: RFM summaries, purchase models and formula CLV.

Examples
--------
>>> from cxmetrics import clv
>>> clv.rfm_summary([1, 1, 2], [0.0, 3.0, 1.0], observation_end=4.0).T.tolist()
[4.0, 3.0]
"""

from __future__ import annotations

from cxmetrics.clv._holdout import CalibrationHoldout, calibration_holdout
from cxmetrics.clv._rfm import RFMState, RFMSummary, rfm_summary
from cxmetrics.clv._segments import RFMScores, rfm_scores

__all__ = [
    "CalibrationHoldout",
    "RFMScores",
    "RFMState",
    "RFMSummary",
    "calibration_holdout",
    "rfm_scores",
    "rfm_summary",
]
