"""Generate the bundled sample survey deterministically (``make sample-data``).

Writes ``src/cxmetrics/data/sample_survey.csv``: 3,000 answers over six months and
three segments, with NPS (0-10), CSAT (1-5) and CES 2.0 (1-7) answers that follow
one latent satisfaction per respondent, a few unanswered questions, and survey
weights. Synthetic: it looks like a real export, it is no one's data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "cxmetrics"
    / "data"
    / "sample_survey.csv"
)
SEGMENTS = np.array(["Enterprise", "SMB", "Consumer"])
REGIONS = np.array(["EMEA", "Americas", "APAC"])
MONTHS = np.array([f"2026-{m:02d}" for m in range(1, 7)])
N = 3_000


def main() -> None:
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


if __name__ == "__main__":
    main()
