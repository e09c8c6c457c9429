"""Managers' reports (REGISTER.md, "Reports managers print"): one module per report.

Each module reads the tables it needs in one read-only session and returns a
plain ``ReportData``; ``clerk_app.documents.report_pdf`` and ``report_export``
turn it into PDF, CSV or XLSX. ``ReportService.build`` checks the permission,
builds the report and records in the audit trail who produced which report.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import Office, OrgUnit, Role
from clerk_app.services import audit, permissions
from clerk_app.services.database import Database
from clerk_app.services.reports import (
    archive_list,
    case_history,
    case_list,
    cases_per_clerk,
    complaints,
    delivery,
    jrwa_stats,
    overdue,
    register_period,
)
from clerk_app.services.reports.base import (
    CancelledFn,
    ChartSeries,
    Column,
    ColumnKind,
    EmptyReportError,
    Progress,
    ProgressFn,
    ReportCancelled,
    ReportData,
    ReportParams,
    Section,
)
from clerk_app.services.users import CurrentUser

__all__ = [
    "CATALOGUE",
    "ChartSeries",
    "Column",
    "ColumnKind",
    "EmptyReportError",
    "Param",
    "ReportCancelled",
    "ReportData",
    "ReportParams",
    "ReportService",
    "ReportSpec",
    "Section",
    "report_spec",
]

REPORT_ROLES = frozenset({Role.MANAGER})


class Param(enum.StrEnum):
    """Which parameters a report asks for (the form and the CLI show only these)."""

    PERIOD = "period"
    UNIT = "unit"
    YEAR = "year"
    JRWA = "jrwa"
    CASE = "case"
    TODAY = "today"


Builder = Callable[[Session, ReportParams, Progress], ReportData]


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    description: str
    params: frozenset[Param]
    required: frozenset[Param]
    build: Builder


CATALOGUE: tuple[ReportSpec, ...] = (
    ReportSpec(
        register_period.NAME,
        "Rejestr przesyłek za okres",
        "Pisma wpływające i wychodzące według kanału, z sumami i wykresem.",
        frozenset({Param.PERIOD, Param.UNIT}),
        frozenset({Param.PERIOD}),
        register_period.build,
    ),
    ReportSpec(
        cases_per_clerk.NAME,
        "Sprawy według prowadzących",
        "Sprawy założone i zakończone w okresie, średni czas załatwienia, sprawy po terminie.",
        frozenset({Param.PERIOD, Param.UNIT, Param.TODAY}),
        frozenset({Param.PERIOD}),
        cases_per_clerk.build,
    ),
    ReportSpec(
        overdue.NAME,
        "Sprawy po terminie i zagrożone",
        "Otwarte sprawy po terminie KPA lub blisko terminu; zawiadomienia z art. 36 KPA.",
        frozenset({Param.UNIT, Param.TODAY}),
        frozenset(),
        overdue.build,
    ),
    ReportSpec(
        case_list.NAME,
        "Spis spraw",
        "Spis spraw komórki według symbolu JRWA i roku.",
        frozenset({Param.YEAR, Param.UNIT, Param.JRWA}),
        frozenset({Param.YEAR}),
        case_list.build,
    ),
    ReportSpec(
        jrwa_stats.NAME,
        "Statystyka JRWA",
        "Liczba spraw według symbolu JRWA, kategorii archiwalnej i komórki, rok do roku.",
        frozenset({Param.YEAR, Param.UNIT}),
        frozenset({Param.YEAR}),
        jrwa_stats.build,
    ),
    ReportSpec(
        complaints.NAME,
        "Rejestr skarg i wniosków",
        "Skargi i wnioski (art. 254 KPA) z klas JRWA 0150–0152 lub wskazanych.",
        frozenset({Param.PERIOD, Param.UNIT, Param.JRWA, Param.TODAY}),
        frozenset({Param.PERIOD}),
        complaints.build,
    ),
    ReportSpec(
        case_history.NAME,
        "Metryka sprawy",
        "Wszystkie czynności w sprawie z dziennika zdarzeń.",
        frozenset({Param.CASE}),
        frozenset({Param.CASE}),
        case_history.build,
    ),
    ReportSpec(
        archive_list.NAME,
        "Spis zdawczo-odbiorczy",
        "Teczki komórki z danego roku do przekazania do archiwum zakładowego.",
        frozenset({Param.YEAR, Param.UNIT, Param.JRWA}),
        frozenset({Param.YEAR}),
        archive_list.build,
    ),
    ReportSpec(
        delivery.NAME,
        "Status doręczeń",
        "Pisma wysłane w okresie: oczekujące na potwierdzenie odbioru, doręczenia zastępcze "
        "i nieudane doręczenia elektroniczne.",
        frozenset({Param.PERIOD, Param.UNIT, Param.TODAY}),
        frozenset({Param.PERIOD}),
        delivery.build,
    ),
)


def report_spec(name: str) -> ReportSpec:
    for spec in CATALOGUE:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in CATALOGUE)
    raise ValidationError(f"Raport: nieznana nazwa „{name}” (dostępne: {known}).")


class ReportService:
    """Builds reports for one signed-in user (managers only)."""

    def __init__(self, db: Database, user: CurrentUser) -> None:
        self.db = db
        self.user = user

    def catalogue(self) -> tuple[ReportSpec, ...]:
        return CATALOGUE

    def units(self) -> list[tuple[str, str]]:
        """Symbols and names of the active units, for the form's unit choice."""
        with self.db.session() as session:
            return [
                (symbol, name)
                for symbol, name in session.execute(
                    select(OrgUnit.symbol, OrgUnit.name)
                    .where(OrgUnit.active.is_(True))
                    .order_by(OrgUnit.symbol)
                )
            ]

    def office_name(self) -> str:
        """The office's name for the report heading ("" when not set up)."""
        with self.db.session() as session:
            return session.scalar(select(Office.name).order_by(Office.id).limit(1)) or ""

    def build(
        self,
        name: str,
        params: ReportParams,
        progress: ProgressFn | None = None,
        cancelled: CancelledFn | None = None,
    ) -> ReportData:
        """Build one report; raises ``EmptyReportError`` when there is nothing to show.

        The tables are read in one read-only transaction (a consistent snapshot that
        never holds the writers' lock while a long report runs); who produced which
        report is then recorded in the audit trail in its own short transaction.
        """
        spec = report_spec(name)
        permissions.require(
            self.db, self.user, REPORT_ROLES, f"raport „{spec.title}”", "report", spec.name
        )
        if params.today is None:
            params = replace(params, today=date.today())
        tracker = Progress(progress, cancelled, total=1)
        tracker.check()
        with self.db.session() as session:
            data = spec.build(session, params, tracker)
        tracker.finish()
        with self.db.session(write=True) as session:
            audit.record(
                session,
                self.user,
                "report",
                "report",
                spec.name,
                summary=f"Raport „{data.title}” ({data.period}), wierszy: {data.row_count}",
                details=_audit_details(params),
            )
        return data


def _audit_details(params: ReportParams) -> dict[str, object]:
    values = {
        "from": params.date_from,
        "to": params.date_to,
        "unit": params.unit,
        "year": params.year,
        "jrwa": params.jrwa,
        "case": params.case,
        "today": params.today,
    }
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v}
