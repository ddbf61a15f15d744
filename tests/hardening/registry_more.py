"""Registry entries of the public callables the first registry missed (issue #20).

Found by the completeness test (``test_registry_complete.py``): power analysis,
funnel levels, handle time, the voice-of-customer tools, workforce planning, the
building blocks of ``cx.stats`` that compare two samples, and the SLA policy
file reader. The same contract as :mod:`registry`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import stats, support
from hardening.registry import Entry

N = 6
level = st.floats(0.5, 0.99)
share = st.floats(0.05, 0.6)


def _same(elements: st.SearchStrategy[Any], n: int = N) -> st.SearchStrategy[list[Any]]:
    return st.lists(elements, min_size=n, max_size=n)


def _policy_files() -> tuple[list[Path], tuple[Path, ...]]:
    """SLA policy files: valid ones, and malformed ones a user writes."""
    root = Path(tempfile.mkdtemp(prefix="cxmetrics-policy-"))
    valid = {
        "hours.toml": 'unit = "hours"\n[targets.urgent]\nfirst_reply = 1\n'
        "resolution = 8\n",
        "default.toml": 'unit = "hours"\n[targets.low]\nresolution = 24\n'
        "[default]\nresolution = 72\n",
    }
    bad: dict[str, str | bytes] = {
        "empty.toml": "",
        "not_toml.toml": "targets = [\n",
        "latin1.toml": "[targets.h\xe9]\nresolution = 1\n".encode("latin-1"),
        "negative.toml": "[targets.urgent]\nresolution = -1\n",
        "text.toml": '[targets.urgent]\nresolution = "soon"\n',
        "unit.toml": 'unit = "fortnights"\n[targets.urgent]\nresolution = 1\n',
        "nan.toml": "[targets.urgent]\nresolution = nan\n",
        "inf.toml": "[targets.urgent]\nresolution = inf\n",
        "list.toml": "targets = [1, 2]\n",
        "bool.toml": "[targets.urgent]\nresolution = true\n",
    }
    for name, text in {**valid, **bad}.items():
        path = root / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    (root / "folder.toml").mkdir()
    bad_paths = (*(root / n for n in bad), root / "folder.toml", root / "no.toml")
    return [root / n for n in valid], bad_paths


_VALID_POLICIES, _BAD_POLICIES = _policy_files()
_STARTS = np.array(
    ["2024-01-08T09:00", "2024-01-08T13:00", "2024-01-09T10:00"], dtype="datetime64[s]"
)
_ENDS = _STARTS + np.array([1200, 300, 4000], dtype="timedelta64[s]")
_TOURS = cx.shift_patterns(0, 1, periods_per_day=1, days=7, days_on=5)


def _length_scorer(texts: list[str]) -> list[float]:
    return [min(len(t) / 10.0, 1.0) for t in texts]


MORE_ENTRIES: list[Entry] = [
    # experiments ----------------------------------------------------------------------
    Entry(
        "sample_size",
        cx.sample_size,
        (("effect", st.floats(0.02, 0.2)),),
        (
            ("kind", st.just("proportion")),
            ("baseline", st.floats(0.2, 0.6)),
            ("power", st.floats(0.6, 0.95)),
            ("confidence_level", level),
        ),
    ),
    Entry(
        "minimum_detectable_effect",
        cx.minimum_detectable_effect,
        (("n_control", st.integers(50, 5000)),),
        (
            ("kind", st.just("mean")),
            ("std", st.floats(0.5, 20.0)),
            ("power", st.floats(0.6, 0.95)),
            ("ratio", st.floats(0.5, 2.0)),
        ),
    ),
    # journeys -------------------------------------------------------------------------
    Entry(
        "funnel_levels",
        cx.funnel_levels,
        (
            ("units", st.just([1, 1, 1, 2, 3, 3])),
            ("times", st.just([0, 1, 2, 0, 4, 9])),
            ("events", st.just(["A", "B", "C", "B", "A", "B"])),
            ("steps", st.just(["A", "B", "C"])),
        ),
        (("window", st.integers(1, 20)),),
    ),
    # support --------------------------------------------------------------------------
    Entry(
        "handle_time",
        cx.handle_time,
        (
            ("ticket", st.just([3, 3, 7])),
            ("start", st.just(_STARTS)),
            ("end", st.just(_ENDS)),
        ),
        (("calendar", st.sampled_from([None, cx.BusinessCalendar()])),),
    ),
    Entry(
        "read_policy",
        support.read_policy,
        (("path", st.sampled_from(_VALID_POLICIES)),),
        bad=(("path", _BAD_POLICIES),),
    ),
    # voice ----------------------------------------------------------------------------
    Entry(
        "fleiss_kappa",
        cx.fleiss_kappa,
        (("ratings", _same(_same(st.sampled_from(["a", "b", "c"]), 3), 5)),),
        (("n_resamples", st.just(0)), ("confidence_level", level)),
    ),
    Entry(
        "krippendorff_alpha",
        cx.krippendorff_alpha,
        (("ratings", _same(_same(st.integers(1, 4), 3), 5)),),
        (
            ("level", st.sampled_from(["nominal", "ordinal", "interval"])),
            ("n_resamples", st.just(0)),
        ),
    ),
    Entry(
        "key_drivers",
        cx.key_drivers,
        (
            ("outcome", st.just([9, 10, 6, 8, 3, 7, 9, 5, 10, 4])),
            (
                "drivers",
                st.just(
                    {
                        "speed": [4, 5, 3, 4, 1, 3, 5, 2, 5, 2],
                        "courtesy": [5, 5, 4, 4, 2, 4, 4, 3, 5, 3],
                    }
                ),
            ),
        ),
        (
            ("method", st.sampled_from(["lmg", "relative_weights"])),
            ("n_resamples", st.just(0)),
        ),
    ),
    Entry(
        "qa_scores",
        cx.qa_scores,
        (
            ("scores", st.just([[10, 5, 20, 5], [10, 8, 15, 5], [0, 10, 20, 0]])),
            ("max_points", st.just([10, 10, 20, 5])),
        ),
        (("critical", st.just([False, False, False, True])),),
    ),
    Entry(
        "sentiment_scores",
        cx.sentiment_scores,
        (
            ("texts", st.just(["great help", "slow", "ok"])),
            ("scorer", st.just(_length_scorer)),
        ),
    ),
    Entry(
        "sentiment_crosstab",
        cx.sentiment_crosstab,
        (
            ("sentiment", _same(st.floats(-1.0, 1.0))),
            ("responses", _same(st.integers(0, 10))),
        ),
    ),
    Entry(
        "u_chart",
        cx.u_chart,
        (
            ("counts", _same(st.integers(0, 30))),
            ("exposure", _same(st.floats(1000.0, 5000.0))),
        ),
        (("per", st.sampled_from([1.0, 1000.0])), ("sigmas", st.floats(1.0, 4.0))),
    ),
    # workforce ------------------------------------------------------------------------
    Entry(
        "adherence",
        cx.adherence,
        (
            ("scheduled", st.just(["phone", "phone", "break", "phone", "off"])),
            ("actual", st.just(["off", "break", "phone", "phone", "phone"])),
        ),
        (("durations", _same(st.floats(1.0, 60.0), 5)),),
    ),
    Entry(
        "moving_average_forecast",
        cx.moving_average_forecast,
        (("history", _same(st.floats(0.0, 100.0))),),
        (
            ("season", st.integers(1, 3)),
            ("window", st.integers(1, 2)),
            ("horizon", st.integers(1, 5)),
        ),
    ),
    Entry(
        "staff_requirements",
        cx.staff_requirements,
        (("volumes", _same(st.integers(10, 300), 3)),),
        (
            ("interval_length", st.just(1800.0)),
            ("aht", st.floats(60.0, 600.0)),
            ("target_service_level", st.floats(0.5, 0.95)),
            ("threshold", st.floats(10.0, 60.0)),
            ("shrinkage", st.floats(0.0, 0.4)),
        ),
    ),
    Entry(
        "projected_service",
        cx.projected_service,
        (
            ("scheduled", _same(st.integers(5, 20), 3)),
            ("volumes", _same(st.integers(10, 200), 3)),
        ),
        (
            ("interval_length", st.just(1800.0)),
            ("aht", st.floats(60.0, 300.0)),
            ("threshold", st.floats(10.0, 60.0)),
        ),
    ),
    Entry(
        "shift_patterns",
        cx.shift_patterns,
        (("starts", st.just([0, 8])), ("lengths", st.just([8, 8]))),
        (("periods_per_day", st.just(24)), ("days", st.integers(1, 3))),
    ),
    Entry(
        "schedule_shifts",
        cx.schedule_shifts,
        (
            ("required", _same(st.integers(5, 20), 7)),
            ("patterns", st.just(_TOURS)),
        ),
        (("objective", st.just("headcount")),),
    ),
    # stats building blocks (NaN in, NaN out) ------------------------------------------
    Entry(
        "stats.proportion_difference",
        stats.proportion_difference,
        (
            ("count_a", st.integers(0, 40)),
            ("nobs_a", st.integers(40, 80)),
            ("count_b", st.integers(0, 40)),
            ("nobs_b", st.integers(40, 80)),
        ),
        (("n_a", st.integers(40, 80)), ("n_b", st.integers(40, 80))),
        nan_passes=True,
    ),
    Entry(
        "stats.mean_difference",
        stats.mean_difference,
        (
            ("mean_a", st.floats(0.0, 10.0)),
            ("var_a", st.floats(0.1, 5.0)),
            ("nobs_a", st.integers(5, 50)),
            ("mean_b", st.floats(0.0, 10.0)),
            ("var_b", st.floats(0.1, 5.0)),
            ("nobs_b", st.integers(5, 50)),
        ),
        (
            ("n_a", st.integers(5, 50)),
            ("n_b", st.integers(5, 50)),
            ("test", st.sampled_from(["welch", "z"])),
        ),
        nan_passes=True,
    ),
    Entry(
        "stats.net_score_difference",
        stats.net_score_difference,
        (
            ("pos_a", st.integers(0, 20)),
            ("neg_a", st.integers(0, 20)),
            ("nobs_a", st.integers(40, 60)),
            ("pos_b", st.integers(0, 20)),
            ("neg_b", st.integers(0, 20)),
            ("nobs_b", st.integers(40, 60)),
        ),
        (("n_a", st.integers(40, 60)), ("n_b", st.integers(40, 60))),
        nan_passes=True,
    ),
    Entry(
        "stats.net_score_variance",
        stats.net_score_variance,
        (("p_pos", st.floats(0.0, 0.5)), ("p_neg", st.floats(0.0, 0.5))),
        nan_passes=True,
    ),
    Entry(
        "stats.restricted_mle",
        stats.restricted_mle,
        (
            ("positive", st.integers(0, 40)),
            ("negative", st.integers(0, 40)),
            ("nobs", st.integers(80, 100)),
            ("delta", st.floats(-0.5, 0.5)),
        ),
        nan_passes=True,
    ),
    Entry(
        "stats.paired_difference",
        stats.paired_difference,
        (
            ("values", st.just(np.array([-1.0, 0.0, 1.0]))),
            ("weight_sums", _same(st.floats(1.0, 20.0), 3).map(np.array)),
            ("weight_squares", st.floats(30.0, 60.0)),
        ),
        (
            ("n", st.integers(30, 60)),
            ("estimate_a", st.floats(0.0, 1.0)),
            ("estimate_b", st.floats(0.0, 1.0)),
            ("kind", st.just("proportion")),
            ("test", st.sampled_from(["z", "mcnemar", "paired_t"])),
            ("ddof", st.sampled_from([0, 1])),
        ),
        nan_passes=True,
    ),
]
