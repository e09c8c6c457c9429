"""Append-only, hash-chained audit trail; the case history (metryka) is read from it.

Each event's hash covers the previous hash and the event's own fields, so any
later change, insertion or removal breaks the chain at that point. Appends lock
the single ``audit_head`` row (SQLite: the write transaction), which keeps the
chain linear when many clerks work at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.models import AuditEvent, AuditHead
from clerk_app.models.types import utc_now
from clerk_app.services.upsert import insert_ignore
from clerk_app.services.users import CurrentUser

GENESIS = "0" * 64
SYSTEM_LOGIN = "system"


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""


def _canonical(details: Mapping[str, Any] | None) -> str:
    return json.dumps(
        details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def event_hash(
    prev_hash: str,
    occurred_at: datetime,
    user_login: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    details: str,
) -> str:
    fields = [
        prev_hash,
        occurred_at.isoformat(),
        user_login,
        action,
        object_type,
        object_id,
        summary,
        details,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def _locked_head(session: Session) -> AuditHead:
    stmt = select(AuditHead).where(AuditHead.id == 1).with_for_update()
    head = session.scalar(stmt)
    if head is None:
        values = {"id": 1, "last_event_id": 0, "last_hash": GENESIS}
        session.execute(insert_ignore(session, AuditHead, values))
        head = session.scalar(stmt.execution_options(populate_existing=True))
        assert head is not None
    return head


def record(
    session: Session,
    actor: CurrentUser | None,
    action: str,
    object_type: str,
    object_id: str | int,
    summary: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits or rolls back with it)."""
    head = _locked_head(session)
    occurred_at = utc_now()
    login = actor.login if actor else SYSTEM_LOGIN
    details_json = _canonical(details)
    digest = event_hash(
        head.last_hash,
        occurred_at,
        login,
        action,
        object_type,
        str(object_id),
        summary,
        details_json,
    )
    event = AuditEvent(
        occurred_at=occurred_at,
        user_id=actor.id if actor else None,
        user_login=login,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary,
        details=details_json,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(event)
    session.flush()
    head.last_hash = digest
    head.last_event_id = event.id
    return event


def verify_chain(session: Session, batch: int = 5000) -> ChainCheck:
    """Walk the whole chain in id order; report the first event that does not fit."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            break
        for event in events:
            if event.prev_hash != prev:
                return ChainCheck(
                    False,
                    checked,
                    event.id,
                    "zdarzenie nie wskazuje poprzedniego (usunięto lub wstawiono wpis)",
                )
            expected = event_hash(
                prev,
                event.occurred_at,
                event.user_login,
                event.action,
                event.object_type,
                event.object_id,
                event.summary,
                event.details,
            )
            if expected != event.hash:
                return ChainCheck(False, checked, event.id, "treść zdarzenia została zmieniona")
            prev = event.hash
            checked += 1
            last_id = event.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != prev:
        return ChainCheck(False, checked, None, "usunięto zdarzenia z końca dziennika")
    return ChainCheck(True, checked)


def events_for(session: Session, object_type: str, object_id: str | int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.id)
        )
    )
