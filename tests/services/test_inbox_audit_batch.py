"""The inbox writes a message's audit events as one batch: one head read, one head write, and
the chain still verifies link by link (also across batched and one-by-one transactions)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.models import AuditEvent, AuditHead
from clerk_app.services import audit
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.memory import MemoryInbox, memory_item
from clerk_app.services.inbox.sync import synchronise
from clerk_app.services.users import CurrentUser, UserService


@pytest.fixture
def clerk(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).os_account_user("kancelaria")


@pytest.fixture
def head_statements(ctx: AppContext) -> Iterator[list[str]]:
    """Every SQL statement that reads or writes the audit_head row, as it is sent."""
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "audit_head" in statement:
            seen.append(statement.split()[0].upper())

    event.listen(ctx.db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(ctx.db.engine, "before_cursor_execute", listen)


def _record(session: Any, actor: CurrentUser, n: int) -> AuditEvent:
    return audit.record(session, actor, "update", "case", "UA.1.2026", summary=f"zmiana {n}")


def test_batch_reads_and_writes_the_head_once_and_the_chain_verifies(
    ctx: AppContext, clerk: CurrentUser, head_statements: list[str]
) -> None:
    with ctx.db.session(write=True) as session:
        _record(session, clerk, 0)  # one by one: the head exists before the batch
    head_statements.clear()
    with ctx.db.session(write=True) as session:
        with audit.batch(session):
            events = [_record(session, clerk, n) for n in range(1, 5)]
            assert all(e.id is None for e in events)  # written when the batch ends
        ids = [e.id for e in events]
    assert head_statements == ["SELECT", "UPDATE"]
    assert ids == sorted(ids) and len(set(ids)) == 4
    with ctx.db.session(write=True) as session:
        _record(session, clerk, 5)  # one by one again, after a batch
    with ctx.db.session() as session:
        check = audit.verify_chain(session)
        head = session.get(AuditHead, 1)
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert check.ok and check.checked == 6
    assert head is not None and last is not None and head.last_event_id == last.id


def test_batch_rolled_back_with_its_transaction_leaves_no_trace(
    ctx: AppContext, clerk: CurrentUser
) -> None:
    with ctx.db.session(write=True) as session:
        _record(session, clerk, 0)
    with pytest.raises(RuntimeError), ctx.db.session(write=True) as session:
        with audit.batch(session):
            _record(session, clerk, 1)
            _record(session, clerk, 2)
        raise RuntimeError("zapis przerwany")
    with ctx.db.session(write=True) as session:
        _record(session, clerk, 3)
    with ctx.db.session() as session:
        check = audit.verify_chain(session)
        summaries = list(session.scalars(select(AuditEvent.summary).order_by(AuditEvent.id)))
    assert check.ok and summaries == ["zmiana 0", "zmiana 3"]


def test_synchronised_messages_leave_a_verifiable_chain(
    ctx: AppContext, clerk: CurrentUser, head_statements: list[str]
) -> None:
    with ctx.db.session(write=True) as session:
        _record(session, clerk, 0)  # the head row exists (its creation is a one-off)
    head_statements.clear()
    box = MemoryInbox([memory_item(f"pismo_{i}.xml", crd_letter(i)) for i in range(5)])
    result = synchronise(box, DatabaseLedger(ctx.db, ctx.blobs, clerk))
    assert result.ok and result.stored == 5
    during_sync = list(head_statements)
    with ctx.db.session() as session:
        check = audit.verify_chain(session)
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert check.ok
    assert actions.count("inbox_store") == 5 and actions.count("inbox_confirm") == 5
    # Per message: one head read and one head write to store; the confirmations of the
    # run are marked together, with one more read and write.
    assert during_sync == ["SELECT", "UPDATE"] * 6


def test_events_of_a_batch_left_by_a_caught_error_commit_with_the_transaction(
    ctx: AppContext, clerk: CurrentUser
) -> None:
    """As before the Core INSERT: recorded events are part of whatever the caller commits."""
    with ctx.db.session(write=True) as session:
        _record(session, clerk, 0)
    with ctx.db.session(write=True) as session:
        try:
            with audit.batch(session):
                _record(session, clerk, 1)
                _record(session, clerk, 2)
                raise LookupError("przerwano w połowie")
        except LookupError:
            pass
        _record(session, clerk, 3)  # one by one after the broken batch, same transaction
    with ctx.db.session() as session:
        check = audit.verify_chain(session)
        summaries = list(session.scalars(select(AuditEvent.summary).order_by(AuditEvent.id)))
        head = session.get(AuditHead, 1)
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert check.ok and check.checked == 4
    assert summaries == ["zmiana 0", "zmiana 1", "zmiana 2", "zmiana 3"]
    assert head is not None and last is not None and head.last_event_id == last.id
