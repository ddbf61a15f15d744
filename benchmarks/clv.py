"""CLV: RFM summaries and model fits, cxmetrics vs lifetimes (and pandas), one run.

Run ``python benchmarks/clv.py [--transactions 1e7] [--compare 1e6]
[--customers 1e6] [--smoke]``. Every ratio is measured in this run on the same
data:

* RFM summary of a synthetic daily transaction log: cxmetrics on
  ``--transactions`` rows, and cxmetrics vs lifetimes'
  ``summary_data_from_transaction_data`` vs a pandas groupby on ``--compare``
  rows (lifetimes takes minutes on 10^7);
* BG/NBD and Pareto/NBD fits on the CDNOW calibration summary (../shared), and a
  BG/NBD fit on ``--customers`` customers simulated from the BG/NBD.
"""

from __future__ import annotations

import os

# one BLAS thread for both sides: on a small shared machine, BLAS thread wake-ups
# inside L-BFGS-B's tiny vector operations dominate a fit of a few thousand rows
# (0.17 s instead of 0.013 s for the CDNOW BG/NBD here); set the variable to override
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import cxmetrics as cx

SHARED = Path(__file__).resolve().parents[2] / "shared"


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def transactions(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n transactions of n/5 customers over two years (datetime64[s], some same-day)."""
    rng = np.random.default_rng(20240601)
    customers = rng.integers(0, max(n // 5, 1), n)
    start = np.datetime64("2022-01-01T00:00:00", "s")
    seconds = rng.integers(0, 730 * 86400, n)
    return customers, start + seconds, rng.gamma(2.0, 20.0, n)


def simulate_bgnbd(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) of n customers drawn from the BG/NBD with the CDNOW estimates."""
    rng = np.random.default_rng(7)
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    big_t = rng.uniform(1.0, 39.0, n)
    count = rng.poisson(lam * big_t)
    x = np.minimum(rng.geometric(p), count)
    tx = np.where(x > 0, big_t * rng.beta(np.maximum(x, 1), count - x + 1), 0.0)
    return x.astype(np.float64), tx, big_t


def row(name: str, ours: float, theirs: float | None, what: str) -> None:
    ratio = f"{theirs / ours:8.1f}x" if theirs is not None else "        -"
    other = f"{theirs:9.3f} s" if theirs is not None else "          -"
    print(f"{name:<44} {ours:9.3f} s  {other}  {ratio}  ({what})")


def bench_rfm(n_big: int, n_compare: int, repeats: int) -> None:
    end = "2023-12-31"
    c, t, v = transactions(n_big)
    ours = best_of(
        lambda: cx.rfm_summary(c, t, v, observation_end=end, freq_multiplier=7),
        repeats,
    )
    row(f"rfm_summary, {n_big:.0e} transactions", ours, None, "cxmetrics only")
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        return
    c, t, v = transactions(n_compare)
    df = pd.DataFrame({"c": c, "t": t, "v": v})
    ours = best_of(
        lambda: cx.rfm_summary(c, t, v, observation_end=end, freq_multiplier=7),
        repeats,
    )

    def by_pandas() -> Any:
        day = df.assign(d=df.t.dt.floor("D")).groupby(["c", "d"]).v.sum().reset_index()
        g = day.groupby("c")
        first, last, count = g.d.min(), g.d.max(), g.d.size()
        total = g.v.sum() - day.loc[g.d.idxmin(), ["c", "v"]].set_index("c").v
        end_ts = pd.Timestamp(end)
        return pd.DataFrame(
            {
                "frequency": count - 1,
                "recency": (last - first).dt.days / 7,
                "T": (end_ts - first).dt.days / 7,
                "monetary_value": (total / (count - 1)).fillna(0.0),
            }
        )

    theirs = best_of(by_pandas, repeats)
    row(f"rfm_summary, {n_compare:.0e} transactions", ours, theirs, "vs pandas groupby")
    try:
        from lifetimes.utils import summary_data_from_transaction_data
    except ImportError:  # pragma: no cover
        print("lifetimes is not installed: no lifetimes rows")
        return
    theirs = best_of(
        lambda: summary_data_from_transaction_data(
            df, "c", "t", "v", observation_period_end=end, freq="D", freq_multiplier=7
        ),
        repeats,  # best of N like every row: one run is at the mercy of the load
    )
    row(f"rfm_summary, {n_compare:.0e} transactions", ours, theirs, "vs lifetimes")
    # the same log exported sorted by customer, then time (a common CRM export)
    order = np.lexsort((t, c))
    c, t, v = c[order], t[order], v[order]
    df = pd.DataFrame({"c": c, "t": t, "v": v})
    ours = best_of(
        lambda: cx.rfm_summary(c, t, v, observation_end=end, freq_multiplier=7),
        repeats,
    )
    theirs = best_of(
        lambda: summary_data_from_transaction_data(
            df, "c", "t", "v", observation_period_end=end, freq="D", freq_multiplier=7
        ),
        repeats,
    )
    row(
        f"rfm_summary, {n_compare:.0e}, sorted by customer",
        ours,
        theirs,
        "vs lifetimes",
    )


def bench_fits(n_customers: int, repeats: int, *, cdnow: bool) -> None:
    try:
        import lifetimes
    except ImportError:  # pragma: no cover
        lifetimes = None
    if cdnow and (SHARED / "data" / "cdnow").is_dir():
        d = np.genfromtxt(
            SHARED / "data" / "cdnow" / "cdnow_customers_summary.csv",
            delimiter=",",
            names=True,
        )
        x, tx, big_t = d["frequency"], d["recency"], d["T"]
        for name, ours_fn, theirs_cls in [
            ("BG/NBD fit, CDNOW 2,357 customers", cx.bgnbd, "BetaGeoFitter"),
            ("Pareto/NBD fit, CDNOW 2,357 customers", cx.pareto_nbd, "ParetoNBDFitter"),
        ]:
            ours = best_of(lambda f=ours_fn: f(x, tx, big_t), repeats)
            theirs = None
            if lifetimes is not None:
                cls = getattr(lifetimes, theirs_cls)
                theirs = best_of(lambda c=cls: c().fit(x, tx, big_t), repeats)
            row(name, ours, theirs, "vs lifetimes")
    x, tx, big_t = simulate_bgnbd(n_customers)
    ours = best_of(lambda: cx.bgnbd(x, tx, big_t), 1)
    theirs = None
    if lifetimes is not None:
        theirs = best_of(lambda: lifetimes.BetaGeoFitter().fit(x, tx, big_t), 1)
    row(
        f"BG/NBD fit, {n_customers:.0e} simulated customers",
        ours,
        theirs,
        "vs lifetimes",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=float, default=1e7)
    parser.add_argument("--compare", type=float, default=1e6)
    parser.add_argument("--customers", type=float, default=1e6)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny run for CI (checks the script runs)"
    )
    args = parser.parse_args()
    if args.smoke:
        n_big, n_compare, n_customers, repeats = 20_000, 5_000, 5_000, 1
    else:
        n_big, n_compare = int(args.transactions), int(args.compare)
        n_customers, repeats = int(args.customers), 3
    print(f"{'':<44} {'cxmetrics':>11}  {'other':>11}  {'ratio':>9}")
    with warnings.catch_warnings():
        # lifetimes on current pandas emits deprecation warnings
        warnings.simplefilter("ignore")
        bench_rfm(n_big, n_compare, repeats)
        bench_fits(n_customers, repeats, cdnow=True)


if __name__ == "__main__":
    main()
