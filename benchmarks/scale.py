"""Grouped NPS where the data lives: numpy, polars, DuckDB, Dask; chunked files' memory.

Run ``make bench-scale`` (or ``python benchmarks/scale.py [--rows 1e8] [--smoke]``).
Every ratio is measured in this run on the same data (int8 answers, 1,000 int16
groups):

* the numpy path ``cx.nps(scores, by=groups)``;
* ``cxmetrics.frames.nps`` on a polars DataFrame and on a DuckDB relation (the counts
  run in the engine, the statistics on the small aggregate), against the same NPS
  written by hand in polars and in DuckDB SQL (value only: no interval, no n check);
* Dask on a local cluster: ``frames.map_states`` over Dask array blocks and
  ``frames.nps`` over a Dask dataframe (a numpy state per partition), against a
  Dask ``groupby`` written by hand;
* memory: peak RSS of a child process that reads a Parquet file chunk by chunk
  and accumulates the states, next to the size of the data in memory.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics import frames

N_GROUPS = 1_000


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def median_of(fn: Callable[[], Any], repeats: int) -> float:
    """Median, not best: Dask can reuse a repeated graph's results, which a best-of would report."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def make_data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261123)
    return (
        rng.integers(0, 11, size=n, dtype=np.int8),
        rng.integers(0, N_GROUPS, size=n, dtype=np.int16),
    )


def engines(
    scores: np.ndarray, groups: np.ndarray, repeats: int
) -> list[tuple[str, float]]:
    import duckdb
    import polars as pl

    rows: list[tuple[str, float]] = []
    want = cx.nps(scores, by=groups)
    rows.append(
        (
            "numpy path: cx.nps(scores, by=groups)",
            best_of(lambda: cx.nps(scores, by=groups), repeats),
        )
    )

    df = pl.DataFrame({"score": scores, "g": groups})
    got = frames.nps(df, "score", by="g")
    assert np.allclose(got.get_column("value").to_numpy(), want.value)

    def polars_by_hand() -> Any:
        s = pl.col("score")
        return df.group_by("g").agg(
            (((s >= 9).sum() - (s <= 6).sum()) * 100.0 / pl.len()).alias("nps")
        )

    rows.append(
        (
            "polars frame: frames.nps(df, by=g)",
            best_of(lambda: frames.nps(df, "score", by="g"), repeats),
        )
    )
    rows.append(
        ("polars by hand: group_by().agg(nps)", best_of(polars_by_hand, repeats))
    )

    con = duckdb.connect()
    arrow = df.to_arrow()
    con.register("answers", arrow)
    rel = con.table("answers")
    got = frames.nps(rel, "score", by="g").order("g").fetchnumpy()
    assert np.allclose(got["value"], want.value)
    sql = (
        "select g, 100.0 * (count(*) filter (where score >= 9) - count(*) filter "
        "(where score <= 6)) / count(*) as nps from answers group by g"
    )
    rows.append(
        (
            "DuckDB relation: frames.nps(rel, by=g)",
            best_of(lambda: frames.nps(rel, "score", by="g").fetchall(), repeats),
        )
    )
    rows.append(
        ("DuckDB SQL by hand", best_of(lambda: con.sql(sql).fetchall(), repeats))
    )
    con.close()
    return rows


