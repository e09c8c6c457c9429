"""SQLAlchemy models of Kancelaria (schema only; no Qt, no business rules)."""

from clerk_app.models.assignments import Assignment, CasePause, SavedView, StandIn
from clerk_app.models.attachments import Attachment, Blob
from clerk_app.models.audit import AuditEvent, AuditHead
from clerk_app.models.base import Base
from clerk_app.models.cases import Case
from clerk_app.models.correspondents import Correspondent
from clerk_app.models.enums import (
    CaseStatus,
    Channel,
    CorrespondentKind,
    DeliveryStatus,
    Direction,
    Role,
)
from clerk_app.models.history import RegisterEntryVersion
from clerk_app.models.inbox import InboxMessage, OutboxMessage
from clerk_app.models.jrwa import JrwaClass, JrwaPlan
from clerk_app.models.letter_templates import OfficeTemplate, OfficeTemplateVersion
from clerk_app.models.office import Office, OrgUnit
from clerk_app.models.parcels import ImportBatch, Parcel, ParcelOwner, PlanZone
from clerk_app.models.register import NumberSequence, RegisterEntry
from clerk_app.models.register_books import ClosedYear, RegisterBook
from clerk_app.models.users import User, UserRole

# Mapper events that keep RegisterEntry's sort keys current (registered on import).
from clerk_app.models import register_sort_upkeep  # noqa: F401  # isort: skip

__all__ = [
    "Assignment",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Blob",
    "Case",
    "CasePause",
    "CaseStatus",
    "Channel",
    "ClosedYear",
    "Correspondent",
    "CorrespondentKind",
    "DeliveryStatus",
    "Direction",
    "ImportBatch",
    "InboxMessage",
    "JrwaClass",
    "JrwaPlan",
    "NumberSequence",
    "Office",
    "OfficeTemplate",
    "OfficeTemplateVersion",
    "OrgUnit",
    "OutboxMessage",
    "Parcel",
    "ParcelOwner",
    "PlanZone",
    "RegisterBook",
    "RegisterEntry",
    "RegisterEntryVersion",
    "Role",
    "SavedView",
    "StandIn",
    "User",
    "UserRole",
]
