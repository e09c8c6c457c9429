"""Report 6: the register of complaints and proposals (art. 254 KPA).

Complaints, proposals and petitions are the cases in the JRWA classes 0150–0152
(or the classes given as a comma-separated list). Columns follow the usual
register: no., date received, complainant, address, subject, date passed on,
to whom, deadline, date returned (settled), outcome, date notified, whom, notes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from clerk_app.models import (
    Assignment,
    Case,
    Correspondent,
    Direction,
    JrwaClass,
    RegisterEntry,
    User,
)
from clerk_app.models.types import utc_now
from clerk_app.services.case_history import local_date
from clerk_app.services.correspondents import address_line
from clerk_app.services.kpa_deadlines import DeadlineState
from clerk_app.services.reports.base import (
    Column,
    ColumnKind,
    EmptyReportError,
    Progress,
    ReportData,
    ReportParams,
    Section,
    period_label,
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
)

NAME = "complaints"
TITLE = "Rejestr skarg i wniosków (art. 254 KPA)"
DEFAULT_CLASSES = ("0150", "0151", "0152")


def complaint_classes(value: str | None) -> tuple[str, ...]:
    symbols = tuple(s.strip() for s in (value or "").split(",") if s.strip())
    return symbols or DEFAULT_CLASSES


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    date_from, date_to = require_period(params)
    today = as_of(params)
    unit = find_unit(session, params.unit)
    classes = complaint_classes(params.jrwa)
    origin = aliased(RegisterEntry)
    received = func.coalesce(origin.received_on, Case.opened_on)
    stmt = (
        select(Case, origin, Correspondent, JrwaClass.title, received)
        .join(JrwaClass, JrwaClass.id == Case.jrwa_class_id)
        .outerjoin(origin, origin.id == Case.origin_entry_id)
        .outerjoin(Correspondent, Correspondent.id == origin.correspondent_id)
        .where(JrwaClass.symbol.in_(classes), received >= date_from, received <= date_to)
        .order_by(received, Case.sign)
    )
    if unit is not None:
        stmt = stmt.where(Case.unit_id == unit.id)
    found = session.execute(stmt).all()
    period = period_label(date_from, date_to)
    if not found:
        raise EmptyReportError(
            f"Rejestr skarg i wniosków: w okresie {period} nie wpłynęła żadna skarga ani "
            f"wniosek (klasy JRWA {', '.join(classes)})."
        )
    progress.total = len(found)
    case_ids = [row[0].id for row in found]
    pauses = pauses_of(session, case_ids)
    people = {user_id: name for user_id, name in session.execute(select(User.id, User.full_name))}
    units = unit_names(session)
    rows = []
    for no, (case, entry, sender, class_title, received_on) in enumerate(found, start=1):
        progress.tick(no)
        assigned_on, assigned_to = _first_assignment(session, case, entry, people, units)
        if not assigned_to and case.handler_id is not None:
            assigned_to = people.get(case.handler_id, "")
        clock = CaseClock.of(case, entry.received_on if entry is not None else None)
        status = evaluate_case(clock, pauses.get(case.id, []), today, params.at_risk_days)
        notified_on, notified = _notification(session, case.id)
        notes = [class_title]
        if status is not None and (status.overdue or status.state is DeadlineState.SETTLED_LATE):
            notes.append("po terminie")
        rows.append(
            (
                no,
                received_on,
                sender.display_name if sender is not None else "",
                address_line(sender) if sender is not None else "",
                case.title,
                assigned_on,
                assigned_to,
                status.due_on if status is not None else case.due_on,
                case.closed_on,
                case.outcome,
                notified_on,
                notified,
                "; ".join(n for n in notes if n) + f" ({case.sign})",
            )
        )
    parameters = [f"Klasy JRWA: {', '.join(classes)}"]
    if unit is not None:
        parameters += unit_parameters(unit)
    return ReportData(
        name=NAME,
        title=TITLE,
        period=period,
        columns=(
            Column("Lp.", ColumnKind.INT, 0.4),
            Column("Data wpływu", ColumnKind.DATE, 0.8),
            Column("Skarżący / wnioskodawca", ColumnKind.TEXT, 1.4),
            Column("Adres", ColumnKind.TEXT, 1.5),
            Column("Przedmiot", ColumnKind.TEXT, 2.0),
            Column("Data przekazania", ColumnKind.DATE, 0.8),
            Column("Komu przekazano", ColumnKind.TEXT, 1.2),
            Column("Termin załatwienia", ColumnKind.DATE, 0.8),
            Column("Data zwrotu (załatwienia)", ColumnKind.DATE, 0.8),
            Column("Sposób załatwienia", ColumnKind.TEXT, 1.3),
            Column("Data zawiadomienia", ColumnKind.DATE, 0.8),
            Column("Kogo zawiadomiono", ColumnKind.TEXT, 1.2),
            Column("Uwagi", ColumnKind.TEXT, 1.3),
        ),
        sections=(Section("", tuple(rows)),),
        generated_at=utc_now(),
        parameters=tuple(parameters),
        notes=(f"Liczba skarg i wniosków: {len(rows)}.",),
    )


def _first_assignment(
    session: Session,
    case: Case,
    entry: RegisterEntry | None,
    people: dict[int, str],
    units: dict[int, tuple[str, str]],
) -> tuple[date | None, str]:
    conditions = [Assignment.case_id == case.id]
    if entry is not None:
        conditions.append(Assignment.entry_id == entry.id)
    first = session.scalars(
        select(Assignment).where(or_(*conditions)).order_by(Assignment.assigned_at, Assignment.id)
    ).first()
    if first is None:
        return None, ""
    if first.to_user_id is not None:
        whom = people.get(first.to_user_id, "")
    elif first.to_unit_id is not None:
        whom = units.get(first.to_unit_id, ("", ""))[0]
    else:
        whom = ""
    return local_date(first.assigned_at), whom


def _notification(session: Session, case_id: int) -> tuple[date | None, str]:
    """The last letter sent in the case: when the complainant was notified, and whom."""
    row = session.execute(
        select(RegisterEntry.sent_on, Correspondent.display_name)
        .outerjoin(Correspondent, Correspondent.id == RegisterEntry.correspondent_id)
        .where(
            RegisterEntry.case_id == case_id,
            RegisterEntry.direction == Direction.OUTGOING,
            RegisterEntry.sent_on.is_not(None),
        )
        .order_by(RegisterEntry.sent_on.desc(), RegisterEntry.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, ""
    return row[0], row[1] or ""
