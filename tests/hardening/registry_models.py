"""Registry entries of model objects and their predictions (issue #20, item 14).

The front doors of :mod:`registry` build results from data; the entries here
cover what a user does next with a model: constructing one from parameters,
its prediction methods (CLV purchase and spend models, fitted or not; sBG
projections) and the vectorised Erlang functions. Arguments that expect an
object carry ``bad`` values of the wrong kind (another model, a scheme of
another family, a result where a model is expected, a class instead of an
instance).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

import cxmetrics as cx
from hardening.registry import Entry

N = 8  # customers of the prediction arrays below
_X = [0, 1, 2, 5, 0, 3, 1, 0]
_TX = [0.0, 10.0, 20.0, 30.0, 0.0, 25.0, 5.0, 0.0]
_T = [40.0, 40.0, 35.0, 40.0, 30.0, 40.0, 20.0, 10.0]
_TXD = [0, 2, 3, 6, 0, 5, 1, 0]  # BG/BB: discrete opportunities
_ND = [6, 6, 6, 6, 6, 6, 6, 6]
_SPEND = [0.0, 12.0, 8.0, 30.0, 0.0, 9.0, 10.0, 0.0]

frequency = st.just(_X)
recency = st.just(_TX)
big_t = st.just(_T)
spend = st.just(_SPEND)
horizon = st.floats(0.5, 100.0)
# a positive rate below 4e-6 is a documented limit of the sBG's discounted series
rate = st.one_of(st.just(0.0), st.floats(1e-5, 0.2))
param = st.floats(0.1, 20.0)

BG = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
PN = cx.ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669)
BB = cx.BGBBModel(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
GG = cx.GammaGammaModel(p=6.25, q=3.74, gamma=15.44)
SBG = cx.SBGModel(alpha=0.668, beta=3.806)


@functools.cache
def _fits() -> dict[str, Any]:
    """Fitted results (built once, on first use: they need scipy)."""
    return {
        "bgnbd": cx.bgnbd(_X, _TX, _T),
        "gamma_gamma": cx.gamma_gamma([1, 2, 3, 1, 4], [10.0, 12.0, 8.0, 30.0, 9.0]),
        "sbg": cx.sbg([1000, 869, 743, 653, 593, 551, 517, 491]),
    }


def _fitted(fit: str, method: str) -> Callable[..., Any]:
    """A method of a fitted result, called on the result built once."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_fits()[fit], method)(*args, **kwargs)

    call.__name__ = f"{fit}().{method}"
    return call


#: objects of the wrong kind where a model, a result or a scheme is expected
WRONG_OBJECTS: tuple[Any, ...] = (
    GG,
    BB,
    SBG,
    cx.BGNBDModel,  # the class, not a model
    cx.NPSScheme(),
    cx.nps([9, 10, 3]),
    cx.kaplan_meier([1.0, 2.0, 3.0], [True, True, False]),
)

#: ragged, nested and mixed inputs where arrays are expected
RAGGED: tuple[Any, ...] = (
    [[1, 2], [3, 4, 5]],
    [[0.5], [1.0, 2.0]],
    [None, None],
    [[1, 2, 3]] * 3,
    np.zeros((2, 2, 2)),
    [1, [2, 3]],
    {1: 2},  # a mapping
)


def _arrays(*names: str) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    return tuple((n, RAGGED) for n in names)


def _rfm_entries(label: str, model: Any) -> list[Entry]:
    """The prediction methods shared by BG/NBD and Pareto/NBD models."""
    rfm = (("frequency", frequency), ("recency", recency), ("T", big_t))
    money = (
        ("steps", st.integers(1, 24)),
        ("step_length", st.floats(0.5, 5.0)),
        ("discount_rate", rate),
    )
    return [
        Entry(
            f"{label}.probability_alive",
            model.probability_alive,
            rfm,
            bad=_arrays("frequency", "recency", "T"),
        ),
        Entry(
            f"{label}.expected_purchases",
            model.expected_purchases,
            (("t", horizon),),
            bad=_arrays("t"),
        ),
        Entry(
            f"{label}.conditional_expected_purchases",
            model.conditional_expected_purchases,
            (("t", horizon), *rfm),
            bad=_arrays("t", "frequency", "recency", "T"),
        ),
        Entry(
            f"{label}.discounted_expected_transactions",
            model.discounted_expected_transactions,
            rfm,
            money,
            bad=_arrays("frequency", "T"),
        ),
        Entry(
            f"{label}.customer_lifetime_value",
            model.customer_lifetime_value,
            (*rfm, ("monetary_value", spend)),
            (("margin", st.floats(0.05, 1.0)), *money),
            bad=_arrays("monetary_value", "recency"),
        ),
        Entry(
            f"{label}.log_likelihood_of",
            model.log_likelihood_of,
            rfm,
            (("weights", st.just([1.0] * N)),),
            bad=_arrays("frequency", "weights"),
        ),
    ]


