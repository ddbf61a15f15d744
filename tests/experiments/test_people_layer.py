"""The experiment chart, the report's experiment section and the CLI path to it."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics.exceptions import InvalidInputTypeError


def _survey_with_arms():
    from cxmetrics.datasets import load_sample_survey

    s = load_sample_survey()
    n = len(s["nps"])
    rng = np.random.default_rng(3)
    s["arm"] = rng.choice(np.array(["control", "chatbot", "callback"]), n)
    return s


def test_lift_chart_rows_and_colours():
    pytest.importorskip("matplotlib")
    from cxmetrics import plot

    rng = np.random.default_rng(0)
    arms = np.repeat(["a", "b", "c"], 400)
    y = rng.normal(0, 1, 1200) + np.repeat([0.0, 1.0, -1.0], 400)
    ax = plot.lift_chart({"KPI": cx.experiment(y, arms, control="a")})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["KPI: b", "KPI: c"]
    points = [line for line in ax.lines if line.get_marker() == "o"]
    assert [p.get_color() for p in points] == ["#009E73", "#D55E00"]
    one = plot.lift_chart(cx.experiment(y, arms, control="a"))
    assert [t.get_text() for t in one.get_yticklabels()] == ["b", "c"]
    with pytest.raises(InvalidInputTypeError, match="ExperimentResult"):
        plot.lift_chart({"x": cx.nps([9, 3])})


def test_report_gains_an_experiment_section_with_an_assignment_column():
    pytest.importorskip("matplotlib")
    from cxmetrics import report

    s = _survey_with_arms()
    page = report.build_report(surveys=s)
    assert "Experiment: arms against the control" in page
    assert "chatbot vs control" in page
    assert "p (Holm)" in page
    assert "sample ratio" in page
    s.pop("arm")
    assert "Experiment: arms" not in report.build_report(surveys=s)


def test_section_values_match_experiment():
    pytest.importorskip("matplotlib")
    from cxmetrics.report._experiments import experiment_section

    s = _survey_with_arms()
    html = "".join(experiment_section(s))
    res = cx.experiment(
        s["nps"], s["arm"], control="control", kind="nps", nan_policy="omit"
    )
    assert f"{res['chatbot'].value:+.3g}" in html


def test_cli_report_reads_the_arm_column(tmp_path):
    pytest.importorskip("matplotlib")
    from cxmetrics.cli import main

    s = _survey_with_arms()
    path = tmp_path / "surveys.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["nps", "month", "arm"])
        for nps, month, arm in zip(s["nps"], s["month"], s["arm"], strict=True):
            w.writerow(["" if np.isnan(nps) else int(nps), month, arm])
    out = tmp_path / "report.html"
    assert main(["report", "--surveys", str(path), "-o", str(out)]) == 0
    assert "Experiment: arms against the control" in out.read_text()
