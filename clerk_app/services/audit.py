"""Append-only, hash-chained audit trail; the case history (metryka) is read from it.

Each event's hash covers the previous hash and the event's own fields, so any
later change, insertion or removal breaks the chain at that point. Appends lock
the single ``audit_head`` row (SQLite: the write transaction), which keeps the
chain linear when many clerks work at once.

The head is read (and locked) once per transaction and written once, at commit. Inside
:func:`batch` the events of one unit of work are chained in memory and written with one
INSERT when the batch ends: the chain is the same as with one-by-one appends. Events and
the head are written with Core statements: the ORM adds nothing to append-only rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy import event as sa_event
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


_EVENTS = cast(Table, AuditEvent.__table__)
_HEADS = cast(Table, AuditHead.__table__)
# The chain is walked in id order, so each event's id must follow the previous one's.
# PostgreSQL: SQLAlchemy batches the rows as INSERT .. SELECT .. ORDER BY and returns the ids
# in the rows' order. SQLite cannot promise the RETURNING order (SQLAlchemy would send one
# INSERT per row): one multi-row INSERT whose rows get rowids in VALUES order (max + 1 each,
# the write lock held), whose ids are then sorted.
_INSERT_EVENTS = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)
_INSERT_EVENTS_SQLITE = insert(_EVENTS).returning(_EVENTS.c.id)
_READ_HEAD = (
    select(_HEADS.c.last_event_id, _HEADS.c.last_hash).where(_HEADS.c.id == 1).with_for_update()
)


_WRITE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.id == 1)
    .values(last_event_id=bindparam("event_id"), last_hash=bindparam("hash"))
)


def _locked_head(session: Session) -> tuple[int, str]:
    # A Core read: a session kept across commits never chains onto a stale cached tip.
    connection = session.connection()
    row = connection.execute(_READ_HEAD).first()
    if row is None:
        values = {"id": 1, "last_event_id": 0, "last_hash": GENESIS}
        connection.execute(insert_ignore(session, AuditHead, values))
        row = connection.execute(_READ_HEAD).one()
    return int(row.last_event_id), str(row.last_hash)


@dataclass
class _Chain:
    """The chain's tip as this transaction sees it (the head row stays locked until commit)."""

    transaction: SessionTransaction
    last_event_id: int
    last_hash: str  # of the last event recorded, written or pending
    written_hash: str  # of the last event written, i.e. what the head may point at
    head_dirty: bool = False
    # Recorded in a batch, not written yet: the returned object and its row.
    pending: list[tuple[AuditEvent, dict[str, Any]]] = field(default_factory=list)


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
        last_id, last_hash = _locked_head(session)
        current = session.get_transaction()
        assert current is not None
        state = _Chain(current, last_id, last_hash, last_hash)
        session.info[_CHAIN] = state
    return state


def _write_pending(session: Session, state: _Chain) -> None:
    """All pending events in one INSERT (ids back in order); the head is written at commit."""
    if not state.pending:
        return
    events = [event for event, _ in state.pending]
    rows = [row for _, row in state.pending]
    state.pending = []
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        ids = sorted(connection.execute(_INSERT_EVENTS_SQLITE, rows).scalars())
    else:
        ids = list(connection.execute(_INSERT_EVENTS, rows).scalars())
    for event, event_id in zip(events, ids, strict=True):
        event.id = event_id
    state.last_event_id = events[-1].id
    state.written_hash = events[-1].hash
    state.head_dirty = True


@sa_event.listens_for(Session, "before_commit")
def _write_head(session: Session) -> None:
    """One head UPDATE per transaction, whatever number of events it appended."""
    state = _current_chain(session)
    if state is None:
        return
    # Events of a batch left by an exception the caller caught: they commit with the rest.
    _write_pending(session, state)
    if state.head_dirty:
        session.connection().execute(
            _WRITE_HEAD, {"event_id": state.last_event_id, "hash": state.written_hash}
        )
        state.head_dirty = False


@contextmanager
def batch(session: Session) -> Iterator[None]:
    """Append the events recorded inside the block with one INSERT and one head write.

    The head is locked at the first event, as without a batch. Events recorded inside get
    their ids when the block ends; the head row is written at commit. Must not span a
    savepoint that is rolled back (the application uses none).
    """
    session.info[_BATCH_DEPTH] = session.info.get(_BATCH_DEPTH, 0) + 1
    try:
        yield
    finally:
        session.info[_BATCH_DEPTH] -= 1
    # (On an exception the pending events wait for the commit, if the caller still commits.)
    state = _current_chain(session)
    if state is not None and not session.info[_BATCH_DEPTH]:
        _write_pending(session, state)


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

    Outside :func:`batch` the event is written at once (its id is set on return), after a
    flush of whatever the session has pending. The returned event is not in the session.
    """
    state = _chain(session)
    occurred_at = utc_now()
    login = actor.login if actor else SYSTEM_LOGIN
    details_json = _canonical(details)
    object_key = str(object_id)
    digest = event_hash(
        state.last_hash,
        occurred_at,
        login,
        action,
        object_type,
        object_key,
        summary,
        details_json,
    )
    row = {
        "occurred_at": occurred_at,
        "user_id": actor.id if actor else None,
        "user_login": login,
        "action": action,
        "object_type": object_type,
        "object_id": object_key,
        "summary": summary,
        "details": details_json,
        "prev_hash": state.last_hash,
        "hash": digest,
    }
    event = AuditEvent(**row)
    state.last_hash = digest
    state.pending.append((event, row))
    if not session.info.get(_BATCH_DEPTH):
        session.flush()  # as before: what the caller has pending is written first
        _write_pending(session, state)
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
