"""Closed vocabularies of the register. Values are stored in the database."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    REGISTRY_CLERK = "registry_clerk"  # kancelaria: registers and assigns
    CASE_CLERK = "case_clerk"  # referent: handles the unit's cases
    PLANNER = "planner"  # parcel look-ups, planning certificates
    MANAGER = "manager"  # reads everything, prints reports
    ADMIN = "admin"  # users, units, JRWA, settings


class CorrespondentKind(enum.StrEnum):
    PERSON = "person"
    INSTITUTION = "institution"


class Direction(enum.StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Channel(enum.StrEnum):
    PAPER = "paper"
    EPUAP = "epuap"
    EDORECZENIA = "edoreczenia"
    EMAIL = "email"
    IN_PERSON = "in_person"
    REGISTERED_ZPO = "registered_zpo"  # outgoing: registered letter with return receipt


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"
    AWAITING_PARTY = "awaiting_party"
    CLOSED = "closed"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    DEEMED_DELIVERED = "deemed_delivered"
    FAILED = "failed"
