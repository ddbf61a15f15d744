"""An experiment with CUPED on 10^7 units and 3 arms: cxmetrics vs pandas vs tea-tasting.

Run ``python benchmarks/experiments.py [--smoke]``. Every library computes the same
thing: per arm the mean of a KPI (handle time, seconds), CUPED with one slope pooled
over all units, and each treatment arm's absolute lift over the control with its
standard error and 95 % interval. The pandas baseline is what an analyst writes
(groupby sums, then the formulas); tea-tasting analyses all pairs
(``all_variants=True``, its slope pooled per pair: equal lifts, intervals within
a hair). Answers are compared; times are the best of ``--repeats`` runs from one
process, and ratios are against cxmetrics.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def make_data(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(15)
    arm = rng.integers(0, 3, n).astype(np.int8)
    x = rng.poisson(3.0, n).astype(np.float64)
    y = 240 + 25 * x + rng.normal(0, 60, n) - np.array([0.0, 4.0, 8.0])[arm]
    return y, x, arm


def ours(y: np.ndarray, x: np.ndarray, arm: np.ndarray) -> np.ndarray:
    res = cx.experiment(y, arm, control=0, covariate=x)
    lo, hi = res.confidence_interval()
    return np.c_[res.value, res.standard_error, lo, hi]


def pairwise(y: np.ndarray, x: np.ndarray, arm: np.ndarray) -> np.ndarray:
    """cxmetrics on each (control, arm) pair alone: tea-tasting's slope is per pair."""
    rows = []
    for k in (1, 2):
        keep = (arm == 0) | (arm == k)
        res = cx.experiment(y[keep], arm[keep], control=0, covariate=x[keep])
        lo, hi = res.confidence_interval()
        rows.append([res.value[0], res.standard_error[0], lo[0], hi[0]])
    return np.array(rows)


def pandas_way(df: Any, t_ppf: Callable[..., Any]) -> np.ndarray:
    g = df.groupby("arm")
    n = g.size().to_numpy(float)
    my, mx = g["y"].mean().to_numpy(), g["x"].mean().to_numpy()
    vy, vx = g["y"].var().to_numpy(), g["x"].var().to_numpy()
    cxy = ((df["y"] * df["x"]).groupby(df["arm"]).sum().to_numpy() - n * my * mx) / (
        n - 1
    )
    theta = df["y"].cov(df["x"]) / df["x"].var()
    adj = my - theta * (mx - df["x"].mean())
    var = (vy + theta**2 * vx - 2 * theta * cxy) / n
    diff = adj[1:] - adj[0]
    se = np.sqrt(var[1:] + var[0])
    dof = (var[1:] + var[0]) ** 2 / (
        var[1:] ** 2 / (n[1:] - 1) + var[0] ** 2 / (n[0] - 1)
    )
    q = t_ppf(0.975, dof)
    return np.c_[diff, se, diff - q * se, diff + q * se]


def tea_way(df: Any) -> np.ndarray:
    import tea_tasting as tt

    exp = tt.Experiment(handle=tt.Mean("y", covariate="x"), variant="arm")
    res = exp.analyze(df, control=0, all_variants=True)
    rows = []
    for k in (1, 2):
        r = res[(0, k)]["handle"]
        rows.append(
            [r.effect_size, np.nan, r.effect_size_ci_lower, r.effect_size_ci_upper]
        )
    return np.array(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    n, repeats = (20_000, 1) if args.smoke else (10**7, args.repeats)
    y, x, arm = make_data(n)
    print(f"== experiment with CUPED: {n:,} units, 3 arms ==")
    rows: list[tuple[str, float, np.ndarray, np.ndarray]] = []
    t_ours, ref = best_of(lambda: ours(y, x, arm), repeats)
    rows.append(("cxmetrics experiment(covariate=)", t_ours, ref, ref))
    state_t, _ = best_of(
        lambda: cx.ExperimentState.from_units(y, arm, covariate=x), repeats
    )
    rows.append(("cxmetrics ExperimentState.from_units (sums only)", state_t, ref, ref))
    try:
        import pandas as pd
        from scipy.stats import t as student_t

        df = pd.DataFrame({"y": y, "x": x, "arm": arm})
        t_pd, out = best_of(lambda: pandas_way(df, student_t.ppf), repeats)
        rows.append(("pandas groupby + formulas", t_pd, out, ref))
    except ImportError:
        print("pandas/scipy not installed: skipped")
        df = None
    if df is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_tea, out = best_of(lambda: tea_way(df), repeats)
            rows.append(
                (
                    "tea-tasting Mean(covariate=), slope per pair",
                    t_tea,
                    out,
                    pairwise(y, x, arm),
                )
            )
        except ImportError:
            print("tea-tasting not installed: skipped")
    print(f"{'method':52s} {'seconds':>9s} {'ratio':>7s}  agrees")
    for name, secs, out, expect in rows:
        same = np.allclose(out[:, 0], expect[:, 0], rtol=1e-6) and np.allclose(
            out[:, 2:], expect[:, 2:], rtol=1e-6
        )
        print(f"{name:52s} {secs:9.3f} {secs / t_ours:7.2f}  {same}")


if __name__ == "__main__":
    main()
