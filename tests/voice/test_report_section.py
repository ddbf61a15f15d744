"""The report's voice section on the bundled sample survey."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the report needs the plot extra (matplotlib)")


def test_report_has_the_voice_section():
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from cxmetrics.datasets import load_sample_survey
    from cxmetrics.report import build_report
    from cxmetrics.report._voice import voice_section

    survey = load_sample_survey()
    parts = voice_section(survey)
    assert sum("<img" in p for p in parts) == 3  # CSAT p chart, NPS I chart, quadrant
    assert any("CSAT:" in p and "NPS:" in p for p in parts)
    page = build_report(surveys=survey)
    assert "Is it really changing? Control charts and drivers" in page
    no_csat = {k: v for k, v in survey.items() if k != "csat"}
    assert "Is it really changing?" not in build_report(surveys=no_csat)
    plt.close("all")
