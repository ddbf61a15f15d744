"""Regression tests for bugs found on real survey data (issues #12 and #20).

- grouped CSAT, and the CES share of easy answers, with ``min_n`` crashed in
  ``to_pandas()``, ``confidence_interval()``, the plots and the command line
  whenever a group was suppressed (``count must lie in [0, nobs]; got count=nan``);
- options were checked only after the pass over the answers;
- ``compare_*`` compared results built on different schemes;
- comparisons that come out NaN (n = 1, zero weights) were silent.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)

# the reproduction from the bug report: group "b" has 2 answers, min_n is 3
SCORES = [5, 4, 3, 5, 1, 2, 5, 5, 4]
GROUPS = ["a"] * 7 + ["b"] * 2


def _csat(**kw):
    return cx.csat(SCORES, by=GROUPS, min_n=3, **kw)


def _ces_share(**kw):
    return cx.ces(SCORES, by=GROUPS, min_n=3, definition="share", **kw)


# --- suppressed groups: NaN intervals, no crash -------------------------------------


@pytest.mark.parametrize("make", [_csat, _ces_share], ids=["csat", "ces_share"])
@pytest.mark.parametrize("small_groups", [None, "suppress"])
def test_suppressed_group_gives_nan_interval(make, small_groups):
    kw = {} if small_groups is None else {"small_groups": small_groups}
    res = make(**kw)  # default small_groups is 'suppress'
    assert res.flagged.tolist() == [False, True]
    assert math.isnan(res.value[1])
    ci = res.confidence_interval()
    share = res.share_interval()
    assert np.isnan(ci.low[1])
    assert np.isnan(ci.high[1])
    assert np.isnan(share.low[1])
    assert np.isnan(share.high[1])
    # the kept group's interval is the one it has on its own
    own = (
        cx.csat(SCORES[:7]) if make is _csat else cx.ces(SCORES[:7], definition="share")
    )
    assert (ci.low[0], ci.high[0]) == own.confidence_interval()
    # and the table shows it, with NaN for the suppressed group
    pd = pytest.importorskip("pandas")
    frame = res.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert frame["ci_low"].isna().tolist() == [False, True]
    assert frame["ci_high"].isna().tolist() == [False, True]
    assert frame.loc[1, "n"] == 2  # n is kept so a reader sees why
    pytest.importorskip("polars")
    assert res.to_polars()["ci_low"].is_nan().to_list() == [False, True]
    assert "nan" in repr(res)


def test_flagged_groups_keep_their_interval():
    res = _csat(small_groups="flag")
    ci = res.confidence_interval()
    assert res.flagged.tolist() == [False, True]
    assert (ci.low[1], ci.high[1]) == cx.csat([5, 4]).confidence_interval()


def test_suppressed_scalar_and_weighted_results():
    res = cx.csat([5, 4], min_n=3)
    assert res.flagged
    assert all(math.isnan(b) for b in res.confidence_interval())
    assert all(math.isnan(b) for b in res.share_interval(method="wald"))
    assert str(res) == "CSAT share undefined (fewer than min_n answers (n=2))"
    weighted = cx.ces(
        SCORES, by=GROUPS, weights=np.linspace(0.5, 2, 9), min_n=3, definition="share"
    )
    ci = weighted.confidence_interval(method="agresti_coull")
    assert np.isnan(ci.low[1])
    assert not np.isnan(ci.low[0])


def test_every_share_method_handles_suppressed_groups():
    pytest.importorskip("scipy")
    res = _csat()
    for method in ("wilson", "agresti_coull", "wald", "jeffreys", "clopper_pearson"):
        ci = res.confidence_interval(method=method)
        assert np.isnan(ci.low[1]), method
        assert not np.isnan(ci.low[0]), method


@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=60),
    st.lists(st.sampled_from(["x", "y", "z"]), min_size=60, max_size=60),
    st.integers(0, 30),
)
def test_suppression_never_crashes_and_blanks_exactly_the_small_groups(
    scores, groups, min_n
):
    by = groups[: len(scores)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        res = cx.csat(scores, by=by, min_n=min_n)
        full = cx.csat(scores, by=by)
    ci = res.confidence_interval()
    small = res.n < min_n
    assert np.array_equal(res.flagged, small)
    assert np.isnan(ci.low[small]).all()
    assert np.array_equal(ci.low[~small], full.confidence_interval().low[~small])
    assert len(res.to_dict()["ci_low"]) == len(res)


def test_plots_draw_suppressed_groups():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from cxmetrics import plot

    try:
        for res in (_csat(), _ces_share(), cx.nps(SCORES, by=GROUPS, min_n=3)):
            ax = plot.score_trend(res)
            (line,) = ax.lines
            y = line.get_ydata()
            assert not np.isnan(y[0])
            assert np.isnan(y[1])
            ax.figure.canvas.draw()  # renders with a gap for the suppressed group
    finally:
        plt.close("all")


def test_command_line_prints_suppressed_groups(tmp_path, capsys):
    from cxmetrics.cli import main

    path = tmp_path / "answers.csv"
    path.write_text(
        "csat,ces,team\n"
        + "".join(f"{s},{s},{g}\n" for s, g in zip(SCORES, GROUPS, strict=True))
    )
    for metric in ("csat", "ces"):
        status = main(
            [
                "survey",
                str(path),
                "--metric",
                metric,
                "--by",
                "team",
                "--min-n",
                "3",
                "--format",
                "json",
            ]
        )
        out, err = capsys.readouterr()
        assert (status, err) == (0, "")
        (table,) = json.loads(out)["tables"]
        rows = {r["team"]: r for r in table["rows"]}
        assert rows["b"]["value"] is None  # suppressed: null, not a number
        assert rows["b"]["ci_low"] is None
        assert rows["b"]["suppressed"] is True
        assert rows["a"]["ci_low"] is not None
        assert rows["a"]["suppressed"] is False


# --- options are checked before the pass over the answers ---------------------------

# answers that would raise their own error in the pass: an unknown label and a
# value out of the scale
BAD_DATA = ["not a score", 99]

SCORE_OPTIONS = [
    ({"nan_policy": "drop"}, InvalidInputError, "`nan_policy` must be one of"),
    ({"small_groups": "bogus"}, InvalidInputError, "`small_groups` must be one of"),
    ({"min_n": -1}, InvalidInputError, "`min_n` must be >= 0"),
    ({"min_n": 2.5}, InvalidInputTypeError, "`min_n` must be an integer"),
    ({"scheme": "0-10"}, InvalidInputTypeError, "`scheme` must be a"),
]


@pytest.mark.parametrize("by", [None, ["a", "b"]])
@pytest.mark.parametrize("function", [cx.nps, cx.enps, cx.csat, cx.ces])
@pytest.mark.parametrize(("option", "error", "pattern"), SCORE_OPTIONS)
def test_score_options_are_checked_before_the_answers(
    function, by, option, error, pattern
):
    with pytest.raises(error, match=pattern):
        function(BAD_DATA, by=by, **option)


@pytest.mark.parametrize("by", [None, ["a", "b"]])
@pytest.mark.parametrize("function", [cx.csat, cx.ces])
def test_definition_is_checked_before_the_answers(function, by):
    with pytest.raises(InvalidInputError, match="`definition` must be one of"):
        function(BAD_DATA, by=by, definition="median")


def test_wrong_kind_of_scheme_is_named():
    with pytest.raises(InvalidInputTypeError, match=r"`scheme` must be a NPSScheme"):
        cx.nps([9, 10], scheme=cx.CSATScheme())
    with pytest.raises(InvalidInputTypeError, match=r"`scheme` must be a CESScheme"):
        cx.CESState.from_responses([9, 10], scheme=cx.NPSScheme())
    with pytest.raises(InvalidInputTypeError, match=r"must be a CSATScheme"):
        cx.GroupedCSATState.from_responses([9], by=[1], scheme=cx.CESScheme())


def test_compute_checks_its_options():
    s = cx.CSATState.from_responses([5, 4])
    with pytest.raises(InvalidInputError, match="`small_groups`"):
        s.compute(small_groups="hide")
    with pytest.raises(InvalidInputError, match="`definition`"):
        s.compute(definition="median")
    with pytest.raises(InvalidInputError, match="`min_n` must be >= 0"):
        cx.GroupedNPSState.from_responses([9], by=[1]).compute(min_n=-2)


COMPARE_OPTIONS = [
    ({"nan_policy": "drop"}, InvalidInputError, "`nan_policy` must be one of"),
    ({"alternative": "bigger"}, InvalidInputError, "`alternative` must be one of"),
    ({"paired": "yes"}, InvalidInputTypeError, "`paired` must be True or False"),
    ({"scheme": 5}, InvalidInputTypeError, "`scheme` must be a"),
]


@pytest.mark.parametrize("function", [cx.compare_nps, cx.compare_csat, cx.compare_ces])
@pytest.mark.parametrize(("option", "error", "pattern"), COMPARE_OPTIONS)
def test_compare_options_are_checked_before_the_answers(
    function, option, error, pattern
):
    with pytest.raises(error, match=pattern):
        function(BAD_DATA, BAD_DATA, **option)


def test_compare_specific_options_are_checked_first():
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        cx.compare_nps(BAD_DATA, BAD_DATA, method="score")
    for function in (cx.compare_csat, cx.compare_ces):
        with pytest.raises(InvalidInputError, match="`test` must be one of"):
            function(BAD_DATA, BAD_DATA, test="welch")
        with pytest.raises(InvalidInputError, match="`definition` must be one of"):
            function(BAD_DATA, BAD_DATA, definition="median")


# --- comparisons across schemes are refused ----------------------------------------


def test_compare_ces_refuses_different_schemes():
    # the issue #20 report: 1-5 lower-is-easier against 1-7 higher-is-easier
    ces1 = cx.ces([1, 2, 2, 1, 3, 2, 1, 2], scheme=cx.CESScheme.ces1())
    ces2 = cx.ces([6, 7, 5, 6, 7, 6, 7, 5])
    with pytest.raises(
        IncompatibleStateError,
        match=r"compare_ces cannot compare a result on scheme CESScheme\(low=1, high=5, "
        r"easy_min=1, easy_max=2\) with one on scheme CESScheme\(low=1, high=7, "
        r"easy_min=5, easy_max=7\)",
    ):
        cx.compare_ces(ces1, ces2)
    # a result against raw answers read with another scheme is refused as well
    with pytest.raises(IncompatibleStateError, match="CESScheme"):
        cx.compare_ces(ces1, [6, 7, 5, 6])
    # with the same scheme it is fine
    same = cx.compare_ces(ces1, [1, 1, 2], scheme=cx.CESScheme.ces1())
    assert same.estimate_a == ces1.value


def test_compare_nps_and_csat_refuse_different_schemes():
    with pytest.raises(IncompatibleStateError, match=r"promoter_min=8.*promoter_min=9"):
        cx.compare_nps(
            cx.nps([9, 8, 3], scheme=cx.NPSScheme(promoter_min=8)), cx.nps([9, 8, 3])
        )
    with pytest.raises(IncompatibleStateError, match=r"high=7.*high=5"):
        cx.compare_csat(
            cx.csat([7, 6], scheme=cx.CSATScheme(high=7, satisfied_min=6)),
            cx.csat([5, 4]),
        )


def test_compare_ignores_label_wording():
    en = cx.CSATScheme.from_labels(
        ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
    )
    es = cx.CSATScheme.from_labels(
        ["Muy insatisfecho", "Insatisfecho", "Neutral", "Satisfecho", "Muy satisfecho"]
    )
    a = cx.csat(["Satisfied", "Neutral", "Very satisfied"], scheme=en)
    b = cx.csat(["Satisfecho", "Muy satisfecho", "Muy satisfecho"], scheme=es)
    assert cx.compare_csat(a, b) == cx.compare_csat([4, 3, 5], [4, 5, 5])


# --- NaN comparisons warn ------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "kwargs"),
    [
        (cx.compare_ces, {}),  # n = 1: no variance of the mean
        (cx.compare_csat, {"definition": "mean"}),
        (cx.compare_ces, {"paired": True}),
        (cx.compare_csat, {"definition": "mean", "paired": True}),
    ],
)
def test_comparison_with_one_answer_warns(function, kwargs):
    with pytest.warns(UndefinedMetricWarning, match=r"undefined \(NaN\).*n_a=1, n_b=1"):
        d = function([5], [4], **kwargs)
    assert math.isnan(d.standard_error)
    assert math.isnan(d.pvalue)


@pytest.mark.parametrize("function", [cx.compare_nps, cx.compare_csat, cx.compare_ces])
def test_comparison_with_zero_weights_warns(function):
    with pytest.warns(UndefinedMetricWarning, match=r"value, standard_error, pvalue"):
        d = function([5, 4], [4, 3], paired=True, weights=[0.0, 0.0])
    assert math.isnan(d.value)
    with pytest.warns(UndefinedMetricWarning) as record:
        d = function([5, 4], [4, 3], weights_a=[0.0, 0.0], weights_b=[1.0, 1.0])
    assert math.isnan(d.value)
    messages = [str(w.message) for w in record]
    # the sample's own warning, then the comparison's
    assert any("zero total weight" in m for m in messages)
    assert any(m.startswith(f"{function.__name__}: value") for m in messages)


def test_defined_comparisons_do_not_warn():
    # filterwarnings = error: any warning here fails the test
    cx.compare_nps([9, 10, 3], [10, 7, 2])
    cx.compare_csat([5, 4, 2], [4, 4, 3], paired=True)
    cx.compare_ces([5, 4, 2], [7, 6, 6], definition="mean")
