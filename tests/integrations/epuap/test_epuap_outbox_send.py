"""Sending outgoing letters through the local ePUAP simulator (nadaj, dorecz), exactly once.

Runs on SQLite and, with CLERK_TEST_DATABASE_URL, on PostgreSQL (the ``ctx`` fixture).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from clerk_app.errors import ConnectionFailed, ValidationError
from clerk_app.integrations.epuap.client import SendClient
from clerk_app.integrations.epuap.document import Letter, parse_incoming_document
from clerk_app.integrations.epuap.envelope import Mailbox, Operation
from clerk_app.integrations.epuap.sample_letters import padding_pdf
from clerk_app.integrations.epuap.simulator import EpuapSimulator, Fault, FaultKind
from clerk_app.integrations.epuap.wssecurity import SigningIdentity
from clerk_app.models import Attachment, Channel, CorrespondentKind, DeliveryStatus, RegisterEntry
from clerk_app.models.inbox import OutboxMessage
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.epuap import EpuapInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.outbox import OutboxService
from clerk_app.services.inbox.sync import synchronise
from clerk_app.services.register import RegisterService
from clerk_app.services.register_types import AttachmentInput, CorrespondentInput, OutgoingDraft
from clerk_app.services.users import CurrentUser, UserService

from .conftest import CITIZEN_BOX, OFFICE_BOX, OfficePki, client_settings_for

OFFICE = OFFICE_BOX[2]
CITIZEN = CITIZEN_BOX[2]


def _clerk(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).os_account_user("kancelaria")


@pytest.fixture
def outbox(
    ctx: AppContext,
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
) -> Iterator[OutboxService]:
    def factory() -> tuple[SendClient, Mailbox]:
        client = SendClient(
            client_settings_for(simulator, max_attempts=1),
            office_identity,
            [epuap_identity.certificate],
        )
        return client, office_box

    yield OutboxService(ctx, _clerk(ctx), client_factory=factory)


def _outgoing(
    ctx: AppContext, *, box: str = CITIZEN, pdf: bool = True, title: str = "Decyzja — żółć"
) -> str:
    service = RegisterService(ctx.db, ctx.blobs, _clerk(ctx))
    attachments = (
        (AttachmentInput("decyzja łąka.pdf", padding_pdf(4000), "application/pdf"),) if pdf else ()
    )
    result = service.register_outgoing(
        OutgoingDraft(
            title=title,
            channel=Channel.EPUAP,
            new_correspondent=CorrespondentInput(
                kind=CorrespondentKind.PERSON,
                first_name="Jan",
                last_name="Kowalski",
                epuap_address=box,
            ),
            attachments=attachments,
        )
    )
    return result.number


def _entry(ctx: AppContext, number: str) -> RegisterEntry:
    with ctx.db.session() as session:
        entry = session.scalar(select(RegisterEntry).where(RegisterEntry.number == number))
        assert entry is not None
        session.expunge(entry)
        return entry


def _outbox_rows(ctx: AppContext) -> list[OutboxMessage]:
    with ctx.db.session() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def test_nadaj_sends_once_with_upp_and_sent_status(
    ctx: AppContext, simulator: EpuapSimulator, outbox: OutboxService
) -> None:
    number = _outgoing(ctx)
    assert [w.number for w in outbox.waiting()] == [number]

    outcome = outbox.send(number)

    assert outcome.ok and outcome.state == "sent" and outcome.upp_stored
    assert len(simulator.sent_requests(OFFICE)) == 1
    delivered = simulator.queue(CITIZEN)
    assert len(delivered) == 1
    letter = parse_incoming_document(delivered[0].content)
    assert isinstance(letter, Letter)
    assert letter.title == "Decyzja — żółć"
    assert [a.file_name for a in letter.attachments] == ["decyzja łąka.pdf"]
    assert letter.attachments[0].content == padding_pdf(4000)
    [row] = _outbox_rows(ctx)
    assert row.state == "sent" and row.external_id == outcome.document_id
    assert row.upp_sha256 is not None
    entry = _entry(ctx, number)
    assert entry.delivery_status == DeliveryStatus.SENT and entry.sent_on is not None
    with ctx.db.session() as session:
        names = list(
            session.scalars(select(Attachment.file_name).where(Attachment.entry_id == entry.id))
        )
    assert any(name.startswith("UPP_") for name in names)
    assert outbox.waiting() == []

    again = outbox.send(number)
    assert again.already_sent and again.document_id == outcome.document_id
    assert len(simulator.sent_requests(OFFICE)) == 1


def test_lost_answer_is_reconciled_without_a_second_letter(
    ctx: AppContext, simulator: EpuapSimulator, outbox: OutboxService
) -> None:
    number = _outgoing(ctx)
    # nadaj is applied, then the connection dies mid-answer (a crash before storing looks alike).
    simulator.inject(Fault(FaultKind.RESET_MID_BODY, operation=Operation.SEND))
    with pytest.raises(ConnectionFailed, match="Nie wiadomo"):
        outbox.send(number)
    [row] = _outbox_rows(ctx)
    assert row.state == "queued" and row.external_id == ""
    assert len(simulator.queue(CITIZEN)) == 1
    assert [w.state for w in outbox.waiting()] == ["queued"]

    outcome = outbox.send(number)

    assert outcome.state == "sent"
    assert len(simulator.queue(CITIZEN)) == 1, "the letter went out twice"
    assert len(simulator.sent_requests(OFFICE)) == 1
    assert [r.outcome for r in simulator.records if r.operation is Operation.SEND] == [
        "sent",
        "replayed",
    ]
    [row] = _outbox_rows(ctx)
    assert row.state == "sent" and row.external_id == outcome.document_id


def test_dorecz_is_marked_delivered_when_the_upd_arrives(
    ctx: AppContext,
    simulator: EpuapSimulator,
    outbox: OutboxService,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
) -> None:
    from clerk_app.integrations.epuap.client import PullClient

    number = _outgoing(ctx)
    outcome = outbox.send(number, operation="dorecz")
    assert outcome.state == "sent" and outcome.operation == "dorecz"
    assert _entry(ctx, number).delivery_status == DeliveryStatus.SENT
    assert len(simulator.queue(OFFICE)) == 1  # the UPD

    port = EpuapInbox(
        PullClient(
            client_settings_for(simulator),
            office_box,
            office_identity,
            [epuap_identity.certificate],
        )
    )
    try:
        result = synchronise(port, DatabaseLedger(ctx.db, ctx.blobs, _clerk(ctx)))
    finally:
        port.close()
    assert result.ok and result.receipts == 1, result.summary()
    entry = _entry(ctx, number)
    assert entry.delivery_status == DeliveryStatus.DELIVERED and entry.delivered_on is not None
    [row] = _outbox_rows(ctx)
    assert row.state == "delivered" and row.upd_sha256 is not None


def test_refusal_marks_the_attempt_failed_and_a_new_send_starts_over(
    ctx: AppContext, simulator: EpuapSimulator, outbox: OutboxService
) -> None:
    number = _outgoing(ctx, box="/nie_ma/skrytki")
    outcome = outbox.send(number)
    assert outcome.state == "failed" and not outcome.ok
    assert "Skrytka adresata nie istnieje" in outcome.message
    assert _entry(ctx, number).delivery_status == DeliveryStatus.FAILED
    assert [(w.number, w.state) for w in outbox.waiting()] == [(number, "failed")]
    outbox.send(number)
    assert [r.state for r in _outbox_rows(ctx)] == ["failed", "failed"]
    assert simulator.queue(CITIZEN) == []


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda ctx: _outgoing(ctx, pdf=False), "Załącznik PDF"),
        (lambda ctx: _outgoing(ctx, box=""), "Adres skrytki ePUAP adresata"),
        (lambda ctx: "WYCH/999/1999", "Numer wpisu"),
    ],
)
def test_what_cannot_be_sent_is_refused_naming_the_field(
    ctx: AppContext,
    simulator: EpuapSimulator,
    outbox: OutboxService,
    make: Callable[[AppContext], str],
    field: str,
) -> None:
    with pytest.raises(ValidationError, match=field):
        outbox.send(make(ctx))
    assert simulator.sent_requests(OFFICE) == []
    assert _outbox_rows(ctx) == []


@pytest.mark.usefixtures("cli_user")  # on PostgreSQL the CLI signs in (CLERK_USER/PASSWORD)
def test_cli_send_prints_json_and_sends_once(
    ctx: AppContext,
    simulator: EpuapSimulator,
    office_pki: OfficePki,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from clerk_app import cli_epuap

    from .test_epuap_sync_kill import _configure

    _configure(ctx, simulator, office_pki, tmp_path)
    number = _outgoing(ctx)
    base = ["--data-dir", str(ctx.settings.data_dir), "--database-url", ctx.settings.database_url]

    assert cli_epuap.main([*base, "epuap", "outbox", "--json"]) == 0
    assert [w["number"] for w in json.loads(capsys.readouterr().out)] == [number]

    assert cli_epuap.main([*base, "epuap", "send", number, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["state"] == "sent" and data["document_id"]
    assert cli_epuap.main([*base, "epuap", "send", number]) == 0
    assert "już wysłano" in capsys.readouterr().out
    assert len(simulator.queue(CITIZEN)) == 1

    assert cli_epuap.main([*base, "epuap", "send", "WYCH/999/1999", "--json"]) == 2
    assert "Numer wpisu" in capsys.readouterr().err


def test_the_queued_row_and_the_upp_are_committed_durably_around_the_send(
    ctx: AppContext, simulator: EpuapSimulator, outbox: OutboxService
) -> None:
    """On SQLite (WAL + synchronous=NORMAL by default) a commit lost on power loss after the
    letter went out would queue it again under a new key: the row that carries the key is
    committed with synchronous=FULL before the request is sent, and the UPP after it."""
    if not ctx.db.is_sqlite:
        pytest.skip("PostgreSQL commits are durable (synchronous_commit=on)")
    number = _outgoing(ctx)
    timeline: list[str] = []

    def on_commit(conn: Any) -> None:
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            level = cursor.execute("PRAGMA synchronous").fetchone()[0]
        finally:
            cursor.close()
        sent = len(simulator.sent_requests(OFFICE))
        timeline.append(f"{'full' if level == 2 else 'normal'} commit, {sent} sent")

    event.listen(ctx.db.engine, "commit", on_commit)
    try:
        assert outbox.send(number).ok
    finally:
        event.remove(ctx.db.engine, "commit", on_commit)
    assert timeline[0] == "full commit, 0 sent"
    assert timeline[-1] == "full commit, 1 sent"
