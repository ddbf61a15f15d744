"""Real-log edge cases of the CLV models (issues #12 and #20).

- zero-value repeat purchases (refunds netted, free items): left out of the
  Gamma-Gamma fit with a DataWarning that counts them, as lifetimes'
  GammaGammaFitter (and PyMC-Marketing) need positive spend; the fit then equals
  lifetimes' on the positive-spend customers, and predictions accept them;
- Gamma-Gamma q <= 1: never "converged" with a negative expected spend;
- T = 0 (first purchase at the end of observation): likelihood term 1, prior
  predictions, never a failed fit;
- degenerate input: a cxmetrics error, never ZeroDivisionError or starting values.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    ConvergenceWarning,
    CXMetricsError,
    DataWarning,
    InvalidInputError,
)

pytest.importorskip("scipy")

few = settings(max_examples=40, deadline=None)

# a purchase export: string ids, text dates, a netted refund (0) and a free item
LOG = {
    "customer": ["C-001", "C-001", "C-001", "C-002", "C-002", "C-003", "C-003",
                 "C-004", "C-004", "C-004", "C-005", "C-006", "C-006", "C-007",
                 "C-007", "C-008", "C-009"],
    "date": ["2026-01-05", "2026-01-20", "2026-03-02", "2026-01-11", "2026-02-14",
             "2026-01-15", "2026-02-01", "2026-01-03", "2026-02-10", "2026-03-20",
             "2026-02-02", "2026-01-08", "2026-03-01", "2026-01-25", "2026-03-10",
             "2026-02-20", "2026-03-31"],
    "amount": [40.0, 25.5, 31.0, 19.9, 0.0, 55.0, 62.0, 12.0, 18.0, 15.5, 80.0,
               22.0, 0.0, 35.0, 41.0, 9.99, 27.0],
}  # fmt: skip
END = "2026-03-31"  # C-009 buys for the first time on the last day: T = 0


@pytest.fixture(scope="module")
def rfm():
    return cx.rfm_summary(
        LOG["customer"], LOG["date"], LOG["amount"], observation_end=END,
        freq_multiplier=7,
    )  # fmt: skip


def synthetic_spend(seed, n, *, p=4.0, q=3.0, gamma=10.0, zero_share=0.1):
    """Gamma-Gamma data (FHL 2005 generative story) with some zero means."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1.0 / gamma, n)
    x = rng.integers(0, 8, n).astype(np.float64)
    z = np.where(
        x > 0, rng.gamma(np.maximum(p * x, 1e-9), 1.0 / (nu * np.maximum(x, 1))), 0.0
    )
    zero = (x > 0) & (rng.random(n) < zero_share)
    z[zero] = 0.0
    return x, z


# ------------------------------------------------------- zero-value purchases


def test_summary_of_the_fixture(rfm):
    assert rfm.customers.tolist()[-1] == "C-009"
    assert rfm.T[-1] == 0.0
    zero = rfm.customers[(rfm.frequency > 0) & (rfm.monetary_value == 0)].tolist()
    assert zero == ["C-002", "C-006"]


# nine customers cannot identify p (ConvergenceWarning): the counts are the point
@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.ConvergenceWarning")
def test_gamma_gamma_leaves_zero_spend_out_with_a_counted_warning(rfm):
    with pytest.warns(DataWarning, match=r"^2 customer\(s\) .*'C-002', 'C-006'"):
        fit = cx.gamma_gamma(rfm)
    assert fit.n_zero_spend == 2.0
    repeat = int(np.count_nonzero(rfm.frequency > 0))
    assert fit.n == repeat - 2
    assert fit.n_excluded == rfm.n - fit.n
    # the same fit as on the positive-spend rows alone
    keep = (rfm.frequency > 0) & (rfm.monetary_value > 0)
    alone = cx.gamma_gamma(rfm.frequency[keep], rfm.monetary_value[keep])
    assert alone.params == fit.params
    assert alone.n_zero_spend == 0.0


