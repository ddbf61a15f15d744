"""Voice family: cxmetrics vs the krippendorff package, statsmodels and plain loops.

Run ``python benchmarks/voice.py [--smoke]``. Every peer is timed in the same run
on the same data, and its answer is compared with cxmetrics':

* Krippendorff's alpha (interval, 20% missing ratings): the ``krippendorff``
  package (point estimate; cxmetrics also without its bootstrap);
* Fleiss' kappa: statsmodels ``fleiss_kappa(aggregate_raters(...))``;
* Cohen's kappa: statsmodels ``cohens_kappa`` on the cross table (which the
  analyst builds first: timed with it);
* LMG key drivers: the Shapley value from all-subset OLS regressions with numpy
  least squares (what relaimpo's ``lmg`` computes; relaimpo is R);
* beta-binomial shrinkage: scipy ``betabinom`` likelihood with Nelder-Mead.
Timings are the best of ``--repeats`` runs; ratios are peer / cxmetrics.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def row(name: str, ours: float, peer: float | None, agree: bool | None) -> None:
    ratio = f"{peer / ours:8.1f}x" if peer is not None else "       -"
    peer_s = f"{peer * 1e3:10.2f}" if peer is not None else "         -"
    check = "" if agree is None else ("  same answer" if agree else "  DIFFERENT")
    print(f"{name:<44}{ours * 1e3:10.2f}{peer_s}{ratio}{check}")


def ratings(n_units: int, n_raters: int, rng: np.random.Generator) -> np.ndarray:
    truth = rng.integers(1, 6, n_units)
    data = np.clip(truth[:, None] + rng.integers(-1, 2, (n_units, n_raters)), 1, 5)
    return data.astype(float)


def lmg_loops(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    def r2(cols: tuple[int, ...]) -> float:
        if not cols:
            return 0.0
        design = np.column_stack([np.ones(len(y)), x[:, list(cols)]])
        beta, *_ = np.linalg.lstsq(design, y, rcond=None)
        resid = y - design @ beta
        return float(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))

    p = x.shape[1]
    cache = {
        s: r2(s) for k in range(p + 1) for s in itertools.combinations(range(p), k)
    }
    out = np.zeros(p)
    for j in range(p):
        for s, value in cache.items():
            if j in s:
                continue
            w = (
                math.factorial(len(s))
                * math.factorial(p - len(s) - 1)
                / math.factorial(p)
            )
            out[j] += w * (cache[tuple(sorted((*s, j)))] - value)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(20261202)
    n_units = 300 if args.smoke else 20_000
    n_rows = 300 if args.smoke else 20_000
    p = 6 if args.smoke else 10
    n_agents = 50 if args.smoke else 2_000
    reps = max(args.repeats, 2)  # the first call of a run pays one-off import costs
    print(f"{'':<44}{'cxmetrics ms':>10}{'peer ms':>10}{'ratio':>9}")

    data = ratings(n_units, 4, rng)
    data[rng.random(data.shape) < 0.2] = np.nan
    ours = best_of(
        lambda: cx.krippendorff_alpha(data, level="interval", n_resamples=0), reps
    )
    mine = cx.krippendorff_alpha(data, level="interval", n_resamples=0).value
    boot = best_of(
        lambda: cx.krippendorff_alpha(data, level="interval", n_resamples=1000), 1
    )
    try:
        import krippendorff

        peer = best_of(
            lambda: krippendorff.alpha(
                reliability_data=data.T, level_of_measurement="interval"
            ),
            reps,
        )
        theirs = krippendorff.alpha(
            reliability_data=data.T, level_of_measurement="interval"
        )
        row(
            f"Krippendorff alpha, {n_units} units x 4",
            ours,
            peer,
            abs(mine - theirs) < 1e-9,
        )
    except ImportError:
        row(f"Krippendorff alpha, {n_units} units x 4", ours, None, None)
    row("  ... with 1000 bootstrap resamples", boot, None, None)

    complete = ratings(n_units, 5, rng)
    ours = best_of(lambda: cx.fleiss_kappa(complete, n_resamples=0), reps)
    mine = cx.fleiss_kappa(complete, n_resamples=0).value
    a, b = complete[:, 0], complete[:, 1]
    ours_c = best_of(lambda: cx.cohens_kappa(a, b, n_resamples=0), reps)
    mine_c = cx.cohens_kappa(a, b, n_resamples=0).value
    try:
        from statsmodels.stats import inter_rater

        peer = best_of(
            lambda: inter_rater.fleiss_kappa(inter_rater.aggregate_raters(complete)[0]),
            reps,
        )
        theirs = inter_rater.fleiss_kappa(inter_rater.aggregate_raters(complete)[0])
        row(f"Fleiss kappa, {n_units} units x 5", ours, peer, abs(mine - theirs) < 1e-9)

        def sm_cohen() -> float:
            table = np.zeros((5, 5))
            np.add.at(table, (a.astype(int) - 1, b.astype(int) - 1), 1)
            return float(inter_rater.cohens_kappa(table).kappa)

        peer = best_of(sm_cohen, reps)
        row(
            f"Cohen kappa, {n_units} units",
            ours_c,
            peer,
            abs(mine_c - sm_cohen()) < 1e-9,
        )
    except ImportError:
        row(f"Fleiss kappa, {n_units} units x 5", ours, None, None)

    x = rng.normal(size=(n_rows, p)) @ rng.normal(size=(p, p))
    y = x @ rng.normal(size=p) + rng.normal(size=n_rows) * 3
    ours = best_of(lambda: cx.key_drivers(y, x, n_resamples=0), reps)
    mine_w = cx.key_drivers(y, x, n_resamples=0).raw
    peer = best_of(lambda: lmg_loops(y, x), 1)
    row(
        f"LMG, {n_rows} rows x {p} drivers",
        ours,
        peer,
        bool(np.allclose(mine_w, lmg_loops(y, x), rtol=1e-8)),
    )
    ours = best_of(lambda: cx.key_drivers(y, x, n_resamples=200), 1)
    row("  ... with 200 bootstrap resamples", ours, None, None)

    n = rng.integers(5, 200, n_agents)
    rates = rng.beta(8, 2, n_agents)
    k = rng.binomial(n, rates)
    ours = best_of(lambda: cx.shrink_rates(k, n), reps)
    mine_s = cx.shrink_rates(k, n)
    try:
        from scipy import optimize, stats

        def scipy_fit() -> tuple[float, float]:
            res = optimize.minimize(
                lambda t: (
                    -stats.betabinom.logpmf(k, n, np.exp(t[0]), np.exp(t[1])).sum()
                ),
                [0.0, 0.0],
                method="Nelder-Mead",
                options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 5000},
            )
            return float(np.exp(res.x[0])), float(np.exp(res.x[1]))

        peer = best_of(scipy_fit, reps)
        alpha, beta = scipy_fit()
        row(
            f"beta-binomial shrinkage, {n_agents} agents",
            ours,
            peer,
            abs(mine_s.prior_strength - (alpha + beta)) < 1e-3 * (alpha + beta),
        )
    except ImportError:
        row(f"beta-binomial shrinkage, {n_agents} agents", ours, None, None)

    weeks = 30 if args.smoke else 5_000
    counts = rng.binomial(400, 0.8, weeks)
    ours = best_of(
        lambda: cx.p_chart(counts, np.full(weeks, 400), rules="nelson"), reps
    )
    row(f"p chart + Nelson rules, {weeks} periods", ours, None, None)


if __name__ == "__main__":
    main()
