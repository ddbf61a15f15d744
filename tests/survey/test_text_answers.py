"""Answers stored as text: numbers as text, "10 - Extremely likely", scheme labels."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxmetrics as cx
import cxmetrics.survey._inputs as inputs
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)
from strategies import csat_answers, nps_answers, split_points

EN = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
ES = ["Muy insatisfecho", "Insatisfecho", "Neutral", "Satisfecho", "Muy satisfecho"]
BILINGUAL = cx.CSATScheme.from_labels(EN, ES)

# a CSAT export as it comes: Spanish and English labels, odd case and spacing,
# a number stored as text, and the usual blanks
EXPORT = [
    "Muy satisfecho",
    "Satisfied",
    None,
    "  very   SATISFIED ",
    "Insatisfecho",
    "",
    "Neutral",
    "4",
    "Satisfecho",
    "Very dissatisfied",
]
EXPORT_POINTS = [5, 4, None, 5, 2, None, 3, 4, 4, 1]
SEGMENT = ["es", "en", "en", "en", "es", "es", "es", "en", "es", "en"]


def numpy_only(hide: bool = True):
    """Hide pandas from sys.modules: object columns take the numpy-only path."""
    return mock.patch.dict(sys.modules, {"pandas": None}) if hide else nullcontext()


BOTH_PATHS = pytest.mark.parametrize(
    "hide_pandas", [False, True], ids=["pandas", "numpy"]
)


def test_from_labels_builds_the_scale():
    assert (BILINGUAL.low, BILINGUAL.high, BILINGUAL.satisfied_min) == (1, 5, 4)
    labels = dict(BILINGUAL.labels)
    assert labels["Very satisfied"] == labels["Muy satisfecho"] == 5
    assert labels["Neutral"] == 3
    # a label common to both languages is kept once
    assert [lb for lb, _ in BILINGUAL.labels].count("Neutral") == 1
    ces = cx.CESScheme.from_labels(
        ["Muy fácil", "Fácil", "Difícil", "Muy difícil"], easy_min=1, easy_max=2
    )
    assert (ces.low, ces.high, ces.higher_is_easier) == (1, 4, False)
    nps = cx.NPSScheme.from_labels([f"{i} pts" for i in range(11)])
    assert nps == cx.NPSScheme()


def test_pandas_string_column_with_nulls():
    pd = pytest.importorskip("pandas")
    want = cx.csat(np.array(EXPORT_POINTS, dtype=float), nan_policy="omit")
    for dtype in (object, "string", "category"):
        col = pd.Series(EXPORT, dtype=dtype).replace(
            {None: pd.NA} if dtype == "string" else {}
        )
        res = cx.csat(col, scheme=BILINGUAL, nan_policy="omit")
        assert res == want, dtype
        assert (res.n, res.n_missing, res.satisfied) == (8, 2, 5)
    # grouped, with a pandas key column
    by = pd.Series(SEGMENT)
    res = cx.csat(
        pd.Series(EXPORT, dtype="string"), by=by, scheme=BILINGUAL, nan_policy="omit"
    )
    assert res.keys.tolist() == ["en", "es"]
    assert res.n.tolist() == [4, 4]
    assert res.n_missing.tolist() == [1, 1]
    assert res["es"].counts == (0, 1, 1, 1, 1)


def test_polars_string_column_with_nulls():
    pl = pytest.importorskip("polars")
    col = pl.Series("csat", EXPORT)
    res = cx.csat(col, scheme=BILINGUAL, nan_policy="omit")
    assert res == cx.csat(np.array(EXPORT_POINTS, dtype=float), nan_policy="omit")
    cat = pl.Series("csat", EXPORT, dtype=pl.Categorical)
    assert cx.csat(cat, scheme=BILINGUAL, nan_policy="omit") == res


@BOTH_PATHS
def test_missing_answers_follow_nan_policy(hide_pandas):
    pd = pytest.importorskip("pandas")
    mixed = np.array(
        ["5", None, np.nan, pd.NA, "", "   ", 4, "nan", "<NA>"], dtype=object
    )
    with numpy_only(hide_pandas):
        res = cx.csat(mixed, nan_policy="omit")
        assert (res.n, res.n_missing, res.counts) == (2, 7, (0, 0, 0, 1, 1))
        with pytest.raises(MissingValueError, match=r"7 missing value\(s\).*index 1"):
            cx.csat(mixed)
    with pytest.raises(
        MissingValueError,
        match=r"2 missing value\(s\) \(NaN/None\), the first at index 2",
    ):
        cx.csat(EXPORT, scheme=BILINGUAL)


def test_nps_export_with_numbered_labels():
    # SurveyMonkey / Qualtrics style: the end points carry their wording
    answers = [
        "10 - Extremely likely",
        "9",
        " 8 ",
        "0 - Not at all likely",
        "7.0",
        "10 \u2013 Extremely likely",  # en dash
        "5: Neutral",
        "3 (unlikely)",
        10,
        None,
    ]
    res = cx.nps(answers, nan_policy="omit")
    assert res == cx.nps([10, 9, 8, 0, 7, 10, 5, 3, 10, None], nan_policy="omit")
    assert (res.promoters, res.passives, res.detractors) == (4, 2, 3)


def test_labels_take_precedence_over_leading_numbers():
    # a label that starts with a number is read as the label says
    scheme = cx.CSATScheme(labels={"1 star": 1, "5 stars": 5, "4 stars": 4})
    assert cx.csat(["5 stars", "1 star", "4 stars"], scheme=scheme).counts == (
        1,
        0,
        0,
        1,
        1,
    )
    swapped = cx.CSATScheme(labels={"1 - best": 5, "5 - worst": 1})
    assert cx.csat(["1 - best", "5 - worst"], scheme=swapped).counts == (1, 0, 0, 0, 1)


def test_numbers_as_text_are_range_checked_with_their_index():
    with pytest.raises(
        InvalidInputError, match=r"must lie in \[0, 10\]; got 11.0 at index 2"
    ):
        cx.nps(["9", "10", "11"])
    with pytest.raises(InvalidInputError, match=r"whole numbers; got 8.5 at index 1"):
        cx.nps(["9", "8.5"])
    with pytest.raises(
        InvalidInputError, match=r"must lie in \[1, 5\]; got 7.0 at index 0"
    ):
        cx.csat(["7 - Delighted", "5"])


@BOTH_PATHS
def test_unknown_labels_are_listed_with_counts(hide_pandas):
    answers = (
        ["Satisfied"] * 3
        + ["Bueno"] * 4
        + ["N/A"] * 2
        + ["meh", "ok", "fine", "so-so", "great"]
    )
    with numpy_only(hide_pandas), pytest.raises(InvalidInputError) as info:
        cx.csat(np.array(answers, dtype=object), scheme=cx.CSATScheme.from_labels(EN))
    msg = str(info.value)
    assert "`responses` has 11 answer(s) that are neither numbers nor labels" in msg
    assert (
        "(7 distinct): 'Bueno' (4), 'N/A' (2), 'fine' (1), 'great' (1), 'meh' (1), and 2 more"
        in msg
    )
    assert "the first at index 3" in msg
    assert "The scheme's 5 label(s) include 'Very dissatisfied', 'Dissatisfied'" in msg
    with pytest.raises(
        InvalidInputError,
        match=r"'x' \(1\); the first at index 1\. The scheme has no labels\.",
    ):
        cx.ces(["5", "x"])
    with pytest.raises(InvalidInputError, match=r"`a` has 1 answer"):
        cx.compare_csat(["5", "good"], ["4", "5"], paired=True)


@BOTH_PATHS
def test_text_of_other_kinds_is_refused(hide_pandas):
    with (
        numpy_only(hide_pandas),
        pytest.raises(
            InvalidInputTypeError, match=r"got b'x' of type bytes at index 2 \(1 such"
        ),
    ):
        cx.nps(np.array([9, "9", b"x", None], dtype=object))
    with pytest.raises(
        InvalidInputTypeError, match=r"got \[1\] of type list at index 1"
    ):
        cx.nps(np.array([9, [1], "9"], dtype=object))


@BOTH_PATHS
def test_each_distinct_text_is_parsed_once(monkeypatch, hide_pandas):
    calls = []
    real = inputs._read_text

    def counting(text, lookup):
        calls.append(text)
        return real(text, lookup)

    monkeypatch.setattr(inputs, "_read_text", counting)
    answers = np.array(["Muy satisfecho", "4", "Satisfied"] * 10_000, dtype=object)
    with numpy_only(hide_pandas):
        res = cx.csat(answers, scheme=BILINGUAL)
    assert res.n == 30_000
    assert sorted(calls) == ["4", "Muy satisfecho", "Satisfied"]


def test_byte_strings():
    assert cx.nps(np.array([b"9", b"10", b"3"])) == cx.nps([9, 10, 3])


def test_scheme_labels_are_checked():
    with pytest.raises(
        InvalidInputError, match=r"maps 'Delighted' to 6, outside the scale \[1, 5\]"
    ):
        cx.CSATScheme(labels={"Delighted": 6})
    with pytest.raises(
        InvalidInputError, match=r"gives 'Good' the point 4 and 'good ' the point 5"
    ):
        cx.CSATScheme(labels={"Good": 4, "good ": 5})
    with pytest.raises(InvalidInputTypeError, match="keys must be non-empty text"):
        cx.CSATScheme(labels={"  ": 4})
    with pytest.raises(InvalidInputTypeError, match="integer scale point"):
        cx.CSATScheme(labels={"Good": 4.0})
    with pytest.raises(InvalidInputTypeError, match="got the string"):
        cx.CSATScheme(labels="Good")
    with pytest.raises(InvalidInputError, match=r"lengths \[3, 5\]"):
        cx.CSATScheme.from_labels(EN, ["a", "b", "c"])
    with pytest.raises(InvalidInputTypeError, match=r"CESScheme\(labels=\.\.\.\)"):
        cx.CESScheme.from_labels({"Easy": 7})
    with pytest.raises(InvalidInputTypeError, match="takes lists of labels"):
        cx.CSATScheme.from_labels("Very satisfied")
    with pytest.raises(InvalidInputError, match="at least one list"):
        cx.CSATScheme.from_labels()
    with pytest.raises(InvalidInputError, match="satisfied_min <= high"):
        cx.CSATScheme.from_labels(["Bad", "OK", "Good"])  # 1-3 needs satisfied_min
    assert cx.CSATScheme.from_labels(["Bad", "OK", "Good"], satisfied_min=3).high == 3


def test_labels_are_not_part_of_scheme_equality():
    plain = cx.CSATScheme()
    assert plain == BILINGUAL
    assert hash(BILINGUAL) == hash(plain)
    assert cx.CSATScheme.from_labels(EN) == cx.CSATScheme.from_labels(ES)
    assert repr(plain) == "CSATScheme(low=1, high=5, satisfied_min=4)"
    assert repr(cx.CSATScheme(labels={"Bien": 4})) == (
        "CSATScheme(low=1, high=5, satisfied_min=4, labels={'Bien': 4})"
    )


def test_states_from_english_and_spanish_exports_merge():
    en = cx.CSATState.from_responses(
        ["Satisfied", "Very satisfied", "Neutral"], scheme=cx.CSATScheme.from_labels(EN)
    )
    es = cx.CSATState.from_responses(
        ["Muy satisfecho", "Insatisfecho"], scheme=cx.CSATScheme.from_labels(ES)
    )
    whole = cx.CSATState.from_responses([4, 5, 3, 5, 2])
    assert en + es == whole
    assert es + en == whole
    assert sum([en, es], cx.CSATState.empty()) == whole
    g_en = cx.GroupedCSATState.from_responses(
        ["Satisfied"], by=["web"], scheme=cx.CSATScheme.from_labels(EN)
    )
    g_es = cx.GroupedCSATState.from_responses(
        ["Insatisfecho"], by=["web"], scheme=cx.CSATScheme.from_labels(ES)
    )
    assert (g_en + g_es) == cx.GroupedCSATState.from_responses(
        [4, 2], by=["web", "web"]
    )
    # the scale still has to match
    seven = cx.CSATScheme.from_labels(
        [str(i) + " stars" for i in range(1, 8)], satisfied_min=6
    )
    with pytest.raises(cx.exceptions.IncompatibleStateError, match="high=7"):
        en + cx.CSATState.from_responses(["7 stars"], scheme=seven)


def test_labels_survive_to_dict():
    state = cx.CSATState.from_responses(EXPORT, scheme=BILINGUAL, nan_policy="omit")
    stored = json.loads(json.dumps(state.to_dict()))
    assert stored["scheme"]["labels"][0] == ["Very dissatisfied", 1]
    back = cx.CSATState.from_dict(stored)
    assert back == state
    assert back.scheme.labels == BILINGUAL.labels
    # schemes without labels serialise as before
    assert "labels" not in cx.NPSState.from_responses([9]).to_dict()["scheme"]
    grouped = cx.GroupedCESState.from_responses(
        ["Agree", "7"], by=["a", "b"], scheme=cx.CESScheme(labels={"Agree": 6})
    )
    assert cx.GroupedCESState.from_dict(grouped.to_dict()).scheme.labels == (
        ("Agree", 6),
    )


def test_paired_comparison_of_labelled_answers():
    wave1 = ["Neutral", "Satisfied", "Very dissatisfied", "Satisfied"]
    wave2 = ["Satisfecho", "Muy satisfecho", "Neutral", "Satisfecho"]
    d = cx.compare_csat(wave1, wave2, paired=True, scheme=BILINGUAL, definition="mean")
    assert d == cx.compare_csat(
        [3, 4, 1, 4], [4, 5, 3, 4], paired=True, definition="mean"
    )


# --- properties ----------------------------------------------------------------------


PADS = ["", " ", "  ", "\t", "\n"]
CASES = [str, str.upper, str.lower, str.title]


def _per_answer(data, n, strategy):
    """One draw per answer, drawn as one list (fast)."""
    return data.draw(st.lists(strategy, min_size=n, max_size=n))


@given(nps_answers, st.data())
def test_text_numbers_give_the_same_result_as_numbers(x, data):
    pads = _per_answer(
        data, x.size, st.tuples(st.sampled_from(PADS), st.sampled_from(PADS))
    )
    as_text = [f"{a}{int(v)}{b}" for v, (a, b) in zip(x, pads, strict=True)]
    kind = data.draw(st.sampled_from(["list", "unicode", "object"]))
    text = (
        as_text
        if kind == "list"
        else np.array(as_text, dtype=object if kind == "object" else str)
    )
    assert cx.NPSState.from_responses(text) == cx.NPSState.from_responses(x)
    if x.size:
        assert cx.nps(text) == cx.nps(x)


@given(csat_answers, st.data())
def test_labelled_answers_equal_the_mapped_numbers(x, data):
    # each answer as a label (English or Spanish, any case, padded) or a number as text
    how = _per_answer(
        data,
        x.size,
        st.tuples(
            st.sampled_from([EN, ES, None]),
            st.sampled_from(CASES),
            st.sampled_from(PADS),
        ),
    )
    text: list[object] = [
        str(int(v)) if names is None else pad + case(names[v - 1]) + pad
        for v, (names, case, pad) in zip(x, how, strict=True)
    ]
    codes = x.astype(float)
    if x.size:
        for i in data.draw(st.lists(st.integers(0, x.size - 1), max_size=3)):
            text[i] = data.draw(st.sampled_from([None, "", " ", float("nan")]))
            codes[i] = np.nan
    with numpy_only(data.draw(st.booleans())):
        got = cx.CSATState.from_responses(text, scheme=BILINGUAL, nan_policy="omit")
    assert got == cx.CSATState.from_responses(codes, nan_policy="omit")
    if x.size:
        by = _per_answer(data, x.size, st.sampled_from(["a", "b"]))
        grouped = cx.GroupedCSATState.from_responses(
            text, by, scheme=BILINGUAL, nan_policy="omit"
        )
        assert grouped == cx.GroupedCSATState.from_responses(
            codes, by, nan_policy="omit"
        )


@pytest.mark.filterwarnings("ignore::cxmetrics.exceptions.UndefinedMetricWarning")
@given(st.lists(st.text(max_size=6), max_size=12))
def test_arbitrary_text_gives_a_result_or_a_clear_error(texts):
    try:
        res = cx.csat(texts, scheme=BILINGUAL, nan_policy="omit")
    except (InvalidInputError, InvalidInputTypeError):
        return
    except cx.exceptions.CXMetricsError:  # pragma: no cover
        raise
    assert res.n + res.n_missing == len(texts)


@given(csat_answers, st.data())
def test_chunks_in_either_language_merge_to_the_whole(x, data):
    # a file per country: each chunk is worded in one language, with its own scheme
    cuts = data.draw(split_points(x.size))
    by = np.array(_per_answer(data, x.size, st.sampled_from(["web", "phone"])))
    states, grouped = [], []
    for i, (chunk, keys) in enumerate(
        zip(np.split(x, cuts), np.split(by, cuts), strict=True)
    ):
        names = EN if i % 2 else ES
        scheme = cx.CSATScheme.from_labels(names)
        text = np.array([names[v - 1] for v in chunk], dtype=object)
        states.append(cx.CSATState.from_responses(text, scheme=scheme))
        if chunk.size:
            grouped.append(
                cx.GroupedCSATState.from_responses(text, keys, scheme=scheme)
            )
    assert sum(states, cx.CSATState.empty()) == cx.CSATState.from_responses(x)
    if x.size:
        assert sum(grouped, cx.GroupedCSATState.empty()) == (
            cx.GroupedCSATState.from_responses(x, by)
        )
