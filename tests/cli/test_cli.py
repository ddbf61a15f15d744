"""The command line: tables on stdout; bad input is one line on stderr and exit status 2."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cxmetrics as cx
from cxmetrics.cli import main
from cxmetrics.datasets import load_sample_survey, sample_path

SURVEY = str(sample_path("sample_survey.csv"))
TICKETS = str(sample_path("sample_tickets.csv"))
COMMENTS = str(sample_path("sample_comments.csv"))
POLICY = str(sample_path("sample_policy.toml"))
ACTIVITY = str(sample_path("sample_activity.csv"))


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_survey_table_matches_the_api(capsys):
    status, out, err = run(
        capsys,
        "survey",
        SURVEY,
        "--metric",
        "nps",
        "--by",
        "segment",
        "--nan-policy",
        "omit",
        "--format",
        "json",
    )
    assert status == 0
    assert err == ""
    doc = json.loads(out)
    assert doc["schema"] == "cxmetrics-tables/1"
    (table,) = doc["tables"]
    s = load_sample_survey()
    want = cx.nps(s["nps"], by=s["segment"], nan_policy="omit")
    lo, hi = want.confidence_interval()
    assert [r["segment"] for r in table["rows"]] == want.keys.tolist()
    assert [r["value"] for r in table["rows"]] == pytest.approx(want.value, rel=1e-12)
    assert [r["n"] for r in table["rows"]] == want.n.tolist()
    assert [r["promoters"] for r in table["rows"]] == want.promoters.tolist()
    assert [r["detractors"] for r in table["rows"]] == want.detractors.tolist()
    assert [r["ci_low"] for r in table["rows"]] == pytest.approx(lo, rel=1e-12)
    assert [r["ci_high"] for r in table["rows"]] == pytest.approx(hi, rel=1e-12)


def test_survey_all_metrics_two_keys_csv(capsys, tmp_path):
    status, out, _ = run(
        capsys,
        "survey",
        SURVEY,
        "--metric",
        "all",
        "--by",
        "segment",
        "--by",
        "region",
        "--nan-policy",
        "omit",
        "--format",
        "csv",
        "--confidence",
        "0.9",
        "--output-dir",
        str(tmp_path),
    )
    assert status == 0
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ces.csv",
        "csat.csv",
        "nps.csv",
    ]
    s = load_sample_survey()
    for metric, fn in (("nps", cx.nps), ("csat", cx.csat), ("ces", cx.ces)):
        text = (tmp_path / f"{metric}.csv").read_text()
        assert "#" not in text
        rows = list(csv.DictReader(io.StringIO(text)))
        want = fn(s[metric], by=[s["segment"], s["region"]], nan_policy="omit")
        lo, _ = want.confidence_interval(0.9)
        got = {(r["segment"], r["region"]): r for r in rows}
        assert ("Enterprise", "EMEA") in got
        for (seg, reg), v, n, low in zip(
            want.keys.tolist(), want.value, want.n, lo, strict=True
        ):
            assert float(got[seg, reg]["value"]) == v  # full precision
            assert int(got[seg, reg]["n"]) == n
            assert float(got[seg, reg]["ci_low"]) == low


def test_sla_and_retention_on_the_samples(capsys):
    status, out, _ = run(
        capsys,
        "sla",
        TICKETS,
        "--comments",
        COMMENTS,
        "--policy",
        POLICY,
        "--as-of",
        "2026-07-01T00:00:00Z",
        "--by",
        "team",
    )
    assert status == 0
    assert "SLA compliance (targets, zendesk) by team" in out
    assert "Technical" in out
    status, out, _ = run(capsys, "retention", ACTIVITY, "--freq", "quarter")
    assert status == 0
    assert "Churn by quarter" in out
    assert "Cohort retention by quarter" in out


@pytest.mark.parametrize(
    ("content", "args", "pattern"),
    [
        ("score,region\n9,a\n7\n", ["--score", "score"], r"line 3 has 1 field"),
        (
            "score,region\n9,a\nlots,b\n",
            ["--score", "score"],
            r"column 'score', line 3: 'lots' is not a number",
        ),
        (
            "score,region\n9,a\n11,b\n",
            ["--score", "score"],
            r"column 'score'.*11.*line 3",
        ),
        (
            "answer,region\n9,a\n",
            ["--score", "score"],
            r"no column 'score'; the columns are \['answer', 'region'\]",
        ),
        (
            "score,region\n9,a\n",
            ["--score", "score", "--by", "team"],
            r"no column 'team'",
        ),
        ("", ["--score", "score"], r"the file is empty"),
    ],
)
def test_bad_survey_files_are_one_line_and_exit_2(
    tmp_path, capsys, content, args, pattern
):
    path = tmp_path / "answers.csv"
    path.write_text(content)
    status, out, err = run(capsys, "survey", str(path), *args)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("cxmetrics: error: ")
    assert str(path) in err
    import re

    assert re.search(pattern, err), err


def test_bad_ticket_files(tmp_path, capsys):
    naive = tmp_path / "t.csv"
    naive.write_text(
        "ticket,instant,status,priority\n1,2026-01-05T09:00:00,new,urgent\n"
    )
    status, _, err = run(
        capsys, "sla", str(naive), "--policy", POLICY, "--as-of", "2026-07-01T00:00:00Z"
    )
    assert status == 2
    assert "line 2" in err
    assert "no time zone" in err
    unknown = tmp_path / "u.csv"
    unknown.write_text(
        "ticket,instant,status,priority\n1,2026-01-05T09:00:00Z,new,p9\n"
    )
    status, _, err = run(
        capsys,
        "sla",
        str(unknown),
        "--policy",
        POLICY,
        "--as-of",
        "2026-07-01T00:00:00Z",
    )
    assert status == 2
    assert "'p9'" in err
    policy = tmp_path / "p.toml"
    policy.write_text("[targets\n")
    status, _, err = run(capsys, "sla", str(unknown), "--policy", str(policy))
    assert status == 2
    assert "not valid TOML" in err


def test_parquet_input(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "answers.parquet"
    pq.write_table(pa.table({"nps": [10, 9, 3, 7], "team": ["a", "a", "b", "b"]}), path)
    status, out, _ = run(
        capsys, "survey", str(path), "--by", "team", "--format", "json"
    )
    assert status == 0
    rows = json.loads(out)["tables"][0]["rows"]
    assert [r["value"] for r in rows] == [100, -50]


def test_report_writes_one_file_or_nothing(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "report.html"
    status, stdout, _ = run(capsys, "report", "--sample", "-o", str(out))
    assert status == 0
    assert stdout.strip() == f"wrote {out}"
    text = out.read_text()
    for section in ('id="surveys"', 'id="support"', 'id="retention"', 'id="clv"'):
        assert section in text
    assert text.count("data:image/png;base64,") >= 9
    assert "http://" not in text
    assert "https://" not in text  # self-contained: nothing fetched to view it
    bad = tmp_path / "bad.html"
    broken = tmp_path / "s.csv"
    broken.write_text("nps,month\n9,2026-01\nx,2026-02\n")
    status, _, err = run(capsys, "report", "--surveys", str(broken), "-o", str(bad))
    assert status == 2
    assert "line 3" in err
    assert not bad.exists()
    assert list(tmp_path.glob(".cxmetrics-*")) == []


def test_console_script_and_usage_errors():
    exe = shutil.which("cxmetrics", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "cxmetrics.cli"]
    done = subprocess.run([*cmd, "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "survey" in done.stdout
    assert "report" in done.stdout
    done = subprocess.run([*cmd, "survey"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_clv_command_matches_the_api(capsys):
    pytest.importorskip("scipy", reason="the CLV models need the models extra (scipy)")
    from cxmetrics.datasets import load_sample_transactions

    path = str(sample_path("sample_transactions.csv"))
    status, out, err = run(
        capsys, "clv", path, "--end", "2026-06-30", "--format", "json", "--horizon", "6"
    )
    assert status == 0, err
    fits, summary = json.loads(out)["tables"]
    tx = load_sample_transactions()
    rfm = cx.rfm_summary(
        tx["customer"],
        tx["date"],
        tx["amount"],
        observation_end="2026-06-30",
        freq="day",
        freq_multiplier=7,
    )
    want = cx.bgnbd(rfm)
    got = {
        r["parameter"]: r["estimate"] for r in fits["rows"] if r["model"] == "BG/NBD"
    }
    assert got == pytest.approx(want.params, rel=1e-9)
    assert summary["rows"][0]["statistic"] == "CLV"
    assert "6-month CLV" in summary["title"]


def test_clv_command_errors(tmp_path, capsys):
    path = tmp_path / "tx.csv"
    path.write_text("customer,day,amount\na,2026-01-01,10\na,2026-01-05,3\n")
    status, _, err = run(capsys, "clv", str(path))
    assert status == 2
    assert err.startswith(f"cxmetrics: error: {path}: no column 'date'")
    path.write_text("customer,date,amount\na,2026-13-01,10\n")
    status, _, err = run(capsys, "clv", str(path))
    assert status == 2
    assert "line 2" in err


def test_warnings_are_one_line_each_and_the_command_goes_on(tmp_path, capsys):
    pytest.importorskip("scipy", reason="the CLV models need the models extra (scipy)")
    path = tmp_path / "tx.csv"
    path.write_text(
        "customer,date,amount\na,2026-01-01,10\na,2026-01-05,3\nb,2026-01-02,5\n"
    )
    status, out, err = run(capsys, "clv", str(path))
    assert status == 0
    assert "cxmetrics: warning:" in err
    assert "Traceback" not in err
    assert "NO" in out  # the table says which fit did not converge
