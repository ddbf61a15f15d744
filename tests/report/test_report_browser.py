"""The HTML report as a person sees it: opened in headless Chromium (Debian's package).

`make test` installs chromium where it can (apt); without it these tests skip
and say so.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the report needs the plot extra (matplotlib)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (make browser installs it)",
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from cxmetrics.cli import main

    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", "--sample", "-o", str(out)]) == 0
    return out


def _chromium(tmp_path, *args):
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sections_tables_and_images_are_in_the_rendered_page(report, tmp_path):
    done = _chromium(tmp_path, "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for section in (
        "Surveys: NPS, CSAT and CES",
        "Support: SLA compliance and response times",
        "Retention: cohorts, survival and churn",
    ):
        assert section in dom
    assert dom.count('<img alt="') >= 9
    assert dom.count('<table class="cxmetrics">') >= 5


def test_screenshot_shows_the_charts(report, tmp_path):
    import matplotlib.pyplot as plt

    shot = tmp_path / "shot.png"
    done = _chromium(
        tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", report.as_uri()
    )
    assert shot.exists(), done.stderr[-2000:]
    img = plt.imread(shot)
    assert img.shape[:2] == (1600, 1200)
    rgb = (img[..., :3] * 255).round().astype(int)
    # the NPS trend (line #0072B2, band #56B4E9 at 30 %) is on the first screen
    line = np.all(np.abs(rgb - np.array([0, 114, 178])) <= 12, axis=-1)
    assert line.sum() > 200
    assert len(np.unique(rgb.reshape(-1, 3)[::97], axis=0)) > 50  # a page, not a blank


@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """A report of real-shaped exports: survey weights, per-ticket due dates, zero-heavy CLV."""
    pytest.importorskip("scipy", reason="the CLV section needs scipy")
    from cli_exports import purchase_export, survey_export, ticket_export
    from cxmetrics.cli import main

    d = tmp_path_factory.mktemp("real")
    sv = survey_export(d)
    tk, policy = ticket_export(d)
    orders = purchase_export(d)
    out = d / "report.html"
    argv = [
        "report",
        "-o",
        str(out),
        "--surveys",
        str(sv),
        "--tickets",
        str(tk),
        "--comments",
        str(d / "ticket_comments.csv"),
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
        "author=Author",
        "--col",
        "customer=Customer ID",
        "--col",
        "transactions:time=Order Date",
        "--col",
        "amount=Total (USD)",
        "--currency",
        "USD",
        "--sla-target",
        "0.9",
    ]
    assert main(argv) == 0
    return out


def test_real_shaped_report_renders_with_its_summary_tiles(real_report, tmp_path):
    done = _chromium(tmp_path, "--dump-dom", real_report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "Executive summary" in dom
    assert dom.count('<div class="tile">') == 6
    assert "Weighted by the survey weights" in dom
    assert "due date" in dom
    assert "USD" in dom
    assert "n=0" not in dom
    shot = tmp_path / "shot.png"
    done = _chromium(
        tmp_path,
        "--window-size=1200,1000",
        f"--screenshot={shot}",
        real_report.as_uri(),
    )
    assert shot.exists(), done.stderr[-2000:]
    import matplotlib.pyplot as plt

    rgb = (plt.imread(shot)[..., :3] * 255).round().astype(int)
    # the summary tiles (background #e8f1f8) fill a band of the first screen
    tile = np.all(np.abs(rgb - np.array([232, 241, 248])) <= 3, axis=-1)
    assert tile.sum() > 6 * 150 * 80
    rows = np.flatnonzero(tile.sum(axis=1) > 200)
    assert rows.size
    assert rows.min() < 700  # at the top, above the first section
    # the big tile numbers (#0b3d62) are drawn in them
    ink = np.all(np.abs(rgb - np.array([11, 61, 98])) <= 20, axis=-1)
    assert ink.sum() > 500
