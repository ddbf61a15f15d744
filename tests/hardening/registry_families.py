"""Registry entries of the newer families: experiments, journeys, voice, workforce (issue #20).

The same contract as :mod:`registry`: valid-input strategies per argument; the
property test replaces one by a bad value and expects a result or a
:class:`~cxmetrics.exceptions.CXMetricsError` naming it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import cxmetrics as cx
from hardening.registry import Entry
from hardening.registry_more import MORE_ENTRIES

N = 8


def _same(elements: st.SearchStrategy[Any], n: int = N) -> st.SearchStrategy[list[Any]]:
    return st.lists(elements, min_size=n, max_size=n)


arms = st.just(["control", "test"] * (N // 2))
level = st.floats(0.5, 0.99)

FAMILY_ENTRIES: list[Entry] = [
    # experiments --------------------------------------------------------------------
    Entry(
        "experiment",
        cx.experiment,
        (("values", _same(st.floats(0.0, 100.0))), ("arm", arms)),
        (
            ("control", st.just("control")),
            ("kind", st.just("mean")),
            ("confidence_level", level),
        ),
    ),
    Entry(
        "experiment(nps)",
        cx.experiment,
        (("values", _same(st.integers(0, 10))), ("arm", arms)),
        (("control", st.just("control")), ("kind", st.just("nps"))),
    ),
    Entry(
        "sample_ratio_mismatch",
        cx.sample_ratio_mismatch,
        (("counts", st.lists(st.integers(50, 500), min_size=2, max_size=4)),),
        (("threshold", st.floats(1e-6, 0.05)),),
    ),
    Entry(
        "adjust_pvalues",
        cx.adjust_pvalues,
        (("pvalues", st.lists(st.floats(0.0, 1.0), min_size=1, max_size=N)),),
        (("method", st.sampled_from(["holm", "bonferroni", "benjamini_hochberg"])),),
    ),
    # journeys -------------------------------------------------------------------------
    Entry(
        "funnel",
        cx.funnel,
        (
            ("units", st.just(["a", "a", "b", "b", "c", "c"])),
            ("times", st.just([0, 30, 5, 100, 7, 8])),
            ("events", st.just(["cart", "paid", "cart", "paid", "cart", "view"])),
            ("steps", st.just(["cart", "paid"])),
        ),
        (("window", st.integers(1, 200)),),
    ),
    Entry(
        "time_to_convert",
        cx.time_to_convert,
        (
            ("units", st.just(["a", "a", "b", "b", "c", "c"])),
            ("times", st.just([0, 30, 5, 100, 7, 8])),
            ("events", st.just(["cart", "paid", "cart", "paid", "cart", "view"])),
            ("steps", st.just(["cart", "paid"])),
        ),
        (("window", st.integers(1, 200)), ("as_of", st.integers(100, 300))),
    ),
    # voice ----------------------------------------------------------------------------
    Entry(
        "cohens_kappa",
        cx.cohens_kappa,
        (("rater_a", _same(st.integers(1, 3))), ("rater_b", _same(st.integers(1, 3)))),
        (("n_resamples", st.just(0)),),
    ),
    Entry(
        "p_chart",
        cx.p_chart,
        (("counts", _same(st.integers(0, 20))), ("n", _same(st.integers(20, 40)))),
        (("sigmas", st.floats(1.0, 4.0)),),
    ),
    Entry(
        "i_mr_chart",
        cx.i_mr_chart,
        (("values", _same(st.floats(-100.0, 100.0))),),
    ),
    Entry(
        "james_stein",
        cx.james_stein,
        (
            ("estimates", _same(st.floats(0.0, 1.0), 4)),
            ("variances", _same(st.floats(0.001, 0.1), 4)),
        ),
        (("confidence_level", level),),
    ),
    Entry(
        "shrink_rates",
        cx.shrink_rates,
        (
            ("successes", _same(st.integers(0, 20), 4)),
            ("n", _same(st.integers(20, 40), 4)),
        ),
    ),
    Entry(
        "net_sentiment",
        cx.net_sentiment,
        (("sentiment", _same(st.floats(-1.0, 1.0))),),
    ),
    # workforce ---------------------------------------------------------------------------
    Entry(
        "forecast_accuracy",
        cx.forecast_accuracy,
        (
            ("actual", _same(st.floats(1.0, 100.0))),
            ("forecast", _same(st.floats(1.0, 100.0))),
        ),
    ),
    Entry(
        "seasonal_naive",
        cx.seasonal_naive,
        (("history", _same(st.floats(0.0, 100.0))),),
        (("season", st.integers(1, 4)), ("horizon", st.integers(1, 10))),
    ),
    Entry(
        "estimate_patience",
        cx.estimate_patience,
        (("waits", _same(st.floats(0.0, 600.0))), ("abandoned", _same(st.booleans()))),
    ),
    Entry(
        "arrival_profile",
        cx.arrival_profile,
        (("counts", _same(st.integers(0, 50), 12)),),
        (("periods_per_day", st.just(4)), ("days_per_week", st.just(3))),
    ),
]

# the callables the first registry missed (found by test_registry_complete.py)
FAMILY_ENTRIES += MORE_ENTRIES
