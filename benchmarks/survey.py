"""NPS on 10^7 and 10^8 int8 answers: cxmetrics vs pandas, polars and a numpy floor.

Run ``make bench`` (or ``python benchmarks/survey.py [--sizes 1e7 1e8] [--smoke]``).
Every ratio is measured in the same run, on the same arrays. The floor is a single
``np.sum`` over the same int8 array: the cost of reading it once from memory.
"""

from __future__ import annotations

import argparse
import functools
import operator
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx

N_GROUPS = 1_000
REPEATS = 3


def best_of(fn: Callable[[], Any], repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def make_data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240601)
    scores = rng.integers(0, 11, size=n, dtype=np.int8)
    groups = rng.integers(0, N_GROUPS, size=n, dtype=np.int16)
    return scores, groups


def run(n: int, repeats: int) -> list[tuple[str, float]]:
    scores, groups = make_data(n)
    rows: list[tuple[str, float]] = []
    rows.append(("numpy floor: np.sum(int8)", best_of(lambda: np.sum(scores), repeats)))
    rows.append(("cxmetrics nps(scores)", best_of(lambda: cx.nps(scores), repeats)))
    rows.append(
        (
            "cxmetrics nps(scores, by=groups)",
            best_of(lambda: cx.nps(scores, by=groups), repeats),
        )
    )
    chunks = np.array_split(scores, 64)
    rows.append(
        (
            "cxmetrics 64 chunk states merged",
            best_of(
                lambda: functools.reduce(
                    operator.add, (cx.NPSState.from_responses(c) for c in chunks)
                ).compute(),
                repeats,
            ),
        )
    )
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        s = pd.Series(scores)
        df = pd.DataFrame({"g": groups, "s": scores})

        def pandas_nps() -> float:
            return float(((s >= 9).sum() - (s <= 6).sum()) / len(s) * 100)

        def pandas_grouped() -> Any:
            tmp = df.assign(p=df["s"] >= 9, d=df["s"] <= 6)
            agg = tmp.groupby("g").agg(p=("p", "sum"), d=("d", "sum"), n=("s", "size"))
            return (agg["p"] - agg["d"]) / agg["n"] * 100

        rows.append(("pandas NPS (comparisons + sum)", best_of(pandas_nps, repeats)))
        rows.append(("pandas groupby NPS", best_of(pandas_grouped, repeats)))
        del s, df
    try:
        import polars as pl
    except ImportError:
        pl = None
    if pl is not None:
        pdf = pl.DataFrame({"g": groups, "s": scores})

        def polars_nps() -> Any:
            return pdf.select(
                p=(pl.col("s") >= 9).sum(), d=(pl.col("s") <= 6).sum(), n=pl.len()
            )

        def polars_grouped() -> Any:
            return pdf.group_by("g").agg(
                p=(pl.col("s") >= 9).sum(), d=(pl.col("s") <= 6).sum(), n=pl.len()
            )

        rows.append(("polars NPS (select)", best_of(polars_nps, repeats)))
        rows.append(("polars group_by NPS", best_of(polars_grouped, repeats)))
    try:
        import duckdb
        import pyarrow as pa
    except ImportError:
        duckdb = None
    if duckdb is not None:
        con = duckdb.connect()
        con.register("answers", pa.table({"g": groups, "s": scores}))
        sql = (
            "select g, count(*) filter (where s >= 9) as p, count(*) filter "
            "(where s <= 6) as d, count(*) as n from answers group by g"
        )
        rows.append(
            ("DuckDB group by NPS", best_of(lambda: con.sql(sql).fetchall(), repeats))
        )
        con.close()
    return rows


def report(n: int, rows: list[tuple[str, float]]) -> None:
    times = dict(rows)
    floor = times["numpy floor: np.sum(int8)"]
    print(
        f"\nNPS on n = {n:,} int8 answers, {N_GROUPS:,} groups (int16 keys); best of {REPEATS}"
    )
    print(f"{'case':<36} {'seconds':>9} {'x floor':>8}")
    for name, t in rows:
        print(f"{name:<36} {t:>9.4f} {t / floor:>8.1f}")
    ours_u, ours_g = (
        times["cxmetrics nps(scores)"],
        times["cxmetrics nps(scores, by=groups)"],
    )
    for other, mine in (
        ("pandas NPS (comparisons + sum)", ours_u),
        ("pandas groupby NPS", ours_g),
        ("polars NPS (select)", ours_u),
        ("polars group_by NPS", ours_g),
        ("DuckDB group by NPS", ours_g),
    ):
        if other in times:
            print(
                f"  speed-up of cxmetrics over {other:<32} {times[other] / mine:6.1f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="*", type=float, default=[1e7, 1e8])
    parser.add_argument(
        "--smoke", action="store_true", help="tiny run for CI (checks the script runs)"
    )
    args = parser.parse_args()
    sizes = [100_000] if args.smoke else [int(s) for s in args.sizes]
    repeats = 1 if args.smoke else REPEATS
    for n in sizes:
        report(n, run(n, repeats))


if __name__ == "__main__":
    main()