MODEL_ENTRIES: list[Entry] = [
    # constructors -----------------------------------------------------------------
    Entry(
        "BGNBDModel",
        cx.BGNBDModel,
        (("r", param), ("alpha", param), ("a", param), ("b", param)),
    ),
    Entry(
        "ParetoNBDModel",
        cx.ParetoNBDModel,
        (("r", param), ("alpha", param), ("s", param), ("beta", param)),
    ),
    Entry(
        "BGBBModel",
        cx.BGBBModel,
        (("alpha", param), ("beta", param), ("gamma", param), ("delta", param)),
    ),
    Entry(
        "GammaGammaModel",
        cx.GammaGammaModel,
        (("p", param), ("q", st.floats(1.5, 20.0)), ("gamma", param)),
    ),
    Entry("SBGModel", cx.SBGModel, (("alpha", param), ("beta", param))),
    # BG/NBD and Pareto/NBD predictions -----------------------------------------------
    *_rfm_entries("BGNBDModel", BG),
    *_rfm_entries("ParetoNBDModel", PN),
    # BG/BB predictions (discrete opportunities) -------------------------------------
    Entry(
        "BGBBModel.probability_alive",
        BB.probability_alive,
        (
            ("frequency", frequency),
            ("recency", st.just(_TXD)),
            ("n_periods", st.just(_ND)),
        ),
        bad=_arrays("frequency", "recency", "n_periods"),
    ),
    Entry(
        "BGBBModel.expected_purchases",
        BB.expected_purchases,
        (("n_periods", st.integers(0, 50)),),
        bad=_arrays("n_periods"),
    ),
    Entry(
        "BGBBModel.conditional_expected_purchases",
        BB.conditional_expected_purchases,
        (
            ("n_star", st.integers(0, 20)),
            ("frequency", frequency),
            ("recency", st.just(_TXD)),
            ("n_periods", st.just(_ND)),
        ),
        bad=_arrays("n_star", "frequency", "n_periods"),
    ),
    Entry(
        "BGBBModel.log_likelihood_of",
        BB.log_likelihood_of,
        (
            ("frequency", frequency),
            ("recency", st.just(_TXD)),
            ("n_periods", st.just(_ND)),
        ),
        (("weights", st.just([1.0] * N)),),
        bad=_arrays("n_periods", "weights"),
    ),
    # Gamma-Gamma spend and CLV ---------------------------------------------------------
    Entry(
        "GammaGammaModel.conditional_expected_spend",
        GG.conditional_expected_spend,
        (("frequency", frequency), ("monetary_value", spend)),
        bad=_arrays("frequency", "monetary_value"),
    ),
    Entry(
        "GammaGammaModel.customer_lifetime_value",
        GG.customer_lifetime_value,
        (
            ("purchase_model", st.sampled_from([BG, PN])),
            ("frequency", frequency),
            ("recency", recency),
            ("T", big_t),
            ("monetary_value", spend),
        ),
        (("margin", st.floats(0.05, 1.0)), ("steps", st.integers(1, 24))),
        bad=(("purchase_model", WRONG_OBJECTS), *_arrays("monetary_value", "T")),
    ),
    # fitted results: the model's predictions and the fit's intervals ------------------
    Entry(
        "bgnbd().conditional_expected_purchases",
        _fitted("bgnbd", "conditional_expected_purchases"),
        (("t", horizon), ("frequency", frequency), ("recency", recency), ("T", big_t)),
        bad=_arrays("t", "frequency"),
    ),
    Entry(
        "bgnbd().confidence_interval",
        _fitted("bgnbd", "confidence_interval"),
        (("parameter", st.sampled_from(["r", "alpha", "a", "b"])),),
        (
            ("confidence_level", st.floats(0.5, 0.99)),
            ("method", st.sampled_from(["log", "wald"])),
        ),
    ),
    Entry(
        "gamma_gamma().customer_lifetime_value",
        _fitted("gamma_gamma", "customer_lifetime_value"),
        (
            ("purchase_model", st.just(BG)),
            ("frequency", frequency),
            ("recency", recency),
            ("T", big_t),
            ("monetary_value", spend),
        ),
        bad=(("purchase_model", WRONG_OBJECTS),),
    ),
    Entry(
        "sbg().confidence_interval",
        _fitted("sbg", "confidence_interval"),
        (
            ("parameter", st.sampled_from(["alpha", "beta"])),
            ("confidence_level", st.floats(0.5, 0.99)),
        ),
    ),
    # sBG projections ---------------------------------------------------------------------
    Entry(
        "SBGModel.survival",
        SBG.survival,
        (("t", st.lists(st.integers(0, 60), min_size=1, max_size=N)),),
        bad=_arrays("t"),
    ),
    Entry(
        "SBGModel.churn_probability",
        SBG.churn_probability,
        (("t", st.integers(1, 60)),),
        bad=_arrays("t"),
    ),
    Entry(
        "SBGModel.retention_rate",
        SBG.retention_rate,
        (("t", st.lists(st.integers(1, 60), min_size=1, max_size=N)),),
        bad=_arrays("t"),
    ),
    Entry(
        "SBGModel.discounted_expected_lifetime",
        SBG.discounted_expected_lifetime,
        (("discount_rate", rate),),
    ),
    Entry(
        "SBGModel.discounted_expected_residual_lifetime",
        SBG.discounted_expected_residual_lifetime,
        (("discount_rate", rate), ("renewals", st.integers(0, 30))),
        bad=_arrays("renewals"),
    ),
    # the Erlang functions on arrays --------------------------------------------------------
    Entry(
        "erlang_b[]",
        cx.erlang_b,
        (
            ("traffic", st.lists(st.floats(0.5, 50.0), min_size=N, max_size=N)),
            ("agents", st.lists(st.integers(1, 80), min_size=N, max_size=N)),
        ),
        bad=_arrays("traffic", "agents"),
    ),
    Entry(
        "erlang_c[]",
        cx.erlang_c,
        (
            ("traffic", st.lists(st.floats(0.5, 50.0), min_size=N, max_size=N)),
            ("agents", st.lists(st.integers(60, 80), min_size=N, max_size=N)),
        ),
        bad=_arrays("traffic", "agents"),
    ),
    Entry(
        "queue_metrics[]",
        cx.queue_metrics,
        (
            ("traffic", st.lists(st.floats(0.5, 50.0), min_size=N, max_size=N)),
            ("agents", st.lists(st.integers(60, 80), min_size=N, max_size=N)),
        ),
        (
            ("aht", st.lists(st.floats(30.0, 900.0), min_size=N, max_size=N)),
            ("threshold", st.floats(5.0, 60.0)),
        ),
        bad=_arrays("traffic", "agents", "aht"),
    ),
    Entry(
        "agents_required[]",
        cx.agents_required,
        (("traffic", st.lists(st.floats(0.5, 100.0), min_size=N, max_size=N)),),
        (
            ("aht", st.floats(30.0, 900.0)),
            ("target_service_level", st.floats(0.5, 0.95)),
            ("threshold", st.floats(5.0, 60.0)),
            ("max_occupancy", st.floats(0.5, 0.95)),
        ),
        bad=_arrays("traffic", "target_service_level"),
    ),
    # wrong scheme classes and wrong objects at front doors that take one ------------------
    Entry(
        "nps(scheme=)",
        cx.nps,
        (("responses", st.lists(st.integers(0, 10), min_size=N, max_size=N)),),
        (("scheme", st.just(cx.NPSScheme())),),
        bad=(("scheme", (cx.CSATScheme(), cx.CESScheme(), cx.ContactScheme())),),
    ),
    Entry(
        "csat(scheme=)",
        cx.csat,
        (("responses", st.lists(st.integers(1, 5), min_size=N, max_size=N)),),
        (("scheme", st.just(cx.CSATScheme())),),
        bad=(("scheme", (cx.NPSScheme(), cx.CESScheme(), cx.ContactScheme())),),
    ),
    Entry(
        "contact_metrics(scheme=)",
        cx.contact_metrics,
        (
            ("wait", st.lists(st.floats(0.0, 600.0), min_size=N, max_size=N)),
            ("abandoned", st.lists(st.booleans(), min_size=N, max_size=N)),
        ),
        (("scheme", st.just(cx.ContactScheme())),),
        bad=(("scheme", (cx.NPSScheme(), cx.CSATScheme(), SBG)),),
    ),
    Entry(
        "compare_nps(results)",
        cx.compare_nps,
        (
            ("a", st.just(cx.nps([10, 9, 3, 7, 10, 2]))),
            ("b", st.just(cx.nps([10, 10, 8, 7, 1, 9]))),
        ),
        bad=(
            ("a", (cx.csat([1, 2, 5]), cx.NPSState.from_responses([9, 10]), BG)),
            ("b", (cx.ces([1, 7]), cx.GroupedNPSState.from_responses([9], by=["x"]))),
        ),
    ),
    Entry(
        "compare_csat(results)",
        cx.compare_csat,
        (
            ("a", st.just(cx.csat([1, 2, 5, 4, 5]))),
            ("b", st.just(cx.csat([5, 5, 4, 1, 3]))),
        ),
        bad=(("a", (cx.nps([9, 10]), cx.ces([1, 7]), GG)),),
    ),
]
