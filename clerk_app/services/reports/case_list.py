"""Report 4: the case list (spis spraw) per unit, JRWA class and year.

One table per unit and end class, headed with the unit, the JRWA symbol and
title and the year, with the columns of the office instruction: no., case
(short content), from whom (sender, their reference and date), start date,
final settlement date and notes (how settled). Where the register marked the
sender's data unknown the list says "brak danych".
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.models import Case, Correspondent, JrwaClass, OrgUnit, RegisterEntry
from clerk_app.models.types import utc_now
from clerk_app.services.reports.base import (
    NO_DATA,
    Column,
    ColumnKind,
    EmptyReportError,
    Progress,
    ReportData,
    ReportParams,
    Row,
    Section,
    pl_date,
)
from clerk_app.services.reports.common import as_of, find_unit, require_year, unit_parameters

NAME = "case-list"
TITLE = "Spis spraw"


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    year = require_year(params, as_of(params))
    unit = find_unit(session, params.unit)
    symbol = (params.jrwa or "").strip()
    stmt = (
        select(Case, OrgUnit, JrwaClass, RegisterEntry, Correspondent)
        .join(OrgUnit, OrgUnit.id == Case.unit_id)
        .join(JrwaClass, JrwaClass.id == Case.jrwa_class_id)
        .outerjoin(RegisterEntry, RegisterEntry.id == Case.origin_entry_id)
        .outerjoin(Correspondent, Correspondent.id == RegisterEntry.correspondent_id)
        .where(Case.year == year)
        .order_by(OrgUnit.symbol, JrwaClass.symbol, Case.seq_no, Case.subgroup, Case.id)
    )
    if unit is not None:
        stmt = stmt.where(Case.unit_id == unit.id)
    if symbol:
        stmt = stmt.where(JrwaClass.symbol == symbol)
    found = session.execute(stmt).all()
    progress.total = max(len(found), 1)
    groups: dict[tuple[str, str], tuple[str, list[Row]]] = {}
    for done, (case, org_unit, jrwa, entry, sender) in enumerate(found, start=1):
        progress.tick(done)
        heading = (
            f"Komórka: {org_unit.symbol} – {org_unit.name}; "
            f"symbol klasyfikacyjny JRWA: {jrwa.symbol} – {jrwa.title}; rok: {year}"
        )
        rows = groups.setdefault((org_unit.symbol, jrwa.symbol), (heading, []))[1]
        number = f"{case.seq_no}.{case.subgroup}" if case.subgroup else str(case.seq_no)
        rows.append(
            (
                number,
                f"{case.title} ({case.sign})",
                _from_whom(entry, sender),
                case.opened_on,
                case.closed_on,
                case.outcome,
            )
        )
    if not groups:
        parts = [f"rok {year}"]
        if unit is not None:
            parts.append(f"komórka {unit.symbol}")
        if symbol:
            parts.append(f"symbol JRWA {symbol}")
        raise EmptyReportError(f"Spis spraw: brak spraw ({', '.join(parts)}).")
    sections = tuple(Section(heading, tuple(rows)) for _, (heading, rows) in sorted(groups.items()))
    parameters = [f"Rok: {year}"]
    if unit is not None:
        parameters += unit_parameters(unit)
    if symbol:
        parameters.append(f"Symbol JRWA: {symbol}")
    return ReportData(
        name=NAME,
        title=TITLE,
        period=f"rok {year}",
        columns=(
            Column("Lp.", ColumnKind.TEXT, 0.5),
            Column("Sprawa (krótka treść)", ColumnKind.TEXT, 3.2),
            Column("Od kogo wpłynęła (znak i data pisma)", ColumnKind.TEXT, 2.6),
            Column("Data wszczęcia sprawy", ColumnKind.DATE, 1.1),
            Column("Data ostatecznego załatwienia", ColumnKind.DATE, 1.2),
            Column("Uwagi (sposób załatwienia)", ColumnKind.TEXT, 2),
        ),
        sections=sections,
        generated_at=utc_now(),
        parameters=tuple(parameters),
        notes=(f"Liczba spraw: {len(found)}.",),
    )


def _from_whom(entry: RegisterEntry | None, sender: Correspondent | None) -> str:
    """Sender, their reference and the date of their letter ("brak danych" if unknown)."""
    if entry is None:
        return ""
    unknown = {f for f in (entry.unknown_fields or "").split(",") if f}
    name = sender.display_name if sender is not None else (NO_DATA if "sender" in unknown else "")
    parts = [name]
    if "letter_ref" in unknown:
        parts.append(f"znak: {NO_DATA}")
    elif entry.letter_ref:
        parts.append(f"znak: {entry.letter_ref}")
    if "letter_date" in unknown:
        parts.append(f"z dnia: {NO_DATA}")
    elif entry.letter_date:
        parts.append(f"z dnia {pl_date(entry.letter_date)}")
    return ", ".join(p for p in parts if p)
