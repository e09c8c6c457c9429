"""Display texts of the register's closed vocabularies (translated at display time)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from clerk_app.models import CaseStatus, Channel, Direction
from clerk_app.services.register_query import DeadlineFilter, EntryState

CHANNELS = {
    Channel.PAPER: QT_TRANSLATE_NOOP("Labels", "paper"),
    Channel.EPUAP: QT_TRANSLATE_NOOP("Labels", "ePUAP"),
    Channel.EDORECZENIA: QT_TRANSLATE_NOOP("Labels", "e-Doręczenia"),
    Channel.EMAIL: QT_TRANSLATE_NOOP("Labels", "e-mail"),
    Channel.IN_PERSON: QT_TRANSLATE_NOOP("Labels", "in person"),
    Channel.REGISTERED_ZPO: QT_TRANSLATE_NOOP("Labels", "registered letter (ZPO)"),
}
INCOMING_CHANNELS = [
    Channel.PAPER,
    Channel.EPUAP,
    Channel.EDORECZENIA,
    Channel.EMAIL,
    Channel.IN_PERSON,
]
DIRECTIONS = {
    Direction.INCOMING: QT_TRANSLATE_NOOP("Labels", "Incoming"),
    Direction.OUTGOING: QT_TRANSLATE_NOOP("Labels", "Outgoing"),
}
ENTRY_STATES = {
    EntryState.UNASSIGNED: QT_TRANSLATE_NOOP("Labels", "not assigned"),
    EntryState.ASSIGNED: QT_TRANSLATE_NOOP("Labels", "assigned"),
    EntryState.IN_CASE: QT_TRANSLATE_NOOP("Labels", "in a case"),
}
CASE_STATUSES = {
    CaseStatus.OPEN: QT_TRANSLATE_NOOP("Labels", "open"),
    CaseStatus.SUSPENDED: QT_TRANSLATE_NOOP("Labels", "suspended"),
    CaseStatus.AWAITING_PARTY: QT_TRANSLATE_NOOP("Labels", "awaiting the party"),
    CaseStatus.CLOSED: QT_TRANSLATE_NOOP("Labels", "closed"),
}
DEADLINES = {
    DeadlineFilter.OVERDUE: QT_TRANSLATE_NOOP("Labels", "overdue"),
    DeadlineFilter.AT_RISK: QT_TRANSLATE_NOOP("Labels", "at risk (7 days)"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def no_data() -> str:
    """What the register shows for a field the clerk marked unknown (columns 3–6)."""
    return QCoreApplication.translate("Labels", "no data")


def pl_date(value: date | None) -> str | None:
    """Polish date format, dd.mm.yyyy."""
    if value is None:
        return None
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"  # strftime is 5x slower
