"""Why customers feel what they feel: key drivers, control charts, shrinkage, QA agreement.

Examples
--------
>>> from cxmetrics import voice
>>> round(voice.cohens_kappa([1, 1, 2, 2], [1, 1, 2, 1], n_resamples=0).value, 2)
0.5
"""

from __future__ import annotations

from cxmetrics.voice._agreement import AgreementResult
from cxmetrics.voice._alpha import krippendorff_alpha
from cxmetrics.voice._chart import ControlChartResult, IMRChartResult
from cxmetrics.voice._drivers import KeyDriverResult, key_drivers
from cxmetrics.voice._kappa import cohens_kappa, fleiss_kappa
from cxmetrics.voice._qa import QAScoreResult, qa_scores
from cxmetrics.voice._sentiment import (
    SentimentCrosstab,
    net_sentiment,
    sentiment_crosstab,
    sentiment_scores,
)
from cxmetrics.voice._shrinkage import ShrinkageResult, james_stein, shrink_rates
from cxmetrics.voice._spc import i_mr_chart, p_chart, u_chart

__all__ = [
    "AgreementResult",
    "ControlChartResult",
    "IMRChartResult",
    "KeyDriverResult",
    "QAScoreResult",
    "SentimentCrosstab",
    "ShrinkageResult",
    "cohens_kappa",
    "fleiss_kappa",
    "i_mr_chart",
    "james_stein",
    "key_drivers",
    "krippendorff_alpha",
    "net_sentiment",
    "p_chart",
    "qa_scores",
    "sentiment_crosstab",
    "sentiment_scores",
    "shrink_rates",
    "u_chart",
]
