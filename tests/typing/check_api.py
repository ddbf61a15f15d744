"""Usage that mypy must accept; checked by mypy, never executed."""

from __future__ import annotations

from typing import assert_type

import numpy as np
from numpy.typing import NDArray

import cxmetrics as cx

res = cx.nps([10, 9, 3])
assert_type(res, cx.NPSResult)
assert_type(res.value, float)
lo, hi = res.confidence_interval(0.9, method="score")
assert_type(lo, float)
grouped = cx.nps([10, 9, 3], by=["a", "b", "a"])
assert_type(grouped, cx.GroupedNPSResult)
assert_type(grouped.value, NDArray[np.float64])
total = cx.NPSState.empty() + cx.NPSState.from_responses([10, 0])
assert_type(total.compute(), cx.NPSResult)
assert_type(cx.csat([5, 4]), cx.CSATResult)
assert_type(cx.ces([5, 4], by=[1, 2]), cx.GroupedCESResult)
assert_type(cx.compare_nps([10], [9]), cx.DifferenceResult)
assert_type(
    cx.CSATScheme.from_labels(["Bad", "OK", "Good"], satisfied_min=3), cx.CSATScheme
)
assert_type(
    cx.nps([" 9 ", "10 - Extremely likely"], scheme=cx.NPSScheme(labels={"Top": 10})),
    cx.NPSResult,
)
assert_type(cx.nps_sample_size(5), int)
km = cx.kaplan_meier([3, 5, 8], [1, 0, 1])
assert_type(km, cx.KaplanMeierResult)
assert_type(km.survival_at(4.0), float)
assert_type(km.survival_at([4.0, 6.0]), NDArray[np.float64])
assert_type(km.median, float)
assert_type(km.restricted_mean(6.0), cx.RestrictedMeanResult)
assert_type(cx.SurvivalState.from_durations([3.0]).compute(), cx.KaplanMeierResult)
assert_type(cx.logrank_test([1, 2], by=["a", "b"]).pvalue, float)
assert_type(cx.nelson_aalen([1, 2], ties="fleming-harrington"), cx.NelsonAalenResult)
assert_type(cx.kaplan_meier([3, 5], by=["a", "b"]), cx.GroupedKaplanMeierResult)
assert_type(cx.kaplan_meier([3, 5], by=["a", "b"]).logrank(), cx.LogrankResult)
assert_type(cx.nelson_aalen([3, 5], by=["a", "b"]), cx.GroupedNelsonAalenResult)
open_end = np.array(["NaT"], dtype="datetime64[D]")
assert_type(
    cx.churn_by_period(["a"], ["2024-01-01"], open_end, as_of="2024-03-01"),
    cx.GroupedChurnResult,
)
assert_type(cx.sbg([1000, 869, 743]), cx.SBGResult)
assert_type(cx.SBGModel(0.7, 1.2).survival(3), float)
assert_type(cx.erlang_c(10.0, 14), float)
assert_type(cx.erlang_b([10.0, 20.0], [12, 25]), NDArray[np.float64])
assert_type(cx.queue_metrics(10.0, 14, aht=180, threshold=20), cx.QueueMetrics)
assert_type(
    cx.queue_metrics(10.0, [13, 14], aht=180, threshold=20), cx.QueueMetricsArray
)
staffing = cx.agents_required(10.0, aht=180, target_service_level=0.8, threshold=20)
assert_type(staffing, cx.StaffingResult)
assert_type(staffing.agents, int)
assert_type(
    cx.agents_required([5.0, 10.0], aht=180, target_service_level=0.8, threshold=20),
    cx.StaffingResultArray,
)
assert_type(cx.contact_metrics([5, 30], [False, True]), cx.ContactResult)
assert_type(
    cx.contact_metrics([5, 30], [False, True], by=["a", "b"]), cx.GroupedContactResult
)
assert_type(cx.ContactState.empty().compute(), cx.ContactResult)

