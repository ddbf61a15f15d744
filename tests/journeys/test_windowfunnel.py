"""cxmetrics funnels against ClickHouse's ``windowFunnel``.

Expected levels come from ClickHouse 26.9 through chdb, recorded by
``make_windowfunnel_fixture.py`` beside this file (chdb is too heavy to install
in CI); when chdb is installed the same comparison also runs live on fresh
random logs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import cxmetrics as cx

FIXTURE = json.loads(Path(__file__).with_name("windowfunnel_fixture.json").read_text())
CASES = {c["name"]: c for c in FIXTURE["cases"]}
MODES = ["ordered", "strict_order", "strict_deduplication", "strict_increase"]


def _steps(case):
    return [set(s) for s in case["steps"]]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_levels_match_clickhouse(name, mode):
    case = CASES[name]
    expected = np.array(case["levels"][mode])
    lv = cx.funnel_levels(
        case["units"],
        case["times"],
        case["events"],
        _steps(case),
        window=case["window"],
        mode=mode,
    )
    np.testing.assert_array_equal(lv.units, expected[:, 0])
    np.testing.assert_array_equal(lv.level, expected[:, 1])


def test_clickhouse_documentation_example():
    # ClickHouse docs, windowFunnel: user 1's events 1003 -> 1009 -> 1007 -> 1010
    # (in time order) reach level 4; the events arrive unsorted
    case = CASES["clickhouse_docs"]
    res = cx.funnel(
        case["units"],
        case["times"],
        case["events"],
        ["1003", "1009", "1007", "1010"],
        window=case["window"],
    )
    assert res.counts.tolist() == [0, 0, 0, 0, 1]


def test_edge_cases_named():
    # hand-checked against ClickHouse (see make_windowfunnel_fixture.py):
    # unit 4 has a first A at 0, outside the window of the chain A(50) -> B(55)
    lv = {
        mode: dict(
            zip(*np.array(CASES["edges"]["levels"][mode]).T.tolist(), strict=True)
        )
        for mode in MODES
    }
    assert lv["ordered"][4] == 2  # the later chain counts
    assert lv["strict_order"][3] == 1  # X between A and B stops the scan
    assert lv["strict_deduplication"][6] == 2  # the repeated B stops the scan
    assert lv["strict_increase"][1] == 1  # ties do not advance
    assert lv["ordered"][1] == 3  # ties advance by default


def test_datetime_log_equals_numeric_seconds():
    case = CASES["random_0"]
    secs = np.array(case["times"], dtype=np.int64)
    when = np.datetime64("2026-03-01T00:00:00", "s") + secs.astype("timedelta64[s]")
    for mode in MODES:
        a = cx.funnel_levels(
            case["units"],
            secs,
            case["events"],
            _steps(case),
            window=case["window"],
            mode=mode,
        )
        b = cx.funnel_levels(
            case["units"],
            when,
            case["events"],
            _steps(case),
            window=np.timedelta64(case["window"], "s"),
            mode=mode,
        )
        np.testing.assert_array_equal(a.level, b.level)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("seed", [1, 2])
def test_live_against_chdb(mode, seed):
    pytest.importorskip("chdb")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "mkfix", Path(__file__).with_name("make_windowfunnel_fixture.py")
    )
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rng = np.random.default_rng(seed)
    n = 3000
    units = rng.integers(0, 200, n)
    times = rng.integers(0, 80, n)
    events = rng.choice(list("ABCDEQX"), n)
    steps = [{"A", "Q"}, {"B", "Q"}, {"C"}, {"D"}, {"E"}]
    expected = np.array(mod.clickhouse_levels(units, times, events, steps, 25, mode))
    lv = cx.funnel_levels(units, times, events, steps, window=25, mode=mode)
    np.testing.assert_array_equal(lv.units, expected[:, 0])
    np.testing.assert_array_equal(lv.level, expected[:, 1])
