"""``python -m cxmetrics.demo``: survey scores of the bundled sample, by segment.

Prints NPS, CSAT and CES for the whole sample and per segment, each with n, the
number of unanswered questions and a 95% interval, then the change in NPS between
the first and the last month with its test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics.datasets import load_sample_survey


def _table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    """Print the summary."""
    s = load_sample_survey()
    seg = s["segment"]
    header = ("segment", "metric", "value", "95% CI", "n", "missing")
    rows: list[tuple[str, ...]] = []

    def add(
        name: str,
        metric: str,
        value: float,
        ci: tuple[float, float],
        n: int,
        missing: int,
        fmt: str,
    ) -> None:
        rows.append(
            (
                name,
                metric,
                format(value, fmt),
                f"{format(ci[0], fmt)} to {format(ci[1], fmt)}",
                str(n),
                str(missing),
            )
        )

    overall: dict[str, Any] = {
        "NPS": cx.nps(s["nps"], nan_policy="omit"),
        "CSAT": cx.csat(s["csat"], nan_policy="omit"),
        "CES": cx.ces(s["ces"], nan_policy="omit"),
    }
    grouped: dict[str, Any] = {
        "NPS": cx.nps(s["nps"], by=seg, nan_policy="omit"),
        "CSAT": cx.csat(s["csat"], by=seg, nan_policy="omit"),
        "CES": cx.ces(s["ces"], by=seg, nan_policy="omit"),
    }
    fmts = {"NPS": ".1f", "CSAT": ".1%", "CES": ".2f"}
    labels = {
        "NPS": "NPS (points)",
        "CSAT": "CSAT (share 4-5)",
        "CES": "CES 2.0 (mean 1-7)",
    }
    for metric, res in overall.items():
        add(
            "all",
            labels[metric],
            res.value,
            res.confidence_interval(),
            res.n,
            res.n_missing,
            fmts[metric],
        )
    for metric, g in grouped.items():
        ci = g.confidence_interval()
        for i, key in enumerate(g.keys.tolist()):
            add(
                key,
                labels[metric],
                float(g.value[i]),
                (float(ci.low[i]), float(ci.high[i])),
                int(g.n[i]),
                int(g.n_missing[i]),
                fmts[metric],
            )
    print(
        _table(
            "Sample survey: 3,000 answers, January to June 2026 (synthetic)\n",
            rows,
            header,
        )
    )

    weighted = cx.nps(s["nps"], weights=s["weight"], nan_policy="omit")
    lo, hi = weighted.confidence_interval()
    print(
        f"\nWeighted NPS: {weighted.value:.1f} (95% CI {lo:.1f} to {hi:.1f}; n={weighted.n}, effective n={weighted.effective_n:.0f})"
    )

    first, last = s["month"] == "2026-01", s["month"] == "2026-06"
    answered = ~np.isnan(s["nps"])
    d = cx.compare_nps(s["nps"][first & answered], s["nps"][last & answered])
    lo, hi = d.confidence_interval()
    print(
        f"NPS change, January -> June: {d.value:+.1f} points (95% CI {lo:+.1f} to {hi:+.1f}; "
        f"z = {d.statistic:.2f}, p = {d.pvalue:.3f}; n = {d.n_a} and {d.n_b})"
    )

    report()


def report(path: str = "cxmetrics-report.html") -> Path:
    """Write the HTML report of all the bundled samples and say where it is."""
    # the command line (argparse, its commands) loads only for this last step
    from cxmetrics.cli import main as cli  # noqa: PLC0415

    out = Path(path).resolve()
    print("\nThe full report (surveys, support SLAs, retention, CLV): ", end="")
    status = cli(["report", "--sample", "-o", str(out)])
    if status == 0:
        print(f"Open it in a browser: {out.as_uri()}")
    return out


if __name__ == "__main__":
    main()
