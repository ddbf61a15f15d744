"""Every chart renders to a non-empty PNG of the expected size, as a person would see it."""

from __future__ import annotations

import io

import numpy as np
import pytest

import cxmetrics as cx

mpl = pytest.importorskip(
    "matplotlib", reason="the plot extra (matplotlib) is not installed"
)
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cxmetrics import plot  # noqa: E402

RNG = np.random.default_rng(4)
MONTH = RNG.integers(1, 7, 600)
SCORE = RNG.integers(0, 11, 600)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _png(ax) -> np.ndarray:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=80)
    buf.seek(0)
    return plt.imread(buf)


def _check_drawn(ax, *, min_colours: int = 3):
    img = _png(ax)
    h, w = img.shape[:2]
    assert (w, h) == (560, 320)  # 7 x 4 inches at 80 dpi
    rgb = (img[..., :3] * 255).astype(int).reshape(-1, 3)
    colours = {tuple(c) for c in rgb[:: max(1, len(rgb) // 20_000)]}
    assert len(colours) >= min_colours  # not a blank canvas
    # something other than white covers a visible part of the plot
    assert np.mean(rgb.sum(axis=1) < 600) > 0.01


def test_score_trend():
    res = cx.nps(SCORE, by=MONTH)
    ax = plot.score_trend(res, confidence_level=0.9)
    _check_drawn(ax)
    assert ax.get_ylabel() == "NPS"
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(m) for m in range(1, 7)]
    assert sum(t.get_text().startswith("n=") for t in ax.texts) == 6


def test_answer_mix_grouped_and_scalar():
    ax = plot.answer_mix(cx.nps(SCORE, by=MONTH))
    _check_drawn(ax)
    assert len(ax.patches) == 18
    ax = plot.answer_mix(cx.nps(SCORE))
    assert len(ax.patches) == 3


def test_rate_by_group_with_target_and_records():
    res = cx.csat(RNG.integers(1, 6, 600), by=MONTH % 3)
    ax = plot.rate_by_group(res, target=0.8)
    _check_drawn(ax)
    assert ax.get_legend() is not None


def test_cohort_heatmap_and_survival_curve():
    t = np.datetime64("2024-01-01") + RNG.integers(0, 200, 400).astype("timedelta64[D]")
    ax = plot.cohort_heatmap(cx.cohort_matrix(RNG.integers(0, 60, 400), t))
    _check_drawn(ax)
    km = cx.kaplan_meier(RNG.exponential(10, 200), RNG.random(200) < 0.7)
    ax = plot.survival_curve(km)
    _check_drawn(ax)
    assert ax.get_ylim() == (0, 1.02)


def test_distribution_with_targets_and_log_axis():
    hours = RNG.lognormal(1, 1, 500)
    ax = plot.distribution(
        np.append(hours, np.nan), targets={"P1": 4, "P2": 8}, xlabel="hours", log=True
    )
    _check_drawn(ax)
    assert ax.get_title() == "n=500, 1 missing"
    assert ax.get_xscale() == "log"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == f"P1: {np.mean(hours <= 4):.0%} within"
    ax = plot.distribution(
        [0.0, 1.0, 2.0], targets={"t": 1}, log=True, share_within=False
    )
    assert ax.get_title() == "n=3, 1 at 0 (not on the log axis)"
    assert ax.get_legend().get_texts()[0].get_text() == "t"


def test_own_axes_and_bad_input():
    _, axs = plt.subplots(1, 2)
    assert plot.score_trend(cx.nps(SCORE, by=MONTH), ax=axs[1]) is axs[1]
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="grouped result"):
        plot.score_trend(cx.nps(SCORE))
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="NPS result"):
        plot.answer_mix(cx.csat([5, 4]))
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="CohortResult"):
        plot.cohort_heatmap(cx.nps(SCORE))
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="KaplanMeierResult"):
        plot.survival_curve(cx.nps(SCORE))


def test_p_alive_matrix():
    m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
    ax = plot.p_alive_matrix(m, T=39.0, max_frequency=10)
    _check_drawn(ax)
    grid = ax.images[0].get_array()
    assert grid.shape == (11, 40)
    assert np.all(grid[0] == 1.0)  # BG/NBD: no repeat purchase, alive for sure
    assert grid[10, 1] < grid[10, -1]  # frequent but not lately: likelier gone
    with pytest.raises(cx.exceptions.InvalidInputTypeError, match="BG/NBD"):
        plot.p_alive_matrix(cx.nps([10]), T=3.0)


def test_voice_charts():
    x = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22]
    ax = plot.control_chart(cx.p_chart(x, [50] * 15))
    _check_drawn(ax)
    assert ax.get_title() == "p chart: 1 signal(s)"
    ax = plot.control_chart(cx.i_mr_chart([3.1, 2.9, 3.4, 3.0, 5.2, 3.1]))
    _check_drawn(ax)
    res = cx.james_stein(RNG.normal(0.8, 0.05, 12), RNG.uniform(0.001, 0.004, 12))
    ax = plot.funnel_plot(res)
    _check_drawn(ax)
    outcome = RNG.normal(size=80)
    drivers = {"speed": outcome + RNG.normal(size=80), "price": RNG.normal(size=80)}
    ax = plot.driver_quadrant(cx.key_drivers(outcome, drivers, n_resamples=0))
    _check_drawn(ax)
    assert [t.get_text() for t in ax.texts] == ["speed", "price"]


def test_funnel_plot_of_beta_binomial_rates():
    pytest.importorskip("scipy")
    res = cx.shrink_rates([3, 45, 80, 12, 30, 2], [3, 60, 100, 20, 32, 8])
    ax = plot.funnel_plot(res)
    _check_drawn(ax)
    assert ax.get_ylabel() == "rate"
    with pytest.raises(TypeError, match="ShrinkageResult"):
        plot.funnel_plot(cx.nps([10, 3]))
