"""SLA compliance from per-target statuses in dataframes equals the array API."""

from __future__ import annotations

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.support._sla import TARGET_STATUSES

pytest.importorskip("narwhals", reason="the frames extra (narwhals) is not installed")
pd = pytest.importorskip("pandas", reason="pandas is not installed")
pl = pytest.importorskip("polars", reason="polars is not installed")
from cxmetrics import frames  # noqa: E402

N = 3_000
RNG = np.random.default_rng(8)
STATUS = RNG.choice(np.array(TARGET_STATUSES), N, p=[0.5, 0.2, 0.1, 0.1, 0.05, 0.05])
PRIORITY = RNG.choice(np.array(["low", "normal", "high", "urgent"]), N)
TEAM = RNG.integers(1, 6, N)
DATA = {"status": STATUS, "priority": PRIORITY, "team": TEAM}


def _arrow(d):
    pytest.importorskip("pyarrow")
    return pl.DataFrame(d).to_arrow()


def _duckdb(d):
    duckdb = pytest.importorskip("duckdb")
    return duckdb.from_arrow(pl.DataFrame(d).to_arrow())


BACKENDS = {
    "pandas": pd.DataFrame,
    "polars": pl.DataFrame,
    "polars-lazy": lambda d: pl.DataFrame(d).lazy(),
    "duckdb": _duckdb,
    "pyarrow": _arrow,
}


def _oracle(mask_by, compliance):
    """Counts by hand, then the documented rules of each compliance policy."""
    out = {}
    for key in sorted(set(mask_by.tolist())):
        s = STATUS[mask_by == key]
        met = int(np.sum(s == "achieved"))
        done_breached = int(np.sum(s == "breached"))
        open_breached = int(np.sum(s == "active_breached"))
        open_ok = int(np.sum((s == "active") | (s == "paused")))
        if compliance == "zendesk":
            n, good = met + done_breached + open_breached, met
        elif compliance == "completed_only":
            n, good = met + done_breached, met
        elif compliance == "pessimistic":
            n, good = met + done_breached + open_breached + open_ok, met
        else:  # optimistic: open targets not yet breached count as met
            n, good = met + done_breached + open_breached + open_ok, met + open_ok
        out[key] = (good, n)
    return out


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize(
    "compliance", ["zendesk", "completed_only", "pessimistic", "optimistic"]
)
def test_compliance_by_priority_matches_the_rules(backend, compliance):
    got = frames.sla_compliance_state(BACKENDS[backend](DATA), "status", by="priority")
    res = got.compute_grouped(compliance)
    want = _oracle(PRIORITY, compliance)
    assert res.keys.tolist() == sorted(want)
    assert [int(v) for v in res.n] == [want[k][1] for k in sorted(want)]
    np.testing.assert_allclose(
        res.value, [want[k][0] / want[k][1] for k in sorted(want)], rtol=1e-15
    )


def test_frame_out_with_wilson_intervals_and_two_keys():
    out = frames.sla_compliance(
        pl.DataFrame(DATA), "status", by=["priority", "team"], confidence_level=0.9
    )
    assert out.columns[:2] == ["priority", "team"]
    assert len(out) == 20
    row = out.filter((pl.col("priority") == "high") & (pl.col("team") == 3)).row(
        0, named=True
    )
    good, n = _oracle(np.where((PRIORITY == "high") & (TEAM == 3), 1, 0), "zendesk")[1]
    assert (row["met"], row["n"]) == (good, n)
    lo, hi = cx.stats.proportion_interval(good, n, 0.9, method="wilson")
    assert row["ci_low"] == pytest.approx(lo, rel=1e-12)
    assert row["ci_high"] == pytest.approx(hi, rel=1e-12)


def test_ungrouped_and_errors():
    s = frames.sla_compliance_state(pl.DataFrame(DATA), "status", level="ticket")
    assert s.keys.tolist() == ["all"]
    assert s.level == "ticket"
    assert int(s.counts.sum()) == N
    bad = pl.DataFrame({"status": ["achieved", "met", "met", None]})
    with pytest.raises(cx.exceptions.MissingValueError, match="1 missing"):
        frames.sla_compliance_state(bad, "status")
    with pytest.raises(
        cx.exceptions.InvalidInputError, match=r"unknown status\(es\) \['met'\] \(2 row"
    ):
        frames.sla_compliance_state(bad.drop_nulls(), "status")
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="status names"):
        frames.sla_compliance_state(pl.DataFrame({"status": [1, 2]}), "status")
    with pytest.raises(cx.exceptions.InvalidInputError, match="level"):
        frames.sla_compliance_state(bad, "status", level="agent")
