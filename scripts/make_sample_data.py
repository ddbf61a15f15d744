"""Generate the bundled sample data deterministically (``make sample-data``).

Writes into ``src/cxmetrics/data/``:

* ``sample_survey.csv``: 3,000 answers over six months and three segments, with NPS
  (0-10), CSAT (1-5) and CES 2.0 (1-7) answers that follow one latent satisfaction
  per respondent, a few unanswered questions, and survey weights;
* ``sample_tickets.csv`` and ``sample_comments.csv``: 1,500 support tickets over the
  same months, across four priorities and three teams, as a status timeline
  (new, open, pending, solved, reopened) and public comments (agent, requester),
  created mostly in business hours (Europe/Berlin);
* ``sample_policy.toml``: an SLA policy for those tickets (business hours);
* ``sample_activity.csv``: monthly subscription renewals of 800 customers who
  join over the year and churn with a plan-dependent probability;
* ``sample_transactions.csv``: purchases of 1,000 customers drawn from a BG/NBD
  process with Gamma-Gamma spend (times in days, amounts in euros).

Synthetic: it looks like real exports, it is no one's data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "src" / "cxmetrics" / "data"
OUT = DATA / "sample_survey.csv"
SEGMENTS = np.array(["Enterprise", "SMB", "Consumer"])
REGIONS = np.array(["EMEA", "Americas", "APAC"])
MONTHS = np.array([f"2026-{m:02d}" for m in range(1, 7)])
N = 3_000


def survey() -> None:
    rng = np.random.default_rng(20261123)
    seg = rng.choice(3, size=N, p=[0.25, 0.35, 0.40])
    region = rng.choice(3, size=N, p=[0.4, 0.4, 0.2])
    month = rng.integers(0, 6, size=N)
    # latent satisfaction: segments differ, and a slow improvement over the months
    latent = rng.normal(loc=np.array([0.45, 0.1, -0.1])[seg] + 0.04 * month, scale=1.0)
    nps = np.clip(np.rint(7.2 + 2.0 * latent + rng.normal(0, 0.8, N)), 0, 10)
    csat = np.clip(np.rint(3.7 + 0.9 * latent + rng.normal(0, 0.5, N)), 1, 5)
    ces = np.clip(np.rint(5.0 + 1.2 * latent + rng.normal(0, 0.7, N)), 1, 7)
    # some respondents skip a question
    nps_s = np.where(rng.random(N) < 0.02, "", nps.astype(int).astype(str))
    csat_s = np.where(rng.random(N) < 0.05, "", csat.astype(int).astype(str))
    ces_s = np.where(rng.random(N) < 0.08, "", ces.astype(int).astype(str))
    # post-stratification-like weights: consumers under-respond
    weight = np.round(np.array([0.8, 1.0, 1.3])[seg] * rng.uniform(0.8, 1.2, N), 3)
    order = np.lexsort((rng.random(N), month))
    lines = ["respondent_id,month,segment,region,nps,csat,ces,weight"]
    lines += [
        f"R{i + 1:05d},{MONTHS[month[j]]},{SEGMENTS[seg[j]]},{REGIONS[region[j]]},{nps_s[j]},{csat_s[j]},{ces_s[j]},{weight[j]}"
        for i, j in enumerate(order)
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({N} rows)")


PRIORITIES = np.array(["urgent", "high", "normal", "low"])
TEAMS = np.array(["Billing", "Technical", "Accounts"])
N_TICKETS = 1_500
POLICY = """# SLA policy of the sample tickets: targets per priority, in hours
unit = "hours"

