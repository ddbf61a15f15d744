"""One regression test per case of issue #20 fixed on this branch (items 3-16).

Each test names the item. Limits are tested by their up-front refusal (an input
just past the limit is refused at once) or with small-but-large-enough inputs,
never by timing.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    CXMetricsError,
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)

UTC = dt.UTC


def _log(ids=("T-1", "T-1"), status=("new", "solved")):
    t = np.array(["2024-01-08T09:00", "2024-01-08T11:00"], dtype="datetime64[s]")
    return cx.TicketLog.from_arrays(list(ids), t[: len(ids)], list(status))


# item 3: int64 sums from data -------------------------------------------------------


def test_item3_cohort_revenue_that_would_overflow_is_refused():
    with pytest.raises(InvalidInputError, match="int64"):
        cx.cohort_matrix(
            ["a", "b"],
            ["2024-01-01", "2024-01-02"],
            amount=np.array([2**62, 2**62]),
            minor_units=1,
        )


def test_item3_revenue_matrix_that_would_overflow_is_refused():
    with pytest.raises(InvalidInputError, match="int64"):
        cx.RevenueMatrix.from_array(
            np.array([[2**62, 2**62]], dtype=np.int64), minor_units=1
        )


def test_item3_churn_counts_whose_total_overflows_are_refused():
    with pytest.raises(InvalidInputError, match="int64"):
        cx.churn_rate(2**62, 2**62, joined=2**62)
    assert cx.churn_rate(2**61, 2**62, joined=2**61).value == 0.5


# item 5: naive and aware datetimes across arguments -------------------------------


def test_item5_clv_refuses_aware_instants_with_a_naive_end():
    aware = [dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 5, tzinfo=UTC)]
    with pytest.raises(InvalidInputError, match="naive"):
        cx.rfm_summary(["a", "b"], aware, observation_end=dt.datetime(2024, 3, 1))
    naive = np.array(["2024-01-01", "2024-01-05"], dtype="datetime64[D]")
    with pytest.raises(InvalidInputError, match="naive"):
        cx.rfm_summary(
            ["a", "b"], naive, observation_end=dt.datetime(2024, 3, 1, tzinfo=UTC)
        )
    with pytest.raises(InvalidInputError, match="naive"):
        cx.calibration_holdout(
            ["a", "b"],
            aware,
            calibration_end=dt.datetime(2024, 1, 3),
            observation_end=dt.datetime(2024, 3, 1),
        )


def test_item5_support_refuses_a_naive_as_of():
    log = _log(status=("new", "open"))
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        cx.ticket_timings(log, as_of=dt.datetime(2024, 1, 9))
    # an aware as_of is the same instant as numpy UTC datetime64
    r = cx.ticket_timings(log, as_of=dt.datetime(2024, 1, 9, tzinfo=UTC))
    assert r.n_tickets == 1 if hasattr(r, "n_tickets") else True


# item 7: ids, levels, flags, confidence_level ---------------------------------------


def test_item7_ticket_ids_1_and_text_1_are_not_merged():
    t = np.array(["2024-01-01T00:00", "2024-01-01T01:00"], dtype="datetime64[s]")
    with pytest.raises(InvalidInputTypeError, match="mixes text and numeric"):
        cx.TicketLog.from_arrays([1, "1"], t, ["new", "solved"])


@pytest.mark.parametrize(
    "call",
    [
        lambda: cx.nps([10, 9, 3], levels=["a"]),
        lambda: cx.enps([10, 9, 3], levels=["a"]),
        lambda: cx.csat([5, 4], levels=["a"]),
        lambda: cx.ces([5, 4], levels=["a"]),
        lambda: cx.contact_metrics([5, 30], [False, True], levels=["a"]),
    ],
)
def test_item7_levels_without_by_is_refused(call):
    with pytest.raises(InvalidInputError, match=r"`levels`.*`by`"):
        call()


@pytest.mark.parametrize("flag", ["no", "yes", 1, None, "False"])
def test_item7_flags_are_not_read_by_truthiness(flag):
    with pytest.raises(InvalidInputTypeError, match="initial_margin"):
        cx.clv_from_survival(1.0, [0.5], initial_margin=flag)
    with pytest.raises(InvalidInputTypeError, match="paired"):
        cx.compare_nps([10, 9], [3, 4], paired=flag)


@pytest.mark.parametrize(
    "call",
    [
        lambda level: cx.nps([10, 9, 3]).confidence_interval(level),
        lambda level: cx.csat([5, 4, 1]).confidence_interval(level),
        lambda level: cx.ces([5, 4, 1]).confidence_interval(level),
        lambda level: cx.stats.proportion_interval(3, 10, level),
        lambda level: cx.stats.net_score_interval(5, 2, 10, level),
        lambda level: cx.stats.rate_interval(3, 10.0, level),
        cx.stats.critical_value,
        lambda level: cx.stats.proportion_sample_size(0.05, confidence_level=level),
        lambda level: cx.churn_rate(3, 10).confidence_interval(level),
    ],
)
def test_item7_a_text_confidence_level_is_refused_everywhere(call):
    with pytest.raises(InvalidInputTypeError, match="confidence_level"):
        call("0.9")
    call(0.9)  # the number is fine


def test_item14_an_invalid_bootstrap_rng_names_the_argument():
    for bad in ("x", -1, 1.5, object()):
        with pytest.raises(CXMetricsError, match="`rng`"):
            cx.stats.net_score_interval(5, 2, 10, method="bootstrap", rng=bad)


# item 8: NaN warns, no RuntimeWarning leaks -----------------------------------------


def test_item8_duration_summary_of_nothing_warns():
    with pytest.warns(UndefinedMetricWarning, match="duration_summary"):
        s = cx.duration_summary([])
    assert math.isnan(float(s.mean[0]))


def test_item8_huge_clv_inputs_are_refused_not_overflowed():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError, match="overflows"):
            cx.clv_simple(1e308, 2.0, 0.5, 3.0)
        with pytest.raises(InvalidInputError, match="overflows"):
            cx.clv_retention(1e308, retention=0.99, discount_rate=0.0, periods=None)
        with pytest.raises(InvalidInputError, match="monetary_value"):
            cx.gamma_gamma([1, 2, 3, 1, 4], [10, 12, 8, 1e308, 9])


# item 11: no ZeroDivisionError / OverflowError --------------------------------------


@pytest.mark.parametrize("margin", [1e-170, 1e-300, 5e-324])
@pytest.mark.parametrize("method", ["wald", "wilson", "agresti_coull"])
def test_item11_tiny_margins_are_refused_clearly(margin, method):
    with pytest.raises(InvalidInputError, match="too small"):
        cx.stats.proportion_sample_size(margin, method=method)
    with pytest.raises(InvalidInputError, match="too small"):
        cx.stats.nps_sample_size(margin)


def test_item11_small_margins_still_give_exact_sizes():
    # z**2 p (1 - p) / E**2 at E = 1e-10: a Python int far past 2**53
    z = pytest.importorskip("scipy.stats").norm.isf(0.025)
    n = cx.stats.proportion_sample_size(1e-10)
    assert n == pytest.approx(z * z * 0.25 / 1e-20, rel=1e-12)


def test_item11_churn_counts_past_int64_are_refused():
    with pytest.raises(InvalidInputError, match="`churned` must be <="):
        cx.churn_rate(10**30, 10**31)


# item 13: limits checked before any work ------------------------------------------


@pytest.mark.parametrize("agents", [10**7, 2**63, 1e308])
def test_item13_erlang_agents_past_the_limit_are_refused_at_once(agents):
    from cxmetrics.staffing._erlang import MAX_AGENTS

    assert agents > MAX_AGENTS
    with pytest.raises(InvalidInputError, match="at most"):
        cx.erlang_b(5.0, agents)
    with pytest.raises(InvalidInputError, match="at most"):
        cx.erlang_c(5.0, agents)
    with pytest.raises(InvalidInputError, match="at most"):
        cx.queue_metrics(5.0, agents, aht=180, threshold=20)


def test_item13_erlang_b_with_many_agents_uses_the_closed_form():
    # 50,000 agents: above the recursion cut-off, so the windowed closed form;
    # it agrees with the recursion (run here on a smaller problem too)
    a = np.array([45_000.0, 50_000.0, 55_000.0])
    b = cx.erlang_b(a, 50_000)
    # Erlang B is the Poisson pmf over the cdf (scipy as the reference)
    stats = pytest.importorskip("scipy.stats")
    ref = stats.poisson.pmf(50_000, a) / stats.poisson.cdf(50_000, a)
    np.testing.assert_allclose(b, ref, rtol=1e-9)


def test_item13_agents_required_refuses_tiny_occupancy_and_huge_traffic():
    with pytest.raises(InvalidInputError, match="max_occupancy"):
        cx.agents_required(
            100.0, aht=180, target_service_level=0.8, threshold=20, max_occupancy=1e-9
        )
    with pytest.raises(InvalidInputError, match="traffic"):
        cx.agents_required(1e308, aht=180, target_service_level=0.8, threshold=20)


def test_item13_erlang_a_with_endless_patience_is_refused_where_it_would_not_end():
    with pytest.raises(InvalidInputError, match="patience"):
        cx.agents_required(
            5.0,
            aht=180,
            target_service_level=0.8,
            threshold=20,
            model="erlang_a",
            patience=1e12,
        )
    # with more agents than Erlangs the sums are short: still answered
    r = cx.queue_metrics(5.0, 8, aht=180, threshold=20, model="erlang_a", patience=1e12)
    c = cx.queue_metrics(5.0, 8, aht=180, threshold=20)
    assert r.service_level == pytest.approx(c.service_level, rel=1e-5)


def test_item13_chi_square_with_huge_df_is_refused_and_large_df_is_exact():
    with pytest.raises(InvalidInputError, match="`df` must be <="):
        cx.stats.chi_square_pvalue(5, 10**9)
    for df in (2, 3, 1001, 100_000, 100_001):
        for x in (0.5 * df, df, df + 5 * math.sqrt(df)):
            got = float(cx.stats.chi_square_pvalue(x, df))
            assert got == pytest.approx(
                pytest.importorskip("scipy.stats").chi2.sf(x, df), rel=1e-10
            )


def test_item13_log_rank_and_grouped_tables_have_documented_limits():
    d = np.arange(2002, dtype=float) % 7 + 1
    with pytest.raises(InvalidInputError, match="at most 1000 groups"):
        cx.logrank_test(d, by=np.arange(2002) % 1001)
    with pytest.raises(InvalidInputError, match="cells"):
        cx.kaplan_meier(np.arange(20_000) / 7.0, by=np.arange(20_000) % 1000)


def test_item13_a_scale_of_a_billion_points_is_refused():
    with pytest.raises(InvalidInputError, match="at most 1001 points"):
        cx.NPSScheme(high=10**9)


# item 14: wrong object types ----------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: cx.ticket_timings("log"),
        lambda: cx.reopen_rate(None),
        lambda: cx.ticket_timings(_log(), calendar="weekdays"),
        lambda: cx.next_reply_times(_log(), calendar=42),
    ],
)
def test_item14_a_wrong_object_names_the_argument(call):
    with pytest.raises(InvalidInputTypeError, match=r"`(log|calendar)` must be a"):
        call()


def test_item14_shape_mismatches_in_formula_clv():
    with pytest.raises(InvalidInputError, match="broadcast"):
        cx.clv_simple([1.0, 2.0], [1.0, 2.0, 3.0], 0.5, 3.0)
    with pytest.raises(InvalidInputError, match="broadcast"):
        cx.clv_retention([1.0, 2.0], retention=[0.5, 0.4, 0.3])
    with pytest.raises(InvalidInputError, match="single number"):
        cx.clv_from_survival(1.0, [0.5], discount_rate=[])
    with pytest.raises(InvalidInputError, match="single number"):
        cx.convert_churn_rate(0.5, [1.0, 2.0])


def test_item14_options_given_as_arrays_are_refused():
    with pytest.raises(InvalidInputError, match="`method`"):
        cx.stats.proportion_interval(3, 10, method=np.array(["wilson", "wald"]))


# item 16: valid input accepted ---------------------------------------------------------


def test_item16_an_empty_ticket_export_is_accepted():
    log = cx.TicketLog.from_arrays([], [], [])
    assert log.n_events == 0
    with pytest.warns(UndefinedMetricWarning):
        r = cx.reopen_rate(log)
    assert r.n == 0


@given(st.lists(st.integers(0, 10), max_size=30))
def test_item4_every_survey_state_round_trips_and_is_valid(answers):
    s = cx.NPSState.from_responses(answers)
    assert cx.NPSState.from_dict(s.to_dict()) == s


def test_item16_the_empty_revenue_matrix_is_the_identity_of_any_matrix():
    quarterly = cx.RevenueMatrix.from_array([[1, 2], [3, 4]], minor_units=1)
    assert quarterly.freq is None
    assert quarterly + cx.RevenueMatrix.empty() == quarterly
    assert cx.RevenueMatrix.empty() + quarterly == quarterly
    assert sum([quarterly], cx.RevenueMatrix.empty()) == quarterly


def test_item8_a_mean_interval_on_one_answer_warns():
    with pytest.warns(UndefinedMetricWarning, match="single answer"):
        low, _ = cx.ces([5]).confidence_interval()
    assert math.isnan(low)


def test_item13_bgbb_with_a_million_periods_is_refused_before_fitting():
    with pytest.raises(InvalidInputError, match="BG/BB likelihood needs"):
        cx.bgbb([1, 2, 0], [3, 5, 0], [10**6, 10**6, 10**6])


def test_item13_pareto_nbd_on_extreme_spans_ends():
    pytest.importorskip("scipy", reason="the fit needs the models extra (scipy)")
    # once a hypergeometric series that ran to 4 million terms per entry; now the
    # fallback stops early and the fit ends (converged or with a warning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.exceptions.ConvergenceWarning)
        fit = cx.pareto_nbd([1000, 1, 0], [9e4, 10, 0], [1e5, 1e5, 1e5])
    assert fit.n == 3


@pytest.mark.parametrize(
    ("alpha", "beta"),
    [(1e300, 1e-300), (1e-300, 1e300), (1e-300, 1e-300), (1e300, 1e300)],
)
def test_item8_sbg_extreme_parameters_leak_no_numpy_warning(alpha, beta):
    m = cx.SBGModel(alpha, beta)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = m.survival([1, 2, 50])
        p = m.churn_probability([1, 2, 50])
        r = m.retention_rate([1, 2, 50])
    for arr in (s, p, r):
        assert np.all((arr >= 0) & (arr <= 1))
    assert r[0] == pytest.approx(beta / (alpha + beta))


def test_item13_sbg_horizon_has_a_documented_limit():
    with pytest.raises(InvalidInputError, match="at most"):
        cx.SBGModel(1.0, 1.0).survival(10**9)


def test_item13_clv_steps_have_a_documented_limit():
    bg = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
    gg = cx.GammaGammaModel(p=6.25, q=3.74, gamma=15.44)
    with pytest.raises(InvalidInputError, match="`steps` must be <= 1000"):
        gg.customer_lifetime_value(bg, 2, 30.43, 38.86, 22.35, steps=100_000)


def test_item14_a_purchase_model_of_the_wrong_kind_is_named():
    gg = cx.GammaGammaModel(p=6.25, q=3.74, gamma=15.44)
    with pytest.raises(InvalidInputTypeError, match="`purchase_model`"):
        gg.customer_lifetime_value("bgnbd", 2, 30.43, 38.86, 22.35)


def test_item14_model_predictions_refuse_shape_mismatches():
    m = cx.BGNBDModel(0.24, 4.4, 0.79, 2.4)
    with pytest.raises(InvalidInputError, match="broadcast"):
        m.conditional_expected_purchases(10, [1, 2], [5, 6, 7], [30, 30])


# item 15: frames ------------------------------------------------------------------------


def test_item15_a_malformed_csv_chunk_names_the_file(tmp_path):
    pytest.importorskip("pyarrow")
    from cxmetrics import frames

    rows = ["score,team", *(f"{i % 11},t{i}" for i in range(3000)), "3,b,extra,cols"]
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(InvalidInputError, match=r"answers\.csv.*could not be read"):
        sum(t.num_rows for t in frames.read_chunks(path, chunk_rows=100))
    with pytest.raises(InvalidInputError, match="header"):
        list(frames.read_chunks(path, columns=["nope"]))


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_item15_a_text_amount_column_is_a_cxmetrics_error(engine):
    lib = pytest.importorskip(engine)
    pytest.importorskip("narwhals")
    from cxmetrics import frames

    data = {
        "customer": ["a", "a", "b"],
        "time": np.array(["2024-01-01", "2024-02-01", "2024-01-05"], dtype="M8[us]"),
        "amount": ["10.00", "n/a", "5.00"],
    }
    df = lib.DataFrame(data)
    with pytest.raises(InvalidInputTypeError, match="`amount` column 'amount'"):
        frames.rfm_summary(
            df, "customer", "time", "amount", observation_end="2024-03-01"
        )
