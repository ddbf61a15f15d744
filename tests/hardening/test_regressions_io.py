"""Regressions of the ``frames`` file and Dask doors found by the second audit (issue #20)."""

from __future__ import annotations

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError

frames = pytest.importorskip("cxmetrics.frames")


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("score,region\n10,n\n9,n\n3,s\n")
    return path


def test_read_chunks_refuses_a_path_that_is_not_a_path(csv_file):
    pytest.importorskip("pyarrow")
    for bad in (None, 3, str(csv_file).encode()):
        with pytest.raises(InvalidInputTypeError, match="`path` must be a str"):
            frames.read_chunks(bad)


def test_read_chunks_checks_columns_on_both_formats(csv_file, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    parquet = tmp_path / "answers.parquet"
    pq.write_table(pa.table({"score": [10, 9], "region": ["n", "s"]}), parquet)
    for path in (csv_file, parquet):
        # one string was read as a list of one-letter names
        with pytest.raises(InvalidInputTypeError, match="`columns` must be a list"):
            list(frames.read_chunks(path, columns="score"))
        with pytest.raises(InvalidInputTypeError, match="`columns` must hold"):
            list(frames.read_chunks(path, columns=[None]))
        with pytest.raises(InvalidInputError, match="`columns` names 'score' more"):
            list(frames.read_chunks(path, columns=["score", "score"]))
        # [] read every column from CSV and none from Parquet
        with pytest.raises(InvalidInputError, match="`columns` is empty"):
            list(frames.read_chunks(path, columns=[]))
        # Parquet gave tables with no column at all, silently
        with pytest.raises(InvalidInputError, match=r"`columns`.*nope"):
            list(frames.read_chunks(path, columns=["nope"]))


def test_read_chunks_names_the_file_for_every_unreadable_one(tmp_path):
    pytest.importorskip("pyarrow")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("score,r\xe9gion\n10,n\n".encode("latin-1"))
    fake = tmp_path / "fake.parquet"
    fake.write_text("score\n10\n")
    for path in (latin, fake):  # UnicodeDecodeError, ArrowInvalid before
        with pytest.raises(InvalidInputError, match="could not be read"):
            list(frames.read_chunks(path))
    with pytest.raises(InvalidInputError, match="could not be read"):
        list(frames.read_chunks(tmp_path / "latin.csv", file_format="parquet"))


def test_read_chunks_refuses_a_duplicated_header(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "dup.csv"
    path.write_text("score,score\n10,9\n")
    with pytest.raises(InvalidInputError, match="'score' more than once"):
        list(frames.read_chunks(path))


def test_read_chunks_of_a_long_first_row_does_not_overflow(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "long.csv"
    path.write_text("note\n" + "x" * (1 << 18) + "\n")
    # the block size rows x line overflowed pyarrow's int32 (OverflowError)
    (table,) = frames.read_chunks(path)
    assert table.num_rows == 1


def test_read_chunks_of_a_header_only_file_is_one_empty_chunk(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "header.csv"
    path.write_text("score,region\n")
    (table,) = frames.read_chunks(path)
    assert table.num_rows == 0
    assert table.column_names == ["score", "region"]


def test_map_states_refuses_what_is_not_a_state_constructor():
    da = pytest.importorskip("dask.array")
    x = da.from_array(np.array([10, 9, 0, 7]), chunks=2)
    with pytest.raises(InvalidInputTypeError, match="`build` must be a state"):
        frames.map_states(None, x)
    # len returned 4 (an int "state"); nps results were added with a TypeError
    for build in (len, cx.nps):
        with pytest.raises(InvalidInputTypeError, match="`build` must return"):
            frames.map_states(build, x)
    with pytest.raises(InvalidInputTypeError, match=r"`build`.*cannot take"):
        frames.map_states(cx.NPSState.from_responses, x, x)


def test_map_states_names_the_array_and_the_block():
    da = pytest.importorskip("dask.array")
    x = da.from_array(np.array([10, 9, 0, 12]), chunks=2)
    with pytest.raises(InvalidInputError, match=r"block 1 of `arrays`.*12"):
        frames.map_states(cx.NPSState.from_responses, x)
    with pytest.raises(InvalidInputTypeError, match=r"`arrays\[0\]` must be a 1-D"):
        frames.map_states(cx.NPSState.from_responses, np.array([10, 9]))
    with pytest.raises(InvalidInputTypeError, match="`weights` has chunks"):
        frames.map_states(
            cx.NPSState.from_responses,
            x,
            weights=da.from_array(np.ones(4), chunks=3),
        )
