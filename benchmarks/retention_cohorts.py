"""Monthly cohort matrix on 10^7 activity rows: cxmetrics vs pandas and polars.

Run ``python benchmarks/retention_cohorts.py [--sizes 1e7] [--smoke]``.
Every ratio is measured in the same run on the same arrays, and every
alternative's counts are checked against cxmetrics' before timing. The floor is
one cast of the instants to months (``astype('datetime64[M]')``): reading the
column once.

The data: one million customers (int64 ids) whose first activity falls
uniformly over three years, each row an instant (datetime64[s]) some
exponentially distributed time after the customer's first one.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx

REPEATS = 3
DAYS = 3 * 365


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def make_data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240601)
    n_customers = max(n // 10, 1)
    first = rng.integers(0, DAYS * 86_400, size=n_customers)
    customer = rng.integers(0, n_customers, size=n, dtype=np.int64)
    later = rng.exponential(200 * 86_400, size=n).astype(np.int64)
    seconds = np.minimum(first[customer] + later, DAYS * 86_400 - 1)
    t = np.datetime64("2021-01-01T00:00:00", "s") + seconds.astype("timedelta64[s]")
    return customer, t


def ours(customer: np.ndarray, t: np.ndarray) -> np.ndarray:
    return cx.cohort_matrix(customer, t, freq="month").classic


def run(n: int, repeats: int) -> list[tuple[str, float]]:
    customer, t = make_data(n)
    expected = ours(customer, t)
    rows: list[tuple[str, float]] = []
    rows.append(("numpy floor: t.max()", best_of(t.max, repeats)))
    rows.append(
        (
            "numpy t.astype(datetime64[M])",
            best_of(lambda: t.astype("datetime64[M]"), repeats),
        )
    )
    rows.append(
        ("cxmetrics cohort_matrix", best_of(lambda: ours(customer, t), repeats))
    )
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        df = pd.DataFrame({"c": customer, "t": t})

        def pandas_tutorial() -> Any:
            # the recipe of most cohort tutorials: periods, transform("min"), nunique
            month = df["t"].dt.to_period("M")
            cohort = month.groupby(df["c"]).transform("min")
            age = (month.dt.year - cohort.dt.year) * 12 + (
                month.dt.month - cohort.dt.month
            )
            frame = pd.DataFrame({"c": df["c"], "cohort": cohort, "age": age})
            return (
                frame.groupby(["cohort", "age"])["c"].nunique().unstack(fill_value=0)  # noqa: PD010
            )

        def pandas_tuned() -> Any:
            # integer months, one drop_duplicates, a size() pivot
            month = df["t"].dt.year * 12 + df["t"].dt.month
            frame = pd.DataFrame({"c": df["c"], "m": month}).drop_duplicates()
            frame["cohort"] = frame.groupby("c")["m"].transform("min")
            frame["age"] = frame["m"] - frame["cohort"]
            return frame.groupby(["cohort", "age"]).size().unstack(fill_value=0)  # noqa: PD010

        for name, fn in (
            ("pandas groupby/pivot (tutorial)", pandas_tutorial),
            ("pandas groupby/pivot (tuned)", pandas_tuned),
        ):
            got = fn().to_numpy()
            if got.shape != expected.shape or not np.array_equal(got, expected):
                msg = f"{name} disagrees with cxmetrics"
                raise AssertionError(msg)
            rows.append((name, best_of(fn, repeats)))
        del df
    try:
        import polars as pl
    except ImportError:
        pl = None
    if pl is not None:
        # polars takes ms, us or ns instants: converted once, outside the timing
        pdf = pl.DataFrame({"c": customer, "t": t.astype("datetime64[ms]")})

        def polars_cohorts() -> Any:
            out = (
                pdf.lazy()
                .with_columns(m=pl.col("t").dt.year() * 12 + pl.col("t").dt.month())
                .unique(["c", "m"])
                .with_columns(cohort=pl.col("m").min().over("c"))
                .with_columns(age=pl.col("m") - pl.col("cohort"))
                .group_by(["cohort", "age"])
                .len()
                .collect()
            )
            return out.pivot(on="age", index="cohort", values="len").sort("cohort")  # noqa: PD010

        got = polars_cohorts()
        ages = sorted(int(c) for c in got.columns if c != "cohort")
        table = got.select([str(a) for a in ages]).fill_null(0).to_numpy()
        dense = np.zeros_like(expected)
        dense[:, ages] = table
        if not np.array_equal(dense, expected):
            msg = "polars disagrees with cxmetrics"
            raise AssertionError(msg)
        rows.append(("polars group_by/pivot", best_of(polars_cohorts, repeats)))
    return rows


def report(n: int, rows: list[tuple[str, float]], repeats: int) -> None:
    times = dict(rows)
    floor = times["numpy floor: t.max()"]
    print(
        f"\nMonthly cohort matrix (classic counts) on n = {n:,} activity rows, "
        f"{max(n // 10, 1):,} customers; best of {repeats}"
    )
    print(f"{'case':<38} {'seconds':>9} {'x floor':>8}")
    for name, t in rows:
        print(f"{name:<38} {t:>9.3f} {t / floor:>8.1f}")
    mine = times["cxmetrics cohort_matrix"]
    for other in (
        "pandas groupby/pivot (tutorial)",
        "pandas groupby/pivot (tuned)",
        "polars group_by/pivot",
    ):
        if other in times:
            print(
                f"  speed-up of cxmetrics over {other:<34} {times[other] / mine:6.1f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="*", type=float, default=[1e7])
    parser.add_argument(
        "--smoke", action="store_true", help="tiny run for CI (checks the script runs)"
    )
    args = parser.parse_args()
    sizes = [100_000] if args.smoke else [int(s) for s in args.sizes]
    repeats = 1 if args.smoke else REPEATS
    for n in sizes:
        report(n, run(n, repeats), repeats)


if __name__ == "__main__":
    main()
