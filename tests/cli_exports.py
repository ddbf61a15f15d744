"""Real-shaped export files for the command-line and report tests.

Three exports as a CX team would download them, with their own headers (spaces,
units, ids as text), blank answers, time zones, weights, per-ticket due dates and
a purchase log where most customers bought once (a zero-heavy CLV).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SURVEY_ROLES = [
    "--col",
    "nps=Likelihood to recommend (0-10)",
    "--col",
    "csat=Satisfaction (1-5)",
    "--col",
    "ces=Effort (1-7)",
    "--col",
    "weight=Weight",
]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def survey_export(folder: Path, *, n: int = 900, seed: int = 1) -> Path:
    """A survey platform export: text ids, zoned timestamps, blanks, weights, countries."""
    rng = np.random.default_rng(seed)
    month = rng.integers(1, 7, n)
    day = rng.integers(1, 28, n)
    country = rng.choice(["Deutschland", "España", "France"], n, p=[0.5, 0.3, 0.2])
    nps = rng.choice(
        11, n, p=[0.04, 0.02, 0.03, 0.03, 0.04, 0.08, 0.08, 0.15, 0.18, 0.17, 0.18]
    )
    csat = rng.integers(1, 6, n)
    ces = rng.integers(1, 8, n)
    weight = np.round(rng.uniform(0.5, 2.0, n), 3)
    rows: list[list[object]] = [
        [
            f"R-{i:05d}",
            f"2026-{month[i]:02d}-{day[i]:02d}T10:{i % 60:02d}:00+02:00",
            country[i],
            "" if i % 37 == 5 else int(nps[i]),
            "" if i % 29 == 3 else int(csat[i]),
            "" if i % 23 == 7 else int(ces[i]),
            float(weight[i]),
        ]
        for i in range(n)
    ]
    return _write(
        folder / "survey_export.csv",
        [
            "Response ID",
            "Submitted At",
            "Country",
            "Likelihood to recommend (0-10)",
            "Satisfaction (1-5)",
            "Effort (1-7)",
            "Weight",
        ],
        rows,
    )


def ticket_export(folder: Path, *, n: int = 240, seed: int = 2) -> tuple[Path, Path]:
    """A help-desk status log (UTC instants) with per-ticket due dates, and a policy.

    Public comments go to ``ticket_comments.csv`` beside it (requester, then agent).
    """
    rng = np.random.default_rng(seed)
    rows: list[list[object]] = []
    comments: list[list[object]] = []
    start = np.datetime64("2026-03-02T08:00:00")
    for i in range(n):
        created = start + np.timedelta64(int(rng.integers(0, 90 * 24 * 3600)), "s")
        solved = created + np.timedelta64(int(rng.integers(600, 30 * 3600)), "s")
        prio = ["Urgent", "High", "Normal"][i % 3]
        due = (
            ""
            if i % 4 == 0
            else str(created + np.timedelta64(2 * 24 * 3600, "s")) + "Z"
        )
        tid = f"INC{i + 1:06d}"
        rows.append([tid, str(created) + "Z", "new", prio, due])
        rows.append([tid, str(solved) + "Z", "solved", prio, due])
        reply = created + (solved - created) // 3
        comments.append([tid, str(created) + "Z", "requester"])
        comments.append([tid, str(reply) + "Z", "agent"])
    status = _write(
        folder / "ticket_export.csv",
        ["Ticket #", "Updated (UTC)", "State", "Priority", "Resolve by"],
        rows,
    )
    _write(
        folder / "ticket_comments.csv",
        ["Ticket #", "Updated (UTC)", "Author"],
        comments,
    )
    policy = folder / "policy.toml"
    policy.write_text(
        'unit = "hours"\n\n[calendar]\nzone = "Europe/Madrid"\n'
        'week = { "mon-fri" = [["09:00", "18:00"]] }\n\n'
        '[hours]\nfirst_reply = "business"\nresolution = "business"\n\n'
        "[targets.Urgent]\nfirst_reply = 1\nresolution = 8\n\n"
        "[targets.High]\nfirst_reply = 4\nresolution = 24\n\n"
        "[targets.Normal]\nfirst_reply = 8\nresolution = 72\n",
        encoding="utf-8",
    )
    return status, policy


def purchase_export(folder: Path, *, n_customers: int = 400, seed: int = 3) -> Path:
    """An order log from a BG/NBD process where most customers buy once: a zero-heavy CLV."""
    rng = np.random.default_rng(seed)
    rows: list[list[object]] = []
    end = np.datetime64("2026-06-30")
    for c in range(n_customers):
        first = np.datetime64("2025-07-01") + np.timedelta64(
            int(rng.integers(0, 300)), "D"
        )
        rate = rng.gamma(
            0.3, 1 / 6.0
        )  # purchases per day: most customers rarely buy again
        drop = rng.beta(1.0, 3.0)  # chance of leaving after each purchase
        day, days = first, [first]
        while rng.random() >= drop:
            day = day + np.timedelta64(max(1, int(rng.exponential(1 / rate))), "D")
            if day > end:
                break
            days.append(day)
        spend = rng.gamma(4.0, 10.0)  # the customer's own mean spend
        for k, d in enumerate(days):
            rows.append([f"C-{c:04d}", str(d), f"{rng.gamma(6.0, spend / 6.0):.2f}", k])
    return _write(
        folder / "orders.csv",
        ["Customer ID", "Order Date", "Total (USD)", "Line"],
        rows,
    )


def subscription_export(folder: Path, *, n: int = 300, seed: int = 5) -> Path:
    """A billing export: one row per subscription, running ones without an end date."""
    rng = np.random.default_rng(seed)
    rows: list[list[object]] = []
    for i in range(n):
        start = np.datetime64("2024-01-01") + np.timedelta64(
            int(rng.integers(0, 700)), "D"
        )
        months = int(rng.integers(1, 30))
        end = start.astype("datetime64[M]") + np.timedelta64(months, "M")
        running = end > np.datetime64("2026-06", "M")
        mrr = round(
            float(rng.choice([29.0, 79.0, 199.0])) * float(rng.uniform(0.9, 1.1)), 2
        )
        rows.append(
            [f"ACC-{i:04d}", str(start), "" if running else f"{end}-01", f"{mrr:.2f}"]
        )
    return _write(
        folder / "subscriptions.csv",
        ["Account", "Started", "Cancelled", "MRR (USD)"],
        rows,
    )
