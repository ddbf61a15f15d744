"""The report's sections, in page order: the one list (:data:`SECTIONS`)."""

from __future__ import annotations

from cxmetrics.report._clv import clv_section
from cxmetrics.report._retention import retention_section, revenue_section
from cxmetrics.report._sections import (
    ReportInputs,
    Section,
    SectionOut,
)
from cxmetrics.report._support import tickets_section
from cxmetrics.report._survey import survey_section

__all__ = ["SECTIONS"]


def _subscriptions(i: ReportInputs) -> SectionOut:
    assert i.subscriptions is not None  # noqa: S101
    return revenue_section(i.subscriptions, i)


def _surveys(i: ReportInputs) -> SectionOut:
    assert i.surveys is not None  # noqa: S101
    return survey_section(i.surveys, i)


def _tickets(i: ReportInputs) -> SectionOut:
    assert i.tickets is not None  # noqa: S101
    return tickets_section(i.tickets, i.policy, i.as_of, i)


def _activity(i: ReportInputs) -> SectionOut:
    assert i.activity is not None  # noqa: S101
    return retention_section(i.activity, i)


def _transactions(i: ReportInputs) -> SectionOut:
    assert i.transactions is not None  # noqa: S101
    return clv_section(i.transactions, inputs=i)


SECTIONS: tuple[Section, ...] = (
    Section("surveys", "Surveys: NPS, CSAT and CES", ("surveys",), _surveys),
    Section(
        "support", "Support: SLA compliance and response times", ("tickets",), _tickets
    ),
    Section(
        "retention", "Retention: cohorts, survival and churn", ("activity",), _activity
    ),
    Section(
        "revenue",
        "Revenue retention: NRR and GRR",
        ("subscriptions",),
        _subscriptions,
    ),
    Section(
        "clv",
        "Customer lifetime value: BG/NBD and Gamma-Gamma",
        ("transactions",),
        _transactions,
    ),
)
"""The report's sections, in page order: add a section here (one place)."""
