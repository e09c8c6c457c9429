"""Report 3: overdue and at-risk cases against their KPA deadlines (Monday list).

One row per open case that is past its deadline or has at most ``at_risk_days``
days left while its clock runs, most overdue first: sign, title, handler, start
of the period, deadline type, paused days, the deadline, days left or overdue
and whether the art. 36 delay notice went out.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from clerk_app.models import Case, CaseStatus, RegisterEntry, User
from clerk_app.models.types import utc_now
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
from clerk_app.services.reports.common import (
    CaseClock,
    as_of,
    evaluate_case,
    find_unit,
    kind_label,
    pauses_of,
    unit_parameters,
    unit_phrase,
)

NAME = "overdue"
TITLE = "Sprawy po terminie i zagrożone przekroczeniem terminu (KPA)"
NOTICE_MISSING = "BRAK – należy zawiadomić"


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    today = as_of(params)
    unit = find_unit(session, params.unit)
    origin = aliased(RegisterEntry)
    handler = aliased(User)
    stmt = (
        select(
            Case.sign,
            Case.title,
            handler.full_name,
            *CaseClock.columns(origin),
        )
        .outerjoin(origin, origin.id == Case.origin_entry_id)
        .outerjoin(handler, handler.id == Case.handler_id)
        .where(
            Case.status != CaseStatus.CLOSED,
            Case.deadline_kind != "",
            # due_on of a paused case is a lower bound, so this never misses one.
            or_(
                Case.due_on.is_(None),
                Case.due_on <= today + timedelta(days=params.at_risk_days),
            ),
        )
    )
    if unit is not None:
        stmt = stmt.where(Case.unit_id == unit.id)
    found = session.execute(stmt).all()
    progress.total = max(len(found), 1)
    pauses = pauses_of(session, [r[3] for r in found])
    rows = []
    overdue = at_risk = notice_missing = 0
    for done, row in enumerate(found, start=1):
        progress.tick(done)
        sign, title, handler_name, *clock_fields = row
        clock = CaseClock(*clock_fields).still_open()
        status = evaluate_case(clock, pauses.get(clock.case_id, []), today, params.at_risk_days)
        if status is None or not (status.overdue or status.at_risk):
            continue
        overdue += status.overdue
        at_risk += status.at_risk
        notice_missing += status.delay_notice_due
        if clock.delay_notice_on is not None:
            notice = f"tak, {pl_date(clock.delay_notice_on)}"
        else:
            notice = NOTICE_MISSING if status.delay_notice_due else "nie"
        rows.append(
            (
                sign,
                title,
                handler_name or "",
                status.started_on,
                kind_label(clock.deadline_kind),
                status.paused_days,
                status.due_on,
                status.days_left if not status.overdue else None,
                status.days_overdue if status.overdue else None,
                notice,
            )
        )
    where = unit_phrase(unit)
    if not rows:
        raise EmptyReportError(
            f"Sprawy po terminie i zagrożone: na dzień {pl_date(today)}{where} nie ma spraw "
            f"po terminie ani takich, którym zostało {params.at_risk_days} dni lub mniej."
        )
    # Most overdue first, then the fewest days left; ties by sign.
    rows.sort(key=lambda r: (r[6], str(r[0])))
    return ReportData(
        name=NAME,
        title=TITLE,
        period=f"stan na {pl_date(today)}",
        columns=(
            Column("Znak sprawy", ColumnKind.TEXT, 1.6),
            Column("Tytuł sprawy", ColumnKind.TEXT, 3),
            Column("Prowadzący", ColumnKind.TEXT, 1.5),
            Column("Początek biegu terminu", ColumnKind.DATE, 1.1),
            Column("Rodzaj terminu", ColumnKind.TEXT, 1.8),
            Column("Dni wstrzymania", ColumnKind.INT, 0.8),
            Column("Termin", ColumnKind.DATE, 1.0),
            Column("Pozostało dni", ColumnKind.INT, 0.8),
            Column("Dni po terminie", ColumnKind.INT, 0.8),
            Column("Zawiadomienie (art. 36 KPA)", ColumnKind.TEXT, 1.3),
        ),
        sections=(Section("", tuple(rows)),),
        generated_at=utc_now(),
        parameters=(
            *unit_parameters(unit),
            f"Zagrożone: zostało {params.at_risk_days} dni lub mniej do terminu",
        ),
        notes=(
            f"Po terminie: {overdue}; zagrożone: {at_risk}; "
            f"bez wymaganego zawiadomienia o zwłoce (art. 36 KPA): {notice_missing}.",
        ),
    )
