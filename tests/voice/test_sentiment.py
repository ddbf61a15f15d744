"""Net sentiment: labels, thresholded scores, scorers and the NPS cross-tab."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingDependencyError,
    MissingValueError,
)
from cxmetrics.voice import net_sentiment, sentiment_crosstab, sentiment_scores

# vaderSentiment README (github.com/cjhutto/vaderSentiment), compound scores
VADER_README = {
    "VADER is smart, handsome, and funny.": 0.8316,
    "VADER is not smart, handsome, nor funny.": -0.7424,
    "The book was good.": 0.4404,
    "At least it isn't a horrible book.": 0.431,
    "Today SUX!": -0.5461,
    "Make sure you :) or :D today!": 0.8633,
}


def test_vader_readme_examples():
    pytest.importorskip("vaderSentiment")
    scores = sentiment_scores(list(VADER_README))
    assert scores.tolist() == pytest.approx(list(VADER_README.values()), abs=5e-5)
    res = net_sentiment(scores)  # VADER's cut-offs: compound >= 0.05 / <= -0.05
    assert (res.promoters, res.passives, res.detractors) == (4, 0, 2)
    assert res.value == pytest.approx(100 * (4 - 2) / 6)


def test_missing_vader_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "vaderSentiment", None)
    monkeypatch.setitem(sys.modules, "vaderSentiment.vaderSentiment", None)
    with pytest.raises(MissingDependencyError, match=r"cxmetrics\[sentiment\]"):
        sentiment_scores(["fine"])


@given(
    st.lists(st.sampled_from(["positive", "neutral", "negative", None]), max_size=40)
)
def test_labels_give_the_nps_of_the_mapped_answers(labels):
    present = [v for v in labels if v is not None]
    if not present:
        return
    res = net_sentiment(labels, nan_policy="omit")
    pos = present.count("positive")
    neg = present.count("negative")
    assert res.value == pytest.approx(100 * (pos - neg) / len(present))
    assert res.n == len(present)
    assert res.n_missing == len(labels) - len(present)
    mapped = [{"positive": 10, "neutral": 8, "negative": 0}[v] for v in present]
    assert res.confidence_interval() == cx.nps(mapped).confidence_interval()


@given(
    st.lists(st.floats(-1, 1), min_size=1, max_size=40),
    st.floats(-0.5, 0),
    st.floats(0, 0.5),
)
def test_thresholds_cut_scores(scores, low, high):
    res = net_sentiment(scores, thresholds=(low, high))
    x = np.array(scores)
    pos = int((x >= high).sum())
    neg = int(((x <= low) & (x < high)).sum())
    assert res.promoters == pos
    assert res.detractors == neg
    assert res.passives == len(scores) - pos - neg


def test_grouped_weighted_and_compared_like_nps():
    weeks = ["w1", "w1", "w1", "w2", "w2", "w2", "w2"]
    labels = [
        "positive",
        "negative",
        "neutral",
        "positive",
        "positive",
        "neutral",
        "negative",
    ]
    grouped = net_sentiment(labels, by=weeks)
    assert grouped["w1"].value == pytest.approx(0.0)
    assert grouped["w2"].value == pytest.approx(25.0)
    weighted = net_sentiment(labels, weights=[1, 2, 1, 1, 1, 1, 1])
    assert weighted.value == pytest.approx(100 * (3 - 3) / 8)
    assert isinstance(grouped, cx.GroupedNPSResult)
    assert grouped.confidence_interval().low.shape == (2,)


def test_own_labels_for_spanish_feedback():
    labels = {"positivo": "positive", "neutro": "neutral", "negativo": "negative"}
    res = net_sentiment(["Positivo", "negativo", "neutro", "positivo"], labels=labels)
    assert res.value == pytest.approx(25.0)


def test_crosstab_finds_detractors_who_write_positively():
    comments = ["positive", "positive", "negative", "neutral", "positive", None]
    ltr = [2, 10, 9, 7, np.nan, 5]
    tab = sentiment_crosstab(comments, ltr)
    assert tab["detractor", "positive"] == 1
    assert tab["promoter", "positive"] == 1
    assert tab["promoter", "negative"] == 1
    assert tab["passive", "neutral"] == 1
    assert tab.n == 4
    assert tab.counts.sum() == 4


def test_pluggable_scorer():
    calls = []

    def scorer(texts):
        calls.append(list(texts))
        return [1.0 if "thanks" in t else -1.0 for t in texts]

    scores = sentiment_scores(["thanks a lot", "", None, "never again"], scorer)
    assert calls == [["thanks a lot", "never again"]]
    assert scores[[0, 3]].tolist() == [1.0, -1.0]
    assert np.isnan(scores[[1, 2]]).all()
    assert net_sentiment(scores, nan_policy="omit").value == pytest.approx(0.0)


def test_errors():
    with pytest.raises(InvalidInputError, match=r"label 'great' at index 1"):
        net_sentiment(["positive", "great"])
    with pytest.raises(InvalidInputTypeError, match="mixes labels and scores"):
        net_sentiment(np.array(["positive", 0.4], dtype=object))
    with pytest.raises(MissingValueError, match="the first at index 1"):
        net_sentiment(["positive", None])
    with pytest.raises(InvalidInputError, match="`thresholds` must be ordered"):
        net_sentiment([0.1], thresholds=(0.5, -0.5))
    with pytest.raises(InvalidInputError, match="`nan_policy` must be one of"):
        net_sentiment(["positive"], nan_policy="drop")
    with pytest.raises(InvalidInputError, match=r"labels\['bien'\]"):
        net_sentiment(["bien"], labels={"bien": "good"})
    with pytest.raises(InvalidInputError, match="one score per text"):
        sentiment_scores(["a", "b"], lambda _: [1.0])
    with pytest.raises(InvalidInputError, match="non-finite score"):
        sentiment_scores(["a"], lambda _: [float("nan")])
    with pytest.raises(
        InvalidInputTypeError, match=r"`texts` must be text; got 3 at index 1"
    ):
        sentiment_scores(np.array(["a", 3], dtype=object), lambda _: [0.0])


def test_scorer_is_checked_before_the_texts():
    with pytest.raises(InvalidInputError, match="`scorer` must be one of"):
        sentiment_scores(np.array([object()], dtype=object), "textblob")
    with pytest.raises(
        InvalidInputTypeError, match="`scorer` must be 'vader' or a callable"
    ):
        sentiment_scores(["fine"], 3)  # type: ignore[arg-type]


def test_net_sentiment_results_compare_like_nps():
    a = ["positive"] * 30 + ["negative"] * 20 + ["neutral"] * 10
    b = ["positive"] * 45 + ["negative"] * 10 + ["neutral"] * 5
    diff = cx.compare_nps(net_sentiment(a), net_sentiment(b))
    mapped = {"positive": 10, "neutral": 8, "negative": 0}
    same = cx.compare_nps([mapped[v] for v in a], [mapped[v] for v in b])
    assert diff.value == pytest.approx(100 * (45 - 10) / 60 - 100 * (30 - 20) / 60)
    assert diff.pvalue == pytest.approx(same.pvalue)
