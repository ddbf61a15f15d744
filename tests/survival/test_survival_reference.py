"""Kaplan-Meier, Nelson-Aalen and log-rank against published R output and lifelines.

R values: the ``aml`` data (Miller 1981, *Survival Analysis*; R's ``survival::aml``)
as printed in R survival's own regression test ``tests/doaml.Rout.save`` (therneau/
survival, ``summary(survfit(Surv(time, status) ~ x))`` and ``survdiff``), with R's
default ``conf.type="log"``. lifelines values are computed in the test from
lifelines 0.30 on its bundled Waltons and Rossi data (test-only dependency).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import cxmetrics as cx

# aml: maintained and non-maintained chemotherapy, weeks to relapse (0 = censored)
AML_MAINTAINED = (
    [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161],
    [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0],
)
AML_NONMAINTAINED = (
    [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
)

# summary(fit): time, n.risk, n.event, survival, std.err, lower 95% CI, upper 95% CI
R_MAINTAINED = [
    (9, 11, 1, 0.909, 0.0867, 0.7541, 1.000),
    (13, 10, 1, 0.818, 0.1163, 0.6192, 1.000),
    (18, 8, 1, 0.716, 0.1397, 0.4884, 1.000),
    (23, 7, 1, 0.614, 0.1526, 0.3769, 0.999),
    (31, 5, 1, 0.491, 0.1642, 0.2549, 0.946),
    (34, 4, 1, 0.368, 0.1627, 0.1549, 0.875),
    (48, 2, 1, 0.184, 0.1535, 0.0359, 0.944),
]
R_NONMAINTAINED = [
    (5, 12, 2, 0.8333, 0.1076, 0.6470, 1.000),
    (8, 10, 2, 0.6667, 0.1361, 0.4468, 0.995),
    (12, 8, 1, 0.5833, 0.1423, 0.3616, 0.941),
    (23, 6, 1, 0.4861, 0.1481, 0.2675, 0.883),
    (27, 5, 1, 0.3889, 0.1470, 0.1854, 0.816),
    (30, 4, 1, 0.2917, 0.1387, 0.1148, 0.741),
    (33, 3, 1, 0.1944, 0.1219, 0.0569, 0.664),
    (43, 2, 1, 0.0972, 0.0919, 0.0153, 0.620),
]


def _decimals(x: float) -> int:
    text = f"{x}"
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize(
    ("data", "table", "median", "lcl"),
    [
        (AML_MAINTAINED, R_MAINTAINED, 31.0, 18.0),
        (AML_NONMAINTAINED, R_NONMAINTAINED, 23.0, 8.0),
    ],
    ids=["maintained", "nonmaintained"],
)
def test_aml_matches_r_survfit(data, table, median, lcl):
    res = cx.kaplan_meier(*data)
    band = res.confidence_interval(method="log")
    rows = {t: i for i, t in enumerate(res.time.tolist())}
    for t, n_risk, n_event, surv, se, low, high in table:
        i = rows[t]
        assert (res.at_risk[i], res.events[i]) == (n_risk, n_event)
        for got, printed in (
            (res.survival[i], surv),
            (res.standard_error[i], se),
            (band.low[i], low),
            (band.high[i], high),
        ):
            assert round(float(got), _decimals(printed)) == pytest.approx(
                printed, abs=1e-12
            )
    # print(fit): median, 0.95LCL, 0.95UCL (NA: the upper band never reaches 0.5)
    assert res.median == median
    assert res.median_interval(method="log") == (lcl, math.inf)


def test_aml_curve_reaching_zero_like_r():
    # R prints survival 0, std.err NaN and NA limits at 45; we give SE NaN and the
    # band [0, 1] (infinite Greenwood variance), so the median's UCL stays "not
    # reached" as in R (lifelines' [0, 0] band would make it 45)
    res = cx.kaplan_meier(*AML_NONMAINTAINED)
    assert res.survival[-1] == 0.0
    assert math.isnan(res.standard_error[-1])
    band = res.confidence_interval(method="log")
    assert (band.low[-1], band.high[-1]) == (0.0, 1.0)


def test_aml_logrank_matches_r_survdiff():
    # survdiff: Observed 7 / 11, Expected 10.69 / 7.31, (O-E)^2/E 1.27 / 1.86,
    # (O-E)^2/V 3.40 / 3.40, Chisq = 3.4 on 1 degrees of freedom, p = 0.0653
    d = AML_MAINTAINED[0] + AML_NONMAINTAINED[0]
    e = AML_MAINTAINED[1] + AML_NONMAINTAINED[1]
    g = ["Maintained"] * 11 + ["Nonmaintained"] * 12
    res = cx.logrank_test(d, e, by=g)
    cols = res.to_dict()
    assert res.observed.tolist() == [7.0, 11.0]
    assert np.round(res.expected, 2).tolist() == [10.69, 7.31]
    assert np.round(cols["chisq_expected"], 2).tolist() == [1.27, 1.86]
    assert np.round(cols["chisq_variance"], 2).tolist() == [3.40, 3.40]
    assert round(res.statistic, 1) == 3.4
    assert round(res.pvalue, 4) == 0.0653
    assert res.df == 1


# ----------------------------------------------------------------- lifelines


@pytest.fixture(scope="module")
def lifelines():
    return pytest.importorskip("lifelines")


def _datasets(lifelines):
    from lifelines.datasets import load_rossi, load_waltons

    w = load_waltons()
    r = load_rossi()
    return [("waltons", w["T"], w["E"]), ("rossi", r["week"], r["arrest"])]


def test_kaplan_meier_matches_lifelines(lifelines):
    for _, t, e in _datasets(lifelines):
        kmf = lifelines.KaplanMeierFitter().fit(t, e)
        res = cx.kaplan_meier(t, e)
        table = kmf.event_table.loc[res.time]
        np.testing.assert_array_equal(res.at_risk, table["at_risk"].to_numpy())
        np.testing.assert_array_equal(res.events, table["observed"].to_numpy())
        np.testing.assert_array_equal(res.censored, table["censored"].to_numpy())
        np.testing.assert_allclose(
            res.survival,
            kmf.survival_function_.loc[res.time].to_numpy()[:, 0],
            rtol=1e-12,
            atol=1e-15,
        )
        # lifelines' band is the log-log ("exponential Greenwood") one
        ci = kmf.confidence_interval_.loc[res.time].to_numpy()
        band = res.confidence_interval()
        positive = res.survival > 0
        np.testing.assert_allclose(
            band.low[positive], ci[positive, 0], rtol=1e-10, atol=1e-14
        )
        np.testing.assert_allclose(
            band.high[positive], ci[positive, 1], rtol=1e-10, atol=1e-14
        )
        # where the curve is 0 lifelines reports [0, 0]; we report [0, 1]
        assert np.all(ci[~positive] == 0.0)
        assert np.all(band.high[~positive] == 1.0)
        assert res.median == kmf.median_survival_time_


def test_median_interval_matches_lifelines(lifelines):
    from lifelines.utils import median_survival_times

    for _, t, e in _datasets(lifelines):
        kmf = lifelines.KaplanMeierFitter().fit(t, e)
        res = cx.kaplan_meier(t, e)
        lo, hi = median_survival_times(kmf.confidence_interval_).to_numpy()[0]
        assert res.median_interval() == (lo, hi)


def test_restricted_mean_matches_lifelines(lifelines):
    from lifelines.utils import restricted_mean_survival_time

    for _, t, e in _datasets(lifelines):
        kmf = lifelines.KaplanMeierFitter().fit(t, e)
        res = cx.kaplan_meier(t, e)
        for tau in (5.0, 20.0, 41.5, 52.0, 80.0):
            expected = restricted_mean_survival_time(kmf, t=tau)
            assert res.restricted_mean(tau).value == pytest.approx(expected, rel=1e-12)


def test_late_entry_matches_lifelines(lifelines):
    rng = np.random.default_rng(20240601)
    compared = 0
    for _ in range(60):
        n = int(rng.integers(10, 80))
        d = rng.integers(1, 25, n).astype(float)
        en = np.where(rng.uniform(size=n) < 0.5, 0.0, np.floor(rng.uniform(size=n) * d))
        e = rng.uniform(size=n) < 0.7
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                kmf = lifelines.KaplanMeierFitter().fit(d, e, entry=en)
            except Exception:  # noqa: BLE001, S112  (lifelines refuses some risk sets)
                continue
        res = cx.kaplan_meier(d, e, entry=en)
        expected = kmf.survival_function_.loc[res.time].to_numpy()[:, 0]
        np.testing.assert_allclose(res.survival, expected, rtol=1e-12, atol=1e-15)
        compared += 1
    assert compared > 40


def test_median_rule_differs_from_lifelines_on_a_flat(lifelines):
    # S = 0.5 exactly between 2 and 3: R's quantile.survfit (and we) take the
    # midpoint 2.5; lifelines the first time S <= 0.5
    kmf = lifelines.KaplanMeierFitter().fit([1, 2, 3, 4])
    assert kmf.median_survival_time_ == 2.0
    assert cx.kaplan_meier([1, 2, 3, 4]).median == 2.5


def test_nelson_aalen_matches_lifelines(lifelines):
    for _, t, e in _datasets(lifelines):
        # lifelines' default smoothing is the Fleming-Harrington tie correction
        naf = lifelines.NelsonAalenFitter().fit(t, e)
        res = cx.nelson_aalen(t, e, ties="fleming-harrington")
        expected = naf.cumulative_hazard_.loc[res.time].to_numpy()[:, 0]
        np.testing.assert_allclose(res.cumulative_hazard, expected, rtol=1e-12)
        ci = naf.confidence_interval_.loc[res.time].to_numpy()
        band = res.confidence_interval()
        np.testing.assert_allclose(band.low, ci[:, 0], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(band.high, ci[:, 1], rtol=1e-10, atol=1e-14)
        # without smoothing lifelines uses d/n (our default); its variance is the
        # binomial sum d(n-d)/n^3, ours Aalen's d/n^2 as R
        naf = lifelines.NelsonAalenFitter(nelson_aalen_smoothing=False).fit(t, e)
        res = cx.nelson_aalen(t, e)
        expected = naf.cumulative_hazard_.loc[res.time].to_numpy()[:, 0]
        np.testing.assert_allclose(res.cumulative_hazard, expected, rtol=1e-12)


def test_logrank_matches_lifelines(lifelines):
    from lifelines.datasets import load_rossi, load_waltons
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    w = load_waltons()
    a, b = w[w.group == "miR-137"], w[w.group == "control"]
    expected = logrank_test(a["T"], b["T"], a["E"], b["E"])
    res = cx.logrank_test(w["T"], w["E"], by=w["group"])
    assert res.statistic == pytest.approx(expected.test_statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(expected.p_value, rel=1e-10)

    r = load_rossi()
    for column in ("fin", "race", "wexp", "prio"):
        groups = r[column].clip(upper=4)
        expected = multivariate_logrank_test(r["week"], groups, r["arrest"])
        res = cx.logrank_test(r["week"], r["arrest"], by=groups)
        assert res.df == expected.degrees_of_freedom
        assert res.statistic == pytest.approx(expected.test_statistic, rel=1e-10)
        assert res.pvalue == pytest.approx(expected.p_value, rel=1e-9)
