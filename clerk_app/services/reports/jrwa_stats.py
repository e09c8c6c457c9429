"""Report 5: JRWA statistics – cases per file-plan class, archival category and unit,
year on year (the chosen year against the one before, by the year in the case sign)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerk_app.models import Case, JrwaClass, JrwaPlan, OrgUnit
from clerk_app.models.types import utc_now
from clerk_app.services.reports.base import (
    TOTAL_LABEL,
    ChartSeries,
    Column,
    ColumnKind,
    EmptyReportError,
    Progress,
    ReportData,
    ReportParams,
    Section,
)
from clerk_app.services.reports.common import (
    as_of,
    find_unit,
    require_year,
    unit_parameters,
    unit_phrase,
)

NAME = "jrwa-stats"
TITLE = "Statystyka spraw według Jednolitego Rzeczowego Wykazu Akt"
CHART_CLASSES = 12


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    year = require_year(params, as_of(params))
    previous = year - 1
    unit = find_unit(session, params.unit)
    stmt = (
        select(JrwaClass.symbol, OrgUnit.symbol, Case.year, func.count(Case.id))
        .join(JrwaClass, JrwaClass.id == Case.jrwa_class_id)
        .join(OrgUnit, OrgUnit.id == Case.unit_id)
        .where(Case.year.in_([previous, year]))
        .group_by(JrwaClass.symbol, OrgUnit.symbol, Case.year)
    )
    if unit is not None:
        stmt = stmt.where(Case.unit_id == unit.id)
    counts: dict[tuple[str, str], list[int]] = {}
    for class_symbol, unit_symbol, case_year, count in session.execute(stmt):
        counts.setdefault((class_symbol, unit_symbol), [0, 0])[case_year == year] += count
    progress.check()
    if not counts:
        where = unit_phrase(unit)
        raise EmptyReportError(
            f"Statystyka JRWA: w latach {previous}–{year}{where} nie założono żadnej sprawy."
        )
    classes = _class_info(session, year)
    rows = []
    for (class_symbol, unit_symbol), (before, now) in sorted(counts.items()):
        title, lead, other = classes.get(class_symbol, ("", "", ""))
        rows.append((class_symbol, title, lead, other, unit_symbol, before, now, now - before))
    total_before = sum(c[0] for c in counts.values())
    total_now = sum(c[1] for c in counts.values())
    per_class: dict[str, list[int]] = {}
    for (class_symbol, _), (before, now) in counts.items():
        tally = per_class.setdefault(class_symbol, [0, 0])
        tally[0] += before
        tally[1] += now
    top = sorted(per_class.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:CHART_CLASSES]
    top.sort()
    per_category: dict[str, int] = {}
    for (class_symbol, _), (_, now) in counts.items():
        category = classes.get(class_symbol, ("", "", ""))[1] or "bez kategorii"
        per_category[category] = per_category.get(category, 0) + now
    return ReportData(
        name=NAME,
        title=TITLE,
        period=f"rok {year} w porównaniu z rokiem {previous}",
        columns=(
            Column("Symbol JRWA", ColumnKind.TEXT, 0.9),
            Column("Hasło klasyfikacyjne", ColumnKind.TEXT, 3.5),
            Column("Kat. arch. (komórka merytoryczna)", ColumnKind.TEXT, 1.2),
            Column("Kat. arch. (inne komórki)", ColumnKind.TEXT, 1.0),
            Column("Komórka", ColumnKind.TEXT, 0.9),
            Column(f"Sprawy {previous}", ColumnKind.INT, 0.9),
            Column(f"Sprawy {year}", ColumnKind.INT, 0.9),
            Column("Zmiana", ColumnKind.INT, 0.8),
        ),
        sections=(
            Section(
                "",
                tuple(rows),
                (TOTAL_LABEL, "", "", "", "", total_before, total_now, total_now - total_before),
            ),
        ),
        generated_at=utc_now(),
        parameters=unit_parameters(unit),
        chart=ChartSeries(
            title=f"Liczba spraw według symbolu JRWA ({previous} i {year})",
            categories=tuple(symbol for symbol, _ in top),
            series=(
                (str(previous), tuple(float(c[0]) for _, c in top)),
                (str(year), tuple(float(c[1]) for _, c in top)),
            ),
        ),
        notes=(
            f"Sprawy {year} według kategorii archiwalnej: "
            + "; ".join(f"{cat}: {n}" for cat, n in sorted(per_category.items()))
            + ".",
        ),
    )


def _class_info(session: Session, year: int) -> dict[str, tuple[str, str, str]]:
    """Title and categories per symbol from the newest plan in force in ``year``
    (other plans fill in classes that plan does not have)."""
    found = list(
        session.execute(
            select(
                JrwaPlan.valid_from_year,
                JrwaClass.symbol,
                JrwaClass.title,
                JrwaClass.category_lead,
                JrwaClass.category_other,
            ).join(JrwaPlan, JrwaPlan.id == JrwaClass.plan_id)
        )
    )
    # Later plans first, then the plans in force oldest to newest: the last one wins.
    found.sort(key=lambda r: (r[0] <= year, r[0] if r[0] <= year else -r[0]))
    return {symbol: (title, lead, other) for _, symbol, title, lead, other in found}
