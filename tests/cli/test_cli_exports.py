"""The command line on real-shaped exports: column mapping, machine-readable outputs read
back with the csv/json modules and compared to the Python API, and one-line errors with
the file's own line numbers (issue 13; issue 20 items 6 and 12)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cli_exports import SURVEY_ROLES, purchase_export, survey_export, ticket_export
from cxmetrics._core.table_io import instants, keys, numbers, read_file
from cxmetrics.cli import COMMANDS, main
from cxmetrics.cli._roles import Role
from cxmetrics.datasets import sample_path

SCORE = "Likelihood to recommend (0-10)"


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(status, out, err):
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("cxmetrics: error: ")
    assert "Traceback" not in err
    return err


def _survey_api(path, column):
    ft = read_file(path, [column, "Country", "Weight"])
    return (
        numbers(path, column, ft.columns[column]),
        keys(path, "Country", ft.columns["Country"]),
        numbers(path, "Weight", ft.columns["Weight"]),
    )


# --- python -m cxmetrics, --help ----------------------------------------------------


def test_python_dash_m_cxmetrics_runs_the_command_line():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxmetrics",
            "survey",
            str(sample_path("sample_survey.csv")),
            "--nan-policy",
            "omit",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    s = cx.datasets.load_sample_survey()
    assert doc["tables"][0]["rows"][0]["value"] == pytest.approx(
        cx.nps(s["nps"], nan_policy="omit").value, rel=1e-12
    )
    bad = subprocess.run(
        [sys.executable, "-m", "cxmetrics", "survey", "/nonexistent.csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1
    assert "no such file" in bad.stderr


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.name)
def test_help_lists_every_role_and_its_default(cmd, capsys):
    with pytest.raises(SystemExit) as done:
        main([cmd.name, "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--col ROLE=HEADER" in text
    for role in cmd.roles:
        key = f"{role.file}:{role.name}" if role.file else role.name
        assert f"{key} ({role.default or 'none'})" in text


# --- column mapping and outputs compared to the API ----------------------------------


def test_survey_export_mapped_with_col_and_flags_matches_the_weighted_api(
    tmp_path, capsys
):
    path = survey_export(tmp_path)
    status, out, err = run(
        capsys,
        "survey",
        path,
        *SURVEY_ROLES,
        "--by",
        "Country",
        "--nan-policy",
        "omit",
        "--format",
        "json",
    )
    assert status == 0, err
    (table,) = json.loads(out)["tables"]
    values, country, weight = _survey_api(path, SCORE)
    want = cx.nps(values, by=country, weights=weight, nan_policy="omit")
    lo, hi = want.confidence_interval()
    rows = table["rows"]
    assert [r["Country"] for r in rows] == want.keys.tolist()
    assert [r["value"] for r in rows] == pytest.approx(want.value, rel=1e-12)
    assert [r["effective_n"] for r in rows] == pytest.approx(
        want.effective_n, rel=1e-12
    )
    assert [r["n_missing"] for r in rows] == want.n_missing.tolist()
    assert [r["ci_low"] for r in rows] == pytest.approx(lo, rel=1e-12)
    assert [r["ci_high"] for r in rows] == pytest.approx(hi, rel=1e-12)
    assert any("weighted" in n for n in table["notes"])
    # the per-role flag form gives the same document
    status, out2, _ = run(
        capsys,
        "survey",
        path,
        "--nps-col",
        SCORE,
        "--weight-col",
        "Weight",
        "--by",
        "Country",
        "--nan-policy",
        "omit",
        "--format",
        "json",
    )
    assert json.loads(out2)["tables"] == json.loads(out)["tables"]


def test_csv_is_one_table_full_precision_plain_numbers(tmp_path, capsys):
    path = survey_export(tmp_path)
    status, out, _ = run(
        capsys,
        "survey",
        path,
        "--metric",
        "csat",
        "--csat-col",
        "Satisfaction (1-5)",
        "--by",
        "Country",
        "--nan-policy",
        "omit",
        "--format",
        "csv",
    )
    assert status == 0
    assert not out.startswith("#")
    lines = out.splitlines()
    assert lines[0].split(",")[:3] == ["Country", "value", "n"]
    assert all('"' not in line for line in lines[1:])  # numbers are not quoted
    rows = list(csv.DictReader(io.StringIO(out)))
    ft = read_file(path, ["Satisfaction (1-5)", "Country"])
    want = cx.csat(
        numbers(path, "x", ft.columns["Satisfaction (1-5)"]),
        by=ft.columns["Country"],
        nan_policy="omit",
    )
    assert [
        float(r["value"]) for r in rows
    ] == want.value.tolist()  # exact: repr round-trips
    assert [int(r["n"]) for r in rows] == want.n.tolist()


def test_several_tables_need_output_dir_and_then_one_file_each(tmp_path, capsys):
    activity = str(sample_path("sample_activity.csv"))
    err = one_line_error(*run(capsys, "retention", activity, "--format", "csv"))
    assert "--output-dir" in err
    assert "churn, cohorts" in err
    out_dir = tmp_path / "out"
    status, out, _ = run(
        capsys, "retention", activity, "--format", "csv", "--output-dir", out_dir
    )
    assert status == 0
    assert out == ""
    assert sorted(p.name for p in out_dir.iterdir()) == ["churn.csv", "cohorts.csv"]
    rows = list(csv.DictReader(io.StringIO((out_dir / "churn.csv").read_text())))
    a = cx.datasets.load_sample_activity()
    with pytest.warns(cx.exceptions.UndefinedMetricWarning):
        want = cx.GroupedChurnState.from_activity(a["customer"], a["time"]).compute()
    assert [r["month"] for r in rows] == [str(k) for k in want.keys.tolist()]
    got = [float(r["churn"]) if r["churn"] else math.nan for r in rows]
    np.testing.assert_array_equal(got, want.value)  # NaN as an empty cell


def test_retention_default_convention_is_the_python_default(capsys):
    activity = str(sample_path("sample_activity.csv"))
    status, out, _ = run(capsys, "retention", activity, "--format", "json")
    assert status == 0
    churn = json.loads(out)["tables"][0]
    a = cx.datasets.load_sample_activity()
    with pytest.warns(cx.exceptions.UndefinedMetricWarning):
        want = cx.GroupedChurnState.from_activity(a["customer"], a["time"]).compute()
    assert want.convention == cx.ChurnConvention()
    assert [r["churned"] for r in churn["rows"]] == want.churned.tolist()
    assert [r["churn"] for r in churn["rows"]][1:] == pytest.approx(
        want.value[1:], rel=1e-12
    )
    assert churn["rows"][0]["churn"] is None  # NaN is null in JSON
    status, out, _ = run(
        capsys, "retention", activity, "--format", "json", "--convention", "stripe"
    )
    stripe = json.loads(out)["tables"][0]
    assert [r["churned"] for r in stripe["rows"]] != [
        r["churned"] for r in churn["rows"]
    ] or [r["churn"] for r in stripe["rows"]] != [r["churn"] for r in churn["rows"]]


def test_json_nulls_and_min_n_suppression_are_stated(tmp_path, capsys):
    path = tmp_path / "answers.csv"
    path.write_text("score,team\n10,a\n9,a\n3,a\n10,b\n,a\n")
    status, out, err = run(
        capsys,
        "survey",
        path,
        "--nps-col",
        "score",
        "--by",
        "team",
        "--min-n",
        "2",
        "--nan-policy",
        "omit",
        "--format",
        "json",
    )
    assert status == 0, err
    (table,) = json.loads(out)["tables"]
    a, b = table["rows"]
    assert (
        a["team"],
        a["suppressed"],
        a["promoters"],
        a["detractors"],
        a["n_missing"],
    ) == ("a", False, 2, 1, 1)
    assert b["suppressed"] is True
    assert b["value"] is None  # suppressed: null, never a number
    assert any("suppressed by --min-n" in n for n in table["notes"])
    status, text, _ = run(
        capsys,
        "survey",
        path,
        "--nps-col",
        "score",
        "--by",
        "team",
        "--min-n",
        "2",
        "--nan-policy",
        "omit",
    )
    assert "promoters" in text
    assert "suppressed by --min-n" in text


def test_parquet_output_reads_back(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = survey_export(tmp_path)
    target = tmp_path / "nps.parquet"
    status, out, err = run(
        capsys,
        "survey",
        path,
        "--nps-col",
        SCORE,
        "--by",
        "Country",
        "--nan-policy",
        "omit",
        "--output",
        target,
    )
    assert status == 0, err
    assert out == ""
    got = pq.read_table(target).to_pydict()
    values, country, _ = _survey_api(path, SCORE)
    want = cx.nps(values, by=country, nan_policy="omit")
    assert got["Country"] == want.keys.tolist()
    assert got["value"] == pytest.approx(want.value, rel=1e-12)
    assert pa.types.is_integer(pq.read_schema(target).field("n").type)
    err = one_line_error(
        *run(
            capsys,
            "survey",
            path,
            "--nps-col",
            SCORE,
            "--format",
            "parquet",
            "--nan-policy",
            "omit",
        )
    )
    assert "--output" in err


def test_metric_all_skips_absent_columns_and_says_which(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text("nps,ces\n9,5\n3,6\n")
    status, out, err = run(
        capsys, "survey", path, "--metric", "all", "--format", "json"
    )
    assert status == 0
    names = [t["name"] for t in json.loads(out)["tables"]]
    assert names == ["nps", "ces"]
    assert "skipped" in err
    assert "CSAT ('csat')" in err


def test_clv_per_customer_table_matches_the_api(tmp_path, capsys):
    pytest.importorskip("scipy")
    path = purchase_export(tmp_path)
    status, out, err = run(
        capsys,
        "clv",
        path,
        "--customer-col",
        "Customer ID",
        "--time-col",
        "Order Date",
        "--amount-col",
        "Total (USD)",
        "--customers",
        "--currency",
        "USD",
        "--format",
        "json",
    )
    assert status == 0, err
    fits, summary, customers = json.loads(out)["tables"]
    assert "USD" in summary["title"]
    ft = read_file(path, ["Customer ID", "Order Date", "Total (USD)"])
    dates = instants(path, "d", ft.columns["Order Date"], utc=False)
    rfm = cx.rfm_summary(
        ft.columns["Customer ID"],
        dates,
        numbers(path, "a", ft.columns["Total (USD)"]),
        observation_end=dates.max(),
        freq="day",
        freq_multiplier=7,
    )
    bg, gg = cx.bgnbd(rfm), cx.gamma_gamma(rfm)
    rows = customers["rows"]
    assert [r["customer"] for r in rows] == rfm.customers.tolist()
    assert [r["frequency"] for r in rows] == rfm.frequency.tolist()
    alive = bg.probability_alive(rfm.frequency, rfm.recency, rfm.T)
    assert [r["p_alive"] for r in rows] == pytest.approx(alive, rel=1e-9)
    step = (365.25 / 12) / 7
    exp = bg.conditional_expected_purchases(
        12 * step, rfm.frequency, rfm.recency, rfm.T
    )
    assert [r["expected_purchases"] for r in rows] == pytest.approx(exp, rel=1e-9)
    spend = gg.conditional_expected_spend(rfm.frequency, rfm.monetary_value)
    assert [r["expected_spend"] for r in rows] == pytest.approx(spend, rel=1e-9)
    clv = gg.customer_lifetime_value(
        bg,
        rfm.frequency,
        rfm.recency,
        rfm.T,
        rfm.monetary_value,
        steps=12,
        step_length=step,
        discount_rate=0.01,
    )
    assert [r["clv"] for r in rows] == pytest.approx(clv, rel=1e-9)
    assert summary["rows"][0]["p50"] == pytest.approx(float(np.median(clv)), rel=1e-9)
    assert {"model", "parameter", "estimate", "converged"} <= set(fits["columns"])


def test_contacts_per_queue_and_interval_match_the_api(tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text(
        "Call ID,Queue,Arrived,Wait,Abandoned,Talk\n"
        "c1,Billing,2026-03-02T09:01:10Z,00:00:12,no,0:04:05\n"
        "c2,Billing,2026-03-02T09:14:00Z,45,No,300\n"
        "c3,Tech,2026-03-02T09:20:00Z,0:35,yes,\n"
        "c4,Tech,2026-03-02T09:40:00Z,5,N,0:10:00\n"
        "c5,Billing,2026-03-02T09:45:00Z,80,Y,\n"
        "c6,Billing,2026-03-02T09:50:00Z,3,0,120\n"
    )
    status, out, err = run(
        capsys,
        "contacts",
        path,
        "--col",
        "queue=Queue",
        "--wait-col",
        "Wait",
        "--abandoned-col",
        "Abandoned",
        "--talk-col",
        "Talk",
        "--format",
        "json",
    )
    assert status == 0, err
    rows = json.loads(out)["tables"][0]["rows"]
    wait = np.array([12, 45, 35, 5, 80, 3.0])
    abandoned = np.array([0, 0, 1, 0, 1, 0], bool)
    talk = np.array([245, 300, np.nan, 600, np.nan, 120])
    queue = np.array(["Billing", "Billing", "Tech", "Tech", "Billing", "Billing"])
    want = cx.contact_metrics(wait, abandoned, talk=talk, by=queue)
    assert [r["Queue"] for r in rows] == want.keys.tolist()
    assert [r["service_level"] for r in rows] == pytest.approx(
        want.service_level, rel=1e-12
    )
    assert [r["abandon_rate"] for r in rows] == pytest.approx(
        want.abandon_rate, rel=1e-12
    )
    assert [r["asa_seconds"] for r in rows] == pytest.approx(want.asa, rel=1e-12)
    assert [r["aht_seconds"] for r in rows] == pytest.approx(want.aht, rel=1e-12)
    status, out, err = run(
        capsys,
        "contacts",
        path,
        "--col",
        "queue=Queue",
        "--col",
        "wait=Wait",
        "--col",
        "abandoned=Abandoned",
        "--arrived-col",
        "Arrived",
        "--interval",
        "30min",
        "--format",
        "json",
    )
    assert status == 0, err
    rows = json.loads(out)["tables"][0]["rows"]
    assert [(r["Queue"], r["interval"], r["offered"]) for r in rows] == [
        ("Billing", "2026-03-02T09:00", 2),
        ("Billing", "2026-03-02T09:30", 2),
        ("Tech", "2026-03-02T09:00", 1),
        ("Tech", "2026-03-02T09:30", 1),
    ]


def _erlang_c_agents(traffic, aht, target, threshold):
    """Smallest N with 1 - C(N, A) exp(-(N - A) T / AHT) >= target (Erlang C, plain loop)."""
    n = math.floor(traffic) + 1
    while True:
        terms = [traffic**k / math.factorial(k) for k in range(n)]
        top = traffic**n / math.factorial(n) * n / (n - traffic)
        wait = top / (sum(terms) + top)
        if 1 - wait * math.exp(-(n - traffic) * threshold / aht) >= target:
            return n
        n += 1


def test_staffing_matches_agents_required(tmp_path, capsys):
    path = tmp_path / "forecast.csv"
    path.write_text(
        "Interval start,Offered,AHT (s)\n09:00,120,300\n09:30,180,280\n10:00,90,310\n"
    )
    status, out, err = run(
        capsys,
        "staffing",
        path,
        "--interval-col",
        "Interval start",
        "--volume-col",
        "Offered",
        "--aht-col",
        "AHT (s)",
        "--shrinkage",
        "0.3",
        "--target",
        "0.8",
        "--threshold",
        "20",
        "--format",
        "json",
    )
    assert status == 0, err
    rows = json.loads(out)["tables"][0]["rows"]
    want = cx.agents_required(
        arrival_rate=np.array([120, 180, 90]) / 1800,
        aht=np.array([300, 280, 310.0]),
        target_service_level=0.8,
        threshold=20,
        shrinkage=0.3,
    )
    # an independent Erlang C (textbook formula, below) gives the same agents
    assert [
        _erlang_c_agents(v * a / 1800, a, 0.8, 20)
        for v, a in ((120, 300), (180, 280), (90, 310))
    ] == [25, 33, 20]
    assert [r["agents"] for r in rows] == want.agents.tolist() == [25, 33, 20]
    assert [r["headcount"] for r in rows] == want.headcount.tolist()
    assert [r["Interval start"] for r in rows] == ["09:00", "09:30", "10:00"]
    err = one_line_error(
        *run(
            capsys,
            "staffing",
            path,
            "--volume-col",
            "Offered",
            "--interval-col",
            "Interval start",
        )
    )
    assert "--aht" in err
    err = one_line_error(
        *run(
            capsys,
            "staffing",
            path,
            "--volume-col",
            "Offered",
            "--interval-col",
            "Interval start",
            "--aht",
            "300",
            "--model",
            "erlang_a",
        )
    )
    assert "--patience" in err


def test_sla_with_mapped_columns_and_due_dates(tmp_path, capsys):
    status_file, policy = ticket_export(tmp_path)
    argv = [
        "sla",
        status_file,
        "--policy",
        policy,
        "--col",
        "ticket=Ticket #",
        "--col",
        "instant=Updated (UTC)",
        "--col",
        "status=State",
        "--col",
        "priority=Priority",
        "--as-of",
        "2026-06-30T00:00:00Z",
        "--format",
        "json",
    ]
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    plain = json.loads(out)["tables"][0]["rows"]
    status, out, err = run(capsys, *argv, "--due-col", "Resolve by")
    assert status == 0, err
    due = json.loads(out)["tables"][0]["rows"]
    assert [r["priority"] for r in due] == ["High", "Normal", "Urgent"]
    assert [r["n"] for r in due] != [r["n"] for r in plain] or [
        r["met"] for r in due
    ] != [
        r["met"] for r in plain
    ]  # the due dates replace the policy's resolution targets


def test_backlog_prints_a_table_not_a_repr(capsys):
    status, out, _ = run(
        capsys,
        "backlog",
        str(sample_path("sample_tickets.csv")),
        "--as-of",
        "2026-07-01T00:00:00Z",
        "--freq",
        "month",
    )
    assert status == 0
    assert "Backlog(" not in out
    assert out.splitlines()[1].split() == [
        "instant",
        "high",
        "low",
        "normal",
        "urgent",
        "total",
    ]


# --- errors: one line, exit 2, the file's own line -----------------------------------


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text('score,comment\n9,"two\nlines"\n\n12,ok\n')
    err = one_line_error(*run(capsys, "survey", path, "--nps-col", "score"))
    assert "line 5" in err  # header 1, the quoted row 2-3, a blank 4, then 5
    path.write_text('score,comment\n9,"two\nlines"\n\n,ok\n')
    err = one_line_error(*run(capsys, "survey", path, "--nps-col", "score"))
    assert "line 5" in err
    assert "--nan-policy omit" in err  # the flag, not the Python keyword
    assert "nan_policy=" not in err


@pytest.mark.parametrize(
    ("command", "content", "extra"),
    [
        ("survey", "score,team\n9,a\n10,\n", ["--nps-col", "score", "--by", "team"]),
        ("retention", "customer,time\nc1,2026-01-01\n ,2026-02-01\n", []),
        ("clv", "customer,date,amount\nc1,2026-01-01,3\n,2026-01-05,4\n", []),
        (
            "sla",
            "ticket,instant,status,priority\nT1,2026-01-05T09:00:00Z,new,urgent\n,2026-01-05T10:00:00Z,solved,urgent\n",
            [
                "--policy",
                str(sample_path("sample_policy.toml")),
                "--as-of",
                "2026-07-01T00:00:00Z",
            ],
        ),
    ],
)
def test_empty_id_or_group_cells_are_refused_with_their_line(
    tmp_path, capsys, command, content, extra
):
    path = tmp_path / "export.csv"
    path.write_text(content)
    err = one_line_error(*run(capsys, command, path, *extra))
    assert "line 3" in err
    assert "empty id or group" in err


def test_report_sample_refuses_files_beside_it(tmp_path, capsys):
    path = survey_export(tmp_path)
    err = one_line_error(
        *run(capsys, "report", "--sample", "--surveys", path, "-o", tmp_path / "r.html")
    )
    assert "--sample" in err
    assert "--surveys" in err
    assert not (tmp_path / "r.html").exists()


def test_duplicated_header_is_refused(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text("nps,team,nps\n9,a,3\n")
    err = one_line_error(*run(capsys, "survey", path))
    assert "line 1" in err
    assert "'nps' appears 2 times" in err
    path.write_text(
        "nps,team,team\n9,a,b\n"
    )  # a duplicate the command does not read is fine
    assert run(capsys, "survey", path)[0] == 0


def test_header_only_directory_non_utf8_and_huge_fields(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text("nps,team\n")
    assert "header but no data rows" in one_line_error(*run(capsys, "survey", path))
    assert "is a directory" in one_line_error(*run(capsys, "survey", tmp_path))
    path.write_bytes("nps,team\n9,Zürich\n".encode("latin-1"))
    err = one_line_error(*run(capsys, "survey", path, "--by", "team"))
    assert "line 2" in err
    assert "UTF-8" in err
    path.write_text('nps,team\n9,"' + "x" * (128 * 1024 + 10) + '"\n')
    err = one_line_error(*run(capsys, "survey", path))
    assert "line 2" in err
    assert "longer than" in err
    policy = tmp_path / "p.toml"
    policy.write_bytes('[calendar]\nzone = "Europe/Zürich"\n'.encode("latin-1"))
    err = one_line_error(
        *run(capsys, "sla", str(sample_path("sample_tickets.csv")), "--policy", policy)
    )
    assert "line 2" in err
    assert "UTF-8" in err
    err = one_line_error(
        *run(
            capsys, "sla", str(sample_path("sample_tickets.csv")), "--policy", tmp_path
        )
    )
    assert "is a directory" in err


def test_unwritable_output_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    from cxmetrics import report

    def boom(*args, **kwargs):
        raise AssertionError("the report was built before the output was checked")

    monkeypatch.setattr(report, "write_report", boom)
    monkeypatch.setattr(report, "build_report", boom)
    err = one_line_error(*run(capsys, "report", "--sample", "-o", tmp_path))
    assert "is a directory" in err
    err = one_line_error(
        *run(capsys, "report", "--sample", "-o", tmp_path / "missing" / "r.html")
    )
    assert "does not exist" in err
    survey = str(sample_path("sample_survey.csv"))
    err = one_line_error(
        *run(capsys, "survey", survey, "--nan-policy", "omit", "-o", tmp_path)
    )
    assert "is a directory" in err
    blocker = tmp_path / "file"
    blocker.write_text("")
    err = one_line_error(*run(capsys, "survey", survey, "--output-dir", blocker))
    assert "is a file" in err


def test_end_before_every_purchase_is_one_line(tmp_path, capsys):
    path = tmp_path / "tx.csv"
    path.write_text("customer,date,amount\na,2026-01-05,3\nb,2026-02-01,4\n")
    err = one_line_error(*run(capsys, "clv", path, "--end", "2025-12-31"))
    assert "--end 2025-12-31 is before every purchase" in err


def test_unknown_role_and_bad_col_syntax(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text("nps\n9\n")
    err = one_line_error(*run(capsys, "survey", path, "--col", "customer=Id"))
    assert "no role 'customer'" in err
    err = one_line_error(*run(capsys, "survey", path, "--col", "nps"))
    assert "ROLE=HEADER" in err


# --- properties -----------------------------------------------------------------------

answers = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 10)),
        st.sampled_from(["North", "South", "Été"]),
    ),
    min_size=1,
    max_size=40,
)


@settings(deadline=None, max_examples=30)
@given(rows=answers)
def test_property_cli_json_equals_the_api(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("p") / "answers.csv"
    path.write_text(
        "Score,Region\n" + "".join(f"{'' if s is None else s},{r}\n" for s, r in rows),
        encoding="utf-8",
    )
    buf_out, buf_err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", buf_out)
        mp.setattr(sys, "stderr", buf_err)
        status = main(
            [
                "survey",
                str(path),
                "--nps-col",
                "Score",
                "--by",
                "Region",
                "--nan-policy",
                "omit",
                "--format",
                "json",
            ]
        )
    assert status == 0, buf_err.getvalue()
    got = json.loads(buf_out.getvalue())["tables"][0]["rows"]
    scores = np.array([np.nan if s is None else s for s, _ in rows], dtype=float)
    region = np.array([r for _, r in rows])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.exceptions.UndefinedMetricWarning)
        want = cx.nps(scores, by=region, nan_policy="omit")
    assert [r["Region"] for r in got] == want.keys.tolist()
    assert [r["n"] for r in got] == want.n.tolist()
    assert [r["n_missing"] for r in got] == want.n_missing.tolist()
    np.testing.assert_array_equal(
        [math.nan if r["value"] is None else r["value"] for r in got], want.value
    )


@settings(deadline=None, max_examples=30)
@given(
    n=st.integers(1, 30),
    bad=st.data(),
    blank_every=st.integers(0, 5),
    junk=st.sampled_from(["lots", "11", "-1", "9.5x"]),
)
def test_property_the_error_names_the_bad_rows_own_line(
    tmp_path_factory, n, bad, blank_every, junk
):
    i = bad.draw(st.integers(0, n - 1))
    lines = ["score,team"]
    where = None
    for k in range(n):
        if blank_every and k % blank_every == 0:
            lines.append("")
        lines.append(f"{junk if k == i else 7},t{k % 3}")
        if k == i:
            where = len(lines)
    path = tmp_path_factory.mktemp("e") / "answers.csv"
    path.write_text("\n".join(lines) + "\n")
    buf_out, buf_err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", buf_out)
        mp.setattr(sys, "stderr", buf_err)
        status = main(["survey", str(path), "--nps-col", "score", "--by", "team"])
    err = buf_err.getvalue()
    assert status == 2
    assert err.count("\n") == 1
    assert re.search(rf"\bline {where}\b", err), (err, where)


def test_roles_are_declared_once_per_command():
    for cmd in COMMANDS:
        names = [(r.file, r.name) for r in cmd.roles]
        assert len(names) == len(set(names)), cmd.name
        assert all(isinstance(r, Role) for r in cmd.roles)


def test_human_formatting():
    from cxmetrics.cli._output import human

    assert human(16270.3) == "16,270"
    assert human(0.834, "share") == "83.4%"
    assert human(1234567) == "1,234,567"
    assert human(None) == "-"
    assert human(0.00012345) == "0.000123"
    assert human(value=False, kind="alarm") == "NO"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_property_human_numbers_never_use_an_exponent(x):
    from cxmetrics.cli._output import human

    for kind in ("number", "share", "count"):
        assert "e" not in human(x, kind)


@pytest.mark.parametrize(
    "argv",
    [
        ["survey", "FILE", "--confidence", "95"],
        ["staffing", "FILE", "--aht", "300", "--target", "80"],
        ["staffing", "FILE", "--aht", "300", "--shrinkage", "1"],
        ["staffing", "FILE", "--aht", "0"],
        ["clv", "FILE", "--horizon", "0"],
        ["report", "--surveys", "FILE", "-o", "OUT", "--sla-target", "90"],
        ["report", "--surveys", "FILE", "-o", "OUT", "--min-n", "0"],
    ],
)
def test_options_are_checked_before_the_file_is_read(tmp_path, capsys, argv):
    missing = tmp_path / "not-there.csv"  # never opened: the option fails first
    argv = [
        str(missing) if a == "FILE" else str(tmp_path / "r.html") if a == "OUT" else a
        for a in argv
    ]
    err = one_line_error(*run(capsys, *argv))
    assert "no such file" not in err
    assert "must be" in err


def test_report_ticket_options_without_tickets_are_refused(tmp_path, capsys):
    path = survey_export(tmp_path)
    err = one_line_error(
        *run(
            capsys,
            "report",
            "--surveys",
            path,
            "--col",
            f"nps={SCORE}",
            "--policy",
            str(sample_path("sample_policy.toml")),
            "-o",
            tmp_path / "r.html",
        )
    )
    assert "--policy belongs to --tickets" in err
    assert not (tmp_path / "r.html").exists()


def test_per_customer_indices_are_not_read_as_file_lines():
    from cxmetrics.cli._commands import _reword

    ft = read_file("x.csv", ["a"], text="a\n1\n\n2\n")
    assert _reword("bad at index 1", ft, {}) == "bad at line 4"
    assert _reword("bad at index 1", ft, {}, rows=False) == "bad at index 1"
    assert (
        _reword("bad at index 9", ft, {}) == "bad at index 9"
    )  # not a row of the file
    assert (
        _reword("pass nan_policy='omit' to drop", ft, {})
        == "use --nan-policy omit to drop"
    )


def test_sla_by_column_empty_cell_names_its_own_line(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text(
        "ticket,instant,status,priority,team\n"
        "T1,2026-01-05T09:00:00Z,new,urgent,Billing\n"
        "T2,2026-01-05T09:30:00Z,new,urgent,Billing\n"
        "T2,2026-01-05T10:00:00Z,solved,urgent,\n"
    )
    err = one_line_error(
        *run(
            capsys,
            "sla",
            path,
            "--policy",
            str(sample_path("sample_policy.toml")),
            "--as-of",
            "2026-07-01T00:00:00Z",
            "--by",
            "team",
        )
    )
    assert "column 'team' (--by), line 4" in err


def test_contacts_interval_reads_offsets_as_utc(tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text(
        "arrived,wait,abandoned\n"
        "2026-03-02T10:05:00+01:00,10,0\n"  # 09:05 UTC
        "2026-03-02T09:10:00Z,30,0\n"
        "2026-03-02T09:40:00Z,5,1\n"
    )
    status, out, err = run(
        capsys,
        "contacts",
        path,
        "--arrived-col",
        "arrived",
        "--interval",
        "30min",
        "--format",
        "json",
    )
    assert status == 0, err
    rows = json.loads(out)["tables"][0]["rows"]
    assert [(r["interval"], r["offered"]) for r in rows] == [
        ("2026-03-02T09:00", 2),
        ("2026-03-02T09:30", 1),
    ]
    path.write_text(
        "arrived,wait,abandoned\n2026-03-02T10:05:00+01:00,10,0\n2026-03-02T09:10:00,30,0\n"
    )
    err = one_line_error(
        *run(
            capsys, "contacts", path, "--arrived-col", "arrived", "--interval", "30min"
        )
    )
    assert "line 3" in err
    assert "no time zone" in err


def test_infinite_values_are_null_in_json_and_inf_in_csv():
    from cxmetrics.cli._output import Table, to_csv, to_json

    t = Table.from_columns("t", "T", {"k": ["a", "b"], "v": np.array([np.inf, np.nan])})
    rows = json.loads(to_json([t], "x"))["tables"][0]["rows"]
    assert rows == [{"k": "a", "v": None}, {"k": "b", "v": None}]
    assert list(csv.reader(io.StringIO(to_csv(t)))) == [
        ["k", "v"],
        ["a", "inf"],
        ["b", ""],
    ]


cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
    max_size=8,
)


@settings(deadline=None, max_examples=60)
@given(
    table=st.lists(st.tuples(cells, cells), min_size=1, max_size=12),
    blanks=st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_property_read_file_gives_each_row_its_first_line(table, blanks):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["a", "b"])
    starts = []
    for (x, y), blank in zip(table, blanks, strict=False):
        if blank:
            buf.write("\n")
        starts.append(buf.getvalue().count("\n") + 1)
        w.writerow([x, y])
    ft = read_file("t.csv", ["a", "b"], text=buf.getvalue(), allow_empty=True)
    got = list(zip(ft.columns["a"].tolist(), ft.columns["b"].tolist(), strict=True))
    # a row whose cells are all empty is written as '""' or ',' and kept; csv drops nothing else
    assert got == [(x, y) for x, y in table]
    assert ft.lines.tolist() == starts


@given(h=st.integers(0, 99), m=st.integers(0, 59), sec=st.integers(0, 59))
def test_property_clock_durations_are_seconds(h, m, sec):
    from cxmetrics._core.table_io import seconds

    text = np.array(
        [f"{h}:{m:02d}:{sec:02d}", f"{m}:{sec:02d}", str(h * 3600 + m * 60 + sec), ""]
    )
    got = seconds("f", "wait", text)
    np.testing.assert_array_equal(
        got, [h * 3600 + m * 60 + sec, m * 60 + sec, h * 3600 + m * 60 + sec, np.nan]
    )


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["survey"],
        ["survey", "x.csv", "--metric", "foo"],
        ["clv", "x.csv", "--horizon", "twelve"],
    ],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("cxmetrics: error: ")
    assert "--help" in err


def test_survey_by_period_reads_the_clock_as_written(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text(
        "When,Score\n"
        "2026-05-31T23:30:00+02:00,10\n"  # 21:30 UTC but still May on the respondent's clock
        "2026-06-01T00:30:00+02:00,0\n"  # 22:30 UTC on 31 May, June as written
        "2026-06-15T12:00:00Z,9\n"
        "2026-06-20T08:00:00-05:00,7\n"
        "2026-05-02,9\n"
    )
    status, out, err = run(
        capsys,
        "survey",
        path,
        "--nps-col",
        "Score",
        "--time-col",
        "When",
        "--period",
        "month",
        "--format",
        "json",
    )
    assert status == 0, err
    rows = json.loads(out)["tables"][0]["rows"]
    assert [(r["month"], r["n"], r["promoters"], r["detractors"]) for r in rows] == [
        ("2026-05", 2, 2, 0),
        ("2026-06", 3, 1, 1),
    ]
    err = one_line_error(
        *run(capsys, "survey", path, "--nps-col", "Score", "--period", "month")
    )
    assert "--time-col" in err


@given(
    day=st.dates(
        min_value=dt.date(2000, 1, 1),
        max_value=dt.date(2099, 12, 31),
    ),
    hour=st.integers(0, 23),
    offset=st.sampled_from(["", "Z", "+02:00", "-05:00", "+05:30"]),
)
def test_property_wall_clock_drops_only_the_zone(day, hour, offset):
    from cxmetrics._core.table_io import wall_clock

    got = wall_clock(
        "f",
        "t",
        np.array([f"{day.isoformat()}T{hour:02d}:15:00{offset}", day.isoformat()]),
    )
    assert got.tolist()[0].isoformat() == f"{day.isoformat()}T{hour:02d}:15:00"
    assert str(got[1])[:10] == day.isoformat()
