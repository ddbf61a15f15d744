"""Chunked files == whole file; Dask (local cluster) == numpy; progress and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cxmetrics as cx

pytest.importorskip("narwhals", reason="the frames extra (narwhals) is not installed")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
from cxmetrics import frames  # noqa: E402

N = 5_000
RNG = np.random.default_rng(11)
SCORE = RNG.integers(0, 11, N)
TEAM = RNG.integers(1, 9, N)
W = RNG.uniform(0.5, 2.0, N)


def _table():
    return pa.table({"score": SCORE, "team": TEAM, "w": W})


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_chunked_file_equals_whole(tmp_path, fmt):
    path = tmp_path / f"answers.{fmt}"
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(_table(), path, row_group_size=700)
    else:
        import pyarrow.csv as pcsv

        pcsv.write_csv(_table(), path)
    chunks = list(frames.read_chunks(path, columns=["score", "team"], chunk_rows=600))
    assert len(chunks) > 3
    assert all(c.num_rows <= 5_000 for c in chunks)
    assert sum(c.num_rows for c in chunks) == N
    assert chunks[0].column_names == ["score", "team"]
    state = frames.accumulate(frames.nps_state(c, "score", by="team") for c in chunks)
    assert state == cx.GroupedNPSState.from_responses(SCORE, by=TEAM)


def test_partials_stored_as_json_merge_exactly(tmp_path):
    import json

    days = np.array_split(np.arange(N), 7)
    for i, rows in enumerate(days):
        part = frames.nps_state(_table().take(rows), "score", by="team", weights="w")
        (tmp_path / f"day{i}.json").write_text(json.dumps(part.to_dict()))
    stored = [
        cx.GroupedNPSState.from_dict(json.loads(p.read_text()))
        for p in sorted(tmp_path.glob("day*.json"))
    ]
    merged = frames.accumulate(stored)
    whole = cx.GroupedNPSState.from_responses(SCORE, by=TEAM, weights=W)
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_allclose(merged.weight_sums, whole.weight_sums, rtol=1e-12)
    np.testing.assert_allclose(
        merged.compute().value, whole.compute().value, rtol=1e-12
    )


def test_accumulate_errors_and_progress(capsys):
    with pytest.raises(cx.exceptions.InvalidInputError, match="no chunks"):
        frames.accumulate(iter([]))
    pytest.importorskip("tqdm")
    parts = [cx.NPSState.from_responses([10, 3]), cx.NPSState.from_responses([9])]
    assert frames.accumulate(
        parts, progress=True, total=2
    ) == cx.NPSState.from_responses([10, 3, 9])
    assert "2/2" in capsys.readouterr().err


def test_read_chunks_errors(tmp_path):
    with pytest.raises(cx.exceptions.InvalidInputError, match="no file"):
        next(frames.read_chunks(tmp_path / "nope.parquet"))
    (tmp_path / "x.txt").write_text("a\n1\n")
    with pytest.raises(cx.exceptions.InvalidInputError, match="file_format"):
        next(frames.read_chunks(tmp_path / "x.txt"))
    with pytest.raises(cx.exceptions.InvalidInputError, match="chunk_rows"):
        next(frames.read_chunks(tmp_path / "x.txt", file_format="csv", chunk_rows=0))


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("dask.dataframe", reason="dask is not installed")
    distributed = pytest.importorskip(
        "distributed", reason="distributed is not installed"
    )
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_local_cluster_equals_numpy(dask_client):
    import dask.array as da
    import dask.dataframe as dd
    import pandas as pd

    ddf = dd.from_pandas(
        pd.DataFrame({"score": SCORE, "team": TEAM, "w": W}), npartitions=6
    )
    got = frames.nps_state(ddf, "score", by="team", weights="w")
    whole = cx.GroupedNPSState.from_responses(SCORE, by=TEAM, weights=W)
    np.testing.assert_array_equal(got.counts, whole.counts)
    np.testing.assert_allclose(got.weight_squares, whole.weight_squares, rtol=1e-12)
    # any family's state over Dask arrays: survival event tables here
    t = da.from_array(RNG.exponential(10, N), chunks=800)
    e = da.from_array(RNG.random(N) < 0.7, chunks=800)
    s = frames.map_states(cx.SurvivalState.from_durations, t, events=e)
    assert s == cx.SurvivalState.from_durations(t.compute(), events=e.compute())
    x = da.from_array(SCORE, chunks=700)
    g = da.from_array(TEAM, chunks=700)
    assert frames.map_states(
        cx.GroupedNPSState.from_responses, x, by=g
    ) == cx.GroupedNPSState.from_responses(SCORE, by=TEAM)


def test_dask_errors_name_the_partition():
    dd = pytest.importorskip("dask.dataframe")
    da = pytest.importorskip("dask.array")
    import pandas as pd

    score = SCORE.copy()
    score[4_000] = 12
    ddf = dd.from_pandas(pd.DataFrame({"score": score, "team": TEAM}), npartitions=5)
    with pytest.raises(cx.exceptions.InvalidInputError, match=r"Dask partition 4.*12"):
        frames.nps(ddf, "score", by="team")
    with pytest.raises(cx.exceptions.InvalidInputError, match=r"no column 'nope'"):
        frames.nps(ddf, "nope")
    x = da.from_array(SCORE, chunks=700)
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="chunks"):
        frames.map_states(
            cx.GroupedNPSState.from_responses, x, by=da.from_array(TEAM, chunks=500)
        )
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="1-D dask"):
        frames.map_states(cx.NPSState.from_responses, SCORE)


PEAK_CHILD = """
import sys
from cxmetrics import frames
import pyarrow.parquet, narwhals
def peak_kb():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
s = frames.accumulate(frames.nps_state(c, "score", by="g") for c in frames.read_chunks(sys.argv[1], chunk_rows=250_000))
print(peak_kb(), int(s.n.sum()))
"""


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(),
    reason="peak memory is read from /proc (Linux)",
)
def test_chunked_memory_is_bounded_by_the_chunk_not_the_file(tmp_path):
    import subprocess
    import sys

    import pyarrow.parquet as pq

    rng = np.random.default_rng(3)
    peaks = []
    for n in (2_000_000, 16_000_000):
        path = tmp_path / f"a{n}.parquet"
        table = pa.table(
            {
                "score": rng.integers(0, 11, n, dtype=np.int8),
                "g": rng.integers(0, 1000, n, dtype=np.int16),
            }
        )
        pq.write_table(table, path, row_group_size=250_000)
        del table
        out = subprocess.run(
            [sys.executable, "-c", PEAK_CHILD, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert int(out[1]) == n
        peaks.append(int(out[0]) / 1024)
    # 8x the rows (48 MB of data) may not raise the peak by more than 10 MB
    assert peaks[1] - peaks[0] < 10, peaks


def test_accumulate_refuses_what_is_not_a_state():
    from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError

    with pytest.raises(InvalidInputTypeError, match="chunk 2 is a int"):
        frames.accumulate([cx.NPSState.from_responses([10]), 3])
    with pytest.raises(InvalidInputTypeError, match="got one state"):
        frames.accumulate(cx.NPSState.from_responses([10]))
    with pytest.raises(InvalidInputError, match="is empty"):
        frames.accumulate(iter([]))


def test_by_lists_that_name_no_column_or_one_twice_are_refused():
    pd = pytest.importorskip("pandas")
    from cxmetrics.exceptions import InvalidInputError

    df = pd.DataFrame({"s": [1, 2, 10], "g": ["a", "b", "a"]})
    with pytest.raises(InvalidInputError, match="`by` names no column"):
        frames.nps(df, "s", by=[])
    with pytest.raises(InvalidInputError, match=r"\['g'\] more than once"):
        frames.nps(df, "s", by=["g", "g"])
