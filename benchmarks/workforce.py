"""Shift scheduling on a week of 15-minute intervals: cxmetrics (HiGHS) vs pyworkforce (CP-SAT).

Run ``python benchmarks/workforce.py [--smoke]``. The requirement is a week of
672 quarter hours (a double-humped day, busier early in the week) turned into
agents by ``staff_requirements`` (Erlang C, 80/20, 25% shrinkage).

Two problems, timed in the same run:

* **per-day shifts** (8-hour shifts starting every 30 minutes 06:00-14:00, on
  each day; no days off): the problem pyworkforce can express. Both libraries
  solve it with the minimum-headcount objective (pyworkforce's
  ``MinRequiredResources``) and the objective values are printed side by side;
* **weekly tours** (the same shifts, 6- and 8-hour, five consecutive days on and
  two off: a few hundred patterns), which pyworkforce cannot express; cxmetrics
  solves it to proven optimality (``mip_rel_gap=0``).

``--smoke`` uses 30-minute intervals and fewer shifts so it runs in seconds.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import cxmetrics as cx


def week_requirement(periods_per_day: int) -> np.ndarray:
    """Agents to schedule per interval over a week (Monday first)."""
    t = (np.arange(periods_per_day) + 0.5) * 24 / periods_per_day  # hour of day
    day = np.exp(-((t - 10.5) ** 2) / 6.0) + 0.8 * np.exp(-((t - 15.5) ** 2) / 8.0)
    day = np.where((t >= 6) & (t < 22), day + 0.05, 0.0)
    weekday = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.6, 0.45])
    minutes = 24 * 60 / periods_per_day
    volumes = np.round(np.outer(weekday, day) * 60 * minutes / 30).ravel()
    req = cx.staff_requirements(
        volumes,
        interval_length=minutes * 60,
        aht=300,
        target_service_level=0.8,
        threshold=20,
        shrinkage=0.25,
    )
    return np.asarray(req.headcount)


def timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run(smoke: bool) -> None:
    ppd = 48 if smoke else 96
    per_hour = ppd // 24
    req = week_requirement(ppd)
    step = 2 * per_hour if smoke else per_hour // 2  # shift starts every 2 h / 30 min
    starts = np.arange(6 * per_hour, 14 * per_hour + 1, step)
    eight = 8 * per_hour
    print(
        f"week of {req.size} intervals ({24 * 60 // ppd}-minute), peak requirement "
        f"{int(req.max())}, {int(req.sum())} agent-intervals"
    )
    rows: list[tuple[str, str, float, float]] = []
    # warm-up: import scipy.optimize and HiGHS outside the timings
    cx.schedule_shifts([1, 1], cx.shift_patterns(0, 2, periods_per_day=2))

    # 1. per-day shifts: the problem both libraries can express
    daily = cx.shift_patterns(starts, eight, periods_per_day=ppd, days=7)
    ours, t_ours = timed(lambda: cx.schedule_shifts(req, daily, mip_rel_gap=0))
    rows.append(
        (
            f"per-day shifts ({daily.n_patterns} patterns)",
            f"cxmetrics {ours.method}",
            t_ours,
            ours.objective_value,
        )
    )
    try:
        from pyworkforce.scheduling import MinRequiredResources
    except ImportError:
        print("pyworkforce is not installed: its row is skipped")
    else:
        cover = {}
        for s in starts:
            c = np.zeros(ppd, dtype=int)
            c[s : s + eight] = 1
            cover[f"s{s}"] = c.tolist()
        pw = MinRequiredResources(
            num_days=7,
            periods=ppd,
            shifts_coverage=cover,
            required_resources=req.reshape(7, ppd).tolist(),
            max_period_concurrency=int(req.max()) * 4,
            max_shift_concurrency=int(req.max()) * 2,
            max_search_time=120.0,
            num_search_workers=1,
        )
        sol, t_pw = timed(pw.solve)
        rows.append(
            (
                f"per-day shifts ({daily.n_patterns} patterns)",
                f"pyworkforce CP-SAT ({sol['status']})",
                t_pw,
                float(sol["cost"]),
            )
        )

    # 2. weekly tours with days off: only cxmetrics
    lengths = [eight] if smoke else [6 * per_hour, eight]
    s_all = np.repeat(starts, len(lengths))
    l_all = np.tile(lengths, starts.size)
    tours = cx.shift_patterns(s_all, l_all, periods_per_day=ppd, days=7, days_on=5)
    t_res, t_t = timed(lambda: cx.schedule_shifts(req, tours, mip_rel_gap=0))
    rows.append(
        (
            f"5-on/2-off tours ({tours.n_patterns} patterns)",
            f"cxmetrics {t_res.method} ({'optimal' if t_res.optimal else 'gap ' + format(t_res.gap, '.3g')})",
            t_t,
            t_res.objective_value,
        )
    )
    paid, t_p = timed(
        lambda: cx.schedule_shifts(req, tours, objective="paid_time", mip_rel_gap=0)
    )
    rows.append(
        (
            f"5-on/2-off tours ({tours.n_patterns} patterns)",
            "cxmetrics milp, paid time",
            t_p,
            paid.objective_value,
        )
    )

    width = max(len(r[0]) for r in rows)
    sw = max(len(r[1]) for r in rows)
    print(f"{'problem'.ljust(width)}  {'solver'.ljust(sw)}  {'seconds':>8}  objective")
    for problem, solver, secs, obj in rows:
        print(f"{problem.ljust(width)}  {solver.ljust(sw)}  {secs:8.3f}  {obj:g}")
    if len(rows) > 3:
        print(
            f"per-day: pyworkforce / cxmetrics time ratio {rows[1][2] / rows[0][2]:.1f}x; "
            f"equal objective: {rows[0][3] == rows[1][3]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds")
    args = parser.parse_args()
    run(args.smoke)


if __name__ == "__main__":
    main()
