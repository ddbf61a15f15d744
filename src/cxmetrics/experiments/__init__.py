"""Experiments on any CX KPI: lift, CUPED, sample-ratio checks, sequential tests, power.

A treatment (a new IVR menu, a chatbot, a callback option) against a control, judged
by a mean (CES, handle time), a proportion (FCR, conversion), NPS or a ratio metric;
absolute or relative lift, CUPED variance reduction, always-valid sequential tests,
sample sizes and multiple-testing adjustments. States merge across days and files.

Examples
--------
>>> import cxmetrics as cx
>>> fcr = [1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1]
>>> arm = ["control"] * 6 + ["callback"] * 6
>>> res = cx.experiment(fcr, arm, control="control", kind="proportion")
>>> lift = res["callback"]
>>> round(lift.value, 4), lift.n_arm, lift.n_control
(0.1667, 6, 6)
"""

from __future__ import annotations

from cxmetrics.experiments._experiment import experiment
from cxmetrics.experiments._multiple import adjust_pvalues
from cxmetrics.experiments._power import (
    PowerResult,
    minimum_detectable_effect,
    sample_size,
)
from cxmetrics.experiments._result import ExperimentResult, LiftResult
from cxmetrics.experiments._srm import SRMResult, sample_ratio_mismatch
from cxmetrics.experiments._state import ExperimentState

__all__ = [
    "ExperimentResult",
    "ExperimentState",
    "LiftResult",
    "PowerResult",
    "SRMResult",
    "adjust_pvalues",
    "experiment",
    "minimum_detectable_effect",
    "sample_ratio_mismatch",
    "sample_size",
]
