"""MkDocs hook: draw the charts of docs/charts.md from the code, before the build.

The pictures are made from the bundled sample data by the same calls the page
shows (and runs as doctests), into docs/charts/ (not in git), so a picture can
never drift from the function it shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "docs" / "charts"


def on_pre_build(config: Any) -> None:  # noqa: ARG001  (MkDocs hook signature)
    import matplotlib as mpl  # noqa: PLC0415

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    import cxmetrics as cx  # noqa: PLC0415
    from cxmetrics import datasets, plot  # noqa: PLC0415

    OUT.mkdir(exist_ok=True)
    s = datasets.load_sample_survey()
    a = datasets.load_sample_activity()
    t = datasets.load_sample_tickets()
    policy = datasets.sample_policy()
    as_of = np.datetime64("2026-07-01T00:00:00", "s")
    log = cx.TicketLog.from_arrays(
        t["ticket"],
        t["instant"],
        t["status"],
        comment_ticket=t["comment_ticket"],
        comment_instant=t["comment_instant"],
        comment_author=t["comment_author"],
        as_of=as_of,
    )
    ids, first = np.unique(t["ticket"], return_index=True)
    sla = cx.sla_compliance(
        log,
        policy,
        priority=t["priority"][first],
        tickets=ids,
        by=t["priority"][first],
        as_of=as_of,
    )
    timings = cx.ticket_timings(log, calendar=policy.calendar, as_of=as_of)
    lifetime = cx.kaplan_meier(
        np.random.default_rng(1).exponential(12, 300),
        np.random.default_rng(2).random(300) < 0.7,
    )
    charts = {
        "score_trend": lambda: plot.score_trend(
            cx.nps(s["nps"], by=s["month"], nan_policy="omit")
        ),
        "answer_mix": lambda: plot.answer_mix(
            cx.nps(s["nps"], by=s["segment"], nan_policy="omit")
        ),
        "rate_by_group": lambda: plot.rate_by_group(
            sla, target=0.95, label="SLA compliance"
        ),
        "distribution": lambda: plot.distribution(
            timings.first_reply / 3600,
            targets={"normal: 8 h": 8},
            xlabel="first reply (business hours)",
            log=True,
        ),
        "cohort_heatmap": lambda: plot.cohort_heatmap(
            cx.cohort_matrix(a["customer"], a["time"]), annotate=False
        ),
        "survival_curve": lambda: plot.survival_curve(lifetime),
        "p_alive_matrix": lambda: plot.p_alive_matrix(
            cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426), T=39.0
        ),
    }
    for name, draw in charts.items():
        ax = draw()
        ax.figure.savefig(OUT / f"{name}.png", dpi=90)
        plt.close(ax.figure)
