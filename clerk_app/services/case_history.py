"""The case history (metryka sprawy) derived from the append-only audit trail.

Regulation of the Prime Minister of 6 March 2012 (Dz.U. 2012 poz. 250): the
history names the case sign and title, then one row per action: number, date of
the action, the person (name, surname, position), what was done and the
identifier of the document concerned. Rows are read from the audit events of the
case and of the register entries linked to it, so the history cannot disagree
with what was actually recorded; views and refused calls are audit events too
but are not actions on the case, so they are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import AuditEvent, Case, RegisterEntry, Role, User
from clerk_app.models.types import utc_now
from clerk_app.services import permissions
from clerk_app.services.audit import ChainCheck, verify_chain
from clerk_app.services.database import Database
from clerk_app.services.users import CurrentUser

OFFICE_TIMEZONE = "Europe/Warsaw"
SYSTEM_PERSON = "system (czynność automatyczna)"
# Audit actions that are not actions on the case (they are audited, but not history).
HIDDEN_ACTIONS = frozenset({"view", "permission_denied"})
# Fallback descriptions when an event carries no summary.
ACTION_LABELS = {
    "open": "Założenie sprawy",
    "assign": "Dekretacja",
    "pause": "Wstrzymanie biegu terminu",
    "resume": "Wznowienie biegu terminu",
    "close": "Zakończenie sprawy",
    "reopen": "Ponowne otwarcie sprawy",
    "delay_notice": "Zawiadomienie o zwłoce (art. 36 KPA)",
    "link_entry": "Dołączenie pisma do sprawy",
    "register": "Rejestracja pisma",
    "correct": "Korekta wpisu w rejestrze",
}


def _office_zone() -> ZoneInfo | None:
    try:
        return ZoneInfo(OFFICE_TIMEZONE)
    except ZoneInfoNotFoundError:  # no tz database (e.g. Windows without tzdata)
        return None


def local_date(moment: datetime) -> date:
    """The office's calendar date of a UTC timestamp."""
    zone = _office_zone()
    return (moment.astimezone(zone) if zone else moment.astimezone()).date()


@dataclass(frozen=True)
class HistoryRow:
    """One action of the case history."""

    no: int
    event_id: int
    occurred_at: datetime  # UTC
    action_date: date  # the office's calendar date
    person_name: str  # name and surname
    position: str
    action: str  # audit action code, e.g. "open"
    what_done: str  # Polish description
    document_id: str  # register number or other document identifier, "" if none

    @property
    def person(self) -> str:
        return f"{self.person_name}, {self.position}" if self.position else self.person_name


@dataclass(frozen=True)
class CaseHistory:
    case_id: int
    sign: str
    title: str
    rows: tuple[HistoryRow, ...]
    generated_at: datetime


def _details(event: AuditEvent) -> dict[str, object]:
    try:
        value = json.loads(event.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def build_case_history(session: Session, case_id: int) -> CaseHistory:
    """Derive the history of one case inside the caller's session (no permission check)."""
    case = session.get(Case, case_id)
    if case is None:
        raise ValidationError(f"Nie ma sprawy o identyfikatorze {case_id}.")
    entries = {
        str(entry_id): number
        for entry_id, number in session.execute(
            select(RegisterEntry.id, RegisterEntry.number).where(
                or_(RegisterEntry.case_id == case.id, RegisterEntry.id == case.origin_entry_id)
            )
        )
    }
    conditions = [and_(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id))]
    if entries:
        conditions.append(
            and_(
                AuditEvent.object_type == "register_entry",
                AuditEvent.object_id.in_(list(entries)),
            )
        )
    events = session.scalars(
        select(AuditEvent)
        .where(or_(*conditions), AuditEvent.action.not_in(HIDDEN_ACTIONS))
        .order_by(AuditEvent.id)
    ).all()
    people = _people(session, {e.user_id for e in events if e.user_id is not None})
    rows = []
    for no, event in enumerate(events, start=1):
        details = _details(event)
        if event.object_type == "register_entry":
            document = entries.get(event.object_id, "")
        else:
            document = str(details.get("document") or "")
        person_name, position = people.get(event.user_id or 0, (event.user_login, ""))
        if event.user_id is None:
            person_name, position = SYSTEM_PERSON, ""
        rows.append(
            HistoryRow(
                no=no,
                event_id=event.id,
                occurred_at=event.occurred_at,
                action_date=local_date(event.occurred_at),
                person_name=person_name,
                position=position,
                action=event.action,
                what_done=event.summary or ACTION_LABELS.get(event.action, event.action),
                document_id=document,
            )
        )
    return CaseHistory(case.id, case.sign, case.title, tuple(rows), utc_now())


def _people(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {
        user_id: (name, position)
        for user_id, name, position in session.execute(
            select(User.id, User.full_name, User.position).where(User.id.in_(wanted))
        )
    }


def verify_audit(db: Database, user: CurrentUser) -> ChainCheck:
    """Check the whole audit chain (``clerk-app audit verify``); managers and admins only."""
    permissions.require(
        db, user, {Role.MANAGER, Role.ADMIN}, "weryfikacja dziennika zdarzeń", "audit", ""
    )
    with db.session() as session:
        return verify_chain(session)