[calendar]
zone = "Europe/Berlin"
week = { "mon-fri" = [["08:00", "18:00"]] }
holidays = ["2026-01-01", "2026-01-06", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25"]

[hours]
# both clocks count business hours of the calendar above
first_reply = "business"
resolution = "business"

[targets.urgent]
first_reply = 1
resolution = 8

[targets.high]
first_reply = 4
resolution = 24

[targets.normal]
first_reply = 8
resolution = 40

[targets.low]
first_reply = 16
resolution = 80
"""


def _hours(h: float) -> np.timedelta64:
    return np.timedelta64(round(h * 3600), "s")


def _iso(t: np.ndarray) -> np.ndarray:
    return np.char.add(np.datetime_as_string(t, unit="s"), "Z")


def tickets() -> None:
    """A status timeline and comments per ticket (a loop over tickets: a script, not a kernel)."""
    rng = np.random.default_rng(7)
    hour = np.timedelta64(3600, "s")
    start = np.datetime64("2026-01-05T00:00:00", "s")
    day = rng.integers(0, 175, N_TICKETS)
    # created mostly in working hours, Berlin (UTC+1/+2): 07:00-17:00 UTC
    created = (
        start
        + day * 24 * hour
        + (rng.uniform(7, 17, N_TICKETS) * 3600).astype("timedelta64[s]")
    )
    prio = rng.choice(4, N_TICKETS, p=[0.08, 0.22, 0.5, 0.2])
    team = rng.choice(3, N_TICKETS, p=[0.3, 0.45, 0.25])
    speed = np.array([0.4, 1.2, 3.0, 6.0])[prio] * np.array([1.0, 1.4, 0.8])[team]
    events: list[tuple[int, np.datetime64, str]] = []
    comments: list[tuple[int, np.datetime64, str]] = []
    for i in range(N_TICKETS):
        t = created[i]
        events.append((i, t, "new"))
        reply = (
            t + _hours(rng.lognormal(np.log(speed[i]), 0.9)) + np.timedelta64(60, "s")
        )
        events.append((i, reply, "open"))
        comments.append((i, reply, "agent"))
        t = reply
        if rng.random() < 0.45:  # waits on the requester
            t = t + np.timedelta64(int(rng.uniform(5, 300)), "m")
            events.append((i, t, "pending"))
            t = t + _hours(rng.lognormal(np.log(10), 1.0)) + np.timedelta64(60, "s")
            comments.append((i, t, "requester"))
            events.append((i, t, "open"))
            t = (
                t
                + _hours(rng.lognormal(np.log(speed[i] * 1.5), 0.8))
                + np.timedelta64(60, "s")
            )
            comments.append((i, t, "agent"))
        t = (
            t
            + _hours(rng.lognormal(np.log(speed[i] * 3), 1.0))
            + np.timedelta64(60, "s")
        )
        if t > np.datetime64("2026-06-30T12:00:00", "s"):
            continue  # still open at the end of the export
        events.append((i, t, "solved"))
        if rng.random() < 0.07:  # reopened by the requester
            t = t + np.timedelta64(int(rng.uniform(1, 72)), "h")
            comments.append((i, t, "requester"))
            events.append((i, t, "open"))
            t = (
                t
                + _hours(rng.lognormal(np.log(speed[i] * 2), 0.8))
                + np.timedelta64(60, "s")
            )
            comments.append((i, t, "agent"))
            events.append((i, t + np.timedelta64(60, "s"), "solved"))
    ids = np.array([f"T{e[0] + 1:05d}" for e in events])
    when = _iso(np.array([e[1] for e in events], dtype="datetime64[s]"))
    status = np.array([e[2] for e in events])
    index = np.array([e[0] for e in events])
    lines = ["ticket,instant,status,priority,team"]
    lines += [
        f"{ids[k]},{when[k]},{status[k]},{PRIORITIES[prio[index[k]]]},{TEAMS[team[index[k]]]}"
        for k in range(len(events))
    ]
    (DATA / "sample_tickets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cid = np.array([f"T{c[0] + 1:05d}" for c in comments])
    cwhen = _iso(np.array([c[1] for c in comments], dtype="datetime64[s]"))
    clines = ["ticket,instant,author"]
    clines += [f"{cid[k]},{cwhen[k]},{comments[k][2]}" for k in range(len(comments))]
    (DATA / "sample_comments.csv").write_text(
        "\n".join(clines) + "\n", encoding="utf-8"
    )
    (DATA / "sample_policy.toml").write_text(POLICY, encoding="utf-8")
    print(
        f"wrote sample_tickets.csv ({len(events)} events), sample_comments.csv ({len(comments)}), sample_policy.toml"
    )


def activity() -> None:
    """Monthly renewals: customers join over 2025, renew until they churn (by plan)."""
    rng = np.random.default_rng(11)
    n = 800
    plans = np.array(["Basic", "Pro", "Team"])
    plan = rng.choice(3, n, p=[0.5, 0.35, 0.15])
    join = rng.integers(0, 12, n)
    churn = np.array([0.09, 0.05, 0.03])[plan]
    life = rng.geometric(churn)  # months active, at least one
    last = np.minimum(join + life, 18)  # observed through June 2026
    months = np.repeat(np.arange(n), last - join)
    offset = np.concatenate([np.arange(a, b) for a, b in zip(join, last, strict=True)])
    base = np.datetime64("2025-01", "M")
    day = rng.integers(0, 28, n)[months]
    when = (base + offset).astype("datetime64[D]") + day
    lines = ["customer,time,plan"]
    lines += [
        f"C{m + 1:04d},{w},{plans[plan[m]]}"
        for m, w in zip(months, when.astype(str), strict=True)
    ]
    (DATA / "sample_activity.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote sample_activity.csv ({len(months)} renewals of {n} customers)")


def transactions() -> None:
    """BG/NBD purchases (r=0.25, alpha=4, a=0.8, b=2.5, weeks) with Gamma-Gamma spend."""
    rng = np.random.default_rng(13)
    n = 1_000
    lam = rng.gamma(0.25, 1 / 4.0, n)  # purchases per week
    p = rng.beta(0.8, 2.5, n)  # drop-out after each purchase
    nu = rng.gamma(3.7, 1 / 15.0, n)  # spend scale (Gamma-Gamma: p=6, q=3.7, gamma=15)
    first = np.datetime64("2025-01-01") + rng.integers(0, 90, n)
    end = np.datetime64("2026-06-30")
    rows: list[tuple[int, np.datetime64, float]] = []
    for i in range(n):  # a script, not a kernel: one customer's process at a time
        t = first[i]
        while t <= end:
            rows.append((i, t, float(np.round(rng.gamma(6.0, 1 / nu[i]), 2))))
            if rng.random() < p[i]:
                break
            gap = rng.exponential(1 / max(lam[i], 1e-9)) * 7
            if gap > 10_000:
                break
            t = t + np.timedelta64(max(int(np.ceil(gap)), 1), "D")
    lines = ["customer,date,amount"]
    lines += [f"K{c + 1:04d},{d},{a:.2f}" for c, d, a in rows]
    (DATA / "sample_transactions.csv").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    print(f"wrote sample_transactions.csv ({len(rows)} purchases of {n} customers)")


def main() -> None:
    survey()
    tickets()
    activity()
    transactions()


if __name__ == "__main__":
    main()
