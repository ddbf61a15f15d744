"""Record ClickHouse ``windowFunnel`` levels (through chdb) as a JSON fixture.

Run from the repository root (chdb is a test-only reference, too heavy for CI):

    pip install chdb==4.4.0   # bundles ClickHouse 26.9
    python tests/journeys/make_windowfunnel_fixture.py

It writes ``tests/journeys/windowfunnel_fixture.json``: for each case a log
(unit, time, event), the steps (sets of event names), the window, and the level
ClickHouse returns per unit in each mode (default, strict_order,
strict_deduplication, strict_increase). ``test_windowfunnel.py`` checks
cxmetrics against it, and against chdb itself when chdb is installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

MODES = ["ordered", "strict_order", "strict_deduplication", "strict_increase"]
OUT = Path(__file__).with_name("windowfunnel_fixture.json")


def clickhouse_levels(units, times, events, steps, window, mode):
    """Levels per unit (sorted by unit) from chdb's windowFunnel."""
    import chdb

    rows = ",".join(
        f"({int(u)},{int(t)},'{e}')"
        for u, t, e in zip(units, times, events, strict=True)
    )
    conds = ", ".join(
        "e IN (" + ",".join(f"'{n}'" for n in sorted(step)) + ")" for step in steps
    )
    opt = "" if mode == "ordered" else f", '{mode}'"
    # our own generated test data, not user input
    q = (
        f"SELECT u, windowFunnel({int(window)}{opt})(ts, {conds}) "  # noqa: S608
        f"FROM values('u UInt32, ts UInt32, e String', {rows}) GROUP BY u ORDER BY u"
    )
    out = chdb.query(q, "CSV").bytes().decode().strip().splitlines()
    return [[int(x) for x in line.split(",")] for line in out]


def cases():
    # the ClickHouse documentation's example (eventIDs 1003, 1009, 1007, 1010; one
    # user; times in seconds since 2019-01-29 10:00; window 6048000000000000)
    day = 86400
    yield {
        "name": "clickhouse_docs",
        "units": [1, 1, 1, 1],
        "times": [0, 2 * day - 3600, day - 7200, 3 * day - 7200],
        "events": ["1003", "1007", "1009", "1010"],
        "steps": [["1003"], ["1009"], ["1007"], ["1010"]],
        "window": 6048000000000000,
    }
    # hand-made edge cases, one unit each
    yield {
        "name": "edges",
        "units": [1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7],
        "times": [
            5,
            5,
            5,
            1,
            2,
            1,
            2,
            3,
            4,
            0,
            50,
            55,
            1,
            2,
            3,
            4,
            1,
            2,
            2,
            3,
            1,
            3,
            3,
        ],
        "events": list("ABCBAAXBCAABABABABBCAQC"),
        "steps": [["A", "Q"], ["B", "Q"], ["C"]],
        "window": 10,
    }
    # 1: ties in one second; 2: steps out of order; 3: interleaved other event;
    # 4: first A outside the window of the later chain A(50) -> B(55);
    # 5: a repeated pair; 6: a repeated step; 7: one event matching steps 1 and 2
    rng = np.random.default_rng(20261202)
    for seed in range(4):
        n = 500
        yield {
            "name": f"random_{seed}",
            "units": rng.integers(0, 60, n).tolist(),
            "times": rng.integers(0, 40, n).tolist(),
            "events": rng.choice(
                list("ABCDQX"), n, p=[0.25, 0.2, 0.15, 0.1, 0.1, 0.2]
            ).tolist(),
            "steps": [["A", "Q"], ["B", "Q"], ["C"], ["D"]],
            "window": int(rng.integers(3, 20)),
        }


def main():
    out = []
    for case in cases():
        case["levels"] = {
            mode: clickhouse_levels(
                case["units"],
                case["times"],
                case["events"],
                case["steps"],
                case["window"],
                mode,
            )
            for mode in MODES
        }
        out.append(case)
    import chdb

    meta = {
        "clickhouse": chdb.query("SELECT version()", "CSV")
        .bytes()
        .decode()
        .strip()
        .strip('"')
    }
    OUT.write_text(
        json.dumps({"meta": meta, "cases": out}, separators=(",", ":")) + "\n"
    )
    print(f"wrote {OUT} ({len(out)} cases)")  # noqa: T201


if __name__ == "__main__":
    main()