def test_weights_count_zero_spend_customers():
    x, z = synthetic_spend(11, 300)
    k = np.random.default_rng(12).integers(1, 4, x.shape[0])
    zero = (x > 0) & (z == 0)
    first = ", ".join(str(i) for i in np.flatnonzero(zero)[:3])
    with pytest.warns(
        DataWarning, match=rf"^{k[zero].sum()} customer\(s\).*indices {first}, \.\.\.\)"
    ):
        fit = cx.gamma_gamma(x, z, weights=k)
    assert fit.n_zero_spend == k[zero].sum()
    assert fit.n == k[(x > 0) & ~zero].sum()
    assert fit.n_excluded == k[(x == 0) | zero].sum()
    with pytest.warns(DataWarning):
        rows = cx.gamma_gamma(np.repeat(x, k), np.repeat(z, k))
    assert (rows.n, rows.n_zero_spend, rows.n_excluded) == (
        fit.n,
        fit.n_zero_spend,
        fit.n_excluded,
    )
    for name, v in rows.params.items():
        assert fit.params[name] == pytest.approx(v, rel=1e-6)


def test_zero_spend_fit_equals_lifetimes_on_positive_spend():
    lifetimes = pytest.importorskip("lifetimes")
    x, z = synthetic_spend(20261202, 400)
    zero = (x > 0) & (z == 0)
    assert zero.sum() > 10
    with pytest.warns(DataWarning, match=f"^{int(zero.sum())} customer"):
        fit = cx.gamma_gamma(x, z)
    assert fit.converged
    keep = (x > 0) & (z > 0)
    ref = lifetimes.GammaGammaFitter().fit(x[keep], z[keep])
    want = dict(zip(("p", "q", "gamma"), ref.params_.to_numpy(), strict=True))
    for k, v in want.items():
        assert fit.params[k] == pytest.approx(v, rel=1e-5)
    # predictions for every customer, zero mean spend included, as lifetimes'
    model = cx.GammaGammaModel(*ref.params_.to_numpy())
    np.testing.assert_allclose(
        model.conditional_expected_spend(x, z),
        ref.conditional_expected_average_profit(x, z),
        rtol=1e-12,
    )


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.ConvergenceWarning")
def test_clv_accepts_customers_with_zero_mean_spend(rfm):
    with pytest.warns(DataWarning):
        spend = cx.gamma_gamma(rfm)
    purchases = cx.bgnbd(rfm)
    expected = spend.conditional_expected_spend(rfm.frequency, rfm.monetary_value)
    value = spend.customer_lifetime_value(
        purchases, rfm.frequency, rfm.recency, rfm.T, rfm.monetary_value,
        steps=6, step_length=52 / 12,
    )  # fmt: skip
    assert np.all(np.isfinite(value))
    assert np.all(value > 0)
    zero = (rfm.frequency > 0) & (rfm.monetary_value == 0)
    # shrunk towards 0 by the customer's evidence, below the population mean
    assert np.all(expected[zero] < spend.mean_spend)
    assert np.all(expected[zero] > 0)


@few
@given(
    st.floats(0.05, 50.0),
    st.floats(1.001, 50.0),
    st.floats(0.05, 500.0),
    st.integers(0, 200),
    st.one_of(st.just(0.0), st.floats(0.0, 1e4)),
)
def test_expected_spend_is_a_positive_weighted_mean(p, q, gamma, x, zbar):
    m = cx.GammaGammaModel(p, q, gamma)
    e = m.conditional_expected_spend(x, zbar)
    # p(gamma + x zbar)/(px + q - 1) = w * mean + (1 - w) * zbar, w in (0, 1]
    lo, hi = (m.mean_spend, m.mean_spend) if x == 0 else sorted((m.mean_spend, zbar))
    assert e > 0
    assert lo * (1 - 1e-12) <= e <= hi * (1 + 1e-12)


