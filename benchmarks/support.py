"""Business time and SLA compliance: cxmetrics vs business-duration, businesstimedelta, pandas.

Run ``python benchmarks/support.py [--smoke]``. One calendar for every library:
Monday-Friday 09:00-17:00 UTC with three holidays (the libraries that take naive
datetimes get the same instants as naive UTC). The per-row libraries
(business-duration's ``businessDuration``, businesstimedelta's ``Rules.difference``
and ``+ BusinessTimeDelta``, pandas ``CustomBusinessHour`` offsets) are Python
loops: they are timed on the first ``--subset`` pairs and scaled linearly to the
full size, which the table says. Their answers are compared with cxmetrics on
that subset. pandas cannot compute a business duration between two instants with
``CustomBusinessHour``; it is timed for deadlines only, with whole-hour targets
(its offsets take whole multiples of an hour).

SLA compliance: 10^6 tickets (new -> open -> solved, one agent reply), four
priorities, 20 teams; first reply and resolution targets. cxmetrics computes it
in calendar hours and in business hours; the pandas baseline is what an analyst
writes (elapsed = solved - created in calendar hours, merge targets, groupby
team), and both must agree on the calendar-hours numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cxmetrics as cx

HOLIDAYS = [dt.date(2024, 1, 1), dt.date(2024, 5, 1), dt.date(2024, 12, 25)]
CAL = cx.BusinessCalendar(
    "UTC", week={"mon-fri": [("09:00", "17:00")]}, holidays=HOLIDAYS
)
NS = 10**9


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def make_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240101)
    base = np.datetime64("2024-01-01T00:00", "s").astype(np.int64)
    start = base + rng.integers(0, 340 * 86_400, n)
    end = start + rng.integers(0, 10 * 86_400, n)
    return start.astype("datetime64[s]"), end.astype("datetime64[s]")


def _py(x: np.datetime64) -> dt.datetime:
    return x.astype("datetime64[us]").item()


def time_loop(fn: Callable[[int], Any], subset: int) -> float:
    t0 = time.perf_counter()
    for i in range(subset):
        fn(i)
    return time.perf_counter() - t0


def bench_business_time(
    rows: int, subset: int, repeats: int
) -> list[tuple[str, str, float, bool]]:
    start, end = make_pairs(rows)
    out: list[tuple[str, str, float, bool]] = []
    cold = time.perf_counter()
    ours = CAL.business_seconds(start, end)
    cold = time.perf_counter() - cold
    warm = best_of(lambda: CAL.business_seconds(start, end), repeats)
    out.append(("durations", "cxmetrics business_seconds (first call)", cold, False))
    out.append(("durations", "cxmetrics business_seconds", warm, False))
    seconds = np.floor(ours / 3600.0) * 3600.0  # whole hours, so pandas can take part
    t_dl = best_of(lambda: CAL.deadline(start, seconds), repeats)
    out.append(("deadlines", "cxmetrics deadline", t_dl, False))
    sub = min(subset, rows)
    s_py = [_py(x) for x in start[:sub]]
    e_py = [_py(x) for x in end[:sub]]

    try:
        from business_duration import businessDuration
    except ImportError:
        print("business-duration not installed: skipped")
    else:
        got = np.empty(sub)

        def bd(i: int) -> None:
            got[i] = businessDuration(
                s_py[i], e_py[i], dt.time(9), dt.time(17), [5, 6], HOLIDAYS, "sec"
            )

        t = time_loop(bd, sub) * rows / sub
        agree = np.nan_to_num(got) == ours[:sub]
        print(f"business-duration agrees on {agree.mean():.1%} of {sub} pairs")
        out.append(("durations", "business-duration (loop, scaled)", t, True))

    try:
        import businesstimedelta as btd
    except ImportError:
        print("businesstimedelta not installed: skipped")
    else:
        workday = btd.WorkDayRule(
            start_time=dt.time(9), end_time=dt.time(17), working_days=[0, 1, 2, 3, 4]
        )
        holidays = btd.HolidayRule(HOLIDAYS)
        rules = btd.Rules([workday, holidays])
        got = np.empty(sub)

        def diff(i: int) -> None:
            d = rules.difference(s_py[i], e_py[i])
            got[i] = d.hours * 3600 + d.seconds

        t = time_loop(diff, sub) * rows / sub
        agree = got == ours[:sub]
        print(
            f"businesstimedelta difference agrees on {agree.mean():.1%} of {sub} pairs"
        )
        out.append(
            ("durations", "businesstimedelta difference (loop, scaled)", t, True)
        )
        ours_dl = CAL.deadline(start[:sub], seconds[:sub])
        got_dl = []

        def add(i: int) -> None:
            due = s_py[i] + btd.BusinessTimeDelta(rules, hours=int(seconds[i] // 3600))
            got_dl.append(due.replace(tzinfo=None))

        t = time_loop(add, sub) * rows / sub
        theirs = np.array(got_dl, dtype="datetime64[ns]")
        same = theirs == ours_dl
        # where they differ, is it the same business instant (17:00 vs next opening)?
        gap = CAL.business_seconds(ours_dl[~same], theirs[~same])
        print(
            f"businesstimedelta deadlines equal on {same.mean():.1%} of {sub} starts; "
            f"the other {int((~same).sum())} are the same business instant "
            f"(cxmetrics: the closing time, businesstimedelta: the next opening): "
            f"{bool(np.all(gap == 0) and np.all(theirs[~same] > ours_dl[~same]))}"
        )
        out.append(("deadlines", "businesstimedelta + delta (loop, scaled)", t, True))

    try:
        import pandas as pd
    except ImportError:
        print("pandas not installed: skipped")
    else:
        cbh = pd.offsets.CustomBusinessHour(
            start="09:00", end="17:00", holidays=HOLIDAYS
        )
        ts = pd.to_datetime(start[:sub])
        hours = (seconds[:sub] // 3600).astype(int)

        def pd_add(i: int) -> None:
            ts[i] + hours[i] * cbh

        t = time_loop(pd_add, sub) * rows / sub
        out.append(("deadlines", "pandas CustomBusinessHour (loop, scaled)", t, True))
    return out


def make_tickets(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    base = np.datetime64("2024-01-01T00:00", "s").astype(np.int64)
    created = base + rng.integers(0, 300 * 86_400, n)
    opened = created + rng.integers(60, 8 * 3600, n)
    solved = opened + rng.integers(60, 5 * 86_400, n)
    reply = created + rng.integers(30, 12 * 3600, n)
    reply = np.minimum(reply, solved)
    return {
        "ticket": np.arange(n),
        "created": created.astype("datetime64[s]"),
        "opened": opened.astype("datetime64[s]"),
        "solved": solved.astype("datetime64[s]"),
        "reply": reply.astype("datetime64[s]"),
        "priority": rng.integers(0, 4, n),
        "team": rng.integers(0, 20, n),
    }


TARGETS = {
    0: {"first_reply": 3600, "resolution": 8 * 3600},
    1: {"first_reply": 4 * 3600, "resolution": 24 * 3600},
    2: {"first_reply": 8 * 3600, "resolution": 48 * 3600},
    3: {"first_reply": 24 * 3600, "resolution": 96 * 3600},
}


def bench_sla(n: int, repeats: int) -> list[tuple[str, str, float, bool]]:
    d = make_tickets(n)
    out: list[tuple[str, str, float, bool]] = []
    ticket = np.repeat(d["ticket"], 3)
    instant = np.stack([d["created"], d["opened"], d["solved"]], axis=1).reshape(-1)
    status = np.tile(np.array([0, 1, 4], dtype=np.int8), n)

    def build() -> cx.TicketLog:
        return cx.TicketLog.from_arrays(
            ticket,
            instant,
            status,
            comment_ticket=d["ticket"],
            comment_instant=d["reply"],
            comment_author=np.ones(n, dtype=bool),
        )

    t_log = best_of(build, repeats)
    log = build()
    task = f"SLA {n:,} tickets"
    out.append((task, "cxmetrics TicketLog.from_arrays", t_log, False))
    cal_policy = cx.SLAPolicy(TARGETS, calendar=CAL, hours="calendar", pause={})
    bus_policy = cx.SLAPolicy(TARGETS, calendar=CAL, hours="business")
    res: Any = None

    def ours_cal() -> None:
        nonlocal res
        res = cx.sla_compliance(log, cal_policy, priority=d["priority"], by=d["team"])

    t_cal = best_of(ours_cal, repeats)
    out.append((task, "cxmetrics sla_compliance by team (calendar h)", t_cal, False))
    t_bus = best_of(
        lambda: cx.sla_compliance(
            log, bus_policy, priority=d["priority"], by=d["team"]
        ),
        repeats,
    )
    out.append((task, "cxmetrics sla_compliance by team (business h)", t_bus, False))
    try:
        import pandas as pd
    except ImportError:
        return out
    df = pd.DataFrame(d)
    tg = pd.DataFrame(
        {
            "priority": list(TARGETS),
            "fr_target": [v["first_reply"] for v in TARGETS.values()],
            "res_target": [v["resolution"] for v in TARGETS.values()],
        }
    )
    frame: Any = None

    def pandas_groupby() -> None:
        nonlocal frame
        m = df.merge(tg, on="priority", how="left")
        fr = (m["reply"] - m["created"]).dt.total_seconds() <= m["fr_target"]
        rs = (m["solved"] - m["created"]).dt.total_seconds() <= m["res_target"]
        long = pd.DataFrame(
            {
                "team": np.concatenate([m["team"], m["team"]]),
                "met": np.concatenate([fr, rs]),
            }
        )
        frame = long.groupby("team")["met"].agg(["sum", "count"])

    t_pd = best_of(pandas_groupby, repeats)
    out.append((task, "pandas merge + groupby (calendar h only)", t_pd, False))
    assert frame["sum"].to_numpy().tolist() == res.met.tolist()
    assert frame["count"].to_numpy().tolist() == res.n.tolist()
    print(
        "SLA: pandas and cxmetrics agree on met and n for all 20 teams (calendar hours)"
    )
    return out


def report(rows: list[tuple[str, str, float, bool]]) -> None:
    by_task: dict[str, float] = {}
    for task, name, t, _ in rows:
        if (
            name.startswith("cxmetrics")
            and "first call" not in name
            and "TicketLog" not in name
        ):
            by_task.setdefault(task, t)
    print(f"{'task':<20} {'implementation':<48} {'seconds':>10} {'x cxmetrics':>12}")
    for task, name, t, scaled in rows:
        ratio = t / by_task[task] if task in by_task else float("nan")
        mark = " *" if scaled else ""
        print(f"{task:<20} {name:<48} {t:>10.3f} {ratio:>12.1f}{mark}")
    print("* timed on the subset and scaled linearly to the full size")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--subset", type=int, default=2000)
    args = parser.parse_args()
    if args.smoke:
        sizes, subset, tickets, repeats = [2000], 200, 2000, 1
    else:
        sizes, subset, tickets, repeats = [10**5, 10**6], args.subset, 10**6, 3
    for rows in sizes:
        print(f"\n== business time, {rows:,} pairs ==")
        report(bench_business_time(rows, subset, repeats))
    print(f"\n== SLA compliance, {tickets:,} tickets ==")
    rows = bench_sla(tickets, repeats)
    for i, r in enumerate(rows):
        if r[1].startswith("cxmetrics sla_compliance by team (calendar"):
            rows.insert(0, rows.pop(i))
            break
    report(rows)
    t = {name: secs for _, name, secs, _ in rows}
    cal = t["cxmetrics sla_compliance by team (calendar h)"]
    bus = t["cxmetrics sla_compliance by team (business h)"]
    pd_t = t.get("pandas merge + groupby (calendar h only)")
    if pd_t is not None:
        print(
            f"calendar hours: cxmetrics / pandas merge-and-subtract {cal / pd_t:.2f}x"
        )
        # pandas starts from a wide frame (reply and solve columns ready); the log
        # starts from the raw status events and comments, so building it is work
        # pandas' one-liner does not do
        log_t = t["cxmetrics TicketLog.from_arrays"]
        print(
            "from raw events (TicketLog.from_arrays + calendar hours) / pandas "
            f"{(log_t + cal) / pd_t:.2f}x"
        )
    print(f"business hours / calendar hours (cxmetrics) {bus / cal:.2f}x")


if __name__ == "__main__":
    main()
