"""Mergeable duration percentiles: DurationSketchState against the ddsketch package.

Builds the sketch of n durations (grouped and not), merges two sketches, and
compares with the pure-Python ``ddsketch`` package (timed on a subset and scaled,
said so below) and with numpy's exact quantile. Ratios are from one run.

Run ``python benchmarks/sketch.py [--n 1e7] [--smoke]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import cxmetrics as cx


def best(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=float, default=1e7)
    parser.add_argument("--subset", type=int, default=200_000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    args = parser.parse_args()
    n = 20_000 if args.smoke else int(args.n)
    subset = 2_000 if args.smoke else args.subset
    repeats = 1 if args.smoke else 3
    rng = np.random.default_rng(0)
    x = rng.lognormal(5.0, 2.0, n)
    x[rng.random(n) < 0.05] = 0.0
    queues = rng.integers(0, 50, n).astype(np.int16)

    t_build, _ = best(lambda: cx.DurationSketchState.from_durations(x), repeats)
    t_grouped, gsk = best(
        lambda: cx.DurationSketchState.from_durations(x, by=queues), repeats
    )
    half = n // 2
    a = cx.DurationSketchState.from_durations(x[:half], by=queues[:half])
    b = cx.DurationSketchState.from_durations(x[half:], by=queues[half:])
    t_merge, merged = best(lambda: a + b, max(repeats, 5))
    # counts merge exactly; the float sums of the mean agree to rounding
    assert np.array_equal(merged.bin_count, gsk.bin_count)
    assert np.allclose(merged.total, gsk.total, rtol=1e-12)
    t_quant, _ = best(lambda: gsk.quantile([0.5, 0.9, 0.99]), repeats)
    t_exact, _ = best(lambda: np.quantile(x, [0.5, 0.9, 0.99]), repeats)
    print(
        f"DurationSketchState on n = {n:,} durations (1 % relative accuracy); best of {repeats}"
    )
    print(f"{'case':44s}{'seconds':>10s}{'ns/value':>10s}")
    rows = [
        ("cxmetrics sketch build (one group)", t_build, n),
        ("cxmetrics sketch build (50 queues)", t_grouped, n),
        ("numpy exact quantiles (not mergeable)", t_exact, n),
    ]
    try:
        from ddsketch import DDSketch
    except ImportError:
        t_dd = None
        print("ddsketch not installed: its row is skipped")
    else:
        sub = x[:subset].tolist()

        def dd():
            s = DDSketch(relative_accuracy=0.01)
            for v in sub:
                s.add(v)
            return s

        t_sub, ref = best(dd, 1)
        t_dd = t_sub * n / subset
        rows.append((f"ddsketch package (timed on {subset:,}, scaled)", t_dd, n))
        ours = cx.DurationSketchState.from_durations(x[:subset]).quantile(0.9)[0]
        assert abs(ours - ref.get_quantile_value(0.9)) <= 1e-9 * ours
    for name, t, m in rows:
        print(f"{name:44s}{t:10.4f}{t / m * 1e9:10.1f}")
    print(f"{'merge of two 50-queue sketches':44s}{t_merge:10.6f}")
    print(f"{'three quantiles of 50 queues':44s}{t_quant:10.6f}")
    if t_dd is not None:
        print(f"  speed-up of the sketch build over ddsketch: {t_dd / t_build:8.1f}x")
    print(f"  sketch build against numpy's exact quantile: {t_exact / t_build:8.2f}x")


if __name__ == "__main__":
    main()
