"""Append-only, hash-chained audit trail; the case history (metryka) is read from it.

Each event's hash covers the previous hash and the event's own fields, so any
later change, insertion or removal breaks the chain at that point. Appends lock
the single ``audit_head`` row (SQLite: the write transaction), which keeps the
chain linear when many clerks work at once.

The head is read (and locked) once per transaction. Inside :func:`batch` the events of
one unit of work are chained in memory and written with one flush, and the head row is
written once when the batch ends: the chain is the same as with one-by-one appends.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, SessionTransaction

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
    # populate_existing: a session kept across commits must not chain onto a stale tip.
    stmt = (
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalar(stmt)
    if head is None:
        values = {"id": 1, "last_event_id": 0, "last_hash": GENESIS}
        session.execute(insert_ignore(session, AuditHead, values))
        head = session.scalar(stmt)
        assert head is not None
    return head


@dataclass
class _Chain:
    """The chain's tip as this transaction sees it (the head row stays locked until commit)."""

    transaction: SessionTransaction
    head: AuditHead
    last_hash: str
    pending: list[AuditEvent] = field(default_factory=list)  # recorded in a batch, not flushed


_CHAIN = "audit_chain"
_BATCH_DEPTH = "audit_batch_depth"


def _current_chain(session: Session) -> _Chain | None:
    state: _Chain | None = session.info.get(_CHAIN)
    current = session.get_transaction()
    if state is None or current is None or state.transaction is not current:
        return None
    return state


def _chain(session: Session) -> _Chain:
    state = _current_chain(session)
    # A new transaction (after a commit or a rollback) must lock and read the head again.
    if state is None:
        head = _locked_head(session)
        current = session.get_transaction()
        assert current is not None
        state = _Chain(current, head, head.last_hash)
        session.info[_CHAIN] = state
    return state


@contextmanager
def batch(session: Session) -> Iterator[None]:
    """Append the events recorded inside the block with one flush and one head write.

    The head is locked at the first event, as without a batch. Events recorded inside get
    their ids when the block ends. Must not span a savepoint that is rolled back (the
    application uses none).
    """
    session.info[_BATCH_DEPTH] = session.info.get(_BATCH_DEPTH, 0) + 1
    try:
        yield
    except BaseException:
        session.info[_BATCH_DEPTH] -= 1
        state = _current_chain(session)
        if state is not None:
            # Keep the head at the tip even so: whatever the caller still commits verifies.
            state.head.last_hash = state.last_hash
        raise
    session.info[_BATCH_DEPTH] -= 1
    state = _current_chain(session)
    if state is None or session.info[_BATCH_DEPTH]:
        return
    if state.pending:
        session.flush()  # the events get their ids; the head is not dirty yet
        state.head.last_event_id = state.pending[-1].id
        state.pending.clear()
    state.head.last_hash = state.last_hash  # one UPDATE, at the commit's flush


def record(
    session: Session,
    actor: CurrentUser | None,
    action: str,
    object_type: str,
    object_id: str | int,
    summary: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits or rolls back with it).

    Outside :func:`batch` the event is flushed at once (its id is set on return).
    """
    state = _chain(session)
    occurred_at = utc_now()
    login = actor.login if actor else SYSTEM_LOGIN
    details_json = _canonical(details)
    digest = event_hash(
        state.last_hash,
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
        prev_hash=state.last_hash,
        hash=digest,
    )
    session.add(event)
    state.last_hash = digest
    if session.info.get(_BATCH_DEPTH):
        state.pending.append(event)
        return event
    session.flush()
    state.head.last_hash = digest
    state.head.last_event_id = event.id
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
