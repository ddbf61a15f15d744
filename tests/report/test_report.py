"""The report's content: executive-summary tiles, weights, targets, currency, formatting
(issue 13). The browser checks are in test_report_browser.py."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

import cxmetrics as cx
from cli_exports import purchase_export, survey_export, ticket_export
from cxmetrics.cli import main
from cxmetrics.datasets import load_sample_survey
from cxmetrics.report import SECTIONS, build_report, survey_section, write_report
from cxmetrics.report._sections import ReportInputs

pytest.importorskip("matplotlib", reason="the report needs the plot extra (matplotlib)")


def _text(page: str) -> str:
    """The visible text of a page (images and tags removed)."""
    page = re.sub(r'src="data:image/png;base64,[^"]+"', "", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _tiles(page: str) -> list[str]:
    block = page.split('<div class="tiles">', 1)[1].split("</div></div></section>", 1)[
        0
    ]
    return [_text(t) for t in block.split('<div class="tile">')[1:]]


def _surveys(
    n_per_month: tuple[int, ...], *, seed: int = 0, weights: bool = False
) -> dict:
    rng = np.random.default_rng(seed)
    months = np.concatenate(
        [np.full(k, f"2026-{m + 1:02d}") for m, k in enumerate(n_per_month)]
    )
    out = {"nps": rng.integers(0, 11, months.size).astype(float), "month": months}
    if weights:
        out["weight"] = rng.uniform(0.2, 3.0, months.size)
    return out


def test_nps_tile_is_the_api_number_with_interval_n_and_tested_change():
    s = _surveys((200, 180), weights=True)
    page = build_report(surveys=s)
    (tile,) = _tiles(page)
    last = s["month"] == "2026-02"
    want = cx.nps(s["nps"][last], weights=s["weight"][last])
    lo, hi = want.confidence_interval()
    assert f"{want.value:+,.1f}" in tile
    assert f"95% CI {lo:+,.1f} to {hi:+,.1f}" in tile
    assert f"n = {want.n:,} (effective {want.effective_n:,.0f})" in tile
    d = cx.compare_nps(
        s["nps"][~last],
        s["nps"][last],
        weights_a=s["weight"][~last],
        weights_b=s["weight"][last],
    )
    assert f"{d.value:+,.1f} vs 2026-01 (n = 200 and 180)" in tile
    assert f"(p = {d.pvalue:.3f})" in tile
    assert "Weighted by the survey weights" in _text(page)


def test_a_change_is_tested_only_when_both_periods_reach_min_n():
    s = _surveys((12, 200))
    (tile,) = _tiles(build_report(surveys=s))
    assert "not compared with 2026-01: n = 12 and 200, below the minimum of 30" in tile
    assert "significant" not in tile
    (tile,) = _tiles(build_report(surveys=s, min_n=10))
    assert "vs 2026-01 (n = 12 and 200)" in tile
    assert "significant (p = " in tile


def test_targets_only_where_the_user_gives_them():
    s = load_sample_survey()
    plain = _text(build_report(surveys=s))
    assert "target" not in plain.lower()
    given = _text(build_report(surveys=s, targets={"csat": 0.8}))
    assert "target 80%" in given


def test_options_are_checked_before_any_work():
    for kw, pattern in [
        ({"min_n": 0}, "min_n"),
        ({"currency": 5}, "currency"),
        ({"targets": {"sla": 90}}, "sla target"),
        ({"targets": {"nps": 0.5}}, "unknown key"),
        ({"confidence_level": 95}, "confidence_level"),
    ]:
        with pytest.raises(cx.exceptions.CXMetricsError, match=pattern):
            build_report(
                surveys={"nps": np.array([1.0]), "month": np.array(["x"])}, **kw
            )


def test_no_empty_chart_and_human_formatting(tmp_path):
    s = {"nps": np.full(5, np.nan), "month": np.array(["2026-01"] * 5)}
    out = survey_section(s, ReportInputs(surveys=s))
    assert out.tiles == []
    assert len(out.parts) == 1
    assert "No NPS answers" in out.parts[0]
    assert "<img" not in out.parts[0]
    pytest.importorskip("scipy")
    sv = survey_export(tmp_path)
    tk, policy = ticket_export(tmp_path)
    orders = purchase_export(tmp_path)
    target = tmp_path / "report.html"
    status = main(
        [
            "report",
            "-o",
            str(target),
            "--surveys",
            str(sv),
            "--tickets",
            str(tk),
            "--comments",
            str(tmp_path / "ticket_comments.csv"),
            "--col",
            "author=Author",
            "--policy",
            str(policy),
            "--as-of",
            "2026-06-30T00:00:00Z",
            "--transactions",
            str(orders),
            "--col",
            "nps=Likelihood to recommend (0-10)",
            "--col",
            "csat=Satisfaction (1-5)",
            "--col",
            "ces=Effort (1-7)",
            "--col",
            "weight=Weight",
            "--col",
            "surveys:time=Submitted At",
            "--col",
            "segment=Country",
            "--col",
            "ticket=Ticket #",
            "--col",
            "instant=Updated (UTC)",
            "--col",
            "status=State",
            "--col",
            "priority=Priority",
            "--col",
            "due=Resolve by",
            "--col",
            "customer=Customer ID",
            "--col",
            "transactions:time=Order Date",
            "--col",
            "amount=Total (USD)",
            "--currency",
            "USD",
        ]
    )
    assert status == 0
    page = target.read_text()
    text = _text(page)
    assert not re.search(r"\d\.\d+e[+-]\d", text)  # no 1.627e+04
    assert "Result:" not in text
    assert "GroupedNPSResult" not in text  # readable titles, not class names
    assert "NPS by segment" in text
    assert "USD" in text
    assert "euros" not in text.lower()
    assert "€" not in text
    assert "Europe/Madrid" in text  # the calendar of the user's policy is stated
    assert "due date" in text
    labels = [t.split()[0] for t in _tiles(page)]
    assert labels == ["NPS,", "CSAT,", "CES,", "SLA", "First", "Median"]
    assert re.search(r"\b\d{1,3}\.\d%", text)  # shares as percentages
    assert "%" in _tiles(page)[1]


def test_section_registry_is_the_one_list_of_sections(tmp_path):
    assert [s.id for s in SECTIONS] == [
        "surveys",
        "support",
        "retention",
        "revenue",
        "clv",
    ]
    path = tmp_path / "r.html"
    write_report(path, surveys=load_sample_survey(), currency="USD")
    assert 'id="summary"' in path.read_text()


def test_activity_export_mapped_by_role_gives_a_churn_tile(tmp_path):
    rng = np.random.default_rng(4)
    lines = ["Account ID,Renewed on,Plan"]
    for c in range(120):
        start = int(rng.integers(0, 3))
        stay = int(rng.integers(1, 7))
        lines += [
            f"A-{c:03d},2026-{m + 1:02d}-15,Pro"
            for m in range(start, min(start + stay, 6))
        ]
    path = tmp_path / "renewals.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "r.html"
    status = main(
        [
            "report",
            "-o",
            str(out),
            "--activity",
            str(path),
            "--col",
            "customer=Account ID",
            "--col",
            "activity:time=Renewed on",
        ]
    )
    assert status == 0
    (tile,) = _tiles(out.read_text())
    assert tile.split()[0] == "Churn,"
    a = {
        "customer": np.array([ln.split(",")[0] for ln in lines[1:]]),
        "time": np.array([ln.split(",")[1] for ln in lines[1:]], dtype="datetime64[s]"),
    }
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.exceptions.UndefinedMetricWarning)
        churn = cx.GroupedChurnState.from_activity(a["customer"], a["time"]).compute()
    assert f"{100 * churn.value[-1]:.1f}%" in tile
    assert f"n = {int(churn.at_start[-1]):,} at start" in tile


def test_several_target_lines_get_distinct_colours():
    import matplotlib.pyplot as plt

    from cxmetrics import plot
    from cxmetrics.report._sections import _distinct

    ax = _distinct(plot.distribution([1.0, 2, 3, 8], targets={"a": 1, "b": 2, "c": 4}))
    colours = [line.get_color() for line in ax.get_lines()]
    plt.close(ax.figure)
    assert len(colours) == 3
    assert len(set(colours)) == 3


def test_clv_chart_caption_counts_the_first_bar(tmp_path):
    pytest.importorskip("scipy")
    from cxmetrics._core.table_io import instants, numbers, read_file
    from cxmetrics.report import clv_section

    path = purchase_export(tmp_path)
    ft = read_file(path, ["Customer ID", "Order Date", "Total (USD)"])
    tx = {
        "customer": ft.columns["Customer ID"],
        "date": instants(path, "d", ft.columns["Order Date"], utc=False),
        "amount": numbers(path, "a", ft.columns["Total (USD)"]),
    }
    out = clv_section(tx, inputs=ReportInputs(transactions=tx, currency="USD"))
    rfm = cx.rfm_summary(
        tx["customer"],
        tx["date"],
        tx["amount"],
        observation_end=tx["date"].max(),
        freq="day",
        freq_multiplier=7,
    )
    bg, gg = cx.bgnbd(rfm), cx.gamma_gamma(rfm)
    value = gg.customer_lifetime_value(
        bg,
        rfm.frequency,
        rfm.recency,
        rfm.T,
        rfm.monetary_value,
        steps=12,
        step_length=52 / 12,
        discount_rate=0.01,
    )
    drawn = np.clip(value, None, np.quantile(value, 0.99))
    edge = drawn.min() + (drawn.max() - drawn.min()) / 50
    caption = _text("".join(out.parts))
    assert (
        f"{np.mean(drawn <= edge):.0%} of customers are in the first bar (up to {edge:,.2f} USD)"
        in caption
    )
    assert "log" not in caption.lower()
    (tile,) = out.tiles
    assert f"{np.median(value):,.2f} USD" in tile.value


def test_revenue_retention_tile_and_table_match_the_api(tmp_path):
    from cli_exports import subscription_export
    from cxmetrics._core.table_io import instants, numbers, read_file

    path = subscription_export(tmp_path)
    out = tmp_path / "r.html"
    status = main(
        [
            "report",
            "-o",
            str(out),
            "--subscriptions",
            str(path),
            "--subscriptions-as-of",
            "2026-07-01",
            "--col",
            "subscriptions:customer=Account",
            "--col",
            "start=Started",
            "--col",
            "end=Cancelled",
            "--col",
            "subscriptions:amount=MRR (USD)",
            "--currency",
            "USD",
        ]
    )
    assert status == 0
    page = out.read_text()
    (tile,) = _tiles(page)
    ft = read_file(path, ["Account", "Started", "Cancelled", "MRR (USD)"])
    raw = ft.columns["Cancelled"]
    end = np.full(raw.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    end[raw != ""] = instants(path, "c", raw[raw != ""], utc=False)
    m = cx.RevenueMatrix.from_subscriptions(
        ft.columns["Account"],
        instants(path, "s", ft.columns["Started"], utc=False),
        end,
        numbers(path, "m", ft.columns["MRR (USD)"]),
        as_of=np.datetime64("2026-07-01"),
    )
    nrr = cx.net_revenue_retention(m, horizon=12)
    grr = cx.gross_revenue_retention(m, horizon=12)
    assert tile.split()[:4] == ["NRR,", str(nrr.start), "to", str(nrr.end)]
    assert f"{100 * nrr.value:.1f}%" in tile
    assert f"GRR {100 * grr.value:.1f}%" in tile
    assert f"n = {nrr.n:,} customers" in tile
    assert "not tested" in tile
    assert "Revenue retention over 12 months" in _text(page)
    short = tmp_path / "short.csv"
    short.write_text("customer,start,end,mrr\na,2026-01-01,2026-03-01,10\n")
    out2 = tmp_path / "r2.html"
    assert (
        main(
            [
                "report",
                "-o",
                str(out2),
                "--subscriptions",
                str(short),
                "--nrr-horizon",
                "12",
            ]
        )
        == 0
    )
    text = _text(out2.read_text())
    assert "needs at least 13" in text
    assert 'class="tiles"' not in out2.read_text()


def test_support_section_has_sketch_percentiles_per_queue():
    from cxmetrics.datasets import load_sample_tickets, sample_policy
    from cxmetrics.report._support import tickets_section

    t = load_sample_tickets()
    policy = sample_policy()
    as_of = np.datetime64("2026-06-30T00:00:00")
    out = tickets_section(t, policy, as_of)
    page = _text("".join(out.parts))
    assert "per queue: p50 and p90" in page
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
    timings = cx.ticket_timings(log, calendar=policy.calendar, as_of=as_of)
    team = t["team"][first][np.searchsorted(ids, timings.tickets)]
    reply = np.asarray(timings.first_reply, dtype=float) / 3600
    sketch = cx.DurationSketchState.from_durations(reply, by=team)
    p90 = sketch.quantile(0.9)
    table = page.split("per queue: p50 and p90", 1)[1]
    for key, n, value in zip(sketch.keys, sketch.n, p90, strict=True):
        assert str(key) in table
        assert f"{int(n):,}" in table
        assert f"{value:.4g}" in table  # the table's four significant digits
