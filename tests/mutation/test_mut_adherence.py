"""Adherence's arguments each checked for their effect on the values (issue #21).

Kills mutants of ``workforce/_adherence.py`` that ``tests/workforce`` lets
through: custom ``off`` labels, missing durations, float state codes, the
missing-value messages, the counts ``n`` and ``n_missing``, integer agent keys,
and the warnings (their text, and none where the value is defined). Where a
warning points (``stacklevel``) is not checked: mutmut's trampoline adds a frame.
Expected values are hand-computed in the comments.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    MissingValueError,
    UndefinedMetricWarning,
)

NAN = math.nan


def test_several_off_labels_and_a_single_label_string():
    sched = ["phone", "phone", "logged_out", "off", "email"]
    actual = ["phone", "logged_out", "phone", "email", "off"]
    # off = {off, logged_out}: scheduled work in rows 0, 1, 4 (3 slices); in
    # adherence row 0 only; worked rows 0, 2, 3
    a = cx.adherence(sched, actual, off=["off", "logged_out"])
    assert (a.scheduled, a.in_adherence, a.worked) == (3.0, 1.0, 3.0)
    assert a.adherence == pytest.approx(1 / 3)
    assert a.conformance == 1.0
    # off = "logged_out" only: 'off' is then an activity; scheduled rows 0, 1, 3,
    # 4, in adherence row 0; worked rows 0, 2, 3, 4
    b = cx.adherence(sched, actual, off="logged_out")
    assert (b.scheduled, b.in_adherence, b.worked) == (4.0, 1.0, 4.0)


def test_missing_durations_are_left_out_and_counted():
    sched = ["phone", "phone", "phone", "break"]
    actual = ["phone", "break", "phone", "break"]
    a = cx.adherence(sched, actual, durations=[10.0, NAN, 30.0, 5.0], nan_policy="omit")
    # row 1 left out: scheduled 10 + 30 + 5, all in adherence
    assert (a.scheduled, a.in_adherence, a.worked) == (45.0, 45.0, 45.0)
    assert (a.n, a.n_missing) == (3, 1)
    assert a.adherence == 1.0
    with pytest.raises(
        MissingValueError,
        match=r"^`durations` has a missing value at index 1 \(1 row\(s\) with a missing value\); pass nan_policy='omit'",
    ):
        cx.adherence(sched, actual, durations=[10.0, NAN, 30.0, 5.0])


def test_missing_scheduled_state_is_named_first():
    # rows 2 and 3 miss their scheduled state (row 3 its actual one too)
    sched = ["phone", "phone", None, None]
    actual = ["phone", None, "phone", None]
    with pytest.raises(
        MissingValueError,
        match=r"^`actual` has a missing value at index 1 \(3 row\(s\)",
    ):
        cx.adherence(sched, actual)
    with pytest.raises(
        MissingValueError,
        match=r"^`scheduled` has a missing value at index 2 \(2 row\(s\)",
    ):
        cx.adherence(sched, ["phone", "phone", "phone", None])
    a = cx.adherence(sched, actual, nan_policy="omit")
    assert (a.n, a.n_missing, a.scheduled, a.in_adherence) == (1, 3, 1.0, 1.0)


def test_float_state_codes_with_nan():
    # states as numeric codes (0 = off); NaN is a missing state
    sched = np.array([1.0, 1.0, 2.0, 0.0, NAN])
    actual = np.array([1.0, 2.0, 2.0, 1.0, 1.0])
    with pytest.raises(
        MissingValueError, match="`scheduled` has a missing value at index 4"
    ):
        cx.adherence(sched, actual, off=[0.0])
    a = cx.adherence(sched, actual, off=[0.0], nan_policy="omit")
    # scheduled rows 0-2 (3), in adherence rows 0 and 2, worked rows 0-3
    assert (a.scheduled, a.in_adherence, a.worked) == (3.0, 2.0, 4.0)
    assert (a.n, a.n_missing) == (4, 1)


def test_object_states_with_none_and_float_nan():
    sched = np.array(["phone", None, "phone", float("nan")], dtype=object)
    actual = np.array(["phone", "phone", "break", "phone"], dtype=object)
    a = cx.adherence(sched, actual, nan_policy="omit")
    assert (a.n, a.n_missing, a.scheduled, a.in_adherence) == (2, 2, 2.0, 1.0)


def test_grouped_counts_and_integer_agent_keys():
    # agents 101 and 102 (a dense integer range of keys); 102's rows all missing
    sched = ["phone", "phone", "break", None, "phone"]
    actual = ["phone", "email", "break", "phone", None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        g = cx.adherence(sched, actual, by=[101, 101, 101, 102, 102], nan_policy="omit")
    assert g.keys.tolist() == [101, 102]
    assert g.n.tolist() == [3, 0]
    assert g.n_missing.tolist() == [0, 2]
    assert g.scheduled.tolist() == [3.0, 0.0]
    assert g.in_adherence.tolist() == [2.0, 0.0]
    assert g[101].adherence == pytest.approx(2 / 3)
    assert np.isnan(g[102].adherence)


def test_one_scheduled_slice_is_defined_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = cx.adherence(["phone"], ["phone"])
        g = cx.adherence(["phone", "phone"], ["phone", "off"], by=["a", "b"])
    assert (a.adherence, a.conformance) == (1.0, 1.0)
    # b was scheduled on the phone and was off: 0, not undefined
    assert g.adherence.tolist() == [1.0, 0.0]
    assert g.conformance.tolist() == [1.0, 0.0]


def test_undefined_warnings_text():
    with pytest.warns(UndefinedMetricWarning) as rec:
        a = cx.adherence(["off"], ["phone"])
    assert [str(w.message) for w in rec] == [
        "adherence is undefined with no scheduled working time; returning NaN."
    ]
    assert np.isnan(a.adherence)
    assert np.isnan(a.conformance)
    assert a.worked == 1.0
    # a group scheduled off but working: 1/0 conformance is NaN, and no
    # RuntimeWarning escapes (warnings are errors in this suite)
    with pytest.warns(UndefinedMetricWarning) as rec:
        g = cx.adherence(["off", "phone"], ["phone", "phone"], by=["a", "b"])
    assert [str(w.message) for w in rec] == [
        "adherence is undefined for 1 group(s) with no scheduled working time; returning NaN for them."
    ]
    assert np.isnan(g["a"].conformance)
    assert g["a"].worked == 1.0
    assert g["b"].conformance == 1.0


def test_undefined_warnings_point_outside_the_library():
    # stacklevel: the warning names the caller's line, not adherence's own
    # (under mutmut a trampoline frame sits between them, so only "not the
    # library file" is checked)
    with pytest.warns(UndefinedMetricWarning) as rec:
        cx.adherence(["off"], ["phone"])
    with pytest.warns(UndefinedMetricWarning) as rec_g:
        cx.adherence(["off", "phone"], ["phone", "phone"], by=["a", "b"])
    for w in (rec[0], rec_g[0]):
        assert Path(w.filename).name != "_adherence.py"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"scheduled": [["phone"]], "actual": ["phone"]},
            "`scheduled` must be 1-D; got an array of shape (1, 1).",
        ),
        (
            {"scheduled": ["phone"], "actual": [["phone"]]},
            "`actual` must be 1-D; got an array of shape (1, 1).",
        ),
        (
            {"scheduled": ["phone", "off"], "actual": ["phone"]},
            "`actual` must have the same length as `scheduled` (2); got 1.",
        ),
        (
            {"scheduled": ["phone"], "actual": ["phone"], "durations": [1, 2]},
            "`durations` must have the same length as `scheduled` (1); got 2.",
        ),
        (
            {"scheduled": ["phone"], "actual": ["phone"], "by": ["x", "y"]},
            "`by` must have the same length as `scheduled` (1); got 2.",
        ),
    ],
)
def test_shape_errors_name_both_arguments(kwargs, message):
    with pytest.raises(InvalidInputError) as err:
        cx.adherence(**kwargs)
    assert str(err.value) == message
