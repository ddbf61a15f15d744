"""Erlang C and agents required on 10^5 (traffic, agents) rows: cxmetrics vs pyworkforce.

Run ``python benchmarks/staffing.py [--rows 100000] [--smoke]``. pyworkforce is used
as its users do: one ``ErlangC`` object per row, in a Python loop. Where that loop
would take minutes it is timed on the first ``--subset`` rows and scaled linearly
to the full size (the table says so). Every ratio is measured in the same run, on
the same rows; the agent counts of both libraries are compared on the subset.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx

AHT = 180.0  # seconds
THRESHOLD = 20.0  # seconds: "80/20"
TARGET = 0.8
REPEATS = 3


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def per_call(fn: Callable[[], Any], repeats: int, budget: float = 0.2) -> float:
    """Seconds per call: best of ``repeats`` loops of calls lasting about ``budget`` s.

    A single call of a millisecond is at the mercy of the timer and of the
    machine; a loop averages that out, as :mod:`timeit` does. Both libraries
    are timed this way.
    """
    t0 = time.perf_counter()
    fn()
    loops = max(1, int(budget / max(time.perf_counter() - t0, 1e-6)))
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(loops):
            fn()
        best = min(best, (time.perf_counter() - t0) / loops)
    return best


def make_rows(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Traffic of 0.5-200 Erlangs (a half hour of 10-2000 calls at 180 s) and a
    staffing 1-30 agents above it (stable, as a schedule would be)."""
    rng = np.random.default_rng(20240601)
    traffic = np.round(rng.uniform(0.5, 200.0, n), 3)
    agents = np.floor(traffic).astype(np.int64) + rng.integers(1, 31, n)
    return traffic, agents


def run(rows: int, subset: int, repeats: int) -> None:
    traffic, agents = make_rows(rows)
    results: list[tuple[str, float, int, int]] = []  # name, s, rows, rows timed

    t_c = best_of(lambda: cx.erlang_c(traffic, agents), repeats)
    results.append(("cxmetrics erlang_c (vectorised)", t_c, rows, rows))
    t_q = best_of(
        lambda: cx.queue_metrics(traffic, agents, aht=AHT, threshold=THRESHOLD),
        repeats,
    )
    results.append(("cxmetrics queue_metrics (C, SL, ASA, occ.)", t_q, rows, rows))
    t_r = best_of(
        lambda: cx.agents_required(
            traffic, aht=AHT, target_service_level=TARGET, threshold=THRESHOLD
        ),
        repeats,
    )
    results.append(("cxmetrics agents_required", t_r, rows, rows))
    n_a = min(rows, 10_000)
    t_a = best_of(
        lambda: cx.agents_required(
            traffic[:n_a],
            aht=AHT,
            target_service_level=TARGET,
            threshold=THRESHOLD,
            model="erlang_a",
            patience=120.0,
        ),
        1,
    )
    results.append(
        (f"cxmetrics agents_required Erlang A ({n_a:,} rows)", t_a, n_a, n_a)
    )

    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        ErlangC = None
    mismatches = None
    if ErlangC is not None:
        # A = transactions / interval * aht with interval = aht = 1; asa is T / AHT
        t_ratio = THRESHOLD / AHT
        k = min(rows, subset)

        def pw_wait(n: int) -> list[float]:
            return [
                ErlangC(
                    transactions=float(a), aht=1, asa=t_ratio, interval=1
                ).waiting_probability(int(m))
                for a, m in zip(traffic[:n], agents[:n], strict=True)
            ]

        def pw_required(n: int) -> list[int]:
            return [
                ErlangC(
                    transactions=float(a), aht=1, asa=t_ratio, interval=1
                ).required_positions(service_level=TARGET)["raw_positions"]
                for a in traffic[:n]
            ]

        k_c = min(rows, max(k, 10_000))
        t_pw = best_of(lambda: pw_wait(k_c), 1) * rows / k_c
        results.append(("pyworkforce waiting_probability loop", t_pw, rows, k_c))
        t_pwr = best_of(lambda: pw_required(k), 1) * rows / k
        results.append(("pyworkforce required_positions loop", t_pwr, rows, k))
        theirs = np.array(pw_required(k))
        ours = cx.agents_required(
            traffic[:k], aht=AHT, target_service_level=TARGET, threshold=THRESHOLD
        ).agents
        mismatches = (int(np.count_nonzero(theirs != ours)), k)
        np.testing.assert_allclose(
            cx.erlang_c(traffic[:k], agents[:k]), pw_wait(k), rtol=1e-11
        )

    print(
        f"\nErlang C staffing on {rows:,} rows (traffic 0.5-200 Erlangs, AHT {AHT:g} s, "
        f"{TARGET:.0%} within {THRESHOLD:g} s); best of {repeats}"
    )
    print(f"{'case':<48} {'seconds':>9} {'us/row':>8}")
    for name, t, n, timed in results:
        mark = (
            f"  (timed on {timed:,} rows, scaled x{n / timed:g})" if timed < n else ""
        )
        print(f"{name:<48} {t:>9.3f} {1e6 * t / n:>8.2f}{mark}")
    times = {name: t for name, t, _, _ in results}
    if "pyworkforce waiting_probability loop" in times:
        print(
            "  speed-up of erlang_c over pyworkforce waiting_probability: "
            f"{times['pyworkforce waiting_probability loop'] / t_c:8.0f}x"
        )
        print(
            "  speed-up of agents_required over pyworkforce required_positions: "
            f"{times['pyworkforce required_positions loop'] / t_r:8.0f}x"
        )
    else:
        print("  (pyworkforce is not installed: no ratios)")
    if mismatches is not None:
        print(
            f"  agents differ on {mismatches[0]} of {mismatches[1]:,} rows (pyworkforce "
            "starts at round(A + 1) and misses floor(A) + 1 when it suffices)"
        )


