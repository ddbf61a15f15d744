"""Every state of every family survives a JSON round trip and merges exactly after it.

Daily partials stored as JSON and combined later must give the state of the whole.
The test finds the state classes by name in the public API, so a new state that
is not covered here fails the completeness check.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import cxmetrics as cx

T = np.array(
    [
        "2024-01-03",
        "2024-02-10",
        "2024-02-11",
        "2024-03-05",
        "2024-03-20",
        "2024-05-01",
    ],
    dtype="datetime64[s]",
)
END = T + np.timedelta64(40 * 86400, "s")


def _halves():  # builders per state class; halves split customers disjointly
    return {
        "NPSState": lambda s: cx.NPSState.from_responses(
            [10, 9, 3, 7, 0, 8][s], weights=np.linspace(0.5, 2, 6)[s]
        ),
        "CSATState": lambda s: cx.CSATState.from_responses([5, 4, 1, 3, 2, 5][s]),
        "CESState": lambda s: cx.CESState.from_responses([7, 1, 4, 5, 6, 2][s]),
        "GroupedNPSState": lambda s: cx.GroupedNPSState.from_responses(
            [10, 9, 3, 7, 0, 8][s], by=list("abcabd")[s]
        ),
        "GroupedCSATState": lambda s: cx.GroupedCSATState.from_responses(
            [5, 4, 1, 3, 2, 5][s],
            by=[1, 2, 3, 1, 2, 9][s],
            weights=np.arange(1.0, 7)[s],
        ),
        "GroupedCESState": lambda s: cx.GroupedCESState.from_responses(
            [7, 1, 4, 5, 6, 2][s], by=[True, False, True, True, False, False][s]
        ),
        "ContactState": lambda s: cx.ContactState.from_contacts(
            [5, 30, 12, 40, 2, 90][s], [False, False, True, True, False, False][s]
        ),
        "GroupedContactState": lambda s: cx.GroupedContactState.from_contacts(
            [5, 30, 12, 40, 2, 90][s],
            [False, False, True, True, False, False][s],
            arrived=T[s],
            interval=86400 * 30.0,
            by=list("xyxyxy")[s],
        ),
        "SurvivalState": lambda s: cx.SurvivalState.from_durations(
            [5, 8, 8, 3, 1.5, 9][s], [1, 0, 1, 1, 0, 1][s]
        ),
        "GroupedSurvivalState": lambda s: cx.GroupedSurvivalState.from_durations(
            [5, 8, 8, 3, 1.5, 9][s], list("abbaab")[s], [1, 0, 1, 1, 0, 1][s]
        ),
        "ChurnState": lambda s: cx.ChurnState.from_spells(
            [1, 2, 3, 4, 5, 6][s],
            T[s],
            END[s],
            window_start="2024-02-01",
            window_end="2024-03-01",
        ),
        "GroupedChurnState": lambda s: cx.GroupedChurnState.from_spells(
            [1, 2, 3, 4, 5, 6][s], T[s], END[s], first="2024-01-01", last="2024-06-01"
        ),
        "SLAComplianceState": lambda s: sum(
            cx.SLAComplianceState(np.array([k]), [row], "target")
            for k, row in zip(
                np.array(["p1", "p2", "p1", "p3", "p2", "p1"])[s],
                np.arange(36).reshape(6, 6)[s] % 4,
                strict=True,
            )
        ),
        "RFMState": lambda s: cx.RFMState.from_transactions(
            list("xxyzzw")[s],
            T[s],
            [10.0, 12.5, 3.0, 8.0, 8.25, 40.0][s],
            observation_end="2024-06-01",
        ),
        "CohortState": lambda s: cx.CohortState.from_activity(list("xxyzzw")[s], T[s]),
        "DurationSketchState": lambda s: cx.DurationSketchState.from_durations(
            [30.0, 0.0, 600.0, 45.0, 3600.0, float("nan")][s], by=list("abaabb")[s]
        ),
        "PatienceState": lambda s: cx.PatienceState.from_waits(
            [30.0, 60.0, 10.0, 100.0, 20.5, 7.0][s],
            [True, False, True, False, True, False][s],
            by=list("qqrqrr")[s],
        ),
        "ExperimentState": lambda s: cx.ExperimentState.from_units(
            [310.0, 295.5, 402.0, 280.25, 333.0, 290.0][s],
            ["old", "new", "old", "new", "old", "new"][s],
            covariate=[3.0, 1.0, 4.0, 0.0, 2.0, 5.0][s],
        ),
        "FunnelState": lambda s: cx.FunnelState.from_log(
            list("aabccd")[s],
            T[s],
            ["cart", "paid", "cart", "cart", "paid", "view"][s],
            ["cart", "paid"],
            window=np.timedelta64(60, "D"),
            by=["web", "web", "app", "app", "app", "web"][s],
        ),
    }


CASES = _halves()
FIRST, SECOND, ALL = slice(0, 3), slice(3, 6), slice(0, 6)


def test_every_public_state_is_covered():
    states = {name for name in cx.__all__ if name.endswith("State")}
    assert states == set(CASES), f"add a case for {states ^ set(CASES)}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_round_trip_then_merge(name):
    build = CASES[name]
    cls = getattr(cx, name)
    a, b = build(FIRST), build(SECOND)
    back_a = cls.from_dict(json.loads(json.dumps(a.to_dict())))
    back_b = cls.from_dict(json.loads(json.dumps(b.to_dict())))
    assert back_a == a
    assert back_b == b
    merged = back_a + back_b
    whole = build(ALL)
    if getattr(whole, "weight_sums", None) is not None:
        np.testing.assert_array_equal(merged.counts, whole.counts)
        np.testing.assert_allclose(merged.weight_sums, whole.weight_sums, rtol=1e-12)
    else:
        assert merged == whole
    assert merged == a + b


@pytest.mark.parametrize("name", sorted(CASES))
def test_from_dict_refuses_another_type(name):
    cls = getattr(cx, name)
    other = "NPSState" if name != "NPSState" else "CSATState"
    with pytest.raises(cx.exceptions.InvalidInputError, match="not a"):
        cls.from_dict(CASES[other](ALL).to_dict())
