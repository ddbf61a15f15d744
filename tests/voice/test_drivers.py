"""Key-driver analysis: LMG (Shapley) and Johnson's relative weights."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.exceptions import (
    ConvergenceWarning,
    InvalidInputError,
    MissingValueError,
)
from cxmetrics.voice import key_drivers

SWISS = Path(__file__).with_name("swiss.csv")  # R's datasets::swiss (public domain)
MTCARS = Path(__file__).with_name(
    "mtcars.csv"
)  # R's datasets::mtcars, 5 of its columns
NAMES = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]


def _swiss():
    data = np.genfromtxt(SWISS, delimiter=",", skip_header=1, usecols=range(1, 7))
    return data[:, 0], {name: data[:, j + 1] for j, name in enumerate(NAMES)}


def _r2_ols(y, x):
    """R² of an OLS fit with intercept, by least squares on the data (not correlations)."""
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    return 1 - (resid @ resid) / ((y - y.mean()) @ (y - y.mean()))


def _shapley_brute_force(y, x):
    p = x.shape[1]
    out = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for s in range(p):
            for subset in itertools.combinations(others, s):
                w = math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
                with_j = _r2_ols(y, x[:, [*subset, j]])
                out[j] += w * (with_j - _r2_ols(y, x[:, list(subset)]))
    return out


def _relative_weights_svd(y, x):
    """Johnson (2000) as published: the orthogonal counterpart Z = P Q' of X = P D Q'."""
    xs = (x - x.mean(0)) / x.std(0)
    ys = (y - y.mean()) / y.std()
    p_, _, qt = np.linalg.svd(xs, full_matrices=False)
    z = p_ @ qt * np.sqrt(len(y))  # orthogonal, unit variance, closest to X
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]  # X regressed on Z: loadings
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]  # y regressed on Z
    return (lam.T**2) @ (beta**2)


def test_swiss_r_squared_and_lmg_against_all_subset_regressions():
    y, drivers = _swiss()
    res = key_drivers(y, drivers, n_resamples=0)
    # summary(lm(Fertility ~ ., data = swiss)): Multiple R-squared: 0.7067
    assert round(res.value, 4) == 0.7067
    x = np.column_stack([drivers[n] for n in NAMES])
    assert res.raw == pytest.approx(_shapley_brute_force(y, x), rel=1e-10)
    assert res.raw.sum() == pytest.approx(res.value, rel=1e-12)
    assert res.names == tuple(NAMES)
    assert res.rank.tolist() == [5, 2, 1, 4, 3]


def test_swiss_relative_weights_against_johnsons_svd_route():
    y, drivers = _swiss()
    res = key_drivers(y, drivers, method="relative_weights", n_resamples=0)
    x = np.column_stack([drivers[n] for n in NAMES])
    assert res.raw == pytest.approx(_relative_weights_svd(y, x), rel=1e-9)
    assert res.raw.sum() == pytest.approx(res.value, rel=1e-12)
    assert res.rescaled.sum() == pytest.approx(1.0)


def test_sampled_lmg_is_close_to_exact():
    y, drivers = _swiss()
    exact = key_drivers(y, drivers, n_resamples=0)
    sampled = key_drivers(y, drivers, n_resamples=0, max_exact=3, n_orders=4000, rng=1)
    assert not sampled.exact
    assert sampled.raw.sum() == pytest.approx(exact.value, rel=1e-12)
    assert sampled.raw == pytest.approx(exact.raw, abs=0.01)


def test_bootstrap_intervals_and_rank_stability():
    y, drivers = _swiss()
    res = key_drivers(y, drivers, n_resamples=100, rng=4)
    assert ((res.low <= res.raw) & (res.raw <= res.high)).all()
    assert ((res.rank_stability >= 0) & (res.rank_stability <= 1)).all()
    assert res.n_resamples == 100
    again = key_drivers(y, drivers, n_resamples=100, rng=4)
    assert again == res


def _data(seed, n, p):
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(p, p))
    x = rng.normal(size=(n, p)) @ mix
    y = x @ rng.normal(size=p) + rng.normal(size=n) * 2
    return y, x


@settings(max_examples=40)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 6),
    st.sampled_from(["lmg", "relative_weights"]),
)
def test_weights_non_negative_sum_to_r2_and_invariant_to_rescaling(seed, p, method):
    y, x = _data(seed, 40, p)
    res = key_drivers(y, x, method=method, n_resamples=0)
    assert (res.raw >= 0).all()
    assert res.raw.sum() == pytest.approx(res.value, rel=1e-9)
    assert res.value == pytest.approx(_r2_ols(y, x), rel=1e-9)
    rescaled = x * np.linspace(0.5, 1000, p) - 3.0  # change of unit and origin
    other = key_drivers(y, rescaled, method=method, n_resamples=0)
    assert other.raw == pytest.approx(res.raw, rel=1e-7, abs=1e-12)


def test_uncorrelated_drivers_get_their_squared_correlation():
    # orthogonal, centred columns: LMG = relative weight = r_j^2
    x = np.array(
        [[1, 1], [1, -1], [-1, 1], [-1, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]], float
    )
    y = np.array([3.0, 1.5, -1.0, -2.0, 2.5, 0.5, -0.5, -3.0])
    r = np.array([np.corrcoef(x[:, j], y)[0, 1] for j in range(2)])
    for method in ("lmg", "relative_weights"):
        res = key_drivers(y, x, method=method, n_resamples=0)
        assert res.raw == pytest.approx(r**2, rel=1e-12)


def test_integer_weights_equal_duplicated_rows():
    y, x = _data(11, 30, 3)
    w = np.random.default_rng(0).integers(1, 4, 30)
    weighted = key_drivers(y, x, weights=w, n_resamples=0)
    repeated = key_drivers(np.repeat(y, w), np.repeat(x, w, axis=0), n_resamples=0)
    assert weighted.raw == pytest.approx(repeated.raw, rel=1e-10)
    assert weighted.performance == pytest.approx(repeated.performance)


def test_real_shaped_frame_with_missing_values():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "respondent": ["r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08"],
            "ltr": [9, 10, 6, None, 3, 7, 9, 5],
            "delivery": [4, 5, 3, 4, 1, 3, None, 2],
            "agent_courtesy": [5, 5, 4, 4, 2, 4, 4, 3],
            "price": [3, 4, 1, 2, 2, 3, 3, 4],
        }
    )
    drivers = frame[["delivery", "agent_courtesy", "price"]]
    with pytest.raises(MissingValueError, match=r"`outcome` is missing at row 3"):
        key_drivers(frame["ltr"], drivers)
    with pytest.raises(
        MissingValueError, match=r"driver 'delivery' is missing at row 6"
    ):
        key_drivers(frame["ltr"].fillna(8), drivers)
    res = key_drivers(frame["ltr"], drivers, nan_policy="omit", n_resamples=0)
    assert res.n == 6
    assert res.n_missing == 2
    assert res.names == ("delivery", "agent_courtesy", "price")


def test_errors():
    y = [1.0, 2.0, 3.0, 4.0, 5.0, 7.0]
    with pytest.raises(InvalidInputError, match="driver 'flat' is constant"):
        key_drivers(y, {"a": [1, 3, 2, 5, 4, 6], "flat": [3] * 6})
    a = np.array([1.0, 2.0, 2.0, 4.0, 3.0, 5.0])
    b = np.array([2.0, 1.0, 3.0, 3.0, 5.0, 4.0])
    with pytest.raises(InvalidInputError, match="'a', 'b', 'total' are collinear"):
        key_drivers(y, {"a": a, "b": b, "total": a + b})
    with pytest.raises(InvalidInputError, match="more rows than drivers"):
        key_drivers([1.0, 2.0, 3.0], {"a": [1, 2, 4], "b": [2, 1, 3]})
    with pytest.raises(InvalidInputError, match="`outcome` is constant"):
        key_drivers([5.0] * 6, {"a": a})
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        key_drivers(y, {"a": a}, method="shapley")
    with pytest.raises(
        InvalidInputError, match=r"same length as `outcome` \(6\); got 2"
    ):
        key_drivers(y, {"a": [1, 2]})
    with pytest.raises(InvalidInputError, match="`names` must name each"):
        key_drivers(y, np.column_stack([a, b]), names=["a"])
    with pytest.raises(InvalidInputError, match="`max_exact` must be at most 20"):
        key_drivers(y, {"a": a}, max_exact=25)


def test_result_is_frozen():
    y, drivers = _swiss()
    res = key_drivers(y, drivers, n_resamples=0)
    with pytest.raises(ValueError, match="read-only"):
        res.raw[0] = 0.0
    assert "key drivers (lmg): R2=0.7067, n=47" in repr(res)
    assert next(iter(res.to_dict())) == "driver"


def test_logistic_lmg_against_statsmodels_logit_on_every_subset():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(3)
    n = 400
    x = rng.normal(size=(n, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1]])
    top_box = x @ np.array([1.0, -0.7, 0.4]) + rng.logistic(size=n) > 0.5
    y = top_box.astype(float)
    ll0 = sm.Logit(y, np.ones((n, 1))).fit(disp=0).llf

    def r2(cols):
        if not cols:
            return 0.0
        return 1 - sm.Logit(y, sm.add_constant(x[:, list(cols)])).fit(disp=0).llf / ll0

    expected = np.zeros(3)
    for j in range(3):
        others = [k for k in range(3) if k != j]
        for s in range(3):
            for subset in itertools.combinations(others, s):
                w = math.factorial(s) * math.factorial(2 - s) / 6
                expected[j] += w * (r2((*subset, j)) - r2(subset))
    res = key_drivers(top_box, x, model="logistic", n_resamples=0)
    assert res.method == "lmg_logistic"
    assert res.raw == pytest.approx(expected, rel=1e-7)
    full = sm.Logit(y, sm.add_constant(x)).fit(disp=0).prsquared
    assert res.value == pytest.approx(full, rel=1e-8)
    assert res.raw.sum() == pytest.approx(res.value, rel=1e-12)


def test_logistic_weights_equal_duplicated_rows_and_errors():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] + rng.logistic(size=60) > 0).astype(int)
    w = rng.integers(1, 4, 60)
    weighted = key_drivers(y, x, model="logistic", weights=w, n_resamples=0)
    repeated = key_drivers(
        np.repeat(y, w), np.repeat(x, w, axis=0), model="logistic", n_resamples=0
    )
    assert weighted.raw == pytest.approx(repeated.raw, rel=1e-8)
    with pytest.raises(InvalidInputError, match=r"must be 0/1 .* got 9.0 at index 2"):
        key_drivers([0, 1, 9, 1, 0], {"a": [1, 2, 3, 4, 5]}, model="logistic")
    with pytest.raises(InvalidInputError, match="method='lmg' only"):
        key_drivers(y, x, model="logistic", method="relative_weights")


def test_logistic_separation_warns():
    x = np.arange(20.0)
    y = (x > 9).astype(float)  # x separates the outcome perfectly
    noise = np.random.default_rng(1).normal(size=20)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        key_drivers(y, {"x": x, "noise": noise}, model="logistic", n_resamples=0)


def test_notebook_table_has_one_row_per_driver():
    y, drivers = _swiss()
    html = key_drivers(y, drivers, n_resamples=0)._repr_html_()
    assert html.count("<tr>") == 1 + len(NAMES)
    assert "Infant.Mortality" in html


def test_rwa_readme_example_on_mtcars():
    # R package rwa, README "Basic example": rwa(mtcars, outcome = "mpg",
    # predictors = c("cyl", "disp", "hp", "gear")) -> rsquare 0.7791896, raw
    # weights 0.2284797 0.2221469 0.2321744 0.0963886, rescaled (%) 29.32274
    # 28.50999 29.79691 12.37037
    data = np.genfromtxt(MTCARS, delimiter=",", skip_header=1, usecols=range(1, 6))
    drivers = {
        "cyl": data[:, 1],
        "disp": data[:, 2],
        "hp": data[:, 3],
        "gear": data[:, 4],
    }
    res = key_drivers(data[:, 0], drivers, method="relative_weights", n_resamples=0)
    assert res.value == pytest.approx(0.7791896, abs=5e-8)
    assert res.raw == pytest.approx(
        [0.2284797, 0.2221469, 0.2321744, 0.0963886], abs=5e-8
    )
    assert 100 * res.rescaled == pytest.approx(
        [29.32274, 28.50999, 29.79691, 12.37037], abs=5e-6
    )
    assert (res.correlation[:3] < 0).all()  # rwa's signs: cyl, disp, hp push mpg down
