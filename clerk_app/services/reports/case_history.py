"""Report 7: the case history (metryka sprawy) of one case, from the audit trail.

Rows come from ``clerk_app.services.case_history.build_case_history`` so the
printout matches what the case view shows (Regulation of 6 March 2012).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import Case
from clerk_app.services.case_history import build_case_history
from clerk_app.services.reports.base import (
    Column,
    ColumnKind,
    EmptyReportError,
    Progress,
    ReportData,
    ReportParams,
    Section,
    pl_date,
)

NAME = "case-history"
TITLE = "Metryka sprawy"


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    sign = (params.case or "").strip()
    if not sign:
        raise ValidationError("Znak sprawy: podaj znak sprawy, np. UA.6727.41.2026.")
    case_id = session.scalar(select(Case.id).where(func.upper(Case.sign) == sign.upper()))
    if case_id is None:
        raise ValidationError(f"Znak sprawy: nie ma sprawy o znaku „{sign}”.")
    history = build_case_history(session, case_id)
    progress.check()
    if not history.rows:
        raise EmptyReportError(
            f"Metryka sprawy {history.sign}: w dzienniku zdarzeń nie ma żadnej czynności "
            "w tej sprawie."
        )
    rows = tuple(
        (
            row.no,
            row.action_date,
            row.person,
            row.what_done,
            row.document_id,
        )
        for row in history.rows
    )
    return ReportData(
        name=NAME,
        title=TITLE,
        period=f"stan na {pl_date(history.rows[-1].action_date)}",
        columns=(
            Column("Lp.", ColumnKind.INT, 0.4),
            Column("Data czynności", ColumnKind.DATE, 1.0),
            Column("Imię i nazwisko, stanowisko", ColumnKind.TEXT, 2.2),
            Column("Wykonana czynność", ColumnKind.TEXT, 3.4),
            Column("Identyfikator dokumentu", ColumnKind.TEXT, 1.6),
        ),
        sections=(Section("", rows),),
        generated_at=history.generated_at,
        parameters=(f"Znak sprawy: {history.sign}", f"Tytuł sprawy: {history.title}"),
        landscape=False,
    )
