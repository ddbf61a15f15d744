"""Notebook display: every result renders as an escaped HTML table."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import cxmetrics as cx
from cxmetrics._core.display import DisplayMixin, format_value, html_table

RESULT_NAME = re.compile(r"(Result|ResultArray|Movements|Metrics|MetricsArray|Model)$")


def test_every_public_result_class_displays():
    names = [
        n
        for n in cx.__all__
        if inspect.isclass(getattr(cx, n)) and RESULT_NAME.search(n)
    ]
    assert len(names) > 15
    missing = [n for n in names if not issubclass(getattr(cx, n), DisplayMixin)]
    assert missing == []


def test_grouped_result_is_a_table_with_escaped_keys():
    res = cx.nps([10, 9, 3, 7], by=["<b>north</b>", "south", "south", "<b>north</b>"])
    out = res._repr_html_()
    assert out.startswith('<table class="cxmetrics">')
    assert "&lt;b&gt;north&lt;/b&gt;" in out
    assert "<b>north" not in out
    assert out.count("<tr>") == 1 + len(res)  # header + one row a group
    assert "<th>ci_low</th>" in out


def test_long_grouped_results_are_cut_at_50_rows():
    res = cx.csat(np.tile([5, 1], 100), by=np.arange(200))
    out = res._repr_html_()
    assert "200 row(s), first 50 shown" in out
    assert out.count("<tr>") == 51


@pytest.mark.parametrize(
    "res",
    [
        cx.nps([10, 9, 3]),
        cx.csat([5, 4, 1]),
        cx.kaplan_meier([3, 4, 5], [1, 0, 1]),
        cx.agents_required(10, aht=180, target_service_level=0.8, threshold=20),
        cx.compare_nps([10, 9, 3], [3, 4, 10]),
        cx.churn_rate(5, 100),
        cx.queue_metrics([10, 11], [12, 13], aht=180, threshold=20),
    ],
    ids=["nps", "csat", "km", "staffing", "compare", "churn", "queue_array"],
)
def test_results_render_their_summary_and_fields(res):
    out = res._repr_html_()
    assert out.startswith('<table class="cxmetrics">')
    assert "<caption>" in out
    assert "</table>" in out


def test_format_value():
    assert format_value(float("nan")) == "nan"
    assert format_value(1234567) == "1,234,567"
    assert format_value(0.123456) == "0.1235"
    assert format_value(np.arange(10)) == "array of shape (10,)"
    assert format_value(np.array([1.0, 2.0])) == "[1, 2]"
    assert html_table(["a"], [["<x>"]]).count("&lt;x&gt;") == 1
