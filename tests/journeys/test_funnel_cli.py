"""The ``cxmetrics funnel`` command."""

from __future__ import annotations

import pytest

from cxmetrics.cli import main

CSV = (
    "user,time,event,device\n"
    "a,2026-03-01T10:00:00Z,cart,web\n"
    "a,2026-03-01T10:05:00Z,checkout,web\n"
    "a,2026-03-01T10:07:00Z,paid,web\n"
    "b,2026-03-01T11:00:00Z,cart,app\n"
    "b,2026-03-01T13:00:00Z,checkout,app\n"
    "c,2026-03-01T12:00:00Z,cart,app\n"
)


def test_funnel_by_segment_as_csv(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text(CSV)
    status = main(
        [
            "funnel",
            str(path),
            "--steps",
            "cart,checkout,paid",
            "--window",
            "3600",
            "--segment-col",
            "device",
            "--format",
            "csv",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "app,cart,2," in out
    assert "web,paid,1,1.0," in out


def test_bad_file_prints_one_line_and_exits_2(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text(CSV.replace("2026-03-01T12:00:00Z", "yesterday"))
    status = main(["funnel", str(path), "--steps", "cart,paid", "--window", "60"])
    err = capsys.readouterr().err
    assert status == 2
    assert "line 7" in err
    assert "'yesterday'" in err
    path.write_text(CSV)
    assert main(["funnel", str(path), "--steps", "cart,paid", "--window", "0"]) == 2
    assert "window" in capsys.readouterr().err


def test_report_with_an_event_log_has_a_funnel_section(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    events = tmp_path / "events.csv"
    events.write_text(CSV.replace("device", "segment"))
    out = tmp_path / "report.html"
    status = main(
        [
            "report",
            "--events",
            str(events),
            "--funnel-steps",
            "cart,checkout,paid",
            "--funnel-window",
            "3600",
            "-o",
            str(out),
        ]
    )
    assert status == 0, capsys.readouterr().err
    page = out.read_text()
    assert "Journeys: funnel, drop-off and time to convert" in page
    assert (
        "The biggest drop-off is from &#x27;cart&#x27; to &#x27;checkout&#x27;" in page
    )
    assert main(["report", "--events", str(events), "-o", str(out)]) == 2
    assert "--funnel-steps" in capsys.readouterr().err
