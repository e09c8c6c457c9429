"""A letter whose attachment is one text node over libxml2's 10 MB limit is unpacked: the
attachment is registered byte for byte; large text anywhere else, or a letter over the total
cap, is refused with a clear reason and nothing but the raw document is stored."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_app.integrations.epuap import payload, safe_xml
from clerk_app.integrations.epuap.client import PullClient
from clerk_app.integrations.epuap.document import (
    Letter,
    discard_attachments,
    parse_incoming_document,
)
from clerk_app.integrations.epuap.envelope import Mailbox
from clerk_app.integrations.epuap.safe_xml import HostileXmlError
from clerk_app.integrations.epuap.sample_letters import SampleAttachment, crd_letter
from clerk_app.integrations.epuap.server_messages import StoredDocument
from clerk_app.integrations.epuap.simulator import EpuapSimulator
from clerk_app.integrations.epuap.wssecurity import SigningIdentity
from clerk_app.models import Attachment, RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.epuap import EpuapInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.sync import SyncResult, synchronise
from clerk_app.services.users import UserService

from .conftest import OFFICE_BOX, client_settings_for


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _sync(
    ctx: AppContext,
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    **ledger_options: int,
) -> SyncResult:
    port = EpuapInbox(
        PullClient(
            client_settings_for(simulator),
            office_box,
            office_identity,
            [epuap_identity.certificate],
        )
    )
    clerk = UserService(ctx.db).os_account_user("kancelaria")
    try:
        return synchronise(port, DatabaseLedger(ctx.db, ctx.blobs, clerk, **ledger_options))
    finally:
        port.close()


def _stored_files(ctx: AppContext) -> tuple[RegisterEntry, dict[str, str]]:
    with ctx.db.session() as session:
        entry = session.scalars(select(RegisterEntry)).one()
        session.expunge(entry)
        files = {
            a.file_name: a.sha256
            for a in session.scalars(select(Attachment).where(Attachment.entry_id == entry.id))
        }
    return entry, files


def test_attachment_over_the_text_node_limit_is_registered_with_its_bytes(
    ctx: AppContext,
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    spool_dir: Path,
) -> None:
    # 8 MB of bytes is ~11 MB of base64: one text node over libxml2's default limit.
    scan = os.urandom(8 * 1024 * 1024)
    assert len(scan) * 4 // 3 > safe_xml.TEXT_NODE_LIMIT
    letter = crd_letter(3, attachments=(SampleAttachment("skan_wniosku.pdf", scan),))
    simulator.enqueue(OFFICE_BOX[2], StoredDocument("wniosek.xml", letter))

    result = _sync(ctx, simulator, office_box, office_identity, epuap_identity)

    assert result.ok and result.stored == 1, result.summary()
    assert result.needs_attention == 0, result.attention
    entry, files = _stored_files(ctx)
    assert not entry.needs_attention
    assert files["skan_wniosku.pdf"] == hashlib.sha256(scan).hexdigest()
    with ctx.db.session() as session:
        assert ctx.blobs.get(session, files["skan_wniosku.pdf"]) == scan
    assert simulator.queue(OFFICE_BOX[2]) == []
    assert list(spool_dir.iterdir()) == []  # answer, letter and attachment spools removed


def test_letter_over_the_total_cap_is_refused_raw_stored_and_not_unpacked(
    ctx: AppContext,
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    spool_dir: Path,
) -> None:
    scan = os.urandom(3 * 1024 * 1024)
    letter = crd_letter(4, attachments=(SampleAttachment("za_duzy.pdf", scan),))
    simulator.enqueue(OFFICE_BOX[2], StoredDocument("duzy.xml", letter))

    # The cap lowered to keep the test quick; the shipped one is payload.MAX_DOCUMENT_BYTES.
    result = _sync(
        ctx, simulator, office_box, office_identity, epuap_identity, max_document_bytes=2 << 20
    )

    assert result.ok and result.stored == 1 and result.needs_attention == 1, result.summary()
    assert "za duży" in result.attention[0] and str(2 << 20) in result.attention[0]
    entry, files = _stored_files(ctx)
    assert entry.needs_attention and "za duży" in (entry.attention_reason or "")
    # Only the letter itself, raw: no attachment was unpacked from it.
    assert list(files.values()) == [hashlib.sha256(letter).hexdigest()]
    assert simulator.queue(OFFICE_BOX[2]) == []  # stored, so acknowledged: nothing is lost
    assert list(spool_dir.iterdir()) == []


def test_large_text_outside_attachment_content_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same rule with a lowered limit, so the refused letter stays small.
    monkeypatch.setattr(safe_xml, "TEXT_NODE_LIMIT", 4096)
    hostile = crd_letter(1, body="x" * 5000)
    with pytest.raises(HostileXmlError, match="Tresc"):
        parse_incoming_document(hostile)
    allowed = crd_letter(1, attachments=(SampleAttachment("a.pdf", b"%PDF" * 2000),))
    parsed = parse_incoming_document(allowed)
    assert isinstance(parsed, Letter) and parsed.attachments[0].content == b"%PDF" * 2000
    # A big tail text beside the attachment content is not inside it either.
    tail = allowed.replace(b"</str:DaneZalacznika>", b"</str:DaneZalacznika>" + b"y" * 5000)
    with pytest.raises(HostileXmlError, match="Zalacznik"):
        parse_incoming_document(tail)


def test_text_node_over_the_real_limit_outside_an_attachment_is_refused() -> None:
    hostile = crd_letter(2, body="a" * (safe_xml.TEXT_NODE_LIMIT + 1))
    with pytest.raises(HostileXmlError, match="Tresc"):
        parse_incoming_document(hostile)


def test_big_attachment_decoded_to_a_spool_file_and_discarded(
    spool_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payload, "SPOOL_ABOVE", 1 << 20)
    scan = os.urandom(2 * 1024 * 1024)
    parsed = parse_incoming_document(crd_letter(5, attachments=(SampleAttachment("s.pdf", scan),)))
    assert isinstance(parsed, Letter)
    content = parsed.attachments[0].content
    assert isinstance(content, Path) and content.read_bytes() == scan
    discard_attachments(parsed)
    assert list(spool_dir.iterdir()) == []
