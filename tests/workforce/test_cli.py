"""`cxmetrics schedule`: volumes file -> requirement -> shifts -> projected service."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.cli import main

pytest.importorskip("scipy")


def _volumes(tmp_path, days=2, ppd=8):
    vol = np.tile([0, 10, 40, 60, 50, 30, 10, 0], days)[: days * ppd]
    path = tmp_path / "volumes.csv"
    path.write_text(
        "interval,volume\n" + "".join(f"i{i},{v}\n" for i, v in enumerate(vol))
    )
    return path, vol


def test_schedule_command_matches_the_library(tmp_path, capsys):
    path, vol = _volumes(tmp_path)
    status = main(
        [
            "schedule",
            str(path),
            "--periods-per-day",
            "8",
            "--aht",
            "600",
            "--shrinkage",
            "0.2",
            "--shift-length",
            "4",
            "--format",
            "json",
        ]
    )
    assert status == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "cxmetrics-tables/1"
    tables = doc["tables"]
    summary = tables[0]["rows"][0]
    req = cx.staff_requirements(
        vol,
        interval_length=10800,
        aht=600,
        target_service_level=0.8,
        threshold=20,
        shrinkage=0.2,
    )
    sched = cx.schedule_shifts(
        req.headcount, cx.shift_patterns(np.arange(8), 4, periods_per_day=8, days=2)
    )
    assert int(summary["headcount"]) == sched.headcount
    assert summary["optimal"] is True
    assert len(tables[2]["rows"]) == vol.size
    assert sum(r["agents"] for r in tables[1]["rows"]) == sched.headcount


def test_schedule_command_errors(tmp_path, capsys):
    path, _ = _volumes(tmp_path)
    assert (
        main(
            [
                "schedule",
                str(path),
                "--periods-per-day",
                "5",
                "--aht",
                "60",
                "--shift-length",
                "2",
            ]
        )
        == 2
    )
    assert "not whole days" in capsys.readouterr().err
    assert (
        main(
            [
                "schedule",
                str(path),
                "--periods-per-day",
                "8",
                "--aht",
                "600",
                "--shift-length",
                "1",
                "--earliest-start",
                "0",
                "--latest-start",
                "0",
            ]
        )
        == 2
    )
    assert "no pattern covers" in capsys.readouterr().err


def test_report_staffing_section():
    pytest.importorskip("matplotlib")
    from cxmetrics import report

    vol = np.tile([0, 10, 40, 60, 50, 30, 10, 0], 2)
    page = report.build_report(
        workforce={
            "volume": vol,
            "periods_per_day": 8,
            "aht": 600,
            "shift_length": 4,
            "shrinkage": 0.2,
        }
    )
    assert "Staffing: schedule and projected service" in page
    assert "data:image/png;base64" in page
    req = cx.staff_requirements(
        vol,
        interval_length=10800,
        aht=600,
        target_service_level=0.8,
        threshold=20,
        shrinkage=0.2,
    )
    sched = cx.schedule_shifts(
        req.headcount, cx.shift_patterns(np.arange(8), 4, periods_per_day=8, days=2)
    )
    assert f"<td>{sched.headcount}</td>" in page
    with pytest.raises(cx.exceptions.InvalidInputError, match="missing"):
        report.build_report(workforce={"volume": vol})
