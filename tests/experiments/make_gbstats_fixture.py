"""Record GrowthBook gbstats' frequentist and sequential results as a JSON fixture.

gbstats pins old numpy/pandas, so it runs in a throwaway virtual environment:

    python3 -m venv /tmp/gbvenv
    /tmp/gbvenv/bin/pip install gbstats==0.8.0
    /tmp/gbvenv/bin/python tests/experiments/make_gbstats_fixture.py

The data of every case are written as per-arm sums (n, sums, sums of squares and of
cross-products), the form both gbstats and ``cxmetrics.ExperimentState`` take, so the
test does not depend on random-number streams across numpy versions.
"""

from __future__ import annotations

import json
import math
from importlib.metadata import version
from pathlib import Path

import numpy as np
from gbstats.frequentist.tests import (
    FrequentistConfig,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)

OUT = Path(__file__).with_name("gbstats_fixture.json")


def sums(cols: list[np.ndarray]) -> dict:
    v = len(cols)
    prods = [[float(np.sum(cols[i] * cols[j])) for j in range(v)] for i in range(v)]
    return {
        "n": len(cols[0]),
        "sums": [float(c.sum()) for c in cols],
        "products": prods,
    }


def mean_stat(s: dict, i: int = 0) -> SampleMeanStatistic:
    return SampleMeanStatistic(
        n=s["n"], sum=s["sums"][i], sum_squares=s["products"][i][i]
    )


def prop_stat(s: dict, i: int = 0) -> ProportionStatistic:
    return ProportionStatistic(n=s["n"], sum=s["sums"][i])


def build(kind: str, s: dict, cuped: bool):
    if kind == "ratio":
        return RatioStatistic(
            n=s["n"],
            m_statistic=mean_stat(s, 0),
            d_statistic=mean_stat(s, 1),
            m_d_sum_of_products=s["products"][0][1],
        )
    post = prop_stat(s) if kind == "proportion" else mean_stat(s)
    if not cuped:
        return post
    return RegressionAdjustedStatistic(
        n=s["n"],
        post_statistic=post,
        pre_statistic=mean_stat(s, 1),
        post_pre_sum_of_products=s["products"][0][1],
        theta=0,
    )


def data(rng: np.random.Generator, kind: str, n: int, lift: float, cuped: bool):
    x = rng.gamma(2.0, 2.0, n)  # pre-period contacts
    if kind == "mean":
        y = 300 + 20 * (x - 4) + rng.normal(0, 60, n) + lift  # handle time, s
        cols = [np.round(y, 1)]
    elif kind == "proportion":
        p = np.clip(0.6 + 0.04 * (x - 4) + lift, 0.01, 0.99)
        cols = [(rng.random(n) < p).astype(float)]
    else:  # ratio: contacts per session
        d = rng.poisson(3.0, n) + 1.0
        y = rng.poisson(d * (0.4 + lift))
        cols = [y.astype(float), d]
    if cuped:
        cols.append(np.round(x, 2))
    return cols


def main() -> None:
    rng = np.random.default_rng(20261202)
    cases = []
    specs = [
        ("mean", False, 1200, 1500, 6.0),
        ("mean", True, 1200, 1500, 6.0),
        ("proportion", False, 2000, 2100, 0.03),
        ("proportion", True, 2000, 2100, 0.03),
        ("ratio", False, 900, 950, 0.03),
        ("mean", False, 150, 140, -4.0),
    ]
    for kind, cuped, na, nb, lift in specs:
        a = sums(data(rng, kind, na, 0.0, cuped))
        b = sums(data(rng, kind, nb, lift, cuped))
        out = {"kind": kind, "cuped": cuped, "control": a, "treatment": b}
        for diff in ("absolute", "relative"):
            fixed = TwoSidedTTest(
                build(kind, a, cuped),
                build(kind, b, cuped),
                FrequentistConfig(alpha=0.05, difference_type=diff),
            )
            res = fixed.compute_result()
            out[diff] = {
                "estimate": res.expected,
                "ci": list(res.ci),
                "p_value": res.p_value,
                "stddev": res.uplift.stddev,
                "dof": fixed.dof,
            }
            if cuped:
                out[diff]["theta"] = fixed.stat_a.theta
            for tuning, alpha in ((5000.0, 0.05), (500.0, 0.1)):
                seq = SequentialTwoSidedTTest(
                    build(kind, a, cuped),
                    build(kind, b, cuped),
                    SequentialConfig(
                        alpha=alpha,
                        difference_type=diff,
                        sequential_tuning_parameter=tuning,
                    ),
                )
                sres = seq.compute_result()
                out[diff][f"sequential_{tuning:g}_{alpha:g}"] = {
                    "estimate": sres.expected,
                    "ci": list(sres.ci),
                    "p_value": sres.p_value,
                }
        cases.append(out)
    payload = {
        "source": f"gbstats {version('gbstats')} (numpy {np.__version__})",
        "command": "/tmp/gbvenv/bin/python tests/experiments/make_gbstats_fixture.py",  # noqa: S108
        "cases": cases,
    }
    assert all(math.isfinite(c["absolute"]["p_value"]) for c in cases)
    OUT.write_text(json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    main()
