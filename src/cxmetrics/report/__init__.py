"""The CX report: one self-contained HTML file with charts and tables (``plot`` extra).

:func:`build_report` takes whichever inputs you have (survey answers, a ticket log
and its SLA policy, a subscription activity log, a purchase log) as dicts of numpy columns, and
:func:`write_report` writes the page atomically: a failure leaves no file behind.
``cxmetrics report`` is the command-line front door.

Examples
--------
>>> import pathlib, tempfile
>>> from cxmetrics import report
>>> from cxmetrics.datasets import load_sample_survey
>>> path = pathlib.Path(tempfile.mkdtemp()) / "report.html"
>>> report.write_report(path, surveys=load_sample_survey())
>>> "NPS by month" in path.read_text()
True
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from numpy.typing import NDArray

from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.report._checks import check_extra_sections, check_tables
from cxmetrics.report._clv import clv_section
from cxmetrics.report._experiments import experiment_section
from cxmetrics.report._html import page, tiles_html
from cxmetrics.report._journeys import funnel_section
from cxmetrics.report._registry import SECTIONS
from cxmetrics.report._retention import retention_section, revenue_section
from cxmetrics.report._sections import ReportInputs, Section, SectionOut, Tile
from cxmetrics.report._support import tickets_section
from cxmetrics.report._survey import survey_section
from cxmetrics.report._voice import voice_section
from cxmetrics.report._workforce import workforce_section

__all__ = [
    "SECTIONS",
    "ReportInputs",
    "Section",
    "SectionOut",
    "Tile",
    "build_report",
    "clv_section",
    "funnel_section",
    "retention_section",
    "revenue_section",
    "survey_section",
    "tickets_section",
    "write_report",
]

Columns = dict[str, NDArray[Any]]

_TARGETS = ("sla", "csat")


def _check_options(
    currency: object, min_n: object, targets: object, confidence_level: object
) -> dict[str, float]:
    if currency is not None and not isinstance(currency, str):
        msg = f"`currency` must be text such as 'USD'; got {currency!r}."
        raise InvalidInputTypeError(msg)
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        msg = f"`min_n` (--min-n) must be a whole number >= 1; got {min_n!r}."
        raise InvalidInputError(msg)
    if (
        isinstance(confidence_level, bool)
        or not isinstance(confidence_level, float | int)
        or not 0 < confidence_level < 1
    ):
        msg = (
            f"`confidence_level` must be a number in (0, 1); got {confidence_level!r}."
        )
        raise InvalidInputError(msg)
    if targets is None:
        return {}
    if not isinstance(targets, Mapping):
        msg = f"`targets` must be a mapping such as {{'sla': 0.9}}; got {targets!r}."
        raise InvalidInputTypeError(msg)
    out: dict[str, float] = {}
    for k, v in targets.items():
        if k not in _TARGETS:
            msg = f"`targets` has an unknown key {k!r}; the keys are {list(_TARGETS)}."
            raise InvalidInputError(msg)
        if (
            isinstance(v, bool)
            or not isinstance(v, float | int)
            or not (math.isfinite(v) and 0 < v <= 1)
        ):
            msg = f"the {k} target (--{k}-target) must be a share in (0, 1], e.g. 0.9; got {v!r}."
            raise InvalidInputError(msg)
        out[k] = float(v)
    return out


def _check_months(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"`nrr_horizon` (--nrr-horizon) must be a whole number of months >= 1; got {value!r}."
        raise InvalidInputError(msg)


def build_report(
    *,
    surveys: Columns | None = None,
    tickets: Mapping[str, Any] | None = None,
    policy: Any | None = None,
    activity: Columns | None = None,
    transactions: Columns | None = None,
    subscriptions: Columns | None = None,
    extra_sections: list[tuple[str, str, list[str]]] | None = None,
    workforce: dict[str, Any] | None = None,
    as_of: object | None = None,
    title: str = "Customer experience report",
    currency: str | None = None,
    min_n: int = 30,
    targets: Mapping[str, float] | None = None,
    confidence_level: float = 0.95,
    subscriptions_as_of: object | None = None,
    nrr_horizon: int = 12,
) -> str:
    """The report as an HTML string, with an executive summary at the top.

    Parameters
    ----------
    surveys : dict of columns, optional
        ``nps`` (0-10, NaN for unanswered) and ``month``; optional ``segment``,
        ``csat``, ``ces`` and ``weight`` (survey weights: every survey number
        then uses them, and the report says so), and ``arm``, an experiment's
        assignment: it adds a section comparing each KPI across arms against
        the arm labelled ``"control"`` (else the first).
    tickets : dict of columns, optional
        A ticket log as :func:`cxmetrics.datasets.load_sample_tickets` returns it
        (or ``log``, ``ids``, ``priority`` and optional ``due`` per ticket); needs
        ``policy`` and ``as_of``.
    policy : SLAPolicy, optional
        The SLA policy of the tickets; its calendar is the report's calendar.
    activity : dict of columns, optional
        ``customer`` and ``time`` (naive dates): a subscription activity log.
    transactions : dict of columns, optional
        ``customer``, ``date`` (naive dates) and ``amount``: a purchase log for
        the CLV models (needs scipy).
    subscriptions : dict of columns, optional
        ``customer``, ``start``, ``end`` (naive dates, NaT for running ones) and
        ``amount`` (MRR): net and gross revenue retention over ``nrr_horizon``
        months, with an NRR tile.
    extra_sections : list of (id, heading, html parts), optional
        More sections from other families.
    workforce : dict, optional
        Staffing: ``volume`` per interval, ``periods_per_day``, ``aht`` and
        ``shift_length`` (optional ``threshold``, ``target``, ``shrinkage``,
        ``days_on``, ``start_every``): requirement, schedule and projected
        service (needs scipy).
    as_of : instant, optional
        When the ticket log was exported (UTC).
    title : str
        Page title.
    currency : str, optional
        Currency of the amounts (e.g. ``'USD'``), shown with every money value;
        none is shown by default.
    min_n : int, default 30
        A headline change is tested only between periods that each reach it.
    targets : mapping, optional
        Target lines, only where given: ``{'sla': 0.9, 'csat': 0.8}``.
    confidence_level : float, default 0.95
        Level of every interval.
    subscriptions_as_of : date, optional
        When the subscription export was taken (needed for running subscriptions).
    nrr_horizon : int, default 12
        Months between the opening and closing MRR of NRR and GRR.

    Returns
    -------
    str
        A complete HTML page with every chart embedded as PNG.

    Raises
    ------
    InvalidInputError
        No input, tickets without a policy or ``as_of``, or a bad option
        (checked before any work).
    """
    goals = _check_options(currency, min_n, targets, confidence_level)
    _check_months(nrr_horizon)
    extra = check_extra_sections(extra_sections)
    if tickets is not None and (policy is None or as_of is None):
        msg = "`tickets` need a `policy` and an `as_of` instant."
        raise InvalidInputError(msg)
    surveys, tickets, activity, transactions, subscriptions = check_tables(
        {
            "surveys": surveys,
            "tickets": tickets,
            "activity": activity,
            "transactions": transactions,
            "subscriptions": subscriptions,
        },
        policy,
    )
    inputs = ReportInputs(
        surveys=surveys,
        tickets=tickets,
        policy=policy,
        activity=activity,
        transactions=transactions,
        subscriptions=subscriptions,
        subscriptions_as_of=subscriptions_as_of,
        nrr_horizon=nrr_horizon,
        as_of=as_of,
        currency=currency,
        min_n=min_n,
        targets=goals,
        confidence_level=float(confidence_level),
    )
    sections: list[tuple[str, str, list[str]]] = []
    tiles: list[Tile] = []
    for sec in SECTIONS:
        if all(getattr(inputs, need) is not None for need in sec.needs):
            out = sec.build(inputs)
            sections.append((sec.id, sec.heading, out.parts))
            tiles.extend(out.tiles)
    if surveys is not None and "month" in surveys and "csat" in surveys:
        sections.append(
            (
                "voice",
                "Is it really changing? Control charts and drivers",
                voice_section(surveys),
            )
        )
    if surveys is not None and "arm" in surveys:
        sections.append(
            (
                "experiment",
                "Experiment: arms against the control",
                experiment_section(surveys),
            )
        )
    if workforce is not None:
        sections.append(
            (
                "staffing",
                "Staffing: schedule and projected service",
                workforce_section(workforce),
            )
        )
    sections.extend(extra)
    if not sections:
        msg = "the report needs at least one input (surveys, tickets, activity, ...)."
        raise InvalidInputError(msg)
    if tiles:
        note = (
            f'<p class="meta">Latest period of each KPI with its {confidence_level:.0%} interval and n; a change is '
            f"tested only when both periods have at least {min_n} observations.</p>"
        )
        sections.insert(0, ("summary", "Executive summary", [tiles_html(tiles), note]))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = f"Generated by cxmetrics on {stamp}. Every estimate is shown with its n and a {confidence_level:.0%} interval."
    if currency:
        meta += f" Money in {currency}."
    return page(title, meta, sections)


def write_report(path: str | os.PathLike[str], **inputs: Any) -> None:
    """Build the report and write it to ``path`` atomically (see :func:`build_report`)."""
    text = build_report(**inputs)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".cxmetrics-", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(
            0o666 & ~umask
        )  # mkstemp makes the file private; a report is not
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
