"""Registry entries of the ``plot`` charts: results of the wrong kind, bad options (issue #20).

A chart takes a result; the bad values of ``result`` are models, schemes,
states and results of another metric (a model where a result is expected).
Importing this module needs matplotlib: the test module skips without it.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import plot, report
from hardening.registry import Entry
from hardening.registry_models import BG, SBG, WRONG_OBJECTS

# (the doctest run imports every file under tests/, also where the extra is absent)
pytest.importorskip("matplotlib")
HAS_SCIPY = importlib.util.find_spec("scipy") is not None

_T = np.array(
    ["2024-01-05", "2024-02-11", "2024-01-20", "2024-03-02", "2024-03-09"],
    dtype="datetime64[D]",
)
NPS_BY = cx.nps([10, 9, 3, 7, 10, 2], by=["q1", "q1", "q2", "q2", "q3", "q3"])
CSAT_BY = cx.csat([5, 4, 1, 3, 5, 2], by=["x", "x", "y", "y", "z", "z"])
KM = cx.kaplan_meier([1.0, 2.0, 3.0, 4.0], [True, False, True, True])
COHORT = cx.cohort_matrix(["x", "x", "y", "y", "z"], _T)
FUNNEL = cx.funnel(
    ["a", "a", "b", "b"],
    [0, 30, 5, 9],
    ["cart", "paid", "cart", "view"],
    ["cart", "paid"],
    window=60,
)

CONTROL = cx.p_chart([5, 6, 4, 20], [50, 50, 50, 50])
DRIVERS = cx.key_drivers(
    [1.0, 3.0, 2.0, 5.0, 4.0, 6.0],
    {"speed": [1, 2, 2, 4, 3, 5], "courtesy": [2, 1, 3, 3, 5, 4]},
    n_resamples=0,
)
SHRUNK = cx.james_stein([0.7, 0.8, 0.9, 0.75], 0.01)
LIFT = cx.experiment([4.0, 6, 5, 7, 8, 9], list("aabbcc"), control="a")
SCHEDULE = (  # schedule_shifts solves with scipy (the models extra)
    cx.schedule_shifts(
        [1, 2, 3, 3, 2, 2, 1, 1],
        cx.shift_patterns([0, 2, 4], 4, periods_per_day=8, cyclic=False),
    )
    if HAS_SCIPY
    else None
)

#: a chart's result replaced by an object of another kind
OTHER_RESULTS = (*WRONG_OBJECTS, KM, COHORT, CSAT_BY, cx.NPSState.from_responses([9]))
level = st.floats(0.5, 0.99)
options = (("confidence_level", level),)

PLOT_ENTRIES: list[Entry] = [
    Entry(
        "plot.score_trend",
        plot.score_trend,
        (("result", st.just(NPS_BY)),),
        options,
        bad=(("result", OTHER_RESULTS),),
    ),
    Entry(
        "plot.answer_mix",
        plot.answer_mix,
        (("result", st.just(NPS_BY)),),
        bad=(("result", OTHER_RESULTS),),
    ),
    Entry(
        "plot.rate_by_group",
        plot.rate_by_group,
        (("result", st.just(CSAT_BY)),),
        (*options, ("target", st.floats(0.1, 0.9))),
        bad=(("result", OTHER_RESULTS),),
    ),
    Entry(
        "plot.survival_curve",
        plot.survival_curve,
        (("result", st.just(KM)),),
        options,
        bad=(("result", OTHER_RESULTS),),
    ),
    Entry(
        "plot.cohort_heatmap",
        plot.cohort_heatmap,
        (("result", st.just(COHORT)),),
        bad=(("result", OTHER_RESULTS),),
    ),
    Entry(
        "plot.funnel_chart",
        plot.funnel_chart,
        (("result", st.just(FUNNEL)),),
        options,
        bad=(("result", OTHER_RESULTS),),
    ),
    Entry(
        "plot.p_alive_matrix",
        plot.p_alive_matrix,
        (("model", st.just(BG)), ("T", st.floats(1.0, 100.0))),
        (("max_frequency", st.integers(0, 30)),),
        bad=(("model", (*OTHER_RESULTS, SBG)),),
    ),
    Entry(
        "plot.distribution",
        plot.distribution,
        (("values", st.lists(st.floats(0.0, 1e4), min_size=1, max_size=20)),),
        (("bins", st.integers(1, 50)),),
    ),
    Entry(
        "plot.control_chart",
        plot.control_chart,
        (("result", st.sampled_from([CONTROL, cx.i_mr_chart([3.0, 4.0, 2.0, 9.0])])),),
        bad=(("result", OTHER_RESULTS),),
    ),
    Entry(
        "plot.driver_quadrant",
        plot.driver_quadrant,
        (("result", st.just(DRIVERS)),),
        bad=(("result", OTHER_RESULTS),),
    ),
    Entry(
        "plot.funnel_plot",
        plot.funnel_plot,
        (("result", st.just(SHRUNK)),),
        (
            ("sigmas", st.sampled_from([(2.0, 3.0), (1.0,)])),
            ("shrunk", st.booleans()),
        ),
        bad=(
            ("result", OTHER_RESULTS),
            ("sigmas", ((), (0.0,), (-1.0, 2.0), ("2",), (float("nan"),))),
        ),
    ),
    Entry(
        "plot.lift_chart",
        plot.lift_chart,
        (("results", st.just({"handle time": LIFT})),),
        options,
        bad=(("results", ({"x": KM}, {}, {1: LIFT}, [LIFT, LIFT], {"x": None})),),
    ),
    Entry(
        "report.funnel_section",
        report.funnel_section,
        (
            (
                "events",
                st.just(
                    {
                        "unit": ["a", "a", "b", "c"],
                        "time": [0, 60, 10, 5],
                        "event": ["cart", "paid", "cart", "paid"],
                    }
                ),
            ),
            ("steps", st.just(["cart", "paid"])),
        ),
        (("window", st.integers(60, 7200)),),
        bad=(
            (
                "events",
                (
                    {"unit": ["a"], "time": [0]},
                    {"unit": ["a", "b"], "time": [0], "event": ["cart", "paid"]},
                    {"unit": [], "time": [], "event": []},
                ),
            ),
        ),
    ),
]
if HAS_SCIPY:
    PLOT_ENTRIES.append(
        Entry(
            "plot.schedule_coverage",
            plot.schedule_coverage,
            (("result", st.just(SCHEDULE)),),
            (("target_service_level", st.none() | st.floats(0.5, 0.95)),),
            bad=(("result", OTHER_RESULTS),),
        )
    )
