"""NPS front doors, states and results: the arguments and defaults that must take effect.

Mutants killed here (``survey/_nps.py``, issue #21): the bootstrap ``rng`` and
``n_resamples`` dropped or replaced by ``None`` on their way from
``confidence_interval`` through ``_interval`` to ``net_score_interval``; the interval
missing from ``str(NPSResult)``; the NaN passive share of an empty result under a
scheme without passives turned into ``None``; the ``errstate`` around the standard
error loosened; ``enps`` dropping ``levels`` or checking it against the wrong
argument; the defaults (``min_n=0``, ``small_groups='suppress'``,
``n_resamples=10_000``) changed.

Expected values come from hand counts, the adjusted Wald formula written out with
the standard library's normal quantile, and ``cxmetrics.stats.net_score_interval`` called directly
with the same counts and seed (the statistics layer, tested on its own).
"""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.stats import net_score_interval
from cxmetrics.survey import NPSScheme

# 173 promoters, 90 passives, 137 detractors: n = 400, large enough for the bootstrap
# percentiles to fall between lattice points, so seed and resample count show
PRO, PAS, DET = 173, 90, 137
N = PRO + PAS + DET
BOOT_ANSWERS = [10] * PRO + [7] * PAS + [0] * DET


def _boot(*, rng: int, n_resamples: int = 10_000) -> tuple[float, float]:
    """The bootstrap interval of the fixture's counts, in points, computed directly."""
    ci = net_score_interval(
        PRO, DET, N, method="bootstrap", n_resamples=n_resamples, rng=rng
    )
    return 100.0 * float(ci.low), 100.0 * float(ci.high)


def _pair(ci: tuple[float, float]) -> tuple[float, float]:
    low, high = ci
    return float(low), float(high)


# --- bootstrap arguments through confidence_interval and _interval ---------------------


def test_bootstrap_seed_reaches_the_interval() -> None:
    res = cx.nps(BOOT_ANSWERS)
    seeded = _pair(res.confidence_interval(method="bootstrap", rng=1))
    assert seeded == pytest.approx(_boot(rng=1), abs=1e-9)
    # another seed gives another interval, so the seed is not ignored
    assert _boot(rng=1) != pytest.approx(_boot(rng=0), abs=1e-9)
    assert seeded != pytest.approx(_boot(rng=0), abs=1e-9)


def test_bootstrap_generator_equals_its_seed() -> None:
    res = cx.nps(BOOT_ANSWERS)
    gen = np.random.default_rng(1)
    from_gen = _pair(res.confidence_interval(method="bootstrap", rng=gen))
    assert from_gen == pytest.approx(_boot(rng=1), abs=1e-9)
    assert from_gen != pytest.approx(_boot(rng=0), abs=1e-9)


def test_bootstrap_default_seed_is_zero() -> None:
    res = cx.nps(BOOT_ANSWERS)
    default = _pair(res.confidence_interval(method="bootstrap"))
    assert default == pytest.approx(_boot(rng=0), abs=1e-9)
    assert default == _pair(res.confidence_interval(method="bootstrap", rng=0))


def test_bootstrap_resample_count_reaches_the_interval() -> None:
    res = cx.nps(BOOT_ANSWERS)
    few = _pair(res.confidence_interval(method="bootstrap", n_resamples=2000, rng=0))
    assert few == pytest.approx(_boot(n_resamples=2000, rng=0), abs=1e-9)
    assert few != pytest.approx(_boot(n_resamples=10_000, rng=0), abs=1e-9)


def test_bootstrap_default_resample_count_is_ten_thousand() -> None:
    res = cx.nps(BOOT_ANSWERS)
    default = _pair(res.confidence_interval(method="bootstrap", rng=0))
    assert default == pytest.approx(_boot(n_resamples=10_000, rng=0), abs=1e-9)
    # one resample more moves the upper percentile: the default is exactly 10,000
    assert default != pytest.approx(_boot(n_resamples=10_001, rng=0), abs=1e-9)


def test_grouped_bootstrap_seed_and_resamples() -> None:
    # group "a" holds the fixture, group "b" a second sample; each group's interval
    # is net_score_interval of its own counts with the same seed
    answers = [*BOOT_ANSWERS, 10, 10, 9, 8, 0, 3]
    by = ["a"] * N + ["b"] * 6
    res = cx.nps(answers, by=by)
    low, high = res.confidence_interval(method="bootstrap", n_resamples=3000, rng=4)
    want = net_score_interval(
        [PRO, 3], [DET, 2], [N, 6], method="bootstrap", n_resamples=3000, rng=4
    )
    np.testing.assert_allclose(low, 100.0 * want.low, atol=1e-9)
    np.testing.assert_allclose(high, 100.0 * want.high, atol=1e-9)
    other = net_score_interval(
        [PRO, 3], [DET, 2], [N, 6], method="bootstrap", n_resamples=3000, rng=0
    )
    assert not np.allclose(np.asarray(low), 100.0 * np.asarray(other.low), atol=1e-9)


# --- str(NPSResult) ---------------------------------------------------------------------


def test_str_shows_the_adjusted_wald_interval() -> None:
    res = cx.nps([10] * 50 + [8] * 30 + [3] * 20)
    # adjusted Wald (Rocks 2016): 3/4 added to promoters and detractors, 3 to n
    pp, pn, n = 50.75 / 103, 20.75 / 103, 103
    est = pp - pn
    half = NormalDist().inv_cdf(0.975) * math.sqrt((pp + pn - est * est) / n)
    low, high = 100 * (est - half), 100 * (est + half)  # 14.05..., 44.20...
    assert f"{low:.1f} {high:.1f}" == "14.1 44.2"
    assert str(res) == (
        "NPS 30.0 (95% CI 14.1 to 44.2; n=100, promoters=50, passives=30, "
        "detractors=20)"
    )


