"""Sample sizes for a target margin of error: proportions and NPS.

Sources of expected values:

* Piegorsch (2004), Computational Statistics & Data Analysis 46, 309-316, eqs. 5-7
  (Wald, Agresti-Coull, Wilson), as summarised in the research notes ("For tests"
  11): p = .5, E = .05 -> 385 / 381 / 381 (Wald / Wilson / Agresti-Coull) at 95%
  and 271 / 268 / 268 at 90%; p = .1, E = .05 -> 139 / 141 / 135 at 95%.
* statsmodels ``samplesize_confint_proportion`` (Wald; skipped without statsmodels).
* CalculatorBoom, "Sample Size for 95% Confidence, +/-5% Margin of Error"
  (calculatorboom.com; z = 1.96, p = 50%, unlimited population): +/-1% 9,604;
  +/-2% 2,401; +/-3% 1,068; +/-5% 385; +/-7% 196; +/-10% 97.
* Engelhardt (2016, CYBAEA): NPS with p_pro = p_det = 1/3 has V = 2/3, a 95% full
  width of about 320/sqrt(n) points, and needs n of about 1024 for a width of 10.
* Closed forms evaluated here, and the defining property: the returned n is the
  smallest for which the interval's half-width is at most the margin.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.stats import (
    net_score_interval,
    nps_sample_size,
    proportion_interval,
    proportion_sample_size,
)

# two-sided standard normal critical values (R qnorm to 20 digits)
Z = {
    0.9: 1.6448536269514727149,
    0.95: 1.9599639845400540054,
    0.99: 2.5758293035489007597,
}


@pytest.mark.parametrize(
    ("proportion", "level", "expected"),
    [
        (0.5, 0.95, {"wald": 385, "wilson": 381, "agresti_coull": 381}),
        (0.5, 0.9, {"wald": 271, "wilson": 268, "agresti_coull": 268}),
        (0.1, 0.95, {"wald": 139, "wilson": 141, "agresti_coull": 135}),
    ],
)
@pytest.mark.parametrize("method", ["wald", "wilson", "agresti_coull"])
def test_research_notes_values(method, proportion, level, expected):
    n = proportion_sample_size(
        0.05, proportion=proportion, confidence_level=level, method=method
    )
    assert n == expected[method]


@pytest.mark.parametrize(
    ("margin", "expected"),
    [(0.01, 9604), (0.02, 2401), (0.03, 1068), (0.05, 385), (0.07, 196), (0.10, 97)],
)
def test_published_calculator_table(margin, expected):
    assert proportion_sample_size(margin) == expected


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("proportion", [0.5, 0.1, 0.25, 0.8, 0.03])
@pytest.mark.parametrize("margin", [0.01, 0.03, 0.05, 0.1])
def test_wald_matches_statsmodels(margin, proportion, level):
    sm_proportion = pytest.importorskip("statsmodels.stats.proportion")
    n_float = sm_proportion.samplesize_confint_proportion(
        proportion, margin, alpha=1 - level
    )
    n = proportion_sample_size(margin, proportion=proportion, confidence_level=level)
    assert n == math.ceil(n_float - 1e-9)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("proportion", [0.5, 0.1, 0.25, 0.8, 0.03, 0.0, 1.0])
@pytest.mark.parametrize("margin", [0.01, 0.03, 0.05, 0.1])
def test_piegorsch_closed_forms(margin, proportion, level):
    z, p, e = Z[level], proportion, margin
    v = p * (1 - p)
    wald = z * z * v / (e * e)
    ac = wald - z * z
    wilson = (
        z
        * z
        / (2 * e * e)
        * (v - 2 * e * e + math.sqrt(v * v + 4 * e * e * (p - 0.5) ** 2))
    )
    for method, n0 in (("wald", wald), ("agresti_coull", ac), ("wilson", wilson)):
        n = proportion_sample_size(
            e, proportion=p, confidence_level=level, method=method
        )
        assert n == max(1, math.ceil(n0 - 1e-9)), method


def _wilson_half_width(p: float, n: int) -> float:
    low, high = proportion_interval(p * n, n, method="wilson")
    return (float(high) - float(low)) / 2


@given(p=st.floats(0.01, 0.99), margin=st.floats(0.01, 0.2))
def test_wilson_size_is_smallest_reaching_margin(p, margin):
    # Piegorsch eq. 7 inverts the Wilson half-width at p-hat = p: at the returned n
    # the half-width is within the margin, one answer fewer it is not
    n = proportion_sample_size(margin, proportion=p, method="wilson")
    assert _wilson_half_width(p, n) <= margin * (1 + 1e-9)
    if n > 1:
        assert _wilson_half_width(p, n - 1) > margin * (1 - 1e-9)


@given(p=st.floats(0.01, 0.99), margin=st.floats(0.005, 0.2))
def test_wald_size_is_smallest_reaching_margin(p, margin):
    n = proportion_sample_size(margin, proportion=p, method="wald")
    half = Z[0.95] * math.sqrt(p * (1 - p) / n)
    assert half <= margin * (1 + 1e-9)
    if n > 1:
        assert Z[0.95] * math.sqrt(p * (1 - p) / (n - 1)) > margin * (1 - 1e-9)


# --------------------------------------------------------------------------------------
# NPS


def test_nps_worst_case():
    # V = 1 (half promoters, half detractors): n = z^2 / E^2 with E = 0.05
    assert nps_sample_size(5) == math.ceil(Z[0.95] ** 2 / 0.05**2)  # 1536.6 -> 1537
    assert nps_sample_size(10) == math.ceil(Z[0.95] ** 2 / 0.10**2)  # 384.1 -> 385
    assert nps_sample_size(5, confidence_level=0.9) == math.ceil(Z[0.9] ** 2 / 0.05**2)
    # explicit worst-case shares give the same answer
    assert nps_sample_size(
        5, promoter_share=0.5, detractor_share=0.5
    ) == nps_sample_size(5)


def test_nps_cybaea_one_third_each():
    # CYBAEA: p = d = 1/3, V = 2/3, n ~ 1024 for a 10-point full width (margin 5)
    n = nps_sample_size(5, promoter_share=1 / 3, detractor_share=1 / 3)
    assert n in (1024, 1025)
    assert n == math.ceil(Z[0.95] ** 2 * (2 / 3) / 0.05**2)
    # "full width times sqrt(n) is about 320" for the Wald interval at these shares
    low, high = net_score_interval(n / 3, n / 3, n, method="wald")
    assert round(100 * (float(high) - float(low)) * math.sqrt(n)) == 320
    # the interval at n reaches the margin, at n - 1 it does not
    assert 100 * (float(high) - float(low)) / 2 <= 5
    low, high = net_score_interval((n - 1) / 3, (n - 1) / 3, n - 1, method="wald")
    assert 100 * (float(high) - float(low)) / 2 > 5


def test_nps_whuber_shares():
    # whuber: pro 1/2, det 1/6 -> V = 5/9
    n = nps_sample_size(5, promoter_share=0.5, detractor_share=1 / 6)
    assert n == math.ceil(Z[0.95] ** 2 * (5 / 9) / 0.05**2)


def test_nps_adjusted_wald_inverts_its_half_width():
    # research notes section 2: solving E = z sqrt(V/(n + 3)) gives n = z^2 V/E^2 - 3
    n = nps_sample_size(5, method="adjusted_wald")
    assert n == math.ceil(Z[0.95] ** 2 / 0.05**2 - 3)  # 1533.6 -> 1534
    # The pseudo-answers also pull the adjusted shares towards the passives (V_adj =
    # (n + 1.5)/(n + 3) < 1 here), so at the planned shares the adjusted-Wald interval
    # at this n is within the margin: the formula errs on the safe side.
    low, high = net_score_interval(n / 2, n / 2, n, method="adjusted_wald")
    assert 100 * (float(high) - float(low)) / 2 <= 5


def test_nps_all_one_category_needs_one_answer():
    # V = 0 when every answer is a promoter: the formula gives 0, floored at 1
    assert nps_sample_size(5, promoter_share=1.0, detractor_share=0.0) == 1


# --------------------------------------------------------------------------------------
# finite population correction


@pytest.mark.parametrize("population", [50, 100, 1000, 5000, 10**6, 10**9])
def test_finite_population_correction(population):
    # Cochran (1977): n = n0 / (1 + (n0 - 1)/N)
    n0 = Z[0.95] ** 2 * 0.25 / 0.05**2
    expected = math.ceil(n0 / (1 + (n0 - 1) / population))
    n = proportion_sample_size(0.05, population=population)
    assert n == expected
    assert n <= population
    assert n <= proportion_sample_size(0.05)
    if population == 1000:
        assert n == 278  # 384.15 / 1.38315 = 277.7


def test_finite_population_nps():
    n0 = Z[0.95] ** 2 / 0.05**2
    assert nps_sample_size(5, population=2000) == math.ceil(n0 / (1 + (n0 - 1) / 2000))


def test_huge_population_changes_nothing():
    assert proportion_sample_size(0.03, population=10**12) == proportion_sample_size(
        0.03
    )
    assert nps_sample_size(3, population=10**12) == nps_sample_size(3)


# --------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    "margin", [0, 0.0, -0.05, 1, 1.0, 1.5, 5, float("nan"), float("inf")]
)
def test_proportion_bad_margin(margin):
    with pytest.raises(InvalidInputError, match="`margin`"):
        proportion_sample_size(margin)


def test_proportion_margin_in_percent_is_explained():
    with pytest.raises(InvalidInputError, match="fraction, not a percentage"):
        proportion_sample_size(5)


@pytest.mark.parametrize("proportion", [-0.1, 1.1, 2, float("nan")])
def test_proportion_bad_share(proportion):
    with pytest.raises(InvalidInputError, match="`proportion`"):
        proportion_sample_size(0.05, proportion=proportion)


@pytest.mark.parametrize("margin", [0, -1, 200, 250, float("nan")])
def test_nps_bad_margin(margin):
    with pytest.raises(InvalidInputError, match="`margin`"):
        nps_sample_size(margin)


@pytest.mark.parametrize(
    "shares",
    [{"promoter_share": 0.4}, {"detractor_share": 0.2}],
)
def test_nps_only_one_share(shares):
    with pytest.raises(
        InvalidInputError, match="`promoter_share` and `detractor_share`"
    ):
        nps_sample_size(5, **shares)


@pytest.mark.parametrize(
    ("promoter", "detractor", "name"),
    [
        (-0.1, 0.2, "promoter_share"),
        (1.2, 0.0, "promoter_share"),
        (0.2, -0.5, "detractor_share"),
        (0.2, 1.5, "detractor_share"),
    ],
)
def test_nps_share_outside_unit_interval(promoter, detractor, name):
    with pytest.raises(InvalidInputError, match=f"`{name}`"):
        nps_sample_size(5, promoter_share=promoter, detractor_share=detractor)


def test_nps_shares_sum_above_one():
    with pytest.raises(InvalidInputError, match="must not exceed 1"):
        nps_sample_size(5, promoter_share=0.7, detractor_share=0.4)


@pytest.mark.parametrize("population", [0, -10])
def test_bad_population_value(population):
    with pytest.raises(InvalidInputError, match="`population`"):
        proportion_sample_size(0.05, population=population)
    with pytest.raises(InvalidInputError, match="`population`"):
        nps_sample_size(5, population=population)


@pytest.mark.parametrize("population", [100.5, "1000", True])
def test_bad_population_type(population):
    with pytest.raises(InvalidInputTypeError, match="`population`"):
        proportion_sample_size(0.05, population=population)
    with pytest.raises(InvalidInputTypeError, match="`population`"):
        nps_sample_size(5, population=population)


def test_bad_method():
    with pytest.raises(InvalidInputError, match="`method`"):
        proportion_sample_size(0.05, method="score")
    with pytest.raises(InvalidInputError, match="`method`"):
        nps_sample_size(5, method="wilson")
