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