cal = cx.BusinessCalendar("Europe/Berlin")
span = np.array(["2024-01-08T09:00"], dtype="datetime64[s]")
assert_type(cal.business_seconds(span, span), NDArray[np.float64])
assert_type(cal.deadline(span, 60.0), NDArray[np.datetime64])
log = cx.TicketLog.from_arrays([1], span, ["solved"])
policy = cx.SLAPolicy({"p1": {"resolution": 3600}})
assert_type(cx.sla_targets(log, policy, priority=["p1"]), cx.SLATargets)
assert_type(cx.sla_compliance(log, policy, priority=["p1"]), cx.SLAComplianceResult)
assert_type(
    cx.sla_compliance(log, policy, priority=["p1"], by=["a"]),
    cx.GroupedSLAComplianceResult,
)
assert_type(cx.ticket_timings(log), cx.TicketTimings)
assert_type(cx.sla_compliance(log, due=span), cx.SLAComplianceResult)
assert_type(
    cx.sla_compliance(log, target={"resolution": [3600.0]}, by=["a"]),
    cx.GroupedSLAComplianceResult,
)
assert_type(cx.SLAComplianceState.empty().compute(), cx.SLAComplianceResult)
rfm = cx.rfm_summary([1, 1, 2], [0.0, 3.0, 1.0])
assert_type(rfm, cx.RFMSummary)
assert_type(rfm.frequency, NDArray[np.float64])
assert_type(
    cx.RFMState.empty() + cx.RFMState.from_transactions([1], [0.0]), cx.RFMState
)
assert_type(cx.bgnbd(rfm), cx.BGNBDResult)
assert_type(cx.bgnbd(rfm).log_likelihood, float)
assert_type(cx.pareto_nbd([0, 1], [0, 1.0], [2.0, 2.0]), cx.ParetoNBDResult)
assert_type(cx.gamma_gamma([1, 2], [3.0, 4.0]), cx.GammaGammaResult)
assert_type(cx.bgbb([0, 1], [0, 1], [2, 2]), cx.BGBBResult)
assert_type(cx.clv_retention(10.0, retention=0.8), cx.CLVResult)
tours = cx.shift_patterns(0, 1, periods_per_day=1, days=7, days_on=5)
assert_type(tours, cx.ShiftPatterns)
assert_type(cx.schedule_shifts([1] * 7, tours), cx.ShiftSchedule)
assert_type(cx.estimate_patience([1.0], [True]), cx.PatienceResult)
assert_type(cx.estimate_patience([1.0], [True], by=["q"]), cx.GroupedPatienceResult)
assert_type(cx.adherence(["a"], ["a"]), cx.AdherenceResult)
assert_type(cx.adherence(["a"], ["a"], by=[1]), cx.GroupedAdherenceResult)
assert_type(cx.forecast_accuracy([1.0], [1.0]), cx.ForecastAccuracy)
assert_type(
    cx.PatienceState.from_waits([1.0], [True])
    + cx.PatienceState.from_waits([2.0], [False]),
    cx.PatienceState,
)
agreement = cx.krippendorff_alpha([[1, 2], [2, 2]], level="ordinal", n_resamples=0)
assert_type(agreement, cx.AgreementResult)
assert_type(agreement.value, float)
assert_type(cx.cohens_kappa([1, 2], [1, 1], weighting="linear"), cx.AgreementResult)
assert_type(cx.fleiss_kappa([[1, 2], [2, 2]]), cx.AgreementResult)
chart = cx.p_chart([1, 2], [10, 10], rules="nelson")
assert_type(chart, cx.ControlChartResult)
assert_type(chart.signal, NDArray[np.bool_])
assert_type(cx.u_chart([1, 2], [10.0, 10.0]), cx.ControlChartResult)
assert_type(cx.i_mr_chart([1.0, 2.0]).individuals, cx.ControlChartResult)
assert_type(cx.shrink_rates([1, 2], [3, 4]), cx.ShrinkageResult)
assert_type(cx.james_stein([1.0, 2.0, 3.0, 4.0], 0.5).value, NDArray[np.float64])
assert_type(
    cx.key_drivers([1.0, 2.0], {"a": [1, 2]}, model="linear"), cx.KeyDriverResult
)
assert_type(cx.qa_scores([[1, 1]], [1, 1]), cx.QAScoreResult)
assert_type(cx.net_sentiment(["positive"]), cx.NPSResult)
assert_type(cx.net_sentiment(["positive"], by=["a"]), cx.GroupedNPSResult)
assert_type(cx.sentiment_scores(["ok"], lambda t: [0.0] * len(t)), NDArray[np.float64])
assert_type(cx.sentiment_crosstab(["positive"], [10]), cx.SentimentCrosstab)
assert_type(cx.p_chart(cx.csat([5, 4], by=["a", "b"])), cx.ControlChartResult)
