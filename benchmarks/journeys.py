"""Funnels: cxmetrics vs ClickHouse's windowFunnel (chdb) vs a pandas implementation.

Run ``python benchmarks/journeys.py [--smoke] [--rows N]``. One synthetic event
log for everyone: ``rows`` events of ``rows / 20`` users, each active for six
hours within 30 days (integer seconds), six event codes of which four are funnel steps, a one-hour window.
Each engine computes every user's level in the default mode and the level
histogram; the three histograms must agree.

- cxmetrics: ``FunnelState.from_log`` (validation, one sort, a search per step).
- chdb (ClickHouse 26.9 in process): ``windowFunnel`` grouped by user over the
  same pandas frame (``Python(df)``), so its time includes reading the frame.
- pandas: the vectorised pandas an analyst would write for the same semantics,
  one ``merge_asof`` per step (by user, on the sorted position).

Times are the best of ``--repeats`` runs after one warm-up, all from one run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx

STEPS = [{1}, {2}, {3}, {4}]
WINDOW = 3600


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    out = fn()  # warm-up (and the answer)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def make_log(rows: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20261202)
    users = max(rows // 20, 1)
    u = rng.integers(0, users, rows)
    # each user is active for six hours on one of 30 days
    day = (u * 7919) % (30 * 86_400)
    return {
        "u": u.astype(np.uint32),
        "ts": (day + rng.integers(0, 6 * 3600, rows)).astype(np.uint32),
        # step codes 1..4 and two other events (0, 5), later steps rarer
        "e": rng.choice(
            np.array([0, 1, 2, 3, 4, 5], np.uint8),
            rows,
            p=[0.3, 0.3, 0.18, 0.1, 0.05, 0.07],
        ),
    }


def ours(log: dict[str, np.ndarray]) -> list[int]:
    state = cx.FunnelState.from_log(log["u"], log["ts"], log["e"], STEPS, window=WINDOW)
    return state.counts[0].tolist()


def chdb_levels(df: Any, n_users: int) -> list[int]:  # noqa: ARG001  (chdb reads `df` by name)
    import chdb

    q = (  # a constant query: no user input
        f"SELECT l, count() FROM (SELECT u, windowFunnel({WINDOW})(ts, e = 1, e = 2, "  # noqa: S608
        "e = 3, e = 4) AS l FROM Python(df) GROUP BY u) GROUP BY l ORDER BY l"
    )
    rows = chdb.query(q, "CSV").bytes().decode().split()
    hist = [0] * (len(STEPS) + 1)
    for line in rows:
        level, count = (int(x) for x in line.split(","))
        hist[level] = count
    hist[0] += n_users - sum(hist)  # users with no step event are not grouped
    return hist


def pandas_levels(df: Any, n_users: int) -> list[int]:
    import pandas as pd

    d = df.sort_values(["u", "ts", "e"], kind="stable", ignore_index=True)
    d["pos"] = np.arange(len(d))
    valid = d.loc[d["e"] == 1, ["u", "pos", "ts"]].rename(columns={"ts": "start"})
    level = pd.Series(0, index=pd.RangeIndex(n_users))
    level[valid["u"].unique()] = 1
    for k in range(2, len(STEPS) + 1):
        cand = d.loc[d["e"] == k, ["u", "pos", "ts"]]
        m = pd.merge_asof(
            cand,
            valid,
            on="pos",
            by="u",
            allow_exact_matches=False,
            direction="backward",
        )
        ok = m["start"].notna() & (m["ts"] <= m["start"] + WINDOW)
        valid = m.loc[ok, ["u", "pos", "start"]]
        level[valid["u"].unique()] = k
    return np.bincount(level.to_numpy(), minlength=len(STEPS) + 1).tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, runs in seconds"
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = 20_000 if args.smoke else args.rows
    repeats = 1 if args.smoke else args.repeats
    log = make_log(rows)
    n_users = int(log["u"].max()) + 1
    t_ours, h_ours = best_of(lambda: ours(log), repeats)
    results = [("cxmetrics FunnelState.from_log", t_ours, h_ours)]
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        df = pd.DataFrame(log)
        # every user, also those without a step event, counts as level 0
        n_all = int(np.unique(log["u"]).size)
        results.append(
            (
                "pandas merge_asof per step",
                *best_of(lambda: pandas_levels(df, n_users), repeats),
            )
        )
        results[-1] = (
            results[-1][0],
            results[-1][1],
            _drop_absent(results[-1][2], n_users - n_all),
        )
        try:
            import chdb  # noqa: F401
        except ImportError:
            print("chdb not installed: pip install chdb to compare with ClickHouse")
        else:
            results.append(
                (
                    "chdb windowFunnel (ClickHouse 26.9)",
                    *best_of(lambda: chdb_levels(df, n_all), repeats),
                )
            )
    print(
        f"{rows:,} events, {int(np.unique(log['u']).size):,} users, {len(STEPS)} steps, window {WINDOW} s"
    )
    print(f"{'engine':40s} {'seconds':>9s} {'ratio':>7s}  level histogram")
    for name, t, hist in results:
        print(f"{name:40s} {t:9.3f} {t / t_ours:7.2f}  {hist}")
        assert hist == h_ours, f"{name} disagrees: {hist} != {h_ours}"


def _drop_absent(hist: list[int], absent: int) -> list[int]:
    out = list(hist)
    out[0] -= absent
    return out


if __name__ == "__main__":
    main()
