"""Kaplan-Meier on 10^6 durations: cxmetrics vs lifelines' KaplanMeierFitter.

Run ``python benchmarks/retention.py [--sizes 1e6] [--smoke]``. Every ratio is
measured in the same run on the same arrays. Two shapes of data: continuous
durations (about n distinct times; the table is built with a sort) and whole months
(a few hundred distinct times; the table is built with a bincount). Two more rows
time the mergeable path: 64 chunk states built, merged (in one pass with
``SurvivalState.merge_all``, or folded with ``+``), then the curve. The last two
time curves by group: ``kaplan_meier(d, e, by=plan)`` for 4 plans with the
log-rank test of the same tables, against 4 ``KaplanMeierFitter`` fits and
``multivariate_logrank_test``.
"""

from __future__ import annotations

import argparse
import functools
import operator
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx

REPEATS = 3


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def make_data(n: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240601)
    lifetimes = rng.weibull(0.8, n) * 18.0  # months
    follow_up = rng.uniform(0.0, 60.0, n)
    durations = np.minimum(lifetimes, follow_up)
    events = lifetimes <= follow_up
    if kind == "months":
        durations = np.ceil(durations)
    return durations, events


def run(n: int, kind: str, repeats: int) -> list[tuple[str, float]]:
    d, e = make_data(n, kind)
    rows = [
        ("cxmetrics kaplan_meier", best_of(lambda: cx.kaplan_meier(d, e), repeats)),
    ]
    chunks = list(zip(np.array_split(d, 64), np.array_split(e, 64), strict=True))
    rows.append(
        (
            "cxmetrics 64 chunks, merge_all",
            best_of(
                lambda: cx.SurvivalState.merge_all(
                    cx.SurvivalState.from_durations(dc, ec) for dc, ec in chunks
                ).compute(),
                repeats,
            ),
        )
    )
    rows.append(
        (
            "cxmetrics 64 chunks, folded with +",
            best_of(
                lambda: functools.reduce(
                    operator.add,
                    (cx.SurvivalState.from_durations(dc, ec) for dc, ec in chunks),
                ).compute(),
                repeats,
            ),
        )
    )
    try:
        from lifelines import KaplanMeierFitter
    except ImportError:
        return rows

    def lifelines_km() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return KaplanMeierFitter().fit(d, e)

    rows.append(("lifelines KaplanMeierFitter.fit", best_of(lifelines_km, repeats)))
    # the two agree
    ours = cx.kaplan_meier(d, e)
    theirs = lifelines_km().survival_function_.loc[ours.time].to_numpy()[:, 0]
    assert np.allclose(ours.survival, theirs, rtol=1e-10, atol=1e-12)

    from lifelines.statistics import multivariate_logrank_test

    plan = np.random.default_rng(7).integers(0, 4, d.size)

    def ours_by_plan() -> Any:
        res = cx.kaplan_meier(d, e, by=plan)
        return res, res.logrank()

    def lifelines_by_plan() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits = [
                KaplanMeierFitter().fit(d[plan == g], e[plan == g]) for g in range(4)
            ]
            return fits, multivariate_logrank_test(d, plan, e)

    rows.append(("cxmetrics by=4 plans + logrank", best_of(ours_by_plan, repeats)))
    rows.append(("lifelines 4 fits + logrank", best_of(lifelines_by_plan, repeats)))
    (_, test), (_, expected) = ours_by_plan(), lifelines_by_plan()
    assert np.isclose(test.statistic, expected.test_statistic, rtol=1e-8)
    return rows


def report(n: int, kind: str, rows: list[tuple[str, float]], repeats: int) -> None:
    times = dict(rows)
    print(f"\nKaplan-Meier on n = {n:,} {kind} durations; best of {repeats}")
    print(f"{'case':<36} {'seconds':>9}")
    for name, t in rows:
        print(f"{name:<36} {t:>9.4f}")
    other = times.get("lifelines KaplanMeierFitter.fit")
    if other is not None:
        for mine in (
            "cxmetrics kaplan_meier",
            "cxmetrics 64 chunks, merge_all",
            "cxmetrics 64 chunks, folded with +",
        ):
            print(
                f"  speed-up of {mine:<34} over lifelines {other / times[mine]:6.1f}x"
            )
    grouped = times.get("lifelines 4 fits + logrank")
    if grouped is not None:
        mine = "cxmetrics by=4 plans + logrank"
        print(f"  speed-up of {mine:<34} over lifelines {grouped / times[mine]:6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="*", type=float, default=[1e6])
    parser.add_argument(
        "--smoke", action="store_true", help="tiny run for CI (checks the script runs)"
    )
    args = parser.parse_args()
    sizes = [10_000] if args.smoke else [int(s) for s in args.sizes]
    repeats = 1 if args.smoke else REPEATS
    for n in sizes:
        for kind in ("continuous", "months"):
            report(n, kind, run(n, kind, repeats), repeats)


if __name__ == "__main__":
    main()
