"""Report 8: the archive hand-over list (spis zdawczo-odbiorczy akt) of a unit.

One row per file (teczka): the cases of one JRWA end class started in the given
year make one file, signed ``UNIT.JRWA``. Columns: no., file sign, file title,
date range (years of the earliest start and latest settlement), archival
category, number of files, storage place (filled in on paper) and notes, which
warn about cases still open – those files are not ready to hand over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.models import Case, CaseStatus, JrwaClass, OrgUnit
from clerk_app.models.types import utc_now
from clerk_app.services.reports.base import (
    TOTAL_LABEL,
    Column,
    ColumnKind,
    EmptyReportError,
    Progress,
    ReportData,
    ReportParams,
    Section,
)
from clerk_app.services.reports.common import as_of, find_unit, require_year, unit_parameters

NAME = "archive"
TITLE = "Spis zdawczo-odbiorczy akt"


@dataclass
class _File:
    title: str
    category: str
    first: date
    last: date
    cases: int = 0
    open_cases: list[str] = field(default_factory=list)


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    year = require_year(params, as_of(params))
    unit = find_unit(session, params.unit)
    stmt = (
        select(
            OrgUnit.symbol,
            OrgUnit.name,
            JrwaClass.symbol,
            JrwaClass.title,
            JrwaClass.category_lead,
            Case.sign,
            Case.status,
            Case.opened_on,
            Case.closed_on,
        )
        .join(OrgUnit, OrgUnit.id == Case.unit_id)
        .join(JrwaClass, JrwaClass.id == Case.jrwa_class_id)
        .where(Case.year == year)
    )
    if unit is not None:
        stmt = stmt.where(Case.unit_id == unit.id)
    if params.jrwa and params.jrwa.strip():
        stmt = stmt.where(JrwaClass.symbol == params.jrwa.strip())
    found = session.execute(stmt).all()
    if not found:
        where = f" komórki {unit.symbol}" if unit else ""
        raise EmptyReportError(
            f"Spis zdawczo-odbiorczy: brak spraw{where} z roku {year} do przekazania."
        )
    progress.total = len(found)
    units: dict[str, tuple[str, dict[str, _File]]] = {}
    for done, (
        u_symbol,
        u_name,
        c_symbol,
        c_title,
        category,
        sign,
        status,
        opened,
        closed,
    ) in enumerate(found, start=1):
        progress.tick(done)
        files = units.setdefault(u_symbol, (u_name, {}))[1]
        end = closed or opened
        item = files.get(c_symbol)
        if item is None:
            item = files[c_symbol] = _File(c_title, category, opened, end)
        item.first = min(item.first, opened)
        item.last = max(item.last, end)
        item.cases += 1
        if status is not CaseStatus.CLOSED:
            item.open_cases.append(sign)
    sections = []
    for u_symbol in sorted(units):
        u_name, files = units[u_symbol]
        rows = []
        for no, c_symbol in enumerate(sorted(files), start=1):
            item = files[c_symbol]
            years = (
                str(item.first.year)
                if item.first.year == item.last.year
                else f"{item.first.year}–{item.last.year}"
            )
            notes = f"spraw: {item.cases}"
            if item.open_cases:
                notes += f"; UWAGA – sprawy w toku: {', '.join(sorted(item.open_cases))}"
            rows.append(
                (
                    no,
                    f"{u_symbol}.{c_symbol}",
                    f"{item.title} ({year})",
                    years,
                    item.category,
                    1,
                    "",
                    notes,
                )
            )
        case_count = sum(f.cases for f in files.values())
        sections.append(
            Section(
                f"Komórka organizacyjna: {u_symbol} – {u_name}",
                tuple(rows),
                (TOTAL_LABEL, "", "", "", "", len(rows), "", f"spraw: {case_count}"),
            )
        )
    return ReportData(
        name=NAME,
        title=TITLE,
        period=f"akta z roku {year}",
        columns=(
            Column("Lp.", ColumnKind.INT, 0.4),
            Column("Znak teczki", ColumnKind.TEXT, 1.0),
            Column("Tytuł teczki", ColumnKind.TEXT, 3.0),
            Column("Daty skrajne", ColumnKind.TEXT, 0.9),
            Column("Kategoria archiwalna", ColumnKind.TEXT, 0.9),
            Column("Liczba teczek", ColumnKind.INT, 0.7),
            Column("Miejsce przechowywania", ColumnKind.TEXT, 1.2),
            Column("Uwagi", ColumnKind.TEXT, 2.2),
        ),
        sections=tuple(sections),
        generated_at=utc_now(),
        parameters=unit_parameters(unit),
        notes=(
            "Przekazujący: ................................   "
            "Przyjmujący: ................................",
        ),
    )