def required_by_size(sizes: list[int], subset: int, repeats: int) -> None:
    """agents_required vs pyworkforce's required_positions at each size, one run."""
    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        print("\n(pyworkforce is not installed: no agents_required ratios by size)")
        return
    t_ratio = THRESHOLD / AHT
    print(
        f"\nagents_required (Erlang C) by size: seconds per call, best of {repeats} "
        "loops of about 0.2 s each for both; pyworkforce timed on up to "
        f"{subset:,} rows, scaled to the size"
    )
    print(f"{'rows':>8} {'pyworkforce s':>14} {'cxmetrics s':>12} {'speed-up':>9}")
    for n in sizes:
        traffic, _ = make_rows(n)
        k = min(n, subset)

        def pw(k: int = k, traffic: np.ndarray = traffic) -> list[int]:
            return [
                ErlangC(
                    transactions=float(a), aht=1, asa=t_ratio, interval=1
                ).required_positions(service_level=TARGET)["raw_positions"]
                for a in traffic[:k]
            ]

        budget = 0.2 if repeats > 1 else 0.0
        t_pw = per_call(pw, repeats, budget) * n / k
        t_cx = per_call(
            lambda traffic=traffic: cx.agents_required(
                traffic, aht=AHT, target_service_level=TARGET, threshold=THRESHOLD
            ),
            repeats,
            budget,
        )
        print(f"{n:>8,} {t_pw:>14.4f} {t_cx:>12.5f} {t_pw / t_cx:>8.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--subset", type=int, default=1_000)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny run for CI (checks the script runs)"
    )
    args = parser.parse_args()
    if args.smoke:
        run(rows=200, subset=50, repeats=1)
        required_by_size([100], subset=50, repeats=1)
    else:
        run(rows=args.rows, subset=args.subset, repeats=REPEATS)
        required_by_size([100, 1_000, 10_000], subset=args.subset, repeats=REPEATS)


if __name__ == "__main__":
    main()
