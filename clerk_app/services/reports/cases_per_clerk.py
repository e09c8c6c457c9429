"""Report 2: cases per clerk – opened and closed in the period, time to close, overdue.

- opened: cases the clerk handles that were opened in the period;
- closed: cases settled in the period, with the average number of calendar days
  from opening to settlement and how many of them were settled after the deadline;
- in progress and overdue: the clerk's open cases as of the report date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from clerk_app.models import Case, CaseStatus, RegisterEntry, User
from clerk_app.models.types import utc_now
from clerk_app.services.kpa_deadlines import DeadlineState
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
    period_label,
    pl_date,
    surname_key,
)
from clerk_app.services.reports.common import (
    CaseClock,
    as_of,
    evaluate_case,
    find_unit,
    pauses_of,
    require_period,
    unit_names,
    unit_parameters,
    unit_phrase,
)

NAME = "clerks"
TITLE = "Sprawy według prowadzących"
NO_HANDLER = "(bez prowadzącego)"


@dataclass
class _Tally:
    opened: int = 0
    closed: int = 0
    close_days: list[int] = field(default_factory=list)
    closed_late: int = 0
    open_now: int = 0
    overdue_now: int = 0


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    date_from, date_to = require_period(params)
    today = as_of(params)
    unit = find_unit(session, params.unit)
    origin = aliased(RegisterEntry)
    stmt = (
        select(Case.handler_id, Case.status, *CaseClock.columns(origin))
        .outerjoin(origin, origin.id == Case.origin_entry_id)
        .where(
            or_(
                and_(Case.opened_on >= date_from, Case.opened_on <= date_to),
                and_(Case.closed_on >= date_from, Case.closed_on <= date_to),
                Case.status != CaseStatus.CLOSED,
            )
        )
    )
    if unit is not None:
        stmt = stmt.where(Case.unit_id == unit.id)
    rows = session.execute(stmt).all()
    progress.total = max(len(rows), 1)
    pauses = pauses_of(session, [r[2] for r in rows])
    tallies: dict[int | None, _Tally] = {}
    for done, (handler_id, status, case_id, *clock_fields) in enumerate(rows, start=1):
        progress.tick(done)
        clock = CaseClock(case_id, *clock_fields)
        tally = tallies.setdefault(handler_id, _Tally())
        if date_from <= clock.opened_on <= date_to:
            tally.opened += 1
        closed = status is CaseStatus.CLOSED and clock.closed_on is not None
        if closed and clock.closed_on is not None and date_from <= clock.closed_on <= date_to:
            tally.closed += 1
            tally.close_days.append((clock.closed_on - clock.opened_on).days)
            state = evaluate_case(clock, pauses.get(case_id, []), today, params.at_risk_days)
            if state is not None and state.state is DeadlineState.SETTLED_LATE:
                tally.closed_late += 1
        if not closed and clock.opened_on <= today:
            tally.open_now += 1
            state = evaluate_case(
                clock.still_open(), pauses.get(case_id, []), today, params.at_risk_days
            )
            if state is not None and state.overdue:
                tally.overdue_now += 1
    tallies = {k: t for k, t in tallies.items() if t.opened or t.closed or t.open_now}
    period = period_label(date_from, date_to)
    if not tallies:
        where = unit_phrase(unit)
        raise EmptyReportError(
            f"Sprawy według prowadzących: w okresie {period}{where} nie założono ani nie "
            "zakończono żadnej sprawy i nie ma spraw w toku."
        )
    people = _people(session, [k for k in tallies if k is not None])
    units = unit_names(session)
    ordered = sorted(
        tallies.items(),
        key=lambda item: (
            item[0] is None,
            surname_key(people[item[0]][0]) if item[0] is not None else (),
        ),
    )
    table = []
    for handler_id, t in ordered:
        name, unit_id = people[handler_id] if handler_id is not None else (NO_HANDLER, None)
        unit_symbol = units[unit_id][0] if unit_id is not None and unit_id in units else ""
        table.append(
            (
                name,
                unit_symbol,
                t.opened,
                t.closed,
                _average(t.close_days),
                t.closed_late,
                t.open_now,
                t.overdue_now,
            )
        )
    all_days = [d for t in tallies.values() for d in t.close_days]
    totals = (
        TOTAL_LABEL,
        "",
        sum(t.opened for t in tallies.values()),
        sum(t.closed for t in tallies.values()),
        _average(all_days),
        sum(t.closed_late for t in tallies.values()),
        sum(t.open_now for t in tallies.values()),
        sum(t.overdue_now for t in tallies.values()),
    )
    chart = ChartSeries(
        title="Sprawy założone i zakończone w okresie według prowadzących",
        categories=tuple(str(r[0]) for r in table),
        series=(
            ("założone", tuple(float(t.opened) for _, t in ordered)),
            ("zakończone", tuple(float(t.closed) for _, t in ordered)),
        ),
    )
    return ReportData(
        name=NAME,
        title=TITLE,
        period=period,
        columns=(
            Column("Prowadzący", ColumnKind.TEXT, 3),
            Column("Komórka", ColumnKind.TEXT, 1),
            Column("Założone w okresie", ColumnKind.INT, 1.2),
            Column("Zakończone w okresie", ColumnKind.INT, 1.2),
            Column("Średni czas załatwienia (dni)", ColumnKind.DECIMAL, 1.4),
            Column("Zakończone po terminie", ColumnKind.INT, 1.2),
            Column(f"W toku na {pl_date(today)}", ColumnKind.INT, 1.2),
            Column(f"Po terminie na {pl_date(today)}", ColumnKind.INT, 1.2),
        ),
        sections=(Section("", tuple(table), totals),),
        generated_at=utc_now(),
        parameters=unit_parameters(unit),
        chart=chart,
    )


def _average(days: list[int]) -> float | None:
    return round(sum(days) / len(days), 1) if days else None


def _people(session: Session, ids: list[int]) -> dict[int | None, tuple[str, int | None]]:
    found: dict[int | None, tuple[str, int | None]] = {}
    for i in range(0, len(ids), 500):
        for user_id, name, unit_id in session.execute(
            select(User.id, User.full_name, User.unit_id).where(User.id.in_(ids[i : i + 500]))
        ):
            found[user_id] = (name, unit_id)
    return found