def dask_rows(
    scores: np.ndarray, groups: np.ndarray, repeats: int
) -> list[tuple[str, float]]:
    import dask.array as da
    import dask.dataframe as dd
    import distributed
    import pandas as pd

    rows: list[tuple[str, float]] = []
    chunk = max(len(scores) // 8, 1)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        x = da.from_array(scores, chunks=chunk)
        g = da.from_array(groups, chunks=chunk)
        want = cx.GroupedNPSState.from_responses(scores, by=groups)
        assert frames.map_states(cx.GroupedNPSState.from_responses, x, by=g) == want
        rows.append(
            (
                "Dask arrays: frames.map_states",
                median_of(
                    lambda: frames.map_states(
                        cx.GroupedNPSState.from_responses, x, by=g
                    ),
                    repeats,
                ),
            )
        )
        ddf = dd.from_pandas(
            pd.DataFrame({"score": scores, "g": groups}), npartitions=8
        ).persist()
        assert frames.nps_state(ddf, "score", by="g") == want
        rows.append(
            (
                "Dask dataframe: frames.nps(ddf, by=g)",
                median_of(lambda: frames.nps(ddf, "score", by="g").compute(), repeats),
            )
        )

        def dask_by_hand() -> Any:
            d = ddf.assign(
                p=(ddf.score >= 9).astype("int64"), d=(ddf.score <= 6).astype("int64")
            )
            agg = (
                d.groupby("g").agg({"p": "sum", "d": "sum", "score": "count"}).compute()
            )
            return 100.0 * (agg.p - agg.d) / agg.score

        rows.append(
            ("Dask dataframe groupby by hand", median_of(dask_by_hand, repeats))
        )
    return rows


CHILD = """
import sys
import pyarrow.parquet, narwhals
from cxmetrics import frames
def peak_kb():
    # VmHWM: this process's peak resident set (ru_maxrss would carry the parent's over exec)
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
    return int(line.split()[1])
path, rows = sys.argv[1], int(sys.argv[2])
before = peak_kb()
state = frames.accumulate(
    frames.nps_state(chunk, "score", by="g") for chunk in frames.read_chunks(path, chunk_rows=rows)
)
print(before, peak_kb(), int(state.n.sum()))
"""


def memory_row(scores: np.ndarray, groups: np.ndarray, chunk_rows: int) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.parquet"
        pq.write_table(
            pa.table({"score": scores, "g": groups}), path, row_group_size=chunk_rows
        )
        out = subprocess.run(  # noqa: S603  (our own interpreter and script)
            [sys.executable, "-c", CHILD, str(path), str(chunk_rows)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        before, after, n = (int(v) for v in out)
        assert n == len(scores)
        data_mb = (scores.nbytes + groups.nbytes) / 1e6
        return (
            f"chunked Parquet ({path.stat().st_size / 1e6:.0f} MB on disk, {data_mb:.0f} MB in "
            f"memory, {chunk_rows:,} rows a chunk): peak RSS {after / 1e3:.0f} MB "
            f"({(after - before) / 1e3:.0f} MB above the interpreter with imports)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=float, default=1e8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: check that it runs"
    )
    args = parser.parse_args()
    # Dask warns that arrays built from memory make a large graph: expected here
    warnings.filterwarnings("ignore", message=".*large graph.*")
    n, repeats = (100_000, 1) if args.smoke else (int(args.rows), args.repeats)
    scores, groups = make_data(n)
    print(
        f"grouped NPS, {n:,} int8 answers, {N_GROUPS} groups, best of {repeats} (Dask: median)"
    )
    rows = engines(scores, groups, repeats) + dask_rows(scores, groups, repeats)
    base = rows[0][1]
    width = max(len(name) for name, _ in rows)
    for name, secs in rows:
        print(f"  {name:<{width}}  {secs:8.3f} s  {secs / base:6.2f}x numpy path")
    t = dict(rows)
    print(
        f"  frames.nps on polars is {t['polars by hand: group_by().agg(nps)'] / t['polars frame: frames.nps(df, by=g)']:.2f}x the speed of the hand-written polars query"
    )
    print(
        f"  frames.nps on DuckDB is {t['DuckDB SQL by hand'] / t['DuckDB relation: frames.nps(rel, by=g)']:.2f}x the speed of the hand-written SQL"
    )
    print(
        f"  Dask states are {t['Dask dataframe groupby by hand'] / t['Dask dataframe: frames.nps(ddf, by=g)']:.2f}x faster than a Dask groupby"
    )
    print("  " + memory_row(scores, groups, max(n // 20, 10_000)))


if __name__ == "__main__":
    main()
