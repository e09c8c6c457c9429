"""Storing an ePUAP letter takes few statements and no ORM flush but a new sender's (sync
throughput, issue 4) and still writes everything right: the message linked to its entry,
the sender's sort key, the audit chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.models import Correspondent, InboxMessage, RegisterEntry
from clerk_app.models.register_sort import name_key
from clerk_app.services import audit
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.memory import memory_item
from clerk_app.services.users import CurrentUser, UserService


@pytest.fixture
def clerk(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).os_account_user("kancelaria")


@pytest.fixture
def flushes() -> Iterator[list[int]]:
    """One number per flush that writes something: how many objects it wrote."""
    seen: list[int] = []

    def listen(session: Session, _context: Any, _instances: Any) -> None:
        seen.append(len(session.new) + len(session.dirty))

    event.listen(Session, "before_flush", listen)
    yield seen
    event.remove(Session, "before_flush", listen)


@pytest.fixture
def statements(ctx: AppContext) -> Iterator[list[str]]:
    """Every SQL statement sent (an executemany counts once)."""
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()[:3]).upper())

    event.listen(ctx.db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(ctx.db.engine, "before_cursor_execute", listen)


def test_a_letter_is_stored_with_core_statements_and_everything_is_linked(
    ctx: AppContext, clerk: CurrentUser, flushes: list[int], statements: list[str]
) -> None:
    ledger = DatabaseLedger(ctx.db, ctx.blobs, clerk)
    ledger.store(memory_item("pismo_0.xml", crd_letter(0)))  # creates the audit head once
    flushes.clear()
    statements.clear()
    # No ORM flush that writes anything: the new sender, the entry, its attachments, the
    # message and the audit events are Core INSERTs. On PostgreSQL the blob store writes
    # the new blobs in one flush.
    expected = 0 if ctx.db.is_sqlite else 1
    outcome = ledger.store(memory_item("pismo_1.xml", crd_letter(1)))
    assert outcome.new and outcome.entry_number
    assert len(flushes) == expected
    # The message's three audit events (sender, entry, message) in one INSERT; the head is
    # read once and written once; the message is inserted with its entry link (no UPDATE).
    assert statements.count("INSERT INTO AUDIT_EVENT") == 1
    assert [s.split()[0] for s in statements if "AUDIT_HEAD" in s] == ["SELECT", "UPDATE"]
    assert statements.count("INSERT INTO ATTACHMENT") == 1
    assert not [s for s in statements if s.startswith("UPDATE INBOX_MESSAGE")]
    if ctx.db.is_sqlite:
        assert len(statements) <= 15, statements
    flushes.clear()
    again = ledger.store(memory_item("pismo_1b.xml", crd_letter(1, title="Drugie pismo")))
    assert again.new
    assert len(flushes) == expected

    with ctx.db.session() as session:
        rows = session.execute(
            select(InboxMessage.entry_id, InboxMessage.kind, RegisterEntry.number)
            .join(RegisterEntry, RegisterEntry.id == InboxMessage.entry_id)
            .order_by(InboxMessage.id)
        ).all()
        entries = session.execute(
            select(RegisterEntry.sender_sort, Correspondent.display_name).join(
                Correspondent, Correspondent.id == RegisterEntry.correspondent_id
            )
        ).all()
        check = audit.verify_chain(session)
    assert [(kind, number) for _, kind, number in rows][1:] == [
        ("document", outcome.entry_number),
        ("document", again.entry_number),
    ]
    assert len(entries) == 3
    assert all(sort == name_key(name) for sort, name in entries)
    assert check.ok


def test_a_known_external_id_returns_the_entry_without_a_second_number(
    ctx: AppContext, clerk: CurrentUser
) -> None:
    ledger = DatabaseLedger(ctx.db, ctx.blobs, clerk)
    item = memory_item("pismo_2.xml", crd_letter(2))
    first = ledger.store(item)
    with ctx.db.session(write=True) as session:
        # The ledger's record lost (as after a manual repair): the entry must be found by
        # its external id, and the new message still gets an id and the link.
        session.query(InboxMessage).delete()
    second = ledger.store(item)
    assert second.new and second.entry_number == first.entry_number
    with ctx.db.session() as session:
        numbers = list(session.scalars(select(RegisterEntry.number)))
        message = session.scalar(select(InboxMessage))
    assert numbers == [first.entry_number]
    assert message is not None and message.entry_id is not None


def test_the_letter_is_parsed_once_and_indexed_with_the_same_text(
    ctx: AppContext, clerk: CurrentUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The letter's search text comes from the parse the ledger already did: extract_text
    never reads the XML again, and the stored text is what extract_text would give."""
    from clerk_app.models import Attachment
    from clerk_app.services import text_extract
    from clerk_app.services.search import search

    content = crd_letter(7)
    expected = text_extract.extract_text("pismo_7.xml", "text/xml", content)
    read_back: list[str] = []
    real = text_extract.extract_text

    def spy(file_name: str, *args: Any, **kwargs: Any) -> str:
        read_back.append(file_name)
        return real(file_name, *args, **kwargs)

    monkeypatch.setattr(text_extract, "extract_text", spy)
    outcome = DatabaseLedger(ctx.db, ctx.blobs, clerk).store(memory_item("pismo_7.xml", content))

    assert outcome.new and not [name for name in read_back if name.endswith(".xml")]
    with ctx.db.session() as session:
        stored = session.scalar(
            select(Attachment.extracted_text).where(Attachment.file_name.like("%.xml"))
        )
    assert expected and stored == expected
    word = next(w for w in expected.split() if len(w) > 6 and w.isalpha())
    assert outcome.entry_number in [hit.label for hit in search(ctx.db, clerk, word)]


def test_a_known_sender_is_found_by_reply_box_and_name_not_created_again(
    ctx: AppContext, clerk: CurrentUser
) -> None:
    """Two letters from one person's box make one correspondent; a namesake writing from
    another box is somebody else."""
    from clerk_app.services.inbox.port import InboxSender

    ledger = DatabaseLedger(ctx.db, ctx.blobs, clerk)
    same = crd_letter(0)
    home = InboxSender(reply_address="/jan/skrytka")
    other = InboxSender(reply_address="/inny/skrytka")
    for name, content, sender in (
        ("a.xml", same, home),
        ("b.xml", same + b" ", home),
        ("c.xml", same + b"  ", other),
    ):
        assert ledger.store(memory_item(name, content, sender=sender)).new
    with ctx.db.session() as session:
        senders = list(
            session.scalars(select(RegisterEntry.correspondent_id).order_by(RegisterEntry.id))
        )
        names = session.execute(
            select(Correspondent.last_name, Correspondent.epuap_address).order_by(Correspondent.id)
        ).all()
    assert senders[0] == senders[1] != senders[2]
    # The same name from the letter, told apart by the box it came from.
    assert [tuple(n) for n in names] == [
        (names[0][0], "/jan/skrytka"),
        (names[0][0], "/inny/skrytka"),
    ] and names[0][0]