def test_negative_mean_spend_names_the_customer():
    s = cx.rfm_summary(
        ["A-1", "A-1", "B-2", "B-2"], ["2026-01-01", "2026-01-09", "2026-01-02", "2026-01-20"],
        [30.0, -45.0, 12.0, 14.0], observation_end="2026-01-31",
    )  # fmt: skip
    with pytest.raises(InvalidInputError, match=r"got -45.0 for customer 'A-1'"):
        cx.gamma_gamma(s)
    with pytest.raises(InvalidInputError, match=r"got -45.0 at index 0"):
        cx.gamma_gamma(s.frequency, s.monetary_value)


def test_no_positive_spend_is_refused():
    with (
        pytest.warns(DataWarning),
        pytest.raises(InvalidInputError, match="positive mean spend: nothing to fit"),
    ):
        cx.gamma_gamma([1, 2, 0], [0.0, 0.0, 0.0])
    with pytest.raises(InvalidInputError, match="nothing to fit"):
        cx.gamma_gamma([], [])
    with pytest.raises(InvalidInputError, match="total weight"):
        cx.gamma_gamma([1, 2], [5.0, 6.0], weights=[0, 0])


# ---------------------------------------------------------- Gamma-Gamma q <= 1


def heavy_tailed_spend(seed=7, n=500):
    # nu ~ Gamma(q = 0.6): the mean spend across customers is infinite; the
    # unconstrained maximum has q < 1, where p(gamma + x zbar)/(px + q - 1) < 0
    # for x = 0 and lifetimes returns negative expected spend
    rng = np.random.default_rng(seed)
    nu = rng.gamma(0.6, 0.1, n)
    x = rng.integers(1, 8, n).astype(np.float64)
    return x, rng.gamma(4.0 * x, 1.0 / (nu * x))


def test_q_at_most_one_is_not_converged_and_spend_stays_positive():
    x, z = heavy_tailed_spend()
    with pytest.warns(ConvergenceWarning, match="constraint q > 1"):
        fit = cx.gamma_gamma(x, z)
    assert not fit.converged
    assert fit.q > 1.0
    assert "q > 1" in fit.message
    spend = fit.conditional_expected_spend(np.append(x, 0.0), np.append(z, 0.0))
    assert np.all(spend > 0)


def test_the_constraint_binds_where_lifetimes_returns_negative_spend():
    lifetimes = pytest.importorskip("lifetimes")
    from cxmetrics.clv._gamma_gamma import _log_likelihood

    x, z = heavy_tailed_spend()
    ref = lifetimes.GammaGammaFitter().fit(x, z)
    q_ref = ref.params_["q"]
    assert q_ref < 1.0  # the unconstrained maximum (lifetimes 0.11.3: q = 0.606)
    assert (
        ref.conditional_expected_average_profit(np.array([0.0]), np.array([0.0]))[0] < 0
    )
    with pytest.warns(ConvergenceWarning):
        fit = cx.gamma_gamma(x, z)
    # lifetimes' maximum is higher: ours is the best point with q > 1, flagged
    best = _log_likelihood(ref.params_.to_numpy(), x, z, np.ones_like(x))[0]
    assert best > fit.log_likelihood
    assert fit.q == pytest.approx(1.0, abs=1e-6)