# --- a scheme without passives: the passive share of an empty result --------------------


def test_no_passive_scheme_empty_share_is_nan() -> None:
    scheme = NPSScheme(promoter_min=7, detractor_max=6)
    assert scheme.passive_range is None
    with pytest.warns(UndefinedMetricWarning):
        empty = cx.NPSState.empty(scheme).compute()
    assert isinstance(empty.passive_share, float)
    assert math.isnan(empty.passive_share)
    with pytest.warns(UndefinedMetricWarning):
        grouped = cx.nps([9, 3, 7], by=["a"] * 3, levels=["a", "b"], scheme=scheme)
    assert grouped.passive_share.dtype == np.float64
    assert grouped.passive_share[0] == 0.0
    assert math.isnan(grouped.passive_share[1])
    assert grouped.passives.tolist() == [0, 0]


# --- the errstate around the standard error ---------------------------------------------


def _no_runtime_warning_compute(state: cx.NPSState) -> cx.NPSResult:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return state.compute()


def test_zero_effective_n_zero_variance_is_silent() -> None:
    # weight sums without weight squares: effective n is 0 while the shares are
    # defined; all promoters make the variance 0, so the standard error is 0/0
    state = cx.NPSState(
        NPSScheme(),
        counts=[0] * 9 + [1, 1],
        weight_sums=[0.0] * 9 + [0.5, 0.5],
        weight_squares=[0.0] * 11,
    )
    res = _no_runtime_warning_compute(state)
    assert res.value == 100.0
    assert res.effective_n == 0.0
    assert math.isnan(res.standard_error)


def test_zero_effective_n_positive_variance_is_silent() -> None:
    # one promoter and one detractor of equal weight: variance 1 - 0 = 1, over n_eff 0
    state = cx.NPSState(
        NPSScheme(),
        counts=[1] + [0] * 9 + [1],
        weight_sums=[0.5] + [0.0] * 9 + [0.5],
        weight_squares=[0.0] * 11,
    )
    res = _no_runtime_warning_compute(state)
    assert res.value == 0.0
    assert res.effective_n == 0.0
    assert not math.isfinite(res.standard_error)


# --- compute() defaults: min_n=0, small_groups='suppress' -------------------------------


def test_state_compute_defaults() -> None:
    state = cx.NPSState.from_responses([10, 3])
    res = state.compute()
    assert res == state.compute(min_n=0, small_groups="suppress")
    assert res.flagged is False
    assert res.value == 0.0
    # an empty state is not flagged by default (min_n=1 would flag it)
    with pytest.warns(UndefinedMetricWarning):
        empty = cx.NPSState.empty().compute()
    assert empty.flagged is False
    # small_groups defaults to suppressing: under min_n the estimate and counts go
    small = state.compute(min_n=3)
    assert small.flagged is True
    assert math.isnan(small.value)
    assert (small.promoters, small.detractors, small.n) == (0, 0, 2)
    flagged = state.compute(min_n=3, small_groups="flag")
    assert (flagged.value, flagged.promoters) == (0.0, 1)


def test_grouped_state_compute_defaults() -> None:
    state = cx.GroupedNPSState.from_responses(
        [10, 3, 9], by=["a", "a", "c"], levels=["a", "b", "c"]
    )
    with pytest.warns(UndefinedMetricWarning):
        res = state.compute()
    with pytest.warns(UndefinedMetricWarning):
        explicit = state.compute(min_n=0, small_groups="suppress")
    assert res == explicit
    # the empty group "b" is not flagged by default (min_n=1 would flag it)
    assert res.flagged.tolist() == [False, False, False]
    assert res.value[0] == 0.0
    assert res.value[2] == 100.0
    # small_groups defaults to suppressing: group "c" (one answer) is blanked
    with pytest.warns(UndefinedMetricWarning):
        small = state.compute(min_n=2)
    assert small.flagged.tolist() == [False, True, True]
    assert math.isnan(small.value[2])
    assert small.promoters.tolist() == [1, 0, 0]
    assert small.n.tolist() == [2, 0, 1]


# --- enps: by, levels and defaults ------------------------------------------------------


def test_enps_levels_add_empty_groups_in_order() -> None:
    with pytest.warns(UndefinedMetricWarning):
        res = cx.enps([9, 3, 10], by=["b", "a", "b"], levels=["c", "b", "a"])
    assert res.keys.tolist() == ["c", "b", "a"]
    assert res.n.tolist() == [0, 2, 1]
    assert math.isnan(res.value[0])
    assert res.value[1:].tolist() == [100.0, -100.0]
    # without levels only the observed groups, sorted
    plain = cx.enps([9, 3, 10], by=["b", "a", "b"])
    assert plain.keys.tolist() == ["a", "b"]
    assert plain.value.tolist() == [-100.0, 100.0]


def test_enps_levels_without_by_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="`levels`"):
        cx.enps([9, 3, 10], levels=["a", "b"])  # type: ignore[call-overload]


def test_enps_default_min_n_flags_nothing() -> None:
    with pytest.warns(UndefinedMetricWarning):
        res = cx.enps([9, 3], by=["a", "a"], levels=["a", "b"])
    # min_n=0: the empty group "b" is not flagged (min_n=1 would flag it)
    assert res.flagged.tolist() == [False, False]
    with pytest.warns(UndefinedMetricWarning):
        scalar = cx.enps([])
    assert scalar.flagged is False