def test_regular_data_still_converge_inside_the_constraint():
    x, z = synthetic_spend(5, 600, q=1.5, zero_share=0.0)
    fit = cx.gamma_gamma(x[x > 0], z[x > 0])
    assert fit.converged
    assert 1.0 < fit.q < 3.0


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.3, 4.0))
def test_fitted_q_is_above_one_and_spend_positive(seed, q_true):
    x, z = synthetic_spend(seed, 60, q=q_true, zero_share=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = cx.gamma_gamma(x, z)
    assert fit.q > 1.0
    assert np.all(fit.conditional_expected_spend(x, z) > 0)
    assert fit.conditional_expected_spend(0, 0.0) > 0


def test_model_with_q_at_most_one_refuses_predictions():
    m = cx.GammaGammaModel(1, 0.5, 3)
    assert m.mean_spend == math.inf
    with pytest.raises(InvalidInputError, match=r"needs `q` > 1.*q = 0.5"):
        m.conditional_expected_spend([1, 2], [10.0, 20.0])
    bg = cx.BGNBDModel(0.243, 4.414, 0.793, 2.426)
    with pytest.raises(InvalidInputError, match="needs `q` > 1"):
        m.customer_lifetime_value(bg, 2, 30.0, 38.0, 20.0)
    with pytest.raises(InvalidInputError, match="needs `q` > 1"):
        cx.GammaGammaModel(2.0, 1.0, 3.0).conditional_expected_spend(0, 0.0)


def test_clv_refuses_negative_spend_per_purchase():
    bg = cx.BGNBDModel(0.243, 4.414, 0.793, 2.426)
    with pytest.raises(InvalidInputError, match="`monetary_value` must be >= 0"):
        bg.customer_lifetime_value([2, 1], [30.0, 5.0], [38.0, 38.0], [25.0, -3.0])


# ---------------------------------------------------------------- T = 0

params4 = st.tuples(*(st.floats(0.05, 20.0) for _ in range(4)))


@few
@given(params4, st.floats(0.1, 100.0))
def test_t_zero_has_likelihood_one_and_prior_predictions(params, t):
    for model in (cx.BGNBDModel(*params), cx.ParetoNBDModel(*params)):
        assert model.log_likelihood_of([0], [0.0], [0.0]) == pytest.approx(
            0.0, abs=1e-12
        )
        assert model.probability_alive(0, 0.0, 0.0) == pytest.approx(1.0, abs=1e-12)
        assert model.conditional_expected_purchases(t, 0, 0.0, 0.0) == pytest.approx(
            model.expected_purchases(t), rel=1e-9, abs=1e-12
        )
    bb = cx.BGBBModel(*params)
    assert bb.log_likelihood_of([0], [0], [0]) == pytest.approx(0.0, abs=1e-12)
    n_star = max(1, round(t))
    assert bb.conditional_expected_purchases(n_star, 0, 0, 0) == pytest.approx(
        bb.expected_purchases(n_star), rel=1e-9
    )


X = [0, 0, 1, 1, 2, 3, 5, 8, 12, 2]
TX = [0, 0, 5, 30, 20, 35, 33, 38, 39, 6]
BIG_T = [40, 30, 40, 38, 40, 39, 40, 40, 40, 40]
W = [60, 30, 12, 8, 6, 5, 4, 3, 2, 5]


@pytest.mark.parametrize("fit", [cx.bgnbd, cx.pareto_nbd])
def test_new_customers_at_the_end_leave_the_fit_unchanged(fit):
    base = fit(X, TX, BIG_T, weights=W)
    more = fit([*X, 0], [*TX, 0], [*BIG_T, 0], weights=[*W, 7])
    assert more.converged
    assert more.n == base.n + 7
    assert more.log_likelihood == pytest.approx(base.log_likelihood, rel=1e-12)
    for k, v in base.params.items():
        assert more.params[k] == pytest.approx(v, rel=1e-6)


def test_bgbb_new_customers_without_opportunity_leave_the_fit_unchanged():
    x, tx, n = [0, 1, 2, 3, 1, 0, 2, 4], [0, 1, 3, 4, 4, 0, 2, 4], [4] * 8
    w = [400, 200, 150, 100, 80, 300, 120, 60]
    base = cx.bgbb(x, tx, n, weights=w)
    more = cx.bgbb([*x, 0], [*tx, 0], [*n, 0], weights=[*w, 9])
    assert more.n == base.n + 9
    assert more.log_likelihood == pytest.approx(base.log_likelihood, rel=1e-12)
    for k, v in base.params.items():
        assert more.params[k] == pytest.approx(v, rel=1e-6)


def test_rfm_summary_with_a_customer_on_the_last_day_fits(rfm):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for fit in (cx.bgnbd(rfm), cx.pareto_nbd(rfm)):
            assert fit.n == rfm.n
            assert fit.probability_alive(0, 0.0, 0.0) == 1.0


def test_cli_clv_on_a_log_whose_last_day_brings_a_new_customer(tmp_path, capsys):
    from cxmetrics.cli import main

    path = tmp_path / "orders.csv"
    rows = zip(LOG["customer"], LOG["date"], LOG["amount"], strict=True)
    path.write_text(
        "customer,date,amount\n" + "".join(f"{c},{d},{a}\n" for c, d, a in rows)
    )
    status = main(["clv", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "Model fits on 9 customers" in out
    assert "2 customer(s) with repeat purchases but a mean spend of 0" in err
    assert "2 customer(s) with repeat purchases but a mean spend of 0" in err


def test_all_customers_at_t_zero_is_refused():
    for fit in (cx.bgnbd, cx.pareto_nbd):
        with pytest.raises(
            InvalidInputError, match=r"observed for some time \(T > 0\)"
        ):
            fit([0, 0], [0.0, 0.0], [0.0, 0.0])
    with pytest.raises(InvalidInputError, match=r"T > 0"):
        cx.bgbb([0], [0], [0])


def test_repeat_purchases_with_zero_recency_are_refused_naming_the_customer(rfm):
    with pytest.raises(
        InvalidInputError,
        match=r"`recency` must be positive where `frequency` > 0 .*; got recency 0 "
        r"with frequency 2.0 at index 1",
    ):
        cx.bgnbd([0, 2], [0.0, 0.0], [5.0, 5.0])
    bad = cx.RFMSummary(
        ["a", "b"], [0.0, 2.0], [0.0, 0.0], [5.0, 5.0], [0.0, 10.0], [1, 3], "day", 1.0
    )
    for fit in (cx.bgnbd, cx.pareto_nbd):
        with pytest.raises(InvalidInputError, match=r"frequency 2.0 for customer 'b'"):
            fit(bad)
    with pytest.raises(InvalidInputError, match="for customer 'b'"):
        cx.BGNBDModel(0.2, 4.0, 0.8, 2.4).log_likelihood_of(bad)


# ------------------------------------------------------------ degenerate input


@pytest.mark.parametrize(
    ("fit", "args"),
    [
        (cx.bgnbd, ([], [], [])),
        (cx.pareto_nbd, ([], [], [])),
        (cx.bgbb, ([], [], [])),
    ],
)
def test_empty_input_is_refused(fit, args):
    with pytest.raises(InvalidInputError, match="needs at least one customer"):
        fit(*args)


@pytest.mark.parametrize("fit", [cx.bgnbd, cx.pareto_nbd, cx.bgbb])
def test_all_zero_weights_are_refused(fit):
    with pytest.raises(InvalidInputError, match="all 2 `weights` are 0"):
        fit([0, 1], [0, 2], [3, 3], weights=[0, 0])


summaries = st.lists(
    st.tuples(
        st.integers(0, 6), st.integers(0, 6), st.integers(0, 6), st.integers(0, 3)
    ),
    max_size=6,
)


@settings(max_examples=30, deadline=None)
@given(summaries, st.sampled_from(["bgnbd", "pareto_nbd", "bgbb"]))
def test_any_summary_gives_a_fit_or_a_cxmetrics_error(rows, name):
    x, tx, n, w = (
        (list(c) for c in zip(*rows, strict=True)) if rows else ([], [], [], [])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            fit = getattr(cx, name)(x, tx, n, weights=w)
        except CXMetricsError:
            return
    assert fit.n == sum(w)
    assert sum(wi for wi, ni in zip(w, n, strict=True) if ni > 0) > 0
    assert all(math.isfinite(v) and v > 0 for v in fit.params.values())
